/// The status page's charts and shadow panel, as a script the page includes: self-contained SVG
/// drawn from the `history` and `shadow` blocks of `/status` — request rate, p99 and error rate
/// per slot and the shadow's agreement over the last 15 minutes, with plan changes, guard trips
/// and rollout steps marked on the time axis. Each chart's latest value per series is shown in an
/// element with a `data-field` (`chart.<chart>.<series>`), so a test can compare it with `/status`.
enum StatusPageCharts {
  /// The script (no backslashes: it sits in a Swift string).
  static let script = """
    const palette = ["#2563eb", "#16a34a", "#ea580c", "#9333ea", "#0891b2", "#be185d", "#4d7c0f", "#a16207"];
    const eventColors = { plan: "#6b7280", guard: "#dc2626", rollout: "#2563eb" };
    const SVG = "http://www.w3.org/2000/svg";
    function svgEl(tag, attrs, text) {
      const e = document.createElementNS(SVG, tag);
      for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
      if (text !== undefined) e.textContent = text;
      return e;
    }
    function lastValue(values) {
      for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null && values[i] !== undefined) return values[i];
      return null;
    }
    function niceMax(value) {
      if (!(value > 0)) return 1;
      const power = Math.pow(10, Math.floor(Math.log10(value)));
      for (const step of [1, 2, 2.5, 5, 10]) if (value <= step * power) return step * power;
      return 10 * power;
    }
    function drawChart(id, title, series, history, format, axis, fixedMax) {
      const box = document.getElementById("chart-" + id);
      box.replaceChildren();
      box.append(el("h3", {}, title));
      const W = 440, H = 190, L = 50, R = 10, T = 10, B = 24;
      const svg = svgEl("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": title, "data-chart": id });
      const ends = history.ends.map(Date.parse);
      const last = ends.length ? ends[ends.length - 1] : Date.now();
      const span = history.interval_seconds * history.capacity * 1000;
      const x = t => L + (W - L - R) * (1 - (last - t) / span);
      let top = 0;
      for (const s of series) for (const v of s.values) if (v !== null && v > top) top = v;
      const max = fixedMax || niceMax(top);
      const y = v => T + (H - T - B) * (1 - Math.min(v, max) / max);
      for (const fraction of [0, 0.5, 1]) {
        const gy = y(max * fraction);
        svg.append(svgEl("line", { x1: L, x2: W - R, y1: gy, y2: gy, stroke: "#e5e7eb" }));
        svg.append(svgEl("text", { x: L - 4, y: gy + 4, "text-anchor": "end", "font-size": 13, fill: "#6b7280" }, axis(max * fraction)));
      }
      for (const minutes of [15, 10, 5, 0]) {
        const gx = x(last - minutes * 60000);
        svg.append(svgEl("text", { x: gx, y: H - 6, "text-anchor": minutes === 15 ? "start" : minutes === 0 ? "end" : "middle", "font-size": 13, fill: "#6b7280" }, minutes ? "-" + minutes + " min" : "now"));
      }
      for (const event of history.events) {
        const t = Date.parse(event.time);
        if (t < last - span || t > last + history.interval_seconds * 1000) continue;
        const ex = Math.min(x(t), W - R);
        const mark = svgEl("g", { "data-event": event.kind });
        mark.append(svgEl("line", { x1: ex, x2: ex, y1: T, y2: H - B, stroke: eventColors[event.kind] || "#6b7280", "stroke-dasharray": "3 3" }));
        mark.append(svgEl("circle", { cx: ex, cy: T + 3, r: 3, fill: eventColors[event.kind] || "#6b7280" }));
        mark.append(svgEl("title", {}, event.time + " " + event.label));
        svg.append(mark);
      }
      const legend = el("div", { class: "legend" });
      for (const s of series) {
        let path = "";
        let pen = false;
        s.values.forEach((v, i) => {
          if (v === null || v === undefined) { pen = false; return; }
          path += (pen ? " L " : " M ") + x(ends[i]).toFixed(1) + " " + y(v).toFixed(1);
          pen = true;
        });
        const latest = lastValue(s.values);
        const shown = latest === null ? "–" : format(latest);
        svg.append(svgEl("path", { d: path.trim() || "M 0 0", fill: "none", stroke: s.color, "stroke-width": 2, "data-series": s.name, "data-latest": shown }));
        for (let i = s.values.length - 1; i >= 0; i--) {
          if (s.values[i] === null || s.values[i] === undefined) continue;
          svg.append(svgEl("circle", { cx: x(ends[i]).toFixed(1), cy: y(s.values[i]).toFixed(1), r: 3, fill: s.color }));
          break;
        }
        const item = el("span", { class: "key" });
        item.append(el("i", { style: "background:" + s.color }), " " + s.name + " ");
        item.append(el("b", { "data-field": "chart." + id + "." + s.name }, shown));
        legend.append(item);
      }
      box.append(svg, legend);
    }
    function renderCharts(doc) {
      const h = doc.history;
      const box = document.getElementById("charts");
      if (!h) { box.hidden = true; return; }
      box.hidden = false;
      const colors = {};
      h.slots.forEach((s, i) => colors[s.name] = palette[i % palette.length]);
      const series = key => h.slots.map(s => ({ name: s.name, color: colors[s.name], values: s[key] }));
      // Axis labels are short (the left margin holds about six characters); the legends exact.
      const axisNumber = v => v >= 100 ? v.toFixed(0) : String(Number(v.toPrecision(3)));
      const axisPercent = v => String(Number((v * 100).toPrecision(3))) + "%";
      drawChart("rate", "Requests per second", series("requests_per_second"), h, v => v.toFixed(1), axisNumber);
      drawChart("p99", "p99 latency (ms)", series("p99_ms"), h, v => v.toFixed(2), axisNumber);
      drawChart("errors", "Error rate", series("error_rate"), h, v => (v * 100).toFixed(1) + " %", axisPercent);
      const agreement = document.getElementById("chart-agreement");
      if (h.shadow) {
        agreement.hidden = false;
        const color = colors[h.shadow.slot] || palette[0];
        drawChart("agreement", "Shadow agreement: " + h.shadow.slot, [{ name: h.shadow.slot, color: color, values: h.shadow.agreement }], h, v => (v * 100).toFixed(2) + " %", axisPercent, 1);
      } else {
        agreement.hidden = true;
        agreement.replaceChildren();
      }
      const list = document.getElementById("events");
      list.replaceChildren();
      for (const event of h.events.slice().reverse()) {
        const item = el("li", { "data-event": event.kind });
        item.append(el("i", { style: "background:" + (eventColors[event.kind] || "#6b7280") }), " " + event.time + " — " + event.label);
        list.append(item);
      }
      if (!h.events.length) list.append(el("li", { class: "muted" }, "no plan change, guard trip or rollout step in the last 15 minutes"));
    }
    function renderShadow(doc) {
      const box = document.getElementById("shadow");
      box.replaceChildren();
      const s = doc.shadow;
      if (!s) { box.append(el("span", { class: "muted", "data-field": "shadow.slot" }, "off")); return; }
      const head = el("div");
      head.append(el("b", { "data-field": "shadow.slot" }, s.slot), " " + (s.version || "") + " · ");
      head.append(el("span", { "data-field": "shadow.sample" }, s.sample_percent + " %"), " of the requests other slots answer (" + (s.mirrored_share * 100).toFixed(0) + " % of traffic)");
      if (!s.active) head.append(el("span", { class: "bad" }, " · not loaded in this process"));
      box.append(head);
      const w = s.window, t = s.total;
      const line = el("div");
      line.append("agreement ", el("b", { class: w.agreement !== null && s.verdict && s.verdict.state === "fails" ? "bad" : "", "data-field": "shadow.window.agreement" }, w.agreement === null ? "–" : (w.agreement * 100).toFixed(2) + " %"));
      line.append(" over ", el("span", { "data-field": "shadow.window.predictions" }, String(w.predictions)), " predictions (last " + w.seconds + " s) · since began ");
      line.append(el("span", { "data-field": "shadow.total.agreement" }, t.agreement === null ? "–" : (t.agreement * 100).toFixed(2) + " %"), " over " + t.predictions);
      if (w.difference) line.append(" · p99 difference ", el("span", { "data-field": "shadow.window.p99_difference" }, w.difference.p99 === null ? "–" : String(w.difference.p99)));
      box.append(line);
      const counts = el("div", { class: "muted" });
      counts.append("compared ", el("span", { "data-field": "shadow.window.compared" }, String(w.compared)));
      counts.append(" · dropped ", el("span", { "data-field": "shadow.window.dropped" }, String(w.dropped)));
      counts.append(" · errors ", el("span", { "data-field": "shadow.window.errors" }, String(w.errors)));
      counts.append(" · queue " + s.queue.depth + " of " + s.queue.capacity);
      box.append(counts);
      const table = el("table", { class: "compact" });
      const head2 = el("tr");
      for (const name of ["latency", "live (answered)", "shadow " + s.slot]) head2.append(el("th", {}, name));
      table.append(head2);
      for (const q of ["p50", "p99"]) {
        const row = el("tr");
        row.append(el("td", {}, q));
        const live = w.live_latency_ms, shadow = w.shadow_latency_ms;
        row.append(el("td", { class: "n", "data-field": "shadow.live_" + q + "_ms" }, live ? fmt.num(live[q], 3) + " ms" : "–"));
        row.append(el("td", { class: "n", "data-field": "shadow.shadow_" + q + "_ms" }, shadow ? fmt.num(shadow[q], 3) + " ms" : "–"));
        table.append(row);
      }
      const wrap = el("div", { class: "scroll" });
      wrap.append(table);
      box.append(wrap);
      if (s.verdict) box.append(el("div", { class: s.verdict.state === "fails" ? "bad" : s.verdict.state === "passes" ? "ok" : "muted", "data-field": "shadow.verdict" }, "guard: " + s.verdict.state + " — " + s.verdict.reason));
      if (s.note) box.append(el("div", { class: "muted" }, s.note));
      if (s.last_error) box.append(el("div", { class: "bad", "data-field": "shadow.last_error" }, "last shadow error: " + s.last_error.message));
    }
    """
}
