import Foundation

/// Where an agent's commands run: a session's shell and its evaluations. The daemon implements it over a live
/// session; the loop knows nothing of sandboxes.
public protocol AgentEnvironment: Sendable {
    /// Runs one action in the session's persistent shell.
    func run(_ command: String, limits: CommandLimits) async throws -> CommandOutcome
    /// The open file and working directory, for the footer of the next message.
    func state() async -> AgentState
    /// The final submission the last action made (the agent ran `submit`), if it did.
    func submission() async -> FinalEvaluation?
    /// Evaluates the current artefact as the final submission, for a run that ends without one.
    func autoSubmit(reason: ExitReason) async -> FinalEvaluation
}

/// The session an action was to run in has ended (killed, out of memory, its wall time spent): the run is
/// interrupted, not failed, so it can be resumed in a new session.
public struct EnvironmentGone: Error, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

/// How long one action may run.
public struct CommandLimits: Sendable, Equatable {
    /// The whole action (the task's `training_timeout`).
    public var total: Double
    /// Without any output (an interactive program waiting for input, a hung job).
    public var withoutOutput: Double
    /// MLGym's short limit (25 s) for an action that is not training; nil gives every action `total`.
    public var shortTotal: Double?

    public init(total: Double, withoutOutput: Double, shortTotal: Double? = nil) {
        self.total = total
        self.withoutOutput = withoutOutput
        self.shortTotal = shortTotal
    }

    /// What MLGym counts as training: an action that contains any of these, anywhere (so `cat python_notes.txt`
    /// counts too, as in MLGym).
    public static let trainingMarkers = ["torchrun", "python", "python3", "accelerate", "deepspeed"]

    /// The limits of one action: with a short limit, only training actions get `total`.
    public func applying(to action: String) -> CommandLimits {
        guard let shortTotal, !Self.trainingMarkers.contains(where: action.contains) else {
            return CommandLimits(total: total, withoutOutput: withoutOutput)
        }
        return CommandLimits(total: shortTotal, withoutOutput: min(withoutOutput, shortTotal))
    }
}

/// What an action printed and how it ended.
public struct CommandOutcome: Sendable, Equatable {
    public enum Timeout: Sendable, Equatable {
        case total
        case noOutput
    }

    public var output: String
    public var exitCode: Int32
    public var timeout: Timeout?
    public var durationMs: Int64

    public init(output: String, exitCode: Int32, timeout: Timeout? = nil, durationMs: Int64) {
        self.output = output
        self.exitCode = exitCode
        self.timeout = timeout
        self.durationMs = durationMs
    }
}

/// The footer's facts: MLGym's `state` command output.
public struct AgentState: Codable, Sendable, Equatable {
    public var openFile: String
    public var workingDirectory: String
    /// The memory's lines for the footer, when the run uses memory.
    public var memory: String?
    /// The last action's change to a file as a unified diff (the editor leaves it; see MLGymACI's `EditDiff`), for
    /// people reading the run. Not part of MLGym's `state`, so not encoded with it.
    public var lastEdit: String? = nil

    public init(openFile: String = "n/a", workingDirectory: String = "/home/agent/workspace", memory: String? = nil) {
        self.openFile = openFile
        self.workingDirectory = workingDirectory
        self.memory = memory
    }

    enum CodingKeys: String, CodingKey {
        case openFile = "open_file"
        case workingDirectory = "working_dir"
        case memory
    }

    /// The JSON string MLGym stores as a step's `state`.
    public var json: String {
        (try? String(decoding: JSONEncoder().encode(self), as: UTF8.self)) ?? "{}"
    }

    public static func decode(_ json: String) -> AgentState {
        (try? JSONDecoder().decode(AgentState.self, from: Data(json.utf8))) ?? AgentState()
    }
}
