/*
 * restore.c - state_task_restore: bring a task's LMDB stores to its last committed epoch
 * (the rule is in task.c's header).
 *
 * Algorithm, per task (stores sorted by name, stores[0] is the marker store):
 *   1. Read the LMDB checkpoint C and every changelog's [start, end) offsets.
 *   2. C is usable when it lists exactly the task's stores, each store's database existed
 *      before this open, and each recorded end offset <= the changelog's end. Then:
 *        - all recorded ends == changelog ends: RESUMED, nothing is read;
 *        - else scan the marker store's tail [C.end, end) for the last marker M; if there is
 *          one, replay every store's records [C.end, M.end) into LMDB (ROLLED_FORWARD);
 *          otherwise the tails are void and the commit point stays C.
 *      Otherwise (REBUILT): one transaction empties the stores' databases and deletes C; the
 *      marker store's whole changelog is scanned for the last marker M; every store's records
 *      [start, M.end) are replayed (no marker: nothing is committed, everything is void).
 *   3. Replays apply records in order (a tombstone deletes) in write transactions of
 *      restore_batch records; the last one also writes the checkpoint of the commit point.
 *      Progress (records applied / records to read) is published after each transaction.
 *   4. Void records (after the commit point in any changelog) are neutralised: their keys are
 *      collected in the stores' caches, each set to the value LMDB now holds for it (or a
 *      delete), and a forced commit appends them with a new marker and a new checkpoint.
 *
 * Crash during restore: C is only replaced by the final transaction of step 3 (or deleted in
 * REBUILT's first transaction), and replays are idempotent, so a new restore starts over from
 * whatever was durable. MDB_MAP_FULL: the partial transaction is aborted, the map grown, and
 * the restore started over (at most 8 times).
 */
#include "state_int.h"

#define FETCH_BYTES (8u << 20)
#define RESTART 1          /* restore_once: map was full, grow and start over */

typedef struct restore_writer {
    state_task *t;
    MDB_txn *txn;
    size_t ops;
    int64_t applied;
} restore_writer;

static int rw_begin(restore_writer *w, eddy_err *err)
{
    if (w->txn)
        return 0;
    state__writer_enter(w->t->env);
    int rc = mdb_txn_begin(w->t->env->mdb, NULL, 0, &w->txn);
    if (rc) {
        w->txn = NULL;
        state__writer_leave(w->t->env);
        return state__mdb_err(w->t->env, rc, err, "begin restore");
    }
    return 0;
}

static void rw_abort(restore_writer *w)
{
    if (w->txn) {
        mdb_txn_abort(w->txn);
        w->txn = NULL;
        state__writer_leave(w->t->env);
    }
}

static void progress(restore_writer *w)
{
    state_task *t = w->t;
    atomic_store(&t->prog_restored, w->applied);
    if (t->opts.progress)
        t->opts.progress(t->opts.progress_ctx, w->applied, atomic_load(&t->prog_total));
}

/* Commit the open transaction, after writing checkpoint 'ck' (may be NULL) into it.
 * Returns 0, RESTART on a full map, or an error. */
static int rw_commit(restore_writer *w, const eddy_buf *ck, eddy_err *err)
{
    if (!w->txn && !ck)
        return 0;
    int rc = rw_begin(w, err);
    if (rc)
        return rc;
    if (ck) {
        MDB_val k = {strlen(w->t->name), w->t->name}, v = {ck->len, ck->data};
        rc = mdb_put(w->txn, w->t->env->ckpt_dbi, &k, &v, 0);
    }
    if (rc == 0)
        rc = mdb_txn_commit(w->txn);
    else
        mdb_txn_abort(w->txn);
    w->txn = NULL;
    state__writer_leave(w->t->env);
    w->t->st.restore_txns++;
    w->ops = 0;
    if (rc == MDB_MAP_FULL)
        return RESTART;
    if (rc)
        return state__mdb_err(w->t->env, rc, err, "commit restore");
    progress(w);
    return 0;
}

static int rw_apply(restore_writer *w, state_store *s, const broker_record *r, eddy_err *err)
{
    int rc = rw_begin(w, err);
    if (rc)
        return rc;
    rc = state__store_apply(s, w->txn, r->key, r->key ? (size_t)r->key_len : 0, r->value,
                            r->value ? r->value_len : -1, err);
    if (rc == MDB_MAP_FULL) {
        rw_abort(w);
        return RESTART;
    }
    if (rc < 0 && rc > -100)
        return rc;
    if (rc)
        return state__mdb_err(w->t->env, rc, err, "restore");
    w->applied++;
    w->t->st.restored++;
    if (++w->ops >= w->t->env->opts.restore_batch)
        return rw_commit(w, NULL, err);
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Reading changelogs
 * ------------------------------------------------------------------------------------------- */

typedef int (*record_fn)(void *ctx, state_store *s, const broker_record *r, eddy_err *err);

/* Call 'fn' for every record of s's changelog with offset in [from, to). */
static int each_record(state_store *s, int64_t from, int64_t to, record_fn fn, void *ctx,
                       eddy_err *err)
{
    int64_t start = broker_log_start_offset(s->log);
    if (from < start)
        from = start;
    int64_t off = from;
    while (off < to) {
        broker_fetch_result fr;
        int rc = broker_log_fetch(s->log, off, FETCH_BYTES, &fr, err);
        if (rc)
            return rc;
        if (fr.len == 0) {
            broker_fetch_release(&fr);
            break;
        }
        broker_iter it;
        broker_record r;
        broker_iter_init(&it, fr.data, fr.len, off);
        int irc;
        rc = 0;
        while (rc == 0 && (irc = broker_iter_next(&it, &r, err)) == 1) {
            if (r.offset >= to)
                break;
            s->task->st.changelog_read++;
            rc = fn(ctx, s, &r, err);
        }
        if (rc == 0 && irc < 0)
            rc = irc;
        int64_t next = fr.next_offset;
        broker_fetch_release(&fr);
        if (rc)
            return rc;
        if (next <= off)
            break;
        off = next;
    }
    return 0;
}

typedef struct marker_scan {
    eddy_buf value;
    int64_t offset;        /* of the last marker, -1 if none */
} marker_scan;

static int on_marker(void *ctx, state_store *s, const broker_record *r, eddy_err *err)
{
    (void)s;
    marker_scan *m = ctx;
    if (!state__is_marker(r))
        return 0;
    m->value.len = 0;
    if (r->value_len > 0 && eddy_buf_append(&m->value, r->value, (size_t)r->value_len))
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    m->offset = r->offset;
    return 0;
}

static int on_replay(void *ctx, state_store *s, const broker_record *r, eddy_err *err)
{
    if (state__is_marker(r))
        return 0;
    return rw_apply(ctx, s, r, err);
}

typedef struct void_scan {
    int64_t count;
} void_scan;

/* Collect a void record's key in the store's cache (as a delete for now). */
static int on_void(void *ctx, state_store *s, const broker_record *r, eddy_err *err)
{
    if (state__is_marker(r) || !r->key || r->key_len <= 0)
        return 0;
    ((void_scan *)ctx)->count++;
    if (state__cache_set(&s->cache, r->key, (size_t)r->key_len, NULL, 0, true, NULL))
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Restore
 * ------------------------------------------------------------------------------------------- */

static int read_checkpoint(state_task *t, eddy_arena *a, state_ckpt *c, bool *have,
                           eddy_err *err)
{
    *have = false;
    MDB_txn *txn;
    int rc = state__task_rtxn(t, &txn, err);
    if (rc)
        return rc;
    MDB_val k = {strlen(t->name), t->name}, v;
    rc = mdb_get(txn, t->env->ckpt_dbi, &k, &v);
    if (rc == MDB_NOTFOUND) {
        rc = 0;
    } else if (rc) {
        rc = state__mdb_err(t->env, rc, err, "read checkpoint");
    } else {
        eddy_err e2;
        eddy_err_clear(&e2);
        rc = state__ckpt_decode(v.mv_data, v.mv_size, a, c, &e2);
        if (rc == EDDY_ECORRUPT)
            rc = 0;                 /* unreadable checkpoint: rebuild */
        else if (rc)
            eddy_err_set(err, rc, "%s", e2.msg);
        else
            *have = true;
    }
    state__task_rtxn_end(t);
    return rc;
}

static int empty_stores(state_task *t, eddy_err *err)
{
    restore_writer w = {.t = t};
    int rc = rw_begin(&w, err);
    if (rc)
        return rc;
    for (size_t i = 0; rc == 0 && i < t->nstores; i++)
        rc = mdb_drop(w.txn, t->stores[i]->dbi, 0);
    if (rc == 0) {
        MDB_val k = {strlen(t->name), t->name};
        rc = mdb_del(w.txn, t->env->ckpt_dbi, &k, NULL);
        if (rc == MDB_NOTFOUND)
            rc = 0;
    }
    if (rc) {
        rw_abort(&w);
        return state__mdb_err(t->env, rc, err, "empty stores");
    }
    return rw_commit(&w, NULL, err);
}

/* Find the last marker of the marker store in [from, to); decode it into 'm'. */
static int last_marker(state_task *t, int64_t from, int64_t to, eddy_arena *a, state_ckpt *m,
                       int64_t *moff, eddy_err *err)
{
    marker_scan ms = {.offset = -1};
    eddy_buf_init(&ms.value);
    int rc = each_record(t->stores[0], from, to, on_marker, &ms, err);
    *moff = ms.offset;
    if (rc == 0 && ms.offset >= 0)
        rc = state__ckpt_decode(ms.value.data, ms.value.len, a, m, err);
    eddy_buf_free(&ms.value);
    return rc;
}

static int restore_once(state_task *t, state_restore_info *out, eddy_err *err)
{
    size_t n = t->nstores;
    eddy_arena a;
    eddy_arena_init(&a, 16 * 1024);
    int64_t *end = eddy_calloc(n + 1, sizeof *end), *start = eddy_calloc(n + 1, sizeof *start);
    int64_t *from = eddy_calloc(n + 1, sizeof *from), *upto = eddy_calloc(n + 1, sizeof *upto);
    restore_writer w = {.t = t};
    eddy_buf ck;
    eddy_buf_init(&ck);
    int rc = 0;
    if (!end || !start || !from || !upto) {
        rc = eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        goto out;
    }
    state_ckpt c;
    bool have_c;
    if ((rc = read_checkpoint(t, &a, &c, &have_c, err)) != 0)
        goto out;
    bool valid = have_c && c.nstores == n, same = true, all_empty = true;
    for (size_t i = 0; i < n; i++) {
        state_store *s = t->stores[i];
        end[i] = broker_log_end_offset(s->log);
        start[i] = broker_log_start_offset(s->log);
        all_empty &= end[i] == start[i];
        int64_t e = have_c ? state__ckpt_end(&c, s->name) : -2;
        valid &= e >= 0 && s->existed && e <= end[i];
        same &= e == end[i];
    }

    state_ckpt commit;             /* the commit point restored to */
    memset(&commit, 0, sizeof commit);
    state_ckpt m;
    memset(&m, 0, sizeof m);
    int64_t moff = -1;
    if (valid) {
        commit = c;
        for (size_t i = 0; i < n; i++)
            from[i] = upto[i] = state__ckpt_end(&c, t->stores[i]->name);
        out->mode = STATE_RESTORE_RESUMED;
        if (!same && n > 0) {
            rc = last_marker(t, from[0], end[0], &a, &m, &moff, err);
            if (rc)
                goto out;
            if (moff >= 0 && m.epoch > c.epoch) {
                out->mode = STATE_RESTORE_ROLLED_FORWARD;
                commit = m;
            } else {
                moff = -1;
            }
        }
    } else {
        out->mode = !have_c && all_empty ? STATE_RESTORE_FRESH : STATE_RESTORE_REBUILT;
        if ((rc = empty_stores(t, err)) != 0)
            goto out;
        for (size_t i = 0; i < n; i++)
            from[i] = upto[i] = start[i];
        if (n > 0 && !all_empty) {
            rc = last_marker(t, start[0], end[0], &a, &m, &moff, err);
            if (rc)
                goto out;
            if (moff >= 0)
                commit = m;
        }
    }
    if (moff >= 0) {
        /* Replay up to the marker: its own store up to the marker, others to its ends. */
        int64_t total = 0;
        for (size_t i = 0; i < n; i++) {
            int64_t e = i == 0 ? moff + 1 : state__ckpt_end(&m, t->stores[i]->name);
            if (e < from[i])
                e = from[i];             /* not listed (-2) or behind: nothing committed */
            upto[i] = e < end[i] ? e : end[i];
            total += upto[i] - from[i];
        }
        atomic_store(&t->prog_total, total);
        t->st.restore_total += total;
        for (size_t i = 0; rc == 0 && i < n; i++)
            rc = each_record(t->stores[i], from[i], upto[i], on_replay, &w, err);
        if (rc)
            goto out;
    }
    /* The checkpoint of the commit point, in the last replay transaction. */
    if (out->mode != STATE_RESTORE_RESUMED || moff >= 0) {
        int64_t *ends = eddy_calloc(n + 1, sizeof *ends);
        char **names = eddy_calloc(n + 1, sizeof *names);
        if (!ends || !names) {
            eddy_free(ends);
            eddy_free(names);
            rc = eddy_err_set(err, EDDY_ENOMEM, "out of memory");
            goto out;
        }
        for (size_t i = 0; i < n; i++) {
            names[i] = t->stores[i]->name;
            ends[i] = upto[i];
        }
        state_ckpt nc = {commit.epoch, commit.ninputs, commit.inputs, n, names, ends};
        rc = state__ckpt_encode(&nc, &ck) ? eddy_err_set(err, EDDY_ENOMEM, "out of memory")
                                          : rw_commit(&w, &ck, err);
        eddy_free(ends);
        eddy_free(names);
        if (rc)
            goto out;
    }
    progress(&w);
    t->epoch = commit.epoch;
    if ((rc = state__task_set_inputs(t, commit.inputs, commit.ninputs, err)) != 0)
        goto out;
    for (size_t i = 0; i < n; i++)
        t->stores[i]->ckpt_end = upto[i];
    out->restored = w.applied;

    /* Void records: neutralise them with the committed values and a new marker. */
    void_scan vs = {0};
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (end[i] > upto[i])
            rc = each_record(t->stores[i], upto[i], end[i], on_void, &vs, err);
    if (rc)
        goto out;
    out->voided = vs.count;
    t->st.voided += vs.count;
    if (vs.count > 0) {
        MDB_txn *txn;
        if ((rc = state__task_rtxn(t, &txn, err)) != 0)
            goto out;
        for (size_t i = 0; rc == 0 && i < n; i++) {
            state_store *s = t->stores[i];
            for (cache_node *cn = state__cache_first(&s->cache); cn; cn = cn->next[0]) {
                MDB_val k = {cn->klen, (void *)cache_key(cn)}, v;
                int g = mdb_get(txn, s->dbi, &k, &v);
                if (g == MDB_NOTFOUND)
                    continue;
                if (g) {
                    rc = state__mdb_err(t->env, g, err, "read committed value");
                    break;
                }
                if (state__cache_set(&s->cache, cache_key(cn), cn->klen, v.mv_data, v.mv_size,
                                     false, NULL)) {
                    rc = eddy_err_set(err, EDDY_ENOMEM, "out of memory");
                    break;
                }
            }
        }
        if (rc == 0)
            rc = state__task_commit(t, t->inputs, t->ninputs, true, err);
    }
out:
    rw_abort(&w);
    state__task_rtxn_end(t);
    eddy_buf_free(&ck);
    eddy_free(end);
    eddy_free(start);
    eddy_free(from);
    eddy_free(upto);
    eddy_arena_destroy(&a);
    return rc;
}

int state_task_restore(state_task *t, state_restore_info *info, eddy_err *err)
{
    state_restore_info dummy;
    if (!info)
        info = &dummy;
    memset(info, 0, sizeof *info);
    if (t->restored || t->failed)
        return eddy_err_set(err, EDDY_EINVAL, "state: task %s was already restored",
                            t->name);
    int rc = 0;
    for (int attempt = 0; attempt < 8; attempt++) {
        atomic_store(&t->prog_restored, 0);
        atomic_store(&t->prog_total, 0);
        for (size_t i = 0; i < t->nstores; i++)
            state__cache_reset(&t->stores[i]->cache);
        uint64_t seen = state__map_size(t->env);
        rc = restore_once(t, info, err);
        if (rc != RESTART)
            break;
        if ((rc = state__map_grow(t->env, seen, err)) != 0)
            break;
        rc = RESTART;
    }
    if (rc == RESTART)
        rc = eddy_err_set(err, EDDY_EIO, "state: LMDB map kept filling up during restore");
    if (rc) {
        t->failed = true;
        return rc;
    }
    t->restored = true;
    info->epoch = t->epoch;
    info->have_inputs = t->ninputs > 0;
    info->inputs.items = t->inputs;
    info->inputs.n = t->ninputs;
    return 0;
}
