/*
 * common_int.h - helpers shared inside common/ by the SQL type and value code (types.c,
 * value.c, decimal.c, arith.c, cast.c, sqltime.c). Not part of the public API.
 */
#ifndef EDDY_COMMON_INT_H
#define EDDY_COMMON_INT_H

#include "eddy/common.h"

typedef unsigned __int128 eddy_u128;
typedef __int128 eddy_i128;

/* 10^n for n in 0..38 (10^38 < 2^127). */
extern const eddy_u128 eddy__pow10[39];

/* Number of decimal digits of 'v' (1 for 0). */
int eddy__u128_digits(eddy_u128 v);

static inline eddy_u128 eddy__abs128(eddy_i128 v)
{
    return v < 0 ? (eddy_u128)0 - (eddy_u128)v : (eddy_u128)v;
}

/* Shortest decimal digits that read back as the finite, non-zero |d| (Java's
 * Double.toString digit selection): 'digits' gets 1..17 ASCII digits (no trailing zeros beyond
 * the first), '*exp10' the exponent of the first digit (d = 0.d1d2... * 10^(exp10+1)). */
int eddy__double_shortest(double d, char digits[20], int *exp10);

/* Append the BigDecimal.valueOf(d) decimal of a finite double (its Double.toString value) as
 * an eddy_decimal; EDDY_ERANGE when it does not fit 38 digits / scale 255. */
int eddy__decimal_from_double_str(double d, eddy_decimal *out);

/* Java's String.compareTo on UTF-8 bytes: UTF-16 code unit order. */
int eddy__utf16_compare(const char *a, size_t na, const char *b, size_t nb);

/* The nested (java.lang.Object.toString inside a collection) form vs. the top-level CAST form. */
int eddy__value_format(const eddy_value *v, const eddy_type *t, bool nested, eddy_buf *out);

/* java.sql.Timestamp.toString / java.sql.Time.toString / java.sql.Date.toString in UTC. */
int eddy__sql_timestamp_tostring(int64_t ms, char *buf);
int eddy__sql_time_tostring(int32_t ms, char *buf);

#endif
