import Foundation
import Glibc
import MLGymAPI
import MLGymClient
import MLGymTestSupport
import Testing

/// What a hostile member or agent tries against the daemon, and what it gets: a clear refusal, and nothing
/// of anyone else's.
@Suite(.serialized) struct HostileInputTests {
    static let bob: uid_t = 61002
    static let carol: uid_t = 61004

    @Test func pseudoFilesystemDirectoriesAreRefusedAsWorkspaces() throws {
        _ = try OtherUser.clientGroup()
        let daemon = try DaemonProcess(socketGroup: OtherUser.groupName)
        defer { daemon.finish() }
        // /proc/<pid> is a directory its process's owner owns, and holds `root`: the host's / with their rights.
        let sleeper = try ChildProcess(
            "/usr/bin/setpriv", ["--reuid", String(Self.bob), "--regid", String(Self.bob), "--clear-groups", "/bin/sleep", "60"],
            environment: [:], logPath: daemon.directory + "/sleeper.log")
        defer {
            kill(sleeper.pid, SIGKILL)
            sleeper.wait()
        }
        var owner = stat()
        for _ in 0..<100 where stat("/proc/\(sleeper.pid)", &owner) != 0 || owner.st_uid != Self.bob { usleep(20_000) }
        let bobs = try OtherUser.ctl(daemon, uid: Self.bob, inGroup: true, ["start", "--workspace", "/proc/\(sleeper.pid)"])
        #expect(bobs.status != 0)
        #expect(bobs.errorOutput.contains("procfs, a kernel pseudo-filesystem"), "\(bobs.errorOutput)")
        // Root is refused too: the daemon would hand the host's kernel interfaces to an agent.
        for (path, kind) in [("/proc/1", "procfs"), ("/sys/kernel", "sysfs"), ("/dev/pts", "devpts")] {
            let refused = try daemon.ctl(["start", "--workspace", path])
            #expect(refused.status != 0, "\(path) was accepted")
            #expect(refused.errorOutput.contains(kind), "\(path): \(refused.errorOutput)")
        }
        #expect(try daemon.client.sessions().isEmpty, "a refused workspace leaves no session row")
        // An ordinary directory still works.
        let fine = try daemon.ctl(["start", "--workspace", daemon.directory])
        #expect(fine.status == 0, "\(fine.errorOutput)")
    }

    @Test func namesWithControlCharactersAreRefusedAndAgentTextIsShownEscaped() throws {
        let daemon = try DaemonProcess()
        defer { daemon.finish() }
        for name in ["\u{1B}]52;c;ZWNobyBodA==\u{07}", "report\u{202E}fdp.exe", "two\nlines", "zero\u{200B}width", ""] {
            let response = try RawHTTP.request(
                "POST", "/v1/sessions", body: String(decoding: try JSONEncoder().encode(["name": name]), as: UTF8.self), to: daemon.socketPath)
            #expect(response.status == 400, "\(name.debugDescription): \(response.body)")
            #expect(!response.body.contains("\u{1B}"), "the error echoes the escape raw")
        }
        #expect(try daemon.client.sessions().isEmpty)
        let id = try daemon.client.createSession(SessionSpec(name: "plain ✓ name")).id
        _ = try daemon.client.exec(id, ExecRequest(command: #"printf 'before\033[2J\033]52;c;aGk=\007after \342\200\256gpj.exe\n'"#))
        let logs = try daemon.ctl(["logs", id])
        #expect(logs.status == 0)
        #expect(!logs.output.contains("\u{1B}") && !logs.output.contains("\u{07}") && !logs.output.contains("\u{202E}"), "\(logs.output.debugDescription)")
        #expect(logs.output.contains(#"before\e[2J\e]52;c;aGk=\x07after \u{202E}gpj.exe"#), "\(logs.output)")
        let raw = try daemon.ctl(["logs", id, "--raw"])
        #expect(raw.output.contains("before\u{1B}[2J"), "--raw gives the bytes")
        #expect(try daemon.ctl(["ls"]).output.contains("plain ✓ name"))
    }

    @Test func rootsNamesReachOnlyRootsOwnSessions() throws {
        _ = try OtherUser.clientGroup()
        let daemon = try DaemonProcess(socketGroup: OtherUser.groupName)
        defer { daemon.finish() }
        let roots = try daemon.client.createSession(SessionSpec(name: "nightly"))
        _ = try daemon.ctl(["rm", "--force", "nightly"])
        // Bob squats the name of root's gone session.
        let squatted = try OtherUser.ctl(daemon, uid: Self.bob, inGroup: true, ["start", "--name", "nightly"])
        #expect(squatted.status == 0, "\(squatted.errorOutput)")
        let bobs = squatted.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let exec = try daemon.ctl(["exec", "nightly", "--", "echo secret"])
        #expect(exec.status != 0)
        #expect(exec.errorOutput.contains("no session 'nightly'"), "\(exec.errorOutput)")
        #expect(try daemon.client.logs(bobs).execs.isEmpty, "root's command reached bob's session")
        // Root still reaches bob's session by its id, and bob his own by name.
        #expect(try daemon.client.exec(bobs, ExecRequest(command: "echo by-id")).output == "by-id\n")
        let own = try OtherUser.ctl(daemon, uid: Self.bob, inGroup: true, ["exec", "nightly", "--", "echo mine"])
        #expect(own.output == "mine\n", "\(own.errorOutput)")
        // Root's own name goes to root's own session even while bob has one of the same name.
        let again = try daemon.client.createSession(SessionSpec(name: "nightly"))
        #expect(again.id != roots.id)
        #expect(try daemon.ctl(["exec", "nightly", "--", "id -u"]).status == 0)
        #expect(try daemon.client.logs(again.id).execs.count == 1)
        #expect(try daemon.client.logs(bobs).execs.map(\.command) == ["echo by-id", "echo mine"], "root's named exec went astray")
    }

    @Test func aFIFOArtefactFailsAtOnceWithAReasonAndBlocksNothing() throws {
        let root = try TaskSessionTests.csvTaskRoot()
        defer { root.remove() }
        let daemon = try DaemonProcess(extraArguments: ["--tasks-dir", root.path])
        defer { daemon.finish() }
        let id = try daemon.client.createSession(SessionSpec(task: "letters")).id
        _ = try daemon.client.exec(id, ExecRequest(command: "mkfifo submission.csv"))
        let started = Date()
        let fifo = try daemon.ctl(["validate", id, "--json"])
        #expect(fifo.status == 1)
        let info = try WireCoding.decoder().decode(EvaluationInfo.self, from: Data(fifo.output.utf8))
        #expect(info.status == "failed")
        #expect(info.message?.contains("not a FIFO (named pipe)") == true, "\(info)")
        #expect(Date().timeIntervalSince(started) < 120, "a FIFO held the evaluation")
        // A directory artefact holding a socket or FIFO is refused the same way; a real file is then scored.
        _ = try daemon.client.exec(id, ExecRequest(command: "rm submission.csv && printf 'id,letter\\n0,a\\n' > submission.csv"))
        let good = try daemon.ctl(["validate", id, "--json"])
        let scored = try WireCoding.decoder().decode(EvaluationInfo.self, from: Data(good.output.utf8))
        #expect(scored.status == "succeeded", "\(scored)")
    }

    @Test func aRequestThatFailsOnTheHostsSideLeavesNoRowForAMemberToPileUp() throws {
        let daemon = try DaemonProcess()
        defer { daemon.finish() }
        // No host here has 64 GPUs: the selection fails when the sandbox is planned, after the row was written.
        for _ in 0..<3 {
            let response = try RawHTTP.request("POST", "/v1/sessions", body: #"{"gpus":"63"}"#, to: daemon.socketPath)
            #expect((400..<500).contains(response.status), "\(response.body)")
        }
        #expect(try daemon.client.sessions().isEmpty)
    }

    /// A client that stops reading a streamed exec neither grows the daemon nor holds the command for ever: after
    /// a stall the oldest output is dropped, and the stream says how much, where.
    @Test func aStalledStreamSaysWhatItDroppedAndTheCommandFinishes() throws {
        let daemon = try DaemonProcess()
        defer { daemon.finish() }
        let id = try daemon.client.createSession(SessionSpec()).id
        let body = #"{"command": "yes 0123456789abcdefghij | head -c 60000000; echo; echo END"}"#
        let request = "POST /v1/sessions/\(id)/exec?stream=true HTTP/1.1\r\nHost: m\r\nConnection: close\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        let descriptor = try RawHTTP.openConnection(sending: Array(request.utf8), to: daemon.socketPath)
        defer { close(descriptor) }
        sleep(5)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            received += buffer[0..<count]
        }
        let text = String(decoding: received, as: UTF8.self)
        #expect(text.contains(#"{"dropped":"#), "no dropped marker in \(received.count) bytes")
        #expect(text.contains("END\\n"), "the end of the output is not there")
        #expect(text.contains(#""exitCode":0"#))
    }

    @Test func aBodyOverTheLimitIsRefusedBeforeItIsReadAndTheConnectionEnds() throws {
        let daemon = try DaemonProcess(extraArguments: ["--max-body", "64K"])
        defer { daemon.finish() }
        // Headers only: a server that waited for the 10 MB body would never answer.
        let head = "POST /v1/sessions HTTP/1.1\r\nHost: mlgymd\r\nContent-Type: application/json\r\nContent-Length: 10000000\r\n\r\n{"
        let answer = try RawHTTP.exchange(Array(head.utf8), to: daemon.socketPath, waitingAtMost: 4)
        #expect(answer.received.hasPrefix("HTTP/1.1 413"), "\(answer.received)")
        #expect(answer.received.contains("payload_too_large"))
        #expect(answer.closedByServer, "the connection stayed open after a 413 that said Connection: close")
    }

    @Test func aResponseThatSaysConnectionCloseClosesTheConnection() throws {
        let daemon = try DaemonProcess()
        defer { daemon.finish() }
        for request in ["GET /v1/info HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "GET /v1/nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                        "GET /v1/info HTTP/1.0\r\n\r\n"] {
            let answer = try RawHTTP.exchange(Array(request.utf8), to: daemon.socketPath, waitingAtMost: 3)
            #expect(answer.received.contains("Connection: close") || answer.received.hasPrefix("HTTP/1.0"), "\(answer.received)")
            #expect(answer.closedByServer, "\(request.debugDescription) left the connection open")
        }
    }

    @Test func aClientThatTricklesItsHeadersIsCutOff() throws {
        let daemon = try DaemonProcess(extraArguments: ["--header-timeout", "1"])
        defer { daemon.finish() }
        // Within the idle timeout (bytes keep coming) but never a whole head.
        let descriptor = try RawHTTP.openConnection(sending: Array("GET /v1/info HTTP/1.1\r\nHo".utf8), to: daemon.socketPath)
        defer { close(descriptor) }
        var closed = false
        for _ in 0..<8 where !closed {
            sleep(1)
            let byte: [UInt8] = [UInt8(ascii: "s")]
            closed = byte.withUnsafeBytes { send(descriptor, $0.baseAddress, 1, Int32(MSG_NOSIGNAL)) } < 0
        }
        #expect(closed, "a trickled header held the connection for 8 s")
        // A well-behaved client is served meanwhile and after.
        #expect(try daemon.client.info().pid == daemon.pid)
    }
}
