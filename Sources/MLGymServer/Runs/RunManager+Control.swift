import Foundation
import MLGymAPI
import MLGymAgent
import MLGymCore
import MLGymStore

extension RunManager {
    /// Stops a run: no more model calls (one in flight is abandoned), its session stopped (which ends a running
    /// command at once). Returns when the run has recorded its end.
    public func stop(_ reference: String, for peer: PeerCredentials) async throws(MLGymError) -> RunInfo {
        let record = try await resolve(reference, for: peer)
        if let control = controls[record.id] {
            control.stop()
            if let sessionID = try? await store.runs.run(record.id).sessionID {
                _ = try? await sessions.stop(sessionID, for: peer, reason: "its run was stopped")
            }
            await waitForRuns(limit: .seconds(10)) { $0.controls[record.id] == nil }
        }
        return try await describe(record.id, for: peer)
    }

    /// Continues an interrupted run from its last committed step, in a new session.
    public func resume(_ reference: String, apiKey: String?, gpus: String? = nil, for peer: PeerCredentials) async throws(MLGymError) -> RunInfo {
        guard !stopping else { throw MLGymError(.invalidState, "mlgymd is shutting down; resume the run after it restarts") }
        let record = try await resolve(reference, for: peer)
        guard record.state == .interrupted else {
            throw MLGymError(.invalidState, "run \(record.id) is \(record.state.rawValue); only an interrupted run can be resumed")
        }
        guard controls[record.id] == nil else { throw MLGymError(.invalidState, "run \(record.id) is being resumed already") }
        var request: RunRequest
        do {
            request = try WireCoding.decoder().decode(RunRequest.self, from: record.config)
        } catch {
            throw MLGymError(.system, "run \(record.id)'s configuration cannot be read: \(error)")
        }
        // Someone else's run talks to an endpoint its owner chose: the caller's key must not go there.
        if apiKey != nil, peer.uid != record.ownerUID, request.apiBase != nil {
            throw MLGymError(.permissionDenied, "run \(record.id) belongs to uid \(record.ownerUID) and uses its own --api-base; only its owner may give it a key")
        }
        if let gpus { request.gpus = gpus }
        let owner = PeerCredentials(pid: peer.pid, uid: record.ownerUID, gid: record.ownerGID)
        let plan = try await plan(request, owner: owner)
        let previous = try await RunRecorder.steps(of: record.id, in: store)
        try await store.runs.requeue(record.id)
        controls[record.id] = RunControl(human: plan.model == .human ? humanProvider(for: record.id, owner: record.ownerUID) : nil)
        announce(record.id, owner: record.ownerUID, state: .queued)
        let key = apiKey ?? plan.defaultKey
        Task.detached { [self] in
            await self.execute(record.id, request: request, apiKey: key, owner: owner, previous: previous)
        }
        DaemonLog.info("run \(record.id) resumed after \(previous.count) steps by uid \(peer.uid)")
        return try await describe(record.id, for: peer)
    }

    /// The next action of a human-driven run.
    public func input(_ reference: String, action: String, for peer: PeerCredentials) async throws(MLGymError) {
        let record = try await resolve(reference, for: peer)
        guard let human = controls[record.id]?.human else {
            throw MLGymError(.invalidState, "run \(record.id) is not a running human run")
        }
        human.provide(action)
    }

    /// At start: the previous daemon's active runs are interrupted (their steps are all kept).
    public func recover() async throws(MLGymError) -> [String] {
        try await store.runs.interruptActive(
            reason: "mlgymd stopped while the run was active; continue it with mlgymctl run --resume ID")
    }

    /// At shutdown: no run starts any more, and every run stops (its model call abandoned; the session manager
    /// stops the sessions) and records `interrupted`, to be resumed after the restart.
    public func shutdown() async {
        stopping = true
        for control in controls.values { control.stop() }
        await waitForRuns(limit: .seconds(10)) { $0.controls.isEmpty }
    }

    /// Waits until `done` holds, looking again each time a run ends; gives up after `limit` (a run whose model
    /// call or command will not let go must not hold a stop or a shutdown for ever).
    func waitForRuns(limit: Duration, until done: (isolated RunManager) -> Bool) async {
        let deadline = ContinuousClock.now + limit
        while !done(self), ContinuousClock.now < deadline {
            nextRunWaiter += 1
            let id = nextRunWaiter
            let timer = Task { [weak self] in
                try? await Task.sleep(until: deadline)
                await self?.wakeRunWaiter(id)
            }
            await withCheckedContinuation { runWaiters[id] = $0 }
            timer.cancel()
        }
    }

    func wakeRunWaiter(_ id: UInt64) {
        runWaiters.removeValue(forKey: id)?.resume()
    }

    func wakeRunWaiters() {
        let waiting = runWaiters
        runWaiters = [:]
        for continuation in waiting.values { continuation.resume() }
    }

    /// Refuses new runs; what a stopping daemon does first, before sessions refuse new ones.
    public func beginStopping() {
        stopping = true
    }
}
