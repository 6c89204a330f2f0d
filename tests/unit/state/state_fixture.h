/*
 * state_fixture.h - shared fixture of the state/ unit tests: a temp data directory with a
 * broker (no cleaner thread) and a state environment, helpers to open a task with stores,
 * to "crash" and reopen, and to read a changelog partition back.
 */
#ifndef EDDY_STATE_FIXTURE_H
#define EDDY_STATE_FIXTURE_H

#include "testutil.h"

#include <stdio.h>
#include <unistd.h>

#include "eddy/broker.h"
#include "eddy/state.h"
#include "../../../state/state_int.h"

typedef struct fixture {
    char *dir;
    broker *b;
    state_env *env;
    state_env_options opts;
    state_task *t;
    state_store *s[4];
} fixture;

static inline void fx_open_env(fixture *f)
{
    eddy_err err;
    eddy_err_clear(&err);
    if (!f->b) {
        broker_options o;
        broker_options_default(&o);
        o.cleaner_interval_ms = 0;
        EXPECT_OK(broker_open(f->dir, &o, &f->b, &err), &err);
    }
    EXPECT_OK(state_env_open(f->dir, f->b, &f->opts, &f->env, &err), &err);
}

static inline int fx_setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = test_tmpdir();
    state_env_options_default(&f->opts);
    f->opts.map_size = 64u << 20;
    fx_open_env(f);
    *state = f;
    return 0;
}

static inline void fx_close_task(fixture *f)
{
    state_task_close(f->t);
    f->t = NULL;
    memset(f->s, 0, sizeof f->s);
}

static inline int fx_teardown(void **state)
{
    fixture *f = *state;
    fx_close_task(f);
    state_env_close(f->env);
    broker_close(f->b);
    test_rmdir(f->dir);
    free(f);
    return 0;
}

/* Open task "q1"/'partition' (of 'nparts') with stores named in 'names' of 'kinds'; does not
 * restore. */
static inline void fx_open_task_norestore(fixture *f, int32_t partition, int32_t nparts,
                                          size_t nstores, const char *const *names,
                                          const state_store_kind *kinds)
{
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(state_task_open(f->env, "q1", partition, nparts, NULL, &f->t, &err), &err);
    for (size_t i = 0; i < nstores; i++)
        EXPECT_OK(state_store_open(f->t, names[i], kinds[i],
                                   kinds[i] == STATE_WINDOW ? 1000 : 0, &f->s[i], &err),
                  &err);
}

static inline state_restore_info fx_open_task(fixture *f, size_t nstores,
                                              const char *const *names,
                                              const state_store_kind *kinds)
{
    fx_open_task_norestore(f, 0, 1, nstores, names, kinds);
    eddy_err err;
    eddy_err_clear(&err);
    state_restore_info info;
    EXPECT_OK(state_task_restore(f->t, &info, &err), &err);
    return info;
}

/* One KV store "agg". */
static inline state_restore_info fx_open_kv(fixture *f)
{
    static const char *const names[] = {"agg"};
    static const state_store_kind kinds[] = {STATE_KV};
    return fx_open_task(f, 1, names, kinds);
}

/* Close the task without committing and close the env, as a crash would leave things
 * (LMDB and the broker are crash-safe at the process level). */
static inline void fx_crash(fixture *f)
{
    fx_close_task(f);
    state_env_close(f->env);
    f->env = NULL;
}

/* As fx_crash, then delete the LMDB files. */
static inline void fx_lose_lmdb(fixture *f)
{
    fx_crash(f);
    char p[1024];
    snprintf(p, sizeof p, "%s/state", f->dir);
    eddy_rmtree(p, NULL);
}

/* Restart the broker as well. */
static inline void fx_restart_broker(fixture *f)
{
    broker_close(f->b);
    f->b = NULL;
}

static inline void kv_put(fixture *f, int i, const char *k, const char *v)
{
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(state_kv_put(f->s[i], k, strlen(k), v, strlen(v), &err), &err);
}

static inline void kv_del(fixture *f, int i, const char *k)
{
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(state_kv_delete(f->s[i], k, strlen(k), &err), &err);
}

/* The value of 'k' as a NUL-terminated string in 'buf', or NULL when absent. */
static inline const char *kv_get(fixture *f, int i, const char *k, char *buf, size_t cap)
{
    eddy_err err;
    eddy_err_clear(&err);
    const void *v;
    size_t vl;
    int rc = state_kv_get(f->s[i], k, strlen(k), &v, &vl, &err);
    assert_true(rc == 0 || rc == 1);
    if (rc == 0)
        return NULL;
    assert_true(vl < cap);
    memcpy(buf, v, vl);
    buf[vl] = '\0';
    return buf;
}

static inline void fx_commit(fixture *f, const char *topic, int64_t offset)
{
    eddy_err err;
    eddy_err_clear(&err);
    state_offset o = {topic, 0, offset};
    state_offsets in = {&o, 1};
    EXPECT_OK(state_task_commit(f->t, &in, &err), &err);
}

/* Commit with an injected failure at 'point'; asserts the injected error. */
static inline void fx_commit_fail(fixture *f, int point, const char *topic, int64_t offset)
{
    eddy_err err;
    eddy_err_clear(&err);
    state_offset o = {topic, 0, offset};
    state_offsets in = {&o, 1};
    f->t->fail_point = point;
    assert_int_equal(state_task_commit(f->t, &in, &err), EDDY_EIO);
    assert_string_equal(err.msg, "state: injected failure");
}

/* A changelog record read back. */
typedef struct cl_rec {
    char key[64];
    int klen;
    char val[256];
    int vlen;          /* -1: tombstone */
    bool marker;
    int64_t offset;
} cl_rec;

/* Read partition 0 of 'topic' (up to 'max' records) into 'out'; returns the count. */
static inline int read_changelog(fixture *f, const char *topic, int32_t partition,
                                 cl_rec *out, int max)
{
    eddy_err err;
    eddy_err_clear(&err);
    broker_log *log;
    EXPECT_OK(broker_log_get(f->b, topic, partition, &log, &err), &err);
    int n = 0;
    int64_t off = broker_log_start_offset(log), end = broker_log_end_offset(log);
    while (off < end) {
        broker_fetch_result fr;
        EXPECT_OK(broker_log_fetch(log, off, 1 << 20, &fr, &err), &err);
        broker_iter it;
        broker_record r;
        broker_iter_init(&it, fr.data, fr.len, off);
        while (broker_iter_next(&it, &r, &err) == 1) {
            assert_true(n < max);
            cl_rec *c = &out[n++];
            memset(c, 0, sizeof *c);
            c->marker = state__is_marker(&r);
            c->offset = r.offset;
            c->klen = r.key_len;
            if (!c->marker && r.key_len > 0) {
                assert_true(r.key_len < (int)sizeof c->key);
                memcpy(c->key, r.key, (size_t)r.key_len);
            }
            c->vlen = r.value ? r.value_len : -1;
            if (!c->marker && r.value && r.value_len > 0) {
                assert_true(r.value_len < (int)sizeof c->val);
                memcpy(c->val, r.value, (size_t)r.value_len);
            }
        }
        off = fr.next_offset;
        broker_fetch_release(&fr);
    }
    broker_log_release(log);
    return n;
}

static inline int64_t changelog_end(fixture *f, const char *topic)
{
    eddy_err err;
    eddy_err_clear(&err);
    broker_log *log;
    EXPECT_OK(broker_log_get(f->b, topic, 0, &log, &err), &err);
    int64_t e = broker_log_end_offset(log);
    broker_log_release(log);
    return e;
}

#endif
