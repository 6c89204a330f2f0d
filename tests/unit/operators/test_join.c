/*
 * test_join.c - the stream-table join operator (operators/op_join.c) driven directly over a
 * real state store: table rows (port 1) are materialized by key, replaced and deleted by
 * tombstones; stream rows (port 0) meet the current table row (INNER drops misses, LEFT pads
 * them with NULL); null join values, null-key table rows and null stream values are dropped;
 * the joined row keeps the stream row's rowtime; the materialized table survives a crash
 * (rebuilt from the changelog after a commit). Table-table joins (both ports table changes):
 * INNER, LEFT and FULL changes with their old rows, tombstones for deletes, the rowtime the
 * later of the two rows, the join key in the key column also for right-only rows.
 * Stream-stream joins over a window store: matches within (before, after) in both
 * directions, outer sides emitted at once without a match.
 *
 * Left (stream) rows: 0: ID BIGINT, 1: V STRING. Right (table) rows: 0: ID BIGINT,
 * 1: NAME STRING, 2: ROWTIME BIGINT.
 */
#include "../state/state_fixture.h"

#include "eddy/operators.h"

#define MAXROWS 32

typedef struct collector {
    op base;
    op_row rows[MAXROWS];
    size_t nrows;
} collector;

static int collect_process(op *self, int port, const op_batch *in, eddy_err *err)
{
    (void)port;
    (void)err;
    collector *c = (collector *)self;
    for (size_t i = 0; i < in->n; i++) {
        assert_true(c->nrows < MAXROWS);
        c->rows[c->nrows++] = in->rows[i];
    }
    return 0;
}

static const op_ops collect_ops = {"collect", collect_process, NULL, NULL};

typedef struct jfx {
    fixture *f;
    eddy_arena arena;
    op_ctx ctx;
    collector coll;
    op *join;
    op_join_spec spec;
    const eddy_type *rtypes[3];
} jfx;

static void open_join(jfx *j, bool left_outer)
{
    static const char *const names[] = {"Join-Right-Materialize"};
    static const state_store_kind kinds[] = {STATE_KV};
    fx_open_task(j->f, 1, names, kinds);
    j->rtypes[0] = EDDY_TYPE_BIGINT;
    j->rtypes[1] = EDDY_TYPE_STRING;
    j->rtypes[2] = EDDY_TYPE_BIGINT;
    j->spec = (op_join_spec){.left_ncols = 2, .left_key = 0, .right_ncols = 3, .right_key = 0,
                             .right_types = j->rtypes, .left_outer = left_outer,
                             .alt_key = -1};
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(op_join_create(&j->ctx, &j->spec, j->f->s[0], &j->join, &err), &err);
    memset(&j->coll, 0, sizeof j->coll);
    j->coll.base.ops = &collect_ops;
    j->join->next = &j->coll.base;
}

static int setup(void **state)
{
    fx_setup(state);
    jfx *j = calloc(1, sizeof *j);
    j->f = *state;
    eddy_arena_init(&j->arena, 1 << 16);
    j->ctx.arena = &j->arena;
    *state = j;
    return 0;
}

static int teardown(void **state)
{
    jfx *j = *state;
    op_close(j->join);
    eddy_arena_destroy(&j->arena);
    void *f = j->f;
    free(j);
    return fx_teardown(&f);
}

static eddy_value *vals(jfx *j, int n, const eddy_value *v)
{
    eddy_value *c = eddy_arena_alloc(&j->arena, sizeof *c * (size_t)n);
    memcpy(c, v, sizeof *c * (size_t)n);
    return c;
}

static void table(jfx *j, int64_t id, const char *name, int64_t ts)
{
    eddy_value v[3] = {eddy_value_bigint(id),
                       name ? eddy_value_string(name, strlen(name))
                            : eddy_value_null(EDDY_T_STRING),
                       eddy_value_bigint(ts)};
    op_row r = {.cols = vals(j, 3, v), .rowtime = ts, .value_null = name == NULL};
    op_batch b = {&r, 1};
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(j->join->ops->process(j->join, 1, &b, &err), &err);
}

static void stream(jfx *j, bool null_id, int64_t id, const char *v, int64_t ts)
{
    eddy_value c[2] = {null_id ? eddy_value_null(EDDY_T_BIGINT) : eddy_value_bigint(id),
                       v ? eddy_value_string(v, strlen(v)) : eddy_value_null(EDDY_T_STRING)};
    op_row r = {.cols = vals(j, 2, c), .rowtime = ts, .value_null = v == NULL};
    op_batch b = {&r, 1};
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(j->join->ops->process(j->join, 0, &b, &err), &err);
}

/* Joined row i: left V and right NAME (NULL as "-"), and the rowtime. */
static void expect(jfx *j, size_t i, const char *v, const char *name, int64_t ts)
{
    assert_true(i < j->coll.nrows);
    const op_row *r = &j->coll.rows[i];
    assert_int_equal(r->rowtime, ts);
    assert_false(r->cols[1].null);
    assert_memory_equal(r->cols[1].u.str, v, strlen(v));
    if (!name) {
        assert_true(r->cols[3].null);
        assert_true(r->cols[2].null);
        return;
    }
    assert_false(r->cols[3].null);
    assert_int_equal(r->cols[3].n, strlen(name));
    assert_memory_equal(r->cols[3].u.str, name, strlen(name));
    assert_int_equal(r->cols[2].u.i64, r->cols[0].u.i64);   /* right key = left key */
}

static void test_inner(void **state)
{
    jfx *j = *state;
    open_join(j, false);
    stream(j, false, 1, "early", 5);          /* no table row yet: dropped */
    table(j, 1, "ann", 10);
    table(j, 2, "bob", 11);
    stream(j, false, 1, "a", 20);
    stream(j, false, 2, "b", 21);
    table(j, 1, "anna", 30);                  /* update */
    stream(j, false, 1, "c", 40);
    table(j, 2, NULL, 50);                    /* tombstone */
    stream(j, false, 2, "d", 60);
    stream(j, true, 0, "nullkey", 61);
    stream(j, false, 1, NULL, 62);            /* null value */
    assert_int_equal(j->coll.nrows, 3);
    expect(j, 0, "a", "ann", 20);
    expect(j, 1, "b", "bob", 21);
    expect(j, 2, "c", "anna", 40);
    assert_int_equal(j->coll.rows[2].cols[4].u.i64, 30);   /* the table row's ROWTIME */
}

static void test_left(void **state)
{
    jfx *j = *state;
    open_join(j, true);
    stream(j, false, 7, "miss", 1);
    table(j, 7, "gus", 2);
    stream(j, false, 7, "hit", 3);
    stream(j, true, 0, "nullkey", 4);
    table(j, 7, NULL, 5);
    stream(j, false, 7, "gone", 6);
    assert_int_equal(j->coll.nrows, 3);
    expect(j, 0, "miss", NULL, 1);
    expect(j, 1, "hit", "gus", 3);
    expect(j, 2, "gone", NULL, 6);
}

static void test_restored_after_crash(void **state)
{
    jfx *j = *state;
    open_join(j, false);
    table(j, 3, "cat", 1);
    table(j, 4, "dog", 2);
    eddy_err err;
    eddy_err_clear(&err);
    state_offset off = {"t", 0, 2};
    state_offsets offs = {&off, 1};
    EXPECT_OK(state_task_commit(j->f->t, &offs, &err), &err);
    op_close(j->join);
    j->join = NULL;
    fx_lose_lmdb(j->f);                       /* only the changelog is left */
    fx_open_env(j->f);
    open_join(j, false);
    stream(j, false, 4, "x", 10);
    stream(j, false, 3, "y", 11);
    assert_int_equal(j->coll.nrows, 2);
    expect(j, 0, "x", "dog", 10);
    expect(j, 1, "y", "cat", 11);
}

/* ---- table-table: left rows 0: ID BIGINT, 1: V STRING; right rows as above ---------- */

static void open_tt(jfx *j, bool left_outer, bool right_outer)
{
    open_join(j, left_outer);
    static const eddy_type *ltypes[2];
    ltypes[0] = EDDY_TYPE_BIGINT;
    ltypes[1] = EDDY_TYPE_STRING;
    j->spec.table_table = true;
    j->spec.right_outer = right_outer;
    j->spec.left_types = ltypes;
    j->spec.out_ncols = 5;
    j->spec.out_key = 0;
    op_close(j->join);
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(op_join_create(&j->ctx, &j->spec, j->f->s[0], &j->join, &err), &err);
    j->join->next = &j->coll.base;
}

/* left table row (v NULL: a delete) */
static void ltable(jfx *j, int64_t id, const char *v, int64_t ts)
{
    stream(j, false, id, v, ts);
}

/* Change i: key, new V / NAME ("-" absent row: a delete), old present, rowtime. */
static void expect_change(jfx *j, size_t i, int64_t key, const char *v, const char *name,
                          bool deleted, bool has_old, int64_t ts)
{
    assert_true(i < j->coll.nrows);
    const op_row *r = &j->coll.rows[i];
    assert_true(r->flags & OP_ROW_CHANGE);
    assert_int_equal(r->cols[0].u.i64, key);
    assert_int_equal(r->value_null, deleted);
    assert_int_equal(r->old != NULL, has_old);
    assert_int_equal(r->rowtime, ts);
    if (deleted)
        return;
    if (v) {
        assert_false(r->cols[1].null);
        assert_memory_equal(r->cols[1].u.str, v, strlen(v));
    } else {
        assert_true(r->cols[1].null);
    }
    if (name) {
        assert_false(r->cols[3].null);
        assert_memory_equal(r->cols[3].u.str, name, strlen(name));
    } else {
        assert_true(r->cols[3].null);
    }
}

static void test_table_inner(void **state)
{
    jfx *j = *state;
    open_tt(j, false, false);
    ltable(j, 1, "a", 10);            /* no right row: nothing */
    table(j, 1, "x", 20);             /* joins: rowtime max(10, 20) */
    ltable(j, 1, "b", 15);            /* update: old joined row, rowtime 20 */
    table(j, 1, NULL, 30);            /* right delete: tombstone */
    ltable(j, 1, "c", 40);            /* nothing */
    assert_int_equal(j->coll.nrows, 3);
    expect_change(j, 0, 1, "a", "x", false, false, 20);
    expect_change(j, 1, 1, "b", "x", false, true, 20);
    expect_change(j, 2, 1, NULL, NULL, true, true, 30);
}

static void test_table_left_right_full(void **state)
{
    jfx *j = *state;
    open_tt(j, true, false);          /* LEFT */
    ltable(j, 1, "a", 10);
    table(j, 1, "x", 20);
    table(j, 2, "y", 21);             /* no left row: nothing */
    table(j, 1, NULL, 30);            /* left row kept, right columns NULL */
    ltable(j, 1, NULL, 40);           /* left delete: tombstone */
    assert_int_equal(j->coll.nrows, 4);
    expect_change(j, 0, 1, "a", NULL, false, false, 10);
    expect_change(j, 1, 1, "a", "x", false, true, 20);
    expect_change(j, 2, 1, "a", NULL, false, true, 30);
    expect_change(j, 3, 1, NULL, NULL, true, true, 40);
}

static void test_table_full(void **state)
{
    jfx *j = *state;
    open_tt(j, true, true);           /* FULL */
    table(j, 5, "r", 1);              /* right only: key from the right row */
    ltable(j, 5, "l", 2);
    table(j, 5, NULL, 3);
    ltable(j, 5, NULL, 4);
    assert_int_equal(j->coll.nrows, 4);
    expect_change(j, 0, 5, NULL, "r", false, false, 1);
    expect_change(j, 1, 5, "l", "r", false, true, 2);
    expect_change(j, 2, 5, "l", NULL, false, true, 3);
    expect_change(j, 3, 5, NULL, NULL, true, true, 4);
}

/* ---- stream-stream: left rows 0: ID, 1: V; right rows 0: ID, 1: NAME, 2: ROWTIME -------- */

static void open_ss(jfx *j, bool left_outer, bool right_outer, int64_t before, int64_t after)
{
    open_tt(j, left_outer, right_outer);
    j->spec.table_table = false;
    j->spec.stream_stream = true;
    j->spec.before_ms = before;
    j->spec.after_ms = after;
    j->spec.grace_ms = 0;
    j->spec.alt_key = -1;
    op_close(j->join);
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(op_join_create(&j->ctx, &j->spec, j->f->s[0], &j->join, &err), &err);
    j->join->next = &j->coll.base;
}

static void open_window_store(jfx *j)
{
    /* reopen the task with a window store instead of the KV one */
    op_close(j->join);
    j->join = NULL;
    fx_close_task(j->f);
    static const char *const names[] = {"Join-Windows"};
    static const state_store_kind kinds[] = {STATE_WINDOW};
    fx_open_task(j->f, 1, names, kinds);
}

static void test_stream_inner_window(void **state)
{
    jfx *j = *state;
    open_ss(j, false, false, 1000, 2000);
    open_window_store(j);
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(op_join_create(&j->ctx, &j->spec, j->f->s[0], &j->join, &err), &err);
    j->join->next = &j->coll.base;
    stream(j, false, 1, "a", 10000);          /* left at 10 s: right in [9 s, 12 s] */
    table(j, 1, "early", 8999);               /* left in [7 s, 9.999 s]: none */
    table(j, 1, "x", 12000);                  /* left in [10 s, 13 s]: a */
    table(j, 1, "y", 9000);                   /* left in [7 s, 10 s]: a */
    stream(j, false, 1, "b", 11000);          /* right in [10 s, 13 s]: x */
    stream(j, false, 2, "c", 11000);          /* other key */
    stream(j, false, 1, NULL, 11000);         /* null value */
    assert_int_equal(j->coll.nrows, 3);
    expect(j, 0, "a", "x", 12000);
    expect(j, 1, "a", "y", 10000);
    expect(j, 2, "b", "x", 12000);
}

static void test_stream_outer(void **state)
{
    jfx *j = *state;
    open_ss(j, true, true, 1000, 1000);
    open_window_store(j);
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(op_join_create(&j->ctx, &j->spec, j->f->s[0], &j->join, &err), &err);
    j->join->next = &j->coll.base;
    stream(j, false, 1, "a", 5000);           /* no right yet: (a, NULL) */
    table(j, 2, "z", 5000);                   /* no left: (NULL, z), key 2 */
    table(j, 1, "x", 5500);                   /* matches a */
    assert_int_equal(j->coll.nrows, 3);
    expect(j, 0, "a", NULL, 5000);
    const op_row *r = &j->coll.rows[1];
    assert_true(r->cols[1].null);
    assert_int_equal(r->cols[0].u.i64, 2);    /* the join key */
    assert_memory_equal(r->cols[3].u.str, "z", 1);
    expect(j, 2, "a", "x", 5500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_inner, setup, teardown),
        cmocka_unit_test_setup_teardown(test_left, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restored_after_crash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_table_inner, setup, teardown),
        cmocka_unit_test_setup_teardown(test_table_left_right_full, setup, teardown),
        cmocka_unit_test_setup_teardown(test_table_full, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream_inner_window, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stream_outer, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
