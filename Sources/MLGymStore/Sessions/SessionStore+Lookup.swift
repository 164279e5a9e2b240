import Foundation
internal import GRDB
import MLGymCore

extension SessionStore {
    /// Sessions a short reference may mean: those whose id starts with `reference`, and those `nameOwnerUID` named
    /// `reference`; only `ownerUID`'s when given. At most `limit`, oldest first: the caller needs to know only
    /// whether exactly one matched.
    public func sessions(
        matching reference: String, ownerUID: UInt32?, nameOwnerUID: UInt32, limit: Int = 8
    ) async throws(MLGymError) -> [SessionRecord] {
        try await store.read("look up session \(reference)") { db in
            var sql = """
                SELECT \(SessionRecord.selection) FROM sessions
                WHERE (substr(id, 1, length(:reference)) = :reference OR (name = :reference AND owner_uid = :nameOwner))
                """
            var arguments: [String: (any DatabaseValueConvertible)?] = ["reference": reference, "nameOwner": Int64(nameOwnerUID)]
            if let ownerUID {
                sql += " AND owner_uid = :owner"
                arguments["owner"] = Int64(ownerUID)
            }
            sql += " ORDER BY created_at, id LIMIT \(max(1, limit))"
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map(SessionRecord.init(row:))
        }
    }
}
