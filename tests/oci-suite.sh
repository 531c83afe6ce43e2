#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/oci-suite.sh BUILD [BACKEND]: husk-oci, the OCI runtime, three ways.
#   runtime/  the commands on bundles the suite writes: the lifecycle
#             (create, state, start, kill, delete) across processes, and the
#             bad input (no Husk image, no or malformed config.json, too
#             little memory, unknown ids, deleting a running container, the
#             monitor killed under the runtime)
#   podman/   Debian's podman with --runtime=BUILD/husk-oci: run --rm (output,
#             status), stop (143), logs, ps, kill, an HTTP server published
#             with -p and fetched with curl, the refusals as podman shows them
#   ctr/      a private containerd's ctr run, its runc shim using husk-oci
# Everything runs in a network namespace and a temporary directory of the
# suite's own (tests/oci/lib.sh), removed on exit. The monitor runs with
# --backend=BACKEND's default, auto (the process backend without /dev/kvm).
# Needs root. Prints "PASS oci/..." lines and a summary line.
set -u
cd "$(dirname "$0")/.." || exit 1
build=${1:?usage: tests/oci-suite.sh BUILD}
. tests/oci/lib.sh
oci_init oci || exit 0
rt=$PWD/$build/husk-oci
OCI_RUNTIME=$rt
husk=${OCI_HUSK:-$PWD/$build/husk} # OCI_HUSK: another monitor
for f in "$rt" "$husk" "$build/husk-cc" "$build/examples/http.husk"; do
    [ -x "$f" ] || {
        oci_result built "$f is missing (make builds it)"
        exit 1
    }
done
T=$OCI_TMP
mkdir -p "$T/img/guest" "$T/img/http" "$T/img/notahusk"
if ! "$build/husk-cc" -O2 -o "$T/img/guest/guest.husk" tests/oci/guest.c \
    >"$T/cc.err" 2>&1; then
    oci_result built "husk-cc tests/oci/guest.c failed" "$T/cc.err"
    exit 1
fi
cp "$build/examples/http.husk" "$T/img/http/"

# ---- runtime/: the commands themselves ------------------------------
root=$T/state
RT=("$rt" --root "$root" --husk "$husk")

bundle() { # NAME ARGS_JSON [LINUX_EXTRA_JSON]: a bundle with the guest image
    local b=$T/bundles/$1
    mkdir -p "$b/rootfs"
    cp "$T/img/guest/guest.husk" "$b/rootfs/"
    cat >"$b/config.json" <<EOF
{"ociVersion": "1.0.2",
 "process": {"args": $2, "env": ["OCI_TEST=direct"], "cwd": "/"},
 "root": {"path": "rootfs"},
 "linux": {"namespaces": [{"type": "pid"}, {"type": "network"},
                          {"type": "mount"}]${3:+, $3}}}
EOF
    echo "$b"
}

alive() { # PID: running, not a zombie left for its parent to reap
    local s
    s=$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null)
    [ -n "$s" ] && [ "$s" != Z ]
}

status_of() { # ID: the status field of husk-oci state
    "${RT[@]}" state "$1" 2>/dev/null | sed -n 's/.*"status": "\([a-z]*\)".*/\1/p'
}

wait_status() { # ID STATUS SECONDS
    local i
    for ((i = 0; i < $3 * 10; i++)); do
        [ "$(status_of "$1")" = "$2" ] && return 0
        sleep 0.1
    done
    return 1
}

# One command that must fail: status 1 and a stderr line matching RE.
refused() { # NAME RE CMD...
    local name=$1 re=$2 rc
    shift 2
    timeout 30 "$@" >"$T/out" 2>"$T/err"
    rc=$?
    local why=
    if [ "$rc" != 1 ]; then
        why="exit status $rc, expected 1"
    elif ! grep -Eq -- "$re" "$T/err"; then
        why="stderr does not match /$re/"
    fi
    oci_result "runtime/$name" "$why" "$T/err"
}

"$rt" --version >"$T/out" 2>&1
oci_result runtime/version "$(grep -q '^husk-oci version ' "$T/out" ||
    echo "no version line")" "$T/out"
"$rt" features >"$T/out" 2>&1
oci_result runtime/features "$(grep -q '"ociVersionMax": "1.0.2"' "$T/out" ||
    echo "no ociVersionMax in the features document")" "$T/out"

# The lifecycle, each step a process of its own, as the engines run it.
b=$(bundle life '["/guest.husk", "sleep", "60"]')
"${RT[@]}" create --bundle "$b" --pid-file "$T/life.pid" life >"$T/life.out" 2>"$T/life.err"
rc=$?
pid=$(cat "$T/life.pid" 2>/dev/null)
st=$("${RT[@]}" state life 2>/dev/null)
why=
if [ "$rc" != 0 ]; then
    why="create: exit status $rc"
elif [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
    why="the pid file names no live process"
elif ! grep -q "\"pid\": $pid," <<<"$st" || ! grep -q '"status": "created"' <<<"$st"; then
    why="state does not say created with pid $pid"
elif grep -q ready "$T/life.out"; then
    why="the guest ran before start"
fi
oci_result runtime/create_then_created "$why" "$T/life.err"
"${RT[@]}" start life 2>"$T/start.err"
rc=$?
for ((i = 0; i < 50; i++)); do grep -q ready "$T/life.out" && break; sleep 0.1; done
why=
if [ "$rc" != 0 ]; then
    why="start: exit status $rc"
elif [ "$(status_of life)" != running ]; then
    why="state says $(status_of life), not running"
elif ! grep -q '^ready$' "$T/life.out"; then
    why="the guest printed nothing after start"
elif [ "$(cat "/proc/$pid/comm" 2>/dev/null)" != husk ]; then
    why="the container's pid $pid is $(cat "/proc/$pid/comm" 2>/dev/null), not the monitor"
fi
oci_result runtime/start_then_running "$why" "$T/start.err" "$T/life.err"
refused start_twice "is running, not created" "${RT[@]}" start life
refused delete_running "cannot delete container 'life': it is running" \
    "${RT[@]}" delete life
"${RT[@]}" kill life TERM 2>"$T/kill.err"
rc=$?
oci_result runtime/kill_term_stops "$([ "$rc" = 0 ] || echo "kill: exit status $rc")$(
    wait_status life stopped 10 || echo "still $(status_of life) 10 s after SIGTERM")" "$T/kill.err"
refused kill_stopped "is not running" "${RT[@]}" kill life KILL
"${RT[@]}" delete life 2>"$T/del.err"
rc=$?
oci_result runtime/delete_stopped "$([ "$rc" = 0 ] || echo "delete: exit status $rc")$(
    [ ! -e "$root/life" ] || echo "$root/life is still there")" "$T/del.err"

# A created container killed before start, and one deleted with --force.
b=$(bundle early '["/guest.husk", "sleep", "60"]')
"${RT[@]}" create --bundle "$b" --pid-file "$T/early.pid" early >/dev/null 2>&1
"${RT[@]}" kill early KILL
oci_result runtime/kill_created "$(wait_status early stopped 10 ||
    echo "still $(status_of early)")"
refused start_stopped "is stopped, not created" "${RT[@]}" start early
"${RT[@]}" delete early
b=$(bundle forced '["/guest.husk", "sleep", "60"]')
"${RT[@]}" create --bundle "$b" --pid-file "$T/forced.pid" forced >/dev/null 2>&1 &&
    "${RT[@]}" start forced
pid=$(cat "$T/forced.pid" 2>/dev/null)
"${RT[@]}" delete --force forced 2>"$T/del.err"
rc=$?
oci_result runtime/delete_force_running "$([ "$rc" = 0 ] || echo "exit status $rc")$(
    [ -z "$pid" ] || ! alive "$pid" || echo "process $pid still there")$(
    [ ! -e "$root/forced" ] || echo "state left behind")" "$T/del.err"

# The monitor killed under the runtime: stopped, and delete cleans up.
b=$(bundle crash '["/guest.husk", "sleep", "60"]')
"${RT[@]}" create --bundle "$b" --pid-file "$T/crash.pid" crash >/dev/null 2>&1 &&
    "${RT[@]}" start crash
kill -KILL "$(cat "$T/crash.pid")" 2>/dev/null
why=
wait_status crash stopped 10 || why="state says $(status_of crash) after SIGKILL"
[ -n "$why" ] || "${RT[@]}" delete crash 2>"$T/del.err" || why="delete failed"
[ -n "$why" ] || [ ! -e "$root/crash" ] || why="state left behind"
oci_result runtime/monitor_killed_then_delete "$why" "$T/del.err"

# Bad input: one line, status 1, nothing left behind.
refused unknown_id_kill "container 'nosuch' does not exist" "${RT[@]}" kill nosuch
refused unknown_id_state "container 'nosuch' does not exist" "${RT[@]}" state nosuch
refused bad_id "'\.\./x' is not a valid container id" "${RT[@]}" state ../x
mkdir -p "$T/bundles/empty"
refused no_config "cannot read .*/empty/config.json: No such file" \
    "${RT[@]}" create --bundle "$T/bundles/empty" c_noconfig
b=$(bundle malformed '["/guest.husk"]')
echo '{"ociVersion": "1.0.2", "process": ' >"$b/config.json"
refused malformed_config "config.json: not valid JSON: .*line 2" \
    "${RT[@]}" create --bundle "$b" c_malformed
b=$(bundle noargs '[]')
refused empty_args "process.args: missing or empty" \
    "${RT[@]}" create --bundle "$b" c_noargs
b=$(bundle wrongtype '["/guest.husk", 5]')
refused args_not_strings "process.args\[1\]: not a string" \
    "${RT[@]}" create --bundle "$b" c_wrongtype
b=$(bundle notahusk '["/app.sh"]')
printf '#!/bin/sh\necho hi\n' >"$b/rootfs/app.sh"
chmod +x "$b/rootfs/app.sh"
refused not_a_husk_image "process.args\[0\] '/app.sh' is not a Husk image \(not an ELF file\)" \
    "${RT[@]}" create --bundle "$b" c_notahusk
b=$(bundle escape '["/../../../../bin/true"]')
refused outside_rootfs "'/../../../../bin/true': No such file or directory in the container's rootfs" \
    "${RT[@]}" create --bundle "$b" c_escape
b=$(bundle smallmem '["/guest.husk"]' '"resources": {"memory": {"limit": 2097152}}')
refused memory_below_minimum "memory limit .* is below the [0-9]+ MiB that guest.husk needs" \
    "${RT[@]}" create --bundle "$b" c_smallmem
b=$(bundle userns '["/guest.husk"]')
sed -i 's/{"type": "mount"}/{"type": "mount"}, {"type": "user"}/' "$b/config.json"
refused user_namespace "a user namespace is asked for" \
    "${RT[@]}" create --bundle "$b" c_userns
b=$(bundle dup '["/guest.husk", "sleep", "60"]')
"${RT[@]}" create --bundle "$b" dup >/dev/null 2>&1
refused duplicate_id "container 'dup' already exists" "${RT[@]}" create --bundle "$b" dup
"${RT[@]}" delete --force dup
left=$(ls "$root" 2>/dev/null)
oci_result runtime/nothing_left_behind "$([ -z "$left" ] || echo "state left: $left")"
# containerd's shim reads the reason back from --log as JSON lines.
b=$T/bundles/notahusk
"$rt" --root "$root" --log "$T/log.json" --log-format json create \
    --bundle "$b" c_json >/dev/null 2>&1
oci_result runtime/log_json "$(grep -q '^{"level": *"error", *"msg": *".*is not a Husk image.*", *"time": *"20' "$T/log.json" ||
    echo "no JSON error line in the log")" "$T/log.json"
"${RT[@]}" delete --force never_made
oci_result runtime/delete_force_unknown "$([ $? = 0 ] || echo "delete --force of an unknown id failed")"

# ---- podman/: the engine drives the runtime -------------------------
# Global flags: podman passes --runtime-flag to the runtime only in the
# invocation that has it, and stop, kill and rm call the runtime too.
OCI_PODMAN_GLOBAL=(--runtime="$rt" --runtime-flag=root="$T/podman-state"
    --runtime-flag=husk="$husk")
printf 'FROM scratch\nCOPY guest.husk /guest.husk\nENTRYPOINT ["/guest.husk"]\n' \
    >"$T/img/guest/Containerfile"
printf 'FROM scratch\nCOPY http.husk /http.husk\nENTRYPOINT ["/http.husk", "--port", "8080"]\n' \
    >"$T/img/http/Containerfile"
printf '#!/bin/sh\necho hi\n' >"$T/img/notahusk/app.sh"
printf 'FROM scratch\nCOPY app.sh /app.sh\nENTRYPOINT ["/app.sh"]\n' \
    >"$T/img/notahusk/Containerfile"
built=yes
for i in guest http notahusk; do
    oci_podman 120 build -q -t "husk-test-$i" "$T/img/$i" >"$T/build.out" 2>&1 ||
        built=no
done
oci_result podman/build_from_scratch "$([ $built = yes ] || echo "podman build failed")" "$T/build.out"

prun() { # NAME WANT_STATUS OUT_RE ERR_RE ARGS...: podman run --rm
    local name=$1 want=$2 out_re=$3 err_re=$4 rc why=
    shift 4
    oci_podman 60 run --rm "${OCI_ULIMITS[@]}" "$@" >"$T/out" 2>"$T/err"
    rc=$?
    if [ "$rc" != "$want" ]; then
        why="exit status $rc, expected $want"
    elif [ -n "$out_re" ] && ! grep -Eq -- "$out_re" "$T/out"; then
        why="stdout does not match /$out_re/"
    elif [ -n "$err_re" ] && ! grep -Eq -- "$err_re" "$T/err"; then
        why="stderr does not match /$err_re/"
    fi
    oci_result "podman/$name" "$why" "$T/out" "$T/err"
}
prun run_rm_output 0 '^argv: alice bob$' '^to stderr$' --network=none \
    -e OCI_TEST=podman husk-test-guest echo alice bob
oci_result podman/run_env "$(grep -q '^env OCI_TEST=podman$' "$T/out" ||
    echo "the guest did not see OCI_TEST=podman")" "$T/out"
prun run_rm_status 7 '' '' --network=none husk-test-guest exit 7
# -t: conmon's --console-socket, a pseudo-terminal as the guest's stdio.
prun run_terminal 0 '^argv: on a tty' '' -t --network=none husk-test-guest echo on a tty
prun not_a_husk_image 126 '' "'/app.sh' is not a Husk image" --network=none husk-test-notahusk
prun memory_below_minimum 126 '' 'is below the [0-9]+ MiB that guest.husk needs' \
    --network=none -m 2m husk-test-guest echo
prun memory_limit_enough 0 '^argv:$' '' --network=none -m 16m husk-test-guest echo

# A long-running guest: ps, logs, stop (SIGTERM: 143, well before podman's
# 10 s SIGKILL), and one killed outright (the monitor dying: 137).
oci_podman 60 run -d --name sleeper "${OCI_ULIMITS[@]}" --network=none \
    husk-test-guest sleep 120 >"$T/out" 2>"$T/err"
oci_result podman/run_detached "$([ $? = 0 ] || echo "podman run -d failed")" "$T/err"
for ((i = 0; i < 50; i++)); do
    oci_podman 20 logs sleeper 2>/dev/null | grep -q ready && break
    sleep 0.1
done
oci_podman 20 logs sleeper >"$T/out" 2>&1
oci_result podman/logs "$(grep -q '^ready$' "$T/out" || echo "no 'ready' in podman logs")" "$T/out"
oci_podman 20 ps --format '{{.Names}} {{.Status}}' >"$T/out" 2>&1
oci_result podman/ps_running "$(grep -q '^sleeper Up ' "$T/out" || echo "podman ps does not show sleeper Up")" "$T/out"
t0=$SECONDS
oci_podman 30 stop sleeper >"$T/out" 2>&1
code=$(oci_podman 20 inspect sleeper --format '{{.State.ExitCode}}' 2>&1)
oci_result podman/stop_143 "$([ "$code" = 143 ] || echo "exit code $code, expected 143")$(
    [ $((SECONDS - t0)) -lt 8 ] || echo " (stop took $((SECONDS - t0)) s: SIGTERM did not stop it)")" "$T/out"
oci_podman 30 rm sleeper >/dev/null 2>&1
oci_podman 60 run -d --name victim "${OCI_ULIMITS[@]}" --network=none \
    husk-test-guest sleep 120 >/dev/null 2>"$T/err"
oci_podman 20 kill -s KILL victim >/dev/null 2>&1
oci_podman 20 wait victim >/dev/null 2>&1
code=$(oci_podman 20 inspect victim --format '{{.State.ExitCode}}' 2>&1)
oci_podman 30 rm victim >"$T/out" 2>&1
rc=$?
oci_result podman/killed_137_and_rm "$([ "$code" = 137 ] || echo "exit code $code, expected 137")$(
    [ "$rc" = 0 ] || echo " podman rm failed")" "$T/out" "$T/err"

# The HTTP example published with -p: curl to the namespace's own
# address for the port (netavark's DNAT) and to the container's address.
oci_podman 60 run -d --name web "${OCI_ULIMITS[@]}" -p 18080:8080 \
    husk-test-http >"$T/out" 2>"$T/err"
oci_result podman/run_published "$([ $? = 0 ] || echo "podman run -p failed")" "$T/err"
ip=$(oci_podman 20 inspect web --format '{{.NetworkSettings.IPAddress}}' 2>/dev/null)
gw=$(oci_podman 20 inspect web --format '{{.NetworkSettings.Gateway}}' 2>/dev/null)
for ((i = 0; i < 50; i++)); do
    oci_in_ns 5 curl -s -o /dev/null "http://$ip:8080/" && break
    sleep 0.2
done
oci_in_ns 10 curl -sS -D "$T/hdr" -o "$T/body" "http://$gw:18080/" 2>"$T/err"
oci_result podman/published_port_curl "$(grep -q '^HTTP/1.1 200' "$T/hdr" 2>/dev/null ||
    echo "no 200 from http://$gw:18080/ (guest at '$ip')")$(
    [ "$(wc -c <"$T/body" 2>/dev/null)" = 4096 ] || echo " body is not 4096 bytes")" "$T/err"
oci_in_ns 10 curl -sS -o /dev/null -w '%{http_code}\n' "http://$ip:8080/nosuch" >"$T/out" 2>&1
oci_result podman/container_address_404 "$(grep -q '^404$' "$T/out" || echo "no 404 from the guest's address $ip")" "$T/out"
oci_podman 30 stop web >/dev/null 2>&1
code=$(oci_podman 20 inspect web --format '{{.State.ExitCode}}' 2>&1)
oci_result podman/published_stop_143 "$([ "$code" = 143 ] || echo "exit code $code")"
oci_podman 30 rm web >/dev/null 2>&1

# ---- ctr/: containerd's runc shim with husk-oci as its runc ----------
if oci_containerd_start; then
    oci_podman 60 save --format oci-archive -o "$T/guest.tar" husk-test-guest >/dev/null 2>&1 &&
        oci_podman 60 save --format oci-archive -o "$T/notahusk.tar" husk-test-notahusk >/dev/null 2>&1 &&
        oci_in_ns 60 "${OCI_CTR[@]}" image import --base-name localhost/husk-test-guest "$T/guest.tar" >/dev/null 2>&1 &&
        oci_in_ns 60 "${OCI_CTR[@]}" image import --base-name localhost/husk-test-notahusk "$T/notahusk.tar" >/dev/null 2>&1
    oci_result ctr/import "$([ $? = 0 ] || echo "podman save or ctr image import failed")"
    CR=(run --rm --runc-binary "$rt" --runc-root "$T/ctr-state")
    crun_ctr() { # NAME WANT OUT_RE ARGS...
        local name=$1 want=$2 re=$3 rc why=
        shift 3
        oci_in_ns 60 "${OCI_CTR[@]}" "${CR[@]}" "$@" >"$T/out" 2>"$T/err"
        rc=$?
        if [ "$rc" != "$want" ]; then
            why="exit status $rc, expected $want"
        elif [ -n "$re" ] && ! grep -Eq -- "$re" "$T/out" "$T/err"; then
            why="output does not match /$re/"
        fi
        oci_result "ctr/$name" "$why" "$T/out" "$T/err"
    }
    # husk-oci finds the monitor beside itself here: the shim passes no
    # flag of ours.
    crun_ctr run_output 0 '^argv: from ctr$' --env OCI_TEST=ctr \
        localhost/husk-test-guest:latest t1 /guest.husk echo from ctr
    crun_ctr run_status 9 '' localhost/husk-test-guest:latest t2 /guest.husk exit 9
    crun_ctr not_a_husk_image 1 "OCI runtime create failed: .*'/app.sh' is not a Husk image" \
        localhost/husk-test-notahusk:latest t3
else
    oci_result ctr/containerd "containerd did not start" "$OCI_TMP/ctrd/log"
fi

oci_summary
