import Testing

@testable import MLGymACI

/// Search terms behave as grep's basic regular expressions.
@Suite struct LineMatcherTests {
    @Test func dotAndStarAreSpecial() {
        #expect(LineMatcher(term: "lr.rate").matches("lr_rate = 0.1"))
        #expect(LineMatcher(term: "ab*c").matches("xac"))
    }

    @Test func parenthesesAndPlusAreLiteral() {
        #expect(LineMatcher(term: "model(x)").matches("y = model(x)"))
        #expect(!LineMatcher(term: "model(x)").matches("y = modelx"))
        #expect(LineMatcher(term: "a+b").matches("a+b"))
        #expect(!LineMatcher(term: "a+b").matches("aab"))
    }

    @Test func anchorsWork() {
        #expect(LineMatcher(term: "^def").matches("def train():"))
        #expect(!LineMatcher(term: "^def").matches("    def train():"))
        #expect(LineMatcher(term: "):$").matches("def train():"))
    }

    @Test func invalidExpressionIsMatchedLiterally() {
        #expect(LineMatcher(term: "x[0").matches("y = x[0]"))
        #expect(!LineMatcher(term: "x[0").matches("y = x0"))
    }
}
