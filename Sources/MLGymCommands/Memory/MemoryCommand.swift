import ArgumentParser
import Foundation

/// `mlgymctl memory`: the memory agents write to and read from, for people.
struct MemoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "memory", abstract: "Write, search, list, remove, export and import memories.",
        discussion: """
            Memories live in mlgymd, per user and scope. An agent's memory_write and memory_read use its task's \
            scope, task:<id>; give --task ID (or --scope task:ID) to see the same one. Search ranks by meaning \
            (embeddings) and by exact term (BM25), fused. See docs/memory.md.
            """,
        subcommands: [MemoryWrite.self, MemorySearch.self, MemoryListCommand.self, MemoryRemove.self, MemoryExportCommand.self, MemoryImportCommand.self])
}

/// Which scope a memory verb works on.
struct MemoryScopeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The scope (default: the task's with --task, else 'default').", valueName: "name"))
    var scope: String?
    @Option(help: ArgumentHelp("Use the task's scope, task:<id> (what its agents read and write).", valueName: "id"))
    var task: String?

    var name: String {
        if let scope { return scope }
        if let task { return "task:" + task }
        return "default"
    }
}
