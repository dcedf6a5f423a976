#!/usr/bin/env python3
"""Calibrates a sector's GDP elasticity through the Cascade API and tries it on a scenario.

The loop a calibration script can run with today's endpoints:

1. load a quarterly history (GDP growth and the sector's growth) with `POST /v1/import`;
2. read the sector's current `gdp_elasticity` coefficient (`GET /v1/coefficients`);
3. fit the elasticity by least squares (numpy): growth = a + e * (gdp_growth - baseline);
4. register a new version of `gdp_sector_impact` that scales the coefficient by e / current,
   inactive, with test cases (`POST /v1/formulas?inactive=true`), and re-run its tests;
5. run a scenario with the active version, activate the new one, run it again, and print the
   entity's impact before and after; then deactivate the candidate again (`--keep` keeps it).

Cascade has no endpoint yet that reads `macro_data` back, so the history fitted here is the one
this script imported (generated with a known elasticity, `--true-elasticity`, so the fit can be
checked). Comparing the candidate with the active version on a backtest and promoting it come
with the backtest and champion/challenger endpoints.

    CASCADE_URL=http://127.0.0.1:8080 CASCADE_API_KEY=csk_… \\
        python3 examples/calibrate_elasticity.py --scenario SCENARIO_ID
"""

from __future__ import annotations

import argparse
import os
import sys

import numpy as np

try:
    from cascade_client import CascadeError, Client
except ImportError:  # run from a checkout without installing: clients/python is the parent folder
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    from cascade_client import CascadeError, Client

FORMULA = "gdp_sector_impact"


def history(sector: str, elasticity: float, baseline: float, quarters: int, seed: int) -> dict:
    """A world document of quarterly GDP growth and the sector's growth (decimals), the sector
    moving `elasticity` times GDP's surprise over `baseline`, plus noise."""
    rng = np.random.default_rng(seed)
    gdp = baseline + 0.012 * np.sin(np.arange(quarters) / 3.0) + rng.normal(0, 0.006, quarters)
    growth = 0.01 + elasticity * (gdp - baseline) + rng.normal(0, 0.004, quarters)
    rows = []
    for i in range(quarters):
        quarter = f"{2010 + i // 4}-Q{i % 4 + 1}"
        rows.append({"date": quarter, "variable_name": "calibration_gdp_growth", "value": round(float(gdp[i]), 6),
                     "data_source": f"calibrate_elasticity.py seed {seed}"})
        rows.append({"date": quarter, "variable_name": f"calibration_{sector.lower()}_growth", "value": round(float(growth[i]), 6),
                     "data_source": f"calibrate_elasticity.py seed {seed}"})
    return {"macro_data": rows}


def fit(gdp: np.ndarray, growth: np.ndarray, baseline: float) -> tuple[float, float, float]:
    """Least squares of growth on (gdp - baseline) with an intercept: the slope, r² and RMSE."""
    x = np.column_stack([np.ones_like(gdp), gdp - baseline])
    coefficients, _, _, _ = np.linalg.lstsq(x, growth, rcond=None)
    residuals = growth - x @ coefficients
    r_squared = 1 - float(residuals @ residuals) / float(((growth - growth.mean()) ** 2).sum())
    return float(coefficients[1]), r_squared, float(np.sqrt((residuals ** 2).mean()))


def candidate(scale: float, r_squared: float, rmse: float, sector: str) -> dict:
    """The new version: the active one's text with the coefficient scaled, and test cases."""
    def impact(gdp: float, baseline: float, elasticity: float) -> float:
        return (gdp - baseline) * elasticity * scale * 100
    cases = [("above baseline", 0.03, 0.02, 0.018), ("at baseline", 0.02, 0.02, 0.018), ("recession", -0.01, 0.02, 0.015)]
    return {
        "name": FORMULA,
        "formula_type": "IMPACT_CALCULATION",
        "formula_text": f"return (gdpGrowth - baseline) * elasticity * {scale!r} * 100;",
        "parameters": {"gdpGrowth": "number", "baseline": "number", "elasticity": "number"},
        "effective_date": "2025-01-01",
        "r_squared": round(r_squared, 6),
        "rmse": round(rmse, 6),
        "description": f"GDP shock to sector, the coefficient scaled by {scale:.4f} (fitted on {sector} history)",
        "created_by": "calibrate_elasticity.py",
        "test_cases": [{"name": name, "inputs": {"gdpGrowth": g, "baseline": b, "elasticity": e},
                        "expected": impact(g, b, e), "tolerance": 1e-9} for name, g, b, e in cases],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("CASCADE_URL", "http://127.0.0.1:8080"))
    parser.add_argument("--key", default=os.environ.get("CASCADE_API_KEY"), help="a calibrator's API key (default $CASCADE_API_KEY)")
    parser.add_argument("--scenario", required=True, help="the id of a scenario to run before and after")
    parser.add_argument("--entity", default="sec-semiconductor", help="the entity whose impact is printed")
    parser.add_argument("--sector", default="SEMICONDUCTOR")
    parser.add_argument("--baseline", type=float, default=0.02, help="GDP growth that means no surprise")
    parser.add_argument("--true-elasticity", type=float, default=2.4, help="the elasticity the generated history follows")
    parser.add_argument("--quarters", type=int, default=60)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="leave the new version active")
    args = parser.parse_args(argv)

    client = Client(args.url, args.key)
    try:
        document = history(args.sector, args.true_elasticity, args.baseline, args.quarters, args.seed)
        report = client.import_world(document)
        print(f"history: {args.quarters} quarters imported ({report['rows_written'].get('macro_data', 0)} rows written)")

        rows = [r for r in client.coefficients(sector=args.sector, type="gdp_elasticity") if r.get("is_active", True)]
        if not rows:
            print(f"no active gdp_elasticity coefficient for {args.sector}", file=sys.stderr)
            return 1
        current = float(max(rows, key=lambda r: r["effective_date"])["value"])
        print(f"current gdp_elasticity of {args.sector}: {current:g}")

        by_variable: dict = {}
        for row in document["macro_data"]:
            by_variable.setdefault(row["variable_name"], []).append(row["value"])
        gdp = np.array(by_variable["calibration_gdp_growth"])
        growth = np.array(by_variable[f"calibration_{args.sector.lower()}_growth"])
        fitted, r_squared, rmse = fit(gdp, growth, args.baseline)
        print(f"fitted elasticity: {fitted:.4f} (r² {r_squared:.3f}, rmse {rmse:.5f}, n {len(gdp)})")

        registration = client.register_formula(candidate(fitted / current, r_squared, rmse, args.sector), inactive=True)
        version = int(registration["version"])
        tested = client.test_formula(FORMULA, version)
        print(f"registered {FORMULA}@{version} (inactive{'' if registration['new'] else ', already registered'}); "
              f"tests {'pass' if tested['ok'] else 'FAIL'}")
        if not tested["ok"]:
            return 1

        before = client.impact(client.run(args.scenario, force=True), args.entity)
        client.activate_formula(FORMULA, version)
        try:
            after = client.impact(client.run(args.scenario, force=True), args.entity)
        finally:
            if not args.keep:
                client.deactivate_formula(FORMULA, version)
        print(f"{args.entity}: impact before {before:+.6f}, after {after:+.6f} with {FORMULA}@{version}")
        print(f"{FORMULA}@{version} " + ("left active" if args.keep else "deactivated again (--keep leaves it active)"))
        return 0
    except CascadeError as error:
        print(f"calibrate_elasticity: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
