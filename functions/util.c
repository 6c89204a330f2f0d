/*
 * functions/util.c - small helpers shared by the evaluator and the function library:
 * result values in the batch arena, UTF-8 walking (Java strings are UTF-16; eddy strings are
 * UTF-8, and functions count characters as code points, which equals Java's count for text
 * in the Basic Multilingual Plane), Java-style equality for collection functions.
 */
#include "functions_int.h"

int fn__str(fn_ctx *ctx, const char *s, size_t n, eddy_value *out)
{
    char *p = eddy_arena_alloc(ctx->arena, n ? n : 1);
    if (!p)
        return EDDY_ENOMEM;
    if (n)
        memcpy(p, s, n);
    *out = eddy_value_string(p, n);
    return 0;
}

int fn__bytes(fn_ctx *ctx, const void *s, size_t n, eddy_value *out)
{
    int rc = fn__str(ctx, s, n, out);
    out->kind = EDDY_T_BYTES;
    return rc;
}

int fn__composite(fn_ctx *ctx, eddy_type_kind kind, uint32_t n, eddy_value *out)
{
    size_t cnt = kind == EDDY_T_MAP ? 2 * (size_t)n : n;
    eddy_value *items = eddy_arena_calloc(ctx->arena, sizeof *items * (cnt ? cnt : 1));
    if (!items)
        return EDDY_ENOMEM;
    *out = eddy_value_composite(kind, items, n);
    return 0;
}

int fn__buf_str(fn_ctx *ctx, eddy_buf *b, eddy_value *out)
{
    int rc = fn__str(ctx, (const char *)b->data, b->len, out);
    eddy_buf_free(b);
    return rc;
}

bool fn__java_equals(const eddy_value *a, const eddy_value *b)
{
    if (a->null || b->null)
        return a->null && b->null;
    return eddy_value_equal(a, b);
}

uint32_t fn__utf8_next(const char *s, size_t n, size_t *i)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t k = *i;
    unsigned c = u[k];
    int len;
    uint32_t cp;
    if (c < 0x80) {
        *i = k + 1;
        return c;
    } else if ((c & 0xE0) == 0xC0) {
        len = 2;
        cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3;
        cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4;
        cp = c & 0x07;
    } else {
        *i = k + 1;
        return 0xFFFD;
    }
    if (k + (size_t)len > n) {
        *i = k + 1;
        return 0xFFFD;
    }
    for (int j = 1; j < len; j++) {
        if ((u[k + (size_t)j] & 0xC0) != 0x80) {
            *i = k + 1;
            return 0xFFFD;
        }
        cp = (cp << 6) | (u[k + (size_t)j] & 0x3F);
    }
    *i = k + (size_t)len;
    return cp;
}

size_t fn__utf8_len(const char *s, size_t n)
{
    size_t i = 0, cnt = 0;
    while (i < n) {
        fn__utf8_next(s, n, &i);
        cnt++;
    }
    return cnt;
}

size_t fn__utf8_offset(const char *s, size_t n, size_t cp)
{
    size_t i = 0;
    while (cp > 0 && i < n) {
        fn__utf8_next(s, n, &i);
        cp--;
    }
    return i;
}

int fn__utf8_put(uint32_t c, char *out)
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xC0 | (c >> 6));
        out[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xE0 | (c >> 12));
        out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (c >> 18));
    out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    out[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

void fn__log(fn_ctx *ctx, const fn_expr *e, const eddy_err *err)
{
    if (ctx->log)
        ctx->log(ctx->log_ctx, e, err);
}
