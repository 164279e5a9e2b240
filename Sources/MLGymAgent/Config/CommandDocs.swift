import Foundation
import MLGymCore
import Yams

/// The `{command_docs}` of an MLGym agent config: the commands its command files document in YAML comments
/// (`# @yaml` blocks), rendered as MLGym's two command parsers render them, so the system message is MLGym's.
public enum CommandDocs {
    public enum Style: String, Sendable {
        /// `signature - docstring`, one line per command.
        case bash = "ParseCommandBash"
        /// The command's name, then its docstring, signature and arguments, indented.
        case detailed = "ParseCommandDetailed"
    }

    public struct Command: Sendable {
        public var name: String
        public var docstring: String?
        public var signature: String?
        /// (name, type, required, description), in the order the file gives them.
        public var arguments: [(name: String, type: String, required: Bool, description: String)]?
    }

    /// The commands a file defines: a script (it starts with `#!`) is one command named after the file, with at
    /// most one `@yaml` block; any other file holds bash functions, each documented by the `# ` lines before it.
    public static func parse(path: String, text: String) throws(MLGymError) -> [Command] {
        let base = (path as NSString).lastPathComponent
        if text.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("#!") {
            return try script(name: base.split(separator: ".", maxSplits: 1).first.map(String.init) ?? base, text: text, path: path)
        }
        guard base.hasSuffix(".sh") || base.hasPrefix("_") else {
            throw MLGymError(.parse, "command file \(path) is neither a .sh file of functions nor a script with #!")
        }
        return try functions(text: text, path: path)
    }

    private static func functions(text: String, path: String) throws(MLGymError) -> [Command] {
        let lines = text.components(separatedBy: "\n")
        var commands: [Command] = []
        var docs: [String] = []
        var index = 0
        while index < lines.count {
            let line = lines[index]
            index += 1
            if line.hasPrefix("# ") {
                docs.append(String(line.dropFirst(2)))
            } else if line.trimmingCharacters(in: .whitespaces).hasSuffix("() {") {
                let name = String((line.split(whereSeparator: \.isWhitespace).first ?? "").dropLast(2))
                while index < lines.count, lines[index].trimmingCharacters(in: .whitespaces) != "}" { index += 1 }
                index += 1
                var command = Command(name: name, docstring: nil, signature: name, arguments: nil)
                if let map = try yaml(docs.joined(separator: "\n").replacingOccurrences(of: "@yaml", with: ""), path: path) {
                    command.docstring = map["docstring"]?.string
                    command.arguments = arguments(map["arguments"])
                    if let signature = map["signature"]?.string {
                        command.signature = signature
                    } else if let arguments = command.arguments {
                        command.signature = name + arguments.map { $0.required ? " <\($0.name)>" : " [<\($0.name)>]" }.joined()
                    }
                }
                commands.append(command)
                docs = []
            }
        }
        return commands
    }

    private static func script(name: String, text: String, path: String) throws(MLGymError) -> [Command] {
        let lines = text.components(separatedBy: "\n")
        var blocks: [[String]] = []
        var index = 0
        while index < lines.count {
            let line = lines[index]
            if line.hasPrefix("#"), line.dropFirst().trimmingCharacters(in: .whitespaces) == "@yaml", index + 1 < lines.count, lines[index + 1].hasPrefix("#") {
                var block = [line]
                index += 1
                while index < lines.count, lines[index].hasPrefix("#") {
                    block.append(lines[index])
                    index += 1
                }
                blocks.append(block)
            } else {
                index += 1
            }
        }
        guard !blocks.isEmpty else { return [] }
        guard blocks.count == 1 else { throw MLGymError(.parse, "command file \(path) has \(blocks.count) @yaml blocks; a script has one") }
        let body = blocks[0].map { String($0.dropFirst()) }.joined(separator: "\n").replacingOccurrences(of: "@yaml", with: "")
        guard let map = try yaml(body, path: path) else { return [] }
        var command = Command(name: name, docstring: map["docstring"]?.string, signature: map["signature"]?.string, arguments: arguments(map["arguments"]))
        if command.signature == nil, let arguments = command.arguments {
            command.signature = name + arguments.map { $0.required ? " <\($0.name)>" : " [<\($0.name)>]" }.joined()
        }
        return [command]
    }

    private static func yaml(_ text: String, path: String) throws(MLGymError) -> [String: Node]? {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw MLGymError(.parse, "command file \(path): a documentation block is not valid YAML (\(error))")
        }
        guard let map = node?.mapping else { return nil }
        var result: [String: Node] = [:]
        for (key, value) in map { if let name = key.string { result[name] = value } }
        return result
    }

    private static func arguments(_ node: Node?) -> [(name: String, type: String, required: Bool, description: String)]? {
        guard let map = node?.mapping else { return nil }
        return map.map { key, value in
            let settings = value.mapping
            return (
                key.string ?? "", settings?["type"].map(MLGymAgentConfig.pythonText) ?? "None",
                settings?["required"]?.bool ?? false, settings?["description"].map(MLGymAgentConfig.pythonText) ?? "None"
            )
        }
    }

    /// MLGym's rendering; docstrings are themselves templates over the config's `env_variables` (`{WINDOW}`).
    public static func render(_ commands: [Command], style: Style, values: [String: String]) throws(MLGymError) -> String {
        var docs = ""
        for command in commands {
            let docstring: String?
            do {
                docstring = try command.docstring.map { text throws(PythonFormat.Failure) in try PythonFormat.render(text, values) }
            } catch {
                throw MLGymError(.parse, "the documentation of \(command.name): \(error.message)")
            }
            switch style {
            case .bash:
                if let docstring { docs += "\(command.signature ?? command.name) - \(docstring)\n" }
            case .detailed:
                docs += "\(command.name):\n"
                if let docstring { docs += "  docstring: \(docstring)\n" }
                docs += "  signature: \(command.signature ?? command.name + (command.arguments ?? []).map { $0.required ? " <\($0.name)>" : " [<\($0.name)>]" }.joined())\n"
                if let arguments = command.arguments {
                    docs += "  arguments:\n"
                    for argument in arguments {
                        docs += "    - \(argument.name) (\(argument.type)) [\(argument.required ? "required" : "optional")]: \(argument.description)\n"
                    }
                }
                docs += "\n"
            }
        }
        return docs
    }
}
