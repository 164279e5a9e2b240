import ArgumentParser
import Foundation
import MLGymAPI
import MLGymClient

/// `mlgymctl memory export`: a scope as MLGym's memory.json (texts, embeddings, tags).
struct MemoryExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Write a scope as MLGym's memory.json.")
    @OptionGroup var client: ClientOptions
    @OptionGroup var scope: MemoryScopeOptions
    @Option(help: ArgumentHelp("Write here instead of standard output.", valueName: "file")) var out: String?

    func run() async throws {
        let export = try client.client.memoryExport(scope: scope.name)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(export)
        if let out {
            try data.write(to: URL(fileURLWithPath: out), options: .atomic)
            FileHandle.standardError.write(Data("wrote \(export.texts.count) memories of \(scope.name) to \(out)\n".utf8))
        } else {
            FileHandle.standardOutput.write(data + Data("\n".utf8))
        }
    }
}
