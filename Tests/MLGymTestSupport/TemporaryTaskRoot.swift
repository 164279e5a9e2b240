import Foundation
import Glibc

/// A task root in a temporary directory, laid out like an MLGym checkout (`configs/tasks`, `data/…`), for tests
/// that need tasks of their own.
public struct TemporaryTaskRoot: Sendable {
    public let path: String

    public init() throws {
        var template = Array("/tmp/mlgym-tasks-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw TemporaryTaskRootError(message: "mkdtemp failed: errno \(errno)") }
        path = String(cString: made)
        chmod(path, 0o755)
    }

    /// Writes `text` to `relative`, making its directories.
    public func write(_ relative: String, _ text: String) throws {
        let file = path + "/" + relative
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
    }

    public func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// A failure of the test support itself (a temporary directory or a child that could not be made).
struct TemporaryTaskRootError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
