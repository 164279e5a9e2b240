/// What every view uses: reading mlgymd through the view (`/api/v1/…`) and the pages `mlgymctl ui` makes
/// (`/ui/…`), building elements (always as text: every string here may come from an agent), and formats.
enum CoreScript {
    static let text = #"""
        "use strict";
        // mlgym's web view. It reads GET /api/v1/… (forwarded to mlgymd as the user who ran `mlgymctl ui`) and
        // follows /api/v1/events; tables change when an event says so, never on a timer.
        const read = (path) => fetch(path, { credentials: "same-origin" }).then((answer) => {
          if (!answer.ok) return answer.text().then((text) => { throw new Error(path + ": " + (text.trim() || "HTTP " + answer.status)); });
          return answer.json();
        });
        const api = (path) => read("/api/v1/" + path);
        const derived = (path) => read("/ui/" + path);

        const runs = new Map();
        const sessions = new Map();
        // The uid mlgymd sees for this view (the person who ran `mlgymctl ui`).
        let me = null;

        const element = (tag, text, className) => {
          const node = document.createElement(tag);
          if (text !== undefined && text !== null) node.textContent = String(text);
          if (className) node.className = className;
          return node;
        };

        const link = (href, text, title) => {
          const anchor = element("a", text);
          anchor.href = href;
          if (title) anchor.title = title;
          return anchor;
        };

        const cell = (row, text, title) => {
          const td = row.insertCell();
          td.textContent = text === undefined || text === null ? "–" : String(text);
          if (title) td.title = title;
          return td;
        };

        const facts = (list, pairs) => {
          list.replaceChildren();
          for (const [name, value] of pairs) {
            const dd = element("dd");
            if (value instanceof Node) dd.append(value);
            else dd.textContent = value === undefined || value === null || value === "" ? "–" : String(value);
            list.append(element("dt", name), dd);
          }
        };

        const bytes = (value) => {
          if (value === undefined || value === null) return "–";
          const units = ["B", "KiB", "MiB", "GiB", "TiB"];
          let unit = 0;
          while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
          return value.toFixed(unit === 0 ? 0 : 1) + " " + units[unit];
        };

        const dollars = (value) => "$" + Number(value || 0).toFixed(4);

        const duration = (seconds) => {
          seconds = Math.max(0, Math.round(seconds));
          const h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
          return h > 0 ? h + " h " + String(m).padStart(2, "0") + " min" : m > 0 ? m + " min " + String(s).padStart(2, "0") + " s" : s + " s";
        };

        const when = (iso) => iso ? new Date(iso).toLocaleString() : "–";

        // What the runs table and the campaign grid call a run's state: a person's run waits for them.
        const runState = (run) => run.awaitingInput ? "waiting for you" : run.state;

        // Whether `value` beats `baseline` for a metric whose direction is "max" or "min".
        const beats = (value, baseline, direction) => direction === "min" ? value < baseline : value > baseline;

        // The views (filled in by each page's script): show(param) when the address picks it, changed(kind, id)
        // when an event says a run or session changed while it is shown.
        const views = {};
        let shown = { view: "overview", param: null };
        """#
}
