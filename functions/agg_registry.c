/*
 * functions/agg_registry.c - the aggregate function registry, call resolution and the
 * dispatch of aggregate steps.
 *
 * As for scalars (registry.c), the per-file tables (agg_basic.c, agg_collect.c,
 * agg_offset.c) are merged once (pthread_once) into one array sorted by name; lookups are a
 * case-insensitive binary search and thread-safe. Resolution follows ksqlDB's
 * UdafAggregateFunctionFactory and UdafUtil.resolveAggregateFunction: the overload is chosen
 * by the scalar signature matcher over all arguments (column arguments, then the factory's
 * literal "init" parameters); those trailing parameters must be literals, and their values
 * configure the call (TOPK's k, LATEST_BY_OFFSET's n and ignoreNulls). The check for TABLE
 * sources is SchemaKGroupedTable.aggregate's: only TableUdafs (functions with undo) may
 * aggregate a table.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "agg_int.h"

/* ---------------------------------------------------------------------------------------------
 * Helpers for the implementations
 * ------------------------------------------------------------------------------------------- */

int fn__agg_nomem(eddy_err *err)
{
    return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
}

eddy_value *fn__agg_items(fn_agg_ctx *ctx, size_t n)
{
    return eddy_arena_calloc(ctx->arena, (n ? n : 1) * sizeof(eddy_value));
}

int fn__agg_struct_type(eddy_arena *a, const char *const *names, const eddy_type *const *types,
                        uint32_t n, const eddy_type **out, eddy_err *err)
{
    eddy_type_field *fs = eddy_arena_calloc(a, (n ? n : 1) * sizeof *fs);
    if (!fs)
        return fn__agg_nomem(err);
    for (uint32_t i = 0; i < n; i++) {
        fs[i].name = names[i];
        fs[i].type = types[i];
    }
    return eddy_type_struct(a, fs, n, out, err);
}

int fn__agg_copy(fn_agg_ctx *ctx, const eddy_value *v, eddy_value *out, eddy_err *err)
{
    return eddy_value_copy(ctx->arena, v, out, err);
}

int fn__agg_java_compare(const eddy_value *a, const eddy_value *b)
{
    if (a->kind == EDDY_T_BYTES && b->kind == EDDY_T_BYTES && !a->null && !b->null) {
        uint32_t n = EDDY_MIN(a->n, b->n);
        for (uint32_t i = 0; i < n; i++) {
            int8_t x = (int8_t)a->u.str[i], y = (int8_t)b->u.str[i];
            if (x != y)
                return x < y ? -1 : 1;
        }
        return a->n < b->n ? -1 : a->n > b->n;
    }
    return eddy_value_compare(a, b);
}

/* ---------------------------------------------------------------------------------------------
 * Registry
 * ------------------------------------------------------------------------------------------- */

static const fn_aggregate **sorted;
static int nsorted;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static int cmp_agg(const void *x, const void *y)
{
    const fn_aggregate *a = *(const fn_aggregate *const *)x;
    const fn_aggregate *b = *(const fn_aggregate *const *)y;
    return strcasecmp(a->name, b->name);
}

static void build(void)
{
    const fn_aggregate *tabs[] = {fn__agg_basic, fn__agg_collect, fn__agg_offset};
    const int ns[] = {fn__nagg_basic, fn__nagg_collect, fn__nagg_offset};
    int n = 0;
    for (size_t t = 0; t < EDDY_ARRAY_LEN(ns); t++)
        n += ns[t];
    /* Process lifetime, plain malloc (as the scalar registry: allocation-failure tests that
     * count eddy_malloc calls are unaffected). */
    sorted = malloc(sizeof *sorted * (size_t)(n + 1));
    if (!sorted)
        return;
    for (size_t t = 0; t < EDDY_ARRAY_LEN(ns); t++)
        for (int i = 0; i < ns[t]; i++)
            sorted[nsorted++] = &tabs[t][i];
    qsort(sorted, (size_t)nsorted, sizeof *sorted, cmp_agg);
    sorted[nsorted] = NULL;
}

const fn_aggregate *fn_aggregate_find(const char *name)
{
    pthread_once(&once, build);
    int lo = 0, hi = nsorted - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        int c = strcasecmp(name, sorted[mid]->name);
        if (c == 0)
            return sorted[mid];
        if (c < 0)
            hi = mid - 1;
        else
            lo = mid + 1;
    }
    return NULL;
}

const fn_aggregate *fn_aggregate_at(int i)
{
    pthread_once(&once, build);
    return (i >= 0 && i < nsorted) ? sorted[i] : NULL;
}

bool fn_aggregate_supports_undo(const fn_aggregate *f)
{
    return f->impl->undo != NULL;
}

/* ---------------------------------------------------------------------------------------------
 * Resolution
 * ------------------------------------------------------------------------------------------- */

static int default_resolve(const fn_aggregate *f, fn_agg_call *c, eddy_arena *a,
                           const fn_agg_arg *args, int nargs, eddy_err *err)
{
    fn_arg *fa = eddy_arena_calloc(a, sizeof *fa * (size_t)(nargs ? nargs : 1));
    if (!fa)
        return fn__agg_nomem(err);
    for (int i = 0; i < nargs; i++)
        fa[i].type = args[i].type && args[i].type->kind != EDDY_T_NULL ? args[i].type : NULL;
    fn_resolved r;
    memset(&r, 0, sizeof r);
    int rc = fn__resolve_sigs(f->name, f->sigs, f->nsigs, a, fa, nargs, &r, err);
    if (rc)
        return rc;
    c->variant = r.variant;
    c->ncols = nargs - f->ninit[r.variant];
    c->casts = r.casts;
    c->ret = r.ret;
    return 0;
}

int fn_aggregate_resolve(const fn_aggregate *f, eddy_arena *a, const fn_agg_arg *args,
                         int nargs, const fn_config *cfg, fn_agg_call **out, eddy_err *err)
{
    static const fn_config defaults;
    fn_agg_call *c = eddy_arena_calloc(a, sizeof *c);
    if (!c)
        return fn__agg_nomem(err);
    c->fn = f;
    int rc = f->impl->resolve ? f->impl->resolve(f, c, a, args, nargs, err)
                              : default_resolve(f, c, a, args, nargs, err);
    if (rc)
        return rc;
    for (int i = c->ncols; i < nargs; i++)
        if (args[i].literal == NULL)
            return eddy_err_set(err, EDDY_ETYPE,
                                "Parameter %d passed to function %s must be a literal "
                                "constant, but was expression: '%s'",
                                i + 1, f->name, args[i].text ? args[i].text : "?");
    c->arg_types = eddy_arena_calloc(a, sizeof *c->arg_types * (size_t)(c->ncols + 1));
    if (!c->arg_types)
        return fn__agg_nomem(err);
    for (int i = 0; i < c->ncols; i++) {
        const eddy_type *t = c->casts && c->casts[i] ? c->casts[i] : args[i].type;
        c->arg_types[i] = t ? t : EDDY_TYPE_NULL;
    }
    c->state_type = c->ret;
    c->limit = INT32_MAX;
    if (f->impl->setup) {
        rc = f->impl->setup(c, a, args, nargs, cfg ? cfg : &defaults, err);
        if (rc)
            return rc;
    }
    *out = c;
    return 0;
}

int fn_agg_check_table(const fn_agg_call *const *calls, int ncalls, eddy_err *err)
{
    const char *bad[64];
    int nbad = 0;
    for (int i = 0; i < ncalls && nbad < (int)EDDY_ARRAY_LEN(bad); i++) {
        const fn_aggregate *f = calls[i]->fn;
        if (fn_aggregate_supports_undo(f))
            continue;
        bool seen = false;
        for (int j = 0; j < nbad; j++)
            seen = seen || bad[j] == f->name;
        if (!seen)
            bad[nbad++] = f->name;
    }
    if (nbad == 0)
        return 0;
    char names[200];
    size_t len = 0;
    names[0] = 0;
    for (int i = 0; i < nbad; i++) {
        const char *sep = i == 0 ? "" : i == nbad - 1 ? " and " : ", ";
        int w = snprintf(names + len, sizeof names - len, "%s%s", sep, bad[i]);
        if (w < 0 || (size_t)w >= sizeof names - len)
            break;
        len += (size_t)w;
    }
    return eddy_err_set(err, EDDY_ETYPE,
                        "The aggregation function%s %s cannot be applied to a table source, "
                        "only to a stream source.",
                        nbad == 1 ? "" : "s", names);
}

/* ---------------------------------------------------------------------------------------------
 * Dispatch
 * ------------------------------------------------------------------------------------------- */

int fn_agg_init(const fn_agg_call *call, fn_agg_ctx *ctx, eddy_value *st, eddy_err *err)
{
    return call->fn->impl->init(call, ctx, st, err);
}

int fn_agg_add(const fn_agg_call *call, fn_agg_ctx *ctx, eddy_value *st, const eddy_value *args,
               eddy_err *err)
{
    return call->fn->impl->add(call, ctx, st, args, err);
}

int fn_agg_undo(const fn_agg_call *call, fn_agg_ctx *ctx, eddy_value *st, const eddy_value *args,
                eddy_err *err)
{
    if (!call->fn->impl->undo)
        return eddy_err_set(err, EDDY_EUNSUPPORTED, "%s does not support undo",
                            call->fn->name);
    return call->fn->impl->undo(call, ctx, st, args, err);
}

int fn_agg_merge(const fn_agg_call *call, fn_agg_ctx *ctx, const eddy_value *a,
                 const eddy_value *b, eddy_value *out, eddy_err *err)
{
    return call->fn->impl->merge(call, ctx, a, b, out, err);
}

int fn_agg_result(const fn_agg_call *call, fn_agg_ctx *ctx, const eddy_value *st,
                  eddy_value *out, eddy_err *err)
{
    return call->fn->impl->result(call, ctx, st, out, err);
}
