import MLGymCore

/// Turns a sandbox spec into the ordered list of mount steps the child performs before pivot_root.
///
/// Pure: it reads the host only through `HostPaths`, so tests can check the plan without a sandbox. The layout:
/// - host mode: a read-only tmpfs root with read-only binds of `/usr` (and the merged-usr links), a few `/etc`
///   files the programs need plus generated `passwd`, `group`, `hosts`; directory mode: an overlay of the tree;
/// - `/proc` fresh, with runc's masked and read-only paths, and with the selected GPUs' view of
///   `/proc/driver/nvidia`; `/sys` read-only with `/sys/firmware` masked;
/// - `/dev` a tmpfs holding only null, zero, full, random, urandom, tty, a new devpts (`ptmx`, `pts`), `shm`,
///   and the selected GPU nodes;
/// - `/tmp` and `/dev/shm` as size-limited tmpfs; the agent's home and the workspace bound read-write from the
///   sandbox's volume;
/// - the spec's extra binds.
public struct MountPlan: Sendable {
    /// What the plan needs to know about the host.
    public struct HostPaths: Sendable {
        /// For each top-level merged-usr name (`/bin`, `/lib`, …): the link target if it is a symlink, "" if a
        /// real directory, nil if absent.
        public var topLevel: [String: String?]
        /// Host `/etc` entries that exist (names relative to /etc), and whether each is a directory.
        public var etcEntries: [String: Bool]
        /// Whether each extra bind's host path is a directory.
        public var bindIsDirectory: [String: Bool]
        /// Whether the host's `/proc/driver/nvidia` exists. A fresh `/proc` shows the same driver entries, so
        /// this says whether the sandbox's NVIDIA overlay can be mounted on it (see `addNvidiaProcOverlay`).
        public var nvidiaProcDirectoryExists: Bool

        public init(
            topLevel: [String: String?], etcEntries: [String: Bool], bindIsDirectory: [String: Bool],
            nvidiaProcDirectoryExists: Bool = true
        ) {
            self.topLevel = topLevel
            self.etcEntries = etcEntries
            self.bindIsDirectory = bindIsDirectory
            self.nvidiaProcDirectoryExists = nvidiaProcDirectoryExists
        }
    }

    /// Host `/etc` entries the usual programs read (dynamic linker, TLS roots, shells, Python, time zone).
    public static let etcAllowList = [
        "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "alternatives", "ssl", "ca-certificates",
        "ca-certificates.conf", "localtime", "timezone", "nsswitch.conf", "profile", "bash.bashrc", "inputrc",
        "mime.types", "python3", "python3.11", "python3.12", "fonts", "terminfo", "protocols", "services",
        "host.conf", "gai.conf", "magic", "debian_version", "os-release", "lsb-release", "login.defs",
    ]
    public static let topLevelNames = ["bin", "sbin", "lib", "lib32", "lib64", "libx32"]
    /// The agent's home inside the sandbox's volume directory.
    public static let homeDirectoryName = "home"

    /// runc's masked and read-only paths under /proc and /sys.
    public static let maskedPaths = [
        "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
    ]
    public static let readOnlyProcPaths = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
    /// The device nodes every sandbox gets, bound from the host's /dev.
    public static let basicDevices = ["null", "zero", "full", "random", "urandom", "tty"]

    public var steps: [PlannedMount] = []
    var madeDirectories: Set<String> = ["/"]

    /// - Parameters:
    ///   - volumeDirectory: host directory of the sandbox's own writable storage (overlay upper, managed
    ///     workspace); nil when it has none.
    ///   - gpuNodes: device nodes to bind (host path → path inside).
    ///   - nvidiaProc: the sandbox's `/proc/driver/nvidia` (`GPUPassthrough.procDriverFiles`); nil leaves `/proc`
    ///     as the kernel shows it.
    public init(
        spec: SandboxSpec, host: HostPaths, volumeDirectory: String?, workspaceHostPath: String,
        gpuNodes: [(hostPath: String, sandboxPath: String)] = [], readOnlyBinds: [SandboxSpec.Bind] = [],
        nvidiaProc: NvidiaProcOverlay? = nil
    ) throws(MLGymError) {
        let agent = spec.identity
        let tmpSize = spec.limits.tmpBytes ?? 512 << 20
        let userOnly = PlannedMount.noSUID | PlannedMount.noDev

        switch spec.rootFilesystem {
        case .host:
            makeDirectory("/usr")
            steps.append(PlannedMount(.bind, "/usr", source: "/usr", flags: PlannedMount.readOnly | userOnly))
            for name in Self.topLevelNames {
                guard let entry = host.topLevel[name], let link = entry else { continue }
                if link.isEmpty {
                    makeDirectory("/" + name)
                    steps.append(PlannedMount(.bind, "/" + name, source: "/" + name, flags: PlannedMount.readOnly | userOnly))
                } else {
                    steps.append(PlannedMount(.symlink, "/" + name, source: link))
                }
            }
            makeDirectory("/etc")
            for name in Self.etcAllowList {
                guard let isDirectory = host.etcEntries[name] else { continue }
                let path = "/etc/" + name
                // Directories are bound read-only; files are copied into the (then read-only) root, which costs a
                // read and a write instead of two mount calls each.
                if isDirectory {
                    makeDirectory(path)
                    steps.append(PlannedMount(.bind, path, source: path, flags: PlannedMount.readOnly | userOnly, optional: true))
                } else {
                    steps.append(PlannedMount(.copy, path, source: path, mode: 0o644, optional: true))
                }
            }
        case .directory(let tree):
            guard let volumeDirectory else {
                throw MLGymError(.invalidArgument, "a directory root filesystem needs a sandbox volume for its overlay")
            }
            let options = "lowerdir=\(tree),upperdir=\(volumeDirectory)/upper,workdir=\(volumeDirectory)/work"
            steps.append(PlannedMount(.overlay, "/", data: options, flags: PlannedMount.noSUID | PlannedMount.noDev))
            makeDirectory("/etc")
        }

        // Identity files: the agent's name resolves, and nothing of the host's user database is visible.
        steps.append(PlannedMount(.write, "/etc/passwd", data: Self.passwd(agent), mode: 0o644))
        steps.append(PlannedMount(.write, "/etc/group", data: Self.group(agent), mode: 0o644))
        steps.append(PlannedMount(.write, "/etc/hostname", data: spec.hostname + "\n", mode: 0o644))
        steps.append(PlannedMount(
            .write, "/etc/hosts", data: "127.0.0.1\tlocalhost \(spec.hostname)\n::1\tlocalhost ip6-localhost\n", mode: 0o644))
        steps.append(PlannedMount(.write, "/etc/resolv.conf", data: "", mode: 0o644))

        makeDirectory("/proc")
        steps.append(PlannedMount(.proc, "/proc"))
        makeDirectory("/sys")
        if spec.network == .none {
            steps.append(PlannedMount(.sysfs, "/sys"))
        } else {
            steps.append(PlannedMount(.bind, "/sys", source: "/sys", flags: PlannedMount.readOnly | userOnly))
        }
        for path in Self.maskedPaths {
            steps.append(PlannedMount(.mask, path, source: "/dev/null", optional: true))
        }
        for path in Self.readOnlyProcPaths {
            steps.append(PlannedMount(.remountReadOnly, path, optional: true))
        }
        if let nvidiaProc {
            addNvidiaProcOverlay(nvidiaProc, host: host)
        }

        // /dev: a tmpfs without nodev (device binds must work), holding only what a program needs.
        makeDirectory("/dev")
        steps.append(PlannedMount(.tmpfs, "/dev", data: "size=64k,mode=0755", flags: PlannedMount.noSUID | PlannedMount.noExec))
        for name in Self.basicDevices {
            steps.append(PlannedMount(.file, "/dev/" + name, mode: 0o666))
            steps.append(PlannedMount(.bind, "/dev/" + name, source: "/dev/" + name, flags: PlannedMount.noSUID | PlannedMount.noExec))
        }
        for node in gpuNodes {
            makeParents(of: node.sandboxPath)
            steps.append(PlannedMount(.file, node.sandboxPath, mode: 0o666))
            steps.append(PlannedMount(.bind, node.sandboxPath, source: node.hostPath, flags: PlannedMount.noSUID | PlannedMount.noExec))
        }
        steps.append(PlannedMount(.mkdir, "/dev/pts", mode: 0o755))
        steps.append(PlannedMount(
            .devpts, "/dev/pts", data: "newinstance,ptmxmode=0666,mode=0620,uid=\(agent.uid),gid=\(agent.gid)"))
        steps.append(PlannedMount(.symlink, "/dev/ptmx", source: "pts/ptmx"))
        steps.append(PlannedMount(.mkdir, "/dev/shm", mode: 0o1777))
        steps.append(PlannedMount(.tmpfs, "/dev/shm", data: "size=\(tmpSize),mode=1777", flags: userOnly))
        for (name, target) in [("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")] {
            steps.append(PlannedMount(.symlink, "/dev/" + name, source: target))
        }
        steps.append(PlannedMount(.seal, "/dev", data: "size=64k,mode=0755", flags: PlannedMount.noSUID | PlannedMount.noExec))

        makeDirectory("/tmp")
        steps.append(PlannedMount(.tmpfs, "/tmp", data: "size=\(tmpSize),mode=1777", flags: userOnly))
        makeDirectory("/run")
        steps.append(PlannedMount(.tmpfs, "/run", data: "size=1m,mode=0755", flags: userOnly | PlannedMount.noExec))

        // The agent's home (dotfiles, caches, `pip install --user`), with the workspace bound inside: a directory
        // of the sandbox's volume, so it counts against the disk limit and a snapshot of the volume holds it;
        // a small tmpfs it owns when there is no volume.
        makeDirectory(agent.home)
        if let volumeDirectory {
            steps.append(PlannedMount(.bind, agent.home, source: volumeDirectory + "/" + Self.homeDirectoryName, flags: userOnly))
        } else {
            steps.append(PlannedMount(
                .tmpfs, agent.home, data: "size=\(tmpSize),mode=0755,uid=\(agent.uid),gid=\(agent.gid)", flags: userOnly))
        }
        makeDirectory(spec.workspacePath, owner: agent)
        steps.append(PlannedMount(
            .bind, spec.workspacePath, source: workspaceHostPath,
            flags: userOnly | (spec.workspaceReadOnly ? PlannedMount.readOnly : 0)))

        for bind in spec.binds + readOnlyBinds {
            let isDirectory = host.bindIsDirectory[bind.hostPath] ?? true
            if isDirectory {
                makeDirectory(bind.sandboxPath)
            } else {
                makeParents(of: bind.sandboxPath)
                steps.append(PlannedMount(.file, bind.sandboxPath, mode: 0o644))
            }
            steps.append(PlannedMount(
                .bind, bind.sandboxPath, source: bind.hostPath, flags: (bind.readOnly ? PlannedMount.readOnly : 0) | userOnly))
        }
    }

    /// mkdir for `path` and every missing parent, once each.
    mutating func makeDirectory(_ path: String, owner: SandboxSpec.Identity? = nil) {
        makeParents(of: path)
        guard madeDirectories.insert(path).inserted else { return }
        steps.append(PlannedMount(.mkdir, path, mode: 0o755))
        if let owner {
            steps.append(PlannedMount(.chown, path, uid: owner.uid, gid: owner.gid))
        }
    }

    mutating func makeParents(of path: String) {
        var parent = ""
        let components = path.split(separator: "/").dropLast()
        for component in components {
            parent += "/" + component
            if madeDirectories.insert(parent).inserted {
                steps.append(PlannedMount(.mkdir, parent, mode: 0o755))
            }
        }
    }

    static func passwd(_ agent: SandboxSpec.Identity) -> String {
        "root:x:0:0:root:/root:/usr/sbin/nologin\n"
            + "\(agent.userName):x:\(agent.uid):\(agent.gid):mlgym agent:\(agent.home):/bin/bash\n"
            + "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
    }

    static func group(_ agent: SandboxSpec.Identity) -> String {
        "root:x:0:\n\(agent.userName):x:\(agent.gid):\nnogroup:x:65534:\n"
    }
}
