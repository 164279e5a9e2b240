import MLGymAPI
import MLGymCore
import NIOCore
import NIOHTTP1

/// `/v1/sessions/{id}/snapshots`, `/fork` and `/restore`: capture a session's writable state, start new
/// sessions from it, roll a session back to it. `{id}` of a snapshot is `SESSION@NUMBER` or `SESSION@NAME`.
enum SnapshotRoutes {
    static func register(on router: inout Router, manager: SessionManager) {
        router.add(.POST, "/v1/sessions/{id}/snapshots") { request in
            await answer {
                let body = request.body.readableBytes == 0 ? SnapshotRequest() : try request.decode(SnapshotRequest.self)
                return .json(try await manager.snapshot(request.parameter("id"), name: body.name, for: request.peer), status: .created)
            }
        }
        router.add(.GET, "/v1/sessions/{id}/snapshots") { request in
            await answer { .json(try await manager.snapshots(request.parameter("id"), for: request.peer)) }
        }
        router.add(.DELETE, "/v1/sessions/{id}/snapshots/{snapshot}") { request in
            await answer {
                try await manager.removeSnapshot(request.parameter("id") + "@" + request.parameter("snapshot"), for: request.peer)
                return .noContent
            }
        }
        router.add(.POST, "/v1/sessions/{id}/fork") { request in
            await answer {
                let body = request.body.readableBytes == 0 ? ForkRequest() : try request.decode(ForkRequest.self)
                return .json(try await manager.fork(request.parameter("id"), body, for: request.peer), status: .created)
            }
        }
        router.add(.POST, "/v1/sessions/{id}/restore") { request in
            await answer {
                let body = try request.decode(RestoreRequest.self)
                return .json(try await manager.restore(request.parameter("id"), body, for: request.peer))
            }
        }
    }
}
