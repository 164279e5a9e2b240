import Foundation
import MLGymAPI

/// A run in MLGym's output files: the `.traj` (trajectory, history, info) and `results.json` (every successful
/// evaluation's metrics, and the baseline's), so MLGym's analysis scripts read mlgym runs unchanged.
public enum TrajectoryExport {
    public static func files(_ trajectory: RunTrajectory) throws -> (traj: Data, results: Data) {
        let run = trajectory.run
        var history: [[String: Any]] = [
            ["role": "system", "content": trajectory.systemPrompt, "agent": "primary"],
            ["role": "user", "content": trajectory.taskPrompt, "agent": "primary"],
        ]
        var steps: [[String: Any]] = []
        for step in trajectory.steps {
            let state = String(decoding: try JSONEncoder().encode(step.state), as: UTF8.self)
            steps.append([
                "action": step.action, "observation": step.observation, "response": step.response, "state": state,
                "thought": step.thought, "execution_time": Double(step.executionMs) / 1000,
            ])
            history.append(["role": "assistant", "content": step.response, "thought": step.thought, "action": step.action, "agent": "primary"])
            history.append(["role": "user", "content": step.observation, "agent": "primary"])
        }
        let submitted = run.exitStatus == "submitted" || run.exitStatus?.hasPrefix("autosubmission") == true
        let info: [String: Any] = [
            "model_stats": [
                "total_cost": run.cost, "task_cost": run.cost, "tokens_sent": run.tokensSent,
                "tokens_received": run.tokensReceived, "api_calls": run.apiCalls,
            ],
            "exit_status": run.exitStatus ?? "",
            // MLGym records the submitted artefact's path; a run recorded before the path was kept names the workspace.
            "submission": submitted ? (run.submissionPath ?? "/home/agent/workspace") : NSNull(),
            "score": run.scores,
            "summarizer": [String: Any](),
        ]
        let traj: [String: Any] = ["environment": "mlgym_main", "trajectory": steps, "history": history, "info": info]
        let results: [String: Any] = ["agent": run.scores, "baseline": run.baseline ?? [:]]
        let options: JSONSerialization.WritingOptions = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try JSONSerialization.data(withJSONObject: traj, options: options),
                try JSONSerialization.data(withJSONObject: results, options: options))
    }
}
