import Foundation
import Synchronization

/// Answers with the responses of a recorded trajectory, one per call, in order: demos, regression tests, and
/// re-running a published run. A format-error retry consumes a response like any other call, as it did when the
/// trajectory was recorded.
public final class ReplayProvider: ModelProvider {
    private let responses: [String]
    private let next = Mutex(0)

    public init(responses: [String]) {
        self.responses = responses
    }

    /// Skips the responses of steps already taken (when a run is resumed).
    public func skip(_ count: Int) {
        next.withLock { $0 = min(responses.count, $0 + count) }
    }

    public func complete(_ messages: [ChatMessage]) async throws(ModelError) -> ModelReply {
        let index = next.withLock { value in
            defer { value += 1 }
            return value
        }
        guard index < responses.count else {
            throw .exhausted("the replayed trajectory has no more actions (it had \(responses.count))")
        }
        return ModelReply(text: responses[index])
    }
}

/// Reads the model responses out of a trajectory file: mlgym's export or MLGym's own `.traj` (the same shape).
public enum ReplayTrajectory {
    private struct File: Decodable {
        struct Step: Decodable {
            var response: String?
            var thought: String?
            var action: String?
        }
        var trajectory: [Step]
    }

    public static func responses(from data: Data) throws -> [String] {
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: data)
        } catch {
            throw ReplayError("not a trajectory (a JSON object with a 'trajectory' list of steps): \(error)")
        }
        guard !file.trajectory.isEmpty else { throw ReplayError("the trajectory has no steps") }
        return try file.trajectory.enumerated().map { index, step in
            if let response = step.response, !response.isEmpty { return response }
            // Older files keep only the parsed parts: rebuild a reply the parser accepts.
            guard let action = step.action else { throw ReplayError("step \(index + 1) has neither a response nor an action") }
            return (step.thought ?? "") + "\n```\n" + action + "\n```\n"
        }
    }

    public struct ReplayError: Error, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }
}
