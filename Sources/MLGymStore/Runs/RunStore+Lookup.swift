import Foundation
internal import GRDB
import MLGymCore

extension RunStore {
    /// Runs whose id starts with `prefix`; only `ownerUID`'s when given. At most `limit`, oldest first.
    public func runs(idPrefix prefix: String, ownerUID: UInt32?, limit: Int = 8) async throws(MLGymError) -> [AgentRunRecord] {
        try await store.read("look up run \(prefix)") { db in
            var sql = "SELECT \(AgentRunRecord.selection) FROM runs WHERE substr(id, 1, length(:prefix)) = :prefix"
            var arguments: [String: (any DatabaseValueConvertible)?] = ["prefix": prefix]
            if let ownerUID {
                sql += " AND owner_uid = :owner"
                arguments["owner"] = Int64(ownerUID)
            }
            sql += " ORDER BY created_at, rowid LIMIT \(max(1, limit))"
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map(AgentRunRecord.init(row:))
        }
    }
}
