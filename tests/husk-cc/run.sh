#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/husk-cc/run.sh BUILD: husk-cc as a compiler. Builds a multi-file
# project with `make CC=husk-cc` (separate compile and link steps), checks
# the device note that --block/--net write, and the errors for bad device
# flags; the sysroot: no host library or header directory searched, a
# guest library installed and found with -L, in the sysroot and with
# pkg-config; --files=DIR (bad directories, special files left out, the
# archive's section, reproducible images, and a damaged archive for
# tests/guests/cases.txt to boot); an image executed directly by Linux;
# husk-cc's own command line: --help, --version, and what it refuses or
# warns about (C++, shared objects, device flags written wrong or given
# where nothing is linked, --words neither husk-cc's nor gcc's); threads
# (-pthread, -lpthread: pthread.c, run with --backend=process).
# Needs no /dev/kvm: the booting of the other images is in
# tests/guests/cases.txt. Prints "PASS husk-cc/name" or "FAIL ...: why".
set -u
build=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
cc=$build/husk-cc
out=$build/tests/husk-cc
mkdir -p "$out"

check() { # name command...: PASS if the command succeeds
    local name=$1
    shift
    if "$@" >"$out/log" 2>&1; then
        echo "PASS husk-cc/$name"
    else
        echo "FAIL husk-cc/$name: $*"
        sed 's/^/    | /' "$out/log" | tail -10
    fi
}

# One line of stderr, this status, matching this pattern.
expect_error() { # name status pattern command...
    local name=$1 want=$2 pattern=$3
    shift 3
    "$@" >"$out/stdout" 2>"$out/stderr"
    local got=$?
    if [ "$got" = "$want" ] && [ "$(wc -l <"$out/stderr")" = 1 ] &&
        grep -Eq -- "$pattern" "$out/stderr"; then
        echo "PASS husk-cc/$name"
    else
        echo "FAIL husk-cc/$name: status $got (want $want), stderr:"
        sed 's/^/    | /' "$out/stderr" | head -5
    fi
}

rm -f "$out"/*.o "$out/wordstat.husk"
check make_project make -s -C "$here/project" CC="$cc" CFLAGS="-O2 -Wall -Werror" \
    OBJDIR="$out" OUT="$out/wordstat.husk"
check project_objects_are_musl sh -c "! nm '$out/main.o' | grep -q GLIBC"
check project_is_static_exec sh -c \
    "readelf -h '$out/wordstat.husk' | grep -q 'EXEC (Executable file)' &&
     ! readelf -l '$out/wordstat.husk' | grep -q INTERP"
# musl's system calls are calls into libhusk. The one syscall instruction
# left is husk_not_booted's, for an image that Linux itself runs.
check no_syscall_instruction sh -c \
    "objdump -d '$out/wordstat.husk' |
        awk '/^[0-9a-f]+ <.*>:\$/ { fn = \$2 } /\\tsyscall *\$/ { print fn }' |
        sort -u >'$out/syscalls'
     test \"\$(cat '$out/syscalls')\" = '<husk_not_booted>:'"

src=$here/project/main.c
check device_note "$cc" --block=data --net=service -I"$here/project" \
    -o "$out/devices.husk" "$src" "$here/project/stats.c" -lm
check device_note_contents sh -c \
    "readelf -n '$out/devices.husk' | grep -q 'Husk.*0x00000058' &&
     readelf -x .note.husk.devices '$out/devices.husk' | grep -q 'data' &&
     readelf -x .note.husk.devices '$out/devices.husk' | grep -q 'serv'"
expect_error missing_devices 125 \
    "^husk: the image needs (block device 'data'|net device 'service'); attach it with --" \
    "$build/husk" "$out/devices.husk"
expect_error undeclared_device 125 \
    "^husk: --block:other: the image declares no device 'other'" \
    "$build/husk" --block:other=/dev/null "$build/tests/husk-cc/wordstat.husk"
expect_error bad_device_name 2 "^husk-cc: --block=Bad: device names are" \
    "$cc" --block=Bad -o "$out/x.husk" "$src"
expect_error duplicate_device 2 "^husk-cc: device 'a' declared twice" \
    "$cc" --block=a --net=a -o "$out/x.husk" "$src"

# ---- the sysroot: guest libraries only, never the host's

# Fails with this status, and some line of stderr matches each pattern.
expect_fail() { # name status command... -- pattern...
    local name=$1 want=$2 why=""
    shift 2
    local cmd=()
    while [ "$1" != -- ]; do cmd+=("$1") && shift; done
    shift
    "${cmd[@]}" >"$out/stdout" 2>"$out/stderr"
    local got=$?
    [ "$got" = "$want" ] || why="status $got (want $want)"
    for pattern in "$@"; do
        grep -Eq -- "$pattern" "$out/stderr" || why="${why:-stderr lacks /$pattern/}"
    done
    if [ -z "$why" ]; then
        echo "PASS husk-cc/$name"
    else
        echo "FAIL husk-cc/$name: $why; stderr:"
        sed 's/^/    | /' "$out/stderr" | head -8
    fi
}

lib=$here/guestlib
use=$lib/uselib.c
empty=$out/empty-sysroot # a sysroot with no library in it
rm -rf "${out:?}/prefix" "${out:?}/sysroot-destdir" "${out:?}/sysroot-prefix" "$empty" "${out:?}/lib"
mkdir -p "$empty" "$out/lib"

check print_sysroot sh -c "test \"\$('$cc' --print-sysroot)\" = '$build/sysroot' &&
    test \"\$(HUSK_SYSROOT='$empty' '$cc' --print-sysroot)\" = '$empty'"
# On Debian the host's libz.a is what this once linked.
proj=("$src" "$here/project/stats.c" -I"$here/project" -lm)
expect_fail host_zlib_not_linked 1 env HUSK_SYSROOT="$empty" \
    "$cc" -o "$out/z.husk" "${proj[@]}" -lz -- "cannot find -lz" \
    "^husk-cc: -lz: no guest library of that name; husk-cc never links the host's: .*$empty/usr"
check musl_libs_link "$cc" -o "$out/libs.husk" "${proj[@]}" \
    -lpthread -lc -lrt -ldl -lutil -lcrypt -lresolv -lxnet
# What the linker really searched (-Wl,--verbose names every file it
# tried), what gcc passed it (-v), and what husk-cc tells libtool.
check link_searches_only_ours sh -c \
    "HUSK_SYSROOT='$empty' LIBRARY_PATH=/usr/lib/x86_64-linux-gnu '$cc' -o '$out/z.husk' \
        ${proj[*]} -lz -Wl,--verbose >'$out/verbose' 2>&1
     grep -q 'attempt to open .*libz.a' '$out/verbose' &&
     ! grep 'attempt to open .*libz.a' '$out/verbose' | grep -v ' $build/\\| $empty/'"
check v_shows_no_host_lib_dir sh -c \
    "'$cc' -v -o '$out/v.husk' ${proj[*]} 2>&1 |
        grep collect2 | tr ' ' '\\n' | grep '^-L' >'$out/ldirs'
     test -s '$out/ldirs' && ! grep -v '^-L$build/' '$out/ldirs'"
check v_shows_no_host_include_dir sh -c \
    "CPATH=/usr/include C_INCLUDE_PATH=/usr/include '$cc' -v -c -o '$out/inc.o' \
        '$here/project/stats.c' 2>&1 | sed -n '/<...> search starts/,/End of/p' |
        grep '^ ' >'$out/idirs'
     grep -q '^ $build/musl/include' '$out/idirs' &&
     ! grep -v '^ $build/\\|^ $(gcc -print-file-name=include)\$' '$out/idirs'"
check print_search_dirs_ours sh -c \
    "'$cc' -print-search-dirs | grep '^libraries: ' | tr '=:' '\\n\\n' | grep / >'$out/sdirs'
     test -s '$out/sdirs' && ! grep -v '^$build/' '$out/sdirs'"
expect_error host_lib_dir_refused 2 "^husk-cc: -L/usr/lib/x86_64-linux-gnu: a host library directory" \
    "$cc" -L /usr/lib/x86_64-linux-gnu -o "$out/x.husk" "$src"
expect_error host_include_dir_refused 2 "^husk-cc: -I/usr/include: a host header directory" \
    "$cc" -I/usr/include -c -o "$out/x.o" "$src"

# A guest library built with husk-cc and installed: into a prefix of its
# own (-I, -L, -l); into a sysroot with DESTDIR and --prefix=/usr, or
# with --prefix=SYSROOT/usr (found with no flag, and by pkg-config with
# the convention of README.md).
libmake() { make -s -C "$lib" CC="$cc" CFLAGS="-O2 -Wall -Werror" OBJDIR="$out/lib" "$@"; }
check guestlib_builds libmake install PREFIX="$out/prefix"
check guestlib_is_guest_code sh -c "! nm '$out/lib/guestlib.o' | grep -q GLIBC"
check guestlib_via_L "$cc" -I"$out/prefix/include" -o "$out/use-L.husk" "$use" \
    -L"$out/prefix/lib" -lguestlib
check guestlib_via_L_linked sh -c "nm '$out/use-L.husk' | grep -q ' T guestlib_answer\$'"
expect_fail guestlib_needs_L 1 env HUSK_SYSROOT="$empty" "$cc" -I"$out/prefix/include" \
    -o "$out/x.husk" "$use" -lguestlib -- "cannot find -lguestlib"
for style in destdir prefix; do
    sr=$out/sysroot-$style
    if [ $style = destdir ]; then
        check "guestlib_install_$style" libmake install PREFIX=/usr DESTDIR="$sr"
    else
        check "guestlib_install_$style" libmake install PREFIX="$sr/usr"
    fi
    check "guestlib_in_sysroot_$style" env HUSK_SYSROOT="$sr" "$cc" \
        -o "$out/use-$style.husk" "$use" -lguestlib
    check "guestlib_pkg_config_$style" sh -c \
        "export PKG_CONFIG_LIBDIR='$sr/usr/lib/pkgconfig:$sr/usr/share/pkgconfig' \
            PKG_CONFIG_SYSROOT_DIR='$sr'
         cflags=\$(pkg-config --cflags guestlib) && libs=\$(pkg-config --libs guestlib) &&
         echo \"pkg-config: \$cflags \$libs\" &&
         test \"\$(echo \$cflags \$libs)\" = '-I$sr/usr/include -L$sr/usr/lib -lguestlib' &&
         HUSK_SYSROOT='$empty' '$cc' \$cflags -o '$out/use-pc.husk' '$use' \$libs &&
         nm '$out/use-pc.husk' | grep -q ' T guestlib_answer\$'"
done

# ---- --files=DIR: a directory packed as the guest's read-only /

tree=$out/files-tree
rm -rf "$tree" "$out/files-bad"
mkdir -p "$tree/etc" "$out/files-bad"
echo 'root:x:0:0:root:/root:/bin/sh' >"$tree/etc/passwd"
ln -s passwd "$tree/etc/link"
expect_error files_not_a_directory 2 "^husk-cc: --files=$src: not a directory" \
    "$cc" --files="$src" -o "$out/x.husk" "$src"
expect_error files_missing 2 "^husk-cc: --files=$out/nope: no such directory" \
    "$cc" --files="$out/nope" -o "$out/x.husk" "$src"
expect_error files_empty 2 "^husk-cc: --files=: no directory given" \
    "$cc" --files= -o "$out/x.husk" "$src"
expect_error files_twice 2 "^husk-cc: --files given twice" \
    "$cc" --files="$tree" --files="$tree" -o "$out/x.husk" "$src"
# Unreadable: as root, from a user namespace where the tree is not ours
# (where there is none to be had, a container say, these cases skip).
as_other() { if [ "$(id -u)" = 0 ]; then unshare --user "$@"; else "$@"; fi; }
unreadable_case() { # name pattern dir
    if [ "$(id -u)" = 0 ] && ! unshare --user true 2>/dev/null; then
        echo "SKIP husk-cc/$1: root, and no user namespace to be someone else in"
        return
    fi
    expect_error "$1" 2 "$2" as_other "$cc" --files="$3" -o "$out/x.husk" "$src"
}
mkdir -p "$out/files-bad/closed" "$out/files-bad/tree/sub"
echo secret >"$out/files-bad/tree/secret"
chmod 000 "$out/files-bad/closed" "$out/files-bad/tree/secret"
unreadable_case files_unreadable_dir \
    "^husk-cc: --files=.*/closed: cannot read the directory \(permission denied\)" \
    "$out/files-bad/closed"
unreadable_case files_unreadable_file \
    "^husk-cc: --files=.*/tree: cannot pack it: cpio: secret: .*Permission denied" \
    "$out/files-bad/tree"
chmod 000 "$out/files-bad/tree/sub"
unreadable_case files_unreadable_subdir \
    "^husk-cc: --files=.*/tree: cannot list it: .*sub.*Permission denied" \
    "$out/files-bad/tree"
chmod -R u+rwx "$out/files-bad"
# A fifo means nothing in the guest: left out, with a line that says so.
mkfifo "$tree/fifo"
expect_error files_skips_fifo 0 "^husk-cc: --files=.*: skipping 1 special files \(devices, fifos, sockets; the first: fifo\): only directories" \
    "$cc" --files="$tree" -O2 -o "$out/files.husk" "$src" "$here/project/stats.c" \
    -I"$here/project" -lm
rm -f "$tree/fifo"
check files_section sh -c \
    "readelf -SW '$out/files.husk' | grep -q ' \\.husk\\.files .* A ' &&
     nm '$out/files.husk' | grep -q ' husk_files_start\$' &&
     ! readelf -SW '$out/wordstat.husk' | grep -q '\\.husk\\.files'"
# The same tree, the same image, whatever the inode numbers and the
# order find sees.
check files_reproducible sh -c \
    "'$cc' --files='$tree' -O2 -o '$out/files1.husk' '$src' '$here/project/stats.c' -I'$here/project' -lm &&
     cp -a '$tree' '$out/files-tree2' &&
     '$cc' --files='$out/files-tree2' -O2 -o '$out/files2.husk' '$src' '$here/project/stats.c' -I'$here/project' -lm &&
     rm -rf '$out/files-tree2' && cmp '$out/files1.husk' '$out/files2.husk'"
# A damaged archive (its first header's magic overwritten): the guest
# stops at boot and says so (tests/guests/cases.txt, packed_damaged).
cp "$out/files1.husk" "$out/packed-damaged.husk"
off=$(readelf -SW "$out/packed-damaged.husk" |
    awk '{ for (i = 1; i < NF; i++) if ($i == ".husk.files") print $(i + 3) }')
check files_damage sh -c "[ -n '$off' ] &&
    printf XXXXXX | dd of='$out/packed-damaged.husk' bs=1 seek=\$((0x$off + 8)) \
        conv=notrunc status=none"

# ---- an image run by Linux, not husk: one line, status 126
chmod +x "$out/wordstat.husk"
expect_error direct_exec 126 \
    "^$out/wordstat\\.husk: this is a Husk unikernel image; run it with: husk $out/wordstat\\.husk\$" \
    "$out/wordstat.husk" some args
expect_error direct_exec_no_name 126 \
    "^this is a Husk unikernel image; run it with: husk IMAGE\$" \
    bash -c "exec -a '' '$out/wordstat.husk'"

# ---- husk-cc's own command line: --help, --version, what it refuses

result() { # name why: PASS if why is empty
    if [ -z "$2" ]; then
        echo "PASS husk-cc/$1"
    else
        echo "FAIL husk-cc/$1: $2"
    fi
}

# --help on stdout, status 0: a line for every option of husk-cc's (those
# with a value are read out of husk-cc itself, the first level of its
# argument loop's case: a new one must be listed too) and one saying
# that the rest goes to gcc.
help_why() {
    local opt
    "$cc" --help >"$out/help" 2>"$out/stderr" || { echo "status $?" && return; }
    [ -s "$out/stderr" ] && echo "stderr: $(head -1 "$out/stderr")" && return
    for opt in $(grep -oE -- '^    --[a-z-]+=\*\)' "$cc" | tr -d ' *)') \
        --print-sysroot -print-search-dirs --help --version; do
        grep -qE -- "^  $opt" "$out/help" || { echo "no line for $opt" && return; }
    done
    grep -q '^Every other option goes to gcc as it is' "$out/help" || echo "no line for gcc's options"
}
result help "$(help_why)"

# --version on stdout, status 0: husk-cc's (the monitor's version), the
# ABI (abi/husk_abi.h), musl's (BUILD/musl/VERSION) and gcc's own lines.
version_why() {
    local abi husk_version
    abi=$(sed -n 's/^#define HUSK_ABI_VERSION \([0-9]*\).*/\1/p' "$here/../../abi/husk_abi.h")
    husk_version=$("$build/husk" --version | sed -n 's/^husk \([^ ]*\) .*/\1/p')
    "$cc" --version >"$out/version" 2>"$out/stderr" || { echo "status $?" && return; }
    [ -s "$out/stderr" ] && echo "stderr: $(head -1 "$out/stderr")" && return
    [ "$(head -1 "$out/version")" = "husk-cc (Husk) $husk_version" ] ||
        { echo "line 1: $(head -1 "$out/version")" && return; }
    grep -q "^Husk ABI $abi " "$out/version" || { echo "no 'Husk ABI $abi' line" && return; }
    grep -qF "$(cat "$build/musl/VERSION") (" "$out/version" ||
        { echo "no '$(cat "$build/musl/VERSION")' line" && return; }
    grep -qxF "$(gcc --version | head -1)" "$out/version" || { echo "no gcc version line" && return; }
    # meson knows gcc by this line of its --version
    grep -q 'Free Software Foundation' "$out/version" || echo "gcc's copyright line is missing"
}
result version "$(version_why)"
expect_fail no_arguments 2 "$cc" -- "^usage: husk-cc " "husk-cc --print-sysroot \| --help \| --version"

# C++: a source by its suffix, a language by -x, libstdc++.
printf 'int main(void) { return 0; }\n' >"$out/x.cpp"
cp "$out/x.cpp" "$out/x.C"
cxx="C\\+\\+ is not supported: Husk guests are C only for now; build C sources \\(\\.c\\) with husk-cc\$"
expect_error cxx_source 2 "^husk-cc: $out/x\\.cpp: $cxx" "$cc" -o "$out/x.husk" "$out/x.cpp"
expect_error cxx_source_compile_only 2 "^husk-cc: $out/x\\.C: $cxx" "$cc" -c -o "$out/x.o" "$out/x.C"
expect_error cxx_language 2 "^husk-cc: -x c\\+\\+: $cxx" "$cc" -x c++ -o "$out/x.husk" "$src"
expect_error cxx_language_joined 2 "^husk-cc: -xc\\+\\+: $cxx" "$cc" -xc++ -c -o "$out/x.o" "$src"
expect_error cxx_libstdcxx 2 "^husk-cc: -lstdc\\+\\+: $cxx" "$cc" -o "$out/x.husk" "$src" -lstdc++
# A C file whatever its name, once -x c says so.
check c_by_language "$cc" -x c -c -o "$out/x.o" "$out/x.cpp"

# Shared objects and PIEs; PIC objects themselves link into an image.
shared="a Husk image is one static executable, with no shared libraries; link the code into the image \\(a static library; configure --disable-shared\\)\$"
expect_error shared 2 "^husk-cc: -shared: $shared" "$cc" -shared -o "$out/x.so" "$src"
expect_error shared_fpic 2 "^husk-cc: -shared: $shared" "$cc" -fPIC -shared -o "$out/x.so" "$src"
expect_error shared_wl 2 "^husk-cc: -shared: $shared" \
    "$cc" -Wl,-soname,libx.so,-shared -o "$out/x.so" "$src"
expect_error shared_xlinker 2 "^husk-cc: -shared: $shared" \
    "$cc" -Xlinker -shared -o "$out/x.so" "$src"
expect_error static_pie 2 "^husk-cc: -static-pie: a Husk image is a static executable loaded at 1 MiB, not position-independent; leave -static-pie out\$" \
    "$cc" -static-pie -o "$out/x.husk" "$src"
check fpic_objects_link sh -c "'$cc' -fPIC -c -o '$out/pic.o' '$here/project/stats.c' &&
    '$cc' -I'$here/project' -o '$out/pic.husk' '$src' '$out/pic.o' -lm"

# A device flag without its "=", husk's form of it, a near miss.
expect_error block_without_equals 2 "^husk-cc: --block without a name: write it as one word, --block=NAME\$" \
    "$cc" --block data -o "$out/x.husk" "$src"
expect_error net_without_equals 2 "^husk-cc: --net without a name: write it as one word, --net=NAME\$" \
    "$cc" --net service -o "$out/x.husk" "$src"
expect_error mount_without_equals 2 "^husk-cc: --mount without a value: write it as one word, --mount=NAME:/PATH\$" \
    "$cc" --mount data:/data -o "$out/x.husk" "$src"
expect_error files_without_equals 2 "^husk-cc: --files without a directory: write it as one word, --files=DIR\$" \
    "$cc" -o "$out/x.husk" "$src" --files
expect_error block_husk_form 2 "^husk-cc: --block:data=data\\.img: that is husk's option, for running the image; husk-cc declares the device: --block=data\$" \
    "$cc" --block:data=data.img -o "$out/x.husk" "$src"
expect_error net_husk_form 2 "^husk-cc: --net:service=tap0,ip=10\\.0\\.0\\.2/24: that is husk's option, for running the image; husk-cc declares the device: --net=service\$" \
    "$cc" --net:service=tap0,ip=10.0.0.2/24 -o "$out/x.husk" "$src"
expect_error near_block 2 "^husk-cc: --blocks=data: not an option of husk-cc; did you mean --block=NAME\\? \\(husk-cc --help\\)\$" \
    "$cc" --blocks=data -o "$out/x.husk" "$src"
expect_error near_files 2 "^husk-cc: --file=root: not an option of husk-cc; did you mean --files=DIR\\? \\(husk-cc --help\\)\$" \
    "$cc" --file=root -o "$out/x.husk" "$src"

# A --word of neither husk-cc nor gcc (with gcc's guess, if it has one);
# gcc's own long options go through.
expect_error unknown_option 2 "^husk-cc: --xyz: not an option of husk-cc or gcc; husk-cc --help lists husk-cc's\$" \
    "$cc" --xyz -o "$out/x.husk" "$src"
expect_error unknown_option_gcc_guess 2 "^husk-cc: --dumpbase=x: not an option of husk-cc or gcc \\(gcc: did you mean --dumpbase\\?\\); husk-cc --help lists husk-cc's\$" \
    "$cc" --dumpbase=x -o "$out/x.husk" "$src"
check gcc_long_options "$cc" --std=gnu11 --param=max-inline-insns-single=100 \
    --param max-inline-insns-auto=20 --no-warnings -I"$here/project" -o "$out/x.husk" \
    "$src" "$here/project/stats.c" -lm

# A program that calls what needs a second process links, with one note
# naming those it calls (not those musl's own functions refer to).
cat >"$out/spawn.c" <<'EOF'
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv)
{
    if (argc > 1 && fork() == 0)
        execvp(argv[1], argv + 1);
    return system("true");
}
EOF
expect_error no_process_note 0 "^husk-cc: note: the program calls execvp, fork, system, which need a second process; a Husk guest is one, and libhusk answers with ENOSYS when they are called\$" \
    "$cc" -o "$out/spawn.husk" "$out/spawn.c"
check no_process_note_image test -s "$out/spawn.husk"

# Image flags where nothing is linked: a warning, the compilation done.
# With the flags in CC, as `make CC="husk-cc --net=..."` and a configure
# run have them, the project builds and the image has its device.
rm -f "$out/w.o"
expect_error compile_only_warning 0 "^husk-cc: warning: --net=service: ignored with -c, which links no image; give it to the command that links the image\$" \
    "$cc" --net=service -c -o "$out/w.o" "$src"
check compile_only_object test -s "$out/w.o"
expect_error preprocess_only_warning 0 "^husk-cc: warning: --block=data --files=$out: ignored with -E, which links no image; give them to the command that links the image\$" \
    "$cc" --block=data --files="$out" -E "$src"
rm -rf "$out/ccdev" && mkdir -p "$out/ccdev"
check make_with_device_in_cc make -s -C "$here/project" CC="$cc --net=service" \
    CFLAGS="-O2 -Wall -Werror" OBJDIR="$out/ccdev" OUT="$out/ccdev/wordstat.husk"
check make_with_device_in_cc_note sh -c \
    "readelf -x .note.husk.devices '$out/ccdev/wordstat.husk' | grep -q 'serv'"

# Nothing to link: gcc's answer (husk-cc -v), no a.out.
rm -rf "$out/noinput" && mkdir -p "$out/noinput"
check v_without_files sh -c "cd '$out/noinput' && '$cc' -v 2>&1 | grep -q '^gcc version' &&
    test -z \"\$(ls)\""

# Threads: -pthread (compile and link, together or apart) and -lpthread
# (musl's empty libpthread.a) link, and the program runs.
pt=$here/pthread.c
pthread_run() { # image
    timeout -k 5 60 "$build/husk" --backend=process --mem=32M "$1" </dev/null >"$out/stdout" 2>"$out/stderr"
    local got=$?
    [ $got = 0 ] || { echo "status $got: $(head -1 "$out/stderr")" && return; }
    grep -qx 'pthread: 4 threads, total 10000, joined 10' "$out/stdout" ||
        echo "stdout: $(head -1 "$out/stdout")"
}
check pthread_builds "$cc" -pthread -O2 -Wall -Wextra -Werror -o "$out/pthread.husk" "$pt"
result pthread_runs "$(pthread_run "$out/pthread.husk")"
check pthread_apart sh -c "'$cc' -pthread -O2 -c -o '$out/pthread.o' '$pt' &&
    '$cc' -pthread -o '$out/pthread-apart.husk' '$out/pthread.o'"
result pthread_apart_runs "$(pthread_run "$out/pthread-apart.husk")"
check lpthread_builds "$cc" -O2 -o "$out/lpthread.husk" "$pt" -lpthread
result lpthread_runs "$(pthread_run "$out/lpthread.husk")"
