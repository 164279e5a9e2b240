/// Control messages of an attach WebSocket (`GET /v1/sessions/{id}/attach`). Binary messages carry terminal
/// bytes both ways; text messages carry these, as JSON.
public struct AttachControl: Codable, Sendable, Equatable {
    /// `resize` (client → daemon) or `detached` / `ended` (daemon → client, just before it closes).
    public var type: String
    public var rows: UInt16?
    public var cols: UInt16?
    public var message: String?
    public init(type: String, rows: UInt16? = nil, cols: UInt16? = nil, message: String? = nil) {
        self.type = type
        self.rows = rows
        self.cols = cols
        self.message = message
    }

    public static func resize(rows: UInt16, cols: UInt16) -> AttachControl { AttachControl(type: "resize", rows: rows, cols: cols) }
}
