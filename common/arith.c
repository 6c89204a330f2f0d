/*
 * arith.c - Java number semantics that ksqlDB inherits from the JVM:
 *  - int/long arithmetic that wraps on overflow, truncating division, remainder with the
 *    dividend's sign, ArithmeticException("/ by zero") for integer division by zero (ksqlDB
 *    catches it per expression, writes a processing-log record and uses NULL);
 *  - IEEE double arithmetic (x/0.0 is Infinity or NaN, never an error);
 *  - Double.toString: the shortest decimal digits that read back as the same double; the
 *    layout rules (plain for 1e-3 <= |d| < 1e7, else d.dddE[-]n) are Java's. A fast exact
 *    path finds the digits when at most 15 suffice (most data: prices, counts, averages of
 *    small sets); otherwise printf precisions are tried (glibc rounds exactly) and the round
 *    trip checked with strtod. Written by hand because the printf path was a quarter of the
 *    stateless benchmark's time and Debian's fast formatter (double-conversion) is C++;
 *  - Double.parseDouble, Integer.parseInt and Long.parseLong grammars;
 *  - value-level arithmetic (eddy_value_arith) combining these with exact DECIMAL rules from
 *    decimal.c, after widening operands to the result type from eddy_type_arith().
 */
#include "common_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static int div_by_zero(eddy_err *err)
{
    return eddy_err_set(err, EDDY_ERANGE, "/ by zero");
}

int eddy_arith_i32(char op, int32_t a, int32_t b, int32_t *out, eddy_err *err)
{
    uint32_t ua = (uint32_t)a, ub = (uint32_t)b;
    switch (op) {
    case '+': *out = (int32_t)(ua + ub); return 0;
    case '-': *out = (int32_t)(ua - ub); return 0;
    case '*': *out = (int32_t)(ua * ub); return 0;
    case '/':
        if (b == 0)
            return div_by_zero(err);
        *out = (b == -1) ? (int32_t)(0u - ua) : a / b;
        return 0;
    case '%':
        if (b == 0)
            return div_by_zero(err);
        *out = (b == -1) ? 0 : a % b;
        return 0;
    default:
        return eddy_err_set(err, EDDY_EINVAL, "unknown arithmetic operator '%c'", op);
    }
}

int eddy_arith_i64(char op, int64_t a, int64_t b, int64_t *out, eddy_err *err)
{
    uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
    switch (op) {
    case '+': *out = (int64_t)(ua + ub); return 0;
    case '-': *out = (int64_t)(ua - ub); return 0;
    case '*': *out = (int64_t)(ua * ub); return 0;
    case '/':
        if (b == 0)
            return div_by_zero(err);
        *out = (b == -1) ? (int64_t)(0u - ua) : a / b;
        return 0;
    case '%':
        if (b == 0)
            return div_by_zero(err);
        *out = (b == -1) ? 0 : a % b;
        return 0;
    default:
        return eddy_err_set(err, EDDY_EINVAL, "unknown arithmetic operator '%c'", op);
    }
}

double eddy_arith_f64(char op, double a, double b)
{
    switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return a / b;
    case '%': return fmod(a, b);
    default: return NAN;
    }
}

/* ------------------------------------------------------------------------------------------
 * Double.toString
 * ---------------------------------------------------------------------------------------- */

/* 10^0 .. 10^22: the powers of ten a double holds exactly. */
static const double exact_pow10[23] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* The shortest digits of 'ad' (> 0) when at most 15 significant digits read back as it.
 * For k = 0, 1, ...: m = round(ad * 10^k); when m < 10^15 and m / 10^k == ad (both operands
 * exact, so the quotient is the correctly rounded double of the decimal m.10^-k, the value
 * strtod would give), that decimal reads back as 'ad'. It is the shortest: distinct decimals
 * of at most 15 significant digits never round to the same double (DBL_DIG is 15), so no
 * shorter one can. Returns the digit count, or 0 when the slow path must decide. */
static int shortest_fast(double ad, char digits[20], int *exp10)
{
    if (!(ad >= 1e-7 && ad < 1e15))
        return 0;
    for (int k = 0; k < 23; k++) {
        double x = ad * exact_pow10[k];
        if (x >= 1e15)
            return 0;
        double m = (double)(int64_t)(x + 0.5);
        if (m == 0 || m / exact_pow10[k] != ad)
            continue;
        uint64_t v = (uint64_t)m;
        while (v % 10 == 0)
            v /= 10, k--;
        char tmp[20];
        int n = 0;
        for (; v; v /= 10)
            tmp[n++] = (char)('0' + v % 10);
        for (int i = 0; i < n; i++)
            digits[i] = tmp[n - 1 - i];
        digits[n] = '\0';
        *exp10 = n - 1 - k;
        return n;
    }
    return 0;
}

/* "%.{p-1}e" of |d| into digits/exp10; true when it reads back as |d|. */
static bool try_digits(double ad, int p, char digits[20], int *n, int *exp10)
{
    char buf[40];
    snprintf(buf, sizeof buf, "%.*e", p - 1, ad);
    if (strtod(buf, NULL) != ad)
        return false;
    int k = 0;
    const char *s = buf;
    for (; *s && *s != 'e'; s++)
        if (*s >= '0' && *s <= '9')
            digits[k++] = *s;
    *exp10 = atoi(s + 1);
    while (k > 1 && digits[k - 1] == '0')
        k--;
    digits[k] = '\0';
    *n = k;
    return true;
}

int eddy__double_shortest(double d, char digits[20], int *exp10)
{
    double ad = fabs(d);
    int n = shortest_fast(ad, digits, exp10);
    if (n)
        return n;
    if (ad >= 1e-7 && ad < 1e15) {
        /* the fast path covers every candidate of up to 15 digits here: 16 or 17 it is */
        if (!try_digits(ad, 16, digits, &n, exp10))
            try_digits(ad, 17, digits, &n, exp10);
        return n;
    }
    int lo = 1, hi = 17;
    /* Round-tripping is monotonic in the precision: binary search the smallest. */
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        char tmp[20];
        int tn, te;
        if (try_digits(ad, mid, tmp, &tn, &te))
            hi = mid;
        else
            lo = mid + 1;
    }
    /* Java always prints at least two digits (d.d) and picks the two-digit decimal closest to
     * the value when one digit would do: 4.9E-324, not 5.0E-324. Trailing zeros are then
     * dropped again (2.0 has the digits "2"). */
    try_digits(ad, lo < 2 ? 2 : lo, digits, &n, exp10);
    return n;
}

/* Java's Double.toString (FloatingDecimal.dtoa up to JDK 18, which ksqlDB runs on) takes a
 * shortcut for a double that is an integer with binary exponent 0..62: it prints the integer,
 * less the low digits a table deems insignificant for the exponent (rounded half up), instead
 * of the shortest digits. From 2^54 on that gives more digits than needed:
 * 2^62 is 4.6116860184273879E18, not 4.611686018427388E18. Returns the digit count, or 0 when
 * the shortcut does not apply (below 2^54 the integer's digits are the shortest ones). */
static int java_long_digits(double ad, char digits[20], int *exp10)
{
    /* FloatingDecimal's insignificantDigitsNumber, by binary exponent - 54 */
    static const int insignificant[] = {0, 0, 0, 0, 1, 1, 1, 2, 2};
    if (!(ad >= 18014398509481984.0 && ad < 9223372036854775808.0) || ad != trunc(ad))
        return 0;
    int bin_exp = ilogb(ad);
    int ins = insignificant[bin_exp - 54];
    uint64_t v = (uint64_t)ad, pow10 = 1;
    for (int i = 0; i < ins; i++)
        pow10 *= 10;
    uint64_t residue = v % pow10;
    v /= pow10;
    if (ins && residue >= pow10 / 2)
        v++;
    char tmp[24];
    int n = snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)v);
    *exp10 = n - 1 + ins;
    while (n > 1 && tmp[n - 1] == '0')
        n--;
    memcpy(digits, tmp, (size_t)n);
    digits[n] = '\0';
    return n;
}

int eddy_double_format(double d, char *buf)
{
    if (isnan(d))
        return (int)(memcpy(buf, "NaN", 4), 3);
    if (isinf(d)) {
        strcpy(buf, d > 0 ? "Infinity" : "-Infinity");
        return d > 0 ? 8 : 9;
    }
    int len = 0;
    if (signbit(d))
        buf[len++] = '-';
    if (d == 0) {
        memcpy(buf + len, "0.0", 4);
        return len + 3;
    }
    char dg[20];
    int e, n = java_long_digits(fabs(d), dg, &e);
    if (n == 0)
        n = eddy__double_shortest(d, dg, &e);
    if (e >= -3 && e < 7) {
        if (e >= 0) {
            for (int i = 0; i <= e; i++)
                buf[len++] = i < n ? dg[i] : '0';
            buf[len++] = '.';
            if (n > e + 1) {
                for (int i = e + 1; i < n; i++)
                    buf[len++] = dg[i];
            } else {
                buf[len++] = '0';
            }
        } else {
            buf[len++] = '0';
            buf[len++] = '.';
            for (int i = 0; i < -e - 1; i++)
                buf[len++] = '0';
            for (int i = 0; i < n; i++)
                buf[len++] = dg[i];
        }
        buf[len] = '\0';
        return len;
    }
    buf[len++] = dg[0];
    buf[len++] = '.';
    if (n > 1) {
        for (int i = 1; i < n; i++)
            buf[len++] = dg[i];
    } else {
        buf[len++] = '0';
    }
    len += snprintf(buf + len, (size_t)(EDDY_DOUBLE_BUF - len), "E%d", e);
    return len;
}

int eddy__decimal_from_double_str(double d, eddy_decimal *out)
{
    char buf[EDDY_DOUBLE_BUF];
    int n = eddy_double_format(d, buf);
    return eddy_decimal_parse(buf, (size_t)n, out, NULL);
}

/* ------------------------------------------------------------------------------------------
 * Parsing numbers as Java does
 * ---------------------------------------------------------------------------------------- */

const char *eddy_java_trim(const char *s, size_t *len)
{
    size_t n = *len;
    while (n > 0 && (unsigned char)*s <= ' ') {
        s++;
        n--;
    }
    while (n > 0 && (unsigned char)s[n - 1] <= ' ')
        n--;
    *len = n;
    return s;
}

static int bad_number(eddy_err *err)
{
    return eddy_err_set(err, EDDY_EINVAL, "For input string");
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_hex(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Clinger's fast path for an already validated decimal "d* [. d*] [(e|E) [+-] d+]": when
 * the significant digits fit in 53 bits and the power of ten is at most 22, both are exact
 * doubles and one IEEE multiply or divide rounds their product correctly, as strtod would.
 * Most data (prices, measurements) takes it; strtod's copy and its general algorithm were a
 * measurable share of JSON decoding. False: use strtod. */
static bool parse_fast(const char *p, const char *end, double *out)
{
    uint64_t m = 0;
    int nd = 0, frac = 0, e = 0;
    for (; p < end && is_digit(*p); p++) {
        if (m == 0 && *p == '0')
            continue;
        if (++nd > 19)
            return false;
        m = m * 10 + (uint64_t)(*p - '0');
    }
    if (p < end && *p == '.')
        for (p++; p < end && is_digit(*p); p++) {
            frac++;
            if (m == 0 && *p == '0')
                continue;
            if (++nd > 19)
                return false;
            m = m * 10 + (uint64_t)(*p - '0');
        }
    if (p < end && (*p == 'e' || *p == 'E')) {
        bool eneg = false;
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            eneg = *p++ == '-';
        for (; p < end && is_digit(*p); p++) {
            if (e > 100000)
                return false;
            e = e * 10 + (*p - '0');
        }
        if (eneg)
            e = -e;
    }
    e -= frac;
    if (m > (UINT64_C(1) << 53))
        return false;
    if (m == 0)
        *out = 0.0;
    else if (e >= 0 && e <= 22)
        *out = (double)m * exact_pow10[e];
    else if (e < 0 && e >= -22)
        *out = (double)m / exact_pow10[-e];
    else
        return false;
    return true;
}

int eddy_double_parse(const char *s, size_t len, double *out, eddy_err *err)
{
    s = eddy_java_trim(s, &len);
    const char *p = s, *end = s + len;
    bool neg = false;
    if (p < end && (*p == '+' || *p == '-'))
        neg = *p++ == '-';
    size_t rest = (size_t)(end - p);
    if (rest == 3 && memcmp(p, "NaN", 3) == 0) {
        *out = NAN;
        return 0;
    }
    if (rest == 8 && memcmp(p, "Infinity", 8) == 0) {
        *out = neg ? -INFINITY : INFINITY;
        return 0;
    }
    const char *num = p;
    bool hex = rest >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
    if (hex) {
        /* HexSignificand BinaryExponent: 0x h* [. h*] (p|P) [+-] digits */
        p += 2;
        int nd = 0;
        while (p < end && is_hex(*p))
            p++, nd++;
        if (p < end && *p == '.')
            for (p++; p < end && is_hex(*p); p++)
                nd++;
        if (nd == 0 || p >= end || (*p != 'p' && *p != 'P'))
            return bad_number(err);
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (p >= end || !is_digit(*p))
            return bad_number(err);
        while (p < end && is_digit(*p))
            p++;
    } else {
        int nd = 0;
        while (p < end && is_digit(*p))
            p++, nd++;
        if (p < end && *p == '.')
            for (p++; p < end && is_digit(*p); p++)
                nd++;
        if (nd == 0)
            return bad_number(err);
        if (p < end && (*p == 'e' || *p == 'E')) {
            p++;
            if (p < end && (*p == '+' || *p == '-'))
                p++;
            if (p >= end || !is_digit(*p))
                return bad_number(err);
            while (p < end && is_digit(*p))
                p++;
        }
    }
    const char *numend = p;
    if (p < end && (*p == 'f' || *p == 'F' || *p == 'd' || *p == 'D'))
        p++;
    if (p != end)
        return bad_number(err);
    double v;
    if (!hex && parse_fast(num, numend, &v)) {
        *out = neg ? -v : v;
        return 0;
    }
    /* strtod wants a NUL-terminated copy; numbers longer than the stack buffer are rare. */
    size_t nl = (size_t)(numend - num);
    char stack[128], *copy = nl < sizeof stack ? stack : eddy_malloc(nl + 1);
    if (!copy)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    memcpy(copy, num, nl);
    copy[nl] = '\0';
    v = strtod(copy, NULL);
    if (copy != stack)
        eddy_free(copy);
    *out = neg ? -v : v;
    return 0;
}

static int parse_long(const char *s, size_t len, int64_t min, int64_t max, int64_t *out,
                      eddy_err *err)
{
    const char *p = s, *end = s + len;
    bool neg = false;
    if (p < end && (*p == '+' || *p == '-'))
        neg = *p++ == '-';
    if (p == end)
        return bad_number(err);
    /* Accumulate negatively, as Java does, so MIN_VALUE parses. */
    int64_t v = 0, limit = neg ? min : -max;
    for (; p < end; p++) {
        if (!is_digit(*p))
            return bad_number(err);
        int dgt = *p - '0';
        if (v < limit / 10 || v * 10 < limit + dgt)
            return bad_number(err);
        v = v * 10 - dgt;
    }
    *out = neg ? v : -v;
    return 0;
}

int eddy_i32_parse(const char *s, size_t len, int32_t *out, eddy_err *err)
{
    int64_t v;
    int rc = parse_long(s, len, INT32_MIN, INT32_MAX, &v, err);
    if (rc == 0)
        *out = (int32_t)v;
    return rc;
}

int eddy_i64_parse(const char *s, size_t len, int64_t *out, eddy_err *err)
{
    return parse_long(s, len, INT64_MIN, INT64_MAX, out, err);
}

/* ------------------------------------------------------------------------------------------
 * Values
 * ---------------------------------------------------------------------------------------- */

static int operand_type_error(eddy_err *err, const eddy_value *v, const eddy_type *rt)
{
    return eddy_err_set(err, EDDY_ETYPE, "cannot use a %s operand for a %s result",
                        eddy_type_kind_name(v->kind), eddy_type_kind_name(rt->kind));
}

static int to_i64(const eddy_value *v, const eddy_type *rt, int64_t *out, eddy_err *err)
{
    switch (v->kind) {
    case EDDY_T_INT: *out = v->u.i32; return 0;
    case EDDY_T_BIGINT: *out = v->u.i64; return 0;
    default: return operand_type_error(err, v, rt);
    }
}

static int to_f64(const eddy_value *v, const eddy_type *rt, double *out, eddy_err *err)
{
    switch (v->kind) {
    case EDDY_T_INT: *out = v->u.i32; return 0;
    case EDDY_T_BIGINT: *out = (double)v->u.i64; return 0;
    case EDDY_T_DOUBLE: *out = v->u.f64; return 0;
    case EDDY_T_DECIMAL: {
        eddy_decimal d = eddy_value_get_decimal(v);
        *out = eddy_decimal_to_double(&d);
        return 0;
    }
    default: return operand_type_error(err, v, rt);
    }
}

static int to_dec(const eddy_value *v, const eddy_type *rt, eddy_decimal *out, eddy_err *err)
{
    switch (v->kind) {
    case EDDY_T_INT: out->unscaled = v->u.i32; out->scale = 0; return 0;
    case EDDY_T_BIGINT: out->unscaled = v->u.i64; out->scale = 0; return 0;
    case EDDY_T_DECIMAL: *out = eddy_value_get_decimal(v); return 0;
    default: return operand_type_error(err, v, rt);
    }
}

int eddy_value_arith(char op, const eddy_value *l, const eddy_value *r, const eddy_type *rt,
                     eddy_arena *a, eddy_value *out, eddy_err *err)
{
    int rc;
    if (l->null || r->null) {
        *out = eddy_value_null((eddy_type_kind)rt->kind);
        return 0;
    }
    switch (rt->kind) {
    case EDDY_T_STRING: {
        if (l->kind != EDDY_T_STRING || r->kind != EDDY_T_STRING || op != '+')
            return operand_type_error(err, l->kind != EDDY_T_STRING ? l : r, rt);
        size_t n = (size_t)l->n + r->n;
        char *p = eddy_arena_alloc(a, n ? n : 1);
        if (!p)
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        memcpy(p, l->u.str, l->n);
        memcpy(p + l->n, r->u.str, r->n);
        *out = eddy_value_string(p, n);
        return 0;
    }
    case EDDY_T_INT: {
        int32_t v;
        if (l->kind != EDDY_T_INT || r->kind != EDDY_T_INT)
            return operand_type_error(err, l->kind != EDDY_T_INT ? l : r, rt);
        if ((rc = eddy_arith_i32(op, l->u.i32, r->u.i32, &v, err)))
            return rc;
        *out = eddy_value_int(v);
        return 0;
    }
    case EDDY_T_BIGINT: {
        int64_t x = 0, y = 0, v = 0;
        if ((rc = to_i64(l, rt, &x, err)) || (rc = to_i64(r, rt, &y, err)) ||
            (rc = eddy_arith_i64(op, x, y, &v, err)))
            return rc;
        *out = eddy_value_bigint(v);
        return 0;
    }
    case EDDY_T_DOUBLE: {
        double x = 0, y = 0;
        if ((rc = to_f64(l, rt, &x, err)) || (rc = to_f64(r, rt, &y, err)))
            return rc;
        if (!strchr("+-*/%", op) || !op)
            return eddy_err_set(err, EDDY_EINVAL, "unknown arithmetic operator '%c'", op);
        *out = eddy_value_double(eddy_arith_f64(op, x, y));
        return 0;
    }
    case EDDY_T_DECIMAL: {
        eddy_decimal x = {0, 0}, y = {0, 0}, v = {0, 0};
        if ((rc = to_dec(l, rt, &x, err)) || (rc = to_dec(r, rt, &y, err)) ||
            (rc = eddy_decimal_arith(op, &x, &y, rt->precision, rt->scale, &v, err)))
            return rc;
        if (v.scale > 255)
            return eddy_err_set(err, EDDY_ERANGE, "DECIMAL scale above 255");
        *out = eddy_value_decimal(&v);
        return 0;
    }
    default:
        return eddy_err_set(err, EDDY_ETYPE, "Unsupported arithmetic types. %s %s",
                            eddy_type_kind_name(l->kind), eddy_type_kind_name(r->kind));
    }
}

int eddy_value_negate(const eddy_value *v, eddy_value *out, eddy_err *err)
{
    if (v->null) {
        *out = *v;
        return 0;
    }
    switch (v->kind) {
    case EDDY_T_INT: *out = eddy_value_int((int32_t)(0u - (uint32_t)v->u.i32)); return 0;
    case EDDY_T_BIGINT: *out = eddy_value_bigint((int64_t)(0u - (uint64_t)v->u.i64)); return 0;
    case EDDY_T_DOUBLE: *out = eddy_value_double(-v->u.f64); return 0;
    case EDDY_T_DECIMAL: {
        eddy_decimal d = eddy_value_get_decimal(v);
        d.unscaled = -d.unscaled;
        *out = eddy_value_decimal(&d);
        return 0;
    }
    default:
        return eddy_err_set(err, EDDY_ETYPE, "cannot negate a %s value",
                            eddy_type_kind_name(v->kind));
    }
}
