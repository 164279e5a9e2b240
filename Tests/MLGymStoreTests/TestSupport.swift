import Foundation
import MLGymCore
import MLGymStore

/// A fresh directory for one test's database, removed when the body returns.
func withTemporaryDirectory(_ body: (String) async throws -> Void) async throws {
    let path = FileManager.default.temporaryDirectory.path + "/mlgym-store-test-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    try await body(path)
}

/// A store on a fresh database file; the path is given too, for reopening it or handing it to Python.
func withStore(options: Store.Options = Store.Options(), _ body: (Store, String) async throws -> Void) async throws {
    try await withTemporaryDirectory { directory async throws in
        let path = directory + "/" + Store.fileName
        try await body(try Store(path: path, options: options), path)
    }
}

/// A minimal valid new session.
func newSession(_ id: String = UUID().uuidString.lowercased(), owner: UInt32 = 1000, name: String = "test") -> NewSession {
    NewSession(
        id: id, name: name, ownerUID: owner, spec: Data(#"{"task":"rlMountainCarContinuous","gpus":0}"#.utf8),
        cgroupName: "mlgym-\(id)", runtimeDirectory: "/run/mlgym/sessions/\(id)", stateDirectory: "/var/lib/mlgym/sessions/\(id)"
    )
}

/// How a Python child ended and what it printed.
struct PythonResult {
    var killedBySignal: Int32?
    var exitStatus: Int32?
    var output: String
}

/// Runs `/usr/bin/python3 -c script args…`: another process, written in another language, that reads and writes
/// the database with plain SQL (its `sqlite3` module links the same system libsqlite3). scripts/setup installs it.
func runPython(_ script: String, _ arguments: [String]) throws -> PythonResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
    process.arguments = ["-c", script] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let signalled = process.terminationReason == .uncaughtSignal
    return PythonResult(
        killedBySignal: signalled ? process.terminationStatus : nil,
        exitStatus: signalled ? nil : process.terminationStatus,
        output: String(decoding: output, as: UTF8.self)
    )
}

/// One integer from one SQL query, run by Python on the database file (a view of the file from outside the store).
func pythonScalar(_ path: String, _ sql: String) throws -> Int {
    let result = try runPython(
        "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])", [path, sql]
    )
    guard result.exitStatus == 0, let value = Int(result.output.trimmingCharacters(in: .whitespacesAndNewlines)) else {
        throw MLGymError(.system, "python could not run \(sql) on \(path): \(result.output)")
    }
    return value
}
