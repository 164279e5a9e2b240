import Foundation

/// Runs the built `mlgymctl` binary, as a person would, and collects what it printed.
struct MLGymCtlProcess {
    struct Result {
        let status: Int32
        let standardOutput: String
        let standardError: String
    }

    /// The package root, from this file's path (Tests/MLGymCommandsTests/<file>).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The example v1 scores shipped in docs/examples.
    static let v1Scores = packageRoot.appendingPathComponent("docs/examples/mlgym-v1-scores.csv").path
    static let v1Costs = packageRoot.appendingPathComponent("docs/examples/mlgym-v1-costs.csv").path

    /// `mlgymctl` next to the test bundle (the build directory), else in .build/debug.
    static func binary() throws -> URL {
        var candidates: [URL] = []
        if let first = CommandLine.arguments.first {
            var directory = URL(fileURLWithPath: first).deletingLastPathComponent()
            // On Linux the bundle is the test executable itself; on macOS it lives inside an .xctest bundle.
            while directory.path.contains(".xctest") { directory = directory.deletingLastPathComponent() }
            candidates.append(directory.appendingPathComponent("mlgymctl"))
        }
        candidates.append(packageRoot.appendingPathComponent(".build/debug/mlgymctl"))
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw BinaryMissing(searched: candidates.map(\.path))
        }
        return found
    }

    struct BinaryMissing: Error, CustomStringConvertible {
        let searched: [String]
        var description: String { "mlgymctl not built (looked at \(searched.joined(separator: ", "))); run swift build" }
    }

    static func run(_ arguments: [String]) throws -> Result {
        try runExecutable(try binary(), arguments)
    }

    /// Runs any executable, reading its output on other threads so a full pipe cannot block it.
    static func runExecutable(_ executable: URL, _ arguments: [String], currentDirectory: URL? = nil) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let collected = Collected()
        let group = DispatchGroup()
        for (pipe, isOutput) in [(output, true), (error, false)] {
            group.enter()
            DispatchQueue.global().async {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                collected.set(data, isOutput: isOutput)
                group.leave()
            }
        }
        process.waitUntilExit()
        group.wait()
        return Result(
            status: process.terminationStatus, standardOutput: String(decoding: collected.output, as: UTF8.self),
            standardError: String(decoding: collected.error, as: UTF8.self))
    }

    final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var output = Data()
        private(set) var error = Data()

        func set(_ data: Data, isOutput: Bool) {
            lock.lock()
            defer { lock.unlock() }
            if isOutput { output = data } else { error = data }
        }
    }

    /// A fresh temporary directory for one test's files.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mlgymctl-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
