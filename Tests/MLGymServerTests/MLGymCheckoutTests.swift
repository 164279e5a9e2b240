import Foundation
import MLGymAPI
import MLGymClient
import MLGymTestSupport
import Testing

/// `mlgymd --tasks-dir` over a tree laid out like an MLGym checkout, whose task files say nothing of metric
/// directions, domains or GPUs (MLGym keeps those in its code): MLGym-Bench's facts fill them in, recorded
/// baselines are listed as unverified, and a task's own requirements file is checked against the root filesystem.
/// The tree is written here, in MLGym's layout, not copied from MLGym.
@Suite struct MLGymCheckoutTests {
    static func checkoutLayout() throws -> TemporaryTaskRoot {
        let root = try TemporaryTaskRoot()
        for (id, metric, value) in [("languageModelingFineWeb", "val_loss", 4.6), ("3SATTime", "Time", 16.2), ("rlBreakoutMinAtar", "Reward Mean", 48.8)] {
            var text = """
                id: \(id)
                name: \(id)
                description: a task in MLGym's own format
                starter_code:
                  - data/\(id)/evaluate.py
                baseline_scores:
                  - \(metric): \(value)
                evaluation_paths:
                  - evaluate.py
                """
            text += id == "rlBreakoutMinAtar"
                ? "\nrequirements_path: data/\(id)/requirements.txt\nuse_generic_conda: false\n"
                : "\nuse_generic_conda: true\n"
            try root.write("configs/tasks/\(id).yaml", text)
            try root.write("data/\(id)/evaluate.py", "print('{}')\n")
        }
        // One project every host test rootfs has (numpy) and one it lacks, spelled as MLGym's files spell them.
        try root.write("data/rlBreakoutMinAtar/requirements.txt", "jax[cuda12]\nnumpy  # arrays\ngymnax_not_installed_here\n")
        return root
    }

    @Test func anMLGymCheckoutGetsMLGymBenchsDirectionsAndItsRequirementsChecked() throws {
        let root = try Self.checkoutLayout()
        defer { root.remove() }
        let daemon = try DaemonProcess(extraArguments: ["--tasks-dir", root.path])
        defer { daemon.finish() }
        let list = try daemon.client.tasks()
        // A --tasks-dir is read before the built-in tasks, so the checkout's files replace the built-in ones of
        // the same id, and the built-in files say so.
        #expect(list.problems.count == 3, "\(list.problems)")
        #expect(list.problems.allSatisfy { $0.contains("is already defined by \(root.path)") }, "\(list.problems)")
        let own = Dictionary(uniqueKeysWithValues: list.tasks.map { ($0.id, $0) })
        let fineweb = try #require(own["languageModelingFineWeb"])
        #expect(fineweb.metric == "val_loss" && fineweb.direction == "min")
        #expect(fineweb.gpus == 2 && fineweb.domain == "Natural language processing")
        #expect(fineweb.baselineStatus == "unverified")
        #expect(fineweb.fieldsFromMLGymBench == ["domain", "priority_metric", "metric_direction", "gpus"])
        let sat = try #require(own["3SATTime"])
        #expect(sat.metric == "Time" && sat.direction == "min" && sat.gpus == 0)
        let breakout = try #require(own["rlBreakoutMinAtar"])
        #expect(breakout.direction == "max" && breakout.metric == "Reward Mean")
        let requirements = breakout.blockers.first { $0.contains("requirements.txt") }
        #expect(requirements?.contains("gymnax-not-installed-here") == true, "\(breakout.blockers)")
        #expect(requirements?.contains("numpy") == false, "\(breakout.blockers)")

        let table = try daemon.ctl(["tasks"])
        #expect(table.output.contains("unverified: a published baseline"), "\(table.output)")
        let shown = try daemon.ctl(["tasks", "show", "languageModelingFineWeb"])
        #expect(shown.output.contains("(unverified)") && shown.output.contains("from MLGym-Bench: domain"), "\(shown.output)")
    }
}
