import Foundation
import MLGymCore
import Testing
@testable import MLGymAgent

@Suite struct HistoryProcessorTests {
    @Test func theTaskAndTheLastNObservationsStayWholeAndOlderOnesAreElided() {
        var history = [ChatMessage(.system, "system"), ChatMessage(.user, "task\nline 2")]
        for index in 1...7 {
            history.append(ChatMessage(.assistant, "action \(index)"))
            history.append(ChatMessage(.user, "observation \(index)\nsecond\nthird"))
        }
        let view = HistoryProcessor(keep: 5).view(of: history)
        #expect(view.count == history.count)
        #expect(view[1].content == "task\nline 2")
        #expect(view[3].content == "Old output omitted (3 lines)")
        #expect(view[5].content == "Old output omitted (3 lines)")
        #expect(view[7].content == "observation 3\nsecond\nthird")
        #expect(view.filter { $0.role == .assistant }.map(\.content) == (1...7).map { "action \($0)" })
    }
}

@Suite struct ObservationTextTests {
    @Test func aLongOutputLosesItsMiddleWithAMarkerThatSaysHowMuch() {
        let output = String(repeating: "a", count: 30_000) + String(repeating: "z", count: 30_000)
        let (text, cut) = ObservationText.shown(output, limit: 10_000)
        #expect(cut == 50_000)
        #expect(text.hasPrefix(String(repeating: "a", count: 4000)))
        #expect(text.hasSuffix(String(repeating: "z", count: 6000)))
        #expect(text.contains("mlgym cut 50000 characters from the middle"))
        #expect(ObservationText.shown("short", limit: 10_000).text == "short")
    }

    @Test func progressBarsKeepTheirLastDrawing() {
        #expect(ObservationText.shown("epoch 1\r\n 10%\r 50%\r100%\ndone\n", limit: 1000).text == "epoch 1\n100%\ndone\n")
        #expect(ObservationText.shown("bar 90%\r", limit: 1000).text == "bar 90%")
    }
}

@Suite struct PriceTableTests {
    @Test func datedSnapshotsMatchTheirModelAndCostsAreTokensTimesPrices() throws {
        let table = PriceTable.builtIn
        #expect(table.price(for: "gpt-4o-2024-08-06") == table.price(for: "gpt-4o"))
        #expect(table.price(for: "gpt-4o-mini-2024-07-18") == table.price(for: "gpt-4o-mini"))
        #expect(table.price(for: "my-local-model") == nil)
        #expect(table.price(for: "claude-sonnet-4-20250514") == table.price(for: "claude-sonnet-4"))
        #expect(table.price(for: "o3-pro") == nil, "a different model, ten times the price")
        #expect(table.price(for: "gpt-4.1-nano") == nil)
        let price = try #require(table.price(for: "gpt-4o"))
        #expect(abs(price.dollars(inputTokens: 1_000_000, outputTokens: 100_000) - 3.5) < 1e-9)
        let extended = table.merging(try PriceTable.load(Data(#"{"my-local-model": {"input_per_mtok": 0, "output_per_mtok": 0}}"#.utf8)))
        #expect(extended.price(for: "my-local-model") == PriceTable.Price(input: 0, output: 0))
    }

    @Test func modelSpecsNameTheirProvider() throws {
        #expect(try ModelSpec(parsing: "openai:gpt-4o") == .openAI(model: "gpt-4o"))
        #expect(try ModelSpec(parsing: "anthropic:claude-sonnet-4") == .anthropic(model: "claude-sonnet-4"))
        #expect(try ModelSpec(parsing: "replay:runs/a.traj") == .replay(file: "runs/a.traj"))
        #expect(try ModelSpec(parsing: "human") == .human)
        #expect(throws: MLGymError.self) { try ModelSpec(parsing: "gpt-4o") }
        #expect(throws: MLGymError.self) { try ModelSpec(parsing: "litellm:gpt-4o") }
    }
}
