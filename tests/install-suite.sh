#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/install-suite.sh BUILD: make install and make uninstall (PREFIX=/usr
# into a DESTDIR), and what they install: an installed husk-cc builds
# examples/hello.c from another directory with only its own files (and
# from a copy of the installed tree elsewhere, and through a link), the
# installed husk runs it (--backend=process), man renders the pages, the
# bash completion loads and completes, and husk.pc names husk-cc; then
# the Debian package (a few minutes, HUSK_TEST_DEB=0 leaves it out: dpkg-buildpackage
# in a copy of the tree, lintian, dpkg -x, husk --version, hello). Prints
# "PASS install/NAME", "FAIL install/NAME: why" or "SKIP install/NAME: why".
set -u
build=$(cd "$1" && pwd)
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d /tmp/husk-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root # the DESTDIR
version=$(sed -n 's/^#define HUSK_VERSION "\(.*\)"$/\1/p' "$top/monitor/husk.h")

# result NAME WHY: PASS if WHY is empty, else FAIL and the start of
# $tmp/out and $tmp/err (the last step's output).
result() {
    if [ -z "$2" ]; then
        echo "PASS install/$1"
    else
        echo "FAIL install/$1: $2"
        sed 's/^/    | /' "$tmp/out" "$tmp/err" 2>/dev/null | head -10
    fi
}
: >"$tmp/out"
: >"$tmp/err"

# ---- make install ------------------------------------------------------

why=""
if ! make -s -C "$top" BUILD="$build" install DESTDIR="$root" PREFIX=/usr \
    >"$tmp/out" 2>"$tmp/err"; then
    why="make install failed"
else
    for f in bin/husk bin/husk-cc bin/husk-oci lib/husk/lib/crt0.o \
        lib/husk/lib/libhusk.a lib/husk/lib/libhusk-net.a \
        lib/husk/lib/libhusk-ext2.a lib/husk/musl/lib/libc.a \
        lib/husk/musl/lib/libm.a lib/husk/musl/include/stdio.h \
        lib/husk/musl/VERSION share/man/man1/husk.1 share/man/man1/husk-cc.1 \
        share/man/man1/husk-oci.1 share/bash-completion/completions/husk \
        share/bash-completion/completions/husk-cc share/pkgconfig/husk.pc; do
        [ -e "$root/usr/$f" ] || { why="/usr/$f is not installed"; break; }
    done
    [ -z "$why" ] && [ -d "$root/usr/lib/husk/sysroot/usr/include" ] ||
        why=${why:-"the guest sysroot /usr/lib/husk/sysroot/usr/include is missing"}
fi
result make_install "$why"
if [ -n "$why" ]; then
    exit 0
fi

# ---- husk-cc and husk, installed ---------------------------------------

# build_hello NAME BINDIR: build examples/hello.c in a directory outside
# the tree with BINDIR's husk-cc, whose libraries must all come from
# BINDIR/../lib/husk (none from the tree or BUILD), and run it with
# BINDIR's husk.
build_hello() {
    local name=$1 bin=$2 dir=$tmp/work-$1 why="" lib
    lib=$(cd "$bin/../lib/husk" && pwd)
    mkdir -p "$dir"
    cp "$top/examples/hello.c" "$dir/"
    (
        cd "$dir" || exit 1
        export PATH=$bin:/usr/bin:/bin
        unset HUSK_SYSROOT
        [ "$(command -v husk-cc)" = "$bin/husk-cc" ] || exit 3
        husk-cc -v -O2 -o hello.husk hello.c >"$tmp/out" 2>"$tmp/link" || exit 4
        husk-cc --print-sysroot >"$tmp/sysroot" || exit 4
        timeout -k 5 60 husk --backend=process hello.husk -- alice \
            >"$tmp/out" 2>"$tmp/err" || exit 5
    )
    case $? in
    0) ;;
    3) why="husk-cc is not the one in $bin" ;;
    4) why="husk-cc failed"; cp "$tmp/link" "$tmp/err" ;;
    *) why="husk failed" ;;
    esac
    if [ -z "$why" ]; then
        for f in "$lib/lib/crt0.o" "$lib/lib/libhusk.a" "$lib/musl/lib/libc.a" \
            "-isystem $lib/musl/include"; do
            grep -qF -- "$f" "$tmp/link" || { why="the link does not use $f"; break; }
        done
    fi
    if [ -z "$why" ] && grep -qF -e "$top/" -e "$build/" "$tmp/link"; then
        why="husk-cc used a path in the source tree or BUILD: $(grep -oF -e "$top/" -e "$build/" "$tmp/link" | head -1)..."
    fi
    [ -z "$why" ] && [ "$(cat "$tmp/sysroot")" != "$lib/sysroot" ] &&
        why="husk-cc --print-sysroot says $(cat "$tmp/sysroot"), not $lib/sysroot"
    [ -z "$why" ] && ! grep -qx 'Hello alice!' "$tmp/out" && why="no 'Hello alice!' in the output"
    result "$name" "$why"
}
build_hello hello "$root/usr/bin"

# The installed tree moved elsewhere (husk-cc finds ../lib/husk from where
# it is), and husk-cc run through a symbolic link in another directory.
cp -a "$root/usr" "$tmp/moved"
build_hello hello_relocated "$tmp/moved/bin"
mkdir -p "$tmp/links"
ln -s "$tmp/moved/bin/husk-cc" "$tmp/links/husk-cc"
why=""
(cd "$tmp" && PATH=$tmp/links:/usr/bin:/bin husk-cc --print-sysroot) >"$tmp/out" 2>"$tmp/err" ||
    why="husk-cc --print-sysroot failed"
[ -z "$why" ] && [ "$(cat "$tmp/out")" != "$tmp/moved/lib/husk/sysroot" ] &&
    why="through a link, husk-cc --print-sysroot says $(cat "$tmp/out")"
result husk_cc_symlink "$why"

why=""
"$root/usr/bin/husk" --version >"$tmp/out" 2>"$tmp/err" || why="husk --version failed"
[ -z "$why" ] && ! grep -q "^husk $version " "$tmp/out" && why="husk --version does not say $version"
result husk_version "$why"

# ---- man pages ------------------------------------------------------------

for page in husk husk-cc husk-oci; do
    why=""
    MANWIDTH=80 man -P cat -l "$root/usr/share/man/man1/$page.1" >"$tmp/out" 2>"$tmp/err" ||
        why="man -l failed"
    [ -z "$why" ] && [ -s "$tmp/err" ] && why="man wrote to stderr"
    [ -z "$why" ] && ! grep -q "^NAME" "$tmp/out" && why="no NAME section"
    [ -z "$why" ] && ! grep -qE "^ *$page +- " "$tmp/out" && why="NAME does not name $page"
    [ -z "$why" ] && ! grep -q -- "--help" "$tmp/out" && why="no options (--help) in the page"
    [ -z "$why" ] && ! grep -q "$page $version" "$tmp/out" && why="the footer does not say $page $version"
    result "man_$page" "$why"
done

# ---- bash completion ------------------------------------------------------

comp=$root/usr/share/bash-completion/completions
# complete SCRIPT COMMAND-LINE: COMPREPLY for the line, completed at its
# end, in a fresh bash that sources SCRIPT (as bash-completion does).
complete_line() {
    # shellcheck disable=SC2016 # expanded by the inner bash
    bash --norc --noprofile -c '
        source "$1" || exit 1
        COMP_LINE=$2 COMP_POINT=${#2}
        read -ra COMP_WORDS <<<"$2"
        [[ $2 == *" " ]] && COMP_WORDS+=("")
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        fn=$(complete -p "${COMP_WORDS[0]}" | sed -n "s/.*-F \([^ ]*\) .*/\1/p")
        "$fn" "${COMP_WORDS[0]}" "${COMP_WORDS[-1]}" "${COMP_WORDS[-2]:-}"
        echo "${COMPREPLY[*]}"' bash "$@"
}
why=""
bash --norc --noprofile -c 'source "$1"' bash "$comp/husk" >"$tmp/out" 2>"$tmp/err" ||
    why="sourcing it failed"
[ -z "$why" ] && [ -s "$tmp/err" ] && why="sourcing it wrote to stderr"
[ -z "$why" ] && [ "$(readlink "$comp/husk-cc")" != husk ] && why="husk-cc is not a link to husk"
result completion_loads "$why"
check_completion() { # name script line expected-reply
    local got why=""
    got=$(complete_line "$2" "$3" 2>"$tmp/err")
    [ "$got" = "$4" ] || why="'$3' completes to '$got', not '$4'"
    result "$1" "$why"
}
check_completion completion_backend_option "$comp/husk" "husk --back" "--backend="
check_completion completion_backend_values "$comp/husk" "husk --backend=" "auto kvm process"
check_completion completion_husk_cc "$comp/husk-cc" "husk-cc --print-s" "--print-sysroot"

# The completion's option lists against each command's --help: a new or
# renamed option must reach completions/husk.bash too.
help_options() { # command: the options its --help lists, one a line, sorted
    "$1" --help 2>/dev/null | grep -oE '^ {1,4}-{1,2}[a-z][a-z-]*' | tr -d ' ' | sort -u
}
listed_options() { # array name: the completion's list, without = and :
    # shellcheck disable=SC2016 # expanded by the inner bash
    bash --norc --noprofile -c 'source "$1"; declare -n a=$2; printf "%s\n" "${a[@]}"' \
        bash "$comp/husk" "$1" | sed 's/[=:]$//' | sort -u
}
for cmd in husk:_husk_options husk-cc:_husk_cc_options; do
    why=""
    help_options "$root/usr/bin/${cmd%%:*}" >"$tmp/help"
    listed_options "${cmd#*:}" >"$tmp/listed"
    if [ ! -s "$tmp/help" ]; then
        why="no options found in ${cmd%%:*} --help"
    elif ! diff "$tmp/help" "$tmp/listed" >"$tmp/out"; then
        why="completions/husk.bash and ${cmd%%:*} --help differ (< only in --help, > only in the completion)"
        : >"$tmp/err"
    fi
    result "completion_options_${cmd%%:*}" "$why"
done

# ---- pkg-config -----------------------------------------------------------

why=""
PKG_CONFIG_PATH=$root/usr/share/pkgconfig pkg-config --variable=huskcc husk >"$tmp/out" 2>"$tmp/err" ||
    why="pkg-config husk failed"
[ -z "$why" ] && [ "$(cat "$tmp/out")" != /usr/bin/husk-cc ] && why="huskcc is $(cat "$tmp/out")"
[ -z "$why" ] && [ "$(PKG_CONFIG_PATH=$root/usr/share/pkgconfig pkg-config --modversion husk)" != "$version" ] &&
    why="its version is not $version"
result pkg_config "$why"

# ---- make uninstall ---------------------------------------------------------

why=""
if ! make -s -C "$top" BUILD="$build" uninstall DESTDIR="$root" PREFIX=/usr \
    >"$tmp/out" 2>"$tmp/err"; then
    why="make uninstall failed"
else
    left=$(cd "$root" && find . ! -type d | head -5)
    [ -z "$left" ] || why="files left: ${left//$'\n'/ }"
    [ -z "$why" ] && [ -d "$root/usr/lib/husk" ] && why="/usr/lib/husk is left"
fi
result make_uninstall "$why"

# ---- the Debian package (unless HUSK_TEST_DEB=0) -------------------------

if [ "${HUSK_TEST_DEB:-1}" = 0 ]; then
    echo "SKIP install/deb: HUSK_TEST_DEB=0 leaves the Debian package out"
    exit 0
fi
missing=""
for c in dpkg-buildpackage dh lintian; do
    command -v "$c" >/dev/null || missing="$missing $c"
done
if [ -n "$missing" ]; then
    echo "SKIP install/deb: not installed:$missing (debhelper, lintian)"
    exit 0
fi
# A copy of the tree (what git knows and the files not yet added, or
# everything but the build directories): the package goes to its parent.
src=$tmp/deb/husk
mkdir -p "$src"
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
    (cd "$top" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$src")
else
    (cd "$top" && tar --exclude=./build --exclude='./build-*' --exclude=./.git -cf - .) |
        (cd "$src" && tar -xf -)
fi
why=""
# The sources the Makefile fetched into BUILD (musl, lwIP, e2fsprogs):
# the package builds offline (debian/rules).
if ! (cd "$src" && HUSK_SOURCES=$build dpkg-buildpackage -us -uc -b) \
    >"$tmp/out" 2>&1; then
    why="dpkg-buildpackage failed"
    tail -n 20 "$tmp/out" >"$tmp/err"
    : >"$tmp/out"
fi
deb=$(find "$tmp/deb" -maxdepth 1 -name 'husk_*_amd64.deb' | head -1)
[ -z "$why" ] && [ -z "$deb" ] && why="no husk_*_amd64.deb"
result deb_build "$why"
[ -n "$deb" ] || exit 0

why=""
lintian "$deb" >"$tmp/lintian" 2>/dev/null
grep '^[EW]: ' "$tmp/lintian" >"$tmp/out"
: >"$tmp/err"
errors=$(grep -c '^E: ' "$tmp/out")
[ "$errors" = 0 ] || why="lintian: $errors errors"
result deb_lintian "$why"
grep '^W: ' "$tmp/out" | sed 's/^/    | /'

dpkg -x "$deb" "$tmp/debroot"
why=""
"$tmp/debroot/usr/bin/husk" --version >"$tmp/out" 2>"$tmp/err" || why="husk --version failed"
[ -z "$why" ] && ! grep -q "^husk $version " "$tmp/out" && why="husk --version does not say $version"
result deb_husk_version "$why"
build_hello deb_hello "$tmp/debroot/usr/bin"
