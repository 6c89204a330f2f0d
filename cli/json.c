/*
 * json.c - JSON text for `eddy topic produce --json` and `eddy topic consume --json`.
 *
 * Parsing uses jansson. Writing the consumer's output lines is done by hand here because it is
 * the hot path (a million records a second): record fields are escaped straight from the
 * fetched bytes into the output buffer, with no intermediate json_t.
 *
 * Real numbers: jansson writes reals with a fixed precision (17 digits by default, so 1.1
 * becomes 1.1000000000000001). cli_json_put_compact picks the smallest precision that reads
 * back every real in the value exactly, so values keep the text a person typed.
 */
#include "cli_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static const char hexdigits[] = "0123456789abcdef";

/* Length of the valid UTF-8 sequence at [p, end), or 0 when it is not valid (overlong forms,
 * surrogates and code points above U+10FFFF are invalid, as RFC 3629 says). */
static size_t utf8_seq_len(const uint8_t *p, const uint8_t *end)
{
    uint8_t c = p[0];
    size_t n;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if ((size_t)(end - p) < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

int cli_json_put_string(eddy_buf *out, const uint8_t *s, size_t len)
{
    /* Worst case: every byte becomes a 6-byte escape. */
    if (eddy_buf_reserve(out, len * 6 + 2) != 0)
        return EDDY_ENOMEM;
    uint8_t *w = out->data + out->len;
    const uint8_t *p = s, *end = s + len;
    *w++ = '"';
    while (p < end) {
        uint8_t c = *p;
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
            *w++ = c;
            p++;
            continue;
        }
        if (c >= 0x80) {
            size_t n = utf8_seq_len(p, end);
            if (n) {
                memcpy(w, p, n);
                w += n;
                p += n;
            } else {
                memcpy(w, "\\ufffd", 6);
                w += 6;
                p++;
            }
            continue;
        }
        *w++ = '\\';
        switch (c) {
        case '"': *w++ = '"'; break;
        case '\\': *w++ = '\\'; break;
        case '\n': *w++ = 'n'; break;
        case '\r': *w++ = 'r'; break;
        case '\t': *w++ = 't'; break;
        case '\b': *w++ = 'b'; break;
        case '\f': *w++ = 'f'; break;
        default:
            *w++ = 'u';
            *w++ = '0';
            *w++ = '0';
            *w++ = (uint8_t)hexdigits[c >> 4];
            *w++ = (uint8_t)hexdigits[c & 15];
        }
        p++;
    }
    *w++ = '"';
    out->len = (size_t)(w - out->data);
    return 0;
}

/* Smallest printf precision (1..17) at which "%.*g" of 'd' reads back as 'd'. */
static int real_precision(double d)
{
    char tmp[64];
    if (!isfinite(d))
        return 17;
    for (int prec = 1; prec < 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, d);
        if (strtod(tmp, NULL) == d)
            return prec;
    }
    return 17;
}

/* Largest real_precision() over every real in 'v' (0 when it holds no reals). */
static int max_real_precision(const json_t *v)
{
    int best = 0;
    if (json_is_real(v)) {
        best = real_precision(json_real_value(v));
    } else if (json_is_array(v)) {
        size_t i;
        json_t *item;
        json_array_foreach((json_t *)v, i, item) {
            int p = max_real_precision(item);
            if (p > best)
                best = p;
        }
    } else if (json_is_object(v)) {
        const char *k;
        json_t *item;
        json_object_foreach((json_t *)v, k, item) {
            int p = max_real_precision(item);
            if (p > best)
                best = p;
        }
    }
    return best;
}

int cli_json_put_compact(eddy_buf *out, const json_t *v)
{
    int prec = max_real_precision(v);
    size_t flags = JSON_COMPACT | JSON_ENCODE_ANY;
    if (prec > 0)
        flags |= JSON_REAL_PRECISION(prec);
    char *text = json_dumps(v, flags);
    if (!text)
        return EDDY_ENOMEM;
    int rc = eddy_buf_append(out, text, strlen(text));
    free(text);
    return rc;
}

/* True for the whitespace JSON allows between tokens. */
static bool json_space(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int cli_json_put_field(eddy_buf *out, const uint8_t *s, int32_t len)
{
    if (len < 0)
        return eddy_buf_append(out, "null", 4);
    size_t a = 0, b = (size_t)len;
    while (a < b && json_space(s[a]))
        a++;
    if (a < b && (s[a] == '{' || s[a] == '[')) {
        json_error_t jerr;
        json_t *v = json_loadb((const char *)s, (size_t)len, 0, &jerr);
        if (v) {
            int rc;
            while (b > a && json_space(s[b - 1]))
                b--;
            /* Keep the stored text as it is unless it spans lines (one record, one line). */
            if (memchr(s + a, '\n', b - a) || memchr(s + a, '\r', b - a))
                rc = cli_json_put_compact(out, v);
            else
                rc = eddy_buf_append(out, s + a, b - a);
            json_decref(v);
            return rc;
        }
    }
    return cli_json_put_string(out, s, (size_t)len);
}
