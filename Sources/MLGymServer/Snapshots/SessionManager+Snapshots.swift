import Foundation
import MLGymAPI
import MLGymAgent
import MLGymCore
import MLGymSandbox
import MLGymStore
import MLGymTasks

/// A fork in the making: the snapshot it starts from and the shell state it carries.
struct ForkSource: Sendable {
    let snapshot: SnapshotRecord
    let carried: CarriedShellState
    var reason: String { "forked from \(snapshot.sessionID)@\(snapshot.number)" }
}

/// Snapshots, forks and restores of sessions: the rows in the store, the files in `SnapshotStore`.
extension SessionManager {
    /// Captures the running session's writable state as a new snapshot.
    public func snapshot(_ reference: String, name: String?, for peer: PeerCredentials) async throws(MLGymError) -> SnapshotInfo {
        let record = try await resolve(reference, for: peer)
        let session = try runningSession(record)
        let row = try await takeSnapshot(of: session, name: name, trigger: "manual")
        return try await snapshotInfos([row], of: record).first!
    }

    /// Takes a snapshot of `session` (refused while another snapshot or a restore of it runs).
    /// - Parameter caller: the process that asked, when it may be the agent's (its environment is then the
    ///   shell's exports while the shell is busy running it).
    func takeSnapshot(of session: LiveSession, name: String?, trigger: String, evaluationID: Int64? = nil, caller: Int32? = nil) async throws(MLGymError) -> SnapshotRecord {
        let files = try requireSnapshotFiles()
        if let name { try Self.checkSnapshotName(name) }
        var budget: Int64?
        if let quota = configuration.snapshotQuotaBytes {
            let used = try await store.snapshots.usage(ownerUID: session.ownerUID)
            guard used < quota else {
                throw MLGymError(.limitExceeded, "the snapshots of uid \(session.ownerUID) already fill their \(ByteCount.format(UInt64(quota))); remove some (mlgymctl snapshots ID, mlgymctl rm ID@N)")
            }
            budget = quota - used
        }
        try claimSnapshotWork(session.id)
        defer { releaseSnapshotWork(session.id) }
        let sandbox = session.sandbox
        var carried: CarriedShellState
        if let shell = try? await session.shell() {
            // Only a process of this sandbox speaks for its shell.
            let inside = caller.flatMap { sandbox.contains(process: $0) ? $0 : nil }
            carried = await CarriedShellState.read(
                from: shell, agentUID: sandbox.agentHostUID, agentGID: sandbox.agentHostGID, initial: sandbox.startEnvironment, caller: inside)
        } else {
            carried = CarriedShellState(complete: false, agentUID: sandbox.agentHostUID, agentGID: sandbox.agentHostGID)
        }
        let previous = try await store.snapshots.snapshots(of: session.id).last { $0.kind == SnapshotStore.Kind.tree.rawValue }?.id
        let id = SandboxEngine.newID()
        let budgetBytes = budget
        let captured = try await SnapshotThread.run { () -> Result<SnapshotStore.Captured, MLGymError> in
            Result { () throws(MLGymError) in try files.capture(sandbox, id: id, previous: previous, budgetBytes: budgetBytes) }
        }.get()
        if captured.kind == .image {
            // An image holds the files with the ids they carry on disk (a fork's are its parent's agent's).
            (carried.agentUID, carried.agentGID) = sandbox.volumeDiskOwner
        }
        do {
            let row = try await store.snapshots.add(SnapshotRecord(
                id: id, sessionID: session.id, name: name, ownerUID: session.ownerUID, kind: captured.kind.rawValue, trigger: trigger,
                evaluationID: evaluationID, bytes: captured.bytes, frozen: captured.frozen, frozenMilliseconds: captured.frozenMilliseconds,
                shell: carried.json), quotaBytes: configuration.snapshotQuotaBytes)
            DaemonLog.info("session \(session.id): snapshot \(row.number) (\(captured.kind.rawValue), \(ByteCount.format(UInt64(max(0, captured.bytes)))), frozen \(String(format: "%.1f", captured.frozenMilliseconds)) ms)\(captured.skipped.isEmpty ? "" : "; not kept: \(captured.skipped.prefix(5).joined(separator: ", "))")")
            return row
        } catch {
            await SnapshotThread.run { try? files.remove(id) }
            throw error
        }
    }

    /// The session's snapshots (it may have stopped: its snapshots outlive it until it is removed).
    public func snapshots(_ reference: String, for peer: PeerCredentials) async throws(MLGymError) -> SnapshotList {
        let record = try await resolve(reference, for: peer)
        let rows = try await store.snapshots.snapshots(of: record.id)
        return SnapshotList(
            session: record.id, snapshots: try await snapshotInfos(rows, of: record),
            ownerUsedBytes: try await store.snapshots.usage(ownerUID: record.ownerUID), ownerQuotaBytes: configuration.snapshotQuotaBytes)
    }

    /// Removes snapshot `SESSION@SNAPSHOT`: its row, then its files.
    public func removeSnapshot(_ reference: String, for peer: PeerCredentials) async throws(MLGymError) {
        let (sessionReference, snapshotReference) = SnapshotReference.split(reference)
        guard let snapshotReference else {
            throw MLGymError(.invalidArgument, "name the snapshot as SESSION@NUMBER or SESSION@NAME")
        }
        let record = try await resolve(sessionReference, for: peer)
        let row = try await store.snapshots.snapshot(of: record.id, snapshotReference)
        try await store.snapshots.delete(row.id)
        if let files = snapshotFiles { await SnapshotThread.run { try? files.remove(row.id) } }
        DaemonLog.info("session \(record.id): snapshot \(row.number) removed by uid \(peer.uid)")
    }

    /// A new session, owned by the caller, with the same task, spec and limits, started from the snapshot (a
    /// fresh one of the running session when none is named) and with its shell state.
    public func fork(_ reference: String, _ request: ForkRequest, for peer: PeerCredentials) async throws(MLGymError) -> SessionInfo {
        let (sessionReference, inline) = SnapshotReference.split(reference)
        let record = try await resolveSessionOrRun(sessionReference, for: peer)
        let snapshot: SnapshotRecord
        if let named = request.snapshot ?? inline {
            snapshot = named == "best" ? try await bestSnapshot(of: record) : try await store.snapshots.snapshot(of: record.id, named)
        } else {
            let session = try runningSession(record, hint: "name one of its snapshots: mlgymctl fork \(record.id)@N")
            snapshot = try await takeSnapshot(of: session, name: nil, trigger: "fork")
        }
        guard var spec = record.startSpec else {
            throw MLGymError(.invalidState, "session \(record.id)'s spec cannot be read")
        }
        spec.name = request.name
        let carried = CarriedShellState.decode(snapshot.shell) ?? CarriedShellState(complete: false, agentUID: 0, agentGID: 0)
        return try await create(spec, owner: peer, fork: ForkSource(snapshot: snapshot, carried: carried))
    }

    /// Rolls the running session back to one of its snapshots: its layers' files, then its shell's directory
    /// and variables when the shell is free.
    public func restore(_ reference: String, _ request: RestoreRequest, for peer: PeerCredentials) async throws(MLGymError) -> RestoreInfo {
        let files = try requireSnapshotFiles()
        let (sessionReference, inline) = SnapshotReference.split(reference)
        let record = try await resolve(sessionReference, for: peer)
        let session = try runningSession(record)
        let named = request.snapshot.isEmpty ? inline : request.snapshot
        guard let named else { throw MLGymError(.invalidArgument, "name the snapshot to restore: SESSION@NUMBER or SESSION@NAME") }
        let row = named == "best" ? try await bestSnapshot(of: record) : try await store.snapshots.snapshot(of: record.id, named)
        let carried = CarriedShellState.decode(row.shell)
        try claimSnapshotWork(session.id)
        defer { releaseSnapshotWork(session.id) }
        let clock = ContinuousClock.now
        let sandbox = session.sandbox
        let kind = SnapshotStore.Kind(rawValue: row.kind) ?? .tree
        let bytes = try await SnapshotThread.run { () -> Result<Int64, MLGymError> in
            Result { () throws(MLGymError) in
                try files.materialize(row.id, kind: kind, into: sandbox, ownerUID: carried?.agentUID ?? sandbox.agentHostUID, ownerGID: carried?.agentGID ?? sandbox.agentHostGID)
            }
        }.get()
        var shellRestored = false
        if let carried, let shell = try? await session.shell() { shellRestored = await carried.apply(to: shell) }
        let elapsed = ContinuousClock.now - clock
        DaemonLog.info("session \(record.id): restored to snapshot \(row.number) by uid \(peer.uid)")
        return RestoreInfo(
            snapshot: try await snapshotInfos([row], of: record).first!, bytes: bytes,
            durationMs: Int64(elapsed.milliseconds), shellRestored: shellRestored)
    }

    /// Where a resumed run can start instead of replaying every committed action: the last snapshot its lost
    /// session took at a validate, and the index of the first step after the one it was taken in.
    func resumePoint(of sessionID: String, steps: [AgentStep]) async -> (fork: ForkSource, nextStep: Int)? {
        guard snapshotFiles != nil, let rows = try? await store.snapshots.snapshots(of: sessionID),
              let last = rows.last(where: { $0.trigger == "validate" }),
              let carried = CarriedShellState.decode(last.shell),
              let index = steps.lastIndex(where: { $0.startedAt <= last.createdAt })
        else { return nil }
        return (ForkSource(snapshot: last, carried: carried), index + 1)
    }

    /// Removes snapshot files that have no row (a session removed while the daemon was down, work a crash
    /// interrupted).
    func sweepSnapshots() async {
        guard let files = snapshotFiles, let kept = try? await store.snapshots.allIDs() else { return }
        let removed = await SnapshotThread.run { files.sweep(keeping: kept) }
        if !removed.isEmpty { DaemonLog.info("removed \(removed.count) snapshot leftover(s): \(removed.prefix(5).joined(separator: ", "))") }
    }

    // MARK: Helpers


    /// A session by its reference, or the session of agent run `reference` (so `fork RUN@best` works).
    private func resolveSessionOrRun(_ reference: String, for peer: PeerCredentials) async throws(MLGymError) -> SessionRecord {
        do {
            return try await resolve(reference, for: peer)
        } catch let error where error.code == .notFound {
            let runs = try await store.runs.runs(idPrefix: reference, ownerUID: peer.isAdministrator ? nil : peer.uid)
            guard runs.count == 1, let sessionID = runs[0].sessionID else { throw error }
            return try await resolve(sessionID, for: peer)
        }
    }

    private func runningSession(_ record: SessionRecord, hint: String? = nil) throws(MLGymError) -> LiveSession {
        guard let session = live[record.id] else {
            throw MLGymError(.invalidState, "session \(record.id) is \(record.state.rawValue), not running" + (hint.map { "; \($0)" } ?? ""))
        }
        return session
    }

    private func requireSnapshotFiles() throws(MLGymError) -> SnapshotStore {
        guard let snapshotFiles else {
            throw MLGymError(.unsupported, "this mlgymd has no snapshot store (see its log: the state directory's snapshots/ could not be made)")
        }
        return snapshotFiles
    }

    private func claimSnapshotWork(_ id: String) throws(MLGymError) {
        guard snapshotWork.insert(id).inserted else {
            throw MLGymError(.invalidState, "a snapshot or restore of session \(id) is already running; wait for it")
        }
    }

    private func releaseSnapshotWork(_ id: String) { snapshotWork.remove(id) }

    /// The snapshot taken at the session's best validate (by its task's metric).
    private func bestSnapshot(of record: SessionRecord) async throws(MLGymError) -> SnapshotRecord {
        let rows = try await store.snapshots.snapshots(of: record.id)
        let scored = try await scores(of: rows, in: record)
        guard let task = try? taskOfRecord(record), task.config.rankingMetric != nil else {
            throw MLGymError(.notFound, "session \(record.id) has no task metric: 'best' needs one; name a snapshot instead")
        }
        let candidates = rows.compactMap { row in scored[row.id].map { (row, $0) } }
        let best = task.config.metricDirection == .min ? candidates.min { $0.1 < $1.1 } : candidates.max { $0.1 < $1.1 }
        guard let best else {
            throw MLGymError(.notFound, "session \(record.id) has no snapshot taken at a successful validate (start its run with --snapshot-on validate)")
        }
        return best.0
    }

    /// Each validate snapshot's score on the task's ranking metric.
    private func scores(of rows: [SnapshotRecord], in record: SessionRecord) async throws(MLGymError) -> [String: Double] {
        guard rows.contains(where: { $0.evaluationID != nil }), let metric = (try? taskOfRecord(record))?.config.rankingMetric else { return [:] }
        let evaluations = try await store.evaluations.evaluations(record.id)
        var result: [String: Double] = [:]
        for row in rows {
            guard let evaluationID = row.evaluationID,
                  let evaluation = evaluations.first(where: { $0.id == evaluationID && $0.status == "succeeded" }),
                  let value = evaluation.metrics[metric] else { continue }
            result[row.id] = value
        }
        return result
    }

    func snapshotInfos(_ rows: [SnapshotRecord], of record: SessionRecord) async throws(MLGymError) -> [SnapshotInfo] {
        let scored = try await scores(of: rows, in: record)
        return rows.map { row in
            let carried = CarriedShellState.decode(row.shell)
            return SnapshotInfo(
                reference: "\(row.sessionID)@\(row.number)", session: row.sessionID, number: row.number, name: row.name, kind: row.kind,
                trigger: row.trigger, evaluationID: row.evaluationID, score: scored[row.id], bytes: row.bytes, frozen: row.frozen,
                frozenMs: row.frozenMilliseconds, workingDirectory: carried?.workingDirectory, variables: carried?.exports.map(\.name) ?? [],
                createdAt: row.createdAt)
        }
    }

    /// Names are for people and `ID@NAME`: short, no `@` or `/`, not a number (numbers are `ID@N`), not `best`.
    static func checkSnapshotName(_ name: String) throws(MLGymError) {
        let allowed = name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0)) }
        guard !name.isEmpty, name.count <= 64, allowed, Int(name) == nil, name != "best" else {
            throw MLGymError(.invalidArgument, "snapshot name '\(name)' must be 1-64 letters, digits, '.', '_' or '-', not only digits, and not 'best'")
        }
    }
}
