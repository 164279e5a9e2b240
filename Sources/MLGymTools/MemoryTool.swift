import Glibc
import MLGymToolSupport

/// `memory_write "<text>"` and `memory_read "<query>"` inside a task session: the session's memory through its
/// own socket (the sandbox needs no network), with MLGym's output.
enum MemoryTool {
    static let names: Set<String> = ["memory_write", "memory_read"]

    static func main(name: String, arguments: [String]) -> Never {
        let words = arguments.filter { $0 != "--json" }
        let asksForHelp = arguments.contains("--help") || arguments.contains("-h")
        if asksForHelp || words.isEmpty {
            FileIO.print(name == "memory_write"
                ? "usage: memory_write \"<text>\"\n  Saves a finding to your memory (it outlives this session); a keyword is derived from it.\n"
                : "usage: memory_read \"<query>\"\n  Prints the 2 memories closest to the query, with their similarity.\n")
            exit(asksForHelp ? 0 : 2)
        }
        let text = words.joined(separator: " ")
        let call = AgentSocketCall(tool: name, outside: "mlgymctl memory")
        let json = arguments.contains("--json")
        if name == "memory_write" {
            let entry = call.post("/v1/memory", .object(["text": .string(text)]))
            FileIO.print((json ? JSONWriter.text(entry, pretty: true) : "Content and tags saved successfully to memory.") + "\n")
        } else {
            let result = call.post("/v1/memory/search", .object(["query": .string(text)]))
            if json {
                FileIO.print(JSONWriter.text(result, pretty: true) + "\n")
            } else {
                let matches = (result["matches"]?.arrayValue ?? []).map { match in
                    (text: match["entry"]?["text"]?.stringValue ?? "", similarity: match["similarity"]?.doubleValue ?? 0)
                }
                FileIO.print(MemoryReadText.render(query: result["query"]?.stringValue ?? text, matches: matches) + "\n")
            }
        }
        exit(0)
    }
}
