/*
 * cli_int.h - private to cli/: what the files of the `eddy` command share.
 *
 * cli/ is the only place in eddy that prints and decides to exit. Sub-commands return an exit
 * status instead of calling exit(), so that every path closes the broker (which leaves its
 * clean-shutdown marker) and commits consumer-group offsets:
 *
 *   CLI_EXIT_OK     success
 *   CLI_EXIT_ERROR  a runtime error (unknown topic, I/O error, bad input line)
 *   CLI_EXIT_USAGE  a usage error (unknown option, missing or malformed argument)
 *
 * Every error is one line on stderr that starts with "eddy: " (cli_error, cli_usage).
 */
#ifndef EDDY_CLI_INT_H
#define EDDY_CLI_INT_H

#include "eddy/broker.h"
#include "eddy/common.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define EDDY_VERSION "0.1.0"

enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_ERROR = 1,
    CLI_EXIT_USAGE = 2
};

/* ---------------------------------------------------------------------------------------------
 * Messages (util.c)
 * ------------------------------------------------------------------------------------------- */

/* Print "eddy: <message>" on stderr; return CLI_EXIT_ERROR. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print "eddy: <message>" on stderr; return CLI_EXIT_USAGE. */
int cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print the message of a broker error as "eddy: <msg>" and return CLI_EXIT_ERROR. */
int cli_broker_error(const eddy_err *err);

/* ---------------------------------------------------------------------------------------------
 * Option parsing (util.c)
 *
 * A small long-option parser: options and positional arguments may be interleaved,
 * "--name value" and "--name=value" both work, "--" ends the options, "-h" is "--help".
 * Unlike getopt_long() it never prints by itself, so every message follows our format.
 * ------------------------------------------------------------------------------------------- */

typedef struct cli_opt {
    const char *name;          /* without the leading "--"; NULL ends a table */
    bool has_arg;
    int id;                    /* returned by cli_args_next(); > 0 */
} cli_opt;

typedef struct cli_args {
    int argc;
    char **argv;               /* borrowed */
    int i;                     /* next argument to look at */
    bool only_positional;      /* after "--" */
    const char *where;         /* command name for messages ("topic create"; "" for none) */
} cli_args;

enum {
    CLI_ARG_END = 0,           /* no more arguments */
    CLI_ARG_POSITIONAL = -1,   /* *value is a positional argument */
    CLI_ARG_BAD = -2           /* a usage error was printed */
};

void cli_args_init(cli_args *a, int argc, char **argv, const char *where);

/* Next option: its id (with *value set to its argument when it takes one), or one of the
 * CLI_ARG_* codes above. */
int cli_args_next(cli_args *a, const cli_opt *opts, const char **value);

/* Parse a decimal integer in [min, max] for option 'name'. On failure prints a usage error
 * and returns CLI_EXIT_USAGE; 0 on success. */
int cli_parse_int64(const char *name, const char *s, int64_t min, int64_t max, int64_t *out);

/* ---------------------------------------------------------------------------------------------
 * Data directory and broker (util.c)
 * ------------------------------------------------------------------------------------------- */

/* The data directory: 'flag' (from --data) if set, else $EDDY_DATA, else "./eddy-data". */
const char *cli_data_dir(const char *flag);

/* Open the broker in 'dir' for a one-shot command (no cleaner thread). When 'create' is
 * false and 'dir' does not exist, nothing is created: *out is set to NULL and 0 returned,
 * so callers can answer "no topics" without leaving an empty directory behind. Prints the
 * error and returns CLI_EXIT_ERROR when the directory is unusable. */
int cli_broker_open(const char *dir, bool create, broker **out);

/* ---------------------------------------------------------------------------------------------
 * Buffered output straight to a file descriptor (util.c)
 *
 * Faster than stdio for millions of small records, and it reports EPIPE to the caller
 * instead of dying of SIGPIPE (main() ignores SIGPIPE), so `eddy topic consume | head` ends
 * quietly.
 * ------------------------------------------------------------------------------------------- */

typedef struct cli_out {
    int fd;
    eddy_buf buf;
    size_t flush_at;           /* write out when buf.len reaches this */
    int err;                   /* errno of the first failed write, 0 if none */
} cli_out;

void cli_out_init(cli_out *o, int fd, size_t flush_at);
/* Write everything buffered; returns 0 or -1 (o->err says why). */
int cli_out_flush(cli_out *o);
/* Flush when the buffer is past its threshold. */
static inline int cli_out_maybe_flush(cli_out *o)
{
    return o->buf.len >= o->flush_at ? cli_out_flush(o) : 0;
}
void cli_out_free(cli_out *o);

/* ---------------------------------------------------------------------------------------------
 * JSON helpers (json.c)
 * ------------------------------------------------------------------------------------------- */

/* Append 'len' bytes as a JSON string literal (with quotes). Bytes that are not valid UTF-8
 * are written as U+FFFD. Returns 0 or EDDY_ENOMEM. */
int cli_json_put_string(eddy_buf *out, const uint8_t *s, size_t len);

/* Append the compact JSON text of 'v' (any JSON value). Numbers with a fraction are written
 * with the fewest digits that read back as the same double (1.1, not 1.1000000000000001).
 * Returns 0 or EDDY_ENOMEM. */
int cli_json_put_compact(eddy_buf *out, const json_t *v);

/* Append a record's key or value as it appears in `consume --json`: null for a null field
 * (len < 0); the JSON itself when the bytes are a valid JSON object or array; otherwise a
 * JSON string. Returns 0 or EDDY_ENOMEM. */
int cli_json_put_field(eddy_buf *out, const uint8_t *s, int32_t len);

/* ---------------------------------------------------------------------------------------------
 * Sub-commands
 * ------------------------------------------------------------------------------------------- */

/* `eddy topic ...`: argv[0] is "topic". 'data_flag' is the global --data value or NULL. */
int cli_topic_main(const char *data_flag, int argc, char **argv);

/* `eddy topic produce NAME ...` and `eddy topic consume NAME ...` (argv[0] is the verb). */
int cli_topic_produce(const char *data_flag, int argc, char **argv);
int cli_topic_consume(const char *data_flag, int argc, char **argv);

/* The text of `eddy topic --help`. */
extern const char cli_topic_help[];

#endif /* EDDY_CLI_INT_H */
