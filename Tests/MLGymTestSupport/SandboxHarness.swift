import Foundation
import Glibc
import MLGymCore
import MLGymSandbox

/// A sandbox engine on temporary directories, with the escape probe bound into every sandbox it makes.
///
/// Tests that need real namespaces and cgroups run as root (CI does); `SandboxHarness.canRun` gates them.
public final class SandboxHarness: Sendable {
    public let engine: SandboxEngine
    public let root: String
    /// Where the probe appears inside sandboxes.
    public static let probePath = "/opt/mlgym/bin/mlgym-probe"

    /// Namespaces, mounts and cgroups need root here; rootless mode has its own test that runs a second uid.
    public static var canRun: Bool { geteuid() == 0 }

    public init(deviceRoot: String = "/dev", procRoot: String = "/proc") throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("mlgym-test-\(UUID().uuidString.prefix(8))").path
        engine = try SandboxEngine(SandboxEngine.Configuration(
            runtimeDirectory: root + "/run", stateDirectory: root + "/state",
            initExecutable: Self.buildProduct("mlgym-init"), cgroupParent: "mlgym-test",
            deviceRoot: deviceRoot, procRoot: procRoot))
    }

    /// A spec with the probe bound in and a fresh workspace owned by the agent.
    public func spec(_ configure: (inout SandboxSpec) -> Void = { _ in }) throws -> SandboxSpec {
        let workspace = root + "/workspace-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: workspace, withIntermediateDirectories: true)
        _ = chown(workspace, 1000, 1000)
        var spec = SandboxSpec(
            workspaceHostPath: workspace,
            binds: [SandboxSpec.Bind(hostPath: Self.buildProduct("mlgym-probe"), sandboxPath: Self.probePath)])
        configure(&spec)
        return spec
    }

    /// Makes a sandbox, runs `body`, and always stops the sandbox.
    public func withSandbox<T: Sendable>(
        _ configure: (inout SandboxSpec) -> Void = { _ in }, _ body: (Sandbox) async throws -> T
    ) async throws -> T {
        let sandbox = try await engine.create(try spec(configure))
        do {
            let result = try await body(sandbox)
            await sandbox.stop()
            return result
        } catch {
            await sandbox.stop()
            throw error
        }
    }

    /// Runs the probe inside and parses its `key=value` lines (a repeated key keeps every value, joined by "\n").
    public static func probe(_ sandbox: Sandbox, _ arguments: String...) async throws -> [String: String] {
        let result = try await sandbox.run([probePath] + arguments)
        guard result.status == .exited(0) else {
            throw MLGymError(.system, "probe \(arguments) failed: \(result.status) \(result.errorOutput)")
        }
        return parse(result.output)
    }

    public static func parse(_ output: String) -> [String: String] {
        var values: [String: String] = [:]
        for line in output.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<equals]), value = String(line[line.index(after: equals)...])
            values[key] = values[key].map { $0 + "\n" + value } ?? value
        }
        return values
    }

    /// A product of this package's build (the directory the test binary runs from).
    public static func buildProduct(_ name: String) -> String {
        SandboxEngine.siblingExecutable(name)
    }

    /// The temporary tree goes with the harness (each test holds its own).
    deinit {
        try? FileManager.default.removeItem(atPath: root)
    }
}
