/*
 * fnt.h - helpers for the functions tests: build typed fn_expr trees by hand (the planner's
 * job in the engine), evaluate them with a counting processing log, and compare results.
 */
#ifndef EDDY_FNT_H
#define EDDY_FNT_H

#include "testutil.h"

#include "eddy/functions.h"

static eddy_arena fnt_arena;        /* trees and types (query arena) */
static eddy_arena fnt_batch;        /* values (batch arena) */
static int fnt_nlogged;
static char fnt_last_log[sizeof ((eddy_err *)0)->msg];
static eddy_value fnt_vars[16];
static fn_config fnt_config;

static inline void fnt_log(void *c, const fn_expr *e, const eddy_err *err)
{
    (void)c;
    (void)e;
    fnt_nlogged++;
    snprintf(fnt_last_log, sizeof fnt_last_log, "%s", err->msg);
}

static inline int fnt_setup(void **state)
{
    (void)state;
    eddy_arena_init(&fnt_arena, 1 << 16);
    eddy_arena_init(&fnt_batch, 1 << 16);
    fnt_nlogged = 0;
    fnt_last_log[0] = 0;
    memset(&fnt_config, 0, sizeof fnt_config);
    return 0;
}

static inline int fnt_teardown(void **state)
{
    (void)state;
    eddy_arena_destroy(&fnt_arena);
    eddy_arena_destroy(&fnt_batch);
    return 0;
}

static inline const eddy_type *fnt_type(const char *text)
{
    const eddy_type *t;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(eddy_type_parse(&fnt_arena, text, strlen(text), &t, &err), &err);
    return t;
}

static inline fn_expr *fnt_node(int kind, const eddy_type *t, int nargs, ...)
{
    fn_expr *e = eddy_arena_calloc(&fnt_arena, sizeof *e);
    e->kind = (uint8_t)kind;
    e->type = t;
    e->nargs = (uint32_t)nargs;
    e->args = eddy_arena_calloc(&fnt_arena, sizeof *e->args * (size_t)(nargs + 1));
    va_list ap;
    va_start(ap, nargs);
    for (int i = 0; i < nargs; i++)
        e->args[i] = va_arg(ap, fn_expr *);
    va_end(ap);
    return e;
}

static inline fn_expr *fnt_lit(eddy_value v, const eddy_type *t)
{
    fn_expr *e = fnt_node(FN_LITERAL, t, 0);
    e->u.literal = v;
    return e;
}

static inline fn_expr *fnt_int(int32_t i) { return fnt_lit(eddy_value_int(i), EDDY_TYPE_INT); }
static inline fn_expr *fnt_big(int64_t i) { return fnt_lit(eddy_value_bigint(i), EDDY_TYPE_BIGINT); }
static inline fn_expr *fnt_dbl(double d) { return fnt_lit(eddy_value_double(d), EDDY_TYPE_DOUBLE); }
static inline fn_expr *fnt_bool(bool b) { return fnt_lit(eddy_value_bool(b), EDDY_TYPE_BOOLEAN); }
static inline fn_expr *fnt_str(const char *s)
{
    return fnt_lit(eddy_value_string(s, strlen(s)), EDDY_TYPE_STRING);
}
/* A NULL literal of type 't' (EDDY_TYPE_NULL for an untyped NULL). */
static inline fn_expr *fnt_null(const eddy_type *t)
{
    return fnt_lit(eddy_value_null((eddy_type_kind)t->kind), t);
}
static inline fn_expr *fnt_dec(const char *text)
{
    eddy_decimal d;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(eddy_decimal_parse(text, strlen(text), &d, &err), &err);
    int digits = 0;
    for (const char *p = text; *p; p++)
        digits += (*p >= '0' && *p <= '9');
    const eddy_type *t;
    EXPECT_OK(eddy_type_decimal(&fnt_arena, digits > d.scale ? digits : d.scale + 1, d.scale, &t,
                                &err),
              &err);
    return fnt_lit(eddy_value_decimal(&d), t);
}
/* A lambda variable (slot 'slot') of type 't'. */
static inline fn_expr *fnt_var(int slot, const eddy_type *t)
{
    fn_expr *e = fnt_node(FN_VAR, t, 0);
    e->u.index = slot;
    return e;
}
static inline fn_expr *fnt_lambda(int first_var, int nparams, fn_expr *body)
{
    fn_expr *e = fnt_node(FN_LAMBDA, body->type, 1, body);
    e->u.lambda.first_var = first_var;
    e->u.lambda.nparams = nparams;
    return e;
}

/* A call built as the planner does (fn_call_build); fails the test when it does not resolve. */
static inline fn_expr *fnt_callv(const char *name, int nargs, fn_expr **args)
{
    const fn_scalar *f = fn_scalar_find(name);
    if (!f)
        fail_msg("no function %s", name);
    fn_expr *e;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(fn_call_build(&fnt_arena, f, args, nargs, 0, &e, &err), &err);
    return e;
}

#define FNT_CALL(name, ...)                                                                    \
    fnt_callv(name, (int)(sizeof((fn_expr *[]){__VA_ARGS__}) / sizeof(fn_expr *)),            \
              (fn_expr *[]){__VA_ARGS__})

/* Resolve only: returns the error code and leaves the message in '*err'. */
static inline int fnt_resolve_err(const char *name, int nargs, fn_expr **args, eddy_err *err)
{
    const fn_scalar *f = fn_scalar_find(name);
    if (!f)
        fail_msg("no function %s", name);
    fn_expr *e;
    eddy_err_clear(err);
    return fn_call_build(&fnt_arena, f, args, nargs, 0, &e, err);
}

static inline eddy_value fnt_eval_row(const fn_expr *e, const eddy_value *row)
{
    fn_ctx ctx = {.arena = &fnt_batch, .row = row, .vars = fnt_vars, .config = &fnt_config,
                  .log = fnt_log};
    eddy_value v;
    assert_int_equal(fn_eval(e, &ctx, &v), 0);
    return v;
}

static inline eddy_value fnt_eval(const fn_expr *e)
{
    return fnt_eval_row(e, NULL);
}

/* The value printed as CAST(x AS STRING) would, or "NULL" for a NULL result. */
static inline const char *fnt_fmt(const eddy_value *v, const eddy_type *t)
{
    static char buf[8][512];
    static int next;
    char *out = buf[next++ % 8];
    if (v->null) {
        snprintf(out, 512, "NULL");
        return out;
    }
    eddy_buf b;
    eddy_buf_init(&b);
    assert_int_equal(eddy_value_format(v, t, &b), 0);
    snprintf(out, 512, "%.*s", (int)b.len, (const char *)b.data);
    eddy_buf_free(&b);
    return out;
}

/* Evaluate 'e' and compare its formatted value with 'want' ("NULL" for NULL). */
#define FNT_EXPECT(e, want)                                                                    \
    do {                                                                                       \
        const fn_expr *e_ = (e);                                                               \
        eddy_value v_ = fnt_eval(e_);                                                          \
        assert_string_equal(fnt_fmt(&v_, e_->type), (want));                                   \
    } while (0)

/* The type of an expression, printed. */
static inline const char *fnt_type_str(const eddy_type *t)
{
    static char buf[4][256];
    static int next;
    char *out = buf[next++ % 4];
    eddy_buf b;
    eddy_buf_init(&b);
    assert_int_equal(eddy_type_format(t, &b), 0);
    snprintf(out, 256, "%.*s", (int)b.len, (const char *)b.data);
    eddy_buf_free(&b);
    return out;
}

#endif
