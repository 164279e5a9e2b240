public import MLGymCore

extension ScoreTable {
    /// Puts two tables side by side, e.g. published results (a scores CSV) beside one's own runs.
    ///
    /// Tasks are matched by name and keep this table's order, then the other's new tasks. A task must have the same
    /// direction in both, and a method other than the baseline may score a task in only one of them (two different
    /// numbers for one cell would be a silent choice). When both give the baseline a score, this table's wins:
    /// published baselines are the reference.
    public func merging(_ other: ScoreTable) throws(MLGymError) -> ScoreTable {
        guard other.baseline == baseline else {
            throw MLGymError(
                .invalidArgument,
                "the tables name different baselines (\"\(baseline)\" and \"\(other.baseline)\"); use one --baseline")
        }
        let others = Dictionary(uniqueKeysWithValues: other.tasks.map { ($0.name, $0) })
        var merged: [Task] = []
        for task in tasks {
            guard let match = others[task.name] else {
                merged.append(task)
                continue
            }
            guard match.direction == task.direction else {
                throw MLGymError(
                    .invalidArgument,
                    "task \"\(task.name)\" is \(task.direction.rawValue) in one input and \(match.direction.rawValue) "
                        + "in the other (fix the direction)")
            }
            var views: [ScoreView: [String: Double]] = [:]
            for view in ScoreView.allCases {
                var scores = task.scores(view)
                for (method, score) in match.scores(view) where method != baseline {
                    if scores[method] != nil {
                        throw MLGymError(
                            .invalidArgument,
                            "task \"\(task.name)\", method \"\(method)\" is scored in both inputs (keep it in one, or "
                                + "rename one of the methods)")
                    }
                    scores[method] = score
                }
                views[view] = scores
            }
            merged.append(
                Task(
                    name: task.name, direction: task.direction, bestAttempt: views[.bestAttempt] ?? [:],
                    bestSubmission: views[.bestSubmission] ?? [:]))
        }
        let known = Set(tasks.map(\.name))
        merged += other.tasks.filter { !known.contains($0.name) }
        return try ScoreTable(baseline: baseline, tasks: merged, otherMethods: Set(methods + other.methods))
    }
}
