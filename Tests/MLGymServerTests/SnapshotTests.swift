import Foundation
import Glibc
import MLGymAPI
import MLGymClient
import MLGymCore
import MLGymTestSupport
import Testing

/// Snapshots, forks and restores: a fork shares no writable state with its parent or its snapshot, a restore
/// rolls a session back (and leaves its task's data mounted), snapshots count against their owner's quota, are
/// invisible to other users, and a crash leaves nothing behind.
@Suite(.serialized) struct SnapshotTests {
    static func output(_ daemon: DaemonProcess, _ id: String, _ command: String) throws -> String {
        try daemon.client.exec(id, ExecRequest(command: command)).output ?? ""
    }

    @Test func aForkSharesNoWritableStateWithItsParentOrTheSnapshot() throws {
        let daemon = try DaemonProcess(extraArguments: ["--default-disk", "96M"])
        defer { daemon.finish() }
        let parent = try daemon.client.createSession(SessionSpec(name: "parent")).id
        // Odd files on purpose: a link out of the sandbox, a FIFO, a file only the agent may read, a dotfile in
        // the home; and shell state: a directory and exported variables (one with a newline).
        _ = try Self.output(daemon, parent, """
            mkdir -p src && echo v1 > src/a.txt && head -c 300000 /dev/urandom > blob.bin && ln -s /etc/shadow link && \
            mkfifo pipe && echo secret > private.txt && chmod 600 private.txt && echo remembered > ~/.note
            """)
        _ = try Self.output(daemon, parent, "cd src && export LEARNING_RATE=0.01 && export TWO_LINES=$'a\\nb'")
        let digest = try Self.output(daemon, parent, "sha256sum ../blob.bin | cut -c1-64")

        let taken = try daemon.ctl(["snapshot", parent, "--name", "first", "--json"])
        #expect(taken.status == 0, "\(taken.errorOutput)")
        let snapshot = try WireCoding.decoder().decode(SnapshotInfo.self, from: Data(taken.output.utf8))
        #expect(snapshot.reference == "\(parent)@1")
        #expect(snapshot.frozen, "this host has a cgroup freezer")
        #expect(snapshot.workingDirectory == "/home/agent/workspace/src")
        #expect(snapshot.variables.contains("LEARNING_RATE") && snapshot.variables.contains("TWO_LINES"))
        #expect(!snapshot.variables.contains { $0.hasPrefix("MLGYM_") })
        #expect(!snapshot.variables.contains("PATH"), "a variable the agent left as it started is not carried: \(snapshot.variables)")

        // The parent moves on after the snapshot.
        _ = try Self.output(daemon, parent, "echo v2 > a.txt && rm ../blob.bin && echo later > ../later.txt")

        let forked = try daemon.ctl(["fork", parent + "@first", "--name", "child"])
        #expect(forked.status == 0, "\(forked.errorOutput)")
        let child = forked.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try daemon.client.session(child).reason == "forked from \(parent)@1")
        // The snapshot's state, and the shell's directory and variables.
        #expect(try Self.output(daemon, child, "pwd") == "/home/agent/workspace/src\n")
        #expect(try Self.output(daemon, child, "echo \"$LEARNING_RATE|$TWO_LINES\"") == "0.01|a\nb\n")
        #expect(try Self.output(daemon, child, "cat a.txt") == "v1\n")
        #expect(try Self.output(daemon, child, "sha256sum ../blob.bin | cut -c1-64") == digest)
        #expect(try Self.output(daemon, child, "cat ~/.note") == "remembered\n")
        #expect(try Self.output(daemon, child, "test -p ../pipe && readlink ../link") == "/etc/shadow\n")
        #expect(try Self.output(daemon, child, "test -e ../later.txt || echo absent") == "absent\n")
        // Owned by the fork's own agent, with their modes: it may read and write them.
        #expect(try Self.output(daemon, child, "stat -c '%a %U' ../private.txt && cat ../private.txt") == "600 agent\nsecret\n")
        #expect(try Self.output(daemon, child, "echo fork > a.txt && echo new > ../fork-only.txt && cat a.txt") == "fork\n")

        // Writes in the fork reach neither the parent nor the snapshot.
        #expect(try Self.output(daemon, parent, "cat a.txt; test -e ../fork-only.txt || echo absent") == "v2\nabsent\n")
        let again = try daemon.client.fork(parent + "@1")
        #expect(try Self.output(daemon, again.id, "cat a.txt; test -e ../fork-only.txt || echo absent") == "v1\nabsent\n")

        // A restore rolls the parent back: files, the home, the directory.
        _ = try Self.output(daemon, parent, "cd / && export LEARNING_RATE=9")
        let restored = try daemon.ctl(["restore", parent + "@first"])
        #expect(restored.status == 0, "\(restored.errorOutput)")
        #expect(try Self.output(daemon, parent, "pwd; cat a.txt; echo $LEARNING_RATE") == "/home/agent/workspace/src\nv1\n0.01\n")
        #expect(try Self.output(daemon, parent, "sha256sum ../blob.bin | cut -c1-64; test -e ../later.txt || echo gone") == digest + "gone\n")

        // A fork of the live session takes a snapshot of it first.
        let live = try daemon.client.fork(parent)
        #expect(try Self.output(daemon, live.id, "cat a.txt") == "v1\n")
        let list = try daemon.client.snapshots(parent)
        #expect(list.snapshots.map(\.trigger) == ["manual", "fork"])
        #expect(list.ownerUsedBytes > 0)

        // rm ID@N removes a snapshot; rm of the session removes the rest, files included.
        let store = daemon.stateDirectory + "/snapshots"
        func kept() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: store).filter { $0 != "objects" } }
        #expect(try kept().count == 2)
        let removed = try daemon.ctl(["rm", parent + "@first"])
        #expect(removed.status == 0, "\(removed.errorOutput)")
        #expect(try daemon.client.snapshots(parent).snapshots.map(\.number) == [2])
        #expect(try kept().count == 1)
        // The objects the two snapshots shared stayed for the one that is left.
        let fromSecond = try daemon.client.fork(parent + "@2")
        #expect(try Self.output(daemon, fromSecond.id, "cat a.txt; sha256sum ../blob.bin | cut -c1-64") == "v1\n" + digest)
        _ = try daemon.ctl(["rm", "--force", parent])
        #expect(try kept().isEmpty)
        let objects = try FileManager.default.subpathsOfDirectory(atPath: store + "/objects").filter { $0.count > 3 }
        #expect(objects.isEmpty, "objects no snapshot links: \(objects.prefix(3))")
    }

    /// With the state directory on xfs (reflinks), a snapshot is a clone of the whole volume image, a fork mounts
    /// a clone of that, and both still share nothing writable.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/sbin/mkfs.xfs") || FileManager.default.isExecutableFile(atPath: "/sbin/mkfs.xfs"), "needs xfsprogs"))
    func onXFSASnapshotIsAReflinkOfTheWholeVolume() throws {
        let image = "/var/tmp/mlgym-xfs-\(getpid()).img"
        var mountPoint = ""
        let daemon = try DaemonProcess(extraArguments: ["--default-disk", "64M"]) { directory in
            mountPoint = directory + "/state"
            try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
            let made = try CommandResult.run("/bin/sh", ["-c", "truncate -s 2G \(image) && mkfs.xfs -q -m reflink=1 \(image) && mount -o loop \(image) \(mountPoint)"])
            guard made.status == 0 else { throw TestFailure("cannot make an xfs state directory: \(made.errorOutput)") }
        }
        defer {
            daemon.terminate()
            _ = try? CommandResult.run("/bin/umount", ["-l", mountPoint])
            unlink(image)
            daemon.finish()
        }
        let parent = try daemon.client.createSession(SessionSpec()).id
        _ = try Self.output(daemon, parent, "head -c 5000000 /dev/urandom > weights.bin && echo v1 > notes.txt && echo home > ~/.rc && export STEP=1")
        let digest = try Self.output(daemon, parent, "sha256sum weights.bin | cut -c1-64")
        let snapshot = try daemon.client.snapshot(parent)
        #expect(snapshot.kind == "image", "\(snapshot)")
        #expect(snapshot.frozen)
        _ = try Self.output(daemon, parent, "echo v2 > notes.txt && rm weights.bin")
        let child = try daemon.client.fork(parent + "@1")
        #expect(try Self.output(daemon, child.id, "cat notes.txt ~/.rc; echo $STEP; sha256sum weights.bin | cut -c1-64") == "v1\nhome\n1\n" + digest)
        #expect(try Self.output(daemon, child.id, "stat -c %U notes.txt ~/.rc && echo fork > notes.txt && cat notes.txt") == "agent\nagent\nfork\n")
        // The parent's files are the fork's agent's through an idmapped mount, not by rewriting each owner.
        let mounts = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        let forkVolume = mounts.split(separator: "\n").first { $0.contains("/sandboxes/\(child.id)/volume ") }
        #expect(forkVolume?.contains("idmapped") == true, "\(forkVolume ?? "no mount")")
        // A fork of the fork (from an image snapshot of it) still gives the files to its own agent.
        let grandchild = try daemon.client.fork(child.id)
        #expect(try Self.output(daemon, grandchild.id, "stat -c %U notes.txt && cat notes.txt && echo more >> notes.txt") == "agent\nfork\n")
        #expect(try Self.output(daemon, child.id, "cat notes.txt") == "fork\n")
        #expect(try Self.output(daemon, parent, "cat notes.txt") == "v2\n")
        let restored = try daemon.client.restore(parent + "@1")
        #expect(restored.bytes > 5_000_000)
        #expect(try Self.output(daemon, parent, "cat notes.txt; sha256sum weights.bin | cut -c1-64") == "v1\n" + digest)
        // The snapshot was not changed by the fork's writes or the restore.
        let second = try daemon.client.fork(parent + "@1")
        #expect(try Self.output(daemon, second.id, "cat notes.txt") == "v1\n")
        _ = try daemon.ctl(["rm", "--force", parent, child.id])
        let left = try FileManager.default.contentsOfDirectory(atPath: daemon.stateDirectory + "/snapshots").filter { $0 != "objects" }
        #expect(left.isEmpty, "\(left)")
    }

    @Test func aRestoreLeavesTheTasksDataMountedAndValidateSnapshotsFeedForkAtBest() throws {
        let root = try TaskSessionTests.csvTaskRoot()
        defer { root.remove() }
        let daemon = try DaemonProcess(extraArguments: ["--tasks-dir", root.path, "--default-disk", "64M"])
        defer { daemon.finish() }
        let id = try daemon.client.createSession(SessionSpec(task: "letters")).id
        #expect(try Self.output(daemon, id, "head -2 data/test.csv") == "id\n0\n")
        _ = try Self.output(daemon, id, "printf 'id,letter\\n' > submission.csv; for i in 0 1 2 3 4 5 6 7 8 9; do echo $i,a >> submission.csv; done")
        _ = try daemon.client.snapshot(id, name: "one-right")
        _ = try Self.output(daemon, id, "rm -f submission.csv; mkdir -p data-notes; echo x > data-notes/n")
        let restored = try daemon.client.restore(id + "@one-right")
        #expect(restored.bytes > 0)
        // The task's data is still bound in the workspace (its mount point stayed), the submission is back.
        #expect(try Self.output(daemon, id, "head -2 data/test.csv; wc -l < submission.csv; test -e data-notes || echo gone") == "id\n0\n11\ngone\n")
        let fork = try daemon.client.fork(id + "@one-right")
        #expect(try Self.output(daemon, fork.id, "head -2 data/test.csv; wc -l < submission.csv") == "id\n0\n11\n")
        let validated = try daemon.client.evaluate(fork.id, kind: "validate")
        #expect(validated.status == "succeeded", "\(validated)")
    }

    @Test func snapshotsCountAgainstTheirOwnersQuotaAndACrashLeavesNothing() throws {
        let daemon = try DaemonProcess(extraArguments: ["--default-disk", "64M", "--snapshot-quota", "1M"])
        defer { daemon.finish() }
        let id = try daemon.client.createSession(SessionSpec()).id
        _ = try Self.output(daemon, id, "head -c 2000000 /dev/urandom > weights.bin")
        #expect(throws: MLGymError.self) { try daemon.client.snapshot(id) }
        do {
            _ = try daemon.client.snapshot(id)
        } catch {
            #expect(error.message.contains("snapshot quota") || error.message.contains("would use"), "\(error.message)")
        }
        #expect(try daemon.client.snapshots(id).snapshots.isEmpty)
        _ = try Self.output(daemon, id, "rm weights.bin; echo small > small.txt")
        let small = try daemon.client.snapshot(id)
        #expect(small.number == 1 && small.bytes < 1 << 20)
        // Names are checked, and unique in the session.
        #expect(throws: MLGymError.self) { try daemon.client.snapshot(id, name: "12") }
        _ = try daemon.client.snapshot(id, name: "kept")
        #expect(throws: MLGymError.self) { try daemon.client.snapshot(id, name: "kept") }

        // A daemon killed mid-capture leaves work in progress; the next one removes it, and keeps the rest.
        let store = daemon.stateDirectory + "/snapshots"
        try FileManager.default.createDirectory(atPath: store + "/.incoming-deadbeef0000/tree", withIntermediateDirectories: true)
        try Data("half a copy".utf8).write(to: URL(fileURLWithPath: store + "/objects/.incoming-deadbeef0001"))
        daemon.killHard()
        try daemon.start()
        #expect(!FileManager.default.fileExists(atPath: store + "/.incoming-deadbeef0000"))
        #expect(!FileManager.default.fileExists(atPath: store + "/objects/.incoming-deadbeef0001"), "a half-made object copy")
        let after = try daemon.client.snapshots(id)
        #expect(after.snapshots.map(\.name) == [nil, "kept"])
        // The session is lost with the daemon; its snapshots still fork.
        let fork = try daemon.client.fork(id + "@kept")
        #expect(try Self.output(daemon, fork.id, "cat small.txt") == "small\n")
    }

    @Test func anotherUsersSnapshotsAreInvisible() throws {
        _ = try OtherUser.clientGroup()
        let daemon = try DaemonProcess(extraArguments: ["--default-disk", "64M"], socketGroup: OtherUser.groupName)
        defer { daemon.finish() }
        let alice: uid_t = 61001, bob: uid_t = 61002
        let started = try OtherUser.ctl(daemon, uid: alice, inGroup: true, ["start", "--name", "alices"])
        let id = started.output.trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try Self.output(daemon, id, "echo hers > mine.txt")
        let taken = try OtherUser.ctl(daemon, uid: alice, inGroup: true, ["snapshot", id])
        #expect(taken.status == 0, "\(taken.errorOutput)")
        for arguments in [["snapshots", id], ["fork", id + "@1"], ["restore", id + "@1"], ["rm", id + "@1"], ["snapshot", id]] {
            let refused = try OtherUser.ctl(daemon, uid: bob, inGroup: true, arguments)
            #expect(refused.status != 0, "bob ran \(arguments): \(refused.output)")
            #expect(!refused.output.contains("@1"), "\(refused.output)")
        }
        // Her own fork works, and runs as her.
        let fork = try OtherUser.ctl(daemon, uid: alice, inGroup: true, ["fork", id + "@1"])
        #expect(fork.status == 0, "\(fork.errorOutput)")
        let forkID = fork.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let read = try OtherUser.ctl(daemon, uid: alice, inGroup: true, ["exec", forkID, "--", "cat", "mine.txt"])
        #expect(read.output == "hers\n", "\(read.output) \(read.errorOutput)")
        #expect(try Self.output(daemon, forkID, "id -u") == "\(alice)\n")
        #expect(try daemon.client.snapshots(id).snapshots.count == 1, "root sees every snapshot")
    }
}
