"""deploy/kubernetes: the manifests parse and agree with the server — port, config path mounted as
a directory (so ConfigMap updates arrive), models, probes on the health endpoints."""

import json
import os
import pathlib
import re
import shutil
import subprocess
import tomllib

import pytest
import yaml

from hotswap_process import free_port, http_request, wait_until

DIR = "deploy/kubernetes"


@pytest.fixture(scope="module")
def manifests(repo_root):
    kustomization = yaml.safe_load((repo_root / DIR / "kustomization.yaml").read_text())
    documents = {}
    for name in kustomization["resources"]:
        for document in yaml.safe_load_all((repo_root / DIR / name).read_text()):
            documents[document["kind"]] = document
    return documents


@pytest.fixture(scope="module")
def container(manifests):
    (only,) = manifests["DaemonSet"]["spec"]["template"]["spec"]["containers"]
    return only


@pytest.fixture(scope="module")
def plan_text(manifests):
    return manifests["ConfigMap"]["data"]["active.toml"]


def mounts(container):
    return {m["name"]: m for m in container["volumeMounts"]}


def volumes(manifests):
    return {v["name"]: v for v in manifests["DaemonSet"]["spec"]["template"]["spec"]["volumes"]}


def test_every_kind_is_there(manifests):
    assert {"Namespace", "ConfigMap", "DaemonSet", "Service"} <= set(manifests)


def test_config_map_is_mounted_as_a_directory(manifests, container):
    args = container["args"]
    config = pathlib.PurePosixPath(args[args.index("--config") + 1])
    conf = mounts(container)["conf"]
    assert "subPath" not in conf, "a subPath mount never receives ConfigMap updates"
    assert conf["mountPath"] == str(config.parent) and conf["readOnly"] is True
    assert volumes(manifests)["conf"]["configMap"]["name"] == manifests["ConfigMap"]["metadata"]["name"]
    assert config.name in manifests["ConfigMap"]["data"]


def test_port_agrees_everywhere(manifests, container, plan_text):
    (port,) = container["ports"]
    args = container["args"]
    assert args[args.index("--listen") + 1].endswith(f":{port['containerPort']}")
    assert tomllib.loads(plan_text)["server"]["listen"].endswith(f":{port['containerPort']}")
    (service_port,) = manifests["Service"]["spec"]["ports"]
    assert service_port["targetPort"] in (port["name"], port["containerPort"])
    assert manifests["Service"]["spec"]["selector"] == manifests["DaemonSet"]["spec"]["selector"]["matchLabels"]


@pytest.mark.parametrize(
    "probe, path", [("startupProbe", "/v2/health/live"), ("livenessProbe", "/v2/health/live"), ("readinessProbe", "/v2/health/ready")]
)
def test_probes_use_the_health_endpoints(container, probe, path):
    get = container[probe]["httpGet"]
    assert get["path"] == path
    assert get["port"] in (container["ports"][0]["name"], container["ports"][0]["containerPort"])


def test_models_exist_where_the_plan_points(manifests, container, plan_text, repo_root):
    models_mount = mounts(container)["models"]["mountPath"]
    assert volumes(manifests)["models"]["hostPath"]["path"] == "/var/lib/hotswap/models"
    plan = tomllib.loads(plan_text)
    for slot in plan["slots"].values():
        relative = pathlib.PurePosixPath(slot["model"]).relative_to(models_mount)
        assert (repo_root / "models" / relative).is_file(), relative


def test_bundled_plan_checks_with_the_real_binary(bin_dir, plan_text, repo_root, tmp_path):
    config = tmp_path / "active.toml"
    config.write_text(re.sub(r'"/app/models/', f'"{repo_root}/models/', plan_text))
    out = subprocess.run([str(bin_dir / "hotswap"), "check", str(config)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr


class KubeletVolume:
    """A ConfigMap volume as the kubelet writes it: the data in a timestamped hidden folder, a
    `..data` symlink to it swapped by one rename, and `active.toml -> ..data/active.toml`."""

    def __init__(self, folder: pathlib.Path):
        self.folder = folder
        self.generation = 0
        folder.mkdir()

    def publish(self, text: str) -> None:
        self.generation += 1
        data = self.folder / f"..2026_01_01_00_00_0{self.generation}.{1000 + self.generation}"
        data.mkdir()
        (data / "active.toml").write_text(text)
        link = self.folder / "..data"
        previous = os.readlink(link) if link.is_symlink() else None
        (self.folder / "..data_tmp").symlink_to(data.name)
        os.replace(self.folder / "..data_tmp", link)
        if not (self.folder / "active.toml").is_symlink():
            (self.folder / "active.toml").symlink_to("..data/active.toml")
        if previous:
            shutil.rmtree(self.folder / previous)


def shares(port):
    status, _, body = http_request(port, "GET", "/health")
    assert status == 200, body
    return {name: round(slot["share"], 3) for name, slot in json.loads(body)["slots"].items()}


@pytest.mark.slow
def test_config_map_update_moves_the_share_without_a_restart(hotswap_factory, plan_text, repo_root, tmp_path):
    plan = plan_text.replace('"/app/models/', f'"{repo_root}/models/')
    volume = KubeletVolume(tmp_path / "conf")
    volume.publish(plan)
    port = free_port()
    server = hotswap_factory(
        ["serve", "--config", str(volume.folder / "active.toml"), "--listen", f"127.0.0.1:{port}"], port
    )
    server.wait_ready()
    assert shares(port) == {"blue": 0.9, "green": 0.1}
    changed = re.sub(r"blue = 90\ngreen = 10", "blue = 50\ngreen = 50", plan)
    assert changed != plan
    volume.publish(changed)
    wait_until(lambda: shares(port) == {"blue": 0.5, "green": 0.5}, 15, "the new ConfigMap to apply")
    assert server.popen.poll() is None
