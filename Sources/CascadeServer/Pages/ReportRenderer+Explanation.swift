extension ReportRenderer {
    /// The whole renderer: the report's views, then the entity's run explanation, the
    /// sensitivity heat map and the Monte Carlo bands.
    package static let script = drawing + explanationScript + heatMapScript + bandsScript

    /// `CascadeExplanation.view(explanation, context)` draws a run explanation — the document of
    /// `GET /v1/scenarios/{id}/explain` (or `cascade scenario explain --json`), embedded in the
    /// report file for the movers its charts draw and fetched by the workbench — as the formula
    /// arithmetic of each contribution: the formula, the inputs it read in the scenario and in the
    /// baseline, its two results and their difference, sign · damping · weight, and the value
    /// that counted; then the sum (the unclamped impact), the clamp and the impact. Every number
    /// is the explanation's double, exact in `title` and `data-value` (the report's `number`).
    static let explanationScript = #"""
var CascadeExplanation = (function () {
  "use strict";
  var el = CascadeReport.el, number = CascadeReport.number;
  function short(x) { return typeof x === "number" ? String(Number(x.toPrecision(6))) : String(x); }
  function plain(x, role) {
    return x === null || x === undefined ? el("span", { class: "muted" }, ["\u2014"]) : number(x, short(x), "plain " + role);
  }
  function input(value, role) {
    return typeof value === "number" ? plain(value, role) : el("code", { class: role }, [JSON.stringify(value)]);
  }

  // `explanation` is the explain document; `context.resultFingerprint` the result's, `context.nameOf` names a source.
  function view(explanation, context) {
    var e = explanation.entity, section = el("div", { id: "explanation", "data-entity": e.id, "data-fingerprint": explanation.fingerprint });
    section.appendChild(el("h3", {}, ["Explanation: the formula arithmetic"]));
    if (context.resultFingerprint && explanation.fingerprint !== context.resultFingerprint) {
      section.appendChild(el("p", { class: "note", id: "explanation-stale" }, ["Explained against the inputs as they are now (fingerprint " +
        explanation.fingerprint + "); the result shown was computed from fingerprint " + context.resultFingerprint + "."]));
    }
    if (e.macro) {
      section.appendChild(el("p", {}, ["A macro variable (", el("code", {}, [e.macro.variable || e.id]), "): baseline ",
        plain(e.macro.baseline, "baseline"), " \u2192 scenario ", plain(e.macro.value, "value"), ". The explanation ends here."]));
      return section;
    }
    var table = el("table", { id: "explanation-contributions", class: "explain" }, [el("tr", {}, [
      el("th", {}, ["source"]), el("th", {}, ["formula"]), el("th", {}, ["inputs: scenario \u2192 baseline"]),
      el("th", { class: "num" }, ["f(scenario)"]), el("th", { class: "num" }, ["f(baseline)"]), el("th", { class: "num" }, ["difference"]),
      el("th", { class: "num" }, ["sign \u00b7 damping \u00b7 weight"]), el("th", { class: "num" }, ["value"]), el("th", {}, ["note"])])]);
    (e.contributions || []).forEach(function (c) {
      if (c.shock) {
        table.appendChild(el("tr", { class: "explain-row", "data-source": "shock" }, [el("td", {}, ["shock"]), el("td", { class: "muted" }, ["exogenous"]),
          el("td", {}, []), el("td", {}, []), el("td", {}, []), el("td", {}, []), el("td", {}, []),
          el("td", { class: "num" }, [number(c.value, undefined, "value")]), el("td", { class: "muted" }, [c.note])]));
        return;
      }
      var inputs = el("ul", { class: "inputs" }, (c.inputs || []).map(function (i) {
        return el("li", { "data-path": i.path }, [el("code", {}, [i.path]), " ", input(i.scenario, "input-scenario"), " \u2192 ", input(i.baseline, "input-baseline")]);
      }));
      table.appendChild(el("tr", { class: "explain-row", "data-source": c.source_id, "data-relationship": c.relationship_id }, [
        el("td", {}, [c.source_name || context.nameOf(c.source_id), " ", el("code", { class: "muted" }, [c.relationship_id])]),
        el("td", {}, [c.formula === null ? el("span", { class: "muted" }, ["pass-through"]) : el("code", { class: "formula", title: c.formula_kind }, [c.formula])]),
        el("td", {}, [inputs]),
        el("td", { class: "num" }, [plain(c.scenario_result, "scenario-result")]),
        el("td", { class: "num" }, [plain(c.baseline_result, "baseline-result")]),
        el("td", { class: "num" }, [plain(c.difference, "difference")]),
        el("td", { class: "num" }, [short(c.sign) + " \u00b7 " + short(c.damping) + " \u00b7 " + short(c.weight)]),
        el("td", { class: "num" }, [number(c.value, undefined, "value")]),
        el("td", { class: "muted" }, [c.note + (c.error ? ": " + c.error : "")])]));
    });
    section.appendChild(table);
    section.appendChild(el("p", { id: "explanation-sum" }, ["Sum of the contributions = unclamped impact ",
      number(e.impact_unclamped, undefined, "unclamped"), "; clamp [", plain(e.clamp[0], "clamp-low"), ", ", plain(e.clamp[1], "clamp-high"),
      "] \u2192 impact ", number(e.impact, undefined, "impact"), e.clamped ? el("span", { class: "flag" }, ["clamped"]) : null,
      e.cycle ? " \u00b7 " + e.cycle : ""]));
    return section;
  }
  return { view: view };
})();
"""#
}
