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
        <main id="overview">
        <section aria-labelledby="runs-title">
        <h2 id="runs-title">Runs</h2>
        <form id="run-filters" aria-label="Filter runs">
        <label>Campaign <select name="campaign"></select></label>
        <label>Task <select name="task"></select></label>
        <label>Model <select name="model"></select></label>
        <label>State <select name="state"></select></label>
        <output id="run-count" aria-live="polite"></output>
        </form>
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
        <main id="run-view" hidden>
        <p><a href="#/">← All sessions and runs</a></p>
        <h2 id="run-title">Run</h2>
        <dl id="run-summary"></dl>
        <figure id="run-chart"></figure>
        <h3>Steps</h3>
        <ol id="run-steps"></ol>
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

        // The overview's filters live in the address (#/?state=finished&task=blotto), so a filtered view can be
        // bookmarked or shared with a colleague who has their own mlgymctl ui.
        let filters = {};
        const filterValue = (run, name) =>
          name === "model" ? (run.method || run.model) : name === "state" ? (run.awaitingInput ? "waiting for you" : run.state) : run[name];

        function renderFilters() {
          for (const select of document.querySelectorAll("#run-filters select")) {
            const values = [...new Set([...runs.values()].map((run) => filterValue(run, select.name)).filter((v) => v))].sort();
            if (filters[select.name] && !values.includes(filters[select.name])) values.push(filters[select.name]);
            select.replaceChildren(new Option("all", ""), ...values.map((value) => new Option(value, value)));
            select.value = filters[select.name] || "";
          }
        }

        function renderRuns() {
          renderFilters();
          const body = document.querySelector("#runs tbody");
          body.replaceChildren();
          let shown = 0;
          for (const run of runs.values()) {
            if (Object.entries(filters).some(([name, value]) => value && filterValue(run, name) !== value)) continue;
            shown += 1;
            const row = body.insertRow();
            row.id = "run-" + run.id;
            row.dataset.state = run.state;
            const link = document.createElement("a");
            link.href = "#/runs/" + encodeURIComponent(run.id);
            link.textContent = run.id.slice(0, 12);
            link.title = "Open run " + run.id;
            row.insertCell().append(link);
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
          document.getElementById("run-count").textContent = shown === runs.size ? "" : shown + " of " + runs.size + " runs";
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

        // One run's page: its summary, its score over the steps against the baseline, and its steps as they commit.
        let shownRun = null;

        const element = (tag, text, className) => {
          const node = document.createElement(tag);
          if (text !== undefined && text !== null) node.textContent = String(text);
          if (className) node.className = className;
          return node;
        };

        function chart(run) {
          const figure = document.getElementById("run-chart");
          figure.replaceChildren();
          const metric = run.metric;
          const points = (run.scores || []).map((scores) => scores[metric]).filter((value) => typeof value === "number");
          const baseline = run.baseline && metric ? run.baseline[metric] : undefined;
          if (points.length === 0) {
            figure.append(element("figcaption", "No evaluation yet" + (baseline !== undefined ? " (baseline " + baseline + ")" : "") + "."));
            return;
          }
          const values = points.concat(baseline !== undefined ? [baseline] : []);
          const low = Math.min(...values), high = Math.max(...values), span = high - low || 1;
          const width = 480, height = 160, pad = 24;
          const x = (index) => pad + (points.length === 1 ? 0 : (index * (width - 2 * pad)) / (points.length - 1));
          const y = (value) => height - pad - ((value - low) / span) * (height - 2 * pad);
          const ns = "http://www.w3.org/2000/svg";
          const svg = document.createElementNS(ns, "svg");
          svg.setAttribute("viewBox", "0 0 " + width + " " + height);
          svg.setAttribute("role", "img");
          svg.setAttribute("aria-label", metric + " of each evaluation: " + points.join(", ") + (baseline !== undefined ? "; baseline " + baseline : ""));
          if (baseline !== undefined) {
            const line = document.createElementNS(ns, "line");
            line.setAttribute("x1", pad); line.setAttribute("x2", width - pad);
            line.setAttribute("y1", y(baseline)); line.setAttribute("y2", y(baseline));
            line.setAttribute("class", "baseline");
            svg.append(line);
          }
          const path = document.createElementNS(ns, "polyline");
          path.setAttribute("points", points.map((value, index) => x(index) + "," + y(value)).join(" "));
          path.setAttribute("class", "scores");
          svg.append(path);
          figure.append(svg, element("figcaption", metric + " (" + run.direction + ") of " + points.length + " evaluation(s), latest " +
            points[points.length - 1] + (baseline !== undefined ? "; dashed: the baseline, " + baseline : "")));
        }

        function renderRun(trajectory) {
          const run = trajectory.run;
          document.getElementById("run-title").textContent = "Run " + run.id;
          const summary = document.getElementById("run-summary");
          summary.replaceChildren();
          const facts = [
            ["Task", run.task], ["Model", run.model], ["Seed", run.seed],
            ["State", run.awaitingInput ? "waiting for you" : run.state], ["Steps", run.steps + "/" + run.maxSteps],
            ["Best", run.bestAttempt], ["Submitted", run.submission], ["Exit status", run.exitStatus],
            ["Tokens in/out", run.tokensSent + "/" + run.tokensReceived], ["Cost", "$" + Number(run.cost || 0).toFixed(4)],
          ];
          for (const [name, value] of facts) summary.append(element("dt", name), element("dd", value === undefined || value === null ? "–" : value));
          chart(run);
          const list = document.getElementById("run-steps");
          list.replaceChildren();
          for (const step of trajectory.steps) {
            const item = element("li");
            item.id = "step-" + step.index;
            if (step.thought) item.append(element("p", step.thought, "thought"));
            item.append(element("pre", step.action, "action"));
            const observation = element("details");
            const lines = step.observation.split("\\n").length;
            observation.open = step.observation.length <= 2000;
            observation.append(element("summary", "Observation (" + lines + " line" + (lines === 1 ? "" : "s") +
              (step.exitCode !== undefined && step.exitCode !== null ? ", exit " + step.exitCode : "") + ")"));
            observation.append(element("pre", step.observation));
            item.append(observation);
            item.append(element("p", "model " + step.modelMs + " ms · execution " + step.executionMs + " ms · tokens " +
              step.inputTokens + "/" + step.outputTokens + " · $" + Number(step.cost || 0).toFixed(4), "meta"));
            list.append(item);
          }
          if (trajectory.steps.length === 0) list.append(element("li", "No step committed yet."));
        }

        async function showRun(id) {
          shownRun = id;
          try {
            const trajectory = await api("runs/" + encodeURIComponent(id) + "/trajectory");
            if (shownRun === id) renderRun(trajectory);
          } catch (error) {
            document.getElementById("run-title").textContent = "Run " + id + ": " + error.message;
          }
        }

        function route() {
          const prefix = "#/runs/";
          const id = location.hash.startsWith(prefix) ? decodeURIComponent(location.hash.slice(prefix.length)) : null;
          if (id === null) {
            filters = Object.fromEntries(new URLSearchParams(location.hash.startsWith("#/?") ? location.hash.slice(3) : ""));
            renderRuns();
          }
          document.getElementById("overview").hidden = id !== null;
          document.getElementById("run-view").hidden = id === null;
          if (id !== null) showRun(id); else shownRun = null;
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
          events.addEventListener("run", (event) => {
            const id = JSON.parse(event.data).id;
            refresh("run", id);
            if (id === shownRun) showRun(id);
          });
          events.addEventListener("session", (event) => {
            const change = JSON.parse(event.data);
            if (change.state === "removed") { sessions.delete(change.id); renderSessions(); } else refresh("session", change.id);
          });
          events.addEventListener("resync", () => loadAll());
          // Reconnected after mlgymd restarted: what changed meanwhile was not told.
          events.addEventListener("open", () => { loadAll().catch(showError); if (shownRun) showRun(shownRun); });
        }

        function showError(error) {
          document.getElementById("daemon").textContent = "cannot read mlgymd: " + error.message;
        }

        window.addEventListener("hashchange", route);
        document.getElementById("run-filters").addEventListener("change", () => {
          const chosen = new URLSearchParams();
          for (const select of document.querySelectorAll("#run-filters select")) if (select.value) chosen.set(select.name, select.value);
          location.hash = "#/" + (chosen.toString() ? "?" + chosen.toString() : "");
        });
        route();
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
        a { color: var(--accent); }
        a:focus-visible, summary:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
        #run-filters { display: flex; flex-wrap: wrap; gap: 0.4rem 1rem; align-items: center; margin-bottom: 0.5rem; }
        #run-filters select { margin-left: 0.3rem; }
        #run-count { color: var(--muted); }
        #run-summary { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; }
        #run-summary dt { color: var(--muted); }
        #run-summary dd { margin: 0; }
        #run-chart svg { width: 100%; max-width: 520px; height: auto; border: 1px solid var(--line); }
        #run-chart .scores { fill: none; stroke: var(--accent); stroke-width: 2; }
        #run-chart .baseline { stroke: var(--muted); stroke-dasharray: 4 4; }
        #run-steps li { margin: 0.8rem 0; padding-bottom: 0.6rem; border-bottom: 1px solid var(--line); }
        #run-steps pre { white-space: pre-wrap; word-break: break-word; margin: 0.3rem 0; }
        #run-steps .action { background: color-mix(in srgb, var(--accent) 10%, transparent); padding: 0.3rem 0.5rem; }
        #run-steps .meta, #run-steps .thought { color: var(--muted); margin: 0.2rem 0; }
        """
}
