import Foundation
import MLGymCore

/// MLGym's task file (`configs/tasks/*.yaml`), every field MLGym reads, plus a few of ours that MLGym keeps
/// elsewhere (the priority metric and its direction live in MLGym's evaluation code; GPUs per agent in its shell
/// scripts). An MLGym task file loads unchanged; an unknown or mistyped field is an error naming file and field.
public struct TaskConfig: Sendable, Equatable {
    public var id: String
    public var name: String
    /// The task prompt; `{dataset_docs}` is replaced by the datasets' descriptions (`renderedDescription`).
    public var description: String
    /// Dataset files, relative to the task root's `configs/` directory.
    public var datasetConfigs: [String]
    public var entrypoint: TaskEntrypoint
    /// Seconds for the baseline, each evaluation and each training-like command; MLGym's default is 3600.
    public var trainingTimeout: Int
    public var requirementsPath: String?
    public var benchmarkName: String?
    public var useGenericConda: Bool
    /// Files or directories (relative to the task root) copied into the workspace.
    public var starterCode: [String]
    /// Workspace-relative baseline scripts; only the first runs (as in MLGym).
    public var baselinePaths: [String]
    /// Recorded baseline metrics; only the first entry counts (as in MLGym).
    public var baselineScores: [[String: Double]]
    public var sampleSubmission: String?
    /// Workspace-relative evaluation scripts; only the first runs. The evaluation always uses the pristine copy.
    public var evaluationPaths: [String]
    public var evaluationReadOnly: Bool
    /// Files (relative to the task root) that only the evaluation sandbox sees, at `/home/agent/hidden/<name>`.
    /// MLGym declares this field but never implemented it; here it is how answers stay out of the agent's reach.
    public var secretFiles: [String]
    public var memoryPath: String?

    // Extensions (see docs/tasks.md).
    /// The research area, for listings ("Game theory", "Computer vision").
    public var domain: String?
    /// The metric used for ranking and AUP; defaults to the first key of the baseline scores.
    public var priorityMetric: String?
    public var metricDirection: MetricDirection
    /// GPUs a session of this task needs (MLGym's `gpus_per_agent` in its benchmark scripts).
    public var gpus: Int
    /// Python modules the task's scripts import; a host whose root filesystem lacks one cannot run the task.
    public var pythonModules: [String]
    /// The workspace-relative artefact the evaluation reads (`submission.csv`, `config.yaml`, `strategy.py`).
    public var submissionArtefact: String?
    /// Starter files the evaluation depends on (`target.py`); the evaluation restores the pristine copies.
    public var protectedFiles: [String]
    /// How far a re-run of the baseline may land from `baselineScores[0]` on the priority metric.
    public var baselineTolerance: Double?
    /// The disk a session on this task needs (checkpoints, generated data), `disk: 40G`; sessions that name
    /// no size get this instead of the daemon's default. An mlgym extension.
    public var diskBytes: UInt64?
    /// Whether `baselineScores` was reproduced here by the task's own baseline code, or is a published value
    /// (MLGym's) for code that is semantically MLGym's but has not been run here yet.
    public var baselineStatus: BaselineStatus
    /// Fields the file left out that MLGym-Bench's own facts filled in (`metric_direction`, `gpus`, …).
    public var fieldsFromMLGymBench: [String] = []

    /// The file this was read from.
    public var file: String

    static let mlgymFields: Set<String> = [
        "id", "name", "description", "dataset_configs", "task_entrypoint", "training_timeout", "requirements_path",
        "benchmark_name", "use_generic_conda", "starter_code", "baseline_paths", "baseline_scores",
        "sample_submission", "evaluation_paths", "evaluation_read_only", "secret_files", "memory_path",
    ]
    static let extensionFields: Set<String> = [
        "domain", "priority_metric", "metric_direction", "gpus", "python_modules", "submission_artefact", "protected_files",
        "baseline_tolerance", "disk", "baseline_status",
    ]

    /// MLGym's default `training_timeout` (`MLGYM_AGENT_LONG_TIMEOUT`).
    public static let defaultTrainingTimeout = 3600

    /// Reads and checks a task file.
    public init(file: String, text: String) throws(MLGymError) {
        let fields = try YAMLFields(file: file, text: text)
        try fields.rejectUnknown(allowed: Self.mlgymFields.union(Self.extensionFields))
        self.file = file
        id = try fields.requiredString("id")
        guard id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }), !id.hasPrefix(".") else {
            throw MLGymError(.parse, "\(file): field 'id' must be letters, digits, '-', '_' or '.', not '\(id)'")
        }
        name = try fields.requiredString("name")
        description = try fields.requiredString("description")
        datasetConfigs = try fields.strings("dataset_configs")
        let entrypointName = try fields.string("task_entrypoint") ?? TaskEntrypoint.csvSubmission.rawValue
        guard let entrypoint = TaskEntrypoint(rawValue: entrypointName) else {
            let known = TaskEntrypoint.allCases.map(\.rawValue).joined(separator: ", ")
            throw MLGymError(.parse, "\(file): field 'task_entrypoint' must be one of \(known), not '\(entrypointName)'")
        }
        self.entrypoint = entrypoint
        trainingTimeout = try fields.int("training_timeout") ?? Self.defaultTrainingTimeout
        guard trainingTimeout > 0 else {
            throw MLGymError(.parse, "\(file): field 'training_timeout' must be a positive number of seconds")
        }
        requirementsPath = try fields.string("requirements_path")
        benchmarkName = try fields.string("benchmark_name")
        useGenericConda = try fields.bool("use_generic_conda") ?? true
        starterCode = try fields.strings("starter_code")
        baselinePaths = try fields.strings("baseline_paths")
        baselineScores = try fields.metricsList("baseline_scores")
        sampleSubmission = try fields.string("sample_submission")
        evaluationPaths = try fields.strings("evaluation_paths")
        evaluationReadOnly = try fields.bool("evaluation_read_only") ?? false
        secretFiles = try fields.strings("secret_files")
        memoryPath = try fields.string("memory_path")

        // A file from an MLGym checkout leaves these out; MLGym-Bench's facts for its own task ids fill them in.
        let facts = MLGymBenchFacts.forTask(id)
        var filled: [String] = []
        domain = try fields.string("domain")
        if domain == nil, let facts { domain = facts.domain; filled.append("domain") }
        priorityMetric = try fields.string("priority_metric")
        if priorityMetric == nil, let facts { priorityMetric = facts.priorityMetric; filled.append("priority_metric") }
        if let directionName = try fields.string("metric_direction") {
            guard let direction = MetricDirection(rawValue: directionName) else {
                throw MLGymError(.parse, "\(file): field 'metric_direction' must be max or min, not '\(directionName)'")
            }
            metricDirection = direction
        } else if let facts {
            metricDirection = facts.direction
            filled.append("metric_direction")
        } else {
            metricDirection = .max
        }
        if let declared = try fields.int("gpus") {
            gpus = declared
        } else if let facts {
            gpus = facts.gpus
            filled.append("gpus")
        } else {
            gpus = 0
        }
        guard gpus >= 0 else { throw MLGymError(.parse, "\(file): field 'gpus' must be 0 or more") }
        fieldsFromMLGymBench = filled
        pythonModules = try fields.strings("python_modules")
        submissionArtefact = try fields.string("submission_artefact") ?? entrypoint.defaultArtefact
        protectedFiles = try fields.strings("protected_files")
        baselineTolerance = try fields.double("baseline_tolerance")
        if let disk = try fields.string("disk") {
            guard let bytes = ByteCount.parse(disk), bytes >= 16 << 20 else {
                throw MLGymError(.parse, "\(file): field 'disk' must be a size of at least 16M (e.g. 40G), not '\(disk)'")
            }
            diskBytes = bytes
        }
        let statusName = try fields.string("baseline_status") ?? BaselineStatus.unverified.rawValue
        guard let status = BaselineStatus(rawValue: statusName) else {
            let known = BaselineStatus.allCases.map(\.rawValue).joined(separator: " or ")
            throw MLGymError(.parse, "\(file): field 'baseline_status' must be \(known), not '\(statusName)'")
        }
        baselineStatus = status

        guard !evaluationPaths.isEmpty else {
            throw MLGymError(.parse, "\(file): field 'evaluation_paths' must name the evaluation script (a workspace-relative path)")
        }
        for (field, paths) in [
            ("dataset_configs", datasetConfigs), ("starter_code", starterCode), ("secret_files", secretFiles),
            ("baseline_paths", baselinePaths), ("evaluation_paths", evaluationPaths), ("protected_files", protectedFiles),
        ] {
            for path in paths { try Self.checkRelative(path, field: field, file: file) }
        }
        if let submissionArtefact { try Self.checkRelative(submissionArtefact, field: "submission_artefact", file: file) }
        if let requirementsPath { try Self.checkRelative(requirementsPath, field: "requirements_path", file: file) }
        for module in pythonModules where !module.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_.".contains($0)) }) {
            throw MLGymError(.parse, "\(file): field 'python_modules' holds '\(module)', which is not a Python module name")
        }
    }

    /// The metric that ranks runs: the declared one, else the first key of the recorded baseline.
    public var rankingMetric: String? {
        priorityMetric ?? baselineScores.first?.keys.sorted().first
    }

    /// The recorded baseline value of the ranking metric.
    public var baselineValue: Double? {
        rankingMetric.flatMap { baselineScores.first?[$0] }
    }

    /// Paths in task files are relative and stay inside their root: no absolute paths, no `..`.
    static func checkRelative(_ path: String, field: String, file: String) throws(MLGymError) {
        if path.isEmpty || path.hasPrefix("/") || path.split(separator: "/").contains("..") {
            throw MLGymError(.parse, "\(file): field '\(field)' holds '\(path)', which must be a relative path without '..'")
        }
    }
}
