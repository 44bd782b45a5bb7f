#!/usr/bin/env bash
# cpack -G DEB makes a package with the binary, the plugins, the SDK and its CMake package,
# the default configuration, the example workflows and the systemd unit.
# Usage: debian_package.sh BUILD_DIR
set -euo pipefail
build=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$build" && cpack -G DEB -B "$work" > "$work/cpack.log") || { cat "$work/cpack.log"; exit 1; }
deb=$(ls "$work"/weft_*.deb)
dpkg-deb -c "$deb" > "$work/contents"
for f in ./usr/bin/weft ./usr/lib/weft/plugins/webhook_trigger.so ./usr/lib/weft/plugins/email_identification_merger.so \
         ./usr/include/weft/plugin.h ./usr/include/weft/sdk.hpp ./usr/lib/cmake/weft/weftConfig.cmake \
         ./usr/lib/cmake/weft/WeftPlugin.cmake ./etc/weft/weft.yaml ./etc/weft/workflows/slack.yaml \
         ./usr/lib/systemd/system/weft.service; do
  grep -q " $f\$" "$work/contents" || { echo "missing from the package: $f"; cat "$work/contents"; exit 1; }
done
dpkg-deb -f "$deb" Depends | tee "$work/depends"
grep -q "adduser" "$work/depends" && grep -q "libpoco" "$work/depends" && grep -q "libsqlite3" "$work/depends"
dpkg-deb -I "$deb" postinst | grep -q "adduser --system"
dpkg-deb -I "$deb" conffiles | grep -q "/etc/weft/weft.yaml"
grep -q "^User=weft" <(dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/lib/systemd/system/weft.service)
echo "$(basename "$deb"): $(wc -l < "$work/contents") entries, the expected files, Depends and maintainer scripts: ok"
