/*
 * main.c - the `eddy` binary: global options (--data, --help, --version) and the table of
 * sub-commands.
 *
 *   eddy [--data DIR] <command> [arguments]
 *
 * Commands not built yet stay in the table with a NULL handler, so `--help` lists the whole
 * tool and running one says "not available yet" (exit status 2) instead of "unknown command".
 */
#include "cli_int.h"

#include <signal.h>
#include <sys/resource.h>
#include <stdio.h>

typedef struct cli_command {
    const char *name;
    int (*run)(const char *data_flag, int argc, char **argv);   /* NULL: not built yet */
    const char *summary;
} cli_command;

static const cli_command commands[] = {
    {"shell", NULL, "interactive SQL shell"},
    {"server", NULL, "REST API and Kafka protocol server"},
    {"run", cli_run_main, "run a SQL script and keep its persistent queries running"},
    {"test", cli_test_main, "run ksql-test-runner style tests"},
    {"topic", cli_topic_main, "create, list, describe, delete, produce to and consume topics"},
};

/* The text of `eddy --help`. */
static void print_help(FILE *f)
{
    fprintf(f,
            "eddy %s - stream processing with SQL over an embedded Kafka-like broker\n"
            "\n"
            "usage: eddy [--data DIR] <command> [arguments]\n"
            "\n"
            "commands:\n",
            EDDY_VERSION);
    for (size_t i = 0; i < EDDY_ARRAY_LEN(commands); i++)
        fprintf(f, "  %-8s %s%s\n", commands[i].name, commands[i].summary,
                commands[i].run ? "" : " (not available yet)");
    fprintf(f,
            "\n"
            "options:\n"
            "  --data DIR   data directory (default: $EDDY_DATA, else ./eddy-data)\n"
            "  --help       show this help; 'eddy <command> --help' for a command\n"
            "  --version    show the version\n");
}

int main(int argc, char **argv)
{
    /* Writers see EPIPE instead of dying, so `eddy topic consume ... | head` ends quietly. */
    signal(SIGPIPE, SIG_IGN);
    /* Every segment keeps its log and index files open (as Kafka's do): raise the soft limit
     * on open files to the hard one, so topics with many segments don't hit the default 1024. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }

    static const cli_opt opts[] = {
        {"data", true, 1},
        {"help", false, 2},
        {"version", false, 3},
        {NULL, false, 0},
    };
    const char *data_flag = NULL;
    cli_args a;
    cli_args_init(&a, argc - 1, argv + 1, "");
    for (;;) {
        const char *value;
        /* Global options come before the command; stop at the first positional argument. */
        if (a.i < a.argc && a.argv[a.i][0] != '-')
            break;
        int id = cli_args_next(&a, opts, &value);
        if (id == CLI_ARG_END)
            break;
        if (id == CLI_ARG_BAD)
            return CLI_EXIT_USAGE;
        if (id == CLI_ARG_POSITIONAL) {   /* "-" or something after "--" */
            a.i--;
            break;
        }
        if (id == 1) {
            data_flag = value;
        } else if (id == 2) {
            print_help(stdout);
            return CLI_EXIT_OK;
        } else {
            printf("eddy %s\n", EDDY_VERSION);
            return CLI_EXIT_OK;
        }
    }
    if (a.i >= a.argc) {
        print_help(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *name = a.argv[a.i];
    if (strcmp(name, "help") == 0) {
        print_help(stdout);
        return CLI_EXIT_OK;
    }
    for (size_t i = 0; i < EDDY_ARRAY_LEN(commands); i++) {
        if (strcmp(commands[i].name, name) != 0)
            continue;
        if (!commands[i].run)
            return cli_usage("'%s' is not available yet", name);
        return commands[i].run(data_flag, a.argc - a.i, a.argv + a.i);
    }
    return cli_usage("unknown command '%s' (see 'eddy --help')", name);
}
