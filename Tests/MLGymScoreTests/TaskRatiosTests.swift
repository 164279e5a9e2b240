import MLGymCore
import MLGymScore
import Testing

/// Ratios on one task, including the cases MLGym leaves unhandled (decided in docs/scoring.md).
@Suite struct TaskRatiosTests {
    func ratios(_ direction: MetricDirection, _ scores: [String: Double], methods: [String]? = nil) -> TaskRatios {
        let task = ScoreTable.Task(name: "t", direction: direction, bestAttempt: scores, bestSubmission: scores)
        return TaskRatios(
            task: task, view: .bestAttempt, methods: methods ?? scores.keys.sorted(), baseline: "baseline", epsilon: 0.05)
    }

    @Test func maxTaskRatioIsBestOverScore() {
        let result = ratios(.max, ["baseline": 1, "a": 2, "b": 4])
        #expect(result.ratios == ["baseline": 4, "a": 2, "b": 1])
        #expect(result.worstRatio == 4)
        #expect(result.tauCandidate == 5)  // ceil(4 × 1.05)
    }

    @Test func minTaskRatioIsScoreOverBest() {
        let result = ratios(.min, ["baseline": 8, "a": 2, "b": 4])
        #expect(result.ratios == ["baseline": 4, "a": 1, "b": 2])
    }

    @Test func scoreEqualToTheBaselineIsFeasible() {
        let result = ratios(.max, ["baseline": 2, "a": 2, "b": 4])
        #expect(result.standings["a"] == .feasible)
        #expect(result.ratios["a"] == 2)
    }

    @Test func worseThanBaselineAndMissingGetWorstRatioTimesOnePointOhFive() {
        let result = ratios(.max, ["baseline": 2, "a": 1, "b": 4], methods: ["a", "b", "baseline", "gone"])
        #expect(result.standings["a"] == .worseThanBaseline)
        #expect(result.standings["gone"] == .missing)
        #expect(result.ratios["a"] == 2 * 1.05)
        #expect(result.ratios["gone"] == 2 * 1.05)
    }

    @Test func zeroOnAMaxTaskIsCountedAsInfeasible() {
        // Baseline 0 is feasible (≥ 0) but best/0 is infinite: no finite ratio describes it.
        let result = ratios(.max, ["baseline": 0, "a": 0, "b": 3, "c": 1])
        #expect(result.standings["baseline"] == .infiniteRatio)
        #expect(result.standings["a"] == .infiniteRatio)
        #expect(result.worstRatio == 3)
        #expect(result.ratios["a"] == 3 * 1.05)
    }

    @Test func zeroBestOnAMinTaskMakesOtherScoresInfeasible() {
        let result = ratios(.min, ["baseline": 5, "a": 0, "b": 2])
        #expect(result.ratios["a"] == 1)
        #expect(result.standings["b"] == .infiniteRatio)
        #expect(result.ratios["b"] == 1.05)
    }

    @Test func allZeroScoresTieAtRatioOne() {
        let result = ratios(.max, ["baseline": 0, "a": 0])
        #expect(result.ratios == ["baseline": 1, "a": 1])
        #expect(result.best == 0)
    }

    @Test func taskWithNoFeasibleMethodGivesEveryoneOnePointOhFive() {
        let result = ratios(.max, ["baseline": -1, "a": -2, "b": -0.5])
        #expect(result.best == nil)
        #expect(result.worstRatio == 1)
        #expect(result.ratios.values.allSatisfy { $0 == 1.05 })
        #expect(result.tauCandidate == 2)
    }

    @Test func tiedScoresGetTheSameRatio() {
        let result = ratios(.max, ["baseline": 1, "a": 3, "b": 3, "c": 1.5])
        #expect(result.ratios["a"] == 1)
        #expect(result.ratios["b"] == 1)
    }

    @Test func maxTauRoundsLog10UpToOneDecimal() {
        #expect(AUP.maxTau(tauCandidates: [15, 3]) == 1.2)
        #expect(AUP.maxTau(tauCandidates: [10]) == 1.0)
        #expect(AUP.maxTau(tauCandidates: [2]) == 0.4)
        #expect(AUP.maxTau(tauCandidates: [11]) == 1.1)
    }

    @Test func gridHasFiveHundredPointsFromZeroToMaxTau() {
        let grid = AUP.grid(maxTau: 1.2)
        #expect(grid.count == 500)
        #expect(grid.first == 0)
        #expect(grid.last == 1.2)
    }

    @Test func leftRiemannSumUsesTheLeftValueOfEachInterval() {
        #expect(AUP.area(profile: [0, 1, 1], grid: [0, 1, 2]) == 1)
        #expect(AUP.area(profile: [1, 0, 0], grid: [0, 1, 2]) == 1)
    }
}
