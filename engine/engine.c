/*
 * engine.c - opening the engine and executing statements.
 *
 * engine_execute() parses the whole input first (a syntax error runs nothing, as ksqlDB),
 * then plans and executes the statements one by one; the first failure stops the rest and is
 * reported with the failing statement's position. The input's AST and plans share one arena
 * (eng_mem); sources and queries created by it keep that arena alive (engine_int.h).
 */
#include "engine_int.h"

#include <stdio.h>

static int64_t real_clock(void *ctx)
{
    (void)ctx;
    return eddy_now_ms();
}

int engine_open(const engine_options *opts, engine **out, eddy_err *err)
{
    engine *e = eddy_calloc(1, sizeof *e);
    if (!e)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    e->opts = *opts;
    if (!e->opts.clock_ms)
        e->opts.clock_ms = real_clock;
    pthread_mutex_init(&e->mu, NULL);
    broker_options bo;
    broker_options_default(&bo);
    bo.cleaner_interval_ms = opts->stepped ? 0 : 30000;
    int rc = broker_open(opts->data_dir, &bo, &e->b, err);
    if (rc) {
        pthread_mutex_destroy(&e->mu);
        eddy_free(e);
        return rc;
    }
    *out = e;
    return 0;
}

void engine_close(engine *e)
{
    if (!e)
        return;
    engine_stop(e);
    for (size_t i = 0; i < e->nqueries; i++)
        eng__query_free(e->queries[i]);
    eddy_free(e->queries);
    eng__catalog_free(e);
    state_env_close(e->state);
    for (size_t i = 0; i < e->nvars; i++) {
        eddy_free(e->vars[i].name);
        eddy_free(e->vars[i].value);
    }
    eddy_free(e->vars);
    broker_close(e->b);
    pthread_mutex_destroy(&e->mu);
    eddy_free(e);
}

broker *engine_broker(engine *e) { return e->b; }

int engine_query_count(engine *e) { return (int)e->nqueries; }

const char *engine_query_id(engine *e, int i)
{
    return i >= 0 && (size_t)i < e->nqueries ? e->queries[i]->id : NULL;
}

/* Put the statement's position on an error that has none. */
static int at_stmt(const parser_stmt_list *list, const parser_stmt *st, eddy_err *err)
{
    if (err && err->code && err->line == 0) {
        int line, col;
        parser_linecol(list->text, list->text_len, st->pos, &line, &col);
        err->line = line;
        err->col = col;
    }
    return err ? err->code : EDDY_EINVAL;
}

static int set_var(engine *e, const char *name, const char *value, eddy_err *err)
{
    for (size_t i = 0; i < e->nvars; i++) {
        if (strcmp(e->vars[i].name, name) != 0)
            continue;
        eddy_free(e->vars[i].value);
        if (!value) {
            eddy_free(e->vars[i].name);
            e->vars[i] = e->vars[--e->nvars];
            return 0;
        }
        e->vars[i].value = eddy_strdup(value);
        return e->vars[i].value ? 0 : eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    }
    if (!value)
        return 0;
    if (e->nvars == e->vars_cap) {
        size_t cap = e->vars_cap ? e->vars_cap * 2 : 8;
        eng_var *a = eddy_realloc(e->vars, cap * sizeof *a);
        if (!a)
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        e->vars = a;
        e->vars_cap = cap;
    }
    e->vars[e->nvars].name = eddy_strdup(name);
    e->vars[e->nvars].value = eddy_strdup(value);
    e->nvars++;
    return 0;
}

static const char *kind_word(plan_source_kind k, bool upper)
{
    if (k == PLAN_TABLE)
        return upper ? "Table" : "table";
    return upper ? "Stream" : "stream";
}

/* Make sure the topic a new source names exists: create it when the plan says how many
 * partitions, or when the engine auto-creates topics (the test runner). */
static int ensure_topic(engine *e, const plan_stmt *ps, bool for_sink, eddy_err *err)
{
    const char *topic = ps->source->topic;
    eddy_err tmp = {0};
    if (broker_topic_partitions(e->b, topic, &tmp) >= 0)
        return 0;
    int parts = ps->create_partitions;
    if (parts <= 0 && (for_sink || e->opts.auto_create_topics))
        parts = 1;
    if (parts <= 0)
        return eddy_err_set(err, EDDY_ENOTFOUND,
                            "Topic '%s' does not exist. If you want to create a new topic for the "
                            "%s please re-run the statement providing the required 'PARTITIONS' "
                            "configuration in the WITH clause (and optionally 'REPLICAS'). For "
                            "example: CREATE %s %s (...) WITH (KAFKA_TOPIC='%s', PARTITIONS=2, "
                            "...);",
                            topic, kind_word(ps->source->kind, false),
                            ps->source->kind == PLAN_TABLE ? "TABLE" : "STREAM", ps->source->name,
                            topic);
    return broker_topic_create(e->b, topic, parts, NULL, err);
}

static int result(engine_result_fn cb, void *ctx, const parser_stmt *st, const char *msg,
                  const char *qid, const char *text)
{
    if (!cb)
        return 0;
    engine_result r = {st, msg, qid, text};
    return cb(ctx, &r);
}

/* Which running queries read from or write to 'name'. */
static int queries_using(engine *e, const char *name, eddy_buf *readers, eddy_buf *writers)
{
    int n = 0;
    for (size_t i = 0; i < e->nqueries; i++) {
        eng_query *q = e->queries[i];
        if (strcmp(q->source->name, name) == 0) {
            eddy_buf_printf(readers, "%s%s", readers->len ? ", " : "", q->id);
            n++;
        }
        if (q->sink_name && strcmp(q->sink_name, name) == 0) {
            eddy_buf_printf(writers, "%s%s", writers->len ? ", " : "", q->id);
            n++;
        }
    }
    return n;
}

/* A CREATE of a name that exists: 0 to go on (new name, or OR REPLACE), 1 when IF NOT
 * EXISTS makes it a no-op (reported through 'cb'), or ksqlDB's error. */
static int check_new_name(engine *e, const plan_stmt *ps, const parser_stmt *st,
                          engine_result_fn cb, void *cbctx, eddy_err *err)
{
    eng_source *old = eng__source_find(e, ps->source->name);
    if (!old || ps->or_replace)
        return 0;
    if (ps->if_not_exists) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s %s already exists.", kind_word(ps->source->kind, true),
                 ps->source->name);
        int rc = result(cb, cbctx, st, msg, NULL, NULL);
        return rc ? rc : 1;
    }
    return eddy_err_set(err, EDDY_EEXIST,
                        "Cannot add %s '%s': A %s with the same name already exists",
                        kind_word(ps->source->kind, false), ps->source->name,
                        kind_word(old->src->kind, false));
}

static int exec_one(engine *e, const parser_stmt_list *list, const parser_stmt *st,
                    eng_mem *mem, engine_result_fn cb, void *cbctx, eddy_err *err)
{
    plan_catalog cat;
    eng__catalog_init(e, &cat);
    plan_stmt *ps = NULL;
    char msg[512];
    int rc = planner_plan(st, list->text, &cat, &mem->arena, &ps, err);
    if (rc)
        goto done;
    switch (ps->kind) {
    case PLAN_CREATE_SOURCE: {
        if ((rc = check_new_name(e, ps, st, cb, cbctx, err)) != 0) {
            if (rc == 1) /* IF NOT EXISTS and it exists: done */
                rc = 0;
            break;
        }
        if ((rc = ensure_topic(e, ps, false, err)) != 0)
            break;
        if ((rc = eng__source_add(e, ps->source, mem, err)) != 0)
            break;
        snprintf(msg, sizeof msg, "%s created", kind_word(ps->source->kind, true));
        rc = result(cb, cbctx, st, msg, NULL, NULL);
        break;
    }
    case PLAN_CREATE_AS: {
        if ((rc = check_new_name(e, ps, st, cb, cbctx, err)) != 0) {
            if (rc == 1) /* IF NOT EXISTS and it exists: done */
                rc = 0;
            break;
        }
        if ((rc = ensure_topic(e, ps, true, err)) != 0)
            break;
        const char *qid = NULL;
        rc = eng__query_start(e, ps->query, mem, ps->source->kind == PLAN_TABLE ? "CTAS" : "CSAS",
                              ps->source->name, st->text, &qid, err);
        if (rc)
            break;
        if ((rc = eng__source_add(e, ps->source, mem, err)) != 0)
            break;
        snprintf(msg, sizeof msg, "Created query with ID %s", qid);
        rc = result(cb, cbctx, st, msg, qid, NULL);
        break;
    }
    case PLAN_INSERT_INTO: {
        const char *qid = NULL;
        rc = eng__query_start(e, ps->query, mem, "INSERTQUERY", ps->source->name, st->text,
                              &qid, err);
        if (rc == 0) {
            snprintf(msg, sizeof msg, "Created query with ID %s", qid);
            rc = result(cb, cbctx, st, msg, qid, NULL);
        }
        break;
    }
    case PLAN_INSERT_VALUES:
        rc = eng__insert_values(e, ps, err);
        if (rc == 0)
            rc = result(cb, cbctx, st, "", NULL, NULL);
        break;
    case PLAN_DROP_SOURCE: {
        eng_source *s = eng__source_find(e, ps->name);
        if (!s) {
            if (ps->if_exists) {
                snprintf(msg, sizeof msg, "Source `%s` does not exist.", ps->name);
                rc = result(cb, cbctx, st, msg, NULL, NULL);
            } else {
                rc = eddy_err_set(err, EDDY_ENOTFOUND, "Source %s does not exist.", ps->name);
            }
            break;
        }
        eddy_buf readers, writers;
        eddy_buf_init(&readers);
        eddy_buf_init(&writers);
        if (queries_using(e, ps->name, &readers, &writers) > 0) {
            if (writers.len)
                rc = eddy_err_set(err, EDDY_EINVAL,
                                  "Cannot drop %s.\nThe following queries write into this "
                                  "source: [%s].\nYou need to terminate them before dropping %s.",
                                  ps->name, eddy_buf_cstr(&writers), ps->name);
            else
                rc = eddy_err_set(err, EDDY_EINVAL,
                                  "Cannot drop %s.\nThe following queries read from this source: "
                                  "[%s].\nYou need to terminate them before dropping %s.",
                                  ps->name, eddy_buf_cstr(&readers), ps->name);
        }
        eddy_buf_free(&readers);
        eddy_buf_free(&writers);
        if (rc)
            break;
        char topic[256];
        snprintf(topic, sizeof topic, "%s", s->src->topic);
        if ((rc = eng__source_drop(e, ps->name, err)) != 0)
            break;
        if (ps->delete_topic && (rc = broker_topic_delete(e->b, topic, err)) != 0)
            break;
        snprintf(msg, sizeof msg, "Source `%s` (topic: %s) was dropped.", ps->name, topic);
        rc = result(cb, cbctx, st, msg, NULL, NULL);
        break;
    }
    case PLAN_SET:
    case PLAN_UNSET:
        rc = engine_set_property(e, ps->name, ps->kind == PLAN_SET ? ps->value : NULL, err);
        if (rc == 0) {
            snprintf(msg, sizeof msg, "Successfully %s property '%s'%s%s%s.",
                     ps->kind == PLAN_SET ? "changed local" : "unset local", ps->name,
                     ps->kind == PLAN_SET ? " to '" : "", ps->kind == PLAN_SET ? ps->value : "",
                     ps->kind == PLAN_SET ? "'" : "");
            rc = result(cb, cbctx, st, msg, NULL, NULL);
        }
        break;
    case PLAN_DEFINE:
    case PLAN_UNDEFINE:
        rc = set_var(e, ps->name, ps->kind == PLAN_DEFINE ? ps->value : NULL, err);
        if (rc == 0)
            rc = result(cb, cbctx, st, "", NULL, NULL);
        break;
    case PLAN_CREATE_TYPE:
        rc = eng__type_add(e, ps->name, ps->type, mem, err);
        if (rc == 0) {
            snprintf(msg, sizeof msg, "Registered custom type with name '%s'", ps->name);
            rc = result(cb, cbctx, st, msg, NULL, NULL);
        }
        break;
    case PLAN_DROP_TYPE:
        rc = eng__type_drop(e, ps->name, err);
        if (rc == EDDY_ENOTFOUND && ps->if_exists) {
            eddy_err_clear(err);
            rc = 0;
        }
        if (rc == 0) {
            snprintf(msg, sizeof msg, "Dropped type '%s'", ps->name);
            rc = result(cb, cbctx, st, msg, NULL, NULL);
        }
        break;
    case PLAN_EXPLAIN: {
        eddy_buf out;
        eddy_buf_init(&out);
        rc = planner_explain(ps->query, &out);
        if (rc == 0)
            rc = result(cb, cbctx, st, "", NULL, eddy_buf_cstr(&out));
        else
            rc = eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        eddy_buf_free(&out);
        break;
    }
    case PLAN_QUERY:
        rc = eddy_err_set(err, EDDY_EUNSUPPORTED,
                          "Transient queries (SELECT without CREATE or INSERT) need the shell or "
                          "the server, which this command does not run.");
        break;
    case PLAN_OTHER:
        rc = eddy_err_set(err, EDDY_EUNSUPPORTED, "%s is not supported here yet.",
                          parser_stmt_kind_name(st->kind));
        break;
    }
done:
    return rc ? at_stmt(list, st, err) : 0;
}

int engine_execute(engine *e, const char *sql, size_t len, engine_result_fn cb, void *ctx,
                   eddy_err *err)
{
    pthread_mutex_lock(&e->mu);
    /* One arena for the parse and the plans of this input: plans point into the AST (names,
     * statement text), so whatever a statement keeps (a source, a query) keeps the arena. */
    eng_mem *mem = eng__mem_new();
    if (!mem) {
        pthread_mutex_unlock(&e->mu);
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    }
    eddy_arena *a = &mem->arena;
    parser_var *vars = eddy_arena_alloc(a, (e->nvars + 1) * sizeof *vars);
    for (size_t i = 0; vars && i < e->nvars; i++) {
        vars[i].name = e->vars[i].name;
        vars[i].value = e->vars[i].value;
    }
    parser_vars pv = {e->nvars, vars};
    parser_stmt_list *list = NULL;
    int rc = vars ? parser_parse(sql, len, &pv, a, &list, err)
                  : eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < list->n; i++)
        rc = exec_one(e, list, list->items[i], mem, cb, ctx, err);
    eng__mem_unref(mem);
    pthread_mutex_unlock(&e->mu);
    return rc;
}
