# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# tests/oci/lib.sh: what tests/oci-suite.sh and bench/oci.sh share: a
# network namespace of their own for the engines (netavark puts a bridge
# and iptables rules in the namespace it runs in), a private podman
# storage and a private containerd under one temporary directory, and a
# trap that removes all of it on any exit.
#
#   oci_init PREFIX      results are "PASS PREFIX/name"; returns 1 after a
#                        loud SKIP line if this machine cannot run the tests
#   oci_in_ns SECONDS CMD...  CMD in the namespace, killed after SECONDS
#                        (124). nsenter --net, not ip netns exec: that one
#                        remounts /sys, which hides the cgroup mounts runc
#                        needs
#   oci_podman SECONDS ARGS...  podman with the private storage, and the
#                        global flags in OCI_PODMAN_GLOBAL (an array)
#   oci_containerd_start      a private containerd (OCI_CTR: its ctr)
#   oci_result NAME WHY [FILE...], oci_summary
# OCI_TMP is the private directory; OCI_NS the namespace. Set OCI_RUNTIME
# to husk-oci: the trap deletes with --force every container whose state
# is under OCI_TMP (a failed test may leave one running in the engine's
# own network namespace, which the kill of our namespace's pids misses).

OCI_PREFIX=oci
OCI_TMP=
OCI_NS=
OCI_CTRD_PID=
OCI_PASS=0 OCI_FAIL=0 OCI_SKIP=0 OCI_START=$SECONDS
OCI_ULIMITS=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)

oci_cleanup() {
    set +e
    if [ -n "$OCI_NS" ] && [ -d "$OCI_TMP/root" ]; then
        oci_podman 60 rm -af -t 0 >/dev/null 2>&1
    fi
    # Whatever the engines left to the runtime: every container in every
    # state directory of ours, killed and forgotten by husk-oci itself.
    local r id
    if [ -n "${OCI_RUNTIME:-}" ] && [ -n "$OCI_TMP" ]; then
        for r in $(find "$OCI_TMP" -name state.json -path '*state*' \
            -printf '%h\n' 2>/dev/null); do
            id=${r##*/}
            timeout 20 "$OCI_RUNTIME" --root "${r%/*}" delete --force "$id" \
                >/dev/null 2>&1
        done
    fi
    if [ -n "$OCI_CTRD_PID" ]; then
        kill -TERM "$OCI_CTRD_PID" 2>/dev/null
        wait "$OCI_CTRD_PID" 2>/dev/null
    fi
    local p
    if [ -n "$OCI_NS" ]; then
        # Whatever still runs in our namespace is ours (conmon, shims).
        for p in $(ip netns pids "$OCI_NS" 2>/dev/null); do
            kill -KILL "$p" 2>/dev/null
        done
        sleep 0.2
    fi
    # The engines' overlay mounts (rootfs, storage) under our directory,
    # deepest first.
    if [ -n "$OCI_TMP" ]; then
        awk -v t="$OCI_TMP" 'index($5, t) == 1 { print $5 }' /proc/self/mountinfo |
            sort -r | while read -r m; do umount -l "$m" 2>/dev/null; done
        rm -rf "$OCI_TMP" 2>/dev/null ||
            echo "oci: could not remove $OCI_TMP" >&2
    fi
    [ -z "$OCI_NS" ] || ip netns del "$OCI_NS" 2>/dev/null ||
        echo "oci: could not delete namespace $OCI_NS" >&2
}

oci_init() { # PREFIX
    OCI_PREFIX=$1
    OCI_TMP=$(mktemp -d /tmp/husk-oci.XXXXXX)
    trap oci_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP
    local why='' c
    if [ "$(id -u)" != 0 ]; then
        why="not root (the engines and network namespaces need root)"
    fi
    for c in ip nsenter podman conmon runc containerd ctr curl; do
        [ -n "$why" ] || command -v "$c" >/dev/null ||
            why="no $c command (tests/packages.txt lists the packages)"
    done
    if [ -z "$why" ]; then
        OCI_NS=husk-oci-$$
        if ! ip netns add "$OCI_NS" 2>"$OCI_TMP/ns.err"; then
            why="ip netns add fails here: $(head -1 "$OCI_TMP/ns.err")"
            OCI_NS=
        else
            ip -n "$OCI_NS" link set lo up
        fi
    fi
    if [ -n "$why" ]; then
        echo "!!! SKIPPING the OCI runtime tests: $why !!!"
        echo "SKIP $OCI_PREFIX/all: $why"
        return 1
    fi
}

oci_in_ns() { # SECONDS CMD...
    local t=$1
    shift
    nsenter --net="/run/netns/$OCI_NS" timeout -k 5 "$t" "$@"
}

# podman with storage, run state, temporary files and events of its own;
# cgroupfs because there is no systemd here; netavark named, not guessed.
oci_podman() { # SECONDS ARGS...
    local t=$1
    shift
    oci_in_ns "$t" podman --root "$OCI_TMP/root" --runroot "$OCI_TMP/runroot" \
        --tmpdir "$OCI_TMP/tmp" --cgroup-manager=cgroupfs \
        --events-backend=file --network-backend=netavark \
        ${OCI_PODMAN_GLOBAL[@]+"${OCI_PODMAN_GLOBAL[@]}"} "$@"
}

oci_containerd_start() {
    local d=$OCI_TMP/ctrd
    mkdir -p "$d"
    cat >"$d/config.toml" <<EOF
version = 2
root = "$d/root"
state = "$d/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$d/sock"
EOF
    nsenter --net="/run/netns/$OCI_NS" containerd --config "$d/config.toml" \
        >"$d/log" 2>&1 &
    OCI_CTRD_PID=$!
    local i
    for ((i = 0; i < 100; i++)); do
        [ -S "$d/sock" ] && break
        sleep 0.1
    done
    OCI_CTR=(ctr --address "$d/sock")
    [ -S "$d/sock" ]
}

oci_result() { # NAME WHY [FILE...]
    local name=$1 why=$2
    shift 2
    if [ -z "$why" ]; then
        echo "PASS $OCI_PREFIX/$name"
        OCI_PASS=$((OCI_PASS + 1))
    else
        echo "FAIL $OCI_PREFIX/$name: $why"
        OCI_FAIL=$((OCI_FAIL + 1))
        local f
        for f in "$@"; do
            [ -f "$f" ] && sed 's/^/    | /' "$f" | head -8
        done
    fi
}

oci_summary() {
    echo "$OCI_PREFIX: $OCI_PASS passed, $OCI_FAIL failed, $OCI_SKIP skipped in $((SECONDS - OCI_START)) s"
    [ "$OCI_FAIL" = 0 ]
}
