#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs, checks formatting, builds with
# zero warnings, runs the Swift tests (unit and end-to-end against the real binary) and the Python
# suites (conformance against onnxruntime, real protocol clients, packaging, observability).
# Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh

echo "== format check (swift format lint --strict; generated *.pb.swift / *.grpc.swift excluded)"
find Sources Tests bench -name '*.swift' ! -name '*.pb.swift' ! -name '*.grpc.swift' -print0 |
  xargs -0 swift format lint --strict Package.swift

echo "== build (debug, tests included; warnings in our code fail the build)"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! swift build --build-tests 2>&1 | tee "$log" | grep -E "^(/.*: )?(error|warning):" | grep -v "/.build/" ; then :; fi
if grep -qE "error:" "$log" && ! grep -q "Build complete" "$log"; then
  echo "build failed" >&2
  exit 1
fi
if grep -E "^$PWD/(Sources|Tests|bench)/.*: warning:" "$log" | grep -q .; then
  echo "the build has warnings in Sources/, Tests/ or bench/ (shown above): zero warnings is the rule" >&2
  exit 1
fi
export HOTSWAP_BIN_DIR
HOTSWAP_BIN_DIR=$(swift build --show-bin-path)

echo "== swift test: unit tests"
swift test --skip-build --skip EndToEndTests
echo "== swift test: end-to-end tests (one real server at a time)"
swift test --skip-build --filter EndToEndTests --no-parallel

echo "== python suites"
.venv/bin/python -m pytest -q
