import Foundation
internal import GRDB
import MLGymCore

/// mlgymd's SQLite database: opens it, brings its schema up to date, and hands out the per-topic stores
/// (`sessions`; later runs, evaluations, memory) that hold the queries.
///
/// One `Store` per daemon. It is a `DatabasePool`: WAL journal, one writer and concurrent readers, each access
/// on GRDB's own dispatch queues, so no SQLite call blocks Swift's cooperative thread pool.
public final class Store: Sendable {
    /// Settings a daemon may change; the defaults are what mlgymd uses.
    public struct Options: Sendable {
        /// How much of each command's output `exec_history` keeps (head and tail, UTF-8 bytes).
        public var execOutputLimitBytes: Int = 64 * 1024
        /// How long a write waits for another process holding the write lock (a `sqlite3 .backup`, an
        /// operator's shell) before it fails.
        public var busyTimeoutSeconds: Double = 5

        public init() {}
    }

    /// The database file's name inside the daemon's `--state-dir`.
    public static let fileName = "mlgym.sqlite3"

    public let path: String
    public let options: Options
    let pool: DatabasePool

    /// Opens (creating if needed) the database at `path` and applies every migration it lacks.
    ///
    /// Refuses a database that a newer mlgym has migrated further than this one knows, rather than run against
    /// a schema it does not understand.
    public init(path: String, options: Options = Options()) throws(MLGymError) {
        self.path = path
        self.options = options
        var configuration = Configuration()
        configuration.label = "mlgym"
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(options.busyTimeoutSeconds)
        configuration.prepareDatabase { db in
            // synchronous=FULL: a commit returns only after the WAL is fsynced. The daemon acknowledges a state
            // change only after its commit returns, so the acknowledgement must survive not just a kill -9 of
            // mlgymd (which NORMAL already survives: the WAL is in the OS page cache) but also a host crash or
            // power loss, after which NORMAL may roll back the last commits and a client would have been told
            // about a session the database no longer has. The price is one fsync per write transaction; mlgym
            // writes a few rows per command or agent step, each of which takes milliseconds to minutes.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw StoreError.map(error, doing: "open the database \(path)", hint: "does its directory exist and is it writable?")
        }
        try migrate()
    }

    /// Opens `<stateDirectory>/mlgym.sqlite3`, the daemon's layout.
    public convenience init(stateDirectory: String, options: Options = Options()) throws(MLGymError) {
        try self.init(path: stateDirectory + "/" + Store.fileName, options: options)
    }

    /// Sessions, their state changes, exec history and events.
    public var sessions: SessionStore { SessionStore(store: self) }

    /// Evaluations of sessions' artefacts (validate, submit, auto-submission, baseline).
    public var evaluations: EvaluationStore { EvaluationStore(store: self) }

    /// Snapshots of sessions' writable state.
    public var snapshots: SnapshotRecordStore { SnapshotRecordStore(store: self) }

    /// Memories of agents and people, by scope.
    public var memory: MemoryStore { MemoryStore(store: self) }

    /// Answers of literature sources.
    public var literature: LiteratureCache { LiteratureCache(store: self) }

    /// Agent runs and their steps.
    public var runs: RunStore { RunStore(store: self) }

    /// The schema version (`PRAGMA user_version`): the number of migrations applied.
    public func schemaVersion() async throws(MLGymError) -> Int {
        try await read("read the schema version") { db in try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0 }
    }

    /// The identifiers of the migrations applied, in order (`v1-sessions`, …).
    public func appliedMigrations() async throws(MLGymError) -> [String] {
        try await read("read the applied migrations") { db in try Migrations.migrator.appliedMigrations(db) }
    }

    /// The journal mode in force; "wal" for every store (a DatabasePool sets it; the tests check it).
    func journalMode() async throws(MLGymError) -> String {
        try await read("read the journal mode") { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }

    private func migrate() throws(MLGymError) {
        let migrator = Migrations.migrator
        do {
            let superseded = try pool.read { db in try migrator.hasBeenSuperseded(db) }
            guard !superseded else {
                throw MLGymError(
                    .unsupported,
                    "the database \(path) has migrations this mlgym does not know (written by a newer version); upgrade mlgym or use another --state-dir"
                )
            }
            try migrator.migrate(pool)
        } catch {
            throw StoreError.map(error, doing: "migrate the database \(path)")
        }
    }
}

extension Store {
    /// A write transaction (BEGIN IMMEDIATE … COMMIT) whose errors become `MLGymError`s saying what was being done.
    /// It returns after the commit, so the caller may acknowledge what it wrote.
    func write<T: Sendable>(_ action: String, _ updates: @escaping @Sendable (Database) throws -> T) async throws(MLGymError) -> T {
        do {
            return try await pool.write(updates)
        } catch {
            throw StoreError.map(error, doing: action)
        }
    }

    /// A read from a snapshot, concurrent with writes.
    func read<T: Sendable>(_ action: String, _ value: @escaping @Sendable (Database) throws -> T) async throws(MLGymError) -> T {
        do {
            return try await pool.read(value)
        } catch {
            throw StoreError.map(error, doing: action)
        }
    }
}
