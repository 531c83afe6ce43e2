/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* test_oci.c: husk-oci's pure parts: config.json (oci/config.c), the
 * monitor's command line from it (oci/plan.c), the runtime's own command
 * line (oci/cli.c) and signal names (oci/signals.c). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "../../oci/oci.h"
#include "unit.h"

static struct oci_config cfg;
static char err[OCI_ERR_MAX];

static int parse(const char *json)
{
    memset(err, 0, sizeof(err));
    return oci_config_parse(json, strlen(json), &cfg, err, sizeof(err));
}

/* A config with process and linux parts given as JSON fragments. */
static int parse_with(const char *process, const char *linux_)
{
    char buf[4096];
    snprintf(buf, sizeof(buf),
             "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"}, "
             "\"process\": {%s}%s%s%s}",
             process, linux_ ? ", \"linux\": {" : "", linux_ ? linux_ : "",
             linux_ ? "}" : "");
    return parse(buf);
}

#define ARGS "\"args\": [\"/app.husk\", \"a b\", \"\"]"

#define CHECK_REFUSED(rc, words)          \
    do {                                  \
        CHECK_EQ(rc, -1);                 \
        CHECK_HAS(err, words);            \
        CHECK(strchr(err, '\n') == NULL); \
    } while (0)

TEST(oci_config_minimal)
{
    CHECK_EQ(parse_with(ARGS, NULL), 0);
    CHECK_STREQ(cfg.root_path, "rootfs");
    CHECK_EQ(cfg.args.n, 3);
    CHECK_STREQ(cfg.args.v[1], "a b");
    CHECK_STREQ(cfg.args.v[2], "");
    CHECK(cfg.args.v[3] == NULL);
    CHECK_EQ(cfg.env.n, 0);
    CHECK_EQ(cfg.memory_limit, -1);
    CHECK(!cfg.terminal);
    CHECK(!cfg.ns_wanted[OCI_NS_NETWORK]);
    oci_config_free(&cfg);
}

TEST(oci_config_podman_like)
{
    CHECK_EQ(parse_with(ARGS ", \"env\": [\"A=1\", \"B==2\", \"C=\"], "
                             "\"terminal\": true, \"user\": {\"uid\": 1000, "
                             "\"gid\": 100}, \"rlimits\": [{\"type\": "
                             "\"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": "
                             "512}]",
                        "\"namespaces\": [{\"type\": \"pid\"}, {\"type\": "
                        "\"network\", \"path\": \"/run/netns/x\"}], "
                        "\"resources\": {\"memory\": {\"limit\": 67108864}}"),
             0);
    CHECK_EQ(cfg.env.n, 3);
    CHECK_STREQ(cfg.env.v[1], "B==2");
    CHECK(cfg.terminal);
    CHECK_EQ(cfg.uid, 1000);
    CHECK_EQ(cfg.gid, 100);
    CHECK_EQ(cfg.rlimit_count, 1);
    CHECK_EQ(cfg.rlimits[0].resource, RLIMIT_NOFILE);
    CHECK_EQ(cfg.rlimits[0].soft, 512);
    CHECK_EQ(cfg.rlimits[0].hard, 1024);
    CHECK(cfg.ns_wanted[OCI_NS_PID]);
    CHECK(cfg.ns_path[OCI_NS_PID] == NULL);
    CHECK_STREQ(cfg.ns_path[OCI_NS_NETWORK], "/run/netns/x");
    CHECK_EQ(cfg.memory_limit, 64 << 20);
    oci_config_free(&cfg);
}

TEST(oci_config_refusals)
{
    CHECK_REFUSED(parse(""), "not valid JSON");
    CHECK_REFUSED(parse("{\"ociVersion\": \"1.0.2\", "), "line 1");
    CHECK_REFUSED(parse("[]"), "not a JSON object");
    CHECK_REFUSED(parse("{\"root\": {\"path\": \"r\"}}"),
                  "ociVersion: missing");
    CHECK_REFUSED(parse("{\"ociVersion\": \"0.9\", \"root\": {\"path\": "
                        "\"r\"}}"),
                  "not a 1.x runtime-spec version");
    CHECK_REFUSED(parse("{\"ociVersion\": \"1.0\", \"process\": {" ARGS "}}"),
                  "root: missing");
    CHECK_REFUSED(parse("{\"ociVersion\": \"1.0\", \"root\": {\"path\": 5}}"),
                  "root.path: not a string");
    CHECK_REFUSED(parse("{\"ociVersion\": \"1.0\", \"root\": {\"path\": "
                        "\"r\"}}"),
                  "process: missing");
    CHECK_REFUSED(parse("{\"ociVersion\": \"1.0\", \"ociVersion\": \"1.0\"}"),
                  "duplicate");
    CHECK_REFUSED(parse_with("\"args\": []", NULL), "process.args: missing");
    CHECK_REFUSED(parse_with("\"args\": [\"\"]", NULL),
                  "process.args[0]: empty");
    CHECK_REFUSED(parse_with("\"args\": [\"/a\", 1]", NULL),
                  "process.args[1]: not a string");
    CHECK_REFUSED(parse_with("\"args\": \"/a\"", NULL),
                  "process.args: not an array");
    CHECK_REFUSED(parse_with(ARGS ", \"env\": [\"NOEQUALS\"]", NULL),
                  "process.env[0]: 'NOEQUALS' is not NAME=VALUE");
    CHECK_REFUSED(parse_with(ARGS ", \"env\": [\"=x\"]", NULL),
                  "is not NAME=VALUE");
    CHECK_REFUSED(parse_with(ARGS ", \"terminal\": 1", NULL),
                  "process.terminal: not a boolean");
    CHECK_REFUSED(parse_with(ARGS ", \"user\": {\"uid\": -1}", NULL),
                  "process.user.uid: -1 is out of range");
    CHECK_REFUSED(parse_with(ARGS ", \"user\": {\"uid\": 4294967296}", NULL),
                  "out of range");
    CHECK_REFUSED(parse_with(ARGS ", \"rlimits\": [{\"type\": \"RLIMIT_X\", "
                                  "\"soft\": 1, \"hard\": 1}]",
                             NULL),
                  "process.rlimits[0].type: unknown 'RLIMIT_X'");
    CHECK_REFUSED(parse_with(ARGS ", \"rlimits\": [{\"type\": \"RLIMIT_CORE\", "
                                  "\"soft\": 2, \"hard\": 1}]",
                             NULL),
                  "above the hard limit");
    CHECK_REFUSED(parse_with(ARGS, "\"namespaces\": [{\"type\": \"net\"}]"),
                  "linux.namespaces[0].type: unknown 'net'");
    CHECK_REFUSED(parse_with(ARGS, "\"namespaces\": [{\"type\": \"pid\"}, "
                                   "{\"type\": \"pid\"}]"),
                  "pid given twice");
    CHECK_REFUSED(parse_with(ARGS, "\"namespaces\": [{\"type\": \"network\", "
                                   "\"path\": \"netns\"}]"),
                  "not an absolute path");
    CHECK_REFUSED(parse_with(ARGS, "\"resources\": {\"memory\": {\"limit\": "
                                   "0}}"),
                  "linux.resources.memory.limit: 0 is not a size");
    CHECK_REFUSED(parse_with(ARGS, "\"devices\": [{\"path\": \"/dev/x\", "
                                   "\"type\": \"b\", \"major\": -1, "
                                   "\"minor\": 0}]"),
                  "a device needs major");
    CHECK_REFUSED(parse_with(ARGS, "\"devices\": [{\"path\": \"/dev/x\", "
                                   "\"type\": \"q\"}]"),
                  "is not b, c, u or p");
}

TEST(oci_config_unlimited_memory)
{
    CHECK_EQ(parse_with(ARGS, "\"resources\": {\"memory\": {\"limit\": -1}}"),
             0);
    CHECK_EQ(cfg.memory_limit, -1);
    oci_config_free(&cfg);
}

static struct oci_image image(void)
{
    struct oci_image img;
    memset(&img, 0, sizeof(img));
    strcpy(img.dir, "/rootfs");
    strcpy(img.file, "app.husk");
    img.min_mem = 8ULL << 20;
    return img;
}

static void add_dev(struct oci_image *img, uint32_t kind, const char *name)
{
    img->devices[img->device_count].kind = kind;
    strcpy(img->devices[img->device_count].name, name);
    img->device_count++;
}

static const struct oci_net net = {"husktap0",  "10.88.0.5",         16,
                                   "10.88.0.1", "02:42:0a:58:00:05", 1500};

/* argv joined with spaces, for one comparison. */
static const char *joined(const struct oci_strv *sv)
{
    static char buf[4096];
    buf[0] = '\0';
    for (size_t i = 0; i < sv->n; i++) {
        if (i > 0)
            strcat(buf, " ");
        strcat(buf, sv->v[i]);
    }
    return buf;
}

TEST(oci_plan_basic)
{
    CHECK_EQ(parse_with(ARGS ", \"env\": [\"A=1\"]", NULL), 0);
    struct oci_image img = image();
    struct oci_strv argv = {0};
    CHECK_EQ(
        oci_plan_argv(&cfg, &img, NULL, "/bin/husk", &argv, err, sizeof(err)),
        0);
    /* No limit: 64 MiB; the arguments as given, empty ones included. */
    CHECK_STREQ(joined(&argv),
                "/bin/husk --mem=64M --env=A=1 app.husk -- a b ");
    CHECK_EQ(argv.n, 7);
    CHECK_STREQ(argv.v[6], "");
    oci_strv_free(&argv);
    oci_config_free(&cfg);
}

TEST(oci_plan_cwd)
{
    struct oci_image img = image();
    struct oci_strv argv = {0};
    /* A directory of the guest's: --cwd; "/" (podman's default): nothing. */
    CHECK_EQ(parse_with(ARGS ", \"cwd\": \"/srv/app\"", NULL), 0);
    CHECK_EQ(
        oci_plan_argv(&cfg, &img, NULL, "/bin/husk", &argv, err, sizeof(err)),
        0);
    CHECK_STREQ(joined(&argv),
                "/bin/husk --mem=64M --cwd=/srv/app app.husk -- a b ");
    oci_strv_free(&argv);
    oci_config_free(&cfg);
    argv = (struct oci_strv){0};
    CHECK_EQ(parse_with(ARGS ", \"cwd\": \"/\"", NULL), 0);
    CHECK_EQ(
        oci_plan_argv(&cfg, &img, NULL, "/bin/husk", &argv, err, sizeof(err)),
        0);
    CHECK_STREQ(joined(&argv), "/bin/husk --mem=64M app.husk -- a b ");
    oci_strv_free(&argv);
    oci_config_free(&cfg);
    CHECK_REFUSED(parse_with(ARGS ", \"cwd\": \"srv\"", NULL),
                  "process.cwd: 'srv' is not an absolute path");
    CHECK_REFUSED(parse_with(ARGS ", \"cwd\": 7", NULL),
                  "process.cwd: not a string");
}

TEST(oci_plan_memory)
{
    struct oci_image img = image();
    uint64_t mem;
    CHECK_EQ(parse_with(ARGS, "\"resources\": {\"memory\": {\"limit\": "
                              "33554431}}"),
             0);
    /* Rounded down to 2 MiB, never up: 32 MiB - 1 byte gives 30 MiB. */
    CHECK_EQ(oci_plan_mem(&cfg, &img, &mem, err, sizeof(err)), 0);
    CHECK_EQ(mem, 30ULL << 20);
    oci_config_free(&cfg);
    CHECK_EQ(parse_with(ARGS, "\"resources\": {\"memory\": {\"limit\": "
                              "9223372036854775807}}"),
             0);
    CHECK_EQ(oci_plan_mem(&cfg, &img, &mem, err, sizeof(err)), 0);
    CHECK_EQ(mem, HUSK_MEM_MAX);
    oci_config_free(&cfg);
    CHECK_EQ(parse_with(ARGS, "\"resources\": {\"memory\": {\"limit\": "
                              "8388607}}"),
             0);
    CHECK_REFUSED(oci_plan_mem(&cfg, &img, &mem, err, sizeof(err)),
                  "is below the 8 MiB that app.husk needs");
    oci_config_free(&cfg);
    /* Without a limit, an image that needs more than 64 MiB gets it. */
    CHECK_EQ(parse_with(ARGS, NULL), 0);
    img.min_mem = 100ULL << 20;
    CHECK_EQ(oci_plan_mem(&cfg, &img, &mem, err, sizeof(err)), 0);
    CHECK_EQ(mem, 100ULL << 20);
    oci_config_free(&cfg);
}

TEST(oci_plan_user_devices_net)
{
    CHECK_EQ(parse_with("\"args\": [\"/app.husk\"], \"user\": {\"uid\": 65534, "
                        "\"gid\": 65534}",
                        "\"devices\": [{\"path\": \"/dev/disk\", \"type\": "
                        "\"b\", \"major\": 7, \"minor\": 3}]"),
             0);
    free(cfg.mounts);
    cfg.mounts = calloc(2, sizeof(*cfg.mounts));
    cfg.mounts[0] = (struct oci_mount){
        strdup("/dev/data"), strdup("/srv/a.img"), strdup("bind"), true, true};
    cfg.mount_count = 1;
    struct oci_image img = image();
    add_dev(&img, HUSK_DEVICE_BLOCK, "data");
    add_dev(&img, HUSK_DEVICE_BLOCK, "disk");
    add_dev(&img, HUSK_DEVICE_NET, "service");
    struct oci_strv argv = {0};
    CHECK_EQ(oci_plan_argv(&cfg, &img, &net, "husk", &argv, err, sizeof(err)),
             0);
    CHECK_STREQ(joined(&argv),
                "husk --mem=64M --user=65534 --group=65534 "
                "--block:data=/srv/a.img,ro --block:disk=/dev/block/7:3 "
                "--net:service=husktap0,ip=10.88.0.5/16,gw=10.88.0.1,"
                "mac=02:42:0a:58:00:05,mtu=1500 app.husk --");
    oci_strv_free(&argv);
    /* The network device with no interface to take over. */
    CHECK_REFUSED(
        oci_plan_argv(&cfg, &img, NULL, "husk", &argv, err, sizeof(err)),
        "declares network device 'service', but the container's "
        "network namespace has no interface");
    oci_strv_free(&argv);
    /* A block device the container does not provide. */
    add_dev(&img, HUSK_DEVICE_BLOCK, "logs");
    CHECK_REFUSED(
        oci_plan_argv(&cfg, &img, &net, "husk", &argv, err, sizeof(err)),
        "declares block device 'logs': give the container a file "
        "or block device at /dev/logs");
    oci_strv_free(&argv);
    oci_config_free(&cfg);
}

TEST(oci_plan_guest_limits)
{
    CHECK_EQ(parse_with(ARGS, NULL), 0);
    struct oci_image img = image();
    struct oci_strv argv = {0};
    /* 4096 bytes of environment at most, NULs included. */
    char *big = malloc(HUSK_ENV_MAX + 1);
    memset(big, 'x', HUSK_ENV_MAX);
    big[0] = 'A', big[1] = '=', big[HUSK_ENV_MAX - 1] = '\0';
    oci_strv_add(&cfg.env, big);
    CHECK_EQ(oci_plan_argv(&cfg, &img, NULL, "husk", &argv, err, sizeof(err)),
             0);
    oci_strv_free(&argv);
    oci_strv_add(&cfg.env, "B=1");
    CHECK_REFUSED(
        oci_plan_argv(&cfg, &img, NULL, "husk", &argv, err, sizeof(err)),
        "process.env: 4100 bytes; a Husk guest takes at most 4096");
    oci_strv_free(&argv);
    free(big);
    oci_config_free(&cfg);
    CHECK_EQ(parse_with(ARGS, NULL), 0);
    for (int i = 0; i < HUSK_ARGC_MAX; i++)
        oci_strv_add(&cfg.args, "a");
    CHECK_REFUSED(
        oci_plan_argv(&cfg, &img, NULL, "husk", &argv, err, sizeof(err)),
        "a Husk guest takes at most 256");
    oci_strv_free(&argv);
    oci_config_free(&cfg);
}

static struct oci_cli cli;

static int cli_parse(const char *const *list)
{
    int argc = 0;
    static char *argv[32];
    static char name[] = "husk-oci";
    argv[argc++] = name;
    /* The parser keeps pointers into argv and never writes through them. */
    for (; list[argc - 1] != NULL; argc++)
        argv[argc] = strdup(list[argc - 1]);
    argv[argc] = NULL;
    memset(err, 0, sizeof(err));
    return oci_cli_parse(argc, argv, &cli, err, sizeof(err));
}
#define CLI(...) cli_parse((const char *const[]){__VA_ARGS__, NULL})

TEST(oci_cli_conmon_and_shim)
{
    /* conmon's create, with podman's --runtime-flag root=... */
    CHECK_EQ(CLI("--root=/run/x", "create", "--bundle", "/b", "--pid-file",
                 "/b/pid", "abc"),
             0);
    CHECK_EQ(cli.command, OCI_CMD_CREATE);
    CHECK_STREQ(cli.root, "/run/x");
    CHECK_STREQ(cli.bundle, "/b");
    CHECK_STREQ(cli.pid_file, "/b/pid");
    CHECK_STREQ(cli.id, "abc");
    /* containerd's runc shim. */
    CHECK_EQ(CLI("--root", "/r", "--log", "/l.json", "--log-format", "json",
                 "create", "--bundle", "/b", "--pid-file", "/p",
                 "--console-socket", "/s", "--no-pivot", "t1"),
             0);
    CHECK_STREQ(cli.log, "/l.json");
    CHECK(cli.log_json);
    CHECK_STREQ(cli.console_socket, "/s");
    CHECK_EQ(CLI("--systemd-cgroup", "kill", "--all", "t1", "9"), 0);
    CHECK(cli.all);
    CHECK_STREQ(cli.signal, "9");
    CHECK_EQ(CLI("kill", "t1"), 0);
    CHECK_STREQ(cli.signal, "SIGTERM");
    CHECK_EQ(CLI("delete", "-f", "t1"), 0);
    CHECK(cli.force);
    CHECK_EQ(CLI("-v"), 0);
    CHECK_EQ(cli.command, OCI_CMD_VERSION);
    CHECK_EQ(CLI("features"), 0);
    CHECK_EQ(cli.command, OCI_CMD_FEATURES);
}

TEST(oci_cli_refusals)
{
    CHECK_REFUSED(CLI("frobnicate", "x"), "unknown command 'frobnicate'");
    CHECK_REFUSED(CLI("start"), "start: no container id given");
    CHECK_REFUSED(CLI("start", "a", "b"), "start: unexpected argument 'b'");
    CHECK_REFUSED(CLI("state", "../etc"), "not a valid container id");
    CHECK_REFUSED(CLI("kill", "a", "SIGNOPE"),
                  "kill: unknown signal 'SIGNOPE'");
    CHECK_REFUSED(CLI("start", "--force", "a"), "start: unknown option");
    CHECK_REFUSED(CLI("--root"), "--root needs a value");
    CHECK_REFUSED(CLI("--log-format=xml", "state", "a"),
                  "expected text or json");
    CHECK_REFUSED(CLI("--frob", "state", "a"), "unknown global option");
    CHECK_REFUSED(CLI("delete", "--force=yes", "a"), "takes no value");
    CHECK_REFUSED(CLI(""), "unknown command ''");
}

TEST(oci_ids)
{
    CHECK(oci_id_valid("a"));
    CHECK(oci_id_valid("2dd18aa8d9fb-x_y.z+1"));
    CHECK(!oci_id_valid(""));
    CHECK(!oci_id_valid("."));
    CHECK(!oci_id_valid(".."));
    CHECK(!oci_id_valid("a/b"));
    CHECK(!oci_id_valid("a b"));
    char longid[1026];
    memset(longid, 'a', 1025);
    longid[1025] = '\0';
    CHECK(!oci_id_valid(longid));
    longid[1024] = '\0';
    CHECK(oci_id_valid(longid));
}

TEST(oci_signals)
{
    CHECK_EQ(oci_signal_parse("TERM"), SIGTERM);
    CHECK_EQ(oci_signal_parse("SIGTERM"), SIGTERM);
    CHECK_EQ(oci_signal_parse("sigkill"), SIGKILL);
    CHECK_EQ(oci_signal_parse("15"), 15);
    CHECK_EQ(oci_signal_parse("9"), 9);
    CHECK_EQ(oci_signal_parse("RTMIN"), SIGRTMIN);
    CHECK_EQ(oci_signal_parse("RTMIN+2"), SIGRTMIN + 2);
    CHECK_EQ(oci_signal_parse("SIGRTMAX-1"), SIGRTMAX - 1);
    CHECK_EQ(oci_signal_parse("0"), -1);
    CHECK_EQ(oci_signal_parse("65"), -1);
    CHECK_EQ(oci_signal_parse("15x"), -1);
    CHECK_EQ(oci_signal_parse("99999999999999999999"), -1);
    CHECK_EQ(oci_signal_parse("RTMIN-1"), -1);
    CHECK_EQ(oci_signal_parse("RTMAX+1"), -1);
    CHECK_EQ(oci_signal_parse("RTMIN+100"), -1);
    CHECK_EQ(oci_signal_parse(""), -1);
    CHECK_EQ(oci_signal_parse("SIG"), -1);
}
