/// The documentation of one agent command, as MLGym writes it into the system prompt.
public struct CommandDoc: Sendable, Equatable {
    public struct Argument: Sendable, Equatable {
        public var name: String
        /// `string` or `integer`, as in MLGym's docs.
        public var type: String
        public var required: Bool
        public var description: String

        public init(name: String, type: String, required: Bool, description: String) {
            self.name = name
            self.type = type
            self.required = required
            self.description = description
        }
    }

    public var name: String
    /// How the command is typed; several lines for a multi-line command (the text, then its terminator).
    public var signature: String
    /// What the command does; `{WINDOW}` stands for the window size.
    public var docstring: String
    public var arguments: [Argument]
    /// The line that ends a multi-line command's text (`end_of_edit`), nil for one-line commands.
    public var terminator: String?

    public init(name: String, signature: String, docstring: String, arguments: [Argument] = [], terminator: String? = nil) {
        self.name = name
        self.signature = signature
        self.docstring = docstring
        self.arguments = arguments
        self.terminator = terminator
    }

    /// The entry in MLGym's layout: `name:`, then indented `docstring:`, `signature:` and `arguments:` lines (one
    /// `- name (type) [required|optional]: description` per argument; no `arguments:` line when there are none),
    /// then an empty line.
    public func rendered(window: Int) -> String {
        var text = "\(name):\n"
        text += "  docstring: \(docstring.replacing("{WINDOW}", with: String(window)))\n"
        text += "  signature: \(signature)\n"
        if !arguments.isEmpty {
            text += "  arguments:\n"
            for argument in arguments {
                let requirement = argument.required ? "required" : "optional"
                text += "    - \(argument.name) (\(argument.type)) [\(requirement)]: \(argument.description)\n"
            }
        }
        return text + "\n"
    }
}
