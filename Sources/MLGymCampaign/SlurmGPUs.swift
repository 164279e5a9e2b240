import Foundation

/// Which GPUs a run gets inside a Slurm allocation. Slurm names the job's GPUs in `SLURM_STEP_GPUS` or
/// `SLURM_JOB_GPUS` by their index on the node (the /dev/nvidiaN number, what mlgymd's `gpus` takes).
/// `CUDA_VISIBLE_DEVICES` counts only when it holds UUIDs: its numbers can be relative to the job (with
/// `ConstrainDevices`), which would name another job's GPUs to a node-wide mlgymd.
public enum SlurmGPUs {
    /// The session's `gpus` for a run that asked for `count` GPUs; nil when the allocation does not say which.
    public static func selection(count: Int, environment: [String: String]) -> String? {
        guard count > 0 else { return "none" }
        for name in ["SLURM_STEP_GPUS", "SLURM_JOB_GPUS"] {
            let items = list(environment[name])
            if !items.isEmpty, items.allSatisfy({ Int($0) != nil || $0.hasPrefix("GPU-") }) { return items.joined(separator: ",") }
        }
        let visible = list(environment["CUDA_VISIBLE_DEVICES"])
        if !visible.isEmpty, visible.allSatisfy({ $0.hasPrefix("GPU-") }) { return visible.joined(separator: ",") }
        return nil
    }

    private static func list(_ value: String?) -> [String] {
        (value ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
