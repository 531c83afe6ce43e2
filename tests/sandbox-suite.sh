#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/sandbox-suite.sh BUILD LABEL: the seccomp filter is in force. The
# test-only monitor build/test/husk-probe makes a forbidden system call
# (open) right after arming the filter: the kernel must kill
# it with SIGSYS before it can say anything. Needs /dev/kvm (the filter is
# armed after the VM is set up). Prints "PASS LABEL/sandbox/name" lines.
set -u
build=$1 label=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$build/test/husk-probe" --mem=32M "$build/tests/guests/exit_status.husk" -- 0 \
    >"$tmp/out" 2>"$tmp/err" </dev/null &
pid=$!
wait "$pid"
status=$?
# 159 = 128 + SIGSYS; a monitor that exits 159 itself says "husk: ..." first.
if [ "$status" = 159 ] && [ ! -s "$tmp/err" ] && [ ! -s "$tmp/out" ]; then
    echo "PASS $label/sandbox/forbidden_syscall_kills"
else
    echo "FAIL $label/sandbox/forbidden_syscall_kills: status $status"
    sed 's/^/    | /' "$tmp/err" | head -5
fi
# The same binary up to the filter, without the probe, is the release one:
# it runs the guest under the filter and exits with the guest's status.
"$build/husk" --mem=32M "$build/tests/guests/exit_status.husk" -- 7 \
    >"$tmp/out" 2>"$tmp/err" </dev/null
status=$?
if [ "$status" = 7 ] && [ ! -s "$tmp/err" ]; then
    echo "PASS $label/sandbox/guest_runs_under_filter"
else
    echo "FAIL $label/sandbox/guest_runs_under_filter: status $status"
fi
