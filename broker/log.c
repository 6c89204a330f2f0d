/*
 * log.c - one partition: an ordered run of segments, the last of which is active.
 *
 * Append (one writer at a time, under write_lock): check the batch, check idempotence, give
 * it the next offset (written into the batch header, outside the CRC), roll the active
 * segment if the batch would overflow segment.bytes, write, update indexes and producer
 * state, then publish the new end offset and wake waiting readers. fsync follows
 * flush.messages here and flush.ms in broker__log_maintain().
 *
 * Fetch never takes write_lock: it reads the published end offset, takes segs_lock shared
 * just long enough to find and reference the segment holding the offset, and returns a
 * pointer into that segment's mapping. The reference keeps the file's bytes alive even if
 * retention or compaction replaces the segment meanwhile.
 *
 * Open: leftovers of an interrupted compaction are settled first (a "<base>.log.swap" file
 * replaces the segments whose offsets it covers; ".cleaned" files are dropped), then the
 * segments are opened in order. After a crash (no clean-shutdown marker) the active segment
 * is fully re-validated and its torn tail truncated; closed segments are checked through
 * their indexes and re-validated only when something does not add up.
 */
#include "broker_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static uint64_t active_capacity(const broker_topic_config *c)
{
    return (uint64_t)c->segment_bytes + (uint64_t)c->max_message_bytes + 4096;
}

const char *broker_log_topic(const broker_log *log) { return log->topic->name; }
int32_t broker_log_partition(const broker_log *log) { return log->partition; }
int64_t broker_log_start_offset(broker_log *log) { return atomic_load(&log->start_offset); }
int64_t broker_log_end_offset(broker_log *log) { return atomic_load(&log->end_offset); }

static void log_free(broker_log *log)
{
    for (size_t i = 0; i < log->nsegs; i++)
        broker__segment_unref(log->segs[i]);
    eddy_free(log->segs);
    broker__producers_free(&log->producers);
    pthread_mutex_destroy(&log->write_lock);
    pthread_rwlock_destroy(&log->segs_lock);
    pthread_mutex_destroy(&log->wait_mu);
    pthread_cond_destroy(&log->wait_cv);
    if (log->topic)
        broker__topic_unref(log->topic);
    eddy_free(log->dir);
    eddy_free(log);
}

void broker_log_release(broker_log *log)
{
    if (log && atomic_fetch_sub(&log->refs, 1) == 1)
        log_free(log);
}

static int segs_push(broker_log *log, broker_segment *s, eddy_err *err)
{
    if (log->nsegs == log->segs_cap) {
        size_t cap = log->segs_cap ? log->segs_cap * 2 : 8;
        broker_segment **a = eddy_realloc(log->segs, cap * sizeof *a);
        if (!a)
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory adding a segment");
        log->segs = a;
        log->segs_cap = cap;
    }
    log->segs[log->nsegs++] = s;
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Parse "<20 digits><suffix>"; returns true and *base when 'name' has that form. */
static bool parse_name(const char *name, const char *suffix, int64_t *base)
{
    size_t n = strlen(name), sl = strlen(suffix);
    if (n != 20 + sl || strcmp(name + 20, suffix) != 0)
        return false;
    int64_t v = 0;
    for (int i = 0; i < 20; i++) {
        if (name[i] < '0' || name[i] > '9')
            return false;
        v = v * 10 + (name[i] - '0');
    }
    *base = v;
    return true;
}

static void unlink_segment_files(const char *dir, int64_t base)
{
    static const char *const sfx[] = {".log", ".index", ".timeindex"};
    char p[4096];
    for (size_t i = 0; i < EDDY_ARRAY_LEN(sfx); i++) {
        broker__segment_path(p, sizeof p, dir, base, sfx[i]);
        unlink(p);
    }
}

static void fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/* Offset after the last whole batch of file 'path' (for settling a swap file). */
static int64_t file_next_offset(const char *path, int64_t base)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return base;
    int64_t next = base;
    uint8_t h[BROKER_BATCH_HEADER_SIZE];
    off_t pos = 0;
    while (pread(fd, h, sizeof h, pos) == (ssize_t)sizeof h) {
        int64_t b = (int64_t)eddy_get_be64(h);
        int32_t len = (int32_t)eddy_get_be32(h + 8), lod = (int32_t)eddy_get_be32(h + 23);
        if (len < BROKER_BATCH_HEADER_SIZE - 12)
            break;
        next = b + lod + 1;
        pos += len + 12;
    }
    close(fd);
    return next;
}

/* List segment bases in 'dir', settling interrupted compactions first. */
static int list_segments(const char *dir, int64_t **bases, size_t *n, eddy_err *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return eddy_err_sys(err, "cannot open partition directory '%s'", dir);
    int64_t *swaps = NULL, *logs = NULL;
    size_t nswaps = 0, nlogs = 0, capw = 0, capl = 0;
    struct dirent *e;
    int rc = 0;
    char p[4096];
    while ((e = readdir(d)) != NULL) {
        int64_t b;
        if (parse_name(e->d_name, ".log.cleaned", &b) || parse_name(e->d_name, ".log.deleted", &b)) {
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        } else if (parse_name(e->d_name, ".log.swap", &b)) {
            if (nswaps == capw) {
                capw = capw ? capw * 2 : 4;
                int64_t *a = eddy_realloc(swaps, capw * sizeof *a);
                if (!a) { rc = EDDY_ENOMEM; break; }
                swaps = a;
            }
            swaps[nswaps++] = b;
        }
    }
    for (size_t i = 0; rc == 0 && i < nswaps; i++) {
        /* Finish the swap: drop every segment the swap file covers, then rename it. */
        char swap[4096], dst[4096];
        broker__segment_path(swap, sizeof swap, dir, swaps[i], ".log.swap");
        int64_t next = file_next_offset(swap, swaps[i]);
        rewinddir(d);
        while ((e = readdir(d)) != NULL) {
            int64_t b;
            if (parse_name(e->d_name, ".log", &b) && b >= swaps[i] && b < next)
                unlink_segment_files(dir, b);
        }
        broker__segment_path(dst, sizeof dst, dir, swaps[i], ".log");
        if (rename(swap, dst) != 0)
            rc = eddy_err_sys(err, "cannot finish compaction of '%s'", swap);
    }
    if (nswaps)
        fsync_dir(dir);
    rewinddir(d);
    while (rc == 0 && (e = readdir(d)) != NULL) {
        int64_t b;
        if (!parse_name(e->d_name, ".log", &b))
            continue;
        if (nlogs == capl) {
            capl = capl ? capl * 2 : 16;
            int64_t *a = eddy_realloc(logs, capl * sizeof *a);
            if (!a) { rc = EDDY_ENOMEM; break; }
            logs = a;
        }
        logs[nlogs++] = b;
    }
    closedir(d);
    eddy_free(swaps);
    if (rc) {
        eddy_free(logs);
        return rc == EDDY_ENOMEM ? eddy_err_set(err, rc, "out of memory listing segments") : rc;
    }
    if (nlogs)
        qsort(logs, nlogs, sizeof *logs, cmp_i64);
    *bases = logs;
    *n = nlogs;
    return 0;
}

/* Replay batch headers from 'from' to the end into the producer table. */
static void producers_replay(broker_log *log, int64_t from)
{
    for (size_t i = 0; i < log->nsegs; i++) {
        broker_segment *s = log->segs[i];
        if (atomic_load(&s->next_offset) <= from)
            continue;
        uint64_t size = atomic_load(&s->size);
        uint64_t pos = broker__segment_find(s, from);
        while (pos + BROKER_BATCH_HEADER_SIZE <= size) {
            broker_batch_header h;
            broker_batch_header_parse(s->map + pos, &h);
            if (h.producer_id >= 0 && !(h.attributes & BROKER_ATTR_CONTROL))
                broker__producers_update(&log->producers, &h);
            pos += (uint64_t)h.batch_length + 12;
        }
    }
}

int broker__log_open(broker *b, broker_topic *topic, int32_t partition, const char *dir,
                     bool clean, broker_log **out, eddy_err *err)
{
    int rc = eddy_mkdirs(dir, err);
    if (rc)
        return rc;
    broker_log *log = eddy_calloc(1, sizeof *log);
    if (!log)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory opening a partition");
    atomic_init(&log->refs, 1);
    log->b = b;
    log->partition = partition;
    log->dir = eddy_strdup(dir);
    pthread_mutex_init(&log->write_lock, NULL);
    pthread_rwlock_init(&log->segs_lock, NULL);
    pthread_mutex_init(&log->wait_mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&log->wait_cv, &ca);
    pthread_condattr_destroy(&ca);
    broker__producers_init(&log->producers);
    if (!log->dir) {
        log_free(log);
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory opening a partition");
    }

    int64_t *bases = NULL;
    size_t nbases = 0;
    if ((rc = list_segments(dir, &bases, &nbases, err)) != 0) {
        log_free(log);
        return rc;
    }
    int64_t now = broker__now(b);
    for (size_t i = 0; i < nbases && rc == 0; i++) {
        bool last = i + 1 == nbases;
        broker_segment *s;
        rc = broker__segment_open(dir, bases[i], false, last && !clean,
                                  last ? active_capacity(&topic->config) : 0, now, &s, err);
        if (rc == 0) {
            s->active = last;
            if (!clean) /* after a crash nothing is known to be on disk */
                atomic_store(&s->dirty, true);
            if (log->nsegs && atomic_load(&s->size) > 0 &&
                bases[i] < atomic_load(&log->segs[log->nsegs - 1]->next_offset)) {
                broker__segment_unref(s);
                rc = eddy_err_set(err, EDDY_ECORRUPT, "segments of '%s' overlap at offset %lld",
                                  dir, (long long)bases[i]);
            } else {
                rc = segs_push(log, s, err);
                if (rc)
                    broker__segment_unref(s);
            }
        }
    }
    eddy_free(bases);
    if (rc == 0 && log->nsegs == 0) {
        broker_segment *s;
        rc = broker__segment_open(dir, 0, true, false, active_capacity(&topic->config), now, &s, err);
        if (rc == 0 && (rc = segs_push(log, s, err)) != 0)
            broker__segment_unref(s);
    }
    if (rc) {
        log_free(log);
        return rc;
    }
    atomic_store(&log->start_offset, log->segs[0]->base_offset);
    atomic_store(&log->end_offset, atomic_load(&log->segs[log->nsegs - 1]->next_offset));
    atomic_store(&log->last_flush_ms, now);

    int64_t snap = broker__producers_load(&log->producers, dir);
    if (snap > atomic_load(&log->end_offset)) {
        broker__producers_free(&log->producers);
        snap = 0;
    }
    producers_replay(log, snap);

    /* Only now take a reference on the topic: log_free drops it. */
    atomic_fetch_add(&topic->refs, 1);
    log->topic = topic;
    *out = log;
    return 0;
}

void broker__log_shutdown(broker_log *log, bool save)
{
    atomic_store(&log->closed, true);
    pthread_mutex_lock(&log->wait_mu);
    pthread_cond_broadcast(&log->wait_cv);
    pthread_mutex_unlock(&log->wait_mu);
    pthread_mutex_lock(&log->write_lock);
    if (save) {
        broker__segment_flush(log->segs[log->nsegs - 1], NULL);
        /* Unchanged since open: the snapshot on disk (if any) is still right. */
        if (log->appended)
            broker__producers_save(&log->producers, log->dir, atomic_load(&log->end_offset),
                                   NULL);
    }
    pthread_mutex_unlock(&log->write_lock);
    broker_log_release(log);
}

/* ------------------------------------------------------------------------------------------ */
/* Append                                                                                      */

/* Start a new active segment at the log end offset. Caller holds write_lock. */
static int roll(broker_log *log, eddy_err *err)
{
    broker_segment *old = log->segs[log->nsegs - 1];
    int64_t base = atomic_load(&log->end_offset);
    broker_segment *s;
    int rc = broker__segment_open(log->dir, base, true, false,
                                  active_capacity(&log->topic->config), broker__now(log->b), &s,
                                  err);
    if (rc)
        return rc;
    pthread_rwlock_wrlock(&log->segs_lock);
    rc = segs_push(log, s, err);
    pthread_rwlock_unlock(&log->segs_lock);
    if (rc) {
        broker__segment_unref(s);
        return rc;
    }
    broker__segment_seal(old, err);
    return 0;
}

static void wake_readers(broker_log *log)
{
    pthread_mutex_lock(&log->wait_mu);
    pthread_cond_broadcast(&log->wait_cv);
    pthread_mutex_unlock(&log->wait_mu);
}

/* Append a checked batch with header 'h' (base offset still 0), given as pieces whose first
 * starts with the header. Caller holds write_lock. */
static int append_locked(broker_log *log, const struct iovec *iov, int niov, size_t len,
                         broker_batch_header *h, broker_append_info *info, eddy_err *err)
{
    if (atomic_load(&log->closed) || atomic_load(&log->topic->deleted))
        return eddy_err_set(err, EDDY_ECLOSED, "topic '%s' was deleted or is closing",
                            log->topic->name);
    const broker_topic_config *cfg = &log->topic->config;
    broker_producer_batch dup;
    int rc = broker__producers_check(&log->producers, h, &dup, err);
    if (rc < 0)
        return rc;
    if (rc == 1) {
        info->base_offset = dup.first_offset;
        info->last_offset = dup.last_offset;
        info->log_start_offset = atomic_load(&log->start_offset);
        info->duplicate = true;
        return 0;
    }
    int64_t base = atomic_load(&log->end_offset);
    h->base_offset = base;
    h->partition_leader_epoch = 0;
    uint8_t *batch = iov[0].iov_base;
    eddy_put_be64(batch, (uint64_t)base);
    eddy_put_be32(batch + 12, 0);

    broker_segment *act = log->segs[log->nsegs - 1];
    uint64_t size = atomic_load(&act->size);
    if (size > 0 && (size + len > (uint64_t)cfg->segment_bytes ||
                     base - act->base_offset + h->last_offset_delta >= INT32_MAX)) {
        if ((rc = roll(log, err)) != 0)
            return rc;
        act = log->segs[log->nsegs - 1];
    }
    if ((rc = broker__segment_append(act, iov, niov, len, h, err)) != 0)
        return rc;
    broker__producers_update(&log->producers, h);
    log->appended = true;
    atomic_store(&log->end_offset, base + h->last_offset_delta + 1);
    info->base_offset = base;
    info->last_offset = base + h->last_offset_delta;
    info->log_start_offset = atomic_load(&log->start_offset);
    info->duplicate = false;

    log->unflushed += h->record_count;
    if (log->unflushed >= cfg->flush_messages) {
        if ((rc = broker__segment_flush(act, err)) != 0)
            return rc;
        log->unflushed = 0;
        atomic_store(&log->last_flush_ms, broker__now(log->b));
    }
    return 0;
}

int broker_log_append_batch(broker_log *log, uint8_t *batch, size_t len,
                            broker_append_info *info, eddy_err *err)
{
    broker_batch_header h;
    int rc = broker__batch_check_produce(batch, len, &log->topic->config, &h, err);
    if (rc)
        return rc;
    struct iovec v = {batch, len};
    pthread_mutex_lock(&log->write_lock);
    rc = append_locked(log, &v, 1, len, &h, info, err);
    pthread_mutex_unlock(&log->write_lock);
    if (rc == 0 && !info->duplicate)
        wake_readers(log);
    return rc;
}

/* The encode buffer of the calling thread: one per thread rather than per partition, so
 * that a thread appending round robin to many partitions keeps one buffer warm in its cache
 * (bench/broker, 1 KiB values, 4 partitions: ~55-60% -> ~67-71% of the raw write rate). */
static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void scratch_free(void *p)
{
    eddy_buf_free(p);
    eddy_free(p);
}

static void scratch_init(void) { pthread_key_create(&scratch_key, scratch_free); }

static eddy_buf *thread_scratch(void)
{
    pthread_once(&scratch_once, scratch_init);
    eddy_buf *b = pthread_getspecific(scratch_key);
    if (!b && (b = eddy_malloc(sizeof *b)) != NULL) {
        eddy_buf_init(b);
        if (pthread_setspecific(scratch_key, b) != 0) {
            eddy_free(b);
            b = NULL;
        }
    }
    return b;
}

/* Encode and append; split in halves when the batch would exceed max.message.bytes.
 * Records are copied into one contiguous buffer, the CRC-32C computed as they are copied
 * (batch.c). A gathered write (pwritev from the callers' values) would save the copy, but
 * with the streaming CRC the copy is nearly free (checksumming 1000 pieces of 17 + 1024
 * bytes: 24 us/MiB, copying them as well: 25), while the kernel takes longer over 2000
 * iovecs than over one buffer (+0.006-0.010 s/GB of system time, 3-5%, on the 2-vCPU EPYC
 * VM with ext4). */
static int append_records(broker_log *log, const broker_record *recs, size_t n,
                          broker_append_info *info, eddy_err *err)
{
    eddy_buf *buf = thread_scratch();
    if (!buf)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory encoding a record batch");
    /* The batch is built at the address that is congruent, modulo the page size, to where it
     * will land in the segment (its end, unless the append rolls a new one): the kernel then
     * copies whole source pages into whole page-cache pages. Measured on the 2-vCPU EPYC VM
     * (ext4): pwrite of 1 MiB at page-congruent source addresses ~0.142 s/GB of system time,
     * at a fixed misalignment ~0.149. */
    buf->len = 0;
    if (eddy_buf_reserve(buf, 4096) != 0)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory encoding a record batch");
    uint64_t pos = atomic_load(&log->segs[log->nsegs - 1]->size);
    size_t pad = (size_t)((pos - (uint64_t)(uintptr_t)buf->data) & 4095);
    buf->len = pad;
    int rc = broker_batch_encode(recs, n, -1, -1, -1, buf, err);
    if (rc)
        return rc;
    uint8_t *batch = buf->data + pad;
    size_t len = buf->len - pad;
    if ((int64_t)len > log->topic->config.max_message_bytes) {
        if (n == 1)
            return eddy_err_set(err, EDDY_ETOOLARGE,
                                "record of %zu bytes exceeds max.message.bytes %lld", len,
                                (long long)log->topic->config.max_message_bytes);
        broker_append_info second;
        size_t half = n / 2;
        if ((rc = append_records(log, recs, half, info, err)) != 0)
            return rc;
        if ((rc = append_records(log, recs + half, n - half, &second, err)) != 0)
            return rc;
        info->last_offset = second.last_offset;
        return 0;
    }
    broker_batch_header h;
    broker_batch_header_parse(batch, &h);
    struct iovec v = {batch, len};
    return append_locked(log, &v, 1, len, &h, info, err);
}

int broker_log_append(broker_log *log, const broker_record *recs, size_t n,
                      broker_append_info *info, eddy_err *err)
{
    if (n == 0)
        return eddy_err_set(err, EDDY_EINVAL, "nothing to append");
    if (log->topic->config.cleanup_policy & BROKER_CLEANUP_COMPACT)
        for (size_t i = 0; i < n; i++)
            if (!recs[i].key)
                return eddy_err_set(err, EDDY_EINVAL,
                                    "compacted topic '%s' cannot accept a record without a key",
                                    log->topic->name);
    broker_append_info tmp;
    if (!info)
        info = &tmp;
    pthread_mutex_lock(&log->write_lock);
    int rc = append_records(log, recs, n, info, err);
    eddy_buf *scratch = thread_scratch();
    if (scratch && scratch->cap > (4u << 20)) /* don't pin a huge buffer */
        eddy_buf_free(scratch);

    pthread_mutex_unlock(&log->write_lock);
    if (rc == 0)
        wake_readers(log);
    return rc;
}

int broker_log_flush(broker_log *log, eddy_err *err)
{
    pthread_mutex_lock(&log->write_lock);
    int rc = broker__segment_flush(log->segs[log->nsegs - 1], err);
    if (rc == 0) {
        log->unflushed = 0;
        atomic_store(&log->last_flush_ms, broker__now(log->b));
    }
    pthread_mutex_unlock(&log->write_lock);
    return rc;
}

int broker__log_maintain(broker_log *log, int64_t now_ms, eddy_err *err)
{
    int rc = 0;
    pthread_mutex_lock(&log->write_lock);
    const broker_topic_config *cfg = &log->topic->config;
    broker_segment *act = log->segs[log->nsegs - 1];
    if (!atomic_load(&log->closed) && atomic_load(&act->size) > 0 &&
        now_ms - act->created_ms >= cfg->segment_ms)
        rc = roll(log, err);
    if (rc == 0 && log->unflushed > 0 && cfg->flush_ms != INT64_MAX &&
        now_ms - atomic_load(&log->last_flush_ms) >= cfg->flush_ms) {
        rc = broker__segment_flush(log->segs[log->nsegs - 1], err);
        if (rc == 0) {
            log->unflushed = 0;
            atomic_store(&log->last_flush_ms, now_ms);
        }
    }
    pthread_mutex_unlock(&log->write_lock);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* Fetch                                                                                       */

/* Referenced segment holding 'offset' (the last with base <= offset), or NULL. */
static broker_segment *segment_for(broker_log *log, int64_t offset, size_t *index)
{
    pthread_rwlock_rdlock(&log->segs_lock);
    size_t lo = 0, hi = log->nsegs;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (log->segs[mid]->base_offset <= offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    broker_segment *s = NULL;
    if (lo > 0) {
        s = log->segs[lo - 1];
        broker__segment_ref(s);
        *index = lo - 1;
    } else if (log->nsegs > 0) {
        s = log->segs[0];
        broker__segment_ref(s);
        *index = 0;
    }
    pthread_rwlock_unlock(&log->segs_lock);
    return s;
}

/* The segment after the one at 'index' if it is still at that index, referenced. */
static broker_segment *segment_after(broker_log *log, broker_segment *cur, size_t *index)
{
    broker_segment *s = NULL;
    pthread_rwlock_rdlock(&log->segs_lock);
    for (size_t i = 0; i < log->nsegs; i++)
        if (log->segs[i]->base_offset > cur->base_offset) {
            s = log->segs[i];
            broker__segment_ref(s);
            *index = i;
            break;
        }
    pthread_rwlock_unlock(&log->segs_lock);
    return s;
}

int broker_log_fetch(broker_log *log, int64_t offset, size_t max_bytes,
                     broker_fetch_result *res, eddy_err *err)
{
    memset(res, 0, sizeof *res);
    res->fd = -1;
    int64_t end = atomic_load(&log->end_offset);
    int64_t start = atomic_load(&log->start_offset);
    res->high_watermark = end;
    res->log_start_offset = start;
    res->next_offset = offset;
    if (offset < start || offset > end)
        return eddy_err_set(err, EDDY_ERANGE,
                            "offset %lld is out of range [%lld, %lld] for %s-%d",
                            (long long)offset, (long long)start, (long long)end,
                            log->topic->name, log->partition);
    if (offset == end)
        return 0;
    size_t idx;
    broker_segment *s = segment_for(log, offset, &idx);
    while (s) {
        uint64_t size = atomic_load_explicit(&s->size, memory_order_acquire);
        uint64_t pos = broker__segment_find(s, offset);
        if (pos < size) {
            /* Whole batches up to max_bytes, at least one. */
            uint64_t p = pos;
            int64_t next = offset;
            while (p + BROKER_BATCH_HEADER_SIZE <= size) {
                const uint8_t *h = s->map + p;
                uint64_t blen = (uint64_t)eddy_get_be32(h + 8) + 12;
                if (p + blen > size || (p > pos && p + blen - pos > max_bytes))
                    break;
                next = (int64_t)eddy_get_be64(h) + (int32_t)eddy_get_be32(h + 23) + 1;
                p += blen;
            }
            res->data = s->map + pos;
            res->len = (size_t)(p - pos);
            res->fd = s->fd;
            res->file_pos = (off_t)pos;
            res->next_offset = next;
            res->seg_ref = s;
            return 0;
        }
        /* Nothing at or after 'offset' here (compaction gap at the end): next segment. */
        broker_segment *n = segment_after(log, s, &idx);
        broker__segment_unref(s);
        s = n;
    }
    res->next_offset = end;
    return 0;
}

void broker_fetch_release(broker_fetch_result *res)
{
    if (res && res->seg_ref) {
        broker__segment_unref(res->seg_ref);
        res->seg_ref = NULL;
        res->data = NULL;
        res->len = 0;
    }
}

int broker_log_wait(broker_log *log, int64_t offset, int timeout_ms)
{
    if (atomic_load(&log->end_offset) > offset)
        return 1;
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    int result = 0;
    pthread_mutex_lock(&log->wait_mu);
    for (;;) {
        if (atomic_load(&log->end_offset) > offset) {
            result = 1;
            break;
        }
        if (atomic_load(&log->closed)) {
            result = EDDY_ECLOSED;
            break;
        }
        if (pthread_cond_timedwait(&log->wait_cv, &log->wait_mu, &deadline) == ETIMEDOUT) {
            result = atomic_load(&log->end_offset) > offset ? 1 : 0;
            break;
        }
    }
    pthread_mutex_unlock(&log->wait_mu);
    return result;
}

int broker_log_offset_for_time(broker_log *log, int64_t ts, int64_t *offset, eddy_err *err)
{
    broker_segment **segs;
    size_t n;
    int rc = broker__log_segments(log, &segs, &n, err);
    if (rc)
        return rc;
    *offset = atomic_load(&log->end_offset);
    for (size_t i = 0; i < n; i++) {
        if (atomic_load(&segs[i]->max_timestamp) < ts)
            continue;
        int64_t o = broker__segment_find_time(segs[i], ts);
        if (o >= 0) {
            *offset = o;
            break;
        }
    }
    broker__segments_release(segs, n);
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* For the cleaner                                                                             */

int broker__log_segments(broker_log *log, broker_segment ***segs, size_t *n, eddy_err *err)
{
    pthread_rwlock_rdlock(&log->segs_lock);
    broker_segment **a = eddy_malloc((log->nsegs ? log->nsegs : 1) * sizeof *a);
    if (!a) {
        pthread_rwlock_unlock(&log->segs_lock);
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < log->nsegs; i++) {
        a[i] = log->segs[i];
        broker__segment_ref(a[i]);
    }
    *n = log->nsegs;
    pthread_rwlock_unlock(&log->segs_lock);
    *segs = a;
    return 0;
}

void broker__segments_release(broker_segment **segs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        broker__segment_unref(segs[i]);
    eddy_free(segs);
}

int broker__log_delete_before(broker_log *log, int64_t keep_from, eddy_err *err)
{
    (void)err;
    int removed = 0;
    /* write_lock too: the appender reads the segment array under write_lock alone. */
    pthread_mutex_lock(&log->write_lock);
    pthread_rwlock_wrlock(&log->segs_lock);
    size_t k = 0;
    while (k + 1 < log->nsegs && log->segs[k]->base_offset < keep_from)
        k++;
    for (size_t i = 0; i < k; i++) {
        atomic_store(&log->segs[i]->unlink_on_free, true);
        broker__segment_unref(log->segs[i]);
        removed++;
    }
    memmove(log->segs, log->segs + k, (log->nsegs - k) * sizeof *log->segs);
    log->nsegs -= k;
    if (k)
        atomic_store(&log->start_offset, log->segs[0]->base_offset);
    pthread_rwlock_unlock(&log->segs_lock);
    pthread_mutex_unlock(&log->write_lock);
    return removed;
}

int broker__log_swap_in(broker_log *log, broker_segment **old, size_t nold, eddy_err *err)
{
    if (nold == 0)
        return eddy_err_set(err, EDDY_EINVAL, "nothing to swap");
    /* Check that 'old' is still a run of closed segments of this log. */
    size_t at = 0;
    bool ok = false;
    pthread_rwlock_rdlock(&log->segs_lock);
    for (size_t i = 0; i < log->nsegs; i++)
        if (log->segs[i] == old[0]) {
            at = i;
            ok = at + nold < log->nsegs; /* never the active segment */
            for (size_t k = 0; ok && k < nold; k++)
                ok = log->segs[at + k] == old[k];
            break;
        }
    pthread_rwlock_unlock(&log->segs_lock);
    if (!ok)
        return eddy_err_set(err, EDDY_EINVAL, "segments changed during compaction");

    /* Crash-safe order (see list_segments): drop the first segment's indexes and the other
     * segments' files, then rename the swap file over the first segment. */
    char p[4096], swap[4096];
    int64_t base = old[0]->base_offset;
    broker__segment_path(p, sizeof p, log->dir, base, ".index");
    unlink(p);
    broker__segment_path(p, sizeof p, log->dir, base, ".timeindex");
    unlink(p);
    for (size_t k = 1; k < nold; k++)
        unlink_segment_files(log->dir, old[k]->base_offset);
    broker__segment_path(swap, sizeof swap, log->dir, base, ".log.swap");
    broker__segment_path(p, sizeof p, log->dir, base, ".log");
    if (rename(swap, p) != 0)
        return eddy_err_sys(err, "cannot swap in compacted segment '%s'", swap);
    fsync_dir(log->dir);

    broker_segment *s;
    int rc = broker__segment_open(log->dir, base, false, true, 0, old[0]->created_ms, &s, err);
    if (rc)
        return rc;
    s->active = false;
    pthread_mutex_lock(&log->write_lock);
    pthread_rwlock_wrlock(&log->segs_lock);
    for (size_t k = 0; k < nold; k++)
        broker__segment_unref(log->segs[at + k]);
    log->segs[at] = s;
    memmove(log->segs + at + 1, log->segs + at + nold,
            (log->nsegs - at - nold) * sizeof *log->segs);
    log->nsegs -= nold - 1;
    pthread_rwlock_unlock(&log->segs_lock);
    pthread_mutex_unlock(&log->write_lock);
    return 0;
}
