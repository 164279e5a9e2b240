import MLGymToolSupport

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

    /// The state as `viewer.json` holds it (the coding keys above, without Foundation's coder).
    var json: JSONValue {
        var members: [String: JSONValue] = [
            CodingKeys.currentLine.rawValue: JSONValue(currentLine),
            CodingKeys.scrollCount.rawValue: JSONValue(scrollCount),
        ]
        if let openFile { members[CodingKeys.openFile.rawValue] = .string(openFile) }
        return .object(members)
    }

    /// Reads `viewer.json` leniently, as the decoder above does: a missing or mistyped key takes its default.
    init(json: JSONValue) {
        self.init(
            openFile: json[CodingKeys.openFile.rawValue]?.stringValue,
            currentLine: json[CodingKeys.currentLine.rawValue]?.intValue ?? 0,
            scrollCount: json[CodingKeys.scrollCount.rawValue]?.intValue ?? 0)
    }
}
