import MLGymScore
import Testing

/// The test vector of the whole module: MLGym's own published numbers for arXiv v1's five models.
@Suite struct AUPReproductionTests {
    @Test func v1TablesGiveMaxTauOfOnePointTwo() throws {
        let analysis = AUPAnalysis(table: try V1Fixture.table())
        #expect(analysis.maxTau == 1.2)
        // Blotto sets it: the baseline is infeasible there and the worst feasible ratio is 0.57557 / 0.04295.
        let blotto = try #require(analysis.bestAttempt.tasks.first { $0.task == "Blotto" })
        #expect(blotto.tauCandidate == 15)
    }

    @Test(arguments: V1Fixture.methods)
    func v1BestAttemptAUPMatchesMLGym(method: String) throws {
        let analysis = AUPAnalysis(table: try V1Fixture.table())
        #expect(analysis.aup(method, .bestAttempt) == V1Fixture.publishedAUP[method]?.bestAttempt)
    }

    @Test(arguments: V1Fixture.methods)
    func v1BestSubmissionAUPMatchesMLGym(method: String) throws {
        let analysis = AUPAnalysis(table: try V1Fixture.table())
        #expect(analysis.aup(method, .bestSubmission) == V1Fixture.publishedAUP[method]?.bestSubmission)
    }

    @Test func v1BordaTotalsMatchMLGym() throws {
        let table = try V1Fixture.table()
        let attempt = Ranking(table: table, view: .bestAttempt)
        let submission = Ranking(table: table, view: .bestSubmission)
        #expect(attempt.borda == [
            "O1-preview": 64, "Claude-3.5-Sonnet": 56, "Gemini-1.5-Pro": 56, "Llama-3.1-405B": 39, "GPT-4o": 36,
            "baseline": 22,
        ])
        #expect(submission.borda == [
            "O1-preview": 65, "Gemini-1.5-Pro": 58, "Claude-3.5-Sonnet": 52, "Llama-3.1-405B": 38, "GPT-4o": 37,
            "baseline": 23,
        ])
        #expect(attempt.bordaOrder == [
            "O1-preview", "Claude-3.5-Sonnet", "Gemini-1.5-Pro", "Llama-3.1-405B", "GPT-4o", "baseline",
        ])
    }

    @Test func v1PerTaskRanksMatchMLGymCSV() throws {
        let ranking = Ranking(table: try V1Fixture.table(), view: .bestAttempt)
        func order(_ task: String) -> [String] {
            ranking.tasks.first { $0.task == task }?.entries.map(\.method) ?? []
        }
        #expect(order("MS-COCO") == [
            "Claude-3.5-Sonnet", "Llama-3.1-405B", "baseline", "GPT-4o", "O1-preview", "Gemini-1.5-Pro",
        ])
        // Llama has no language-modelling score: it ranks last, after the baseline.
        #expect(order("Language Modeling") == [
            "O1-preview", "Gemini-1.5-Pro", "GPT-4o", "Claude-3.5-Sonnet", "baseline", "Llama-3.1-405B",
        ])
        #expect(order("Mountain Car Continuous") == [
            "O1-preview", "Gemini-1.5-Pro", "Claude-3.5-Sonnet", "baseline", "Llama-3.1-405B", "GPT-4o",
        ])
    }

    @Test func negativeBaselineIsInfeasibleAndMethodsBelowTheBaselineAreToo() throws {
        let analysis = AUPAnalysis(table: try V1Fixture.table())
        let blotto = try #require(analysis.bestAttempt.tasks.first { $0.task == "Blotto" })
        #expect(blotto.standings["baseline"] == .negative)
        #expect(blotto.ratios["baseline"] == blotto.penaltyRatio)
        let breakout = try #require(analysis.bestAttempt.tasks.first { $0.task == "Breakout" })
        #expect(breakout.standings["Claude-3.5-Sonnet"] == .worseThanBaseline)
        #expect(breakout.standings["baseline"] == .feasible)
    }
}
