import Foundation
import Glibc
import MLGymAPI
import MLGymClient
import MLGymTestSupport
import Testing

/// systemd integration without systemd as pid 1: socket activation through `systemd-socket-activate`, readiness
/// through a notify socket of the test's own, and `systemd-analyze verify` on the shipped units.
@Suite(.serialized) struct SystemdTests {
    @Test func servesASocketPassedBySocketActivation() throws {
        let tool = "/usr/bin/systemd-socket-activate"
        try #require(FileManager.default.isExecutableFile(atPath: tool), "systemd-socket-activate is missing: apt-get install systemd (scripts/setup does)")
        let daemon = try DaemonProcess()
        daemon.terminate()
        defer { daemon.finish() }
        let socketPath = daemon.directory + "/activated.sock"
        // The daemon is told a different --socket path: serving the activated one proves it took fd 3.
        let process = try ChildProcess(
            tool, ["-l", socketPath, try DaemonProcess.binary("mlgymd")] + daemon.arguments,
            environment: ProcessInfo.processInfo.environment, logPath: daemon.directory + "/activated.log")
        defer {
            kill(process.pid, SIGTERM)
            process.wait()
        }
        for _ in 0..<600 where !FileManager.default.fileExists(atPath: socketPath) { usleep(50_000) }
        let client = APIClient(socketPath: socketPath)
        var info: DaemonInfo?
        for _ in 0..<600 where info == nil {
            info = try? client.info()
            if info == nil { usleep(50_000) }
        }
        #expect(info?.pid == process.pid)
        #expect(!FileManager.default.fileExists(atPath: daemon.socketPath))
        let session = try client.createSession(SessionSpec())
        #expect(try client.exec(session.id, ExecRequest(command: "echo activated")).output == "activated\n")
    }

    @Test func reportsReadyAndStoppingOnTheNotifySocket() throws {
        let daemon = try DaemonProcess()
        daemon.terminate()
        defer { daemon.finish() }
        let notifyPath = daemon.directory + "/notify.sock"
        let receiver = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(receiver) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in notifyPath.utf8.enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(receiver, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(bound == 0)
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(receiver, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        func receive() -> String {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = buffer.withUnsafeMutableBytes { recv(receiver, $0.baseAddress, $0.count, 0) }
            return count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : ""
        }
        try daemon.start(environment: ["NOTIFY_SOCKET": notifyPath])
        let ready = receive()
        #expect(ready.contains("READY=1"))
        #expect(ready.contains("MAINPID=\(daemon.pid)"))
        kill(daemon.pid, SIGTERM)
        #expect(receive().contains("STOPPING=1"))
        #expect(daemon.terminate() == 0)
    }

    @Test func shippedUnitsPassSystemdAnalyzeVerify() throws {
        let script = DaemonProcess.packageRoot + "/scripts/check-units"
        let result = try CommandResult.run(script, [])
        #expect(result.status == 0, "scripts/check-units: \(result.output) \(result.errorOutput)")
    }
}
