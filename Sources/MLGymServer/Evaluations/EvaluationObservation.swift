import MLGymAPI
import MLGymStore
import MLGymTasks

/// How a stored evaluation is shown: the API's `EvaluationInfo`, with the observation text MLGym's agents read.
enum EvaluationObservation {
    static func info(_ record: EvaluationRecord, task: BenchmarkTask) -> EvaluationInfo {
        let baseline = task.config.baselineScores.first
        return EvaluationInfo(
            id: record.id, kind: record.kind, status: record.status, metrics: record.metrics, artefactPath: record.artefactPath,
            artefactDigest: record.artefactDigest, rootfsIdentity: record.rootfsIdentity, message: record.message,
            output: record.output, startedAt: record.startedAt, durationMs: record.durationMs, baseline: baseline,
            observation: text(record, baseline: baseline))
    }

    /// MLGym's observation texts (§7 of the facts), so trajectories read the same.
    static func text(_ record: EvaluationRecord, baseline: [String: Double]?) -> String {
        switch record.status {
        case "succeeded":
            let artefact = record.artefactPath ?? TaskEvaluator.workspacePath
            var lines = [
                "Your code produced a valid submission artefact at \(artefact).",
                "Baseline Score: " + (baseline.map(MetricsParser.pythonRepr) ?? "NA (no baseline was there)"),
                "Evaluation Score: " + MetricsParser.pythonRepr(record.metrics),
            ]
            if EvaluationKind(rawValue: record.kind)?.isSubmission == true { lines.append("Submitted: this evaluation is the session's final submission.") }
            return lines.joined(separator: "\n")
        case "artefact_missing":
            return "Submission artefact not found. You have to produce a valid submission artefact as described in the task description to validate your results."
                + (record.message.map { "\n(\($0))" } ?? "")
        case "failed" where record.message?.hasPrefix("the evaluation printed no metrics") == true:
            return "Failed to decode metrics from evaluation script. Output:\n---\n\(MetricsParser.tail(record.output))\n---\nPlease make sure the evaluation script prints the metrics in json format."
        default:
            return "Error: \(record.message ?? "the evaluation failed")"
        }
    }
}
