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

    /// The light mlgymctl runs exec itself; whatever the command prints and however it ends, the bytes, the exit
    /// code and the messages are the full client's.
    @Test func theLightAndFullClientsExecAlike() throws {
        let daemon = try DaemonProcess()
        defer { daemon.finish() }
        let session = try daemon.client.createSession(SessionSpec(name: "alike"))
        let light = try DaemonProcess.binary("mlgymctl"), full = try DaemonProcess.binary("mlgymctl-full")
        let cases: [[String]] = [
            ["exec", "alike", "--", "head -c 1000000 /dev/zero | tr '\\0' x; echo; printf 'caf\\xc3\\xa9 \\xff \\033[2J tab\\t\\n'; echo err >&2; exit 7"],
            ["exec", "--timeout=0.3", "alike", "--", "sleep", "5"],
            ["exec", "no-such-session", "--", "true"],
            ["exec", "alike", "--timeout", "-1", "--", "true"],
            ["exec", "alike"],
        ]
        for arguments in cases {
            let environment = ["MLGYM_SOCKET": daemon.socketPath]
            let fromLight = try CommandResult.run(light, arguments, environment: environment)
            let fromFull = try CommandResult.run(full, arguments, environment: environment)
            #expect(fromLight.status == fromFull.status, "\(arguments)")
            #expect(fromLight.output == fromFull.output, "\(arguments): \(fromLight.output.count) against \(fromFull.output.count) characters")
            #expect(fromLight.errorOutput == fromFull.errorOutput, "\(arguments)")
        }
        let big = try CommandResult.run(light, cases[0], environment: ["MLGYM_SOCKET": daemon.socketPath])
        #expect(big.status == 7 && big.output.hasPrefix(String(repeating: "x", count: 1_000_000) + "\n"))
        // Without a daemon the light client hands over to the full one, which says what to do.
        let unreachable = try CommandResult.run(light, ["exec", "alike", "--", "true"], environment: ["MLGYM_SOCKET": "/tmp/no-such-mlgymd.sock"])
        #expect(unreachable.errorOutput.hasPrefix("mlgymctl: cannot reach mlgymd at /tmp/no-such-mlgymd.sock"))
        _ = session
    }

    @Test func everyVerbHasHelp() throws {
        for verb in ["start", "status", "ls", "attach", "exec", "logs", "stop", "rm", "report"] {
            let help = try CommandResult.run(try DaemonProcess.binary("mlgymctl"), [verb, "--help"])
            #expect(help.status == 0, "\(verb)")
            #expect(help.output.contains("USAGE: mlgymctl \(verb)"), "\(verb): \(help.output)")
        }
        // The light client hands --version to the full one; both say the daemon's version.
        let version = try CommandResult.run(try DaemonProcess.binary("mlgymctl"), ["--version"])
        #expect(version.status == 0 && version.output == WireCoding.mlgymVersion + "\n", "\(version.output)\(version.errorOutput)")
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
