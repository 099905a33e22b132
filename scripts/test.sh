#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs, builds, runs the Swift tests
# (unit and end-to-end) and the Python suites (conformance against onnxruntime, real clients,
# packaging checks). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh

echo "== format check"
swift format lint --strict -r Sources Tests Package.swift

echo "== build"
swift build --build-tests 2>&1 | tee .build-test.log | grep -E "warning:|error:" && {
  if grep -q "error:" .build-test.log; then exit 1; fi
  echo "build has warnings (see above): zero warnings is the rule" >&2
  exit 1
} || true
rm -f .build-test.log
export HOTSWAP_BIN_DIR
HOTSWAP_BIN_DIR=$(swift build --show-bin-path)

echo "== swift test"
swift test --skip-build --parallel --num-workers 2

echo "== python suites"
.venv/bin/python -m pytest -q
