import Foundation
import MLGymCore

/// A task as loaded from a task root: its config, its datasets, and where its files are on the host.
public struct BenchmarkTask: Sendable, Equatable {
    public var config: TaskConfig
    public var datasets: [DatasetConfig]
    /// The task root (the directory holding `configs/`), which task-relative paths are resolved against.
    public var root: String
    /// The projects (normalised names) of the task's own environment, MLGym's `requirements_path`, when the task
    /// does not use the generic one; the root filesystem must have each.
    public var requiredDistributions: [String] = []

    public var id: String { config.id }

    /// A task-relative path on the host.
    public func hostPath(_ relative: String) -> String {
        root + "/" + relative
    }

    /// The description with `{dataset_docs}` filled in, as MLGym does in `setup()`.
    public var renderedDescription: String {
        let docs = datasets.map { "\($0.name):\n\($0.description)" }.joined(separator: "\n\n")
        return config.description.replacingOccurrences(of: "{dataset_docs}", with: docs)
    }

    /// The description as MLGym renders it for its agent templates: `{dataset_docs}` filled by Python's format
    /// with each dataset's upper-cased name, a colon, a newline, its description and a blank line. A description
    /// that Python's format could not take (other braces) gets `renderedDescription`.
    public var mlgymDescription: String {
        let docs = datasets.map { "\($0.name.uppercased()):\n\($0.description)\n\n" }.joined()
        return (try? PythonFormat.render(config.description, ["dataset_docs": docs])) ?? renderedDescription
    }

    /// Local datasets bound read-only into the workspace: one at `data`, several at `data/<name>`.
    public var localDataBinds: [(hostPath: String, workspacePath: String)] {
        let local = datasets.filter(\.isLocal)
        return local.map { dataset in
            (hostPath(dataset.dataPath), local.count == 1 ? "data" : "data/" + dataset.name)
        }
    }

    /// Hugging Face datasets the session needs in the shared cache.
    public var hubDatasets: [DatasetConfig] { datasets.filter { !$0.isLocal } }

    /// Paths the evaluation restores from the pristine task files (evaluation scripts and protected files), as
    /// (host source, workspace-relative destination).
    public func pristineEvaluationFiles() -> [(hostPath: String, workspacePath: String)] {
        let protected = config.evaluationPaths + config.protectedFiles.filter { !config.evaluationPaths.contains($0) }
        return protected.compactMap { workspacePath in
            starterSource(for: workspacePath).map { ($0, workspacePath) }
        }
    }

    /// The starter-code entry that becomes `workspacePath` once copied into the workspace: an entry is copied
    /// under its last component, so `data/x/evaluate.py` becomes `evaluate.py` and `data/x/src` becomes `src`.
    public func starterSource(for workspacePath: String) -> String? {
        for entry in config.starterCode {
            let name = (entry as NSString).lastPathComponent
            if workspacePath == name { return hostPath(entry) }
            if workspacePath.hasPrefix(name + "/") { return hostPath(entry) + workspacePath.dropFirst(name.count) }
        }
        return nil
    }
}
