#!/usr/bin/env python3
"""Opens a `cascade report` page in headless Chromium over the DevTools protocol (on a pipe, so
no port at all) and prints what a person would have seen, as one JSON object on stdout:

  requests     every URL the page asked for (the page itself should be the only one)
  problems     console errors and warnings, uncaught exceptions, and log entries of level error
  load_ms      from navigating to the load event (the script runs before it)
  rendered     the root element's data-rendered; errors: its data-errors (the page writes both)
  html         the DOM after the script ran
  heatmap      the sensitivity heat map (null when the page has none): its column keys and per row
               the entity, each cell's exact value (data-value, or "undefined") and how many are coloured
  clicks       per `--click SELECTOR`: a real mouse click at the element's centre, then the
               selected entity and its waterfall (the step values and the unclamped impact), and
               its explanation as drawn (per contribution the exact numbers, in data-value)
  search       the same after typing `--search TEXT` into the search box and pressing Enter
  pdf          with --pdf: the page printed to PDF (its size and page count)
  fragment     the same after opening PAGE#entity=ID (with --fragment ID)
  screenshot   width, height, distinct colours and the share of pixels unlike the background

Name resolution maps every host to nothing and the proxy is an unreachable address, so any request
the page made for something outside itself would fail and still be listed. Used by
ReportBrowserTests; runnable by hand: report_in_chromium.py report.html --click 'tr.mover'.
"""
import argparse, json, os, queue, shutil, struct, subprocess, sys, tempfile, threading, time, zlib

DEADLINE = 60.0  # seconds: a safety net for each wait, never a delay


class Browser:
    def __init__(self, chromium, profile, log, loopback=False):
        """With `loopback`, pages may reach 127.0.0.1 (a server under test); nothing else either way."""
        to_child_read, self.to_child = os.pipe()
        self.from_child, from_child_write = os.pipe()

        def wire():  # in the child: DevTools reads commands on fd 3 and writes replies on fd 4
            # (copied out of the way first: the pipes themselves may have been given fds 3 and 4)
            read_end, write_end = os.dup(to_child_read), os.dup(from_child_write)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)
            os.set_inheritable(3, True)
            os.set_inheritable(4, True)

        self.process = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
             "--user-data-dir=" + profile, "--no-first-run", "--no-default-browser-check",
             "--disable-extensions", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--host-resolver-rules=MAP * ~NOTFOUND" + (", EXCLUDE 127.0.0.1" if loopback else ""), "--proxy-server=http://0.0.0.0:1",
             "--proxy-bypass-list=" + ("127.0.0.1" if loopback else "<-loopback>"), "--hide-scrollbars", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log,
            preexec_fn=wire, close_fds=False)
        os.close(to_child_read)
        os.close(from_child_write)
        self.messages = queue.Queue()
        self.events = []
        self.next_id = 0
        threading.Thread(target=self.read, daemon=True).start()

    def read(self):
        buffer = b""
        while True:
            chunk = os.read(self.from_child, 1 << 16)
            if not chunk:
                self.messages.put(None)
                return
            buffer += chunk
            while b"\0" in buffer:
                message, buffer = buffer.split(b"\0", 1)
                self.messages.put(json.loads(message))

    def next_message(self, until, waiting_for):
        try:
            message = self.messages.get(timeout=max(0.01, until - time.monotonic()))
        except queue.Empty:
            raise SystemExit("chromium: no %s within %.0f s; events seen: %s" % (
                waiting_for, DEADLINE, [e.get("method") for e in self.events][-20:]))
        if message is None:
            raise SystemExit("chromium exited while waiting for %s (status %s)" % (waiting_for, self.process.poll()))
        return message

    def send(self, method, params=None, session=None):
        self.next_id += 1
        command = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            command["sessionId"] = session
        os.write(self.to_child, json.dumps(command).encode() + b"\0")
        until = time.monotonic() + DEADLINE
        while True:
            message = self.next_message(until, "reply to " + method)
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise SystemExit("chromium: %s failed: %s" % (method, message["error"]))
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, method):
        for i, event in enumerate(self.events):
            if event.get("method") == method:
                del self.events[i]
                return event
        until = time.monotonic() + DEADLINE
        while True:
            message = self.next_message(until, method)
            if message.get("method") == method:
                return message
            self.events.append(message)

    def close(self):
        try:
            self.send("Browser.close")
        except SystemExit:
            pass
        try:
            self.process.wait(timeout=DEADLINE)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def png_stats(png):
    """Width, height, distinct colours and the share of pixels unlike the most common one."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, idat, header = 8, b"", None
    while position < len(png):
        length, kind = struct.unpack(">I4s", png[position:position + 8])
        body = png[position + 8:position + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    width, height, depth, colour_type, _, _, interlace = header
    assert depth == 8 and colour_type in (2, 6) and interlace == 0, "unexpected PNG format %s" % (header,)
    channels = 3 if colour_type == 2 else 4
    raw, stride = zlib.decompress(idat), width * channels
    previous, counts, at = bytearray(stride), {}, 0
    for _ in range(height):
        kind, line = raw[at], bytearray(raw[at + 1:at + 1 + stride])
        at += 1 + stride
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        for i in range(0, stride, channels):
            colour = bytes(line[i:i + 3])
            counts[colour] = counts.get(colour, 0) + 1
        previous = line
    background = max(counts.values())
    return {"width": width, "height": height, "colours": len(counts),
            "non_background": 1 - background / float(width * height)}


WATERFALL = """JSON.stringify((function () {
  var w = document.getElementById('waterfall');
  var value = function (role) { var r = w && w.querySelector('rect[data-role=' + role + ']'); return r ? r.getAttribute('data-value') : null; };
  return {selected: document.documentElement.getAttribute('data-selected'), waterfall: w ? w.getAttribute('data-entity') : null,
          steps: w ? Array.prototype.map.call(w.querySelectorAll('rect[data-role=contribution]'), function (r) { return r.getAttribute('data-value'); }) : [],
          unclamped: value('unclamped'), clamp: value('clamp'), impact: value('impact'),
          shown_impact: (document.querySelector('#entity-panel .impact') || {}).title || null,
          explanation: EXPLANATION};
})())""".replace("EXPLANATION", """(function () {
    var x = document.getElementById('explanation');
    if (!x) return null;
    var exact = function (node, role) { var n = node.querySelector('.' + role); return n ? n.getAttribute('data-value') : null; };
    return {entity: x.getAttribute('data-entity'), fingerprint: x.getAttribute('data-fingerprint'), text: x.textContent,
            rows: Array.prototype.map.call(x.querySelectorAll('tr.explain-row'), function (r) {
              return {source: r.getAttribute('data-source'), formula: (r.querySelector('code.formula') || {}).textContent || null,
                      inputs: Array.prototype.map.call(r.querySelectorAll('li[data-path]'), function (i) {
                        return [i.getAttribute('data-path'), exact(i, 'input-scenario'), exact(i, 'input-baseline')]; }),
                      scenario_result: exact(r, 'scenario-result'), baseline_result: exact(r, 'baseline-result'),
                      difference: exact(r, 'difference'), value: exact(r, 'value')}; }),
            unclamped: exact(x, 'unclamped'), impact: exact(x, 'impact'),
            clamp: [exact(x, 'clamp-low'), exact(x, 'clamp-high')]};
  })()""")


HEATMAP = """JSON.stringify((function () {
  var t = document.getElementById('heatmap');
  if (!t) return null;
  return {keys: Array.prototype.map.call(t.querySelectorAll('th[data-key]'), function (h) { return h.getAttribute('data-key'); }),
          rows: Array.prototype.map.call(t.querySelectorAll('tr.heat-row'), function (r) {
            var cells = {};
            Array.prototype.forEach.call(r.querySelectorAll('td.heat'), function (c) {
              var n = c.querySelector('[data-value]');
              cells[c.getAttribute('data-key')] = n ? n.getAttribute('data-value') : (c.classList.contains('undefined') ? 'undefined' : null);
            });
            return {entity: r.getAttribute('data-entity'), cells: cells,
                    coloured: Array.prototype.filter.call(r.querySelectorAll('td.heat'), function (c) { return !!c.style.backgroundColor; }).length};
          })};
})())"""


BANDS = """JSON.stringify((function () {
  var s = document.getElementById('bands');
  if (!s) return null;
  var value = function (node) { return node ? node.getAttribute('data-value') : null; };
  var title = function (node) { var t = node && node.querySelector('title'); return t ? t.textContent : null; };
  return {note: (s.querySelector('p.note') || {}).textContent || null,
          levels: Array.prototype.map.call(s.querySelectorAll('table.bands'), function (t) {
            return {level: t.getAttribute('data-level'), rows: Array.prototype.map.call(t.querySelectorAll('tr.band-row'), function (r) {
              var cells = {}, titles = {};
              Array.prototype.forEach.call(r.querySelectorAll('td[data-quantile]'), function (c) {
                var n = c.querySelector('[data-value]');
                cells[c.getAttribute('data-quantile')] = value(n);
                titles[c.getAttribute('data-quantile')] = n ? n.getAttribute('title') : null;
              });
              var outer = r.querySelector('[data-role=outer]'), inner = r.querySelector('[data-role=inner]'), median = r.querySelector('[data-role=median]');
              return {entity: r.getAttribute('data-entity'), cells: cells, titles: titles,
                      outer: value(outer), inner: value(inner), median: value(median),
                      outer_title: title(outer), inner_title: title(inner), median_title: title(median),
                      outer_width: outer ? Number(outer.getAttribute('width')) : 0, inner_width: inner ? Number(inner.getAttribute('width')) : 0};
            })};
          })};
})())"""


def evaluate(browser, session, expression):
    reply = browser.send("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session)
    if "exceptionDetails" in reply:
        raise SystemExit("evaluating in the page failed: %s" % reply["exceptionDetails"])
    return reply["result"].get("value")


def open_page(browser, session, url):
    browser.send("Page.navigate", {"url": url}, session)
    browser.wait_for("Page.loadEventFired")


def click(browser, session, selector):
    box = evaluate(browser, session, """JSON.stringify((function () {
      var e = document.querySelector(%s); if (!e) return null;
      e.scrollIntoView({block: 'center'}); var r = e.getBoundingClientRect();
      return {x: r.left + r.width / 2, y: r.top + r.height / 2};
    })())""" % json.dumps(selector))
    box = json.loads(box)
    if box is None:
        return {"selector": selector, "found": False}
    for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
        browser.send("Input.dispatchMouseEvent", {"type": kind, "x": box["x"], "y": box["y"], "button": "left",
                                                  "clickCount": 1}, session)
    outcome = json.loads(evaluate(browser, session, WATERFALL))
    outcome.update({"selector": selector, "found": True})
    return outcome


def search(browser, session, text):
    """Types `text` into the search box and presses Enter, as a person would."""
    click(browser, session, "#entity-search")
    browser.send("Input.insertText", {"text": text}, session)
    for kind in ("rawKeyDown", "char", "keyUp"):
        key = {"type": kind, "key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13}
        if kind == "char":
            key["text"] = "\r"
        browser.send("Input.dispatchKeyEvent", key, session)
    outcome = json.loads(evaluate(browser, session, WATERFALL))
    outcome["search"] = text
    return outcome


def problems_in(events):
    """Console errors and warnings, uncaught exceptions, and log entries of level error or warning."""
    problems = []
    for e in events:
        method, params = e.get("method"), e.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning", "assert"):
            problems.append("console.%s: %s" % (params["type"], " ".join(str(a.get("value", a.get("description"))) for a in params.get("args", []))))
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            problems.append("exception: %s" % (details.get("exception", {}).get("description") or details.get("text")))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") in ("error", "warning"):
            problems.append("log: %s" % params["entry"].get("text"))
    return problems


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("page")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    parser.add_argument("--click", action="append", default=[], help="a CSS selector to click (in order)")
    parser.add_argument("--search", help="a name to type into the search box (after the clicks)")
    parser.add_argument("--fragment", help="an entity id to open with #entity=ID")
    parser.add_argument("--pdf", action="store_true", help="also print the page to PDF and count its pages")
    parser.add_argument("--screenshot", help="also save the screenshot here")
    arguments = parser.parse_args()
    url = "file://" + os.path.abspath(arguments.page)

    profile = tempfile.mkdtemp(prefix="cascade-chromium-")
    log = open(os.path.join(profile, "chromium.log"), "wb")
    browser = Browser(arguments.chromium, profile, log)
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            browser.send(domain + ".enable", {}, session)
        browser.send("Emulation.setDeviceMetricsOverride",
                     {"width": 1280, "height": 1000, "deviceScaleFactor": 1, "mobile": False}, session)
        started = time.monotonic()
        open_page(browser, session, url)
        report = {"url": url, "load_ms": round((time.monotonic() - started) * 1000),
                  "rendered": evaluate(browser, session, "document.documentElement.getAttribute('data-rendered')"),
                  "errors": evaluate(browser, session, "document.documentElement.getAttribute('data-errors')"),
                  "html": evaluate(browser, session, "document.documentElement.outerHTML"),
                  "heatmap": json.loads(evaluate(browser, session, HEATMAP)),
                  "bands": json.loads(evaluate(browser, session, BANDS))}
        shot = browser.send("Page.captureScreenshot", {"format": "png"}, session)
        png = __import__("base64").b64decode(shot["data"])
        if arguments.screenshot:
            with open(arguments.screenshot, "wb") as out:
                out.write(png)
        report["screenshot"] = png_stats(png)
        report["clicks"] = [click(browser, session, selector) for selector in arguments.click]
        if arguments.search:
            report["search"] = search(browser, session, arguments.search)
        if arguments.pdf:
            pdf = __import__("base64").b64decode(browser.send("Page.printToPDF", {"printBackground": True}, session)["data"])
            report["pdf"] = {"bytes": len(pdf), "pages": len(__import__("re").findall(rb"/Type\s*/Page(?!s)", pdf))}
        if arguments.fragment:
            open_page(browser, session, "about:blank")
            open_page(browser, session, url + "#entity=" + arguments.fragment)
            report["fragment"] = json.loads(evaluate(browser, session, WATERFALL))
        # Let events still in flight arrive: a round trip after the last page action.
        evaluate(browser, session, "1")
        events = browser.events + []
        report["requests"] = [e["params"]["request"]["url"] for e in events if e.get("method") == "Network.requestWillBeSent"]
        report["failed_requests"] = [e["params"].get("errorText") for e in events if e.get("method") == "Network.loadingFailed"]
        report["problems"] = problems_in(events)
    finally:
        browser.close()
        shutil.rmtree(profile, ignore_errors=True)
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
