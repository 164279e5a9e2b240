import Foundation
import MLGymCore

/// `POST /v1/runs`: run an agent (a model with MLGym's scaffold) on a task, `seeds` times, `parallel` at once,
/// each run in a session of its own.
public struct RunRequest: Codable, Sendable, Equatable {
    public var task: String
    /// `openai:NAME`, `anthropic:NAME`, `replay:FILE` or `human`.
    public var model: String
    /// The provider's base URL, ending in /v1 (OpenAI's or Anthropic's by default).
    public var apiBase: String?
    /// The provider's key. Kept in the daemon's memory for the run only: never stored, never shown.
    public var apiKey: String?
    public var seeds: Int
    public var parallel: Int
    public var maxSteps: Int
    /// Dollars one run may spend; 0 for no limit.
    public var costLimit: Double
    /// Dollars every run of the campaign together may spend; 0 for no limit.
    public var campaignCostLimit: Double
    /// Runs of one campaign are reported together; nil gives the runs of this request a campaign of their own.
    public var campaign: String?
    public var temperature: Double
    public var topP: Double
    /// Observations the model sees whole (MLGym: the last 5).
    public var historyKeep: Int
    /// Characters of one command's output the agent is shown.
    public var observationLimit: Int
    /// Seconds a command may print nothing before it is stopped.
    public var noOutputTimeout: Double
    /// A replay's model responses (mlgymctl reads the trajectory file; the daemon never opens client paths).
    public var replayResponses: [String]?
    /// Dollars per million input and output tokens, when the daemon's price table lacks the model.
    public var price: Price?
    /// The sessions' limits.
    public var memory: String?
    public var cpus: Double?
    public var gpus: String?
    /// Keep each run's session running after the run ends (to look around in it).
    public var keepSessions: Bool
    /// Give the agent its memory (memory_write, memory_read, the count and keywords in every message).
    public var useMemory: Bool
    /// The memory scope (default `task:<task>`, shared by the task's runs).
    public var memoryScope: String?
    /// Document literature_search and parse_pdf in the agent's prompt (they come with `useMemory` too, as in
    /// MLGym's memory agent).
    public var useLiterature: Bool
    /// The name reports give the runs' method (a campaign's model name); nil uses `model`.
    public var method: String?
    /// The seed of the first run; the others follow it (a campaign names each run's seed).
    public var firstSeed: Int
    /// Seconds of wall time one run may take, counted from its start (a resumed run's clock starts again);
    /// 0 for no limit. Checked between steps: the run then ends `exit_time` and its artefact is auto-submitted.
    public var timeLimit: Double
    /// The sessions' network mode; nil is `packages` (MLGym's agents could install packages), `none` cuts even
    /// that.
    public var network: String?
    /// An MLGym agent config whose prompts, demonstrations, history processor and blocklist the run uses.
    public var agentConfig: AgentConfigSource?
    /// `default` (mlgym's limits) or `parity` (MLGym's: 25 s for an action that is not training, the task's
    /// training_timeout for one that is, 3600 s without output, observations whole, the blocklist inert).
    public var profile: String?
    /// `validate`: each run's session takes a snapshot at every validate (`mlgymctl fork RUN@best` continues
    /// from the best one); nil for none.
    public var snapshotOn: String?

    /// An agent config as the client read it: its text, and the text of every file it names, by the path
    /// written in the config.
    public struct AgentConfigSource: Codable, Sendable, Equatable {
        /// The config's name (its file's stem), which MLGym's run folders carry.
        public var name: String
        public var text: String
        public var files: [String: String]
        public init(name: String, text: String, files: [String: String]) {
            self.name = name
            self.text = text
            self.files = files
        }
    }

    public struct Price: Codable, Sendable, Equatable {
        public var inputPerMillion: Double
        public var outputPerMillion: Double
        public init(inputPerMillion: Double, outputPerMillion: Double) {
            self.inputPerMillion = inputPerMillion
            self.outputPerMillion = outputPerMillion
        }
    }

    public init(
        task: String, model: String, apiBase: String? = nil, apiKey: String? = nil, seeds: Int = 1, parallel: Int = 1,
        maxSteps: Int = 50, costLimit: Double = 0, campaignCostLimit: Double = 0, campaign: String? = nil,
        temperature: Double = 0, topP: Double = 0.95, historyKeep: Int = 5, observationLimit: Int = 20_000,
        noOutputTimeout: Double = 600, replayResponses: [String]? = nil, price: Price? = nil, memory: String? = nil,
        cpus: Double? = nil, gpus: String? = nil, keepSessions: Bool = false, useMemory: Bool = false, memoryScope: String? = nil,
        useLiterature: Bool = false, method: String? = nil, firstSeed: Int = 0, timeLimit: Double = 0, network: String? = nil,
        agentConfig: AgentConfigSource? = nil, profile: String? = nil, snapshotOn: String? = nil
    ) {
        self.task = task
        self.model = model
        self.apiBase = apiBase
        self.apiKey = apiKey
        self.seeds = seeds
        self.parallel = parallel
        self.maxSteps = maxSteps
        self.costLimit = costLimit
        self.campaignCostLimit = campaignCostLimit
        self.campaign = campaign
        self.temperature = temperature
        self.topP = topP
        self.historyKeep = historyKeep
        self.observationLimit = observationLimit
        self.noOutputTimeout = noOutputTimeout
        self.replayResponses = replayResponses
        self.price = price
        self.memory = memory
        self.cpus = cpus
        self.gpus = gpus
        self.keepSessions = keepSessions
        self.useMemory = useMemory
        self.memoryScope = memoryScope
        self.useLiterature = useLiterature
        self.method = method
        self.firstSeed = firstSeed
        self.timeLimit = timeLimit
        self.network = network
        self.agentConfig = agentConfig
        self.profile = profile
        self.snapshotOn = snapshotOn
    }

    private enum CodingKeys: String, CodingKey {
        case task, model, apiBase, apiKey, seeds, parallel, maxSteps, costLimit, campaignCostLimit, campaign, temperature, topP
        case historyKeep, observationLimit, noOutputTimeout, replayResponses, price, memory, cpus, gpus, keepSessions, useMemory
        case memoryScope, useLiterature, method, firstSeed, timeLimit, network, agentConfig, profile, snapshotOn
    }

    /// Decodes a request, taking what a client leaves out from the defaults (so `{"task","model"}` is a request).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = RunRequest(task: "", model: "")
        self.init(
            task: try c.decode(String.self, forKey: .task), model: try c.decode(String.self, forKey: .model),
            apiBase: try c.decodeIfPresent(String.self, forKey: .apiBase), apiKey: try c.decodeIfPresent(String.self, forKey: .apiKey),
            seeds: try c.decodeIfPresent(Int.self, forKey: .seeds) ?? defaults.seeds,
            parallel: try c.decodeIfPresent(Int.self, forKey: .parallel) ?? defaults.parallel,
            maxSteps: try c.decodeIfPresent(Int.self, forKey: .maxSteps) ?? defaults.maxSteps,
            costLimit: try c.decodeIfPresent(Double.self, forKey: .costLimit) ?? defaults.costLimit,
            campaignCostLimit: try c.decodeIfPresent(Double.self, forKey: .campaignCostLimit) ?? defaults.campaignCostLimit,
            campaign: try c.decodeIfPresent(String.self, forKey: .campaign),
            temperature: try c.decodeIfPresent(Double.self, forKey: .temperature) ?? defaults.temperature,
            topP: try c.decodeIfPresent(Double.self, forKey: .topP) ?? defaults.topP,
            historyKeep: try c.decodeIfPresent(Int.self, forKey: .historyKeep) ?? defaults.historyKeep,
            observationLimit: try c.decodeIfPresent(Int.self, forKey: .observationLimit) ?? defaults.observationLimit,
            noOutputTimeout: try c.decodeIfPresent(Double.self, forKey: .noOutputTimeout) ?? defaults.noOutputTimeout,
            replayResponses: try c.decodeIfPresent([String].self, forKey: .replayResponses),
            price: try c.decodeIfPresent(Price.self, forKey: .price), memory: try c.decodeIfPresent(String.self, forKey: .memory),
            cpus: try c.decodeIfPresent(Double.self, forKey: .cpus), gpus: try c.decodeIfPresent(String.self, forKey: .gpus),
            keepSessions: try c.decodeIfPresent(Bool.self, forKey: .keepSessions) ?? false,
            useMemory: try c.decodeIfPresent(Bool.self, forKey: .useMemory) ?? false,
            memoryScope: try c.decodeIfPresent(String.self, forKey: .memoryScope),
            useLiterature: try c.decodeIfPresent(Bool.self, forKey: .useLiterature) ?? false,
            method: try c.decodeIfPresent(String.self, forKey: .method),
            firstSeed: try c.decodeIfPresent(Int.self, forKey: .firstSeed) ?? 0,
            timeLimit: try c.decodeIfPresent(Double.self, forKey: .timeLimit) ?? 0,
            network: try c.decodeIfPresent(String.self, forKey: .network),
            agentConfig: try c.decodeIfPresent(AgentConfigSource.self, forKey: .agentConfig),
            profile: try c.decodeIfPresent(String.self, forKey: .profile),
            snapshotOn: try c.decodeIfPresent(String.self, forKey: .snapshotOn))
    }
}

/// `POST /v1/runs/{id}/resume`: continue an interrupted run from its last committed step.
public struct RunResumeRequest: Codable, Sendable, Equatable {
    public var apiKey: String?
    /// The new session's GPUs, when they should differ from the run's first ones (a campaign's GPU pool).
    public var gpus: String?
    public init(apiKey: String? = nil, gpus: String? = nil) {
        self.apiKey = apiKey
        self.gpus = gpus
    }
}

/// `POST /v1/runs/{id}/input`: the next action of a run whose model is `human`.
public struct RunInput: Codable, Sendable, Equatable {
    public var action: String
    public init(action: String) { self.action = action }
}

/// One run, as `mlgymctl runs` and the progress display show it.
public struct RunInfo: Codable, Sendable, Equatable, Identifiable {
    public var id: String
    public var campaign: String?
    public var task: String
    public var model: String
    /// What reports call the run's method: the campaign's model name, or the model spec.
    public var method: String
    public var seed: Int
    public var session: String?
    /// `queued`, `running`, `finished`, `interrupted` or `failed`.
    public var state: String
    /// MLGym's exit status once the run has ended ("submitted", "autosubmission (max_steps)", …).
    public var exitStatus: String?
    public var message: String?
    public var steps: Int
    public var maxSteps: Int
    public var tokensSent: Int
    public var tokensReceived: Int
    public var apiCalls: Int
    public var cost: Double
    /// The task's priority metric and whether larger is better.
    public var metric: String?
    public var direction: String
    /// Every successful evaluation's metrics, in order (MLGym's `results.json["agent"]`).
    public var scores: [[String: Double]]
    /// The best value of the metric over every evaluation (Best Attempt of the run).
    public var bestAttempt: Double?
    /// The metric of the last evaluation (Best Submission of the run).
    public var submission: Double?
    public var baseline: [String: Double]?
    /// Whether the run waits for a person's next action (model `human`).
    public var awaitingInput: Bool
    public var createdAt: Date
    public var startedAt: Date?
    public var endedAt: Date?
    /// The GPUs its sessions were asked for (`none`, `all`, indices), as the run was started.
    public var gpus: String?
    /// The sampling and budget settings it was started with (MLGym names its run folders after them).
    public var settings: Settings?
    /// The artefact of its final, successful submission (MLGym's `info.submission`).
    public var submissionPath: String?

    public struct Settings: Codable, Sendable, Equatable {
        public var temperature: Double?
        public var topP: Double?
        public var costLimit: Double?
        /// The agent configuration's name (MLGym's config stem); nil for mlgym's own prompts.
        public var agentConfig: String?
        /// The dollars every run of its campaign together may spend (0: no limit), and the seconds of wall time
        /// the run may take (0: no limit): what the web view's campaign page counts down.
        public var campaignCostLimit: Double?
        public var timeLimit: Double?
        public init(
            temperature: Double?, topP: Double?, costLimit: Double?, agentConfig: String?, campaignCostLimit: Double? = nil,
            timeLimit: Double? = nil
        ) {
            self.temperature = temperature
            self.topP = topP
            self.costLimit = costLimit
            self.agentConfig = agentConfig
            self.campaignCostLimit = campaignCostLimit
            self.timeLimit = timeLimit
        }
    }

    public init(
        id: String, campaign: String?, task: String, model: String, method: String, seed: Int, session: String?, state: String,
        exitStatus: String?, message: String?, steps: Int, maxSteps: Int, tokensSent: Int, tokensReceived: Int,
        apiCalls: Int, cost: Double, metric: String?, direction: String, scores: [[String: Double]],
        bestAttempt: Double?, submission: Double?, baseline: [String: Double]?, awaitingInput: Bool, createdAt: Date,
        startedAt: Date?, endedAt: Date?, gpus: String? = nil, settings: Settings? = nil, submissionPath: String? = nil
    ) {
        self.settings = settings
        self.submissionPath = submissionPath
        self.id = id
        self.campaign = campaign
        self.task = task
        self.model = model
        self.method = method
        self.seed = seed
        self.session = session
        self.state = state
        self.exitStatus = exitStatus
        self.message = message
        self.steps = steps
        self.maxSteps = maxSteps
        self.tokensSent = tokensSent
        self.tokensReceived = tokensReceived
        self.apiCalls = apiCalls
        self.cost = cost
        self.metric = metric
        self.direction = direction
        self.scores = scores
        self.bestAttempt = bestAttempt
        self.submission = submission
        self.baseline = baseline
        self.awaitingInput = awaitingInput
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.gpus = gpus
    }

    public var isActive: Bool { state == "queued" || state == "running" }
}

public struct RunList: Codable, Sendable, Equatable {
    public var runs: [RunInfo]
    public init(runs: [RunInfo]) { self.runs = runs }
}

/// One step of a run (the stored step, as the agent loop committed it).
public struct RunStepInfo: Codable, Sendable, Equatable {
    public struct State: Codable, Sendable, Equatable {
        public var openFile: String
        public var workingDirectory: String
        public init(openFile: String, workingDirectory: String) {
            self.openFile = openFile
            self.workingDirectory = workingDirectory
        }
        enum CodingKeys: String, CodingKey {
            case openFile = "open_file"
            case workingDirectory = "working_dir"
        }
    }

    public var index: Int
    public var thought: String
    public var action: String
    public var observation: String
    public var response: String
    public var state: State
    public var startedAt: Date
    public var modelMs: Int64
    public var executionMs: Int64
    public var stepMs: Int64
    public var inputTokens: Int
    public var outputTokens: Int
    public var cost: Double
    public var formatErrors: Int
    public var exitCode: Int32?
    /// The action's change to a file as a unified diff (an applied `edit` or `insert`); nil for other actions.
    public var edit: String?

    public init(
        index: Int, thought: String, action: String, observation: String, response: String, state: State, startedAt: Date,
        modelMs: Int64, executionMs: Int64, stepMs: Int64, inputTokens: Int, outputTokens: Int, cost: Double, formatErrors: Int,
        exitCode: Int32?, edit: String? = nil
    ) {
        self.edit = edit
        self.index = index
        self.thought = thought
        self.action = action
        self.observation = observation
        self.response = response
        self.state = state
        self.startedAt = startedAt
        self.modelMs = modelMs
        self.executionMs = executionMs
        self.stepMs = stepMs
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cost = cost
        self.formatErrors = formatErrors
        self.exitCode = exitCode
    }
}

/// `GET /v1/runs/{id}/trajectory`: the run, the prompts it started from, and every step.
public struct RunTrajectory: Codable, Sendable, Equatable {
    public var run: RunInfo
    public var systemPrompt: String
    public var taskPrompt: String
    public var steps: [RunStepInfo]
    public init(run: RunInfo, systemPrompt: String, taskPrompt: String, steps: [RunStepInfo]) {
        self.run = run
        self.systemPrompt = systemPrompt
        self.taskPrompt = taskPrompt
        self.steps = steps
    }
}
