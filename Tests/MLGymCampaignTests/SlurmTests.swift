import Foundation
import MLGymCampaign
import MLGymCore
import Testing

@Suite struct SlurmTests {
    func spec(_ extra: String = "") throws -> CampaignSpec {
        try CampaignSpec.parse(
            """
            name: nightly
            tasks: [prisonersDilemma, blotto]
            models: [{name: a, spec: 'openai:gpt-4o'}, {name: b, spec: 'openai:o3'}]
            seeds: [0, 1]
            results: /shared/it's here/nightly
            \(extra)
            """, file: "c.yaml", directory: "/shared")
    }

    @Test func theScriptAsksForEachRunsResources() throws {
        let spec = try spec("resources: {gpus: 2, memory: 16G, cpus: 3.5}\nlimits: {time: 2h, campaign_cost: 10}")
        var options = SlurmScript.Options()
        options.partition = "gpu"
        options.account = "lab"
        options.maxRunning = 3
        options.daemonArguments = ["--tasks-dir", "/shared/my tasks"]
        let runs = [0, 1, 2, 5, 7].map { spec.runs[$0] }
        let text = SlurmScript(
            spec: spec, specPath: "/shared/c.yaml", baseDirectory: "/shared", specDigest: "abc", runs: runs, costShare: 2,
            mlgymctl: "/opt/mlgym/bin/mlgymctl",
            options: options
        ).render()
        let lines = Set(text.split(separator: "\n").map(String.init))
        #expect(text.hasPrefix("#!/bin/bash\n"))
        #expect(lines.contains("#SBATCH --job-name=mlgym-nightly"))
        #expect(lines.contains("#SBATCH --array=0-2,5,7%3"))
        #expect(lines.contains("#SBATCH --cpus-per-task=4"))
        #expect(lines.contains("#SBATCH --no-requeue"))
        // The session's 16 GiB and 1 GiB for mlgymd.
        #expect(lines.contains("#SBATCH --mem=17408M"))
        #expect(lines.contains("#SBATCH --gres=gpu:2"))
        // The run's 2 h and 15 min to set up and evaluate.
        #expect(lines.contains("#SBATCH --time=02:15:00"))
        #expect(lines.contains("#SBATCH --partition=gpu"))
        #expect(lines.contains("#SBATCH --account=lab"))
        #expect(lines.contains("#SBATCH --output=/shared/it's here/nightly/.slurm/%A_%a.out"))
        #expect(lines.contains(
            "exec /opt/mlgym/bin/mlgymctl campaign element /shared/c.yaml --base-dir /shared --index \"$SLURM_ARRAY_TASK_ID\" --results '/shared/it'\\''s here/nightly' "
                + "--spec-digest abc --cost-share 2.0000 --daemon auto --mlgymd-arg=--tasks-dir '--mlgymd-arg=/shared/my tasks'"))
    }

    @Test func withoutResourcesTheClustersDefaultsHold() throws {
        var options = SlurmScript.Options()
        options.time = "30"
        let spec = try spec()
        let text = SlurmScript(
            spec: spec, specPath: "/c.yaml", baseDirectory: "/", specDigest: "d", runs: spec.runs, costShare: 0, mlgymctl: "/m", options: options
        ).render()
        #expect(text.contains("#SBATCH --array=0-7\n"))
        #expect(text.contains("#SBATCH --time=30\n"))
        for absent in ["--mem", "--gres", "--cpus-per-task", "--partition", "--account"] { #expect(!text.contains(absent)) }
    }

    @Test func arrayLists() {
        #expect(SlurmScript.arrayList([3]) == "3")
        #expect(SlurmScript.arrayList([4, 3, 2, 9, 10, 12]) == "2-4,9-10,12")
        #expect(SlurmScript.arrayList([1, 1, 2]) == "1-2")
    }

    @Test func squeueAndSacctAreReadByArrayIndex() {
        var jobs = SlurmJobs()
        jobs.addQueue("12_3|RUNNING|node7\n12_4|PENDING|\n")
        // Accounting: an old cancelled element of index 1, and a newer completed one; index 3 is live already.
        jobs.addAccounting("9_1|CANCELLED by 0|node2\n14_1|COMPLETED|node3\n9_3|FAILED|node1\n")
        #expect(jobs.elements[3] == SlurmJobs.Element(jobID: "12_3", state: "RUNNING", nodes: "node7"))
        #expect(jobs.elements[4]?.isLive == true)
        #expect(jobs.elements[1] == SlurmJobs.Element(jobID: "14_1", state: "COMPLETED", nodes: "node3"))
        #expect(jobs.elements[1]?.isLive == false)
        // Only the array jobs this campaign's directory submitted.
        jobs.keep(jobIDs: ["12"])
        #expect(jobs.elements.keys.sorted() == [3, 4])
    }

    @Test func gpusInsideAnAllocation() {
        #expect(SlurmGPUs.selection(count: 0, environment: ["SLURM_JOB_GPUS": "0"]) == "none")
        #expect(SlurmGPUs.selection(count: 2, environment: ["SLURM_JOB_GPUS": "2,5", "CUDA_VISIBLE_DEVICES": "0,1"]) == "2,5")
        #expect(SlurmGPUs.selection(count: 1, environment: ["SLURM_STEP_GPUS": "3", "SLURM_JOB_GPUS": "3,4"]) == "3")
        #expect(SlurmGPUs.selection(count: 1, environment: ["CUDA_VISIBLE_DEVICES": "GPU-8d2f"]) == "GPU-8d2f")
        // Job-relative numbers, or nothing at all: which GPUs are ours is unknown, so none are guessed.
        #expect(SlurmGPUs.selection(count: 1, environment: ["CUDA_VISIBLE_DEVICES": "0"]) == nil)
        #expect(SlurmGPUs.selection(count: 1, environment: ["CUDA_VISIBLE_DEVICES": "MIG-x/1/2"]) == nil)
        #expect(SlurmGPUs.selection(count: 1, environment: [:]) == nil)
    }

    @Test func theBudgetIsSplitOverTheRunsSubmitted() throws {
        var limits = CampaignSpec.Limits()
        #expect(try CostShare.perRun(limits, spent: 0, runs: 8) == 0)
        limits.runCost = 4
        #expect(try CostShare.perRun(limits, spent: 0, runs: 8) == 4)
        limits.campaignCost = 10
        // 10 over 8 runs: 1.25 each, under the per-run 4.
        #expect(try CostShare.perRun(limits, spent: 0, runs: 8) == 1.25)
        // A later submission shares what is left, whoever spent it (3 runs, $7.30 left).
        #expect(try CostShare.perRun(limits, spent: 2.7, runs: 3) == 2.4333)
        #expect(try CostShare.perRun(limits, spent: 9, runs: 1) == 1)
        #expect(throws: MLGymError.self) { try CostShare.perRun(limits, spent: 10, runs: 1) }
        // Shares never add up to more than the budget.
        for runs in 1...50 { #expect(try CostShare.perRun(limits, spent: 3.3, runs: runs) * Double(runs) <= 6.7 + 1e-9) }
    }

    @Test func localGPUPool() {
        var pool = GPUPool(total: 4, perRun: 2)
        #expect(pool.fits(parallel: 2) && !pool.fits(parallel: 3))
        let first = pool.take()
        let second = pool.take()
        #expect(first == "0,1" && second == "2,3")
        #expect(pool.take() == nil)
        pool.give("0,1")
        #expect(pool.take() == "0,1")
        var held = GPUPool(total: 4, perRun: 1)
        held.reserve("1,2")
        #expect(held.take() == "0" && held.take() == "3" && held.take() == nil)
        var none = GPUPool(total: 0, perRun: 0)
        #expect(none.take() == "none" && none.fits(parallel: 64))
    }
}
