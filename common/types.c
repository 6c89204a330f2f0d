/*
 * types.c - SQL types: static primitive singletons, arena-built composite types, equality,
 * ksqlDB's text form (SqlType.toString) and a parser for it, and the typing rules the planner
 * needs: implicit casts (SqlBaseType.canImplicitlyCast, DecimalUtil.canImplicitlyCast),
 * coercion to a common type (DefaultSqlValueCoercer, CoercionUtil) and arithmetic result
 * types (Operator.resultType with SqlDecimal's precision and scale rules).
 *
 * Types are immutable once built, so they can be shared freely between threads and plans; a
 * composite type lives as long as the arena it was built in.
 */
#include "common_int.h"

#include <ctype.h>
#include <stdio.h>

static const eddy_type prims[EDDY_T_KIND_COUNT_] = {
    [EDDY_T_NULL] = {.kind = EDDY_T_NULL},
    [EDDY_T_BOOLEAN] = {.kind = EDDY_T_BOOLEAN},
    [EDDY_T_INT] = {.kind = EDDY_T_INT},
    [EDDY_T_BIGINT] = {.kind = EDDY_T_BIGINT},
    [EDDY_T_DOUBLE] = {.kind = EDDY_T_DOUBLE},
    [EDDY_T_STRING] = {.kind = EDDY_T_STRING},
    [EDDY_T_TIME] = {.kind = EDDY_T_TIME},
    [EDDY_T_DATE] = {.kind = EDDY_T_DATE},
    [EDDY_T_TIMESTAMP] = {.kind = EDDY_T_TIMESTAMP},
    [EDDY_T_BYTES] = {.kind = EDDY_T_BYTES},
};

/* DECIMAL types an INT or BIGINT widens to (SqlTypes.INT_UPCAST_TO_DECIMAL etc.). */
static const eddy_type int_as_decimal = {.kind = EDDY_T_DECIMAL, .precision = 10, .scale = 0};
static const eddy_type bigint_as_decimal = {.kind = EDDY_T_DECIMAL, .precision = 19, .scale = 0};

const eddy_type *eddy_type_prim(eddy_type_kind kind)
{
    switch (kind) {
    case EDDY_T_DECIMAL:
    case EDDY_T_ARRAY:
    case EDDY_T_MAP:
    case EDDY_T_STRUCT:
        return NULL;
    default:
        return (unsigned)kind < EDDY_T_KIND_COUNT_ ? &prims[kind] : NULL;
    }
}

const char *eddy_type_kind_name(eddy_type_kind kind)
{
    static const char *const names[EDDY_T_KIND_COUNT_] = {
        "NULL", "BOOLEAN", "INTEGER", "BIGINT", "DECIMAL", "DOUBLE", "STRING", "ARRAY",
        "MAP", "STRUCT", "TIME", "DATE", "TIMESTAMP", "BYTES",
    };
    return (unsigned)kind < EDDY_T_KIND_COUNT_ ? names[kind] : "UNKNOWN";
}

int eddy_type_decimal(eddy_arena *a, int precision, int scale, const eddy_type **out,
                      eddy_err *err)
{
    /* SqlDecimal.validateParameters, in its order and wording. */
    if (precision <= 0)
        return eddy_err_set(err, EDDY_ETYPE, "DECIMAL precision must be >= 1: DECIMAL(%d,%d)",
                            precision, scale);
    if (scale < 0)
        return eddy_err_set(err, EDDY_ETYPE, "DECIMAL scale must be >= 0: DECIMAL(%d,%d)",
                            precision, scale);
    if (precision < scale)
        return eddy_err_set(err, EDDY_ETYPE,
                            "DECIMAL precision must be >= scale: DECIMAL(%d,%d)", precision,
                            scale);
    if (precision > EDDY_DECIMAL_MAX_TYPE_PRECISION)
        return eddy_err_set(err, EDDY_ETYPE, "DECIMAL precision must be <= %d: DECIMAL(%d,%d)",
                            EDDY_DECIMAL_MAX_TYPE_PRECISION, precision, scale);
    eddy_type *t = eddy_arena_calloc(a, sizeof *t);
    if (!t)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    t->kind = EDDY_T_DECIMAL;
    t->precision = (uint16_t)precision;
    t->scale = (uint16_t)scale;
    *out = t;
    return 0;
}

const eddy_type *eddy_type_array(eddy_arena *a, const eddy_type *elem)
{
    eddy_type *t = eddy_arena_calloc(a, sizeof *t);
    if (t) {
        t->kind = EDDY_T_ARRAY;
        t->elem = elem;
    }
    return t;
}

const eddy_type *eddy_type_map(eddy_arena *a, const eddy_type *key, const eddy_type *val)
{
    eddy_type *t = eddy_arena_calloc(a, sizeof *t);
    if (t) {
        t->kind = EDDY_T_MAP;
        t->key = key;
        t->elem = val;
    }
    return t;
}

int eddy_type_struct(eddy_arena *a, const eddy_type_field *fields, uint32_t n,
                     const eddy_type **out, eddy_err *err)
{
    eddy_type *t = eddy_arena_calloc(a, sizeof *t);
    eddy_type_field *f = n ? eddy_arena_alloc(a, n * sizeof *f) : NULL;
    if (!t || (n && !f))
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < n; i++) {
        if (!fields[i].name || !fields[i].name[0])
            return eddy_err_set(err, EDDY_ETYPE, "STRUCT field name is empty");
        for (uint32_t j = 0; j < i; j++)
            if (strcmp(fields[i].name, fields[j].name) == 0)
                return eddy_err_set(err, EDDY_ETYPE, "Duplicate field names found in STRUCT: "
                                    "'%.100s'", fields[i].name);
        f[i].name = eddy_arena_strdup(a, fields[i].name);
        if (!f[i].name)
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        f[i].type = fields[i].type;
    }
    t->kind = EDDY_T_STRUCT;
    t->nfields = n;
    t->fields = f;
    *out = t;
    return 0;
}

bool eddy_type_equal(const eddy_type *a, const eddy_type *b)
{
    if (a == b)
        return true;
    if (!a || !b || a->kind != b->kind)
        return false;
    switch (a->kind) {
    case EDDY_T_DECIMAL:
        return a->precision == b->precision && a->scale == b->scale;
    case EDDY_T_ARRAY:
        return eddy_type_equal(a->elem, b->elem);
    case EDDY_T_MAP:
        return eddy_type_equal(a->key, b->key) && eddy_type_equal(a->elem, b->elem);
    case EDDY_T_STRUCT:
        if (a->nfields != b->nfields)
            return false;
        for (uint32_t i = 0; i < a->nfields; i++)
            if (strcmp(a->fields[i].name, b->fields[i].name) != 0 ||
                !eddy_type_equal(a->fields[i].type, b->fields[i].type))
                return false;
        return true;
    default:
        return true;
    }
}

const eddy_type_field *eddy_type_field_find(const eddy_type *t, const char *name, size_t len,
                                            uint32_t *index)
{
    if (!t || t->kind != EDDY_T_STRUCT)
        return NULL;
    for (uint32_t i = 0; i < t->nfields; i++) {
        const char *fn = t->fields[i].name;
        if (strncmp(fn, name, len) == 0 && fn[len] == '\0') {
            if (index)
                *index = i;
            return &t->fields[i];
        }
    }
    return NULL;
}

/* ------------------------------------------------------------------------------------------
 * Text form
 * ---------------------------------------------------------------------------------------- */

int eddy_type_format(const eddy_type *t, eddy_buf *out)
{
    int rc = 0;
    switch (t->kind) {
    case EDDY_T_DECIMAL:
        return eddy_buf_printf(out, "DECIMAL(%u, %u)", t->precision, t->scale);
    case EDDY_T_ARRAY:
        if ((rc = eddy_buf_append(out, "ARRAY<", 6)) || (rc = eddy_type_format(t->elem, out)))
            return rc;
        return eddy_buf_append(out, ">", 1);
    case EDDY_T_MAP:
        if ((rc = eddy_buf_append(out, "MAP<", 4)) || (rc = eddy_type_format(t->key, out)) ||
            (rc = eddy_buf_append(out, ", ", 2)) || (rc = eddy_type_format(t->elem, out)))
            return rc;
        return eddy_buf_append(out, ">", 1);
    case EDDY_T_STRUCT:
        /* SqlStruct.toString with FormatOptions.none(): every name back-quoted. */
        if (t->nfields == 0)
            return eddy_buf_append(out, "STRUCT< >", 9);
        if ((rc = eddy_buf_append(out, "STRUCT<", 7)))
            return rc;
        for (uint32_t i = 0; i < t->nfields; i++) {
            if ((i && (rc = eddy_buf_append(out, ", ", 2))) ||
                (rc = eddy_buf_printf(out, "`%s` ", t->fields[i].name)) ||
                (rc = eddy_type_format(t->fields[i].type, out)))
                return rc;
        }
        return eddy_buf_append(out, ">", 1);
    default: {
        const char *n = eddy_type_kind_name(t->kind);
        return eddy_buf_append(out, n, strlen(n));
    }
    }
}

typedef struct tparser {
    const char *start, *s, *end;
    eddy_arena *a;
    eddy_err *err;
} tparser;

static void skip_ws(tparser *p)
{
    while (p->s < p->end && isspace((unsigned char)*p->s))
        p->s++;
}

static int expect_char(tparser *p, char c)
{
    skip_ws(p);
    if (p->s >= p->end || *p->s != c)
        return eddy_err_set(p->err, EDDY_EPARSE, "Failed to parse type: expected '%c' at offset "
                            "%d", c, (int)(p->s - p->start));
    p->s++;
    return 0;
}

/* Reads a bare word [A-Za-z_][A-Za-z0-9_]* into 'buf' upper-cased. */
static size_t read_word(tparser *p, char *buf, size_t cap)
{
    skip_ws(p);
    size_t n = 0;
    while (p->s < p->end && (isalnum((unsigned char)*p->s) || *p->s == '_')) {
        if (n + 1 < cap)
            buf[n++] = (char)toupper((unsigned char)*p->s);
        p->s++;
    }
    buf[n] = '\0';
    return n;
}

static int read_int(tparser *p, int *out)
{
    skip_ws(p);
    long v = 0;
    const char *start = p->s;
    while (p->s < p->end && isdigit((unsigned char)*p->s) && v < 100000)
        v = v * 10 + (*p->s++ - '0');
    if (p->s == start)
        return eddy_err_set(p->err, EDDY_EPARSE, "Failed to parse type: expected a number");
    *out = (int)v;
    return 0;
}

static int parse_type(tparser *p, const eddy_type **out, int depth);

static int parse_struct(tparser *p, const eddy_type **out, int depth)
{
    eddy_type_field fields[256];
    uint32_t n = 0;
    int rc;
    if ((rc = expect_char(p, '<')))
        return rc;
    skip_ws(p);
    if (p->s < p->end && *p->s == '>') {
        p->s++;
        return eddy_type_struct(p->a, NULL, 0, out, p->err);
    }
    for (;;) {
        char name[256];
        size_t nl = 0;
        skip_ws(p);
        if (p->s < p->end && *p->s == '`') {
            p->s++;
            for (;;) {
                if (p->s >= p->end)
                    return eddy_err_set(p->err, EDDY_EPARSE,
                                        "Failed to parse type: unterminated `identifier`");
                if (*p->s == '`') {
                    if (p->s + 1 < p->end && p->s[1] == '`') {
                        p->s++;
                    } else {
                        p->s++;
                        break;
                    }
                }
                if (nl + 1 < sizeof name)
                    name[nl++] = *p->s;
                p->s++;
            }
            name[nl] = '\0';
        } else {
            nl = read_word(p, name, sizeof name);
        }
        if (nl == 0)
            return eddy_err_set(p->err, EDDY_EPARSE, "Failed to parse type: expected a field name");
        if (n == EDDY_ARRAY_LEN(fields))
            return eddy_err_set(p->err, EDDY_EPARSE, "Failed to parse type: too many fields");
        fields[n].name = eddy_arena_strdup(p->a, name);
        if (!fields[n].name)
            return eddy_err_set(p->err, EDDY_ENOMEM, "out of memory");
        if ((rc = parse_type(p, &fields[n].type, depth + 1)))
            return rc;
        n++;
        skip_ws(p);
        if (p->s < p->end && *p->s == ',') {
            p->s++;
            continue;
        }
        if ((rc = expect_char(p, '>')))
            return rc;
        return eddy_type_struct(p->a, fields, n, out, p->err);
    }
}

static int parse_type(tparser *p, const eddy_type **out, int depth)
{
    static const struct { const char *word; eddy_type_kind kind; } simple[] = {
        {"BOOLEAN", EDDY_T_BOOLEAN}, {"INT", EDDY_T_INT}, {"INTEGER", EDDY_T_INT},
        {"BIGINT", EDDY_T_BIGINT}, {"DOUBLE", EDDY_T_DOUBLE}, {"STRING", EDDY_T_STRING},
        {"VARCHAR", EDDY_T_STRING}, {"BYTES", EDDY_T_BYTES}, {"TIMESTAMP", EDDY_T_TIMESTAMP},
        {"DATE", EDDY_T_DATE}, {"TIME", EDDY_T_TIME}, {"NULL", EDDY_T_NULL},
    };
    char w[32];
    int rc;
    if (depth > 64)
        return eddy_err_set(p->err, EDDY_EPARSE, "Failed to parse type: nested too deeply");
    if (read_word(p, w, sizeof w) == 0)
        return eddy_err_set(p->err, EDDY_EPARSE, "Failed to parse type: expected a type name");
    for (size_t i = 0; i < EDDY_ARRAY_LEN(simple); i++)
        if (strcmp(w, simple[i].word) == 0) {
            *out = eddy_type_prim(simple[i].kind);
            return 0;
        }
    if (strcmp(w, "DECIMAL") == 0) {
        int prec, scale;
        if ((rc = expect_char(p, '(')) || (rc = read_int(p, &prec)) ||
            (rc = expect_char(p, ',')) || (rc = read_int(p, &scale)) ||
            (rc = expect_char(p, ')')))
            return rc;
        return eddy_type_decimal(p->a, prec, scale, out, p->err);
    }
    if (strcmp(w, "ARRAY") == 0) {
        const eddy_type *e;
        if ((rc = expect_char(p, '<')) || (rc = parse_type(p, &e, depth + 1)) ||
            (rc = expect_char(p, '>')))
            return rc;
        if (!(*out = eddy_type_array(p->a, e)))
            return eddy_err_set(p->err, EDDY_ENOMEM, "out of memory");
        return 0;
    }
    if (strcmp(w, "MAP") == 0) {
        const eddy_type *k, *v;
        if ((rc = expect_char(p, '<')) || (rc = parse_type(p, &k, depth + 1)) ||
            (rc = expect_char(p, ',')) || (rc = parse_type(p, &v, depth + 1)) ||
            (rc = expect_char(p, '>')))
            return rc;
        if (!(*out = eddy_type_map(p->a, k, v)))
            return eddy_err_set(p->err, EDDY_ENOMEM, "out of memory");
        return 0;
    }
    if (strcmp(w, "STRUCT") == 0)
        return parse_struct(p, out, depth);
    return eddy_err_set(p->err, EDDY_EPARSE, "Cannot resolve unknown type: %s", w);
}

int eddy_type_parse(eddy_arena *a, const char *text, size_t len, const eddy_type **out,
                    eddy_err *err)
{
    tparser p = {text, text, text + len, a, err};
    const eddy_type *t;
    int rc = parse_type(&p, &t, 0);
    if (rc)
        return rc;
    skip_ws(&p);
    if (p.s != p.end)
        return eddy_err_set(err, EDDY_EPARSE, "Failed to parse type: unexpected text after the "
                            "type at offset %d", (int)(p.s - text));
    *out = t;
    return 0;
}

/* ------------------------------------------------------------------------------------------
 * Typing rules
 * ---------------------------------------------------------------------------------------- */

static const eddy_type *as_decimal(const eddy_type *t)
{
    switch (t->kind) {
    case EDDY_T_INT: return &int_as_decimal;
    case EDDY_T_BIGINT: return &bigint_as_decimal;
    default: return t;
    }
}

bool eddy_type_can_implicitly_cast(const eddy_type *from, const eddy_type *to)
{
    if (!from || !to)
        return false;
    if (from->kind == EDDY_T_DECIMAL && to->kind == EDDY_T_DECIMAL)
        return from->scale <= to->scale &&
               from->precision - from->scale <= to->precision - to->scale;
    if (from->kind == to->kind) {
        switch (from->kind) {
        case EDDY_T_ARRAY: return eddy_type_can_implicitly_cast(from->elem, to->elem);
        case EDDY_T_MAP:
            return eddy_type_can_implicitly_cast(from->key, to->key) &&
                   eddy_type_can_implicitly_cast(from->elem, to->elem);
        case EDDY_T_STRUCT: return eddy_type_equal(from, to);
        default: return true;
        }
    }
    if (eddy_type_is_numeric(from) && eddy_type_is_numeric(to))
        return from->kind <= to->kind;
    if (from->kind == EDDY_T_STRING && (eddy_type_is_time(to) || to->kind == EDDY_T_BYTES))
        return true;
    return false;
}

static int decimal_widen(eddy_arena *a, const eddy_type *x, const eddy_type *y,
                         const eddy_type **out, eddy_err *err)
{
    const eddy_type *l = as_decimal(x), *r = as_decimal(y);
    int whole = EDDY_MAX(l->precision - l->scale, r->precision - r->scale);
    int scale = EDDY_MAX(l->scale, r->scale);
    return eddy_type_decimal(a, whole + scale, scale, out, err);
}

int eddy_type_coerce(eddy_arena *a, const eddy_type *from, const eddy_type *to, bool lax,
                     const eddy_type **out, eddy_err *err)
{
    int f = from->kind, t = to->kind, rc;
    *out = NULL;
    if (f == EDDY_T_NULL) {
        *out = to;
        return 0;
    }
    switch (f) {
    case EDDY_T_INT:
    case EDDY_T_BIGINT:
    case EDDY_T_DECIMAL:
        if (t == EDDY_T_DECIMAL && f <= t)
            return decimal_widen(a, from, to, out, err);
        if ((t == EDDY_T_BIGINT || t == EDDY_T_INT || t == EDDY_T_DOUBLE) && f <= t)
            *out = to;
        else if (lax && t == EDDY_T_STRING)
            *out = to;
        return 0;
    case EDDY_T_DOUBLE:
    case EDDY_T_BOOLEAN:
        if (t == f || (lax && t == EDDY_T_STRING))
            *out = to;
        return 0;
    case EDDY_T_STRING:
        if (t == EDDY_T_STRING || eddy_type_is_time(to) || t == EDDY_T_BYTES ||
            (lax && (t == EDDY_T_BOOLEAN || eddy_type_is_numeric(to))))
            *out = to;
        return 0;
    case EDDY_T_TIMESTAMP:
    case EDDY_T_TIME:
    case EDDY_T_DATE:
        if (t == f || (lax && t == EDDY_T_STRING))
            *out = to;
        return 0;
    case EDDY_T_BYTES:
        if (t == f)
            *out = to;
        return 0;
    case EDDY_T_ARRAY: {
        const eddy_type *e;
        if (t != f)
            return 0;
        if ((rc = eddy_type_coerce(a, from->elem, to->elem, lax, &e, err)) || !e)
            return rc;
        if (!(*out = eddy_type_array(a, e)))
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        return 0;
    }
    case EDDY_T_MAP: {
        const eddy_type *k, *v;
        if (t != f)
            return 0;
        if ((rc = eddy_type_coerce(a, from->key, to->key, lax, &k, err)) || !k)
            return rc;
        if ((rc = eddy_type_coerce(a, from->elem, to->elem, lax, &v, err)) || !v)
            return rc;
        if (!(*out = eddy_type_map(a, k, v)))
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        return 0;
    }
    case EDDY_T_STRUCT: {
        if (t != f)
            return 0;
        /* The union of the fields: 'from' fields in order, then those only in 'to'. */
        uint32_t n = 0, cap = from->nfields + to->nfields;
        eddy_type_field *fs = eddy_arena_alloc(a, (cap ? cap : 1) * sizeof *fs);
        if (!fs)
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        for (uint32_t i = 0; i < from->nfields; i++) {
            const eddy_type_field *ff = &from->fields[i];
            const eddy_type_field *tf = eddy_type_field_find(to, ff->name, strlen(ff->name),
                                                             NULL);
            fs[n].name = ff->name;
            fs[n].type = ff->type;
            if (tf) {
                if ((rc = eddy_type_coerce(a, ff->type, tf->type, lax, &fs[n].type, err)) ||
                    !fs[n].type)
                    return rc;
            }
            n++;
        }
        for (uint32_t i = 0; i < to->nfields; i++) {
            const eddy_type_field *tf = &to->fields[i];
            if (!eddy_type_field_find(from, tf->name, strlen(tf->name), NULL))
                fs[n++] = *tf;
        }
        return eddy_type_struct(a, fs, n, out, err);
    }
    default:
        return 0;
    }
}

int eddy_type_common(eddy_arena *a, const eddy_type *x, const eddy_type *y,
                     const eddy_type **out, eddy_err *err)
{
    int rc;
    if (!x || x->kind == EDDY_T_NULL) {
        *out = y;
        return 0;
    }
    if (!y || y->kind == EDDY_T_NULL) {
        *out = x;
        return 0;
    }
    if ((rc = eddy_type_coerce(a, x, y, false, out, err)) || *out)
        return rc;
    if ((rc = eddy_type_coerce(a, y, x, false, out, err)) || *out)
        return rc;
    eddy_buf bx, by;
    eddy_buf_init(&bx);
    eddy_buf_init(&by);
    eddy_type_format(x, &bx);
    eddy_type_format(y, &by);
    const char *sx = eddy_buf_cstr(&bx), *sy = eddy_buf_cstr(&by);
    rc = eddy_err_set(err, EDDY_ETYPE, "operator does not exist: %.100s = %.100s",
                      sx ? sx : "?", sy ? sy : "?");
    eddy_buf_free(&bx);
    eddy_buf_free(&by);
    return rc;
}

/* SqlDecimal.add/subtract/multiply/divide/modulus. */
static int decimal_arith_type(eddy_arena *a, char op, const eddy_type *l, const eddy_type *r,
                              const eddy_type **out, eddy_err *err)
{
    int p1 = l->precision, s1 = l->scale, p2 = r->precision, s2 = r->scale, p, s;
    switch (op) {
    case '+':
    case '-':
        p = EDDY_MAX(s1, s2) + EDDY_MAX(p1 - s1, p2 - s2) + 1;
        s = EDDY_MAX(s1, s2);
        break;
    case '*':
        p = p1 + p2 + 1;
        s = s1 + s2;
        break;
    case '/':
        p = p1 - s1 + s2 + EDDY_MAX(6, s1 + p2 + 1);
        s = EDDY_MAX(6, s1 + p2 + 1);
        break;
    case '%':
        p = EDDY_MIN(p1 - s1, p2 - s2) + EDDY_MAX(s1, s2);
        s = EDDY_MAX(s1, s2);
        break;
    default:
        return eddy_err_set(err, EDDY_EINVAL, "unknown arithmetic operator '%c'", op);
    }
    return eddy_type_decimal(a, p, s, out, err);
}

int eddy_type_arith(eddy_arena *a, char op, const eddy_type *l, const eddy_type *r,
                    const eddy_type **out, eddy_err *err)
{
    if (!l || !r || l->kind == EDDY_T_NULL || r->kind == EDDY_T_NULL)
        return eddy_err_set(err, EDDY_ETYPE, "Arithmetic on types %s and %s are not supported.",
                            l && l->kind != EDDY_T_NULL ? eddy_type_kind_name(l->kind) : "null",
                            r && r->kind != EDDY_T_NULL ? eddy_type_kind_name(r->kind) : "null");
    if (op == '+' && l->kind == EDDY_T_STRING && r->kind == EDDY_T_STRING) {
        *out = EDDY_TYPE_STRING;
        return 0;
    }
    if (eddy_type_is_numeric(l) && eddy_type_is_numeric(r)) {
        const eddy_type *wide = l->kind <= r->kind ? r : l;
        if (wide->kind != EDDY_T_DECIMAL) {
            *out = wide;
            return 0;
        }
        return decimal_arith_type(a, op, as_decimal(l), as_decimal(r), out, err);
    }
    return eddy_err_set(err, EDDY_ETYPE, "Unsupported arithmetic types. %s %s",
                        eddy_type_kind_name(l->kind), eddy_type_kind_name(r->kind));
}
