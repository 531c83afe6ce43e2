/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/*
 * lua_ready.c: an embedded Lua whose start-up is worth a snapshot, for
 * bench/snapshot. It creates a lua_State, opens the standard libraries
 * and runs a start-up script that does what loading an application does:
 * it compiles 3,000 functions from generated source and builds an index
 * of 10,000 records (5.5 MB of heap once collected; about 70 ms natively
 * on the machine this was written on). Then a full collection, so that the heap is as
 * compact as it gets and the collector's next cycle is far off, then
 * husk_ready(), then one small function: a lookup that prints
 *
 *   lua: record 12345 item12345 score 545, f77(3) = 117
 *
 * and the program exits 0. With "idle [SECS]" it then sleeps SECS
 * (default 600): an idle instance for the memory group. Natively (built
 * with gcc against a native liblua.a) husk_ready() is a stub that returns
 * 0, so the same source gives the native reference.
 *
 * Built by bench/snapshot against the liblua.a that tests/apps-suite.sh
 * builds with husk-cc from Debian's lua5.4 source (build/apps/lua).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lauxlib.h"
#include "lua.h"
#include "lualib.h"

#ifdef __husk__
#include <husk.h>
#else
static int husk_ready(void)
{
    return 0;
}
#endif

static const char startup[] =
    "local nfunc, nrec = 3000, 10000\n"
    /* Compile nfunc small global functions from generated source. */
    "local src = {}\n"
    "for i = 1, nfunc do\n"
    "  src[#src + 1] = string.format(\n"
    "    'function f%d(x) local s = 0 for j = 1, %d do '\n"
    "    .. 's = s + (x * j + %d) %% %d end return s end',\n"
    "    i, i % 13 + 1, i, i % 97 + 3)\n"
    "end\n"
    "assert(load(table.concat(src, '\\n'), 'generated'))()\n"
    /* An index of records by name, and a list of them. */
    "index, byscore = {}, {}\n"
    "for i = 1, nrec do\n"
    "  local r = {id = i, name = 'item' .. i, score = (i * 7919) % 1000,\n"
    "             tags = {'t' .. i % 10, 't' .. i % 7}}\n"
    "  index['k' .. i] = r\n"
    "  byscore[i] = r\n"
    "end\n"
    /* What serves a request once ready. */
    "function lookup(key, n)\n"
    "  local r = index[key]\n"
    "  return string.format('record %d %s score %d, f%d(3) = %d',\n"
    "                       r.id, r.name, r.score, n, _G['f' .. n](3))\n"
    "end\n";

int main(int argc, char *argv[])
{
    lua_State *L = luaL_newstate();
    if (L == NULL) {
        fprintf(stderr, "lua_ready: no memory for a lua_State\n");
        return 1;
    }
    luaL_openlibs(L);
    if (luaL_loadbuffer(L, startup, sizeof startup - 1, "startup") != LUA_OK ||
        lua_pcall(L, 0, 0, 0) != LUA_OK) {
        fprintf(stderr, "lua_ready: %s\n", lua_tostring(L, -1));
        return 1;
    }
    lua_gc(L, LUA_GCCOLLECT);

    husk_ready();

    lua_getglobal(L, "lookup");
    lua_pushstring(L, "k1234");
    lua_pushinteger(L, 77);
    if (lua_pcall(L, 2, 1, 0) != LUA_OK) {
        fprintf(stderr, "lua_ready: %s\n", lua_tostring(L, -1));
        return 1;
    }
    printf("lua: %s\n", lua_tostring(L, -1));
    lua_pop(L, 1);
    if (argc > 1 && strcmp(argv[1], "idle") == 0) {
        unsigned seconds = argc > 2 ? (unsigned)atoi(argv[2]) : 600;
        fflush(stdout);
        sleep(seconds);
    }
    lua_close(L);
    return 0;
}
