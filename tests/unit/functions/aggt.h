/*
 * aggt.h - helpers for the aggregate function tests: resolve a call as the planner would, run
 * table-driven sequences of add/undo steps (values written as JSON, results compared as the
 * JSON a sink would write), and round-trip the state through binval after every step, as the
 * aggregation operator stores it in LMDB between batches.
 */
#ifndef EDDY_AGGT_H
#define EDDY_AGGT_H

#include "testutil.h"

#include "eddy/functions.h"
#include "eddy/serde.h"

static eddy_arena aggt_query;     /* calls and types */
static eddy_arena aggt_batch;     /* states, values */
static fn_config aggt_config;
static int64_t aggt_seq;

static inline int aggt_setup(void **state)
{
    (void)state;
    eddy_arena_init(&aggt_query, 1 << 16);
    eddy_arena_init(&aggt_batch, 1 << 16);
    memset(&aggt_config, 0, sizeof aggt_config);
    aggt_seq = 0;
    return 0;
}

static inline int aggt_teardown(void **state)
{
    (void)state;
    eddy_arena_destroy(&aggt_query);
    eddy_arena_destroy(&aggt_batch);
    return 0;
}

static inline const eddy_type *aggt_type(const char *text)
{
    const eddy_type *t;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(eddy_type_parse(&aggt_query, text, strlen(text), &t, &err), &err);
    return t;
}

/* A JSON codec for one unwrapped column of type 't'. */
static inline serde *aggt_serde(const eddy_type *t)
{
    serde_format fmt;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(serde_format_parse("JSON", &fmt, &err), &err);
    fmt.wrap_single = 0;
    serde_column col = {"V", t, 0};
    serde *s;
    EXPECT_OK(serde_create(&fmt, &col, 1, false, &s, &err), &err);
    return s;
}

/* The value of JSON text 'json' as type 't' (NULL text: SQL NULL). */
static inline eddy_value aggt_val(const char *json, const eddy_type *t)
{
    if (json == NULL)
        return eddy_value_null((eddy_type_kind)t->kind);
    serde *s = aggt_serde(t);
    eddy_value row[1];
    eddy_err err;
    eddy_err_clear(&err);
    int rc = serde_decode(s, (const uint8_t *)json, (int32_t)strlen(json), row, &aggt_batch,
                          &err);
    if (rc < 0)
        fail_msg("decode '%s': %s", json, err.msg);
    serde_destroy(s);
    eddy_value out;
    EXPECT_OK(eddy_value_copy(&aggt_batch, &row[0], &out, &err), &err);
    return out;
}

/* A value as JSON text ("null" for NULL). */
static inline const char *aggt_json(const eddy_value *v, const eddy_type *t)
{
    static char bufs[8][1024];
    static int next;
    char *out = bufs[next++ % 8];
    if (v->null) {
        snprintf(out, 1024, "null");
        return out;
    }
    serde *s = aggt_serde(t);
    eddy_buf b;
    eddy_err err;
    bool is_null = false;
    eddy_buf_init(&b);
    eddy_err_clear(&err);
    EXPECT_OK(serde_encode(s, v, &b, &is_null, &err), &err);
    snprintf(out, 1024, "%.*s", (int)b.len, (const char *)b.data);
    eddy_buf_free(&b);
    serde_destroy(s);
    return is_null ? "null" : out;
}

/* Resolve 'name' over arguments of the given types; 'lits' (may be NULL) gives per argument
 * the JSON text of a literal, or NULL for a column argument. Returns the error code and
 * leaves '*call' NULL on failure. */
static inline int aggt_resolve(const char *name, int nargs, const char *const *types,
                               const char *const *lits, fn_agg_call **call, eddy_err *err)
{
    const fn_aggregate *f = fn_aggregate_find(name);
    if (!f)
        fail_msg("no aggregate %s", name);
    fn_agg_arg args[8];
    memset(args, 0, sizeof args);
    for (int i = 0; i < nargs; i++) {
        args[i].type = types[i] ? aggt_type(types[i]) : NULL;
        args[i].text = "F0";
        if (lits && lits[i]) {
            eddy_value *v = eddy_arena_calloc(&aggt_query, sizeof *v);
            *v = aggt_val(lits[i], args[i].type);
            args[i].literal = v;
        }
    }
    *call = NULL;
    eddy_err_clear(err);
    return fn_aggregate_resolve(f, &aggt_query, args, nargs, &aggt_config, call, err);
}

static inline fn_agg_call *aggt_call(const char *name, int nargs, const char *const *types,
                                     const char *const *lits)
{
    fn_agg_call *c;
    eddy_err err;
    EXPECT_OK(aggt_resolve(name, nargs, types, lits, &c, &err), &err);
    return c;
}

/* Store 'st' as the operator would (binval encode, decode) and return the decoded state. */
static inline eddy_value aggt_store(const fn_agg_call *c, const eddy_value *st)
{
    eddy_buf b;
    eddy_err err;
    eddy_value out;
    eddy_buf_init(&b);
    eddy_err_clear(&err);
    EXPECT_OK(eddy_binval_encode(st, c->state_type, &b, &err), &err);
    size_t used;
    EXPECT_OK(eddy_binval_decode(b.data, b.len, c->state_type, &aggt_batch, &out, &used, &err),
              &err);
    assert_int_equal(used, b.len);
    eddy_buf_free(&b);
    return out;
}

static inline fn_agg_ctx aggt_ctx(void)
{
    fn_agg_ctx ctx = {.arena = &aggt_batch, .seq = aggt_seq++};
    return ctx;
}

static inline eddy_value aggt_init(const fn_agg_call *c)
{
    fn_agg_ctx ctx = aggt_ctx();
    eddy_value st;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(fn_agg_init(c, &ctx, &st, &err), &err);
    return aggt_store(c, &st);
}

static inline const char *aggt_result(const fn_agg_call *c, const eddy_value *st)
{
    fn_agg_ctx ctx = aggt_ctx();
    eddy_value out;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(fn_agg_result(c, &ctx, st, &out, &err), &err);
    return aggt_json(&out, c->ret);
}

/* One step: op '+' (add), '-' (undo); the column arguments as JSON (NULL: SQL NULL); the
 * result expected afterwards as JSON. */
typedef struct aggt_step {
    char op;
    const char *a0, *a1, *a2;
    const char *want;
} aggt_step;

/* Run 'steps' from '*st' (the state is stored and reloaded after each step). */
static inline void aggt_run_from(const fn_agg_call *c, eddy_value *st, const aggt_step *steps,
                                 size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *texts[3] = {steps[i].a0, steps[i].a1, steps[i].a2};
        eddy_value args[3];
        for (int k = 0; k < c->ncols && k < 3; k++)
            args[k] = aggt_val(texts[k], c->arg_types[k]);
        fn_agg_ctx ctx = aggt_ctx();
        eddy_err err;
        eddy_err_clear(&err);
        int rc = steps[i].op == '+' ? fn_agg_add(c, &ctx, st, args, &err)
                                    : fn_agg_undo(c, &ctx, st, args, &err);
        if (rc)
            fail_msg("step %zu (%c): %s", i, steps[i].op, err.msg);
        *st = aggt_store(c, st);
        const char *got = aggt_result(c, st);
        if (strcmp(got, steps[i].want) != 0)
            fail_msg("%s step %zu (%c %s): got %s want %s", c->fn->name, i, steps[i].op,
                     steps[i].a0 ? steps[i].a0 : "null", got, steps[i].want);
    }
}

static inline eddy_value aggt_run(const fn_agg_call *c, const aggt_step *steps, size_t n)
{
    eddy_value st = aggt_init(c);
    aggt_run_from(c, &st, steps, n);
    return st;
}

#define AGGT_RUN(c, steps) aggt_run((c), (steps), EDDY_ARRAY_LEN(steps))

/* Merge two states and return the result as JSON. */
static inline const char *aggt_merge(const fn_agg_call *c, const eddy_value *a,
                                     const eddy_value *b, eddy_value *merged)
{
    fn_agg_ctx ctx = aggt_ctx();
    eddy_value out;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(fn_agg_merge(c, &ctx, a, b, &out, &err), &err);
    out = aggt_store(c, &out);
    if (merged)
        *merged = out;
    return aggt_result(c, &out);
}

/* The type printed as ksqlDB prints it. */
static inline const char *aggt_type_str(const eddy_type *t)
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

#define T1(a) ((const char *const[]){a})
#define T2(a, b) ((const char *const[]){a, b})
#define T3(a, b, c) ((const char *const[]){a, b, c})

#endif /* EDDY_AGGT_H */
