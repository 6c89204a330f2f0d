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

static int dval(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* java.util.Base64.getDecoder(): standard alphabet, padding optional but complete when
 * present, nothing after it. */
int eddy_base64_decode_to(const char *text, size_t len, uint8_t *dst, size_t *dst_len,
                          const char **why)
{
    const char *dummy;
    if (!why)
        why = &dummy;
    size_t n = 0, i = 0, pad = 0;
    uint32_t acc = 0;
    int bits = 0, chars = 0;
    for (; i < len; i++) {
        if (text[i] == '=') {
            pad = len - i;
            break;
        }
        int d = dval((unsigned char)text[i]);
        if (d < 0) {
            *why = "Illegal base64 character";
            return EDDY_EINVAL;
        }
        acc = acc << 6 | (uint32_t)d;
        bits += 6;
        chars++;
        if (bits >= 8) {
            bits -= 8;
            dst[n++] = (uint8_t)(acc >> bits);
        }
    }
    int rem = chars % 4;
    if (rem == 1) {
        *why = "Last unit does not have enough valid bits";
        return EDDY_EINVAL;
    }
    if (pad) {
        for (size_t j = i; j < len; j++)
            if (text[j] != '=') {
                *why = "Input byte array has incorrect ending";
                return EDDY_EINVAL;
            }
        if (rem == 0 || (size_t)(4 - rem) != pad) {
            *why = "Input byte array has wrong 4-byte ending unit";
            return EDDY_EINVAL;
        }
    }
    *dst_len = n;
    return 0;
}

int eddy_base64_decode(const char *text, size_t len, eddy_buf *out)
{
    if (eddy_buf_reserve(out, len / 4 * 3 + 3) != 0)
        return EDDY_ENOMEM;
    size_t n;
    int rc = eddy_base64_decode_to(text, len, out->data + out->len, &n, NULL);
    if (rc == 0)
        out->len += n;
    return rc;
}
