import MLGymAPI
import MLGymCampaign
import MLGymClient
import MLGymCore

/// The campaign's task ids checked against an mlgymd's tasks before any run starts, so a typo fails once with
/// the list of tasks instead of failing every run of the task.
enum CampaignTasks {
    /// - Parameter runnableHere: also require that this host can run them (a local campaign; a login node's
    ///   mlgymd may lack the GPUs the compute nodes have).
    static func check(_ spec: CampaignSpec, against api: APIClient, runnableHere: Bool) throws(MLGymError) {
        let tasks = try api.tasks().tasks
        let byID = Dictionary(tasks.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let unknown = spec.tasks.filter { byID[$0] == nil }
        guard unknown.isEmpty else {
            throw MLGymError(.notFound, "unknown task\(unknown.count == 1 ? "" : "s") \(unknown.joined(separator: ", ")) (mlgymctl tasks lists them)")
        }
        guard runnableHere else { return }
        let blocked = spec.tasks.compactMap { id in byID[id].flatMap { $0.runnable ? nil : "\(id): \($0.blockers.joined(separator: "; "))" } }
        guard blocked.isEmpty else {
            throw MLGymError(.unsupported, "this host cannot run \(blocked.joined(separator: " · "))")
        }
    }
}
