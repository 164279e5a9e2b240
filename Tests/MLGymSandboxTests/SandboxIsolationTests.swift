import Foundation
import Glibc
import MLGymSandbox
import MLGymTestSupport
import Testing

/// Each security property, checked from inside a sandbox by the probe (docs/sandbox.md, "What is isolated").
@Suite("Sandbox isolation, seen from inside", .enabled(if: SandboxHarness.canRun, "needs root for namespaces and cgroups"))
struct SandboxIsolationTests {
    let harness: SandboxHarness
    init() throws { harness = try SandboxHarness() }

    @Test func agentIsNonRootWithoutAnyCapability() async throws {
        let seen = try await harness.withSandbox { try await SandboxHarness.probe($0, "status") }
        #expect(seen["Uid"] == "1000 1000 1000 1000")
        #expect(seen["Gid"] == "1000 1000 1000 1000")
        for set in ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"] {
            #expect(seen[set] == "0000000000000000", "\(set) is \(seen[set] ?? "missing")")
        }
        #expect(seen["NoNewPrivs"] == "1")
        #expect(seen["Seccomp"] == "2")
    }

    @Test func hostnameIsTheSandboxesAndPid1IsInit() async throws {
        try await harness.withSandbox({ $0.hostname = "task-box" }) { sandbox in
            let status = try await SandboxHarness.probe(sandbox, "status")
            #expect(status["hostname"] == "task-box")
            let processes = try await SandboxHarness.probe(sandbox, "pids")["process"]?.split(separator: "\n") ?? []
            // Only the sandbox's own processes: init and the probe itself.
            #expect(processes.count == 2, "visible: \(processes)")
            #expect(processes.contains { $0.hasPrefix("1,mlgym-init,") })
        }
    }

    @Test func onlyLoopbackExistsAndItIsUp() async throws {
        let seen = try await harness.withSandbox { try await SandboxHarness.probe($0, "net") }
        #expect(seen["interface"] == "lo,up=1")
    }

    @Test func hostLoopbackServicesAreUnreachable() async throws {
        // A listener on the host's 127.0.0.1 is a different loopback from the sandbox's.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                _ = bind(listener, $0, length)
                _ = getsockname(listener, $0, &length)
            }
        }
        #expect(listen(listener, 8) == 0)
        let port = UInt16(bigEndian: address.sin_port)
        let seen = try await harness.withSandbox { try await SandboxHarness.probe($0, "connect", "127.0.0.1", "\(port)") }
        #expect(seen["connect"] == "ECONNREFUSED")
    }

    @Test func agentCannotSignalTraceOrReadInit() async throws {
        let seen = try await harness.withSandbox { try await SandboxHarness.probe($0, "init") }
        #expect(seen["kill_init_0"] == "EPERM")
        #expect(seen["kill_init_term"] == "EPERM")
        #expect(seen["ptrace_attach_init"] == "EPERM")
        #expect(seen["open_init_mem"] == "EACCES" || seen["open_init_mem"] == "EPERM")
        #expect(seen["open_init_environ"] == "EACCES" || seen["open_init_environ"] == "EPERM")
        #expect(seen["process_vm_readv_init"] == "EPERM")
    }

    @Test func initReapsOrphanedZombies() async throws {
        try await harness.withSandbox { sandbox in
            // The shell exits before its background child; the child is re-parented to init, which must reap it.
            _ = try await sandbox.run(["/bin/sh", "-c", "(sleep 0.2 &) ; exit 0"])
            try await Task.sleep(for: .milliseconds(800))
            let processes = try await SandboxHarness.probe(sandbox, "pids")["process"] ?? ""
            #expect(!processes.contains(",Z"), "zombies: \(processes)")
        }
    }

    @Test func hostFilesOutsideTheBindsAreInvisible() async throws {
        let secret = "/root/mlgym-secret-\(UUID().uuidString.prefix(8))"
        try "do not read".write(toFile: secret, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: secret) }
        let seen = try await harness.withSandbox {
            try await SandboxHarness.probe($0, "access", secret, "/root", "/etc/shadow", "/var/lib", "/home/agent/workspace")
        }
        #expect(seen[secret] == "missing,r=0,w=0")
        #expect(seen["/root"] == "missing,r=0,w=0")
        #expect(seen["/etc/shadow"] == "missing,r=0,w=0")
        #expect(seen["/var/lib"] == "missing,r=0,w=0")
        #expect(seen["/home/agent/workspace"] == "exists,r=1,w=1")
    }

    @Test func rootIsReadOnlyExceptWorkspaceTmpAndHome() async throws {
        let seen = try await harness.withSandbox {
            try await SandboxHarness.probe($0, "access", "/", "/usr", "/etc", "/usr/bin", "/tmp", "/dev/shm", "/home/agent", "/home/agent/workspace", "/run", "/dev")
        }
        for path in ["/", "/usr", "/etc", "/usr/bin", "/run", "/dev"] {
            #expect(seen[path] == "exists,r=1,w=0", "\(path): \(seen[path] ?? "?")")
        }
        for path in ["/tmp", "/dev/shm", "/home/agent", "/home/agent/workspace"] {
            #expect(seen[path] == "exists,r=1,w=1", "\(path): \(seen[path] ?? "?")")
        }
    }

    @Test func procAndSysAreMaskedAndReadOnly() async throws {
        try await harness.withSandbox { sandbox in
            let mounts = try await sandbox.run(["/bin/cat", "/proc/self/mountinfo"]).output
            func options(of mountPoint: String) -> String? {
                mounts.split(separator: "\n").last { $0.split(separator: " ")[4] == mountPoint }.map { String($0.split(separator: " ")[5]) }
            }
            #expect(options(of: "/proc/sys")?.hasPrefix("ro") == true)
            #expect(options(of: "/proc/irq")?.hasPrefix("ro") == true)
            #expect(options(of: "/dev")?.hasPrefix("ro") == true)
            #expect(options(of: "/sys")?.hasPrefix("ro") == true)
            #expect(options(of: "/")?.hasPrefix("ro") == true)
            // Masked files read as empty, masked directories list nothing (only paths this kernel has are masked).
            let masked = try await sandbox.run(["/bin/sh", "-c", "cat /proc/keys /proc/timer_list | wc -c; ls /sys/firmware | wc -l"])
            #expect(masked.output == "0\n0\n")
            #expect(options(of: "/proc/keys") != nil)
            #expect(options(of: "/sys/firmware")?.hasPrefix("ro") == true)
        }
    }

    @Test func devHoldsOnlyTheAllowedNodes() async throws {
        let seen = try await harness.withSandbox { try await SandboxHarness.probe($0, "devices") }
        let names = Set((seen["dev"] ?? "").split(separator: "\n").map(String.init))
        #expect(names == ["null", "zero", "full", "random", "urandom", "tty", "ptmx", "pts", "shm", "fd", "stdin", "stdout", "stderr"])
    }
}
