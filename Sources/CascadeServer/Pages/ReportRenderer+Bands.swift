extension ReportRenderer {
    /// `CascadeBands.view(monteCarlo, byId, context)` draws a Monte Carlo result's bands: per
    /// level, the entities of the summary's `monte_carlo.widest_bands` (the widest 5–95 % bands
    /// of impact, widest first — the ranking `cascade run` prints; `ReportData` embeds those
    /// entities), each as a bar chart on one scale per level — the 1–99 % band (light), the 5–95 %
    /// band (dark), the median (a tick) and zero (the axis) — and the exact quantiles of its
    /// `distribution` beside it (`title` and `data-value`, the report's `number`), with the
    /// probability of an impact below the threshold. The chart's shapes carry their values in
    /// `data-value` and a hover title too. Nothing is drawn for a point result (`monteCarlo` absent).
    static let bandsScript = #"""
var CascadeBands = (function () {
  "use strict";
  var el = CascadeReport.el, svg = CascadeReport.svg, number = CascadeReport.number, percent = CascadeReport.percent;
  var QUANTILES = ["p1", "p5", "p50", "p95", "p99"];
  var WIDTH = 300, HEIGHT = 16;

  // `context.select(id)` opens an entity.
  function view(monteCarlo, byId, context) {
    if (!monteCarlo) return null;
    var bands = monteCarlo.widest_bands || {}, grid = el("div", { class: "band-levels" });
    for (var lv = 0; lv <= 9; lv++) {
      var entries = bands[String(lv)] || [];
      if (!entries.length) continue;
      var rows = entries.map(function (entry) {
        var e = byId[entry.id];
        if (!e || !e.distribution) throw new Error("the widest band of " + entry.id + " is not in the page's entities");
        return e;
      });
      var lo = 0, hi = 0;
      rows.forEach(function (e) { lo = Math.min(lo, e.distribution.p1); hi = Math.max(hi, e.distribution.p99); });
      var span = hi - lo || 1, x = function (v) { return 2 + (v - lo) / span * (WIDTH - 4); };
      var table = el("table", { class: "bands", "data-level": lv }, [el("tr", {}, [el("th", {}, ["entity"]), el("th", {}, ["1\u201399 % \u00b7 5\u201395 % \u00b7 median"])]
        .concat(QUANTILES.map(function (q) { return el("th", { class: "num" }, [q]); }))
        .concat([el("th", { class: "num", title: "the share of draws whose impact is below the threshold, " + String(monteCarlo.threshold) }, ["P(below)"])]))]);
      rows.forEach(function (e) {
        var d = e.distribution;
        function band(role, from, to, label) {
          return svg("rect", { class: "band " + role, "data-role": role, "data-value": String(from) + " " + String(to),
                               x: x(from), y: role === "outer" ? 2 : 4, width: Math.max(1, x(to) - x(from)), height: role === "outer" ? 12 : 8 },
                     [svg("title", {}, [label + ": [" + String(from) + ", " + String(to) + "]"])]);
        }
        var chart = svg("svg", { class: "band-chart", width: WIDTH, height: HEIGHT, viewBox: "0 0 " + WIDTH + " " + HEIGHT }, [
          svg("line", { class: "axis", x1: x(0), x2: x(0), y1: 0, y2: HEIGHT }),
          band("outer", d.p1, d.p99, "1\u201399 %"),
          band("inner", d.p5, d.p95, "5\u201395 %"),
          svg("line", { class: "median", "data-role": "median", "data-value": String(d.p50), x1: x(d.p50), x2: x(d.p50), y1: 1, y2: HEIGHT - 1 },
              [svg("title", {}, ["median: " + String(d.p50)])]),
        ]);
        var tr = el("tr", { class: "band-row", "data-entity": e.id }, [el("td", { class: "name", title: e.name }, [e.name]), el("td", {}, [chart])]
          .concat(QUANTILES.map(function (q) { return el("td", { class: "num", "data-quantile": q }, [number(d[q])]); }))
          .concat([el("td", { class: "num", "data-quantile": "p_below" }, [number(d.p_below, (d.p_below * 100).toFixed(1) + " %", "plain")])]));
        tr.addEventListener("click", function () { context.select(e.id); });
        table.appendChild(tr);
      });
      grid.appendChild(el("div", { class: "level" }, [el("h3", {}, ["Level " + lv]), table]));
    }
    var variables = Object.keys(monteCarlo.variables || {});
    return el("section", { id: "bands" }, [el("h2", {}, ["Monte Carlo bands"]),
      el("p", { class: "note" }, [monteCarlo.draws + " draws of " + variables.join(", ") + " \u00b7 seed " + monteCarlo.seed +
        ". Per level, the entities with the widest 5\u201395 % band of impact: the 1\u201399 % band (light), the 5\u201395 % band (dark) and the median (tick), " +
        "on one scale per level with zero as the axis; P(below) is the share of draws with an impact below " + percent(monteCarlo.threshold) +
        ". The impacts elsewhere in this page are the central run's (each distribution at its mean). Exact values on hover."]),
      grid.childNodes.length ? grid : el("p", {}, ["Every entity's impact is the same in every draw."])]);
  }
  return { view: view };
})();
"""#
}
