/*
 * functions/fn_null.c - NULL handling functions: COALESCE, IFNULL, NULLIF (ksqlDB's
 * io.confluent.ksql.function.udf.nulls Coalesce, IfNull, NullIf). All are generic in T, so
 * every argument must have the same type (no implicit widening: GenericsUtil binds T to
 * equal types only); an untyped NULL literal matches any T.
 */
#include "functions_int.h"

static int coalesce_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                         eddy_value *out, eddy_err *err)
{
    (void)ctx, (void)call, (void)err;
    *out = eddy_value_null(EDDY_T_NULL);
    for (int i = 0; i < nargs; i++)
        if (!args[i].null) {
            *out = args[i];
            break;
        }
    return 0;
}

/* NullIf: expr1.equals(expr2) ? null : expr1 (Java equals: same type and value). */
static int nullif_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                       eddy_value *out, eddy_err *err)
{
    (void)ctx, (void)call, (void)nargs, (void)err;
    if (args[0].null || (!args[1].null && eddy_value_equal(&args[0], &args[1])))
        *out = eddy_value_null(EDDY_T_NULL);
    else
        *out = args[0];
    return 0;
}

static const fn_sig coalesce_sigs[] = {{"T first, T others...", "T"}};
static const fn_sig ifnull_sigs[] = {{"T expression, T altValue", "T"}};
static const fn_sig nullif_sigs[] = {{"T expr1, T expr2", "T"}};

static const fn_scalar fns[] = {
    FN_SCALAR("COALESCE", "Returns the first non-null value from the list of arguments.",
              FN_CAT_NULL, 0, coalesce_sigs, coalesce_eval),
    FN_SCALAR("IFNULL", "Returns expression if not NULL, otherwise returns altValue.",
              FN_CAT_NULL, 0, ifnull_sigs, coalesce_eval),
    FN_SCALAR("NULLIF", "Returns NULL if expr1 is equal to expr2; otherwise it returns "
                        "expr1.", FN_CAT_NULL, 0, nullif_sigs, nullif_eval),
};

const fn__table fn__null_table = {fns, (int)EDDY_ARRAY_LEN(fns)};
