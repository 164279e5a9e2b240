import Foundation
import MLGymAPI

/// The live view of runs: in a terminal, one line per run redrawn in place; otherwise a plain line whenever a
/// run's step or state changes (logs and CI stay readable).
final class RunProgressDisplay {
    let terminal: Bool
    private var drawnLines = 0
    private var lastShown: [String: String] = [:]

    init(terminal: Bool) {
        self.terminal = terminal
    }

    func show(_ runs: [RunInfo]) {
        showLines(runs.map { (key: $0.id, text: Self.line($0)) })
    }

    /// Lines keyed by what they show: redrawn in a terminal (lines that are gone are cleared), otherwise each
    /// printed when its text changes.
    func showLines(_ lines: [(key: String, text: String)]) {
        if terminal {
            var text = drawnLines > 0 ? "\u{1B}[\(drawnLines)A" : ""
            for line in lines { text += "\r\u{1B}[2K" + line.text + "\n" }
            // Clear what a longer view drew below, and go back up to the view's end.
            let extra = max(0, drawnLines - lines.count)
            for _ in 0..<extra { text += "\r\u{1B}[2K\n" }
            if extra > 0 { text += "\u{1B}[\(extra)A" }
            drawnLines = lines.count
            write(text)
        } else {
            for line in lines where lastShown[line.key] != line.text {
                lastShown[line.key] = line.text
                write(line.text + "\n")
            }
        }
    }

    /// Lets other output (a human run's observation) start below the progress lines.
    func release() { drawnLines = 0 }

    func finish() { drawnLines = 0 }

    static func line(_ run: RunInfo) -> String {
        var parts = [String(run.id.prefix(12)), "seed \(run.seed)", "step \(run.steps)/\(run.maxSteps)", String(format: "$%.4f", run.cost)]
        if let metric = run.metric, let best = run.bestAttempt {
            parts.append("best \(metric) \(RunTable.number(best))")
        }
        parts.append(run.exitStatus.map { run.isActive ? run.state : "\(run.state): \($0)" } ?? run.state)
        if run.state == "failed", let message = run.message { parts.append("(\(message))") }
        return parts.joined(separator: "  ")
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// The summary printed when runs end.
enum RunTable {
    static func render(_ runs: [RunInfo]) -> String {
        let rows = runs.map { run in
            [
                String(run.id.prefix(12)), run.task, run.method, "\(run.seed)", run.exitStatus ?? run.state, "\(run.steps)",
                run.bestAttempt.map(number) ?? "-", run.submission.map(number) ?? "-",
                "\(run.tokensSent)/\(run.tokensReceived)", String(format: "$%.4f", run.cost),
            ]
        }
        let metric = runs.first?.metric ?? "score"
        return Output.table(
            ["RUN", "TASK", "MODEL", "SEED", "EXIT STATUS", "STEPS", "BEST \(metric)", "SUBMITTED \(metric)", "TOKENS IN/OUT", "COST"], rows)
    }

    static func number(_ value: Double) -> String {
        String(format: "%.6g", value)
    }
}
