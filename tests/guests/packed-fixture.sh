#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/guests/packed-fixture.sh DIR: make the tree that the packed-root
# test image (tests/guests/packed.c, husk-cc --files=DIR) has as its /.
# Every file's content, mode and time is one packed.c checks; etc/owner
# says who owns the tree on this host, since the guest must show the
# same numbers.
set -euo pipefail
root=$1
rm -rf "$root"
mkdir -p "$root"/{etc,data,private,a/b/c/d,many,tmp}
cd "$root"

printf 'root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000:Alice Liddell:/home/alice:/bin/sh\n' >etc/passwd
printf 'root:x:0:\nwonder:x:1000:alice\n' >etc/group
printf 'hello, packed world\n' >data/hello.txt
: >data/empty
# 10000 numbered lines of 11 bytes: big enough for several reads, and
# every byte is known from its offset.
seq -f 'line %05g' 0 9999 >data/lines.txt
ln data/hello.txt data/hard
ln -s hello.txt data/link
ln -s /data/hello.txt abs
ln -s data dirlink
ln -s ../../../../data/hello.txt a/b/up
ln -s loop2 loop1
ln -s loop1 loop2
ln -s nowhere dangling
printf 'deep\n' >a/b/c/d/file
# Hidden in the guest: tmpfs is mounted on /tmp.
printf 'covered\n' >tmp/hidden
for i in $(seq -w 0 299); do : >"many/f$i"; done

chmod 0640 data/hello.txt
chmod 0700 private
chmod 0755 data/lines.txt
touch -h -d @1234567890 data/hello.txt data/link
touch -d @1000000000 private
stat -c '%u %g' data/hello.txt >etc/owner
