import ArgumentParser
import MLGymAPI
import MLGymClient

struct MemorySearch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "search", abstract: "Find the memories closest to a query.")
    @OptionGroup var client: ClientOptions
    @OptionGroup var scope: MemoryScopeOptions
    @Option(name: .shortAndLong, help: "How many memories to return (MLGym: 2).") var k = 2
    @Option(help: "hybrid (meaning and terms, fused), cosine (meaning) or lexical (terms).") var mode = "hybrid"
    @Flag(help: "Print JSON.") var json = false
    @Argument(help: "The query.") var query: String

    func run() async throws {
        let result = try client.client.memorySearch(MemorySearchRequest(scope: scope.name, query: query, k: k, mode: mode))
        if json { print(try Output.json(result)) } else { Output.show(result.mlgymText) }
    }
}
