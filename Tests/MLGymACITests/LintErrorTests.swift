import Testing

@testable import MLGymACI

@Suite struct LintErrorTests {
    @Test func parsesFlake8Lines() {
        #expect(
            LintError.parse("/w/a.py:3:5: E999 SyntaxError: invalid syntax")
                == LintError(line: 3, column: 5, message: "E999 SyntaxError: invalid syntax"))
    }

    @Test func pathsWithColonsAndSpacesStillParse() {
        #expect(
            LintError.parse("/w/odd: name.py:12:1: F821 undefined name 'np'\n")
                == LintError(line: 12, column: 1, message: "F821 undefined name 'np'"))
    }

    @Test func otherLinesAreIgnored() {
        #expect(LintError.parse("Traceback (most recent call last):") == nil)
        #expect(LintError.parse("") == nil)
    }
}
