#!/usr/bin/env bash
# bench/tamper/run.sh — CPU per tamper scan with COUNT extra processes (default 2000 sleeps, each
# `sleep 120`, killed by PID at the end; bounded by their own 120 s as well).
# Usage: bench/tamper/run.sh [BUILD_DIR] [COUNT]
set -euo pipefail
build=${1:-build}
count=${2:-2000}
tool="$build/bench/tamper/tamper_scan_bench"
[ -x "$tool" ] || { echo "missing $tool: ninja -C $build tamper_scan_bench" >&2; exit 1; }
pids=()
cleanup() { [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq "$count"); do sleep 120 & pids+=($!); done
echo "load: $(cut -d' ' -f1-3 /proc/loadavg); $(ls -d /proc/[0-9]* | wc -l) processes"
"$tool"
