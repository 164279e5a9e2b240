/// An answer the view makes itself rather than forwarding one read to mlgymd: a campaign's report and plots, a
/// run's export. `mlgymctl ui` supplies them (`WebUIServer.derived`), since they need the scoring and export code
/// this library does not link.
public struct WebUIReply: Sendable {
    public var status: Int
    public var contentType: String
    public var body: [UInt8]
    /// More header lines, such as `Content-Disposition` for a download.
    public var headers: [String]

    public init(status: Int = 200, contentType: String, body: [UInt8], headers: [String] = []) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.headers = headers
    }

    public static func text(_ status: Int, _ message: String) -> WebUIReply {
        WebUIReply(status: status, contentType: "text/plain; charset=utf-8", body: Array((message + "\n").utf8))
    }
}

/// Answers `GET /ui/…` (the path as it came, and the query split and percent-decoded); nil for no such page.
public typealias WebUIDerivedPages = @Sendable (_ path: String, _ query: [String: String]) -> WebUIReply?
