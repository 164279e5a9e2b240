import Glibc

/// Whole-file reads and writes, directory listing and creation over POSIX calls, retrying EINTR in one place.
public enum FileIO {
    /// The bytes of the file at `path` (following links); with `limit`, the reading stops once more than `limit`
    /// bytes are in, so a caller can refuse a file that is too large without reading all of it (or reading for
    /// ever, from `/dev/zero`).
    public static func read(_ path: String, limit: Int? = nil) throws(SystemFailure) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SystemFailure("read \(path)") }
        defer { close(descriptor) }
        do {
            return try readAll(descriptor, limit: limit)
        } catch {
            throw SystemFailure("read \(path)", errno: error.errno)
        }
    }

    /// Everything `descriptor` yields until end of file, or until more than `limit` bytes are in.
    public static func readAll(_ descriptor: Int32, limit: Int? = nil) throws(SystemFailure) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while limit.map({ bytes.count <= $0 }) ?? true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw SystemFailure("read descriptor \(descriptor)")
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return bytes
    }

    /// Writes all of `bytes` to `descriptor`, however many calls it takes.
    public static func writeAll(_ descriptor: Int32, _ bytes: some Collection<UInt8>) throws(SystemFailure) {
        var remaining = Array(bytes)[...]
        while !remaining.isEmpty {
            let written = remaining.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw SystemFailure("write descriptor \(descriptor)")
            }
            remaining = remaining.dropFirst(written)
        }
    }

    /// Writes `text` to standard output or standard error, ignoring a closed reader (the tool is ending anyway).
    public static func print(_ text: String, to descriptor: Int32 = STDOUT_FILENO) {
        try? writeAll(descriptor, Array(text.utf8))
    }

    /// The names in directory `path`, without `.` and `..`, in no particular order; nil when it cannot be read.
    public static func directoryEntries(_ path: String) -> [String]? {
        guard let directory = opendir(path) else { return nil }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Creates `path` and any missing parents with `mode` (as `mkdir -p`); an existing directory is fine.
    public static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws(SystemFailure) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, mode) != 0 && errno != EEXIST { throw SystemFailure("create directory \(prefix)") }
        }
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw SystemFailure("create directory \(path)", errno: ENOTDIR)
        }
    }

    /// Removes `path` and, for a directory, everything below it, never following symbolic links; what cannot be
    /// removed is left (a scratch directory's clean-up must not fail the command that used it).
    public static func removeTree(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if info.st_mode & S_IFMT == S_IFDIR {
            for name in directoryEntries(path) ?? [] { removeTree(path + "/" + name) }
            rmdir(path)
        } else {
            unlink(path)
        }
    }

    /// The current working directory, or nil when it was removed or cannot be named.
    public static func currentDirectory() -> String? {
        guard let path = getcwd(nil, 0) else { return nil }
        defer { free(path) }
        return String(cString: path)
    }

    /// The last component of `path` (`/a/b.py` gives `b.py`), as `basename` prints it.
    public static func lastComponent(_ path: String) -> String {
        let trimmed = path.reversed().drop { $0 == "/" }.reversed()
        guard let slash = trimmed.lastIndex(of: "/") else { return trimmed.isEmpty && path.hasPrefix("/") ? "/" : String(trimmed) }
        return String(trimmed[trimmed.index(after: slash)...])
    }

    /// The directory holding `path` (`/a/b.py` gives `/a`, `b.py` gives `.`), as `dirname` prints it.
    public static func parentDirectory(_ path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        var parent = trimmed[..<slash]
        while parent.count > 1 && parent.hasSuffix("/") { parent = parent.dropLast() }
        return parent.isEmpty ? "/" : String(parent)
    }
}
