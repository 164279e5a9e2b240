import MLGymAPI
import MLGymCore
import NIOHTTP1

/// `/v1/sessions` and `/v1/sessions/{id}`: create, list, describe, stop, remove, logs.
enum SessionRoutes {
    static func register(on router: inout Router, manager: SessionManager) {
        router.add(.POST, "/v1/sessions") { request in
            await answer {
                let spec = try request.decode(SessionSpec.self)
                return .json(try await manager.create(spec, owner: request.peer), status: .created)
            }
        }
        router.add(.GET, "/v1/sessions") { request in
            await answer { .json(SessionList(sessions: try await manager.list(for: request.peer))) }
        }
        router.add(.GET, "/v1/sessions/{id}") { request in
            await answer { .json(try await manager.describe(request.parameter("id"), for: request.peer)) }
        }
        router.add(.DELETE, "/v1/sessions/{id}") { request in
            await answer {
                try await manager.remove(request.parameter("id"), for: request.peer, force: request.flag("force"))
                return .noContent
            }
        }
        router.add(.POST, "/v1/sessions/{id}/stop") { request in
            await answer { .json(try await manager.stop(request.parameter("id"), for: request.peer)) }
        }
        router.add(.GET, "/v1/sessions/{id}/logs") { request in
            await answer {
                // The last 100 commands unless asked for more (`?execs=N`, or `?execs=all`): each may carry up to
                // --exec-output-limit of output.
                let limit: Int? = request.query["execs"] == "all" ? nil : (request.query["execs"].flatMap(Int.init) ?? 100)
                return .json(try await manager.logs(request.parameter("id"), for: request.peer, execLimit: limit))
            }
        }
    }
}

/// Runs a route's body and turns its error into the API's error answer.
func answer(_ body: () async throws -> APIResponse) async -> APIResponse {
    do {
        return try await body()
    } catch let error as MLGymError {
        return .error(error)
    } catch {
        return .error(MLGymError(.system, "\(error)"))
    }
}
