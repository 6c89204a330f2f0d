/*
 * print.c - the AST printer: a compact S-expression per node, for tests and debugging.
 *
 * Shapes (names are printed normalised, as the AST holds them):
 *   literals   null  true  (int 5)  (bigint 5)  (dec 1.50 3 2)  (double 1500)  'it''s'
 *   columns    A  T.A           (-> base F)  ([] base index)
 *   operators  (+ a b)  (|| a b)  (= a b)  (and a b)  (- a)  (not a)
 *   predicates (is-null a) (is-not-null a) (distinct a b) (not-distinct a b)
 *              (between v lo hi) (not-between ..) (in v a b) (not-in ..) (like v p ['e'])
 *   others     (case [operand] (when c r).. [(else e)])  (cast x TYPE)  (array a b)
 *              (map (k v)..)  (struct (F v)..)  (call F args..)  (call COUNT *)
 *              (lambda (X Y) body)  (unit SECONDS)
 *   types      INT  VARCHAR(10)  DECIMAL(4,2)  ARRAY<T>  MAP<K,V>  STRUCT<A INT,B STRING>
 * Statements print as (kind ...) with their clauses; see parser_print_stmt().
 */
#include <stdio.h>

#include "parser_int.h"

#define P(...)                                                                                 \
    do {                                                                                       \
        if (eddy_buf_printf(out, __VA_ARGS__) != 0)                                            \
            return EDDY_ENOMEM;                                                                \
    } while (0)
#define SUB(call)                                                                              \
    do {                                                                                       \
        if ((call) != 0)                                                                       \
            return EDDY_ENOMEM;                                                                \
    } while (0)

static const char *op_name(parser_op op)
{
    static const char *const names[] = {"+", "-", "*", "/", "%", "||", "=", "<>", "<", "<=", ">",
                                        ">=", "and", "or", "-", "+", "not"};
    return (unsigned)op < EDDY_ARRAY_LEN(names) ? names[op] : "?";
}

static int print_string(const char *s, size_t n, eddy_buf *out)
{
    P("'");
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\'')
            P("''");
        else
            SUB(eddy_buf_append(out, s + i, 1));
    }
    P("'");
    return 0;
}

static int print_list(const parser_expr_list *l, eddy_buf *out)
{
    for (size_t i = 0; i < l->n; i++) {
        P(" ");
        SUB(parser_print_expr(l->items[i], out));
    }
    return 0;
}

int parser_print_expr(const parser_expr *e, eddy_buf *out)
{
    if (!e) {
        P("<none>");
        return 0;
    }
    switch (e->kind) {
    case PARSER_EXPR_NULL: P("null"); break;
    case PARSER_EXPR_BOOL: P("%s", e->b ? "true" : "false"); break;
    case PARSER_EXPR_INT: P("(int %d)", e->i32); break;
    case PARSER_EXPR_BIGINT: P("(bigint %lld)", (long long)e->i64); break;
    case PARSER_EXPR_DECIMAL:
        P("(dec %s %d %d)", e->dec.text, e->dec.precision, e->dec.scale);
        break;
    case PARSER_EXPR_DOUBLE: P("(double %.17g)", e->f64); break;
    case PARSER_EXPR_STRING: SUB(print_string(e->str.s, e->str.len, out)); break;
    case PARSER_EXPR_COLUMN:
        if (e->col.qualifier)
            P("%s.", e->col.qualifier);
        P("%s", e->col.name);
        break;
    case PARSER_EXPR_DEREF:
        P("(-> ");
        SUB(parser_print_expr(e->deref.base, out));
        P(" %s)", e->deref.field);
        break;
    case PARSER_EXPR_SUBSCRIPT:
        P("([] ");
        SUB(parser_print_expr(e->sub.base, out));
        P(" ");
        SUB(parser_print_expr(e->sub.index, out));
        P(")");
        break;
    case PARSER_EXPR_UNARY:
        P("(%s ", op_name(e->unary.op));
        SUB(parser_print_expr(e->unary.operand, out));
        P(")");
        break;
    case PARSER_EXPR_BINARY:
        P("(%s ", op_name(e->binary.op));
        SUB(parser_print_expr(e->binary.left, out));
        P(" ");
        SUB(parser_print_expr(e->binary.right, out));
        P(")");
        break;
    case PARSER_EXPR_IS_NULL:
        P("(%s ", e->is_null.negated ? "is-not-null" : "is-null");
        SUB(parser_print_expr(e->is_null.operand, out));
        P(")");
        break;
    case PARSER_EXPR_DISTINCT:
        P("(%s ", e->distinct.negated ? "not-distinct" : "distinct");
        SUB(parser_print_expr(e->distinct.left, out));
        P(" ");
        SUB(parser_print_expr(e->distinct.right, out));
        P(")");
        break;
    case PARSER_EXPR_BETWEEN:
        P("(%s ", e->between.negated ? "not-between" : "between");
        SUB(parser_print_expr(e->between.value, out));
        P(" ");
        SUB(parser_print_expr(e->between.low, out));
        P(" ");
        SUB(parser_print_expr(e->between.high, out));
        P(")");
        break;
    case PARSER_EXPR_IN:
        P("(%s ", e->in.negated ? "not-in" : "in");
        SUB(parser_print_expr(e->in.value, out));
        SUB(print_list(&e->in.list, out));
        P(")");
        break;
    case PARSER_EXPR_LIKE:
        P("(%s ", e->like.negated ? "not-like" : "like");
        SUB(parser_print_expr(e->like.value, out));
        P(" ");
        SUB(parser_print_expr(e->like.pattern, out));
        if (e->like.escape) {
            P(" ");
            SUB(print_string(e->like.escape, strlen(e->like.escape), out));
        }
        P(")");
        break;
    case PARSER_EXPR_CASE:
        P("(case");
        if (e->case_.operand) {
            P(" ");
            SUB(parser_print_expr(e->case_.operand, out));
        }
        for (size_t i = 0; i < e->case_.nwhens; i++) {
            P(" (when ");
            SUB(parser_print_expr(e->case_.whens[i].cond, out));
            P(" ");
            SUB(parser_print_expr(e->case_.whens[i].result, out));
            P(")");
        }
        if (e->case_.else_) {
            P(" (else ");
            SUB(parser_print_expr(e->case_.else_, out));
            P(")");
        }
        P(")");
        break;
    case PARSER_EXPR_CAST:
        P("(cast ");
        SUB(parser_print_expr(e->cast.operand, out));
        P(" ");
        SUB(parser_print_type(e->cast.type, out));
        P(")");
        break;
    case PARSER_EXPR_ARRAY:
        P("(array");
        SUB(print_list(&e->array, out));
        P(")");
        break;
    case PARSER_EXPR_MAP:
        P("(map");
        for (size_t i = 0; i < e->map.n; i++) {
            P(" (");
            SUB(parser_print_expr(e->map.keys[i], out));
            P(" ");
            SUB(parser_print_expr(e->map.values[i], out));
            P(")");
        }
        P(")");
        break;
    case PARSER_EXPR_STRUCT:
        P("(struct");
        for (size_t i = 0; i < e->struct_.n; i++) {
            P(" (%s ", e->struct_.fields[i].name);
            SUB(parser_print_expr(e->struct_.fields[i].value, out));
            P(")");
        }
        P(")");
        break;
    case PARSER_EXPR_CALL:
        P("(call %s", e->call.name);
        if (e->call.star)
            P(" *");
        SUB(print_list(&e->call.args, out));
        P(")");
        break;
    case PARSER_EXPR_LAMBDA:
        P("(lambda (");
        for (size_t i = 0; i < e->lambda.nparams; i++)
            P("%s%s", i ? " " : "", e->lambda.params[i]);
        P(") ");
        SUB(parser_print_expr(e->lambda.body, out));
        P(")");
        break;
    case PARSER_EXPR_UNIT: P("(unit %s)", parser_time_unit_name(e->unit)); break;
    }
    return 0;
}

int parser_print_type(const parser_type *t, eddy_buf *out)
{
    switch (t->kind) {
    case PARSER_TYPE_NAMED:
        P("%s", t->name);
        if (t->nparams) {
            P("(");
            for (size_t i = 0; i < t->nparams; i++)
                P("%s%s", i ? "," : "", t->params[i]);
            P(")");
        }
        break;
    case PARSER_TYPE_DECIMAL: P("DECIMAL(%d,%d)", t->precision, t->scale); break;
    case PARSER_TYPE_ARRAY:
        P("ARRAY<");
        SUB(parser_print_type(t->elem, out));
        P(">");
        break;
    case PARSER_TYPE_MAP:
        P("MAP<");
        SUB(parser_print_type(t->key, out));
        P(",");
        SUB(parser_print_type(t->elem, out));
        P(">");
        break;
    case PARSER_TYPE_STRUCT:
        P("STRUCT<");
        for (size_t i = 0; i < t->nfields; i++) {
            P("%s%s ", i ? "," : "", t->fields[i].name);
            SUB(parser_print_type(t->fields[i].type, out));
        }
        P(">");
        break;
    }
    return 0;
}

static int print_duration(const char *what, const parser_duration *d, eddy_buf *out)
{
    P(" (%s %lld %s)", what, (long long)d->value, parser_time_unit_name(d->unit));
    return 0;
}

static int print_props(const parser_props *p, eddy_buf *out)
{
    if (!p->n)
        return 0;
    P(" (with");
    for (size_t i = 0; i < p->n; i++) {
        P(" (%s ", p->items[i].name);
        SUB(parser_print_expr(p->items[i].value, out));
        P(")");
    }
    P(")");
    return 0;
}

static int print_source(const parser_source_ref *r, eddy_buf *out)
{
    P("%s", r->name);
    if (r->alias)
        P(" %s", r->alias);
    return 0;
}

static int print_exprs(const char *what, const parser_expr_list *l, eddy_buf *out)
{
    P(" (%s", what);
    SUB(print_list(l, out));
    P(")");
    return 0;
}

static int print_query(const parser_query *q, eddy_buf *out)
{
    static const char *const joins[] = {"inner", "left", "right", "full"};
    static const char *const windows[] = {"tumbling", "hopping", "session"};
    P("(query (items");
    for (size_t i = 0; i < q->nitems; i++) {
        const parser_select_item *it = &q->items[i];
        P(" ");
        if (it->kind == PARSER_SELECT_ALL) {
            if (it->qualifier)
                P("%s.", it->qualifier);
            P("*");
        } else if (it->kind == PARSER_SELECT_STRUCT_ALL) {
            P("(->* ");
            SUB(parser_print_expr(it->expr, out));
            P(")");
        } else if (it->alias) {
            P("(as ");
            SUB(parser_print_expr(it->expr, out));
            P(" %s)", it->alias);
        } else {
            SUB(parser_print_expr(it->expr, out));
        }
    }
    P(") (from ");
    SUB(print_source(&q->from, out));
    P(")");
    for (size_t i = 0; i < q->njoins; i++) {
        const parser_join *j = &q->joins[i];
        P(" (join %s ", joins[j->type]);
        SUB(print_source(&j->source, out));
        if (j->has_within) {
            SUB(print_duration("before", &j->before, out));
            SUB(print_duration("after", &j->after, out));
        }
        if (j->has_grace)
            SUB(print_duration("grace", &j->grace, out));
        P(" (on ");
        SUB(parser_print_expr(j->on, out));
        P("))");
    }
    if (q->window) {
        const parser_window *w = q->window;
        P(" (window %s", windows[w->kind]);
        SUB(print_duration("size", &w->size, out));
        if (w->kind == PARSER_WINDOW_HOPPING)
            SUB(print_duration("advance", &w->advance, out));
        if (w->has_retention)
            SUB(print_duration("retention", &w->retention, out));
        if (w->has_grace)
            SUB(print_duration("grace", &w->grace, out));
        P(")");
    }
    if (q->where) {
        P(" (where ");
        SUB(parser_print_expr(q->where, out));
        P(")");
    }
    if (q->has_group_by)
        SUB(print_exprs("group-by", &q->group_by, out));
    if (q->has_partition_by)
        SUB(print_exprs("partition-by", &q->partition_by, out));
    if (q->having) {
        P(" (having ");
        SUB(parser_print_expr(q->having, out));
        P(")");
    }
    if (q->emit != PARSER_EMIT_NONE)
        P(" (emit %s)", q->emit == PARSER_EMIT_CHANGES ? "changes" : "final");
    if (q->has_limit)
        P(" (limit %d)", q->limit);
    P(")");
    return 0;
}

static int print_columns(const parser_column_def *cols, size_t n, eddy_buf *out)
{
    static const char *const cons[] = {"", " key", " primary-key", " headers", " header"};
    P(" (columns");
    for (size_t i = 0; i < n; i++) {
        P(" (%s ", cols[i].name);
        SUB(parser_print_type(cols[i].type, out));
        P("%s", cons[cols[i].constraint]);
        if (cols[i].header_key) {
            P(" ");
            SUB(print_string(cols[i].header_key, strlen(cols[i].header_key), out));
        }
        P(")");
    }
    P(")");
    return 0;
}

int parser_print_stmt(const parser_stmt *s, eddy_buf *out)
{
    static const char *const lists[] = {"streams", "tables", "topics", "queries",
                                        "functions", "types", "properties", "variables"};
    const char *src;
    switch (s->kind) {
    case PARSER_STMT_QUERY:
        return print_query(s->query, out);
    case PARSER_STMT_CREATE_SOURCE:
    case PARSER_STMT_CREATE_AS:
        src = s->create.source == PARSER_SOURCE_STREAM ? "stream" : "table";
        P("(%s-%s %s", s->kind == PARSER_STMT_CREATE_AS ? "create-as" : "create", src,
          s->create.name);
        if (s->create.or_replace)
            P(" or-replace");
        if (s->create.if_not_exists)
            P(" if-not-exists");
        if (s->create.is_source)
            P(" source");
        if (s->create.has_columns)
            SUB(print_columns(s->create.cols, s->create.ncols, out));
        SUB(print_props(&s->create.with, out));
        if (s->create.query) {
            P(" ");
            SUB(print_query(s->create.query, out));
        }
        P(")");
        return 0;
    case PARSER_STMT_ALTER_SOURCE:
        P("(alter-%s %s", s->create.source == PARSER_SOURCE_STREAM ? "stream" : "table",
          s->create.name);
        SUB(print_columns(s->create.cols, s->create.ncols, out));
        P(")");
        return 0;
    case PARSER_STMT_INSERT_INTO:
        P("(insert %s", s->insert.target);
        SUB(print_props(&s->insert.with, out));
        P(" ");
        SUB(print_query(s->insert.query, out));
        P(")");
        return 0;
    case PARSER_STMT_INSERT_VALUES:
        P("(insert-values %s", s->insert.target);
        if (s->insert.ncols) {
            P(" (columns");
            for (size_t i = 0; i < s->insert.ncols; i++)
                P(" %s", s->insert.cols[i]);
            P(")");
        }
        SUB(print_exprs("values", &s->insert.values, out));
        P(")");
        return 0;
    case PARSER_STMT_DROP_SOURCE:
    case PARSER_STMT_DROP_TYPE:
        src = s->kind == PARSER_STMT_DROP_TYPE ? "type"
              : s->drop.source == PARSER_SOURCE_STREAM ? "stream" : "table";
        P("(drop-%s %s%s%s)", src, s->drop.name, s->drop.if_exists ? " if-exists" : "",
          s->drop.delete_topic ? " delete-topic" : "");
        return 0;
    case PARSER_STMT_CREATE_TYPE:
        P("(create-type %s%s ", s->type.name, s->type.if_not_exists ? " if-not-exists" : "");
        SUB(parser_print_type(s->type.type, out));
        P(")");
        return 0;
    case PARSER_STMT_DEFINE:
    case PARSER_STMT_UNDEFINE:
    case PARSER_STMT_SET:
    case PARSER_STMT_UNSET:
    case PARSER_STMT_ALTER_SYSTEM: {
        static const char *const names[] = {"define", "undefine", "set", "unset",
                                            "alter-system"};
        P("(%s ", names[s->kind - PARSER_STMT_DEFINE]);
        SUB(print_string(s->prop.name, strlen(s->prop.name), out));
        if (s->prop.value) {
            P(" ");
            SUB(print_string(s->prop.value, strlen(s->prop.value), out));
        }
        P(")");
        return 0;
    }
    case PARSER_STMT_LIST:
        P("(list %s%s%s)", s->list.all ? "all-" : "", lists[s->list.what],
          s->list.extended ? " extended" : "");
        return 0;
    case PARSER_STMT_DESCRIBE:
    case PARSER_STMT_DESCRIBE_STREAMS:
    case PARSER_STMT_DESCRIBE_TABLES:
    case PARSER_STMT_DESCRIBE_FUNCTION: {
        static const char *const names[] = {"describe", "describe-streams", "describe-tables",
                                            "describe-function"};
        P("(%s", names[s->kind - PARSER_STMT_DESCRIBE]);
        if (s->describe.name)
            P(" %s", s->describe.name);
        P("%s)", s->describe.extended ? " extended" : "");
        return 0;
    }
    case PARSER_STMT_EXPLAIN:
        P("(explain ");
        if (s->explain.stmt)
            SUB(parser_print_stmt(s->explain.stmt, out));
        else
            P("%s", s->explain.query_id);
        P(")");
        return 0;
    case PARSER_STMT_TERMINATE:
    case PARSER_STMT_PAUSE:
    case PARSER_STMT_RESUME: {
        static const char *const names[] = {"terminate", "pause", "resume"};
        P("(%s %s)", names[s->kind - PARSER_STMT_TERMINATE],
          s->terminate.query_id ? s->terminate.query_id : "all");
        return 0;
    }
    case PARSER_STMT_PRINT:
        P("(print %s", s->print.topic);
        if (s->print.from_beginning)
            P(" from-beginning");
        if (s->print.has_interval)
            P(" (interval %d)", s->print.interval);
        if (s->print.has_limit)
            P(" (limit %d)", s->print.limit);
        P(")");
        return 0;
    case PARSER_STMT_ASSERT_TOPIC:
    case PARSER_STMT_ASSERT_SCHEMA:
        P("(assert-%s%s", s->kind == PARSER_STMT_ASSERT_TOPIC ? "topic" : "schema",
          s->assert_.exists ? "" : " not-exists");
        if (s->assert_.name)
            P(" %s", s->assert_.name);
        SUB(print_props(&s->assert_.with, out));
        if (s->assert_.id) {
            P(" (id ");
            SUB(parser_print_expr(s->assert_.id, out));
            P(")");
        }
        if (s->assert_.has_timeout)
            SUB(print_duration("timeout", &s->assert_.timeout, out));
        P(")");
        return 0;
    case PARSER_STMT_RUN_SCRIPT:
        P("(run-script ");
        SUB(print_string(s->path, strlen(s->path), out));
        P(")");
        return 0;
    }
    return 0;
}
