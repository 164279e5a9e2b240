import Foundation
import MLGymCore
import Testing

/// `mlgymctl report` run as a binary, without a daemon.
@Suite struct ReportEndToEndTests {
    @Test func markdownReportOfV1ScoresShowsMLGymsAUP() throws {
        let result = try MLGymCtlProcess.run(["report", "--scores", MLGymCtlProcess.v1Scores])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.contains("| O1-preview | 1.150 | 1.176 | 64 | 65 |"))
        #expect(result.standardOutput.contains("| GPT-4o | 1.000 | 1.029 |"))
        #expect(result.standardOutput.contains("max log10 τ = 1.2"))
    }

    @Test func jsonReportHasMaxTauAndEveryMethod() throws {
        let result = try MLGymCtlProcess.run(["report", "--scores", MLGymCtlProcess.v1Scores, "--format", "json"])
        #expect(result.status == 0, "\(result.standardError)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        #expect(object["max_tau"] as? Double == 1.2)
        let methods = try #require(object["methods"] as? [[String: Any]])
        let aups = Dictionary(uniqueKeysWithValues: methods.compactMap { method in
            (method["method"] as? String).map { ($0, method["aup_best_submission"] as? Double) }
        })
        #expect(aups == [
            "O1-preview": 1.176, "Claude-3.5-Sonnet": 1.135, "Gemini-1.5-Pro": 1.125, "Llama-3.1-405B": 1.039,
            "GPT-4o": 1.029, "baseline": 0.98,
        ])
    }

    /// MLGym's COLM 2025 table (12 models): with MLGym's ranking rule the Borda and mean-rank rows are MLGym's
    /// published best-attempt rows, in order; shared ranks give other totals. The AUPs are MLGym's published ones
    /// to within the table's rounding (it gives three decimals; MLGym computed from full precision).
    @Test func theCOLMTableReproducesMLGymsPublishedRanksAndAUP() throws {
        let published = [
            "gpt-o1", "gemini-15-pro", "gemini-25-pro", "gemini-20-flash-thinking", "claude-35-sonnet-new",
            "llama3-405b-tools", "llama4-17b-16", "llama4-17b-128", "gpt4o2", "claude-37-sonnet", "deepseek-r1",
            "baseline", "gpt-o3-mini",
        ]
        let publishedAUP: [String: (Double, Double)] = [
            "gpt4o2": (1.288, 1.317), "gpt-o3-mini": (1.214, 1.236), "gpt-o1": (1.423, 1.444), "deepseek-r1": (1.249, 1.267),
            "llama3-405b-tools": (1.33, 1.353), "llama4-17b-16": (1.267, 1.288), "llama4-17b-128": (1.303, 1.33),
            "claude-35-sonnet-new": (1.426, 1.419), "claude-37-sonnet": (1.35, 1.378), "gemini-15-pro": (1.42, 1.405),
            "gemini-20-flash-thinking": (1.374, 1.385), "gemini-25-pro": (1.419, 1.445), "baseline": (1.22, 1.243),
        ]
        func report(_ rule: String) throws -> [String: Any] {
            let result = try MLGymCtlProcess.run(["report", "--scores", MLGymCtlProcess.colmScores, "--format", "json", "--ranking", rule])
            #expect(result.status == 0, "\(result.standardError)")
            return try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        }
        let mlgym = try report("mlgym")
        #expect(mlgym["ranking_rule"] as? String == "mlgym")
        #expect(mlgym["borda_order_best_attempt"] as? [String] == published)
        #expect(mlgym["mean_rank_order_best_attempt"] as? [String] == published)
        let methods = try #require(mlgym["methods"] as? [[String: Any]])
        let borda = Dictionary(uniqueKeysWithValues: methods.map { ($0["method"] as? String ?? "", $0["borda_best_attempt"] as? Int ?? -1) })
        #expect(borda["gpt-o3-mini"] == 24 && borda["gpt-o1"] == 131)
        for method in methods {
            let name = method["method"] as? String ?? ""
            let expected = try #require(publishedAUP[name], "\(name)")
            #expect(abs((method["aup_best_attempt"] as? Double ?? 0) - expected.0) <= 0.0015, "\(name)")
            #expect(abs((method["aup_best_submission"] as? Double ?? 0) - expected.1) <= 0.0015, "\(name)")
        }
        // Shared ranks: ties share a place and every missing method shares the last, whatever the row order.
        let shared = try report("shared")
        let sharedBorda = Dictionary(uniqueKeysWithValues: try #require(shared["methods"] as? [[String: Any]]).map {
            ($0["method"] as? String ?? "", $0["borda_best_attempt"] as? Int ?? -1)
        })
        #expect(sharedBorda["gpt-o3-mini"] == 38)
        #expect(shared["ranking_rule"] as? String == "shared")
    }

    @Test(arguments: ["md", "csv", "json", "svg", "html"])
    func everyFormatIsWrittenToTheOutFile(format: String) throws {
        let directory = try MLGymCtlProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("report.\(format)")
        let result = try MLGymCtlProcess.run([
            "report", "--scores", MLGymCtlProcess.v1Scores, "--costs", MLGymCtlProcess.v1Costs, "--format", format,
            "--out", out.path,
        ])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.isEmpty)
        let text = try String(contentsOf: out, encoding: .utf8)
        #expect(text.contains("O1-preview"))
        #expect(text.contains(format == "svg" ? "1.150" : "1.176"))
    }

    @Test func runsAreScoredBesidePublishedScoresWithAPagePerRun() throws {
        let directory = try MLGymCtlProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let runs = [
            RunRecord(
                id: "mine-0", task: "House Price", method: "my-agent", attempt: 0, metric: "r2", direction: .max,
                baseline: ["r2": 0.879989],
                evaluations: [.init(kind: .validate, step: 3, metrics: ["r2": 0.95]), .init(kind: .submit, step: 9, metrics: ["r2": 0.94])],
                exitStatus: "submitted", usage: .init(tokensSent: 5000, tokensReceived: 400, dollars: 0.25),
                steps: [.init(thought: "Train a GBM.", action: "python train.py", observation: "r2 0.95")]),
        ]
        let runsFile = directory.appendingPathComponent("runs.json")
        try JSONEncoder().encode(runs).write(to: runsFile)
        let out = directory.appendingPathComponent("report.html")
        let result = try MLGymCtlProcess.run([
            "report", "--scores", MLGymCtlProcess.v1Scores, "--runs", runsFile.path, "--format", "html", "--out", out.path,
        ])
        #expect(result.status == 0, "\(result.standardError)")
        let html = try String(contentsOf: out, encoding: .utf8)
        #expect(html.contains("<section class=\"run\" id=\"run-1\">"))
        #expect(html.contains("python train.py"))
        #expect(html.contains("<th>my-agent</th>"))
        #expect(html.contains("<h2 id=\"outcomes\">Run outcomes</h2>"))

        let json = try MLGymCtlProcess.run(["report", "--scores", MLGymCtlProcess.v1Scores, "--runs", runsFile.path, "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        let methods = try #require(object["methods"] as? [[String: Any]])
        let mine = try #require(methods.first { $0["method"] as? String == "my-agent" })
        #expect(mine["dollars_per_run"] as? Double == 0.25)
        // How the run went: one run of one method, submitted, with a score.
        let outcomes = try #require(object["run_outcomes"] as? [String: Any])
        #expect(outcomes["runs"] as? Int == 1)
        let failures = try #require(outcomes["failures_by_method"] as? [[String: Any]])
        #expect(failures.map { $0["name"] as? String } == ["my-agent"])
        #expect(failures.first?["failed"] as? Int == 0 && failures.first?["incomplete"] as? Int == 0)
        let actions = try #require(outcomes["actions_by_method"] as? [String: Any])
        #expect(actions["columns"] as? [String] == ["Python"])

        let markdown = try MLGymCtlProcess.run(["report", "--scores", MLGymCtlProcess.v1Scores, "--runs", runsFile.path])
        #expect(markdown.standardOutput.contains("| submitted | Success | 1 |"))
        #expect(markdown.standardOutput.contains("| my-agent | 1 | 1.0 | 1 |"))
    }

    @Test func badScoresFailWithOneLineNamingFileAndLine() throws {
        let directory = try MLGymCtlProcess.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("bad.csv")
        try "task,direction,method,best_attempt,best_submission\nt,max,baseline,1,1\nt,sideways,a,2,2\n"
            .write(to: file, atomically: true, encoding: .utf8)
        let result = try MLGymCtlProcess.run(["report", "--scores", file.path])
        #expect(result.status != 0)
        #expect(result.standardOutput.isEmpty)
        #expect(result.standardError == "mlgymctl: \(file.path): line 3: unknown direction \"sideways\" for task \"t\" (use max or min)\n")
    }

    @Test func missingFileFailsWithOneLine() throws {
        let result = try MLGymCtlProcess.run(["report", "--scores", "/nonexistent/scores.csv"])
        #expect(result.status != 0)
        #expect(result.standardError.hasPrefix("mlgymctl: cannot read scores file /nonexistent/scores.csv"))
        #expect(result.standardError.filter { $0 == "\n" }.count == 1)
    }

    @Test func noInputFailsWithOneLineSayingWhatToGive() throws {
        let result = try MLGymCtlProcess.run(["report"])
        #expect(result.status != 0)
        #expect(result.standardError.hasPrefix("mlgymctl: nothing to report: give --scores"))
        #expect(result.standardError.filter { $0 == "\n" }.count == 1)
    }

    @Test func unknownFormatFailsWithOneLine() throws {
        let result = try MLGymCtlProcess.run(["report", "--scores", MLGymCtlProcess.v1Scores, "--format", "pdf"])
        #expect(result.status != 0)
        #expect(result.standardError.hasPrefix("mlgymctl: "))
        #expect(result.standardError.filter { $0 == "\n" }.count == 1)
    }

    @Test func helpDescribesEveryOption() throws {
        let result = try MLGymCtlProcess.run(["report", "--help"])
        #expect(result.status == 0)
        for option in ["--scores", "--runs", "--costs", "--baseline", "--k", "--max-tau", "--format", "--out"] {
            #expect(result.standardOutput.contains(option), "\(option) missing from help")
        }
        let root = try MLGymCtlProcess.run(["--help"])
        #expect(root.status == 0)
        #expect(root.standardOutput.contains("report"))
    }

    @Test func fixedMaxTauChangesTheScale() throws {
        let result = try MLGymCtlProcess.run(["report", "--scores", MLGymCtlProcess.v1Scores, "--max-tau", "2", "--format", "csv"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardOutput.split(separator: "\n")[1].hasSuffix(",2.0"))
    }
}
