import MLGymSandbox
import Synchronization

/// Who each sandbox's agent is on the host. A non-root owner's agent runs as the owner (their workspace is theirs,
/// and an agent that escaped could do no more than its owner); root's sessions each get a uid of their own from
/// `base`, so no two of them, and no user of the host, share one. Shared by the session manager and the warm
/// pool: a warm sandbox holds its uid from the moment it is built, and its session keeps it.
final class AgentIdentities: Sendable {
    private let base: UInt32
    /// The uid offset (from `base`) each of root's sandboxes runs its agent as, by sandbox id.
    private let slots = Mutex<[String: UInt32]>([:])

    init(base: UInt32) { self.base = base }

    /// The identity for a new sandbox `id` of `owner`; for root, a uid no other live sandbox has.
    func reserve(for owner: PeerCredentials, sandbox id: String) -> SandboxSpec.Identity {
        guard owner.isAdministrator else { return SandboxSpec.Identity(uid: owner.uid, gid: owner.gid) }
        let uid = slots.withLock { slots in
            let taken = Set(slots.values)
            let slot = (0...UInt32.max).first { !taken.contains($0) } ?? 0
            slots[id] = slot
            return base + slot
        }
        return SandboxSpec.Identity(uid: uid, gid: uid)
    }

    /// Gives sandbox `id`'s uid back (a no-op for a non-root owner's).
    func release(_ id: String) {
        _ = slots.withLock { $0.removeValue(forKey: id) }
    }
}
