/*
 * planner/query.c - SELECT analysis and the physical plan of a query.
 *
 * A query over one stream becomes a pipeline of steps, each with an output schema and
 * expressions over its input row (the previous step's output):
 *
 *   SOURCE   the source's columns (keys, values, headers as declared) + pseudo columns
 *            ROWTIME, ROWPARTITION, ROWOFFSET (+ WINDOWSTART, WINDOWEND when windowed);
 *   FILTER   WHERE (must be BOOLEAN);
 *   REKEY    PARTITION BY: the new key columns first, then every input column (old keys
 *            become values), as ksqlDB's PartitionByParamsFactory;
 *   FLATMAP  table functions of the SELECT list: input columns + one column per call;
 *   PROJECT  the SELECT list (for persistent queries in sink order: keys, then values);
 *   SINK     persistent queries only: the sink schema with roles, the output timestamp.
 *
 * Logical analysis follows ksqlDB (LogicalPlanner, FinalProjectNode, AstSanitizer):
 *   - `*` expands to the key columns then value and header columns; after PARTITION BY to
 *     the new key columns, the value columns not used as partitioning columns, then the old
 *     key columns not used as partitioning columns;
 *   - select items are named by their alias, a column reference by its name, a struct
 *     dereference by its field name, anything else KSQL_COL_<n> (n counting up, skipping
 *     indexes the source already uses);
 *   - a persistent query must select each key column (or partitioning expression) exactly
 *     once: a plain reference to a key column, or an expression equal to a partitioning
 *     expression, becomes a key column of the sink under its (alias) name;
 *   - reserved names (ROWTIME, ...) cannot be selected unaliased or used as aliases in a
 *     persistent query.
 *
 * A source over windowed keys (WINDOW_TYPE) adds WINDOWSTART and WINDOWEND to its row; a
 * query without aggregation writes the same windowed keys (its sink is windowed alike), so
 * it may not change the key (PARTITION BY anything but the key column: ksqlDB's "Implicit
 * repartitioning of windowed sources is not supported"), nor INSERT INTO a sink windowed
 * otherwise (ksqlDB's "Into can't change windowing"). Aggregating one always repartitions
 * (aggregate.c): the groups are not windowed unless WINDOW says so.
 *
 * A persistent query over a TABLE produces a TABLE: the engine materializes the source and
 * feeds the steps table changes (new and old row), see op_row in operators.h. Tables cannot be
 * repartitioned (PARTITION BY), flattened (table functions) or windowed; aggregating one needs
 * functions with undo (fn_agg_check_table). Transient queries over tables return
 * EDDY_EUNSUPPORTED for now. A JOIN (join.c) adds a JOIN step after SOURCE: the rest of the
 * pipeline reads the joined row, whose names resolve through pl_join.
 */
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "planner_int.h"

/* One item of the SELECT list after `*` expansion. */
typedef struct sel_item {
    const char *name;
    fn_expr *expr;              /* over the PROJECT input row */
    int key;                    /* index of the key column it provides, or -1 */
    bool aliased;
    uint32_t pos;
} sel_item;

typedef struct qstate {
    pl_ctx *c;
    pl_query_mode mode;
    const parser_query *q;
    const plan_source *src;
    plan_step steps[8];
    int nsteps;
    const plan_schema *source_schema;
    int nsynth;                 /* trailing KSQL_SYNTH_<i> columns of the FLATMAP output */
    /* PARTITION BY */
    bool rekeyed;
    int npart;
    const parser_expr **part;   /* the partitioning expressions */
    const char **part_names;
    /* PARTITION BY that changes the key of a windowed source (rejected once the query is
     * analysed, as ksqlDB does when it builds the repartition), and where */
    bool windowed_rekey;
    uint32_t windowed_rekey_pos;
    /* the schema the SELECT list is typed against */
    const plan_schema *in;
    pl_agg *agg;                /* GROUP BY: what SELECT is typed against, or NULL */
    int nkeys;                  /* key columns the sink must carry */
    const char **key_names;     /* for messages */
    sel_item *items;
    int nitems, cap;
    pl_join *join;              /* a JOIN (join.c), or NULL */
    pl_join join_names;
} qstate;

static plan_step *add_step(qstate *st, plan_step_kind kind)
{
    plan_step *s = &st->steps[st->nsteps];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->id = st->nsteps++;
    return s;
}

static const plan_schema *last_out(qstate *st)
{
    return &st->steps[st->nsteps - 1].out;
}

/* ---------------------------------------------------------------------------------------------
 * Generated column names (ksqlDB's ColumnNames.columnAliasGenerator)
 *
 * A name splits into a prefix and a number: "NAME_<digits>" is (NAME, digits), any other name
 * is (name, 0). Each prefix has a counter starting at 0 that skips the numbers the schema's
 * columns already use with that prefix. An expression gets KSQL_COL_<n>; a struct
 * dereference gets the prefix of its field name, unsuffixed for 0 and PREFIX_<n> otherwise
 * (so `A->B` next to a column B is B_1). One generator serves a whole SELECT list.
 * ------------------------------------------------------------------------------------------- */

typedef struct alias_gen {
    pl_ctx *c;
    const plan_schema *used;    /* names already taken */
    struct alias_prefix {
        const char *prefix;
        size_t len;
        int next;
        struct alias_prefix *link;
    } *prefixes;
} alias_gen;

/* Split 'name' as ksqlDB's NUMBERED_COLUMN_PATTERN: the prefix length and the number (0
 * without a suffix; -1 for a suffix too large for an int, which matches nothing). */
static size_t name_split(const char *name, int *num)
{
    size_t n = strlen(name), d = n;
    while (d > 0 && name[d - 1] >= '0' && name[d - 1] <= '9')
        d--;
    *num = 0;
    if (d == n || d == 0 || name[d - 1] != '_')
        return n;
    long long v = 0;
    for (size_t i = d; i < n && v <= INT32_MAX; i++)
        v = v * 10 + (name[i] - '0');
    *num = v <= INT32_MAX ? (int)v : -1;
    return d - 1;
}

static bool alias_used(const alias_gen *g, const char *prefix, size_t len, int idx)
{
    for (int i = 0; i < g->used->ncols; i++) {
        int num;
        size_t l = name_split(g->used->cols[i].name, &num);
        if (l == len && num == idx && strncmp(g->used->cols[i].name, prefix, len) == 0)
            return true;
    }
    return false;
}

static void alias_gen_init(alias_gen *g, pl_ctx *c, const plan_schema *used)
{
    g->c = c;
    g->used = used;
    g->prefixes = NULL;
}

static const char *alias_next(alias_gen *g, const char *prefix, size_t len)
{
    struct alias_prefix *p = g->prefixes;
    while (p && !(p->len == len && strncmp(p->prefix, prefix, len) == 0))
        p = p->link;
    if (!p) {
        if (!(p = eddy_arena_calloc(g->c->a, sizeof *p))) {
            pl_oom(g->c);
            return NULL;
        }
        p->prefix = prefix;
        p->len = len;
        p->link = g->prefixes;
        g->prefixes = p;
    }
    int idx;
    do
        idx = p->next++;
    while (alias_used(g, prefix, len, idx));
    bool ksql_col = len == 8 && strncmp(prefix, "KSQL_COL", 8) == 0;
    if (idx == 0 && !ksql_col)
        return pl_printf(g->c, "%.*s", (int)len, prefix);
    return pl_printf(g->c, "%.*s_%d", (int)len, prefix, idx);
}

/* The name ksqlDB gives an unaliased expression that is not a column reference. */
static const char *alias_for(alias_gen *g, const parser_expr *e)
{
    if (e->kind == PARSER_EXPR_DEREF) {
        int num;
        size_t len = name_split(e->deref.field, &num);
        return alias_next(g, e->deref.field, len);
    }
    return alias_next(g, "KSQL_COL", 8);
}

static void scope_init(qstate *st, pl_scope *s, const plan_schema *schema, const char *clause,
                       int *nslots)
{
    memset(s, 0, sizeof *s);
    s->schema = schema;
    s->source = st->q->from.name;
    s->alias = st->q->from.alias;
    s->clause = clause;
    s->join = st->join;
    *nslots = 0;
    s->nslots = nslots;
}

static int add_item(qstate *st, const char *name, fn_expr *e, int key, bool aliased,
                    uint32_t pos)
{
    if (st->nitems == st->cap) {
        int cap = st->cap ? st->cap * 2 : 16;
        sel_item *n = eddy_arena_alloc(st->c->a, sizeof *n * (size_t)cap);
        if (!n)
            return pl_oom(st->c);
        if (st->nitems)
            memcpy(n, st->items, sizeof *n * (size_t)st->nitems);
        st->items = n;
        st->cap = cap;
    }
    sel_item *it = &st->items[st->nitems++];
    it->name = name;
    it->expr = e;
    it->key = key;
    it->aliased = aliased;
    it->pos = pos;
    return name ? 0 : st->c->err->code;
}

static fn_expr *col_ref(pl_ctx *c, const plan_schema *s, int i, uint32_t pos)
{
    fn_expr *e = pl_node(c, FN_COLUMN, s->cols[i].type, pos, 0);
    if (e)
        e->u.index = i;
    return e;
}

/* ---------------------------------------------------------------------------------------------
 * Steps before the projection
 * ------------------------------------------------------------------------------------------- */

static int source_step(qstate *st)
{
    pl_ctx *c = st->c;
    const plan_source *src = st->src;
    plan_step *s = add_step(st, PLAN_STEP_SOURCE);
    bool windowed = src->window.kind != PLAN_WINDOW_NONE;
    int n = src->schema.ncols + 3 + (windowed ? 2 : 0);
    plan_column *cols = eddy_arena_calloc(c->a, sizeof *cols * (size_t)n);
    if (!cols)
        return pl_oom(c);
    memcpy(cols, src->schema.cols, sizeof *cols * (size_t)src->schema.ncols);
    int k = src->schema.ncols;
    cols[k++] = (plan_column){"ROWTIME", EDDY_TYPE_BIGINT, PLAN_COL_PSEUDO, NULL};
    cols[k++] = (plan_column){"ROWPARTITION", EDDY_TYPE_INT, PLAN_COL_PSEUDO, NULL};
    cols[k++] = (plan_column){"ROWOFFSET", EDDY_TYPE_BIGINT, PLAN_COL_PSEUDO, NULL};
    if (windowed) {
        cols[k++] = (plan_column){"WINDOWSTART", EDDY_TYPE_BIGINT, PLAN_COL_PSEUDO, NULL};
        cols[k++] = (plan_column){"WINDOWEND", EDDY_TYPE_BIGINT, PLAN_COL_PSEUDO, NULL};
    }
    s->out.ncols = n;
    s->out.cols = cols;
    st->source_schema = &s->out;
    if (src->timestamp_col >= 0)
        return pl_timestamp_expr_for(c, st->q->from.pos, &s->out, src->timestamp_col,
                                     src->timestamp_format, &s->timestamp);
    return 0;
}

static int where_step(qstate *st)
{
    pl_ctx *c = st->c;
    const parser_expr *w = st->q->where;
    plan_step *s = add_step(st, PLAN_STEP_FILTER);
    s->out = st->steps[s->id - 1].out;
    /* A windowed aggregation over an unwindowed source: its WHERE is typed against the
     * source, where ksqlDB's FilterTypeValidator finds no window bounds */
    const parser_expr *wb;
    if (st->q->window && st->src->window.kind == PLAN_WINDOW_NONE &&
        (wb = pl__window_bound_ref(w, false)))
        return pl_err_at(c, wb->pos, EDDY_ETYPE,
                         "Error in WHERE expression: Unknown column %s.", wb->col.name);
    pl_scope sc;
    scope_init(st, &sc, &s->out, "WHERE", &s->nvars);
    fn_expr *e;
    int rc = pl_expr(c, &sc, w, &e);
    if (rc) {
        if (rc == EDDY_ETYPE && strncmp(c->err->msg, "Invalid Predicate", 17) != 0)
            pl_err_prefix(c, "Error in WHERE expression: ");
        return rc;
    }
    if (e->type->kind != EDDY_T_BOOLEAN)
        return pl_err_at(c, w->pos, EDDY_ETYPE,
                         "Type error in WHERE expression: Should evaluate to boolean but is %s "
                         "(%s) instead.", pl_ast_str(c, w),
                         e->type->kind == EDDY_T_NULL ? "NULL" : pl_type_str(c, e->type));
    s->predicate = e;
    return 0;
}

static bool contains_map(const eddy_type *t)
{
    if (t->kind == EDDY_T_MAP)
        return true;
    if (t->kind == EDDY_T_ARRAY)
        return contains_map(t->elem);
    if (t->kind == EDDY_T_STRUCT)
        for (uint32_t i = 0; i < t->nfields; i++)
            if (contains_map(t->fields[i].type))
                return true;
    return false;
}

static int rekey_step(qstate *st)
{
    pl_ctx *c = st->c;
    const parser_expr_list *pb = &st->q->partition_by;
    int n = (int)pb->n;
    bool null_key = false;
    for (int i = 0; i < n; i++) {
        if (pb->items[i]->kind == PARSER_EXPR_NULL)
            null_key = true;
        for (int j = 0; j < i; j++)
            if (pl_ast_equal(pb->items[i], pb->items[j]))
                return pl_err_at(c, pb->items[i]->pos, EDDY_ETYPE,
                                 "Duplicate PARTITION BY expression: %s",
                                 pl_ast_str(c, pb->items[i]));
    }
    if (null_key && n > 1)
        return pl_err_at(c, pb->items[0]->pos, EDDY_ETYPE,
                         "Cannot PARTITION BY multiple columns including NULL");
    int nk = null_key ? 0 : n;
    const plan_schema *in = last_out(st);
    plan_step *s = add_step(st, PLAN_STEP_REKEY);
    plan_column *cols = eddy_arena_calloc(c->a, sizeof *cols * (size_t)(nk + in->ncols));
    s->exprs = eddy_arena_calloc(c->a, sizeof *s->exprs * (size_t)(nk + in->ncols));
    st->part = eddy_arena_calloc(c->a, sizeof *st->part * (size_t)(nk + 1));
    st->part_names = eddy_arena_calloc(c->a, sizeof *st->part_names * (size_t)(nk + 1));
    if (!cols || !s->exprs || !st->part || !st->part_names)
        return pl_oom(c);
    pl_scope sc;
    scope_init(st, &sc, in, "PARTITION BY", &s->nvars);
    /* ksqlDB's PartitionByParamsFactory: a column keeps its name (a pseudo column too), any
     * other expression is named against the source's processing schema */
    alias_gen gen;
    alias_gen_init(&gen, c, st->source_schema);
    for (int i = 0; i < nk; i++) {
        const parser_expr *pe = pb->items[i];
        if (pl_ast_find_calls(pe, pl_is_aggregate_name, NULL, 0))
            return pl_err_at(c, pe->pos, EDDY_ETYPE,
                             "PARTITION BY expressions cannot contain aggregate functions");
        fn_expr *e;
        int rc = pl_expr(c, &sc, pe, &e);
        if (rc)
            return rc;
        const char *name;
        if (pe->kind == PARSER_EXPR_COLUMN && e->kind == FN_COLUMN)
            name = in->cols[e->u.index].name;
        else
            name = alias_for(&gen, pe);
        if (!name)
            return c->err->code;
        if (contains_map(e->type)) {
            const char *m = pl_printf(c,
                "Map keys, including types that contain maps, are not supported as they may "
                "lead to unexpected behavior due to inconsistent serialization. Key column "
                "name: `%s`. Column type: %s. See https://github.com/confluentinc/ksql/issues/"
                "6621 for more.", name, pl_type_str(c, e->type));
            const char *sh = pl_printf(c,
                "Map keys, including types that contain maps, are not supported. Key column "
                "name: `%s`. Column type: %s. See https://github.com/confluentinc/ksql/issues/"
                "6621 for more.", name, pl_type_str(c, e->type));
            if (!m || !sh)
                return c->err->code;
            return pl_err_long(c, pe->pos, EDDY_ETYPE, m, sh);
        }
        cols[i] = (plan_column){name, e->type, PLAN_COL_KEY, NULL};
        s->exprs[i] = e;
        st->part[i] = pe;
        st->part_names[i] = pl_ast_str(c, pe);
    }
    for (int i = 0; i < in->ncols; i++) {
        cols[nk + i] = in->cols[i];
        if (cols[nk + i].role == PLAN_COL_KEY)
            cols[nk + i].role = PLAN_COL_VALUE;
        if (!(s->exprs[nk + i] = col_ref(c, in, i, st->q->pos)))
            return c->err->code;
    }
    if (st->src->window.kind != PLAN_WINDOW_NONE) {
        /* ksqlDB's Repartitioning.repartitionNeeded: only PARTITION BY the one key column
         * keeps the key (and its window) as it is */
        int nsrckeys = 0;
        for (int i = 0; i < in->ncols; i++)
            nsrckeys += in->cols[i].role == PLAN_COL_KEY;
        bool same = nk == 1 && nsrckeys == 1 && pb->items[0]->kind == PARSER_EXPR_COLUMN &&
                    s->exprs[0]->kind == FN_COLUMN &&
                    in->cols[s->exprs[0]->u.index].role == PLAN_COL_KEY;
        st->windowed_rekey = !same;
        st->windowed_rekey_pos = pb->items[0]->pos;
    }
    s->nexprs = nk + in->ncols;
    s->out.ncols = nk + in->ncols;
    s->out.cols = cols;
    st->rekeyed = true;
    st->npart = nk;
    return 0;
}

static bool is_table_fn_name(const char *name)
{
    return pl_table_fn(name) != NULL;
}

/* Table function calls in the SELECT list become a FLATMAP step. */
static int flatmap_step(qstate *st, pl_tfn **tfns, int *ntfns)
{
    pl_ctx *c = st->c;
    const parser_query *q = st->q;
    const parser_expr *found[32];
    int n = 0;
    for (size_t i = 0; i < q->nitems; i++) {
        const parser_select_item *it = &q->items[i];
        if (it->kind == PARSER_SELECT_ALL)
            continue;
        int k = pl_ast_find_calls(it->expr, is_table_fn_name, found + n, 32 - n);
        if (n + k > 32)
            return pl_err_at(c, it->pos, EDDY_EUNSUPPORTED, "Too many table functions");
        n += k;
    }
    *ntfns = n;
    if (n == 0)
        return 0;
    const plan_schema *in = last_out(st);
    plan_step *s = add_step(st, PLAN_STEP_FLATMAP);
    plan_column *cols = eddy_arena_calloc(c->a, sizeof *cols * (size_t)(in->ncols + n));
    s->exprs = eddy_arena_calloc(c->a, sizeof *s->exprs * (size_t)in->ncols);
    s->tfns = eddy_arena_calloc(c->a, sizeof *s->tfns * (size_t)n);
    *tfns = eddy_arena_calloc(c->a, sizeof **tfns * (size_t)n);
    if (!cols || (in->ncols && !s->exprs) || !s->tfns || !*tfns)
        return pl_oom(c);
    pl_scope sc;
    scope_init(st, &sc, in, "SELECT", &s->nvars);
    for (int i = 0; i < in->ncols; i++) {
        cols[i] = in->cols[i];
        if (!(s->exprs[i] = col_ref(c, in, i, q->pos)))
            return c->err->code;
    }
    s->nexprs = in->ncols;
    for (int i = 0; i < n; i++) {
        int rc = pl_table_call(c, &sc, found[i], &s->tfns[i]);
        if (rc)
            return rc;
        const char *name = pl_printf(c, "KSQL_SYNTH_%d", i);
        if (!name)
            return c->err->code;
        cols[in->ncols + i] = (plan_column){name, s->tfns[i]->type, PLAN_COL_VALUE, NULL};
        (*tfns)[i].ast = found[i];
        (*tfns)[i].col = in->ncols + i;
    }
    s->ntfns = n;
    st->nsynth = n;
    s->out.ncols = in->ncols + n;
    s->out.cols = cols;
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * SELECT list
 * ------------------------------------------------------------------------------------------- */

/* In a join, do column references 'a' and 'b' (equal but for qualifiers) name different
 * columns of the joined row? */
static bool join_other_side(qstate *st, const parser_expr *a, const parser_expr *b)
{
    if (!st->join || a->kind != PARSER_EXPR_COLUMN || b->kind != PARSER_EXPR_COLUMN)
        return false;
    const plan_schema *jo = NULL;
    for (int i = 0; i < st->nsteps; i++)
        if (st->steps[i].kind == PLAN_STEP_JOIN)
            jo = &st->steps[i].out;
    if (!jo)
        return false;
    return pl__join_find(st->join, jo, a->col.qualifier, a->col.name) !=
           pl__join_find(st->join, jo, b->col.qualifier, b->col.name);
}

/* Which key of the sink does the item provide? */
static int item_key(qstate *st, pl_scope *sc, const parser_expr *ast)
{
    if (st->rekeyed) {
        for (int j = 0; j < st->npart; j++)
            if (pl_ast_equal(ast, st->part[j]) && !join_other_side(st, ast, st->part[j]))
                return j;
    }
    if (ast->kind != PARSER_EXPR_COLUMN)
        return -1;
    int idx = pl_scope_find(sc, ast->col.qualifier, ast->col.name);
    if (st->join && !st->rekeyed && idx >= 0 && idx == st->join->right_key)
        return -2;  /* the right join column: the key when the left one is not selected */
    if (idx < 0 || st->in->cols[idx].role != PLAN_COL_KEY)
        return -1;
    int k = 0;
    for (int i = 0; i < idx; i++)
        if (st->in->cols[i].role == PLAN_COL_KEY)
            k++;
    return k;
}

static bool is_partition_column(qstate *st, const char *name)
{
    for (int j = 0; j < st->npart; j++)
        if (st->part[j]->kind == PARSER_EXPR_COLUMN && strcmp(st->part[j]->col.name, name) == 0)
            return true;
    return false;
}

/* `*` over a join: every key, value and header column of both sides (or of the side that
 * qualifies it), under its joined name <SIDE>_<NAME>. */
static int join_expand_star(qstate *st, const parser_select_item *it)
{
    pl_ctx *c = st->c;
    const pl_join *j = st->join;
    const plan_schema *in = st->in;
    int side = -1;
    if (it->qualifier) {
        for (int k = 0; k < 2 && side < 0; k++)
            if (strcmp(it->qualifier, j->src[k]) == 0 ||
                (j->alias[k] && strcmp(it->qualifier, j->alias[k]) == 0))
                side = k;
        if (side < 0)
            return pl_err_at(c, it->pos, EDDY_ENOTFOUND,
                             "'%s' is not a valid stream/table name or alias.", it->qualifier);
    }
    /* each side: its value (and header) columns, then its key columns, as ksqlDB's join
     * schema; a synthetic key only for an unqualified `*` */
    for (int pass = 0; pass < 4; pass++) {
        int s = pass / 2;
        bool keys = pass % 2;
        if (side >= 0 && s != side)
            continue;
        int from = s ? j->left_ncols : 0, to = s ? in->ncols : j->left_ncols;
        for (int i = from; i < to; i++) {
            if (in->cols[i].role == PLAN_COL_PSEUDO || (i == j->synthetic && side >= 0))
                continue;
            bool is_key = j->side_key[i] || i == j->synthetic;
            if (is_key != keys)
                continue;
            fn_expr *e = col_ref(c, in, i, it->pos);
            int key = in->cols[i].role == PLAN_COL_KEY ? 0 : i == j->right_key ? -2 : -1;
            if (!e || add_item(st, in->cols[i].name, e, key, false, it->pos))
                return c->err->code;
        }
    }
    return 0;
}

static int expand_star(qstate *st, const parser_select_item *it)
{
    pl_ctx *c = st->c;
    const plan_schema *in = st->in;
    if (st->join)
        return join_expand_star(st, it);
    if (it->qualifier && strcmp(it->qualifier, st->q->from.name) != 0 &&
        !(st->q->from.alias && strcmp(it->qualifier, st->q->from.alias) == 0))
        return pl_err_at(c, it->pos, EDDY_ENOTFOUND,
                         "'%s' is not a valid stream/table name or alias.", it->qualifier);
    int rc;
    if (st->agg) {
        /* every source column is a GROUP BY column here (aggregate.c checked): the keys */
        const plan_schema *src = &st->src->schema;
        for (int i = 0; i < src->ncols; i++)
            for (int j = 0; j < st->agg->ngroup; j++) {
                const parser_expr *g = st->agg->group[j];
                if (g->kind != PARSER_EXPR_COLUMN || strcmp(g->col.name, src->cols[i].name))
                    continue;
                fn_expr *e = col_ref(c, in, j, it->pos);
                if (!e || (rc = add_item(st, src->cols[i].name, e, j, false, it->pos)))
                    return c->err->code;
            }
        return 0;
    }
    /* keys */
    int k = 0;
    for (int i = 0; i < in->ncols; i++) {
        if (in->cols[i].role != PLAN_COL_KEY)
            continue;
        fn_expr *e = col_ref(c, in, i, it->pos);
        if (!e || (rc = add_item(st, in->cols[i].name, e, k++, false, it->pos)))
            return c->err->code;
    }
    if (!st->rekeyed) {
        /* not the table functions' results (KSQL_SYNTH_<i>): they are not source columns */
        for (int i = 0; i < in->ncols - st->nsynth; i++) {
            plan_col_role r = in->cols[i].role;
            if (r == PLAN_COL_KEY || r == PLAN_COL_PSEUDO)
                continue;
            fn_expr *e = col_ref(c, in, i, it->pos);
            if (!e || (rc = add_item(st, in->cols[i].name, e, -1, false, it->pos)))
                return c->err->code;
        }
        return 0;
    }
    /* after PARTITION BY: values not partitioned by, then old keys not partitioned by */
    const plan_schema *src = &st->src->schema;
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < src->ncols; i++) {
            bool old_key = src->cols[i].role == PLAN_COL_KEY;
            if (old_key != (pass == 1) || is_partition_column(st, src->cols[i].name))
                continue;
            int idx = st->npart + i;   /* REKEY passes the input row through after the keys */
            fn_expr *e = col_ref(c, in, idx, it->pos);
            if (!e || (rc = add_item(st, src->cols[i].name, e, -1, false, it->pos)))
                return c->err->code;
        }
    }
    return 0;
}

static int select_items(qstate *st, const pl_tfn *tfns, int ntfns, int *nslots)
{
    pl_ctx *c = st->c;
    const parser_query *q = st->q;
    pl_scope sc;
    scope_init(st, &sc, st->in, "SELECT", nslots);
    if (st->agg) {
        sc.nsubst = st->agg->nsubst;
        sc.subst_ast = st->agg->subst_ast;
        sc.subst_col = st->agg->subst_col;
    }
    sc.tfns = tfns;
    sc.ntfns = ntfns;
    /* ksqlDB's AstSanitizer: one generator over the source's declared columns */
    alias_gen gen;
    alias_gen_init(&gen, c, &st->src->schema);
    int rc;
    for (size_t i = 0; i < q->nitems; i++) {
        const parser_select_item *it = &q->items[i];
        if (it->kind == PARSER_SELECT_ALL) {
            if ((rc = expand_star(st, it)))
                return rc;
            continue;
        }
        fn_expr *e;
        if ((rc = pl_expr(c, &sc, it->expr, &e)))
            return rc;
        if (it->kind == PARSER_SELECT_STRUCT_ALL) {
            if (e->type->kind != EDDY_T_STRUCT)
                return pl_err_at(c, it->pos, EDDY_ETYPE,
                                 "Can't dereference a non-STRUCT expression: %s (%s)",
                                 pl_ast_str(c, it->expr), pl_type_str(c, e->type));
            for (uint32_t f = 0; f < e->type->nfields; f++) {
                fn_expr *fe = pl_node(c, FN_FIELD, e->type->fields[f].type, it->pos, 1);
                if (!fe)
                    return c->err->code;
                fe->args[0] = e;
                fe->u.index = (int)f;
                if ((rc = add_item(st, e->type->fields[f].name, fe, -1, false, it->pos)))
                    return rc;
            }
            continue;
        }
        const char *name = it->alias;
        if (!name && it->expr->kind == PARSER_EXPR_COLUMN)
            name = st->join ? pl__join_item_name(c, st->join, st->in, it->expr)
                            : it->expr->col.name;
        else if (!name && !(name = alias_for(&gen, it->expr)))
            return c->err->code;
        int key = item_key(st, &sc, it->expr);
        if ((rc = add_item(st, name, e, key, it->alias != NULL, it->pos)))
            return rc;
        if (st->mode != PL_Q_TRANSIENT && pl_is_reserved_column(name)) {
            if (it->alias)
                return pl_err_at(c, it->pos, EDDY_ETYPE,
                                 "`%s` is a reserved column name. You cannot use it as an alias "
                                 "for a column.", name);
            return pl_err_at(c, it->pos, EDDY_ETYPE,
                             "Reserved column name in select: `%s`. Please remove or alias the "
                             "column.", name);
        }
    }
    return 0;
}

/* A join's right join column provides the key when the left one is not selected. */
static void join_key_items(qstate *st)
{
    bool left = false;
    for (int i = 0; i < st->nitems; i++)
        left = left || st->items[i].key == 0;
    int keycol = -1;
    for (int i = 0; i < st->in->ncols && keycol < 0; i++)
        if (st->in->cols[i].role == PLAN_COL_KEY)
            keycol = i;
    for (int i = 0; i < st->nitems; i++)
        if (st->items[i].key == -2) {
            st->items[i].key = left ? -1 : 0;
            /* as the key it reads the join key (its own column may be NULL in outer joins) */
            if (!left && keycol >= 0 && st->items[i].expr->kind == FN_COLUMN)
                st->items[i].expr->u.index = keycol;
            left = true;
        }
}

/* The key rules of a persistent query: every key once (checked first), at least one value
 * column (ksqlDB's FinalProjectNode and LogicalPlanner.buildAggregateSchema: "The projection
 * contains no value columns."). Every key present is check_keys_present. */
static int check_keys(qstate *st)
{
    pl_ctx *c = st->c;
    for (int k = 0; k < st->nkeys; k++) {
        int first = -1;
        for (int i = 0; i < st->nitems; i++) {
            if (st->items[i].key != k)
                continue;
            if (first >= 0 && st->agg)
                return pl_err_at(c, st->items[i].pos, EDDY_ETYPE,
                                 "The projection contains a key column more than once: `%s` and "
                                 "`%s`.", st->items[first].name, st->items[i].name);
            if (first >= 0)
                return pl_err_at(c, st->items[i].pos, EDDY_ETYPE,
                                 "The projection contains a key column (`%s`) more than once, "
                                 "aliased as: %s and %s.", st->key_names[k],
                                 st->items[first].name, st->items[i].name);
            first = i;
        }
    }
    int nvalues = 0;
    for (int i = 0; i < st->nitems; i++)
        nvalues += st->items[i].key < 0;
    if (nvalues == 0)
        return pl_err_at(c, st->q->pos, EDDY_ETYPE, "The projection contains no value columns.");
    return 0;
}

/* Every key of the sink selected (ksqlDB's validateKeyPresent, which runs once the output
 * node is built, so after the sink's TIMESTAMP column is validated). */
static int check_keys_present(qstate *st, const char *sink_name)
{
    pl_ctx *c = st->c;
    /* PlanNode.throwKeysNotIncludedError: a GROUP BY names the missing grouping expressions
     * (unqualified), a PARTITION BY all partitioning expressions (qualified by the source, as
     * ksqlDB keeps them before its rewrite), otherwise all key columns */
    const char *names[64];
    int n = 0, missing = 0;
    for (int k = 0; k < st->nkeys; k++) {
        bool found = false;
        for (int i = 0; i < st->nitems && !found; i++)
            found = st->items[i].key == k;
        missing += !found;
        if ((found && st->agg) || n == 64)
            continue;
        const char *qual = st->q->from.alias ? st->q->from.alias : st->q->from.name;
        names[n++] = st->agg       ? pl_ast_str_qualified(c, st->part[k], "")
                     : st->rekeyed ? pl_ast_str_qualified(c, st->part[k], qual)
                                   : st->key_names[k];
    }
    if (!missing)
        return 0;
    eddy_buf joined, comma;
    eddy_buf_init(&joined);
    eddy_buf_init(&comma);
    int rc = 0;
    if (st->join) {
        eddy_buf_free(&joined);
        eddy_buf_free(&comma);
        return pl_err_at(c, st->q->pos, EDDY_ETYPE,
                         "Key missing from projection (ie, SELECT). \nThe query used to build "
                         "`%s` must include the join expressions %s in its projection (eg, "
                         "SELECT %s...).", sink_name, st->join->key_texts,
                         st->join->first_key_text);
    }
    for (int i = 0; i < n && rc == 0; i++)   /* GrammaticalJoiner.and(), then .comma() */
        rc = eddy_buf_printf(&joined, "%s%s", i == 0 ? "" : i == n - 1 ? " and " : ", ",
                             names[i]) ||
             eddy_buf_printf(&comma, "%s%s", i ? ", " : "", names[i]);
    if (rc == 0 && eddy_buf_cstr(&joined) && eddy_buf_cstr(&comma)) {
        const char *what = st->agg       ? "grouping expression"
                           : st->rekeyed ? "partitioning expression"
                                         : "key column";
        rc = pl_err_at(c, st->q->pos, EDDY_ETYPE,
                       "Key%s missing from projection (ie, SELECT). \nThe query used to build "
                       "`%s` must include the %s%s %s in its projection (eg, SELECT %s...).",
                       n > 1 ? "s" : "", sink_name, what, n > 1 ? "s" : "",
                       (const char *)joined.data, (const char *)comma.data);
    } else {
        rc = pl_oom(c);
    }
    eddy_buf_free(&joined);
    eddy_buf_free(&comma);
    return rc;
}

/* The sink's key format where ksqlDB does not simply inherit the source's (its Analyzer and
 * LogicalPlanner): PARTITION BY NULL leaves no key, so the format is NONE (an explicit other
 * format is an error); an inherited NONE with key columns in the result takes the default
 * key format (ksql.persistence.default.format.key, else KAFKA). */
static int sink_key_format(qstate *st, const pl_with *w, bool key_explicit, int nkeys,
                           serde_format *kf)
{
    pl_ctx *c = st->c;
    if (st->rekeyed && st->npart == 0) {
        if (key_explicit && kf->kind != SERDE_NONE)
            return pl_err_at(c, w->pos, EDDY_ETYPE,
                             "Key format specified for stream without key columns.");
        return pl_format_parse(c, w->pos, "NONE", kf);
    }
    if (!key_explicit && kf->kind == SERDE_NONE && nkeys > 0) {
        const char *d = pl_property(c, "ksql.persistence.default.format.key");
        return pl_format_parse(c, w->pos, d ? d : "KAFKA", kf);
    }
    return 0;
}

/* Index in 's' of its key column number 'key', or -1. */
static int key_col_index(const plan_schema *s, int key)
{
    for (int i = 0; i < s->ncols; i++)
        if (s->cols[i].role == PLAN_COL_KEY && key-- == 0)
            return i;
    return -1;
}

/* PROJECT (and the sink schema) from the items: keys in key order, then values. */
static int project_step(qstate *st, int nslots, bool persistent)
{
    pl_ctx *c = st->c;
    plan_step *s = add_step(st, PLAN_STEP_PROJECT);
    s->nvars = nslots;
    int n = st->nitems;
    plan_column *cols = eddy_arena_calloc(c->a, sizeof *cols * (size_t)(n + 1));
    s->exprs = eddy_arena_calloc(c->a, sizeof *s->exprs * (size_t)(n + 1));
    if (!cols || !s->exprs)
        return pl_oom(c);
    int k = 0;
    if (persistent) {
        for (int key = 0; key < st->nkeys; key++)
            for (int i = 0; i < n; i++)
                if (st->items[i].key == key) {
                    cols[k] = (plan_column){st->items[i].name, st->items[i].expr->type,
                                            PLAN_COL_KEY, NULL};
                    s->exprs[k] = st->items[i].expr;
                    /* After PARTITION BY the item repeats a partitioning expression: take
                     * the key it computed (as ksqlDB, which keeps the key as it is; so a
                     * null-value row keeps its new key). */
                    if (st->rekeyed && s->exprs[k]->kind != FN_COLUMN) {
                        int idx = key_col_index(st->in, key);
                        if (idx >= 0 && !(s->exprs[k] = col_ref(c, st->in, idx,
                                                                st->items[i].pos)))
                            return c->err->code;
                    }
                    k++;
                }
        for (int i = 0; i < n; i++)
            if (st->items[i].key < 0) {
                cols[k] = (plan_column){st->items[i].name, st->items[i].expr->type,
                                        PLAN_COL_VALUE, NULL};
                s->exprs[k++] = st->items[i].expr;
            }
    } else {
        for (int i = 0; i < n; i++) {
            cols[k] = (plan_column){st->items[i].name, st->items[i].expr->type,
                                    st->items[i].key >= 0 ? PLAN_COL_KEY : PLAN_COL_VALUE,
                                    NULL};
            s->exprs[k++] = st->items[i].expr;
        }
    }
    for (int i = 0; i < k; i++) {
        if (cols[i].type->kind == EDDY_T_NULL)
            cols[i].type = EDDY_TYPE_STRING;
        for (int j = 0; j < i && persistent; j++)
            if (strcmp(cols[i].name, cols[j].name) == 0)
                return pl_err_at(c, st->q->pos, EDDY_ETYPE,
                                 "Duplicate %s columns found in schema: `%s` %s",
                                 cols[i].role == PLAN_COL_KEY ? "key" : "value", cols[i].name,
                                 pl_type_str(c, cols[i].type));
    }
    s->nexprs = k;
    s->out.ncols = k;
    s->out.cols = cols;
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Sinks
 * ------------------------------------------------------------------------------------------- */

static int schema_text(pl_ctx *c, const plan_schema *s, eddy_buf *out)
{
    bool first = true;
    for (int i = 0; i < s->ncols; i++) {
        const plan_column *col = &s->cols[i];
        if (col->role != PLAN_COL_KEY && col->role != PLAN_COL_VALUE)
            continue;
        if ((!first && eddy_buf_printf(out, ", ")) || eddy_buf_printf(out, "`%s` ", col->name) ||
            eddy_type_format(col->type, out) ||
            (col->role == PLAN_COL_KEY && eddy_buf_printf(out, " KEY")))
            return pl_oom(c);
        first = false;
    }
    return eddy_buf_cstr(out) ? 0 : pl_oom(c);
}

static int check_insert_schema(qstate *st, const plan_schema *result, const plan_source *target)
{
    pl_ctx *c = st->c;
    const plan_schema *ts = &target->schema;
    int j = 0;
    bool ok = true;
    for (int pass = 0; pass < 2 && ok; pass++) {
        plan_col_role role = pass == 0 ? PLAN_COL_KEY : PLAN_COL_VALUE;
        int i = 0;
        for (;;) {
            while (i < result->ncols && result->cols[i].role != role)
                i++;
            while (j < ts->ncols && ts->cols[j].role != role)
                j++;
            if (i >= result->ncols || j >= ts->ncols) {
                ok = i >= result->ncols && j >= ts->ncols;
                j = 0;
                break;
            }
            if (strcmp(result->cols[i].name, ts->cols[j].name) != 0 ||
                !eddy_type_equal(result->cols[i].type, ts->cols[j].type)) {
                ok = false;
                break;
            }
            i++;
            j++;
        }
    }
    if (ok)
        return 0;
    eddy_buf a, b;
    eddy_buf_init(&a);
    eddy_buf_init(&b);
    int rc = schema_text(c, result, &a);
    if (!rc)
        rc = schema_text(c, ts, &b);
    if (!rc) {
        char *full = pl_printf(c, "Incompatible schema between results and sink.\nResult schema "
                               "is %s\nSink schema is %s", (char *)a.data, (char *)b.data);
        rc = full ? pl_err_long(c, st->q->pos, EDDY_ETYPE, full,
                                "Incompatible schema between results and sink.")
                  : c->err->code;
    }
    eddy_buf_free(&a);
    eddy_buf_free(&b);
    return rc;
}

static int topic_partitions(pl_ctx *c, const char *topic)
{
    if (!c->cat || !c->cat->topic_partitions)
        return -1;
    return c->cat->topic_partitions(c->cat->ctx, topic);
}

static int sink_step(qstate *st, const plan_schema *proj, const pl_with *w, fn_expr **ts,
                     int *ts_col)
{
    plan_step *s = add_step(st, PLAN_STEP_SINK);
    s->out = *proj;
    *ts_col = -1;
    if (!w)
        return 0;
    int rc = pl_timestamp_expr(st->c, w, &s->out, ts_col, ts);
    s->timestamp = *ts;
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Entry
 * ------------------------------------------------------------------------------------------- */

/* ksqlDB's Analyzer TableFunctionVisitor over one SELECT item: table functions may not nest,
 * be used with aggregations, or follow a searched CASE of the item. */
typedef struct tf_walk {
    pl_ctx *c;
    bool grouped;
    const char *outer;          /* the table function being walked, or NULL */
    const parser_expr *cased;   /* a searched CASE already seen in this item */
} tf_walk;

static int tf_visit(const parser_expr *e, void *ctx)
{
    tf_walk *w = ctx;
    if (e->kind == PARSER_EXPR_CASE && !e->case_.operand && !w->cased)
        w->cased = e;
    if (e->kind != PARSER_EXPR_CALL || !fn_table_find(e->call.name))
        return 0;
    if (w->outer)
        return pl_err_at(w->c, e->pos, EDDY_ETYPE, "Table functions cannot be nested: %s(%s())",
                         w->outer, e->call.name);
    if (w->grouped)
        return pl_err_at(w->c, e->pos, EDDY_ETYPE,
                         "Table functions cannot be used with aggregations.");
    if (w->cased)
        return pl_err_at(w->c, e->pos, EDDY_ETYPE, "Table functions cannot be used in CASE: %s",
                         pl_ast_str(w->c, w->cased));
    w->outer = e->call.name;
    int rc = 0;
    for (size_t i = 0; i < e->call.args.n && rc == 0; i++)
        rc = pl_ast_walk(e->call.args.items[i], tf_visit, w);
    w->outer = NULL;
    return rc ? rc : 1;
}

/* ksqlDB's Analyzer.checkForReservedToken, run on every SELECT item (with the name
 * AstSanitizer gives it) before anything is resolved: a system column name (ROWTIME, ...,
 * any case) may not name a column, except that a transient query may select the column
 * itself. */
static int check_reserved_names(pl_ctx *c, const parser_query *q, bool persistent)
{
    static const char *const SYSTEM[] = {"ROWTIME", "ROWPARTITION", "ROWOFFSET", "WINDOWSTART",
                                         "WINDOWEND"};
    for (size_t i = 0; i < q->nitems; i++) {
        const parser_select_item *it = &q->items[i];
        if (it->kind != PARSER_SELECT_EXPR || !it->expr)
            continue;
        const parser_expr *e = it->expr;
        /* in a join a qualified column whose name every source has (system columns do) is
         * named SOURCE_NAME (ColumnNames.generatedJoinColumnAlias): not a reserved name */
        if (!it->alias && q->njoins && e->kind == PARSER_EXPR_COLUMN && e->col.qualifier)
            continue;
        const char *alias = it->alias                         ? it->alias
                            : e->kind == PARSER_EXPR_COLUMN ? e->col.name
                            : e->kind == PARSER_EXPR_DEREF  ? e->deref.field
                                                            : NULL;
        if (!alias)
            continue;
        for (size_t k = 0; k < EDDY_ARRAY_LEN(SYSTEM); k++) {
            if (strcasecmp(alias, SYSTEM[k]) != 0)
                continue;
            /* expressionMatchesAlias: the expression's text after its first '.' */
            bool matches;
            if (e->kind == PARSER_EXPR_COLUMN) {
                matches = strcasecmp(e->col.name, alias) == 0;
            } else {
                const char *text = pl_ast_str(c, e);
                if (!text)
                    return c->err->code;
                const char *dot = strchr(text, '.');
                matches = strcasecmp(dot ? dot + 1 : text, alias) == 0;
            }
            if (!matches)
                return pl_err_at(c, it->pos, EDDY_ETYPE,
                                 "`%s` is a reserved column name. You cannot use it as an alias "
                                 "for a column.", SYSTEM[k]);
            if (persistent)
                return pl_err_at(c, it->pos, EDDY_ETYPE,
                                 "Reserved column name in select: `%s`. Please remove or alias "
                                 "the column.", SYSTEM[k]);
        }
    }
    return 0;
}

/* The Analyzer's pass over the SELECT list: per item, the reserved names, then the table
 * functions. */
static int analyze_select(pl_ctx *c, const parser_query *q, bool persistent)
{
    int rc = check_reserved_names(c, q, persistent);
    bool grouped = q->has_group_by;
    for (size_t i = 0; i < q->nitems && rc == 0; i++) {
        const parser_expr *e = q->items[i].expr;
        if (!e)
            continue;
        /* an aggregate call without GROUP BY makes a dummy one (addDummyGroupbyForUdafs) */
        grouped = grouped || pl_ast_find_calls(e, pl_is_aggregate_name, NULL, 0) > 0;
        tf_walk w = {c, grouped, NULL, NULL};
        rc = pl_ast_walk(e, tf_visit, &w);
    }
    return rc;
}

/* ksqlDB's AggregateAnalyzer walks SELECT, WHERE, GROUP BY and HAVING (in that order,
 * each expression in pre-order) before it enforces the aggregate rules: an unknown function
 * fails there ("Can't find any functions with the name ..."), and so does a window bound
 * column of a windowed aggregation anywhere but outside aggregate calls in SELECT. */
typedef struct agg_walk {
    pl_ctx *c;
    bool windowed;
    bool select;            /* walking a SELECT item */
    int in_agg;             /* inside an aggregate call's arguments */
} agg_walk;

static bool known_function(const char *name)
{
    return fn_scalar_find(name) || fn_table_find(name) || pl_is_aggregate_name(name) ||
           strcasecmp(name, "AS_VALUE") == 0;
}

static int agg_visit(const parser_expr *e, void *ctx)
{
    agg_walk *w = ctx;
    if (e->kind == PARSER_EXPR_CALL) {
        if (!known_function(e->call.name))
            return pl_err_at(w->c, e->pos, EDDY_ENOTFOUND,
                             "Can't find any functions with the name '%s'", e->call.name);
        if (!pl_is_aggregate_name(e->call.name))
            return 0;
        w->in_agg++;
        int rc = 0;
        for (size_t i = 0; i < e->call.args.n && rc == 0; i++)
            rc = pl_ast_walk(e->call.args.items[i], agg_visit, w);
        w->in_agg--;
        return rc ? rc : 1;
    }
    if (e->kind == PARSER_EXPR_COLUMN && w->windowed && (!w->select || w->in_agg) &&
        (strcmp(e->col.name, "WINDOWSTART") == 0 || strcmp(e->col.name, "WINDOWEND") == 0))
        return pl_err_at(w->c, e->pos, EDDY_ETYPE,
                         "Window bounds column %s can only be used in the SELECT clause of "
                         "windowed aggregations and can not be passed to aggregate functions."
                         "\nSee https://github.com/confluentinc/ksql/issues/4397",
                         e->col.name);
    return 0;
}

static int agg_analyze(pl_ctx *c, const parser_query *q)
{
    agg_walk w = {c, q->window != NULL, true, 0};
    int rc = 0;
    for (size_t i = 0; i < q->nitems && rc == 0; i++)
        if (q->items[i].expr)
            rc = pl_ast_walk(q->items[i].expr, agg_visit, &w);
    w.select = false;
    if (rc == 0)
        rc = pl_ast_walk(q->where, agg_visit, &w);
    for (size_t i = 0; i < q->group_by.n && rc == 0; i++)
        rc = pl_ast_walk(q->group_by.items[i], agg_visit, &w);
    if (rc == 0)
        rc = pl_ast_walk(q->having, agg_visit, &w);
    return rc;   /* an error code (negative) or 0 */
}

static int unsupported_parts(pl_ctx *c, const parser_query *q)
{
    if (q->njoins && pl__query_aggregates(q))
        return pl_err_at(c, q->joins[0].pos, EDDY_EUNSUPPORTED,
                         "JOIN with aggregation is not supported yet");
    if (pl__query_aggregates(q))
        return 0;   /* aggregate.c checks the rest */
    if (q->window)
        return pl_err_at(c, q->window->pos, EDDY_EUNSUPPORTED,
                         "Windowed aggregation (WINDOW) is not supported yet");
    if (q->has_group_by)
        return pl_err_at(c, q->pos, EDDY_EUNSUPPORTED, "GROUP BY is not supported yet");
    if (q->having)
        return pl_err_at(c, q->having->pos, EDDY_EUNSUPPORTED, "HAVING is not supported yet");
    for (size_t i = 0; i < q->nitems; i++) {
        const parser_expr *agg;
        if (q->items[i].expr &&
            pl_ast_find_calls(q->items[i].expr, pl_is_aggregate_name, &agg, 1))
            return pl_err_at(c, agg->pos, EDDY_EUNSUPPORTED,
                             "Aggregate functions are not supported yet: %s", agg->call.name);
    }
    if (q->emit == PARSER_EMIT_FINAL)
        return pl_err_at(c, q->pos, EDDY_EUNSUPPORTED, "EMIT FINAL is not supported yet");
    return 0;
}

/* ksqlDB's AstSanitizer: "Source `X` does not exist.", located as it locates it (the
 * statement's start column, 1-based, plus the length of "INSERT INTO", printed plus one). */
static int unknown_insert_target(pl_ctx *c, const parser_stmt *stmt)
{
    int line = 0, col = 0;
    if (c->sql)
        parser_linecol(c->sql, c->sql_len, stmt->pos, &line, &col);
    eddy_buf name;
    eddy_buf_init(&name);
    int rc = pl_format_ident(stmt->insert.target, &name);
    if (rc || !eddy_buf_cstr(&name)) {
        eddy_buf_free(&name);
        return pl_oom(c);
    }
    /* ksqlDB prints a source name always back-quoted */
    const char *n = (const char *)name.data;
    bool quoted = n[0] == '`';
    if (line > 0)
        rc = pl_err_at(c, stmt->insert.target_pos, EDDY_ENOTFOUND,
                       "Line: %d, Col: %d: Source %s%s%s does not exist.", line,
                       col + (int)strlen("INSERT INTO") + 1, quoted ? "" : "`", n,
                       quoted ? "" : "`");
    else
        rc = pl_err_at(c, stmt->insert.target_pos, EDDY_ENOTFOUND,
                       "Source %s%s%s does not exist.", quoted ? "" : "`", n, quoted ? "" : "`");
    eddy_buf_free(&name);
    return rc;
}

/* ksqlDB's Analyzer rejects GROUP BY over a source whose values are in the KAFKA format (it
 * cannot back a repartition or changelog topic). The message is longer than an eddy_err holds
 * in full; then its first line is kept. */
static int kafka_group_by_error(pl_ctx *c, const parser_query *q)
{
    const char *alias = q->from.alias ? q->from.alias : q->from.name;
    char *full = pl_printf(
        c, "Source(s) %s are using the 'KAFKA' value format. This format does not yet support "
        "GROUP BY.\nThe KAFKA format is primarily intended for use as a key format. It can be "
        "used as a value format, but can not be used in any operation that requires a "
        "repartition or changelog topic.\nRemoving this limitation requires enhancements to "
        "the core of KSQL. This will come in a future release. Until then, avoid using the "
        "KAFKA format for values.\nIf you have an existing topic with KAFKA formatted values "
        "you can duplicate the data and serialize using Avro or JSON with a statement such "
        "as: \n\n'CREATE STREAM <new-stream-name> WITH(VALUE_FORMAT='Avro') AS SELECT * FROM "
        "<existing-kafka-formated-stream-name>;'\nFor more info see "
        "https://github.com/confluentinc/ksql/issues/3060", alias);
    char *first = pl_printf(c, "Source(s) %s are using the 'KAFKA' value format. This format "
                            "does not yet support GROUP BY.", alias);
    if (!full || !first)
        return c->err->code;
    return pl_err_long(c, q->pos, EDDY_ETYPE, full, first);
}

int pl_plan_query_stmt(pl_ctx *c, const parser_stmt *stmt, pl_query_mode mode, plan_stmt *ps)
{
    qstate st;
    memset(&st, 0, sizeof st);
    st.c = c;
    st.mode = mode;
    const parser_query *q = mode == PL_Q_CREATE_AS ? stmt->create.query
                            : mode == PL_Q_INSERT  ? stmt->insert.query
                                                   : stmt->query;
    st.q = q;
    int rc;
    const plan_source *target = NULL;
    if (mode == PL_Q_INSERT) {
        target = c->cat && c->cat->lookup ? c->cat->lookup(c->cat->ctx, stmt->insert.target)
                                          : NULL;
        if (!target)
            return unknown_insert_target(c, stmt);
        if (target->kind == PLAN_TABLE)
            return pl_err_at(c, stmt->insert.target_pos, EDDY_ETYPE,
                             "INSERT INTO can only be used to insert into a stream. %s is a "
                             "table.", target->name);
        for (int i = 0; i < target->schema.ncols; i++)
            if (target->schema.cols[i].role == PLAN_COL_HEADER ||
                target->schema.cols[i].role == PLAN_COL_HEADERS)
                return pl_err_at(c, stmt->insert.target_pos, EDDY_ETYPE,
                                 "Cannot insert into %s because it has header columns",
                                 target->name);
    }
    st.src = c->cat && c->cat->lookup ? c->cat->lookup(c->cat->ctx, q->from.name) : NULL;
    /* the Analyzer checks the names before anything is planned (joins included) */
    if (st.src && (rc = analyze_select(c, q, mode != PL_Q_TRANSIENT)))
        return rc;
    if ((rc = unsupported_parts(c, q)))
        return rc;
    if (!st.src) {
        /* DataSourceExtractor */
        const char *hint = pl_source_hint(c, q->from.name, -1);
        return hint ? pl_err_at(c, q->from.pos, EDDY_ENOTFOUND, "%s does not exist.%s",
                                q->from.name, hint)
                    : c->err->code;
    }
    bool table_src = st.src->kind == PLAN_TABLE;
    if (table_src && mode == PL_Q_TRANSIENT)
        return pl_err_at(c, q->from.pos, EDDY_EUNSUPPORTED,
                         "Queries on tables are not supported yet: %s", st.src->name);
    if (table_src && st.src->window.kind != PLAN_WINDOW_NONE)
        return pl_err_at(c, q->from.pos, EDDY_ETYPE,
                         "KSQL does not support persistent queries on windowed tables.");
    /* LogicalPlanner: a WINDOW without GROUP BY (nor aggregate calls, which imply one) */
    if (q->window && !q->has_group_by) {
        bool calls = false;
        for (size_t i = 0; i < q->nitems && !calls; i++)
            calls = q->items[i].expr &&
                    pl_ast_find_calls(q->items[i].expr, pl_is_aggregate_name, NULL, 0) > 0;
        if (!calls)
            return pl_err_at(c, q->window->pos, EDDY_ETYPE,
                             "WINDOW clause requires a GROUP BY clause.");
    }
    bool aggregating = pl__query_aggregates(q);
    /* ksqlDB's Analyzer: before any typing (table functions: analyze_select) */
    if (q->has_group_by && st.src->value_format.kind == SERDE_KAFKA)
        return kafka_group_by_error(c, q);
    plan_source_kind result_kind = aggregating || table_src ? PLAN_TABLE : PLAN_STREAM;
    if (mode == PL_Q_CREATE_AS && result_kind == PLAN_TABLE &&
        stmt->create.source != PARSER_SOURCE_TABLE)
        return pl_err_at(c, stmt->pos, EDDY_ETYPE,
                         "Invalid result type. Your SELECT query produces a TABLE. Please use "
                         "CREATE TABLE AS SELECT statement instead.");
    if (mode == PL_Q_INSERT && aggregating)
        return pl_err_at(c, stmt->pos, EDDY_ETYPE,
                         "INSERT INTO can only be used to insert into a stream. %s is a table.",
                         target->name);
    if (mode == PL_Q_INSERT && table_src)
        return pl_err_at(c, stmt->pos, EDDY_ETYPE,
                         "Incompatible data sink and query result. Data sink (%s) type is STREAM "
                         "but select query result is TABLE.", target->name);
    if (table_src && q->has_partition_by)
        return pl_err_at(c, q->partition_by.items[0]->pos, EDDY_ETYPE,
                         "Cannot repartition a TABLE source. If this is a join, make sure that "
                         "the criteria uses the TABLE's key column instead.");
    if (table_src && q->window)
        return pl_err_at(c, q->window->pos, EDDY_EUNSUPPORTED,
                         "Windowed aggregation of a TABLE is not supported");
    if (mode == PL_Q_CREATE_AS && result_kind == PLAN_STREAM &&
        stmt->create.source == PARSER_SOURCE_TABLE)
        return pl_err_at(c, stmt->pos, EDDY_ETYPE,
                         "Invalid result type. Your SELECT query produces a STREAM. Please use "
                         "CREATE STREAM AS SELECT statement instead.");
    pl_with w;
    bool have_with = false;
    if (mode == PL_Q_CREATE_AS || mode == PL_Q_INSERT) {
        const parser_props *props = mode == PL_Q_CREATE_AS ? &stmt->create.with
                                                           : &stmt->insert.with;
        if ((rc = pl_with_parse(c, props, true, &w)))
            return rc;
        if (!w.pos)
            w.pos = stmt->pos;
        have_with = true;
    }
    serde_format kf, vf;
    bool key_explicit = false;
    if (mode == PL_Q_CREATE_AS &&
        (rc = pl_with_formats(c, &w, &st.src->key_format, &st.src->value_format, &kf, &vf,
                              &key_explicit)))
        return rc;
    if (mode == PL_Q_CREATE_AS && (rc = pl__check_create_target(c, stmt, result_kind)))
        return rc;

    if ((rc = source_step(&st)))
        return rc;
    if (q->njoins) {
        if ((rc = pl__join_step(c, q, st.src, st.steps, &st.nsteps, &st.join_names)))
            return rc;
        st.join = &st.join_names;
    }
    if (q->where && (rc = where_step(&st)))
        return rc;
    if (q->has_partition_by && (rc = rekey_step(&st)))
        return rc;
    pl_agg agg;
    memset(&agg, 0, sizeof agg);
    if (aggregating) {
        const char *what = mode == PL_Q_CREATE_AS ? "CREATE TABLE AS SELECT"
                           : mode == PL_Q_INSERT  ? "INSERT INTO"
                                                  : "SELECT";
        if (q->has_partition_by)
            return pl_err_at(c, q->pos, EDDY_ETYPE,
                             "PARTITION BY and GROUP BY in the same query is not supported");
        if ((rc = agg_analyze(c, q)) ||
            (rc = pl__agg_steps(c, q, what, st.src, st.steps, &st.nsteps, &agg)))
            return rc;
        const plan_step *as = &st.steps[st.nsteps - 1];
        if (table_src && fn_agg_check_table(as->aggs, as->naggs, c->err)) {
            eddy_err e = *c->err;
            eddy_err_clear(c->err);
            return pl_err_at(c, q->pos, e.code, "%s", e.msg);
        }
        st.agg = &agg;
        st.rekeyed = true;
        st.npart = agg.ngroup;
        st.part = agg.group;
        st.part_names = agg.group_names;
    }
    pl_tfn *tfns = NULL;
    int ntfns = 0;
    if ((rc = flatmap_step(&st, &tfns, &ntfns)))
        return rc;
    if (table_src && ntfns)
        return pl_err_at(c, q->pos, EDDY_ETYPE,
                         "Table source is not supported with table functions");
    st.in = last_out(&st);
    /* keys the sink must carry */
    st.key_names = eddy_arena_calloc(c->a, sizeof *st.key_names * (size_t)(st.in->ncols + 1));
    if (!st.key_names)
        return pl_oom(c);
    for (int i = 0; i < st.in->ncols; i++)
        if (st.in->cols[i].role == PLAN_COL_KEY)
            st.key_names[st.nkeys++] = st.in->cols[i].name;
    int nslots = 0;
    if ((rc = select_items(&st, tfns, ntfns, &nslots)))
        return rc;
    if (st.join)
        join_key_items(&st);
    /* ksqlDB's SelectionUtil.buildProjectionSchema: a value without a type (a bare NULL) */
    for (int i = 0; i < st.nitems; i++)
        if (st.items[i].key < 0 && st.items[i].expr->type->kind == EDDY_T_NULL)
            return pl_err_at(c, st.items[i].pos, EDDY_ETYPE,
                             "Can't infer a type of null. Please explicitly cast it to a "
                             "required type, e.g. CAST(null AS VARCHAR).");
    const char *sink_name = mode == PL_Q_CREATE_AS ? stmt->create.name
                            : mode == PL_Q_INSERT  ? stmt->insert.target : NULL;
    bool persistent = mode != PL_Q_TRANSIENT;
    if (persistent && (rc = check_keys(&st)))
        return rc;
    if ((rc = project_step(&st, nslots, persistent)))
        return rc;
    const plan_schema *proj = last_out(&st);
    if (persistent) {
        /* LogicalPlanner.buildOutputNode validates the TIMESTAMP column against the result
         * before the output node checks the keys */
        if (have_with && w.timestamp) {
            fn_expr *ts;
            int tscol;
            if ((rc = pl_timestamp_expr(c, &w, proj, &tscol, &ts)))
                return rc;
        }
        if ((rc = check_keys_present(&st, sink_name)))
            return rc;
    }
    if (st.windowed_rekey)
        return pl_err_at(c, st.windowed_rekey_pos, EDDY_ETYPE,
                         "Implicit repartitioning of windowed sources is not supported. See "
                         "https://github.com/confluentinc/ksql/issues/4385.");
    /* ksqlDB meets this building the aggregation step, before the sink's formats */
    for (int i = 0; i < st.nsteps; i++)
        if (st.steps[i].kind == PLAN_STEP_AGGREGATE &&
            (rc = pl__check_agg_state_format(c, q->pos, &st.steps[i], &st.src->value_format)))
            return rc;

    plan_query *pq = eddy_arena_calloc(c->a, sizeof *pq);
    if (!pq)
        return pl_oom(c);
    pq->source = st.src;
    pq->limit = q->has_limit ? q->limit : -1;

    if (mode == PL_Q_CREATE_AS) {
        int nvals = 0, nkeys = 0;
        for (int i = 0; i < proj->ncols; i++) {
            nvals += proj->cols[i].role == PLAN_COL_VALUE;
            nkeys += proj->cols[i].role == PLAN_COL_KEY;
        }
        if ((rc = sink_key_format(&st, &w, key_explicit, nkeys, &kf)))
            return rc;
        if ((rc = pl_with_wrap(c, &w, nvals, &vf)))
            return rc;
        if ((rc = pl__check_schema_formats(c, stmt->pos, proj, &kf, &vf, key_explicit)))
            return rc;
        plan_source *ns = eddy_arena_calloc(c->a, sizeof *ns);
        if (!ns)
            return pl_oom(c);
        ns->name = stmt->create.name;
        ns->kind = result_kind;
        if (w.kafka_topic) {
            ns->topic = w.kafka_topic;
        } else {
            const char *prefix = pl_property(c, "ksql.output.topic.name.prefix");
            ns->topic = pl_printf(c, "%s%s", prefix ? prefix : "", ns->name);
            if (!ns->topic)
                return c->err->code;
        }
        ns->key_format = kf;
        ns->value_format = vf;
        ns->schema = *proj;
        ns->timestamp_format = w.timestamp_format;
        ns->window = st.src->window;
        if (aggregating)
            for (int i = 0; i < st.nsteps; i++)
                if (st.steps[i].kind == PLAN_STEP_AGGREGATE)
                    ns->window = st.steps[i].window;
        ns->sql = stmt->text;
        fn_expr *ts = NULL;
        if ((rc = sink_step(&st, proj, &w, &ts, &ns->timestamp_col)))
            return rc;
        int parts = w.partitions > 0 ? w.partitions : topic_partitions(c, st.src->topic);
        if (parts <= 0)
            parts = 1;
        pq->sink.topic = ns->topic;
        pq->sink.partitions = parts;
        pq->sink.key_format = kf;
        pq->sink.value_format = vf;
        ps->kind = PLAN_CREATE_AS;
        ps->source = ns;
        ps->name = ns->name;
        ps->or_replace = stmt->create.or_replace;
        ps->if_not_exists = stmt->create.if_not_exists;
        ps->create_partitions = topic_partitions(c, ns->topic) >= 0 ? 0 : parts;
    } else if (mode == PL_Q_INSERT) {
        if ((rc = check_insert_schema(&st, proj, target)))
            return rc;
        /* The sink writes the source's windowed keys as they are: the target's keys must be
         * windowed the same way (ksqlDB's SchemaKStream.into compares the WindowInfo). */
        const plan_window *sw = &st.src->window, *tw = &target->window;
        bool time_win = sw->kind == PLAN_WINDOW_TUMBLING || sw->kind == PLAN_WINDOW_HOPPING;
        if (sw->kind != tw->kind || (time_win && sw->size_ms != tw->size_ms))
            return pl_err_at(c, stmt->insert.target_pos, EDDY_ETYPE,
                             "Into can't change windowing");
        /* ksqlDB checks this when it executes the planned query */
        if (target->is_source)
            return pl_err_at(c, stmt->insert.target_pos, EDDY_ETYPE,
                             "Cannot insert into read-only %s: %s",
                             target->kind == PLAN_TABLE ? "table" : "stream", target->name);
        fn_expr *ts = NULL;
        int tscol;
        if ((rc = sink_step(&st, proj, have_with && w.timestamp ? &w : NULL, &ts, &tscol)))
            return rc;
        int parts = topic_partitions(c, target->topic);
        pq->sink.topic = target->topic;
        pq->sink.partitions = parts > 0 ? parts : 1;
        pq->sink.key_format = target->key_format;
        pq->sink.value_format = target->value_format;
        ps->kind = PLAN_INSERT_INTO;
        ps->source = (plan_source *)target;
        ps->name = target->name;
    } else {
        ps->kind = PLAN_QUERY;
    }
    pq->nsteps = st.nsteps;
    pq->steps = eddy_arena_memdup(c->a, st.steps, sizeof st.steps[0] * (size_t)st.nsteps);
    if (!pq->steps)
        return pl_oom(c);
    ps->query = pq;
    return 0;
}
