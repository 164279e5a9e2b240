/// The view's page, script and style, built into the binary: no second server, no Node at run time, and no
/// library (the page is small enough that plain DOM code reads better than a framework).
enum WebUIAssets {
    enum Asset: Equatable {
        case page, script, style

        init?(path: String) {
            switch path {
            case "/", "/index.html": self = .page
            case "/app.js": self = .script
            case "/style.css": self = .style
            default: return nil
            }
        }

        var contentType: String {
            switch self {
            case .page: "text/html; charset=utf-8"
            case .script: "text/javascript; charset=utf-8"
            case .style: "text/css; charset=utf-8"
            }
        }

        var body: String {
            switch self {
            case .page: WebUIAssets.page
            case .script: WebUIAssets.script
            case .style: WebUIAssets.style
            }
        }
    }

    static let page = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>mlgym</title>
        <link rel="stylesheet" href="/style.css">
        </head>
        <body>
        <header><h1>mlgym</h1><p id="daemon" aria-live="polite">connecting…</p></header>
        <main>
        <section aria-labelledby="runs-title">
        <h2 id="runs-title">Runs</h2>
        <table id="runs"><thead><tr>
        <th scope="col">Run</th><th scope="col">Task</th><th scope="col">Model</th><th scope="col">Seed</th>
        <th scope="col">State</th><th scope="col">Step</th><th scope="col">Best</th><th scope="col">Cost</th><th scope="col">Exit status</th>
        </tr></thead><tbody></tbody></table>
        </section>
        <section aria-labelledby="sessions-title">
        <h2 id="sessions-title">Sessions</h2>
        <table id="sessions"><thead><tr>
        <th scope="col">Session</th><th scope="col">Name</th><th scope="col">State</th><th scope="col">Owner</th>
        <th scope="col">Task</th><th scope="col">Memory</th><th scope="col">Reason</th>
        </tr></thead><tbody></tbody></table>
        </section>
        </main>
        <script src="/app.js"></script>
        </body>
        </html>
        """

    static let script = """
        "use strict";
        // The view of mlgymd: sessions and runs as they change. It reads GET /api/v1/… (forwarded to mlgymd as the
        // user who ran `mlgymctl ui`) and follows /api/v1/events; it never polls.
        const api = (path) => fetch("/api/v1/" + path, { credentials: "same-origin" }).then((answer) => {
          if (!answer.ok) throw new Error(path + ": HTTP " + answer.status);
          return answer.json();
        });

        const cell = (row, text, title) => {
          const td = row.insertCell();
          td.textContent = text === undefined || text === null ? "–" : String(text);
          if (title) td.title = title;
          return td;
        };

        const bytes = (value) => {
          if (value === undefined || value === null) return "–";
          const units = ["B", "KiB", "MiB", "GiB", "TiB"];
          let unit = 0;
          while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
          return value.toFixed(unit === 0 ? 0 : 1) + " " + units[unit];
        };

        const runs = new Map();
        const sessions = new Map();

        function renderRuns() {
          const body = document.querySelector("#runs tbody");
          body.replaceChildren();
          for (const run of runs.values()) {
            const row = body.insertRow();
            row.id = "run-" + run.id;
            row.dataset.state = run.state;
            cell(row, run.id.slice(0, 12), run.id);
            cell(row, run.task);
            cell(row, run.method || run.model, run.model);
            cell(row, run.seed);
            cell(row, run.awaitingInput ? "waiting for you" : run.state).className = "state " + run.state;
            cell(row, run.steps + "/" + run.maxSteps);
            cell(row, run.bestAttempt, run.metric ? run.metric + " (" + run.direction + ")" : "");
            cell(row, "$" + Number(run.cost || 0).toFixed(4));
            cell(row, run.exitStatus, run.message || "");
          }
          if (runs.size === 0) cell(body.insertRow(), "No runs yet.").colSpan = 9;
        }

        function renderSessions() {
          const body = document.querySelector("#sessions tbody");
          body.replaceChildren();
          for (const session of sessions.values()) {
            const row = body.insertRow();
            row.id = "session-" + session.id;
            row.dataset.state = session.state;
            cell(row, session.id, session.id);
            cell(row, session.name);
            cell(row, session.state).className = "state " + session.state;
            cell(row, "uid " + session.owner);
            cell(row, session.spec && session.spec.task);
            cell(row, session.usage ? bytes(session.usage.memoryBytes) : "–");
            cell(row, session.reason);
          }
          if (sessions.size === 0) cell(body.insertRow(), "No sessions.").colSpan = 7;
        }

        async function loadAll() {
          const [info, sessionList, runList] = await Promise.all([api("info"), api("sessions"), api("runs")]);
          document.getElementById("daemon").textContent =
            "mlgymd " + info.version + " · uid " + info.callerUID + " · cgroups " + info.cgroups + " · GPUs " + info.gpus;
          sessions.clear();
          for (const session of sessionList.sessions) sessions.set(session.id, session);
          runs.clear();
          for (const run of runList.runs) runs.set(run.id, run);
          renderSessions();
          renderRuns();
        }

        async function refresh(kind, id) {
          try {
            if (kind === "run") {
              runs.set(id, await api("runs/" + encodeURIComponent(id)));
              renderRuns();
            } else {
              sessions.set(id, await api("sessions/" + encodeURIComponent(id)));
              renderSessions();
            }
          } catch (error) {
            // Removed meanwhile (a session's rm): it leaves the table.
            (kind === "run" ? runs : sessions).delete(id);
            kind === "run" ? renderRuns() : renderSessions();
          }
        }

        function follow() {
          const events = new EventSource("/api/v1/events");
          events.addEventListener("run", (event) => refresh("run", JSON.parse(event.data).id));
          events.addEventListener("session", (event) => {
            const change = JSON.parse(event.data);
            if (change.state === "removed") { sessions.delete(change.id); renderSessions(); } else refresh("session", change.id);
          });
          events.addEventListener("resync", () => loadAll());
          // Reconnected after mlgymd restarted: what changed meanwhile was not told.
          events.addEventListener("open", () => loadAll().catch(showError));
        }

        function showError(error) {
          document.getElementById("daemon").textContent = "cannot read mlgymd: " + error.message;
        }

        follow();
        """

    static let style = """
        :root { color-scheme: light dark; --fg: #111; --bg: #fff; --muted: #4a4a4a; --line: #c8c8c8; --accent: #0b4f9c; }
        @media (prefers-color-scheme: dark) { :root { --fg: #eee; --bg: #121212; --muted: #bdbdbd; --line: #444; --accent: #8cc4ff; } }
        body { font: 15px/1.4 system-ui, sans-serif; color: var(--fg); background: var(--bg); margin: 0 1.5rem 2rem; }
        header { display: flex; align-items: baseline; gap: 1rem; border-bottom: 1px solid var(--line); }
        h1 { font-size: 1.3rem; margin: 0.8rem 0; }
        h2 { font-size: 1.05rem; margin: 1.4rem 0 0.5rem; }
        #daemon { color: var(--muted); margin: 0; }
        table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
        th, td { text-align: left; padding: 0.3rem 0.6rem; border-bottom: 1px solid var(--line); white-space: nowrap; }
        th { color: var(--muted); font-weight: 600; }
        td:first-child { font-family: ui-monospace, monospace; }
        .state.running, .state.queued { color: var(--accent); font-weight: 600; }
        .state.failed, .state.lost { color: #b00020; font-weight: 600; }
        @media (max-width: 900px) { table { display: block; overflow-x: auto; } }
        """
}
