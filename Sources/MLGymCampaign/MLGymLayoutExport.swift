import Foundation
import MLGymAPI
import MLGymCore

/// Runs written where MLGym's own runs land, so its trajectory visualizer and results scripts find them:
/// `<root>/<model>__<task>__<config>__t-<temperature>__p-<top_p>__c-<cost limit>__install-0_run_<seed>/`
/// holding `<task>.traj` and `results.json`.
///
/// MLGym's visualizer splits the folder name on `__` and reads each part as a run of characters without `_`, so
/// every part is written without underscores, colons or slashes (`openai:gpt_4o` → `openai-gpt-4o`).
public enum MLGymLayoutExport {
    /// The agent configuration a run names when it used mlgym's own prompts.
    public static let defaultConfig = "mlgym-default"

    public static func folderName(
        model: String, task: String, config: String, temperature: Double, topP: Double, costLimit: Double, seed: Int
    ) -> String {
        let parts = [
            component(model), component(task), component(config), "t-" + twoPlaces(temperature), "p-" + twoPlaces(topP),
            "c-" + twoPlaces(costLimit), "install-0",
        ]
        return parts.joined(separator: "__") + "_run_\(seed)"
    }

    /// Writes one run from its trajectory; returns the folder.
    @discardableResult
    public static func write(_ trajectory: RunTrajectory, into root: String) throws(MLGymError) -> String {
        let run = trajectory.run
        let settings = run.settings
        let folder = root + "/" + folderName(
            model: run.method, task: run.task, config: settings?.agentConfig ?? defaultConfig,
            temperature: settings?.temperature ?? 0, topP: settings?.topP ?? 0.95, costLimit: settings?.costLimit ?? 0,
            seed: run.seed)
        let files: (traj: Data, results: Data)
        do {
            files = try TrajectoryExport.files(trajectory)
        } catch {
            throw MLGymError(.system, "cannot encode run \(run.id) as MLGym files: \(error)")
        }
        try place([(run.task + ".traj", files.traj), ("results.json", files.results)], in: folder)
        return folder
    }

    /// Writes one finished bundle of a campaign's results directory; returns the folder. Bundles written since
    /// the trajectory was kept (`trajectory.json`) carry the run's settings; older ones take MLGym-Bench's
    /// (temperature 0, top_p 0.95) and the manifest's cost limit.
    @discardableResult
    public static func write(bundle directory: String, manifest: BundleManifest, into root: String) throws(MLGymError) -> String {
        if let data = FileManager.default.contents(atPath: directory + "/trajectory.json") {
            do {
                return try write(try WireCoding.decoder().decode(RunTrajectory.self, from: data), into: root)
            } catch let error as MLGymError {
                throw error
            } catch {
                throw MLGymError(.parse, "\(directory)/trajectory.json: not a run trajectory (\(error))")
            }
        }
        guard let traj = FileManager.default.contents(atPath: directory + "/run.traj"),
              let results = FileManager.default.contents(atPath: directory + "/results.json")
        else { throw MLGymError(.notFound, "\(directory): the bundle has no run.traj and results.json") }
        let folder = root + "/" + folderName(
            model: manifest.model, task: manifest.task, config: defaultConfig, temperature: 0, topP: 0.95,
            costLimit: manifest.costLimit, seed: manifest.seed)
        try place([(manifest.task + ".traj", traj), ("results.json", results)], in: folder)
        return folder
    }

    private static func place(_ files: [(String, Data)], in folder: String) throws(MLGymError) {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for (name, data) in files { try data.write(to: URL(fileURLWithPath: folder + "/" + name)) }
        } catch {
            throw MLGymError(.system, "cannot write \(folder): \((error as NSError).localizedDescription)")
        }
    }

    static func component(_ text: String) -> String {
        let cleaned = String(text.map { $0 == "_" || $0 == ":" || $0 == "/" || $0.isWhitespace || $0.isNewline ? "-" : $0 })
        return cleaned.isEmpty ? "-" : cleaned
    }

    static func twoPlaces(_ value: Double) -> String { String(format: "%.2f", value) }
}
