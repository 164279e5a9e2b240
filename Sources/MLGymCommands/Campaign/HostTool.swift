import Dispatch
import Foundation
import MLGymCore

/// A host program mlgymctl asks (sbatch, squeue, sacct), run to its end with its output collected.
enum HostTool {
    struct Result {
        var status: Int32
        var output: String
        var errors: String
    }

    /// The program's path on PATH, or nil when it is not installed.
    static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static func run(_ name: String, _ arguments: [String]) throws(MLGymError) -> Result {
        guard let executable = find(name) else {
            throw MLGymError(.notFound, "\(name) is not on PATH (run this on a host of the Slurm cluster, or install slurm-client)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw MLGymError(.system, "cannot run \(executable): \((error as NSError).localizedDescription)")
        }
        // Read both before waiting, so a full pipe cannot stall the program.
        let errorData = Locked<Data>(Data())
        let reading = DispatchGroup()
        reading.enter()
        DispatchQueue.global().async {
            errorData.set(errors.fileHandleForReading.readDataToEndOfFile())
            reading.leave()
        }
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        reading.wait()
        return Result(
            status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
            errors: String(decoding: errorData.value, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// A value written by another thread.
    final class Locked<Value>: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: Value
        init(_ value: Value) { stored = value }
        func set(_ value: Value) {
            lock.lock()
            stored = value
            lock.unlock()
        }
        var value: Value {
            lock.lock()
            defer { lock.unlock() }
            return stored
        }
    }
}
