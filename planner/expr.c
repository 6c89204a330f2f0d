/*
 * planner/expr.c - parser expressions to typed fn_expr trees, with ksqlDB's type rules.
 *
 * pl_expr() walks an AST expression bottom-up over a scope (the input row of a step, the
 * FROM source's name and alias, lambda parameters in scope) and builds the typed tree the
 * operators evaluate: every column a row index, every call bound to an overload, every
 * implicit conversion an explicit CAST node. The rules are ksqlDB's (ExpressionTypeManager,
 * ComparisonUtil, CoercionUtil, SqlToJavaVisitor):
 *
 *   - literals: INT/BIGINT by size, DECIMAL(p, s) as written, DOUBLE with an exponent;
 *   - comparisons: numbers with numbers, strings with strings and time types, booleans,
 *     bytes, time types among themselves; ARRAY/MAP/STRUCT only with = and <>; a NULL
 *     operand is an error ("Comparison with NULL not supported"); a string literal compared
 *     with ROWTIME, WINDOWSTART or WINDOWEND is read as a timestamp (ksqlDB's "magic
 *     timestamp" rewrite);
 *   - arithmetic: eddy_type_arith(); `||` is CONCAT;
 *   - user lists (IN, ARRAY[...], MAP(...) keys and values, CASE results): one common type,
 *     string literals parsed as that type, other literals coerced laxly, other expressions
 *     widened with a CAST (CoercionUtil);
 *   - calls: the functions module resolves overloads and inserts argument casts
 *     (fn_call_build); lambda parameters get their types from fn_scalar_lambda_types before
 *     the body is typed; table functions are planned separately (FLATMAP) and appear here as
 *     the FLATMAP column holding their value; AS_VALUE is the identity.
 *
 * Errors carry the position of the offending node and ksqlDB's text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "planner_int.h"

fn_expr *pl_node(pl_ctx *c, fn_expr_kind kind, const eddy_type *type, uint32_t pos,
                 uint32_t nargs)
{
    fn_expr *e = eddy_arena_calloc(c->a, sizeof *e);
    if (!e) {
        pl_oom(c);
        return NULL;
    }
    e->kind = (uint8_t)kind;
    e->type = type;
    e->pos = pos;
    e->nargs = nargs;
    if (nargs) {
        e->args = eddy_arena_calloc(c->a, sizeof *e->args * nargs);
        if (!e->args) {
            pl_oom(c);
            return NULL;
        }
    }
    return e;
}

/* Give an error recorded by another module (no position yet) the node's position. */
static int at_pos(pl_ctx *c, uint32_t pos, int rc)
{
    if (c->err && c->err->code && c->err->line == 0 && c->sql)
        parser_linecol(c->sql, c->sql_len, pos, &c->err->line, &c->err->col);
    return rc;
}

static int with_prefix(pl_ctx *c, const char *prefix)
{
    if (!c->err->code || !prefix)
        return c->err->code;
    pl_err_prefix(c, prefix);
    return c->err->code;
}

static bool is_null_type(const eddy_type *t)
{
    return !t || t->kind == EDDY_T_NULL;
}

static fn_expr *literal(pl_ctx *c, const eddy_type *t, eddy_value v, uint32_t pos)
{
    fn_expr *e = pl_node(c, FN_LITERAL, t, pos, 0);
    if (e)
        e->u.literal = v;
    return e;
}

static bool is_string_literal(const fn_expr *e)
{
    return e->kind == FN_LITERAL && e->type->kind == EDDY_T_STRING && !e->u.literal.null;
}

/* ---------------------------------------------------------------------------------------------
 * Names
 * ------------------------------------------------------------------------------------------- */

int pl_scope_find(const pl_scope *s, const char *qualifier, const char *name)
{
    if (s->join)
        return pl__join_find(s->join, s->schema, qualifier, name);
    if (qualifier && !(s->source && strcmp(qualifier, s->source) == 0) &&
        !(s->alias && strcmp(qualifier, s->alias) == 0))
        return -2;
    for (int i = 0; i < s->schema->ncols; i++)
        if (strcmp(s->schema->cols[i].name, name) == 0)
            return i;
    return -1;
}

static int column_ref(pl_ctx *c, pl_scope *s, const parser_expr *e, fn_expr **out)
{
    const char *q = e->col.qualifier, *name = e->col.name;
    if (!q) {
        for (int i = s->nlvars - 1; i >= 0; i--) {
            if (strcmp(s->lvars[i].name, name) == 0) {
                fn_expr *v = pl_node(c, FN_VAR, s->lvars[i].type, e->pos, 0);
                if (!v)
                    return c->err->code;
                v->u.index = s->lvars[i].slot;
                *out = v;
                return 0;
            }
        }
    }
    int idx = pl_scope_find(s, q, name);
    if (idx == -2)
        return pl_err_at(c, e->pos, EDDY_ENOTFOUND,
                         "'%s' is not a valid stream/table name or alias.", q);
    if (idx == -3)
        return pl_err_loc(c, e->pos, EDDY_ETYPE, "Column '%s' is ambiguous. Could be %s.%s or "
                          "%s.%s.", name, s->join->prefix[0], name, s->join->prefix[1], name);
    if (idx < 0 && s->clause && strcmp(s->clause, "PARTITION BY") == 0)
        /* Analyzer.throwOnUnknownColumnReference */
        return pl_err_at(c, e->pos, EDDY_ENOTFOUND,
                         "PARTITION BY column '%s%s%s' cannot be resolved. '%s%s%s' must be a "
                         "column in the source schema since PARTITION BY is applied on the "
                         "input.", q ? q : "", q ? "." : "", name, q ? q : "", q ? "." : "",
                         name);
    if (idx < 0)
        return pl_err_at(c, e->pos, EDDY_ENOTFOUND, "%s column '%s%s%s' cannot be resolved.",
                         s->clause ? s->clause : "SELECT", q ? q : "", q ? "." : "", name);
    fn_expr *r = pl_node(c, FN_COLUMN, s->schema->cols[idx].type, e->pos, 0);
    if (!r)
        return c->err->code;
    r->u.index = idx;
    *out = r;
    return 0;
}

/* The pseudo columns whose string comparisons ksqlDB reads as timestamps. */
static bool is_magic_time_column(const pl_scope *s, const fn_expr *e)
{
    if (e->kind != FN_COLUMN || e->u.index < 0 || e->u.index >= s->schema->ncols)
        return false;
    const plan_column *col = &s->schema->cols[e->u.index];
    return col->role == PLAN_COL_PSEUDO &&
           (strcmp(col->name, "ROWTIME") == 0 || strcmp(col->name, "WINDOWSTART") == 0 ||
            strcmp(col->name, "WINDOWEND") == 0);
}

static int magic_timestamp(pl_ctx *c, const pl_scope *s, const fn_expr *col, fn_expr **lit)
{
    if (!is_magic_time_column(s, col) || !is_string_literal(*lit))
        return 0;
    size_t n = (*lit)->u.literal.n;
    const char *p = eddy_java_trim((*lit)->u.literal.u.str, &n);
    int64_t ms;
    eddy_err e;
    eddy_err_clear(&e);
    if (eddy_timestamp_parse(p, n, &ms, &e))
        return pl_err_at(c, (*lit)->pos, EDDY_ETYPE, "%s", e.msg);
    *lit = literal(c, EDDY_TYPE_BIGINT, eddy_value_bigint(ms), (*lit)->pos);
    return *lit ? 0 : c->err->code;
}

/* ---------------------------------------------------------------------------------------------
 * Coercion
 * ------------------------------------------------------------------------------------------- */

/* CoercionUtil's message names the target's base type ("DECIMAL", not "DECIMAL(4, 2)"). */
static int invalid_syntax(pl_ctx *c, const fn_expr *lit, const eddy_type *target)
{
    return pl_err_at(c, lit->pos, EDDY_ETYPE, "invalid input syntax for type %s: \"%.*s\".",
                     eddy_type_kind_name(target->kind), (int)lit->u.literal.n,
                     lit->u.literal.u.str);
}

/* SqlBooleans.parseBooleanExact: a non-empty prefix of "true"/"yes" or of "false"/"no",
 * ignoring case (after a Java trim). */
static bool is_exact_boolean(const char *s, size_t n)
{
    s = eddy_java_trim(s, &n);
    if (n == 0)
        return false;
    return (n <= 4 && strncasecmp(s, "true", n) == 0) ||
           (n <= 3 && strncasecmp(s, "yes", n) == 0) ||
           (n <= 5 && strncasecmp(s, "false", n) == 0) ||
           (n <= 2 && strncasecmp(s, "no", n) == 0);
}

/* CoercionUtil.getStringNumericType: the type of a number written in a string: INTEGER or
 * BIGINT for a whole number strictly inside their range (no '.', no exponent), else the
 * DECIMAL of its digits (DecimalUtil.fromValue). Returns 1 when it is not a number, an error
 * code (negative) on failure. */
static int string_numeric_type(pl_ctx *c, const char *str, size_t len, const eddy_type **out)
{
    size_t n = len;
    const char *p = eddy_java_trim(str, &n);
    eddy_decimal d;
    eddy_err e;
    eddy_err_clear(&e);
    if (eddy_decimal_parse(p, n, &d, &e))
        return 1;
    bool dp = memchr(str, '.', len) || memchr(str, 'e', len) || memchr(str, 'E', len);
    if (!dp && d.scale == 0) {
        if (d.unscaled > INT32_MIN && d.unscaled < INT32_MAX) {
            *out = EDDY_TYPE_INT;
            return 0;
        }
        if (d.unscaled > INT64_MIN && d.unscaled < INT64_MAX) {
            *out = EDDY_TYPE_BIGINT;
            return 0;
        }
    }
    __int128 u = d.unscaled < 0 ? -d.unscaled : d.unscaled;
    __int128 one = 1;
    for (int i = 0; i < d.scale; i++)
        one *= 10;
    int precision;
    if (u < one) {
        precision = d.scale + 1;
    } else {
        precision = 0;
        for (; u > 0; u /= 10)
            precision++;
    }
    if (eddy_type_decimal(c->a, precision, d.scale, out, &e))
        return e.code == EDDY_ENOMEM ? pl_oom(c) : 1;
    return 0;
}

/* CoercionUtil.resolveCommonNumericTypeFromStringLiteral: the common type of a numeric
 * 'target' and a string literal holding a number (DOUBLE wins, a DECIMAL widens, else the
 * wider of the two). Returns 1 when the string is not a number, an error code (negative) on
 * failure. */
static int string_numeric_common(pl_ctx *c, const fn_expr *lit, const eddy_type *target,
                                 const eddy_type **out)
{
    const eddy_type *src;
    int rc = string_numeric_type(c, lit->u.literal.u.str, lit->u.literal.n, &src);
    if (rc)
        return rc;
    if (target->kind == EDDY_T_DOUBLE) {
        *out = EDDY_TYPE_DOUBLE;
        return 0;
    }
    if (src->kind == EDDY_T_DECIMAL || target->kind == EDDY_T_DECIMAL) {
        const eddy_type *r = NULL;
        if (target->kind == EDDY_T_DECIMAL ? eddy_type_coerce(c->a, src, target, false, &r, c->err)
                                           : eddy_type_coerce(c->a, target, src, false, &r, c->err))
            return c->err->code;
        if (!r)
            return 1;
        *out = r;
        return 0;
    }
    *out = eddy_type_can_implicitly_cast(src, target) ? target : src;
    return 0;
}

/* A literal converted to 'target' as ksqlDB's DefaultSqlValueCoercer does for literals: a
 * string read as a number goes through BigDecimal ("2e1" is 20), other conversions as CAST. */
static int cast_literal(pl_ctx *c, const fn_expr *e, const eddy_type *target, eddy_value *out,
                        eddy_err *err)
{
    const eddy_value *v = &e->u.literal;
    if (e->type->kind == EDDY_T_STRING &&
        (target->kind == EDDY_T_INT || target->kind == EDDY_T_BIGINT)) {
        eddy_decimal d, i;
        if (eddy_decimal_parse(v->u.str, v->n, &d, err) ||
            eddy_decimal_rescale(&d, 0, false, &i, err))
            return err->code ? err->code : EDDY_EINVAL;
        if (i.unscaled > INT64_MAX || i.unscaled < INT64_MIN ||
            (target->kind == EDDY_T_INT && (i.unscaled > INT32_MAX || i.unscaled < INT32_MIN)))
            return eddy_err_set(err, EDDY_ERANGE, "out of range");
        *out = target->kind == EDDY_T_INT ? eddy_value_int((int32_t)i.unscaled)
                                          : eddy_value_bigint((int64_t)i.unscaled);
        return 0;
    }
    (void)c;
    return eddy_cast(v, e->type, target, c->a, out, err);
}

/* Is 'e' a literal, or a constructor of literals (coerced laxly, as literals are)? */
static bool literal_tree(const fn_expr *e)
{
    if (e->kind == FN_LITERAL)
        return true;
    if (e->kind != FN_ARRAY && e->kind != FN_MAP && e->kind != FN_STRUCT)
        return false;
    for (uint32_t i = 0; i < e->nargs; i++)
        if (!literal_tree(e->args[i]))
            return false;
    return true;
}

/* Convert a constructor element by element (ksqlDB coerces constructor arguments, so a
 * literal inside is converted, or rejected, as a literal). */
static int coerce_ctor(pl_ctx *c, fn_expr *e, const eddy_type *target, fn_expr **out)
{
    fn_expr *r;
    int rc;
    if (e->kind == FN_ARRAY || e->kind == FN_MAP) {
        r = pl_node(c, (fn_expr_kind)e->kind, target, e->pos, e->nargs);
        if (!r)
            return c->err->code;
        for (uint32_t i = 0; i < e->nargs; i++) {
            const eddy_type *t = e->kind == FN_ARRAY ? target->elem
                                 : (i % 2 == 0 ? target->key : target->elem);
            if ((rc = pl_coerce_to(c, e->args[i], NULL, t, &r->args[i])))
                return rc;
        }
        *out = r;
        return 0;
    }
    r = pl_node(c, FN_STRUCT, target, e->pos, target->nfields);
    if (!r)
        return c->err->code;
    for (uint32_t f = 0; f < target->nfields; f++) {
        const eddy_type_field *tf = &target->fields[f];
        uint32_t idx;
        fn_expr *arg;
        if (eddy_type_field_find(e->type, tf->name, strlen(tf->name), &idx)) {
            arg = e->args[idx];
        } else {
            arg = literal(c, tf->type, eddy_value_null((eddy_type_kind)tf->type->kind), e->pos);
            if (!arg)
                return c->err->code;
        }
        if ((rc = pl_coerce_to(c, arg, NULL, tf->type, &r->args[f])))
            return rc;
    }
    *out = r;
    return 0;
}

int pl_coerce_to(pl_ctx *c, fn_expr *e, const parser_expr *ast, const eddy_type *target,
                 fn_expr **out)
{
    (void)ast;
    *out = e;
    if (!target || eddy_type_equal(e->type, target))
        return 0;
    if (e->kind == FN_LITERAL) {
        if (e->u.literal.null || is_null_type(e->type)) {
            *out = literal(c, target, eddy_value_null((eddy_type_kind)target->kind), e->pos);
            return *out ? 0 : c->err->code;
        }
        eddy_value v;
        eddy_err ce;
        eddy_err_clear(&ce);
        if (cast_literal(c, e, target, &v, &ce)) {
            if (ce.code == EDDY_ENOMEM)
                return pl_oom(c);
            if (e->type->kind == EDDY_T_STRING)
                return invalid_syntax(c, e, target);
            return pl_err_at(c, e->pos, EDDY_ETYPE, "Cannot coerce %s to %s: %s",
                             pl_type_str(c, e->type), pl_type_str(c, target), ce.msg);
        }
        *out = literal(c, target, v, e->pos);
        return *out ? 0 : c->err->code;
    }
    if ((e->kind == FN_ARRAY && target->kind == EDDY_T_ARRAY) ||
        (e->kind == FN_MAP && target->kind == EDDY_T_MAP) ||
        (e->kind == FN_STRUCT && target->kind == EDDY_T_STRUCT))
        return coerce_ctor(c, e, target, out);
    if (!eddy_cast_supported(e->type, target))
        return pl_err_at(c, e->pos, EDDY_ETYPE, "Cast of %s to %s is not supported",
                         pl_type_str(c, e->type), pl_type_str(c, target));
    fn_expr *cast = pl_node(c, FN_CAST, target, e->pos, 1);
    if (!cast)
        return c->err->code;
    cast->args[0] = e;
    *out = cast;
    return 0;
}

int pl_coerce_list(pl_ctx *c, fn_expr **items, int n, const parser_expr *const *asts,
                   const eddy_type **common)
{
    int first = -1;
    for (int i = 0; i < n && first < 0; i++)
        if (!is_null_type(items[i]->type) && !is_string_literal(items[i]))
            first = i;
    for (int i = 0; i < n && first < 0; i++)
        if (!is_null_type(items[i]->type))
            first = i;
    *common = NULL;
    if (first < 0)
        return 0;
    const eddy_type *target = items[first]->type;
    for (int i = 0; i < n; i++) {
        const fn_expr *it = items[i];
        if (i == first || is_null_type(it->type))
            continue;
        if (is_string_literal(it) && eddy_type_is_numeric(target)) {
            const eddy_type *r = target;
            int rc = string_numeric_common(c, it, target, &r);
            if (rc < 0)
                return rc;
            if (rc > 0)
                return invalid_syntax(c, it, target);
            target = r;
            continue;
        }
        if (is_string_literal(it) && target->kind == EDDY_T_BOOLEAN) {
            if (!is_exact_boolean(it->u.literal.u.str, it->u.literal.n))
                return invalid_syntax(c, it, target);
            continue;
        }
        if (is_string_literal(it) && target->kind != EDDY_T_STRING) {
            eddy_value v;
            eddy_err ce;
            eddy_err_clear(&ce);
            if (cast_literal(c, it, target, &v, &ce))
                return invalid_syntax(c, it, target);
            continue;
        }
        const eddy_type *r = NULL;
        bool lax = literal_tree(it);
        if (eddy_type_coerce(c->a, it->type, target, lax, &r, c->err))
            return c->err->code;
        if (!r && eddy_type_coerce(c->a, target, it->type, false, &r, c->err))
            return c->err->code;
        if (!r) {
            const char *txt = asts && asts[i] ? pl_ast_str(c, asts[i]) : "?";
            return pl_err_at(c, it->pos, EDDY_ETYPE,
                             "operator does not exist: %s = %s (%s)\nHint: You might need to "
                             "add explicit type casts.", pl_type_str(c, target),
                             pl_type_str(c, it->type), txt ? txt : "?");
        }
        target = r;
    }
    for (int i = 0; i < n; i++)
        if (pl_coerce_to(c, items[i], asts ? asts[i] : NULL, target, &items[i]))
            return c->err->code;
    *common = target;
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Comparisons
 * ------------------------------------------------------------------------------------------- */

enum { CMP_DISTINCT = 6, CMP_NOT_DISTINCT = 7 };

static const char *const CMP_NAMES[] = {
    "EQUAL", "NOT_EQUAL", "LESS_THAN", "LESS_THAN_OR_EQUAL", "GREATER_THAN",
    "GREATER_THAN_OR_EQUAL", "IS_DISTINCT_FROM", "IS_NOT_DISTINCT_FROM"
};
static const char *const CMP_SYMBOLS[] = {
    "=", "<>", "<", "<=", ">", ">=", "IS DISTINCT FROM", "IS NOT DISTINCT FROM"
};

/* ComparisonUtil.isValidComparison. */
static bool cmp_valid(const eddy_type *l, int op, const eddy_type *r)
{
    int lk = l->kind, rk = r->kind;
    bool equality = op == FN_CMP_EQ || op == FN_CMP_NEQ || op >= CMP_DISTINCT;
    if (eddy_type_is_numeric(l))
        return eddy_type_is_numeric(r);
    switch (lk) {
    case EDDY_T_STRING:
        return rk == EDDY_T_STRING || eddy_type_is_time(r);
    case EDDY_T_BOOLEAN:
        return rk == EDDY_T_BOOLEAN;
    case EDDY_T_BYTES:
        return rk == EDDY_T_BYTES;
    case EDDY_T_TIMESTAMP:
    case EDDY_T_DATE:
        return rk == EDDY_T_TIMESTAMP || rk == EDDY_T_DATE || rk == EDDY_T_STRING;
    case EDDY_T_TIME:
        return rk == EDDY_T_TIME || rk == EDDY_T_STRING;
    case EDDY_T_ARRAY:
    case EDDY_T_MAP:
    case EDDY_T_STRUCT:
        return equality && lk == rk;
    default:
        return false;
    }
}

static int check_cmp(pl_ctx *c, const parser_expr *la, const fn_expr *l, int op,
                     const parser_expr *ra, const fn_expr *r, uint32_t pos)
{
    if (op < CMP_DISTINCT && (is_null_type(l->type) || is_null_type(r->type)))
        return pl_err_at(c, pos, EDDY_ETYPE, "Comparison with NULL not supported: %s %s %s",
                         is_null_type(l->type) ? "NULL" : eddy_type_kind_name(l->type->kind),
                         CMP_SYMBOLS[op],
                         is_null_type(r->type) ? "NULL" : eddy_type_kind_name(r->type->kind));
    if (is_null_type(l->type) || is_null_type(r->type))
        return 0;
    if (!cmp_valid(l->type, op, r->type)) {
        const char *ls = pl_ast_str(c, la), *rs = pl_ast_str(c, ra);
        return pl_err_at(c, pos, EDDY_ETYPE, "Cannot compare %s (%s) to %s (%s) with %s.",
                         ls ? ls : "?", pl_type_str(c, l->type), rs ? rs : "?",
                         pl_type_str(c, r->type), CMP_NAMES[op]);
    }
    return 0;
}

static int cmp_op(parser_op op)
{
    switch (op) {
    case PARSER_OP_EQ: return FN_CMP_EQ;
    case PARSER_OP_NEQ: return FN_CMP_NEQ;
    case PARSER_OP_LT: return FN_CMP_LT;
    case PARSER_OP_LTE: return FN_CMP_LTE;
    case PARSER_OP_GT: return FN_CMP_GT;
    default: return FN_CMP_GTE;
    }
}

static int comparison(pl_ctx *c, pl_scope *s, const parser_expr *la, const parser_expr *ra,
                      int op, uint32_t pos, fn_expr **out)
{
    fn_expr *l, *r;
    int rc;
    if ((rc = pl_expr(c, s, la, &l)) || (rc = pl_expr(c, s, ra, &r)))
        return rc;
    if ((rc = magic_timestamp(c, s, l, &r)) || (rc = magic_timestamp(c, s, r, &l)))
        return rc;
    if ((rc = check_cmp(c, la, l, op, ra, r, pos)))
        return rc;
    fn_expr *e = pl_node(c, op >= CMP_DISTINCT ? FN_DISTINCT : FN_CMP, EDDY_TYPE_BOOLEAN, pos, 2);
    if (!e)
        return c->err->code;
    if (op >= CMP_DISTINCT)
        e->negated = op == CMP_NOT_DISTINCT;
    else
        e->op = (uint8_t)op;
    e->args[0] = l;
    e->args[1] = r;
    *out = e;
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Calls
 * ------------------------------------------------------------------------------------------- */

static const char *const AGGREGATES[] = {
    "COUNT", "SUM", "MIN", "MAX", "AVG", "COLLECT_LIST", "COLLECT_SET", "TOPK",
    "TOPKDISTINCT", "HISTOGRAM", "EARLIEST_BY_OFFSET", "LATEST_BY_OFFSET", "CORRELATION",
    "STDDEV_SAMP", "STDDEV_SAMPLE", "COUNT_DISTINCT", "ATTR", "SUM_LIST", "AVERAGE",
    "MAX_BY", "MIN_BY", "STDDEV_POP", "VAR_SAMP", "VAR_POP",
};

bool pl_is_aggregate_name(const char *name)
{
    if (fn_scalar_find(name))
        return false;
    for (size_t i = 0; i < EDDY_ARRAY_LEN(AGGREGATES); i++)
        if (strcasecmp(name, AGGREGATES[i]) == 0)
            return true;
    return false;
}

const fn_table *pl_table_fn(const char *name)
{
    if (fn_scalar_find(name))
        return NULL;
    return fn_table_find(name);
}

static fn_arg arg_of(const fn_expr *e)
{
    fn_arg a;
    a.type = is_null_type(e->type) ? NULL : e->type;
    a.lambda_params = 0;
    return a;
}

static int lambda_arg(pl_ctx *c, pl_scope *s, const fn_scalar *f, const parser_expr *call,
                      fn_expr **args, fn_arg *fargs, int i)
{
    const parser_expr *lam = call->call.args.items[i];
    int np = (int)lam->lambda.nparams;
    const eddy_type *ptypes[8];
    if (np > 8 || s->nlvars + np > PL_MAX_LVARS)
        return pl_err_at(c, lam->pos, EDDY_EUNSUPPORTED, "Too many lambda parameters");
    int nargs = (int)call->call.args.n;
    if (fn_scalar_lambda_types(f, c->a, fargs, nargs, i, ptypes, np, c->err))
        return at_pos(c, lam->pos, c->err->code);
    int saved = s->nlvars;
    int first = *s->nslots;
    for (int k = 0; k < np; k++) {
        pl_lvar *v = &s->lvars[s->nlvars++];
        v->name = lam->lambda.params[k];
        v->slot = (*s->nslots)++;
        v->type = ptypes[k];
    }
    fn_expr *body;
    int rc = pl_expr(c, s, lam->lambda.body, &body);
    s->nlvars = saved;
    if (rc)
        return rc;
    fn_expr *le = pl_node(c, FN_LAMBDA, body->type, lam->pos, 1);
    if (!le)
        return c->err->code;
    le->args[0] = body;
    le->u.lambda.first_var = first;
    le->u.lambda.nparams = np;
    args[i] = le;
    fargs[i].type = body->type;
    return 0;
}

static int call_args(pl_ctx *c, pl_scope *s, const parser_expr *e, const fn_scalar *f,
                     fn_expr ***outargs)
{
    int n = (int)e->call.args.n;
    fn_expr **args = eddy_arena_calloc(c->a, sizeof *args * (size_t)(n + 1));
    fn_arg *fargs = eddy_arena_calloc(c->a, sizeof *fargs * (size_t)(n + 1));
    if (!args || !fargs)
        return pl_oom(c);
    int rc;
    for (int i = 0; i < n; i++) {
        const parser_expr *a = e->call.args.items[i];
        if (a->kind == PARSER_EXPR_LAMBDA) {
            if (!f || !(f->flags & FN_F_LAMBDA))
                return pl_err_at(c, a->pos, EDDY_ETYPE,
                                 "Lambda expressions are only allowed as arguments of lambda "
                                 "functions");
            fargs[i].lambda_params = (int)a->lambda.nparams;
            continue;
        }
        if (a->kind == PARSER_EXPR_UNIT) {
            const char *u = parser_time_unit_name(a->unit);
            args[i] = literal(c, EDDY_TYPE_STRING, eddy_value_string(u, strlen(u)), a->pos);
            if (!args[i])
                return c->err->code;
        } else if ((rc = pl_expr(c, s, a, &args[i]))) {
            return rc;
        }
        fargs[i] = arg_of(args[i]);
    }
    for (int i = 0; i < n; i++)
        if (e->call.args.items[i]->kind == PARSER_EXPR_LAMBDA &&
            (rc = lambda_arg(c, s, f, e, args, fargs, i)))
            return rc;
    *outargs = args;
    return 0;
}

int pl_table_call(pl_ctx *c, pl_scope *s, const parser_expr *e, fn_expr **out)
{
    const fn_table *t = fn_table_find(e->call.name);
    if (!t)
        return pl_err_at(c, e->pos, EDDY_ENOTFOUND,
                         "Can't find any functions with the name '%s'", e->call.name);
    fn_expr **args;
    int rc = call_args(c, s, e, NULL, &args);
    if (rc)
        return rc;
    int n = (int)e->call.args.n;
    fn_arg *fargs = eddy_arena_calloc(c->a, sizeof *fargs * (size_t)(n + 1));
    if (!fargs)
        return pl_oom(c);
    for (int i = 0; i < n; i++)
        fargs[i] = arg_of(args[i]);
    fn_resolved r;
    memset(&r, 0, sizeof r);
    if (fn_table_resolve(t, c->a, fargs, n, &r, c->err))
        return at_pos(c, e->pos, c->err->code);
    fn_expr *call = pl_node(c, FN_CALL, r.ret, e->pos, (uint32_t)n);
    if (!call)
        return c->err->code;
    for (int i = 0; i < n; i++) {
        call->args[i] = args[i];
        if (r.casts && r.casts[i] && (rc = pl_coerce_to(c, args[i], NULL, r.casts[i],
                                                         &call->args[i])))
            return rc;
    }
    call->u.call.table_fn = t;
    call->u.call.variant = r.variant;
    *out = call;
    return 0;
}

static int call(pl_ctx *c, pl_scope *s, const parser_expr *e, fn_expr **out)
{
    const char *name = e->call.name;
    for (int i = 0; i < s->ntfns; i++) {
        if (s->tfns[i].ast == e) {
            const plan_column *col = &s->schema->cols[s->tfns[i].col];
            fn_expr *r = pl_node(c, FN_COLUMN, col->type, e->pos, 0);
            if (!r)
                return c->err->code;
            r->u.index = s->tfns[i].col;
            *out = r;
            return 0;
        }
    }
    if (strcasecmp(name, "AS_VALUE") == 0 && e->call.args.n == 1 &&
        e->call.args.items[0]->kind != PARSER_EXPR_LAMBDA)
        return pl_expr(c, s, e->call.args.items[0], out);
    const fn_scalar *f = fn_scalar_find(name);
    if (!f) {
        if (fn_table_find(name))
            return pl_err_at(c, e->pos, EDDY_ETYPE,
                             "Table functions can only be used in the SELECT clause: %s", name);
        if (pl_is_aggregate_name(name))
            return pl_err_at(c, e->pos, EDDY_EUNSUPPORTED,
                             "Aggregate functions are not supported yet: %s", name);
        return pl_err_at(c, e->pos, EDDY_ENOTFOUND,
                         "Can't find any functions with the name '%s'", name);
    }
    fn_expr **args;
    int rc = call_args(c, s, e, f, &args);
    if (rc)
        return rc;
    if (fn_call_build(c->a, f, args, (int)e->call.args.n, e->pos, out, c->err))
        return at_pos(c, e->pos, c->err->code);
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Constructors
 * ------------------------------------------------------------------------------------------- */

static int array_ctor(pl_ctx *c, pl_scope *s, const parser_expr *e, fn_expr **out)
{
    int n = (int)e->array.n;
    if (n == 0)
        return pl_err_at(c, e->pos, EDDY_ETYPE,
                         "Array constructor cannot be empty. Please supply at least one element "
                         "(see https://github.com/confluentinc/ksql/issues/4239).");
    fn_expr *a = pl_node(c, FN_ARRAY, NULL, e->pos, (uint32_t)n);
    if (!a)
        return c->err->code;
    int rc;
    for (int i = 0; i < n; i++)
        if ((rc = pl_expr(c, s, e->array.items[i], &a->args[i])))
            return rc;
    const eddy_type *t;
    if ((rc = pl_coerce_list(c, a->args, n, (const parser_expr *const *)e->array.items, &t)))
        return rc;
    if (!t)
        return pl_err_at(c, e->pos, EDDY_ETYPE,
                         "Cannot construct an array with all NULL elements (see "
                         "https://github.com/confluentinc/ksql/issues/4239). As a workaround, "
                         "you may cast a NULL value to the desired type.");
    a->type = eddy_type_array(c->a, t);
    if (!a->type)
        return pl_oom(c);
    *out = a;
    return 0;
}

static int map_ctor(pl_ctx *c, pl_scope *s, const parser_expr *e, fn_expr **out)
{
    int n = (int)e->map.n;
    if (n == 0)
        return pl_err_at(c, e->pos, EDDY_ETYPE,
                         "Map constructor cannot be empty. Please supply at least one key value "
                         "pair (see https://github.com/confluentinc/ksql/issues/4239).");
    fn_expr **ks = eddy_arena_calloc(c->a, sizeof *ks * (size_t)n);
    fn_expr **vs = eddy_arena_calloc(c->a, sizeof *vs * (size_t)n);
    fn_expr *m = pl_node(c, FN_MAP, NULL, e->pos, (uint32_t)(2 * n));
    if (!ks || !vs || !m)
        return pl_oom(c);
    int rc;
    for (int i = 0; i < n; i++)
        if ((rc = pl_expr(c, s, e->map.keys[i], &ks[i])) ||
            (rc = pl_expr(c, s, e->map.values[i], &vs[i])))
            return rc;
    const eddy_type *kt, *vt;
    if ((rc = pl_coerce_list(c, ks, n, (const parser_expr *const *)e->map.keys, &kt)))
        return rc;
    if (!kt)
        return pl_err_at(c, e->pos, EDDY_ETYPE,
                         "Cannot construct a map with all NULL keys (see "
                         "https://github.com/confluentinc/ksql/issues/4239). As a workaround, "
                         "you may cast a NULL key to the desired type.");
    if ((rc = pl_coerce_list(c, vs, n, (const parser_expr *const *)e->map.values, &vt)))
        return rc;
    if (!vt)
        return pl_err_at(c, e->pos, EDDY_ETYPE,
                         "Cannot construct a map with all NULL values (see "
                         "https://github.com/confluentinc/ksql/issues/4239). As a workaround, "
                         "you may cast a NULL value to the desired type.");
    for (int i = 0; i < n; i++) {
        m->args[2 * i] = ks[i];
        m->args[2 * i + 1] = vs[i];
    }
    m->type = eddy_type_map(c->a, kt, vt);
    if (!m->type)
        return pl_oom(c);
    *out = m;
    return 0;
}

static int struct_ctor(pl_ctx *c, pl_scope *s, const parser_expr *e, fn_expr **out)
{
    int n = (int)e->struct_.n;
    fn_expr *st = pl_node(c, FN_STRUCT, NULL, e->pos, (uint32_t)n);
    eddy_type_field *f = eddy_arena_calloc(c->a, sizeof *f * (size_t)(n + 1));
    if (!st || !f)
        return pl_oom(c);
    int rc;
    for (int i = 0; i < n; i++) {
        if ((rc = pl_expr(c, s, e->struct_.fields[i].value, &st->args[i])))
            return rc;
        f[i].name = e->struct_.fields[i].name;
        f[i].type = st->args[i]->type;
        if (is_null_type(f[i].type)) {
            f[i].type = EDDY_TYPE_STRING;
            if ((rc = pl_coerce_to(c, st->args[i], NULL, f[i].type, &st->args[i])))
                return rc;
        }
    }
    if (eddy_type_struct(c->a, f, (uint32_t)n, &st->type, c->err))
        return at_pos(c, e->pos, c->err->code);
    *out = st;
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * The rest
 * ------------------------------------------------------------------------------------------- */

static int deref(pl_ctx *c, pl_scope *s, const parser_expr *e, fn_expr **out)
{
    fn_expr *base;
    int rc = pl_expr(c, s, e->deref.base, &base);
    if (rc)
        return rc;
    if (base->type->kind != EDDY_T_STRUCT)
        return pl_err_at(c, e->pos, EDDY_ETYPE,
                         "Can't dereference a non-STRUCT expression: %s (%s)",
                         pl_ast_str(c, e->deref.base), pl_type_str(c, base->type));
    uint32_t idx;
    const eddy_type_field *f =
        eddy_type_field_find(base->type, e->deref.field, strlen(e->deref.field), &idx);
    if (!f)
        return pl_err_at(c, e->pos, EDDY_ENOTFOUND, "Could not find field '%s' in '%s'.",
                         e->deref.field, pl_ast_str(c, e->deref.base));
    fn_expr *r = pl_node(c, FN_FIELD, f->type, e->pos, 1);
    if (!r)
        return c->err->code;
    r->args[0] = base;
    r->u.index = (int)idx;
    *out = r;
    return 0;
}

static int subscript(pl_ctx *c, pl_scope *s, const parser_expr *e, fn_expr **out)
{
    fn_expr *base, *idx;
    int rc;
    if ((rc = pl_expr(c, s, e->sub.base, &base)) || (rc = pl_expr(c, s, e->sub.index, &idx)))
        return rc;
    const eddy_type *rt;
    if (base->type->kind == EDDY_T_ARRAY) {
        if (idx->type->kind != EDDY_T_INT) {
            if (idx->type->kind != EDDY_T_BIGINT && !is_null_type(idx->type))
                return pl_err_at(c, e->sub.index->pos, EDDY_ETYPE,
                                 "Array index must be an INTEGER, got %s",
                                 pl_type_str(c, idx->type));
            if ((rc = pl_coerce_to(c, idx, e->sub.index, EDDY_TYPE_INT, &idx)))
                return rc;
        }
        rt = base->type->elem;
    } else if (base->type->kind == EDDY_T_MAP) {
        if ((rc = pl_coerce_to(c, idx, e->sub.index, base->type->key, &idx)))
            return rc;
        rt = base->type->elem;
    } else {
        return pl_err_at(c, e->pos, EDDY_ETYPE,
                         "Subscript expression must be on an ARRAY or MAP, got %s",
                         pl_type_str(c, base->type));
    }
    fn_expr *r = pl_node(c, FN_SUBSCRIPT, rt, e->pos, 2);
    if (!r)
        return c->err->code;
    r->args[0] = base;
    r->args[1] = idx;
    *out = r;
    return 0;
}

static int negate_literal(pl_ctx *c, fn_expr *v, uint32_t pos, fn_expr **out)
{
    eddy_value r;
    eddy_err ne;
    eddy_err_clear(&ne);
    if (v->u.literal.null) {
        *out = v;
        return 0;
    }
    if (eddy_value_negate(&v->u.literal, &r, &ne))
        return pl_err_at(c, pos, EDDY_ETYPE, "%s", ne.msg);
    *out = literal(c, v->type, r, pos);
    return *out ? 0 : c->err->code;
}

static int require_bool(pl_ctx *c, const parser_expr *ast, const fn_expr *e, const char *what)
{
    if (is_null_type(e->type) || e->type->kind == EDDY_T_BOOLEAN)
        return 0;
    return pl_err_at(c, ast->pos, EDDY_ETYPE, "%s: %s (%s) should be of type BOOLEAN", what,
                     pl_ast_str(c, ast), pl_type_str(c, e->type));
}

static int unary(pl_ctx *c, pl_scope *s, const parser_expr *e, fn_expr **out)
{
    fn_expr *v;
    int rc = pl_expr(c, s, e->unary.operand, &v);
    if (rc)
        return rc;
    if (e->unary.op == PARSER_OP_NOT) {
        if ((rc = require_bool(c, e->unary.operand, v, "NOT")))
            return rc;
        fn_expr *r = pl_node(c, FN_NOT, EDDY_TYPE_BOOLEAN, e->pos, 1);
        if (!r)
            return c->err->code;
        r->args[0] = v;
        *out = r;
        return 0;
    }
    if (!is_null_type(v->type) && !eddy_type_is_numeric(v->type))
        return pl_err_at(c, e->pos, EDDY_ETYPE, "Unsupported arithmetic types. %s",
                         pl_type_str(c, v->type));
    if (e->unary.op == PARSER_OP_PLUS) {
        *out = v;
        return 0;
    }
    if (v->kind == FN_LITERAL)
        return negate_literal(c, v, e->pos, out);
    fn_expr *r = pl_node(c, FN_NEG, v->type, e->pos, 1);
    if (!r)
        return c->err->code;
    r->args[0] = v;
    *out = r;
    return 0;
}

static int binary(pl_ctx *c, pl_scope *s, const parser_expr *e, fn_expr **out)
{
    parser_op op = e->binary.op;
    const parser_expr *la = e->binary.left, *ra = e->binary.right;
    int rc;
    if (op >= PARSER_OP_EQ && op <= PARSER_OP_GTE)
        return comparison(c, s, la, ra, cmp_op(op), e->pos, out);
    if (op == PARSER_OP_CONCAT) {
        const fn_scalar *f = fn_scalar_find("CONCAT");
        fn_expr *args[2];
        if ((rc = pl_expr(c, s, la, &args[0])) || (rc = pl_expr(c, s, ra, &args[1])))
            return rc;
        if (!f)
            return pl_err_at(c, e->pos, EDDY_ENOTFOUND,
                             "Can't find any functions with the name 'CONCAT'");
        if (fn_call_build(c->a, f, args, 2, e->pos, out, c->err))
            return at_pos(c, e->pos, c->err->code);
        return 0;
    }
    fn_expr *l, *r;
    if ((rc = pl_expr(c, s, la, &l)) || (rc = pl_expr(c, s, ra, &r)))
        return rc;
    if (op == PARSER_OP_AND || op == PARSER_OP_OR) {
        if ((rc = require_bool(c, la, l, op == PARSER_OP_AND ? "AND" : "OR")) ||
            (rc = require_bool(c, ra, r, op == PARSER_OP_AND ? "AND" : "OR")))
            return rc;
        fn_expr *x = pl_node(c, op == PARSER_OP_AND ? FN_AND : FN_OR, EDDY_TYPE_BOOLEAN, e->pos,
                             2);
        if (!x)
            return c->err->code;
        x->args[0] = l;
        x->args[1] = r;
        *out = x;
        return 0;
    }
    static const char OPS[] = {'+', '-', '*', '/', '%'};
    char ch = OPS[op - PARSER_OP_ADD];
    const eddy_type *rt;
    eddy_err ae;
    eddy_err_clear(&ae);
    if (eddy_type_arith(c->a, ch, is_null_type(l->type) ? r->type : l->type,
                        is_null_type(r->type) ? l->type : r->type, &rt, &ae)) {
        if (ae.code == EDDY_ENOMEM)
            return pl_oom(c);
        return pl_err_at(c, e->pos, EDDY_ETYPE, "Error processing expression: %s. %s",
                         pl_ast_str(c, e), ae.msg);
    }
    fn_expr *x = pl_node(c, FN_ARITH, rt, e->pos, 2);
    if (!x)
        return c->err->code;
    x->op = (uint8_t)ch;
    x->args[0] = l;
    x->args[1] = r;
    *out = x;
    return 0;
}

static int between(pl_ctx *c, pl_scope *s, const parser_expr *e, fn_expr **out)
{
    fn_expr *v, *lo, *hi;
    int rc;
    if ((rc = pl_expr(c, s, e->between.value, &v)) ||
        (rc = pl_expr(c, s, e->between.low, &lo)) || (rc = pl_expr(c, s, e->between.high, &hi)))
        return rc;
    if ((rc = magic_timestamp(c, s, v, &lo)) || (rc = magic_timestamp(c, s, v, &hi)))
        return rc;
    if ((rc = check_cmp(c, e->between.value, v, FN_CMP_GTE, e->between.low, lo, e->pos)) ||
        (rc = check_cmp(c, e->between.value, v, FN_CMP_LTE, e->between.high, hi, e->pos)))
        return rc;
    fn_expr *r = pl_node(c, FN_BETWEEN, EDDY_TYPE_BOOLEAN, e->pos, 3);
    if (!r)
        return c->err->code;
    r->negated = e->between.negated;
    r->args[0] = v;
    r->args[1] = lo;
    r->args[2] = hi;
    *out = r;
    return 0;
}

static int in_list(pl_ctx *c, pl_scope *s, const parser_expr *e, fn_expr **out)
{
    int n = (int)e->in.list.n + 1;
    fn_expr *r = pl_node(c, FN_IN, EDDY_TYPE_BOOLEAN, e->pos, (uint32_t)n);
    const parser_expr **asts = eddy_arena_calloc(c->a, sizeof *asts * (size_t)n);
    if (!r || !asts)
        return pl_oom(c);
    asts[0] = e->in.value;
    for (int i = 1; i < n; i++)
        asts[i] = e->in.list.items[i - 1];
    int rc;
    for (int i = 0; i < n; i++)
        if ((rc = pl_expr(c, s, asts[i], &r->args[i])))
            return rc;
    const eddy_type *t;
    if ((rc = pl_coerce_list(c, r->args, n, asts, &t)))
        return with_prefix(c, "Invalid Predicate: ");
    r->negated = e->in.negated;
    *out = r;
    return 0;
}

static int like(pl_ctx *c, pl_scope *s, const parser_expr *e, fn_expr **out)
{
    fn_expr *v, *p;
    int rc;
    if ((rc = pl_expr(c, s, e->like.value, &v)) || (rc = pl_expr(c, s, e->like.pattern, &p)))
        return rc;
    if ((!is_null_type(v->type) && v->type->kind != EDDY_T_STRING) ||
        (!is_null_type(p->type) && p->type->kind != EDDY_T_STRING))
        return pl_err_at(c, e->pos, EDDY_ETYPE,
                         "LIKE operands must be of type STRING, got %s and %s",
                         pl_type_str(c, v->type), pl_type_str(c, p->type));
    fn_expr *r = pl_node(c, FN_LIKE, EDDY_TYPE_BOOLEAN, e->pos, 2);
    if (!r)
        return c->err->code;
    r->negated = e->like.negated;
    if (e->like.escape) {
        if (strlen(e->like.escape) != 1)
            return pl_err_at(c, e->pos, EDDY_ETYPE, "Escape character must be a single char: %s",
                             e->like.escape);
        r->u.escape = e->like.escape[0];
    }
    r->args[0] = v;
    r->args[1] = p;
    *out = r;
    return 0;
}

static int case_expr(pl_ctx *c, pl_scope *s, const parser_expr *e, fn_expr **out)
{
    int nw = (int)e->case_.nwhens;
    bool has_else = e->case_.else_ != NULL;
    int nres = nw + (has_else ? 1 : 0);
    fn_expr *r = pl_node(c, FN_CASE, NULL, e->pos, (uint32_t)(2 * nw + (has_else ? 1 : 0)));
    fn_expr **res = eddy_arena_calloc(c->a, sizeof *res * (size_t)(nres + 1));
    const parser_expr **asts = eddy_arena_calloc(c->a, sizeof *asts * (size_t)(nres + 1));
    if (!r || !res || !asts)
        return pl_oom(c);
    int rc;
    for (int i = 0; i < nw; i++) {
        const parser_when *w = &e->case_.whens[i];
        fn_expr *cond;
        if (e->case_.operand) {
            if ((rc = comparison(c, s, e->case_.operand, w->cond, FN_CMP_EQ, w->cond->pos,
                                 &cond)))
                return rc;
        } else {
            if ((rc = pl_expr(c, s, w->cond, &cond)))
                return rc;
            if (!is_null_type(cond->type) && cond->type->kind != EDDY_T_BOOLEAN)
                return pl_err_at(c, w->cond->pos, EDDY_ETYPE,
                                 "WHEN operand type should be boolean.\nType for '%s' is %s",
                                 pl_ast_str(c, w->cond), pl_type_str(c, cond->type));
        }
        r->args[2 * i] = cond;
        if ((rc = pl_expr(c, s, w->result, &res[i])))
            return rc;
        asts[i] = w->result;
    }
    if (has_else) {
        if ((rc = pl_expr(c, s, e->case_.else_, &res[nw])))
            return rc;
        asts[nw] = e->case_.else_;
    }
    const eddy_type *t;
    if ((rc = pl_coerce_list(c, res, nres, asts, &t)))
        return rc;
    if (!t)
        return pl_err_at(c, e->pos, EDDY_ETYPE,
                         "Invalid Case expression. All case branches have NULL type");
    for (int i = 0; i < nw; i++)
        r->args[2 * i + 1] = res[i];
    if (has_else)
        r->args[2 * nw] = res[nw];
    r->u.has_else = has_else;
    r->type = t;
    *out = r;
    return 0;
}

static int cast(pl_ctx *c, pl_scope *s, const parser_expr *e, fn_expr **out)
{
    fn_expr *v;
    const eddy_type *t;
    int rc;
    if ((rc = pl_expr(c, s, e->cast.operand, &v)) || (rc = pl_type_from_ast(c, e->cast.type, &t)))
        return rc;
    if (is_null_type(v->type)) {
        *out = literal(c, t, eddy_value_null((eddy_type_kind)t->kind), e->pos);
        return *out ? 0 : c->err->code;
    }
    if (!eddy_cast_supported(v->type, t))
        return pl_err_at(c, e->pos, EDDY_ETYPE, "%sCast of %s to %s is not supported",
                         s->clause && strcmp(s->clause, "SELECT") == 0 ? "Invalid Select: " : "",
                         pl_type_str(c, v->type), pl_type_str(c, t));
    if (eddy_type_equal(v->type, t)) {
        *out = v;
        return 0;
    }
    fn_expr *r = pl_node(c, FN_CAST, t, e->pos, 1);
    if (!r)
        return c->err->code;
    r->args[0] = v;
    *out = r;
    return 0;
}

static int literal_expr(pl_ctx *c, const parser_expr *e, fn_expr **out)
{
    switch (e->kind) {
    case PARSER_EXPR_NULL:
        *out = literal(c, EDDY_TYPE_NULL, eddy_value_null(EDDY_T_NULL), e->pos);
        break;
    case PARSER_EXPR_BOOL:
        *out = literal(c, EDDY_TYPE_BOOLEAN, eddy_value_bool(e->b), e->pos);
        break;
    case PARSER_EXPR_INT:
        *out = literal(c, EDDY_TYPE_INT, eddy_value_int(e->i32), e->pos);
        break;
    case PARSER_EXPR_BIGINT:
        *out = literal(c, EDDY_TYPE_BIGINT, eddy_value_bigint(e->i64), e->pos);
        break;
    case PARSER_EXPR_DOUBLE:
        *out = literal(c, EDDY_TYPE_DOUBLE, eddy_value_double(e->f64), e->pos);
        break;
    case PARSER_EXPR_STRING:
        *out = literal(c, EDDY_TYPE_STRING, eddy_value_string(e->str.s, e->str.len), e->pos);
        break;
    case PARSER_EXPR_DECIMAL: {
        eddy_decimal d;
        const eddy_type *t;
        eddy_err de;
        eddy_err_clear(&de);
        if (eddy_decimal_parse_fit(e->dec.text, strlen(e->dec.text), e->dec.precision,
                                   e->dec.scale, true, &d, &de) ||
            eddy_type_decimal(c->a, e->dec.precision, e->dec.scale, &t, &de))
            return pl_err_at(c, e->pos, de.code == EDDY_ENOMEM ? EDDY_ENOMEM : EDDY_ETYPE,
                             "Invalid decimal literal %s: %s", e->dec.text, de.msg);
        *out = literal(c, t, eddy_value_decimal(&d), e->pos);
        break;
    }
    default:
        return pl_err_at(c, e->pos, EDDY_ETYPE, "not a literal");
    }
    return *out ? 0 : c->err->code;
}

int pl_expr(pl_ctx *c, pl_scope *s, const parser_expr *e, fn_expr **out)
{
    for (int i = 0; i < s->nsubst; i++) {
        if (pl_ast_equal(e, s->subst_ast[i])) {
            int col = s->subst_col[i];
            fn_expr *r = pl_node(c, FN_COLUMN, s->schema->cols[col].type, e->pos, 0);
            if (!r)
                return c->err->code;
            r->u.index = col;
            *out = r;
            return 0;
        }
    }
    switch (e->kind) {
    case PARSER_EXPR_NULL:
    case PARSER_EXPR_BOOL:
    case PARSER_EXPR_INT:
    case PARSER_EXPR_BIGINT:
    case PARSER_EXPR_DECIMAL:
    case PARSER_EXPR_DOUBLE:
    case PARSER_EXPR_STRING:
        return literal_expr(c, e, out);
    case PARSER_EXPR_COLUMN:
        return column_ref(c, s, e, out);
    case PARSER_EXPR_DEREF:
        return deref(c, s, e, out);
    case PARSER_EXPR_SUBSCRIPT:
        return subscript(c, s, e, out);
    case PARSER_EXPR_UNARY:
        return unary(c, s, e, out);
    case PARSER_EXPR_BINARY:
        return binary(c, s, e, out);
    case PARSER_EXPR_IS_NULL: {
        fn_expr *v;
        int rc = pl_expr(c, s, e->is_null.operand, &v);
        if (rc)
            return rc;
        fn_expr *r = pl_node(c, FN_IS_NULL, EDDY_TYPE_BOOLEAN, e->pos, 1);
        if (!r)
            return c->err->code;
        r->negated = e->is_null.negated;
        r->args[0] = v;
        *out = r;
        return 0;
    }
    case PARSER_EXPR_DISTINCT:
        return comparison(c, s, e->distinct.left, e->distinct.right,
                          e->distinct.negated ? CMP_NOT_DISTINCT : CMP_DISTINCT, e->pos, out);
    case PARSER_EXPR_BETWEEN:
        return between(c, s, e, out);
    case PARSER_EXPR_IN:
        return in_list(c, s, e, out);
    case PARSER_EXPR_LIKE:
        return like(c, s, e, out);
    case PARSER_EXPR_CASE:
        return case_expr(c, s, e, out);
    case PARSER_EXPR_CAST:
        return cast(c, s, e, out);
    case PARSER_EXPR_ARRAY:
        return array_ctor(c, s, e, out);
    case PARSER_EXPR_MAP:
        return map_ctor(c, s, e, out);
    case PARSER_EXPR_STRUCT:
        return struct_ctor(c, s, e, out);
    case PARSER_EXPR_CALL:
        return call(c, s, e, out);
    case PARSER_EXPR_LAMBDA:
        return pl_err_at(c, e->pos, EDDY_ETYPE,
                         "Lambda expressions are only allowed as arguments of lambda functions");
    case PARSER_EXPR_UNIT:
        return pl_err_at(c, e->pos, EDDY_ETYPE, "A time unit is only allowed as a function "
                         "argument");
    }
    return pl_err_at(c, e->pos, EDDY_ETYPE, "unknown expression");
}

/* ---------------------------------------------------------------------------------------------
 * AST helpers
 * ------------------------------------------------------------------------------------------- */

static bool list_equal(const parser_expr_list *a, const parser_expr_list *b)
{
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++)
        if (!pl_ast_equal(a->items[i], b->items[i]))
            return false;
    return true;
}

static bool str_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

bool pl_ast_equal(const parser_expr *a, const parser_expr *b)
{
    if (!a || !b)
        return a == b;
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case PARSER_EXPR_NULL: return true;
    case PARSER_EXPR_BOOL: return a->b == b->b;
    case PARSER_EXPR_INT: return a->i32 == b->i32;
    case PARSER_EXPR_BIGINT: return a->i64 == b->i64;
    case PARSER_EXPR_DOUBLE: return a->f64 == b->f64;
    case PARSER_EXPR_DECIMAL: return strcmp(a->dec.text, b->dec.text) == 0;
    case PARSER_EXPR_STRING:
        return a->str.len == b->str.len && memcmp(a->str.s, b->str.s, a->str.len) == 0;
    case PARSER_EXPR_COLUMN: return strcmp(a->col.name, b->col.name) == 0;
    case PARSER_EXPR_DEREF:
        return strcmp(a->deref.field, b->deref.field) == 0 &&
               pl_ast_equal(a->deref.base, b->deref.base);
    case PARSER_EXPR_SUBSCRIPT:
        return pl_ast_equal(a->sub.base, b->sub.base) && pl_ast_equal(a->sub.index, b->sub.index);
    case PARSER_EXPR_UNARY:
        return a->unary.op == b->unary.op && pl_ast_equal(a->unary.operand, b->unary.operand);
    case PARSER_EXPR_BINARY:
        return a->binary.op == b->binary.op && pl_ast_equal(a->binary.left, b->binary.left) &&
               pl_ast_equal(a->binary.right, b->binary.right);
    case PARSER_EXPR_IS_NULL:
        return a->is_null.negated == b->is_null.negated &&
               pl_ast_equal(a->is_null.operand, b->is_null.operand);
    case PARSER_EXPR_DISTINCT:
        return a->distinct.negated == b->distinct.negated &&
               pl_ast_equal(a->distinct.left, b->distinct.left) &&
               pl_ast_equal(a->distinct.right, b->distinct.right);
    case PARSER_EXPR_BETWEEN:
        return a->between.negated == b->between.negated &&
               pl_ast_equal(a->between.value, b->between.value) &&
               pl_ast_equal(a->between.low, b->between.low) &&
               pl_ast_equal(a->between.high, b->between.high);
    case PARSER_EXPR_IN:
        return a->in.negated == b->in.negated && pl_ast_equal(a->in.value, b->in.value) &&
               list_equal(&a->in.list, &b->in.list);
    case PARSER_EXPR_LIKE:
        return a->like.negated == b->like.negated && str_eq(a->like.escape, b->like.escape) &&
               pl_ast_equal(a->like.value, b->like.value) &&
               pl_ast_equal(a->like.pattern, b->like.pattern);
    case PARSER_EXPR_CASE:
        if (a->case_.nwhens != b->case_.nwhens || !pl_ast_equal(a->case_.operand, b->case_.operand)
            || !pl_ast_equal(a->case_.else_, b->case_.else_))
            return false;
        for (size_t i = 0; i < a->case_.nwhens; i++)
            if (!pl_ast_equal(a->case_.whens[i].cond, b->case_.whens[i].cond) ||
                !pl_ast_equal(a->case_.whens[i].result, b->case_.whens[i].result))
                return false;
        return true;
    case PARSER_EXPR_CAST: {
        if (!pl_ast_equal(a->cast.operand, b->cast.operand))
            return false;
        eddy_buf x, y;
        eddy_buf_init(&x);
        eddy_buf_init(&y);
        parser_print_type(a->cast.type, &x);
        parser_print_type(b->cast.type, &y);
        bool eq = x.len == y.len && (x.len == 0 || memcmp(x.data, y.data, x.len) == 0);
        eddy_buf_free(&x);
        eddy_buf_free(&y);
        return eq;
    }
    case PARSER_EXPR_ARRAY:
        return list_equal(&a->array, &b->array);
    case PARSER_EXPR_MAP:
        if (a->map.n != b->map.n)
            return false;
        for (size_t i = 0; i < a->map.n; i++)
            if (!pl_ast_equal(a->map.keys[i], b->map.keys[i]) ||
                !pl_ast_equal(a->map.values[i], b->map.values[i]))
                return false;
        return true;
    case PARSER_EXPR_STRUCT:
        if (a->struct_.n != b->struct_.n)
            return false;
        for (size_t i = 0; i < a->struct_.n; i++)
            if (strcmp(a->struct_.fields[i].name, b->struct_.fields[i].name) != 0 ||
                !pl_ast_equal(a->struct_.fields[i].value, b->struct_.fields[i].value))
                return false;
        return true;
    case PARSER_EXPR_CALL:
        return strcasecmp(a->call.name, b->call.name) == 0 && a->call.star == b->call.star &&
               list_equal(&a->call.args, &b->call.args);
    case PARSER_EXPR_LAMBDA:
        if (a->lambda.nparams != b->lambda.nparams)
            return false;
        for (size_t i = 0; i < a->lambda.nparams; i++)
            if (strcmp(a->lambda.params[i], b->lambda.params[i]) != 0)
                return false;
        return pl_ast_equal(a->lambda.body, b->lambda.body);
    case PARSER_EXPR_UNIT:
        return a->unit == b->unit;
    }
    return false;
}

static int find_calls_list(const parser_expr_list *l, bool (*pred)(const char *),
                           const parser_expr **out, int max, int n);

static int find_calls(const parser_expr *e, bool (*pred)(const char *), const parser_expr **out,
                      int max, int n)
{
    if (!e)
        return n;
    switch (e->kind) {
    case PARSER_EXPR_CALL:
        if (pred(e->call.name)) {
            if (out && n < max)
                out[n] = e;
            return n + 1;
        }
        return find_calls_list(&e->call.args, pred, out, max, n);
    case PARSER_EXPR_DEREF: return find_calls(e->deref.base, pred, out, max, n);
    case PARSER_EXPR_SUBSCRIPT:
        n = find_calls(e->sub.base, pred, out, max, n);
        return find_calls(e->sub.index, pred, out, max, n);
    case PARSER_EXPR_UNARY: return find_calls(e->unary.operand, pred, out, max, n);
    case PARSER_EXPR_BINARY:
        n = find_calls(e->binary.left, pred, out, max, n);
        return find_calls(e->binary.right, pred, out, max, n);
    case PARSER_EXPR_IS_NULL: return find_calls(e->is_null.operand, pred, out, max, n);
    case PARSER_EXPR_DISTINCT:
        n = find_calls(e->distinct.left, pred, out, max, n);
        return find_calls(e->distinct.right, pred, out, max, n);
    case PARSER_EXPR_BETWEEN:
        n = find_calls(e->between.value, pred, out, max, n);
        n = find_calls(e->between.low, pred, out, max, n);
        return find_calls(e->between.high, pred, out, max, n);
    case PARSER_EXPR_IN:
        n = find_calls(e->in.value, pred, out, max, n);
        return find_calls_list(&e->in.list, pred, out, max, n);
    case PARSER_EXPR_LIKE:
        n = find_calls(e->like.value, pred, out, max, n);
        return find_calls(e->like.pattern, pred, out, max, n);
    case PARSER_EXPR_CASE:
        n = find_calls(e->case_.operand, pred, out, max, n);
        for (size_t i = 0; i < e->case_.nwhens; i++) {
            n = find_calls(e->case_.whens[i].cond, pred, out, max, n);
            n = find_calls(e->case_.whens[i].result, pred, out, max, n);
        }
        return find_calls(e->case_.else_, pred, out, max, n);
    case PARSER_EXPR_CAST: return find_calls(e->cast.operand, pred, out, max, n);
    case PARSER_EXPR_ARRAY: return find_calls_list(&e->array, pred, out, max, n);
    case PARSER_EXPR_MAP:
        for (size_t i = 0; i < e->map.n; i++) {
            n = find_calls(e->map.keys[i], pred, out, max, n);
            n = find_calls(e->map.values[i], pred, out, max, n);
        }
        return n;
    case PARSER_EXPR_STRUCT:
        for (size_t i = 0; i < e->struct_.n; i++)
            n = find_calls(e->struct_.fields[i].value, pred, out, max, n);
        return n;
    case PARSER_EXPR_LAMBDA: return find_calls(e->lambda.body, pred, out, max, n);
    default: return n;
    }
}

static int find_calls_list(const parser_expr_list *l, bool (*pred)(const char *),
                           const parser_expr **out, int max, int n)
{
    for (size_t i = 0; i < l->n; i++)
        n = find_calls(l->items[i], pred, out, max, n);
    return n;
}

int pl_ast_find_calls(const parser_expr *e, bool (*pred)(const char *name),
                      const parser_expr **out, int max)
{
    return find_calls(e, pred, out, max, 0);
}

static int walk_list(const parser_expr_list *l, int (*visit)(const parser_expr *, void *),
                     void *ctx)
{
    int rc = 0;
    for (size_t i = 0; i < l->n && rc == 0; i++)
        rc = pl_ast_walk(l->items[i], visit, ctx);
    return rc;
}

int pl_ast_walk(const parser_expr *e, int (*visit)(const parser_expr *e, void *ctx), void *ctx)
{
    if (!e)
        return 0;
    int rc = visit(e, ctx);
    if (rc)
        return rc < 0 ? rc : 0;
#define W(x) do { if ((rc = pl_ast_walk((x), visit, ctx))) return rc; } while (0)
    switch (e->kind) {
    case PARSER_EXPR_CALL: return walk_list(&e->call.args, visit, ctx);
    case PARSER_EXPR_DEREF: W(e->deref.base); break;
    case PARSER_EXPR_SUBSCRIPT: W(e->sub.base); W(e->sub.index); break;
    case PARSER_EXPR_UNARY: W(e->unary.operand); break;
    case PARSER_EXPR_BINARY: W(e->binary.left); W(e->binary.right); break;
    case PARSER_EXPR_IS_NULL: W(e->is_null.operand); break;
    case PARSER_EXPR_DISTINCT: W(e->distinct.left); W(e->distinct.right); break;
    case PARSER_EXPR_BETWEEN: W(e->between.value); W(e->between.low); W(e->between.high); break;
    case PARSER_EXPR_IN: W(e->in.value); return walk_list(&e->in.list, visit, ctx);
    case PARSER_EXPR_LIKE: W(e->like.value); W(e->like.pattern); break;
    case PARSER_EXPR_CASE:
        W(e->case_.operand);
        for (size_t i = 0; i < e->case_.nwhens; i++) {
            W(e->case_.whens[i].cond);
            W(e->case_.whens[i].result);
        }
        W(e->case_.else_);
        break;
    case PARSER_EXPR_CAST: W(e->cast.operand); break;
    case PARSER_EXPR_ARRAY: return walk_list(&e->array, visit, ctx);
    case PARSER_EXPR_MAP:
        for (size_t i = 0; i < e->map.n; i++) {
            W(e->map.keys[i]);
            W(e->map.values[i]);
        }
        break;
    case PARSER_EXPR_STRUCT:
        for (size_t i = 0; i < e->struct_.n; i++)
            W(e->struct_.fields[i].value);
        break;
    case PARSER_EXPR_LAMBDA: W(e->lambda.body); break;
    default: break;
    }
#undef W
    return 0;
}
