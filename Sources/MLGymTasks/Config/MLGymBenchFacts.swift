import MLGymCore

/// What MLGym-Bench knows about each of its tasks outside the task files: the metric that ranks attempts and its
/// direction (MLGym keeps these in its evaluation code), the research area, and the GPUs each agent was given (its
/// benchmark scripts). A task file loaded from an MLGym checkout says none of this, so without the table
/// `val_loss` and 3-SAT's `Time` would be ranked as if larger were better.
///
/// Used only for a field the task file leaves out: a file that states a value keeps it.
public struct MLGymBenchFacts: Sendable, Equatable {
    public var priorityMetric: String
    public var direction: MetricDirection
    public var domain: String
    public var gpus: Int

    /// The facts for a task id, or nil for a task MLGym-Bench does not have.
    public static func forTask(_ id: String) -> MLGymBenchFacts? { table[id] }

    /// The 13 tasks of MLGym-Bench's published results (the paper's AUP), by task id.
    static let table: [String: MLGymBenchFacts] = [
        "regressionKaggleHousePrice": .init(priorityMetric: "r2", direction: .max, domain: "Data science", gpus: 1),
        "3SATTime": .init(priorityMetric: "Time", direction: .min, domain: "Algorithmic reasoning", gpus: 0),
        "imageClassificationCifar10": .init(priorityMetric: "accuracy", direction: .max, domain: "Computer vision", gpus: 1),
        "imageClassificationFMnist": .init(priorityMetric: "accuracy", direction: .max, domain: "Computer vision", gpus: 1),
        "imageCaptioningCOCO": .init(priorityMetric: "BLEU Score", direction: .max, domain: "Computer vision and NLP", gpus: 1),
        "languageModelingFineWeb": .init(priorityMetric: "val_loss", direction: .min, domain: "Natural language processing", gpus: 2),
        "naturalLanguageInferenceMNLI": .init(priorityMetric: "validation_accuracy", direction: .max, domain: "Natural language processing", gpus: 2),
        "battleOfSexes": .init(priorityMetric: "Score", direction: .max, domain: "Game theory", gpus: 0),
        "prisonersDilemma": .init(priorityMetric: "Score", direction: .max, domain: "Game theory", gpus: 0),
        "blotto": .init(priorityMetric: "Score", direction: .max, domain: "Game theory", gpus: 0),
        "rlBreakoutMinAtar": .init(priorityMetric: "Reward Mean", direction: .max, domain: "Reinforcement learning", gpus: 2),
        "rlMetaMazeMisc": .init(priorityMetric: "Reward Mean", direction: .max, domain: "Reinforcement learning", gpus: 2),
        "rlMountainCarContinuous": .init(priorityMetric: "Reward Mean", direction: .max, domain: "Reinforcement learning", gpus: 2),
    ]
}
