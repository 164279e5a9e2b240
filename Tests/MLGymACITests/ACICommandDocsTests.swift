import Testing

@testable import MLGymACI

@Suite struct ACICommandDocsTests {
    let documentation = ACICommandDocs.documentation(window: 1000)

    @Test(arguments: ACICommand.allCases.map(\.rawValue) + ["validate", "submit"])
    func everyCommandIsDocumented(name: String) {
        #expect(documentation.hasPrefix("\(name):\n") || documentation.contains("\n\(name):\n"))
        #expect(ACICommandDocs.doc(for: name) != nil)
    }

    @Test func multiLineCommandsShowTheirTerminators() {
        #expect(documentation.contains("signature: edit <start_line>:<end_line>\n<replacement_text>\nend_of_edit\n"))
        #expect(documentation.contains("end_of_insert"))
        #expect(ACICommandDocs.terminators == ["edit": "end_of_edit", "insert": "end_of_insert"])
        for doc in ACICommandDocs.all {
            #expect(doc.terminator == ACICommandDocs.terminators[doc.name])
        }
    }

    @Test func windowPlaceholderIsReplaced() {
        let docs = ACICommandDocs.documentation(window: 321)
        #expect(!docs.contains("{WINDOW}"))
        #expect(docs.contains("321 lines"))
    }

    @Test func entriesUseMLGymsLayout() {
        let goto = ACICommandDocs.doc(for: "goto")?.rendered(window: 1000)
        #expect(
            goto == """
                goto:
                  docstring: moves the window of the open file so that it shows <line_number>
                  signature: goto <line_number>
                  arguments:
                    - line_number (integer) [required]: the line to show


                """)
        #expect(ACICommandDocs.doc(for: "submit")?.rendered(window: 1000).contains("arguments:") == false)
    }

    @Test func extraCommandsComeLast() {
        let extra = CommandDoc(name: "memory_read", signature: "memory_read <query>", docstring: "reads memory")
        let docs = ACICommandDocs.documentation(window: 1000, extraCommands: [extra])
        #expect(docs.hasSuffix(extra.rendered(window: 1000)))
        #expect(docs.hasPrefix("open:\n"))
    }
}
