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
    def test_the_calibration_example_runs(self) -> None:
        author = Client(environment("CASCADE_URL"), environment("CASCADE_AUTHOR_KEY"))
        document = dict(scenario("client: calibration example"), macro_variables={"us_gdp_growth": 0.01})
        scenario_id = author.submit_scenario(document)["id"]
        env = dict(os.environ, CASCADE_API_KEY=environment("CASCADE_CALIBRATOR_KEY"))
        done = subprocess.run([sys.executable, EXAMPLE, "--scenario", scenario_id], env=env,
                              capture_output=True, text=True, timeout=600)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        out = done.stdout
        print(out, end="")
        self.assertIn("history: 60 quarters imported (120 rows written)", out)
        self.assertIn("current gdp_elasticity of SEMICONDUCTOR: 1.8", out)
        fitted = float(out.split("fitted elasticity: ")[1].split()[0])
        self.assertAlmostEqual(fitted, 2.4, delta=0.2)
        self.assertRegex(out, r"registered gdp_sector_impact@\d+ \(inactive\); tests pass")
        line = next(l for l in out.splitlines() if l.startswith("sec-semiconductor: impact before"))
        before = float(line.split("before ")[1].split(",")[0])
        after = float(line.split("after ")[1].split()[0])
        # Growth below baseline: a negative impact, deeper with the larger fitted elasticity.
        self.assertLess(before, 0)
        self.assertLess(after, before)
        version = int(out.split("registered gdp_sector_impact@")[1].split()[0])
        client = Client(environment("CASCADE_URL"), environment("CASCADE_VIEWER_KEY"))
        self.assertFalse(client.formula("gdp_sector_impact", version)["is_active"], "the candidate is left inactive")
        self.assertTrue(client.formula("gdp_sector_impact", 1)["is_active"])


if __name__ == "__main__":
    unittest.main()
