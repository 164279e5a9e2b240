import Foundation
import Glibc
import MLGymTestSupport

/// Runs programs as other uids (setpriv), for the authorization tests: uids without passwd entries, in a group
/// made for the tests, so nothing on the host is touched but that group.
enum OtherUser {
    static let groupName = "mlgymtest-clients"

    /// The test group's gid, created if missing.
    static func clientGroup() throws -> gid_t {
        if let group = getgrnam(groupName) { return group.pointee.gr_gid }
        let result = try CommandResult.run("/usr/sbin/groupadd", ["--system", groupName])
        guard let group = getgrnam(groupName) else {
            throw TestFailure("groupadd \(groupName) failed (\(result.status)): \(result.errorOutput)")
        }
        return group.pointee.gr_gid
    }

    /// mlgymctl and mlgymctl-full (which the light one hands its other verbs to) copied side by side where every
    /// uid can run them (the build directory need not be traversable by others).
    /// Copied once, by `cp` in a process of its own: a copy written by this (multithreaded) process could leak
    /// its open descriptor into a child spawned meanwhile, and the file would then be busy (ETXTBSY) for good.
    static let client: Result<String, TestFailure> = {
        let directory = "/tmp/mlgymtest-client-\(getpid())"
        mkdir(directory, 0o755)
        chmod(directory, 0o755)
        let path = directory + "/mlgymctl"
        do {
            for name in ["mlgymctl", "mlgymctl-full"] {
                let copied = try CommandResult.run("/bin/cp", [try DaemonProcess.binary(name), directory + "/" + name])
                guard copied.status == 0 else { return .failure(TestFailure("cp \(name): \(copied.errorOutput)")) }
                chmod(directory + "/" + name, 0o755)
            }
            return .success(path)
        } catch {
            return .failure(TestFailure("cannot copy mlgymctl: \(error)"))
        }
    }()

    /// `mlgymctl arguments` as `uid`, with the test group as its only supplementary group when `inGroup`.
    static func ctl(_ daemon: DaemonProcess, uid: uid_t, inGroup: Bool, _ arguments: [String]) throws -> CommandResult {
        try run(daemon, uid: uid, inGroup: inGroup, try Self.client.get(), arguments)
    }

    /// Any program as `uid` (no capabilities), with MLGYM_SOCKET naming `daemon`'s socket.
    static func run(_ daemon: DaemonProcess, uid: uid_t, inGroup: Bool, _ executable: String, _ arguments: [String]) throws -> CommandResult {
        let gid = try clientGroup()
        let groups = inGroup ? ["--groups", String(gid)] : ["--clear-groups"]
        return try CommandResult.run(
            "/usr/bin/setpriv",
            ["--reuid", String(uid), "--regid", String(uid)] + groups + ["--inh-caps", "-all", "--", executable] + arguments,
            environment: ["MLGYM_SOCKET": daemon.socketPath, "HOME": "/"])
    }
}
