public import MLGymCore

/// The input of scoring: for every task, each method's Best Attempt and Best Submission score.
///
/// The baseline is one of the methods (MLGym scores it like a model). A method without a score on a task (an
/// absent entry) is "missing": it gets the infeasible ratio in the profiles and ranks last on that task.
public struct ScoreTable: Sendable, Equatable {
    /// One task's scores. Missing scores are absent keys, never NaN.
    public struct Task: Sendable, Equatable {
        public let name: String
        public let direction: MetricDirection
        public let bestAttempt: [String: Double]
        public let bestSubmission: [String: Double]
        /// The methods in the order the input listed them for this task (a CSV's rows); MLGym's ranking keeps
        /// this order among equal scores and among missing methods. Empty when the input had no order.
        public let inputOrder: [String]

        public init(
            name: String, direction: MetricDirection, bestAttempt: [String: Double], bestSubmission: [String: Double],
            inputOrder: [String] = []
        ) {
            self.inputOrder = inputOrder
            self.name = name
            self.direction = direction
            self.bestAttempt = bestAttempt
            self.bestSubmission = bestSubmission
        }

        /// The scores of one view.
        public func scores(_ view: ScoreView) -> [String: Double] {
            switch view {
            case .bestAttempt: bestAttempt
            case .bestSubmission: bestSubmission
            }
        }
    }

    /// The name of the baseline method.
    public let baseline: String
    /// Tasks in the order they were given (the order tables show them in).
    public let tasks: [Task]
    /// Every method that has a row on any task: the baseline first, the others by name, so the order never
    /// depends on the order of the input.
    public let methods: [String]

    /// Builds a table and checks what scoring needs: unique task names, finite scores, and a baseline score in
    /// both views of every task (feasibility is defined relative to it).
    ///
    /// - Parameter otherMethods: methods to compare even though they have no valid score anywhere (a row with
    ///   empty cells); they are missing on every task.
    public init(baseline: String, tasks: [Task], otherMethods: Set<String> = []) throws(MLGymError) {
        var seen = Set<String>()
        var others = otherMethods.subtracting([baseline])
        for task in tasks {
            guard seen.insert(task.name).inserted else {
                throw MLGymError(.invalidArgument, "task \"\(task.name)\" appears twice (give each task once)")
            }
            for view in ScoreView.allCases {
                let scores = task.scores(view)
                guard scores[baseline] != nil else {
                    throw MLGymError(
                        .invalidArgument,
                        "task \"\(task.name)\" has no \(view.rawValue) score for the baseline \"\(baseline)\" "
                            + "(add it, or name the baseline method with --baseline)")
                }
                for (method, score) in scores {
                    guard score.isFinite else {
                        throw MLGymError(
                            .invalidArgument,
                            "task \"\(task.name)\", method \"\(method)\": \(view.rawValue) score \(score) is not finite "
                                + "(leave the score out to mark it missing)")
                    }
                    if method != baseline { others.insert(method) }
                }
            }
        }
        guard !tasks.isEmpty else {
            throw MLGymError(.invalidArgument, "no tasks to score (the input has no rows)")
        }
        self.baseline = baseline
        self.tasks = tasks
        self.methods = [baseline] + others.sorted()
    }
}
