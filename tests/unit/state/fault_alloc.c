/* Fault injection: every allocation of a task's life (open, store open, restore, writes,
 * commit) made to fail in turn. Each failure must surface as an error (no crash, no leak
 * under ASan), and after reopening, the state and the input offsets must be those of one
 * whole commit: the last successful one or the failed one, never a mix. */
#include "state_fixture.h"

/* Open, restore, write k1 = k2 = "v<i>", commit at input offset i, close. Returns 0 when
 * everything succeeded. */
static int attempt(fixture *f, int i)
{
    eddy_err err;
    eddy_err_clear(&err);
    state_task *t = NULL;
    state_store *s = NULL, *w = NULL;
    char v[16];
    snprintf(v, sizeof v, "v%d", i);
    int rc = state_task_open(f->env, "q1", 0, 1, NULL, &t, &err);
    if (rc == 0)
        rc = state_store_open(t, "agg", STATE_KV, 0, &s, &err);
    if (rc == 0)
        rc = state_store_open(t, "win", STATE_WINDOW, 1000, &w, &err);
    if (rc == 0)
        rc = state_task_restore(t, NULL, &err);
    if (rc == 0)
        rc = state_kv_put(s, "k1", 2, v, strlen(v), &err);
    if (rc == 0)
        rc = state_window_put(w, "k2", 2, 0, v, strlen(v), &err);
    state_iter *it = NULL;
    if (rc == 0)
        rc = state_window_fetch(w, "k2", 2, 0, 0, &it, &err);
    state_iter_close(it);
    if (rc == 0) {
        state_offset o = {"in", 0, i};
        state_offsets in = {&o, 1};
        rc = state_task_commit(t, &in, &err);
    }
    if (rc != 0)
        assert_true(err.code != 0 && err.msg[0] != '\0');
    state_task_close(t);
    return rc;
}

static void check_whole_commit(fixture *f)
{
    static const char *const names[] = {"agg", "win"};
    static const state_store_kind kinds[] = {STATE_KV, STATE_WINDOW};
    state_restore_info info = fx_open_task(f, 2, names, kinds);
    char b1[32];
    const char *v1 = kv_get(f, 0, "k1", b1, sizeof b1);
    eddy_err err;
    eddy_err_clear(&err);
    const void *v2;
    size_t l2;
    int found = state_window_get(f->s[1], "k2", 2, 0, &v2, &l2, &err);
    if (!info.have_inputs) {
        assert_null(v1);
        assert_int_equal(found, 0);
    } else {
        char want[16];
        snprintf(want, sizeof want, "v%lld", (long long)info.inputs.items[0].offset);
        assert_non_null(v1);
        assert_string_equal(v1, want);
        assert_int_equal(found, 1);
        assert_int_equal(l2, strlen(want));
        assert_memory_equal(v2, want, l2);
    }
    fx_close_task(f);
}

static void test_alloc_failures_keep_commits_whole(void **state)
{
    fixture *f = *state;
    int failures = 0;
    for (int n = 0; n < 2000; n++) {
        eddy_alloc_fail_after(n);
        int rc = attempt(f, n + 1);
        eddy_alloc_fail_after(-1);
        check_whole_commit(f);
        if (rc == 0)
            break;
        failures++;
    }
    assert_true(failures > 20);
    /* The final successful attempt is what a reopen shows. */
    static const char *const names[] = {"agg", "win"};
    static const state_store_kind kinds[] = {STATE_KV, STATE_WINDOW};
    state_restore_info info = fx_open_task(f, 2, names, kinds);
    assert_true(info.have_inputs);
    assert_int_equal(info.inputs.items[0].offset, failures + 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_alloc_failures_keep_commits_whole, fx_setup,
                                        fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
