#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/cli/inspect.sh BUILD [HUSK]: husk inspect [--json] IMAGE, with
# HUSK (default BUILD/husk). Every image under BUILD (examples, test,
# hostile and stdin guests) is described in text and in JSON, and what
# husk says is checked against readelf and against the images' build
# rules (devices, mounts, packed tree); images made here cover a build
# id, stripped symbols, missing or bad section headers and a damaged
# mount table; the bad images of tests/cli/mkelf.c (BUILD/tests/cli/
# images, which tests/cli/run.sh writes) get the line and status that
# husk IMAGE gives. Needs jq and readelf; no /dev/kvm, and nothing runs
# a guest. Prints "PASS cli/inspect/NAME" or "FAIL cli/inspect/NAME: why"
# per case; exits 1 if any failed.
# shellcheck disable=SC2016 # jq programs, in single quotes
set -u
build=${1:?usage: tests/cli/inspect.sh BUILD [HUSK]}
husk=${2:-$build/husk}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
images=$build/tests/cli/images
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

fatal() { # the suite itself cannot run: one FAIL line says why
    echo "FAIL cli/inspect/setup: $*"
    exit 1
}

[ -x "$husk" ] || fatal "$husk is missing (make $husk)"
command -v jq >/dev/null || fatal "jq is not installed (apt-get install jq)"
command -v readelf >/dev/null || fatal "readelf is not installed (binutils)"
[ -f "$images/valid.husk" ] ||
    fatal "$images holds no test images: run tests/cli/run.sh $build first"
abi=$(sed -n 's/^#define HUSK_ABI_VERSION \([0-9]*\).*/\1/p' "$root/abi/husk_abi.h")
[ -n "$abi" ] || fatal "no HUSK_ABI_VERSION in abi/husk_abi.h"

# run ARGS...: husk, its stdout in $tmp/out, stderr in $tmp/err, status in st.
st=0
run() {
    timeout 20 "$husk" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    st=$?
}

report() { # name why: one line (PASS if why is empty)
    if [ -z "$2" ]; then
        echo "PASS cli/inspect/$1"
    else
        echo "FAIL cli/inspect/$1: $2"
        sed 's/^/    | /' "$tmp/out" "$tmp/err" 2>/dev/null | head -10
        failed=1
    fi
}

# jq -e FILTER on $tmp/out, with --arg/--argjson pairs first.
jqe() { jq -e "$@" "$tmp/out" >/dev/null 2>&1; }

# What the build rules (Makefile) give some images: "kind:name ..." and
# "device:/path ...". Other images are checked against readelf only.
expected_devices() {
    case $1 in
    examples/hello) echo "" ;;
    examples/tcp_echo | examples/http | examples/udp_echo | examples/tcp_client) echo "net:service" ;;
    tests/guests/net_two_nics) echo "net:service net:other" ;;
    tests/guests/net_* | tests/guests/threads_net | tests/hostile/net_*) echo "net:service" ;;
    tests/guests/blockio | tests/guests/ext_two) echo "block:data block:more" ;;
    tests/guests/ext_* | tests/hostile/attack_block) echo "block:data" ;;
    tests/guests/packed | tests/guests/packed_none | tests/guests/hello_argv) echo "" ;;
    *) echo "?" ;;
    esac
}
expected_mounts() {
    case $1 in
    tests/guests/ext_two) echo "data:/data more:/mnt/more" ;;
    tests/guests/ext_*) echo "data:/data" ;;
    examples/* | tests/guests/* | tests/hostile/* | tests/stdin/*) echo "" ;;
    *) echo "?" ;;
    esac
}

# What readelf says of an image, once: $tmp/re.
readelf_facts() { readelf -hlSnW "$1" >"$tmp/re" 2>&1; }

# readelf's LOAD segments with a memory size, as "vaddr filesz memsz rwx"
# in decimal (the loader skips empty ones, as elf.c does).
readelf_segments() {
    local type off vaddr filesz memsz rest r w x
    while read -r type off vaddr _ filesz memsz rest; do
        [ "$type" = LOAD ] || continue
        [ $((memsz)) != 0 ] || continue
        rest=${rest% *} # the alignment
        r=-; w=-; x=-
        [[ $rest == *R* ]] && r=r
        [[ $rest == *W* ]] && w=w
        [[ $rest == *E* ]] && x=x
        echo "$((vaddr)) $((filesz)) $((memsz)) $r$w$x"
    done <"$tmp/re"
}

# The size of section NAME (a regex; decimal), or nothing.
section_size() {
    local hex
    hex=$(sed -n "s/.*\] $1 *[A-Z_]* *[0-9a-f]* [0-9a-f]* \([0-9a-f]*\) .*/\1/p" "$tmp/re" | head -n1)
    [ -n "$hex" ] && echo $((16#$hex))
}

# The JSON report's facts ($tmp/json), as shell variables j_KEY, in one
# jq run; j_ok=no if it is not one JSON object.
keys='abi_version,husk_abi_version,runs,devices,mounts,files,files_size,entry,segments,min_mem,build_id,symbols,symbol_count,debug_info'
json_facts() {
    local line
    j_ok=no
    line=$(jq -r '[.abi_version, .husk_abi_version, .runs, .entry, .min_mem,
        .symbols, .symbol_count, .debug_info, .files, .files_size,
        (.build_id // "none"), (.mounts == null),
        ([.devices[] | "\(.kind):\(.name)"] | join(" ")),
        ([.mounts[]? | "\(.device):\(.path)"] | join(" ")),
        ([.segments[] | .vaddr + .mem_size] | max),
        ([.segments[] | "\(.vaddr) \(.file_size) \(.mem_size) \(.flags)"] | join(";")),
        (keys_unsorted | join(","))] | map(tostring) | join("|")' "$tmp/json" 2>/dev/null) || return 0
    [ "$(wc -l <"$tmp/json")" = 1 ] || return 0
    IFS='|' read -r j_abi j_husk_abi j_runs j_entry j_min_mem j_symbols \
        j_symbol_count j_debug_info j_files j_files_size j_build_id \
        j_mounts_unknown j_devices j_mounts j_top j_segments j_keys <<<"$line"
    j_segments=${j_segments//;/$'\n'}
    j_ok=yes
}

# The JSON checks that hold for every image husk-cc made: against
# readelf, and the build rules where they are known. Prints why not.
check_json() { # image name
    local f=$1 name=$2 want
    [ "$st" = 0 ] || { echo "exit status $st"; return; }
    [ -s "$tmp/err" ] && { echo "stderr is not empty"; return; }
    [ "$j_ok" = yes ] || { echo "not one line of JSON"; return; }
    [ "$j_keys" = "$keys" ] || { echo "keys are $j_keys, expected $keys"; return; }
    [ "$j_abi/$j_husk_abi/$j_runs" = "$abi/$abi/true" ] ||
        { echo "abi_version/husk_abi_version/runs are $j_abi/$j_husk_abi/$j_runs, not $abi/$abi/true"; return; }
    want=$(($(sed -n 's/.*Entry point address: *//p' "$tmp/re")))
    [ "$j_entry" = "$want" ] || { echo "entry is $j_entry, readelf says $want"; return; }
    want=$(readelf_segments)
    [ "$j_segments" = "$want" ] || { echo "segments are [$j_segments], readelf says [$want]"; return; }
    # The minimum --mem: 2M steps, from 4M, room above the image's end.
    if [ $((j_min_mem % (2 << 20))) != 0 ] || [ "$j_min_mem" -lt $((4 << 20)) ] ||
        [ "$j_min_mem" -lt $((j_top + (1 << 20))) ]; then
        echo "min_mem $j_min_mem is not a multiple of 2M from 4M above the image's end $j_top"
        return
    fi
    # Sections: symbols, debug information, the packed tree.
    want=$(section_size '\.symtab')
    want=$((${want:-24} / 24 - 1))
    [ "$j_symbol_count/$j_symbols" = "$want/$([ "$want" -gt 0 ] && echo true || echo false)" ] ||
        { echo "symbol_count/symbols are $j_symbol_count/$j_symbols, readelf says $want symbols"; return; }
    want=$(grep -q '\] \.debug_info ' "$tmp/re" && echo true || echo false)
    [ "$j_debug_info" = "$want" ] || { echo "debug_info is $j_debug_info, not $want"; return; }
    want=$(section_size '\.husk\.files')
    [ "$j_files/$j_files_size" = "$([ -n "$want" ] && echo true || echo false)/${want:-0}" ] ||
        { echo "files/files_size are $j_files/$j_files_size, .husk.files is ${want:-absent}"; return; }
    case $name in
    tests/guests/packed) [ "$j_files" = true ] || { echo "no packed tree"; return; } ;;
    tests/guests/packed_none) [ "$j_files" = false ] || { echo "a packed tree"; return; } ;;
    esac
    # The build id, as readelf reads the GNU note.
    want=$(sed -n 's/.*Build ID: *\([0-9a-f]*\).*/\1/p' "$tmp/re" | head -n1)
    [ "$j_build_id" = "${want:-none}" ] ||
        { echo "build_id is $j_build_id, readelf says ${want:-none}"; return; }
    # Devices and mounts: what the build rules declared, and every mount
    # on a declared block device.
    want=$(expected_devices "$name")
    [ "$want" = "?" ] || [ "$j_devices" = "$want" ] ||
        { echo "devices are '$j_devices', expected '$want'"; return; }
    [ "$j_mounts_unknown" = false ] || { echo "mounts unknown in an image with symbols"; return; }
    want=$(expected_mounts "$name")
    [ "$want" = "?" ] || [ "$j_mounts" = "$want" ] ||
        { echo "mounts are '$j_mounts', expected '$want'"; return; }
    local m
    for m in $j_mounts; do
        [[ " $j_devices " == *" block:${m%%:*} "* ]] ||
            { echo "mount $m is not on a declared block device"; return; }
    done
}

# The text report agrees with the JSON one.
check_text() { # image
    local f=$1 want line
    [ "$st" = 0 ] || { echo "exit status $st"; return; }
    [ -s "$tmp/err" ] && { echo "stderr is not empty"; return; }
    [ "$j_ok" = yes ] || { echo "no JSON report to compare with"; return; }
    [ "$(sed -n 's/^image: *//p' "$tmp/out")" = "$f" ] || { echo "no 'image: $f'"; return; }
    grep -qx "ABI version: *$abi (this husk runs it)" "$tmp/out" ||
        { echo "no 'ABI version: $abi (this husk runs it)'"; return; }
    want=$(printf 'entry point: *0x%x' "$j_entry")
    grep -qx "$want" "$tmp/out" || { echo "no /$want/"; return; }
    want="minimum --mem: *$((j_min_mem >> 20))M"
    grep -qx "$want" "$tmp/out" || { echo "no /$want/"; return; }
    if [ -z "$j_devices" ]; then
        grep -qx 'devices: *none' "$tmp/out" || { echo "no 'devices: none'"; return; }
    fi
    for line in $j_devices; do
        grep -Eqx "(devices:)? *${line%%:*} +${line#*:}" "$tmp/out" ||
            { echo "no line for device $line"; return; }
    done
    if [ -z "$j_mounts" ]; then
        grep -qx 'mounts: *none' "$tmp/out" || { echo "no 'mounts: none'"; return; }
    fi
    for line in $j_mounts; do
        grep -Eqx "(mounts:)? *${line%%:*} on ${line#*:}" "$tmp/out" ||
            { echo "no line for mount $line"; return; }
    done
    local v fs ms fl
    while read -r v fs ms fl; do
        line=$(printf '0x%x +0x%x +0x%x +%s' "$v" "$fs" "$ms" "$fl")
        grep -Eqx " *$line" "$tmp/out" || { echo "no segment line /$line/"; return; }
    done <<<"$j_segments"
    if [ "$j_build_id" != none ]; then
        grep -qx "build id: *$j_build_id" "$tmp/out" || { echo "no 'build id: $j_build_id'"; return; }
    else
        grep -q '^build id: *none' "$tmp/out" || { echo "no 'build id: none'"; return; }
    fi
    if [ "$j_symbols" = true ]; then
        grep -Eqx "symbols: *yes, $j_symbol_count symbols, with(out)? debug information" "$tmp/out" ||
            { echo "no 'symbols: yes, $j_symbol_count symbols, ...'"; return; }
    fi
}

# ---- every image under BUILD
mapfile -t all < <(cd "$build" && ls examples/*.husk tests/guests/*.husk \
    tests/hostile/*.husk tests/stdin/*.husk 2>/dev/null)
[ ${#all[@]} -gt 0 ] || fatal "no images under $build (make check-build)"
for rel in "${all[@]}"; do
    f=$build/$rel
    name=${rel%.husk}
    readelf_facts "$f"
    run inspect --json "$f"
    cp "$tmp/out" "$tmp/json"
    json_facts
    report "json/$name" "$(check_json "$f" "$name")"
    run inspect "$f"
    report "text/$name" "$(check_text "$f")"
done

# ---- images made here from the examples
hello=$build/examples/hello.husk
ext=$build/tests/guests/ext_two.husk
made() { # name why-it-cannot-be-made
    echo "FAIL cli/inspect/$1: $2"
    failed=1
}

# A build id: husk-cc links without one; -Wl,--build-id comes after.
case_build_id() {
    local f=$tmp/build_id.husk want
    "$build/husk-cc" -Wl,--build-id -O2 -o "$f" "$root/examples/hello.c" \
        >"$tmp/cc" 2>&1 || { made made/build_id "husk-cc failed: $(head -c 200 "$tmp/cc")"; return; }
    want=$(readelf -nW "$f" | sed -n 's/.*Build ID: *\([0-9a-f]*\).*/\1/p')
    run inspect --json "$f"
    local why=""
    [ -n "$want" ] || why="readelf sees no build id"
    [ -n "$why" ] || jqe --arg b "$want" '.build_id == $b' || why="build_id is not $want"
    report made/build_id_json "$why"
    run inspect "$f"
    why=""
    grep -qx "build id: *$want" "$tmp/out" || why="no 'build id: $want'"
    report made/build_id_text "$why"
}
case_build_id

# Stripped: no symbols, so no telling the mounts; the rest is unchanged.
case_stripped() {
    local f=$tmp/stripped.husk e=$tmp/stripped_ext.husk why=""
    strip -o "$f" "$hello" 2>"$tmp/cc" || { made made/stripped "strip failed"; return; }
    run inspect --json "$f"
    [ "$st" = 0 ] || why="exit status $st"
    [ -n "$why" ] || jqe --argjson abi "$abi" '.symbols == false and .symbol_count == 0 and
        .debug_info == false and .mounts == null and .files == false and
        .runs == true and .abi_version == $abi' ||
        why="not: no symbols, no debug information, mounts unknown"
    report made/stripped_json "$why"
    run inspect "$f"
    why=""
    grep -qx 'symbols: *none' "$tmp/out" || why="no 'symbols: none'"
    grep -qx 'mounts: *unknown (no symbol table)' "$tmp/out" ||
        why="no 'mounts: unknown (no symbol table)'"
    report made/stripped_text "$why"
    [ -f "$ext" ] || return 0
    strip -o "$e" "$ext" 2>"$tmp/cc" || { made made/stripped_ext "strip failed"; return; }
    run inspect --json "$e"
    why=""
    jqe '.mounts == null and ([.devices[] | .name] == ["data", "more"])' ||
        why="not: mounts unknown, devices data and more"
    report made/stripped_ext "$why"
}
case_stripped

# poke FILE OFFSET HEXBYTES: overwrite bytes in place.
poke() {
    printf '%b' "$(printf '%s' "$3" | sed 's/../\\x&/g')" |
        dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# No section headers (e_shoff, e_shnum, e_shstrndx zero), and section
# headers past the end of the file: unknown, and the rest still told.
case_sections() {
    local f=$tmp/nosections.husk g=$tmp/badsections.husk why=""
    cp "$hello" "$f" && poke "$f" 40 0000000000000000 && poke "$f" 60 00000000
    run inspect --json "$f"
    [ "$st" = 0 ] || why="exit status $st"
    [ -n "$why" ] || jqe '.symbols == null and .symbol_count == null and
        .debug_info == null and .files == null and .files_size == null and
        .mounts == null and .runs == true and (.segments | length) > 0' ||
        why="section facts are not null"
    report made/no_sections_json "$why"
    run inspect "$f"
    why=""
    grep -qx 'packed tree: *unknown (no section headers)' "$tmp/out" ||
        why="no 'packed tree: unknown (no section headers)'"
    report made/no_sections_text "$why"
    cp "$hello" "$g" && poke "$g" 40 00000000ffff0000
    run inspect "$g"
    why=""
    [ "$st" = 0 ] || why="exit status $st"
    grep -qx 'symbols: *unknown (bad section headers)' "$tmp/out" ||
        why="no 'symbols: unknown (bad section headers)'"
    report made/bad_sections "$why"
}
case_sections

# A mount table that husk-cc would never write: a '"' in the path (which
# JSON would need escaped) makes it unreadable, and the JSON stays JSON.
case_mount_table() {
    [ -f "$ext" ] || return 0
    local f=$tmp/badmount.husk why="" addr off
    addr=$(readelf -sW "$ext" | awk '$8 == "husk_extfs_mounts" && $7 != "UND" { print $2 }')
    # Its file offset: through the LOAD segment that holds it.
    off=$(readelf -lW "$ext" | while read -r type o v _ fs rest; do
        [ "$type" = LOAD ] || continue
        if [ $((16#$addr)) -ge $((v)) ] && [ $((16#$addr)) -lt $((v + fs)) ]; then
            echo $((o + 16#$addr - v))
        fi
    done)
    [ -n "$off" ] || { made made/bad_mount_table "no husk_extfs_mounts in $ext"; return; }
    cp "$ext" "$f" && poke "$f" $((off + 6)) 22 # "data\0/" then the '"'
    run inspect --json "$f"
    [ "$st" = 0 ] || why="exit status $st"
    [ -n "$why" ] || jqe '.mounts == null' || why="mounts are not null"
    report made/bad_mount_table_json "$why"
    run inspect "$f"
    why=""
    grep -qx 'mounts: *unknown (the mount table is malformed)' "$tmp/out" ||
        why="no 'mounts: unknown (the mount table is malformed)'"
    report made/bad_mount_table_text "$why"
}
case_mount_table

# ---- tests/cli/mkelf.c's images: the good ones described, the bad ones
# refused with husk IMAGE's line and status (the same for --json).
good="valid bigbss disk abi999"
[ "$(id -u)" = 0 ] && good="$good unreadable" # root reads mode 000
for f in "$images"/*.husk; do
    n=$(basename "$f" .husk)
    if [[ " $good " == *" $n "* ]]; then
        run inspect --json "$f"
        why=""
        [ "$st" = 0 ] || why="exit status $st"
        [ -n "$why" ] || jq -e . "$tmp/out" >/dev/null 2>&1 || why="not JSON"
        case $n in
        abi999) [ -n "$why" ] || jqe --argjson abi "$abi" '.abi_version == 999 and
                    .husk_abi_version == $abi and .runs == false' ||
                why="not: abi_version 999, runs false" ;;
        disk) [ -n "$why" ] || jqe '.devices == [{"kind": "block", "name": "disk"}]' ||
                why="devices are not block disk" ;;
        bigbss) [ -n "$why" ] || jqe '.min_mem == 12582912' || why="min_mem is not 12M" ;;
        *) [ -n "$why" ] || jqe '.runs == true' || why="runs is not true" ;;
        esac
        report "mkelf/$n" "$why"
        continue
    fi
    run "$f"
    cp "$tmp/err" "$tmp/want_err"
    want_st=$st
    why=""
    for json in "" --json; do
        run inspect $json "$f"
        if [ "$st" != "$want_st" ]; then
            why="inspect $json: exit status $st, husk IMAGE gives $want_st"
        elif [ -s "$tmp/out" ]; then
            why="inspect $json: stdout is not empty"
        elif ! cmp -s "$tmp/err" "$tmp/want_err"; then
            why="inspect $json: stderr '$(head -c 200 "$tmp/err")' is not husk IMAGE's '$(head -c 200 "$tmp/want_err")'"
        elif [ "$(wc -l <"$tmp/err")" != 1 ]; then
            why="inspect $json: stderr is not one line"
        fi
        [ -n "$why" ] && break
    done
    [ "$want_st" = 125 ] || why="husk IMAGE exits $want_st, expected 125${why:+; $why}"
    report "mkelf/$n" "$why"
done

# The ABI of another release: described, with what this husk runs.
run inspect "$images/abi999.husk"
why=""
[ "$st" = 0 ] || why="exit status $st"
grep -qx "ABI version: *999 (this husk runs ABI $abi only: rebuild the image with this release's husk-cc)" \
    "$tmp/out" || why="no 'ABI version: 999 (this husk runs ABI $abi only ...)'"
report abi_other_text "$why"

# The minimum --mem is the monitor's own: husk refuses 2M less.
run inspect --json "$images/bigbss.husk"
min=$(jq .min_mem "$tmp/out" 2>/dev/null)
run --mem=$(((min >> 20) - 2))M "$images/bigbss.husk"
why=""
grep -q "it needs at least $((min >> 20))M\$" "$tmp/err" ||
    why="husk --mem=$(((min >> 20) - 2))M does not say it needs $((min >> 20))M"
report min_mem_is_husks "$why"

# ---- files that are not images, as husk IMAGE refuses them
for path in "$images/nonexistent.husk" "$images" /dev/null \
    "$images/valid.husk/x" /sys/devices/system/cpu/online; do
    run "$path"
    cp "$tmp/err" "$tmp/want_err"
    want_st=$st
    run inspect "$path"
    why=""
    if [ "$st" != "$want_st" ] || [ "$st" != 125 ]; then
        why="exit status $st, husk IMAGE gives $want_st"
    elif ! cmp -s "$tmp/err" "$tmp/want_err" || [ -s "$tmp/out" ]; then
        why="stderr '$(head -c 200 "$tmp/err")' is not husk IMAGE's '$(head -c 200 "$tmp/want_err")'"
    fi
    case $path in
    /dev/null) n=device ;;
    /sys/*) n=reads_short ;;
    */x) n=not_a_directory ;;
    "$images") n=directory ;;
    *) n=missing ;;
    esac
    report "file/$n" "$why"
done

# ---- the command line
usage_case() { # name status regex args...
    local name=$1 want=$2 re=$3 why=""
    shift 3
    run "$@"
    if [ "$st" != "$want" ]; then
        why="exit status $st, expected $want"
    elif [ "$want" = 0 ]; then
        [ -s "$tmp/err" ] && why="stderr is not empty"
        head -n1 "$tmp/out" | grep -Eq -- "$re" || why="first line does not match /$re/"
    else
        [ -s "$tmp/out" ] && why="stdout is not empty"
        [ "$(wc -l <"$tmp/err")" = 1 ] || why="stderr is not one line"
        grep -Eq -- "$re" "$tmp/err" || why="stderr does not match /$re/"
    fi
    report "usage/$name" "$why"
}
usage_case help 0 '^usage: husk inspect \[--json\] IMAGE$' inspect --help
usage_case no_image 125 '^husk: no image given \(usage: husk inspect \[--json\] IMAGE\)$' inspect
usage_case json_no_image 125 '^husk: no image given' inspect --json
usage_case unknown_option 125 '^husk: --yaml: unknown option \(see husk inspect --help\)$' inspect --yaml "$hello"
usage_case two_images 125 '^husk: .*: unexpected argument; husk inspect takes one image$' inspect "$hello" "$hello"
usage_case empty_path 125 '^husk: the image path is empty$' inspect ''
usage_case after_dashdash 0 '^image: ' inspect -- "$hello"
# A report that cannot be written is an error, not a silent success.
timeout 20 "$husk" inspect "$hello" >/dev/full 2>"$tmp/err"
st=$?
why=""
[ "$st" = 125 ] || why="exit status $st, expected 125"
grep -q '^husk: .*: cannot write the report: No space left on device$' "$tmp/err" ||
    why="${why:+$why; }stderr is not 'cannot write the report'"
: >"$tmp/out"
report usage/stdout_full "$why"

exit "$failed"
