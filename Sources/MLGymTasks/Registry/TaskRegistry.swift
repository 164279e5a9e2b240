import Foundation
import MLGymCore

/// Every task mlgymd knows: the repository's `tasks/` plus any `--tasks-dir`, each a task root laid out like an
/// MLGym checkout (`configs/tasks/*.yaml`, `configs/datasets/*.yaml`, data and starter files beside them).
///
/// A broken task file does not take the others down: it is left out and listed in `problems`, which
/// `mlgymctl tasks` prints, so an operator sees what is wrong and where.
public struct TaskRegistry: Sendable {
    public private(set) var tasks: [String: BenchmarkTask] = [:]
    /// One line per task file that could not be loaded: file, field, what was expected.
    public private(set) var problems: [String] = []

    public init(roots: [String]) {
        for root in roots {
            load(root: URL(fileURLWithPath: root).standardizedFileURL.path)
        }
    }

    /// Tasks sorted by id.
    public var all: [BenchmarkTask] { tasks.values.sorted { $0.id < $1.id } }

    public func task(_ id: String) throws(MLGymError) -> BenchmarkTask {
        guard let task = tasks[id] else {
            let hint = tasks.isEmpty ? "no tasks are installed (see --tasks-dir)" : "mlgymctl tasks lists them"
            throw MLGymError(.notFound, "unknown task '\(id)' (\(hint))")
        }
        return task
    }

    private mutating func load(root: String) {
        let directory = root + "/configs/tasks"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            problems.append("\(root): not a task root (it has no configs/tasks directory)")
            return
        }
        for name in names.sorted() where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
            let file = directory + "/" + name
            do {
                let task = try Self.loadTask(file: file, root: root)
                if let existing = tasks[task.id] {
                    problems.append("\(file): task id '\(task.id)' is already defined by \(existing.config.file), which takes precedence")
                    continue
                }
                tasks[task.id] = task
            } catch {
                problems.append(error.message)
            }
        }
    }

    /// Reads one task file and the dataset files it names, and checks that the files it names exist.
    public static func loadTask(file: String, root: String) throws(MLGymError) -> BenchmarkTask {
        let config = try TaskConfig(file: file, text: try read(file))
        var datasets: [DatasetConfig] = []
        for relative in config.datasetConfigs {
            let datasetFile = root + "/configs/" + relative
            guard FileManager.default.fileExists(atPath: datasetFile) else {
                throw MLGymError(.parse, "\(file): field 'dataset_configs' names \(relative), but \(datasetFile) does not exist")
            }
            datasets.append(try DatasetConfig(file: datasetFile, text: try read(datasetFile)))
        }
        var task = BenchmarkTask(config: config, datasets: datasets, root: root)
        if let requirements = config.requirementsPath, !config.useGenericConda {
            guard let data = FileManager.default.contents(atPath: task.hostPath(requirements)) else {
                throw MLGymError(.parse, "\(file): field 'requirements_path' names \(requirements), but \(task.hostPath(requirements)) cannot be read")
            }
            task.requiredDistributions = PythonRequirements.distributions(in: String(decoding: data, as: UTF8.self))
        }
        // Secret files may be missing (answers an operator makes from data mlgym cannot ship): `TaskReadiness`
        // reports that as a reason the task cannot run, not as a broken file.
        for path in config.starterCode where !FileManager.default.fileExists(atPath: task.hostPath(path)) {
            throw MLGymError(.parse, "\(file): field 'starter_code' names \(path), but \(task.hostPath(path)) does not exist")
        }
        if let sample = config.sampleSubmission, !FileManager.default.fileExists(atPath: task.hostPath(sample)) {
            throw MLGymError(.parse, "\(file): field 'sample_submission' names \(sample), but \(task.hostPath(sample)) does not exist")
        }
        for path in config.evaluationPaths + config.protectedFiles where task.starterSource(for: path) == nil {
            throw MLGymError(.parse, "\(file): '\(path)' (an evaluation or protected file) is not among the starter_code files, so the evaluation has no pristine copy of it")
        }
        return task
    }

    private static func read(_ file: String) throws(MLGymError) -> String {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw MLGymError(.notFound, "\(file): cannot be read")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
