"""JSON bodies built to be slow or large: row 7 of the hostile-network issue (a 1 MB object of
90 000 keys took 26–60 s of an event loop through a quadratic duplicate-key check), a million
rows against the 100 000-row limit, deep nesting and huge numbers. Each is answered with its
status within a bound while concurrent /health calls stay fast, and memory returns."""

import json
import threading
import time

import pytest
from adversary import AdversaryServer, HealthProbe, iris_config

MIB = 1 << 20
IRIS = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
INFER = "/v2/models/iris/infer"


@pytest.fixture(scope="module")
def json_server(bin_dir, repo_root):
    server = AdversaryServer(bin_dir, iris_config(repo_root, server=f"max_body_bytes = {8 * MIB}"))
    yield server
    server.stop()


def many_keys(count: int) -> bytes:
    return ("{" + ",".join(f'"k{i:06d}":{i}' for i in range(count)) + "}").encode()


def extra_named_features(count: int) -> bytes:
    members = [f'"{name}":1.0' for name in IRIS] + [f'"extra{i}":1.0' for i in range(count)]
    return ("{" + ",".join(members) + "}").encode()


def infer_with_input_keys(count: int) -> bytes:
    extra = ",".join(f'"p{i:06d}":0' for i in range(count))
    return ('{"inputs":[{"name":"X","shape":[1,4],"datatype":"FP32","data":[1,2,3,4],' + extra + "}]}").encode()


def rows(count: int) -> bytes:
    return b'{"instances":[' + b",".join([b"[5.1,3.5,1.4,0.2]"] * count) + b"]}"


def short_rows(count: int) -> bytes:
    return b'{"instances":[' + b",".join([b"[0]"] * count) + b"]}"


CASES = [
    ("90 000 keys to /predict", "/predict", many_keys(90_000), 400, "unknown feature"),
    ("90 000 keys to infer", INFER, many_keys(90_000), 400, "needs an 'inputs' array"),
    ("90 000 keys in an input", INFER, infer_with_input_keys(90_000), 200, "outputs"),
    ("40 000 extra named features", "/predict", extra_named_features(40_000), 400, "unknown feature 'extra0'"),
    ("a duplicate among 90 000 keys", "/predict", many_keys(90_000)[:-1] + b',"k000001":1}', 400, "duplicate key"),
    ("a million short rows", "/predict", short_rows(1_000_001), 413, "the limit is 100000 rows"),
    ("100 001 full rows", "/predict", rows(100_001), 413, "the limit is 100000 rows"),
    ("100 000 full rows", "/predict", rows(100_000), 200, "predictions"),
    ("nesting 100 000 deep", "/predict", b"[" * 100_000 + b"]" * 100_000, 400, "nested deeper than 64"),
    ("an object nesting 65 deep", "/predict", b'{"a":' * 65 + b"1" + b"}" * 65, 400, "nested deeper"),
    ("1e999", "/predict", b'{"features":[1e999,1,1,1]}', 400, "out of range"),
    ("a 300 000-digit number", "/predict", b'{"features":[' + b"9" * 300_000 + b',1,1,1]}', 400, "out of range"),
    ("a 300 000-digit fraction", "/predict", b'{"features":[0.' + b"1" * 300_000 + b',1,1,1]}', 200, "prediction"),
    ("1e-400 underflows to 0", "/predict", b'{"features":[1e-400,1,1,1]}', 200, "prediction"),
    ("NaN in /predict", "/predict", b'{"features":[NaN,1,1,1]}', 400, "send null for a missing value"),
    ("a 4 MB string", "/predict", b'{"features":["' + b"a" * (4 * MIB) + b'",1,1,1]}', 400, "sepal_length"),
    ("100 000 escapes", "/predict", b'{"x":"' + b"\\u0000" * 100_000 + b'"}', 400, "'x' must be an array"),
]


@pytest.mark.parametrize("name, path, body, status, fragment", CASES, ids=[c[0] for c in CASES])
def test_slow_or_large_json_is_answered_quickly_and_others_keep_being_served(json_server, name, path, body, status, fragment):
    server = json_server
    rss_before = server.rss()
    with HealthProbe(server.port) as probe:
        started = time.monotonic()
        answered, text = server.request("POST", path, body, {"Content-Type": "application/json"}, timeout=30)
        elapsed = time.monotonic() - started
    assert answered == status, text[:300]
    assert fragment in text.decode(errors="replace"), text[:300]
    assert elapsed < 10, f"answered after {elapsed:.1f}s"
    probe.assert_responsive(bound=1.0)
    server.assert_serving()
    assert server.rss() - rss_before < 64 * MIB, f"RSS grew by {(server.rss() - rss_before) / MIB:.0f} MiB"


def test_two_concurrent_90000_key_bodies_do_not_freeze_rest(json_server):
    """The issue's worst case: two such bodies froze all REST traffic for half a minute."""
    server = json_server
    body = many_keys(90_000)
    statuses = []

    def send():
        statuses.append(server.request("POST", "/predict", body, timeout=30)[0])

    with HealthProbe(server.port) as probe:
        senders = [threading.Thread(target=send) for _ in range(2)]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join(40)
    assert statuses == [400, 400]
    probe.assert_responsive(bound=1.0)


def test_the_row_limit_is_checked_before_the_rows_exist(json_server):
    """A million rows are refused while parsing: the server never holds them as values."""
    server = json_server
    rss_before = server.rss()
    peak = [rss_before]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], server.rss())
            time.sleep(0.005)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        status, text = server.request("POST", "/predict", short_rows(1_000_001), timeout=30)
    finally:
        stop.set()
        sampler.join()
    assert status == 413, text
    assert json.loads(text)["error"].startswith("the body has an array with more than 100000 members")
    # The 4 MB body itself, and 100 000 one-element rows at most — not a million.
    assert peak[0] - rss_before < 48 * MIB, f"peak RSS grew by {(peak[0] - rss_before) / MIB:.0f} MiB"
