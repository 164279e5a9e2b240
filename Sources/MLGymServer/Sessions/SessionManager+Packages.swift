import Foundation
import MLGymCore
import MLGymStore
import Synchronization

extension SessionManager {
    /// The most refusals recorded as events per session; an agent that loops on a forbidden host must not fill
    /// the database. The count past it goes to the daemon's log.
    static let maxRecordedRefusals = 100

    /// The policy of `packages` sessions, or a clear error when the operator's index list is unusable.
    nonisolated func packageIndexPolicy() throws(MLGymError) -> PackageIndexPolicy {
        do {
            return try PackageIndexPolicy(indexes: configuration.packageIndexes)
        } catch {
            throw MLGymError(.system, "network packages is unavailable: \(error.message) (fix mlgymd's --package-index)")
        }
    }

    /// Records each refusal of the session's package proxy as a `network_refused` event, the first
    /// `maxRecordedRefusals` of them.
    nonisolated func networkRefusalRecorder(session id: String) -> @Sendable (String, String) -> Void {
        let count = RefusalCount()
        let store = store
        return { target, reason in
            let (_, seen) = count.value.add(1, ordering: .relaxed)
            guard seen <= Self.maxRecordedRefusals else {
                if seen == Self.maxRecordedRefusals + 1 {
                    DaemonLog.warning("session \(id): more than \(Self.maxRecordedRefusals) refused connections; no more are recorded")
                }
                return
            }
            let details = (try? JSONSerialization.data(withJSONObject: ["target": target, "reason": reason], options: [.sortedKeys])) ?? Data("{}".utf8)
            Task { await loggedWrite("record a refused connection of session \(id)") { try await store.sessions.recordEvent(id, kind: .networkRefused, details: details) } }
        }
    }
}

/// Refusals so far, shared by a session's proxy connections.
private final class RefusalCount: Sendable {
    let value = Atomic<Int>(0)
}
