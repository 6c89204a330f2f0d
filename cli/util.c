/*
 * util.c - what every eddy sub-command needs: error messages in one format, a long-option
 * parser, the data directory rule, opening the broker, and a buffered writer to a file
 * descriptor.
 *
 * Messages: every error is exactly one line on stderr, "eddy: <what went wrong>".
 */
#include "cli_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* Print "eddy: " + a formatted message + newline on stderr. */
static void vmessage(const char *fmt, va_list ap)
{
    char line[1024];
    vsnprintf(line, sizeof line, fmt, ap);
    fprintf(stderr, "eddy: %s\n", line);
}

int cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage(fmt, ap);
    va_end(ap);
    return CLI_EXIT_ERROR;
}

int cli_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmessage(fmt, ap);
    va_end(ap);
    return CLI_EXIT_USAGE;
}

int cli_broker_error(const eddy_err *err)
{
    if (err->msg[0])
        return cli_error("%s", err->msg);
    return cli_error("%s", eddy_strerror(err->code));
}

/* ---------------------------------------------------------------------------------------------
 * Options
 * ------------------------------------------------------------------------------------------- */

void cli_args_init(cli_args *a, int argc, char **argv, const char *where)
{
    a->argc = argc;
    a->argv = argv;
    a->i = 0;
    a->only_positional = false;
    a->where = where;
}

/* Look up "--name" (or "--name=value") in 'opts'; exact names only (no abbreviations, so
 * adding an option later never changes what an old command line means). */
int cli_args_next(cli_args *a, const cli_opt *opts, const char **value)
{
    *value = NULL;
    if (a->i >= a->argc)
        return CLI_ARG_END;
    char *arg = a->argv[a->i++];
    if (a->only_positional || arg[0] != '-' || arg[1] == '\0') {
        *value = arg;
        return CLI_ARG_POSITIONAL;
    }
    if (strcmp(arg, "--") == 0) {
        a->only_positional = true;
        return cli_args_next(a, opts, value);
    }
    const char *name = arg + 2;
    if (strcmp(arg, "-h") == 0)
        name = "help";
    else if (arg[1] != '-') {
        cli_usage("%s%sunknown option '%s' (see --help)", a->where, a->where[0] ? ": " : "",
                  arg);
        return CLI_ARG_BAD;
    }
    const char *eq = strchr(name, '=');
    size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
    for (const cli_opt *o = opts; o->name; o++) {
        if (strlen(o->name) != nlen || memcmp(o->name, name, nlen) != 0)
            continue;
        if (!o->has_arg) {
            if (eq) {
                cli_usage("%s%soption '--%s' takes no value", a->where, a->where[0] ? ": " : "",
                          o->name);
                return CLI_ARG_BAD;
            }
            return o->id;
        }
        if (eq) {
            *value = eq + 1;
        } else if (a->i < a->argc) {
            *value = a->argv[a->i++];
        } else {
            cli_usage("%s%soption '--%s' needs a value", a->where, a->where[0] ? ": " : "",
                      o->name);
            return CLI_ARG_BAD;
        }
        return o->id;
    }
    cli_usage("%s%sunknown option '%.*s' (see --help)", a->where, a->where[0] ? ": " : "",
              (int)(nlen + 2), arg);
    return CLI_ARG_BAD;
}

int cli_parse_int64(const char *name, const char *s, int64_t min, int64_t max, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (s[0] == '\0' || *end != '\0' || errno == ERANGE || v < min || v > max) {
        if (max == INT64_MAX)
            return cli_usage("--%s: expected an integer >= %lld, got '%s'", name,
                             (long long)min, s);
        return cli_usage("--%s: expected an integer from %lld to %lld, got '%s'", name,
                         (long long)min, (long long)max, s);
    }
    *out = v;
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Data directory and broker
 * ------------------------------------------------------------------------------------------- */

const char *cli_data_dir(const char *flag)
{
    if (flag && flag[0])
        return flag;
    const char *env = getenv("EDDY_DATA");
    if (env && env[0])
        return env;
    return "./eddy-data";
}

int cli_broker_open(const char *dir, bool create, broker **out)
{
    *out = NULL;
    struct stat st;
    if (stat(dir, &st) != 0) {
        if (errno == ENOENT && !create)
            return 0;
        if (errno != ENOENT)
            return cli_error("data directory '%s': %s", dir, strerror(errno));
    } else if (!S_ISDIR(st.st_mode)) {
        return cli_error("data directory '%s' is not a directory", dir);
    }
    broker_options opts;
    broker_options_default(&opts);
    opts.cleaner_interval_ms = 0;   /* one-shot command: no background cleaner */
    eddy_err err;
    eddy_err_clear(&err);
    if (broker_open(dir, &opts, out, &err) != 0) {
        *out = NULL;
        if (err.msg[0])
            return cli_error("%s", err.msg);   /* the broker's messages name the directory */
        return cli_error("cannot open data directory '%s': %s", dir, eddy_strerror(err.code));
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Buffered output
 * ------------------------------------------------------------------------------------------- */

void cli_out_init(cli_out *o, int fd, size_t flush_at)
{
    o->fd = fd;
    eddy_buf_init(&o->buf);
    o->flush_at = flush_at;
    o->err = 0;
}

int cli_out_flush(cli_out *o)
{
    size_t done = 0;
    if (o->err) {
        o->buf.len = 0;
        return -1;
    }
    while (done < o->buf.len) {
        ssize_t n = write(o->fd, o->buf.data + done, o->buf.len - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            o->err = errno;
            o->buf.len = 0;
            return -1;
        }
        done += (size_t)n;
    }
    o->buf.len = 0;
    return 0;
}

void cli_out_free(cli_out *o)
{
    eddy_buf_free(&o->buf);
}
