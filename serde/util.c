/*
 * serde/util.c - small helpers the formats share: Java's view of a JSON number's text
 * (Jackson's NumericNode.longValue / asText, which ksqlDB's JsonSerdeUtils relies on), the
 * node class names in ksqlDB's "Can't convert type" messages, base64 (java.util.Base64 basic),
 * and column lists as ksqlDB prints them in format errors (KafkaSerdeFactory, NoneFormat).
 *
 * Number text is handled as digits, never through a double, so values of any size behave as
 * Java's BigDecimal/BigInteger do: longValue() keeps the low 64 bits of the truncated value,
 * toString() uses the exponent form when the scale is negative or the adjusted exponent is
 * below -6.
 */
#include "serde_int.h"

/* Split a valid JSON number into sign, significant digits and the power of ten they carry:
 * value = (-1)^neg * digits * 10^exp10. */
typedef struct numparts {
    bool neg;
    const char *ip; size_t in;   /* integer digits */
    const char *fp; size_t fn;   /* fraction digits */
    int64_t exp;                 /* written exponent (saturated) */
    bool fractional;             /* has '.' or exponent */
} numparts;

static void num_split(const char *t, size_t n, numparts *np)
{
    const char *p = t, *end = t + n;
    memset(np, 0, sizeof *np);
    if (p < end && *p == '-') {
        np->neg = true;
        p++;
    }
    np->ip = p;
    while (p < end && *p >= '0' && *p <= '9')
        p++;
    np->in = (size_t)(p - np->ip);
    if (p < end && *p == '.') {
        np->fractional = true;
        np->fp = ++p;
        while (p < end && *p >= '0' && *p <= '9')
            p++;
        np->fn = (size_t)(p - np->fp);
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        np->fractional = true;
        p++;
        bool eneg = false;
        if (p < end && (*p == '+' || *p == '-'))
            eneg = *p++ == '-';
        int64_t e = 0;
        for (; p < end && *p >= '0' && *p <= '9'; p++)
            if (e < 4000000000LL)
                e = e * 10 + (*p - '0');
        np->exp = eneg ? -e : e;
    }
}

int64_t serde__num_long_value(const char *t, size_t n)
{
    numparts np;
    num_split(t, n, &np);
    /* digits = ip fp; value = digits * 10^(exp - fn). Keep digits whose place is >= 10^0. */
    int64_t shift = np.exp - (int64_t)np.fn;   /* power of ten of the last digit */
    size_t total = np.in + np.fn;
    uint64_t v = 0;
    size_t keep = total;
    if (shift < 0) {
        uint64_t drop = (uint64_t)(-shift);
        keep = drop >= total ? 0 : total - (size_t)drop;
    }
    for (size_t i = 0; i < keep; i++) {
        char c = i < np.in ? np.ip[i] : np.fp[i - np.in];
        v = v * 10u + (uint64_t)(c - '0');     /* wraps modulo 2^64, as BigInteger's low bits */
    }
    if (shift > 0 && v) {
        /* 10^k mod 2^64 is 0 for k >= 64 (2^64 divides 10^64). */
        for (int64_t k = 0; k < shift && v; k++)
            v *= 10u;
    }
    return np.neg ? (int64_t)(0u - v) : (int64_t)v;
}

int serde__num_as_text(const char *t, size_t n, eddy_buf *out)
{
    numparts np;
    num_split(t, n, &np);
    if (!np.fractional) {
        if (n == 2 && t[0] == '-' && t[1] == '0')
            return eddy_buf_append(out, "0", 1);
        return eddy_buf_append(out, t, n);
    }
    /* BigDecimal: unscaled digits U (leading zeros dropped) and scale = fn - exp. */
    char stackbuf[128];
    size_t total = np.in + np.fn;
    char *u = total <= sizeof stackbuf ? stackbuf : eddy_malloc(total);
    if (!u)
        return EDDY_ENOMEM;
    size_t un = 0;
    for (size_t i = 0; i < total; i++) {
        char c = i < np.in ? np.ip[i] : np.fp[i - np.in];
        if (un == 0 && c == '0' && i + 1 < total)
            continue;
        u[un++] = c;
    }
    int64_t scale = (int64_t)np.fn - np.exp;
    int64_t adjusted = -scale + (int64_t)(un - 1);
    bool zero = un == 1 && u[0] == '0';
    int rc = 0;
    if (np.neg && !zero)
        rc |= eddy_buf_append(out, "-", 1);
    if (scale >= 0 && adjusted >= -6) {
        if (scale == 0) {
            rc |= eddy_buf_append(out, u, un);
        } else if ((int64_t)un > scale) {
            rc |= eddy_buf_append(out, u, un - (size_t)scale);
            rc |= eddy_buf_append(out, ".", 1);
            rc |= eddy_buf_append(out, u + un - (size_t)scale, (size_t)scale);
        } else {
            rc |= eddy_buf_append(out, "0.", 2);
            for (int64_t i = 0; i < scale - (int64_t)un; i++)
                rc |= eddy_buf_append(out, "0", 1);
            rc |= eddy_buf_append(out, u, un);
        }
    } else {
        rc |= eddy_buf_append(out, u, 1);
        if (un > 1) {
            rc |= eddy_buf_append(out, ".", 1);
            rc |= eddy_buf_append(out, u + 1, un - 1);
        }
        rc |= eddy_buf_printf(out, "E%s%lld", adjusted >= 0 ? "+" : "", (long long)adjusted);
    }
    if (u != stackbuf)
        eddy_free(u);
    return rc ? EDDY_ENOMEM : 0;
}

const char *serde__json_node_class(const serde_json *v)
{
    if (!v)
        return "MissingNode";
    switch (v->kind) {
    case SERDE_JSON_NULL: return "NullNode";
    case SERDE_JSON_BOOL: return "BooleanNode";
    case SERDE_JSON_STRING: return "TextNode";
    case SERDE_JSON_ARRAY: return "ArrayNode";
    case SERDE_JSON_OBJECT: return "ObjectNode";
    case SERDE_JSON_NUMBER: {
        if (serde_json_number_is_fractional(v))
            return "DecimalNode";
        /* Jackson: int if it fits, else long, else BigInteger. */
        const char *p = v->text;
        size_t n = v->len;
        bool neg = n && p[0] == '-';
        size_t digits = n - (neg ? 1 : 0);
        if (digits <= 9)
            return "IntNode";
        if (digits > 19)
            return "BigIntegerNode";
        /* 10..19 digits: compare with the limits as text. */
        unsigned __int128 m = 0;
        for (size_t i = neg ? 1 : 0; i < n; i++)
            m = m * 10 + (unsigned)(p[i] - '0');
        if (m <= (neg ? (unsigned __int128)2147483648u : 2147483647u))
            return "IntNode";
        if (m <= (neg ? (unsigned __int128)9223372036854775808u : 9223372036854775807u))
            return "LongNode";
        return "BigIntegerNode";
    }
    }
    return "JsonNode";
}

/* ---------------------------------------------------------------------------------------------
 * Base64
 * ------------------------------------------------------------------------------------------- */

int serde__base64_encode(const uint8_t *p, size_t n, eddy_buf *out)
{
    return eddy_base64_encode(p, n, out);
}

int serde__base64_decode(const char *s, size_t n, eddy_arena *a, const uint8_t **out,
                         size_t *outlen, eddy_err *err)
{
    uint8_t *o = eddy_arena_alloc(a, n / 4 * 3 + 3);
    if (!o)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory decoding base64");
    if (eddy_base64_decode_to(s, n, o, outlen, NULL) != 0)
        return eddy_err_set(err, EDDY_EINVAL, "Value is not a valid Base64 encoded string");
    *out = o;
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Messages
 * ------------------------------------------------------------------------------------------- */

int serde__format_columns(const serde_column *cols, int ncols, bool is_key, eddy_buf *out)
{
    int rc = eddy_buf_append(out, "[", 1);
    for (int i = 0; i < ncols && rc == 0; i++) {
        if (i)
            rc |= eddy_buf_append(out, ", ", 2);
        rc |= eddy_buf_append(out, "`", 1);
        for (const char *p = cols[i].name; *p; p++)   /* a backquote in a name is doubled */
            rc |= *p == '`' ? eddy_buf_append(out, "``", 2) : eddy_buf_append(out, p, 1);
        rc |= eddy_buf_append(out, "` ", 2);
        rc |= eddy_type_format(cols[i].type, out);
        if (is_key)
            rc |= eddy_buf_append(out, " KEY", 4);
    }
    rc |= eddy_buf_append(out, "]", 1);
    return rc ? EDDY_ENOMEM : 0;
}
