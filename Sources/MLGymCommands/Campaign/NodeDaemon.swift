import Foundation
import Glibc
import MLGymClient
import MLGymCore

/// The mlgymd a Slurm element runs its run in: the node's system daemon when it has one, otherwise one started
/// for this element alone, as the job's user, inside the job's allocation (rootless when that user is not root),
/// with its socket, state and runtime directory in a private directory that is removed at the end.
final class NodeDaemon {
    enum Mode: String, CaseIterable {
        case auto, system, `private`
    }

    let client: APIClient
    /// `system` or `private`.
    let kind: String
    private let process: Process?
    /// Signalled once when the private daemon exits (its termination handler), so a stop waits for the exit
    /// with a time limit instead of polling.
    private let exited: DispatchSemaphore?
    private let directory: String?
    /// How the private daemon was started, to start it once more for its clean-up after it died.
    private let relaunch: (mlgymd: String, arguments: [String])?

    private init(
        client: APIClient, kind: String, process: Process?, exited: DispatchSemaphore? = nil, directory: String?,
        relaunch: (mlgymd: String, arguments: [String])? = nil
    ) {
        self.client = client
        self.kind = kind
        self.process = process
        self.exited = exited
        self.directory = directory
        self.relaunch = relaunch
    }

    /// The system daemon (auto, system) or a new private one (auto without a system daemon, private).
    static func connect(_ mode: Mode, mlgymd: String?, arguments: [String]) throws(MLGymError) -> NodeDaemon {
        if mode != .private {
            let socket = APIClient.defaultSocketPath
            let client = APIClient(socketPath: socket)
            if FileManager.default.fileExists(atPath: socket), (try? client.info()) != nil {
                return NodeDaemon(client: client, kind: "system", process: nil, directory: nil)
            }
            if mode == .system {
                throw MLGymError(.system, "no mlgymd answers on \(socket) on \(ProcessInfo.processInfo.hostName) (use --daemon auto to start one for the run)")
            }
        }
        return try startPrivate(mlgymd: mlgymd ?? sibling("mlgymd"), arguments: arguments)
    }

    private static func startPrivate(mlgymd: String, arguments: [String]) throws(MLGymError) -> NodeDaemon {
        guard FileManager.default.isExecutableFile(atPath: mlgymd) else {
            throw MLGymError(.notFound, "mlgymd is not at \(mlgymd) (give --mlgymd PATH)")
        }
        return try startPrivate(mlgymd: mlgymd, arguments: arguments, in: try privateDirectory())
    }

    /// Starts mlgymd on `directory` (a new one, or a dead daemon's, which it then cleans up at start).
    private static func startPrivate(mlgymd: String, arguments: [String], in directory: String) throws(MLGymError) -> NodeDaemon {
        let socket = directory + "/mlgymd.sock"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: mlgymd)
        process.arguments = ["--socket", socket, "--state-dir", directory + "/state", "--runtime-dir", directory + "/run", "--socket-group", "none"] + arguments
        var environment = ProcessInfo.processInfo.environment
        // Not the daemon of a systemd unit, even if the job inherited one's variables.
        for name in ["NOTIFY_SOCKET", "LISTEN_FDS", "LISTEN_PID", "MLGYM_SOCKET"] { environment[name] = nil }
        process.environment = environment
        if !FileManager.default.fileExists(atPath: directory + "/mlgymd.log") {
            _ = FileManager.default.createFile(atPath: directory + "/mlgymd.log", contents: nil)
        }
        process.standardError = FileHandle(forWritingAtPath: directory + "/mlgymd.log")
        _ = try? (process.standardError as? FileHandle)?.seekToEnd()
        process.standardOutput = process.standardError
        process.standardInput = FileHandle.nullDevice
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do {
            try process.run()
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw MLGymError(.system, "cannot start \(mlgymd): \((error as NSError).localizedDescription)")
        }
        let daemon = NodeDaemon(
            client: APIClient(socketPath: socket), kind: "private", process: process, exited: exited, directory: directory,
            relaunch: (mlgymd, arguments))
        for _ in 0..<1200 {
            if !process.isRunning {
                let log = daemon.log ?? ""
                daemon.shutdown()
                throw MLGymError(.system, "mlgymd exited with status \(process.terminationStatus) at start: \(log.suffix(2000))")
            }
            if (try? daemon.client.info()) != nil { return daemon }
            usleep(50_000)
        }
        let log = daemon.log ?? ""
        daemon.shutdown()
        throw MLGymError(.timeout, "mlgymd did not answer within 60 s: \(log.suffix(2000))")
    }

    /// A directory of its own on node-local disk (SQLite's WAL does not work on NFS), with a socket path short
    /// enough for a Unix socket (108 bytes).
    private static func privateDirectory() throws(MLGymError) -> String {
        let environment = ProcessInfo.processInfo.environment
        let tag = environment["SLURM_JOB_ID"].map { "job\($0)" } ?? "pid\(getpid())"
        var bases = ["/tmp"]
        if let tmp = environment["TMPDIR"], tmp.hasPrefix("/"), tmp.utf8.count < 60 { bases.insert(tmp, at: 0) }
        for base in bases {
            var template = Array("\(base)/mlgym-\(tag)-XXXXXX".utf8CString)
            if let made = mkdtemp(&template) { return String(cString: made) }
        }
        throw MLGymError(.system, "cannot make a directory for mlgymd under \(bases.joined(separator: " or ")): \(String(cString: strerror(errno)))")
    }

    /// A program installed beside this mlgymctl.
    static func sibling(_ name: String) -> String {
        let path = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(name).path
    }

    /// The private daemon's log so far.
    var log: String? {
        directory.flatMap { try? String(contentsOfFile: $0 + "/mlgymd.log", encoding: .utf8) }
    }

    /// Stops a private daemon (SIGTERM: it stops its sessions and cleans up) and removes its directory. A daemon
    /// that died on its own (the OOM killer, a signal) or had to be killed left its sandboxes' cgroups, volume
    /// mounts and loop devices behind: it is started once more on the same directory, which it cleans up as any
    /// mlgymd does at start, and stopped again, before the directory goes.
    func shutdown() {
        guard let process else { return }
        let cleanExit = process.isRunning && terminate() && process.terminationReason == .exit && process.terminationStatus == 0
        guard let directory else { return }
        if !cleanExit, let relaunch {
            FileHandle.standardError.write(Data("mlgymctl: the element's mlgymd did not stop cleanly; starting it once more to clean up its sandboxes\n".utf8))
            _ = (try? Self.startPrivate(mlgymd: relaunch.mlgymd, arguments: relaunch.arguments, in: directory))?.terminate()
        }
        // Never through a mount a dead daemon left: rm stays on the directory's own file system.
        _ = try? HostTool.run("rm", ["-rf", "--one-file-system", "--", directory])
    }

    /// SIGTERM, up to 60 s for the daemon to stop its sessions, then SIGKILL; true when SIGTERM was enough.
    @discardableResult
    private func terminate() -> Bool {
        guard let process, let exited, process.isRunning else { return false }
        kill(process.processIdentifier, SIGTERM)
        let stopped = exited.wait(timeout: .now() + .seconds(60)) == .success
        if !stopped { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return stopped
    }
}
