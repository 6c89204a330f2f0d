/*
 * planner/planner_int.h - private contracts of the planner.
 *
 * The planner is split by concern:
 *   analyze.c  - planner_plan(): statement dispatch, DDL (CREATE STREAM/TABLE with columns,
 *                WITH properties, formats), INSERT VALUES, DROP, SET/DEFINE, types.
 *   query.c    - SELECT analysis and the physical plan of a query (SOURCE, FILTER, REKEY,
 *                FLATMAP, PROJECT, SINK), sink rules for CREATE ... AS SELECT and
 *                INSERT INTO ... SELECT.
 *   expr.c     - parser expressions to typed fn_expr trees, with ksqlDB's type rules.
 *   format.c   - ksqlDB's text of AST expressions and of typed expressions (messages,
 *                EXPLAIN), format capability checks shared by DDL and sinks.
 *   explain.c  - planner_explain().
 *
 * Every function that can fail returns 0 or a negative EDDY_E* code and records the first
 * error in the context's eddy_err, with the SQL position when there is one. All memory
 * comes from the context's arena (the caller's statement or query arena).
 */
#ifndef EDDY_PLANNER_INT_H
#define EDDY_PLANNER_INT_H

#include "eddy/planner.h"

/* One planning run: what every helper needs. */
typedef struct pl_ctx {
    const char *sql;          /* the parsed text (positions refer to it) */
    size_t sql_len;
    const plan_catalog *cat;
    eddy_arena *a;
    eddy_err *err;
} pl_ctx;

/* A table function call found in a SELECT list and the FLATMAP column that holds its
 * value. */
typedef struct pl_tfn {
    const parser_expr *ast;
    int col;
} pl_tfn;

/* A lambda parameter in scope: its name and variable slot. */
typedef struct pl_lvar {
    const char *name;
    int slot;
    const eddy_type *type;
} pl_lvar;

#define PL_MAX_LVARS 32

/* Where names resolve while typing an expression. */
typedef struct pl_scope {
    const plan_schema *schema;   /* the input row of the step */
    const char *source;          /* FROM source name, for qualified names */
    const char *alias;           /* FROM alias, or NULL */
    const char *clause;          /* "SELECT", "WHERE", "PARTITION BY", ... for messages */
    int nlvars;                  /* lambda parameters in scope, innermost last */
    pl_lvar lvars[PL_MAX_LVARS];
    int *nslots;                 /* lambda variable slots used so far (step's nvars) */
    int ntfns;                   /* table function calls already planned (SELECT only) */
    const pl_tfn *tfns;
    bool allow_tfn;              /* may a table function call appear here? */
    /* After an aggregation: sub-expressions equal (pl_ast_equal) to subst_ast[i] (GROUP BY
     * expressions, aggregate calls) read column subst_col[i] of 'schema' instead. */
    int nsubst;
    const parser_expr *const *subst_ast;
    const int *subst_col;
    /* A join (join.c): names resolve as <SIDE>_<NAME> columns of 'schema'. */
    const struct pl_join *join;
} pl_scope;

/* The two sides of a join: a qualifier names side i when it equals src[i] or alias[i]; its
 * columns are named prefix[i]_<NAME> in the joined row. */
typedef struct pl_join {
    const char *src[2], *alias[2], *prefix[2];
    int left_ncols;              /* joined row: columns 0..left_ncols-1 are the left side's */
    int right_key;               /* the join column that is not the KEY but may stand for it
                                    in the projection, or -1 */
    int synthetic;               /* a synthetic key column (ROWKEY), or -1 */
    const bool *side_key;        /* per joined column: a key column of its side's row */
    const char *key_texts;       /* "S.ID or T.ID", for the key-missing message */
    const char *first_key_text;
} pl_join;

/* Plan the JOIN of 'q' (join.c): appends a JOIN step after steps[*nsteps - 1] (the left
 * source's SOURCE step) and fills 'out'. Only what is implemented is accepted; the rest
 * fails with ksqlDB's message or EDDY_EUNSUPPORTED "... is not supported yet". */
int pl__join_step(pl_ctx *c, const parser_query *q, const plan_source *left, plan_step *steps,
                  int *nsteps, pl_join *out);
/* Column lookup in a join scope (see pl_scope_find): index, -1 not found, -2 unknown
 * qualifier, -3 ambiguous. */
int pl__join_find(const pl_join *j, const plan_schema *s, const char *qualifier,
                  const char *name);
/* The name of an unaliased column reference in a join's SELECT list: its name, or
 * <SIDE>_<NAME> when both sides have such a column (ksqlDB's clash rule). */
const char *pl__join_item_name(pl_ctx *c, const pl_join *j, const plan_schema *s,
                               const parser_expr *col);

/* ---- errors (analyze.c) ---- */

/* Record error 'code' at byte offset 'pos' of the statement text (line/col), message
 * printf-style. Returns 'code'. */
int pl_err_at(pl_ctx *c, uint32_t pos, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Record an error with an already formatted message that may be long: when it does not
 * fit eddy_err.msg, 'shorter' (may be NULL) is used instead. */
int pl_err_long(pl_ctx *c, uint32_t pos, int code, const char *msg, const char *shorter);
int pl_oom(pl_ctx *c);
/* As pl_err_at, the message starting as ksqlDB's NodeLocation.asPrefix() does for the errors
 * it locates in their text: "Line: 1, Col: 21: ...". */
int pl_err_loc(pl_ctx *c, uint32_t pos, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Put 'prefix' before the recorded error's message (truncating its end if needed). */
void pl_err_prefix(pl_ctx *c, const char *prefix);

/* ---- small helpers (analyze.c) ---- */

char *pl_strdup(pl_ctx *c, const char *s);
char *pl_printf(pl_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* ksqlDB's MetaStore.checkAlternatives: for a source name that does not exist, the sources
 * whose name differs only in case ('kind' PLAN_STREAM/PLAN_TABLE, or -1 for any) as a
 * "\nDid you mean ...? Hint: ..." suffix; "" when there are none, NULL when out of memory. */
const char *pl_source_hint(pl_ctx *c, const char *name, int kind);
const char *pl_type_str(pl_ctx *c, const eddy_type *t);
const char *pl_property(pl_ctx *c, const char *name);
bool pl_is_reserved_column(const char *name);

/* Type as written (column definitions, CAST, CREATE TYPE) to an eddy_type. */
int pl_type_from_ast(pl_ctx *c, const parser_type *t, const eddy_type **out);

/* ---- expressions (expr.c) ---- */

fn_expr *pl_node(pl_ctx *c, fn_expr_kind kind, const eddy_type *type, uint32_t pos,
                 uint32_t nargs);
int pl_expr(pl_ctx *c, pl_scope *s, const parser_expr *e, fn_expr **out);
/* Resolve a column reference against the scope's schema: index or -1 (no error set). */
int pl_scope_find(const pl_scope *s, const char *qualifier, const char *name);
/* Common type of a user list (IN, ARRAY[...], MAP keys/values, CASE results) as ksqlDB's
 * CoercionUtil, and each item converted to it. '*common' NULL when every item is NULL. */
int pl_coerce_list(pl_ctx *c, fn_expr **items, int n, const parser_expr *const *asts,
                   const eddy_type **common);
/* Convert 'e' to 'target': literals are converted now (lax, ksqlDB's literal coercion),
 * other expressions get a CAST node. */
int pl_coerce_to(pl_ctx *c, fn_expr *e, const parser_expr *ast, const eddy_type *target,
                 fn_expr **out);
/* Table function named 'name' (SELECT lists only), or NULL. */
const fn_table *pl_table_fn(const char *name);
/* Typed call of a table function over the scope's row. */
int pl_table_call(pl_ctx *c, pl_scope *s, const parser_expr *e, fn_expr **out);
/* Structural equality of AST expressions (positions ignored, column qualifiers ignored). */
bool pl_ast_equal(const parser_expr *a, const parser_expr *b);
/* Does 'e' contain a call whose name satisfies 'pred'? Appends them to 'out' (may be NULL)
 * up to 'max'; returns the count found. */
int pl_ast_find_calls(const parser_expr *e, bool (*pred)(const char *name),
                      const parser_expr **out, int max);
bool pl_is_aggregate_name(const char *name);
/* Visit 'e' and its sub-expressions in pre-order, left to right: 'visit' returns 0 to go into
 * the node's children, 1 to skip them, or a negative value that stops the walk and is
 * returned. */
int pl_ast_walk(const parser_expr *e, int (*visit)(const parser_expr *e, void *ctx), void *ctx);

/* ---- text (format.c) ---- */

/* ksqlDB's ExpressionFormatter text of an AST expression. */
int pl_format_ast(const parser_expr *e, eddy_buf *out);
const char *pl_ast_str(pl_ctx *c, const parser_expr *e);
/* pl_ast_str with every unqualified column reference qualified by 'qualifier' (ksqlDB's text
 * of a rewritten expression, "ABS(INPUT.ID)"); with 'qualifier' "" every reference is printed
 * unqualified. */
const char *pl_ast_str_qualified(pl_ctx *c, const parser_expr *e, const char *qualifier);
/* Append an identifier as ksqlDB prints it in expressions: bare when it is upper case and
 * a valid unreserved identifier, else back-quoted. */
int pl_format_ident(const char *name, eddy_buf *out);
/* Check that format 'fmt' can carry 'cols' (key or value side); ksqlDB's messages.
 * 'explicit_fmt' false skips the NONE-with-columns rule (an inherited NONE key). */
int pl_check_format(pl_ctx *c, uint32_t pos, const serde_format *fmt, const plan_column *cols,
                    int ncols, bool is_key, bool explicit_fmt);
/* Parse a format name / delimiter (ksqlDB's messages). */
const char *pl_format_name(serde_kind k);
int pl_format_parse(pl_ctx *c, uint32_t pos, const char *name, serde_format *out);
int pl_delimiter_parse(pl_ctx *c, uint32_t pos, const char *prop, const char *text, char *out);

/* ---- checks shared by CREATE and CREATE AS (analyze.c) ---- */

/* Map keys, then what the key and value formats can carry, for a new source's schema. */
int pl__check_schema_formats(pl_ctx *c, uint32_t pos, const plan_schema *schema,
                             const serde_format *kf, const serde_format *vf, bool key_explicit);
/* CREATE [OR REPLACE] [SOURCE] over an existing name: ksqlDB's rules and messages. */
int pl__check_create_target(pl_ctx *c, const parser_stmt *stmt, plan_source_kind kind);

/* ---- queries (query.c) ---- */

typedef enum pl_query_mode {
    PL_Q_TRANSIENT,    /* SELECT ... EMIT CHANGES */
    PL_Q_CREATE_AS,    /* CREATE STREAM ... AS SELECT */
    PL_Q_INSERT        /* INSERT INTO ... SELECT */
} pl_query_mode;

int pl_plan_query_stmt(pl_ctx *c, const parser_stmt *stmt, pl_query_mode mode,
                       plan_stmt *ps);

/* ---- aggregation (aggregate.c) ---- */

/* What the SELECT list and HAVING are typed against after GROUP BY. */
typedef struct pl_agg {
    int ngroup;
    const parser_expr **group;   /* the GROUP BY expressions */
    const char **group_names;    /* their text, for messages */
    int nsubst;
    const parser_expr **subst_ast;
    int *subst_col;
    bool windowed;
} pl_agg;

/* Does the query aggregate (GROUP BY, WINDOW or an aggregate call in SELECT/HAVING)? */
bool pl__query_aggregates(const parser_query *q);

/* Append GROUP_BY and AGGREGATE steps after steps[*nsteps - 1] (their input) and describe
 * the result in 'out'. Checks ksqlDB's aggregation rules (non-aggregate expressions must be
 * grouped, no nested aggregates, no aggregates in GROUP BY, ...). 'what' names the statement
 * in messages ("CREATE TABLE AS SELECT"). */
int pl__agg_steps(pl_ctx *c, const parser_query *q, const char *what, const plan_source *src,
                  plan_step *steps, int *nsteps, pl_agg *out);

/* The first WINDOWSTART/WINDOWEND column reference in 'e' (pre-order), only inside aggregate
 * calls when 'in_agg_only', or NULL. */
const parser_expr *pl__window_bound_ref(const parser_expr *e, bool in_agg_only);

/* ksqlDB stores aggregation state in the value format of the query's source
 * (MaterializationUtil): an aggregate call whose intermediate type (state_type) that format
 * cannot carry (DELIMITED: no ARRAY, MAP or STRUCT, as for AVG, STDDEV_SAMP, CORRELATION,
 * TOPK, COLLECT_LIST, HISTOGRAM, LATEST_BY_OFFSET, ...; KAFKA: INT, BIGINT, DOUBLE, STRING
 * and BYTES only) fails the statement with EDDY_ETYPE "One of the functions used in the
 * statement has an intermediate type that the value format can not handle. ...". 'as' is the
 * AGGREGATE step, 'vf' the source's value format. */
int pl__check_agg_state_format(pl_ctx *c, uint32_t pos, const plan_step *as,
                               const serde_format *vf);

/* ---- WITH clause (analyze.c) ---- */

typedef struct pl_with {
    const char *kafka_topic;
    const char *key_format, *value_format, *format;
    uint32_t key_format_pos, value_format_pos, format_pos;
    const char *key_delimiter, *value_delimiter;
    int wrap_single;               /* -1 not given */
    int partitions, replicas;      /* -1 not given */
    const char *timestamp, *timestamp_format;
    uint32_t timestamp_pos;
    const char *window_type, *window_size;
    uint32_t pos;
} pl_with;

int pl_with_parse(pl_ctx *c, const parser_props *props, bool create_as, pl_with *w);
/* Resolve the key and value formats of a new source from WITH and the session defaults
 * ('inherit_key' / 'inherit_value' from a query's source, may be NULL). */
int pl_with_formats(pl_ctx *c, const pl_with *w, const serde_format *inherit_key,
                    const serde_format *inherit_value, serde_format *key, serde_format *value,
                    bool *key_explicit);
/* Apply WRAP_SINGLE_VALUE (WITH or ksql.persistence.wrap.single.values) to the value format
 * given the number of value columns. */
int pl_with_wrap(pl_ctx *c, const pl_with *w, int nvalue_cols, serde_format *value);
/* TIMESTAMP / TIMESTAMP_FORMAT: index of the column in 'schema' and the expression giving a
 * row's event time over a row laid out as 'schema' (first columns). */
int pl_timestamp_expr(pl_ctx *c, const pl_with *w, const plan_schema *schema, int *col,
                      fn_expr **out);
int pl_timestamp_expr_for(pl_ctx *c, uint32_t pos, const plan_schema *schema, int col,
                          const char *format, fn_expr **out);

#endif /* EDDY_PLANNER_INT_H */
