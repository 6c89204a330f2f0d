/*
 * produce.c - `eddy topic produce NAME`: write stdin to a topic, one record a line.
 *
 *   eddy topic produce NAME [--json | --key-separator S] [--partition P]
 *
 * Line formats:
 *   plain            the line is the value; the key is null.
 *   --key-separator  "KEY<S>VALUE", split at the first S; a line without S has a null key.
 *   --json           {"key": K, "value": V, "timestamp": T, "partition": P,
 *                     "headers": [{"key": "h", "value": "v"}, ...]}, every field optional. A JSON
 *                    string K or V is written as its UTF-8 text, any other JSON value as its
 *                    compact JSON text, null (or a missing field) as a null key / tombstone.
 *                    Blank lines are skipped.
 * A trailing "\r" is dropped, as Kafka's console producer does. Lines have no length limit
 * other than the topic's max.message.bytes.
 *
 * Batching: records are buffered per partition and appended with broker_log_append() as one
 * batch when a partition has 1000 records or about 1 MiB (never more than max.message.bytes),
 * at the end of the input, and whenever reading stdin would block, so an interactive producer
 * sees each line written at once while a pipe of a million lines goes through in large
 * batches. The first bad line stops the command: all records of earlier lines are appended
 * first, then the error names the line (exit status 1). A kill -9 loses at most the records
 * still buffered; what was appended stays (the broker recovers the log on the next open).
 *
 * The summary ("produced N records to P partitions of 'T'") goes to stderr, so stdout stays
 * free for pipelines.
 */
#include "cli_int.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define BATCH_MAX_RECORDS 1000
#define BATCH_MAX_BYTES (1024 * 1024)
#define READ_CHUNK (1024 * 1024)

/* A buffered record: offsets into its partition's byte buffer (which may move as it grows). */
typedef struct pend_rec {
    size_t key_off, val_off, hdr_off;
    int32_t key_len, val_len;    /* -1 = null */
    uint32_t hdr_len;            /* encoded headers (count varint first); 0 = no headers */
    int64_t timestamp;
} pend_rec;

/* The records waiting to be appended to one partition. */
typedef struct part_batch {
    broker_log *log;             /* owned reference */
    eddy_buf bytes;              /* keys, values and headers of the pending records */
    pend_rec *recs;
    size_t nrecs, cap;
    size_t est;                  /* upper bound of the encoded batch size */
    bool touched;                /* something was appended to it */
} part_batch;

typedef struct producer {
    broker *b;
    const char *topic;
    int nparts;
    part_batch *parts;           /* [nparts] */
    broker_topic_config config;
    size_t batch_bytes;          /* flush a partition before its batch grows past this */
    broker_record *scratch;      /* records of the batch being appended */
    size_t scratch_cap;
    int64_t written;             /* records appended */
    eddy_err err;                /* the first append error */
} producer;

/* Where input lines come from: our own buffered reader over a file descriptor, so we know
 * when the next read would block (time to append what is buffered). */
typedef struct line_reader {
    int fd;
    char *buf;
    size_t cap, start, end;      /* unread bytes are [start, end) */
    size_t scanned;              /* [start, scanned) holds no newline */
    bool eof;
    int64_t lineno;              /* of the line last returned, 1-based */
} line_reader;

/* ---------------------------------------------------------------------------------------------
 * Batches
 * ------------------------------------------------------------------------------------------- */

/* Append partition 'i''s pending records as one batch. Returns 0 or a broker error (kept in
 * p->err). */
static int flush_part(producer *p, int i)
{
    part_batch *pb = &p->parts[i];
    if (pb->nrecs == 0)
        return 0;
    if (pb->nrecs > p->scratch_cap) {
        broker_record *s = eddy_realloc(p->scratch, pb->nrecs * sizeof *s);
        if (!s)
            return eddy_err_set(&p->err, EDDY_ENOMEM, "out of memory");
        p->scratch = s;
        p->scratch_cap = pb->nrecs;
    }
    const uint8_t *base = pb->bytes.data;
    for (size_t j = 0; j < pb->nrecs; j++) {
        const pend_rec *pr = &pb->recs[j];
        broker_record *r = &p->scratch[j];
        memset(r, 0, sizeof *r);
        r->key = pr->key_len >= 0 ? base + pr->key_off : NULL;
        r->key_len = pr->key_len;
        r->value = pr->val_len >= 0 ? base + pr->val_off : NULL;
        r->value_len = pr->val_len;
        r->timestamp = pr->timestamp;
        if (pr->hdr_len) {
            r->raw_headers = base + pr->hdr_off;
            r->raw_end = base + pr->hdr_off + pr->hdr_len;
        }
    }
    broker_append_info info;
    int rc = broker_log_append(pb->log, p->scratch, pb->nrecs, &info, &p->err);
    if (rc != 0)
        return rc;
    p->written += (int64_t)pb->nrecs;
    pb->touched = true;
    pb->nrecs = 0;
    pb->bytes.len = 0;
    pb->est = BROKER_BATCH_HEADER_SIZE;
    return 0;
}

/* Append every partition's pending records. */
static int flush_all(producer *p)
{
    for (int i = 0; i < p->nparts; i++) {
        int rc = flush_part(p, i);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* Bytes of a record in a batch, as Kafka's DefaultRecord encodes it, with the timestamp and
 * offset deltas given. */
static size_t record_size(int64_t ts_delta, int32_t off_delta, int32_t klen, int32_t vlen,
                          uint32_t hlen)
{
    size_t body = 1 + eddy_varlong_size(ts_delta) + eddy_varlong_size(off_delta) +
                  eddy_varlong_size(klen) + (klen > 0 ? (size_t)klen : 0) +
                  eddy_varlong_size(vlen) + (vlen > 0 ? (size_t)vlen : 0) +
                  (hlen ? hlen : 1);
    return eddy_varlong_size((int64_t)body) + body;
}

/* Buffer one record for partition 'part' (copying its bytes), appending the partition's
 * batch first when it is full. Returns 0, a broker error (p->err), or 1 when the record
 * alone is larger than max.message.bytes (nothing printed yet). */
static int add_record(producer *p, int32_t part, const uint8_t *key, int32_t klen,
                      const uint8_t *val, int32_t vlen, const uint8_t *hdrs, uint32_t hlen,
                      int64_t ts)
{
    part_batch *pb = &p->parts[part];
    size_t alone = BROKER_BATCH_HEADER_SIZE + record_size(0, 0, klen, vlen, hlen);
    if (alone > (size_t)p->config.max_message_bytes)
        return 1;
    /* Upper bound: timestamp deltas up to 10 bytes, offset deltas up to 5. */
    size_t bound = record_size(INT64_MAX, INT32_MAX, klen, vlen, hlen);
    if (pb->nrecs > 0 && (pb->nrecs >= BATCH_MAX_RECORDS || pb->est + bound > p->batch_bytes)) {
        int rc = flush_part(p, part);
        if (rc != 0)
            return rc;
    }
    if (pb->nrecs == pb->cap) {
        size_t cap = pb->cap ? pb->cap * 2 : 64;
        pend_rec *recs = eddy_realloc(pb->recs, cap * sizeof *recs);
        if (!recs)
            return eddy_err_set(&p->err, EDDY_ENOMEM, "out of memory");
        pb->recs = recs;
        pb->cap = cap;
    }
    size_t need = (klen > 0 ? (size_t)klen : 0) + (vlen > 0 ? (size_t)vlen : 0) + hlen;
    if (eddy_buf_reserve(&pb->bytes, need) != 0)
        return eddy_err_set(&p->err, EDDY_ENOMEM, "out of memory");
    pend_rec *pr = &pb->recs[pb->nrecs++];
    pr->key_len = klen;
    pr->val_len = vlen;
    pr->hdr_len = hlen;
    pr->timestamp = ts;
    pr->key_off = pb->bytes.len;
    if (klen > 0)
        eddy_buf_append(&pb->bytes, key, (size_t)klen);
    pr->val_off = pb->bytes.len;
    if (vlen > 0)
        eddy_buf_append(&pb->bytes, val, (size_t)vlen);
    pr->hdr_off = pb->bytes.len;
    if (hlen)
        eddy_buf_append(&pb->bytes, hdrs, hlen);
    pb->est += bound;
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Input lines
 * ------------------------------------------------------------------------------------------- */

/* Next line of input without its "\n" (or "\r\n"). Returns 1 with *line and *len set (valid
 * until the next call), 0 at the end of the input, -1 on a read error (errno set), or -2 when
 * appending the buffered records (because the next read would block) failed. */
static int read_line(line_reader *r, producer *p, char **line, size_t *len)
{
    for (;;) {
        char *nl = memchr(r->buf + r->scanned, '\n', r->end - r->scanned);
        if (nl || (r->eof && r->start < r->end)) {
            size_t stop = nl ? (size_t)(nl - r->buf) : r->end;
            *line = r->buf + r->start;
            *len = stop - r->start;
            if (*len > 0 && (*line)[*len - 1] == '\r')
                (*len)--;
            r->start = r->scanned = nl ? stop + 1 : stop;
            r->lineno++;
            return 1;
        }
        r->scanned = r->end;
        if (r->eof)
            return 0;
        if (r->start > 0) {
            memmove(r->buf, r->buf + r->start, r->end - r->start);
            r->end -= r->start;
            r->scanned -= r->start;
            r->start = 0;
        }
        if (r->cap - r->end < READ_CHUNK / 4) {
            char *nb = eddy_realloc(r->buf, r->cap * 2);
            if (!nb) {
                errno = ENOMEM;
                return -1;
            }
            r->buf = nb;
            r->cap *= 2;
        }
        struct pollfd pfd = {.fd = r->fd, .events = POLLIN};
        if (poll(&pfd, 1, 0) == 0 && flush_all(p) != 0)
            return -2;
        ssize_t n = read(r->fd, r->buf + r->end, r->cap - r->end);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (n == 0)
            r->eof = true;
        r->end += (size_t)n;
    }
}

/* ---------------------------------------------------------------------------------------------
 * --json lines
 * ------------------------------------------------------------------------------------------- */

/* The bytes of a key, value or header value: a string's text, null as length -1, anything
 * else as compact JSON appended to 'tmp' (*off is where). Returns 0 or EDDY_ENOMEM. */
static int json_field_bytes(const json_t *v, eddy_buf *tmp, const uint8_t **ptr, size_t *off,
                            int32_t *len)
{
    *ptr = NULL;
    *off = (size_t)-1;
    if (!v || json_is_null(v)) {
        *len = -1;
    } else if (json_is_string(v)) {
        *ptr = (const uint8_t *)json_string_value(v);
        *len = (int32_t)json_string_length(v);
    } else {
        *off = tmp->len;
        if (cli_json_put_compact(tmp, v) != 0)
            return EDDY_ENOMEM;
        *len = (int32_t)(tmp->len - *off);
    }
    return 0;
}

/* A decoded --json line, ready for add_record(). Pointers are borrowed from the json_t and
 * from the two scratch buffers. */
typedef struct json_rec {
    const uint8_t *key, *val, *hdrs;
    int32_t key_len, val_len;
    uint32_t hdr_len;
    int64_t timestamp;           /* -1 = now */
    int32_t partition;           /* -1 = by key */
} json_rec;

/* Encode the "headers" array of a --json line in Kafka's record format (count varint, then
 * key length, key, value length, value for each) into 'hdr'. Writes a message into 'why' and
 * returns 1 when the field is malformed; EDDY_ENOMEM on allocation failure. */
static int json_headers(const json_t *hs, eddy_buf *hdr, eddy_buf *tmp, char *why,
                        size_t whylen)
{
    uint8_t vb[EDDY_VARLONG_MAX];
    if (!json_is_array(hs)) {
        snprintf(why, whylen, "\"headers\" must be an array of {\"key\", \"value\"} objects");
        return 1;
    }
    if (json_array_size(hs) == 0)
        return 0;
    if (eddy_buf_append(hdr, vb, eddy_varint_put(vb, (int32_t)json_array_size(hs))) != 0)
        return EDDY_ENOMEM;
    size_t i;
    json_t *h;
    json_array_foreach((json_t *)hs, i, h) {
        json_t *k = json_object_get(h, "key");
        json_t *v = json_object_get(h, "value");
        if (!json_is_object(h) || !json_is_string(k) ||
            json_object_size(h) != (size_t)(v ? 2 : 1)) {
            snprintf(why, whylen,
                     "header %zu must be an object with a string \"key\" and a \"value\"",
                     i + 1);
            return 1;
        }
        size_t klen = json_string_length(k);
        if (eddy_buf_append(hdr, vb, eddy_varint_put(vb, (int32_t)klen)) != 0 ||
            eddy_buf_append(hdr, json_string_value(k), klen) != 0)
            return EDDY_ENOMEM;
        const uint8_t *ptr;
        size_t off;
        int32_t vlen;
        tmp->len = 0;
        if (json_field_bytes(v, tmp, &ptr, &off, &vlen) != 0)
            return EDDY_ENOMEM;
        if (off != (size_t)-1)
            ptr = tmp->data + off;
        if (eddy_buf_append(hdr, vb, eddy_varint_put(vb, vlen)) != 0 ||
            (vlen > 0 && eddy_buf_append(hdr, ptr, (size_t)vlen) != 0))
            return EDDY_ENOMEM;
    }
    return 0;
}

/* Decode one --json line into 'jr'. '*doc' receives the parsed document (caller decrefs).
 * Returns 0; 1 with a message in 'why' for a bad line; 2 for a blank line; EDDY_ENOMEM. */
static int json_line(const char *line, size_t len, int nparts, json_t **doc, json_rec *jr,
                     eddy_buf *tmp, eddy_buf *hdr, char *why, size_t whylen)
{
    size_t k = 0;
    while (k < len && (line[k] == ' ' || line[k] == '\t' || line[k] == '\r'))
        k++;
    if (k == len)
        return 2;
    json_error_t jerr;
    json_t *o = json_loadb(line, len, JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, &jerr);
    *doc = o;
    if (!o) {
        snprintf(why, whylen, "invalid JSON at column %d: %s", jerr.column, jerr.text);
        return 1;
    }
    if (!json_is_object(o)) {
        snprintf(why, whylen, "expected a JSON object");
        return 1;
    }
    const char *name;
    json_t *v;
    json_object_foreach(o, name, v) {
        if (strcmp(name, "key") && strcmp(name, "value") && strcmp(name, "timestamp") &&
            strcmp(name, "partition") && strcmp(name, "headers")) {
            snprintf(why, whylen, "unknown field \"%.60s\" (expected key, value, timestamp, "
                     "partition, headers)", name);
            return 1;
        }
    }
    jr->timestamp = -1;
    jr->partition = -1;
    v = json_object_get(o, "timestamp");
    if (v && !json_is_null(v)) {
        if (!json_is_integer(v) || json_integer_value(v) < 0) {
            snprintf(why, whylen, "\"timestamp\" must be an integer >= 0 (ms since the epoch)");
            return 1;
        }
        jr->timestamp = json_integer_value(v);
    }
    v = json_object_get(o, "partition");
    if (v && !json_is_null(v)) {
        if (!json_is_integer(v) || json_integer_value(v) < 0 ||
            json_integer_value(v) >= nparts) {
            snprintf(why, whylen, "\"partition\" must be an integer from 0 to %d", nparts - 1);
            return 1;
        }
        jr->partition = (int32_t)json_integer_value(v);
    }
    hdr->len = 0;
    jr->hdrs = NULL;
    jr->hdr_len = 0;
    v = json_object_get(o, "headers");
    if (v && !json_is_null(v)) {
        int rc = json_headers(v, hdr, tmp, why, whylen);
        if (rc != 0)
            return rc;
        jr->hdrs = hdr->data;
        jr->hdr_len = (uint32_t)hdr->len;
    }
    /* Key and value last: both may live in 'tmp', whose data may move while it grows. */
    tmp->len = 0;
    size_t koff, voff;
    if (json_field_bytes(json_object_get(o, "key"), tmp, &jr->key, &koff, &jr->key_len) != 0 ||
        json_field_bytes(json_object_get(o, "value"), tmp, &jr->val, &voff, &jr->val_len) != 0)
        return EDDY_ENOMEM;
    if (koff != (size_t)-1)
        jr->key = tmp->data + koff;
    if (voff != (size_t)-1)
        jr->val = tmp->data + voff;
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * The command
 * ------------------------------------------------------------------------------------------- */

enum { OPT_HELP = 1, OPT_DATA, OPT_JSON, OPT_KEYSEP, OPT_PARTITION };

typedef struct produce_args {
    const char *data_flag;
    const char *topic;
    bool json;
    const char *key_sep;         /* NULL = no keys */
    int64_t partition;           /* -1 = by key / round-robin */
} produce_args;

/* Parse the command line into 'pa'. Returns 0, or an exit status when the command is done
 * (help printed: -1 mapped to 0 by the caller) or wrong. */
static int parse_args(int argc, char **argv, produce_args *pa)
{
    static const cli_opt opts[] = {
        {"help", false, OPT_HELP},
        {"data", true, OPT_DATA},
        {"json", false, OPT_JSON},
        {"key-separator", true, OPT_KEYSEP},
        {"partition", true, OPT_PARTITION},
        {NULL, false, 0},
    };
    cli_args a;
    cli_args_init(&a, argc - 1, argv + 1, "topic produce");
    for (;;) {
        const char *value;
        int id = cli_args_next(&a, opts, &value);
        switch (id) {
        case CLI_ARG_END:
            if (!pa->topic)
                return cli_usage("topic produce: missing topic name (see 'eddy topic --help')");
            if (pa->json && pa->key_sep)
                return cli_usage("topic produce: --json and --key-separator do not go together");
            return 0;
        case CLI_ARG_BAD:
            return CLI_EXIT_USAGE;
        case CLI_ARG_POSITIONAL:
            if (pa->topic)
                return cli_usage("topic produce: unexpected argument '%s'", value);
            pa->topic = value;
            break;
        case OPT_HELP:
            fputs(cli_topic_help, stdout);
            return -1;
        case OPT_DATA:
            pa->data_flag = value;
            break;
        case OPT_JSON:
            pa->json = true;
            break;
        case OPT_KEYSEP:
            if (!value[0])
                return cli_usage("--key-separator: must not be empty");
            pa->key_sep = value;
            break;
        case OPT_PARTITION:
            if (cli_parse_int64("partition", value, 0, INT32_MAX, &pa->partition) != 0)
                return CLI_EXIT_USAGE;
            break;
        }
    }
}

/* Open the topic's partitions and read its config. Returns 0 or an exit status (printed). */
static int producer_open(producer *p, const produce_args *pa)
{
    int rc = cli_broker_open(cli_data_dir(pa->data_flag), false, &p->b);
    if (rc != 0)
        return rc;
    if (!p->b)
        return cli_error("topic '%s' does not exist", pa->topic);
    broker_topic_info info;
    eddy_err err;
    eddy_err_clear(&err);
    rc = broker_topic_describe(p->b, pa->topic, &info, &err);
    if (rc == EDDY_ENOTFOUND)
        return cli_error("topic '%s' does not exist", pa->topic);
    if (rc != 0)
        return cli_broker_error(&err);
    p->nparts = info.partitions;
    p->config = info.config;
    broker_topic_info_free(&info);
    if (pa->partition >= p->nparts)
        return cli_error("partition %lld does not exist: topic '%s' has %d partition%s",
                         (long long)pa->partition, pa->topic, p->nparts,
                         p->nparts == 1 ? "" : "s");
    p->batch_bytes = (size_t)EDDY_MIN((int64_t)BATCH_MAX_BYTES, p->config.max_message_bytes);
    p->parts = eddy_calloc((size_t)p->nparts, sizeof *p->parts);
    if (!p->parts)
        return cli_error("out of memory");
    for (int i = 0; i < p->nparts; i++) {
        eddy_buf_init(&p->parts[i].bytes);
        p->parts[i].est = BROKER_BATCH_HEADER_SIZE;
        if (broker_log_get(p->b, pa->topic, i, &p->parts[i].log, &err) != 0)
            return cli_broker_error(&err);
    }
    return 0;
}

/* Release everything the producer holds (records not yet appended are dropped). */
static void producer_close(producer *p)
{
    for (int i = 0; p->parts && i < p->nparts; i++) {
        if (p->parts[i].log)
            broker_log_release(p->parts[i].log);
        eddy_buf_free(&p->parts[i].bytes);
        eddy_free(p->parts[i].recs);
    }
    eddy_free(p->parts);
    eddy_free(p->scratch);
    broker_close(p->b);
}

/* Read every line and buffer it as a record. Returns 0 at the end of the input, or an exit
 * status after printing the error (records of earlier lines are appended first). */
static int produce_lines(producer *p, const produce_args *pa, line_reader *lr)
{
    bool compacted = (p->config.cleanup_policy & BROKER_CLEANUP_COMPACT) != 0;
    size_t seplen = pa->key_sep ? strlen(pa->key_sep) : 0;
    eddy_buf tmp, hdr;
    eddy_buf_init(&tmp);
    eddy_buf_init(&hdr);
    char why[300] = "";
    int status = 0;
    for (;;) {
        char *line;
        size_t len;
        int rc = read_line(lr, p, &line, &len);
        if (rc == 0)
            break;
        if (rc == -1) {
            status = cli_error("cannot read stdin: %s", strerror(errno));
            break;
        }
        if (rc == -2) {
            status = cli_broker_error(&p->err);
            break;
        }
        json_t *doc = NULL;
        json_rec jr = {.partition = -1, .timestamp = -1};
        if (pa->json) {
            rc = json_line(line, len, p->nparts, &doc, &jr, &tmp, &hdr, why, sizeof why);
            if (rc == 2) {
                json_decref(doc);
                continue;
            }
            if (rc == EDDY_ENOMEM) {
                json_decref(doc);
                status = cli_error("out of memory");
                break;
            }
        } else {
            rc = 0;
            jr.key_len = -1;
            jr.val = (const uint8_t *)line;
            jr.val_len = (int32_t)len;
            if (seplen) {
                char *sep = memmem(line, len, pa->key_sep, seplen);
                if (sep) {
                    jr.key = (const uint8_t *)line;
                    jr.key_len = (int32_t)(sep - line);
                    jr.val = (const uint8_t *)sep + seplen;
                    jr.val_len = (int32_t)(len - (size_t)(sep - line) - seplen);
                }
            }
            if (len > INT32_MAX) {
                rc = 1;
                snprintf(why, sizeof why, "line is too long");
            }
        }
        if (rc == 0 && compacted && jr.key_len < 0) {
            rc = 1;
            snprintf(why, sizeof why, "topic '%s' is compacted: every record needs a key",
                     pa->topic);
        }
        if (rc == 0) {
            int32_t part = pa->partition >= 0 ? (int32_t)pa->partition : jr.partition;
            if (part < 0)
                part = broker_partition_for(p->b, pa->topic, jr.key, jr.key_len, p->nparts);
            int64_t ts = jr.timestamp >= 0 ? jr.timestamp : eddy_now_ms();
            rc = add_record(p, part, jr.key, jr.key_len, jr.val, jr.val_len, jr.hdrs,
                            jr.hdr_len, ts);
            if (rc == 1)
                snprintf(why, sizeof why, "record is larger than the topic's "
                         "max.message.bytes (%lld)", (long long)p->config.max_message_bytes);
        }
        json_decref(doc);
        if (rc < 0) {
            status = cli_broker_error(&p->err);
            break;
        }
        if (rc > 0) {
            /* A bad line: keep every earlier record, then name the line. */
            if (flush_all(p) != 0)
                status = cli_broker_error(&p->err);
            else
                status = cli_error("line %lld: %s", (long long)lr->lineno, why);
            break;
        }
    }
    eddy_buf_free(&tmp);
    eddy_buf_free(&hdr);
    return status;
}

int cli_topic_produce(const char *data_flag, int argc, char **argv)
{
    produce_args pa = {.data_flag = data_flag, .partition = -1};
    int rc = parse_args(argc, argv, &pa);
    if (rc != 0)
        return rc < 0 ? CLI_EXIT_OK : rc;
    producer p;
    memset(&p, 0, sizeof p);
    p.topic = pa.topic;
    eddy_err_clear(&p.err);
    line_reader lr = {.fd = STDIN_FILENO, .cap = READ_CHUNK};
    lr.buf = eddy_malloc(lr.cap);
    if (!lr.buf)
        return cli_error("out of memory");
    rc = producer_open(&p, &pa);
    if (rc == 0)
        rc = produce_lines(&p, &pa, &lr);
    if (rc == 0 && flush_all(&p) != 0)
        rc = cli_broker_error(&p.err);
    if (rc == 0) {
        int touched = 0;
        for (int i = 0; i < p.nparts; i++)
            touched += p.parts[i].touched;
        fprintf(stderr, "produced %lld record%s to %d partition%s of '%s'\n",
                (long long)p.written, p.written == 1 ? "" : "s", touched,
                touched == 1 ? "" : "s", pa.topic);
    }
    producer_close(&p);
    eddy_free(lr.buf);
    return rc;
}
