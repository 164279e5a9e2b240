/// `POST /v1/sessions/{id}/exec`: one command line for the session's shell.
public struct ExecRequest: Codable, Sendable, Equatable {
    /// Shell text, run by the session's bash as if typed at its prompt (`cd`, variables and functions persist).
    public var command: String
    /// Seconds before the command's process group is killed (exit code 124); nil for the daemon's default.
    public var timeout: Double?
    /// Seconds the command may print nothing before it is killed the same way; nil for no such limit.
    public var noOutputTimeout: Double?
    public init(command: String, timeout: Double? = nil, noOutputTimeout: Double? = nil) {
        self.command = command
        self.timeout = timeout
        self.noOutputTimeout = noOutputTimeout
    }
}

/// How a command ended.
public struct ExecResult: Codable, Sendable, Equatable {
    public var exitCode: Int32
    public var timedOut: Bool
    public var durationMs: Int64
    /// The whole output (stdout and stderr as the terminal interleaved them); absent in a stream's last line,
    /// whose output came before it.
    public var output: String?
    /// Whether the output went past the daemon's limit and its middle was dropped (a marker says where).
    public var truncated: Bool
    /// When it timed out: whether for printing nothing for `noOutputTimeout` seconds.
    public var timedOutWithoutOutput: Bool?
    public init(exitCode: Int32, timedOut: Bool, durationMs: Int64, output: String?, truncated: Bool, timedOutWithoutOutput: Bool? = nil) {
        self.exitCode = exitCode
        self.timedOut = timedOut
        self.timedOutWithoutOutput = timedOutWithoutOutput
        self.durationMs = durationMs
        self.output = output
        self.truncated = truncated
    }
}

/// One line of a streamed exec answer (`application/x-ndjson`): output as it is produced, then the result.
public enum ExecStreamLine: Codable, Sendable, Equatable {
    case output(String)
    /// This many bytes of output were left out here: the client read more slowly than the command printed.
    case dropped(bytes: Int)
    case exit(ExecResult)
    case error(APIErrorBody.Detail)

    private enum CodingKeys: String, CodingKey { case output, dropped, exit, error }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let text = try container.decodeIfPresent(String.self, forKey: .output) {
            self = .output(text)
        } else if let dropped = try container.decodeIfPresent(Int.self, forKey: .dropped) {
            self = .dropped(bytes: dropped)
        } else if let result = try container.decodeIfPresent(ExecResult.self, forKey: .exit) {
            self = .exit(result)
        } else if let detail = try container.decodeIfPresent(APIErrorBody.Detail.self, forKey: .error) {
            self = .error(detail)
        } else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "an exec stream line has none of output, dropped, exit, error"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .output(let text): try container.encode(text, forKey: .output)
        case .dropped(let bytes): try container.encode(bytes, forKey: .dropped)
        case .exit(let result): try container.encode(result, forKey: .exit)
        case .error(let detail): try container.encode(detail, forKey: .error)
        }
    }
}
