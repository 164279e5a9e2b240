/// Reads a `text/event-stream` body (the HTML standard's server-sent events) piece by piece: `event:` and
/// `data:` lines make an event, a blank line dispatches it, and a line starting with `:` is a comment.
struct ServerSentEventParser {
    enum Item: Equatable {
        case event(name: String, data: String)
        case comment(String)
    }

    private var pending: [UInt8] = []
    private var name = ""
    private var data: [String] = []

    /// The events and comments completed by `bytes`.
    mutating func feed(_ bytes: some Collection<UInt8>) -> [Item] {
        pending.append(contentsOf: bytes)
        var items: [Item] = []
        var start = 0
        while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
            var line = String(decoding: pending[start..<newline], as: UTF8.self)
            if line.hasSuffix("\r") { line.removeLast() }
            start = newline + 1
            if let item = take(line) { items.append(item) }
        }
        pending.removeSubrange(0..<start)
        return items
    }

    private mutating func take(_ line: String) -> Item? {
        if line.isEmpty {
            defer { name = ""; data = [] }
            guard !data.isEmpty || !name.isEmpty else { return nil }
            return .event(name: name.isEmpty ? "message" : name, data: data.joined(separator: "\n"))
        }
        if line.hasPrefix(":") { return .comment(String(line.dropFirst().drop { $0 == " " })) }
        let field = line.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        let value = field.count > 1 ? String(field[1].hasPrefix(" ") ? field[1].dropFirst() : field[1]) : ""
        switch field[0] {
        case "event": name = value
        case "data": data.append(value)
        default: break
        }
        return nil
    }
}
