import Foundation
import MLGymAPI
import MLGymCore
import MLGymSandbox
import MLGymStore
import MLGymTasks

/// What a checked start request asks for, as `create` hands it to the two ways of starting.
struct SessionStart: Sendable {
    let spec: SessionSpec
    let sandboxSpec: SandboxSpec
    let owner: PeerCredentials
    let task: BenchmarkTask?
    let packagePolicy: PackageIndexPolicy?
    /// The snapshot a fork starts from; nil for a fresh session.
    var fork: ForkSource? = nil

    /// The reasons recorded with the move to `running`.
    static let coldReason = "started"
    static let warmReason = "started (built ahead)"
}

extension SessionManager {
    /// Builds the session's sandbox now: the row is recorded `creating` first (a daemon killed during the build
    /// leaves a row the restart marks `lost`), then the sandbox, the task's files, the shell; then `running`.
    func startCold(_ start: SessionStart) async throws(MLGymError) -> (LiveSession, SessionRecord) {
        let id = SandboxEngine.newID()
        var sandboxSpec = start.sandboxSpec
        if !engine.rootless {
            sandboxSpec.identity = identities.reserve(for: start.owner, sandbox: id)
        }
        do {
            _ = try await store.sessions.createSession(
                try newSession(id, start), maxActivePerOwner: start.owner.isAdministrator ? nil : configuration.maxActiveSessionsPerUID)
        } catch {
            identities.release(id)
            throw error
        }
        let sandbox: Sandbox
        let shell: PersistentShell
        var taskSetup: TaskSessionSetup?
        var packageProxy: PackageProxy?
        do {
            if let task = start.task {
                taskSetup = try await prepareTaskSession(
                    task, sandboxSpec: &sandboxSpec, sessionID: id, requestedGPUs: start.spec.gpus,
                    services: AgentSocket.Services(memory: start.spec.agentMemory ?? false, literature: start.spec.agentLiterature ?? false))
            }
            // A fork from an image snapshot mounts a reflink of that image as its volume.
            var imagePlaced = false
            if let fork = start.fork, fork.snapshot.kind == SnapshotStore.Kind.image.rawValue, let files = snapshotFiles,
               sandboxSpec.limits.diskBytes != nil, !engine.rootless {
                let path = try engine.volumeImagePath(of: id)
                imagePlaced = try await SnapshotThread.run { () -> Result<Bool, MLGymError> in
                    Result { () throws(MLGymError) in try files.cloneImage(of: fork.snapshot.id, to: path) }
                }.get()
                // Its files are the parent's agent's on disk: mounted idmapped, they are this agent's.
                if imagePlaced { sandboxSpec.volumeOwner = (fork.carried.agentUID, fork.carried.agentGID) }
            }
            sandbox = try await engine.create(sandboxSpec, id: id)
            do {
                packageProxy = try await openPackageProxy(start, for: sandbox)
                if let fork = start.fork {
                    try await fill(sandbox, from: fork, imagePlaced: imagePlaced)
                } else if let taskSetup {
                    try taskSetup.populateWorkspace(of: sandbox)
                }
                shell = try await PersistentShell.start(in: sandbox)
                if let fork = start.fork, !(await fork.carried.apply(to: shell)) {
                    DaemonLog.warning("session \(id): the shell state of \(fork.reason) could not be set")
                }
            } catch {
                await sandbox.stop()
                await packageProxy?.close()
                throw error
            }
        } catch {
            await taskSetup?.agentSocket?.close()
            throw await recordFailedStart(id, error)
        }
        let session = LiveSession(
            id: id, ownerUID: start.owner.uid, sandbox: sandbox, shell: shell, agentSocket: taskSetup?.agentSocket,
            packageProxy: packageProxy)
        do {
            let record = try await store.sessions.transition(
                id, to: .running, reason: start.fork?.reason ?? SessionStart.coldReason,
                initProcess: InitProcess(pid: sandbox.initPID, startTime: ProcessStart.time(of: sandbox.initPID)))
            return (session, record)
        } catch {
            await session.end()
            identities.release(id)
            throw error
        }
    }

    /// Serves the session with a sandbox built ahead: its limits are applied, then the row is recorded and moved
    /// to `running` in one commit. A warm sandbox that cannot serve (its limits refused, the session refused) is
    /// destroyed, never returned to the pool.
    func startWarm(_ start: SessionStart, on warm: WarmPool.Warm) async throws(MLGymError) -> (LiveSession, SessionRecord) {
        let sandbox = warm.sandbox
        let id = sandbox.id
        let record: SessionRecord
        do {
            try sandbox.applyLimits(start.sandboxSpec.limits)
            record = try await store.sessions.createSession(
                try newSession(id, start), maxActivePerOwner: start.owner.isAdministrator ? nil : configuration.maxActiveSessionsPerUID,
                running: (InitProcess(pid: sandbox.initPID, startTime: ProcessStart.time(of: sandbox.initPID)), SessionStart.warmReason))
        } catch {
            await sandbox.stop()
            identities.release(id)
            throw error
        }
        let packageProxy: PackageProxy?
        do {
            packageProxy = try await openPackageProxy(start, for: sandbox)
        } catch {
            await sandbox.stop()
            throw await recordFailedStart(id, error)
        }
        return (LiveSession(id: id, ownerUID: start.owner.uid, sandbox: sandbox, shell: warm.shell, packageProxy: packageProxy), record)
    }

    /// Puts a fork's snapshot into its new sandbox before its shell starts: an image placed as its volume
    /// only needs its files given to the fork's agent; otherwise the snapshot's files are written in.
    private func fill(_ sandbox: Sandbox, from fork: ForkSource, imagePlaced: Bool) async throws(MLGymError) {
        guard let files = snapshotFiles else { throw MLGymError(.unsupported, "this mlgymd has no snapshot store") }
        let snapshot = fork.snapshot, carried = fork.carried
        let kind = SnapshotStore.Kind(rawValue: snapshot.kind) ?? .tree
        try await SnapshotThread.run { () -> Result<Void, MLGymError> in
            Result { () throws(MLGymError) in
                if imagePlaced {
                    try files.adopt(sandbox, fromUID: carried.agentUID, fromGID: carried.agentGID)
                } else {
                    try files.materialize(snapshot.id, kind: kind, into: sandbox, ownerUID: carried.agentUID, ownerGID: carried.agentGID)
                }
            }
        }.get()
    }

    /// The row to record for session `id`.
    private func newSession(_ id: String, _ start: SessionStart) throws(MLGymError) -> NewSession {
        var stored = start.spec
        stored.name = start.spec.name ?? id
        let specJSON: Data
        do {
            specJSON = try WireCoding.encoder().encode(stored)
        } catch {
            throw MLGymError(.system, "cannot encode the session's spec: \(error)")
        }
        return NewSession(id: id, name: stored.name ?? id, ownerUID: start.owner.uid, spec: specJSON, cgroupName: id)
    }

    /// The proxy to the package indexes, for a session in `packages` network mode.
    private func openPackageProxy(_ start: SessionStart, for sandbox: Sandbox) async throws -> PackageProxy? {
        guard let policy = start.packagePolicy else { return nil }
        return try await PackageProxy.open(
            inNetworkOf: sandbox.initPID, joinUserNamespace: engine.rootless, policy: policy,
            group: agentSocketGroup, onRefused: networkRefusalRecorder(session: sandbox.id))
    }

    /// Records that session `id` failed to start (or forgets its row when the request was at fault), gives its
    /// agent uid back, and returns the error for the caller.
    private func recordFailedStart(_ id: String, _ error: any Error) async -> MLGymError {
        identities.release(id)
        let failure = (error as? MLGymError) ?? MLGymError(.system, "\(error)")
        await loggedWrite("record session \(id) failed") { try await store.sessions.transition(id, to: .failed, reason: failure.message) }
        if failure.isCallersFault {
            // The request was at fault (a GPU this host lacks, a limit it cannot honour): the caller has the
            // reason, and a row kept for each such request would let a member pile up rows without end.
            await loggedWrite("delete the row of session \(id)") { try await store.sessions.deleteSession(id) }
        }
        DaemonLog.warning("session \(id) failed to start: \(failure.message)")
        return failure
    }
}
