/*
 * functions/fn_table.c - table functions (ksqlDB's udtf.array.Explode and udtf.Cube): one
 * input row, zero or more output values. A NULL array produces no rows.
 */
#include "functions_int.h"

static int explode_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                        eddy_value **out, uint32_t *n, eddy_err *err)
{
    (void)ctx, (void)call, (void)nargs, (void)err;
    if (args[0].null) {
        *out = NULL;
        *n = 0;
        return 0;
    }
    *out = args[0].u.items;   /* borrowed from the input row's array */
    *n = args[0].n;
    return 0;
}

/* Cube.createAllCombinations: every subset of the non-NULL elements, the others NULL, in
 * ascending bit-mask order where the last element is the lowest bit. */
static int cube_explode_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args,
                             int nargs, eddy_value **out, uint32_t *n, eddy_err *err)
{
    (void)call, (void)nargs;
    *out = NULL;
    *n = 0;
    if (args[0].null)
        return 0;
    uint32_t cols = args[0].n;
    if (cols > 20)
        return eddy_err_set(err, EDDY_EINVAL, "cube_explode: too many columns (%u); max is 20",
                            cols);
    const eddy_value *c = args[0].u.items;
    uint32_t combos = 1u << cols, null_mask = 0, rows = 0;
    for (uint32_t i = 0; i < cols; i++)
        if (!c[i].null)
            null_mask |= 1u << (cols - 1 - i);
    eddy_value *res = eddy_arena_alloc(ctx->arena, sizeof *res * combos);
    if (!res)
        return EDDY_ENOMEM;
    for (uint32_t mask = 0; mask < combos; mask++) {
        if ((mask & null_mask) != mask)
            continue;
        eddy_value *row = &res[rows++];
        if (fn__composite(ctx, EDDY_T_ARRAY, cols, row))
            return EDDY_ENOMEM;
        for (uint32_t i = 0; i < cols; i++)
            row->u.items[i] = (mask & (1u << (cols - 1 - i))) ? c[i]
                                                               : eddy_value_null(c[i].kind);
    }
    *out = res;
    *n = rows;
    return 0;
}

/* Explode.explodeBigDecimal's schema provider: the array's own DECIMAL element type. */
static int explode_dec_ret(eddy_arena *a, const fn_arg *args, int nargs, const eddy_type **ret,
                           eddy_err *err)
{
    (void)a, (void)nargs;
    const eddy_type *t = args[0].type;
    if (!t || t->kind != EDDY_T_ARRAY || !t->elem || t->elem->kind != EDDY_T_DECIMAL)
        return eddy_err_set(err, EDDY_ETYPE, "explode: expected ARRAY<DECIMAL>");
    *ret = t->elem;
    return 0;
}

/* As ksqlDB's Explode: a DECIMAL overload (listed first in its messages) and a generic one. */
static const fn_sig explode_sigs[] = {{"ARRAY<DECIMAL> input", NULL, explode_dec_ret},
                                      {"ARRAY<T> list", "T"}};
static const fn_sig cube_sigs[] = {{"ARRAY<T> columns", "ARRAY<T>"}};

const fn_table fn__table_fns[] = {
    {.name = "CUBE_EXPLODE",
     .description = "Takes as argument a list of columns and outputs all their possible "
                    "combinations.",
     .sigs = cube_sigs, .nsigs = 1, .eval = cube_explode_eval},
    {.name = "EXPLODE",
     .description = "Explodes an array. This function outputs one value for each element of "
                    "the array.",
     .sigs = explode_sigs, .nsigs = (int)EDDY_ARRAY_LEN(explode_sigs), .eval = explode_eval},
};
const int fn__ntable_fns = (int)EDDY_ARRAY_LEN(fn__table_fns);
