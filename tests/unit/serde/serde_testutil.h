/*
 * serde_testutil.h - helpers for the serde unit tests: build a codec from a column spec
 * ("ID INT; NAME STRING"), render decoded rows as text, and run decode/encode cases.
 */
#ifndef EDDY_SERDE_TESTUTIL_H
#define EDDY_SERDE_TESTUTIL_H

#include "testutil.h"

#include "eddy/serde.h"

#define TMAX_COLS 8

typedef struct tcodec {
    eddy_arena a;                 /* types, decoded values */
    serde_column cols[TMAX_COLS];
    char names[TMAX_COLS][32];
    int ncols;
    serde *s;
} tcodec;

/* Parse "NAME TYPE; NAME TYPE" (names kept as written) into tc->cols, column i at row index
 * ncols - 1 - i (so indexes are not simply positions). */
static inline void tc_columns(tcodec *tc, const char *spec)
{
    eddy_err err = {0};
    tc->ncols = 0;
    const char *p = spec;
    while (*p) {
        while (*p == ' ' || *p == ';')
            p++;
        if (!*p)
            break;
        const char *nm = p;
        while (*p != ' ')
            p++;
        size_t nn = (size_t)(p - nm);
        assert_true(nn < 32 && tc->ncols < TMAX_COLS);
        memcpy(tc->names[tc->ncols], nm, nn);
        tc->names[tc->ncols][nn] = 0;
        while (*p == ' ')
            p++;
        const char *ty = p;
        while (*p && *p != ';')
            p++;
        const eddy_type *t;
        if (eddy_type_parse(&tc->a, ty, (size_t)(p - ty), &t, &err) != 0)
            fail_msg("bad type in spec '%s': %s", spec, err.msg);
        tc->cols[tc->ncols].name = tc->names[tc->ncols];
        tc->cols[tc->ncols].type = t;
        tc->ncols++;
    }
    for (int i = 0; i < tc->ncols; i++)
        tc->cols[i].index = tc->ncols - 1 - i;
}

/* Make a codec; returns the serde_create() result (the error in 'err'). */
static inline int tc_open(tcodec *tc, serde_kind kind, char delim, int wrap, bool is_key,
                          const char *spec, eddy_err *err)
{
    memset(tc, 0, sizeof *tc);
    eddy_arena_init(&tc->a, 4096);
    tc_columns(tc, spec);
    serde_format f = {kind, delim ? delim : ',', (int8_t)wrap};
    return serde_create(&f, tc->cols, tc->ncols, is_key, &tc->s, err);
}

static inline void tc_close(tcodec *tc)
{
    serde_destroy(tc->s);
    eddy_arena_destroy(&tc->a);
}

static inline void render(const eddy_value *v, const eddy_type *t, eddy_buf *b)
{
    char tmp[64];
    if (v->null) {
        eddy_buf_printf(b, "null");
        return;
    }
    assert_int_equal(v->kind, t->kind);
    switch ((eddy_type_kind)t->kind) {
    case EDDY_T_BOOLEAN: eddy_buf_printf(b, "%s", v->u.b ? "true" : "false"); break;
    case EDDY_T_INT: eddy_buf_printf(b, "%d", v->u.i32); break;
    case EDDY_T_DATE: eddy_buf_printf(b, "date:%d", v->u.i32); break;
    case EDDY_T_TIME: eddy_buf_printf(b, "time:%d", v->u.i32); break;
    case EDDY_T_BIGINT: eddy_buf_printf(b, "%lld", (long long)v->u.i64); break;
    case EDDY_T_TIMESTAMP: eddy_buf_printf(b, "ts:%lld", (long long)v->u.i64); break;
    case EDDY_T_DOUBLE:
        eddy_double_format(v->u.f64, tmp);
        eddy_buf_printf(b, "%s", tmp);
        break;
    case EDDY_T_DECIMAL: {
        eddy_decimal d = eddy_value_get_decimal(v);
        eddy_decimal_format(&d, false, b);
        break;
    }
    case EDDY_T_STRING: eddy_buf_printf(b, "'%.*s'", (int)v->n, v->u.str); break;
    case EDDY_T_BYTES:
        eddy_buf_printf(b, "0x");
        for (uint32_t i = 0; i < v->n; i++)
            eddy_buf_printf(b, "%02x", (unsigned char)v->u.str[i]);
        break;
    case EDDY_T_ARRAY:
        eddy_buf_printf(b, "[");
        for (uint32_t i = 0; i < v->n; i++) {
            if (i)
                eddy_buf_printf(b, ",");
            render(&v->u.items[i], t->elem, b);
        }
        eddy_buf_printf(b, "]");
        break;
    case EDDY_T_MAP:
        eddy_buf_printf(b, "{");
        for (uint32_t i = 0; i < v->n; i++) {
            if (i)
                eddy_buf_printf(b, ",");
            render(&v->u.items[2 * i], t->key, b);
            eddy_buf_printf(b, "=");
            render(&v->u.items[2 * i + 1], t->elem, b);
        }
        eddy_buf_printf(b, "}");
        break;
    case EDDY_T_STRUCT:
        eddy_buf_printf(b, "{");
        assert_int_equal(v->n, t->nfields);
        for (uint32_t i = 0; i < t->nfields; i++) {
            if (i)
                eddy_buf_printf(b, ",");
            eddy_buf_printf(b, "%s:", t->fields[i].name);
            render(&v->u.items[i], t->fields[i].type, b);
        }
        eddy_buf_printf(b, "}");
        break;
    default:
        eddy_buf_printf(b, "?");
    }
}

/* Render the codec's columns of 'row' as "v1|v2|...", in column order. */
static inline void render_row(const tcodec *tc, const eddy_value *row, eddy_buf *b)
{
    for (int i = 0; i < tc->ncols; i++) {
        if (i)
            eddy_buf_printf(b, "|");
        render(&row[tc->cols[i].index], tc->cols[i].type, b);
    }
}

/* Decode 'in' ('len' < 0: strlen; 'in' NULL: null record) and return the rendered row, or
 * "ERR: <message>" on an error, or "NULLROW: <row>" when decode returned 1. The result is
 * allocated in tc->a. */
static inline const char *tc_decode(tcodec *tc, const void *in, int32_t len)
{
    eddy_value row[TMAX_COLS];
    for (int i = 0; i < TMAX_COLS; i++)
        row[i] = eddy_value_int(-12345);    /* poison: every column must be written */
    if (in && len < 0)
        len = (int32_t)strlen(in);
    eddy_err err = {0};
    int rc = serde_decode(tc->s, in, in ? len : -1, row, &tc->a, &err);
    eddy_buf b;
    eddy_buf_init(&b);
    if (rc < 0) {
        assert_int_not_equal(err.code, 0);
        eddy_buf_printf(&b, "ERR: %s", err.msg);
    } else {
        if (rc == 1)
            eddy_buf_printf(&b, "NULLROW: ");
        render_row(tc, row, &b);
    }
    const char *r = eddy_arena_strdup(&tc->a, eddy_buf_cstr(&b));
    eddy_buf_free(&b);
    return r;
}

/* Encode 'row' and return the bytes as a C string ("<null>" for a null record). */
static inline const char *tc_encode(tcodec *tc, const eddy_value *row, size_t *outlen)
{
    eddy_buf b;
    eddy_buf_init(&b);
    bool is_null = false;
    eddy_err err = {0};
    int rc = serde_encode(tc->s, row, &b, &is_null, &err);
    if (rc != 0)
        fail_msg("encode failed: %s", err.msg);
    const char *r;
    if (is_null) {
        assert_int_equal(b.len, 0);
        r = "<null>";
        if (outlen)
            *outlen = 0;
    } else {
        r = eddy_arena_memdup(&tc->a, b.data ? (const void *)b.data : "", b.len + 1);
        ((char *)r)[b.len] = 0;
        if (outlen)
            *outlen = b.len;
    }
    eddy_buf_free(&b);
    return r;
}

#define assert_str(got, want)                                                                  \
    do {                                                                                       \
        const char *g_ = (got), *w_ = (want);                                                  \
        if (strcmp(g_, w_) != 0)                                                               \
            fail_msg("line %d:\n  got  %s\n  want %s", __LINE__, g_, w_);                      \
    } while (0)

#endif /* EDDY_SERDE_TESTUTIL_H */
