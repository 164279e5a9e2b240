import Foundation
import MLGymCore
import MLGymStore
import Testing

/// What a restarted daemon does with the sessions it finds: dead sandboxes become `lost`, live ones are kept.
@Suite struct RestartRecoveryTests {
    @Test func onlySessionsWhoseSandboxIsDeadBecomeLost() async throws {
        try await withStore { store, path async throws in
            let sessions = store.sessions
            _ = try await sessions.createSession(newSession("alive"))
            _ = try await sessions.transition("alive", to: .running, reason: "sandbox up", initProcess: InitProcess(pid: 100, startTime: 1))
            _ = try await sessions.createSession(newSession("dead"))
            _ = try await sessions.transition("dead", to: .running, reason: "sandbox up", initProcess: InitProcess(pid: 200, startTime: 2))
            _ = try await sessions.createSession(newSession("half-built"))
            _ = try await sessions.createSession(newSession("stopped"))
            _ = try await sessions.transition("stopped", to: .stopped, reason: "stopped by uid 1000")

            // The daemon restarts: a new store on the same file.
            let restarted = try Store(path: path).sessions
            var asked: [String] = []
            let lost = try await restarted.markUnhealthyAsLost { session in
                asked.append(session.id)
                return session.initProcess?.pid == 100
            }

            #expect(asked.sorted() == ["alive", "dead", "half-built"])
            #expect(lost.map(\.id).sorted() == ["dead", "half-built"])
            #expect(lost.allSatisfy { $0.state == .lost })
            #expect(try await restarted.session("alive").state == .running)
            #expect(try await restarted.session("dead").state == .lost)
            #expect(try await restarted.session("half-built").state == .lost)
            #expect(try await restarted.session("stopped").state == .stopped)
            let deadTrail = try await restarted.stateChanges("dead")
            #expect(deadTrail.map(\.to) == [.creating, .running, .lost])
            #expect(deadTrail.last?.reason == "its sandbox was not alive when mlgymd restarted")
            #expect(try await restarted.stateChanges("half-built").map(\.from) == [nil, .creating])
            // Nothing left to mark on a second pass.
            #expect(try await restarted.markUnhealthyAsLost { _ in false }.map(\.id) == ["alive"])
            #expect(try await restarted.markUnhealthyAsLost { _ in false }.isEmpty)
        }
    }
}
