import Foundation
import MLGymCore
import MLGymStore
import Testing
@testable import MLGymServices

/// The memory over a real SQLite store, with the built-in embedder.
@Suite struct MemoryServiceTests {
    func withMemory(_ body: (MemoryService, String) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.path + "/mlgym-memory-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await body(MemoryService(store: try Store(stateDirectory: directory), embedder: LexicalEmbedder()), directory)
    }

    static let findings = [
        "AdamW with lr 3e-4 and cosine decay reached 92.1% validation accuracy on Fashion-MNIST after 20 epochs",
        "SGD with momentum 0.9 and lr 0.1 plateaued at 90.4% on Fashion-MNIST",
        "weight_decay 0.05 hurt the small CNN: accuracy fell by two points",
        "tit-for-tat with a final-round defection beats plain tit-for-tat in the prisoners dilemma",
        "the house price model improved when log-transforming SalePrice before gradient boosting",
    ]

    @Test func aSearchFindsTheMemoryByMeaningAndByExactTerm() async throws {
        try await withMemory { memory, _ in
            for text in Self.findings { _ = try await memory.write(owner: 1000, scope: "task:fmnist", text: text) }
            let exact = try await memory.search(owner: 1000, scope: "task:fmnist", query: "weight_decay 0.05")
            #expect(exact.first?.memory.text == Self.findings[2])
            let topical = try await memory.search(owner: 1000, scope: "task:fmnist", query: "which optimizer worked best on fashion mnist", k: 2)
            #expect(Set(topical.map(\.memory.text)) == Set(Self.findings[0...1]))
            #expect(topical.allSatisfy { $0.similarity > 0 && $0.similarity <= 1.0001 })
            let game = try await memory.search(owner: 1000, scope: "task:fmnist", query: "prisoners dilemma strategy", k: 1, mode: .cosine)
            #expect(game.first?.memory.text == Self.findings[3])
            let lexical = try await memory.search(owner: 1000, scope: "task:fmnist", query: "SalePrice", k: 1, mode: .lexical)
            #expect(lexical.first?.memory.text == Self.findings[4])
        }
    }

    @Test func theTagIsTheThreeWordsClosestToTheWholeText() async throws {
        try await withMemory { memory, _ in
            let record = try await memory.write(owner: 1000, scope: "s", text: Self.findings[0], tags: ["optimizer"])
            #expect(record.tags.count == 2)
            #expect(record.tags[0].split(separator: " ").count == 3)
            #expect(Self.findings[0].lowercased().contains(record.tags[0]))
            #expect(record.tags[1] == "optimizer")
            let short = try await memory.write(owner: 1000, scope: "s", text: "two words")
            #expect(short.tags.isEmpty, "MLGym gives texts of fewer than three words no tag")
            let summary = try await memory.summary(owner: 1000, scope: "s")
            #expect(summary.count == 2)
            #expect(summary.tags == [record.tags[0], "optimizer"].sorted())
        }
    }

    @Test func memoriesOutliveTheServiceAndStayTheirOwners() async throws {
        try await withMemory { memory, directory in
            _ = try await memory.write(owner: 1000, scope: "shared-name", text: Self.findings[0])
            _ = try await memory.write(owner: 2000, scope: "shared-name", text: Self.findings[3])
            let reopened = MemoryService(store: try Store(stateDirectory: directory), embedder: LexicalEmbedder())
            let mine = try await reopened.search(owner: 1000, scope: "shared-name", query: "prisoners dilemma", k: 5)
            #expect(mine.map(\.memory.text) == [Self.findings[0]], "another uid's memory never shows")
            #expect(try await reopened.list(owner: 2000, scope: "shared-name").map(\.text) == [Self.findings[3]])
            let id = try #require(mine.first?.memory.id)
            #expect(try await reopened.delete(owner: 2000, ids: [id]) == 0, "not theirs to remove")
            #expect(try await reopened.delete(owner: 1000, ids: [id]) == 1)
            #expect(try await reopened.search(owner: 1000, scope: "shared-name", query: "adamw").isEmpty)
        }
    }

    @Test func anImportIsSearchableAndExportsAsMLGymsMemoryJSON() async throws {
        try await withMemory { memory, _ in
            let count = try await memory.importTexts(owner: 1000, scope: "imported", texts: Self.findings, tags: Self.findings.map { _ in ["note"] })
            #expect(count == Self.findings.count)
            let hit = try await memory.search(owner: 1000, scope: "imported", query: "log-transforming SalePrice", k: 1)
            #expect(hit.first?.memory.text == Self.findings[4])
            let exported = try await memory.export(owner: 1000, scope: "imported")
            #expect(exported.texts == Self.findings)
            #expect(exported.embeddings.count == Self.findings.count && exported.embeddings.allSatisfy { $0.count == 384 })
            #expect(exported.tags == Array(repeating: "note", count: Self.findings.count))
        }
    }

    @Test func theLexicalEmbedderIsDeterministicAndSensitiveToSharedWords() {
        let embedder = LexicalEmbedder()
        let a = embedder.vector("AdamW with lr 3e-4 reached 92.1% accuracy")
        #expect(a == embedder.vector("AdamW with lr 3e-4 reached 92.1% accuracy"))
        #expect(abs(Vectors.dot(a, a) - 1) < 1e-5)
        let related = Vectors.dot(a, embedder.vector("lr 3e-4 with AdamW"))
        let unrelated = Vectors.dot(a, embedder.vector("the opponent defects in the last round"))
        #expect(related > unrelated + 0.2)
        #expect(LexicalEmbedder.words("weight_decay=0.05, lr 3e-4.") == ["weight_decay", "weight", "decay", "0.05", "lr", "3e-4"])
        // A fixed hash: vectors must not change between processes or versions of Swift.
        #expect(LexicalEmbedder.fnv1a("mlgym") == 0x036d_d97b_8577_513f)
    }

    @Test func aHitsRowIsFoundByBinarySearchOverTheAscendingIds() {
        let ids: [Int64] = [3, 8, 9, 20, 41]
        #expect(ids.map { MemoryService.position(of: $0, in: ids) } == [0, 1, 2, 3, 4])
        #expect(MemoryService.position(of: 10, in: ids) == nil)
        #expect(MemoryService.position(of: 1, in: []) == nil)
    }

    @Test func badInputIsRefusedWithAReason() async throws {
        try await withMemory { memory, _ in
            await #expect(throws: MLGymError.self) { try await memory.write(owner: 1, scope: "s", text: "   ") }
            await #expect(throws: MLGymError.self) { try await memory.search(owner: 1, scope: "s", query: "") }
            await #expect(throws: MLGymError.self) { try await memory.search(owner: 1, scope: "s", query: "x", k: 0) }
            #expect(try await memory.search(owner: 1, scope: "empty", query: "anything").isEmpty)
            // Punctuation-only and quote-laden queries cannot break the term index's query syntax.
            _ = try await memory.write(owner: 1, scope: "s", text: "a \"quoted\" note about NEAR and OR operators")
            #expect(try await memory.search(owner: 1, scope: "s", query: "\" OR NEAR( * -- \"quoted\"", mode: .lexical).count == 1)
        }
    }
}
