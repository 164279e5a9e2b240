import Foundation
import Glibc
import MLGymAPI
import MLGymClient
import MLGymTestSupport
import Synchronization
import Testing

/// mlgymctl as people type it, against a real daemon.
@Suite(.serialized) struct CommandLineTests {
    @Test func startStatusLsExecLogsStopRm() throws {
        let daemon = try DaemonProcess()
        defer { daemon.finish() }
        let started = try daemon.ctl(["start", "--name", "cli", "--memory", "1G", "--cpus", "1", "--pids", "300", "--json"])
        #expect(started.status == 0, "\(started.errorOutput)")
        let session = try WireCoding.decoder().decode(SessionInfo.self, from: Data(started.output.utf8))
        #expect(session.state == "running")

        let table = try daemon.ctl(["ls"])
        #expect(table.output.hasPrefix("ID"))
        #expect(table.output.contains(session.id) && table.output.contains("running"))
        let listed = try daemon.ctl(["ls", "--json"])
        #expect(try WireCoding.decoder().decode(SessionList.self, from: Data(listed.output.utf8)).sessions.count == 1)

        let status = try daemon.ctl(["status", "cli"])
        #expect(status.status == 0)
        #expect(status.output.contains("state:     running"))
        #expect(status.output.contains("memory 1G"))

        // Exit codes pass through; state persists between commands; prefixes of ids work.
        let failing = try daemon.ctl(["exec", String(session.id.prefix(6)), "--", "cd /tmp && echo $PWD && exit 42"])
        #expect(failing.status == 42)
        #expect(failing.output == "/tmp\n")
        let after = try daemon.ctl(["exec", "cli", "--", "echo", "$((6*7))"])
        #expect(after.status == 0)
        #expect(after.output == "42\n")
        let timedOut = try daemon.ctl(["exec", "--timeout", "0.5", "cli", "--", "sleep", "30"])
        #expect(timedOut.status == 124)
        #expect(timedOut.errorOutput.contains("timeout"))

        let logs = try daemon.ctl(["logs", "cli"])
        #expect(logs.output.contains("state  creating -> running"))
        #expect(logs.output.contains("cd /tmp && echo $PWD && exit 42"))
        #expect(logs.output.contains("exit 42"))

        #expect(try daemon.ctl(["rm", "cli"]).status != 0)
        #expect(try daemon.ctl(["stop", "cli"]).output == session.id + "\n")
        #expect(try daemon.ctl(["status", "cli"]).output.contains("state:     stopped (stopped on request)"))
        #expect(try daemon.ctl(["exec", "cli", "--", "true"]).errorOutput.contains("not running"))
        #expect(try daemon.ctl(["rm", "cli"]).status == 0)
        #expect(try daemon.ctl(["ls", "-q"]).output.isEmpty)
    }

    @Test func execOutputArrivesWhileTheCommandRuns() throws {
        let daemon = try DaemonProcess()
        defer { daemon.finish() }
        let workspace = daemon.directory + "/workspace"
        try FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: false)
        chown(workspace, 1000, 1000)
        let session = try daemon.client.createSession(SessionSpec(workspace: workspace))
        // The command prints, then waits for a file that the test creates only after it has seen that output:
        // without streaming the command would never finish (it is killed at its timeout instead).
        let seen = Mutex<[String]>([])
        let result = try daemon.client.execStreaming(
            session.id, ExecRequest(command: "echo first; until [ -e go ]; do sleep 0.05; done; echo second", timeout: 60)
        ) { text in
            seen.withLock { $0.append(text) }
            if text.contains("first") { _ = FileManager.default.createFile(atPath: workspace + "/go", contents: nil) }
        }
        #expect(result.exitCode == 0)
        #expect(!result.timedOut)
        #expect(seen.withLock { $0.joined() } == "first\nsecond\n")
    }

    @Test func everyVerbHasHelp() throws {
        for verb in ["start", "status", "ls", "attach", "exec", "logs", "stop", "rm", "report"] {
            let help = try CommandResult.run(try DaemonProcess.binary("mlgymctl"), [verb, "--help"])
            #expect(help.status == 0, "\(verb)")
            #expect(help.output.contains("USAGE: mlgymctl \(verb)"), "\(verb): \(help.output)")
        }
        let daemonHelp = try CommandResult.run(try DaemonProcess.binary("mlgymd"), ["--help"])
        for flag in ["--socket", "--state-dir", "--rootfs", "--socket-group", "--max-body", "--shutdown-grace"] {
            #expect(daemonHelp.output.contains(flag), "mlgymd --help lacks \(flag)")
        }
    }

    @Test func errorsAreOneLineThatSayWhatToDo() throws {
        let missing = try CommandResult.run(
            try DaemonProcess.binary("mlgymctl"), ["ls"], environment: ["MLGYM_SOCKET": "/tmp/no-such-mlgymd.sock"])
        #expect(missing.status != 0)
        #expect(missing.errorOutput == "mlgymctl: cannot reach mlgymd at /tmp/no-such-mlgymd.sock (is it running? start it with 'systemctl start mlgymd' or set MLGYM_SOCKET)\n")
        let badFlag = try CommandResult.run(try DaemonProcess.binary("mlgymctl"), ["start", "--memory", "lots"])
        #expect(badFlag.status != 0)
        #expect(badFlag.errorOutput.hasPrefix("mlgymctl: "))
        #expect(badFlag.errorOutput.split(separator: "\n").count == 1)
        let noCommand = try CommandResult.run(try DaemonProcess.binary("mlgymctl"), ["exec", "abc"])
        #expect(noCommand.errorOutput.contains("give the command after --"))
    }
}
