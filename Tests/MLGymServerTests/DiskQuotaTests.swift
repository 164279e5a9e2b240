import Foundation
import Glibc
import MLGymAPI
import MLGymClient
import MLGymTestSupport
import Testing

/// Every session's writable storage is a volume of its own size: an agent that writes without end fills its
/// quota, never the host, and the daemon goes on.
@Suite(.serialized) struct DiskQuotaTests {
    @Test func aSessionWithoutADiskLimitGetsTheDefaultQuotaAndFillsOnlyThat() throws {
        let daemon = try DaemonProcess(extraArguments: ["--default-disk", "64M"])
        defer { daemon.finish() }
        let id = try daemon.client.createSession(SessionSpec()).id
        // df inside shows the quota, not the host's disk.
        let size = try daemon.client.exec(id, ExecRequest(command: "df -B1M --output=size ~/workspace | tail -1")).output ?? ""
        let megabytes = Int(size.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        #expect((40...64).contains(megabytes), "df shows \(size)")
        let fill = try daemon.client.exec(id, ExecRequest(command: "dd if=/dev/zero of=~/workspace/fill bs=1M count=200 2>&1; echo status=$?"))
        #expect(fill.output?.contains("No space left on device") == true, "\(fill.output ?? "")")
        #expect(fill.output?.contains("status=1") == true)
        // The daemon, its store and other sessions are untouched.
        #expect(try daemon.client.exec(id, ExecRequest(command: "echo still")).output == "still\n")
        let other = try daemon.client.createSession(SessionSpec()).id
        #expect(try daemon.client.exec(other, ExecRequest(command: "echo other")).output == "other\n")
        #expect(try daemon.client.logs(id).execs.count == 3)
        // An explicit size still wins over the default.
        let bigger = try daemon.client.createSession(SessionSpec(disk: "128M")).id
        let biggerSize = try daemon.client.exec(bigger, ExecRequest(command: "df -B1M --output=size ~/workspace | tail -1")).output ?? ""
        #expect((Int(biggerSize.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 64, "\(biggerSize)")
        // rm gives the volume back: no image, no mount, no loop device.
        _ = try daemon.ctl(["rm", "--force", id])
        #expect(!FileManager.default.fileExists(atPath: daemon.stateDirectory + "/sandboxes/\(id)"))
        let mounts = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        #expect(!mounts.contains("/sandboxes/\(id)/"))
    }

    @Test func anEvaluationsCopyCountsAgainstTheSessionsQuota() throws {
        let root = try TaskSessionTests.csvTaskRoot()
        defer { root.remove() }
        let daemon = try DaemonProcess(extraArguments: ["--tasks-dir", root.path, "--default-disk", "64M"])
        defer { daemon.finish() }
        let id = try daemon.client.createSession(SessionSpec(task: "letters")).id
        // 40 MB in the workspace: a second copy does not fit in 64 MB.
        _ = try daemon.client.exec(id, ExecRequest(command: "head -c 40000000 /dev/urandom > weights.bin; printf 'id,letter\\n0,a\\n' > submission.csv"))
        let full = try daemon.ctl(["validate", id, "--json"])
        let refused = try WireCoding.decoder().decode(EvaluationInfo.self, from: Data(full.output.utf8))
        #expect(refused.status == "error", "\(refused)")
        #expect(refused.message?.contains("No space left on device") == true, "\(refused.message ?? "")")
        #expect(!FileManager.default.fileExists(atPath: daemon.stateDirectory + "/evaluations"), "a copy on the state directory's disk")
        // With room again the same session validates, and the copy is gone afterwards.
        _ = try daemon.client.exec(id, ExecRequest(command: "rm weights.bin"))
        let fine = try daemon.ctl(["validate", id, "--json"])
        let scored = try WireCoding.decoder().decode(EvaluationInfo.self, from: Data(fine.output.utf8))
        #expect(scored.status == "succeeded", "\(scored)")
        let scratch = daemon.stateDirectory + "/sandboxes/\(id)/volume/scratch"
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: scratch)) ?? []).isEmpty)
    }

    @Test func aTaskThatDeclaresItsDiskGetsItUnlessTheSessionAsks() throws {
        let root = try TaskSessionTests.csvTaskRoot()
        defer { root.remove() }
        let file = root.path + "/configs/tasks/letters.yaml"
        try (try String(contentsOfFile: file, encoding: .utf8) + "\ndisk: 96M\n").write(toFile: file, atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(extraArguments: ["--tasks-dir", root.path, "--default-disk", "32M"])
        defer { daemon.finish() }
        func size(_ spec: SessionSpec) throws -> Int {
            let id = try daemon.client.createSession(spec).id
            let output = try daemon.client.exec(id, ExecRequest(command: "df -B1M --output=size ~/workspace | tail -1")).output ?? ""
            return Int(output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        }
        #expect((70...96).contains(try size(SessionSpec(task: "letters"))), "the task's 96M")
        #expect((10...32).contains(try size(SessionSpec())), "the default 32M")
        #expect((40...64).contains(try size(SessionSpec(task: "letters", disk: "64M"))), "the session's own 64M")
    }

    /// The state directory on a small file system of its own that another program fills: the daemon answers
    /// with errors that say so, stays up, and works again once there is room.
    @Test func aFullStateDirectoryGivesClearErrorsAndTheDaemonRecovers() throws {
        var template = Array("/tmp/mlgym-small-XXXXXX".utf8CString)
        let base = String(cString: try #require(mkdtemp(&template)))
        defer { try? FileManager.default.removeItem(atPath: base) }
        let image = base + "/state.img", mountPoint = base + "/state"
        mkdir(mountPoint, 0o700)
        #expect(try CommandResult.run("/usr/bin/truncate", ["-s", "96M", image]).status == 0)
        #expect(try CommandResult.run("/sbin/mkfs.ext4", ["-q", "-F", "-m", "0", image]).status == 0)
        let mounted = try CommandResult.run("/bin/mount", ["-o", "loop", image, mountPoint])
        try #require(mounted.status == 0, "\(mounted.errorOutput)")
        defer { _ = try? CommandResult.run("/bin/umount", ["-l", mountPoint]) }
        let daemon = try DaemonProcess(extraArguments: ["--state-dir", mountPoint + "/mlgym", "--default-disk", "16M"])
        defer { daemon.finish() }
        let id = try daemon.client.createSession(SessionSpec()).id
        _ = try daemon.client.exec(id, ExecRequest(command: "echo before"))

        // Someone else fills the disk.
        _ = try CommandResult.run("/usr/bin/fallocate", ["-l", "200M", mountPoint + "/filler"])
        _ = try CommandResult.run("/bin/dd", ["if=/dev/zero", "of=" + mountPoint + "/filler2", "bs=1M", "count=200"])
        let refused = try RawHTTP.request("POST", "/v1/sessions", body: "{}", to: daemon.socketPath)
        #expect(refused.status >= 400, "\(refused.body)")
        #expect(refused.body.contains("no space left for a session volume"), "\(refused.status) \(refused.body)")
        #expect(try daemon.client.info().pid == daemon.pid, "the daemon went down")
        // Reads still work.
        #expect(try daemon.client.logs(id).execs.map(\.output).first == "before\n")

        // Room again: everything works as before.
        unlink(mountPoint + "/filler")
        unlink(mountPoint + "/filler2")
        let again = try daemon.client.createSession(SessionSpec()).id
        #expect(try daemon.client.exec(again, ExecRequest(command: "echo after")).output == "after\n")
        #expect(try daemon.client.logs(again).execs.count == 1)
        #expect(try daemon.ctl(["rm", "--force", id, again]).status == 0)
    }
}
