/*
 * planner/join.c - JOIN clauses: the JOIN step, name resolution over the joined row.
 *
 * As ksqlDB's JoinNode, the joined row holds every column of both sides (keys, values,
 * headers, pseudo columns), each named <SIDE>_<NAME> where SIDE is the source's alias, else
 * its name. A qualified reference S.X resolves to S_X; an unqualified X to the side that has
 * it ("Column 'X' is ambiguous. Could be S.X or T.X." when both do). An unaliased SELECT item
 * S.X is named X unless both sides have an X, then S_X.
 *
 * Implemented: one stream-table join (INNER, LEFT [OUTER]) of a stream expression with the
 * table's primary key. On the stream's key column the two topics must be co-partitioned;
 * on anything else the stream is repartitioned by the expression first (a REKEY step with
 * 'repartition' set: the engine writes it to an internal topic partitioned like the table
 * and runs the join in a second stage reading it). Anything else fails with ksqlDB's message
 * where it rejects the statement, or "... is not supported yet".
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
    if (l < 0 && r < 0 && j->synthetic >= 0 && strcmp(s->cols[j->synthetic].name, name) == 0)
        return j->synthetic;
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

/* The joined row: the left row's columns, then the right row's, prefixed. */
static int joined_schema(pl_ctx *c, pl_join *j, const plan_schema *lrow, const plan_column *rcols,
                         int rn, plan_schema *out)
{
    plan_column *cols = eddy_arena_calloc(c->a, sizeof *cols * (size_t)(lrow->ncols + rn));
    if (!cols)
        return pl_oom(c);
    int rc;
    if ((rc = prefixed(c, lrow->cols, lrow->ncols, j->prefix[0], true, cols)) ||
        (rc = prefixed(c, rcols, rn, j->prefix[1], false, cols + lrow->ncols)))
        return rc;
    out->ncols = lrow->ncols + rn;
    out->cols = cols;
    j->left_ncols = lrow->ncols;
    bool *keys = eddy_arena_calloc(c->a, sizeof *keys * (size_t)(out->ncols + 1));
    if (!keys)
        return pl_oom(c);
    for (int i = 0; i < lrow->ncols; i++)
        keys[i] = lrow->cols[i].role == PLAN_COL_KEY;
    for (int i = 0; i < rn; i++)
        keys[lrow->ncols + i] = rcols[i].role == PLAN_COL_KEY;
    j->side_key = keys;
    return 0;
}

/* Which side of the joined row does 'e' read: 0 left, 1 right, -1 both or none. */
static void sides_of(const fn_expr *e, int left_ncols, bool *l, bool *r)
{
    if (!e)
        return;
    if (e->kind == FN_COLUMN) {
        if (e->u.index < left_ncols)
            *l = true;
        else
            *r = true;
        return;
    }
    for (uint32_t i = 0; i < e->nargs; i++)
        sides_of(e->args[i], left_ncols, l, r);
}

static int expr_side(const fn_expr *e, int left_ncols)
{
    bool l = false, r = false;
    sides_of(e, left_ncols, &l, &r);
    return l == r ? -1 : l ? 0 : 1;
}

static int64_t dur_ms(const parser_duration *d)
{
    static const int64_t mult[] = {1, 1000, 60000, 3600000, 86400000};
    return d->value * mult[d->unit];
}

static bool has_column(const plan_source *s, const char *name)
{
    for (int i = 0; i < s->schema.ncols; i++)
        if (strcmp(s->schema.cols[i].name, name) == 0)
            return true;
    return false;
}

/* ksqlDB's synthetic join key: ROWKEY, else ROWKEY_<n> with the first n no source uses. */
static const char *synthetic_key_name(pl_ctx *c, const plan_source *l, const plan_source *r)
{
    const char *name = "ROWKEY";
    for (int n = 1; has_column(l, name) || has_column(r, name); n++)
        if (!(name = pl_printf(c, "ROWKEY_%d", n)))
            return NULL;
    return name;
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
    bool ss = left->kind == PLAN_STREAM && right->kind == PLAN_STREAM;
    if (ss && !jn->has_within)
        return pl_err_at(c, jn->pos, EDDY_ETYPE,
                         "Stream-Stream joins must have a WITHIN clause specified. None was "
                         "provided. To learn about how to specify a WITHIN clause with a "
                         "stream-stream join, please visit: https://docs.confluent.io/current/"
                         "ksql/docs/syntax-reference.html#create-stream-as-select");
    if (ss && jn->has_grace && jn->type != PARSER_JOIN_INNER)
        return pl_err_at(c, jn->pos, EDDY_EUNSUPPORTED,
                         "Outer stream-stream joins with GRACE PERIOD are not supported yet");
    bool tt = left->kind == PLAN_TABLE;
    j->synthetic = -1;
    if (tt && jn->has_within)
        return pl_err_at(c, jn->pos, EDDY_ETYPE,
                         "A window definition was provided for a Table-Table join. These joins "
                         "are not windowed. Please drop the window definition (i.e. the WITHIN "
                         "clause) and try to execute your join again.");
    if (tt || ss)
        ;
    else if (jn->type == PARSER_JOIN_FULL)
        return pl_err_at(c, jn->pos, EDDY_ETYPE,
                         "Invalid join type: full-outer join not supported for stream-table "
                         "join. Got %s %s %s.", j->prefix[0], join_words(jn->type), j->prefix[1]);
    else if (jn->type == PARSER_JOIN_RIGHT)
        return pl_err_at(c, jn->pos, EDDY_ETYPE,
                         "Invalid join type: right join not supported for stream-table join. "
                         "Got %s %s %s.", j->prefix[0], join_words(jn->type), j->prefix[1]);
    if (!ss && jn->has_within)
        return pl_err_at(c, jn->pos, EDDY_ETYPE,
                         "A window definition was provided for a Stream-Table join. These joins "
                         "are not windowed. Please drop the window definition (i.e. the WITHIN "
                         "clause) and try to execute your join again.");
    if (right->window.kind != PLAN_WINDOW_NONE)
        return pl_err_at(c, jn->pos, EDDY_EUNSUPPORTED,
                         "Joins of windowed sources are not supported yet");
    if (left->window.kind != PLAN_WINDOW_NONE)
        return pl_err_at(c, jn->pos, EDDY_EUNSUPPORTED,
                         "Joins of windowed sources are not supported yet");
    if (strcmp(j->prefix[0], j->prefix[1]) == 0 || strcmp(left->topic, right->topic) == 0)
        return pl_err_at(c, jn->pos, EDDY_EUNSUPPORTED,
                         "Self-joins (both sides over one topic) are not supported yet");
    int rc = kafka_value_check(c, q, left, right, j);
    if (rc)
        return rc;

    /* the joined row, first over the left SOURCE row to type the criteria */
    const plan_schema *lrow = &steps[*nsteps - 1].out;
    int rn = right->schema.ncols + 3;
    plan_column *rcols = eddy_arena_calloc(c->a, sizeof *rcols * (size_t)rn);
    if (!rcols)
        return pl_oom(c);
    memcpy(rcols, right->schema.cols, sizeof *rcols * (size_t)right->schema.ncols);
    int k = right->schema.ncols;
    rcols[k++] = (plan_column){"ROWTIME", EDDY_TYPE_BIGINT, PLAN_COL_PSEUDO, NULL};
    rcols[k++] = (plan_column){"ROWPARTITION", EDDY_TYPE_INT, PLAN_COL_PSEUDO, NULL};
    rcols[k++] = (plan_column){"ROWOFFSET", EDDY_TYPE_BIGINT, PLAN_COL_PSEUDO, NULL};
    plan_schema probe;
    if ((rc = joined_schema(c, j, lrow, rcols, rn, &probe)))
        return rc;

    /* ON: left expression = right column */
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
    sc.schema = &probe;
    sc.clause = "JOIN ON";
    sc.nslots = &nslots;
    sc.join = j;
    fn_expr *le, *re;
    if ((rc = pl_expr(c, &sc, on->binary.left, &le)) ||
        (rc = pl_expr(c, &sc, on->binary.right, &re)))
        return rc;
    int lside = expr_side(le, j->left_ncols), rside = expr_side(re, j->left_ncols);
    if (lside < 0 || rside < 0 || lside == rside)
        return pl_err_at(c, on->pos, EDDY_EUNSUPPORTED,
                         "Invalid join condition: each side must reference one source. Got %s.",
                         pl_ast_str(c, on));
    const parser_expr *last = lside == 0 ? on->binary.left : on->binary.right;
    const parser_expr *rast = lside == 0 ? on->binary.right : on->binary.left;
    fn_expr *lx = lside == 0 ? le : re, *rx = lside == 0 ? re : le;
    int rkeys = 0;
    for (int i = 0; i < right->schema.ncols; i++)
        rkeys += right->schema.cols[i].role == PLAN_COL_KEY;
    int ri = rx->kind == FN_COLUMN ? rx->u.index - j->left_ncols : -1;
    if (tt && (rast->kind != PARSER_EXPR_COLUMN || ri < 0 || ri >= right->schema.ncols ||
               right->schema.cols[ri].role != PLAN_COL_KEY || rkeys != 1))
        return pl_err_at(c, on->pos, EDDY_ETYPE,
                         "Invalid join condition: table-table joins require to join on the "
                         "primary key of the right input table. Got %s = %s.",
                         pl_ast_str(c, on->binary.left), pl_ast_str(c, on->binary.right));
    if (ss && (rast->kind != PARSER_EXPR_COLUMN || ri < 0 || ri >= right->schema.ncols ||
               right->schema.cols[ri].role != PLAN_COL_KEY || rkeys != 1))
        return pl_err_at(c, on->pos, EDDY_EUNSUPPORTED,
                         "Repartitioning the right stream of a join is not supported yet");
    if (rast->kind != PARSER_EXPR_COLUMN || ri < 0 || ri >= right->schema.ncols ||
        right->schema.cols[ri].role != PLAN_COL_KEY || rkeys != 1)
        return pl_err_at(c, on->pos, EDDY_ETYPE,
                         "Invalid join condition: stream-table joins require to join on the "
                         "table's primary key. Got %s = %s.", pl_ast_str(c, on->binary.left),
                         pl_ast_str(c, on->binary.right));
    if (!eddy_type_equal(lx->type, rx->type))
        return pl_err_at(c, on->pos, EDDY_ETYPE,
                         "Invalid join condition: types don't match. Got %s{%s} = %s{%s}.",
                         pl_ast_str(c, on->binary.left), pl_type_str(c, le->type),
                         pl_ast_str(c, on->binary.right), pl_type_str(c, re->type));
    int lkeys = 0;
    for (int i = 0; i < lrow->ncols; i++)
        lkeys += lrow->cols[i].role == PLAN_COL_KEY;
    bool lcol = last->kind == PARSER_EXPR_COLUMN && lx->kind == FN_COLUMN;
    bool on_key = lcol && lrow->cols[lx->u.index].role == PLAN_COL_KEY && lkeys == 1;
    if (tt && !on_key)
        return pl_err_at(c, on->pos, EDDY_EUNSUPPORTED,
                         "Foreign-key table-table joins are not supported yet");
    if (left->window.kind != PLAN_WINDOW_NONE && !on_key)
        return pl_err_at(c, jn->pos, EDDY_ETYPE,
                         "Implicit repartitioning of windowed sources is not supported. See "
                         "https://github.com/confluentinc/ksql/issues/4385.");
    int lp = -1, rp = -1;
    if (c->cat && c->cat->topic_partitions) {
        lp = c->cat->topic_partitions(c->cat->ctx, left->topic);
        rp = c->cat->topic_partitions(c->cat->ctx, right->topic);
    }
    if (on_key && lp > 0 && rp > 0 && lp != rp)
        return pl_err_at(c, jn->pos, EDDY_ETYPE,
                         "Can't join `%s` with `%s` since the number of partitions don't "
                         "match. `%s` partitions = %d; `%s` partitions = %d. Please "
                         "repartition either one so that the number of partitions match.",
                         left->name, right->name, left->name, lp, right->name, rp);
    const char *rname = rcols[ri].name;
    j->first_key_text = pl_ast_str(c, last);
    j->key_texts = pl_printf(c, "%s or %s.%s", j->first_key_text, j->prefix[1], rname);
    if (!j->first_key_text || !j->key_texts)
        return c->err->code;

    int left_col = on_key ? lx->u.index : 0;
    if (!on_key) {
        /* repartition the stream by the join expression: a REKEY step whose key is the
         * expression (named as the column it references, which leaves the value columns;
         * an expression gets a hidden key and the table's key names the result's key) */
        plan_step *rk = &steps[*nsteps];
        memset(rk, 0, sizeof *rk);
        rk->kind = PLAN_STEP_REKEY;
        rk->id = (*nsteps)++;
        rk->nkeys = 1;
        rk->repartition = true;
        rk->nvars = nslots;
        plan_column *cols = eddy_arena_calloc(c->a, sizeof *cols * (size_t)(lrow->ncols + 1));
        rk->exprs = eddy_arena_calloc(c->a, sizeof *rk->exprs * (size_t)(lrow->ncols + 1));
        if (!cols || !rk->exprs)
            return pl_oom(c);
        cols[0] = (plan_column){lcol ? lrow->cols[lx->u.index].name : "KSQL_JOIN_KEY", lx->type,
                                lcol ? PLAN_COL_KEY : PLAN_COL_PSEUDO, NULL};
        rk->exprs[0] = lx;
        int n = 1;
        for (int i = 0; i < lrow->ncols; i++) {
            if (lcol && i == lx->u.index)
                continue;
            cols[n] = lrow->cols[i];
            if (cols[n].role == PLAN_COL_KEY)
                cols[n].role = PLAN_COL_VALUE;
            fn_expr *e = pl_node(c, FN_COLUMN, lrow->cols[i].type, jn->pos, 0);
            if (!e)
                return c->err->code;
            e->u.index = i;
            rk->exprs[n++] = e;
        }
        rk->nexprs = n;
        rk->out.ncols = n;
        rk->out.cols = cols;
        lrow = &rk->out;
    }
    plan_step *s = &steps[*nsteps];
    memset(s, 0, sizeof *s);
    s->kind = PLAN_STEP_JOIN;
    s->id = (*nsteps)++;
    s->join_type = jn->type == PARSER_JOIN_LEFT    ? PLAN_JOIN_LEFT
                   : jn->type == PARSER_JOIN_RIGHT ? PLAN_JOIN_RIGHT
                   : jn->type == PARSER_JOIN_FULL  ? PLAN_JOIN_FULL
                                                   : PLAN_JOIN_INNER;
    s->join_right = right;
    s->join_right_row.ncols = rn;
    s->join_right_row.cols = rcols;
    s->join_left_col = left_col;
    if (right->timestamp_col >= 0 &&
        (rc = pl_timestamp_expr_for(c, jn->source.pos, &s->join_right_row, right->timestamp_col,
                                    right->timestamp_format, &s->join_right_timestamp)))
        return rc;
    if ((rc = joined_schema(c, j, lrow, rcols, rn, &s->out)))
        return rc;
    j->right_key = j->left_ncols + ri;
    s->join_key_col = left_col;
    s->join_before_ms = s->join_after_ms = s->join_grace_ms = -1;
    if (ss) {
        s->join_before_ms = dur_ms(&jn->before);
        s->join_after_ms = dur_ms(&jn->after);
        s->join_grace_ms = jn->has_grace ? dur_ms(&jn->grace) : -1;
    }
    if (!on_key && !lcol) {
        s->out.cols[j->right_key].role = PLAN_COL_KEY;
        s->join_key_col = j->right_key;
    }
    if (s->join_type == PLAN_JOIN_RIGHT) {
        /* the right key is the key; the left one may stand for it */
        s->out.cols[left_col].role = PLAN_COL_VALUE;
        s->out.cols[j->right_key].role = PLAN_COL_KEY;
        s->join_key_col = j->right_key;
        j->right_key = left_col;
    } else if (s->join_type == PLAN_JOIN_FULL) {
        /* neither side's key is always there: a synthetic ROWKEY column */
        plan_column *cols = eddy_arena_calloc(c->a, sizeof *cols * (size_t)(s->out.ncols + 1));
        if (!cols)
            return pl_oom(c);
        memcpy(cols, s->out.cols, sizeof *cols * (size_t)s->out.ncols);
        cols[left_col].role = PLAN_COL_VALUE;
        const char *kn = synthetic_key_name(c, left, right);
        if (!kn)
            return c->err->code;
        cols[s->out.ncols] = (plan_column){kn, lx->type, PLAN_COL_KEY, NULL};
        s->join_key_col = j->synthetic = s->out.ncols;
        s->out.cols = cols;
        s->out.ncols++;
        j->right_key = -1;
        j->first_key_text = kn;
        j->key_texts = kn;
    }
    return 0;
}
