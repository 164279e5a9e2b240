import Foundation
import MLGymAPI
import MLGymClient
import Synchronization

/// One turn of a run whose model is a person (`--model human`): shows the last observation, reads the next
/// action from standard input (an edit or insert continues until its terminator line), and sends it.
enum HumanTurn {
    private static let reading = Mutex(false)

    /// Whether the person is being asked for an action right now.
    static var isReading: Bool { reading.withLock { $0 } }

    static func take(for run: RunInfo, api: APIClient, display: RunProgressDisplay) throws {
        reading.withLock { $0 = true }
        defer { reading.withLock { $0 = false } }
        let trajectory = try api.trajectory(run.id)
        let shown = trajectory.steps.last.map(\.observation) ?? trajectory.taskPrompt
        display.release()
        print(shown)
        FileHandle.standardOutput.write(Data("bash-$ ".utf8))
        guard var action = readLine() else {
            _ = try? api.stopRun(run.id)
            return
        }
        let first = action.split(separator: " ").first.map(String.init) ?? ""
        if let terminator = ["edit": "end_of_edit", "insert": "end_of_insert"][first] {
            while let line = readLine() {
                action += "\n" + line
                if line == terminator { break }
            }
        }
        // mlgymd hands the action to the waiting run before it answers (the run stops waiting then), so the next
        // look at the run does not ask for it again.
        try api.sendRunInput(run.id, action: action)
    }
}
