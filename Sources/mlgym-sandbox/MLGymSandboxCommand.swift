import ArgumentParser

/// The root command of mlgym-sandbox: the sandbox engine on the command line, for people and benchmarks
/// (mlgymd uses the same library).
@main
struct MLGymSandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mlgym-sandbox",
        abstract: "Run commands in an mlgym sandbox (namespaces, cgroups, seccomp, no capabilities, non-root).",
        discussion: "mlgymd is the long-running service; this tool drives the same sandbox engine directly, for trying it out and for benchmarks. It needs root (or unprivileged user namespaces for rootless mode).",
        subcommands: [RunCommand.self, BenchCommand.self, CleanCommand.self],
        defaultSubcommand: RunCommand.self)
}
