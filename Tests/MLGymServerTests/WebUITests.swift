import Foundation
import Glibc
import MLGymAPI
import MLGymClient
import MLGymTestSupport
import Testing

/// `mlgymctl ui`: a token-gated view on 127.0.0.1 that forwards reads to mlgymd as its user, checked over HTTP
/// and in a headless Chromium (through scripts/browser-check), where a session started after the page loaded
/// appears without a reload.
@Suite(
    .serialized,
    .enabled(
        if: FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium") || ProcessInfo.processInfo.environment["CI"] != nil,
        "needs headless Chromium (apt-get install chromium)"))
struct WebUITests {
    /// A running `mlgymctl ui` against `daemon`, and the URL it printed.
    final class View {
        let process: ChildProcess
        let url: String
        let port: String
        let token: String

        /// - Parameter uid: run `mlgymctl ui` as this user (through setpriv, the test group its only other group).
        init(_ daemon: DaemonProcess, name: String, uid: uid_t? = nil) throws {
            let log = daemon.directory + "/\(name).log"
            logPath = log
            if let uid {
                let gid = try OtherUser.clientGroup()
                process = try ChildProcess(
                    "/usr/bin/setpriv",
                    ["--reuid", String(uid), "--regid", String(uid), "--groups", String(gid), "--inh-caps", "-all", "--",
                     try OtherUser.client.get(), "ui"],
                    environment: ["MLGYM_SOCKET": daemon.socketPath, "HOME": "/"], logPath: log)
            } else {
                process = try ChildProcess(
                    try DaemonProcess.binary("mlgymctl"), ["ui"], environment: ["MLGYM_SOCKET": daemon.socketPath], logPath: log)
            }
            var printed = ""
            for _ in 0..<300 where !printed.contains("?token=") {
                printed = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                if !printed.contains("?token=") { usleep(50_000) }
            }
            guard let line = printed.split(separator: "\n").first(where: { $0.contains("?token=") }),
                let start = line.range(of: "http://")
            else { throw TestFailure("mlgymctl ui printed no URL: \(printed)") }
            url = String(line[start.lowerBound...])
            port = String(url.split(separator: ":")[2].prefix { $0.isNumber })
            token = String(url.split(separator: "=").last ?? "")
        }

        let logPath: String

        deinit {
            // A view that died on its own (a crash) is a failure, with what it printed.
            var status: Int32 = 0
            if waitpid(process.pid, &status, WNOHANG) == process.pid {
                Issue.record("mlgymctl ui exited by itself (status \(status)): \((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "")")
                return
            }
            kill(process.pid, SIGTERM)
            _ = process.wait()
        }
    }

    /// Status, headers and body of one request to the view (Python's http.client, so the test sends exactly
    /// the Host, cookie and method it means to).
    static func request(port: String, _ method: String, _ target: String, host: String? = nil, cookie: String? = nil) throws -> (status: Int, head: String, body: String) {
        let script = """
            import http.client, sys
            c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=10)
            c.putrequest(sys.argv[2], sys.argv[3], skip_host=True)
            c.putheader("Host", sys.argv[4] or ("127.0.0.1:" + sys.argv[1]))
            if sys.argv[5]: c.putheader("Cookie", sys.argv[5])
            c.endheaders()
            r = c.getresponse()
            print(r.status)
            print("".join("%s: %s\\n" % h for h in r.getheaders()))
            print("---")
            print(r.read().decode())
            """
        let result = try CommandResult.run("/usr/bin/python3", ["-c", script, port, method, target, host ?? "", cookie ?? ""])
        let parts = result.output.components(separatedBy: "\n---\n")
        guard let status = Int(result.output.prefix { $0.isNumber }), parts.count == 2 else {
            throw TestFailure("no answer: \(result.output) \(result.errorOutput)")
        }
        return (status, parts[0], parts[1])
    }

    @Test func onlyTheTokenOnLoopbackGetsAnythingAndOnlyReads() throws {
        let daemon = try DaemonProcess()
        defer { daemon.finish() }
        let session = try daemon.client.createSession(SessionSpec(name: "gated"))
        let view = try View(daemon, name: "ui")
        let other = try View(daemon, name: "ui-other")
        let cookie = "mlgym_ui=\(view.token)"

        #expect(try Self.request(port: view.port, "GET", "/").status == 403)
        #expect(try Self.request(port: view.port, "GET", "/api/v1/sessions").status == 403)
        #expect(try Self.request(port: view.port, "GET", "/?token=" + String(repeating: "0", count: 32)).status == 403)
        // Another view's token opens nothing here.
        #expect(try Self.request(port: view.port, "GET", "/api/v1/sessions", cookie: "mlgym_ui=\(other.token)").status == 403)
        // A page elsewhere whose name points at 127.0.0.1 sends its own Host.
        #expect(try Self.request(port: view.port, "GET", "/", host: "attacker.example:\(view.port)", cookie: cookie).status == 403)

        let entered = try Self.request(port: view.port, "GET", "/?token=\(view.token)")
        #expect(entered.status == 303 && entered.head.contains("Location: /\n"), "\(entered.head)")
        #expect(entered.head.contains("Set-Cookie: mlgym_ui=\(view.token); HttpOnly; SameSite=Strict; Path=/"))
        let page = try Self.request(port: view.port, "GET", "/", cookie: cookie)
        #expect(page.status == 200 && page.body.contains("<title>mlgym</title>"))
        #expect(page.head.contains("Content-Security-Policy: default-src 'self'") && page.head.contains("Referrer-Policy: no-referrer"))
        let sessions = try Self.request(port: view.port, "GET", "/api/v1/sessions", cookie: cookie)
        #expect(sessions.status == 200 && sessions.body.contains(session.id))
        // It only reads: nothing else reaches mlgymd.
        #expect(try Self.request(port: view.port, "DELETE", "/api/v1/sessions/\(session.id)", cookie: cookie).status == 405)
        #expect(try daemon.client.session(session.id).state == "running")
    }

    @Test func aPageShowsSessionsAndNewOnesAppearWithoutAReload() throws {
        let daemon = try DaemonProcess()
        defer { daemon.finish() }
        let first = try daemon.client.createSession(SessionSpec(name: "shown-at-load"))
        let view = try View(daemon, name: "ui")
        let ready = daemon.directory + "/page-ready", secondID = daemon.directory + "/second-id"
        let steps = """
            [{"open": "\(view.url)"}, {"wait_text": "shown-at-load"}, {"wait_text": "\(first.id)"},
             {"touch": "\(ready)"}, {"wait_file": "\(secondID)", "timeout": 60},
             {"screenshot": "\(daemon.directory)/sessions.png"}]
            """
        let browser = try Self.browse(daemon, steps, ready: ready) {
            // Started after the page loaded: it must arrive through the events stream.
            let second = try daemon.client.createSession(SessionSpec(name: "started-later"))
            try Data(second.id.utf8).write(to: URL(fileURLWithPath: secondID))
        }
        #expect(browser.status == 0, "\(browser.output)")
        #expect(FileManager.default.fileExists(atPath: daemon.directory + "/sessions.png"))
    }
}

extension WebUITests {
    /// Sessions removed in quick succession leave the table: a session read on its way when its removal arrived
    /// does not come back as a stale "stopped" row (found by bench/ui-memory).
    @Test func removedSessionsLeaveTheTableEvenWhenReadsCrossTheirRemoval() throws {
        let daemon = try DaemonProcess()
        defer { daemon.finish() }
        let ids = try (0..<12).map { try daemon.client.createSession(SessionSpec(name: "brief-\($0)")).id }
        let view = try View(daemon, name: "ui")
        let ready = daemon.directory + "/ready", removed = daemon.directory + "/removed"
        let steps = """
            [{"open": "\(view.url)"}, {"wait_text": "brief-11"}, {"touch": "\(ready)"}, {"wait_file": "\(removed)", "timeout": 60},
             {"absent_text": "brief-"}, {"absent_text": "removed on request"}]
            """
        let browser = try Self.browse(daemon, steps, ready: ready) {
            for id in ids { _ = try daemon.client.removeSession(id, force: true) }
            try Data("No sessions.".utf8).write(to: URL(fileURLWithPath: removed))
        }
        #expect(browser.status == 0, "\(browser.output)")
    }
}

extension WebUITests {
    /// A run's page shows its steps as they commit: a person's run (model `human`) takes an action sent after the
    /// page loaded, and the step appears without a reload.
    @Test func aRunsStepsArriveOnItsPageAsTheyCommit() throws {
        let daemon = try DaemonProcess()
        defer { daemon.finish() }
        let id = try #require(try daemon.client.startRuns(RunRequest(task: "prisonersDilemma", model: "human")).runs.first?.id)
        for _ in 0..<400 where try !daemon.client.run(id).awaitingInput { usleep(50_000) }
        let view = try View(daemon, name: "ui")
        let ready = daemon.directory + "/page-ready", marker = daemon.directory + "/marker"
        let steps = """
            [{"open": "\(view.url)#/runs/\(id)"}, {"wait_text": "Run \(id)"}, {"wait_text": "waiting for you"},
             {"wait_text": "No step committed yet."}, {"touch": "\(ready)"}, {"wait_file": "\(marker)", "timeout": 60},
             {"screenshot": "\(daemon.directory)/run.png"}]
            """
        let browser = try Self.browse(daemon, steps, ready: ready) {
            try daemon.client.sendRunInput(id, action: "echo step-arrived-live")
            try Data("step-arrived-live\n".utf8).write(to: URL(fileURLWithPath: marker))
        }
        #expect(browser.status == 0, "\(browser.output)")
        _ = try? daemon.client.stopRun(id)
    }
}

extension WebUITests {
    /// The runs table filters by state (and campaign, task, model) from the page's address.
    @Test func theRunsTableFiltersFromTheAddress() throws {
        let daemon = try DaemonProcess()
        defer { daemon.finish() }
        let replay = DaemonProcess.packageRoot + "/tasks/demos/prisonersDilemma.traj"
        let finished = try daemon.ctl(["run", "--task", "prisonersDilemma", "--model", "replay:" + replay, "--campaign", "done", "--json"])
        let finishedID = try #require(try WireCoding.decoder().decode(RunList.self, from: Data(finished.output.utf8)).runs.first?.id)
        let waitingID = try #require(try daemon.client.startRuns(RunRequest(task: "prisonersDilemma", model: "human", campaign: "open")).runs.first?.id)
        for _ in 0..<400 where try !daemon.client.run(waitingID).awaitingInput { usleep(50_000) }
        let view = try View(daemon, name: "ui")
        let steps = """
            [{"open": "\(view.url)#/?state=finished"}, {"wait_text": "\(finishedID.prefix(12))"}, {"wait_text": "1 of 2 runs"},
             {"absent_text": "\(waitingID.prefix(12))"},
             {"open": "\(view.url)#/?campaign=open"}, {"wait_text": "\(waitingID.prefix(12))"}, {"absent_text": "\(finishedID.prefix(12))"}]
            """
        let stepsFile = daemon.directory + "/steps.json"
        try Data(steps.utf8).write(to: URL(fileURLWithPath: stepsFile))
        let browser = try CommandResult.run(DaemonProcess.packageRoot + "/scripts/browser-check", [stepsFile])
        #expect(browser.status == 0, "\(browser.output)\(browser.errorOutput)")
        _ = try? daemon.client.stopRun(waitingID)
    }
}

/// What a `CommandResult` run on another thread gave, once it is done.
final class ChildProcessResult: @unchecked Sendable {
    private let lock = NSLock()
    private var result: CommandResult?
    private var done = false

    func set(_ value: CommandResult?) {
        lock.lock()
        result = value
        done = true
        lock.unlock()
    }

    var isDone: Bool { lock.lock(); defer { lock.unlock() }; return done }
    var status: Int32 { lock.lock(); defer { lock.unlock() }; return result?.status ?? -1 }
    var output: String { lock.lock(); defer { lock.unlock() }; return (result?.output ?? "") + (result?.errorOutput ?? "") }
}
