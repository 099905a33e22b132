"""The nginx compose profile without containers: Debian's nginx on loopback with conf/nginx (only
addresses and ports substituted) in front of two single-slot hotswap processes, as compose wires
them. Checks REST and gRPC through nginx, the exact weighted split, and the seed-style
scripts/nginx-switch.sh and scripts/nginx-rollback.sh."""

import collections
import json
import os
import re
import shutil
import signal
import subprocess

import numpy as np
import pytest
import requests

from hotswap_process import free_port, http_request, is_ready, predict_body, wait_until
from process_support import as_service_user, service_directory

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is missing (scripts/deps.sh installs it)"),
]

NGINX = shutil.which("nginx") or "nginx"
SLOT_VERSIONS = {"blue": "v1.0.0", "green": "v1.1.0"}


class Stack:
    """Two hotswap processes, nginx and the environment the switch scripts need."""

    def __init__(self, root, repo_root, blue_port, green_port, http_port, grpc_port):
        self.root = root
        self.repo_root = repo_root
        self.http_port = http_port
        self.grpc_port = grpc_port
        self.upstreams = root / "upstreams.conf"
        self.log_file = root / "switch.log"
        self.env = {
            **os.environ,
            "NGINX_CONF_DIR": str(root),
            "NGINX_CTL": str(root / "nginxctl"),
            "BLUE_URL": f"http://127.0.0.1:{blue_port}",
            "GREEN_URL": f"http://127.0.0.1:{green_port}",
            "LB_URL": f"http://127.0.0.1:{http_port}",
            "NGINX_SWITCH_LOG": str(self.log_file),
        }

    def script(self, name, *args, **env):
        return subprocess.run(
            [str(self.repo_root / "scripts" / name), *args],
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=120,
        )

    def backups(self):
        folder = self.root / "backups"
        return sorted(folder.iterdir()) if folder.exists() else []

    def http_split(self, count):
        """Slots answering `count` GET /health requests through nginx, each on a new connection."""
        seen = collections.Counter()
        for _ in range(count):
            status, headers, body = http_request(self.http_port, "GET", "/health")
            assert status == 200, body
            document = json.loads(body)
            assert headers["x-hotswap-slot"] == document["slot"]
            assert document["version"] == SLOT_VERSIONS[document["slot"]]
            seen[document["slot"]] += 1
        return dict(seen)

    def grpc_split(self, count):
        """Slots (by model version) answering `count` Open Inference Protocol gRPC calls."""
        import tritonclient.grpc as grpcclient

        client = grpcclient.InferenceServerClient(url=f"127.0.0.1:{self.grpc_port}")
        try:
            metadata = client.get_model_metadata("iris")
            (tensor,) = metadata.inputs
            dtype = {"FP32": np.float32, "FP64": np.float64}[tensor.datatype]
            features = np.array([[5.1, 3.5, 1.4, 0.2]], dtype=dtype)
            request = grpcclient.InferInput(tensor.name, list(features.shape), tensor.datatype)
            request.set_data_from_numpy(features)
            versions = collections.Counter()
            for _ in range(count):
                result = client.infer("iris", [request])
                versions[result.get_response().model_version] += 1
        finally:
            client.close()
        by_slot = {slot: versions[v] for slot, v in SLOT_VERSIONS.items() if versions[v]}
        assert sum(by_slot.values()) == count, versions
        return by_slot


def substitute(text, pattern, replacement):
    new, count = re.subn(pattern, replacement, text)
    assert count > 0, f"conf/nginx no longer contains {pattern!r}: update this test with it"
    return new


@pytest.fixture(scope="module")
def stack(bin_dir, repo_root):
    # The hotswap processes run as the service user, in a folder it owns (their state goes there).
    root = service_directory("hotswap-nginx-")
    conf_text = (repo_root / "conf" / "active.toml").read_text().replace('"../models/', f'"{repo_root}/models/')
    (root / "active.toml").write_text(conf_text)
    processes = {}
    logs = []
    try:
        for slot in ("blue", "green"):
            port = free_port()
            log = open(root / f"hotswap-{slot}.log", "wb")
            logs.append(log)
            popen = subprocess.Popen(
                as_service_user(
                    [str(bin_dir / "hotswap"), "serve", "--config", str(root / "active.toml"), "--only-slot", slot,
                     "--listen", f"127.0.0.1:{port}"]
                ),
                stdout=log, stderr=subprocess.STDOUT,
                env={**os.environ, "HOTSWAP_STATE_DIRECTORY": str(root / f"state-{slot}")},
            )
            processes[slot] = (popen, port)
        for slot, (popen, port) in processes.items():
            def ready(popen=popen, port=port, slot=slot):
                assert popen.poll() is None, (root / f"hotswap-{slot}.log").read_text()
                return is_ready(port)
            wait_until(ready, 60, f"hotswap --only-slot {slot}")

        http_port, grpc_port = free_port(), free_port()
        nginx_conf = (repo_root / "conf/nginx/nginx.conf").read_text()
        nginx_conf = substitute(nginx_conf, r"listen 80;", f"listen 127.0.0.1:{http_port};")
        nginx_conf = substitute(nginx_conf, r"listen 50050 http2;", f"listen 127.0.0.1:{grpc_port} http2;")
        (root / "nginx.conf").write_text(nginx_conf)
        upstreams = (repo_root / "conf/nginx/upstreams.conf").read_text()
        for slot, (_, port) in processes.items():
            upstreams = substitute(upstreams, rf"hotswap-{slot}:8080", f"127.0.0.1:{port}")
        (root / "upstreams.conf").write_text(upstreams)
        globals_ = f"pid {root}/nginx.pid;"
        ctl = root / "nginxctl"
        ctl.write_text(f'#!/bin/sh\nexec {NGINX} -p {root}/ -c {root}/nginx.conf -g "{globals_}" "$@"\n')
        ctl.chmod(0o755)
        nginx_log = open(root / "nginx-error.log", "wb")
        logs.append(nginx_log)
        nginx = subprocess.Popen(
            [NGINX, "-p", f"{root}/", "-c", str(root / "nginx.conf"), "-g", f"daemon off; {globals_}"],
            stdout=subprocess.DEVNULL, stderr=nginx_log,
        )
        processes["nginx"] = (nginx, http_port)
        wait_until(
            lambda: nginx.poll() is None and http_request(http_port, "GET", "/nginx-health", timeout=2)[0] == 200,
            30, "nginx",
        )
        yield Stack(root, repo_root, processes["blue"][1], processes["green"][1], http_port, grpc_port)
    finally:
        for popen, _ in processes.values():
            if popen.poll() is None:
                popen.send_signal(signal.SIGTERM)
        for popen, _ in processes.values():
            try:
                popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                popen.kill()
                popen.wait(timeout=10)
        for log in logs:
            log.close()
        shutil.rmtree(root, ignore_errors=True)


def test_rest_through_nginx(stack):
    status, headers, body = http_request(stack.http_port, "POST", "/predict", predict_body())
    assert status == 200, body
    document = json.loads(body)
    assert document["slot"] == "blue" and document["model_version"] == "v1.0.0"
    assert headers["x-hotswap-slot"] == "blue" and headers["x-model-version"] == "v1.0.0"
    assert document["prediction"] is not None and 0 <= document["confidence"] <= 1
    assert requests.get(f"http://127.0.0.1:{stack.http_port}/v2/health/ready", timeout=5).status_code == 200
    metrics = requests.get(f"http://127.0.0.1:{stack.http_port}/metrics", timeout=5)
    assert metrics.status_code == 200 and "# TYPE" in metrics.text


def test_switch_split_and_rollback(stack):
    assert stack.http_split(10) == {"blue": 10}
    # Canary as the seeds did it: 90/10 by weights, then everything, then roll back step by step.
    result = stack.script("nginx-switch.sh", "green", "10")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "weight=9;  # slot:blue" in stack.upstreams.read_text()
    assert "weight=1;  # slot:green" in stack.upstreams.read_text()
    # One nginx worker, smooth weighted round-robin: any 100 requests split exactly 90/10.
    assert stack.http_split(100) == {"blue": 90, "green": 10}

    refused = stack.script("nginx-switch.sh")
    assert refused.returncode != 0 and "name the target" in refused.stdout

    result = stack.script("nginx-switch.sh", "green")
    assert result.returncode == 0, result.stdout + result.stderr
    assert stack.http_split(20) == {"green": 20}
    assert len(stack.backups()) == 2

    result = stack.script("nginx-rollback.sh")
    assert result.returncode == 0, result.stdout + result.stderr
    assert stack.http_split(100) == {"blue": 90, "green": 10}
    result = stack.script("nginx-rollback.sh")
    assert result.returncode == 0, result.stdout + result.stderr
    assert stack.http_split(20) == {"blue": 20}
    assert stack.backups() == []

    nothing = stack.script("nginx-rollback.sh")
    assert nothing.returncode != 0 and "no backup" in nothing.stderr
    log = stack.log_file.read_text()
    assert log.count("switch successful") == 2 and log.count("rollback successful") == 2


def test_switch_toggles_like_the_seed(stack):
    result = stack.script("nginx-switch.sh")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "health check passed for green" in result.stdout
    assert stack.http_split(10) == {"green": 10}
    result = stack.script("nginx-rollback.sh")
    assert result.returncode == 0, result.stdout + result.stderr
    assert stack.http_split(10) == {"blue": 10}


def test_switch_refuses_an_unhealthy_target(stack):
    before = stack.upstreams.read_text()
    closed = free_port()
    result = stack.script("nginx-switch.sh", "green", "50", GREEN_URL=f"http://127.0.0.1:{closed}")
    assert result.returncode != 0
    assert "health check of green" in result.stdout
    assert stack.upstreams.read_text() == before and stack.backups() == []
    assert stack.http_split(10) == {"blue": 10}


def test_switch_refuses_a_process_serving_the_wrong_slot(stack):
    before = stack.upstreams.read_text()
    result = stack.script("nginx-switch.sh", "green", GREEN_URL=stack.env["BLUE_URL"])
    assert result.returncode != 0 and "serves 'blue'" in result.stdout
    assert stack.upstreams.read_text() == before and stack.backups() == []


def test_switch_restores_the_weights_when_nginx_rejects_them(stack, tmp_path):
    before = stack.upstreams.read_text()
    failing = tmp_path / "failing-nginx"
    failing.write_text('#!/bin/sh\necho "nginx: [emerg] test failure" >&2\nexit 1\n')
    failing.chmod(0o755)
    result = stack.script("nginx-switch.sh", "green", NGINX_CTL=str(failing))
    assert result.returncode != 0 and "test failure" in result.stdout
    assert stack.upstreams.read_text() == before and stack.backups() == []
    assert stack.http_split(10) == {"blue": 10}


@pytest.mark.parametrize("args, message", [(["purple"], "unknown slot"), (["green", "0"], "whole percent"),
                                           (["green", "abc"], "whole percent"), (["green", "101"], "whole percent")])
def test_switch_rejects_bad_arguments(stack, args, message):
    before = stack.upstreams.read_text()
    result = stack.script("nginx-switch.sh", *args)
    assert result.returncode != 0 and message in result.stdout
    assert stack.upstreams.read_text() == before


# gRPC last: the same stack, through nginx's grpc_pass on the seeds' port 50050.
def test_grpc_through_nginx(stack):
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    with grpc.insecure_channel(f"127.0.0.1:{stack.grpc_port}") as channel:
        reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""), timeout=10)
        assert reply.status == health_pb2.HealthCheckResponse.SERVING
    assert stack.grpc_split(4) == {"blue": 4}


def test_grpc_follows_the_weights(stack):
    assert stack.script("nginx-switch.sh", "green", "10").returncode == 0
    try:
        # nginx picks an upstream per gRPC call: 20 calls on one HTTP/2 connection split 18/2.
        assert stack.grpc_split(20) == {"blue": 18, "green": 2}
        assert stack.script("nginx-switch.sh", "green").returncode == 0
        assert stack.grpc_split(5) == {"green": 5}
    finally:
        while stack.backups():
            assert stack.script("nginx-rollback.sh").returncode == 0
    assert stack.grpc_split(5) == {"blue": 5}
