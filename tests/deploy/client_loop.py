"""A client loop for the deployment suites, run by the host's Python inside a machine's network
namespace: CLIENTS threads each send POST /predict on a new connection, again and again, until
SIGTERM (or --seconds, or --requests in all), then print one JSON line with the outcomes:
ok, refused (connection refused), failed (anything else: resets, timeouts, non-200 answers) and
the first failures. Bounded in time and requests; loopback only."""

from __future__ import annotations

import argparse
import http.client
import json
import signal
import threading
import time

BODY = b'{"features":[5.1,3.5,1.4,0.2]}'


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=180)
    parser.add_argument("--requests", type=int, default=200_000)
    parser.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args()

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    lock = threading.Lock()
    counts = {"ok": 0, "refused": 0, "failed": 0}
    failures: list[str] = []
    versions: dict[str, int] = {}
    started = time.monotonic()

    def client() -> None:
        while not stop.is_set():
            with lock:
                if sum(counts.values()) >= args.requests:
                    stop.set()
                    return
            outcome, detail = "ok", ""
            try:
                conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=args.timeout)
                try:
                    conn.request("POST", "/predict", BODY, {"Content-Type": "application/json", "Connection": "close"})
                    response = conn.getresponse()
                    data = response.read()
                    version = response.getheader("X-Model-Version", "")
                finally:
                    conn.close()
                if response.status != 200 or b'"prediction"' not in data:
                    outcome, detail = "failed", f"HTTP {response.status}: {data[:200]!r}"
            except ConnectionRefusedError as error:
                outcome, detail = "refused", repr(error)
            except (OSError, http.client.HTTPException) as error:
                outcome, detail = "failed", repr(error)
            with lock:
                counts[outcome] += 1
                if outcome == "ok":
                    versions[version] = versions.get(version, 0) + 1
                elif len(failures) < 20:
                    failures.append(f"{time.monotonic() - started:.2f}s {outcome}: {detail}")

    threads = [threading.Thread(target=client, daemon=True) for _ in range(args.clients)]
    for thread in threads:
        thread.start()
    stop.wait(args.seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=args.timeout + 5)
    print(json.dumps({**counts, "failures": failures, "versions": versions,
                      "seconds": round(time.monotonic() - started, 2)}), flush=True)


if __name__ == "__main__":
    main()
