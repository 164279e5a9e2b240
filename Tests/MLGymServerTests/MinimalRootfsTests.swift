import Foundation
import Glibc
import MLGymAPI
import MLGymClient
import MLGymTestSupport
import Testing

/// The in-sandbox tools need nothing from the root filesystem: a task session on a tree holding only bash, cp
/// (the evaluation copies the workspace with it), python3 with its standard library, and the C libraries they
/// link (no Swift runtime, no Foundation, no libcurl) still validates, submits and runs the file commands.
@Suite(.serialized, .enabled(if: getuid() == 0, "needs root for namespaces and overlayfs"))
struct MinimalRootfsTests {
    @Test func theToolsWorkInARootfsWithoutSwiftOrCurl() throws {
        let tree = try Self.makeTree()
        defer { try? FileManager.default.removeItem(atPath: tree) }
        let everything = FileManager.default.enumerator(atPath: tree)?.compactMap { $0 as? String } ?? []
        #expect(!everything.contains { $0.contains("libswift") || $0.contains("Foundation") || $0.contains("libcurl") })
        #expect(everything.contains("usr/bin/python3") && everything.contains("usr/lib64/ld-linux-x86-64.so.2"))

        let daemon = try DaemonProcess(extraArguments: ["--rootfs", tree])
        defer { daemon.finish() }
        let id = try daemon.client.createSession(SessionSpec(task: "battleOfSexes")).id
        // Nothing of the host's Swift or curl was bound in for the tools.
        let libraries = try daemon.ctl(["exec", id, "--", "echo /usr/lib/x86_64-linux-gnu/*; test -e /usr/lib/swift || test -e /opt/swift || echo no-swift"])
        #expect(!libraries.output.contains("libcurl") && !libraries.output.contains("libswift") && !libraries.output.contains("Foundation"))
        #expect(libraries.output.contains("libc.so.6") && libraries.output.hasSuffix("no-swift\n"), "\(libraries.output)")

        let validated = try daemon.ctl(["exec", id, "--", "validate --json"])
        #expect(validated.status == 0, "\(validated.output) \(validated.errorOutput)")
        let info = try WireCoding.decoder().decode(EvaluationInfo.self, from: Data(validated.output.utf8))
        #expect(info.metrics["Score"] == 1.024)

        let opened = try daemon.ctl(["exec", id, "--", "open strategy.py && search_file row_strategy"])
        #expect(opened.status == 0, "\(opened.output) \(opened.errorOutput)")
        #expect(opened.output.contains("[File: /home/agent/workspace/strategy.py") && opened.output.contains("def row_strategy"))
        let submitted = try daemon.ctl(["exec", id, "--", "submit"])
        #expect(submitted.status == 0 && submitted.output.contains("Evaluation Score: {'Score': 1.024}"), "\(submitted.output)")
    }

    @Test func theToolBinaryIsStatic() throws {
        let binary = try DaemonProcess.binary("mlgymctl")
        #expect(try ELFFile(path: binary).hasInterpreter == false, "\(binary) asks for a dynamic loader")
        // The full client is the one that links Foundation; it sits beside the light one.
        #expect(try ELFFile(path: try DaemonProcess.binary("mlgymctl-full")).hasInterpreter)
    }

    /// bash, cp and python3 (with the standard library) and the libraries they and Python's extension modules link,
    /// hard-linked from the host into a fresh tree laid out as Debian's merged /usr.
    static func makeTree() throws -> String {
        var template = Array("/tmp/mlgym-minimal-rootfs-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw TestFailure("mkdtemp failed: errno \(errno)") }
        let tree = String(cString: made)
        chmod(tree, 0o755)
        let script = """
            set -e
            T="$1"
            mkdir -p "$T/usr/bin" "$T/usr/lib/x86_64-linux-gnu" "$T/usr/lib64" "$T/etc" "$T/tmp" "$T/proc" "$T/dev" "$T/sys" "$T/home" "$T/run"
            chmod 1777 "$T/tmp"
            ln -s usr/bin "$T/bin"; ln -s usr/lib "$T/lib"; ln -s usr/lib64 "$T/lib64"; ln -s usr/bin "$T/usr/sbin"; ln -s usr/bin "$T/sbin"
            cp -L /usr/bin/bash /usr/bin/cp /usr/bin/python3 "$T/usr/bin/"
            ln -s bash "$T/usr/bin/sh"
            cp -a /usr/lib/python3.11 "$T/usr/lib/"
            rm -rf "$T/usr/lib/python3.11/test" "$T/usr/lib/python3.11/idlelib" "$T/usr/lib/python3.11/tkinter"
            for object in /usr/bin/bash /usr/bin/cp /usr/bin/python3 /usr/lib/python3.11/lib-dynload/*.so; do ldd "$object"; done \\
                | grep -o '/[^ ]*' | sort -u | while read -r library; do
                    [ -e "$library" ] || continue
                    cp -L "$library" "$T/usr${library#/usr}"
                done
            """
        let built = try CommandResult.run("/bin/sh", ["-c", script, "make-tree", tree])
        guard built.status == 0 else { throw TestFailure("building the tree failed: \(built.errorOutput)") }
        return tree
    }
}

/// The program headers of an ELF file, enough to tell whether it needs a dynamic loader (`PT_INTERP`).
struct ELFFile {
    let hasInterpreter: Bool

    init(path: String) throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped))
        guard bytes.count > 64, bytes[0..<4].elementsEqual([0x7F, 0x45, 0x4C, 0x46]), bytes[4] == 2 else {
            throw TestFailure("\(path) is not a 64-bit ELF file")
        }
        func integer(_ offset: Int, _ size: Int) -> Int {
            (0..<size).reduce(0) { $0 | Int(bytes[offset + $1]) << (8 * $1) }
        }
        let headerOffset = integer(0x20, 8), headerSize = integer(0x36, 2), headerCount = integer(0x38, 2)
        hasInterpreter = (0..<headerCount).contains { integer(headerOffset + $0 * headerSize, 4) == 3 }
    }
}
