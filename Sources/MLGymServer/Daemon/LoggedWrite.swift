import MLGymCore

/// A store write whose failure must not stop what the daemon is doing (a session's end is recorded while it is
/// torn down anyway), but must not vanish either: the failure goes to the daemon's log with what was being
/// recorded, instead of an `_ = try?` that drops it.
@discardableResult
func loggedWrite<T>(
    isolation: isolated (any Actor)? = #isolation, _ what: @autoclosure () -> String, _ write: () async throws -> T
) async -> T? {
    do {
        return try await write()
    } catch {
        let message = (error as? MLGymError)?.message ?? "\(error)"
        DaemonLog.warning("could not \(what()): \(message)")
        return nil
    }
}
