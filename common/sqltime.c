/*
 * sqltime.c - calendar arithmetic and ksqlDB's text forms of TIMESTAMP, DATE and TIME.
 *
 * Calendar: proleptic Gregorian, UTC, with Howard Hinnant's days_from_civil /
 * civil_from_days algorithms (exact for any int64 year range we use).
 *
 * Formats and parsers follow ksqlDB's SqlTimeTypes and PartialStringToTimestampParser:
 *  - TIMESTAMP text is "yyyy-MM-dd'T'HH:mm:ss.SSS" in UTC. Parsing completes partial input
 *    first: without a 'T' the date may be "yyyy" or "yyyy-MM"; after a 'T' the time is padded
 *    with the rest of "00:00:00.000" (so "10" means 10:00:00.000 and "10:00:00.1" means
 *    100 ms), a trailing "Z" is dropped and a zone "+hh[:mm]" / "-hhmm" may follow. The
 *    completed text must then match the pattern exactly (java.time SMART resolution: a day
 *    of month past the month's end is clamped, 24:00:00.000 is the next midnight).
 *  - DATE is LocalDate's ISO form (strict: 2021-02-30 is an error), with "yyyy" and "yyyy-MM"
 *    partials; TIME is LocalTime's ISO form "HH:mm[:ss[.fffffffff]]" (strict), formatted as
 *    LocalTime.ofSecondOfDay(ms / 1000).toString(), which drops zero seconds ("10:00").
 *  - Nested values (inside ARRAY/MAP/STRUCT text) use java.sql.Timestamp/Time/Date's
 *    toString forms, in UTC.
 */
#include "common_int.h"

#include <stdio.h>

int64_t eddy_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void eddy_civil_from_days(int64_t z, int64_t *year, int *month, int *day)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *year = y + (m <= 2);
    *month = m;
    *day = d;
}

static bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int month_days(int64_t y, int m)
{
    static const int md[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : md[m - 1];
}

/* 'yyyy' of DateTimeFormatter: year-of-era, at least 4 digits, '+' beyond 4 digits. */
static int fmt_year_of_era(int64_t y, char *buf)
{
    int64_t yoe = y > 0 ? y : 1 - y;
    return sprintf(buf, yoe > 9999 ? "+%04lld" : "%04lld", (long long)yoe);
}

/* LocalDate.toString's year. */
static int fmt_iso_year(int64_t y, char *buf)
{
    if (y < 0 && y > -10000)
        return sprintf(buf, "-%04lld", (long long)-y);
    if (y > 9999)
        return sprintf(buf, "+%lld", (long long)y);
    return sprintf(buf, "%04lld", (long long)y);
}

static int64_t floor_mod(int64_t a, int64_t b)
{
    int64_t r = a % b;
    return r < 0 ? r + b : r;
}

int eddy_timestamp_format(int64_t ms, char *buf)
{
    int64_t days = eddy_ts_days(ms), y;
    int64_t rem = ms - days * EDDY_MS_PER_DAY;
    int m, d;
    eddy_civil_from_days(days, &y, &m, &d);
    int n = fmt_year_of_era(y, buf);
    n += sprintf(buf + n, "-%02d-%02dT%02d:%02d:%02d.%03d", m, d, (int)(rem / 3600000),
                 (int)(rem / 60000 % 60), (int)(rem / 1000 % 60), (int)(rem % 1000));
    return n;
}

int eddy_date_format(int32_t days, char *buf)
{
    int64_t y;
    int m, d;
    eddy_civil_from_days(days, &y, &m, &d);
    int n = fmt_iso_year(y, buf);
    return n + sprintf(buf + n, "-%02d-%02d", m, d);
}

int eddy_time_format(int32_t ms, char *buf)
{
    int64_t s = floor_mod(ms, EDDY_MS_PER_DAY) / 1000;
    int h = (int)(s / 3600), mi = (int)(s / 60 % 60), se = (int)(s % 60);
    if (se)
        return sprintf(buf, "%02d:%02d:%02d", h, mi, se);
    return sprintf(buf, "%02d:%02d", h, mi);
}

int eddy__sql_timestamp_tostring(int64_t ms, char *buf)
{
    int64_t days = eddy_ts_days(ms), y;
    int64_t rem = ms - days * EDDY_MS_PER_DAY;
    int m, d;
    eddy_civil_from_days(days, &y, &m, &d);
    int n = sprintf(buf, "%04lld-%02d-%02d %02d:%02d:%02d.", (long long)y, m, d,
                    (int)(rem / 3600000), (int)(rem / 60000 % 60), (int)(rem / 1000 % 60));
    int frac = (int)(rem % 1000);
    if (frac == 0)
        return n + sprintf(buf + n, "0");
    n += sprintf(buf + n, "%03d", frac);
    while (buf[n - 1] == '0')
        buf[--n] = '\0';
    return n;
}

int eddy__sql_time_tostring(int32_t ms, char *buf)
{
    int64_t s = floor_mod(ms, EDDY_MS_PER_DAY) / 1000;
    return sprintf(buf, "%02d:%02d:%02d", (int)(s / 3600), (int)(s / 60 % 60), (int)(s % 60));
}

/* ------------------------------------------------------------------------------------------
 * Parsing
 * ---------------------------------------------------------------------------------------- */

#define TS_HELP "Required format is: \"yyyy-MM-dd'T'HH:mm:ss.SSS\", with an optional numeric " \
                "4-digit timezone, for example: '2020-05-26T23:59:58.000' or with tz: " \
                "'2020-05-26T23:59:58.000+0200'."
#define DATE_HELP "Required format is: \"yyyy-MM-dd\", for example '2020-05-26'. Partials " \
                  "are also supported, for example '2020-05'"
#define TIME_HELP "Required format is: \"HH:mm:ss.SSS\", for example: '01:34:20.123' or " \
                  "'01:34:20'. Partials are also supported, for example '01:34'"

/* Exactly 'n' ASCII digits. */
static bool fixed_digits(const char **p, const char *end, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (*p >= end || **p < '0' || **p > '9')
            return false;
        v = v * 10 + (*(*p)++ - '0');
    }
    *out = v;
    return true;
}

/* [+-]yyyy: 4 digits unsigned, or a sign with 4..10 digits ('+' only beyond 4 digits, as
 * java.time's EXCEEDS_PAD in strict parsing). */
static bool parse_year(const char **p, const char *end, bool allow_minus, int64_t *out)
{
    bool neg = false, plus = false;
    if (*p < end && (**p == '+' || (allow_minus && **p == '-'))) {
        neg = **p == '-';
        plus = !neg;
        (*p)++;
    }
    int64_t v = 0;
    int n = 0;
    while (*p < end && **p >= '0' && **p <= '9' && n < 10) {
        v = v * 10 + (*(*p)++ - '0');
        n++;
    }
    if (n < 4 || (n > 4 && !plus && !neg) || (plus && n == 4))
        return false;
    *out = neg ? -v : v;
    return true;
}

/* ISO_LOCAL_DATE, strict. */
static bool parse_iso_date(const char *s, const char *end, int64_t *days)
{
    const char *p = s;
    int64_t y;
    int m, d;
    if (!parse_year(&p, end, true, &y) || p >= end || *p++ != '-' ||
        !fixed_digits(&p, end, 2, &m) || p >= end || *p++ != '-' ||
        !fixed_digits(&p, end, 2, &d) || p != end)
        return false;
    if (m < 1 || m > 12 || d < 1 || d > month_days(y, m))
        return false;
    *days = eddy_days_from_civil(y, m, d);
    return true;
}

/* PartialStringToTimestampParser.completeDate into 'buf'. */
static size_t complete_date(const char *s, size_t len, char *buf, size_t cap)
{
    /* String.split("-") drops trailing empty parts. */
    size_t end = len;
    while (end > 0 && s[end - 1] == '-')
        end--;
    int parts = end > 0 ? 1 : 0;
    for (size_t i = 0; i < end; i++)
        parts += s[i] == '-';
    if (len + 7 > cap)
        return 0;
    memcpy(buf, s, len);
    if (parts <= 1) {
        memcpy(buf + len, "-01-01", 6);
        return len + 6;
    }
    if (parts == 2) {
        memcpy(buf + len, "-01", 3);
        return len + 3;
    }
    return len;
}

int eddy_date_parse(const char *s, size_t len, int32_t *out, eddy_err *err)
{
    char buf[64];
    int64_t days;
    size_t n = complete_date(s, len, buf, sizeof buf);
    if (n == 0 || !parse_iso_date(buf, buf + n, &days) || days < INT32_MIN || days > INT32_MAX)
        return eddy_err_set(err, EDDY_EINVAL, "Failed to parse date. " DATE_HELP);
    *out = (int32_t)days;
    return 0;
}

/* ISO_LOCAL_TIME: HH:mm[:ss[.f{0,9}]], strict ranges. Returns ms of day or -1. */
static int64_t parse_iso_time(const char *p, const char *end)
{
    int h, m, sec = 0;
    int64_t nanos = 0;
    if (!fixed_digits(&p, end, 2, &h) || p >= end || *p++ != ':' ||
        !fixed_digits(&p, end, 2, &m))
        return -1;
    if (p < end && *p == ':') {
        p++;
        if (!fixed_digits(&p, end, 2, &sec))
            return -1;
        if (p < end && *p == '.') {
            p++;
            int n = 0;
            while (p < end && *p >= '0' && *p <= '9' && n < 9) {
                nanos = nanos * 10 + (*p++ - '0');
                n++;
            }
            for (; n < 9; n++)
                nanos *= 10;
        }
    }
    if (p != end || h > 23 || m > 59 || sec > 59)
        return -1;
    return (int64_t)h * 3600000 + m * 60000 + sec * 1000 + nanos / 1000000;
}

int eddy_time_parse(const char *s, size_t len, int32_t *out, eddy_err *err)
{
    int64_t ms = parse_iso_time(s, s + len);
    if (ms < 0)
        return eddy_err_set(err, EDDY_EINVAL, "Failed to parse time. " TIME_HELP);
    *out = (int32_t)ms;
    return 0;
}

/* ZoneOffset.of: ±h, ±hh, ±hh:mm, ±hhmm, ±hh:mm:ss, ±hhmmss; at most 18:00. */
static bool parse_offset(const char *p, const char *end, int *secs)
{
    int sign = *p++ == '-' ? -1 : 1, h = 0, m = 0, s = 0;
    size_t n = (size_t)(end - p);
    const char *q = p;
    bool ok;
    switch (n) {
    case 1: ok = fixed_digits(&q, end, 1, &h); break;
    case 2: ok = fixed_digits(&q, end, 2, &h); break;
    case 4: ok = fixed_digits(&q, end, 2, &h) && fixed_digits(&q, end, 2, &m); break;
    case 5:
        ok = fixed_digits(&q, end, 2, &h) && *q++ == ':' && fixed_digits(&q, end, 2, &m);
        break;
    case 6:
        ok = fixed_digits(&q, end, 2, &h) && fixed_digits(&q, end, 2, &m) &&
             fixed_digits(&q, end, 2, &s);
        break;
    case 8:
        ok = fixed_digits(&q, end, 2, &h) && *q++ == ':' && fixed_digits(&q, end, 2, &m) &&
             *q++ == ':' && fixed_digits(&q, end, 2, &s);
        break;
    default: ok = false;
    }
    if (!ok || q != end || h > 18 || m > 59 || s > 59)
        return false;
    int total = h * 3600 + m * 60 + s;
    if (total > 18 * 3600)
        return false;
    *secs = sign * total;
    return true;
}

static int ts_error(eddy_err *err)
{
    return eddy_err_set(err, EDDY_EINVAL, "Failed to parse timestamp. " TS_HELP);
}

int eddy_timestamp_parse(const char *s, size_t len, int64_t *out, eddy_err *err)
{
    static const char pattern[] = "HH:mm:ss.SSS";
    char date[64], time[64];
    size_t dn, tn;
    int offset = 0;
    const char *t = memchr(s, 'T', len);
    if (t) {
        dn = (size_t)(t - s);
        if (dn >= sizeof date)
            return ts_error(err);
        memcpy(date, s, dn);
        const char *w = t + 1, *wend = s + len, *tz = memchr(w, '+', (size_t)(wend - w));
        if (!tz)
            tz = memchr(w, '-', (size_t)(wend - w));
        const char *tend = tz ? tz : wend;
        if (tz && !parse_offset(tz, wend, &offset))
            return eddy_err_set(err, EDDY_EINVAL, "Failed to parse timezone. " TS_HELP);
        tn = (size_t)(tend - w);
        if (tn > 0 && w[tn - 1] == 'Z')
            tn--;
        if (tn >= sizeof time)
            return ts_error(err);
        memcpy(time, w, tn);
    } else {
        dn = complete_date(s, len, date, sizeof date);
        if (dn == 0)
            return ts_error(err);
        tn = 0;
    }
    /* completeTime: pad with the pattern's remainder, letters as zeros. */
    if (tn < sizeof pattern - 1) {
        for (size_t i = tn; i < sizeof pattern - 1; i++)
            time[i] = (pattern[i] >= 'A' && pattern[i] <= 'z') ? '0' : pattern[i];
        tn = sizeof pattern - 1;
    }
    /* yyyy-MM-dd'T'HH:mm:ss.SSS, SMART resolution. */
    const char *p = date, *end = date + dn;
    int64_t y;
    int mo, d, h, mi, se, ms;
    if (!parse_year(&p, end, false, &y) || p >= end || *p++ != '-' ||
        !fixed_digits(&p, end, 2, &mo) || p >= end || *p++ != '-' ||
        !fixed_digits(&p, end, 2, &d) || p != end)
        return ts_error(err);
    p = time;
    end = time + tn;
    if (!fixed_digits(&p, end, 2, &h) || p >= end || *p++ != ':' ||
        !fixed_digits(&p, end, 2, &mi) || p >= end || *p++ != ':' ||
        !fixed_digits(&p, end, 2, &se) || p >= end || *p++ != '.' ||
        !fixed_digits(&p, end, 3, &ms) || p != end)
        return ts_error(err);
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || mi > 59 || se > 59 || h > 24 ||
        (h == 24 && (mi || se || ms)))
        return ts_error(err);
    if (d > month_days(y, mo))
        d = month_days(y, mo);
    int64_t days = eddy_days_from_civil(y, mo, d);
    *out = days * EDDY_MS_PER_DAY + (int64_t)h * 3600000 + mi * 60000 + se * 1000 + ms -
           (int64_t)offset * 1000;
    return 0;
}
