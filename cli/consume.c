/*
 * consume.c - `eddy topic consume NAME`: print a topic's records, one a line.
 *
 *   eddy topic consume NAME [--from-beginning | --offset N|earliest|latest] [--partition P]
 *                      [--max-messages N] [--timeout-ms MS] [--group G]
 *                      [--json | --print-key [--key-separator S]]
 *
 * Reading: each partition is read with broker_log_fetch() (a zero-copy view of whole record
 * batches, up to 1 MiB) and broker_iter_next(); output is formatted straight from the fetched
 * bytes into a 1 MiB buffer written with write(2). Partitions are visited round-robin, one
 * fetch each, so one busy partition cannot starve the others.
 *
 * Waiting: when a full round finds nothing, the output is flushed and the consumer blocks in
 * broker_log_wait(). With one partition it waits on that partition; with several it waits on
 * each in turn for a short slice (about 200 ms for a whole round, never below 5 ms a
 * partition), which bounds the latency without a thread per partition and never spins.
 * --timeout-ms MS ends the command once MS ms pass with no new record; without it the
 * command follows the topic until SIGINT/SIGTERM (as kafka-console-consumer does).
 *
 * Start position per partition: the group's committed offset (--group), else
 * --from-beginning (log start), --offset N, or the log end. Positions outside the log are
 * moved to its nearest end. With --group the next offsets to read are committed every
 * 5 seconds and when the command ends (also after SIGINT, SIGTERM or a closed pipe).
 *
 * Output: plain prints the value ("null" for a tombstone); --print-key prints
 * "KEY<TAB>VALUE". --json prints {"topic","partition","offset","timestamp","key","value",
 * "headers"}: key and value are the parsed JSON when their bytes are a JSON object or array,
 * otherwise JSON strings; header values are always strings (or null).
 */
#include "cli_int.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define FETCH_BYTES (1024 * 1024)
#define OUT_FLUSH_AT (1024 * 1024)
#define COMMIT_INTERVAL_MS 5000
#define WAIT_ROUND_MS 200          /* one round of short waits over all partitions */
#define WAIT_SLICE_MIN_MS 5
#define WAIT_SLICE_MAX_MS 50
#define WAIT_ONE_MS 500            /* a wait on a single partition, between checks */

static volatile sig_atomic_t stop_requested;

/* SIGINT/SIGTERM: finish the current fetch, flush, commit, exit 0. A second signal kills. */
static void on_stop_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* One partition being read. */
typedef struct cpart {
    int32_t partition;
    broker_log *log;             /* owned reference */
    int64_t pos;                 /* next offset to read */
    int64_t committed;           /* last offset committed for the group; -1 = none */
} cpart;

enum { START_END, START_BEGINNING, START_OFFSET };

typedef struct consume_args {
    const char *data_flag;
    const char *topic;
    int start;                   /* START_* */
    int64_t offset;              /* for START_OFFSET */
    int64_t partition;           /* -1 = all */
    int64_t max_messages;        /* -1 = no limit */
    int64_t timeout_ms;          /* -1 = follow forever */
    const char *group;
    bool json, print_key;
    const char *key_sep;
} consume_args;

typedef struct consumer {
    broker *b;
    const consume_args *args;
    cpart *parts;
    int nparts;
    cli_out out;
    int64_t count;               /* records printed */
    size_t seplen;
    broker_header *hdrs;         /* scratch for decoding headers */
    int hdr_cap;
    eddy_buf prefix;             /* {"topic":"<name>","partition": for --json */
    eddy_err err;
} consumer;

/* ---------------------------------------------------------------------------------------------
 * Output
 * ------------------------------------------------------------------------------------------- */

/* Append the decimal text of 'v'. */
static int put_i64(eddy_buf *b, int64_t v)
{
    char tmp[24];
    char *p = tmp + sizeof tmp;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    return eddy_buf_append(b, p, (size_t)(tmp + sizeof tmp - p));
}

/* Append a key or value as plain text ("null" for null). */
static int put_plain(eddy_buf *b, const uint8_t *s, int32_t len)
{
    if (len < 0)
        return eddy_buf_append(b, "null", 4);
    return eddy_buf_append(b, s, (size_t)len);
}

/* Append one --json line for record 'r' of partition 'part'. */
static int put_json_record(consumer *c, int32_t part, const broker_record *r)
{
    eddy_buf *b = &c->out.buf;
    int n = broker_record_headers(r, c->hdrs, c->hdr_cap);
    if (n > c->hdr_cap) {
        broker_header *h = eddy_realloc(c->hdrs, (size_t)n * sizeof *h);
        if (!h)
            return EDDY_ENOMEM;
        c->hdrs = h;
        c->hdr_cap = n;
        n = broker_record_headers(r, c->hdrs, c->hdr_cap);
    }
    if (n < 0)
        return eddy_err_set(&c->err, EDDY_ECORRUPT,
                            "corrupt record headers in partition %d at offset %lld",
                            (int)part, (long long)r->offset);
    int rc = eddy_buf_append(b, c->prefix.data, c->prefix.len);
    rc |= put_i64(b, part);
    rc |= eddy_buf_append(b, ",\"offset\":", 10);
    rc |= put_i64(b, r->offset);
    rc |= eddy_buf_append(b, ",\"timestamp\":", 13);
    rc |= put_i64(b, r->timestamp);
    rc |= eddy_buf_append(b, ",\"key\":", 7);
    rc |= cli_json_put_field(b, r->key, r->key_len);
    rc |= eddy_buf_append(b, ",\"value\":", 9);
    rc |= cli_json_put_field(b, r->value, r->value_len);
    rc |= eddy_buf_append(b, ",\"headers\":[", 12);
    for (int i = 0; i < n; i++) {
        const broker_header *h = &c->hdrs[i];
        rc |= eddy_buf_append(b, i ? ",{\"key\":" : "{\"key\":", i ? 8 : 7);
        rc |= cli_json_put_string(b, (const uint8_t *)h->key, (size_t)h->key_len);
        rc |= eddy_buf_append(b, ",\"value\":", 9);
        if (h->value_len < 0)
            rc |= eddy_buf_append(b, "null", 4);
        else
            rc |= cli_json_put_string(b, h->value, (size_t)h->value_len);
        rc |= eddy_buf_append(b, "}", 1);
    }
    rc |= eddy_buf_append(b, "]}\n", 3);
    return rc ? EDDY_ENOMEM : 0;
}

/* Append the output line for one record. */
static int put_record(consumer *c, int32_t part, const broker_record *r)
{
    if (c->args->json)
        return put_json_record(c, part, r);
    eddy_buf *b = &c->out.buf;
    int rc = 0;
    if (c->args->print_key) {
        rc |= put_plain(b, r->key, r->key_len);
        rc |= eddy_buf_append(b, c->args->key_sep, c->seplen);
    }
    rc |= put_plain(b, r->value, r->value_len);
    rc |= eddy_buf_append(b, "\n", 1);
    return rc ? EDDY_ENOMEM : 0;
}

/* ---------------------------------------------------------------------------------------------
 * Reading
 * ------------------------------------------------------------------------------------------- */

/* Whether --max-messages is reached. */
static bool done_counting(const consumer *c)
{
    return c->args->max_messages >= 0 && c->count >= c->args->max_messages;
}

/* One fetch from partition 'cp': print its records and advance the position. Sets *got to
 * the number printed. Returns 0, or a negative error (c->err, or c->out.err for output). */
static int poll_part(consumer *c, cpart *cp, int64_t *got)
{
    *got = 0;
    broker_fetch_result res;
    int rc = broker_log_fetch(cp->log, cp->pos, FETCH_BYTES, &res, &c->err);
    if (rc == EDDY_ERANGE) {
        /* Retention removed what we were about to read, or the log is shorter than a
         * committed offset: move to the nearest end and try again. */
        int64_t start = broker_log_start_offset(cp->log);
        int64_t end = broker_log_end_offset(cp->log);
        cp->pos = cp->pos < start ? start : EDDY_MIN(cp->pos, end);
        eddy_err_clear(&c->err);
        rc = broker_log_fetch(cp->log, cp->pos, FETCH_BYTES, &res, &c->err);
    }
    if (rc != 0)
        return rc;
    if (res.len == 0) {
        broker_fetch_release(&res);
        return 0;
    }
    int64_t before = cp->pos;
    broker_iter it;
    broker_record r;
    broker_iter_init(&it, res.data, res.len, cp->pos);
    while (!done_counting(c) && (rc = broker_iter_next(&it, &r, &c->err)) == 1) {
        if (put_record(c, cp->partition, &r) != 0) {
            rc = c->err.code ? c->err.code : eddy_err_set(&c->err, EDDY_ENOMEM, "out of memory");
            break;
        }
        cp->pos = r.offset + 1;
        c->count++;
        (*got)++;
        if (cli_out_maybe_flush(&c->out) != 0) {
            rc = EDDY_EIO;
            break;
        }
    }
    if (rc == 0 && !done_counting(c) && res.next_offset > cp->pos)
        cp->pos = res.next_offset;   /* past gaps left by compaction */
    broker_fetch_release(&res);
    if (rc < 0)
        return rc;
    if (cp->pos == before && !done_counting(c))
        return eddy_err_set(&c->err, EDDY_ECORRUPT,
                            "partition %d: no progress reading at offset %lld",
                            (int)cp->partition, (long long)before);
    return 0;
}

/* Commit every partition's position that changed since the last commit. */
static int commit_offsets(consumer *c)
{
    if (!c->args->group)
        return 0;
    for (int i = 0; i < c->nparts; i++) {
        cpart *cp = &c->parts[i];
        if (cp->pos == cp->committed)
            continue;
        int rc = broker_group_commit(c->b, c->args->group, c->args->topic, cp->partition,
                                     cp->pos, "", &c->err);
        if (rc != 0)
            return rc;
        cp->committed = cp->pos;
    }
    return 0;
}

/* Block until some partition may have new data, 'budget_ms' passes, or a signal asks us to
 * stop. Returns 0, or a negative error (EDDY_ECLOSED: the topic was deleted). */
static int wait_for_data(consumer *c, int64_t budget_ms, int *rr)
{
    if (c->nparts == 1) {
        int w = broker_log_wait(c->parts[0].log, c->parts[0].pos,
                                (int)EDDY_MIN(budget_ms, WAIT_ONE_MS));
        return w < 0 ? w : 0;
    }
    int slice = WAIT_ROUND_MS / c->nparts;
    slice = EDDY_MAX(WAIT_SLICE_MIN_MS, EDDY_MIN(WAIT_SLICE_MAX_MS, slice));
    int64_t deadline = eddy_monotonic_ms() + budget_ms;
    for (int k = 0; k < c->nparts && !stop_requested; k++) {
        int64_t left = deadline - eddy_monotonic_ms();
        if (left <= 0)
            break;
        cpart *cp = &c->parts[(*rr + k) % c->nparts];
        int w = broker_log_wait(cp->log, cp->pos, (int)EDDY_MIN(left, slice));
        if (w < 0)
            return w;
        if (w == 1)
            break;
    }
    *rr = (*rr + 1) % c->nparts;
    return 0;
}

/* The read loop: returns 0 when done (timeout, --max-messages, signal, closed pipe) or a
 * negative error. */
static int consume_loop(consumer *c)
{
    const consume_args *ca = c->args;
    int64_t last_data = eddy_monotonic_ms();
    int64_t last_commit = last_data;
    int rr = 0;
    while (!stop_requested && !done_counting(c)) {
        int64_t round = 0;
        for (int k = 0; k < c->nparts && !done_counting(c); k++) {
            int64_t got;
            int rc = poll_part(c, &c->parts[(rr + k) % c->nparts], &got);
            if (rc < 0)
                return rc;
            round += got;
        }
        rr = (rr + 1) % c->nparts;
        int64_t now = eddy_monotonic_ms();
        if (ca->group && now - last_commit >= COMMIT_INTERVAL_MS) {
            int rc = commit_offsets(c);
            if (rc != 0)
                return rc;
            last_commit = now;
        }
        if (round > 0) {
            last_data = now;
            continue;
        }
        /* Idle: show what we have, then wait. */
        if (cli_out_flush(&c->out) != 0)
            return EDDY_EIO;
        int64_t budget = WAIT_ONE_MS;
        if (ca->timeout_ms >= 0) {
            budget = ca->timeout_ms - (now - last_data);
            if (budget <= 0)
                break;
        }
        int rc = wait_for_data(c, budget, &rr);
        if (rc == EDDY_ECLOSED)
            return eddy_err_set(&c->err, rc, "topic '%s' was deleted or the broker closed",
                                ca->topic);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * The command
 * ------------------------------------------------------------------------------------------- */

enum {
    OPT_HELP = 1, OPT_DATA, OPT_FROM_BEGINNING, OPT_OFFSET, OPT_PARTITION, OPT_MAX,
    OPT_TIMEOUT, OPT_GROUP, OPT_JSON, OPT_PRINT_KEY, OPT_KEYSEP
};

/* Parse the command line into 'ca'. Returns 0, -1 after printing the help, or an exit
 * status for a usage error. */
static int parse_args(int argc, char **argv, consume_args *ca)
{
    static const cli_opt opts[] = {
        {"help", false, OPT_HELP},
        {"data", true, OPT_DATA},
        {"from-beginning", false, OPT_FROM_BEGINNING},
        {"offset", true, OPT_OFFSET},
        {"partition", true, OPT_PARTITION},
        {"max-messages", true, OPT_MAX},
        {"timeout-ms", true, OPT_TIMEOUT},
        {"group", true, OPT_GROUP},
        {"json", false, OPT_JSON},
        {"print-key", false, OPT_PRINT_KEY},
        {"key-separator", true, OPT_KEYSEP},
        {NULL, false, 0},
    };
    bool from_beginning = false, offset = false;
    cli_args a;
    cli_args_init(&a, argc - 1, argv + 1, "topic consume");
    for (;;) {
        const char *value;
        int id = cli_args_next(&a, opts, &value);
        switch (id) {
        case CLI_ARG_END:
            if (!ca->topic)
                return cli_usage("topic consume: missing topic name (see 'eddy topic --help')");
            if (from_beginning && offset)
                return cli_usage("topic consume: --from-beginning and --offset do not go "
                                 "together");
            if (ca->json && ca->print_key)
                return cli_usage("topic consume: --json already shows the key; drop "
                                 "--print-key");
            if (from_beginning)
                ca->start = START_BEGINNING;
            return 0;
        case CLI_ARG_BAD:
            return CLI_EXIT_USAGE;
        case CLI_ARG_POSITIONAL:
            if (ca->topic)
                return cli_usage("topic consume: unexpected argument '%s'", value);
            ca->topic = value;
            break;
        case OPT_HELP:
            fputs(cli_topic_help, stdout);
            return -1;
        case OPT_DATA:
            ca->data_flag = value;
            break;
        case OPT_FROM_BEGINNING:
            from_beginning = true;
            break;
        case OPT_OFFSET:
            offset = true;
            if (strcmp(value, "earliest") == 0) {
                ca->start = START_BEGINNING;
            } else if (strcmp(value, "latest") == 0) {
                ca->start = START_END;
            } else {
                ca->start = START_OFFSET;
                if (cli_parse_int64("offset", value, 0, INT64_MAX, &ca->offset) != 0)
                    return CLI_EXIT_USAGE;
            }
            break;
        case OPT_PARTITION:
            if (cli_parse_int64("partition", value, 0, INT32_MAX, &ca->partition) != 0)
                return CLI_EXIT_USAGE;
            break;
        case OPT_MAX:
            if (cli_parse_int64("max-messages", value, 0, INT64_MAX, &ca->max_messages) != 0)
                return CLI_EXIT_USAGE;
            break;
        case OPT_TIMEOUT:
            if (cli_parse_int64("timeout-ms", value, 0, INT32_MAX, &ca->timeout_ms) != 0)
                return CLI_EXIT_USAGE;
            break;
        case OPT_GROUP:
            if (!value[0])
                return cli_usage("--group: must not be empty");
            ca->group = value;
            break;
        case OPT_JSON:
            ca->json = true;
            break;
        case OPT_PRINT_KEY:
            ca->print_key = true;
            break;
        case OPT_KEYSEP:
            ca->key_sep = value;
            break;
        }
    }
}

/* Open the partitions to read and choose where each starts. Returns 0 or an exit status
 * (printed). */
static int consumer_open(consumer *c)
{
    const consume_args *ca = c->args;
    int rc = cli_broker_open(cli_data_dir(ca->data_flag), false, &c->b);
    if (rc != 0)
        return rc;
    if (!c->b)
        return cli_error("topic '%s' does not exist", ca->topic);
    int n = broker_topic_partitions(c->b, ca->topic, &c->err);
    if (n == EDDY_ENOTFOUND)
        return cli_error("topic '%s' does not exist", ca->topic);
    if (n < 0)
        return cli_broker_error(&c->err);
    if (ca->partition >= n)
        return cli_error("partition %lld does not exist: topic '%s' has %d partition%s",
                         (long long)ca->partition, ca->topic, n, n == 1 ? "" : "s");
    c->nparts = ca->partition >= 0 ? 1 : n;
    c->parts = eddy_calloc((size_t)c->nparts, sizeof *c->parts);
    if (!c->parts)
        return cli_error("out of memory");
    for (int i = 0; i < c->nparts; i++) {
        cpart *cp = &c->parts[i];
        cp->partition = ca->partition >= 0 ? (int32_t)ca->partition : i;
        cp->committed = -1;
        if (broker_log_get(c->b, ca->topic, cp->partition, &cp->log, &c->err) != 0)
            return cli_broker_error(&c->err);
        int64_t start = broker_log_start_offset(cp->log);
        int64_t end = broker_log_end_offset(cp->log);
        int64_t pos = -1;
        if (ca->group) {
            if (broker_group_fetch(c->b, ca->group, ca->topic, cp->partition, &pos,
                                   &c->err) != 0)
                return cli_broker_error(&c->err);
            cp->committed = pos;
        }
        if (pos < 0)
            pos = ca->start == START_BEGINNING ? start
                  : ca->start == START_OFFSET  ? ca->offset
                                               : end;
        cp->pos = pos < start ? start : EDDY_MIN(pos, end);
    }
    return 0;
}

/* Release what consumer_open() took. */
static void consumer_close(consumer *c)
{
    for (int i = 0; c->parts && i < c->nparts; i++) {
        if (c->parts[i].log)
            broker_log_release(c->parts[i].log);
    }
    eddy_free(c->parts);
    eddy_free(c->hdrs);
    eddy_buf_free(&c->prefix);
    cli_out_free(&c->out);
    broker_close(c->b);
}

int cli_topic_consume(const char *data_flag, int argc, char **argv)
{
    consume_args ca = {
        .data_flag = data_flag, .start = START_END, .partition = -1, .max_messages = -1,
        .timeout_ms = -1, .key_sep = "\t",
    };
    int rc = parse_args(argc, argv, &ca);
    if (rc != 0)
        return rc < 0 ? CLI_EXIT_OK : rc;

    consumer c;
    memset(&c, 0, sizeof c);
    c.args = &ca;
    c.seplen = strlen(ca.key_sep);
    eddy_err_clear(&c.err);
    cli_out_init(&c.out, STDOUT_FILENO, OUT_FLUSH_AT);
    eddy_buf_init(&c.prefix);
    if (eddy_buf_append(&c.prefix, "{\"topic\":", 9) != 0 ||
        cli_json_put_string(&c.prefix, (const uint8_t *)ca.topic, strlen(ca.topic)) != 0 ||
        eddy_buf_append(&c.prefix, ",\"partition\":", 13) != 0) {
        consumer_close(&c);
        return cli_error("out of memory");
    }
    if (!broker_topic_name_valid(ca.topic)) {
        consumer_close(&c);
        return cli_error("topic '%s' does not exist", ca.topic);
    }
    rc = consumer_open(&c);
    if (rc != 0) {
        consumer_close(&c);
        return rc;
    }

    /* Stop cleanly on SIGINT/SIGTERM: flush, commit, close. A second signal kills. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sa.sa_flags = (int)SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    int lrc = consume_loop(&c);
    int status = CLI_EXIT_OK;
    if (cli_out_flush(&c.out) != 0 || (lrc == EDDY_EIO && c.out.err)) {
        if (c.out.err != EPIPE)
            status = cli_error("cannot write output: %s", strerror(c.out.err));
    } else if (lrc < 0) {
        status = cli_broker_error(&c.err);
    }
    /* Commit even after an error: positions only ever cover records already formatted for
     * output (after a closed pipe, some of them may not have reached the reader). */
    if (commit_offsets(&c) != 0 && status == CLI_EXIT_OK)
        status = cli_broker_error(&c.err);
    consumer_close(&c);
    return status;
}
