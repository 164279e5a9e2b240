import MLGymCore
import MLGymScore
import Testing

/// The AUP-versus-cost Pareto front.
@Suite struct CostFrontierTests {
    @Test func v1FrontIsGeminiClaudeAndO1() throws {
        let costs = try MethodCostCSV.parse(
            """
            method,dollars_per_run
            O1-preview,9.132
            Claude-3.5-Sonnet,2.310
            Llama-3.1-405B,1.102
            GPT-4o,0.663
            Gemini-1.5-Pro,0.365
            """)
        let report = ScoreReport(table: try V1Fixture.table(), costs: costs)
        #expect(report.bestAttemptFrontier.front == ["Gemini-1.5-Pro", "Claude-3.5-Sonnet", "O1-preview"])
        #expect(report.bestAttemptFrontier.points.map(\.method).first == "Gemini-1.5-Pro")
    }

    @Test func methodsWithoutACostAreLeftOut() throws {
        let report = ScoreReport(table: try V1Fixture.table(), costs: ["GPT-4o": .init(method: "GPT-4o", dollarsPerRun: nil)])
        #expect(report.bestAttemptFrontier.points.isEmpty)
    }

    @Test func costTableErrorsNameTheLine() {
        #expect(throws: MLGymError.self) { try MethodCostCSV.parse("method,dollars_per_run\na,1\na,2\n") }
        do {
            _ = try MethodCostCSV.parse("method,dollars_per_run\na,-1\n")
        } catch {
            #expect(error.message.hasPrefix("line 2:"))
        }
    }
}
