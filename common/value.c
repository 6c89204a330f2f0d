/*
 * value.c - operations on eddy_value: deep copy into an arena, a total order with a matching
 * equality and hash (for sorting, GROUP BY keys, DISTINCT), the SQL comparison ksqlDB's
 * generated code performs (SqlToJavaVisitor.visitComparisonExpression: widening, string to
 * time parsing, NaN making every operator false), and the text of a value as Java's
 * String.valueOf prints ksqlDB's value objects (the result of CAST(x AS STRING)).
 *
 * Numbers of different kinds are ordered and hashed by their exact value, a DOUBLE by the
 * decimal Double.toString gives it (BigDecimal.valueOf, as ksqlDB compares DOUBLE with
 * DECIMAL); the hash therefore reduces every number to a canonical (mantissa without trailing
 * zeros, exponent) pair. Strings compare in UTF-16 code unit order, as java.lang.String does,
 * which differs from code point (UTF-8 byte) order only between U+E000..U+FFFF and
 * supplementary characters.
 */
#include "common_int.h"

#include <math.h>
#include <stdio.h>

/* ------------------------------------------------------------------------------------------
 * Copy
 * ---------------------------------------------------------------------------------------- */

static int copy_rec(eddy_arena *a, const eddy_value *src, eddy_value *dst, int depth,
                    eddy_err *err)
{
    eddy_value v = *src;
    if (depth > 200)
        return eddy_err_set(err, EDDY_EINVAL, "value nested too deeply");
    if (!v.null) {
        switch (v.kind) {
        case EDDY_T_STRING:
        case EDDY_T_BYTES:
            if (v.n) {
                char *p = eddy_arena_memdup(a, v.u.str, v.n);
                if (!p)
                    return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
                v.u.str = p;
            }
            break;
        case EDDY_T_ARRAY:
        case EDDY_T_STRUCT:
        case EDDY_T_MAP: {
            size_t n = (size_t)v.n * (v.kind == EDDY_T_MAP ? 2 : 1);
            if (n) {
                eddy_value *items = eddy_arena_alloc(a, n * sizeof *items);
                if (!items)
                    return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
                for (size_t i = 0; i < n; i++) {
                    int rc = copy_rec(a, &src->u.items[i], &items[i], depth + 1, err);
                    if (rc)
                        return rc;
                }
                v.u.items = items;
            }
            break;
        }
        default:
            break;
        }
    }
    *dst = v;
    return 0;
}

int eddy_value_copy(eddy_arena *a, const eddy_value *src, eddy_value *dst, eddy_err *err)
{
    return copy_rec(a, src, dst, 0, err);
}

/* ------------------------------------------------------------------------------------------
 * Ordering
 * ---------------------------------------------------------------------------------------- */

/* Start of the UTF-8 sequence containing byte i. */
static size_t utf8_start(const unsigned char *s, size_t i)
{
    while (i > 0 && (s[i] & 0xC0) == 0x80)
        i--;
    return i;
}

static uint32_t utf8_decode(const unsigned char *s, size_t n, size_t i)
{
    unsigned c = s[i];
    if (c < 0x80 || i + 1 >= n)
        return c;
    if (c < 0xE0)
        return ((c & 0x1F) << 6) | (s[i + 1] & 0x3F);
    if (c < 0xF0 || i + 3 >= n)
        return i + 2 < n ? ((c & 0x0F) << 12) | ((s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F)
                         : c;
    return ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(s[i + 1] & 0x3F) << 12) |
           ((s[i + 2] & 0x3F) << 6) | (s[i + 3] & 0x3F);
}

/* The first UTF-16 unit of code point c. */
static uint32_t utf16_first_unit(uint32_t c)
{
    return c >= 0x10000 ? 0xD800 + ((c - 0x10000) >> 10) : c;
}

int eddy__utf16_compare(const char *a, size_t na, const char *b, size_t nb)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    size_t n = na < nb ? na : nb, i = 0;
    while (i < n && x[i] == y[i])
        i++;
    if (i == n)
        return (na > nb) - (na < nb);
    /* UTF-8 byte order is code point order; only supplementary vs U+E000..U+FFFF differ. */
    size_t s = utf8_start(x, i);
    uint32_t cx = utf8_decode(x, na, s), cy = utf8_decode(y, nb, utf8_start(y, i));
    if ((cx >= 0x10000) != (cy >= 0x10000)) {
        uint32_t ux = utf16_first_unit(cx), uy = utf16_first_unit(cy);
        if (ux != uy)
            return ux < uy ? -1 : 1;
    }
    return x[i] < y[i] ? -1 : 1;
}

static bool is_num(int k) { return k >= EDDY_T_INT && k <= EDDY_T_DOUBLE; }

static eddy_decimal exact_of(const eddy_value *v)
{
    eddy_decimal d;
    switch (v->kind) {
    case EDDY_T_INT: d.unscaled = v->u.i32; d.scale = 0; break;
    case EDDY_T_BIGINT: d.unscaled = v->u.i64; d.scale = 0; break;
    default: d = eddy_value_get_decimal(v); break;
    }
    return d;
}

static double double_of(const eddy_value *v)
{
    switch (v->kind) {
    case EDDY_T_INT: return v->u.i32;
    case EDDY_T_BIGINT: return (double)v->u.i64;
    case EDDY_T_DOUBLE: return v->u.f64;
    default: {
        eddy_decimal d = eddy_value_get_decimal(v);
        return eddy_decimal_to_double(&d);
    }
    }
}

static int cmp_double_total(double a, double b)
{
    if (a < b)
        return -1;
    if (a > b)
        return 1;
    /* Double.compare: equal values, -0.0 < 0.0, NaN equal to itself and above all. */
    bool na = isnan(a), nb = isnan(b);
    if (na || nb)
        return na - nb;
    bool sa = signbit(a), sb = signbit(b);
    return sb - sa;
}

/* DOUBLE 'd' against an exact number 'x'. */
static int cmp_double_exact(double d, const eddy_value *x)
{
    if (isnan(d))
        return 1;
    if (isinf(d))
        return d > 0 ? 1 : -1;
    eddy_decimal dd, xd = exact_of(x);
    if (eddy__decimal_from_double_str(d, &dd) == 0)
        return eddy_decimal_cmp(&dd, &xd);
    double xv = double_of(x);
    return (d > xv) - (d < xv);
}

static int cmp_numbers(const eddy_value *a, const eddy_value *b)
{
    if (a->kind == EDDY_T_DOUBLE && b->kind == EDDY_T_DOUBLE)
        return cmp_double_total(a->u.f64, b->u.f64);
    if (a->kind == EDDY_T_DOUBLE)
        return cmp_double_exact(a->u.f64, b);
    if (b->kind == EDDY_T_DOUBLE)
        return -cmp_double_exact(b->u.f64, a);
    if (a->kind != EDDY_T_DECIMAL && b->kind != EDDY_T_DECIMAL) {
        int64_t x = a->kind == EDDY_T_INT ? a->u.i32 : a->u.i64;
        int64_t y = b->kind == EDDY_T_INT ? b->u.i32 : b->u.i64;
        return (x > y) - (x < y);
    }
    eddy_decimal x = exact_of(a), y = exact_of(b);
    return eddy_decimal_cmp(&x, &y);
}

/* Index of the smallest key of map 'm' greater than m's key 'after' (or the smallest when
 * 'after' is negative); -1 when none. */
static long next_key(const eddy_value *m, long after)
{
    long best = -1;
    for (uint32_t i = 0; i < m->n; i++) {
        const eddy_value *k = &m->u.items[2 * i];
        if (after >= 0 && eddy_value_compare(k, &m->u.items[2 * after]) <= 0)
            continue;
        if (best < 0 || eddy_value_compare(k, &m->u.items[2 * best]) < 0)
            best = (long)i;
    }
    return best;
}

int eddy_value_compare(const eddy_value *a, const eddy_value *b)
{
    if (a->null || b->null)
        return (int)!a->null - (int)!b->null;
    if (is_num(a->kind) && is_num(b->kind))
        return cmp_numbers(a, b);
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    switch (a->kind) {
    case EDDY_T_BOOLEAN:
        return (int)a->u.b - (int)b->u.b;
    case EDDY_T_TIME:
    case EDDY_T_DATE:
        return (a->u.i32 > b->u.i32) - (a->u.i32 < b->u.i32);
    case EDDY_T_TIMESTAMP:
        return (a->u.i64 > b->u.i64) - (a->u.i64 < b->u.i64);
    case EDDY_T_STRING:
        return eddy__utf16_compare(a->u.str, a->n, b->u.str, b->n);
    case EDDY_T_BYTES: {
        uint32_t n = a->n < b->n ? a->n : b->n;
        int c = n ? memcmp(a->u.str, b->u.str, n) : 0;
        if (c)
            return c < 0 ? -1 : 1;
        return (a->n > b->n) - (a->n < b->n);
    }
    case EDDY_T_ARRAY:
    case EDDY_T_STRUCT: {
        uint32_t n = a->n < b->n ? a->n : b->n;
        for (uint32_t i = 0; i < n; i++) {
            int c = eddy_value_compare(&a->u.items[i], &b->u.items[i]);
            if (c)
                return c;
        }
        return (a->n > b->n) - (a->n < b->n);
    }
    case EDDY_T_MAP: {
        if (a->n != b->n)
            return a->n < b->n ? -1 : 1;
        long ia = -1, ib = -1;
        for (uint32_t i = 0; i < a->n; i++) {
            ia = next_key(a, ia);
            ib = next_key(b, ib);
            if (ia < 0 || ib < 0)
                return (ia >= 0) - (ib >= 0);
            int c = eddy_value_compare(&a->u.items[2 * ia], &b->u.items[2 * ib]);
            if (!c)
                c = eddy_value_compare(&a->u.items[2 * ia + 1], &b->u.items[2 * ib + 1]);
            if (c)
                return c;
        }
        return 0;
    }
    default:
        return 0;
    }
}

bool eddy_value_equal(const eddy_value *a, const eddy_value *b)
{
    if (!a->null && !b->null && a->kind == b->kind) {
        switch (a->kind) {
        case EDDY_T_INT: return a->u.i32 == b->u.i32;
        case EDDY_T_BIGINT: return a->u.i64 == b->u.i64;
        case EDDY_T_STRING:
        case EDDY_T_BYTES: return a->n == b->n && (!a->n || !memcmp(a->u.str, b->u.str, a->n));
        default: break;
        }
    }
    return eddy_value_compare(a, b) == 0;
}

/* ------------------------------------------------------------------------------------------
 * Hash
 * ---------------------------------------------------------------------------------------- */

static uint64_t mix(uint64_t h, uint64_t v)
{
    uint64_t z = h ^ (v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2));
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Numbers: canonical (mantissa without trailing zeros, exponent). */
static uint64_t hash_number(eddy_i128 m, long e)
{
    if (m == 0)
        e = 0;
    else
        while (m % 10 == 0) {
            m /= 10;
            e++;
        }
    uint64_t h = mix(0x6e756d, (uint64_t)(eddy_u128)m);
    h = mix(h, (uint64_t)((eddy_u128)m >> 64));
    return mix(h, (uint64_t)e);
}

static uint64_t hash_rec(const eddy_value *v)
{
    if (v->null)
        return 0x6e756c6cull;
    switch (v->kind) {
    case EDDY_T_INT: return hash_number(v->u.i32, 0);
    case EDDY_T_BIGINT: return hash_number(v->u.i64, 0);
    case EDDY_T_DECIMAL: {
        eddy_decimal d = eddy_value_get_decimal(v);
        return hash_number(d.unscaled, -(long)d.scale);
    }
    case EDDY_T_DOUBLE: {
        double d = v->u.f64;
        if (isnan(d))
            return 0x4e614e;
        if (isinf(d))
            return d > 0 ? 0x496e66 : 0x2d496e66;
        if (d == 0)
            return hash_number(0, 0);
        if (d == trunc(d) && fabs(d) < 9007199254740992.0)
            return hash_number((eddy_i128)d, 0);
        char dg[20];
        int e, n = eddy__double_shortest(d, dg, &e);
        eddy_i128 m = 0;
        for (int i = 0; i < n; i++)
            m = m * 10 + (dg[i] - '0');
        return hash_number(d < 0 ? -m : m, (long)e - (n - 1));
    }
    case EDDY_T_BOOLEAN: return mix(EDDY_T_BOOLEAN, v->u.b);
    case EDDY_T_TIME:
    case EDDY_T_DATE: return mix(v->kind, (uint64_t)(int64_t)v->u.i32);
    case EDDY_T_TIMESTAMP: return mix(v->kind, (uint64_t)v->u.i64);
    case EDDY_T_STRING:
    case EDDY_T_BYTES: return mix(v->kind, eddy_hash64(v->u.str, v->n));
    case EDDY_T_ARRAY:
    case EDDY_T_STRUCT: {
        uint64_t h = mix(v->kind, v->n);
        for (uint32_t i = 0; i < v->n; i++)
            h = mix(h, hash_rec(&v->u.items[i]));
        return h;
    }
    case EDDY_T_MAP: {
        uint64_t sum = 0;
        for (uint32_t i = 0; i < v->n; i++)
            sum += mix(hash_rec(&v->u.items[2 * i]), hash_rec(&v->u.items[2 * i + 1]));
        return mix(mix(EDDY_T_MAP, v->n), sum);
    }
    default:
        return mix(v->kind, 0);
    }
}

uint64_t eddy_value_hash(const eddy_value *v) { return hash_rec(v); }

/* ------------------------------------------------------------------------------------------
 * SQL comparison
 * ---------------------------------------------------------------------------------------- */

static int incomparable(eddy_err *err, const eddy_value *a, const eddy_value *b)
{
    return eddy_err_set(err, EDDY_ETYPE, "Cannot compare %s to %s",
                        eddy_type_kind_name(a->kind), eddy_type_kind_name(b->kind));
}

static int to_bigdecimal(const eddy_value *v, eddy_decimal *out, eddy_err *err)
{
    if (v->kind == EDDY_T_DOUBLE) {
        if (!isfinite(v->u.f64))
            return eddy_err_set(err, EDDY_EINVAL, "Infinite or NaN");
        if (eddy__decimal_from_double_str(v->u.f64, out))
            return eddy_err_set(err, EDDY_ERANGE, "DOUBLE too large or small for DECIMAL "
                                "comparison");
        return 0;
    }
    *out = exact_of(v);
    return 0;
}

/* TIME operand: TIME or STRING parsed as a time. */
static int as_time(const eddy_value *v, const eddy_value *other, int64_t *out, eddy_err *err)
{
    if (v->kind == EDDY_T_TIME) {
        *out = v->u.i32;
        return 0;
    }
    if (v->kind == EDDY_T_STRING) {
        int32_t t;
        int rc = eddy_time_parse(v->u.str, v->n, &t, err);
        *out = t;
        return rc;
    }
    return incomparable(err, v, other);
}

static int as_timestamp(const eddy_value *v, const eddy_value *other, int64_t *out,
                        eddy_err *err)
{
    switch (v->kind) {
    case EDDY_T_TIMESTAMP: *out = v->u.i64; return 0;
    case EDDY_T_DATE: *out = (int64_t)v->u.i32 * EDDY_MS_PER_DAY; return 0;
    case EDDY_T_STRING: return eddy_timestamp_parse(v->u.str, v->n, out, err);
    default: return incomparable(err, v, other);
    }
}

static int as_date(const eddy_value *v, const eddy_value *other, int64_t *out, eddy_err *err)
{
    if (v->kind == EDDY_T_DATE) {
        *out = v->u.i32;
        return 0;
    }
    if (v->kind == EDDY_T_STRING) {
        int32_t d;
        int rc = eddy_date_parse(v->u.str, v->n, &d, err);
        *out = d;
        return rc;
    }
    return incomparable(err, v, other);
}

static bool is_time_kind(int k) { return k >= EDDY_T_TIME && k <= EDDY_T_TIMESTAMP; }

int eddy_value_sql_compare(const eddy_value *a, const eddy_value *b, int *cmp, eddy_err *err)
{
    int rc;
    if (a->null || b->null) {
        *cmp = EDDY_CMP_UNORDERED;
        return 0;
    }
    if (is_num(a->kind) && is_num(b->kind)) {
        if (a->kind == EDDY_T_DECIMAL || b->kind == EDDY_T_DECIMAL) {
            eddy_decimal x, y;
            if ((rc = to_bigdecimal(a, &x, err)) || (rc = to_bigdecimal(b, &y, err)))
                return rc;
            *cmp = eddy_decimal_cmp(&x, &y);
        } else if (a->kind == EDDY_T_DOUBLE || b->kind == EDDY_T_DOUBLE) {
            double x = double_of(a), y = double_of(b);
            *cmp = isnan(x) || isnan(y) ? EDDY_CMP_UNORDERED : (x > y) - (x < y);
        } else {
            int64_t x = a->kind == EDDY_T_INT ? a->u.i32 : a->u.i64;
            int64_t y = b->kind == EDDY_T_INT ? b->u.i32 : b->u.i64;
            *cmp = (x > y) - (x < y);
        }
        return 0;
    }
    if (is_time_kind(a->kind) || is_time_kind(b->kind)) {
        int64_t x, y;
        if (a->kind == EDDY_T_TIME || b->kind == EDDY_T_TIME) {
            if ((rc = as_time(a, b, &x, err)) || (rc = as_time(b, a, &y, err)))
                return rc;
        } else if (a->kind == EDDY_T_TIMESTAMP || b->kind == EDDY_T_TIMESTAMP) {
            if ((rc = as_timestamp(a, b, &x, err)) || (rc = as_timestamp(b, a, &y, err)))
                return rc;
        } else {
            if ((rc = as_date(a, b, &x, err)) || (rc = as_date(b, a, &y, err)))
                return rc;
        }
        *cmp = (x > y) - (x < y);
        return 0;
    }
    if (a->kind != b->kind)
        return incomparable(err, a, b);
    switch (a->kind) {
    case EDDY_T_STRING:
        *cmp = eddy__utf16_compare(a->u.str, a->n, b->u.str, b->n);
        *cmp = (*cmp > 0) - (*cmp < 0);
        return 0;
    case EDDY_T_BOOLEAN:
        *cmp = (int)a->u.b - (int)b->u.b;
        return 0;
    case EDDY_T_BYTES: {
        /* ByteBuffer.compareTo: elements compared as signed bytes. */
        uint32_t n = a->n < b->n ? a->n : b->n;
        for (uint32_t i = 0; i < n; i++) {
            int8_t x = (int8_t)a->u.str[i], y = (int8_t)b->u.str[i];
            if (x != y) {
                *cmp = x < y ? -1 : 1;
                return 0;
            }
        }
        *cmp = (a->n > b->n) - (a->n < b->n);
        return 0;
    }
    case EDDY_T_ARRAY:
    case EDDY_T_MAP:
    case EDDY_T_STRUCT:
        *cmp = eddy_value_equal(a, b) ? 0 : 1;
        return 0;
    default:
        return incomparable(err, a, b);
    }
}

/* ------------------------------------------------------------------------------------------
 * Text
 * ---------------------------------------------------------------------------------------- */

int eddy__value_format(const eddy_value *v, const eddy_type *t, bool nested, eddy_buf *out)
{
    char buf[64];
    int n, rc;
    if (v->null)
        return eddy_buf_append(out, "null", 4);
    switch (v->kind) {
    case EDDY_T_BOOLEAN:
        return v->u.b ? eddy_buf_append(out, "true", 4) : eddy_buf_append(out, "false", 5);
    case EDDY_T_INT:
        return eddy_buf_printf(out, "%d", v->u.i32);
    case EDDY_T_BIGINT:
        return eddy_buf_printf(out, "%lld", (long long)v->u.i64);
    case EDDY_T_DOUBLE:
        n = eddy_double_format(v->u.f64, buf);
        return eddy_buf_append(out, buf, (size_t)n);
    case EDDY_T_DECIMAL: {
        eddy_decimal d = eddy_value_get_decimal(v);
        return eddy_decimal_format(&d, nested, out);
    }
    case EDDY_T_STRING:
        return eddy_buf_append(out, v->u.str, v->n);
    case EDDY_T_BYTES:
        return eddy_buf_printf(out, "java.nio.HeapByteBuffer[pos=0 lim=%u cap=%u]", v->n, v->n);
    case EDDY_T_TIMESTAMP:
        n = nested ? eddy__sql_timestamp_tostring(v->u.i64, buf)
                   : eddy_timestamp_format(v->u.i64, buf);
        return eddy_buf_append(out, buf, (size_t)n);
    case EDDY_T_DATE:
        n = eddy_date_format(v->u.i32, buf);
        return eddy_buf_append(out, buf, (size_t)n);
    case EDDY_T_TIME:
        n = nested ? eddy__sql_time_tostring(v->u.i32, buf) : eddy_time_format(v->u.i32, buf);
        return eddy_buf_append(out, buf, (size_t)n);
    case EDDY_T_ARRAY:
        if ((rc = eddy_buf_append(out, "[", 1)))
            return rc;
        for (uint32_t i = 0; i < v->n; i++)
            if ((i && (rc = eddy_buf_append(out, ", ", 2))) ||
                (rc = eddy__value_format(&v->u.items[i], t ? t->elem : NULL, true, out)))
                return rc;
        return eddy_buf_append(out, "]", 1);
    case EDDY_T_MAP:
        if ((rc = eddy_buf_append(out, "{", 1)))
            return rc;
        for (uint32_t i = 0; i < v->n; i++)
            if ((i && (rc = eddy_buf_append(out, ", ", 2))) ||
                (rc = eddy__value_format(&v->u.items[2 * i], t ? t->key : NULL, true, out)) ||
                (rc = eddy_buf_append(out, "=", 1)) ||
                (rc = eddy__value_format(&v->u.items[2 * i + 1], t ? t->elem : NULL, true,
                                         out)))
                return rc;
        return eddy_buf_append(out, "}", 1);
    case EDDY_T_STRUCT: {
        /* org.apache.kafka.connect.data.Struct.toString: null fields are left out. */
        bool first = true;
        if ((rc = eddy_buf_append(out, "Struct{", 7)))
            return rc;
        for (uint32_t i = 0; i < v->n; i++) {
            const eddy_value *f = &v->u.items[i];
            if (f->null)
                continue;
            const eddy_type_field *tf = t && i < t->nfields ? &t->fields[i] : NULL;
            if ((!first && (rc = eddy_buf_append(out, ",", 1))))
                return rc;
            first = false;
            if (tf)
                rc = eddy_buf_printf(out, "%s=", tf->name);
            else
                rc = eddy_buf_printf(out, "%u=", i);
            if (rc || (rc = eddy__value_format(f, tf ? tf->type : NULL, true, out)))
                return rc;
        }
        return eddy_buf_append(out, "}", 1);
    }
    default:
        return eddy_buf_append(out, "null", 4);
    }
}

int eddy_value_format(const eddy_value *v, const eddy_type *t, eddy_buf *out)
{
    return eddy__value_format(v, t, false, out);
}
