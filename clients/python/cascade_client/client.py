"""`Client`: one method per endpoint of the Cascade HTTP API, and `CascadeError` for its refusals.

Every method returns the response's JSON (a dict), or None for an empty 204. Every error the API
answers with (`{"error": {status, code, message, path?, hint?, problems?}}`) is raised as a
`CascadeError` carrying those fields; a server that cannot be reached raises `CascadeError` with
the code `unreachable`.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Dict, List, Mapping, Optional, Sequence

JSON = Dict[str, Any]


class CascadeError(Exception):
    """A request the API refused (or could not answer): its HTTP status, stable code, message,
    the JSON path or parameter at fault, a hint, and every problem when there are several."""

    def __init__(self, status: int, code: str, message: str, path: Optional[str] = None,
                 hint: Optional[str] = None, problems: Optional[List[JSON]] = None) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.path = path
        self.hint = hint
        self.problems = problems or []
        super().__init__(str(self))

    def __str__(self) -> str:
        text = f"{self.code} ({self.status}): {self.message}"
        if self.path:
            text += f" at {self.path}"
        if self.hint:
            text += f"; {self.hint}"
        for problem in self.problems:  # the message may only count them: list each, the first too
            text += f"\n  {problem.get('path', '')}: {problem.get('message', '')}"
        return text


class Client:
    """A connection to one Cascade server with one API key (`cascade user add NAME --role ROLE`).

    `timeout` is the socket timeout in seconds for each request; waiting for a run adds the
    seconds the server is asked to wait.
    """

    def __init__(self, base_url: str, api_key: Optional[str] = None, timeout: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout

    # -- transport ---------------------------------------------------------------------------

    def request(self, method: str, path: str, body: Any = None, query: Optional[Mapping[str, Any]] = None,
                timeout: Optional[float] = None) -> Optional[JSON]:
        """One request: `body` is sent as JSON, `query` values as text (booleans as true/false,
        None left out). Returns the JSON answer, or None for 204; raises `CascadeError`."""
        return self._send(method, path, body, query, timeout)[1]

    def _send(self, method: str, path: str, body: Any = None, query: Optional[Mapping[str, Any]] = None,
              timeout: Optional[float] = None) -> "tuple[int, Optional[JSON]]":
        """`request`, with the HTTP status of the answer."""
        url = self.base_url + path
        params = {k: _query_value(v) for k, v in (query or {}).items() if v is not None}
        if params:
            url += "?" + urllib.parse.urlencode(params)
        data = None
        headers = {"Accept": "application/json"}
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=timeout or self.timeout) as response:
                status, text = response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            raise _error_from(error.code, error.read().decode("utf-8", "replace")) from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise CascadeError(0, "unreachable", f"cannot reach {self.base_url}: {reason}",
                               hint="is `cascade serve` running, and is the URL right?") from None
        return status, (json.loads(text) if text.strip() else None)

    def _path(self, *parts: Any) -> str:
        return "/" + "/".join(urllib.parse.quote(str(p), safe="") for p in parts)

    # -- health ------------------------------------------------------------------------------

    def health(self) -> JSON:
        """`GET /v1/health`: the server and its store are up (no key needed)."""
        return self.request("GET", "/v1/health")

    # -- scenarios ---------------------------------------------------------------------------

    def scenarios(self, author: Optional[str] = None, limit: Optional[int] = None, offset: Optional[int] = None) -> List[JSON]:
        """`GET /v1/scenarios`: the scenarios you can see, newest first."""
        return self.request("GET", "/v1/scenarios", query={"author": author, "limit": limit, "offset": offset})["scenarios"]

    def submit_scenario(self, document: Mapping[str, Any]) -> JSON:
        """`POST /v1/scenarios` (author, admin): stores a scenario document (docs/formats.md); returns it with its `id`."""
        return self.request("POST", "/v1/scenarios", document)

    def scenario(self, scenario_id: str) -> JSON:
        """`GET /v1/scenarios/{id}`: one scenario."""
        return self.request("GET", self._path("v1", "scenarios", scenario_id))

    def replace_scenario(self, scenario_id: str, document: Mapping[str, Any]) -> JSON:
        """`PUT /v1/scenarios/{id}` (its author, admin): replaces a scenario's document."""
        return self.request("PUT", self._path("v1", "scenarios", scenario_id), document)

    def delete_scenario(self, scenario_id: str) -> None:
        """`DELETE /v1/scenarios/{id}` (its author, admin)."""
        self.request("DELETE", self._path("v1", "scenarios", scenario_id))

    # -- runs --------------------------------------------------------------------------------

    def run(self, scenario_id: str, force: bool = False, entities: bool = True, wait: float = 300.0,
            use: Optional[Sequence[str]] = None) -> JSON:
        """Runs a scenario and returns its result (`POST /v1/scenarios/{id}/runs`), or the cached
        result when nothing changed since (unless `force`). `use` pins formula versions
        (`["NAME@V", ...]`, as `cascade run --use`): that run binds them in place of the active
        ones, at once and outside the cache (its result lists them under `pinned`). Waits up to `wait` seconds, asking the
        server to hold each request (`?wait=`) and then polling `GET /v1/runs/{id}`; raises
        `CascadeError` (code `run_failed`) when the run fails and `timeout` when it is not done in time."""
        deadline = time.monotonic() + wait
        hold = _hold(deadline)
        status, answer = self._send("POST", self._path("v1", "scenarios", scenario_id, "runs"),
                                    query={"force": force or None, "entities": entities, "wait": hold,
                                           "use": ",".join(use) if use else None}, timeout=self.timeout + hold)
        while status == 202:
            hold = _hold(deadline)
            if hold == 0:
                raise CascadeError(0, "timeout", f"run {answer.get('id')} of scenario {scenario_id} is not done after {wait:g} s",
                                   hint=f"get_run({answer.get('id')!r}) shows it later")
            status, answer = self._send("GET", self._path("v1", "runs", answer["id"]), query={"wait": hold, "entities": entities},
                                        timeout=self.timeout + hold)
        return answer

    def get_run(self, run_id: str, wait: int = 0, entities: bool = True) -> JSON:
        """`GET /v1/runs/{id}`: a run request (status `queued`/`running`) or, once done, its result."""
        return self.request("GET", self._path("v1", "runs", run_id), query={"wait": wait or None, "entities": entities},
                            timeout=self.timeout + wait)

    def result(self, scenario_id: str, entities: bool = True) -> JSON:
        """`GET /v1/scenarios/{id}/result`: the scenario's last result."""
        return self.request("GET", self._path("v1", "scenarios", scenario_id, "result"), query={"entities": entities})

    def diff(self, scenario_id: str, other_id: str, limit: Optional[int] = None) -> JSON:
        """`GET /v1/scenarios/{id}/diff/{other}`: two stored results compared, largest changes first."""
        return self.request("GET", self._path("v1", "scenarios", scenario_id, "diff", other_id), query={"limit": limit})

    def explain(self, scenario_id: str, entity: str, depth: Optional[int] = None) -> JSON:
        """`GET /v1/scenarios/{id}/explain`: why an entity moved — its contributions and their sources."""
        return self.request("GET", self._path("v1", "scenarios", scenario_id, "explain"), query={"entity": entity, "depth": depth})

    def impact(self, result: Mapping[str, Any], entity: str) -> float:
        """The impact of the entity with this id (or name) in a run result; KeyError if it is not there."""
        for row in result.get("entities", []):
            if row.get("id") == entity or row.get("name") == entity:
                return row["impact"]
        raise KeyError(f"no entity {entity!r} in the result of scenario {result.get('scenario_id')}")

    # -- what-if -----------------------------------------------------------------------------

    def what_if(self, base: str, set: Optional[Mapping[str, Any]] = None, shocks: Optional[Mapping[str, Any]] = None,
                levels: Optional[Mapping[str, Any]] = None, save: Optional[str] = None) -> JSON:
        """`POST /v1/whatif` (author, admin): runs a visible scenario with changes and compares it
        with the base; `save` keeps the session under that name."""
        body: JSON = {"base": base}
        for key, value in (("set", set), ("shocks", shocks), ("levels", levels), ("save", save)):
            if value is not None:
                body[key] = value
        return self.request("POST", "/v1/whatif", body)

    def what_if_sessions(self) -> List[JSON]:
        """`GET /v1/whatif`: your saved what-if sessions."""
        return self.request("GET", "/v1/whatif")["sessions"]

    def what_if_session(self, session_id: str) -> JSON:
        """`GET /v1/whatif/{id}`: one of your sessions with its history."""
        return self.request("GET", self._path("v1", "whatif", session_id))

    def what_if_change(self, session_id: str, set: Optional[Mapping[str, Any]] = None,
                       shocks: Optional[Mapping[str, Any]] = None, levels: Optional[Mapping[str, Any]] = None) -> JSON:
        """`POST /v1/whatif/{id}/changes`: adds changes to an active session and runs it again."""
        body = {k: v for k, v in (("set", set), ("shocks", shocks), ("levels", levels)) if v is not None}
        return self.request("POST", self._path("v1", "whatif", session_id, "changes"), body)

    def complete_what_if(self, session_id: str) -> JSON:
        """`POST /v1/whatif/{id}/complete`."""
        return self.request("POST", self._path("v1", "whatif", session_id, "complete"))

    def cancel_what_if(self, session_id: str) -> JSON:
        """`POST /v1/whatif/{id}/cancel`."""
        return self.request("POST", self._path("v1", "whatif", session_id, "cancel"))

    # -- formulas ----------------------------------------------------------------------------

    def formulas(self, as_of: Optional[str] = None) -> List[JSON]:
        """`GET /v1/formulas`: every formula name with its versions' summary."""
        return self.request("GET", "/v1/formulas", query={"as_of": as_of})["formulas"]

    def formula_history(self, name: str) -> List[JSON]:
        """`GET /v1/formulas/{name}`: every version of a formula, oldest first."""
        return self.request("GET", self._path("v1", "formulas", name))["versions"]

    def formula(self, name: str, version: int) -> JSON:
        """`GET /v1/formulas/{name}/versions/{version}`: one version with its document."""
        return self.request("GET", self._path("v1", "formulas", name, "versions", version))

    def register_formula(self, document: Mapping[str, Any], inactive: bool = False, force: bool = False,
                         allow_untested: bool = False, dry_run: bool = False) -> JSON:
        """`POST /v1/formulas` (calibrator, admin): registers a formula version document.

        `inactive` registers a candidate without activating it; `force` registers even when the
        graph's unpinned references could not bind it (a 409 otherwise, every relationship
        listed); `allow_untested` accepts a document without test cases; `dry_run` runs every
        check and answers what would be registered (`dry_run: true`, `breaks`), writing nothing."""
        return self.request("POST", "/v1/formulas", document,
                            query={"inactive": inactive or None, "force": force or None, "allow_untested": allow_untested or None,
                                   "dry_run": dry_run or None})

    def activate_formula(self, name: str, version: int, force: bool = False, dry_run: bool = False) -> JSON:
        """`POST /v1/formulas/{name}/versions/{version}/activate` (calibrator, admin); `dry_run`
        runs the binding check and answers `would_change` and `breaks`, changing nothing."""
        return self.request("POST", self._path("v1", "formulas", name, "versions", version, "activate"),
                            query={"force": force or None, "dry_run": dry_run or None})

    def deactivate_formula(self, name: str, version: int) -> JSON:
        """`POST /v1/formulas/{name}/versions/{version}/deactivate` (calibrator, admin)."""
        return self.request("POST", self._path("v1", "formulas", name, "versions", version, "deactivate"))

    def formula_diff(self, name: str, a: int, b: int, top: Optional[int] = None) -> JSON:
        """`GET /v1/formulas/{name}/diff`: two versions' text difference and the probe points on
        which they compute different values (`identical`, `differing`, `largest`), as
        `cascade formula diff NAME@A NAME@B --json`."""
        return self.request("GET", self._path("v1", "formulas", name, "diff"), query={"a": a, "b": b, "top": top})

    def test_formula(self, name: str, version: int) -> JSON:
        """`POST /v1/formulas/{name}/versions/{version}/test`: re-runs the version's test cases."""
        return self.request("POST", self._path("v1", "formulas", name, "versions", version, "test"))

    def coverage(self, name: str, version: int) -> JSON:
        """`GET /v1/formulas/{name}/versions/{version}/coverage`: which condition outcomes and input
        regions the version's test cases exercise, and the gaps (`findings`)."""
        return self.request("GET", self._path("v1", "formulas", name, "versions", version, "coverage"))

    # -- calibration: backtests, champion and challenger ---------------------------------------

    def backtest(self, name: str, version: int, spec: Mapping[str, Any], store: bool = False) -> JSON:
        """`POST /v1/formulas/{name}/versions/{version}/backtest` (calibrator, admin): n, r², MAE,
        RMSE, bias and the worst dates of the version over the store's history (`spec` as in
        docs/formats.md; its `formula` is set from `name` and `version`). `store` writes the metrics,
        the spec and the fingerprint of the rows read into the version."""
        return self.request("POST", self._path("v1", "formulas", name, "versions", version, "backtest"), dict(spec),
                            query={"store": store or None})

    def compare(self, name: str, control: int, treatment: int, backtest: Mapping[str, Any], metric: Optional[str] = None,
                min_improvement: Optional[float] = None, record: bool = False, test_name: Optional[str] = None,
                scenarios: Optional[Sequence[Mapping[str, Any]]] = None, top: Optional[int] = None) -> JSON:
        """`POST /v1/formulas/{name}/compare` (calibrator, admin): both versions' metrics on one
        backtest, the improvement and the verdict; `record` stores it as an A/B test (`ab_test`).
        Each scenario document of `scenarios` is run under both versions (unstored); the answer's
        `scenarios` lists per scenario how many entities changed and the `top` (3) that changed most."""
        body: JSON = {"control": control, "treatment": treatment, "backtest": dict(backtest)}
        if scenarios is not None:
            body["scenarios"] = [dict(s) for s in scenarios]
        if top is not None:
            body["top"] = top
        if metric is not None:
            body["metric"] = metric
        if min_improvement is not None:
            body["min_improvement"] = min_improvement
        if test_name is not None:
            body["name"] = test_name
        return self.request("POST", self._path("v1", "formulas", name, "compare"), body, query={"record": record or None})

    def ab_tests(self, formula: Optional[str] = None) -> List[JSON]:
        """`GET /v1/ab-tests`: the recorded A/B tests, optionally of one formula."""
        return self.request("GET", "/v1/ab-tests", query={"formula": formula})["tests"]

    def promote(self, test_id: str, force: bool = False) -> JSON:
        """`POST /v1/ab-tests/{id}/promote` (calibrator, admin): activates the treatment and
        deactivates the control (refused with 409 when the treatment would break the graph)."""
        return self.request("POST", self._path("v1", "ab-tests", test_id, "promote"), query={"force": force or None})["ab_test"]

    def reject(self, test_id: str) -> JSON:
        """`POST /v1/ab-tests/{id}/reject` (calibrator, admin): concludes the test, changing no version."""
        return self.request("POST", self._path("v1", "ab-tests", test_id, "reject"))["ab_test"]

    def rollback(self, name: str) -> JSON:
        """`POST /v1/formulas/{name}/rollback` (calibrator, admin): undoes the formula's last
        promotion (409 when there is none)."""
        return self.request("POST", self._path("v1", "formulas", name, "rollback"))["ab_test"]

    def evaluate(self, formula: str, bindings: Optional[Mapping[str, Any]] = None) -> JSON:
        """`POST /v1/eval`: evaluates formula text against bindings (`ok`, `value` or `error`)."""
        return self.request("POST", "/v1/eval", {"formula": formula, "bindings": dict(bindings or {})})

    # -- graph, coefficients, import ----------------------------------------------------------

    def entities(self, level: Optional[int] = None, type: Optional[str] = None, limit: Optional[int] = None,
                 offset: Optional[int] = None) -> List[JSON]:
        """`GET /v1/entities`: entities, a page at a time."""
        return self.request("GET", "/v1/entities", query={"level": level, "type": type, "limit": limit, "offset": offset})["entities"]

    def entity(self, entity_id: str) -> JSON:
        """`GET /v1/entities/{id}`: an entity and its relationships."""
        return self.request("GET", self._path("v1", "entities", entity_id))

    def coefficients(self, sector: Optional[str] = None, type: Optional[str] = None) -> List[JSON]:
        """`GET /v1/coefficients`: sector coefficient rows."""
        return self.request("GET", "/v1/coefficients", query={"sector": sector, "type": type})["coefficients"]

    def add_coefficient(self, row: Mapping[str, Any]) -> JSON:
        """`POST /v1/coefficients` (calibrator, admin): appends a sector coefficient row."""
        return self.request("POST", "/v1/coefficients", row)

    def macro_data_page(self, variables: Optional[Sequence[str]] = None, from_: Optional[str] = None, to: Optional[str] = None,
                        limit: Optional[int] = None, offset: Optional[int] = None) -> List[JSON]:
        """`GET /v1/macro-data`: one page of the stored history (`date`, `variable_name`, `value`,
        `unit`, `data_source`), ordered by variable and date; `from_` and `to` are YYYY-MM-DD,
        inclusive. An unknown variable is a `CascadeError` (404, with the nearest name as hint)."""
        query = {"variable": ",".join(variables) if variables is not None else None, "from": from_, "to": to,
                 "limit": limit, "offset": offset}
        return self.request("GET", "/v1/macro-data", query=query)["macro_data"]

    def macro_data(self, variables: Optional[Sequence[str]] = None, from_: Optional[str] = None,
                   to: Optional[str] = None) -> List[JSON]:
        """Every point of `GET /v1/macro-data` in the window, fetched a page (1000) at a time."""
        rows: List[JSON] = []
        while True:
            page = self.macro_data_page(variables, from_, to, limit=1000, offset=len(rows))
            rows += page
            if len(page) < 1000:
                return rows

    def import_world(self, document: Mapping[str, Any]) -> JSON:
        """`POST /v1/import` (calibrator, admin): imports a world document (entities,
        relationships, sector_coefficients, macro_data, financial_data, formulas — docs/formats.md)
        all or nothing; returns the report (`rows_read`, `rows_written` per table, `formulas`)."""
        return self.request("POST", "/v1/import", document)

    # -- administration ----------------------------------------------------------------------

    def add_user(self, username: str, role: str) -> JSON:
        """`POST /v1/users` (admin): adds a user; the answer's `api_key` is shown only once."""
        return self.request("POST", "/v1/users", {"username": username, "role": role})

    def audit(self, table: Optional[str] = None, limit: Optional[int] = None) -> List[JSON]:
        """`GET /v1/audit` (admin): the audit log, newest first."""
        return self.request("GET", "/v1/audit", query={"table": table, "limit": limit})["entries"]


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _hold(deadline: float) -> int:
    """Seconds to ask the server to wait (its limit is 300), never past `deadline`."""
    return max(0, min(300, int(deadline - time.monotonic())))


def _error_from(status: int, text: str) -> CascadeError:
    try:
        error = json.loads(text)["error"]
        return CascadeError(status, error.get("code", f"http_{status}"), error.get("message", ""), error.get("path"),
                            error.get("hint"), error.get("problems"))
    except (ValueError, KeyError, TypeError, AttributeError):
        return CascadeError(status, f"http_{status}", text.strip()[:500] or "no body")
