/// A campaign's page: the tasks × models × seeds grid coloured by state and score, the budget spent against its
/// limit, the time its running runs have left, and the report (AUP table, performance profiles, cost front) that
/// `mlgymctl ui` computes from the finished runs, redrawn when one more finishes.
enum CampaignScript {
    static let text = #"""
        // The finished runs the report on the page was made from; a new one fetches the report again.
        let campaignReport = { name: null, finished: "" };
        let campaignClock = null;

        const campaignRuns = (name) => [...runs.values()].filter((run) => run.campaign === name);

        // One run per task, method and seed: the latest (a campaign run again after a failure adds one).
        function latestRuns(members) {
          const kept = new Map();
          for (const run of members) {
            const key = run.task + "\u0000" + run.method + "\u0000" + run.seed;
            const other = kept.get(key);
            if (!other || other.createdAt < run.createdAt) kept.set(key, run);
          }
          return [...kept.values()];
        }

        // Seconds the longest-running of `members` has left under its time limit; null when none has a limit.
        function timeLeft(members) {
          let left = null;
          for (const run of members) {
            const limit = run.settings && run.settings.timeLimit;
            if (run.state !== "running" || !limit || !run.startedAt) continue;
            const remaining = limit - (Date.now() - new Date(run.startedAt).getTime()) / 1000;
            left = left === null ? remaining : Math.max(left, remaining);
          }
          return left;
        }

        function renderCampaignSummary(name, members) {
          const count = (state) => members.filter((run) => run.state === state).length;
          const spent = members.reduce((sum, run) => sum + (run.cost || 0), 0);
          const limit = Math.max(0, ...members.map((run) => (run.settings && run.settings.campaignCostLimit) || 0));
          const budget = element("span", dollars(spent) + (limit > 0 ? " of " + dollars(limit) : " (no limit)"));
          if (limit > 0) {
            const meter = element("meter");
            meter.min = 0; meter.max = limit; meter.value = Math.min(spent, limit); meter.high = limit * 0.9;
            meter.setAttribute("aria-label", "Budget spent");
            budget.append(" ", meter);
          }
          const left = timeLeft(members);
          facts(document.getElementById("campaign-summary"), [
            ["Runs", members.length], ["Finished", count("finished")], ["Running", count("running")], ["Queued", count("queued")],
            ["Failed or interrupted", count("failed") + count("interrupted")], ["Budget spent", budget],
            ["Time left", left === null ? (count("running") > 0 ? "no time limit" : "no run in flight") : duration(left) + " (longest running run)"],
          ]);
          clearInterval(campaignClock);
          // The countdown moves on the page's clock; it reads nothing from mlgymd.
          if (left !== null) campaignClock = setInterval(() => { if (shown.view === "campaigns") renderCampaignSummary(name, campaignRuns(name)); }, 1000);
        }

        function seedCell(run) {
          const metric = run.metric;
          const baseline = run.baseline && metric ? run.baseline[metric] : undefined;
          let standing = "";
          if (typeof run.bestAttempt === "number" && baseline !== undefined) {
            standing = beats(run.bestAttempt, baseline, run.direction) ? "better" : beats(baseline, run.bestAttempt, run.direction) ? "worse" : "level";
          }
          const text = "seed " + run.seed + (typeof run.bestAttempt === "number" ? ": " + run.bestAttempt : "");
          const anchor = link("#/runs/" + encodeURIComponent(run.id), text);
          anchor.className = "seed state-" + run.state + (standing ? " " + standing : "");
          anchor.setAttribute("aria-label", run.task + ", " + run.method + ", seed " + run.seed + ": " + runState(run) +
            (typeof run.bestAttempt === "number" ? ", best " + run.bestAttempt + (baseline !== undefined ? " (" + (standing === "level" ? "level with" : standing + " than") + " the baseline " + baseline + ")" : "") : ""));
          anchor.title = anchor.getAttribute("aria-label");
          return anchor;
        }

        function renderGrid(members) {
          const grid = document.getElementById("campaign-grid");
          grid.replaceChildren();
          const latest = latestRuns(members);
          const tasks = [...new Set(latest.map((run) => run.task))].sort();
          const methods = [...new Set(latest.map((run) => run.method))].sort();
          if (latest.length === 0) { grid.append(element("caption", "No runs in this campaign yet.")); return; }
          const head = grid.createTHead().insertRow();
          head.append(element("th", "Task"));
          for (const method of methods) { const th = element("th", method); th.scope = "col"; head.append(th); }
          const body = grid.createTBody();
          for (const task of tasks) {
            const row = body.insertRow();
            const th = element("th", task); th.scope = "row"; row.append(th);
            for (const method of methods) {
              const td = row.insertCell();
              const here = latest.filter((run) => run.task === task && run.method === method).sort((a, b) => a.seed - b.seed);
              for (const run of here) td.append(seedCell(run));
              if (here.length === 0) td.textContent = "–";
            }
          }
        }

        async function loadCampaignReport(name, finished) {
          const state = document.getElementById("campaign-report-state");
          const table = document.getElementById("campaign-aup");
          const plots = document.getElementById("campaign-plots");
          try {
            const answer = await derived("campaigns/" + encodeURIComponent(name) + "/report.json");
            if (shown.view !== "campaigns" || shown.param !== name) return;
            table.replaceChildren();
            plots.replaceChildren();
            const report = answer.report;
            if (!report) { state.textContent = "No report yet: " + answer.problem + "."; return; }
            state.textContent = "From " + answer.finishedRuns + " finished run(s); max log10 τ " + report.max_tau + ".";
            const head = table.createTHead().insertRow();
            for (const title of ["Method", "AUP, best attempt", "AUP, best submission", "$ per run", "Runs", "On the cost front"]) {
              const th = element("th", title); th.scope = "col"; head.append(th);
            }
            const body = table.createTBody();
            const front = new Set([...(report.pareto_front_best_attempt || []), ...(report.pareto_front_best_submission || [])]);
            for (const method of report.methods) {
              const row = body.insertRow();
              const th = element("th", method.method); th.scope = "row"; row.append(th);
              cell(row, method.aup_best_attempt);
              cell(row, method.aup_best_submission);
              cell(row, method.dollars_per_run === undefined || method.dollars_per_run === null ? "–" : dollars(method.dollars_per_run));
              cell(row, method.runs);
              cell(row, front.has(method.method) ? "yes" : "");
            }
            const base = "/ui/campaigns/" + encodeURIComponent(name) + "/";
            for (const [file, alt] of [["profile-best_attempt.svg", "Performance profiles, best attempt"],
                                       ["profile-best_submission.svg", "Performance profiles, best submission"],
                                       ["cost.svg", "AUP against dollars per run"]]) {
              const image = element("img");
              image.src = base + file + "?runs=" + encodeURIComponent(finished.length);
              image.alt = alt + " of the methods in the table above";
              plots.append(image);
            }
          } catch (error) {
            state.textContent = "No report: " + error.message;
          }
        }

        function renderCampaign(name) {
          document.getElementById("campaign-title").textContent = "Campaign " + name;
          const members = campaignRuns(name);
          renderCampaignSummary(name, members);
          renderGrid(members);
          const finished = latestRuns(members).filter((run) => run.state === "finished").map((run) => run.id).sort().join(",");
          if (campaignReport.name !== name || campaignReport.finished !== finished) {
            campaignReport = { name, finished };
            loadCampaignReport(name, finished.split(",").filter((id) => id));
          }
        }

        views.campaigns = {
          show(name) { campaignReport = { name: null, finished: "" }; renderCampaign(name); },
          changed(kind) { if (kind === "run") renderCampaign(shown.param); },
          hide() { clearInterval(campaignClock); },
        };
        """#
}
