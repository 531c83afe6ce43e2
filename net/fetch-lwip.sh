#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# net/fetch-lwip.sh BUILD_DIR: fetch lwIP's source from Debian's `lwip`
# source package (apt-get source; it is never committed) and unpack it,
# Debian's patches applied, into BUILD_DIR/src/lwip. The Makefile compiles
# the parts Husk uses (the raw API: no threads, no lwIP sockets) with
# net/include/lwipopts.h. Does nothing once the tree is there.
set -euo pipefail
if [ $# -ne 1 ]; then
    echo "usage: $0 BUILD_DIR" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1"
build=$(cd "$1" && pwd)
dest=$build/src/lwip
stamp=$dest/.stamp
want=$(sha256sum "$0" | cut -d' ' -f1)
if [ -f "$dest/tree/src/core/tcp.c" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    exit 0
fi
bash "$here/../scripts/setup-host.sh" --src-only dpkg-dev xz-utils

rm -rf "$dest"
mkdir -p "$dest"
log=$dest/fetch.log
cd "$dest"
if ! apt-get source --download-only -q lwip >"$log" 2>&1 ||
    ! dsc=$(ls lwip_*.dsc 2>/dev/null) ||
    ! dpkg-source -x "$dsc" tree >>"$log" 2>&1; then
    echo "lwip: cannot fetch Debian's lwip source (apt-get source lwip); the end of $log:" >&2
    tail -n 20 "$log" >&2
    exit 1
fi
version=$(sed -n 's/^Version: //p' "$dsc")
case $version in
2.1.*) ;;
*) echo "lwip: Debian has lwip $version; Husk is written for lwIP 2.1" >&2; exit 1 ;;
esac
echo "lwip $version" >"$dest/VERSION"
rm -f ./*.tar.* ./*.dsc
echo "$want" >"$stamp"
echo "lwip: unpacked lwIP $version (Debian source) into $dest/tree"
