import Foundation
import Glibc
import MLGymAPI
import MLGymClient
import MLGymTestSupport
import Testing

/// A session's terminal in the browser: watched as the page opens, typed in by its owner after they ask, and
/// only watched when the session is another user's (the view refuses typing, and mlgymd drops it for a watcher).
extension WebUITests {
    @Test func theOwnerWatchesThenTypesAndAnotherUsersSessionIsOnlyWatched() throws {
        let daemon = try DaemonProcess(socketGroup: OtherUser.groupName)
        defer { daemon.finish() }
        let mine = try daemon.client.createSession(SessionSpec(name: "mine"))
        _ = try daemon.client.snapshot(mine.id, name: "before")
        let started = try OtherUser.ctl(daemon, uid: 61001, inGroup: true, ["start", "--name", "alices"])
        let alices = started.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(started.status == 0 && !alices.isEmpty, "\(started.errorOutput)")
        let view = try View(daemon, name: "ui")
        let ready = daemon.directory + "/ready", watched = daemon.directory + "/watched"
        let steps = """
            [{"open": "\(view.url)#/sessions/\(mine.id)"}, {"wait_text": "Watching: the shell's output as it comes."},
             {"wait_text": "\(mine.id)@1 (before)"}, {"wait_text": "mlgymctl fork \(mine.id)@1"},
             {"wait_text": "CPU time"}, {"wait_text": "Process limit reached"},
             {"touch": "\(ready)"}, {"wait_file": "\(watched)", "timeout": 60},
             {"click": "#terminal-controls button"}, {"wait_text": "Typing: the shell is yours"},
             {"type": "echo typed-$((6*7))\\n"}, {"wait_text": "typed-42"}, {"screenshot": "\(daemon.directory)/terminal.png"},
             {"open": "\(view.url)#/sessions/\(alices)"}, {"wait_text": "Read-only: this session is uid 61001's."},
             {"absent_text": "Type in this terminal"}, {"wait_text": "Watching: the shell's output as it comes."}]
            """
        let browser = try Self.browse(daemon, steps, ready: ready) {
            // An agent's command, run while the page watches: its output reaches the terminal.
            let result = try daemon.client.exec(mine.id, ExecRequest(command: "echo watched-$((40+2))"))
            #expect(result.output == "watched-42\n")
            try Data("watched-42".utf8).write(to: URL(fileURLWithPath: watched))
        }
        #expect(browser.status == 0, "\(browser.output)")

        // Asking to type in alice's session, past the page: the view refuses before mlgymd is asked.
        let typing = try Self.webSocketUpgrade(port: view.port, "/ui/sessions/\(alices)/terminal?mode=type", cookie: "mlgym_ui=\(view.token)")
        #expect(typing.hasPrefix("HTTP/1.1 403") && typing.contains("read-only: session \(alices) belongs to uid 61001"), "\(typing)")
        // Another site's page may open WebSockets to 127.0.0.1 too; its Origin gives it away.
        let foreign = try Self.webSocketUpgrade(
            port: view.port, "/ui/sessions/\(mine.id)/terminal", cookie: "mlgym_ui=\(view.token)", origin: "http://attacker.example")
        #expect(foreign.hasPrefix("HTTP/1.1 403"), "\(foreign)")
        let tokenless = try Self.webSocketUpgrade(port: view.port, "/ui/sessions/\(mine.id)/terminal", cookie: nil)
        #expect(tokenless.hasPrefix("HTTP/1.1 403"), "\(tokenless)")
        // Watching is granted, and what a watcher sends is not typed: the shell is still the agent's.
        let watcher = try Self.webSocketUpgrade(
            port: view.port, "/ui/sessions/\(mine.id)/terminal?mode=watch", cookie: "mlgym_ui=\(view.token)", send: "touch /tmp/typed-by-a-watcher\r")
        #expect(watcher.hasPrefix("HTTP/1.1 101"), "\(watcher)")
        // RFC 6455's own example: this key's answer is s3pPLMBiTxaQ9kYGzzhZRbK+xOo=.
        #expect(watcher.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), "\(watcher)")
        #expect(try daemon.client.exec(mine.id, ExecRequest(command: "test -e /tmp/typed-by-a-watcher; echo $?")).output == "1\n")
    }

    /// A browser that drops its terminal while output streams into it costs that connection only: the view keeps
    /// serving (it died of SIGPIPE before).
    @Test func aTerminalDroppedMidStreamLeavesTheViewServing() throws {
        let daemon = try DaemonProcess()
        defer { daemon.finish() }
        let session = try daemon.client.createSession(SessionSpec(name: "loud"))
        let view = try View(daemon, name: "ui")
        let script = """
            import json, os, socket, struct, sys, time
            port, session, cookie, daemon = sys.argv[1:5]
            ui = socket.create_connection(("127.0.0.1", int(port)), timeout=30)
            ui.sendall(("GET /ui/sessions/%s/terminal?mode=watch HTTP/1.1\\r\\nHost: 127.0.0.1:%s\\r\\nUpgrade: websocket\\r\\n"
                        "Connection: Upgrade\\r\\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\\r\\nSec-WebSocket-Version: 13\\r\\n"
                        "Cookie: %s\\r\\n\\r\\n" % (session, port, cookie)).encode())
            assert ui.recv(4096).startswith(b"HTTP/1.1 101")
            time.sleep(0.5)  # mlgymd's watch is in place
            api = socket.socket(socket.AF_UNIX)
            api.connect(daemon)
            body = json.dumps({"command": "seq 1 3000000"}).encode()
            api.sendall(b"POST /v1/sessions/%s/exec HTTP/1.1\\r\\nHost: mlgymd\\r\\nConnection: close\\r\\nContent-Type: application/json\\r\\nContent-Length: %d\\r\\n\\r\\n" % (session.encode(), len(body)) + body)
            received = 0
            while received < 1 << 20:
                received += len(ui.recv(65536))
            ui.close()  # as a browser leaving the page, with output still coming
            api.settimeout(120)
            while api.recv(65536):
                pass
            print("streamed", received)
            """
        let dropped = try CommandResult.run(
            "/usr/bin/python3", ["-c", script, view.port, session.id, "mlgym_ui=\(view.token)", daemon.socketPath])
        #expect(dropped.output.hasPrefix("streamed"), "\(dropped.output)\(dropped.errorOutput)")
        let page = try Self.request(port: view.port, "GET", "/", cookie: "mlgym_ui=\(view.token)")
        #expect(page.status == 200)
        #expect(try daemon.client.exec(session.id, ExecRequest(command: "echo still here")).output == "still here\n")
    }

    /// The first bytes of the answer to a WebSocket upgrade of `target` (Python's socket module); with `send`, a
    /// masked binary frame of it follows the handshake.
    static func webSocketUpgrade(port: String, _ target: String, cookie: String?, origin: String? = nil, send: String? = nil) throws -> String {
        let script = """
            import os, socket, sys, time
            port, target, cookie, origin, payload = sys.argv[1:6]
            s = socket.create_connection(("127.0.0.1", int(port)), timeout=10)
            head = "GET %s HTTP/1.1\\r\\nHost: 127.0.0.1:%s\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\n" % (target, port)
            head += "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\\r\\nSec-WebSocket-Version: 13\\r\\n"
            if cookie: head += "Cookie: %s\\r\\n" % cookie
            if origin: head += "Origin: %s\\r\\n" % origin
            s.sendall((head + "\\r\\n").encode())
            answer = s.recv(4096)
            while b"\\r\\n\\r\\n" not in answer:
                answer += s.recv(4096)
            if not answer.startswith(b"HTTP/1.1 101"):
                # A refusal closes the connection after its body, which may come in a later piece.
                while True:
                    piece = s.recv(4096)
                    if not piece:
                        break
                    answer += piece
            if payload and answer.startswith(b"HTTP/1.1 101"):
                data, mask = payload.encode(), os.urandom(4)
                s.sendall(bytes([0x82, 0x80 | len(data)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))
                time.sleep(1)
            print(answer.decode(errors="replace"))
            """
        let result = try CommandResult.run("/usr/bin/python3", ["-c", script, port, target, cookie ?? "", origin ?? "", send ?? ""])
        return result.output + result.errorOutput
    }
}
