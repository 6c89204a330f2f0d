/*
 * operators/op_join.c - the stream-table join (see op_join_create in operators.h).
 *
 * State: the table side materialized in a KV store (logged to the task's changelog like
 * every store, so a restarted task finds it again): key 'j' + the binval key form of the
 * table's key column, value the binval forms of every table row column in order.
 */
#include <string.h>

#include "operators_int.h"

typedef struct op_join {
    op base;
    op_join_spec spec;
    state_store *store;
    eddy_buf key, val;
    int64_t stream_time;
} op_join;

static int store_key(op_join *j, const eddy_value *v, const eddy_type *t, eddy_err *err)
{
    j->key.len = 0;
    if (eddy_buf_append(&j->key, "j", 1))
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    return eddy_binval_encode_key(v, t, &j->key, err);
}

static int table_row(op_join *j, const op_row *r, eddy_err *err)
{
    const op_join_spec *sp = &j->spec;
    const eddy_value *k = &r->cols[sp->right_key];
    if (r->key_null || k->null)
        return 0;
    eddy_err e = {0};
    if (store_key(j, k, sp->right_types[sp->right_key], &e)) {
        if (e.code == EDDY_ENOMEM)
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        op__log(&j->base, &e);
        return 0;
    }
    if (r->value_null)
        return state_kv_delete(j->store, j->key.data, j->key.len, err);
    j->val.len = 0;
    for (int i = 0; i < sp->right_ncols; i++)
        if (eddy_binval_encode(&r->cols[i], sp->right_types[i], &j->val, &e)) {
            if (e.code == EDDY_ENOMEM)
                return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
            op__log(&j->base, &e);
            return 0;
        }
    return state_kv_put(j->store, j->key.data, j->key.len, j->val.data, j->val.len, err);
}

/* The joined row for stream row 'r' into 'out': 1 to emit, 0 to drop, or an error. */
static int stream_row(op_join *j, const op_row *r, op_row *out, eddy_err *err)
{
    const op_join_spec *sp = &j->spec;
    const eddy_value *k = &r->cols[sp->left_key];
    if (r->value_null || k->null)
        return 0;
    eddy_arena *a = j->base.ctx->arena;
    eddy_err e = {0};
    if (store_key(j, k, sp->right_types[sp->right_key], &e)) {
        if (e.code == EDDY_ENOMEM)
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        op__log(&j->base, &e);
        return 0;
    }
    const void *val;
    size_t vlen;
    int found = state_kv_get(j->store, j->key.data, j->key.len, &val, &vlen, err);
    if (found < 0)
        return found;
    if (!found && !sp->left_outer)
        return 0;
    int n = sp->left_ncols + sp->right_ncols;
    eddy_value *cols = eddy_arena_alloc(a, sizeof *cols * (size_t)n);
    if (!cols)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    memcpy(cols, r->cols, sizeof *cols * (size_t)sp->left_ncols);
    eddy_value *rc = cols + sp->left_ncols;
    const uint8_t *p = val;
    size_t left = found ? vlen : 0;
    for (int i = 0; i < sp->right_ncols; i++) {
        if (!found) {
            rc[i] = eddy_value_null(sp->right_types[i]->kind);
            continue;
        }
        size_t used = 0;
        if (eddy_binval_decode(p, left, sp->right_types[i], a, &rc[i], &used, &e)) {
            if (e.code == EDDY_ENOMEM)
                return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
            return eddy_err_set(err, EDDY_ECORRUPT, "bad join state: %s", e.msg);
        }
        p += used;
        left -= used;
    }
    if (sp->out_key >= 0 && sp->out_key < n)
        cols[sp->out_key] = *k;
    *out = *r;
    out->cols = cols;
    out->old = NULL;
    out->flags = 0;
    return 1;
}

/* ---- table-table ---------------------------------------------------------------------- */

static int side_key(op_join *j, int side, const eddy_value *k, eddy_err *err)
{
    const op_join_spec *sp = &j->spec;
    const eddy_type *t = side ? sp->right_types[sp->right_key] : sp->left_types[sp->left_key];
    j->key.len = 0;
    if (eddy_buf_append(&j->key, side ? "r" : "l", 1))
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    return eddy_binval_encode_key(k, t, &j->key, err);
}

/* The stored row of 'side' under j->key: 1 with its columns (in the batch arena) and rowtime,
 * 0 when absent, or an error. */
static int side_get(op_join *j, int side, eddy_value **cols, int64_t *ts, eddy_err *err)
{
    const op_join_spec *sp = &j->spec;
    const void *val;
    size_t vlen;
    int found = state_kv_get(j->store, j->key.data, j->key.len, &val, &vlen, err);
    if (found <= 0)
        return found;
    if (vlen < 8)
        return eddy_err_set(err, EDDY_ECORRUPT, "bad join state");
    int n = side ? sp->right_ncols : sp->left_ncols;
    const eddy_type *const *types = side ? sp->right_types : sp->left_types;
    eddy_value *c = eddy_arena_alloc(j->base.ctx->arena, sizeof *c * (size_t)(n ? n : 1));
    if (!c)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    const uint8_t *p = val;
    *ts = (int64_t)eddy_get_be64(p);
    size_t left = vlen - 8;
    p += 8;
    for (int i = 0; i < n; i++) {
        size_t used = 0;
        eddy_err e = {0};
        if (eddy_binval_decode(p, left, types[i], j->base.ctx->arena, &c[i], &used, &e)) {
            if (e.code == EDDY_ENOMEM)
                return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
            return eddy_err_set(err, EDDY_ECORRUPT, "bad join state: %s", e.msg);
        }
        p += used;
        left -= used;
    }
    *cols = c;
    return 1;
}

static int side_put(op_join *j, int side, const op_row *r, eddy_err *err)
{
    const op_join_spec *sp = &j->spec;
    int n = side ? sp->right_ncols : sp->left_ncols;
    const eddy_type *const *types = side ? sp->right_types : sp->left_types;
    j->val.len = 0;
    if (eddy_buf_reserve(&j->val, 8))
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    eddy_put_be64(j->val.data, (uint64_t)r->rowtime);
    j->val.len = 8;
    for (int i = 0; i < n; i++) {
        eddy_err e = {0};
        if (eddy_binval_encode(&r->cols[i], types[i], &j->val, &e)) {
            if (e.code == EDDY_ENOMEM)
                return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
            op__log(&j->base, &e);
            return 0;
        }
    }
    return state_kv_put(j->store, j->key.data, j->key.len, j->val.data, j->val.len, err);
}

/* The joined row of left row 'l' and right row 'r' (either may be NULL: its columns NULL). */
static eddy_value *joined(op_join *j, const eddy_value *l, const eddy_value *r,
                          const eddy_value *key)
{
    const op_join_spec *sp = &j->spec;
    int n = sp->out_ncols > sp->left_ncols + sp->right_ncols ? sp->out_ncols
                                                            : sp->left_ncols + sp->right_ncols;
    eddy_value *c = eddy_arena_alloc(j->base.ctx->arena, sizeof *c * (size_t)n);
    if (!c)
        return NULL;
    for (int i = 0; i < sp->left_ncols; i++)
        c[i] = l ? l[i] : eddy_value_null(sp->left_types[i]->kind);
    for (int i = 0; i < sp->right_ncols; i++)
        c[sp->left_ncols + i] = r ? r[i] : eddy_value_null(sp->right_types[i]->kind);
    for (int i = sp->left_ncols + sp->right_ncols; i < n; i++)
        c[i] = eddy_value_null(key->kind);
    if (sp->out_key >= 0 && sp->out_key < n)
        c[sp->out_key] = *key;
    if (sp->alt_key >= 0 && sp->alt_key < n)
        c[sp->alt_key] = *key;
    return c;
}

/* A change of the table on 'side': 1 with the change in 'out', 0 when nothing is emitted. */
static int table_change_row(op_join *j, int side, const op_row *r, op_row *out, eddy_err *err)
{
    const op_join_spec *sp = &j->spec;
    const eddy_value *k = &r->cols[side ? sp->right_key : sp->left_key];
    if (r->key_null || k->null)
        return 0;
    eddy_err e = {0};
    if (side_key(j, side, k, &e)) {
        if (e.code == EDDY_ENOMEM)
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        op__log(&j->base, &e);
        return 0;
    }
    eddy_value *old = NULL, *other = NULL;
    int64_t old_ts = 0, other_ts = 0;
    int rc = side_get(j, side, &old, &old_ts, err);
    if (rc < 0)
        return rc;
    if (r->value_null)
        rc = rc ? state_kv_delete(j->store, j->key.data, j->key.len, err) : 0;
    else
        rc = side_put(j, side, r, err);
    if (rc)
        return rc;
    /* the other side (the key buffer is reused) */
    const eddy_value *ko = k;
    if (side_key(j, 1 - side, ko, &e)) {
        if (e.code == EDDY_ENOMEM)
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        op__log(&j->base, &e);
        return 0;
    }
    rc = side_get(j, 1 - side, &other, &other_ts, err);
    if (rc < 0)
        return rc;
    bool this_outer = side ? sp->right_outer : sp->left_outer;
    bool other_outer = side ? sp->left_outer : sp->right_outer;
    if (!other && !this_outer)
        return 0;
    const eddy_value *nw = r->value_null ? NULL : r->cols;
    bool new_out = (nw && other) || (nw && this_outer) || (other && other_outer);
    bool old_out = (old && other) || (old && this_outer) || (other && other_outer);
    const eddy_value *nl = side ? other : nw, *nr = side ? nw : other;
    const eddy_value *ol = side ? other : old, *orr = side ? old : other;
    eddy_value *cols = joined(j, new_out ? nl : NULL, new_out ? nr : NULL, k);
    eddy_value *oldc = old_out ? joined(j, ol, orr, k) : NULL;
    if (!cols || (old_out && !oldc))
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    *out = *r;
    out->cols = cols;
    out->old = oldc;
    out->value_null = !new_out;
    out->key_null = false;
    out->flags = OP_ROW_CHANGE;
    if (other && other_ts > out->rowtime)
        out->rowtime = other_ts;
    return 1;
}

/* ---- stream-stream ------------------------------------------------------------------ */

#define DEFAULT_GRACE_MS (24 * 3600 * 1000LL)

static int64_t retention(const op_join_spec *sp)
{
    return sp->before_ms + sp->after_ms + (sp->grace_ms >= 0 ? sp->grace_ms : DEFAULT_GRACE_MS);
}

/* Append stream row 'r' of 'side' under (j->key, its rowtime): the window's value is a list
 * of rows, each a 4-byte length and the binval forms of the columns. */
static int ss_append(op_join *j, int side, const op_row *r, eddy_err *err)
{
    const op_join_spec *sp = &j->spec;
    int n = side ? sp->right_ncols : sp->left_ncols;
    const eddy_type *const *types = side ? sp->right_types : sp->left_types;
    const void *old;
    size_t olen = 0;
    int found = state_window_get(j->store, j->key.data, j->key.len, r->rowtime, &old, &olen,
                                 err);
    if (found < 0)
        return found;
    j->val.len = 0;
    if (found && eddy_buf_append(&j->val, old, olen))
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    size_t at = j->val.len;
    if (eddy_buf_append(&j->val, "\0\0\0\0", 4))
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        eddy_err e = {0};
        if (eddy_binval_encode(&r->cols[i], types[i], &j->val, &e)) {
            if (e.code == EDDY_ENOMEM)
                return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
            op__log(&j->base, &e);
            return 0;
        }
    }
    eddy_put_be32(j->val.data + at, (uint32_t)(j->val.len - at - 4));
    return state_window_put(j->store, j->key.data, j->key.len, r->rowtime, j->val.data,
                            j->val.len, err);
}

static int ss_emit(op_join *j, op_row **rows, size_t *n, size_t *cap, const op_row *r,
                   eddy_value *cols, int64_t ts)
{
    if (*n == *cap) {
        size_t nc = *cap * 2;
        op_row *b = eddy_arena_alloc(j->base.ctx->arena, sizeof *b * nc);
        if (!b)
            return EDDY_ENOMEM;
        memcpy(b, *rows, sizeof *b * *n);
        *rows = b;
        *cap = nc;
    }
    op_row *o = &(*rows)[(*n)++];
    *o = *r;
    o->cols = cols;
    o->old = NULL;
    o->flags = 0;
    o->rowtime = ts;
    return 0;
}

static int ss_row(op_join *j, int side, const op_row *r, op_row **rows, size_t *n, size_t *cap,
                  eddy_err *err)
{
    const op_join_spec *sp = &j->spec;
    const eddy_value *k = &r->cols[side ? sp->right_key : sp->left_key];
    if (r->key_null || r->value_null || k->null)
        return 0;
    if (r->rowtime > j->stream_time)
        j->stream_time = r->rowtime;
    eddy_err e = {0};
    if (side_key(j, side, k, &e)) {
        if (e.code == EDDY_ENOMEM)
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        op__log(&j->base, &e);
        return 0;
    }
    int rc = ss_append(j, side, r, err);
    if (rc)
        return rc;
    if (side_key(j, 1 - side, k, &e))
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    int64_t from = side ? r->rowtime - sp->after_ms : r->rowtime - sp->before_ms;
    int64_t to = side ? r->rowtime + sp->before_ms : r->rowtime + sp->after_ms;
    state_iter *it = NULL;
    if ((rc = state_window_fetch(j->store, j->key.data, j->key.len, from, to, &it, err)))
        return rc;
    int on = 1 - side;
    int ocols = on ? sp->right_ncols : sp->left_ncols;
    const eddy_type *const *otypes = on ? sp->right_types : sp->left_types;
    eddy_arena *a = j->base.ctx->arena;
    bool matched = false;
    state_entry en;
    while ((rc = state_iter_next(it, &en, err)) == 1) {
        const uint8_t *p = en.value, *end = en.value + en.value_len;
        while (end - p >= 4) {
            uint32_t len = eddy_get_be32(p);
            p += 4;
            if ((size_t)(end - p) < len) {
                state_iter_close(it);
                return eddy_err_set(err, EDDY_ECORRUPT, "bad join window state");
            }
            eddy_value *oc = eddy_arena_alloc(a, sizeof *oc * (size_t)(ocols ? ocols : 1));
            if (!oc) {
                state_iter_close(it);
                return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
            }
            const uint8_t *q = p;
            size_t left = len;
            for (int i = 0; i < ocols; i++) {
                size_t used = 0;
                if (eddy_binval_decode(q, left, otypes[i], a, &oc[i], &used, &e)) {
                    state_iter_close(it);
                    if (e.code == EDDY_ENOMEM)
                        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
                    return eddy_err_set(err, EDDY_ECORRUPT, "bad join window state: %s",
                                        e.msg);
                }
                q += used;
                left -= used;
            }
            p += len;
            eddy_value *cols = side ? joined(j, oc, r->cols, k) : joined(j, r->cols, oc, k);
            if (!cols || ss_emit(j, rows, n, cap, r, cols,
                                 en.start > r->rowtime ? en.start : r->rowtime)) {
                state_iter_close(it);
                return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
            }
            matched = true;
        }
    }
    state_iter_close(it);
    if (rc < 0)
        return rc;
    bool outer = side ? sp->right_outer : sp->left_outer;
    if (!matched && outer) {
        eddy_value *cols = side ? joined(j, NULL, r->cols, k) : joined(j, r->cols, NULL, k);
        if (!cols || ss_emit(j, rows, n, cap, r, cols, r->rowtime))
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    }
    return 0;
}

static int join_flush(op *self, eddy_err *err)
{
    op_join *j = (op_join *)self;
    if (!j->spec.stream_stream || j->stream_time == INT64_MIN)
        return 0;
    return state_window_expire(j->store, j->stream_time - retention(&j->spec), NULL, err);
}

static int join_process(op *self, int port, const op_batch *in, eddy_err *err)
{
    op_join *j = (op_join *)self;
    if (j->spec.stream_stream) {
        size_t cap = in->n * 2 + 4, n = 0;
        op_row *rows = eddy_arena_alloc(self->ctx->arena, sizeof *rows * cap);
        if (!rows)
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        for (size_t i = 0; i < in->n; i++) {
            int rc = ss_row(j, port, &in->rows[i], &rows, &n, &cap, err);
            if (rc)
                return rc;
        }
        if (n == 0)
            return 0;
        op_batch out = {rows, n};
        return op_emit(self, &out, err);
    }
    if (j->spec.table_table) {
        op_row *rows = eddy_arena_alloc(self->ctx->arena, sizeof *rows * (in->n ? in->n : 1));
        if (!rows)
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        size_t n = 0;
        for (size_t i = 0; i < in->n; i++) {
            int rc = table_change_row(j, port, &in->rows[i], &rows[n], err);
            if (rc < 0)
                return rc;
            n += (size_t)rc;
        }
        if (n == 0)
            return 0;
        op_batch out = {rows, n};
        return op_emit(self, &out, err);
    }
    if (port == 1) {
        for (size_t i = 0; i < in->n; i++) {
            int rc = table_row(j, &in->rows[i], err);
            if (rc)
                return rc;
        }
        return 0;
    }
    op_row *rows = eddy_arena_alloc(self->ctx->arena, sizeof *rows * (in->n ? in->n : 1));
    if (!rows)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < in->n; i++) {
        int rc = stream_row(j, &in->rows[i], &rows[n], err);
        if (rc < 0)
            return rc;
        n += (size_t)rc;
    }
    if (n == 0)
        return 0;
    op_batch out = {rows, n};
    return op_emit(self, &out, err);
}

static void join_close(op *self)
{
    op_join *j = (op_join *)self;
    eddy_buf_free(&j->key);
    eddy_buf_free(&j->val);
    eddy_free(j);
}

static const op_ops JOIN_OPS = {"join", join_process, join_flush, join_close};

int op_join_create(op_ctx *ctx, const op_join_spec *spec, state_store *store, op **out,
                   eddy_err *err)
{
    if (spec->left_key < 0 || spec->left_key >= spec->left_ncols || spec->right_key < 0 ||
        spec->right_key >= spec->right_ncols || !store ||
        ((spec->table_table || spec->stream_stream) && !spec->left_types))
        return eddy_err_set(err, EDDY_EINVAL, "bad join specification");
    op_join *j = eddy_calloc(1, sizeof *j);
    if (!j)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    j->base.ops = &JOIN_OPS;
    j->base.name = "Join";
    j->base.ctx = ctx;
    j->spec = *spec;
    j->store = store;
    j->stream_time = INT64_MIN;
    eddy_buf_init(&j->key);
    eddy_buf_init(&j->val);
    *out = &j->base;
    return 0;
}
