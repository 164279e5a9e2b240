import Foundation
import MLGymCore
import MLGymScore
import Testing

/// MLGym's exit-status, failure and action analyses, from run records.
@Suite struct RunOutcomesTests {
    static func run(
        _ id: String, method: String, task: String = "t", _ exitStatus: String?, scores: [Double] = [],
        actions: [String] = [], stepCount: Int? = nil
    ) -> RunRecord {
        RunRecord(
            id: id, task: task, method: method, metric: "score", direction: .max, baseline: ["score": 1],
            evaluations: scores.map { .init(kind: .validate, metrics: ["score": $0]) }, exitStatus: exitStatus,
            steps: actions.map { .init(thought: "", action: $0, observation: "") }, stepCount: stepCount)
    }

    @Test func exitStatusesFallIntoMLGymsGroups() {
        #expect(ExitStatusGroup.groups(of: "submitted") == ["Success"])
        #expect(ExitStatusGroup.groups(of: "autosubmission (max_steps)") == ["Max Steps"])
        #expect(ExitStatusGroup.groups(of: "autosubmission (exit_cost)") == ["Cost"])
        #expect(ExitStatusGroup.groups(of: "autosubmission (exit_context)") == ["Context"])
        #expect(ExitStatusGroup.groups(of: "autosubmission (exit_api)") == ["API"])
        #expect(ExitStatusGroup.groups(of: "autosubmission (exit_time)") == ["Time"])
        #expect(ExitStatusGroup.groups(of: "submission_not_found (exit_format)") == ["Evaluation", "Format"])
        #expect(ExitStatusGroup.groups(of: "evaluation_format_error (exit_cost)") == ["Evaluation", "Cost"])
        // The step limit and a submit add nothing to a failed evaluation.
        #expect(ExitStatusGroup.groups(of: "submission_not_found (max_steps)") == ["Evaluation"])
        #expect(ExitStatusGroup.groups(of: "evaluation_format_error (submit)") == ["Evaluation"])
        #expect(ExitStatusGroup.groups(of: "unknown_error (python train.py)") == ["Runtime"])
        #expect(ExitStatusGroup.groups(of: "unknown_error: the sandbox died, (exit_cost)") == ["Runtime", "Cost"])
        #expect(ExitStatusGroup.groups(of: "early_exit") == ["Runtime"])
        #expect(ExitStatusGroup.groups(of: " interrupted\n") == ["Interrupted"])
        #expect(ExitStatusGroup.groups(of: "exit_forfeit") == ["Forfeit"])
        #expect(ExitStatusGroup.groups(of: nil) == ["Unknown"])
        #expect(ExitStatusGroup.groups(of: "") == ["Unknown"])
        // A status of no known shape is its own group.
        #expect(ExitStatusGroup.groups(of: "autosubmission (exit_moon)") == ["autosubmission (exit_moon)"])
        #expect(ExitStatusGroup.groups(of: "cancelled") == ["cancelled"])
    }

    @Test func actionsAreKindedByTheirFirstWord() {
        #expect(ActionKind(action: "edit 1:3\nx = 1\nend_of_edit") == .edit)
        #expect(ActionKind(action: "  create train.py") == .edit)
        #expect(ActionKind(action: "insert 5") == .edit)
        #expect(ActionKind(action: "open \"data/train.csv\" 10") == .view)
        #expect(ActionKind(action: "scroll_down") == .view)
        #expect(ActionKind(action: "validate") == .validate)
        #expect(ActionKind(action: "submit") == .submit)
        #expect(ActionKind(action: "search_dir foo") == .search)
        #expect(ActionKind(action: "python3.11 train.py") == .python)
        #expect(ActionKind(action: "torchrun --nproc_per_node=2 baseline.py") == .python)
        #expect(ActionKind(action: "ls -la") == .bash)
        #expect(ActionKind(action: "editor notes.txt") == .bash)
        #expect(ActionKind(action: "") == .bash)
    }

    /// a: submitted, auto-submitted at the step limit, and stopped by the cost limit with a score; b: a missing
    /// submission at the context limit (no score), a failed submit after a validate, and no exit status at all.
    static let mixed: [RunRecord] = [
        run("a1", method: "a", task: "t1", "submitted", scores: [0.5, 0.6], actions: ["ls", "edit 1:1", "validate", "submit"]),
        run("a2", method: "a", task: "t2", "autosubmission (max_steps)", scores: [0.4], actions: ["python train.py", "validate"]),
        run("a3", method: "a", task: "t1", "autosubmission (exit_cost)", scores: [0.3], stepCount: 7),
        run("b1", method: "b", task: "t1", "submission_not_found (exit_context)"),
        run("b2", method: "b", task: "t2", "evaluation_format_error (submit)", scores: [0.2]),
        run("b3", method: "b", task: "t2", nil),
    ]

    @Test func exitStatusesAreCountedPerStatusMethodAndTask() {
        let outcomes = RunOutcomes(runs: Self.mixed)
        #expect(outcomes.runs == 6)
        #expect(outcomes.exitStatuses.count == 6)
        #expect(outcomes.exitStatuses.allSatisfy { $0.runs == 1 })
        #expect(outcomes.exitStatuses.first?.status == "")
        let notFound = outcomes.exitStatuses.first { $0.status == "submission_not_found (exit_context)" }
        #expect(notFound?.groups == ["Evaluation", "Context"])

        let byMethod = outcomes.exitGroupsByMethod
        #expect(byMethod.columns == ["Success", "Max Steps", "Cost", "Context", "Evaluation", "Unknown"])
        #expect(byMethod.rows.map(\.name) == ["a", "b"])
        #expect(byMethod.rows.map(\.runs) == [3, 3])
        #expect(byMethod.rows[0].counts == [1, 1, 1, 0, 0, 0])
        // b1 counts under Evaluation and Context: a run may count in two groups.
        #expect(byMethod.rows[1].counts == [0, 0, 0, 1, 2, 1])
        #expect(outcomes.exitGroupsByTask.count(row: "t2", column: "Evaluation") == 1)
        #expect(outcomes.exitGroupsByTask.count(row: "t1", column: "Success") == 1)
        #expect(outcomes.exitGroupsByTask.count(row: "t1", column: "API") == 0)
    }

    @Test func runsWithoutTheMetricFailAndRunsThatDidNotEndCleanlyAreIncomplete() {
        let outcomes = RunOutcomes(runs: Self.mixed)
        // Method a: a3 scored but stopped at the cost limit. Method b: b1 and b3 have no score, b2 never submitted.
        #expect(outcomes.failuresByMethod.map(\.name) == ["a", "b"])
        #expect(outcomes.failuresByMethod.map { [$0.runs, $0.failed, $0.incomplete] } == [[3, 0, 1], [3, 2, 1]])
        #expect(outcomes.failuresByTask.map(\.name) == ["t1", "t2"])
        #expect(outcomes.failuresByTask.map { [$0.runs, $0.failed, $0.incomplete] } == [[3, 1, 1], [3, 1, 1]])
        // Evaluations without the task's metric do not save a run from failing.
        let noMetric = RunRecord(
            id: "x", task: "t", method: "c", metric: "score", direction: .max,
            evaluations: [.init(kind: .submit, metrics: ["other": 1])], exitStatus: "submitted")
        #expect(RunOutcomes(runs: [noMetric]).failuresByMethod.map { [$0.runs, $0.failed, $0.incomplete] } == [[1, 1, 0]])
    }

    @Test func stepsAndActionsAreCountedFromWhatRecordsCarry() throws {
        let outcomes = RunOutcomes(runs: Self.mixed)
        // a: 4, 2 and 7 steps (the last from its step count alone); b: none known.
        let a = try #require(outcomes.stepsByMethod.first { $0.method == "a" })
        #expect(a.runs == 3 && a.runsWithSteps == 3)
        #expect(a.meanSteps == Double(4 + 2 + 7) / 3)
        #expect(outcomes.stepsByMethod.first { $0.method == "b" }?.meanSteps == nil)

        #expect(outcomes.hasActions)
        #expect(outcomes.actionsByMethod.columns == ["Edit", "Validate", "Submit", "Python", "Bash"])
        #expect(outcomes.actionsByMethod.rows.map(\.name) == ["a"])
        #expect(outcomes.actionsByMethod.rows[0].runs == 2)
        #expect(outcomes.actionsByMethod.rows[0].counts == [1, 2, 1, 1, 1])
        #expect(outcomes.actionsByTask.count(row: "t1", column: "Bash") == 1)
        #expect(outcomes.actionsByTask.count(row: "t2", column: "Python") == 1)
        #expect(outcomes.actionsByStep.rows.map(\.name) == ["1", "2", "3", "4"])
        #expect(outcomes.actionsByStep.rows.map(\.runs) == [2, 2, 1, 1])
        #expect(outcomes.actionsByStep.count(row: "2", column: "Validate") == 1)
        #expect(outcomes.actionsByStep.count(row: "2", column: "Edit") == 1)
        #expect(outcomes.actionsByStep.count(row: "4", column: "Submit") == 1)

        let countsOnly = RunOutcomes(runs: [Self.run("z", method: "z", "submitted", scores: [1], stepCount: 5)])
        #expect(!countsOnly.hasActions)
        #expect(countsOnly.stepsByMethod.first?.meanSteps == 5)
        #expect(countsOnly.actionsByStep.rows.isEmpty)
    }

    @Test func methodsAndTasksFollowTheGivenOrderThenFirstAppearance() {
        let outcomes = RunOutcomes(runs: Self.mixed, methodOrder: ["baseline", "b", "a"], taskOrder: ["t2"])
        #expect(outcomes.failuresByMethod.map(\.name) == ["b", "a"])
        #expect(outcomes.failuresByTask.map(\.name) == ["t2", "t1"])
        #expect(outcomes.exitGroupsByMethod.rows.map(\.name) == ["b", "a"])
    }

    @Test func aRecordWithoutAStepCountStillDecodes() throws {
        let json = #"{"id": "r", "task": "t", "method": "m", "metric": "score", "direction": "max"}"#
        let old = try JSONDecoder().decode(RunRecord.self, from: Data(json.utf8))
        #expect(old.stepCount == nil && old.stepsTaken == nil)
        let counted = Self.run("r", method: "m", "submitted", stepCount: 12)
        let decoded = try JSONDecoder().decode(RunRecord.self, from: try JSONEncoder().encode(counted))
        #expect(decoded == counted && decoded.stepsTaken == 12)
    }

    @Test func aReportHasOutcomesOnlyWhenItHasRuns() throws {
        #expect(ScoreReport(table: try V1Fixture.table()).outcomes == nil)
        let table = try BestOf.table(from: Self.mixed)
        let report = ScoreReport(table: table, runs: Self.mixed)
        #expect(report.outcomes?.runs == 6)
    }
}
