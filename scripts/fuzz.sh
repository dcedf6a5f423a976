#!/usr/bin/env bash
# Fuzzes the formula pipeline (parse → check → compile → evaluate → render diagnostics) with
# libFuzzer + AddressSanitizer. See Fuzz/README.md.
#
#   scripts/fuzz.sh                       # fuzz for FUZZ_SECONDS (default 1200 s)
#   FUZZ_SECONDS=60 scripts/fuzz.sh       # a short run
#   scripts/fuzz.sh -jobs=2 -workers=2    # extra arguments go to libFuzzer
#   scripts/fuzz.sh -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1
#                                         # a long unattended run that keeps going after a finding
#   FUZZ_BUILD_ONLY=1 scripts/fuzz.sh     # only build .build-fuzz/release/cascade-fuzz
#
# -max_len=16384 with -len_control=0 lets mutations reach past the 8 KiB source limit at once
# (with length control, a fork-mode run never grows inputs beyond its largest seed).
# Crashes, timeouts and OOMs land in Fuzz/artifacts/; the working corpus (seeded from the committed
# seed corpus Fuzz/corpus/) grows in Fuzz/work/corpus/. Both are git-ignored.
set -euo pipefail
cd "$(dirname "$0")/.."

# Release by default: about 4× the executions per second of a debug build, and the formula core
# uses no assert() that -O would drop (preconditions and overflow traps stay). FUZZ_CONFIG=debug
# for a debug build.
config="${FUZZ_CONFIG:-release}"
flags=(-c "$config" --scratch-path .build-fuzz
       -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -use-ld=lld)
swift build "${flags[@]}" --product cascade-fuzz
bin="$(swift build "${flags[@]}" --show-bin-path)/cascade-fuzz"
[[ ${FUZZ_BUILD_ONLY:-0} == 1 ]] && { echo "built $bin"; exit 0; }

mkdir -p Fuzz/work/corpus Fuzz/artifacts
# Seed the working corpus with the committed seeds (never overwrite what the fuzzer found).
cp -n Fuzz/corpus/* Fuzz/work/corpus/ 2>/dev/null || true

# On a crash the Swift backtracer can hang and hold the output pipe open.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"

exec "$bin" \
    -max_total_time="${FUZZ_SECONDS:-1200}" \
    -max_len=16384 \
    -len_control=0 \
    -timeout="${FUZZ_TIMEOUT:-10}" \
    -rss_limit_mb="${FUZZ_RSS_MB:-2048}" \
    -dict=Fuzz/formula.dict \
    -artifact_prefix=Fuzz/artifacts/ \
    -print_final_stats=1 \
    "$@" \
    Fuzz/work/corpus
