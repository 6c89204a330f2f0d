/*
 * test_stateless.c - the stateless operators (operators/op_stateless.c) driven directly:
 * filter (true, false and NULL predicates, errors, empty batches), project (expressions,
 * lambdas, errors that become NULL and reach the processing log), flatmap (EXPLODE of arrays
 * of different lengths padded with NULL, empty and NULL arrays, several table functions) and
 * the sink (key and value encoding through serde, NULL keys, tombstones, the timestamp
 * expression, a NULL or negative timestamp that drops the row, headers passed through, write
 * errors), and rows with a null value or key (stream tombstones: filter and flatmap drop
 * them, project computes only key expressions, the sink writes a null value).
 *
 * Expression trees are built by hand with fnt.h, as the planner would type them. Every
 * operator pushes into a collector operator defined here that keeps a copy of what it gets.
 *
 * The input rows have this schema (column index: name type):
 *   0: ID BIGINT   1: NAME STRING   2: OK BOOLEAN   3: ARR ARRAY<INT>   4: TAGS ARRAY<STRING>
 */
#include "../functions/fnt.h"

#include "eddy/operators.h"
#include "eddy/serde.h"

#define NCOLS 5
#define MAXROWS 64

/* ---- fixture -------------------------------------------------------------------------- */

/* The collector: the last operator of every chain under test. */
typedef struct collector {
    op base;
    op_row rows[MAXROWS];
    size_t nrows;
    int nbatches;
    int fail_with;           /* when non-zero, process returns it */
} collector;

static collector coll;
static op_ctx ctx;
static int nlogged;
static char last_op[64];
static char last_msg[sizeof ((eddy_err *)0)->msg];

static void test_log(void *log_ctx, const char *op_name, const eddy_err *err)
{
    (void)log_ctx;
    nlogged++;
    snprintf(last_op, sizeof last_op, "%s", op_name);
    snprintf(last_msg, sizeof last_msg, "%s", err->msg);
}

static int collect_process(op *self, int port, const op_batch *in, eddy_err *err)
{
    (void)port;
    collector *c = (collector *)self;
    if (c->fail_with)
        return eddy_err_set(err, c->fail_with, "downstream failed");
    c->nbatches++;
    for (size_t i = 0; i < in->n; i++) {
        assert_true(c->nrows < MAXROWS);
        c->rows[c->nrows++] = in->rows[i];    /* values stay in the batch arena (not reset) */
    }
    return 0;
}

static const op_ops collect_ops = {"collect", collect_process, NULL, NULL};

static int setup(void **state)
{
    fnt_setup(state);
    memset(&coll, 0, sizeof coll);
    coll.base.ops = &collect_ops;
    coll.base.name = "Collect";
    memset(&ctx, 0, sizeof ctx);
    ctx.arena = &fnt_batch;
    ctx.fn_config = &fnt_config;
    ctx.log = test_log;
    nlogged = 0;
    last_op[0] = last_msg[0] = 0;
    return 0;
}

static int teardown(void **state) { return fnt_teardown(state); }

/* Wire 'o' to the collector. */
static op *to_collector(op *o)
{
    o->next = &coll.base;
    o->next_port = 0;
    return o;
}

/* ---- rows and expressions --------------------------------------------------------------- */

static fn_expr *col(int i, const eddy_type *t)
{
    fn_expr *e = fnt_node(FN_COLUMN, t, 0);
    e->u.index = i;
    return e;
}

static fn_expr *id_col(void) { return col(0, EDDY_TYPE_BIGINT); }
static fn_expr *name_col(void) { return col(1, EDDY_TYPE_STRING); }
static fn_expr *ok_col(void) { return col(2, EDDY_TYPE_BOOLEAN); }
static fn_expr *arr_col(void) { return col(3, fnt_type("ARRAY<INT>")); }
static fn_expr *tags_col(void) { return col(4, fnt_type("ARRAY<STRING>")); }

static fn_expr *cmp(int opc, fn_expr *a, fn_expr *b)
{
    fn_expr *e = fnt_node(FN_CMP, EDDY_TYPE_BOOLEAN, 2, a, b);
    e->op = (uint8_t)opc;
    return e;
}

static fn_expr *arith(char opc, const eddy_type *t, fn_expr *a, fn_expr *b)
{
    fn_expr *e = fnt_node(FN_ARITH, t, 2, a, b);
    e->op = (uint8_t)opc;
    return e;
}

/* A table function call node as the planner builds it (pl_table_call). */
static fn_expr *tfn_call(const char *name, fn_expr *arg)
{
    const fn_table *t = fn_table_find(name);
    assert_non_null(t);
    fn_arg a = {arg->type, 0};
    fn_resolved r;
    memset(&r, 0, sizeof r);
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(fn_table_resolve(t, &fnt_arena, &a, 1, &r, &err), &err);
    fn_expr *call = fnt_node(FN_CALL, r.ret, 1, arg);
    call->u.call.table_fn = t;
    call->u.call.variant = r.variant;
    return call;
}

/* An ARRAY<INT> value of 'n' items (n < 0: a NULL array). */
static eddy_value int_array(int n, int first)
{
    if (n < 0)
        return eddy_value_null(EDDY_T_ARRAY);
    eddy_value *items = eddy_arena_calloc(&fnt_batch, sizeof *items * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++)
        items[i] = eddy_value_int(first + i);
    return eddy_value_composite(EDDY_T_ARRAY, items, (uint32_t)n);
}

static eddy_value str_array(int n, const char *const *s)
{
    if (n < 0)
        return eddy_value_null(EDDY_T_ARRAY);
    eddy_value *items = eddy_arena_calloc(&fnt_batch, sizeof *items * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++)
        items[i] = eddy_value_string(s[i], strlen(s[i]));
    return eddy_value_composite(EDDY_T_ARRAY, items, (uint32_t)n);
}

/* One input row: 'id' < 0 means a NULL ID, 'name' NULL a NULL NAME, 'ok' < 0 a NULL OK. */
static op_row mkrow(int64_t id, const char *name, int ok, eddy_value arr, eddy_value tags)
{
    eddy_value *c = eddy_arena_calloc(&fnt_batch, sizeof *c * NCOLS);
    c[0] = id < 0 ? eddy_value_null(EDDY_T_BIGINT) : eddy_value_bigint(id);
    c[1] = name ? eddy_value_string(name, strlen(name)) : eddy_value_null(EDDY_T_STRING);
    c[2] = ok < 0 ? eddy_value_null(EDDY_T_BOOLEAN) : eddy_value_bool(ok != 0);
    c[3] = arr;
    c[4] = tags;
    op_row r;
    memset(&r, 0, sizeof r);
    r.cols = c;
    r.rowtime = 1000 + (id < 0 ? 0 : id);
    r.partition = 3;
    r.offset = 40 + (id < 0 ? 0 : id);
    return r;
}

static op_row simple_row(int64_t id, const char *name, int ok)
{
    return mkrow(id, name, ok, int_array(-1, 0), str_array(-1, NULL));
}

static int push(op *o, op_row *rows, size_t n)
{
    op_batch b = {rows, n};
    eddy_err err;
    eddy_err_clear(&err);
    int rc = o->ops->process(o, 0, &b, &err);
    if (rc)
        snprintf(last_msg, sizeof last_msg, "%s", err.msg);
    return rc;
}

static const char *val(const op_row *r, int i, const eddy_type *t)
{
    return fnt_fmt(&r->cols[i], t);
}

/* ---- filter ----------------------------------------------------------------------------- */

static void test_filter_keeps_rows_where_predicate_is_true(void **state)
{
    (void)state;
    op *f;
    eddy_err err;
    eddy_err_clear(&err);
    fn_expr *pred = cmp(FN_CMP_GT, id_col(), fnt_big(10));
    EXPECT_OK(op_filter_create(&ctx, pred, 0, &f, &err), &err);
    to_collector(f);
    op_row in[] = {simple_row(5, "a", 1), simple_row(15, "b", 1), simple_row(-1, "c", 1),
                   simple_row(20, "d", 0)};
    assert_int_equal(push(f, in, 4), 0);
    assert_int_equal(coll.nbatches, 1);
    assert_int_equal(coll.nrows, 2);
    assert_string_equal(val(&coll.rows[0], 1, EDDY_TYPE_STRING), "b");
    assert_string_equal(val(&coll.rows[1], 1, EDDY_TYPE_STRING), "d");
    /* Rows pass through whole: columns, rowtime, partition, offset. */
    assert_ptr_equal(coll.rows[0].cols, in[1].cols);
    assert_int_equal(coll.rows[1].rowtime, 1020);
    assert_int_equal(coll.rows[1].partition, 3);
    assert_int_equal(coll.rows[1].offset, 60);
    assert_int_equal(nlogged, 0);
    op_close(f);
}

static void test_filter_null_and_false_predicates_drop_rows(void **state)
{
    (void)state;
    op *f;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(op_filter_create(&ctx, ok_col(), 0, &f, &err), &err);
    to_collector(f);
    op_row in[] = {simple_row(1, "t", 1), simple_row(2, "null", -1), simple_row(3, "f", 0),
                   simple_row(4, "t2", 1)};
    assert_int_equal(push(f, in, 4), 0);
    assert_int_equal(coll.nrows, 2);
    assert_string_equal(val(&coll.rows[0], 1, EDDY_TYPE_STRING), "t");
    assert_string_equal(val(&coll.rows[1], 1, EDDY_TYPE_STRING), "t2");
    op_close(f);
}

static void test_filter_constant_predicates(void **state)
{
    (void)state;
    static const struct {
        int which;           /* 0 TRUE, 1 FALSE, 2 NULL */
        size_t want;
    } cases[] = {{0, 3}, {1, 0}, {2, 0}};
    for (size_t k = 0; k < EDDY_ARRAY_LEN(cases); k++) {
        coll.nrows = 0;
        coll.nbatches = 0;
        fn_expr *pred = cases[k].which == 0   ? fnt_bool(true)
                        : cases[k].which == 1 ? fnt_bool(false)
                                              : fnt_null(EDDY_TYPE_BOOLEAN);
        op *f;
        eddy_err err;
        eddy_err_clear(&err);
        EXPECT_OK(op_filter_create(&ctx, pred, 0, &f, &err), &err);
        to_collector(f);
        op_row in[] = {simple_row(1, "a", 1), simple_row(2, "b", 1), simple_row(3, "c", 1)};
        assert_int_equal(push(f, in, 3), 0);
        assert_int_equal(coll.nrows, cases[k].want);
        /* An empty result is not pushed downstream at all. */
        assert_int_equal(coll.nbatches, cases[k].want ? 1 : 0);
        op_close(f);
    }
}

static void test_filter_empty_batch_emits_nothing(void **state)
{
    (void)state;
    op *f;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(op_filter_create(&ctx, fnt_bool(true), 0, &f, &err), &err);
    to_collector(f);
    assert_int_equal(push(f, NULL, 0), 0);
    assert_int_equal(coll.nbatches, 0);
    assert_int_equal(coll.nrows, 0);
    op_close(f);
}

static void test_filter_error_in_predicate_drops_row_and_logs(void **state)
{
    (void)state;
    /* 100 / ID > 1: ID = 0 is "/ by zero", so the predicate is NULL and the row goes. */
    fn_expr *pred = cmp(FN_CMP_GT, arith('/', EDDY_TYPE_BIGINT, fnt_big(100), id_col()),
                        fnt_big(1));
    op *f;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(op_filter_create(&ctx, pred, 0, &f, &err), &err);
    to_collector(f);
    op_row in[] = {simple_row(0, "zero", 1), simple_row(10, "ten", 1)};
    assert_int_equal(push(f, in, 2), 0);
    assert_int_equal(coll.nrows, 1);
    assert_string_equal(val(&coll.rows[0], 1, EDDY_TYPE_STRING), "ten");
    assert_int_equal(nlogged, 1);
    assert_string_equal(last_op, "Filter");
    assert_non_null(strstr(last_msg, "/ by zero"));
    op_close(f);
}

static void test_filter_propagates_downstream_error(void **state)
{
    (void)state;
    op *f;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(op_filter_create(&ctx, fnt_bool(true), 0, &f, &err), &err);
    to_collector(f);
    coll.fail_with = EDDY_EIO;
    op_row in[] = {simple_row(1, "a", 1)};
    assert_int_equal(push(f, in, 1), EDDY_EIO);
    assert_string_equal(last_msg, "downstream failed");
    op_close(f);
}

static void test_filter_drops_null_value_rows(void **state)
{
    (void)state;
    /* ksqlDB's SqlPredicate drops a null value (a stream tombstone) whatever the predicate. */
    op *f;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(op_filter_create(&ctx, fnt_bool(true), 0, &f, &err), &err);
    to_collector(f);
    op_row in[] = {simple_row(1, "a", 1), simple_row(2, NULL, -1)};
    in[1].value_null = true;
    assert_int_equal(push(f, in, 2), 0);
    assert_int_equal(coll.nrows, 1);
    assert_false(coll.rows[0].value_null);
    assert_string_equal(val(&coll.rows[0], 1, EDDY_TYPE_STRING), "a");
    op_close(f);
}

/* ---- project ---------------------------------------------------------------------------- */

static void test_project_evaluates_expressions_per_row(void **state)
{
    (void)state;
    const fn_expr *exprs[] = {
        arith('*', EDDY_TYPE_BIGINT, id_col(), fnt_big(2)),
        name_col(),
        FNT_CALL("UCASE", name_col()),
        fnt_str("const"),
    };
    op *p;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(op_project_create(&ctx, exprs, 4, 0, &p, &err), &err);
    to_collector(p);
    op_row in[] = {simple_row(3, "ann", 1), simple_row(-1, NULL, 1)};
    in[0].headers = (const uint8_t *)"\x02hh";
    in[0].headers_end = in[0].headers + 3;
    assert_int_equal(push(p, in, 2), 0);
    assert_int_equal(coll.nbatches, 1);
    assert_int_equal(coll.nrows, 2);
    const op_row *r = &coll.rows[0];
    assert_string_equal(val(r, 0, EDDY_TYPE_BIGINT), "6");
    assert_string_equal(val(r, 1, EDDY_TYPE_STRING), "ann");
    assert_string_equal(val(r, 2, EDDY_TYPE_STRING), "ANN");
    assert_string_equal(val(r, 3, EDDY_TYPE_STRING), "const");
    /* New columns, same record metadata. */
    assert_ptr_not_equal(r->cols, in[0].cols);
    assert_int_equal(r->rowtime, 1003);
    assert_int_equal(r->partition, 3);
    assert_int_equal(r->offset, 43);
    assert_ptr_equal(r->headers, in[0].headers);
    assert_ptr_equal(r->headers_end, in[0].headers_end);
    /* NULL inputs give NULL; NULL arithmetic is an error in ksqlDB's generated code (a Java
     * unboxing NullPointerException), logged once, while a NULL function argument is not. */
    r = &coll.rows[1];
    assert_string_equal(val(r, 0, EDDY_TYPE_BIGINT), "NULL");
    assert_string_equal(val(r, 1, EDDY_TYPE_STRING), "NULL");
    assert_string_equal(val(r, 2, EDDY_TYPE_STRING), "NULL");
    assert_string_equal(val(r, 3, EDDY_TYPE_STRING), "const");
    assert_int_equal(nlogged, 1);
    assert_non_null(strstr(last_msg, "NullPointerException"));
    op_close(p);
}

static void test_project_error_gives_null_and_logs(void **state)
{
    (void)state;
    const fn_expr *exprs[] = {
        name_col(),
        arith('/', EDDY_TYPE_BIGINT, fnt_big(100), id_col()),
    };
    op *p;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(op_project_create(&ctx, exprs, 2, 0, &p, &err), &err);
    to_collector(p);
    op_row in[] = {simple_row(4, "four", 1), simple_row(0, "zero", 1), simple_row(5, "five", 1)};
    assert_int_equal(push(p, in, 3), 0);
    assert_int_equal(coll.nrows, 3);
    assert_string_equal(val(&coll.rows[0], 1, EDDY_TYPE_BIGINT), "25");
    assert_string_equal(val(&coll.rows[1], 0, EDDY_TYPE_STRING), "zero");
    assert_string_equal(val(&coll.rows[1], 1, EDDY_TYPE_BIGINT), "NULL");
    assert_string_equal(val(&coll.rows[2], 1, EDDY_TYPE_BIGINT), "20");
    assert_int_equal(nlogged, 1);
    assert_string_equal(last_op, "Project");
    assert_non_null(strstr(last_msg, "/ by zero"));
    op_close(p);
}

static void test_project_lambda_uses_variable_slots(void **state)
{
    (void)state;
    /* TRANSFORM(ARR, x => x * 10) needs one variable slot. */
    const eddy_type *ai = fnt_type("ARRAY<INT>");
    fn_expr *body = arith('*', EDDY_TYPE_INT, fnt_var(0, EDDY_TYPE_INT), fnt_int(10));
    const fn_expr *exprs[] = {FNT_CALL("TRANSFORM", arr_col(), fnt_lambda(0, 1, body))};
    op *p;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(op_project_create(&ctx, exprs, 1, 1, &p, &err), &err);
    to_collector(p);
    op_row in[] = {mkrow(1, "a", 1, int_array(3, 1), str_array(-1, NULL)),
                   mkrow(2, "b", 1, int_array(0, 0), str_array(-1, NULL))};
    assert_int_equal(push(p, in, 2), 0);
    assert_int_equal(coll.nrows, 2);
    assert_string_equal(val(&coll.rows[0], 0, ai), "[10, 20, 30]");
    assert_string_equal(val(&coll.rows[1], 0, ai), "[]");
    op_close(p);
}

static void test_project_empty_batch_emits_nothing(void **state)
{
    (void)state;
    const fn_expr *exprs[] = {name_col()};
    op *p;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(op_project_create(&ctx, exprs, 1, 0, &p, &err), &err);
    to_collector(p);
    assert_int_equal(push(p, NULL, 0), 0);
    assert_int_equal(coll.nbatches, 0);
    op_close(p);
}

static void test_project_null_value_computes_key_only_exprs(void **state)
{
    (void)state;
    /* Column 1 (NAME) plays the key here. For a null-value row only the expressions that read
     * nothing but key columns (or no column) are computed; the others are NULL. */
    const fn_expr *exprs[] = {name_col(), FNT_CALL("UCASE", name_col()), id_col(),
                              fnt_str("lit")};
    op *p;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(op_project_create(&ctx, exprs, 4, 0, &p, &err), &err);
    to_collector(p);
    op_row in[] = {simple_row(7, "k", -1), simple_row(8, "k2", 1)};
    in[0].value_null = true;
    in[0].key_null = true;
    /* Without key columns declared, a null-value row projects to all NULLs. */
    assert_int_equal(push(p, in, 1), 0);
    assert_int_equal(coll.nrows, 1);
    assert_true(coll.rows[0].value_null);
    for (int k = 0; k < 4; k++)
        assert_true(coll.rows[0].cols[k].null);
    bool keys[NCOLS] = {false, true, false, false, false};
    EXPECT_OK(op_project_set_key_cols(p, keys, NCOLS, false, &err), &err);
    coll.nrows = 0;
    assert_int_equal(push(p, in, 2), 0);
    assert_int_equal(coll.nrows, 2);
    const op_row *r = &coll.rows[0];
    assert_true(r->value_null);
    assert_true(r->key_null);                 /* not a re-key: a null key stays null */
    assert_string_equal(val(r, 0, EDDY_TYPE_STRING), "k");
    assert_string_equal(val(r, 1, EDDY_TYPE_STRING), "K");
    assert_string_equal(val(r, 2, EDDY_TYPE_BIGINT), "NULL");
    assert_string_equal(val(r, 3, EDDY_TYPE_STRING), "lit");
    /* A row with a value is computed whole. */
    r = &coll.rows[1];
    assert_false(r->value_null);
    assert_string_equal(val(r, 2, EDDY_TYPE_BIGINT), "8");
    /* PARTITION BY (rekey) gives every row a key. */
    EXPECT_OK(op_project_set_key_cols(p, keys, NCOLS, true, &err), &err);
    coll.nrows = 0;
    assert_int_equal(push(p, in, 1), 0);
    assert_false(coll.rows[0].key_null);
    assert_true(coll.rows[0].value_null);
    assert_int_equal(nlogged, 0);
    op_close(p);
}

/* ---- flatmap ---------------------------------------------------------------------------- */

static void test_flatmap_explode_one_row_per_element(void **state)
{
    (void)state;
    const fn_expr *exprs[] = {id_col()};
    const fn_expr *tfns[] = {tfn_call("EXPLODE", arr_col())};
    op *m;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(op_flatmap_create(&ctx, exprs, 1, tfns, 1, 0, &m, &err), &err);
    to_collector(m);
    op_row in[] = {mkrow(1, "a", 1, int_array(3, 10), str_array(-1, NULL)),
                   mkrow(2, "b", 1, int_array(0, 0), str_array(-1, NULL)),
                   mkrow(3, "c", 1, int_array(-1, 0), str_array(-1, NULL)),
                   mkrow(4, "d", 1, int_array(1, 7), str_array(-1, NULL))};
    assert_int_equal(push(m, in, 4), 0);
    /* Empty and NULL arrays give no rows; each input row is emitted as its own batch. */
    assert_int_equal(coll.nrows, 4);
    assert_int_equal(coll.nbatches, 2);
    static const char *const want[][2] = {{"1", "10"}, {"1", "11"}, {"1", "12"}, {"4", "7"}};
    for (size_t i = 0; i < 4; i++) {
        assert_string_equal(val(&coll.rows[i], 0, EDDY_TYPE_BIGINT), want[i][0]);
        assert_string_equal(val(&coll.rows[i], 1, EDDY_TYPE_INT), want[i][1]);
    }
    /* Output rows keep the input row's metadata. */
    assert_int_equal(coll.rows[2].rowtime, 1001);
    assert_int_equal(coll.rows[2].offset, 41);
    assert_int_equal(coll.rows[3].offset, 44);
    assert_int_equal(nlogged, 0);
    op_close(m);
}

static void test_flatmap_several_functions_pad_with_null(void **state)
{
    (void)state;
    const fn_expr *exprs[] = {name_col()};
    const fn_expr *tfns[] = {tfn_call("EXPLODE", arr_col()), tfn_call("EXPLODE", tags_col())};
    op *m;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(op_flatmap_create(&ctx, exprs, 1, tfns, 2, 0, &m, &err), &err);
    to_collector(m);
    static const char *const tags[] = {"x", "y", "z"};
    op_row in[] = {mkrow(1, "a", 1, int_array(3, 1), str_array(1, tags)),
                   mkrow(2, "b", 1, int_array(1, 9), str_array(3, tags)),
                   mkrow(3, "c", 1, int_array(-1, 0), str_array(2, tags))};
    assert_int_equal(push(m, in, 3), 0);
    static const char *const want[][3] = {
        {"a", "1", "x"},    {"a", "2", "NULL"}, {"a", "3", "NULL"},
        {"b", "9", "x"},    {"b", "NULL", "y"}, {"b", "NULL", "z"},
        {"c", "NULL", "x"}, {"c", "NULL", "y"},
    };
    assert_int_equal(coll.nrows, EDDY_ARRAY_LEN(want));
    for (size_t i = 0; i < EDDY_ARRAY_LEN(want); i++) {
        assert_string_equal(val(&coll.rows[i], 0, EDDY_TYPE_STRING), want[i][0]);
        assert_string_equal(val(&coll.rows[i], 1, EDDY_TYPE_INT), want[i][1]);
        assert_string_equal(val(&coll.rows[i], 2, EDDY_TYPE_STRING), want[i][2]);
    }
    /* Padding NULLs have the function's result type. */
    assert_int_equal(coll.rows[1].cols[2].kind, EDDY_T_STRING);
    assert_int_equal(coll.rows[4].cols[1].kind, EDDY_T_INT);
    op_close(m);
}

static void test_flatmap_cube_explode(void **state)
{
    (void)state;
    const eddy_type *ai = fnt_type("ARRAY<INT>");
    const fn_expr *tfns[] = {tfn_call("CUBE_EXPLODE", arr_col())};
    op *m;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(op_flatmap_create(&ctx, NULL, 0, tfns, 1, 0, &m, &err), &err);
    to_collector(m);
    op_row in[] = {mkrow(1, "a", 1, int_array(2, 1), str_array(-1, NULL))};
    assert_int_equal(push(m, in, 1), 0);
    static const char *const want[] = {"[null, null]", "[null, 2]", "[1, null]", "[1, 2]"};
    assert_int_equal(coll.nrows, 4);
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(val(&coll.rows[i], 0, ai), want[i]);
    op_close(m);
}

static void test_flatmap_function_error_logs_and_skips(void **state)
{
    (void)state;
    /* CUBE_EXPLODE refuses more than 20 columns: the row produces nothing and is logged. */
    const fn_expr *exprs[] = {id_col()};
    const fn_expr *tfns[] = {tfn_call("CUBE_EXPLODE", arr_col())};
    op *m;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(op_flatmap_create(&ctx, exprs, 1, tfns, 1, 0, &m, &err), &err);
    to_collector(m);
    op_row in[] = {mkrow(1, "a", 1, int_array(21, 0), str_array(-1, NULL)),
                   mkrow(2, "b", 1, int_array(1, 5), str_array(-1, NULL))};
    assert_int_equal(push(m, in, 2), 0);
    assert_int_equal(coll.nrows, 2);
    assert_string_equal(val(&coll.rows[0], 0, EDDY_TYPE_BIGINT), "2");
    assert_int_equal(nlogged, 1);
    assert_string_equal(last_op, "FlatMap");
    assert_non_null(strstr(last_msg, "too many columns"));
    op_close(m);
}

static void test_flatmap_drops_null_value_rows(void **state)
{
    (void)state;
    const fn_expr *exprs[] = {id_col()};
    const fn_expr *tfns[] = {tfn_call("EXPLODE", arr_col())};
    op *m;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(op_flatmap_create(&ctx, exprs, 1, tfns, 1, 0, &m, &err), &err);
    to_collector(m);
    op_row in[] = {mkrow(1, "a", 1, int_array(2, 1), str_array(-1, NULL)),
                   mkrow(2, "b", 1, int_array(2, 5), str_array(-1, NULL))};
    in[0].value_null = true;
    assert_int_equal(push(m, in, 2), 0);
    assert_int_equal(coll.nrows, 2);
    assert_string_equal(val(&coll.rows[0], 0, EDDY_TYPE_BIGINT), "2");
    assert_string_equal(val(&coll.rows[1], 1, EDDY_TYPE_INT), "6");
    op_close(m);
}

/* ---- sink ------------------------------------------------------------------------------- */

#define MAXRECS 16

typedef struct written {
    char key[64], value[128];
    int32_t key_len, value_len;      /* -1: NULL */
    int64_t timestamp;
    const uint8_t *headers, *headers_end;
} written;

static written recs[MAXRECS];
static int nrecs;
static int write_fail;

static int sink_write(void *wctx, const op_sink_record *r, eddy_err *err)
{
    (void)wctx;
    if (write_fail)
        return eddy_err_set(err, write_fail, "write failed");
    assert_true(nrecs < MAXRECS);
    written *w = &recs[nrecs++];
    memset(w, 0, sizeof *w);
    w->key_len = r->key ? r->key_len : -1;
    w->value_len = r->value ? r->value_len : -1;
    assert_true(w->key_len < (int32_t)sizeof w->key && w->value_len < (int32_t)sizeof w->value);
    if (r->key)
        memcpy(w->key, r->key, (size_t)r->key_len);
    if (r->value)
        memcpy(w->value, r->value, (size_t)r->value_len);
    w->timestamp = r->timestamp;
    w->headers = r->headers;
    w->headers_end = r->headers_end;
    return 0;
}

/* Serdes over the test schema: key = NAME (column 1) in 'kfmt', value = the columns in
 * 'vcols' in 'vfmt'. */
static serde *mkserde(serde_kind kind, int8_t wrap, bool is_key, const int *idx, int n)
{
    static const char *const names[NCOLS] = {"ID", "NAME", "OK", "ARR", "TAGS"};
    const eddy_type *types[NCOLS] = {EDDY_TYPE_BIGINT, EDDY_TYPE_STRING, EDDY_TYPE_BOOLEAN,
                                     fnt_type("ARRAY<INT>"), fnt_type("ARRAY<STRING>")};
    serde_column cols[NCOLS];
    for (int i = 0; i < n; i++)
        cols[i] = (serde_column){names[idx[i]], types[idx[i]], idx[i]};
    serde_format f = {kind, ',', wrap};
    serde *s;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(serde_create(&f, cols, n, is_key, &s, &err), &err);
    return s;
}

static int sink_setup(void **state)
{
    setup(state);
    memset(recs, 0, sizeof recs);
    nrecs = 0;
    write_fail = 0;
    return 0;
}

static void test_sink_encodes_key_and_value(void **state)
{
    (void)state;
    serde *ks = mkserde(SERDE_KAFKA, -1, true, (int[]){1}, 1);
    serde *vs = mkserde(SERDE_JSON, -1, false, (int[]){0, 2, 3}, 3);
    op *s;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(op_sink_create(&ctx, ks, vs, NULL, sink_write, NULL, &s, &err), &err);
    op_row in[] = {mkrow(7, "k1", 1, int_array(2, 1), str_array(-1, NULL)),
                   mkrow(8, NULL, 0, int_array(-1, 0), str_array(-1, NULL))};
    assert_int_equal(push(s, in, 2), 0);
    assert_int_equal(nrecs, 2);
    assert_int_equal(recs[0].key_len, 2);
    assert_string_equal(recs[0].key, "k1");
    assert_string_equal(recs[0].value, "{\"ID\":7,\"OK\":true,\"ARR\":[1,2]}");
    assert_int_equal(recs[0].value_len, (int32_t)strlen(recs[0].value));
    /* Without a timestamp expression the record keeps the row's time. */
    assert_int_equal(recs[0].timestamp, 1007);
    /* A NULL key column is a null key, not empty bytes. */
    assert_int_equal(recs[1].key_len, -1);
    assert_string_equal(recs[1].value, "{\"ID\":8,\"OK\":false,\"ARR\":null}");
    assert_int_equal(nlogged, 0);
    op_close(s);
    serde_destroy(ks);
    serde_destroy(vs);
}

static void test_sink_null_single_value_is_tombstone(void **state)
{
    (void)state;
    /* An unwrapped single value column that is NULL encodes as a null value (tombstone);
     * an empty string is not one. */
    serde *ks = mkserde(SERDE_KAFKA, -1, true, (int[]){0}, 0);
    serde *vs = mkserde(SERDE_KAFKA, 0, false, (int[]){1}, 1);
    op *s;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(op_sink_create(&ctx, ks, vs, NULL, sink_write, NULL, &s, &err), &err);
    op_row in[] = {simple_row(1, NULL, 1), simple_row(2, "", 1), simple_row(3, "v", 1)};
    assert_int_equal(push(s, in, 3), 0);
    assert_int_equal(nrecs, 3);
    assert_int_equal(recs[0].value_len, -1);
    assert_int_equal(recs[1].value_len, 0);
    assert_int_equal(recs[2].value_len, 1);
    assert_string_equal(recs[2].value, "v");
    /* No key columns: every key is null. */
    for (int i = 0; i < 3; i++)
        assert_int_equal(recs[i].key_len, -1);
    op_close(s);
    serde_destroy(ks);
    serde_destroy(vs);
}

static void test_sink_without_serdes_writes_null_key_and_value(void **state)
{
    (void)state;
    op *s;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(op_sink_create(&ctx, NULL, NULL, NULL, sink_write, NULL, &s, &err), &err);
    op_row in[] = {simple_row(1, "a", 1)};
    assert_int_equal(push(s, in, 1), 0);
    assert_int_equal(nrecs, 1);
    assert_int_equal(recs[0].key_len, -1);
    assert_int_equal(recs[0].value_len, -1);
    op_close(s);
}

static void test_sink_timestamp_expression(void **state)
{
    (void)state;
    serde *vs = mkserde(SERDE_JSON, -1, false, (int[]){1}, 1);
    /* WITH (TIMESTAMP='ID'): the record's time is ID; a NULL ID drops the record. */
    op *s;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(op_sink_create(&ctx, NULL, vs, id_col(), sink_write, NULL, &s, &err), &err);
    op_row in[] = {simple_row(123456, "a", 1), simple_row(-1, "b", 1), simple_row(5, "c", 1)};
    assert_int_equal(push(s, in, 3), 0);
    assert_int_equal(nrecs, 2);
    assert_int_equal(recs[0].timestamp, 123456);
    assert_string_equal(recs[0].value, "{\"NAME\":\"a\"}");
    assert_int_equal(recs[1].timestamp, 5);
    assert_string_equal(recs[1].value, "{\"NAME\":\"c\"}");
    assert_int_equal(nlogged, 1);
    assert_string_equal(last_op, "Sink");
    assert_non_null(strstr(last_msg, "timestamp is null"));
    op_close(s);
    serde_destroy(vs);
}

static void test_sink_passes_headers_through(void **state)
{
    (void)state;
    static const uint8_t raw[] = {0x02, 0x02, 'h', 0x02, 'v'};
    op *s;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(op_sink_create(&ctx, NULL, NULL, NULL, sink_write, NULL, &s, &err), &err);
    op_row in[] = {simple_row(1, "a", 1), simple_row(2, "b", 1)};
    in[0].headers = raw;
    in[0].headers_end = raw + sizeof raw;
    assert_int_equal(push(s, in, 2), 0);
    assert_int_equal(nrecs, 2);
    assert_ptr_equal(recs[0].headers, raw);
    assert_ptr_equal(recs[0].headers_end, raw + sizeof raw);
    assert_null(recs[1].headers);
    op_close(s);
}

static void test_sink_write_error_stops_the_batch(void **state)
{
    (void)state;
    op *s;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(op_sink_create(&ctx, NULL, NULL, NULL, sink_write, NULL, &s, &err), &err);
    write_fail = EDDY_EIO;
    op_row in[] = {simple_row(1, "a", 1), simple_row(2, "b", 1)};
    assert_int_equal(push(s, in, 2), EDDY_EIO);
    assert_string_equal(last_msg, "write failed");
    assert_int_equal(nrecs, 0);
    op_close(s);
}

static void test_sink_null_value_and_null_key_rows(void **state)
{
    (void)state;
    serde *ks = mkserde(SERDE_KAFKA, -1, true, (int[]){1}, 1);
    serde *vs = mkserde(SERDE_JSON, -1, false, (int[]){0}, 1);
    /* With a TIMESTAMP expression, a null value takes the stream time (the largest rowtime
     * the sink has seen), as ksqlDB's sink timestamp step does. */
    op *s;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(op_sink_create(&ctx, ks, vs, id_col(), sink_write, NULL, &s, &err), &err);
    op_row in[] = {simple_row(50, "k1", 1), simple_row(9, "k2", 1), simple_row(3, "k3", 1)};
    in[0].rowtime = 5000;
    in[1].rowtime = 100;
    in[1].value_null = true;
    in[2].key_null = true;              /* the key column has a value, the record had none */
    assert_int_equal(push(s, in, 3), 0);
    assert_int_equal(nrecs, 3);
    assert_string_equal(recs[0].key, "k1");
    assert_string_equal(recs[0].value, "{\"ID\":50}");
    assert_int_equal(recs[0].timestamp, 50);
    assert_string_equal(recs[1].key, "k2");
    assert_int_equal(recs[1].value_len, -1);
    assert_int_equal(recs[1].timestamp, 5000);
    assert_int_equal(recs[2].key_len, -1);
    assert_string_equal(recs[2].value, "{\"ID\":3}");
    assert_int_equal(nlogged, 0);
    op_close(s);
    serde_destroy(ks);
    serde_destroy(vs);
}

static void test_sink_negative_timestamp_drops_row(void **state)
{
    (void)state;
    /* Kafka's producer refuses negative timestamps: the row is logged and dropped. */
    op *s;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(op_sink_create(&ctx, NULL, NULL, arith('-', EDDY_TYPE_BIGINT, id_col(),
                                                     fnt_big(10)),
                             sink_write, NULL, &s, &err),
              &err);
    op_row in[] = {simple_row(5, "a", 1), simple_row(10, "b", 1)};
    assert_int_equal(push(s, in, 2), 0);
    assert_int_equal(nrecs, 1);
    assert_int_equal(recs[0].timestamp, 0);
    assert_int_equal(nlogged, 1);
    assert_non_null(strstr(last_msg, "timestamp is negative"));
    op_close(s);
}

/* Windowed keys: the sink appends the window of rows that carry one (a windowed aggregation
 * or a windowed source), and op_window_key_split reads it back as the engine does for a
 * source with WINDOW_TYPE. */
static void test_sink_windowed_keys_round_trip(void **state)
{
    (void)state;
    serde *ks = mkserde(SERDE_KAFKA, -1, true, (int[]){1}, 1);
    eddy_err err;
    eddy_err_clear(&err);
    for (int session = 0; session < 2; session++) {
        nrecs = 0;
        op *s;
        EXPECT_OK(op_sink_create(&ctx, ks, NULL, NULL, sink_write, NULL, &s, &err), &err);
        op_sink_set_window(s, session ? OP_WINDOW_SESSION : OP_WINDOW_TUMBLING);
        op_row in[] = {simple_row(1, "k", 1), simple_row(2, "plain", 1),
                       simple_row(3, NULL, 1)};
        in[0].flags = OP_ROW_WINDOWED;
        in[0].window_start = 1581323504001LL;
        in[0].window_end = session ? 1581323505001LL : 0;   /* a time window stores no end */
        in[2].flags = OP_ROW_WINDOWED;   /* a null key stays null: no window bytes */
        assert_int_equal(push(s, in, 3), 0);
        assert_int_equal(nrecs, 3);
        assert_int_equal(recs[0].key_len, 1 + (session ? 16 : 8));
        assert_int_equal(recs[1].key_len, 5);      /* not windowed: a plain key */
        assert_int_equal(recs[2].key_len, -1);
        int32_t inner = -1;
        int64_t start = 0, end = 0;
        op_window_kind kind = session ? OP_WINDOW_SESSION : OP_WINDOW_HOPPING;
        EXPECT_OK(op_window_key_split(kind, 1000, (const uint8_t *)recs[0].key,
                                      recs[0].key_len, &inner, &start, &end, &err),
                  &err);
        assert_int_equal(inner, 1);
        assert_int_equal(recs[0].key[0], 'k');
        assert_true(start == 1581323504001LL);
        /* a time window's end is start + size; a session's is in the key */
        assert_true(end == 1581323505001LL);
        op_close(s);
    }
    serde_destroy(ks);
    /* session keys hold the end first, then the start */
    static const uint8_t sk[] = {'a', 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 4};
    int32_t inner;
    int64_t start, end;
    EXPECT_OK(op_window_key_split(OP_WINDOW_SESSION, -1, sk, sizeof sk, &inner, &start, &end,
                                  &err),
              &err);
    assert_int_equal(inner, 1);
    assert_true(start == 4 && end == 9);
    /* the end of a time window saturates */
    static const uint8_t tk[] = {0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xf0};
    EXPECT_OK(op_window_key_split(OP_WINDOW_TUMBLING, 1000, tk, sizeof tk, &inner, &start,
                                  &end, &err),
              &err);
    assert_int_equal(inner, 0);
    assert_true(end == INT64_MAX);
    /* too short for its window */
    assert_int_equal(op_window_key_split(OP_WINDOW_SESSION, -1, sk, 15, &inner, &start, &end,
                                         &err),
                     EDDY_ECORRUPT);
    assert_non_null(strstr(err.msg, "at least 16 bytes"));
    assert_int_equal(op_window_key_split(OP_WINDOW_TUMBLING, 10, NULL, -1, &inner, &start,
                                         &end, &err),
                     EDDY_ECORRUPT);
}

/* ---- a chain ---------------------------------------------------------------------------- */

static void test_chain_filter_project_sink(void **state)
{
    (void)state;
    /* WHERE OK  ->  SELECT NAME AS K, ID + 1  ->  KAFKA key, JSON value. The project's
     * output row is (K STRING, X BIGINT). */
    op *f, *p, *s;
    eddy_err err;
    eddy_err_clear(&err);
    const fn_expr *exprs[] = {name_col(), arith('+', EDDY_TYPE_BIGINT, id_col(), fnt_big(1))};
    serde_column kc = {"K", EDDY_TYPE_STRING, 0}, vc = {"X", EDDY_TYPE_BIGINT, 1};
    serde_format kf = {SERDE_KAFKA, ',', -1}, vf = {SERDE_JSON, ',', -1};
    serde *ks, *vs;
    EXPECT_OK(serde_create(&kf, &kc, 1, true, &ks, &err), &err);
    EXPECT_OK(serde_create(&vf, &vc, 1, false, &vs, &err), &err);
    EXPECT_OK(op_filter_create(&ctx, ok_col(), 0, &f, &err), &err);
    EXPECT_OK(op_project_create(&ctx, exprs, 2, 0, &p, &err), &err);
    EXPECT_OK(op_sink_create(&ctx, ks, vs, NULL, sink_write, NULL, &s, &err), &err);
    f->next = p;
    p->next = s;
    op_row in[] = {simple_row(1, "a", 1), simple_row(2, "b", 0), simple_row(3, "c", 1)};
    assert_int_equal(push(f, in, 3), 0);
    assert_int_equal(nrecs, 2);
    assert_string_equal(recs[0].key, "a");
    assert_string_equal(recs[0].value, "{\"X\":2}");
    assert_string_equal(recs[1].key, "c");
    assert_string_equal(recs[1].value, "{\"X\":4}");
    assert_int_equal(recs[1].timestamp, 1003);
    op_close(f);
    op_close(p);
    op_close(s);
    op_close(NULL);
    serde_destroy(ks);
    serde_destroy(vs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_filter_keeps_rows_where_predicate_is_true, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_filter_null_and_false_predicates_drop_rows, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_filter_constant_predicates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_filter_empty_batch_emits_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_filter_error_in_predicate_drops_row_and_logs, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_filter_propagates_downstream_error, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_filter_drops_null_value_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_project_evaluates_expressions_per_row, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_project_error_gives_null_and_logs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_project_lambda_uses_variable_slots, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_project_empty_batch_emits_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_project_null_value_computes_key_only_exprs, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_flatmap_explode_one_row_per_element, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_flatmap_several_functions_pad_with_null, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_flatmap_cube_explode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flatmap_function_error_logs_and_skips, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_flatmap_drops_null_value_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sink_encodes_key_and_value, sink_setup, teardown),
        cmocka_unit_test_setup_teardown(test_sink_null_single_value_is_tombstone, sink_setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_sink_without_serdes_writes_null_key_and_value,
                                        sink_setup, teardown),
        cmocka_unit_test_setup_teardown(test_sink_timestamp_expression, sink_setup, teardown),
        cmocka_unit_test_setup_teardown(test_sink_passes_headers_through, sink_setup, teardown),
        cmocka_unit_test_setup_teardown(test_sink_write_error_stops_the_batch, sink_setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_sink_null_value_and_null_key_rows, sink_setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_sink_negative_timestamp_drops_row, sink_setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_sink_windowed_keys_round_trip, sink_setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_chain_filter_project_sink, sink_setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
