"""deploy/kubernetes against the Kubernetes API schemas, offline: every resource the kustomization
lists, as `kubectl apply -k` would send it (the kustomization's namespace set), validated with
kubernetes-validate (pinned in tools/python/requirements.txt; it ships the schemas) in strict mode
— an unknown or misspelt field is an error, as the API server's strict field validation makes it —
for the three newest Kubernetes releases it knows, the ones upstream still supports.
tests/packaging/test_kubernetes_manifests.py checks what the schemas cannot: that the manifests
agree with the server."""

from __future__ import annotations

import copy

import pytest
import yaml
from kubernetes_validate import utils as kubernetes

DIR = "deploy/kubernetes"
# all_versions() lists each release once per schema flavour (plain, strict).
RELEASES = sorted(set(kubernetes.all_versions()), key=kubernetes.Version)[-3:]
# Kinds whose objects live outside namespaces.
CLUSTER_SCOPED = {"Namespace"}


@pytest.fixture(scope="module")
def resources(repo_root) -> list[dict]:
    kustomization = yaml.safe_load((repo_root / DIR / "kustomization.yaml").read_text())
    rendered = []
    for name in kustomization["resources"]:
        for document in yaml.safe_load_all((repo_root / DIR / name).read_text()):
            if document["kind"] not in CLUSTER_SCOPED and "namespace" in kustomization:
                document["metadata"]["namespace"] = kustomization["namespace"]
            rendered.append(document)
    return rendered


def test_the_validator_knows_a_current_release():
    major, minor = (int(part) for part in kubernetes.latest_version().split(".")[:2])
    # 1.37 is the newest release kubernetes-validate 1.37.0 carries; an older pin fails here.
    assert (major, minor) >= (1, 37), kubernetes.latest_version()


@pytest.mark.parametrize("release", RELEASES)
def test_every_resource_matches_the_api_schema(resources, release):
    assert {r["kind"] for r in resources} >= {"Namespace", "ConfigMap", "DaemonSet", "Service"}
    for resource in resources:
        try:
            kubernetes.validate(resource, release, strict=True)
        except kubernetes.ValidationError as error:
            pytest.fail(f"{resource['kind']}/{resource['metadata']['name']} is invalid for Kubernetes {release}: {error.message}")


def daemonset(resources) -> dict:
    return copy.deepcopy(next(r for r in resources if r["kind"] == "DaemonSet"))


@pytest.mark.parametrize(
    "break_it, why",
    [
        (lambda d: d["spec"]["template"]["spec"]["containers"][0].update(imagePullPolice="Always"), "misspelt field"),
        (lambda d: d["spec"]["template"]["spec"]["containers"][0]["ports"][0].update(containerPort="8080"), "port as a string"),
        (lambda d: d["spec"]["template"]["spec"]["securityContext"].update(runAsNonRoot="yes"), "boolean as a string"),
        (lambda d: d["spec"].pop("selector"), "missing required selector"),
    ],
)
def test_the_validation_catches_a_broken_daemonset(resources, break_it, why):
    broken = daemonset(resources)
    break_it(broken)
    with pytest.raises(kubernetes.ValidationError):
        kubernetes.validate(broken, RELEASES[-1], strict=True)
