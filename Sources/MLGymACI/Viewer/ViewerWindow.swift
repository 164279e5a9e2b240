/// MLGym's file-viewer arithmetic: which lines a window of `size` lines shows around a current line, and where the
/// current line goes when the agent opens, jumps or scrolls. Pure; no I/O.
///
/// The formulas are MLGym's (its `_print`, `_constrain_line` and `goto` shell functions, which compute with `jq`),
/// kept exact because agents trained on MLGym reason about the window in these terms. With W the window size, T the
/// file's line count and C the current line:
/// - lines above: `max(0, floor(C − W/2))`; lines below: `max(0, round(T − C − W/2))`;
/// - body: the first `floor(max(C + W/2, W/2))` lines, then the last W of those;
/// - constrain: `max(min(C, T − floor(W/2)), floor(W/2))`;
/// - centre on line L: `max(floor(L + W/2 − floor(W/6)), 1)`, then constrain (L lands about W/6 below the top).
///
/// `W/2` is a fraction for an odd W; the current line is kept as an integer here, so those windows can differ from
/// MLGym's by a line after a scroll. MLGym's benchmark uses W = 1000, where everything is an integer.
public struct ViewerWindow: Sendable, Equatable {
    /// W: how many lines the window shows.
    public var size: Int
    /// T: how many lines the file has.
    public var totalLines: Int

    public init(size: Int, totalLines: Int) {
        self.size = max(1, size)
        self.totalLines = max(0, totalLines)
    }

    private var half: Double { Double(size) / 2 }

    /// `line` moved into the range MLGym allows for the current line, so a window never starts before line 1 and,
    /// when the file is long enough, never ends after line T.
    public func constrained(_ line: Int) -> Int {
        max(min(line, totalLines - size / 2), size / 2)
    }

    /// The current line that shows `target` about a sixth of a window below the top (`open <file> <line>`, `goto`).
    public func centred(on target: Int) -> Int {
        constrained(max(target + size / 2 - size / 6, 1))
    }

    /// The current line right after `open` without a line number: the window starts at line 1.
    ///
    /// MLGym sets `W/2` (a fraction for odd W); rounding up prints the same first window as that fraction does.
    public var initialLine: Int {
        constrained((size + 1) / 2)
    }

    /// How many lines lie above the window when the current line is `currentLine`.
    public func linesAbove(currentLine: Int) -> Int {
        Int(max(0, Double(currentLine) - half).rounded(.down))
    }

    /// How many lines lie below the window, as MLGym rounds it.
    public func linesBelow(currentLine: Int) -> Int {
        Int(max(0, Double(totalLines - currentLine) - half).rounded(.toNearestOrAwayFromZero))
    }

    /// The 1-based line numbers the window shows, nil for an empty file.
    public func visibleLines(currentLine: Int) -> ClosedRange<Int>? {
        let head = Int(max(Double(currentLine) + half, half).rounded(.down))
        let last = min(head, totalLines)
        guard last >= 1 else { return nil }
        return max(1, last - size + 1)...last
    }

    /// The text MLGym's viewer prints for the file at `path` with content `lines`, current line `currentLine`:
    /// the `[File: <path> (T lines total)]` header, the `(N more lines above)` marker, `N:content` lines and the
    /// `(N more lines below)` marker. Lines are separated by `\n`, with none after the last.
    public static func render(path: String, lines: [String], currentLine: Int, window: Int) -> String {
        let viewer = ViewerWindow(size: window, totalLines: lines.count)
        var printed = ["[File: \(path) (\(lines.count) lines total)]"]
        let above = viewer.linesAbove(currentLine: currentLine)
        if above > 0 { printed.append("(\(above) more lines above)") }
        if let visible = viewer.visibleLines(currentLine: currentLine) {
            for number in visible { printed.append("\(number):\(lines[number - 1])") }
        }
        let below = viewer.linesBelow(currentLine: currentLine)
        if below > 0 { printed.append("(\(below) more lines below)") }
        return printed.joined(separator: "\n")
    }
}
