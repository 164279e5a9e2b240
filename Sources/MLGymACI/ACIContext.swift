import MLGymToolSupport

/// A file loaded for the viewer: its canonical path and its lines.
struct ViewedFile {
    /// The `realpath` of the file, as the viewer header shows it.
    let path: String
    let lines: [String]
    /// The file's size in bytes (what `wc -c` counts).
    let byteCount: Int

    /// Loads the file at `path` (already known to be an existing regular file).
    static func load(_ path: String) throws(ACIFailure) -> ViewedFile {
        let canonical = FileSystem.realPath(path) ?? path
        let bytes = try FileSystem.read(canonical)
        return ViewedFile(path: canonical, lines: TextLines.split(bytes), byteCount: bytes.count)
    }

    func window(_ size: Int) -> ViewerWindow {
        ViewerWindow(size: size, totalLines: lines.count)
    }
}

/// What one command invocation works with: the environment and the viewer state loaded from disk.
struct ACIContext {
    let environment: ACIEnvironment
    let store: ViewerStateStore
    private(set) var state: ViewerState

    init(environment: ACIEnvironment) {
        self.environment = environment
        self.store = ViewerStateStore(directory: environment.stateDirectory)
        self.state = store.load()
    }

    var window: Int { environment.window }

    /// The open file, loaded; fails with MLGym's "no file open" message when there is none.
    func openFile() throws(ACIFailure) -> ViewedFile {
        guard let path = state.openFile else { throw ACIFailure.noOpenFile }
        guard FileSystem.kind(path) == .regular else {
            throw .error("Error: the open file \(path) no longer exists. Open a file with the open command.")
        }
        return try ViewedFile.load(path)
    }

    /// Makes `file` the open file at `currentLine` (already constrained), saves that, and prints the window.
    ///
    /// - Parameter scrolling: whether this is a scroll, which continues the run of scrolls instead of ending it.
    /// - Returns: the exit code: success, or failure when the state could not be saved (a warning line says why,
    ///   since the next command would otherwise show another file or position).
    mutating func show(
        _ file: ViewedFile, at currentLine: Int, scrolling: Bool = false, into output: inout ACIOutput
    ) -> Int32 {
        state.openFile = file.path
        state.currentLine = currentLine
        if scrolling {
            let continuesRun = environment.lastAction.map(Self.isScroll) ?? true
            state.scrollCount = continuesRun ? state.scrollCount + 1 : 1
        } else {
            state.scrollCount = 0
        }
        output.print(ViewerWindow.render(path: file.path, lines: file.lines, currentLine: currentLine, window: window))
        do {
            try store.save(state)
        } catch {
            output.print("Warning: \(error.description); the next command will not see this position.")
            return ACIToolResult.failure
        }
        return ACIToolResult.success
    }

    /// Whether `action` (MLGym's `LAST_ACTION`, possibly shell-quoted) was a scroll command.
    private static func isScroll(_ action: String) -> Bool {
        let word = TextFormat.trimmed(action) { $0.isWhitespace || $0 == "'" || $0 == "\"" }
        return word == ACICommand.scroll_up.rawValue || word == ACICommand.scroll_down.rawValue
    }
}
