import MLGymAPI
import MLGymCore
import NIOHTTP1

/// `/v1/sessions/{id}/evaluations`: validate or submit a task session's artefact (from outside the sandbox;
/// the agent inside uses its own socket), and the session's evaluation record.
enum EvaluationRoutes {
    static func register(on router: inout Router, manager: SessionManager) {
        router.add(.POST, "/v1/sessions/{id}/evaluations") { request in
            await answer {
                let body = try request.decode(EvaluationRequest.self)
                return .json(try await manager.evaluate(request.parameter("id"), kind: body.kind, for: request.peer), status: .created)
            }
        }
        router.add(.GET, "/v1/sessions/{id}/evaluations") { request in
            await answer { .json(try await manager.evaluations(request.parameter("id"), for: request.peer)) }
        }
    }
}
