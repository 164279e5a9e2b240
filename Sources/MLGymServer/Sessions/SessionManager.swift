import Foundation
import MLGymAPI
import MLGymCore
import MLGymSandbox
import MLGymServices
import MLGymStore
import MLGymTasks
import NIOPosix

/// Owns every session of the daemon: creates sandboxes, keeps the running ones, and commits each change to the
/// store before it is acknowledged.
///
/// An actor for the registry of live sessions; long work (building a sandbox, running a command) happens in
/// the sandbox and shell types, which are thread-safe, so one slow session never holds up another.
public actor SessionManager {
    public struct Configuration: Sendable {
        public var rootFilesystem: SandboxSpec.RootFilesystem = .host
        /// Limits a session gets when its spec names none. The disk limit is every session's writable storage
        /// (workspace, overlay, evaluation copies): without one an agent could fill the host's disk.
        public var defaultLimits = ResourceLimits(memoryBytes: 8 << 30, pids: 1024, diskBytes: 20 << 30)
        /// Sessions a non-root uid may have in `creating` or `running` at once.
        public var maxActiveSessionsPerUID = 16
        /// Seconds an exec may run when the request names no timeout.
        public var defaultExecTimeout: Double = 600
        /// First host uid (and gid) of the range that root's sessions run their agents as, one per session.
        public var agentUIDBase: UInt32 = 2_000_000_000
        /// The package indexes a session in `packages` network mode may reach (`--package-index`; default: the
        /// index pip on this host is configured with).
        public var packageIndexes: [String] = PackageIndexPolicy.hostDefault()
        /// Sandboxes kept built ahead per session shape (`--warm-pool`); 0 for none.
        public var warmPoolSize = 0
        /// The most bytes one uid's snapshots may hold (`--snapshot-quota`); nil for no limit.
        public var snapshotQuotaBytes: Int64? = 20 << 30
        public init() {}
    }

    let store: Store
    let engine: SandboxEngine
    let configuration: Configuration
    /// The benchmark tasks; nil for a daemon without any (sessions are then bare sandboxes).
    let tasks: TaskCatalog?
    /// `validate` and `submit` for agents in task sessions; nil when mlgymctl is not installed beside mlgymd.
    let agentTools: AgentTools?
    /// Threads for the sessions' agent sockets.
    let agentSocketGroup: MultiThreadedEventLoopGroup
    /// The memory the agents' memory_write and memory_read use; nil without one.
    let memory: MemoryService?
    /// Literature search and PDF text for the agents' literature_search and parse_pdf; nil without them.
    let literature: LiteratureRoutes.Services?
    /// Who each sandbox's agent runs as on the host.
    let identities: AgentIdentities
    /// Sandboxes built ahead; nil without `--warm-pool` or without cgroups (whose limits could not be applied
    /// to a sandbox after its start).
    let warmPool: WarmPool?
    var live: [String: LiveSession] = [:]
    /// The files of sessions' snapshots (`<state>/snapshots`); nil when that directory could not be made.
    let snapshotFiles: SnapshotStore?
    /// Sessions a snapshot or restore is working on now.
    var snapshotWork: Set<String> = []
    /// Runs and records task sessions' evaluations.
    let evaluationCoordinator: EvaluationCoordinator
    /// Where session changes are told to followers (`GET /v1/events`).
    let changes: ChangeFeed
    /// Stops in progress, which later stop requests for the same session wait for.
    private var stopsInProgress: [String: Task<Void, Never>] = [:]
    /// Storage of stopped sessions still being removed (cgroup, volume, directories), after their stop answered.
    private var removals: [String: Task<Void, Never>] = [:]
    private var stopping = false

    /// Where clients' workspaces are staged while a sandbox is built (see `PinnedDirectory`).
    nonisolated var workspaceStaging: String {
        URL(fileURLWithPath: engine.configuration.runtimeDirectory).deletingLastPathComponent().appendingPathComponent("workspaces").path
    }

    init(
        store: Store, engine: SandboxEngine, configuration: Configuration, tasks: TaskCatalog? = nil,
        agentTools: AgentTools? = nil, agentSocketGroup: MultiThreadedEventLoopGroup, memory: MemoryService? = nil,
        literature: LiteratureRoutes.Services? = nil, changes: ChangeFeed = ChangeFeed()
    ) {
        self.changes = changes
        self.store = store
        self.engine = engine
        self.configuration = configuration
        self.tasks = tasks
        self.agentTools = agentTools
        self.agentSocketGroup = agentSocketGroup
        self.memory = memory
        self.literature = literature
        identities = AgentIdentities(base: configuration.agentUIDBase)
        let snapshotDirectory = URL(fileURLWithPath: engine.configuration.stateDirectory).deletingLastPathComponent().appendingPathComponent("snapshots").path
        do {
            snapshotFiles = try SnapshotStore(directory: snapshotDirectory)
        } catch {
            snapshotFiles = nil
            DaemonLog.warning("snapshots are off: \(error.message)")
        }
        evaluationCoordinator = EvaluationCoordinator(
            store: store, engine: engine, rootFilesystem: configuration.rootFilesystem, tasks: tasks)
        warmPool = configuration.warmPoolSize > 0 && engine.cgroupHost != nil
            ? WarmPool(size: configuration.warmPoolSize, engine: engine, identities: identities) : nil
    }

    private var shutdownTask: Task<Void, Never>?

    func beginStopping() { stopping = true }

    /// Runs `work` the first time; later callers wait for that same run.
    func shutdownOnce(_ work: @escaping @Sendable () async -> Void) async {
        let task = shutdownTask ?? Task { await work() }
        shutdownTask = task
        await task.value
    }

    func liveIDs() -> [String] { Array(live.keys) }

    // MARK: Create

    public func create(_ spec: SessionSpec, owner: PeerCredentials) async throws(MLGymError) -> SessionInfo {
        try await create(spec, owner: owner, fork: nil)
    }

    /// `create`, or with `fork` a session that starts from a snapshot instead of the task's starter files.
    func create(_ spec: SessionSpec, owner: PeerCredentials, fork: ForkSource?) async throws(MLGymError) -> SessionInfo {
        guard !stopping else { throw MLGymError(.invalidState, "mlgymd is shutting down; start the session after it restarts") }
        let (specForSandbox, pinnedWorkspace) = try spec.sandboxSpec(
            rootFilesystem: configuration.rootFilesystem, defaults: configuration.defaultLimits, owner: owner,
            capacity: .current(volumeDirectory: engine.configuration.stateDirectory),
            stagingDirectory: workspaceStaging + "/" + SandboxEngine.newID())
        var sandboxSpec = specForSandbox
        // A task that does not exist, or cannot run here, is refused before anything is recorded.
        var task: BenchmarkTask?
        if let taskID = spec.task {
            // Starter files are written into the workspace as root: never into a directory a client controls.
            guard spec.workspace == nil else {
                throw MLGymError(.invalidArgument, "a task session gets a fresh workspace with the task's files; --workspace cannot be combined with --task")
            }
            task = try await runnableTask(taskID)
            if spec.disk == nil, let need = task?.config.diskBytes {
                // The task's own need replaces the daemon's default; the host must have it free.
                sandboxSpec.limits.diskBytes = need
                try HostCapacity.current(volumeDirectory: engine.configuration.stateDirectory).check(sandboxSpec.limits, for: owner)
            }
        }
        let packagePolicy = spec.network == "packages" ? try packageIndexPolicy() : nil
        if let packagePolicy {
            sandboxSpec.environment.merge(PackageProxy.environment(policy: packagePolicy)) { _, new in new }
        }
        if let snapshotOn = spec.snapshotOn, snapshotOn != "validate" {
            throw MLGymError(.invalidArgument, "snapshotOn '\(snapshotOn)' must be 'validate' (a snapshot at every validate) or left out")
        }
        if fork != nil && spec.workspace != nil {
            throw MLGymError(.unsupported, "a session on a host directory (--workspace) cannot be forked: only a workspace mlgymd made is in a snapshot")
        }
        let start = SessionStart(spec: spec, sandboxSpec: sandboxSpec, owner: owner, task: task, packagePolicy: packagePolicy, fork: fork)
        // A bare session may be served by a sandbox built ahead; a task session binds its data and socket as it is
        // built, and a fork's volume comes from its snapshot.
        let shape = task == nil && fork == nil ? warmShape(of: sandboxSpec, owner: owner) : nil
        let session: LiveSession
        let record: SessionRecord
        let warm: Bool
        if let shape, let built = await warmPool?.take(shape) {
            (session, record) = try await startWarm(start, on: built)
            warm = true
        } else {
            (session, record) = try await startCold(start)
            warm = false
        }
        // The workspace is bound now; until here its descriptor had to stay open.
        withExtendedLifetime(pinnedWorkspace) {}
        let id = session.id
        live[id] = session
        if stopping {
            // The daemon began shutting down while this session was being built: it does not outlive that.
            _ = try? await stop(id, for: owner, reason: "mlgymd shut down")
            throw MLGymError(.invalidState, "mlgymd is shutting down; start the session after it restarts")
        }
        watchEvents(of: session)
        changes.publish(Change(subject: .session, id: id, ownerUID: owner.uid, state: SessionState.running.rawValue))
        DaemonLog.info("session \(id) started for uid \(owner.uid) (init pid \(session.sandbox.initPID)\(warm ? ", built ahead" : ""))")
        // The row as this start committed it: a second read would cost every start a round trip to the store.
        var info = self.info(record, reason: warm ? SessionStart.warmReason : fork?.reason ?? SessionStart.coldReason)
        info.warm = warm
        if let shape {
            if warm { await warmPool?.replenish(shape) } else { await warmPool?.want(shape, spec: sandboxSpec) }
        }
        return info
    }

    /// Records what happens to the sandbox; a sandbox that ends on its own ends its session.
    private func watchEvents(of session: LiveSession) {
        let events = session.sandbox.events()
        Task { [store] in
            for await event in events {
                switch event {
                case .outOfMemory(let stats):
                    let details = (try? WireCoding.encoder().encode(stats)) ?? Data("{}".utf8)
                    await loggedWrite("record an OOM event of session \(session.id)") { try await store.sessions.recordEvent(session.id, kind: .oom, details: details) }
                case .wallTimeExceeded(let seconds):
                    await loggedWrite("record a wall-time event of session \(session.id)") { try await store.sessions.recordEvent(session.id, kind: .wallTime, details: Data("{\"seconds\":\(seconds)}".utf8)) }
                    await self.ended(session.id, state: .stopped, reason: "wall-time limit of \(seconds) s reached")
                case .initExited:
                    await loggedWrite("record the init exit of session \(session.id)") { try await store.sessions.recordEvent(session.id, kind: .initExited, details: Data("{}".utf8)) }
                    await self.ended(session.id, state: .failed, reason: "the sandbox's init process exited")
                case .stopped:
                    break
                }
            }
        }
    }

    private func ended(_ id: String, state: SessionState, reason: String) async {
        guard let session = live.removeValue(forKey: id) else { return }
        identities.release(id)
        await end(session, state: state, reason: reason)
        DaemonLog.info("session \(id) \(state.rawValue): \(reason)")
        if stopsInProgress.isEmpty { ProcessHeap.trim() }
    }

    /// The warm-pool shape of a bare session's sandbox, or nil when it cannot be served warm.
    private func warmShape(of spec: SandboxSpec, owner: PeerCredentials) -> WarmSandboxShape? {
        guard warmPool != nil else { return nil }
        let agent: WarmSandboxShape.Agent
        if engine.rootless {
            agent = .fixed(uid: spec.identity.uid, gid: spec.identity.gid)
        } else {
            agent = owner.isAdministrator ? .ownUID : .fixed(uid: owner.uid, gid: owner.gid)
        }
        return WarmSandboxShape(spec, agent: agent)
    }

    /// Starts building root's default session shape ahead (`--warm-pool`); other shapes are warmed once asked for.
    public func warmUp() async {
        guard let warmPool else { return }
        let root = PeerCredentials(pid: 0, uid: 0, gid: 0)
        do {
            let (spec, _) = try SessionSpec().sandboxSpec(
                rootFilesystem: configuration.rootFilesystem, defaults: configuration.defaultLimits, owner: root,
                capacity: .current(volumeDirectory: engine.configuration.stateDirectory), stagingDirectory: workspaceStaging + "/unused")
            if let shape = warmShape(of: spec, owner: root) { await warmPool.want(shape, spec: spec) }
        } catch {
            DaemonLog.warning("warm pool: cannot warm the default session: \(error.message)")
        }
    }

    /// Sandboxes built ahead and ready now.
    public func warmSandboxes() async -> Int? { await warmPool?.readyCount }


    // MARK: Read

    /// Finds a session by id, unique id prefix or unique name, and checks that `peer` may act on it.
    ///
    /// Names are looked up among the caller's own sessions only, root's too: a member who names a session like
    /// one of root's (say, after root's is gone) must not receive root's `exec` and read its output. Ids, which
    /// nobody chooses, reach any session the caller may act on.
    func resolve(_ reference: String, for peer: PeerCredentials) async throws(MLGymError) -> SessionRecord {
        let record: SessionRecord
        do {
            record = try await store.sessions.session(reference)
        } catch let error where error.code == .notFound {
            var candidates = try await store.sessions.sessions(
                matching: reference, ownerUID: peer.isAdministrator ? nil : peer.uid, nameOwnerUID: peer.uid)
            // A name reused after the first session stopped means the one still active.
            let active = candidates.filter { $0.state.isActive }
            if candidates.count > 1 && active.count == 1 { candidates = active }
            record = try ReferenceLookup.single(candidates, reference: reference, noun: "session", listCommand: "mlgymctl ls")
        }
        try ReferenceLookup.authorize(owner: record.ownerUID, id: record.id, noun: "session", for: peer)
        return record
    }

    public func describe(_ reference: String, for peer: PeerCredentials) async throws(MLGymError) -> SessionInfo {
        let record = try await resolve(reference, for: peer)
        let reason = try await store.sessions.stateChanges(record.id).last?.reason
        return info(record, reason: reason)
    }

    public func list(for peer: PeerCredentials) async throws(MLGymError) -> [SessionInfo] {
        let records = try await store.sessions.sessions(ownerUID: peer.isAdministrator ? nil : peer.uid)
        var result: [SessionInfo] = []
        for record in records {
            result.append(info(record, reason: try await store.sessions.stateChanges(record.id).last?.reason))
        }
        return result
    }

    private func info(_ record: SessionRecord, reason: String?) -> SessionInfo {
        let spec = record.startSpec ?? SessionSpec()
        let session = live[record.id]
        let stats = session?.sandbox.stats()
        return SessionInfo(
            id: record.id, name: record.name, owner: record.ownerUID, state: record.state.rawValue, reason: reason,
            createdAt: record.createdAt, updatedAt: record.updatedAt, spec: spec,
            initPID: record.state.isActive ? record.initProcess?.pid : nil,
            attachedClients: session?.attachedClients,
            usage: session.map { session in
                SessionInfo.Usage(
                    memoryBytes: stats?.memoryCurrentBytes, memoryPeakBytes: stats?.memoryPeakBytes,
                    processes: session.sandbox.processIDs().count, oomKills: stats?.oomKills,
                    cpuSeconds: stats?.cpuUsageNanos.map { Double($0) / 1e9 }, memoryLimitHits: stats?.memoryLimitHits,
                    processLimitHits: stats?.pidsLimitHits)
            })
    }

    public func logs(_ reference: String, for peer: PeerCredentials, execLimit: Int? = nil) async throws(MLGymError) -> SessionLogs {
        let record = try await resolve(reference, for: peer)
        let changes = try await store.sessions.stateChanges(record.id)
        let events = try await store.sessions.events(record.id)
        let execs = try await store.sessions.execHistory(record.id, limit: execLimit)
        return SessionLogs(
            stateChanges: changes.map { .init(time: $0.time, from: $0.from?.rawValue, to: $0.to.rawValue, reason: $0.reason) },
            events: events.map { .init(time: $0.time, kind: $0.kind.rawValue, details: String(decoding: $0.details, as: UTF8.self)) },
            execs: execs.map {
                .init(startedAt: $0.startedAt, durationMs: $0.durationMs, command: $0.command.joined(separator: " "),
                      exitCode: $0.exitCode, timedOut: $0.timedOut, output: $0.output)
            })
    }

    /// The live session for `reference`, for exec and attach.
    func liveSession(_ reference: String, for peer: PeerCredentials) async throws(MLGymError) -> LiveSession {
        let record = try await resolve(reference, for: peer)
        guard let session = live[record.id] else {
            throw MLGymError(.invalidState, "session \(record.id) is \(record.state.rawValue), not running")
        }
        return session
    }

    // MARK: Stop and remove

    public func stop(_ reference: String, for peer: PeerCredentials, reason: String = "stopped on request") async throws(MLGymError) -> SessionInfo {
        let record = try await resolve(reference, for: peer)
        if let running = stopsInProgress[record.id] {
            // Someone else is stopping it: answer when that is done.
            await running.value
        } else if let session = live.removeValue(forKey: record.id) {
            identities.release(record.id)
            await end(session, state: .stopped, reason: reason)
            DaemonLog.info("session \(record.id) stopped (\(reason)) by uid \(peer.uid)")
            // Its shell's buffers and its commands' output were freed: give the pages back now, not at the next
            // periodic trim; once for a burst of stops (each trim walks the whole heap).
            if stopsInProgress.isEmpty { ProcessHeap.trim() }
        } else if record.state.isActive {
            // Creating right now, or its sandbox is gone: there is nothing to kill, only the record to close.
            _ = try await store.sessions.transition(record.id, to: .stopped, reason: reason)
            changes.publish(Change(subject: .session, id: record.id, ownerUID: record.ownerUID, state: SessionState.stopped.rawValue))
        }
        return try await describe(record.id, for: peer)
    }

    /// Ends `session`'s processes and records `state`; returns then, while its storage is removed in the
    /// background (`removals`): a stop answers once nothing of the session runs, not once its volume is unmounted.
    /// A second stop of the same session waits for the first to answer.
    private func end(_ session: LiveSession, state: SessionState, reason: String) async {
        let id = session.id
        let store = store
        let ending = Task { () -> Task<Void, Never> in
            let removal = await session.endProcesses()
            await loggedWrite("record session \(id) \(state.rawValue)") { try await store.sessions.transition(id, to: state, reason: reason) }
            return removal
        }
        stopsInProgress[id] = Task { _ = await ending.value }
        let removal = await ending.value
        changes.publish(Change(subject: .session, id: id, ownerUID: session.ownerUID, state: state.rawValue))
        stopsInProgress[id] = nil
        removals[id] = removal
        Task {
            await removal.value
            await self.removalFinished(id)
        }
    }

    private func removalFinished(_ id: String) { removals[id] = nil }

    /// Waits until the storage of every stopped session is removed.
    func awaitRemovals() async {
        for removal in Array(removals.values) { await removal.value }
    }

    /// Stopped sessions whose storage is still being removed.
    public func removalsInProgress() -> Int { removals.count }

    public func remove(_ reference: String, for peer: PeerCredentials, force: Bool) async throws(MLGymError) {
        let record = try await resolve(reference, for: peer)
        if record.state.isActive {
            guard force else {
                throw MLGymError(.invalidState, "session \(record.id) is \(record.state.rawValue); stop it first or remove it with --force")
            }
            _ = try await stop(record.id, for: peer, reason: "removed on request")
        }
        await removals[record.id]?.value
        // A session lost with a killed daemon may still have storage the restart could not remove (it was busy).
        engine.removeState(of: record.id)
        // Its snapshots go with it: the rows with the session's (a cascade), then their files.
        let snapshots = try await store.snapshots.snapshots(of: record.id)
        try await store.sessions.deleteSession(record.id)
        if let files = snapshotFiles, !snapshots.isEmpty {
            await SnapshotThread.run { for snapshot in snapshots { try? files.remove(snapshot.id) } }
        }
        changes.publish(Change(subject: .session, id: record.id, ownerUID: record.ownerUID, state: "removed"))
        DaemonLog.info("session \(record.id) removed by uid \(peer.uid)")
    }

    // MARK: Exec

    /// Runs `request` in the session's shell, sending output to `onOutput` as it arrives, and records it in
    /// the exec history before returning.
    public func exec(
        _ reference: String, _ request: ExecRequest, for peer: PeerCredentials,
        onOutput: (@Sendable ([UInt8]) -> Void)? = nil, flow: OutputFlow? = nil
    ) async throws(MLGymError) -> ExecResult {
        let timeout = try validatedTimeout(request)
        let session = try await liveSession(reference, for: peer)
        return try await Self.run(
            request.command, timeout: timeout, silenceTimeout: request.noOutputTimeout, in: session, store: store, onOutput: onOutput, flow: flow).result
    }

    /// `exec` for an agent run: also runs `epilogue` (a state read) in the same round trip and returns its
    /// output, and leaves the exec history's row to the caller, which commits it with the run's step.
    func exec(
        _ reference: String, _ request: ExecRequest, for peer: PeerCredentials, epilogue: String
    ) async throws(MLGymError) -> (result: ExecResult, epilogue: String?, history: NewExec?) {
        let timeout = try validatedTimeout(request)
        let session = try await liveSession(reference, for: peer)
        return try await Self.run(
            request.command, timeout: timeout, silenceTimeout: request.noOutputTimeout, epilogue: epilogue, recordHistory: false,
            in: session, store: store, onOutput: nil)
    }

    /// The request's timeout, or the default; a 400-class error when it is not a sensible number of seconds.
    nonisolated func validatedTimeout(_ request: ExecRequest) throws(MLGymError) -> Double {
        let timeout = request.timeout ?? configuration.defaultExecTimeout
        guard timeout > 0, timeout <= 7 * 86400 else {
            throw MLGymError(.invalidArgument, "timeout \(timeout) must be more than 0 and at most 604800 seconds")
        }
        if let silence = request.noOutputTimeout, !(silence > 0 && silence <= 7 * 86400) {
            throw MLGymError(.invalidArgument, "noOutputTimeout \(silence) must be more than 0 and at most 604800 seconds")
        }
        return timeout
    }

    /// Outside the actor: a long command must not hold up other sessions.
    private nonisolated static func run(
        _ command: String, timeout: Double, silenceTimeout: Double? = nil, epilogue: String? = nil, recordHistory: Bool = true,
        in session: LiveSession, store: Store, onOutput: (@Sendable ([UInt8]) -> Void)?, flow: OutputFlow? = nil
    ) async throws(MLGymError) -> (result: ExecResult, epilogue: String?, history: NewExec?) {
        let startedAt = Date()
        let clock = ContinuousClock.now
        let result: PersistentShell.Result
        var epilogueOutput: String?
        do {
            let limit = Duration.milliseconds(Int64(timeout * 1000))
            let silence = silenceTimeout.map { Duration.milliseconds(Int64($0 * 1000)) }
            if let epilogue {
                (result, epilogueOutput) = try await session.shell().run(command, timeout: limit, silenceTimeout: silence, epilogue: epilogue)
            } else {
                result = try await session.shell().run(command, timeout: limit, silenceTimeout: silence, onOutput: onOutput, flow: flow)
            }
        } catch let error as MLGymError {
            throw error
        } catch {
            throw MLGymError(.system, "the command could not run: \(error)")
        }
        let elapsed = ContinuousClock.now - clock
        let durationMs = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        let history = NewExec(
            sessionID: session.id, command: [command], exitCode: result.exitCode, timedOut: result.timedOut,
            startedAt: startedAt, finishedAt: Date(), durationMs: durationMs, output: result.output)
        if recordHistory { _ = try await store.sessions.recordExec(history) }
        let answer = ExecResult(
            exitCode: result.exitCode, timedOut: result.timedOut, durationMs: durationMs, output: result.output,
            truncated: result.truncated, timedOutWithoutOutput: result.timedOut ? result.timedOutSilent : nil)
        return (answer, epilogueOutput, recordHistory ? nil : history)
    }
}
