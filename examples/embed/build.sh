#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# examples/embed/build.sh BUILD: the embedding example (docs/embedding.md,
# "Example"). cJSON comes from Debian's cjson source package, fetched and
# built with husk-cc the way the apps suite's programs are
# (tests/apps/lib.sh, tests/apps/cjson.sh; cached in BUILD/apps, never
# committed); then json_guest.c is linked with it into
# BUILD/examples/embed/json_guest.husk, and json_host.c with
# BUILD/host/libhusk-host.a into BUILD/examples/embed/json_host.
# `make examples-embed` runs it (CC and HOST_CFLAGS from the Makefile).
# Status 3 with one line if cJSON's source cannot be fetched here.
set -u
build=$(cd "${1:?usage: examples/embed/build.sh BUILD}" && pwd)
src=$(cd "$(dirname "$0")" && pwd)
here=$(cd "$src/../../tests" && pwd) # what tests/apps/lib.sh calls here
. "$here/apps/lib.sh"
. "$here/apps/cjson.sh"
cc=${CC:-gcc}
read -r -a cflags <<<"${HOST_CFLAGS:--std=gnu11 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE}"
out=$build/examples/embed
mkdir -p "$out"

if ! why=$(apps_build cjson cjson 2>&1); then
    echo "cJSON: $(echo "$why" | grep -v '^    |' | head -1)"
    case $why in "cannot fetch"* | *"APPS_BUILD=no"*) exit 3 ;; esac
    exit 1
fi
tree=$apps/cjson/tree
set -e
"$hcc" -O2 -Wall -Wextra -Werror -I"$tree" -o "$out/json_guest.husk" \
    "$src/json_guest.c" "$tree/libcjson.a"
"$cc" "${cflags[@]}" -I"$build/host/include" -o "$out/json_host" \
    "$src/json_host.c" "$build/host/libhusk-host.a"
