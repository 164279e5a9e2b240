import Foundation
import Glibc
import MLGymAPI
import MLGymClient
import MLGymTestSupport
import Synchronization
import Testing

/// What survives the daemon: kill -9 and SIGTERM mid-session, then a restart.
@Suite(.serialized) struct RestartTests {
    @Test func killMinusNineThenRestartShowsEverySessionWithATrueState() throws {
        let daemon = try DaemonProcess()
        defer { daemon.finish() }
        let running = try daemon.client.createSession(SessionSpec(name: "running"))
        let stopped = try daemon.client.createSession(SessionSpec(name: "stopped"))
        _ = try daemon.client.exec(running.id, ExecRequest(command: "echo committed"))
        _ = try daemon.client.stopSession(stopped.id)
        let initPID = try #require(running.initPID)

        daemon.killHard()
        // mlgym-init exits when the daemon's end of its control socket closes, taking the sandbox with it.
        var initGone = false
        for _ in 0..<600 where !initGone {
            initGone = kill(initPID, 0) != 0
            usleep(50_000)
        }
        #expect(initGone, "the sandbox's init outlived a SIGKILLed daemon")
        #expect(!FileManager.default.fileExists(atPath: daemon.socketPath) || (try? daemon.client.info()) == nil)

        try daemon.start()
        let listed = try daemon.ctl(["ls", "--json"])
        let sessions = try WireCoding.decoder().decode(SessionList.self, from: Data(listed.output.utf8)).sessions
        let states = Dictionary(uniqueKeysWithValues: sessions.map { ($0.name, $0) })
        #expect(states["running"]?.state == "lost")
        #expect(states["running"]?.reason?.contains("mlgymd restarted") == true)
        #expect(states["stopped"]?.state == "stopped")
        // What was committed before the kill is all there.
        #expect(try daemon.client.logs(running.id).execs.map(\.output) == ["committed\n"])
        // Whatever the dead sandbox left (runtime directory, cgroup, mounts) was cleaned up at start.
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: daemon.runtimeDirectory + "/sandboxes")) ?? []
        #expect(leftovers.isEmpty, "left behind: \(leftovers)")
        #expect(daemon.log.contains("marked lost"))
        // And the daemon serves new sessions.
        let fresh = try daemon.client.createSession(SessionSpec(name: "fresh"))
        #expect(try daemon.client.exec(fresh.id, ExecRequest(command: "echo ok")).output == "ok\n")
    }

    @Test func sigtermFinishesRequestsInFlightThenStopsSessions() throws {
        let daemon = try DaemonProcess()
        defer { daemon.finish() }
        let session = try daemon.client.createSession(SessionSpec(name: "graceful"))
        let outcome = Mutex<Result<ExecResult, any Error>?>(nil)
        let started = DispatchSemaphore(value: 0)
        let client = daemon.client
        let worker = Thread {
            let result = Result { () throws -> ExecResult in
                try client.execStreaming(session.id, ExecRequest(command: "echo begun; sleep 1; echo finished")) { text in
                    if text.contains("begun") { started.signal() }
                }
            }
            outcome.withLock { $0 = result }
        }
        worker.start()
        #expect(started.wait(timeout: .now() + 30) == .success)
        #expect(daemon.terminate() == 0)
        let result = try #require(try outcome.withLock { $0 }?.get())
        #expect(result.exitCode == 0)
        #expect(!result.timedOut)
        #expect(daemon.log.contains("finishing requests in flight"))

        try daemon.start()
        let after = try daemon.client.session(session.id)
        #expect(after.state == "stopped")
        #expect(after.reason == "mlgymd shut down")
        #expect(try daemon.client.logs(session.id).execs.last?.output == "begun\nfinished\n")
    }

    @Test func sigtermStopsSessionsEvenWhileAClientHoldsItsConnectionOpen() throws {
        let daemon = try DaemonProcess()
        defer { daemon.finish() }
        let session = try daemon.client.createSession(SessionSpec(name: "held"))
        let body = #"{"command":"true"}"#
        let request = "POST /v1/sessions/\(session.id)/exec HTTP/1.1\r\nHost: mlgymd\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        let held = try RawHTTP.openConnection(sending: Array(request.utf8), to: daemon.socketPath)
        defer { close(held) }
        #expect(daemon.terminate() == 0)
        try daemon.start()
        let after = try daemon.client.session(session.id)
        #expect(after.state == "stopped")
        #expect(after.reason == "mlgymd shut down")
    }
}
