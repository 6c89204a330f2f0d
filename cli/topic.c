/*
 * topic.c - `eddy topic`: create, list, describe and delete topics, and the dispatch to
 * `produce` (produce.c) and `consume` (consume.c).
 *
 *   eddy [--data DIR] topic create NAME [--partitions N] [--config KEY=VALUE]...
 *   eddy [--data DIR] topic list [--internal]
 *   eddy [--data DIR] topic describe NAME
 *   eddy [--data DIR] topic delete NAME
 *
 * Each command opens the broker on the data directory, does one thing and closes it. The
 * commands that only read never create the data directory.
 */
#include "cli_int.h"

#include <errno.h>
#include <stdio.h>

const char cli_topic_help[] =
    "usage: eddy [--data DIR] topic <command> [arguments]\n"
    "\n"
    "  create NAME [--partitions N] [--config KEY=VALUE]...\n"
    "      Create a topic (default 1 partition). Config keys: retention.ms, retention.bytes,\n"
    "      segment.bytes, segment.ms, cleanup.policy (delete|compact), delete.retention.ms,\n"
    "      flush.messages, flush.ms, max.message.bytes, min.compaction.lag.ms.\n"
    "  list [--internal]\n"
    "      Topic names, one a line (--internal: include topics starting with \"__\").\n"
    "  describe NAME\n"
    "      Partitions with start and end offsets, bytes and segments, and the config.\n"
    "  delete NAME\n"
    "      Delete a topic and its data.\n"
    "  produce NAME [--json | --key-separator S] [--partition P]\n"
    "      Write stdin to the topic, one record a line; prints a summary line on stderr.\n"
    "      Plain: the line is the value; with --key-separator S, 'KEY S VALUE' (a line\n"
    "      without S has a null key). --json: each line is an object with the optional\n"
    "      fields key, value, timestamp (ms), partition and headers\n"
    "      ([{\"key\":\"h\",\"value\":\"v\"}]); a JSON string is written as its text, any\n"
    "      other JSON value as its compact JSON text, null as a null key or tombstone.\n"
    "      Records go to --partition P, else the line's partition, else the partition of\n"
    "      their key (Kafka's murmur2), else round-robin. The first bad line stops it\n"
    "      (exit 1, 'eddy: line N: ...'); every record before it is written.\n"
    "  consume NAME [--from-beginning | --offset N] [--partition P] [--max-messages N]\n"
    "               [--timeout-ms MS] [--group G] [--json | --print-key [--key-separator S]]\n"
    "      Print records, one a line: the value (null prints as 'null'); --print-key:\n"
    "      'KEY<TAB>VALUE'. --json: {\"topic\",\"partition\",\"offset\",\"timestamp\",\"key\",\n"
    "      \"value\",\"headers\":[{\"key\",\"value\"}]}, where key and value are the parsed JSON\n"
    "      when the bytes are a JSON object or array, else JSON strings (null stays null).\n"
    "      Starts at the end unless --from-beginning or --offset N (also 'earliest' or\n"
    "      'latest'); with --group G at the group's committed offsets, which it commits\n"
    "      every 5 s and on exit. Without --timeout-ms it follows the topic until\n"
    "      interrupted; with it, it stops after MS ms without new records.\n"
    "\n"
    "The data directory is --data DIR, else $EDDY_DATA, else ./eddy-data.\n";

/* Options every topic command accepts. */
enum { OPT_HELP = 1, OPT_DATA, OPT_PARTITIONS, OPT_CONFIG, OPT_INTERNAL };

/* parse_name_cmd() printed the help: stop with exit status 0. */
#define HELP_SHOWN 100

/* Parse the arguments of a command that takes exactly one NAME and the given options; the
 * options themselves are handed to 'on_opt'. Returns 0, HELP_SHOWN, or CLI_EXIT_USAGE. */
static int parse_name_cmd(int argc, char **argv, const char *where, const cli_opt *opts,
                          const char **data_flag, const char **name,
                          int (*on_opt)(void *ctx, int id, const char *value), void *ctx)
{
    cli_args a;
    cli_args_init(&a, argc - 1, argv + 1, where);
    *name = NULL;
    for (;;) {
        const char *value;
        int id = cli_args_next(&a, opts, &value);
        if (id == CLI_ARG_END)
            break;
        if (id == CLI_ARG_BAD)
            return CLI_EXIT_USAGE;
        if (id == OPT_HELP) {
            fputs(cli_topic_help, stdout);
            return HELP_SHOWN;
        }
        if (id == OPT_DATA) {
            *data_flag = value;
        } else if (id == CLI_ARG_POSITIONAL) {
            if (*name)
                return cli_usage("%s: unexpected argument '%s'", where, value);
            *name = value;
        } else {
            int rc = on_opt ? on_opt(ctx, id, value) : 0;
            if (rc)
                return rc;
        }
    }
    if (!*name)
        return cli_usage("%s: missing topic name (see 'eddy topic --help')", where);
    return 0;
}

/* The exit status for a non-zero parse_name_cmd() result. */
static int parse_status(int rc)
{
    return rc == HELP_SHOWN ? CLI_EXIT_OK : rc;
}

/* Say why 'name' is not a legal topic name. */
static int bad_name(const char *name)
{
    return cli_usage("invalid topic name '%s': use 1 to 249 of the characters "
                     "[a-zA-Z0-9._-] (not '.' or '..')", name);
}

/* ---------------------------------------------------------------------------------------------
 * create
 * ------------------------------------------------------------------------------------------- */

typedef struct create_args {
    int64_t partitions;
    broker_topic_config config;
} create_args;

/* --partitions and --config for `topic create`. */
static int create_opt(void *ctx, int id, const char *value)
{
    create_args *c = ctx;
    if (id == OPT_PARTITIONS)
        return cli_parse_int64("partitions", value, 1, 100000, &c->partitions);
    /* OPT_CONFIG: KEY=VALUE */
    const char *eq = strchr(value, '=');
    if (!eq || eq == value)
        return cli_usage("--config: expected KEY=VALUE, got '%s'", value);
    char key[128];
    size_t klen = (size_t)(eq - value);
    if (klen >= sizeof key)
        return cli_usage("--config: unknown key '%.*s'", (int)klen, value);
    memcpy(key, value, klen);
    key[klen] = '\0';
    eddy_err err;
    eddy_err_clear(&err);
    if (broker_topic_config_set(&c->config, key, eq + 1, &err) != 0)
        return cli_usage("--config: %s", err.msg[0] ? err.msg : eddy_strerror(err.code));
    return 0;
}

/* `eddy topic create NAME [--partitions N] [--config KEY=VALUE]...` */
static int cmd_create(const char *data_flag, int argc, char **argv)
{
    static const cli_opt opts[] = {
        {"help", false, OPT_HELP},
        {"data", true, OPT_DATA},
        {"partitions", true, OPT_PARTITIONS},
        {"config", true, OPT_CONFIG},
        {NULL, false, 0},
    };
    create_args c;
    c.partitions = 1;
    broker_topic_config_default(&c.config);
    const char *name;
    int rc = parse_name_cmd(argc, argv, "topic create", opts, &data_flag, &name, create_opt, &c);
    if (rc)
        return parse_status(rc);
    if (!broker_topic_name_valid(name))
        return bad_name(name);

    broker *b;
    const char *dir = cli_data_dir(data_flag);
    if ((rc = cli_broker_open(dir, true, &b)) != 0)
        return rc;
    eddy_err err;
    eddy_err_clear(&err);
    rc = broker_topic_create(b, name, (int)c.partitions, &c.config, &err);
    broker_close(b);
    if (rc == EDDY_EEXIST)
        return cli_error("topic '%s' already exists", name);
    if (rc != 0)
        return cli_broker_error(&err);
    printf("created topic '%s' with %d partition%s\n", name, (int)c.partitions,
           c.partitions == 1 ? "" : "s");
    return CLI_EXIT_OK;
}

/* ---------------------------------------------------------------------------------------------
 * list
 * ------------------------------------------------------------------------------------------- */

/* `eddy topic list [--internal]` */
static int cmd_list(const char *data_flag, int argc, char **argv)
{
    static const cli_opt opts[] = {
        {"help", false, OPT_HELP},
        {"data", true, OPT_DATA},
        {"internal", false, OPT_INTERNAL},
        {NULL, false, 0},
    };
    bool internal = false;
    cli_args a;
    cli_args_init(&a, argc - 1, argv + 1, "topic list");
    for (;;) {
        const char *value;
        int id = cli_args_next(&a, opts, &value);
        if (id == CLI_ARG_END)
            break;
        if (id == CLI_ARG_BAD)
            return CLI_EXIT_USAGE;
        if (id == CLI_ARG_POSITIONAL)
            return cli_usage("topic list: unexpected argument '%s'", value);
        if (id == OPT_HELP) {
            fputs(cli_topic_help, stdout);
            return CLI_EXIT_OK;
        }
        if (id == OPT_DATA)
            data_flag = value;
        else
            internal = true;
    }

    broker *b;
    int rc = cli_broker_open(cli_data_dir(data_flag), false, &b);
    if (rc != 0 || !b)
        return rc;   /* no data directory yet: no topics */
    char **names;
    size_t n;
    eddy_err err;
    eddy_err_clear(&err);
    rc = broker_topic_list(b, internal, &names, &n, &err);
    broker_close(b);
    if (rc != 0)
        return cli_broker_error(&err);
    for (size_t i = 0; i < n; i++)
        printf("%s\n", names[i]);
    broker_names_free(names, n);
    if (fflush(stdout) != 0 && errno != EPIPE)
        return cli_error("cannot write output: %s", strerror(errno));
    return CLI_EXIT_OK;
}

/* ---------------------------------------------------------------------------------------------
 * describe
 * ------------------------------------------------------------------------------------------- */

/* `eddy topic describe NAME` */
static int cmd_describe(const char *data_flag, int argc, char **argv)
{
    static const cli_opt opts[] = {
        {"help", false, OPT_HELP},
        {"data", true, OPT_DATA},
        {NULL, false, 0},
    };
    const char *name;
    int rc = parse_name_cmd(argc, argv, "topic describe", opts, &data_flag, &name, NULL, NULL);
    if (rc)
        return parse_status(rc);
    if (!broker_topic_name_valid(name))
        return bad_name(name);

    broker *b;
    if ((rc = cli_broker_open(cli_data_dir(data_flag), false, &b)) != 0)
        return rc;
    if (!b)
        return cli_error("topic '%s' does not exist", name);
    broker_topic_info info;
    eddy_err err;
    eddy_err_clear(&err);
    rc = broker_topic_describe(b, name, &info, &err);
    broker_close(b);
    if (rc == EDDY_ENOTFOUND)
        return cli_error("topic '%s' does not exist", name);
    if (rc != 0)
        return cli_broker_error(&err);

    eddy_buf cfg;
    eddy_buf_init(&cfg);
    if (broker_topic_config_format(&info.config, &cfg) != 0) {
        broker_topic_info_free(&info);
        eddy_buf_free(&cfg);
        return cli_error("out of memory");
    }
    printf("topic       %s\n", info.name);
    printf("partitions  %d\n", info.partitions);
    printf("\n%9s %14s %14s %14s %9s\n", "partition", "start-offset", "end-offset", "bytes",
           "segments");
    for (int i = 0; i < info.partitions; i++) {
        const broker_partition_info *p = &info.parts[i];
        printf("%9d %14lld %14lld %14lld %9d\n", (int)p->partition,
               (long long)p->log_start_offset, (long long)p->log_end_offset,
               (long long)p->size_bytes, p->segments);
    }
    printf("\nconfig\n");
    const char *line = eddy_buf_cstr(&cfg);
    while (line && *line) {
        const char *nl = strchr(line, '\n');
        int len = nl ? (int)(nl - line) : (int)strlen(line);
        printf("  %.*s\n", len, line);
        line = nl ? nl + 1 : line + len;
    }
    eddy_buf_free(&cfg);
    broker_topic_info_free(&info);
    if (fflush(stdout) != 0 && errno != EPIPE)
        return cli_error("cannot write output: %s", strerror(errno));
    return CLI_EXIT_OK;
}

/* ---------------------------------------------------------------------------------------------
 * delete
 * ------------------------------------------------------------------------------------------- */

/* `eddy topic delete NAME` */
static int cmd_delete(const char *data_flag, int argc, char **argv)
{
    static const cli_opt opts[] = {
        {"help", false, OPT_HELP},
        {"data", true, OPT_DATA},
        {NULL, false, 0},
    };
    const char *name;
    int rc = parse_name_cmd(argc, argv, "topic delete", opts, &data_flag, &name, NULL, NULL);
    if (rc)
        return parse_status(rc);
    if (!broker_topic_name_valid(name))
        return bad_name(name);

    broker *b;
    if ((rc = cli_broker_open(cli_data_dir(data_flag), false, &b)) != 0)
        return rc;
    if (!b)
        return cli_error("topic '%s' does not exist", name);
    eddy_err err;
    eddy_err_clear(&err);
    rc = broker_topic_delete(b, name, &err);
    broker_close(b);
    if (rc == EDDY_ENOTFOUND)
        return cli_error("topic '%s' does not exist", name);
    if (rc != 0)
        return cli_broker_error(&err);
    printf("deleted topic '%s'\n", name);
    return CLI_EXIT_OK;
}

/* ---------------------------------------------------------------------------------------------
 * Dispatch
 * ------------------------------------------------------------------------------------------- */

typedef struct topic_command {
    const char *name;
    int (*run)(const char *data_flag, int argc, char **argv);
} topic_command;

static const topic_command topic_commands[] = {
    {"create", cmd_create},
    {"list", cmd_list},
    {"describe", cmd_describe},
    {"delete", cmd_delete},
    {"produce", cli_topic_produce},
    {"consume", cli_topic_consume},
};

int cli_topic_main(const char *data_flag, int argc, char **argv)
{
    static const cli_opt opts[] = {
        {"help", false, OPT_HELP},
        {"data", true, OPT_DATA},
        {NULL, false, 0},
    };
    /* Options before the verb: `eddy topic --data DIR list`. */
    cli_args a;
    cli_args_init(&a, argc - 1, argv + 1, "topic");
    const char *verb = NULL;
    while (!verb) {
        const char *value;
        int id = cli_args_next(&a, opts, &value);
        if (id == CLI_ARG_END)
            break;
        if (id == CLI_ARG_BAD)
            return CLI_EXIT_USAGE;
        if (id == OPT_HELP) {
            fputs(cli_topic_help, stdout);
            return CLI_EXIT_OK;
        }
        if (id == OPT_DATA)
            data_flag = value;
        else
            verb = value;
    }
    if (!verb)
        return cli_usage("topic: missing command: create, list, describe, delete, produce or "
                         "consume (see 'eddy topic --help')");
    for (size_t i = 0; i < EDDY_ARRAY_LEN(topic_commands); i++) {
        if (strcmp(topic_commands[i].name, verb) == 0)
            return topic_commands[i].run(data_flag, argc - a.i, argv + a.i);
    }
    return cli_usage("topic: unknown command '%s' (expected create, list, describe, delete, "
                     "produce or consume)", verb);
}
