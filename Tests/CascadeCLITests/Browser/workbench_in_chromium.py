#!/usr/bin/env python3
"""Uses the workbench of a running `cascade serve` in headless Chromium, as a person would, and
prints what happened as one JSON object on stdout (the sibling of report_in_chromium.py, whose
browser over a DevTools pipe it uses: no port of its own; only 127.0.0.1 is reachable, every
name resolves to nothing, so a request for anything outside the server fails and is still listed):

  states       the page's data-state after each step (login, ready, scenario)
  scenarios    the names the list shows after signing in
  role         the role the page got from GET /v1/me
  write        the write controls ([data-write]) in the page after opening the scenario
  formulas     with --formulas: whether the page offered the Formulas view (formulas_button), the
               write controls in the page then (formulas_write), and the view as drawn: each
               version (formula, version, active, untested, r_squared/mae/rmse exact, their shown
               text, the backtest's hover text), each A/B test (id, status, improvement, both metric
               sets, its buttons); promoted: the same after pressing Promote on --promote ID
  run          with --run: the run status at the end and every status it went through
  rendered     the scenario the result view drew (#view's data-rendered), and its html
  entity       with --entity ID: after a real click on its bar, the waterfall and the run
               explanation as drawn (fetched from the explain endpoint), as report_in_chromium.py
  key_in_url   whether the key appears in the address; stored: whether sessionStorage holds it
  document     the status and headers of the page's own response (CSP, nosniff, ...)
  requests     every URL asked for; problems: console errors and warnings, exceptions, log errors
  screenshot   as report_in_chromium.py

Used by WorkbenchBrowserTests: workbench_in_chromium.py http://127.0.0.1:PORT/ --key KEY --open NAME --run
                               workbench_in_chromium.py http://127.0.0.1:PORT/ --key KEY --formulas --promote ID
"""
import argparse, base64, json, os, shutil, sys, tempfile, time

sys.dont_write_bytecode = True  # no __pycache__ beside the tests

from report_in_chromium import Browser, DEADLINE, WATERFALL, evaluate, png_stats, problems_in


def wait_until(browser, session, expression, what):
    """Waits (up to the deadline) for `expression` to be true in the page; polls, never a fixed delay."""
    until = time.monotonic() + DEADLINE
    while True:
        if evaluate(browser, session, "!!(%s)" % expression):
            return
        if time.monotonic() > until:
            state = evaluate(browser, session, "document.documentElement.getAttribute('data-state') + ' ' + "
                                               "(document.getElementById('detail') || {}).textContent")
            raise SystemExit("workbench: no %s within %.0f s; page state: %s; problems: %s" % (
                what, DEADLINE, state, problems_in(browser.events)))
        time.sleep(0.05)


def click(browser, session, selector):
    box = json.loads(evaluate(browser, session, """JSON.stringify((function () {
      var e = document.querySelector(%s); if (!e) return null;
      e.scrollIntoView({block: 'center'}); var r = e.getBoundingClientRect();
      return {x: r.left + r.width / 2, y: r.top + r.height / 2};
    })())""" % json.dumps(selector)))
    if box is None:
        raise SystemExit("workbench: nothing matches %s" % selector)
    for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
        browser.send("Input.dispatchMouseEvent", {"type": kind, "x": box["x"], "y": box["y"], "button": "left",
                                                  "clickCount": 1}, session)


FORMULAS_VIEW = """JSON.stringify((function () {
  function num(cell) { var n = cell && cell.querySelector('.metric'); return n ? {value: Number(n.getAttribute('data-value')), shown: n.textContent} : null; }
  function attr(e, name) { return e ? e.getAttribute(name) : null; }
  var action = document.getElementById('formula-action');
  return {
    loaded: attr(document.getElementById('formulas-view'), 'data-loaded'),
    action: action ? {status: action.getAttribute('data-status'), text: action.textContent} : null,
    versions: Array.prototype.map.call(document.querySelectorAll('#formulas-view tr.version'), function (tr) {
      var cells = tr.querySelectorAll('td');
      return {formula: tr.closest('section').getAttribute('data-formula'), version: Number(tr.getAttribute('data-version')),
              active: tr.getAttribute('data-active') === 'true', untested: tr.getAttribute('data-untested') === 'true',
              r_squared: num(cells[3]), mae: num(cells[4]), rmse: num(cells[5]), backtest_hover: cells[6].getAttribute('title'),
              marks: cells[1].textContent};
    }),
    tests: Array.prototype.map.call(document.querySelectorAll('#formulas-view tr.ab-test'), function (tr) {
      var sets = tr.querySelectorAll('.metric-set'), imp = tr.querySelector('td.num .num');
      return {id: tr.getAttribute('data-id'), status: tr.getAttribute('data-status'),
              improvement: imp ? {value: Number(imp.getAttribute('data-value')), shown: imp.textContent} : null,
              control: sets[0] ? {fingerprint: sets[0].getAttribute('data-fingerprint'), text: sets[0].textContent} : null,
              treatment: sets[1] ? {fingerprint: sets[1].getAttribute('data-fingerprint'), text: sets[1].textContent} : null,
              buttons: Array.prototype.map.call(tr.querySelectorAll('button[data-write]'), function (b) { return b.getAttribute('data-write'); })};
    }),
    rollback: Array.prototype.map.call(document.querySelectorAll('#formulas-view button[data-write=rollback]'), function (b) { return b.getAttribute('data-formula'); })
  };
})())"""


def write_controls(browser, session):
    return json.loads(evaluate(browser, session, "JSON.stringify(Array.prototype.map.call("
                                                 "document.querySelectorAll('[data-write]'), function (e) { return e.getAttribute('data-write'); }))"))


def formulas(browser, session, seen, promote):
    """Opens the Formulas view if the page offers it; with `promote`, presses that test's Promote."""
    seen["formulas_button"] = evaluate(browser, session, "!!document.getElementById('formulas-button')")
    if seen["formulas_button"]:
        click(browser, session, "#formulas-button")
        wait_until(browser, session, "document.getElementById('formulas-view') && document.getElementById('formulas-view').getAttribute('data-loaded')",
                   "formulas view")
        seen["states"].append(state(browser, session))
        seen["formulas"] = json.loads(evaluate(browser, session, FORMULAS_VIEW))
        if promote:
            click(browser, session, "#formulas-view tr.ab-test[data-id=%s] button[data-write=promote]" % json.dumps(promote))
            wait_until(browser, session, "document.getElementById('formulas-view') && document.getElementById('formulas-view').getAttribute('data-loaded') !== %s"
                       " && document.getElementById('formula-action').getAttribute('data-status')" % json.dumps(seen["formulas"]["loaded"]),
                       "formulas view after Promote")
            seen["promoted"] = json.loads(evaluate(browser, session, FORMULAS_VIEW))
    seen["formulas_write"] = write_controls(browser, session)


def state(browser, session):
    return evaluate(browser, session, "document.documentElement.getAttribute('data-state')")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    parser.add_argument("--key", required=True)
    parser.add_argument("--open", help="the name of a scenario to open")
    parser.add_argument("--run", action="store_true", help="press Run and wait for the run to finish")
    parser.add_argument("--formulas", action="store_true", help="after signing in, open the Formulas view if the page offers it")
    parser.add_argument("--promote", help="with --formulas: press Promote on the A/B test with this id")
    parser.add_argument("--entity", help="with --open: click this entity's bar and wait for its explanation")
    parser.add_argument("--screenshot", help="also save the screenshot here")
    arguments = parser.parse_args()

    profile = tempfile.mkdtemp(prefix="cascade-chromium-")
    log = open(os.path.join(profile, "chromium.log"), "wb")
    browser = Browser(arguments.chromium, profile, log, loopback=True)
    seen = {"url": arguments.url, "states": []}
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            browser.send(domain + ".enable", {}, session)
        browser.send("Emulation.setDeviceMetricsOverride",
                     {"width": 1400, "height": 1000, "deviceScaleFactor": 1, "mobile": False}, session)
        browser.send("Page.navigate", {"url": arguments.url}, session)
        browser.wait_for("Page.loadEventFired")
        wait_until(browser, session, "document.documentElement.getAttribute('data-state') === 'login'", "sign-in form")
        seen["states"].append(state(browser, session))

        click(browser, session, "#key")
        browser.send("Input.insertText", {"text": arguments.key}, session)
        click(browser, session, "#login-button")
        wait_until(browser, session, "document.documentElement.getAttribute('data-state') === 'ready'", "scenario list")
        seen["states"].append(state(browser, session))
        seen["role"] = evaluate(browser, session, "document.documentElement.getAttribute('data-role')")
        seen["scenarios"] = json.loads(evaluate(browser, session, "JSON.stringify(Array.prototype.map.call("
                                                "document.querySelectorAll('#scenario-list li.scenario'), function (li) { return li.getAttribute('data-name'); }))"))

        if arguments.formulas:
            formulas(browser, session, seen, arguments.promote)
        if arguments.open:
            click(browser, session, "#scenario-search")
            browser.send("Input.insertText", {"text": arguments.open}, session)
            click(browser, session, "#scenario-list li.scenario[data-name=%s]" % json.dumps(arguments.open))
            wait_until(browser, session, "document.documentElement.getAttribute('data-state') === 'scenario'", "scenario view")
            seen["states"].append(state(browser, session))
        if arguments.run:
            click(browser, session, "#run-button")
            wait_until(browser, session, "['succeeded', 'failed'].indexOf((document.getElementById('run-status') || "
                                         "{getAttribute: function () { return null; }}).getAttribute('data-status')) >= 0", "finished run")
            seen["run"] = json.loads(evaluate(browser, session, "JSON.stringify({status: document.getElementById('run-status').getAttribute('data-status'), "
                                                                "seen: document.getElementById('run-status').getAttribute('data-seen'), "
                                                                "text: document.getElementById('run-status').textContent})"))
        if arguments.open:
            wait_until(browser, session, "document.getElementById('view') && document.getElementById('view').getAttribute('data-rendered')",
                       "result view")
            seen["rendered"] = evaluate(browser, session, "document.getElementById('view').getAttribute('data-rendered')")
            seen["write"] = write_controls(browser, session)
            if arguments.entity:
                click(browser, session, "tr.mover[data-entity=%s]" % json.dumps(arguments.entity))
                wait_until(browser, session, "(function () { var x = document.getElementById('explanation'); return x && "
                                             "x.getAttribute('data-entity') === %s && x.querySelector('table, .errors'); })()"
                           % json.dumps(arguments.entity), "explanation")
                seen["entity"] = json.loads(evaluate(browser, session, WATERFALL))
        seen["errors"] = evaluate(browser, session, "document.documentElement.getAttribute('data-errors')")
        seen["html"] = evaluate(browser, session, "document.documentElement.outerHTML")
        seen["key_in_url"] = arguments.key in evaluate(browser, session, "location.href")
        seen["stored"] = evaluate(browser, session, "sessionStorage.getItem('cascade-api-key')") == arguments.key
        seen["local_storage"] = evaluate(browser, session, "localStorage.length")

        png = base64.b64decode(browser.send("Page.captureScreenshot", {"format": "png"}, session)["data"])
        if arguments.screenshot:
            with open(arguments.screenshot, "wb") as out:
                out.write(png)
        seen["screenshot"] = png_stats(png)

        evaluate(browser, session, "1")  # a round trip, so events still in flight arrive
        events = browser.events + []
        seen["requests"] = [e["params"]["request"]["url"] for e in events if e.get("method") == "Network.requestWillBeSent"]
        seen["failed_requests"] = [e["params"].get("errorText") for e in events if e.get("method") == "Network.loadingFailed"]
        documents = [e["params"]["response"] for e in events
                     if e.get("method") == "Network.responseReceived" and e["params"].get("type") == "Document"]
        seen["document"] = {"status": documents[0]["status"], "headers": {k.lower(): v for k, v in documents[0]["headers"].items()}} if documents else None
        seen["problems"] = problems_in(events)
    finally:
        browser.close()
        shutil.rmtree(profile, ignore_errors=True)
    json.dump(seen, sys.stdout)


if __name__ == "__main__":
    main()
