extension ReportRenderer {
    /// `CascadeHeatMap.view(entities, keys, context)` draws the sensitivity heat map of a run that
    /// has sensitivities (`keys`: the result's `sensitivity_keys`, the macro variables and shocks
    /// the scenario writes; each entity's `sensitivities`: key → ∂impact/∂value, zero entries
    /// omitted, and `sensitivities_undefined`): the page's largest movers as rows (at most
    /// `ROWS`), the keys as columns (at most `COLUMNS`, the heaviest among those rows, in the
    /// result's order), each cell coloured by sign and by its size within its column (the keys'
    /// units differ: per pp of a rate, per unit of a shock) and holding the exact double (`title`,
    /// `data-value`; a left-out zero is `0`); a derivative that does not exist is marked
    /// `undefined`, uncoloured. Nothing is drawn for a run without sensitivities (`keys` absent).
    /// Colours go through the CSSOM, which the workbench's Content-Security-Policy allows.
    static let heatMapScript = #"""
var CascadeHeatMap = (function () {
  "use strict";
  var el = CascadeReport.el, number = CascadeReport.number;
  var ROWS = 40, COLUMNS = 16;
  function short(x) { return String(Number(x.toPrecision(3))); }
  function isUndefined(e, key) { return (e.sensitivities_undefined || []).indexOf(key) >= 0; }
  function value(e, key) { var v = (e.sensitivities || {})[key]; return v === undefined ? 0 : v; }

  // `context.causeName(key)` names a column, `context.byMagnitude` ranks rows, `context.select(id)` opens an entity.
  function view(entities, keys, context) {
    if (!keys || !keys.length) return null;
    var rows = entities.filter(function (e) { return e.impact !== 0; }).sort(context.byMagnitude).slice(0, ROWS);
    if (!rows.length) return null;
    var columns = keys;
    if (keys.length > COLUMNS) {
      var weight = {};
      keys.forEach(function (k) { weight[k] = 0; rows.forEach(function (e) { weight[k] += Math.abs(value(e, k)); }); });
      var kept = keys.slice().sort(function (a, b) { return weight[b] - weight[a] || keys.indexOf(a) - keys.indexOf(b); }).slice(0, COLUMNS);
      columns = keys.filter(function (k) { return kept.indexOf(k) >= 0; });
    }
    var max = {};
    columns.forEach(function (k) { max[k] = 0; rows.forEach(function (e) { if (!isUndefined(e, k)) max[k] = Math.max(max[k], Math.abs(value(e, k))); }); });
    var table = el("table", { id: "heatmap", class: "heatmap" }, [el("tr", {}, [el("th", {}, ["entity"])].concat(columns.map(function (k) {
      return el("th", { class: "num", title: k, "data-key": k }, [context.causeName(k)]);
    })))]);
    rows.forEach(function (e) {
      var tr = el("tr", { class: "heat-row", "data-entity": e.id }, [el("td", { class: "name", title: e.name }, [e.name])]);
      columns.forEach(function (k) {
        var td = el("td", { class: "heat num", "data-key": k });
        if (isUndefined(e, k)) {
          td.className = "heat num undefined";
          td.appendChild(el("span", { title: "undefined: the derivative does not exist at this point (a threshold, a kink, a clamp bound or a tie)" }, ["undef."]));
        } else {
          var v = value(e, k);
          td.appendChild(number(v, short(v), "plain"));
          if (v !== 0 && max[k] > 0) {
            var alpha = 0.12 + 0.78 * Math.abs(v) / max[k];
            td.style.backgroundColor = (v > 0 ? "rgba(26, 127, 55, " : "rgba(207, 34, 46, ") + alpha.toFixed(3) + ")";
            if (alpha > 0.55) td.className = "heat num deep";
          }
        }
        tr.appendChild(td);
      });
      tr.addEventListener("click", function () { context.select(e.id); });
      table.appendChild(tr);
    });
    return el("section", { id: "sensitivities" }, [el("h2", {}, ["Sensitivities"]),
      el("p", { class: "note" }, ["The exact derivative of each entity's impact with respect to each macro variable (per unit as the scenario writes it) " +
        "and entity shock, for the " + rows.length + " largest movers in this page; green raises the impact, red lowers it, deeper is larger within its column. " +
        "Exact value on hover; \u201cundef.\u201d where the derivative does not exist." +
        (columns.length < keys.length ? " The " + columns.length + " heaviest of " + keys.length + " variables and shocks are shown." : "")]),
      table]);
  }
  return { view: view };
})();
"""#
}
