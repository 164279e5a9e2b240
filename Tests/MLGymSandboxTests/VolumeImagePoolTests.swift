import Foundation
import Glibc
import MLGymCore
import MLGymSandbox
import MLGymTestSupport
import Testing

/// Volumes formatted ahead: a sandbox's volume is a pool image (moved, never copied), no pool image is ever
/// mounted, and a taken image never comes back, so a second sandbox finds nothing of the first.
@Suite(.enabled(if: SandboxHarness.canRun, "needs root"), .serialized)
struct VolumeImagePoolTests {
    let harness: SandboxHarness
    init() throws { harness = try SandboxHarness() }

    func inode(_ path: String) -> UInt64? {
        var info = stat()
        return stat(path, &info) == 0 ? UInt64(info.st_ino) : nil
    }

    /// The pool fills on a utility queue; wait for it (generously: this is not a timing assertion).
    func waitUntilFull(_ pool: VolumeImagePool) throws {
        for _ in 0..<1200 where pool.readyImages.count < pool.depth { usleep(50_000) }
        try #require(pool.readyImages.count == pool.depth, "the pool did not fill")
    }

    @Test func aSandboxVolumeIsAFreshPoolImageAndNeverReturns() async throws {
        defer { try? FileManager.default.removeItem(atPath: harness.root) }
        let pool = try #require(harness.engine.volumePool)
        pool.prepare(sizeBytes: 32 << 20)
        try waitUntilFull(pool)
        let pooled = Dictionary(uniqueKeysWithValues: pool.readyImages.compactMap { path in inode(path).map { ($0, path) } })
        let mounts = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
        #expect(!mounts.contains(VolumeImagePool.directoryName), "no pool image is mounted")

        let first = try await harness.engine.create(try harness.spec { spec in
            spec.workspaceHostPath = nil
            spec.limits.diskBytes = 32 << 20
        })
        let image = harness.root + "/state/" + first.id + "/volume.img"
        let taken = try #require(inode(image))
        #expect(pooled[taken] != nil, "the volume is one of the pool's images")
        #expect(!pool.readyImages.contains(pooled[taken] ?? ""), "and it left the pool")
        let wrote = try await first.run(["/bin/sh", "-c", "echo secret > /home/agent/workspace/left-behind && df -k /home/agent/workspace | tail -1"])
        #expect(wrote.status == .exited(0), "\(wrote.errorOutput)")
        await first.stop()
        #expect(inode(image) == nil, "the used image is deleted, not returned")
        #expect(!pool.readyImages.contains { inode($0) == taken })

        try waitUntilFull(pool)
        let second = try await harness.engine.create(try harness.spec { spec in
            spec.workspaceHostPath = nil
            spec.limits.diskBytes = 32 << 20
        })
        let look = try await second.run(["/bin/sh", "-c", "ls -A /home/agent/workspace; ls -A /home/agent/workspace/.. | head -5"])
        #expect(!look.output.contains("left-behind"), "\(look.output)")
        await second.stop()

        // A size nobody prepared for: the volume is made on the spot, and the pool turns to that size.
        let other = try await harness.engine.create(try harness.spec { spec in
            spec.workspaceHostPath = nil
            spec.limits.diskBytes = 24 << 20
        })
        let size = try await other.run(["/bin/sh", "-c", "df -k /home/agent/workspace | tail -1 | awk '{print $2}'"])
        #expect((Int(size.output.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) < 25 * 1024, "\(size.output)")
        await other.stop()
        pool.stop()
        #expect(pool.readyImages.isEmpty)
    }
}
