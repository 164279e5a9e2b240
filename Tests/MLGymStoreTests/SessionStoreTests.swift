import Foundation
import MLGymCore
import MLGymStore
import Testing

/// Creating, reading, listing and deleting sessions.
@Suite struct SessionStoreTests {
    @Test func createdSessionReadsBackEqualAndStartsInCreating() async throws {
        try await withStore { store, _ async throws in
            let new = newSession("3f2a9c", owner: 1000, name: "mountain car")
            let created = try await store.sessions.createSession(new)
            #expect(created.state == .creating)
            #expect(created.ownerUID == 1000)
            #expect(created.name == "mountain car")
            #expect(created.spec == new.spec)
            #expect(created.initProcess == nil)
            #expect(created.cgroupName == "mlgym-3f2a9c")
            #expect(created.createdAt == created.updatedAt)
            #expect(try await store.sessions.session("3f2a9c") == created)
            #expect(try await store.sessions.sessions() == [created])
        }
    }

    @Test func unknownSessionIsNotFoundWithItsID() async throws {
        try await withStore { store, _ async throws in
            let error = await #expect(throws: MLGymError.self) { try await store.sessions.session("3f2a-missing") }
            #expect(error?.code == .notFound)
            #expect(error?.message.hasPrefix("session 3f2a-missing does not exist") == true)
        }
    }

    @Test func duplicateIDIsRefused() async throws {
        try await withStore { store, _ async throws in
            _ = try await store.sessions.createSession(newSession("twice"))
            let error = await #expect(throws: MLGymError.self) { try await store.sessions.createSession(newSession("twice")) }
            #expect(error?.code == .alreadyExists)
            #expect(error?.message.contains("session twice already exists") == true)
        }
    }

    @Test func specThatIsNotJSONIsRefused() async throws {
        try await withStore { store, _ async throws in
            var new = newSession("bad-spec")
            new.spec = Data("task: yaml, not json".utf8)
            let error = await #expect(throws: MLGymError.self) { try await store.sessions.createSession(new) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.message.contains("not valid JSON") == true)
            #expect(try await store.sessions.sessions().isEmpty)
        }
    }

    @Test func listingFiltersByOwnerAndCountsOnlyActiveSessions() async throws {
        try await withStore { store, _ async throws in
            _ = try await store.sessions.createSession(newSession("a1", owner: 1000))
            _ = try await store.sessions.createSession(newSession("a2", owner: 1000))
            _ = try await store.sessions.createSession(newSession("b1", owner: 1001))
            _ = try await store.sessions.transition("a2", to: .failed, reason: "rootfs missing")

            #expect(try await store.sessions.sessions(ownerUID: 1000).map(\.id).sorted() == ["a1", "a2"])
            #expect(try await store.sessions.sessions(ownerUID: 1001).map(\.id) == ["b1"])
            #expect(try await store.sessions.sessions(ownerUID: 1002).isEmpty)
            #expect(try await store.sessions.sessions().count == 3)
            #expect(try await store.sessions.countActive(ownerUID: 1000) == 1)
            #expect(try await store.sessions.countActive(ownerUID: 1001) == 1)
        }
    }

    @Test func perOwnerLimitRefusesTheSessionOverIt() async throws {
        try await withStore { store, _ async throws in
            _ = try await store.sessions.createSession(newSession("first", owner: 1000), maxActivePerOwner: 1)
            let error = await #expect(throws: MLGymError.self) {
                try await store.sessions.createSession(newSession("second", owner: 1000), maxActivePerOwner: 1)
            }
            #expect(error?.code == .limitExceeded)
            #expect(error?.message.contains("uid 1000 already has 1 active sessions (the limit is 1)") == true)
            // Another uid has its own allowance, and a finished session frees a place.
            _ = try await store.sessions.createSession(newSession("other", owner: 1001), maxActivePerOwner: 1)
            _ = try await store.sessions.transition("first", to: .stopped, reason: "stopped by uid 1000")
            _ = try await store.sessions.createSession(newSession("second", owner: 1000), maxActivePerOwner: 1)
        }
    }

    @Test func deletingAFinishedSessionRemovesItsHistoryToo() async throws {
        try await withStore { store, path async throws in
            let id = "to-delete"
            _ = try await store.sessions.createSession(newSession(id))
            _ = try await store.sessions.transition(id, to: .running, reason: "sandbox up", initProcess: InitProcess(pid: 4242, startTime: 99))
            _ = try await store.sessions.recordExec(
                NewExec(sessionID: id, command: ["ls"], exitCode: 0, startedAt: Date(), finishedAt: Date(), output: "a\n")
            )
            _ = try await store.sessions.recordEvent(id, kind: .oom)
            _ = try await store.sessions.transition(id, to: .stopped, reason: "stopped by uid 1000")
            _ = try await store.sessions.createSession(newSession("survivor"))

            try await store.sessions.deleteSession(id)

            await #expect(throws: MLGymError.self) { try await store.sessions.session(id) }
            #expect(try await store.sessions.sessions().map(\.id) == ["survivor"])
            for table in ["session_state_changes", "exec_history", "events"] {
                #expect(try pythonScalar(path, "SELECT count(*) FROM \(table) WHERE session_id = '\(id)'") == 0)
            }
            #expect(try pythonScalar(path, "SELECT count(*) FROM session_state_changes WHERE session_id = 'survivor'") == 1)
        }
    }

    @Test func deletingAnActiveSessionIsRefused() async throws {
        try await withStore { store, _ async throws in
            _ = try await store.sessions.createSession(newSession("busy"))
            let error = await #expect(throws: MLGymError.self) { try await store.sessions.deleteSession("busy") }
            #expect(error?.code == .invalidState)
            #expect(error?.message == "cannot delete session busy: it is creating; stop it first")
            let missing = await #expect(throws: MLGymError.self) { try await store.sessions.deleteSession("nope") }
            #expect(missing?.code == .notFound)
        }
    }

    @Test func fiftyConcurrentCreatesAllLand() async throws {
        try await withStore { store, _ async throws in
            let sessions = store.sessions
            let ids = try await withThrowingTaskGroup(of: String.self) { group in
                for index in 0..<50 {
                    group.addTask { try await sessions.createSession(newSession("concurrent-\(index)", owner: UInt32(1000 + index % 3))).id }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(ids.count == 50)
            let stored = try await sessions.sessions()
            #expect(Set(stored.map(\.id)) == ids)
            #expect(stored.allSatisfy { $0.state == .creating })
            for id in ids.prefix(5) { #expect(try await sessions.stateChanges(id).count == 1) }
        }
    }

    @Test func concurrentCreatesCannotOvershootTheOwnerLimit() async throws {
        try await withStore { store, _ async throws in
            let sessions = store.sessions
            let landed = await withTaskGroup(of: Bool.self) { group in
                for index in 0..<20 {
                    group.addTask { (try? await sessions.createSession(newSession("limited-\(index)"), maxActivePerOwner: 5)) != nil }
                }
                return await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
            }
            #expect(landed == 5)
            #expect(try await sessions.countActive(ownerUID: 1000) == 5)
        }
    }
}
