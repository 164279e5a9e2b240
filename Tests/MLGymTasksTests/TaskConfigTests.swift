import Foundation
import MLGymCore
import MLGymTasks
import Testing

/// Task and dataset files in MLGym's format: every field MLGym reads loads unchanged, and every mistake names
/// the file, the field and what was expected.
@Suite struct TaskConfigTests {
    /// A task file written the way MLGym's own configs are (its house-price config's fields and shapes).
    static let mlgymStyle = """
        id: regressionKaggleHousePrice
        name: Kaggle Housing Price Prediction
        description: |-
          You are given the train, validation and test sets of a housing price dataset.
          {dataset_docs}
          Improve on the baseline.
        dataset_configs:
        - datasets/kaggleHousePrice.yaml
        task_entrypoint: CSVSubmissionTasks
        training_timeout: 1800
        use_generic_conda: true
        requirements_path: null
        benchmark_name: null
        starter_code:
        - data/regressionKaggleHousePrice/baseline.py
        - data/regressionKaggleHousePrice/evaluate.py
        baseline_paths:
        - baseline.py
        baseline_scores:
        - rmse: 30340.111853413255
          r2: 0.8799891474739243
        sample_submission: null
        evaluation_paths:
        - evaluate.py
        evaluation_read_only: true
        secret_files: []
        memory_path: data/regressionKaggleHousePrice/memory.json
        """

    @Test func mlgymTaskFileLoadsUnchanged() throws {
        let config = try TaskConfig(file: "house.yaml", text: Self.mlgymStyle)
        #expect(config.id == "regressionKaggleHousePrice")
        #expect(config.entrypoint == .csvSubmission)
        #expect(config.trainingTimeout == 1800)
        #expect(config.datasetConfigs == ["datasets/kaggleHousePrice.yaml"])
        #expect(config.starterCode.count == 2)
        #expect(config.baselineScores.first?["rmse"] == 30340.111853413255)
        #expect(config.baselineScores.first?["r2"] == 0.8799891474739243)
        #expect(config.evaluationReadOnly)
        #expect(config.memoryPath == "data/regressionKaggleHousePrice/memory.json")
        // MLGym keeps the ranking metric in its code, not the file: the first baseline key stands in.
        #expect(config.rankingMetric == "r2")
        #expect(config.submissionArtefact == "submission.csv")
        #expect(config.metricDirection == .max)
    }

    /// MLGym keeps each benchmark task's ranking metric, its direction and the GPUs per agent outside the task
    /// file; loaded from a checkout, the file gets them from MLGym-Bench's table, and a value it states wins.
    @Test func mlgymBenchFactsFillWhatTheFileLeavesOut() throws {
        let bare = "name: T\ndescription: d\nevaluation_paths: [evaluate.py]\n"
        let fineweb = try TaskConfig(file: "f.yaml", text: "id: languageModelingFineWeb\n" + bare)
        #expect(fineweb.rankingMetric == "val_loss" && fineweb.metricDirection == .min && fineweb.gpus == 2)
        #expect(fineweb.fieldsFromMLGymBench == ["domain", "priority_metric", "metric_direction", "gpus"])
        let sat = try TaskConfig(file: "s.yaml", text: "id: 3SATTime\nbaseline_scores: [{Correct: 24, Time: 16.1}]\n" + bare)
        #expect(sat.rankingMetric == "Time" && sat.metricDirection == .min && sat.gpus == 0)
        let stated = try TaskConfig(file: "s.yaml", text: "id: 3SATTime\nmetric_direction: max\ngpus: 1\n" + bare)
        #expect(stated.metricDirection == .max && stated.gpus == 1)
        #expect(stated.fieldsFromMLGymBench == ["domain", "priority_metric"])
        let other = try TaskConfig(file: "o.yaml", text: "id: myOwnTask\n" + bare)
        #expect(other.metricDirection == .max && other.gpus == 0 && other.fieldsFromMLGymBench.isEmpty)
        #expect(other.baselineStatus == .unverified)
        #expect(try TaskConfig(file: "m.yaml", text: "id: m\nbaseline_status: measured\n" + bare).baselineStatus == .measured)
    }

    /// A task's own environment (MLGym's `requirements_path`) as the projects it names.
    @Test func requirementsFilesNameTheirProjects() {
        let text = "jax[cuda12]>=0.4\n# comment\ntensorflow_probability\n-r base.txt\nDotMap==1.3  # pinned\n\nhttps://x/y.whl\nflax ; python_version>'3'\nNumpy\nnumpy\n"
        #expect(PythonRequirements.distributions(in: text) == ["jax", "tensorflow-probability", "dotmap", "flax", "numpy"])
        #expect(PythonRequirements.normalise("Foo__Bar.baz") == "foo-bar-baz")
    }

    @Test func defaultsFollowMLGym() throws {
        let config = try TaskConfig(file: "t.yaml", text: "id: t\nname: T\ndescription: d\nevaluation_paths: [evaluate.py]\n")
        #expect(config.entrypoint == .csvSubmission)
        #expect(config.trainingTimeout == 3600)
        #expect(config.useGenericConda)
        #expect(config.gpus == 0)
    }

    @Test func unknownFieldIsNamedWithItsFile() {
        let text = Self.mlgymStyle + "\ncommand_parser: ParseCommandBash\n"
        let error = #expect(throws: MLGymError.self) { try TaskConfig(file: "configs/tasks/house.yaml", text: text) }
        #expect(error?.message.contains("configs/tasks/house.yaml") == true)
        #expect(error?.message.contains("unknown field 'command_parser'") == true)
    }

    @Test(arguments: [
        ("training_timeout: soon", "field 'training_timeout' must be a whole number, not 'soon'"),
        ("task_entrypoint: BaseMLTask", "field 'task_entrypoint' must be one of CSVSubmissionTasks"),
        ("baseline_scores: [0.5]", "field 'baseline_scores' must be a list of {metric: number} mappings"),
        ("metric_direction: up", "field 'metric_direction' must be max or min"),
        ("starter_code: [/etc/passwd]", "field 'starter_code' holds '/etc/passwd', which must be a relative path"),
        ("evaluation_read_only: maybe", "field 'evaluation_read_only' must be true or false"),
        ("gpus: -1", "field 'gpus' must be 0 or more"),
        ("baseline_status: trusted", "field 'baseline_status' must be measured or unverified, not 'trusted'"),
        ("requirements_path: ../env.txt", "field 'requirements_path' holds '../env.txt', which must be a relative path"),
    ])
    func wrongFieldsSayWhatWasExpected(line: String, expected: String) {
        let base = "id: t\nname: T\ndescription: d\nevaluation_paths: [evaluate.py]\n"
        let error = #expect(throws: MLGymError.self) { try TaskConfig(file: "t.yaml", text: base + line + "\n") }
        #expect(error?.message.contains("t.yaml: ") == true)
        #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
    }

    @Test func missingRequiredFieldAndBadYAML() {
        let missing = #expect(throws: MLGymError.self) { try TaskConfig(file: "t.yaml", text: "id: t\nname: T\n") }
        #expect(missing?.message == "t.yaml: field 'description' is required (a non-empty string)")
        let broken = #expect(throws: MLGymError.self) { try TaskConfig(file: "t.yaml", text: "id: [unclosed\n") }
        #expect(broken?.message.hasPrefix("t.yaml: not valid YAML") == true)
        let list = #expect(throws: MLGymError.self) { try TaskConfig(file: "t.yaml", text: "- a\n- b\n") }
        #expect(list?.message == "t.yaml: expected a mapping of fields at the top level")
    }

    @Test func datasetFiles() throws {
        let local = try DatasetConfig(file: "d.yaml", text: """
            name: KaggleHousingPrice
            description: The Ames housing data.
            data_path: data/regressionKaggleHousePrice/data
            is_local: true
            train_split:
              name: train
              file_regex: ./data/train*
            """)
        #expect(local.isLocal && local.trainSplit?.fileRegex == "./data/train*")
        let hub = try DatasetConfig(file: "d.yaml", text: "name: c\ndescription: d\ndata_path: uoft-cs/cifar10\n")
        #expect(!hub.isLocal && hub.hubKind == .dataset)
        let bad = #expect(throws: MLGymError.self) {
            try DatasetConfig(file: "d.yaml", text: "name: c\ndescription: d\ndata_path: ../../etc\n")
        }
        #expect(bad?.message.contains("must be a Hugging Face id") == true)
        let split = #expect(throws: MLGymError.self) {
            try DatasetConfig(file: "d.yaml", text: "name: c\ndescription: d\ndata_path: a/b\ntrain_split: {name: t, regex: x}\n")
        }
        #expect(split?.message.contains("unknown field 'regex'") == true)
    }
}
