import CSandbox
import Dispatch
import Foundation
import Glibc
import MLGymSandbox

/// Connects this process's terminal to a process that runs on a PTY inside a sandbox: raw mode here, bytes both
/// ways, window size followed. Used when standard input is a terminal, so an interactive shell in the sandbox
/// gets job control and line editing.
enum TerminalRelay {
    static func run(_ sandbox: Sandbox, argv: [String]) async throws -> ExitStatus {
        var size = winsize()
        _ = ioctl(0, UInt(TIOCGWINSZ), &size)
        let process = try await sandbox.spawn(argv, terminal: (size.ws_row == 0 ? 24 : size.ws_row, size.ws_col == 0 ? 80 : size.ws_col))
        guard let master = process.terminal else { return await process.wait() }
        var saved = termios()
        tcgetattr(0, &saved)
        var raw = saved
        cfmakeraw(&raw)
        tcsetattr(0, TCSANOW, &raw)
        defer { tcsetattr(0, TCSANOW, &saved) }

        signal(SIGWINCH, SIG_IGN)
        let resize = DispatchSource.makeSignalSource(signal: SIGWINCH)
        resize.setEventHandler {
            var size = winsize()
            if ioctl(0, UInt(TIOCGWINSZ), &size) == 0 { _ = mlg_set_winsize(master, size.ws_row, size.ws_col) }
        }
        resize.resume()
        defer { resize.cancel() }

        Thread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                if buffer.withUnsafeBytes({ write(master, $0.baseAddress, n) }) <= 0 { break }
            }
        }.start()
        let output = Task.detached {
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                Thread {
                    var buffer = [UInt8](repeating: 0, count: 65536)
                    while true {
                        let n = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
                        if n <= 0 { break }  // EIO once the shell and its children closed the terminal
                        _ = buffer.withUnsafeBytes { write(1, $0.baseAddress, n) }
                    }
                    done.resume()
                }.start()
            }
        }
        let status = await process.wait()
        // Background jobs may still hold the terminal; they die when the sandbox stops. Give the output a
        // moment to drain, then return.
        let drained = Task { await output.value }
        try? await Task.sleep(for: .milliseconds(200))
        drained.cancel()
        return status
    }
}
