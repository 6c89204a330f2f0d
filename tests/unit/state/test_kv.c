/* Unit tests: key-value stores (get/put/delete through the cache and LMDB, scans merging
 * both, argument errors). */
#include "state_fixture.h"

static void test_kv_put_get_before_and_after_commit(void **state)
{
    fixture *f = *state;
    fx_open_kv(f);
    char buf[64];
    assert_null(kv_get(f, 0, "k1", buf, sizeof buf));
    kv_put(f, 0, "k1", "v1");
    kv_put(f, 0, "k2", "v2");
    kv_put(f, 0, "k1", "v1b");          /* overwrite in the cache */
    assert_string_equal(kv_get(f, 0, "k1", buf, sizeof buf), "v1b");
    fx_commit(f, "in", 10);
    state_stats st;
    state_task_stats(f->t, &st);
    assert_int_equal(st.cache_entries, 0);
    assert_int_equal(st.commits, 1);
    /* Now from LMDB. */
    assert_string_equal(kv_get(f, 0, "k1", buf, sizeof buf), "v1b");
    assert_string_equal(kv_get(f, 0, "k2", buf, sizeof buf), "v2");
    assert_null(kv_get(f, 0, "k3", buf, sizeof buf));
}

static void test_kv_delete_shadows_lmdb(void **state)
{
    fixture *f = *state;
    fx_open_kv(f);
    char buf[64];
    kv_put(f, 0, "a", "1");
    kv_put(f, 0, "b", "2");
    fx_commit(f, "in", 1);
    kv_del(f, 0, "a");
    assert_null(kv_get(f, 0, "a", buf, sizeof buf));       /* tombstone in the cache */
    assert_string_equal(kv_get(f, 0, "b", buf, sizeof buf), "2");
    kv_put(f, 0, "a", "3");                                  /* resurrect */
    assert_string_equal(kv_get(f, 0, "a", buf, sizeof buf), "3");
    kv_del(f, 0, "a");
    kv_del(f, 0, "zz");                                      /* absent: fine */
    fx_commit(f, "in", 2);
    assert_null(kv_get(f, 0, "a", buf, sizeof buf));
    assert_null(kv_get(f, 0, "zz", buf, sizeof buf));
    assert_string_equal(kv_get(f, 0, "b", buf, sizeof buf), "2");
}

static void test_kv_empty_value_is_not_absent(void **state)
{
    fixture *f = *state;
    fx_open_kv(f);
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(state_kv_put(f->s[0], "e", 1, NULL, 0, &err), &err);
    const void *v = NULL;
    size_t vl = 99;
    assert_int_equal(state_kv_get(f->s[0], "e", 1, &v, &vl, &err), 1);
    assert_int_equal(vl, 0);
    assert_non_null(v);
    fx_commit(f, "in", 1);
    vl = 99;
    assert_int_equal(state_kv_get(f->s[0], "e", 1, &v, &vl, &err), 1);
    assert_int_equal(vl, 0);
}

/* Collect a scan into "k=v," text. */
static void scan_text(state_store *s, const char *from, const char *to, char *out, size_t cap)
{
    eddy_err err;
    eddy_err_clear(&err);
    state_iter *it;
    EXPECT_OK(state_store_scan(s, from, from ? strlen(from) : 0, to, to ? strlen(to) : 0,
                               &it, &err), &err);
    out[0] = '\0';
    state_entry e;
    int rc;
    while ((rc = state_iter_next(it, &e, &err)) == 1) {
        size_t l = strlen(out);
        snprintf(out + l, cap - l, "%.*s=%.*s,", (int)e.key_len, (const char *)e.key,
                 (int)e.value_len, (const char *)e.value);
    }
    assert_int_equal(rc, 0);
    state_iter_close(it);
}

static void test_kv_scan_merges_cache_and_lmdb(void **state)
{
    fixture *f = *state;
    fx_open_kv(f);
    kv_put(f, 0, "b", "lmdb-b");
    kv_put(f, 0, "d", "lmdb-d");
    kv_put(f, 0, "f", "lmdb-f");
    kv_put(f, 0, "h", "lmdb-h");
    fx_commit(f, "in", 1);
    kv_put(f, 0, "a", "c-a");        /* only in the cache, before everything */
    kv_put(f, 0, "d", "c-d");        /* overrides LMDB */
    kv_del(f, 0, "f");               /* deletes an LMDB entry */
    kv_put(f, 0, "g", "c-g");        /* between LMDB entries */
    kv_del(f, 0, "x");               /* tombstone of an absent key */
    kv_put(f, 0, "z", "c-z");        /* after everything */
    char out[512];
    scan_text(f->s[0], NULL, NULL, out, sizeof out);
    assert_string_equal(out, "a=c-a,b=lmdb-b,d=c-d,g=c-g,h=lmdb-h,z=c-z,");
    scan_text(f->s[0], "b", "h", out, sizeof out);           /* [b, h) */
    assert_string_equal(out, "b=lmdb-b,d=c-d,g=c-g,");
    scan_text(f->s[0], "c", NULL, out, sizeof out);
    assert_string_equal(out, "d=c-d,g=c-g,h=lmdb-h,z=c-z,");
    scan_text(f->s[0], NULL, "b", out, sizeof out);
    assert_string_equal(out, "a=c-a,");
    /* After commit the same view comes from LMDB alone. */
    fx_commit(f, "in", 2);
    scan_text(f->s[0], NULL, NULL, out, sizeof out);
    assert_string_equal(out, "a=c-a,b=lmdb-b,d=c-d,g=c-g,h=lmdb-h,z=c-z,");
}

static void test_kv_scan_allows_writes_and_commit_refuses_open_iterators(void **state)
{
    fixture *f = *state;
    fx_open_kv(f);
    kv_put(f, 0, "a", "1");
    kv_put(f, 0, "c", "3");
    fx_commit(f, "in", 1);
    eddy_err err;
    eddy_err_clear(&err);
    state_iter *it;
    EXPECT_OK(state_store_scan(f->s[0], NULL, 0, NULL, 0, &it, &err), &err);
    state_entry e;
    assert_int_equal(state_iter_next(it, &e, &err), 1);
    assert_memory_equal(e.key, "a", 1);
    kv_put(f, 0, "b", "2");          /* after the position: seen */
    kv_put(f, 0, "a", "9");          /* before it: not seen again */
    assert_int_equal(state_iter_next(it, &e, &err), 1);
    assert_memory_equal(e.key, "b", 1);
    assert_memory_equal(e.value, "2", 1);
    /* Commit with an open iterator is refused and does not fail the task. */
    state_offset o = {"in", 0, 2};
    state_offsets in = {&o, 1};
    assert_int_equal(state_task_commit(f->t, &in, &err), EDDY_EINVAL);
    assert_int_equal(state_iter_next(it, &e, &err), 1);
    assert_memory_equal(e.key, "c", 1);
    assert_int_equal(state_iter_next(it, &e, &err), 0);
    state_iter_close(it);
    fx_commit(f, "in", 2);
    char buf[16];
    assert_string_equal(kv_get(f, 0, "a", buf, sizeof buf), "9");
}

static void test_kv_many_keys_ordered(void **state)
{
    fixture *f = *state;
    fx_open_kv(f);
    char k[32], v[32];
    /* Even keys committed, odd keys in the cache, every 10th deleted in the cache. */
    for (int i = 0; i < 2000; i += 2) {
        snprintf(k, sizeof k, "key%05d", i);
        snprintf(v, sizeof v, "v%d", i);
        kv_put(f, 0, k, v);
    }
    fx_commit(f, "in", 1);
    for (int i = 1; i < 2000; i += 2) {
        snprintf(k, sizeof k, "key%05d", i);
        snprintf(v, sizeof v, "v%d", i);
        kv_put(f, 0, k, v);
    }
    for (int i = 0; i < 2000; i += 10) {
        snprintf(k, sizeof k, "key%05d", i);
        kv_del(f, 0, k);
    }
    eddy_err err;
    eddy_err_clear(&err);
    state_iter *it;
    EXPECT_OK(state_store_scan(f->s[0], NULL, 0, NULL, 0, &it, &err), &err);
    state_entry e;
    int i = 0, n = 0;
    while (state_iter_next(it, &e, &err) == 1) {
        if (i % 10 == 0)
            i++;
        snprintf(k, sizeof k, "key%05d", i);
        snprintf(v, sizeof v, "v%d", i);
        assert_int_equal(e.key_len, strlen(k));
        assert_memory_equal(e.key, k, e.key_len);
        assert_int_equal(e.value_len, strlen(v));
        assert_memory_equal(e.value, v, e.value_len);
        i++;
        n++;
    }
    state_iter_close(it);
    assert_int_equal(n, 1800);
}

static void test_kv_argument_errors(void **state)
{
    fixture *f = *state;
    eddy_err err;
    eddy_err_clear(&err);
    static const char *const names[] = {"agg"};
    static const state_store_kind kinds[] = {STATE_KV};
    fx_open_task_norestore(f, 0, 1, 1, names, kinds);
    const void *v;
    size_t vl;
    /* Before restore. */
    assert_int_equal(state_kv_put(f->s[0], "a", 1, "b", 1, &err), EDDY_EINVAL);
    eddy_err_clear(&err);
    assert_int_equal(state_task_commit(f->t, NULL, &err), EDDY_EINVAL);
    eddy_err_clear(&err);
    state_store *dup;
    assert_int_equal(state_store_open(f->t, "agg", STATE_KV, 0, &dup, &err), EDDY_EEXIST);
    eddy_err_clear(&err);
    assert_int_equal(state_store_open(f->t, "bad/name", STATE_KV, 0, &dup, &err),
                     EDDY_EINVAL);
    eddy_err_clear(&err);
    assert_int_equal(state_store_open(f->t, "w", STATE_WINDOW, 0, &dup, &err), EDDY_EINVAL);
    eddy_err_clear(&err);
    EXPECT_OK(state_task_restore(f->t, NULL, &err), &err);
    assert_int_equal(state_task_restore(f->t, NULL, &err), EDDY_EINVAL);
    eddy_err_clear(&err);
    assert_int_equal(state_store_open(f->t, "late", STATE_KV, 0, &dup, &err), EDDY_EINVAL);
    eddy_err_clear(&err);
    /* Wrong kind, empty key, key too large. */
    assert_int_equal(state_window_put(f->s[0], "a", 1, 0, "b", 1, &err), EDDY_EINVAL);
    eddy_err_clear(&err);
    assert_int_equal(state_kv_get(f->s[0], "", 0, &v, &vl, &err), EDDY_EINVAL);
    eddy_err_clear(&err);
    char big[600];
    memset(big, 'x', sizeof big);
    assert_true(state_store_max_key(f->s[0]) < sizeof big);
    assert_int_equal(state_kv_put(f->s[0], big, sizeof big, "b", 1, &err), EDDY_ETOOLARGE);
    eddy_err_clear(&err);
    EXPECT_OK(state_kv_put(f->s[0], big, state_store_max_key(f->s[0]), "b", 1, &err), &err);
    /* The same task cannot be opened twice. */
    state_task *t2;
    assert_int_equal(state_task_open(f->env, "q1", 0, 1, NULL, &t2, &err), EDDY_EEXIST);
    eddy_err_clear(&err);
    assert_int_equal(state_task_open(f->env, "q1", 3, 2, NULL, &t2, &err), EDDY_EINVAL);
    assert_string_equal(state_store_changelog(f->s[0]), "q1-agg-changelog");
    assert_string_equal(state_store_name(f->s[0]), "agg");
}

static void test_kv_values_survive_reopen(void **state)
{
    fixture *f = *state;
    fx_open_kv(f);
    kv_put(f, 0, "a", "1");
    fx_commit(f, "in", 5);
    fx_close_task(f);
    state_env_close(f->env);
    fx_open_env(f);
    state_restore_info info = fx_open_kv(f);
    assert_int_equal(info.mode, STATE_RESTORE_RESUMED);
    char buf[16];
    assert_string_equal(kv_get(f, 0, "a", buf, sizeof buf), "1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_kv_put_get_before_and_after_commit, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_kv_delete_shadows_lmdb, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_kv_empty_value_is_not_absent, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_kv_scan_merges_cache_and_lmdb, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(
            test_kv_scan_allows_writes_and_commit_refuses_open_iterators, fx_setup,
            fx_teardown),
        cmocka_unit_test_setup_teardown(test_kv_many_keys_ordered, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_kv_argument_errors, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_kv_values_survive_reopen, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
