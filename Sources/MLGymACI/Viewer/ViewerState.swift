/// The viewer's position between commands: MLGym's `CURRENT_FILE` and `CURRENT_LINE`, plus its scroll counter.
///
/// Persisted as `<stateDirectory>/viewer.json` by ``ViewerStateStore``, because each ACI command is its own process.
public struct ViewerState: Codable, Sendable, Equatable {
    /// The open file as an absolute, symlink-free path (`realpath`), nil before the first `open`.
    public var openFile: String?
    /// The line the window is centred on (already constrained to the file when saved).
    public var currentLine: Int
    /// How many scroll commands ran in a row, for the "scrolling is inefficient" hint.
    public var scrollCount: Int

    enum CodingKeys: String, CodingKey {
        case openFile = "open_file"
        case currentLine = "current_line"
        case scrollCount = "scroll_count"
    }

    public init(openFile: String? = nil, currentLine: Int = 0, scrollCount: Int = 0) {
        self.openFile = openFile
        self.currentLine = currentLine
        self.scrollCount = scrollCount
    }

    /// Decodes leniently: a missing key takes its default, so older or hand-written files still load.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        openFile = try container.decodeIfPresent(String.self, forKey: .openFile)
        currentLine = try container.decodeIfPresent(Int.self, forKey: .currentLine) ?? 0
        scrollCount = try container.decodeIfPresent(Int.self, forKey: .scrollCount) ?? 0
    }
}
