#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/vm/selftest/run.sh: check tests/vm/run-in-vm.sh end to end. Builds
# kvm_hlt.c (static and dynamic) and runs both in the test VM, with the
# checks the script promises: the command's output and exit status, writes
# to the shared directory, --env, and the timeout. Prints PASS/FAIL lines
# and "N passed, N failed".
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
vm=$here/../run-in-vm.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
check() { # NAME CONDITION-STATUS [DETAIL]
    if [ "$2" = 0 ]; then echo "PASS vm/$1"; pass=$((pass + 1))
    else echo "FAIL vm/$1${3:+: $3}"; fail=$((fail + 1)); fi
}

gcc -O2 -Wall -Wextra -static -o "$tmp/kvm_hlt" "$here/kvm_hlt.c" &&
    gcc -O2 -Wall -Wextra -o "$tmp/kvm_hlt_dyn" "$here/kvm_hlt.c" || exit 1

t0=$(date +%s%N)
out=$("$vm" --timeout 300 "$tmp" -- \
    bash -c 'grep -m1 ^flags /proc/cpuinfo >cpu.txt; ./kvm_hlt && ./kvm_hlt_dyn 64 && exit 7' 2>&1)
rc=$?
t1=$(date +%s%N)
printf '%s\n' "$out" | sed 's/^/    | /'
echo "    (one VM run: $(( (t1 - t0) / 1000000 )) ms)"
[ $rc = 7 ]; check exit-status $? "got $rc, want 7"
grep -q '^features: .* ok in a guest' <<<"$out"; check kvm-features $?
[ "$(grep -c '^kvm ok' <<<"$out")" = 2 ]; check kvm-static-and-dynamic $?
grep -qw svm "$tmp/cpu.txt" 2>/dev/null; check share-writable $?

# shellcheck disable=SC2016 # expanded inside the VM
FOO='a b' "$vm" --env FOO --timeout 300 "$tmp" -- bash -c 'printf "%s|" "$FOO" "$@"' x "c'd" ' e ' >"$tmp/out" 2>&1
rc=$?
[ $rc = 0 ] && [ "$(cat "$tmp/out")" = "a b|c'd| e |" ]
check env-and-args $? "rc $rc, output: $(head -c 200 "$tmp/out")"

"$vm" --timeout 5 "$tmp" -- sleep 60 >/dev/null 2>&1
rc=$?
[ $rc = 124 ]; check timeout $? "got $rc, want 124"

echo "$pass passed, $fail failed"
[ $fail = 0 ]
