import MLGymAPI
import MLGymCore
import NIOHTTP1

/// `/v1/runs`: start agent runs, watch them, stop and resume them, read their trajectories, and give a human
/// run its next action.
enum RunRoutes {
    static func register(on router: inout Router, runs: RunManager) {
        router.add(.POST, "/v1/runs") { request in
            await answer {
                let body = try request.decode(RunRequest.self)
                return .json(try await runs.start(body, owner: request.peer), status: .created)
            }
        }
        router.add(.GET, "/v1/runs") { request in
            await answer {
                .json(try await runs.list(
                    campaign: request.query["campaign"], task: request.query["task"], model: request.query["model"], for: request.peer))
            }
        }
        router.add(.GET, "/v1/runs/{id}") { request in
            await answer { .json(try await runs.describe(request.parameter("id"), for: request.peer)) }
        }
        router.add(.GET, "/v1/runs/{id}/trajectory") { request in
            await answer { .json(try await runs.trajectory(request.parameter("id"), for: request.peer)) }
        }
        router.add(.POST, "/v1/runs/{id}/stop") { request in
            await answer { .json(try await runs.stop(request.parameter("id"), for: request.peer)) }
        }
        router.add(.POST, "/v1/runs/{id}/resume") { request in
            await answer {
                let body = try request.decode(RunResumeRequest.self)
                return .json(try await runs.resume(request.parameter("id"), apiKey: body.apiKey, gpus: body.gpus, for: request.peer))
            }
        }
        router.add(.POST, "/v1/runs/{id}/input") { request in
            await answer {
                let body = try request.decode(RunInput.self)
                try await runs.input(request.parameter("id"), action: body.action, for: request.peer)
                return .noContent
            }
        }
    }
}
