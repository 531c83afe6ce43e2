# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# tests/apps/sqlite.sh: SQLite's shell, sqlite3 (Debian's sqlite3 source,
# SQLite's configure and Makefile), on a database in /tmp, then on an
# ext4 image with its default rollback journal: created, read again after
# a reboot, killed with SIGKILL right after a COMMIT it acknowledged, and
# the image clean for e2fsck -fn after each. The host's sqlite3 reads the
# image's database too (a copy). Sourced by tests/apps-suite.sh.

build_sqlite() {
    # BCC: the host's compiler, for the generators the build runs (lemon,
    # mkkeywordhash); tclsh (tests/packages.txt) writes the amalgamation,
    # sqlite3.c, and the shell's shell.c. The shell itself is compiled at
    # the image stage: SQLite's rule for it compiles and links at once.
    step configure ./configure CC="$hcc" BCC=gcc CFLAGS=-O2 --host=x86_64-linux-musl \
        --disable-shared --disable-tcl --disable-readline &&
        step make make sqlite3.c shell.c
}

# One image, so that sqlite3.c (8 MB of C) is compiled once: with the ext4
# mount where husk-cc has --mount (the cases on /tmp then attach an empty
# image, which they do not use).
images_sqlite() {
    local flags=""
    have_hcc_option mount && flags=--mount=data:/data
    rm -f "$apps"/bin/sqlite3*.husk
    step link rm -f sqlite3 && step link make sqlite3 CC="$hcc $flags" &&
        cp sqlite3 "$apps/bin/sqlite3.husk"
}

# The rows a test inserts: N of them, id 1..N, so sum(id) = N(N+1)/2.
sqlite_insert() { # N TAG
    echo "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < $1)
INSERT INTO t(v, tag) SELECT printf('row %06d', i), '$2' FROM c;"
}

# sqlite_host_query IMAGE SQL: SQL run by the host's sqlite3 (Debian's
# build of the same release; tests/packages.txt) on /app.db copied out of
# the ext4 IMAGE.
sqlite_host_query() {
    rm -f "$tmp/host.db"
    debugfs -R "dump /app.db $tmp/host.db" "$1" >/dev/null 2>&1 &&
        sqlite3 -bail "$tmp/host.db" "$2"
}

test_sqlite() {
    local version
    version=$(sed 's/-.*//' "$apps/sqlite/version" 2>/dev/null)
    # HOME: the shell looks for ~/.sqliterc (there is none in /tmp).
    local env=(--env=HOME=/tmp) img=$tmp/sqlite.img
    rm -f "$img"
    if have_hcc_option mount; then
        mkfs.ext4 -q -F "$img" 32M >/dev/null
        env+=(--block:data="$img")
    fi
    app_run "${env[@]}" sqlite3.husk -- -version </dev/null
    result sqlite_version "$(run_why 0 "^${version//./\\.} " '')"

    # A database in /tmp: a table, 5000 rows in one transaction, an
    # index, a rollback, the integrity check.
    {
        echo ".bail on"
        echo "PRAGMA journal_mode;"
        echo "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT, tag TEXT);"
        echo "BEGIN;"
        sqlite_insert 5000 tmp
        echo "COMMIT;"
        echo "CREATE INDEX t_v ON t(v);"
        echo "BEGIN; DELETE FROM t; ROLLBACK;"
        echo "SELECT count(*), sum(id), max(v) FROM t;"
        echo "PRAGMA integrity_check;"
    } | app_run "${env[@]}" sqlite3.husk -- /tmp/t.db
    why=$(run_why 0 '' '')
    [ -z "$why" ] && [ "$(tr '\n' ' ' <"$tmp/out")" != "delete 5000|12502500|row 005000 ok " ] &&
        why="stdout: $(tr '\n' ' ' <"$tmp/out" | head -c 200)"
    result sqlite_tmp_database "$why"

    if ! have_hcc_option mount; then
        skip sqlite_ext4 "husk-cc has no --mount option yet"
        return
    fi

    # Boot 1: the database created on the image, in the default rollback
    # journal mode (the journal, /app.db-journal, is deleted at COMMIT).
    {
        echo ".bail on"
        echo "PRAGMA journal_mode;"
        echo "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT, tag TEXT);"
        echo "BEGIN;"
        sqlite_insert 3000 boot1
        echo "COMMIT;"
        echo "SELECT count(*), sum(id) FROM t;"
    } | app_run "${env[@]}" sqlite3.husk -- /data/app.db
    why=$(run_why 0 '' '')
    [ -z "$why" ] && [ "$(tr '\n' ' ' <"$tmp/out")" != "delete 3000|4501500 " ] &&
        why="stdout: $(tr '\n' ' ' <"$tmp/out" | head -c 200)"
    [ -z "$why" ] && why=$(apps_fsck "$img")
    [ -z "$why" ] && debugfs -R 'stat /app.db-journal' "$img" 2>/dev/null | grep -q Inode &&
        why="the rollback journal is still on the image after COMMIT"
    [ -z "$why" ] && [ "$(sqlite_host_query "$img" 'SELECT count(*) FROM t')" != 3000 ] &&
        why="the host reads another database: $(sqlite_host_query "$img" 'SELECT count(*) FROM t' 2>&1 | head -1)"
    result sqlite_ext4_create "$why"

    # Boot 2: the data is there.
    printf 'SELECT count(*), sum(id) FROM t;\nPRAGMA integrity_check;\n' |
        app_run "${env[@]}" sqlite3.husk -- /data/app.db
    why=$(run_why 0 '' '')
    [ -z "$why" ] && [ "$(tr '\n' ' ' <"$tmp/out")" != "3000|4501500 ok " ] &&
        why="stdout: $(tr '\n' ' ' <"$tmp/out" | head -c 200)"
    result sqlite_ext4_after_reboot "$why"

    # Boot 3: a transaction committed, the shell says so (.print after the
    # COMMIT, flushed before it reads its next line), and the monitor is
    # killed with SIGKILL while the shell waits for more input.
    kill_why=""
    [ -n "${HUSK_TEST_SKIP:-}" ] || sqlite_kill_after_commit "$img"
    why=$kill_why
    [ -z "$why" ] && why=$(apps_fsck "$img")
    result sqlite_ext4_kill9_after_commit "$why"

    # Boot 4: the committed rows are there, the database is whole.
    printf "SELECT count(*) FROM t WHERE tag = 'boot3';\nSELECT count(*) FROM t;\nPRAGMA integrity_check;\n" |
        app_run "${env[@]}" sqlite3.husk -- /data/app.db
    why=$(run_why 0 '' '')
    [ -z "$why" ] && [ "$(tr '\n' ' ' <"$tmp/out")" != "1000 4000 ok " ] &&
        why="stdout: $(tr '\n' ' ' <"$tmp/out" | head -c 200)"
    [ -z "$why" ] && why=$(apps_fsck "$img")
    [ -z "$why" ] && [ "$(sqlite_host_query "$img" "SELECT count(*) FROM t WHERE tag = 'boot3'")" != 1000 ] &&
        why="the host does not read the committed rows"
    result sqlite_ext4_committed_rows_survive_kill9 "$why"
}

# sqlite_kill_after_commit IMAGE: boot 3 above; why it went wrong, if it
# did, in $kill_why.
sqlite_kill_after_commit() {
    local img=$1 fifo=$tmp/sql.fifo pid i
    kill_why=""
    rm -f "$fifo"
    mkfifo "$fifo"
    timeout -k 5 "${APPS_TIMEOUT:-300}" "$husk" "${bk[@]}" --env=HOME=/tmp \
        --block:data="$img" "$apps/bin/sqlite3.husk" -- /data/app.db \
        <"$fifo" >"$tmp/out" 2>"$tmp/err" &
    pid=$!
    exec 7>"$fifo" # the shell's stdin stays open: it waits for more
    {
        echo "BEGIN;"
        sqlite_insert 1000 boot3
        echo "COMMIT;"
        echo ".print committed"
    } >&7
    for ((i = 0; i < 3000; i++)); do
        grep -q '^committed$' "$tmp/out" && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.02
    done
    if ! grep -q '^committed$' "$tmp/out"; then
        kill_why="the shell did not print its marker after COMMIT: $(head -c 200 "$tmp/err")"
    elif ! kill -0 "$pid" 2>/dev/null; then
        kill_why="the shell ended before the kill"
    fi
    # timeout's child is husk (the supervisor); SIGKILL it, not timeout.
    local monitor
    monitor=$(pgrep -P "$pid" | head -1)
    kill -KILL "${monitor:-$pid}" 2>/dev/null
    exec 7>&-
    wait "$pid" 2>/dev/null
    # The jailed monitor dies with its supervisor (PR_SET_PDEATHSIG): wait
    # for its lock on the image to go.
    for ((i = 0; i < 100; i++)); do flock -n "$img" true && break; sleep 0.1; done
    # In rollback-journal mode the COMMIT is the journal's deletion: SQLite
    # deleted it before it answered. Left on the image, the journal is hot
    # and the next open rolls the committed transaction back.
    [ -z "$kill_why" ] && debugfs -R 'stat /app.db-journal' "$img" 2>/dev/null | grep -q Inode &&
        kill_why="the rollback journal, deleted before COMMIT returned, is back on the image after kill -9 (the next open will undo the transaction)"
}
