/*
 * functions/fn_json.c - JSON functions: EXTRACTJSONFIELD, JSON_ARRAY_CONTAINS,
 * JSON_ARRAY_LENGTH, JSON_CONCAT, JSON_ITEMS, JSON_KEYS, JSON_RECORDS, IS_JSON_STRING,
 * TO_JSON_STRING.
 *
 * Semantics from ksqlDB's io.confluent.ksql.function.udf.json classes (JsonExtractString,
 * JsonArrayContains, JsonArrayLength, JsonConcat, JsonItems, JsonKeys, JsonRecords,
 * IsJsonString, ToJsonString), util.json.JsonPathTokenizer and UdfJsonMapper (Jackson with
 * exact BigDecimals). A small DOM is parsed here rather than with jansson because Jackson's
 * exact-number mode echoes numbers as written ("1.50" stays "1.50"), which jansson's double
 * conversion would lose; objects keep their field order (LinkedHashMap) and a repeated key
 * replaces the earlier value in place. Output is Jackson's compact form: no spaces, strings
 * escaped as Jackson does (quote, backslash, control characters; other text raw UTF-8).
 * Empty or whitespace-only input is Jackson's MissingNode; text after the first value is
 * ignored (FAIL_ON_TRAILING_TOKENS is off).
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "functions_int.h"

#define NUL(i) (args[i].null)

/* ---------------------------------------------------------------------------------------------
 * DOM
 * ------------------------------------------------------------------------------------------- */

enum { J_MISSING, J_NULL, J_TRUE, J_FALSE, J_INT, J_FLOAT, J_STRING, J_ARRAY, J_OBJECT };

typedef struct jnode {
    int kind;
    const char *s;             /* STRING: unescaped text; INT/FLOAT: number text; key text */
    size_t n;
    struct jnode **items;      /* ARRAY elements / OBJECT values */
    const char **keys;         /* OBJECT keys (unescaped) */
    size_t *keylens;
    size_t count, cap;
} jnode;

typedef struct jparser {
    eddy_arena *a;
    const char *p, *end;
    int depth;
} jparser;

static void ws(jparser *j)
{
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
        j->p++;
}

static jnode *jnew(jparser *j, int kind)
{
    jnode *n = eddy_arena_calloc(j->a, sizeof *n);
    if (n)
        n->kind = kind;
    return n;
}

static int jpush(jparser *j, jnode *c, jnode *v, const char *k, size_t kn)
{
    if (c->count == c->cap) {
        size_t nc = c->cap ? c->cap * 2 : 4;
        jnode **ni = eddy_arena_alloc(j->a, sizeof *ni * nc);
        const char **nk = c->kind == J_OBJECT ? eddy_arena_alloc(j->a, sizeof *nk * nc) : NULL;
        size_t *nl = c->kind == J_OBJECT ? eddy_arena_alloc(j->a, sizeof *nl * nc) : NULL;
        if (!ni || (c->kind == J_OBJECT && (!nk || !nl)))
            return EDDY_ENOMEM;
        if (c->count) {
            memcpy(ni, c->items, sizeof *ni * c->count);
            if (nk) {
                memcpy(nk, c->keys, sizeof *nk * c->count);
                memcpy(nl, c->keylens, sizeof *nl * c->count);
            }
        }
        c->items = ni;
        c->keys = nk;
        c->keylens = nl;
        c->cap = nc;
    }
    if (c->kind == J_OBJECT) {
        for (size_t i = 0; i < c->count; i++)
            if (c->keylens[i] == kn && memcmp(c->keys[i], k, kn) == 0) {
                c->items[i] = v;
                return 0;
            }
        c->keys[c->count] = k;
        c->keylens[c->count] = kn;
    }
    c->items[c->count++] = v;
    return 0;
}

/* Parse a JSON string at j->p (after the quote) into arena text. */
static int jstring(jparser *j, const char **out, size_t *outn)
{
    eddy_buf b;
    eddy_buf_init(&b);
    while (j->p < j->end && *j->p != '"') {
        unsigned char c = (unsigned char)*j->p++;
        if (c < 0x20)
            goto bad;
        if (c != '\\') {
            if (eddy_buf_append(&b, &c, 1))
                goto oom;
            continue;
        }
        if (j->p >= j->end)
            goto bad;
        char e = *j->p++, o;
        switch (e) {
        case '"': o = '"'; break;
        case '\\': o = '\\'; break;
        case '/': o = '/'; break;
        case 'b': o = '\b'; break;
        case 'f': o = '\f'; break;
        case 'n': o = '\n'; break;
        case 'r': o = '\r'; break;
        case 't': o = '\t'; break;
        case 'u': {
            uint32_t cp = 0;
            for (int k = 0; k < 4; k++) {
                if (j->p >= j->end || !isxdigit((unsigned char)*j->p))
                    goto bad;
                char h = *j->p++;
                cp = cp * 16 + (uint32_t)(isdigit((unsigned char)h) ? h - '0'
                                                                    : (tolower(h) - 'a' + 10));
            }
            if (cp >= 0xD800 && cp < 0xDC00 && j->end - j->p >= 6 && j->p[0] == '\\' &&
                j->p[1] == 'u') {
                uint32_t lo = (uint32_t)strtoul((char[]){j->p[2], j->p[3], j->p[4], j->p[5], 0},
                                                NULL, 16);
                if (lo >= 0xDC00 && lo < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    j->p += 6;
                }
            }
            char t[4];
            int k = fn__utf8_put(cp, t);
            if (eddy_buf_append(&b, t, (size_t)k))
                goto oom;
            continue;
        }
        default:
            goto bad;
        }
        if (eddy_buf_append(&b, &o, 1))
            goto oom;
    }
    if (j->p >= j->end)
        goto bad;
    j->p++;
    *out = eddy_arena_memdup(j->a, b.data ? (const char *)b.data : "", b.len + 1);
    *outn = b.len;
    eddy_buf_free(&b);
    return *out ? 0 : EDDY_ENOMEM;
bad:
    eddy_buf_free(&b);
    return EDDY_EINVAL;
oom:
    eddy_buf_free(&b);
    return EDDY_ENOMEM;
}

static int jvalue(jparser *j, jnode **out)
{
    ws(j);
    if (j->p >= j->end)
        return EDDY_EINVAL;
    if (++j->depth > 1000)
        return EDDY_EINVAL;
    int rc = 0;
    char c = *j->p;
    jnode *n = NULL;
    if (c == '{' || c == '[') {
        j->p++;
        n = jnew(j, c == '{' ? J_OBJECT : J_ARRAY);
        if (!n)
            return EDDY_ENOMEM;
        ws(j);
        char close = c == '{' ? '}' : ']';
        if (j->p < j->end && *j->p == close) {
            j->p++;
        } else {
            for (;;) {
                const char *k = NULL;
                size_t kn = 0;
                ws(j);
                if (n->kind == J_OBJECT) {
                    if (j->p >= j->end || *j->p != '"')
                        return EDDY_EINVAL;
                    j->p++;
                    if ((rc = jstring(j, &k, &kn)))
                        return rc;
                    ws(j);
                    if (j->p >= j->end || *j->p != ':')
                        return EDDY_EINVAL;
                    j->p++;
                }
                jnode *v;
                if ((rc = jvalue(j, &v)) || (rc = jpush(j, n, v, k, kn)))
                    return rc;
                ws(j);
                if (j->p < j->end && *j->p == ',') {
                    j->p++;
                    continue;
                }
                if (j->p < j->end && *j->p == close) {
                    j->p++;
                    break;
                }
                return EDDY_EINVAL;
            }
        }
    } else if (c == '"') {
        j->p++;
        n = jnew(j, J_STRING);
        if (!n)
            return EDDY_ENOMEM;
        if ((rc = jstring(j, &n->s, &n->n)))
            return rc;
    } else if (c == '-' || isdigit((unsigned char)c)) {
        const char *st = j->p;
        bool flt = false;
        if (*j->p == '-')
            j->p++;
        if (j->p >= j->end || !isdigit((unsigned char)*j->p))
            return EDDY_EINVAL;
        if (*j->p == '0' && j->p + 1 < j->end && isdigit((unsigned char)j->p[1]))
            return EDDY_EINVAL;   /* leading zeroes */
        while (j->p < j->end && isdigit((unsigned char)*j->p))
            j->p++;
        if (j->p < j->end && *j->p == '.') {
            flt = true;
            j->p++;
            if (j->p >= j->end || !isdigit((unsigned char)*j->p))
                return EDDY_EINVAL;
            while (j->p < j->end && isdigit((unsigned char)*j->p))
                j->p++;
        }
        if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
            flt = true;
            j->p++;
            if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
                j->p++;
            if (j->p >= j->end || !isdigit((unsigned char)*j->p))
                return EDDY_EINVAL;
            while (j->p < j->end && isdigit((unsigned char)*j->p))
                j->p++;
        }
        n = jnew(j, flt ? J_FLOAT : J_INT);
        if (!n)
            return EDDY_ENOMEM;
        n->s = st;
        n->n = (size_t)(j->p - st);
        if (!flt && n->n == 2 && st[0] == '-' && st[1] == '0') {   /* IntNode(0) */
            n->s = "0";
            n->n = 1;
        }
    } else {
        static const struct {
            const char *w;
            int k;
        } lits[] = {{"true", J_TRUE}, {"false", J_FALSE}, {"null", J_NULL}};
        for (size_t i = 0; i < 3 && !n; i++) {
            size_t l = strlen(lits[i].w);
            if ((size_t)(j->end - j->p) >= l && memcmp(j->p, lits[i].w, l) == 0) {
                j->p += l;
                n = jnew(j, lits[i].k);
                if (!n)
                    return EDDY_ENOMEM;
            }
        }
        if (!n)
            return EDDY_EINVAL;
    }
    j->depth--;
    *out = n;
    return 0;
}

/* UdfJsonMapper.parseJson: EDDY_EINVAL "Invalid JSON format" for bad input, a J_MISSING node
 * for empty input. */
static int jparse(fn_ctx *ctx, const char *s, size_t n, jnode **out, eddy_err *err)
{
    jparser j = {ctx->arena, s, s + n, 0};
    ws(&j);
    if (j.p == j.end) {
        *out = jnew(&j, J_MISSING);
        return *out ? 0 : EDDY_ENOMEM;
    }
    int rc = jvalue(&j, out);
    if (rc == EDDY_EINVAL)
        return eddy_err_set(err, EDDY_EINVAL, "Invalid JSON format");
    return rc;
}

static int jescape(eddy_buf *b, const char *s, size_t n)
{
    int rc = eddy_buf_append(b, "\"", 1);
    for (size_t i = 0; i < n && rc == 0; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"')
            rc = eddy_buf_append(b, "\\\"", 2);
        else if (c == '\\')
            rc = eddy_buf_append(b, "\\\\", 2);
        else if (c == '\n')
            rc = eddy_buf_append(b, "\\n", 2);
        else if (c == '\r')
            rc = eddy_buf_append(b, "\\r", 2);
        else if (c == '\t')
            rc = eddy_buf_append(b, "\\t", 2);
        else if (c == '\b')
            rc = eddy_buf_append(b, "\\b", 2);
        else if (c == '\f')
            rc = eddy_buf_append(b, "\\f", 2);
        else if (c < 0x20)
            rc = eddy_buf_printf(b, "\\u%04X", c);
        else
            rc = eddy_buf_append(b, s + i, 1);
    }
    if (rc == 0)
        rc = eddy_buf_append(b, "\"", 1);
    return rc;
}

/* JsonNode.toString (compact). */
static int jwrite(eddy_buf *b, const jnode *n)
{
    int rc = 0;
    switch (n->kind) {
    case J_MISSING:
        return 0;
    case J_NULL:
        return eddy_buf_append(b, "null", 4);
    case J_TRUE:
        return eddy_buf_append(b, "true", 4);
    case J_FALSE:
        return eddy_buf_append(b, "false", 5);
    case J_INT:
    case J_FLOAT:
        return eddy_buf_append(b, n->s, n->n);
    case J_STRING:
        return jescape(b, n->s, n->n);
    default:
        rc = eddy_buf_append(b, n->kind == J_OBJECT ? "{" : "[", 1);
        for (size_t i = 0; i < n->count && rc == 0; i++) {
            if (i)
                rc = eddy_buf_append(b, ",", 1);
            if (rc == 0 && n->kind == J_OBJECT) {
                rc = jescape(b, n->keys[i], n->keylens[i]);
                if (rc == 0)
                    rc = eddy_buf_append(b, ":", 1);
            }
            if (rc == 0)
                rc = jwrite(b, n->items[i]);
        }
        if (rc == 0)
            rc = eddy_buf_append(b, n->kind == J_OBJECT ? "}" : "]", 1);
        return rc;
    }
}

static int jnode_text(fn_ctx *ctx, const jnode *n, bool raw_text, eddy_value *out)
{
    if (raw_text && n->kind == J_STRING)
        return fn__str(ctx, n->s, n->n, out);
    eddy_buf b;
    eddy_buf_init(&b);
    if (jwrite(&b, n)) {
        eddy_buf_free(&b);
        return EDDY_ENOMEM;
    }
    return fn__buf_str(ctx, &b, out);
}

/* ---------------------------------------------------------------------------------------------
 * EXTRACTJSONFIELD
 * ------------------------------------------------------------------------------------------- */

static int bad_path(eddy_err *err)
{
    return eddy_err_set(err, EDDY_EINVAL, "Invalid JSON path");
}

static bool path_char(unsigned char c, bool segment)
{
    return c == '_' || isalnum(c) || c >= 0x80 || (segment && (c == ':' || c == '@'));
}

static int extract_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                        eddy_value *out, eddy_err *err)
{
    (void)call, (void)nargs;
    jnode *cur;
    int rc = jparse(ctx, args[0].u.str, args[0].n, &cur, err);
    if (rc)
        return rc;
    const char *p = args[1].u.str, *end = p + args[1].n;
    if (p == end || *p != '$')
        return bad_path(err);
    p++;
    *out = eddy_value_null(EDDY_T_STRING);
    while (p < end) {
        char tok[512];
        size_t tn = 0;
        if (*p == '.') {
            p++;
            while (p < end && path_char((unsigned char)*p, true) && tn < sizeof tok)
                tok[tn++] = *p++;
            if (tn == 0)
                return bad_path(err);
        } else if (*p == '[') {
            p++;
            if (p < end && *p == '"') {
                p++;
                bool esc = false;
                while (p < end && (esc || *p != '"') && tn < sizeof tok) {
                    if (!esc && *p == '\\') {
                        esc = true;
                        p++;
                        continue;
                    }
                    esc = false;
                    tok[tn++] = *p++;
                }
                if (p >= end)
                    return bad_path(err);
                p++;
            } else {
                while (p < end && path_char((unsigned char)*p, false) && tn < sizeof tok)
                    tok[tn++] = *p++;
                if (tn == 0)
                    return bad_path(err);
            }
            if (p >= end || *p != ']')
                return bad_path(err);
            p++;
        } else {
            return bad_path(err);
        }
        jnode *next = NULL;
        if (cur->kind == J_ARRAY) {
            int32_t idx;
            if (eddy_i32_parse(tok, tn, &idx, NULL))
                return 0;
            if (idx >= 0 && (size_t)idx < cur->count)
                next = cur->items[idx];
        } else if (cur->kind == J_OBJECT) {
            for (size_t i = 0; i < cur->count; i++)
                if (cur->keylens[i] == tn && memcmp(cur->keys[i], tok, tn) == 0)
                    next = cur->items[i];
        }
        if (!next)
            return 0;
        cur = next;
    }
    if (cur->kind == J_MISSING)   /* MissingNode.toString() is "" */
        return fn__str(ctx, "", 0, out);
    return jnode_text(ctx, cur, true, out);
}

/* ---------------------------------------------------------------------------------------------
 * JSON_* functions
 * ------------------------------------------------------------------------------------------- */

static int array_length_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args,
                             int nargs, eddy_value *out, eddy_err *err)
{
    (void)call, (void)nargs;
    jnode *n;
    int rc = jparse(ctx, args[0].u.str, args[0].n, &n, err);
    if (rc)
        return rc;
    *out = n->kind == J_ARRAY ? eddy_value_int((int32_t)n->count) : eddy_value_null(EDDY_T_INT);
    return 0;
}

static int keys_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                     eddy_value *out, eddy_err *err)
{
    (void)call, (void)nargs;
    jnode *n;
    int rc = jparse(ctx, args[0].u.str, args[0].n, &n, err);
    if (rc)
        return rc;
    if (n->kind != J_OBJECT) {
        *out = eddy_value_null(EDDY_T_ARRAY);
        return 0;
    }
    if (fn__composite(ctx, EDDY_T_ARRAY, (uint32_t)n->count, out))
        return EDDY_ENOMEM;
    for (size_t i = 0; i < n->count; i++)
        out->u.items[i] = eddy_value_string(n->keys[i], n->keylens[i]);
    return 0;
}

static int records_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                        eddy_value *out, eddy_err *err)
{
    (void)call, (void)nargs;
    jnode *n;
    int rc = jparse(ctx, args[0].u.str, args[0].n, &n, err);
    if (rc)
        return rc;
    if (n->kind != J_OBJECT) {
        *out = eddy_value_null(EDDY_T_MAP);
        return 0;
    }
    if (fn__composite(ctx, EDDY_T_MAP, (uint32_t)n->count, out))
        return EDDY_ENOMEM;
    for (size_t i = 0; i < n->count; i++) {
        out->u.items[2 * i] = eddy_value_string(n->keys[i], n->keylens[i]);
        if ((rc = jnode_text(ctx, n->items[i], true, &out->u.items[2 * i + 1])))
            return rc;
    }
    return 0;
}

static int items_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                      eddy_value *out, eddy_err *err)
{
    (void)call, (void)nargs;
    jnode *n;
    int rc = jparse(ctx, args[0].u.str, args[0].n, &n, err);
    if (rc)
        return rc;
    if (n->kind != J_ARRAY)
        return eddy_err_set(err, EDDY_EINVAL, "Invalid JSON format: not a JSON array");
    if (fn__composite(ctx, EDDY_T_ARRAY, (uint32_t)n->count, out))
        return EDDY_ENOMEM;
    for (size_t i = 0; i < n->count; i++)
        if ((rc = jnode_text(ctx, n->items[i], false, &out->u.items[i])))
            return rc;
    return 0;
}

static int is_json_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                        eddy_value *out, eddy_err *err)
{
    (void)call, (void)nargs, (void)err;
    *out = eddy_value_bool(false);
    if (NUL(0))
        return 0;
    jnode *n;
    int rc = jparse(ctx, args[0].u.str, args[0].n, &n, NULL);
    if (rc == EDDY_ENOMEM)
        return rc;
    *out = eddy_value_bool(rc == 0 && n->kind != J_MISSING);
    return 0;
}

static int concat_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                       eddy_value *out, eddy_err *err)
{
    (void)call;
    *out = eddy_value_null(EDDY_T_STRING);
    if (nargs == 0)
        return 0;
    jnode **nodes = eddy_arena_alloc(ctx->arena, sizeof *nodes * (size_t)nargs);
    if (!nodes)
        return EDDY_ENOMEM;
    bool all_objects = true;
    for (int i = 0; i < nargs; i++) {
        if (NUL(i))
            return 0;
        int rc = jparse(ctx, args[i].u.str, args[i].n, &nodes[i], err);
        if (rc)
            return rc;
        if (nodes[i]->kind == J_MISSING)
            return 0;
        if (nodes[i]->kind != J_OBJECT)
            all_objects = false;
    }
    jparser j = {ctx->arena, NULL, NULL, 0};
    jnode *res = nodes[0];
    if (!all_objects && res->kind != J_ARRAY) {
        jnode *arr = jnew(&j, J_ARRAY);
        if (!arr || jpush(&j, arr, res, NULL, 0))
            return EDDY_ENOMEM;
        res = arr;
    }
    for (int i = 1; i < nargs; i++) {
        jnode *x = nodes[i];
        if (all_objects) {
            for (size_t k = 0; k < x->count; k++)
                if (jpush(&j, res, x->items[k], x->keys[k], x->keylens[k]))
                    return EDDY_ENOMEM;
        } else if (x->kind == J_ARRAY) {
            for (size_t k = 0; k < x->count; k++)
                if (jpush(&j, res, x->items[k], NULL, 0))
                    return EDDY_ENOMEM;
        } else if (jpush(&j, res, x, NULL, 0)) {
            return EDDY_ENOMEM;
        }
    }
    return jnode_text(ctx, res, false, out);
}

/* JsonArrayContains: a top-level element of the same JSON kind equal to 'val'. */
static int array_contains_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args,
                               int nargs, eddy_value *out, eddy_err *err)
{
    (void)nargs, (void)err;
    *out = eddy_value_bool(false);
    if (NUL(0))
        return 0;
    jnode *n;
    int rc = jparse(ctx, args[0].u.str, args[0].n, &n, NULL);
    if (rc == EDDY_ENOMEM)
        return rc;
    if (rc || n->kind != J_ARRAY)
        return 0;
    const eddy_value *v = &args[1];
    int vk = call->args[1]->type ? call->args[1]->type->kind : EDDY_T_NULL;
    for (size_t i = 0; i < n->count; i++) {
        const jnode *e = n->items[i];
        bool m = false;
        switch (e->kind) {
        case J_NULL:
            m = v->null;
            break;
        case J_TRUE:
        case J_FALSE:
            m = !v->null && vk == EDDY_T_BOOLEAN && v->u.b == (e->kind == J_TRUE);
            break;
        case J_INT:
            if (!v->null && (vk == EDDY_T_INT || vk == EDDY_T_BIGINT)) {
                int64_t x;
                if (eddy_i64_parse(e->s, e->n, &x, NULL) == 0)
                    m = x == (vk == EDDY_T_INT ? v->u.i32 : v->u.i64) &&
                        (vk == EDDY_T_BIGINT || (x >= INT32_MIN && x <= INT32_MAX));
            }
            break;
        case J_FLOAT:
            if (!v->null && vk == EDDY_T_DOUBLE) {
                double d;
                if (eddy_double_parse(e->s, e->n, &d, NULL) == 0)
                    m = d == v->u.f64;
            }
            break;
        case J_STRING:
            m = !v->null && vk == EDDY_T_STRING && v->n == e->n && memcmp(v->u.str, e->s, e->n) == 0;
            break;
        default:
            break;
        }
        if (m) {
            *out = eddy_value_bool(true);
            break;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * TO_JSON_STRING
 * ------------------------------------------------------------------------------------------- */

static int to_json(eddy_buf *b, const eddy_value *v, const eddy_type *t);

/* Fields/keys sorted by name (TreeMap<String, ...>): returns an index permutation. */
static int sorted_order(const eddy_value *keys, size_t stride, uint32_t n, const eddy_type *st,
                        uint32_t **order)
{
    uint32_t *o = eddy_malloc(sizeof *o * (n ? n : 1));
    if (!o)
        return EDDY_ENOMEM;
    for (uint32_t i = 0; i < n; i++)
        o[i] = i;
    for (uint32_t i = 1; i < n; i++) {
        uint32_t x = o[i], j = i;
        while (j > 0) {
            int c;
            if (st) {
                c = strcmp(st->fields[x].name, st->fields[o[j - 1]].name);
            } else {
                c = eddy_value_compare(&keys[x * stride], &keys[o[j - 1] * stride]);
            }
            if (c >= 0)
                break;
            o[j] = o[j - 1];
            j--;
        }
        o[j] = x;
    }
    *order = o;
    return 0;
}

static int to_json(eddy_buf *b, const eddy_value *v, const eddy_type *t)
{
    char buf[EDDY_DOUBLE_BUF > EDDY_TIME_BUF ? EDDY_DOUBLE_BUF : EDDY_TIME_BUF];
    int len, rc;
    if (v->null)
        return eddy_buf_append(b, "null", 4);
    switch (v->kind) {
    case EDDY_T_BOOLEAN:
        return v->u.b ? eddy_buf_append(b, "true", 4) : eddy_buf_append(b, "false", 5);
    case EDDY_T_INT:
        return eddy_buf_printf(b, "%d", v->u.i32);
    case EDDY_T_BIGINT:
        return eddy_buf_printf(b, "%lld", (long long)v->u.i64);
    case EDDY_T_DOUBLE:
        len = eddy_double_format(v->u.f64, buf);
        if (isnan(v->u.f64) || isinf(v->u.f64))   /* QUOTE_NON_NUMERIC_NUMBERS */
            return eddy_buf_printf(b, "\"%s\"", buf);
        return eddy_buf_append(b, buf, (size_t)len);
    case EDDY_T_DECIMAL: {
        eddy_decimal d = eddy_value_get_decimal(v);
        return eddy_decimal_format(&d, false, b);
    }
    case EDDY_T_STRING:
        return jescape(b, v->u.str, v->n);
    case EDDY_T_TIMESTAMP:
        len = eddy_timestamp_format(v->u.i64, buf);
        return jescape(b, buf, (size_t)len);
    case EDDY_T_DATE:
        len = eddy_date_format(v->u.i32, buf);
        return jescape(b, buf, (size_t)len);
    case EDDY_T_TIME:
        len = eddy_time_format(v->u.i32, buf);
        return jescape(b, buf, (size_t)len);
    case EDDY_T_BYTES: {
        static const char tb[] =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        const unsigned char *p = (const unsigned char *)v->u.str;
        rc = eddy_buf_append(b, "\"", 1);
        for (size_t i = 0; i < v->n && rc == 0; i += 3) {
            uint32_t x = (uint32_t)p[i] << 16 | (i + 1 < v->n ? (uint32_t)p[i + 1] << 8 : 0) |
                         (i + 2 < v->n ? p[i + 2] : 0);
            char o[4] = {tb[x >> 18 & 63], tb[x >> 12 & 63], i + 1 < v->n ? tb[x >> 6 & 63] : '=',
                         i + 2 < v->n ? tb[x & 63] : '='};
            rc = eddy_buf_append(b, o, 4);
        }
        return rc ? rc : eddy_buf_append(b, "\"", 1);
    }
    case EDDY_T_ARRAY:
        rc = eddy_buf_append(b, "[", 1);
        for (uint32_t i = 0; i < v->n && rc == 0; i++) {
            if (i)
                rc = eddy_buf_append(b, ",", 1);
            if (rc == 0)
                rc = to_json(b, &v->u.items[i], t ? t->elem : NULL);
        }
        return rc ? rc : eddy_buf_append(b, "]", 1);
    case EDDY_T_MAP:
    case EDDY_T_STRUCT: {
        bool map = v->kind == EDDY_T_MAP;
        if (!map && (!t || t->kind != EDDY_T_STRUCT || t->nfields != v->n))
            return EDDY_EINVAL;
        uint32_t *o;
        if ((rc = sorted_order(v->u.items, map ? 2 : 1, v->n, map ? NULL : t, &o)))
            return rc;
        rc = eddy_buf_append(b, "{", 1);
        for (uint32_t i = 0; i < v->n && rc == 0; i++) {
            uint32_t k = o[i];
            if (i)
                rc = eddy_buf_append(b, ",", 1);
            if (rc)
                break;
            if (map) {   /* key.toString() */
                const eddy_value *key = &v->u.items[2 * k];
                if (key->kind == EDDY_T_STRING && !key->null) {
                    rc = jescape(b, key->u.str, key->n);
                } else {
                    eddy_buf kb;
                    eddy_buf_init(&kb);
                    rc = eddy_value_format(key, t ? t->key : NULL, &kb);
                    if (rc == 0)
                        rc = jescape(b, (const char *)kb.data, kb.len);
                    eddy_buf_free(&kb);
                }
                if (rc == 0)
                    rc = eddy_buf_append(b, ":", 1);
                if (rc == 0)
                    rc = to_json(b, &v->u.items[2 * k + 1], t ? t->elem : NULL);
            } else {
                rc = jescape(b, t->fields[k].name, strlen(t->fields[k].name));
                if (rc == 0)
                    rc = eddy_buf_append(b, ":", 1);
                if (rc == 0)
                    rc = to_json(b, &v->u.items[k], t->fields[k].type);
            }
        }
        eddy_free(o);
        return rc ? rc : eddy_buf_append(b, "}", 1);
    }
    default:
        return eddy_buf_append(b, "null", 4);
    }
}

static int to_json_string_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args,
                               int nargs, eddy_value *out, eddy_err *err)
{
    (void)nargs;
    eddy_buf b;
    eddy_buf_init(&b);
    int rc = to_json(&b, &args[0], call->args[0]->type);
    if (rc) {
        eddy_buf_free(&b);
        if (rc == EDDY_ENOMEM)
            return rc;
        return eddy_err_set(err, EDDY_EINVAL, "JSON serialization error");
    }
    return fn__buf_str(ctx, &b, out);
}

static const fn_sig extract_sigs[] = {{"STRING input, STRING path", "STRING"}};
static const fn_sig str_int[] = {{"STRING jsonArray", "INTEGER"}};
static const fn_sig str_arr[] = {{"STRING jsonObj", "ARRAY<STRING>"}};
static const fn_sig str_map[] = {{"STRING jsonObj", "MAP<STRING, STRING>"}};
static const fn_sig str_bool[] = {{"STRING input", "BOOLEAN"}};
static const fn_sig concat_sigs[] = {{"STRING jsonStrings...", "STRING"}};
static const fn_sig contains_sigs[] = {{"STRING jsonArray, T val", "BOOLEAN"}};
static const fn_sig to_json_sigs[] = {{"T input", "STRING"}};

#define NN FN_F_NULL_IN_NULL_OUT
#define J FN_CAT_JSON

static const fn_scalar fns[] = {
    FN_SCALAR("EXTRACTJSONFIELD", "Given a STRING that contains JSON data, extract the value at "
                                  "the specified JSONPath or NULL if the specified path does "
                                  "not exist.", J, NN, extract_sigs, extract_eval),
    FN_SCALAR("IS_JSON_STRING", "Given a string, returns true if it can be parsed as a valid "
                                "JSON value, false otherwise.", J, 0, str_bool, is_json_eval),
    FN_SCALAR("JSON_ARRAY_CONTAINS", "Parses a JSON array and determines whether or not the "
                                     "supplied value is contained within the array.", J, 0,
              contains_sigs, array_contains_eval),
    FN_SCALAR("JSON_ARRAY_LENGTH", "Given a string, parses it as a JSON value and returns the "
                                   "length of the top-level array.", J, NN, str_int,
              array_length_eval),
    FN_SCALAR("JSON_CONCAT", "Given N strings, parse them as JSON values and return a string "
                             "representing their concatenation.", J, 0, concat_sigs,
              concat_eval),
    FN_SCALAR("JSON_ITEMS", "Given a string with JSON array, converts it to an array of JSON "
                            "strings.", J, NN, str_arr, items_eval),
    FN_SCALAR("JSON_KEYS", "Given a string, parses it as a JSON object and returns a ksqlDB "
                           "array of strings representing the top-level keys.", J, NN, str_arr,
              keys_eval),
    FN_SCALAR("JSON_RECORDS", "Given a string, parses it as a JSON object and returns a map "
                              "representing the top-level keys and values.", J, NN, str_map,
              records_eval),
    FN_SCALAR("TO_JSON_STRING", "Given any ksqlDB type returns the equivalent JSON string.", J,
              0, to_json_sigs, to_json_string_eval),
};

const fn__table fn__json_table = {fns, (int)EDDY_ARRAY_LEN(fns)};
