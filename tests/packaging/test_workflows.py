"""The GitHub Actions workflows: CI runs the README's test command on push and pull request;
release pushes the image to GHCR with GITHUB_TOKEN, tagged with version and commit, then runs it
and checks health and a prediction."""

import pytest
import yaml


def load(repo_root, name):
    workflow = yaml.safe_load((repo_root / ".github" / "workflows" / name).read_text())
    # YAML 1.1 reads the key `on` as the boolean True.
    workflow["on"] = workflow.pop(True, workflow.get("on"))
    return workflow


def steps(workflow):
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def runs(workflow):
    return "\n".join(step.get("run", "") for step in steps(workflow))


def uses(workflow, action):
    return [step for step in steps(workflow) if step.get("uses", "").startswith(action + "@")]


@pytest.fixture(scope="module")
def ci(repo_root):
    return load(repo_root, "ci.yml")


@pytest.fixture(scope="module")
def release(repo_root):
    return load(repo_root, "release.yml")


def test_ci_triggers_and_runs_the_test_script(ci):
    assert "push" in ci["on"] and "pull_request" in ci["on"]
    assert "scripts/test.sh" in runs(ci).split()
    assert uses(ci, "actions/checkout")
    job = next(iter(ci["jobs"].values()))
    assert job["runs-on"].startswith("ubuntu")
    assert job["container"]["image"].removeprefix("docker.io/library/").startswith("swift:6.3")


def test_release_logs_in_to_ghcr_with_the_github_token(release):
    assert release["permissions"]["packages"] == "write"
    logins = uses(release, "docker/login-action")
    assert logins
    for login in logins:
        registry = login["with"]["registry"]
        assert registry in ("ghcr.io", "${{ env.REGISTRY }}")
        assert login["with"]["password"] == "${{ secrets.GITHUB_TOKEN }}"
    assert release["env"]["REGISTRY"] == "ghcr.io"


def test_release_pushes_version_and_commit_tags(release):
    push = uses(release, "docker/build-push-action")
    assert push and push[0]["with"]["push"] is True
    assert push[0]["with"]["tags"] == "${{ steps.tags.outputs.tags }}"
    script = runs(release)
    assert "${image}:${version}" in script and "${image}:sha-${GITHUB_SHA}" in script
    assert "${GITHUB_REPOSITORY,,}" in script
    assert "tags" in release["on"]["push"] and "workflow_dispatch" in release["on"]


def test_release_runs_the_image_and_checks_health_and_prediction(release):
    smoke = release["jobs"]["smoke-test"]
    assert smoke["needs"] == "build-and-push"
    script = "\n".join(step.get("run", "") for step in smoke["steps"])
    assert "docker run -d" in script and "-p 8080:8080" in script
    assert "/v2/health/ready" in script and "/health" in script
    assert "/predict" in script and 'features' in script
    assert "jq -e" in script


def test_release_builds_the_deb_and_attaches_it_to_tagged_releases(release):
    job = release["jobs"]["deb"]
    assert job["container"]["image"].removeprefix("docker.io/library/").startswith("swift:6.3-bookworm")
    script = "\n".join(step.get("run", "") for step in job["steps"])
    assert "make deb" in script and "lintian --fail-on error" in script
    attach = [step for step in job["steps"] if step.get("uses", "").startswith("softprops/action-gh-release@")]
    assert attach and attach[0]["with"]["files"] == ".build/deb/*.deb"
    assert attach[0]["if"] == "github.ref_type == 'tag'"
    assert job["permissions"]["contents"] == "write"
