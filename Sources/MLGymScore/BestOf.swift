public import MLGymCore

/// Best Attempt@k and Best Submission@k: MLGym's way of turning several runs of a method on a task into two scores.
///
/// Per run (MLGym's definitions): the best attempt is the best value of the task's metric over every evaluation
/// that has it (validations and the final submission; ties keep the earliest); the submission is the metric of the
/// last evaluation that has it (the final submit, or the last validation when the run ended without one). Runs
/// with no evaluation holding the metric are skipped. Over runs, both take the best per-run value. A method with
/// no usable run on a task has no score there (missing).
public enum BestOf {
    /// The best value of `run`'s metric over all its evaluations, nil when none has it.
    public static func bestAttempt(of run: RunRecord) -> Double? {
        var best: Double?
        for value in values(of: run) where best.map({ run.direction.isBetter(value, than: $0) }) ?? true {
            best = value
        }
        return best
    }

    /// The metric of `run`'s last evaluation that has it, nil when none has it.
    public static func submission(of run: RunRecord) -> Double? {
        values(of: run).last
    }

    /// Builds the score table of `runs`: one task per task id, one method per method name, plus the baseline
    /// (from the first run of each task that carries the baseline's value of the metric, in attempt order).
    ///
    /// - Parameter k: use only the first k runs (by `attempt`) of each method on each task; nil uses all.
    public static func table(from runs: [RunRecord], baseline: String = "baseline", k: Int? = nil) throws(MLGymError)
        -> ScoreTable
    {
        if let k, k < 1 {
            throw MLGymError(.invalidArgument, "k = \(k) runs per task is not possible (use 1 or more)")
        }
        var taskOrder: [String] = []
        var byTask: [String: [RunRecord]] = [:]
        for run in runs {
            if byTask[run.task] == nil { taskOrder.append(run.task) }
            byTask[run.task, default: []].append(run)
        }
        var tasks: [ScoreTable.Task] = []
        for name in taskOrder {
            let taskRuns = (byTask[name] ?? []).sorted { ($0.attempt, $0.id) < ($1.attempt, $1.id) }
            guard let first = taskRuns.first else { continue }
            for run in taskRuns where run.direction != first.direction || run.metric != first.metric {
                throw MLGymError(
                    .invalidArgument,
                    "run \(run.id) scores task \"\(name)\" by \(run.metric) (\(run.direction.rawValue)) but run "
                        + "\(first.id) by \(first.metric) (\(first.direction.rawValue)) (one task has one metric)")
            }
            if let clash = taskRuns.first(where: { $0.method == baseline }) {
                throw MLGymError(
                    .invalidArgument,
                    "run \(clash.id) is named after the baseline method \"\(baseline)\" (rename the method or pass "
                        + "another --baseline)")
            }
            guard let baselineScore = taskRuns.lazy.compactMap({ $0.baseline?[first.metric] }).first else {
                throw MLGymError(
                    .invalidArgument,
                    "no run of task \"\(name)\" carries a baseline value of \(first.metric) (the task needs a baseline "
                        + "score to be scored)")
            }
            var attempts: [String: Double] = [baseline: baselineScore]
            var submissions: [String: Double] = [baseline: baselineScore]
            var used: [String: Int] = [:]
            for run in taskRuns {
                let count = used[run.method, default: 0]
                if let k, count >= k { continue }
                used[run.method] = count + 1
                merge(bestAttempt(of: run), into: &attempts, method: run.method, direction: first.direction)
                merge(submission(of: run), into: &submissions, method: run.method, direction: first.direction)
            }
            tasks.append(
                ScoreTable.Task(
                    name: name, direction: first.direction, bestAttempt: attempts, bestSubmission: submissions))
        }
        // A method whose runs all failed is still compared: it is missing on every task.
        return try ScoreTable(baseline: baseline, tasks: tasks, otherMethods: Set(runs.map(\.method)))
    }

    private static func values(of run: RunRecord) -> [Double] {
        run.evaluations.compactMap { $0.metrics[run.metric] }.filter(\.isFinite)
    }

    private static func merge(
        _ value: Double?, into scores: inout [String: Double], method: String, direction: MetricDirection
    ) {
        guard let value else { return }
        if let current = scores[method], !direction.isBetter(value, than: current) { return }
        scores[method] = value
    }
}
