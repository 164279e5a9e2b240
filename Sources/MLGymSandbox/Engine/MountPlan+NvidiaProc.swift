extension MountPlan {
    /// The sandbox's own `/proc/driver/nvidia`, made the way libnvidia-container makes it: a tmpfs over the
    /// directory holding `params` (with `ModifyDeviceFiles: 0`), `version` and `registry`, and read-only binds of
    /// only the selected GPUs' `gpus/<bus id>` directories and MIG `access` files; then read-only.
    ///
    /// Without it, `nvidia-smi` in the sandbox would list every GPU of the host (it reads `gpus/`), and the
    /// driver's user-space would try to mknod nodes it cannot see.
    ///
    /// The kernel's driver directory is global, so a fresh `/proc` shows it whenever the host's does. When the
    /// host's does not (discovery read another proc root: a fake tree in tests, or the module was unloaded since),
    /// the directory cannot be made inside procfs; the tmpfs then goes on `/proc/driver`, which holds only driver
    /// entries, and `nvidia` is made in it.
    mutating func addNvidiaProcOverlay(_ overlay: NvidiaProcOverlay, host: HostPaths) {
        let mountPoint = NvidiaProcOverlay.mountPoint
        let tmpfsTarget = host.nvidiaProcDirectoryExists ? mountPoint : "/proc/driver"
        madeDirectories.insert("/proc/driver")
        // Mode 0555 from the start: the set-up runs with CAP_DAC_OVERRIDE (root, or root of its user namespace).
        let userOnly = PlannedMount.noSUID | PlannedMount.noDev | PlannedMount.noExec
        steps.append(PlannedMount(.tmpfs, tmpfsTarget, data: "size=1m,mode=0555", flags: userOnly))
        makeDirectory(mountPoint)
        for (name, text) in overlay.files.sorted(by: { $0.key < $1.key }) {
            steps.append(PlannedMount(.write, mountPoint + "/" + name, data: text, mode: 0o444))
        }
        for bind in overlay.binds {
            // A GPU directory or a MIG access file; a source gone since discovery is skipped, not fatal.
            if host.bindIsDirectory[bind.hostPath] ?? true {
                makeDirectory(bind.sandboxPath)
            } else {
                makeParents(of: bind.sandboxPath)
                steps.append(PlannedMount(.file, bind.sandboxPath, mode: 0o444))
            }
            steps.append(PlannedMount(
                .bind, bind.sandboxPath, source: bind.hostPath, flags: PlannedMount.readOnly | userOnly, optional: true))
        }
        steps.append(PlannedMount(.remountReadOnly, tmpfsTarget, flags: PlannedMount.noExec))
    }
}
