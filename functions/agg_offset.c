/*
 * functions/agg_offset.c - LATEST_BY_OFFSET and EARLIEST_BY_OFFSET.
 *
 * Semantics from ksqlDB's io.confluent.ksql.function.udaf.offset (LatestByOffset,
 * EarliestByOffset, KudafByOffsetUtils). Forms: F(col) and F(col, ignoreNulls) return one
 * value; F(col, n) and F(col, n, ignoreNulls) return an ARRAY of up to n values, oldest first.
 * ignoreNulls defaults to true: a NULL input is then skipped. n must be 1 or greater
 * ("latestN must be 1 or greater").
 *
 * "By offset" means in processing order: each kept value is tagged with a sequence number,
 * ksqlDB's process-wide counter, here fn_agg_ctx.seq set by the operator. States mirror
 * ksqlDB's: STRUCT<SEQ BIGINT, VAL T> for the single forms (EARLIEST's starts NULL, LATEST's as
 * a struct with a NULL VAL), ARRAY<STRUCT<SEQ BIGINT, VAL T>> for the n forms. Sequences
 * compare as in ksqlDB: a negative one (an overflowed counter) is later than any non-negative
 * one.
 *
 * Merging session windows: the single forms keep the later (LATEST; with ignoreNulls a struct
 * whose VAL is NULL loses) or earlier (EARLIEST) struct; the n forms of both functions
 * concatenate, sort by sequence and keep the *first* n, as ksqlDB does (so a merged
 * LATEST_BY_OFFSET(col, n) keeps the oldest n before the next add trims it). Neither function
 * is a TableUdaf: no undo.
 */
#include <stdlib.h>

#include "agg_int.h"

enum { V_SINGLE, V_SINGLE_NULLS, V_N, V_N_NULLS };

static const fn_sig offset_sigs[] = {
    {"T val", "T"},
    {"T val, BOOLEAN ignoreNulls", "T"},
    {"T val, INTEGER n", "ARRAY<T>"},
    {"T val, INTEGER n, BOOLEAN ignoreNulls", "ARRAY<T>"},
};
static const uint8_t offset_ninit[] = {0, 1, 1, 2};

static int offset_setup(fn_agg_call *c, eddy_arena *a, const fn_agg_arg *args, int nargs,
                        const fn_config *cfg, eddy_err *err)
{
    (void)cfg, (void)nargs;
    c->ignore_nulls = true;
    c->n = 0;
    const eddy_value *n = NULL, *ign = NULL;
    switch (c->variant) {
    case V_SINGLE_NULLS:
        ign = args[1].literal;
        break;
    case V_N:
        n = args[1].literal;
        break;
    case V_N_NULLS:
        n = args[1].literal;
        ign = args[2].literal;
        break;
    default:
        break;
    }
    if (ign)
        c->ignore_nulls = ign->null ? false : ign->u.b;
    if (n) {
        c->n = n->null ? 0 : n->u.i32;
        if (c->n <= 0)
            return eddy_err_set(err, EDDY_EINVAL, "%s must be 1 or greater",
                                c->fn->name[0] == 'L' ? "latestN" : "earliestN");
    }
    static const char *const names[] = {"SEQ", "VAL"};
    const eddy_type *types[] = {EDDY_TYPE_BIGINT, c->arg_types[0]};
    const eddy_type *entry;
    int rc = fn__agg_struct_type(a, names, types, 2, &entry, err);
    if (rc)
        return rc;
    if (c->n == 0) {
        c->state_type = entry;
        return 0;
    }
    c->state_type = eddy_type_array(a, entry);
    return c->state_type ? 0 : fn__agg_nomem(err);
}

/* A new STRUCT<SEQ, VAL> with a copy of 'v'. */
static int entry(fn_agg_ctx *ctx, const eddy_value *v, eddy_value *out, eddy_err *err)
{
    eddy_value *f = fn__agg_items(ctx, 2);
    if (!f)
        return fn__agg_nomem(err);
    f[0] = eddy_value_bigint(ctx->seq);
    int rc = fn__agg_copy(ctx, v, &f[1], err);
    if (rc)
        return rc;
    *out = eddy_value_composite(EDDY_T_STRUCT, f, 2);
    return 0;
}

/* KudafByOffsetUtils.INTERMEDIATE_STRUCT_COMPARATOR on sequences. */
static int seq_cmp(const eddy_value *a, const eddy_value *b)
{
    int64_t x = a->u.items[0].u.i64, y = b->u.items[0].u.i64;
    if (x < 0 && y >= 0)
        return 1;
    if (y < 0 && x >= 0)
        return -1;
    return x < y ? -1 : x > y;
}

/* ... and INTERMEDIATE_STRUCT_COMPARATOR_IGNORE_NULLS: a NULL VAL is the smallest. */
static int seq_cmp_ignore_nulls(const eddy_value *a, const eddy_value *b)
{
    bool na = a->u.items[1].null, nb = b->u.items[1].null;
    if (na && nb)
        return 0;
    if (na)
        return -1;
    if (nb)
        return 1;
    return seq_cmp(a, b);
}

static int offset_result(const fn_agg_call *c, fn_agg_ctx *ctx, const eddy_value *st,
                         eddy_value *out, eddy_err *err)
{
    if (c->n == 0) {
        *out = st->null ? eddy_value_null((eddy_type_kind)c->ret->kind) : st->u.items[1];
        return 0;
    }
    eddy_value *it = fn__agg_items(ctx, st->n);
    if (!it)
        return fn__agg_nomem(err);
    for (uint32_t i = 0; i < st->n; i++)
        it[i] = st->u.items[i].u.items[1];
    *out = eddy_value_composite(EDDY_T_ARRAY, it, st->n);
    return 0;
}

static bool skip(const fn_agg_call *c, const eddy_value *v)
{
    return v->null && c->ignore_nulls;
}

/* Append a new entry for 'v' to list state 'st', keeping only the last 'keep' entries. */
static int list_push(fn_agg_ctx *ctx, eddy_value *st, const eddy_value *v, int64_t keep,
                     eddy_err *err)
{
    uint32_t n = st->n + 1, drop = (int64_t)n > keep ? (uint32_t)(n - keep) : 0;
    eddy_value *it = fn__agg_items(ctx, n - drop);
    if (!it)
        return fn__agg_nomem(err);
    int rc = entry(ctx, v, &it[n - drop - 1], err);
    if (rc)
        return rc;
    if (st->n > drop)
        memcpy(it, st->u.items + drop, (st->n - drop) * sizeof *it);
    *st = eddy_value_composite(EDDY_T_ARRAY, it, n - drop);
    return 0;
}

/* Both n forms merge alike: concatenate, stable sort by sequence, keep the first n. */
static int list_merge(const fn_agg_call *c, fn_agg_ctx *ctx, const eddy_value *a,
                      const eddy_value *b, eddy_value *out, eddy_err *err)
{
    size_t total = (size_t)a->n + b->n;
    eddy_value *all = fn__agg_items(ctx, total);
    if (!all)
        return fn__agg_nomem(err);
    if (a->n)
        memcpy(all, a->u.items, a->n * sizeof *all);
    if (b->n)
        memcpy(all + a->n, b->u.items, b->n * sizeof *all);
    for (size_t i = 1; i < total; i++)       /* insertion sort: stable, lists are short */
        for (size_t j = i; j > 0 && seq_cmp(&all[j - 1], &all[j]) > 0; j--) {
            eddy_value t = all[j];
            all[j] = all[j - 1];
            all[j - 1] = t;
        }
    *out = eddy_value_composite(EDDY_T_ARRAY, all, (uint32_t)EDDY_MIN((int64_t)total, c->n));
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * LATEST_BY_OFFSET
 * ------------------------------------------------------------------------------------------- */

static int latest_init(const fn_agg_call *c, fn_agg_ctx *ctx, eddy_value *st, eddy_err *err)
{
    if (c->n > 0) {
        *st = eddy_value_composite(EDDY_T_ARRAY, NULL, 0);
        return 0;
    }
    eddy_value null = eddy_value_null((eddy_type_kind)c->arg_types[0]->kind);
    return entry(ctx, &null, st, err);
}

static int latest_add(const fn_agg_call *c, fn_agg_ctx *ctx, eddy_value *st,
                      const eddy_value *args, eddy_err *err)
{
    if (skip(c, &args[0]))
        return 0;
    if (c->n > 0)
        return list_push(ctx, st, &args[0], c->n, err);
    return entry(ctx, &args[0], st, err);
}

static int latest_merge(const fn_agg_call *c, fn_agg_ctx *ctx, const eddy_value *a,
                        const eddy_value *b, eddy_value *out, eddy_err *err)
{
    if (c->n > 0)
        return list_merge(c, ctx, a, b, out, err);
    int cmp = c->ignore_nulls ? seq_cmp_ignore_nulls(a, b) : seq_cmp(a, b);
    *out = cmp >= 0 ? *a : *b;
    return 0;
}

static const fn__agg_impl latest_impl = {
    .setup = offset_setup, .init = latest_init, .add = latest_add, .merge = latest_merge,
    .result = offset_result,
};

/* ---------------------------------------------------------------------------------------------
 * EARLIEST_BY_OFFSET
 * ------------------------------------------------------------------------------------------- */

static int earliest_init(const fn_agg_call *c, fn_agg_ctx *ctx, eddy_value *st, eddy_err *err)
{
    (void)ctx, (void)err;
    *st = c->n > 0 ? eddy_value_composite(EDDY_T_ARRAY, NULL, 0)
                   : eddy_value_null(EDDY_T_STRUCT);
    return 0;
}

static int earliest_add(const fn_agg_call *c, fn_agg_ctx *ctx, eddy_value *st,
                        const eddy_value *args, eddy_err *err)
{
    if (c->n > 0) {
        if (skip(c, &args[0]) || (int64_t)st->n >= c->n)
            return 0;
        return list_push(ctx, st, &args[0], c->n, err);
    }
    if (!st->null || skip(c, &args[0]))
        return 0;
    return entry(ctx, &args[0], st, err);
}

static int earliest_merge(const fn_agg_call *c, fn_agg_ctx *ctx, const eddy_value *a,
                          const eddy_value *b, eddy_value *out, eddy_err *err)
{
    if (c->n > 0)
        return list_merge(c, ctx, a, b, out, err);
    if (a->null)
        *out = *b;
    else if (b->null)
        *out = *a;
    else
        *out = seq_cmp(a, b) < 0 ? *a : *b;
    return 0;
}

static const fn__agg_impl earliest_impl = {
    .setup = offset_setup, .init = earliest_init, .add = earliest_add,
    .merge = earliest_merge, .result = offset_result,
};

/* ---------------------------------------------------------------------------------------------
 * Table
 * ------------------------------------------------------------------------------------------- */

const fn_aggregate fn__agg_offset[] = {
    {.name = "LATEST_BY_OFFSET",
     .description = "This function returns the latest value (or the latest N values) for the "
                    "column, computed by offset.",
     .sigs = offset_sigs, .nsigs = (int)EDDY_ARRAY_LEN(offset_sigs), .ninit = offset_ninit,
     .impl = &latest_impl},
    {.name = "EARLIEST_BY_OFFSET",
     .description = "This function returns the oldest value (or the oldest N values) for the "
                    "column, computed by offset.",
     .sigs = offset_sigs, .nsigs = (int)EDDY_ARRAY_LEN(offset_sigs), .ninit = offset_ninit,
     .impl = &earliest_impl},
};
const int fn__nagg_offset = (int)EDDY_ARRAY_LEN(fn__agg_offset);
