import Foundation
import Glibc

/// A finished command's exit status and output.
public struct CommandResult: Sendable {
    public var status: Int32
    public var output: String
    public var errorOutput: String

    /// Runs `executable` to its end (killed after 120 s, so a hang fails its test instead of the whole run),
    /// reading its output on other threads so that a full pipe cannot block it.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], input: FileHandle? = nil,
        currentDirectory: String? = nil
    ) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = input ?? FileHandle.nullDevice
        try process.run()
        // A hung client fails its test instead of holding the whole run.
        let watchdog = DispatchWorkItem { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 120, execute: watchdog)
        defer { watchdog.cancel() }
        let collected = Collected()
        let group = DispatchGroup()
        for (pipe, isOutput) in [(output, true), (errors, false)] {
            group.enter()
            DispatchQueue.global().async {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                collected.set(data, isOutput: isOutput)
                group.leave()
            }
        }
        process.waitUntilExit()
        group.wait()
        return CommandResult(
            status: process.terminationStatus, output: String(decoding: collected.output, as: UTF8.self),
            errorOutput: String(decoding: collected.errors, as: UTF8.self))
    }

    private final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var output = Data()
        private(set) var errors = Data()
        func set(_ data: Data, isOutput: Bool) {
            lock.lock()
            defer { lock.unlock() }
            if isOutput { output = data } else { errors = data }
        }
    }
}
