/*
 * serde/fmt_delimited.c - the DELIMITED format: one CSV record per Kafka record.
 *
 * ksqlDB uses Apache commons-csv 1.4 with CSVFormat.DEFAULT and the chosen delimiter
 * (DelimitedFormat), so both directions follow that version exactly:
 *
 * Reading (KsqlDelimitedDeserializer, commons-csv Lexer/CSVParser):
 *  - Empty lines are skipped; CR, LF and CRLF end a record. All records are parsed (a
 *    malformed later line fails the record) but only the first is used; no record at all
 *    (empty input) is "No fields in record".
 *  - A field starting with '"' is quoted: it runs to the next lone '"', "" inside is one '"',
 *    delimiters and line breaks inside are data; after the closing quote only white space may
 *    come before the delimiter or the end of line ("invalid char between encapsulated token
 *    and delimiter"); input ending inside quotes is "EOF reached before encapsulated token
 *    finished". Any other field runs to the delimiter or end of line, quotes included as data.
 *    No trimming.
 *  - The number of fields must equal the number of columns ("Column count mismatch on
 *    deserialization. ... expected: 2, got: 3"); an empty field (quoted or not) is NULL.
 *  - Values: BOOLEAN Boolean.parseBoolean (only "true", any case, is true); INT/DATE
 *    Integer.parseInt; BIGINT/TIMESTAMP/TIME Long.parseLong (TIME 0..86400000); DOUBLE
 *    Double.parseDouble; DECIMAL exact (DecimalUtil.ensureFit); STRING as is; BYTES base64.
 *  - Errors read "Error deserializing delimited: <cause>".
 *
 * Writing (KsqlDelimitedSerializer, CSVFormat.printAndQuote in 1.4, QuoteMode MINIMAL):
 *  - NULL is an empty field, never quoted. DOUBLE is Double.toString, DECIMAL
 *    toPlainString, BYTES base64, TIME/TIMESTAMP milliseconds, DATE days.
 *  - A value is quoted when it is empty and first in the record; or first in the record and
 *    starting with anything but [0-9A-Za-z] (so "-1" first is written "\"-1\"", and so is any
 *    non-ASCII first character); or starting with a character <= '#'; or containing CR, LF,
 *    '"' or the delimiter; or ending with a character <= ' '. Inside quotes '"' is doubled.
 *  - The record separator is dropped.
 *
 * Fields that need no unquoting point into the input; only fields with doubled quotes are
 * copied (into the arena).
 */
#include <stdio.h>
#include <strings.h>

#include "serde_int.h"

typedef struct csvfield {
    const char *p;
    size_t n;
} csvfield;

typedef struct csvlex {
    const char *s, *end, *p;
    char delim;
    eddy_arena *a;
    char msg[128];
    bool nomem;
} csvlex;

static long line_of(const csvlex *lx, const char *at)
{
    long line = 1;
    for (const char *q = lx->s; q < at; q++)
        if (*q == '\n' || (*q == '\r' && !(q + 1 < lx->end && q[1] == '\n')))
            line++;
    return line;
}

static inline bool is_eol(char c)
{
    return c == '\n' || c == '\r';
}

static const char *skip_eol(const csvlex *lx, const char *p)
{
    if (*p == '\r' && p + 1 < lx->end && p[1] == '\n')
        return p + 2;
    return p + 1;
}

/* Parse one record at lx->p. Fields go to 'f' (room for 'max'); '*count' gets how many the
 * record has. Returns 1 when there is no record (end of input), 0 on a record, -1 on error
 * (lx->msg). */
static int csv_record(csvlex *lx, csvfield *f, int max, int *count)
{
    const char *p = lx->p, *end = lx->end;
    while (p < end && is_eol(*p))      /* ignoreEmptyLines */
        p = skip_eol(lx, p);
    if (p >= end) {
        lx->p = p;
        return 1;
    }
    int nf = 0;
    for (;;) {
        csvfield fld = {p, 0};
        bool last = false;
        if (p >= end) {
            last = true;                            /* after a delimiter: an empty field */
        } else if (*p == lx->delim) {
            p++;
        } else if (is_eol(*p)) {
            p = skip_eol(lx, p);
            last = true;
        } else if (*p == '"') {
            const char *start = ++p;
            bool doubled = false;
            for (;;) {
                if (p >= end) {
                    snprintf(lx->msg, sizeof lx->msg,
                             "(startline %ld) EOF reached before encapsulated token finished",
                             line_of(lx, start - 1));
                    return -1;
                }
                if (*p == '"') {
                    if (p + 1 < end && p[1] == '"') {
                        doubled = true;
                        p += 2;
                        continue;
                    }
                    break;
                }
                p++;
            }
            fld.p = start;
            fld.n = (size_t)(p - start);
            if (doubled) {
                char *o = eddy_arena_alloc(lx->a, fld.n ? fld.n : 1);
                if (!o) {
                    lx->nomem = true;
                    return -1;
                }
                size_t on = 0;
                for (const char *q = start; q < p; q++) {
                    o[on++] = *q;
                    if (*q == '"')
                        q++;
                }
                fld.p = o;
                fld.n = on;
            }
            p++;                                    /* the closing quote */
            for (;;) {
                if (p >= end) {
                    last = true;
                    break;
                }
                if (*p == lx->delim) {
                    p++;
                    break;
                }
                if (is_eol(*p)) {
                    p = skip_eol(lx, p);
                    last = true;
                    break;
                }
                if (!serde__java_space((unsigned char)*p)) {
                    snprintf(lx->msg, sizeof lx->msg,
                             "(line %ld) invalid char between encapsulated token and delimiter",
                             line_of(lx, p));
                    return -1;
                }
                p++;
            }
        } else {
            const char *start = p;
            while (p < end && *p != lx->delim && !is_eol(*p))
                p++;
            fld.p = start;
            fld.n = (size_t)(p - start);
            if (p >= end)
                last = true;
            else if (*p == lx->delim)
                p++;
            else {
                p = skip_eol(lx, p);
                last = true;
            }
        }
        if (nf < max)
            f[nf] = fld;
        nf++;
        if (last)
            break;
    }
    lx->p = p;
    *count = nf;
    return 0;
}

static int dfail(eddy_err *err, const char *cause)
{
    return eddy_err_set(err, EDDY_EINVAL, "Error deserializing delimited: %s", cause);
}

static int parse_field(const csvfield *f, const eddy_type *t, eddy_arena *a, eddy_value *out,
                       eddy_err *err)
{
    eddy_err e = {0};
    int rc = 0;
    switch ((eddy_type_kind)t->kind) {
    case EDDY_T_BOOLEAN:
        *out = eddy_value_bool(f->n == 4 && strncasecmp(f->p, "true", 4) == 0);
        return 0;
    case EDDY_T_INT: {
        int32_t i;
        if ((rc = eddy_i32_parse(f->p, f->n, &i, &e)) == 0)
            *out = eddy_value_int(i);
        break;
    }
    case EDDY_T_DATE: {
        int32_t i;
        if ((rc = eddy_i32_parse(f->p, f->n, &i, &e)) == 0)
            *out = eddy_value_date(i);
        break;
    }
    case EDDY_T_BIGINT:
    case EDDY_T_TIMESTAMP:
    case EDDY_T_TIME: {
        int64_t l;
        if ((rc = eddy_i64_parse(f->p, f->n, &l, &e)) != 0)
            break;
        if (t->kind == EDDY_T_BIGINT) {
            *out = eddy_value_bigint(l);
        } else if (t->kind == EDDY_T_TIMESTAMP) {
            *out = eddy_value_timestamp(l);
        } else {
            if (l < 0 || l > EDDY_MS_PER_DAY)
                return dfail(err, "Time values must use number of milliseconds greater than 0 "
                                  "and less than 86400000.");
            *out = eddy_value_time((int32_t)l);
        }
        break;
    }
    case EDDY_T_DOUBLE: {
        double d;
        if ((rc = eddy_double_parse(f->p, f->n, &d, &e)) == 0)
            *out = eddy_value_double(d);
        break;
    }
    case EDDY_T_DECIMAL: {
        eddy_decimal d;
        rc = eddy_decimal_parse_fit(f->p, f->n, t->precision, t->scale, true, &d, &e);
        if (rc == 0)
            *out = eddy_value_decimal(&d);
        break;
    }
    case EDDY_T_STRING:
        *out = eddy_value_string(f->p, f->n);
        return 0;
    case EDDY_T_BYTES: {
        const uint8_t *p;
        size_t n;
        if ((rc = serde__base64_decode(f->p, f->n, a, &p, &n, &e)) == 0)
            *out = eddy_value_bytes(p, n);
        break;
    }
    default:
        return dfail(err, "unsupported type");
    }
    if (rc == EDDY_ENOMEM)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory decoding DELIMITED");
    if (rc)
        return dfail(err, e.msg);
    return 0;
}

int serde__delimited_decode(const serde *s, const uint8_t *data, size_t len, eddy_value *row,
                            eddy_arena *a, eddy_err *err)
{
    csvfield stackf[32];
    csvfield *f = stackf;
    int max = s->ncols;
    if (max > (int)EDDY_ARRAY_LEN(stackf)) {
        f = eddy_arena_alloc(a, (size_t)max * sizeof *f);
        if (!f)
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory decoding DELIMITED");
    }
    csvlex lx = {.s = (const char *)data, .end = (const char *)data + len,
                 .p = (const char *)data, .delim = s->fmt.delimiter, .a = a};
    int count = 0;
    int rc = csv_record(&lx, f, max, &count);
    if (rc == 0) {
        /* CSVParser.getRecords() reads every record: a bad later line fails the record. */
        int more;
        csvfield ignore[1];
        while ((rc = csv_record(&lx, ignore, 0, &more)) == 0)
            ;
        rc = rc < 0 ? -1 : 0;
        if (rc == 0 && count == 0)
            rc = 1;
    }
    if (rc < 0) {
        if (lx.nomem)
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory decoding DELIMITED");
        return dfail(err, lx.msg);
    }
    if (rc == 1)
        return dfail(err, "No fields in record");
    if (count != s->ncols) {
        char m[96];
        snprintf(m, sizeof m, "Column count mismatch on deserialization. expected: %d, got: %d",
                 s->ncols, count);
        return dfail(err, m);
    }
    for (int i = 0; i < s->ncols; i++) {
        const serde_column *col = &s->cols[i];
        if (f[i].n == 0) {
            row[col->index] = eddy_value_null((eddy_type_kind)col->type->kind);
            continue;
        }
        int r = parse_field(&f[i], col->type, a, &row[col->index], err);
        if (r)
            return r;
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Encoding
 * ------------------------------------------------------------------------------------------- */

static int put_quoted(eddy_buf *b, const char *s, size_t n, char delim, bool first)
{
    bool quote = false;
    if (n == 0) {
        quote = first;
    } else {
        unsigned char c = (unsigned char)s[0];
        bool alnum = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
        if (first && !alnum) {
            quote = true;
        } else if (c <= '#') {
            quote = true;
        } else {
            for (size_t i = 0; i < n && !quote; i++)
                quote = s[i] == '\n' || s[i] == '\r' || s[i] == '"' || s[i] == delim;
            if (!quote && (unsigned char)s[n - 1] <= ' ')
                quote = true;
        }
    }
    if (!quote)
        return eddy_buf_append(b, s, n);
    if (eddy_buf_append(b, "\"", 1) != 0)
        return EDDY_ENOMEM;
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"') {
            if (eddy_buf_append(b, s + run, i + 1 - run) != 0)
                return EDDY_ENOMEM;
            run = i;            /* the quote is written again: doubled */
        }
    }
    if (eddy_buf_append(b, s + run, n - run) != 0)
        return EDDY_ENOMEM;
    return eddy_buf_append(b, "\"", 1);
}

int serde__delimited_encode(const serde *s, const eddy_value *row, eddy_buf *out,
                            bool *is_null, eddy_err *err)
{
    (void)is_null;
    eddy_buf tmp;
    eddy_buf_init(&tmp);
    int rc = 0;
    for (int i = 0; i < s->ncols && rc == 0; i++) {
        const serde_column *col = &s->cols[i];
        const eddy_value *v = &row[col->index];
        if (i)
            rc = eddy_buf_append(out, &s->fmt.delimiter, 1);
        if (rc || v->null)
            continue;
        char nb[48];
        const char *text = nb;
        size_t n = 0;
        switch ((eddy_type_kind)col->type->kind) {
        case EDDY_T_BOOLEAN:
            text = v->u.b ? "true" : "false";
            n = strlen(text);
            break;
        case EDDY_T_INT:
        case EDDY_T_DATE:
        case EDDY_T_TIME:
            n = (size_t)snprintf(nb, sizeof nb, "%d", (int)v->u.i32);
            break;
        case EDDY_T_BIGINT:
        case EDDY_T_TIMESTAMP:
            n = (size_t)snprintf(nb, sizeof nb, "%lld", (long long)v->u.i64);
            break;
        case EDDY_T_DOUBLE:
            n = (size_t)eddy_double_format(v->u.f64, nb);
            break;
        case EDDY_T_DECIMAL: {
            eddy_decimal d = eddy_value_get_decimal(v);
            tmp.len = 0;
            rc = eddy_decimal_format(&d, false, &tmp);
            text = (const char *)tmp.data;
            n = tmp.len;
            break;
        }
        case EDDY_T_STRING:
            text = v->u.str;
            n = v->n;
            break;
        case EDDY_T_BYTES:
            tmp.len = 0;
            rc = serde__base64_encode((const uint8_t *)v->u.str, v->n, &tmp);
            text = (const char *)tmp.data;
            n = tmp.len;
            break;
        default:
            continue;
        }
        if (rc == 0)
            rc = put_quoted(out, text ? text : "", n, s->fmt.delimiter, i == 0);
    }
    eddy_buf_free(&tmp);
    if (rc)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory encoding DELIMITED");
    return 0;
}
