import MLGymCore
import MLGymSandbox
import MLGymStore

extension SessionManager {
    /// What a starting daemon does before it accepts requests: sandboxes never outlive the daemon that made them
    /// (mlgym-init exits when its control socket closes, and the kernel then kills the whole sandbox), so every
    /// session the store still calls `creating` or `running` is marked `lost`, and whatever its sandbox left
    /// behind (cgroups, mounts, volumes) is removed.
    ///
    /// Re-adoption was weighed and not chosen: it would need the init control socket to survive the daemon
    /// (passed to systemd's fd store) and the shell's terminal with it, and a half-adopted session is worse than
    /// an honest `lost` that the caller restarts.
    public func recover() async throws(MLGymError) -> (lost: [String], cleaned: [String], interruptedEvaluations: Int) {
        // This daemon owns its runtime directory and cgroup parent alone, and runs no sandbox yet: what records
        // explain goes first, then whatever a daemon killed mid-build left without one.
        let cleaned = engine.removeOrphans() + engine.removeUnrecorded(keeping: Set(live.keys))
        PinnedDirectory.removeLeftovers(in: workspaceStaging)
        let lost = try await store.sessions.markUnhealthyAsLost(
            reason: "mlgymd restarted while the session was active; its sandbox ended with the previous daemon",
            isAlive: { _ in false })
        for record in lost {
            DaemonLog.warning("session \(record.id) (uid \(record.ownerUID)) marked lost: mlgymd restarted")
        }
        // No session is live yet: every volume, workspace and evaluation copy in the state directory is a dead
        // daemon's (the sandboxes' own state directories, and evaluation sandboxes', share one parent).
        let stale = engine.removeStaleState(keeping: Set(live.keys))
        if !stale.isEmpty { DaemonLog.warning("removed the storage of \(stale.count) sandboxes no live session owns") }
        await sweepSnapshots()
        let interrupted = try await store.evaluations.closeInterrupted(
            reason: "the evaluation was interrupted: mlgymd stopped or was killed while it ran; validate again")
        return (lost.map(\.id), cleaned, interrupted)
    }

    /// For a daemon that is stopping: refuses new sessions, then stops every running one and records it as
    /// `stopped` ("mlgymd shut down"). Waits for none of the requests in flight; the server does that first.
    /// Called twice at most (at the end of the grace period and when the server has closed); the second call
    /// waits for the first to finish instead of returning early while sandboxes are still being stopped.
    public func shutdown() async {
        beginStopping()
        await shutdownOnce {
            await self.warmPool?.drain()
            await withTaskGroup(of: Void.self) { group in
                for id in await self.liveIDs() {
                    group.addTask {
                        _ = try? await self.stop(id, for: PeerCredentials(pid: 0, uid: 0, gid: 0), reason: "mlgymd shut down")
                    }
                }
            }
            await self.awaitRemovals()
        }
    }
}
