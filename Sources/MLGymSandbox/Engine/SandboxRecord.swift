import Foundation
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

    func write(to directory: String) throws(MLGymError) {
        do {
            let data = try JSONEncoder().encode(self)
            let path = directory + "/" + Self.fileName
            try data.write(to: URL(fileURLWithPath: path + ".tmp"))
            _ = rename(path + ".tmp", path)
        } catch {
            throw MLGymError(.system, "cannot write the sandbox record in \(directory): \(error)")
        }
    }

    static func read(from directory: String) -> SandboxRecord? {
        guard let data = FileManager.default.contents(atPath: directory + "/" + fileName) else { return nil }
        return try? JSONDecoder().decode(SandboxRecord.self, from: data)
    }
}
