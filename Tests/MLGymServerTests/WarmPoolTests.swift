import Foundation
import Glibc
import MLGymAPI
import MLGymClient
import MLGymTestSupport
import Testing

/// `mlgymd --warm-pool N`: sandboxes built ahead serve bare sessions, get each session's own limits, carry
/// nothing of one session into the next, and leave nothing behind when the daemon stops.
@Suite(.serialized) struct WarmPoolTests {
    /// Waits (up to a minute: building a sandbox on a busy 2-core machine) until `count` sandboxes are warm.
    static func waitForWarm(_ daemon: DaemonProcess, count: Int) throws {
        for _ in 0..<1200 {
            if let warm = try daemon.client.info().warmSandboxes, warm >= count { return }
            usleep(50_000)
        }
        throw TestFailure("the pool did not reach \(count) warm sandboxes: \(daemon.log)")
    }

    /// The value of a cgroup v1 control file of the sandbox whose init is `pid`, read on the host.
    static func cgroupValue(_ file: String, controller: String, initPID: Int32) -> String? {
        guard let lines = try? String(contentsOfFile: "/proc/\(initPID)/cgroup", encoding: .utf8) else { return nil }
        for line in lines.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2).map(String.init)
            guard fields.count == 3, fields[1].split(separator: ",").contains(Substring(controller)) else { continue }
            let path = "/sys/fs/cgroup/\(fields[1])\(fields[2])/\(file)"
            return (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return nil
    }

    @Test func aWarmSandboxGetsTheSessionsLimitsAndNothingOfTheSessionBefore() throws {
        let cgroupParent = "mlgym-warm-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let daemon = try DaemonProcess(extraArguments: ["--warm-pool", "1", "--default-disk", "64M", "--cgroup-parent", cgroupParent])
        defer {
            daemon.finish()
            HostLeftovers.removeCgroupParent(cgroupParent)
        }
        try Self.waitForWarm(daemon, count: 1)

        let first = try daemon.client.createSession(SessionSpec(memory: "256M", pids: 64))
        #expect(first.warm == true, "the first start was not served by the pool")
        let firstPID = try #require(first.initPID)
        // The session's limits, not the pool's none, are in force: on the host's cgroup files and inside.
        #expect(Self.cgroupValue("pids.max", controller: "pids", initPID: firstPID) == "64")
        #expect(Self.cgroupValue("memory.limit_in_bytes", controller: "memory", initPID: firstPID) == String(256 << 20))
        let oom = try daemon.client.exec(first.id, ExecRequest(command: "python3 -c 'x = bytearray(600 << 20)' 2>/dev/null; echo status=$?"))
        #expect(oom.output?.contains("status=137") == true, "600 MB in a 256 MB session: \(oom.output ?? "")")
        // Leave traces everywhere a session can write: the workspace, /tmp, home, the shell's variables.
        _ = try daemon.client.exec(first.id, ExecRequest(command: "echo left > ~/workspace/trace; echo left > /tmp/trace; echo left > ~/trace; export TRACE=left; cd /tmp"))
        _ = try daemon.client.stopSession(first.id)

        try Self.waitForWarm(daemon, count: 1)
        let second = try daemon.client.createSession(SessionSpec())
        #expect(second.warm == true)
        #expect(second.id != first.id)
        let look = try daemon.client.exec(second.id, ExecRequest(command: "ls -A ~/workspace /tmp ~ | grep -c trace; echo \"[$TRACE] $(pwd)\"; ps -e -o comm= | sort | tr '\\n' ' '"))
        let lines = (look.output ?? "").split(separator: "\n").map(String.init)
        #expect(lines.first == "0", "a trace of the first session: \(look.output ?? "")")
        #expect(lines.dropFirst().first == "[] /home/agent/workspace", "\(look.output ?? "")")
        #expect(lines.last?.contains("python3") == false, "\(look.output ?? "")")
        // The second session has the daemon's default limits, not the first one's.
        #expect(Self.cgroupValue("pids.max", controller: "pids", initPID: try #require(second.initPID)) == "1024")

        // Another shape (its own disk size) is built cold once, then kept warm too.
        let cold = try daemon.client.createSession(SessionSpec(disk: "32M"))
        #expect(cold.warm != true)
        try Self.waitForWarm(daemon, count: 2)
        let warmAgain = try daemon.client.createSession(SessionSpec(disk: "32M"))
        #expect(warmAgain.warm == true)
        let size = try daemon.client.exec(warmAgain.id, ExecRequest(command: "df -B1M --output=size ~/workspace | tail -1")).output ?? ""
        #expect((10...32).contains(Int(size.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0), "df shows \(size)")

        // A stopped daemon stops its warm sandboxes with its sessions: nothing is left on the host.
        #expect(daemon.terminate() == 0)
        let leftovers = HostLeftovers.of(daemon, cgroupParent: cgroupParent)
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    @Test func aWarmPoolSizeOutOfRangeIsRefused() throws {
        let refused = try CommandResult.run(try DaemonProcess.binary("mlgymd"), ["--warm-pool", "65"])
        #expect(refused.status != 0)
        #expect(refused.errorOutput.contains("--warm-pool must be between 0 and 64"), "\(refused.errorOutput)")
    }
}
