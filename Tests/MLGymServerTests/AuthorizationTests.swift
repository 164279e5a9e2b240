import Foundation
import Glibc
import MLGymAPI
import MLGymClient
import MLGymTestSupport
import Testing

/// Who may do what, decided by SO_PEERCRED: root everything; other members of the socket's group only their own
/// sessions; everyone else cannot connect.
@Suite(.serialized) struct AuthorizationTests {
    static let alice: uid_t = 61001
    static let bob: uid_t = 61002
    static let mallory: uid_t = 61003

    @Test func aSessionBelongsToTheUIDThatStartedIt() throws {
        _ = try OtherUser.clientGroup()
        let daemon = try DaemonProcess(extraArguments: ["--max-sessions-per-user", "1"], socketGroup: OtherUser.groupName)
        defer { daemon.finish() }
        var info = stat()
        stat(daemon.socketPath, &info)
        #expect(info.st_mode & 0o777 == 0o660)
        #expect(info.st_gid == (try OtherUser.clientGroup()))

        let started = try OtherUser.ctl(daemon, uid: Self.alice, inGroup: true, ["start", "--name", "alices"])
        #expect(started.status == 0, "\(started.errorOutput)")
        let id = started.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try daemon.client.session(id).owner == Self.alice)
        // A non-root owner's agent runs as the owner: an agent that escaped could do no more than they can.
        let whoami = try OtherUser.ctl(daemon, uid: Self.alice, inGroup: true, ["exec", id, "--", "id", "-u"])
        #expect(whoami.output == "\(Self.alice)\n")
        let tooBig = try OtherUser.ctl(daemon, uid: Self.bob, inGroup: true, ["start", "--memory", "100T"])
        #expect(tooBig.errorOutput.contains("more than this host has"), "\(tooBig.errorOutput)")

        // Bob is in the group but it is not his session: 403 for every verb, and his list is empty.
        for verb in [["status", id], ["exec", id, "--", "true"], ["logs", id], ["stop", id], ["rm", "--force", id], ["attach", id]] {
            let denied = try OtherUser.ctl(daemon, uid: Self.bob, inGroup: true, verb)
            #expect(denied.status != 0, "bob ran \(verb)")
            #expect(denied.errorOutput.contains("belongs to uid \(Self.alice)"), "\(verb): \(denied.errorOutput)")
        }
        let bobsRaw = try OtherUser.ctl(daemon, uid: Self.bob, inGroup: true, ["ls", "-q"])
        #expect(bobsRaw.status == 0)
        #expect(bobsRaw.output.isEmpty)
        // Root sees and may act on it.
        #expect(try daemon.client.sessions().map(\.id) == [id])

        // A quota per uid: alice's second session is refused while the first runs (root has none).
        let second = try OtherUser.ctl(daemon, uid: Self.alice, inGroup: true, ["start"])
        #expect(second.status != 0)
        #expect(second.errorOutput.contains("1"), "\(second.errorOutput)")
        // Bob may not bind a directory that is not his as a workspace.
        let notHis = try OtherUser.ctl(daemon, uid: Self.bob, inGroup: true, ["start", "--workspace", daemon.directory])
        #expect(notHis.errorOutput.contains("is not a directory of yours"), "\(notHis.errorOutput)")
        // Nor reach one through a symlink of his own.
        let privateDirectory = daemon.directory + "/root-only"
        mkdir(privateDirectory, 0o700)
        let link = daemon.directory + "/bobs-link"
        symlink(privateDirectory, link)
        lchown(link, Self.bob, Self.bob)
        let throughLink = try OtherUser.ctl(daemon, uid: Self.bob, inGroup: true, ["start", "--workspace", link])
        #expect(throughLink.status != 0)
        #expect(throughLink.errorOutput.contains("is not a directory of yours"), "\(throughLink.errorOutput)")
        // His own directory works, and his agent (running as him) can write it.
        let bobsDirectory = daemon.directory + "/bobs"
        mkdir(bobsDirectory, 0o700)
        chown(bobsDirectory, Self.bob, Self.bob)
        let own = try OtherUser.ctl(daemon, uid: Self.bob, inGroup: true, ["start", "--workspace", bobsDirectory])
        #expect(own.status == 0, "\(own.errorOutput)")
        let bobsSession = own.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let wrote = try OtherUser.ctl(daemon, uid: Self.bob, inGroup: true, ["exec", bobsSession, "--", "echo hi > ~/workspace/note && cat ~/workspace/note"])
        #expect(wrote.output == "hi\n", "\(wrote.errorOutput)")
        var noteInfo = stat()
        #expect(stat(bobsDirectory + "/note", &noteInfo) == 0 && noteInfo.st_uid == Self.bob)

        // Outside the group the socket itself refuses the connection.
        let outsider = try OtherUser.ctl(daemon, uid: Self.mallory, inGroup: false, ["ls"])
        #expect(outsider.status != 0)
        #expect(outsider.errorOutput.contains("permission denied"), "\(outsider.errorOutput)")
    }

    @Test func oneUIDCannotHoldMoreThanItsShareOfConnections() throws {
        _ = try OtherUser.clientGroup()
        let daemon = try DaemonProcess(socketGroup: OtherUser.groupName)
        defer { daemon.finish() }
        // 80 connections held open at once, one request on each: the daemon serves 64 and closes the rest.
        let script = """
            import os, socket
            held = []
            for _ in range(80):
                s = socket.socket(socket.AF_UNIX); s.settimeout(10); s.connect(os.environ["MLGYM_SOCKET"]); held.append(s)
            answered = 0
            for s in held:
                try:
                    s.sendall(b"GET /v1/info HTTP/1.1\\r\\nHost: mlgymd\\r\\n\\r\\n")
                    if s.recv(65536).startswith(b"HTTP/1.1 200"): answered += 1
                except OSError:
                    pass
            print(answered)
            """
        let result = try OtherUser.run(daemon, uid: Self.alice, inGroup: true, "/usr/bin/python3", ["-c", script])
        #expect(result.output == "64\n", "\(result.output) \(result.errorOutput)")
        // Root is not limited, and the daemon still answers everyone once those are gone.
        #expect(try daemon.client.info().pid == daemon.pid)
        let after = try OtherUser.ctl(daemon, uid: Self.alice, inGroup: true, ["ls", "-q"])
        #expect(after.status == 0, "\(after.errorOutput)")
    }
}
