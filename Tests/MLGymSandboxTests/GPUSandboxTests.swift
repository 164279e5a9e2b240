import Foundation
import Glibc
import MLGymCore
import MLGymSandbox
import MLGymTestSupport
import Testing

/// GPU passthrough checked from inside a sandbox, on a fake host of four NVIDIA GPUs: real character nodes with
/// the driver's majors (mknod), but no driver behind them. So a node the sandbox may use opens as far as the
/// missing driver (ENXIO), and a node it may not use is refused before that: by the `nodev` of an operator's bind
/// (EACCES), or by the device cgroup (EPERM: v1 `devices.deny`/`allow` and the v2 BPF program on a hybrid host).
@Suite(
    "GPU passthrough, seen from inside",
    .enabled(
        if: SandboxHarness.canRun && FakeGPUTree.canMakeDeviceNodes,
        "needs root: namespaces, cgroups, and mknod for the fake GPU nodes"))
struct GPUSandboxTests {
    /// What every sandbox's /dev holds besides GPU nodes (see `devHoldsOnlyTheAllowedNodes`).
    static let basicDev: Set<String> = [
        "null", "zero", "full", "random", "urandom", "tty", "ptmx", "pts", "shm", "fd", "stdin", "stdout", "stderr",
    ]
    static let controlNodes: Set<String> = ["nvidiactl", "nvidia-uvm", "nvidia-uvm-tools"]

    @Test func sandboxSeesExactlyTheSelectedGPUNodes() async throws {
        let names = try await withFakeGPUs(selecting: "0,2") { sandbox, _ in
            try await Self.devNames(sandbox)
        }
        #expect(names == Self.basicDev.union(Self.controlNodes).union(["nvidia0", "nvidia2"]))
    }

    @Test func selectedNodesOpenAsFarAsTheMissingDriver() async throws {
        let seen = try await withFakeGPUs(selecting: "0,2") { sandbox, _ in
            try await SandboxHarness.probe(sandbox, "open", "/dev/nvidia0", "/dev/nvidia2", "/dev/nvidiactl", "/dev/nvidia1")
        }
        // ENXIO: the device cgroup let the open through and found no driver; EPERM would be the cgroup refusing.
        #expect(seen["/dev/nvidia0"] == "ENXIO")
        #expect(seen["/dev/nvidia2"] == "ENXIO")
        #expect(seen["/dev/nvidiactl"] == "ENXIO")
        #expect(seen["/dev/nvidia1"] == "ENOENT")
    }

    @Test func visibleDevicesVariablesNameTheSelectedGPUs() async throws {
        let environment = try await withFakeGPUs(selecting: "0,2") { sandbox, _ in
            let result = try await sandbox.run(["/usr/bin/env"])
            return SandboxHarness.parse(result.output)
        }
        let selected = [FakeGPUTree.uuid(minor: 0), FakeGPUTree.uuid(minor: 2)].joined(separator: ",")
        #expect(environment["CUDA_VISIBLE_DEVICES"] == selected)
        #expect(environment["NVIDIA_VISIBLE_DEVICES"] == selected)
        #expect(environment["CUDA_DEVICE_ORDER"] == "PCI_BUS_ID")
    }

    @Test func unselectedNodeBoundInByAnOperatorIsRefusedByTheMount() async throws {
        // Extra binds are always nodev: a device node reaching the sandbox that way cannot be opened at all.
        let seen = try await withFakeGPUs(selecting: "0,2", configure: { spec, tree in
            spec.binds.append(
                SandboxSpec.Bind(hostPath: tree.devRoot + "/nvidia1", sandboxPath: "/opt/leak/nvidia1", readOnly: false))
        }) { sandbox, _ in
            try await SandboxHarness.probe(sandbox, "open", "/opt/leak/nvidia1")
        }
        #expect(seen["/opt/leak/nvidia1"] == "EACCES")
    }

    @Test func unselectedDeviceNumberIsRefusedByTheDeviceCgroup() async throws {
        // After discovery, the host's nvidia2 is replaced by a node with GPU 1's number: the engine binds it into
        // the sandbox's /dev (which allows devices), but the cgroup allows only the numbers it planned (195:2).
        let seen = try await withFakeGPUs(selecting: "0,2", afterDiscovery: { tree in
            try tree.removeNode("nvidia2")
            try tree.makeNode("nvidia2", major: FakeGPUTree.nvidiaMajor, minor: 1)
        }) { sandbox, _ in
            try await SandboxHarness.probe(sandbox, "open", "/dev/nvidia2", "/dev/nvidia0")
        }
        #expect(seen["/dev/nvidia2"] == "EPERM")
        #expect(seen["/dev/nvidia0"] == "ENXIO")
    }

    @Test func selectionNoneGivesNoNvidiaNode() async throws {
        let names = try await withFakeGPUs(selecting: "none") { sandbox, _ in try await Self.devNames(sandbox) }
        #expect(names == Self.basicDev)
    }

    @Test func selectionAllGivesAllFourGPUs() async throws {
        let (names, environment) = try await withFakeGPUs(selecting: "all") { sandbox, _ in
            (try await Self.devNames(sandbox), SandboxHarness.parse(try await sandbox.run(["/usr/bin/env"]).output))
        }
        #expect(names == Self.basicDev.union(Self.controlNodes).union(["nvidia0", "nvidia1", "nvidia2", "nvidia3"]))
        #expect(environment["CUDA_VISIBLE_DEVICES"] == (0..<4).map { FakeGPUTree.uuid(minor: UInt32($0)) }.joined(separator: ","))
    }

    @Test func procDriverNvidiaShowsOnlyTheSelectedGPUs() async throws {
        let (listing, params, information, access) = try await withFakeGPUs(selecting: "0,2") { sandbox, _ in
            let directory = NvidiaProcOverlay.mountPoint
            return (
                try await sandbox.run(["/bin/ls", directory + "/gpus"]).output,
                try await sandbox.run(["/bin/cat", directory + "/params"]).output,
                try await sandbox.run(["/bin/cat", directory + "/gpus/" + FakeGPUTree.busID(minor: 2) + "/information"]).output,
                try await SandboxHarness.probe(sandbox, "access", directory, directory + "/params", directory + "/version"))
        }
        #expect(listing == FakeGPUTree.busID(minor: 0) + "\n" + FakeGPUTree.busID(minor: 2) + "\n")
        #expect(params.contains("ModifyDeviceFiles: 0\n"))
        #expect(!params.contains("ModifyDeviceFiles: 1"))
        #expect(information.contains(FakeGPUTree.uuid(minor: 2)))
        for path in ["", "/params", "/version"] {
            let key = NvidiaProcOverlay.mountPoint + path
            #expect(access[key] == "exists,r=1,w=0", "\(key): \(access[key] ?? "?")")
        }
    }

    // MARK: Helpers

    /// A fake host with four NVIDIA GPUs, an engine discovering it, and a sandbox with `selection`; removes all
    /// three afterwards. `afterDiscovery` changes the fake host once the engine has looked at it.
    private func withFakeGPUs<T: Sendable>(
        selecting selection: String, afterDiscovery: (FakeGPUTree) throws -> Void = { _ in },
        configure: (inout SandboxSpec, FakeGPUTree) -> Void = { _, _ in },
        _ body: (Sandbox, FakeGPUTree) async throws -> T
    ) async throws -> T {
        let tree = try FakeGPUTree.nvidiaOnly(gpus: 4)
        defer { tree.remove() }
        let harness = try SandboxHarness(deviceRoot: tree.devRoot, procRoot: tree.procRoot)
        try afterDiscovery(tree)
        let gpus = try GPUSelection(parsing: selection)
        return try await harness.withSandbox({ spec in
            spec.gpus = gpus
            configure(&spec, tree)
        }) { sandbox in try await body(sandbox, tree) }
    }

    private static func devNames(_ sandbox: Sandbox) async throws -> Set<String> {
        let seen = try await SandboxHarness.probe(sandbox, "devices")
        return Set((seen["dev"] ?? "").split(separator: "\n").map(String.init))
    }
}
