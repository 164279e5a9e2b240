/// What the sandbox's `/proc/driver/nvidia` should show: a plan for a tmpfs mounted over it.
///
/// A fresh `/proc` shows every GPU of the host under `gpus/`, and `nvidia-smi` lists what it finds there; the
/// driver's user-space also reads `params`, and with `ModifyDeviceFiles: 1` it tries to create missing device
/// nodes itself. libnvidia-container therefore mounts a tmpfs (mode 0555) over the directory, writes `params`
/// with `ModifyDeviceFiles: 0`, copies `version` and `registry`, and binds only the selected `gpus/<bus id>`
/// directories (and, for MIG, the selected instances' `capabilities/…/access` files). This is that plan.
public struct NvidiaProcOverlay: Sendable, Hashable {
    /// Where the tmpfs goes inside the sandbox.
    public static let mountPoint = "/proc/driver/nvidia"

    /// File name (relative to `mountPoint`) → contents, written into the tmpfs before it is made read-only.
    public var files: [String: String]
    /// Read-only binds onto the tmpfs. A `gpus/<bus id>` bind is a directory; a `capabilities/…/access` bind is
    /// a file: the engine creates the target (directory, or empty file with its parents) before binding.
    public var binds: [ReadOnlyBind]

    public init(files: [String: String], binds: [ReadOnlyBind]) {
        self.files = files
        self.binds = binds
    }

    /// The overlay for the host files in `proc` showing only `gpus` and the MIG devices `mig`.
    static func plan(proc: NvidiaProcFiles, gpus: [NvidiaGPU], mig: [MIGDevice]) -> NvidiaProcOverlay {
        var files: [String: String] = [:]
        if let params = proc.params { files["params"] = sandboxParams(params) }
        if let version = proc.version { files["version"] = version }
        if let registry = proc.registry { files["registry"] = registry }
        var binds: [ReadOnlyBind] = []
        for gpu in gpus {
            guard let directory = gpu.procDirectory, let busID = gpu.busID else { continue }
            binds.append(ReadOnlyBind(hostPath: directory, sandboxPath: mountPoint + "/gpus/" + busID))
        }
        for accessFile in mig.flatMap(\.procAccessFiles) where accessFile.hasPrefix(proc.directory + "/") {
            let bind = ReadOnlyBind(hostPath: accessFile, sandboxPath: mountPoint + accessFile.dropFirst(proc.directory.count))
            if !binds.contains(bind) { binds.append(bind) }
        }
        return NvidiaProcOverlay(files: files, binds: binds)
    }

    /// `params` with `ModifyDeviceFiles` turned off, so nothing in the sandbox tries to mknod GPU nodes.
    static func sandboxParams(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasPrefix("ModifyDeviceFiles:") ? "ModifyDeviceFiles: 0" : String(line)
        }.joined(separator: "\n")
    }
}
