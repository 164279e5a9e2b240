/// The view's page, script and style, built into the binary: no second server, no Node at run time, and no
/// library (the pages are small enough that plain DOM code reads better than a framework). The script is kept in
/// one file per page and served as one.
enum WebUIAssets {
    enum Asset: Equatable {
        case page, script, style

        init?(path: String) {
            switch path {
            case "/", "/index.html": self = .page
            case "/app.js": self = .script
            case "/style.css": self = .style
            default: return nil
            }
        }

        var contentType: String {
            switch self {
            case .page: "text/html; charset=utf-8"
            case .script: "text/javascript; charset=utf-8"
            case .style: "text/css; charset=utf-8"
            }
        }

        var body: String {
            switch self {
            case .page: PageMarkup.text
            case .script: WebUIAssets.script
            case .style: PageStyle.text
            }
        }
    }

    /// The shared helpers first, the start (routing and the events stream) last.
    static let script = [
        CoreScript.text, OverviewScript.text, RunScript.text, CampaignScript.text, TerminalScript.text, SessionScript.text, StartScript.text,
    ].joined(separator: "\n")
}
