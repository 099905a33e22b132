#!/usr/bin/env bash
# Builds Hotswap (release) and serves the bundled conf/active.toml on 127.0.0.1:8080:
# models/iris/v1.0.0 as blue (100 %) and models/iris/v1.1.0 as green (0 %).
# Extra arguments go to `hotswap serve` (e.g. --listen 0.0.0.0:8080). HOTSWAP_BUILD=debug builds faster.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh --runtime
configuration=${HOTSWAP_BUILD:-release}
echo "run: building hotswap ($configuration; the first build takes several minutes)"
swift build -c "$configuration" --product hotswap
bin=$(swift build -c "$configuration" --show-bin-path)
echo "run: serving conf/active.toml — try: curl -X POST 127.0.0.1:8080/predict -d '{\"features\":[5.1,3.5,1.4,0.2]}'"
exec "$bin/hotswap" serve --config conf/active.toml "$@"
