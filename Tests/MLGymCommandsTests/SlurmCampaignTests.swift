import Foundation
import Glibc
import MLGymTestSupport
import Testing

/// A campaign on a real single-node Slurm cluster (munged, slurmctld and slurmd from Debian, started by
/// Tests/Servers/slurm-cluster.sh): submitted as a job array whose elements each start a private mlgymd, run a
/// replayed game-task run in a real sandbox and leave a bundle; one element is cancelled mid-run and the
/// re-submission runs only that one.
@Suite(.serialized) struct SlurmCampaignTests {
    static let clusterScript = MLGymCtlProcess.packageRoot.appendingPathComponent("Tests/Servers/slurm-cluster.sh").path
    static let demo = MLGymCtlProcess.packageRoot.appendingPathComponent("tasks/demos/baseline-as-is.traj").path

    @Test func aJobArrayLeavesBundlesAndResubmissionRunsOnlyTheMissingRun() throws {
        try #require(getuid() == 0, "the Slurm daemons and the sandboxes need root (scripts/test runs as root)")
        var template = Array("/tmp/mlgym-slurm-XXXXXX".utf8CString)
        let root = String(cString: try #require(mkdtemp(&template)))
        let cluster = root + "/cluster"
        let up = try clusterScript("up", cluster)
        defer {
            _ = try? clusterScript("down", cluster)
            try? FileManager.default.removeItem(atPath: root)
        }
        try #require(up.status == 0, "the Slurm cluster did not come up: \(up.log)")
        let environment = ["SLURM_CONF": cluster + "/slurm.conf"]

        // Two replayed models on two game tasks: "slow" sleeps first, so its element can be cancelled mid-run.
        try FileManager.default.copyItem(atPath: Self.demo, toPath: root + "/quick.traj")
        try ReplayTrajectoryFiles.slow(10, from: Self.demo, to: root + "/slow.traj")
        let file = root + "/campaign.yaml"
        try Data("""
            name: slurm-test
            tasks: [prisonersDilemma, battleOfSexes]
            models:
              - {name: quick, spec: 'replay:quick.traj'}
              - {name: slow, spec: 'replay:slow.traj'}
            seeds: [0]
            limits: {steps: 10, time: 5m, run_cost: 1, campaign_cost: 2}
            resources: {memory: 512M, cpus: 1}
            results: results
            """.utf8).write(to: URL(fileURLWithPath: file))
        let submit = ["campaign", "submit", file, "--slurm", "--daemon", "private",
                      "--mlgymd-arg=--cgroup-parent=mlgym-test-campaign", "--mlgymd-arg=--shutdown-grace=5"]

        // The script asks Slurm for what the file says.
        let dry = try ctl(submit + ["--dry-run"], environment)
        #expect(dry.status == 0, "\(dry.errorOutput)")
        for line in ["#SBATCH --job-name=mlgym-slurm-test", "#SBATCH --array=0-3", "#SBATCH --cpus-per-task=1", "#SBATCH --mem=1536M",
                     "#SBATCH --time=00:20:00", "#SBATCH --output=\(root)/results/.slurm/%A_%a.out"] {
            #expect(dry.output.contains(line + "\n"), "\(line) missing from:\n\(dry.output)")
        }
        // The $2 budget over 4 runs, under the $1 per run.
        #expect(dry.output.contains("--cost-share 0.5000"))

        let first = try ctl(submit, environment)
        try #require(first.status == 0, "\(first.errorOutput)")
        let job = try #require(first.output.firstMatch(of: /submitted array job (\d+): 4 runs/)?.1)

        // Cancel the slow run of prisonersDilemma (index 1) once its run is under way.
        _ = try waitForStatus(file, environment, timeout: 120) { runs in runs[1]["state"] as? String == "running" }
        sleep(3)
        let cancel = try CommandResult.run("/usr/bin/scancel", ["\(job)_1"], environment: environment)
        #expect(cancel.status == 0, "\(cancel.errorOutput)")
        var runs = try waitForStatus(file, environment, timeout: 180) { runs in
            runs.allSatisfy { ["finished", "missing", "failed"].contains($0["state"] as? String) }
        }
        #expect(runs.map { $0["state"] as? String } == ["finished", "missing", "finished", "finished"])
        #expect(!FileManager.default.fileExists(atPath: root + "/results/prisonersDilemma+slow+seed0"))
        // The cancelled element's spending was kept.
        #expect(!(try FileManager.default.contentsOfDirectory(atPath: root + "/results/.attempts/prisonersDilemma+slow+seed0")).isEmpty)
        let before = try manifests(root + "/results")

        // Submitting again submits the missing run only.
        let second = try ctl(submit, environment)
        #expect(second.status == 0, "\(second.errorOutput)")
        #expect(second.output.contains(": 1 run (indices 1)"), "\(second.output)")
        #expect(second.output.contains("left out: 3 finished"))
        runs = try waitForStatus(file, environment, timeout: 180) { runs in runs.allSatisfy { $0["state"] as? String == "finished" } }
        let after = try manifests(root + "/results")
        #expect(after.count == 4)
        for (key, manifest) in before { #expect(after[key]?["run"] as? String == manifest["run"] as? String, "\(key) was run again") }
        let scripts = try FileManager.default.contentsOfDirectory(atPath: root + "/results/.slurm").filter { $0.hasSuffix(".sbatch") }.sorted()
        #expect(scripts.count == 2)
        let resubmitted = try String(contentsOfFile: root + "/results/.slurm/" + scripts[1], encoding: .utf8)
        #expect(resubmitted.contains("#SBATCH --array=1\n"))

        // Each bundle says what ran where.
        for (key, manifest) in after {
            #expect(manifest["state"] as? String == "finished", "\(key)")
            #expect(manifest["daemon"] as? String == "private")
            #expect((manifest["rootfs"] as? String)?.hasPrefix("sha256:") == true, "\(key): \(manifest)")
            #expect(manifest["host"] as? String == ProcessInfo.processInfo.hostName)
            #expect(((manifest["slurm"] as? [String: Any])?["arrayJobID"] as? String) != nil)
            #expect(manifest["mlgymVersion"] as? String != nil)
            for name in ["record.json", "run.traj", "results.json", "evaluations.json", "mlgymd.log"] {
                #expect(FileManager.default.fileExists(atPath: root + "/results/\(key)/\(name)"), "\(key)/\(name)")
            }
        }

        // The bundles merge into one report.
        let report = try ctl(["report", "--bundles", root + "/results", "--format", "json"], environment)
        try #require(report.status == 0, "\(report.errorOutput)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(report.output.utf8)) as? [String: Any])
        let methods = try #require(object["methods"] as? [[String: Any]]).compactMap { $0["method"] as? String }
        #expect(Set(methods) == ["quick", "slow", "baseline"], "\(report.output.prefix(2000))")
    }

    /// Runs slurm-cluster.sh with posix_spawn (ChildProcess): the daemons it starts must inherit neither the
    /// test runner's blocked signals nor its descriptors.
    private func clusterScript(_ action: String, _ directory: String) throws -> (status: Int32, log: String) {
        let log = directory + "-\(action).log"
        let child = try ChildProcess("/bin/bash", [Self.clusterScript, action, directory], environment: ProcessInfo.processInfo.environment, logPath: log)
        let status = child.wait()
        return (status, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    private func ctl(_ arguments: [String], _ environment: [String: String]) throws -> CommandResult {
        try CommandResult.run(try MLGymCtlProcess.binary().path, arguments, environment: environment)
    }

    /// Polls `campaign status --json` until `done` holds for its runs.
    private func waitForStatus(
        _ file: String, _ environment: [String: String], timeout: Double, until done: ([[String: Any]]) -> Bool
    ) throws -> [[String: Any]] {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            let status = try ctl(["campaign", "status", file, "--json"], environment)
            last = status.output + status.errorOutput
            if status.status == 0, let object = try? JSONSerialization.jsonObject(with: Data(status.output.utf8)) as? [String: Any],
               let runs = object["runs"] as? [[String: Any]], done(runs) {
                return runs
            }
            usleep(500_000)
        }
        throw TestFailure("the campaign did not get there within \(Int(timeout)) s; last status: \(last)")
    }

    private func manifests(_ results: String) throws -> [String: [String: Any]] {
        var manifests: [String: [String: Any]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: results) where !name.hasPrefix(".") {
            let data = try Data(contentsOf: URL(fileURLWithPath: "\(results)/\(name)/manifest.json"))
            manifests[name] = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        }
        return manifests
    }
}

private struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
