import Foundation
import Glibc
import MLGymSandbox
import MLGymTestSupport

/// Everything a daemon's sandboxes can leave on the host, looked for where each kind lives: processes in its
/// cgroup, mounts and loop devices under its directory, cgroups under its parent, storage in its state
/// directory. Empty when nothing is left.
struct HostLeftovers: CustomStringConvertible {
    var processes: [Int32] = []
    var mounts: [String] = []
    var loopDevices: [String] = []
    var cgroups: [String] = []
    var sandboxStorage: [String] = []
    var runtimeDirectories: [String] = []

    var isEmpty: Bool {
        processes.isEmpty && mounts.isEmpty && loopDevices.isEmpty && cgroups.isEmpty && sandboxStorage.isEmpty
            && runtimeDirectories.isEmpty
    }

    var description: String {
        "processes \(processes), mounts \(mounts), loop devices \(loopDevices), cgroups \(cgroups), "
            + "storage \(sandboxStorage), runtime \(runtimeDirectories)"
    }

    /// What `daemon` (whose cgroup parent is `cgroupParent`) has left, apart from the daemon itself.
    static func of(_ daemon: DaemonProcess, cgroupParent: String) -> HostLeftovers {
        var found = HostLeftovers()
        let directory = daemon.directory
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry), pid != daemon.pid,
                  let cgroups = try? String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8)
            else { continue }
            if cgroups.contains("/\(cgroupParent)/") { found.processes.append(pid) }
        }
        let mountInfo = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        for line in mountInfo.split(separator: "\n") {
            let fields = line.split(separator: " ")
            if fields.count > 4, fields[4].hasPrefix(directory + "/") { found.mounts.append(String(fields[4])) }
        }
        for device in (try? FileManager.default.contentsOfDirectory(atPath: "/sys/block")) ?? [] where device.hasPrefix("loop") {
            let backing = (try? String(contentsOfFile: "/sys/block/\(device)/loop/backing_file", encoding: .utf8)) ?? ""
            if backing.hasPrefix(directory + "/") { found.loopDevices.append("\(device): \(backing.trimmingCharacters(in: .whitespacesAndNewlines))") }
        }
        for controller in (try? FileManager.default.contentsOfDirectory(atPath: "/sys/fs/cgroup")) ?? [] {
            found.cgroups += childDirectories(named: cgroupParent, under: "/sys/fs/cgroup/" + controller, depth: 6)
        }
        // The volume pool is the running daemon's own (images formatted ahead, never mounted), not a leftover.
        found.sandboxStorage = ((try? FileManager.default.contentsOfDirectory(atPath: daemon.stateDirectory + "/sandboxes")) ?? [])
            .filter { $0 != VolumeImagePool.directoryName }
        // Sandboxes' directories are named by their 12-hex-digit ids (beside them: the agents' socket directory).
        found.runtimeDirectories = ((try? FileManager.default.contentsOfDirectory(atPath: daemon.runtimeDirectory + "/sandboxes")) ?? [])
            .filter { $0.count == 12 && $0.allSatisfy(\.isHexDigit) }
        return found
    }

    /// The subdirectories of every directory called `name` below `root`: sandboxes' cgroups under the parent.
    private static func childDirectories(named name: String, under root: String, depth: Int) -> [String] {
        guard depth > 0, let entries = try? FileManager.default.contentsOfDirectory(atPath: root) else { return [] }
        var result: [String] = []
        for entry in entries {
            let path = root + "/" + entry
            var info = stat()
            guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else { continue }
            if entry == name {
                for child in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
                    var childInfo = stat()
                    if lstat(path + "/" + child, &childInfo) == 0, (childInfo.st_mode & S_IFMT) == S_IFDIR { result.append(path + "/" + child) }
                }
            } else {
                result += childDirectories(named: name, under: path, depth: depth - 1)
            }
        }
        return result
    }

    /// SQLite's own check of the daemon's database (run with the daemon stopped or running: WAL readers are safe).
    static func integrityCheck(_ daemon: DaemonProcess) throws -> String {
        let result = try CommandResult.run(
            "/usr/bin/python3",
            ["-c", "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('pragma integrity_check').fetchone()[0])",
             daemon.stateDirectory + "/mlgym.sqlite3"])
        return (result.output + result.errorOutput).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

extension HostLeftovers {
    /// Removes the (empty) cgroup parent a test daemon made, wherever the hierarchies put it.
    static func removeCgroupParent(_ name: String) {
        for controller in (try? FileManager.default.contentsOfDirectory(atPath: "/sys/fs/cgroup")) ?? [] {
            removeDirectories(named: name, under: "/sys/fs/cgroup/" + controller, depth: 6)
        }
    }

    private static func removeDirectories(named name: String, under root: String, depth: Int) {
        guard depth > 0, let entries = try? FileManager.default.contentsOfDirectory(atPath: root) else { return }
        for entry in entries {
            let path = root + "/" + entry
            var info = stat()
            guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else { continue }
            if entry == name { rmdir(path) } else { removeDirectories(named: name, under: path, depth: depth - 1) }
        }
    }
}
