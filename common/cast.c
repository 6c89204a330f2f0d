/*
 * cast.c - CAST(x AS T) with ksqlDB's CastEvaluator matrix and conversions:
 *
 *   from \ to   BOOLEAN INT BIGINT DECIMAL DOUBLE STRING TIMESTAMP DATE TIME BYTES composite
 *   BOOLEAN        =                              yes
 *   INT                  =   yes    yes     yes    yes
 *   BIGINT              yes   =     yes     yes    yes
 *   DECIMAL             yes  yes    yes     yes    yes
 *   DOUBLE              yes  yes    yes      =     yes
 *   STRING        yes   yes  yes    yes     yes     =     yes     yes  yes   yes
 *   TIMESTAMP                                      yes     =      yes  yes
 *   DATE                                           yes    yes      =
 *   TIME                                           yes                   =
 *   BYTES                                                                      =
 *   ARRAY/MAP/STRUCT: to STRING, or to the same kind when the elements (fields present in
 *   both structs) cast; a struct field missing from the source becomes NULL.
 *
 * Numeric conversions are Java's: (int)/(long) of a double truncates and saturates (NaN is
 * 0), long to int and BigDecimal.intValue/longValue keep the low bits; to DECIMAL goes
 * through DecimalUtil.cast (integer digits checked first, then HALF_UP rounding). Strings are
 * trimmed (String.trim) and parsed with Integer.parseInt, Long.parseLong, SqlDoubles
 * (Double.parseDouble refusing NaN and Infinity), BigDecimal, SqlBooleans.parseBoolean (a
 * non-empty prefix of "true" or "yes", case-insensitive, is true; anything else false),
 * java.util.Base64's basic decoder, and SqlTimeTypes for the time kinds. To STRING is
 * String.valueOf of the Java value, with ksqlDB's own forms for DECIMAL (toPlainString) and
 * the time kinds (see value.c and sqltime.c).
 */
#include "common_int.h"

#include <math.h>

static bool cast_pair(int f, int t)
{
    switch (f) {
    case EDDY_T_BOOLEAN:
        return t == EDDY_T_STRING;
    case EDDY_T_INT:
    case EDDY_T_BIGINT:
    case EDDY_T_DECIMAL:
    case EDDY_T_DOUBLE:
        return (t >= EDDY_T_INT && t <= EDDY_T_DOUBLE) || t == EDDY_T_STRING;
    case EDDY_T_STRING:
        return t != EDDY_T_ARRAY && t != EDDY_T_MAP && t != EDDY_T_STRUCT && t != EDDY_T_NULL;
    case EDDY_T_TIMESTAMP:
        return t == EDDY_T_STRING || t == EDDY_T_TIME || t == EDDY_T_DATE;
    case EDDY_T_DATE:
        return t == EDDY_T_STRING || t == EDDY_T_TIMESTAMP;
    case EDDY_T_TIME:
    case EDDY_T_ARRAY:
    case EDDY_T_MAP:
    case EDDY_T_STRUCT:
        return t == EDDY_T_STRING;
    default:
        return false;
    }
}

bool eddy_cast_supported(const eddy_type *from, const eddy_type *to)
{
    if (!from || from->kind == EDDY_T_NULL || eddy_type_equal(from, to))
        return true;
    if (from->kind == to->kind) {
        switch (from->kind) {
        case EDDY_T_DECIMAL:
            return true;
        case EDDY_T_ARRAY:
            return eddy_cast_supported(from->elem, to->elem);
        case EDDY_T_MAP:
            return eddy_cast_supported(from->key, to->key) &&
                   eddy_cast_supported(from->elem, to->elem);
        case EDDY_T_STRUCT:
            for (uint32_t i = 0; i < from->nfields; i++) {
                const eddy_type_field *ff = &from->fields[i];
                const eddy_type_field *tf = eddy_type_field_find(to, ff->name,
                                                                 strlen(ff->name), NULL);
                if (tf && !eddy_cast_supported(ff->type, tf->type))
                    return false;
            }
            return true;
        default:
            return false;
        }
    }
    return cast_pair(from->kind, to->kind);
}

static int unsupported(const eddy_type *from, const eddy_type *to, eddy_err *err)
{
    eddy_buf bf, bt;
    eddy_buf_init(&bf);
    eddy_buf_init(&bt);
    eddy_type_format(from, &bf);
    eddy_type_format(to, &bt);
    const char *sf = eddy_buf_cstr(&bf), *st = eddy_buf_cstr(&bt);
    int rc = eddy_err_set(err, EDDY_ETYPE, "Cast of %.100s to %.100s is not supported",
                          sf ? sf : "?", st ? st : "?");
    eddy_buf_free(&bf);
    eddy_buf_free(&bt);
    return rc;
}

/* Java's (int) and (long) of a double. */
static int32_t d2i(double d)
{
    if (isnan(d))
        return 0;
    if (d >= 2147483647.0)
        return INT32_MAX;
    if (d <= -2147483648.0)
        return INT32_MIN;
    return (int32_t)d;
}

static int64_t d2l(double d)
{
    if (isnan(d))
        return 0;
    if (d >= 9223372036854775807.0)
        return INT64_MAX;
    if (d <= -9223372036854775808.0)
        return INT64_MIN;
    return (int64_t)d;
}

/* SqlBooleans.parseBoolean: a non-empty prefix of "true" or "yes", ignoring case. */
static bool parse_bool_lenient(const char *s, size_t n)
{
    return n > 0 && ((n <= 4 && strncasecmp(s, "true", n) == 0) ||
                     (n <= 3 && strncasecmp(s, "yes", n) == 0));
}

/* java.util.Base64.getDecoder() (common/base64.c). */
static int base64_decode(eddy_arena *a, const char *s, size_t n, eddy_value *out,
                         eddy_err *err)
{
    uint8_t *dst = eddy_arena_alloc(a, n / 4 * 3 + 3);
    if (!dst)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    size_t len;
    const char *why;
    if (eddy_base64_decode_to(s, n, dst, &len, &why) != 0)
        return eddy_err_set(err, EDDY_EINVAL, "%s", why);
    *out = eddy_value_bytes(dst, len);
    return 0;
}

static int to_string(const eddy_value *v, const eddy_type *from, eddy_arena *a,
                     eddy_value *out, eddy_err *err)
{
    eddy_buf b;
    eddy_buf_init(&b);
    int rc = eddy_value_format(v, from, &b);
    char *p = NULL;
    if (rc == 0 && !(p = eddy_arena_memdup(a, b.data ? (const void *)b.data : "", b.len + 1)))
        rc = EDDY_ENOMEM;
    size_t n = b.len;
    eddy_buf_free(&b);
    if (rc)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    *out = eddy_value_string(p, n);
    return 0;
}

static int parse_double_sql(const char *s, size_t n, double *d, eddy_err *err)
{
    int rc = eddy_double_parse(s, n, d, err);
    if (rc == 0 && !isfinite(*d))
        return eddy_err_set(err, EDDY_EINVAL, "Invalid double value");
    return rc;
}

int eddy_cast(const eddy_value *v, const eddy_type *from, const eddy_type *to, eddy_arena *a,
              eddy_value *out, eddy_err *err)
{
    int rc;
    if (!eddy_cast_supported(from, to))
        return unsupported(from, to, err);
    if (v->null || !from || from->kind == EDDY_T_NULL) {
        *out = eddy_value_null((eddy_type_kind)to->kind);
        return 0;
    }
    if (eddy_type_equal(from, to)) {
        *out = *v;
        return 0;
    }
    const char *s = v->u.str;
    size_t sn = v->n;
    if (v->kind == EDDY_T_STRING)
        s = eddy_java_trim(s, &sn);
    switch (to->kind) {
    case EDDY_T_STRING:
        return to_string(v, from, a, out, err);
    case EDDY_T_BOOLEAN:
        *out = eddy_value_bool(parse_bool_lenient(s, sn));
        return 0;
    case EDDY_T_INT: {
        int32_t i = 0;
        switch (v->kind) {
        case EDDY_T_BIGINT: i = (int32_t)(uint32_t)(uint64_t)v->u.i64; break;
        case EDDY_T_DOUBLE: i = d2i(v->u.f64); break;
        case EDDY_T_DECIMAL: {
            eddy_decimal d = eddy_value_get_decimal(v);
            i = (int32_t)(uint32_t)(uint64_t)eddy_decimal_to_i64(&d);
            break;
        }
        case EDDY_T_STRING:
            if ((rc = eddy_i32_parse(s, sn, &i, err)))
                return rc;
            break;
        default: return unsupported(from, to, err);
        }
        *out = eddy_value_int(i);
        return 0;
    }
    case EDDY_T_BIGINT: {
        int64_t l = 0;
        switch (v->kind) {
        case EDDY_T_INT: l = v->u.i32; break;
        case EDDY_T_DOUBLE: l = d2l(v->u.f64); break;
        case EDDY_T_DECIMAL: {
            eddy_decimal d = eddy_value_get_decimal(v);
            l = eddy_decimal_to_i64(&d);
            break;
        }
        case EDDY_T_STRING:
            if ((rc = eddy_i64_parse(s, sn, &l, err)))
                return rc;
            break;
        default: return unsupported(from, to, err);
        }
        *out = eddy_value_bigint(l);
        return 0;
    }
    case EDDY_T_DOUBLE: {
        double d = 0;
        switch (v->kind) {
        case EDDY_T_INT: d = v->u.i32; break;
        case EDDY_T_BIGINT: d = (double)v->u.i64; break;
        case EDDY_T_DECIMAL: {
            eddy_decimal x = eddy_value_get_decimal(v);
            d = eddy_decimal_to_double(&x);
            break;
        }
        case EDDY_T_STRING:
            if ((rc = parse_double_sql(s, sn, &d, err)))
                return rc;
            break;
        default: return unsupported(from, to, err);
        }
        *out = eddy_value_double(d);
        return 0;
    }
    case EDDY_T_DECIMAL: {
        eddy_decimal d;
        int p = to->precision, sc = to->scale;
        switch (v->kind) {
        case EDDY_T_INT: rc = eddy_decimal_from_i64(v->u.i32, p, sc, &d, err); break;
        case EDDY_T_BIGINT: rc = eddy_decimal_from_i64(v->u.i64, p, sc, &d, err); break;
        case EDDY_T_DOUBLE: rc = eddy_decimal_from_double(v->u.f64, p, sc, &d, err); break;
        case EDDY_T_DECIMAL: {
            eddy_decimal x = eddy_value_get_decimal(v);
            rc = eddy_decimal_cast(&x, p, sc, &d, err);
            break;
        }
        case EDDY_T_STRING: rc = eddy_decimal_parse_fit(s, sn, p, sc, false, &d, err); break;
        default: return unsupported(from, to, err);
        }
        if (rc)
            return rc;
        if (d.scale > 255)
            return eddy_err_set(err, EDDY_ERANGE, "DECIMAL scale above 255");
        *out = eddy_value_decimal(&d);
        return 0;
    }
    case EDDY_T_TIMESTAMP: {
        int64_t ms;
        if (v->kind == EDDY_T_DATE)
            ms = (int64_t)v->u.i32 * EDDY_MS_PER_DAY;
        else if ((rc = eddy_timestamp_parse(s, sn, &ms, err)))
            return rc;
        *out = eddy_value_timestamp(ms);
        return 0;
    }
    case EDDY_T_DATE: {
        int32_t days;
        if (v->kind == EDDY_T_TIMESTAMP) {
            int64_t d = eddy_ts_days(v->u.i64);
            if (d < INT32_MIN || d > INT32_MAX)
                return eddy_err_set(err, EDDY_ERANGE, "DATE out of range");
            days = (int32_t)d;
        } else if ((rc = eddy_date_parse(s, sn, &days, err))) {
            return rc;
        }
        *out = eddy_value_date(days);
        return 0;
    }
    case EDDY_T_TIME: {
        int32_t ms;
        if (v->kind == EDDY_T_TIMESTAMP)
            ms = (int32_t)(v->u.i64 - eddy_ts_days(v->u.i64) * EDDY_MS_PER_DAY);
        else if ((rc = eddy_time_parse(s, sn, &ms, err)))
            return rc;
        *out = eddy_value_time(ms);
        return 0;
    }
    case EDDY_T_BYTES:
        return base64_decode(a, s, sn, out, err);
    case EDDY_T_ARRAY: {
        eddy_value *items = v->n ? eddy_arena_alloc(a, v->n * sizeof *items) : NULL;
        if (v->n && !items)
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        for (uint32_t i = 0; i < v->n; i++)
            if ((rc = eddy_cast(&v->u.items[i], from->elem, to->elem, a, &items[i], err)))
                return rc;
        *out = eddy_value_composite(EDDY_T_ARRAY, items, v->n);
        return 0;
    }
    case EDDY_T_MAP: {
        eddy_value *items = v->n ? eddy_arena_alloc(a, 2 * v->n * sizeof *items) : NULL;
        uint32_t n = 0;
        if (v->n && !items)
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        for (uint32_t i = 0; i < v->n; i++) {
            eddy_value k, val;
            if ((rc = eddy_cast(&v->u.items[2 * i], from->key, to->key, a, &k, err)) ||
                (rc = eddy_cast(&v->u.items[2 * i + 1], from->elem, to->elem, a, &val, err)))
                return rc;
            /* HashMap.put: a key that casts to an existing one replaces its value. */
            uint32_t j = 0;
            while (j < n && !eddy_value_equal(&items[2 * j], &k))
                j++;
            items[2 * j] = k;
            items[2 * j + 1] = val;
            if (j == n)
                n++;
        }
        *out = eddy_value_composite(EDDY_T_MAP, items, n);
        return 0;
    }
    case EDDY_T_STRUCT: {
        uint32_t n = to->nfields;
        eddy_value *items = n ? eddy_arena_alloc(a, n * sizeof *items) : NULL;
        if (n && !items)
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        for (uint32_t i = 0; i < n; i++) {
            const eddy_type_field *tf = &to->fields[i];
            uint32_t fi;
            const eddy_type_field *ff = eddy_type_field_find(from, tf->name, strlen(tf->name),
                                                             &fi);
            if (!ff || fi >= v->n) {
                items[i] = eddy_value_null((eddy_type_kind)tf->type->kind);
                continue;
            }
            if ((rc = eddy_cast(&v->u.items[fi], ff->type, tf->type, a, &items[i], err)))
                return rc;
        }
        *out = eddy_value_composite(EDDY_T_STRUCT, items, n);
        return 0;
    }
    default:
        return unsupported(from, to, err);
    }
}
