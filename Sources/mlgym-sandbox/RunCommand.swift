import ArgumentParser
import Dispatch
import Foundation
import MLGymCore
import MLGymSandbox
import Synchronization

/// `mlgym-sandbox run [OPTIONS] -- CMD [ARG...]`
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Start a sandbox, run a command in it as the agent user, stop the sandbox, exit with the command's status.",
        discussion: "Without a command it runs an interactive bash. When standard input is a terminal the command gets a terminal of the sandbox's own (raw mode, window size followed); otherwise standard input, output and error pass through as pipes. Exit status: the command's; 125 when the sandbox could not be made, 126 when the command could not be started.")

    @OptionGroup var sandbox: SandboxOptions
    @Flag(name: .customLong("show-warnings"), help: "Print what the engine could not enforce on this host.")
    var showWarnings = false
    @Argument(parsing: .postTerminator, help: "The command and its arguments, after --.")
    var command: [String] = []

    func run() async throws {
        let argv = command
        let engine: SandboxEngine
        let box: Sandbox
        do {
            engine = try sandbox.engine()
            // Sandboxes of earlier runs that were killed before they could clean up.
            engine.removeOrphans()
            box = try await engine.create(try sandbox.spec())
        } catch let error as MLGymError {
            FileHandle.standardError.write(Data("mlgym-sandbox: \(error.message)\n".utf8))
            throw ExitCode(125)
        } catch let error as ValidationError {
            FileHandle.standardError.write(Data("mlgym-sandbox: \(error.message)\n".utf8))
            throw ExitCode(64)
        }
        if showWarnings {
            for warning in box.warnings { FileHandle.standardError.write(Data("mlgym-sandbox: warning: \(warning)\n".utf8)) }
        }
        // A closed terminal or a `kill` still removes the sandbox (Ctrl-C in a terminal goes to the sandbox).
        // The exit status then says which signal it was, whichever of the two paths below gets there first (the
        // command ends as soon as the sandbox goes).
        let signalled = SignalSeen()
        let stopOnSignal = [SIGTERM, SIGHUP] .map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber)
            source.setEventHandler {
                signalled.record(signalNumber)
                Task {
                    await box.stop()
                    Foundation.exit(128 + signalNumber)
                }
            }
            source.resume()
            return source
        }
        defer { stopOnSignal.forEach { $0.cancel() } }
        let status: ExitStatus
        do {
            let command = argv.isEmpty ? ["/bin/bash", "-i"] : argv
            status = isatty(0) == 1
                ? try await TerminalRelay.run(box, argv: command)
                : try await Relay.run(box, argv: command)
        } catch let error as MLGymError {
            await box.stop()
            FileHandle.standardError.write(Data("mlgym-sandbox: \(error.message)\n".utf8))
            throw ExitCode(126)
        }
        for event in box.recordedEvents() {
            if case .outOfMemory(let stats) = event {
                FileHandle.standardError.write(Data("mlgym-sandbox: out of memory: \(stats.oomKills ?? 0) process(es) killed at limit \(stats.memoryLimitBytes.map(ByteCount.format) ?? "?")\n".utf8))
            }
            if case .wallTimeExceeded(let seconds) = event {
                FileHandle.standardError.write(Data("mlgym-sandbox: wall time of \(seconds) s ran out; sandbox stopped\n".utf8))
            }
        }
        await box.stop()
        if let signalNumber = signalled.first { Foundation.exit(128 + signalNumber) }
        throw ExitCode(status.code)
    }
}

/// The first stop signal the command was sent, if any.
private final class SignalSeen: Sendable {
    private let value = Mutex<Int32?>(nil)
    func record(_ number: Int32) { value.withLock { $0 = $0 ?? number } }
    var first: Int32? { value.withLock { $0 } }
}
