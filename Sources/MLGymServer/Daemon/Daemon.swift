import Dispatch
import Foundation
import Glibc
import MLGymCore
import MLGymSandbox
import MLGymServices
import MLGymStore
import MLGymTasks
import NIOPosix

/// mlgymd: opens the store, cleans up after a previous daemon, listens on the socket, and on SIGTERM stops
/// accepting, lets requests in flight finish (for up to `shutdownGrace`), then stops every session.
public final class Daemon: Sendable {
    public struct Configuration: Sendable {
        public var socketPath = "/run/mlgym/mlgymd.sock"
        public var stateDirectory = "/var/lib/mlgym"
        public var runtimeDirectory = "/run/mlgym"
        /// `host` or a directory tree used as every session's root filesystem.
        public var rootfs = "host"
        /// Group that may use the socket (mode 0660); nil leaves it to root (0600).
        public var socketGroup: gid_t?
        public var sessions = SessionManager.Configuration()
        public var http = HTTPServer.Limits()
        public var shutdownGrace: Duration = .seconds(30)
        /// Bytes of one command's output kept in the exec history.
        public var storeExecOutputLimit = 64 << 10
        /// The cgroup (under the daemon's own) that holds the sessions' cgroups.
        public var cgroupParent = "mlgym"
        /// Where mlgym-init is; nil finds it beside the running executable.
        public var initExecutable: String?
        /// Task roots (each laid out like an MLGym checkout: `configs/tasks/*.yaml`); the first definition of
        /// a task id wins.
        public var taskDirectories: [String] = []
        /// The shared Hugging Face cache sessions see read-only; nil means `<state-dir>/hf-cache`.
        public var datasetCache: String?
        /// The hub to fetch missing datasets from.
        public var hubEndpoint = "https://huggingface.co"
        /// The mlgymctl that agents get as validate/submit; nil finds it beside the running executable.
        public var agentToolsExecutable: String?
        /// Agent runs: prices, retries, model time-out.
        public var runs = RunManager.Configuration()
        /// Literature search's sources (Semantic Scholar, arXiv) and retries.
        public var literature = LiteratureService.Configuration()
        /// Whether parse_pdf URLs may lead to loopback or private addresses (tests, a lab mirror).
        public var pdfPrivateURLs = false
        /// The memory's embedder: built-in `lexical`, an OpenAI-compatible endpoint, or MLGym's MiniLM.
        public var embedder: EmbedderChoice = .lexical
        public enum EmbedderChoice: Sendable {
            case lexical
            case openAI(baseURL: String, model: String, apiKey: String?)
            case miniLM(python: String, script: String)
        }
        public init() {}
    }

    public let configuration: Configuration
    public let manager: SessionManager
    public let runs: RunManager
    /// What changes in sessions and runs, for `GET /v1/events` followers.
    let changes = ChangeFeed()
    public let memory: MemoryService
    private let server: HTTPServer

    public init(_ configuration: Configuration) throws(MLGymError) {
        self.configuration = configuration
        // Before the event loops and sandboxes start their threads: each would otherwise get an arena of its own.
        ProcessHeap.limitArenas(to: 4)
        // Every session's commands and output are in the state directory: root's alone unless the operator
        // made it otherwise. Created before the engine, which makes directories inside it.
        if !FileManager.default.fileExists(atPath: configuration.stateDirectory) {
            try? FileManager.default.createDirectory(
                atPath: configuration.stateDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        var engineConfiguration = SandboxEngine.Configuration(
            runtimeDirectory: configuration.runtimeDirectory + "/sandboxes",
            stateDirectory: configuration.stateDirectory + "/sandboxes")
        engineConfiguration.cgroupParent = configuration.cgroupParent
        if let initExecutable = configuration.initExecutable { engineConfiguration.initExecutable = initExecutable }
        let engine = try SandboxEngine(engineConfiguration)
        for warning in engine.warnings { DaemonLog.warning(warning) }
        var storeOptions = Store.Options()
        storeOptions.execOutputLimitBytes = configuration.storeExecOutputLimit
        let store = try Store(stateDirectory: configuration.stateDirectory, options: storeOptions)
        // SQLite creates the database with the umask's mode; its -wal and -shm files copy the database's mode
        // when they are created, so existing ones are fixed too.
        for suffix in ["", "-wal", "-shm"] { chmod(store.path + suffix, 0o600) }
        var sessions = configuration.sessions
        // Defaults apply only where the host can enforce them (a container may delegate no pids controller);
        // a limit a client asks for explicitly is still refused when it cannot be enforced.
        for (controller, name) in [("memory", "memory"), ("pids", "process")] where engine.cgroupHost?.hierarchy(for: controller) == nil {
            if controller == "memory" { sessions.defaultLimits.memoryBytes = nil } else { sessions.defaultLimits.pids = nil }
            // Rootless, the engine enforces an asked-for limit with an rlimit instead (see its own warning).
            let asked = engine.rootless
                ? "one asked for is an rlimit (\(controller == "memory" ? "RLIMIT_AS" : "RLIMIT_NPROC"))" : "asking for one fails"
            DaemonLog.warning("no \(controller) cgroup controller is available to mlgymd: sessions get no default \(name) limit, and \(asked)")
        }
        if engine.rootless, sessions.defaultLimits.diskBytes != nil {
            // A loop-mounted volume needs root; every session would otherwise carry the same warning.
            sessions.defaultLimits.diskBytes = nil
            DaemonLog.warning("rootless: sessions get no default disk limit (loop-mounted volumes need root); their workspaces are plain directories")
        }
        if let disk = sessions.defaultLimits.diskBytes {
            // Sessions that take the default get a volume formatted ahead of them.
            engine.volumePool?.prepare(sizeBytes: disk)
        }
        sessions.rootFilesystem = configuration.rootfs == "host" ? .host : .directory(configuration.rootfs)
        let registry = TaskRegistry(roots: configuration.taskDirectories)
        for problem in registry.problems { DaemonLog.warning("task not loaded: \(problem)") }
        let cacheDirectory = configuration.datasetCache ?? configuration.stateDirectory + "/hf-cache"
        try? FileManager.default.createDirectory(atPath: cacheDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        // The state directory is 0700; sandboxes reach the cache through a bind, which needs no path access.
        let catalog = TaskCatalog(
            registry: registry,
            hubCache: HubCache(directory: cacheDirectory, endpoint: configuration.hubEndpoint, token: ProcessInfo.processInfo.environment["HF_TOKEN"]),
            engine: engine, rootFilesystem: sessions.rootFilesystem)
        let tools = AgentTools.install(
            mlgymctl: configuration.agentToolsExecutable ?? SandboxEngine.siblingExecutable("mlgymctl"),
            runtimeDirectory: configuration.runtimeDirectory)
        let agentSocketGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        memory = MemoryService(store: store, embedder: try Self.embedder(configuration))
        let literature = LiteratureRoutes.Services(
            literature: LiteratureService(store: store, configuration: configuration.literature), engine: engine,
            scratch: configuration.stateDirectory + "/literature", privateAddresses: configuration.pdfPrivateURLs)
        manager = SessionManager(
            store: store, engine: engine, configuration: sessions, tasks: catalog, agentTools: tools, agentSocketGroup: agentSocketGroup,
            memory: memory, literature: literature, changes: changes)
        runs = RunManager(sessions: manager, store: store, configuration: configuration.runs)
        DaemonLog.info("\(registry.tasks.count) tasks from \(configuration.taskDirectories.joined(separator: ", "))")

        var router = Router()
        SessionRoutes.register(on: &router, manager: manager)
        ExecRoute.register(on: &router, manager: manager)
        InfoRoute.register(on: &router, engine: engine, rootfs: configuration.rootfs, sessions: manager)
        TaskRoutes.register(on: &router, catalog: catalog)
        EvaluationRoutes.register(on: &router, manager: manager)
        SnapshotRoutes.register(on: &router, manager: manager)
        RunRoutes.register(on: &router, runs: runs)
        EventRoutes.register(on: &router, feed: changes)
        MemoryRoutes.register(on: &router, memory: memory)
        LiteratureRoutes.register(on: &router, services: literature)
        let listener: HTTPServer.Listener = SocketActivation.takeListener().map { .descriptor($0) }
            ?? .path(configuration.socketPath, mode: configuration.socketGroup == nil ? 0o600 : 0o660, group: configuration.socketGroup)
        let manager = manager
        server = HTTPServer(
            listener: listener, router: router, limits: configuration.http,
            isWebSocketPath: AttachHandler.isAttachPath,
            webSocketHandler: { connection in await AttachHandler.handle(connection, manager: manager) })
    }

    private static func embedder(_ configuration: Configuration) throws(MLGymError) -> any TextEmbedder {
        switch configuration.embedder {
        case .lexical:
            return LexicalEmbedder()
        case .openAI(let baseURL, let model, let apiKey):
            return OpenAIEmbedder(baseURL: baseURL, model: model, apiKey: apiKey)
        case .miniLM(let python, let script):
            return try MiniLMEmbedder(python: python, script: script, logPath: configuration.stateDirectory + "/embed-minilm.log")
        }
    }

    /// Runs until SIGTERM or SIGINT.
    public func run() async throws {
        let recovered = try await manager.recover()
        // Evaluation copies of daemons before this one's layout (they now live on their session's volume).
        WorkspaceSnapshot.discard(configuration.stateDirectory + "/evaluations")
        if !recovered.lost.isEmpty || !recovered.cleaned.isEmpty || recovered.interruptedEvaluations > 0 {
            DaemonLog.warning(
                "after restart: \(recovered.lost.count) sessions marked lost, \(recovered.cleaned.count) sandboxes cleaned up, "
                    + "\(recovered.interruptedEvaluations) evaluations recorded as interrupted")
        }
        let interrupted = try await runs.recover()
        if !interrupted.isEmpty {
            DaemonLog.warning("after restart: \(interrupted.count) runs marked interrupted (mlgymctl run --resume ID continues one)")
        }
        let listening = try await server.bind()
        await manager.warmUp()
        let signals = watchSignals()
        defer { for source in signals { source.cancel() } }
        // Memory freed after a large output or a busy hour goes back to the kernel (see ProcessHeap).
        let trimmer = ProcessHeap.trimPeriodically(every: .seconds(30))
        defer { trimmer.cancel() }
        DaemonLog.info("mlgymd listening on \(configuration.socketPath) (state in \(configuration.stateDirectory))")
        SystemdNotifier.notify("READY=1\nSTATUS=listening\nMAINPID=\(getpid())")
        try await server.run(listening)
        await runs.shutdown()
        await manager.shutdown()
        manager.engine.volumePool?.stop()
        DaemonLog.info("mlgymd stopped")
    }

    /// Begins the shutdown described on the type.
    public func stop() {
        SystemdNotifier.notify("STOPPING=1\nSTATUS=finishing requests in flight")
        DaemonLog.info("stopping: no new connections; finishing requests in flight")
        server.shutdown()
        let manager = manager
        let runs = runs
        let server = server
        let changes = changes
        let grace = configuration.shutdownGrace
        Task {
            // Runs first: none may start a session while sessions begin to refuse them. They stop at once
            // (their sessions with them) and record `interrupted`, to be resumed after the restart.
            await runs.beginStopping()
            await manager.beginStopping()
            await runs.shutdown()
            // Followers were told of their runs' interruption; their streams end now, so that they do not hold
            // the shutdown for the whole grace period as requests in flight.
            changes.close()
            try? await Task.sleep(for: grace)
            // Requests still running (a long exec, an attached terminal) end with their sessions; a client
            // still sending a request, or holding its connection, is cut off.
            await manager.shutdown()
            server.closeAllConnections()
        }
    }

    private func watchSignals() -> [any DispatchSourceSignal] {
        signal(SIGPIPE, SIG_IGN)
        return [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler { [self] in stop() }
            source.resume()
            return source
        }
    }
}
