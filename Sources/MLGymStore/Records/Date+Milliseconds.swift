import Foundation

/// Times are stored as integer milliseconds since the Unix epoch: readable by any SQLite client
/// (`datetime(created_at / 1000, 'unixepoch')`) and exact on a round trip, which a `Double` is not.
extension Date {
    init(unixMilliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(unixMilliseconds) / 1000)
    }

    var unixMilliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }

    /// Now, at the precision the store keeps, so a returned record equals the row read back later.
    static func storeNow() -> Date { Date(unixMilliseconds: Date().unixMilliseconds) }
}
