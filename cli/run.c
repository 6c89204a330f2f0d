/*
 * run.c - `eddy run FILE.sql`: execute a script against the data directory and keep its
 * persistent queries running until interrupted (SIGINT / SIGTERM).
 */
#include "cli_int.h"

#include "eddy/engine.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static int print_result(void *ctx, const engine_result *r)
{
    (void)ctx;
    if (r->message && *r->message)
        printf("%s\n", r->message);
    if (r->text)
        printf("%s", r->text);
    fflush(stdout);
    return 0;
}

static void print_proclog(void *ctx, const char *query_id, const char *message)
{
    (void)ctx;
    fprintf(stderr, "processing log [%s]: %s\n", query_id, message);
}

static void print_notice(void *ctx, const char *query_id, const char *message)
{
    (void)ctx;
    fprintf(stderr, "eddy: query %s: %s\n", query_id, message);
}

int cli_run_main(const char *data_flag, int argc, char **argv)
{
    static const cli_opt opts[] = {
        {"help", false, 'h'},
        {"threads", true, 't'},
        {NULL, false, 0},
    };
    const char *file = NULL;
    long threads = sysconf(_SC_NPROCESSORS_ONLN);
    cli_args a;
    cli_args_init(&a, argc - 1, argv + 1, "run");
    for (;;) {
        const char *v;
        int id = cli_args_next(&a, opts, &v);
        if (id == CLI_ARG_END)
            break;
        if (id == CLI_ARG_BAD)
            return CLI_EXIT_USAGE;
        if (id == CLI_ARG_POSITIONAL) {
            if (file)
                return cli_usage("run: only one script file, got '%s' too", v);
            file = v;
        } else if (id == 't') {
            char *end;
            threads = strtol(v, &end, 10);
            if (*end || threads < 1 || threads > 256)
                return cli_usage("run: --threads must be 1..256, not '%s'", v);
        } else {
            printf("usage: eddy [--data DIR] run FILE.sql [--threads N]\n\n"
                   "Runs the statements of FILE.sql, then keeps the persistent queries it\n"
                   "started running until interrupted (Ctrl-C).\n");
            return CLI_EXIT_OK;
        }
    }
    if (!file)
        return cli_usage("run: missing the script file (eddy run FILE.sql)");
    char *sql;
    size_t len;
    eddy_err err = {0};
    if (eddy_read_file(file, &sql, &len, &err) != 0)
        return cli_error("cannot read '%s': %s", file, err.msg);
    /* SIGINT and SIGTERM stop the queries. They stay blocked except inside sigsuspend() below,
     * which unblocks them atomically (with pause(), a signal arriving between the test of the
     * flag and the call would be missed and the process would hang), and they are blocked
     * before the engine starts any thread (broker cleaner, workers), which inherit the mask,
     * so they are always delivered to this thread. A signal during the statements waits. */
    sigset_t stop, old;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    pthread_sigmask(SIG_BLOCK, &stop, &old);
    engine_options eo = {0};
    eo.data_dir = cli_data_dir(data_flag);
    eo.proclog = print_proclog;
    eo.notice = print_notice;
    engine *e;
    if (engine_open(&eo, &e, &err) != 0) {
        eddy_free(sql);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        return cli_error("%s", err.msg);
    }
    int rc = CLI_EXIT_OK;
    if (engine_execute(e, sql, len, print_result, NULL, &err) != 0) {
        if (err.line > 0 && strncmp(err.msg, "line ", 5) != 0)
            rc = cli_error("%s:%d:%d: %s", file, err.line, err.col, err.msg);
        else
            rc = cli_error("%s: %s", file, err.msg);
    }
    eddy_free(sql);
    if (rc == CLI_EXIT_OK && engine_query_count(e) > 0) {
        if (engine_start(e, (int)threads, &err) != 0) {
            rc = cli_error("%s", err.msg);
        } else {
            fprintf(stderr, "eddy: %d persistent quer%s running; press Ctrl-C to stop\n",
                    engine_query_count(e), engine_query_count(e) == 1 ? "y" : "ies");
            sigset_t wait = old;
            sigdelset(&wait, SIGINT);
            sigdelset(&wait, SIGTERM);
            while (!stop_requested)
                sigsuspend(&wait);
        }
    }
    engine_close(e);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}
