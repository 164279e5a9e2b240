import MLGymCore
import MLGymSandbox
import Testing

@testable import MLGymServer

/// Which shapes the warm pool stops keeping when a new one is asked for: a member holds one at most, and the pool
/// holds `maxShapes`, dropping the one asked for longest ago.
struct WarmPoolShapeTests {
    static func shape(_ agent: WarmSandboxShape.Agent, disk: UInt64) -> WarmSandboxShape {
        var spec = SandboxSpec()
        spec.limits.diskBytes = disk
        return WarmSandboxShape(spec, agent: agent)!
    }

    let rootDefault = shape(.ownUID, disk: 20 << 30)
    let alice = WarmSandboxShape.Agent.fixed(uid: 2001, gid: 2001)
    let bob = WarmSandboxShape.Agent.fixed(uid: 2002, gid: 2002)

    @Test func aMemberReplacesTheirOwnShapeInsteadOfEvictingOthers() {
        let aliceSmall = Self.shape(alice, disk: 1 << 30), aliceLarge = Self.shape(alice, disk: 2 << 30)
        let bobs = Self.shape(bob, disk: 1 << 30)
        #expect(WarmPool.shapesToDrop(recent: [rootDefault, bobs, aliceSmall], adding: aliceLarge) == [aliceSmall])
        // Cycling through new shapes never touches root's or bob's.
        var recent = [rootDefault, bobs]
        for size in 1...20 {
            let next = Self.shape(alice, disk: UInt64(size) << 30)
            let dropped = WarmPool.shapesToDrop(recent: recent, adding: next)
            #expect(!dropped.contains(rootDefault) && !dropped.contains(bobs))
            recent.removeAll { dropped.contains($0) }
            recent.append(next)
            #expect(recent.count == 3)
        }
    }

    @Test func theOldestShapeGoesWhenThePoolIsFull() {
        let shapes = (1...WarmPool.maxShapes).map { Self.shape(.ownUID, disk: UInt64($0) << 30) }
        let newest = Self.shape(.ownUID, disk: 99 << 30)
        #expect(WarmPool.shapesToDrop(recent: shapes, adding: newest) == [shapes[0]])
        // Asking again for a shape it keeps drops nothing.
        #expect(WarmPool.shapesToDrop(recent: shapes, adding: shapes[0]).isEmpty)
    }
}
