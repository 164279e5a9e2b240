import MLGymCore
@testable import MLGymSandbox
import Synchronization
import MLGymTestSupport
import Testing

@Suite("Persistent shell framing (pure)")
struct ShellFramingTests {
    @Test func ansiQuotingKeepsEveryByte() {
        #expect(PersistentShell.ansiQuoted("echo 'a b'\n\\x") == "$'echo \\'a b\\'\\n\\\\x'")
        #expect(PersistentShell.ansiQuoted("tab\there\u{1}") == "$'tab\\there\\x01'")
        #expect(PersistentShell.ansiQuoted("héllo ✓") == "$'héllo ✓'")
    }

    @Test func framesOfEarlierCommandsAreDroppedFromOutput() {
        let bytes = Array("a".utf8) + [0x1E] + Array("abc-3:0".utf8) + [0x1E] + Array("b".utf8)
        #expect(PersistentShell.removingFrames(of: "abc", from: bytes) == Array("ab".utf8))
    }

    @Test func sentinelIsFoundOnlyWithTheRightNonce() {
        let good = Array("out\n".utf8) + [0x1E] + Array("abc:7".utf8) + [0x1E]
        let found = PersistentShell.findSentinel(in: good, nonce: "abc")
        #expect(found?.outputEnd == 4)
        #expect(found?.status == 7)
        #expect(found?.end == good.count)
        let forged = Array("x".utf8) + [0x1E] + Array("zzz:0".utf8) + [0x1E]
        #expect(PersistentShell.findSentinel(in: forged, nonce: "abc") == nil)
        let partial = Array("x".utf8) + [0x1E] + Array("abc:1".utf8)
        #expect(PersistentShell.findSentinel(in: partial, nonce: "abc") == nil)
    }
}

@Suite("Persistent shell in a sandbox", .enabled(if: SandboxHarness.canRun, "needs root for namespaces and cgroups"))
struct PersistentShellTests {
    let harness: SandboxHarness
    init() throws { harness = try SandboxHarness() }

    @Test func commandsReturnOutputAndExitCode() async throws {
        try await harness.withSandbox { sandbox in
            let shell = try await PersistentShell.start(in: sandbox)
            let echo = try await shell.run("echo x")
            #expect(echo == PersistentShell.Result(output: "x\n", exitCode: 0, timedOut: false, truncated: false))
            let failing = try await shell.run("ls /nonexistent-dir")
            #expect(failing.exitCode == 2)
            #expect(failing.output.contains("No such file or directory"))
            #expect(try await shell.run("false").exitCode == 1)
            await shell.close()
        }
    }

    /// Commands `__mlgym_run` never returns from are still framed by the guard line after them: a `return`,
    /// and a fork that fails at the pids limit (bash drops the rest of its input line). Neither waits for the
    /// timeout, and the shell goes on.
    @Test func aReturnOrAFailedForkIsFramedWithoutWaitingForTheTimeout() async throws {
        try await harness.withSandbox({ $0.limits.pids = 16 }) { sandbox in
            let shell = try await PersistentShell.start(in: sandbox)
            let returned = try await shell.run("return 3", timeout: .seconds(45))
            #expect(!returned.timedOut)
            #expect(returned.exitCode == 3)
            let forks = try await shell.run("for i in $(seq 40); do sleep 2 & done; echo launched", timeout: .seconds(45))
            #expect(!forks.timedOut, "\(forks.output)")
            _ = try await shell.run("wait", timeout: .seconds(45))
            #expect(try await shell.run("echo still").output == "still\n")
            await shell.close()
        }
    }

    /// A consumer that holds the output leaves the terminal unread: the command blocks on its writes (so nothing
    /// piles up in the daemon), and finishes with every byte once the hold ends.
    @Test func heldOutputHoldsTheCommandAndLosesNothing() async throws {
        try await harness.withSandbox { sandbox in
            let shell = try await PersistentShell.start(in: sandbox)
            let flow = OutputFlow()
            flow.hold(true)
            let seen = Mutex(0)
            let running = Task {
                try await shell.run("head -c 8000000 /dev/zero | tr '\\0' x; echo; echo end", onOutput: { piece in
                    seen.withLock { $0 += piece.count }
                }, flow: flow)
            }
            // Half a second for the command to fill the terminal; what arrives is bounded by the kernel's PTY
            // buffer (a slower machine only makes it less).
            try await Task.sleep(for: .milliseconds(500))
            #expect(seen.withLock { $0 } < 1_000_000, "the held terminal was read on")
            flow.hold(false)
            let result = try await running.value
            #expect(result.exitCode == 0)
            #expect(result.output.hasSuffix("end\n"))
            #expect(result.output.utf8.count == 8_000_000 + 5)
            #expect(seen.withLock { $0 } == 8_000_000 + 5)
            await shell.close()
        }
    }

    @Test func stateAndTrickyTextSurviveBetweenCommands() async throws {
        try await harness.withSandbox { sandbox in
            let shell = try await PersistentShell.start(in: sandbox)
            _ = try await shell.run("cd /tmp && export GREETING='it'\"'\"'s ✓'")
            #expect(try await shell.run("pwd; echo \"$GREETING\"").output == "/tmp\nit's ✓\n")
            let heredoc = try await shell.run("cat <<'EOF' > f.txt\nline one\n  $HOME stays literal\nEOF\ncat f.txt")
            #expect(heredoc.output == "line one\n  $HOME stays literal\n")
            // A command that reads stdin gets EOF instead of swallowing the next command.
            #expect(try await shell.run("cat; echo after").output == "after\n")
            let syntax = try await shell.run("if then fi")
            #expect(syntax.exitCode != 0)
            #expect(try await shell.run("echo still-alive").output == "still-alive\n")
            await shell.close()
        }
    }

    @Test func timeoutKillsTheCommandsProcessGroupAndKeepsItsOutput() async throws {
        try await harness.withSandbox { sandbox in
            let shell = try await PersistentShell.start(in: sandbox)
            let result = try await shell.run("echo started; sleep 60 | cat; echo never", timeout: .seconds(1))
            #expect(result.timedOut)
            #expect(result.output.hasPrefix("started\n"))
            #expect(!result.output.contains("never"))
            #expect(result.exitCode != 0)
            let processes = try await sandbox.run(["/bin/sh", "-c", "ps -eo comm= | grep -c sleep || true"]).output
            #expect(processes == "0\n")
            let after = try await shell.run("echo usable")
            #expect(after.output == "usable\n", "\(after)")
            await shell.close()
        }
    }

    @Test func timeoutInterruptsABuiltinLoop() async throws {
        try await harness.withSandbox { sandbox in
            let shell = try await PersistentShell.start(in: sandbox)
            let result = try await shell.run("while :; do :; done", timeout: .milliseconds(300))
            #expect(result.timedOut)
            #expect(try await shell.run("echo usable").output == "usable\n")
            await shell.close()
        }
    }

    @Test func hugeOutputIsCutInTheMiddleWithAMarker() async throws {
        try await harness.withSandbox { sandbox in
            let shell = try await PersistentShell.start(in: sandbox, outputLimit: 64 << 10)
            let result = try await shell.run("head -c 1000000 /dev/zero | tr '\\0' a; echo; echo END")
            #expect(result.truncated)
            #expect(result.output.contains("bytes of output dropped by mlgym"))
            #expect(result.output.hasSuffix("END\n"))
            #expect(result.output.utf8.count < 80 << 10)
            await shell.close()
        }
    }

    /// A command's wait is woken once per piece of output, each time with its deadlines (here ten minutes out).
    /// When each wake armed a sleeping task, those tasks held the shell, its buffer and their own memory until the
    /// deadline passed: a large output grew mlgymd by tens of megabytes that `rm` did not give back.
    @Test func aClosedShellIsFreedAtOnceWhateverItsCommandsDeadlines() async throws {
        try await harness.withSandbox { sandbox in
            weak var released: PersistentShell?
            do {
                let shell = try await PersistentShell.start(in: sandbox)
                released = shell
                let result = try await shell.run(
                    "for i in $(seq 2000); do head -c 2000 /dev/zero | tr '\\0' x; echo; done | wc -l",
                    timeout: .seconds(600), silenceTimeout: .seconds(600))
                #expect(result.output == "2000\n")
                let pieces = try await shell.run("seq 200000", timeout: .seconds(600), silenceTimeout: .seconds(600))
                #expect(pieces.output.hasSuffix("200000\n"))
                await shell.close()
            }
            // The reader thread lets go when it sees the terminal close; nothing else may hold the shell.
            for _ in 0..<200 where released != nil { try await Task.sleep(for: .milliseconds(25)) }
            #expect(released == nil, "the shell is still referenced after close")
        }
    }

    @Test func shellHasATerminalOfTheSandboxesOwn() async throws {
        try await harness.withSandbox { sandbox in
            let shell = try await PersistentShell.start(in: sandbox)
            let tty = try await shell.run("readlink /proc/self/fd/1; id -un")
            #expect(tty.output.hasPrefix("/dev/pts/"), "\(tty.output)")
            #expect(tty.output.hasSuffix("agent\n"))
            await shell.close()
        }
    }
}
