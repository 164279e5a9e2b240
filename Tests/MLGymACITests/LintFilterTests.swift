import Testing

@testable import MLGymACI

@Suite struct LintFilterTests {
    let undefined = "F821 undefined name 'x'"

    @Test func oldErrorAboveTheEditIsNotNew() {
        let old = LintError(line: 1, column: 5, message: undefined)
        let new = LintFilter.newErrors(after: [old], before: [old], firstLine: 3, removedCount: 1, insertedCount: 4)
        #expect(new.isEmpty)
    }

    @Test func oldErrorBelowTheEditIsRecognisedAfterShifting() {
        let old = LintError(line: 10, column: 5, message: undefined)
        // Lines 3…4 replaced by five lines: net +3, so the error is expected at line 13.
        let moved = LintError(line: 13, column: 5, message: undefined)
        #expect(LintFilter.newErrors(after: [moved], before: [old], firstLine: 3, removedCount: 2, insertedCount: 5).isEmpty)
        #expect(
            LintFilter.newErrors(after: [old], before: [old], firstLine: 3, removedCount: 2, insertedCount: 5) == [old])
    }

    @Test func oldErrorInsideTheReplacedLinesAlwaysCountsAsNew() {
        let old = LintError(line: 4, column: 1, message: "E999 SyntaxError: invalid syntax")
        let new = LintFilter.newErrors(after: [old], before: [old], firstLine: 3, removedCount: 2, insertedCount: 2)
        #expect(new == [old])
    }

    @Test func insertionShiftsOldErrorsBelowItByTheInsertedCount() {
        let old = LintError(line: 5, column: 1, message: undefined)
        let moved = LintError(line: 7, column: 1, message: undefined)
        #expect(LintFilter.newErrors(after: [moved], before: [old], firstLine: 3, removedCount: 0, insertedCount: 2).isEmpty)
    }

    @Test func errorsTheEditIntroducedAreReported() {
        let introduced = LintError(line: 3, column: 9, message: "E999 SyntaxError: '(' was never closed")
        #expect(LintFilter.newErrors(after: [introduced], before: [], firstLine: 3, removedCount: 1, insertedCount: 1) == [introduced])
    }
}
