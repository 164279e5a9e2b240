/// What an agent is shown of a command's output. MLGym shows everything (its 10,000-character limit is never
/// enforced), so one verbose training log could fill the context; here the middle of a long output is cut, with
/// a marker that says how much and why, and progress bars redrawn with carriage returns keep only their last
/// state.
public enum ObservationText {
    public static func shown(_ output: String, limit: Int) -> (text: String, cut: Int) {
        let text = collapsingCarriageReturns(output)
        guard limit > 0, text.count > limit else { return (text, 0) }
        let head = limit * 2 / 5
        let tail = limit - head
        let cut = text.count - head - tail
        let marker = "\n[... mlgym cut \(cut) characters from the middle of this output; it showed the first \(head) and the last \(tail) of \(text.count). Print less, or write the output to a file and search it ...]\n"
        return (String(text.prefix(head)) + marker + String(text.suffix(tail)), cut)
    }

    /// CRLF becomes LF; within a line, text before a lone carriage return was overwritten on the terminal.
    static func collapsingCarriageReturns(_ output: String) -> String {
        guard output.contains("\r") else { return output }
        let lines = output.replacingCRLF.split(separator: "\n", omittingEmptySubsequences: false)
        return lines.map { line in
            guard let lastReturn = line.lastIndex(of: "\r") else { return String(line) }
            let after = line[line.index(after: lastReturn)...]
            // A line that ends in \r (a bar about to be redrawn): keep the last drawing, not nothing.
            if after.isEmpty {
                return String(line.split(separator: "\r").last ?? "")
            }
            return String(after)
        }.joined(separator: "\n")
    }
}

extension String {
    var replacingCRLF: String {
        split(separator: "\r\n", omittingEmptySubsequences: false).joined(separator: "\n")
    }
}
