/*
 * functions/fn_collections.c - ARRAY and MAP functions.
 *
 * Semantics from ksqlDB's io.confluent.ksql.function.udf.array (ArrayConcat, ArrayDistinct,
 * ArrayExcept, ArrayIntersect, ArrayUnion, ArrayJoin, ArrayLength, ArrayMax, ArrayMin,
 * ArrayRemove, ArraySort, Entries, GenerateSeries), .list (ArrayContains, Slice) and .map
 * (AsMap, MapKeys, MapValues, MapUnion). Set operations use Java equals/hashCode, so NULL
 * elements take part (a NULL equals a NULL) and values of different types never match.
 * Sets are small here; membership is a linear scan (O(n*m)), which is fine for the array
 * sizes rows carry.
 */
#include <strings.h>

#include "functions_int.h"

#define NUL(i) (args[i].null)
#define ARR(i) (&args[i])

static int null_result(eddy_type_kind k, eddy_value *out)
{
    *out = eddy_value_null(k);
    return 0;
}

static bool contains(const eddy_value *items, uint32_t n, const eddy_value *v)
{
    for (uint32_t i = 0; i < n; i++)
        if (fn__java_equals(&items[i], v))
            return true;
    return false;
}

/* Comparable.compareTo of ksqlDB's Java values (BigDecimal numerically). */
static int java_compare(const eddy_value *a, const eddy_value *b)
{
    if (a->kind == EDDY_T_DECIMAL && b->kind == EDDY_T_DECIMAL) {
        eddy_decimal x = eddy_value_get_decimal(a), y = eddy_value_get_decimal(b);
        return eddy_decimal_cmp(&x, &y);
    }
    return eddy_value_compare(a, b);
}

/* A new array holding the distinct values of 'a' (then of 'b' when given), optionally only
 * those (not) in 'filter'. mode: 0 all, 1 keep those in filter, 2 drop those in filter. */
static int distinct_into(fn_ctx *ctx, const eddy_value *a, const eddy_value *b,
                         const eddy_value *filter, int mode, eddy_value *out)
{
    uint32_t cap = a->n + (b ? b->n : 0);
    if (fn__composite(ctx, EDDY_T_ARRAY, cap, out))
        return EDDY_ENOMEM;
    uint32_t k = 0;
    for (int pass = 0; pass < 2; pass++) {
        const eddy_value *src = pass == 0 ? a : b;
        if (!src)
            continue;
        for (uint32_t i = 0; i < src->n; i++) {
            const eddy_value *v = &src->u.items[i];
            if (contains(out->u.items, k, v))
                continue;
            if (mode && contains(filter->u.items, filter->n, v) != (mode == 1))
                continue;
            out->u.items[k++] = *v;
        }
    }
    out->n = k;
    return 0;
}

static int array_distinct_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args,
                               int nargs, eddy_value *out, eddy_err *err)
{
    (void)call, (void)nargs, (void)err;
    return distinct_into(ctx, ARR(0), NULL, NULL, 0, out);
}

static int array_except_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args,
                             int nargs, eddy_value *out, eddy_err *err)
{
    (void)call, (void)nargs, (void)err;
    return distinct_into(ctx, ARR(0), NULL, ARR(1), 2, out);
}

static int array_intersect_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args,
                                int nargs, eddy_value *out, eddy_err *err)
{
    (void)call, (void)nargs, (void)err;
    return distinct_into(ctx, ARR(0), NULL, ARR(1), 1, out);
}

static int array_union_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args,
                            int nargs, eddy_value *out, eddy_err *err)
{
    (void)call, (void)nargs, (void)err;
    return distinct_into(ctx, ARR(0), ARR(1), NULL, 0, out);
}

static int array_concat_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args,
                             int nargs, eddy_value *out, eddy_err *err)
{
    (void)call, (void)nargs, (void)err;
    if (NUL(0) && NUL(1))
        return null_result(EDDY_T_ARRAY, out);
    uint32_t ln = NUL(0) ? 0 : args[0].n, rn = NUL(1) ? 0 : args[1].n;
    if (fn__composite(ctx, EDDY_T_ARRAY, ln + rn, out))
        return EDDY_ENOMEM;
    if (ln)
        memcpy(out->u.items, args[0].u.items, sizeof *out->u.items * ln);
    if (rn)
        memcpy(out->u.items + ln, args[1].u.items, sizeof *out->u.items * rn);
    return 0;
}

static int array_contains_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args,
                               int nargs, eddy_value *out, eddy_err *err)
{
    (void)ctx, (void)call, (void)nargs, (void)err;
    *out = eddy_value_bool(!NUL(0) && contains(args[0].u.items, args[0].n, &args[1]));
    return 0;
}

static int array_length_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args,
                             int nargs, eddy_value *out, eddy_err *err)
{
    (void)ctx, (void)call, (void)nargs, (void)err;
    *out = eddy_value_int((int32_t)args[0].n);
    return 0;
}

static int array_extreme(const eddy_value *args, bool max, eddy_value *out)
{
    const eddy_value *best = NULL;
    for (uint32_t i = 0; i < args[0].n; i++) {
        const eddy_value *v = &args[0].u.items[i];
        if (v->null)
            continue;
        if (!best || (max ? java_compare(v, best) > 0 : java_compare(v, best) < 0))
            best = v;
    }
    *out = best ? *best : eddy_value_null(EDDY_T_NULL);
    return 0;
}

static int array_max_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                          eddy_value *out, eddy_err *err)
{
    (void)ctx, (void)call, (void)nargs, (void)err;
    return array_extreme(args, true, out);
}

static int array_min_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                          eddy_value *out, eddy_err *err)
{
    (void)ctx, (void)call, (void)nargs, (void)err;
    return array_extreme(args, false, out);
}

static int array_remove_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args,
                             int nargs, eddy_value *out, eddy_err *err)
{
    (void)call, (void)nargs, (void)err;
    if (NUL(0))
        return null_result(EDDY_T_ARRAY, out);
    if (fn__composite(ctx, EDDY_T_ARRAY, args[0].n, out))
        return EDDY_ENOMEM;
    uint32_t k = 0;
    for (uint32_t i = 0; i < args[0].n; i++)
        if (!fn__java_equals(&args[0].u.items[i], &args[1]))
            out->u.items[k++] = args[0].u.items[i];
    out->n = k;
    return 0;
}

/* Stable insertion sort with nulls last (List.sort is stable; arrays are small). */
static int array_sort_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                           eddy_value *out, eddy_err *err)
{
    (void)call, (void)err;
    if (NUL(0) || (nargs > 1 && NUL(1)))
        return null_result(EDDY_T_ARRAY, out);
    bool desc = false;
    if (nargs > 1) {
        const char *d = args[1].u.str;
        size_t n = args[1].n;
        if ((n == 3 && strncasecmp(d, "ASC", 3) == 0) ||
            (n == 9 && strncasecmp(d, "ASCENDING", 9) == 0))
            desc = false;
        else if ((n == 4 && strncasecmp(d, "DESC", 4) == 0) ||
                 (n == 10 && strncasecmp(d, "DESCENDING", 10) == 0))
            desc = true;
        else
            return null_result(EDDY_T_ARRAY, out);
    }
    uint32_t n = args[0].n;
    if (fn__composite(ctx, EDDY_T_ARRAY, n, out))
        return EDDY_ENOMEM;
    eddy_value *a = out->u.items;
    if (n)
        memcpy(a, args[0].u.items, sizeof *a * n);
    for (uint32_t i = 1; i < n; i++) {
        eddy_value x = a[i];
        uint32_t j = i;
        while (j > 0) {
            const eddy_value *p = &a[j - 1];
            bool after;   /* must x come before p? */
            if (x.null)
                after = false;
            else if (p->null)
                after = true;
            else
                after = desc ? java_compare(&x, p) > 0 : java_compare(&x, p) < 0;
            if (!after)
                break;
            a[j] = a[j - 1];
            j--;
        }
        a[j] = x;
    }
    return 0;
}

static int array_join_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args,
                           int nargs, eddy_value *out, eddy_err *err)
{
    if (NUL(0))
        return null_result(EDDY_T_STRING, out);
    const char *d = ",";
    size_t dn = 1;
    if (nargs > 1) {
        d = NUL(1) ? "" : args[1].u.str;
        dn = NUL(1) ? 0 : args[1].n;
    }
    const eddy_type *et = call->args[0]->type ? call->args[0]->type->elem : NULL;
    eddy_buf b;
    eddy_buf_init(&b);
    int rc = 0;
    for (uint32_t i = 0; i < args[0].n && rc == 0; i++) {
        const eddy_value *v = &args[0].u.items[i];
        if (i)
            rc = eddy_buf_append(&b, d, dn);
        if (rc)
            break;
        if (!v->null && (v->kind < EDDY_T_BOOLEAN || v->kind > EDDY_T_STRING)) {
            eddy_buf_free(&b);
            return eddy_err_set(err, EDDY_EINVAL,
                                "error: hit element of type %s which is currently not supported",
                                eddy_type_kind_name((eddy_type_kind)v->kind));
        }
        if (v->kind == EDDY_T_DECIMAL && !v->null) {   /* BigDecimal.toString */
            eddy_decimal x = eddy_value_get_decimal(v);
            rc = eddy_decimal_format(&x, true, &b);
        } else {
            rc = eddy_value_format(v, et, &b);
        }
    }
    if (rc) {
        eddy_buf_free(&b);
        return rc;
    }
    return fn__buf_str(ctx, &b, out);
}

/* List.subList(from - 1, to), NULL when out of bounds. */
static int slice_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                      eddy_value *out, eddy_err *err)
{
    (void)ctx, (void)call, (void)nargs, (void)err;
    if (NUL(0))
        return null_result(EDDY_T_ARRAY, out);
    int64_t size = args[0].n;
    int64_t start = NUL(1) ? 0 : (int64_t)args[1].u.i32 - 1;
    int64_t end = NUL(2) ? size : args[2].u.i32;
    if (start < 0 || end > size || start > end)
        return null_result(EDDY_T_ARRAY, out);
    *out = eddy_value_composite(EDDY_T_ARRAY, args[0].u.items + start, (uint32_t)(end - start));
    return 0;
}

static int generate_series_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args,
                                int nargs, eddy_value *out, eddy_err *err)
{
    bool big = call->u.call.variant % 2 == 1;
    int64_t a = big ? args[0].u.i64 : args[0].u.i32, b = big ? args[1].u.i64 : args[1].u.i32;
    int64_t step = nargs > 2 ? (big ? args[2].u.i64 : args[2].u.i32) : (a <= b ? 1 : -1);
    if (step == 0)
        return eddy_err_set(err, EDDY_EINVAL, "GENERATE_SERIES step cannot be zero");
    if ((step > 0 && a > b) || (step < 0 && a < b))
        return eddy_err_set(err, EDDY_EINVAL,
                            "GENERATE_SERIES step has wrong sign");
    uint64_t cnt = (uint64_t)((b - a) / step) + 1;
    if (cnt > 10000000)
        return eddy_err_set(err, EDDY_ERANGE, "GENERATE_SERIES result too large");
    if (fn__composite(ctx, EDDY_T_ARRAY, (uint32_t)cnt, out))
        return EDDY_ENOMEM;
    for (uint64_t i = 0; i < cnt; i++) {
        int64_t v = a + (int64_t)i * step;
        out->u.items[i] = big ? eddy_value_bigint(v) : eddy_value_int((int32_t)v);
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Maps
 * ------------------------------------------------------------------------------------------- */

static int map_put(eddy_value *m, uint32_t *used, const eddy_value *k, const eddy_value *v)
{
    uint32_t j;
    for (j = 0; j < *used; j++)
        if (fn__java_equals(&m->u.items[2 * j], k))
            break;
    m->u.items[2 * j] = *k;
    m->u.items[2 * j + 1] = *v;
    if (j == *used)
        (*used)++;
    return 0;
}

static int as_map_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                       eddy_value *out, eddy_err *err)
{
    (void)call, (void)nargs, (void)err;
    if (fn__composite(ctx, EDDY_T_MAP, args[0].n, out))
        return EDDY_ENOMEM;
    uint32_t used = 0;
    for (uint32_t i = 0; i < args[0].n; i++) {
        eddy_value v = i < args[1].n ? args[1].u.items[i] : eddy_value_null(EDDY_T_NULL);
        map_put(out, &used, &args[0].u.items[i], &v);
    }
    out->n = used;
    return 0;
}

static int map_part(fn_ctx *ctx, const eddy_value *m, int which, eddy_value *out)
{
    if (fn__composite(ctx, EDDY_T_ARRAY, m->n, out))
        return EDDY_ENOMEM;
    for (uint32_t i = 0; i < m->n; i++)
        out->u.items[i] = m->u.items[2 * i + which];
    return 0;
}

static int map_keys_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                         eddy_value *out, eddy_err *err)
{
    (void)call, (void)nargs, (void)err;
    return map_part(ctx, &args[0], 0, out);
}

static int map_values_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                           eddy_value *out, eddy_err *err)
{
    (void)call, (void)nargs, (void)err;
    return map_part(ctx, &args[0], 1, out);
}

static int map_union_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                          eddy_value *out, eddy_err *err)
{
    (void)call, (void)nargs, (void)err;
    if (NUL(0) && NUL(1))
        return null_result(EDDY_T_MAP, out);
    uint32_t cap = (NUL(0) ? 0 : args[0].n) + (NUL(1) ? 0 : args[1].n);
    if (fn__composite(ctx, EDDY_T_MAP, cap, out))
        return EDDY_ENOMEM;
    uint32_t used = 0;
    for (int m = 0; m < 2; m++)
        if (!NUL(m))
            for (uint32_t i = 0; i < args[m].n; i++)
                map_put(out, &used, &args[m].u.items[2 * i], &args[m].u.items[2 * i + 1]);
    out->n = used;
    return 0;
}

/* ENTRIES(map, sorted): ARRAY<STRUCT<K STRING, V T>>, sorted by key when asked. */
static int entries_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                        eddy_value *out, eddy_err *err)
{
    (void)call, (void)nargs;
    if (NUL(1))
        return eddy_err_set(err, EDDY_EINVAL, "java.lang.NullPointerException: sorted is NULL");
    if (NUL(0))
        return null_result(EDDY_T_ARRAY, out);
    uint32_t n = args[0].n;
    if (fn__composite(ctx, EDDY_T_ARRAY, n, out))
        return EDDY_ENOMEM;
    uint32_t *order = eddy_arena_alloc(ctx->arena, sizeof *order * (n ? n : 1));
    if (!order)
        return EDDY_ENOMEM;
    for (uint32_t i = 0; i < n; i++)
        order[i] = i;
    if (args[1].u.b)
        for (uint32_t i = 1; i < n; i++) {
            uint32_t x = order[i], j = i;
            while (j > 0 && eddy_value_compare(&args[0].u.items[2 * x],
                                               &args[0].u.items[2 * order[j - 1]]) < 0) {
                order[j] = order[j - 1];
                j--;
            }
            order[j] = x;
        }
    for (uint32_t i = 0; i < n; i++) {
        eddy_value *s = &out->u.items[i];
        if (fn__composite(ctx, EDDY_T_STRUCT, 2, s))
            return EDDY_ENOMEM;
        s->u.items[0] = args[0].u.items[2 * order[i]];
        s->u.items[1] = args[0].u.items[2 * order[i] + 1];
    }
    return 0;
}

static int entries_ret(eddy_arena *a, const fn_arg *args, int nargs, const eddy_type **ret,
                       eddy_err *err)
{
    (void)nargs;
    const eddy_type *m = args[0].type;
    eddy_type_field f[2] = {{"K", EDDY_TYPE_STRING},
                            {"V", m && m->kind == EDDY_T_MAP ? m->elem : EDDY_TYPE_STRING}};
    const eddy_type *st;
    int rc = eddy_type_struct(a, f, 2, &st, err);
    if (rc)
        return rc;
    *ret = eddy_type_array(a, st);
    return *ret ? 0 : eddy_err_set(err, EDDY_ENOMEM, "out of memory");
}

/* ---------------------------------------------------------------------------------------------
 * Table
 * ------------------------------------------------------------------------------------------- */

static const fn_sig arr_t[] = {{"ARRAY<T> input", "ARRAY<T>"}};
static const fn_sig arr2_t[] = {{"ARRAY<T> left, ARRAY<T> right", "ARRAY<T>"}};
static const fn_sig contains_sigs[] = {{"ARRAY<T> array, T val", "BOOLEAN"}};
static const fn_sig join_sigs[] = {{"ARRAY<T> array", "STRING"},
                                   {"ARRAY<T> array, STRING delimiter", "STRING"}};
static const fn_sig length_sigs[] = {{"ARRAY<T> array", "INTEGER"}};
static const fn_sig extreme_sigs[] = {{"ARRAY<T> input", "T"}};
static const fn_sig remove_sigs[] = {{"ARRAY<T> array, T victim", "ARRAY<T>"}};
static const fn_sig sort_sigs[] = {{"ARRAY<T> input", "ARRAY<T>"},
                                   {"ARRAY<T> input, STRING direction", "ARRAY<T>"}};
static const fn_sig slice_sigs[] = {{"ARRAY<T> in, INTEGER from, INTEGER to", "ARRAY<T>"}};
static const fn_sig series_sigs[] = {
    {"INTEGER start, INTEGER end", "ARRAY<INTEGER>"},
    {"BIGINT start, BIGINT end", "ARRAY<BIGINT>"},
    {"INTEGER start, INTEGER end, INTEGER step", "ARRAY<INTEGER>"},
    {"BIGINT start, BIGINT end, BIGINT step", "ARRAY<BIGINT>"},
};
static const fn_sig as_map_sigs[] = {{"ARRAY<STRING> keys, ARRAY<T> values", "MAP<STRING, T>"}};
static const fn_sig map_keys_sigs[] = {{"MAP<K, T> input", "ARRAY<K>"}};
static const fn_sig map_values_sigs[] = {{"MAP<K, T> input", "ARRAY<T>"}};
static const fn_sig map_union_sigs[] = {{"MAP<K, T> map1, MAP<K, T> map2", "MAP<K, T>"}};
static const fn_sig entries_sigs[] = {{"MAP<STRING, T> map, BOOLEAN sorted", NULL,
                                       entries_ret}};

#define NN FN_F_NULL_IN_NULL_OUT
#define A FN_CAT_ARRAY

static const fn_scalar fns[] = {
    FN_SCALAR("ARRAY_CONCAT", "Returns an array representing the concatenation of both input "
                              "arrays.", A, 0, arr2_t, array_concat_eval),
    FN_SCALAR("ARRAY_CONTAINS", "Returns true if the array is non-null and contains the "
                                "supplied value.", A, 0, contains_sigs, array_contains_eval),
    FN_SCALAR("ARRAY_DISTINCT", "Returns an array of all the distinct values, including NULL "
                                "if present, from the input array.", A, NN, arr_t,
              array_distinct_eval),
    FN_SCALAR("ARRAY_EXCEPT", "Returns an array of all the distinct elements from an array, "
                              "except for those also present in a second array.", A, NN,
              arr2_t, array_except_eval),
    FN_SCALAR("ARRAY_INTERSECT", "Returns an array of all the distinct elements from the "
                                 "intersection of both input arrays.", A, NN, arr2_t,
              array_intersect_eval),
    FN_SCALAR("ARRAY_JOIN", "Creates a flat string representation of all the primitive "
                            "elements contained in the given array.", A, 0, join_sigs,
              array_join_eval),
    FN_SCALAR("ARRAY_LENGTH", "Returns the length on an array.", A, NN, length_sigs,
              array_length_eval),
    FN_SCALAR("ARRAY_MAX", "Return the maximum value from within an array of primitive values.",
              A, NN, extreme_sigs, array_max_eval),
    FN_SCALAR("ARRAY_MIN", "Return the minimum value from within an array of primitive values.",
              A, NN, extreme_sigs, array_min_eval),
    FN_SCALAR("ARRAY_REMOVE", "Removes all elements from the input array equal to element.", A,
              0, remove_sigs, array_remove_eval),
    FN_SCALAR("ARRAY_SORT", "Sort an array of primitive values.", A, 0, sort_sigs,
              array_sort_eval),
    FN_SCALAR("ARRAY_UNION", "Returns an array of all the distinct elements from both input "
                             "arrays.", A, NN, arr2_t, array_union_eval),
    FN_SCALAR("AS_MAP", "Construct a map from a list of keys and a list of values.", FN_CAT_MAP,
              NN, as_map_sigs, as_map_eval),
    FN_SCALAR("ENTRIES", "Construct an array from the entries in a map.", FN_CAT_MAP, 0,
              entries_sigs, entries_eval),
    FN_SCALAR("GENERATE_SERIES", "Construct an array of a range of values.", A, NN,
              series_sigs, generate_series_eval),
    FN_SCALAR("MAP_KEYS", "Returns an array of all the keys in a map.", FN_CAT_MAP, NN,
              map_keys_sigs, map_keys_eval),
    FN_SCALAR("MAP_UNION", "Returns a new map containing the union of all entries from both "
                           "input maps.", FN_CAT_MAP, 0, map_union_sigs, map_union_eval),
    FN_SCALAR("MAP_VALUES", "Returns an array of all the values in a map.", FN_CAT_MAP, NN,
              map_values_sigs, map_values_eval),
    FN_SCALAR("SLICE", "Slices a list based on the supplied indices.", A, 0, slice_sigs,
              slice_eval),
};

const fn__table fn__collections_table = {fns, (int)EDDY_ARRAY_LEN(fns)};
