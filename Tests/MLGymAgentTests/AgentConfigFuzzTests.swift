import Foundation
import MLGymAgent
import MLGymCore
import MLGymTestSupport
import Testing

/// MLGym agent configs, command files and templates on random and mutated input (from a config, a command file
/// and templates written here): each is read and rendered, or refused with a message; none crashes or hangs.
struct AgentConfigFuzzTests {
    static let config = """
        system_template: |-
          Window {WINDOW}. {{braces}}
          {command_docs}
        task_template: |-
          {description} ({current_step}/{remaining_steps}) {open_file} {working_dir}
        next_step_template: '{observation} {current_step}'
        history_processor: LastNObservations
        history_processor_args: {n: 3}
        tools:
          env_variables: {WINDOW: 100, CURRENT_FILE: ''}
          command_files: [tools/a.sh]
          parser: ParseCommandDetailed
          blocklist: [vim]
        """
    static let commands = """
        # @yaml
        # signature: goto <line_number>
        # docstring: moves the window to show {WINDOW} lines
        # arguments:
        #   line_number:
        #     type: integer
        #     description: the line
        #     required: true
        goto() {
            echo
        }
        """

    @Test func configsCommandFilesAndTemplatesAreReadOrRefusedWhateverTheyHold() throws {
        var fuzzer = Fuzzer(seed: 0xA6C0, examples: [Self.config, Self.commands])
        let count = Fuzzer.inputCount(default: 1500)
        var accepted = 0, refused = 0
        for _ in 0..<count {
            let text = fuzzer.text()
            do {
                let config = try MLGymAgentConfig(name: "fuzz", text: text, files: ["tools/a.sh": fuzzer.text()])
                let prompts = try ConfiguredPrompts(config: config, taskFields: ["description": "d", "training_timeout": "1800"])
                try prompts.check(maxSteps: 50, usesMemory: false)
                accepted += 1
            } catch {
                refused += 1
                #expect(!error.message.isEmpty)
            }
            do {
                _ = try PythonFormat.render(text, ["observation": "o", "WINDOW": "100"])
            } catch {
                #expect(!error.message.isEmpty)
            }
        }
        #expect(accepted + refused == count)
        print("fuzz agent-config: \(count) inputs, \(refused) refused with a message, \(accepted) accepted, 0 crashes")
    }
}
