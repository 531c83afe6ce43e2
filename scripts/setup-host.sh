#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scripts/setup-host.sh [--src-only] [EXTRA-PACKAGE...]: make a Debian 12
# machine ready to build and test Husk. Installs only what is missing and
# adds a deb-src entry (for `apt-get source musl` and `lwip`) if apt has
# none. Idempotent and quiet when there is nothing to do.
set -euo pipefail

packages=(gcc make binutils libc6-dev libseccomp-dev pkg-config dpkg-dev
          patch xz-utils clang libclang-rt-14-dev ca-certificates)
src_only=no
extra=()
for a in "$@"; do
    case $a in
    --src-only) src_only=yes ;;
    *) extra+=("$a") ;;
    esac
done
if [ $src_only = yes ]; then
    packages=(dpkg-dev patch xz-utils)
fi
packages+=("${extra[@]}")

need_root() {
    if [ "$(id -u)" != 0 ]; then
        echo "setup-host: $1; run this as root (or install it yourself)" >&2
        exit 1
    fi
}

updated=no
apt_update() {
    if [ $updated = no ]; then
        echo "setup-host: apt-get update"
        apt-get update -q >/dev/null
        updated=yes
    fi
}

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
        missing+=("$p")
    fi
done
if [ ${#missing[@]} -gt 0 ]; then
    need_root "missing Debian packages: ${missing[*]}"
    apt_update
    echo "setup-host: installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        "${missing[@]}" >/dev/null
fi

# apt-get source needs a deb-src entry; Debian's images ship without one.
if ! grep -rqsE '^(deb-src|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    need_root "apt has no deb-src entry"
    list=/etc/apt/sources.list.d/husk-deb-src.sources
    base=/etc/apt/sources.list.d/debian.sources
    echo "setup-host: adding $list"
    if [ -f "$base" ]; then
        # Same archives as the binary packages, first stanza (the main one).
        awk 'BEGIN { RS = ""; ORS = "\n\n" } NR == 1' "$base" |
            sed 's/^Types:.*/Types: deb-src/' >"$list"
    else
        cat >"$list" <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    fi
    updated=no
    apt_update
fi
