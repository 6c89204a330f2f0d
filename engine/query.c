/*
 * query.c - persistent queries: one task per input partition, each a chain of operators
 * fed by decoding the records of that partition.
 *
 * A task step: fetch whole batches from the task's position (zero-copy), decode each record
 * into a source row (key columns, value columns, header columns, then the pseudo columns
 * ROWTIME, ROWPARTITION, ROWOFFSET, and WINDOWSTART, WINDOWEND when the source's keys are
 * windowed: the row then carries its window to the sink), push the rows through the
 * operators, append what the sink produced to the sink topic (one append per output
 * partition), then advance the position and commit it under the query's consumer group. A
 * record that cannot be decoded (a windowed key too short for its window, too), or whose
 * timestamp is missing or negative, is logged to the processing log and skipped (with
 * ksql.timestamp.throw.on.invalid=true a missing timestamp fails the query instead).
 * A record with a null value becomes a row flagged value_null (ksqlDB's null GenericRow),
 * one with a null key a row flagged key_null; the operators decide what that means.
 *
 * Stepped mode (eddy test) calls engine_query_run(); threaded mode runs tasks on workers.
 */
#include "engine_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void proclog(eng_query *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void proclog(eng_query *q, const char *fmt, ...)
{
    if (!q->e->opts.proclog)
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    q->e->opts.proclog(q->e->opts.proclog_ctx, q->id, msg);
}

static void op_log(void *ctx, const char *op_name, const eddy_err *err)
{
    eng_task *t = ctx;
    proclog(t->q, "%s: %s", op_name, err->msg);
}

int eng__serde_for(const plan_schema *schema, const serde_format *fmt, bool is_key,
                   serde **out, eddy_err *err)
{
    serde_column *cols = eddy_malloc(((size_t)schema->ncols + 1) * sizeof *cols);
    if (!cols)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    int n = 0;
    for (int i = 0; i < schema->ncols; i++) {
        const plan_column *c = &schema->cols[i];
        if (c->role == (is_key ? PLAN_COL_KEY : PLAN_COL_VALUE)) {
            cols[n].name = c->name;
            cols[n].type = c->type;
            cols[n].index = i;
            n++;
        }
    }
    int rc = serde_create(fmt, cols, n, is_key, out, err);
    eddy_free(cols);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* Sink output                                                                                 */

/* Called by the sink operator for each output record: copy it into the task's buffer. */
static int sink_write(void *ctx, const op_sink_record *rec, eddy_err *err)
{
    eng_task *t = ctx;
    eng_query *q = t->q;
    if (t->nout == t->out_cap) {
        size_t cap = t->out_cap ? t->out_cap * 2 : 256;
        broker_record *r = eddy_realloc(t->out_recs, cap * sizeof *r);
        if (!r)
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        t->out_recs = r;
        int32_t *p = eddy_realloc(t->out_parts, cap * sizeof *p);
        if (!p)
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        t->out_parts = p;
        t->out_cap = cap;
    }
    /* Store offsets into out_bytes now; turn them into pointers at flush (it may move). */
    broker_record *r = &t->out_recs[t->nout];
    memset(r, 0, sizeof *r);
    size_t koff = t->out_bytes.len;
    if (rec->key && eddy_buf_append(&t->out_bytes, rec->key, (size_t)rec->key_len) != 0)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    size_t voff = t->out_bytes.len;
    if (rec->value && eddy_buf_append(&t->out_bytes, rec->value, (size_t)rec->value_len) != 0)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    size_t hoff = t->out_bytes.len;
    size_t hlen = rec->headers ? (size_t)(rec->headers_end - rec->headers) : 0;
    if (hlen && eddy_buf_append(&t->out_bytes, rec->headers, hlen) != 0)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    r->key = rec->key ? (const uint8_t *)(uintptr_t)(koff + 1) : NULL;
    r->key_len = rec->key ? rec->key_len : -1;
    r->value = rec->value ? (const uint8_t *)(uintptr_t)(voff + 1) : NULL;
    r->value_len = rec->value ? rec->value_len : -1;
    r->raw_headers = hlen ? (const uint8_t *)(uintptr_t)(hoff + 1) : NULL;
    r->raw_end = hlen ? (const uint8_t *)(uintptr_t)(hoff + 1 + hlen) : NULL;
    r->timestamp = rec->timestamp;
    t->out_parts[t->nout] = broker_partition_for(q->e->b, t->out_topic, rec->key,
                                                  rec->key ? rec->key_len : -1,
                                                  t->out_nparts);
    t->nout++;
    return 0;
}

/* Append the buffered output, one batch per sink partition, in order. */
static int sink_flush(eng_task *t, eddy_err *err)
{
    if (t->nout == 0)
        return 0;
    const uint8_t *base = t->out_bytes.data;
    for (size_t i = 0; i < t->nout; i++) {
        broker_record *r = &t->out_recs[i];
        if (r->key)
            r->key = base + ((uintptr_t)r->key - 1);
        if (r->value)
            r->value = base + ((uintptr_t)r->value - 1);
        if (r->raw_headers) {
            r->raw_headers = base + ((uintptr_t)r->raw_headers - 1);
            r->raw_end = base + ((uintptr_t)r->raw_end - 1);
        } else {
            r->nheaders = 0;
        }
    }
    int rc = 0;
    if (t->out_nparts == 1) {
        rc = broker_log_append(t->out_logs[0], t->out_recs, t->nout, NULL, err);
    } else {
        /* Group per partition, keeping order within each. */
        broker_record *tmp = eddy_malloc(t->nout * sizeof *tmp);
        if (!tmp)
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        for (int p = 0; rc == 0 && p < t->out_nparts; p++) {
            size_t n = 0;
            for (size_t i = 0; i < t->nout; i++)
                if (t->out_parts[i] == p)
                    tmp[n++] = t->out_recs[i];
            if (n)
                rc = broker_log_append(t->out_logs[p], tmp, n, NULL, err);
        }
        eddy_free(tmp);
    }
    t->nout = 0;
    t->out_bytes.len = 0;
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* Decoding a record into a source row                                                         */

/* Build the HEADERS column: ARRAY<STRUCT<KEY STRING, VALUE BYTES>>. */
static int headers_array(eddy_arena *a, const broker_record *r, eddy_value *out)
{
    broker_header hs[64];
    int n = broker_record_headers(r, hs, 64);
    if (n < 0)
        return n;
    if (n > 64)
        n = 64;
    eddy_value *items = eddy_arena_alloc(a, (size_t)(n ? n : 1) * sizeof *items);
    eddy_value *fields = eddy_arena_alloc(a, (size_t)(n ? n : 1) * 2 * sizeof *fields);
    if (!items || !fields)
        return EDDY_ENOMEM;
    for (int i = 0; i < n; i++) {
        fields[2 * i] = eddy_value_string(hs[i].key, (size_t)hs[i].key_len);
        fields[2 * i + 1] = hs[i].value ? eddy_value_bytes(hs[i].value, (size_t)hs[i].value_len)
                                        : eddy_value_null(EDDY_T_BYTES);
        items[i] = eddy_value_composite(EDDY_T_STRUCT, &fields[2 * i], 2);
    }
    *out = eddy_value_composite(EDDY_T_ARRAY, items, (uint32_t)n);
    return 0;
}

/* HEADER('k'): the last header with key 'k', as BYTES. */
static void header_value(const broker_record *r, const char *key, eddy_value *out)
{
    broker_header hs[64];
    int n = broker_record_headers(r, hs, 64);
    *out = eddy_value_null(EDDY_T_BYTES);
    size_t kl = strlen(key);
    for (int i = 0; i < n && i < 64; i++)
        if ((size_t)hs[i].key_len == kl && memcmp(hs[i].key, key, kl) == 0)
            *out = hs[i].value ? eddy_value_bytes(hs[i].value, (size_t)hs[i].value_len)
                               : eddy_value_null(EDDY_T_BYTES);
}

static int64_t be64_get(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return (int64_t)v;
}

static void be64_put(uint8_t *p, int64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)((uint64_t)v >> (56 - 8 * i));
}

/* Set in the stored rowtime (never negative) when the record's raw headers follow. */
#define SRC_HEADERS_FLAG ((uint64_t)1 << 63)

/* A record of a TABLE source (ksqlDB materializes source tables): look up the key's previous
 * row in the task's source store, make 'row' a change (new row, old row) and store the new
 * row, or delete the key on a tombstone. Stored value: rowtime and offset (8 bytes big-endian
 * each), then, when the source has header columns (SRC_HEADERS_FLAG set in the rowtime), the
 * length of the record's raw headers (4 bytes big-endian) and the headers, so that the old
 * row keeps its header columns, then the record's value bytes. A record without a key cannot
 * be a table row: it is skipped (logged). Returns 1 to process the row, 0 to skip it, or an
 * error code. */
static int table_change(eng_task *t, const broker_record *r, op_row *row, eddy_err *err)
{
    eng_query *q = t->q;
    if (!r->key) {
        proclog(q, "Skipping the record at topic %s partition %d offset %lld: a table row "
                "needs a key", q->source->topic, t->partition, (long long)r->offset);
        t->skipped++;
        return 0;
    }
    const plan_step *src = &q->plan->steps[0];
    eddy_arena *a = &t->batch;
    bool want_headers = false;
    for (int i = 0; i < src->out.ncols; i++)
        want_headers = want_headers || src->out.cols[i].role == PLAN_COL_HEADER ||
                       src->out.cols[i].role == PLAN_COL_HEADERS;
    /* store key: a tag byte, then the key bytes (store keys cannot be empty) */
    uint8_t *key = eddy_arena_alloc(a, (size_t)r->key_len + 1);
    if (!key)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    key[0] = 'k';
    if (r->key_len)
        memcpy(key + 1, r->key, (size_t)r->key_len);
    size_t klen = (size_t)r->key_len + 1;
    const void *val;
    size_t vlen;
    int found = state_kv_get(t->src_store, key, klen, &val, &vlen, err);
    if (found < 0)
        return found;
    row->flags |= OP_ROW_CHANGE;
    if (found && vlen >= 16) {
        /* copy: decoded values may point into it, and the put below invalidates it */
        uint8_t *v = eddy_arena_alloc(a, vlen);
        if (!v)
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        memcpy(v, val, vlen);
        broker_record stored = {0};   /* the stored headers, for the old header columns */
        size_t voff = 16;
        if ((uint64_t)be64_get(v) & SRC_HEADERS_FLAG) {
            uint32_t hlen = vlen >= 20 ? eddy_get_be32(v + 16) : UINT32_MAX;
            if (hlen > vlen - 20)
                return eddy_err_set(err, EDDY_ECORRUPT, "bad table source state");
            if (hlen) {
                stored.raw_headers = v + 20;
                stored.raw_end = v + 20 + hlen;
            }
            voff = 20 + hlen;
        }
        eddy_value *old = eddy_arena_alloc(a, (size_t)src->out.ncols * sizeof *old);
        if (!old)
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        for (int i = 0; i < src->out.ncols; i++)
            old[i] = src->out.cols[i].role == PLAN_COL_KEY ? row->cols[i]
                                                            : eddy_value_null(
                                                                  src->out.cols[i].type->kind);
        eddy_err e = {0};
        int vrc = q->src_value ? serde_decode(q->src_value, v + voff, (int32_t)(vlen - voff),
                                              old, a, &e)
                               : 0;
        if (vrc < 0 && e.code == EDDY_ENOMEM)
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        if (vrc == 0) {
            for (int i = 0; i < src->out.ncols; i++) {
                const plan_column *c = &src->out.cols[i];
                if (c->role == PLAN_COL_HEADERS &&
                    headers_array(a, &stored, &old[i]) == EDDY_ENOMEM)
                    return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
                if (c->role == PLAN_COL_HEADER)
                    header_value(&stored, c->header_key ? c->header_key : "", &old[i]);
                if (c->role != PLAN_COL_PSEUDO)
                    continue;
                if (strcmp(c->name, "ROWTIME") == 0)
                    old[i] = eddy_value_bigint((int64_t)((uint64_t)be64_get(v) &
                                                         ~SRC_HEADERS_FLAG));
                else if (strcmp(c->name, "ROWPARTITION") == 0)
                    old[i] = eddy_value_int(t->partition);
                else if (strcmp(c->name, "ROWOFFSET") == 0)
                    old[i] = eddy_value_bigint(be64_get(v + 8));
            }
            row->old = old;
        }
    }
    if (row->value_null) {
        if (found && state_kv_delete(t->src_store, key, klen, err))
            return err->code;
        return 1;
    }
    size_t hlen = want_headers && r->raw_headers ? (size_t)(r->raw_end - r->raw_headers) : 0;
    size_t hdr = want_headers ? 4 + hlen : 0;
    size_t nlen = 16 + hdr + (r->value_len > 0 ? (size_t)r->value_len : 0);
    uint8_t *nv = eddy_arena_alloc(a, nlen);
    if (!nv)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    be64_put(nv, (int64_t)((uint64_t)row->rowtime | (want_headers ? SRC_HEADERS_FLAG : 0)));
    be64_put(nv + 8, r->offset);
    if (want_headers) {
        eddy_put_be32(nv + 16, (uint32_t)hlen);
        if (hlen)
            memcpy(nv + 20, r->raw_headers, hlen);
    }
    if (r->value_len > 0)
        memcpy(nv + 16 + hdr, r->value, (size_t)r->value_len);
    if (state_kv_put(t->src_store, key, klen, nv, nlen, err))
        return err->code;
    return 1;
}

static op_window_kind op_window_of(plan_window_kind k)
{
    switch (k) {
    case PLAN_WINDOW_TUMBLING: return OP_WINDOW_TUMBLING;
    case PLAN_WINDOW_HOPPING: return OP_WINDOW_HOPPING;
    case PLAN_WINDOW_SESSION: return OP_WINDOW_SESSION;
    default: return OP_WINDOW_NONE;
    }
}

/* Decode 'r' into 'row' (source step schema). Returns 1 to process the row, 0 to skip it
 * (logged), EDDY_ENOMEM, or EDDY_EINVAL (set in 'err') when a timestamp cannot be extracted
 * and ksql.timestamp.throw.on.invalid is true: the query fails, as in ksqlDB. */
static int decode_row(eng_task *t, int side, const broker_record *r, op_row *row,
                      eddy_err *err)
{
    eng_query *q = t->q;
    const plan_step *js = q->join;
    const plan_schema *sch = side ? &js->join_right_row : &q->plan->steps[0].out;
    const fn_expr *tsx = side ? js->join_right_timestamp : q->plan->steps[0].timestamp;
    const plan_source *source = side ? js->join_right : q->source;
    serde *kser = side ? q->join_key : q->src_key, *vser = side ? q->join_value : q->src_value;
    eddy_arena *a = &t->batch;
    eddy_value *cols = eddy_arena_alloc(a, (size_t)sch->ncols * sizeof *cols);
    if (!cols)
        return EDDY_ENOMEM;
    for (int i = 0; i < sch->ncols; i++)
        cols[i] = eddy_value_null(sch->cols[i].type->kind);
    eddy_err e = {0};
    /* A null value (tombstone, or a value that decodes to null such as JSON null) passes on
     * as a null-value row: ksqlDB's source forwards a null GenericRow. */
    row->value_null = !r->value;
    row->key_null = !r->key;
    row->flags = 0;
    row->window_start = row->window_end = 0;
    /* A windowed source (WINDOW_TYPE): the key ends with its window, which the row carries
     * (WINDOWSTART, WINDOWEND, and the sink's windowed key). A null key has no window. */
    int32_t key_len = r->key_len;
    op_window_kind wk = op_window_of(source->window.kind);
    if (wk != OP_WINDOW_NONE && r->key) {
        if (op_window_key_split(wk, source->window.size_ms, r->key, r->key_len, &key_len,
                                &row->window_start, &row->window_end, &e) != 0) {
            proclog(q, "Failed to deserialize key from topic %s partition %d offset %lld: %s",
                    source->topic, t->partition, (long long)r->offset, e.msg);
            t->skipped++;
            return 0;
        }
        row->flags = OP_ROW_WINDOWED;
    }
    int krc = kser ? serde_decode(kser, r->key, key_len, cols, a, &e) : 0;
    if (krc == 1)
        row->key_null = true;
    if (krc < 0) {
        proclog(q, "Failed to deserialize key from topic %s partition %d offset %lld: %s",
                source->topic, t->partition, (long long)r->offset, e.msg);
        t->skipped++;
        return e.code == EDDY_ENOMEM ? EDDY_ENOMEM : 0;
    }
    int vrc = vser ? serde_decode(vser, r->value, r->value_len, cols, a, &e) : 0;
    if (vrc < 0) {
        proclog(q, "Failed to deserialize value from topic %s partition %d offset %lld: %s",
                source->topic, t->partition, (long long)r->offset, e.msg);
        t->skipped++;
        return e.code == EDDY_ENOMEM ? EDDY_ENOMEM : 0;
    }
    if (vrc == 1)
        row->value_null = true;
    for (int i = 0; i < sch->ncols; i++) {
        const plan_column *c = &sch->cols[i];
        if (c->role == PLAN_COL_HEADERS) {
            if (headers_array(a, r, &cols[i]) == EDDY_ENOMEM)
                return EDDY_ENOMEM;
        } else if (c->role == PLAN_COL_HEADER) {
            header_value(r, c->header_key ? c->header_key : "", &cols[i]);
        } else if (c->role == PLAN_COL_PSEUDO) {
            if (strcmp(c->name, "ROWTIME") == 0)
                cols[i] = eddy_value_bigint(r->timestamp);
            else if (strcmp(c->name, "ROWPARTITION") == 0)
                cols[i] = eddy_value_int(t->partition);
            else if (strcmp(c->name, "ROWOFFSET") == 0)
                cols[i] = eddy_value_bigint(r->offset);
            else if (strcmp(c->name, "WINDOWSTART") == 0 && (row->flags & OP_ROW_WINDOWED))
                cols[i] = eddy_value_bigint(row->window_start);
            else if (strcmp(c->name, "WINDOWEND") == 0 && (row->flags & OP_ROW_WINDOWED))
                cols[i] = eddy_value_bigint(row->window_end);
        }
    }
    row->cols = cols;
    row->rowtime = r->timestamp;
    row->partition = t->partition;
    row->offset = r->offset;
    row->headers = r->raw_headers;
    row->headers_end = r->raw_end;
    row->old = NULL;
    if (tsx) {
        fn_ctx fc = {0};
        fc.arena = a;
        fc.row = cols;
        fc.config = &q->fn_config;
        eddy_value ts;
        if (fn_eval(tsx, &fc, &ts) != 0)
            return EDDY_ENOMEM;
        if (ts.null) {
            const char *thr = eng__prop(q->e, "ksql.timestamp.throw.on.invalid");
            if (thr && strcmp(thr, "true") == 0)
                return eddy_err_set(err, EDDY_EINVAL,
                                    "Fatal user code error in TimestampExtractor callback for "
                                    "record at topic %s partition %d offset %lld: the timestamp "
                                    "column is null or invalid", source->topic,
                                    t->partition, (long long)r->offset);
            proclog(q, "Failed to extract the timestamp of the record at topic %s partition %d "
                    "offset %lld: the timestamp column is null or invalid",
                    source->topic, t->partition, (long long)r->offset);
            t->skipped++;
            return 0;
        }
        row->rowtime = ts.u.i64;
        for (int i = 0; i < sch->ncols; i++)
            if (sch->cols[i].role == PLAN_COL_PSEUDO &&
                strcmp(sch->cols[i].name, "ROWTIME") == 0)
                cols[i] = eddy_value_bigint(row->rowtime);
    }
    if (row->rowtime < 0) {
        /* Kafka Streams skips a record whose extracted timestamp is negative. */
        proclog(q, "Skipping the record at topic %s partition %d offset %lld: its timestamp "
                "%lld is negative", source->topic, t->partition, (long long)r->offset,
                (long long)row->rowtime);
        t->skipped++;
        return 0;
    }
    if (!side && t->src_store)
        return table_change(t, r, row, err);
    return 1;
}

/* Decode an internal (repartition) record into 'row' (schema of steps[first_step]). Returns 1,
 * 0 to skip it (logged), or EDDY_ENOMEM. */
static int decode_internal(eng_task *t, const broker_record *r, op_row *row)
{
    eng_query *q = t->q;
    const plan_step *s = &q->plan->steps[t->first_step];
    eddy_value *cols = eddy_arena_alloc(&t->batch, (size_t)(s->out.ncols + 1) * sizeof *cols);
    if (!cols)
        return EDDY_ENOMEM;
    eddy_err e = {0};
    memset(row, 0, sizeof *row);
    if (t->src_hwm) {
        broker_header hs[8];
        int nh = broker_record_headers(r, hs, 8);
        for (int i = 0; i < nh && i < 8; i++) {
            if ((size_t)hs[i].key_len != sizeof OP_SRC_HEADER - 1 ||
                memcmp(hs[i].key, OP_SRC_HEADER, sizeof OP_SRC_HEADER - 1) != 0 ||
                hs[i].value_len != 16)
                continue;
            int32_t sp = (int32_t)eddy_get_be32(hs[i].value);
            int64_t mark = (int64_t)(eddy_get_be64(hs[i].value + 4) << 16) |
                           (int64_t)EDDY_MIN(eddy_get_be32(hs[i].value + 12), 0xffffu);
            if (sp >= 0 && sp < t->nsrc) {
                if (mark <= t->src_hwm[sp]) {
                    t->duplicates++;
                    return 0; /* written again by a restarted first stage */
                }
                t->src_hwm[sp] = mark;
            }
        }
    }
    int rc = q->source->kind == PLAN_TABLE
                 ? op_internal_decode_change(q->repart_types, s->out.ncols, s->nkeys, r->key,
                                             r->key_len, r->value, r->value_len, &t->batch,
                                             row, &e)
                 : op_internal_decode(q->repart_types, s->out.ncols, s->nkeys, r->key,
                                      r->key_len, r->value, r->value_len, &t->batch, cols, &e);
    if (rc != 0) {
        if (e.code == EDDY_ENOMEM)
            return EDDY_ENOMEM;
        proclog(q, "Failed to decode record from topic %s partition %d offset %lld: %s",
                t->in_topic, t->partition, (long long)r->offset, e.msg);
        t->skipped++;
        return 0;
    }
    if (q->source->kind != PLAN_TABLE)
        row->cols = cols;
    if (op_internal_headers(r->raw_headers, r->raw_end, &t->batch, &row->headers,
                            &row->headers_end))
        return EDDY_ENOMEM;
    row->rowtime = r->timestamp;
    row->partition = t->partition;
    row->offset = r->offset;
    return 1;
}

/* Process up to 'max_bytes' of input from the task's position. Returns the records consumed
 * (0 when nothing was there) or a negative error. */
int64_t eng__task_step(eng_task *t, size_t max_bytes, eddy_err *err)
{
    if (t->in2)
        return eng__join_task_step(t, max_bytes, err);
    broker_fetch_result res;
    int rc = broker_log_fetch(t->in, t->position, max_bytes, &res, err);
    if (rc == EDDY_ERANGE && t->position < broker_log_start_offset(t->in)) {
        /* Retention removed what we had not read: continue at the log start. */
        eddy_err_clear(err);
        t->position = broker_log_start_offset(t->in);
        rc = broker_log_fetch(t->in, t->position, max_bytes, &res, err);
    }
    if (rc)
        return rc;
    if (res.len == 0) {
        broker_fetch_release(&res);
        return 0;
    }
    broker_iter it;
    broker_record r;
    broker_iter_init(&it, res.data, res.len, t->position);
    int64_t consumed = 0;
    size_t cap = 256, n = 0;
    op_row *rows = eddy_arena_alloc(&t->batch, cap * sizeof *rows);
    while (rows && (rc = broker_iter_next(&it, &r, err)) == 1) {
        consumed++;
        if (n == cap) {
            op_row *bigger = eddy_arena_alloc(&t->batch, 2 * cap * sizeof *rows);
            if (!bigger) {
                rows = NULL;
                break;
            }
            memcpy(bigger, rows, n * sizeof *rows);
            rows = bigger;
            cap *= 2;
        }
        int d = t->first_step == 0 ? decode_row(t, 0, &r, &rows[n], err)
                                   : decode_internal(t, &r, &rows[n]);
        if (d < 0) {
            rc = err->code ? err->code
                           : eddy_err_set(err, EDDY_ENOMEM, "out of memory decoding records");
            break;
        }
        n += (size_t)d;
    }
    if (!rows)
        rc = eddy_err_set(err, EDDY_ENOMEM, "out of memory decoding records");
    if (rc < 0) {
        broker_fetch_release(&res);
        eddy_arena_reset(&t->batch);
        return rc;
    }
    op_batch batch = {rows, n};
    rc = t->head->ops->process(t->head, 0, &batch, err);
    if (rc == 0)
        rc = sink_flush(t, err);
    broker_fetch_release(&res);
    eddy_arena_reset(&t->batch);
    if (rc)
        return rc;
    t->processed += consumed;
    t->uncommitted += consumed;
    t->position = res.next_offset;
    return consumed;
}

int eng__task_commit(eng_task *t, eddy_err *err)
{
    for (int k = 0; k < t->nops; k++) {
        op *o = t->ops[k];
        int rc = o->ops->flush ? o->ops->flush(o, err) : 0;
        if (rc)
            return rc;
    }
    /* what a flush emitted (closed windows) goes out before the commit */
    int rc = sink_flush(t, err);
    eddy_arena_reset(&t->batch);
    if (rc)
        return rc;
    if (t->st) {
        state_offset stack[17], *off = stack;
        int noff = t->nsrc + 1 + (t->in2 ? 1 : 0);
        if (noff > (int)EDDY_ARRAY_LEN(stack) &&
            !(off = eddy_malloc((size_t)noff * sizeof *off)))
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        off[0] = (state_offset){t->in_topic, t->partition, t->position};
        for (int p = 0; p < t->nsrc; p++)
            off[1 + p] = (state_offset){t->src_tag, p, t->src_hwm[p]};
        if (t->in2)
            off[noff - 1] = (state_offset){t->in2_topic, t->partition, t->position2};
        state_offsets offs = {off, (size_t)noff};
        rc = state_task_commit(t->st, &offs, err);
        if (off != stack)
            eddy_free(off);
        if (rc)
            return rc;
    }
    char group[600];
    snprintf(group, sizeof group, "_eddy-query_%s", t->q->id);
    broker_group_commit(t->q->e->b, group, t->in_topic, t->partition, t->position, NULL, NULL);
    if (t->in2)
        broker_group_commit(t->q->e->b, group, t->in2_topic, t->partition, t->position2, NULL,
                            NULL);
    t->uncommitted = 0;
    t->last_commit_ms = eddy_monotonic_ms();
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Building and freeing                                                                        */

/* Tell a projection which of its input columns are keys (for null-value rows). */
static int project_key_cols(op *o, const plan_schema *in, bool rekey, eddy_err *err)
{
    bool *keys = eddy_calloc((size_t)(in->ncols ? in->ncols : 1), sizeof *keys);
    if (!keys)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    for (int i = 0; i < in->ncols; i++)
        keys[i] = in->cols[i].role == PLAN_COL_KEY;
    int rc = op_project_set_key_cols(o, keys, in->ncols, rekey, err);
    eddy_free(keys);
    return rc;
}

static state_env *state_env_of(engine *e, eddy_err *err)
{
    if (!e->state && state_env_open(e->opts.data_dir, e->b, NULL, &e->state, err) != 0)
        return NULL;
    return e->state;
}

/* Restore progress as a notice: the first report, then at most one a second (a restore
 * transaction is 100,000 records, several a second) and the one that reaches the total, so a
 * user watching `eddy run` sees a long rebuild advance: "restoring state: 300000 of 1000000
 * records". The total is an upper bound (compacted changelogs have gaps); the notice that
 * follows the restore gives the exact count. */
#define RESTORE_NOTICE_MS 1000

static void task_restore_progress(void *ctx, int64_t restored, int64_t total)
{
    eng_task *t = ctx;
    engine *e = t->q->e;
    int64_t now = eddy_monotonic_ms();
    bool last = restored >= total;
    if (!e->opts.notice || total <= 0)
        return;
    if (!last && now - t->restore_notice_ms < RESTORE_NOTICE_MS)
        return;
    t->restore_notice_ms = now;
    char msg[512];
    snprintf(msg, sizeof msg, "task %s/%d: restoring state: %lld of %lld records", t->in_topic,
             (int)t->partition, (long long)restored, (long long)total);
    e->opts.notice(e->opts.notice_ctx, t->q->id, msg);
}

/* Open the task's state and its store, restore it, and resume at the committed position. */
static int task_state(eng_query *q, eng_task *t, int32_t npartitions, eddy_err *err)
{
    const plan_query *p = q->plan;
    const plan_step *agg = NULL;
    for (int i = t->first_step + 1; i <= t->last_step; i++)
        if (p->steps[i].kind == PLAN_STEP_AGGREGATE)
            agg = &p->steps[i];
    bool source_table = t->first_step == 0 && q->source->kind == PLAN_TABLE && !q->join;
    bool join = q->join && t->first_step < q->join->id && q->join->id <= t->last_step;
    if (!agg && !source_table && !join)
        return 0;
    state_env *env = state_env_of(q->e, err);
    if (!env)
        return err->code ? err->code : EDDY_EIO;
    /* stage 0 of a repartitioned query over a table holds only the source's rows: its own
     * state task, apart from stage 1's on the same partition number */
    char name[600];
    snprintf(name, sizeof name, "%s%s", q->id, agg ? "" : "-source");
    state_task_options so = {.progress = task_restore_progress, .progress_ctx = t};
    t->restore_notice_ms = INT64_MIN / 2;    /* the first progress call is reported */
    int rc = state_task_open(env, name, t->partition, npartitions, &so, &t->st, err);
    if (rc)
        return rc;
    if (source_table &&
        (rc = state_store_open(t->st, "Source-Materialize", STATE_KV, 0, &t->src_store, err)))
        return rc;
    if (join &&
        (rc = q->join->join_right->kind == PLAN_STREAM
                  ? state_store_open(t->st, "Join-Windows", STATE_WINDOW, 1, &t->join_store, err)
                  : state_store_open(t->st, "Join-Right-Materialize", STATE_KV, 0,
                                     &t->join_store, err)))
        return rc;
    if (agg) {
        bool windowed = agg->window.kind != PLAN_WINDOW_NONE;
        if (agg->window.kind == PLAN_WINDOW_SESSION)
            rc = state_store_open(t->st, "Aggregate-Materialize", STATE_SESSION, 0,
                                  &t->agg_store, err);
        else
            rc = state_store_open(t->st, "Aggregate-Materialize",
                                  windowed ? STATE_WINDOW : STATE_KV,
                                  windowed ? agg->window.size_ms : 0, &t->agg_store, err);
        if (rc)
            return rc;
    }
    state_restore_info info;
    if ((rc = state_task_restore(t->st, &info, err)) != 0)
        return rc;
    if (t->first_step != 0) {
        /* Second stage: dedupe what a restarted first stage writes again (engine_int.h). */
        int np = broker_topic_partitions(q->e->b, q->plan->source->topic, err);
        if (np < 0)
            return np;
        size_t tl = strlen(q->plan->source->topic) + 7;
        t->src_tag = eddy_malloc(tl);
        t->src_hwm = eddy_malloc((size_t)(np ? np : 1) * sizeof *t->src_hwm);
        if (!t->src_tag || !t->src_hwm)
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        snprintf(t->src_tag, tl, "__src:%s", q->plan->source->topic);
        t->nsrc = np;
        for (int p = 0; p < np; p++)
            t->src_hwm[p] = -1;
    }
    if (info.have_inputs)
        for (size_t i = 0; i < info.inputs.n; i++) {
            const state_offset *o = &info.inputs.items[i];
            if (strcmp(o->topic, t->in_topic) == 0 && o->partition == t->partition)
                t->position = o->offset;
            else if (t->in2_topic && strcmp(o->topic, t->in2_topic) == 0 &&
                     o->partition == t->partition)
                t->position2 = o->offset;
            else if (t->src_tag && strcmp(o->topic, t->src_tag) == 0 && o->partition >= 0 &&
                     o->partition < t->nsrc)
                t->src_hwm[o->partition] = o->offset;
        }
    if (q->e->opts.notice && info.mode != STATE_RESTORE_FRESH) {
        static const char *how[] = {
            [STATE_RESTORE_RESUMED] = "resumed from its checkpoint",
            [STATE_RESTORE_ROLLED_FORWARD] = "rolled forward from its checkpoint",
            [STATE_RESTORE_REBUILT] = "rebuilt from the changelog",
        };
        char msg[512];
        snprintf(msg, sizeof msg, "task %s/%d: state %s (epoch %llu, %lld records restored, "
                 "%lld voided), input at offset %lld", t->in_topic, (int)t->partition,
                 how[info.mode], (unsigned long long)info.epoch, (long long)info.restored,
                 (long long)info.voided, (long long)t->position);
        q->e->opts.notice(q->e->opts.notice_ctx, q->id, msg);
    }
    return 0;
}

static int task_build(eng_query *q, eng_task *t, int32_t npartitions, eddy_err *err)
{
    t->ctx.arena = &t->batch;
    t->ctx.fn_config = &q->fn_config;
    t->ctx.log = op_log;
    t->ctx.log_ctx = t;
    t->last_commit_ms = eddy_monotonic_ms();
    const plan_query *p = q->plan;
    t->ops = eddy_calloc((size_t)p->nsteps + 1, sizeof *t->ops);
    if (!t->ops)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    int src = task_state(q, t, npartitions, err);
    if (src)
        return src;
    op *prev = NULL;
    for (int i = t->first_step + 1; i <= t->last_step + 1; i++) {
        const plan_step *s = i <= t->last_step ? &p->steps[i] : NULL;
        op *o = NULL;
        int rc;
        if (!s) {
            /* after the last step of stage 0 of a repartitioned query: the internal topic */
            if (t->last_step == p->nsteps - 1)
                break;
            const plan_step *g = &p->steps[t->last_step];
            rc = op_internal_sink_create(&t->ctx, q->repart_types, g->out.ncols, g->nkeys,
                                         sink_write, t, &o, err);
            if (rc == 0)
                op_internal_sink_set_table(o, q->source->kind == PLAN_TABLE);
        } else {
            switch (s->kind) {
            case PLAN_STEP_FILTER:
                rc = op_filter_create(&t->ctx, s->predicate, s->nvars, &o, err);
                break;
            case PLAN_STEP_PROJECT:
            case PLAN_STEP_REKEY:
                rc = op_project_create(&t->ctx, (const fn_expr *const *)s->exprs, s->nexprs,
                                       s->nvars, &o, err);
                if (rc == 0)
                    rc = project_key_cols(o, &p->steps[i - 1].out, s->kind == PLAN_STEP_REKEY,
                                          err);
                break;
            case PLAN_STEP_FLATMAP:
                rc = op_flatmap_create(&t->ctx, (const fn_expr *const *)s->exprs, s->nexprs,
                                       (const fn_expr *const *)s->tfns, s->ntfns, s->nvars, &o,
                                       err);
                break;
            case PLAN_STEP_GROUP_BY:
                rc = op_group_by_create(&t->ctx, (const fn_expr *const *)s->exprs, s->nexprs,
                                        s->nkeys, s->nvars, &o, err);
                break;
            case PLAN_STEP_AGGREGATE:
                rc = op_aggregate_create(&t->ctx, &q->agg_spec, t->agg_store, &o, err);
                break;
            case PLAN_STEP_JOIN:
                rc = op_join_create(&t->ctx, &q->join_spec, t->join_store, &o, err);
                break;
            case PLAN_STEP_SINK:
                rc = op_sink_create(&t->ctx, q->sink_key, q->sink_value, s->timestamp,
                                    sink_write, t, &o, err);
                if (rc == 0)
                    op_sink_set_window(o, q->sink_window);
                break;
            default:
                rc = eddy_err_set(err, EDDY_EUNSUPPORTED, "plan step %d is not supported yet",
                                  (int)s->kind);
            }
        }
        if (rc)
            return rc;
        t->ops[t->nops++] = o;
        if (prev)
            prev->next = o;
        else
            t->head = o;
        prev = o;
    }
    if (!t->head)
        return eddy_err_set(err, EDDY_EINVAL, "query plan has no sink");
    return 0;
}

void eng__query_free(eng_query *q)
{
    if (!q)
        return;
    for (int i = 0; i < q->ntasks; i++) {
        eng_task *t = &q->tasks[i];
        for (int k = 0; k < t->nops; k++)
            op_close(t->ops[k]);
        eddy_free(t->ops);
        eddy_arena_destroy(&t->batch);
        eddy_buf_free(&t->out_bytes);
        eddy_free(t->out_recs);
        eddy_free(t->out_parts);
        state_task_close(t->st);
        broker_log_release(t->in);
        if (t->in2)
            broker_log_release(t->in2);
        eddy_free(t->src_hwm);
        eddy_free(t->src_tag);
    }
    eddy_free(q->tasks);
    for (int p = 0; p < q->repart_nparts; p++)
        broker_log_release(q->repart_logs[p]);
    eddy_free(q->repart_logs);
    eddy_free(q->repart_topic);
    eddy_free(q->repart_types);
    for (int p = 0; p < q->sink_partitions; p++)
        broker_log_release(q->sink_logs[p]);
    eddy_free(q->sink_logs);
    eng__join_free(q);
    serde_destroy(q->src_key);
    serde_destroy(q->src_value);
    serde_destroy(q->sink_key);
    serde_destroy(q->sink_value);
    eng__mem_unref(q->mem);
    eng__mem_unref(q->source_mem);
    eddy_free(q->id);
    eddy_free(q);
}

static int group_of(const eng_query *q, char *buf, size_t n)
{
    return snprintf(buf, n, "_eddy-query_%s", q->id);
}

int eng__query_start(engine *e, plan_query *plan, eng_mem *mem, const char *kind,
                     const char *sink_name, const char *sql, const char **id_out, eddy_err *err)
{
    eng_query *q = eddy_calloc(1, sizeof *q);
    if (!q)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    char id[512];
    if (strcmp(kind, "INSERTQUERY") == 0)
        snprintf(id, sizeof id, "INSERTQUERY_%d", e->next_query_num);
    else
        snprintf(id, sizeof id, "%s_%s_%d", kind, sink_name, e->next_query_num);
    q->id = eddy_strdup(id);
    q->e = e;
    q->plan = plan;
    q->mem = mem;
    eng__mem_ref(mem);
    q->sql = sql;
    q->sink_name = eddy_arena_strdup(&mem->arena, sink_name);
    q->source = plan->source;
    const char *legacy = eng__prop(e, "ksql.functions.substring.legacy.args");
    q->fn_config.substring_legacy_args = legacy && strcmp(legacy, "true") == 0;
    int rc = 0;
    if (!q->id || !q->sink_name) {
        rc = eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        goto fail;
    }
    plan->id = q->id;
    eng_source *src = eng__source_find(e, plan->source->name);
    if (src) {
        q->source_mem = src->mem;
        eng__mem_ref(src->mem);
    }
    const plan_schema *in = &plan->source->schema;
    const plan_schema *out = &plan->steps[plan->nsteps - 1].out;
    if ((rc = eng__serde_for(in, &plan->source->key_format, true, &q->src_key, err)) ||
        (rc = eng__serde_for(in, &plan->source->value_format, false, &q->src_value, err)) ||
        (rc = eng__serde_for(out, &plan->sink.key_format, true, &q->sink_key, err)) ||
        (rc = eng__serde_for(out, &plan->sink.value_format, false, &q->sink_value, err)))
        goto fail;

    int sp = broker_topic_partitions(e->b, plan->sink.topic, err);
    if (sp < 0) {
        rc = sp;
        goto fail;
    }
    q->sink_logs = eddy_calloc((size_t)sp, sizeof *q->sink_logs);
    if (!q->sink_logs) {
        rc = eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        goto fail;
    }
    for (int p = 0; p < sp; p++) {
        if ((rc = broker_log_get(e->b, plan->sink.topic, p, &q->sink_logs[p], err)) != 0)
            goto fail;
        q->sink_partitions++;
    }
    int np = broker_topic_partitions(e->b, plan->source->topic, err);
    if (np < 0) {
        rc = np;
        goto fail;
    }
    for (int i = 0; i < plan->nsteps; i++)
        if (plan->steps[i].kind == PLAN_STEP_JOIN)
            q->join = &plan->steps[i];
    if (q->join && (rc = eng__join_setup(q, err)) != 0)
        goto fail;
    /* stages: split at a repartitioning GROUP_BY */
    int split = -1;
    q->sink_window = op_window_of(plan->source->window.kind);
    for (int i = 0; i < plan->nsteps; i++) {
        const plan_step *st = &plan->steps[i];
        if ((st->kind == PLAN_STEP_GROUP_BY || st->kind == PLAN_STEP_REKEY) && st->repartition)
            split = i;
        if (st->kind == PLAN_STEP_AGGREGATE) {
            op_agg_spec *sp = &q->agg_spec;
            sp->nkeys = st->nkeys;
            sp->naggs = st->naggs;
            sp->aggs = st->aggs;
            sp->agg_args = st->agg_args;
            sp->window = op_window_of(st->window.kind);
            q->sink_window = sp->window;
            sp->size_ms = st->window.size_ms;
            sp->advance_ms = st->window.advance_ms;
            sp->grace_ms = st->window.grace_ms;
            sp->retention_ms = st->window.retention_ms;
            sp->emit_final = st->emit_final;
            sp->having = st->having;
            sp->nvars = st->nvars;
            const plan_step *in = &plan->steps[i - 1];
            q->repart_types = eddy_calloc((size_t)in->out.ncols + 1, sizeof *q->repart_types);
            if (!q->repart_types) {
                rc = eddy_err_set(err, EDDY_ENOMEM, "out of memory");
                goto fail;
            }
            for (int c = 0; c < in->out.ncols; c++)
                q->repart_types[c] = in->out.cols[c].type;
            sp->key_types = q->repart_types;
        }
    }
    const char *ci = eng__prop(e, "commit.interval.ms");
    if (!ci)
        ci = eng__prop(e, "ksql.streams.commit.interval.ms");
    q->commit_interval_ms = ci ? atoll(ci) : 100;
    int rnp = np;   /* partitions of a new repartition topic */
    if (split >= 0 && !q->repart_types &&
        (rc = eng__join_repart_types(q, &plan->steps[split], &rnp, err)) != 0)
        goto fail;
    if (split >= 0) {
        char rt[600];
        snprintf(rt, sizeof rt, "%s-%s-repartition", q->id,
                 plan->steps[split].kind == PLAN_STEP_REKEY ? "Join-left"
                                                            : "Aggregate-GroupBy");
        q->repart_topic = eddy_strdup(rt);
        if (!q->repart_topic) {
            rc = eddy_err_set(err, EDDY_ENOMEM, "out of memory");
            goto fail;
        }
        plan->steps[split].repartition_topic = q->repart_topic;
        eddy_err tmp = {0};
        int have = broker_topic_partitions(e->b, rt, &tmp);
        if (have < 0 && (rc = broker_topic_create(e->b, rt, rnp, NULL, err)) != 0)
            goto fail;
        q->repart_nparts = have > 0 ? have : rnp;
        q->repart_logs = eddy_calloc((size_t)q->repart_nparts, sizeof *q->repart_logs);
        if (!q->repart_logs) {
            rc = eddy_err_set(err, EDDY_ENOMEM, "out of memory");
            goto fail;
        }
        for (int p = 0; p < q->repart_nparts; p++)
            if ((rc = broker_log_get(e->b, rt, p, &q->repart_logs[p], err)) != 0)
                goto fail;
    }
    int nstage1 = split >= 0 ? q->repart_nparts : 0;
    q->tasks = eddy_calloc((size_t)(np + nstage1), sizeof *q->tasks);
    if (!q->tasks) {
        rc = eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        goto fail;
    }
    const char *reset = eng__prop(e, "auto.offset.reset");
    if (!reset)
        reset = eng__prop(e, "ksql.streams.auto.offset.reset");
    bool earliest = e->opts.stepped ? true : (reset && strcmp(reset, "earliest") == 0);
    char group[600];
    group_of(q, group, sizeof group);
    for (int k = 0; k < np + nstage1; k++) {
        eng_task *t = &q->tasks[k];
        bool second = k >= np;
        t->q = q;
        t->partition = second ? k - np : k;
        t->stage = second ? 1 : 0;
        t->in_topic = second ? q->repart_topic : plan->source->topic;
        t->first_step = second ? split : 0;
        t->last_step = !second && split >= 0 ? split : plan->nsteps - 1;
        bool to_sink = t->last_step == plan->nsteps - 1;
        t->out_logs = to_sink ? q->sink_logs : q->repart_logs;
        t->out_nparts = to_sink ? q->sink_partitions : q->repart_nparts;
        t->out_topic = to_sink ? plan->sink.topic : q->repart_topic;
        eddy_arena_init(&t->batch, 256 * 1024);
        eddy_buf_init(&t->out_bytes);
        q->ntasks++;
        if ((rc = broker_log_get(e->b, t->in_topic, t->partition, &t->in, err)) != 0)
            goto fail;
        int64_t committed = -1;
        broker_group_fetch(e->b, group, t->in_topic, t->partition, &committed, NULL);
        t->position = committed >= 0 ? committed
                      : earliest || second ? broker_log_start_offset(t->in)
                                           : broker_log_end_offset(t->in);
        if (q->join && t->first_step < q->join->id && q->join->id <= t->last_step &&
            (rc = eng__join_task_open(t, earliest, err)) != 0)
            goto fail;
        if ((rc = task_build(q, t, second ? q->repart_nparts : np, err)) != 0)
            goto fail;
    }
    if (e->nqueries == e->queries_cap) {
        size_t cap = e->queries_cap ? e->queries_cap * 2 : 8;
        eng_query **a = eddy_realloc(e->queries, cap * sizeof *a);
        if (!a) {
            rc = eddy_err_set(err, EDDY_ENOMEM, "out of memory");
            goto fail;
        }
        e->queries = a;
        e->queries_cap = cap;
    }
    e->queries[e->nqueries++] = q;
    e->next_query_num++;
    *id_out = q->id;
    return 0;
fail:
    eng__query_free(q);
    return rc;
}

static eng_query *query_by_id(engine *e, const char *id)
{
    for (size_t i = 0; i < e->nqueries; i++)
        if (strcmp(e->queries[i]->id, id) == 0)
            return e->queries[i];
    return NULL;
}

int64_t engine_query_run(engine *e, const char *query_id, eddy_err *err)
{
    eng_query *q = query_by_id(e, query_id);
    if (!q)
        return eddy_err_set(err, EDDY_ENOTFOUND, "query %s does not exist", query_id);
    int64_t total = 0;
    for (int i = 0; i < q->ntasks; i++) {
        int64_t n;
        /* Small fetches: stepped mode promises record-by-record semantics, and batches of a
         * few records keep each step's working set small. */
        eng_task *t = &q->tasks[i];
        while ((n = eng__task_step(t, 64 * 1024, err)) > 0) {
            total += n;
            if (t->uncommitted >= 4096 && (n = eng__task_commit(t, err)) != 0)
                return n;
        }
        if (n < 0)
            return n;
        if ((n = eng__task_commit(t, err)) != 0)
            return n;
    }
    return total;
}

/* ------------------------------------------------------------------------------------------ */
/* Threaded mode                                                                               */

/* A worker runs the tasks k (numbered across the queries) with k % nworkers == index.
 * 'nworkers' is the final count, fixed before the first worker starts: reading
 * e->nworkers while engine_start() was still creating threads let the first worker take
 * every task and then share them with the next one, so two threads stepped the same task
 * (found by ASan: a corrupted batch arena, under load). */
typedef struct worker_arg {
    engine *e;
    int index;
    int nworkers;
} worker_arg;

static void commit_task(eng_task *t)
{
    if (t->q->failed)
        return;
    eddy_err err = {0};
    if (eng__task_commit(t, &err) != 0) {
        t->q->failed = true;
        snprintf(t->q->error, sizeof t->q->error, "%s", err.msg);
        proclog(t->q, "query failed: commit: %s", err.msg);
    }
}

static void *worker_main(void *p)
{
    worker_arg *wa = p;
    engine *e = wa->e;
    int64_t last_commit = eddy_monotonic_ms();
    while (!atomic_load(&e->stopping)) {
        int64_t did = 0;
        size_t k = 0;
        pthread_mutex_lock(&e->mu);
        size_t nq = e->nqueries;
        pthread_mutex_unlock(&e->mu);
        eng_task *first_idle = NULL;
        for (size_t qi = 0; qi < nq; qi++) {
            eng_query *q = e->queries[qi];
            for (int ti = 0; ti < q->ntasks; ti++, k++) {
                if ((int)(k % (size_t)wa->nworkers) != wa->index || q->failed)
                    continue;
                eddy_err err = {0};
                int64_t n = eng__task_step(&q->tasks[ti], 1 << 20, &err);
                if (n < 0) {
                    q->failed = true;
                    snprintf(q->error, sizeof q->error, "%s", err.msg);
                    proclog(q, "query failed: %s", err.msg);
                } else if (n > 0) {
                    did += n;
                } else if (!first_idle) {
                    first_idle = &q->tasks[ti];
                }
            }
        }
        int64_t now = eddy_monotonic_ms();
        if (now - last_commit >= 20) {
            k = 0;
            for (size_t qi = 0; qi < nq; qi++)
                for (int ti = 0; ti < e->queries[qi]->ntasks; ti++, k++) {
                    eng_task *t = &e->queries[qi]->tasks[ti];
                    if ((int)(k % (size_t)wa->nworkers) == wa->index &&
                        (t->uncommitted > 0 || t->st) &&
                        now - t->last_commit_ms >= t->q->commit_interval_ms)
                        commit_task(t);
                }
            last_commit = now;
        }
        if (did == 0) {
            if (first_idle)
                broker_log_wait(first_idle->in, first_idle->position, 50);
            else
                usleep(50000);
        }
    }
    /* Final commit of this worker's tasks. */
    size_t k = 0;
    for (size_t qi = 0; qi < e->nqueries; qi++)
        for (int ti = 0; ti < e->queries[qi]->ntasks; ti++, k++)
            if ((int)(k % (size_t)wa->nworkers) == wa->index)
                commit_task(&e->queries[qi]->tasks[ti]);
    eddy_free(wa);
    return NULL;
}

int engine_start(engine *e, int nthreads, eddy_err *err)
{
    if (e->nworkers)
        return 0;
    if (nthreads < 1)
        nthreads = 1;
    e->workers = eddy_calloc((size_t)nthreads, sizeof *e->workers);
    if (!e->workers)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    atomic_store(&e->stopping, false);
    for (int i = 0; i < nthreads; i++) {
        int rc = 0;
        worker_arg *wa = eddy_malloc(sizeof *wa);
        if (!wa) {
            rc = eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        } else {
            *wa = (worker_arg){e, i, nthreads};
            if (pthread_create(&e->workers[i], NULL, worker_main, wa) != 0) {
                eddy_free(wa);
                rc = eddy_err_set(err, EDDY_EIO, "cannot start worker thread");
            }
        }
        if (rc) {
            /* stop the workers started so far (their share of the tasks is not run) */
            atomic_store(&e->stopping, true);
            for (int j = 0; j < i; j++)
                pthread_join(e->workers[j], NULL);
            eddy_free(e->workers);
            e->workers = NULL;
            e->nworkers = 0;
            return rc;
        }
        e->nworkers = i + 1;
    }
    return 0;
}

void engine_stop(engine *e)
{
    if (!e->nworkers)
        return;
    atomic_store(&e->stopping, true);
    for (int i = 0; i < e->nworkers; i++)
        pthread_join(e->workers[i], NULL);
    eddy_free(e->workers);
    e->workers = NULL;
    e->nworkers = 0;
}

int eng__decode_row(eng_task *t, int side, const broker_record *r, op_row *row, eddy_err *err)
{
    if (side == 0 && t->first_step != 0)
        return decode_internal(t, r, row);
    return decode_row(t, side, r, row, err);
}

int eng__sink_flush(eng_task *t, eddy_err *err)
{
    return sink_flush(t, err);
}
