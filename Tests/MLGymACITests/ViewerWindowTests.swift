import Testing

@testable import MLGymACI

/// MLGym's viewer arithmetic, checked against vectors worked out by hand from its formulas.
@Suite struct ViewerWindowTests {
    /// W = 10 on a 25-line file: floor(W/2) = 5, so the current line stays within 5…20.
    let viewer = ViewerWindow(size: 10, totalLines: 25)

    @Test func constrainKeepsCurrentLineBetweenHalfWindowAndEndMinusHalfWindow() {
        #expect(viewer.constrained(0) == 5)
        #expect(viewer.constrained(5) == 5)
        #expect(viewer.constrained(12) == 12)
        #expect(viewer.constrained(20) == 20)
        #expect(viewer.constrained(30) == 20)
    }

    @Test func constrainOnFileShorterThanWindowPinsHalfWindow() {
        let short = ViewerWindow(size: 10, totalLines: 3)
        // min(C, 3 − 5) = −2, then max(−2, 5) = 5 whatever C was.
        #expect(short.constrained(1) == 5)
        #expect(short.constrained(100) == 5)
    }

    @Test func centringPutsTargetAboutASixthBelowTheTop() {
        // C = max(L + 5 − floor(10/6), 1) = L + 4, then constrained.
        #expect(viewer.centred(on: 1) == 5)
        #expect(viewer.centred(on: 7) == 11)
        #expect(viewer.centred(on: 12) == 16)
        #expect(viewer.centred(on: 25) == 20)
    }

    @Test func centringWithMLGymsDefaultWindow() {
        let large = ViewerWindow(size: 1000, totalLines: 5000)
        // 2000 + 500 − 166 = 2334; the window then shows 1835…2834, line 2000 being its 166th line.
        #expect(large.centred(on: 2000) == 2334)
        #expect(large.visibleLines(currentLine: 2334) == 1835...2834)
        #expect(large.centred(on: 100) == 500)
    }

    @Test func windowInTheMiddleCountsLinesAboveAndBelow() {
        // above = floor(16 − 5) = 11; head = 21, last 10 → 12…21; below = round(25 − 16 − 5) = 4.
        #expect(viewer.linesAbove(currentLine: 16) == 11)
        #expect(viewer.visibleLines(currentLine: 16) == 12...21)
        #expect(viewer.linesBelow(currentLine: 16) == 4)
    }

    @Test func windowAtTheTopAndAtTheBottom() {
        #expect(viewer.linesAbove(currentLine: 5) == 0)
        #expect(viewer.visibleLines(currentLine: 5) == 1...10)
        #expect(viewer.linesBelow(currentLine: 5) == 15)
        #expect(viewer.linesAbove(currentLine: 20) == 15)
        #expect(viewer.visibleLines(currentLine: 20) == 16...25)
        #expect(viewer.linesBelow(currentLine: 20) == 0)
    }

    @Test func oddWindowFloorsAboveAndRoundsBelowHalfUp() {
        let odd = ViewerWindow(size: 11, totalLines: 25)
        // W/2 = 5.5. C = 12: above floor(6.5) = 6; head floor(17.5) = 17 → 7…17; below round(7.5) = 8.
        #expect(odd.linesAbove(currentLine: 12) == 6)
        #expect(odd.visibleLines(currentLine: 12) == 7...17)
        #expect(odd.linesBelow(currentLine: 12) == 8)
        // C = 13: above floor(7.5) = 7; 8…18; below round(6.5) = 7.
        #expect(odd.linesAbove(currentLine: 13) == 7)
        #expect(odd.visibleLines(currentLine: 13) == 8...18)
        #expect(odd.linesBelow(currentLine: 13) == 7)
    }

    @Test func initialLineShowsTheFirstWindowEvenForAnOddSize() {
        #expect(viewer.initialLine == 5)
        let odd = ViewerWindow(size: 11, totalLines: 25)
        // MLGym uses C = 5.5: lines 1…11 and round(25 − 11) = 14 below; C = 6 prints the same.
        #expect(odd.visibleLines(currentLine: odd.initialLine) == 1...11)
        #expect(odd.linesBelow(currentLine: odd.initialLine) == 14)
        #expect(odd.linesAbove(currentLine: odd.initialLine) == 0)
    }

    @Test func shortFileShowsEveryLineWithoutMarkers() {
        let short = ViewerWindow(size: 10, totalLines: 3)
        #expect(short.visibleLines(currentLine: 5) == 1...3)
        #expect(short.linesAbove(currentLine: 5) == 0)
        #expect(short.linesBelow(currentLine: 5) == 0)
    }

    @Test func emptyFileShowsNoLines() {
        let empty = ViewerWindow(size: 10, totalLines: 0)
        #expect(empty.visibleLines(currentLine: empty.initialLine) == nil)
        #expect(ViewerWindow.render(path: "/w/e.txt", lines: [], currentLine: 5, window: 10) == "[File: /w/e.txt (0 lines total)]")
    }

    @Test func renderPrintsHeaderMarkersAndNumberedLines() {
        let lines = (1...25).map { "line \($0)" }
        let expected = """
            [File: /w/f.txt (25 lines total)]
            (11 more lines above)
            \(TemporaryWorkspace.body(12...21))
            (4 more lines below)
            """
        #expect(ViewerWindow.render(path: "/w/f.txt", lines: lines, currentLine: 16, window: 10) == expected)
    }
}
