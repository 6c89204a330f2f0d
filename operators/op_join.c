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
    *out = *r;
    out->cols = cols;
    out->old = NULL;
    out->flags = 0;
    return 1;
}

static int join_process(op *self, int port, const op_batch *in, eddy_err *err)
{
    op_join *j = (op_join *)self;
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

static const op_ops JOIN_OPS = {"join", join_process, NULL, join_close};

int op_join_create(op_ctx *ctx, const op_join_spec *spec, state_store *store, op **out,
                   eddy_err *err)
{
    if (spec->left_key < 0 || spec->left_key >= spec->left_ncols || spec->right_key < 0 ||
        spec->right_key >= spec->right_ncols || !store)
        return eddy_err_set(err, EDDY_EINVAL, "bad join specification");
    op_join *j = eddy_calloc(1, sizeof *j);
    if (!j)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    j->base.ops = &JOIN_OPS;
    j->base.name = "Join";
    j->base.ctx = ctx;
    j->spec = *spec;
    j->store = store;
    eddy_buf_init(&j->key);
    eddy_buf_init(&j->val);
    *out = &j->base;
    return 0;
}
