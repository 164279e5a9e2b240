import Foundation
import MLGymAPI
import MLGymCampaign
import MLGymClient
import MLGymCore

/// A finished (or failed) run of a campaign, gathered from mlgymd into its result bundle.
enum CampaignBundles {
    struct Context {
        var spec: CampaignSpec
        var specDigest: String
        var results: ResultsDirectory
        /// `system` or `private`.
        var daemon: String
        var costLimit: Double
        /// The session's GPU selection.
        var gpus: String
        var daemonLog: String?
    }

    static func write(_ run: CampaignRun, info: RunInfo, api: APIClient, context: Context) throws(MLGymError) {
        let trajectory = try api.trajectory(info.id)
        let evaluations = info.session.flatMap { try? api.evaluations($0) }
        let daemon = try api.info()
        let rootfs = evaluations?.evaluations.last(where: { $0.rootfsIdentity != nil })?.rootfsIdentity ?? (try? api.tasks())?.rootfsIdentity
        let manifest = BundleManifest(
            campaign: context.spec.name, key: run.key, index: run.index, task: run.task, model: run.model,
            modelSpec: info.model, seed: run.seed, run: info.id, state: info.state, exitStatus: info.exitStatus,
            message: info.message, steps: info.steps, cost: info.cost, costLimit: context.costLimit, rootfs: rootfs,
            host: HostFacts(daemon: daemon), mlgymVersion: daemon.version, apiVersion: daemon.apiVersion, daemon: context.daemon,
            slurm: Self.slurm, specDigest: context.specDigest, startedAt: info.startedAt, endedAt: info.endedAt, gpuSelection: context.gpus)
        let bundle = ResultBundle(
            manifest: manifest, record: RunRecords.record(info, steps: trajectory.steps), trajectory: trajectory,
            evaluations: evaluations, daemonLog: context.daemonLog)
        try bundle.write(to: context.results)
    }

    /// The Slurm job this process runs in, if any.
    static var slurm: BundleManifest.Slurm? {
        let slurm = BundleManifest.Slurm(environment: ProcessInfo.processInfo.environment)
        return slurm.isEmpty ? nil : slurm
    }

    /// SHA-256 of the campaign file, so that elements refuse a file changed after submission.
    static func digest(ofFile path: String) throws(MLGymError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw MLGymError(.notFound, "cannot read the campaign file \(path)")
        }
        return SHA256.hex(data)
    }
}
