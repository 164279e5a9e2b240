import Foundation
import MLGymAPI
import Synchronization

/// Something that changed in mlgymd, as `GET /v1/events` tells it: which session or run, whose, and its state.
struct Change: Sendable, Equatable {
    enum Subject: String, Sendable {
        case session, run
    }

    var subject: Subject
    var id: String
    /// Whose it is: only they (and root) are told.
    var ownerUID: UInt32
    var state: String?

    var notice: ChangeNotice { ChangeNotice(id: id, state: state) }
}

/// Which changes a follower is told: its own (root: all), and of those only the sessions and runs it named, when
/// it named any.
struct ChangeFilter: Sendable {
    var viewer: PeerCredentials
    var runs: Set<String>?
    var sessions: Set<String>?

    func admits(_ change: Change) -> Bool {
        guard viewer.isAdministrator || change.ownerUID == viewer.uid else { return false }
        switch change.subject {
        case .run: return runs.map { $0.contains(change.id) } ?? (sessions == nil)
        case .session: return sessions.map { $0.contains(change.id) } ?? (runs == nil)
        }
    }
}

/// Where the session and run managers publish changes and `GET /v1/events` followers receive them.
///
/// Publishing never waits: each follower has a bounded queue (`ChangeSubscription`), so a follower that reads
/// slowly, or not at all, costs a fixed amount of memory and slows no one.
final class ChangeFeed: Sendable {
    private struct State {
        var nextToken: UInt64 = 0
        var followers: [UInt64: (filter: ChangeFilter, subscription: ChangeSubscription)] = [:]
        var closed = false
    }
    private let state = Mutex(State())

    /// A new follower; nil once the feed is closed (the daemon is stopping).
    func subscribe(_ filter: ChangeFilter) -> (token: UInt64, subscription: ChangeSubscription)? {
        let subscription = ChangeSubscription()
        let token = state.withLock { state -> UInt64? in
            guard !state.closed else { return nil }
            state.nextToken += 1
            state.followers[state.nextToken] = (filter, subscription)
            return state.nextToken
        }
        guard let token else { return nil }
        return (token, subscription)
    }

    func unsubscribe(_ token: UInt64) {
        let removed = state.withLock { $0.followers.removeValue(forKey: token) }
        removed?.subscription.close()
    }

    func publish(_ change: Change) {
        let targets = state.withLock { state in state.followers.values.filter { $0.filter.admits(change) }.map(\.subscription) }
        for subscription in targets { subscription.push(change) }
    }

    /// How many follow now (for `GET /v1/info` and tests).
    var followerCount: Int { state.withLock { $0.followers.count } }

    /// Ends every follower's stream and refuses new ones.
    func close() {
        let all = state.withLock { state -> [ChangeSubscription] in
            state.closed = true
            defer { state.followers = [:] }
            return state.followers.values.map(\.subscription)
        }
        for subscription in all { subscription.close() }
    }
}
