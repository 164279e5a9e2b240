import CSandbox
import Foundation
import Glibc
import MLGymCore

/// The steps of making one sandbox, in the order of docs/sandbox.md: storage, GPU plan, cgroup (limits first),
/// mount plan, clone, cgroup placement and id maps, release, wait for mlgym-init. Undoes what it did on failure.
struct SandboxBuilder {
    let engine: SandboxEngine
    let spec: SandboxSpec
    let id: String

    /// Capabilities mlgym-init keeps: CAP_KILL (5), CAP_SETGID (6), CAP_SETUID (7), CAP_SETPCAP (8).
    static let initCapabilities: UInt64 = (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8)

    func build() async throws -> Sandbox {
        let configuration = engine.configuration
        let runtimeDirectory = configuration.runtimeDirectory + "/" + id
        let stateDirectory = configuration.stateDirectory + "/" + id
        var cleanup = Cleanup()
        defer { cleanup.run() }
        var warnings = engine.warnings
        try checkHostPaths()

        try makeDirectory(runtimeDirectory + "/root")
        cleanup.add { try? FileManager.default.removeItem(atPath: runtimeDirectory) }
        // Written before anything else is made: a controller killed from here on leaves a sandbox that a later
        // one recognises as an orphan (its cgroup and volume are named by the id). Completed after the clone.
        try SandboxRecord(
            id: id, initPID: SandboxRecord.notStarted, initStartTime: nil, controllerPID: getpid(),
            controllerStartTime: SystemCall.startTime(of: getpid()), cgroupName: engine.cgroupHost == nil ? nil : id,
            volumeMountPoint: spec.limits.diskBytes == nil || engine.rootless ? nil : stateDirectory + "/volume"
        ).write(to: runtimeDirectory)
        try makeDirectory(stateDirectory)
        cleanup.add { try? FileManager.default.removeItem(atPath: stateDirectory) }

        // Storage: a size-limited volume when asked (root only), else a plain directory.
        var volume: DiskVolume?
        var volumeDirectory = stateDirectory + "/volume"
        let agentHostUID = engine.rootless ? getuid() : spec.identity.uid
        let agentHostGID = engine.rootless ? getgid() : spec.identity.gid
        if let diskBytes = spec.limits.diskBytes {
            if engine.rootless {
                warnings.append("disk limit ignored: loop-mounted volumes need root; the workspace is not size-limited")
                try makeDirectory(volumeDirectory)
            } else {
                let made = try DiskVolume.create(
                    imagePath: stateDirectory + "/volume.img", mountPoint: volumeDirectory, sizeBytes: diskBytes, pool: engine.volumePool,
                    idmap: spec.volumeOwner.map { .init(diskUID: $0.uid, diskGID: $0.gid, uid: agentHostUID, gid: agentHostGID) })
                volume = made
                volumeDirectory = made.mountPoint
                cleanup.add { made.remove(keepImage: false) }
            }
        } else {
            try makeDirectory(volumeDirectory)
        }
        let workspace = spec.workspaceHostPath ?? volumeDirectory + "/workspace"
        if spec.workspaceHostPath == nil {
            try makeDirectory(workspace)
            _ = chown(workspace, agentHostUID, agentHostGID)
        }
        let home = volumeDirectory + "/" + MountPlan.homeDirectoryName
        try makeDirectory(home)
        _ = chown(home, agentHostUID, agentHostGID)
        if case .directory = spec.rootFilesystem {
            try makeDirectory(volumeDirectory + "/upper")
            try makeDirectory(volumeDirectory + "/work")
        }

        // GPUs: only the selected nodes are bound and allowed.
        let foreignRoot: Bool
        if case .directory = spec.rootFilesystem { foreignRoot = true } else { foreignRoot = false }
        let gpu = try GPUPassthrough.plan(selection: spec.gpus, inventory: engine.gpuInventory, foreignRootfs: foreignRoot)
        warnings += gpu.notes

        // cgroup: created and limited before any process of the sandbox runs. Its ~1 ms of file writes happen
        // on another thread while this one plans the mounts and clones the (waiting) child.
        var rlimits: [mlg_rlimit] = []
        let cgroupCreation: Task<SandboxCgroup?, any Error>
        if let host = engine.cgroupHost {
            let limits = CgroupLimits(
                memoryBytes: spec.limits.memoryBytes, cpus: spec.limits.cpus, pids: spec.limits.pids,
                devices: host.hierarchy(for: "devices") != nil || host.unifiedHierarchy != nil
                    ? DeviceRule.basic + gpu.deviceRules : nil)
            let name = id, parent = configuration.cgroupParent
            cgroupCreation = Task.detached {
                try await HostWork.run {
                    Result { try SandboxCgroup.create(host: host, name: name, limits: limits, parent: parent) }
                }.get()
            }
        } else {
            cgroupCreation = Task { nil }
            if let memory = spec.limits.memoryBytes {
                rlimits.append(mlg_rlimit(resource: Int32(RLIMIT_AS.rawValue), soft: memory, hard: memory))
            }
            if let pids = spec.limits.pids {
                rlimits.append(mlg_rlimit(resource: MLG_RLIMIT_NPROC, soft: UInt64(pids), hard: UInt64(pids)))
            }
            if spec.limits.cpus != nil { warnings.append("cpu limit ignored: it needs a cgroup") }
        }
        // Whatever happens below, a created cgroup is removed if the sandbox is not made.
        cleanup.add {
            let made = cgroupCreation
            Task.detached { try? await made.value?.destroy() }
        }
        // Raising a hard limit needs CAP_SYS_RESOURCE, which hosts (and this CI machine) may withhold: clamp.
        var current = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &current)
        let wantedOpenFiles = UInt64(spec.limits.openFiles ?? 65536)
        let openFiles = min(wantedOpenFiles, UInt64(current.rlim_max))
        if openFiles < wantedOpenFiles {
            warnings.append("open-files limit lowered to the host's hard limit \(openFiles)")
        }
        rlimits.append(mlg_rlimit(resource: Int32(RLIMIT_NOFILE.rawValue), soft: openFiles, hard: openFiles))
        rlimits.append(mlg_rlimit(resource: Int32(RLIMIT_CORE.rawValue), soft: 0, hard: 0))

        let procBinds = gpu.procDriverFiles?.binds ?? []
        let hostPaths = HostLayout.discover(
            binds: spec.binds + (gpu.libraryBinds + procBinds).map(Self.bind), base: engine.hostPaths)
        let plan = try MountPlan(
            spec: spec, host: hostPaths, volumeDirectory: volumeDirectory, workspaceHostPath: workspace,
            gpuNodes: gpu.nodes.map { ($0.hostPath, $0.sandboxPath) },
            readOnlyBinds: gpu.libraryBinds.map(Self.bind), nvidiaProc: gpu.procDriverFiles)

        var environment = spec.effectiveEnvironment
        environment.merge(gpu.environment) { current, _ in current }
        if let libraryPath = gpu.libraryPath {
            environment["LD_LIBRARY_PATH"] = ([libraryPath] + [environment["LD_LIBRARY_PATH"]].compactMap { $0 })
                .joined(separator: ":")
        }
        if let binaryPath = gpu.binaryPath {
            environment["PATH"] = binaryPath + ":" + (environment["PATH"] ?? "")
        }

        // The socket to mlgym-init, and the clone.
        var sockets: [Int32] = [-1, -1]
        let socketResult = mlg_socketpair_seqpacket(&sockets)
        guard socketResult == 0 else { throw SystemCall.error("cannot create the init socket", errno: -socketResult) }
        let initFD = mlg_open_path_cloexec(engine.initExecutable)
        guard initFD >= 0 else {
            close(sockets[0]); close(sockets[1])
            throw SystemCall.error("cannot open \(engine.initExecutable)", errno: -initFD)
        }
        defer { close(initFD) }
        let initUID = engine.rootless ? spec.identity.uid : 0
        let initGID = engine.rootless ? spec.identity.gid : 0
        // The child runs in our memory until it execs: `cPlan` must live until mlg_release/abandon returned.
        let cPlan = CPlan(
            plan: plan, root: runtimeDirectory + "/root", rootReadOnly: !foreignRoot, hostname: spec.hostname,
            newUserNamespace: engine.rootless, newNetworkNamespace: spec.network == .none, initFD: initFD,
            initPath: engine.initExecutable, controlFD: sockets[1],
            seccompFD: spec.seccomp ? engine.seccompProgramFD : -1, initUID: initUID, initGID: initGID,
            initCapabilities: Self.initCapabilities, rlimits: rlimits)
        defer { withExtendedLifetime(cPlan) {} }
        let child: mlg_child
        do {
            child = try cPlan.clone()
        } catch {
            close(sockets[0]); close(sockets[1])
            throw error
        }
        close(sockets[1])
        var childState = child
        let pid = child.pid
        cleanup.add {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            _ = waitpid(pid, &status, 0)
        }

        let cgroup: SandboxCgroup?
        do {
            cgroup = try await cgroupCreation.value
            try cgroup?.attach(pid: pid)
            if engine.rootless { try writeIDMaps(pid: pid) }
            let record = SandboxRecord(
                id: id, initPID: pid, initStartTime: SystemCall.startTime(of: pid), controllerPID: getpid(),
                controllerStartTime: SystemCall.startTime(of: getpid()), cgroupName: cgroup?.name,
                volumeMountPoint: volume?.mountPoint)
            try record.write(to: runtimeDirectory)
        } catch {
            mlg_abandon(&childState)
            close(sockets[0])
            throw error
        }

        var failure = mlg_failure()
        let released = mlg_release(&childState, &failure)
        if released != 0 {
            close(sockets[0])
            if released < 0 { throw SystemCall.error("sandbox set-up failed", errno: -released) }
            let stage = String(cString: mlg_stage_name(failure.stage))
            let step = failure.index >= 0 && Int(failure.index) < plan.steps.count && failure.stage == Int32(MLG_STAGE_MOUNT.rawValue)
                ? " of \(plan.steps[Int(failure.index)].target) (\(plan.steps[Int(failure.index)].kind))" : ""
            throw SystemCall.error("sandbox set-up failed at \(stage)\(step)", errno: failure.err, hint: Self.hint(stage: failure.stage, rootless: engine.rootless))
        }

        let sandbox: Sandbox
        do {
            sandbox = try Sandbox(
                id: id, spec: spec, initPID: pid, controlFD: sockets[0], cgroup: cgroup, volume: volume,
                runtimeDirectory: runtimeDirectory, stateDirectory: stateDirectory, workspaceHostPath: workspace,
                volumeHostPath: volumeDirectory, environment: environment, supplementaryGroups: gpu.supplementaryGroups,
                agentHostUID: agentHostUID, agentHostGID: agentHostGID, warnings: warnings)
        } catch {
            close(sockets[0])
            throw error
        }
        cleanup.cancel()
        do {
            try await sandbox.channel.waitUntilReady()
            try sandbox.startMonitors()
        } catch {
            _ = await sandbox.stop()
            throw error
        }
        return sandbox
    }

    /// Host paths the spec names must exist before anything is built, so the error names the path rather than a
    /// failed mount deep in the child.
    private func checkHostPaths() throws(MLGymError) {
        func isDirectory(_ path: String) -> Bool? {
            var flag: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &flag) ? flag.boolValue : nil
        }
        if case .directory(let tree) = spec.rootFilesystem, isDirectory(tree) != true {
            throw MLGymError(.notFound, "root filesystem \(tree) is not a directory (build one with rootfs/, or use --rootfs host)")
        }
        if let workspace = spec.workspaceHostPath, isDirectory(workspace) != true {
            throw MLGymError(.notFound, "workspace \(workspace) is not a directory (create it, or leave the workspace to the sandbox)")
        }
        for bind in spec.binds where isDirectory(bind.hostPath) == nil {
            throw MLGymError(.notFound, "bind source \(bind.hostPath) does not exist (for \(bind.sandboxPath) in the sandbox)")
        }
    }

    private func writeIDMaps(pid: Int32) throws(MLGymError) {
        let files = [
            ("setgroups", "deny"),
            ("uid_map", "\(spec.identity.uid) \(getuid()) 1\n"),
            ("gid_map", "\(spec.identity.gid) \(getgid()) 1\n"),
        ]
        for (name, content) in files {
            let path = "/proc/\(pid)/\(name)"
            let fd = open(path, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else { throw SystemCall.error("cannot open \(path)", errno: errno) }
            let written = content.withCString { write(fd, $0, strlen($0)) }
            let error = errno
            close(fd)
            guard written >= 0 else { throw SystemCall.error("cannot write \(path)", errno: error, hint: "are user namespaces allowed for unprivileged users?") }
        }
    }

    private func makeDirectory(_ path: String) throws(MLGymError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw MLGymError(.system, "cannot create \(path): \(error)")
        }
    }

    static func bind(_ library: ReadOnlyBind) -> SandboxSpec.Bind {
        SandboxSpec.Bind(hostPath: library.hostPath, sandboxPath: library.sandboxPath, readOnly: true)
    }

    static func hint(stage: Int32, rootless: Bool) -> String? {
        switch UInt32(stage) {
        case MLG_STAGE_MOUNT.rawValue where rootless: "rootless sandboxes need unprivileged user namespaces with mount support"
        case MLG_STAGE_EXEC_INIT.rawValue: "is mlgym-init a static executable?"
        default: nil
        }
    }
}

/// Undo actions, run in reverse unless cancelled.
private struct Cleanup {
    private var actions: [() -> Void] = []
    mutating func add(_ action: @escaping () -> Void) { actions.append(action) }
    mutating func cancel() { actions.removeAll() }
    func run() { for action in actions.reversed() { action() } }
}
