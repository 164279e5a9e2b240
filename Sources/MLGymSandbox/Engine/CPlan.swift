import CSandbox
import Glibc
import MLGymCore

/// Lays a `MountPlan` out as the C structures `mlg_clone` reads, for exactly the duration of the call.
///
/// The child gets a copy-on-write snapshot of this memory at clone(), so the strings only need to outlive
/// `mlg_clone` here; they are freed right after.
enum CPlan {
    static func withPlan(
        plan: MountPlan, root: String, rootReadOnly: Bool, hostname: String, newUserNamespace: Bool,
        newNetworkNamespace: Bool, initFD: Int32, initPath: String, controlFD: Int32, seccompFD: Int32,
        initUID: UInt32, initGID: UInt32, initCapabilities: UInt64, rlimits: [mlg_rlimit]
    ) throws(MLGymError) -> mlg_child {
        var strings: [UnsafeMutablePointer<CChar>] = []
        defer { strings.forEach { free($0) } }
        func c(_ text: String?) -> UnsafePointer<CChar>? {
            guard let text, let copy = strdup(text) else { return nil }
            strings.append(copy)
            return UnsafePointer(copy)
        }
        let mounts = plan.steps.map { step in
            mlg_mount(
                kind: step.kind.rawValue, optional: step.optional ? 1 : 0, source: c(step.source),
                target: c(root + (step.target == "/" ? "" : step.target)), data: c(step.data), flags: step.flags,
                mode: step.mode, uid: step.uid, gid: step.gid)
        }
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(initPath), nil]
        let envp: [UnsafeMutablePointer<CChar>?] = [strdup("PATH=/usr/bin:/bin"), nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child = mlg_child()
        let result: Int32 = mounts.withUnsafeBufferPointer { mountBuffer in
            rlimits.withUnsafeBufferPointer { limitBuffer in
                argv.withUnsafeBufferPointer { argvBuffer in
                    envp.withUnsafeBufferPointer { envpBuffer in
                        var cPlan = mlg_plan()
                        cPlan.root = c(root)
                        cPlan.root_size = 4 << 20
                        cPlan.root_readonly = rootReadOnly ? 1 : 0
                        cPlan.mounts = mountBuffer.baseAddress
                        cPlan.n_mounts = mountBuffer.count
                        cPlan.hostname = c(hostname)
                        cPlan.new_user_ns = newUserNamespace ? 1 : 0
                        cPlan.new_net_ns = newNetworkNamespace ? 1 : 0
                        cPlan.init_fd = initFD
                        cPlan.init_argv = argvBuffer.baseAddress
                        cPlan.init_envp = envpBuffer.baseAddress
                        cPlan.control_fd = controlFD
                        cPlan.seccomp_fd = seccompFD
                        cPlan.log_fd = 2
                        cPlan.init_uid = initUID
                        cPlan.init_gid = initGID
                        cPlan.init_caps = initCapabilities
                        cPlan.rlimits = limitBuffer.baseAddress
                        cPlan.n_rlimits = limitBuffer.count
                        return mlg_clone(&cPlan, &child)
                    }
                }
            }
        }
        guard result == 0 else {
            throw SystemCall.error("cannot clone the sandbox's first process", errno: -result,
                                   hint: newUserNamespace ? "are unprivileged user namespaces enabled?" : nil)
        }
        return child
    }
}
