# SPDX-License-Identifier: MIT
# tests/lib.sh: what the booting suites share. Source it.

# why_failed GOT WANT OUT_RE ERR_RE OUT_FILE ERR_FILE: print why a run with
# status GOT and these outputs does not meet the expectation (empty
# regexes match anything), or nothing if it does. A sanitizer report in
# stderr always fails.
why_failed() {
    local got=$1 want=$2 out_re=$3 err_re=$4 out=$5 err=$6
    # WANT may list statuses: "139,159" (where hosts differ, e.g. sysenter
    # is #UD on AMD and a system call on Intel).
    if [[ ",$want," != *",$got,"* ]]; then
        echo "exit status $got, expected $want"
    elif [ -n "$out_re" ] && ! grep -Eq -- "$out_re" "$out"; then
        echo "stdout does not match /$out_re/"
    elif [ -n "$err_re" ] && ! grep -Eq -- "$err_re" "$err"; then
        echo "stderr does not match /$err_re/"
    elif grep -q 'runtime error\|AddressSanitizer' "$err"; then
        echo "sanitizer report"
    fi
}

# result NAME WHY: "PASS LABEL/SUITE/NAME" if WHY is empty, else "FAIL
# LABEL/SUITE/NAME: WHY" and the start of the run's output. The caller
# sets label and suite, and keeps the last run's output in $tmp/out and
# $tmp/err. With HUSK_TEST_SKIP set (tests/run where no guest can boot),
# "SKIP LABEL/SUITE/NAME: $HUSK_TEST_SKIP" instead: a suite that supports
# that mode runs its script as usual, but no monitor, so that it skips
# exactly the cases it has.
result() {
    if [ -n "${HUSK_TEST_SKIP:-}" ]; then # tests/run without /dev/kvm
        echo "SKIP $label/$suite/$1: $HUSK_TEST_SKIP"
    elif [ -z "$2" ]; then
        echo "PASS $label/$suite/$1"
    else
        echo "FAIL $label/$suite/$1: $2"
        sed 's/^/    | /' "$tmp/out" "$tmp/err" 2>/dev/null | head -10
    fi
}
