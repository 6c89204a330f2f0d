/* Unit tests: restore (rebuild from changelogs after LMDB loss or damage, big restore
 * transactions, progress) and the crash-consistency rule (commit marker = commit point):
 * crashes between the commit steps lose nothing and apply nothing twice. */
#include "state_fixture.h"

#include <fcntl.h>
#include <sys/stat.h>

/* All entries of store i as "k=v;" (malloc'ed). */
static char *dump(fixture *f, int i)
{
    eddy_err err;
    eddy_err_clear(&err);
    state_iter *it;
    EXPECT_OK(state_store_scan(f->s[i], NULL, 0, NULL, 0, &it, &err), &err);
    eddy_buf b;
    eddy_buf_init(&b);
    state_entry e;
    while (state_iter_next(it, &e, &err) == 1)
        eddy_buf_printf(&b, "%.*s@%lld=%.*s;", (int)e.key_len, (const char *)e.key,
                        (long long)e.start, (int)e.value_len, (const char *)e.value);
    state_iter_close(it);
    char *s = strdup(eddy_buf_cstr(&b) ? (char *)b.data : "");
    eddy_buf_free(&b);
    return s;
}

static void fill(fixture *f, int epochs, int per_epoch)
{
    char k[32], v[32];
    for (int e = 0; e < epochs; e++) {
        for (int i = 0; i < per_epoch; i++) {
            snprintf(k, sizeof k, "key%04d", (e * 7 + i * 13) % 500);
            snprintf(v, sizeof v, "e%d-i%d", e, i);
            if (i % 11 == 5)
                kv_del(f, 0, k);
            else
                kv_put(f, 0, k, v);
        }
        fx_commit(f, "in", (e + 1) * 1000);
    }
}

static void test_rebuild_after_lmdb_deleted_is_identical(void **state)
{
    fixture *f = *state;
    fx_open_kv(f);
    fill(f, 6, 200);
    char *before = dump(f, 0);
    assert_true(strlen(before) > 1000);
    fx_lose_lmdb(f);
    fx_open_env(f);
    assert_false(state_env_recreated(f->env));
    state_restore_info info = fx_open_kv(f);
    assert_int_equal(info.mode, STATE_RESTORE_REBUILT);
    /* 6 epochs of 200 distinct-key records each (a key repeats within an epoch at most
     * once: the cache keeps one record per key) were logged; all are applied. */
    int64_t logged = changelog_end(f, "q1-agg-changelog") - 6;    /* minus the markers */
    assert_int_equal(info.restored, logged);
    assert_int_equal(info.voided, 0);
    assert_int_equal(info.epoch, 6);
    assert_true(info.have_inputs);
    assert_int_equal(info.inputs.items[0].offset, 6000);
    char *after = dump(f, 0);
    assert_string_equal(after, before);
    free(before);
    free(after);
    /* And the next open resumes without reading. */
    fx_close_task(f);
    info = fx_open_kv(f);
    assert_int_equal(info.mode, STATE_RESTORE_RESUMED);
    assert_int_equal(info.restored, 0);
    assert_int_equal(f->t->st.changelog_read, 0);
}

static int64_t prog_calls, prog_last_restored, prog_last_total;
static void on_progress(void *ctx, int64_t restored, int64_t total)
{
    (void)ctx;
    prog_calls++;
    assert_true(restored >= prog_last_restored);
    prog_last_restored = restored;
    prog_last_total = total;
}

static void test_rebuild_uses_big_transactions_and_reports_progress(void **state)
{
    fixture *f = *state;
    fx_open_kv(f);
    char k[32];
    eddy_err err;
    eddy_err_clear(&err);
    for (int i = 0; i < 10000; i++) {
        snprintf(k, sizeof k, "k%05d", i);
        EXPECT_OK(state_kv_put(f->s[0], k, strlen(k), "value", 5, &err), &err);
    }
    fx_commit(f, "in", 10000);
    fx_lose_lmdb(f);
    /* restore_batch 1000: 10 full transactions, one with the checkpoint, one emptying. */
    f->opts.restore_batch = 1000;
    fx_open_env(f);
    state_task_options to = {on_progress, NULL};
    EXPECT_OK(state_task_open(f->env, "q1", 0, 1, &to, &f->t, &err), &err);
    EXPECT_OK(state_store_open(f->t, "agg", STATE_KV, 0, &f->s[0], &err), &err);
    prog_calls = prog_last_restored = prog_last_total = 0;
    state_restore_info info;
    EXPECT_OK(state_task_restore(f->t, &info, &err), &err);
    assert_int_equal(info.restored, 10000);
    state_stats st;
    state_task_stats(f->t, &st);
    assert_int_equal(st.restore_txns, 12);
    assert_int_equal(st.restored, 10000);
    assert_int_equal(st.restore_total, 10001);          /* the marker is read, not applied */
    assert_true(prog_calls >= 10);
    assert_int_equal(prog_last_restored, 10000);
    assert_int_equal(prog_last_total, 10001);
    int64_t r, t;
    state_task_progress(f->t, &r, &t);
    assert_int_equal(r, 10000);
    assert_int_equal(t, 10001);
    char buf[16];
    assert_string_equal(kv_get(f, 0, "k09999", buf, sizeof buf), "value");

    /* The default batch (100000): the emptying transaction and one with everything. */
    fx_lose_lmdb(f);
    f->opts.restore_batch = 100000;
    fx_open_env(f);
    info = fx_open_kv(f);
    state_task_stats(f->t, &st);
    assert_int_equal(st.restore_txns, 2);
    assert_int_equal(info.restored, 10000);
}

/* Epoch 1 commits a=1, b=1 at input 10; epoch 2 (a=2, c=2, b deleted, input 20) stops at
 * 'point'. */
static void two_epochs(fixture *f, int point)
{
    fx_open_kv(f);
    kv_put(f, 0, "a", "1");
    kv_put(f, 0, "b", "1");
    fx_commit(f, "in", 10);
    kv_put(f, 0, "a", "2");
    kv_put(f, 0, "c", "2");
    kv_del(f, 0, "b");
    fx_commit_fail(f, point, "in", 20);
    /* A failed task refuses everything but close. */
    eddy_err err;
    eddy_err_clear(&err);
    assert_int_equal(state_kv_put(f->s[0], "x", 1, "y", 1, &err), EDDY_EINVAL);
    fx_crash(f);
    fx_open_env(f);
}

static void assert_epoch1(fixture *f, const state_restore_info *info)
{
    char buf[16];
    assert_int_equal(info->inputs.items[0].offset, 10);
    assert_string_equal(kv_get(f, 0, "a", buf, sizeof buf), "1");
    assert_string_equal(kv_get(f, 0, "b", buf, sizeof buf), "1");
    assert_null(kv_get(f, 0, "c", buf, sizeof buf));
}

static void assert_epoch2(fixture *f, const state_restore_info *info)
{
    char buf[16];
    assert_int_equal(info->inputs.items[0].offset, 20);
    assert_string_equal(kv_get(f, 0, "a", buf, sizeof buf), "2");
    assert_null(kv_get(f, 0, "b", buf, sizeof buf));
    assert_string_equal(kv_get(f, 0, "c", buf, sizeof buf), "2");
}

static void test_crash_after_changelog_data_voids_the_epoch(void **state)
{
    fixture *f = *state;
    two_epochs(f, STATE_FAIL_AFTER_DATA);
    /* Changelog: a=1 b=1 M1 | a=2 b=- c=2 (no marker). */
    assert_int_equal(changelog_end(f, "q1-agg-changelog"), 6);
    state_restore_info info = fx_open_kv(f);
    assert_int_equal(info.mode, STATE_RESTORE_RESUMED);
    assert_int_equal(info.voided, 3);
    assert_int_equal(info.restored, 0);
    assert_int_equal(info.epoch, 2);             /* the compensation is epoch 2 */
    assert_epoch1(f, &info);
    /* The void records were followed by the committed values and a marker. */
    cl_rec r[16];
    int n = read_changelog(f, "q1-agg-changelog", 0, r, 16);
    assert_int_equal(n, 10);
    assert_string_equal(r[6].key, "a");
    assert_string_equal(r[6].val, "1");
    assert_string_equal(r[7].key, "b");
    assert_string_equal(r[7].val, "1");
    assert_string_equal(r[8].key, "c");
    assert_int_equal(r[8].vlen, -1);
    assert_true(r[9].marker);
    /* A later rebuild from the changelog agrees. */
    fx_lose_lmdb(f);
    fx_open_env(f);
    info = fx_open_kv(f);
    assert_int_equal(info.mode, STATE_RESTORE_REBUILT);
    assert_int_equal(info.voided, 0);
    assert_epoch1(f, &info);
}

static void test_crash_after_data_with_lmdb_lost_ignores_void(void **state)
{
    fixture *f = *state;
    two_epochs(f, STATE_FAIL_AFTER_DATA);
    fx_lose_lmdb(f);
    fx_open_env(f);
    state_restore_info info = fx_open_kv(f);
    assert_int_equal(info.mode, STATE_RESTORE_REBUILT);
    assert_int_equal(info.restored, 2);          /* a=1, b=1 */
    assert_int_equal(info.voided, 3);
    assert_epoch1(f, &info);
    fx_close_task(f);
    info = fx_open_kv(f);
    assert_int_equal(info.mode, STATE_RESTORE_RESUMED);
    assert_epoch1(f, &info);
}

static void test_crash_after_marker_rolls_forward(void **state)
{
    fixture *f = *state;
    two_epochs(f, STATE_FAIL_AFTER_MARKER);
    state_restore_info info = fx_open_kv(f);
    assert_int_equal(info.mode, STATE_RESTORE_ROLLED_FORWARD);
    assert_int_equal(info.restored, 3);
    assert_int_equal(info.voided, 0);
    assert_int_equal(info.epoch, 2);
    assert_epoch2(f, &info);
    assert_int_equal(changelog_end(f, "q1-agg-changelog"), 7);   /* nothing appended */
    fx_close_task(f);
    info = fx_open_kv(f);
    assert_int_equal(info.mode, STATE_RESTORE_RESUMED);
    assert_epoch2(f, &info);
}

static void test_crash_before_lmdb_commit_rolls_forward(void **state)
{
    fixture *f = *state;
    two_epochs(f, STATE_FAIL_BEFORE_LMDB_COMMIT);
    state_restore_info info = fx_open_kv(f);
    assert_int_equal(info.mode, STATE_RESTORE_ROLLED_FORWARD);
    assert_int_equal(info.restored, 3);
    assert_epoch2(f, &info);
    /* Same result from a rebuild. */
    fx_lose_lmdb(f);
    fx_open_env(f);
    info = fx_open_kv(f);
    assert_int_equal(info.mode, STATE_RESTORE_REBUILT);
    assert_epoch2(f, &info);
}

static void test_crash_during_compensation_is_repaired_later(void **state)
{
    fixture *f = *state;
    two_epochs(f, STATE_FAIL_AFTER_DATA);
    /* The restore's compensating commit crashes after its data too. */
    fx_open_task_norestore(f, 0, 1, 1, (const char *const[]){"agg"},
                           (const state_store_kind[]){STATE_KV});
    f->t->fail_point = STATE_FAIL_AFTER_DATA;
    eddy_err err;
    eddy_err_clear(&err);
    assert_int_equal(state_task_restore(f->t, NULL, &err), EDDY_EIO);
    fx_crash(f);
    fx_open_env(f);
    assert_int_equal(changelog_end(f, "q1-agg-changelog"), 9);
    state_restore_info info = fx_open_kv(f);
    assert_int_equal(info.mode, STATE_RESTORE_RESUMED);
    assert_int_equal(info.voided, 6);
    assert_epoch1(f, &info);
    fx_lose_lmdb(f);
    fx_open_env(f);
    info = fx_open_kv(f);
    assert_epoch1(f, &info);
}

static void test_multi_store_crash_between_stores(void **state)
{
    fixture *f = *state;
    static const char *const names[] = {"a_marker", "b_other"};
    static const state_store_kind kinds[] = {STATE_KV, STATE_KV};
    fx_open_task(f, 2, names, kinds);
    kv_put(f, 0, "x", "1");
    kv_put(f, 1, "y", "1");
    fx_commit(f, "in", 1);
    kv_put(f, 0, "x", "2");
    kv_put(f, 1, "y", "2");
    /* b_other's records are appended first, then a_marker's: stop after the data. */
    fx_commit_fail(f, STATE_FAIL_AFTER_DATA, "in", 2);
    fx_crash(f);
    assert_int_equal(changelog_end(f, "q1-b_other-changelog"), 2);
    fx_lose_lmdb(f);
    fx_open_env(f);
    state_restore_info info = fx_open_task(f, 2, names, kinds);
    assert_int_equal(info.mode, STATE_RESTORE_REBUILT);
    assert_int_equal(info.voided, 2);         /* y=2 and x=2, without a marker */
    char buf[16];
    assert_string_equal(kv_get(f, 0, "x", buf, sizeof buf), "1");
    assert_string_equal(kv_get(f, 1, "y", buf, sizeof buf), "1");
    assert_int_equal(info.inputs.items[0].offset, 1);
    /* Crash after the marker: both stores roll forward. */
    kv_put(f, 0, "x", "3");
    kv_put(f, 1, "y", "3");
    fx_commit_fail(f, STATE_FAIL_AFTER_MARKER, "in", 3);
    fx_crash(f);
    fx_open_env(f);
    info = fx_open_task(f, 2, names, kinds);
    assert_int_equal(info.mode, STATE_RESTORE_ROLLED_FORWARD);
    assert_string_equal(kv_get(f, 0, "x", buf, sizeof buf), "3");
    assert_string_equal(kv_get(f, 1, "y", buf, sizeof buf), "3");
    assert_int_equal(info.inputs.items[0].offset, 3);
}

/* ---- the property: counting with crashes at every step gives exact counts ---- */

static uint64_t rng_state = 88172645463325252ULL;
static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

#define NKEYS 17
#define NINPUT 3000
static int input_key(int64_t off) { return (int)((off * 7919 + off / 3) % NKEYS); }

static void test_counting_with_random_crashes_is_exact(void **state)
{
    fixture *f = *state;
    eddy_err err;
    eddy_err_clear(&err);
    int crashes = 0, rebuilds = 0, lost = 0;
    state_restore_info info = fx_open_kv(f);
    int64_t pos = 0;
    while (pos < NINPUT) {
        /* Process a batch: count[key] += 1 for each input record. */
        int64_t n = 1 + (int64_t)(rnd() % 150);
        for (int64_t i = 0; i < n && pos < NINPUT; i++, pos++) {
            char k[16];
            snprintf(k, sizeof k, "k%02d", input_key(pos));
            const void *v;
            size_t vl;
            long c = 0;
            int rc = state_kv_get(f->s[0], k, strlen(k), &v, &vl, &err);
            assert_true(rc == 0 || rc == 1);
            if (rc == 1) {
                char tmp[32];
                memcpy(tmp, v, vl);
                tmp[vl] = '\0';
                c = atol(tmp);
            }
            char nv[32];
            snprintf(nv, sizeof nv, "%ld", c + 1);
            EXPECT_OK(state_kv_put(f->s[0], k, strlen(k), nv, strlen(nv), &err), &err);
        }
        int what = (int)(rnd() % 10);
        if (what < 5) {
            fx_commit(f, "in", pos);
            continue;
        }
        /* Crash: without commit, or at a commit step; sometimes LMDB is lost too. */
        if (what >= 6)
            fx_commit_fail(f, what == 6 ? STATE_FAIL_AFTER_DATA : what == 7
                           ? STATE_FAIL_AFTER_MARKER : STATE_FAIL_BEFORE_LMDB_COMMIT,
                           "in", pos);
        crashes++;
        if (rnd() % 3 == 0) {
            fx_lose_lmdb(f);
            lost++;
        } else {
            fx_crash(f);
        }
        if (rnd() % 2)
            fx_restart_broker(f);
        fx_open_env(f);
        info = fx_open_kv(f);
        rebuilds += info.mode == STATE_RESTORE_REBUILT;
        pos = info.have_inputs ? info.inputs.items[0].offset : 0;
    }
    fx_commit(f, "in", pos);
    /* Expected counts. */
    long want[NKEYS] = {0};
    for (int64_t o = 0; o < NINPUT; o++)
        want[input_key(o)]++;
    for (int k = 0; k < NKEYS; k++) {
        char key[16], buf[32];
        snprintf(key, sizeof key, "k%02d", k);
        const char *v = kv_get(f, 0, key, buf, sizeof buf);
        assert_non_null(v);
        assert_int_equal(atol(v), want[k]);
    }
    assert_true(crashes >= 10);
    assert_true(lost >= 3);
    assert_true(rebuilds >= 3);
    /* A final rebuild from the changelog gives the same counts. */
    fx_lose_lmdb(f);
    fx_open_env(f);
    info = fx_open_kv(f);
    assert_int_equal(info.inputs.items[0].offset, NINPUT);
    for (int k = 0; k < NKEYS; k++) {
        char key[16], buf[32];
        snprintf(key, sizeof key, "k%02d", k);
        assert_int_equal(atol(kv_get(f, 0, key, buf, sizeof buf)), want[k]);
    }
}

/* ---- damaged environments ---- */

static void test_corrupt_env_is_moved_aside_and_rebuilt(void **state)
{
    fixture *f = *state;
    fx_open_kv(f);
    fill(f, 3, 50);
    char *before = dump(f, 0);
    fx_crash(f);
    char p[1024];
    snprintf(p, sizeof p, "%s/state/data.mdb", f->dir);
    int fd = open(p, O_WRONLY);
    assert_true(fd >= 0);
    char junk[8192];
    memset(junk, 0x5A, sizeof junk);
    assert_int_equal(pwrite(fd, junk, sizeof junk, 0), (ssize_t)sizeof junk);
    close(fd);
    fx_open_env(f);
    assert_true(state_env_recreated(f->env));
    struct stat st;
    snprintf(p, sizeof p, "%s/state.damaged/data.mdb", f->dir);
    assert_int_equal(stat(p, &st), 0);
    state_restore_info info = fx_open_kv(f);
    assert_int_equal(info.mode, STATE_RESTORE_REBUILT);
    char *after = dump(f, 0);
    assert_string_equal(after, before);
    free(before);
    free(after);
}

static void test_damaged_flag_and_reboot_discard_env(void **state)
{
    fixture *f = *state;
    fx_open_kv(f);
    kv_put(f, 0, "a", "1");
    fx_commit(f, "in", 1);
    fx_crash(f);
    /* Not closed cleanly before a "reboot": another boot id in OPEN. */
    char p[1024];
    snprintf(p, sizeof p, "%s/state/OPEN", f->dir);
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(eddy_write_file_atomic(p, "not-this-boot", 13, &err), &err);
    fx_open_env(f);
    assert_true(state_env_recreated(f->env));
    state_restore_info info = fx_open_kv(f);
    assert_int_equal(info.mode, STATE_RESTORE_REBUILT);
    char buf[16];
    assert_string_equal(kv_get(f, 0, "a", buf, sizeof buf), "1");
    fx_crash(f);
    /* Same boot (a process crash): trusted. */
    fx_open_env(f);
    assert_false(state_env_recreated(f->env));
    info = fx_open_kv(f);
    assert_int_equal(info.mode, STATE_RESTORE_RESUMED);
    fx_crash(f);
    /* The DAMAGED flag left by a corruption error. */
    snprintf(p, sizeof p, "%s/state/DAMAGED", f->dir);
    EXPECT_OK(eddy_write_file_atomic(p, "x", 1, &err), &err);
    fx_open_env(f);
    assert_true(state_env_recreated(f->env));
    info = fx_open_kv(f);
    assert_int_equal(info.mode, STATE_RESTORE_REBUILT);
    assert_string_equal(kv_get(f, 0, "a", buf, sizeof buf), "1");
}

static void test_inconsistent_checkpoint_rebuilds(void **state)
{
    fixture *f = *state;
    fx_open_kv(f);
    kv_put(f, 0, "a", "1");
    fx_commit(f, "in", 1);
    fx_close_task(f);
    /* A store added to the task: not in the checkpoint, so everything is rebuilt. */
    static const char *const names[] = {"agg", "zz"};
    static const state_store_kind kinds[] = {STATE_KV, STATE_SESSION};
    state_restore_info info = fx_open_task(f, 2, names, kinds);
    assert_int_equal(info.mode, STATE_RESTORE_REBUILT);
    assert_int_equal(info.restored, 1);
    assert_int_equal(info.inputs.items[0].offset, 1);
    char buf[16];
    assert_string_equal(kv_get(f, 0, "a", buf, sizeof buf), "1");
    fx_close_task(f);
    /* The changelog deleted and recreated empty (shorter than the checkpoint says): the
     * state follows the changelog, and the inputs are unknown. */
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(broker_topic_delete(f->b, "q1-agg-changelog", &err), &err);
    info = fx_open_task(f, 2, names, kinds);
    assert_int_equal(info.mode, STATE_RESTORE_REBUILT);
    assert_false(info.have_inputs);
    assert_null(kv_get(f, 0, "a", buf, sizeof buf));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rebuild_after_lmdb_deleted_is_identical,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(
            test_rebuild_uses_big_transactions_and_reports_progress, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_crash_after_changelog_data_voids_the_epoch,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_crash_after_data_with_lmdb_lost_ignores_void,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_crash_after_marker_rolls_forward, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_crash_before_lmdb_commit_rolls_forward, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_crash_during_compensation_is_repaired_later,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_multi_store_crash_between_stores, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_counting_with_random_crashes_is_exact, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_env_is_moved_aside_and_rebuilt, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_damaged_flag_and_reboot_discard_env, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_inconsistent_checkpoint_rebuilds, fx_setup,
                                        fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
