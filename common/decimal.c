/*
 * decimal.c - exact DECIMAL numbers: a 128-bit unscaled integer (|u| < 10^38) and a scale,
 * with java.math.BigDecimal's behaviour where ksqlDB relies on it:
 *  - parsing BigDecimal(String) syntax, keeping the written scale;
 *  - toPlainString / toString formatting;
 *  - compareTo across scales;
 *  - ksqlDB's DecimalUtil.cast / ensureFit rules (integer digits checked before rounding,
 *    HALF_UP rounding, "Numeric field overflow" errors);
 *  - arithmetic as ksqlDB's generated code does it: a.op(b, MathContext(p, UNNECESSARY))
 *    .setScale(s), so results that need rounding are errors (NULL in ksqlDB), not rounded.
 *
 * Text is first read into a digit string ('dtext': sign, significant digits, scale) so that
 * inputs of any length and a double's exact binary expansion (up to 767 digits) round
 * correctly before they are narrowed to 128 bits. Hand-written because libmpdec would bring
 * IEEE decimal contexts whose rounding and scale rules are not BigDecimal's.
 */
#include "common_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

const eddy_u128 eddy__pow10[39] = {
    1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull, 100000000ull,
    1000000000ull, 10000000000ull, 100000000000ull, 1000000000000ull, 10000000000000ull,
    100000000000000ull, 1000000000000000ull, 10000000000000000ull, 100000000000000000ull,
    1000000000000000000ull, 10000000000000000000ull,
    (eddy_u128)10000000000000000000ull * 10ull,
    (eddy_u128)10000000000000000000ull * 100ull,
    (eddy_u128)10000000000000000000ull * 1000ull,
    (eddy_u128)10000000000000000000ull * 10000ull,
    (eddy_u128)10000000000000000000ull * 100000ull,
    (eddy_u128)10000000000000000000ull * 1000000ull,
    (eddy_u128)10000000000000000000ull * 10000000ull,
    (eddy_u128)10000000000000000000ull * 100000000ull,
    (eddy_u128)10000000000000000000ull * 1000000000ull,
    (eddy_u128)10000000000000000000ull * 10000000000ull,
    (eddy_u128)10000000000000000000ull * 100000000000ull,
    (eddy_u128)10000000000000000000ull * 1000000000000ull,
    (eddy_u128)10000000000000000000ull * 10000000000000ull,
    (eddy_u128)10000000000000000000ull * 100000000000000ull,
    (eddy_u128)10000000000000000000ull * 1000000000000000ull,
    (eddy_u128)10000000000000000000ull * 10000000000000000ull,
    (eddy_u128)10000000000000000000ull * 100000000000000000ull,
    (eddy_u128)10000000000000000000ull * 1000000000000000000ull,
    (eddy_u128)10000000000000000000ull * 10000000000000000000ull,
};

#define DEC_MAX (eddy__pow10[38] - 1)

int eddy__u128_digits(eddy_u128 v)
{
    int n = 1;
    while (n < 39 && v >= eddy__pow10[n])
        n++;
    return n;
}

/* ------------------------------------------------------------------------------------------
 * Digit strings
 * ---------------------------------------------------------------------------------------- */

#define DTEXT_MAX 1100

typedef struct dtext {
    bool neg;
    bool sticky;        /* non-zero digits were dropped after d[n-1] (input too long) */
    int n;              /* significant digits in d, no leading zeros; 0 = zero */
    long scale;         /* value = d * 10^-scale (BigDecimal's scale; may be negative) */
    char d[DTEXT_MAX];
} dtext;

static int syntax_error(eddy_err *err)
{
    return eddy_err_set(err, EDDY_EINVAL, "Character array is not a valid decimal number");
}

/* BigDecimal(String): [+-] (digits [. digits*] | . digits) [(e|E) [+-] digits]. */
static int dtext_parse(const char *s, size_t len, dtext *t, eddy_err *err)
{
    const char *p = s, *end = s + len;
    long frac = 0;
    bool any = false, dot = false;
    t->neg = false;
    t->sticky = false;
    t->n = 0;
    if (p < end && (*p == '+' || *p == '-'))
        t->neg = *p++ == '-';
    for (; p < end; p++) {
        if (*p == '.') {
            if (dot)
                return syntax_error(err);
            dot = true;
            continue;
        }
        if (*p < '0' || *p > '9')
            break;
        any = true;
        if (dot)
            frac++;
        if (t->n == 0 && *p == '0')
            continue;
        if (t->n < DTEXT_MAX) {
            t->d[t->n++] = *p;
        } else {
            /* Dropped digit: account for it in the scale instead. */
            frac--;
            if (*p != '0')
                t->sticky = true;
        }
    }
    if (!any)
        return syntax_error(err);
    long exp = 0;
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        bool eneg = false;
        if (p < end && (*p == '+' || *p == '-'))
            eneg = *p++ == '-';
        if (p == end)
            return syntax_error(err);
        for (; p < end && *p >= '0' && *p <= '9'; p++) {
            exp = exp * 10 + (*p - '0');
            if (exp > 1000000000L)
                return eddy_err_set(err, EDDY_ERANGE, "Exponent overflow");
        }
        if (eneg)
            exp = -exp;
    }
    if (p != end)
        return syntax_error(err);
    t->scale = frac - exp;
    return 0;
}

/* Round 't' to at most 'prec' significant digits, HALF_UP (MathContext(prec)). */
static void dtext_round_sig(dtext *t, int prec)
{
    if (t->n <= prec)
        return;
    bool up = t->d[prec] >= '5';
    t->scale -= t->n - prec;
    t->n = prec;
    t->sticky = false;
    if (up) {
        int i = prec - 1;
        while (i >= 0 && t->d[i] == '9')
            t->d[i--] = '0';
        if (i >= 0) {
            t->d[i]++;
        } else {
            /* 999 -> 1000: keep 'prec' digits, the dropped one being a zero. */
            t->d[0] = '1';
            t->scale--;
        }
    }
}

static int overflow_error(eddy_err *err, int precision, int scale)
{
    return eddy_err_set(err, EDDY_ERANGE,
                        "Numeric field overflow: A field with precision %d and scale %d must "
                        "round to an absolute value less than 10^%d.",
                        precision, scale, precision - scale);
}

static int too_many_digits(eddy_err *err)
{
    return eddy_err_set(err, EDDY_ERANGE, "Numeric overflow: more than %d decimal digits",
                        EDDY_DECIMAL_MAX_DIGITS);
}

/* Set the scale of 't' to 'scale' (HALF_UP unless 'exact') and narrow to 128 bits.
 * Returns 1 (no error recorded) when 'exact' and rounding was needed. */
static int dtext_to_decimal(const dtext *t, long scale, bool exact, eddy_decimal *out,
                            eddy_err *err)
{
    eddy_u128 v = 0;
    long drop = t->scale - scale; /* digits to drop (>0) or zeros to append (<0) */
    int keep = drop > 0 ? (drop >= t->n ? 0 : t->n - (int)drop) : t->n;
    if (keep > EDDY_DECIMAL_MAX_DIGITS)
        return too_many_digits(err);
    for (int i = 0; i < keep; i++)
        v = v * 10 + (eddy_u128)(t->d[i] - '0');
    if (drop > 0) {
        bool nonzero = t->sticky;
        for (int i = keep; i < t->n && !nonzero; i++)
            nonzero = t->d[i] != '0';
        if (exact && nonzero)
            return 1;
        /* HALF_UP: the first dropped digit decides (a virtual leading zero if drop > n). */
        if (drop <= t->n && t->d[keep] >= '5')
            v++;
    } else if (drop < 0) {
        if (-drop > EDDY_DECIMAL_MAX_DIGITS)
            return v == 0 ? (out->unscaled = 0, out->scale = (int32_t)scale, 0)
                          : too_many_digits(err);
        if (v > DEC_MAX / eddy__pow10[-drop])
            return too_many_digits(err);
        v *= eddy__pow10[-drop];
    }
    if (v > DEC_MAX)
        return too_many_digits(err);
    out->unscaled = t->neg ? -(eddy_i128)v : (eddy_i128)v;
    out->scale = (int32_t)scale;
    return 0;
}

/* DecimalUtil.ensureMax: |value| < 10^(precision - scale), judged before any rounding. */
static bool dtext_fits(const dtext *t, int precision, int scale)
{
    long intdigits = t->n - t->scale;
    return t->n == 0 || intdigits <= precision - scale;
}

/* ------------------------------------------------------------------------------------------
 * Public functions
 * ---------------------------------------------------------------------------------------- */

int eddy_decimal_parse(const char *s, size_t len, eddy_decimal *out, eddy_err *err)
{
    dtext t;
    int rc = dtext_parse(s, len, &t, err);
    if (rc)
        return rc;
    if (t.sticky)
        return too_many_digits(err);
    long scale = t.scale < 0 ? 0 : t.scale;
    if (scale > 255)
        return eddy_err_set(err, EDDY_ERANGE, "DECIMAL scale above 255");
    return dtext_to_decimal(&t, scale, false, out, err);
}

int eddy_decimal_parse_fit(const char *s, size_t len, int precision, int scale, bool exact,
                           eddy_decimal *out, eddy_err *err)
{
    dtext t;
    int rc = dtext_parse(s, len, &t, err);
    if (rc)
        return rc;
    if (!dtext_fits(&t, precision, scale))
        return overflow_error(err, precision, scale);
    rc = dtext_to_decimal(&t, scale, exact, out, err);
    if (rc == 1)
        return eddy_err_set(err, EDDY_ERANGE, "Cannot fit decimal into DECIMAL(%d, %d) without "
                            "rounding.", precision, scale);
    return rc;
}

int eddy_decimal_format(const eddy_decimal *d, bool java_tostring, eddy_buf *out)
{
    char digits[48];
    eddy_u128 v = eddy__abs128(d->unscaled);
    int n = 0, rc;
    do {
        digits[n++] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v);
    /* digits[] is reversed. The text is at most sign, "0.", scale zeros, digits, exponent. */
    long scale = d->scale;
    if ((rc = eddy_buf_reserve(out, (size_t)(n + scale + 32))))
        return rc;
    char *buf = (char *)out->data + out->len;
    size_t len = 0;
    if (d->unscaled < 0)
        buf[len++] = '-';
    long adjusted = -scale + (n - 1);
    if (java_tostring && adjusted < -6) {
        buf[len++] = digits[n - 1];
        if (n > 1) {
            buf[len++] = '.';
            for (int i = n - 2; i >= 0; i--)
                buf[len++] = digits[i];
        }
        len += (size_t)snprintf(buf + len, 24, "E%ld", adjusted);
    } else if (scale == 0) {
        for (int i = n - 1; i >= 0; i--)
            buf[len++] = digits[i];
    } else if (n > scale) {
        for (int i = n - 1; i >= scale; i--)
            buf[len++] = digits[i];
        buf[len++] = '.';
        for (long i = scale - 1; i >= 0; i--)
            buf[len++] = digits[i];
    } else {
        buf[len++] = '0';
        buf[len++] = '.';
        for (long i = 0; i < scale - n; i++)
            buf[len++] = '0';
        for (int i = n - 1; i >= 0; i--)
            buf[len++] = digits[i];
    }
    out->len += len;
    return 0;
}

/* v * 10^k; false when the result would exceed 38 digits. */
static bool scale_up(eddy_u128 v, long k, eddy_u128 *out)
{
    if (v == 0) {
        *out = 0;
        return true;
    }
    if (k > 38 || v > DEC_MAX / eddy__pow10[k])
        return false;
    *out = v * eddy__pow10[k];
    return true;
}

int eddy_decimal_cmp(const eddy_decimal *a, const eddy_decimal *b)
{
    int sa = (a->unscaled > 0) - (a->unscaled < 0);
    int sb = (b->unscaled > 0) - (b->unscaled < 0);
    if (sa != sb)
        return sa < sb ? -1 : 1;
    if (sa == 0)
        return 0;
    eddy_u128 ma = eddy__abs128(a->unscaled), mb = eddy__abs128(b->unscaled);
    int mag;
    if (a->scale == b->scale) {
        mag = (ma > mb) - (ma < mb);
    } else if (a->scale < b->scale) {
        eddy_u128 x;
        /* When scaling 'a' up overflows 38 digits it is larger than any 'b'. */
        mag = scale_up(ma, b->scale - a->scale, &x) ? (x > mb) - (x < mb) : 1;
    } else {
        eddy_u128 y;
        mag = scale_up(mb, a->scale - b->scale, &y) ? (ma > y) - (ma < y) : -1;
    }
    return sa > 0 ? mag : -mag;
}

/* Rescale an unsigned magnitude; returns 0, 1 for "rounding necessary" (exact mode) or -1 for
 * overflow. */
static int rescale_mag(eddy_u128 v, long from, long to, bool round, eddy_u128 *out)
{
    if (to >= from)
        return scale_up(v, to - from, out) ? 0 : -1;
    long k = from - to;
    if (k > 38) {
        if (v != 0 && !round)
            return 1;
        *out = 0; /* v < 10^38 <= 10^(k-1) / 2 * ..., so HALF_UP gives 0 */
        return 0;
    }
    eddy_u128 q = v / eddy__pow10[k], r = v % eddy__pow10[k];
    if (r != 0 && !round)
        return 1;
    if (r != 0 && r >= eddy__pow10[k] / 2)
        q++;
    *out = q;
    return 0;
}

int eddy_decimal_rescale(const eddy_decimal *d, int scale, bool round, eddy_decimal *out,
                         eddy_err *err)
{
    eddy_u128 m;
    int rc = rescale_mag(eddy__abs128(d->unscaled), d->scale, scale, round, &m);
    if (rc == 1)
        return eddy_err_set(err, EDDY_ERANGE, "Rounding necessary");
    if (rc < 0 || m > DEC_MAX)
        return too_many_digits(err);
    out->unscaled = d->unscaled < 0 ? -(eddy_i128)m : (eddy_i128)m;
    out->scale = scale;
    return 0;
}

/* Significant digits of v with trailing zeros removed (what MathContext rounding keeps). */
static int sig_digits(eddy_u128 v)
{
    if (v == 0)
        return 1;
    while (v % 10 == 0)
        v /= 10;
    return eddy__u128_digits(v);
}

/* 256-bit helpers for long division remainders. */
typedef struct u256 { eddy_u128 hi, lo; } u256;

static u256 mul10(eddy_u128 r)
{
    uint64_t rl = (uint64_t)r, rh = (uint64_t)(r >> 64);
    eddy_u128 pl = (eddy_u128)rl * 10, ph = (eddy_u128)rh * 10;
    u256 x;
    x.lo = pl + (ph << 64);
    x.hi = (ph >> 64) + (x.lo < pl ? 1 : 0);
    return x;
}

/* Exact quotient A * 10^e / D truncated, with '*rem_nonzero'; false on overflow. */
static bool long_div(eddy_u128 a, long e, eddy_u128 d, eddy_u128 *q, bool *rem_nonzero)
{
    eddy_u128 quo, r;
    if (e < 0) {
        eddy_u128 dd;
        if (!scale_up(d, -e, &dd)) {
            /* The divisor exceeds every 38-digit dividend. */
            *q = 0;
            *rem_nonzero = a != 0;
            return true;
        }
        d = dd;
        e = 0;
    }
    quo = a / d;
    r = a % d;
    for (long i = 0; i < e; i++) {
        u256 x = mul10(r);
        unsigned digit = 0;
        while (x.hi != 0 || x.lo >= d) {
            if (x.lo < d)
                x.hi--;
            x.lo -= d;
            digit++;
        }
        r = x.lo;
        if (quo > (DEC_MAX - digit) / 10)
            return false;
        quo = quo * 10 + digit;
    }
    *q = quo;
    *rem_nonzero = r != 0;
    return true;
}

static int rounding_necessary(eddy_err *err)
{
    return eddy_err_set(err, EDDY_ERANGE, "Rounding necessary");
}

/* MathContext(precision, UNNECESSARY) then setScale(scale) on an exact result. */
static int finish(bool neg, eddy_u128 v, long vscale, int precision, int scale,
                  eddy_decimal *out, eddy_err *err)
{
    if (sig_digits(v) > precision)
        return rounding_necessary(err);
    eddy_u128 m;
    int rc = rescale_mag(v, vscale, scale, false, &m);
    if (rc == 1)
        return rounding_necessary(err);
    if (rc < 0)
        return too_many_digits(err);
    out->unscaled = neg ? -(eddy_i128)m : (eddy_i128)m;
    out->scale = scale;
    return 0;
}

int eddy_decimal_arith(char op, const eddy_decimal *a, const eddy_decimal *b, int precision,
                       int scale, eddy_decimal *out, eddy_err *err)
{
    eddy_u128 ma = eddy__abs128(a->unscaled), mb = eddy__abs128(b->unscaled), r;
    bool na = a->unscaled < 0, nb = b->unscaled < 0;
    long c = EDDY_MAX(a->scale, b->scale);
    switch (op) {
    case '+':
    case '-': {
        eddy_u128 x, y;
        if (!scale_up(ma, c - a->scale, &x) || !scale_up(mb, c - b->scale, &y))
            return too_many_digits(err);
        if (op == '-')
            nb = !nb;
        bool neg;
        if (na == nb) {
            r = x + y; /* < 2 * 10^38 < 2^128 */
            neg = na;
        } else if (x >= y) {
            r = x - y;
            neg = na;
        } else {
            r = y - x;
            neg = nb;
        }
        if (r > DEC_MAX)
            return too_many_digits(err);
        return finish(neg && r != 0, r, c, precision, scale, out, err);
    }
    case '*':
        if (__builtin_mul_overflow(ma, mb, &r) || r > DEC_MAX)
            return too_many_digits(err);
        return finish((na != nb) && r != 0, r, (long)a->scale + b->scale, precision, scale, out,
                      err);
    case '/': {
        if (mb == 0)
            return eddy_err_set(err, EDDY_ERANGE, ma == 0 ? "Division undefined"
                                                          : "Division by zero");
        bool inexact;
        if (!long_div(ma, (long)scale + b->scale - a->scale, mb, &r, &inexact))
            return too_many_digits(err);
        if (inexact)
            return rounding_necessary(err);
        return finish((na != nb) && r != 0, r, scale, precision, scale, out, err);
    }
    case '%': {
        eddy_u128 x, y;
        if (mb == 0)
            return eddy_err_set(err, EDDY_ERANGE, ma == 0 ? "Division undefined"
                                                          : "Division by zero");
        if (!scale_up(ma, c - a->scale, &x) || !scale_up(mb, c - b->scale, &y))
            return too_many_digits(err);
        if (eddy__u128_digits(x / y) > precision)
            return eddy_err_set(err, EDDY_ERANGE, "Division impossible");
        r = x % y;
        return finish(na && r != 0, r, c, precision, scale, out, err);
    }
    default:
        return eddy_err_set(err, EDDY_EINVAL, "unknown arithmetic operator '%c'", op);
    }
}

int eddy_decimal_from_i64(int64_t v, int precision, int scale, eddy_decimal *out,
                          eddy_err *err)
{
    eddy_u128 m = v < 0 ? (eddy_u128)0 - (eddy_u128)(eddy_i128)v : (eddy_u128)v;
    int digits = m == 0 ? 0 : eddy__u128_digits(m);
    if (digits > precision - scale)
        return overflow_error(err, precision, scale);
    if (!scale_up(m, scale, &m))
        return too_many_digits(err);
    out->unscaled = v < 0 ? -(eddy_i128)m : (eddy_i128)m;
    out->scale = scale;
    return 0;
}

int eddy_decimal_from_double(double v, int precision, int scale, eddy_decimal *out,
                             eddy_err *err)
{
    if (!isfinite(v))
        return eddy_err_set(err, EDDY_EINVAL, "Infinite or NaN");
    /* new BigDecimal(v, new MathContext(precision)): the exact binary value, rounded to
     * 'precision' significant digits HALF_UP. glibc prints the exact expansion. */
    char buf[1200];
    int len = snprintf(buf, sizeof buf, "%.800e", v);
    dtext t;
    int rc = dtext_parse(buf, (size_t)len, &t, err);
    if (rc)
        return rc;
    while (t.n > 0 && t.d[t.n - 1] == '0') {
        t.n--;
        t.scale--;
    }
    if (t.n == 0)
        t.scale = 0;
    dtext_round_sig(&t, precision);
    if (!dtext_fits(&t, precision, scale))
        return overflow_error(err, precision, scale);
    return dtext_to_decimal(&t, scale, false, out, err);
}

int eddy_decimal_cast(const eddy_decimal *d, int precision, int scale, eddy_decimal *out,
                      eddy_err *err)
{
    eddy_u128 m = eddy__abs128(d->unscaled);
    eddy_u128 ip = d->scale > 38 ? 0 : m / eddy__pow10[d->scale];
    if (ip != 0 && eddy__u128_digits(ip) > precision - scale)
        return overflow_error(err, precision, scale);
    return eddy_decimal_rescale(d, scale, true, out, err);
}

double eddy_decimal_to_double(const eddy_decimal *d)
{
    /* "<digits>e-<scale>": strtod rounds correctly, as BigDecimal.doubleValue does. */
    char small[64], digits[48];
    int n = 0;
    eddy_u128 v = eddy__abs128(d->unscaled);
    do {
        digits[n++] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v);
    int len = 0;
    if (d->unscaled < 0)
        small[len++] = '-';
    for (int i = n - 1; i >= 0; i--)
        small[len++] = digits[i];
    len += snprintf(small + len, sizeof small - (size_t)len, "e-%d", d->scale);
    return strtod(small, NULL);
}

int64_t eddy_decimal_to_i64(const eddy_decimal *d)
{
    eddy_i128 q = d->scale > 38 ? 0 : d->unscaled / (eddy_i128)eddy__pow10[d->scale];
    return (int64_t)(uint64_t)(eddy_u128)q;
}
