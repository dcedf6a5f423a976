#!/usr/bin/env bash
# Installs what Cascade needs to build and test on Debian 12, and nothing that is already there.
# Sourced or run by scripts/test.sh and scripts/cascade; safe to run any number of times.
set -euo pipefail

# Debian packages the build, the tests and the tools rely on.
needed=(pkg-config libsqlite3-dev libpq-dev libxxhash-dev libedit-dev postgresql sqlite3 tmux curl)
# The browser tests of `cascade report` drive Debian's chromium headless (Tests/CascadeCLITests/Browser).
needed+=(chromium)
command -v node >/dev/null 2>&1 || needed+=(nodejs)

missing=()
for pkg in "${needed[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done

if ((${#missing[@]})); then
    if [[ $(id -u) -eq 0 ]]; then
        echo "setup: installing ${missing[*]}" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
    else
        echo "setup: missing Debian packages: ${missing[*]}" >&2
        echo "setup: run as root, or: sudo apt-get install ${missing[*]}" >&2
        exit 1
    fi
fi

if ! command -v swift >/dev/null 2>&1; then
    echo "setup: the Swift toolchain (6.x) is not on PATH; install it from swift.org and retry" >&2
    exit 1
fi

# numpy: the backtest tests check Cascade's r², MAE and RMSE against numpy's on the bundled
# history, and the Python client's tests and calibration example (clients/python) fit with it.
if ! command -v python3 >/dev/null 2>&1; then
    echo "setup: python3 is not on PATH; install it (apt-get install python3 python3-pip) and retry" >&2
    exit 1
fi
if ! python3 -c 'import numpy' >/dev/null 2>&1; then
    if [[ $(id -u) -eq 0 ]]; then
        echo "setup: installing numpy for $(command -v python3)" >&2
        python3 -m pip install --quiet --break-system-packages numpy >&2
    else
        echo "setup: numpy is missing for $(command -v python3); run as root, or: python3 -m pip install --user numpy" >&2
        exit 1
    fi
fi
