/*
 * functions/functions_int.h - private contracts of the functions module: how a function is
 * declared (signatures in a small text notation), the signature matcher every resolve uses,
 * the per-category tables the registry merges, and small helpers for implementations.
 *
 * Signature matching follows ksqlDB's UdfIndex / ParamTypes / GenericsUtil: a call first
 * looks for signatures that accept the argument types exactly (generics bind to equal types);
 * only when none does, implicit casts are allowed (SqlBaseType.canImplicitlyCast: INT < BIGINT
 * < DECIMAL < DOUBLE, STRING to TIME/DATE/TIMESTAMP/BYTES; never inside generics or structs).
 * Among several candidates the best one wins by UdfIndex.Node's order (non-variadic first,
 * then more declared parameters, then fewer generic parameters, ...); a tie is ksqlDB's
 * "cannot be resolved due to ambiguous method parameters" error.
 *
 * ------------------------------------------------------------------------------------------
 * HOW TO ADD A FUNCTION
 * ------------------------------------------------------------------------------------------
 * 1. Pick the category file (fn_string.c, fn_math.c, ...) or create fn_<category>.c and add
 *    its table to fn__tables in registry.c.
 * 2. Declare the overloads, in the order of the ksqlDB UDF class (the variant number passed to
 *    eval is the index in this array):
 *
 *        static const fn_sig substring_sigs[] = {
 *            {"STRING str, INTEGER pos", "STRING"},
 *            {"STRING str, INTEGER pos, INTEGER length", "STRING"},
 *            {"BYTES bytes, INTEGER pos", "BYTES"},
 *            {"BYTES bytes, INTEGER pos, INTEGER length", "BYTES"},
 *        };
 *
 *    Parameter notation: BOOLEAN INTEGER (or INT) BIGINT DOUBLE DECIMAL (any precision) STRING
 *    BYTES TIMESTAMP DATE TIME, ANY (java.lang.Object: matches anything), STRUCT (any struct),
 *    ARRAY<x>, MAP<x, y>, generics as one capital letter with an optional digit (T, U, K, V,
 *    S, K1), lambdas as "(x, y) => z" (LambdaType); a trailing "..." makes the last parameter
 *    variadic (ksqlDB's Java varargs). An optional name after the type is shown in error
 *    messages ("Valid alternatives are: substring(STRING str, INTEGER pos)").
 *    Return notation: any type above with generics bound by the match, or NULL to compute it
 *    with fn_sig.ret_fn (ksqlDB's @UdfSchemaProvider).
 * 3. Write the eval function (fn_eval_fn in eddy/functions.h): it receives the arguments
 *    already converted to the parameter types (the planner inserts the casts that
 *    fn_call_build chose), honours ksqlDB's null handling (usually: a NULL argument gives
 *    NULL; set FN_F_NULL_IN_NULL_OUT when that is exactly the rule), allocates results in
 *    ctx->arena, and reports bad data with eddy_err_set (the row's expression becomes NULL
 *    and the message goes to the processing log). Never print, never exit.
 * 4. Add an entry to the category table with FN_SCALAR(name, description, category, flags,
 *    sigs, eval) (for a custom resolve or lambda_types, write the entry with designated
 *    initialisers and set .resolve / .lambda_types), in any order (the registry sorts), and
 *    add table-driven tests to tests/unit/functions/test_<category>.c: FNT_CALL(name, args...)
 *    from tests/unit/functions/fnt.h builds the call as the planner would (fn_call_build),
 *    FNT_EXPECT(expr, "text") evaluates and compares the CAST(x AS STRING) text or "NULL".
 *    test_registry.c checks that every signature parses.
 * ------------------------------------------------------------------------------------------
 */
#ifndef EDDY_FUNCTIONS_INT_H
#define EDDY_FUNCTIONS_INT_H

#include "eddy/functions.h"

/* One overload. 'params' and 'ret' use the notation above. */
struct fn_sig {
    const char *params;
    const char *ret;
    /* Computes the return type when 'ret' is NULL from the call's arguments. */
    int (*ret_fn)(eddy_arena *a, const fn_arg *args, int nargs, const eddy_type **ret,
                  eddy_err *err);
};

#define FN_SIGS(arr) (arr), (int)EDDY_ARRAY_LEN(arr)

/* Table entry helpers (designated initialisers keep entries short). */
#define FN_SCALAR(nm, desc, cat, fl, sigarr, evalfn)                                          \
    {.name = (nm), .description = (desc), .category = (cat), .flags = (fl),                  \
     .sigs = (sigarr), .nsigs = (int)EDDY_ARRAY_LEN(sigarr), .eval = (evalfn)}

/* Categories, as ksqlDB's FunctionCategory. */
#define FN_CAT_STRING "STRING"
#define FN_CAT_MATH "MATHEMATICAL"
#define FN_CAT_NULL "CONDITIONAL"
#define FN_CAT_JSON "JSON"
#define FN_CAT_ARRAY "ARRAY"
#define FN_CAT_MAP "MAP"
#define FN_CAT_LAMBDA "LAMBDA"
#define FN_CAT_DATETIME "DATE / TIME"
#define FN_CAT_URL "URL"
#define FN_CAT_CONVERSIONS "CONVERSIONS"
#define FN_CAT_OTHER "OTHER"
#define FN_CAT_TABLE "TABLE"

/* A category's functions: each fn_<category>.c defines one. */
typedef struct fn__table {
    const fn_scalar *fns;
    int n;
} fn__table;

extern const fn__table fn__string_table, fn__math_table, fn__null_table, fn__json_table,
    fn__collections_table, fn__lambda_table, fn__datetime_table, fn__url_table,
    fn__other_table;
extern const fn_table fn__table_fns[];
extern const int fn__ntable_fns;

/* ------------------------------------------------------------------------------------------
 * Signature matching (registry.c)
 * ---------------------------------------------------------------------------------------- */

/* The default resolve: match 'args' against 'sigs' as described at the top; on success fill
 * 'out' (variant = the index of the chosen signature, params = the declared type per
 * argument, ret). 'name' is used in error messages (lower-cased, as ksqlDB's UDF names).
 * Errors: EDDY_ETYPE with ksqlDB's texts, EDDY_ENOMEM. */
int fn__resolve_sigs(const char *name, const fn_sig *sigs, int nsigs, eddy_arena *a,
                     const fn_arg *args, int nargs, fn_resolved *out, eddy_err *err);

/* For lambda argument 'i': the lambda's parameter types from the signature that matches the
 * other arguments (lambda arguments match any lambda of the same arity). */
int fn__lambda_types_sigs(const char *name, const fn_sig *sigs, int nsigs, eddy_arena *a,
                          const fn_arg *args, int nargs, int i, const eddy_type **params,
                          int nparams, eddy_err *err);

/* Append "substring(STRING str, INTEGER pos)"-style lists and "(STRING, INTEGER)" argument
 * lists as ksqlDB prints them. */
int fn__format_args(const fn_arg *args, int nargs, eddy_buf *out);

/* ------------------------------------------------------------------------------------------
 * Helpers for implementations (eval.c and the category files)
 * ---------------------------------------------------------------------------------------- */

/* Result helpers: NULL of a kind, strings copied into the arena. */
int fn__str(fn_ctx *ctx, const char *s, size_t n, eddy_value *out);
int fn__bytes(fn_ctx *ctx, const void *s, size_t n, eddy_value *out);
/* A new composite value of 'n' items (MAP: 2n) allocated in ctx->arena. */
int fn__composite(fn_ctx *ctx, eddy_type_kind kind, uint32_t n, eddy_value *out);

/* A buffer's contents as a STRING value in ctx->arena; frees the buffer. */
int fn__buf_str(fn_ctx *ctx, eddy_buf *b, eddy_value *out);

/* Java semantics of equality for collection helpers (List.contains, Set): eddy_value_equal
 * with NULL == NULL. */
bool fn__java_equals(const eddy_value *a, const eddy_value *b);

/* UTF-8 helpers: decode one code point at s[*i] (advancing *i; invalid bytes decode as
 * U+FFFD, one byte each); count code points; byte offset of code point 'cp'. */
uint32_t fn__utf8_next(const char *s, size_t n, size_t *i);
size_t fn__utf8_len(const char *s, size_t n);
size_t fn__utf8_offset(const char *s, size_t n, size_t cp);
int fn__utf8_put(uint32_t c, char *out);

/* Logs 'err' through ctx->log for expression 'e' (nested error handling). */
void fn__log(fn_ctx *ctx, const fn_expr *e, const eddy_err *err);

#endif /* EDDY_FUNCTIONS_INT_H */
