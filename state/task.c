/*
 * task.c - a task's group of stores: open, close, read snapshot, and commit.
 *
 * CRASH-CONSISTENCY RULE
 *
 * The changelogs are the log of record; LMDB is a materialised cache of them plus a
 * checkpoint. A commit of epoch N (N = number of commits so far + 1) is:
 *
 *   1. for each store except the marker store, then the marker store: append one changelog
 *      record per dirty cache entry (the latest value, or a tombstone for a delete), in
 *      batches of up to max.message.bytes - 1 KiB;
 *   2. append the COMMIT MARKER of epoch N to the marker store's changelog (the store whose
 *      name sorts first), in the same batch as that store's last records when it fits. The
 *      marker (key STATE_MARKER_KEY, header "eddy.commit", value: a checkpoint encoding, see
 *      state_int.h) holds N, the input offsets, and every other store's changelog end offset
 *      after step 1; the marker store's own committed records are those before the marker.
 *      Appending the marker is THE COMMIT POINT: a batch is appended atomically (CRC, torn
 *      tails truncated by broker recovery), and the task is the only writer of its
 *      changelog partitions, so the marker names exactly the records of epochs <= N;
 *   3. one LMDB write transaction applies every dirty entry of every store and writes the
 *      checkpoint (N, inputs, every store's changelog end offset).
 *
 * So epoch N is committed iff its marker is in the changelog, and then its input offsets and
 * its state are committed together: "no update lost, none counted twice" as long as the
 * caller resumes consuming at the restored input offsets. Restore (restore.c) makes LMDB
 * agree with the last marker:
 *   - crash before step 1 ends or during it: records after the last marker are VOID (they
 *     belong to an epoch without a marker). They are never applied; restore appends, for each
 *     key they touch, the committed value (or a tombstone), then a new marker, so a later
 *     rebuild from the changelog, and compaction (which keeps the latest record per key),
 *     see committed values only;
 *   - crash after step 2, before step 3 commits: LMDB's checkpoint is one epoch behind the
 *     last marker, so restore replays the changelog records between them (roll forward);
 *   - LMDB lost or damaged: rebuild every store from its changelog up to the last marker,
 *     take the marker's input offsets; void records are neutralised as above.
 * Replaying a changelog range is idempotent (records are whole values, applied in order), so
 * a crash during a restore is handled by restoring again.
 *
 * Why not "LMDB is the truth and changelog records beyond the checkpoint are ignored"? A
 * later rebuild from the changelog would apply those records (Kafka Streams prevents that
 * with transactions and read_committed), and the records of an uncommitted epoch may
 * supersede committed values under compaction. The marker makes the changelog carry its own
 * commit points, so both recovery paths (LMDB intact, LMDB lost) reach the same state with
 * the same input offsets, and the input offsets need no consumer group (the caller may keep
 * one as well, for tasks without stores).
 *
 * Known limit: the broker's cleaner is not marker-aware. It never compacts the active
 * segment (Kafka's rule), and void records are always at the tail, so a void record can only
 * make compaction drop the committed value it shadows if the segment rolled after it and the
 * cleaner ran before the task restored (e.g. between a broker restart and the task's
 * restore). With LMDB intact this is still repaired (the compensating record comes from
 * LMDB); only a rebuild after such a sequence could miss that key's committed value.
 *
 * After any commit error the task is failed: only close is allowed; reopening restores by
 * the rule above. Output records of the task (sinks) are outside this rule: inputs replayed
 * after a crash produce them again (at-least-once), as in ksqlDB without exactly-once.
 */
#include "state_int.h"

#include <stdio.h>

static const uint8_t empty_value[1] = {0};

/* ---------------------------------------------------------------------------------------------
 * Open, close, snapshot
 * ------------------------------------------------------------------------------------------- */

int state_task_open(state_env *env, const char *query_id, int32_t partition,
                    int32_t npartitions, const state_task_options *opts, state_task **out,
                    eddy_err *err)
{
    *out = NULL;
    if (!query_id || !*query_id || strlen(query_id) > 200 || strchr(query_id, '/'))
        return eddy_err_set(err, EDDY_EINVAL, "state: invalid query id");
    if (npartitions < 1 || partition < 0 || partition >= npartitions)
        return eddy_err_set(err, EDDY_EINVAL, "state: partition %d outside [0, %d)",
                            (int)partition, (int)npartitions);
    state_task *t = eddy_calloc(1, sizeof *t);
    if (!t)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    t->env = env;
    t->partition = partition;
    t->npartitions = npartitions;
    if (opts)
        t->opts = *opts;
    eddy_buf_init(&t->recs);
    eddy_buf_init(&t->enc);
    t->query = eddy_strdup(query_id);
    t->name = eddy_malloc(strlen(query_id) + 16);
    if (!t->query || !t->name) {
        eddy_free(t->query);
        eddy_free(t->name);
        eddy_free(t);
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    }
    sprintf(t->name, "%s/%d", query_id, (int)partition);
    int rc = state__task_register(env, t->name, err);
    if (rc) {
        eddy_free(t->query);
        eddy_free(t->name);
        eddy_free(t);
        return rc;
    }
    *out = t;
    return 0;
}

static void free_inputs(state_task *t)
{
    for (size_t i = 0; i < t->ninputs; i++)
        eddy_free((char *)t->inputs[i].topic);
    eddy_free(t->inputs);
    t->inputs = NULL;
    t->ninputs = 0;
}

void state_task_close(state_task *t)
{
    if (!t)
        return;
    state__task_rtxn_end(t);
    if (t->rtxn)
        mdb_txn_abort(t->rtxn);
    for (size_t i = 0; i < t->nstores; i++)
        state__store_free(t->stores[i]);
    eddy_free(t->stores);
    free_inputs(t);
    eddy_buf_free(&t->recs);
    eddy_buf_free(&t->enc);
    state__task_unregister(t->env, t->name);
    eddy_free(t->query);
    eddy_free(t->name);
    eddy_free(t);
}

int state__task_rtxn(state_task *t, MDB_txn **txn, eddy_err *err)
{
    if (!t->rtxn_active) {
        state__reader_enter(t->env);
        int rc = t->rtxn ? mdb_txn_renew(t->rtxn)
                         : mdb_txn_begin(t->env->mdb, NULL, MDB_RDONLY, &t->rtxn);
        if (rc) {
            state__reader_leave(t->env);
            return state__mdb_err(t->env, rc, err, "begin read snapshot");
        }
        t->rtxn_active = true;
    }
    *txn = t->rtxn;
    return 0;
}

void state__task_rtxn_end(state_task *t)
{
    if (t->rtxn_active) {
        mdb_txn_reset(t->rtxn);
        t->rtxn_active = false;
        state__reader_leave(t->env);
    }
}

int state__task_set_inputs(state_task *t, const state_offset *inputs, size_t n, eddy_err *err)
{
    state_offset *a = eddy_calloc(n ? n : 1, sizeof *a);
    if (!a)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        a[i] = inputs[i];
        if (!(a[i].topic = eddy_strdup(inputs[i].topic ? inputs[i].topic : ""))) {
            for (size_t j = 0; j < i; j++)
                eddy_free((char *)a[j].topic);
            eddy_free(a);
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        }
    }
    free_inputs(t);
    t->inputs = a;
    t->ninputs = n;
    return 0;
}

int state_task_checkpoint(const state_task *t, state_offsets *out)
{
    out->items = t->inputs;
    out->n = t->ninputs;
    return t->ninputs > 0;
}

void state_task_progress(const state_task *t, int64_t *restored, int64_t *total)
{
    state_task *m = (state_task *)t;
    if (restored)
        *restored = atomic_load(&m->prog_restored);
    if (total)
        *total = atomic_load(&m->prog_total);
}

void state_task_stats(const state_task *t, state_stats *out)
{
    *out = t->st;
    out->epoch = t->epoch;
    out->cache_entries = 0;
    out->cache_bytes = 0;
    for (size_t i = 0; i < t->nstores; i++) {
        out->cache_entries += (int64_t)t->stores[i]->cache.count;
        out->cache_bytes += (int64_t)state__cache_bytes(&t->stores[i]->cache);
    }
    out->map_resizes = atomic_load(&t->env->map_resizes);
}

/* ---------------------------------------------------------------------------------------------
 * Commit
 * ------------------------------------------------------------------------------------------- */

bool state__is_marker(const broker_record *r)
{
    if (r->key_len != (int32_t)(sizeof STATE_MARKER_KEY - 1) ||
        memcmp(r->key, STATE_MARKER_KEY, sizeof STATE_MARKER_KEY - 1) != 0)
        return false;
    broker_header h;
    return broker_record_headers(r, &h, 1) >= 1 &&
           h.key_len == (int32_t)(sizeof STATE_MARKER_HEADER - 1) &&
           memcmp(h.key, STATE_MARKER_HEADER, sizeof STATE_MARKER_HEADER - 1) == 0;
}

static int injected(state_task *t, eddy_err *err)
{
    t->fail_point = STATE_FAIL_NONE;
    return eddy_err_set(err, EDDY_EIO, "state: injected failure");
}

static int flush_batch(state_task *t, state_store *s, size_t n, eddy_err *err)
{
    if (n == 0)
        return 0;
    broker_append_info info;
    int rc = broker_log_append(s->log, (const broker_record *)t->recs.data, n, &info, err);
    if (rc)
        return rc;
    t->st.changelog_appends++;
    t->st.changelog_records += (int64_t)n;
    return 0;
}

/* Step 1 (and 2 with 'marker') for store 's'. */
static int append_store(state_task *t, state_store *s, const uint8_t *marker, size_t mlen,
                        int64_t ts, eddy_err *err)
{
    static const broker_header mh = {STATE_MARKER_HEADER, sizeof STATE_MARKER_HEADER - 1,
                                     (const uint8_t *)"1", 1};
    size_t cap = s->cache.count + 1;
    t->recs.len = 0;
    if (eddy_buf_reserve(&t->recs, cap * sizeof(broker_record)))
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    broker_record *recs = (broker_record *)t->recs.data;
    size_t n = 0;
    int64_t bytes = 0;
    for (cache_node *c = state__cache_first(&s->cache); c; c = c->next[0]) {
        int64_t est = (int64_t)c->klen + c->vlen + 32;
        if (est > s->max_batch)
            return eddy_err_set(err, EDDY_ETOOLARGE, "state: an entry of %lld bytes exceeds "
                                "the max.message.bytes of %s", (long long)est, s->topic);
        if (n > 0 && bytes + est > s->max_batch) {
            int rc = flush_batch(t, s, n, err);
            if (rc)
                return rc;
            n = 0;
            bytes = 0;
        }
        broker_record *r = &recs[n++];
        memset(r, 0, sizeof *r);
        r->key = cache_key(c);
        r->key_len = (int32_t)c->klen;
        r->value = c->tomb ? NULL : c->vlen ? c->val : empty_value;
        r->value_len = c->tomb ? -1 : (int32_t)c->vlen;
        r->timestamp = ts;
        bytes += est;
    }
    if (marker) {
        int64_t est = (int64_t)mlen + 64;
        if ((n > 0 && bytes + est > s->max_batch) || t->fail_point == STATE_FAIL_AFTER_DATA) {
            int rc = flush_batch(t, s, n, err);
            if (rc)
                return rc;
            n = 0;
        }
        if (t->fail_point == STATE_FAIL_AFTER_DATA)
            return injected(t, err);
        broker_record *r = &recs[n++];
        memset(r, 0, sizeof *r);
        r->key = (const uint8_t *)STATE_MARKER_KEY;
        r->key_len = sizeof STATE_MARKER_KEY - 1;
        r->value = marker;
        r->value_len = (int32_t)mlen;
        r->timestamp = ts;
        r->nheaders = 1;
        r->headers = &mh;
    }
    return flush_batch(t, s, n, err);
}

static bool inputs_equal(const state_task *t, const state_offset *in, size_t n)
{
    if (n != t->ninputs)
        return false;
    for (size_t i = 0; i < n; i++)
        if (strcmp(in[i].topic ? in[i].topic : "", t->inputs[i].topic) != 0 ||
            in[i].partition != t->inputs[i].partition || in[i].offset != t->inputs[i].offset)
            return false;
    return true;
}

/* Step 3: one LMDB transaction with every dirty entry and the checkpoint 'ck'. */
static int lmdb_commit(state_task *t, const uint8_t *ck, size_t cklen, eddy_err *err)
{
    state_env *env = t->env;
    state__task_rtxn_end(t);
    for (;;) {
        state__writer_enter(env);
        uint64_t seen = env->map_size;
        MDB_txn *txn;
        const char *what = "begin write";
        int rc = mdb_txn_begin(env->mdb, NULL, 0, &txn);
        if (rc == 0) {
            what = "write";
            for (size_t i = 0; rc == 0 && i < t->nstores; i++) {
                state_store *s = t->stores[i];
                for (cache_node *c = state__cache_first(&s->cache); rc == 0 && c;
                     c = c->next[0])
                    rc = state__store_apply(s, txn, cache_key(c), c->klen, c->val,
                                            c->tomb ? -1 : (int64_t)c->vlen, err);
            }
            if (rc == 0) {
                MDB_val k = {strlen(t->name), t->name}, v = {cklen, (void *)ck};
                rc = mdb_put(txn, env->ckpt_dbi, &k, &v, 0);
            }
            t->st.commit_txns++;
            if (rc == 0 && t->fail_point == STATE_FAIL_BEFORE_LMDB_COMMIT) {
                mdb_txn_abort(txn);
                state__writer_leave(env);
                return injected(t, err);
            }
            if (rc == 0) {
                what = "commit";
                rc = mdb_txn_commit(txn);
            } else {
                mdb_txn_abort(txn);
            }
        }
        state__writer_leave(env);
        if (rc == MDB_MAP_FULL) {
            int g = state__map_grow(env, seen, err);
            if (g)
                return g;
            continue;
        }
        if (rc < 0 && rc > -100)
            return rc;               /* an EDDY_ code from state__store_apply */
        return rc ? state__mdb_err(env, rc, err, what) : 0;
    }
}

int state__task_commit(state_task *t, const state_offset *inputs, size_t ninputs, bool force,
                       eddy_err *err)
{
    size_t dirty = 0;
    for (size_t i = 0; i < t->nstores; i++)
        dirty += t->stores[i]->cache.count;
    if (!force && dirty == 0 && inputs_equal(t, inputs, ninputs))
        return 0;

    /* The checkpoint of the new epoch: ends are filled in as the appends happen. */
    char **names = eddy_calloc(t->nstores + 1, sizeof *names);
    int64_t *ends = eddy_calloc(t->nstores + 1, sizeof *ends);
    if (!names || !ends) {
        eddy_free(names);
        eddy_free(ends);
        t->failed = true;
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    }
    state_ckpt ck = {t->epoch + 1, ninputs, (state_offset *)inputs, t->nstores, names, ends};
    int rc = 0;
    int64_t ts = eddy_now_ms();
    for (size_t i = 0; i < t->nstores; i++)
        names[i] = t->stores[i]->name;
    /* Steps 1 and 2. */
    for (size_t i = 1; rc == 0 && i < t->nstores; i++) {
        state_store *s = t->stores[i];
        if (s->cache.count)
            rc = append_store(t, s, NULL, 0, ts, err);
        ends[i] = broker_log_end_offset(s->log);
    }
    if (rc == 0 && t->nstores > 0) {
        ends[0] = -1;
        t->enc.len = 0;
        if (state__ckpt_encode(&ck, &t->enc))
            rc = eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        if (rc == 0)
            rc = append_store(t, t->stores[0], t->enc.data, t->enc.len, ts, err);
        ends[0] = broker_log_end_offset(t->stores[0]->log);
    }
    if (rc == 0 && t->fail_point == STATE_FAIL_AFTER_MARKER)
        rc = injected(t, err);
    /* Step 3. */
    if (rc == 0) {
        t->enc.len = 0;
        if (state__ckpt_encode(&ck, &t->enc))
            rc = eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    }
    if (rc == 0)
        rc = lmdb_commit(t, t->enc.data, t->enc.len, err);
    if (rc == 0 && !(t->ninputs == ninputs && inputs == t->inputs))
        rc = state__task_set_inputs(t, inputs, ninputs, err);
    if (rc == 0) {
        t->epoch++;
        t->st.commits++;
        for (size_t i = 0; i < t->nstores; i++) {
            t->stores[i]->ckpt_end = ends[i];
            state__cache_reset(&t->stores[i]->cache);
        }
    } else {
        t->failed = true;
    }
    eddy_free(names);
    eddy_free(ends);
    return rc;
}

int state_task_commit(state_task *t, const state_offsets *inputs, eddy_err *err)
{
    if (!t->restored)
        return eddy_err_set(err, EDDY_EINVAL, "state: commit before restore");
    if (t->failed)
        return eddy_err_set(err, EDDY_EINVAL, "state: task %s failed; reopen it", t->name);
    if (t->open_iters)
        return eddy_err_set(err, EDDY_EINVAL, "state: %d iterators still open",
                            t->open_iters);
    static const state_offset none[1];
    return state__task_commit(t, inputs && inputs->n ? inputs->items : none,
                              inputs ? inputs->n : 0, false, err);
}
