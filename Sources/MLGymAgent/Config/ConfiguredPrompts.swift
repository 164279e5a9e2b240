import Foundation
import MLGymCore

/// The messages an MLGym agent config makes, rendered as MLGym renders them: the system template with the
/// command docs, the config's env_variables and the task's fields; the demonstrations; the task template (with
/// the strategy template) for the first user message; the next-step templates after each action.
public struct ConfiguredPrompts: Sendable {
    public let config: MLGymAgentConfig
    public let system: String
    public let demonstrations: [ChatMessage]
    /// The task's fields as MLGym's TaskConfig has them (`description` with its dataset docs, `training_timeout`, …).
    let taskFields: [String: String]
    let systemArguments: [String: String]

    /// MLGym names agent `i` of a run `primary_i` and keeps, from a demonstration, the entries of that name (or
    /// of none). Demonstrations were recorded by agent 0, so its name is the one that sees them.
    public static let agentName = "primary_0"

    public init(config: MLGymAgentConfig, taskFields: [String: String]) throws(MLGymError) {
        self.config = config
        self.taskFields = taskFields
        var arguments = ["command_docs": config.commandDocs]
        for (name, value) in config.envVariables { arguments[name] = value }
        systemArguments = arguments
        system = try Self.render(config.systemTemplate, "system_template", arguments.merging(taskFields) { _, task in task })
        var demonstrations: [ChatMessage] = []
        for (index, text) in config.demonstrations.enumerated() {
            let entries = try Self.demonstrationHistory(text, index: index)
            if config.putDemosInHistory {
                for entry in entries where entry.role != "system" {
                    demonstrations.append(ChatMessage(entry.role == "assistant" ? .assistant : .user, entry.content, isDemonstration: true))
                }
            } else if let template = config.demonstrationTemplate {
                let joined = entries.filter { $0.role != "system" }.map(\.content).joined(separator: "\n")
                demonstrations.append(ChatMessage(.user, try Self.render(template, "demonstration_template", ["demonstration": joined]), isDemonstration: true))
            }
        }
        self.demonstrations = demonstrations
    }

    /// Renders every template once with stand-in values, so a field the config names that mlgym does not provide
    /// fails the run's request, not its first step.
    public func check(maxSteps: Int, usesMemory: Bool) throws(MLGymError) {
        let status = AgentPrompts.Status(
            step: 0, remainingSteps: maxSteps, openFile: "n/a", workingDirectory: "/home/agent/workspace",
            memory: usesMemory ? "(Memory records: 0)\n(Memory keywords: n/a)" : nil)
        _ = try task(status: status)
        _ = try observation("output", status: status)
        _ = try observation("", status: status)
    }

    /// The first user message: the task template, and the strategy template after it.
    public func task(status: AgentPrompts.Status) throws(MLGymError) -> String {
        var messages = [try Self.render(config.taskTemplate, "task_template", values(status, observation: ""))]
        if let strategy = config.strategyTemplate {
            messages.append(try Self.render(strategy, "strategy_template", values(status, observation: "")))
        }
        return messages.joined(separator: "\n")
    }

    /// The message after an action: the no-output template when the action printed nothing but whitespace.
    public func observation(_ text: String, status: AgentPrompts.Status) throws(MLGymError) -> String {
        let empty = text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        return try Self.render(
            empty ? config.nextStepNoOutputTemplate : config.nextStepTemplate,
            empty ? "next_step_no_output_template" : "next_step_template", values(status, observation: text))
    }

    /// The refusal of a blocklisted command, from the config's `blocklist_error_template`.
    public func refused(_ program: String) -> String? {
        guard let template = config.blocklistErrorTemplate else { return nil }
        return try? PythonFormat.render(template, ["name": program])
    }

    /// The format-error message: the config's template, rendered over the config's own fields as MLGym does.
    public var formatError: String? {
        guard let template = config.formatErrorTemplate else { return nil }
        return (try? Self.render(template, "format_error_template", systemArguments)) ?? template
    }

    func values(_ status: AgentPrompts.Status, observation: String) -> [String: String] {
        var values = taskFields.merging(systemArguments) { task, _ in task }
        values["open_file"] = status.openFile
        values["working_dir"] = status.workingDirectory
        values["current_step"] = String(status.step)
        values["remaining_steps"] = String(status.remainingSteps)
        // The memory's count and keywords, as mlgym's memory reports them (its own footer lines, taken apart).
        if let memory = status.memory {
            for line in memory.split(separator: "\n") {
                for (prefix, name) in [("(Memory records: ", "memory_records_num"), ("(Memory keywords: ", "memory_records_tags")]
                where line.hasPrefix(prefix) && line.hasSuffix(")") {
                    values[name] = String(line.dropFirst(prefix.count).dropLast())
                }
            }
        }
        values["observation"] = observation
        return values
    }

    static func render(_ template: String, _ name: String, _ values: [String: String]) throws(MLGymError) -> String {
        do {
            return try PythonFormat.render(template, values)
        } catch {
            throw MLGymError(.invalidArgument, "agent config: \(name): \(error.message)")
        }
    }

    struct Entry {
        var role: String
        var content: String
    }

    /// A demonstration's `history`, the entries of `agentName` or of no agent.
    static func demonstrationHistory(_ text: String, index: Int) throws(MLGymError) -> [Entry] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              let history = object["history"] as? [[String: Any]]
        else { throw MLGymError(.parse, "agent config: demonstration \(index + 1) is not a .traj with a history") }
        return history.compactMap { entry in
            if let agent = entry["agent"] as? String, agent != agentName { return nil }
            return Entry(role: entry["role"] as? String ?? "user", content: entry["content"] as? String ?? "")
        }
    }
}
