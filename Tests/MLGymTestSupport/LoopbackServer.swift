import Foundation
import Glibc

/// A Python server on 127.0.0.1 that the tests start (a fake model API, a fake dataset hub): it is given a file
/// to write its port to, and is stopped with SIGTERM when the test lets go of it.
public final class LoopbackServer: @unchecked Sendable {
    public let directory: TemporaryTaskRoot
    public let process: ChildProcess
    public let port: Int

    /// Starts `/usr/bin/python3 script arguments… ` with `{port}` in the arguments replaced by the port file's
    /// path, and waits (up to 10 s) until the server has written its port there.
    public init(script: String, arguments: [String], directory: TemporaryTaskRoot) throws {
        self.directory = directory
        let portFile = directory.path + "/port"
        process = try ChildProcess(
            "/usr/bin/python3", [script] + arguments.map { $0 == "{port}" ? portFile : $0 },
            environment: ["PATH": "/usr/bin:/bin"], logPath: directory.path + "/log")
        var port = 0
        for _ in 0..<400 where port == 0 {
            port = Int((try? String(contentsOfFile: portFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
            if port == 0 { usleep(25_000) }
        }
        guard port > 0 else {
            kill(process.pid, SIGKILL)
            _ = process.wait()
            throw TemporaryTaskRootError(message: "\(script) did not start: \((try? String(contentsOfFile: directory.path + "/log", encoding: .utf8)) ?? "")")
        }
        self.port = port
    }

    public func stop() {
        if process.isRunning {
            kill(process.pid, SIGTERM)
            _ = process.wait()
        }
    }

    deinit {
        stop()
        directory.remove()
    }
}
