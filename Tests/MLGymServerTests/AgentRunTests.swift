import Foundation
import Glibc
import MLGymAPI
import MLGymClient
import MLGymCore
import MLGymTestSupport
import Testing

/// Agent runs end to end: a real mlgymd, real task sessions and evaluation sandboxes, the production libcurl
/// client talking to a local server that speaks OpenAI's chat-completions protocol with scripted replies.
@Suite(.serialized) struct AgentRunTests {
    typealias Reply = FakeModelServer.Reply

    /// The edit that replaces the starter's row_strategy with "cooperate, defect in the last round" (Score 2.4231).
    static let betterStrategy = """
        edit 17:34
        def row_strategy(history):
            if len(history) == 9:
                return 1
            return 0
        end_of_edit
        """

    func daemon() throws -> DaemonProcess {
        try DaemonProcess(extraArguments: ["--model-retry-base", "0.01"])
    }

    /// Starts runs with mlgymctl (as a user would) and returns what `--json` printed.
    func run(_ daemon: DaemonProcess, _ arguments: [String]) throws -> (status: Int32, runs: [RunInfo], errors: String) {
        let result = try daemon.ctl(["run", "--json"] + arguments, environment: ["OPENAI_API_KEY": "sk-test-key"])
        let runs = (try? WireCoding.decoder().decode(RunList.self, from: Data(result.output.utf8)))?.runs ?? []
        return (result.status, runs, result.output + result.errorOutput)
    }

    func waitForRun(_ daemon: DaemonProcess, _ id: String, until done: (RunInfo) -> Bool) throws -> RunInfo {
        for _ in 0..<600 {
            if let info = try? daemon.client.run(id), done(info) { return info }
            usleep(50_000)
        }
        throw TestFailure("run \(id) did not get there: \((try? daemon.client.run(id)).map { "\($0)" } ?? "gone")")
    }

    /// An edit that breaks the syntax: the editor in the sandbox reverts it.
    static let brokenEdit = "edit 24:25\n    if not history\n        return 0\nend_of_edit"

    @Test func aModelReadsEditsValidatesAndSubmitsThroughRetriesAndAFormatError() throws {
        let server = try FakeModelServer([
            .init(status: 429, headers: ["Retry-After": "0"], errorType: "rate_limit_error", message: "slow down"),
            .command("cat strategy.py", thought: "Read the baseline first."),
            .command("open \"strategy.py\""),
            .command(Self.brokenEdit),
            .command(Self.betterStrategy, thought: "Cooperate, then defect in the last round."),
            Reply("Two commands:\n```\nls\n```\n```\nvalidate\n```", usage: (1000, 100)),
            .command("validate"),
            .command("submit"),
        ])
        let daemon = try daemon()
        defer { daemon.finish() }
        let result = try run(daemon, [
            "--task", "prisonersDilemma", "--model", "openai:gpt-4o", "--api-base", server.baseURL, "--campaign", "e2e",
        ])
        #expect(result.status == 0, "\(result.errors)")
        let info = try #require(result.runs.first, "\(result.errors)")
        #expect(info.exitStatus == "submitted")
        #expect(info.steps == 6)
        #expect(info.scores == [["Score": 2.4231], ["Score": 2.4231]])
        #expect(info.bestAttempt == 2.4231 && info.submission == 2.4231)
        // Tokens are the API's usage fields; gpt-4o's list price makes the cost (7 answers of 1000 + 100 tokens).
        #expect(info.tokensSent == 7000 && info.tokensReceived == 700 && info.apiCalls == 7)
        #expect(abs(info.cost - 7 * 0.0035) < 1e-9)

        let requests = server.requests
        #expect(requests.count == 8, "the 429 was retried once")
        #expect(requests.allSatisfy { $0.authorization == "Bearer sk-test-key" })
        // The retry after two blocks saw the bad reply and what was wrong with it.
        let retry = try #require(requests[6].body?.messages)
        #expect(retry.last?.content.contains("2 fenced blocks") == true)
        // The first observation the model saw is the file, with MLGym's footer.
        let second = try #require(requests[2].body?.messages?.last?.content)
        #expect(second.contains("def row_strategy(history):") && second.contains("(Current Step: 1, Remaining Steps: 49)"))

        let trajectory = try daemon.client.trajectory(info.id)
        try #require(trajectory.steps.map(\.action) == ["cat strategy.py", "open \"strategy.py\"", Self.brokenEdit, Self.betterStrategy, "validate", "submit"])
        #expect(trajectory.steps[1].observation.hasPrefix("[File: /home/agent/workspace/strategy.py (34 lines total)]"))
        // The syntax check in the sandbox (flake8, or Python's compiler) refused the broken edit and said why.
        #expect(trajectory.steps[2].observation.contains("E999"), "\(trajectory.steps[2].observation)")
        #expect(!trajectory.steps[2].observation.contains("File updated."))
        #expect(trajectory.steps[3].observation.contains("File updated."))
        #expect(trajectory.steps[3].state.openFile == "/home/agent/workspace/strategy.py")
        // The applied edit's step carries its diff of the file (the run page shows it); the refused one and the
        // steps after carry none.
        let diff = try #require(trajectory.steps[3].edit)
        #expect(diff.hasPrefix("--- a/home/agent/workspace/strategy.py\n+++ b/home/agent/workspace/strategy.py\n@@ -"), "\(diff)")
        #expect(diff.contains("\n+def row_strategy(history):\n"))
        #expect(trajectory.steps[2].edit == nil && trajectory.steps[4].edit == nil)
        #expect(trajectory.steps[4].formatErrors == 1)
        #expect(trajectory.steps[4].observation.contains("Evaluation Score: {'Score': 2.4231}"))

        // MLGym's files, and the run's session stopped.
        let export = daemon.directory + "/export/prisonersDilemma.traj"
        try FileManager.default.createDirectory(atPath: daemon.directory + "/export", withIntermediateDirectories: true)
        #expect(try daemon.ctl(["trajectory", info.id, "--export-traj", export]).status == 0)
        let traj = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: export))) as? [String: Any])
        #expect((traj["trajectory"] as? [Any])?.count == 6)
        #expect(((traj["info"] as? [String: Any])?["exit_status"] as? String) == "submitted")
        let results = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: daemon.directory + "/export/results.json"))) as? [String: Any])
        #expect((results["agent"] as? [[String: Double]]) == [["Score": 2.4231], ["Score": 2.4231]])
        #expect(try daemon.client.session(try #require(info.session)).state == "stopped")
        #expect(try daemon.ctl(["runs", "--campaign", "e2e"]).output.contains("submitted"))
    }

    @Test func theCostLimitAutoSubmitsAndALongOutputIsCutWithAMarker() throws {
        let server = try FakeModelServer([
            .command("python3 -c \"print('x' * 50000)\""),
            .command("ls"),
            .command("ls"),
            .command("submit"),
        ])
        let daemon = try daemon()
        defer { daemon.finish() }
        // $0.0035 a step: the limit is passed after the third step, before the fourth model call.
        let result = try run(daemon, [
            "--task", "prisonersDilemma", "--model", "openai:gpt-4o", "--api-base", server.baseURL, "--cost-limit", "0.008",
            "--observation-limit", "2000",
        ])
        let info = try #require(result.runs.first, "\(result.errors)")
        #expect(info.exitStatus == "autosubmission (exit_cost)")
        #expect(info.steps == 3)
        #expect(info.scores == [["Score": 2.37491]], "the untouched baseline strategy is what was auto-submitted")
        #expect(server.requests.count == 3)
        let first = try daemon.client.trajectory(info.id).steps[0].observation
        #expect(first.count < 2400)
        #expect(first.contains("mlgym cut 48001 characters from the middle of this output"))
    }

    @Test func aRunSurvivesTheDaemonsDeathAndResumesFromItsLastStep() throws {
        let server = try FakeModelServer([
            .command("printf 'def row_strategy(history):\\n    return 0\\n' > strategy.py"),
            Reply(delay: 60),
            .command("cat strategy.py"),
            .command("submit"),
        ])
        let daemon = try daemon()
        defer { daemon.finish() }
        let started = try daemon.client.startRuns(RunRequest(task: "prisonersDilemma", model: "openai:m", apiBase: server.baseURL))
        let id = try #require(started.runs.first?.id)
        _ = try waitForRun(daemon, id) { $0.steps == 1 }
        for _ in 0..<100 where server.requests.count < 2 { usleep(50_000) }
        daemon.killHard()

        try daemon.start()
        let interrupted = try daemon.client.run(id)
        #expect(interrupted.state == "interrupted")
        #expect(interrupted.message?.contains("--resume") == true)
        #expect(interrupted.steps == 1)
        #expect(try daemon.client.trajectory(id).steps.map(\.index) == [1])

        // The sandbox went with the old daemon: the resumed run gets a new session with the committed action
        // run again, so the workspace is as the agent left it.
        let resumed = try run(daemon, ["--resume", id])
        let info = try #require(resumed.runs.first, "\(resumed.errors)")
        #expect(info.exitStatus == "submitted")
        let steps = try daemon.client.trajectory(id).steps
        try #require(steps.map(\.index) == [1, 2, 3])
        #expect(steps[1].observation.contains("return 0"), "the first step's edit was replayed: \(steps[1].observation)")
        #expect(info.scores == [["Score": 2.24613]])
    }

    /// With --snapshot-on validate, a resumed run starts from the snapshot of its last validate and runs again
    /// only what the agent did after it.
    @Test func aResumedRunStartsFromItsLastValidateSnapshot() throws {
        let server = try FakeModelServer([
            .command("printf 'def row_strategy(history):\\n    return 1\\n' > strategy.py && export KEPT=yes"),
            .command("validate"),
            .command("echo after > after.txt"),
            Reply(delay: 60),
            .command("cat strategy.py after.txt; echo $KEPT"),
            .command("submit"),
        ])
        let daemon = try daemon()
        defer { daemon.finish() }
        let started = try daemon.client.startRuns(RunRequest(task: "prisonersDilemma", model: "openai:m", apiBase: server.baseURL, snapshotOn: "validate"))
        let id = try #require(started.runs.first?.id)
        let before = try waitForRun(daemon, id) { $0.steps == 3 }
        for _ in 0..<100 where server.requests.count < 4 { usleep(50_000) }
        let lost = try #require(before.session)
        #expect(try daemon.client.snapshots(lost).snapshots.map(\.trigger) == ["validate"])
        daemon.killHard()

        try daemon.start()
        let resumed = try run(daemon, ["--resume", id])
        let info = try #require(resumed.runs.first, "\(resumed.errors)")
        #expect(info.exitStatus == "submitted")
        #expect(daemon.log.contains("run \(id): resumed from snapshot \(lost)@1; 1 of 3 committed actions to run again"), "\(daemon.log)")
        let steps = try daemon.client.trajectory(id).steps
        let check = try #require(steps.first { $0.action.hasPrefix("cat strategy.py") })
        #expect(check.observation.contains("return 1") && check.observation.contains("after") && check.observation.contains("yes"), "\(check.observation)")
    }

    @Test func aReplayOfTheShippedTrajectoryReproducesItsScore() throws {
        let daemon = try daemon()
        defer { daemon.finish() }
        let result = try run(daemon, [
            "--task", "prisonersDilemma", "--model", "replay:\(DaemonProcess.packageRoot)/tasks/demos/prisonersDilemma.traj",
            "--seeds", "2", "--parallel", "2", "--campaign", "replayed",
        ])
        #expect(result.status == 0, "\(result.errors)")
        try #require(result.runs.count == 2)
        #expect(result.runs.map(\.exitStatus) == ["submitted", "submitted"])
        #expect(result.runs.map(\.submission) == [2.6204, 2.6204])
        #expect(Set(result.runs.compactMap(\.session)).count == 2, "each seed in a session of its own")
        // The campaign as run records (the bundle reports merge), and scored.
        let records = try JSONDecoder().decode([RunRecord].self, from: Data(try daemon.ctl(["runs", "--records", "--campaign", "replayed"]).output.utf8))
        #expect(records.map(\.attempt).sorted() == [0, 1])
        #expect(records.allSatisfy { $0.evaluations.last?.kind == .submit && $0.baseline?["Score"] == 2.37491 })
        let report = try daemon.ctl(["report", "--campaign", "replayed"])
        #expect(report.status == 0 && report.output.contains("| prisonersDilemma | max | 2.37491 (2) | 2.6204 (1) |"), "\(report.output)\(report.errorOutput)")

        // MLGym's layout: the folders its visualizer parses (its pattern, restated) and the files its scripts read.
        let layout = try TemporaryTaskRoot()
        defer { layout.remove() }
        let exported = try daemon.ctl(["export", "--mlgym-layout", layout.path, "--campaign", "replayed"])
        #expect(exported.status == 0, "\(exported.errorOutput)")
        let folders = try FileManager.default.contentsOfDirectory(atPath: layout.path).sorted()
        let pattern = try NSRegularExpression(pattern: "^([^_]+)__([^_]+)__([^_]+)__t-([^_]+)__p-([^_]+)__c-([^_]+)__install-([^_]+)(?:__(.+?))?(?:_run_(\\d+))?$")
        #expect(folders.count == 2, "\(folders)")
        for folder in folders {
            let match = try #require(pattern.firstMatch(in: folder, range: NSRange(folder.startIndex..., in: folder)), "\(folder)")
            let part = { (index: Int) in (folder as NSString).substring(with: match.range(at: index)) }
            #expect(part(2) == "prisonersDilemma" && part(3) == "mlgym-default" && part(4) == "0.00" && part(5) == "0.95", "\(folder)")
            #expect(!part(1).contains(":") && part(1).hasPrefix("replay-"), "\(folder)")
            let traj = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: layout.path + "/" + folder + "/prisonersDilemma.traj"))) as? [String: Any])
            let info = try #require(traj["info"] as? [String: Any])
            #expect(info["submission"] as? String == "/home/agent/workspace/strategy.py")
            #expect(info["exit_status"] as? String == "submitted")
            let results = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: layout.path + "/" + folder + "/results.json"))) as? [String: Any])
            #expect((results["agent"] as? [[String: Double]])?.last?["Score"] == 2.6204)
        }
        #expect(folders.map { $0.hasSuffix("_run_0") || $0.hasSuffix("_run_1") } == [true, true])
    }

    @Test func theOperatorsPriceTableCostsAModelItDidNotKnow() throws {
        let server = try FakeModelServer([.command("submit")])
        let files = try TemporaryTaskRoot()
        defer { files.remove() }
        try files.write("prices.json", #"{"local-model": {"input_per_mtok": 1, "output_per_mtok": 2}}"#)
        let daemon = try DaemonProcess(extraArguments: ["--prices", files.path + "/prices.json"])
        defer { daemon.finish() }
        let result = try run(daemon, ["--task", "prisonersDilemma", "--model", "openai:local-model", "--api-base", server.baseURL, "--cost-limit", "1"])
        let info = try #require(result.runs.first, "\(result.errors)")
        #expect(info.exitStatus == "submitted")
        #expect(abs(info.cost - (1000 * 1 + 100 * 2) / 1e6) < 1e-12)
    }

    @Test func badRequestsAreRefusedBeforeAnythingRuns() throws {
        let daemon = try daemon()
        defer { daemon.finish() }
        let noKey = try daemon.ctl(["run", "--task", "prisonersDilemma", "--model", "openai:gpt-4o"], environment: ["OPENAI_API_KEY": ""])
        #expect(noKey.status != 0 && noKey.errorOutput.contains("OPENAI_API_KEY"))
        let unknown = try daemon.ctl(["run", "--task", "noSuchTask", "--model", "replay:x"])
        #expect(unknown.status != 0)
        let badModel = try daemon.ctl(["run", "--task", "prisonersDilemma", "--model", "gpt-4o"])
        #expect(badModel.errorOutput.contains("openai:NAME"))
        let noPrice = try daemon.ctl(["run", "--task", "prisonersDilemma", "--model", "openai:my-model", "--api-base", "http://127.0.0.1:9/v1", "--cost-limit", "1"])
        #expect(noPrice.errorOutput.contains("--price"))
        // Only HTTP(S): a file:// base would have root read a file for the client.
        let fileBase = try daemon.ctl(["run", "--task", "prisonersDilemma", "--model", "openai:m", "--api-base", "file:///etc"])
        #expect(fileBase.status != 0 && fileBase.errorOutput.contains("http://"))
        #expect(throws: MLGymError.self) {
            try daemon.client.startRuns(RunRequest(task: "prisonersDilemma", model: "replay:x", observationLimit: 1 << 30, replayResponses: ["ls"]))
        }
        #expect(try daemon.client.runs().runs.isEmpty)
    }
}

/// Stopping runs, people as models, and the campaign's budget.
@Suite(.serialized) struct AgentRunControlTests {
    @Test func ctrlCStopsTheRunsCleanlyEvenWhileTheModelIsThinking() throws {
        let server = try FakeModelServer([.command("ls"), FakeModelServer.Reply(delay: 120)])
        let daemon = try DaemonProcess()
        defer { daemon.finish() }
        let log = daemon.directory + "/mlgymctl.log"
        let client = try ChildProcess(
            try DaemonProcess.binary("mlgymctl"),
            ["run", "--task", "prisonersDilemma", "--model", "openai:m", "--api-base", server.baseURL],
            environment: ["MLGYM_SOCKET": daemon.socketPath, "PATH": "/usr/bin:/bin"], logPath: log)
        for _ in 0..<600 where server.requests.count < 2 { usleep(50_000) }
        #expect(server.requests.count == 2, "the second model call is in flight")
        let clock = ContinuousClock.now
        kill(client.pid, SIGINT)
        let status = client.wait()
        #expect(ContinuousClock.now - clock < .seconds(30), "Ctrl-C did not wait for the model")
        #expect(status == 130, "\((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        let run = try #require(try daemon.client.runs().runs.first)
        #expect(run.state == "interrupted" && run.exitStatus == "interrupted")
        #expect(run.steps == 1)
        #expect(run.scores.isEmpty, "a stopped run is not auto-submitted")
        #expect(try daemon.client.session(try #require(run.session)).state == "stopped")
    }

    @Test func aPersonPlaysTheAgentThroughTheRunsInput() throws {
        let daemon = try DaemonProcess()
        defer { daemon.finish() }
        let id = try #require(try daemon.client.startRuns(RunRequest(task: "prisonersDilemma", model: "human")).runs.first?.id)
        func waitForInputRequest() throws {
            for _ in 0..<400 {
                if try daemon.client.run(id).awaitingInput { return }
                usleep(50_000)
            }
            throw TestFailure("the run never asked for input")
        }
        try waitForInputRequest()
        try daemon.client.sendRunInput(id, action: "grep -c \"^def \" strategy.py")
        try waitForInputRequest()
        let first = try daemon.client.trajectory(id).steps.first
        #expect(first?.observation == "1\n", "\(String(describing: first))")
        try daemon.client.sendRunInput(id, action: "submit")
        var info = try daemon.client.run(id)
        for _ in 0..<400 where info.isActive {
            usleep(50_000)
            info = try daemon.client.run(id)
        }
        #expect(info.exitStatus == "submitted")
        #expect(info.scores == [["Score": 2.37491]])
    }

    @Test func theCampaignBudgetStopsLaterRunsBeforeTheirFirstCall() throws {
        let server = try FakeModelServer([.command("ls")], cycle: true)
        let daemon = try DaemonProcess()
        defer { daemon.finish() }
        let result = try daemon.ctl([
            "run", "--json", "--task", "prisonersDilemma", "--model", "openai:m", "--api-base", server.baseURL, "--seeds", "2",
            "--campaign", "budget", "--campaign-cost-limit", "0.008", "--price", "2.5:10",
        ])
        let runs = try WireCoding.decoder().decode(RunList.self, from: Data(result.output.utf8)).runs
        try #require(runs.count == 2, "\(result.errorOutput)")
        #expect(runs.map(\.exitStatus) == ["autosubmission (exit_cost)", "autosubmission (exit_cost)"])
        #expect(runs[0].steps == 3, "$0.0035 a step: the third passes $0.008")
        #expect(runs[1].steps == 0)
        #expect(server.requests.count == 3)
    }
}
