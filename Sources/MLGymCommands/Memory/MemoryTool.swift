import Foundation
import MLGymAPI
import MLGymClient
import MLGymCore

/// mlgymctl run as `memory_write "<text>"` and `memory_read "<query>"` inside a task session: the session's
/// memory through its own socket (the sandbox needs no network), with MLGym's output.
enum MemoryTool {
    static func main(name: String, arguments: [String]) -> Never {
        let words = arguments.filter { $0 != "--json" }
        if arguments.contains("--help") || arguments.contains("-h") || words.isEmpty {
            print(name == "memory_write"
                ? "usage: memory_write \"<text>\"\n  Saves a finding to your memory (it outlives this session); a keyword is derived from it."
                : "usage: memory_read \"<query>\"\n  Prints the 2 memories closest to the query, with their similarity.")
            exit(words.isEmpty && !arguments.contains("--help") && !arguments.contains("-h") ? 2 : 0)
        }
        let text = words.joined(separator: " ")
        let client = APIClient(socketPath: AgentTool.socketPath)
        do {
            if name == "memory_write" {
                let entry = try client.memoryWrite(MemoryWriteRequest(text: text))
                print(arguments.contains("--json") ? try Output.json(entry) : "Content and tags saved successfully to memory.")
            } else {
                let result = try client.memorySearch(MemorySearchRequest(query: text))
                print(arguments.contains("--json") ? try Output.json(result) : result.mlgymText)
            }
            exit(0)
        } catch {
            AgentTool.fail(name, error, outside: "mlgymctl memory")
        }
    }
}
