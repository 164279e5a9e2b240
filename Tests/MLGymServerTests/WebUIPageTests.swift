import Foundation
import Glibc
import MLGymAPI
import MLGymClient
import MLGymTestSupport
import Testing

/// The view's pages in Chromium: a replay run appearing and its edit opened as a diff, a campaign's grid and
/// report filling in, keyboard navigation and contrast; and the pages `mlgymctl ui` makes itself, behind the
/// same token and the same authorisation as the API.
extension WebUITests {
    /// Runs browser-check on `steps` in the background; `whenReady` runs once the page has touched `ready`.
    static func browse(_ daemon: DaemonProcess, _ steps: String, ready: String, whenReady: () throws -> Void) throws -> ChildProcessResult {
        let stepsFile = daemon.directory + "/steps-\(UUID().uuidString).json"
        try Data(steps.utf8).write(to: URL(fileURLWithPath: stepsFile))
        let browser = ChildProcessResult()
        Thread { browser.set(try? CommandResult.run(DaemonProcess.packageRoot + "/scripts/browser-check", [stepsFile])) }.start()
        for _ in 0..<600 where !FileManager.default.fileExists(atPath: ready) && !browser.isDone { usleep(100_000) }
        #expect(FileManager.default.fileExists(atPath: ready), "the page did not load: \(browser.output)")
        try whenReady()
        while !browser.isDone { usleep(100_000) }
        return browser
    }

    /// A replay run started after the page loaded appears in the runs table; its page shows the validate and
    /// submit results set apart, and its edit opens as a diff of the file.
    @Test func aReplayRunAppearsAndItsEditOpensAsADiff() throws {
        let daemon = try DaemonProcess()
        defer { daemon.finish() }
        let view = try View(daemon, name: "ui")
        let ready = daemon.directory + "/ready", started = daemon.directory + "/run-id"
        let steps = """
            [{"open": "\(view.url)"}, {"wait_text": "No runs yet."}, {"touch": "\(ready)"},
             {"wait_file": "\(started)", "timeout": 120}, {"click": "#runs tbody a"},
             {"wait_text": "Step 5 · submit"}, {"wait_text": "Submitted: this evaluation is the session's final submission."},
             {"wait_text": "Diff of /home/agent/workspace/strategy.py"}, {"absent_text": "+def row_strategy(history):"},
             {"click": "#step-3 details.diff summary"}, {"wait_text": "+def row_strategy(history):"},
             {"contrast": 4.5}, {"screenshot": "\(daemon.directory)/run.png"}]
            """
        let browser = try Self.browse(daemon, steps, ready: ready) {
            let replay = DaemonProcess.packageRoot + "/tasks/demos/prisonersDilemma.traj"
            let run = try daemon.ctl(["run", "--task", "prisonersDilemma", "--model", "replay:" + replay, "--json"])
            let id = try #require(try WireCoding.decoder().decode(RunList.self, from: Data(run.output.utf8)).runs.first?.id, "\(run.errorOutput)")
            try Data(id.prefix(12).utf8).write(to: URL(fileURLWithPath: started))
        }
        #expect(browser.status == 0, "\(browser.output)")
    }

    /// A campaign's page opened before its runs exist fills in as they finish: the grid, the budget and the
    /// report. The keyboard alone gets from the overview to the campaign and on to one of its runs.
    @Test func aCampaignsGridAndReportFillInAndTheKeyboardReachesThem() throws {
        let daemon = try DaemonProcess()
        defer { daemon.finish() }
        let demos = DaemonProcess.packageRoot + "/tasks/demos"
        let spec = daemon.directory + "/grid.yaml"
        try Data("""
            name: grid-test
            tasks: [prisonersDilemma]
            models:
              - name: defect
                spec: replay:\(demos)/prisonersDilemma.traj
              - name: as-is
                spec: replay:\(demos)/baseline-as-is.traj
            seeds: [0]
            limits:
              steps: 10
              campaign_cost: 5
            results: \(daemon.directory)/grid-results
            """.utf8).write(to: URL(fileURLWithPath: spec))
        let view = try View(daemon, name: "ui")
        let ready = daemon.directory + "/ready", finished = daemon.directory + "/finished"
        let steps = """
            [{"open": "\(view.url)#/campaigns/grid-test"}, {"wait_text": "No runs in this campaign yet."}, {"touch": "\(ready)"},
             {"wait_file": "\(finished)", "timeout": 180}, {"wait_text": "seed 0: 2.37491"}, {"wait_text": "AUP, best attempt"},
             {"wait_text": "$0.0000 of $5.0000"}, {"wait_text": "From 2 finished run(s)"}, {"contrast": 4.5},
             {"screenshot": "\(daemon.directory)/campaign.png"},
             {"open": "\(view.url)"}, {"wait_text": "grid-test"},
             {"keys": ["Tab"]}, {"focused_text": "Skip to content"}, {"keys": ["Enter", "Tab"]}, {"focused_text": "grid-test"},
             {"keys": ["Enter"]}, {"wait_text": "Campaign grid-test"}, {"focused_text": "Campaign grid-test"},
             {"keys": ["Tab"]}, {"focused_text": "prisonersDilemma, as-is, seed 0: finished, best 2.37491 (level with the baseline"},
             {"keys": ["Tab"]}, {"focused_text": "prisonersDilemma, defect, seed 0: finished, best 2.6204 (better than the baseline"},
             {"keys": ["Enter"]}, {"wait_text": "Method"}, {"focused_text": "Run "}]
            """
        let browser = try Self.browse(daemon, steps, ready: ready) {
            let result = try daemon.ctl(["campaign", "run", spec, "--parallel", "2"])
            #expect(result.status == 0, "\(result.output)\(result.errorOutput)")
            try Data("seed 0: 2.6204".utf8).write(to: URL(fileURLWithPath: finished))
        }
        #expect(browser.status == 0, "\(browser.output)")
    }

    /// `/ui/…` pages: behind the token, and as the user who runs the view, so another user's view finds none of
    /// root's runs and campaigns.
    @Test func theViewsOwnPagesKeepTheTokenAndTheAPIsAuthorisation() throws {
        let daemon = try DaemonProcess(socketGroup: OtherUser.groupName)
        defer { daemon.finish() }
        let replay = DaemonProcess.packageRoot + "/tasks/demos/prisonersDilemma.traj"
        let run = try daemon.ctl(["run", "--task", "prisonersDilemma", "--model", "replay:" + replay, "--campaign", "roots", "--json"])
        let id = try #require(try WireCoding.decoder().decode(RunList.self, from: Data(run.output.utf8)).runs.first?.id, "\(run.errorOutput)")
        let view = try View(daemon, name: "ui")
        let cookie = "mlgym_ui=\(view.token)"

        #expect(try Self.request(port: view.port, "GET", "/ui/runs/\(id)/\(id).traj").status == 403)
        let traj = try Self.request(port: view.port, "GET", "/ui/runs/\(id)/\(id).traj", cookie: cookie)
        #expect(traj.status == 200 && traj.head.contains("Content-Disposition: attachment; filename=\"\(id).traj\""))
        #expect(traj.body.contains("\"exit_status\" : \"submitted\"") || traj.body.contains("\"exit_status\": \"submitted\""), "\(traj.body.prefix(300))")
        let tar = try Self.request(port: view.port, "GET", "/ui/runs/\(id)/mlgym-layout.tar", cookie: cookie)
        #expect(tar.status == 200 && tar.body.contains("prisonersDilemma.traj"))
        let report = try Self.request(port: view.port, "GET", "/ui/campaigns/roots/report.json", cookie: cookie)
        #expect(report.status == 200 && report.body.contains("\"finishedRuns\": 1") && report.body.contains("aup_best_attempt"), "\(report.body.prefix(300))")
        let plot = try Self.request(port: view.port, "GET", "/ui/campaigns/roots/profile-best_attempt.svg", cookie: cookie)
        #expect(plot.status == 200 && plot.head.contains("image/svg+xml") && plot.body.hasPrefix("<svg"))
        // Opened on its own, a plot is a document of the view's origin: no script in it may run.
        #expect(plot.head.contains("Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; sandbox"))
        #expect(try Self.request(port: view.port, "GET", "/ui/runs/nosuchrun/nosuchrun.traj", cookie: cookie).status == 404)
        #expect(try Self.request(port: view.port, "GET", "/ui/runs/\(id)/../../etc/passwd", cookie: cookie).status == 404)

        // Alice's view, with her token: root's run and campaign are not hers to see.
        let alices = try View(daemon, name: "ui-alice", uid: 61001)
        let hers = "mlgym_ui=\(alices.token)"
        #expect(try Self.request(port: alices.port, "GET", "/ui/runs/\(id)/\(id).traj", cookie: cookie).status == 403)
        let refused = try Self.request(port: alices.port, "GET", "/ui/runs/\(id)/\(id).traj", cookie: hers)
        #expect(refused.status == 403 && !refused.body.contains("exit_status"), "\(refused.status) \(refused.body)")
        let runs = try Self.request(port: alices.port, "GET", "/api/v1/runs", cookie: hers)
        #expect(runs.status == 200 && !runs.body.contains(id))
        let empty = try Self.request(port: alices.port, "GET", "/ui/campaigns/roots/report.json", cookie: hers)
        #expect(empty.body.contains("\"finishedRuns\": 0") && empty.body.contains("no run of campaign roots"), "\(empty.body)")
    }
}
