import ArgumentParser
import Foundation
import MLGymCore
import MLGymSandbox

/// `mlgym-sandbox bench start|shell`: in-process timings used by bench/sandbox-start and bench/shell-roundtrip.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time sandbox start-up or the persistent shell from inside one process (what mlgymd pays).",
        subcommands: [BenchStart.self, BenchShell.self])
}

struct BenchStart: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start",
        abstract: "Sandbox up + /bin/true + stop, fully confined (cgroup limits, seccomp, no capabilities, uid 1000); prints one time per line in ms.")
    @OptionGroup var sandbox: SandboxOptions
    @Option(help: "Number of timed runs (after 3 warm-up runs).") var runs = 30
    @Flag(help: "Time only up to /bin/true's exit (leave teardown out).") var excludeTeardown = false

    func run() async throws {
        let engine = try sandbox.engine()
        var spec = try sandbox.spec()
        if spec.limits.memoryBytes == nil { spec.limits.memoryBytes = 1 << 30 }
        if spec.limits.pids == nil { spec.limits.pids = 256 }
        if spec.limits.cpus == nil { spec.limits.cpus = 1 }
        let workspace = FileManager.default.temporaryDirectory.appendingPathComponent("mlgym-bench-\(getpid())").path
        try FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: workspace) }
        spec.workspaceHostPath = workspace
        for index in 0..<(runs + 3) {
            let start = ContinuousClock.now
            let box = try await engine.create(spec)
            let result = try await box.run(["/bin/true"])
            let ran = ContinuousClock.now
            await box.stop()
            let end = ContinuousClock.now
            guard result.status == .exited(0) else { throw ValidationError("/bin/true failed: \(result.status)") }
            if index >= 3 {
                let elapsed = (excludeTeardown ? ran : end) - start
                print(String(format: "%.3f", Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000))
            }
        }
    }
}

struct BenchShell: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shell",
        abstract: "Round trips of `echo x` through a persistent shell in one sandbox; prints one time per line in µs.")
    @OptionGroup var sandbox: SandboxOptions
    @Option(help: "Number of timed round trips (after 20 warm-up ones).") var count = 1000

    func run() async throws {
        let engine = try sandbox.engine()
        let box = try await engine.create(try sandbox.spec())
        let shell = try await PersistentShell.start(in: box)
        for index in 0..<(count + 20) {
            let start = ContinuousClock.now
            let result = try await shell.run("echo x")
            let elapsed = ContinuousClock.now - start
            guard result.output == "x\n", result.exitCode == 0 else {
                throw ValidationError("unexpected shell answer: \(result)")
            }
            if index >= 20 {
                print(String(format: "%.1f", Double(elapsed.components.attoseconds) / 1e12 + Double(elapsed.components.seconds) * 1e6))
            }
        }
        await shell.close()
        await box.stop()
    }
}
