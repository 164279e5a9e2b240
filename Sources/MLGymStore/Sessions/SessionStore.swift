import Foundation
internal import GRDB
import MLGymCore

/// Sessions and everything recorded about them. Every method is one transaction that has committed when it
/// returns, so the daemon may acknowledge the result to its client.
///
/// A `final class` rather than an actor: GRDB's pool already serializes writes on its writer queue and runs
/// reads concurrently, off the cooperative pool; an actor on top would only serialize the reads too.
public final class SessionStore: Sendable {
    let store: Store

    init(store: Store) {
        self.store = store
    }

    /// Creates a session in `creating`, with its first state change (none → creating).
    ///
    /// - Parameter maxActivePerOwner: when set, refuses the session if its owner already has that many sessions
    ///   in `creating` or `running`. Counted in the same transaction as the insert, so concurrent requests
    ///   cannot overshoot the limit.
    /// - Parameter running: the init process of a sandbox that already runs (one built ahead): the session is
    ///   then moved on to `running` in the same transaction (one commit, both state changes recorded).
    public func createSession(
        _ new: NewSession, maxActivePerOwner: Int? = nil, running: (initProcess: InitProcess, reason: String)? = nil
    ) async throws(MLGymError) -> SessionRecord {
        guard !new.id.isEmpty else { throw MLGymError(.invalidArgument, "cannot create a session with an empty id") }
        guard (try? JSONSerialization.jsonObject(with: new.spec, options: [.fragmentsAllowed])) != nil else {
            throw MLGymError(.invalidArgument, "cannot create session \(new.id): its spec is not valid JSON")
        }
        let now = Date.storeNow()
        return try await store.write("create session \(new.id)") { db in
            if try Self.fetchSession(db, id: new.id) != nil {
                throw MLGymError(.alreadyExists, "session \(new.id) already exists; choose another id")
            }
            if let limit = maxActivePerOwner {
                let active = try Self.countActive(db, ownerUID: new.ownerUID)
                guard active < limit else {
                    throw MLGymError(
                        .limitExceeded,
                        "uid \(new.ownerUID) already has \(active) active sessions (the limit is \(limit)); stop one before starting another"
                    )
                }
            }
            let record = SessionRecord(
                id: new.id, name: new.name, ownerUID: new.ownerUID, state: .creating, spec: new.spec,
                createdAt: now, updatedAt: now, cgroupName: new.cgroupName,
                runtimeDirectory: new.runtimeDirectory, stateDirectory: new.stateDirectory
            )
            try db.execute(
                sql: """
                    INSERT INTO sessions (\(SessionRecord.selection))
                    VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?)
                    """,
                arguments: [
                    record.id, record.name, Int64(record.ownerUID), record.state.rawValue,
                    String(decoding: record.spec, as: UTF8.self), now.unixMilliseconds, now.unixMilliseconds,
                    record.cgroupName, record.runtimeDirectory, record.stateDirectory,
                ]
            )
            try Self.insertStateChange(
                db, sessionID: record.id, from: nil, to: .creating, reason: "created by uid \(new.ownerUID)", time: now
            )
            if let running {
                return try Self.applyTransition(
                    db, session: record, to: .running, reason: running.reason, initProcess: running.initProcess, time: now)
            }
            return record
        }
    }

    /// The session with this id; `.notFound` if there is none.
    public func session(_ id: String) async throws(MLGymError) -> SessionRecord {
        try await store.read("read session \(id)") { db in try Self.requireSession(db, id: id) }
    }

    /// Every session, oldest first; only `ownerUID`'s when given (what a non-administrator may list).
    public func sessions(ownerUID: UInt32? = nil) async throws(MLGymError) -> [SessionRecord] {
        try await store.read("list sessions") { db in
            let rows: [Row]
            if let ownerUID {
                rows = try Row.fetchAll(
                    db, sql: "SELECT \(SessionRecord.selection) FROM sessions WHERE owner_uid = ? ORDER BY created_at, id",
                    arguments: [Int64(ownerUID)]
                )
            } else {
                rows = try Row.fetchAll(db, sql: "SELECT \(SessionRecord.selection) FROM sessions ORDER BY created_at, id")
            }
            return try rows.map(SessionRecord.init(row:))
        }
    }

    /// How many of `ownerUID`'s sessions are `creating` or `running`.
    public func countActive(ownerUID: UInt32) async throws(MLGymError) -> Int {
        try await store.read("count the sessions of uid \(ownerUID)") { db in try Self.countActive(db, ownerUID: ownerUID) }
    }

    /// Deletes a finished session with its state changes, exec history and events (ON DELETE CASCADE).
    /// Refuses an active session: its sandbox may still exist, and the row is what finds it after a restart.
    public func deleteSession(_ id: String) async throws(MLGymError) {
        try await store.write("delete session \(id)") { db in
            let session = try Self.requireSession(db, id: id)
            guard !session.state.isActive else {
                throw MLGymError(.invalidState, "cannot delete session \(id): it is \(session.state.rawValue); stop it first")
            }
            try db.execute(sql: "DELETE FROM sessions WHERE id = ?", arguments: [id])
        }
    }
}
