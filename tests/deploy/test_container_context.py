"""What the image build sees, checked without building: every path Package.swift declares is in
the build context (.dockerignore, with Docker's matching rules) and copied into the build stage
(SwiftPM refuses to load a manifest whose targets lack their folders, even to build one product),
and every image the Dockerfile and docker-compose.yml name is fully qualified (podman refuses
short names). test_container_image.py builds and runs the image for real."""

from __future__ import annotations

import json
import pathlib
import re
import subprocess

import pytest
import yaml

# SwiftPM's default folder for each kind of target.
DEFAULT_FOLDER = {"test": "Tests", "regular": "Sources", "executable": "Sources", "system": "Sources", "macro": "Sources", "plugin": "Plugins"}


def _pattern_regex(pattern: str) -> re.Pattern:
    """A .dockerignore pattern as Docker's patternmatcher reads it (`*`, `?`, `**`, classes)."""
    out, i = "", 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            out += "(?:.*/)?"
            i += 3
            continue
        if pattern.startswith("**", i):
            out += ".*"
            i += 2
            continue
        if char == "*":
            out += "[^/]*"
        elif char == "?":
            out += "[^/]"
        elif char == "[":
            end = pattern.index("]", i)
            out += pattern[i : end + 1]
            i = end
        else:
            out += re.escape(char)
        i += 1
    return re.compile(f"^{out}$")


class DockerIgnore:
    """Docker's rule: patterns in order, the last one matching the path or a parent wins; `!`
    takes a path back in."""

    def __init__(self, text: str):
        self.patterns = []
        for line in text.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            exclusion = line.startswith("!")
            cleaned = str(pathlib.PurePosixPath(line.lstrip("!").strip().lstrip("/")))
            self.patterns.append((exclusion, _pattern_regex(cleaned)))

    def excludes(self, path: str) -> bool:
        parts = path.split("/")
        candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        matched = False
        for exclusion, regex in self.patterns:
            if exclusion != matched:
                continue
            if any(regex.match(candidate) for candidate in candidates):
                matched = not exclusion
        return matched


@pytest.fixture(scope="module")
def manifest_paths(repo_root) -> list[str]:
    out = subprocess.run(
        ["swift", "package", "dump-package"], cwd=repo_root, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr
    targets = json.loads(out.stdout)["targets"]
    return sorted({t.get("path") or f"{DEFAULT_FOLDER[t['type']]}/{t['name']}" for t in targets})


@pytest.fixture(scope="module")
def ignore(repo_root) -> DockerIgnore:
    return DockerIgnore((repo_root / ".dockerignore").read_text())


@pytest.fixture(scope="module")
def build_stage_copies(repo_root) -> list[str]:
    """Sources of the COPY lines before the build stage's `swift build`."""
    dockerfile = (repo_root / "Dockerfile").read_text()
    stage = dockerfile.split("swift build", 1)[0]
    sources = []
    for line in re.findall(r"^COPY\s+(?!--from)(.+)$", stage, re.M):
        sources += line.split()[:-1]
    return sources


def test_the_matcher_reads_patterns_as_docker_does():
    rules = DockerIgnore("bench/*\n!bench/grpc/\nbench/grpc/*\n!bench/grpc/reference/\n.*\n**/*.pyc\n")
    assert not rules.excludes("bench/grpc/reference/main.swift")
    assert rules.excludes("bench/grpc/bench_grpc.py")
    assert rules.excludes("bench/server/bench_server.py")
    assert rules.excludes(".build/release/hotswap")
    assert rules.excludes("tests/x/y.pyc")
    assert not rules.excludes("Sources/hotswap/main.swift")


def test_every_declared_target_is_in_the_build_context(repo_root, manifest_paths, ignore):
    assert "bench/grpc/reference" in manifest_paths and "Tests/EndToEndTests" in manifest_paths
    for folder in manifest_paths:
        files = [p for p in (repo_root / folder).rglob("*") if p.is_file()]
        assert files, f"{folder} (declared in Package.swift) is empty"
        excluded = [str(p.relative_to(repo_root)) for p in files if ignore.excludes(str(p.relative_to(repo_root)))]
        assert not excluded, f".dockerignore keeps files of {folder} out of the build: {excluded[:5]}"
    assert not ignore.excludes("Package.swift")


def test_every_declared_target_is_copied_into_the_build_stage(manifest_paths, build_stage_copies):
    assert "Package.swift" in build_stage_copies
    for folder in manifest_paths:
        assert any(folder == source or folder.startswith(source.rstrip("/") + "/") for source in build_stage_copies), (
            f"{folder} (declared in Package.swift) is not copied into the build stage: {build_stage_copies}"
        )


def test_what_the_image_bundles_is_in_the_context(repo_root, ignore):
    assert not ignore.excludes("conf/active.toml")
    for model in (repo_root / "models").rglob("model.onnx"):
        assert not ignore.excludes(str(model.relative_to(repo_root)))
    for private in (".build/debug/hotswap", ".git/HEAD", ".venv/bin/python", "tests/conftest.py", "conf/nginx/upstreams.conf"):
        assert ignore.excludes(private), private


def fully_qualified(name: str) -> bool:
    first = name.split("/", 1)[0]
    return "/" in name and ("." in first or ":" in first or first == "localhost")


def test_every_image_name_is_fully_qualified(repo_root):
    names = re.findall(r"^FROM\s+(\S+)", (repo_root / "Dockerfile").read_text(), re.M)
    compose = yaml.safe_load((repo_root / "docker-compose.yml").read_text())
    for service in compose["services"].values():
        image = service["image"]
        names.append(re.sub(r"\$\{\w+:-([^}]+)\}", r"\1", image))
    assert names and all(fully_qualified(name) for name in names), names


def test_the_image_user_has_a_fixed_uid_and_gid(repo_root):
    dockerfile = (repo_root / "Dockerfile").read_text()
    assert re.search(r"groupadd [^\n]*--gid 10001 hotswap", dockerfile)
    assert re.search(r"useradd [^\\]*--uid 10001 --gid 10001", dockerfile)
    assert re.findall(r"^USER\s+(\S+)", dockerfile, re.M)[-1] == "10001:10001"
