import MLGymCore

/// Which model drives a run, as `mlgymctl run --model` names it.
public enum ModelSpec: Sendable, Equatable, CustomStringConvertible {
    /// OpenAI-compatible chat completions (OpenAI, vLLM, llama.cpp's server, Ollama).
    case openAI(model: String)
    /// Anthropic's messages API.
    case anthropic(model: String)
    /// The actions of a recorded trajectory, in order.
    case replay(file: String)
    /// A person types each action.
    case human

    public init(parsing text: String) throws(MLGymError) {
        if text == "human" {
            self = .human
            return
        }
        guard let colon = text.firstIndex(of: ":") else {
            throw MLGymError(.invalidArgument, "model '\(text)' has no provider: write openai:NAME, anthropic:NAME, replay:FILE or human")
        }
        let provider = text[..<colon]
        let name = String(text[text.index(after: colon)...])
        guard !name.isEmpty else { throw MLGymError(.invalidArgument, "model '\(text)' names no model after '\(provider):'") }
        switch provider {
        case "openai": self = .openAI(model: name)
        case "anthropic": self = .anthropic(model: name)
        case "replay": self = .replay(file: name)
        default:
            throw MLGymError(.invalidArgument, "unknown model provider '\(provider)' in '\(text)': write openai:NAME, anthropic:NAME, replay:FILE or human")
        }
    }

    public var description: String {
        switch self {
        case .openAI(let model): "openai:\(model)"
        case .anthropic(let model): "anthropic:\(model)"
        case .replay(let file): "replay:\(file)"
        case .human: "human"
        }
    }

    /// The model's name for prices and reports ("gpt-4o"); the file's name for a replay.
    public var modelName: String {
        switch self {
        case .openAI(let model), .anthropic(let model): model
        case .replay(let file): "replay-" + (file.split(separator: "/").last.map(String.init) ?? file)
        case .human: "human"
        }
    }
}
