/*
 * functions/agg_collect.c - aggregates that keep collections of values: COLLECT_LIST,
 * COLLECT_SET, HISTOGRAM, ATTR, COUNT_DISTINCT, TOPK, TOPKDISTINCT.
 *
 * Semantics from ksqlDB's io.confluent.ksql.function.udaf: array.CollectListUdaf and
 * array.CollectSetUdaf (NULL is collected like any value; Java equals decides membership;
 * limits from ksql.functions.collect_list.limit / collect_set.limit; COLLECT_LIST's undo
 * removes the last equal element), map.HistogramUdaf (MAP<STRING, BIGINT> of counts, at most
 * 1000 distinct keys, a NULL input counted under a NULL key as Java's HashMap does),
 * attr.Attr (a list of (VALUE, COUNT) entries; the value when exactly one has a positive
 * count, else NULL), count.CountDistinct, topk.TopkKudaf (descending, stable: among equal sort
 * values the earlier row stays first; with extra columns the elements are
 * STRUCT<sort_col, col0, col1, ...>) and topkdistinct.TopkDistinctKudaf.
 *
 * COUNT_DISTINCT deviates on purpose: ksqlDB estimates with HyperLogLog (2^14 registers),
 * eddy counts exactly, keeping the sorted 64-bit FNV-1a hashes of the values' binval key
 * encodings (stable across versions and restarts). The results are the same for small groups
 * (HyperLogLog's linear counting rounds to the exact count up to about a hundred distinct
 * values) and exact beyond, where ksqlDB's is within about 1%.
 *
 * Collections are small in practice; membership is a linear scan, as in ksqlDB's Lists.
 * Only COLLECT_LIST, HISTOGRAM and ATTR are TableUdafs (undo).
 */
#include <stdio.h>

#include "agg_int.h"

static int empty_array(const fn_agg_call *c, fn_agg_ctx *ctx, eddy_value *st, eddy_err *err)
{
    (void)c, (void)ctx, (void)err;
    *st = eddy_value_composite(EDDY_T_ARRAY, NULL, 0);
    return 0;
}

static int identity_result(const fn_agg_call *c, fn_agg_ctx *ctx, const eddy_value *st,
                           eddy_value *out, eddy_err *err)
{
    (void)c, (void)ctx, (void)err;
    *out = *st;
    return 0;
}

/* Java equals, NULL equal to NULL. */
static long index_of(const eddy_value *items, uint32_t n, const eddy_value *v, bool last)
{
    for (uint32_t k = 0; k < n; k++) {
        uint32_t i = last ? n - 1 - k : k;
        if (fn__java_equals(&items[i], v))
            return (long)i;
    }
    return -1;
}

/* A copy of array 'a' with room for 'extra' more items; 'items' gets the new array. */
static int grow(fn_agg_ctx *ctx, const eddy_value *a, uint32_t extra, eddy_value **items,
                eddy_err *err)
{
    eddy_value *it = fn__agg_items(ctx, (size_t)a->n + extra);
    *items = it;
    if (!it)
        return fn__agg_nomem(err);
    if (a->n)
        memcpy(it, a->u.items, a->n * sizeof *it);
    *items = it;
    return 0;
}

/* Append a copy of 'v' to array state 'st'. */
static int append(fn_agg_ctx *ctx, eddy_value *st, const eddy_value *v, eddy_err *err)
{
    eddy_value *it = NULL;
    int rc = grow(ctx, st, 1, &it, err);
    if (rc == 0)
        rc = fn__agg_copy(ctx, v, &it[st->n], err);
    if (rc)
        return rc;
    *st = eddy_value_composite(EDDY_T_ARRAY, it, st->n + 1);
    return 0;
}

static void remove_at(eddy_value *st, uint32_t i, uint32_t width)
{
    memmove(&st->u.items[i * width], &st->u.items[(i + 1) * width],
            (size_t)(st->n - i - 1) * width * sizeof(eddy_value));
    st->n--;
}

static int limit_of(int configured)
{
    return configured > 0 ? configured : INT32_MAX;
}

/* ---------------------------------------------------------------------------------------------
 * COLLECT_LIST and COLLECT_SET
 * ------------------------------------------------------------------------------------------- */

static int list_setup(fn_agg_call *c, eddy_arena *a, const fn_agg_arg *args, int nargs,
                      const fn_config *cfg, eddy_err *err)
{
    (void)a, (void)args, (void)nargs, (void)err;
    c->limit = limit_of(cfg->collect_list_limit);
    return 0;
}

static int set_setup(fn_agg_call *c, eddy_arena *a, const fn_agg_arg *args, int nargs,
                     const fn_config *cfg, eddy_err *err)
{
    (void)a, (void)args, (void)nargs, (void)err;
    c->limit = limit_of(cfg->collect_set_limit);
    return 0;
}

static int list_add(const fn_agg_call *c, fn_agg_ctx *ctx, eddy_value *st,
                    const eddy_value *args, eddy_err *err)
{
    if (st->n >= (uint32_t)c->limit)
        return 0;
    return append(ctx, st, &args[0], err);
}

static int list_undo(const fn_agg_call *c, fn_agg_ctx *ctx, eddy_value *st,
                     const eddy_value *args, eddy_err *err)
{
    (void)c, (void)ctx, (void)err;
    long i = index_of(st->u.items, st->n, &args[0], true);
    if (i >= 0)
        remove_at(st, (uint32_t)i, 1);
    return 0;
}

static int list_merge(const fn_agg_call *c, fn_agg_ctx *ctx, const eddy_value *a,
                      const eddy_value *b, eddy_value *out, eddy_err *err)
{
    int64_t room = (int64_t)c->limit - a->n;
    uint32_t take = room <= 0 ? 0 : (uint32_t)EDDY_MIN((int64_t)b->n, room);
    eddy_value *it = NULL;
    int rc = grow(ctx, a, take, &it, err);
    if (rc)
        return rc;
    if (take)
        memcpy(&it[a->n], b->u.items, take * sizeof *it);
    *out = eddy_value_composite(EDDY_T_ARRAY, it, a->n + take);
    return 0;
}

static int set_add(const fn_agg_call *c, fn_agg_ctx *ctx, eddy_value *st, const eddy_value *args,
                   eddy_err *err)
{
    if (st->n >= (uint32_t)c->limit || index_of(st->u.items, st->n, &args[0], false) >= 0)
        return 0;
    return append(ctx, st, &args[0], err);
}

static int set_merge(const fn_agg_call *c, fn_agg_ctx *ctx, const eddy_value *a,
                     const eddy_value *b, eddy_value *out, eddy_err *err)
{
    eddy_value *it = NULL;
    int rc = grow(ctx, a, b->n, &it, err);
    if (rc)
        return rc;
    uint32_t n = a->n;
    for (uint32_t i = 0; i < b->n; i++) {
        if (n == (uint32_t)c->limit)
            break;
        if (index_of(it, n, &b->u.items[i], false) < 0)
            it[n++] = b->u.items[i];
    }
    *out = eddy_value_composite(EDDY_T_ARRAY, it, n);
    return 0;
}

static const fn_sig collect_sigs[] = {
    {"T val", "ARRAY<T>"},
};
static const uint8_t one_ninit[] = {0};
static const fn__agg_impl collect_list_impl = {
    .setup = list_setup, .init = empty_array, .add = list_add, .undo = list_undo,
    .merge = list_merge, .result = identity_result,
};
static const fn__agg_impl collect_set_impl = {
    .setup = set_setup, .init = empty_array, .add = set_add, .merge = set_merge,
    .result = identity_result,
};

/* ---------------------------------------------------------------------------------------------
 * HISTOGRAM
 * ------------------------------------------------------------------------------------------- */

#define HISTOGRAM_LIMIT 1000

static int empty_map(const fn_agg_call *c, fn_agg_ctx *ctx, eddy_value *st, eddy_err *err)
{
    (void)c, (void)ctx, (void)err;
    *st = eddy_value_composite(EDDY_T_MAP, NULL, 0);
    return 0;
}

static long map_find(const eddy_value *m, const eddy_value *k)
{
    for (uint32_t i = 0; i < m->n; i++)
        if (fn__java_equals(&m->u.items[2 * i], k))
            return (long)i;
    return -1;
}

/* Add 'count' to key 'k' of map state 'm' when present or when there is room. */
static int hist_put(fn_agg_ctx *ctx, eddy_value *m, const eddy_value *k, int64_t count,
                    eddy_err *err)
{
    long i = map_find(m, k);
    if (i >= 0) {
        m->u.items[2 * i + 1].u.i64 += count;
        return 0;
    }
    if (m->n >= HISTOGRAM_LIMIT)
        return 0;
    eddy_value *it = fn__agg_items(ctx, 2 * ((size_t)m->n + 1));
    if (!it)
        return fn__agg_nomem(err);
    if (m->n)
        memcpy(it, m->u.items, 2 * (size_t)m->n * sizeof *it);
    int rc = fn__agg_copy(ctx, k, &it[2 * m->n], err);
    if (rc)
        return rc;
    it[2 * m->n + 1] = eddy_value_bigint(count);
    *m = eddy_value_composite(EDDY_T_MAP, it, m->n + 1);
    return 0;
}

static int hist_add(const fn_agg_call *c, fn_agg_ctx *ctx, eddy_value *st,
                    const eddy_value *args, eddy_err *err)
{
    (void)c;
    return hist_put(ctx, st, &args[0], 1, err);
}

static int hist_undo(const fn_agg_call *c, fn_agg_ctx *ctx, eddy_value *st,
                     const eddy_value *args, eddy_err *err)
{
    (void)c, (void)ctx, (void)err;
    long i = map_find(st, &args[0]);
    if (i < 0)
        return 0;   /* never counted (beyond the limit) */
    if (--st->u.items[2 * i + 1].u.i64 < 1)
        remove_at(st, (uint32_t)i, 2);
    return 0;
}

static int hist_merge(const fn_agg_call *c, fn_agg_ctx *ctx, const eddy_value *a,
                      const eddy_value *b, eddy_value *out, eddy_err *err)
{
    (void)c;
    eddy_value m;
    int rc = eddy_value_copy(ctx->arena, a, &m, err);
    for (uint32_t i = 0; i < b->n && rc == 0; i++)
        rc = hist_put(ctx, &m, &b->u.items[2 * i], b->u.items[2 * i + 1].u.i64, err);
    if (rc == 0)
        *out = m;
    return rc;
}

static const fn_sig hist_sigs[] = {
    {"STRING val", "MAP<STRING, BIGINT>"},
};
static const fn__agg_impl hist_impl = {
    .init = empty_map, .add = hist_add, .undo = hist_undo, .merge = hist_merge,
    .result = identity_result,
};

/* ---------------------------------------------------------------------------------------------
 * ATTR: state ARRAY<STRUCT<VALUE T, COUNT INT>>
 * ------------------------------------------------------------------------------------------- */

static int attr_setup(fn_agg_call *c, eddy_arena *a, const fn_agg_arg *args, int nargs,
                      const fn_config *cfg, eddy_err *err)
{
    (void)args, (void)nargs, (void)cfg;
    static const char *const names[] = {"VALUE", "COUNT"};
    const eddy_type *types[] = {c->arg_types[0], EDDY_TYPE_INT};
    const eddy_type *entry;
    int rc = fn__agg_struct_type(a, names, types, 2, &entry, err);
    if (rc)
        return rc;
    c->state_type = eddy_type_array(a, entry);
    return c->state_type ? 0 : fn__agg_nomem(err);
}

/* Attr.update: add 'delta' (floored at 0) to the entries equal to 'v'; a new entry when none
 * is and delta is positive. Entries are updated in place. */
static int attr_update(fn_agg_ctx *ctx, eddy_value *st, const eddy_value *v, int32_t delta,
                       eddy_err *err)
{
    bool found = false;
    for (uint32_t i = 0; i < st->n; i++) {
        eddy_value *e = st->u.items[i].u.items;
        if (fn__java_equals(&e[0], v)) {
            found = true;
            int64_t n = (int64_t)e[1].u.i32 + delta;
            e[1].u.i32 = n < 0 ? 0 : (int32_t)EDDY_MIN(n, INT32_MAX);
        }
    }
    if (found || delta <= 0)
        return 0;
    eddy_value *fields = fn__agg_items(ctx, 2), *it = NULL;
    if (!fields)
        return fn__agg_nomem(err);
    int rc = fn__agg_copy(ctx, v, &fields[0], err);
    if (rc == 0)
        rc = grow(ctx, st, 1, &it, err);
    if (rc)
        return rc;
    fields[1] = eddy_value_int(delta);
    it[st->n] = eddy_value_composite(EDDY_T_STRUCT, fields, 2);
    *st = eddy_value_composite(EDDY_T_ARRAY, it, st->n + 1);
    return 0;
}

static int attr_add(const fn_agg_call *c, fn_agg_ctx *ctx, eddy_value *st,
                    const eddy_value *args, eddy_err *err)
{
    (void)c;
    return attr_update(ctx, st, &args[0], 1, err);
}

static int attr_undo(const fn_agg_call *c, fn_agg_ctx *ctx, eddy_value *st,
                     const eddy_value *args, eddy_err *err)
{
    (void)c;
    return attr_update(ctx, st, &args[0], -1, err);
}

static int attr_merge(const fn_agg_call *c, fn_agg_ctx *ctx, const eddy_value *a,
                      const eddy_value *b, eddy_value *out, eddy_err *err)
{
    (void)c;
    eddy_value m;
    int rc = eddy_value_copy(ctx->arena, a, &m, err);   /* entries are updated in place */
    for (uint32_t i = 0; i < b->n && rc == 0; i++) {
        const eddy_value *e = b->u.items[i].u.items;
        rc = attr_update(ctx, &m, &e[0], e[1].u.i32, err);
    }
    if (rc == 0)
        *out = m;
    return rc;
}

static int attr_result(const fn_agg_call *c, fn_agg_ctx *ctx, const eddy_value *st,
                       eddy_value *out, eddy_err *err)
{
    (void)ctx, (void)err;
    const eddy_value *only = NULL;
    int live = 0;
    for (uint32_t i = 0; i < st->n; i++) {
        const eddy_value *e = st->u.items[i].u.items;
        if (e[1].u.i32 > 0) {
            live++;
            only = &e[0];
        }
    }
    *out = live == 1 ? *only : eddy_value_null((eddy_type_kind)c->ret->kind);
    return 0;
}

static const fn_sig attr_sigs[] = {
    {"T val", "T"},
};
static const fn__agg_impl attr_impl = {
    .setup = attr_setup, .init = empty_array, .add = attr_add, .undo = attr_undo,
    .merge = attr_merge, .result = attr_result,
};

/* ---------------------------------------------------------------------------------------------
 * COUNT_DISTINCT: state ARRAY<BIGINT>, the sorted distinct hashes
 * ------------------------------------------------------------------------------------------- */

static int cd_setup(fn_agg_call *c, eddy_arena *a, const fn_agg_arg *args, int nargs,
                    const fn_config *cfg, eddy_err *err)
{
    (void)args, (void)nargs, (void)cfg;
    c->state_type = eddy_type_array(a, EDDY_TYPE_BIGINT);
    return c->state_type ? 0 : fn__agg_nomem(err);
}

/* 64-bit FNV-1a, written out here because the on-disk state depends on it. */
static int64_t fnv1a64(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return (int64_t)h;
}

/* Insert 'h' into sorted 'st' unless present. */
static int cd_insert(fn_agg_ctx *ctx, eddy_value *st, int64_t h, eddy_err *err)
{
    uint32_t lo = 0, hi = st->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (st->u.items[mid].u.i64 < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < st->n && st->u.items[lo].u.i64 == h)
        return 0;
    eddy_value *it = fn__agg_items(ctx, (size_t)st->n + 1);
    if (!it)
        return fn__agg_nomem(err);
    if (lo)
        memcpy(it, st->u.items, lo * sizeof *it);
    it[lo] = eddy_value_bigint(h);
    if (st->n > lo)
        memcpy(&it[lo + 1], &st->u.items[lo], (st->n - lo) * sizeof *it);
    *st = eddy_value_composite(EDDY_T_ARRAY, it, st->n + 1);
    return 0;
}

static int cd_add(const fn_agg_call *c, fn_agg_ctx *ctx, eddy_value *st, const eddy_value *args,
                  eddy_err *err)
{
    if (args[0].null)
        return 0;
    eddy_buf b;
    eddy_buf_init(&b);
    int rc = eddy_binval_encode_key(&args[0], c->arg_types[0], &b, err);
    if (rc == 0)
        rc = cd_insert(ctx, st, fnv1a64(b.data, b.len), err);
    eddy_buf_free(&b);
    return rc;
}

static int cd_merge(const fn_agg_call *c, fn_agg_ctx *ctx, const eddy_value *a,
                    const eddy_value *b, eddy_value *out, eddy_err *err)
{
    (void)c;
    eddy_value *it = fn__agg_items(ctx, (size_t)a->n + b->n);
    if (!it)
        return fn__agg_nomem(err);
    uint32_t i = 0, j = 0, n = 0;
    while (i < a->n || j < b->n) {
        int64_t x = i < a->n ? a->u.items[i].u.i64 : 0, y = j < b->n ? b->u.items[j].u.i64 : 0;
        if (j >= b->n || (i < a->n && x < y)) {
            it[n++] = a->u.items[i++];
        } else if (i >= a->n || y < x) {
            it[n++] = b->u.items[j++];
        } else {
            it[n++] = a->u.items[i++];
            j++;
        }
    }
    *out = eddy_value_composite(EDDY_T_ARRAY, it, n);
    return 0;
}

static int cd_result(const fn_agg_call *c, fn_agg_ctx *ctx, const eddy_value *st,
                     eddy_value *out, eddy_err *err)
{
    (void)c, (void)ctx, (void)err;
    *out = eddy_value_bigint(st->n);
    return 0;
}

static const fn_sig cd_sigs[] = {
    {"T val", "BIGINT"},
};
static const fn__agg_impl cd_impl = {
    .setup = cd_setup, .init = empty_array, .add = cd_add, .merge = cd_merge,
    .result = cd_result,
};

/* ---------------------------------------------------------------------------------------------
 * TOPK and TOPKDISTINCT
 * ------------------------------------------------------------------------------------------- */

/* The sort value of a TOPK element (the element itself, or its sort_col field). */
static const eddy_value *sort_val(const fn_agg_call *c, const eddy_value *e)
{
    return c->ncols > 1 ? &e->u.items[0] : e;
}

/* k from the last argument, an INT literal. */
static int read_k(fn_agg_call *c, const fn_agg_arg *args, int nargs, eddy_err *err)
{
    const eddy_value *k = args[nargs - 1].literal;
    if (!k || k->null)
        return eddy_err_set(err, EDDY_EINVAL, "%s: k must not be NULL", c->fn->name);
    c->n = k->kind == EDDY_T_BIGINT ? k->u.i64 : k->u.i32;
    return 0;
}

static const fn_sig topk_sigs[] = {
    {"INTEGER val, INTEGER k", "ARRAY<INTEGER>"},
    {"BIGINT val, INTEGER k", "ARRAY<BIGINT>"},
    {"DOUBLE val, INTEGER k", "ARRAY<DOUBLE>"},
    {"STRING val, INTEGER k", "ARRAY<STRING>"},
};
static const uint8_t topk_ninit[] = {1, 1, 1, 1};

/* TOPK(val, [col, ...,] k): the value's overload is matched on (val, k); the other columns
 * may have any type and make the elements STRUCT<sort_col, col0, col1, ...>. */
static int topk_resolve(const fn_aggregate *f, fn_agg_call *c, eddy_arena *a,
                        const fn_agg_arg *args, int nargs, eddy_err *err)
{
    fn_arg two[2];
    memset(two, 0, sizeof two);
    if (nargs >= 2) {
        two[0].type = args[0].type && args[0].type->kind != EDDY_T_NULL ? args[0].type : NULL;
        two[1].type = args[nargs - 1].type && args[nargs - 1].type->kind != EDDY_T_NULL
                          ? args[nargs - 1].type
                          : NULL;
    }
    fn_resolved r;
    memset(&r, 0, sizeof r);
    int rc = fn__resolve_sigs(f->name, f->sigs, f->nsigs, a, two, nargs >= 2 ? 2 : nargs, &r,
                              err);
    if (rc)
        return rc;
    c->variant = r.variant;
    c->ncols = nargs - 1;
    c->casts = eddy_arena_calloc(a, sizeof *c->casts * (size_t)nargs);
    if (!c->casts)
        return fn__agg_nomem(err);
    c->casts[0] = r.casts[0];
    if (nargs == 2) {
        c->ret = r.ret;
        return 0;
    }
    const char **names = eddy_arena_calloc(a, sizeof *names * (size_t)c->ncols);
    const eddy_type **types = eddy_arena_calloc(a, sizeof *types * (size_t)c->ncols);
    if (!names || !types)
        return fn__agg_nomem(err);
    names[0] = "sort_col";
    types[0] = r.ret->elem;
    for (int i = 1; i < c->ncols; i++) {
        char buf[24];
        snprintf(buf, sizeof buf, "col%d", i - 1);
        names[i] = eddy_arena_strdup(a, buf);
        types[i] = args[i].type ? args[i].type : EDDY_TYPE_NULL;
        if (!names[i])
            return fn__agg_nomem(err);
    }
    const eddy_type *st;
    rc = fn__agg_struct_type(a, names, types, (uint32_t)c->ncols, &st, err);
    if (rc)
        return rc;
    c->ret = eddy_type_array(a, st);
    return c->ret ? 0 : fn__agg_nomem(err);
}

static int topk_setup(fn_agg_call *c, eddy_arena *a, const fn_agg_arg *args, int nargs,
                      const fn_config *cfg, eddy_err *err)
{
    (void)a, (void)cfg;
    return read_k(c, args, nargs, err);
}

/* Move the last element left past the smaller ones (a stable descending insertion). */
static void sift_last(const fn_agg_call *c, eddy_value *items, uint32_t n)
{
    for (uint32_t i = n - 1; i > 0; i--) {
        if (fn__agg_java_compare(sort_val(c, &items[i]), sort_val(c, &items[i - 1])) <= 0)
            break;
        eddy_value t = items[i];
        items[i] = items[i - 1];
        items[i - 1] = t;
    }
}

/* Put 'e' (already in ctx->arena) into the top-k list 'st': replace the last element when
 * full, else append; then re-sort. */
static int topk_place(const fn_agg_call *c, fn_agg_ctx *ctx, eddy_value *st,
                      const eddy_value *e, eddy_err *err)
{
    if ((int64_t)st->n == c->n) {
        st->u.items[st->n - 1] = *e;
    } else {
        eddy_value *it = NULL;
        int rc = grow(ctx, st, 1, &it, err);
        if (rc)
            return rc;
        it[st->n] = *e;
        *st = eddy_value_composite(EDDY_T_ARRAY, it, st->n + 1);
    }
    sift_last(c, st->u.items, st->n);
    return 0;
}

static int topk_add(const fn_agg_call *c, fn_agg_ctx *ctx, eddy_value *st,
                    const eddy_value *args, eddy_err *err)
{
    if (args[0].null || c->n <= 0)
        return 0;
    if (st->n > 0 && (int64_t)st->n == c->n &&
        fn__agg_java_compare(&args[0], sort_val(c, &st->u.items[st->n - 1])) <= 0)
        return 0;
    eddy_value e;
    int rc;
    if (c->ncols == 1) {
        rc = fn__agg_copy(ctx, &args[0], &e, err);
    } else {
        eddy_value *f = fn__agg_items(ctx, (size_t)c->ncols);
        if (!f)
            return fn__agg_nomem(err);
        rc = 0;
        for (int i = 0; i < c->ncols && rc == 0; i++)
            rc = fn__agg_copy(ctx, &args[i], &f[i], err);
        e = eddy_value_composite(EDDY_T_STRUCT, f, (uint32_t)c->ncols);
    }
    return rc ? rc : topk_place(c, ctx, st, &e, err);
}

/* TopkKudaf.merge: the k largest of two descending lists, ties from 'a' first. */
static int topk_merge(const fn_agg_call *c, fn_agg_ctx *ctx, const eddy_value *a,
                      const eddy_value *b, eddy_value *out, eddy_err *err)
{
    uint32_t cap = (uint32_t)EDDY_MIN((int64_t)a->n + b->n, EDDY_MAX(c->n, 0));
    eddy_value *it = fn__agg_items(ctx, cap);
    if (!it)
        return fn__agg_nomem(err);
    uint32_t i = 0, j = 0, n = 0;
    while (n < cap) {
        const eddy_value *x = i < a->n ? &a->u.items[i] : NULL;
        const eddy_value *y = j < b->n ? &b->u.items[j] : NULL;
        if (!x && !y)
            break;
        if (x && (!y || fn__agg_java_compare(sort_val(c, x), sort_val(c, y)) >= 0)) {
            it[n++] = *x;
            i++;
        } else {
            it[n++] = *y;
            j++;
        }
    }
    *out = eddy_value_composite(EDDY_T_ARRAY, it, n);
    return 0;
}

static const fn__agg_impl topk_impl = {
    .setup = topk_setup, .resolve = topk_resolve, .init = empty_array, .add = topk_add,
    .merge = topk_merge, .result = identity_result,
};

static int array_of_first(eddy_arena *a, const fn_arg *args, int nargs, const eddy_type **ret,
                          eddy_err *err)
{
    const eddy_type *t = nargs > 0 && args[0].type ? args[0].type : EDDY_TYPE_NULL;
    *ret = eddy_type_array(a, t);
    return *ret ? 0 : fn__agg_nomem(err);
}

static const fn_sig topkd_sigs[] = {
    {"INTEGER val, INTEGER k", NULL, array_of_first},
    {"BIGINT val, INTEGER k", NULL, array_of_first},
    {"DOUBLE val, INTEGER k", NULL, array_of_first},
    {"STRING val, INTEGER k", NULL, array_of_first},
    {"DECIMAL val, INTEGER k", NULL, array_of_first},
    {"DATE val, INTEGER k", NULL, array_of_first},
    {"TIME val, INTEGER k", NULL, array_of_first},
    {"TIMESTAMP val, INTEGER k", NULL, array_of_first},
    {"BYTES val, INTEGER k", NULL, array_of_first},
};
static const uint8_t topkd_ninit[] = {1, 1, 1, 1, 1, 1, 1, 1, 1};

static int topkd_add(const fn_agg_call *c, fn_agg_ctx *ctx, eddy_value *st,
                     const eddy_value *args, eddy_err *err)
{
    if (args[0].null || c->n <= 0)
        return 0;
    if ((int64_t)st->n == c->n &&
        fn__agg_java_compare(&args[0], &st->u.items[st->n - 1]) <= 0)
        return 0;
    if (index_of(st->u.items, st->n, &args[0], false) >= 0)
        return 0;
    eddy_value e;
    int rc = fn__agg_copy(ctx, &args[0], &e, err);
    return rc ? rc : topk_place(c, ctx, st, &e, err);
}

/* TopkDistinctKudaf.merge: the k largest distinct values of two descending lists. */
static int topkd_merge(const fn_agg_call *c, fn_agg_ctx *ctx, const eddy_value *a,
                       const eddy_value *b, eddy_value *out, eddy_err *err)
{
    uint32_t cap = (uint32_t)EDDY_MIN((int64_t)a->n + b->n, EDDY_MAX(c->n, 0));
    eddy_value *it = fn__agg_items(ctx, cap);
    if (!it)
        return fn__agg_nomem(err);
    uint32_t i = 0, j = 0, n = 0;
    for (uint32_t step = 0; step < cap; step++) {
        const eddy_value *x = i < a->n ? &a->u.items[i] : NULL;
        const eddy_value *y = j < b->n ? &b->u.items[j] : NULL;
        if (!x && !y)
            break;
        int cmp = x && y ? fn__agg_java_compare(x, y) : 0;
        if (x && (!y || cmp > 0)) {
            it[n++] = *x;
            i++;
        } else if (!x || cmp < 0) {
            it[n++] = *y;
            j++;
        } else {
            it[n++] = *x;
            i++;
            j++;
        }
    }
    *out = eddy_value_composite(EDDY_T_ARRAY, it, n);
    return 0;
}

static const fn__agg_impl topkd_impl = {
    .setup = topk_setup, .init = empty_array, .add = topkd_add, .merge = topkd_merge,
    .result = identity_result,
};

/* ---------------------------------------------------------------------------------------------
 * Table
 * ------------------------------------------------------------------------------------------- */

#define AGG(nm, desc, sigarr, ninitarr, implp)                                                \
    {.name = (nm), .description = (desc), .sigs = (sigarr),                                 \
     .nsigs = (int)EDDY_ARRAY_LEN(sigarr), .ninit = (ninitarr), .impl = (implp)}

const fn_aggregate fn__agg_collect[] = {
    AGG("COLLECT_LIST",
        "Gather all of the values from an input grouping into a single Array field.",
        collect_sigs, one_ninit, &collect_list_impl),
    AGG("COLLECT_SET",
        "Gather all of the distinct values from an input grouping into a single Array.",
        collect_sigs, one_ninit, &collect_set_impl),
    AGG("HISTOGRAM",
        "Returns a map of each distinct String from the input Stream or Table and how many "
        "times each occurs.",
        hist_sigs, one_ninit, &hist_impl),
    AGG("ATTR",
        "The value of the column when all rows of the group have the same value, else NULL.",
        attr_sigs, one_ninit, &attr_impl),
    AGG("COUNT_DISTINCT", "This function returns the number of distinct items found in a group.",
        cd_sigs, one_ninit, &cd_impl),
    AGG("TOPK", "Returns the top k values for a column and other values in those records.",
        topk_sigs, topk_ninit, &topk_impl),
    AGG("TOPKDISTINCT", "Computes the top k distinct values for a column, per key.",
        topkd_sigs, topkd_ninit, &topkd_impl),
};
const int fn__nagg_collect = (int)EDDY_ARRAY_LEN(fn__agg_collect);
