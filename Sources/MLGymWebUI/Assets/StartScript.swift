/// The start: the address picks the view, and the events stream keeps the run and session maps current and
/// tells the shown view what changed.
enum StartScript {
    static let text = #"""
        async function loadAll() {
          const [info, sessionList, runList] = await Promise.all([api("info"), api("sessions"), api("runs")]);
          me = info.callerUID;
          document.getElementById("daemon").textContent =
            "mlgymd " + info.version + " · uid " + info.callerUID + " · cgroups " + info.cgroups + " · GPUs " + info.gpus;
          sessions.clear();
          for (const session of sessionList.sessions) sessions.set(session.id, session);
          runs.clear();
          for (const run of runList.runs) runs.set(run.id, run);
          views[shown.view].show(shown.param);
        }

        let routed = false;
        function route() {
          const match = /^#\/(runs|campaigns|sessions)\/(.+)$/.exec(location.hash);
          const name = match ? match[1] : "overview";
          const param = match ? decodeURIComponent(match[2]) : location.hash.startsWith("#/?") ? location.hash.slice(3) : null;
          if (views[shown.view].hide) views[shown.view].hide();
          for (const section of document.querySelectorAll("section.view")) section.hidden = section.dataset.view !== name;
          shown = { view: name, param };
          views[name].show(param);
          // Keyboard and screen-reader users start on the new view's heading, not at the top of the document.
          if (routed) document.querySelector("section.view[data-view='" + name + "'] h2").focus();
          routed = true;
        }

        // The read each run or session is waiting for, by "kind:id": an answer is used only if no later event about
        // the same one (a newer read, or its removal) came while it was on its way, so a session read just before
        // its removal cannot come back as a stale row. Holds only reads in flight.
        const reading = new Map();

        async function refresh(kind, id) {
          const table = kind === "run" ? runs : sessions, key = kind + ":" + id, token = {};
          reading.set(key, token);
          let value = null;
          try {
            value = await api((kind === "run" ? "runs/" : "sessions/") + encodeURIComponent(id));
          } catch (error) {
            value = null;  // removed meanwhile (a session's rm)
          }
          if (reading.get(key) !== token) return;
          reading.delete(key);
          if (value) table.set(id, value); else table.delete(id);
          if (views[shown.view].changed) views[shown.view].changed(kind, id);
        }

        function showError(error) {
          document.getElementById("daemon").textContent = "cannot read mlgymd: " + error.message;
        }

        function follow() {
          const events = new EventSource("/api/v1/events");
          events.addEventListener("run", (event) => refresh("run", JSON.parse(event.data).id));
          events.addEventListener("session", (event) => {
            const change = JSON.parse(event.data);
            if (change.state === "removed") {
              reading.delete("session:" + change.id);
              sessions.delete(change.id);
              if (views[shown.view].changed) views[shown.view].changed("session", change.id);
            } else refresh("session", change.id);
          });
          events.addEventListener("resync", () => loadAll().catch(showError));
          // (Re)connected, also after mlgymd restarted: what changed meanwhile was not told.
          events.addEventListener("open", () => loadAll().catch(showError));
          events.addEventListener("error", () => { document.getElementById("daemon").textContent = "reconnecting to mlgymd…"; });
        }

        // The skip link moves the focus without changing the address (which holds the view and its filters).
        document.querySelector(".skip").addEventListener("click", (event) => {
          event.preventDefault();
          document.querySelector("section.view:not([hidden]) h2").focus();
        });
        window.addEventListener("hashchange", route);
        route();
        follow();
        """#
}
