/* Unit tests: task commit (changelog records, commit marker and LMDB checkpoint written
 * together, batching, no-op commits) and resuming from a checkpoint without replay. */
#include "state_fixture.h"

/* The LMDB checkpoint of task "q1/0", decoded into 'a'. Returns false if absent. */
static bool read_lmdb_ckpt(fixture *f, eddy_arena *a, state_ckpt *c)
{
    MDB_txn *txn;
    assert_int_equal(mdb_txn_begin(f->env->mdb, NULL, MDB_RDONLY, &txn), 0);
    MDB_val k = {4, "q1/0"}, v;
    int rc = mdb_get(txn, f->env->ckpt_dbi, &k, &v);
    bool found = rc == 0;
    if (found) {
        eddy_err err;
        eddy_err_clear(&err);
        EXPECT_OK(state__ckpt_decode(v.mv_data, v.mv_size, a, c, &err), &err);
    }
    mdb_txn_abort(txn);
    return found;
}

static void test_commit_writes_changelog_marker_and_checkpoint(void **state)
{
    fixture *f = *state;
    fx_open_kv(f);
    kv_put(f, 0, "b", "2");
    kv_put(f, 0, "a", "1");
    kv_del(f, 0, "c");
    eddy_err err;
    eddy_err_clear(&err);
    state_offset in[2] = {{"orders", 0, 10}, {"users", 3, 7}};
    state_offsets ins = {in, 2};
    EXPECT_OK(state_task_commit(f->t, &ins, &err), &err);

    /* Changelog: one record per key in key order, then the marker; one append. */
    cl_rec r[8];
    int n = read_changelog(f, "q1-agg-changelog", 0, r, 8);
    assert_int_equal(n, 4);
    assert_string_equal(r[0].key, "a");
    assert_string_equal(r[0].val, "1");
    assert_string_equal(r[1].key, "b");
    assert_string_equal(r[1].val, "2");
    assert_string_equal(r[2].key, "c");
    assert_int_equal(r[2].vlen, -1);
    assert_true(r[3].marker);
    state_stats st;
    state_task_stats(f->t, &st);
    assert_int_equal(st.changelog_appends, 1);
    assert_int_equal(st.changelog_records, 4);
    assert_int_equal(st.commit_txns, 1);
    assert_int_equal(st.epoch, 1);

    /* LMDB: the checkpoint of epoch 1 with both inputs and the changelog end. */
    eddy_arena a;
    eddy_arena_init(&a, 4096);
    state_ckpt c;
    assert_true(read_lmdb_ckpt(f, &a, &c));
    assert_int_equal(c.epoch, 1);
    assert_int_equal(c.ninputs, 2);
    assert_string_equal(c.inputs[0].topic, "orders");
    assert_int_equal(c.inputs[0].offset, 10);
    assert_string_equal(c.inputs[1].topic, "users");
    assert_int_equal(c.inputs[1].partition, 3);
    assert_int_equal(c.inputs[1].offset, 7);
    assert_int_equal(c.nstores, 1);
    assert_string_equal(c.names[0], "agg");
    assert_int_equal(c.ends[0], 4);
    eddy_arena_destroy(&a);

    /* The marker carries the same inputs (its own store's end is -1: at the marker). */
    broker_log *log;
    EXPECT_OK(broker_log_get(f->b, "q1-agg-changelog", 0, &log, &err), &err);
    broker_fetch_result fr;
    EXPECT_OK(broker_log_fetch(log, 3, 1 << 20, &fr, &err), &err);
    broker_iter it;
    broker_record rec;
    broker_iter_init(&it, fr.data, fr.len, 3);
    assert_int_equal(broker_iter_next(&it, &rec, &err), 1);
    eddy_arena_init(&a, 4096);
    EXPECT_OK(state__ckpt_decode(rec.value, (size_t)rec.value_len, &a, &c, &err), &err);
    assert_int_equal(c.epoch, 1);
    assert_int_equal(c.ninputs, 2);
    assert_int_equal(c.inputs[0].offset, 10);
    assert_int_equal(c.ends[0], -1);
    eddy_arena_destroy(&a);
    broker_fetch_release(&fr);
    broker_log_release(log);

    state_offsets got;
    assert_int_equal(state_task_checkpoint(f->t, &got), 1);
    assert_int_equal(got.n, 2);
    assert_string_equal(got.items[1].topic, "users");
    assert_int_equal(got.items[1].offset, 7);
}

static void test_commit_noop_and_offsets_only(void **state)
{
    fixture *f = *state;
    fx_open_kv(f);
    kv_put(f, 0, "a", "1");
    fx_commit(f, "in", 1);
    int64_t end = changelog_end(f, "q1-agg-changelog");
    assert_int_equal(end, 2);
    fx_commit(f, "in", 1);                   /* nothing changed: nothing written */
    assert_int_equal(changelog_end(f, "q1-agg-changelog"), 2);
    state_stats st;
    state_task_stats(f->t, &st);
    assert_int_equal(st.commits, 1);
    fx_commit(f, "in", 5);                   /* offsets moved: a marker alone */
    cl_rec r[8];
    int n = read_changelog(f, "q1-agg-changelog", 0, r, 8);
    assert_int_equal(n, 3);
    assert_true(r[2].marker);
    state_task_stats(f->t, &st);
    assert_int_equal(st.commits, 2);
    assert_int_equal(st.epoch, 2);
    state_offsets got;
    assert_int_equal(state_task_checkpoint(f->t, &got), 1);
    assert_int_equal(got.items[0].offset, 5);
}

static void test_commit_batches_many_records_in_one_transaction(void **state)
{
    fixture *f = *state;
    fx_open_kv(f);
    char k[32], v[200];
    memset(v, 'v', sizeof v);
    eddy_err err;
    eddy_err_clear(&err);
    for (int i = 0; i < 20000; i++) {
        snprintf(k, sizeof k, "key-%06d", i);
        EXPECT_OK(state_kv_put(f->s[0], k, strlen(k), v, 150, &err), &err);
    }
    fx_commit(f, "in", 20000);
    state_stats st;
    state_task_stats(f->t, &st);
    /* ~3.6 MB of records: several appends of < 1 MiB each, one LMDB transaction. */
    assert_true(st.changelog_appends >= 4 && st.changelog_appends <= 6);
    assert_int_equal(st.changelog_records, 20001);
    assert_int_equal(st.commit_txns, 1);
    assert_int_equal(changelog_end(f, "q1-agg-changelog"), 20001);
    const void *val;
    size_t vl;
    assert_int_equal(state_kv_get(f->s[0], "key-019999", 10, &val, &vl, &err), 1);
    assert_int_equal(vl, 150);
}

static void test_reopen_resumes_from_checkpoint_without_replay(void **state)
{
    fixture *f = *state;
    fx_open_kv(f);
    for (int e = 1; e <= 5; e++) {
        char k[16], v[16];
        snprintf(k, sizeof k, "k%d", e);
        snprintf(v, sizeof v, "v%d", e);
        kv_put(f, 0, k, v);
        fx_commit(f, "in", e * 100);
    }
    fx_close_task(f);
    state_env_close(f->env);
    fx_restart_broker(f);
    fx_open_env(f);
    state_restore_info info = fx_open_kv(f);
    assert_int_equal(info.mode, STATE_RESTORE_RESUMED);
    assert_int_equal(info.restored, 0);
    assert_int_equal(info.voided, 0);
    assert_int_equal(info.epoch, 5);
    assert_true(info.have_inputs);
    assert_int_equal(info.inputs.n, 1);
    assert_string_equal(info.inputs.items[0].topic, "in");
    assert_int_equal(info.inputs.items[0].offset, 500);
    state_stats st;
    state_task_stats(f->t, &st);
    assert_int_equal(st.changelog_read, 0);     /* the changelog was not read at all */
    assert_int_equal(st.restored, 0);
    assert_int_equal(st.restore_txns, 0);
    int64_t r, t;
    state_task_progress(f->t, &r, &t);
    assert_int_equal(r, 0);
    assert_int_equal(t, 0);
    char buf[16];
    assert_string_equal(kv_get(f, 0, "k3", buf, sizeof buf), "v3");
    assert_string_equal(kv_get(f, 0, "k5", buf, sizeof buf), "v5");
    /* Commits continue the epochs. */
    kv_put(f, 0, "k6", "v6");
    fx_commit(f, "in", 600);
    state_task_stats(f->t, &st);
    assert_int_equal(st.epoch, 6);
}

static void test_marker_goes_to_first_store_with_other_ends(void **state)
{
    fixture *f = *state;
    static const char *const names[] = {"zeta", "alpha"};
    static const state_store_kind kinds[] = {STATE_KV, STATE_WINDOW};
    fx_open_task(f, 2, names, kinds);
    /* f->s[] is in open order; the task sorts by name, so "alpha" holds the marker. */
    eddy_err err;
    eddy_err_clear(&err);
    kv_put(f, 0, "k", "z1");
    kv_put(f, 0, "l", "z2");
    EXPECT_OK(state_window_put(f->s[1], "k", 1, 0, "w", 1, &err), &err);
    fx_commit(f, "in", 3);
    cl_rec r[8];
    int n = read_changelog(f, "q1-zeta-changelog", 0, r, 8);
    assert_int_equal(n, 2);
    assert_false(r[0].marker || r[1].marker);
    n = read_changelog(f, "q1-alpha-changelog", 0, r, 8);
    assert_int_equal(n, 2);
    assert_false(r[0].marker);
    assert_true(r[1].marker);
    eddy_arena a;
    eddy_arena_init(&a, 4096);
    state_ckpt c;
    assert_true(read_lmdb_ckpt(f, &a, &c));
    assert_int_equal(state__ckpt_end(&c, "zeta"), 2);
    assert_int_equal(state__ckpt_end(&c, "alpha"), 2);
    eddy_arena_destroy(&a);
    /* Only the zeta store dirty: zeta's records, then a marker in alpha's changelog. */
    kv_put(f, 0, "m", "z3");
    fx_commit(f, "in", 4);
    assert_int_equal(changelog_end(f, "q1-zeta-changelog"), 3);
    assert_int_equal(changelog_end(f, "q1-alpha-changelog"), 3);
}

static void test_task_without_stores_checkpoints_inputs(void **state)
{
    fixture *f = *state;
    fx_open_task(f, 0, NULL, NULL);
    fx_commit(f, "in", 42);
    fx_close_task(f);
    state_restore_info info = fx_open_task(f, 0, NULL, NULL);
    assert_int_equal(info.mode, STATE_RESTORE_RESUMED);
    assert_true(info.have_inputs);
    assert_int_equal(info.inputs.items[0].offset, 42);
    /* With LMDB lost there is no record of the inputs: the caller's consumer group. */
    fx_lose_lmdb(f);
    fx_open_env(f);
    info = fx_open_task(f, 0, NULL, NULL);
    assert_int_equal(info.mode, STATE_RESTORE_FRESH);
    assert_false(info.have_inputs);
}

static void test_map_full_grows_the_map(void **state)
{
    fixture *f = *state;
    fx_close_task(f);
    state_env_close(f->env);
    f->opts.map_size = 1u << 20;              /* 1 MiB: far too small */
    fx_open_env(f);
    fx_open_kv(f);
    char k[32], v[200];
    memset(v, 'x', sizeof v);
    eddy_err err;
    eddy_err_clear(&err);
    for (int i = 0; i < 20000; i++) {
        snprintf(k, sizeof k, "key-%06d", i);
        EXPECT_OK(state_kv_put(f->s[0], k, strlen(k), v, 100, &err), &err);
    }
    fx_commit(f, "in", 1);
    state_stats st;
    state_task_stats(f->t, &st);
    assert_true(st.map_resizes >= 1);
    assert_true(st.commit_txns >= 2);           /* retried after growing */
    const void *val;
    size_t vl;
    assert_int_equal(state_kv_get(f->s[0], "key-012345", 10, &val, &vl, &err), 1);
    assert_int_equal(vl, 100);
    /* A rebuild into a small map grows it too. */
    fx_lose_lmdb(f);
    fx_open_env(f);
    state_restore_info info = fx_open_kv(f);
    assert_int_equal(info.mode, STATE_RESTORE_REBUILT);
    assert_int_equal(info.restored, 20000);
    assert_int_equal(state_kv_get(f->s[0], "key-000007", 10, &val, &vl, &err), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_commit_writes_changelog_marker_and_checkpoint,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_commit_noop_and_offsets_only, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_commit_batches_many_records_in_one_transaction,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_reopen_resumes_from_checkpoint_without_replay,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_marker_goes_to_first_store_with_other_ends,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_task_without_stores_checkpoints_inputs, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_map_full_grows_the_map, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
