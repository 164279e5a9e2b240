import Foundation
import MLGymAPI
import MLGymAgent
import MLGymCore

/// Reads an MLGym agent config and every file it names, where the user can read them, for the run request
/// (mlgymd reads no path a client names).
enum AgentConfigFiles {
    static func read(_ path: String) throws -> RunRequest.AgentConfigSource {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw MLGymError(.notFound, "cannot read the agent config \(path)")
        }
        let text = String(decoding: data, as: UTF8.self)
        var files: [String: String] = [:]
        for reference in try MLGymAgentConfig.referencedFiles(in: text) {
            guard let found = locate(reference, from: url.deletingLastPathComponent()),
                  let contents = FileManager.default.contents(atPath: found)
            else {
                throw MLGymError(.notFound, "the agent config \(path) names \(reference), which is neither beside it nor in a directory above it (MLGym resolves it from its checkout's root)")
            }
            files[reference] = String(decoding: contents, as: UTF8.self)
        }
        return RunRequest.AgentConfigSource(name: url.deletingPathExtension().lastPathComponent, text: text, files: files)
    }

    /// An absolute path as it is; a relative one beside the config, then in each directory above it (an MLGym
    /// checkout's configs/agents/x.yaml names tools/… and demonstrations/… relative to the checkout).
    static func locate(_ reference: String, from directory: URL) -> String? {
        if reference.hasPrefix("/") { return FileManager.default.fileExists(atPath: reference) ? reference : nil }
        var current = directory
        while true {
            let candidate = current.appendingPathComponent(reference).path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            let parent = current.deletingLastPathComponent()
            if parent.path == current.path { return nil }
            current = parent
        }
    }
}
