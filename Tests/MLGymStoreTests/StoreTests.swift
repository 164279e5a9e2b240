import Foundation
import MLGymCore
@testable import MLGymStore
import Testing

/// Opening, migrating and configuring the database file.
@Suite struct StoreTests {
    @Test func migrationsRunOnAnEmptyFileAndRecordTheSchemaVersion() async throws {
        try await withStore { store, path async throws in
            #expect(try await store.appliedMigrations() == ["v1-sessions", "v2-evaluations", "v3-runs", "v4-memory", "v5-literature", "v6-snapshots"])
            #expect(try await store.schemaVersion() == 6)
            #expect(try pythonScalar(path, "PRAGMA user_version") == 6)
            for table in ["sessions", "session_state_changes", "exec_history", "events", "evaluations", "runs", "run_steps", "memories", "literature_cache"] {
                #expect(try pythonScalar(path, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '\(table)'") == 1)
            }
        }
    }

    @Test func reopeningAMigratedDatabaseIsIdempotentAndKeepsItsRows() async throws {
        try await withStore { store, path async throws in
            let created = try await store.sessions.createSession(newSession("kept"))
            let reopened = try Store(path: path)
            #expect(try await reopened.appliedMigrations() == ["v1-sessions", "v2-evaluations", "v3-runs", "v4-memory", "v5-literature", "v6-snapshots"])
            #expect(try await reopened.schemaVersion() == 6)
            #expect(try await reopened.sessions.session("kept") == created)
            let third = try Store(path: path)
            #expect(try await third.sessions.sessions().count == 1)
        }
    }

    @Test func journalModeIsWALAndPersistsInTheFile() async throws {
        try await withStore { store, path async throws in
            #expect(try await store.journalMode() == "wal")
            _ = try await store.sessions.createSession(newSession())
            #expect(FileManager.default.fileExists(atPath: path + "-wal"))
            let outside = try runPython(
                "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA journal_mode').fetchone()[0])", [path]
            )
            #expect(outside.output.trimmingCharacters(in: .whitespacesAndNewlines) == "wal")
        }
    }

    @Test func storeOpensInsideAStateDirectory() async throws {
        try await withTemporaryDirectory { directory async throws in
            let store = try Store(stateDirectory: directory)
            #expect(store.path == directory + "/mlgym.sqlite3")
            #expect(FileManager.default.fileExists(atPath: store.path))
        }
    }

    @Test func databaseFromANewerMlgymIsRefused() async throws {
        try await withStore { _, path async throws in
            let result = try runPython(
                """
                import sqlite3, sys
                db = sqlite3.connect(sys.argv[1])
                db.execute("INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')")
                db.commit()
                """, [path]
            )
            #expect(result.exitStatus == 0, "\(result.output)")
            let error = #expect(throws: MLGymError.self) { try Store(path: path) }
            #expect(error?.code == .unsupported)
            #expect(error?.message.contains("newer version") == true)
        }
    }

    @Test func missingDirectoryIsReportedWithThePath() async throws {
        let path = "/nonexistent-mlgym-\(UUID().uuidString)/mlgym.sqlite3"
        let error = #expect(throws: MLGymError.self) { try Store(path: path) }
        #expect(error?.message.contains(path) == true)
    }
}
