import Foundation
import Glibc
import MLGymAPI
import MLGymClient
import MLGymTestSupport
import Testing

/// `mlgymctl campaign run` against a real mlgymd: every run of the file, K at a time; Ctrl-C and a second
/// invocation that resumes; the campaign budget stopping new runs.
@Suite(.serialized) struct CampaignRunTests {
    static let demo = DaemonProcess.packageRoot + "/tasks/demos/baseline-as-is.traj"

    @Test func everyRunRunsAndCtrlCThenRunningAgainResumes() throws {
        let daemon = try DaemonProcess()
        defer { daemon.finish() }
        let root = daemon.directory
        try ReplayTrajectoryFiles.slow(12, from: Self.demo, to: root + "/slow.traj")
        let file = root + "/campaign.yaml"
        try Data("""
            name: local-test
            tasks: [prisonersDilemma, battleOfSexes]
            models:
              - {name: quick, spec: 'replay:\(Self.demo)'}
              - {name: slow, spec: 'replay:slow.traj'}
            limits: {steps: 10}
            results: results
            """.utf8).write(to: URL(fileURLWithPath: file))

        // Interrupted while both slow runs are in flight.
        let log = root + "/campaign.log"
        let client = try ChildProcess(
            try DaemonProcess.binary("mlgymctl"), ["campaign", "run", file, "--parallel", "2"],
            environment: ["MLGYM_SOCKET": daemon.socketPath, "PATH": "/usr/bin:/bin"], logPath: log)
        func slowRunning() throws -> [RunInfo] {
            try daemon.client.runs(campaign: "local-test").runs.filter { $0.method == "slow" && $0.state == "running" && $0.session != nil }
        }
        for _ in 0..<1200 where try slowRunning().count < 2 { usleep(50_000) }
        #expect(try slowRunning().count == 2, "\((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        kill(client.pid, SIGINT)
        #expect(client.wait() == 130, "\((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        var runs = try daemon.client.runs(campaign: "local-test").runs
        #expect(runs.count == 4)
        #expect(runs.filter { $0.method == "quick" }.allSatisfy { $0.state == "finished" })
        #expect(runs.filter { $0.method == "slow" }.allSatisfy { $0.state == "interrupted" })
        let interrupted = Set(runs.filter { $0.method == "slow" }.map(\.id))
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/results").filter { !$0.hasPrefix(".") }.sorted()
            == ["battleOfSexes+quick+seed0", "prisonersDilemma+quick+seed0"])

        // Again: the finished runs are kept, the interrupted ones resume (same runs), then the report.
        let again = try daemon.ctl(["campaign", "run", file, "--parallel", "2"])
        #expect(again.status == 0, "\(again.errorOutput)")
        runs = try daemon.client.runs(campaign: "local-test").runs
        #expect(runs.count == 4, "no run was started twice")
        #expect(runs.allSatisfy { $0.state == "finished" && $0.exitStatus == "submitted" })
        #expect(Set(runs.filter { $0.method == "slow" }.map(\.id)) == interrupted)
        #expect(again.output.contains("| quick |") && again.output.contains("| slow |"), "\(again.output)")
        #expect(again.output.contains("| prisonersDilemma | max | 2.37491 (1) |"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/results").filter { !$0.hasPrefix(".") }.count == 4)

        // A third time there is nothing left to do; status reads the bundles.
        let third = try daemon.ctl(["campaign", "run", file])
        #expect(third.status == 0 && third.errorOutput.contains("4 done · 0 running · 0 failed · 0 waiting"), "\(third.errorOutput)")
        #expect(try daemon.client.runs(campaign: "local-test").runs.count == 4)
        let status = try daemon.ctl(["campaign", "status", file])
        #expect(status.output.contains("4 runs: 4 finished"), "\(status.output)")
    }

    @Test func theCampaignBudgetStopsNewRuns() throws {
        // $1.10 a call at these prices: the first run spends it, the second starts under the $1.50 budget and
        // passes it, the third is not started.
        let server = try FakeModelServer([.command("submit"), .command("submit"), .command("submit")])
        let daemon = try DaemonProcess()
        defer { daemon.finish() }
        let file = daemon.directory + "/campaign.yaml"
        try Data("""
            name: budget-test
            tasks: [prisonersDilemma]
            models:
              - {name: fake, spec: 'openai:fake-model', api_base: '\(server.baseURL)', price: {input: 1000, output: 1000}}
            seeds: 3
            limits: {steps: 5, campaign_cost: 1.5}
            """.utf8).write(to: URL(fileURLWithPath: file))
        let result = try daemon.ctl(["campaign", "run", file])
        #expect(result.status == 0, "\(result.errorOutput)")
        let runs = try daemon.client.runs(campaign: "budget-test").runs
        #expect(runs.count == 2)
        #expect(runs.map(\.seed).sorted() == [0, 1])
        #expect(result.errorOutput.contains("1 run not started") && result.errorOutput.contains("1 skipped (budget)"), "\(result.errorOutput)")
        #expect(server.requests.count == 2)
    }

    @Test func anUnknownTaskFailsTheCampaignOnceBeforeAnyRun() throws {
        let daemon = try DaemonProcess()
        defer { daemon.finish() }
        let file = daemon.directory + "/campaign.yaml"
        try Data("""
            name: typo-test
            tasks: [prisonersDilemma, prisonersDilema]
            models: [{name: as-is, spec: 'replay:\(Self.demo)'}]
            """.utf8).write(to: URL(fileURLWithPath: file))
        let result = try daemon.ctl(["campaign", "run", file])
        #expect(result.status != 0)
        #expect(result.errorOutput.contains("unknown task prisonersDilema (mlgymctl tasks lists them)"), "\(result.errorOutput)")
        #expect(try daemon.client.runs(campaign: "typo-test").runs.isEmpty)
    }
}
