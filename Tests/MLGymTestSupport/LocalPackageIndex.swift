import Foundation

/// A pip package index on 127.0.0.1, made of one real wheel the test support writes (`tinypkg`, a module with
/// `VALUE = 42`) and served as a directory (`simple/<project>/` lists its files), the layout pip reads.
public final class LocalPackageIndex: @unchecked Sendable {
    public let server: LoopbackServer
    /// pip's index URL: `http://127.0.0.1:<port>/simple`.
    public var url: String { "http://127.0.0.1:\(server.port)/simple" }

    public static let project = "tinypkg"
    public static let value = 42

    public init() throws {
        let directory = try TemporaryTaskRoot()
        try directory.write("simple/\(Self.project)/.keep", "")
        try Self.writeWheel(to: directory.path + "/simple/\(Self.project)/\(Self.project)-1.0-py3-none-any.whl")
        server = try LoopbackServer(script: Self.script, arguments: [directory.path, "{port}"], directory: directory)
    }

    /// A plain directory of files on 127.0.0.1 (a server the sandbox must not reach).
    public static func files(_ files: [String: String]) throws -> LoopbackServer {
        let directory = try TemporaryTaskRoot()
        for (name, text) in files { try directory.write("www/" + name, text) }
        return try LoopbackServer(script: script, arguments: [directory.path + "/www", "{port}"], directory: directory)
    }

    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Servers/file_server.py").path
    }

    /// A wheel (a zip with the module, its METADATA, WHEEL and RECORD), written by Python's zipfile.
    static func writeWheel(to path: String) throws {
        let program = """
            import sys, zipfile
            name = sys.argv[2]
            info = name + "-1.0.dist-info/"
            files = {
                name + "/__init__.py": "VALUE = \(value)\\n",
                info + "METADATA": "Metadata-Version: 2.1\\nName: " + name + "\\nVersion: 1.0\\n",
                info + "WHEEL": "Wheel-Version: 1.0\\nGenerator: mlgym-tests\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
            }
            with zipfile.ZipFile(sys.argv[1], "w") as wheel:
                for file, text in files.items():
                    wheel.writestr(file, text)
                wheel.writestr(info + "RECORD", "".join(f + ",,\\n" for f in files) + info + "RECORD,,\\n")
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", program, path, project]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TemporaryTaskRootError(message: "could not write the test wheel") }
    }
}
