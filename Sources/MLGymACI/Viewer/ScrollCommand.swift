/// `scroll_down` and `scroll_up`: move the window of the open file by one window less the overlap.
///
/// After several scrolls in a row (three by default, as in MLGym) the output ends with a hint that `search_file`
/// finds things faster: agents that page through long files waste steps.
enum ScrollCommand {
    enum Direction {
        case up, down
    }

    static func run(_ direction: Direction, _ arguments: [String], context: inout ACIContext) throws(ACIFailure)
        -> ACIToolResult
    {
        guard arguments.isEmpty else { throw .usage(direction == .up ? .scroll_up : .scroll_down) }
        let file = try context.openFile()
        let step = max(1, context.window - context.environment.overlap)
        let viewer = file.window(context.window)
        let current = viewer.constrained(context.state.currentLine)
        let target = direction == .down ? current + step : current - step
        var output = ACIOutput()
        let code = context.show(file, at: viewer.constrained(target), scrolling: true, into: &output)
        if context.state.scrollCount >= context.environment.scrollWarningThreshold {
            output.print()
            output.print("WARNING: scrolling again and again is a slow way to look through a file.")
            output.print("If you know what you are looking for, use `search_file <pattern>` or `goto <line>` instead.")
            output.print()
        }
        return output.result(code)
    }
}
