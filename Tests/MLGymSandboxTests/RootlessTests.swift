import Foundation
import Glibc
import Testing

/// Rootless mode, tested the way a person uses it: the `mlgym-sandbox` CLI run by an ordinary user (created here
/// if missing), with no capability on the host. The engine then makes a user namespace mapping that user to the
/// agent's uid 1000, and, without a delegated cgroup, limits by rlimits and says so.
///
/// Serialized: the tests share the test user, and each one starts a whole CLI process.
@Suite(
    "Rootless mode, as an ordinary user", .serialized,
    .enabled(if: getuid() == 0, "creates a second user and switches to it, which needs root (CI runs as root)"))
struct RootlessTests {
    static let probe = "/opt/mlgym/bin/mlgym-probe"

    @Test func unprivilegedUserNamespacesWorkOnThisKernel() throws {
        // Not a gate: rootless mode cannot work without them, and a host that forbids them must fail here, loudly.
        try RootlessRun.requireUserNamespaces()
    }

    @Test func agentIsUID1000WithoutCapabilitiesBehindSeccomp() throws {
        let run = try RootlessRun([Self.probe, "status"])
        #expect(run.status == 0, "stderr: \(run.errorOutput)")
        let seen = run.values
        #expect(seen["Uid"] == "1000 1000 1000 1000")
        #expect(seen["Gid"] == "1000 1000 1000 1000")
        for set in ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"] {
            #expect(seen[set] == "0000000000000000", "\(set) is \(seen[set] ?? "missing")")
        }
        #expect(seen["NoNewPrivs"] == "1")
        #expect(seen["Seccomp"] == "2")
        #expect(seen["hostname"] == "mlgym")
    }

    @Test func limitsFallBackToRlimitsWithAWarning() throws {
        let run = try RootlessRun([Self.probe, "net"])
        #expect(run.status == 0, "stderr: \(run.errorOutput)")
        #expect(run.values["interface"] == "lo,up=1")
        #expect(run.errorOutput.contains("warning: cgroups are not delegated to uid \(try RootlessRun.user().uid)"))
        #expect(run.errorOutput.contains("fall back to rlimits"))
    }

    @Test func memoryLimitStillAppliesAsAnAddressSpaceRlimit() throws {
        let script = "bytearray(8 << 20); print('small allocation ok', flush=True); bytearray(200 << 20)"
        let run = try RootlessRun(options: ["--memory", "64M"], ["/usr/bin/python3", "-c", script])
        #expect(run.output == "small allocation ok\n")
        #expect(run.status != 0)
        #expect(run.errorOutput.contains("MemoryError"), "stderr: \(run.errorOutput)")
    }

    @Test func pidsLimitStillAppliesAsAProcessRlimit() throws {
        // RLIMIT_NPROC is counted per user in the sandbox's own user namespace, so it limits this sandbox. The
        // children wait on a pipe until every fork has been tried, so all of them are alive at once.
        let script = """
            import os
            gate, release = os.pipe()
            children, refused = [], 0
            for _ in range(12):
                try:
                    pid = os.fork()
                except OSError:
                    refused += 1
                    continue
                if pid == 0:
                    os.close(release)
                    os.read(gate, 1)
                    os._exit(0)
                children.append(pid)
            os.close(release)
            for pid in children:
                os.waitpid(pid, 0)
            print(f"started={len(children)}")
            print(f"refused={refused}")
            """
        let run = try RootlessRun(options: ["--pids", "6"], ["/usr/bin/python3", "-c", script])
        #expect(run.status == 0, "stderr: \(run.errorOutput)")
        // Six processes of the agent's uid at most: init and python are two of them.
        #expect(run.values["started"] == "4", "output: \(run.output)")
        #expect(run.values["refused"] == "8", "output: \(run.output)")
    }

    @Test func agentSharingInitsUIDStillCannotStopTraceOrReadIt() throws {
        // Here init runs as the agent's uid, so kill() is permitted; init drops signals sent from inside its pid
        // namespace (pid 1 without a handler, and a signalfd that only obeys senders from outside). The next
        // command runs only if the sandbox survived.
        let run = try RootlessRun(["/bin/sh", "-c", "\(Self.probe) init; kill -KILL 1; echo still-running=yes"])
        let seen = run.values
        #expect(seen["ptrace_attach_init"] == "EPERM")
        #expect(seen["open_init_mem"] == "EACCES")
        #expect(seen["open_init_environ"] == "EACCES")
        #expect(seen["process_vm_readv_init"] == "EPERM")
        #expect(seen["still-running"] == "yes")
        #expect(run.status == 0, "stderr: \(run.errorOutput)")
    }
}
