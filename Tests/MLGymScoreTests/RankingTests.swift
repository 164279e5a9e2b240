import MLGymCore
import MLGymScore
import Testing

/// Per-task ranks, Borda and mean rank, with a fixed order where MLGym's is arbitrary.
@Suite struct RankingTests {
    func table(_ tasks: [(String, MetricDirection, [String: Double])]) throws -> ScoreTable {
        try ScoreTable(
            baseline: "baseline",
            tasks: tasks.map { .init(name: $0.0, direction: $0.1, bestAttempt: $0.2, bestSubmission: $0.2) })
    }

    /// MLGym's rule: positions 1 to n, no shared places; equal scores and missing methods keep the input order.
    @Test func mlgymRuleTakesPositionsInInputOrder() throws {
        let task = ScoreTable.Task(
            name: "t", direction: .max, bestAttempt: ["baseline": 1, "a": 3, "b": 3, "c": 2],
            bestSubmission: ["baseline": 1, "a": 3, "b": 3, "c": 2], inputOrder: ["e", "b", "baseline", "a", "c", "d"])
        let table = try ScoreTable(baseline: "baseline", tasks: [task], otherMethods: ["d", "e"])
        let ranking = Ranking(table: table, view: .bestAttempt, rule: .mlgym)
        #expect(ranking.tasks[0].entries.map(\.method) == ["b", "a", "c", "baseline", "e", "d"])
        #expect(ranking.tasks[0].entries.map(\.rank) == [1, 2, 3, 4, 5, 6])
        #expect(ranking.borda == ["b": 6, "a": 5, "c": 4, "baseline": 3, "e": 2, "d": 1])
        // The same table with shared ranks: a and b share first, d and e share the last place.
        let shared = Ranking(table: table, view: .bestAttempt)
        #expect(shared.borda == ["a": 6, "b": 6, "c": 4, "baseline": 3, "d": 2, "e": 2])
    }

    @Test func tiedScoresShareTheBetterRank() throws {
        let ranking = Ranking(table: try table([("t", .max, ["baseline": 1, "a": 3, "b": 3, "c": 2])]), view: .bestAttempt)
        let ranks = Dictionary(uniqueKeysWithValues: ranking.tasks[0].entries.map { ($0.method, $0.rank) })
        #expect(ranks == ["a": 1, "b": 1, "c": 3, "baseline": 4])
        #expect(ranking.borda == ["a": 4, "b": 4, "c": 2, "baseline": 1])
    }

    @Test func missingMethodsShareTheRankAfterTheScoredOnes() throws {
        let ranking = Ranking(
            table: try table([
                ("t", .min, ["baseline": 5, "a": 1]),
                ("u", .min, ["baseline": 5, "a": 1, "b": 2, "c": 3]),
            ]), view: .bestAttempt)
        let first = ranking.tasks[0].entries
        #expect(first.map(\.method) == ["a", "baseline", "b", "c"])
        #expect(first.map(\.rank) == [1, 2, 3, 3])
        #expect(ranking.borda["b"] == 2 + 3)
        #expect(ranking.meanRank["c"] == 3)
    }

    @Test func negativeScoresAreRankedByValueNotTreatedAsMissing() throws {
        let ranking = Ranking(table: try table([("t", .max, ["baseline": 1, "a": -5, "b": -1])]), view: .bestAttempt)
        #expect(ranking.tasks[0].entries.map(\.method) == ["baseline", "b", "a"])
    }

    @Test func tiedTotalsAreOrderedByName() throws {
        let ranking = Ranking(
            table: try table([("t", .max, ["baseline": 0, "z": 2, "a": 1]), ("u", .max, ["baseline": 0, "z": 1, "a": 2])]),
            view: .bestAttempt)
        #expect(ranking.bordaOrder == ["a", "z", "baseline"])
        #expect(ranking.meanRankOrder == ["a", "z", "baseline"])
    }
}
