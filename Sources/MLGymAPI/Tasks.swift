import MLGymCore

/// A benchmark task as `GET /v1/tasks` lists it (`description` only in `GET /v1/tasks/{id}`).
public struct TaskInfo: Codable, Sendable, Equatable {
    public struct Dataset: Codable, Sendable, Equatable {
        public var name: String
        /// `local` or `huggingface`.
        public var source: String
        /// The task-relative path, or the hub id.
        public var location: String
        public var present: Bool
        public var howToGet: String?
        public init(name: String, source: String, location: String, present: Bool, howToGet: String?) {
            self.name = name
            self.source = source
            self.location = location
            self.present = present
            self.howToGet = howToGet
        }
    }

    public var id: String
    public var name: String
    public var domain: String?
    /// MLGym's task class (`CSVSubmissionTasks`, …).
    public var entrypoint: String
    public var metric: String?
    public var direction: String
    /// The recorded baseline value of the metric.
    public var baseline: Double?
    public var baselineScores: [String: Double]?
    public var gpus: Int
    public var pythonModules: [String]
    public var trainingTimeout: Int
    public var datasets: [Dataset]
    public var runnable: Bool
    /// Why it cannot run on this host (empty when it can).
    public var blockers: [String]
    public var notes: [String]
    /// The shell command that runs the baseline in the workspace; nil when the starter files are the baseline.
    public var baselineCommand: String?
    /// How far a re-run of the baseline may land from the recorded value of the metric.
    public var baselineTolerance: Double?
    /// `measured` (reproduced here by the task's baseline code) or `unverified` (a published value, not yet
    /// reproduced here). Absent from older daemons' answers.
    public var baselineStatus: String?
    /// Fields the task file left out that MLGym-Bench's own facts filled in (`metric_direction`, `gpus`, …).
    public var fieldsFromMLGymBench: [String]?
    /// The task file it was loaded from.
    public var file: String
    /// The agent-facing description with `{dataset_docs}` filled in.
    public var description: String?

    public init(
        id: String, name: String, domain: String?, entrypoint: String, metric: String?, direction: String,
        baseline: Double?, baselineScores: [String: Double]?, gpus: Int, pythonModules: [String], trainingTimeout: Int,
        datasets: [Dataset], runnable: Bool, blockers: [String], notes: [String], baselineCommand: String?,
        baselineTolerance: Double?, file: String, description: String? = nil, baselineStatus: String? = nil,
        fieldsFromMLGymBench: [String]? = nil
    ) {
        self.baselineStatus = baselineStatus
        self.fieldsFromMLGymBench = fieldsFromMLGymBench
        self.baselineCommand = baselineCommand
        self.baselineTolerance = baselineTolerance
        self.id = id
        self.name = name
        self.domain = domain
        self.entrypoint = entrypoint
        self.metric = metric
        self.direction = direction
        self.baseline = baseline
        self.baselineScores = baselineScores
        self.gpus = gpus
        self.pythonModules = pythonModules
        self.trainingTimeout = trainingTimeout
        self.datasets = datasets
        self.runnable = runnable
        self.blockers = blockers
        self.notes = notes
        self.file = file
        self.description = description
    }
}

/// `GET /v1/tasks`.
public struct TaskList: Codable, Sendable, Equatable {
    public var tasks: [TaskInfo]
    /// Task files that could not be loaded, one line each (file, field, what was expected).
    public var problems: [String]
    /// The sessions' root filesystem identity (a digest of its package list).
    public var rootfsIdentity: String?
    public init(tasks: [TaskInfo], problems: [String], rootfsIdentity: String?) {
        self.tasks = tasks
        self.problems = problems
        self.rootfsIdentity = rootfsIdentity
    }
}
