import Foundation
import MLGymCore
import MLGymTasks
import MLGymTestSupport
import Testing

@Suite struct TaskRegistryTests {
    static var repositoryTasks: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("tasks").path
    }

    static let thirteen = [
        "battleOfSexes", "prisonersDilemma", "blotto", "3SATTime", "regressionKaggleHousePrice",
        "imageClassificationCifar10", "imageClassificationFMnist", "imageCaptioningCOCO", "languageModelingFineWeb",
        "naturalLanguageInferenceMNLI", "rlBreakoutMinAtar", "rlMetaMazeMisc", "rlMountainCarContinuous",
    ]

    /// mlgym's own variants of MLGym-Bench tasks (another evaluation, hence another metric), beside the thirteen.
    static let variants = ["imageCaptioningCOCO-v2"]

    @Test func theRepositoryHoldsAllThirteenMLGymBenchTasks() throws {
        let registry = TaskRegistry(roots: [Self.repositoryTasks])
        #expect(registry.problems == [])
        #expect(Set(registry.tasks.keys) == Set(Self.thirteen + Self.variants))
        for task in registry.all {
            #expect(task.config.rankingMetric != nil, "\(task.id) names no metric")
            #expect(!task.renderedDescription.contains("{dataset_docs}"), "\(task.id)")
            #expect(!task.pristineEvaluationFiles().isEmpty, "\(task.id)")
        }
        for id in Self.thirteen {
            #expect(try registry.task(id).config.baselineValue != nil, "\(id) records no baseline")
        }
        // A variant's metric is not MLGym's, so there is no published value to record until one is measured.
        for id in Self.variants {
            #expect(try registry.task(id).config.baselineScores.isEmpty, "\(id) records a baseline nobody measured")
        }
        // The GPU tasks' baselines are MLGym's code in our words, their scores MLGym's published ones.
        for id in ["imageClassificationCifar10", "imageClassificationFMnist", "imageCaptioningCOCO", "languageModelingFineWeb",
                   "naturalLanguageInferenceMNLI", "rlBreakoutMinAtar", "rlMetaMazeMisc", "rlMountainCarContinuous"] {
            #expect(try registry.task(id).config.baselineStatus == .unverified, "\(id)")
        }
        // As in MLGym, MNLI's baseline and evaluation run under torchrun.
        #expect(try registry.task("naturalLanguageInferenceMNLI").config.entrypoint == .lmSubmission)
    }

    @Test func aBrokenFileLeavesTheOthersAndSaysWhy() throws {
        let root = try TemporaryTaskRoot()
        defer { root.remove() }
        try root.write("configs/tasks/good.yaml", "id: good\nname: G\ndescription: d\nstarter_code: [data/good/evaluate.py]\nevaluation_paths: [evaluate.py]\n")
        try root.write("data/good/evaluate.py", "print('{}')\n")
        try root.write("configs/tasks/typo.yaml", "id: typo\nname: T\ndescription: d\nevaluation_path: [evaluate.py]\n")
        try root.write("configs/tasks/nodata.yaml", "id: nodata\nname: N\ndescription: d\ndataset_configs: [datasets/none.yaml]\nevaluation_paths: [e.py]\n")
        try root.write("configs/tasks/unprotected.yaml", "id: unprotected\nname: U\ndescription: d\nevaluation_paths: [evaluate.py]\n")
        let registry = TaskRegistry(roots: [root.path])
        #expect(Array(registry.tasks.keys) == ["good"])
        #expect(registry.problems.count == 3)
        #expect(registry.problems.contains { $0.contains("typo.yaml: unknown field 'evaluation_path'") })
        #expect(registry.problems.contains { $0.contains("nodata.yaml: field 'dataset_configs' names datasets/none.yaml") })
        #expect(registry.problems.contains { $0.contains("unprotected.yaml: 'evaluate.py' (an evaluation or protected file) is not among the starter_code files") })
        let error = #expect(throws: MLGymError.self) { try registry.task("nope") }
        #expect(error?.code == .notFound)
    }

    @Test func starterFilesMapToWorkspacePaths() throws {
        let root = try TemporaryTaskRoot()
        defer { root.remove() }
        try root.write("configs/tasks/rl.yaml", """
            id: rl
            name: R
            description: d
            task_entrypoint: ModelSubmissionTasks
            starter_code: [data/rl/src, data/rl/evaluate.py]
            evaluation_paths: [evaluate.py]
            protected_files: [src/helpers.py]
            """)
        try root.write("data/rl/src/helpers.py", "x = 1\n")
        try root.write("data/rl/evaluate.py", "\n")
        let task = try TaskRegistry(roots: [root.path]).task("rl")
        #expect(task.config.submissionArtefact == "config.yaml")
        let files = task.pristineEvaluationFiles()
        #expect(files.map(\.workspacePath) == ["evaluate.py", "src/helpers.py"])
        #expect(files.last?.hostPath == root.path + "/data/rl/src/helpers.py")
    }

    @Test func aDuplicateIdIsReportedAndTheFirstWins() throws {
        let first = try TemporaryTaskRoot()
        let second = try TemporaryTaskRoot()
        defer { first.remove(); second.remove() }
        for root in [first, second] {
            try root.write("configs/tasks/t.yaml", "id: t\nname: \(root.path)\ndescription: d\nstarter_code: [e.py]\nevaluation_paths: [e.py]\n")
            try root.write("e.py", "\n")
        }
        let registry = TaskRegistry(roots: [first.path, second.path])
        #expect(try registry.task("t").config.name == first.path)
        #expect(registry.problems.count == 1 && registry.problems[0].contains("already defined by"))
    }
}
