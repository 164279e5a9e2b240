import Foundation
import MLGymCore
import MLGymStore
import Testing

/// What survives a writer that dies by SIGKILL: every committed transaction, and nothing of an uncommitted one.
@Suite struct CrashDurabilityTests {
    @Test func writesOfOneStoreAreSeenByANewStoreOnTheSameFile() async throws {
        try await withStore { store, path async throws in
            _ = try await store.sessions.createSession(newSession("persisted"))
            _ = try await store.sessions.transition("persisted", to: .running, reason: "sandbox up", initProcess: InitProcess(pid: 7, startTime: 8))
            let second = try Store(path: path)
            let read = try await second.sessions.session("persisted")
            #expect(read.state == .running)
            #expect(read.initProcess == InitProcess(pid: 7, startTime: 8))
            #expect(try await second.sessions.stateChanges("persisted").map(\.to) == [.creating, .running])
        }
    }

    /// A Python process writes the way mlgymd does (immediate transaction, session row and its state change
    /// together, commit), starts a second transaction it never commits, and SIGKILLs itself. The store, open
    /// the whole time, and a store opened afterwards both see exactly the committed state.
    @Test func committedStateSurvivesKillNineAndUncommittedStateDoesNot() async throws {
        try await withStore { store, path async throws in
            _ = try await store.sessions.createSession(newSession("before-crash"))
            let script = """
                import os, sqlite3, sys, time
                db = sqlite3.connect(sys.argv[1], isolation_level=None)
                db.execute("PRAGMA foreign_keys = ON")
                db.execute("PRAGMA synchronous = FULL")
                now = int(time.time() * 1000)
                db.execute("BEGIN IMMEDIATE")
                db.execute(
                    "INSERT INTO sessions (id, name, owner_uid, state, spec, created_at, updated_at, init_pid,"
                    " init_start_time, cgroup_name, runtime_directory, state_directory)"
                    " VALUES ('crashed', 'written by python', 1000, 'running', '{\\"task\\":\\"x\\"}', ?, ?, 4242, 777,"
                    " 'mlgym-crashed', '/run/mlgym/sessions/crashed', '/var/lib/mlgym/sessions/crashed')", (now, now))
                db.execute(
                    "INSERT INTO session_state_changes (session_id, from_state, to_state, reason, time)"
                    " VALUES ('crashed', NULL, 'running', 'inserted by the crash test', ?)", (now,))
                db.execute("COMMIT")
                db.execute("BEGIN IMMEDIATE")
                db.execute("UPDATE sessions SET state = 'stopped' WHERE id = 'crashed'")
                db.execute("UPDATE sessions SET state = 'failed' WHERE id = 'before-crash'")
                db.execute(
                    "INSERT INTO sessions (id, name, owner_uid, state, spec, created_at, updated_at)"
                    " VALUES ('uncommitted', 'never committed', 1000, 'creating', '{}', ?, ?)", (now, now))
                print("committed", flush=True)
                os.kill(os.getpid(), 9)
                """
            let result = try runPython(script, [path])
            #expect(result.killedBySignal == 9, "python did not die by SIGKILL: \(result.output)")
            #expect(result.output.contains("committed"))

            for reader in [store, try Store(path: path)] {
                let crashed = try await reader.sessions.session("crashed")
                #expect(crashed.state == .running)
                #expect(crashed.initProcess == InitProcess(pid: 4242, startTime: 777))
                #expect(crashed.ownerUID == 1000)
                #expect(try await reader.sessions.session("before-crash").state == .creating)
                await #expect(throws: MLGymError.self) { try await reader.sessions.session("uncommitted") }
                #expect(try await reader.sessions.stateChanges("crashed").map(\.reason) == ["inserted by the crash test"])
            }
            // The store can write again: the dead writer's lock went with it.
            _ = try await store.sessions.transition("crashed", to: .lost, reason: "its sandbox was not alive when mlgymd restarted")
            #expect(try await Store(path: path).sessions.session("crashed").state == .lost)
        }
    }
}
