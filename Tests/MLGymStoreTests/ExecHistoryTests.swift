import Foundation
import MLGymCore
import MLGymStore
import Testing

/// Exec history and events of a session.
@Suite struct ExecHistoryTests {
    @Test func execRoundTripsWithTruncatedOutput() async throws {
        var options = Store.Options()
        options.execOutputLimitBytes = 64
        try await withStore(options: options) { store, _ async throws in
            _ = try await store.sessions.createSession(newSession("s"))
            let output = "epoch 1 loss 0.9\n" + String(repeating: "step\n", count: 200) + "final reward 68.9\n"
            let started = Date(timeIntervalSince1970: 1_700_000_000.123)
            let recorded = try await store.sessions.recordExec(
                NewExec(
                    sessionID: "s", command: ["python", "train.py", "--seed", "1"], exitCode: 0, startedAt: started,
                    finishedAt: started.addingTimeInterval(2.5), durationMs: 2_499, output: output
                )
            )
            let dropped = output.utf8.count - 64
            #expect(recorded.outputBytesDropped == dropped)
            #expect(recorded.output.hasPrefix("epoch 1 loss 0.9\n"))
            #expect(recorded.output.hasSuffix("final reward 68.9\n"))
            #expect(recorded.output.contains("[... \(dropped) bytes dropped by mlgym ...]"))
            #expect(try await store.sessions.execHistory("s") == [recorded])
            #expect(recorded.startedAt == started)
            #expect(recorded.durationMs == 2_499)
        }
    }

    @Test func killedAndTimedOutCommandsKeepTheirSignal() async throws {
        try await withStore { store, _ async throws in
            _ = try await store.sessions.createSession(newSession("s"))
            let now = Date(timeIntervalSince1970: 1_700_000_000)
            let killed = try await store.sessions.recordExec(
                NewExec(
                    sessionID: "s", command: ["sleep 1000"], exitCode: nil, signal: 9, timedOut: true, startedAt: now,
                    finishedAt: now.addingTimeInterval(30), output: "partial output kept\n"
                )
            )
            let read = try #require(try await store.sessions.execHistory("s").first)
            #expect(read == killed)
            #expect(read.exitCode == nil && read.signal == 9 && read.timedOut)
            #expect(read.durationMs == 30_000)
            #expect(read.output == "partial output kept\n" && read.outputBytesDropped == 0)
        }
    }

    @Test func historyLimitReturnsTheMostRecentInOrder() async throws {
        try await withStore { store, _ async throws in
            _ = try await store.sessions.createSession(newSession("s"))
            for index in 0..<6 {
                _ = try await store.sessions.recordExec(
                    NewExec(sessionID: "s", command: ["echo", "\(index)"], exitCode: 0, startedAt: Date(), finishedAt: Date(), output: "\(index)\n")
                )
            }
            #expect(try await store.sessions.execHistory("s").map(\.output) == (0..<6).map { "\($0)\n" })
            #expect(try await store.sessions.execHistory("s", limit: 2).map(\.command) == [["echo", "4"], ["echo", "5"]])
            #expect(try await store.sessions.execHistory("s", limit: 0).isEmpty)
        }
    }

    @Test func execForAnUnknownSessionIsNotFound() async throws {
        try await withStore { store, _ async throws in
            let error = await #expect(throws: MLGymError.self) {
                try await store.sessions.recordExec(
                    NewExec(sessionID: "ghost", command: ["ls"], exitCode: 0, startedAt: Date(), finishedAt: Date(), output: "")
                )
            }
            #expect(error?.code == .notFound)
        }
    }

    @Test func eventsRoundTripInOrder() async throws {
        try await withStore { store, _ async throws in
            _ = try await store.sessions.createSession(newSession("s"))
            let time = Date(timeIntervalSince1970: 1_700_000_123.456)
            let oom = try await store.sessions.recordEvent(
                "s", kind: .oom, details: Data(#"{"oom_kill":1,"memory_limit_bytes":1073741824}"#.utf8), time: time
            )
            let exited = try await store.sessions.recordEvent("s", kind: .initExited, details: Data(#"{"exit_status":137}"#.utf8))
            let custom = try await store.sessions.recordEvent("s", kind: EventKind(rawValue: "gpu_xid"))
            #expect(try await store.sessions.events("s") == [oom, exited, custom])
            #expect(oom.time == time)
            #expect(oom.kind.rawValue == "oom" && exited.kind.rawValue == "init_exited")
            #expect(custom.details == Data("{}".utf8))
        }
    }

    @Test func eventDetailsMustBeJSON() async throws {
        try await withStore { store, _ async throws in
            _ = try await store.sessions.createSession(newSession("s"))
            let error = await #expect(throws: MLGymError.self) {
                try await store.sessions.recordEvent("s", kind: .oom, details: Data("oom!".utf8))
            }
            #expect(error?.code == .invalidArgument)
            #expect(try await store.sessions.events("s").isEmpty)
        }
    }
}
