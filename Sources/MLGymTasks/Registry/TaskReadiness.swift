import Foundation

/// Whether a task can run on this host, and if not, every reason why (missing GPUs, data, packages).
public struct TaskReadiness: Sendable, Equatable {
    /// Reasons the task cannot run here; empty when it can.
    public var blockers: [String] = []
    /// Whether every dataset is on the host (local data present, hub datasets in the cache).
    public var datasetsPresent = true
    /// Things worth knowing that do not stop it (a hub dataset that will be fetched at start).
    public var notes: [String] = []

    public var runnable: Bool { blockers.isEmpty }

    public init(task: BenchmarkTask, hostGPUs: Int, probe: RootfsProbe?, hubCache: HubCache?) {
        if task.config.gpus > hostGPUs {
            blockers.append("needs \(task.config.gpus) GPU\(task.config.gpus == 1 ? "" : "s"); this host has \(hostGPUs)")
        }
        for dataset in task.datasets where dataset.isLocal {
            var isDirectory: ObjCBool = false
            let path = task.hostPath(dataset.dataPath)
            let present = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
                && (!isDirectory.boolValue || !((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).isEmpty)
            if !present {
                datasetsPresent = false
                blockers.append("dataset \(dataset.name) is missing (mlgymctl tasks show \(task.id) says how to get it)")
            }
        }
        let missingSecrets = task.config.secretFiles.filter { !FileManager.default.fileExists(atPath: task.hostPath($0)) }
        if !missingSecrets.isEmpty {
            datasetsPresent = false
            blockers.append("the evaluation's hidden files are missing (\(missingSecrets.joined(separator: ", ")))")
        }
        for dataset in task.hubDatasets where hubCache?.cachedRevision(dataset.dataPath, kind: dataset.hubKind) == nil {
            datasetsPresent = false
            notes.append("dataset \(dataset.dataPath) is not in the cache yet; mlgymd fetches it when a session starts")
        }
        if let probe {
            let missing = task.config.pythonModules.filter { probe.missingModules.contains($0) }
            if !missing.isEmpty {
                blockers.append("python3 in the root filesystem lacks \(missing.joined(separator: ", "))")
            }
            let absent = task.requiredDistributions.filter { !probe.distributions.contains($0) }
            if !absent.isEmpty, let requirements = task.config.requirementsPath {
                blockers.append("the root filesystem lacks \(absent.joined(separator: ", ")) from the task's \(requirements) (rootfs/build --profile full has MLGym's packages)")
            }
        }
    }
}
