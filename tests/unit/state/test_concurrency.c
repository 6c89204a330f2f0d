/* Unit tests: tasks on different threads sharing one environment (commits serialise on
 * LMDB's writer lock; map growth waits for the other tasks' snapshots to end at their
 * commits). Speed is measured in bench/, not here: this checks results only. */
#include "state_fixture.h"

#include <pthread.h>

#define ROUNDS 30
#define PER_ROUND 400

typedef struct worker {
    fixture *f;
    int32_t partition;
    int rc;
    char msg[sizeof ((eddy_err *)0)->msg];
} worker;

static void *run(void *arg)
{
    worker *w = arg;
    eddy_err err;
    eddy_err_clear(&err);
    state_task *t = NULL;
    state_store *s = NULL;
    int rc = state_task_open(w->f->env, "qc", w->partition, 2, NULL, &t, &err);
    if (rc == 0)
        rc = state_store_open(t, "agg", STATE_KV, 0, &s, &err);
    if (rc == 0)
        rc = state_task_restore(t, NULL, &err);
    char k[32], v[128];
    for (int r = 0; rc == 0 && r < ROUNDS; r++) {
        for (int i = 0; rc == 0 && i < PER_ROUND; i++) {
            snprintf(k, sizeof k, "p%d-key-%04d-%02d", (int)w->partition, i, r);
            memset(v, 'a' + r % 26, sizeof v);
            rc = state_kv_put(s, k, strlen(k), v, sizeof v, &err);
            /* Read back an entry of the previous round: keeps a snapshot open. */
            const void *val;
            size_t vl;
            if (rc == 0 && r > 0) {
                snprintf(k, sizeof k, "p%d-key-%04d-%02d", (int)w->partition, i, r - 1);
                rc = state_kv_get(s, k, strlen(k), &val, &vl, &err);
                rc = rc == 1 && vl == sizeof v && ((const char *)val)[0] == 'a' + (r - 1) % 26
                         ? 0 : (rc < 0 ? rc : EDDY_ECORRUPT);
            }
        }
        if (rc == 0) {
            state_offset o = {"in", w->partition, (r + 1) * PER_ROUND};
            state_offsets in = {&o, 1};
            rc = state_task_commit(t, &in, &err);
        }
    }
    w->rc = rc;
    snprintf(w->msg, sizeof w->msg, "%s", err.msg);
    state_task_close(t);
    return NULL;
}

static void test_two_threads_commit_and_grow_the_map(void **state)
{
    fixture *f = *state;
    state_env_close(f->env);
    f->opts.map_size = 1u << 20;     /* 1 MiB: both tasks force growth */
    fx_open_env(f);
    worker w[2] = {{f, 0, 0, ""}, {f, 1, 0, ""}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&th[i], NULL, run, &w[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < 2; i++)
        if (w[i].rc)
            fail_msg("worker %d: %d %s", i, w[i].rc, w[i].msg);
    /* Everything of both tasks is there after a reopen. */
    eddy_err err;
    eddy_err_clear(&err);
    for (int32_t p = 0; p < 2; p++) {
        state_task *t;
        state_store *s;
        state_restore_info info;
        EXPECT_OK(state_task_open(f->env, "qc", p, 2, NULL, &t, &err), &err);
        EXPECT_OK(state_store_open(t, "agg", STATE_KV, 0, &s, &err), &err);
        EXPECT_OK(state_task_restore(t, &info, &err), &err);
        assert_int_equal(info.mode, STATE_RESTORE_RESUMED);
        assert_int_equal(info.inputs.items[0].offset, ROUNDS * PER_ROUND);
        state_iter *it;
        EXPECT_OK(state_store_scan(s, NULL, 0, NULL, 0, &it, &err), &err);
        state_entry e;
        int n = 0;
        while (state_iter_next(it, &e, &err) == 1)
            n++;
        state_iter_close(it);
        assert_int_equal(n, ROUNDS * PER_ROUND);
        state_task_close(t);
    }
    assert_true(atomic_load(&f->env->map_resizes) >= 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_two_threads_commit_and_grow_the_map, fx_setup,
                                        fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
