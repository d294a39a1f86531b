#!/usr/bin/env bash
# bench/netmon/run.sh — netmon throughput and memory, side by side in one run.
#   1. packets/s of `chronowatch netmon --pcap` (every detector on) vs a bare libpcap read +
#      header-parse loop (netmon_bare_loop) over the same synthetic capture; prints the ratio
#      (target ≥ 0.5). Best of 3 runs each, alternating, so machine load hits both alike.
#   2. resident memory of netmon over a spoofed SYN flood from one million distinct sources, and
#      over an NTP reflection (monlist responses) from one million distinct reflectors, with the
#      default (bounded) tables.
# Usage: bench/netmon/run.sh [BUILD_DIR] [PACKETS]   (defaults: build, 5000000)
set -euo pipefail
build=${1:-build}
packets=${2:-5000000}
work=$(mktemp -d /tmp/cw-netmon-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
gen="$build/bench/netmon/netmon_pcapgen"
bare="$build/bench/netmon/netmon_bare_loop"
cw="$build/src/apps/chronowatch"
for tool in "$gen" "$bare" "$cw"; do
  [ -x "$tool" ] || { echo "missing $tool: cmake --build $build --target netmon_pcapgen netmon_bare_loop chronowatch" >&2; exit 1; }
done
"$gen" mix "$packets" "$work/mix.pcap"
"$gen" flood 1000000 "$work/flood.pcap"
"$gen" ntpflood 1000000 "$work/ntpflood.pcap"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores; capture $(du -h "$work/mix.pcap" | cut -f1)"
cat "$work/mix.pcap" > /dev/null  # into the page cache
best_bare=0; best_netmon=0
for run in 1 2 3; do
  b=$("$bare" "$work/mix.pcap" | python3 -c 'import json,sys; print(int(json.load(sys.stdin)["packets_per_second"]))')
  n=$("$cw" netmon --pcap "$work/mix.pcap" --json | tail -1 | python3 -c 'import json,sys; print(int(json.load(sys.stdin)["packets_per_second"]))')
  echo "run $run: bare loop $b pkt/s, netmon $n pkt/s"
  [ "$b" -gt "$best_bare" ] && best_bare=$b
  [ "$n" -gt "$best_netmon" ] && best_netmon=$n
done
python3 -c "print(f'best: bare loop {$best_bare/1e6:.2f} Mpps, netmon {$best_netmon/1e6:.2f} Mpps, ratio {$best_netmon/$best_bare:.2f} (target >= 0.5)')"
"$cw" netmon --pcap "$work/flood.pcap" --json | tail -1 > "$work/flood.json"
python3 - "$work/flood.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print(f"flood: {s['packets']} SYNs from 1e6 spoofed sources: max RSS {s['max_rss_bytes'] / 2**20:.1f} MiB, "
      f"{s['packets_per_second'] / 1e6:.2f} Mpps, syn_flood events {s['detectors']['syn_flood']}, "
      f"table evictions {s['table_evictions']}")
PY
"$cw" netmon --pcap "$work/ntpflood.pcap" --json | tail -1 > "$work/ntpflood.json"
python3 - "$work/ntpflood.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print(f"ntp reflection: {s['packets']} monlist responses from 1e6 reflectors: max RSS "
      f"{s['max_rss_bytes'] / 2**20:.1f} MiB, {s['packets_per_second'] / 1e6:.2f} Mpps, "
      f"ntp_anomaly events {s['detectors']['ntp_anomaly']}, table evictions {s['table_evictions']}")
PY
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
