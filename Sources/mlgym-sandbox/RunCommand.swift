import ArgumentParser
import Foundation
import MLGymCore
import MLGymSandbox

/// `mlgym-sandbox run [OPTIONS] -- CMD [ARG...]`
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Start a sandbox, run a command in it as the agent user, stop the sandbox, exit with the command's status.",
        discussion: "Without a command it runs an interactive bash. Standard input, output and error pass through.")

    @OptionGroup var sandbox: SandboxOptions
    @Flag(name: .customLong("show-warnings"), help: "Print what the engine could not enforce on this host.")
    var showWarnings = false
    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments (after --).")
    var command: [String] = []

    func run() async throws {
        let argv = command.first == "--" ? Array(command.dropFirst()) : command
        let engine: SandboxEngine
        let box: Sandbox
        do {
            engine = try sandbox.engine()
            box = try await engine.create(try sandbox.spec())
        } catch let error as MLGymError {
            FileHandle.standardError.write(Data("mlgym-sandbox: \(error.message)\n".utf8))
            throw ExitCode(125)
        }
        if showWarnings {
            for warning in box.warnings { FileHandle.standardError.write(Data("mlgym-sandbox: warning: \(warning)\n".utf8)) }
        }
        let status: ExitStatus
        do {
            status = try await Relay.run(box, argv: argv.isEmpty ? ["/bin/bash", "-i"] : argv)
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
        throw ExitCode(status.code)
    }
}
