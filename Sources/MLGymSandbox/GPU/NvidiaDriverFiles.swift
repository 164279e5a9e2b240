/// The NVIDIA driver's user-space files a foreign root filesystem needs, and where they go in the sandbox.
///
/// The libraries must match the kernel module exactly (a libcuda from another driver version fails with
/// "driver/library version mismatch"), so they always come from the host, never from the image. The set is
/// libnvidia-container's `compute` and `utility` capabilities.
public enum NvidiaDriverFiles {
    /// Sandbox directory holding the libraries; the engine prepends it to `LD_LIBRARY_PATH`.
    public static let libraryDirectory = "/.mlgym/nvidia/lib"
    /// Sandbox directory holding the binaries; the engine prepends it to `PATH`.
    public static let binaryDirectory = "/.mlgym/nvidia/bin"

    /// Library names without `.so…`: utility (NVML, nvidia-smi's needs) and compute (CUDA driver API, PTX JIT).
    public static let libraryStems: Set<String> = [
        "libnvidia-ml", "libnvidia-cfg", "libnvidia-nscq",
        "libcuda", "libcudadebugger", "libnvidia-opencl", "libnvidia-gpucomp", "libnvidia-ptxjitcompiler",
        "libnvidia-fatbinaryloader", "libnvidia-allocator", "libnvidia-compiler", "libnvidia-pkcs11",
        "libnvidia-pkcs11-openssl3", "libnvidia-nvvm", "libnvidia-tileiras",
    ]

    /// Binaries found in the host's binary directories.
    public static let binaryNames = [
        "nvidia-smi", "nvidia-debugdump", "nvidia-persistenced", "nvidia-cuda-mps-control", "nvidia-cuda-mps-server",
    ]

    /// Where `binaryNames` are looked for on the host, in order.
    public static let defaultBinaryDirectories = ["/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin", "/usr/local/sbin"]

    /// The stem of a library file name: `libcuda.so.1` → `libcuda`.
    static func stem(_ name: String) -> String? {
        guard let range = name.firstRange(of: ".so") else { return nil }
        return String(name[..<range.lowerBound])
    }

    /// Binds for the driver libraries in `cache` that are the running driver's, 64-bit, for this machine.
    ///
    /// Each library is bound under every name the cache lists for it (`libcuda.so.1`, and `libcuda.so` where
    /// the host has it), under its versioned file name, and under `<stem>.so`, because the sandbox directory is
    /// read-only and some programs dlopen the bare `.so` (libnvidia-container adds the same compatibility names).
    /// A stem found only in other versions or ABIs yields a note naming what was skipped.
    static func libraryBinds(cache: LDCache, driverVersion: String, notes: inout [String]) -> [ReadOnlyBind] {
        var bindsBySandboxPath: [String: ReadOnlyBind] = [:]
        var skippedByStem: [String: [String]] = [:]
        var boundStems: Set<String> = []
        for entry in cache.entries {
            guard let stem = stem(entry.name), libraryStems.contains(stem) else { continue }
            guard let real = HostFiles.realPath(entry.path) else {
                skippedByStem[stem, default: []].append("\(entry.path) (missing)")
                continue
            }
            let fileName = HostFiles.baseName(real)
            guard fileName.hasSuffix(".so." + driverVersion) else {
                skippedByStem[stem, default: []].append("\(real) (not version \(driverVersion))")
                continue
            }
            guard let header = ELFHeader(path: real), header.isHostNative else {
                skippedByStem[stem, default: []].append("\(real) (not a 64-bit library for this machine)")
                continue
            }
            boundStems.insert(stem)
            for name in [entry.name, fileName, stem + ".so"] {
                let sandboxPath = libraryDirectory + "/" + name
                if bindsBySandboxPath[sandboxPath] == nil {
                    bindsBySandboxPath[sandboxPath] = ReadOnlyBind(hostPath: real, sandboxPath: sandboxPath)
                }
            }
        }
        for (stem, skipped) in skippedByStem.sorted(by: { $0.key < $1.key }) where !boundStems.contains(stem) {
            notes.append("\(stem) not bound: the ld cache has only \(skipped.joined(separator: ", "))")
        }
        if !boundStems.contains("libcuda") {
            notes.append(
                "no libcuda.so.\(driverVersion) in the host's ld cache: CUDA will not work in a foreign rootfs; "
                    + "install the driver's user-space libraries on the host and run ldconfig"
            )
        }
        return bindsBySandboxPath.values.sorted { $0.sandboxPath < $1.sandboxPath }
    }

    /// Binds for the driver's binaries found in `directories` (first match wins), e.g. `nvidia-smi`.
    static func binaryBinds(directories: [String]) -> [ReadOnlyBind] {
        binaryNames.compactMap { name in
            directories.lazy.map { $0 + "/" + name }.first(where: HostFiles.isExecutableFile).map {
                ReadOnlyBind(hostPath: HostFiles.realPath($0) ?? $0, sandboxPath: binaryDirectory + "/" + name)
            }
        }
    }
}
