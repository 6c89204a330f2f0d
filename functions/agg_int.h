/*
 * functions/agg_int.h - private contracts of the aggregate functions: the per-function
 * implementation table the registry dispatches to, and helpers shared by agg_*.c.
 *
 * HOW TO ADD AN AGGREGATE
 * 1. Declare the overloads with fn_sig (functions_int.h's notation), column parameters first,
 *    then the parameters that must be literals, and per overload the number of those
 *    (ninit). The variant passed around in fn_agg_call is the overload's index.
 * 2. Write an fn__agg_impl: 'setup' (optional) reads the literal parameters and computes the
 *    state type (default: the result type) and, when the signature cannot, the result type;
 *    init/add/merge/result are required; undo only for ksqlDB's TableUdafs.
 * 3. Add the entry to the table in agg_registry.c (any order; the registry sorts) and tests to
 *    tests/unit/functions/test_agg_<file>.c.
 */
#ifndef EDDY_AGG_INT_H
#define EDDY_AGG_INT_H

#include "functions_int.h"

typedef int (*fn__agg_step_fn)(const fn_agg_call *c, fn_agg_ctx *ctx, eddy_value *st,
                               const eddy_value *args, eddy_err *err);

struct fn__agg_impl {
    /* Fill c->state_type (and c->ret, c->n, c->ignore_nulls, c->limit as needed) from the
     * resolved call. 'args' are all the call's arguments; literals are checked already. */
    int (*setup)(fn_agg_call *c, eddy_arena *a, const fn_agg_arg *args, int nargs,
                 const fn_config *cfg, eddy_err *err);
    /* Custom overload resolution (TOPK's column arguments between value and k); NULL: the
     * signature matcher. Must set c->variant, c->ncols, c->casts, c->ret. */
    int (*resolve)(const fn_aggregate *f, fn_agg_call *c, eddy_arena *a, const fn_agg_arg *args,
                   int nargs, eddy_err *err);
    int (*init)(const fn_agg_call *c, fn_agg_ctx *ctx, eddy_value *st, eddy_err *err);
    fn__agg_step_fn add;
    fn__agg_step_fn undo;        /* NULL: no table aggregation */
    int (*merge)(const fn_agg_call *c, fn_agg_ctx *ctx, const eddy_value *a, const eddy_value *b,
                 eddy_value *out, eddy_err *err);
    int (*result)(const fn_agg_call *c, fn_agg_ctx *ctx, const eddy_value *st, eddy_value *out,
                  eddy_err *err);
};

/* The aggregates of each file. */
extern const fn_aggregate fn__agg_basic[], fn__agg_collect[], fn__agg_offset[];
extern const int fn__nagg_basic, fn__nagg_collect, fn__nagg_offset;

/* Helpers (agg_registry.c). */

/* "out of memory" as EDDY_ENOMEM. */
int fn__agg_nomem(eddy_err *err);

/* A new array of 'n' items (zeroed) in ctx->arena; NULL when out of memory. */
eddy_value *fn__agg_items(fn_agg_ctx *ctx, size_t n);

/* STRUCT type of 'n' fields named 'names' with types 'types', in 'a'. */
int fn__agg_struct_type(eddy_arena *a, const char *const *names, const eddy_type *const *types,
                        uint32_t n, const eddy_type **out, eddy_err *err);

/* Deep copy of an input value into ctx->arena. */
int fn__agg_copy(fn_agg_ctx *ctx, const eddy_value *v, eddy_value *out, eddy_err *err);

/* Comparable.compareTo of ksqlDB's Java values: eddy_value_compare, except BYTES, which
 * java.nio.ByteBuffer compares as signed bytes. */
int fn__agg_java_compare(const eddy_value *a, const eddy_value *b);

#endif /* EDDY_AGG_INT_H */
