import Foundation
import MLGymAPI
import MLGymClient
import MLGymCore

/// mlgymctl run as `literature_search "<query>" [N]` and `parse_pdf "<url-or-path>" [max_pages]` (and MLGym's
/// `parse_pdf_url`) inside a task session: mlgymd searches and reads on the agent's behalf, through the session's
/// socket, so the sandbox needs no network. A path is read here, as the agent, and its bytes sent.
enum LiteratureTool {
    static let names: Set<String> = ["literature_search", "parse_pdf", "parse_pdf_url"]

    static func main(name: String, arguments: [String]) -> Never {
        if arguments.isEmpty || arguments.contains("--help") || arguments.contains("-h") {
            print(name == "literature_search"
                ? "usage: literature_search \"<query>\" [number_of_results (default 20)]\n  Searches papers (Semantic Scholar, else arXiv); one JSON object per paper."
                : "usage: \(name) \"<url-or-path>\" [max_pages (default 20)]\n  Prints the text of a PDF (a URL, or a file of your workspace).")
            exit(arguments.isEmpty ? 2 : 0)
        }
        let client = APIClient(socketPath: AgentTool.socketPath)
        do {
            if name == "literature_search" {
                var words = arguments
                var limit: Int?
                if words.count > 1, let count = Int(words.last!) {
                    limit = count
                    words.removeLast()
                }
                let result = try client.literatureSearch(LiteratureSearchRequest(query: words.joined(separator: " "), limit: limit))
                if let note = result.note { FileHandle.standardError.write(Data("(\(note))\n".utf8)) }
                print(result.papers.isEmpty ? "No papers found for \"\(result.query)\"." : result.mlgymLines)
            } else {
                let target = arguments[0]
                let pages = arguments.count > 1 ? Int(arguments[1]) : nil
                var request = PDFTextRequest(maxPages: pages)
                if target.hasPrefix("http://") || target.hasPrefix("https://") {
                    request.url = target
                } else {
                    guard let data = FileManager.default.contents(atPath: target) else {
                        throw MLGymError(.notFound, "cannot read \(target)")
                    }
                    guard data.count <= 32 << 20 else { throw MLGymError(.invalidArgument, "\(target) is larger than 32 MiB") }
                    request.document = data.base64EncodedString()
                }
                print(try client.pdfText(request).text)
            }
            exit(0)
        } catch {
            AgentTool.fail(name, error, outside: "mlgymctl lit")
        }
    }
}
