import MLGymAPI
import MLGymCore

/// mlgymd's runs in the shape scoring reads (`RunRecord`, what `mlgymctl report --runs` takes): the method is
/// the run's method (a campaign's model name, else the model spec), the attempt the seed, the evaluations
/// every successful validate and the final one, and the step count (kept even when the trajectory is not).
public enum RunRecords {
    /// The records of the runs that have ended.
    public static func records(_ runs: [RunInfo]) -> [RunRecord] {
        runs.filter { !$0.isActive }.map { record($0) }
    }

    /// One run's record; with its trajectory's steps when given (what a result bundle keeps).
    public static func record(_ run: RunInfo, steps: [RunStepInfo] = []) -> RunRecord {
        let count = run.scores.count
        let submitted = run.exitStatus == "submitted" || run.exitStatus?.hasPrefix("autosubmission") == true
        return RunRecord(
            id: run.id, task: run.task, method: run.method, attempt: run.seed, metric: run.metric ?? "",
            direction: MetricDirection(rawValue: run.direction) ?? .max, baseline: run.baseline,
            evaluations: run.scores.enumerated().map { index, metrics in
                // The last successful evaluation of a run that ended on one is its submission.
                let kind: RunRecord.Evaluation.Kind = submitted && index == count - 1
                    ? (run.exitStatus == "submitted" ? .submit : .autosubmit) : .validate
                return RunRecord.Evaluation(kind: kind, metrics: metrics)
            },
            exitStatus: run.exitStatus,
            usage: RunRecord.Usage(tokensSent: run.tokensSent, tokensReceived: run.tokensReceived, apiCalls: run.apiCalls, dollars: run.cost),
            steps: steps.map { RunRecord.Step(thought: $0.thought, action: $0.action, observation: $0.observation) },
            stepCount: run.steps)
    }
}
