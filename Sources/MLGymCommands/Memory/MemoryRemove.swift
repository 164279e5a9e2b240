import ArgumentParser
import MLGymAPI
import MLGymClient

struct MemoryRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove memories by id.")
    @OptionGroup var client: ClientOptions
    @Argument(help: "Memory ids (mlgymctl memory ls shows them).") var ids: [Int64]

    func run() async throws {
        for id in ids { _ = try client.client.memoryRemove(id) }
        print("removed \(ids.count) memor\(ids.count == 1 ? "y" : "ies")")
    }
}
