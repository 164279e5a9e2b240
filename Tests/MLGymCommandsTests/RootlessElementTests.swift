import Foundation
import Glibc
import MLGymTestSupport
import Testing

/// A campaign element run by an ordinary user, as on an HPC node without a system mlgymd: it starts its own
/// mlgymd in rootless mode (user namespace, rlimits instead of cgroups), runs a real task session in it and
/// leaves a finished bundle.
@Suite(.serialized) struct RootlessElementTests {
    static let userName = "mlgymtest"

    @Test func anOrdinaryUsersElementRunsItsRunInARootlessMlgymd() throws {
        try #require(getuid() == 0, "the test makes a user and runs as it (scripts/test runs as root)")
        let user = try Self.user()
        var template = Array("/tmp/mlgym-rootless-element-XXXXXX".utf8CString)
        let root = String(cString: try #require(mkdtemp(&template)))
        defer { try? FileManager.default.removeItem(atPath: root) }
        chmod(root, 0o755)
        // The build directory and the checkout need not be readable by others: binaries and tasks are copied (by
        // cp in a process of its own, so no descriptor of this process keeps a binary busy).
        let build = try MLGymCtlProcess.binary().deletingLastPathComponent().path
        for name in ["mlgymd", "mlgymctl", "mlgymctl-full", "mlgym-init"] {
            #expect(try CommandResult.run("/bin/cp", [build + "/" + name, root + "/" + name]).status == 0)
        }
        #expect(try CommandResult.run("/bin/cp", ["-r", MLGymCtlProcess.packageRoot.appendingPathComponent("tasks").path, root + "/tasks"]).status == 0)
        let work = root + "/work"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: false)
        try FileManager.default.copyItem(atPath: root + "/tasks/demos/baseline-as-is.traj", toPath: work + "/as-is.traj")
        try Data("""
            name: rootless
            tasks: [prisonersDilemma]
            models: [{name: as-is, spec: 'replay:as-is.traj'}]
            limits: {steps: 10}
            resources: {memory: 2G, cpus: 1}
            results: results
            """.utf8).write(to: URL(fileURLWithPath: work + "/campaign.yaml"))
        #expect(try CommandResult.run("/bin/chown", ["-R", "\(user.uid):\(user.gid)", work]).status == 0)

        let result = try CommandResult.run(
            "/usr/bin/setpriv",
            ["--reuid=\(user.uid)", "--regid=\(user.gid)", "--clear-groups", "--inh-caps=-all", "--",
             root + "/mlgymctl", "campaign", "element", work + "/campaign.yaml", "--index", "0", "--daemon", "private",
             "--mlgymd-arg=--tasks-dir=\(root)/tasks"],
            environment: ["HOME": work, "PATH": "/usr/bin:/bin", "MLGYM_SOCKET": work + "/no-system-daemon.sock"])
        #expect(result.status == 0, "\(result.output)\n\(result.errorOutput)")
        let bundle = work + "/results/prisonersDilemma+as-is+seed0"
        let manifest = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: bundle + "/manifest.json"))) as? [String: Any])
        #expect(manifest["state"] as? String == "finished" && manifest["exitStatus"] as? String == "submitted")
        #expect(manifest["daemon"] as? String == "private")
        let record = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: bundle + "/record.json"))) as? [String: Any])
        let evaluations = try #require(record["evaluations"] as? [[String: Any]])
        #expect((evaluations.last?["metrics"] as? [String: Double])?["Score"] == 2.37491)
        // It ran rootless: the daemon said so, and the files it left are the user's.
        let log = try String(contentsOfFile: bundle + "/mlgymd.log", encoding: .utf8)
        #expect(log.contains("not delegated to uid \(user.uid)"), "\(log)")
        #expect(log.contains("one asked for is an rlimit (RLIMIT_AS)"), "the session's 2G is enforced as an rlimit: \(log)")
        var info = stat()
        #expect(stat(bundle + "/record.json", &info) == 0 && info.st_uid == user.uid)
    }

    /// The test user (the one the sandbox's rootless tests use), created if missing.
    static func user() throws -> (uid: UInt32, gid: UInt32) {
        if getpwnam(userName) == nil {
            _ = try CommandResult.run("/usr/sbin/useradd", ["--create-home", userName])
        }
        let entry = try #require(getpwnam(userName), "useradd \(userName) failed")
        return (entry.pointee.pw_uid, entry.pointee.pw_gid)
    }
}
