import Foundation

/// MLGym's task classes (`task_entrypoint`), each one way of finding the agent's artefact and running the
/// evaluation on it.
public enum TaskEntrypoint: String, Sendable, Codable, CaseIterable {
    /// A CSV of predictions (`submission.csv`), scored against answers the agent never sees.
    case csvSubmission = "CSVSubmissionTasks"
    /// A trained model described by a config file (MLGym's RL tasks: `config.yaml` plus `checkpoints/`).
    case modelSubmission = "ModelSubmissionTasks"
    /// A language model's weights, evaluated with `torchrun` on every GPU the session has.
    case lmSubmission = "LMSubmissionTasks"
    /// Code the agent edited in place (`strategy.py`, `heuristic.py`), run by the evaluation itself.
    case pythonSubmission = "PythonSubmissionTasks"

    /// The artefact's workspace-relative path when a task names none.
    var defaultArtefact: String? {
        switch self {
        case .csvSubmission: return "submission.csv"
        case .modelSubmission: return "config.yaml"
        case .lmSubmission: return "model.pt"
        case .pythonSubmission: return nil
        }
    }

    /// The evaluation's command line inside the evaluation sandbox (cwd = the workspace).
    func evaluationCommand(script: String, artefactPath: String?, gpus: Int) -> [String] {
        switch self {
        case .csvSubmission:
            return ["python3", script, "--submission_file", artefactPath ?? "submission.csv"]
        case .modelSubmission:
            return ["python3", script, "--config_fname", artefactPath ?? "config.yaml"]
        case .lmSubmission:
            return ["torchrun", "--nproc_per_node=\(max(1, gpus))", "--standalone", script]
        case .pythonSubmission:
            return ["python3", script]
        }
    }

    /// How the baseline script runs in the agent's workspace.
    public func baselineCommand(script: String, gpus: Int) -> [String] {
        switch self {
        case .lmSubmission: return ["torchrun", "--nproc_per_node=\(max(1, gpus))", "--standalone", script]
        default: return ["python3", script]
        }
    }
}
