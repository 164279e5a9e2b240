/// The style: system fonts, tabular numbers, light and dark schemes. Every text colour here meets WCAG's 4.5:1
/// against its background (the browser test measures it), and states are told by words as well as colour.
enum PageStyle {
    static let text = #"""
        :root { color-scheme: light dark; --fg: #111; --bg: #fff; --muted: #4a4a4a; --line: #c8c8c8; --accent: #0b4f9c;
          --add-fg: #0a4d23; --add-bg: #dff3e4; --del-fg: #8a1010; --del-bg: #fbe4e4; --panel: #f3f5f8; }
        @media (prefers-color-scheme: dark) { :root { --fg: #eee; --bg: #121212; --muted: #bdbdbd; --line: #444; --accent: #8cc4ff;
          --add-fg: #b9f0c8; --add-bg: #143a22; --del-fg: #ffc9c9; --del-bg: #4a1717; --panel: #1d2128; } }
        body { font: 15px/1.4 system-ui, sans-serif; color: var(--fg); background: var(--bg); margin: 0 1.5rem 2rem; }
        .skip { position: absolute; left: -999px; }
        .skip:focus { left: 1rem; top: 0.5rem; background: var(--bg); padding: 0.3rem 0.6rem; z-index: 1; }
        header { display: flex; align-items: baseline; gap: 1rem; border-bottom: 1px solid var(--line); }
        h1 { font-size: 1.3rem; margin: 0.8rem 0; }
        h1 a { color: inherit; text-decoration: none; }
        h2 { font-size: 1.15rem; margin: 1rem 0 0.5rem; }
        h3 { font-size: 1.02rem; margin: 1.4rem 0 0.5rem; }
        h4 { font-size: 0.95rem; margin: 0 0 0.3rem; }
        #daemon { color: var(--muted); margin: 0; }
        table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
        th, td { text-align: left; padding: 0.3rem 0.6rem; border-bottom: 1px solid var(--line); white-space: nowrap; }
        th { color: var(--muted); font-weight: 600; }
        #runs td:first-child, #sessions td:first-child { font-family: ui-monospace, monospace; }
        .state.running, .state.queued { color: var(--accent); font-weight: 600; }
        .state.failed, .state.lost { color: var(--del-fg); font-weight: 600; }
        .scroll { overflow-x: auto; }
        @media (max-width: 900px) { table { display: block; overflow-x: auto; } }
        a { color: var(--accent); }
        a:focus-visible, summary:focus-visible, select:focus-visible, h2:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
        h2:focus:not(:focus-visible) { outline: none; }
        #run-filters { display: flex; flex-wrap: wrap; gap: 0.4rem 1rem; align-items: center; margin-bottom: 0.5rem; }
        #run-filters select { margin-left: 0.3rem; }
        #run-count { color: var(--muted); }
        .facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; }
        @media (min-width: 1100px) { .facts { grid-template-columns: repeat(3, max-content minmax(10rem, 1fr)); } }
        .facts dt { color: var(--muted); }
        .facts dd { margin: 0; overflow-wrap: anywhere; }
        nav { display: flex; flex-wrap: wrap; gap: 0.4rem 1.2rem; margin: 0.8rem 0; }
        #run-chart svg { width: 100%; max-width: 520px; height: auto; border: 1px solid var(--line); }
        #run-chart .scores { fill: none; stroke: var(--accent); stroke-width: 2; }
        #run-chart circle.scores { fill: var(--accent); }
        #run-chart .baseline { stroke: var(--muted); stroke-dasharray: 4 4; }
        #run-steps li, #session-execs li { margin: 0.8rem 0; padding-bottom: 0.6rem; border-bottom: 1px solid var(--line); }
        #run-steps pre, #session-execs pre { white-space: pre-wrap; word-break: break-word; margin: 0.3rem 0; }
        .action { background: var(--panel); padding: 0.3rem 0.5rem; }
        #run-steps .meta, #run-steps .thought, #session-execs .meta { color: var(--muted); margin: 0.2rem 0; }
        #run-steps li.evaluation { border-left: 4px solid var(--accent); padding-left: 0.7rem; }
        #run-steps .result { background: var(--panel); padding: 0.4rem 0.6rem; font-weight: 600; }
        .diff pre { background: var(--panel); padding: 0.3rem 0; overflow-x: auto; white-space: pre; word-break: normal; }
        .diff span { display: block; padding: 0 0.5rem; }
        .diff .add { color: var(--add-fg); background: var(--add-bg); }
        .diff .del { color: var(--del-fg); background: var(--del-bg); }
        .diff .hunk { color: var(--muted); }
        #campaign-grid td { white-space: normal; }
        .seed { display: inline-block; margin: 0.15rem 0.3rem 0.15rem 0; padding: 0.1rem 0.45rem; border-radius: 3px;
          text-decoration: none; border: 1px solid transparent; color: #1a1a1a; background: #e4e4e4; }
        .seed.state-running { background: #d6e6fb; color: #0b3d7a; }
        .seed.state-finished { background: #e4e4e4; color: #1a1a1a; }
        .seed.state-finished.better { background: #d2efda; color: #0a4d23; }
        .seed.state-finished.worse { background: #fde3c0; color: #5c3400; }
        .seed.state-failed, .seed.state-interrupted { background: #fbdcdc; color: #7a0e0e; border-color: #7a0e0e; }
        .seed:focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
        .legend, #campaign-report-state { color: var(--muted); }
        #campaign-plots { display: flex; flex-wrap: wrap; gap: 1rem; margin-top: 1rem; }
        #campaign-plots img { max-width: min(100%, 600px); height: auto; border: 1px solid var(--line); background: #fff; }
        #session-events { padding-left: 1.2rem; }
        #session-events time { color: var(--muted); }
        #session-events .event.oom, #session-events .event.limit { color: var(--del-fg); }
        meter { vertical-align: middle; width: 10rem; }
        #terminal { background: #101418; color: #e6e6e6; padding: 0.5rem 0.7rem; height: 24em; overflow: auto; margin: 0.5rem 0;
          white-space: pre-wrap; word-break: break-all; font: 13px/1.35 ui-monospace, monospace; }
        #terminal:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
        #terminal-controls { display: flex; gap: 1rem; align-items: center; }
        #terminal-state { color: var(--muted); }
        button { font: inherit; padding: 0.25rem 0.8rem; }
        """#
}
