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
         ./usr/lib/systemd/system/weft.service ./usr/share/weft/ui/index.html ./usr/share/weft/ui/app.js \
         ./usr/share/weft/ui/app.css; do
  grep -q " $f\$" "$work/contents" || { echo "missing from the package: $f"; cat "$work/contents"; exit 1; }
done
dpkg-deb -f "$deb" Depends | tee "$work/depends"
grep -q "adduser" "$work/depends" && grep -q "libpoco" "$work/depends" && grep -q "libsqlite3" "$work/depends"
dpkg-deb -I "$deb" postinst | grep -q "adduser --system"
dpkg-deb -I "$deb" conffiles | grep -q "/etc/weft/weft.yaml"
grep -q "^User=weft" <(dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/lib/systemd/system/weft.service)
echo "$(basename "$deb"): $(wc -l < "$work/contents") entries, the expected files, Depends and maintainer scripts: ok"

# Installed for real (root only, and only where no weft package is already installed): the
# unit's command line, run as the weft user, serves the example workflows.
if [ "$(id -u)" -ne 0 ] || dpkg -s weft > /dev/null 2>&1 || (: < /dev/tcp/127.0.0.1/8686) 2>/dev/null; then
  echo "SKIPPED the install check: needs root, no installed weft package, and port 8686 free"
  [ "${CI:-}" = true ] && { echo "CI=true: the package must be installed and run here"; exit 1; }
  exit 77  # ctest: Skipped (the package's contents were checked above)
fi
cleanup() {
  set +e
  pkill -TERM -u weft -f "weft serve --config /etc/weft/weft.yaml"
  [ -n "${server:-}" ] && wait "$server" 2> /dev/null
  dpkg --purge weft > /dev/null 2>&1
  rm -rf /var/lib/weft /etc/weft "$work"
}
trap cleanup EXIT
DEBIAN_FRONTEND=noninteractive dpkg -i "$deb" > "$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; exit 1; }
getent passwd weft > /dev/null
test "$(stat -c %U /var/lib/weft)" = weft
exec_start=$(sed -n 's/^ExecStart=//p' /usr/lib/systemd/system/weft.service)
cd /var/lib/weft
runuser -u weft -- $exec_start > "$work/serve.log" 2>&1 &
server=$!
cd - > /dev/null
for _ in $(seq 1 100); do grep -q "listening on" "$work/serve.log" 2>/dev/null && break; sleep 0.1; done
grep "listening on" "$work/serve.log"
answer=$(curl -s localhost:8686/collect/github -H 'Content-Type: application/json' -H 'X-GitHub-Event: push' \
  -d '{"sender":{"login":"octocat","id":583231},"pusher":{"email":"octo@example.com"}}')
echo "$answer" | grep -q '"status":"processed"'
curl -s 'localhost:8686/profiles?identifier=github:583231' | grep -q '"value":"octo@example.com"'
test "$(stat -c %U /var/lib/weft/weft.db)" = weft
grep -q "the console is at http://127.0.0.1:8686/ui/" "$work/serve.log"
curl -s localhost:8686/ui/ | grep -q '<script type="module" src="app.js">'
echo "installed .deb: weft serve as the weft user answered $answer, and serves the console from /usr/share/weft/ui"
