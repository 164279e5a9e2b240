import MLGymCore
import MLGymSandbox

/// Sandboxes built ahead (`mlgymd --warm-pool N`): cgroup made, namespaces, mounts, volume, mlgym-init and the
/// shell ready, so that `start` only has to apply its limits. N are kept for each of the last few shapes that
/// sessions asked for (`WarmSandboxShape`); root's default session shape is warmed from the daemon's start.
///
/// A sandbox leaves the pool once, to one session, and is never returned: a session's end destroys it like any
/// other, and the pool builds a fresh one in the background. Nothing of one session can reach the next.
actor WarmPool {
    /// A sandbox with its shell, ready for a session.
    struct Warm: Sendable {
        let sandbox: Sandbox
        let shell: PersistentShell
    }

    /// Sandboxes kept per shape.
    let size: Int
    /// Shapes kept warm at once; the one asked for longest ago is dropped for a new one.
    static let maxShapes = 4

    private let engine: SandboxEngine
    private let identities: AgentIdentities
    private var ready: [WarmSandboxShape: [Warm]] = [:]
    private var templates: [WarmSandboxShape: SandboxSpec] = [:]
    /// Shapes by last use, most recent last.
    private var recent: [WarmSandboxShape] = []
    /// The build loop of each shape being filled, so that `drain` can wait for a build in flight.
    private var filling: [WarmSandboxShape: Task<Void, Never>] = [:]
    private var closed = false

    init(size: Int, engine: SandboxEngine, identities: AgentIdentities) {
        self.size = size
        self.engine = engine
        self.identities = identities
    }

    /// A warm sandbox of `shape`, or nil when none is ready (the caller builds one; `want` then warms the shape).
    /// The caller calls `replenish` once it has answered: on a small host the build of the replacement would
    /// otherwise compete with the very start it replaces.
    func take(_ shape: WarmSandboxShape) -> Warm? {
        guard !closed, templates[shape] != nil else { return nil }
        touch(shape)
        while var list = ready[shape], !list.isEmpty {
            let warm = list.removeFirst()
            ready[shape] = list
            // Its init may have died while it waited (the OOM killer, an operator's kill): never hand that out.
            if warm.sandbox.isStopping || warm.shell.hasEnded {
                discard(warm)
                continue
            }
            return warm
        }
        fill(shape)
        return nil
    }

    /// Builds sandboxes of `shape` in the background until `size` are ready again.
    func replenish(_ shape: WarmSandboxShape) {
        fill(shape)
    }

    /// Keeps `shape` warm from now on, built from `spec` (see `WarmSandboxShape.template`).
    func want(_ shape: WarmSandboxShape, spec: SandboxSpec) {
        guard !closed, size > 0 else { return }
        if templates[shape] == nil {
            for old in Self.shapesToDrop(recent: recent, adding: shape) { forget(old) }
            templates[shape] = WarmSandboxShape.template(from: spec)
        }
        touch(shape)
        fill(shape)
    }

    /// Sandboxes ready now, over every shape.
    var readyCount: Int { ready.values.reduce(0) { $0 + $1.count } }

    /// Stops every warm sandbox and builds no more (the daemon is stopping).
    func drain() async {
        closed = true
        // A sandbox being built now is stopped by its loop when the build ends.
        for loop in filling.values { await loop.value }
        let all = ready.values.flatMap { $0 }
        ready = [:]
        templates = [:]
        await withTaskGroup(of: Void.self) { group in
            for warm in all { group.addTask { await self.retire(warm) } }
        }
    }

    /// The shapes to stop keeping warm when `shape` is added to `recent` (oldest first): a member's previous shape
    /// (each member keeps one, so a member who starts sessions of ever new shapes replaces their own instead of
    /// evicting everyone else's), then the oldest while more than `maxShapes` would remain.
    static func shapesToDrop(recent: [WarmSandboxShape], adding shape: WarmSandboxShape) -> [WarmSandboxShape] {
        var kept = recent.filter { $0 != shape }
        var dropped: [WarmSandboxShape] = []
        if case .fixed(let uid, _) = shape.agent {
            let own = kept.filter { if case .fixed(uid, _) = $0.agent { true } else { false } }
            dropped += own
            kept.removeAll { own.contains($0) }
        }
        while kept.count + 1 > maxShapes {
            dropped.append(kept.removeFirst())
        }
        return dropped
    }

    private func touch(_ shape: WarmSandboxShape) {
        recent.removeAll { $0 == shape }
        recent.append(shape)
    }

    private func forget(_ shape: WarmSandboxShape) {
        templates[shape] = nil
        recent.removeAll { $0 == shape }
        for warm in ready.removeValue(forKey: shape) ?? [] { discard(warm) }
    }

    private func fill(_ shape: WarmSandboxShape) {
        guard !closed, filling[shape] == nil, templates[shape] != nil, ready[shape, default: []].count < size else { return }
        filling[shape] = Task { await self.fillLoop(shape) }
    }

    /// Builds sandboxes of `shape`, one at a time, until `size` are ready. A failure ends the loop (and is logged):
    /// the next `take` or `want` tries again, so a full disk does not become a busy loop.
    private func fillLoop(_ shape: WarmSandboxShape) async {
        defer { filling[shape] = nil }
        while !closed, let template = templates[shape], ready[shape, default: []].count < size {
            let warm: Warm
            do {
                warm = try await build(template, agent: shape.agent)
            } catch {
                let message = (error as? MLGymError)?.message ?? "\(error)"
                DaemonLog.warning("warm pool: cannot build a sandbox ahead: \(message)")
                return
            }
            guard !closed, templates[shape] != nil else {
                await retire(warm)
                return
            }
            ready[shape, default: []].append(warm)
        }
    }

    private nonisolated func build(_ template: SandboxSpec, agent: WarmSandboxShape.Agent) async throws -> Warm {
        let id = SandboxEngine.newID()
        var spec = template
        switch agent {
        case .ownUID: spec.identity = identities.reserve(for: PeerCredentials(pid: 0, uid: 0, gid: 0), sandbox: id)
        case .fixed(let uid, let gid): spec.identity = SandboxSpec.Identity(uid: uid, gid: gid)
        }
        do {
            let sandbox = try await engine.create(spec, id: id)
            do {
                return Warm(sandbox: sandbox, shell: try await PersistentShell.start(in: sandbox))
            } catch {
                await sandbox.stop()
                throw error
            }
        } catch {
            identities.release(id)
            throw error
        }
    }

    /// Retires `warm` in the background (it is never handed out).
    private func discard(_ warm: Warm) {
        Task { await self.retire(warm) }
    }

    /// Stops `warm` and gives its agent uid back.
    private nonisolated func retire(_ warm: Warm) async {
        await warm.sandbox.stop()
        identities.release(warm.sandbox.id)
    }
}
