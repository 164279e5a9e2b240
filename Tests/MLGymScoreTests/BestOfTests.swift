import MLGymCore
import MLGymScore
import Testing

/// Best Attempt@k and Best Submission@k from run records, by MLGym's definitions.
@Suite struct BestOfTests {
    func run(
        _ id: String, method: String = "m", attempt: Int = 0, direction: MetricDirection = .max, _ values: [Double?],
        task: String = "t", baseline: Double? = 1
    ) -> RunRecord {
        RunRecord(
            id: id, task: task, method: method, attempt: attempt, metric: "score", direction: direction,
            baseline: baseline.map { ["score": $0] },
            evaluations: values.enumerated().map { index, value in
                .init(
                    kind: index == values.count - 1 ? .submit : .validate, step: index,
                    metrics: value.map { ["score": $0, "other": 99] } ?? ["other": 99])
            })
    }

    @Test func bestAttemptIsTheBestOfEveryEvaluation() {
        #expect(BestOf.bestAttempt(of: run("r", [0.2, 0.9, 0.5])) == 0.9)
        #expect(BestOf.bestAttempt(of: run("r", direction: .min, [0.2, 0.9, 0.1, 0.5])) == 0.1)
    }

    @Test func submissionIsTheLastEvaluationHoldingTheMetric() {
        #expect(BestOf.submission(of: run("r", [0.2, 0.9, 0.5])) == 0.5)
        #expect(BestOf.submission(of: run("r", [0.2, 0.9, nil])) == 0.9)
    }

    @Test func runWithoutTheMetricHasNoScores() {
        #expect(BestOf.bestAttempt(of: run("r", [nil, nil])) == nil)
        #expect(BestOf.submission(of: run("r", [])) == nil)
    }

    @Test func bestOverRunsOfEachViewMakesTheTable() throws {
        let table = try BestOf.table(from: [
            run("r1", [0.2, 0.9, 0.3]),
            run("r2", attempt: 1, [0.5, 0.6]),
            run("r3", method: "n", [nil]),
        ])
        #expect(table.tasks[0].bestAttempt == ["baseline": 1, "m": 0.9])
        #expect(table.tasks[0].bestSubmission == ["baseline": 1, "m": 0.6])
        // "n" never produced the metric: it is still compared, as missing on the task.
        #expect(table.methods == ["baseline", "m", "n"])
        #expect(table.tasks[0].bestAttempt["n"] == nil)
    }

    @Test func kLimitsTheRunsToTheFirstKAttempts() throws {
        let runs = [run("late", attempt: 1, [5]), run("early", attempt: 0, [2])]
        #expect(try BestOf.table(from: runs, k: 1).tasks[0].bestAttempt["m"] == 2)
        #expect(try BestOf.table(from: runs).tasks[0].bestAttempt["m"] == 5)
    }

    @Test func taskWithoutABaselineValueIsAnError() {
        #expect(throws: MLGymError.self) { try BestOf.table(from: [run("r", [1], baseline: nil)]) }
    }

    @Test func runsOfOneTaskMustAgreeOnTheMetric() {
        #expect(throws: MLGymError.self) {
            try BestOf.table(from: [run("a", [1]), run("b", direction: .min, [1])])
        }
    }

    @Test func costIsTheMeanOverRunsPerMethod() {
        var first = run("a", [1])
        first.usage = .init(tokensSent: 100, tokensReceived: 10, dollars: 1)
        var second = run("b", [1])
        second.usage = .init(tokensSent: 300, tokensReceived: 30, dollars: 3)
        let cost = MethodCost.fromRuns([first, second])["m"]
        #expect(cost == MethodCost(method: "m", runs: 2, dollarsPerRun: 2, tokensSentPerRun: 200, tokensReceivedPerRun: 20))
    }
}
