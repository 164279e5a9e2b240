import Foundation
import MLGymAPI
import MLGymClient
import MLGymCore
import MLGymTestSupport
import Testing

/// `mlgymctl attach` on a pseudo-terminal: the session's own shell, interactive, detachable, shared.
@Suite(.serialized) struct AttachTests {
    @Test func attachTypeResizeDetachAndReattach() throws {
        let daemon = try DaemonProcess()
        defer { daemon.finish() }
        let session = try daemon.client.createSession(SessionSpec(name: "tty"))
        _ = try daemon.client.exec(session.id, ExecRequest(command: "cd /tmp && export MARK=agent-set"))
        let mlgymctl = try DaemonProcess.binary("mlgymctl")
        let environment = ["MLGYM_SOCKET": daemon.socketPath]

        let terminal = try TerminalSession(mlgymctl, ["attach", "tty"], environment: environment, rows: 30, cols: 100)
        #expect(terminal.waitFor("agent@mlgym:/tmp$ "), "no prompt: \(terminal.output)")
        // The same shell the agent's commands ran in: its directory and variables are there.
        terminal.type("echo $MARK $((6*7)); stty size; tty\r")
        #expect(terminal.waitFor("agent-set 42"), "\(terminal.output)")
        #expect(terminal.waitFor("30 100"), "\(terminal.output)")
        #expect(terminal.waitFor("/dev/pts/"), "\(terminal.output)")
        // While a person has the shell, the agent's exec is refused rather than mixed into their terminal.
        #expect(throws: MLGymError.self) { try daemon.client.exec(session.id, ExecRequest(command: "true")) }
        #expect(try daemon.client.session(session.id).attachedClients == 1)
        // Detach with ctrl-p ctrl-q while a command runs in the foreground.
        terminal.type("sleep 1000\r")
        terminal.type([0x10, 0x11])
        #expect(terminal.waitForExit() == 0)
        #expect(terminal.output.contains("detached from tty"))

        // The agent has its shell back: raw, no echo, no prompt, and its state intact.
        let back = try daemon.client.exec(session.id, ExecRequest(command: "echo $PWD $MARK"))
        #expect(back.output == "/tmp agent-set\n")
        #expect(try daemon.client.session(session.id).attachedClients == 0)

        let again = try TerminalSession(mlgymctl, ["attach", session.id], environment: environment)
        #expect(again.waitFor("agent@mlgym:/tmp$ "))
        again.type("exit\r")
        #expect(again.waitForExit() == 0)
        #expect(again.output.contains("shell ended"))
        // A fresh shell serves the next command.
        #expect(try daemon.client.exec(session.id, ExecRequest(command: "echo fresh")).output == "fresh\n")
    }

    @Test func twoTerminalsShareTheShell() throws {
        let daemon = try DaemonProcess()
        defer { daemon.finish() }
        _ = try daemon.client.createSession(SessionSpec(name: "shared"))
        let mlgymctl = try DaemonProcess.binary("mlgymctl")
        let environment = ["MLGYM_SOCKET": daemon.socketPath]
        let first = try TerminalSession(mlgymctl, ["attach", "shared"], environment: environment)
        #expect(first.waitFor("$ "))
        let second = try TerminalSession(mlgymctl, ["attach", "shared"], environment: environment)
        var attached = 0
        for _ in 0..<600 where attached < 2 {
            attached = try daemon.client.session("shared").attachedClients ?? 0
            usleep(50_000)
        }
        #expect(attached == 2)
        second.type("echo from-second\r")
        #expect(first.waitFor("from-second"), "the first terminal did not see the second's command: \(first.output)")
        second.type([0x10, 0x11])
        #expect(second.waitForExit() == 0)
        // The first is still attached and still has the shell.
        first.type("echo still-here\r")
        #expect(first.waitFor("still-here", count: 2))
        first.type([0x10, 0x11])
        #expect(first.waitForExit() == 0)
    }

    @Test func attachToAnUnknownOrStoppedSessionFailsClearly() throws {
        let daemon = try DaemonProcess()
        defer { daemon.finish() }
        let unknown = try daemon.ctl(["attach", "nope"])
        #expect(unknown.status != 0)
        #expect(unknown.errorOutput.contains("no session 'nope'"))
        let session = try daemon.client.createSession(SessionSpec(name: "gone"))
        _ = try daemon.client.stopSession(session.id)
        let stopped = try daemon.ctl(["attach", "gone"])
        #expect(stopped.errorOutput.contains("not running"))
    }

    /// `attach --watch` on the session an agent run drives (a plain attach is refused there): the output of the
    /// run's action reaches the watcher, and the action ran, so watching did not take the shell.
    @Test func aWatcherSeesAnAgentRunsOutputWithoutTakingTheShell() throws {
        let daemon = try DaemonProcess()
        defer { daemon.finish() }
        let run = try #require(try daemon.client.startRuns(RunRequest(task: "prisonersDilemma", model: "human")).runs.first?.id)
        for _ in 0..<400 where try !daemon.client.run(run).awaitingInput { usleep(50_000) }
        let session = try #require(try daemon.client.run(run).session)
        let refused = try daemon.ctl(["attach", session])
        #expect(refused.status != 0 && refused.errorOutput.contains("driven by agent run"), "\(refused.errorOutput)")

        let log = daemon.directory + "/watch.log"
        let watcher = try ChildProcess(
            try DaemonProcess.binary("mlgymctl"), ["attach", "--watch", session], environment: ["MLGYM_SOCKET": daemon.socketPath],
            logPath: log)
        // mlgymd logs the watch once its observer is in place.
        for _ in 0..<400 where !daemon.log.contains("watches session \(session)") { usleep(50_000) }
        #expect(daemon.log.contains("watches session \(session)"), "\(daemon.log.suffix(2000))")
        try daemon.client.sendRunInput(run, action: "echo watched-$((20+22))-by-cli")
        var seen = ""
        for _ in 0..<200 where !seen.contains("watched-42-by-cli") {
            seen = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            usleep(50_000)
        }
        #expect(seen.contains("watched-42-by-cli"), "\(seen)")
        for _ in 0..<200 where try daemon.client.trajectory(run).steps.isEmpty { usleep(50_000) }
        #expect(try daemon.client.trajectory(run).steps.first?.observation.contains("watched-42-by-cli") == true)
        kill(watcher.pid, SIGINT)
        _ = watcher.wait()
        _ = try? daemon.client.stopRun(run)
    }
}
