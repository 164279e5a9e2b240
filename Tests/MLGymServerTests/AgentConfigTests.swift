import Foundation
import MLGymAPI
import MLGymAgent
import MLGymClient
import MLGymTestSupport
import Testing

/// `mlgymctl run --agent-config`: an MLGym agent config, laid out as in an MLGym checkout (the config under
/// configs/agents, its command file and demonstration found from the checkout's root), gives the model MLGym's
/// prompts. The config is written here; the expected messages are rendered by Python's own `str.format`, as
/// MLGym renders them.
@Suite struct AgentConfigTests {
    static let systemTemplate = "SETTING: a {{literal}} brace and a window of {WINDOW} lines.\nCOMMANDS:\n{command_docs}\nEach action within {training_timeout} seconds."
    static let taskTemplate = "TASK {id}:\n{description}\n(Current Step: {current_step}, Remaining Steps: {remaining_steps})\n(Open file: {open_file})\n(Current directory: {working_dir})\nbash-$"
    static let nextStep = "{observation}\n(Current Step: {current_step}, Remaining Steps: {remaining_steps})\nbash-$"
    static let noOutput = "Nothing printed.\n(Current Step: {current_step}, Remaining Steps: {remaining_steps})\nbash-$"
    static let demonstrationTemplate = "--- DEMONSTRATION ---\n{demonstration}\n--- END ---\n"

    /// A config tree in MLGym's layout: configs/agents/mini.yaml, tools/mini.sh, demonstrations/demo.traj.
    static func checkout() throws -> (root: TemporaryTaskRoot, config: String) {
        let root = try TemporaryTaskRoot()
        func block(_ text: String) -> String { text.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n") }
        try root.write("configs/agents/mini.yaml", """
            system_template: |-
            \(block(systemTemplate))
            task_template: |-
            \(block(taskTemplate))
            next_step_template: |-
            \(block(nextStep))
            next_step_no_output_template: |-
            \(block(noOutput))
            demonstration_template: |
            \(block(demonstrationTemplate).replacingOccurrences(of: "\n  \n", with: "\n\n"))
            demonstrations:
            - demonstrations/demo.traj
            output_parser: MLGymThoughtActionParser
            history_processor: Last5Observations
            tools:
              env_variables:
                WINDOW: 100
                CURRENT_FILE: ''
              command_files:
              - tools/mini.sh
              parser: ParseCommandDetailed
            """)
        try root.write("tools/mini.sh", """
            _helper() {
                echo hidden
            }

            # @yaml
            # signature: open "<path>" [<line_number>]
            # docstring: opens the file, {WINDOW} lines at a time
            # arguments:
            #   path:
            #     type: string
            #     description: the file to open
            #     required: true
            #   line_number:
            #     type: integer
            #     description: the line to show
            #     required: false
            open() {
                echo open
            }

            # @yaml
            # docstring: validates your submission
            validate() {
                echo validate
            }
            """)
        let demo: [String: Any] = ["history": [
            ["role": "system", "content": "ignored system", "agent": "primary_0"],
            ["role": "user", "content": "demo task", "agent": "primary_0"],
            ["role": "assistant", "content": "DISCUSSION\nlook\n```\nls\n```", "agent": "primary_0"],
            ["role": "user", "content": "from another agent", "agent": "primary_1"],
        ]]
        try root.write("demonstrations/demo.traj", String(decoding: try JSONSerialization.data(withJSONObject: demo), as: UTF8.self))
        return (root, root.path + "/configs/agents/mini.yaml")
    }

    /// Python's `template.format(**values)`.
    static func pythonFormat(_ template: String, _ values: [String: String]) throws -> String {
        let input = try JSONSerialization.data(withJSONObject: ["t": template, "v": values])
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", "import json, sys; d = json.load(sys.stdin); sys.stdout.write(d['t'].format(**d['v']))"]
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        stdin.fileHandleForWriting.write(input)
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: output, as: UTF8.self)
    }

    @Test func theModelSeesTheConfigsPromptsAsMLGymRendersThem() throws {
        let (root, config) = try Self.checkout()
        defer { root.remove() }
        let server = try FakeModelServer([.command("true"), .command("echo hello"), .command("submit")])
        let daemon = try DaemonProcess()
        defer { daemon.finish() }
        let result = try daemon.ctl(
            ["run", "--json", "--task", "prisonersDilemma", "--model", "openai:m", "--api-base", server.baseURL, "--agent-config", config, "--profile", "parity"],
            environment: ["OPENAI_API_KEY": "sk-test"])
        #expect(result.status == 0, "\(result.output)\(result.errorOutput)")
        let runs = try WireCoding.decoder().decode(RunList.self, from: Data(result.output.utf8)).runs
        #expect(runs.first?.exitStatus == "submitted", "\(result.output)")
        #expect(runs.first?.settings?.agentConfig == "mini")

        let task = try daemon.client.task("prisonersDilemma")
        let commandDocs = """
            open:
              docstring: opens the file, 100 lines at a time
              signature: open "<path>" [<line_number>]
              arguments:
                - path (string) [required]: the file to open
                - line_number (integer) [optional]: the line to show

            validate:
              docstring: validates your submission
              signature: validate


            """
        let fields = [
            "command_docs": commandDocs, "WINDOW": "100", "CURRENT_FILE": "", "training_timeout": String(task.trainingTimeout),
            "id": task.id, "description": task.description ?? "", "current_step": "0", "remaining_steps": "50",
            "open_file": "n/a", "working_dir": "/home/agent/workspace",
        ]
        let requests = server.requests
        try #require(requests.count == 3)
        let first = try #require(requests[0].body?.messages)
        #expect(first.map(\.role) == ["system", "user", "user"])
        #expect(first[0].content == (try Self.pythonFormat(Self.systemTemplate, fields)))
        let demonstration = "demo task\nDISCUSSION\nlook\n```\nls\n```"
        #expect(first[1].content == (try Self.pythonFormat(Self.demonstrationTemplate, ["demonstration": demonstration])))
        #expect(first[2].content == (try Self.pythonFormat(Self.taskTemplate, fields)))
        // After `true` (no output) and `echo hello`, the next-step templates.
        let second = try #require(requests[1].body?.messages)
        #expect(second.last?.content == (try Self.pythonFormat(Self.noOutput, ["current_step": "1", "remaining_steps": "49"])))
        // The run's trajectory shows the prompts it had: the config's.
        let trajectory = try daemon.client.trajectory(try #require(runs.first?.id))
        #expect(trajectory.systemPrompt == first[0].content)
        #expect(trajectory.taskPrompt == first[2].content)
        let third = try #require(requests[2].body?.messages)
        #expect(third.last?.content == (try Self.pythonFormat(Self.nextStep, ["observation": "hello\n", "current_step": "2", "remaining_steps": "48"])))
    }

    @Test func aConfigThatCannotBeHonouredIsRefusedBeforeAnythingRuns() throws {
        let (root, config) = try Self.checkout()
        defer { root.remove() }
        try root.write("configs/agents/gpu.yaml", "system_template: 'GPUs: {gpu_count}'\ntask_template: '{description}'\n")
        try root.write("configs/agents/lost.yaml", "system_template: s\ntask_template: t\ndemonstrations: [nowhere/demo.traj]\n")
        let daemon = try DaemonProcess()
        defer { daemon.finish() }
        for (file, message) in [
            (root.path + "/configs/agents/gpu.yaml", "system_template: the field '{gpu_count}' has no value"),
            (root.path + "/configs/agents/lost.yaml", "names nowhere/demo.traj, which is neither beside it"),
        ] {
            let result = try daemon.ctl(
                ["run", "--task", "prisonersDilemma", "--model", "openai:m", "--api-base", "http://127.0.0.1:9/v1", "--agent-config", file],
                environment: ["OPENAI_API_KEY": "sk-test"])
            #expect(result.status != 0)
            #expect(result.errorOutput.contains(message), "\(result.errorOutput)")
        }
        let bad = try daemon.ctl(["run", "--task", "prisonersDilemma", "--model", "openai:m", "--agent-config", config, "--profile", "fast"], environment: ["OPENAI_API_KEY": "sk-test"])
        #expect(bad.errorOutput.contains("profile 'fast' must be default or parity"), "\(bad.errorOutput)")
        #expect(try daemon.client.runs().runs.isEmpty)
    }

    /// MLGym's parity limits: 25 s for an action that is not training, the task's timeout for one that mentions
    /// python (anywhere, as MLGym's substring test does).
    @Test func parityLimitsGiveTrainingActionsTheLongTimeout() {
        let limits = CommandLimits(total: 1800, withoutOutput: 3600, shortTotal: 25)
        #expect(limits.applying(to: "ls -la").total == 25)
        #expect(limits.applying(to: "python3 train.py").total == 1800)
        #expect(limits.applying(to: "cat python_notes.txt").total == 1800)
        #expect(limits.applying(to: "ls").withoutOutput == 25)
        #expect(CommandLimits(total: 1800, withoutOutput: 600).applying(to: "ls").total == 1800)
    }
}
