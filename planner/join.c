/*
 * planner/join.c - JOIN clauses: the JOIN step, name resolution over the joined row.
 *
 * As ksqlDB's JoinNode, the joined row holds every column of both sides (keys, values,
 * headers, pseudo columns), each named <SIDE>_<NAME> where SIDE is the source's alias, else
 * its name. A qualified reference S.X resolves to S_X; an unqualified X to the side that has
 * it ("Column 'X' is ambiguous. Could be S.X or T.X." when both do). An unaliased SELECT item
 * S.X is named X unless both sides have an X, then S_X.
 *
 * Implemented: one stream-table join (INNER, LEFT [OUTER]) on the stream's key column equal
 * to the table's primary key, the two topics co-partitioned. Anything else fails with
 * ksqlDB's message where it rejects the statement, or "... is not supported yet".
 */
#include <stdio.h>
#include <string.h>

#include "planner_int.h"

static int side_of(const pl_join *j, const char *qualifier)
{
    for (int k = 0; k < 2; k++)
        if (strcmp(qualifier, j->src[k]) == 0 || (j->alias[k] && strcmp(qualifier, j->alias[k]) == 0))
            return k;
    return -1;
}

static int find_in_side(const pl_join *j, const plan_schema *s, int side, const char *name)
{
    size_t pl = strlen(j->prefix[side]);
    int from = side == 0 ? 0 : j->left_ncols, to = side == 0 ? j->left_ncols : s->ncols;
    for (int i = from; i < to; i++) {
        const char *n = s->cols[i].name;
        if (strncmp(n, j->prefix[side], pl) == 0 && n[pl] == '_' && strcmp(n + pl + 1, name) == 0)
            return i;
    }
    return -1;
}

int pl__join_find(const pl_join *j, const plan_schema *s, const char *qualifier,
                  const char *name)
{
    if (qualifier) {
        int side = side_of(j, qualifier);
        if (side < 0)
            return -2;
        return find_in_side(j, s, side, name);
    }
    int l = find_in_side(j, s, 0, name), r = find_in_side(j, s, 1, name);
    if (l >= 0 && r >= 0)
        return -3;
    return l >= 0 ? l : r;
}

const char *pl__join_item_name(pl_ctx *c, const pl_join *j, const plan_schema *s,
                               const parser_expr *col)
{
    const char *name = col->col.name;
    int l = find_in_side(j, s, 0, name), r = find_in_side(j, s, 1, name);
    if (l < 0 || r < 0)
        return name;
    int side = col->col.qualifier ? side_of(j, col->col.qualifier) : 0;
    return pl_printf(c, "%s_%s", j->prefix[side < 0 ? 0 : side], name);
}

static const char *join_words(parser_join_type t)
{
    switch (t) {
    case PARSER_JOIN_LEFT: return "LEFT [OUTER] JOIN";
    case PARSER_JOIN_RIGHT: return "RIGHT [OUTER] JOIN";
    case PARSER_JOIN_FULL: return "[FULL] OUTER JOIN";
    default: return "[INNER] JOIN";
    }
}

/* Copy 'n' columns of 'from' into 'to', named <prefix>_<name>; keys become values unless
 * 'keep_keys'. */
static int prefixed(pl_ctx *c, const plan_column *from, int n, const char *prefix,
                    bool keep_keys, plan_column *to)
{
    for (int i = 0; i < n; i++) {
        to[i] = from[i];
        if (!(to[i].name = pl_printf(c, "%s_%s", prefix, from[i].name)))
            return c->err->code;
        if (to[i].role == PLAN_COL_KEY && !keep_keys)
            to[i].role = PLAN_COL_VALUE;
    }
    return 0;
}

static int kafka_value_check(pl_ctx *c, const parser_query *q, const plan_source *l,
                             const plan_source *r, const pl_join *j)
{
    bool lk = l->value_format.kind == SERDE_KAFKA, rk = r->value_format.kind == SERDE_KAFKA;
    if (!lk && !rk)
        return 0;
    return pl_err_at(c, q->pos, EDDY_ETYPE,
                     "Source(s) %s%s%s are using the 'KAFKA' value format. This format does not "
                     "yet support JOIN.", lk ? j->prefix[0] : "", lk && rk ? ", " : "",
                     rk ? j->prefix[1] : "");
}

int pl__join_step(pl_ctx *c, const parser_query *q, const plan_source *left, plan_step *steps,
                  int *nsteps, pl_join *j)
{
    const parser_join *jn = &q->joins[0];
    if (q->njoins > 1)
        return pl_err_at(c, q->joins[1].pos, EDDY_EUNSUPPORTED,
                         "Joins of more than two sources are not supported yet");
    const plan_source *right =
        c->cat && c->cat->lookup ? c->cat->lookup(c->cat->ctx, jn->source.name) : NULL;
    if (!right)
        return pl_err_at(c, jn->source.pos, EDDY_ENOTFOUND, "%s does not exist.",
                         jn->source.name);
    memset(j, 0, sizeof *j);
    j->src[0] = q->from.name;
    j->alias[0] = q->from.alias;
    j->prefix[0] = q->from.alias ? q->from.alias : q->from.name;
    j->src[1] = jn->source.name;
    j->alias[1] = jn->source.alias;
    j->prefix[1] = jn->source.alias ? jn->source.alias : jn->source.name;
    if (left->kind == PLAN_TABLE && right->kind == PLAN_STREAM)
        return pl_err_at(c, jn->pos, EDDY_ETYPE,
                         "Invalid join order: table-stream joins are not supported; only "
                         "stream-table joins. Got %s %s %s.", j->prefix[0], join_words(jn->type),
                         j->prefix[1]);
    if (left->kind == PLAN_STREAM && right->kind == PLAN_STREAM)
        return pl_err_at(c, jn->pos, EDDY_EUNSUPPORTED,
                         "Stream-stream joins are not supported yet");
    if (left->kind == PLAN_TABLE)
        return pl_err_at(c, jn->pos, EDDY_EUNSUPPORTED, "Table-table joins are not supported yet");
    if (jn->type == PARSER_JOIN_FULL)
        return pl_err_at(c, jn->pos, EDDY_ETYPE,
                         "Invalid join type: full-outer join not supported for stream-table "
                         "join. Got %s %s %s.", j->prefix[0], join_words(jn->type), j->prefix[1]);
    if (jn->type == PARSER_JOIN_RIGHT)
        return pl_err_at(c, jn->pos, EDDY_ETYPE,
                         "Invalid join type: right join not supported for stream-table join. "
                         "Got %s %s %s.", j->prefix[0], join_words(jn->type), j->prefix[1]);
    if (jn->has_within)
        return pl_err_at(c, jn->pos, EDDY_ETYPE,
                         "A window definition was provided for a Stream-Table join. These joins "
                         "are not windowed. Please drop the window definition (i.e. the WITHIN "
                         "clause) and try to execute your join again.");
    if (left->window.kind != PLAN_WINDOW_NONE || right->window.kind != PLAN_WINDOW_NONE)
        return pl_err_at(c, jn->pos, EDDY_EUNSUPPORTED,
                         "Joins of windowed sources are not supported yet");
    if (strcmp(j->prefix[0], j->prefix[1]) == 0 || strcmp(left->topic, right->topic) == 0)
        return pl_err_at(c, jn->pos, EDDY_EUNSUPPORTED,
                         "Joining a source with itself under the same name is not supported");
    int rc = kafka_value_check(c, q, left, right, j);
    if (rc)
        return rc;

    /* the joined row */
    const plan_schema *lrow = &steps[*nsteps - 1].out;
    plan_step *s = &steps[*nsteps];
    memset(s, 0, sizeof *s);
    s->kind = PLAN_STEP_JOIN;
    s->id = (*nsteps)++;
    s->join_type = jn->type == PARSER_JOIN_LEFT ? PLAN_JOIN_LEFT : PLAN_JOIN_INNER;
    s->join_right = right;
    int rn = right->schema.ncols + 3;
    plan_column *rcols = eddy_arena_calloc(c->a, sizeof *rcols * (size_t)rn);
    plan_column *cols = eddy_arena_calloc(c->a, sizeof *cols * (size_t)(lrow->ncols + rn));
    if (!rcols || !cols)
        return pl_oom(c);
    memcpy(rcols, right->schema.cols, sizeof *rcols * (size_t)right->schema.ncols);
    int k = right->schema.ncols;
    rcols[k++] = (plan_column){"ROWTIME", EDDY_TYPE_BIGINT, PLAN_COL_PSEUDO, NULL};
    rcols[k++] = (plan_column){"ROWPARTITION", EDDY_TYPE_INT, PLAN_COL_PSEUDO, NULL};
    rcols[k++] = (plan_column){"ROWOFFSET", EDDY_TYPE_BIGINT, PLAN_COL_PSEUDO, NULL};
    s->join_right_row.ncols = rn;
    s->join_right_row.cols = rcols;
    if (right->timestamp_col >= 0 &&
        (rc = pl_timestamp_expr_for(c, jn->source.pos, &s->join_right_row, right->timestamp_col,
                                    right->timestamp_format, &s->join_right_timestamp)))
        return rc;
    if ((rc = prefixed(c, lrow->cols, lrow->ncols, j->prefix[0], true, cols)) ||
        (rc = prefixed(c, rcols, rn, j->prefix[1], false, cols + lrow->ncols)))
        return rc;
    s->out.ncols = lrow->ncols + rn;
    s->out.cols = cols;
    j->left_ncols = lrow->ncols;

    /* ON: left column = right column */
    const parser_expr *on = jn->on;
    if (on->kind == PARSER_EXPR_BINARY && on->binary.op == PARSER_OP_AND)
        return pl_err_at(c, on->pos, EDDY_ETYPE,
                         "Invalid join condition: joins on multiple conditions are not yet "
                         "supported. Got %s.", pl_ast_str(c, on));
    if (on->kind != PARSER_EXPR_BINARY || on->binary.op != PARSER_OP_EQ)
        return pl_err_at(c, on->pos, EDDY_EUNSUPPORTED,
                         "Unsupported join expression: %s", pl_ast_str(c, on));
    pl_scope sc;
    memset(&sc, 0, sizeof sc);
    int nslots = 0;
    sc.schema = &s->out;
    sc.clause = "JOIN ON";
    sc.nslots = &nslots;
    sc.join = j;
    fn_expr *le, *re;
    if ((rc = pl_expr(c, &sc, on->binary.left, &le)) ||
        (rc = pl_expr(c, &sc, on->binary.right, &re)))
        return rc;
    if (on->binary.left->kind != PARSER_EXPR_COLUMN ||
        on->binary.right->kind != PARSER_EXPR_COLUMN || le->kind != FN_COLUMN ||
        re->kind != FN_COLUMN)
        return pl_err_at(c, on->pos, EDDY_EUNSUPPORTED,
                         "Joins on expressions other than columns are not supported yet");
    int a = le->u.index, b = re->u.index;
    bool a_left = a < j->left_ncols, b_left = b < j->left_ncols;
    if (a_left == b_left)
        return pl_err_at(c, on->pos, EDDY_EUNSUPPORTED,
                         "Invalid join condition: each side must reference one source. Got %s.",
                         pl_ast_str(c, on));
    int li = a_left ? a : b, ri = a_left ? b : a;
    const fn_expr *lx = a_left ? le : re, *rx = a_left ? re : le;
    (void)lx;
    (void)rx;
    int rkeys = 0;
    for (int i = 0; i < right->schema.ncols; i++)
        rkeys += right->schema.cols[i].role == PLAN_COL_KEY;
    if (s->out.cols[ri].role != PLAN_COL_VALUE || ri - j->left_ncols >= right->schema.ncols ||
        right->schema.cols[ri - j->left_ncols].role != PLAN_COL_KEY || rkeys != 1)
        return pl_err_at(c, on->pos, EDDY_ETYPE,
                         "Invalid join condition: stream-table joins require to join on the "
                         "table's primary key. Got %s = %s.", pl_ast_str(c, on->binary.left),
                         pl_ast_str(c, on->binary.right));
    if (!eddy_type_equal(s->out.cols[li].type, s->out.cols[ri].type))
        return pl_err_at(c, on->pos, EDDY_ETYPE,
                         "Invalid join condition: types don't match. Got %s{%s} = %s{%s}.",
                         pl_ast_str(c, on->binary.left), pl_type_str(c, le->type),
                         pl_ast_str(c, on->binary.right), pl_type_str(c, re->type));
    int lkeys = 0;
    for (int i = 0; i < j->left_ncols; i++)
        lkeys += s->out.cols[i].role == PLAN_COL_KEY;
    if (s->out.cols[li].role != PLAN_COL_KEY || lkeys != 1)
        return pl_err_at(c, on->pos, EDDY_EUNSUPPORTED,
                         "Joining a stream on a column that is not its key is not supported yet");
    if (c->cat && c->cat->topic_partitions) {
        int lp = c->cat->topic_partitions(c->cat->ctx, left->topic);
        int rp = c->cat->topic_partitions(c->cat->ctx, right->topic);
        if (lp > 0 && rp > 0 && lp != rp)
            return pl_err_at(c, jn->pos, EDDY_ETYPE,
                             "Can't join `%s` with `%s` since the number of partitions don't "
                             "match. `%s` partitions = %d; `%s` partitions = %d. Please "
                             "repartition either one so that the number of partitions match.",
                             left->name, right->name, left->name, lp, right->name, rp);
    }
    s->join_left_col = li;
    j->right_key = ri;
    const char *lname = lrow->cols[li].name;
    const char *rname = rcols[ri - j->left_ncols].name;
    j->first_key_text = pl_printf(c, "%s.%s", j->prefix[0], lname);
    j->key_texts = pl_printf(c, "%s.%s or %s.%s", j->prefix[0], lname, j->prefix[1], rname);
    if (!j->first_key_text || !j->key_texts)
        return c->err->code;
    return 0;
}
