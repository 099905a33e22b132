#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs, checks formatting, builds with
# zero warnings, runs the Swift tests (unit and end-to-end against the real binary) and the Python
# suites (conformance against onnxruntime, real protocol clients, packaging, observability, and
# the deployment suites in tests/deploy: a real systemd in nspawn, the .deb, podman, compose).
# Exits non-zero on any failure. `scripts/test.sh --deploy-only` (make test-deploy) runs only the
# deployment suites.
set -euo pipefail
cd "$(dirname "$0")/.."

deploy_only=false
[ "${1:-}" = "--deploy-only" ] && deploy_only=true

scripts/deps.sh

# One static release build per run, shared by the package and systemd suites (HOTSWAP_RELEASE_BIN).
release_build() {
  echo "== release build (static Swift runtime) for the deployment suites"
  swift build -c release --product hotswap --static-swift-stdlib
  HOTSWAP_RELEASE_BIN="$(swift build -c release --show-bin-path)/hotswap"
  export HOTSWAP_RELEASE_BIN
}

if $deploy_only; then
  release_build
  echo "== deployment suites (tests/deploy)"
  .venv/bin/python -m pytest -q tests/deploy
  exit 0
fi

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

release_build

echo "== python suites"
.venv/bin/python -m pytest -q
