/*
 * store.c - one state store: its LMDB database and changelog, point reads and writes
 * through the write-back cache, merged iterators, window and session expiry.
 *
 * Reads: the cache first (a tombstone there means "absent" whatever LMDB holds), then the
 * task's read snapshot of LMDB. Writes only touch the cache; task.c moves the cache to the
 * changelog and LMDB at commit. Encodings of the LMDB (and changelog) keys are in codec.c.
 *
 * Iterators merge two ordered sources over one key range [lo, hi): an LMDB cursor on the
 * task's snapshot and a position in the cache's skip list. At each step the smaller key
 * wins; on equal keys the cache entry wins and the LMDB one is skipped; cache tombstones are
 * skipped. Both sources stay valid while the cache grows (cache.c), so callers may write
 * during an iteration; a commit ends the snapshot, which is why commit refuses to run while
 * iterators are open.
 *
 * Expiry keeps 'min_time', a lower bound of the window starts (session ends) in the store:
 * unknown after open and restore, set by a full expiry scan, lowered by puts. An expiry that
 * cannot remove anything by that bound returns without scanning.
 */
#include "state_int.h"

#include <stdio.h>

static const uint8_t empty_value[1] = {0};

struct state_iter {
    state_store *s;
    MDB_cursor *cur;
    bool l_valid;             /* lk/lv hold an LMDB entry not yet passed */
    bool l_advance;           /* move the cursor before looking at it again */
    MDB_val lk, lv;
    cache_node *cprev;        /* cache entry (or list head) before the next one to look at:
                               * its next[0] also sees entries added meanwhile */
    bool emitted;             /* raw/rawlen hold the last key returned */
    eddy_buf lo, hi;
    bool has_hi, hi_incl;
    bool stop_after_start;    /* session find: stop at start > latest_start */
    int64_t latest_start;
    const uint8_t *raw;       /* encoded key of the entry last returned */
    size_t rawlen;
    eddy_buf key;             /* decoded key of the entry last returned */
    bool done;
};

static int nts_of(const state_store *s)
{
    return s->kind == STATE_KV ? 0 : s->kind == STATE_WINDOW ? 1 : 2;
}

size_t state_store_max_key(const state_store *s)
{
    size_t m = s->task->env->max_key;
    return m - (size_t)(s->kind == STATE_KV ? 0 : 2 + 8 * nts_of(s));
}

const char *state_store_name(const state_store *s) { return s->name; }
const char *state_store_changelog(const state_store *s) { return s->topic; }

/* ---------------------------------------------------------------------------------------------
 * Open and close
 * ------------------------------------------------------------------------------------------- */

static bool name_ok(const char *n)
{
    if (!n || !*n || strlen(n) > 100)
        return false;
    for (const char *p = n; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '_' || *p == '-'))
            return false;
    return true;
}

static int ensure_topic(state_store *s, eddy_err *err)
{
    state_task *t = s->task;
    broker *b = t->env->b;
    eddy_err e2;
    eddy_err_clear(&e2);
    int n = broker_topic_partitions(b, s->topic, &e2);
    if (n == EDDY_ENOTFOUND) {
        broker_topic_config cfg;
        broker_topic_config_default(&cfg);
        int rc = broker_topic_config_set(&cfg, "cleanup.policy", "compact", err);
        if (rc)
            return rc;
        eddy_err_clear(&e2);
        rc = broker_topic_create(b, s->topic, t->npartitions, &cfg, &e2);
        if (rc && rc != EDDY_EEXIST)
            return eddy_err_set(err, rc, "%s", e2.msg);
        eddy_err_clear(&e2);
        n = broker_topic_partitions(b, s->topic, &e2);
    }
    if (n < 0)
        return eddy_err_set(err, n, "%s", e2.msg);
    if (n <= t->partition)
        return eddy_err_set(err, EDDY_EINVAL, "state: changelog %s has %d partitions, task "
                            "needs partition %d", s->topic, n, (int)t->partition);
    broker_topic_info info;
    int rc = broker_topic_describe(b, s->topic, &info, err);
    if (rc)
        return rc;
    s->max_batch = info.config.max_message_bytes - 1024;
    if (s->max_batch < 4096)
        s->max_batch = 4096;
    broker_topic_info_free(&info);
    return broker_log_get(b, s->topic, t->partition, &s->log, err);
}

int state_store_open(state_task *t, const char *name, state_store_kind kind,
                     int64_t window_size_ms, state_store **out, eddy_err *err)
{
    *out = NULL;
    if (t->restored)
        return eddy_err_set(err, EDDY_EINVAL, "state: stores must be opened before restore");
    if (kind != STATE_KV && kind != STATE_WINDOW && kind != STATE_SESSION)
        return eddy_err_set(err, EDDY_EINVAL, "state: unknown store kind %d", (int)kind);
    if (kind == STATE_WINDOW && window_size_ms <= 0)
        return eddy_err_set(err, EDDY_EINVAL, "state: window store needs a window size > 0");
    if (!name_ok(name))
        return eddy_err_set(err, EDDY_EINVAL, "state: invalid store name");
    for (size_t i = 0; i < t->nstores; i++)
        if (strcmp(t->stores[i]->name, name) == 0)
            return eddy_err_set(err, EDDY_EEXIST, "state: store %s is already open", name);

    state_store *s = eddy_calloc(1, sizeof *s);
    if (!s)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    s->task = t;
    s->kind = kind;
    s->window_size = kind == STATE_WINDOW ? window_size_ms : 0;
    eddy_buf_init(&s->kbuf);
    s->name = eddy_strdup(name);
    size_t tl = strlen(t->query) + strlen(name) + 16;
    s->topic = eddy_malloc(tl);
    char *dbname = eddy_malloc(tl + 16);
    int rc = 0;
    if (!s->name || !s->topic || !dbname || state__cache_init(&s->cache)) {
        rc = eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        goto fail;
    }
    snprintf(s->topic, tl, "%s-%s-changelog", t->query, name);
    snprintf(dbname, tl + 16, "%s/%s/%d", t->query, name, (int)t->partition);
    if (!broker_topic_name_valid(s->topic)) {
        rc = eddy_err_set(err, EDDY_EINVAL, "state: invalid changelog topic name");
        goto fail;
    }
    if ((rc = ensure_topic(s, err)) != 0)
        goto fail;
    if ((rc = state__dbi_open(t->env, dbname, &s->dbi, &s->existed, err)) != 0)
        goto fail;
    state_store **a = eddy_realloc(t->stores, (t->nstores + 1) * sizeof *a);
    if (!a) {
        rc = eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        goto fail;
    }
    t->stores = a;
    size_t pos = t->nstores;
    while (pos > 0 && strcmp(a[pos - 1]->name, name) > 0) {
        a[pos] = a[pos - 1];
        pos--;
    }
    a[pos] = s;
    t->nstores++;
    state__task_rtxn_end(t);    /* the next snapshot must know the new database */
    eddy_free(dbname);
    *out = s;
    return 0;
fail:
    eddy_free(dbname);
    state__store_free(s);
    return rc;
}

void state__store_free(state_store *s)
{
    if (!s)
        return;
    state__cache_free(&s->cache);
    eddy_buf_free(&s->kbuf);
    if (s->log)
        broker_log_release(s->log);
    eddy_free(s->name);
    eddy_free(s->topic);
    eddy_free(s);
}

/* ---------------------------------------------------------------------------------------------
 * Point operations
 * ------------------------------------------------------------------------------------------- */

static int check(state_store *s, state_store_kind kind, eddy_err *err)
{
    if (s->kind != kind)
        return eddy_err_set(err, EDDY_EINVAL, "state: wrong operation for store %s", s->name);
    if (!s->task->restored || s->task->failed)
        return eddy_err_set(err, EDDY_EINVAL, "state: task %s is %s", s->task->name,
                            s->task->failed ? "failed" : "not restored");
    return 0;
}

/* Encode the LMDB key of ('key', a, b) into s->kbuf. */
static int encode(state_store *s, const void *key, size_t klen, int64_t a, int64_t b,
                  eddy_err *err)
{
    s->kbuf.len = 0;
    int rc;
    if (s->kind == STATE_KV) {
        if (klen == 0)
            return eddy_err_set(err, EDDY_EINVAL, "state: empty key");
        rc = eddy_buf_append(&s->kbuf, key, klen);
    } else {
        rc = state__key_encode(&s->kbuf, key, klen, nts_of(s), a, b);
    }
    if (rc)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    if (s->kbuf.len > s->task->env->max_key)
        return eddy_err_set(err, EDDY_ETOOLARGE, "state: key of %zu bytes is too large for "
                            "store %s", klen, s->name);
    return 0;
}

static int get_encoded(state_store *s, const void **val, size_t *vlen, eddy_err *err)
{
    cache_node *n = state__cache_find(&s->cache, s->kbuf.data, s->kbuf.len);
    if (n) {
        if (n->tomb)
            return 0;
        *val = n->vlen ? n->val : empty_value;
        *vlen = n->vlen;
        return 1;
    }
    MDB_txn *txn;
    int rc = state__task_rtxn(s->task, &txn, err);
    if (rc)
        return rc;
    MDB_val k = {s->kbuf.len, s->kbuf.data}, v;
    rc = mdb_get(txn, s->dbi, &k, &v);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc)
        return state__mdb_err(s->task->env, rc, err, "get");
    *val = v.mv_size ? v.mv_data : empty_value;
    *vlen = v.mv_size;
    return 1;
}

static int set_encoded(state_store *s, const void *val, size_t vlen, bool tomb, eddy_err *err)
{
    int rc = state__cache_set(&s->cache, s->kbuf.data, s->kbuf.len, val, vlen, tomb, NULL);
    if (rc == EDDY_ETOOLARGE)
        return eddy_err_set(err, rc, "state: value too large");
    if (rc)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    return 0;
}

static void note_time(state_store *s, int64_t t)
{
    if (s->min_known && t < s->min_time)
        s->min_time = t;
}

int state_kv_get(state_store *s, const void *key, size_t klen, const void **val, size_t *vlen,
                 eddy_err *err)
{
    int rc = check(s, STATE_KV, err);
    if (rc == 0)
        rc = encode(s, key, klen, 0, 0, err);
    return rc ? rc : get_encoded(s, val, vlen, err);
}

int state_kv_put(state_store *s, const void *key, size_t klen, const void *val, size_t vlen,
                 eddy_err *err)
{
    int rc = check(s, STATE_KV, err);
    if (rc == 0)
        rc = encode(s, key, klen, 0, 0, err);
    return rc ? rc : set_encoded(s, val, vlen, false, err);
}

int state_kv_delete(state_store *s, const void *key, size_t klen, eddy_err *err)
{
    int rc = check(s, STATE_KV, err);
    if (rc == 0)
        rc = encode(s, key, klen, 0, 0, err);
    return rc ? rc : set_encoded(s, NULL, 0, true, err);
}

int state_window_get(state_store *s, const void *key, size_t klen, int64_t start,
                     const void **val, size_t *vlen, eddy_err *err)
{
    int rc = check(s, STATE_WINDOW, err);
    if (rc == 0)
        rc = encode(s, key, klen, start, 0, err);
    return rc ? rc : get_encoded(s, val, vlen, err);
}

int state_window_put(state_store *s, const void *key, size_t klen, int64_t start,
                     const void *val, size_t vlen, eddy_err *err)
{
    int rc = check(s, STATE_WINDOW, err);
    if (rc == 0)
        rc = encode(s, key, klen, start, 0, err);
    if (rc == 0)
        rc = set_encoded(s, val, vlen, false, err);
    if (rc == 0)
        note_time(s, start);
    return rc;
}

int state_window_delete(state_store *s, const void *key, size_t klen, int64_t start,
                        eddy_err *err)
{
    int rc = check(s, STATE_WINDOW, err);
    if (rc == 0)
        rc = encode(s, key, klen, start, 0, err);
    return rc ? rc : set_encoded(s, NULL, 0, true, err);
}

int state_session_put(state_store *s, const void *key, size_t klen, int64_t start, int64_t end,
                      const void *val, size_t vlen, eddy_err *err)
{
    int rc = check(s, STATE_SESSION, err);
    if (rc == 0 && end < start)
        rc = eddy_err_set(err, EDDY_EINVAL, "state: session ends before it starts");
    if (rc == 0)
        rc = encode(s, key, klen, end, start, err);
    if (rc == 0)
        rc = set_encoded(s, val, vlen, false, err);
    if (rc == 0)
        note_time(s, end);
    return rc;
}

int state_session_remove(state_store *s, const void *key, size_t klen, int64_t start,
                         int64_t end, eddy_err *err)
{
    int rc = check(s, STATE_SESSION, err);
    if (rc == 0)
        rc = encode(s, key, klen, end, start, err);
    return rc ? rc : set_encoded(s, NULL, 0, true, err);
}

int state__store_apply(state_store *s, MDB_txn *txn, const uint8_t *key, size_t klen,
                       const uint8_t *val, int64_t vlen, eddy_err *err)
{
    if (klen == 0 || klen > s->task->env->max_key)
        return eddy_err_set(err, EDDY_ECORRUPT, "state: changelog %s holds a bad key",
                            s->topic);
    MDB_val k = {klen, (void *)key};
    int rc;
    if (vlen < 0) {
        rc = mdb_del(txn, s->dbi, &k, NULL);
        if (rc == MDB_NOTFOUND)
            rc = 0;
    } else {
        MDB_val v = {(size_t)vlen, (void *)val};
        rc = mdb_put(txn, s->dbi, &k, &v, 0);
    }
    return rc;     /* an MDB_ code: the caller handles MDB_MAP_FULL */
}

/* ---------------------------------------------------------------------------------------------
 * Iterators
 * ------------------------------------------------------------------------------------------- */

static int iter_new(state_store *s, state_iter **out, eddy_err *err)
{
    *out = NULL;
    state_iter *it = eddy_calloc(1, sizeof *it);
    if (!it)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    it->s = s;
    eddy_buf_init(&it->lo);
    eddy_buf_init(&it->hi);
    eddy_buf_init(&it->key);
    *out = it;
    return 0;
}

/* Position both sources at it->lo. */
static int iter_start(state_iter *it, eddy_err *err)
{
    state_store *s = it->s;
    MDB_txn *txn;
    int rc = state__task_rtxn(s->task, &txn, err);
    if (rc)
        return rc;
    rc = mdb_cursor_open(txn, s->dbi, &it->cur);
    if (rc)
        return state__mdb_err(s->task->env, rc, err, "open cursor");
    s->task->open_iters++;
    if (it->lo.len) {
        it->lk.mv_size = it->lo.len;
        it->lk.mv_data = it->lo.data;
        rc = mdb_cursor_get(it->cur, &it->lk, &it->lv, MDB_SET_RANGE);
    } else {
        rc = mdb_cursor_get(it->cur, &it->lk, &it->lv, MDB_FIRST);
    }
    if (rc && rc != MDB_NOTFOUND)
        return state__mdb_err(s->task->env, rc, err, "seek");
    it->l_valid = rc == 0;
    it->cprev = state__cache_seek_before(&s->cache, it->lo.len ? it->lo.data : NULL,
                                         it->lo.len);
    return 0;
}

static bool below_hi(const state_iter *it, const uint8_t *k, size_t kl)
{
    if (!it->has_hi)
        return true;
    int c = state__keycmp(k, kl, it->hi.data, it->hi.len);
    return it->hi_incl ? c <= 0 : c < 0;
}

int state_iter_next(state_iter *it, state_entry *e, eddy_err *err)
{
    state_store *s = it->s;
    memset(e, 0, sizeof *e);
    while (!it->done) {
        if (it->l_advance) {
            int rc = mdb_cursor_get(it->cur, &it->lk, &it->lv, MDB_NEXT);
            if (rc && rc != MDB_NOTFOUND)
                return state__mdb_err(s->task->env, rc, err, "scan");
            it->l_valid = rc == 0;
            it->l_advance = false;
        }
        cache_node *cn = it->cprev->next[0];
        /* Skip entries added behind the position since the last call. */
        while (cn && it->emitted &&
               state__keycmp(cache_key(cn), cn->klen, it->raw, it->rawlen) <= 0) {
            it->cprev = cn;
            cn = cn->next[0];
        }
        bool lok = it->l_valid && below_hi(it, it->lk.mv_data, it->lk.mv_size);
        bool cok = cn && below_hi(it, cache_key(cn), cn->klen);
        if (!lok && !cok) {
            it->done = true;
            break;
        }
        int cmp = !lok ? 1 : !cok ? -1
                  : state__keycmp(it->lk.mv_data, it->lk.mv_size, cache_key(cn), cn->klen);
        const uint8_t *v;
        size_t vl;
        if (cmp < 0) {
            it->raw = it->lk.mv_data;
            it->rawlen = it->lk.mv_size;
            v = it->lv.mv_data;
            vl = it->lv.mv_size;
            it->l_advance = true;
            it->emitted = true;
        } else {
            it->cprev = cn;
            if (cmp == 0)
                it->l_advance = true;
            it->raw = cache_key(cn);
            it->rawlen = cn->klen;
            it->emitted = true;
            if (cn->tomb)
                continue;
            v = cn->val;
            vl = cn->vlen;
        }
        e->value = vl ? v : empty_value;
        e->value_len = vl;
        if (s->kind == STATE_KV) {
            e->key = it->raw;
            e->key_len = it->rawlen;
            return 1;
        }
        int64_t a = 0, b = 0;
        int rc = state__key_decode(it->raw, it->rawlen, nts_of(s), &it->key, &a, &b);
        if (rc == EDDY_ENOMEM)
            return eddy_err_set(err, rc, "out of memory");
        if (rc)
            return eddy_err_set(err, rc, "state: malformed key in store %s", s->name);
        e->key = it->key.len ? it->key.data : empty_value;
        e->key_len = it->key.len;
        if (s->kind == STATE_WINDOW) {
            e->start = a;
            e->end = a + s->window_size;
        } else {
            e->end = a;
            e->start = b;
            if (it->stop_after_start && b > it->latest_start) {
                it->done = true;
                break;
            }
        }
        return 1;
    }
    return 0;
}

void state_iter_close(state_iter *it)
{
    if (!it)
        return;
    if (it->cur) {
        mdb_cursor_close(it->cur);
        it->s->task->open_iters--;
    }
    eddy_buf_free(&it->lo);
    eddy_buf_free(&it->hi);
    eddy_buf_free(&it->key);
    eddy_free(it);
}

static int iter_open(state_iter *it, state_iter **out, eddy_err *err)
{
    int rc = iter_start(it, err);
    if (rc) {
        state_iter_close(it);
        return rc;
    }
    *out = it;
    return 0;
}

int state_store_scan(state_store *s, const void *from, size_t flen, const void *to,
                     size_t tlen, state_iter **out, eddy_err *err)
{
    *out = NULL;
    int rc = check(s, s->kind, err);
    state_iter *it = NULL;
    if (rc == 0)
        rc = iter_new(s, &it, err);
    if (rc)
        return rc;
    int nomem = 0;
    if (from) {
        nomem |= s->kind == STATE_KV ? eddy_buf_append(&it->lo, from, flen)
                                     : state__key_encode(&it->lo, from, flen, 0, 0, 0);
    }
    if (to) {
        it->has_hi = true;
        nomem |= s->kind == STATE_KV ? eddy_buf_append(&it->hi, to, tlen)
                                     : state__key_encode(&it->hi, to, tlen, 0, 0, 0);
    }
    if (nomem) {
        state_iter_close(it);
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    }
    if (it->has_hi && s->kind == STATE_KV && tlen == 0)
        it->done = true;                      /* key < "" holds for no key */
    return iter_open(it, out, err);
}

int state_window_fetch(state_store *s, const void *key, size_t klen, int64_t from, int64_t to,
                       state_iter **out, eddy_err *err)
{
    *out = NULL;
    int rc = check(s, STATE_WINDOW, err);
    state_iter *it = NULL;
    if (rc == 0)
        rc = iter_new(s, &it, err);
    if (rc)
        return rc;
    it->has_hi = it->hi_incl = true;
    if (state__key_encode(&it->lo, key, klen, 1, from, 0) ||
        state__key_encode(&it->hi, key, klen, 1, to, 0)) {
        state_iter_close(it);
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    }
    if (from > to)
        it->done = true;
    return iter_open(it, out, err);
}

int state_session_find(state_store *s, const void *key, size_t klen, int64_t earliest_end,
                       int64_t latest_start, state_iter **out, eddy_err *err)
{
    *out = NULL;
    int rc = check(s, STATE_SESSION, err);
    state_iter *it = NULL;
    if (rc == 0)
        rc = iter_new(s, &it, err);
    if (rc)
        return rc;
    it->has_hi = it->hi_incl = true;
    it->stop_after_start = true;
    it->latest_start = latest_start;
    if (state__key_encode(&it->lo, key, klen, 1, earliest_end, 0) ||
        state__key_encode(&it->hi, key, klen, 2, INT64_MAX, INT64_MAX)) {
        state_iter_close(it);
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    }
    return iter_open(it, out, err);
}

/* ---------------------------------------------------------------------------------------------
 * Expiry
 * ------------------------------------------------------------------------------------------- */

static int expire(state_store *s, int64_t before_ts, int64_t *removed, eddy_err *err)
{
    if (removed)
        *removed = 0;
    /* An entry expires when its time (window start + size, or session end) < before_ts. */
    int64_t size = s->kind == STATE_WINDOW ? s->window_size : 0;
    if (s->min_known && (s->min_time > INT64_MAX - size || s->min_time + size >= before_ts))
        return 0;
    state_iter *it;
    int rc = state_store_scan(s, NULL, 0, NULL, 0, &it, err);
    if (rc)
        return rc;
    int64_t n = 0, min = INT64_MAX;
    state_entry e;
    while ((rc = state_iter_next(it, &e, err)) == 1) {
        int64_t t = s->kind == STATE_WINDOW ? e.start : e.end;
        bool old = t <= INT64_MAX - size && t + size < before_ts;
        if (!old) {
            if (t < min)
                min = t;
            continue;
        }
        rc = state__cache_set(&s->cache, it->raw, it->rawlen, NULL, 0, true, NULL);
        if (rc) {
            rc = eddy_err_set(err, EDDY_ENOMEM, "out of memory");
            break;
        }
        n++;
    }
    state_iter_close(it);
    if (rc < 0)
        return rc;
    s->min_known = true;
    s->min_time = min;
    if (removed)
        *removed = n;
    return 0;
}

int state_window_expire(state_store *s, int64_t before_ts, int64_t *removed, eddy_err *err)
{
    int rc = check(s, STATE_WINDOW, err);
    return rc ? rc : expire(s, before_ts, removed, err);
}

int state_session_expire(state_store *s, int64_t before_ts, int64_t *removed, eddy_err *err)
{
    int rc = check(s, STATE_SESSION, err);
    return rc ? rc : expire(s, before_ts, removed, err);
}
