import Foundation
import Glibc

/// Reads and writes ``ViewerState`` as `viewer.json` in the state directory.
///
/// Writes go to a temporary file in the same directory and are renamed over `viewer.json`, so a command killed
/// half-way (the agent's time-out) leaves the previous state rather than a truncated file.
public struct ViewerStateStore: Sendable {
    /// The directory holding `viewer.json`.
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    public var path: String { directory + "/viewer.json" }

    /// The saved state; a fresh one (no open file) when there is none or it cannot be read.
    public func load() -> ViewerState {
        guard let data = FileManager.default.contents(atPath: path),
            let state = try? JSONDecoder().decode(ViewerState.self, from: data)
        else { return ViewerState() }
        return state
    }

    /// Saves `state`, creating the directory (mode 0700) if needed.
    public func save(_ state: ViewerState) throws(ViewerStateError) {
        try ensureDirectory()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data: Data
        do { data = try encoder.encode(state) } catch { throw ViewerStateError(path: path, reason: "\(error)") }
        let temporary = "\(directory)/.viewer.json.\(getpid()).tmp"
        do {
            try data.write(to: URL(fileURLWithPath: temporary))
        } catch {
            throw ViewerStateError(path: temporary, reason: FileSystem.reason(error))
        }
        guard rename(temporary, path) == 0 else {
            let reason = FileSystem.errnoText()
            unlink(temporary)
            throw ViewerStateError(path: path, reason: reason)
        }
    }

    /// Creates the state directory, readable only by its owner, if it does not exist yet.
    func ensureDirectory() throws(ViewerStateError) {
        guard FileSystem.kind(directory) != .directory else { return }
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw ViewerStateError(path: directory, reason: FileSystem.reason(error))
        }
    }
}

/// The viewer state could not be saved.
public struct ViewerStateError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public var description: String { "cannot save the viewer state in \(path): \(reason)" }
}
