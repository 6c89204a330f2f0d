/*
 * segment.c - one log segment: a file of record batches plus its sparse offset index and its
 * time index (see broker_int.h for the file formats).
 *
 * Appends use pwrite(2) at the end of the file: the bytes go to the page cache, and fsync is
 * a separate policy decision (flush.messages / flush.ms). Reads use a read-only shared
 * mapping of the whole file that is made once, large enough for everything the segment can
 * grow to while active, so readers get zero-copy pointers and the mapping never moves. A
 * reader only touches bytes below 'size', which is published (release store) after the
 * write returns; the page cache makes those bytes visible through the mapping.
 *
 * Indexes live in memory in arrays of fixed capacity (so a reader's binary search never sees
 * them move) and are mirrored to their files with pwrite, INDEX_WRITE_EVERY entries at a
 * time and in full when the segment is flushed, sealed or closed (readers only use the
 * arrays). They carry no checksum: on open they are checked for shape and rebuilt from the
 * log when wrong, as Kafka rebuilds its OffsetIndex; an index file that lacks its last
 * entries (a kill -9 before they were written) is still well-formed, and the active segment
 * of a log that was not closed cleanly is recovered and re-indexed anyway.
 *
 * Recovery (open with 'recover'): every batch is checked in order (header fields, length
 * inside the file, CRC-32C, offsets increasing). The file is truncated at the first batch
 * that fails, which removes a torn tail left by a crash or kill -9, and the indexes are
 * rebuilt from what remains.
 *
 * Thread-safety: one writer (the partition's write lock); any number of readers.
 */
#include "broker_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <limits.h>
#include <unistd.h>

#define IDX_ENTRY 8
#define TIDX_ENTRY 12

void broker__segment_path(char *buf, size_t n, const char *dir, int64_t base, const char *suffix)
{
    snprintf(buf, n, "%s/%020lld%s", dir, (long long)base, suffix);
}

static int pwrite_all(int fd, const void *buf, size_t len, off_t off)
{
    const uint8_t *p = buf;
    while (len) {
        ssize_t w = pwrite(fd, p, len, off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        len -= (size_t)w;
        off += w;
    }
    return 0;
}

static int index_write_pending(broker_segment *s);

static void segment_free(broker_segment *s)
{
    /* Entries still in memory only (no flush since they were added) go to the files; a
     * failure here leaves a shorter, still well-formed index. */
    if (!atomic_load(&s->unlink_on_free) && s->idx && s->idx_fd >= 0 && s->tidx_fd >= 0)
        (void)index_write_pending(s);
    if (s->map)
        munmap(s->map, s->map_len);
    if (s->fd >= 0)
        close(s->fd);
    if (s->idx_fd >= 0)
        close(s->idx_fd);
    if (s->tidx_fd >= 0)
        close(s->tidx_fd);
    if (atomic_load(&s->unlink_on_free) && s->path) {
        char p[4096];
        size_t n = strlen(s->path);
        unlink(s->path);
        if (n > 4 && n < sizeof p - 16) {
            memcpy(p, s->path, n - 4);
            strcpy(p + n - 4, ".index");
            unlink(p);
            strcpy(p + n - 4, ".timeindex");
            unlink(p);
        }
    }
    eddy_free(s->idx);
    eddy_free(s->tidx);
    eddy_free(s->path);
    eddy_free(s);
}

void broker__segment_ref(broker_segment *s) { atomic_fetch_add(&s->refs, 1); }

void broker__segment_unref(broker_segment *s)
{
    if (s && atomic_fetch_sub(&s->refs, 1) == 1)
        segment_free(s);
}

/* ------------------------------------------------------------------------------------------ */
/* Indexes                                                                                     */

/* Entries written to an index file by one pwrite. A batch of 1 MiB adds an entry to each
 * index: writing them one by one took two pwrite calls per append (~1.5 us each on the
 * 2-vCPU EPYC VM, ~0.003 s/GB of appended 1 MiB batches; 10x that for 100 KiB batches). */
#define INDEX_WRITE_EVERY 64

/* Write the entries not yet in the index files. */
static int index_write_pending(broker_segment *s)
{
    uint8_t buf[INDEX_WRITE_EVERY * TIDX_ENTRY];
    size_t n = atomic_load_explicit(&s->nidx, memory_order_relaxed);
    while (s->idx_written < n) {
        size_t from = s->idx_written, k = EDDY_MIN(n - from, (size_t)INDEX_WRITE_EVERY);
        for (size_t i = 0; i < k; i++) {
            eddy_put_be32(buf + i * IDX_ENTRY, s->idx[from + i].rel_offset);
            eddy_put_be32(buf + i * IDX_ENTRY + 4, s->idx[from + i].position);
        }
        if (pwrite_all(s->idx_fd, buf, k * IDX_ENTRY, (off_t)(from * IDX_ENTRY)) != 0)
            return -1;
        s->idx_written = from + k;
    }
    size_t t = atomic_load_explicit(&s->ntidx, memory_order_relaxed);
    while (s->tidx_written < t) {
        size_t from = s->tidx_written, k = EDDY_MIN(t - from, (size_t)INDEX_WRITE_EVERY);
        for (size_t i = 0; i < k; i++) {
            eddy_put_be64(buf + i * TIDX_ENTRY, (uint64_t)s->tidx[from + i].timestamp);
            eddy_put_be32(buf + i * TIDX_ENTRY + 8, s->tidx[from + i].rel_offset);
        }
        if (pwrite_all(s->tidx_fd, buf, k * TIDX_ENTRY, (off_t)(from * TIDX_ENTRY)) != 0)
            return -1;
        s->tidx_written = from + k;
    }
    return 0;
}

/* Add index entries for a batch at 'pos' (base offset 'base_off', max timestamp 'max_ts')
 * if an index interval has passed. With 'to_files', the entries go to the index files in
 * groups (index_write_pending). */
static int index_batch(broker_segment *s, uint64_t pos, int64_t base_off, int64_t max_ts,
                       size_t blen, bool to_files)
{
    if (s->bytes_since_index >= BROKER_INDEX_INTERVAL) {
        size_t n = atomic_load_explicit(&s->nidx, memory_order_relaxed);
        uint32_t rel = (uint32_t)(base_off - s->base_offset);
        if (n < s->idx_cap) {
            s->idx[n].rel_offset = rel;
            s->idx[n].position = (uint32_t)pos;
            atomic_store_explicit(&s->nidx, n + 1, memory_order_release);
        }
        size_t t = atomic_load_explicit(&s->ntidx, memory_order_relaxed);
        int64_t seg_max = atomic_load_explicit(&s->max_timestamp, memory_order_relaxed);
        int64_t m = max_ts > seg_max ? max_ts : seg_max;
        if (t < s->tidx_cap && (t == 0 || m > s->tidx[t - 1].timestamp)) {
            s->tidx[t].timestamp = m;
            s->tidx[t].rel_offset = rel;
            atomic_store_explicit(&s->ntidx, t + 1, memory_order_release);
        }
        s->bytes_since_index = 0;
        if (to_files &&
            (atomic_load_explicit(&s->nidx, memory_order_relaxed) - s->idx_written >=
                 INDEX_WRITE_EVERY ||
             atomic_load_explicit(&s->ntidx, memory_order_relaxed) - s->tidx_written >=
                 INDEX_WRITE_EVERY) &&
            index_write_pending(s) != 0)
            return -1;
    }
    s->bytes_since_index += blen;
    return 0;
}

/* Write the in-memory indexes to their files, replacing what was there. */
static int index_write_all(broker_segment *s, eddy_err *err)
{
    size_t n = atomic_load(&s->nidx), t = atomic_load(&s->ntidx);
    uint8_t *buf = eddy_malloc(n * IDX_ENTRY + t * TIDX_ENTRY + 1);
    if (!buf)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory rebuilding an index");
    for (size_t i = 0; i < n; i++) {
        eddy_put_be32(buf + i * IDX_ENTRY, s->idx[i].rel_offset);
        eddy_put_be32(buf + i * IDX_ENTRY + 4, s->idx[i].position);
    }
    int rc = 0;
    if (ftruncate(s->idx_fd, 0) != 0 || pwrite_all(s->idx_fd, buf, n * IDX_ENTRY, 0) != 0)
        rc = eddy_err_sys(err, "cannot write offset index of '%s'", s->path);
    for (size_t i = 0; rc == 0 && i < t; i++) {
        eddy_put_be64(buf + i * TIDX_ENTRY, (uint64_t)s->tidx[i].timestamp);
        eddy_put_be32(buf + i * TIDX_ENTRY + 8, s->tidx[i].rel_offset);
    }
    if (rc == 0 &&
        (ftruncate(s->tidx_fd, 0) != 0 || pwrite_all(s->tidx_fd, buf, t * TIDX_ENTRY, 0) != 0))
        rc = eddy_err_sys(err, "cannot write time index of '%s'", s->path);
    if (rc == 0) {
        s->idx_written = n;
        s->tidx_written = t;
    }
    eddy_free(buf);
    return rc;
}

/* Load both index files into the arrays; false if either is missing or malformed. */
static bool index_load(broker_segment *s, uint64_t size)
{
    struct stat st;
    if (fstat(s->idx_fd, &st) != 0 || st.st_size % IDX_ENTRY != 0)
        return false;
    size_t n = (size_t)st.st_size / IDX_ENTRY;
    if (fstat(s->tidx_fd, &st) != 0 || st.st_size % TIDX_ENTRY != 0)
        return false;
    size_t t = (size_t)st.st_size / TIDX_ENTRY;
    if (n > s->idx_cap || t > s->tidx_cap)
        return false;
    if (size > 0 && n == 0)
        return false; /* lost, or a small segment: a rescan is cheap either way */
    uint8_t *buf = eddy_malloc(n * IDX_ENTRY + t * TIDX_ENTRY + 1);
    if (!buf)
        return false;
    bool ok = pread(s->idx_fd, buf, n * IDX_ENTRY, 0) == (ssize_t)(n * IDX_ENTRY);
    for (size_t i = 0; ok && i < n; i++) {
        s->idx[i].rel_offset = eddy_get_be32(buf + i * IDX_ENTRY);
        s->idx[i].position = eddy_get_be32(buf + i * IDX_ENTRY + 4);
        if (s->idx[i].position >= size ||
            (i > 0 && (s->idx[i].rel_offset <= s->idx[i - 1].rel_offset ||
                       s->idx[i].position <= s->idx[i - 1].position)))
            ok = false;
        /* Each entry must point at a batch header whose base offset matches. */
        else if (s->map && s->idx[i].position + BROKER_BATCH_HEADER_SIZE <= size &&
                 (int64_t)eddy_get_be64(s->map + s->idx[i].position) !=
                     s->base_offset + s->idx[i].rel_offset)
            ok = false;
    }
    ok = ok && pread(s->tidx_fd, buf, t * TIDX_ENTRY, 0) == (ssize_t)(t * TIDX_ENTRY);
    for (size_t i = 0; ok && i < t; i++) {
        s->tidx[i].timestamp = (int64_t)eddy_get_be64(buf + i * TIDX_ENTRY);
        s->tidx[i].rel_offset = eddy_get_be32(buf + i * TIDX_ENTRY + 8);
        if (i > 0 && s->tidx[i].timestamp <= s->tidx[i - 1].timestamp)
            ok = false;
    }
    eddy_free(buf);
    atomic_store(&s->nidx, ok ? n : 0);
    atomic_store(&s->ntidx, ok ? t : 0);
    s->idx_written = ok ? n : 0;
    s->tidx_written = ok ? t : 0;
    return ok;
}

/* ------------------------------------------------------------------------------------------ */
/* Scanning                                                                                    */

/* Walk batches from position 'pos' (expected next offset 'next') to the end of the file.
 * With 'check_crc', each batch's CRC is verified; with 'build', index entries are added.
 * Returns the position after the last good batch; sets *next_offset and *max_ts. */
static uint64_t scan(broker_segment *s, uint64_t pos, uint64_t file_size, bool check_crc,
                     bool build, int64_t *next_offset, int64_t *max_ts)
{
    int64_t next = *next_offset;
    while (pos + BROKER_BATCH_HEADER_SIZE <= file_size) {
        const uint8_t *p = s->map + pos;
        broker_batch_header h;
        broker_batch_header_parse(p, &h);
        if (h.magic != 2 || h.batch_length < BROKER_BATCH_HEADER_SIZE - 12 ||
            (uint64_t)h.batch_length + 12 > file_size - pos || h.base_offset < next ||
            h.last_offset_delta < 0 || h.record_count < 0)
            break;
        size_t blen = (size_t)h.batch_length + 12;
        if (check_crc && eddy_crc32c(0, p + 21, blen - 21) != h.crc)
            break;
        if (build)
            index_batch(s, pos, h.base_offset, h.max_timestamp, blen, false);
        next = h.base_offset + h.last_offset_delta + 1;
        if (h.max_timestamp > *max_ts)
            *max_ts = h.max_timestamp;
        if (build)
            atomic_store(&s->max_timestamp, *max_ts);
        pos += blen;
    }
    *next_offset = next;
    return pos;
}

static int map_file(broker_segment *s, size_t len, eddy_err *err)
{
    long page = sysconf(_SC_PAGESIZE);
    len = (len + (size_t)page - 1) / (size_t)page * (size_t)page;
    if (len == 0)
        len = (size_t)page;
    void *m = mmap(NULL, len, PROT_READ, MAP_SHARED, s->fd, 0);
    if (m == MAP_FAILED)
        return eddy_err_sys(err, "cannot map '%s'", s->path);
    s->map = m;
    s->map_len = len;
    return 0;
}

int broker__segment_open(const char *dir, int64_t base, bool create, bool recover,
                         uint64_t capacity, int64_t now_ms, broker_segment **out,
                         eddy_err *err)
{
    char path[4096];
    broker_segment *s = eddy_calloc(1, sizeof *s);
    if (!s)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory opening a segment");
    s->fd = s->idx_fd = s->tidx_fd = -1;
    atomic_init(&s->refs, 1);
    s->base_offset = base;
    s->created_ms = now_ms;
    atomic_init(&s->max_timestamp, -1);
    atomic_init(&s->next_offset, base);
    int rc = 0;

    broker__segment_path(path, sizeof path, dir, base, ".log");
    s->path = eddy_strdup(path);
    if (!s->path) {
        rc = eddy_err_set(err, EDDY_ENOMEM, "out of memory opening a segment");
        goto fail;
    }
    s->fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0644);
    if (s->fd < 0) {
        rc = errno == ENOENT ? eddy_err_set(err, EDDY_ENOTFOUND, "segment '%s' is missing", path)
                             : eddy_err_sys(err, "cannot open segment '%s'", path);
        goto fail;
    }
    broker__segment_path(path, sizeof path, dir, base, ".index");
    s->idx_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    broker__segment_path(path, sizeof path, dir, base, ".timeindex");
    s->tidx_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (s->idx_fd < 0 || s->tidx_fd < 0) {
        rc = eddy_err_sys(err, "cannot open index files of '%s'", s->path);
        goto fail;
    }
    struct stat st;
    if (fstat(s->fd, &st) != 0) {
        rc = eddy_err_sys(err, "cannot stat '%s'", s->path);
        goto fail;
    }
    uint64_t file_size = (uint64_t)st.st_size;
    if (capacity < file_size)
        capacity = file_size;
    s->idx_cap = capacity / BROKER_INDEX_INTERVAL + 2;
    s->tidx_cap = s->idx_cap;
    s->idx = eddy_calloc(s->idx_cap, sizeof *s->idx);
    s->tidx = eddy_calloc(s->tidx_cap, sizeof *s->tidx);
    if (!s->idx || !s->tidx) {
        rc = eddy_err_set(err, EDDY_ENOMEM, "out of memory for segment indexes");
        goto fail;
    }
    if ((rc = map_file(s, capacity, err)) != 0)
        goto fail;

    int64_t next = base, max_ts = -1;
    uint64_t valid;
    if (!recover && index_load(s, file_size)) {
        /* Trust the indexes: hop from the last indexed batch to the end. A tail that does not
         * end exactly at the file's end means damage: fall back to a full recovery. */
        size_t n = atomic_load(&s->nidx), t = atomic_load(&s->ntidx);
        uint64_t from = n ? s->idx[n - 1].position : 0;
        next = n ? base + s->idx[n - 1].rel_offset : base;
        max_ts = t ? s->tidx[t - 1].timestamp : -1;
        valid = scan(s, from, file_size, false, false, &next, &max_ts);
        if (valid != file_size)
            recover = true;
    } else {
        recover = true;
    }
    if (recover) {
        atomic_store(&s->nidx, 0);
        atomic_store(&s->ntidx, 0);
        s->bytes_since_index = 0;
        next = base;
        max_ts = -1;
        atomic_store(&s->max_timestamp, -1);
        valid = scan(s, 0, file_size, true, true, &next, &max_ts);
        if (valid < file_size && ftruncate(s->fd, (off_t)valid) != 0) {
            rc = eddy_err_sys(err, "cannot truncate corrupt tail of '%s'", s->path);
            goto fail;
        }
        if ((rc = index_write_all(s, err)) != 0)
            goto fail;
    } else {
        /* Continue the index cadence from the last indexed batch. */
        s->bytes_since_index = file_size - (atomic_load(&s->nidx) ? s->idx[atomic_load(&s->nidx) - 1].position : 0);
    }
    atomic_store(&s->dirty, recover || create);
    atomic_store(&s->size, valid);
    atomic_store(&s->next_offset, next);
    atomic_store(&s->max_timestamp, max_ts);
    s->active = true;
    *out = s;
    return 0;
fail:
    segment_free(s);
    return rc;
}

/* pwritev all of 'iov' at 'off', resuming after partial writes, IOV_MAX pieces at a time. */
static int pwritev_all(int fd, const struct iovec *iov, int niov, off_t off)
{
    while (niov > 0) {
        int chunk = niov < IOV_MAX ? niov : IOV_MAX;
        ssize_t w = pwritev(fd, iov, chunk, off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        off += w;
        /* Skip what was written. */
        while (chunk > 0 && (size_t)w >= iov->iov_len) {
            w -= (ssize_t)iov->iov_len;
            iov++;
            niov--;
            chunk--;
        }
        if (w > 0) {
            /* A piece was written in part: finish it alone, then go on. */
            size_t rest = iov->iov_len - (size_t)w;
            if (pwrite_all(fd, (const uint8_t *)iov->iov_base + w, rest, off) != 0)
                return -1;
            off += (off_t)rest;
            iov++;
            niov--;
        }
    }
    return 0;
}

int broker__segment_append(broker_segment *s, const struct iovec *iov, int niov, size_t len,
                           const broker_batch_header *h, eddy_err *err)
{
    uint64_t pos = atomic_load_explicit(&s->size, memory_order_relaxed);
    if (pos + len > s->map_len)
        return eddy_err_set(err, EDDY_EIO, "segment '%s' is full", s->path);
    if (pwritev_all(s->fd, iov, niov, (off_t)pos) != 0) {
        int rc = eddy_err_sys(err, "cannot append to '%s'", s->path);
        /* Cut off whatever part of the batch reached the file. */
        if (ftruncate(s->fd, (off_t)pos) != 0)
            return rc;
        return rc;
    }
    atomic_store_explicit(&s->dirty, true, memory_order_relaxed);
    if (index_batch(s, pos, h->base_offset, h->max_timestamp, len, true) != 0)
        return eddy_err_sys(err, "cannot write index of '%s'", s->path);
    if (h->max_timestamp > atomic_load_explicit(&s->max_timestamp, memory_order_relaxed))
        atomic_store_explicit(&s->max_timestamp, h->max_timestamp, memory_order_release);
    atomic_store_explicit(&s->next_offset, h->base_offset + h->last_offset_delta + 1,
                          memory_order_release);
    atomic_store_explicit(&s->size, pos + len, memory_order_release);
    return 0;
}

int broker__segment_flush(broker_segment *s, eddy_err *err)
{
    if (index_write_pending(s) != 0)
        return eddy_err_sys(err, "cannot write index of '%s'", s->path);
    if (!atomic_exchange(&s->dirty, false))
        return 0;
    if (fdatasync(s->fd) != 0) {
        atomic_store(&s->dirty, true);
        return eddy_err_sys(err, "cannot fsync '%s'", s->path);
    }
    return 0;
}

int broker__segment_seal(broker_segment *s, eddy_err *err)
{
    s->active = false;
    if (index_write_pending(s) != 0)
        return eddy_err_sys(err, "cannot write index of '%s'", s->path);
    return 0;
}

/* Largest index entry with rel_offset <= rel; the position to start hopping from. */
static uint64_t index_floor(broker_segment *s, uint32_t rel)
{
    size_t n = atomic_load_explicit(&s->nidx, memory_order_acquire);
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->idx[mid].rel_offset <= rel)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? s->idx[lo - 1].position : 0;
}

uint64_t broker__segment_find(broker_segment *s, int64_t offset)
{
    uint64_t size = atomic_load_explicit(&s->size, memory_order_acquire);
    uint64_t pos = offset > s->base_offset
                       ? index_floor(s, (uint32_t)EDDY_MIN(offset - s->base_offset, UINT32_MAX))
                       : 0;
    while (pos + BROKER_BATCH_HEADER_SIZE <= size) {
        const uint8_t *p = s->map + pos;
        int64_t base = (int64_t)eddy_get_be64(p);
        int32_t blen = (int32_t)eddy_get_be32(p + 8);
        int32_t lod = (int32_t)eddy_get_be32(p + 23);
        if (base + lod >= offset)
            return pos;
        pos += (uint64_t)blen + 12;
    }
    return size;
}

int64_t broker__segment_find_time(broker_segment *s, int64_t ts)
{
    size_t t = atomic_load_explicit(&s->ntidx, memory_order_acquire);
    size_t lo = 0, hi = t;
    while (lo < hi) { /* first entry with timestamp >= ts */
        size_t mid = (lo + hi) / 2;
        if (s->tidx[mid].timestamp < ts)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* Entry lo-1 has max timestamp so far < ts: every batch before its batch is older. */
    uint64_t pos = lo ? broker__segment_find(s, s->base_offset + s->tidx[lo - 1].rel_offset) : 0;
    uint64_t size = atomic_load_explicit(&s->size, memory_order_acquire);
    while (pos + BROKER_BATCH_HEADER_SIZE <= size) {
        broker_batch_header h;
        broker_batch_header_parse(s->map + pos, &h);
        size_t blen = (size_t)h.batch_length + 12;
        if (h.max_timestamp >= ts && !(h.attributes & BROKER_ATTR_CONTROL)) {
            broker_iter it;
            broker_record r;
            broker_iter_init(&it, s->map + pos, blen, 0);
            while (broker_iter_next(&it, &r, NULL) == 1)
                if (r.timestamp >= ts)
                    return r.offset;
        }
        pos += blen;
    }
    return -1;
}
