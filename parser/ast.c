/*
 * ast.c - AST node builders called by the grammar actions, one per action.
 *
 * Every node is allocated zeroed in the statement arena and carries its source span. The
 * builders also do what ksqlDB's AstBuilder does beyond shape: type numeric literals (INT if
 * the value fits in 32 bits, else BIGINT; DECIMAL(p,s) for 1.5; DOUBLE with an exponent),
 * fold a minus sign into a numeric literal written right after it (ANTLR's `number : MINUS?
 * INTEGER_VALUE`, so -2147483648 is an INT), reject out-of-range literals, and check that
 * source names only use [A-Za-z0-9_-]. Lists are built as parser_plist and copied into exact
 * arrays when a node is finished.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "parser_int.h"

/* ---------------------------------------------------------------------------------------------
 * Allocation and lists
 * ------------------------------------------------------------------------------------------- */

void *ast_alloc(parser_state *st, size_t n)
{
    void *p = eddy_arena_calloc(st->arena, n ? n : 1);
    if (!p)
        parser__oom(st);
    return p;
}

parser_plist *ast_append(parser_state *st, parser_plist *l, void *item)
{
    if (!l)
        return NULL;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 4;
        void **items = ast_alloc(st, cap * sizeof *items);
        if (!items)
            return NULL;
        if (l->n)
            memcpy(items, l->items, l->n * sizeof *items);
        l->items = items;
        l->cap = cap;
    }
    l->items[l->n++] = item;
    return l;
}

parser_plist *ast_list(parser_state *st, void *first)
{
    parser_plist *l = ast_alloc(st, sizeof *l);
    if (l && first)
        return ast_append(st, l, first);
    return l;
}

parser_plist *ast_prepend(parser_state *st, void *first, parser_plist *rest)
{
    parser_plist *l = ast_list(st, first);
    for (size_t i = 0; l && rest && i < rest->n; i++)
        l = ast_append(st, l, rest->items[i]);
    return l;
}

/* Copy a list of parser_expr pointers into an exact array. */
static int to_expr_list(parser_state *st, const parser_plist *l, parser_expr_list *out)
{
    out->n = l ? l->n : 0;
    out->items = NULL;
    if (!out->n)
        return 0;
    out->items = ast_alloc(st, out->n * sizeof *out->items);
    if (!out->items)
        return -1;
    memcpy(out->items, l->items, out->n * sizeof *out->items);
    return 0;
}

/* Copy a list of pointers to structs of 'size' bytes into an array of those structs. */
static void *to_array(parser_state *st, const parser_plist *l, size_t size, size_t *n)
{
    *n = l ? l->n : 0;
    if (!*n)
        return NULL;
    char *a = ast_alloc(st, *n * size);
    if (!a)
        return NULL;
    for (size_t i = 0; i < *n; i++)
        memcpy(a + i * size, l->items[i], size);
    return a;
}

const char *ast_tok_str(parser_state *st, const parser_tok *t)
{
    (void)st;
    return t->text;
}

static uint32_t span_len(const parser_loc *loc) { return loc->end - loc->begin; }

/* ---------------------------------------------------------------------------------------------
 * Expressions
 * ------------------------------------------------------------------------------------------- */

static parser_expr *new_expr(parser_state *st, const parser_loc *loc, parser_expr_kind kind)
{
    parser_expr *e = ast_alloc(st, sizeof *e);
    if (e) {
        e->kind = kind;
        e->pos = loc->begin;
        e->len = span_len(loc);
    }
    return e;
}

parser_expr *ast_null(parser_state *st, const parser_loc *loc)
{
    return new_expr(st, loc, PARSER_EXPR_NULL);
}

parser_expr *ast_bool(parser_state *st, const parser_loc *loc, bool v)
{
    parser_expr *e = new_expr(st, loc, PARSER_EXPR_BOOL);
    if (e)
        e->b = v;
    return e;
}

parser_expr *ast_string(parser_state *st, const parser_loc *loc, const parser_tok *t)
{
    parser_expr *e = new_expr(st, loc, PARSER_EXPR_STRING);
    if (e) {
        e->str.s = t->text;
        e->str.len = t->len;
    }
    return e;
}

parser_expr *ast_integer(parser_state *st, const parser_loc *loc, const parser_tok *t)
{
    uint64_t v = 0;
    bool overflow = false;
    for (const char *p = t->text; *p; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10) {
            overflow = true;
            break;
        }
        v = v * 10 + d;
    }
    parser_expr *e;
    if (overflow || v > (uint64_t)INT64_MAX) {
        /* Out of range unless it is 9223372036854775808 under a minus sign: decide when the
         * statement ends or a '-' claims it (fold_negative), as ANTLR lexes -N as one number. */
        e = new_expr(st, loc, PARSER_EXPR_BIGINT);
        if (e) {
            e->i64 = INT64_MIN;
            if (!ast_append(st, &st->overflow, e))
                return NULL;
        }
        return e;
    }
    if (v <= INT32_MAX) {
        e = new_expr(st, loc, PARSER_EXPR_INT);
        if (e)
            e->i32 = (int32_t)v;
    } else {
        e = new_expr(st, loc, PARSER_EXPR_BIGINT);
        if (e)
            e->i64 = (int64_t)v;
    }
    return e;
}

/* DECIMAL(p, s) of a literal, as ksqlDB's DecimalUtil.fromValue(new BigDecimal(text)) types
 * it: s = digits after the point; p = significant digits, or s + 1 when |v| < 1. */
static void decimal_type(const char *text, int *precision, int *scale)
{
    const char *p = text;
    if (*p == '-' || *p == '+')
        p++;
    while (*p == '0')
        p++;                        /* leading zeros are not significant */
    int ints = 0, fracs = 0;
    for (; *p >= '0' && *p <= '9'; p++)
        ints++;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++)
            fracs++;
    *scale = fracs;
    if (ints == 0)
        *precision = fracs + 1;     /* |v| < 1 */
    else
        *precision = ints + fracs;
}

parser_expr *ast_decimal(parser_state *st, const parser_loc *loc, const parser_tok *t)
{
    parser_expr *e = new_expr(st, loc, PARSER_EXPR_DECIMAL);
    if (e) {
        e->dec.text = t->text;
        decimal_type(t->text, &e->dec.precision, &e->dec.scale);
    }
    return e;
}

parser_expr *ast_double(parser_state *st, const parser_loc *loc, const parser_tok *t)
{
    errno = 0;
    double v = strtod(t->text, NULL);
    parser_expr *e = new_expr(st, loc, PARSER_EXPR_DOUBLE);
    if (e)
        e->f64 = v;
    /* An overflow is reported with the sign ksqlDB's literal includes (`MINUS? FLOATING_POINT_
     * VALUE`): by fold_negative for a '-' that claims it, else when the statement ends. */
    if (e && isinf(v) && !ast_append(st, &st->overflow, e))
        return NULL;
    return e;
}

/* `type 'value'`: ksqlDB only knows DECIMAL '1.5' (which needs a quoted `DECIMAL`). */
parser_expr *ast_typed_literal(parser_state *st, const parser_loc *loc, const parser_tok *type,
                               const parser_tok *value)
{
    if (strcmp(type->text, "DECIMAL") != 0) {
        parser__prepare_error_at(st, loc->begin, "Unknown type: %s", type->text);
        return NULL;
    }
    const char *p = value->text;
    bool ok = true, digits = false;
    if (*p == '-' || *p == '+')
        p++;
    for (; *p >= '0' && *p <= '9'; p++)
        digits = true;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++)
            digits = true;
    ok = digits && *p == '\0';
    if (!ok) {
        parser__prepare_error_at(st, loc->begin, "Invalid numeric literal: %s", value->text);
        return NULL;
    }
    parser_expr *e = new_expr(st, loc, PARSER_EXPR_DECIMAL);
    if (e) {
        e->dec.text = value->text[0] == '+' ? value->text + 1 : value->text;
        decimal_type(value->text, &e->dec.precision, &e->dec.scale);
    }
    return e;
}

parser_expr *ast_column(parser_state *st, const parser_loc *loc, const parser_tok *qualifier,
                        const parser_tok *name)
{
    parser_expr *e = new_expr(st, loc, PARSER_EXPR_COLUMN);
    if (e) {
        e->col.qualifier = qualifier ? qualifier->text : NULL;
        e->col.name = name->text;
    }
    return e;
}

parser_expr *ast_deref(parser_state *st, const parser_loc *loc, parser_expr *base,
                       const parser_tok *field)
{
    parser_expr *e = new_expr(st, loc, PARSER_EXPR_DEREF);
    if (e) {
        e->deref.base = base;
        e->deref.field = field->text;
    }
    return e;
}

parser_expr *ast_subscript(parser_state *st, const parser_loc *loc, parser_expr *base,
                           parser_expr *index)
{
    parser_expr *e = new_expr(st, loc, PARSER_EXPR_SUBSCRIPT);
    if (e) {
        e->sub.base = base;
        e->sub.index = index;
    }
    return e;
}

/* Fold `-literal` into a negative literal when the literal directly follows the sign. */
static bool fold_negative(parser_state *st, const parser_loc *loc, parser_expr *e)
{
    if (e->parenthesized || st->text[e->pos] == '-')
        return false;
    switch (e->kind) {
    case PARSER_EXPR_INT:
        e->i32 = -e->i32;
        break;
    case PARSER_EXPR_BIGINT:
        if (e->i64 == INT64_MIN) {
            for (size_t i = 0; i < st->overflow.n; i++)
                if (st->overflow.items[i] == e)
                    st->overflow.items[i] = NULL;
            const char *digits = st->text + e->pos;
            while (*digits == '0' && e->len > 1 && digits[1] >= '0' && digits[1] <= '9')
                digits++;
            size_t n = e->len - (size_t)(digits - (st->text + e->pos));
            if (n != 19 || memcmp(digits, "9223372036854775808", 19) != 0) {
                parser__prepare_error_at(st, loc->begin, "Invalid numeric literal: -%.*s",
                                         (int)e->len, st->text + e->pos);
                return true;
            }
        } else if (-e->i64 >= INT32_MIN) {
            e->kind = PARSER_EXPR_INT;  /* -2147483648 */
            e->i32 = (int32_t)-e->i64;
        } else {
            e->i64 = -e->i64;
        }
        break;
    case PARSER_EXPR_DOUBLE:
        if (isinf(e->f64)) {
            for (size_t i = 0; i < st->overflow.n; i++)
                if (st->overflow.items[i] == e)
                    st->overflow.items[i] = NULL;
            parser__prepare_error_at(st, loc->begin, "Number overflows DOUBLE: -%.*s",
                                     (int)e->len, st->text + e->pos);
            return true;
        }
        e->f64 = -e->f64;
        break;
    case PARSER_EXPR_DECIMAL: {
        size_t n = strlen(e->dec.text);
        char *s = ast_alloc(st, n + 2);
        if (!s)
            return true;
        s[0] = '-';
        memcpy(s + 1, e->dec.text, n + 1);
        e->dec.text = s;
        break;
    }
    default:
        return false;
    }
    e->pos = loc->begin;
    e->len = span_len(loc);
    return true;
}

parser_expr *ast_unary(parser_state *st, const parser_loc *loc, parser_op op, parser_expr *x)
{
    if (op == PARSER_OP_NEG && fold_negative(st, loc, x))
        return x;
    parser_expr *e = new_expr(st, loc, PARSER_EXPR_UNARY);
    if (e) {
        e->unary.op = op;
        e->unary.operand = x;
    }
    return e;
}

parser_expr *ast_binary(parser_state *st, const parser_loc *loc, parser_op op, parser_expr *l,
                        parser_expr *r)
{
    parser_expr *e = new_expr(st, loc, PARSER_EXPR_BINARY);
    if (e) {
        e->binary.op = op;
        e->binary.left = l;
        e->binary.right = r;
    }
    return e;
}

parser_expr *ast_is_null(parser_state *st, const parser_loc *loc, parser_expr *x, bool negated)
{
    parser_expr *e = new_expr(st, loc, PARSER_EXPR_IS_NULL);
    if (e) {
        e->is_null.operand = x;
        e->is_null.negated = negated;
    }
    return e;
}

parser_expr *ast_distinct(parser_state *st, const parser_loc *loc, parser_expr *l,
                          parser_expr *r, bool negated)
{
    parser_expr *e = new_expr(st, loc, PARSER_EXPR_DISTINCT);
    if (e) {
        e->distinct.left = l;
        e->distinct.right = r;
        e->distinct.negated = negated;
    }
    return e;
}

parser_expr *ast_between(parser_state *st, const parser_loc *loc, parser_expr *v,
                         parser_expr *lo, parser_expr *hi, bool negated)
{
    parser_expr *e = new_expr(st, loc, PARSER_EXPR_BETWEEN);
    if (e) {
        e->between.value = v;
        e->between.low = lo;
        e->between.high = hi;
        e->between.negated = negated;
    }
    return e;
}

parser_expr *ast_in(parser_state *st, const parser_loc *loc, parser_expr *v, parser_plist *list,
                    bool negated)
{
    parser_expr *e = new_expr(st, loc, PARSER_EXPR_IN);
    if (!e || to_expr_list(st, list, &e->in.list) != 0)
        return NULL;
    e->in.value = v;
    e->in.negated = negated;
    return e;
}

parser_expr *ast_like(parser_state *st, const parser_loc *loc, parser_expr *v,
                      parser_expr *pattern, const parser_tok *escape, bool negated)
{
    parser_expr *e = new_expr(st, loc, PARSER_EXPR_LIKE);
    if (e) {
        e->like.value = v;
        e->like.pattern = pattern;
        e->like.escape = escape ? escape->text : NULL;
        e->like.negated = negated;
    }
    return e;
}

parser_when *ast_when(parser_state *st, parser_expr *cond, parser_expr *result)
{
    parser_when *w = ast_alloc(st, sizeof *w);
    if (w) {
        w->cond = cond;
        w->result = result;
    }
    return w;
}

parser_expr *ast_case(parser_state *st, const parser_loc *loc, parser_expr *operand,
                      parser_plist *whens, parser_expr *else_)
{
    parser_expr *e = new_expr(st, loc, PARSER_EXPR_CASE);
    if (!e)
        return NULL;
    e->case_.operand = operand;
    e->case_.whens = to_array(st, whens, sizeof(parser_when), &e->case_.nwhens);
    e->case_.else_ = else_;
    return e->case_.whens ? e : NULL;
}

parser_expr *ast_cast(parser_state *st, const parser_loc *loc, parser_expr *x, parser_type *t)
{
    parser_expr *e = new_expr(st, loc, PARSER_EXPR_CAST);
    if (e) {
        e->cast.operand = x;
        e->cast.type = t;
    }
    return e;
}

parser_expr *ast_array(parser_state *st, const parser_loc *loc, parser_plist *items)
{
    parser_expr *e = new_expr(st, loc, PARSER_EXPR_ARRAY);
    if (!e || to_expr_list(st, items, &e->array) != 0)
        return NULL;
    return e;
}

parser_expr *ast_map(parser_state *st, const parser_loc *loc, parser_plist *kvs)
{
    parser_expr *e = new_expr(st, loc, PARSER_EXPR_MAP);
    if (!e)
        return NULL;
    size_t n = kvs->n / 2;
    e->map.n = n;
    if (n) {
        e->map.keys = ast_alloc(st, n * sizeof *e->map.keys);
        e->map.values = ast_alloc(st, n * sizeof *e->map.values);
        if (!e->map.keys || !e->map.values)
            return NULL;
        for (size_t i = 0; i < n; i++) {
            e->map.keys[i] = kvs->items[2 * i];
            e->map.values[i] = kvs->items[2 * i + 1];
        }
    }
    return e;
}

parser_named_expr *ast_named(parser_state *st, const parser_tok *name, parser_expr *value)
{
    parser_named_expr *f = ast_alloc(st, sizeof *f);
    if (f) {
        f->name = name->text;
        f->pos = name->pos;
        f->value = value;
    }
    return f;
}

parser_expr *ast_struct(parser_state *st, const parser_loc *loc, parser_plist *fields)
{
    parser_expr *e = new_expr(st, loc, PARSER_EXPR_STRUCT);
    if (!e)
        return NULL;
    e->struct_.fields = to_array(st, fields, sizeof(parser_named_expr), &e->struct_.n);
    return (e->struct_.n && !e->struct_.fields) ? NULL : e;
}

parser_expr *ast_call(parser_state *st, const parser_loc *loc, const parser_tok *name,
                      parser_plist *args, bool star)
{
    parser_expr *e = new_expr(st, loc, PARSER_EXPR_CALL);
    if (!e || to_expr_list(st, args, &e->call.args) != 0)
        return NULL;
    e->call.name = name->text;
    e->call.star = star;
    return e;
}

parser_expr *ast_lambda(parser_state *st, const parser_loc *loc, parser_plist *params,
                        parser_expr *body)
{
    if (!params)
        return NULL;
    parser_expr *e = new_expr(st, loc, PARSER_EXPR_LAMBDA);
    if (!e)
        return NULL;
    e->lambda.nparams = params->n;
    e->lambda.params = ast_alloc(st, params->n * sizeof *e->lambda.params);
    if (!e->lambda.params)
        return NULL;
    for (size_t i = 0; i < params->n; i++) {
        const parser_expr *p = params->items[i];
        if (p->kind != PARSER_EXPR_COLUMN || p->col.qualifier || p->parenthesized) {
            parser__error_at(st, p->pos, "Syntax Error\nLambda parameters must be identifiers");
            return NULL;
        }
        e->lambda.params[i] = p->col.name;
    }
    e->lambda.body = body;
    return e;
}

parser_expr *ast_unit(parser_state *st, const parser_loc *loc, parser_time_unit unit)
{
    parser_expr *e = new_expr(st, loc, PARSER_EXPR_UNIT);
    if (e)
        e->unit = unit;
    return e;
}

parser_expr *ast_paren(parser_state *st, const parser_loc *loc, parser_expr *e)
{
    (void)st;
    (void)loc;
    e->parenthesized = true;
    return e;
}

/* ---------------------------------------------------------------------------------------------
 * Types
 * ------------------------------------------------------------------------------------------- */

static parser_type *new_type(parser_state *st, const parser_loc *loc, parser_type_kind kind)
{
    parser_type *t = ast_alloc(st, sizeof *t);
    if (t) {
        t->kind = kind;
        t->pos = loc->begin;
        t->len = span_len(loc);
    }
    return t;
}

parser_type *ast_type_named(parser_state *st, const parser_loc *loc, const parser_tok *name,
                            parser_plist *params)
{
    parser_type *t = new_type(st, loc, PARSER_TYPE_NAMED);
    if (!t)
        return NULL;
    t->name = name->text;
    if (params && params->n) {
        t->nparams = params->n;
        t->params = ast_alloc(st, params->n * sizeof *t->params);
        if (!t->params)
            return NULL;
        memcpy(t->params, params->items, params->n * sizeof *t->params);
    }
    return t;
}

static int small_int(parser_state *st, const parser_tok *t, int *out)
{
    long v = 0;
    *out = 0;
    for (const char *p = t->text; *p; p++) {
        v = v * 10 + (*p - '0');
        if (v > INT32_MAX)
            return parser__prepare_error_at(st, t->pos, "Invalid numeric literal: %s", t->text);
    }
    *out = (int)v;
    return 0;
}

parser_type *ast_type_decimal(parser_state *st, const parser_loc *loc, const parser_tok *p,
                              const parser_tok *s)
{
    parser_type *t = new_type(st, loc, PARSER_TYPE_DECIMAL);
    if (!t || small_int(st, p, &t->precision) != 0 || small_int(st, s, &t->scale) != 0)
        return NULL;
    return t;
}

parser_type *ast_type_array(parser_state *st, const parser_loc *loc, parser_type *elem)
{
    parser_type *t = new_type(st, loc, PARSER_TYPE_ARRAY);
    if (t)
        t->elem = elem;
    return t;
}

parser_type *ast_type_map(parser_state *st, const parser_loc *loc, parser_type *k,
                          parser_type *v)
{
    parser_type *t = new_type(st, loc, PARSER_TYPE_MAP);
    if (t) {
        t->key = k;
        t->elem = v;
    }
    return t;
}

parser_type_field *ast_type_field(parser_state *st, const parser_tok *name, parser_type *type)
{
    parser_type_field *f = ast_alloc(st, sizeof *f);
    if (f) {
        f->name = name->text;
        f->type = type;
        f->pos = name->pos;
    }
    return f;
}

parser_type *ast_type_struct(parser_state *st, const parser_loc *loc, parser_plist *fields)
{
    parser_type *t = new_type(st, loc, PARSER_TYPE_STRUCT);
    if (!t)
        return NULL;
    t->fields = to_array(st, fields, sizeof(parser_type_field), &t->nfields);
    return (t->nfields && !t->fields) ? NULL : t;
}

/* ---------------------------------------------------------------------------------------------
 * Queries
 * ------------------------------------------------------------------------------------------- */

/* ksqlDB's ParserUtil.getSourceName(): source names must be valid Kafka Streams store names. */
static int check_source_name(parser_state *st, const parser_tok *t)
{
    for (const char *p = t->text; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-')) {
            int line, col;
            parser_linecol(st->text, st->len, t->pos, &line, &col);
            return parser__raw_error_at(st, t->pos,
                                        "Illegal argument at Line: %d, Col: %d. Source names may "
                                        "only contain alphanumeric values, '_' or '-'.",
                                        line, col);
        }
    }
    return 0;
}

parser_duration *ast_duration(parser_state *st, const parser_tok *n, parser_time_unit unit)
{
    parser_duration *d = ast_alloc(st, sizeof *d);
    if (!d)
        return NULL;
    uint64_t v = 0;
    for (const char *p = n->text; *p; p++) {
        v = v * 10 + (uint64_t)(*p - '0');
        if (v > INT64_MAX) {
            parser__prepare_error_at(st, n->pos, "Invalid numeric literal: %s", n->text);
            return NULL;
        }
    }
    d->value = (int64_t)v;
    d->unit = unit;
    d->pos = n->pos;
    return d;
}

parser_select_item *ast_select_expr(parser_state *st, const parser_loc *loc, parser_expr *e,
                                    const parser_tok *alias)
{
    parser_select_item *it = ast_alloc(st, sizeof *it);
    if (it) {
        it->kind = PARSER_SELECT_EXPR;
        it->pos = loc->begin;
        it->len = span_len(loc);
        it->expr = e;
        it->alias = alias ? alias->text : NULL;
    }
    return it;
}

parser_select_item *ast_select_all(parser_state *st, const parser_loc *loc,
                                   const parser_tok *qualifier)
{
    parser_select_item *it = ast_alloc(st, sizeof *it);
    if (it) {
        it->kind = PARSER_SELECT_ALL;
        it->pos = loc->begin;
        it->len = span_len(loc);
        it->qualifier = qualifier ? qualifier->text : NULL;
    }
    return it;
}

parser_select_item *ast_select_struct_all(parser_state *st, const parser_loc *loc,
                                          parser_expr *base)
{
    parser_select_item *it = ast_alloc(st, sizeof *it);
    if (it) {
        it->kind = PARSER_SELECT_STRUCT_ALL;
        it->pos = loc->begin;
        it->len = span_len(loc);
        it->expr = base;
    }
    return it;
}

parser_source_ref *ast_source_ref(parser_state *st, const parser_loc *loc,
                                  const parser_tok *name, const parser_tok *alias)
{
    if (check_source_name(st, name) != 0 || (alias && check_source_name(st, alias) != 0))
        return NULL;
    parser_source_ref *r = ast_alloc(st, sizeof *r);
    if (r) {
        r->name = name->text;
        r->alias = alias ? alias->text : NULL;
        r->pos = loc->begin;
        r->len = span_len(loc);
    }
    return r;
}

parser_join *ast_within(parser_state *st, parser_duration *before, parser_duration *after,
                        parser_duration *grace)
{
    parser_join *j = ast_alloc(st, sizeof *j);
    if (j) {
        j->has_within = true;
        j->before = *before;
        j->after = *after;
        if (grace) {
            j->has_grace = true;
            j->grace = *grace;
        }
    }
    return j;
}

parser_join *ast_join(parser_state *st, const parser_loc *loc, parser_join_type type,
                      parser_source_ref *src, parser_join *within, parser_expr *on)
{
    parser_join *j = within ? within : ast_alloc(st, sizeof *j);
    if (j) {
        j->type = type;
        j->pos = loc->begin;
        j->len = span_len(loc);
        j->source = *src;
        j->on = on;
    }
    return j;
}

parser_wopts *ast_wopts(parser_state *st, parser_duration *retention, parser_duration *grace)
{
    parser_wopts *o = ast_alloc(st, sizeof *o);
    if (!o)
        return NULL;
    if (retention) {
        o->has_retention = true;
        o->retention = *retention;
    }
    if (grace) {
        o->has_grace = true;
        o->grace = *grace;
    }
    return o;
}

parser_window *ast_window(parser_state *st, const parser_loc *loc, parser_window_kind kind,
                          parser_duration *size, parser_duration *advance, parser_wopts *o)
{
    parser_window *w = ast_alloc(st, sizeof *w);
    if (!w)
        return NULL;
    w->kind = kind;
    w->pos = loc->begin;
    w->len = span_len(loc);
    w->size = *size;
    if (advance)
        w->advance = *advance;
    w->has_retention = o->has_retention;
    w->retention = o->retention;
    w->has_grace = o->has_grace;
    w->grace = o->grace;
    return w;
}

parser_query *ast_query(parser_state *st, const parser_loc *loc, parser_plist *items,
                        parser_plist *from)
{
    parser_query *q = ast_alloc(st, sizeof *q);
    if (!q)
        return NULL;
    q->pos = loc->begin;
    q->len = span_len(loc);
    q->items = to_array(st, items, sizeof(parser_select_item), &q->nitems);
    if (!q->items)
        return NULL;
    /* 'from' holds the joins in order, then the leftmost source (see `relation`). */
    q->from = *(parser_source_ref *)from->items[from->n - 1];
    q->njoins = from->n - 1;
    if (q->njoins) {
        q->joins = ast_alloc(st, q->njoins * sizeof *q->joins);
        if (!q->joins)
            return NULL;
        for (size_t i = 0; i < q->njoins; i++)
            q->joins[i] = *(parser_join *)from->items[i];
    }
    return q;
}

parser_query *ast_query_clauses(parser_state *st, parser_query *q, parser_window *w,
                                parser_expr *where, parser_plist *group_by,
                                parser_plist *partition_by, parser_expr *having,
                                parser_emit emit, const parser_tok *limit)
{
    q->window = w;
    q->where = where;
    /* ksqlDB's GroupBy and PartitionBy nodes reject an empty list as they are built */
    if (group_by && group_by->n == 0) {
        parser__raw_error_at(st, q->pos, "GROUP BY requires at least one expression");
        return NULL;
    }
    if (partition_by && partition_by->n == 0) {
        parser__raw_error_at(st, q->pos, "PARTITION BY requires at least one expression");
        return NULL;
    }
    if (group_by) {
        q->has_group_by = true;
        if (to_expr_list(st, group_by, &q->group_by) != 0)
            return NULL;
    }
    if (partition_by) {
        q->has_partition_by = true;
        if (to_expr_list(st, partition_by, &q->partition_by) != 0)
            return NULL;
    }
    q->having = having;
    q->emit = emit;
    if (limit->text) {
        int v = 0;
        if (small_int(st, limit, &v) != 0)
            return NULL;
        q->has_limit = true;
        q->limit = v;
    }
    return q;
}

/* ---------------------------------------------------------------------------------------------
 * Statements
 * ------------------------------------------------------------------------------------------- */

parser_property *ast_property(parser_state *st, const parser_tok *name, bool quoted_name,
                              parser_expr *value)
{
    (void)quoted_name;              /* a 'quoted' name keeps its case, an identifier is upper */
    parser_property *p = ast_alloc(st, sizeof *p);
    if (p) {
        p->name = name->text;
        p->value = value;
        p->pos = name->pos;
    }
    return p;
}

static int to_props(parser_state *st, const parser_plist *l, parser_props *out)
{
    out->items = to_array(st, l, sizeof(parser_property), &out->n);
    return (out->n && !out->items) ? -1 : 0;
}

parser_column_def *ast_column_def(parser_state *st, const parser_loc *loc,
                                  const parser_tok *name, parser_type *t,
                                  parser_col_constraint c, const parser_tok *header_key)
{
    parser_column_def *d = ast_alloc(st, sizeof *d);
    if (!d)
        return NULL;
    d->name = name->text;
    d->type = t;
    d->constraint = c;
    d->pos = loc->begin;
    d->len = span_len(loc);
    if (header_key) {
        /* ksqlDB trims the key and treats an empty one as absent. */
        const char *s = header_key->text, *e = s + header_key->len;
        while (s < e && (unsigned char)*s <= ' ')
            s++;
        while (e > s && (unsigned char)e[-1] <= ' ')
            e--;
        if (e > s) {
            d->header_key = eddy_arena_strndup(st->arena, s, (size_t)(e - s));
            if (!d->header_key) {
                parser__oom(st);
                return NULL;
            }
        }
    }
    return d;
}

parser_stmt *ast_stmt(parser_state *st, parser_stmt_kind kind)
{
    parser_stmt *s = ast_alloc(st, sizeof *s);
    if (s)
        s->kind = kind;
    return s;
}

parser_stmt *ast_stmt_query(parser_state *st, parser_query *q)
{
    parser_stmt *s = ast_stmt(st, PARSER_STMT_QUERY);
    if (s)
        s->query = q;
    return s;
}

parser_stmt *ast_stmt_create(parser_state *st, parser_stmt_kind kind, int flags,
                             parser_source_kind source, const parser_tok *name,
                             parser_plist *cols, parser_plist *with, parser_query *q)
{
    if (check_source_name(st, name) != 0)
        return NULL;
    if (kind == PARSER_STMT_CREATE_AS && (flags & AST_SOURCE)) {
        /* CREATE SOURCE ... AS SELECT is not in the grammar: ANTLR fails at AS. */
        parser__error_at(st, q->pos, "Syntax Error\nCREATE SOURCE cannot be used with AS SELECT");
        return NULL;
    }
    parser_stmt *s = ast_stmt(st, kind);
    if (!s)
        return NULL;
    s->create.source = source;
    s->create.or_replace = flags & AST_OR_REPLACE;
    s->create.if_not_exists = flags & AST_IF_NOT_EXISTS;
    s->create.is_source = flags & AST_SOURCE;
    s->create.name = name->text;
    s->create.name_pos = name->pos;
    s->create.has_columns = cols != NULL;
    s->create.cols = to_array(st, cols, sizeof(parser_column_def), &s->create.ncols);
    if ((s->create.ncols && !s->create.cols) || to_props(st, with, &s->create.with) != 0)
        return NULL;
    s->create.query = q;
    return s;
}

parser_stmt *ast_stmt_insert(parser_state *st, const parser_tok *target, parser_plist *with,
                             parser_query *q)
{
    if (check_source_name(st, target) != 0)
        return NULL;
    parser_stmt *s = ast_stmt(st, PARSER_STMT_INSERT_INTO);
    if (!s || to_props(st, with, &s->insert.with) != 0)
        return NULL;
    s->insert.target = target->text;
    s->insert.target_pos = target->pos;
    s->insert.query = q;
    return s;
}

parser_stmt *ast_stmt_insert_values(parser_state *st, const parser_tok *target,
                                    parser_plist *cols, parser_plist *values)
{
    if (check_source_name(st, target) != 0)
        return NULL;
    parser_stmt *s = ast_stmt(st, PARSER_STMT_INSERT_VALUES);
    if (!s || to_expr_list(st, values, &s->insert.values) != 0)
        return NULL;
    s->insert.target = target->text;
    s->insert.target_pos = target->pos;
    if (cols && cols->n) {
        s->insert.ncols = cols->n;
        s->insert.cols = ast_alloc(st, cols->n * sizeof *s->insert.cols);
        if (!s->insert.cols)
            return NULL;
        for (size_t i = 0; i < cols->n; i++)
            s->insert.cols[i] = ((const parser_tok *)cols->items[i])->text;
    }
    return s;
}

parser_stmt *ast_stmt_drop(parser_state *st, parser_stmt_kind kind, parser_source_kind source,
                           bool if_exists, const parser_tok *name, bool delete_topic)
{
    if (kind == PARSER_STMT_DROP_SOURCE && check_source_name(st, name) != 0)
        return NULL;
    parser_stmt *s = ast_stmt(st, kind);
    if (s) {
        s->drop.source = source;
        s->drop.name = name->text;
        s->drop.if_exists = if_exists;
        s->drop.delete_topic = delete_topic;
    }
    return s;
}

parser_stmt *ast_stmt_create_type(parser_state *st, bool if_not_exists, const parser_tok *name,
                                  parser_type *t)
{
    parser_stmt *s = ast_stmt(st, PARSER_STMT_CREATE_TYPE);
    if (s) {
        s->type.name = name->text;
        s->type.if_not_exists = if_not_exists;
        s->type.type = t;
    }
    return s;
}

parser_stmt *ast_stmt_prop(parser_state *st, parser_stmt_kind kind, const parser_tok *name,
                           const parser_tok *value)
{
    parser_stmt *s = ast_stmt(st, kind);
    if (s) {
        /* Variable names keep their case (ksqlDB takes the token text as written). */
        bool variable = kind == PARSER_STMT_DEFINE || kind == PARSER_STMT_UNDEFINE;
        s->prop.name = variable ? name->cased : name->text;
        s->prop.value = value ? value->text : NULL;
    }
    return s;
}

parser_stmt *ast_stmt_list(parser_state *st, parser_list_kind what, bool extended, bool all)
{
    parser_stmt *s = ast_stmt(st, PARSER_STMT_LIST);
    if (s) {
        s->list.what = what;
        s->list.extended = extended;
        s->list.all = all;
    }
    return s;
}

parser_stmt *ast_stmt_describe(parser_state *st, const parser_tok *name, bool extended)
{
    /* As ksqlDB: an unquoted TABLES means DESCRIBE TABLES, not a source called TABLES. */
    if (!name->quoted && strcmp(name->text, "TABLES") == 0)
        return ast_stmt_describe_kind(st, PARSER_STMT_DESCRIBE_TABLES, NULL, extended);
    if (check_source_name(st, name) != 0)
        return NULL;
    return ast_stmt_describe_kind(st, PARSER_STMT_DESCRIBE, name, extended);
}

parser_stmt *ast_stmt_describe_kind(parser_state *st, parser_stmt_kind kind,
                                    const parser_tok *name, bool extended)
{
    parser_stmt *s = ast_stmt(st, kind);
    if (s) {
        /* DESCRIBE FUNCTION keeps the text as written; the registry matches any case. */
        s->describe.name = name ? (kind == PARSER_STMT_DESCRIBE_FUNCTION ? name->cased
                                                                         : name->text)
                                : NULL;
        s->describe.extended = extended;
    }
    return s;
}

static int stmt_span(parser_state *st, parser_stmt *s, const parser_loc *loc)
{
    s->pos = loc->begin;
    s->len = span_len(loc);
    s->text = eddy_arena_strndup(st->arena, st->text + loc->begin, s->len);
    return s->text ? 0 : parser__oom(st);
}

parser_stmt *ast_stmt_explain(parser_state *st, parser_stmt *inner, const parser_loc *inner_loc,
                              const parser_tok *id)
{
    parser_stmt *s = ast_stmt(st, PARSER_STMT_EXPLAIN);
    if (!s)
        return NULL;
    if (inner && stmt_span(st, inner, inner_loc) != 0)
        return NULL;
    s->explain.stmt = inner;
    s->explain.query_id = id ? id->text : NULL;
    return s;
}

parser_stmt *ast_stmt_terminate(parser_state *st, parser_stmt_kind kind, const parser_tok *id)
{
    parser_stmt *s = ast_stmt(st, kind);
    if (s)
        s->terminate.query_id = id ? id->text : NULL;
    return s;
}

parser_stmt *ast_stmt_print(parser_state *st, const parser_tok *topic, bool from_beginning,
                            const parser_tok *interval, const parser_tok *limit)
{
    parser_stmt *s = ast_stmt(st, PARSER_STMT_PRINT);
    if (!s)
        return NULL;
    s->print.topic = topic->text;
    s->print.from_beginning = from_beginning;
    if (interval->text) {
        s->print.has_interval = true;
        if (small_int(st, interval, &s->print.interval) != 0)
            return NULL;
    }
    if (limit->text) {
        s->print.has_limit = true;
        if (small_int(st, limit, &s->print.limit) != 0)
            return NULL;
    }
    return s;
}

parser_stmt *ast_stmt_assert_topic(parser_state *st, bool exists, const parser_tok *name,
                                   parser_plist *with, parser_duration *timeout)
{
    parser_stmt *s = ast_stmt(st, PARSER_STMT_ASSERT_TOPIC);
    if (!s || to_props(st, with, &s->assert_.with) != 0)
        return NULL;
    s->assert_.exists = exists;
    s->assert_.name = name->text;
    if (timeout) {
        s->assert_.has_timeout = true;
        s->assert_.timeout = *timeout;
    }
    return s;
}

parser_stmt *ast_stmt_assert_schema(parser_state *st, bool exists, const parser_tok *subject,
                                    parser_expr *id, parser_duration *timeout)
{
    parser_stmt *s = ast_stmt(st, PARSER_STMT_ASSERT_SCHEMA);
    if (!s)
        return NULL;
    s->assert_.exists = exists;
    s->assert_.name = subject ? subject->text : NULL;
    s->assert_.id = id;
    if (timeout) {
        s->assert_.has_timeout = true;
        s->assert_.timeout = *timeout;
    }
    return s;
}

int ast_stmt_done(parser_state *st, parser_stmt *s, const parser_loc *loc)
{
    /* A 9223372036854775808 that no minus sign claimed is out of range; a DOUBLE literal
     * beyond the double range overflows. */
    for (size_t i = 0; i < st->overflow.n; i++) {
        const parser_expr *e = st->overflow.items[i];
        if (e)
            return parser__prepare_error_at(st, e->pos, "%s: %.*s",
                                            e->kind == PARSER_EXPR_DOUBLE
                                                ? "Number overflows DOUBLE"
                                                : "Invalid numeric literal",
                                            (int)e->len, st->text + e->pos);
    }
    st->overflow.n = 0;
    if (stmt_span(st, s, loc) != 0)
        return -1;
    return ast_append(st, &st->stmts, s) ? 0 : -1;
}
