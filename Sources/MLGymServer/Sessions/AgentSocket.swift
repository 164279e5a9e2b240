import Foundation
import Glibc
import MLGymAPI
import MLGymCore
import NIOHTTP1
import NIOPosix

/// A session's own socket, bound into its sandbox at `sandboxPath`: the agent's `validate`, `submit`,
/// `memory_write` and `memory_read` reach mlgymd through it, and it allows nothing else. It is fixed to one session when it is made, so nothing the
/// agent sends can name another session, and none of the daemon's other routes exist on it.
final class AgentSocket: Sendable {
    /// Where the agent's tools find it inside the sandbox (`MLGYM_AGENT_SOCKET`).
    static let sandboxPath = "/run/mlgym/agent.sock"

    /// What the agent may use beyond validate and submit.
    struct Services: Sendable {
        var memory = false
        var literature = false
    }

    let path: String
    private let server: HTTPServer
    private let serving: Task<Void, Never>

    private init(path: String, server: HTTPServer, serving: Task<Void, Never>) {
        self.path = path
        self.server = server
        self.serving = serving
    }

    /// Listens on `path` for session `sessionID`. The socket is `owner`'s (the agent's host uid) with mode 0600,
    /// in a directory only root can list: no other user of the host can submit for the session.
    static func open(
        at path: String, owner: (uid: UInt32, gid: UInt32), sessionID: String, manager: SessionManager,
        services: Services = Services(), sharing group: MultiThreadedEventLoopGroup
    ) async throws(MLGymError) -> AgentSocket {
        let directory = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        chmod(directory, 0o700)
        // Requests on this socket act for the session, whatever uid the agent runs as: the socket is the capability.
        let authority = PeerCredentials(pid: 0, uid: 0, gid: 0)
        var router = Router()
        for kind in ["validate", "submit"] {
            router.add(.POST, "/v1/\(kind)") { request in
                // The caller's pid (SO_PEERCRED) lets a snapshot at this validate read the shell's exports from it.
                let caller = PeerCredentials(pid: request.peer.pid, uid: authority.uid, gid: authority.gid)
                return await answer { .json(try await manager.evaluate(sessionID, kind: kind, for: caller)) }
            }
        }
        router.add(.GET, "/v1/evaluations") { _ in
            await answer { .json(try await manager.evaluations(sessionID, for: authority)) }
        }
        router.add(.GET, "/v1/task") { _ in
            await answer { .json(try await manager.taskOfSession(sessionID, for: authority)) }
        }
        // The memory and literature routes exist only when the session was started with them: without, the
        // tools are told so, and the agent can neither read earlier runs' findings nor reach the network.
        let notEnabled: @Sendable (String) -> APIResponse = { what in
            .error(MLGymError(.permissionDenied, "\(what) is not enabled for this session (runs: --with-memory or --with-literature; sessions: mlgymctl start --with-memory/--with-literature)"))
        }
        router.add(.POST, "/v1/memory") { request in
            guard services.memory else { return notEnabled("the memory") }
            return await answer { .json(try await manager.agentMemoryWrite(sessionID, try request.decode(MemoryWriteRequest.self)), status: .created) }
        }
        router.add(.POST, "/v1/memory/search") { request in
            guard services.memory else { return notEnabled("the memory") }
            return await answer { .json(try await manager.agentMemorySearch(sessionID, try request.decode(MemorySearchRequest.self))) }
        }
        router.add(.GET, "/v1/memory/summary") { _ in
            guard services.memory else { return notEnabled("the memory") }
            return await answer { .json(try await manager.agentMemorySummary(sessionID)) }
        }
        if services.literature, let literature = manager.literature {
            router.add(.POST, "/v1/literature/search") { request in
                await answer { .json(try await LiteratureRoutes.search(try request.decode(LiteratureSearchRequest.self), services: literature)) }
            }
            router.add(.POST, "/v1/literature/pdf") { request in
                await answer { .json(try await LiteratureRoutes.pdf(try request.decode(PDFTextRequest.self), services: literature)) }
            }
        } else {
            for route in ["/v1/literature/search", "/v1/literature/pdf"] {
                router.add(.POST, route) { _ in notEnabled("literature search") }
            }
        }
        var limits = HTTPServer.Limits()
        limits.maxConnectionsPerUID = 8
        // Room for a PDF of the workspace sent to parse_pdf (base64 of up to 32 MiB).
        limits.maxBodyBytes = services.literature ? 48 << 20 : 1 << 20
        let server = HTTPServer(
            listener: .path(path, mode: 0o600, group: nil), router: router, limits: limits,
            isWebSocketPath: { _ in false }, webSocketHandler: { _ in }, sharing: group)
        let listening: HTTPServer.Listening
        do {
            listening = try await server.bind()
        } catch {
            throw MLGymError(.system, "cannot open the agent socket \(path): \(error)")
        }
        guard chown(path, owner.uid, owner.gid) == 0 else {
            server.shutdown()
            throw MLGymError(.system, "cannot give the agent socket \(path) to uid \(owner.uid): \(String(cString: strerror(errno)))")
        }
        let serving = Task { _ = try? await server.run(listening) }
        return AgentSocket(path: path, server: server, serving: serving)
    }

    /// Stops serving, ends open connections and removes the socket file.
    func close() async {
        server.shutdown()
        server.closeAllConnections()
        await serving.value
        unlink(path)
    }
}
