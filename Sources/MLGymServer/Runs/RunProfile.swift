import MLGymAgent
import MLGymTasks

/// The two sets of loop limits a run can have. `default` is mlgym's (every action gets the task's
/// training_timeout, 600 s without output, observations cut at 20,000 characters, the blocklist enforced);
/// `parity` is MLGym's own, so scores compare with MLGym's published ones.
enum RunProfile {
    static let parity = "parity"
    static let names = ["default", parity]

    /// MLGym's `MLGYM_AGENT_SHORT_TIMEOUT`: an action that is not training.
    static let mlgymShortSeconds = 25.0
    /// MLGym's silence limit, `MLGYM_AGENT_ACTION_NO_OUTPUT_TIMEOUT` (= its long time-out).
    static let mlgymNoOutputSeconds = 3600.0
    /// MLGym compared only an action's first character with its blocklist, so nothing was ever refused.
    static let inertBlocklist = CommandBlocklist(anywhere: [], standalone: [])

    /// The task's fields as MLGym's TaskConfig gives them to agent templates (Python's `str()` of each).
    static func taskFields(_ task: BenchmarkTask) -> [String: String] {
        let config = task.config
        func text(_ value: String?) -> String { value ?? "None" }
        return [
            "id": config.id, "name": config.name, "description": task.mlgymDescription,
            "task_entrypoint": config.entrypoint.rawValue, "training_timeout": String(config.trainingTimeout),
            "use_generic_conda": config.useGenericConda ? "True" : "False", "requirements_path": text(config.requirementsPath),
            "benchmark_name": text(config.benchmarkName), "memory_path": text(config.memoryPath),
            "sample_submission": text(config.sampleSubmission), "evaluation_read_only": config.evaluationReadOnly ? "True" : "False",
        ]
    }
}
