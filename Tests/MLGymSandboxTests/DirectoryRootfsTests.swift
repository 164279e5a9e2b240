import Foundation
import Glibc
import MLGymCore
import MLGymSandbox
import MLGymTestSupport
import Testing

/// A sandbox whose root is a directory tree (as `rootfs/` builds), read-only below a per-sandbox overlay.
@Suite("Directory root filesystem", .serialized, .enabled(if: SandboxHarness.canRun, "needs root for namespaces and overlayfs"))
struct DirectoryRootfsTests {
    let harness: SandboxHarness
    let tree: String

    /// A minimal tree: dash and the libraries it links, plus the usual mount points.
    init() throws {
        harness = try SandboxHarness()
        tree = harness.root + "/rootfs"
        for directory in ["bin", "etc", "tmp", "proc", "dev", "sys", "home"] {
            try FileManager.default.createDirectory(atPath: "\(tree)/\(directory)", withIntermediateDirectories: true)
        }
        let shell = "/usr/bin/dash"
        try Self.copy(shell, to: "\(tree)/bin/sh")
        let ldd = Process()
        ldd.executableURL = URL(fileURLWithPath: "/usr/bin/ldd")
        ldd.arguments = [shell]
        let output = Pipe()
        ldd.standardOutput = output
        try ldd.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        ldd.waitUntilExit()
        for library in text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }) where library.hasPrefix("/") {
            let target = tree + library
            try FileManager.default.createDirectory(
                atPath: URL(fileURLWithPath: target).deletingLastPathComponent().path, withIntermediateDirectories: true)
            try Self.copy(String(library), to: target)
        }
        try "from the tree\n".write(toFile: "\(tree)/etc/motd", atomically: true, encoding: .utf8)
    }

    static func copy(_ source: String, to target: String) throws {
        try? FileManager.default.removeItem(atPath: target)
        try FileManager.default.copyItem(atPath: URL(fileURLWithPath: source).resolvingSymlinksInPath().path, toPath: target)
    }

    @Test func sandboxRunsFromTheTreeAndNothingOfTheHostIsThere() async throws {
        try await harness.withSandbox({ spec in
            spec.rootFilesystem = .directory(tree)
            spec.binds = []
        }) { sandbox in
            let result = try await sandbox.run(["/bin/sh", "-c", "read line < /etc/motd; echo $line; echo $(id -u 2>/dev/null || echo no-id); test -e /usr/bin/python3 && echo host-visible || echo host-hidden"])
            #expect(result.output == "from the tree\nno-id\nhost-hidden\n", "\(result.errorOutput)")
        }
    }

    @Test func writesGoToTheOverlayNotTheTreeAndCanBeKept() async throws {
        let sandbox = try await harness.engine.create(try harness.spec { spec in
            spec.rootFilesystem = .directory(tree)
            spec.binds = []
            spec.limits.diskBytes = 16 << 20
            spec.workspaceHostPath = nil
        })
        // /home is the agent's tmpfs; /etc is owned by root in the tree: the agent may write only where it may.
        let denied = try await sandbox.run(["/bin/sh", "-c", "echo x > /etc/motd"])
        #expect(denied.status != .exited(0))
        _ = try await sandbox.run(["/bin/sh", "-c", "echo kept > /home/agent/workspace/result"])
        let report = await sandbox.stop(keepVolume: true)
        let image = try #require(report.volumeKept)
        #expect(FileManager.default.fileExists(atPath: image))
        #expect(try String(contentsOfFile: "\(tree)/etc/motd", encoding: .utf8) == "from the tree\n")
        // The kept image holds the workspace: mount it read-only and look.
        let look = harness.root + "/look"
        try FileManager.default.createDirectory(atPath: look, withIntermediateDirectories: true)
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-o", "loop,ro", image, look]
        try mount.run()
        mount.waitUntilExit()
        #expect(mount.terminationStatus == 0)
        #expect((try? String(contentsOfFile: "\(look)/workspace/result", encoding: .utf8)) == "kept\n")
        #expect(FileManager.default.fileExists(atPath: "\(look)/upper/etc/passwd"), "generated files live in the upper layer")
        umount2(look, Int32(MNT_DETACH))
        try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: image).deletingLastPathComponent().path)
    }
}
