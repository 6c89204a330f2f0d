/*
 * functions/fn_math.c - mathematical functions.
 *
 * Semantics from ksqlDB's io.confluent.ksql.function.udf.math classes (Abs, Ceil, Floor,
 * Round, Trunc, Sqrt, Cbrt, Exp, Ln, Log, Power, Sign, Random, Greatest, Least, Degrees,
 * Radians, Pi and the trigonometric functions) and geo.GeoDistance. Java's Math and
 * BigDecimal rounding are reproduced exactly: ROUND(DOUBLE) is Math.round (ties toward
 * positive infinity); ROUND(x, n) rounds BigDecimal.valueOf(x) (the Double.toString digits)
 * HALF_UP for positive and HALF_DOWN otherwise; TRUNC rounds DOWN. Overloads taking
 * DOUBLE also serve INTEGER and BIGINT arguments through the implicit cast, as ksqlDB's
 * Integer/Long overloads only call the Double one.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <time.h>

#include "functions_int.h"

#define NUL(i) (args[i].null)
#define D(i) (args[i].u.f64)

static int npe(eddy_err *err)
{
    return eddy_err_set(err, EDDY_EINVAL,
                        "java.lang.NullPointerException: NULL passed to a primitive parameter");
}

/* ---------------------------------------------------------------------------------------------
 * Decimal rounding
 * ------------------------------------------------------------------------------------------- */

enum { R_HALF_UP, R_HALF_DOWN, R_DOWN, R_CEILING, R_FLOOR };

static __int128 pow10i(int n)
{
    __int128 p = 1;
    while (n-- > 0)
        p *= 10;
    return p;
}

/* BigDecimal.setScale(dp, mode) followed by setScale(keep_scale) when keep_scale >= 0 (the
 * result is then expressed at that scale), else at max(dp, 0). */
static int round_decimal(const eddy_decimal *in, int dp, int mode, int keep_scale,
                         eddy_decimal *out, eddy_err *err)
{
    __int128 u = in->unscaled;
    int s = in->scale;
    __int128 q;
    if (dp >= s) {
        q = u;   /* nothing to drop */
        if (keep_scale < 0) {
            if (dp - s > 38)
                return eddy_err_set(err, EDDY_ERANGE, "Numeric overflow");
            out->unscaled = u * pow10i(dp - s);
            out->scale = dp;
        } else {
            *out = *in;
        }
        return 0;
    }
    int drop = s - dp;
    if (drop > 38) {
        q = 0;
        __int128 r = u;
        bool pos = r > 0;
        /* |r| < 10^38 < half of 10^drop: only CEILING/FLOOR move away from zero */
        if ((mode == R_CEILING && pos) || (mode == R_FLOOR && r < 0))
            q = pos ? 1 : -1;
    } else {
        __int128 div = pow10i(drop);
        q = u / div;
        __int128 r = u % div;
        __int128 ar = r < 0 ? -r : r, half2 = ar * 2;
        int sign = u < 0 ? -1 : 1;
        if (r != 0) {
            switch (mode) {
            case R_HALF_UP:
                if (half2 >= div)
                    q += sign;
                break;
            case R_HALF_DOWN:
                if (half2 > div)
                    q += sign;
                break;
            case R_CEILING:
                if (sign > 0)
                    q += 1;
                break;
            case R_FLOOR:
                if (sign < 0)
                    q -= 1;
                break;
            default:
                break;
            }
        }
    }
    /* q is the value in units of 10^-dp */
    int target = keep_scale >= 0 ? keep_scale : (dp > 0 ? dp : 0);
    int shift = target - dp;
    if (shift > 38)
        return eddy_err_set(err, EDDY_ERANGE, "Numeric overflow");
    out->unscaled = q * pow10i(shift);
    out->scale = target;
    return 0;
}

static int decimal_of_double(double d, eddy_decimal *out, eddy_err *err)
{
    char buf[EDDY_DOUBLE_BUF];
    int n = eddy_double_format(d, buf);
    return eddy_decimal_parse(buf, (size_t)n, out, err);
}

/* Math.round(double) */
static int64_t java_round(double x)
{
    if (isnan(x))
        return 0;
    double f = floor(x);
    double r = (x - f >= 0.5) ? f + 1 : f;
    if (r >= 9223372036854775807.0)
        return INT64_MAX;
    if (r <= -9223372036854775808.0)
        return INT64_MIN;
    return (int64_t)r;
}

/* ROUND / TRUNC share the overload list:
 * 0 BIGINT, 1 INTEGER, 2 DOUBLE, 3 DOUBLE+places, 4 DECIMAL, 5 DECIMAL+places. */
static int round_like(const eddy_value *args, int variant, bool trunc, eddy_value *out,
                      eddy_err *err)
{
    int mode;
    switch (variant) {
    case 0:
    case 1:
        if (NUL(0))
            return trunc ? (*out = eddy_value_null(EDDY_T_BIGINT), 0) : npe(err);
        *out = eddy_value_bigint(variant == 0 ? args[0].u.i64 : args[0].u.i32);
        return 0;
    case 2:
        if (NUL(0)) {
            *out = eddy_value_null(EDDY_T_BIGINT);
            return 0;
        }
        if (trunc) {   /* Double.longValue */
            double d = D(0);
            *out = eddy_value_bigint(isnan(d) ? 0 : d >= 9223372036854775807.0 ? INT64_MAX
                                     : d <= -9223372036854775808.0 ? INT64_MIN : (int64_t)d);
        } else {
            *out = eddy_value_bigint(java_round(D(0)));
        }
        return 0;
    case 3: {
        if (NUL(0) || NUL(1)) {
            *out = eddy_value_null(EDDY_T_DOUBLE);
            return 0;
        }
        double d = D(0);
        if (isnan(d) || isinf(d))
            return eddy_err_set(err, EDDY_EINVAL, "Infinite or NaN");
        if (fabs(d) >= 1e17 && args[1].u.i32 >= 0) {
            *out = eddy_value_double(d);   /* no fraction digits to round */
            return 0;
        }
        eddy_decimal x, r;
        int rc = decimal_of_double(d, &x, err);
        if (rc)
            return rc;
        mode = trunc ? R_DOWN : (x.unscaled > 0 ? R_HALF_UP : R_HALF_DOWN);
        rc = round_decimal(&x, args[1].u.i32, mode, -1, &r, err);
        if (rc)
            return rc;
        *out = eddy_value_double(eddy_decimal_to_double(&r));
        return 0;
    }
    default: {
        if (NUL(0) || (variant == 5 && NUL(1))) {
            *out = eddy_value_null(EDDY_T_DECIMAL);
            return 0;
        }
        eddy_decimal x = eddy_value_get_decimal(&args[0]), r;
        mode = trunc ? R_DOWN : (x.unscaled > 0 ? R_HALF_UP : R_HALF_DOWN);
        int rc = variant == 4 ? round_decimal(&x, 0, mode, -1, &r, err)
                              : round_decimal(&x, args[1].u.i32, mode, x.scale, &r, err);
        if (rc)
            return rc;
        *out = eddy_value_decimal(&r);
        return 0;
    }
    }
}

static int round_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                      eddy_value *out, eddy_err *err)
{
    (void)ctx, (void)nargs;
    return round_like(args, call->u.call.variant, false, out, err);
}

static int trunc_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                      eddy_value *out, eddy_err *err)
{
    (void)ctx, (void)nargs;
    return round_like(args, call->u.call.variant, true, out, err);
}

/* DECIMAL(p - s, 0) for ROUND(DECIMAL) / TRUNC(DECIMAL). */
static int round_dec_ret(eddy_arena *a, const fn_arg *args, int nargs, const eddy_type **ret,
                         eddy_err *err)
{
    (void)nargs;
    const eddy_type *t = args[0].type;
    int p = t ? t->precision - t->scale : 1;
    return eddy_type_decimal(a, p < 1 ? 1 : p, 0, ret, err);
}

/* ---------------------------------------------------------------------------------------------
 * ABS, CEIL, FLOOR, SIGN
 * ------------------------------------------------------------------------------------------- */

static int abs_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                    eddy_value *out, eddy_err *err)
{
    (void)ctx, (void)call, (void)nargs, (void)err;
    *out = args[0];
    switch (args[0].kind) {
    case EDDY_T_INT:   /* Math.abs(MIN_VALUE) == MIN_VALUE */
        out->u.i32 = args[0].u.i32 < 0 ? (int32_t)(0u - (uint32_t)args[0].u.i32) : args[0].u.i32;
        break;
    case EDDY_T_BIGINT:
        out->u.i64 = args[0].u.i64 < 0 ? (int64_t)(0ull - (uint64_t)args[0].u.i64) : args[0].u.i64;
        break;
    case EDDY_T_DOUBLE:
        out->u.f64 = fabs(args[0].u.f64);
        break;
    default: {
        eddy_decimal d = eddy_value_get_decimal(&args[0]);
        if (d.unscaled < 0)
            d.unscaled = -d.unscaled;
        *out = eddy_value_decimal(&d);
        break;
    }
    }
    return 0;
}

static int ceil_floor(const eddy_value *args, bool ceil_, eddy_value *out, eddy_err *err)
{
    *out = args[0];
    if (args[0].kind == EDDY_T_DOUBLE) {
        out->u.f64 = ceil_ ? ceil(args[0].u.f64) : floor(args[0].u.f64);
    } else if (args[0].kind == EDDY_T_DECIMAL) {
        eddy_decimal d = eddy_value_get_decimal(&args[0]), r;
        int rc = round_decimal(&d, 0, ceil_ ? R_CEILING : R_FLOOR, d.scale, &r, err);
        if (rc)
            return rc;
        *out = eddy_value_decimal(&r);
    }
    return 0;
}

static int ceil_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                     eddy_value *out, eddy_err *err)
{
    (void)ctx, (void)call, (void)nargs;
    return ceil_floor(args, true, out, err);
}

static int floor_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                      eddy_value *out, eddy_err *err)
{
    (void)ctx, (void)call, (void)nargs;
    return ceil_floor(args, false, out, err);
}

static int sign_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                     eddy_value *out, eddy_err *err)
{
    (void)ctx, (void)call, (void)nargs, (void)err;
    int s;
    switch (args[0].kind) {
    case EDDY_T_INT:
        s = (args[0].u.i32 > 0) - (args[0].u.i32 < 0);
        break;
    case EDDY_T_BIGINT:
        s = (args[0].u.i64 > 0) - (args[0].u.i64 < 0);
        break;
    default:   /* (int) Math.signum: NaN -> 0 */
        s = (args[0].u.f64 > 0) - (args[0].u.f64 < 0);
        break;
    }
    *out = eddy_value_int(s);
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * DOUBLE -> DOUBLE functions
 * ------------------------------------------------------------------------------------------- */

static const struct {
    const char *name;
    double (*f)(double);
} unary[] = {
    {"ACOS", acos}, {"ASIN", asin}, {"ATAN", atan}, {"CBRT", cbrt}, {"COS", cos},
    {"COSH", cosh}, {"EXP", exp},   {"LN", log},    {"SIN", sin},   {"SINH", sinh},
    {"SQRT", sqrt}, {"TAN", tan},   {"TANH", tanh},
};

static int unary_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                      eddy_value *out, eddy_err *err)
{
    (void)ctx, (void)nargs, (void)err;
    const char *name = call->u.call.fn->name;
    double x = D(0), r = NAN;
    if (strcmp(name, "COT") == 0)
        r = 1.0 / tan(x);
    else if (strcmp(name, "DEGREES") == 0)
        r = x * (180.0 / M_PI);   /* Math.toDegrees (Java 9+: x * RADIANS_TO_DEGREES) */
    else if (strcmp(name, "RADIANS") == 0)
        r = x * (M_PI / 180.0);
    else if (strcmp(name, "LOG") == 0)
        r = log(x);               /* ksqlDB's LOG(x) calls Math.log */
    else
        for (size_t i = 0; i < EDDY_ARRAY_LEN(unary); i++)
            if (strcmp(name, unary[i].name) == 0)
                r = unary[i].f(x);
    if (strcmp(name, "CBRT") == 0 && isfinite(r)) {
        /* glibc's cbrt is not correctly rounded (cbrt(27) = 3.0000000000000004); Java's is
         * within 1 ulp and exact for perfect cubes. */
        double k = nearbyint(r);
        if (k * k * k == x)
            r = k;
    }
    *out = eddy_value_double(r);
    return 0;
}

static int log_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                    eddy_value *out, eddy_err *err)
{
    if (nargs == 1)
        return unary_eval(ctx, call, args, nargs, out, err);
    double base = D(0), v = D(1);
    *out = eddy_value_double(base <= 0 || base == 1 ? NAN : log(v) / log(base));
    return 0;
}

static int power_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                      eddy_value *out, eddy_err *err)
{
    (void)ctx, (void)call, (void)nargs, (void)err;
    *out = eddy_value_double(pow(D(0), D(1)));
    return 0;
}

static int atan2_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                      eddy_value *out, eddy_err *err)
{
    (void)ctx, (void)call, (void)nargs, (void)err;
    *out = eddy_value_double(atan2(D(0), D(1)));
    return 0;
}

static int pi_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                   eddy_value *out, eddy_err *err)
{
    (void)ctx, (void)call, (void)args, (void)nargs, (void)err;
    *out = eddy_value_double(M_PI);
    return 0;
}

static _Thread_local uint64_t rng_state;

static int random_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                       eddy_value *out, eddy_err *err)
{
    (void)ctx, (void)call, (void)args, (void)nargs, (void)err;
    if (rng_state == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        rng_state = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ (uint64_t)&ts;
        if (rng_state == 0)
            rng_state = 0x9E3779B97F4A7C15ull;
    }
    rng_state ^= rng_state << 13;   /* xorshift64 */
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    *out = eddy_value_double((double)(rng_state >> 11) * 0x1.0p-53);
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * GREATEST, LEAST
 * ------------------------------------------------------------------------------------------- */

/* The comparators of Integer/Long/Double/String/ByteBuffer/Date/BigDecimal compareTo. */
static int java_compare(const eddy_value *a, const eddy_value *b)
{
    if (a->kind == EDDY_T_DECIMAL) {
        eddy_decimal x = eddy_value_get_decimal(a), y = eddy_value_get_decimal(b);
        return eddy_decimal_cmp(&x, &y);
    }
    return eddy_value_compare(a, b);   /* Double.compare order for doubles */
}

static int extreme(const eddy_value *args, int nargs, bool greatest, eddy_value *out)
{
    int best = -1;
    for (int i = 0; i < nargs; i++) {
        if (NUL(i))
            continue;
        if (best < 0) {
            best = i;
            continue;
        }
        int c = java_compare(&args[i], &args[best]);
        if (greatest ? c > 0 : c < 0)
            best = i;
    }
    if (best < 0) {
        *out = eddy_value_null(EDDY_T_NULL);
        return 0;
    }
    *out = args[best];
    return 0;
}

/* A DECIMAL result keeps its own scale: ksqlDB returns the BigDecimal argument as it is, not
 * rescaled to the widened result type (GREATEST of 1.5 and 0.125 is 1.5, not 1.500). */
static int greatest_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                         eddy_value *out, eddy_err *err)
{
    (void)ctx;
    (void)call;
    (void)err;
    return extreme(args, nargs, true, out);
}

static int least_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                      eddy_value *out, eddy_err *err)
{
    (void)ctx;
    (void)call;
    (void)err;
    return extreme(args, nargs, false, out);
}

/* DecimalUtil.widen over the typed arguments. */
static int widen_dec_ret(eddy_arena *a, const fn_arg *args, int nargs, const eddy_type **ret,
                         eddy_err *err)
{
    int ip = 0, sc = 0;
    bool any = false;
    for (int i = 0; i < nargs; i++) {
        const eddy_type *t = args[i].type;
        if (!t)
            continue;
        int p, s;
        if (t->kind == EDDY_T_DECIMAL) {
            p = t->precision;
            s = t->scale;
        } else if (t->kind == EDDY_T_INT) {
            p = 10;
            s = 0;
        } else if (t->kind == EDDY_T_BIGINT) {
            p = 19;
            s = 0;
        } else {
            continue;
        }
        ip = EDDY_MAX(ip, p - s);
        sc = EDDY_MAX(sc, s);
        any = true;
    }
    if (!any)
        return eddy_err_set(err, EDDY_ETYPE, "cannot infer the DECIMAL result type");
    return eddy_type_decimal(a, ip + sc, sc, ret, err);
}

/* ---------------------------------------------------------------------------------------------
 * GEO_DISTANCE
 * ------------------------------------------------------------------------------------------- */

static int geo_distance_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args,
                             int nargs, eddy_value *out, eddy_err *err)
{
    (void)ctx, (void)call;
    for (int i = 0; i < 4; i++)
        if (NUL(i))
            return npe(err);
    double lat1 = D(0), lon1 = D(1), lat2 = D(2), lon2 = D(3);
    if (lat1 < -90 || lat2 < -90 || lat1 > 90 || lat2 > 90)
        return eddy_err_set(err, EDDY_EINVAL,
                            "valid latitude values for GeoDistance function are in the range of "
                            "-90 to 90 decimal degrees");
    if (lon1 < -180 || lon2 < -180 || lon1 > 180 || lon2 > 180)
        return eddy_err_set(err, EDDY_EINVAL,
                            "valid longitude values for GeoDistance function are in the range "
                            "of -180 to +180 decimal degrees");
    double radius = 6371;
    if (nargs > 4 && !NUL(4)) {
        size_t n = args[4].n;
        const char *u = eddy_java_trim(args[4].u.str, &n);
        static const char *mi[] = {"mi", "mile", "miles"};
        static const char *km[] = {"km", "kilometer", "kilometers", "kilometre", "kilometres"};
        bool found = n == 0;
        for (size_t i = 0; i < 3 && !found; i++)
            if (strlen(mi[i]) == n && strncasecmp(u, mi[i], n) == 0) {
                radius = 3959;
                found = true;
            }
        for (size_t i = 0; i < 5 && !found; i++)
            if (strlen(km[i]) == n && strncasecmp(u, km[i], n) == 0)
                found = true;
        if (!found)
            return eddy_err_set(err, EDDY_EINVAL,
                                "GeoDistance function units parameter must be one of mi, mile, "
                                "miles, km, kilometer, kilometers, kilometre or kilometres. "
                                "Values are case-insensitive.");
    }
    double dlat = (lat2 - lat1) / 180.0 * M_PI, dlon = (lon2 - lon1) / 180.0 * M_PI;
    double r1 = lat1 / 180.0 * M_PI, r2 = lat2 / 180.0 * M_PI;
    double a = pow(sin(dlat / 2), 2) + pow(sin(dlon / 2), 2) * cos(r1) * cos(r2);
    *out = eddy_value_double(2 * asin(sqrt(a)) * radius);
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Table
 * ------------------------------------------------------------------------------------------- */

static const fn_sig abs_sigs[] = {{"INTEGER val", "INTEGER"}, {"BIGINT val", "BIGINT"},
                                  {"DOUBLE val", "DOUBLE"}, {"DECIMAL val", "DECIMAL"}};
static const fn_sig round_sigs[] = {
    {"BIGINT val", "BIGINT"},
    {"INTEGER val", "BIGINT"},
    {"DOUBLE val", "BIGINT"},
    {"DOUBLE val, INTEGER decimalPlaces", "DOUBLE"},
    {"DECIMAL val", NULL, round_dec_ret},
    {"DECIMAL val, INTEGER decimalPlaces", "DECIMAL"},
};
static const fn_sig dbl_sigs[] = {{"DOUBLE value", "DOUBLE"}};
static const fn_sig log_sigs[] = {{"DOUBLE value", "DOUBLE"},
                                  {"DOUBLE base, DOUBLE value", "DOUBLE"}};
static const fn_sig power_sigs[] = {{"DOUBLE base, DOUBLE exponent", "DOUBLE"}};
static const fn_sig atan2_sigs[] = {{"DOUBLE y, DOUBLE x", "DOUBLE"}};
static const fn_sig sign_sigs[] = {{"INTEGER value", "INTEGER"}, {"BIGINT value", "INTEGER"},
                                   {"DOUBLE value", "INTEGER"}};
static const fn_sig none_dbl[] = {{"", "DOUBLE"}};
static const fn_sig extreme_sigs[] = {
    {"INTEGER val, INTEGER vals...", "INTEGER"},
    {"BIGINT val, BIGINT vals...", "BIGINT"},
    {"DOUBLE val, DOUBLE vals...", "DOUBLE"},
    {"STRING val, STRING vals...", "STRING"},
    {"BYTES val, BYTES vals...", "BYTES"},
    {"DATE val, DATE vals...", "DATE"},
    {"TIME val, TIME vals...", "TIME"},
    {"TIMESTAMP val, TIMESTAMP vals...", "TIMESTAMP"},
    {"DECIMAL val, DECIMAL vals...", NULL, widen_dec_ret},
};
static const fn_sig geo_sigs[] = {
    {"DOUBLE lat1, DOUBLE lon1, DOUBLE lat2, DOUBLE lon2, STRING units", "DOUBLE"},
    {"DOUBLE lat1, DOUBLE lon1, DOUBLE lat2, DOUBLE lon2", "DOUBLE"},
};

#define NN FN_F_NULL_IN_NULL_OUT
#define M FN_CAT_MATH
#define UNARY(nm, desc) FN_SCALAR(nm, desc, M, NN, dbl_sigs, unary_eval)

static const fn_scalar fns[] = {
    FN_SCALAR("ABS", "Returns the absolute value of its argument.", M, NN, abs_sigs, abs_eval),
    UNARY("ACOS", "Returns the inverse (arc) cosine of an INT value"),
    UNARY("ASIN", "Returns the inverse (arc) sine of an INT value"),
    UNARY("ATAN", "Returns the inverse (arc) tangent of an INT value"),
    FN_SCALAR("ATAN2", "Returns the inverse (arc) tangent of y / x", M, NN, atan2_sigs,
              atan2_eval),
    UNARY("CBRT", "Returns the cube root of an INT value"),
    FN_SCALAR("CEIL", "Returns the smallest integer greater than or equal to the specified "
                      "numeric expression.", M, NN, abs_sigs, ceil_eval),
    UNARY("COS", "Returns the cosine of an INT value"),
    UNARY("COSH", "Returns the hyperbolic cosine of an INT value"),
    UNARY("COT", "Returns the cotangent of an INT value"),
    UNARY("DEGREES", "Converts an INT value in radians to a value in degrees"),
    UNARY("EXP", "Returns Euler's number e raised to the power of an INT value."),
    FN_SCALAR("FLOOR", "Returns the largest integer less than or equal to the specified "
                       "numeric expression.", M, NN, abs_sigs, floor_eval),
    FN_SCALAR("GEO_DISTANCE", "Compute the distance between two points on the surface of the "
                              "earth, according to the Haversine formula for \"great circle "
                              "distance\".", "GEOSPATIAL", 0, geo_sigs, geo_distance_eval),
    FN_SCALAR("GREATEST", "Returns the highest non-null value among a variable number of "
                          "comparable columns.", M, 0, extreme_sigs, greatest_eval),
    FN_SCALAR("LEAST", "Returns the lowest non-null value among a variable number of "
                       "comparable columns.", M, 0, extreme_sigs, least_eval),
    UNARY("LN", "Returns the natural logarithm of an INT value."),
    FN_SCALAR("LOG", "Returns the logarithm of a value.", M, NN, log_sigs, log_eval),
    FN_SCALAR("PI", "Returns an approximate value of PI.", M, 0, none_dbl, pi_eval),
    FN_SCALAR("POWER", "Returns the base raised to the exponent.", M, NN, power_sigs,
              power_eval),
    UNARY("RADIANS", "Converts an INT value in degrees to a value in radians"),
    FN_SCALAR("RANDOM", "Returns a random number greater than or equal to 0.0 and less than "
                        "1.0.", M, 0, none_dbl, random_eval),
    FN_SCALAR("ROUND", "Round a value to the number of decimal places as specified by scale to "
                       "the right of the decimal point.", M, 0, round_sigs, round_eval),
    FN_SCALAR("SIGN", "The sign of a numeric value as an INTEGER: -1, 0 or 1.", M, NN,
              sign_sigs, sign_eval),
    UNARY("SIN", "Returns the sine of an INT value"),
    UNARY("SINH", "Returns the hyperbolic sine of an INT value"),
    UNARY("SQRT", "Returns the correctly rounded positive square root of a DOUBLE value"),
    UNARY("TAN", "Returns the tangent of an INT value"),
    UNARY("TANH", "Returns the hyperbolic tangent of an INT value"),
    FN_SCALAR("TRUNC", "Truncates a value to the number of decimal places as specified by "
                       "scale to the right of the decimal point.", M, 0, round_sigs,
              trunc_eval),
};

const fn__table fn__math_table = {fns, (int)EDDY_ARRAY_LEN(fns)};
