import ArgumentParser
import Dispatch
import Foundation
import Glibc
import MLGymClient
import MLGymCore

/// `mlgymctl attach ID`: this terminal on the session's shell, the one its agent uses.
struct SessionAttach: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attach",
        abstract: "Attach this terminal to a session's shell (detach with ctrl-p ctrl-q).",
        discussion: """
            While a terminal is attached the shell is yours: it echoes and shows a prompt, and the session's \
            exec requests are refused until you detach. Several terminals may attach at once and share the \
            shell, as tmux clients do. Detaching gives the shell back (a command still in the foreground is \
            interrupted); 'exit' ends the shell, and the next command starts a fresh one.

            --watch only watches: the shell's output as it comes (an agent's commands' output too), nothing you \
            type reaches it, and the shell stays the agent's, so a session an agent run drives can be watched. \
            ctrl-c stops watching.
            """)

    @OptionGroup var client: ClientOptions
    @Argument(help: ArgumentHelp("Session id, unique id prefix or unique name.", valueName: "id"))
    var id: String
    @Flag(help: "Only watch the shell's output; type nothing (works on a session an agent run drives).")
    var watch = false

    func run() async throws {
        if watch { return try await watchOnly() }
        let isTerminal = isatty(0) == 1
        var size = winsize()
        if !isTerminal || ioctl(0, UInt(TIOCGWINSZ), &size) != 0 || size.ws_row == 0 {
            size.ws_row = 24
            size.ws_col = 80
        }
        var saved = termios()
        if isTerminal {
            tcgetattr(0, &saved)
            var raw = saved
            cfmakeraw(&raw)
            tcsetattr(0, TCSANOW, &raw)
        }
        defer { if isTerminal { tcsetattr(0, TCSANOW, &saved) } }

        let attach = AttachClient(socketPath: client.socketPath)
        let ending = try await attach.attach(id, rows: size.ws_row, cols: size.ws_col, onOutput: { bytes in
            _ = bytes.withUnsafeBytes { Glibc.write(1, $0.baseAddress, $0.count) }
        }, body: { terminal in
            try await Self.forward(to: terminal, watchResize: isTerminal)
        })
        if isTerminal { tcsetattr(0, TCSANOW, &saved) }
        switch ending {
        case .detached:
            FileHandle.standardError.write(Data("\nmlgymctl: detached from \(id) (it keeps running; 'mlgymctl attach \(id)' to return)\n".utf8))
        case .ended(let message):
            FileHandle.standardError.write(Data("\nmlgymctl: \(message)\n".utf8))
        }
    }

    /// The shell's output on this terminal, as it is (no raw mode: ctrl-c ends this process), until the daemon
    /// closes the watch (the shell or the session ended).
    private func watchOnly() async throws {
        let attach = AttachClient(socketPath: client.socketPath)
        let ending = try await attach.attach(id, rows: 24, cols: 80, watch: true, onOutput: { bytes in
            _ = bytes.withUnsafeBytes { Glibc.write(1, $0.baseAddress, $0.count) }
        }, body: { _ in
            // Nothing to send: wait until the attachment ends, which cancels this (not a poll).
            while true { try await Task.sleep(for: .seconds(3600)) }
        })
        if case .ended(let message) = ending { FileHandle.standardError.write(Data("\nmlgymctl: \(message)\n".utf8)) }
    }

    /// Keys to the shell until ctrl-p ctrl-q (or end of input) detaches; window size changes follow.
    private static func forward(to terminal: AttachClient.Terminal, watchResize: Bool) async throws {
        let (keys, continuation) = AsyncStream<[UInt8]>.makeStream()
        let reader = Thread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = buffer.withUnsafeMutableBytes { Glibc.read(0, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                continuation.yield(Array(buffer[0..<count]))
            }
            continuation.finish()
        }
        reader.start()
        var resizeSource: (any DispatchSourceSignal)?
        if watchResize {
            signal(SIGWINCH, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: SIGWINCH)
            source.setEventHandler {
                var size = winsize()
                guard ioctl(0, UInt(TIOCGWINSZ), &size) == 0 else { return }
                Task { try? await terminal.resize(rows: size.ws_row, cols: size.ws_col) }
            }
            source.resume()
            resizeSource = source
        }
        defer { resizeSource?.cancel() }
        var escape = DetachSequence()
        for await chunk in keys {
            let (send, detach) = escape.scan(chunk)
            if !send.isEmpty { try await terminal.send(send) }
            if detach { break }
        }
        try await terminal.detach()
    }
}

/// Finds ctrl-p ctrl-q (docker's detach keys) in typed input. A ctrl-p is held back until the next byte shows
/// whether it starts the sequence; typed alone it reaches the shell with that next byte.
struct DetachSequence {
    private var heldControlP = false

    /// The bytes to send on, and whether the sequence was typed (bytes after it are dropped).
    mutating func scan(_ input: [UInt8]) -> (send: [UInt8], detach: Bool) {
        var send: [UInt8] = []
        for byte in input {
            if heldControlP {
                heldControlP = false
                if byte == 0x11 { return (send, true) }
                send.append(0x10)
            }
            if byte == 0x10 { heldControlP = true } else { send.append(byte) }
        }
        return (send, false)
    }
}
