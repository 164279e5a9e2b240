import Foundation
import Glibc
import MLGymAPI
import MLGymClient
import MLGymTestSupport

/// A real `mlgymd` (the built binary) on a temporary socket, state and runtime directory: what every end-to-end
/// test drives, with mlgymctl, the API client or raw HTTP. Killed and its directory removed by `finish()`.
final class DaemonProcess: @unchecked Sendable {
    let directory: String
    var socketPath: String { directory + "/mlgymd.sock" }
    var stateDirectory: String { directory + "/state" }
    var runtimeDirectory: String { directory + "/run" }
    let extraArguments: [String]
    private(set) var process: ChildProcess?
    private let logPath: String

    /// - Parameter prepare: runs with the daemon's directory before it starts (e.g. to mount a file system of
    ///   another kind where its state directory will be).
    init(extraArguments: [String] = [], socketGroup: String = "none", prepare: ((String) throws -> Void)? = nil) throws {
        var template = Array("/tmp/mlgymd-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw TestFailure("mkdtemp failed: errno \(errno)") }
        directory = String(cString: made)
        chmod(directory, 0o755)
        logPath = directory + "/mlgymd.log"
        self.extraArguments = ["--socket-group", socketGroup] + extraArguments
        try prepare?(directory)
        try start()
    }

    var arguments: [String] {
        ["--socket", socketPath, "--state-dir", stateDirectory, "--runtime-dir", runtimeDirectory,
         "--cgroup-parent", "mlgym-test-daemon", "--shutdown-grace", "5"] + extraArguments
    }

    /// Starts the daemon and waits until it answers `GET /v1/info`.
    func start(environment: [String: String] = [:]) throws {
        var merged = ProcessInfo.processInfo.environment
        merged.removeValue(forKey: "NOTIFY_SOCKET")
        merged.removeValue(forKey: "JOURNAL_STREAM")
        merged.removeValue(forKey: "LISTEN_FDS")
        merged.merge(environment) { _, new in new }
        process = try ChildProcess(try Self.binary("mlgymd"), arguments, environment: merged, logPath: logPath)
        try waitUntilAnswering()
    }

    func waitUntilAnswering() throws {
        for _ in 0..<600 {
            if let process, !process.isRunning {
                throw TestFailure("mlgymd exited with \(process.wait()): \(log)")
            }
            if (try? client.info()) != nil { return }
            usleep(50_000)
        }
        throw TestFailure("mlgymd did not answer within 30 s: \(log)")
    }

    var client: APIClient { APIClient(socketPath: socketPath) }
    var pid: Int32 { process?.pid ?? -1 }
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// SIGKILL: the daemon gets no chance to clean up.
    func killHard() {
        guard let process, process.isRunning else { return }
        kill(process.pid, SIGKILL)
        process.wait()
    }

    /// SIGTERM, then waits for the exit; returns the exit status.
    @discardableResult
    func terminate() -> Int32 {
        guard let process else { return -1 }
        if process.isRunning { kill(process.pid, SIGTERM) }
        return process.wait()
    }

    /// Stops the daemon (gracefully) and removes its directory.
    func finish() {
        terminate()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs the built mlgymctl against this daemon.
    func ctl(_ arguments: [String], environment: [String: String] = [:]) throws -> CommandResult {
        try CommandResult.run(try Self.binary("mlgymctl"), arguments, environment: ["MLGYM_SOCKET": socketPath].merging(environment) { _, new in new })
    }

    /// A product of this package's build, next to the test binary.
    static func binary(_ name: String) throws -> String {
        var candidates: [String] = []
        if let first = CommandLine.arguments.first {
            var directory = URL(fileURLWithPath: first).deletingLastPathComponent()
            while directory.path.contains(".xctest") { directory = directory.deletingLastPathComponent() }
            candidates.append(directory.appendingPathComponent(name).path)
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/\(name)").path)
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw TestFailure("\(name) is not built (looked at \(candidates)); run swift build")
        }
        return found
    }

    static var packageRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
