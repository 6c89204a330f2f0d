/*
 * functions/fn_string.c - string and bytes functions.
 *
 * Semantics from ksqlDB's io.confluent.ksql.function.udf.string classes (Concat, ConcatWS,
 * UCase, LCase, Len, Substring, Trim, Replace, Instr, LPad, RPad, Split, SplitToMap,
 * RegexpExtract, RegexpExtractAll, RegexpReplace, RegexpSplitToArray, InitCap, Chr, Elt,
 * Field, Encode, ToBytes, FromBytes, MD5, Mask*) and util.BytesUtils.
 *
 * Characters: Java counts UTF-16 code units; eddy counts Unicode code points of the UTF-8
 * text, which agree for text in the Basic Multilingual Plane. Case mapping covers ASCII and
 * Latin-1 (no locale is consulted). Regular expressions use POSIX extended regexes (glibc
 * regcomp) after translating Java's \d \D (and passing \w \s \b, which glibc knows):
 * enough for the patterns ksqlDB users write, not all of java.util.regex (no lookaround,
 * lazy quantifiers or named groups).
 */
#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "functions_int.h"

#define STR(i) (args[i].u.str)
#define LEN(i) ((size_t)args[i].n)
#define NUL(i) (args[i].null)

/* ---------------------------------------------------------------------------------------------
 * Case mapping (ASCII + Latin-1)
 * ------------------------------------------------------------------------------------------- */

static uint32_t cp_upper(uint32_t c)
{
    if (c >= 'a' && c <= 'z')
        return c - 32;
    if (c >= 0xE0 && c <= 0xFE && c != 0xF7)
        return c - 32;
    if (c == 0xFF)
        return 0x178;
    return c;
}

static uint32_t cp_lower(uint32_t c)
{
    if (c >= 'A' && c <= 'Z')
        return c + 32;
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
        return c + 32;
    if (c == 0x178)
        return 0xFF;
    return c;
}

static int map_case(fn_ctx *ctx, const char *s, size_t n, bool upper, eddy_value *out)
{
    char *p = eddy_arena_alloc(ctx->arena, n * 2 + 1);
    if (!p)
        return EDDY_ENOMEM;
    size_t i = 0, o = 0;
    while (i < n) {
        size_t st = i;
        uint32_t c = fn__utf8_next(s, n, &i);
        uint32_t m = upper ? cp_upper(c) : cp_lower(c);
        if (m == c) {
            memcpy(p + o, s + st, i - st);
            o += i - st;
        } else {
            o += (size_t)fn__utf8_put(m, p + o);
        }
    }
    *out = eddy_value_string(p, o);
    return 0;
}

static int ucase_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                      eddy_value *out, eddy_err *err)
{
    (void)call, (void)nargs, (void)err;
    return map_case(ctx, STR(0), LEN(0), true, out);
}

static int lcase_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                      eddy_value *out, eddy_err *err)
{
    (void)call, (void)nargs, (void)err;
    return map_case(ctx, STR(0), LEN(0), false, out);
}

/* InitCap: lower-case, then upper-case the first character of each run of non-spaces. */
static int initcap_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                        eddy_value *out, eddy_err *err)
{
    (void)call, (void)nargs, (void)err;
    int rc = map_case(ctx, STR(0), LEN(0), false, out);
    if (rc)
        return rc;
    char *p = (char *)out->u.str;
    size_t n = out->n, i = 0;
    bool start = true;
    eddy_buf b;
    eddy_buf_init(&b);
    while (i < n) {
        size_t st = i;
        uint32_t c = fn__utf8_next(p, n, &i);
        bool space = c == ' ' || (c >= 9 && c <= 13) || c == 0x1C || c == 0x1D || c == 0x1E ||
                     c == 0x1F;
        char tmp[4];
        if (start && !space) {
            int k = fn__utf8_put(cp_upper(c), tmp);
            rc = eddy_buf_append(&b, tmp, (size_t)k);
        } else {
            rc = eddy_buf_append(&b, p + st, i - st);
        }
        if (rc) {
            eddy_buf_free(&b);
            return rc;
        }
        start = space;
    }
    return fn__buf_str(ctx, &b, out);
}

/* ---------------------------------------------------------------------------------------------
 * CONCAT, CONCAT_WS
 * ------------------------------------------------------------------------------------------- */

static int concat_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                       eddy_value *out, eddy_err *err)
{
    (void)err;
    size_t total = 0;
    for (int i = 0; i < nargs; i++)
        if (!NUL(i))
            total += LEN(i);
    char *p = eddy_arena_alloc(ctx->arena, total + 1);
    if (!p)
        return EDDY_ENOMEM;
    size_t o = 0;
    for (int i = 0; i < nargs; i++)
        if (!NUL(i)) {
            memcpy(p + o, STR(i), LEN(i));
            o += LEN(i);
        }
    *out = eddy_value_string(p, o);
    if (call->u.call.variant == 1)
        out->kind = EDDY_T_BYTES;
    return 0;
}

static int concat_ws_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                          eddy_value *out, eddy_err *err)
{
    if (nargs < 2)
        return eddy_err_set(err, EDDY_EINVAL,
                            "Function Concat_WS expects at least two input arguments.");
    if (NUL(0)) {
        *out = eddy_value_null(EDDY_T_STRING);
        return 0;
    }
    eddy_buf b;
    eddy_buf_init(&b);
    bool first = true;
    int rc = 0;
    for (int i = 1; i < nargs && rc == 0; i++) {
        if (NUL(i))
            continue;
        if (!first)
            rc = eddy_buf_append(&b, STR(0), LEN(0));
        if (rc == 0)
            rc = eddy_buf_append(&b, STR(i), LEN(i));
        first = false;
    }
    if (rc) {
        eddy_buf_free(&b);
        return rc;
    }
    rc = fn__buf_str(ctx, &b, out);
    if (call->u.call.variant == 1)
        out->kind = EDDY_T_BYTES;
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * LEN, SUBSTRING, TRIM, REPLACE, INSTR
 * ------------------------------------------------------------------------------------------- */

static int len_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                    eddy_value *out, eddy_err *err)
{
    (void)ctx, (void)nargs, (void)err;
    *out = eddy_value_int((int32_t)(call->u.call.variant == 0 ? fn__utf8_len(STR(0), LEN(0))
                                                              : LEN(0)));
    return 0;
}

static int substring_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                          eddy_value *out, eddy_err *err)
{
    for (int i = 0; i < nargs; i++)
        if (NUL(i)) {
            *out = eddy_value_null(EDDY_T_STRING);
            return 0;
        }
    bool bytes = call->u.call.variant >= 2;
    const char *s = STR(0);
    size_t n = LEN(0);
    int64_t len = bytes ? (int64_t)n : (int64_t)fn__utf8_len(s, n);
    int64_t pos = args[1].u.i32, start, end;
    if (ctx->config && ctx->config->substring_legacy_args && !bytes) {
        /* ksqlDB before 5.1: Java's String.substring(start[, end]), 0-based. */
        start = pos;
        end = nargs > 2 ? args[2].u.i32 : len;
        if (start < 0 || end > len || start > end)
            return eddy_err_set(err, EDDY_ERANGE, "String index out of range: %lld",
                                (long long)(start < 0 ? start : end > len ? end : end - start));
    } else {
        start = pos < 0 ? EDDY_MAX(len + pos, 0) : EDDY_MAX(EDDY_MIN(pos - 1, len), 0);
        end = len;
        if (nargs > 2)
            end = EDDY_MAX(EDDY_MIN(start + args[2].u.i32, len), start);
    }
    size_t bs = bytes ? (size_t)start : fn__utf8_offset(s, n, (size_t)start);
    size_t be = bytes ? (size_t)end : fn__utf8_offset(s, n, (size_t)end);
    *out = bytes ? eddy_value_bytes(s + bs, be - bs) : eddy_value_string(s + bs, be - bs);
    return 0;
}

static int trim_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                     eddy_value *out, eddy_err *err)
{
    (void)ctx, (void)call, (void)nargs, (void)err;
    size_t n = LEN(0);
    const char *s = eddy_java_trim(STR(0), &n);
    *out = eddy_value_string(s, n);
    return 0;
}

static const char *memfind(const char *h, size_t hn, const char *nd, size_t nn)
{
    if (nn == 0)
        return h;
    if (nn > hn)
        return NULL;
    for (size_t i = 0; i + nn <= hn; i++)
        if (h[i] == nd[0] && memcmp(h + i, nd, nn) == 0)
            return h + i;
    return NULL;
}

/* String.replace(CharSequence, CharSequence): an empty target inserts between characters. */
static int replace_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                        eddy_value *out, eddy_err *err)
{
    (void)call, (void)nargs, (void)err;
    const char *s = STR(0), *o = STR(1), *r = STR(2);
    size_t n = LEN(0), on = LEN(1), rn = LEN(2);
    eddy_buf b;
    eddy_buf_init(&b);
    int rc = 0;
    if (on == 0) {
        size_t i = 0;
        rc = eddy_buf_append(&b, r, rn);
        while (i < n && rc == 0) {
            size_t st = i;
            fn__utf8_next(s, n, &i);
            rc = eddy_buf_append(&b, s + st, i - st);
            if (rc == 0)
                rc = eddy_buf_append(&b, r, rn);
        }
    } else {
        size_t i = 0;
        while (rc == 0) {
            const char *f = memfind(s + i, n - i, o, on);
            if (!f) {
                rc = eddy_buf_append(&b, s + i, n - i);
                break;
            }
            rc = eddy_buf_append(&b, s + i, (size_t)(f - (s + i)));
            if (rc == 0)
                rc = eddy_buf_append(&b, r, rn);
            i = (size_t)(f - s) + on;
        }
    }
    if (rc) {
        eddy_buf_free(&b);
        return rc;
    }
    return fn__buf_str(ctx, &b, out);
}

/* Decode to code points (for INSTR and padding). */
static uint32_t *to_cps(const char *s, size_t n, size_t *len)
{
    uint32_t *c = eddy_malloc(sizeof *c * (n + 1));
    if (!c)
        return NULL;
    size_t i = 0, k = 0;
    while (i < n)
        c[k++] = fn__utf8_next(s, n, &i);
    *len = k;
    return c;
}

/* StringUtils.ordinalIndexOf(str.substring(from), sub, occurrence) on code point arrays. */
static int64_t ordinal_index(const uint32_t *s, size_t n, size_t from, const uint32_t *sub,
                             size_t sn, int occurrence)
{
    if (occurrence <= 0)
        return -1;
    int found = 0;
    int64_t idx = -1;
    size_t hn = n - from;
    if (sn == 0)    /* ordinalIndexOf with an empty search string returns 0 */
        return 0;
    for (size_t i = 0; i + sn <= hn; i++) {
        if (memcmp(s + from + i, sub, sn * sizeof *sub) == 0) {
            if (++found == occurrence)
                return (int64_t)i;
            idx = (int64_t)i;
        }
    }
    (void)idx;
    return -1;
}

static int instr_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                      eddy_value *out, eddy_err *err)
{
    (void)ctx, (void)call;
    for (int i = 2; i < nargs; i++)
        if (NUL(i))
            return eddy_err_set(err, EDDY_EINVAL,
                                "java.lang.NullPointerException: INSTR position or occurrence "
                                "is NULL");
    if (NUL(0) || NUL(1)) {
        *out = eddy_value_int(0);
        return 0;
    }
    int64_t position = nargs > 2 ? args[2].u.i32 : 1;
    int occurrence = nargs > 3 ? args[3].u.i32 : 1;
    size_t n, sn;
    uint32_t *s = to_cps(STR(0), LEN(0), &n), *sub = to_cps(STR(1), LEN(1), &sn);
    if (!s || !sub) {
        eddy_free(s);
        eddy_free(sub);
        return EDDY_ENOMEM;
    }
    int64_t res = 0;
    if (llabs(position) <= (int64_t)n) {
        bool reversed = position < 0;
        if (reversed) {
            for (size_t i = 0; i < n / 2; i++) {
                uint32_t t = s[i];
                s[i] = s[n - 1 - i];
                s[n - 1 - i] = t;
            }
            for (size_t i = 0; i < sn / 2; i++) {
                uint32_t t = sub[i];
                sub[i] = sub[sn - 1 - i];
                sub[sn - 1 - i] = t;
            }
            position = -position;
        }
        int64_t from = position - 1;
        if (from < 0) {
            res = 0;   /* String.substring(-1) throws in Java; position 0 */
            eddy_free(s);
            eddy_free(sub);
            return eddy_err_set(err, EDDY_ERANGE, "String index out of range: -1");
        }
        int64_t i = ordinal_index(s, n, (size_t)from, sub, sn, occurrence);
        if (i >= 0)
            res = reversed ? (int64_t)n - position - i - (int64_t)sn + 2 : i + position;
    }
    eddy_free(s);
    eddy_free(sub);
    *out = eddy_value_int((int32_t)res);
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * LPAD, RPAD
 * ------------------------------------------------------------------------------------------- */

static int pad(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, eddy_value *out,
               bool left)
{
    bool bytes = call->u.call.variant == 1;
    *out = eddy_value_null(bytes ? EDDY_T_BYTES : EDDY_T_STRING);
    if (NUL(0) || NUL(1) || NUL(2) || LEN(2) == 0 || args[1].u.i32 < 0)
        return 0;
    size_t target = (size_t)args[1].u.i32;
    if (bytes) {
        const char *in = STR(0), *p = STR(2);
        size_t n = LEN(0), pn = LEN(2);
        char *o = eddy_arena_alloc(ctx->arena, target + 1);
        if (!o)
            return EDDY_ENOMEM;
        if (n >= target) {
            memcpy(o, in, target);  /* both pads truncate to the first bytes */
        } else if (left) {
            size_t padn = target - n;
            for (size_t i = 0; i < padn; i++)
                o[i] = p[i % pn];
            memcpy(o + padn, in, n);
        } else {
            memcpy(o, in, n);
            for (size_t i = n; i < target; i++)
                o[i] = p[(i - n) % pn];
        }
        *out = eddy_value_bytes(o, target);
        return 0;
    }
    size_t n, pn;
    uint32_t *in = to_cps(STR(0), LEN(0), &n), *p = to_cps(STR(2), LEN(2), &pn);
    char *o = eddy_arena_alloc(ctx->arena, target * 4 + 1);
    if (!in || !p || !o) {
        eddy_free(in);
        eddy_free(p);
        return EDDY_ENOMEM;
    }
    size_t olen = 0;
    if (left) {
        size_t padn = target > n ? target - n : 0;
        for (size_t i = 0; i < padn; i++)
            olen += (size_t)fn__utf8_put(p[i % pn], o + olen);
        for (size_t i = 0; i < n && padn + i < target; i++)
            olen += (size_t)fn__utf8_put(in[i], o + olen);
    } else {
        for (size_t i = 0; i < n && i < target; i++)
            olen += (size_t)fn__utf8_put(in[i], o + olen);
        for (size_t i = n; i < target; i++)
            olen += (size_t)fn__utf8_put(p[(i - n) % pn], o + olen);
    }
    eddy_free(in);
    eddy_free(p);
    *out = eddy_value_string(o, olen);
    return 0;
}

static int lpad_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                     eddy_value *out, eddy_err *err)
{
    (void)nargs, (void)err;
    return pad(ctx, call, args, out, true);
}

static int rpad_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                     eddy_value *out, eddy_err *err)
{
    (void)nargs, (void)err;
    return pad(ctx, call, args, out, false);
}

/* ---------------------------------------------------------------------------------------------
 * SPLIT, SPLIT_TO_MAP
 * ------------------------------------------------------------------------------------------- */

/* Splitter.on(delim).splitToList / Pattern("").split / BytesUtils.split. */
static int split_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                      eddy_value *out, eddy_err *err)
{
    (void)nargs, (void)err;
    bool bytes = call->u.call.variant == 1;
    eddy_type_kind ek = bytes ? EDDY_T_BYTES : EDDY_T_STRING;
    const char *s = STR(0), *d = STR(1);
    size_t n = LEN(0), dn = LEN(1);
    uint32_t cnt = 0;
    /* count pieces */
    if (dn == 0) {
        cnt = n == 0 ? 1 : (uint32_t)(bytes ? n : fn__utf8_len(s, n));
    } else {
        cnt = 1;
        for (const char *p = s; (p = memfind(p, n - (size_t)(p - s), d, dn)); p += dn)
            cnt++;
    }
    if (fn__composite(ctx, EDDY_T_ARRAY, cnt, out))
        return EDDY_ENOMEM;
    uint32_t k = 0;
    if (dn == 0) {
        if (n == 0) {
            out->u.items[k++] = eddy_value_string(s, 0);
        } else {
            size_t i = 0;
            while (i < n) {
                size_t st = i;
                if (bytes)
                    i++;
                else
                    fn__utf8_next(s, n, &i);
                out->u.items[k++] = eddy_value_string(s + st, i - st);
            }
        }
    } else {
        const char *p = s;
        for (;;) {
            const char *f = memfind(p, n - (size_t)(p - s), d, dn);
            if (!f) {
                out->u.items[k++] = eddy_value_string(p, n - (size_t)(p - s));
                break;
            }
            out->u.items[k++] = eddy_value_string(p, (size_t)(f - p));
            p = f + dn;
        }
    }
    for (uint32_t i = 0; i < k; i++)
        out->u.items[i].kind = (uint8_t)ek;
    out->n = k;
    return 0;
}

static int split_to_map_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args,
                             int nargs, eddy_value *out, eddy_err *err)
{
    (void)call, (void)nargs, (void)err;
    const char *s = STR(0), *ed = STR(1), *kd = STR(2);
    size_t n = LEN(0), en = LEN(1), kn = LEN(2);
    *out = eddy_value_null(EDDY_T_MAP);
    if (en == 0 || kn == 0 || (en == kn && memcmp(ed, kd, en) == 0))
        return 0;
    uint32_t cap = 1;
    for (const char *p = s; (p = memfind(p, n - (size_t)(p - s), ed, en)); p += en)
        cap++;
    if (fn__composite(ctx, EDDY_T_MAP, cap, out))
        return EDDY_ENOMEM;
    uint32_t used = 0;
    const char *p = s;
    for (;;) {
        const char *f = memfind(p, n - (size_t)(p - s), ed, en);
        size_t elen = f ? (size_t)(f - p) : n - (size_t)(p - s);
        const char *kv = memfind(p, elen, kd, kn);
        if (elen > 0 && kv) {
            /* Splitter.on(kv).split: key = first piece, value = second piece */
            eddy_value key = eddy_value_string(p, (size_t)(kv - p));
            const char *vs = kv + kn;
            size_t rest = elen - (size_t)(vs - p);
            const char *v2 = memfind(vs, rest, kd, kn);
            eddy_value val = eddy_value_string(vs, v2 ? (size_t)(v2 - vs) : rest);
            uint32_t j;
            for (j = 0; j < used; j++)
                if (eddy_value_equal(&out->u.items[2 * j], &key))
                    break;
            out->u.items[2 * j] = key;
            out->u.items[2 * j + 1] = val;
            if (j == used)
                used++;
        }
        if (!f)
            break;
        p = f + en;
    }
    out->n = used;
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Regular expressions
 * ------------------------------------------------------------------------------------------- */

/* Compile a Java regex as POSIX ERE (see the file comment). */
static int regex_compile(const char *pat, size_t n, regex_t *re, eddy_err *err)
{
    eddy_buf b;
    eddy_buf_init(&b);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (pat[i] == '\\' && i + 1 < n) {
            char c = pat[i + 1];
            if (c == 'd')
                rc = eddy_buf_append(&b, "[0-9]", 5);
            else if (c == 'D')
                rc = eddy_buf_append(&b, "[^0-9]", 6);
            else if (c == 't')
                rc = eddy_buf_append(&b, "\t", 1);
            else if (c == 'n')
                rc = eddy_buf_append(&b, "\n", 1);
            else
                rc = eddy_buf_append(&b, pat + i, 2);
            i++;
        } else {
            rc = eddy_buf_append(&b, pat + i, 1);
        }
    }
    char *s = rc == 0 ? eddy_buf_cstr(&b) : NULL;
    if (!s) {
        eddy_buf_free(&b);
        return EDDY_ENOMEM;
    }
    int r = regcomp(re, s, REG_EXTENDED);
    eddy_buf_free(&b);
    if (r != 0)
        return eddy_err_set(err, EDDY_EINVAL, "Invalid regular expression pattern");
    return 0;
}

/* NUL-terminated copy of a value's text for regexec. */
static char *cstr(const eddy_value *v)
{
    return eddy_strndup(v->u.str, v->n);
}

static int regexp_extract_common(fn_ctx *ctx, const eddy_value *args, int nargs, bool all,
                                 eddy_value *out, eddy_err *err)
{
    for (int i = 0; i < nargs; i++)
        if (NUL(i)) {
            *out = eddy_value_null(all ? EDDY_T_ARRAY : EDDY_T_STRING);
            return 0;
        }
    int group = nargs > 2 ? args[2].u.i32 : 0;
    regex_t re;
    int rc = regex_compile(STR(0), LEN(0), &re, err);
    if (rc)
        return rc;
    char *s = cstr(&args[1]);
    regmatch_t m[10];
    if (!s) {
        regfree(&re);
        return EDDY_ENOMEM;
    }
    *out = eddy_value_null(all ? EDDY_T_ARRAY : EDDY_T_STRING);
    if (group < 0 || (size_t)group > re.re_nsub || group > 9) {
        if (group < 0) {
            rc = eddy_err_set(err, EDDY_ERANGE, "No group %d", group);
        }
        goto done;
    }
    if (!all) {
        if (regexec(&re, s, 10, m, 0) == 0 && m[group].rm_so >= 0)
            rc = fn__str(ctx, s + m[group].rm_so, (size_t)(m[group].rm_eo - m[group].rm_so), out);
        goto done;
    }
    eddy_value items[256];
    uint32_t cnt = 0;
    size_t off = 0, n = LEN(1);
    while (off <= n && cnt < EDDY_ARRAY_LEN(items)) {
        if (regexec(&re, s + off, 10, m, off ? REG_NOTBOL : 0) != 0)
            break;
        if (m[group].rm_so >= 0) {
            rc = fn__str(ctx, s + off + m[group].rm_so,
                         (size_t)(m[group].rm_eo - m[group].rm_so), &items[cnt]);
            if (rc)
                goto done;
        } else {
            items[cnt] = eddy_value_null(EDDY_T_STRING);
        }
        cnt++;
        off += (size_t)(m[0].rm_eo > m[0].rm_so ? m[0].rm_eo : m[0].rm_eo + 1);
    }
    if (fn__composite(ctx, EDDY_T_ARRAY, cnt, out)) {
        rc = EDDY_ENOMEM;
        goto done;
    }
    memcpy(out->u.items, items, sizeof *items * cnt);
done:
    regfree(&re);
    eddy_free(s);
    return rc;
}

static int regexp_extract_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args,
                               int nargs, eddy_value *out, eddy_err *err)
{
    (void)call;
    return regexp_extract_common(ctx, args, nargs, false, out, err);
}

static int regexp_extract_all_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args,
                                   int nargs, eddy_value *out, eddy_err *err)
{
    (void)call;
    return regexp_extract_common(ctx, args, nargs, true, out, err);
}

/* Matcher.appendReplacement syntax: $n group references, \x escapes. */
static int append_replacement(eddy_buf *b, const char *s, const regmatch_t *m, size_t nsub,
                              const char *r, size_t rn, eddy_err *err)
{
    int rc = 0;
    for (size_t i = 0; i < rn && rc == 0; i++) {
        if (r[i] == '\\' && i + 1 < rn) {
            rc = eddy_buf_append(b, r + i + 1, 1);
            i++;
        } else if (r[i] == '$' && i + 1 < rn && isdigit((unsigned char)r[i + 1])) {
            size_t g = (size_t)(r[i + 1] - '0');
            if (g > nsub)
                return eddy_err_set(err, EDDY_EINVAL, "No group %zu", g);
            if (m[g].rm_so >= 0)
                rc = eddy_buf_append(b, s + m[g].rm_so, (size_t)(m[g].rm_eo - m[g].rm_so));
            i++;
        } else if (r[i] == '$' || r[i] == '\\') {
            return eddy_err_set(err, EDDY_EINVAL, "Illegal group reference");
        } else {
            rc = eddy_buf_append(b, r + i, 1);
        }
    }
    return rc;
}

static int regexp_replace_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args,
                               int nargs, eddy_value *out, eddy_err *err)
{
    (void)call, (void)nargs;
    regex_t re;
    int rc = regex_compile(STR(1), LEN(1), &re, err);
    if (rc)
        return rc;
    char *s = cstr(&args[0]);
    if (!s) {
        regfree(&re);
        return EDDY_ENOMEM;
    }
    eddy_buf b;
    eddy_buf_init(&b);
    size_t off = 0, n = LEN(0);
    regmatch_t m[10];
    while (off <= n && rc == 0) {
        if (regexec(&re, s + off, 10, m, off ? REG_NOTBOL : 0) != 0)
            break;
        rc = eddy_buf_append(&b, s + off, (size_t)m[0].rm_so);
        if (rc == 0)
            rc = append_replacement(&b, s + off, m, re.re_nsub, STR(2), LEN(2), err);
        if (m[0].rm_eo == m[0].rm_so) {   /* empty match: copy one character and go on */
            if (off + (size_t)m[0].rm_eo < n && rc == 0)
                rc = eddy_buf_append(&b, s + off + m[0].rm_eo, 1);
            off += (size_t)m[0].rm_eo + 1;
        } else {
            off += (size_t)m[0].rm_eo;
        }
    }
    if (rc == 0 && off < n)
        rc = eddy_buf_append(&b, s + off, n - off);
    regfree(&re);
    eddy_free(s);
    if (rc) {
        eddy_buf_free(&b);
        return rc;
    }
    return fn__buf_str(ctx, &b, out);
}

static int regexp_split_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args,
                             int nargs, eddy_value *out, eddy_err *err)
{
    (void)call, (void)nargs;
    regex_t re;
    int rc = regex_compile(STR(1), LEN(1), &re, err);
    if (rc)
        return rc;
    char *s = cstr(&args[0]);
    if (!s) {
        regfree(&re);
        return EDDY_ENOMEM;
    }
    size_t n = LEN(0);
    eddy_value items[512];
    uint32_t cnt = 0;
    regmatch_t m[1];
    bool empty_matches = regexec(&re, "", 1, m, 0) == 0;
    if (empty_matches) {
        /* Pattern.split with an empty-matching regex: one piece per character, trailing
         * empty strings removed (Java 8+: no leading empty piece). */
        size_t i = 0;
        while (i < n && cnt < EDDY_ARRAY_LEN(items)) {
            size_t st = i;
            fn__utf8_next(s, n, &i);
            items[cnt++] = eddy_value_string(args[0].u.str + st, i - st);
        }
        if (n == 0)
            items[cnt++] = eddy_value_string(args[0].u.str, 0);
    } else {
        size_t off = 0;
        while (cnt < EDDY_ARRAY_LEN(items) - 1) {
            if (off > n || regexec(&re, s + off, 1, m, off ? REG_NOTBOL : 0) != 0)
                break;
            items[cnt++] = eddy_value_string(args[0].u.str + off, (size_t)m[0].rm_so);
            off += (size_t)m[0].rm_eo;
        }
        items[cnt++] = eddy_value_string(args[0].u.str + off, off <= n ? n - off : 0);
    }
    regfree(&re);
    eddy_free(s);
    if (fn__composite(ctx, EDDY_T_ARRAY, cnt, out))
        return EDDY_ENOMEM;
    memcpy(out->u.items, items, sizeof *items * cnt);
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * CHR, ELT, FIELD
 * ------------------------------------------------------------------------------------------- */

static int chr_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                    eddy_value *out, eddy_err *err)
{
    (void)nargs, (void)err;
    *out = eddy_value_null(EDDY_T_STRING);
    char buf[16];
    int len = 0;
    if (call->u.call.variant == 0) {
        int32_t c = args[0].u.i32;
        if (c < 0 || c > 0x10FFFF)
            return 0;
        len = fn__utf8_put((uint32_t)c, buf);
    } else {
        /* StringEscapeUtils.unescapeJava of "\\uXXXX" (possibly a surrogate pair) */
        const char *s = STR(0);
        size_t n = LEN(0);
        if (n < 6 || s[0] != '\\' || s[1] != 'u')
            return 0;
        eddy_buf b;
        eddy_buf_init(&b);
        size_t i = 0;
        uint32_t hi = 0;
        while (i < n) {
            if (i + 6 <= n && s[i] == '\\' && s[i + 1] == 'u') {
                char hex[5] = {s[i + 2], s[i + 3], s[i + 4], s[i + 5], 0};
                char *end;
                unsigned long v = strtoul(hex, &end, 16);
                if (*end) {
                    eddy_buf_free(&b);
                    return eddy_err_set(err, EDDY_EINVAL, "Unable to parse unicode value");
                }
                if (v >= 0xD800 && v < 0xDC00) {
                    hi = (uint32_t)v;
                } else {
                    uint32_t cp = (uint32_t)v;
                    if (v >= 0xDC00 && v < 0xE000 && hi)
                        cp = 0x10000 + ((hi - 0xD800) << 10) + ((uint32_t)v - 0xDC00);
                    hi = 0;
                    char t[4];
                    int k = fn__utf8_put(cp, t);
                    if (eddy_buf_append(&b, t, (size_t)k)) {
                        eddy_buf_free(&b);
                        return EDDY_ENOMEM;
                    }
                }
                i += 6;
            } else {
                if (eddy_buf_append(&b, s + i, 1)) {
                    eddy_buf_free(&b);
                    return EDDY_ENOMEM;
                }
                i++;
            }
        }
        return fn__buf_str(ctx, &b, out);
    }
    return fn__str(ctx, buf, (size_t)len, out);
}

static int elt_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                    eddy_value *out, eddy_err *err)
{
    (void)ctx, (void)call;
    if (NUL(0))
        return eddy_err_set(err, EDDY_EINVAL, "java.lang.NullPointerException: ELT index is NULL");
    int32_t n = args[0].u.i32;
    if (n < 1 || n > nargs - 1)
        *out = eddy_value_null(EDDY_T_STRING);
    else
        *out = args[n];
    return 0;
}

static int field_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                      eddy_value *out, eddy_err *err)
{
    (void)ctx, (void)call, (void)err;
    *out = eddy_value_int(0);
    if (NUL(0))
        return 0;
    for (int i = 1; i < nargs; i++)
        if (!NUL(i) && LEN(i) == LEN(0) && memcmp(STR(i), STR(0), LEN(0)) == 0) {
            *out = eddy_value_int(i);
            break;
        }
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Encodings: ENCODE, TO_BYTES, FROM_BYTES, MD5
 * ------------------------------------------------------------------------------------------- */

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64_encode(eddy_buf *b, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        char o[4] = {b64chars[(v >> 18) & 63], b64chars[(v >> 12) & 63],
                     i + 1 < n ? b64chars[(v >> 6) & 63] : '=', i + 2 < n ? b64chars[v & 63] : '='};
        if (eddy_buf_append(b, o, 4))
            return EDDY_ENOMEM;
    }
    return 0;
}

static int b64_val(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

/* Lenient base64 decoding (commons-codec Base64.decodeBase64 skips invalid characters);
 * 'strict' (java.util.Base64) rejects them. */
static int b64_decode(eddy_buf *b, const char *s, size_t n, bool strict, eddy_err *err)
{
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '=')
            break;
        int v = b64_val(s[i]);
        if (v < 0) {
            if (strict)
                return eddy_err_set(err, EDDY_EINVAL, "Illegal base64 character");
            continue;
        }
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            unsigned char c = (unsigned char)(acc >> bits);
            if (eddy_buf_append(b, &c, 1))
                return EDDY_ENOMEM;
        }
    }
    return 0;
}

static int hex_encode(eddy_buf *b, const unsigned char *p, size_t n, bool upper)
{
    const char *d = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        char o[2] = {d[p[i] >> 4], d[p[i] & 15]};
        if (eddy_buf_append(b, o, 2))
            return EDDY_ENOMEM;
    }
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int hex_decode(eddy_buf *b, const char *s, size_t n, eddy_err *err)
{
    if (n % 2)
        return eddy_err_set(err, EDDY_EINVAL, "Odd number of characters.");
    for (size_t i = 0; i < n; i += 2) {
        int h = hexval(s[i]), l = hexval(s[i + 1]);
        if (h < 0 || l < 0)
            return eddy_err_set(err, EDDY_EINVAL, "Illegal hexadecimal character %c at index %zu",
                                h < 0 ? s[i] : s[i + 1], h < 0 ? i : i + 1);
        unsigned char c = (unsigned char)(h * 16 + l);
        if (eddy_buf_append(b, &c, 1))
            return EDDY_ENOMEM;
    }
    return 0;
}

/* new String(bytes, US_ASCII): bytes >= 0x80 become U+FFFD. */
static int ascii_text(eddy_buf *b, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int rc = p[i] < 0x80 ? eddy_buf_append(b, p + i, 1) : eddy_buf_append(b, "\xEF\xBF\xBD", 3);
        if (rc)
            return rc;
    }
    return 0;
}

/* String.getBytes(US_ASCII): non-ASCII characters become '?'. */
static int ascii_bytes(eddy_buf *b, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint32_t c = fn__utf8_next(s, n, &i);
        char o = c < 0x80 ? (char)c : '?';
        if (eddy_buf_append(b, &o, 1))
            return EDDY_ENOMEM;
    }
    return 0;
}

enum { ENC_HEX, ENC_UTF8, ENC_ASCII, ENC_BASE64, ENC_BAD };

static int encoding_of(const char *s, size_t n)
{
    static const char *names[] = {"hex", "utf8", "ascii", "base64"};
    for (int i = 0; i < 4; i++)
        if (strlen(names[i]) == n && strncasecmp(s, names[i], n) == 0)
            return i;
    return ENC_BAD;
}

/* Encode.hexStrip */
static void hex_strip(const char **s, size_t *n, bool *pad_zero)
{
    *pad_zero = false;
    if (*n >= 2 && (*s)[0] == '0' && (*s)[1] == 'x') {
        *pad_zero = *n % 2 != 0;
        *s += 2;
        *n -= 2;
    } else if (*n >= 3 && ((*s)[0] == 'x' || (*s)[0] == 'X') && (*s)[1] == '\'' &&
               (*s)[*n - 1] == '\'') {
        *s += 2;
        *n -= 3;
    }
}

static int encode_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                       eddy_value *out, eddy_err *err)
{
    (void)call, (void)nargs;
    int in = encoding_of(STR(1), LEN(1)), outenc = encoding_of(STR(2), LEN(2));
    if (in == ENC_BAD || outenc == ENC_BAD || in == outenc)
        return eddy_err_set(err, EDDY_EINVAL,
                            "Supported input and output encodings are: hex, utf8, ascii and "
                            "base64");
    eddy_buf raw, res;
    eddy_buf_init(&raw);
    eddy_buf_init(&res);
    const char *s = STR(0);
    size_t n = LEN(0);
    int rc = 0;
    switch (in) {
    case ENC_HEX: {
        bool padz;
        hex_strip(&s, &n, &padz);
        if (padz)
            rc = eddy_buf_append(&raw, "\0", 0);
        if (padz) {  /* "0" + rest */
            eddy_buf tmp;
            eddy_buf_init(&tmp);
            rc = eddy_buf_append(&tmp, "0", 1);
            if (rc == 0)
                rc = eddy_buf_append(&tmp, s, n);
            if (rc == 0)
                rc = hex_decode(&raw, (const char *)tmp.data, tmp.len, err);
            eddy_buf_free(&tmp);
        } else {
            rc = hex_decode(&raw, s, n, err);
        }
        break;
    }
    case ENC_UTF8:
        rc = eddy_buf_append(&raw, s, n);
        break;
    case ENC_ASCII:
        rc = ascii_bytes(&raw, s, n);
        break;
    default:
        rc = b64_decode(&raw, s, n, false, err);
        break;
    }
    if (rc == 0) {
        switch (outenc) {
        case ENC_HEX:
            rc = hex_encode(&res, raw.data, raw.len, false);
            break;
        case ENC_UTF8:
            rc = eddy_buf_append(&res, raw.data, raw.len);
            break;
        case ENC_ASCII:
            rc = ascii_text(&res, raw.data, raw.len);
            break;
        default:
            rc = b64_encode(&res, raw.data, raw.len);
            break;
        }
    }
    eddy_buf_free(&raw);
    if (rc) {
        eddy_buf_free(&res);
        return rc;
    }
    return fn__buf_str(ctx, &res, out);
}

static int bad_encoding(const eddy_value *e, eddy_err *err)
{
    (void)e;
    return eddy_err_set(err, EDDY_EINVAL,
                        "Unknown encoding type. Supported formats are 'hex', 'utf8', 'ascii', "
                        "and 'base64'.");
}

static int to_bytes_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                         eddy_value *out, eddy_err *err)
{
    (void)call, (void)nargs;
    int enc = encoding_of(STR(1), LEN(1));
    if (enc == ENC_BAD)
        return bad_encoding(&args[1], err);
    eddy_buf b;
    eddy_buf_init(&b);
    int rc;
    switch (enc) {
    case ENC_HEX:
        rc = hex_decode(&b, STR(0), LEN(0), err);
        break;
    case ENC_UTF8:
        rc = eddy_buf_append(&b, STR(0), LEN(0));
        break;
    case ENC_ASCII:
        rc = ascii_bytes(&b, STR(0), LEN(0));
        break;
    default:
        rc = b64_decode(&b, STR(0), LEN(0), true, err);
        break;
    }
    if (rc) {
        eddy_buf_free(&b);
        return rc;
    }
    rc = fn__buf_str(ctx, &b, out);
    out->kind = EDDY_T_BYTES;
    return rc;
}

static int from_bytes_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                           eddy_value *out, eddy_err *err)
{
    (void)call, (void)nargs;
    int enc = encoding_of(STR(1), LEN(1));
    if (enc == ENC_BAD)
        return bad_encoding(&args[1], err);
    eddy_buf b;
    eddy_buf_init(&b);
    const unsigned char *p = (const unsigned char *)STR(0);
    int rc;
    switch (enc) {
    case ENC_HEX:
        rc = hex_encode(&b, p, LEN(0), true);
        break;
    case ENC_UTF8:
        rc = eddy_buf_append(&b, p, LEN(0));
        break;
    case ENC_ASCII:
        rc = ascii_text(&b, p, LEN(0));
        break;
    default:
        rc = b64_encode(&b, p, LEN(0));
        break;
    }
    if (rc) {
        eddy_buf_free(&b);
        return rc;
    }
    return fn__buf_str(ctx, &b, out);
}

/* MD5 (RFC 1321), hex digest of the UTF-8 bytes (ksqlDB: DigestUtils.md5Hex). Written here
 * because it is 60 lines and the build links no crypto library. */
static void md5(const unsigned char *msg, size_t len, unsigned char out[16])
{
    static const uint32_t K[64] = {
        0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613,
        0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193,
        0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d,
        0x02441453, 0xd8a1e681, 0xe7d3fbc8, 0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed,
        0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122,
        0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
        0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665, 0xf4292244,
        0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
        0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb,
        0xeb86d391};
    static const int R[64] = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                              5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
                              4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                              6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};
    uint32_t h[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
    size_t total = ((len + 8) / 64 + 1) * 64;
    unsigned char blk[64];
    for (size_t off = 0; off < total; off += 64) {
        for (size_t i = 0; i < 64; i++) {
            size_t p = off + i;
            if (p < len)
                blk[i] = msg[p];
            else if (p == len)
                blk[i] = 0x80;
            else if (p >= total - 8)
                blk[i] = (unsigned char)(((uint64_t)len * 8) >> (8 * (p - (total - 8))));
            else
                blk[i] = 0;
        }
        uint32_t w[16];
        for (int i = 0; i < 16; i++)
            w[i] = (uint32_t)blk[4 * i] | (uint32_t)blk[4 * i + 1] << 8 |
                   (uint32_t)blk[4 * i + 2] << 16 | (uint32_t)blk[4 * i + 3] << 24;
        uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
        for (int i = 0; i < 64; i++) {
            uint32_t f;
            int g;
            if (i < 16) {
                f = (b & c) | (~b & d);
                g = i;
            } else if (i < 32) {
                f = (d & b) | (~d & c);
                g = (5 * i + 1) % 16;
            } else if (i < 48) {
                f = b ^ c ^ d;
                g = (3 * i + 5) % 16;
            } else {
                f = c ^ (b | ~d);
                g = (7 * i) % 16;
            }
            uint32_t t = d;
            d = c;
            c = b;
            uint32_t x = a + f + K[i] + w[g];
            b = b + ((x << R[i]) | (x >> (32 - R[i])));
            a = t;
        }
        h[0] += a;
        h[1] += b;
        h[2] += c;
        h[3] += d;
    }
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            out[4 * i + j] = (unsigned char)(h[i] >> (8 * j));
}

static int md5_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                    eddy_value *out, eddy_err *err)
{
    (void)call, (void)nargs, (void)err;
    unsigned char d[16];
    md5((const unsigned char *)STR(0), LEN(0), d);
    eddy_buf b;
    eddy_buf_init(&b);
    if (hex_encode(&b, d, 16, false)) {
        eddy_buf_free(&b);
        return EDDY_ENOMEM;
    }
    return fn__buf_str(ctx, &b, out);
}

/* ---------------------------------------------------------------------------------------------
 * MASK family (Masker: upper 'X', lower 'x', digit 'n', other '-' by default)
 * ------------------------------------------------------------------------------------------- */

static int mask_common(fn_ctx *ctx, const eddy_value *args, int nargs, int first_mask,
                       int64_t from, int64_t to, eddy_value *out)
{
    char m[4] = {'X', 'x', 'n', '-'};
    bool keep[4] = {false, false, false, false};
    for (int i = 0; i < 4 && first_mask + i < nargs; i++) {
        const eddy_value *v = &args[first_mask + i];
        if (v->null)
            keep[i] = true;   /* a NULL mask character leaves that class unmasked */
        else if (v->n > 0)
            m[i] = v->u.str[0];
    }
    size_t n, k = 0;
    uint32_t *c = to_cps(STR(0), LEN(0), &n);
    char *o = eddy_arena_alloc(ctx->arena, LEN(0) + 1);
    if (!c || !o) {
        eddy_free(c);
        return EDDY_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t ch = c[i];
        bool in = (int64_t)i >= from && (int64_t)i < to;
        int cls = (ch >= 'A' && ch <= 'Z') ? 0 : (ch >= 'a' && ch <= 'z') ? 1
                : (ch >= '0' && ch <= '9') ? 2 : 3;
        if (in && !keep[cls])
            o[k++] = m[cls];
        else
            k += (size_t)fn__utf8_put(ch, o + k);
    }
    eddy_free(c);
    *out = eddy_value_string(o, k);
    return 0;
}

static int mask_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                     eddy_value *out, eddy_err *err)
{
    (void)call, (void)err;
    if (NUL(0)) {
        *out = eddy_value_null(EDDY_T_STRING);
        return 0;
    }
    return mask_common(ctx, args, nargs, 1, 0, INT64_MAX, out);
}

static int mask_part(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                     eddy_value *out, eddy_err *err)
{
    const char *name = call->u.call.fn->name;
    if (NUL(0)) {
        *out = eddy_value_null(EDDY_T_STRING);
        return 0;
    }
    if (NUL(1))
        return eddy_err_set(err, EDDY_EINVAL, "java.lang.NullPointerException");
    int64_t k = args[1].u.i32;
    if (k < 0)
        return eddy_err_set(err, EDDY_EINVAL,
                            "function %s requires a non-negative number of characters to mask "
                            "or retain",
                            name);
    int64_t len = (int64_t)fn__utf8_len(STR(0), LEN(0));
    int64_t from = 0, to = len;
    if (strcmp(name, "MASK_LEFT") == 0)
        to = k;
    else if (strcmp(name, "MASK_RIGHT") == 0)
        from = len - k;
    else if (strcmp(name, "MASK_KEEP_LEFT") == 0)
        from = k;
    else
        to = len - k;
    return mask_common(ctx, args, nargs, 2, from, to, out);
}

/* ---------------------------------------------------------------------------------------------
 * Table
 * ------------------------------------------------------------------------------------------- */

static const fn_sig concat_sigs[] = {{"STRING inputs...", "STRING"}, {"BYTES inputs...", "BYTES"}};
static const fn_sig concat_ws_sigs[] = {{"STRING inputs...", "STRING"},
                                        {"BYTES inputs...", "BYTES"}};
static const fn_sig str_str[] = {{"STRING input", "STRING"}};
static const fn_sig len_sigs[] = {{"STRING input", "INTEGER"}, {"BYTES input", "INTEGER"}};
static const fn_sig substring_sigs[] = {
    {"STRING str, INTEGER pos", "STRING"},
    {"STRING str, INTEGER pos, INTEGER length", "STRING"},
    {"BYTES bytes, INTEGER pos", "BYTES"},
    {"BYTES bytes, INTEGER pos, INTEGER length", "BYTES"},
};
static const fn_sig replace_sigs[] = {{"STRING str, STRING oldStr, STRING newStr", "STRING"}};
static const fn_sig instr_sigs[] = {
    {"STRING str, STRING substring", "INTEGER"},
    {"STRING str, STRING substring, INTEGER position", "INTEGER"},
    {"STRING str, STRING substring, INTEGER position, INTEGER occurrence", "INTEGER"},
};
static const fn_sig pad_sigs[] = {
    {"STRING input, INTEGER length, STRING padding", "STRING"},
    {"BYTES input, INTEGER length, BYTES padding", "BYTES"},
};
static const fn_sig split_sigs[] = {
    {"STRING string, STRING delimiter", "ARRAY<STRING>"},
    {"BYTES bytes, BYTES delimiter", "ARRAY<BYTES>"},
};
static const fn_sig split_to_map_sigs[] = {
    {"STRING input, STRING entryDelimiter, STRING kvDelimiter", "MAP<STRING, STRING>"}};
static const fn_sig regexp_extract_sigs[] = {
    {"STRING pattern, STRING input", "STRING"},
    {"STRING pattern, STRING input, INTEGER group", "STRING"},
};
static const fn_sig regexp_extract_all_sigs[] = {
    {"STRING pattern, STRING input", "ARRAY<STRING>"},
    {"STRING pattern, STRING input, INTEGER group", "ARRAY<STRING>"},
};
static const fn_sig regexp_replace_sigs[] = {{"STRING str, STRING regexp, STRING newStr",
                                              "STRING"}};
static const fn_sig regexp_split_sigs[] = {{"STRING string, STRING regexp", "ARRAY<STRING>"}};
static const fn_sig chr_sigs[] = {{"INTEGER decimalCode", "STRING"},
                                  {"STRING utf16Code", "STRING"}};
static const fn_sig elt_sigs[] = {{"INTEGER n, STRING args...", "STRING"}};
static const fn_sig field_sigs[] = {{"STRING str, STRING args...", "INTEGER"}};
static const fn_sig encode_sigs[] = {{"STRING str, STRING inputEncoding, STRING outputEncoding",
                                      "STRING"}};
static const fn_sig to_bytes_sigs[] = {{"STRING value, STRING encoding", "BYTES"}};
static const fn_sig from_bytes_sigs[] = {{"BYTES value, STRING encoding", "STRING"}};
static const fn_sig mask_sigs[] = {
    {"STRING input", "STRING"},
    {"STRING input, STRING upper", "STRING"},
    {"STRING input, STRING upper, STRING lower", "STRING"},
    {"STRING input, STRING upper, STRING lower, STRING digit", "STRING"},
    {"STRING input, STRING upper, STRING lower, STRING digit, STRING other", "STRING"},
};
static const fn_sig mask_part_sigs[] = {
    {"STRING input, INTEGER numChars", "STRING"},
    {"STRING input, INTEGER numChars, STRING upper", "STRING"},
    {"STRING input, INTEGER numChars, STRING upper, STRING lower", "STRING"},
    {"STRING input, INTEGER numChars, STRING upper, STRING lower, STRING digit", "STRING"},
    {"STRING input, INTEGER numChars, STRING upper, STRING lower, STRING digit, STRING other",
     "STRING"},
};

#define NN FN_F_NULL_IN_NULL_OUT
#define C FN_CAT_STRING

static const fn_scalar fns[] = {
    FN_SCALAR("CHR", "Returns a single-character string corresponding to the input character "
                     "code.", C, NN, chr_sigs, chr_eval),
    FN_SCALAR("CONCAT", "Concatenate an arbitrary number of string or bytes fields together.",
              C, 0, concat_sigs, concat_eval),
    FN_SCALAR("CONCAT_WS", "Concatenate several strings or bytes, inserting a separator string "
                           "passed as the first argument between each one.",
              C, 0, concat_ws_sigs, concat_ws_eval),
    FN_SCALAR("ELT", "ELT() returns the Nth element of the list of strings. Returns NULL if N "
                     "is less than 1 or greater than the number of arguments.",
              C, 0, elt_sigs, elt_eval),
    FN_SCALAR("ENCODE", "Takes an input string s, which is encoded as input_encoding, and "
                        "encodes it as output_encoding.", C, NN, encode_sigs, encode_eval),
    FN_SCALAR("FIELD", "Returns the position (1-indexed) of str in args, or 0 if not found.",
              C, 0, field_sigs, field_eval),
    FN_SCALAR("FROM_BYTES", "Converts a BYTES value to STRING in the specified encoding.", C,
              NN, from_bytes_sigs, from_bytes_eval),
    FN_SCALAR("INITCAP", "Returns the string with the the first letter of each word "
                         "capitalized and the rest lowercased", C, NN, str_str, initcap_eval),
    FN_SCALAR("INSTR", "Returns the position of substring in the provided string", C, 0,
              instr_sigs, instr_eval),
    FN_SCALAR("LCASE", "Returns a single string with all characters converted to lower case.",
              C, NN, str_str, lcase_eval),
    FN_SCALAR("LEN", "Returns the length of a string or bytes value.", C, NN, len_sigs,
              len_eval),
    FN_SCALAR("LPAD", "Pads the input string or bytes, beginning from the left, with the "
                      "specified padding to the specified length.", C, 0, pad_sigs, lpad_eval),
    FN_SCALAR("MASK", "Returns a masked version of the input string.", C, 0, mask_sigs,
              mask_eval),
    FN_SCALAR("MASK_KEEP_LEFT", "Returns a masked version of the input string, except for the "
                                "first n characters.", C, 0, mask_part_sigs, mask_part),
    FN_SCALAR("MASK_KEEP_RIGHT", "Returns a masked version of the input string, except for the "
                                 "last n characters.", C, 0, mask_part_sigs, mask_part),
    FN_SCALAR("MASK_LEFT", "Returns a version of the input string with the first n characters "
                           "masked.", C, 0, mask_part_sigs, mask_part),
    FN_SCALAR("MASK_RIGHT", "Returns a version of the input string with the last n characters "
                            "masked.", C, 0, mask_part_sigs, mask_part),
    FN_SCALAR("MD5", "Returns the hex-encoded MD5 hash of the input string.", C, NN, str_str,
              md5_eval),
    FN_SCALAR("REGEXP_EXTRACT", "Returns the first substring of the input that matches the "
                                "regex pattern.", C, 0, regexp_extract_sigs,
              regexp_extract_eval),
    FN_SCALAR("REGEXP_EXTRACT_ALL", "Returns all substrings of the input that matches the "
                                    "regex pattern.", C, 0, regexp_extract_all_sigs,
              regexp_extract_all_eval),
    FN_SCALAR("REGEXP_REPLACE", "Replace all matches of a regexp in a string with a new "
                                "string.", C, NN, regexp_replace_sigs, regexp_replace_eval),
    FN_SCALAR("REGEXP_SPLIT_TO_ARRAY", "Splits a string into an array of substrings based on a "
                                       "regexp.", C, NN, regexp_split_sigs, regexp_split_eval),
    FN_SCALAR("REPLACE", "Replaces all occurrences of a substring in a string with a new "
                         "substring.", C, NN, replace_sigs, replace_eval),
    FN_SCALAR("RPAD", "Pads the input string or bytes, starting from the end, with the "
                      "specified padding to the specified length.", C, 0, pad_sigs, rpad_eval),
    FN_SCALAR("SPLIT", "Splits a string or bytes into an array of substrings or bytes based on "
                       "a delimiter.", C, NN, split_sigs, split_eval),
    FN_SCALAR("SPLIT_TO_MAP", "Splits a string into key-value pairs and creates a map from "
                              "them.", C, NN, split_to_map_sigs, split_to_map_eval),
    FN_SCALAR("SUBSTRING", "Returns the portion of the string or bytes passed in value.", C, 0,
              substring_sigs, substring_eval),
    FN_SCALAR("TO_BYTES", "Converts a STRING value in the specified encoding to BYTES.", C, NN,
              to_bytes_sigs, to_bytes_eval),
    FN_SCALAR("TRIM", "Returns the input string with all leading and trailing white space "
                      "removed.", C, NN, str_str, trim_eval),
    FN_SCALAR("UCASE", "Returns a single string with all characters converted to upper case.",
              C, NN, str_str, ucase_eval),
};

const fn__table fn__string_table = {fns, (int)EDDY_ARRAY_LEN(fns)};
