import MLGymAPI
import MLGymCore

/// mlgymd's runs in the shape scoring reads (`RunRecord`, what `mlgymctl report --runs` takes): the method is
/// the model spec, the attempt the seed, and the evaluations every successful validate and the final one.
enum RunRecords {
    static func records(_ runs: [RunInfo]) -> [RunRecord] {
        runs.filter { !$0.isActive }.map { run in
            let count = run.scores.count
            let submitted = run.exitStatus == "submitted" || run.exitStatus?.hasPrefix("autosubmission") == true
            return RunRecord(
                id: run.id, task: run.task, method: run.model, attempt: run.seed, metric: run.metric ?? "",
                direction: MetricDirection(rawValue: run.direction) ?? .max, baseline: run.baseline,
                evaluations: run.scores.enumerated().map { index, metrics in
                    // The last successful evaluation of a run that ended on one is its submission.
                    let kind: RunRecord.Evaluation.Kind = submitted && index == count - 1
                        ? (run.exitStatus == "submitted" ? .submit : .autosubmit) : .validate
                    return RunRecord.Evaluation(kind: kind, metrics: metrics)
                },
                exitStatus: run.exitStatus,
                usage: RunRecord.Usage(tokensSent: run.tokensSent, tokensReceived: run.tokensReceived, apiCalls: run.apiCalls, dollars: run.cost))
        }
    }
}
