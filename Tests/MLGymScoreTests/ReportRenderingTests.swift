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

    @Test func markdownHasRunOutcomesOnlyWhenRunsAreGiven() throws {
        #expect(!MarkdownReport.render(try Self.report()).contains("## Run outcomes"))
        let markdown = MarkdownReport.render(try Self.report(runs: [Self.sampleRun]))
        let outcomes = try #require(markdown.range(of: "## Run outcomes"))
        let perTask = try #require(markdown.range(of: "## Best Submission: per task"))
        #expect(perTask.lowerBound < outcomes.lowerBound)
        #expect(markdown.contains("| submitted | Success | 1 |"))
        #expect(markdown.contains("| Method | Runs | Success |\n| --- | --- | --- |\n| GPT-4o | 1 | 1 |"))
        #expect(markdown.contains("| Method | Runs | Failed | Incomplete |\n| --- | --- | --- | --- |\n| GPT-4o | 1 | 0 | 0 |"))
        // One step, a shell command.
        #expect(markdown.contains("| Method | Runs | Mean steps / run | Bash |"))
        #expect(markdown.contains("| GPT-4o | 1 | 1.0 | 1 |"))
        #expect(markdown.contains("### Actions per task"))
    }

    @Test func jsonHasRunOutcomesOnlyWhenRunsAreGiven() throws {
        let plain = JSONReport.render(try Self.report())
        let plainObject = try #require(try JSONSerialization.jsonObject(with: Data(plain.utf8)) as? [String: Any])
        #expect(plainObject["run_outcomes"] == nil)
        let json = JSONReport.render(try Self.report(runs: [Self.sampleRun]))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let outcomes = try #require(object["run_outcomes"] as? [String: Any])
        #expect(outcomes["runs"] as? Int == 1)
        let statuses = try #require(outcomes["exit_statuses"] as? [[String: Any]])
        #expect(statuses.first?["status"] as? String == "submitted")
        #expect(statuses.first?["groups"] as? [String] == ["Success"])
        let groups = try #require(outcomes["exit_groups_by_method"] as? [String: Any])
        #expect(groups["columns"] as? [String] == ["Success"])
        let rows = try #require(groups["rows"] as? [[String: Any]])
        #expect(rows.first?["name"] as? String == "GPT-4o")
        #expect(rows.first?["counts"] as? [Int] == [1])
        let failures = try #require(outcomes["failures_by_task"] as? [[String: Any]])
        #expect(failures.first?["failed"] as? Int == 0 && failures.first?["incomplete"] as? Int == 0)
        let steps = try #require(outcomes["steps_by_method"] as? [[String: Any]])
        #expect((steps.first?["mean_steps"] as? NSNumber)?.doubleValue == 1)
        #expect(steps.first?["runs_with_steps"] as? Int == 1)
        let byStep = try #require(outcomes["actions_by_step"] as? [String: Any])
        #expect(byStep["columns"] as? [String] == ["Bash"])
    }

    @Test func htmlHasRunOutcomesWhenRunsAreGiven() throws {
        #expect(!HTMLReport.render(try Self.report()).contains("id=\"outcomes\""))
        let html = HTMLReport.render(try Self.report(runs: [Self.sampleRun]))
        #expect(html.contains("<h2 id=\"outcomes\">Run outcomes</h2>"))
        #expect(html.contains("href=\"#outcomes\""))
        #expect(html.contains("<tr><td>submitted</td><td>Success</td><td>1</td></tr>"))
        #expect(html.contains("<tr><th>GPT-4o</th><td>1</td><td>0</td><td>0</td></tr>"))
        #expect(html.contains("<details><summary>Actions at each step</summary>"))
    }

    @Test func markdownHasSummaryAndBothPerTaskTables() throws {
        let markdown = MarkdownReport.render(try Self.report())
        #expect(markdown.contains("| O1-preview | 1.150 | 1.176 | 64 | 65 |"))
        #expect(markdown.contains("## Best Attempt: per task"))
        #expect(markdown.contains("## Best Submission: per task"))
        #expect(markdown.contains("| Blotto | max | -0.24797 † (6) |"))
    }
}
