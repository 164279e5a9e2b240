/// Which checker errors an edit introduced. Pure.
///
/// MLGym's rule (its `_split_string.py` helper): an error that existed before the edit and lies outside the
/// replaced lines is moved by the net number of lines added and then ignored if the edited file still has it; an
/// old error inside the replaced lines is never ignored, since there is no telling where it went. Everything else
/// in the new report is new.
///
/// One deliberate difference: MLGym describes an insertion as "replace the inserted lines with themselves", so its
/// shift is zero and errors below an insertion point that were already there look new, rejecting a harmless insert.
/// Here an insertion replaces zero lines, so those errors shift by the inserted count and are recognised.
enum LintFilter {
    /// The errors of `after` that `before` does not explain.
    ///
    /// - Parameters:
    ///   - firstLine: the 1-based first line the change touched.
    ///   - removedCount: how many lines of the old file were replaced (0 for an insertion).
    ///   - insertedCount: how many lines took their place.
    static func newErrors(
        after: [LintError], before: [LintError], firstLine: Int, removedCount: Int, insertedCount: Int
    ) -> [LintError] {
        let shift = insertedCount - removedCount
        var explained = Set<LintError>()
        for error in before {
            if error.line < firstLine {
                explained.insert(error)
            } else if error.line >= firstLine + removedCount {
                explained.insert(error.shifted(by: shift))
            }
        }
        return after.filter { !explained.contains($0) }
    }
}
