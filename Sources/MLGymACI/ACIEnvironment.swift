import MLGymToolSupport

/// Where an ACI command runs and how its viewer is sized: what MLGym keeps in shell variables.
///
/// MLGym's commands are shell functions sharing one bash session, so the open file and the window live in
/// `CURRENT_FILE`, `CURRENT_LINE`, `WINDOW` and `OVERLAP`. Here every command is a separate short-lived process, so
/// the sizes come from the environment and the viewer position from a state file (``ViewerStateStore``).
public struct ACIEnvironment: Sendable {
    /// The folder holding `viewer.json`; created 0700 on first save.
    public var stateDirectory: String
    /// The shell's current directory, which relative paths are resolved against.
    public var workingDirectory: String
    /// How many lines the viewer shows at once (MLGym's `WINDOW`, 1000 in its benchmark).
    public var window: Int
    /// How many lines two consecutive scroll positions share (MLGym's `OVERLAP`).
    public var overlap: Int
    /// The Python interpreter for the lint check: a path, or a name looked up on `PATH`.
    public var python: String
    /// The agent's previous action (MLGym's `LAST_ACTION`), when the shell exports it. It lets the scroll warning
    /// count only scrolls that follow each other; without it, only ACI commands between scrolls reset the count.
    public var lastAction: String?
    /// After this many scrolls in a row the viewer suggests `search_file` (MLGym's `WARN_AFTER_SCROLLING_TIMES`).
    public var scrollWarningThreshold: Int

    public static let defaultWindow = 1000
    public static let defaultOverlap = 2

    public init(
        stateDirectory: String, workingDirectory: String, window: Int = 1000, overlap: Int = 2, python: String = "python3",
        lastAction: String? = nil, scrollWarningThreshold: Int = 3
    ) {
        self.stateDirectory = stateDirectory
        self.workingDirectory = workingDirectory
        self.window = max(1, window)
        self.overlap = max(0, overlap)
        self.python = python
        self.lastAction = lastAction
        self.scrollWarningThreshold = scrollWarningThreshold
    }

    /// The environment of this process: `MLGYM_ACI_STATE` (else `$HOME/.mlgym`), `WINDOW`, `OVERLAP`,
    /// `MLGYM_ACI_PYTHON` (else `python3`), `LAST_ACTION`, `WARN_AFTER_SCROLLING_TIMES` and the current directory.
    public static func fromProcess() -> ACIEnvironment {
        from(variables: ProcessEnvironment.all(), currentDirectory: FileIO.currentDirectory() ?? "/")
    }

    /// The environment described by `variables`; values that are missing or not numbers fall back to the defaults.
    public static func from(variables: [String: String], currentDirectory: String) -> ACIEnvironment {
        func positive(_ name: String, _ fallback: Int, minimum: Int) -> Int {
            guard let text = variables[name], let value = Int(TextFormat.trimmed(text)), value >= minimum
            else { return fallback }
            return value
        }
        let home = variables["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? ProcessEnvironment.homeDirectory()
        let stateDirectory = variables["MLGYM_ACI_STATE"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.mlgym"
        let python = variables["MLGYM_ACI_PYTHON"].flatMap { $0.isEmpty ? nil : $0 } ?? "python3"
        return ACIEnvironment(
            stateDirectory: stateDirectory,
            workingDirectory: currentDirectory,
            window: positive("WINDOW", defaultWindow, minimum: 1),
            overlap: positive("OVERLAP", defaultOverlap, minimum: 0),
            python: python,
            lastAction: variables["LAST_ACTION"],
            scrollWarningThreshold: positive("WARN_AFTER_SCROLLING_TIMES", 3, minimum: 1)
        )
    }

    /// `path` as an absolute path: unchanged when absolute, else appended to ``workingDirectory``. Not normalised;
    /// the file system resolves `..` and links when the path is used.
    func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        if workingDirectory.hasSuffix("/") { return workingDirectory + path }
        return workingDirectory + "/" + path
    }
}
