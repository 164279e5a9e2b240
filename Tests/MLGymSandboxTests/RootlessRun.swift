import Foundation
import Glibc
import MLGymTestSupport

/// One `mlgym-sandbox run --show-warnings` by the ordinary user `mlgymtest`, as `RootlessTests` needs it.
///
/// The three binaries are copied into a fresh 0755 directory first (the build directory need not be traversable
/// by others), `XDG_RUNTIME_DIR` points into it (so the CLI's rootless state lands there, not in /tmp/mlgym-UID),
/// and the whole directory is removed afterwards. The user is created once, if missing, and kept.
struct RootlessRun {
    static let userName = "mlgymtest"

    let status: Int32
    let output: String
    let errorOutput: String
    /// The probe's `key=value` lines of `output`.
    var values: [String: String] { SandboxHarness.parse(output) }

    init(options: [String] = [], _ command: [String]) throws {
        try Self.requireUserNamespaces()
        let user = try Self.user()
        let directory = try Self.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for name in ["mlgym-sandbox", "mlgym-init", "mlgym-probe"] {
            try FileManager.default.copyItem(atPath: SandboxHarness.buildProduct(name), toPath: directory + "/" + name)
            chmod(directory + "/" + name, 0o755)
        }
        let runtime = directory + "/run"
        try FileManager.default.createDirectory(
            atPath: runtime, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        chown(runtime, user.uid, user.gid)
        let probeBind = directory + "/mlgym-probe:" + RootlessTests.probe
        let arguments = [directory + "/mlgym-sandbox", "run", "--show-warnings", "--bind", probeBind] + options + ["--"] + command
        (status, output, errorOutput) = try Self.runAsUser(
            arguments, environment: ["PATH": "/usr/bin:/bin", "HOME": user.home, "XDG_RUNTIME_DIR": runtime], in: directory)
    }

    /// Throws, saying why and what to change, when this kernel does not let an ordinary user make a user namespace
    /// with mounts and a pid namespace in it (what rootless sandboxes need).
    static func requireUserNamespaces() throws {
        let directory = try makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (status, _, errorOutput) = try runAsUser(
            ["/usr/bin/unshare", "--user", "--map-root-user", "--mount", "--pid", "--fork", "/bin/true"],
            environment: ["PATH": "/usr/bin:/bin"], in: directory)
        guard status != 0 else { return }
        // The switches distributions use to forbid them (Debian's sysctl, Ubuntu's AppArmor restriction).
        let switches = [
            "/proc/sys/user/max_user_namespaces", "/proc/sys/kernel/unprivileged_userns_clone",
            "/proc/sys/kernel/apparmor_restrict_unprivileged_userns",
        ]
        let settings = switches.compactMap { path in
            (try? String(contentsOfFile: path, encoding: .utf8)).map { "\(path)=\($0.trimmingCharacters(in: .whitespacesAndNewlines))" }
        }
        throw RootlessTestError(
            "UNPRIVILEGED USER NAMESPACES DO NOT WORK ON THIS KERNEL, so rootless mode cannot work here: "
                + "`unshare --user --map-root-user --mount --pid` as \(userName) failed (\(status)): \(errorOutput) "
                + "[\(settings.joined(separator: ", "))]")
    }

    /// The test user, created with `useradd` if missing.
    static func user() throws -> (uid: UInt32, gid: UInt32, home: String) {
        if getpwnam(userName) == nil {
            let (status, _, errorOutput) = try run("/usr/sbin/useradd", ["--create-home", userName])
            guard status == 0 || getpwnam(userName) != nil else {
                throw RootlessTestError("useradd \(userName) failed (\(status)): \(errorOutput)")
            }
        }
        guard let entry = getpwnam(userName) else { throw RootlessTestError("user \(userName) missing after useradd") }
        return (entry.pointee.pw_uid, entry.pointee.pw_gid, String(cString: entry.pointee.pw_dir))
    }

    /// A fresh directory under /tmp that every user can traverse.
    private static func makeDirectory() throws -> String {
        var template = Array("/tmp/mlgym-rootless-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw RootlessTestError("mkdtemp failed: errno \(errno)") }
        let path = String(cString: made)
        chmod(path, 0o755)
        return path
    }

    /// `arguments` run by the test user (its uid, gid and groups), with only `environment`, from `directory`.
    private static func runAsUser(
        _ arguments: [String], environment: [String: String], in directory: String
    ) throws -> (Int32, String, String) {
        _ = try user()
        return try run(
            "/usr/bin/setpriv", ["--reuid=\(userName)", "--regid=\(userName)", "--init-groups"] + arguments,
            environment: environment, in: directory)
    }

    /// Runs a program to completion; its output goes to files in a scratch directory, so no pipe can fill up.
    private static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, in directory: String? = nil
    ) throws -> (Int32, String, String) {
        let scratch = try makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let outputPath = scratch + "/stdout", errorPath = scratch + "/stderr"
        guard FileManager.default.createFile(atPath: outputPath, contents: nil),
              FileManager.default.createFile(atPath: errorPath, contents: nil)
        else { throw RootlessTestError("cannot create output files in \(scratch)") }
        let outputFile = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        let errorFile = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = outputFile
        process.standardError = errorFile
        try process.run()
        process.waitUntilExit()
        try outputFile.close()
        try errorFile.close()
        return (
            process.terminationStatus, try String(contentsOfFile: outputPath, encoding: .utf8),
            try String(contentsOfFile: errorPath, encoding: .utf8))
    }
}

/// Why a rootless test could not even run its sandbox.
struct RootlessTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
