/// A run's page: its summary and export links, its score over the steps against the baseline, and its steps as
/// they commit (an edit's diff folded under the step, validate and submit results set apart).
enum RunScript {
    static let text = #"""
        // The steps already on the page for the run shown: a run only adds steps, so a new one is appended and
        // what a reader opened (a diff, an observation) stays open.
        let runSteps = { id: null, count: 0 };

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
          for (const [index, value] of points.entries()) {
            const dot = document.createElementNS(ns, "circle");
            dot.setAttribute("cx", x(index)); dot.setAttribute("cy", y(value)); dot.setAttribute("r", 3);
            dot.setAttribute("class", "scores");
            svg.append(dot);
          }
          figure.append(svg, element("figcaption", metric + " (" + run.direction + ") of " + points.length + " evaluation(s), latest " +
            points[points.length - 1] + (baseline !== undefined ? "; dashed: the baseline, " + baseline : "")));
        }

        function renderRunSummary(run) {
          document.getElementById("run-title").textContent = "Run " + run.id;
          const campaign = run.campaign ? link("#/campaigns/" + encodeURIComponent(run.campaign), run.campaign) : null;
          const session = run.session ? link("#/sessions/" + encodeURIComponent(run.session), run.session) : null;
          facts(document.getElementById("run-summary"), [
            ["Task", run.task], ["Model", run.model], ["Method", run.method], ["Seed", run.seed], ["Campaign", campaign],
            ["State", runState(run)], ["Steps", run.steps + "/" + run.maxSteps],
            ["Best attempt", run.bestAttempt], ["Submission", run.submission],
            ["Baseline", run.baseline && run.metric ? run.baseline[run.metric] : null],
            ["Exit status", run.exitStatus], ["Message", run.message],
            ["Tokens sent/received", run.tokensSent + " / " + run.tokensReceived], ["Model calls", run.apiCalls],
            ["Cost", dollars(run.cost)], ["Session", session], ["Started", when(run.startedAt)], ["Ended", when(run.endedAt)],
          ]);
          const links = document.getElementById("run-links");
          const base = "/ui/runs/" + encodeURIComponent(run.id) + "/";
          links.replaceChildren(
            link(base + encodeURIComponent(run.id) + ".traj", "Download .traj", "MLGym's trajectory file of this run"),
            link(base + "results.json", "results.json", "MLGym's results file of this run"),
            link(base + "mlgym-layout.tar", "MLGym folder (.tar)", "The run's folder as MLGym's outputs lay it out"),
            link("/api/v1/runs/" + encodeURIComponent(run.id) + "/trajectory", "Trajectory (JSON)"));
          if (run.session) links.append(link("/api/v1/sessions/" + encodeURIComponent(run.session) + "/logs", "Session logs (JSON)"));
          for (const anchor of links.querySelectorAll("a[href^='/ui/']")) anchor.setAttribute("download", "");
          chart(run);
        }

        // A unified diff, one line per row, marked for the eye (colour) and for a screen reader (the sign stays).
        function diffBlock(step) {
          const lines = step.edit.replace(/\n$/, "").split("\n");
          const file = (lines[1] || "").replace(/^\+\+\+ b/, "");
          const added = lines.filter((line) => line.startsWith("+") && !line.startsWith("+++")).length;
          const removed = lines.filter((line) => line.startsWith("-") && !line.startsWith("---")).length;
          const details = element("details", null, "diff");
          details.append(element("summary", "Diff of " + file + " (+" + added + " −" + removed + ")"));
          const pre = element("pre");
          for (const line of lines.slice(2)) {
            const kind = line.startsWith("@@") ? "hunk" : line.startsWith("+") ? "add" : line.startsWith("-") ? "del" : "ctx";
            pre.append(element("span", line + "\n", kind));
          }
          details.append(pre);
          return details;
        }

        const evaluationKind = (action) => /^\s*(validate|submit)\b/.exec(action);

        function stepItem(step) {
          const item = element("li");
          item.id = "step-" + step.index;
          const evaluation = evaluationKind(step.action);
          if (evaluation) item.className = "evaluation " + evaluation[1];
          item.append(element("h4", "Step " + step.index + (evaluation ? " · " + evaluation[1] : "")));
          if (step.thought) item.append(element("p", step.thought, "thought"));
          item.append(element("pre", step.action, "action"));
          if (step.edit) item.append(diffBlock(step));
          const lines = step.observation.split("\n").length;
          if (evaluation) {
            // A score is what the reader came for: shown whole, not folded.
            const result = element("pre", step.observation, "result");
            result.setAttribute("aria-label", evaluation[1] + " result");
            item.append(result);
          } else {
            const observation = element("details", null, "observation");
            observation.open = step.observation.length <= 2000;
            observation.append(element("summary", "Observation (" + lines + " line" + (lines === 1 ? "" : "s") +
              (step.exitCode !== undefined && step.exitCode !== null ? ", exit " + step.exitCode : "") + ")"));
            observation.append(element("pre", step.observation));
            item.append(observation);
          }
          item.append(element("p", "model " + step.modelMs + " ms · execution " + step.executionMs + " ms · tokens " +
            step.inputTokens + "/" + step.outputTokens + " · " + dollars(step.cost), "meta"));
          return item;
        }

        function renderSteps(trajectory) {
          const list = document.getElementById("run-steps");
          const steps = trajectory.steps;
          if (runSteps.id !== trajectory.run.id || steps.length < runSteps.count) {
            list.replaceChildren();
            runSteps.id = trajectory.run.id;
            runSteps.count = 0;
          }
          if (steps.length > 0 && runSteps.count === 0) list.replaceChildren();
          for (const step of steps.slice(runSteps.count)) list.append(stepItem(step));
          runSteps.count = steps.length;
          if (steps.length === 0) list.replaceChildren(element("li", "No step committed yet."));
        }

        async function loadRun(id) {
          try {
            const trajectory = await api("runs/" + encodeURIComponent(id) + "/trajectory");
            if (shown.view !== "runs" || shown.param !== id) return;
            renderRunSummary(trajectory.run);
            renderSteps(trajectory);
          } catch (error) {
            document.getElementById("run-title").textContent = "Run " + id + ": " + error.message;
          }
        }

        views.runs = {
          // Shown again (the address, or a reconnect's reload): steps already on the page stay, with what was opened.
          show(id) { loadRun(id); },
          // Tokens spent or a state change: the summary from the run just read. A new step: the trajectory again.
          changed(kind, id) {
            if (kind !== "run" || id !== shown.param) return;
            const run = runs.get(id);
            if (run && runSteps.id === id && run.steps === runSteps.count) renderRunSummary(run); else loadRun(id);
          },
        };
        """#
}
