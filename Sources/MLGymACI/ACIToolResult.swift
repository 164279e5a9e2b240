/// What one ACI command printed and how it ended.
///
/// The agent sees standard output and standard error as one stream, so errors are part of `output` too; the exit
/// code only tells scripts (and the agent, through `$?`) what kind of ending it was.
public struct ACIToolResult: Sendable, Equatable {
    /// Everything the command printed, each line ending in a newline.
    public var output: String
    /// ``success``, ``failure`` or ``usageError``.
    public var exitCode: Int32

    /// The command did what it was asked (a search that found nothing is a success).
    public static let success: Int32 = 0
    /// The command could not do it: no open file, a missing file, an edit rejected by the lint check…
    public static let failure: Int32 = 1
    /// The command was called with the wrong arguments; the output starts with its usage line.
    public static let usageError: Int32 = 2

    public init(output: String, exitCode: Int32) {
        self.output = output
        self.exitCode = exitCode
    }
}
