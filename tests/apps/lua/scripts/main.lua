-- SPDX-License-Identifier: MIT
-- tests/apps/lua/scripts/main.lua: the Lua interpreter (Debian's lua5.4
-- source, built with husk-cc) checks itself: the language and its
-- libraries, then files. Run by tests/apps/lua.sh from stdin, from the
-- packed tree (husk-cc --files) and from an ext4 mount.
--
--   lua main.lua [WRITABLE_DIR [TREE_MODE]]
--
-- WRITABLE_DIR (default /tmp) is where it creates, renames and removes
-- files; TREE_MODE "ro" says the script's own directory is read-only
-- (writing there must fail with EROFS), "rw" that it is writable (the
-- script then leaves result.txt there for the host to read).
-- The last line is "main.lua: N checks passed"; any failed check ends
-- the script with an error (status 1) naming it.

local checks = 0
local function check(ok, what)
    checks = checks + 1
    if not ok then
        error("check failed: " .. what, 2)
    end
end

-- ---- the language and its libraries ---------------------------------
check(("ab"):rep(3, "-") == "ab-ab-ab", "string.rep")
check(string.format("%5.2f|%d|%x|%q", math.pi, 42, 255, "a\n") == ' 3.14|42|ff|"a\\\n"',
    "string.format")
check(math.type(1) == "integer" and math.type(1.0) == "float", "math.type")
check(7 // 2 == 3 and 7 % -3 == -2 and 2 ^ 10 == 1024.0, "arithmetic")
check(math.maxinteger + 1 == math.mininteger, "integer wrap-around")
check(tostring(1e300 * 1e10) == "inf" and tostring(0 / 0):find("nan") ~= nil, "inf and nan")
check(string.format("%.14g", 0.1 + 0.2) == "0.3", "float printing")
check(tonumber("0x1p4") == 16.0 and tonumber("  12  ") == 12 and tonumber("z", 36) == 35,
    "tonumber")

local t = {}
for i = 1, 2000 do
    t[i] = (i * 7919) % 2003
end
table.sort(t)
local sorted = true
for i = 2, #t do
    sorted = sorted and t[i - 1] <= t[i]
end
check(sorted and #t == 2000, "table.sort")
check(table.concat({ 1, 2, 3 }, ",") == "1,2,3" and select("#", table.unpack({ 1, nil, 3 }, 1, 3)) == 3,
    "table.concat, unpack")

local s = "The quick brown fox"
check(s:gsub("%w+", string.upper) == "THE QUICK BROWN FOX", "gsub with a function")
check(select(2, s:gsub("o", "0")) == 2, "gsub count")
check(s:match("(%a+) fox$") == "brown" and s:find("quick", 1, true) == 5, "match, find")
check(utf8.len("häßlich") == 7 and utf8.char(0x20AC) == "\u{20AC}", "utf8")
check(string.unpack("<i4", string.pack("<i4", -2)) == -2, "string.pack")

local co = coroutine.wrap(function(a)
    local b = coroutine.yield(a + 1)
    return b * 2
end)
check(co(1) == 2 and co(10) == 20, "coroutines")

local ok, err = pcall(error, { code = 7 })
check(not ok and err.code == 7, "pcall with an error object")
ok, err = pcall(function() return nil + 1 end)
check(not ok and err:find("arithmetic") ~= nil, "runtime error message")
check(select(2, xpcall(error, function(m) return "handled " .. m end, "x")) == "handled x",
    "xpcall")

local env = { x = 5 }
check(load("return x * 2", "chunk", "t", env)() == 10, "load with an environment")
check(load(string.dump(function() return 99 end), "bin", "b")() == 99, "string.dump and load")

local weak = setmetatable({}, { __mode = "k" })
weak[{}] = true
collectgarbage("collect")
check(next(weak) == nil, "weak table cleared by the collector")
check(collectgarbage("count") > 0, "collectgarbage count")

-- ---- the operating system library -------------------------------------
check(os.date("!%Y-%m-%d %H:%M:%S", 86400 + 3661) == "1970-01-02 01:01:01", "os.date UTC")
check(os.time({ year = 2000, month = 1, day = 1, hour = 12 }) ~= nil, "os.time of a date")
check(os.time() > 1600000000, "os.time now")
check(os.clock() >= 0, "os.clock")
check(os.getenv("APPS_LUA") == "husk", "os.getenv of --env=APPS_LUA=husk")
check(os.getenv("NO_SUCH_VARIABLE_HERE") == nil, "os.getenv of an unset name")

-- ---- files in a writable directory -------------------------------------
local w = arg[1] or "/tmp"
local name = w .. "/lua-out.txt"
local f = assert(io.open(name, "w"))
f:write("line 1\n", 42, "\n", 3.5, "\n")
f:close()
f = assert(io.open(name, "a"))
f:write("appended\n")
f:close()
local lines = {}
for line in io.lines(name) do
    lines[#lines + 1] = line
end
check(#lines == 4 and lines[2] == "42" and lines[4] == "appended", "write, append, io.lines")
f = assert(io.open(name, "r"))
check(f:read("n") == nil and f:read("l") == "line 1" and f:read("n") == 42, "read formats")
local size = 0
for _, l in ipairs(lines) do
    size = size + #l + 1
end
check(f:seek("end") == size and f:seek("set", 5) == 5 and f:read(1) == "1", "seek")
f:close()
check(os.rename(name, name .. ".2"), "os.rename")
check(io.open(name) == nil and io.open(name .. ".2") ~= nil, "renamed")
check(os.remove(name .. ".2"), "os.remove")
local gone, msg, code = io.open(name .. ".2")
check(gone == nil and code == 2 and msg:find("No such file") ~= nil, "ENOENT after remove")

local tmp = os.tmpname() -- mkstemp in /tmp
check(io.open(tmp, "w"):write("x") ~= nil and os.remove(tmp), "os.tmpname")
local tf = io.tmpfile()
tf:write(string.rep("z", 10000))
tf:seek("set", 9998)
check(tf:read("a") == "zz", "io.tmpfile")
tf:close()

-- ---- the script's own directory: modules and data ----------------------
local dir = arg[0] and arg[0]:match("^(.*)/main%.lua$")
if dir then
    package.path = dir .. "/lib/?.lua;" .. package.path
    local shapes = require("shapes")
    check(shapes.area("square", 3) == 9 and shapes.area("rectangle", 2, 5) == 10,
        "require from " .. dir)
    check(shapes.loaded_from == dir .. "/lib/shapes.lua", "module's file name")
    check(dofile(dir .. "/lib/shapes.lua").area("square", 4) == 16, "dofile")

    local whole = assert(io.open(dir .. "/data/words.txt")):read("a")
    local n, words = 0, 0
    for line in io.lines(dir .. "/data/words.txt") do
        n = n + 1
        for _ in line:gmatch("%S+") do
            words = words + 1
        end
    end
    local _, newlines = whole:gsub("\n", "")
    local _, all_words = whole:gsub("%S+", "")
    check(n == newlines and words == all_words and n > 0, "io.lines of a data file")
    local missing, _, enoent = io.open(dir .. "/data/missing.txt")
    check(missing == nil and enoent == 2, "ENOENT in the tree")

    local probe = dir .. "/data/probe.txt"
    if arg[2] == "ro" then
        local pf, perr, perrno = io.open(probe, "w")
        check(pf == nil and perrno == 30 and perr:find("Read%-only") ~= nil,
            "EROFS in the read-only tree")
    elseif arg[2] == "rw" then
        local rf = assert(io.open(dir .. "/result.txt", "w"))
        rf:write(string.format("lua %s wrote this after %d checks\n", _VERSION, checks))
        rf:close()
    end
end

print(string.format("main.lua: %d checks passed", checks))
