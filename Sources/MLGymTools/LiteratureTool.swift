import Glibc
import MLGymToolSupport

/// `literature_search "<query>" [N]` and `parse_pdf "<url-or-path>" [max_pages]` (and MLGym's `parse_pdf_url`)
/// inside a task session: mlgymd searches and reads on the agent's behalf, through the session's socket, so the
/// sandbox needs no network. A path is read here, as the agent, and its bytes sent.
enum LiteratureTool {
    static let names: Set<String> = ["literature_search", "parse_pdf", "parse_pdf_url"]
    static let maximumDocumentBytes = 32 << 20

    static func main(name: String, arguments: [String]) -> Never {
        if arguments.isEmpty || arguments.contains("--help") || arguments.contains("-h") {
            FileIO.print(name == "literature_search"
                ? "usage: literature_search \"<query>\" [number_of_results (default 20)]\n  Searches papers (Semantic Scholar, else arXiv); one JSON object per paper.\n"
                : "usage: \(name) \"<url-or-path>\" [max_pages (default 20)]\n  Prints the text of a PDF (a URL, or a file of your workspace).\n")
            exit(arguments.isEmpty ? 2 : 0)
        }
        let call = AgentSocketCall(tool: name, outside: "mlgymctl lit")
        if name == "literature_search" {
            var words = arguments
            var request: [String: JSONValue] = [:]
            if words.count > 1, let last = words.last, let count = Int(last) {
                request["limit"] = JSONValue(count)
                words.removeLast()
            }
            request["query"] = .string(words.joined(separator: " "))
            let result = call.post("/v1/literature/search", .object(request))
            if let note = result["note"]?.stringValue { FileIO.print("(\(note))\n", to: STDERR_FILENO) }
            let papers = result["papers"]?.arrayValue ?? []
            let query = result["query"]?.stringValue ?? ""
            FileIO.print((papers.isEmpty ? "No papers found for \"\(query)\"." : papers.map(mlgymLine).joined(separator: "\n")) + "\n")
        } else {
            let target = arguments[0]
            var request: [String: JSONValue] = [:]
            if arguments.count > 1, let pages = Int(arguments[1]) { request["maxPages"] = JSONValue(pages) }
            if target.hasPrefix("http://") || target.hasPrefix("https://") {
                request["url"] = .string(target)
            } else {
                guard let bytes = try? FileIO.read(target, limit: maximumDocumentBytes) else { call.fail("cannot read \(target)") }
                guard bytes.count <= maximumDocumentBytes else { call.fail("\(target) is larger than 32 MiB") }
                request["document"] = .string(Base64.encode(bytes))
            }
            FileIO.print(call.string(call.post("/v1/literature/pdf", .object(request)), "text") + "\n")
        }
        exit(0)
    }

    /// One paper as MLGym's `literature_search` prints it: a JSON object with `paperId`, `title`, `abstract` and
    /// `pdf_url`, plus the year and authors; absent fields are left out.
    static func mlgymLine(_ paper: JSONValue) -> String {
        var line: [String: JSONValue] = [:]
        for (key, wireKey) in [("paperId", "paperId"), ("title", "title"), ("abstract", "abstract"), ("pdf_url", "pdfURL"), ("year", "year"), ("authors", "authors")] {
            if let value = paper[wireKey], !value.isNull { line[key] = value }
        }
        return JSONWriter.text(.object(line))
    }
}
