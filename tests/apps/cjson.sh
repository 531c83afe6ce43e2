# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# tests/apps/cjson.sh: cJSON (Debian's cjson source), for the embedding
# example (examples/embed/): cJSON.c compiled with husk-cc into an
# archive that the example's guest links. Not one of the apps suite's
# programs; examples/embed/build.sh builds it through apps_build, fetched
# and cached as they are (BUILD/apps/src/cjson, BUILD/apps/cjson/tree).

build_cjson() {
    step compile "$hcc" -std=gnu11 -O2 -c cJSON.c -o cJSON.o &&
        step archive ar rcs libcjson.a cJSON.o
}

images_cjson() { :; } # the example's guest is linked by examples/embed/build.sh
