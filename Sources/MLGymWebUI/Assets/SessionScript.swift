/// A session's page: its state, owner, task, limits and usage, its snapshots, its events (out-of-memory kills,
/// limits reached, state changes) and its last commands.
enum SessionScript {
    static let text = #"""
        let sessionSampler = null;
        // The last CPU-time sample of the session shown, for the share of a CPU it used since.
        let cpuSample = null;

        function cpuShare(session) {
          const seconds = session.usage && session.usage.cpuSeconds;
          if (typeof seconds !== "number") return "–";
          const now = Date.now();
          let share = "";
          if (cpuSample && cpuSample.id === session.id && now > cpuSample.at && seconds >= cpuSample.seconds) {
            share = " · " + Math.round((100 * (seconds - cpuSample.seconds)) / ((now - cpuSample.at) / 1000)) + "% of a CPU lately";
          }
          cpuSample = { id: session.id, seconds, at: now };
          return seconds.toFixed(1) + " s" + share;
        }

        function renderSession(session) {
          document.getElementById("session-title").textContent = "Session " + session.id + (session.name ? " (" + session.name + ")" : "");
          const spec = session.spec || {};
          const usage = session.usage || {};
          const limits = [
            spec.memory ? "memory " + spec.memory : null, spec.cpus ? spec.cpus + " CPUs" : null,
            spec.pids ? spec.pids + " processes" : null, spec.disk ? "disk " + spec.disk : null,
            spec.wallTime ? duration(spec.wallTime) + " of wall time" : null,
          ].filter((part) => part).join(" · ");
          facts(document.getElementById("session-summary"), [
            ["State", session.state], ["Reason", session.reason], ["Owner", "uid " + session.owner], ["Task", spec.task],
            ["Limits", limits || "mlgymd's defaults"], ["GPUs", spec.gpus || "none"], ["Network", spec.network || "none"],
            ["Memory in use", bytes(usage.memoryBytes)], ["Memory peak", bytes(usage.memoryPeakBytes)],
            ["CPU time", cpuShare(session)], ["Processes", usage.processes], ["Out-of-memory kills", usage.oomKills],
            ["Memory limit reached", usage.memoryLimitHits], ["Process limit reached", usage.processLimitHits],
            ["Attached terminals", session.attachedClients],
            ["Created", when(session.createdAt)], ["Updated", when(session.updatedAt)],
          ]);
          const links = document.getElementById("session-links");
          links.replaceChildren(link("/api/v1/sessions/" + encodeURIComponent(session.id) + "/logs?execs=all", "All logs (JSON)"));
        }

        async function renderSessionLogs(id) {
          const logs = await api("sessions/" + encodeURIComponent(id) + "/logs?execs=20");
          if (shown.view !== "sessions" || shown.param !== id) return;
          const events = [
            ...logs.events.map((event) => ({ time: event.time, text: event.kind + ": " + event.details, kind: event.kind })),
            ...logs.stateChanges.map((change) => ({ time: change.time, text: (change.from || "–") + " → " + change.to + ": " + change.reason, kind: "state" })),
          ].sort((a, b) => (a.time < b.time ? -1 : 1));
          const list = document.getElementById("session-events");
          list.replaceChildren(...events.map((event) => {
            const item = element("li", null, "event " + event.kind);
            item.append(element("time", when(event.time)), " ", element("span", event.text));
            return item;
          }));
          if (events.length === 0) list.append(element("li", "No events."));
          const execs = document.getElementById("session-execs");
          execs.replaceChildren(...logs.execs.map((exec) => {
            const item = element("li");
            item.append(element("pre", exec.command, "action"));
            item.append(element("p", when(exec.startedAt) + " · " + exec.durationMs + " ms · " +
              (exec.timedOut ? "timed out" : "exit " + exec.exitCode), "meta"));
            return item;
          }));
          if (logs.execs.length === 0) execs.append(element("li", "No commands yet."));
        }

        // The view only reads: each snapshot says how to fork or restore it from a shell.
        async function renderSnapshots(id) {
          const list = document.getElementById("session-snapshots");
          let snapshots = [];
          try {
            snapshots = (await api("sessions/" + encodeURIComponent(id) + "/snapshots")).snapshots;
          } catch (error) {
            list.replaceChildren(element("li", "Snapshots cannot be read: " + error.message));
            return;
          }
          if (shown.view !== "sessions" || shown.param !== id) return;
          list.replaceChildren(...snapshots.map((snapshot) => {
            const item = element("li");
            const score = snapshot.score === undefined || snapshot.score === null ? "" : " · score " + snapshot.score;
            item.append(element("strong", snapshot.reference + (snapshot.name ? " (" + snapshot.name + ")" : "")),
              " ", element("span", snapshot.kind + " · taken at " + snapshot.trigger + score + " · " + bytes(snapshot.bytes) +
                " · frozen " + Number(snapshot.frozenMs).toFixed(1) + " ms · " + when(snapshot.createdAt)));
            item.append(element("p", "mlgymctl fork " + snapshot.reference + " · mlgymctl restore " + snapshot.reference, "meta"));
            return item;
          }));
          if (snapshots.length === 0) list.append(element("li", "No snapshots (mlgymctl snapshot " + id + ")."));
        }

        async function loadSession(id) {
          try {
            const session = await api("sessions/" + encodeURIComponent(id));
            if (shown.view !== "sessions" || shown.param !== id) return;
            sessions.set(session.id, session);
            if (me === null) me = (await api("info")).callerUID;
            renderSession(session);
            // Watching is harmless, so the terminal is watched as soon as the page opens.
            if (session.state === "running" && terminal.session !== session.id) openTerminal(session, false);
            renderTerminalControls();
            await Promise.all([renderSessionLogs(id), renderSnapshots(id)]);
          } catch (error) {
            document.getElementById("session-title").textContent = "Session " + id + ": " + error.message;
          }
        }

        views.sessions = {
          show(id) {
            loadSession(id);
            clearInterval(sessionSampler);
            // Memory and process counts are samples of the kernel's counters, which announce no change: they are
            // read again every 5 s while this page is shown (state changes and events still come as events).
            sessionSampler = setInterval(() => {
              if (!document.hidden) api("sessions/" + encodeURIComponent(id)).then((session) => {
                if (shown.view === "sessions" && shown.param === id) renderSession(session);
              }).catch(() => {});
            }, 5000);
          },
          changed(kind, id) { if (kind === "session" && id === shown.param) loadSession(id); },
          hide() { clearInterval(sessionSampler); closeTerminal(); },
        };
        """#
}
