/*
 * cleaner.c - retention, compaction and time-based maintenance of every partition: one pass
 * is broker_clean_now(); the background thread runs a pass every cleaner_interval_ms.
 *
 * A pass takes referenced handles on every partition log (topics_lock is held only while
 * collecting them) and, per log, in this order:
 *
 *  1. broker__log_maintain: roll an active segment older than segment.ms, fsync after
 *     flush.ms (log.c).
 *  2. Retention (cleanup.policy has "delete"), Kafka's rules on whole closed segments from the
 *     oldest: a segment goes while its max timestamp < now - retention.ms (-1 = never) or
 *     while the partition's size without it is still >= retention.bytes (-1 = no limit). The
 *     active (last) segment is never deleted. broker__log_delete_before advances the log start
 *     offset; readers holding a removed segment keep their mapping until they let go.
 *  3. Compaction (cleanup.policy has "compact") over the closed segments, stopping at the
 *     first one whose max timestamp is newer than now - min.compaction.lag.ms when that lag
 *     is set:
 *       a. an offset map key -> latest offset over all cleanable records. Keys are not copied:
 *          the map points into the segments' mappings, which the pass holds referenced;
 *       b. a record is removed when a later record has its key, or when it is a tombstone
 *          (null value) that is the latest for its key and whose timestamp is older than
 *          now - delete.retention.ms. Keyless, control, transactional and compressed batches
 *          are kept as they are;
 *       c. segments with something to remove are rewritten, each merged with following
 *          closed segments while the result stays within segment.bytes: a batch keeping every
 *          record is copied byte for byte, one keeping some is re-encoded with
 *          broker__batch_encode_with (same base offset, lastOffsetDelta, timestamps and
 *          producer fields, so offsets never change), one keeping none is dropped;
 *       d. the output is written to "<base>.log.cleaned" (write + fsync), renamed to
 *          "<base>.log.swap" and handed to broker__log_swap_in, which replaces the old
 *          segments under the log's segs_lock. A crash before the rename leaves a .cleaned
 *          file that open deletes; after it, open completes the swap (log.c). Readers never
 *          see a partially written file: the swap is a rename plus a pointer swap.
 *
 * Passes are serialised by cleaner_mu (held for the whole pass, also by broker_topic_delete,
 * so the cleaner never writes into a topic being deleted). The thread waits on cleaner_cv
 * with a monotonic deadline and checks b->stopping between partitions, so close is prompt.
 */
#include "broker_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define WRITE_CHUNK (1 << 20)

/* a - b, clamped to int64 (the virtual clock may be near 0 and configs near INT64_MAX). */
static int64_t sub_sat(int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_sub_overflow(a, b, &r))
        return b > 0 ? INT64_MIN : INT64_MAX;
    return r;
}

static bool stopping(broker *b) { return __atomic_load_n(&b->stopping, __ATOMIC_ACQUIRE); }

/* ---------------------------------------------------------------------------------------------
 * Offset map: open addressing (linear probing) from key bytes to the latest offset.
 * ------------------------------------------------------------------------------------------- */

typedef struct key_slot {
    uint64_t hash;
    const uint8_t *key;          /* borrowed from a referenced segment mapping */
    int32_t key_len;
    int64_t offset;              /* -1 = empty slot */
} key_slot;

typedef struct key_map {
    key_slot *slots;
    size_t cap, n;               /* cap is a power of two; n <= cap / 2 */
} key_map;

static key_slot *map_slot(key_map *m, const uint8_t *key, int32_t len, uint64_t h)
{
    size_t i = h & (m->cap - 1);
    for (;;) {
        key_slot *s = &m->slots[i];
        if (s->offset < 0 ||
            (s->hash == h && s->key_len == len && !memcmp(s->key, key, (size_t)len)))
            return s;
        i = (i + 1) & (m->cap - 1);
    }
}

static int map_grow(key_map *m)
{
    size_t cap = m->cap ? m->cap * 2 : 1024;
    key_slot *slots = eddy_malloc(cap * sizeof *slots);
    if (!slots)
        return EDDY_ENOMEM;
    for (size_t i = 0; i < cap; i++)
        slots[i].offset = -1;
    key_map nm = {slots, cap, 0};
    for (size_t i = 0; i < m->cap; i++) {
        key_slot *s = &m->slots[i];
        if (s->offset >= 0) {
            *map_slot(&nm, s->key, s->key_len, s->hash) = *s;
            nm.n++;
        }
    }
    eddy_free(m->slots);
    *m = nm;
    return 0;
}

/* Record that 'key' was written at 'offset' (calls come in offset order: the last wins). */
static int map_put(key_map *m, const uint8_t *key, int32_t len, int64_t offset)
{
    if (m->n + 1 > m->cap / 2 && map_grow(m) != 0)
        return EDDY_ENOMEM;
    uint64_t h = eddy_hash64(key, (size_t)len);
    key_slot *s = map_slot(m, key, len, h);
    if (s->offset < 0) {
        s->hash = h;
        s->key = key;
        s->key_len = len;
        m->n++;
    }
    s->offset = offset;
    return 0;
}

static int64_t map_get(key_map *m, const uint8_t *key, int32_t len)
{
    return map_slot(m, key, len, eddy_hash64(key, (size_t)len))->offset;
}

/* ---------------------------------------------------------------------------------------------
 * Walking the batches of a closed segment
 * ------------------------------------------------------------------------------------------- */

/* One batch of a segment: its bytes and header. */
typedef struct seg_batch {
    const uint8_t *data;
    size_t len;
    broker_batch_header h;
} seg_batch;

/* Next whole batch at '*pos' of segment 's'; false at the end (or at bytes that do not frame
 * as a batch, which recovery has already ruled out). */
static bool next_batch(const broker_segment *s, uint64_t size, uint64_t *pos, seg_batch *out)
{
    if (*pos + BROKER_BATCH_HEADER_SIZE > size)
        return false;
    out->data = s->map + *pos;
    broker_batch_header_parse(out->data, &out->h);
    if (out->h.batch_length < BROKER_BATCH_HEADER_SIZE - 12)
        return false;
    out->len = (size_t)out->h.batch_length + 12;
    if (*pos + out->len > size)
        return false;
    *pos += out->len;
    return true;
}

/* Batches compaction leaves alone: control, transactional or compressed ones. */
static bool batch_verbatim(const broker_batch_header *h)
{
    return h->magic != 2 || (h->attributes & (BROKER_ATTR_CONTROL | BROKER_ATTR_TRANSACTIONAL |
                                              BROKER_ATTR_COMPRESSION_MASK));
}

/* What compaction needs to decide about records. */
typedef struct compact_ctx {
    key_map map;
    int64_t tombstone_horizon;   /* tombstones with timestamp < this are dropped */
    broker_record *recs;         /* scratch: the kept records of one batch */
    size_t recs_cap;
} compact_ctx;

static bool record_kept(compact_ctx *cx, const broker_record *r)
{
    if (!r->key)
        return true;
    if (map_get(&cx->map, r->key, r->key_len) != r->offset)
        return false;
    return r->value || r->timestamp >= cx->tombstone_horizon;
}

/* Decide for the batch 'sb': fills cx->recs with the kept records (*nkept) and *ntotal.
 * Returns 0, or EDDY_ECORRUPT / EDDY_ENOMEM. A verbatim batch counts as all kept. */
static int batch_filter(compact_ctx *cx, const seg_batch *sb, size_t *nkept, size_t *ntotal,
                        eddy_err *err)
{
    *nkept = *ntotal = 0;
    if (batch_verbatim(&sb->h))
        return 0;
    size_t need = sb->h.record_count > 0 ? (size_t)sb->h.record_count : 1;
    if (need > cx->recs_cap) {
        broker_record *n = eddy_realloc(cx->recs, need * sizeof *n);
        if (!n)
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory compacting");
        cx->recs = n;
        cx->recs_cap = need;
    }
    broker_iter it;
    broker_record r;
    int rc;
    broker_iter_init(&it, sb->data, sb->len, 0);
    while ((rc = broker_iter_next(&it, &r, err)) == 1) {
        if (*ntotal >= cx->recs_cap)
            return eddy_err_set(err, EDDY_ECORRUPT, "batch at offset %lld has too many records",
                                (long long)sb->h.base_offset);
        (*ntotal)++;
        if (record_kept(cx, &r))
            cx->recs[(*nkept)++] = r;
    }
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Retention
 * ------------------------------------------------------------------------------------------- */

static int retain(broker_log *log, const broker_topic_config *cfg, int64_t now,
                  broker_clean_stats *st, eddy_err *err)
{
    if (cfg->retention_ms < 0 && cfg->retention_bytes < 0)
        return 0;
    broker_segment **segs;
    size_t n;
    int rc = broker__log_segments(log, &segs, &n, err);
    if (rc)
        return rc;
    int64_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += (int64_t)atomic_load(&segs[i]->size);
    int64_t horizon = sub_sat(now, cfg->retention_ms);
    size_t k = 0;
    while (k + 1 < n) {
        int64_t size = (int64_t)atomic_load(&segs[k]->size);
        bool by_time = cfg->retention_ms >= 0 && atomic_load(&segs[k]->max_timestamp) < horizon;
        bool by_size = cfg->retention_bytes >= 0 && total - size >= cfg->retention_bytes;
        if (!by_time && !by_size)
            break;
        total -= size;
        k++;
    }
    if (k > 0) {
        rc = broker__log_delete_before(log, segs[k]->base_offset, err);
        if (rc > 0)
            st->segments_deleted += rc;
        rc = rc < 0 ? rc : 0;
    }
    broker__segments_release(segs, n);
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Compaction
 * ------------------------------------------------------------------------------------------- */

static int write_all(int fd, const void *p, size_t n, const char *path, eddy_err *err)
{
    const uint8_t *q = p;
    while (n) {
        ssize_t w = write(fd, q, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return eddy_err_sys(err, "cannot write '%s'", path);
        }
        q += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Write the compacted form of segs[0..n) to "<base>.log.cleaned", rename it to
 * "<base>.log.swap" and swap it into the log. Adds to 'st'. */
static int rewrite_run(broker_log *log, compact_ctx *cx, broker_segment **segs, size_t n,
                       broker_clean_stats *st, eddy_err *err)
{
    char cleaned[4096], swap[4096];
    int64_t base = segs[0]->base_offset;
    broker__segment_path(cleaned, sizeof cleaned, log->dir, base, ".log.cleaned");
    broker__segment_path(swap, sizeof swap, log->dir, base, ".log.swap");
    int fd = open(cleaned, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return eddy_err_sys(err, "cannot create '%s'", cleaned);
    eddy_buf out;
    eddy_buf_init(&out);
    int64_t removed = 0;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        uint64_t size = atomic_load(&segs[i]->size), pos = 0;
        seg_batch sb;
        while (rc == 0 && next_batch(segs[i], size, &pos, &sb)) {
            size_t nkept, ntotal;
            rc = batch_filter(cx, &sb, &nkept, &ntotal, err);
            if (rc)
                break;
            removed += (int64_t)(ntotal - nkept);
            if (batch_verbatim(&sb.h) || nkept == ntotal) {
                if (eddy_buf_append(&out, sb.data, sb.len) != 0)
                    rc = eddy_err_set(err, EDDY_ENOMEM, "out of memory compacting");
            } else if (nkept > 0) {
                rc = broker__batch_encode_with(&sb.h, cx->recs, nkept, &out, err);
            }
            if (rc == 0 && out.len >= WRITE_CHUNK) {
                rc = write_all(fd, out.data, out.len, cleaned, err);
                out.len = 0;
            }
        }
    }
    if (rc == 0 && out.len)
        rc = write_all(fd, out.data, out.len, cleaned, err);
    eddy_buf_free(&out);
    if (rc == 0 && fsync(fd) != 0)
        rc = eddy_err_sys(err, "cannot fsync '%s'", cleaned);
    if (close(fd) != 0 && rc == 0)
        rc = eddy_err_sys(err, "cannot close '%s'", cleaned);
    if (rc) {
        unlink(cleaned);
        return rc;
    }
    if (rename(cleaned, swap) != 0) {
        rc = eddy_err_sys(err, "cannot rename '%s'", cleaned);
        unlink(cleaned);
        return rc;
    }
    rc = broker__log_swap_in(log, segs, n, err);
    if (rc) {
        unlink(swap);
        return rc;
    }
    st->segments_compacted += (int)n;
    st->records_removed += removed;
    return 0;
}

/* Per closed segment: records it would lose, and an upper bound of its compacted size. */
typedef struct seg_plan {
    int64_t removals;
    uint64_t kept_bytes;
} seg_plan;

static int plan_segment(compact_ctx *cx, broker_segment *s, seg_plan *p, eddy_err *err)
{
    uint64_t size = atomic_load(&s->size), pos = 0;
    seg_batch sb;
    p->removals = 0;
    p->kept_bytes = 0;
    while (next_batch(s, size, &pos, &sb)) {
        size_t nkept, ntotal;
        int rc = batch_filter(cx, &sb, &nkept, &ntotal, err);
        if (rc)
            return rc;
        p->removals += (int64_t)(ntotal - nkept);
        if (batch_verbatim(&sb.h) || nkept > 0)
            p->kept_bytes += sb.len;
    }
    return 0;
}

static int compact(broker_log *log, const broker_topic_config *cfg, int64_t now,
                   broker_clean_stats *st, eddy_err *err)
{
    broker_segment **segs;
    size_t n;
    int rc = broker__log_segments(log, &segs, &n, err);
    if (rc)
        return rc;
    size_t ncl = n ? n - 1 : 0;   /* the last segment is the active one */
    if (cfg->min_compaction_lag_ms > 0) {
        int64_t newest = sub_sat(now, cfg->min_compaction_lag_ms);
        for (size_t i = 0; i < ncl; i++) {
            if (atomic_load(&segs[i]->max_timestamp) > newest) {
                ncl = i;
                break;
            }
        }
    }
    compact_ctx cx = {0};
    cx.tombstone_horizon = sub_sat(now, cfg->delete_retention_ms);
    seg_plan *plan = NULL;
    if (ncl == 0)
        goto out;

    /* a. The offset map over every cleanable record. */
    for (size_t i = 0; rc == 0 && i < ncl; i++) {
        uint64_t size = atomic_load(&segs[i]->size), pos = 0;
        seg_batch sb;
        while (rc == 0 && next_batch(segs[i], size, &pos, &sb)) {
            if (batch_verbatim(&sb.h))
                continue;
            broker_iter it;
            broker_record r;
            broker_iter_init(&it, sb.data, sb.len, 0);
            while ((rc = broker_iter_next(&it, &r, err)) == 1)
                if (r.key && (rc = map_put(&cx.map, r.key, r.key_len, r.offset)) != 0) {
                    rc = eddy_err_set(err, rc, "out of memory compacting");
                    break;
                }
        }
    }
    if (rc)
        goto out;

    /* b. What each segment would lose. */
    plan = eddy_calloc(ncl, sizeof *plan);
    if (!plan) {
        rc = eddy_err_set(err, EDDY_ENOMEM, "out of memory compacting");
        goto out;
    }
    for (size_t i = 0; rc == 0 && i < ncl; i++)
        rc = plan_segment(&cx, segs[i], &plan[i], err);

    /* c, d. Rewrite each segment that loses records, merged with the following ones while
     * the result fits in segment.bytes (and relative offsets stay 32-bit). */
    for (size_t i = 0; rc == 0 && i < ncl;) {
        if (plan[i].removals == 0) {
            i++;
            continue;
        }
        uint64_t bytes = plan[i].kept_bytes;
        size_t j = i + 1;
        while (j < ncl && bytes + plan[j].kept_bytes <= (uint64_t)cfg->segment_bytes &&
               atomic_load(&segs[j]->next_offset) - segs[i]->base_offset <= INT32_MAX) {
            bytes += plan[j].kept_bytes;
            j++;
        }
        rc = rewrite_run(log, &cx, &segs[i], j - i, st, err);
        i = j;
    }
out:
    eddy_free(plan);
    eddy_free(cx.map.slots);
    eddy_free(cx.recs);
    broker__segments_release(segs, n);
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Passes and the thread
 * ------------------------------------------------------------------------------------------- */

static int clean_log(broker_log *log, int64_t now, broker_clean_stats *st, eddy_err *err)
{
    const broker_topic_config *cfg = &log->topic->config;
    int rc = broker__log_maintain(log, now, err);
    if (rc == 0 && (cfg->cleanup_policy & BROKER_CLEANUP_DELETE))
        rc = retain(log, cfg, now, st, err);
    if (rc == 0 && (cfg->cleanup_policy & BROKER_CLEANUP_COMPACT))
        rc = compact(log, cfg, now, st, err);
    return rc;
}

/* One pass over every partition. Caller holds cleaner_mu. 'background' passes stop early when
 * the broker is closing. Errors of partitions that were closed meanwhile are ignored; of the
 * others the first is returned, after the remaining partitions were still cleaned. */
static int clean_pass(broker *b, bool background, broker_clean_stats *st, eddy_err *err)
{
    broker_log **logs = NULL;
    size_t nlogs = 0, cap = 0;
    int rc = 0;
    pthread_rwlock_rdlock(&b->topics_lock);
    for (size_t i = 0; i < b->ntopics; i++)
        cap += (size_t)b->topics[i]->partitions;
    logs = eddy_malloc((cap ? cap : 1) * sizeof *logs);
    if (!logs) {
        pthread_rwlock_unlock(&b->topics_lock);
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory starting a clean");
    }
    for (size_t i = 0; i < b->ntopics; i++) {
        broker_topic *t = b->topics[i];
        for (int p = 0; p < t->partitions; p++) {
            logs[nlogs] = t->logs[p];
            atomic_fetch_add(&logs[nlogs]->refs, 1);
            nlogs++;
        }
    }
    pthread_rwlock_unlock(&b->topics_lock);

    int64_t now = broker__now(b);
    for (size_t i = 0; i < nlogs; i++) {
        if (background && stopping(b))
            break;
        eddy_err e;
        eddy_err_clear(&e);
        int r = clean_log(logs[i], now, st, &e);
        if (r && !atomic_load(&logs[i]->closed) && rc == 0)
            rc = eddy_err_set(err, r, "%s/%d: %s", broker_log_topic(logs[i]),
                              broker_log_partition(logs[i]), e.msg);
    }
    for (size_t i = 0; i < nlogs; i++)
        broker_log_release(logs[i]);
    eddy_free(logs);
    return rc;
}

/*
 * Run one pass of maintenance, retention and compaction over every partition in the calling
 * thread, after any pass already running. 'stats' (may be NULL) receives the totals of this
 * pass. Errors: the first failure of a partition (EDDY_EIO, EDDY_ENOMEM, EDDY_ECORRUPT).
 */
int broker_clean_now(broker *b, broker_clean_stats *stats, eddy_err *err)
{
    broker_clean_stats st = {0};
    pthread_mutex_lock(&b->cleaner_mu);
    int rc = clean_pass(b, false, &st, err);
    pthread_mutex_unlock(&b->cleaner_mu);
    if (stats)
        *stats = st;
    return rc;
}

/* The thread: wait cleaner_interval_ms on cleaner_cv (monotonic clock), then run a pass,
 * until b->stopping. Errors of background passes are dropped: the next pass retries. */
static void *cleaner_main(void *arg)
{
    broker *b = arg;
    pthread_mutex_lock(&b->cleaner_mu);
    while (!stopping(b)) {
        struct timespec dl;
        clock_gettime(CLOCK_MONOTONIC, &dl);
        int64_t ns = dl.tv_nsec + (int64_t)(b->opts.cleaner_interval_ms % 1000) * 1000000;
        dl.tv_sec += b->opts.cleaner_interval_ms / 1000 + ns / 1000000000;
        dl.tv_nsec = ns % 1000000000;
        int w = 0;
        while (!stopping(b) && w != ETIMEDOUT)
            w = pthread_cond_timedwait(&b->cleaner_cv, &b->cleaner_mu, &dl);
        if (stopping(b))
            break;
        broker_clean_stats st = {0};
        clean_pass(b, true, &st, NULL);
    }
    pthread_mutex_unlock(&b->cleaner_mu);
    return NULL;
}

int broker__cleaner_start(broker *b, eddy_err *err)
{
    __atomic_store_n(&b->stopping, false, __ATOMIC_RELEASE);
    int e = pthread_create(&b->cleaner, NULL, cleaner_main, b);
    if (e != 0) {
        errno = e;
        return eddy_err_sys(err, "cannot start the cleaner thread");
    }
    b->cleaner_running = true;
    return 0;
}

/* Ask the thread to stop (it notices between partitions and while waiting) and join it. */
void broker__cleaner_stop(broker *b)
{
    if (!b->cleaner_running)
        return;
    __atomic_store_n(&b->stopping, true, __ATOMIC_RELEASE);
    pthread_mutex_lock(&b->cleaner_mu);
    pthread_cond_broadcast(&b->cleaner_cv);
    pthread_mutex_unlock(&b->cleaner_mu);
    pthread_join(b->cleaner, NULL);
    b->cleaner_running = false;
}
