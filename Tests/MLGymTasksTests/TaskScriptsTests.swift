import Foundation
import MLGymTestSupport
import Testing

/// The checks the task scripts carry themselves: committed data that a generator must reproduce, and shared
/// code whose per-task copies must not drift.
@Suite struct TaskScriptsTests {
    static var tasks: String { TaskRegistryTests.repositoryTasks }

    @Test func theThreeSATDatasetIsWhatItsSeededGeneratorMakes() throws {
        let result = try CommandResult.run("/usr/bin/python3", [Self.tasks + "/data/3SATTime/generate.py", "--check"],
                                           environment: ["PYTHONDONTWRITEBYTECODE": "1"])
        #expect(result.status == 0, "\(result.output) \(result.errorOutput)")
        #expect(result.output.contains("reproduced byte for byte"))
    }

    @Test func theRLTasksShareOneCopyOfTheirTrainingCode() throws {
        let result = try CommandResult.run("/usr/bin/python3", [Self.tasks + "/data/rlShared/sync.py", "--check"],
                                           environment: ["PYTHONDONTWRITEBYTECODE": "1"])
        #expect(result.status == 0, "\(result.output) \(result.errorOutput)")
    }

    @Test func theGamesShareOneCopyOfTheirEvaluationHarness() throws {
        let result = try CommandResult.run("/usr/bin/python3", [Self.tasks + "/data/gamesShared/sync.py", "--check"],
                                           environment: ["PYTHONDONTWRITEBYTECODE": "1"])
        #expect(result.status == 0, "\(result.output) \(result.errorOutput)")
    }
}
