/// The text an agent is given, written for mlgym with the structure of MLGym's default agent (system message
/// with the command reference, task message, one message per observation with the same footer), so that runs
/// compare with MLGym's.
public struct AgentPrompts: Sendable {
    /// What the footer of each message reports.
    public struct Status: Sendable, Equatable {
        public var step: Int
        public var remainingSteps: Int
        public var openFile: String
        public var workingDirectory: String
        /// The memory's record count and keywords (MLGym's two lines), when the run uses memory.
        public var memory: String?

        public init(step: Int, remainingSteps: Int, openFile: String, workingDirectory: String, memory: String? = nil) {
            self.step = step
            self.remainingSteps = remainingSteps
            self.openFile = openFile
            self.workingDirectory = workingDirectory
            self.memory = memory
        }
    }

    public var commandDocumentation: String
    public var window: Int
    public var trainingTimeout: Int
    /// Whether the agent has a memory (memory_write and memory_read): the advice then says to use it.
    public var usesMemory: Bool
    /// An MLGym agent config's prompts, which replace these when given (`mlgymctl run --agent-config`).
    public var configured: ConfiguredPrompts?

    public init(
        commandDocumentation: String, window: Int, trainingTimeout: Int, usesMemory: Bool = false, configured: ConfiguredPrompts? = nil
    ) {
        self.configured = configured
        self.commandDocumentation = commandDocumentation
        self.window = window
        self.trainingTimeout = trainingTimeout
        self.usesMemory = usesMemory
    }

    public var system: String {
        """
        You are an autonomous machine-learning researcher. You work alone in a Linux command line, through an \
        interface that adds a few commands to the shell, including a file viewer that shows \(window) lines of a \
        file at a time.

        COMMANDS:
        \(commandDocumentation)

        You may also run any ordinary shell command, except programs that wait for keyboard input (editors such \
        as vim or nano, or python/bash with no script): they would hang until the time-out. The edit and insert \
        commands take the new text exactly as written, so indent it correctly: Python will not forgive a wrong \
        indentation.

        RESPONSE FORMAT:
        Every reply has two parts: first a DISCUSSION, a short paragraph of your reasoning about what to do \
        next; then exactly one command in a fenced block, and nothing after it. For example:

        DISCUSSION
        I will start by listing the workspace to see which files I was given.

        ```
        ls -a
        ```

        One command per reply, in one block. A reply with no block or with two blocks is rejected and you are \
        asked again. Wait for each command's output before you choose the next.

        YOUR GOAL is the best score you can reach on the task's metric, not merely a working solution. Use \
        `validate` to measure your current artefact as often as it helps (the score is logged), build your own \
        checks, compare approaches, and `submit` only when you are done: submitting ends the task.

        Advice:
        1. Read the baseline and the evaluation code before changing anything.
        2. When a command fails, change something before trying again; repeating it will fail the same way.
        3. To see a distant part of a file, use goto with a line number rather than scrolling many times.
        4. Keep track of the open file and the current directory: the footer of each message shows both.
        5. After an edit, look at the result: check indentation, and that no line was duplicated or lost.
        6. Steps are limited. When few remain, make sure a valid artefact exists and submit it.
        7. Every command must finish within \(trainingTimeout) seconds, and one that prints nothing for a long \
        time is stopped; make long jobs print progress.
        8. Never run the evaluation script yourself: only `validate` records a score.
        \(usesMemory ? "9. You have a memory that outlives this task: save each finding worth keeping (a setting and the score it gave, an idea that failed and why) with memory_write, and look for earlier findings with memory_read before you repeat an experiment. The footer shows how many records it holds and their keywords.\n" : "")
        """
    }

    public func task(description: String, status: Status) -> String {
        """
        We're currently solving the following task. Here's the task description:

        TASK DESCRIPTION:
        \(description)

        INSTRUCTIONS:
        Work on this task on your own: train models, measure them, and improve them. Issue one command at a time, \
        as described in the response format, and wait for its output. Produce a valid submission artefact exactly \
        as the SUBMISSION FORMAT above asks; an artefact that does not follow it scores nothing. You may read the \
        evaluation script to learn how the artefact is checked. Interactive programs are not available.

        \(footer(status))
        """
    }

    /// The conversation's first two messages: the system message and the task, before any step.
    public func opening(description: String, maxSteps: Int, memory: String? = nil) -> [ChatMessage] {
        let status = Status(step: 0, remainingSteps: maxSteps, openFile: AgentState().openFile, workingDirectory: AgentState().workingDirectory, memory: memory)
        if let configured {
            // Checked when the run was made (`ConfiguredPrompts.check`), so rendering does not fail here.
            let task = (try? configured.task(status: status)) ?? ""
            return [ChatMessage(.system, configured.system)] + configured.demonstrations + [ChatMessage(.user, task)]
        }
        return [ChatMessage(.system, system), ChatMessage(.user, task(description: description, status: status))]
    }

    public func observation(_ text: String, status: Status) -> String {
        if let configured, let rendered = try? configured.observation(text, status: status) { return rendered }
        let shown = text.allSatisfy(\.isWhitespace)
            ? "Your command ran successfully and did not produce any output."
            : text
        return shown + "\n" + footer(status)
    }

    public func formatError(_ error: ActionParser.FormatError) -> String {
        if let configured = configured?.formatError { return configured }
        let what: String
        switch error {
        case .noCommand: what = "it has no command in a fenced block"
        case .severalCommands(let count): what = "it has \(count) fenced blocks, and only one command is allowed per reply"
        case .emptyCommand: what = "its fenced block is empty"
        }
        return """
            Your reply could not be used: \(what). Reply with a DISCUSSION paragraph and then exactly one command \
            in one fenced block, like this:

            DISCUSSION
            Your reasoning about the next step.

            ```
            command --with arguments
            ```
            """
    }

    public func refused(_ program: String) -> String {
        if let configured = configured?.refused(program) { return configured }
        return "The command was not run: \(program) waits for keyboard input (or runs in the background out of sight), which this interface cannot give it. Use a non-interactive command instead, for example a script file run with python, or cat/head/sed to read and edit files."
    }

    public func malformed(_ problem: HeredocGuard.Problem) -> String {
        switch problem {
        case .missingTerminator(let command, let terminator):
            "The command was not run: \(command) needs its new text on the following lines and then a line with only \(terminator)."
        }
    }

    func footer(_ status: Status) -> String {
        (status.memory.map { $0 + "\n" } ?? "") + """
        (Current Step: \(status.step), Remaining Steps: \(status.remainingSteps))
        (Open file: \(status.openFile))
        (Current directory: \(status.workingDirectory))
        bash-$
        """
    }
}
