/// Whether a larger or a smaller value of a task's metric is better ("max" for accuracy, "min" for loss or time).
public enum MetricDirection: String, Sendable, Codable, Hashable, CaseIterable {
    case max
    case min
}

/// Everything mlgym keeps about one agent run on one task, in the shape scoring and reports read.
///
/// The daemon's store produces these (one per finished session); `mlgymctl report --runs FILE.json` reads a JSON
/// array of them, so result bundles from other machines (Slurm arrays) can be merged. The fields mirror what MLGym
/// writes to `results.json` and the `.traj` file: the ordered list of successful evaluations (every validate, then
/// the final submit or auto-submit), the baseline's metrics, the exit status, the token usage and the trajectory.
public struct RunRecord: Sendable, Codable, Equatable, Identifiable {
    /// One evaluation the run asked for (validate or submit) or received (auto-submission at a limit).
    public struct Evaluation: Sendable, Codable, Equatable {
        /// What triggered the evaluation; MLGym's "autosubmission (<reason>)" is `autosubmit`.
        public enum Kind: String, Sendable, Codable, Hashable {
            case validate
            case submit
            case autosubmit
        }

        public var kind: Kind
        /// The agent step (0-based) whose action triggered it, when known.
        public var step: Int?
        /// The metrics the evaluation printed; empty when it failed.
        public var metrics: [String: Double]
        /// Why the evaluation failed ("submission_not_found", "evaluation_format_error", …); nil on success.
        public var error: String?

        public init(kind: Kind, step: Int? = nil, metrics: [String: Double], error: String? = nil) {
            self.kind = kind
            self.step = step
            self.metrics = metrics
            self.error = error
        }
    }

    /// One turn of the agent: what it thought, what it ran, what it saw.
    public struct Step: Sendable, Codable, Equatable {
        public var thought: String
        public var action: String
        public var observation: String

        public init(thought: String, action: String, observation: String) {
            self.thought = thought
            self.action = action
            self.observation = observation
        }
    }

    /// Tokens and money the run spent on its model; the basis of MLGym's "average cost per run".
    public struct Usage: Sendable, Codable, Equatable {
        public var tokensSent: Int
        public var tokensReceived: Int
        public var apiCalls: Int?
        /// Dollars at the provider's list prices (tokens × price), nil when the price is unknown.
        public var dollars: Double?

        public init(tokensSent: Int, tokensReceived: Int, apiCalls: Int? = nil, dollars: Double? = nil) {
            self.tokensSent = tokensSent
            self.tokensReceived = tokensReceived
            self.apiCalls = apiCalls
            self.dollars = dollars
        }
    }

    /// A unique name of the run (the session id).
    public var id: String
    /// The task id ("regressionKaggleHousePrice").
    public var task: String
    /// The method being compared: the model or agent configuration ("gpt-4o").
    public var method: String
    /// Which run of this method on this task it is (0-based); Best Attempt@k uses the first k.
    public var attempt: Int
    /// The task's priority metric, the one scoring compares ("Score", "r2", "val_loss").
    public var metric: String
    public var direction: MetricDirection
    /// The baseline's metrics for the task, as the task definition gives them; nil when the task has none.
    public var baseline: [String: Double]?
    /// Evaluations in the order they happened.
    public var evaluations: [Evaluation]
    /// How the run ended, in MLGym's words ("submitted", "autosubmission (max_steps)").
    public var exitStatus: String?
    public var usage: Usage?
    public var steps: [Step]
    /// How many steps the run took, as its runner counted them; set where the trajectory (`steps`) is left out,
    /// as in mlgymd's run listing, so step counts survive without it. nil when not recorded.
    public var stepCount: Int?

    public init(
        id: String, task: String, method: String, attempt: Int = 0, metric: String, direction: MetricDirection,
        baseline: [String: Double]? = nil, evaluations: [Evaluation] = [], exitStatus: String? = nil,
        usage: Usage? = nil, steps: [Step] = [], stepCount: Int? = nil
    ) {
        self.id = id
        self.task = task
        self.method = method
        self.attempt = attempt
        self.metric = metric
        self.direction = direction
        self.baseline = baseline
        self.evaluations = evaluations
        self.exitStatus = exitStatus
        self.usage = usage
        self.steps = steps
        self.stepCount = stepCount
    }

    /// The number of steps the run took: its trajectory's length when the record holds it, else `stepCount`;
    /// nil when neither is known.
    public var stepsTaken: Int? {
        steps.isEmpty ? stepCount : steps.count
    }

    private enum CodingKeys: String, CodingKey {
        case id, task, method, attempt, metric, direction, baseline, evaluations, exitStatus, usage, steps, stepCount
    }

    /// Decodes a record, letting bundles leave out what a run may not have (attempt, evaluations, steps,
    /// stepCount), so hand-written or older records still load.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        task = try container.decode(String.self, forKey: .task)
        method = try container.decode(String.self, forKey: .method)
        attempt = try container.decodeIfPresent(Int.self, forKey: .attempt) ?? 0
        metric = try container.decode(String.self, forKey: .metric)
        direction = try container.decode(MetricDirection.self, forKey: .direction)
        baseline = try container.decodeIfPresent([String: Double].self, forKey: .baseline)
        evaluations = try container.decodeIfPresent([Evaluation].self, forKey: .evaluations) ?? []
        exitStatus = try container.decodeIfPresent(String.self, forKey: .exitStatus)
        usage = try container.decodeIfPresent(Usage.self, forKey: .usage)
        steps = try container.decodeIfPresent([Step].self, forKey: .steps) ?? []
        stepCount = try container.decodeIfPresent(Int.self, forKey: .stepCount)
    }
}
