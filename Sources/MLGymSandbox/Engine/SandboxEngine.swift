import CSandbox
import Foundation
import Glibc
import MLGymCore

/// Builds and tears down sandboxes. One per process: it compiles the seccomp filter once, discovers the cgroup
/// layout and the GPUs once, and owns the runtime directory where each sandbox's root and record live.
public final class SandboxEngine: Sendable {
    public struct Configuration: Sendable {
        /// Per-sandbox runtime state (the directory each root is built on, the record for orphan clean-up).
        public var runtimeDirectory: String
        /// Per-sandbox persistent state (volume images, managed workspaces).
        public var stateDirectory: String
        /// mlgym-init; nil finds it next to the running executable.
        public var initExecutable: String?
        /// Name of the cgroup (under the caller's own) that holds every sandbox's cgroup.
        public var cgroupParent: String
        /// Where GPUs are looked for (tests point these at fake trees).
        public var deviceRoot: String
        public var procRoot: String

        public init(
            runtimeDirectory: String, stateDirectory: String, initExecutable: String? = nil,
            cgroupParent: String = SandboxCgroup.defaultParent, deviceRoot: String = "/dev", procRoot: String = "/proc"
        ) {
            self.runtimeDirectory = runtimeDirectory
            self.stateDirectory = stateDirectory
            self.initExecutable = initExecutable
            self.cgroupParent = cgroupParent
            self.deviceRoot = deviceRoot
            self.procRoot = procRoot
        }
    }

    public let configuration: Configuration
    /// True when the engine runs as an ordinary user: sandboxes get a user namespace, and limits fall back to
    /// rlimits where cgroups are not delegated.
    public let rootless: Bool
    /// The host's cgroup layout, or nil when cgroups cannot be managed here (with the reason in `warnings`).
    public let cgroupHost: CgroupHost?
    /// Things the operator should know about this host (missing cgroup delegation, no GPU).
    public let warnings: [String]
    let initExecutable: String
    /// Volume images formatted ahead (root only: rootless sandboxes get no volume).
    public let volumePool: VolumeImagePool?
    let seccompProgramFD: Int32
    let hostPaths: MountPlan.HostPaths
    let gpuInventory: GPUInventory

    public init(_ configuration: Configuration) throws(MLGymError) {
        self.configuration = configuration
        rootless = geteuid() != 0
        var warnings: [String] = []
        let initPath = configuration.initExecutable ?? Self.siblingExecutable("mlgym-init")
        guard access(initPath, X_OK) == 0 else {
            throw MLGymError(.notFound, "mlgym-init not found at \(initPath) (build it with `swift build`, or pass its path)")
        }
        initExecutable = initPath
        let program = mlg_seccomp_compile()
        guard program >= 0 else { throw SystemCall.error("cannot compile the seccomp filter", errno: -program) }
        seccompProgramFD = program
        do {
            let host = try CgroupHost.discover()
            if host.canManage {
                cgroupHost = host
            } else {
                cgroupHost = nil
                warnings.append("cgroups are not delegated to uid \(geteuid()): memory, CPU and pids limits fall back to rlimits (memory as address space, pids per user); ask for a delegated cgroup (systemd Delegate=yes, or Slurm's cgroup) for real limits")
            }
        } catch {
            cgroupHost = nil
            warnings.append("cgroups unavailable (\(error.message)): limits fall back to rlimits")
        }
        hostPaths = HostLayout.discover(binds: [])
        gpuInventory = GPUInventory.discover(devRoot: configuration.deviceRoot, procRoot: configuration.procRoot)
        self.warnings = warnings
        for directory in [configuration.runtimeDirectory, configuration.stateDirectory] {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw MLGymError(.system, "cannot create \(directory): \(error)")
            }
        }
        volumePool = rootless ? nil : VolumeImagePool(stateDirectory: configuration.stateDirectory)
    }

    deinit {
        close(seccompProgramFD)
    }

    /// The GPUs this host has, as discovered at start.
    public var gpus: GPUInventory { gpuInventory }

    /// Builds a sandbox from `spec` and starts its mlgym-init. Throws with the failing stage and errno, having
    /// removed whatever was created.
    public func create(_ spec: SandboxSpec, id: String = SandboxEngine.newID()) async throws -> Sandbox {
        try spec.validate()
        let builder = SandboxBuilder(engine: self, spec: spec, id: id)
        return try await builder.build()
    }

    /// Finds sandboxes whose controller is gone (a SIGKILLed daemon) and removes them: their processes, cgroups,
    /// volumes and runtime directories. Returns their ids.
    @discardableResult
    public func removeOrphans() -> [String] {
        let directories = (try? FileManager.default.contentsOfDirectory(atPath: configuration.runtimeDirectory)) ?? []
        var removed: [String] = []
        for name in directories.sorted() {
            let directory = configuration.runtimeDirectory + "/" + name
            guard let record = SandboxRecord.read(from: directory) else { continue }
            let controllerAlive = record.controllerPID == getpid()
                || SystemCall.isAlive(pid: record.controllerPID, startTime: record.controllerStartTime)
            if controllerAlive { continue }
            if record.initPID > 0, SystemCall.isAlive(pid: record.initPID, startTime: record.initStartTime) {
                kill(record.initPID, SIGKILL)
            }
            if let host = cgroupHost, let name = record.cgroupName,
               let cgroup = SandboxCgroup.open(host: host, name: name, parent: configuration.cgroupParent) {
                try? cgroup.destroy()
            }
            if let mountPoint = record.volumeMountPoint {
                _ = umount2(mountPoint, Int32(MNT_DETACH))
            }
            _ = umount2(directory + "/root", Int32(MNT_DETACH))
            try? FileManager.default.removeItem(atPath: directory)
            removed.append(record.id)
        }
        return removed
    }

    /// For a controller starting up that owns the runtime directory alone (mlgymd): removes the sandbox
    /// directories without a record, which a controller killed between making one and writing its first record
    /// leaves (the record is written before anything else is made, so such a sandbox has at most a cgroup named
    /// by its id, removed here too). Cgroups are removed only by name: another daemon may share the parent.
    /// Returns the ids removed.
    @discardableResult
    public func removeUnrecorded(keeping: Set<String>) -> [String] {
        var removed: [String] = []
        let directories = (try? FileManager.default.contentsOfDirectory(atPath: configuration.runtimeDirectory)) ?? []
        for name in directories.sorted() where !keeping.contains(name) && SandboxEngine.isSandboxID(name) {
            let directory = configuration.runtimeDirectory + "/" + name
            guard SandboxRecord.read(from: directory) == nil else { continue }
            if let host = cgroupHost, let cgroup = SandboxCgroup.open(host: host, name: name, parent: configuration.cgroupParent) {
                try? cgroup.destroy()
            }
            _ = umount2(directory + "/root", Int32(MNT_DETACH))
            try? FileManager.default.removeItem(atPath: directory)
            removed.append(name)
        }
        return removed
    }

    /// Whether `name` has the form of a sandbox id (`newID`): 12 lowercase hex digits.
    static func isSandboxID(_ name: String) -> Bool {
        name.utf8.count == 12 && name.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// Removes the persistent state (volume image, workspace, scratch copies) of every sandbox not in `keeping`:
    /// what a killed daemon's sessions and evaluations left in the state directory, which no record owns once
    /// those sessions are marked lost. A volume still mounted is detached first, so its loop device goes too.
    /// Returns the ids removed.
    @discardableResult
    public func removeStaleState(keeping: Set<String>) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: configuration.stateDirectory)) ?? []
        var removed: [String] = []
        for name in names.sorted() where !keeping.contains(name) && name != VolumeImagePool.directoryName {
            removeState(of: name)
            removed.append(name)
        }
        return removed
    }

    /// Removes one sandbox's persistent state directory (see `removeStaleState`); nothing when there is none.
    public func removeState(of id: String) {
        guard !id.isEmpty, !id.contains("/"), id != "." && id != ".." else { return }
        let directory = configuration.stateDirectory + "/" + id
        var info = stat()
        guard lstat(directory, &info) == 0 else { return }
        _ = umount2(directory + "/volume", Int32(MNT_DETACH))
        try? HostCommand.run("/bin/rm", ["-rf", "--one-file-system", "--", directory], doing: "remove \(directory)")
    }

    /// Where sandbox `id`'s volume image will be: a caller that puts an image there before `create` (a fork
    /// from a snapshot) has the sandbox mount it instead of a fresh one. Makes the directory.
    public func volumeImagePath(of id: String) throws(MLGymError) -> String {
        let directory = configuration.stateDirectory + "/" + id
        if mkdir(directory, 0o755) != 0 && errno != EEXIST { throw SystemCall.error("cannot create \(directory)", errno: errno) }
        return directory + "/volume.img"
    }

    /// A fresh sandbox id: 12 hex digits.
    public static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<6).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// A program installed next to the running one (the build directory, or /usr/local/bin).
    public static func siblingExecutable(_ name: String) -> String {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent(name).path
    }
}
