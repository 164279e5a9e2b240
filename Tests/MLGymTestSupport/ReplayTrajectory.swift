import Foundation

/// Replay trajectories for campaign tests, made from the shipped demo `tasks/demos/baseline-as-is.traj`
/// (ls, validate, submit).
public enum ReplayTrajectoryFiles {
    /// The demo with its first action replaced by `sleep seconds`, written to `path`: a run that can be caught
    /// in the middle of a command.
    public static func slow(_ seconds: Int, from demo: String, to path: String) throws {
        guard var object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: demo))) as? [String: Any],
              var steps = object["trajectory"] as? [[String: Any]], !steps.isEmpty
        else { throw TemporaryTaskRootError(message: "\(demo) is not a trajectory with steps") }
        steps[0]["action"] = "sleep \(seconds)"
        steps[0]["response"] = "Waiting first.\n```\nsleep \(seconds)\n```"
        object["trajectory"] = steps
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
    }
}
