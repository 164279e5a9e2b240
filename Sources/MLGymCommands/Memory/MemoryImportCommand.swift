import ArgumentParser
import Foundation
import MLGymAPI
import MLGymClient
import MLGymCore

/// `mlgymctl memory import`: MLGym's memory.json (or any JSON with `texts`) into a scope. Texts are embedded again
/// by mlgymd's embedder (vectors from another model could not be compared with its own); MLGym's one tag per
/// text is kept. Sent in chunks, so a large memory stays under the daemon's request size limit.
struct MemoryImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import", abstract: "Read MLGym's memory.json into a scope.")
    @OptionGroup var client: ClientOptions
    @OptionGroup var scope: MemoryScopeOptions
    @Argument(help: "The memory.json file (- for standard input).") var file: String

    struct MLGymMemory: Decodable {
        var texts: [String]
        var tags: [String]?
    }

    func run() async throws {
        let data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: file))
        let memory: MLGymMemory
        do {
            memory = try JSONDecoder().decode(MLGymMemory.self, from: data)
        } catch {
            throw MLGymError(.parse, "\(file) is not a memory.json (an object with a 'texts' list): \(error)")
        }
        // MLGym's tags list may be shorter than its texts (short texts get none); it is kept in order.
        let tags = memory.tags.map { list in memory.texts.indices.map { $0 < list.count ? [list[$0]] : [] } }
        var imported = 0
        var start = 0
        var chunk = 0
        // Chunks of at most ~512 KiB as JSON (escaping can grow a text), under mlgymd's 1 MiB request limit.
        for index in memory.texts.indices {
            let size = (try? JSONEncoder().encode(memory.texts[index]).count) ?? memory.texts[index].utf8.count * 6
            guard size <= 900 << 10 else {
                throw MLGymError(.invalidArgument, "text \(index + 1) is too long to import (\(size) bytes as JSON; \(imported) memories were imported before it)")
            }
            chunk += size + 64
            if chunk > 512 << 10 || index == memory.texts.count - 1 {
                let end = index + 1
                do {
                    let result = try client.client.memoryImport(MemoryImportRequest(
                        scope: scope.name, texts: Array(memory.texts[start..<end]), tags: tags.map { Array($0[start..<end]) }))
                    imported += result.imported
                } catch {
                    throw MLGymError(error.code, "\(error.message) (\(imported) memories were imported before this failed)")
                }
                start = end
                chunk = 0
            }
        }
        print("imported \(imported) memories into \(scope.name)")
    }
}
