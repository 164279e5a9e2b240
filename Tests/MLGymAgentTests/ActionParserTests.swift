import Testing
@testable import MLGymAgent

/// MLGym's reply format: one discussion, one fenced command.
@Suite struct ActionParserTests {
    @Test func theThoughtIsTheTextAroundTheOneBlock() throws {
        let parsed = try ActionParser.parse("DISCUSSION\nLook at the files first.\n\n```bash\nls -a\n```\n")
        #expect(parsed.action == "ls -a")
        #expect(parsed.thought == "DISCUSSION\nLook at the files first.")
    }

    @Test func aMultiLineEditIsOneAction() throws {
        let reply = "Fix it.\n```\nedit 3:4\n    return 0\nend_of_edit\n```"
        #expect(try ActionParser.parse(reply).action == "edit 3:4\n    return 0\nend_of_edit")
    }

    @Test func aCommandThatWritesAFencedBlockKeepsItWhole() throws {
        let reply = "Write notes.\n```bash\ncat > notes.md << 'EOF'\n```python\nprint(1)\n```\nEOF\n```"
        #expect(try ActionParser.parse(reply).action == "cat > notes.md << 'EOF'\n```python\nprint(1)\n```\nEOF")
    }

    @Test func noBlockOrTwoBlocksOrAnEmptyBlockIsAFormatError() {
        #expect(throws: ActionParser.FormatError.noCommand) { try ActionParser.parse("I think I should run ls.") }
        #expect(throws: ActionParser.FormatError.severalCommands(2)) { try ActionParser.parse("```\nls\n```\nthen\n```\npwd\n```") }
        #expect(throws: ActionParser.FormatError.emptyCommand) { try ActionParser.parse("```\n\n```") }
        // An unclosed fence is no command.
        #expect(throws: ActionParser.FormatError.noCommand) { try ActionParser.parse("```\nls") }
    }
}

@Suite struct HeredocGuardTests {
    let terminators = ["edit": "end_of_edit", "insert": "end_of_insert"]

    @Test func editAndInsertGetTheirTextOnStandardInput() throws {
        let guarded = try HeredocGuard.guarded("edit 1:2\nx = '$HOME'\nend_of_edit\nvalidate", terminators: terminators)
        #expect(guarded == "edit 1:2 << 'end_of_edit'\nx = '$HOME'\nend_of_edit\nvalidate")
        #expect(try HeredocGuard.guarded("insert 0\nimport os\nend_of_insert", terminators: terminators) == "insert 0 << 'end_of_insert'\nimport os\nend_of_insert")
        #expect(try HeredocGuard.guarded("ls -l", terminators: terminators) == "ls -l")
    }

    @Test func anEditWithoutItsTerminatorIsRefused() {
        #expect(throws: HeredocGuard.Problem.missingTerminator(command: "edit", terminator: "end_of_edit")) {
            try HeredocGuard.guarded("edit 1:2\nx = 1", terminators: terminators)
        }
    }
}

@Suite struct CommandBlocklistTests {
    @Test func interactiveProgramsAreRefusedWhereverTheyAppear() {
        let list = CommandBlocklist.default
        #expect(list.refusal(for: "vim strategy.py") == "vim")
        #expect(list.refusal(for: "cd /tmp && nano x") == "nano")
        #expect(list.refusal(for: "python") == "python")
        #expect(list.refusal(for: "python3") == "python3")
        // MLGym's bug compared one character: these must all run.
        #expect(list.refusal(for: "python train.py") == nil)
        #expect(list.refusal(for: "validate") == nil)
        #expect(list.refusal(for: "ls -la; cat strategy.py") == nil)
        #expect(list.refusal(for: "vimdiff_is_not_vim") == nil)
        #expect(list.refusal(for: "if true; then vim x; fi") == "vim")
        #expect(list.refusal(for: "echo $(less x)") == "less")
    }

    @Test func textIsNotACommand() {
        let list = CommandBlocklist.default
        let terminators = ["edit": "end_of_edit"]
        #expect(list.refusal(for: "edit 3:4\n    top = scores[:5]\n    more = []\nend_of_edit", terminators: terminators) == nil)
        #expect(list.refusal(for: "python -c \"x = 1; more = 2\"") == nil)
        #expect(list.refusal(for: "cat > notes.txt << 'EOF'\nless is more\nEOF\nls") == nil)
        #expect(list.refusal(for: "cat > notes.txt << EOF\nnotes\nEOF\nvim notes.txt") == "vim")
        #expect(list.refusal(for: "echo 'vim'; echo \"git\"") == nil)
    }
}
