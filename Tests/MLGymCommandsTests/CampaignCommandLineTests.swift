import Foundation
import MLGymTestSupport
import Testing

/// `mlgymctl campaign` refusing bad input before it touches a daemon or Slurm, with messages that say what to do.
@Suite struct CampaignCommandLineTests {
    func campaign(_ text: String) throws -> (directory: URL, file: String) {
        let directory = try MLGymCtlProcess.temporaryDirectory()
        let file = directory.appendingPathComponent("c.yaml").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        return (directory, file)
    }

    @Test func aBadCampaignFileIsRefusedWithItsLine() throws {
        let (directory, file) = try campaign("name: x\ntasks: [blotto]\nmodels:\n  - {name: a, spec: 'openai:gpt-4o', tempreture: 0}\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        // Read before any daemon is asked (the socket does not exist) or Slurm is.
        for arguments in [["run", file, "--socket", "/nonexistent.sock"], ["status", file], ["submit", file, "--slurm", "--dry-run"]] {
            let result = try MLGymCtlProcess.run(["campaign"] + arguments)
            #expect(result.status != 0)
            #expect(result.standardError.contains("c.yaml:4: unknown field 'tempreture' in a model"), "\(arguments): \(result.standardError)")
        }
    }

    @Test func submitNeedsSlurmAndPlainOptions() throws {
        let (directory, file) = try campaign("name: x\ntasks: [blotto]\nmodels: [{name: a, spec: 'replay:a.traj'}]\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let noSlurm = try MLGymCtlProcess.run(["campaign", "submit", file])
        #expect(noSlurm.status != 0 && noSlurm.standardError.contains("give --slurm"))
        let injected = try MLGymCtlProcess.run(["campaign", "submit", file, "--slurm", "--partition", "gpu\n#SBATCH --uid=0"])
        #expect(injected.status != 0 && injected.standardError.contains("--partition"), "\(injected.standardError)")
        // The replay file is checked before anything is submitted.
        let missing = try MLGymCtlProcess.run(["campaign", "submit", file, "--slurm", "--dry-run"])
        #expect(missing.status != 0 && missing.standardError.contains("cannot read the trajectory"), "\(missing.standardError)")
    }

    @Test func anElementRefusesAChangedFileAndAnIndexOutOfRange() throws {
        let (directory, file) = try campaign("name: x\ntasks: [blotto]\nmodels: [{name: a, spec: 'openai:gpt-4o'}]\nseeds: 2\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let changed = try MLGymCtlProcess.run(["campaign", "element", file, "--index", "0", "--spec-digest", String(repeating: "0", count: 64)])
        #expect(changed.status != 0 && changed.standardError.contains("changed since it was submitted"), "\(changed.standardError)")
        let outOfRange = try MLGymCtlProcess.run(["campaign", "element", file, "--index", "2"])
        #expect(outOfRange.status != 0 && outOfRange.standardError.contains("the campaign has runs 0 to 1"), "\(outOfRange.standardError)")
    }
}
