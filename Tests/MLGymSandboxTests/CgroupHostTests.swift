import Foundation
import MLGymCore
@testable import MLGymSandbox
import Testing

/// Discovery from the text of /proc/self/cgroup and /proc/self/mountinfo, for each kind of host.
@Suite("Cgroup discovery")
struct CgroupHostTests {
    /// The build machine: v1 controllers on their own mounts, memory nested, cgroup2 at unified/ with hugetlb.
    static let hybridCgroup = """
        9:name=systemd:/
        8:pids:/
        7:blkio:/
        6:freezer:/
        5:devices:/
        4:memory:/process_api/32127cc333807f13a131a189a43dbaa7
        3:cpuset:/
        2:cpuacct:/
        1:cpu:/
        0::/
        """
    static let hybridMounts = """
        23 1 0:21 / /sys rw,nosuid,nodev,noexec,relatime - sysfs sysfs rw
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
        33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
        34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
        35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
        37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
        38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
        39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
        40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        """

    @Test func hybridHostHasV1ControllersAndAnEmptyUnifiedHierarchy() throws {
        let host = try CgroupHost.parse(procSelfCgroup: Self.hybridCgroup, mountInfo: Self.hybridMounts) { directory in
            directory == "/sys/fs/cgroup/unified" ? "hugetlb\n" : nil
        }
        #expect(host.mode == .hybrid)
        #expect(host.hierarchy(for: "memory")?.ownDirectory == "/sys/fs/cgroup/memory/process_api/32127cc333807f13a131a189a43dbaa7")
        #expect(host.hierarchy(for: "pids")?.ownDirectory == "/sys/fs/cgroup/pids")
        #expect(host.hierarchy(for: "cpuacct")?.mountPoint == "/sys/fs/cgroup/cpuacct")
        #expect(host.unifiedHierarchy?.ownDirectory == "/sys/fs/cgroup/unified")
        #expect(host.unifiedHierarchy?.controllers == ["hugetlb"])
        // name=systemd carries no controller and cpuset/blkio are not used by sandboxes.
        #expect(host.legacyHierarchies.count == 8)
        #expect(host.usedHierarchies.map(\.mountPoint) == [
            "/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpuacct", "/sys/fs/cgroup/memory", "/sys/fs/cgroup/devices",
            "/sys/fs/cgroup/freezer", "/sys/fs/cgroup/pids", "/sys/fs/cgroup/unified",
        ])
    }

    @Test func legacyHostWithCoMountedCpuAndCpuacct() throws {
        let cgroup = """
            12:pids:/user.slice/user-1000.slice/session-2.scope
            5:cpu,cpuacct:/user.slice
            4:memory:/user.slice/user-1000.slice/session-2.scope
            3:devices:/user.slice
            2:freezer:/
            1:name=systemd:/user.slice/user-1000.slice/session-2.scope
            """
        let mounts = """
            25 18 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
            27 25 0:24 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:10 - cgroup cgroup rw,xattr,name=systemd
            31 25 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,cpu,cpuacct
            32 25 0:29 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,memory
            33 25 0:30 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,pids
            34 25 0:31 / /sys/fs/cgroup/devices rw,nosuid,nodev,noexec,relatime shared:17 - cgroup cgroup rw,devices
            35 25 0:32 / /sys/fs/cgroup/freezer rw,nosuid,nodev,noexec,relatime shared:18 - cgroup cgroup rw,freezer
            """
        let host = try CgroupHost.parse(procSelfCgroup: cgroup, mountInfo: mounts) { _ in nil }
        #expect(host.mode == .legacy)
        #expect(host.unifiedHierarchy == nil)
        let cpu = try #require(host.hierarchy(for: "cpu"))
        #expect(cpu == host.hierarchy(for: "cpuacct"))
        #expect(cpu.ownDirectory == "/sys/fs/cgroup/cpu,cpuacct/user.slice")
        #expect(host.hierarchy(for: "memory")?.ownDirectory == "/sys/fs/cgroup/memory/user.slice/user-1000.slice/session-2.scope")
    }

    @Test func unifiedHostReadsControllersAndSeesThroughTheSupervisorLeaf() throws {
        let host = try CgroupHost.parse(
            procSelfCgroup: "0::/system.slice/mlgymd.service/supervisor\n",
            mountInfo: "30 25 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n"
        ) { directory in
            directory == "/sys/fs/cgroup/system.slice/mlgymd.service" ? "cpuset cpu io memory pids\n" : nil
        }
        #expect(host.mode == .unified)
        #expect(host.legacyHierarchies.isEmpty)
        let unified = try #require(host.unifiedHierarchy)
        #expect(unified.ownPath == "/system.slice/mlgymd.service")
        #expect(unified.controllers == ["cpuset", "cpu", "io", "memory", "pids"])
        #expect(host.hierarchy(for: "memory") == unified)
        #expect(host.hierarchy(for: "devices") == nil)
    }

    @Test func containerMountOfASubtreeMapsOurPathToTheMountPoint() throws {
        let host = try CgroupHost.parse(
            procSelfCgroup: "0::/docker/abc123\n",
            mountInfo: "700 690 0:26 /docker/abc123 /sys/fs/cgroup ro,nosuid - cgroup2 cgroup2 rw\n"
        ) { _ in "memory pids\n" }
        #expect(host.unifiedHierarchy?.ownDirectory == "/sys/fs/cgroup")
    }

    @Test func mountPointsWithEscapedSpacesAreDecoded() {
        let lines = MountInfoLine.parse("41 31 0:38 / /tmp/cg\\040root/unified rw shared:1 master:2 - cgroup2 none rw\n")
        #expect(lines == [MountInfoLine(root: "/", mountPoint: "/tmp/cg root/unified", fileSystemType: "cgroup2", superOptions: ["rw"])])
    }

    @Test func hostWithoutCgroupMountsIsUnsupported() {
        #expect(throws: MLGymError.self) {
            try CgroupHost.parse(procSelfCgroup: "0::/\n", mountInfo: "1 0 8:1 / / rw - ext4 /dev/vda rw\n") { _ in nil }
        }
    }

    @Test func thisHostIsDiscoveredAndNestsUnderOurOwnCgroup() throws {
        let host = try CgroupHost.discover()
        #expect(!host.simulated)
        let memory = try #require(host.hierarchy(for: "memory"))
        let ownPath = try String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8).split(separator: "\n")
            .first { line in line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
                .dropFirst().first.map { $0.split(separator: ",").contains("memory") || ($0.isEmpty && memory.version == .v2) } ?? false }
            .map { String($0.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)[2]) }
        #expect(memory.ownPath == ownPath)
        #expect(memory.ownDirectory.hasPrefix(memory.mountPoint))
    }
}
