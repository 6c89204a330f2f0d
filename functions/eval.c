/*
 * functions/eval.c - the expression evaluator: fn_eval over typed fn_expr trees.
 *
 * Semantics follow the Java code ksqlDB generates for an expression (ksqldb-execution:
 * codegen/SqlToJavaVisitor, helpers/InListEvaluator, LikeEvaluator, SearchedCaseFunction,
 * ArrayAccess; the interpreter's terms agree):
 *
 *  - An error while evaluating (division by zero, a failed cast, a function's exception, and
 *    a NULL where Java unboxes a Boolean or a number: an AND/OR/NOT/CASE operand, an
 *    arithmetic operand, a LIKE operand, an array index) aborts the whole expression. Inside
 *    this file that is an EDDY_E* return code with 'err' set, passed up like a Java
 *    exception; fn_eval() catches it at the top, logs it and yields NULL.
 *  - With ksql.nested.error.set.null (ksqlDB's default), an error inside a function-call
 *    argument that is a function call or a struct dereference, or inside an element of an
 *    ARRAY/MAP/STRUCT constructor, is caught there: logged, and that value becomes NULL.
 *  - Comparisons with a NULL operand are false (not NULL): the generated code checks for
 *    null and yields false. IS DISTINCT FROM treats two NULLs as not distinct.
 *  - AND/OR evaluate left to right and short-circuit (Java && and ||): FALSE AND x is FALSE
 *    without evaluating x, but NULL AND x is an error (NULL of the whole expression), since
 *    Java unboxes the NULL Boolean. The same holds for NOT NULL and CASE WHEN NULL. In a
 *    WHERE clause an error and a NULL both drop the row, so filters behave as in three-valued
 *    logic; in a SELECT column the value is NULL where three-valued logic could say FALSE
 *    (NULL AND FALSE) or TRUE (NULL OR TRUE), as in ksqlDB.
 *  - NOT BETWEEN / NOT IN / NOT LIKE are NOT over the positive predicate (ksqlDB's AstBuilder
 *    wraps them in a NotExpression), so NULL NOT IN (...) is TRUE.
 *  - STRING + STRING is Java string concatenation: a NULL operand prints as "null".
 *
 * Thread-safety: expression trees are read-only here; all state is in fn_ctx (one per
 * thread). LIKE patterns are interpreted directly (a DP over code points), so there is no
 * compiled form to cache or share.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "functions_int.h"

static int ev(const fn_expr *e, fn_ctx *ctx, eddy_value *out, eddy_err *err);

static int oom(eddy_err *err)
{
    return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
}

static int npe(eddy_err *err, const char *what)
{
    return eddy_err_set(err, EDDY_EINVAL,
                        "java.lang.NullPointerException: NULL %s cannot be evaluated", what);
}

static eddy_value null_of(const fn_expr *e)
{
    return eddy_value_null(e->type ? (eddy_type_kind)e->type->kind : EDDY_T_NULL);
}

/* Evaluate with nested error handling: a data error is logged and gives NULL. */
static int ev_nested(const fn_expr *e, fn_ctx *ctx, eddy_value *out)
{
    eddy_err err;
    eddy_err_clear(&err);
    int rc = ev(e, ctx, out, &err);
    if (rc == EDDY_ENOMEM)
        return rc;
    if (rc) {
        fn__log(ctx, e, &err);
        *out = null_of(e);
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * LIKE
 * ------------------------------------------------------------------------------------------- */

static bool line_terminator(uint32_t c)
{
    return c == '\n' || c == '\r' || c == 0x85 || c == 0x2028 || c == 0x2029;
}

enum { TK_LIT, TK_ANY, TK_ONE };

int fn_like_match(const char *s, size_t n, const char *pat, size_t np, char escape,
                  bool *match, eddy_err *err)
{
    /* Tokenise the pattern: code points with their role. */
    size_t cap = np + 1;
    uint32_t *tok = eddy_malloc(sizeof *tok * cap);
    uint8_t *role = eddy_malloc(cap);
    size_t ns = n + 1;
    uint32_t *str = eddy_malloc(sizeof *str * ns);
    bool *cur = eddy_malloc(ns + 1), *nxt = eddy_malloc(ns + 1);
    int rc = 0;
    if (!tok || !role || !str || !cur || !nxt) {
        rc = oom(err);
        goto out;
    }
    size_t nt = 0, i = 0;
    bool escaped = false;
    while (i < np) {
        uint32_t c = fn__utf8_next(pat, np, &i);
        if (escaped) {
            escaped = false;
            tok[nt] = c;
            role[nt++] = TK_LIT;
        } else if (escape && c == (unsigned char)escape) {
            escaped = true;
        } else if (c == '%') {
            if (nt == 0 || role[nt - 1] != TK_ANY) {
                tok[nt] = c;
                role[nt++] = TK_ANY;
            }
        } else if (c == '_') {
            tok[nt] = c;
            role[nt++] = TK_ONE;
        } else {
            tok[nt] = c;
            role[nt++] = TK_LIT;
        }
    }
    if (escaped) {
        rc = eddy_err_set(err, EDDY_EINVAL, "LIKE pattern must not end with escape character");
        goto out;
    }
    size_t len = 0;
    i = 0;
    while (i < n)
        str[len++] = fn__utf8_next(s, n, &i);
    /* cur[j]: the tokens so far match str[0..j). */
    memset(cur, 0, len + 1);
    cur[0] = true;
    for (size_t t = 0; t < nt; t++) {
        memset(nxt, 0, len + 1);
        for (size_t j = 0; j <= len; j++) {
            switch (role[t]) {
            case TK_ANY:
                nxt[j] = cur[j] || (j > 0 && nxt[j - 1] && !line_terminator(str[j - 1]));
                break;
            case TK_ONE:
                nxt[j] = j > 0 && cur[j - 1] && !line_terminator(str[j - 1]);
                break;
            default:
                nxt[j] = j > 0 && cur[j - 1] && str[j - 1] == tok[t];
                break;
            }
        }
        bool *tmp = cur;
        cur = nxt;
        nxt = tmp;
    }
    *match = cur[len];
out:
    eddy_free(tok);
    eddy_free(role);
    eddy_free(str);
    eddy_free(cur);
    eddy_free(nxt);
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * IN (InListEvaluator)
 * ------------------------------------------------------------------------------------------- */

static bool in_match(const eddy_value *r, const eddy_value *p);

static bool structured_match(const eddy_value *r, const eddy_value *p)
{
    if (r->null && p->null)
        return true;
    return in_match(r, p);
}

static bool java_num_equal_same_kind(const eddy_value *a, const eddy_value *b)
{
    switch (a->kind) {
    case EDDY_T_BOOLEAN:
        return a->u.b == b->u.b;
    case EDDY_T_INT:
    case EDDY_T_DATE:
    case EDDY_T_TIME:
        return a->u.i32 == b->u.i32;
    case EDDY_T_BIGINT:
    case EDDY_T_TIMESTAMP:
        return a->u.i64 == b->u.i64;
    case EDDY_T_DOUBLE: {   /* Double.equals: same bits after NaN canonicalisation */
        double x = a->u.f64, y = b->u.f64;
        if (isnan(x) || isnan(y))
            return isnan(x) && isnan(y);
        return memcmp(&x, &y, sizeof x) == 0;
    }
    case EDDY_T_DECIMAL:    /* BigDecimal.equals: value and scale */
        return a->scale == b->scale && a->u.dec.lo == b->u.dec.lo && a->u.dec.hi == b->u.dec.hi;
    case EDDY_T_STRING:
    case EDDY_T_BYTES:
        return a->n == b->n && (a->n == 0 || memcmp(a->u.str, b->u.str, a->n) == 0);
    default:
        return false;
    }
}

static bool is_num(const eddy_value *v)
{
    return v->kind >= EDDY_T_INT && v->kind <= EDDY_T_DOUBLE;
}

static int64_t java_long_value(const eddy_value *v)
{
    switch (v->kind) {
    case EDDY_T_INT:
        return v->u.i32;
    case EDDY_T_BIGINT:
        return v->u.i64;
    case EDDY_T_DOUBLE: {
        double d = v->u.f64;
        if (isnan(d))
            return 0;
        if (d >= 9223372036854775807.0)
            return INT64_MAX;
        if (d <= -9223372036854775808.0)
            return INT64_MIN;
        return (int64_t)d;
    }
    default: {
        eddy_decimal d = eddy_value_get_decimal(v);
        return eddy_decimal_to_i64(&d);
    }
    }
}

static double java_double_value(const eddy_value *v)
{
    switch (v->kind) {
    case EDDY_T_INT:
        return v->u.i32;
    case EDDY_T_BIGINT:
        return (double)v->u.i64;
    case EDDY_T_DOUBLE:
        return v->u.f64;
    default: {
        eddy_decimal d = eddy_value_get_decimal(v);
        return eddy_decimal_to_double(&d);
    }
    }
}

/* InListEvaluator.numbersMatch: widen the candidate to the required value's class. */
static bool numbers_match(const eddy_value *r, const eddy_value *p)
{
    switch (r->kind) {
    case EDDY_T_INT: {
        int32_t x;
        if (p->kind == EDDY_T_DOUBLE) {     /* (int) double saturates */
            double d = p->u.f64;
            x = isnan(d) ? 0 : d >= 2147483647.0 ? INT32_MAX : d <= -2147483648.0 ? INT32_MIN
                                                                                 : (int32_t)d;
        } else {
            x = (int32_t)java_long_value(p);
        }
        return x == r->u.i32;
    }
    case EDDY_T_BIGINT:
        return java_long_value(p) == r->u.i64;
    case EDDY_T_DOUBLE: {
        eddy_value d = eddy_value_double(java_double_value(p));
        return java_num_equal_same_kind(r, &d);
    }
    default: {  /* DECIMAL: the candidate's decimal at the required scale, exactly */
        int cmp;
        if (eddy_value_sql_compare(r, p, &cmp, NULL) != 0)
            return false;
        return cmp == 0;
    }
    }
}

/* InListEvaluator.parsedMatches: parse the string as the other value's class. */
static bool parsed_match(const eddy_value *other, const eddy_value *s)
{
    const char *p = s->u.str;
    size_t n = s->n;
    eddy_value parsed;
    switch (other->kind) {
    case EDDY_T_BOOLEAN: {
        size_t tl = n;
        const char *t = eddy_java_trim(p, &tl);
        if (tl == 4 && strncasecmp(t, "true", 4) == 0)
            parsed = eddy_value_bool(true);
        else if (tl == 5 && strncasecmp(t, "false", 5) == 0)
            parsed = eddy_value_bool(false);
        else
            return false;
        break;
    }
    case EDDY_T_INT: {
        int32_t x;
        if (eddy_i32_parse(p, n, &x, NULL))
            return false;
        parsed = eddy_value_int(x);
        break;
    }
    case EDDY_T_BIGINT: {
        int64_t x;
        if (eddy_i64_parse(p, n, &x, NULL))
            return false;
        parsed = eddy_value_bigint(x);
        break;
    }
    case EDDY_T_DOUBLE: {
        double x;
        if (eddy_double_parse(p, n, &x, NULL))
            return false;
        parsed = eddy_value_double(x);
        break;
    }
    case EDDY_T_DECIMAL: {
        eddy_decimal d;
        if (eddy_decimal_parse(p, n, &d, NULL))
            return false;
        parsed = eddy_value_decimal(&d);
        break;
    }
    default:
        return false;
    }
    return java_num_equal_same_kind(other, &parsed);
}

static bool in_match(const eddy_value *r, const eddy_value *p)
{
    if (r->null || p->null)
        return false;
    if (r->kind == EDDY_T_ARRAY || p->kind == EDDY_T_ARRAY) {
        if (r->kind != p->kind || r->n != p->n)
            return false;
        for (uint32_t i = 0; i < r->n; i++)
            if (!structured_match(&r->u.items[i], &p->u.items[i]))
                return false;
        return true;
    }
    if (r->kind == EDDY_T_MAP || p->kind == EDDY_T_MAP) {
        if (r->kind != p->kind || r->n != p->n)
            return false;
        for (uint32_t i = 0; i < r->n; i++) {
            const eddy_value *rk = &r->u.items[2 * i], *rv = &r->u.items[2 * i + 1];
            eddy_value none = eddy_value_null(EDDY_T_NULL);
            const eddy_value *pv = &none;
            for (uint32_t j = 0; j < p->n; j++)
                if (fn__java_equals(rk, &p->u.items[2 * j])) {
                    pv = &p->u.items[2 * j + 1];
                    break;
                }
            if (!structured_match(rv, pv))
                return false;
        }
        return true;
    }
    if (r->kind == EDDY_T_STRUCT || p->kind == EDDY_T_STRUCT) {
        if (r->kind != p->kind || r->n != p->n)
            return false;
        for (uint32_t i = 0; i < r->n; i++)
            if (!structured_match(&r->u.items[i], &p->u.items[i]))
                return false;
        return true;
    }
    if (r->kind == p->kind && java_num_equal_same_kind(r, p))
        return true;
    if (r->kind == EDDY_T_STRING && p->kind != EDDY_T_STRING)
        return parsed_match(p, r);
    if (p->kind == EDDY_T_STRING && r->kind != EDDY_T_STRING)
        return parsed_match(r, p);
    if (is_num(r) && is_num(p))
        return r->kind == p->kind ? false : numbers_match(r, p);
    return false;
}

/* ---------------------------------------------------------------------------------------------
 * Node kinds
 * ------------------------------------------------------------------------------------------- */

static int ev_call(const fn_expr *e, fn_ctx *ctx, eddy_value *out, eddy_err *err)
{
    const fn_scalar *f = e->u.call.fn;
    eddy_value stackargs[8];
    eddy_value *args = stackargs;
    if (e->nargs > EDDY_ARRAY_LEN(stackargs)) {
        args = eddy_arena_alloc(ctx->arena, sizeof *args * e->nargs);
        if (!args)
            return oom(err);
    }
    bool any_null = false;
    for (uint32_t i = 0; i < e->nargs; i++) {
        const fn_expr *a = e->args[i];
        int rc;
        if (a->kind == FN_LAMBDA) {
            args[i] = eddy_value_null(EDDY_T_NULL);
            continue;
        }
        /* ksqlDB wraps function-call and dereference arguments (also when it inserted an
         * implicit cast around them) in evaluateOrReturnNull. */
        const fn_expr *inner = a->kind == FN_CAST ? a->args[0] : a;
        if (inner->kind == FN_CALL || inner->kind == FN_FIELD)
            rc = ev_nested(a, ctx, &args[i]);
        else
            rc = ev(a, ctx, &args[i], err);
        if (rc)
            return rc;
        if (args[i].null)
            any_null = true;
    }
    if (any_null && (f->flags & FN_F_NULL_IN_NULL_OUT)) {
        *out = null_of(e);
        return 0;
    }
    int rc = f->eval(ctx, e, args, (int)e->nargs, out, err);
    if (rc == 0 && out->null)
        *out = null_of(e);
    return rc;
}

static int ev_arith(const fn_expr *e, fn_ctx *ctx, eddy_value *out, eddy_err *err)
{
    eddy_value l, r;
    int rc = ev(e->args[0], ctx, &l, err);
    if (rc == 0)
        rc = ev(e->args[1], ctx, &r, err);
    if (rc)
        return rc;
    if (e->type->kind == EDDY_T_STRING) {   /* Java String concatenation */
        const char *ls = l.null ? "null" : l.u.str, *rs = r.null ? "null" : r.u.str;
        size_t ln = l.null ? 4 : l.n, rn = r.null ? 4 : r.n;
        char *p = eddy_arena_alloc(ctx->arena, ln + rn + 1);
        if (!p)
            return oom(err);
        memcpy(p, ls, ln);
        memcpy(p + ln, rs, rn);
        *out = eddy_value_string(p, ln + rn);
        return 0;
    }
    if (l.null || r.null)
        return npe(err, "arithmetic operand");
    return eddy_value_arith((char)e->op, &l, &r, e->type, ctx->arena, out, err);
}

static bool cmp_holds(int op, int cmp)
{
    if (cmp == EDDY_CMP_UNORDERED)
        return false;
    switch (op) {
    case FN_CMP_EQ:
        return cmp == 0;
    case FN_CMP_NEQ:
        return cmp != 0;
    case FN_CMP_LT:
        return cmp < 0;
    case FN_CMP_LTE:
        return cmp <= 0;
    case FN_CMP_GT:
        return cmp > 0;
    default:
        return cmp >= 0;
    }
}

static int compare(const eddy_value *a, const eddy_value *b, int op, bool *out, eddy_err *err)
{
    if (a->null || b->null) {
        *out = false;
        return 0;
    }
    int cmp;
    int rc = eddy_value_sql_compare(a, b, &cmp, err);
    if (rc)
        return rc;
    *out = cmp_holds(op, cmp);
    return 0;
}

static int ev_bool_operand(const fn_expr *e, fn_ctx *ctx, bool *b, const char *what,
                           eddy_err *err)
{
    eddy_value v;
    int rc = ev(e, ctx, &v, err);
    if (rc)
        return rc;
    if (v.null)
        return npe(err, what);
    *b = v.u.b;
    return 0;
}

static int ev_in(const fn_expr *e, fn_ctx *ctx, bool *res, eddy_err *err)
{
    eddy_value v;
    int rc = ev(e->args[0], ctx, &v, err);
    if (rc)
        return rc;
    *res = false;
    if (v.null)
        return 0;
    /* Java evaluates every argument of InListEvaluator.matches before the call. */
    for (uint32_t i = 1; i < e->nargs; i++) {
        eddy_value c;
        rc = ev(e->args[i], ctx, &c, err);
        if (rc)
            return rc;
        if (!*res && in_match(&v, &c))
            *res = true;
    }
    return 0;
}

static int ev_subscript(const fn_expr *e, fn_ctx *ctx, eddy_value *out, eddy_err *err)
{
    eddy_value base, idx;
    int rc = ev(e->args[0], ctx, &base, err);
    if (rc == 0)
        rc = ev(e->args[1], ctx, &idx, err);
    if (rc)
        return rc;
    *out = null_of(e);
    if (base.null)
        return 0;
    if (base.kind == EDDY_T_ARRAY) {
        if (idx.null)
            return npe(err, "array index");
        int64_t i = idx.kind == EDDY_T_BIGINT ? (int32_t)idx.u.i64 : idx.u.i32;
        int64_t t = i >= 0 ? i - 1 : (int64_t)base.n + i;
        if (t >= 0 && t < (int64_t)base.n)
            *out = base.u.items[t];
        return 0;
    }
    for (uint32_t i = 0; i < base.n; i++)   /* MAP: HashMap.get(key) */
        if (fn__java_equals(&base.u.items[2 * i], &idx)) {
            *out = base.u.items[2 * i + 1];
            break;
        }
    return 0;
}

static int ev_map(const fn_expr *e, fn_ctx *ctx, eddy_value *out, eddy_err *err)
{
    uint32_t n = e->nargs / 2;
    int rc = fn__composite(ctx, EDDY_T_MAP, n, out);
    if (rc)
        return oom(err);
    uint32_t used = 0;
    for (uint32_t i = 0; i < n; i++) {
        eddy_value k, v;
        if ((rc = ev_nested(e->args[2 * i], ctx, &k)) || (rc = ev_nested(e->args[2 * i + 1], ctx, &v)))
            return oom(err);
        uint32_t j;
        for (j = 0; j < used; j++)   /* a repeated key replaces the value (HashMap.put) */
            if (fn__java_equals(&out->u.items[2 * j], &k))
                break;
        out->u.items[2 * j] = k;
        out->u.items[2 * j + 1] = v;
        if (j == used)
            used++;
    }
    out->n = used;
    return 0;
}

static int ev(const fn_expr *e, fn_ctx *ctx, eddy_value *out, eddy_err *err)
{
    int rc = 0;
    bool b = false;
    switch ((fn_expr_kind)e->kind) {
    case FN_LITERAL:
        *out = e->u.literal;
        if (out->null)
            *out = null_of(e);
        return 0;
    case FN_COLUMN:
        *out = ctx->row[e->u.index];
        if (out->null)
            *out = null_of(e);
        return 0;
    case FN_VAR:
        *out = ctx->vars[e->u.index];
        return 0;
    case FN_CALL:
        return ev_call(e, ctx, out, err);
    case FN_ARITH:
        return ev_arith(e, ctx, out, err);
    case FN_NEG: {
        eddy_value v;
        if ((rc = ev(e->args[0], ctx, &v, err)))
            return rc;
        if (v.null)
            return npe(err, "operand of unary minus");
        return eddy_value_negate(&v, out, err);
    }
    case FN_CMP: {
        eddy_value l, r;
        if ((rc = ev(e->args[0], ctx, &l, err)) || (rc = ev(e->args[1], ctx, &r, err)))
            return rc;
        if ((rc = compare(&l, &r, e->op, &b, err)))
            return rc;
        break;
    }
    case FN_AND:
    case FN_OR: {
        bool want = e->kind == FN_OR;   /* the value that short-circuits */
        b = !want;
        for (uint32_t i = 0; i < e->nargs; i++) {
            bool x = false;
            if ((rc = ev_bool_operand(e->args[i], ctx, &x, e->kind == FN_OR ? "OR operand"
                                                                              : "AND operand",
                                      err)))
                return rc;
            if (x == want) {
                b = want;
                break;
            }
        }
        break;
    }
    case FN_NOT:
        if ((rc = ev_bool_operand(e->args[0], ctx, &b, "NOT operand", err)))
            return rc;
        b = !b;
        break;
    case FN_IS_NULL: {
        eddy_value v;
        if ((rc = ev(e->args[0], ctx, &v, err)))
            return rc;
        b = v.null != 0;
        if (e->negated)
            b = !b;
        break;
    }
    case FN_DISTINCT: {
        eddy_value l, r;
        if ((rc = ev(e->args[0], ctx, &l, err)) || (rc = ev(e->args[1], ctx, &r, err)))
            return rc;
        if (l.null || r.null) {
            b = (l.null != 0) != (r.null != 0);
        } else {
            int cmp;
            if ((rc = eddy_value_sql_compare(&l, &r, &cmp, err)))
                return rc;
            b = cmp != 0 && cmp != EDDY_CMP_UNORDERED;
        }
        if (e->negated)
            b = !b;
        break;
    }
    case FN_BETWEEN: {
        eddy_value v, lo, hi;
        if ((rc = ev(e->args[0], ctx, &v, err)) || (rc = ev(e->args[1], ctx, &lo, err)))
            return rc;
        if ((rc = compare(&v, &lo, FN_CMP_GTE, &b, err)))
            return rc;
        if (b) {
            if ((rc = ev(e->args[2], ctx, &hi, err)) || (rc = compare(&v, &hi, FN_CMP_LTE, &b, err)))
                return rc;
        }
        if (e->negated)
            b = !b;
        break;
    }
    case FN_IN:
        if ((rc = ev_in(e, ctx, &b, err)))
            return rc;
        if (e->negated)
            b = !b;
        break;
    case FN_LIKE: {
        eddy_value v, p;
        if ((rc = ev(e->args[0], ctx, &v, err)) || (rc = ev(e->args[1], ctx, &p, err)))
            return rc;
        if (v.null || p.null)
            return npe(err, "LIKE operand");
        if ((rc = fn_like_match(v.u.str, v.n, p.u.str, p.n, e->u.escape, &b, err)))
            return rc;
        if (e->negated)
            b = !b;
        break;
    }
    case FN_CASE: {
        uint32_t pairs = (e->nargs - (e->u.has_else ? 1 : 0)) / 2;
        for (uint32_t i = 0; i < pairs; i++) {
            bool c = false;
            if ((rc = ev_bool_operand(e->args[2 * i], ctx, &c, "WHEN condition", err)))
                return rc;
            if (c) {
                if ((rc = ev(e->args[2 * i + 1], ctx, out, err)))
                    return rc;
                if (out->null)
                    *out = null_of(e);
                return 0;
            }
        }
        if (e->u.has_else) {
            if ((rc = ev(e->args[e->nargs - 1], ctx, out, err)))
                return rc;
            if (out->null)
                *out = null_of(e);
            return 0;
        }
        *out = null_of(e);
        return 0;
    }
    case FN_CAST: {
        eddy_value v;
        if ((rc = ev(e->args[0], ctx, &v, err)))
            return rc;
        return eddy_cast(&v, e->args[0]->type, e->type, ctx->arena, out, err);
    }
    case FN_FIELD: {
        eddy_value s;
        if ((rc = ev(e->args[0], ctx, &s, err)))
            return rc;
        if (s.null || (uint32_t)e->u.index >= s.n)
            *out = null_of(e);
        else
            *out = s.u.items[e->u.index];
        if (out->null)
            *out = null_of(e);
        return 0;
    }
    case FN_SUBSCRIPT:
        return ev_subscript(e, ctx, out, err);
    case FN_ARRAY:
    case FN_STRUCT: {
        if (fn__composite(ctx, e->kind == FN_ARRAY ? EDDY_T_ARRAY : EDDY_T_STRUCT, e->nargs, out))
            return oom(err);
        for (uint32_t i = 0; i < e->nargs; i++)
            if (ev_nested(e->args[i], ctx, &out->u.items[i]))
                return oom(err);
        return 0;
    }
    case FN_MAP:
        return ev_map(e, ctx, out, err);
    case FN_LAMBDA:
    default:
        return eddy_err_set(err, EDDY_EINVAL, "internal: expression kind %d cannot be evaluated",
                            e->kind);
    }
    *out = eddy_value_bool(b);
    return 0;
}

int fn_eval(const fn_expr *e, fn_ctx *ctx, eddy_value *out)
{
    eddy_err err;
    eddy_err_clear(&err);
    int rc = ev(e, ctx, out, &err);
    if (rc == EDDY_ENOMEM)
        return rc;
    if (rc) {
        fn__log(ctx, e, &err);
        *out = null_of(e);
    }
    return 0;
}

int fn_eval_bool(const fn_expr *e, fn_ctx *ctx, bool *out)
{
    eddy_value v;
    int rc = fn_eval(e, ctx, &v);
    if (rc)
        return rc;
    *out = !v.null && v.u.b;
    return 0;
}

int fn_eval_lambda(const fn_expr *lambda, fn_ctx *ctx, const eddy_value *args, int nargs,
                   eddy_value *out, eddy_err *err)
{
    for (int i = 0; i < nargs && i < lambda->u.lambda.nparams; i++)
        ctx->vars[lambda->u.lambda.first_var + i] = args[i];
    int rc = ev(lambda->args[0], ctx, out, err);
    if (rc == 0 && out->null)
        *out = null_of(lambda->args[0]);
    return rc;
}
