import Foundation
import Glibc
import MLGymAPI
import MLGymClient
import MLGymTestSupport
import Testing

/// A stop answers once nothing of the session runs; its storage is removed right after, in the background, and
/// `rm` and the daemon's shutdown wait for that removal.
@Suite(.serialized) struct StopTests {
    @Test func aStopAnswersWithEveryProcessGoneAndTheStorageFollows() throws {
        let cgroupParent = "mlgym-stop-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let daemon = try DaemonProcess(extraArguments: ["--default-disk", "64M", "--cgroup-parent", cgroupParent])
        defer {
            daemon.finish()
            HostLeftovers.removeCgroupParent(cgroupParent)
        }
        var ids: [String] = []
        for _ in 0..<3 {
            let session = try daemon.client.createSession(SessionSpec())
            _ = try daemon.client.exec(session.id, ExecRequest(command: "sleep 617 & echo started"))
            let pid = try #require(session.initPID)
            let stopped = try daemon.client.stopSession(session.id)
            #expect(stopped.state == "stopped")
            // At the answer, init and everything under it (the background sleep) are gone: no agent code runs.
            #expect(kill(pid, 0) != 0, "init \(pid) still exists after the stop answered")
            let sleepers = try CommandResult.run("/usr/bin/pgrep", ["-f", "^sleep 617$"]).output
            #expect(sleepers.isEmpty, "sleep still runs: \(sleepers)")
            ids.append(session.id)
        }
        // The storage goes shortly after; the daemon says how many removals are still running.
        for _ in 0..<600 {
            if try daemon.client.info().removalsInProgress == 0 { break }
            usleep(50_000)
        }
        #expect(try daemon.client.info().removalsInProgress == 0)
        for id in ids {
            #expect(!FileManager.default.fileExists(atPath: daemon.stateDirectory + "/sandboxes/\(id)"), "\(id)'s volume is still there")
        }
        let leftovers = HostLeftovers.of(daemon, cgroupParent: cgroupParent)
        #expect(leftovers.isEmpty, "\(leftovers)")
    }
}
