#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/oci.sh BUILD [ROUNDS]: `podman run --rm` of hello under husk-oci
# against the same program as a static Linux binary under runc, interleaved
# (each round runs both, in alternating order). Per run: the time from
# `podman run` to the first line of output, and to podman's exit; the
# sequential rate is 1 / the median total. The baseline is runc, not crun:
# Debian's crun refuses this machine's hybrid cgroup set-up (issue 16).
# Everything runs in a namespace and a storage of its own
# (tests/oci/lib.sh), removed at the end. Needs root; make bench-build
# builds BUILD/bench/hello.husk and hello-native.
set -u
cd "$(dirname "$0")/.." || exit 1
build=${1:?usage: bench/oci.sh BUILD [ROUNDS]}
rounds=${2:-20}
. tests/oci/lib.sh
oci_init bench/oci || exit 1
rt=$PWD/$build/husk-oci
OCI_RUNTIME=$rt
for f in "$rt" "$build/husk" "$build/bench/hello.husk" "$build/bench/hello-native"; do
    [ -x "$f" ] || { echo "bench/oci: $f is missing (make bench-build)" >&2; exit 1; }
done
T=$OCI_TMP
mkdir -p "$T/husk" "$T/native"
cp "$build/bench/hello.husk" "$T/husk/"
cp "$build/bench/hello-native" "$T/native/hello"
printf 'FROM scratch\nCOPY hello.husk /hello.husk\nENTRYPOINT ["/hello.husk"]\n' >"$T/husk/Containerfile"
printf 'FROM scratch\nCOPY hello /hello\nENTRYPOINT ["/hello"]\n' >"$T/native/Containerfile"
oci_podman 120 build -q -t bench-husk "$T/husk" >/dev/null &&
    oci_podman 120 build -q -t bench-native "$T/native" >/dev/null || {
    echo "bench/oci: podman build failed" >&2
    exit 1
}

# one RUNTIME_PATH IMAGE: "FIRST_MS TOTAL_MS" of one podman run --rm.
one() {
    local t0 t1 t2 line
    t0=$(date +%s%N)
    {
        IFS= read -r line
        t1=$(date +%s%N)
        cat >/dev/null
        t2=$(date +%s%N)
        [ "$line" = "hello, world" ] || { echo "bench/oci: $2 said '$line'" >&2; exit 1; }
        echo "$(((t1 - t0) / 1000)) $(((t2 - t0) / 1000))"
    } < <(oci_podman 60 --runtime="$1" --runtime-flag=root="$T/state-${1##*/}" \
        run --rm "${OCI_ULIMITS[@]}" --network=none "$2" 2>&1)
}

# Warm both paths once (image layers, podman's database).
one "$rt" bench-husk >/dev/null && one "$(command -v runc)" bench-native >/dev/null || exit 1
: >"$T/husk.txt"
: >"$T/runc.txt"
for ((r = 0; r < rounds; r++)); do
    if ((r % 2 == 0)); then
        one "$rt" bench-husk >>"$T/husk.txt" && one "$(command -v runc)" bench-native >>"$T/runc.txt"
    else
        one "$(command -v runc)" bench-native >>"$T/runc.txt" && one "$rt" bench-husk >>"$T/husk.txt"
    fi || exit 1
done

median() { # FILE COLUMN: the median in ms, one decimal
    awk -v c="$2" '{ print $c }' "$1" | sort -n |
        awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f", m / 1000 }'
}
hf=$(median "$T/husk.txt" 1) ht=$(median "$T/husk.txt" 2)
nf=$(median "$T/runc.txt" 1) nt=$(median "$T/runc.txt" 2)
echo "bench/oci: podman run --rm hello, $rounds interleaved rounds each, medians"
printf '  %-32s first output %7s ms   exit %7s ms   %5.2f containers/s\n' \
    "husk-oci (Husk image)" \
    "$hf" "$ht" "$(awk -v t="$ht" 'BEGIN { print 1000 / t }')"
printf '  %-32s first output %7s ms   exit %7s ms   %5.2f containers/s\n' \
    "runc (static Linux binary)" "$nf" "$nt" "$(awk -v t="$nt" 'BEGIN { print 1000 / t }')"
echo "  ratio husk-oci / runc: first output $(awk -v a="$hf" -v b="$nf" 'BEGIN { printf "%.2f", a / b }')x, exit $(awk -v a="$ht" -v b="$nt" 'BEGIN { printf "%.2f", a / b }')x (target: within 1.2x)"
