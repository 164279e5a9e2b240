import CSandbox
import Glibc
import MLGymCore

/// A `MountPlan` laid out as the C structures `mlg_clone` reads, in memory this object owns.
///
/// The child runs in the daemon's memory until it execs (see `mlg_clone`), so this must stay alive, unchanged,
/// until `mlg_release` or `mlg_abandon` has returned; it frees everything when it goes.
final class CPlan {
    private var strings: [UnsafeMutablePointer<CChar>] = []
    private let mounts: UnsafeMutableBufferPointer<mlg_mount>
    private let limits: UnsafeMutableBufferPointer<mlg_rlimit>
    private let argv: UnsafeMutableBufferPointer<UnsafeMutablePointer<CChar>?>
    private let envp: UnsafeMutableBufferPointer<UnsafeMutablePointer<CChar>?>
    private let plan: UnsafeMutablePointer<mlg_plan>
    private let newUserNamespace: Bool

    init(
        plan mountPlan: MountPlan, root: String, rootReadOnly: Bool, hostname: String, newUserNamespace: Bool,
        newNetworkNamespace: Bool, initFD: Int32, initPath: String, controlFD: Int32, seccompFD: Int32,
        initUID: UInt32, initGID: UInt32, initCapabilities: UInt64, rlimits: [mlg_rlimit]
    ) {
        self.newUserNamespace = newUserNamespace
        mounts = .allocate(capacity: mountPlan.steps.count)
        limits = .allocate(capacity: rlimits.count)
        argv = .allocate(capacity: 2)
        envp = .allocate(capacity: 2)
        plan = .allocate(capacity: 1)
        for (index, step) in mountPlan.steps.enumerated() {
            mounts[index] = mlg_mount(
                kind: step.kind.rawValue, optional: step.optional ? 1 : 0, source: c(step.source),
                target: c(root + (step.target == "/" ? "" : step.target)), data: c(step.data), flags: step.flags,
                mode: step.mode, uid: step.uid, gid: step.gid)
        }
        _ = limits.initialize(from: rlimits)
        argv[0] = mutable(initPath)
        argv[1] = nil
        envp[0] = mutable("PATH=/usr/bin:/bin")
        envp[1] = nil
        var cPlan = mlg_plan()
        cPlan.root = c(root)
        cPlan.root_size = 4 << 20
        cPlan.root_readonly = rootReadOnly ? 1 : 0
        cPlan.mounts = UnsafePointer(mounts.baseAddress)
        cPlan.n_mounts = mounts.count
        cPlan.hostname = c(hostname)
        cPlan.new_user_ns = newUserNamespace ? 1 : 0
        cPlan.new_net_ns = newNetworkNamespace ? 1 : 0
        cPlan.init_fd = initFD
        cPlan.init_argv = UnsafePointer(argv.baseAddress)
        cPlan.init_envp = UnsafePointer(envp.baseAddress)
        cPlan.control_fd = controlFD
        cPlan.seccomp_fd = seccompFD
        cPlan.log_fd = 2
        cPlan.init_uid = initUID
        cPlan.init_gid = initGID
        cPlan.init_caps = initCapabilities
        cPlan.rlimits = UnsafePointer(limits.baseAddress)
        cPlan.n_rlimits = limits.count
        plan.initialize(to: cPlan)
    }

    deinit {
        strings.forEach { free($0) }
        mounts.deallocate()
        limits.deallocate()
        argv.deallocate()
        envp.deallocate()
        plan.deallocate()
    }

    /// Clones the sandbox's first process, which waits for `mlg_release`.
    func clone() throws(MLGymError) -> mlg_child {
        var child = mlg_child()
        let result = mlg_clone(plan, &child)
        guard result == 0 else {
            throw SystemCall.error("cannot clone the sandbox's first process", errno: -result,
                                   hint: newUserNamespace ? "are unprivileged user namespaces enabled?" : nil)
        }
        return child
    }

    private func mutable(_ text: String) -> UnsafeMutablePointer<CChar>? {
        guard let copy = strdup(text) else { return nil }
        strings.append(copy)
        return copy
    }

    private func c(_ text: String?) -> UnsafePointer<CChar>? {
        text.flatMap(mutable).map { UnsafePointer($0) }
    }
}
