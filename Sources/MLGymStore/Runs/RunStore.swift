import Foundation
internal import GRDB
import MLGymCore

/// Agent runs and their steps. Each method is one transaction that has committed when it returns.
public final class RunStore: Sendable {
    let store: Store

    init(store: Store) {
        self.store = store
    }

    public func create(_ runs: [AgentRunRecord]) async throws(MLGymError) {
        try await store.write("record \(runs.count) new runs") { db in
            for run in runs {
                try db.execute(
                    sql: """
                        INSERT INTO runs (id, campaign, task_id, model, seed, owner_uid, owner_gid, max_steps, state, config, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?)
                        """,
                    arguments: [
                        run.id, run.campaign, run.taskID, run.model, run.seed, run.ownerUID, run.ownerGID, run.maxSteps,
                        String(decoding: run.config, as: UTF8.self), run.createdAt.unixMilliseconds,
                    ])
            }
        }
    }

    /// A queued or interrupted run starts (again) in `sessionID`.
    public func start(_ id: String, sessionID: String) async throws(MLGymError) {
        try await store.write("start run \(id)") { db in
            try db.execute(
                sql: """
                    UPDATE runs SET state = 'running', session_id = ?, session_ids = json_insert(session_ids, '$[#]', ?),
                                    started_at = coalesce(started_at, ?), ended_at = NULL, exit_status = NULL, message = NULL
                    WHERE id = ?
                    """,
                arguments: [sessionID, sessionID, Date().unixMilliseconds, id])
            guard db.changesCount == 1 else { throw MLGymError(.notFound, "no run \(id)") }
        }
    }

    /// An interrupted run is queued again (to be resumed); refused for a run in any other state.
    public func requeue(_ id: String) async throws(MLGymError) {
        try await store.write("queue run \(id) again") { db in
            try db.execute(
                sql: "UPDATE runs SET state = 'queued', exit_status = NULL, message = NULL, ended_at = NULL WHERE id = ? AND state = 'interrupted'",
                arguments: [id])
            guard db.changesCount == 1 else { throw MLGymError(.invalidState, "run \(id) is not interrupted") }
        }
    }

    /// Ends a run: its state, MLGym's exit status, a sentence on why, and its evaluations (JSON).
    public func end(
        _ id: String, state: AgentRunRecord.State, exitStatus: String?, message: String?, evaluations: Data?
    ) async throws(MLGymError) {
        try await store.write("end run \(id)") { db in
            try db.execute(
                sql: """
                    UPDATE runs SET state = ?, exit_status = ?, message = ?, ended_at = ?,
                                    evaluations = coalesce(?, evaluations) WHERE id = ?
                    """,
                arguments: [state.rawValue, exitStatus, message, Date().unixMilliseconds,
                            evaluations.map { String(decoding: $0, as: UTF8.self) }, id])
        }
    }

    /// Commits a step and adds it to the run's totals, in one transaction; with the step's command for the
    /// session's exec history in the same one (one commit, one fsync, per step).
    public func record(_ step: RunStepRecord, exec: NewExec? = nil) async throws(MLGymError) {
        let insertExec = try exec.map { exec throws(MLGymError) in try store.sessions.execInsertion(exec) }
        try await store.write("record step \(step.step) of run \(step.runID)") { db in
            if let insertExec { _ = try insertExec(db) }
            try db.execute(
                sql: "INSERT INTO run_steps (run_id, step, data, recorded_at) VALUES (?, ?, ?, ?)",
                arguments: [step.runID, step.step, String(decoding: step.data, as: UTF8.self), Date().unixMilliseconds])
            try db.execute(
                sql: """
                    UPDATE runs SET steps = ?, tokens_sent = tokens_sent + ?, tokens_received = tokens_received + ?,
                                    api_calls = api_calls + ?, cost = cost + ? WHERE id = ?
                    """,
                arguments: [step.step, step.inputTokens, step.outputTokens, step.apiCalls, step.cost, step.runID])
        }
    }

    /// Adds model usage that belongs to no step (the rejected replies of a run that ended on them).
    public func addUsage(_ id: String, inputTokens: Int, outputTokens: Int, apiCalls: Int, cost: Double) async throws(MLGymError) {
        try await store.write("add usage to run \(id)") { db in
            try db.execute(
                sql: """
                    UPDATE runs SET tokens_sent = tokens_sent + ?, tokens_received = tokens_received + ?,
                                    api_calls = api_calls + ?, cost = cost + ? WHERE id = ?
                    """,
                arguments: [inputTokens, outputTokens, apiCalls, cost, id])
        }
    }

    public func run(_ id: String) async throws(MLGymError) -> AgentRunRecord {
        try await store.read("read run \(id)") { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT \(AgentRunRecord.selection) FROM runs WHERE id = ?", arguments: [id]) else {
                throw MLGymError(.notFound, "no run \(id) (mlgymctl runs lists them)")
            }
            return try AgentRunRecord(row: row)
        }
    }

    /// Runs, newest last, filtered by whichever of the arguments are given.
    public func runs(
        ownerUID: UInt32? = nil, campaign: String? = nil, taskID: String? = nil, model: String? = nil
    ) async throws(MLGymError) -> [AgentRunRecord] {
        try await store.read("list runs") { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let ownerUID { conditions.append("owner_uid = ?"); arguments += [ownerUID] }
            if let campaign { conditions.append("campaign = ?"); arguments += [campaign] }
            if let taskID { conditions.append("task_id = ?"); arguments += [taskID] }
            if let model { conditions.append("model = ?"); arguments += [model] }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            return try Row.fetchAll(
                db, sql: "SELECT \(AgentRunRecord.selection) FROM runs \(filter) ORDER BY created_at, rowid", arguments: arguments
            ).map(AgentRunRecord.init(row:))
        }
    }

    /// A run's steps in order, as stored (JSON).
    public func steps(_ id: String) async throws(MLGymError) -> [Data] {
        try await store.read("read the steps of run \(id)") { db in
            try String.fetchAll(db, sql: "SELECT data FROM run_steps WHERE run_id = ? ORDER BY step", arguments: [id]).map { Data($0.utf8) }
        }
    }

    /// Dollars every run of `ownerUID`'s campaign `campaign` has spent (campaign names are chosen by clients, so
    /// one uid's runs never count against another's budget).
    public func campaignCost(_ campaign: String, ownerUID: UInt32) async throws(MLGymError) -> Double {
        try await store.read("sum the cost of campaign \(campaign)") { db in
            try Double.fetchOne(
                db, sql: "SELECT coalesce(sum(cost), 0) FROM runs WHERE campaign = ? AND owner_uid = ?", arguments: [campaign, ownerUID]) ?? 0
        }
    }

    /// What a starting daemon does: runs that were queued or running belonged to the previous daemon; they are
    /// `interrupted`, with every committed step kept, and can be resumed.
    public func interruptActive(reason: String) async throws(MLGymError) -> [String] {
        try await store.write("mark the previous daemon's runs interrupted") { db in
            let ids = try String.fetchAll(db, sql: "SELECT id FROM runs WHERE state IN ('queued', 'running')")
            try db.execute(
                sql: """
                    UPDATE runs SET state = 'interrupted', exit_status = 'interrupted', message = ?, ended_at = ?
                    WHERE state IN ('queued', 'running')
                    """,
                arguments: [reason, Date().unixMilliseconds])
            return ids
        }
    }
}
