import Foundation
import MLGymAPI
import MLGymCampaign
import MLGymClient
import MLGymCore
import MLGymScore
import MLGymWebUI

/// The pages `mlgymctl ui` makes itself, from mlgymd's answers to this user (so the same authorisation holds):
///
/// - `/ui/campaigns/NAME/report.json`: the campaign's report so far (`JSONReport`), from its finished runs, as
///   `campaign run` prints it at the end;
/// - `/ui/campaigns/NAME/profile-best_attempt.svg`, `…/profile-best_submission.svg`, `…/cost.svg`: its plots;
/// - `/ui/runs/ID/ID.traj`, `/ui/runs/ID/results.json`: the run in MLGym's files;
/// - `/ui/runs/ID/mlgym-layout.tar`: the run's folder as MLGym's outputs lay it out (`mlgymctl export`).
struct UIDerivedPages: Sendable {
    let socketPath: String

    func answer(path: String, query: [String: String]) -> WebUIReply? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst(2).map { PercentEncoding.decoded($0) }
        guard parts.count == 3, let kind = parts[0], let name = parts[1], let file = parts[2], !name.isEmpty else { return nil }
        let client = APIClient(socketPath: socketPath)
        do {
            switch kind {
            case "campaigns": return try campaignPage(name, file, client)
            case "runs": return try runExport(name, file, client)
            default: return nil
            }
        } catch {
            // mlgymd's own answer, passed on: not found, not yours, or not now.
            let status = switch error.code {
            case .notFound: 404
            case .permissionDenied: 403
            case .invalidArgument, .parse: 400
            case .invalidState: 409
            default: 502
            }
            return .text(status, error.message)
        }
    }

    // MARK: A campaign's report

    private func campaignPage(_ name: String, _ file: String, _ client: APIClient) throws(MLGymError) -> WebUIReply? {
        let runs = try client.runs(campaign: name).runs
        let records = RunRecords.records(Self.latest(runs.filter { $0.state == "finished" }))
        let report: ScoreReport?
        var problem: String?
        if records.isEmpty {
            report = nil
            problem = runs.isEmpty ? "no run of campaign \(name)" : "no run has finished yet"
        } else {
            do {
                report = try ScoreReport.ofRuns(records)
            } catch {
                report = nil
                problem = error.message
            }
        }
        switch file {
        case "report.json":
            // The report as `mlgymctl report --format json` writes it, with the count of runs behind it.
            let body = "{\"finishedRuns\": \(records.count), \"problem\": \(Self.jsonString(problem)), \"report\": "
                + (report.map(JSONReport.render) ?? "null") + "}"
            return WebUIReply(contentType: "application/json", body: Array(body.utf8))
        case "profile-best_attempt.svg", "profile-best_submission.svg", "cost.svg":
            guard let report else { return .text(409, problem ?? "no report yet") }
            let svg = switch file {
            case "cost.svg": SVGPlot.costPanel(report, width: 900, height: 380)
            case "profile-best_attempt.svg": SVGPlot.profilePanel(report, .bestAttempt)
            default: SVGPlot.profilePanel(report, .bestSubmission)
            }
            return WebUIReply(contentType: "image/svg+xml", body: Array(svg.utf8))
        default:
            return nil
        }
    }

    /// One run per task, method and seed: the latest (a campaign run again after a failure adds a second).
    static func latest(_ runs: [RunInfo]) -> [RunInfo] {
        var kept: [String: RunInfo] = [:]
        for run in runs {
            let key = "\(run.task)\u{0}\(run.method)\u{0}\(run.seed)"
            if let other = kept[key], other.createdAt >= run.createdAt { continue }
            kept[key] = run
        }
        return kept.values.sorted { ($0.task, $0.method, $0.seed) < ($1.task, $1.method, $1.seed) }
    }

    static func jsonString(_ text: String?) -> String {
        guard let text, let data = try? JSONEncoder().encode(text) else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }

    // MARK: A run's export

    private func runExport(_ id: String, _ file: String, _ client: APIClient) throws(MLGymError) -> WebUIReply? {
        guard file == "\(id).traj" || file == "results.json" || file == "mlgym-layout.tar" else { return nil }
        let trajectory = try client.trajectory(id)
        if file == "mlgym-layout.tar" { return try layoutArchive(trajectory) }
        let files: (traj: Data, results: Data)
        do {
            files = try TrajectoryExport.files(trajectory)
        } catch {
            throw MLGymError(.system, "cannot write run \(id) as MLGym files: \(error)")
        }
        let body = file == "results.json" ? files.results : files.traj
        return WebUIReply(
            contentType: "application/json", body: Array(body),
            headers: ["Content-Disposition: attachment; filename=\"\(file)\""])
    }

    /// The run's MLGym folder, written to a scratch directory and packed with tar(1).
    private func layoutArchive(_ trajectory: RunTrajectory) throws(MLGymError) -> WebUIReply {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("mlgym-ui-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let folder = try MLGymLayoutExport.write(trajectory, into: scratch)
        let archive = scratch + ".tar"
        defer { try? FileManager.default.removeItem(atPath: archive) }
        let tar = Process()
        tar.executableURL = URL(fileURLWithPath: "/bin/tar")
        tar.arguments = ["-C", scratch, "-cf", archive, (folder as NSString).lastPathComponent]
        do {
            try tar.run()
            tar.waitUntilExit()
        } catch {
            throw MLGymError(.system, "cannot run tar to pack the run's folder: \(error)")
        }
        guard tar.terminationStatus == 0, let bytes = FileManager.default.contents(atPath: archive) else {
            throw MLGymError(.system, "tar could not pack the run's folder (exit \(tar.terminationStatus))")
        }
        return WebUIReply(
            contentType: "application/x-tar", body: Array(bytes),
            headers: ["Content-Disposition: attachment; filename=\"\(trajectory.run.id)-mlgym.tar\""])
    }
}
