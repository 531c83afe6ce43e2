# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the Husk authors
#
# completions/husk.bash: bash completion for husk and husk-cc. make install
# puts it in share/bash-completion/completions as husk, with husk-cc a
# link to it (bash-completion loads a command's file by the command's
# name); `source` it to try it. Needs nothing from the bash-completion
# package.
#
# husk: its options, the values of --backend=, --io-thread=, --stdin=,
# --stats=, --log-level=, --user=, --group=, /run/netns/* for --netns=,
# a file after --block:NAME=, a tap or "user" after
# --net:NAME=, .husk images, then anything (the guest's arguments).
# husk-cc: its own options, a directory after --files= and after -I and
# -L (as separate words), any file after -o, else C sources, headers,
# assembly, objects and archives.

# husk's options as husk --help lists them (tests/install-suite.sh checks
# that the two agree): "=" or ":" ends those that take a value.
_husk_options=(--backend= --mem= --timeout= --block: --net: --io-thread=
    --io-spin= --env= --cwd= --stdin= --console-rate= --dump-core= --snapshot-to= --restore= --call-channel= --netns= --user= --group= --no-jail
    --print-seccomp --stats --log-level= --help --version)
_husk_cc_options=(--block= --net= --mount= --files= --print-sysroot
    -print-search-dirs --help --version)

# The word being completed, whole, in _husk_cur, and the words before it
# in _husk_before. Bash splits "--backend=k" at "=" and "--block:d" at
# ":" (COMP_WORDBREAKS) and replaces only what follows the last such
# character, which _husk_keep holds, so that replies can leave it out.
_husk_word() {
    local line=${COMP_LINE:0:COMP_POINT} i
    _husk_cur=${line##*[[:space:]]}
    read -ra _husk_before <<<"${line%"$_husk_cur"}"
    _husk_keep=""
    for ((i = ${#_husk_cur} - 1; i >= 0; i--)); do
        if [[ $COMP_WORDBREAKS == *"${_husk_cur:i:1}"* ]]; then
            _husk_keep=${_husk_cur:0:i+1}
            break
        fi
    done
}

# _husk_offer WORD...: the WORDs that start with the word being completed;
# no space after one that ends in "=" or ":" (its value comes next).
_husk_offer() {
    local w
    COMPREPLY=()
    for w in "$@"; do
        [[ $w == "$_husk_cur"* ]] && COMPREPLY+=("${w#"$_husk_keep"}")
    done
    if [[ ${#COMPREPLY[@]} == 1 && ${COMPREPLY[0]} == *[=:] ]]; then
        compopt -o nospace 2>/dev/null
    fi
    return 0
}

# _husk_files GLOB|-d: the directories and the files matching GLOB (none
# with -d) whose names start with what follows _husk_keep, as file names
# (bash adds the "/" after a directory and quotes).
_husk_files() {
    local f
    COMPREPLY=()
    compopt -o filenames 2>/dev/null
    while IFS= read -r f; do
        # shellcheck disable=SC2053 # $1 is a glob
        if [ -d "$f" ] || { [ "$1" != -d ] && [[ $f == $1 ]]; }; then
            COMPREPLY+=("$f")
        fi
    done < <(compgen -f -- "${_husk_cur#"$_husk_keep"}")
    return 0
}

_husk() {
    local w
    _husk_word
    # After the image or "--": the guest's arguments, anything.
    for w in "${_husk_before[@]:1}"; do
        case $w in
        -- | [!-]*)
            COMPREPLY=()
            compopt -o bashdefault -o default 2>/dev/null
            return 0 ;;
        esac
    done
    case $_husk_cur in
    --backend=*) _husk_offer --backend={auto,kvm,process} ;;
    --io-thread=*) _husk_offer --io-thread={off,auto,on} ;;
    --stdin=*) _husk_offer --stdin={pass,none} ;;
    --stats=*) _husk_offer --stats={text,json} ;;
    --log-level=*) _husk_offer --log-level={error,warn,info,debug} ;;
    --user=*)
        mapfile -t w < <(compgen -u)
        _husk_offer "${w[@]/#/--user=}" ;;
    --group=*)
        mapfile -t w < <(compgen -g)
        _husk_offer "${w[@]/#/--group=}" ;;
    --netns=*)
        mapfile -t w < <(ls -d /run/netns/* 2>/dev/null)
        _husk_offer "${w[@]/#/--netns=}" ;;
    --block:*=*) _husk_files '*' ;;
    --net:*=*,*) COMPREPLY=() ;; # ip=, gw=, ...: husk --help
    --net:*=*)
        w=(user)
        mapfile -t -O 1 w < <(ls /sys/class/net 2>/dev/null)
        _husk_offer "${w[@]/#/${_husk_cur%%=*}=}" ;;
    -*) _husk_offer "${_husk_options[@]}" ;;
    *) _husk_files '*.husk' ;;
    esac
}

_husk_cc() {
    local prev=""
    _husk_word
    [ ${#_husk_before[@]} -gt 0 ] && prev=${_husk_before[-1]}
    case $prev in
    -o)
        COMPREPLY=()
        compopt -o bashdefault -o default 2>/dev/null
        return 0 ;;
    -I | -L)
        _husk_files -d
        return 0 ;;
    esac
    case $_husk_cur in
    --files=*) _husk_files -d ;;
    -*) _husk_offer "${_husk_cc_options[@]}" ;;
    *) _husk_files '*.[chsSoa]' ;;
    esac
}

complete -F _husk husk
complete -F _husk_cc husk-cc
