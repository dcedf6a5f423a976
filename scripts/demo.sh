#!/usr/bin/env bash
# The demo: evaluates the seed schema's two formulas with Cascade, as JSON and as an analyst sees them.
set -euo pipefail
cd "$(dirname "$0")/.."
threshold='if (hbm_supply < 80) return -0.25; else if (hbm_supply > 120) return 0.15;'
elasticity='return (gdpGrowth - baseline) * elasticity * 100;'
for supply in 72 100 130; do
    echo "\$ cascade eval '$threshold' --bindings '{\"hbm_supply\": $supply}' --json"
    scripts/cascade eval "$threshold" --bindings "{\"hbm_supply\": $supply}" --json
done
echo "\$ cascade eval '$elasticity' --bindings '{\"gdpGrowth\":0.03,\"baseline\":0.02,\"elasticity\":1.8}'"
scripts/cascade eval "$elasticity" --bindings '{"gdpGrowth":0.03,"baseline":0.02,"elasticity":1.8}'
echo "\$ cascade eval 'return -2 ** 2;'    # rejected, as JavaScript rejects it"
scripts/cascade eval 'return -2 ** 2;' || true
