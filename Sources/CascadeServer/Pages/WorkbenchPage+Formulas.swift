extension WorkbenchPage {
    /// The calibrators' view of the workbench, served after `script` in `/assets/workbench.js`:
    /// every formula's versions (active and untested marked, the stored backtest's r², MAE and
    /// RMSE, its fingerprint on hover) and the recorded A/B tests (control against treatment on
    /// their metric, both metric sets, the improvement, the status), with Promote / Reject on a
    /// running test and Rollback per formula. Only calibrator and admin keys get the view's button;
    /// the API refuses everyone else's promote, reject and rollback anyway.
    ///
    /// State for a headless browser: `#formulas-view`'s `data-loaded` counts the times the view was
    /// drawn (each action draws it again); `#formula-action`'s `data-status` is `done` or `failed`
    /// after an action, its text what the API said.
    static let formulasScript = #"""
(function () {
  "use strict";
  var CALIBRATORS = ["calibrator", "admin"];
  var W = window.CascadeWorkbench, el = CascadeReport.el, root = document.documentElement;
  var loads = 0;
  function $(id) { return document.getElementById(id); }
  function path(name) { return "/v1/formulas/" + encodeURIComponent(name); }

  // A metric rounded to four significant digits, exact on hover (the report's number()).
  function metric(x) {
    if (x === null || x === undefined) return el("span", { class: "muted", title: "not measured" }, ["\u2014"]);
    return CascadeReport.number(x, String(Number(x.toPrecision(4))), "plain metric");
  }
  function metricSet(m) {
    if (!m) return el("span", { class: "muted" }, ["\u2014"]);
    return el("span", { class: "metric-set", title: "backtest " + m.from + " \u2026 " + m.to + ", n = " + m.n + ", fingerprint " + m.fingerprint,
                        "data-fingerprint": m.fingerprint }, ["r\u00b2 ", metric(m.r_squared), " \u00b7 MAE ", metric(m.mae), " \u00b7 RMSE ", metric(m.rmse)]);
  }
  function improvement(x) {
    if (x === null || x === undefined) return el("span", { class: "muted", title: "not comparable" }, ["\u2014"]);
    return CascadeReport.number(x, (x > 0 ? "+" : "") + x.toFixed(2) + " %");
  }
  function badge(text, cls) { return el("span", { class: "badge " + cls }, [text]); }

  function signedIn() {
    if (!W.may(CALIBRATORS) || $("formulas-button")) return;
    var button = el("button", { id: "formulas-button", type: "button" }, ["Formulas and A/B tests"]);
    button.addEventListener("click", function () { show(null); });
    var aside = $("scenarios");
    aside.insertBefore(el("p", { id: "calibration" }, [button]), aside.firstChild);
  }
  function signedOut() { var p = $("calibration"); if (p) p.remove(); }

  // Draws the view afresh from the API; `done` is the outcome of the action that asked for it.
  function show(done) {
    W.leaveScenario();
    root.setAttribute("data-state", "formulas");
    var detail = $("detail");
    var outcome = el("p", { id: "formula-action", class: done ? (done.ok ? "muted" : "errors") : "muted" }, [done ? done.text : ""]);
    if (done) outcome.setAttribute("data-status", done.ok ? "done" : "failed");
    detail.replaceChildren(el("h2", {}, ["Formulas and A/B tests"]), outcome, W.message("loading\u2026", "muted"));
    return Promise.all([W.api("GET", "/v1/formulas"), W.api("GET", "/v1/ab-tests")]).then(function (replies) {
      var failed = replies.filter(function (r) { return r.status !== 200; })[0];
      if (failed) { detail.replaceChildren(outcome, W.message(W.problem(failed))); return; }
      var names = replies[0].json.formulas.map(function (f) { return f.name; });
      return Promise.all(names.map(function (name) { return W.api("GET", path(name)); })).then(function (histories) {
        if (root.getAttribute("data-state") !== "formulas") return;
        var view = el("div", { id: "formulas-view" }, [tests(replies[1].json.tests)]);
        histories.forEach(function (reply, i) {
          view.appendChild(reply.status === 200 ? formula(names[i], reply.json.versions) : W.message(names[i] + ": " + W.problem(reply)));
        });
        detail.replaceChildren(el("h2", {}, ["Formulas and A/B tests"]), outcome, view);
        view.setAttribute("data-loaded", String(++loads));
      });
    });
  }

  // POSTs an action, then draws the view again with what the API said.
  function act(url, what) {
    Array.prototype.forEach.call(document.querySelectorAll("#formulas-view button"), function (b) { b.disabled = true; });
    W.api("POST", url).then(function (reply) {
      var test = reply.json && reply.json.ab_test;
      show(reply.status === 200 ? { ok: true, text: what + ": " + test.name + " is now " + test.status }
                                : { ok: false, text: what + " refused: " + W.problem(reply) });
    });
  }

  function tests(list) {
    var section = el("section", { id: "ab-tests" }, [el("h3", {}, ["A/B tests"])]);
    if (!list.length) { section.appendChild(W.message("No A/B test recorded (cascade formula compare \u2026 --record).", "muted")); return section; }
    var body = el("tbody");
    list.forEach(function (t) {
      var actions = el("td", { class: "actions" });
      if (t.status === "running") {
        [["promote", "Promote"], ["reject", "Reject"]].forEach(function (a) {
          var b = el("button", { type: "button", "data-write": a[0] }, [a[1]]);
          b.addEventListener("click", function () { act("/v1/ab-tests/" + encodeURIComponent(t.id) + "/" + a[0], a[1]); });
          actions.appendChild(b);
          actions.appendChild(document.createTextNode(" "));
        });
      }
      body.appendChild(el("tr", { class: "ab-test", "data-id": t.id, "data-status": t.status }, [
        el("td", { title: t.conclusion || "" }, [t.name]),
        el("td", {}, [el("code", {}, [t.formula]), " @" + t.control_version + " vs @" + t.treatment_version]),
        el("td", {}, [t.metric]), el("td", {}, [metricSet(t.control_metrics)]), el("td", {}, [metricSet(t.treatment_metrics)]),
        el("td", { class: "num" }, [improvement(t.improvement)]), el("td", { class: "status" }, [badge(t.status, t.status)]), actions]));
    });
    section.appendChild(el("table", { class: "grid" }, [el("thead", {}, [el("tr", {}, ["test", "control vs treatment", "metric", "control",
      "treatment", "improvement", "status", ""].map(function (h) { return el("th", {}, [h]); }))]), body]));
    return section;
  }

  function formula(name, versions) {
    var rollback = el("button", { type: "button", "data-write": "rollback", "data-formula": name }, ["Rollback"]);
    rollback.addEventListener("click", function () { act(path(name) + "/rollback", "Rollback of " + name); });
    var body = el("tbody");
    versions.forEach(function (v) {
      var fingerprint = v.backtest_fingerprint;
      body.appendChild(el("tr", { class: "version" + (v.is_active ? " active" : ""), "data-version": v.version,
                                  "data-active": String(v.is_active), "data-untested": String(v.is_untested),
                                  "data-fingerprint": fingerprint || undefined }, [
        el("td", {}, ["@" + v.version]),
        el("td", {}, [v.is_active ? badge("active", "active") : "", v.is_untested ? badge("untested", "untested") : ""]),
        el("td", {}, [v.effective_date]),
        el("td", { class: "num" }, [metric(v.r_squared)]), el("td", { class: "num" }, [metric(v.mae)]), el("td", { class: "num" }, [metric(v.rmse)]),
        el("td", { class: "backtest", title: fingerprint ? "backtest fingerprint " + fingerprint : "no stored backtest" },
           [fingerprint ? (v.backtested_at || "backtested") : el("span", { class: "muted" }, ["none stored"])])]));
    });
    return el("section", { class: "formula", "data-formula": name }, [
      el("h3", {}, [el("code", {}, [name]), " ", rollback]),
      el("table", { class: "grid" }, [el("thead", {}, [el("tr", {}, ["version", "", "effective", "r\u00b2", "MAE", "RMSE", "backtest"]
        .map(function (h) { return el("th", {}, [h]); }))]), body])]);
  }

  W.views.push({ signedIn: signedIn, signedOut: signedOut });
})();
"""#

    static let formulasStyle = #"""
#calibration { margin: 8px 0 0; }
#formulas-view section { margin: 0 0 20px; }
#formulas-view table { border-collapse: collapse; }
#formulas-view td, #formulas-view th { padding: 2px 10px 2px 0; text-align: left; vertical-align: baseline; }
#formulas-view tr.version.active td:first-child { font-weight: 600; }
#formulas-view h3 button { font-size: 13px; font-weight: normal; }
.badge { display: inline-block; padding: 0 6px; margin-right: 4px; border-radius: 8px; font-size: 85%; background: var(--soft); border: 1px solid var(--rule); }
.badge.active, .badge.promoted { color: var(--pos); } .badge.untested, .badge.rejected { color: var(--neg); }
.metric-set { white-space: nowrap; }
"""#
}
