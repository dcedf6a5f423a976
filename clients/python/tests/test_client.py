"""The client against a real `cascade serve` (started by Tests/CascadeServerTests/PythonClientTests.swift).

CASCADE_URL is the server; CASCADE_CALIBRATOR_KEY, CASCADE_AUTHOR_KEY and CASCADE_VIEWER_KEY are
keys of those roles on a store made by `cascade init --sample`. Without them every test fails: a
test that silently skips would prove nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unittest

from cascade_client import CascadeError, Client

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(HERE, "..", "examples", "calibrate_elasticity.py")


def environment(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise AssertionError(f"{name} is not set: run these tests through PythonClientTests.swift or set it")
    return value


def scenario(name: str, rate: float = 0.025) -> dict:
    return {"name": name, "author": "alice", "is_public": True, "as_of": "2025-06-30",
            "macro_variables": {"us_gdp_growth": 0.01, "fed_funds_rate": rate}}


class ClientTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        url = environment("CASCADE_URL")
        cls.calibrator = Client(url, environment("CASCADE_CALIBRATOR_KEY"))
        cls.author = Client(url, environment("CASCADE_AUTHOR_KEY"))
        cls.viewer = Client(url, environment("CASCADE_VIEWER_KEY"))

    def test_health_needs_no_key(self) -> None:
        self.assertEqual(Client(environment("CASCADE_URL")).health()["status"], "ok")

    def test_scenarios_runs_results_diff_explain_and_what_if(self) -> None:
        first = self.author.submit_scenario(scenario("client: slower growth"))
        second = self.author.submit_scenario(scenario("client: slower growth, higher rates", rate=0.04))
        self.assertIn(first["id"], [s["id"] for s in self.viewer.scenarios(author="alice")])
        self.assertEqual(self.viewer.scenario(first["id"])["name"], "client: slower growth")

        ran = self.calibrator.run(first["id"])
        self.assertTrue(ran["fingerprint"].startswith("xxh3-128:"))
        self.assertNotEqual(self.calibrator.impact(ran, "sec-semiconductor"), 0)
        self.assertEqual(self.viewer.result(first["id"], entities=False)["fingerprint"], ran["fingerprint"])
        self.assertTrue(self.calibrator.run(first["id"], entities=False)["cached"])
        self.author.run(second["id"], entities=False)
        diff = self.viewer.diff(first["id"], second["id"], limit=2)
        self.assertEqual(len(diff["entities"]), 2)
        explained = self.viewer.explain(first["id"], "sec-semiconductor", depth=1)
        self.assertIn("contributions", explained["entity"])
        what_if = self.author.what_if(first["id"], set={"us_gdp_growth": 0.0})
        self.assertIn("inputs", what_if)

        self.author.delete_scenario(second["id"])
        with self.assertRaises(CascadeError) as refused:
            self.viewer.scenario(second["id"])
        self.assertEqual((refused.exception.status, refused.exception.code), (404, "not_found"))

    def test_formula_registry(self) -> None:
        names = [f["name"] for f in self.viewer.formulas()]
        self.assertIn("gdp_sector_impact", names)
        self.assertEqual(self.viewer.formula_history("gdp_sector_impact")[0]["version"], 1)
        self.assertTrue(self.viewer.test_formula("gdp_sector_impact", 1)["ok"])
        document = {"name": "client_margin", "formula_text": "return x * 3;", "parameters": {"x": "number"},
                    "effective_date": "2025-01-01", "test_cases": [{"inputs": {"x": 2}, "expected": 6, "tolerance": 0}]}
        registered = self.calibrator.register_formula(document, inactive=True)
        self.assertTrue(registered["new"])
        self.assertFalse(self.viewer.formula("client_margin", registered["version"])["is_active"])
        self.assertTrue(self.calibrator.activate_formula("client_margin", registered["version"])["is_active"])
        self.assertFalse(self.calibrator.deactivate_formula("client_margin", registered["version"])["is_active"])
        untested = dict(document, name="client_untested", test_cases=[])
        with self.assertRaises(CascadeError) as refused:
            self.calibrator.register_formula(untested)
        self.assertEqual(refused.exception.status, 400)
        self.assertTrue(self.calibrator.register_formula(untested, allow_untested=True)["new"])
        with self.assertRaises(CascadeError) as forbidden:
            self.author.register_formula(document)
        self.assertEqual((forbidden.exception.status, forbidden.exception.code), (403, "forbidden"))
        self.assertEqual(self.viewer.evaluate("return x * 2;", {"x": 1.5})["value"], 3)
        self.assertEqual(self.viewer.coverage("client_margin", registered["version"])["findings"], [])
        # A refusal's text names every problem, the first too (its message may only count them).
        with self.assertRaises(CascadeError) as broken:
            self.calibrator.register_formula(dict(document, name="client_broken", formula_text="return x * ;"))
        problem = broken.exception.problems[0]
        self.assertNotIn(problem["message"], broken.exception.message)
        self.assertIn(f"{problem['path']}: {problem['message']}", str(broken.exception))

    def test_diff_dry_runs_and_pinned_runs(self) -> None:
        document = {"name": "client_diff", "formula_text": "return x * 3;", "parameters": {"x": "number"},
                    "effective_date": "2025-01-01", "test_cases": [{"inputs": {"x": 2}, "expected": 6, "tolerance": 0}]}
        self.calibrator.register_formula(document)
        steeper = dict(document, formula_text="return x * 4;", test_cases=[{"inputs": {"x": 2}, "expected": 8, "tolerance": 0}])
        self.calibrator.register_formula(steeper, inactive=True)
        diff = self.viewer.formula_diff("client_diff", 1, 2, top=1)
        self.assertFalse(diff["identical"])
        self.assertEqual(len(diff["differing"]), 1)
        would = self.calibrator.register_formula(dict(document, formula_text="return x * 5;",
                                                      test_cases=[{"inputs": {"x": 2}, "expected": 10, "tolerance": 0}]), dry_run=True)
        self.assertEqual((would["dry_run"], would["version"], would["new"]), (True, 3, True))
        self.assertEqual(self.calibrator.activate_formula("client_diff", 2, dry_run=True)["would_change"], True)
        self.assertEqual([(v["version"], v["is_active"]) for v in self.viewer.formula_history("client_diff")], [(1, True), (2, False)])
        submitted = self.author.submit_scenario(scenario("client: pinned"))
        pinned = self.calibrator.run(submitted["id"], entities=False, use=["gdp_sector_impact@1"])
        self.assertEqual(pinned["pinned"], ["gdp_sector_impact@1"])
        self.assertFalse(pinned["cached"])
        with self.assertRaises(CascadeError) as unknown:
            self.calibrator.run(submitted["id"], use=["gdp_sector_impact@99"])
        self.assertEqual(unknown.exception.status, 404)

    def test_backtest_compare_record_reject_and_rollback(self) -> None:
        with open(os.path.join(HERE, "..", "..", "..", "Backtests", "gdp_sector_impact.json")) as f:
            spec = json.load(f)
        measured = self.calibrator.backtest("gdp_sector_impact", 1, spec)
        self.assertGreater(measured["n"], 10)
        self.assertIn("rmse", measured)
        compared = self.calibrator.compare("gdp_sector_impact", 1, 1, spec, metric="rmse", record=True, test_name="client self-test")
        self.assertEqual(compared["ab_test"]["status"], "running")
        test_id = compared["ab_test"]["id"]
        self.assertIn(test_id, [t["id"] for t in self.viewer.ab_tests("gdp_sector_impact")])
        self.assertEqual(self.calibrator.reject(test_id)["status"], "rejected")
        with self.assertRaises(CascadeError) as nothing:
            self.calibrator.rollback("client_margin_never_promoted")
        self.assertIn(nothing.exception.status, (404, 409))
        with self.assertRaises(CascadeError) as forbidden:
            self.viewer.backtest("gdp_sector_impact", 1, spec)
        self.assertEqual(forbidden.exception.status, 403)

    def test_macro_data_reads_the_history_back(self) -> None:
        rows = self.viewer.macro_data(["us_real_gdp", "us_cpi_index"], from_="2009-01-01")
        self.assertEqual([(r["variable_name"], r["date"]) for r in rows],
                         [("us_cpi_index", "2009-03-31"), ("us_cpi_index", "2009-06-30"), ("us_cpi_index", "2009-09-30"),
                          ("us_real_gdp", "2009-03-31"), ("us_real_gdp", "2009-06-30"), ("us_real_gdp", "2009-09-30")])
        self.assertEqual(rows[-1]["value"], 12990.341)
        everything = self.viewer.macro_data()  # more than one page of 1000
        self.assertGreaterEqual(len(everything), 12 * 203)
        keys = [(r["variable_name"], r["date"]) for r in everything]
        self.assertEqual(keys, sorted(set(keys)), "pages neither overlap nor leave gaps")
        self.assertEqual(len(self.viewer.macro_data_page(limit=7, offset=3)), 7)
        with self.assertRaises(CascadeError) as unknown:
            self.viewer.macro_data(["us_real_gpd"])
        self.assertEqual((unknown.exception.status, unknown.exception.code, unknown.exception.hint),
                         (404, "not_found", "did you mean `us_real_gdp`?"))

    def test_import_is_all_or_nothing_with_every_problem_by_path(self) -> None:
        before = len(self.viewer.coefficients(sector="CLIENT"))
        bad = {"sector_coefficients": [{"sector": "CLIENT", "coefficient_type": "x", "value": 1.0, "effective_date": "2025-01-01"}],
               "macro_data": [{"date": "2024-Q1", "variable_name": "client_gdp", "value": "high"},
                              {"date": "2024-13-01", "variable_name": "client_gdp", "value": 0.02}]}
        with self.assertRaises(CascadeError) as refused:
            self.calibrator.import_world(bad)
        error = refused.exception
        self.assertEqual((error.status, error.code), (400, "invalid_input"))
        self.assertEqual(error.path, "$.macro_data[0].value")
        self.assertEqual({p["path"] for p in error.problems}, {"$.macro_data[0].value", "$.macro_data[1].date"})
        self.assertIn("$.macro_data[0].value", str(error))
        self.assertEqual(len(self.viewer.coefficients(sector="CLIENT")), before, "a refused import wrote a row")

        with self.assertRaises(CascadeError) as forbidden:
            self.viewer.import_world({"macro_data": []})
        self.assertEqual(forbidden.exception.code, "forbidden")

        good = dict(bad, macro_data=[{"date": "2024-Q1", "variable_name": "client_gdp", "value": 0.02}])
        report = self.calibrator.import_world(good)
        self.assertEqual(report["rows_written"], dict(report["rows_written"], sector_coefficients=1, macro_data=1))
        self.assertEqual(len(self.viewer.coefficients(sector="CLIENT")), before + 1)
        self.assertEqual(self.calibrator.import_world(good)["rows_written"]["macro_data"], 0)

    def test_an_unreachable_server_is_a_cascade_error(self) -> None:
        with self.assertRaises(CascadeError) as refused:
            Client("http://127.0.0.1:9", "csk_x").health()
        self.assertEqual(refused.exception.code, "unreachable")


class ExampleTests(unittest.TestCase):
    """The calibration example on the sample history: the outcome the data gives (rejected: the
    bundled version is already close to the fit), then the other one with `--min-improvement 0`."""

    @staticmethod
    def numpy_fit() -> "tuple[float, float]":
        """The example's fit, computed here from the bundled history file rather than the API:
        the elasticity and the fitted version's RMSE on the spec's window."""
        import numpy as np
        with open(os.path.join(HERE, "..", "..", "..", "Scenarios", "world", "macro-history.json")) as f:
            rows = json.load(f)["macro_data"]

        def growth(name: str) -> dict:
            points = sorted((r["date"], r["value"]) for r in rows if r["variable_name"] == name)
            return {points[i][0]: points[i][1] / points[i - 1][1] - 1 for i in range(1, len(points))}
        gdp, investment = growth("us_real_gdp"), growth("us_real_investment")
        dates = [d for d in sorted(investment) if "1990-01-01" <= d <= "2009-09-30"]
        z = np.array([100 * (gdp[d] - 0.005) for d in dates])
        y = np.array([100 * investment[d] for d in dates])
        elasticity = float(z @ y / (z @ z))
        return elasticity, float(np.sqrt(((y - elasticity * z) ** 2).mean()))

    def run_example(self, *arguments: str) -> str:
        env = dict(os.environ, CASCADE_API_KEY=environment("CASCADE_CALIBRATOR_KEY"))
        done = subprocess.run([sys.executable, EXAMPLE, *arguments], env=env, capture_output=True, text=True, timeout=600)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        print(done.stdout, end="")
        return done.stdout

    def test_the_calibration_example_rejects_then_promotes(self) -> None:
        viewer = Client(environment("CASCADE_URL"), environment("CASCADE_VIEWER_KEY"))
        elasticity, rmse = self.numpy_fit()

        out = self.run_example()
        self.assertIn("history: 79 quarters of us_real_gdp and us_real_investment, 1990-03-31…2009-09-30 (GET /v1/macro-data)", out)
        self.assertIn(f"fitted elasticity: {elasticity:.6f} (the spec binds 4.5)", out)
        self.assertIn("registered gdp_sector_impact@2 (inactive); measured by Cascade", out)
        self.assertEqual(len([line for line in out.splitlines() if line.startswith("  scenario ")]), 9, "the nine stress scenarios")
        self.assertRegex(out, r"compared with gdp_sector_impact@1: within — .* \(A/B test [0-9a-f-]+\)")
        self.assertIn("rejected: gdp_sector_impact@1 stays active, @2 inactive (A/B test rejected)", out)
        candidate = viewer.formula("gdp_sector_impact", 2)
        self.assertFalse(candidate["is_active"])
        self.assertTrue(viewer.formula("gdp_sector_impact", 1)["is_active"])
        # Registration measured the candidate on the store's history: numpy's RMSE, and a fingerprint.
        self.assertAlmostEqual(candidate["rmse"], rmse, delta=1e-9)
        self.assertTrue(candidate["backtest_fingerprint"].startswith("xxh3-128:"))
        self.assertEqual(candidate["backtest"]["observed"]["macro"], "us_real_investment")

        out = self.run_example("--min-improvement", "0")
        self.assertIn("registered gdp_sector_impact@2 (already registered)", out)
        self.assertRegex(out, r"compared with gdp_sector_impact@1: better — ")
        self.assertIn("promoted: gdp_sector_impact@2 is active, @1 inactive (A/B test promoted)", out)
        self.assertTrue(viewer.formula("gdp_sector_impact", 2)["is_active"])
        self.assertFalse(viewer.formula("gdp_sector_impact", 1)["is_active"])
        tests = [(t["control_version"], t["treatment_version"], t["status"]) for t in viewer.ab_tests("gdp_sector_impact")]
        self.assertEqual(sorted(t for t in tests if t[1] == 2), [(1, 2, "promoted"), (1, 2, "rejected")])

        # Once promoted, the same fit is the active version: nothing left to compare.
        self.assertIn("gdp_sector_impact@2 is already the active version", self.run_example())


if __name__ == "__main__":
    unittest.main()
