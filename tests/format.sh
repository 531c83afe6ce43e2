#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/format.sh: every C file of the project is formatted as .clang-format
# says (clang-format from Debian; make check installs it). Prints one
# "PASS format/c" or "FAIL format/c: ..." line naming the files that are
# not, and how to fix them.
set -u
cd "$(dirname "$0")/.."
if ! command -v clang-format >/dev/null; then
    echo "FAIL format/c: clang-format is not installed (tests/packages.txt)"
    exit 0
fi
# The tree's own C sources (lwIP and musl are fetched into build/).
mapfile -t files < <(git ls-files '*.c' '*.h' 2>/dev/null ||
    find abi monitor guest drivers net tests bench examples \
        -name '*.[ch]' -not -path '*/corpus/*')
bad=()
for f in "${files[@]}"; do
    clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} = 0 ]; then
    echo "PASS format/c"
else
    echo "FAIL format/c: ${#bad[@]} files are not formatted (clang-format -i ${bad[*]:0:5}${bad[5]:+ ...})"
fi
