/// The report's renderer: one script shared by the `cascade report` file (inline, after the data
/// block) and the workbench of `cascade serve` (as `/assets/workbench.js`), so a result looks the
/// same in both. It defines `CascadeReport.render(main, data, options)`, which draws every view of
/// a report data document (`ReportData`) into `main`. Text goes in through `textContent` only
/// (never parsed as HTML), and no style attribute is written (the workbench's
/// Content-Security-Policy allows no inline style; colours go through the CSSOM). Errors are
/// written to the root element's `data-errors` attribute (and shown), so a headless browser's DOM
/// dump can see them. With `options.standalone` (the report file) the page's title follows the
/// scenario and `#entity=ID` in the address selects an entity. An entity's run explanation comes
/// from `data.explanations` (the report file embeds those of the movers its charts draw) or, with
/// `options.explain(id)` (a promise of the explain document; the workbench's API call), is fetched
/// when the entity is selected; `CascadeExplanation` (`ReportRenderer+Explanation`) draws it.
/// A run with sensitivities also gets `CascadeHeatMap` (`ReportRenderer+HeatMap`), a Monte Carlo
/// result `CascadeBands` (`ReportRenderer+Bands`).
package enum ReportRenderer {
    /// The report's views (`script` adds the explanation's).
    static let drawing = #"""
var CascadeReport = (function () {
  "use strict";
  var root = document.documentElement, errors = [];
  function fail(message) {
    errors.push(String(message));
    root.setAttribute("data-errors", errors.join("\n"));
    var box = document.getElementById("report-errors");
    if (!box) { box = el("pre", { id: "report-errors", class: "errors" }); document.body.insertBefore(box, document.body.firstChild); }
    box.textContent = errors.join("\n");
  }
  window.addEventListener("error", function (event) { fail(event.message || "error"); });

  var SVG = "http://www.w3.org/2000/svg";
  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    return fill(node, attributes, children);
  }
  function svg(tag, attributes, children) {
    var node = document.createElementNS(SVG, tag);
    return fill(node, attributes, children);
  }
  function fill(node, attributes, children) {
    for (var key in attributes || {}) if (attributes[key] !== undefined && attributes[key] !== null) node.setAttribute(key, attributes[key]);
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }
  function sign(x) { return x > 0 ? "pos" : x < 0 ? "neg" : "zero"; }
  function percent(x) { return (x > 0 ? "+" : "") + (x * 100).toFixed(2) + " %"; }
  // A number shown rounded, its exact value (the JSON's) on hover and in data-value.
  function number(x, text, extraClass) {
    return el("span", { class: "num " + sign(x) + (extraClass ? " " + extraClass : ""), title: String(x), "data-value": String(x) },
              [text === undefined ? percent(x) : text]);
  }
  function level(x, unit) {
    var u = (unit || "").toLowerCase();
    if (u === "%" || u === "percent" || u === "pct") return (x * 100).toFixed(2) + " %";
    if (u === "bp" || u === "bps") return (x * 10000).toFixed(0) + " bp";
    return String(Math.round(x * 1e6) / 1e6) + (unit ? " " + unit : "");
  }
  function change(d, unit) {
    var u = (unit || "").toLowerCase(), s = d > 0 ? "+" : "";
    if (u === "%" || u === "percent" || u === "pct") return s + (d * 100).toFixed(2) + " pp";
    if (u === "bp" || u === "bps") return s + (d * 10000).toFixed(0) + " bp";
    return s + String(Math.round(d * 1e6) / 1e6);
  }
  function clip(text, n) { return text.length > n ? text.slice(0, n - 1) + "\u2026" : text; }
  function byMagnitude(a, b) {
    var d = Math.abs(b.impact) - Math.abs(a.impact);
    return d !== 0 ? d : (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  }

  // Draws every view of `data` into `main` (emptied first) and returns `{ select }`. The body
  // keeps the indentation it had as the report's top level, so the move stays a small diff.
  function render(main, data, options) {
  options = options || {};
  var result = data.result, entities = data.entities, scenario = data.scenario;
  var byId = {}, macroById = {}, macroByVariable = {};
  entities.forEach(function (e) { byId[e.id] = e; });
  (result.macro || []).forEach(function (m) { macroById[m.id] = m; macroByVariable[m.variable] = m; });
  function nameOf(id) {
    if (byId[id]) return byId[id].name;
    if (macroById[id]) return macroById[id].name;
    return (data.source_names || {})[id] || id;
  }
  function causeName(key) {
    if (key.indexOf("macro:") === 0) { var m = macroByVariable[key.slice(6)]; return m ? m.name : key.slice(6); }
    if (key.indexOf("shock:") === 0) return "shock on " + nameOf(key.slice(6));
    return key;
  }
  var perLevel = [];
  for (var l = 0; l <= 9; l++) perLevel.push([]);
  entities.forEach(function (e) { if (e.level >= 0 && e.level <= 9) perLevel[e.level].push(e); });
  perLevel.forEach(function (list) { list.sort(byMagnitude); });
  main.replaceChildren();
  var selected = null, listeners = [];

  function header() {
    var macros = (result.macro || []).filter(function (m) { return m.delta !== 0; });
    var inputs = result.inputs || {};
    var section = el("section", { id: "summary" }, [
      el("h1", {}, [scenario.name]),
      scenario.description ? el("p", {}, [scenario.description]) : null,
      el("p", { class: "muted" }, ["by " + scenario.author + " \u00b7 as of " + (result.as_of || scenario.as_of || "?") +
        " \u00b7 scenario ", el("code", {}, [scenario.id])]),
      el("p", { class: "muted" }, ["fingerprint ", el("code", { id: "fingerprint" }, [result.fingerprint]),
        " \u00b7 engine " + (inputs.engine || "?")]),
      el("p", { class: "muted" }, ["formulas read: ",
        (inputs.formulas || []).length ? el("code", {}, [(inputs.formulas || []).join(", ")]) : "none",
        inputs.inline_formulas ? " and " + inputs.inline_formulas + " inline" : ""]),
    ]);
    if (macros.length) {
      section.appendChild(el("h3", {}, ["Macro moves (baseline \u2192 scenario)"]));
      section.appendChild(el("table", { id: "macros" }, [
        el("tr", {}, [el("th", {}, ["variable"]), el("th", { class: "num" }, ["baseline"]), el("th", {}, [""]),
                      el("th", { class: "num" }, ["scenario"]), el("th", { class: "num" }, ["change"])]),
      ].concat(macros.map(function (m) {
        return el("tr", {}, [el("td", {}, [m.name, " ", el("code", { class: "muted" }, [m.variable])]),
          el("td", { class: "num" }, [number(m.baseline, level(m.baseline, m.unit), "plain")]), el("td", {}, ["\u2192"]),
          el("td", { class: "num" }, [number(m.value, level(m.value, m.unit), "plain")]),
          el("td", { class: "num" }, [number(m.delta, change(m.delta, m.unit))])]);
      }))));
    }
    var stats = result.stats || {};
    section.appendChild(el("p", { class: "note" }, [(stats.entities || 0) + " entities \u00b7 " + (stats.edges || 0) + " edges \u00b7 " +
      (stats.formula_evaluations || 0) + " formula evaluations \u00b7 " + (stats.cycles || 0) + " cycles"]));
    if (data.entities_shown < data.entities_reported) {
      section.appendChild(el("p", { class: "note", id: "shown-note" }, ["This page holds the " + data.entities_shown +
        " largest movers (" + data.entities_per_level + " per level) of the " + data.entities_reported +
        " entity results; the full result is `cascade scenario run --json`."]));
    }
    return section;
  }

  // The cascade: levels as columns, the largest movers as circles sized by |impact|, top paths as curves.
  var NODES_PER_LEVEL = 12;
  function cascade() {
    var width = 1240, columnWidth = width / 10, rowHeight = 44, top = 34;
    var shown = perLevel.map(function (list) { return list.filter(function (e) { return e.impact !== 0; }).slice(0, NODES_PER_LEVEL); });
    // The macro variables that moved head their level's column: where the paths start.
    var moves = perLevel.map(function (_, lv) { return (result.macro || []).filter(function (m) { return m.delta !== 0 && m.level === lv; }); });
    var rows = Math.max(1, Math.max.apply(null, shown.map(function (s, lv) { return s.length + moves[lv].length; })));
    var height = top + rows * rowHeight + 30;
    var max = 0;
    shown.forEach(function (s) { s.forEach(function (e) { max = Math.max(max, Math.abs(e.impact)); }); });
    var position = {};
    var chart = svg("svg", { id: "cascade-chart", viewBox: "0 0 " + width + " " + height, width: width, height: height, role: "img",
                             "aria-label": "impact by level" });
    var links = svg("g", { class: "links" }), nodes = svg("g", { class: "nodes" });
    chart.appendChild(links); chart.appendChild(nodes);
    shown.forEach(function (list, lv) {
      var x = lv * columnWidth + columnWidth / 2;
      chart.appendChild(svg("text", { x: x, y: 16, "text-anchor": "middle", class: "label" }, ["Level " + lv]));
      moves[lv].concat(list).forEach(function (e, i) { position[e.id] = { x: x, y: top + i * rowHeight + rowHeight / 2 }; });
      var moved = (result.moved_per_level || {})[String(lv)] || 0;
      if (moved > list.length) {
        chart.appendChild(svg("text", { x: x, y: height - 8, "text-anchor": "middle", class: "label hidden-count" },
                              ["+" + (moved - list.length) + " more"]));
      }
    });
    var drawn = {};
    shown.forEach(function (list) {
      list.forEach(function (e) {
        (e.top_paths || []).forEach(function (path) {
          for (var k = 1; k < path.length; k++) {
            var a = position[path[k - 1]], b = position[path[k]], key = path[k - 1] + "\u0000" + path[k];
            if (!a || !b || drawn[key]) continue;
            drawn[key] = true;
            var mx = (a.x + b.x) / 2;
            links.appendChild(svg("path", { class: "link", d: "M" + a.x + "," + a.y + " C" + mx + "," + a.y + " " + mx + "," + b.y + " " + b.x + "," + b.y,
                                            "stroke-width": 1.5 }));
          }
        });
      });
    });
    moves.forEach(function (list) {
      list.forEach(function (m) {
        var p = position[m.id];
        nodes.appendChild(svg("g", { class: "macro-node", "data-macro": m.variable }, [
          svg("rect", { class: "node macro " + sign(m.delta), x: p.x - 7, y: p.y - 7, width: 14, height: 14 },
              [svg("title", {}, [m.name + ": " + level(m.baseline, m.unit) + " \u2192 " + level(m.value, m.unit) + " (" + String(m.delta) + ")"])]),
          svg("text", { x: p.x, y: p.y + 18, "text-anchor": "middle" }, [clip(m.name, 18)]),
        ]));
      });
    });
    shown.forEach(function (list) {
      list.forEach(function (e) {
        var p = position[e.id], r = 3 + 15 * Math.sqrt(max > 0 ? Math.abs(e.impact) / max : 0);
        var g = svg("g", { class: "node-group", "data-entity": e.id }, [
          svg("circle", { class: "node " + sign(e.impact), cx: p.x, cy: p.y, r: r.toFixed(2), "data-entity": e.id },
              [svg("title", {}, [e.name + ": " + percent(e.impact) + " (" + String(e.impact) + ")"])]),
          svg("text", { x: p.x, y: p.y + r + 11, "text-anchor": "middle" }, [clip(e.name, 18)]),
        ]);
        g.addEventListener("click", function () { select(e.id); });
        nodes.appendChild(g);
      });
    });
    listeners.push(function (id) {
      Array.prototype.forEach.call(chart.querySelectorAll("circle.node"), function (c) {
        c.setAttribute("class", c.getAttribute("class").replace(/ selected$/, "") + (c.getAttribute("data-entity") === id ? " selected" : ""));
      });
    });
    return el("section", { id: "cascade" }, [
      el("h2", {}, ["The cascade"]),
      el("p", { class: "note" }, ["Levels 0\u20139 left to right, headed by the macro variables that moved (squares); the " + NODES_PER_LEVEL + " largest movers of each level, sized by |impact| " +
        "(green up, red down), joined along their strongest paths. Click one for its waterfall."]),
      chart]);
  }

  // Per level, the top movers: a bar per entity from zero, the unclamped extent dashed where a clamp bound.
  var MOVERS_PER_LEVEL = 8;
  function movers() {
    var grid = el("div", { class: "levels" });
    perLevel.forEach(function (list, lv) {
      var top = list.filter(function (e) { return e.impact !== 0; }).slice(0, MOVERS_PER_LEVEL);
      if (!top.length) return;
      var max = 0;
      top.forEach(function (e) { max = Math.max(max, Math.abs(e.impact), Math.abs(e.impact_unclamped)); });
      var table = el("table", { class: "movers", "data-level": lv });
      top.forEach(function (e) {
        var w = 140, half = w / 2, scale = max > 0 ? (half - 2) / max : 0;
        var x0 = half, x1 = half + e.impact * scale, chart = svg("svg", { width: w, height: 14, viewBox: "0 0 " + w + " 14" }, [
          svg("line", { class: "axis", x1: half, x2: half, y1: 0, y2: 14 }),
          svg("rect", { class: "bar " + sign(e.impact), x: Math.min(x0, x1), y: 2, width: Math.max(1, Math.abs(x1 - x0)), height: 10 }),
        ]);
        if (e.clamped) {
          var u = half + e.impact_unclamped * scale;
          chart.appendChild(svg("rect", { class: "clamp", x: Math.min(x0, u), y: 1.5, width: Math.abs(u - x0), height: 11 }));
          chart.appendChild(svg("line", { class: "clamp-mark", x1: x1, x2: x1, y1: 0, y2: 14 }));
        }
        var row = el("tr", { class: "mover", "data-entity": e.id }, [
          el("td", { class: "name", title: e.name }, [e.name, e.clamped ? el("span", { class: "flag", title: "clamped from " + String(e.impact_unclamped) }, ["clamped"]) : null,
                                       e.status !== "ok" ? el("span", { class: "flag" }, [e.status]) : null]),
          el("td", {}, [chart]),
          el("td", { class: "num" }, [number(e.impact)]),
        ]);
        row.addEventListener("click", function () { select(e.id); });
        table.appendChild(row);
      });
      var moved = (result.moved_per_level || {})[String(lv)] || top.length;
      grid.appendChild(el("div", { class: "level" }, [el("h3", {}, ["Level " + lv + " ", el("span", { class: "note" }, [moved + " moved"])]), table]));
    });
    listeners.push(function (id) {
      Array.prototype.forEach.call(grid.querySelectorAll("tr.mover"), function (r) {
        r.className = "mover" + (r.getAttribute("data-entity") === id ? " selected" : "");
      });
    });
    return el("section", { id: "movers" }, [el("h2", {}, ["Top movers by level"]),
      el("p", { class: "note" }, ["Impact against the baseline; a dashed box is the unclamped impact where the clamp bound, the bar the clamped one."]),
      grid.childNodes.length ? grid : el("p", {}, ["Nothing moved."])]);
  }

  // One entity: its numbers, the waterfall of its contributions, its attribution, its contributions listed.
  var WATERFALL_STEPS = 24;
  var panel = el("div", { id: "entity-panel", class: "panel" }, [el("p", { class: "muted" }, ["Click a node or a bar, or search by name."])]);
  function entityView() {
    var list = el("datalist", { id: "entity-names" });
    entities.slice().sort(byMagnitude).forEach(function (e) { list.appendChild(el("option", { value: e.name })); });
    var input = el("input", { id: "entity-search", type: "search", list: "entity-names", placeholder: "entity name or id", "aria-label": "entity" });
    input.addEventListener("change", function () {
      var q = input.value.trim(), lower = q.toLowerCase(), found = byId[q];
      for (var i = 0; !found && i < entities.length; i++) if (entities[i].name.toLowerCase() === lower) found = entities[i];
      for (var j = 0; !found && j < entities.length; j++) if (entities[j].name.toLowerCase().indexOf(lower) >= 0) found = entities[j];
      if (found) select(found.id); else panel.replaceChildren(el("p", { class: "muted" }, ["No entity named \u201c" + q + "\u201d in this page."]));
    });
    return el("section", { id: "entity" }, [el("h2", {}, ["Entity"]), el("p", { class: "search" }, [input]), list, panel]);
  }

  function waterfall(e) {
    var steps = [], rest = 0, restCount = 0;
    var contributions = (e.contributions || []).filter(function (c) { return c.value !== 0; });
    var order = contributions.slice().sort(function (a, b) { return Math.abs(b.value) - Math.abs(a.value); });
    var keep = order.slice(0, WATERFALL_STEPS);
    contributions.forEach(function (c) {
      if (keep.indexOf(c) >= 0) steps.push({ label: c.shock ? "shock" : nameOf(c.source_id), value: c.value, role: "contribution", source: c.shock ? "shock" : c.source_id });
      else { rest += c.value; restCount++; }
    });
    if (restCount) steps.push({ label: restCount + " smaller contributions", value: rest, role: "contribution", source: "" });
    var sum = 0;
    contributions.forEach(function (c) { sum += c.value; });
    var rows = steps.length + 1 + (e.clamped ? 2 : 0), rowHeight = 20, labelWidth = 230, plot = 520, width = labelWidth + plot + 110;
    var running = 0, lo = 0, hi = 0;
    steps.forEach(function (s) { running += s.value; lo = Math.min(lo, running); hi = Math.max(hi, running); });
    [e.impact_unclamped, e.impact].forEach(function (v) { lo = Math.min(lo, v); hi = Math.max(hi, v); });
    var span = hi - lo || 1, scale = function (v) { return labelWidth + (v - lo) / span * plot; };
    var chart = svg("svg", { id: "waterfall", viewBox: "0 0 " + width + " " + (rows * rowHeight + 8), width: width, height: rows * rowHeight + 8,
                             "data-entity": e.id, "data-sum": String(sum) });
    chart.appendChild(svg("line", { class: "axis", x1: scale(0), x2: scale(0), y1: 0, y2: rows * rowHeight + 8 }));
    var y = 4;
    function row(label, from, to, cls, attributes) {
      var a = Math.min(scale(from), scale(to)), b = Math.max(scale(from), scale(to));
      var g = svg("g", {}, [
        svg("text", { x: labelWidth - 8, y: y + 13, "text-anchor": "end" }, [clip(label, 34)]),
        svg("rect", Object.assign({ class: "step " + cls, x: a, y: y + 3, width: Math.max(1, b - a), height: rowHeight - 6 }, attributes),
            [svg("title", {}, [label + ": " + String(to - from)])]),
        svg("text", { x: labelWidth + plot + 8, y: y + 13, class: "label" }, [percent(attributes["data-value"] !== undefined ? Number(attributes["data-value"]) : to - from)]),
      ]);
      chart.appendChild(g);
      y += rowHeight;
    }
    running = 0;
    steps.forEach(function (s) {
      row(s.label, running, running + s.value, sign(s.value), { "data-role": s.role, "data-value": String(s.value), "data-source": s.source });
      running += s.value;
    });
    row("unclamped impact", 0, e.impact_unclamped, "total", { "data-role": "unclamped", "data-value": String(e.impact_unclamped) });
    if (e.clamped) {
      row("clamp", e.impact_unclamped, e.impact, "clamped", { "data-role": "clamp", "data-value": String(e.impact - e.impact_unclamped) });
      row("impact (clamped)", 0, e.impact, sign(e.impact), { "data-role": "impact", "data-value": String(e.impact) });
    }
    return chart;
  }

  function attribution(e) {
    var parts = Object.keys(e.attribution || {}).map(function (k) { return { key: k, value: e.attribution[k] }; })
      .filter(function (p) { return p.value !== 0; }).sort(function (a, b) { return Math.abs(b.value) - Math.abs(a.value); });
    var palette = ["#0969da", "#bf8700", "#8250df", "#1b7c83", "#bc4c00", "#6639ba", "#4d2d00", "#57606a"];
    var pos = 0, neg = 0;
    parts.forEach(function (p) { if (p.value > 0) pos += p.value; else neg -= p.value; });
    var width = 860, height = 30, total = pos + neg || 1, zero = 10 + neg / total * (width - 20), scale = (width - 20) / total;
    var chart = svg("svg", { id: "attribution", viewBox: "0 0 " + width + " " + height, width: width, height: height });
    var right = zero, left = zero, legend = el("p", { class: "legend" });
    parts.forEach(function (p, i) {
      var colour = palette[i % palette.length], w = Math.abs(p.value) * scale, x;
      if (p.value > 0) { x = right; right += w; } else { left -= w; x = left; }
      chart.appendChild(svg("rect", { x: x, y: 4, width: Math.max(0.5, w), height: 22, fill: colour, "data-key": p.key, "data-value": String(p.value) },
                            [svg("title", {}, [causeName(p.key) + ": " + String(p.value)])]));
      var swatch = el("i", { class: "swatch" });
      swatch.style.background = colour;
      legend.appendChild(el("span", {}, [swatch, causeName(p.key) + " ", number(p.value)]));
    });
    chart.appendChild(svg("line", { class: "axis", x1: zero, x2: zero, y1: 0, y2: height }));
    return [chart, legend];
  }

  function select(id) {
    var e = byId[id];
    if (!e) { panel.replaceChildren(el("p", { class: "muted" }, ["No entity `" + id + "` in this page."])); return; }
    selected = id;
    var facts = el("p", {}, [e.type + " \u00b7 level " + e.level + " \u00b7 status " + e.status + " \u00b7 impact ", number(e.impact, undefined, "impact"),
      " \u00b7 unclamped ", number(e.impact_unclamped, undefined, "impact-unclamped"),
      e.clamped ? el("span", { class: "flag" }, ["clamped"]) : null,
      e.projected_value !== null && e.projected_value !== undefined ? " \u00b7 projected value " + String(Math.round(e.projected_value * 1e6) / 1e6) : "",
      e.cycle_rounds ? " \u00b7 cycle solved in " + e.cycle_rounds + " rounds" : ""]);
    var contributions = el("table", { id: "contributions" }, [el("tr", {}, [el("th", {}, ["source"]), el("th", {}, ["relationship"]),
      el("th", { class: "num" }, ["value"]), el("th", {}, ["note"])])]);
    (e.contributions || []).forEach(function (c) {
      contributions.appendChild(el("tr", {}, [el("td", {}, [c.shock ? "shock" : nameOf(c.source_id)]), el("td", {}, [el("code", {}, [c.relationship_id || ""])]),
        el("td", { class: "num" }, [number(c.value)]), el("td", { class: "muted" }, [(c.note || "counted") + (c.error ? ": " + c.error : "")])]));
    });
    var paths = el("ul", {}, (e.top_paths || []).map(function (p) { return el("li", {}, [p.map(nameOf).join(" \u2192 ")]); }));
    var children = [el("h3", { id: "entity-name" }, [e.name + " ", el("code", { class: "muted" }, [e.id])]), facts,
      el("h3", {}, ["Waterfall: contributions \u2192 unclamped impact" + (e.clamped ? " \u2192 clamp" : "")]), waterfall(e),
      el("h3", {}, ["Attribution to macro variables and shocks"])].concat(attribution(e), [
      (e.top_paths || []).length ? el("h3", {}, ["Strongest paths"]) : null, (e.top_paths || []).length ? paths : null,
      el("h3", {}, ["Contributions"]), contributions]).filter(function (n) { return n; });
    children.push(explanation(id));
    panel.replaceChildren.apply(panel, children);
    root.setAttribute("data-selected", id);
    listeners.forEach(function (f) { f(id); });
    var hash = "#entity=" + encodeURIComponent(id);
    if (options.standalone && location.hash !== hash) try { history.replaceState(null, "", hash); } catch (ignored) {}
  }

  // The entity's run explanation: embedded, fetched (the workbench), or where to get it.
  function explanation(id) {
    var context = { resultFingerprint: result.fingerprint, nameOf: nameOf };
    var embedded = (data.explanations || {})[id];
    if (embedded) return CascadeExplanation.view(embedded, context);
    var box = el("div", { id: "explanation", "data-entity": id });
    if (!options.explain) {
      box.appendChild(el("p", { class: "note" }, ["This page explains the " + (data.explanations ? "largest movers its charts draw" : "movers its charts draw when written by `cascade report`") +
        "; `cascade scenario explain " + scenario.id + " " + id + "` explains this one."]));
      return box;
    }
    box.appendChild(el("p", { class: "muted" }, ["Fetching the explanation\u2026"]));
    options.explain(id).then(function (reply) {
      if (selected !== id || !box.isConnected) return;
      box.replaceWith(reply.explanation ? CascadeExplanation.view(reply.explanation, context)
                                        : el("div", { id: "explanation", "data-entity": id }, [el("p", { class: "errors" }, [reply.error])]));
    });
    return box;
  }

  function diffView(diff) {
    var section = el("section", { id: "diff" }, [el("h2", {}, ["Against another scenario"]),
      el("p", {}, ["A: " + diff.a.name + " ", el("code", {}, [diff.a.id]), " \u00b7 B: " + diff.b.name + " ", el("code", {}, [diff.b.id])])]);
    if (diff.inputs.length) {
      section.appendChild(el("h3", {}, ["Inputs that differ (A \u2192 B)"]));
      section.appendChild(el("table", {}, diff.inputs.map(function (i) {
        return el("tr", {}, [el("td", {}, [i.name + " ", el("code", { class: "muted" }, [i.key])]),
          el("td", { class: "num" }, [i.a === null ? "\u2014" : number(i.a, level(i.a, i.unit), "plain")]), el("td", {}, ["\u2192"]),
          el("td", { class: "num" }, [i.b === null ? "\u2014" : number(i.b, level(i.b, i.unit), "plain")])]);
      })));
    }
    section.appendChild(el("h3", {}, ["Entities that moved differently (B \u2212 A), largest first"]));
    var rows = diff.entities.slice(0, 40), max = 0;
    rows.forEach(function (r) { max = Math.max(max, Math.abs(r.difference)); });
    var table = el("table", { id: "diff-rows" }, [el("tr", {}, [el("th", {}, ["entity"]), el("th", { class: "num" }, ["level"]),
      el("th", { class: "num" }, ["A"]), el("th", { class: "num" }, ["B"]), el("th", {}, [""]), el("th", { class: "num" }, ["B \u2212 A"]),
      el("th", {}, ["why (attribution B \u2212 A)"])])]);
    rows.forEach(function (r) {
      var w = 120, half = w / 2, x1 = half + (max > 0 ? r.difference / max * (half - 2) : 0);
      var causes = Object.keys(r.causes).sort(function (a, b) { return Math.abs(r.causes[b]) - Math.abs(r.causes[a]); }).slice(0, 2)
        .map(function (k) { return causeName(k) + " " + percent(r.causes[k]); }).join(", ");
      var tr = el("tr", { class: "mover", "data-entity": r.id }, [el("td", {}, [clip(r.name, 34)]), el("td", { class: "num" }, [String(r.level)]),
        el("td", { class: "num" }, [number(r.impact_a)]), el("td", { class: "num" }, [number(r.impact_b)]),
        el("td", {}, [svg("svg", { width: w, height: 14, viewBox: "0 0 " + w + " 14" }, [svg("line", { class: "axis", x1: half, x2: half, y1: 0, y2: 14 }),
          svg("rect", { class: "bar " + sign(r.difference), x: Math.min(half, x1), y: 2, width: Math.max(1, Math.abs(x1 - half)), height: 10 })])]),
        el("td", { class: "num" }, [number(r.difference)]), el("td", { class: "muted" }, [causes])]);
      if (byId[r.id]) tr.addEventListener("click", function () { select(r.id); });
      table.appendChild(tr);
    });
    section.appendChild(rows.length ? table : el("p", {}, ["Every impact is the same."]));
    if (diff.entity_count > rows.length) section.appendChild(el("p", { class: "note" }, [(diff.entity_count - rows.length) + " more entities differ (`cascade scenario diff --json` lists them)."]));
    return section;
  }

  function warnings() {
    var list = result.warnings || [];
    if (!list.length) return null;
    return el("section", { id: "warnings" }, [el("h2", {}, ["Warnings (" + list.length + ")"]),
      el("ul", {}, list.slice(0, 50).map(function (w) { return el("li", {}, [w]); })),
      list.length > 50 ? el("p", { class: "note" }, [(list.length - 50) + " more in the JSON result"]) : null]);
  }

  function fromHash() {
    var match = /^#entity=(.+)$/.exec(location.hash);
    if (match) select(decodeURIComponent(match[1]));
  }

  if (options.standalone) document.title = scenario.name + " \u2014 Cascade report";
  var heatMap = CascadeHeatMap.view(entities, result.sensitivity_keys, { causeName: causeName, byMagnitude: byMagnitude, select: select });
  var bands = CascadeBands.view(result.monte_carlo, byId, { select: select });
  [header(), cascade(), movers(), bands, heatMap, data.diff ? diffView(data.diff) : null, entityView(), warnings()]
    .forEach(function (section) { if (section) main.appendChild(section); });
  if (options.standalone) {
    fromHash();
    window.addEventListener("hashchange", fromHash);
  }
  return { select: select };
  }

  return { render: render, fail: fail, el: el, svg: svg, number: number, percent: percent };
})();
"""#
}
