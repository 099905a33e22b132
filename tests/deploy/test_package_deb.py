"""The Debian package as a file: what `make deb` (scripts/build-deb.sh) puts in it and where,
a self-contained stripped binary whose Depends were computed from the libraries it loads, the
maintainer scripts, and lintian's verdict (no errors; every warning listed with its reason in
docs/operations.md). The systemd suite installs it for real (test_systemd_deb.py)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from hotswap_release import REPO

MB = 1_000_000
# The goal for the stripped, self-contained binary.
BINARY_GOAL = 40 * MB


def dpkg_deb(*args: str) -> str:
    return subprocess.run(["dpkg-deb", *args], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def unpacked(hotswap_deb, tmp_path_factory):
    root = tmp_path_factory.mktemp("deb-root")
    subprocess.run(["dpkg-deb", "-R", str(hotswap_deb), str(root)], check=True)
    return root


@pytest.fixture(scope="module")
def listing(hotswap_deb) -> dict[str, tuple[str, str]]:
    """path -> (mode string, owner/group) of every entry in the data archive."""
    entries = {}
    for line in dpkg_deb("-c", str(hotswap_deb)).splitlines():
        mode, owner, _size, _date, _time, path = line.split(None, 5)
        entries[path.removeprefix(".").split(" -> ")[0]] = (mode, owner)
    return entries


def needed_libraries(binary) -> list[str]:
    out = subprocess.run(["readelf", "-d", str(binary)], capture_output=True, text=True, check=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def test_binary_is_stripped_self_contained_and_small(unpacked, release_binary):
    binary = unpacked / "usr/bin/hotswap"
    libraries = needed_libraries(binary)
    assert libraries, "no dynamic section: expected glibc and a few Debian libraries"
    assert not [lib for lib in libraries if "swift" in lib.lower() or "Foundation" in lib], libraries
    sections = subprocess.run(["readelf", "-S", str(binary)], capture_output=True, text=True, check=True).stdout
    assert ".symtab" not in sections and ".debug_info" not in sections, "the packaged binary is not stripped"
    size = binary.stat().st_size
    print(f"binary: {size / MB:.1f} MB stripped ({release_binary.stat().st_size / MB:.1f} MB before strip)")
    assert size <= BINARY_GOAL, f"the stripped binary is {size / MB:.1f} MB; the goal is {BINARY_GOAL / MB:.0f} MB"


def test_depends_are_computed_from_the_libraries_the_binary_loads(hotswap_deb, unpacked):
    template = (REPO / "packaging/deb/control").read_text()
    assert "${shlibs:Depends}" in template, "Depends must come from dpkg-shlibdeps, not be typed by hand"
    depends = dpkg_deb("-f", str(hotswap_deb), "Depends")
    names = {entry.split()[0] for entry in re.split(r",\s*", depends.strip())}
    for library in needed_libraries(unpacked / "usr/bin/hotswap"):
        owner = subprocess.run(["dpkg", "-S", f"*/{library}"], capture_output=True, text=True)
        assert owner.returncode == 0, f"no Debian package ships {library}"
        packages = {line.split(":")[0] for line in owner.stdout.splitlines()}
        assert packages & names, f"{library} ({packages}) is missing from Depends: {depends}"
    assert "adduser" in names  # postinst creates the service user with it
    print(f"Depends: {depends.strip()}")


def test_layout_owners_and_modes(listing, unpacked):
    expected = {
        "/usr/bin/hotswap": "-rwxr-xr-x",
        "/lib/systemd/system/hotswap.service": "-rw-r--r--",
        "/lib/systemd/system/hotswap.socket": "-rw-r--r--",
        "/etc/hotswap/active.toml": "-rw-r--r--",
        "/usr/share/man/man1/hotswap.1.gz": "-rw-r--r--",
        "/usr/share/doc/hotswap/copyright": "-rw-r--r--",
        "/usr/share/doc/hotswap/changelog.Debian.gz": "-rw-r--r--",
        "/usr/share/doc/hotswap/operations.md.gz": "-rw-r--r--",
        "/usr/share/hotswap/models/iris/v1.0.0/model.onnx": "-rw-r--r--",
    }
    for path, mode in expected.items():
        assert path in listing, f"{path} is not in the package"
        assert listing[path] == (mode, "root/root"), (path, listing[path])
    assert all(owner == "root/root" for _, owner in listing.values())
    # Nothing under the state directory: systemd creates it, and purge removes it.
    assert not [path for path in listing if path.startswith("/var/")]
    assert (unpacked / "DEBIAN/conffiles").read_text().split() == ["/etc/hotswap/active.toml"]


def test_units_and_config_point_at_the_packaged_files(unpacked):
    service = (unpacked / "lib/systemd/system/hotswap.service").read_text()
    assert "ExecStart=/usr/bin/hotswap serve --config /etc/hotswap/active.toml" in service
    assert "/usr/local" not in re.sub(r"^#.*$", "", service, flags=re.M)
    config = (unpacked / "etc/hotswap/active.toml").read_text()
    models = re.findall(r'model\s*=\s*"([^"]+)"', config)
    assert models and all(model.startswith("/usr/share/hotswap/models/") for model in models), models
    for model in models:
        assert (unpacked / model.lstrip("/")).is_file(), model
    assert re.search(r'^state_directory = "/var/lib/hotswap"$', config, re.M)


def test_maintainer_scripts_follow_the_deb_systemd_conventions(unpacked):
    postinst = (unpacked / "DEBIAN/postinst").read_text()
    prerm = (unpacked / "DEBIAN/prerm").read_text()
    postrm = (unpacked / "DEBIAN/postrm").read_text()
    for script in ("postinst", "prerm", "postrm"):
        assert subprocess.run(["sh", "-n", str(unpacked / "DEBIAN" / script)]).returncode == 0
    assert "adduser --quiet --system --group" in postinst
    assert "deb-systemd-helper --quiet was-enabled" in postinst
    # Upgrades restart the service only; the socket keeps its connections.
    assert "deb-systemd-invoke restart hotswap.service" in postinst
    assert "restart hotswap.socket" not in postinst
    assert 'deb-systemd-invoke stop hotswap.service hotswap.socket' in prerm and '"$1" = remove' in prerm
    assert "deb-systemd-helper purge" in postrm and "rm -rf /var/lib/hotswap" in postrm


def test_lintian_reports_no_errors_and_every_warning_is_explained(hotswap_deb):
    if shutil.which("lintian") is None:
        pytest.fail("lintian is missing: apt-get install lintian (scripts/deps.sh does)")
    out = subprocess.run(
        ["lintian", "--tag-display-limit", "0", str(hotswap_deb)],
        capture_output=True, text=True, timeout=600,
    )
    tags = re.findall(r"^([EWIPX]): hotswap[^:]*: (\S+)", out.stdout, re.M)
    errors = sorted({tag for level, tag in tags if level == "E"})
    assert not errors, out.stdout
    documented = (REPO / "docs/operations.md").read_text()
    unexplained = sorted({tag for level, tag in tags if level == "W" and f"`{tag}`" not in documented})
    assert not unexplained, f"lintian warnings not explained in docs/operations.md: {unexplained}\n{out.stdout}"
    print(f"lintian: {len([t for t in tags if t[0] == 'W'])} warnings, no errors")


def test_package_size_is_reported(hotswap_deb, unpacked):
    installed = int(dpkg_deb("-f", str(hotswap_deb), "Installed-Size").strip())
    print(f"package: {hotswap_deb.stat().st_size / MB:.1f} MB, installed {installed / 1000:.1f} MB")
    assert hotswap_deb.name.startswith("hotswap_") and hotswap_deb.name.endswith(".deb")
    # Installed-Size is dpkg-gencontrol's measure of the tree (KiB): the binary dominates it.
    assert installed * 1024 >= (unpacked / "usr/bin/hotswap").stat().st_size
