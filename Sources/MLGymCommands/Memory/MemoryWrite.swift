import ArgumentParser
import MLGymAPI
import MLGymClient

struct MemoryWrite: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "write", abstract: "Write a memory.")
    @OptionGroup var client: ClientOptions
    @OptionGroup var scope: MemoryScopeOptions
    @Option(help: ArgumentHelp("Tags, comma-separated (a tag is also derived from the text, as MLGym does).", valueName: "a,b"))
    var tags: String?
    @Flag(help: "Print the memory as JSON.") var json = false
    @Argument(help: "The text.") var text: String

    func run() async throws {
        let entry = try client.client.memoryWrite(MemoryWriteRequest(
            scope: scope.name, text: text, tags: tags.map { $0.split(separator: ",").map(String.init) }))
        print(json ? try Output.json(entry) : "memory \(entry.id) in \(entry.scope), tags: \(entry.tags.joined(separator: ", "))")
    }
}
