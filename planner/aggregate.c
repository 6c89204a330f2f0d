/*
 * planner/aggregate.c - GROUP BY, aggregate functions, HAVING and WINDOW: the GROUP_BY and
 * AGGREGATE steps of a query (ksqlDB's AggregateAnalyzer, GroupByParamsFactory and
 * AggregateNode).
 *
 *   ... [FILTER] -> GROUP_BY -> (repartition) -> AGGREGATE -> PROJECT -> SINK
 *
 * GROUP_BY computes, over the input row, the grouping expressions (the new key) followed by
 * the column arguments of every aggregate call, converted to the types the call was resolved
 * for. When the grouping expressions are not exactly the source's key columns, the rows are
 * repartitioned by the new key (the engine runs the steps after GROUP_BY as a second stage
 * over the internal topic). AGGREGATE keeps one state per key (and window) and outputs the
 * key columns, one KSQL_AGG_VARIABLE_<i> column per distinct aggregate call and the window
 * bounds. The SELECT list and HAVING are then typed against that output: a sub-expression
 * equal to a GROUP BY expression or to an aggregate call reads the corresponding column
 * (pl_scope substitutions), so `LEN(DATA) AS K ... GROUP BY LEN(DATA)` selects the key.
 *
 * Rules and messages (ksqlDB's AggregateAnalyzer, in its order): aggregates cannot nest;
 * in a windowed aggregation WINDOWSTART/WINDOWEND may not be passed to aggregates nor appear
 * in GROUP BY or HAVING; aggregates cannot appear in GROUP BY; GROUP BY needs an aggregate;
 * every column referenced outside an aggregate call in SELECT or HAVING must be covered by a
 * GROUP BY expression (window bounds are in windowed aggregations); then EMIT FINAL needs a
 * window, and aggregates without GROUP BY (ksqlDB groups them by a constant) are rejected
 * last. Windows: grace defaults to max(24 h - size, 0), retention to size + grace (Kafka
 * Streams' defaults).
 */
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "planner_int.h"

#define MAX_CALLS 64

static int64_t dur_ms(const parser_duration *d)
{
    static const int64_t mult[] = {1, 1000, 60000, 3600000, 86400000};
    return d->value * mult[d->unit];
}

/* Direct children of an AST expression into 'kids' (at most 'max'); returns the count. */
static int children(const parser_expr *e, const parser_expr **kids, int max)
{
    int n = 0;
#define KID(x) do { if ((x) && n < max) kids[n++] = (x); } while (0)
    switch (e->kind) {
    case PARSER_EXPR_CALL:
        for (size_t i = 0; i < e->call.args.n; i++)
            KID(e->call.args.items[i]);
        break;
    case PARSER_EXPR_DEREF: KID(e->deref.base); break;
    case PARSER_EXPR_SUBSCRIPT: KID(e->sub.base); KID(e->sub.index); break;
    case PARSER_EXPR_UNARY: KID(e->unary.operand); break;
    case PARSER_EXPR_BINARY: KID(e->binary.left); KID(e->binary.right); break;
    case PARSER_EXPR_IS_NULL: KID(e->is_null.operand); break;
    case PARSER_EXPR_DISTINCT: KID(e->distinct.left); KID(e->distinct.right); break;
    case PARSER_EXPR_BETWEEN:
        KID(e->between.value); KID(e->between.low); KID(e->between.high);
        break;
    case PARSER_EXPR_IN:
        KID(e->in.value);
        for (size_t i = 0; i < e->in.list.n; i++)
            KID(e->in.list.items[i]);
        break;
    case PARSER_EXPR_LIKE: KID(e->like.value); KID(e->like.pattern); break;
    case PARSER_EXPR_CASE:
        KID(e->case_.operand);
        for (size_t i = 0; i < e->case_.nwhens; i++) {
            KID(e->case_.whens[i].cond);
            KID(e->case_.whens[i].result);
        }
        KID(e->case_.else_);
        break;
    case PARSER_EXPR_CAST: KID(e->cast.operand); break;
    case PARSER_EXPR_ARRAY:
        for (size_t i = 0; i < e->array.n; i++)
            KID(e->array.items[i]);
        break;
    case PARSER_EXPR_MAP:
        for (size_t i = 0; i < e->map.n; i++) {
            KID(e->map.keys[i]);
            KID(e->map.values[i]);
        }
        break;
    case PARSER_EXPR_STRUCT:
        for (size_t i = 0; i < e->struct_.n; i++)
            KID(e->struct_.fields[i].value);
        break;
    case PARSER_EXPR_LAMBDA: KID(e->lambda.body); break;
    default: break;
    }
#undef KID
    return n;
}

typedef struct ungrouped_walk {
    const parser_expr *const *group;
    int ngroup;
    bool windowed;
    const char *params[32];      /* lambda parameters in scope */
    int nparams;
    eddy_buf *names;             /* when set: every ungrouped column, ", "-separated */
    int nnames;
    bool oom;
} ungrouped_walk;

/* Does 'e' reference a column outside aggregate calls that no GROUP BY expression covers? */
static bool ungrouped(ungrouped_walk *w, const parser_expr *e)
{
    for (int i = 0; i < w->ngroup; i++)
        if (pl_ast_equal(e, w->group[i]))
            return false;
    if (e->kind == PARSER_EXPR_COLUMN) {
        if (!e->col.qualifier) {
            for (int i = 0; i < w->nparams; i++)
                if (strcmp(w->params[i], e->col.name) == 0)
                    return false;
        }
        /* window bounds: selectable when windowed, "cannot be resolved" otherwise */
        if (strcmp(e->col.name, "WINDOWSTART") == 0 || strcmp(e->col.name, "WINDOWEND") == 0)
            return false;
        if (w->names && eddy_buf_printf(w->names, "%s%s", w->nnames++ ? ", " : "",
                                        e->col.name))
            w->oom = true;
        return true;
    }
    if (e->kind == PARSER_EXPR_CALL && pl_is_aggregate_name(e->call.name))
        return false;
    int saved = w->nparams;
    if (e->kind == PARSER_EXPR_LAMBDA)
        for (size_t i = 0; i < e->lambda.nparams && w->nparams < 32; i++)
            w->params[w->nparams++] = e->lambda.params[i];
    const parser_expr *kids[256];
    int n = children(e, kids, 256);
    bool bad = false;
    for (int i = 0; i < n && (!bad || w->names); i++)
        bad = ungrouped(w, kids[i]) || bad;
    w->nparams = saved;
    return bad;
}

/* The aggregate calls of the SELECT list and HAVING, each once (by AST equality). */
static int collect_calls(pl_ctx *c, const parser_query *q, const parser_expr **calls,
                         int *ncalls)
{
    int n = 0;
    for (size_t i = 0; i <= q->nitems; i++) {
        const parser_expr *e = i < q->nitems ? q->items[i].expr : q->having;
        if (!e)
            continue;
        const parser_expr *found[MAX_CALLS];
        int k = pl_ast_find_calls(e, pl_is_aggregate_name, found, MAX_CALLS);
        if (k > MAX_CALLS)
            return pl_err_at(c, e->pos, EDDY_EUNSUPPORTED, "Too many aggregate functions");
        for (int j = 0; j < k; j++) {
            const parser_expr *call = found[j];
            for (size_t a = 0; a < call->call.args.n; a++) {
                const parser_expr *inner;
                if (pl_ast_find_calls(call->call.args.items[a], pl_is_aggregate_name, &inner,
                                      1))
                    return pl_err_at(c, call->pos, EDDY_ETYPE,
                                     "Aggregate functions can not be nested: %s(%s())",
                                     call->call.name, inner->call.name);
            }
            bool dup = false;
            for (int m = 0; m < n && !dup; m++)
                dup = pl_ast_equal(calls[m], call);
            if (dup)
                continue;
            if (n == MAX_CALLS)
                return pl_err_at(c, call->pos, EDDY_EUNSUPPORTED, "Too many aggregate functions");
            calls[n++] = call;
        }
    }
    *ncalls = n;
    return 0;
}

bool pl__query_aggregates(const parser_query *q)
{
    if (q->has_group_by || q->window || q->having)
        return true;
    for (size_t i = 0; i < q->nitems; i++)
        if (q->items[i].expr &&
            pl_ast_find_calls(q->items[i].expr, pl_is_aggregate_name, NULL, 0))
            return true;
    return false;
}

/* Record error 'code' of 'c->err' again at 'pos' (errors from functions/ have no position). */
static int reposition(pl_ctx *c, uint32_t pos)
{
    eddy_err e = *c->err;
    eddy_err_clear(c->err);
    return pl_err_at(c, pos, e.code, "%s", e.msg);
}

/* Is column 'name' a GROUP BY expression on its own? */
static bool grouped_column(const parser_query *q, const char *name)
{
    for (size_t j = 0; j < q->group_by.n; j++) {
        const parser_expr *g = q->group_by.items[j];
        if (g->kind == PARSER_EXPR_COLUMN && strcmp(g->col.name, name) == 0)
            return true;
    }
    return false;
}

static bool is_window_bound(const char *name)
{
    return strcmp(name, "WINDOWSTART") == 0 || strcmp(name, "WINDOWEND") == 0;
}

const parser_expr *pl__window_bound_ref(const parser_expr *e, bool in_agg_only)
{
    if (e->kind == PARSER_EXPR_COLUMN)
        return !in_agg_only && is_window_bound(e->col.name) ? e : NULL;
    if (in_agg_only && e->kind == PARSER_EXPR_CALL && pl_is_aggregate_name(e->call.name))
        in_agg_only = false;
    const parser_expr *kids[256];
    int n = children(e, kids, 256);
    for (int i = 0; i < n; i++) {
        const parser_expr *r = pl__window_bound_ref(kids[i], in_agg_only);
        if (r)
            return r;
    }
    return NULL;
}

/* ksqlDB's AggregateNode: "<what> statement does not support aggregate function [F(A), ...]
 * without a GROUP BY clause.", a call without arguments printed with its default argument
 * ROWTIME (COUNT(*) is COUNT(ROWTIME)). */
static int no_group_by_error(pl_ctx *c, const parser_query *q, const char *what,
                             const parser_expr *const *calls, int ncalls)
{
    eddy_buf list;
    eddy_buf_init(&list);
    int rc = 0;
    for (int i = 0; i < ncalls && rc == 0; i++) {
        const parser_expr *f = calls[i];
        rc = f->call.args.n == 0
                 ? eddy_buf_printf(&list, "%s%s(ROWTIME)", i ? ", " : "", f->call.name)
                 : eddy_buf_printf(&list, "%s%s", i ? ", " : "", pl_ast_str(c, f));
    }
    if (rc || !eddy_buf_cstr(&list)) {
        eddy_buf_free(&list);
        return pl_oom(c);
    }
    rc = pl_err_at(c, q->pos, EDDY_ETYPE,
                   "%s statement does not support aggregate function [%s] without a GROUP BY "
                   "clause.", what, (const char *)list.data);
    eddy_buf_free(&list);
    return rc;
}

static int check_rules(pl_ctx *c, const parser_query *q, const char *what,
                       const plan_source *src, const parser_expr *const *calls, int ncalls)
{
    const parser_expr_list *g = &q->group_by;
    /* Window bounds outside a windowed aggregation's SELECT were rejected before, by
     * agg_analyze() in query.c (ksqlDB's AggregateAnalyzer order). */
    for (size_t i = 0; i < g->n; i++) {
        const parser_expr *agg;
        if (pl_ast_find_calls(g->items[i], pl_is_aggregate_name, &agg, 1))
            return pl_err_at(c, g->items[i]->pos, EDDY_ETYPE,
                             "GROUP BY does not support aggregate functions: %s is an aggregate "
                             "function.", agg->call.name);
        for (size_t j = 0; j < i; j++)
            if (pl_ast_equal(g->items[i], g->items[j]))
                return pl_err_at(c, g->items[i]->pos, EDDY_ETYPE,
                                 "Duplicate GROUP BY expression: %s", pl_ast_str(c, g->items[i]));
    }
    if (!q->has_group_by && ncalls == 0)
        return pl_err_at(c, q->window ? q->window->pos : q->pos, EDDY_ETYPE,
                         "%s requires GROUP BY", q->window ? "WINDOW" : "HAVING");
    /* Aggregates without GROUP BY: ksqlDB groups by a constant no SELECT item can match, so
     * the non-aggregate checks below come first, then "... without a GROUP BY clause." */
    if (q->has_group_by && ncalls == 0)
        return pl_err_at(c, q->pos, EDDY_ETYPE,
                         "GROUP BY requires aggregate functions in either the SELECT or HAVING "
                         "clause.");
    ungrouped_walk w = {(const parser_expr *const *)g->items, (int)g->n, q->window != NULL,
                        {0}, 0, NULL, 0, false};
    eddy_buf bad;
    eddy_buf_init(&bad);
    int nbad = 0;
    uint32_t pos = q->pos;
    for (size_t i = 0; i < q->nitems; i++) {
        const parser_select_item *it = &q->items[i];
        if (it->kind == PARSER_SELECT_ALL) {
            for (int k = 0; k < src->schema.ncols; k++) {
                const char *name = src->schema.cols[k].name;
                if (grouped_column(q, name))
                    continue;
                if (nbad == 0)
                    pos = it->pos;
                if (eddy_buf_printf(&bad, "%s%s", nbad++ ? ", " : "", name)) {
                    eddy_buf_free(&bad);
                    return pl_oom(c);
                }
            }
            continue;
        }
        if (!it->expr || !ungrouped(&w, it->expr))
            continue;
        if (nbad == 0)
            pos = it->pos;
        if (eddy_buf_printf(&bad, "%s%s", nbad++ ? ", " : "", pl_ast_str(c, it->expr))) {
            eddy_buf_free(&bad);
            return pl_oom(c);
        }
    }
    int rc = 0;
    if (nbad)
        rc = pl_err_at(c, pos, EDDY_ETYPE,
                       "Non-aggregate SELECT expression(s) not part of GROUP BY: %s\nEither add "
                       "the column(s) to the GROUP BY or remove them from the SELECT.",
                       eddy_buf_cstr(&bad) ? (const char *)bad.data : "");
    eddy_buf_free(&bad);
    if (rc)
        return rc;
    /* HAVING: the columns outside aggregates and GROUP BY expressions, each time seen */
    eddy_buf cols;
    eddy_buf_init(&cols);
    w.names = &cols;
    if (q->having && ungrouped(&w, q->having))
        rc = w.oom || !eddy_buf_cstr(&cols)
                 ? pl_oom(c)
                 : pl_err_at(c, q->having->pos, EDDY_ETYPE,
                             "Non-aggregate HAVING expression not part of GROUP BY: %s\n"
                             "Consider switching the HAVING clause to a WHERE clause before the "
                             "GROUP BY.", (const char *)cols.data);
    eddy_buf_free(&cols);
    if (rc)
        return rc;
    /* then ksqlDB's LogicalPlanner, then its output node's key check */
    if (q->emit == PARSER_EMIT_FINAL && !q->window)
        return pl_err_at(c, q->pos, EDDY_ETYPE,
                         "EMIT FINAL is only supported for windowed aggregations.");
    if (!q->has_group_by)
        return no_group_by_error(c, q, what, calls, ncalls);
    return 0;
}

static int window_of(pl_ctx *c, const parser_window *pw, bool emit_final, plan_window *w)
{
    w->kind = pw->kind == PARSER_WINDOW_TUMBLING  ? PLAN_WINDOW_TUMBLING
              : pw->kind == PARSER_WINDOW_HOPPING ? PLAN_WINDOW_HOPPING
                                                  : PLAN_WINDOW_SESSION;
    w->size_ms = dur_ms(&pw->size);
    w->advance_ms = w->kind == PLAN_WINDOW_HOPPING  ? dur_ms(&pw->advance)
                    : w->kind == PLAN_WINDOW_TUMBLING ? w->size_ms
                                                      : -1;
    if (w->size_ms <= 0)
        return pl_err_at(c, pw->pos, EDDY_ETYPE, "Window size must be positive");
    if (w->kind == PLAN_WINDOW_HOPPING && (w->advance_ms <= 0 || w->advance_ms > w->size_ms))
        return pl_err_at(c, pw->pos, EDDY_ETYPE,
                         "Window advance interval should be more than zero and less than or "
                         "equal to window size");
    int64_t day = 86400000;
    /* EMIT FINAL without a grace period closes windows at their end (ksqlDB's suppression) */
    w->grace_ms = pw->has_grace ? dur_ms(&pw->grace)
                  : emit_final  ? 0
                                : (w->size_ms < day ? day - w->size_ms : 0);
    w->retention_ms = pw->has_retention ? dur_ms(&pw->retention) : w->size_ms + w->grace_ms;
    if (w->retention_ms < w->size_ms + w->grace_ms)
        return pl_err_at(c, pw->pos, EDDY_ETYPE,
                         "The retention period of the window store must be greater than or "
                         "equal to the window size plus the grace period: retention %lld ms, "
                         "size + grace %lld ms", (long long)w->retention_ms,
                         (long long)(w->size_ms + w->grace_ms));
    return 0;
}

static int config_int(pl_ctx *c, const char *name)
{
    const char *v = pl_property(c, name);
    return v ? atoi(v) : 0;
}

int pl__agg_steps(pl_ctx *c, const parser_query *q, const char *what, const plan_source *src,
                  plan_step *steps, int *nsteps, pl_agg *out)
{
    const parser_expr *calls[MAX_CALLS];
    int ncalls = 0;
    int rc;
    if ((rc = collect_calls(c, q, calls, &ncalls)) || (rc = check_rules(c, q, what, src, calls, ncalls)))
        return rc;
    const plan_schema *in = &steps[*nsteps - 1].out;
    int ng = (int)q->group_by.n;
    if (ng == 0)
        return pl_err_at(c, q->pos, EDDY_EUNSUPPORTED, "GROUP BY () is not supported yet");

    /* GROUP_BY: keys, then the column arguments of the calls */
    plan_step *gs = &steps[*nsteps];
    memset(gs, 0, sizeof *gs);
    gs->kind = PLAN_STEP_GROUP_BY;
    gs->id = (*nsteps)++;
    int maxcols = ng + 8 * ncalls + 1;
    plan_column *gcols = eddy_arena_calloc(c->a, sizeof *gcols * (size_t)maxcols);
    gs->exprs = eddy_arena_calloc(c->a, sizeof *gs->exprs * (size_t)maxcols);
    const fn_agg_call **aggs = eddy_arena_calloc(c->a, sizeof *aggs * (size_t)ncalls);
    int *agg_args = eddy_arena_calloc(c->a, sizeof *agg_args * (size_t)ncalls);
    out->group = eddy_arena_calloc(c->a, sizeof *out->group * (size_t)ng);
    out->group_names = eddy_arena_calloc(c->a, sizeof *out->group_names * (size_t)ng);
    out->subst_ast = eddy_arena_calloc(c->a, sizeof *out->subst_ast * (size_t)(ng + ncalls));
    out->subst_col = eddy_arena_calloc(c->a, sizeof *out->subst_col * (size_t)(ng + ncalls));
    if (!gcols || !gs->exprs || !aggs || !agg_args || !out->group || !out->group_names ||
        !out->subst_ast || !out->subst_col)
        return pl_oom(c);
    pl_scope sc;
    memset(&sc, 0, sizeof sc);
    sc.schema = in;
    sc.source = q->from.name;
    sc.alias = q->from.alias;
    sc.clause = "GROUP BY";
    sc.nslots = &gs->nvars;
    bool same_key = src->window.kind == PLAN_WINDOW_NONE;
    int nsrc_keys = 0;
    for (int i = 0; i < src->schema.ncols; i++)
        nsrc_keys += src->schema.cols[i].role == PLAN_COL_KEY;
    same_key = same_key && nsrc_keys == ng;
    for (int i = 0; i < ng; i++) {
        const parser_expr *pe = q->group_by.items[i];
        fn_expr *e;
        if ((rc = pl_expr(c, &sc, pe, &e)))
            return rc;
        const char *name = pe->kind == PARSER_EXPR_COLUMN && !pl_is_reserved_column(pe->col.name)
                               ? pe->col.name
                               : pl_printf(c, "KSQL_COL_%d", i);
        if (!name)
            return c->err->code;
        const eddy_type *t = e->type->kind == EDDY_T_NULL ? EDDY_TYPE_STRING : e->type;
        gcols[i] = (plan_column){name, t, PLAN_COL_KEY, NULL};
        gs->exprs[i] = e;
        out->group[i] = pe;
        out->group_names[i] = pl_ast_str(c, pe);
        if (!out->group_names[i])
            return c->err->code;
        /* the i-th source key column, referenced as is: no repartition needed */
        if (!(e->kind == FN_COLUMN && in->cols[e->u.index].role == PLAN_COL_KEY)) {
            same_key = false;
        } else {
            int k = 0;
            for (int j = 0; j < e->u.index; j++)
                k += in->cols[j].role == PLAN_COL_KEY;
            same_key = same_key && k == i;
        }
    }
    int ncols = ng;
    fn_config cfg = {0};
    cfg.collect_list_limit = config_int(c, "ksql.functions.collect_list.limit");
    cfg.collect_set_limit = config_int(c, "ksql.functions.collect_set.limit");
    sc.clause = "SELECT";
    for (int j = 0; j < ncalls; j++) {
        const parser_expr *call = calls[j];
        const fn_aggregate *f = fn_aggregate_find(call->call.name);
        if (!f)
            return pl_err_at(c, call->pos, EDDY_ENOTFOUND,
                             "Can't find any functions with the name '%s'", call->call.name);
        int nargs = (int)call->call.args.n;
        fn_expr **typed = eddy_arena_calloc(c->a, sizeof *typed * (size_t)(nargs + 1));
        fn_agg_arg *args = eddy_arena_calloc(c->a, sizeof *args * (size_t)(nargs + 1));
        if (!typed || !args)
            return pl_oom(c);
        for (int a = 0; a < nargs; a++) {
            const parser_expr *pa = call->call.args.items[a];
            if ((rc = pl_expr(c, &sc, pa, &typed[a])))
                return rc;
            args[a].type = typed[a]->type->kind == EDDY_T_NULL ? NULL : typed[a]->type;
            args[a].literal = typed[a]->kind == FN_LITERAL ? &typed[a]->u.literal : NULL;
            args[a].text = pl_ast_str(c, pa);
        }
        fn_agg_call *fc;
        if (fn_aggregate_resolve(f, c->a, args, nargs, &cfg, &fc, c->err))
            return reposition(c, call->pos);
        if (ncols + fc->ncols > maxcols)
            return pl_err_at(c, call->pos, EDDY_EUNSUPPORTED, "Too many aggregate arguments");
        agg_args[j] = ncols;
        for (int a = 0; a < fc->ncols; a++) {
            fn_expr *e = typed[a];
            if (fc->casts && fc->casts[a] && (rc = pl_coerce_to(c, e, call->call.args.items[a],
                                                                fc->casts[a], &e)))
                return rc;
            const char *name = pl_printf(c, "KSQL_INTERNAL_COL_%d", ncols);
            if (!name)
                return c->err->code;
            gcols[ncols] = (plan_column){name, fc->arg_types[a], PLAN_COL_VALUE, NULL};
            gs->exprs[ncols++] = e;
        }
        aggs[j] = fc;
    }
    gs->nexprs = ncols;
    gs->nkeys = ng;
    gs->out.ncols = ncols;
    gs->out.cols = gcols;
    gs->repartition = !same_key;

    /* AGGREGATE */
    plan_step *as = &steps[*nsteps];
    memset(as, 0, sizeof *as);
    as->kind = PLAN_STEP_AGGREGATE;
    as->id = (*nsteps)++;
    as->naggs = ncalls;
    as->nkeys = ng;
    as->aggs = aggs;
    as->agg_args = agg_args;
    as->window.kind = PLAN_WINDOW_NONE;
    as->window.size_ms = as->window.advance_ms = as->window.grace_ms = -1;
    as->window.retention_ms = -1;
    if (q->window && (rc = window_of(c, q->window, q->emit == PARSER_EMIT_FINAL, &as->window)))
        return rc;
    as->emit_final = q->emit == PARSER_EMIT_FINAL;
    bool windowed = q->window != NULL;
    int nout = ng + ncalls + (windowed ? 2 : 0);
    plan_column *acols = eddy_arena_calloc(c->a, sizeof *acols * (size_t)nout);
    if (!acols)
        return pl_oom(c);
    memcpy(acols, gcols, sizeof *acols * (size_t)ng);
    for (int j = 0; j < ncalls; j++) {
        const char *name = pl_printf(c, "KSQL_AGG_VARIABLE_%d", j);
        if (!name)
            return c->err->code;
        acols[ng + j] = (plan_column){name, aggs[j]->ret, PLAN_COL_VALUE, NULL};
    }
    if (windowed) {
        acols[ng + ncalls] = (plan_column){"WINDOWSTART", EDDY_TYPE_BIGINT, PLAN_COL_PSEUDO,
                                           NULL};
        acols[ng + ncalls + 1] = (plan_column){"WINDOWEND", EDDY_TYPE_BIGINT, PLAN_COL_PSEUDO,
                                               NULL};
    }
    as->out.ncols = nout;
    as->out.cols = acols;

    out->ngroup = ng;
    out->windowed = windowed;
    for (int i = 0; i < ng; i++) {
        out->subst_ast[out->nsubst] = out->group[i];
        out->subst_col[out->nsubst++] = i;
    }
    for (int j = 0; j < ncalls; j++) {
        out->subst_ast[out->nsubst] = calls[j];
        out->subst_col[out->nsubst++] = ng + j;
    }
    if (q->having) {
        pl_scope hs;
        memset(&hs, 0, sizeof hs);
        hs.schema = &as->out;
        hs.source = q->from.name;
        hs.alias = q->from.alias;
        hs.clause = "HAVING";
        hs.nslots = &as->nvars;
        hs.nsubst = out->nsubst;
        hs.subst_ast = out->subst_ast;
        hs.subst_col = out->subst_col;
        fn_expr *e;
        if ((rc = pl_expr(c, &hs, q->having, &e))) {
            /* ksqlDB's FilterTypeValidator, as for WHERE */
            if (rc == EDDY_ETYPE && strncmp(c->err->msg, "Invalid Predicate", 17) != 0)
                pl_err_prefix(c, "Error in HAVING expression: ");
            return rc;
        }
        if (e->type->kind != EDDY_T_BOOLEAN)
            return pl_err_at(c, q->having->pos, EDDY_ETYPE,
                             "Type error in HAVING expression: Should evaluate to boolean but is "
                             "%s (%s) instead.", pl_ast_str(c, q->having),
                             pl_type_str(c, e->type));
        as->having = e;
    }
    return 0;
}

int pl__check_agg_state_format(pl_ctx *c, uint32_t pos, const plan_step *as,
                               const serde_format *vf)
{
    for (int j = 0; j < as->naggs; j++) {
        /* one column at a time: what matters is the type (KAFKA's single-field rule would
         * also count the other columns of ksqlDB's aggregate schema, which differ from ours) */
        plan_column col = {"KSQL_AGG_VARIABLE", as->aggs[j]->state_type, PLAN_COL_VALUE, NULL};
        int rc = pl_check_format(c, pos, vf, &col, 1, false, true);
        if (rc == 0)
            continue;
        if (rc != EDDY_ETYPE)
            return rc;
        eddy_err_clear(c->err);
        return pl_err_at(c, pos, EDDY_ETYPE,
                         "One of the functions used in the statement has an intermediate type "
                         "that the value format can not handle. Please remove the function or "
                         "change the format.\nConsider up-voting "
                         "https://github.com/confluentinc/ksql/issues/3950, which will resolve "
                         "this limitation");
    }
    return 0;
}
