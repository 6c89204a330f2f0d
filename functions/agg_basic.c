/*
 * functions/agg_basic.c - numeric and comparable aggregates: COUNT, SUM, SUM_LIST, AVG, MIN,
 * MAX, STDDEV_SAMP, STDDEV_SAMPLE, CORRELATION.
 *
 * Semantics from ksqlDB's io.confluent.ksql.function.udaf: count.CountKudaf, sum.SumKudaf
 * (IntegerSumKudaf, LongSumKudaf, DoubleSumKudaf, DecimalSumKudaf), sum.ListSumUdaf,
 * average.AverageUdaf, BaseComparableKudaf with min.MinKudaf and max.MaxKudaf,
 * stddev.StandardDeviationSampUdaf and StandardDeviationSampleUdaf, and
 * correlation.CorrelationUdaf. Java arithmetic is kept: INT and BIGINT sums wrap, AVG divides
 * the sum by the count as doubles (0.0 for an empty group), DECIMAL sums keep the input's
 * precision and scale and fail beyond it.
 *
 * Two ksqlDB quirks are reproduced on purpose: STDDEV_SAMP returns the sample *variance*
 * (M2 / (n - 1), no square root; STDDEV_SAMPLE takes the root), and both use ksqlDB's
 * Youngs-Cramer update formulas including those for undo and merge (whose integer variants
 * of STDDEV_SAMP divide sums by counts in integer arithmetic when merging).
 *
 * States mirror ksqlDB's intermediate types: COUNT BIGINT; SUM and MIN/MAX the input type
 * (MIN/MAX start NULL); AVG STRUCT<SUM, COUNT>; the standard deviations STRUCT<SUM, COUNT,
 * M2>; CORRELATION STRUCT<X_SUM, Y_SUM, X_SQUARED_SUM, Y_SQUARED_SUM, XY_SUM, COUNT>.
 * MIN and MAX are not TableUdafs in ksqlDB and have no undo.
 */
#include <math.h>

#include "agg_int.h"

/* Java int/long arithmetic: wrap on overflow. */
static int32_t jadd32(int32_t a, int32_t b) { return (int32_t)((uint32_t)a + (uint32_t)b); }
static int32_t jsub32(int32_t a, int32_t b) { return (int32_t)((uint32_t)a - (uint32_t)b); }
static int64_t jadd64(int64_t a, int64_t b) { return (int64_t)((uint64_t)a + (uint64_t)b); }
static int64_t jsub64(int64_t a, int64_t b) { return (int64_t)((uint64_t)a - (uint64_t)b); }
static int64_t jmul64(int64_t a, int64_t b) { return (int64_t)((uint64_t)a * (uint64_t)b); }

/* ---------------------------------------------------------------------------------------------
 * COUNT (CountKudaf): COUNT(x) counts non-NULL values, COUNT() and COUNT(*) every row.
 * ------------------------------------------------------------------------------------------- */

static int count_init(const fn_agg_call *c, fn_agg_ctx *ctx, eddy_value *st, eddy_err *err)
{
    (void)c, (void)ctx, (void)err;
    *st = eddy_value_bigint(0);
    return 0;
}

static int count_add(const fn_agg_call *c, fn_agg_ctx *ctx, eddy_value *st,
                     const eddy_value *args, eddy_err *err)
{
    (void)ctx, (void)err;
    if (c->ncols == 0 || !args[0].null)
        st->u.i64 = jadd64(st->u.i64, 1);
    return 0;
}

static int count_undo(const fn_agg_call *c, fn_agg_ctx *ctx, eddy_value *st,
                      const eddy_value *args, eddy_err *err)
{
    (void)ctx, (void)err;
    if (c->ncols == 0 || !args[0].null)
        st->u.i64 = jsub64(st->u.i64, 1);
    return 0;
}

static int count_merge(const fn_agg_call *c, fn_agg_ctx *ctx, const eddy_value *a,
                       const eddy_value *b, eddy_value *out, eddy_err *err)
{
    (void)c, (void)ctx, (void)err;
    *out = eddy_value_bigint(jadd64(a->u.i64, b->u.i64));
    return 0;
}

static int identity_result(const fn_agg_call *c, fn_agg_ctx *ctx, const eddy_value *st,
                           eddy_value *out, eddy_err *err)
{
    (void)c, (void)ctx, (void)err;
    *out = *st;
    return 0;
}

static const fn_sig count_sigs[] = {
    {"T val", "BIGINT"},
    {"", "BIGINT"},
};
static const uint8_t count_ninit[] = {0, 0};
static const fn__agg_impl count_impl = {
    .init = count_init, .add = count_add, .undo = count_undo, .merge = count_merge,
    .result = identity_result,
};

/* ---------------------------------------------------------------------------------------------
 * SUM (SumKudaf) and SUM_LIST (ListSumUdaf)
 * ------------------------------------------------------------------------------------------- */

enum { SUM_DECIMAL, SUM_DOUBLE, SUM_BIGINT, SUM_INT };

static eddy_value zero_of(const eddy_type *t)
{
    eddy_value v;
    switch (t->kind) {
    case EDDY_T_INT:
        return eddy_value_int(0);
    case EDDY_T_BIGINT:
        return eddy_value_bigint(0);
    case EDDY_T_DOUBLE:
        return eddy_value_double(0.0);
    default: {
        eddy_decimal d = {0, t->scale};
        v = eddy_value_decimal(&d);
        return v;
    }
    }
}

static int sum_init(const fn_agg_call *c, fn_agg_ctx *ctx, eddy_value *st, eddy_err *err)
{
    (void)ctx, (void)err;
    *st = zero_of(c->state_type);
    return 0;
}

static __int128 pow10_128(int n)
{
    __int128 p = 1;
    while (n-- > 0)
        p *= 10;
    return p;
}

/* DecimalSumKudaf: sum = agg + x in the type's precision; |sum| must stay below
 * 10^(precision - scale) when 'check' (aggregate; undo and merge do not check). */
static int dec_step(const eddy_type *t, const eddy_value *agg, const eddy_value *x, int sign,
                    bool check, eddy_value *out, eddy_err *err)
{
    eddy_decimal a = eddy_value_get_decimal(agg), b = eddy_value_get_decimal(x);
    int rc = 0;
    if (a.scale != t->scale)
        rc = eddy_decimal_rescale(&a, t->scale, true, &a, err);
    if (rc == 0 && b.scale != t->scale)
        rc = eddy_decimal_rescale(&b, t->scale, true, &b, err);
    if (rc)
        return rc;
    const __int128 limit38 = pow10_128(EDDY_DECIMAL_MAX_DIGITS);
    __int128 s = sign > 0 ? a.unscaled + b.unscaled : a.unscaled - b.unscaled;
    int digits = t->precision - t->scale;
    if (check && digits < EDDY_DECIMAL_MAX_DIGITS) {
        __int128 max = pow10_128(digits + t->scale);
        if (s >= max || s <= -max)
            return eddy_err_set(err, EDDY_ERANGE,
                                "Numeric field overflow: A field with precision %d and scale "
                                "%d must round to an absolute value less than 10^%d.",
                                t->precision, t->scale, digits);
    }
    if (s >= limit38 || s <= -limit38)
        return eddy_err_set(err, EDDY_ERANGE, "Numeric overflow");
    eddy_decimal d = {s, t->scale};
    *out = eddy_value_decimal(&d);
    return 0;
}

/* agg + sign * x for the sum kinds. */
static int num_step(const eddy_type *t, const eddy_value *agg, const eddy_value *x, int sign,
                    bool check, eddy_value *out, eddy_err *err)
{
    switch (t->kind) {
    case EDDY_T_INT:
        *out = eddy_value_int(sign > 0 ? jadd32(agg->u.i32, x->u.i32)
                                       : jsub32(agg->u.i32, x->u.i32));
        return 0;
    case EDDY_T_BIGINT:
        *out = eddy_value_bigint(sign > 0 ? jadd64(agg->u.i64, x->u.i64)
                                          : jsub64(agg->u.i64, x->u.i64));
        return 0;
    case EDDY_T_DOUBLE:
        *out = eddy_value_double(sign > 0 ? agg->u.f64 + x->u.f64 : agg->u.f64 - x->u.f64);
        return 0;
    default:
        return dec_step(t, agg, x, sign, check, out, err);
    }
}

static int sum_add(const fn_agg_call *c, fn_agg_ctx *ctx, eddy_value *st, const eddy_value *args,
                   eddy_err *err)
{
    (void)ctx;
    if (args[0].null)
        return 0;
    return num_step(c->state_type, st, &args[0], 1, true, st, err);
}

static int sum_undo(const fn_agg_call *c, fn_agg_ctx *ctx, eddy_value *st,
                    const eddy_value *args, eddy_err *err)
{
    (void)ctx;
    if (args[0].null)
        return 0;
    return num_step(c->state_type, st, &args[0], -1, false, st, err);
}

static int sum_merge(const fn_agg_call *c, fn_agg_ctx *ctx, const eddy_value *a,
                     const eddy_value *b, eddy_value *out, eddy_err *err)
{
    (void)ctx;
    return num_step(c->state_type, a, b, 1, false, out, err);
}

static const fn_sig sum_sigs[] = {
    {"DECIMAL val", "DECIMAL"},
    {"DOUBLE val", "DOUBLE"},
    {"BIGINT val", "BIGINT"},
    {"INTEGER val", "INTEGER"},
};
static const uint8_t sum_ninit[] = {0, 0, 0, 0};
static const fn__agg_impl sum_impl = {
    .init = sum_init, .add = sum_add, .undo = sum_undo, .merge = sum_merge,
    .result = identity_result,
};

/* The sum of a list's non-NULL elements (ListSumUdaf.sum), as a value of 't'. */
static void list_sum(const eddy_type *t, const eddy_value *list, eddy_value *out)
{
    *out = zero_of(t);
    for (uint32_t i = 0; i < list->n; i++)
        if (!list->u.items[i].null)
            num_step(t, out, &list->u.items[i], 1, false, out, NULL);
}

static int sum_list_add(const fn_agg_call *c, fn_agg_ctx *ctx, eddy_value *st,
                        const eddy_value *args, eddy_err *err)
{
    (void)ctx;
    if (args[0].null)
        return 0;
    eddy_value s;
    list_sum(c->state_type, &args[0], &s);
    return num_step(c->state_type, st, &s, 1, false, st, err);
}

static int sum_list_undo(const fn_agg_call *c, fn_agg_ctx *ctx, eddy_value *st,
                         const eddy_value *args, eddy_err *err)
{
    (void)ctx;
    if (args[0].null)
        return 0;
    eddy_value s;
    list_sum(c->state_type, &args[0], &s);
    return num_step(c->state_type, st, &s, -1, false, st, err);
}

static const fn_sig sum_list_sigs[] = {
    {"ARRAY<DOUBLE> list", "DOUBLE"},
    {"ARRAY<INTEGER> list", "INTEGER"},
    {"ARRAY<BIGINT> list", "BIGINT"},
};
static const uint8_t sum_list_ninit[] = {0, 0, 0};
static const fn__agg_impl sum_list_impl = {
    .init = sum_init, .add = sum_list_add, .undo = sum_list_undo, .merge = sum_merge,
    .result = identity_result,
};

/* ---------------------------------------------------------------------------------------------
 * AVG (AverageUdaf): state STRUCT<SUM T, COUNT BIGINT>
 * ------------------------------------------------------------------------------------------- */

static int struct_state(fn_agg_ctx *ctx, const eddy_value *vals, uint32_t n, eddy_value *st,
                        eddy_err *err)
{
    eddy_value *items = fn__agg_items(ctx, n);
    if (!items)
        return fn__agg_nomem(err);
    memcpy(items, vals, n * sizeof *items);
    *st = eddy_value_composite(EDDY_T_STRUCT, items, n);
    return 0;
}

static int avg_setup(fn_agg_call *c, eddy_arena *a, const fn_agg_arg *args, int nargs,
                     const fn_config *cfg, eddy_err *err)
{
    (void)args, (void)nargs, (void)cfg;
    static const char *const names[] = {"SUM", "COUNT"};
    const eddy_type *types[] = {c->arg_types[0], EDDY_TYPE_BIGINT};
    return fn__agg_struct_type(a, names, types, 2, &c->state_type, err);
}

static int avg_init(const fn_agg_call *c, fn_agg_ctx *ctx, eddy_value *st, eddy_err *err)
{
    eddy_value v[2] = {zero_of(c->arg_types[0]), eddy_value_bigint(0)};
    return struct_state(ctx, v, 2, st, err);
}

static int avg_step(const fn_agg_call *c, fn_agg_ctx *ctx, eddy_value *st,
                    const eddy_value *args, int sign, eddy_err *err)
{
    if (args[0].null)
        return 0;
    (void)ctx, (void)err;
    /* In place: the state owns its items. */
    eddy_value *it = st->u.items;
    num_step(c->arg_types[0], &it[0], &args[0], sign, false, &it[0], NULL);
    it[1] = eddy_value_bigint(jadd64(it[1].u.i64, sign));
    return 0;
}

static int avg_add(const fn_agg_call *c, fn_agg_ctx *ctx, eddy_value *st, const eddy_value *args,
                   eddy_err *err)
{
    return avg_step(c, ctx, st, args, 1, err);
}

static int avg_undo(const fn_agg_call *c, fn_agg_ctx *ctx, eddy_value *st,
                    const eddy_value *args, eddy_err *err)
{
    return avg_step(c, ctx, st, args, -1, err);
}

static int avg_merge(const fn_agg_call *c, fn_agg_ctx *ctx, const eddy_value *a,
                     const eddy_value *b, eddy_value *out, eddy_err *err)
{
    eddy_value v[2];
    num_step(c->arg_types[0], &a->u.items[0], &b->u.items[0], 1, false, &v[0], NULL);
    v[1] = eddy_value_bigint(jadd64(a->u.items[1].u.i64, b->u.items[1].u.i64));
    return struct_state(ctx, v, 2, out, err);
}

static double as_double(const eddy_value *v)
{
    switch (v->kind) {
    case EDDY_T_INT:
        return (double)v->u.i32;
    case EDDY_T_BIGINT:
        return (double)v->u.i64;
    default:
        return v->u.f64;
    }
}

static int avg_result(const fn_agg_call *c, fn_agg_ctx *ctx, const eddy_value *st,
                      eddy_value *out, eddy_err *err)
{
    (void)c, (void)ctx, (void)err;
    int64_t count = st->u.items[1].u.i64;
    *out = eddy_value_double(count == 0 ? 0.0 : as_double(&st->u.items[0]) / (double)count);
    return 0;
}

static const fn_sig avg_sigs[] = {
    {"BIGINT val", "DOUBLE"},
    {"INTEGER val", "DOUBLE"},
    {"DOUBLE val", "DOUBLE"},
};
static const uint8_t avg_ninit[] = {0, 0, 0};
static const fn__agg_impl avg_impl = {
    .setup = avg_setup, .init = avg_init, .add = avg_add, .undo = avg_undo,
    .merge = avg_merge, .result = avg_result,
};

/* ---------------------------------------------------------------------------------------------
 * MIN and MAX (BaseComparableKudaf): NULL inputs skipped; no undo
 * ------------------------------------------------------------------------------------------- */

static int null_init(const fn_agg_call *c, fn_agg_ctx *ctx, eddy_value *st, eddy_err *err)
{
    (void)ctx, (void)err;
    *st = eddy_value_null((eddy_type_kind)c->state_type->kind);
    return 0;
}

/* aggregate(current, aggregate) of BaseComparableKudaf, for MAX when 'max'. */
static int minmax(fn_agg_ctx *ctx, const eddy_value *cur, const eddy_value *agg, bool max,
                  eddy_value *out, eddy_err *err)
{
    if (cur->null) {
        *out = *agg;
        return 0;
    }
    bool take_cur = agg->null;
    if (!take_cur) {
        int cmp = fn__agg_java_compare(cur, agg);
        take_cur = max ? cmp > 0 : cmp <= 0;
    }
    if (!take_cur) {
        *out = *agg;
        return 0;
    }
    return fn__agg_copy(ctx, cur, out, err);
}

static int max_add(const fn_agg_call *c, fn_agg_ctx *ctx, eddy_value *st, const eddy_value *args,
                   eddy_err *err)
{
    (void)c;
    return minmax(ctx, &args[0], st, true, st, err);
}

static int min_add(const fn_agg_call *c, fn_agg_ctx *ctx, eddy_value *st, const eddy_value *args,
                   eddy_err *err)
{
    (void)c;
    return minmax(ctx, &args[0], st, false, st, err);
}

static int max_merge(const fn_agg_call *c, fn_agg_ctx *ctx, const eddy_value *a,
                     const eddy_value *b, eddy_value *out, eddy_err *err)
{
    (void)c;
    return minmax(ctx, a, b, true, out, err);
}

static int min_merge(const fn_agg_call *c, fn_agg_ctx *ctx, const eddy_value *a,
                     const eddy_value *b, eddy_value *out, eddy_err *err)
{
    (void)c;
    return minmax(ctx, a, b, false, out, err);
}

static const fn_sig minmax_sigs[] = {
    {"INTEGER val", "INTEGER"}, {"BIGINT val", "BIGINT"},   {"DOUBLE val", "DOUBLE"},
    {"DECIMAL val", "DECIMAL"}, {"DATE val", "DATE"},       {"TIME val", "TIME"},
    {"TIMESTAMP val", "TIMESTAMP"}, {"STRING val", "STRING"}, {"BYTES val", "BYTES"},
};
static const uint8_t minmax_ninit[] = {0, 0, 0, 0, 0, 0, 0, 0, 0};
static const fn__agg_impl max_impl = {
    .init = null_init, .add = max_add, .merge = max_merge, .result = identity_result,
};
static const fn__agg_impl min_impl = {
    .init = null_init, .add = min_add, .merge = min_merge, .result = identity_result,
};

/* ---------------------------------------------------------------------------------------------
 * STDDEV_SAMP / STDDEV_SAMPLE: state STRUCT<SUM T, COUNT BIGINT, M2 DOUBLE>
 * ------------------------------------------------------------------------------------------- */

enum { SD_BIGINT, SD_INT, SD_DOUBLE };

static int sd_setup(fn_agg_call *c, eddy_arena *a, const fn_agg_arg *args, int nargs,
                    const fn_config *cfg, eddy_err *err)
{
    (void)args, (void)nargs, (void)cfg;
    static const char *const names[] = {"SUM", "COUNT", "M2"};
    const eddy_type *types[] = {c->arg_types[0], EDDY_TYPE_BIGINT, EDDY_TYPE_DOUBLE};
    return fn__agg_struct_type(a, names, types, 3, &c->state_type, err);
}

static int sd_init(const fn_agg_call *c, fn_agg_ctx *ctx, eddy_value *st, eddy_err *err)
{
    eddy_value v[3] = {zero_of(c->arg_types[0]), eddy_value_bigint(0), eddy_value_double(0)};
    return struct_state(ctx, v, 3, st, err);
}

/* createDelta: x * (count + 1) - (sum + x), in the variant's Java arithmetic. */
static double sd_delta(int variant, const eddy_value *st, const eddy_value *x)
{
    int64_t count1 = jadd64(st->u.items[1].u.i64, 1);
    switch (variant) {
    case SD_BIGINT:
        return (double)jsub64(jmul64(x->u.i64, count1), jadd64(st->u.items[0].u.i64, x->u.i64));
    case SD_INT:
        return (double)jsub64(jmul64(x->u.i32, count1),
                              jadd32(st->u.items[0].u.i32, x->u.i32));
    default:
        return x->u.f64 * (double)count1 - (st->u.items[0].u.f64 + x->u.f64);
    }
}

static int sd_step(const fn_agg_call *c, fn_agg_ctx *ctx, eddy_value *st,
                   const eddy_value *args, int sign, eddy_err *err)
{
    if (args[0].null)
        return 0;
    int64_t count = st->u.items[1].u.i64;
    int64_t ncount = jadd64(count, sign);
    double m2 = 0;
    if (sign > 0 ? ncount - 1 > 0 : ncount > 0) {
        double delta = sd_delta(c->variant, st, &args[0]);
        m2 = delta * delta / (double)jmul64(ncount, sign > 0 ? ncount - 1 : ncount + 1);
    }
    (void)ctx, (void)err;
    eddy_value *it = st->u.items;   /* in place: the state owns its items */
    num_step(c->arg_types[0], &it[0], &args[0], sign, false, &it[0], NULL);
    it[1] = eddy_value_bigint(ncount);
    it[2] = eddy_value_double(sign > 0 ? m2 + it[2].u.f64 : it[2].u.f64 - m2);
    return 0;
}

static int sd_add(const fn_agg_call *c, fn_agg_ctx *ctx, eddy_value *st, const eddy_value *args,
                  eddy_err *err)
{
    return sd_step(c, ctx, st, args, 1, err);
}

static int sd_undo(const fn_agg_call *c, fn_agg_ctx *ctx, eddy_value *st, const eddy_value *args,
                   eddy_err *err)
{
    return sd_step(c, ctx, st, args, -1, err);
}

/* mergeInner: the difference of the two means; STDDEV_SAMP's integer variants divide in
 * integer arithmetic ('samp'). */
static double sd_inner(int variant, bool samp, const eddy_value *a, const eddy_value *b)
{
    int64_t ca = a->u.items[1].u.i64, cb = b->u.items[1].u.i64;
    if (variant == SD_DOUBLE)
        return a->u.items[0].u.f64 / (double)ca - b->u.items[0].u.f64 / (double)cb;
    int64_t sa = variant == SD_INT ? a->u.items[0].u.i32 : a->u.items[0].u.i64;
    int64_t sb = variant == SD_INT ? b->u.items[0].u.i32 : b->u.items[0].u.i64;
    if (samp) {
        /* Java long division (MIN / -1 wraps). */
        int64_t qa = (sa == INT64_MIN && ca == -1) ? sa : sa / ca;
        int64_t qb = (sb == INT64_MIN && cb == -1) ? sb : sb / cb;
        return (double)jsub64(qa, qb);
    }
    return (double)sa / (double)ca - (double)sb / (double)cb;
}

static int sd_merge_impl(const fn_agg_call *c, fn_agg_ctx *ctx, const eddy_value *a,
                         const eddy_value *b, bool samp, eddy_value *out, eddy_err *err)
{
    int64_t ca = a->u.items[1].u.i64, cb = b->u.items[1].u.i64;
    double m2a = a->u.items[2].u.f64, m2b = b->u.items[2].u.f64;
    int64_t n = jadd64(ca, cb);
    double m2;
    if (ca == 0 || cb == 0) {
        m2 = m2a + m2b;
    } else {
        double inner = sd_inner(c->variant, samp, a, b);
        m2 = m2a + m2b + (double)jmul64(ca, cb) * inner * inner / (double)n;
    }
    eddy_value v[3];
    num_step(c->arg_types[0], &a->u.items[0], &b->u.items[0], 1, false, &v[0], NULL);
    v[1] = eddy_value_bigint(n);
    v[2] = eddy_value_double(m2);
    return struct_state(ctx, v, 3, out, err);
}

static int sd_samp_merge(const fn_agg_call *c, fn_agg_ctx *ctx, const eddy_value *a,
                         const eddy_value *b, eddy_value *out, eddy_err *err)
{
    return sd_merge_impl(c, ctx, a, b, true, out, err);
}

static int sd_sample_merge(const fn_agg_call *c, fn_agg_ctx *ctx, const eddy_value *a,
                           const eddy_value *b, eddy_value *out, eddy_err *err)
{
    return sd_merge_impl(c, ctx, a, b, false, out, err);
}

static int sd_samp_result(const fn_agg_call *c, fn_agg_ctx *ctx, const eddy_value *st,
                          eddy_value *out, eddy_err *err)
{
    (void)c, (void)ctx, (void)err;
    int64_t n = st->u.items[1].u.i64;
    *out = eddy_value_double(n < 2 ? 0.0 : st->u.items[2].u.f64 / (double)(n - 1));
    return 0;
}

static int sd_sample_result(const fn_agg_call *c, fn_agg_ctx *ctx, const eddy_value *st,
                            eddy_value *out, eddy_err *err)
{
    (void)c, (void)ctx, (void)err;
    int64_t n = st->u.items[1].u.i64;
    *out = eddy_value_double(n < 2 ? 0.0 : sqrt(st->u.items[2].u.f64 / (double)(n - 1)));
    return 0;
}

static const fn_sig sd_sigs[] = {
    {"BIGINT val", "DOUBLE"},
    {"INTEGER val", "DOUBLE"},
    {"DOUBLE val", "DOUBLE"},
};
static const uint8_t sd_ninit[] = {0, 0, 0};
static const fn__agg_impl sd_samp_impl = {
    .setup = sd_setup, .init = sd_init, .add = sd_add, .undo = sd_undo,
    .merge = sd_samp_merge, .result = sd_samp_result,
};
static const fn__agg_impl sd_sample_impl = {
    .setup = sd_setup, .init = sd_init, .add = sd_add, .undo = sd_undo,
    .merge = sd_sample_merge, .result = sd_sample_result,
};

/* ---------------------------------------------------------------------------------------------
 * CORRELATION (CorrelationUdaf): rows with a NULL x or y are skipped
 * ------------------------------------------------------------------------------------------- */

enum { CO_XS, CO_YS, CO_XX, CO_YY, CO_XY, CO_N, CO_FIELDS };

static int corr_setup(fn_agg_call *c, eddy_arena *a, const fn_agg_arg *args, int nargs,
                      const fn_config *cfg, eddy_err *err)
{
    (void)args, (void)nargs, (void)cfg;
    static const char *const names[] = {"X_SUM", "Y_SUM", "X_SQUARED_SUM", "Y_SQUARED_SUM",
                                        "XY_SUM", "COUNT"};
    const eddy_type *types[] = {EDDY_TYPE_DOUBLE, EDDY_TYPE_DOUBLE, EDDY_TYPE_DOUBLE,
                                EDDY_TYPE_DOUBLE, EDDY_TYPE_DOUBLE, EDDY_TYPE_BIGINT};
    return fn__agg_struct_type(a, names, types, CO_FIELDS, &c->state_type, err);
}

static int corr_init(const fn_agg_call *c, fn_agg_ctx *ctx, eddy_value *st, eddy_err *err)
{
    (void)c;
    eddy_value v[CO_FIELDS];
    for (int i = 0; i < CO_N; i++)
        v[i] = eddy_value_double(0.0);
    v[CO_N] = eddy_value_bigint(0);
    return struct_state(ctx, v, CO_FIELDS, st, err);
}

static int corr_step(fn_agg_ctx *ctx, eddy_value *st, const eddy_value *args, int sign,
                     eddy_err *err)
{
    if (args[0].null || args[1].null)
        return 0;
    (void)ctx, (void)err;
    double x = as_double(&args[0]), y = as_double(&args[1]);
    const double d[CO_N] = {x, y, x * x, y * y, x * y};
    eddy_value *it = st->u.items;   /* in place: the state owns its items */
    for (int i = 0; i < CO_N; i++)
        it[i].u.f64 = sign > 0 ? it[i].u.f64 + d[i] : it[i].u.f64 - d[i];
    it[CO_N].u.i64 = jadd64(it[CO_N].u.i64, sign);
    return 0;
}

static int corr_add(const fn_agg_call *c, fn_agg_ctx *ctx, eddy_value *st,
                    const eddy_value *args, eddy_err *err)
{
    (void)c;
    return corr_step(ctx, st, args, 1, err);
}

static int corr_undo(const fn_agg_call *c, fn_agg_ctx *ctx, eddy_value *st,
                     const eddy_value *args, eddy_err *err)
{
    (void)c;
    return corr_step(ctx, st, args, -1, err);
}

static int corr_merge(const fn_agg_call *c, fn_agg_ctx *ctx, const eddy_value *a,
                      const eddy_value *b, eddy_value *out, eddy_err *err)
{
    (void)c;
    eddy_value v[CO_FIELDS];
    for (int i = 0; i < CO_N; i++)
        v[i] = eddy_value_double(a->u.items[i].u.f64 + b->u.items[i].u.f64);
    v[CO_N] = eddy_value_bigint(jadd64(a->u.items[CO_N].u.i64, b->u.items[CO_N].u.i64));
    return struct_state(ctx, v, CO_FIELDS, out, err);
}

static int corr_result(const fn_agg_call *c, fn_agg_ctx *ctx, const eddy_value *st,
                       eddy_value *out, eddy_err *err)
{
    (void)c, (void)ctx, (void)err;
    const eddy_value *it = st->u.items;
    double sx = it[CO_XS].u.f64, sy = it[CO_YS].u.f64, sxx = it[CO_XX].u.f64;
    double syy = it[CO_YY].u.f64, sxy = it[CO_XY].u.f64, n = (double)it[CO_N].u.i64;
    double num = n * sxy - sx * sy;
    double den = sqrt((n * sxx - sx * sx) * (n * syy - sy * sy));
    *out = eddy_value_double(num / den);
    return 0;
}

static const fn_sig corr_sigs[] = {
    {"DOUBLE x, DOUBLE y", "DOUBLE"},
    {"INTEGER x, INTEGER y", "DOUBLE"},
    {"BIGINT x, BIGINT y", "DOUBLE"},
};
static const uint8_t corr_ninit[] = {0, 0, 0};
static const fn__agg_impl corr_impl = {
    .setup = corr_setup, .init = corr_init, .add = corr_add, .undo = corr_undo,
    .merge = corr_merge, .result = corr_result,
};

/* ---------------------------------------------------------------------------------------------
 * Table
 * ------------------------------------------------------------------------------------------- */

#define AGG(nm, desc, sigarr, ninitarr, implp)                                                \
    {.name = (nm), .description = (desc), .sigs = (sigarr),                                 \
     .nsigs = (int)EDDY_ARRAY_LEN(sigarr), .ninit = (ninitarr), .impl = (implp)}

const fn_aggregate fn__agg_basic[] = {
    AGG("COUNT", "Counts records by key.", count_sigs, count_ninit, &count_impl),
    AGG("SUM", "Computes the sum for a key.", sum_sigs, sum_ninit, &sum_impl),
    AGG("SUM_LIST", "Returns the sum of elements contained in the list.", sum_list_sigs,
        sum_list_ninit, &sum_list_impl),
    AGG("AVG",
        "Returns the average value of the column computed as the sum divided by the count. "
        "Applicable only to numeric types.",
        avg_sigs, avg_ninit, &avg_impl),
    AGG("MIN", "Computes the minimum value for a key.", minmax_sigs, minmax_ninit, &min_impl),
    AGG("MAX", "Computes the maximum value for a key.", minmax_sigs, minmax_ninit, &max_impl),
    AGG("STDDEV_SAMP",
        "Returns the sample standard deviation of the column. Applicable only to numeric "
        "types.",
        sd_sigs, sd_ninit, &sd_samp_impl),
    AGG("STDDEV_SAMPLE",
        "Returns the sample standard deviation of the column. Applicable only to numeric "
        "types.",
        sd_sigs, sd_ninit, &sd_sample_impl),
    AGG("CORRELATION",
        "Computes the Pearson correlation coefficient between two columns of data.",
        corr_sigs, corr_ninit, &corr_impl),
};
const int fn__nagg_basic = (int)EDDY_ARRAY_LEN(fn__agg_basic);
