/// The overview: campaigns, runs (filtered from the address) and sessions, each row a link to its page.
enum OverviewScript {
    static let text = #"""
        // The runs table's filters live in the address (#/?state=finished&task=blotto), so a filtered view can be
        // bookmarked or shared with a colleague who has their own mlgymctl ui.
        let filters = {};
        const filterValue = (run, name) => name === "model" ? (run.method || run.model) : name === "state" ? runState(run) : run[name];

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
          let count = 0;
          for (const run of runs.values()) {
            if (Object.entries(filters).some(([name, value]) => value && filterValue(run, name) !== value)) continue;
            count += 1;
            const row = body.insertRow();
            row.id = "run-" + run.id;
            row.dataset.state = run.state;
            row.insertCell().append(link("#/runs/" + encodeURIComponent(run.id), run.id.slice(0, 12), "Open run " + run.id));
            cell(row, run.task);
            cell(row, run.method || run.model, run.model);
            cell(row, run.seed);
            cell(row, runState(run)).className = "state " + run.state;
            cell(row, run.steps + "/" + run.maxSteps);
            cell(row, run.bestAttempt, run.metric ? run.metric + " (" + run.direction + ")" : "");
            cell(row, dollars(run.cost));
            cell(row, run.exitStatus, run.message || "");
          }
          if (runs.size === 0) cell(body.insertRow(), "No runs yet.").colSpan = 9;
          document.getElementById("run-count").textContent = count === runs.size ? "" : count + " of " + runs.size + " runs";
        }

        function renderCampaigns() {
          const byName = new Map();
          for (const run of runs.values()) {
            if (!run.campaign) continue;
            if (!byName.has(run.campaign)) byName.set(run.campaign, []);
            byName.get(run.campaign).push(run);
          }
          const body = document.querySelector("#campaigns tbody");
          body.replaceChildren();
          for (const name of [...byName.keys()].sort()) {
            const members = byName.get(name);
            const count = (test) => members.filter(test).length;
            const row = body.insertRow();
            row.insertCell().append(link("#/campaigns/" + encodeURIComponent(name), name, "Open campaign " + name));
            cell(row, members.length);
            cell(row, count((run) => run.state === "finished"));
            cell(row, count((run) => run.state === "running"));
            cell(row, count((run) => run.state === "queued"));
            cell(row, count((run) => run.state === "failed" || run.state === "interrupted"));
            cell(row, dollars(members.reduce((sum, run) => sum + (run.cost || 0), 0)));
          }
          if (byName.size === 0) cell(body.insertRow(), "No campaigns yet.").colSpan = 7;
        }

        function renderSessions() {
          const body = document.querySelector("#sessions tbody");
          body.replaceChildren();
          for (const session of sessions.values()) {
            const row = body.insertRow();
            row.id = "session-" + session.id;
            row.dataset.state = session.state;
            row.insertCell().append(link("#/sessions/" + encodeURIComponent(session.id), session.id, "Open session " + session.id));
            cell(row, session.name);
            cell(row, session.state).className = "state " + session.state;
            cell(row, "uid " + session.owner);
            cell(row, session.spec && session.spec.task);
            cell(row, session.usage ? bytes(session.usage.memoryBytes) : "–");
            cell(row, session.reason);
          }
          if (sessions.size === 0) cell(body.insertRow(), "No sessions.").colSpan = 7;
        }

        views.overview = {
          show(query) {
            filters = Object.fromEntries(new URLSearchParams(query || ""));
            renderCampaigns();
            renderRuns();
            renderSessions();
          },
          changed(kind) {
            if (kind === "run") { renderCampaigns(); renderRuns(); } else renderSessions();
          },
        };

        document.getElementById("run-filters").addEventListener("change", () => {
          const chosen = new URLSearchParams();
          for (const select of document.querySelectorAll("#run-filters select")) if (select.value) chosen.set(select.name, select.value);
          location.hash = "#/" + (chosen.toString() ? "?" + chosen.toString() : "");
        });
        """#
}
