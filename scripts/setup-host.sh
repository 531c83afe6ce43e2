#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scripts/setup-host.sh [--src-only] [PACKAGE...]: make a Debian 12 machine
# ready to build Husk. Installs whichever of the build packages (and of the
# PACKAGEs named) are missing, and gives apt a deb-src entry so that
# `apt-get source musl` works. --src-only skips the default package list:
# only the deb-src entry and the PACKAGEs named. Idempotent; prints one line
# per action and nothing when there is nothing to do.
set -euo pipefail

default=(gcc make binutils libc6-dev libseccomp-dev pkg-config dpkg-dev
         clang libclang-rt-14-dev patch xz-utils ca-certificates time
         cpio libjansson-dev help2man) # cpio: husk-cc --files packs a tree
                              # with it; libjansson-dev: husk-oci reads
                              # config.json; help2man: the man pages
packages=()
src_only=no
for a in "$@"; do
    case $a in
    --src-only) src_only=yes ;;
    -*) echo "usage: $0 [--src-only] [PACKAGE...]" >&2; exit 2 ;;
    *) packages+=("$a") ;;
    esac
done
[ $src_only = yes ] || packages=("${default[@]}" "${packages[@]}")

say() { echo "setup-host: $*"; }
quietly() { # apt's chatter (e.g. debconf's notes) only if it fails
    local out
    out=$("$@" 2>&1) || { echo "$out" >&2; echo "setup-host: $* failed" >&2; exit 1; }
}
updated=no
apt_update() { # at most once per run
    [ $updated = no ] || return 0
    say "apt-get update"
    quietly apt-get update -q
    updated=yes
}

# What is missing: packages, and a deb-src entry (apt reads only
# sources.list and sources.list.d/*.list, *.sources) or its index.
missing=()
if [ ${#packages[@]} -gt 0 ]; then
    # One dpkg-query for all (one per package takes a second).
    status=$(dpkg-query -W -f='${Package} ${Status}\n' "${packages[@]}" \
        2>/dev/null || true)
    for p in "${packages[@]}"; do
        grep -qxF "${p%%:*} install ok installed" <<<"$status" || missing+=("$p")
    done
fi
lists=(/etc/apt/sources.list /etc/apt/sources.list.d/*.list
       /etc/apt/sources.list.d/*.sources)
src=ok
if ! grep -qsE '^[[:space:]]*(deb-src[[:space:]]|Types:.*\<deb-src\>)' "${lists[@]}"; then
    src=entry
elif ! compgen -G '/var/lib/apt/lists/*_Sources*' >/dev/null; then
    src=index # an entry never fetched: apt-get source would find nothing
fi
if [ ${#missing[@]} -eq 0 ] && [ $src = ok ]; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    todo=""
    [ ${#missing[@]} -eq 0 ] || todo="apt-get install ${missing[*]}; "
    [ $src != entry ] || todo+="add a deb-src entry for bookworm main; "
    [ $src = ok ] || todo+="apt-get update; "
    echo "setup-host: not root; as root, please: ${todo%; }" >&2
    exit 1
fi

# deb-src first, so that one apt-get update serves the installs too.
if [ $src = entry ]; then
    out=/etc/apt/sources.list.d/husk-deb-src.sources
    base=/etc/apt/sources.list.d/debian.sources
    say "adding $out"
    if grep -qs '^Types:' "$base"; then
        # The binary archives' own stanzas (URIs, Suites, Components,
        # Signed-By), as Types: deb-src.
        sed 's/^Types:.*/Types: deb-src/' "$base" >"$out.tmp"
    else
        cat >"$out.tmp" <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    fi
    mv "$out.tmp" "$out"
fi
[ $src = ok ] || apt_update
if [ ${#missing[@]} -gt 0 ]; then
    apt_update
    say "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive quietly apt-get install -y -q \
        --no-install-recommends "${missing[@]}"
fi
