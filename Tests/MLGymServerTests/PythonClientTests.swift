import Foundation
import Glibc
import MLGymTestSupport
import Testing

/// The interpreter CI has (Debian's python3); the client needs nothing beyond its standard library.
private let systemPython = "/usr/bin/python3"

/// The Python client (`clients/python`, package `mlgym_client`) against a real mlgymd: its unittest suite, run by
/// the system's Python with `MLGYM_TEST_SOCKET` naming this daemon, must pass without skipping anything. The
/// suite starts and stops bare sessions, streams exec output (and a stalled stream's dropped marker), lists
/// tasks, validates and submits on the Prisoner's Dilemma through the client and through its MLGym-style
/// environment, replays an agent run, and checks the exceptions for a stopped session, a refused request and a
/// daemon that is gone.
@Suite(.serialized, .enabled(if: FileManager.default.isExecutableFile(atPath: systemPython), "needs /usr/bin/python3"))
struct PythonClientTests {
    /// The whole suite takes about 25 s on an idle host.
    static let limitSeconds = 600.0

    @Test func thePythonClientsTestsPassAgainstARealDaemon() throws {
        let daemon = try DaemonProcess()
        defer { daemon.finish() }
        let client = DaemonProcess.packageRoot + "/clients/python"
        let logPath = daemon.directory + "/python-tests.log"
        var environment = ProcessInfo.processInfo.environment
        environment["MLGYM_TEST_SOCKET"] = daemon.socketPath
        environment["PYTHONPATH"] = client + "/src"
        // No __pycache__ left in the checkout, and output in the order it happened.
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        environment["PYTHONUNBUFFERED"] = "1"
        environment.removeValue(forKey: "MLGYM_SOCKET")
        let child = try ChildProcess(
            systemPython, ["-m", "unittest", "discover", "-s", client + "/tests", "-v"], environment: environment, logPath: logPath)
        let deadline = Date().addingTimeInterval(Self.limitSeconds)
        while child.isRunning, Date() < deadline { usleep(100_000) }
        let timedOut = child.isRunning
        if timedOut { kill(child.pid, SIGKILL) }
        let status = child.wait()
        let output = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "(no output)"
        #expect(!timedOut, "the Python tests ran past \(Int(Self.limitSeconds)) s:\n\(output)")
        #expect(status == 0, "python3 -m unittest exited with \(status):\n\(output)\n--- mlgymd's log:\n\(daemon.log)")
        // A skipped test would pass without testing: every test must have run against the daemon.
        #expect(!output.contains("skipped="), "some Python tests were skipped:\n\(output)")
        #expect(output.contains("\nOK"), "no OK from unittest:\n\(output)")
    }
}
