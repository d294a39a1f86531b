#!/usr/bin/env bash
# bench/netmon/ab.sh — A/B of two chronowatch builds (e.g. main and a branch) beside the bare
# libpcap loop over one synthetic capture, alternating, best of RUNS; prints each as a fraction of
# the bare loop and new/old, with the load average.
# Usage: bench/netmon/ab.sh BUILD_DIR OLD_CHRONOWATCH NEW_CHRONOWATCH [PACKETS] [RUNS]
set -eu
build=$1; old=$2; new=$3; packets=${4:-3000000}; runs=${5:-3}
work=$(mktemp -d /tmp/cw-ab.XXXXXX); trap 'rm -rf "$work"' EXIT
"$build/bench/netmon/netmon_pcapgen" mix "$packets" "$work/mix.pcap" >/dev/null
cat "$work/mix.pcap" >/dev/null
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
pps() { python3 -c 'import json,sys; print(int(json.loads(sys.stdin.read().splitlines()[-1])["packets_per_second"]))'; }
bb=0; bo=0; bn=0
for r in $(seq $runs); do
  b=$("$build/bench/netmon/netmon_bare_loop" "$work/mix.pcap" | pps)
  o=$("$old" netmon --pcap "$work/mix.pcap" --json | pps)
  n=$("$new" netmon --pcap "$work/mix.pcap" --json | pps)
  echo "run $r: bare $b old $o new $n"
  [ $b -gt $bb ] && bb=$b; [ $o -gt $bo ] && bo=$o; [ $n -gt $bn ] && bn=$n
done
python3 -c "print(f'best: bare {$bb/1e6:.2f} Mpps, old {$bo/1e6:.2f} ({$bo/$bb:.2f}x bare), new {$bn/1e6:.2f} ({$bn/$bb:.2f}x bare), new/old {$bn/$bo:.3f}')"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
