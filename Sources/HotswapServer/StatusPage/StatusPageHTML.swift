/// The status page served at `/`: one self-contained HTML document (no external assets) whose
/// script fetches `/status` every second and shows the slots with versions and shares, live request
/// rate and p99 per slot, the shadow beside the live slots, charts of the last 15 minutes
/// (``StatusPageCharts``), the guard and the rollout, the last change and the last error. Every
/// shown value carries a `data-field` attribute, and the document it was drawn from is kept in
/// `#raw`, so a test can check the page against `/status`. Laid out for phones too: the charts
/// stack and scale, wide tables scroll.
enum StatusPageHTML {
  /// The page.
  static let document = """
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Hotswap status</title>
    <style>
    body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #1d2330; background: #f6f7f9; }
    h1 { font-size: 1.3em; margin: 0 0 .2em; } h2 { font-size: 1.05em; margin: 1.2em 0 .4em; }
    table { border-collapse: collapse; background: #fff; min-width: 36em; }
    table.compact { min-width: 0; } .scroll { overflow-x: auto; max-width: 100%; }
    .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(280px, 1fr)); gap: .8em; max-width: 1300px; }
    .chart { background: #fff; border: 1px solid #d5d9e0; padding: .4em .6em; }
    .chart h3 { font-size: .95em; margin: 0 0 .2em; } .chart svg { width: 100%; height: auto; display: block; }
    .legend { font-size: .9em; } .key { margin-right: 1em; white-space: nowrap; }
    .key i, #events i { display: inline-block; width: .8em; height: .8em; vertical-align: middle; }
    #events { list-style: none; padding: 0; font-size: .9em; } #events li { margin: .15em 0; }
    @media (max-width: 600px) { body { margin: .6em; font-size: 13px; } table { min-width: 0; }
      th, td { padding: .3em .4em; } .bar { max-width: 24px; } }
    th, td { border: 1px solid #d5d9e0; padding: .3em .7em; text-align: left; }
    td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
    .bar { height: .6em; background: #3b82f6; display: inline-block; vertical-align: middle; }
    .ok { color: #15803d; } .bad { color: #b91c1c; font-weight: 600; } .muted { color: #6b7280; }
    pre.error { background: #fef2f2; border: 1px solid #fecaca; padding: .5em; white-space: pre-wrap; }
    </style>
    </head>
    <body>
    <h1>Hotswap <span data-field="server.version"></span> — model <span data-field="server.model_name"></span></h1>
    <div class="muted">generation <span data-field="generation"></span> · updated <span data-field="generated_at"></span>
    · <span id="connection">connecting…</span></div>
    <h2>Slots</h2>
    <div class="scroll"><table><thead><tr><th>slot</th><th>version</th><th>share</th><th>req/s</th><th>p99 ms</th><th>errors</th></tr></thead>
    <tbody id="slots"></tbody></table></div>
    <h2>Shadow</h2><div id="shadow"></div>
    <section id="charts"><h2>Last 15 minutes</h2>
    <div class="charts"><div class="chart" id="chart-rate"></div><div class="chart" id="chart-p99"></div>
    <div class="chart" id="chart-errors"></div><div class="chart" id="chart-agreement"></div></div>
    <ul id="events"></ul></section>
    <h2>Guard</h2><div id="guard"></div>
    <h2>Rollout</h2><div id="rollout"></div>
    <h2>Last change</h2><div data-field="last_change"></div>
    <h2>Last error</h2><div id="last-error"></div>
    <pre id="raw" hidden></pre>
    <script>
    "use strict";
    const fmt = {
      pct: v => (v * 100).toFixed(1) + " %",
      num: (v, d) => v === null || v === undefined ? "–" : Number(v).toFixed(d),
    };
    function el(tag, attrs, text) {
      const e = document.createElement(tag);
      for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
      if (text !== undefined) e.textContent = text;
      return e;
    }
    function field(name, text) {
      for (const e of document.querySelectorAll('[data-field="' + name + '"]')) e.textContent = text;
    }
    \(StatusPageCharts.script)
    function renderSlots(doc) {
      const body = document.getElementById("slots");
      body.replaceChildren();
      for (const s of doc.slots) {
        const row = el("tr", { "data-slot": s.name });
        const p = "slots." + s.name + ".";
        row.append(el("td", { "data-field": p + "name" }, s.name));
        row.append(el("td", { "data-field": p + "version" }, s.version));
        const share = el("td", { class: "n" });
        share.append(el("span", { class: "bar", style: "width:" + Math.round(s.share * 80) + "px" }));
        share.append(" ", el("span", { "data-field": p + "share" }, fmt.pct(s.share)));
        row.append(share);
        const st = s.stats || {};
        row.append(el("td", { class: "n", "data-field": p + "rps" }, fmt.num(st.requests_per_second, 1)));
        row.append(el("td", { class: "n", "data-field": p + "p99_ms" }, fmt.num(st.p99_ms, 2)));
        row.append(el("td", { class: "n", "data-field": p + "error_rate" },
          st.error_rate === undefined ? "–" : fmt.pct(st.error_rate)));
        body.append(row);
      }
    }
    function renderGuard(doc) {
      const box = document.getElementById("guard");
      box.replaceChildren();
      const g = doc.guard;
      if (!g) { box.append(el("span", { class: "muted", "data-field": "guard.state" }, "off")); return; }
      box.append(el("span", { class: g.state === "tripped" ? "bad" : "ok", "data-field": "guard.state" }, g.state));
      const limits = [];
      if (g.max_error_rate !== null) limits.push("error rate ≤ " + fmt.pct(g.max_error_rate));
      if (g.max_p99_ms !== null) limits.push("p99 ≤ " + g.max_p99_ms + " ms");
      if (g.min_agreement !== null) limits.push("shadow agreement ≥ " + fmt.pct(g.min_agreement));
      if (g.max_p99_difference !== null) limits.push("shadow p99 difference ≤ " + g.max_p99_difference);
      box.append(" · " + limits.join(", ") + " · min " + g.min_requests + " requests per " + g.window_seconds + " s");
      box.append(" · stable ", el("b", { "data-field": "guard.stable" }, g.stable || "–"));
      if (!g.observing) box.append(el("div", { class: "bad" }, "requests are not observed (--no-metrics): the guard cannot judge"));
      for (const t of g.trips) {
        box.append(el("div", { class: "bad", "data-field": "guard.trip." + t.slot }, t.slot + " → " + t.stable + ": " + t.reason + " at " + t.time));
      }
    }
    function renderRollout(doc) {
      const box = document.getElementById("rollout");
      box.replaceChildren();
      const r = doc.rollout;
      if (!r) { box.append(el("span", { class: "muted", "data-field": "rollout.state" }, "none")); return; }
      box.append(el("span", { class: r.state === "rolled_back" ? "bad" : "ok", "data-field": "rollout.state" }, r.state));
      box.append(" · " + r.slot + " step ", el("b", { "data-field": "rollout.step" }, String(r.step)));
      box.append(" of " + r.step_count + " at ", el("b", { "data-field": "rollout.percent" }, r.percent + " %"));
      box.append(" (steps " + r.steps.join(", ") + ", every " + r.every_seconds + " s)");
      if (r.seconds_to_next_step !== null) {
        box.append(" · next step in ", el("b", { "data-field": "rollout.seconds_to_next_step" }, fmt.num(r.seconds_to_next_step, 0) + " s"));
      }
    }
    function render(doc) {
      document.getElementById("raw").textContent = JSON.stringify(doc);
      field("server.version", doc.server.version);
      field("server.model_name", doc.server.model_name);
      field("generation", String(doc.generation));
      field("generated_at", doc.generated_at);
      renderSlots(doc);
      renderShadow(doc);
      renderCharts(doc);
      renderGuard(doc);
      renderRollout(doc);
      const c = doc.last_change;
      field("last_change", c ? c.time + " — generation " + c.generation + ": " + c.summary : "none");
      const box = document.getElementById("last-error");
      box.replaceChildren();
      if (doc.last_error) {
        box.append(el("pre", { class: "error", "data-field": "last_error" }, doc.last_error.time + "\\n" + doc.last_error.errors.join("\\n")));
      } else {
        box.append(el("span", { class: "ok", "data-field": "last_error" }, "none"));
      }
    }
    async function refresh() {
      try {
        const response = await fetch("/status", { cache: "no-store" });
        render(await response.json());
        document.getElementById("connection").textContent = "live";
      } catch (error) {
        document.getElementById("connection").textContent = "server unreachable: " + error;
      }
      setTimeout(refresh, 1000);
    }
    refresh();
    </script>
    </body>
    </html>
    """
}
