/*
 * functions/fn_lambda.c - higher-order functions over lambdas: TRANSFORM, FILTER, REDUCE
 * (ksqlDB's io.confluent.ksql.function.udf.lambda Transform, Filter, Reduce).
 *
 * Lambda arguments arrive unevaluated (FN_F_LAMBDA): the implementation calls
 * fn_eval_lambda() per element. An error inside a lambda aborts the call (and, as in ksqlDB,
 * the whole expression). Java details kept: FILTER unboxes the predicate's Boolean (a NULL
 * is an error); map results are built with Collectors.toMap, which rejects NULL values and
 * duplicate keys.
 */
#include "functions_int.h"

static int npe(eddy_err *err, const char *what)
{
    return eddy_err_set(err, EDDY_EINVAL, "java.lang.NullPointerException: %s", what);
}

static int map_put_unique(eddy_value *m, uint32_t *used, const eddy_value *k,
                          const eddy_value *v, eddy_err *err)
{
    if (v->null)
        return npe(err, "a map value produced by the lambda is NULL");
    for (uint32_t j = 0; j < *used; j++)
        if (fn__java_equals(&m->u.items[2 * j], k))
            return eddy_err_set(err, EDDY_EINVAL,
                                "java.lang.IllegalStateException: Duplicate key");
    m->u.items[2 * *used] = *k;
    m->u.items[2 * *used + 1] = *v;
    (*used)++;
    return 0;
}

static int transform_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                          eddy_value *out, eddy_err *err)
{
    (void)nargs;
    const eddy_value *in = &args[0];
    if (in->null) {
        *out = eddy_value_null(call->type->kind);
        return 0;
    }
    int rc;
    if (in->kind == EDDY_T_ARRAY) {
        if (fn__composite(ctx, EDDY_T_ARRAY, in->n, out))
            return EDDY_ENOMEM;
        for (uint32_t i = 0; i < in->n; i++)
            if ((rc = fn_eval_lambda(call->args[1], ctx, &in->u.items[i], 1, &out->u.items[i],
                                     err)))
                return rc;
        return 0;
    }
    if (fn__composite(ctx, EDDY_T_MAP, in->n, out))
        return EDDY_ENOMEM;
    uint32_t used = 0;
    for (uint32_t i = 0; i < in->n; i++) {
        eddy_value k, v;
        if ((rc = fn_eval_lambda(call->args[1], ctx, &in->u.items[2 * i], 2, &k, err)) ||
            (rc = fn_eval_lambda(call->args[2], ctx, &in->u.items[2 * i], 2, &v, err)) ||
            (rc = map_put_unique(out, &used, &k, &v, err)))
            return rc;
    }
    out->n = used;
    return 0;
}

static int filter_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                       eddy_value *out, eddy_err *err)
{
    (void)nargs;
    const eddy_value *in = &args[0];
    if (in->null) {
        *out = eddy_value_null(call->type->kind);
        return 0;
    }
    bool map = in->kind == EDDY_T_MAP;
    if (fn__composite(ctx, map ? EDDY_T_MAP : EDDY_T_ARRAY, in->n, out))
        return EDDY_ENOMEM;
    uint32_t k = 0;
    for (uint32_t i = 0; i < in->n; i++) {
        eddy_value keep;
        const eddy_value *el = map ? &in->u.items[2 * i] : &in->u.items[i];
        int rc = fn_eval_lambda(call->args[1], ctx, el, map ? 2 : 1, &keep, err);
        if (rc)
            return rc;
        if (keep.null)
            return npe(err, "the FILTER lambda returned NULL");
        if (!keep.u.b)
            continue;
        if (map) {
            if (el[1].null)
                return npe(err, "a filtered map value is NULL");
            out->u.items[2 * k] = el[0];
            out->u.items[2 * k + 1] = el[1];
        } else {
            out->u.items[k] = *el;
        }
        k++;
    }
    out->n = k;
    return 0;
}

static int reduce_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                       eddy_value *out, eddy_err *err)
{
    (void)nargs;
    const eddy_value *in = &args[0];
    if (args[1].null) {
        *out = eddy_value_null(call->type->kind);
        return 0;
    }
    eddy_value state = args[1];
    if (!in->null) {
        bool map = in->kind == EDDY_T_MAP;
        for (uint32_t i = 0; i < in->n; i++) {
            eddy_value la[3] = {state};
            if (map) {
                la[1] = in->u.items[2 * i];
                la[2] = in->u.items[2 * i + 1];
            } else {
                la[1] = in->u.items[i];
            }
            int rc = fn_eval_lambda(call->args[2], ctx, la, map ? 3 : 2, &state, err);
            if (rc)
                return rc;
        }
    }
    *out = state;
    return 0;
}

static const fn_sig transform_sigs[] = {
    {"ARRAY<T> array, (T) => R function", "ARRAY<R>"},
    {"MAP<K, V> map, (K, V) => R biFunction1, (K, V) => T1 biFunction2", "MAP<R, T1>"},
};
static const fn_sig filter_sigs[] = {
    {"ARRAY<T> array, (T) => BOOLEAN function", "ARRAY<T>"},
    {"MAP<K, V> map, (K, V) => BOOLEAN biFunction", "MAP<K, V>"},
};
static const fn_sig reduce_sigs[] = {
    {"ARRAY<T> list, S initialState, (S, T) => S biFunction", "S"},
    {"MAP<K, V> map, S initialState, (S, K, V) => S triFunction", "S"},
};

static const fn_scalar fns[] = {
    FN_SCALAR("FILTER", "Filter an array or map using the given lambda function.",
              FN_CAT_LAMBDA, FN_F_LAMBDA, filter_sigs, filter_eval),
    FN_SCALAR("REDUCE", "Reduce an array or map into a single value using the given lambda "
                        "function and initial state.", FN_CAT_LAMBDA, FN_F_LAMBDA, reduce_sigs,
              reduce_eval),
    FN_SCALAR("TRANSFORM", "Apply a function to each element in an array or each key and value "
                           "in a map.", FN_CAT_LAMBDA, FN_F_LAMBDA, transform_sigs,
              transform_eval),
};

const fn__table fn__lambda_table = {fns, (int)EDDY_ARRAY_LEN(fns)};
