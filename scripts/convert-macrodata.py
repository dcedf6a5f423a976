#!/usr/bin/env python3
"""Converts statsmodels' bundled `macrodata` (US quarterly macro series, 1959Q1-2009Q3) into a
Cascade world document of `macro_data` rows: Scenarios/world/macro-history.json.

Run once by hand; the output is checked in, so neither the build nor the tests need statsmodels:

    python3 -m pip install statsmodels && python3 scripts/convert-macrodata.py

The CSV is read with the standard library from the installed package (no pandas). Each quarter
is dated on its last day, as Cascade dates a quarter (`2009-Q3` is 2009-09-30). Values are
copied as written in the CSV (no rounding, no unit conversion).
"""
import csv
import importlib.util
import json
import os
import sys

# statsmodels column -> (macro_data variable_name, unit)
SERIES = [
    ("realgdp", "us_real_gdp", "USD bn 2005 SAAR"),
    ("realcons", "us_real_consumption", "USD bn 2005 SAAR"),
    ("realinv", "us_real_investment", "USD bn 2005 SAAR"),
    ("realgovt", "us_real_government", "USD bn 2005 SAAR"),
    ("realdpi", "us_real_disposable_income", "USD bn 2005 SAAR"),
    ("cpi", "us_cpi_index", "index 1982-84=100"),
    ("m1", "us_m1", "USD bn"),
    ("tbilrate", "us_tbill_rate_3m", "%"),
    ("unemp", "us_unemployment_rate", "%"),
    ("pop", "us_population", "millions"),
    ("infl", "us_inflation_rate", "% annualised"),
    ("realint", "us_real_interest_rate", "%"),
]
QUARTER_END = {"1": "03-31", "2": "06-30", "3": "09-30", "4": "12-31"}
# At most 20 characters a unit and 100 a source (the world format's limits). The series are FRED's
# (Federal Reserve Bank of St. Louis), the unemployment rate BLS's; public domain. Real series are in
# billions of chained 2005 dollars at a seasonally adjusted annual rate; infl = 400 ln(cpi_t / cpi_t-1).
SOURCE = "statsmodels macrodata (FRED; unemployment: BLS)"


def main():
    spec = importlib.util.find_spec("statsmodels")
    if spec is None:
        sys.exit("convert-macrodata: statsmodels is not installed (python3 -m pip install statsmodels)")
    path = os.path.join(os.path.dirname(spec.origin), "datasets", "macrodata", "macrodata.csv")
    rows = []
    with open(path, newline="") as f:
        for record in csv.DictReader(f):
            year = str(int(float(record["year"])))
            date = f"{year}-{QUARTER_END[str(int(float(record['quarter'])))]}"
            for column, name, unit in SERIES:
                rows.append({"date": date, "variable_name": name, "value": float(record[column]),
                             "unit": unit, "data_source": SOURCE})
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Scenarios", "world", "macro-history.json")
    with open(out, "w") as f:
        f.write('{"macro_data": [\n')
        f.write(",\n".join(json.dumps(row) for row in rows))
        f.write("\n]}\n")
    print(f"convert-macrodata: {len(rows)} rows ({len(rows) // len(SERIES)} quarters x {len(SERIES)} series) -> {os.path.normpath(out)}")


if __name__ == "__main__":
    main()
