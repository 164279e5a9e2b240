import Foundation

/// Runs a program to completion and collects what it printed.
///
/// The project's daemon never uses Foundation's `Process` (it spawns through its sandbox layer), but this code runs
/// in a short-lived, single-threaded ACI command inside the sandbox, as the agent, where `Process` is the simple and
/// safe choice: nothing else runs in the process to be disturbed by its fork/exec or its run loop.
enum Subprocess {
    struct Outcome {
        var status: Int32
        /// Standard output and standard error together, as the shell's `2>&1` would give them.
        var output: String
    }

    /// Runs `executable` (an absolute path) with `arguments`, standard input empty; nil when it cannot be started.
    static func run(_ executable: String, _ arguments: [String]) -> Outcome? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return nil
        }
        // Read before waiting: a child that fills the pipe would otherwise block forever.
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }
}
