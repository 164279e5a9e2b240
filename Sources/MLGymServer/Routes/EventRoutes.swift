import Foundation
import MLGymAPI
import MLGymCore
import NIOHTTP1

/// `GET /v1/events[?runs=ID,ID][&sessions=ID,ID]`: server-sent events of the caller's sessions and runs (root:
/// everyone's) as they change, so that clients (mlgymctl run, a web page) follow them without polling. The
/// stream opens with a comment (`: following`), which says the subscription is in place: read state after it and
/// nothing is missed. A comment every 15 s keeps idle connections alive and finds closed ones.
enum EventRoutes {
    static let heartbeat = Duration.seconds(15)

    static func register(on router: inout Router, feed: ChangeFeed) {
        router.add(.GET, "/v1/events") { request in
            let filter = ChangeFilter(viewer: request.peer, runs: ids(request.query["runs"]), sessions: ids(request.query["sessions"]))
            guard let subscribed = feed.subscribe(filter) else {
                return .error(MLGymError(.invalidState, "mlgymd is stopping; follow again after it restarts"))
            }
            let (token, subscription) = subscribed
            return APIResponse(contentType: "text/event-stream", body: .stream { writer in
                defer { feed.unsubscribe(token) }
                try await writer.write(Array(": following\n\n".utf8))
                // One writer: events, and a comment when nothing happened for a while (a write to a follower that
                // went away fails, which ends the stream).
                while true {
                    switch await subscription.next(idleAfter: heartbeat) {
                    case .change(let change): try await writer.write(frame(event: change.subject.rawValue, change.notice))
                    case .resync: try await writer.write(Array("event: resync\ndata: {}\n\n".utf8))
                    case .idle: try await writer.write(Array(": still here\n\n".utf8))
                    case .closed: return
                    }
                }
            })
        }
    }

    static func frame(event: String, _ notice: ChangeNotice) -> [UInt8] {
        let data = (try? WireCoding.encoder().encode(notice)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return Array("event: \(event)\ndata: \(data)\n\n".utf8)
    }

    private static func ids(_ text: String?) -> Set<String>? {
        guard let text else { return nil }
        return Set(text.split(separator: ",").map { String($0) }.filter { !$0.isEmpty })
    }
}
