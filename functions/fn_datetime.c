/*
 * functions/fn_datetime.c - date and time functions.
 *
 * Semantics from ksqlDB's io.confluent.ksql.function.udf.datetime classes (UnixTimestamp,
 * UnixDate, FromUnixTime, FromDays, TimestampToString, StringToTimestamp, FormatTimestamp,
 * ParseTimestamp, FormatDate, ParseDate, FormatTime, ParseTime, DateToString, StringToDate,
 * DateAdd, DateSub, TimeAdd, TimeSub, TimestampAdd, TimestampSub, ConvertTz) and
 * util.timestamp.StringToTimestampParser (parse, then start from 1970-01-01T00:00 in the
 * parsed zone or the given one and override the fields the text supplied).
 *
 * Patterns: java.time.format.DateTimeFormatter letters G y u M L d D E a h K k H m s S n
 * X x Z z V, 'quoted text', '' for a quote, [optional sections], other characters literal.
 * Text is English (Locale.ROOT); parsing is case-insensitive. Numbers follow Java's widths:
 * one letter takes 1-2 digits (years: any), two letters exactly 2 (yy: 2000-2099), four or
 * more letters of a year 4-19 digits, fractions exactly as many digits as letters; a field
 * directly followed by another numeric field takes exactly its letter count (adjacent value
 * parsing, as in "yyyyMMdd").
 *
 * PARSE_DATE follows ksqlDB's ParseDate, which reads with commons-lang FastDateFormat in GMT:
 * SimpleDateFormat letters, numbers as long as their digits go (unless a numeric field follows
 * directly), literals matched exactly, lenient field roll-over, and text after the pattern
 * ignored (compile_mode, parse_text with pattern.sdf).
 *
 * Time zones: "Z", "UTC", "GMT", "UT", offsets ("+2", "+02:00", "-0530", "UTC+3") and region
 * ids read from the system tz database; a 'z' field also reads the common English zone names
 * (PST, Pacific Standard Time, CET, ...: zone_names) (/usr/share/zoneinfo, TZif v2+ 64-bit data). Zones
 * are loaded once and cached for the process behind a mutex; no global TZ state (setenv/
 * tzset/localtime) is touched, so evaluation is thread-safe. Where ksqlDB uses the JVM's
 * default zone (TIMESTAMPTOSTRING / STRINGTOTIMESTAMP without a zone argument), eddy uses
 * UTC, so results do not depend on the machine. Interval units (DATEADD(DAYS, ...)) arrive
 * as STRING arguments holding the unit keyword (the planner passes the keyword as a string
 * literal).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <unistd.h>

#include "functions_int.h"

#define NUL(i) (args[i].null)

/* ---------------------------------------------------------------------------------------------
 * Time zones
 * ------------------------------------------------------------------------------------------- */

typedef struct tzinfo {
    char id[64];
    int fixed;                 /* 1: fixed offset 'fixed_off' */
    int32_t fixed_off;         /* seconds */
    uint32_t ntrans, ntypes;
    int64_t *trans;            /* UTC seconds */
    uint8_t *idx;
    int32_t *off;              /* per type: UTC offset seconds */
    uint8_t *isdst;
    char **abbr;               /* per type */
} tzinfo;

static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;
static tzinfo *tz_cache[128];
static int tz_ncache;

static int64_t be(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    if (n == 4)
        return (int32_t)(uint32_t)v;
    return (int64_t)v;
}

static tzinfo *tz_load_file(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", name);
    char *data;
    size_t len;
    if (eddy_read_file(path, &data, &len, NULL))
        return NULL;
    const uint8_t *p = (const uint8_t *)data, *end = p + len;
    tzinfo *tz = NULL;
    if (len < 44 || memcmp(p, "TZif", 4) != 0)
        goto out;
    int version = p[4];
    for (int pass = 0; pass < 2; pass++) {
        if (end - p < 44)
            goto out;
        uint32_t isutcnt = (uint32_t)be(p + 20, 4), isstdcnt = (uint32_t)be(p + 24, 4);
        uint32_t leapcnt = (uint32_t)be(p + 28, 4), timecnt = (uint32_t)be(p + 32, 4);
        uint32_t typecnt = (uint32_t)be(p + 36, 4), charcnt = (uint32_t)be(p + 40, 4);
        int tsz = pass == 0 ? 4 : 8;
        size_t body = timecnt * (size_t)tsz + timecnt + typecnt * 6 + charcnt +
                      leapcnt * (size_t)(tsz + 4) + isstdcnt + isutcnt;
        p += 44;
        if ((size_t)(end - p) < body || typecnt == 0)
            goto out;
        if (pass == 0 && version >= '2') {
            p += body;   /* skip the 32-bit block */
            continue;
        }
        tz = calloc(1, sizeof *tz);
        if (!tz)
            goto out;
        snprintf(tz->id, sizeof tz->id, "%s", name);
        tz->ntrans = timecnt;
        tz->ntypes = typecnt;
        tz->trans = calloc(timecnt + 1, sizeof *tz->trans);
        tz->idx = calloc(timecnt + 1, 1);
        tz->off = calloc(typecnt, sizeof *tz->off);
        tz->isdst = calloc(typecnt, 1);
        tz->abbr = calloc(typecnt, sizeof *tz->abbr);
        if (!tz->trans || !tz->idx || !tz->off || !tz->isdst || !tz->abbr)
            goto out;
        for (uint32_t i = 0; i < timecnt; i++)
            tz->trans[i] = be(p + i * (size_t)tsz, tsz);
        p += timecnt * (size_t)tsz;
        for (uint32_t i = 0; i < timecnt; i++)
            tz->idx[i] = p[i] < typecnt ? p[i] : 0;
        p += timecnt;
        const uint8_t *chars = p + typecnt * 6;
        for (uint32_t i = 0; i < typecnt; i++) {
            tz->off[i] = (int32_t)be(p + 6 * i, 4);
            tz->isdst[i] = p[6 * i + 4];
            uint8_t ai = p[6 * i + 5];
            tz->abbr[i] = strndup(ai < charcnt ? (const char *)chars + ai : "",
                                  ai < charcnt ? charcnt - ai : 0);
        }
        eddy_free(data);
        return tz;
    }
out:
    if (tz) {
        free(tz->trans);
        free(tz->idx);
        free(tz->off);
        free(tz->isdst);
        if (tz->abbr)
            for (uint32_t i = 0; i < tz->ntypes; i++)
                free(tz->abbr[i]);
        free(tz->abbr);
        free(tz);
    }
    eddy_free(data);
    return NULL;
}

/* Parse "+h", "+hh", "+hh:mm", "+hhmm", "+hh:mm:ss", "+hhmmss" into seconds. */
static bool parse_offset(const char *s, size_t n, int32_t *out)
{
    if (n < 2 || (s[0] != '+' && s[0] != '-'))
        return false;
    int sign = s[0] == '-' ? -1 : 1;
    int d[6], nd = 0;
    size_t i = 1;
    bool colon = false;
    for (; i < n; i++) {
        if (isdigit((unsigned char)s[i]) && nd < 6)
            d[nd++] = s[i] - '0';
        else if (s[i] == ':' && (nd == 2 || nd == 4))
            colon = true;
        else
            return false;
    }
    (void)colon;
    int h, m = 0, sec = 0;
    if (nd == 1)
        h = d[0];
    else if (nd == 2)
        h = d[0] * 10 + d[1];
    else if (nd == 4)
        h = d[0] * 10 + d[1], m = d[2] * 10 + d[3];
    else if (nd == 6)
        h = d[0] * 10 + d[1], m = d[2] * 10 + d[3], sec = d[4] * 10 + d[5];
    else
        return false;
    if (h > 18 || m > 59 || sec > 59)
        return false;
    *out = sign * (h * 3600 + m * 60 + sec);
    return true;
}

static tzinfo *tz_fixed(const char *id, int32_t off)
{
    tzinfo *tz = calloc(1, sizeof *tz);
    if (tz) {
        snprintf(tz->id, sizeof tz->id, "%s", id);
        tz->fixed = 1;
        tz->fixed_off = off;
    }
    return tz;
}

/* ZoneId.of(name): the zone, or EDDY_EINVAL "Unknown time-zone ID". */
static int tz_get(const char *name, size_t n, const tzinfo **out, eddy_err *err)
{
    char id[64];
    if (n == 0 || n >= sizeof id)
        return eddy_err_set(err, EDDY_EINVAL, "Invalid ID for ZoneId");
    memcpy(id, name, n);
    id[n] = 0;
    pthread_mutex_lock(&tz_lock);
    for (int i = 0; i < tz_ncache; i++)
        if (strcmp(tz_cache[i]->id, id) == 0) {
            *out = tz_cache[i];
            pthread_mutex_unlock(&tz_lock);
            return 0;
        }
    tzinfo *tz = NULL;
    int32_t off;
    if (strcmp(id, "Z") == 0 || strcmp(id, "UTC") == 0 || strcmp(id, "GMT") == 0 ||
        strcmp(id, "UT") == 0) {
        tz = tz_fixed(id, 0);
    } else if (parse_offset(id, n, &off)) {
        tz = tz_fixed(id, off);
    } else if ((strncmp(id, "UTC", 3) == 0 || strncmp(id, "GMT", 3) == 0) &&
               parse_offset(id + 3, n - 3, &off)) {
        tz = tz_fixed(id, off);
    } else if (strncmp(id, "UT", 2) == 0 && parse_offset(id + 2, n - 2, &off)) {
        tz = tz_fixed(id, off);
    } else {
        bool ok = isalpha((unsigned char)id[0]) && strstr(id, "..") == NULL;
        for (size_t i = 0; i < n && ok; i++)
            ok = isalnum((unsigned char)id[i]) || strchr("/_-+", id[i]);
        if (ok)
            tz = tz_load_file(id);
    }
    if (tz && tz_ncache < (int)EDDY_ARRAY_LEN(tz_cache))
        tz_cache[tz_ncache++] = tz;   /* process lifetime */
    pthread_mutex_unlock(&tz_lock);
    if (!tz)
        return eddy_err_set(err, EDDY_EINVAL, "Unknown time-zone ID: %s", id);
    *out = tz;
    return 0;
}

static int tz_type_at(const tzinfo *tz, int64_t utc_sec)
{
    if (tz->ntrans == 0 || utc_sec < tz->trans[0]) {
        for (uint32_t i = 0; i < tz->ntypes; i++)   /* first standard-time type */
            if (!tz->isdst[i])
                return (int)i;
        return 0;
    }
    uint32_t lo = 0, hi = tz->ntrans - 1;
    while (lo < hi) {
        uint32_t mid = (lo + hi + 1) / 2;
        if (tz->trans[mid] <= utc_sec)
            lo = mid;
        else
            hi = mid - 1;
    }
    return tz->idx[lo];
}

static int64_t floordiv(int64_t a, int64_t b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* Offset (seconds) of 'tz' at the instant 'utc_ms'. */
static int32_t tz_offset(const tzinfo *tz, int64_t utc_ms)
{
    if (tz->fixed)
        return tz->fixed_off;
    return tz->off[tz_type_at(tz, floordiv(utc_ms, 1000))];
}

static const char *tz_abbr(const tzinfo *tz, int64_t utc_ms)
{
    if (tz->fixed)
        return tz->id;
    return tz->abbr[tz_type_at(tz, floordiv(utc_ms, 1000))];
}

/* The instant of local time 'local_ms' in 'tz' (ZonedDateTime.of: earlier offset in an
 * overlap, shifted forward by the gap in a gap). */
static int64_t tz_local_to_utc(const tzinfo *tz, int64_t local_ms)
{
    if (tz->fixed)
        return local_ms - (int64_t)tz->fixed_off * 1000;
    int32_t o1 = tz_offset(tz, local_ms - 86400000LL), o2 = tz_offset(tz, local_ms + 86400000LL);
    int32_t first = o1 > o2 ? o1 : o2, second = o1 > o2 ? o2 : o1;
    /* try the earlier instant's offset (the larger one) first */
    if (tz_offset(tz, local_ms - (int64_t)first * 1000) == first)
        return local_ms - (int64_t)first * 1000;
    if (tz_offset(tz, local_ms - (int64_t)second * 1000) == second)
        return local_ms - (int64_t)second * 1000;
    return local_ms - (int64_t)o1 * 1000;   /* in a gap: the offset before it */
}

/* ---------------------------------------------------------------------------------------------
 * Patterns
 * ------------------------------------------------------------------------------------------- */

enum { TK_FIELD, TK_LIT, TK_OPT_START, TK_OPT_END };

typedef struct tok {
    uint8_t kind;
    char letter;
    int count;
    const char *lit;
    size_t nlit;
} tok;

#define MAX_TOKS 64

typedef struct pattern {
    tok t[MAX_TOKS];
    int n;
    bool sdf;                  /* java.text.SimpleDateFormat rules (compile_sdf) */
    char litbuf[256];
    size_t nlitbuf;
} pattern;

static int bad_pattern(eddy_err *err, const char *why)
{
    return eddy_err_set(err, EDDY_EINVAL, "Illegal pattern: %s", why);
}

/* Compile a DateTimeFormatter pattern or, with 'sdf', a SimpleDateFormat one (letters
 * G y Y M L w W D d F E u a H k K h m s S z Z X; every other character, brackets included,
 * is literal). */
static int compile_mode(const char *s, size_t n, bool sdf, pattern *p, eddy_err *err)
{
    p->n = 0;
    p->nlitbuf = 0;
    p->sdf = sdf;
    size_t i = 0;
    while (i < n) {
        if (p->n >= MAX_TOKS)
            return bad_pattern(err, "too long");
        tok *t = &p->t[p->n];
        char c = s[i];
        if (isalpha((unsigned char)c)) {
            size_t j = i;
            while (j < n && s[j] == c)
                j++;
            if (!strchr(sdf ? "GyYMLwWDdFEuaHkKhmsSzZX" : "GyuMLdDEeahKkHmsSnXxZzVO", c))
                return bad_pattern(err, "unknown pattern letter");
            t->kind = TK_FIELD;
            t->letter = c;
            t->count = (int)(j - i);
            i = j;
        } else if (c == '\'') {
            size_t start = p->nlitbuf;
            i++;
            if (i < n && s[i] == '\'') {   /* '' */
                p->litbuf[p->nlitbuf++] = '\'';
                i++;
            } else {
                for (;;) {
                    if (i >= n)
                        return bad_pattern(err, "unterminated quote");
                    if (s[i] == '\'') {
                        if (i + 1 < n && s[i + 1] == '\'') {
                            if (p->nlitbuf >= sizeof p->litbuf)
                                return bad_pattern(err, "too long");
                            p->litbuf[p->nlitbuf++] = '\'';
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    if (p->nlitbuf >= sizeof p->litbuf)
                        return bad_pattern(err, "too long");
                    p->litbuf[p->nlitbuf++] = s[i++];
                }
            }
            t->kind = TK_LIT;
            t->lit = p->litbuf + start;
            t->nlit = p->nlitbuf - start;
        } else if (!sdf && (c == '[' || c == ']')) {
            t->kind = c == '[' ? TK_OPT_START : TK_OPT_END;
            i++;
        } else if (!sdf && (c == '{' || c == '}' || c == '#')) {
            return bad_pattern(err, "reserved character");
        } else {
            if (p->nlitbuf >= sizeof p->litbuf)
                return bad_pattern(err, "too long");
            t->kind = TK_LIT;
            t->lit = p->litbuf + p->nlitbuf;
            p->litbuf[p->nlitbuf++] = c;
            t->nlit = 1;
            i++;
        }
        p->n++;
    }
    return 0;
}

static int compile(const char *s, size_t n, pattern *p, eddy_err *err)
{
    return compile_mode(s, n, false, p, err);
}

static const char *months[] = {"January", "February", "March", "April", "May", "June", "July",
                               "August", "September", "October", "November", "December"};
static const char *days[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                             "Saturday", "Sunday"};

/* Broken-down fields. */
typedef struct fields {
    int64_t year;
    int month, day, doy, dow;          /* dow: 1 = Monday */
    int hour, minute, second;
    int64_t nanos;
    int32_t offset;                    /* seconds */
    const char *zone_id, *zone_abbr;
    bool has_date, has_time, has_zone;
} fields;

static void fields_from_local(int64_t local_ms, fields *f)
{
    int64_t d = floordiv(local_ms, EDDY_MS_PER_DAY);
    int64_t msd = local_ms - d * EDDY_MS_PER_DAY;
    eddy_civil_from_days(d, &f->year, &f->month, &f->day);
    f->doy = (int)(d - eddy_days_from_civil(f->year, 1, 1)) + 1;
    f->dow = (int)(((d + 3) % 7 + 7) % 7) + 1;
    f->hour = (int)(msd / 3600000);
    f->minute = (int)(msd / 60000 % 60);
    f->second = (int)(msd / 1000 % 60);
    f->nanos = msd % 1000 * 1000000;
}

static int put_num(eddy_buf *b, int64_t v, int width)
{
    if (v < 0)
        return eddy_buf_printf(b, "-%0*lld", width, (long long)-v);
    return eddy_buf_printf(b, "%0*lld", width, (long long)v);
}

static int put_offset(eddy_buf *b, int32_t off, int style, bool z_for_zero)
{
    /* style: 1 +HH[mm], 2 +HHMM, 3 +HH:MM, 4 +HHMM[ss], 5 +HH:MM[:ss] */
    if (off == 0 && z_for_zero)
        return eddy_buf_append(b, "Z", 1);
    int a = off < 0 ? -off : off;
    int h = a / 3600, m = a / 60 % 60, s = a % 60;
    char sign = off < 0 ? '-' : '+';
    switch (style) {
    case 1:
        return m ? eddy_buf_printf(b, "%c%02d%02d", sign, h, m) : eddy_buf_printf(b, "%c%02d", sign, h);
    case 2:
        return eddy_buf_printf(b, "%c%02d%02d", sign, h, m);
    case 3:
        return eddy_buf_printf(b, "%c%02d:%02d", sign, h, m);
    case 4:
        return s ? eddy_buf_printf(b, "%c%02d%02d%02d", sign, h, m, s)
                 : eddy_buf_printf(b, "%c%02d%02d", sign, h, m);
    default:
        return s ? eddy_buf_printf(b, "%c%02d:%02d:%02d", sign, h, m, s)
                 : eddy_buf_printf(b, "%c%02d:%02d", sign, h, m);
    }
}

static int unsupported(eddy_err *err, char letter)
{
    return eddy_err_set(err, EDDY_EINVAL, "Unsupported field: %c", letter);
}

static int format(const pattern *p, const fields *f, eddy_buf *b, eddy_err *err)
{
    int rc = 0;
    for (int i = 0; i < p->n && rc == 0; i++) {
        const tok *t = &p->t[i];
        if (t->kind == TK_LIT) {
            rc = eddy_buf_append(b, t->lit, t->nlit);
            continue;
        }
        if (t->kind != TK_FIELD)
            continue;
        int c = t->count;
        char L = t->letter;
        bool dl = strchr("GyuMLdDEe", L) != NULL, tl = strchr("ahKkHmsSn", L) != NULL,
             zl = strchr("XxZzVO", L) != NULL;
        if ((dl && !f->has_date) || (tl && !f->has_time) || (zl && !f->has_zone))
            return unsupported(err, L);
        switch (L) {
        case 'G':
            rc = eddy_buf_append(b, c == 4 ? "Anno Domini" : c == 5 ? "A" : "AD",
                                 c == 4 ? 11 : c == 5 ? 1 : 2);
            break;
        case 'y':
        case 'u': {
            int64_t y = f->year;
            if (L == 'y' && y <= 0)
                y = 1 - y;   /* year of era */
            if (c == 2)
                rc = put_num(b, ((y % 100) + 100) % 100, 2);
            else if (c >= 4 && y > 9999)   /* SignStyle.EXCEEDS_PAD */
                rc = eddy_buf_printf(b, "+%lld", (long long)y);
            else
                rc = put_num(b, y, c == 3 ? 3 : c);
            break;
        }
        case 'M':
        case 'L':
            if (c >= 4)
                rc = eddy_buf_printf(b, "%s", months[f->month - 1]);
            else if (c == 3)
                rc = eddy_buf_printf(b, "%.3s", months[f->month - 1]);
            else
                rc = put_num(b, f->month, c);
            break;
        case 'd':
            rc = put_num(b, f->day, c);
            break;
        case 'D':
            rc = put_num(b, f->doy, c);
            break;
        case 'E':
        case 'e':
            if (L == 'e' && c <= 2)
                rc = put_num(b, f->dow % 7 + 1, c);   /* Locale.ROOT weeks start Sunday? ISO */
            else if (c >= 4)
                rc = eddy_buf_printf(b, "%s", days[f->dow - 1]);
            else
                rc = eddy_buf_printf(b, "%.3s", days[f->dow - 1]);
            break;
        case 'a':
            rc = eddy_buf_append(b, f->hour < 12 ? "AM" : "PM", 2);
            break;
        case 'h':
            rc = put_num(b, f->hour % 12 == 0 ? 12 : f->hour % 12, c);
            break;
        case 'K':
            rc = put_num(b, f->hour % 12, c);
            break;
        case 'k':
            rc = put_num(b, f->hour == 0 ? 24 : f->hour, c);
            break;
        case 'H':
            rc = put_num(b, f->hour, c);
            break;
        case 'm':
            rc = put_num(b, f->minute, c);
            break;
        case 's':
            rc = put_num(b, f->second, c);
            break;
        case 'S': {
            char digits[10];
            snprintf(digits, sizeof digits, "%09lld", (long long)f->nanos);
            for (int k = 0; k < c && rc == 0; k++)
                rc = eddy_buf_append(b, k < 9 ? digits + k : "0", 1);
            break;
        }
        case 'n':
            rc = put_num(b, f->nanos, c);
            break;
        case 'X':
            rc = put_offset(b, f->offset, c, true);
            break;
        case 'x':
            rc = put_offset(b, f->offset, c, false);
            break;
        case 'Z':
            if (c <= 3)
                rc = put_offset(b, f->offset, 2, false);
            else if (c == 4) {
                rc = f->offset == 0 ? eddy_buf_printf(b, "GMT")
                                    : (eddy_buf_printf(b, "GMT"), put_offset(b, f->offset, 3,
                                                                             false));
            } else
                rc = put_offset(b, f->offset, 5, true);
            break;
        case 'O':
            rc = eddy_buf_printf(b, "GMT");
            if (rc == 0 && f->offset != 0)
                rc = put_offset(b, f->offset, 3, false);
            break;
        case 'z':
            rc = eddy_buf_printf(b, "%s", c >= 4 ? f->zone_id : f->zone_abbr);
            break;
        case 'V':
            rc = eddy_buf_printf(b, "%s", f->zone_id);
            break;
        default:
            return unsupported(err, L);
        }
    }
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Parsing
 * ------------------------------------------------------------------------------------------- */

typedef struct parsed {
    bool year, month, day, doy, hour, hour12, ampm, minute, second, nanos, offset, zone, era;
    int64_t v_year;
    int v_month, v_day, v_doy, v_hour, v_hour12, v_pm, v_minute, v_second;
    int64_t v_nanos;
    int32_t v_offset;
    const tzinfo *v_zone;
    bool yy;
} parsed;

static bool is_numeric_tok(const pattern *p, const tok *t)
{
    return t && t->kind == TK_FIELD &&
           strchr(p->sdf ? "yYwWDdFuMLHkKhmsS" : "yuMLdDhKkHmsSn", t->letter) &&
           !((t->letter == 'M' || t->letter == 'L') && t->count >= 3);
}

/* Time-zone names a 'z' field parses besides region ids, as java.time's zone-text parser
 * (and SimpleDateFormat's) reads them in an English/root locale: the short and long
 * standard, daylight and generic names of the common metazones, each resolved to the
 * metazone's preferred zone (PST is America/Los_Angeles, so it follows that zone's daylight
 * saving rules). Abbreviations shared by several metazones (IST, and CST for China) keep the
 * North American or first meaning only. */
static const struct zone_name {
    const char *name, *zone;
} zone_names[] = {
    {"PST", "America/Los_Angeles"}, {"PDT", "America/Los_Angeles"},
    {"PT", "America/Los_Angeles"}, {"Pacific Standard Time", "America/Los_Angeles"},
    {"Pacific Daylight Time", "America/Los_Angeles"}, {"Pacific Time", "America/Los_Angeles"},
    {"MST", "America/Denver"}, {"MDT", "America/Denver"}, {"MT", "America/Denver"},
    {"Mountain Standard Time", "America/Denver"}, {"Mountain Daylight Time", "America/Denver"},
    {"Mountain Time", "America/Denver"},
    {"CST", "America/Chicago"}, {"CDT", "America/Chicago"}, {"CT", "America/Chicago"},
    {"Central Standard Time", "America/Chicago"}, {"Central Daylight Time", "America/Chicago"},
    {"Central Time", "America/Chicago"},
    {"EST", "America/New_York"}, {"EDT", "America/New_York"}, {"ET", "America/New_York"},
    {"Eastern Standard Time", "America/New_York"},
    {"Eastern Daylight Time", "America/New_York"}, {"Eastern Time", "America/New_York"},
    {"AKST", "America/Juneau"}, {"AKDT", "America/Juneau"}, {"AKT", "America/Juneau"},
    {"Alaska Standard Time", "America/Juneau"}, {"Alaska Daylight Time", "America/Juneau"},
    {"Alaska Time", "America/Juneau"},
    {"HST", "Pacific/Honolulu"}, {"HDT", "Pacific/Honolulu"},
    {"Hawaii-Aleutian Standard Time", "Pacific/Honolulu"},
    {"Hawaii-Aleutian Daylight Time", "Pacific/Honolulu"},
    {"AST", "America/Halifax"}, {"ADT", "America/Halifax"}, {"AT", "America/Halifax"},
    {"Atlantic Standard Time", "America/Halifax"},
    {"Atlantic Daylight Time", "America/Halifax"}, {"Atlantic Time", "America/Halifax"},
    {"NST", "America/St_Johns"}, {"NDT", "America/St_Johns"},
    {"Newfoundland Standard Time", "America/St_Johns"},
    {"Newfoundland Daylight Time", "America/St_Johns"},
    {"BST", "Europe/London"}, {"British Summer Time", "Europe/London"},
    {"WET", "Atlantic/Canary"}, {"WEST", "Atlantic/Canary"},
    {"Western European Standard Time", "Atlantic/Canary"},
    {"Western European Summer Time", "Atlantic/Canary"},
    {"CET", "Europe/Paris"}, {"CEST", "Europe/Paris"},
    {"Central European Standard Time", "Europe/Paris"},
    {"Central European Summer Time", "Europe/Paris"},
    {"Central European Time", "Europe/Paris"},
    {"EET", "Europe/Bucharest"}, {"EEST", "Europe/Bucharest"},
    {"Eastern European Standard Time", "Europe/Bucharest"},
    {"Eastern European Summer Time", "Europe/Bucharest"},
    {"Eastern European Time", "Europe/Bucharest"},
    {"MSK", "Europe/Moscow"}, {"Moscow Standard Time", "Europe/Moscow"},
    {"SAST", "Africa/Johannesburg"}, {"South Africa Standard Time", "Africa/Johannesburg"},
    {"CAT", "Africa/Maputo"}, {"Central Africa Time", "Africa/Maputo"},
    {"EAT", "Africa/Nairobi"}, {"East Africa Time", "Africa/Nairobi"},
    {"WAT", "Africa/Lagos"}, {"West Africa Standard Time", "Africa/Lagos"},
    {"India Standard Time", "Asia/Kolkata"},
    {"China Standard Time", "Asia/Shanghai"},
    {"HKT", "Asia/Hong_Kong"}, {"Hong Kong Standard Time", "Asia/Hong_Kong"},
    {"SGT", "Asia/Singapore"}, {"Singapore Standard Time", "Asia/Singapore"},
    {"JST", "Asia/Tokyo"}, {"Japan Standard Time", "Asia/Tokyo"},
    {"KST", "Asia/Seoul"}, {"Korean Standard Time", "Asia/Seoul"},
    {"AWST", "Australia/Perth"}, {"Australian Western Standard Time", "Australia/Perth"},
    {"ACST", "Australia/Adelaide"}, {"ACDT", "Australia/Adelaide"},
    {"Australian Central Standard Time", "Australia/Adelaide"},
    {"Australian Central Daylight Time", "Australia/Adelaide"},
    {"AEST", "Australia/Sydney"}, {"AEDT", "Australia/Sydney"},
    {"Australian Eastern Standard Time", "Australia/Sydney"},
    {"Australian Eastern Daylight Time", "Australia/Sydney"},
    {"NZST", "Pacific/Auckland"}, {"NZDT", "Pacific/Auckland"},
    {"New Zealand Standard Time", "Pacific/Auckland"},
    {"New Zealand Daylight Time", "Pacific/Auckland"},
};

/* Parse a zone at s[*i]: the longest of a region id / offset id and a zone name (case
 * insensitive), as the prefix tree of java.time's zone-text parser matches. Names only for
 * 'names' ('z'; 'V' reads ids). */
static bool parse_zone(const char *s, size_t n, size_t *i, bool names, const tzinfo **out)
{
    size_t j = *i;
    while (j < n && (isalnum((unsigned char)s[j]) || strchr("/_+-:", s[j])))
        j++;
    size_t best = 0;
    const tzinfo *tz;
    if (j > *i && tz_get(s + *i, j - *i, &tz, NULL) == 0) {
        best = j - *i;
        *out = tz;
    }
    for (size_t k = 0; names && k < EDDY_ARRAY_LEN(zone_names); k++) {
        size_t len = strlen(zone_names[k].name);
        if (len > best && n - *i >= len && strncasecmp(s + *i, zone_names[k].name, len) == 0 &&
            tz_get(zone_names[k].zone, strlen(zone_names[k].zone), &tz, NULL) == 0) {
            best = len;
            *out = tz;
        }
    }
    *i += best;
    return best > 0;
}

/* FastDateParser's two-digit year: within 80 years before and 20 after the current year. */
static int64_t sdf_two_digit_year(int64_t v)
{
    int64_t y;
    int m, d;
    eddy_civil_from_days(floordiv(eddy_now_ms(), EDDY_MS_PER_DAY), &y, &m, &d);
    int64_t start = y - 80, century = start / 100 * 100, start_year = start - century;
    return v >= start_year ? century + v : century + v + 100;
}

static int parse_fail(eddy_err *err, size_t pos)
{
    return eddy_err_set(err, EDDY_EINVAL, "Text could not be parsed at index %zu", pos);
}

static bool match_text(const char *s, size_t n, size_t *i, const char *word, size_t wl)
{
    if (n - *i >= wl && strncasecmp(s + *i, word, wl) == 0) {
        *i += wl;
        return true;
    }
    return false;
}

static int parse_text(const pattern *p, const char *s, size_t n, parsed *r, eddy_err *err)
{
    memset(r, 0, sizeof *r);
    size_t i = 0;
    int opt_depth = 0;
    size_t opt_pos[8];
    int opt_tok[8];
    for (int ti = 0; ti < p->n; ti++) {
        const tok *t = &p->t[ti];
        bool ok = true;
        if (t->kind == TK_OPT_START) {
            if (opt_depth < 8) {
                opt_pos[opt_depth] = i;
                opt_tok[opt_depth] = ti;
            }
            opt_depth++;
            continue;
        }
        if (t->kind == TK_OPT_END) {
            if (opt_depth > 0)
                opt_depth--;
            continue;
        }
        if (t->kind == TK_LIT) {
            ok = n - i >= t->nlit && (p->sdf ? strncmp(s + i, t->lit, t->nlit)
                                             : strncasecmp(s + i, t->lit, t->nlit)) == 0;
            if (ok)
                i += t->nlit;
        } else {
            char L = t->letter;
            int c = t->count;
            const tok *next = ti + 1 < p->n ? &p->t[ti + 1] : NULL;
            if (p->sdf && is_numeric_tok(p, t)) {
                /* FastDateParser: as many digits as there are (after white space), or at
                 * most the letter count when a numeric field follows directly */
                bool adjacent = is_numeric_tok(p, next);
                if (!adjacent)
                    while (i < n && isspace((unsigned char)s[i]))
                        i++;
                int64_t v = 0;
                int w = 0;
                while (i < n && (!adjacent || w < c) && isdigit((unsigned char)s[i]) &&
                       v <= INT32_MAX) {
                    v = v * 10 + (s[i] - '0');
                    i++;
                    w++;
                }
                ok = w > 0 && v <= INT32_MAX;
                if (ok) {
                    switch (L) {
                    case 'y':
                    case 'Y':
                        r->year = true;
                        r->v_year = c > 2 || v >= 100 ? v : sdf_two_digit_year(v);
                        break;
                    case 'M':
                    case 'L':
                        r->month = true;
                        r->v_month = (int)v;
                        break;
                    case 'd':
                        r->day = true;
                        r->v_day = (int)v;
                        break;
                    case 'D':
                        r->doy = true;
                        r->v_doy = (int)v;
                        break;
                    case 'H':
                    case 'k':
                        r->hour = true;
                        r->v_hour = L == 'k' && v == 24 ? 0 : (int)v;
                        break;
                    case 'h':
                    case 'K':
                        r->hour12 = true;
                        r->v_hour12 = L == 'h' && v == 12 ? 0 : (int)v;
                        break;
                    case 'm':
                        r->minute = true;
                        r->v_minute = (int)v;
                        break;
                    case 's':
                        r->second = true;
                        r->v_second = (int)v;
                        break;
                    case 'S':
                        r->nanos = true;
                        r->v_nanos = v * 1000000;
                        break;
                    default:   /* w W F u: week fields, not used to resolve the date */
                        break;
                    }
                }
            } else if (is_numeric_tok(p, t)) {
                int minw = c, maxw;
                if (L == 'S') {
                    maxw = c;
                } else if (c == 1) {
                    minw = 1;
                    maxw = (L == 'y' || L == 'u') ? 19 : (L == 'D' ? 3 : 2);
                } else if ((L == 'y' || L == 'u') && c >= 4) {
                    maxw = 19;
                } else {
                    maxw = c;
                }
                if (is_numeric_tok(p, next) && maxw > c)
                    maxw = c;   /* adjacent value parsing */
                bool neg = false;
                if ((L == 'y' || L == 'u') && c >= 4 && i < n && (s[i] == '-' || s[i] == '+')) {
                    neg = s[i] == '-';
                    i++;
                }
                int64_t v = 0;
                int w = 0;
                while (i < n && w < maxw && isdigit((unsigned char)s[i])) {
                    v = v * 10 + (s[i] - '0');
                    i++;
                    w++;
                }
                if (w < minw) {
                    ok = false;
                } else {
                    if (neg)
                        v = -v;
                    switch (L) {
                    case 'y':
                    case 'u':
                        r->year = true;
                        r->v_year = c == 2 ? 2000 + v : v;
                        break;
                    case 'M':
                    case 'L':
                        r->month = true;
                        r->v_month = (int)v;
                        break;
                    case 'd':
                        r->day = true;
                        r->v_day = (int)v;
                        break;
                    case 'D':
                        r->doy = true;
                        r->v_doy = (int)v;
                        break;
                    case 'H':
                        r->hour = true;
                        r->v_hour = (int)v;
                        break;
                    case 'k':
                        r->hour = true;
                        r->v_hour = v == 24 ? 0 : (int)v;
                        break;
                    case 'h':
                    case 'K':
                        r->hour12 = true;
                        r->v_hour12 = (int)(v % 12);
                        break;
                    case 'm':
                        r->minute = true;
                        r->v_minute = (int)v;
                        break;
                    case 's':
                        r->second = true;
                        r->v_second = (int)v;
                        break;
                    case 'S':
                        r->nanos = true;
                        for (int k = c; k < 9; k++)
                            v *= 10;
                        r->v_nanos = v;
                        break;
                    case 'n':
                        r->nanos = true;
                        r->v_nanos = v;
                        break;
                    }
                }
            } else if (L == 'M' || L == 'L') {
                ok = false;
                for (int m = 0; m < 12 && !ok; m++)
                    if (((c >= 4 || p->sdf) && match_text(s, n, &i, months[m],
                                                          strlen(months[m]))) ||
                        ((c == 3 || p->sdf) && match_text(s, n, &i, months[m], 3))) {
                        r->month = true;
                        r->v_month = m + 1;
                        ok = true;
                    }
            } else if (L == 'E' || L == 'e') {
                ok = false;
                for (int d = 0; d < 7 && !ok; d++)
                    if (((c >= 4 || p->sdf) && match_text(s, n, &i, days[d], strlen(days[d]))) ||
                        ((c < 4 || p->sdf) && match_text(s, n, &i, days[d], 3)))
                        ok = true;
            } else if (L == 'a') {
                if (match_text(s, n, &i, "AM", 2)) {
                    r->ampm = true;
                    r->v_pm = 0;
                } else if (match_text(s, n, &i, "PM", 2)) {
                    r->ampm = true;
                    r->v_pm = 1;
                } else {
                    ok = false;
                }
            } else if (L == 'G') {
                ok = match_text(s, n, &i, "AD", 2) || match_text(s, n, &i, "Anno Domini", 11);
            } else if (L == 'X' || L == 'x' || L == 'Z' || L == 'O') {
                if ((L == 'X' || (L == 'Z' && c == 5)) && i < n && (s[i] == 'Z' || s[i] == 'z')) {
                    i++;
                    r->offset = true;
                    r->v_offset = 0;
                } else {
                    if (L == 'O' || (L == 'Z' && c == 4)) {
                        if (!match_text(s, n, &i, "GMT", 3)) {
                            ok = false;
                            goto done_tok;
                        }
                        if (i >= n || (s[i] != '+' && s[i] != '-')) {
                            r->offset = true;
                            r->v_offset = 0;
                            goto done_tok;
                        }
                    }
                    size_t j = i;
                    if (j < n && (s[j] == '+' || s[j] == '-'))
                        j++;
                    while (j < n && (isdigit((unsigned char)s[j]) || s[j] == ':'))
                        j++;
                    int32_t off;
                    if (parse_offset(s + i, j - i, &off)) {
                        r->offset = true;
                        r->v_offset = off;
                        i = j;
                    } else {
                        ok = false;
                    }
                }
            } else if (L == 'z' || L == 'V') {
                const tzinfo *tz = NULL;
                ok = parse_zone(s, n, &i, L == 'z', &tz);
                if (ok) {
                    r->zone = true;
                    r->v_zone = tz;
                }
            } else {
                ok = false;
            }
        }
    done_tok:
        if (!ok) {
            if (opt_depth > 0 && opt_depth <= 8) {
                /* skip the rest of the innermost optional section */
                i = opt_pos[opt_depth - 1];
                int depth = 0;
                for (ti = opt_tok[opt_depth - 1]; ti < p->n; ti++) {
                    if (p->t[ti].kind == TK_OPT_START)
                        depth++;
                    else if (p->t[ti].kind == TK_OPT_END && --depth == 0)
                        break;
                }
                opt_depth--;
                continue;
            }
            return parse_fail(err, i);
        }
    }
    /* DateTimeFormatter.parse needs all the text; DateFormat.parse stops where the pattern
     * ends */
    if (i != n && !p->sdf)
        return eddy_err_set(err, EDDY_EINVAL, "Text could not be parsed, unparsed text found at "
                                              "index %zu", i);
    if (r->hour12) {
        r->hour = true;
        r->v_hour = r->v_hour12 + (r->ampm ? 12 * r->v_pm : 0);
    }
    return 0;
}

/* Validate and combine into local milliseconds (defaults 1970-01-01T00:00:00). */
static int resolve_local(const parsed *r, int64_t *local_ms, bool *has_date, bool *has_time,
                         eddy_err *err)
{
    int64_t y = r->year ? r->v_year : 1970;
    int m = r->month ? r->v_month : 1, d = r->day ? r->v_day : 1;
    if (m < 1 || m > 12)
        return eddy_err_set(err, EDDY_EINVAL, "Invalid value for MonthOfYear: %d", m);
    int64_t days;
    if (r->doy && !r->month && !r->day) {
        int64_t jan1 = eddy_days_from_civil(y, 1, 1);
        int len = (int)(eddy_days_from_civil(y + 1, 1, 1) - jan1);
        if (r->v_doy < 1 || r->v_doy > len)
            return eddy_err_set(err, EDDY_EINVAL, "Invalid value for DayOfYear: %d", r->v_doy);
        days = jan1 + r->v_doy - 1;
    } else {
        int64_t first = eddy_days_from_civil(y, m, 1);
        int64_t next = m == 12 ? eddy_days_from_civil(y + 1, 1, 1)
                               : eddy_days_from_civil(y, m + 1, 1);
        if (d < 1 || d > next - first)
            return eddy_err_set(err, EDDY_EINVAL, "Invalid date: day %d of month %d", d, m);
        days = first + d - 1;
    }
    int h = r->hour ? r->v_hour : 0, mi = r->minute ? r->v_minute : 0,
        s = r->second ? r->v_second : 0;
    if (h < 0 || h > 23)
        return eddy_err_set(err, EDDY_EINVAL, "Invalid value for HourOfDay: %d", h);
    if (mi > 59)
        return eddy_err_set(err, EDDY_EINVAL, "Invalid value for MinuteOfHour: %d", mi);
    if (s > 59)
        return eddy_err_set(err, EDDY_EINVAL, "Invalid value for SecondOfMinute: %d", s);
    *local_ms = days * EDDY_MS_PER_DAY + ((int64_t)h * 3600 + mi * 60 + s) * 1000 +
                (r->nanos ? r->v_nanos / 1000000 : 0);
    if (has_date)
        *has_date = r->year || r->month || r->day || r->doy;
    if (has_time)
        *has_time = r->hour || r->minute || r->second || r->nanos;
    return 0;
}

/* Combine as a lenient java.util.Calendar (SimpleDateFormat): out-of-range fields roll
 * over (month 13 is January of the next year, day 0 the last day of the month before). */
static void resolve_lenient(const parsed *r, int64_t *local_ms)
{
    int64_t y = r->year ? r->v_year : 1970;
    int64_t m = r->month ? r->v_month : 1, d = r->day ? r->v_day : 1;
    int64_t days;
    if (r->doy && !r->month && !r->day) {
        days = eddy_days_from_civil(y, 1, 1) + r->v_doy - 1;
    } else {
        y += floordiv(m - 1, 12);
        m = m - 1 - floordiv(m - 1, 12) * 12 + 1;
        days = eddy_days_from_civil(y, (int)m, 1) + d - 1;
    }
    int64_t h = r->hour ? r->v_hour : 0, mi = r->minute ? r->v_minute : 0,
            sec = r->second ? r->v_second : 0;
    *local_ms = days * EDDY_MS_PER_DAY + (h * 3600 + mi * 60 + sec) * 1000 +
                (r->nanos ? r->v_nanos / 1000000 : 0);
}

/* ---------------------------------------------------------------------------------------------
 * Shared helpers
 * ------------------------------------------------------------------------------------------- */

static int get_pattern(const eddy_value *v, pattern *p, eddy_err *err)
{
    return compile(v->u.str, v->n, p, err);
}

static int get_zone(const eddy_value *v, const tzinfo **tz, eddy_err *err)
{
    return tz_get(v->u.str, v->n, tz, err);
}

/* Format instant 'ms' in 'tz' with pattern 'pv'. */
static int format_instant(fn_ctx *ctx, int64_t ms, const eddy_value *pv, const tzinfo *tz,
                          eddy_value *out, eddy_err *err)
{
    pattern p;
    int rc = get_pattern(pv, &p, err);
    if (rc)
        return rc;
    fields f;
    f.offset = tz_offset(tz, ms);
    fields_from_local(ms + (int64_t)f.offset * 1000, &f);
    f.zone_id = tz->id;
    f.zone_abbr = tz_abbr(tz, ms);
    f.has_date = f.has_time = f.has_zone = true;
    eddy_buf b;
    eddy_buf_init(&b);
    if ((rc = format(&p, &f, &b, err))) {
        eddy_buf_free(&b);
        return rc;
    }
    return fn__buf_str(ctx, &b, out);
}

/* StringToTimestampParser.parse(text, zone). */
static int parse_instant(const eddy_value *text, const eddy_value *pv, const tzinfo *tz,
                         int64_t *ms, eddy_err *err)
{
    pattern p;
    parsed r;
    int rc = get_pattern(pv, &p, err);
    if (rc == 0)
        rc = parse_text(&p, text->u.str, text->n, &r, err);
    int64_t local;
    if (rc == 0)
        rc = resolve_local(&r, &local, NULL, NULL, err);
    if (rc)
        return rc;
    if (r.offset)
        *ms = local - (int64_t)r.v_offset * 1000;
    else
        *ms = tz_local_to_utc(r.zone ? r.v_zone : tz, local);
    return 0;
}

static const tzinfo *utc(void)
{
    const tzinfo *tz = NULL;
    tz_get("UTC", 3, &tz, NULL);
    return tz;
}

/* ---------------------------------------------------------------------------------------------
 * Functions
 * ------------------------------------------------------------------------------------------- */

static int unix_timestamp_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args,
                               int nargs, eddy_value *out, eddy_err *err)
{
    (void)ctx, (void)call, (void)err;
    *out = eddy_value_bigint(nargs == 0 ? eddy_now_ms() : args[0].u.i64);
    return 0;
}

static int unix_date_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                          eddy_value *out, eddy_err *err)
{
    (void)ctx, (void)call, (void)err;
    *out = eddy_value_int(nargs == 0 ? (int32_t)floordiv(eddy_now_ms(), EDDY_MS_PER_DAY)
                                     : args[0].u.i32);
    return 0;
}

static int from_unixtime_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args,
                              int nargs, eddy_value *out, eddy_err *err)
{
    (void)ctx, (void)call, (void)nargs, (void)err;
    *out = eddy_value_timestamp(args[0].u.i64);
    return 0;
}

static int from_days_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                          eddy_value *out, eddy_err *err)
{
    (void)ctx, (void)call, (void)nargs;
    if (NUL(0))
        return eddy_err_set(err, EDDY_EINVAL, "java.lang.NullPointerException: days is NULL");
    *out = eddy_value_date(args[0].u.i32);
    return 0;
}

/* TIMESTAMPTOSTRING(epochMilli, pattern[, zone]) and FORMAT_TIMESTAMP(ts, pattern[, zone]). */
static int format_timestamp_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args,
                                  int nargs, eddy_value *out, eddy_err *err)
{
    (void)call;
    const tzinfo *tz = utc();
    int rc;
    if (nargs > 2 && (rc = get_zone(&args[2], &tz, err)))
        return rc;
    if (!tz)
        return EDDY_ENOMEM;
    rc = format_instant(ctx, args[0].u.i64, &args[1], tz, out, err);
    if (rc && rc != EDDY_ENOMEM) {
        eddy_err e2;
        eddy_err_clear(&e2);
        eddy_err_set(&e2, rc, "Failed to format timestamp %lld with formatter '%.*s': %s",
                     (long long)args[0].u.i64, (int)(args[1].n > 60 ? 60 : args[1].n),
                     args[1].u.str, err->msg);
        *err = e2;
    }
    return rc;
}

/* STRINGTOTIMESTAMP (BIGINT result) and PARSE_TIMESTAMP (TIMESTAMP result). */
static int parse_timestamp_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args,
                                int nargs, eddy_value *out, eddy_err *err)
{
    (void)ctx;
    const tzinfo *tz = utc();
    int rc;
    if (nargs > 2 && (rc = get_zone(&args[2], &tz, err)))
        return rc;
    if (!tz)
        return EDDY_ENOMEM;
    int64_t ms;
    if ((rc = parse_instant(&args[0], &args[1], tz, &ms, err))) {
        eddy_err e2;
        eddy_err_clear(&e2);
        eddy_err_set(&e2, rc, "Failed to parse timestamp with formatter '%.*s': %s",
                     (int)(args[1].n > 60 ? 60 : args[1].n), args[1].u.str, err->msg);
        *err = e2;
        return rc;
    }
    *out = call->type->kind == EDDY_T_TIMESTAMP ? eddy_value_timestamp(ms) : eddy_value_bigint(ms);
    return 0;
}

/* DATETOSTRING(epochDays, pattern) and FORMAT_DATE(date, pattern): date fields only. */
static int format_date_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args,
                            int nargs, eddy_value *out, eddy_err *err)
{
    (void)call, (void)nargs;
    pattern p;
    int rc = get_pattern(&args[1], &p, err);
    if (rc)
        return rc;
    fields f;
    memset(&f, 0, sizeof f);
    fields_from_local((int64_t)args[0].u.i32 * EDDY_MS_PER_DAY, &f);
    f.has_date = true;
    eddy_buf b;
    eddy_buf_init(&b);
    if ((rc = format(&p, &f, &b, err))) {
        eddy_buf_free(&b);
        return rc;
    }
    return fn__buf_str(ctx, &b, out);
}

static int format_time_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args,
                            int nargs, eddy_value *out, eddy_err *err)
{
    (void)call, (void)nargs;
    pattern p;
    int rc = get_pattern(&args[1], &p, err);
    if (rc)
        return rc;
    fields f;
    memset(&f, 0, sizeof f);
    fields_from_local(args[0].u.i32, &f);
    f.has_time = true;
    eddy_buf b;
    eddy_buf_init(&b);
    if ((rc = format(&p, &f, &b, err))) {
        eddy_buf_free(&b);
        return rc;
    }
    return fn__buf_str(ctx, &b, out);
}

/* STRINGTODATE (INTEGER days; java.time's LocalDate.parse) and PARSE_DATE (DATE; ksqlDB's
 * ParseDate reads with commons-lang FastDateFormat in GMT: SimpleDateFormat rules, lenient,
 * and text after the pattern is ignored). */
static int parse_date_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                           eddy_value *out, eddy_err *err)
{
    (void)ctx, (void)nargs;
    pattern p;
    parsed r;
    int64_t local = 0;
    bool has_time = false;
    bool sdf = call->type->kind == EDDY_T_DATE;
    int rc = compile_mode(args[1].u.str, args[1].n, sdf, &p, err);
    if (rc == 0)
        rc = parse_text(&p, args[0].u.str, args[0].n, &r, err);
    if (rc == 0 && sdf) {
        resolve_lenient(&r, &local);
        if (r.zone)
            local -= (int64_t)tz_offset(r.v_zone, local) * 1000;
        else if (r.offset)
            local -= (int64_t)r.v_offset * 1000;
        has_time = true;
    } else if (rc == 0) {
        rc = resolve_local(&r, &local, NULL, &has_time, err);
    }
    if (rc == 0 && (has_time && local % EDDY_MS_PER_DAY != 0))
        rc = eddy_err_set(err, EDDY_EINVAL, "Date format contains time field.");
    if (rc)
        return rc;
    int32_t d = (int32_t)floordiv(local, EDDY_MS_PER_DAY);
    *out = call->type->kind == EDDY_T_DATE ? eddy_value_date(d) : eddy_value_int(d);
    return 0;
}

static int parse_time_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                           eddy_value *out, eddy_err *err)
{
    (void)ctx, (void)call, (void)nargs;
    pattern p;
    parsed r;
    int64_t local;
    bool has_date;
    int rc = get_pattern(&args[1], &p, err);
    if (rc == 0)
        rc = parse_text(&p, args[0].u.str, args[0].n, &r, err);
    if (rc == 0)
        rc = resolve_local(&r, &local, &has_date, NULL, err);
    if (rc == 0 && has_date)
        rc = eddy_err_set(err, EDDY_EINVAL, "Time format contains date field.");
    if (rc == 0 && !r.hour)
        rc = eddy_err_set(err, EDDY_EINVAL, "Unable to obtain LocalTime from TemporalAccessor");
    if (rc)
        return rc;
    *out = eddy_value_time((int32_t)local);
    return 0;
}

static int convert_tz_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                           eddy_value *out, eddy_err *err)
{
    (void)ctx, (void)call, (void)nargs;
    const tzinfo *from, *to;
    int rc;
    if ((rc = get_zone(&args[1], &from, err)) || (rc = get_zone(&args[2], &to, err))) {
        eddy_err e2;
        eddy_err_clear(&e2);
        eddy_err_set(&e2, rc, "Invalid time zone: %s", err->msg);
        *err = e2;
        return rc;
    }
    int64_t ts = args[0].u.i64;
    *out = eddy_value_timestamp(ts + ((int64_t)tz_offset(to, ts) - tz_offset(from, ts)) * 1000);
    return 0;
}

/* java.util.concurrent.TimeUnit: milliseconds per unit (NANOS/MICROS: divisors). */
static int unit_ms(const eddy_value *u, int64_t *num, int64_t *den, eddy_err *err)
{
    static const struct {
        const char *name;
        int64_t num, den;
    } units[] = {
        {"NANOSECONDS", 1, 1000000}, {"MICROSECONDS", 1, 1000}, {"MILLISECONDS", 1, 1},
        {"SECONDS", 1000, 1},        {"MINUTES", 60000, 1},     {"HOURS", 3600000, 1},
        {"DAYS", 86400000, 1},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(units); i++)
        if (strlen(units[i].name) == u->n && strncasecmp(u->u.str, units[i].name, u->n) == 0) {
            *num = units[i].num;
            *den = units[i].den;
            return 0;
        }
    return eddy_err_set(err, EDDY_EINVAL, "Unknown time unit");
}

/* unit.toMillis(interval): truncates toward zero for sub-millisecond units. */
static int64_t to_millis(int64_t v, int64_t num, int64_t den)
{
    return den > 1 ? v / den : v * num;
}

static int add_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                    eddy_value *out, eddy_err *err)
{
    (void)ctx, (void)nargs;
    const char *name = call->u.call.fn->name;
    bool sub = strstr(name, "SUB") != NULL;
    int64_t num = 1, den = 1;
    int rc = unit_ms(&args[0], &num, &den, err);
    if (rc)
        return rc;
    int64_t iv = sub ? -(int64_t)args[1].u.i32 : args[1].u.i32;
    switch (call->type->kind) {
    case EDDY_T_DATE: {
        int64_t ms = (int64_t)args[2].u.i32 * EDDY_MS_PER_DAY + to_millis(iv, num, den);
        *out = eddy_value_date((int32_t)(ms / EDDY_MS_PER_DAY));   /* toDays truncates */
        return 0;
    }
    case EDDY_T_TIME: {
        /* LocalTime.plus(nanos) wraps around midnight */
        __int128 nanos = (__int128)args[2].u.i32 * 1000000 +
                         (den > 1 ? (__int128)iv * (1000000 / den) : (__int128)iv * num * 1000000);
        __int128 day = (__int128)EDDY_MS_PER_DAY * 1000000;
        nanos %= day;
        if (nanos < 0)
            nanos += day;
        *out = eddy_value_time((int32_t)(nanos / 1000000));
        return 0;
    }
    default:
        *out = eddy_value_timestamp(args[2].u.i64 + to_millis(iv, num, den));
        return 0;
    }
}

/* ---------------------------------------------------------------------------------------------
 * Table
 * ------------------------------------------------------------------------------------------- */

static const fn_sig unix_timestamp_sigs[] = {{"", "BIGINT"}, {"TIMESTAMP timestamp", "BIGINT"}};
static const fn_sig unix_date_sigs[] = {{"", "INTEGER"}, {"DATE date", "INTEGER"}};
static const fn_sig from_unixtime_sigs[] = {{"BIGINT epochMilli", "TIMESTAMP"}};
static const fn_sig from_days_sigs[] = {{"INTEGER days", "DATE"}};
static const fn_sig ts_to_string_sigs[] = {
    {"BIGINT epochMilli, STRING formatPattern", "STRING"},
    {"BIGINT epochMilli, STRING formatPattern, STRING timeZone", "STRING"},
};
static const fn_sig string_to_ts_sigs[] = {
    {"STRING formattedTimestamp, STRING formatPattern", "BIGINT"},
    {"STRING formattedTimestamp, STRING formatPattern, STRING timeZone", "BIGINT"},
};
static const fn_sig format_ts_sigs[] = {
    {"TIMESTAMP timestamp, STRING formatPattern", "STRING"},
    {"TIMESTAMP timestamp, STRING formatPattern, STRING timeZone", "STRING"},
};
static const fn_sig parse_ts_sigs[] = {
    {"STRING formattedTimestamp, STRING formatPattern", "TIMESTAMP"},
    {"STRING formattedTimestamp, STRING formatPattern, STRING timeZone", "TIMESTAMP"},
};
static const fn_sig date_to_string_sigs[] = {{"INTEGER epochDays, STRING formatPattern",
                                              "STRING"}};
static const fn_sig string_to_date_sigs[] = {{"STRING formattedDate, STRING formatPattern",
                                              "INTEGER"}};
static const fn_sig format_date_sigs[] = {{"DATE date, STRING formatPattern", "STRING"}};
static const fn_sig parse_date_sigs[] = {{"STRING formattedDate, STRING formatPattern",
                                          "DATE"}};
static const fn_sig format_time_sigs[] = {{"TIME time, STRING formatPattern", "STRING"}};
static const fn_sig parse_time_sigs[] = {{"STRING formattedTime, STRING formatPattern",
                                          "TIME"}};
static const fn_sig convert_tz_sigs[] = {{"TIMESTAMP timestamp, STRING fromTimeZone, "
                                          "STRING toTimeZone", "TIMESTAMP"}};
static const fn_sig date_add_sigs[] = {{"STRING unit, INTEGER interval, DATE date", "DATE"}};
static const fn_sig time_add_sigs[] = {{"STRING unit, INTEGER interval, TIME time", "TIME"}};
static const fn_sig ts_add_sigs[] = {{"STRING unit, INTEGER interval, TIMESTAMP timestamp",
                                      "TIMESTAMP"}};

#define NN FN_F_NULL_IN_NULL_OUT
#define T FN_CAT_DATETIME

static const fn_scalar fns[] = {
    FN_SCALAR("CONVERT_TZ", "Converts a TIMESTAMP value from one timezone to another.", T, NN,
              convert_tz_sigs, convert_tz_eval),
    FN_SCALAR("DATEADD", "Adds a duration to a DATE value.", T, NN, date_add_sigs, add_eval),
    FN_SCALAR("DATESUB", "Subtracts a duration from a DATE value.", T, NN, date_add_sigs,
              add_eval),
    FN_SCALAR("DATETOSTRING", "Converts an integer representation of a date into a string "
                              "representation.", T, NN, date_to_string_sigs, format_date_eval),
    FN_SCALAR("FORMAT_DATE", "Converts a DATE value to a string using the given format "
                             "pattern.", T, NN, format_date_sigs, format_date_eval),
    FN_SCALAR("FORMAT_TIME", "Converts a TIME value to a string using the given format "
                             "pattern.", T, NN, format_time_sigs, format_time_eval),
    FN_SCALAR("FORMAT_TIMESTAMP", "Converts a TIMESTAMP value into the string representation of "
                                  "the timestamp in the given format.", T, NN, format_ts_sigs,
              format_timestamp_eval),
    FN_SCALAR("FROM_DAYS", "Converts an INT number of days since epoch to a DATE value.", T, 0,
              from_days_sigs, from_days_eval),
    FN_SCALAR("FROM_UNIXTIME", "Converts a BIGINT millisecond timestamp value into a TIMESTAMP "
                               "value.", T, NN, from_unixtime_sigs, from_unixtime_eval),
    FN_SCALAR("PARSE_DATE", "Converts a string representation of a date in the given format "
                            "into a DATE value.", T, NN, parse_date_sigs, parse_date_eval),
    FN_SCALAR("PARSE_TIME", "Converts a string representation of a time in the given format "
                            "into a TIME value.", T, NN, parse_time_sigs, parse_time_eval),
    FN_SCALAR("PARSE_TIMESTAMP", "Converts a string value in the given format into the "
                                 "TIMESTAMP value.", T, NN, parse_ts_sigs, parse_timestamp_eval),
    FN_SCALAR("STRINGTODATE", "Converts a string representation of a date into an integer "
                              "representing days since epoch.", T, NN, string_to_date_sigs,
              parse_date_eval),
    FN_SCALAR("STRINGTOTIMESTAMP", "Converts a string value in the given format into the BIGINT "
                                   "value that represents the millisecond timestamp.", T, NN,
              string_to_ts_sigs, parse_timestamp_eval),
    FN_SCALAR("TIMEADD", "Adds a duration to a TIME value.", T, NN, time_add_sigs, add_eval),
    FN_SCALAR("TIMESTAMPADD", "Adds a duration to a TIMESTAMP value.", T, NN, ts_add_sigs,
              add_eval),
    FN_SCALAR("TIMESTAMPSUB", "Subtracts a duration from a TIMESTAMP value.", T, NN,
              ts_add_sigs, add_eval),
    FN_SCALAR("TIMESTAMPTOSTRING", "Converts a BIGINT millisecond timestamp value into the "
                                   "string representation of the timestamp in the given "
                                   "format.", T, NN, ts_to_string_sigs, format_timestamp_eval),
    FN_SCALAR("TIMESUB", "Subtracts a duration from a TIME value.", T, NN, time_add_sigs,
              add_eval),
    FN_SCALAR("UNIX_DATE", "Gets an integer representing days since epoch.", T, NN,
              unix_date_sigs, unix_date_eval),
    FN_SCALAR("UNIX_TIMESTAMP", "Gets the Unix timestamp in milliseconds, represented as a "
                                "BIGINT.", T, NN, unix_timestamp_sigs, unix_timestamp_eval),
};

const fn__table fn__datetime_table = {fns, (int)EDDY_ARRAY_LEN(fns)};
