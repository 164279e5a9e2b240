import Foundation
import MLGymAPI
import MLGymCore

/// A self-contained record of one campaign run, as a directory `<results>/<task>+<model>+seed<N>/`:
///
/// - `manifest.json`: what ran where (`BundleManifest`)
/// - `record.json`: the run record scoring reads (`mlgymctl report --bundles`)
/// - `run.traj`, `results.json`: MLGym's files, for MLGym's own analysis scripts
/// - `evaluations.json`: every evaluation of the run's session, with artefact digests and the root filesystem
/// - `mlgymd.log`: the node-local daemon's log, when the run had one of its own
///
/// A bundle appears whole or not at all: it is written in `<results>/.incoming/` and renamed into place.
public struct ResultBundle: Sendable {
    public var manifest: BundleManifest
    public var record: RunRecord
    public var trajectory: RunTrajectory
    public var evaluations: EvaluationList?
    public var daemonLog: String?

    public init(manifest: BundleManifest, record: RunRecord, trajectory: RunTrajectory, evaluations: EvaluationList?, daemonLog: String? = nil) {
        self.manifest = manifest
        self.record = record
        self.trajectory = trajectory
        self.evaluations = evaluations
        self.daemonLog = daemonLog
    }

    /// Writes the bundle under `results` atomically, replacing an earlier one of the same run unless that one
    /// is finished and this one is not (a duplicate element that failed must not erase a result).
    public func write(to results: ResultsDirectory) throws(MLGymError) {
        if !manifest.isFinished, case .success(let existing?) = results.manifest(of: manifest.key), existing.isFinished {
            throw MLGymError(.alreadyExists, "\(manifest.key) has a finished bundle (run \(existing.run)); this \(manifest.state) run \(manifest.run) does not replace it")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        let staging = results.incoming + "/\(manifest.key).\(ProcessInfo.processInfo.hostName).\(getpid())"
        let final = results.bundlePath(manifest.key)
        do {
            try FileManager.default.createDirectory(atPath: results.incoming, withIntermediateDirectories: true)
            try? FileManager.default.removeItem(atPath: staging)
            try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: false)
            let (traj, resultsJSON) = try TrajectoryExport.files(trajectory)
            var files: [(String, Data)] = [
                ("manifest.json", try encoder.encode(manifest)), ("record.json", try encoder.encode(record)),
                ("run.traj", traj), ("results.json", resultsJSON),
                // The run as mlgym knows it (settings, per-step timing), from which MLGym's layout is rebuilt.
                ("trajectory.json", try WireCoding.encoder().encode(trajectory)),
            ]
            if let evaluations { files.append(("evaluations.json", try encoder.encode(evaluations))) }
            if let daemonLog { files.append(("mlgymd.log", Data(daemonLog.utf8))) }
            for (name, data) in files {
                try Self.writeDurably(data, to: staging + "/" + name)
            }
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            if let error = error as? MLGymError { throw error }
            throw MLGymError(.system, "cannot write the bundle of \(manifest.key) in \(results.incoming): \((error as NSError).localizedDescription)")
        }
        // An earlier bundle of the run (one that failed) steps aside first: rename(2) cannot replace a directory
        // that has files in it.
        let replaced = staging + ".replaced"
        let hadOne = rename(final, replaced) == 0
        guard rename(staging, final) == 0 else {
            let reason = String(cString: strerror(errno))
            if hadOne { _ = rename(replaced, final) }
            try? FileManager.default.removeItem(atPath: staging)
            throw MLGymError(.system, "cannot move the bundle of \(manifest.key) into \(results.path): \(reason)")
        }
        if hadOne { try? FileManager.default.removeItem(atPath: replaced) }
    }

    /// Written and flushed to the disk (or the file server) before the rename makes the bundle visible.
    private static func writeDurably(_ data: Data, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o644]) else {
            throw MLGymError(.system, "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }
}

/// What ran, where and with what: enough to tell two bundles of a run apart and to reproduce one.
public struct BundleManifest: Codable, Sendable, Equatable {
    public struct Slurm: Codable, Sendable, Equatable {
        public var jobID: String?
        public var arrayJobID: String?
        public var arrayTaskID: String?
        public var partition: String?
        public var nodeList: String?
        public init(environment: [String: String]) {
            jobID = environment["SLURM_JOB_ID"]
            arrayJobID = environment["SLURM_ARRAY_JOB_ID"]
            arrayTaskID = environment["SLURM_ARRAY_TASK_ID"]
            partition = environment["SLURM_JOB_PARTITION"]
            nodeList = environment["SLURM_JOB_NODELIST"]
        }
        public var isEmpty: Bool { jobID == nil }
    }

    /// The layout's version; readers refuse newer ones.
    public var format = 1
    public var campaign: String
    public var key: String
    public var index: Int
    public var task: String
    /// The model's name in the campaign (the method reports compare) and its spec.
    public var model: String
    public var modelSpec: String
    public var seed: Int
    public var run: String
    /// The run's end in mlgymd: `finished`, `failed` or `interrupted`. Only `finished` bundles count as done.
    public var state: String
    public var exitStatus: String?
    public var message: String?
    public var steps: Int
    public var cost: Double
    /// The per-run dollar limit the run had (its share of the campaign's budget); 0 for none.
    public var costLimit: Double
    /// The GPUs the run's session was given (`none`, indices or UUIDs); `gpus` lists every GPU of the host.
    public var gpuSelection: String?
    /// The root filesystem's identity (a digest of its package list), as mlgymd records with every evaluation.
    public var rootfs: String?
    public var host: String
    public var kernel: String
    public var gpus: [DaemonInfo.GPU]
    public var gpuDriver: String?
    public var mlgymVersion: String
    public var apiVersion: String
    /// `system` (the node's mlgymd) or `private` (one started for this run).
    public var daemon: String
    public var slurm: Slurm?
    /// SHA-256 of the campaign file the run was made from.
    public var specDigest: String
    public var startedAt: Date?
    public var endedAt: Date?
    public var writtenAt: Date

    public var isFinished: Bool { state == "finished" }

    public init(
        campaign: String, key: String, index: Int, task: String, model: String, modelSpec: String, seed: Int, run: String,
        state: String, exitStatus: String?, message: String?, steps: Int, cost: Double, costLimit: Double, rootfs: String?,
        host: HostFacts, mlgymVersion: String, apiVersion: String, daemon: String, slurm: Slurm?, specDigest: String,
        startedAt: Date?, endedAt: Date?, gpuSelection: String? = nil, writtenAt: Date = Date()
    ) {
        self.campaign = campaign
        self.key = key
        self.index = index
        self.task = task
        self.model = model
        self.modelSpec = modelSpec
        self.seed = seed
        self.run = run
        self.state = state
        self.exitStatus = exitStatus
        self.message = message
        self.steps = steps
        self.cost = cost
        self.costLimit = costLimit
        self.gpuSelection = gpuSelection
        self.rootfs = rootfs
        self.host = host.hostname
        self.kernel = host.kernel
        self.gpus = host.gpus
        self.gpuDriver = host.driver
        self.mlgymVersion = mlgymVersion
        self.apiVersion = apiVersion
        self.daemon = daemon
        self.slurm = slurm
        self.specDigest = specDigest
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.writtenAt = writtenAt
    }
}
