import Foundation
import MLGymCore
import MLGymStore
import Testing

/// State changes: which are allowed, and the trail they leave.
@Suite struct SessionTransitionTests {
    @Test func stateChangesAreRecordedInOrderWithTheirReasons() async throws {
        try await withStore { store, _ async throws in
            let id = "ordered"
            _ = try await store.sessions.createSession(newSession(id, owner: 1000))
            let running = try await store.sessions.transition(
                id, to: .running, reason: "sandbox up", initProcess: InitProcess(pid: 31337, startTime: 123_456_789)
            )
            #expect(running.state == .running)
            #expect(running.initProcess == InitProcess(pid: 31337, startTime: 123_456_789))
            let stopped = try await store.sessions.transition(id, to: .stopped, reason: "stopped by uid 1000")
            #expect(stopped.initProcess == running.initProcess)
            #expect(try await store.sessions.session(id) == stopped)

            let changes = try await store.sessions.stateChanges(id)
            #expect(changes.map(\.from) == [nil, .creating, .running])
            #expect(changes.map(\.to) == [.creating, .running, .stopped])
            #expect(changes.map(\.reason) == ["created by uid 1000", "sandbox up", "stopped by uid 1000"])
            #expect(changes.map(\.id) == changes.map(\.id).sorted())
            #expect(changes.allSatisfy { $0.sessionID == id })
            #expect(changes.last?.time == stopped.updatedAt)
        }
    }

    @Test func illegalTransitionIsRefusedNamingFromAndTo() async throws {
        try await withStore { store, _ async throws in
            _ = try await store.sessions.createSession(newSession("final"))
            _ = try await store.sessions.transition("final", to: .stopped, reason: "stopped before it started")

            let revive = await #expect(throws: MLGymError.self) {
                try await store.sessions.transition("final", to: .running, reason: "revive")
            }
            #expect(revive?.code == .invalidState)
            #expect(revive?.message == "cannot move session final from stopped to running: stopped is final; start a new session instead")

            _ = try await store.sessions.createSession(newSession("live"))
            _ = try await store.sessions.transition("live", to: .running, reason: "sandbox up")
            let back = await #expect(throws: MLGymError.self) {
                try await store.sessions.transition("live", to: .creating, reason: "again")
            }
            #expect(back?.message == "cannot move session live from running to creating: a running session can only become failed, lost, stopped")

            // A refused move changes nothing.
            #expect(try await store.sessions.session("final").state == .stopped)
            #expect(try await store.sessions.stateChanges("final").count == 2)
            #expect(try await store.sessions.stateChanges("live").count == 2)
        }
    }

    @Test func transitionOfAnUnknownSessionIsNotFound() async throws {
        try await withStore { store, _ async throws in
            let error = await #expect(throws: MLGymError.self) {
                try await store.sessions.transition("ghost", to: .running, reason: "sandbox up")
            }
            #expect(error?.code == .notFound)
            #expect(error?.message.hasPrefix("session ghost does not exist") == true)
        }
    }

    @Test func transitionTableAllowsOnlyForwardMoves() {
        for state in SessionState.allCases {
            #expect(!state.canTransition(to: .creating))
            #expect(!state.canTransition(to: state))
        }
        #expect(SessionState.creating.successors == [.running, .stopped, .failed, .lost])
        #expect(SessionState.running.successors == [.stopped, .failed, .lost])
        #expect(SessionState.active == [.creating, .running])
    }
}
