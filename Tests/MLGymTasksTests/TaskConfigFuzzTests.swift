import Foundation
import MLGymCore
import MLGymTasks
import MLGymTestSupport
import Testing

/// The task and dataset YAML readers on random and mutated files (from the shipped ones): each input is read or
/// refused with a message that names the file; none crashes or hangs.
struct TaskConfigFuzzTests {
    static func shipped(_ folder: String) throws -> [String] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("tasks/configs/\(folder)")
        return try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0.hasSuffix(".yaml") }.sorted()
            .map { try String(contentsOf: root.appendingPathComponent($0), encoding: .utf8) }
    }

    @Test func taskAndDatasetFilesAreReadOrRefusedWithTheirNameWhateverTheyHold() throws {
        let tasks = try Self.shipped("tasks"), datasets = try Self.shipped("datasets")
        try #require(!tasks.isEmpty && !datasets.isEmpty)
        var fuzzer = Fuzzer(seed: 0x7A5C, examples: tasks + datasets)
        let count = Fuzzer.inputCount(default: 1500)
        var accepted = 0, refused = 0
        for index in 0..<count {
            let text = fuzzer.text()
            for reader in 0..<2 {
                do {
                    if reader == 0 { _ = try TaskConfig(file: "fuzz-\(index).yaml", text: text) } else { _ = try DatasetConfig(file: "fuzz-\(index).yaml", text: text) }
                    accepted += 1
                } catch {
                    refused += 1
                    #expect(error.message.contains("fuzz-\(index).yaml"), "input \(index): \(error.message)")
                    #expect(!error.message.isEmpty)
                }
            }
        }
        print("fuzz task-yaml: \(count) inputs, \(refused) refused with a message, \(accepted) accepted, 0 crashes")
    }
}
