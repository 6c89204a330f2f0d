/*
 * functions/fn_url.c - URL functions (ksqlDB's io.confluent.ksql.function.udf.url:
 * UrlExtractProtocol/Host/Port/Path/Query/Fragment/Parameter over java.net.URI via
 * UrlParser, UrlDecodeParam = URLDecoder.decode, UrlEncodeParam = Guava's
 * urlFormParameterEscaper).
 *
 * java.net.URI is reproduced for the parts ksqlDB reads: scheme, authority (host and port
 * of a server-based authority; a non-numeric port makes it registry-based, so host is NULL
 * and port -1), path, query and fragment, the last three percent-decoded as getPath(),
 * getQuery(), getFragment() do. An opaque URI ("mailto:x") has no host, path or query.
 * Characters URI rejects (spaces, quotes, <>\^`{|}, controls, bad % escapes) are the
 * "URL input has invalid syntax" error.
 */
#include <ctype.h>
#include <string.h>

#include "functions_int.h"

typedef struct url_parts {
    const char *scheme, *authority, *path, *query, *fragment;
    size_t nscheme, nauthority, npath, nquery, nfragment;
    bool has_scheme, has_authority, has_path, has_query, has_fragment;
} url_parts;

static int hexv(char c)
{
    return isdigit((unsigned char)c) ? c - '0' : isxdigit((unsigned char)c)
                                                    ? tolower((unsigned char)c) - 'a' + 10 : -1;
}

static int parse_url(const char *s, size_t n, url_parts *u, eddy_err *err)
{
    memset(u, 0, sizeof *u);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= ' ' || c == 0x7f || strchr("\"<>\\^`{|}", c))
            return eddy_err_set(err, EDDY_EINVAL, "URL input has invalid syntax");
        if (c == '%' && (i + 2 >= n || hexv(s[i + 1]) < 0 || hexv(s[i + 2]) < 0))
            return eddy_err_set(err, EDDY_EINVAL, "URL input has invalid syntax");
    }
    size_t p = 0;
    /* scheme */
    if (n > 0 && isalpha((unsigned char)s[0])) {
        size_t i = 1;
        while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '+' || s[i] == '-' ||
                         s[i] == '.'))
            i++;
        if (i < n && s[i] == ':') {
            u->has_scheme = true;
            u->scheme = s;
            u->nscheme = i;
            p = i + 1;
            if (p == n)
                return eddy_err_set(err, EDDY_EINVAL, "URL input has invalid syntax");
        }
    }
    /* fragment */
    const char *hash = memchr(s + p, '#', n - p);
    size_t end = hash ? (size_t)(hash - s) : n;
    if (hash) {
        u->has_fragment = true;
        u->fragment = hash + 1;
        u->nfragment = n - end - 1;
    }
    if (u->has_scheme && (p >= end || s[p] != '/'))
        return 0;   /* opaque */
    if (end - p >= 2 && s[p] == '/' && s[p + 1] == '/') {
        size_t a = p + 2, e = a;
        while (e < end && s[e] != '/' && s[e] != '?')
            e++;
        u->has_authority = e > a;
        u->authority = s + a;
        u->nauthority = e - a;
        p = e;
    }
    size_t q = p;
    while (q < end && s[q] != '?')
        q++;
    u->has_path = true;
    u->path = s + p;
    u->npath = q - p;
    if (q < end) {
        u->has_query = true;
        u->query = s + q + 1;
        u->nquery = end - q - 1;
    }
    return 0;
}

/* Server-based authority: [userinfo@]host[:port]. */
static void host_port(const url_parts *u, const char **host, size_t *nhost, int *port)
{
    *host = NULL;
    *nhost = 0;
    *port = -1;
    if (!u->has_authority)
        return;
    const char *a = u->authority, *e = a + u->nauthority;
    const char *at = NULL;
    for (const char *x = a; x < e; x++)
        if (*x == '@')
            at = x;
    if (at)
        a = at + 1;
    const char *hend = e;
    if (a < e && *a == '[') {
        const char *rb = memchr(a, ']', (size_t)(e - a));
        if (!rb)
            return;
        hend = rb + 1;
    } else {
        const char *colon = memchr(a, ':', (size_t)(e - a));
        if (colon)
            hend = colon;
    }
    if (hend < e) {
        if (*hend != ':')
            return;
        long v = 0;
        for (const char *x = hend + 1; x < e; x++) {
            if (!isdigit((unsigned char)*x) || v > 100000000)
                return;   /* registry-based authority */
            v = v * 10 + (*x - '0');
        }
        if (hend + 1 < e)
            *port = (int)v;
    }
    for (const char *x = a; x < hend; x++)   /* hostnames: alnum, '-', '.', or IPv6 literal */
        if (!(isalnum((unsigned char)*x) || strchr("-.[]:", *x))) {
            *port = -1;
            return;
        }
    if (hend > a) {
        *host = a;
        *nhost = (size_t)(hend - a);
    }
}

/* Percent-decoding as URI.decode (invalid UTF-8 becomes U+FFFD). 'plus' also maps '+'. */
static int decode(fn_ctx *ctx, const char *s, size_t n, bool plus, eddy_value *out,
                  eddy_err *err)
{
    char *o = eddy_arena_alloc(ctx->arena, n + 1);
    if (!o)
        return EDDY_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            if (i + 2 >= n || hexv(s[i + 1]) < 0 || hexv(s[i + 2]) < 0)
                return eddy_err_set(err, EDDY_EINVAL,
                                    "URLDecoder: Illegal hex characters in escape (%%) pattern");
            o[k++] = (char)(hexv(s[i + 1]) * 16 + hexv(s[i + 2]));
            i += 2;
        } else {
            o[k++] = plus && s[i] == '+' ? ' ' : s[i];
        }
    }
    *out = eddy_value_string(o, k);
    return 0;
}

enum { U_PROTOCOL, U_HOST, U_PORT, U_PATH, U_QUERY, U_FRAGMENT };

static int part_of(const char *name)
{
    static const char *names[] = {"URL_EXTRACT_PROTOCOL", "URL_EXTRACT_HOST",
                                  "URL_EXTRACT_PORT", "URL_EXTRACT_PATH", "URL_EXTRACT_QUERY",
                                  "URL_EXTRACT_FRAGMENT"};
    for (int i = 0; i < 6; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return -1;
}

static int extract_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                        eddy_value *out, eddy_err *err)
{
    (void)nargs;
    int part = part_of(call->u.call.fn->name);
    url_parts u;
    int rc = parse_url(args[0].u.str, args[0].n, &u, err);
    if (rc)
        return rc;
    *out = eddy_value_null(part == U_PORT ? EDDY_T_INT : EDDY_T_STRING);
    const char *h;
    size_t hn;
    int port;
    switch (part) {
    case U_PROTOCOL:
        if (u.has_scheme)
            *out = eddy_value_string(u.scheme, u.nscheme);
        return 0;
    case U_HOST:
        host_port(&u, &h, &hn, &port);
        if (h)
            *out = eddy_value_string(h, hn);
        return 0;
    case U_PORT:
        host_port(&u, &h, &hn, &port);
        if (port >= 0)
            *out = eddy_value_int(port);
        return 0;
    case U_PATH:
        return u.has_path ? decode(ctx, u.path, u.npath, false, out, err) : 0;
    case U_QUERY:
        return u.has_query ? decode(ctx, u.query, u.nquery, false, out, err) : 0;
    default:
        return u.has_fragment ? decode(ctx, u.fragment, u.nfragment, false, out, err) : 0;
    }
}

static int extract_parameter_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args,
                                  int nargs, eddy_value *out, eddy_err *err)
{
    (void)call, (void)nargs;
    url_parts u;
    int rc = parse_url(args[0].u.str, args[0].n, &u, err);
    if (rc)
        return rc;
    *out = eddy_value_null(EDDY_T_STRING);
    if (!u.has_query)
        return 0;
    eddy_value q;
    if ((rc = decode(ctx, u.query, u.nquery, false, &q, err)))
        return rc;
    const char *p = q.u.str, *end = p + q.n, *want = args[1].u.str;
    size_t wn = args[1].n;
    while (p <= end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *pe = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(pe - p));
        const char *ke = eq ? eq : pe;
        if ((size_t)(ke - p) == wn && memcmp(p, want, wn) == 0) {
            *out = eq ? eddy_value_string(eq + 1, (size_t)(pe - eq - 1)) : eddy_value_string("", 0);
            return 0;
        }
        if (!amp)
            break;
        p = amp + 1;
    }
    return 0;
}

static int decode_param_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args,
                             int nargs, eddy_value *out, eddy_err *err)
{
    (void)call, (void)nargs;
    return decode(ctx, args[0].u.str, args[0].n, true, out, err);
}

static int encode_param_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args,
                             int nargs, eddy_value *out, eddy_err *err)
{
    (void)call, (void)nargs, (void)err;
    const unsigned char *s = (const unsigned char *)args[0].u.str;
    size_t n = args[0].n;
    char *o = eddy_arena_alloc(ctx->arena, n * 3 + 1);
    if (!o)
        return EDDY_ENOMEM;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '*') {
            o[k++] = (char)c;
        } else if (c == ' ') {
            o[k++] = '+';
        } else {
            o[k++] = '%';
            o[k++] = "0123456789ABCDEF"[c >> 4];
            o[k++] = "0123456789ABCDEF"[c & 15];
        }
    }
    *out = eddy_value_string(o, k);
    return 0;
}

static const fn_sig str_str[] = {{"STRING input", "STRING"}};
static const fn_sig str_int[] = {{"STRING input", "INTEGER"}};
static const fn_sig param_sigs[] = {{"STRING input, STRING paramToFind", "STRING"}};

#define NN FN_F_NULL_IN_NULL_OUT
#define U FN_CAT_URL

static const fn_scalar fns[] = {
    FN_SCALAR("URL_DECODE_PARAM", "Decodes a previously encoded application/x-www-form-urlencoded "
                                  "String", U, NN, str_str, decode_param_eval),
    FN_SCALAR("URL_ENCODE_PARAM", "Escapes the parameter value so that it can be safely "
                                  "included in URL query parameters", U, NN, str_str,
              encode_param_eval),
    FN_SCALAR("URL_EXTRACT_FRAGMENT", "Extracts the fragment of a URL.", U, NN, str_str,
              extract_eval),
    FN_SCALAR("URL_EXTRACT_HOST", "Extracts the host-name of a URL.", U, NN, str_str,
              extract_eval),
    FN_SCALAR("URL_EXTRACT_PARAMETER", "Extracts a parameter with a specified name encoded "
                                       "inside the query-string of a URL.", U, NN, param_sigs,
              extract_parameter_eval),
    FN_SCALAR("URL_EXTRACT_PATH", "Extracts the path of a URL.", U, NN, str_str, extract_eval),
    FN_SCALAR("URL_EXTRACT_PORT", "Extracts the port of a URL.", U, NN, str_int, extract_eval),
    FN_SCALAR("URL_EXTRACT_PROTOCOL", "Extracts the protocol of a URL.", U, NN, str_str,
              extract_eval),
    FN_SCALAR("URL_EXTRACT_QUERY", "Extracts the decoded query-string portion of a URL.", U, NN,
              str_str, extract_eval),
};

const fn__table fn__url_table = {fns, (int)EDDY_ARRAY_LEN(fns)};
