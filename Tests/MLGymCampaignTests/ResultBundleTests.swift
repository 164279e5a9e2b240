import Foundation
import MLGymAPI
import MLGymCampaign
import MLGymCore
import Testing

@Suite struct ResultBundleTests {
    let root: String

    init() throws {
        var template = Array("/tmp/mlgym-bundles-XXXXXX".utf8CString)
        root = String(cString: try #require(mkdtemp(&template)))
    }

    func run(_ id: String, state: String = "finished", score: Double = 2.5, cost: Double = 0.25) -> RunInfo {
        let date = Date(timeIntervalSince1970: 1_800_000_000)
        return RunInfo(
            id: id, campaign: "c", task: "blotto", model: "openai:gpt-4o", method: "gpt", seed: 1, session: "s-\(id)", state: state,
            exitStatus: state == "finished" ? "submitted" : nil, message: state == "finished" ? nil : "the session died", steps: 2,
            maxSteps: 10, tokensSent: 100, tokensReceived: 20, apiCalls: 2, cost: cost, metric: "Score", direction: "max",
            scores: state == "finished" ? [["Score": score - 1], ["Score": score]] : [], bestAttempt: score, submission: score,
            baseline: ["Score": 1], awaitingInput: false, createdAt: date, startedAt: date, endedAt: date.addingTimeInterval(60))
    }

    func bundle(_ info: RunInfo, key: String = "blotto+gpt+seed1") -> ResultBundle {
        let host = HostFacts(
            hostname: "node7", kernel: "6.1.0", gpus: [.init(vendor: "nvidia", index: 0, model: "NVIDIA H100", uuid: "GPU-1", busID: "0000:17:00.0")],
            driver: "550.54.15")
        let manifest = BundleManifest(
            campaign: "c", key: key, index: 3, task: info.task, model: info.method, modelSpec: info.model, seed: info.seed, run: info.id,
            state: info.state, exitStatus: info.exitStatus, message: info.message, steps: info.steps, cost: info.cost, costLimit: 1,
            rootfs: "sha256:0123456789abcdef", host: host, mlgymVersion: "0.3.0", apiVersion: "v1", daemon: "private",
            slurm: .init(environment: ["SLURM_JOB_ID": "41", "SLURM_ARRAY_JOB_ID": "40", "SLURM_ARRAY_TASK_ID": "3"]),
            specDigest: "abc", startedAt: info.startedAt, endedAt: info.endedAt)
        let step = RunStepInfo(
            index: 0, thought: "look", action: "ls", observation: "a.py", response: "look\n```\nls\n```",
            state: .init(openFile: "n/a", workingDirectory: "/home/agent/workspace"), startedAt: Date(timeIntervalSince1970: 0),
            modelMs: 1, executionMs: 2, stepMs: 3, inputTokens: 50, outputTokens: 10, cost: 0.1, formatErrors: 0, exitCode: 0)
        let trajectory = RunTrajectory(run: info, systemPrompt: "sys", taskPrompt: "task", steps: [step])
        return ResultBundle(
            manifest: manifest, record: RunRecords.record(info, steps: trajectory.steps), trajectory: trajectory, evaluations: nil,
            daemonLog: "mlgymd: listening\n")
    }

    /// A bundle exported in MLGym's layout carries the run's settings from its kept trajectory.
    @Test func aBundleIsExportedAsAnMLGymRunFolder() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let results = ResultsDirectory(root)
        var info = run("r1")
        info.settings = .init(temperature: 0.7, topP: 1, costLimit: 4, agentConfig: "default_memory")
        info.submissionPath = "/home/agent/workspace/strategy.py"
        try bundle(info).write(to: results)
        let manifest = try #require(results.scan().manifests["blotto+gpt+seed1"])
        let folder = try MLGymLayoutExport.write(bundle: results.bundlePath("blotto+gpt+seed1"), manifest: manifest, into: root + "/layout")
        #expect((folder as NSString).lastPathComponent == "gpt__blotto__default-memory__t-0.70__p-1.00__c-4.00__install-0_run_1")
        let traj = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/blotto.traj"))) as? [String: Any])
        #expect((traj["info"] as? [String: Any])?["submission"] as? String == "/home/agent/workspace/strategy.py")
        #expect(FileManager.default.fileExists(atPath: folder + "/results.json"))
    }

    @Test func aBundleHoldsEverythingAndReadsBack() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let results = ResultsDirectory(root)
        try bundle(run("r1")).write(to: results)
        let files = try FileManager.default.contentsOfDirectory(atPath: root + "/blotto+gpt+seed1").sorted()
        #expect(files == ["manifest.json", "mlgymd.log", "record.json", "results.json", "run.traj", "trajectory.json"])
        // Nothing is left half-written beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: results.incoming).isEmpty)
        let manifest = try #require(results.scan().manifests["blotto+gpt+seed1"])
        #expect(manifest.host == "node7" && manifest.gpuDriver == "550.54.15" && manifest.gpus.first?.model == "NVIDIA H100")
        #expect(manifest.rootfs == "sha256:0123456789abcdef" && manifest.slurm?.arrayTaskID == "3" && manifest.isFinished)
        let record = try #require(results.finishedRecords().records["blotto+gpt+seed1"])
        #expect(record.method == "gpt" && record.attempt == 1 && record.evaluations.map(\.kind) == [.validate, .submit])
        #expect(record.steps == [RunRecord.Step(thought: "look", action: "ls", observation: "a.py")])
        // MLGym's own files.
        let results_ = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: root + "/blotto+gpt+seed1/results.json"))) as? [String: Any]
        #expect((results_?["agent"] as? [[String: Double]])?.last?["Score"] == 2.5)
    }

    @Test func aFinishedBundleReplacesAFailedOne() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let results = ResultsDirectory(root)
        try bundle(run("failed", state: "failed")).write(to: results)
        #expect(results.scan().manifests["blotto+gpt+seed1"]?.isFinished == false)
        #expect(results.finishedRecords().records.isEmpty)
        try bundle(run("again")).write(to: results)
        #expect(results.scan().manifests["blotto+gpt+seed1"]?.run == "again")
        #expect(results.finishedRecords().records.count == 1)
        // A duplicate element that failed later does not erase the result.
        #expect(throws: MLGymError.self) { try bundle(run("late", state: "failed")).write(to: results) }
        #expect(results.scan().manifests["blotto+gpt+seed1"]?.run == "again")
        // Only the bundle and the (empty) staging directory remain.
        #expect(try FileManager.default.contentsOfDirectory(atPath: root).sorted() == [".incoming", "blotto+gpt+seed1"])
    }

    @Test func attemptsKeepWhatKilledRunsSpent() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let results = ResultsDirectory(root)
        try results.record(AttemptRecord(key: "k1", attempt: "job5", host: "n", cost: 0.5, state: "running"))
        try results.record(AttemptRecord(key: "k1", attempt: "job5", host: "n", cost: 0.75, state: "interrupted"))
        try results.record(AttemptRecord(key: "k1", attempt: "job9", host: "n", cost: 1, state: "finished"))
        try results.record(AttemptRecord(key: "k2", attempt: "job6", host: "n", cost: 0.25, state: "running"))
        #expect(results.attemptRecords().count == 3)
        #expect(results.spent() == 2)
    }

    @Test func aManifestThatCannotBeReadIsNamed() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/x+y+seed0", withIntermediateDirectories: true)
        try Data("{".utf8).write(to: URL(fileURLWithPath: root + "/x+y+seed0/manifest.json"))
        // Skipped and named; the good bundle beside it still counts.
        try bundle(run("r1")).write(to: ResultsDirectory(root))
        let scan = ResultsDirectory(root).scan()
        #expect(scan.manifests.keys.sorted() == ["blotto+gpt+seed1"])
        #expect(scan.problems.count == 1)
        #expect(scan.problems.first?.hasPrefix(root + "/x+y+seed0/manifest.json: not a valid bundle manifest") == true)
        // A bundle copied under another run's name, or of another campaign, does not count.
        try FileManager.default.copyItem(atPath: root + "/blotto+gpt+seed1", toPath: root + "/blotto+gpt+seed2")
        #expect(ResultsDirectory(root).scan().manifests["blotto+gpt+seed2"] == nil)
        #expect(ResultsDirectory(root).scan(campaign: "other").manifests.isEmpty)
    }

    @Test func statusOfEachRun() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let spec = try CampaignSpec.parse(
            "name: c\ntasks: [blotto]\nmodels: [{name: gpt, spec: 'openai:gpt-4o'}]\nseeds: [0, 1, 2, 3, 4]\nlimits: {campaign_cost: 10}\n",
            file: "c.yaml", directory: root)
        let results = ResultsDirectory(root)
        try bundle(run("done"), key: "blotto+gpt+seed1").write(to: results)
        try bundle(run("bad", state: "failed"), key: "blotto+gpt+seed2").write(to: results)
        try results.record(AttemptRecord(key: "blotto+gpt+seed1", attempt: "job1", host: "n", cost: 0.25, state: "finished"))
        try results.record(AttemptRecord(key: "blotto+gpt+seed4", attempt: "job4", host: "n", cost: 0.5, state: "running"))
        var jobs = SlurmJobs()
        jobs.addQueue("7_3|RUNNING|node2\n7_0|PENDING|\n")
        let status = CampaignStatus(
            spec: spec, manifests: results.scan().manifests, records: results.finishedRecords().records, attempts: results.attemptRecords(), jobs: jobs)
        #expect(status.rows.map(\.state) == [.pending, .finished, .failed, .running, .missing])
        #expect(status.rows[1].score == 2.5)
        #expect(status.rows[3].detail == "7_3 on node2")
        #expect(status.rows[4].detail == "an attempt ended without a bundle")
        #expect(status.summary(budget: 10) == "5 runs: 1 finished, 1 failed, 1 running, 1 pending, 1 missing · $0.7500 spent of $10.00")
    }

    @Test func theHostsGPUsAndDriverComeFromTheDaemonThatRanTheRun() {
        let gpu = DaemonInfo.GPU(vendor: "nvidia", index: 2, model: "NVIDIA H200", uuid: "GPU-5a1b", busID: "0000:17:00.0")
        let info = DaemonInfo(
            version: "0.3.0", apiVersion: "v1", pid: 1, callerUID: 0, callerGID: 0, cgroups: "v2", gpus: 1, rootfs: "host",
            gpuDevices: [gpu], nvidiaDriver: "550.54.15")
        let facts = HostFacts(daemon: info)
        #expect(facts.driver == "550.54.15" && facts.gpus == [gpu])
        #expect(!facts.kernel.isEmpty && !facts.hostname.isEmpty)
        // An older daemon that says nothing of its GPUs.
        let older = DaemonInfo(version: "0.2.0", apiVersion: "v1", pid: 1, callerUID: 0, callerGID: 0, cgroups: "v2", gpus: 0, rootfs: "host")
        #expect(HostFacts(daemon: older).gpus.isEmpty && HostFacts(daemon: older).driver == nil)
    }
}
