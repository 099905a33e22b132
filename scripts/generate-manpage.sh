#!/usr/bin/env bash
# Writes the man page hotswap(1) — every subcommand and option, from the binary's own
# `--experimental-dump-help` — with swift-argument-parser's generate-manual tool, built from the
# package's own checkout of swift-argument-parser (.build/checkouts, the version Package.swift
# pins) into .build/manual-tool. Usage: scripts/generate-manpage.sh BINARY OUTPUT_DIRECTORY
set -euo pipefail
cd "$(dirname "$0")/.."

binary=${1:?usage: scripts/generate-manpage.sh BINARY OUTPUT_DIRECTORY}
output=${2:?usage: scripts/generate-manpage.sh BINARY OUTPUT_DIRECTORY}
parser=.build/checkouts/swift-argument-parser
if [ ! -f "$parser/Package.swift" ]; then
  swift package resolve >/dev/null
fi
swift build --package-path "$parser" --scratch-path .build/manual-tool --product generate-manual >/dev/null
tool="$(swift build --package-path "$parser" --scratch-path .build/manual-tool --show-bin-path)/generate-manual"
# The date of the latest packaging entry, so that the page is the same for the same sources.
date=$(dpkg-parsechangelog -l packaging/deb/changelog -S Date 2>/dev/null | xargs -I{} date -u -d {} +%Y-%m-%d || true)
mkdir -p "$output"
"$tool" "$binary" --output-directory "$output" ${date:+--date "$date"} \
  --authors "Hotswap maintainers<hotswap@example.org>"
test -s "$output/hotswap.1" || { echo "generate-manpage: $output/hotswap.1 was not written" >&2; exit 1; }
