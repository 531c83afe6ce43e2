#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/ext-suite.sh BUILD HUSK LABEL [BACKEND]: ext2/ext3/ext4 images
# mounted by the guest (husk-cc --mount=NAME:/PATH, guest/ext2/), checked
# from the host with e2fsprogs' own tools: images made with mkfs.ext4 -d
# and mkfs.ext2, guests (tests/guests/ext_fs.c, ext_model.c, ext_names.c)
# that create, write, read, rename, link, truncate and remove, then
# debugfs reading what they wrote and e2fsck -fn finding every image
# clean; a second boot
# seeing it all; kill -9 after fsync; a full image (ENOSPC, the guest
# goes on); a read-only attach (EROFS, the image byte for byte the same);
# images that cannot be mounted (status 125 and one line). BACKEND (kvm,
# the default, or process) is passed to every run as --backend. Prints
# "PASS LABEL/ext/name" lines; with HUSK_TEST_SKIP set, a SKIP line for
# each case and no guest booted (tests/lib.sh).
set -u
build=$1 husk=$2 label=$3 backend=${4:-kvm} suite=ext
fsimg=$build/tests/guests/ext_fs.husk
two=$build/tests/guests/ext_two.husk
model=$build/tests/guests/ext_model.husk
huskcc=$build/husk-cc
tmp=$(mktemp -d)
bgpid=""
. "$(dirname "$0")/lib.sh"
skipping=${HUSK_TEST_SKIP:+yes}
[ -z "$skipping" ] || husk=$(type -P true)
husk_cmd=("$husk" --backend="$backend")
trap '[ -n "$bgpid" ] && kill -9 "$bgpid" 2>/dev/null; rm -rf "$tmp"' EXIT

for tool in mkfs.ext4 mkfs.ext2 debugfs e2fsck dumpe2fs; do
    if ! command -v "$tool" >/dev/null; then
        echo "FAIL $label/$suite/tools: $tool is missing (e2fsprogs, tests/packages.txt)"
        exit 0
    fi
done

boot() { # husk options and image and args; output in $tmp/out, $tmp/err
    timeout --foreground -k 5 300 "${husk_cmd[@]}" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
}

expect() { # name status stdout-regex stderr-regex -- husk args...
    local name=$1 want=$2 out_re=$3 err_re=$4
    shift 5
    boot "$@"
    result "$name" "$(why_failed $? "$want" "$out_re" "$err_re" "$tmp/out" "$tmp/err")"
}

# host NAME WHY-IF-FAILED: a check made on the host, not worth a boot;
# skipped with the boots.
host() { result "$1" "$2"; }

# clean NAME IMAGE: e2fsck -fn finds nothing to fix, and the superblock
# says the file system is clean (valid).
clean() {
    local why=""
    if [ -z "$skipping" ]; then
        e2fsck -fn "$2" >"$tmp/fsck" 2>&1
        local rc=$?
        if [ $rc != 0 ]; then
            why="e2fsck -fn: status $rc: $(grep -v '^e2fsck \|^Pass \|^$' "$tmp/fsck" | head -3 | tr '\n' ' ')"
        elif ! dumpe2fs -h "$2" 2>/dev/null | grep -q '^Filesystem state: *clean$'; then
            why="the superblock does not say clean: $(dumpe2fs -h "$2" 2>/dev/null | grep '^Filesystem state')"
        fi
    fi
    host "$1" "$why"
}

# dbg IMAGE COMMAND: debugfs's output of one request.
dbg() { debugfs -R "$2" "$1" 2>/dev/null; }

# The host's tree, put in with mkfs -d (checked by the guest).
fixture=$tmp/fixture
mkdir -p "$fixture/host/broken"
printf 'hi from the host\n' >"$fixture/host/hello.txt"
for i in $(seq 40); do printf 'file %d\n' "$i" >"$fixture/host/broken/f$i"; done
seq -f '%08g ext pattern' 1 200000 >"$tmp/pattern200000"
seq -f '%08g ext pattern' 1 50000 >"$tmp/pattern50000"

# ---- each kind of file system: ext4 (1 KiB blocks, as mkfs.ext4 makes
# a small one, and 4 KiB), ext3 (a journal, block-mapped files) and ext2
for kind in ext4:mkfs.ext4 ext4k:"mkfs.ext4 -b 4096" ext3:mkfs.ext3 ext2:"mkfs.ext2 -b 4096"; do
    k=${kind%%:*} mk=${kind#*:}
    i=$tmp/$k.img
    $mk -q -d "$fixture" "$i" 96M >/dev/null 2>&1 || host "${k}_mkfs" "$mk -d failed"

    expect "${k}_write" 0 '^write ok$' '' -- --block:data="$i" "$fsimg" -- write
    clean "${k}_write_clean" "$i"
    # What the guest wrote, as the host's tools see it (nothing is
    # computed in skip mode: host only prints SKIP then).
    [ -n "$skipping" ] || dbg "$i" "dump /dir/sub/pattern.txt $tmp/got"
    host "${k}_debugfs_pattern" "$([ -n "$skipping" ] || cmp -s "$tmp/got" "$tmp/pattern200000" ||
        echo "pattern.txt differs")"
    host "${k}_debugfs_small" "$([ -n "$skipping" ] || [ "$(dbg "$i" 'cat /small.txt')" = "hello from husk" ] ||
        echo "small.txt: $(dbg "$i" 'cat /small.txt' | head -c 80)")"
    stat_small=$([ -n "$skipping" ] || dbg "$i" 'stat /small.txt')
    host "${k}_debugfs_mode_links" "$([ -n "$skipping" ] || { grep -q 'Mode: *0600' <<<"$stat_small" &&
        grep -q 'Links: 2' <<<"$stat_small"; } || echo "small.txt: $(head -2 <<<"$stat_small" | tr '\n' ' ')")"
    host "${k}_debugfs_symlink" "$([ -n "$skipping" ] ||
        dbg "$i" 'stat /link' | grep -q 'Fast link dest: "dir/sub/pattern.txt"' ||
        echo "link: $(dbg "$i" 'stat /link' | grep -i link | head -2 | tr '\n' ' ')")"
    host "${k}_debugfs_owner" "$([ -n "$skipping" ] ||
        dbg "$i" 'stat /append.log' | grep -q 'User: 70000 *Group: 80000' ||
        echo "append.log: $(dbg "$i" 'stat /append.log' | grep User)")"
    host "${k}_debugfs_sparse" "$([ -n "$skipping" ] || dbg "$i" 'stat /sparse.bin' | grep -q 'Size: 41943043$' ||
        echo "sparse.bin: $(dbg "$i" 'stat /sparse.bin' | grep Size)")"
    host "${k}_debugfs_gone" "$([ -n "$skipping" ] || ! dbg "$i" 'ls /' | grep -qw 'gone.txt\|old.txt\|a.txt\|moveme' ||
        echo "a removed or renamed name is still there")"
    expect "${k}_verify" 0 '^verify ok$' '' -- --block:data="$i" "$fsimg" -- verify
    expect "${k}_errors" 0 '^errors ok$' '' -- --block:data="$i" "$fsimg" -- errors
    clean "${k}_errors_clean" "$i"
    expect "${k}_big" 0 '^big ok$' '' -- --block:data="$i" "$fsimg" -- big
    host "${k}_debugfs_big" "$([ -n "$skipping" ] || dbg "$i" 'stat /big' | grep -q 'Size: 6442450944$' ||
        echo "big: $(dbg "$i" 'stat /big' | grep Size)")"
    clean "${k}_big_clean" "$i"
    # Random writes, truncations and reads against a model, then the same
    # model rebuilt at the next boot and compared again.
    expect "${k}_model" 0 '^model ok: 2000 operations$' '' -- \
        --mem=128M --block:data="$i" "$model" -- 11 2000
    clean "${k}_model_clean" "$i"
    expect "${k}_model_reboot" 0 '^model checked: 2000 operations$' '' -- \
        --mem=128M --block:data="$i" "$model" -- 11 2000 check
done

# Random changes to names (ext_names.c) on ext4 and ext2, then e2fsck:
# link counts, directory entries, "..", freed inodes and blocks.
names=$build/tests/guests/ext_names.husk
for kind in ext4:mkfs.ext4 ext2:"mkfs.ext2 -b 4096"; do
    k=${kind%%:*} mk=${kind#*:}
    for seed in 1 2; do
        i=$tmp/names_$k.img
        rm -f "$i"
        $mk -q "$i" 64M >/dev/null 2>&1
        expect "names_${k}_$seed" 0 '^names ok: [0-9]+ changes made$' '' -- \
            --block:data="$i" "$names" -- "$seed" 3000
        clean "names_${k}_${seed}_clean" "$i"
    done
done

# 5000 files in one directory: it grows block by block, and more nodes
# than the vnode cache keeps.
i=$tmp/many.img
mkfs.ext4 -q -b 4096 "$i" 64M >/dev/null 2>&1
expect many 0 '^many ok$' '' -- --block:data="$i" "$fsimg" -- many
clean many_clean "$i"
host many_debugfs "$([ -n "$skipping" ] || [ "$(dbg "$i" 'ls /many' | grep -o 'file[0-9]*' | wc -l)" = 2500 ] ||
    echo "/many does not hold the 2500 files left")"

# An indexed (htree) directory, as Linux or e2fsck -D makes big ones:
# names added (ext2fs_link grows the index), removed and replaced, and
# e2fsck checks the index afterwards.
mkdir -p "$tmp/htree/big"
for n in $(seq 0 2999); do printf 'f%d\n' "$n" >"$tmp/htree/big/f$n"; done
i=$tmp/htree.img
mkfs.ext4 -q -b 4096 -d "$tmp/htree" "$i" 64M >/dev/null 2>&1
e2fsck -fyD "$i" >/dev/null 2>&1
host htree_indexed "$([ -n "$skipping" ] || dbg "$i" 'htree /big' | grep -q 'Root node dump' ||
    echo "e2fsck -D did not index /big")"
expect htree 0 '^htree ok$' '' -- --block:data="$i" "$fsimg" -- htree
clean htree_clean "$i"

# Two file systems in one guest.
mkfs.ext4 -q "$tmp/one.img" 16M >/dev/null 2>&1
mkfs.ext4 -q "$tmp/more.img" 16M >/dev/null 2>&1
expect two_mounts 0 '^two ok$' '' -- --block:data="$tmp/one.img" --block:more="$tmp/more.img" "$two" -- two
clean two_mounts_clean_data "$tmp/one.img"
clean two_mounts_clean_more "$tmp/more.img"
host two_mounts_debugfs "$([ -n "$skipping" ] || [ "$(dbg "$tmp/more.img" 'cat /two.txt')" = "on more" ] ||
    echo "two.txt is not on the second image")"

# ---- a full file system: ENOSPC, and the guest carries on
for kind in ext4:mkfs.ext4 ext2:mkfs.ext2; do
    k=${kind%%:*} mk=${kind#*:}
    $mk -q "$tmp/full_$k.img" 8M >/dev/null 2>&1
    expect "full_$k" 0 '^fill ok$' '' -- --block:data="$tmp/full_$k.img" "$fsimg" -- fill
    clean "full_${k}_clean" "$tmp/full_$k.img"
done
mkfs.ext4 -q -N 64 "$tmp/inodes.img" 8M >/dev/null 2>&1
expect full_inodes 0 '^fill_inodes ok$' '' -- --block:data="$tmp/inodes.img" "$fsimg" -- fill_inodes
clean full_inodes_clean "$tmp/inodes.img"

# ---- read-only: attached ro, the image byte for byte the same after
i=$tmp/ro.img
mkfs.ext4 -q -d "$fixture" "$i" 16M >/dev/null 2>&1
cp "$i" "$tmp/ro.orig"
expect read_only 0 '^readonly ok$' '' -- --block:data="$i",ro "$fsimg" -- readonly
# Asked for: no line about it.
host read_only_quiet "$([ -n "$skipping" ] || [ ! -s "$tmp/err" ] || echo "stderr: $(head -c 200 "$tmp/err")")"
host read_only_unchanged "$(cmp -s "$i" "$tmp/ro.orig" || echo "the image changed")"
# Not cleanly unmounted (what kill -9 in the middle of changes leaves):
# mounted read-only, said once, written never.
i=$tmp/unclean.img
mkfs.ext4 -q -d "$fixture" "$i" 16M >/dev/null 2>&1
debugfs -w -R 'ssv state 0' "$i" >/dev/null 2>&1
cp "$i" "$tmp/unclean.orig"
expect not_clean_read_only 0 '^readonly ok$' \
    '^husk: --mount=data:/data: mounted read-only: it was not cleanly unmounted' -- \
    --block:data="$i" "$fsimg" -- readonly
host not_clean_unchanged "$(cmp -s "$i" "$tmp/unclean.orig" || echo "the image changed")"
# A feature this code does not write (inline_data): read-only, and read.
i=$tmp/inline.img
mkfs.ext4 -q -O inline_data -d "$fixture" "$i" 16M >/dev/null 2>&1
cp "$i" "$tmp/inline.orig"
expect inline_data_read_only 0 '^readonly ok$' \
    'mounted read-only: Husk does not write file systems with the inline_data feature' -- \
    --block:data="$i" "$fsimg" -- readonly
host inline_data_unchanged "$(cmp -s "$i" "$tmp/inline.orig" || echo "the image changed")"

# ---- fsync, then kill -9: clean, and the data there at the next boot
i=$tmp/kill.img
mkfs.ext4 -q "$i" 32M >/dev/null 2>&1
"${husk_cmd[@]}" --block:data="$i" "$fsimg" -- sync_and_wait >"$tmp/bg" 2>&1 </dev/null &
bgpid=$!
for _ in $(seq 600); do
    [ -z "$skipping" ] && ! grep -q '^synced$' "$tmp/bg" || break
    sleep 0.1
done
synced=$(grep -c '^synced$' "$tmp/bg")
{
    kill -9 "$bgpid"
    wait "$bgpid"
} 2>/dev/null # bash: "Killed"
bgpid=""
# The jailed monitor dies a moment after the process we killed (its
# supervisor): wait for its lock on the image to go.
for _ in $(seq 50); do flock -n "$i" true && break; sleep 0.1; done
host kill9_synced "$([ "$synced" = 1 ] || [ -n "$skipping" ] || echo "no 'synced' line: $(head -3 "$tmp/bg")")"
clean kill9_clean "$i"
[ -n "$skipping" ] || dbg "$i" "dump /synced.txt $tmp/got"
host kill9_debugfs "$([ -n "$skipping" ] || cmp -s "$tmp/got" "$tmp/pattern50000" || echo "synced.txt differs")"
expect kill9_after 0 '^after_kill ok$' '' -- --block:data="$i" "$fsimg" -- after_kill
clean kill9_after_clean "$i"

# ---- what an fsync costs the host: a flush with nothing new to make
# durable costs no fdatasync; a rewrite in place costs one; the image is
# clean after each (the superblock's "clean" mark needs no flush of its
# own: guest/ext2/io.c)
i=$tmp/flushes.img
mkfs.ext4 -q "$i" 32M >/dev/null 2>&1
flushes() { grep -o '"flushes":[0-9]*' "$tmp/err" | head -1 | cut -d: -f2; }
expect flushes_create 0 '^synced_file ok$' '' -- --stats=json --block:data="$i" "$fsimg" -- synced_file
clean flushes_create_clean "$i"
expect flushes_idle 0 '^fsync_idle ok$' '' -- --stats=json --block:data="$i" "$fsimg" -- fsync_idle
host flushes_idle_none "$([ -n "$skipping" ] || [ "$(flushes)" = 0 ] || echo "ten fsyncs of an unchanged file cost $(flushes) host flushes, not 0")"
expect flushes_overwrite 0 '^overwrite ok$' '' -- --stats=json --block:data="$i" "$fsimg" -- overwrite
host flushes_overwrite_one "$([ -n "$skipping" ] || [ "$(flushes)" = 1 ] || echo "a rewrite in place and its fsync cost $(flushes) host flushes, not 1")"
clean flushes_overwrite_clean "$i"

# ---- other ways out: _exit (no atexit, no stdio), a signal's default
# action; the mount is flushed on each (husk-cc links --wrap=husk_exit)
i=$tmp/exits.img
mkfs.ext4 -q "$i" 16M >/dev/null 2>&1
expect exit_now 7 '' '' -- --block:data="$i" "$fsimg" -- exit_now
clean exit_now_clean "$i"
{ head -c $((1000 * 21)) "$tmp/pattern50000"; printf 'tail\n'; } >"$tmp/want"
[ -n "$skipping" ] || dbg "$i" "dump /exit_now.txt $tmp/got"
host exit_now_debugfs "$([ -n "$skipping" ] || cmp -s "$tmp/got" "$tmp/want" || echo "exit_now.txt differs")"
expect signal_exit 143 '' '^husk: guest killed by signal 15$' -- \
    --block:data="$i" "$fsimg" -- signal_exit
clean signal_exit_clean "$i"
host signal_exit_debugfs "$([ -n "$skipping" ] || dbg "$i" 'ls -l /' | grep -q 'signal_dir' ||
    echo "signal_dir is not there")"

# ---- images that cannot be mounted: one line, status 125, before main
pre='^husk: --mount=data:/data: '
truncate -s 16M "$tmp/zeros.img"
expect not_ext 125 '' "${pre}the device holds no ext2/ext3/ext4 file system" -- \
    --block:data="$tmp/zeros.img" "$fsimg" -- write
i=$tmp/badsb.img
mkfs.ext4 -q "$i" 16M >/dev/null 2>&1
printf 'X' | dd of="$i" bs=1 seek=$((1024 + 120)) conv=notrunc status=none # s_volume_name
expect corrupt_superblock 125 '' "${pre}the file system is damaged \(Superblock checksum does not match" -- \
    --block:data="$i" "$fsimg" -- write
i=$tmp/short.img
mkfs.ext4 -q "$i" 32M >/dev/null 2>&1
truncate -s 4M "$i"
expect truncated_image 125 '' "${pre}the device is too small for the file system" -- \
    --block:data="$i" "$fsimg" -- write
i=$tmp/journal.img
mkfs.ext4 -q "$i" 16M >/dev/null 2>&1
debugfs -w -R 'feature needs_recovery' "$i" >/dev/null 2>&1
expect journal_needs_recovery 125 '' "${pre}its journal holds changes not yet applied" -- \
    --block:data="$i" "$fsimg" -- write
host journal_unchanged_state "$([ -n "$skipping" ] || dumpe2fs -h "$i" 2>/dev/null | grep -q 'needs_recovery' ||
    echo "the journal's flag was cleared")"
# A damaged directory: EUCLEAN for it (and one line naming e2fsck), the
# rest of the file system still readable.
i=$tmp/corrupt.img
mkfs.ext4 -q -b 4096 -d "$fixture" "$i" 16M >/dev/null 2>&1
blk=$(dbg "$i" 'blocks /host/broken' | tr -d ' \n')
if [ -n "$blk" ]; then
    head -c 4096 /dev/urandom | dd of="$i" bs=4096 seek="$blk" conv=notrunc status=none
fi
expect corrupt_directory 0 '^corrupt ok$' 'run e2fsck -f on its image$' -- \
    --block:data="$i" "$fsimg" -- corrupt

# ---- husk-cc --mount: what it refuses, and what it declares
src=$(dirname "$0")/guests/exit_status.c
cc_case() { # name status regex args...: husk-cc's status and message
    local name=$1 want=$2 re=$3 st=0
    shift 3
    [ -n "$skipping" ] || "$huskcc" "$@" -o "$tmp/cc.husk" "$src" >"$tmp/out" 2>"$tmp/err" || st=$?
    result "huskcc_$name" "$(why_failed $st "$want" '' "$re" "$tmp/out" "$tmp/err")"
}
cc_case no_path 2 '^husk-cc: --mount=data: expected --mount=NAME:/PATH' --mount=data
cc_case relative 2 'the mountpoint must be an absolute path' --mount=data:data
cc_case root 2 'cannot mount on /' --mount=data:/
cc_case dotdot 2 'must not have \. or \.\. in it' --mount=data:/a/../b
cc_case bad_name 2 'device names are 1-31 characters' --mount=Data:/data
cc_case bad_char 2 'may hold only letters' '--mount=data:/a b'
cc_case twice 2 "device 'data' is mounted twice" --mount=data:/a --mount=data:/b
cc_case same_path 2 'two mounts on /a' --mount=a:/a --mount=b:/a/
cc_case net_device 2 "'data' is a network device" --net=data --mount=data:/a
# --block=NAME with --mount=NAME: one device, declared once.
cc_case block_and_mount 0 '' --block=data --mount=data:/data
# A mount's device must be attached, as every declared device.
expect device_missing 125 '' '^husk: ' -- "$fsimg" -- write
