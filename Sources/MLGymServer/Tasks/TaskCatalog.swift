import Foundation
import MLGymAPI
import MLGymCore
import MLGymSandbox
import MLGymTasks
import Synchronization

/// The daemon's view of the benchmark tasks: the registry, the dataset cache, and what the sessions' root
/// filesystem offers (asked once, from inside a sandbox, the first time someone needs it).
final class TaskCatalog: Sendable {
    let registry: TaskRegistry
    let hubCache: HubCache
    private let engine: SandboxEngine
    private let rootFilesystem: SandboxSpec.RootFilesystem
    private let probeRun = Mutex<Task<RootfsProbe?, Never>?>(nil)

    init(registry: TaskRegistry, hubCache: HubCache, engine: SandboxEngine, rootFilesystem: SandboxSpec.RootFilesystem) {
        self.registry = registry
        self.hubCache = hubCache
        self.engine = engine
        self.rootFilesystem = rootFilesystem
    }

    /// What the root filesystem offers; nil when it could not be asked (the reason is logged).
    func probe() async -> RootfsProbe? {
        let run = probeRun.withLock { current -> Task<RootfsProbe?, Never> in
            if let current { return current }
            let modules = Array(Set(registry.all.flatMap(\.config.pythonModules)))
            let task = Task { [engine, rootFilesystem] () -> RootfsProbe? in
                do {
                    return try await RootfsProbe.run(engine: engine, rootFilesystem: rootFilesystem, modules: modules)
                } catch {
                    DaemonLog.warning("cannot ask the root filesystem which Python modules it has: \(error)")
                    return nil
                }
            }
            current = task
            return task
        }
        let probe = await run.value
        // A failed probe (a sandbox that could not be built just then) is asked again next time.
        if probe == nil { probeRun.withLock { if $0 == run { $0 = nil } } }
        return probe
    }

    func task(_ id: String) throws(MLGymError) -> BenchmarkTask { try registry.task(id) }

    func list() async -> TaskList {
        let probe = await probe()
        return TaskList(
            tasks: registry.all.map { info($0, probe: probe, withDescription: false) }, problems: registry.problems,
            rootfsIdentity: probe?.identity)
    }

    func describe(_ id: String) async throws(MLGymError) -> TaskInfo {
        let task = try registry.task(id)
        return info(task, probe: await probe(), withDescription: true)
    }

    func readiness(of task: BenchmarkTask) async -> TaskReadiness {
        TaskReadiness(task: task, hostGPUs: engine.gpus.nvidia.count + engine.gpus.amd.count, probe: await probe(), hubCache: hubCache)
    }

    private func info(_ task: BenchmarkTask, probe: RootfsProbe?, withDescription: Bool) -> TaskInfo {
        let config = task.config
        let readiness = TaskReadiness(task: task, hostGPUs: engine.gpus.nvidia.count + engine.gpus.amd.count, probe: probe, hubCache: hubCache)
        let datasets = task.datasets.map { dataset in
            TaskInfo.Dataset(
                name: dataset.name, source: dataset.isLocal ? "local" : "huggingface " + (dataset.hubKind == .model ? "model" : "dataset"), location: dataset.dataPath,
                present: dataset.isLocal
                    ? FileManager.default.fileExists(atPath: task.hostPath(dataset.dataPath))
                    : hubCache.cachedRevision(dataset.dataPath, kind: dataset.hubKind) != nil,
                howToGet: dataset.howToGet)
        }
        return TaskInfo(
            id: task.id, name: config.name, domain: config.domain, entrypoint: config.entrypoint.rawValue,
            metric: config.rankingMetric, direction: config.metricDirection.rawValue, baseline: config.baselineValue,
            baselineScores: config.baselineScores.first, gpus: config.gpus, pythonModules: config.pythonModules,
            trainingTimeout: config.trainingTimeout, datasets: datasets, runnable: readiness.runnable,
            blockers: readiness.blockers, notes: readiness.notes,
            baselineCommand: config.baselinePaths.first.map { path in
                config.entrypoint.baselineCommand(script: path, gpus: config.gpus).map(ShellQuote.quote).joined(separator: " ")
            },
            baselineTolerance: config.baselineTolerance, file: config.file,
            description: withDescription ? task.renderedDescription : nil,
            baselineStatus: config.baselineScores.isEmpty ? nil : config.baselineStatus.rawValue,
            fieldsFromMLGymBench: config.fieldsFromMLGymBench.isEmpty ? nil : config.fieldsFromMLGymBench)
    }
}
