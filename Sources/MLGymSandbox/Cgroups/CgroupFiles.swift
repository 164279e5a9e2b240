import CSandbox
import Glibc
import MLGymCore

/// The file operations of the cgroup layer: one `write(2)` per value, errors that name the file and the errno.
///
/// cgroupfs wants each value in a single write (a short or split write is a different request), and the errno
/// is the diagnosis (`EBUSY` on `subtree_control` means processes in an inner node, `EINVAL` means a bad
/// value), so this goes straight to the system calls instead of through Foundation.
///
/// `simulated` is true when the "cgroupfs" is a plain directory (the fake trees the unit tests build): there
/// the kernel does not create control files in a new directory, so writes create them and append one line per
/// write (a file reads as the log of what the kernel would have been told), and optional control files count
/// as present so every write the real kernel would get is visible to the test.
struct CgroupFiles: Sendable {
    var simulated: Bool

    /// Writes `value` to `directory/file` in one write.
    func write(_ value: String, to file: String, in directory: String) throws(MLGymError) {
        let path = "\(directory)/\(file)"
        let flags = O_WRONLY | O_CLOEXEC | (simulated ? O_CREAT | O_APPEND : 0)
        let fd = open(path, flags, 0o644)
        if fd < 0 {
            let code = errno
            throw Self.error(code, "cannot open \(path) for writing", hint: Self.hint(file: file, errno: code))
        }
        defer { close(fd) }
        let bytes = Array((simulated ? value + "\n" : value).utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        if written < 0 {
            let code = errno
            throw Self.error(code, "cannot write \"\(value)\" to \(path)", hint: Self.hint(file: file, errno: code))
        }
        if written != bytes.count {
            throw MLGymError(.system, "short write of \"\(value)\" to \(path): \(written) of \(bytes.count) bytes")
        }
    }

    /// The contents of `directory/file`, or nil when it does not exist or cannot be read (a controller that is
    /// not enabled, a cgroup that is gone): counters are optional by nature.
    func read(_ file: String, in directory: String) -> String? {
        read(path: "\(directory)/\(file)")
    }

    /// The contents of the file at `path`, or nil when it cannot be read.
    func read(path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return nil }
        defer { close(fd) }
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return nil }
            if n == 0 { break }
            result.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// The first whitespace-separated token of a one-value file as an integer; "max" (no limit) reads as nil.
    func readInteger(_ file: String, in directory: String) -> UInt64? {
        guard let text = read(file, in: directory) else { return nil }
        let token = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).first.map(String.init) ?? ""
        return UInt64(token)
    }

    /// The value of `key` in a flat-keyed file (`memory.events`, `cpu.stat`, `pids.events`, `memory.oom_control`).
    func readKey(_ key: String, in file: String, directory: String) -> UInt64? {
        guard let text = read(file, in: directory) else { return nil }
        return Self.value(of: key, inKeyedText: text)
    }

    /// Parses `key value` lines.
    static func value(of key: String, inKeyedText text: String) -> UInt64? {
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count == 2, fields[0] == key { return UInt64(fields[1]) }
        }
        return nil
    }

    /// The pids listed in `directory/cgroup.procs` (empty when the cgroup is empty or gone).
    func processes(in directory: String) -> [Int32] {
        (read("cgroup.procs", in: directory) ?? "").split(separator: "\n").compactMap { Int32($0) }
    }

    /// Whether an optional control file exists (always true in a simulated tree; see the type's comment).
    func hasControl(_ file: String, in directory: String) -> Bool {
        simulated || access("\(directory)/\(file)", F_OK) == 0
    }

    func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// Creates `path`; returns false when it already existed.
    @discardableResult
    func makeDirectory(_ path: String) throws(MLGymError) -> Bool {
        if mkdir(path, 0o755) == 0 { return true }
        let code = errno
        if code == EEXIST { return false }
        throw Self.error(code, "cannot create cgroup \(path)", hint: code == EACCES || code == EPERM
            ? "the caller's cgroup is not delegated to this user; run as root or under systemd with Delegate=yes"
            : code == ENOENT ? "the parent cgroup is missing" : nil)
    }

    /// Removes `path`; a directory that is already gone counts as removed.
    func removeDirectory(_ path: String) throws(MLGymError) {
        if rmdir(path) == 0 { return }
        let code = errno
        if code == ENOENT { return }
        if simulated && code == ENOTEMPTY {
            // A fake tree keeps the control files the writes created; the kernel would drop them itself.
            for entry in Self.entries(of: path) where !entry.isDirectory { unlink("\(path)/\(entry.name)") }
            if rmdir(path) == 0 { return }
        }
        throw Self.error(errno, "cannot remove cgroup \(path)", hint: code == EBUSY
            ? "processes or child cgroups are still in it; kill them first" : nil)
    }

    /// The names of the subdirectories of `path` (child cgroups), sorted; empty when `path` is missing.
    func childCgroups(of path: String) -> [String] {
        Self.entries(of: path).filter(\.isDirectory).map(\.name).sorted()
    }

    private static func entries(of path: String) -> [(name: String, isDirectory: Bool)] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var result: [(String, Bool)] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            result.append((name, entry.pointee.d_type == UInt8(DT_DIR)))
        }
        return result
    }

    /// An error that carries the errno's symbolic name, as in `cannot write ... : EBUSY (Device or resource busy)`.
    static func error(_ code: Int32, _ what: String, hint: String? = nil) -> MLGymError {
        SystemCall.error(what, errno: code, hint: hint)
    }

    /// What usually causes a failed write to a given control file, for the error message.
    private static func hint(file: String, errno code: Int32) -> String? {
        switch (file, code) {
        case ("cgroup.subtree_control", EBUSY):
            return "the cgroup still holds processes (no-internal-process rule); move them into a leaf cgroup"
        case (_, ENOENT):
            return "the controller is not enabled for this cgroup (check the parent's cgroup.subtree_control)"
        case ("cgroup.procs", ESRCH):
            return "the process has already exited"
        case ("memory.limit_in_bytes", EBUSY), ("memory.max", EBUSY):
            return "the cgroup already uses more memory than the new limit"
        case (_, EACCES), (_, EPERM):
            return "the cgroup is not delegated to this user; run as root or under systemd with Delegate=yes"
        default:
            return nil
        }
    }
}
