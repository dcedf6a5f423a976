extension WorkbenchPage {
    /// The workbench's script, served after the report's renderer in `/assets/workbench.js`.
    /// State for a headless browser: the root element's `data-state` (`login`, `ready`, `scenario`,
    /// `formulas`) and `data-role`; `#run-status`'s `data-status` and `data-seen` (every status it
    /// went through); `#view`'s `data-rendered` (the scenario drawn). API errors are shown, not thrown.
    static let script = #"""
(function () {
  "use strict";
  var KEY = "cascade-api-key";
  var RUNNERS = ["author", "calibrator", "admin"], AUTHORS = ["author", "admin"];
  var root = document.documentElement, el = CascadeReport.el;
  var me = null, scenarios = [], current = null;
  function $(id) { return document.getElementById(id); }
  function may(roles) { return me !== null && roles.indexOf(me.role) >= 0; }

  // One API call with the tab's key in the Authorization header; never rejects on HTTP errors.
  function api(method, path, body) {
    var init = { method: method, cache: "no-store", credentials: "omit", referrerPolicy: "no-referrer",
                 headers: { "Authorization": "Bearer " + (sessionStorage.getItem(KEY) || ""), "Accept": "application/json" } };
    if (body !== undefined) { init.headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
    return fetch(path, init).then(function (response) {
      return response.text().then(function (text) {
        var json = null;
        try { json = text ? JSON.parse(text) : null; } catch (ignored) {}
        return { status: response.status, json: json };
      });
    }, function (error) { return { status: 0, json: { error: { message: String(error) } } }; });
  }
  function problem(reply) {
    var e = reply.json && reply.json.error;
    return e ? e.message + (e.hint ? " \u2014 " + e.hint : "") : "HTTP " + reply.status;
  }
  function message(text, cls) { return el("p", { class: cls || "errors", id: "message" }, [text]); }

  function show(state) {
    root.setAttribute("data-state", state);
    $("login").hidden = state !== "login";
    $("app").hidden = state === "login";
    $("logout").hidden = state === "login";
  }

  function signIn(key) {
    sessionStorage.setItem(KEY, key);
    return api("GET", "/v1/me").then(function (reply) {
      if (reply.status !== 200) {
        sessionStorage.removeItem(KEY);
        show("login");
        $("login-error").textContent = reply.status === 401 ? "That key was refused: " + problem(reply) : problem(reply);
        return;
      }
      me = reply.json;
      root.setAttribute("data-role", me.role);
      $("who").textContent = me.username + " \u00b7 " + me.role;
      $("login-error").textContent = "";
      return loadScenarios().then(function () {
        show("ready");
        CascadeWorkbench.views.forEach(function (view) { view.signedIn(); });
      });
    });
  }

  function loadScenarios() {
    return api("GET", "/v1/scenarios?limit=1000").then(function (reply) {
      if (reply.status !== 200) { $("detail").replaceChildren(message(problem(reply))); return; }
      scenarios = reply.json.scenarios;
      listScenarios();
    });
  }

  function hasResult(s) { return s.result_fingerprint !== null && s.result_fingerprint !== undefined; }

  function listScenarios() {
    var q = $("scenario-search").value.trim().toLowerCase();
    var list = $("scenario-list");
    list.replaceChildren();
    scenarios.filter(function (s) { return !q || s.name.toLowerCase().indexOf(q) >= 0 || s.author.toLowerCase().indexOf(q) >= 0; })
      .forEach(function (s) {
        var item = el("li", { class: "scenario" + (current && current.id === s.id ? " selected" : ""), "data-id": s.id, "data-name": s.name,
                              tabindex: "0" }, [
          el("span", { class: "name" }, [s.name]),
          el("span", { class: "muted" }, [" by " + s.author + (s.is_public ? "" : " \u00b7 private") + (hasResult(s) ? "" : " \u00b7 no result yet")])]);
        item.addEventListener("click", function () { open(s.id); });
        item.addEventListener("keydown", function (event) { if (event.key === "Enter") open(s.id); });
        list.appendChild(item);
      });
    if (!list.childNodes.length) list.appendChild(el("li", { class: "muted" }, [scenarios.length ? "No scenario matches." : "No scenarios you can see."]));
  }

  // A scenario: its actions (as the role allows), then its result drawn by the report's renderer.
  function open(id) {
    current = scenarios.filter(function (s) { return s.id === id; })[0];
    if (!current) return;
    listScenarios();
    var detail = $("detail"), actions = el("div", { id: "actions" }), view = el("div", { id: "view" });
    detail.replaceChildren(el("h2", { id: "scenario-title" }, [current.name]), actions, view);
    if (may(RUNNERS)) {
      var button = el("button", { id: "run-button", type: "button", "data-write": "run" }, ["Run"]);
      button.addEventListener("click", function () { run(current.id); });
      actions.appendChild(el("p", {}, [button, " ", el("span", { id: "run-status", class: "muted" })]));
    }
    var others = scenarios.filter(function (s) { return s.id !== current.id && hasResult(s); });
    if (others.length) {
      var select = el("select", { id: "compare-with", "aria-label": "compare with" },
                      others.map(function (s) { return el("option", { value: s.id }, [s.name + " (" + s.author + ")"]); }));
      var compareButton = el("button", { id: "compare-button", type: "button" }, ["Compare"]);
      compareButton.addEventListener("click", function () { compare(current.id, select.value); });
      actions.appendChild(el("p", {}, ["Compare with ", select, " ", compareButton]));
    }
    if (may(AUTHORS)) actions.appendChild(whatIfForm(current.id));
    root.setAttribute("data-state", "scenario");
    if (hasResult(current)) draw(current.id, null);
    else view.replaceChildren(message(may(RUNNERS) ? "No result yet: run it." : "No result yet.", "muted"));
  }

  function draw(id, diff) {
    var view = $("view");
    return api("GET", "/v1/scenarios/" + encodeURIComponent(id) + "/report").then(function (reply) {
      if (!view.isConnected) return;
      if (reply.status !== 200) { view.replaceChildren(message(problem(reply))); return; }
      var data = reply.json;
      data.diff = diff;
      try {
        CascadeReport.render(view, data, { explain: function (entity) { return explain(id, entity); } });
        view.setAttribute("data-rendered", id);
      } catch (error) {
        CascadeReport.fail(error && error.stack ? error.stack : error);
      }
    });
  }

  // An entity's run explanation (its own contributions), for the report's entity view.
  function explain(id, entity) {
    return api("GET", "/v1/scenarios/" + encodeURIComponent(id) + "/explain?depth=1&entity=" + encodeURIComponent(entity)).then(function (reply) {
      return reply.status === 200 ? { explanation: reply.json } : { error: problem(reply) };
    });
  }

  function status(text, detail) {
    var box = $("run-status");
    if (!box) return;
    var seen = (box.getAttribute("data-seen") || "").split(" ").filter(Boolean);
    if (seen[seen.length - 1] !== text) seen.push(text);
    box.setAttribute("data-status", text);
    box.setAttribute("data-seen", seen.join(" "));
    box.textContent = text + (detail ? ": " + detail : "");
  }

  // POST a run; a queued one is watched (long polls of GET /v1/runs/{id}) until it finishes.
  function run(id) {
    $("run-status").removeAttribute("data-seen");
    $("run-button").disabled = true;
    api("POST", "/v1/scenarios/" + encodeURIComponent(id) + "/runs?entities=false").then(function (reply) { follow(id, reply); });
  }
  function follow(id, reply) {
    if (reply.status === 202) {
      status(reply.json.status, "request " + reply.json.id);
      api("GET", "/v1/runs/" + encodeURIComponent(reply.json.id) + "?wait=2&entities=false").then(function (next) { follow(id, next); });
      return;
    }
    if ($("run-button")) $("run-button").disabled = false;
    if (reply.status !== 200) { status("failed", problem(reply)); return; }
    status("succeeded", reply.json.cached ? "cached result" : "computed");
    loadScenarios().then(function () { if (current && current.id === id) draw(id, null); });
  }

  function compare(a, b) {
    $("view").replaceChildren(message("comparing\u2026", "muted"));
    api("GET", "/v1/scenarios/" + encodeURIComponent(a) + "/diff/" + encodeURIComponent(b)).then(function (reply) {
      if (reply.status !== 200) { $("view").replaceChildren(message(problem(reply))); return; }
      draw(a, reply.json);
    });
  }

  // A copy of the scenario's macro values in a form; submitting runs the what-if and shows its diff.
  function whatIfForm(id) {
    var form = el("form", { id: "whatif-form", "data-write": "whatif" }, [el("h3", {}, ["What if\u2026 (a copy; the scenario is not changed)"])]);
    var fields = el("div", { class: "fields" });
    form.appendChild(fields);
    api("GET", "/v1/scenarios/" + encodeURIComponent(id)).then(function (reply) {
      var values = (reply.json && reply.json.scenario && reply.json.scenario.macro_variables) || {};
      Object.keys(values).sort().forEach(function (name) {
        fields.appendChild(el("label", {}, [el("code", {}, [name]), " ",
          el("input", { type: "number", step: "any", name: name, value: String(values[name]), "data-original": String(values[name]) })]));
      });
    });
    form.appendChild(el("p", {}, [el("button", { id: "whatif-button", type: "submit" }, ["Run what-if"])]));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var set = {}, count = 0;
      Array.prototype.forEach.call(fields.querySelectorAll("input"), function (input) {
        if (input.value !== input.getAttribute("data-original")) { set[input.name] = Number(input.value); count++; }
      });
      if (!count) { $("view").replaceChildren(message("Change a value first.", "muted")); return; }
      $("view").replaceChildren(message("running the what-if\u2026", "muted"));
      api("POST", "/v1/whatif", { base: id, set: set }).then(function (reply) {
        if (reply.status !== 200) { $("view").replaceChildren(message(problem(reply))); return; }
        loadScenarios().then(function () { draw(id, reply.json); });
      });
    });
    return form;
  }

  $("login").addEventListener("submit", function (event) {
    event.preventDefault();
    var key = $("key").value.trim();
    $("key").value = "";
    if (key) signIn(key);
  });
  $("logout").addEventListener("click", function () {
    sessionStorage.removeItem(KEY);
    me = null; current = null;
    root.removeAttribute("data-role");
    $("who").textContent = "";
    $("detail").replaceChildren(el("p", { class: "muted" }, ["Choose a scenario."]));
    CascadeWorkbench.views.forEach(function (view) { view.signedOut(); });
    show("login");
  });
  $("scenario-search").addEventListener("input", listScenarios);

  // What the other views of the workbench (WorkbenchPage+Formulas) use; each view in `views` is
  // told when a key signs in ({signedIn, signedOut}) and draws its own controls for the role.
  window.CascadeWorkbench = {
    api: api, problem: problem, message: message, may: may, views: [],
    leaveScenario: function () { current = null; listScenarios(); }
  };

  var saved = sessionStorage.getItem(KEY);
  if (saved) signIn(saved); else show("login");
})();
"""#
}
