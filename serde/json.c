/*
 * serde/json.c - the exact-number JSON document model: parse (RFC 8259, strict), write, look
 * up members.
 *
 * Why hand-written: jansson (a Debian library used elsewhere) turns every fractional number
 * into a double, but ksqlDB compares decimals with their scale ("1.50" is not "1.5"), and its
 * JSON reader (Jackson with USE_BIG_DECIMAL_FOR_FLOATS and exact BigDecimals, see
 * KsqlJsonDeserializer) keeps every digit. So a number keeps its text here.
 *
 * Parsing: recursive descent over the bytes, one pass. Every node, string and member array
 * lives in the caller's arena (no malloc per node); a container's children are collected on a
 * scratch stack (one heap buffer per parse, grown by doubling) and copied into the arena in
 * one piece when the container closes, so items are contiguous. Strings are validated as
 * UTF-8; \u escapes (surrogate pairs joined) become UTF-8; a lone surrogate is an error.
 * Rules (RFC 8259): no leading zeros, no trailing commas, no comments, no control characters
 * inside strings, literals in lower case, nesting at most SERDE__JSON_MAX_DEPTH (Jackson's
 * default limit). Errors name the byte offset of the problem and never quote the input.
 *
 * Duplicate member names are kept in document order; lookups return the last one, as
 * Jackson's ObjectNode keeps the last value.
 */
#include <stdlib.h>

#include "serde_int.h"

typedef struct jmember {
    serde_json node;
    const char *key;
    uint32_t klen;
} jmember;

typedef struct jparser {
    const char *base, *p, *end;
    unsigned flags;
    eddy_arena *a;
    eddy_err *err;
    int depth;
    jmember *stack;        /* scratch: children of open containers */
    size_t sp, cap;
    eddy_buf sbuf;         /* scratch: strings with escapes */
} jparser;

static int jerr(jparser *ps, const char *at, const char *what)
{
    return eddy_err_set(ps->err, EDDY_EINVAL, "Invalid JSON at byte %zu: %s",
                        (size_t)(at - ps->base), what);
}

static int oom(jparser *ps)
{
    return eddy_err_set(ps->err, EDDY_ENOMEM, "out of memory parsing JSON");
}

static inline void skip_ws(jparser *ps)
{
    const char *p = ps->p, *end = ps->end;
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    ps->p = p;
}

static int push(jparser *ps, const serde_json *node, const char *key, uint32_t klen)
{
    if (ps->sp == ps->cap) {
        size_t ncap = ps->cap ? ps->cap * 2 : 64;
        jmember *ns = eddy_realloc(ps->stack, ncap * sizeof *ns);
        if (!ns)
            return oom(ps);
        ps->stack = ns;
        ps->cap = ncap;
    }
    jmember *m = &ps->stack[ps->sp++];
    m->node = *node;
    m->key = key;
    m->klen = klen;
    return 0;
}

static inline int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int read_hex4(jparser *ps, const char *p, uint32_t *out)
{
    if (ps->end - p < 4)
        return jerr(ps, p, "truncated \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval((unsigned char)p[i]);
        if (h < 0)
            return jerr(ps, p + i, "bad hex digit in \\u escape");
        v = v << 4 | (uint32_t)h;
    }
    *out = v;
    return 0;
}

static size_t put_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xc0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xe0 | cp >> 12);
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        o[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    o[0] = (char)(0xf0 | cp >> 18);
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    o[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* Length of a valid UTF-8 sequence (2..4 bytes) starting at 'p' (first byte >= 0x80), or 0. */
static size_t utf8_seq(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0];
    size_t n;
    uint32_t cp, min;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2; cp = c & 0x1f; min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3; cp = c & 0x0f; min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4; cp = c & 0x07; min = 0x10000;
    } else {
        return 0;
    }
    if ((size_t)(end - p) < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (p[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

/* Parse the string whose opening quote is at ps->p. '*s' gets the decoded bytes: borrowed from
 * the input when allowed and nothing needed decoding, else NUL-terminated in the arena. */
static int parse_string(jparser *ps, const char **s, uint32_t *len)
{
    const char *start = ps->p + 1, *p = start, *end = ps->end;
    /* Fast path: plain ASCII and valid UTF-8 up to the closing quote. */
    for (;;) {
        while (p < end && (unsigned char)*p >= 0x20 && *p != '"' && *p != '\\' &&
               (unsigned char)*p < 0x80)
            p++;
        if (p >= end)
            return jerr(ps, ps->p, "unterminated string");
        unsigned char c = (unsigned char)*p;
        if (c >= 0x80) {
            size_t n = utf8_seq((const unsigned char *)p, (const unsigned char *)end);
            if (!n)
                return jerr(ps, p, "invalid UTF-8 in string");
            p += n;
            continue;
        }
        break;
    }
    if (*p == '"') {
        size_t n = (size_t)(p - start);
        if (n > UINT32_MAX)
            return jerr(ps, start, "string too long");
        if (ps->flags & SERDE__JSON_BORROW) {
            *s = start;
        } else {
            char *c = eddy_arena_strndup(ps->a, start, n);
            if (!c)
                return oom(ps);
            *s = c;
        }
        *len = (uint32_t)n;
        ps->p = p + 1;
        return 0;
    }
    if ((unsigned char)*p < 0x20)
        return jerr(ps, p, "control character in string");

    /* Slow path: escapes. Decode into the scratch buffer, then copy into the arena. */
    eddy_buf *b = &ps->sbuf;
    b->len = 0;
    if (eddy_buf_append(b, start, (size_t)(p - start)) != 0)
        return oom(ps);
    while (p < end) {
        unsigned char c = (unsigned char)*p;
        if (c == '"')
            break;
        if (c < 0x20)
            return jerr(ps, p, "control character in string");
        if (c == '\\') {
            if (p + 1 >= end)
                return jerr(ps, p, "unterminated string");
            char e = p[1], o[4];
            size_t on = 1;
            switch (e) {
            case '"': o[0] = '"'; break;
            case '\\': o[0] = '\\'; break;
            case '/': o[0] = '/'; break;
            case 'b': o[0] = '\b'; break;
            case 'f': o[0] = '\f'; break;
            case 'n': o[0] = '\n'; break;
            case 'r': o[0] = '\r'; break;
            case 't': o[0] = '\t'; break;
            case 'u': {
                uint32_t cp;
                if (read_hex4(ps, p + 2, &cp) != 0)
                    return EDDY_EINVAL;
                const char *esc = p;
                p += 6;
                if (cp >= 0xd800 && cp <= 0xdbff) {
                    uint32_t lo;
                    if (end - p < 6 || p[0] != '\\' || p[1] != 'u')
                        return jerr(ps, esc, "unpaired surrogate in \\u escape");
                    if (read_hex4(ps, p + 2, &lo) != 0)
                        return EDDY_EINVAL;
                    if (lo < 0xdc00 || lo > 0xdfff)
                        return jerr(ps, esc, "unpaired surrogate in \\u escape");
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                    p += 6;
                } else if (cp >= 0xdc00 && cp <= 0xdfff) {
                    return jerr(ps, esc, "unpaired surrogate in \\u escape");
                }
                on = put_utf8(o, cp);
                if (eddy_buf_append(b, o, on) != 0)
                    return oom(ps);
                continue;
            }
            default:
                return jerr(ps, p, "invalid escape in string");
            }
            if (eddy_buf_append(b, o, on) != 0)
                return oom(ps);
            p += 2;
            continue;
        }
        const char *run = p;
        if (c >= 0x80) {
            size_t n = utf8_seq((const unsigned char *)p, (const unsigned char *)end);
            if (!n)
                return jerr(ps, p, "invalid UTF-8 in string");
            p += n;
        } else {
            while (p < end && (unsigned char)*p >= 0x20 && *p != '"' && *p != '\\' &&
                   (unsigned char)*p < 0x80)
                p++;
        }
        if (eddy_buf_append(b, run, (size_t)(p - run)) != 0)
            return oom(ps);
    }
    if (p >= end)
        return jerr(ps, ps->p, "unterminated string");
    if (b->len > UINT32_MAX)
        return jerr(ps, start, "string too long");
    char *c = eddy_arena_strndup(ps->a, b->len ? (const char *)b->data : "", b->len);
    if (!c)
        return oom(ps);
    *s = c;
    *len = (uint32_t)b->len;
    ps->p = p + 1;
    return 0;
}

static int parse_number(jparser *ps, serde_json *out)
{
    const char *start = ps->p, *p = start, *end = ps->end;
    if (p < end && *p == '-')
        p++;
    if (p >= end || *p < '0' || *p > '9')
        return jerr(ps, p, "invalid number");
    if (*p == '0') {
        p++;
        if (p < end && *p >= '0' && *p <= '9')
            return jerr(ps, p, "leading zero in number");
    } else {
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < end && *p == '.') {
        p++;
        if (p >= end || *p < '0' || *p > '9')
            return jerr(ps, p, "digit expected after decimal point");
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (p >= end || *p < '0' || *p > '9')
            return jerr(ps, p, "digit expected in exponent");
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    size_t n = (size_t)(p - start);
    out->kind = SERDE_JSON_NUMBER;
    out->len = (uint32_t)n;
    if (ps->flags & SERDE__JSON_BORROW) {
        out->text = start;
    } else {
        char *c = eddy_arena_strndup(ps->a, start, n);
        if (!c)
            return oom(ps);
        out->text = c;
    }
    ps->p = p;
    return 0;
}

static int parse_value(jparser *ps, serde_json *out);

/* Copy the children pushed since 'base' into the arena as the items (and keys) of 'out'. */
static int close_container(jparser *ps, size_t base, bool object, serde_json *out)
{
    size_t n = ps->sp - base;
    out->n = (uint32_t)n;
    out->items = NULL;
    out->keys = NULL;
    out->key_lens = NULL;
    if (n) {
        out->items = eddy_arena_alloc(ps->a, n * sizeof(serde_json));
        if (!out->items)
            return oom(ps);
        if (object) {
            out->keys = eddy_arena_alloc(ps->a, n * sizeof(char *));
            out->key_lens = eddy_arena_alloc(ps->a, n * sizeof(uint32_t));
            if (!out->keys || !out->key_lens)
                return oom(ps);
        }
        for (size_t i = 0; i < n; i++) {
            const jmember *m = &ps->stack[base + i];
            out->items[i] = m->node;
            if (object) {
                out->keys[i] = m->key;
                out->key_lens[i] = m->klen;
            }
        }
    }
    ps->sp = base;
    return 0;
}

static int parse_container(jparser *ps, serde_json *out, bool object)
{
    const char *open = ps->p;
    if (++ps->depth > SERDE__JSON_MAX_DEPTH)
        return jerr(ps, open, "nesting too deep");
    memset(out, 0, sizeof *out);
    out->kind = object ? SERDE_JSON_OBJECT : SERDE_JSON_ARRAY;
    size_t base = ps->sp;
    char close = object ? '}' : ']';
    ps->p++;
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        ps->depth--;
        return close_container(ps, base, object, out);
    }
    for (;;) {
        const char *key = NULL;
        uint32_t klen = 0;
        if (object) {
            skip_ws(ps);
            if (ps->p >= ps->end)
                return jerr(ps, ps->p, "unexpected end of input in object");
            if (*ps->p != '"')
                return jerr(ps, ps->p, "member name expected");
            int rc = parse_string(ps, &key, &klen);
            if (rc)
                return rc;
            skip_ws(ps);
            if (ps->p >= ps->end || *ps->p != ':')
                return jerr(ps, ps->p, "':' expected");
            ps->p++;
        }
        serde_json v;
        int rc = parse_value(ps, &v);
        if (rc)
            return rc;
        if ((rc = push(ps, &v, key, klen)) != 0)
            return rc;
        skip_ws(ps);
        if (ps->p >= ps->end)
            return jerr(ps, ps->p, object ? "unexpected end of input in object"
                                          : "unexpected end of input in array");
        if (*ps->p == ',') {
            ps->p++;
            continue;
        }
        if (*ps->p == close) {
            ps->p++;
            break;
        }
        return jerr(ps, ps->p, object ? "',' or '}' expected" : "',' or ']' expected");
    }
    ps->depth--;
    return close_container(ps, base, object, out);
}

static int literal(jparser *ps, const char *word, size_t n)
{
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
        return jerr(ps, ps->p, "unexpected character");
    ps->p += n;
    /* "truex" is one bad token, not "true" followed by garbage (matters for the root value
     * when the tail is ignored). */
    if (ps->p < ps->end && ((*ps->p >= 'a' && *ps->p <= 'z') || (*ps->p >= 'A' && *ps->p <= 'Z') ||
                            (*ps->p >= '0' && *ps->p <= '9') || *ps->p == '_'))
        return jerr(ps, ps->p - n, "unrecognized token");
    return 0;
}

static int parse_value(jparser *ps, serde_json *out)
{
    skip_ws(ps);
    if (ps->p >= ps->end)
        return jerr(ps, ps->p, "unexpected end of input, value expected");
    memset(out, 0, sizeof *out);
    switch (*ps->p) {
    case '{':
        return parse_container(ps, out, true);
    case '[':
        return parse_container(ps, out, false);
    case '"':
        out->kind = SERDE_JSON_STRING;
        return parse_string(ps, &out->text, &out->len);
    case 't':
        out->kind = SERDE_JSON_BOOL;
        out->b = true;
        return literal(ps, "true", 4);
    case 'f':
        out->kind = SERDE_JSON_BOOL;
        return literal(ps, "false", 5);
    case 'n':
        out->kind = SERDE_JSON_NULL;
        return literal(ps, "null", 4);
    default:
        if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))
            return parse_number(ps, out);
        return jerr(ps, ps->p, "unexpected character");
    }
}

int serde__json_parse(const char *text, size_t len, unsigned flags, eddy_arena *a,
                      serde_json **out, eddy_err *err)
{
    jparser ps = {.base = text, .p = text, .end = text + len, .flags = flags, .a = a,
                  .err = err};
    eddy_buf_init(&ps.sbuf);
    *out = NULL;
    skip_ws(&ps);
    if (ps.p >= ps.end) {
        if (flags & SERDE__JSON_ALLOW_EMPTY)
            return 0;
        return jerr(&ps, ps.p, "no content");
    }
    serde_json *root = eddy_arena_alloc(a, sizeof *root);
    int rc = root ? parse_value(&ps, root) : oom(&ps);
    /* A root number must be followed by white space or the end (Jackson's root-space rule). */
    if (rc == 0 && root->kind == SERDE_JSON_NUMBER && ps.p < ps.end && *ps.p != ' ' &&
        *ps.p != '\n' && *ps.p != '\r' && *ps.p != '\t')
        rc = jerr(&ps, ps.p, "unexpected character after number");
    if (rc == 0 && !(flags & SERDE__JSON_IGNORE_TAIL)) {
        skip_ws(&ps);
        if (ps.p < ps.end)
            rc = jerr(&ps, ps.p, "unexpected content after the document");
    }
    eddy_free(ps.stack);
    eddy_buf_free(&ps.sbuf);
    if (rc == 0)
        *out = root;
    return rc;
}

int serde_json_parse(const char *text, size_t len, eddy_arena *a, serde_json **out,
                     eddy_err *err)
{
    return serde__json_parse(text, len, 0, a, out, err);
}

/* ---------------------------------------------------------------------------------------------
 * Writing
 * ------------------------------------------------------------------------------------------- */

int serde__json_write_string(const char *s, size_t n, eddy_buf *out)
{
    static const char hex[] = "0123456789abcdef";
    if (eddy_buf_reserve(out, n + 2) != 0)
        return EDDY_ENOMEM;
    out->data[out->len++] = '"';
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        if (eddy_buf_append(out, s + run, i - run) != 0)
            return EDDY_ENOMEM;
        run = i + 1;
        char e[6] = {'\\', 0};
        size_t en = 2;
        switch (c) {
        case '"': e[1] = '"'; break;
        case '\\': e[1] = '\\'; break;
        case '\b': e[1] = 'b'; break;
        case '\t': e[1] = 't'; break;
        case '\n': e[1] = 'n'; break;
        case '\f': e[1] = 'f'; break;
        case '\r': e[1] = 'r'; break;
        default:
            e[1] = 'u'; e[2] = '0'; e[3] = '0'; e[4] = hex[c >> 4]; e[5] = hex[c & 15];
            en = 6;
        }
        if (eddy_buf_append(out, e, en) != 0)
            return EDDY_ENOMEM;
    }
    if (eddy_buf_append(out, s + run, n - run) != 0 || eddy_buf_append(out, "\"", 1) != 0)
        return EDDY_ENOMEM;
    return 0;
}

int serde_json_write(const serde_json *v, eddy_buf *out)
{
    switch (v->kind) {
    case SERDE_JSON_NULL:
        return eddy_buf_append(out, "null", 4);
    case SERDE_JSON_BOOL:
        return v->b ? eddy_buf_append(out, "true", 4) : eddy_buf_append(out, "false", 5);
    case SERDE_JSON_NUMBER:
        return eddy_buf_append(out, v->text, v->len);
    case SERDE_JSON_STRING:
        return serde__json_write_string(v->text, v->len, out);
    case SERDE_JSON_ARRAY:
    case SERDE_JSON_OBJECT: {
        bool obj = v->kind == SERDE_JSON_OBJECT;
        if (eddy_buf_append(out, obj ? "{" : "[", 1) != 0)
            return EDDY_ENOMEM;
        for (uint32_t i = 0; i < v->n; i++) {
            if (i && eddy_buf_append(out, ",", 1) != 0)
                return EDDY_ENOMEM;
            if (obj && (serde__json_write_string(v->keys[i], v->key_lens[i], out) != 0 ||
                        eddy_buf_append(out, ":", 1) != 0))
                return EDDY_ENOMEM;
            int rc = serde_json_write(&v->items[i], out);
            if (rc)
                return rc;
        }
        return eddy_buf_append(out, obj ? "}" : "]", 1);
    }
    }
    return EDDY_EINVAL;
}

/* ---------------------------------------------------------------------------------------------
 * Lookup
 * ------------------------------------------------------------------------------------------- */

static bool ascii_case_eq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x >= 'a' && x <= 'z')
            x = (unsigned char)(x - 32);
        if (y >= 'a' && y <= 'z')
            y = (unsigned char)(y - 32);
        if (x != y)
            return false;
    }
    return true;
}

const serde_json *serde_json_get(const serde_json *obj, const char *name)
{
    if (!obj || obj->kind != SERDE_JSON_OBJECT)
        return NULL;
    size_t n = strlen(name);
    const serde_json *ci = NULL;
    for (uint32_t i = obj->n; i-- > 0;) {
        if (obj->key_lens[i] != n)
            continue;
        if (memcmp(obj->keys[i], name, n) == 0)
            return &obj->items[i];
        if (!ci && ascii_case_eq(obj->keys[i], name, n))
            ci = &obj->items[i];
    }
    return ci;
}

bool serde_json_number_is_fractional(const serde_json *v)
{
    if (!v || v->kind != SERDE_JSON_NUMBER)
        return false;
    for (uint32_t i = 0; i < v->len; i++)
        if (v->text[i] == '.' || v->text[i] == 'e' || v->text[i] == 'E')
            return true;
    return false;
}
