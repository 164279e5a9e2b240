import MLGymCore
import MLGymTasks
import Testing

@Suite struct MetricsParserTests {
    @Test func strayLinesAreSkippedAndTheLastMetricsLineWins() throws {
        let output = """
            Downloading... 100%|██████████| 3/3
            UserWarning: something deprecated
            {"Score": 1.0, "note": "first"}
            {"Score": 1.5, "Correct": 150, "converged": true, "name": "x"}
            done.
            """
        #expect(try MetricsParser.metrics(in: output) == ["Score": 1.5, "Correct": 150])
    }

    @Test func noMetricsNamesTheOutput() {
        let error = #expect(throws: MLGymError.self) { try MetricsParser.metrics(in: "Traceback\nValueError: bad row 7\n{not json}\n{\"ok\": true}") }
        #expect(error?.message.contains("printed no metrics") == true)
        #expect(error?.message.contains("ValueError: bad row 7") == true)
    }

    @Test func pythonReprMatchesMLGymsObservations() {
        #expect(MetricsParser.pythonRepr(["Score": 2.3716301918029785]) == "{'Score': 2.3716301918029785}")
        #expect(MetricsParser.pythonRepr(["rmse": 30340.1, "r2": 0.88]) == "{'r2': 0.88, 'rmse': 30340.1}")
    }

    @Test func sha256KnownAnswers() {
        #expect(SHA256.hex(Array("".utf8)) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let long = Array(String(repeating: "a", count: 1000).utf8)
        #expect(SHA256.hex(long) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }
}
