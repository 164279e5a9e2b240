import Foundation
import MLGymCore
import MLGymSandbox

/// The part of a session's shell a snapshot carries to forks and restores: its working directory and the
/// variables the agent exported. Running processes, shell functions, aliases and history are not carried.
///
/// Also kept here: whose files the snapshot holds (the session's agent uid and gid on the host), which a fork,
/// running as an agent of its own, gives to its own agent.
struct CarriedShellState: Codable, Sendable, Equatable {
    struct Export: Codable, Sendable, Equatable {
        var name: String
        /// The value as bash's `printf %q` wrote it: fed back to the same bash as `export NAME=<quoted>`.
        var quoted: String
    }

    var workingDirectory: String?
    var exports: [Export] = []
    /// False when the shell was busy (a command or a terminal had it) and only its working directory was read.
    var complete = true
    var agentUID: UInt32
    var agentGID: UInt32

    /// Variables that belong to one session (its sockets, GPUs, proxy) or to bash itself: never carried.
    static func isCarried(_ name: String) -> Bool {
        let own = ["PWD", "OLDPWD", "SHLVL", "_", "PS1", "PS2", "HOME", "USER", "LOGNAME", "HISTFILE", "LINES", "COLUMNS",
                   "CUDA_VISIBLE_DEVICES", "NVIDIA_VISIBLE_DEVICES", "ROCR_VISIBLE_DEVICES", "HIP_VISIBLE_DEVICES"]
        guard !own.contains(name), !name.hasPrefix("MLGYM_"), !name.lowercased().hasSuffix("_proxy") else { return false }
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }

    /// Builtins only, so it runs whatever the agent did to PATH: the directory, then `NAME=%q` per exported
    /// variable (one line each: %q escapes newlines).
    static let readSnippet = #"printf '%s\n' "$PWD"; for __mlgym_n in $(compgen -e); do printf '%s=%q\n' "$__mlgym_n" "${!__mlgym_n}"; done; unset __mlgym_n"#

    /// Reads the shell's state if it is free now. Else, when `caller` is a process of the sandbox started by the
    /// shell (the agent's `validate`, which the snapshot at a validate is taken for), its directory and
    /// environment are the shell's as they were exported; otherwise only the shell's directory, from /proc.
    /// Variables whose value is the one every process starts with (`initial`) are left out: only what the agent
    /// changed is carried.
    static func read(
        from shell: PersistentShell, agentUID: UInt32, agentGID: UInt32, initial: [String: String] = [:], caller: Int32? = nil
    ) async -> CarriedShellState {
        var state = CarriedShellState(agentUID: agentUID, agentGID: agentGID)
        if let caller, let environment = FileManager.default.contents(atPath: "/proc/\(caller)/environ"), shell.isBusy {
            state.workingDirectory = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(caller)/cwd")
            for entry in environment.split(separator: 0) {
                let text = String(decoding: entry, as: UTF8.self)
                guard let equals = text.firstIndex(of: "=") else { continue }
                let name = String(text[..<equals]), value = String(text[text.index(after: equals)...])
                if isCarried(name), initial[name] != value {
                    state.exports.append(Export(name: name, quoted: PersistentShell.ansiQuoted(value)))
                }
            }
            return state
        }
        if let result = try? await shell.runIfIdle(readSnippet, timeout: .seconds(10)), !result.timedOut, result.exitCode == 0 {
            var lines = result.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            state.workingDirectory = lines.isEmpty ? nil : lines.removeFirst()
            for line in lines {
                guard let equals = line.firstIndex(of: "=") else { continue }
                let name = String(line[..<equals]), quoted = String(line[line.index(after: equals)...])
                // %q leaves a value of only plain characters as it is: such a value is compared as it stands.
                let plain = quoted.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "/:._-,+=@%".unicodeScalars.contains($0)) }
                if isCarried(name), !(plain && initial[name] == quoted) { state.exports.append(Export(name: name, quoted: quoted)) }
            }
        } else {
            state.complete = false
            state.workingDirectory = shell.workingDirectory
        }
        return state
    }

    /// The lines that make a shell's state this one (run in the fork's fresh shell, or after a restore).
    var applyScript: String {
        var lines: [String] = []
        if let workingDirectory { lines.append("cd -- \(ShellQuote.quote(workingDirectory)) 2>/dev/null") }
        for export in exports where Self.isCarried(export.name) && !export.quoted.contains("\n") {
            lines.append("export \(export.name)=\(export.quoted)")
        }
        return lines.joined(separator: "\n")
    }

    /// Sets the state in `shell` if it is free; false when it was busy.
    func apply(to shell: PersistentShell) async -> Bool {
        let script = applyScript
        if script.isEmpty { return true }
        return (try? await shell.runIfIdle(script, timeout: .seconds(10))) != nil
    }

    var json: String {
        (try? String(decoding: JSONEncoder().encode(self), as: UTF8.self)) ?? "{}"
    }

    static func decode(_ json: String) -> CarriedShellState? {
        try? JSONDecoder().decode(CarriedShellState.self, from: Data(json.utf8))
    }
}
