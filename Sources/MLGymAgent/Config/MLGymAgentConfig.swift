import Foundation
import MLGymCore
import Yams

/// An MLGym agent config (`configs/agents/*.yaml`): the prompt templates, demonstrations, history processor and
/// tools it names, with the files it refers to already read (mlgymctl reads them where the user can, and sends
/// their text; mlgymd reads no user path). An unknown field, or one this loop cannot honour, is an error that
/// names it.
public struct MLGymAgentConfig: Sendable {
    public var name: String
    public var systemTemplate: String
    public var taskTemplate: String
    public var nextStepTemplate: String
    public var nextStepNoOutputTemplate: String
    public var strategyTemplate: String?
    public var demonstrationTemplate: String?
    /// The demonstrations' `.traj` texts, in order.
    public var demonstrations: [String]
    public var putDemosInHistory: Bool
    public var formatErrorTemplate: String?
    /// Observations shown whole (MLGym's `LastNObservations`); nil shows every one (`DefaultHistoryProcessor`).
    public var historyKeep: Int?
    public var envVariables: [(String, String)]
    public var commandDocs: String
    public var blocklist: [String]?
    public var blocklistStandalone: [String]?
    public var blocklistErrorTemplate: String?

    static let fields: Set<String> = [
        "system_template", "task_template", "next_step_template", "next_step_no_output_template", "strategy_template",
        "demonstration_template", "demonstrations", "put_demos_in_history", "format_error_template", "output_parser",
        "history_processor", "history_processor_args", "tools",
    ]
    static let toolFields: Set<String> = [
        "command_files", "env_variables", "util_functions", "submit_command", "parser", "state_command",
        "blocklist_error_template", "blocklist", "blocklist_standalone",
        // MLGym's default_lit_search.yaml writes this for `parser`; MLGym never reads it, so neither does mlgym
        // (its commands are documented by the default parser, ParseCommandBash).
        "command_parser",
    ]

    /// The paths the config names (demonstrations, command files), for the client to read and send.
    public static func referencedFiles(in text: String) throws(MLGymError) -> [String] {
        let top = try mapping(text, file: "agent config")
        var paths = strings(top["demonstrations"])
        if let tools = top["tools"]?.mapping {
            for (key, value) in tools where key.string == "command_files" { paths += strings(value) }
        }
        return paths
    }

    /// - Parameters: files: the text of every file the config names, by the path as written in the config.
    public init(name: String, text: String, files: [String: String]) throws(MLGymError) {
        let file = "agent config \(name)"
        let top = try Self.mapping(text, file: file)
        for key in top.keys where !Self.fields.contains(key) {
            throw MLGymError(.parse, "\(file): unknown field '\(key)'")
        }
        func string(_ key: String, in map: [String: Node] = top) throws(MLGymError) -> String? {
            guard let node = map[key], node != Node("null") else { return nil }
            guard let value = node.string else { throw MLGymError(.parse, "\(file): field '\(key)' must be text") }
            return value
        }
        guard let system = try string("system_template"), let task = try string("task_template") else {
            throw MLGymError(.parse, "\(file): system_template and task_template are required")
        }
        self.name = name
        systemTemplate = system
        taskTemplate = task
        nextStepTemplate = try string("next_step_template") ?? task
        nextStepNoOutputTemplate = try string("next_step_no_output_template") ?? nextStepTemplate
        strategyTemplate = try string("strategy_template")
        demonstrationTemplate = try string("demonstration_template")
        putDemosInHistory = top["put_demos_in_history"]?.bool ?? false
        formatErrorTemplate = try string("format_error_template")
        if let parser = try string("output_parser"), parser != "MLGymThoughtActionParser" {
            throw MLGymError(.unsupported, "\(file): output_parser \(parser) is not supported (mlgym parses as MLGymThoughtActionParser)")
        }
        let processor = try string("history_processor") ?? "DefaultHistoryProcessor"
        switch processor {
        case "DefaultHistoryProcessor": historyKeep = nil
        case "Last2Observations": historyKeep = 2
        case "Last5Observations": historyKeep = 5
        case "Last100Observations": historyKeep = 100
        case "LastNObservations":
            guard let n = top["history_processor_args"]?.mapping?["n"]?.int, n > 0 else {
                throw MLGymError(.parse, "\(file): LastNObservations needs history_processor_args: {n: N}")
            }
            historyKeep = n
        default:
            throw MLGymError(.unsupported, "\(file): history_processor \(processor) is not supported (DefaultHistoryProcessor, Last2Observations, Last5Observations, Last100Observations, LastNObservations)")
        }
        demonstrations = try Self.strings(top["demonstrations"]).map { path throws(MLGymError) in
            guard let text = files[path] else { throw MLGymError(.notFound, "\(file): demonstration \(path) was not given") }
            return text
        }
        if !demonstrations.isEmpty && demonstrationTemplate == nil && !putDemosInHistory {
            throw MLGymError(.parse, "\(file): demonstrations need a demonstration_template or put_demos_in_history: true")
        }
        var tools: [String: Node] = [:]
        if let toolsNode = top["tools"] {
            guard let map = toolsNode.mapping else { throw MLGymError(.parse, "\(file): tools must be a mapping") }
            for (key, value) in map {
                guard let name = key.string, Self.toolFields.contains(name) else {
                    throw MLGymError(.parse, "\(file): unknown field 'tools.\(key.string ?? "?")'")
                }
                tools[name] = value
            }
        }
        var variables: [(String, String)] = []
        if let map = tools["env_variables"]?.mapping {
            for (key, value) in map { variables.append((key.string ?? "", Self.pythonText(value))) }
        }
        envVariables = variables
        let parserName = try string("parser", in: tools) ?? "ParseCommandBash"
        guard let style = CommandDocs.Style(rawValue: parserName) else {
            throw MLGymError(.unsupported, "\(file): tools.parser \(parserName) is not supported (ParseCommandBash, ParseCommandDetailed)")
        }
        var commands: [CommandDocs.Command] = []
        for path in Self.strings(tools["command_files"]) {
            guard let text = files[path] else { throw MLGymError(.notFound, "\(file): command file \(path) was not given") }
            commands += try CommandDocs.parse(path: path, text: text)
        }
        let values = Dictionary(variables, uniquingKeysWith: { _, last in last })
        commandDocs = try CommandDocs.render(commands.filter { !$0.name.hasPrefix("_") }, style: style, values: values)
        blocklist = tools["blocklist"].map { Self.strings($0) }
        blocklistStandalone = tools["blocklist_standalone"].map { Self.strings($0) }
        blocklistErrorTemplate = try string("blocklist_error_template", in: tools)
    }

    static func mapping(_ text: String, file: String) throws(MLGymError) -> [String: Node] {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw MLGymError(.parse, "\(file): not valid YAML (\(error))")
        }
        guard let map = node?.mapping else { throw MLGymError(.parse, "\(file): expected a mapping of fields at the top level") }
        var result: [String: Node] = [:]
        for (key, value) in map { if let name = key.string { result[name] = value } }
        return result
    }

    static func strings(_ node: Node?) -> [String] {
        node?.sequence?.compactMap(\.string) ?? []
    }

    /// A YAML scalar as Python's `str()` of what `yaml.safe_load` makes of it (`1000`, `True`, `()`, ``).
    static func pythonText(_ node: Node) -> String {
        if let bool = node.bool, node.tag == Tag(.bool) || ["true", "false", "True", "False"].contains(node.string ?? "") {
            return bool ? "True" : "False"
        }
        if node == Node("null") || node.string == "~" { return "None" }
        if let int = node.int, node.string.map({ Int($0) != nil }) == true { return String(int) }
        return node.string ?? ""
    }
}
