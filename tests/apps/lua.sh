# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# tests/apps/lua.sh: the Lua 5.4 interpreter (Debian's lua5.4 source),
# built with its own Makefile's posix target. It runs
# tests/apps/lua/scripts/main.lua, which checks itself, from stdin, from
# the packed tree (husk-cc --files) and from an ext4 image (husk-cc
# --mount). Sourced by tests/apps-suite.sh.

lua_cc() { echo "$hcc -std=gnu99"; } # as Lua's Makefile has gcc

build_lua() {
    step make make -j2 posix CC="$(lua_cc)"
}

# lua_link IMAGE [HUSK-CC IMAGE FLAGS]: the interpreter linked again by
# its Makefile, with the image flags as Lua's MYLDFLAGS.
lua_link() {
    local out=$1
    shift
    step link rm -f src/lua && step link make -C src lua CC="$(lua_cc)" MYLDFLAGS="$*" &&
        cp src/lua "$apps/bin/$out"
}

images_lua() {
    rm -f "$apps"/bin/lua*.husk
    lua_link lua.husk || return 1
    if have_hcc_option files; then
        lua_link lua-files.husk --files="$here/apps/lua" || return 1
    fi
    if have_hcc_option mount; then
        lua_link lua-ext4.husk --mount=data:/data || return 1
    fi
}

test_lua() {
    local script=$here/apps/lua/scripts/main.lua passed='^main\.lua: [0-9]+ checks passed$'
    app_run lua.husk -- -e 'print(("ab"):rep(2), 6 * 7, math.type(2^53 // 1), _VERSION)'
    why=$(run_why 0 '' '')
    [ -z "$why" ] && [ "$(cat "$tmp/out")" != "$(printf 'abab\t42\tfloat\tLua 5.4')" ] &&
        why="stdout: $(head -c 200 "$tmp/out")"
    result lua_e "$why"

    # An error: status 1 and the message on stderr, as lua.c reports it.
    app_run lua.husk -- -e 'error("boom")'
    result lua_e_error "$(run_why 1 '' '^.*lua.*: \(command line\):1: boom$')"

    # A script on stdin, named "-" and, stdin not being a terminal, by
    # default.
    app_run --env=APPS_LUA=husk lua.husk -- - <"$script"
    result lua_stdin_script_dash "$(run_why 0 "$passed" '')"
    app_run --env=APPS_LUA=husk lua.husk <"$script"
    result lua_stdin_script_default "$(run_why 0 "$passed" '')"

    # From the packed tree: modules, data, EROFS there; /tmp writable.
    if ! have_hcc_option files; then
        skip lua_packed_tree "husk-cc has no --files option yet"
    else
        app_run --env=APPS_LUA=husk lua-files.husk -- /scripts/main.lua /tmp ro </dev/null
        result lua_packed_tree "$(run_why 0 "$passed" '')"
        # LUA_PATH from the environment, as a user would set it.
        app_run --env=LUA_PATH='/scripts/lib/?.lua' lua-files.husk -- \
            -e 'print(require("shapes").area("rectangle", 6, 7))' </dev/null
        result lua_packed_tree_lua_path "$(run_why 0 '^42$' '')"
    fi

    # From an ext4 image made with mkfs.ext4 -d: the same script, its
    # files written on the image itself; the host reads them back.
    if ! have_hcc_option mount; then
        skip lua_ext4 "husk-cc has no --mount option yet"
        return
    fi
    local img=$tmp/lua.img
    rm -f "$img"
    mkfs.ext4 -q -F -d "$here/apps/lua" "$img" 8M >/dev/null
    app_run --env=APPS_LUA=husk --block:data="$img" lua-ext4.husk -- \
        /data/scripts/main.lua /data rw </dev/null
    why=$(run_why 0 "$passed" '')
    [ -z "$why" ] && why=$(apps_fsck "$img")
    [ -z "$why" ] && ! debugfs -R 'cat /scripts/result.txt' "$img" 2>/dev/null |
        grep -q '^lua Lua 5.4 wrote this after [0-9]* checks$' &&
        why="/scripts/result.txt on the image is not what the script wrote"
    result lua_ext4 "$why"
}
