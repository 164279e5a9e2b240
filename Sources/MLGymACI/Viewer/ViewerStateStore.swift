import Glibc
import MLGymToolSupport

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
        guard let bytes = try? FileIO.read(path), let document = try? JSONParser.parse(bytes) else { return ViewerState() }
        return ViewerState(json: document)
    }

    /// Saves `state`, creating the directory (mode 0700) if needed.
    public func save(_ state: ViewerState) throws(ViewerStateError) {
        try ensureDirectory()
        let temporary = "\(directory)/.viewer.json.\(getpid()).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else { throw ViewerStateError(path: temporary, reason: FileSystem.errnoText()) }
        do {
            try FileIO.writeAll(descriptor, Array(JSONWriter.text(state.json).utf8))
            close(descriptor)
        } catch {
            close(descriptor)
            unlink(temporary)
            throw ViewerStateError(path: temporary, reason: error.reason)
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
            try FileIO.makeDirectories(directory, mode: 0o700)
        } catch {
            throw ViewerStateError(path: directory, reason: error.reason)
        }
    }
}

/// The viewer state could not be saved.
public struct ViewerStateError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public var description: String { "cannot save the viewer state in \(path): \(reason)" }
}
