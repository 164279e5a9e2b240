import Foundation

/// Which GPUs a run gets inside a Slurm allocation. Slurm names the job's GPUs in `SLURM_STEP_GPUS` or
/// `SLURM_JOB_GPUS` by their index on the node (the /dev/nvidiaN number, what mlgymd's `gpus` takes);
/// `CUDA_VISIBLE_DEVICES` is the fallback on clusters that set only that.
public enum SlurmGPUs {
    /// The session's `gpus` for a run that asked for `count` GPUs.
    public static func selection(count: Int, environment: [String: String]) -> String {
        guard count > 0 else { return "none" }
        for name in ["SLURM_STEP_GPUS", "SLURM_JOB_GPUS", "CUDA_VISIBLE_DEVICES"] {
            guard let value = environment[name], !value.isEmpty else { continue }
            let items = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            // Indices, or UUIDs (GPU-…): both are what mlgymd's selection takes.
            if !items.isEmpty, items.allSatisfy({ Int($0) != nil || $0.hasPrefix("GPU-") }) {
                return items.joined(separator: ",")
            }
        }
        return "all"
    }
}
