import MLGymSandbox
import MLGymTestSupport
import Testing

/// The deny list returns EPERM (clone3: ENOSYS), while ordinary programs keep working.
@Suite("Seccomp", .enabled(if: SandboxHarness.canRun, "needs root for namespaces and cgroups"))
struct SeccompTests {
    let harness: SandboxHarness
    init() throws { harness = try SandboxHarness() }

    static let denied = [
        "mount", "umount2", "pivot_root", "chroot", "unshare", "setns", "keyctl", "add_key", "request_key", "bpf",
        "perf_event_open", "io_uring_setup", "kexec_load", "init_module", "finit_module", "delete_module",
        "userfaultfd", "open_by_handle_at", "swapon", "reboot", "syslog", "acct", "settimeofday", "iopl", "ioperm",
        "fanotify_init", "kcmp", "pidfd_getfd", "process_madvise", "clone_newuser", "socket_af_alg",
        "socket_af_vsock", "ioctl_tiocsti", "personality",
    ]

    @Test func denyListReturnsEPERM() async throws {
        let seen = try await harness.withSandbox { try await SandboxHarness.probe($0, "syscalls") }
        for name in Self.denied {
            #expect(seen[name] == "EPERM", "\(name) gave \(seen[name] ?? "nothing")")
        }
        #expect(seen["clone3"] == "ENOSYS")
        #expect(seen["pipe"] == "ok")
        #expect(seen["fork"] == "ok")
    }

    /// The same probe without the filter: calls an unprivileged user may make succeed or fail differently, so the
    /// probe really tells a filtered sandbox from an unfiltered one.
    @Test func probeTellsAnUnfilteredSandboxApart() async throws {
        let seen = try await harness.withSandbox({ $0.seccomp = false }) { try await SandboxHarness.probe($0, "syscalls") }
        #expect(seen["keyctl"] != "EPERM")
        #expect(seen["setns"] == "EBADF")
        #expect(seen["ioctl_tiocsti"] == "EBADF")
        #expect(seen["clone3"] != "ENOSYS")
        let status = try await harness.withSandbox({ $0.seccomp = false }) { try await SandboxHarness.probe($0, "status") }
        #expect(status["Seccomp"] == "0")
    }

    @Test func ordinaryProgramsWork() async throws {
        try await harness.withSandbox { sandbox in
            let bash = try await sandbox.run(["/bin/bash", "-c", "echo $((6 * 7)); for i in 1 2 3; do :; done; echo ok | tr a-z A-Z"])
            #expect(bash.output == "42\nOK\n")
            let python = try await sandbox.run(["/usr/bin/python3", "-c", "import numpy, threading, multiprocessing; print(int(numpy.arange(10).sum()))"])
            #expect(python.output == "45\n", "\(python.errorOutput)")
            let compile = try await sandbox.run(["/bin/sh", "-c", "printf '#include <stdio.h>\\nint main(void){puts(\"built\");return 0;}' > /tmp/h.c && gcc -O1 -o /tmp/h /tmp/h.c && /tmp/h"])
            #expect(compile.output == "built\n", "\(compile.errorOutput)")
        }
    }
}
