import CSandbox
import Glibc
import MLGymCore
import Synchronization

/// The cgroup v2 device allow-list: a BPF_PROG_TYPE_CGROUP_DEVICE program (assembled in
/// `CSandbox/cgroup_device.c`) attached to the sandbox's unified-hierarchy directory.
///
/// Attached with BPF_F_ALLOW_MULTI, so programs higher up (a systemd unit's DevicePolicy) still apply: the
/// kernel allows an open only if every program on the path allows it.
///
/// Loading runs the BPF verifier (a few hundred microseconds); sandboxes with the same rules (all of them, unless
/// they select different GPUs) share one loaded program, kept for the life of the process.
enum DeviceProgram {
    private static let loaded = Mutex<[[DeviceRule]: Int32]>([:])

    /// Attaches a program that allows exactly `rules` (default deny) to `directory`.
    static func attach(_ rules: [DeviceRule], to directory: String) throws(MLGymError) {
        let program = try self.program(for: rules, directory: directory)
        let cgroup = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if cgroup < 0 {
            throw CgroupFiles.error(errno, "cannot open cgroup \(directory) to attach the device program")
        }
        defer { close(cgroup) }
        let result = mlg_cg_device_program_attach(cgroup, program)
        if result < 0 {
            throw CgroupFiles.error(-result, "cannot attach the BPF device program to \(directory)",
                hint: "the kernel needs CONFIG_CGROUP_BPF, and the directory must be on cgroup2")
        }
    }

    /// The loaded program for `rules`, loading it the first time.
    private static func program(for rules: [DeviceRule], directory: String) throws(MLGymError) -> Int32 {
        if let cached = loaded.withLock({ $0[rules] }) { return cached }
        let cRules = rules.map { rule in
            mlg_cg_device_rule(
                kind: CChar(UInt8(ascii: rule.kind == .block ? "b" : "c")), major: rule.major,
                minor: rule.minor.map(Int64.init) ?? -1, access: accessBits(rule.access))
        }
        var log = [CChar](repeating: 0, count: 8192)
        let program = cRules.withUnsafeBufferPointer { buffer in
            mlg_cg_device_program_load(buffer.baseAddress, buffer.count, &log, log.count)
        }
        if program < 0 {
            let verifier = String(decoding: log.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw CgroupFiles.error(-program, "cannot load the BPF device program (\(rules.count) rules) for \(directory)",
                hint: verifier.isEmpty
                    ? "loading BPF programs needs CAP_BPF and CAP_SYS_ADMIN (or root)"
                    : "verifier: \(verifier.split(separator: "\n").suffix(3).joined(separator: " | "))")
        }
        // Two threads may load the same rules at once; keep one program and close the other.
        return loaded.withLock { cache in
            if let existing = cache[rules] {
                close(program)
                return existing
            }
            cache[rules] = program
            return program
        }
    }

    /// How many device programs are attached directly to `directory`, or nil when it cannot be queried.
    static func attachedCount(_ directory: String) -> Int? {
        let cgroup = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if cgroup < 0 { return nil }
        defer { close(cgroup) }
        let count = mlg_cg_device_program_count(cgroup)
        return count < 0 ? nil : Int(count)
    }

    /// `rwm` letters as BPF_DEVCG_ACC_* bits.
    static func accessBits(_ access: String) -> UInt32 {
        var bits: UInt32 = 0
        if access.contains("r") { bits |= MLG_CG_ACC_READ }
        if access.contains("w") { bits |= MLG_CG_ACC_WRITE }
        if access.contains("m") { bits |= MLG_CG_ACC_MKNOD }
        return bits
    }
}
