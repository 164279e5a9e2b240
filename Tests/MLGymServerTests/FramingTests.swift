import MLGymSandbox
import Testing
@testable import MLGymCommands
@testable import MLGymServer

/// The byte-stream parsers, fed every possible split of their input.
struct FramingTests {
    let nonce = "abc123"

    @Test func frameFilterDropsFramesWhereverTheInputIsCut() {
        let input = Array("one\n\u{1E}abc123-4:0\u{1E}two \u{1E} not a frame \u{1E}abc12-9:1\u{1E}\u{1E}abc123-5:127\u{1E}end\u{1E}".utf8)
        let expected = Array("one\ntwo \u{1E} not a frame \u{1E}abc12-9:1\u{1E}end\u{1E}".utf8)
        for cut in 0...input.count {
            for second in cut...input.count {
                var filter = ShellFrameFilter(nonce: nonce)
                var shown = filter.feed(input[..<cut])
                shown += filter.feed(input[cut..<second])
                shown += filter.feed(input[second...])
                shown += filter.flush()
                #expect(shown == expected, "cut at \(cut), \(second)")
            }
        }
    }

    @Test func frameFilterHoldsBackOnlyWhatMayBeAFrame() {
        var filter = ShellFrameFilter(nonce: nonce)
        #expect(filter.feed(Array("text\u{1E}abc".utf8)) == Array("text".utf8))
        #expect(filter.feed(Array("x".utf8)) == Array("\u{1E}abcx".utf8))
    }

    @Test func utf8ChunksNeverSplitACharacter() {
        let text = "aé€😀z"
        let bytes = Array(text.utf8)
        for cut in 0...bytes.count {
            var chunker = UTF8Chunker()
            let first = chunker.take(Array(bytes[..<cut]))
            let second = chunker.take(Array(bytes[cut...]))
            #expect(first + second + chunker.finish() == text, "cut at \(cut)")
            #expect(!first.contains("\u{FFFD}"))
        }
    }

    @Test func detachSequenceIsCtrlPCtrlQEvenAcrossReads() {
        var sequence = DetachSequence()
        #expect(sequence.scan([0x61, 0x10]) == ([0x61], false))
        #expect(sequence.scan([0x11, 0x62]) == ([], true))
        var typedAlone = DetachSequence()
        #expect(typedAlone.scan([0x10, 0x61]) == ([0x10, 0x61], false))
    }

    @Test func routesMatchParametersAndNothingElse() {
        let pattern = "/v1/sessions/{id}/exec".split(separator: "/")
        #expect(Router.match(pattern, "/v1/sessions/abc/exec".split(separator: "/")) == ["id": "abc"])
        #expect(Router.match(pattern, "/v1/sessions/abc".split(separator: "/")) == nil)
        #expect(Router.match(pattern, "/v1/sessions/a%20b/exec".split(separator: "/")) == ["id": "a b"])
        #expect(AttachHandler.isAttachPath("/v1/sessions/abc/attach"))
        #expect(!AttachHandler.isAttachPath("/v1/sessions/abc/exec"))
    }

    @Test func requestTargetsSplitIntoADecodedPathAndQuery() {
        let target = RequestTarget("/v1/sessions/a%20b/attach?rows=30&cols=100&flag&name=x%26y")
        #expect(target.path == "/v1/sessions/a%20b/attach")
        #expect(target.query == ["rows": "30", "cols": "100", "flag": "", "name": "x&y"])
        #expect(RequestTarget("/v1/info").query.isEmpty)
    }
}
