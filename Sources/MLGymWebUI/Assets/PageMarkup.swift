/// The page: one document with a section per view (the overview, a run, a campaign, a session); the address's
/// fragment picks the one shown, so every view can be bookmarked and the browser's back button works.
enum PageMarkup {
    static let text = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>mlgym</title>
        <link rel="stylesheet" href="/style.css">
        </head>
        <body>
        <a class="skip" href="#content">Skip to content</a>
        <header><h1><a href="#/">mlgym</a></h1><p id="daemon" aria-live="polite">connecting…</p></header>
        <main id="content">
        <section class="view" data-view="overview" aria-labelledby="overview-title">
        <h2 id="overview-title" tabindex="-1">Sessions and runs</h2>
        <section aria-labelledby="campaigns-title">
        <h3 id="campaigns-title">Campaigns</h3>
        <table id="campaigns"><thead><tr>
        <th scope="col">Campaign</th><th scope="col">Runs</th><th scope="col">Finished</th><th scope="col">Running</th>
        <th scope="col">Queued</th><th scope="col">Failed or interrupted</th><th scope="col">Spent</th>
        </tr></thead><tbody></tbody></table>
        </section>
        <section aria-labelledby="runs-title">
        <h3 id="runs-title">Runs</h3>
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
        <h3 id="sessions-title">Sessions</h3>
        <table id="sessions"><thead><tr>
        <th scope="col">Session</th><th scope="col">Name</th><th scope="col">State</th><th scope="col">Owner</th>
        <th scope="col">Task</th><th scope="col">Memory</th><th scope="col">Reason</th>
        </tr></thead><tbody></tbody></table>
        </section>
        </section>

        <section class="view" data-view="runs" aria-labelledby="run-title" hidden>
        <p><a href="#/">← All sessions and runs</a></p>
        <h2 id="run-title" tabindex="-1">Run</h2>
        <dl id="run-summary" class="facts"></dl>
        <nav id="run-links" aria-label="Export the run"></nav>
        <figure id="run-chart"></figure>
        <h3>Steps</h3>
        <ol id="run-steps"></ol>
        </section>

        <section class="view" data-view="campaigns" aria-labelledby="campaign-title" hidden>
        <p><a href="#/">← All sessions and runs</a></p>
        <h2 id="campaign-title" tabindex="-1">Campaign</h2>
        <dl id="campaign-summary" class="facts"></dl>
        <h3 id="grid-title">Tasks × models × seeds</h3>
        <p class="legend" id="grid-legend">Each cell is one seed: its state, and once scored, its best score against the
        task's baseline (better, level, worse). Select one to open the run.</p>
        <div class="scroll"><table id="campaign-grid" aria-labelledby="grid-title" aria-describedby="grid-legend"></table></div>
        <h3>Report</h3>
        <p id="campaign-report-state" aria-live="polite"></p>
        <div class="scroll"><table id="campaign-aup"></table></div>
        <div id="campaign-plots"></div>
        </section>

        <section class="view" data-view="sessions" aria-labelledby="session-title" hidden>
        <p><a href="#/">← All sessions and runs</a></p>
        <h2 id="session-title" tabindex="-1">Session</h2>
        <dl id="session-summary" class="facts"></dl>
        <nav id="session-links" aria-label="The session's records"></nav>
        <h3 id="terminal-title">Terminal</h3>
        <p id="terminal-state" aria-live="polite"></p>
        <div id="terminal-controls"></div>
        <pre id="terminal" tabindex="0" aria-labelledby="terminal-title" aria-describedby="terminal-state"></pre>
        <h3>Snapshots</h3>
        <ol id="session-snapshots"></ol>
        <h3>Events</h3>
        <ol id="session-events"></ol>
        <h3>Last commands</h3>
        <ol id="session-execs"></ol>
        </section>
        </main>
        <script src="/app.js"></script>
        </body>
        </html>
        """#
}
