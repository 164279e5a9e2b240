import Foundation
import MLGymTestSupport

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
    static let colmScores = packageRoot.appendingPathComponent("docs/examples/mlgym-colm-scores.csv").path
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

    /// Runs any executable (see `CommandResult.run`).
    static func runExecutable(_ executable: URL, _ arguments: [String], currentDirectory: URL? = nil) throws -> Result {
        let result = try CommandResult.run(executable.path, arguments, currentDirectory: currentDirectory?.path)
        return Result(status: result.status, standardOutput: result.output, standardError: result.errorOutput)
    }

    /// A fresh temporary directory for one test's files.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mlgymctl-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
