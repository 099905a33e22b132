#!/usr/bin/env bash
# Builds hotswap_<version>_<arch>.deb with Debian's own tools: dpkg-shlibdeps computes Depends
# from the libraries the binary really loads, dpkg-gencontrol writes the control file (with
# Installed-Size) from packaging/deb/control and packaging/deb/changelog, dpkg-deb builds the
# archive with root-owned files. No debian/rules and no dpkg-buildpackage: the binary comes from
# SwiftPM's release build (shared with the test suites), not from a source package build.
#
#   HOTSWAP_BINARY   the release binary, linked with --static-swift-stdlib (required)
#   HOTSWAP_MANPAGE  hotswap.1 from scripts/generate-manpage.sh (required)
#   DEB_VERSION      the package version (default: the newest entry of packaging/deb/changelog)
#   DEB_OUTDIR       where the .deb goes (default: .build/deb); its path is printed last
set -euo pipefail
cd "$(dirname "$0")/.."

binary=${HOTSWAP_BINARY:?set HOTSWAP_BINARY to the release binary (make deb does)}
manpage=${HOTSWAP_MANPAGE:?set HOTSWAP_MANPAGE to hotswap.1 (make deb does)}
outdir=${DEB_OUTDIR:-.build/deb}
version=${DEB_VERSION:-$(dpkg-parsechangelog -l packaging/deb/changelog -S Version)}
arch=$(dpkg --print-architecture)
for tool in dpkg-deb dpkg-shlibdeps dpkg-gencontrol strip; do
  command -v "$tool" >/dev/null || { echo "build-deb: $tool is missing (apt-get install dpkg-dev binutils)" >&2; exit 1; }
done
if ldd "$binary" 2>/dev/null | grep -q 'libswiftCore\.so'; then
  echo "build-deb: $binary loads the Swift runtime from the toolchain; build it with --static-swift-stdlib (make build)" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
stage="$work/hotswap"
mkdir -p "$stage/DEBIAN" "$work/debian"

# The binary, stripped.
install -D -m 0755 "$binary" "$stage/usr/bin/hotswap"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$stage/usr/bin/hotswap"

# The units, pointing at the packaged binary and documentation.
for unit in hotswap.service hotswap.socket; do
  sed -e 's#/usr/local/bin/hotswap#/usr/bin/hotswap#g' \
      -e 's#file:/usr/local/share/doc/hotswap/operations.md#file:/usr/share/doc/hotswap/operations.md.gz#g' \
      "systemd/$unit" > "$work/$unit"
  install -D -m 0644 "$work/$unit" "$stage/lib/systemd/system/$unit"
done

# The config (a conffile): model paths into the read-only model folder, history in the state
# directory the unit's StateDirectory= creates.
install -d -m 0755 "$stage/etc/hotswap"
sed 's#"\.\./models/#"/usr/share/hotswap/models/#' conf/active.toml \
  | awk '{ print } /^\[server\]/ && !done { print "state_directory = \"/var/lib/hotswap\""; done = 1 }' \
  > "$stage/etc/hotswap/active.toml"
chmod 0644 "$stage/etc/hotswap/active.toml"
echo /etc/hotswap/active.toml > "$stage/DEBIAN/conffiles"

# The bundled models, read-only and outside the state directory (systemd chowns that one to the
# service user at every start).
install -d -m 0755 "$stage/usr/share/hotswap/models"
cp -R models/. "$stage/usr/share/hotswap/models/"
find "$stage/usr/share/hotswap" -type d -exec chmod 0755 {} +
find "$stage/usr/share/hotswap" -type f -exec chmod 0644 {} +

# Documentation and the man page (compressed, as Debian policy asks for files over 4 kB).
doc="$stage/usr/share/doc/hotswap"
install -d -m 0755 "$doc"
install -m 0644 packaging/deb/copyright "$doc/copyright"
for file in README.md docs/*.md; do
  gzip -9n < "$file" > "$doc/$(basename "$file").gz"
done
gzip -9n < packaging/deb/changelog > "$doc/changelog.Debian.gz"
install -d -m 0755 "$stage/usr/share/man/man1"
gzip -9n < "$manpage" > "$stage/usr/share/man/man1/hotswap.1.gz"
chmod 0644 "$doc"/* "$stage/usr/share/man/man1/hotswap.1.gz"

# Maintainer scripts.
for script in postinst prerm postrm; do
  install -m 0755 "packaging/deb/$script" "$stage/DEBIAN/$script"
done

# Control: Depends from the binary's dynamic libraries, then Installed-Size and the rest.
cp packaging/deb/control "$work/debian/control"
cp packaging/deb/changelog "$work/debian/changelog"
(cd "$work" && dpkg-shlibdeps -Tdebian/substvars hotswap/usr/bin/hotswap)
(cd "$work" && dpkg-gencontrol -photswap -Photswap -Tdebian/substvars -v"$version" -fdebian/files)
(cd "$stage" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) \
  > "$stage/DEBIAN/md5sums"
chmod 0644 "$stage/DEBIAN/control" "$stage/DEBIAN/md5sums" "$stage/DEBIAN/conffiles"

mkdir -p "$outdir"
deb="$outdir/hotswap_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "$deb"
