"""Dockerfile, docker-compose.yml, conf/nginx and monitoring/: what the compose file wires,
checked without a Docker engine (the nginx variant runs for real in test_nginx_parity.py)."""

import re
import shutil
import subprocess

import pytest
import yaml


@pytest.fixture(scope="module")
def compose(repo_root):
    return yaml.safe_load((repo_root / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def dockerfile(repo_root):
    return (repo_root / "Dockerfile").read_text()


def command_option(service, option):
    command = service["command"]
    return command[command.index(option) + 1]


def published(service):
    """{container port: host port default} from "${VAR:-8001}:8080" entries."""
    ports = {}
    for entry in service.get("ports", []):
        host, container = str(entry).rsplit(":", 1)
        default = re.search(r"(\d+)\}?$", host).group(1)
        ports[int(container)] = int(default)
    return ports


def test_dockerfile_is_multi_stage_and_non_root(dockerfile):
    stages = re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\S+))?", dockerfile, re.M)
    assert stages[0][0].startswith("docker.io/library/swift:6"), stages
    assert stages[-1][0] == "docker.io/library/debian:bookworm-slim", stages
    assert "COPY --from=build" in dockerfile
    assert "libinotifytools0" in dockerfile.split("docker.io/library/debian:bookworm-slim", 1)[1]
    user = re.findall(r"^USER\s+(\S+)", dockerfile, re.M)
    assert user and not user[-1].startswith(("root", "0")), user


def test_dockerfile_volumes_healthcheck_and_command(dockerfile):
    volumes = re.search(r"^VOLUME\s+(\[.*\])", dockerfile, re.M).group(1)
    assert "/app/conf" in volumes and "/app/models" in volumes
    healthcheck = re.search(r"^HEALTHCHECK .*\n?.*", dockerfile, re.M).group(0)
    assert "http://127.0.0.1:8080/v2/health/ready" in healthcheck
    assert re.search(r'^EXPOSE 8080$', dockerfile, re.M)
    assert '"--config", "/app/conf/active.toml"' in dockerfile
    assert '"--listen", "0.0.0.0:8080"' in dockerfile


def test_dockerignore_keeps_build_inputs(repo_root):
    ignored = {line.strip().rstrip("/") for line in (repo_root / ".dockerignore").read_text().splitlines()}
    for needed in ("Sources", "models", "conf", "Package.swift"):
        assert needed not in ignored


def test_default_service_is_the_single_process(compose):
    service = compose["services"]["hotswap"]
    assert "profiles" not in service
    assert published(service) == {8080: 8080}
    assert command_option(service, "--config") == "/app/conf/active.toml"
    assert "--only-slot" not in service["command"]
    # Directories, not files: a file bind mount keeps the old inode when an editor saves by rename.
    assert "./conf:/app/conf:ro" in service["volumes"]
    assert "./models:/app/models:ro" in service["volumes"]


@pytest.mark.parametrize("slot, port", [("blue", 8001), ("green", 8002)])
def test_nginx_profile_runs_one_slot_per_process(compose, slot, port):
    service = compose["services"][f"hotswap-{slot}"]
    assert service["profiles"] == ["nginx"]
    assert command_option(service, "--only-slot") == slot
    assert command_option(service, "--listen") == "0.0.0.0:8080"
    assert published(service) == {8080: port}
    assert "./conf:/app/conf:ro" in service["volumes"]


def test_nginx_profile_balancer(compose, repo_root):
    nginx = compose["services"]["nginx"]
    assert nginx["profiles"] == ["nginx"]
    assert published(nginx) == {80: 80, 50050: 50050}
    assert "./conf/nginx:/etc/nginx/hotswap:ro" in nginx["volumes"]
    assert nginx["command"][:3] == ["nginx", "-c", "/etc/nginx/hotswap/nginx.conf"]
    conf = (repo_root / "conf" / "nginx" / "nginx.conf").read_text()
    assert re.search(r"listen 80;", conf) and re.search(r"listen 50050 http2;", conf)
    assert "proxy_pass http://hotswap_http;" in conf
    assert "grpc_pass grpc://hotswap_grpc;" in conf
    assert "include upstreams.conf;" in conf


def test_upstreams_name_the_compose_services(compose, repo_root):
    upstreams = (repo_root / "conf" / "nginx" / "upstreams.conf").read_text()
    for name in ("hotswap_http", "hotswap_grpc"):
        block = re.search(r"upstream %s \{(.*?)\}" % name, upstreams, re.S).group(1)
        servers = re.findall(r"server\s+([\w.-]+):(\d+)\s[^;]*;\s*# slot:([a-z0-9_-]+)", block)
        assert sorted(s[2] for s in servers) == ["blue", "green"], block
        for host, port, slot in servers:
            assert host == f"hotswap-{slot}" and host in compose["services"]
            assert int(port) in published(compose["services"][host])


def test_monitoring_profile(compose, repo_root):
    for name in ("prometheus", "grafana"):
        assert compose["services"][name]["profiles"] == ["monitoring"]
    assert "./monitoring/prometheus:/etc/prometheus:ro" in compose["services"]["prometheus"]["volumes"]
    prometheus = yaml.safe_load((repo_root / "monitoring" / "prometheus" / "prometheus.yml").read_text())
    job = next(j for j in prometheus["scrape_configs"] if j["job_name"] == "hotswap")
    assert job["metrics_path"] == "/metrics"
    targets = [t for group in job["static_configs"] for t in group["targets"]]
    for target in targets:
        host, port = target.split(":")
        assert host in compose["services"] and port == "8080"
    datasource = yaml.safe_load(
        (repo_root / "monitoring/grafana/provisioning/datasources/prometheus.yml").read_text()
    )
    assert datasource["datasources"][0]["url"] == "http://prometheus:9090"


def test_switch_script_defaults_match_the_compose_file(compose, repo_root):
    """The script's default URLs come from the compose file's own port variables, with the same
    fallback ports, and its nginx command execs into the compose file's nginx service."""
    script = (repo_root / "scripts" / "nginx-switch.sh").read_text()
    variables = {
        "LB_URL": ("nginx", 80),
        "BLUE_URL": ("hotswap-blue", 8080),
        "GREEN_URL": ("hotswap-green", 8080),
    }
    defaults = dict(re.findall(r"compose_variable (\w+) (\d+)", script))
    for service, container_port in variables.values():
        (entry,) = [p for p in compose["services"][service]["ports"] if str(p).endswith(f":{container_port}")]
        variable, default = re.match(r"\$\{(\w+):-(\d+)\}:", entry).groups()
        assert defaults[variable] == default, (variable, defaults)
    assert 'lb_url=${LB_URL:-$(published_url "$(compose_variable NGINX_HTTP_PORT 80)")}' in script
    nginx = compose["services"]["nginx"]
    ctl = re.search(r'nginx_ctl=\("\$\{compose\[@\]\}" (.*)\)$', script, re.M).group(1).split()
    assert ctl[:4] == ["-f", '"$repo/docker-compose.yml"', "--profile", "nginx"] and "exec" in ctl
    assert ctl[ctl.index("-T") + 1] == "nginx" and ctl[ctl.index("-T") + 2 :] == nginx["command"][:3]


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is missing (Debian's prometheus package)")
def test_prometheus_config_is_valid(repo_root):
    out = subprocess.run(
        ["promtool", "check", "config", str(repo_root / "monitoring/prometheus/prometheus.yml")],
        capture_output=True, text=True, timeout=60,
    )
    assert out.returncode == 0, out.stdout + out.stderr
