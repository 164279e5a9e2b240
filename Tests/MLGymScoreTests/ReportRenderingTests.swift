import Foundation
import MLGymCore
import MLGymScore
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// What each renderer must contain, and that the markup formats are well formed.
@Suite struct ReportRenderingTests {
    static func report(runs: [RunRecord] = []) throws -> ScoreReport {
        ScoreReport(
            table: try V1Fixture.table(),
            costs: ["GPT-4o": .init(method: "GPT-4o", runs: 4, dollarsPerRun: 0.663)], runs: runs)
    }

    /// Parses `text` strictly as XML and returns the parser's error, if any.
    static func xmlError(_ text: String) -> (any Error)? {
        let parser = XMLParser(data: Data(text.utf8))
        return parser.parse() ? nil : (parser.parserError ?? CocoaError(.coderReadCorrupt))
    }

    static let sampleRun = RunRecord(
        id: "gpt-4o__t__0", task: "House Price", method: "GPT-4o", metric: "r2", direction: .max,
        baseline: ["r2": 0.88],
        evaluations: [.init(kind: .validate, step: 1, metrics: ["r2": 0.9]), .init(kind: .submit, step: 2, metrics: ["r2": 0.89])],
        exitStatus: "submitted", usage: .init(tokensSent: 1000, tokensReceived: 100, dollars: 0.5),
        steps: [.init(thought: "Look <first>", action: "ls -la & echo \u{1}", observation: "train.csv")])

    @Test func svgIsWellFormedXML() throws {
        let svg = SVGPlot.render(try Self.report())
        #expect(Self.xmlError(svg) == nil)
        #expect(svg.contains("Best Attempt: performance profile"))
        #expect(svg.contains("Best Submission: performance profile"))
        #expect(svg.contains("log10 τ"))
        #expect(svg.contains("AUP versus cost"))
    }

    @Test func svgWithoutCostSaysSo() throws {
        let svg = SVGPlot.render(ScoreReport(table: try V1Fixture.table()))
        #expect(Self.xmlError(svg) == nil)
        #expect(svg.contains("No cost data"))
    }

    @Test func svgEscapesMethodNames() throws {
        let table = try ScoreTableCSV.parse(
            "task,direction,method,best_attempt,best_submission\nt,max,baseline,1,1\nt,max,<a&b>,2,2\n")
        #expect(Self.xmlError(SVGPlot.render(ScoreReport(table: table))) == nil)
    }

    @Test func htmlHasTheAUPTableAndInlinePlots() throws {
        let html = HTMLReport.render(try Self.report())
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("<table id=\"aup-table\""))
        #expect(html.contains("<td>1.150</td><td>1.176</td>"))
        #expect(html.components(separatedBy: "<svg ").count - 1 == 3)
        #expect(!html.contains("<script"))
        // Self-contained: nothing is fetched from anywhere.
        #expect(!html.contains("src=\"") && !html.contains("href=\"http") && !html.contains("@import"))
        #expect(html.contains("no per-run pages"))
    }

    @Test func htmlHasAPagePerRunWhenRunsAreGiven() throws {
        let html = HTMLReport.render(try Self.report(runs: [Self.sampleRun]))
        #expect(html.contains("<section class=\"run\" id=\"run-1\">"))
        #expect(html.contains("href=\"#run-1\""))
        #expect(html.contains("Look &lt;first&gt;"))
        #expect(html.contains("ls -la &amp; echo \u{FFFD}"))
        #expect(html.contains("<td>submit</td>"))
        #expect(html.contains("$0.500"))
    }

    @Test func jsonHasMaxTauAndMethodsWithAUPAndBorda() throws {
        let json = JSONReport.render(try Self.report())
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["max_tau"] as? Double == 1.2)
        let methods = try #require(object["methods"] as? [[String: Any]])
        #expect(methods.map { $0["method"] as? String } == [
            "O1-preview", "Claude-3.5-Sonnet", "Gemini-1.5-Pro", "Llama-3.1-405B", "GPT-4o", "baseline",
        ])
        let first = try #require(methods.first)
        #expect(first["aup_best_attempt"] as? Double == 1.15)
        #expect(first["aup_best_submission"] as? Double == 1.176)
        #expect(first["borda_best_attempt"] as? Int == 64)
        #expect(first["borda_best_submission"] as? Int == 65)
        #expect(methods[4]["dollars_per_run"] as? Double == 0.663)
    }

    @Test func csvHasOneRowPerMethodInAUPOrder() throws {
        let lines = CSVReport.render(try Self.report()).split(separator: "\n")
        #expect(lines.count == 7)
        #expect(lines[0].hasPrefix("method,aup_best_attempt,aup_best_submission,borda_best_attempt,borda_best_submission"))
        #expect(lines[1].hasPrefix("O1-preview,1.150,1.176,64,65,"))
        #expect(lines[6].hasPrefix("baseline,0.953,0.980,22,23,"))
    }

    @Test func markdownHasSummaryAndBothPerTaskTables() throws {
        let markdown = MarkdownReport.render(try Self.report())
        #expect(markdown.contains("| O1-preview | 1.150 | 1.176 | 64 | 65 |"))
        #expect(markdown.contains("## Best Attempt: per task"))
        #expect(markdown.contains("## Best Submission: per task"))
        #expect(markdown.contains("| Blotto | max | -0.24797 † (6) |"))
    }
}
