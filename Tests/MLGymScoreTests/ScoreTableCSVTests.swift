import MLGymCore
import MLGymScore
import Testing

/// Reading score tables, and the errors a person gets for bad ones: each names the line.
@Suite struct ScoreTableCSVTests {
    static let header = "task,direction,method,best_attempt,best_submission\n"

    func parseError(_ text: String, baseline: String = "baseline") -> MLGymError? {
        do {
            _ = try ScoreTableCSV.parse(Self.header + text, baseline: baseline)
            return nil
        } catch {
            return error
        }
    }

    @Test func emptyCellsAndNaNMeanNoValidScore() throws {
        let table = try ScoreTableCSV.parse(
            Self.header + "t,max,baseline,1,1\nt,max,a,,2\nt,max,b,NaN,\n")
        #expect(table.tasks[0].bestAttempt == ["baseline": 1])
        #expect(table.tasks[0].bestSubmission == ["baseline": 1, "a": 2])
        #expect(table.methods == ["baseline", "a", "b"])
    }

    @Test func columnsAreFoundByNameAndExtraColumnsIgnored() throws {
        let table = try ScoreTableCSV.parse(
            "method,metric,best_submission,task,best_attempt,direction\nbaseline,r2,1,t,1.5,max\n\"x, y\",r2,2,t,3,max\n")
        #expect(table.tasks[0].bestAttempt == ["baseline": 1.5, "x, y": 3])
    }

    @Test func commentsAndBlankLinesAreSkippedButCountedInLineNumbers() {
        let error = parseError("# a note\n\nt,up,baseline,1,1\n")
        #expect(error?.message.hasPrefix("line 4:") == true)
    }

    @Test func unknownDirectionNamesTheLine() {
        let error = parseError("t,max,baseline,1,1\nu,up,baseline,1,1\n")
        #expect(error?.message == "line 3: unknown direction \"up\" for task \"u\" (use max or min)")
    }

    @Test func nonNumericScoreNamesTheLine() {
        let error = parseError("t,max,baseline,1,1\nt,max,a,0.9x,1\n")
        #expect(error?.message.hasPrefix("line 3: best_attempt \"0.9x\" is not a number") == true)
    }

    @Test func infiniteScoreIsRejected() {
        #expect(parseError("t,max,baseline,1,inf\n")?.message.hasPrefix("line 2: best_submission \"inf\"") == true)
    }

    @Test func duplicateTaskMethodRowNamesBothLines() {
        let error = parseError("t,max,baseline,1,1\nt,max,a,2,2\nt,max,a,3,3\n")
        #expect(error?.message.hasPrefix("line 4: duplicate row for task \"t\", method \"a\" (first on line 3") == true)
    }

    @Test func taskWithoutBaselineNamesItsFirstLine() {
        let error = parseError("t,max,baseline,1,1\nu,min,a,2,2\nu,min,b,3,3\n")
        #expect(error?.message.hasPrefix("line 3: task \"u\" has no row for the baseline \"baseline\"") == true)
    }

    @Test func baselineWithoutAScoreNamesItsLine() {
        let error = parseError("t,max,a,2,2\nt,max,baseline,,1\n")
        #expect(error?.message.hasPrefix("line 3: the baseline of task \"t\" has no best_attempt score") == true)
    }

    @Test func anotherBaselineNameCanBeChosen() throws {
        let table = try ScoreTableCSV.parse(Self.header + "t,max,ref,1,1\nt,max,a,2,2\n", baseline: "ref")
        #expect(table.methods == ["ref", "a"])
        #expect(parseError("t,max,ref,1,1\n")?.message.contains("no row for the baseline") == true)
    }

    @Test func conflictingDirectionsForOneTaskNameBothLines() {
        let error = parseError("t,max,baseline,1,1\nt,min,a,2,2\n")
        #expect(error?.message.hasPrefix("line 3: task \"t\" has direction min here but max on line 2") == true)
    }

    @Test func wrongNumberOfFieldsNamesTheLine() {
        #expect(parseError("t,max,baseline,1\n")?.message.hasPrefix("line 2: expected 5 fields, found 4") == true)
    }

    @Test func missingColumnInHeaderIsNamed() {
        do {
            _ = try ScoreTableCSV.parse("task,direction,method,best_attempt\nt,max,baseline,1\n")
            Issue.record("a header without best_submission was accepted")
        } catch {
            #expect(error.message.hasPrefix("line 1: the header has no \"best_submission\" column"))
        }
    }

    @Test func headerOnlyIsAnError() {
        #expect(parseError("")?.message.contains("no rows") == true)
    }
}
