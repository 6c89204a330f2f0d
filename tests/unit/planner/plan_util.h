/*
 * plan_util.h - helpers for the planner unit tests: a fake plan_catalog (sources, topics,
 * properties and custom types held in test memory), and one-call planning of SQL text.
 *
 * pt_plan() parses one statement, plans it against the fake catalog and, when it succeeds,
 * applies it the way the engine would (register the new source, drop, SET, CREATE TYPE),
 * so a test can build its sources with ordinary CREATE statements.
 */
#ifndef PLAN_UTIL_H
#define PLAN_UTIL_H

#include <strings.h>

#include "testutil.h"
#include "eddy/planner.h"

#define PT_MAX 32

typedef struct pt_ctx {
    eddy_arena arena;
    const plan_source *sources[PT_MAX];
    int nsources;
    const char *topics[PT_MAX];
    int partitions[PT_MAX];
    int ntopics;
    const char *prop_names[PT_MAX], *prop_values[PT_MAX];
    int nprops;
    const char *type_names[PT_MAX];
    const eddy_type *types[PT_MAX];
    int ntypes;
    plan_catalog cat;
    eddy_err err;
    plan_stmt *last;
} pt_ctx;

static const plan_source *pt_lookup(void *ctx, const char *name)
{
    pt_ctx *t = ctx;
    for (int i = 0; i < t->nsources; i++)
        if (t->sources[i] && strcmp(t->sources[i]->name, name) == 0)
            return t->sources[i];
    return NULL;
}

static int pt_topic_partitions(void *ctx, const char *topic)
{
    pt_ctx *t = ctx;
    for (int i = 0; i < t->ntopics; i++)
        if (strcmp(t->topics[i], topic) == 0)
            return t->partitions[i];
    return -1;
}

static const char *pt_property(void *ctx, const char *name)
{
    pt_ctx *t = ctx;
    for (int i = t->nprops - 1; i >= 0; i--)
        if (strcmp(t->prop_names[i], name) == 0)
            return t->prop_values[i];
    return NULL;
}

static const eddy_type *pt_custom_type(void *ctx, const char *name)
{
    pt_ctx *t = ctx;
    for (int i = 0; i < t->ntypes; i++)
        if (strcasecmp(t->type_names[i], name) == 0)
            return t->types[i];
    return NULL;
}

static pt_ctx *pt_new(void)
{
    pt_ctx *t = calloc(1, sizeof *t);
    assert_non_null(t);
    eddy_arena_init(&t->arena, 1 << 16);
    t->cat = (plan_catalog){t, pt_lookup, pt_topic_partitions, pt_property, pt_custom_type};
    return t;
}

static void pt_free(pt_ctx *t)
{
    eddy_arena_destroy(&t->arena);
    free(t);
}

static inline void pt_topic(pt_ctx *t, const char *name, int partitions)
{
    t->topics[t->ntopics] = name;
    t->partitions[t->ntopics++] = partitions;
}

static void pt_apply(pt_ctx *t, const plan_stmt *ps)
{
    switch (ps->kind) {
    case PLAN_CREATE_SOURCE:
    case PLAN_CREATE_AS: {
        int i;
        for (i = 0; i < t->nsources; i++)
            if (t->sources[i] && strcmp(t->sources[i]->name, ps->source->name) == 0)
                break;
        if (i == t->nsources)
            t->nsources++;
        t->sources[i] = ps->source;
        if (ps->create_partitions > 0)
            pt_topic(t, ps->source->topic, ps->create_partitions);
        break;
    }
    case PLAN_DROP_SOURCE:
        for (int i = 0; i < t->nsources; i++)
            if (t->sources[i] && strcmp(t->sources[i]->name, ps->name) == 0)
                t->sources[i] = NULL;
        break;
    case PLAN_SET:
        t->prop_names[t->nprops] = ps->name;
        t->prop_values[t->nprops++] = ps->value;
        break;
    case PLAN_CREATE_TYPE:
        t->type_names[t->ntypes] = ps->name;
        t->types[t->ntypes++] = ps->type;
        break;
    default:
        break;
    }
}

/* Parse and plan one statement; on success apply it and keep it in t->last. Returns the
 * planner's code (the error is in t->err). A parse error fails the test. */
static int pt_plan(pt_ctx *t, const char *sql)
{
    parser_stmt_list *l;
    eddy_err_clear(&t->err);
    if (parser_parse(sql, strlen(sql), NULL, &t->arena, &l, &t->err))
        fail_msg("parse failed: %s: %s", sql, t->err.msg);
    assert_int_equal(l->n, 1);
    plan_stmt *ps = NULL;
    int rc = planner_plan(l->items[0], l->text, &t->cat, &t->arena, &ps, &t->err);
    if (rc == 0) {
        assert_non_null(ps);
        pt_apply(t, ps);
        t->last = ps;
    }
    return rc;
}

#define PT_OK(t, sql)                                                                          \
    do {                                                                                       \
        if (pt_plan((t), (sql)))                                                               \
            fail_msg("planning failed: %s\n  error: %s", (sql), (t)->err.msg);                 \
    } while (0)

/* Planning 'sql' fails with 'code' and a message containing 'text'. */
#define PT_ERR(t, sql, code, text)                                                             \
    do {                                                                                       \
        int rc_ = pt_plan((t), (sql));                                                         \
        if (rc_ != (code))                                                                     \
            fail_msg("expected %d, got %d for %s: %s", (code), rc_, (sql), (t)->err.msg);     \
        if (!strstr((t)->err.msg, (text)))                                                     \
            fail_msg("message for %s\n  got:  %s\n  want: %s", (sql), (t)->err.msg, (text));   \
    } while (0)

/* The schema as "NAME TYPE[ KEY], ..." for comparisons. */
static inline const char *pt_schema(pt_ctx *t, const plan_schema *s)
{
    eddy_buf b;
    eddy_buf_init(&b);
    for (int i = 0; i < s->ncols; i++) {
        eddy_buf_printf(&b, "%s%s ", i ? ", " : "", s->cols[i].name);
        eddy_type_format(s->cols[i].type, &b);
        if (s->cols[i].role == PLAN_COL_KEY)
            eddy_buf_printf(&b, " KEY");
        if (s->cols[i].role == PLAN_COL_PSEUDO)
            eddy_buf_printf(&b, " PSEUDO");
    }
    const char *r = eddy_arena_strdup(&t->arena, eddy_buf_cstr(&b) ? (char *)b.data : "");
    eddy_buf_free(&b);
    return r;
}

static inline const char *pt_explain(pt_ctx *t, const plan_query *q)
{
    eddy_buf b;
    eddy_buf_init(&b);
    assert_int_equal(planner_explain(q, &b), 0);
    const char *r = eddy_arena_strdup(&t->arena, eddy_buf_cstr(&b));
    eddy_buf_free(&b);
    return r;
}

static inline const plan_step *pt_step(const plan_query *q, plan_step_kind kind)
{
    for (int i = 0; i < q->nsteps; i++)
        if (q->steps[i].kind == kind)
            return &q->steps[i];
    return NULL;
}

#endif
