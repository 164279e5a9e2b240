import Foundation
import MLGymCore
import MLGymSandbox

/// What the sessions' root filesystem offers the tasks, asked once from inside a sandbox (so it is what an
/// agent's `python3` sees, not the daemon's): which of the tasks' Python modules are missing, and an identity
/// for the root filesystem that every evaluation records.
public struct RootfsProbe: Sendable, Equatable {
    /// Python modules some task names that `python3` in the sandbox cannot import.
    public var missingModules: Set<String>
    /// `sha256:` + 16 hex digits of the package list (Debian's dpkg status and the Python distributions), so
    /// two evaluations with the same identity ran on the same packages.
    public var identity: String
    public var pythonVersion: String?
    /// Every installed Python distribution's normalised project name (`PythonRequirements.normalise`).
    public var distributions: Set<String>

    public init(missingModules: Set<String>, identity: String, pythonVersion: String?, distributions: Set<String> = []) {
        self.missingModules = missingModules
        self.identity = identity
        self.pythonVersion = pythonVersion
        self.distributions = distributions
    }

    public static func run(engine: SandboxEngine, rootFilesystem: SandboxSpec.RootFilesystem, modules: [String]) async throws -> RootfsProbe {
        var spec = SandboxSpec(rootFilesystem: rootFilesystem, hostname: "mlgym-probe")
        spec.limits.diskBytes = nil
        let sandbox = try await engine.create(spec)
        let result: ProcessResult
        do {
            result = try await sandbox.run(["python3", "-c", script] + modules.sorted(), timeout: .seconds(120))
        } catch {
            _ = await sandbox.stop()
            throw error
        }
        _ = await sandbox.stop()
        struct Answer: Decodable {
            var missing: [String]
            var distributions: [String]
            var python: String
        }
        let dpkgStatus: String
        switch rootFilesystem {
        case .host: dpkgStatus = "/var/lib/dpkg/status"
        case .directory(let tree): dpkgStatus = tree + "/var/lib/dpkg/status"
        }
        let packages = FileManager.default.contents(atPath: dpkgStatus) ?? Data()
        guard case .exited(0) = result.status,
              let answer = try? JSONDecoder().decode(Answer.self, from: Data(result.output.utf8))
        else {
            // No python3 at all: every module is missing; the identity still covers the system packages.
            let identity = "sha256:" + SHA256.hex(packages).prefix(16)
            return RootfsProbe(missingModules: Set(modules), identity: identity, pythonVersion: nil)
        }
        var hasher = SHA256()
        hasher.update(packages)
        hasher.update(Array(answer.distributions.joined(separator: "\n").utf8))
        let identity = "sha256:" + hasher.finalize().prefix(8).map { String(format: "%02x", $0) }.joined()
        let names = answer.distributions.compactMap { $0.split(separator: "=").first.map { PythonRequirements.normalise(String($0)) } }
        return RootfsProbe(missingModules: Set(answer.missing), identity: identity, pythonVersion: answer.python, distributions: Set(names))
    }

    /// find_spec, not import: asking must not run a heavy package's import-time code (torch takes seconds).
    static let script = """
        import importlib.util, json, sys
        missing = []
        for name in sys.argv[1:]:
            try:
                if importlib.util.find_spec(name) is None:
                    missing.append(name)
            except Exception:
                missing.append(name)
        try:
            import importlib.metadata as metadata
            distributions = sorted("%s==%s" % (d.metadata["Name"], d.version) for d in metadata.distributions())
        except Exception:
            distributions = []
        print(json.dumps({"missing": missing, "distributions": distributions, "python": sys.version.split()[0]}))
        """
}
