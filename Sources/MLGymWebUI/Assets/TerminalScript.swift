/// A session's terminal on its page, over `/ui/sessions/ID/terminal` (mlgymd's attach WebSocket, relayed):
/// watched by default; typed in only by the session's owner, after they ask to (it takes the shell from the agent,
/// as `mlgymctl attach` does).
///
/// The screen is a small line-based terminal, not a full emulator: text, carriage returns, backspaces, tabs and
/// line erases are applied; colours and cursor addressing are dropped. It keeps the last 2,000 lines, so a
/// terminal left open all day holds a fixed amount.
enum TerminalScript {
    static let text = #"""
        const terminal = { socket: null, session: null, typing: false, lines: [""], column: 0, escape: "", decoder: null, drawn: false };
        const terminalLines = 2000;

        function terminalWrite(text) {
          let line = terminal.lines[terminal.lines.length - 1];
          for (const ch of text) {
            if (terminal.escape) {
              terminal.escape += ch;
              const sequence = terminal.escape;
              // CSI: ESC [ parameters, then a final letter. OSC: ESC ] … BEL (or ESC \). Others: two characters.
              if (sequence[1] === "[") {
                if (/[@-~]/.test(ch) && sequence.length > 2) {
                  if (ch === "K") line = line.slice(0, terminal.column);
                  if (ch === "J" && sequence.includes("2")) { terminal.lines = [""]; line = ""; terminal.column = 0; }
                  terminal.escape = "";
                }
              } else if (sequence[1] === "]") {
                if (ch === "\u0007" || sequence.endsWith("\u001b\\")) terminal.escape = "";
              } else if (sequence.length >= 2) terminal.escape = "";
              if (terminal.escape.length > 256) terminal.escape = "";
              continue;
            }
            if (ch === "\u001b") { terminal.escape = ch; continue; }
            if (ch === "\r") { terminal.column = 0; continue; }
            if (ch === "\n") {
              terminal.lines[terminal.lines.length - 1] = line;
              terminal.lines.push("");
              if (terminal.lines.length > terminalLines) terminal.lines.splice(0, terminal.lines.length - terminalLines);
              line = ""; terminal.column = 0;
              continue;
            }
            if (ch === "\b") { terminal.column = Math.max(0, terminal.column - 1); continue; }
            if (ch === "\t") { const stop = (Math.floor(terminal.column / 8) + 1) * 8; line = line.padEnd(stop); terminal.column = stop; continue; }
            if (ch < " " || ch === "\u007f") continue;
            line = line.padEnd(terminal.column).slice(0, terminal.column) + ch + line.slice(terminal.column + 1);
            terminal.column += 1;
          }
          terminal.lines[terminal.lines.length - 1] = line;
          if (!terminal.drawn) {
            terminal.drawn = true;
            requestAnimationFrame(() => {
              terminal.drawn = false;
              const screen = document.getElementById("terminal");
              const atBottom = screen.scrollTop + screen.clientHeight >= screen.scrollHeight - 4;
              screen.textContent = terminal.lines.join("\n");
              if (atBottom) screen.scrollTop = screen.scrollHeight;
            });
          }
        }

        function terminalState(text) { document.getElementById("terminal-state").textContent = text; }

        function closeTerminal() {
          if (terminal.socket) { terminal.socket.onclose = null; terminal.socket.close(); }
          terminal.socket = null;
          terminal.session = null;
        }

        function openTerminal(session, typing) {
          closeTerminal();
          terminal.session = session.id;
          terminal.typing = typing;
          terminal.lines = [""]; terminal.column = 0; terminal.escape = "";
          terminal.decoder = new TextDecoder();
          document.getElementById("terminal").textContent = "";
          const screen = document.getElementById("terminal");
          const rows = 24, cols = Math.max(40, Math.min(240, Math.floor(screen.clientWidth / 8.5) || 100));
          const socket = new WebSocket("ws://" + location.host + "/ui/sessions/" + encodeURIComponent(session.id) +
            "/terminal?mode=" + (typing ? "type" : "watch") + "&rows=" + rows + "&cols=" + cols);
          socket.binaryType = "arraybuffer";
          terminal.socket = socket;
          terminalState(typing ? "Connecting to type in the terminal…" : "Connecting…");
          socket.onopen = () => terminalState(typing
            ? "Typing: the shell is yours until you stop (Ctrl+] leaves the terminal; the agent gets the shell back when you stop)."
            : "Watching: the shell's output as it comes. Read-only.");
          socket.onmessage = (event) => {
            if (typeof event.data === "string") {
              const control = JSON.parse(event.data);
              if (control.type === "error" || control.type === "ended") terminalState("The terminal closed: " + (control.message || control.type) + ".");
              return;
            }
            terminalWrite(terminal.decoder.decode(new Uint8Array(event.data), { stream: true }));
          };
          socket.onclose = () => {
            if (terminal.socket !== socket) return;
            terminal.socket = null;
            // Keep the reason mlgymd gave (the shell ended, the attach was refused); else say it closed.
            if (!document.getElementById("terminal-state").textContent.startsWith("The terminal closed")) terminalState("The terminal closed.");
            renderTerminalControls();
          };
          renderTerminalControls();
        }

        // The owner may type; anyone else who can see the session (root) only watches it.
        function renderTerminalControls() {
          const controls = document.getElementById("terminal-controls");
          controls.replaceChildren();
          const session = sessions.get(shown.param);
          if (!session) return;
          const button = (text, action) => { const b = element("button", text); b.type = "button"; b.addEventListener("click", action); controls.append(b); return b; };
          if (session.state !== "running") { terminalState("The session is not running, so it has no terminal."); return; }
          if (!terminal.socket) button("Watch the terminal", () => openTerminal(session, false));
          if (session.owner !== me) {
            controls.append(element("span", "Read-only: this session is uid " + session.owner + "'s."));
          } else if (terminal.typing && terminal.socket) {
            button("Stop typing", () => openTerminal(session, false));
          } else {
            button("Type in this terminal", () => { openTerminal(session, true); document.getElementById("terminal").focus(); });
          }
        }

        const terminalKeys = { Enter: "\r", Backspace: "\u007f", Tab: "\t", Escape: "\u001b", ArrowUp: "\u001b[A", ArrowDown: "\u001b[B",
          ArrowRight: "\u001b[C", ArrowLeft: "\u001b[D", Home: "\u001b[H", End: "\u001b[F", Delete: "\u001b[3~" };

        function terminalSend(text) {
          if (terminal.socket && terminal.typing && terminal.socket.readyState === WebSocket.OPEN) terminal.socket.send(new TextEncoder().encode(text));
        }

        document.getElementById("terminal").addEventListener("keydown", (event) => {
          if (!terminal.typing || !terminal.socket) return;
          // Ctrl+] gives the keyboard back to the page (Tab goes to the shell, for completion).
          if (event.ctrlKey && event.key === "]") { document.getElementById("terminal-controls").querySelector("button").focus(); event.preventDefault(); return; }
          let text = null;
          if (event.ctrlKey && !event.altKey && event.key.length === 1 && /[a-z@\[\\^_]/i.test(event.key)) text = String.fromCharCode(event.key.toUpperCase().charCodeAt(0) & 0x1f);
          else if (terminalKeys[event.key]) text = terminalKeys[event.key];
          else if (event.key.length === 1 && !event.ctrlKey && !event.metaKey) text = event.key;
          if (text !== null) { terminalSend(text); event.preventDefault(); }
        });
        document.getElementById("terminal").addEventListener("paste", (event) => {
          if (!terminal.typing) return;
          terminalSend(event.clipboardData.getData("text"));
          event.preventDefault();
        });
        """#
}
