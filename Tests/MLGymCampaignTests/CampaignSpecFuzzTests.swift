import Foundation
import MLGymCampaign
import MLGymCore
import MLGymTestSupport
import Testing

/// The campaign reader on random and mutated campaign files: each is read or refused with a message that names
/// the file (and, where it can, the line); none crashes or hangs.
struct CampaignSpecFuzzTests {
    static let example = """
        name: nightly
        tasks: [prisonersDilemma, blotto, battleOfSexes]
        models:
          - name: gpt4o
            spec: openai:gpt-4o
            price: {input: 2.5, output: 10}
          - name: local
            spec: openai:Qwen2.5-Coder-32B
            api_base: http://127.0.0.1:8000/v1
            api_key_env: LOCAL_KEY
        seeds: 3
        limits: {steps: 50, run_cost: 4, campaign_cost: 100, time: 2h}
        resources: {gpus: 1, memory: 16G, cpus: 4}
        agent: {memory: true}
        results: results/nightly
        """

    @Test func campaignFilesAreReadOrRefusedWithTheirNameWhateverTheyHold() throws {
        let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("tasks/demos/games-campaign.yaml")
        let demo = try String(contentsOf: shipped, encoding: .utf8)
        var fuzzer = Fuzzer(seed: 0xCA4F, examples: [Self.example, demo])
        let count = Fuzzer.inputCount(default: 1500)
        var accepted = 0, refused = 0
        for index in 0..<count {
            do {
                _ = try CampaignSpec.parse(fuzzer.text(), file: "fuzz-\(index).yaml", directory: "/tmp")
                accepted += 1
            } catch {
                refused += 1
                #expect(error.message.contains("fuzz-\(index).yaml"), "input \(index): \(error.message)")
            }
        }
        #expect(refused > count / 2, "the mutations hardly ever broke the file: the fuzzer is not fuzzing")
        print("fuzz campaign-yaml: \(count) inputs, \(refused) refused with a message, \(accepted) accepted, 0 crashes")
    }
}
