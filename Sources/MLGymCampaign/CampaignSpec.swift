import Foundation

/// A benchmark campaign: every task × model × seed, run under the same limits and resources. Read from a YAML
/// file (`CampaignSpec.load`); docs/campaigns.md describes the fields.
public struct CampaignSpec: Sendable, Equatable {
    /// One model the campaign compares: reports call its runs by `name`.
    public struct Model: Sendable, Equatable {
        public var name: String
        /// As `mlgymctl run --model` takes it: openai:NAME, anthropic:NAME, replay:FILE (made absolute), human.
        public var spec: String
        /// The provider's base URL (vLLM, a proxy); nil for the provider's own.
        public var apiBase: String?
        /// The environment variable holding the key; nil for the provider's usual one.
        public var apiKeyEnvironment: String?
        /// Dollars per million input and output tokens, for a model mlgymd has no price for.
        public var price: Price?

        public init(name: String, spec: String, apiBase: String? = nil, apiKeyEnvironment: String? = nil, price: Price? = nil) {
            self.name = name
            self.spec = spec
            self.apiBase = apiBase
            self.apiKeyEnvironment = apiKeyEnvironment
            self.price = price
        }
    }

    public struct Price: Sendable, Equatable {
        public var inputPerMillion: Double
        public var outputPerMillion: Double
        public init(inputPerMillion: Double, outputPerMillion: Double) {
            self.inputPerMillion = inputPerMillion
            self.outputPerMillion = outputPerMillion
        }
    }

    public struct Limits: Sendable, Equatable {
        /// Actions per run (MLGym-Bench: 50).
        public var steps = 50
        /// Dollars one run may spend; 0 for no limit.
        public var runCost: Double = 0
        /// Dollars the whole campaign may spend; 0 for no limit.
        public var campaignCost: Double = 0
        /// Seconds one run may take; 0 for no limit.
        public var time: Double = 0
        public init() {}
    }

    public struct Resources: Sendable, Equatable {
        /// GPUs each run gets (a count: the node or the local pool picks which).
        public var gpus = 0
        /// Memory limit of each run's session, as mlgymd takes it ("8G"); nil for none.
        public var memory: String?
        /// CPU limit of each run's session; nil for none.
        public var cpus: Double?
        /// The network mode of each run's session; nil is mlgymd's default for runs (`packages`).
        public var network: String?
        public init() {}
    }

    public var name: String
    public var tasks: [String]
    public var models: [Model]
    public var seeds: [Int]
    public var limits = Limits()
    public var resources = Resources()
    /// Give the agents MLGym's memory (and literature) commands.
    public var withMemory = false
    /// An MLGym agent config (absolute, resolved against the spec's directory) whose prompts the runs use.
    public var agentConfig: String?
    /// `default` or `parity` (MLGym's loop limits); nil is mlgymd's default.
    public var profile: String?
    /// Where result bundles go: absolute, resolved against the spec's directory.
    public var results: String

    public init(name: String, tasks: [String], models: [Model], seeds: [Int], results: String) {
        self.name = name
        self.tasks = tasks
        self.models = models
        self.seeds = seeds
        self.results = results
    }

    /// Every run of the campaign, in a fixed order (task, then model, then seed): a run's index is its place
    /// here and its Slurm array index.
    public var runs: [CampaignRun] {
        var runs: [CampaignRun] = []
        for task in tasks {
            for model in models {
                for seed in seeds {
                    runs.append(CampaignRun(index: runs.count, task: task, model: model.name, seed: seed))
                }
            }
        }
        return runs
    }

    public func model(named name: String) -> Model? {
        models.first { $0.name == name }
    }
}

/// One (task, model, seed) of a campaign.
public struct CampaignRun: Sendable, Equatable, Hashable {
    public var index: Int
    public var task: String
    /// The model's name in the campaign (the method reports compare).
    public var model: String
    public var seed: Int

    public init(index: Int, task: String, model: String, seed: Int) {
        self.index = index
        self.task = task
        self.model = model
        self.seed = seed
    }

    /// The run's name in the results directory: stable when runs are added to the campaign (unlike its index).
    /// Names are checked to hold no "+" or "/", so keys are unique.
    public var key: String { "\(task)+\(model)+seed\(seed)" }
}
