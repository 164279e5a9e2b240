import ArgumentParser
import Foundation
import MLGymSandbox

/// `mlgym-sandbox clean`: removes sandboxes whose controller died.
struct CleanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clean",
        abstract: "Remove sandboxes left behind by a controller that was killed (processes, cgroups, volumes).")

    @OptionGroup var sandbox: SandboxOptions

    func run() async throws {
        let removed = try sandbox.engine().removeOrphans()
        print(removed.isEmpty ? "no orphaned sandboxes" : "removed \(removed.count): \(removed.joined(separator: " "))")
    }
}
