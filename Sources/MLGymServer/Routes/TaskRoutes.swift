import MLGymAPI
import MLGymCore
import NIOHTTP1

/// `/v1/tasks`: the benchmark tasks this daemon has, and whether each can run on this host.
enum TaskRoutes {
    static func register(on router: inout Router, catalog: TaskCatalog) {
        router.add(.GET, "/v1/tasks") { _ in
            await answer { .json(await catalog.list()) }
        }
        router.add(.GET, "/v1/tasks/{id}") { request in
            await answer { .json(try await catalog.describe(request.parameter("id"))) }
        }
    }
}
