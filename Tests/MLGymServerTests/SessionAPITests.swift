import Foundation
import MLGymAPI
import MLGymClient
import MLGymCore
import MLGymTestSupport
import Testing

/// The API over raw HTTP on the socket: lifecycle, error bodies and statuses, and requests a client should never
/// send, after each of which the daemon must still answer.
@Suite(.serialized) struct SessionAPITests {
    @Test func sessionLifecycleOverRawHTTP() throws {
        let daemon = try DaemonProcess()
        defer { daemon.finish() }
        let created = try RawHTTP.request("POST", "/v1/sessions", body: #"{"name":"raw","memory":"512M","pids":256}"#, to: daemon.socketPath)
        #expect(created.status == 201, "\(created.body)")
        #expect(created.headers["content-type"] == "application/json")
        let session = try WireCoding.decoder().decode(SessionInfo.self, from: Data(created.body.utf8))
        #expect(session.state == "running")
        #expect(session.spec.memory == "512M")

        let listed = try RawHTTP.request("GET", "/v1/sessions", to: daemon.socketPath)
        #expect(listed.status == 200)
        #expect(try WireCoding.decoder().decode(SessionList.self, from: Data(listed.body.utf8)).sessions.map(\.id) == [session.id])

        let exec = try RawHTTP.request("POST", "/v1/sessions/\(session.id)/exec", body: #"{"command":"id -u; cd /tmp; exit 3"}"#, to: daemon.socketPath)
        #expect(exec.status == 200)
        let result = try WireCoding.decoder().decode(ExecResult.self, from: Data(exec.body.utf8))
        #expect(result.exitCode == 3)
        // Root's sessions run their agents as a uid of their own, from the daemon's reserved range.
        let agentUID = UInt32(result.output?.split(separator: "\n").first ?? "") ?? 0
        #expect(agentUID >= 2_000_000_000, "\(result.output ?? "")")

        let streamed = try RawHTTP.request("POST", "/v1/sessions/\(session.id)/exec?stream=true", body: #"{"command":"echo one; echo two >&2; false"}"#, to: daemon.socketPath)
        #expect(streamed.headers["content-type"] == "application/x-ndjson")
        #expect(streamed.headers["transfer-encoding"] == "chunked")
        #expect(streamed.body.contains(#"{"output":"#))
        #expect(streamed.body.contains(#""exitCode":1"#))

        let logs = try RawHTTP.request("GET", "/v1/sessions/\(session.id)/logs", to: daemon.socketPath)
        let history = try WireCoding.decoder().decode(SessionLogs.self, from: Data(logs.body.utf8))
        #expect(history.execs.map(\.exitCode) == [3, 1])
        #expect(history.stateChanges.map(\.to) == ["creating", "running"])

        let refused = try RawHTTP.request("DELETE", "/v1/sessions/\(session.id)", to: daemon.socketPath)
        #expect(refused.status == 409)
        let stopped = try RawHTTP.request("POST", "/v1/sessions/\(session.id)/stop", to: daemon.socketPath)
        #expect(stopped.status == 200)
        #expect(stopped.body.contains(#""state":"stopped""#))
        let removed = try RawHTTP.request("DELETE", "/v1/sessions/\(session.id)", to: daemon.socketPath)
        #expect(removed.status == 204)
        let gone = try RawHTTP.request("GET", "/v1/sessions/\(session.id)", to: daemon.socketPath)
        #expect(gone.status == 404)
        let error = try WireCoding.decoder().decode(APIErrorBody.self, from: Data(gone.body.utf8))
        #expect(error.error.code == "not_found")
    }

    /// A session's usage (what `status` and the web view's session page show) counts its CPU time and the times
    /// its process limit refused a fork, from the sandbox's cgroup.
    @Test func usageCountsCPUTimeAndRefusedForks() throws {
        let daemon = try DaemonProcess()
        defer { daemon.finish() }
        let session = try daemon.client.createSession(SessionSpec(name: "busy", pids: 16))
        let before = try #require(try daemon.client.session(session.id).usage)
        #expect(before.processLimitHits == 0)
        // Some CPU (a counted loop, so it does not hang on the clock), then more background sleeps than the limit allows, in a child shell that waits for
        // them (the extra forks are refused; the session's own shell keeps its headroom once they are gone).
        let busy = try daemon.client.exec(
            session.id,
            ExecRequest(command: "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; sh -c 'for i in $(seq 40); do sleep 1 & done; wait' 2>/dev/null; true", timeout: 60))
        #expect(busy.exitCode == 0)
        let after = try #require(try daemon.client.session(session.id).usage)
        #expect((after.cpuSeconds ?? 0) >= 0.1, "\(after)")
        #expect((after.processLimitHits ?? 0) > 0, "\(after)")
        let status = try daemon.ctl(["status", session.id])
        #expect(status.output.contains("cpu time:  ") && status.output.contains("limits hit: processes "), "\(status.output)")
    }

    @Test func badRequestsGetClearErrorsAndTheDaemonStaysUp() throws {
        let daemon = try DaemonProcess(extraArguments: ["--max-body", "4K"])
        defer { daemon.finish() }
        let cases: [(String, String, String?, Int, String)] = [
            ("POST", "/v1/sessions", "{not json", 400, "parse"),
            ("POST", "/v1/sessions", #"{"memory": 12}"#, 400, "invalid_argument"),
            ("POST", "/v1/sessions", #"{"memory":"lots"}"#, 400, "invalid_argument"),
            ("POST", "/v1/sessions", #"{"memory":"1K"}"#, 400, "invalid_argument"),
            ("POST", "/v1/sessions", #"{"cpus":-1}"#, 400, "invalid_argument"),
            ("POST", "/v1/sessions", #"{"gpus":"0,,1"}"#, 400, "invalid_argument"),
            ("POST", "/v1/sessions", #"{"network":"everywhere"}"#, 400, "invalid_argument"),
            ("POST", "/v1/sessions", #"{"workspace":"relative/dir"}"#, 400, "invalid_argument"),
            ("POST", "/v1/sessions", #"{"task":"no-such-task"}"#, 404, "not_found"),
            ("GET", "/v1/sessions/0123456789ab", nil, 404, "not_found"),
            ("POST", "/v1/sessions/0123456789ab/exec", #"{"command":"true"}"#, 404, "not_found"),
            ("GET", "/v1/nothing-here", nil, 404, "not_found"),
            ("PUT", "/v1/sessions", "{}", 405, "method_not_allowed"),
            ("GET", "/v1/sessions/x/attach", nil, 400, "invalid_argument"),
        ]
        for (method, path, body, status, code) in cases {
            let response = try RawHTTP.request(method, path, body: body, to: daemon.socketPath)
            #expect(response.status == status, "\(method) \(path) \(body ?? ""): \(response.body)")
            let decoded = try? WireCoding.decoder().decode(APIErrorBody.self, from: Data(response.body.utf8))
            #expect(decoded?.error.code == code, "\(method) \(path): \(response.body)")
            #expect(decoded?.error.message.isEmpty == false)
        }

        let huge = String(repeating: "x", count: 64 << 10)
        let oversized = try RawHTTP.request("POST", "/v1/sessions", body: "{\"name\":\"\(huge)\"}", to: daemon.socketPath)
        #expect(oversized.status == 413)
        #expect(oversized.body.contains("payload_too_large"))

        // Not HTTP at all: the parser rejects it and closes that connection only.
        _ = try? RawHTTP.send(Array("\u{1}\u{2}garbage\r\n\r\n".utf8), to: daemon.socketPath)
        let info = try daemon.client.info()
        #expect(info.pid == daemon.pid)
        #expect(try daemon.client.sessions().isEmpty)
    }

    @Test func execRequestsAreCheckedAndOutputIsCappedInTheHistory() throws {
        let daemon = try DaemonProcess(extraArguments: ["--exec-output-limit", "1K"])
        defer { daemon.finish() }
        let session = try daemon.client.createSession(SessionSpec(name: "caps"))
        #expect(throws: MLGymError.self) { try daemon.client.exec(session.id, ExecRequest(command: "true", timeout: -1)) }
        let result = try daemon.client.exec(session.id, ExecRequest(command: "head -c 100000 /dev/zero | tr '\\0' a; echo; echo END"))
        #expect(result.exitCode == 0)
        #expect(result.output?.hasSuffix("END\n") == true)
        let kept = try daemon.client.logs(session.id).execs.last?.output ?? ""
        #expect(kept.utf8.count < 2048)
        #expect(kept.contains("bytes dropped by mlgym"))
        #expect(kept.hasSuffix("END\n"))
    }

    @Test func agentsOfDifferentSessionsAreDifferentUIDsAndCannotMakeSetuidFiles() throws {
        let daemon = try DaemonProcess()
        defer { daemon.finish() }
        let first = try daemon.client.createSession(SessionSpec(name: "a"))
        let second = try daemon.client.createSession(SessionSpec(name: "b"))
        let uids = try [first, second].map { try daemon.client.exec($0.id, ExecRequest(command: "id -u")).output ?? "" }
        #expect(uids[0] != uids[1])
        #expect(!uids.contains("0\n") && !uids.contains("1000\n"))
        // A setuid or setgid bit would lend the agent's uid to whoever runs the file on the host.
        let chmod = try daemon.client.exec(
            first.id, ExecRequest(command: "cp /bin/true ~/workspace/t && chmod 4755 ~/workspace/t; echo $?; chmod g+s ~/workspace/t; echo $?; chmod 755 ~/workspace/t; echo $?"))
        #expect(chmod.output?.contains("Operation not permitted") == true, "\(chmod.output ?? "")")
        let statuses = (chmod.output ?? "").split(separator: "\n").filter { Int($0) != nil }
        #expect(statuses == ["1", "1", "0"], "\(chmod.output ?? "")")
        // Nor can a file be created with the bits: open(O_CREAT), O_TMPFILE and mknod with a set-id mode. Plain
        // modes still work.
        let created = try daemon.client.exec(first.id, ExecRequest(command: #"""
            cd ~/workspace && python3 - <<'EOF'
            import os, stat
            def attempt(name, call):
                try:
                    call()
                    print(name, "made")
                except OSError as error:
                    print(name, error.errno)
            attempt("open-4755", lambda: os.close(os.open("s1", os.O_CREAT | os.O_WRONLY, 0o4755)))
            attempt("open-2755", lambda: os.close(os.open("s2", os.O_CREAT | os.O_WRONLY, 0o2755)))
            attempt("tmpfile-4755", lambda: os.close(os.open(".", os.O_TMPFILE | os.O_WRONLY, 0o4755)))
            attempt("mknod-4755", lambda: os.mknod("s3", 0o4755 | stat.S_IFREG))
            attempt("mkfifo-6644", lambda: os.mknod("s4", 0o6644 | stat.S_IFIFO))
            attempt("open-0755", lambda: os.close(os.open("plain", os.O_CREAT | os.O_WRONLY, 0o755)))
            attempt("mkfifo-0644", lambda: os.mkfifo("fifo", 0o644))
            print(sorted(os.listdir(".")))
            EOF
            """#))
        #expect(created.output == """
            open-4755 1
            open-2755 1
            tmpfile-4755 1
            mknod-4755 1
            mkfifo-6644 1
            open-0755 made
            mkfifo-0644 made
            ['fifo', 'plain', 't']

            """, "\(created.output ?? "")")
    }

    @Test func limitsBeyondTheHostAreRefusedBeforeAnythingIsMade() throws {
        let daemon = try DaemonProcess()
        defer { daemon.finish() }
        for body in [#"{"disk":"500P"}"#, #"{"pids":100000000}"#] {
            let response = try RawHTTP.request("POST", "/v1/sessions", body: body, to: daemon.socketPath)
            #expect(response.status == 400, "\(body): \(response.body)")
        }
        #expect(try daemon.client.sessions().isEmpty)
    }
}
