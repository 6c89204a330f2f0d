/*
 * planner/explain.c - planner_explain(): a query plan as stable, readable text.
 *
 * One line per step, in pipeline order:
 *
 *   [0] SOURCE INPUT topic=input_topic key=KAFKA value=JSON
 *       schema: K STRING KEY, ID BIGINT, ROWTIME BIGINT PSEUDO, ...
 *   [1] FILTER (ID > 10)
 *   [2] PROJECT K, (ID * 2) AS X
 *   [3] SINK topic=OUTPUT partitions=1 key=KAFKA value=JSON
 *       schema: K STRING KEY, X BIGINT
 *
 * Expressions print with column names of the step's input schema (planner_format_expr), so
 * the text depends only on the plan: tests compare it with golden files.
 */
#include <stdio.h>

#include "planner_int.h"

const char *pl_format_name(serde_kind k)
{
    switch (k) {
    case SERDE_NONE: return "NONE";
    case SERDE_KAFKA: return "KAFKA";
    case SERDE_JSON: return "JSON";
    case SERDE_DELIMITED: return "DELIMITED";
    }
    return "?";
}

static const char *role_suffix(plan_col_role r)
{
    switch (r) {
    case PLAN_COL_KEY: return " KEY";
    case PLAN_COL_HEADERS: return " HEADERS";
    case PLAN_COL_HEADER: return " HEADER";
    case PLAN_COL_PSEUDO: return " PSEUDO";
    default: return "";
    }
}

static int schema_line(const plan_schema *s, eddy_buf *out)
{
    if (eddy_buf_printf(out, "    schema: "))
        return EDDY_ENOMEM;
    for (int i = 0; i < s->ncols; i++) {
        const plan_column *c = &s->cols[i];
        if ((i && eddy_buf_printf(out, ", ")) || pl_format_ident(c->name, out) ||
            eddy_buf_printf(out, " ") || eddy_type_format(c->type, out) ||
            eddy_buf_printf(out, "%s", role_suffix(c->role)))
            return EDDY_ENOMEM;
        if (c->role == PLAN_COL_HEADER && eddy_buf_printf(out, "('%s')", c->header_key))
            return EDDY_ENOMEM;
    }
    return eddy_buf_printf(out, "\n");
}

static int format_text(const serde_format *f, eddy_buf *out)
{
    if (eddy_buf_printf(out, "%s", pl_format_name(f->kind)))
        return EDDY_ENOMEM;
    if (f->kind == SERDE_DELIMITED && f->delimiter != ',' &&
        eddy_buf_printf(out, "('%s')", f->delimiter == '\t' ? "TAB"
                                      : f->delimiter == ' ' ? "SPACE"
                                                            : (char[2]){f->delimiter, 0}))
        return EDDY_ENOMEM;
    if (f->wrap_single == 0 && eddy_buf_printf(out, "(UNWRAPPED)"))
        return EDDY_ENOMEM;
    return 0;
}

static const char *const KIND_NAMES[] = {"SOURCE", "FILTER", "PROJECT", "FLATMAP", "REKEY",
                                         "SINK", "GROUP_BY", "AGGREGATE", "JOIN"};

static const char *const WINDOW_NAMES[] = {"NONE", "TUMBLING", "HOPPING", "SESSION"};

/* AGGREGATE: the calls over the input row, the window, the emit mode, HAVING. */
static int aggregate_text(const plan_step *s, const plan_schema *in, eddy_buf *out)
{
    for (int j = 0; j < s->naggs; j++) {
        const fn_agg_call *c = s->aggs[j];
        if (eddy_buf_printf(out, "%s%s(", j ? ", " : " ", c->fn->name))
            return EDDY_ENOMEM;
        for (int a = 0; a < c->ncols; a++)
            if ((a && eddy_buf_printf(out, ", ")) ||
                pl_format_ident(in->cols[s->agg_args[j] + a].name, out))
                return EDDY_ENOMEM;
        if (eddy_buf_printf(out, ") AS ") || pl_format_ident(s->out.cols[s->nkeys + j].name,
                                                             out))
            return EDDY_ENOMEM;
    }
    const plan_window *w = &s->window;
    if (w->kind != PLAN_WINDOW_NONE &&
        eddy_buf_printf(out, " window=%s(size=%lld advance=%lld grace=%lld retention=%lld)",
                        WINDOW_NAMES[w->kind], (long long)w->size_ms, (long long)w->advance_ms,
                        (long long)w->grace_ms, (long long)w->retention_ms))
        return EDDY_ENOMEM;
    if (eddy_buf_printf(out, " emit=%s", s->emit_final ? "FINAL" : "CHANGES"))
        return EDDY_ENOMEM;
    if (s->having && (eddy_buf_printf(out, " having=") ||
                      planner_format_expr(s->having, &s->out, out)))
        return EDDY_ENOMEM;
    return 0;
}

int planner_explain(const plan_query *q, eddy_buf *out)
{
    if (!q || !out)
        return EDDY_EINVAL;
    const plan_schema *in = NULL;
    for (int i = 0; i < q->nsteps; i++) {
        const plan_step *s = &q->steps[i];
        if (eddy_buf_printf(out, "[%d] %s", s->id, KIND_NAMES[s->kind]))
            return EDDY_ENOMEM;
        int rc = 0;
        switch (s->kind) {
        case PLAN_STEP_SOURCE:
            rc = eddy_buf_printf(out, " %s topic=%s key=", q->source->name, q->source->topic) ||
                 format_text(&q->source->key_format, out) || eddy_buf_printf(out, " value=") ||
                 format_text(&q->source->value_format, out);
            if (!rc && s->timestamp)
                rc = eddy_buf_printf(out, " timestamp=") ||
                     planner_format_expr(s->timestamp, &s->out, out);
            rc = rc || eddy_buf_printf(out, "\n") || schema_line(&s->out, out);
            break;
        case PLAN_STEP_FILTER:
            rc = eddy_buf_printf(out, " ") || planner_format_expr(s->predicate, in, out) ||
                 eddy_buf_printf(out, "\n");
            break;
        case PLAN_STEP_PROJECT:
        case PLAN_STEP_REKEY:
        case PLAN_STEP_FLATMAP: {
            int from = 0, to = s->nexprs;
            if (s->kind == PLAN_STEP_REKEY) {
                to = 0;
                while (to < s->out.ncols && s->out.cols[to].role == PLAN_COL_KEY)
                    to++;
                if (to == 0)
                    rc = eddy_buf_printf(out, " NULL");
            }
            if (s->kind == PLAN_STEP_FLATMAP)
                from = to = 0;
            for (int k = from; k < to && !rc; k++) {
                const fn_expr *e = s->exprs[k];
                bool same = e->kind == FN_COLUMN && in && e->u.index < in->ncols &&
                            strcmp(in->cols[e->u.index].name, s->out.cols[k].name) == 0;
                rc = eddy_buf_printf(out, "%s", k ? ", " : " ") ||
                     planner_format_expr(e, in, out) ||
                     (!same && (eddy_buf_printf(out, " AS ") ||
                                pl_format_ident(s->out.cols[k].name, out)));
            }
            for (int k = 0; k < s->ntfns && !rc; k++)
                rc = eddy_buf_printf(out, "%s", k ? ", " : " ") ||
                     planner_format_expr(s->tfns[k], in, out) ||
                     eddy_buf_printf(out, " AS ") ||
                     pl_format_ident(s->out.cols[s->nexprs + k].name, out);
            rc = rc || eddy_buf_printf(out, "\n") || schema_line(&s->out, out);
            break;
        }
        case PLAN_STEP_GROUP_BY:
            for (int k = 0; k < s->nexprs && !rc; k++)
                rc = eddy_buf_printf(out, "%s", k ? ", " : " ") ||
                     planner_format_expr(s->exprs[k], in, out) ||
                     eddy_buf_printf(out, " AS ") || pl_format_ident(s->out.cols[k].name, out);
            if (!rc && s->repartition)
                rc = eddy_buf_printf(out, " repartition=%s",
                                     s->repartition_topic ? s->repartition_topic : "yes");
            rc = rc || eddy_buf_printf(out, "\n") || schema_line(&s->out, out);
            break;
        case PLAN_STEP_AGGREGATE:
            rc = aggregate_text(s, in, out) || eddy_buf_printf(out, "\n") ||
                 schema_line(&s->out, out);
            break;
        case PLAN_STEP_JOIN:
            rc = eddy_buf_printf(out, " %s %s topic=%s on=%s\n",
                                 s->join_type == PLAN_JOIN_LEFT ? "LEFT" : "INNER",
                                 s->join_right->name, s->join_right->topic,
                                 s->out.cols[s->join_left_col].name) ||
                 schema_line(&s->out, out);
            break;
        case PLAN_STEP_SINK:
            rc = eddy_buf_printf(out, " topic=%s partitions=%d key=", q->sink.topic,
                                 q->sink.partitions) ||
                 format_text(&q->sink.key_format, out) || eddy_buf_printf(out, " value=") ||
                 format_text(&q->sink.value_format, out);
            if (!rc && s->timestamp)
                rc = eddy_buf_printf(out, " timestamp=") ||
                     planner_format_expr(s->timestamp, in, out);
            rc = rc || eddy_buf_printf(out, "\n") || schema_line(&s->out, out);
            break;
        }
        if (rc)
            return EDDY_ENOMEM;
        in = &s->out;
    }
    if (q->limit >= 0 && eddy_buf_printf(out, "LIMIT %d\n", q->limit))
        return EDDY_ENOMEM;
    return 0;
}
