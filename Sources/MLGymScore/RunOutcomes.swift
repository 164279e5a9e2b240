public import MLGymCore

/// MLGym's analyses of how runs went, from the run records a report was given: how they ended (exit statuses, and
/// their groups per method and per task), which failed or ended incomplete, and how many steps they took and of
/// what kind. Computed once per report (`ScoreReport.outcomes`); renderers only format it.
///
/// Failed and incomplete follow MLGym: a run **failed** when no evaluation produced a value of the task's metric
/// (it has neither a Best Attempt nor a Submission); a run that has one is **incomplete** when it did not end cleanly
/// (`ExitStatusGroup.endedCleanly`: neither submitted nor auto-submitted at the step limit). A run is one or the
/// other, never both.
public struct RunOutcomes: Sendable, Equatable, Encodable {
    /// Counts per row (a method, a task or a step number) and column (an exit-status group or an action kind).
    public struct Counts: Sendable, Equatable, Encodable {
        public struct Row: Sendable, Equatable, Encodable {
            public let name: String
            /// The runs behind the row: a method's or task's runs (those with a trajectory, for actions), or the
            /// runs that took a step with that number.
            public let runs: Int
            /// One count per column, in the columns' order.
            public let counts: [Int]
        }

        /// The columns that count something, in display order.
        public let columns: [String]
        public let rows: [Row]

        /// The count in one cell; 0 for a row or column the table does not have.
        public func count(row: String, column: String) -> Int {
            guard let index = columns.firstIndex(of: column), let found = rows.first(where: { $0.name == row }) else {
                return 0
            }
            return found.counts[index]
        }

        /// Tabulates `cells` (row → column → count): rows in `rowOrder`, those with runs; columns in `columnOrder`,
        /// then any others by name, those with a count.
        init(cells: [String: [String: Int]], rows rowOrder: [String], runs: [String: Int], columns columnOrder: [String]) {
            let used = Set(cells.values.flatMap { row in row.compactMap { $0.value > 0 ? $0.key : nil } })
            let columns = columnOrder.filter(used.contains) + used.subtracting(columnOrder).sorted()
            self.columns = columns
            rows = rowOrder.compactMap { name in
                guard let count = runs[name], count > 0 else { return nil }
                let row = cells[name] ?? [:]
                return Row(name: name, runs: count, counts: columns.map { row[$0] ?? 0 })
            }
        }
    }

    /// One exit status exactly as runs recorded it ("" for none), its groups, and how many runs ended with it.
    public struct Status: Sendable, Equatable, Encodable {
        public let status: String
        public let groups: [String]
        public let runs: Int
    }

    /// The failed and incomplete runs of one method or task.
    public struct Failures: Sendable, Equatable, Encodable {
        public let name: String
        public let runs: Int
        public let failed: Int
        public let incomplete: Int
    }

    /// How many steps a method's runs took.
    public struct Steps: Sendable, Equatable, Encodable {
        public let method: String
        public let runs: Int
        /// The runs whose step count is known (`RunRecord.stepsTaken`); the mean is over these.
        public let runsWithSteps: Int
        /// Mean steps per run; nil when no run's step count is known.
        public let meanSteps: Double?
    }

    public let runs: Int
    /// Every exit status, most frequent first (then by name).
    public let exitStatuses: [Status]
    /// Runs per exit-status group and method; a run counts once in each of its groups.
    public let exitGroupsByMethod: Counts
    public let exitGroupsByTask: Counts
    public let failuresByMethod: [Failures]
    public let failuresByTask: [Failures]
    public let stepsByMethod: [Steps]
    /// Actions of each kind per method, over the runs that carry their trajectory.
    public let actionsByMethod: Counts
    public let actionsByTask: Counts
    /// Actions of each kind taken at each step number (from 1), over all runs: what agents do early and late.
    public let actionsByStep: Counts

    /// Whether any run carried its trajectory, so actions could be counted.
    public var hasActions: Bool { !actionsByMethod.rows.isEmpty }

    /// - Parameters:
    ///   - methodOrder: methods listed in this order first (a report passes its AUP order); others follow in the
    ///     order they first appear.
    ///   - taskOrder: the same for tasks.
    public init(runs records: [RunRecord], methodOrder: [String] = [], taskOrder: [String] = []) {
        let methods = Self.ordered(records.map(\.method), first: methodOrder)
        let tasks = Self.ordered(records.map(\.task), first: taskOrder)
        runs = records.count

        var statusRuns: [String: Int] = [:]
        var groupsPerMethod: [String: [String: Int]] = [:]
        var groupsPerTask: [String: [String: Int]] = [:]
        var runsPerMethod: [String: Int] = [:]
        var runsPerTask: [String: Int] = [:]
        var failedPerMethod: [String: Int] = [:]
        var failedPerTask: [String: Int] = [:]
        var incompletePerMethod: [String: Int] = [:]
        var incompletePerTask: [String: Int] = [:]
        var actionsPerMethod: [String: [String: Int]] = [:]
        var actionsPerTask: [String: [String: Int]] = [:]
        var actionsPerStep: [String: [String: Int]] = [:]
        var tracedPerMethod: [String: Int] = [:]
        var tracedPerTask: [String: Int] = [:]
        var tracedPerStep: [String: Int] = [:]
        var longest = 0
        for run in records {
            let groups = ExitStatusGroup.groups(of: run.exitStatus)
            statusRuns[ExitStatusGroup.normalized(run.exitStatus), default: 0] += 1
            runsPerMethod[run.method, default: 0] += 1
            runsPerTask[run.task, default: 0] += 1
            for group in groups {
                groupsPerMethod[run.method, default: [:]][group, default: 0] += 1
                groupsPerTask[run.task, default: [:]][group, default: 0] += 1
            }
            if BestOf.bestAttempt(of: run) == nil {
                failedPerMethod[run.method, default: 0] += 1
                failedPerTask[run.task, default: 0] += 1
            } else if !ExitStatusGroup.endedCleanly(groups) {
                incompletePerMethod[run.method, default: 0] += 1
                incompletePerTask[run.task, default: 0] += 1
            }
            guard !run.steps.isEmpty else { continue }
            tracedPerMethod[run.method, default: 0] += 1
            tracedPerTask[run.task, default: 0] += 1
            longest = max(longest, run.steps.count)
            for (index, step) in run.steps.enumerated() {
                let kind = ActionKind(action: step.action).rawValue
                let number = String(index + 1)
                actionsPerMethod[run.method, default: [:]][kind, default: 0] += 1
                actionsPerTask[run.task, default: [:]][kind, default: 0] += 1
                actionsPerStep[number, default: [:]][kind, default: 0] += 1
                tracedPerStep[number, default: 0] += 1
            }
        }

        exitStatuses = statusRuns.map { Status(status: $0.key, groups: ExitStatusGroup.groups(of: $0.key), runs: $0.value) }
            .sorted { ($1.runs, $0.status) < ($0.runs, $1.status) }
        let groupOrder = ExitStatusGroup.displayOrder
        exitGroupsByMethod = Counts(cells: groupsPerMethod, rows: methods, runs: runsPerMethod, columns: groupOrder)
        exitGroupsByTask = Counts(cells: groupsPerTask, rows: tasks, runs: runsPerTask, columns: groupOrder)
        failuresByMethod = methods.map { method in
            Failures(
                name: method, runs: runsPerMethod[method, default: 0], failed: failedPerMethod[method, default: 0],
                incomplete: incompletePerMethod[method, default: 0])
        }
        failuresByTask = tasks.map { task in
            Failures(
                name: task, runs: runsPerTask[task, default: 0], failed: failedPerTask[task, default: 0],
                incomplete: incompletePerTask[task, default: 0])
        }
        stepsByMethod = methods.map { method in
            let counts = records.filter { $0.method == method }.compactMap(\.stepsTaken)
            return Steps(
                method: method, runs: runsPerMethod[method, default: 0], runsWithSteps: counts.count,
                meanSteps: counts.isEmpty ? nil : Double(counts.reduce(0, +)) / Double(counts.count))
        }
        let kindOrder = ActionKind.allCases.map(\.rawValue)
        actionsByMethod = Counts(cells: actionsPerMethod, rows: methods, runs: tracedPerMethod, columns: kindOrder)
        actionsByTask = Counts(cells: actionsPerTask, rows: tasks, runs: tracedPerTask, columns: kindOrder)
        actionsByStep = Counts(
            cells: actionsPerStep, rows: (0..<longest).map { String($0 + 1) }, runs: tracedPerStep, columns: kindOrder)
    }

    /// `names` without repeats: those in `preferred` first, in its order, then the rest in the order they appear.
    static func ordered(_ names: [String], first preferred: [String]) -> [String] {
        let present = Set(names)
        var seen = Set<String>()
        return (preferred.filter(present.contains) + names).filter { seen.insert($0).inserted }
    }
}
