#!/usr/bin/env bash
# Cascade end to end beside the shared propagation peers (numpy + scipy, numpy grouped, networkx)
# on the same synthetic graph: Benchmarks/Propagation/compare.py, see Benchmarks/README.md.
#
#   scripts/propagation-bench.sh                               # 100 k entities, 3 rounds
#   scripts/propagation-bench.sh --sizes 100000,1000000 --rounds 3 [--json]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if ! python3 -c "import numpy, pandas, scipy, networkx" 2>/dev/null; then
    if [[ $(id -u) -eq 0 ]]; then
        echo "propagation-bench: installing numpy pandas scipy networkx (pip)" >&2
        python3 -m pip install -q --break-system-packages numpy pandas scipy networkx >&2
    else
        echo "propagation-bench: needs numpy, pandas, scipy and networkx: pip install numpy pandas scipy networkx" >&2
        exit 1
    fi
fi
swift build -c release --scratch-path .build-release --product cascade >&2
exec python3 Benchmarks/Propagation/compare.py --cascade .build-release/release/cascade "$@"
