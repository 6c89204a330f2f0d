/*
 * op_aggregate.c - GROUP BY (new key), the internal repartition sink, and the aggregation
 * over a key-value or window store (ksqlDB's StreamGroupBy / StreamAggregate /
 * StreamWindowedAggregate on Kafka Streams' KStreamAggregate, KStreamWindowAggregate and
 * KStreamSessionWindowAggregate).
 *
 * State layout. The store key of a group is the concatenation of eddy_binval_encode_key of
 * its key columns (window stores add the window start themselves). The value is
 *     8 bytes big-endian: the largest rowtime folded into the group (the output timestamp)
 *     then eddy_binval_encode of each call's state, in call order.
 * Values are decoded into the batch arena for each update and written back at once; the
 * store's write-back cache keeps repeated updates of a hot key in memory until the task
 * commits, so an update costs one decode, the fold and one encode.
 *
 * Windows (tumbling, hopping). Stream time is the largest rowtime this operator has seen
 * (per task; it starts again from the first record after a restart, as in Kafka Streams). A
 * record belongs to every window [s, s + size) with s a multiple of the advance and
 * s <= ts < s + size, in ascending s; a window whose end <= stream time - grace is closed and
 * the record is dropped for it (logged). Windows whose end is before stream time - retention
 * are expired from the store at each flush (and thereby tombstoned in the changelog).
 *
 * Sessions (session_fold): a SESSION store keyed by (key, end, start); a record merges with
 * the sessions of its key within the gap, the merged-away sessions are removed and tombstoned
 * in the output, and the merged session (end inclusive) is put and emitted; a record whose
 * merged session ends before stream time - gap - grace is dropped. Sessions ending before
 * stream time - retention are expired at each flush.
 *
 * EMIT FINAL (Kafka Streams' emit-on-window-close, which ksqlDB uses). Instead of emitting
 * each update, a window is remembered in a pending list (in memory, ordered by window end,
 * then key) and emitted once, with its final value and the headers of the record that closes
 * it, when stream time reaches end + grace, provided the window is still inside the store's
 * retention: its start is at least the largest window start put less the retention (Kafka
 * Streams' time-ordered window store hides older windows).
 * The pending list is rebuilt after a restart from the store's windows that are not closed
 * yet, so a crash never loses a final row (it may repeat one emitted just before the crash).
 *
 * HAVING is a table filter with old values (ksqlDB's KTable filter with sendOldValues): an
 * update that passes is emitted; one that fails becomes a tombstone when the group's previous
 * value passed, and is dropped otherwise.
 *
 * Headers: every output row carries the headers of the record that produced it, and
 * repartition records carry them through (Kafka Streams forwards the record context).
 *
 * Streams: a row with a null value (a tombstone) is dropped by GROUP BY and by the aggregate
 * (ksqlDB filters null values before grouping; Kafka Streams' aggregations skip them).
 *
 * Tables: a change (OP_ROW_CHANGE) retracts the old row from its group with fn_agg_undo and
 * adds the new row to its group (table_change); a group is never deleted (a COUNT reaches 0).
 *
 * Crash behaviour: the operator holds nothing that is not in the store but the stream time and
 * the EMIT FINAL pending list (see above); the engine commits the store together with the
 * task's input offsets (state_task_commit), so after a crash the task resumes from its last
 * commit and the state matches the input position exactly.
 */
#include <stdlib.h>

#include "operators_int.h"


/* ------------------------------------------------------------------------------------------ */
/* GROUP BY                                                                                    */

typedef struct op_group_by {
    op base;
    const fn_expr *const *exprs;
    int nexprs, nkeys, nvars;
} op_group_by;

/* Evaluate the GROUP BY columns over one row; '*null_key' when a key column is NULL. */
static int group_eval(const op_group_by *g, fn_ctx *fc, const eddy_value *in, eddy_value *out,
                      bool *null_key)
{
    fc->row = in;
    *null_key = false;
    for (int c = 0; c < g->nexprs; c++) {
        if (fn_eval(g->exprs[c], fc, &out[c]) != 0)
            return -1;
        *null_key = *null_key || (c < g->nkeys && out[c].null);
    }
    return 0;
}

/* A table change: group the new and the old row ('out->cols' and 'out->old' are allocated);
 * a side whose key is NULL is dropped (logged). Returns 1 to keep 'out', 0 to drop it, -1 on
 * out of memory. */
static int group_change(op *self, const op_group_by *g, fn_ctx *fc, const op_row *in,
                        op_row *out)
{
    bool null_key = false;
    if (!in->value_null) {
        if (group_eval(g, fc, in->cols, out->cols, &null_key))
            return -1;
        if (null_key) {
            eddy_err e = {0};
            eddy_err_set(&e, EDDY_EINVAL, "record dropped: a GROUP BY expression is null");
            op__log(self, &e);
            out->value_null = true;
        }
    }
    if (out->value_null)
        for (int c = 0; c < g->nexprs; c++)
            out->cols[c] = eddy_value_null(g->exprs[c]->type->kind);
    if (in->old) {
        if (group_eval(g, fc, in->old, out->old, &null_key))
            return -1;
        if (null_key)
            out->old = NULL;
    } else {
        out->old = NULL;
    }
    return !out->value_null || out->old ? 1 : 0;
}

static int group_by_process(op *self, int port, const op_batch *in, eddy_err *err)
{
    (void)port;
    op_group_by *g = (op_group_by *)self;
    eddy_arena *a = self->ctx->arena;
    size_t n = in->n ? in->n : 1;
    op_row *rows = eddy_arena_alloc(a, n * sizeof *rows);
    eddy_value *vals = eddy_arena_alloc(a, n * (size_t)(g->nexprs ? g->nexprs : 1) *
                                               sizeof *vals);
    if (!rows || !vals)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory in group by");
    fn_ctx fc;
    op__fn_ctx(self, &fc, g->nvars);
    eddy_value *olds = NULL;
    for (size_t i = 0; i < in->n && !olds; i++)
        if (in->rows[i].flags & OP_ROW_CHANGE)
            olds = eddy_arena_alloc(a, n * (size_t)(g->nexprs ? g->nexprs : 1) * sizeof *olds);
    size_t k = 0;
    for (size_t i = 0; i < in->n; i++) {
        op_row *r = &rows[k];
        *r = in->rows[i];
        r->cols = vals + k * (size_t)g->nexprs;
        if (r->flags & OP_ROW_CHANGE) {
            if (!olds)
                return eddy_err_set(err, EDDY_ENOMEM, "out of memory in group by");
            r->old = olds + k * (size_t)g->nexprs;
            int rc = group_change(self, g, &fc, &in->rows[i], r);
            if (rc < 0)
                return eddy_err_set(err, EDDY_ENOMEM, "out of memory in group by");
            k += (size_t)rc;
            continue;
        }
        if (in->rows[i].value_null)
            continue;   /* ksqlDB's StreamGroupBy filters null values out before grouping */
        fc.row = in->rows[i].cols;
        bool null_key = false;
        for (int c = 0; c < g->nexprs; c++) {
            if (fn_eval(g->exprs[c], &fc, &r->cols[c]) != 0)
                return eddy_err_set(err, EDDY_ENOMEM, "out of memory in group by");
            null_key = null_key || (c < g->nkeys && r->cols[c].null);
        }
        if (null_key) {
            eddy_err e = {0};
            eddy_err_set(&e, EDDY_EINVAL, "record dropped: a GROUP BY expression is null");
            op__log(self, &e);
            continue;
        }
        k++;
    }
    op_batch out = {rows, k};
    return op_emit(self, &out, err);
}

static const op_ops group_by_ops = {"group_by", group_by_process, NULL, op__free};

int op_group_by_create(op_ctx *ctx, const fn_expr *const *exprs, int nexprs, int nkeys,
                       int nvars, op **out, eddy_err *err)
{
    op_group_by *g = eddy_calloc(1, sizeof *g);
    if (!g)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory creating a group by");
    g->base.ops = &group_by_ops;
    g->base.name = "GroupBy";
    g->base.ctx = ctx;
    g->exprs = exprs;
    g->nexprs = nexprs;
    g->nkeys = nkeys;
    g->nvars = nvars;
    *out = &g->base;
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Internal (repartition) records                                                              */

typedef struct op_internal_sink {
    op base;
    const eddy_type *const *types;
    int ncols, nkeys;
    op_sink_write_fn write;
    void *write_ctx;
    bool table;                /* write table changes (op_internal_sink_set_table) */
    eddy_buf kbuf, vbuf, obuf;
    /* Where each record comes from, for the second stage to drop what a restarted first stage
     * writes again: header "eddy.src" = source partition (4), offset (8), and the number of
     * the record among those written for that source record (4), big-endian. */
    int32_t last_partition;
    int64_t last_offset;
    uint32_t sub;
    eddy_buf hbuf;             /* headers of the record being written */
} op_internal_sink;

/* Point 'rec' at the headers for row 'r': "eddy.src" (see op_internal_sink) first, then the
 * row's own headers, which Kafka Streams carries through the repartition topic. Returns 0 or
 * EDDY_ENOMEM. */
static int src_header(op_internal_sink *s, const op_row *r, op_sink_record *rec)
{
    if (r->partition == s->last_partition && r->offset == s->last_offset) {
        s->sub++;
    } else {
        s->last_partition = r->partition;
        s->last_offset = r->offset;
        s->sub = 0;
    }
    int32_t count = 0;
    const uint8_t *own = NULL;
    if (r->headers && r->headers_end > r->headers) {
        size_t used = eddy_varint_get(r->headers, r->headers_end, &count);
        if (used == 0 || count < 0)
            count = 0;
        else
            own = r->headers + used;
    }
    uint8_t hdr[EDDY_VARINT_MAX + 2 + sizeof OP_SRC_HEADER + 16];
    uint8_t *p = hdr;
    p += eddy_varint_put(p, count + 1);
    *p++ = 2 * (uint8_t)(sizeof OP_SRC_HEADER - 1);
    memcpy(p, OP_SRC_HEADER, sizeof OP_SRC_HEADER - 1);
    p += sizeof OP_SRC_HEADER - 1;
    *p++ = 2 * 16;                             /* value length 16 */
    eddy_put_be32(p, (uint32_t)r->partition);
    eddy_put_be64(p + 4, (uint64_t)r->offset);
    eddy_put_be32(p + 12, s->sub);
    p += 16;
    s->hbuf.len = 0;
    if (eddy_buf_append(&s->hbuf, hdr, (size_t)(p - hdr)) ||
        (own && count > 0 && eddy_buf_append(&s->hbuf, own, (size_t)(r->headers_end - own))))
        return EDDY_ENOMEM;
    rec->headers = s->hbuf.data;
    rec->headers_end = s->hbuf.data + s->hbuf.len;
    return 0;
}

int op_internal_headers(const uint8_t *raw, const uint8_t *end, eddy_arena *a,
                        const uint8_t **out, const uint8_t **out_end)
{
    *out = *out_end = NULL;
    int32_t count = 0;
    size_t used = raw && end > raw ? eddy_varint_get(raw, end, &count) : 0;
    if (used == 0 || count < 2)
        return 0;
    /* skip the first header ("eddy.src"): key length, key, value length, value */
    const uint8_t *p = raw + used;
    for (int part = 0; part < 2; part++) {
        int32_t len = 0;
        size_t u = eddy_varint_get(p, end, &len);
        if (u == 0 || (len > 0 && (size_t)(end - p - (ptrdiff_t)u) < (size_t)len))
            return 0;
        p += u + (len > 0 ? (size_t)len : 0);
    }
    size_t rest = (size_t)(end - p);
    uint8_t *h = eddy_arena_alloc(a, EDDY_VARINT_MAX + rest + 1);
    if (!h)
        return EDDY_ENOMEM;
    size_t n = eddy_varint_put(h, count - 1);
    memcpy(h + n, p, rest);
    *out = h;
    *out_end = h + n + rest;
    return 0;
}

/* Encode the key columns of 'cols' into 'kb' and the others into 'vb' (appended). */
static int internal_encode(op_internal_sink *s, const eddy_value *cols, eddy_buf *kb,
                           eddy_buf *vb, eddy_err *e)
{
    int rc = 0;
    for (int c = 0; c < s->ncols && rc == 0; c++)
        rc = c < s->nkeys ? eddy_binval_encode_key(&cols[c], s->types[c], kb, e)
                          : eddy_binval_encode(&cols[c], s->types[c], vb, e);
    return rc;
}

/* Write one table-change record: flag byte, then the new and/or old value columns. */
static int internal_write_change(op_internal_sink *s, const op_row *r, const eddy_value *nw,
                                 const eddy_value *old, eddy_err *err)
{
    uint8_t flag = (uint8_t)((nw ? 1 : 0) | (old ? 2 : 0));
    s->kbuf.len = 0;
    s->vbuf.len = 0;
    s->obuf.len = 0;
    eddy_err e = {0};
    int rc = eddy_buf_append(&s->vbuf, &flag, 1) ? EDDY_ENOMEM : 0;
    if (rc == 0 && nw)
        rc = internal_encode(s, nw, &s->kbuf, &s->vbuf, &e);
    if (rc == 0 && old)
        rc = internal_encode(s, old, nw ? &s->obuf : &s->kbuf, &s->vbuf, &e);
    if (rc) {
        if (rc == EDDY_ENOMEM || e.code == EDDY_ENOMEM)
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory in repartition");
        op__log(&s->base, &e);
        return 0;
    }
    op_sink_record rec = {0};
    rec.key = s->kbuf.data ? s->kbuf.data : (const uint8_t *)"";
    rec.key_len = (int32_t)s->kbuf.len;
    rec.value = s->vbuf.data;
    rec.value_len = (int32_t)s->vbuf.len;
    rec.timestamp = r->rowtime;
    if (src_header(s, r, &rec))
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory in repartition");
    return s->write(s->write_ctx, &rec, err);
}

/* A table change: old and new under one key when it is the same, else two records, the old
 * row first (Kafka Streams' KTableRepartitionMap). */
static int internal_change(op_internal_sink *s, const op_row *r, eddy_err *err)
{
    const eddy_value *nw = r->value_null ? NULL : r->cols;
    const eddy_value *old = r->old;
    if (nw && old) {
        eddy_buf nk, ok;
        eddy_buf_init(&nk);
        eddy_buf_init(&ok);
        eddy_err e = {0};
        int rc = 0;
        for (int c = 0; c < s->nkeys && rc == 0; c++)
            rc = eddy_binval_encode_key(&nw[c], s->types[c], &nk, &e);
        for (int c = 0; c < s->nkeys && rc == 0; c++)
            rc = eddy_binval_encode_key(&old[c], s->types[c], &ok, &e);
        bool same = rc == 0 && nk.len == ok.len && (nk.len == 0 ||
                                                     memcmp(nk.data, ok.data, nk.len) == 0);
        eddy_buf_free(&nk);
        eddy_buf_free(&ok);
        if (same)
            return internal_write_change(s, r, nw, old, err);
    }
    int rc = old ? internal_write_change(s, r, NULL, old, err) : 0;
    if (rc == 0 && nw)
        rc = internal_write_change(s, r, nw, NULL, err);
    return rc;
}

void op_internal_sink_set_table(op *internal_sink, bool table)
{
    ((op_internal_sink *)internal_sink)->table = table;
}

int op_internal_decode_change(const eddy_type *const *types, int ncols, int nkeys,
                              const uint8_t *key, int32_t key_len, const uint8_t *value,
                              int32_t value_len, eddy_arena *a, op_row *row, eddy_err *err)
{
    if (key_len < 0 || value_len < 1 || value[0] == 0 || value[0] > 3)
        return eddy_err_set(err, EDDY_ECORRUPT, "bad internal table record");
    uint8_t flag = value[0];
    size_t n = (size_t)(ncols ? ncols : 1);
    eddy_value *nw = eddy_arena_alloc(a, n * sizeof *nw);
    eddy_value *old = eddy_arena_alloc(a, n * sizeof *old);
    if (!nw || !old)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory decoding records");
    size_t kp = 0, vp = 1;
    for (int c = 0; c < nkeys; c++) {
        size_t used = 0;
        int rc = eddy_binval_decode_key(key + kp, (size_t)key_len - kp, types[c], a, &nw[c],
                                        &used, err);
        if (rc)
            return rc;
        old[c] = nw[c];
        kp += used;
    }
    for (int side = 1; side <= 2; side <<= 1) {
        if (!(flag & side))
            continue;
        eddy_value *cols = side == 1 ? nw : old;
        for (int c = nkeys; c < ncols; c++) {
            size_t used = 0;
            int rc = eddy_binval_decode(value + vp, (size_t)value_len - vp, types[c], a,
                                        &cols[c], &used, err);
            if (rc)
                return rc;
            vp += used;
        }
    }
    if (!(flag & 1))
        for (int c = 0; c < ncols; c++)
            nw[c] = eddy_value_null(types[c]->kind);
    row->cols = nw;
    row->old = flag & 2 ? old : NULL;
    row->value_null = !(flag & 1);
    row->flags |= OP_ROW_CHANGE;
    return 0;
}

static int internal_process(op *self, int port, const op_batch *in, eddy_err *err)
{
    (void)port;
    op_internal_sink *s = (op_internal_sink *)self;
    for (size_t i = 0; i < in->n; i++) {
        const op_row *r = &in->rows[i];
        if (s->table && (r->flags & OP_ROW_CHANGE)) {
            int rc = internal_change(s, r, err);
            if (rc)
                return rc;
            continue;
        }
        s->kbuf.len = 0;
        s->vbuf.len = 0;
        eddy_err e = {0};
        int rc = 0;
        for (int c = 0; c < s->ncols && rc == 0; c++)
            rc = c < s->nkeys ? eddy_binval_encode_key(&r->cols[c], s->types[c], &s->kbuf, &e)
                              : eddy_binval_encode(&r->cols[c], s->types[c], &s->vbuf, &e);
        if (rc) {
            if (e.code == EDDY_ENOMEM)
                return eddy_err_set(err, EDDY_ENOMEM, "out of memory in repartition");
            op__log(self, &e);
            continue;
        }
        op_sink_record rec = {0};
        rec.key = s->kbuf.data ? s->kbuf.data : (const uint8_t *)"";
        rec.key_len = (int32_t)s->kbuf.len;
        rec.value = s->vbuf.data ? s->vbuf.data : (const uint8_t *)"";
        rec.value_len = (int32_t)s->vbuf.len;
        rec.timestamp = r->rowtime;
        if (src_header(s, r, &rec))
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory in repartition");
        if ((rc = s->write(s->write_ctx, &rec, err)) != 0)
            return rc;
    }
    return 0;
}

static void internal_close(op *self)
{
    op_internal_sink *s = (op_internal_sink *)self;
    eddy_buf_free(&s->kbuf);
    eddy_buf_free(&s->vbuf);
    eddy_buf_free(&s->obuf);
    eddy_buf_free(&s->hbuf);
    eddy_free(s);
}

static const op_ops internal_ops = {"repartition", internal_process, NULL, internal_close};

int op_internal_sink_create(op_ctx *ctx, const eddy_type *const *types, int ncols, int nkeys,
                            op_sink_write_fn write, void *write_ctx, op **out, eddy_err *err)
{
    op_internal_sink *s = eddy_calloc(1, sizeof *s);
    if (!s)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory creating a repartition");
    s->base.ops = &internal_ops;
    s->base.name = "Repartition";
    s->base.ctx = ctx;
    s->types = types;
    s->ncols = ncols;
    s->nkeys = nkeys;
    s->write = write;
    s->write_ctx = write_ctx;
    s->last_partition = -1;
    s->last_offset = -1;
    eddy_buf_init(&s->kbuf);
    eddy_buf_init(&s->vbuf);
    eddy_buf_init(&s->obuf);
    eddy_buf_init(&s->hbuf);
    *out = &s->base;
    return 0;
}

int op_internal_decode(const eddy_type *const *types, int ncols, int nkeys, const uint8_t *key,
                       int32_t key_len, const uint8_t *value, int32_t value_len, eddy_arena *a,
                       eddy_value *cols, eddy_err *err)
{
    size_t kp = 0, vp = 0;
    if (key_len < 0 || value_len < 0)
        return eddy_err_set(err, EDDY_ECORRUPT, "internal record without key or value");
    for (int c = 0; c < ncols; c++) {
        size_t used = 0;
        int rc = c < nkeys ? eddy_binval_decode_key(key + kp, (size_t)key_len - kp, types[c], a,
                                                    &cols[c], &used, err)
                           : eddy_binval_decode(value + vp, (size_t)value_len - vp, types[c], a,
                                                &cols[c], &used, err);
        if (rc)
            return rc;
        if (c < nkeys)
            kp += used;
        else
            vp += used;
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Aggregation                                                                                 */

/* A window waiting for EMIT FINAL. */
typedef struct pending {
    int64_t end, start;
    uint8_t *key;
    size_t klen;
} pending;

typedef struct op_aggregate {
    op base;
    const op_agg_spec *spec;
    state_store *store;
    int nout;
    int64_t stream_time;       /* INT64_MIN until the first record */
    int64_t store_time;        /* the largest session end / window start put (INT64_MIN: none) */
    bool restored_pending;     /* EMIT FINAL: pending list rebuilt from the store */
    eddy_buf kbuf, vbuf;
    /* output rows of the current batch */
    op_row *out;
    size_t nout_rows, out_cap;
    /* EMIT FINAL */
    pending *pend;
    size_t npend, pend_cap;
} op_aggregate;

static int64_t get_be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return (int64_t)v;
}

static void put_be64(uint8_t *p, int64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)((uint64_t)v >> (56 - 8 * i));
}

/* Decode a stored group value into 'states' and '*maxts'. */
static int decode_states(op_aggregate *g, const uint8_t *p, size_t len, eddy_value *states,
                         int64_t *maxts, eddy_err *err)
{
    const op_agg_spec *sp = g->spec;
    if (len < 8)
        return eddy_err_set(err, EDDY_ECORRUPT, "aggregate state too short");
    *maxts = get_be64(p);
    size_t off = 8;
    for (int j = 0; j < sp->naggs; j++) {
        size_t used = 0;
        int rc = eddy_binval_decode(p + off, len - off, sp->aggs[j]->state_type,
                                    g->base.ctx->arena, &states[j], &used, err);
        if (rc)
            return rc;
        off += used;
    }
    return 0;
}

static int encode_states(op_aggregate *g, const eddy_value *states, int64_t maxts,
                         eddy_err *err)
{
    const op_agg_spec *sp = g->spec;
    g->vbuf.len = 0;
    uint8_t ts[8];
    put_be64(ts, maxts);
    if (eddy_buf_append(&g->vbuf, ts, 8))
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory in aggregate");
    for (int j = 0; j < sp->naggs; j++) {
        int rc = eddy_binval_encode(&states[j], sp->aggs[j]->state_type, &g->vbuf, err);
        if (rc)
            return rc;
    }
    return 0;
}

static int push_out(op_aggregate *g, op_row **r, eddy_err *err)
{
    if (g->nout_rows == g->out_cap) {
        size_t cap = g->out_cap ? g->out_cap * 2 : 64;
        op_row *n = eddy_arena_alloc(g->base.ctx->arena, cap * sizeof *n);
        if (!n)
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory in aggregate");
        if (g->nout_rows)
            memcpy(n, g->out, g->nout_rows * sizeof *n);
        g->out = n;
        g->out_cap = cap;
    }
    *r = &g->out[g->nout_rows++];
    memset(*r, 0, sizeof **r);
    return 0;
}

/* The output row of a group: keys from 'keys', results of 'states', the headers of 'in' (the
 * record that made the update, as Kafka Streams forwards its record context; may be NULL).
 * Values in the arena. */
static int result_row(op_aggregate *g, const op_row *in, const eddy_value *keys,
                      const eddy_value *states, int64_t maxts, bool windowed, int64_t start,
                      int64_t end, op_row *r, eddy_err *err)
{
    const op_agg_spec *sp = g->spec;
    eddy_arena *a = g->base.ctx->arena;
    r->cols = eddy_arena_alloc(a, (size_t)g->nout * sizeof *r->cols);
    if (!r->cols)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory in aggregate");
    memcpy(r->cols, keys, (size_t)sp->nkeys * sizeof *keys);
    fn_agg_ctx ac = {a, 0};
    for (int j = 0; j < sp->naggs; j++) {
        int rc = fn_agg_result(sp->aggs[j], &ac, &states[j], &r->cols[sp->nkeys + j], err);
        if (rc)
            return rc;
    }
    r->rowtime = maxts;
    if (in) {
        r->headers = in->headers;
        r->headers_end = in->headers_end;
    }
    if (windowed) {
        r->cols[sp->nkeys + sp->naggs] = eddy_value_bigint(start);
        r->cols[sp->nkeys + sp->naggs + 1] = eddy_value_bigint(end);
        r->flags = OP_ROW_WINDOWED;
        r->window_start = start;
        r->window_end = end;
    }
    return 0;
}

static int having_passes(op_aggregate *g, const op_row *r, bool *pass)
{
    fn_ctx fc;
    op__fn_ctx(&g->base, &fc, g->spec->nvars);
    fc.row = r->cols;
    return fn_eval_bool(g->spec->having, &fc, pass) != 0 ? EDDY_ENOMEM : 0;
}

/* Emit 'r' (new value) given whether the previous value existed and passed HAVING. */
static int emit_update(op_aggregate *g, const op_row *r, bool had_old, bool old_pass,
                       eddy_err *err)
{
    bool pass = true;
    if (g->spec->having && having_passes(g, r, &pass))
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory in aggregate");
    if (!pass && !(had_old && old_pass))
        return 0;
    op_row *o = NULL;
    int rc = push_out(g, &o, err);
    if (rc)
        return rc;
    *o = *r;
    if (!pass)
        o->flags |= OP_ROW_TOMBSTONE;
    return 0;
}

static int add_pending(op_aggregate *g, const uint8_t *key, size_t klen, int64_t start,
                       int64_t end, eddy_err *err)
{
    for (size_t i = 0; i < g->npend; i++)
        if (g->pend[i].start == start && g->pend[i].end == end && g->pend[i].klen == klen &&
            memcmp(g->pend[i].key, key, klen) == 0)
            return 0;
    if (g->npend == g->pend_cap) {
        size_t cap = g->pend_cap ? g->pend_cap * 2 : 64;
        pending *n = eddy_realloc(g->pend, cap * sizeof *n);
        if (!n)
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory in aggregate");
        g->pend = n;
        g->pend_cap = cap;
    }
    pending *p = &g->pend[g->npend];
    p->key = eddy_malloc(klen ? klen : 1);
    if (!p->key)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory in aggregate");
    memcpy(p->key, key, klen);
    p->klen = klen;
    p->start = start;
    p->end = end;
    g->npend++;
    return 0;
}

static int pending_cmp(const void *a, const void *b)
{
    const pending *x = a, *y = b;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    size_t n = x->klen < y->klen ? x->klen : y->klen;
    int c = memcmp(x->key, y->key, n);
    if (c)
        return c;
    if (x->klen != y->klen)
        return x->klen < y->klen ? -1 : 1;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* The key columns from stored key bytes. */
static int decode_keys(op_aggregate *g, const uint8_t *k, size_t klen, eddy_value *keys,
                       eddy_err *err)
{
    size_t off = 0;
    for (int c = 0; c < g->spec->nkeys; c++) {
        size_t used = 0;
        int rc = eddy_binval_decode_key(k + off, klen - off, g->spec->key_types[c],
                                        g->base.ctx->arena, &keys[c], &used, err);
        if (rc)
            return rc;
        off += used;
    }
    return 0;
}

/* The value of session [start, end] of 'key': 1 and '*val'/'*vlen', or 0 when it is gone. */
static int session_get(op_aggregate *g, const uint8_t *key, size_t klen, int64_t start,
                       int64_t end, const void **val, size_t *vlen, eddy_err *err)
{
    state_iter *it;
    int rc = state_session_find(g->store, key, klen, end, start, &it, err);
    if (rc)
        return rc;
    state_entry e;
    while ((rc = state_iter_next(it, &e, err)) == 1) {
        if (e.start == start && e.end == end && e.key_len == klen &&
            memcmp(e.key, key, klen) == 0) {
            *val = e.value;
            *vlen = e.value_len;
            break;
        }
    }
    state_iter_close(it);
    return rc;
}

/* EMIT FINAL: emit the pending windows that closed (end + grace <= stream time;
 * sessions: end + gap + grace <= stream time), as Kafka Streams' emit-on-window-close does
 * after each record 'in', whose headers the emitted rows carry. A time window is no longer
 * found (lost) once its start is below the store's time (the largest window start put) less
 * the retention: Kafka Streams' time-ordered window store hides it. */
static int emit_closed(op_aggregate *g, const op_row *in, eddy_err *err)
{
    const op_agg_spec *sp = g->spec;
    if (g->npend == 0)
        return 0;
    qsort(g->pend, g->npend, sizeof *g->pend, pending_cmp);
    size_t i = 0;
    int rc = 0;
    for (; i < g->npend && rc == 0; i++) {
        pending *p = &g->pend[i];
        const void *val;
        size_t vlen;
        if (sp->window == OP_WINDOW_SESSION) {
            if (p->end + sp->size_ms + sp->grace_ms > g->stream_time)
                break;
            if ((rc = session_get(g, p->key, p->klen, p->start, p->end, &val, &vlen, err)) <= 0)
                continue;   /* merged into a later session */
        } else {
            if (p->end + sp->grace_ms > g->stream_time)
                break;
            if (g->store_time != INT64_MIN && p->start < g->store_time - sp->retention_ms)
                continue;   /* no longer in the store's retention: lost, as in Kafka Streams */
            rc = state_window_get(g->store, p->key, p->klen, p->start, &val, &vlen, err);
            if (rc <= 0)
                continue;
        }
        rc = 0;
        eddy_value *states = eddy_arena_alloc(g->base.ctx->arena,
                                              (size_t)(sp->naggs + 1) * sizeof *states);
        eddy_value *keys = eddy_arena_alloc(g->base.ctx->arena,
                                            (size_t)(sp->nkeys + 1) * sizeof *keys);
        if (!states || !keys)
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory in aggregate");
        int64_t maxts;
        op_row r = {0};
        if ((rc = decode_states(g, val, vlen, states, &maxts, err)) ||
            (rc = decode_keys(g, p->key, p->klen, keys, err)) ||
            (rc = result_row(g, in, keys, states, maxts, true, p->start, p->end, &r, err)))
            break;
        rc = emit_update(g, &r, false, false, err);
    }
    for (size_t k = 0; k < i; k++)
        eddy_free(g->pend[k].key);
    memmove(g->pend, g->pend + i, (g->npend - i) * sizeof *g->pend);
    g->npend -= i;
    return rc;
}

/* After a restart, EMIT FINAL must still emit the windows that were open: rebuild the pending
 * list from the store. */
static int restore_pending(op_aggregate *g, eddy_err *err)
{
    g->restored_pending = true;
    state_iter *it;
    int rc = state_store_scan(g->store, NULL, 0, NULL, 0, &it, err);
    if (rc)
        return rc;
    state_entry e;
    while ((rc = state_iter_next(it, &e, err)) == 1) {
        if (g->spec->window != OP_WINDOW_SESSION && e.start > g->store_time)
            g->store_time = e.start;
        if ((rc = add_pending(g, e.key, e.key_len, e.start, e.end, err)) != 0)
            break;
    }
    state_iter_close(it);
    return rc < 0 ? rc : 0;
}

/* Fold row 'in' into the group 'key' (window [start, end) when windowed). */
static int fold(op_aggregate *g, const op_row *in, const uint8_t *key, size_t klen,
                bool windowed, int64_t start, int64_t end, eddy_err *err)
{
    const op_agg_spec *sp = g->spec;
    eddy_arena *a = g->base.ctx->arena;
    const void *val;
    size_t vlen;
    int found = windowed ? state_window_get(g->store, key, klen, start, &val, &vlen, err)
                         : state_kv_get(g->store, key, klen, &val, &vlen, err);
    if (found < 0)
        return found;
    eddy_value *states = eddy_arena_alloc(a, (size_t)(sp->naggs + 1) * sizeof *states);
    if (!states)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory in aggregate");
    int64_t maxts = INT64_MIN;
    fn_agg_ctx ac = {a, in->offset};
    int rc;
    bool old_pass = false;
    if (found) {
        if ((rc = decode_states(g, val, vlen, states, &maxts, err)))
            return rc;
        if (sp->having && !sp->emit_final) {
            op_row old = {0};
            if ((rc = result_row(g, in, in->cols, states, maxts, windowed, start, end, &old, err)))
                return rc;
            if (having_passes(g, &old, &old_pass))
                return eddy_err_set(err, EDDY_ENOMEM, "out of memory in aggregate");
        }
    } else {
        for (int j = 0; j < sp->naggs; j++)
            if ((rc = fn_agg_init(sp->aggs[j], &ac, &states[j], err)))
                return rc;
    }
    for (int j = 0; j < sp->naggs; j++) {
        eddy_err e = {0};
        if (fn_agg_add(sp->aggs[j], &ac, &states[j], &in->cols[sp->agg_args[j]], &e)) {
            if (e.code == EDDY_ENOMEM)
                return eddy_err_set(err, EDDY_ENOMEM, "out of memory in aggregate");
            op__log(&g->base, &e);   /* ksqlDB fails the record: the group is unchanged */
            return 0;
        }
    }
    if (in->rowtime > maxts)
        maxts = in->rowtime;
    if ((rc = encode_states(g, states, maxts, err)))
        return rc;
    rc = windowed ? state_window_put(g->store, key, klen, start, g->vbuf.data, g->vbuf.len, err)
                  : state_kv_put(g->store, key, klen, g->vbuf.data, g->vbuf.len, err);
    if (rc)
        return rc;
    if (windowed && start > g->store_time)
        g->store_time = start;
    if (sp->emit_final)
        return add_pending(g, key, klen, start, end, err);
    op_row r = {0};
    if ((rc = result_row(g, in, in->cols, states, maxts, windowed, start, end, &r, err)))
        return rc;
    return emit_update(g, &r, found == 1, old_pass, err);
}

/* A session found for the record being folded. */
typedef struct found_session {
    int64_t start, end, maxts;
    eddy_value *states;
} found_session;

/* Fold row 'in' into the sessions of 'key' (Kafka Streams' KStreamSessionWindowAggregate):
 * the sessions of the key overlapping [ts - gap, ts + gap] and the record merge into one
 * session [min start, max end] whose states are the found sessions' merged in ascending end
 * order, then the record added. Unless the merged session is [ts, ts] (nothing to merge), each
 * found session is removed and a tombstone is emitted for it (timestamp: its end), then the
 * new session is put and emitted (timestamp: its end). A record whose merged session ends
 * before stream time - gap - grace is dropped (logged) and changes nothing. Sessions ending
 * at or before the store's time (largest end put) - retention are not found, as Kafka
 * Streams' segmented store hides them, whether or not a flush has expired them yet. */
static int session_fold(op_aggregate *g, const op_row *in, const uint8_t *key, size_t klen,
                        eddy_err *err)
{
    const op_agg_spec *sp = g->spec;
    eddy_arena *a = g->base.ctx->arena;
    int64_t ts = in->rowtime, gap = sp->size_ms;
    if (ts > g->stream_time)
        g->stream_time = ts;
    int64_t close = g->stream_time - sp->grace_ms - gap;
    fn_agg_ctx ac = {a, in->offset};
    eddy_value *states = eddy_arena_alloc(a, (size_t)(sp->naggs + 1) * sizeof *states);
    if (!states)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory in aggregate");
    int rc;
    for (int j = 0; j < sp->naggs; j++)
        if ((rc = fn_agg_init(sp->aggs[j], &ac, &states[j], err)))
            return rc;
    /* find and merge (values are decoded into the arena before any write to the store) */
    found_session *found = NULL;
    size_t nfound = 0, cap = 0;
    int64_t start = ts, end = ts;
    state_iter *it;
    if ((rc = state_session_find(g->store, key, klen, ts - gap, ts + gap, &it, err)))
        return rc;
    state_entry e;
    while ((rc = state_iter_next(it, &e, err)) == 1) {
        if (g->store_time != INT64_MIN && e.end <= g->store_time - sp->retention_ms)
            continue;   /* past retention: not seen even before it is expired */
        if (nfound == cap) {
            cap = cap ? cap * 2 : 4;
            found_session *n = eddy_arena_alloc(a, cap * sizeof *n);
            if (!n) {
                rc = eddy_err_set(err, EDDY_ENOMEM, "out of memory in aggregate");
                break;
            }
            if (nfound)
                memcpy(n, found, nfound * sizeof *n);
            found = n;
        }
        found_session *f = &found[nfound];
        f->start = e.start;
        f->end = e.end;
        f->states = eddy_arena_alloc(a, (size_t)(sp->naggs + 1) * sizeof *f->states);
        if (!f->states) {
            rc = eddy_err_set(err, EDDY_ENOMEM, "out of memory in aggregate");
            break;
        }
        if ((rc = decode_states(g, e.value, e.value_len, f->states, &f->maxts, err)))
            break;
        nfound++;
        for (int j = 0; j < sp->naggs && rc == 0; j++)
            rc = fn_agg_merge(sp->aggs[j], &ac, &states[j], &f->states[j], &states[j], err);
        if (rc)
            break;
        if (e.start < start)
            start = e.start;
        if (e.end > end)
            end = e.end;
    }
    state_iter_close(it);
    if (rc < 0)
        return rc;
    if (end < close) {
        eddy_err late = {0};
        eddy_err_set(&late, EDDY_EINVAL,
                     "Skipping record for expired window: session [%lld, %lld] closed at stream "
                     "time %lld", (long long)start, (long long)end, (long long)g->stream_time);
        op__log(&g->base, &late);
        return 0;
    }
    for (int j = 0; j < sp->naggs; j++) {
        eddy_err ae = {0};
        if (fn_agg_add(sp->aggs[j], &ac, &states[j], &in->cols[sp->agg_args[j]], &ae)) {
            if (ae.code == EDDY_ENOMEM)
                return eddy_err_set(err, EDDY_ENOMEM, "out of memory in aggregate");
            op__log(&g->base, &ae);   /* ksqlDB fails the record: the sessions are unchanged */
            return 0;
        }
    }
    if (start != ts || end != ts) {
        for (size_t i = 0; i < nfound; i++) {
            found_session *f = &found[i];
            if ((rc = state_session_remove(g->store, key, klen, f->start, f->end, err)))
                return rc;
            if (sp->emit_final)
                continue;   /* suppression drops tombstones */
            op_row old = {0};
            bool pass = true;
            if ((rc = result_row(g, in, in->cols, f->states, f->end, true, f->start, f->end, &old,
                                 err)))
                return rc;
            if (sp->having && having_passes(g, &old, &pass))
                return eddy_err_set(err, EDDY_ENOMEM, "out of memory in aggregate");
            if (!pass)
                continue;
            op_row *o = NULL;
            if ((rc = push_out(g, &o, err)))
                return rc;
            *o = old;
            o->flags |= OP_ROW_TOMBSTONE;
        }
    }
    if ((rc = encode_states(g, states, end, err)) ||
        (rc = state_session_put(g->store, key, klen, start, end, g->vbuf.data, g->vbuf.len,
                                err)))
        return rc;
    if (end > g->store_time)
        g->store_time = end;
    if (sp->emit_final)
        return add_pending(g, key, klen, start, end, err);
    op_row r = {0};
    if ((rc = result_row(g, in, in->cols, states, end, true, start, end, &r, err)))
        return rc;
    return emit_update(g, &r, false, false, err);
}

/* A table change on group 'key': retract 'undo' (the old row, or NULL) and add 'add' (the
 * new row, or NULL), then emit the group (ksqlDB's KTableAggregate). */
static int table_fold(op_aggregate *g, const op_row *in, const uint8_t *key, size_t klen,
                      const eddy_value *undo, const eddy_value *add, eddy_err *err)
{
    const op_agg_spec *sp = g->spec;
    eddy_arena *a = g->base.ctx->arena;
    const void *val;
    size_t vlen;
    int found = state_kv_get(g->store, key, klen, &val, &vlen, err);
    if (found < 0)
        return found;
    if (!found && !add)
        return 0;   /* nothing to retract from */
    eddy_value *states = eddy_arena_alloc(a, (size_t)(sp->naggs + 1) * sizeof *states);
    if (!states)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory in aggregate");
    int64_t maxts = INT64_MIN;
    fn_agg_ctx ac = {a, in->offset};
    const eddy_value *keys = add ? add : undo;
    bool old_pass = false;
    int rc;
    if (found) {
        if ((rc = decode_states(g, val, vlen, states, &maxts, err)))
            return rc;
        if (sp->having) {
            op_row old = {0};
            if ((rc = result_row(g, in, keys, states, maxts, false, 0, 0, &old, err)))
                return rc;
            if (having_passes(g, &old, &old_pass))
                return eddy_err_set(err, EDDY_ENOMEM, "out of memory in aggregate");
        }
    } else {
        for (int j = 0; j < sp->naggs; j++)
            if ((rc = fn_agg_init(sp->aggs[j], &ac, &states[j], err)))
                return rc;
    }
    for (int j = 0; j < sp->naggs; j++) {
        eddy_err e = {0};
        if ((found && undo && fn_agg_undo(sp->aggs[j], &ac, &states[j],
                                          &undo[sp->agg_args[j]], &e)) ||
            (add && fn_agg_add(sp->aggs[j], &ac, &states[j], &add[sp->agg_args[j]], &e))) {
            if (e.code == EDDY_ENOMEM)
                return eddy_err_set(err, EDDY_ENOMEM, "out of memory in aggregate");
            op__log(&g->base, &e);   /* the record fails: the group is unchanged */
            return 0;
        }
    }
    if (in->rowtime > maxts)
        maxts = in->rowtime;
    if ((rc = encode_states(g, states, maxts, err)))
        return rc;
    if ((rc = state_kv_put(g->store, key, klen, g->vbuf.data, g->vbuf.len, err)))
        return rc;
    op_row r = {0};
    if ((rc = result_row(g, in, keys, states, maxts, false, 0, 0, &r, err)))
        return rc;
    return emit_update(g, &r, found == 1, old_pass, err);
}

/* The store key of the group of 'cols' into 'b'. 1 when encoded, 0 when it cannot be (logged),
 * or EDDY_ENOMEM. */
static int group_key(op_aggregate *g, const eddy_value *cols, eddy_buf *b, eddy_err *err)
{
    b->len = 0;
    eddy_err e = {0};
    for (int c = 0; c < g->spec->nkeys; c++) {
        if (eddy_binval_encode_key(&cols[c], g->spec->key_types[c], b, &e)) {
            if (e.code == EDDY_ENOMEM)
                return eddy_err_set(err, EDDY_ENOMEM, "out of memory in aggregate");
            op__log(&g->base, &e);
            return 0;
        }
    }
    return 1;
}

/* A table change: undo the old row in its group, add the new one to its group; one update
 * when both are in the same group, else the old group's first. */
static int table_change(op_aggregate *g, const op_row *r, eddy_err *err)
{
    const eddy_value *nw = r->value_null ? NULL : r->cols;
    const eddy_value *old = r->old;
    eddy_buf ok;
    eddy_buf_init(&ok);
    int rc = 0, have_old = 0, have_new = 0;
    if (old && (have_old = group_key(g, old, &ok, err)) < 0)
        rc = have_old;
    if (rc == 0 && nw && (have_new = group_key(g, nw, &g->kbuf, err)) < 0)
        rc = have_new;
    if (rc == 0) {
        const uint8_t *nk = g->kbuf.data ? g->kbuf.data : (const uint8_t *)"";
        const uint8_t *okd = ok.data ? ok.data : (const uint8_t *)"";
        if (have_old == 1 && have_new == 1 && ok.len == g->kbuf.len &&
            memcmp(okd, nk, ok.len) == 0) {
            rc = table_fold(g, r, nk, g->kbuf.len, old, nw, err);
        } else {
            if (have_old == 1)
                rc = table_fold(g, r, okd, ok.len, old, NULL, err);
            if (rc == 0 && have_new == 1)
                rc = table_fold(g, r, nk, g->kbuf.len, NULL, nw, err);
        }
    }
    eddy_buf_free(&ok);
    return rc;
}

static int aggregate_process(op *self, int port, const op_batch *in, eddy_err *err)
{
    (void)port;
    op_aggregate *g = (op_aggregate *)self;
    const op_agg_spec *sp = g->spec;
    g->out = NULL;
    g->nout_rows = g->out_cap = 0;
    int rc;
    if (sp->emit_final && !g->restored_pending && (rc = restore_pending(g, err)))
        return rc;
    bool windowed = sp->window != OP_WINDOW_NONE;
    for (size_t i = 0; i < in->n; i++) {
        const op_row *r = &in->rows[i];
        if ((r->flags & OP_ROW_CHANGE) && !windowed) {
            if ((rc = table_change(g, r, err)))
                return rc;
            continue;
        }
        if (r->value_null && !(r->flags & OP_ROW_CHANGE))
            continue;   /* Kafka Streams' stream aggregation skips null values */
        g->kbuf.len = 0;
        eddy_err e = {0};
        for (int c = 0; c < sp->nkeys; c++) {
            if ((rc = eddy_binval_encode_key(&r->cols[c], sp->key_types[c], &g->kbuf, &e)))
                break;
        }
        if (rc) {
            if (e.code == EDDY_ENOMEM)
                return eddy_err_set(err, EDDY_ENOMEM, "out of memory in aggregate");
            op__log(self, &e);
            continue;
        }
        const uint8_t *key = g->kbuf.data ? g->kbuf.data : (const uint8_t *)"";
        size_t klen = g->kbuf.len;
        if (!windowed) {
            if ((rc = fold(g, r, key, klen, false, 0, 0, err)))
                return rc;
            continue;
        }
        if (sp->window == OP_WINDOW_SESSION) {
            if ((rc = session_fold(g, r, key, klen, err)) ||
                (sp->emit_final && (rc = emit_closed(g, r, err))))
                return rc;
            continue;
        }
        int64_t ts = r->rowtime;
        if (ts > g->stream_time)
            g->stream_time = ts;
        int64_t close = g->stream_time - sp->grace_ms;
        int64_t adv = sp->advance_ms;
        int64_t first = ts - sp->size_ms + adv;
        if (first < 0)
            first = 0;
        first -= first % adv;
        for (int64_t s = first; s <= ts; s += adv) {
            int64_t end = s + sp->size_ms;
            if (end <= close) {
                eddy_err late = {0};
                eddy_err_set(&late, EDDY_EINVAL,
                             "Skipping record for expired window: window [%lld, %lld) closed at "
                             "stream time %lld", (long long)s, (long long)end,
                             (long long)g->stream_time);
                op__log(self, &late);
                continue;
            }
            if ((rc = fold(g, r, key, klen, true, s, end, err)))
                return rc;
        }
        if (sp->emit_final && (rc = emit_closed(g, r, err)))
            return rc;
    }
    op_batch out = {g->out, g->nout_rows};
    rc = op_emit(self, &out, err);
    g->out = NULL;
    g->nout_rows = g->out_cap = 0;
    return rc;
}

static int aggregate_flush(op *self, eddy_err *err)
{
    op_aggregate *g = (op_aggregate *)self;
    if (g->spec->window == OP_WINDOW_NONE || g->stream_time == INT64_MIN)
        return 0;
    int64_t before = g->stream_time - g->spec->retention_ms;
    if (g->spec->window == OP_WINDOW_SESSION)
        return state_session_expire(g->store, before, NULL, err);
    return state_window_expire(g->store, before, NULL, err);
}

static void aggregate_close(op *self)
{
    op_aggregate *g = (op_aggregate *)self;
    eddy_buf_free(&g->kbuf);
    eddy_buf_free(&g->vbuf);
    for (size_t i = 0; i < g->npend; i++)
        eddy_free(g->pend[i].key);
    eddy_free(g->pend);
    eddy_free(g);
}

static const op_ops aggregate_ops = {"aggregate", aggregate_process, aggregate_flush,
                                     aggregate_close};

int op_aggregate_create(op_ctx *ctx, const op_agg_spec *spec, state_store *store, op **out,
                        eddy_err *err)
{
    if (spec->window != OP_WINDOW_NONE && (spec->size_ms <= 0 ||
                                           (spec->window != OP_WINDOW_SESSION &&
                                            spec->advance_ms <= 0)))
        return eddy_err_set(err, EDDY_EINVAL, "bad window size or advance");
    op_aggregate *g = eddy_calloc(1, sizeof *g);
    if (!g)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory creating an aggregate");
    g->base.ops = &aggregate_ops;
    g->base.name = "Aggregate";
    g->base.ctx = ctx;
    g->spec = spec;
    g->store = store;
    g->nout = spec->nkeys + spec->naggs + (spec->window != OP_WINDOW_NONE ? 2 : 0);
    g->stream_time = INT64_MIN;
    g->store_time = INT64_MIN;
    eddy_buf_init(&g->kbuf);
    eddy_buf_init(&g->vbuf);
    *out = &g->base;
    return 0;
}
