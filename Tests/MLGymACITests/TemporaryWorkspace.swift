import Foundation
import Testing

@testable import MLGymACI

/// A scratch working directory and a separate state directory for one test, so tests can run in parallel.
struct TemporaryWorkspace {
    /// The agent's working directory (canonical path, so it can be compared with the viewer's realpath output).
    let root: String
    /// Where `viewer.json` goes; outside `root` so that searches of the workspace never see it.
    let stateDirectory: String
    var window = 10
    var overlap = 2
    var python = "/usr/bin/python3"
    var lastAction: String?

    init() throws {
        let base = NSTemporaryDirectory() + "mlgym-aci-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: base + "/work", withIntermediateDirectories: true)
        let canonical = try #require(FileSystem.realPath(base))
        root = canonical + "/work"
        stateDirectory = canonical + "/state"
    }

    var environment: ACIEnvironment {
        ACIEnvironment(
            stateDirectory: stateDirectory, workingDirectory: root, window: window, overlap: overlap, python: python,
            lastAction: lastAction)
    }

    func path(_ relative: String) -> String { root + "/" + relative }

    func write(_ relative: String, _ text: String) throws {
        let url = URL(fileURLWithPath: path(relative))
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func write(_ relative: String, bytes: [UInt8]) throws {
        let url = URL(fileURLWithPath: path(relative))
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }

    func read(_ relative: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: path(relative))), as: UTF8.self)
    }

    /// Writes a file of `count` lines, `line 1` … `line <count>`.
    func writeNumberedLines(_ relative: String, count: Int) throws {
        try write(relative, (1...count).map { "line \($0)" }.joined(separator: "\n") + "\n")
    }

    @discardableResult
    func run(_ command: ACICommand, _ arguments: String..., input: String? = nil) -> ACIToolResult {
        ACITool.run(command, arguments: arguments, standardInput: input, environment: environment)
    }

    var state: ViewerState { ViewerStateStore(directory: stateDirectory).load() }

    func remove() {
        try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: root).deletingLastPathComponent().path)
    }

    /// The window lines `from…to` of a file written by ``writeNumberedLines(_:count:)``, as the viewer prints them.
    static func body(_ range: ClosedRange<Int>) -> String {
        range.map { "\($0):line \($0)" }.joined(separator: "\n")
    }

    static var hasPython: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") }
}
