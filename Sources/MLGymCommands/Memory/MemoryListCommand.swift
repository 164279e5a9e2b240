import ArgumentParser
import MLGymAPI
import MLGymClient

struct MemoryListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List a scope's memories (and your scopes).")
    @OptionGroup var client: ClientOptions
    @OptionGroup var scope: MemoryScopeOptions
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let list = try client.client.memoryList(scope: scope.name)
        if json {
            print(try Output.json(list))
            return
        }
        let rows = list.entries.map { entry in
            [String(entry.id), Output.age(of: entry.createdAt), entry.tags.joined(separator: ", "), entry.run.map { String($0.prefix(12)) } ?? "-",
             entry.text.count > 80 ? String(entry.text.prefix(77)) + "..." : entry.text]
        }
        Output.show(rows.isEmpty ? "no memories in \(list.scope)" : Output.table(["ID", "WRITTEN", "TAGS", "RUN", "TEXT"], rows))
        let others = list.scopes.filter { $0.scope != list.scope }
        if !others.isEmpty {
            print("\nother scopes: " + others.map { "\($0.scope) (\($0.count))" }.joined(separator: ", "))
        }
    }
}
