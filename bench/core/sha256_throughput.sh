#!/usr/bin/env bash
# SHA-256 throughput: HotswapCore's implementation (release, -O) against coreutils' sha256sum on
# the same amount of data, in one run. CPU time, not wall time (the machine is shared): best of
# `rounds`. Usage: bench/core/sha256_throughput.sh [MiB] [rounds]
set -euo pipefail
cd "$(dirname "$0")/../.."
megabytes=${1:-256}
rounds=${2:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
swiftc -O -module-name SHA256Bench -o "$work/sha256-bench" \
  Sources/HotswapCore/SHA256.swift bench/core/sha256/main.swift
ours=$("$work/sha256-bench" "$megabytes" "$rounds")
echo "hotswap SHA256: $ours"
head -c $((megabytes << 20)) /dev/urandom > "$work/data"
best=""
TIMEFORMAT='%U %S'
for _ in $(seq "$rounds"); do
  seconds=$( { time sha256sum "$work/data" > /dev/null; } 2>&1 | awk '{print $1 + $2}')
  rate=$(echo "$megabytes / $seconds" | bc -l)
  if [ -z "$best" ] || [ "$(echo "$rate > $best" | bc -l)" = 1 ]; then best=$rate; fi
done
printf 'sha256sum (coreutils, file in the page cache, user+system CPU): %.0f MiB/s\n' "$best"
ours_rate=$(echo "$ours" | sed -E 's/.*: ([0-9.]+) MiB\/s/\1/')
printf 'ratio: %.2f of sha256sum\n' "$(echo "$ours_rate / $best" | bc -l)"
