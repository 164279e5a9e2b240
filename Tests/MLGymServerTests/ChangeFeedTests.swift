import Foundation
import Glibc
import MLGymAPI
import MLGymTestSupport
import Synchronization
import Testing

@testable import MLGymClient
@testable import MLGymServer

/// `GET /v1/events`: followers are told of their own sessions' and runs' changes as they happen (root: of
/// everyone's), and a follower that does not read costs the daemon a bounded queue, not memory without end.
@Suite(.serialized) struct ChangeFeedTests {
    static let owner = PeerCredentials(pid: 1, uid: 61001, gid: 61001)

    @Test func aFollowerSeesOnlyWhatItMayAndWhatItNamed() {
        let mine = Change(subject: .run, id: "r1", ownerUID: 61001, state: "running")
        let theirs = Change(subject: .run, id: "r2", ownerUID: 61002, state: "running")
        let session = Change(subject: .session, id: "s1", ownerUID: 61001, state: "running")
        let everything = ChangeFilter(viewer: Self.owner, runs: nil, sessions: nil)
        #expect(everything.admits(mine) && everything.admits(session) && !everything.admits(theirs))
        let root = ChangeFilter(viewer: PeerCredentials(pid: 1, uid: 0, gid: 0), runs: nil, sessions: nil)
        #expect(root.admits(theirs))
        let oneRun = ChangeFilter(viewer: Self.owner, runs: ["r1"], sessions: nil)
        #expect(oneRun.admits(mine) && !oneRun.admits(session))
        #expect(!ChangeFilter(viewer: Self.owner, runs: ["r9"], sessions: nil).admits(mine))
    }

    @Test func aFollowerThatFallsBehindIsToldToResyncAndHoldsABoundedQueue() async {
        let subscription = ChangeSubscription()
        for index in 0..<(ChangeSubscription.capacity * 3) {
            subscription.push(Change(subject: .run, id: "r\(index)", ownerUID: 0, state: nil))
        }
        #expect(await subscription.next(idleAfter: .seconds(60)) == .resync)
        #expect(await subscription.next(idleAfter: .milliseconds(1)) == .idle)
        subscription.push(Change(subject: .run, id: "after", ownerUID: 0, state: nil))
        #expect(await subscription.next(idleAfter: .seconds(60)) == .change(Change(subject: .run, id: "after", ownerUID: 0, state: nil)))
        subscription.close()
        #expect(await subscription.next(idleAfter: .seconds(60)) == .closed)
    }

    @Test func aClosedFeedEndsItsFollowersAndTakesNoMore() async {
        let feed = ChangeFeed()
        let (_, subscription) = feed.subscribe(ChangeFilter(viewer: Self.owner, runs: nil, sessions: nil))!
        let waiting = Task { await subscription.next(idleAfter: .seconds(60)) }
        feed.close()
        #expect(await waiting.value == .closed)
        #expect(feed.subscribe(ChangeFilter(viewer: Self.owner, runs: nil, sessions: nil)) == nil)
        #expect(feed.followerCount == 0)
    }

    @Test func serverSentEventsAreParsedAcrossPieces() {
        var parser = ServerSentEventParser()
        let text = ": following\n\nevent: run\ndata: {\"id\":\"a\"}\r\n\nevent: resync\ndata: {}\n\n: still here\n\n"
        var items: [ServerSentEventParser.Item] = []
        for byte in text.utf8 { items += parser.feed([byte]) }
        #expect(items == [
            .comment("following"), .event(name: "run", data: #"{"id":"a"}"#), .event(name: "resync", data: "{}"), .comment("still here"),
        ])
    }

    /// Follows the daemon as root on a thread; returns what was seen once `until` holds (or 30 s passed).
    static func follow(_ daemon: DaemonProcess, until done: @escaping @Sendable ([String]) -> Bool, while act: () throws -> Void) throws -> [String] {
        let seen = Mutex<[String]>([])
        let following = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        let follower = APIClient(socketPath: daemon.socketPath)
        Thread {
            try? follower.followChanges(onFollowing: { following.signal() }) { name, notice in
                let all = seen.withLock { list -> [String] in
                    list.append("\(name) \(notice?.id ?? "-") \(notice?.state ?? "-")")
                    return list
                }
                if done(all) { finished.signal() }
            }
        }.start()
        guard following.wait(timeout: .now() + 10) == .success else { throw TestFailure("the events stream did not open") }
        try act()
        _ = finished.wait(timeout: .now() + 30)
        return seen.withLock { $0 }
    }

    @Test func sessionChangesArriveAsTheyHappen() throws {
        let daemon = try DaemonProcess()
        defer { daemon.finish() }
        let id = Mutex("")
        let seen = try Self.follow(daemon, until: { $0.contains { $0.hasSuffix(" removed") } }) {
            let session = try daemon.client.createSession(SessionSpec(name: "followed"))
            id.withLock { $0 = session.id }
            _ = try daemon.client.stopSession(session.id)
            try daemon.client.removeSession(session.id, force: false)
        }
        let session = id.withLock { $0 }
        #expect(seen == ["session \(session) running", "session \(session) stopped", "session \(session) removed"])
    }

    /// A follower is not a request in flight: mlgymd stopping (with a long grace for those) ends its stream
    /// instead of waiting for it.
    @Test func aFollowerDoesNotHoldTheShutdown() throws {
        let daemon = try DaemonProcess(extraArguments: ["--shutdown-grace", "600"])
        defer { daemon.finish() }
        let following = DispatchSemaphore(value: 0)
        let ended = DispatchSemaphore(value: 0)
        let follower = APIClient(socketPath: daemon.socketPath)
        Thread {
            try? follower.followChanges(onFollowing: { following.signal() }) { _, _ in }
            ended.signal()
        }.start()
        #expect(following.wait(timeout: .now() + 10) == .success)
        kill(daemon.pid, SIGTERM)
        #expect(ended.wait(timeout: .now() + 60) == .success, "the events stream was still open a minute after SIGTERM")
    }

    @Test func aMemberFollowsOnlyTheirOwn() throws {
        _ = try OtherUser.clientGroup()
        let daemon = try DaemonProcess(socketGroup: OtherUser.groupName)
        defer { daemon.finish() }
        // Alice follows, then starts a session; she reads until her session's stop, which comes after root's
        // session started and stopped: root's events, had they leaked, would be in what she read.
        let script = """
            import socket, subprocess, sys, time
            s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(1)
            s.sendall(b"GET /v1/events HTTP/1.1\\r\\nHost: mlgymd\\r\\n\\r\\n")
            got = b""
            def read_until(marker, seconds):
                global got
                end = time.time() + seconds
                while marker not in got and time.time() < end:
                    try:
                        piece = s.recv(65536)
                    except socket.timeout:
                        continue
                    if not piece:
                        break
                    got += piece
            read_until(b": following", 20)
            alice = subprocess.run([sys.argv[2], "start", "--name", "alices"], capture_output=True, text=True).stdout.strip()
            read_until(('{"id":"%s","state":"stopped"}' % alice).encode(), 60)
            sys.stdout.write(alice + "\\n" + got.decode())
            """
        let alicesStream = Mutex<(done: Bool, result: CommandResult?)>((false, nil))
        let client = try OtherUser.client.get()
        Thread {
            let result = try? OtherUser.run(daemon, uid: AuthorizationTests.alice, inGroup: true, "/usr/bin/python3", ["-c", script, daemon.socketPath, client])
            alicesStream.withLock { $0 = (true, result) }
        }.start()
        var alices: SessionInfo?
        for _ in 0..<300 where alices == nil {
            alices = try daemon.client.sessions().first { $0.name == "alices" }
            if alices == nil { usleep(100_000) }
        }
        let aliceSession = try #require(alices, "alice's session did not start")
        let roots = try daemon.client.createSession(SessionSpec(name: "roots"))
        _ = try daemon.client.stopSession(roots.id)
        _ = try daemon.client.stopSession(aliceSession.id)
        while !alicesStream.withLock({ $0.done }) { usleep(100_000) }
        let stream = alicesStream.withLock { $0.result?.output } ?? ""
        #expect(stream.contains("text/event-stream") && stream.contains(": following"), "\(stream)")
        #expect(stream.contains(#"{"id":"\#(aliceSession.id)","state":"running"}"#), "\(stream)")
        #expect(stream.contains(#"{"id":"\#(aliceSession.id)","state":"stopped"}"#), "\(stream)")
        #expect(!stream.contains(roots.id), "alice was told of root's session: \(stream)")
    }
}
