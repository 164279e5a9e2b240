import Foundation
internal import GRDB
import MLGymCore

/// Answers of literature sources, by request, for offline repeats.
public final class LiteratureCache: Sendable {
    let store: Store

    init(store: Store) {
        self.store = store
    }

    public struct Entry: Sendable, Equatable {
        public var source: String
        public var answer: Data
        public var fetchedAt: Date
    }

    public func entry(_ key: String) async throws(MLGymError) -> Entry? {
        try await store.read("read the literature cache") { db in
            try Row.fetchOne(db, sql: "SELECT source, answer, fetched_at FROM literature_cache WHERE key = ?", arguments: [key]).map { row in
                let answer: String = row["answer"]
                return Entry(source: row["source"], answer: Data(answer.utf8), fetchedAt: Date(unixMilliseconds: row["fetched_at"]))
            }
        }
    }

    public func save(_ key: String, source: String, answer: Data) async throws(MLGymError) {
        try await store.write("write the literature cache") { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO literature_cache (key, source, answer, fetched_at) VALUES (?, ?, ?, ?)",
                arguments: [key, source, String(decoding: answer, as: UTF8.self), Date().unixMilliseconds])
        }
    }
}
