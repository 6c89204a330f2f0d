/*
 * base64.c - standard base64 (RFC 4648, with padding), as ksqlDB writes BYTES in JSON and
 * DELIMITED and as its test files hold header values. Small enough to keep here rather than
 * pull in a library for it.
 */
#include "eddy/common.h"

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int eddy_base64_encode(const void *data, size_t len, eddy_buf *out)
{
    const uint8_t *p = data;
    if (eddy_buf_reserve(out, (len + 2) / 3 * 4 + 1) != 0)
        return EDDY_ENOMEM;
    char *o = (char *)out->data + out->len;
    size_t i = 0;
    for (; i + 2 < len; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        *o++ = b64[v >> 18];
        *o++ = b64[(v >> 12) & 63];
        *o++ = b64[(v >> 6) & 63];
        *o++ = b64[v & 63];
    }
    if (i < len) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < len ? (uint32_t)p[i + 1] << 8 : 0);
        *o++ = b64[v >> 18];
        *o++ = b64[(v >> 12) & 63];
        *o++ = i + 1 < len ? b64[(v >> 6) & 63] : '=';
        *o++ = '=';
    }
    out->len = (size_t)((uint8_t *)o - out->data);
    return 0;
}

static int dval(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

int eddy_base64_decode(const char *text, size_t len, eddy_buf *out)
{
    while (len && (text[len - 1] == '=' ))
        len--;
    if (len % 4 == 1)
        return EDDY_EINVAL;
    if (eddy_buf_reserve(out, len / 4 * 3 + 3) != 0)
        return EDDY_ENOMEM;
    uint8_t *o = out->data + out->len;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        int d = dval(text[i]);
        if (d < 0)
            return EDDY_EINVAL;
        acc = acc << 6 | (uint32_t)d;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            *o++ = (uint8_t)(acc >> bits);
        }
    }
    out->len = (size_t)(o - out->data);
    return 0;
}
