/*
 * eddy/functions.h - typed expressions, their evaluation, and the function library.
 *
 * The planner turns parser expressions into fn_expr trees: every node typed, every column a
 * row index, every function call bound to its implementation. Operators evaluate them with
 * fn_eval(). This module owns both sides so that higher-order functions (TRANSFORM, FILTER,
 * REDUCE) can evaluate their lambda arguments.
 *
 * Errors while evaluating a row (division by zero, a failed CAST, a bad argument, a NULL
 * where Java would unbox it) follow ksqlDB's generated code: the error aborts the whole
 * expression (a SELECT column, a WHERE predicate), whose value becomes NULL, and goes to the
 * processing log (fn_ctx.log); the row goes on. As with ksqlDB's default
 * ksql.nested.error.set.null=true, an error inside a function-call argument that is itself a
 * function call or a struct dereference, or inside an ARRAY/MAP/STRUCT constructor element,
 * only makes that argument or element NULL (and is logged). fn_eval() itself fails only
 * when memory runs out.
 *
 * Memory: expression trees live in the query's arena and are read-only while a query runs
 * (many tasks may evaluate one tree at once); values produced during evaluation live in
 * fn_ctx.arena (the batch arena).
 */
#ifndef EDDY_FUNCTIONS_H
#define EDDY_FUNCTIONS_H

#include <stdbool.h>

#include "eddy/common.h"

/* ---------------------------------------------------------------------------------------------
 * Typed expressions
 * ------------------------------------------------------------------------------------------- */

typedef enum fn_expr_kind {
    FN_LITERAL,      /* u.literal (type says which kind; NULL literal has kind NULL) */
    FN_COLUMN,       /* u.index: position in the input row */
    FN_VAR,          /* u.index: lambda variable slot in fn_ctx.vars */
    FN_CALL,         /* scalar function u.call over args */
    FN_ARITH,        /* op '+' '-' '*' '/' '%' over args[0], args[1] (STRING + STRING concat) */
    FN_NEG,          /* unary minus of args[0] */
    FN_CMP,          /* op FN_CMP_* over args[0], args[1] */
    FN_AND,          /* three-valued AND/OR over args[0..nargs) */
    FN_OR,
    FN_NOT,
    FN_IS_NULL,      /* negated: IS NOT NULL */
    FN_DISTINCT,     /* args[0] IS DISTINCT FROM args[1]; negated: IS NOT DISTINCT FROM */
    FN_BETWEEN,      /* args[0] BETWEEN args[1] AND args[2]; negated */
    FN_IN,           /* args[0] IN (args[1..]); negated */
    FN_LIKE,         /* args[0] LIKE args[1] [ESCAPE u.escape]; negated */
    FN_CASE,         /* searched: args = cond0, res0, cond1, res1, ..., [else] (u.has_else) */
    FN_CAST,         /* CAST(args[0] AS type) */
    FN_FIELD,        /* args[0]->field: u.index is the field's position in args[0]'s STRUCT */
    FN_SUBSCRIPT,    /* args[0][args[1]]: ARRAY (1-based, negative from the end) or MAP */
    FN_ARRAY,        /* ARRAY[args...] */
    FN_MAP,          /* MAP(args[0] := args[1], ...) */
    FN_STRUCT,       /* STRUCT(...): args in the type's field order */
    FN_LAMBDA        /* params bound to vars u.lambda.first_var..+nparams, body args[0] */
} fn_expr_kind;

enum { FN_CMP_EQ, FN_CMP_NEQ, FN_CMP_LT, FN_CMP_LTE, FN_CMP_GT, FN_CMP_GTE };

typedef struct fn_scalar fn_scalar;
typedef struct fn_expr fn_expr;

struct fn_expr {
    uint8_t kind;            /* fn_expr_kind */
    uint8_t op;              /* FN_ARITH: the operator char; FN_CMP: FN_CMP_* */
    bool negated;            /* IS NOT NULL, NOT BETWEEN, NOT IN, NOT LIKE, NOT DISTINCT */
    const eddy_type *type;   /* result type */
    uint32_t pos;            /* byte offset in the statement text (for messages) */
    uint32_t nargs;
    fn_expr **args;
    union {
        eddy_value literal;
        int index;
        struct {
            const fn_scalar *fn;      /* scalar call */
            const struct fn_table *table_fn; /* table function call (FLATMAP steps only) */
            int variant;     /* overload chosen by resolve */
        } call;
        struct {
            int first_var;
            int nparams;
        } lambda;
        char escape;         /* LIKE ... ESCAPE: 0 when none */
        bool has_else;       /* CASE */
    } u;
};

/* ---------------------------------------------------------------------------------------------
 * Evaluation
 * ------------------------------------------------------------------------------------------- */

typedef struct fn_config {
    /* ksql.functions.collect_list.limit / collect_set.limit: the most elements COLLECT_LIST /
     * COLLECT_SET keep (later ones are ignored). 0 or negative: no limit (ksqlDB's default;
     * eddy cannot express ksqlDB's explicit limit 0, which collects nothing). */
    int collect_list_limit;
    int collect_set_limit;
    bool substring_legacy_args;      /* ksql.functions.substring.legacy.args */
} fn_config;

typedef struct fn_ctx {
    eddy_arena *arena;               /* result strings, arrays, ... (batch arena) */
    const eddy_value *row;           /* the input row's columns */
    eddy_value *vars;                /* lambda variables (slots sized by the planner) */
    const fn_config *config;
    /* Processing log: called once for each expression error on this row (may be NULL). */
    void (*log)(void *log_ctx, const fn_expr *e, const eddy_err *err);
    void *log_ctx;
} fn_ctx;

/* Evaluate 'e' over ctx->row into '*out'. Errors in the data give a NULL '*out' and a
 * processing-log entry; the return value is EDDY_ENOMEM or 0. */
int fn_eval(const fn_expr *e, fn_ctx *ctx, eddy_value *out);

/* SQL truth: evaluate a BOOLEAN expression; NULL counts as false (WHERE, HAVING, CASE). */
int fn_eval_bool(const fn_expr *e, fn_ctx *ctx, bool *out);

/* For higher-order functions: bind 'args' to lambda 'lambda's parameters (ctx->vars slots
 * u.lambda.first_var..) and evaluate its body into '*out'. Unlike fn_eval(), an error in the
 * data is returned (an EDDY_E* code with 'err' set) so that it aborts the calling function
 * and, as in ksqlDB, the whole expression; the caller returns it from its eval. */
int fn_eval_lambda(const fn_expr *lambda, fn_ctx *ctx, const eddy_value *args, int nargs,
                   eddy_value *out, eddy_err *err);

/* ---------------------------------------------------------------------------------------------
 * Scalar functions
 * ------------------------------------------------------------------------------------------- */

enum {
    FN_F_NULL_IN_NULL_OUT = 1,   /* any NULL argument gives NULL without calling eval */
    FN_F_LAMBDA = 2              /* has lambda arguments: eval receives them unevaluated */
};

/* One argument of a call, as the resolver sees it. */
typedef struct fn_arg {
    /* The argument's type. NULL for a NULL literal (it matches any parameter, as ksqlDB's
     * untyped null). For a lambda: the type of its body, or NULL while it is not typed yet
     * (fn_scalar_lambda_types). */
    const eddy_type *type;
    int lambda_params;           /* a lambda argument: its number of parameters; else 0 */
} fn_arg;

/* What resolving a call decided. */
typedef struct fn_resolved {
    int variant;                 /* the overload (index of its signature) */
    const eddy_type *ret;        /* result type */
    /* Per argument: the type the overload expects when the argument must be converted
     * (an implicit cast, e.g. INTEGER to DOUBLE, STRING to TIMESTAMP), else NULL. In 'a'. */
    const eddy_type **casts;
} fn_resolved;

/* Resolve a call to 'self' with arguments 'args': pick an overload and the result type (see
 * fn_resolved; composite types are allocated in 'a'). Most functions use the signature
 * matcher (fn_scalar.sigs); a custom resolve exists for the few whose typing is special.
 * Errors: EDDY_ETYPE with ksqlDB's message when no signature matches ("Function 'substring'
 * does not accept parameters (STRING, STRING).\nValid alternatives are:\n..."), or several
 * match equally ("... cannot be resolved due to ambiguous method parameters ..."),
 * EDDY_ENOMEM. */
typedef int (*fn_resolve_fn)(const fn_scalar *self, eddy_arena *a, const fn_arg *args,
                             int nargs, fn_resolved *out, eddy_err *err);

/* Compute a call. 'args' are the evaluated arguments (for FN_F_LAMBDA functions, lambda
 * arguments are left NULL-valued: use call->args[i] with fn_eval_lambda). Write the result
 * to '*out' (allocated in ctx->arena when needed). A data error returns an EDDY_E* code with
 * a message: the evaluator logs it and the result becomes NULL. */
typedef int (*fn_eval_fn)(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                          eddy_value *out, eddy_err *err);

/* For FN_F_LAMBDA functions: the types of the 'nparams' parameters of lambda argument 'i'
 * given the other arguments' types (e.g. TRANSFORM(ARRAY<T>, x => ..) binds x: T). Types in
 * 'a'. Errors: EDDY_ETYPE (no signature fits), EDDY_ENOMEM. */
typedef int (*fn_lambda_types_fn)(const fn_scalar *self, eddy_arena *a, const fn_arg *args,
                                  int nargs, int i, const eddy_type **params, int nparams,
                                  eddy_err *err);

typedef struct fn_sig fn_sig;    /* one overload, in functions/functions_int.h's notation */

struct fn_scalar {
    const char *name;            /* upper case */
    const char *description;     /* for DESCRIBE FUNCTION / SHOW FUNCTIONS */
    const char *category;        /* "STRING", "MATHEMATICAL", "DATE / TIME", ... */
    unsigned flags;
    const fn_sig *sigs;          /* overloads; the variant is an index into this array */
    int nsigs;
    fn_resolve_fn resolve;       /* NULL: the signature matcher over 'sigs' */
    fn_eval_fn eval;
    fn_lambda_types_fn lambda_types;   /* NULL: derived from 'sigs' */
};

/* The scalar function named 'name' (case-insensitive), or NULL. Thread-safe. */
const fn_scalar *fn_scalar_find(const char *name);

/* Iterate the registry: index 0.. until NULL (sorted by name). Thread-safe. */
const fn_scalar *fn_scalar_at(int i);

/* Resolve a call to 'f' (f->resolve, or the signature matcher when it is NULL); see
 * fn_resolve_fn. */
int fn_scalar_resolve(const fn_scalar *f, eddy_arena *a, const fn_arg *args, int nargs,
                      fn_resolved *out, eddy_err *err);

/* Lambda parameter types for lambda argument 'i' of a call to 'f'; see fn_lambda_types_fn.
 * The planner calls it before typing the lambda's body (other lambda arguments may still be
 * untyped: 'type' NULL with 'lambda_params' set). */
int fn_scalar_lambda_types(const fn_scalar *f, eddy_arena *a, const fn_arg *args, int nargs,
                           int i, const eddy_type **params, int nparams, eddy_err *err);

/* Planner helper: build the typed FN_CALL node for 'f' over typed argument expressions 'args'
 * (a NULL literal has kind FN_LITERAL and type kind EDDY_T_NULL; lambdas are FN_LAMBDA nodes
 * typed by their body). Resolves the overload, wraps arguments that need an implicit
 * conversion in FN_CAST nodes (as ksqlDB's SqlToJavaVisitor.convertArgument), and allocates
 * the node in 'a' at statement offset 'pos'. Errors: as fn_scalar_resolve. */
int fn_call_build(eddy_arena *a, const fn_scalar *f, fn_expr *const *args, int nargs,
                  uint32_t pos, fn_expr **out, eddy_err *err);

/* ---------------------------------------------------------------------------------------------
 * Table functions (EXPLODE, CUBE_EXPLODE, ...): one input row, many output values
 * ------------------------------------------------------------------------------------------- */

typedef struct fn_table fn_table;

/* Produce the rows of a table function call: '*out' gets 'n' values (in ctx->arena). */
typedef int (*fn_table_eval_fn)(fn_ctx *ctx, const fn_expr *call, const eddy_value *args,
                                int nargs, eddy_value **out, uint32_t *n, eddy_err *err);

struct fn_table {
    const char *name;
    const char *description;
    const fn_sig *sigs;          /* the return type of a signature is one output value's */
    int nsigs;
    fn_table_eval_fn eval;
};

/* The table function named 'name' (case-insensitive), or NULL; iterate with fn_table_at. */
const fn_table *fn_table_find(const char *name);
const fn_table *fn_table_at(int i);

/* Resolve a table function call (as fn_scalar_resolve; 'ret' is one output value's type). */
int fn_table_resolve(const fn_table *f, eddy_arena *a, const fn_arg *args, int nargs,
                     fn_resolved *out, eddy_err *err);

/* ---------------------------------------------------------------------------------------------
 * LIKE matching (exposed for the planner's constant folding and tests)
 * ------------------------------------------------------------------------------------------- */

/* ksqlDB's LikeEvaluator on UTF-8 text: '%' any sequence, '_' one character (neither matches
 * a line terminator, as Java's '.'), 'escape' (0: none) makes the next character literal.
 * '*match' gets the result. Errors: EDDY_EINVAL "LIKE pattern must not end with escape
 * character". Thread-safe (no compiled state: the pattern is interpreted directly). */
int fn_like_match(const char *s, size_t n, const char *pat, size_t np, char escape,
                  bool *match, eddy_err *err);

/* =============================================================================================
 * Aggregate functions (functions/agg_*.c)
 *
 * ksqlDB's UDAFs (io.confluent.ksql.function.udaf: COUNT, SUM, AVG, MIN, MAX, ...) as a
 * registry parallel to the scalar one. The planner resolves a call once (fn_aggregate_resolve)
 * into an immutable fn_agg_call; the aggregation operator then keeps one state value per group
 * (and window) and drives it:
 *
 *     fn_agg_init(call, ctx, &st)             new group (ksqlDB's Udaf.initialize)
 *     fn_agg_add(call, ctx, &st, args)        a row arrives (aggregate)
 *     fn_agg_undo(call, ctx, &st, args)       a TABLE row is retracted (TableUdaf.undo)
 *     fn_agg_merge(call, ctx, &a, &b, &out)   two session windows join (Udaf.merge)
 *     fn_agg_result(call, ctx, &st, &out)     the column's value (Udaf.map)
 *
 * A state is an ordinary eddy_value of type call->state_type, so the operator stores it with
 * eddy_binval_encode() and reads it back with eddy_binval_decode() between batches. States and
 * results are allocated in ctx->arena; input values are copied into it when a state keeps
 * them, so arguments may be borrowed from the batch. add and undo update '*st' in place: they
 * may write into its items and may replace them with new arrays, so a state must not share its
 * items with another value. Functions are thread-safe; a state belongs to one thread.
 *
 * Aggregating a TABLE needs undo. Functions without it (MIN, MAX, COLLECT_SET, TOPK,
 * TOPKDISTINCT, COUNT_DISTINCT, LATEST_BY_OFFSET, EARLIEST_BY_OFFSET) are rejected at planning
 * time with ksqlDB's message (fn_agg_check_table).
 * ============================================================================================= */

typedef struct fn_aggregate fn_aggregate;
typedef struct fn__agg_impl fn__agg_impl;     /* private to functions/ */

struct fn_aggregate {
    const char *name;             /* upper case */
    const char *description;      /* for DESCRIBE FUNCTION / SHOW FUNCTIONS */
    const fn_sig *sigs;           /* overloads: column parameters first, then literal ones */
    int nsigs;
    const uint8_t *ninit;         /* per overload: trailing parameters that must be literals */
    const fn__agg_impl *impl;
};

/* One argument of an aggregate call, as the planner sees it. */
typedef struct fn_agg_arg {
    const eddy_type *type;        /* NULL for a NULL literal */
    const eddy_value *literal;    /* the argument's value when it is a literal, else NULL */
    const char *text;             /* its SQL text for messages ("F0"); may be NULL */
} fn_agg_arg;

/* A resolved call: immutable, allocated in the query arena by fn_aggregate_resolve. */
typedef struct fn_agg_call {
    const fn_aggregate *fn;
    int variant;                  /* the overload */
    int ncols;                    /* column arguments, evaluated per row (the others are the
                                   * literal parameters below) */
    const eddy_type **casts;      /* per column argument: the type to convert it to first (an
                                   * implicit cast, e.g. INT to DOUBLE for AVG), else NULL */
    const eddy_type **arg_types;  /* per column argument: its type after that conversion */
    const eddy_type *state_type;  /* type of the state value (intermediate, as ksqlDB's) */
    const eddy_type *ret;         /* type of the result */
    int64_t n;                    /* TOPK/TOPKDISTINCT k; *_BY_OFFSET n (0: the single form) */
    bool ignore_nulls;            /* *_BY_OFFSET */
    int limit;                    /* COLLECT_LIST/COLLECT_SET/HISTOGRAM size limit */
} fn_agg_call;

/* What an aggregate step needs besides the state. */
typedef struct fn_agg_ctx {
    eddy_arena *arena;            /* states and results are allocated here */
    /* The row's position in processing order, for LATEST_BY_OFFSET and EARLIEST_BY_OFFSET
     * (ksqlDB numbers rows with a process-wide counter as they are aggregated). The operator
     * sets it before each fn_agg_add (and fn_agg_init); it must grow with processing order
     * for a group, across restarts too, e.g. a per-task counter kept in the checkpoint.
     * Negative values count as later than non-negative ones (ksqlDB's overflow rule). */
    int64_t seq;
} fn_agg_ctx;

/* The aggregate function named 'name' (case-insensitive), or NULL. Thread-safe. */
const fn_aggregate *fn_aggregate_find(const char *name);

/* Iterate the aggregate registry: index 0.. until NULL (sorted by name). Thread-safe. */
const fn_aggregate *fn_aggregate_at(int i);

/* Does 'f' support undo (ksqlDB's TableUdaf), i.e. may it aggregate a TABLE? */
bool fn_aggregate_supports_undo(const fn_aggregate *f);

/* Resolve a call to 'f' with arguments 'args' (column arguments, then literal parameters such
 * as TOPK's k or LATEST_BY_OFFSET's n and ignoreNulls) under 'cfg' (may be NULL: defaults)
 * into '*out', allocated in 'a' with the types it refers to. Picks the overload with the
 * scalar signature matcher (implicit casts of column arguments are reported in out->casts for
 * the planner to insert), reads the literal parameters and computes the state and result
 * types. Errors: EDDY_ETYPE when no overload matches (the scalar matcher's message, "Function
 * 'sum' does not accept parameters (STRING)...") or a parameter that must be a literal is not
 * ("Parameter 2 passed to function EARLIEST_BY_OFFSET must be a literal constant, but was
 * expression: 'F0'"); EDDY_EINVAL for a bad literal ("earliestN must be 1 or greater");
 * EDDY_ENOMEM. */
int fn_aggregate_resolve(const fn_aggregate *f, eddy_arena *a, const fn_agg_arg *args,
                         int nargs, const fn_config *cfg, fn_agg_call **out, eddy_err *err);

/* ksqlDB's check for aggregating a TABLE (SchemaKGroupedTable.aggregate): EDDY_ETYPE "The
 * aggregation function MIN cannot be applied to a table source, only to a stream source."
 * naming every distinct function of 'calls' without undo ("functions MIN and MAX"); 0 when
 * all support undo. */
int fn_agg_check_table(const fn_agg_call *const *calls, int ncalls, eddy_err *err);

/* The initial state of a new group into '*st' (ksqlDB's initialize; COUNT's 0, SUM's 0, an
 * empty list, or NULL for MIN/MAX/EARLIEST_BY_OFFSET). Errors: EDDY_ENOMEM. */
int fn_agg_init(const fn_agg_call *call, fn_agg_ctx *ctx, eddy_value *st, eddy_err *err);

/* Aggregate one row: 'args' are the call->ncols column arguments (already converted to
 * call->arg_types), borrowed. Null handling is each function's, as in ksqlDB (most skip a
 * NULL; COLLECT_LIST, COLLECT_SET, HISTOGRAM and ATTR take it as a value). On error the
 * state is unchanged. Errors: EDDY_ERANGE for a DECIMAL SUM beyond its type ("Numeric field
 * overflow: ..."; ksqlDB fails the record), EDDY_ENOMEM. */
int fn_agg_add(const fn_agg_call *call, fn_agg_ctx *ctx, eddy_value *st, const eddy_value *args,
               eddy_err *err);

/* Retract a row added before (aggregating a TABLE: the old row is undone, then the new one
 * added). Errors: EDDY_EUNSUPPORTED for a function without undo (the planner rejects those
 * with fn_agg_check_table), EDDY_ERANGE, EDDY_ENOMEM. */
int fn_agg_undo(const fn_agg_call *call, fn_agg_ctx *ctx, eddy_value *st, const eddy_value *args,
                eddy_err *err);

/* Merge the states of two session windows into '*out' (ksqlDB's Merger: 'a' is the
 * aggregate built so far, 'b' the existing session's). 'out' may be 'a'; 'a' and 'b' are
 * not modified. Errors: EDDY_ENOMEM. */
int fn_agg_merge(const fn_agg_call *call, fn_agg_ctx *ctx, const eddy_value *a,
                 const eddy_value *b, eddy_value *out, eddy_err *err);

/* The result of state 'st' into '*out' (of type call->ret; ksqlDB's map). '*out' may borrow
 * from the state. Errors: EDDY_ENOMEM. */
int fn_agg_result(const fn_agg_call *call, fn_agg_ctx *ctx, const eddy_value *st,
                  eddy_value *out, eddy_err *err);

#endif /* EDDY_FUNCTIONS_H */
