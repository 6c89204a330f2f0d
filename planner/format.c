/*
 * planner/format.c - text the planner shows users, and what formats can carry.
 *
 * Expressions print as ksqlDB's ExpressionFormatter prints them in messages: binary
 * operators parenthesised "(A + 1)", calls "ABS(X)", string literals quoted "'x'",
 * dereference "S->F", constructors "ARRAY[1, 2]", "MAP('a':=1)", "STRUCT(F:=1)",
 * identifiers bare when they are upper-case unreserved identifiers and back-quoted
 * otherwise. pl_format_ast() prints parser expressions (messages); planner_format_expr()
 * prints typed expressions with column names from the step's input schema (EXPLAIN).
 *
 * Format names and delimiters are parsed by serde (serde_format_parse, serde_delimiter_parse);
 * the planner adds the statement position. Format capabilities follow ksqlDB's
 * FormatFactory/SerdeFeatures checks: NONE carries no columns, KAFKA one column of INT,
 * BIGINT, DOUBLE, STRING or BYTES, DELIMITED primitive types only, JSON maps with STRING keys
 * only. A key check failure is reported as ksqlDB does ("Key format does not support schema.
 * ..."); when that text is longer than an eddy_err message, the reason alone is kept.
 */
#include <ctype.h>
#include <stdio.h>
#include <strings.h>

#include "planner_int.h"

/* ---------------------------------------------------------------------------------------------
 * Identifiers and AST expressions
 * ------------------------------------------------------------------------------------------- */

int pl_format_ident(const char *name, eddy_buf *out)
{
    bool plain = name[0] && (isupper((unsigned char)name[0]) || name[0] == '_');
    for (const char *p = name; *p && plain; p++)
        if (!(isupper((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_' || *p == '@'))
            plain = false;
    if (plain && !parser_is_reserved(name))
        return eddy_buf_append(out, name, strlen(name));
    int rc = eddy_buf_append(out, "`", 1);
    for (const char *p = name; *p && !rc; p++)
        rc = *p == '`' ? eddy_buf_append(out, "``", 2) : eddy_buf_append(out, p, 1);
    return rc ? rc : eddy_buf_append(out, "`", 1);
}

static int put(eddy_buf *out, const char *s)
{
    return eddy_buf_append(out, s, strlen(s));
}

static int put_string_literal(eddy_buf *out, const char *s, size_t n)
{
    int rc = put(out, "'");
    for (size_t i = 0; i < n && !rc; i++)
        rc = s[i] == '\'' ? put(out, "''") : eddy_buf_append(out, &s[i], 1);
    return rc ? rc : put(out, "'");
}

static const char *op_text(parser_op op)
{
    static const char *const T[] = {"+", "-", "*", "/", "%", "||", "=", "<>", "<", "<=", ">",
                                    ">=", "AND", "OR", "-", "+", "NOT"};
    return T[op];
}

static int ast_q(const parser_expr *e, const char *q, eddy_buf *out);

static int ast_list(const parser_expr_list *l, const char *q, eddy_buf *out)
{
    int rc = 0;
    for (size_t i = 0; i < l->n && !rc; i++) {
        if (i)
            rc = put(out, ", ");
        if (!rc)
            rc = ast_q(l->items[i], q, out);
    }
    return rc;
}

static int type_text(const parser_type *t, eddy_buf *out)
{
    switch (t->kind) {
    case PARSER_TYPE_NAMED: {
        const char *n = t->name;
        if (strcasecmp(n, "INT") == 0)
            n = "INTEGER";
        else if (strcasecmp(n, "VARCHAR") == 0)
            n = "STRING";
        return put(out, n);
    }
    case PARSER_TYPE_DECIMAL:
        return eddy_buf_printf(out, "DECIMAL(%d, %d)", t->precision, t->scale);
    case PARSER_TYPE_ARRAY:
        if (put(out, "ARRAY<") || type_text(t->elem, out))
            return EDDY_ENOMEM;
        return put(out, ">");
    case PARSER_TYPE_MAP:
        if (put(out, "MAP<") || type_text(t->key, out) || put(out, ", ") ||
            type_text(t->elem, out))
            return EDDY_ENOMEM;
        return put(out, ">");
    case PARSER_TYPE_STRUCT:
        if (put(out, "STRUCT<"))
            return EDDY_ENOMEM;
        for (size_t i = 0; i < t->nfields; i++) {
            if ((i && put(out, ", ")) || pl_format_ident(t->fields[i].name, out) ||
                put(out, " ") || type_text(t->fields[i].type, out))
                return EDDY_ENOMEM;
        }
        return put(out, ">");
    }
    return 0;
}

/* The text of 'e'; a column reference without a qualifier gets 'q' when 'q' is not NULL; with
 * 'q' "" no column reference is qualified. */
static int ast_q(const parser_expr *e, const char *q, eddy_buf *out)
{
    int rc = 0;
    switch (e->kind) {
    case PARSER_EXPR_NULL: return put(out, "null");
    case PARSER_EXPR_BOOL: return put(out, e->b ? "true" : "false");
    case PARSER_EXPR_INT: return eddy_buf_printf(out, "%d", e->i32);
    case PARSER_EXPR_BIGINT: return eddy_buf_printf(out, "%lld", (long long)e->i64);
    case PARSER_EXPR_DECIMAL: return put(out, e->dec.text);
    case PARSER_EXPR_DOUBLE: {
        char b[EDDY_DOUBLE_BUF];
        eddy_double_format(e->f64, b);
        return put(out, b);
    }
    case PARSER_EXPR_STRING: return put_string_literal(out, e->str.s, e->str.len);
    case PARSER_EXPR_COLUMN:
        if (q && !*q)
            ;   /* unqualified */
        else if (e->col.qualifier ? pl_format_ident(e->col.qualifier, out) || put(out, ".")
                                  : q && (pl_format_ident(q, out) || put(out, ".")))
            return EDDY_ENOMEM;
        return pl_format_ident(e->col.name, out);
    case PARSER_EXPR_DEREF:
        if (ast_q(e->deref.base, q, out) || put(out, "->"))
            return EDDY_ENOMEM;
        return pl_format_ident(e->deref.field, out);
    case PARSER_EXPR_SUBSCRIPT:
        if (ast_q(e->sub.base, q, out) || put(out, "[") || ast_q(e->sub.index, q, out))
            return EDDY_ENOMEM;
        return put(out, "]");
    case PARSER_EXPR_UNARY:
        if (e->unary.op == PARSER_OP_NOT)
            rc = put(out, "(NOT ") || ast_q(e->unary.operand, q, out) || put(out, ")");
        else
            rc = put(out, op_text(e->unary.op)) || ast_q(e->unary.operand, q, out);
        return rc ? EDDY_ENOMEM : 0;
    case PARSER_EXPR_BINARY:
        if (e->binary.op == PARSER_OP_CONCAT)
            rc = put(out, "CONCAT(") || ast_q(e->binary.left, q, out) || put(out, ", ") ||
                 ast_q(e->binary.right, q, out) || put(out, ")");
        else
            rc = put(out, "(") || ast_q(e->binary.left, q, out) || put(out, " ") ||
                 put(out, op_text(e->binary.op)) || put(out, " ") ||
                 ast_q(e->binary.right, q, out) || put(out, ")");
        return rc ? EDDY_ENOMEM : 0;
    case PARSER_EXPR_IS_NULL:
        rc = put(out, "(") || ast_q(e->is_null.operand, q, out) ||
             put(out, e->is_null.negated ? " IS NOT NULL)" : " IS NULL)");
        return rc ? EDDY_ENOMEM : 0;
    case PARSER_EXPR_DISTINCT:
        rc = put(out, "(") || ast_q(e->distinct.left, q, out) ||
             put(out, e->distinct.negated ? " IS NOT DISTINCT FROM " : " IS DISTINCT FROM ") ||
             ast_q(e->distinct.right, q, out) || put(out, ")");
        return rc ? EDDY_ENOMEM : 0;
    case PARSER_EXPR_BETWEEN:
        rc = put(out, "(") || ast_q(e->between.value, q, out) ||
             put(out, e->between.negated ? " NOT BETWEEN " : " BETWEEN ") ||
             ast_q(e->between.low, q, out) || put(out, " AND ") ||
             ast_q(e->between.high, q, out) || put(out, ")");
        return rc ? EDDY_ENOMEM : 0;
    case PARSER_EXPR_IN:
        rc = put(out, "(") || ast_q(e->in.value, q, out) ||
             put(out, e->in.negated ? " NOT IN (" : " IN (") || ast_list(&e->in.list, q, out) ||
             put(out, "))");
        return rc ? EDDY_ENOMEM : 0;
    case PARSER_EXPR_LIKE:
        rc = put(out, "(") || ast_q(e->like.value, q, out) ||
             put(out, e->like.negated ? " NOT LIKE " : " LIKE ") ||
             ast_q(e->like.pattern, q, out);
        if (!rc && e->like.escape)
            rc = put(out, " ESCAPE ") ||
                 put_string_literal(out, e->like.escape, strlen(e->like.escape));
        return rc || put(out, ")") ? EDDY_ENOMEM : 0;
    case PARSER_EXPR_CASE:
        rc = put(out, "(CASE");
        if (!rc && e->case_.operand)
            rc = put(out, " ") || ast_q(e->case_.operand, q, out);
        for (size_t i = 0; i < e->case_.nwhens && !rc; i++)
            rc = put(out, " WHEN ") || ast_q(e->case_.whens[i].cond, q, out) ||
                 put(out, " THEN ") || ast_q(e->case_.whens[i].result, q, out);
        if (!rc && e->case_.else_)
            rc = put(out, " ELSE ") || ast_q(e->case_.else_, q, out);
        return rc || put(out, " END)") ? EDDY_ENOMEM : 0;
    case PARSER_EXPR_CAST:
        rc = put(out, "CAST(") || ast_q(e->cast.operand, q, out) || put(out, " AS ") ||
             type_text(e->cast.type, out) || put(out, ")");
        return rc ? EDDY_ENOMEM : 0;
    case PARSER_EXPR_ARRAY:
        rc = put(out, "ARRAY[") || ast_list(&e->array, q, out) || put(out, "]");
        return rc ? EDDY_ENOMEM : 0;
    case PARSER_EXPR_MAP:
        rc = put(out, "MAP(");
        for (size_t i = 0; i < e->map.n && !rc; i++)
            rc = (i && put(out, ", ")) || ast_q(e->map.keys[i], q, out) ||
                 put(out, ":=") || ast_q(e->map.values[i], q, out);
        return rc || put(out, ")") ? EDDY_ENOMEM : 0;
    case PARSER_EXPR_STRUCT:
        rc = put(out, "STRUCT(");
        for (size_t i = 0; i < e->struct_.n && !rc; i++)
            rc = (i && put(out, ", ")) || pl_format_ident(e->struct_.fields[i].name, out) ||
                 put(out, ":=") || ast_q(e->struct_.fields[i].value, q, out);
        return rc || put(out, ")") ? EDDY_ENOMEM : 0;
    case PARSER_EXPR_CALL:
        rc = put(out, e->call.name) || put(out, "(") ||
             (e->call.star ? put(out, "*") : ast_list(&e->call.args, q, out)) || put(out, ")");
        return rc ? EDDY_ENOMEM : 0;
    case PARSER_EXPR_LAMBDA:
        rc = put(out, "(");
        for (size_t i = 0; i < e->lambda.nparams && !rc; i++)
            rc = (i && put(out, ", ")) || pl_format_ident(e->lambda.params[i], out);
        rc = rc || put(out, ") => ") || ast_q(e->lambda.body, q, out);
        return rc ? EDDY_ENOMEM : 0;
    case PARSER_EXPR_UNIT:
        return put(out, parser_time_unit_name(e->unit));
    }
    return 0;
}

int pl_format_ast(const parser_expr *e, eddy_buf *out)
{
    return ast_q(e, NULL, out);
}

const char *pl_ast_str_qualified(pl_ctx *c, const parser_expr *e, const char *qualifier)
{
    eddy_buf b;
    eddy_buf_init(&b);
    const char *r = NULL;
    if (ast_q(e, qualifier, &b) == 0 && eddy_buf_cstr(&b))
        r = pl_strdup(c, (const char *)b.data);
    eddy_buf_free(&b);
    return r ? r : "?";
}

const char *pl_ast_str(pl_ctx *c, const parser_expr *e)
{
    eddy_buf b;
    eddy_buf_init(&b);
    const char *r = NULL;
    if (pl_format_ast(e, &b) == 0 && eddy_buf_cstr(&b))
        r = pl_strdup(c, (const char *)b.data);
    eddy_buf_free(&b);
    return r ? r : "?";
}

/* ---------------------------------------------------------------------------------------------
 * Typed expressions (EXPLAIN)
 * ------------------------------------------------------------------------------------------- */

static int fmt(const fn_expr *e, const plan_schema *in, eddy_buf *out);

static int fmt_args(const fn_expr *e, uint32_t from, const plan_schema *in, eddy_buf *out)
{
    for (uint32_t i = from; i < e->nargs; i++)
        if ((i > from && put(out, ", ")) || fmt(e->args[i], in, out))
            return EDDY_ENOMEM;
    return 0;
}

static int fmt_type(const eddy_type *t, eddy_buf *out)
{
    return eddy_type_format(t, out);
}

static int fmt(const fn_expr *e, const plan_schema *in, eddy_buf *out)
{
    static const char *const CMP[] = {"=", "<>", "<", "<=", ">", ">="};
    int rc = 0;
    switch ((fn_expr_kind)e->kind) {
    case FN_LITERAL:
        if (e->u.literal.null)
            return put(out, "null");
        if (e->type->kind == EDDY_T_STRING)
            return put_string_literal(out, e->u.literal.u.str, e->u.literal.n);
        if (e->type->kind == EDDY_T_TIMESTAMP || e->type->kind == EDDY_T_DATE ||
            e->type->kind == EDDY_T_TIME || e->type->kind == EDDY_T_BYTES) {
            rc = put(out, "CAST('") || eddy_value_format(&e->u.literal, e->type, out) ||
                 put(out, "' AS ") || fmt_type(e->type, out) || put(out, ")");
            return rc ? EDDY_ENOMEM : 0;
        }
        if (e->type->kind == EDDY_T_BIGINT) {
            rc = eddy_value_format(&e->u.literal, e->type, out);
            return rc;
        }
        return eddy_value_format(&e->u.literal, e->type, out);
    case FN_COLUMN:
        if (in && e->u.index >= 0 && e->u.index < in->ncols)
            return pl_format_ident(in->cols[e->u.index].name, out);
        return eddy_buf_printf(out, "$%d", e->u.index);
    case FN_VAR:
        return eddy_buf_printf(out, "X%d", e->u.index);
    case FN_CALL: {
        const char *name = e->u.call.fn ? e->u.call.fn->name
                           : e->u.call.table_fn ? e->u.call.table_fn->name : "?";
        rc = put(out, name) || put(out, "(") || fmt_args(e, 0, in, out) || put(out, ")");
        return rc ? EDDY_ENOMEM : 0;
    }
    case FN_ARITH: {
        char op[4] = {' ', (char)e->op, ' ', 0};
        rc = put(out, "(") || fmt(e->args[0], in, out) || put(out, op) ||
             fmt(e->args[1], in, out) || put(out, ")");
        return rc ? EDDY_ENOMEM : 0;
    }
    case FN_NEG:
        return put(out, "-") || fmt(e->args[0], in, out) ? EDDY_ENOMEM : 0;
    case FN_CMP:
        rc = put(out, "(") || fmt(e->args[0], in, out) || put(out, " ") ||
             put(out, CMP[e->op % 6]) || put(out, " ") || fmt(e->args[1], in, out) ||
             put(out, ")");
        return rc ? EDDY_ENOMEM : 0;
    case FN_AND:
    case FN_OR:
        rc = put(out, "(");
        for (uint32_t i = 0; i < e->nargs && !rc; i++)
            rc = (i && put(out, e->kind == FN_AND ? " AND " : " OR ")) ||
                 fmt(e->args[i], in, out);
        return rc || put(out, ")") ? EDDY_ENOMEM : 0;
    case FN_NOT:
        return put(out, "(NOT ") || fmt(e->args[0], in, out) || put(out, ")") ? EDDY_ENOMEM : 0;
    case FN_IS_NULL:
        rc = put(out, "(") || fmt(e->args[0], in, out) ||
             put(out, e->negated ? " IS NOT NULL)" : " IS NULL)");
        return rc ? EDDY_ENOMEM : 0;
    case FN_DISTINCT:
        rc = put(out, "(") || fmt(e->args[0], in, out) ||
             put(out, e->negated ? " IS NOT DISTINCT FROM " : " IS DISTINCT FROM ") ||
             fmt(e->args[1], in, out) || put(out, ")");
        return rc ? EDDY_ENOMEM : 0;
    case FN_BETWEEN:
        rc = put(out, "(") || fmt(e->args[0], in, out) ||
             put(out, e->negated ? " NOT BETWEEN " : " BETWEEN ") || fmt(e->args[1], in, out) ||
             put(out, " AND ") || fmt(e->args[2], in, out) || put(out, ")");
        return rc ? EDDY_ENOMEM : 0;
    case FN_IN:
        rc = put(out, "(") || fmt(e->args[0], in, out) ||
             put(out, e->negated ? " NOT IN (" : " IN (") || fmt_args(e, 1, in, out) ||
             put(out, "))");
        return rc ? EDDY_ENOMEM : 0;
    case FN_LIKE:
        rc = put(out, "(") || fmt(e->args[0], in, out) ||
             put(out, e->negated ? " NOT LIKE " : " LIKE ") || fmt(e->args[1], in, out);
        if (!rc && e->u.escape) {
            char esc[2] = {e->u.escape, 0};
            rc = put(out, " ESCAPE ") || put_string_literal(out, esc, 1);
        }
        return rc || put(out, ")") ? EDDY_ENOMEM : 0;
    case FN_CASE: {
        uint32_t pairs = (e->nargs - (e->u.has_else ? 1 : 0)) / 2;
        rc = put(out, "(CASE");
        for (uint32_t i = 0; i < pairs && !rc; i++)
            rc = put(out, " WHEN ") || fmt(e->args[2 * i], in, out) || put(out, " THEN ") ||
                 fmt(e->args[2 * i + 1], in, out);
        if (!rc && e->u.has_else)
            rc = put(out, " ELSE ") || fmt(e->args[e->nargs - 1], in, out);
        return rc || put(out, " END)") ? EDDY_ENOMEM : 0;
    }
    case FN_CAST:
        rc = put(out, "CAST(") || fmt(e->args[0], in, out) || put(out, " AS ") ||
             fmt_type(e->type, out) || put(out, ")");
        return rc ? EDDY_ENOMEM : 0;
    case FN_FIELD: {
        const eddy_type *st = e->args[0]->type;
        const char *f = st && st->kind == EDDY_T_STRUCT && (uint32_t)e->u.index < st->nfields
                            ? st->fields[e->u.index].name : "?";
        rc = fmt(e->args[0], in, out) || put(out, "->") || pl_format_ident(f, out);
        return rc ? EDDY_ENOMEM : 0;
    }
    case FN_SUBSCRIPT:
        rc = fmt(e->args[0], in, out) || put(out, "[") || fmt(e->args[1], in, out) ||
             put(out, "]");
        return rc ? EDDY_ENOMEM : 0;
    case FN_ARRAY:
        rc = put(out, "ARRAY[") || fmt_args(e, 0, in, out) || put(out, "]");
        return rc ? EDDY_ENOMEM : 0;
    case FN_MAP:
        rc = put(out, "MAP(");
        for (uint32_t i = 0; i + 1 < e->nargs && !rc; i += 2)
            rc = (i && put(out, ", ")) || fmt(e->args[i], in, out) || put(out, ":=") ||
                 fmt(e->args[i + 1], in, out);
        return rc || put(out, ")") ? EDDY_ENOMEM : 0;
    case FN_STRUCT:
        rc = put(out, "STRUCT(");
        for (uint32_t i = 0; i < e->nargs && !rc; i++)
            rc = (i && put(out, ", ")) || pl_format_ident(e->type->fields[i].name, out) ||
                 put(out, ":=") || fmt(e->args[i], in, out);
        return rc || put(out, ")") ? EDDY_ENOMEM : 0;
    case FN_LAMBDA:
        rc = put(out, "(");
        for (int i = 0; i < e->u.lambda.nparams && !rc; i++)
            rc = (i && put(out, ", ")) ||
                 eddy_buf_printf(out, "X%d", e->u.lambda.first_var + i);
        rc = rc || put(out, ") => ") || fmt(e->args[0], in, out);
        return rc ? EDDY_ENOMEM : 0;
    }
    return put(out, "?");
}

int planner_format_expr(const fn_expr *e, const plan_schema *in, eddy_buf *out)
{
    if (!e || !out)
        return EDDY_EINVAL;
    return fmt(e, in, out);
}

/* ---------------------------------------------------------------------------------------------
 * Formats
 * ------------------------------------------------------------------------------------------- */

int pl_format_parse(pl_ctx *c, uint32_t pos, const char *name, serde_format *out)
{
    eddy_err e = {0};
    int rc = serde_format_parse(name ? name : "", out, &e);
    if (rc == EDDY_ENOMEM)
        return pl_oom(c);
    if (rc)
        return pl_err_at(c, pos, rc == EDDY_EUNSUPPORTED ? EDDY_EUNSUPPORTED : EDDY_ETYPE, "%s",
                         e.msg);
    return 0;
}

int pl_delimiter_parse(pl_ctx *c, uint32_t pos, const char *prop, const char *text, char *out)
{
    eddy_err e = {0};
    if (serde_delimiter_parse(text, out, &e) != 0)
        return pl_err_at(c, pos, EDDY_ETYPE,
                         "Failed to prepare statement: Configuration %s is invalid: %s", prop,
                         e.msg);
    return 0;
}

static int cols_text(const plan_column *cols, int n, bool is_key, eddy_buf *out)
{
    for (int i = 0; i < n; i++) {
        if ((i && put(out, ", ")) || eddy_buf_printf(out, "`%s` ", cols[i].name) ||
            eddy_type_format(cols[i].type, out) || (is_key && put(out, " KEY")))
            return EDDY_ENOMEM;
    }
    return 0;
}

static bool json_map_keys_ok(const eddy_type *t)
{
    if (!t)
        return true;
    switch (t->kind) {
    case EDDY_T_MAP:
        return t->key->kind == EDDY_T_STRING && json_map_keys_ok(t->elem);
    case EDDY_T_ARRAY:
        return json_map_keys_ok(t->elem);
    case EDDY_T_STRUCT:
        for (uint32_t i = 0; i < t->nfields; i++)
            if (!json_map_keys_ok(t->fields[i].type))
                return false;
        return true;
    default:
        return true;
    }
}

int pl_check_format(pl_ctx *c, uint32_t pos, const serde_format *f, const plan_column *cols,
                    int ncols, bool is_key, bool explicit_fmt)
{
    eddy_buf list, why;
    eddy_buf_init(&list);
    eddy_buf_init(&why);
    const char *fname = pl_format_name(f->kind);
    int rc = cols_text(cols, ncols, is_key, &list);
    if (rc || !eddy_buf_cstr(&list))
        goto oom;
    switch (f->kind) {
    case SERDE_NONE:
        if (ncols > 0 && explicit_fmt) {
            rc = pl_err_at(c, pos, EDDY_ETYPE,
                           "The 'NONE' format can only be used when no columns are defined. "
                           "Got: [%s]", (char *)list.data);
            goto done;
        }
        break;
    case SERDE_KAFKA:
        if (ncols > 1) {
            if (eddy_buf_printf(&why, "The 'KAFKA' format only supports a single field. "
                                "Got: [%s]", (char *)list.data))
                goto oom;
        } else if (ncols == 1) {
            int k = cols[0].type->kind;
            if (k != EDDY_T_INT && k != EDDY_T_BIGINT && k != EDDY_T_DOUBLE &&
                k != EDDY_T_STRING && k != EDDY_T_BYTES &&
                eddy_buf_printf(&why, "The 'KAFKA' format does not support type '%s'",
                                eddy_type_kind_name((eddy_type_kind)k)))
                goto oom;
        }
        break;
    case SERDE_DELIMITED:
        for (int i = 0; i < ncols; i++) {
            int k = cols[i].type->kind;
            if (k == EDDY_T_ARRAY || k == EDDY_T_MAP || k == EDDY_T_STRUCT) {
                if (eddy_buf_printf(&why, "The 'DELIMITED' format does not support type '%s', "
                                    "column: `%s`", eddy_type_kind_name((eddy_type_kind)k),
                                    cols[i].name))
                    goto oom;
                break;
            }
        }
        break;
    case SERDE_JSON:
        for (int i = 0; i < ncols; i++)
            if (!json_map_keys_ok(cols[i].type)) {
                if (eddy_buf_printf(&why, "JSON only supports MAP types with STRING keys"))
                    goto oom;
                break;
            }
        break;
    }
    if (why.len) {
        if (!eddy_buf_cstr(&why))
            goto oom;
        char *full = pl_printf(c, "%s format does not support schema.\nformat: %s\nschema: "
                               "Persistence{columns=[%s], features=[]}\nreason: %s",
                               is_key ? "Key" : "Value", fname, (char *)list.data,
                               (char *)why.data);
        if (!full)
            goto oom;
        rc = pl_err_long(c, pos, EDDY_ETYPE, full, (char *)why.data);
        goto done;
    }
    rc = 0;
    goto done;
oom:
    rc = pl_oom(c);
done:
    eddy_buf_free(&list);
    eddy_buf_free(&why);
    return rc;
}
