/*
 * op_stateless.c - the operators that need no state: filter, project, flatmap (table
 * functions) and the sink.
 *
 * Each works row by row over the incoming batch and emits one batch downstream. Output rows
 * and their values live in the task's batch arena (ctx->arena), which the task resets after
 * the batch has left the pipeline. Expression errors never stop a row: fn_eval turns them
 * into NULLs and reports them to the processing log (ksqlDB's behaviour).
 *
 * A row with a null value (a stream record whose value is null) follows ksqlDB's null
 * GenericRow: filter and flatmap drop it, project keeps it (computing only what reads the key
 * alone), the sink writes a null value and, with a TIMESTAMP expression, stamps it with the
 * stream time (ksqlDB's sink timestamp step). The sink drops records whose timestamp is
 * negative, which Kafka's producer rejects.
 *
 * Table changes (OP_ROW_CHANGE, queries over a TABLE) carry the old row too: the filter
 * decides on both (see filter_process), the projection forwards the new row only.
 */
#include "operators_int.h"

int op_emit(op *self, const op_batch *out, eddy_err *err)
{
    if (!self->next || out->n == 0)
        return 0;
    return self->next->ops->process(self->next, self->next_port, out, err);
}

void op_close(op *o)
{
    if (o && o->ops->close)
        o->ops->close(o);
}

void op__free(op *o) { eddy_free(o); }

void op__log(op *self, const eddy_err *e)
{
    if (self->ctx->log)
        self->ctx->log(self->ctx->log_ctx, self->name, e);
}

/* Expression errors go to the task's processing log with the operator's name. */
static void log_expr(void *log_ctx, const fn_expr *e, const eddy_err *err)
{
    (void)e;
    op__log(log_ctx, err);
}

void op__fn_ctx(op *self, fn_ctx *f, int nvars)
{
    memset(f, 0, sizeof *f);
    f->arena = self->ctx->arena;
    f->vars = nvars > 0 ? eddy_arena_calloc(self->ctx->arena, (size_t)nvars * sizeof(eddy_value))
                        : NULL;
    f->config = self->ctx->fn_config;
    f->log = log_expr;
    f->log_ctx = self;
}

/* ------------------------------------------------------------------------------------------ */
/* Filter                                                                                      */

typedef struct op_filter {
    op base;
    const fn_expr *pred;
    int nvars;
} op_filter;

static int filter_process(op *self, int port, const op_batch *in, eddy_err *err)
{
    (void)port;
    op_filter *f = (op_filter *)self;
    op_row *rows = eddy_arena_alloc(self->ctx->arena, (in->n ? in->n : 1) * sizeof *rows);
    if (!rows)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory in filter");
    fn_ctx fc;
    op__fn_ctx(self, &fc, f->nvars);
    size_t n = 0;
    for (size_t i = 0; i < in->n; i++) {
        const op_row *r = &in->rows[i];
        bool keep = false, old_keep = false;
        if (r->flags & OP_ROW_CHANGE) {
            /* KTableFilter with old values: a new row that fails becomes a delete when the
             * old row passed; nothing is forwarded when neither passed. */
            if (!r->value_null) {
                fc.row = r->cols;
                if (fn_eval_bool(f->pred, &fc, &keep) != 0)
                    return eddy_err_set(err, EDDY_ENOMEM, "out of memory in filter");
            }
            if (r->old) {
                fc.row = r->old;
                if (fn_eval_bool(f->pred, &fc, &old_keep) != 0)
                    return eddy_err_set(err, EDDY_ENOMEM, "out of memory in filter");
            }
            if (!keep && !old_keep)
                continue;
            rows[n] = *r;
            rows[n].old = old_keep ? r->old : NULL;
            if (!keep)
                rows[n].value_null = true;
            n++;
            continue;
        }
        if (r->value_null)
            continue; /* ksqlDB's SqlPredicate drops null values */
        fc.row = r->cols;
        if (fn_eval_bool(f->pred, &fc, &keep) != 0)
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory in filter");
        if (keep)
            rows[n++] = *r;
    }
    op_batch out = {rows, n};
    return op_emit(self, &out, err);
}

static const op_ops filter_ops = {"filter", filter_process, NULL, op__free};

int op_filter_create(op_ctx *ctx, const fn_expr *predicate, int nvars, op **out, eddy_err *err)
{
    op_filter *f = eddy_calloc(1, sizeof *f);
    if (!f)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory creating a filter");
    f->base.ops = &filter_ops;
    f->base.name = "Filter";
    f->base.ctx = ctx;
    f->pred = predicate;
    f->nvars = nvars;
    *out = &f->base;
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Project                                                                                     */

typedef struct op_project {
    op base;
    const fn_expr *const *exprs;
    int nexprs, nvars;
    bool *on_null_value;     /* owned, one per expr: evaluate it for a null-value row */
    bool rekey;              /* the output key is new (PARTITION BY) */
} op_project;

/* Whether 'e' reads no column outside 'cols' (lambda variables and literals read none). */
static bool reads_only(const fn_expr *e, const bool *cols, int ncols)
{
    if (e->kind == FN_COLUMN)
        return e->u.index >= 0 && e->u.index < ncols && cols[e->u.index];
    for (uint32_t i = 0; i < e->nargs; i++)
        if (e->args[i] && !reads_only(e->args[i], cols, ncols))
            return false;
    return true;
}

static int project_process(op *self, int port, const op_batch *in, eddy_err *err)
{
    (void)port;
    op_project *p = (op_project *)self;
    eddy_arena *a = self->ctx->arena;
    op_row *rows = eddy_arena_alloc(a, (in->n ? in->n : 1) * sizeof *rows);
    eddy_value *vals = eddy_arena_alloc(a, (in->n ? in->n : 1) * (size_t)(p->nexprs ? p->nexprs : 1) *
                                               sizeof *vals);
    if (!rows || !vals)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory in project");
    fn_ctx fc;
    op__fn_ctx(self, &fc, p->nvars);
    for (size_t i = 0; i < in->n; i++) {
        rows[i] = in->rows[i];
        rows[i].cols = vals + i * (size_t)p->nexprs;
        rows[i].old = NULL;   /* a table's old row is not needed past a projection */
        rows[i].flags &= (uint8_t)~OP_ROW_CHANGE;
        if (p->rekey)
            rows[i].key_null = false;
        fc.row = in->rows[i].cols;
        bool vnull = in->rows[i].value_null;
        for (int k = 0; k < p->nexprs; k++) {
            if (vnull && !(p->on_null_value && p->on_null_value[k]))
                rows[i].cols[k] = eddy_value_null(p->exprs[k]->type->kind);
            else if (fn_eval(p->exprs[k], &fc, &rows[i].cols[k]) != 0)
                return eddy_err_set(err, EDDY_ENOMEM, "out of memory in project");
        }
    }
    op_batch out = {rows, in->n};
    return op_emit(self, &out, err);
}

static void project_close(op *self)
{
    eddy_free(((op_project *)self)->on_null_value);
    eddy_free(self);
}

static const op_ops project_ops = {"project", project_process, NULL, project_close};

int op_project_set_key_cols(op *project, const bool *in_key_cols, int ncols, bool rekey,
                            eddy_err *err)
{
    op_project *p = (op_project *)project;
    bool *flags = eddy_calloc((size_t)(p->nexprs ? p->nexprs : 1), sizeof *flags);
    if (!flags)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory creating a projection");
    for (int k = 0; k < p->nexprs; k++)
        flags[k] = reads_only(p->exprs[k], in_key_cols, ncols);
    eddy_free(p->on_null_value);
    p->on_null_value = flags;
    p->rekey = rekey;
    return 0;
}

int op_project_create(op_ctx *ctx, const fn_expr *const *exprs, int nexprs, int nvars, op **out,
                      eddy_err *err)
{
    op_project *p = eddy_calloc(1, sizeof *p);
    if (!p)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory creating a projection");
    p->base.ops = &project_ops;
    p->base.name = "Project";
    p->base.ctx = ctx;
    p->exprs = exprs;
    p->nexprs = nexprs;
    p->nvars = nvars;
    *out = &p->base;
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Flatmap: table functions (ksqlDB's KudtfFlatMapper)                                         */

typedef struct op_flatmap {
    op base;
    const fn_expr *const *exprs;
    const fn_expr *const *tfns;
    int nexprs, ntfns, nvars;
} op_flatmap;

static int flatmap_process(op *self, int port, const op_batch *in, eddy_err *err)
{
    (void)port;
    op_flatmap *m = (op_flatmap *)self;
    eddy_arena *a = self->ctx->arena;
    int width = m->nexprs + m->ntfns;
    fn_ctx fc;
    op__fn_ctx(self, &fc, m->nvars);
    eddy_value **produced = eddy_arena_alloc(a, (size_t)(m->ntfns ? m->ntfns : 1) * sizeof *produced);
    uint32_t *counts = eddy_arena_alloc(a, (size_t)(m->ntfns ? m->ntfns : 1) * sizeof *counts);
    eddy_value *args = eddy_arena_alloc(a, 16 * sizeof *args);
    if (!produced || !counts || !args)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory in flatmap");
    for (size_t i = 0; i < in->n; i++) {
        if (in->rows[i].value_null)
            continue; /* ksqlDB's KudtfFlatMapper produces nothing for a null value */
        fc.row = in->rows[i].cols;
        uint32_t most = 0;
        for (int t = 0; t < m->ntfns; t++) {
            const fn_expr *call = m->tfns[t];
            uint32_t na = call->nargs < 16 ? call->nargs : 16;
            for (uint32_t k = 0; k < na; k++)
                if (fn_eval(call->args[k], &fc, &args[k]) != 0)
                    return eddy_err_set(err, EDDY_ENOMEM, "out of memory in flatmap");
            eddy_err e = {0};
            produced[t] = NULL;
            counts[t] = 0;
            if (call->u.call.table_fn->eval(&fc, call, args, (int)na, &produced[t], &counts[t],
                                             &e) != 0) {
                if (e.code == EDDY_ENOMEM)
                    return eddy_err_set(err, EDDY_ENOMEM, "out of memory in flatmap");
                op__log(self, &e);
                counts[t] = 0;
            }
            if (counts[t] > most)
                most = counts[t];
        }
        if (most == 0)
            continue;
        op_row *rows = eddy_arena_alloc(a, most * sizeof *rows);
        eddy_value *vals = eddy_arena_alloc(a, (size_t)most * (size_t)width * sizeof *vals);
        if (!rows || !vals)
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory in flatmap");
        for (int k = 0; k < m->nexprs; k++)
            if (fn_eval(m->exprs[k], &fc, &vals[k]) != 0)
                return eddy_err_set(err, EDDY_ENOMEM, "out of memory in flatmap");
        for (uint32_t r = 0; r < most; r++) {
            rows[r] = in->rows[i];
            rows[r].cols = vals + (size_t)r * (size_t)width;
            if (r > 0)
                memcpy(rows[r].cols, vals, (size_t)m->nexprs * sizeof *vals);
            for (int t = 0; t < m->ntfns; t++)
                rows[r].cols[m->nexprs + t] =
                    r < counts[t] ? produced[t][r] : eddy_value_null(m->tfns[t]->type->kind);
        }
        op_batch out = {rows, most};
        int rc = op_emit(self, &out, err);
        if (rc)
            return rc;
    }
    return 0;
}

static const op_ops flatmap_ops = {"flatmap", flatmap_process, NULL, op__free};

int op_flatmap_create(op_ctx *ctx, const fn_expr *const *exprs, int nexprs,
                      const fn_expr *const *tfns, int ntfns, int nvars, op **out,
                      eddy_err *err)
{
    op_flatmap *m = eddy_calloc(1, sizeof *m);
    if (!m)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory creating a flatmap");
    m->base.ops = &flatmap_ops;
    m->base.name = "FlatMap";
    m->base.ctx = ctx;
    m->exprs = exprs;
    m->nexprs = nexprs;
    m->tfns = tfns;
    m->ntfns = ntfns;
    m->nvars = nvars;
    *out = &m->base;
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Sink                                                                                        */

typedef struct op_sink {
    op base;
    const serde *key, *value;
    const fn_expr *timestamp;
    op_sink_write_fn write;
    void *write_ctx;
    eddy_buf kbuf, vbuf;
    int64_t stream_time;     /* the largest rowtime seen, -1 before any */
    op_window_kind window;
} op_sink;

void op_sink_set_window(op *sink, op_window_kind kind)
{
    ((op_sink *)sink)->window = kind;
}

static int put_be64(eddy_buf *b, int64_t v)
{
    uint8_t x[8];
    for (int i = 0; i < 8; i++)
        x[i] = (uint8_t)((uint64_t)v >> (56 - 8 * i));
    return eddy_buf_append(b, x, 8);
}

int op_window_key_split(op_window_kind kind, int64_t size_ms, const uint8_t *key,
                        int32_t key_len, int32_t *inner_len, int64_t *start, int64_t *end,
                        eddy_err *err)
{
    if (kind == OP_WINDOW_NONE)
        return eddy_err_set(err, EDDY_EINVAL, "the key is not windowed");
    bool session = kind == OP_WINDOW_SESSION;
    int32_t n = session ? 16 : 8;
    if (!key || key_len < n)
        return eddy_err_set(err, EDDY_ECORRUPT,
                            "a %s windowed key needs at least %d bytes, got %d",
                            session ? "session" : "time", (int)n, key ? (int)key_len : 0);
    const uint8_t *suffix = key + key_len - n;
    if (session) {
        *end = (int64_t)eddy_get_be64(suffix);
        *start = (int64_t)eddy_get_be64(suffix + 8);
    } else {
        *start = (int64_t)eddy_get_be64(suffix);
        int64_t size = size_ms > 0 ? size_ms : 0;
        *end = *start > INT64_MAX - size ? INT64_MAX : *start + size;
    }
    *inner_len = key_len - n;
    return 0;
}

static void sink_log(op *self, const char *msg)
{
    eddy_err e = {0};
    eddy_err_set(&e, EDDY_EINVAL, "%s", msg);
    op__log(self, &e);
}

static int sink_process(op *self, int port, const op_batch *in, eddy_err *err)
{
    (void)port;
    op_sink *s = (op_sink *)self;
    fn_ctx fc;
    op__fn_ctx(self, &fc, 0);
    for (size_t i = 0; i < in->n; i++) {
        const op_row *r = &in->rows[i];
        op_sink_record rec = {0};
        rec.timestamp = r->rowtime;
        if (r->rowtime > s->stream_time)
            s->stream_time = r->rowtime;
        if (s->timestamp && r->value_null) {
            /* ksqlDB's sink timestamp step: a null value takes the stream time. */
            rec.timestamp = s->stream_time;
        } else if (s->timestamp) {
            eddy_value ts;
            fc.row = r->cols;
            if (fn_eval(s->timestamp, &fc, &ts) != 0)
                return eddy_err_set(err, EDDY_ENOMEM, "out of memory in sink");
            if (ts.null) {
                sink_log(self, "record dropped: its timestamp is null");
                continue;
            }
            rec.timestamp = ts.u.i64;
        }
        if (rec.timestamp < 0) {
            /* Kafka's producer rejects it: "Timestamp should always be non-negative". */
            sink_log(self, "record dropped: its timestamp is negative");
            continue;
        }
        bool knull = true, vnull = true;
        eddy_err e = {0};
        s->kbuf.len = 0;
        s->vbuf.len = 0;
        bool tomb = r->flags & OP_ROW_TOMBSTONE;
        if ((s->key && !r->key_null &&
             serde_encode(s->key, r->cols, &s->kbuf, &knull, &e) != 0) ||
            (s->value && !r->value_null && !tomb &&
             serde_encode(s->value, r->cols, &s->vbuf, &vnull, &e) != 0)) {
            if (e.code == EDDY_ENOMEM)
                return eddy_err_set(err, EDDY_ENOMEM, "out of memory in sink");
            op__log(self, &e);
            continue;
        }
        if (!knull && s->window != OP_WINDOW_NONE && (r->flags & OP_ROW_WINDOWED)) {
            int wrc = s->window == OP_WINDOW_SESSION
                          ? put_be64(&s->kbuf, r->window_end) || put_be64(&s->kbuf, r->window_start)
                          : put_be64(&s->kbuf, r->window_start);
            if (wrc)
                return eddy_err_set(err, EDDY_ENOMEM, "out of memory in sink");
        }
        rec.key = knull ? NULL : (s->kbuf.data ? s->kbuf.data : (const uint8_t *)"");
        rec.key_len = knull ? -1 : (int32_t)s->kbuf.len;
        rec.value = vnull ? NULL : (s->vbuf.data ? s->vbuf.data : (const uint8_t *)"");
        rec.value_len = vnull ? -1 : (int32_t)s->vbuf.len;
        rec.headers = r->headers;
        rec.headers_end = r->headers_end;
        int rc = s->write(s->write_ctx, &rec, err);
        if (rc)
            return rc;
    }
    return 0;
}

static void sink_close(op *self)
{
    op_sink *s = (op_sink *)self;
    eddy_buf_free(&s->kbuf);
    eddy_buf_free(&s->vbuf);
    eddy_free(s);
}

static const op_ops sink_ops = {"sink", sink_process, NULL, sink_close};

int op_sink_create(op_ctx *ctx, const serde *key_serde, const serde *value_serde,
                   const fn_expr *timestamp, op_sink_write_fn write, void *write_ctx, op **out,
                   eddy_err *err)
{
    op_sink *s = eddy_calloc(1, sizeof *s);
    if (!s)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory creating a sink");
    s->base.ops = &sink_ops;
    s->base.name = "Sink";
    s->base.ctx = ctx;
    s->key = key_serde;
    s->value = value_serde;
    s->timestamp = timestamp;
    s->write = write;
    s->write_ctx = write_ctx;
    s->stream_time = -1;
    eddy_buf_init(&s->kbuf);
    eddy_buf_init(&s->vbuf);
    *out = &s->base;
    return 0;
}
