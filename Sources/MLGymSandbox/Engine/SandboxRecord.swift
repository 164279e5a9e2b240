import Foundation
import Glibc
import MLGymCore

/// What the engine writes next to each running sandbox, so that a later engine can find and remove the sandboxes
/// of a controller that was SIGKILLed (mlgym-init normally takes its sandbox down when the controller's socket
/// closes; the record covers a sandbox stuck before or outside that path).
struct SandboxRecord: Codable, Sendable {
    var id: String
    var initPID: Int32
    var initStartTime: UInt64?
    var controllerPID: Int32
    var controllerStartTime: UInt64?
    var cgroupName: String?
    var volumeMountPoint: String?

    static let fileName = "sandbox.json"
    /// `initPID` of a sandbox whose mlgym-init has not been cloned yet.
    static let notStarted: Int32 = -1

    /// Written with one open/write/rename: it is on the path of every sandbox start.
    func write(to directory: String) throws(MLGymError) {
        let data: Data
        do {
            data = try JSONEncoder().encode(self)
        } catch {
            throw MLGymError(.system, "cannot encode the sandbox record: \(error)")
        }
        let path = directory + "/" + Self.fileName
        let fd = open(path + ".tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw SystemCall.error("cannot write the sandbox record \(path)", errno: errno) }
        let written = data.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == data.count, rename(path + ".tmp", path) == 0 else {
            throw SystemCall.error("cannot write the sandbox record \(path)", errno: errno)
        }
    }

    static func read(from directory: String) -> SandboxRecord? {
        guard let data = FileManager.default.contents(atPath: directory + "/" + fileName) else { return nil }
        return try? JSONDecoder().decode(SandboxRecord.self, from: data)
    }
}
