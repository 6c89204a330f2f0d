/*
 * broker_int.h - private to broker/: the structures behind the opaque handles and the
 * functions the broker's files share (double-underscore names, as libuv's uv__).
 *
 * Ownership and locking (no broker-wide lock on the append or fetch path):
 *
 *   broker            topics_lock (rwlock) guards the topic table: create, delete, lookup.
 *    └ broker_topic   immutable after create (name, partition count, config) but 'deleted'.
 *       └ broker_log  one partition.
 *            write_lock  (mutex)  one appender at a time; also held while rolling.
 *            segs_lock   (rwlock) guards the segment array: readers take it shared just long
 *                                 enough to find and reference a segment; roll, retention and
 *                                 compaction swaps take it exclusive for a pointer swap.
 *            end_offset / start_offset are atomics published after the bytes are written.
 *            └ broker_segment   refcounted; a reader's reference keeps its fd and mapping
 *                               alive even after retention or compaction removed the file.
 *
 * Segment files (per partition directory):
 *   <base>.log           record batches (base = 20-digit zero-padded first offset)
 *   <base>.index         sparse offset index: {u32 rel_offset, u32 position} big-endian,
 *                        one entry per ~4096 bytes of log (index.interval.bytes)
 *   <base>.timeindex     {i64 timestamp, u32 rel_offset} big-endian, an entry whenever the
 *                        segment's max timestamp grows, at the same interval
 *   <base>.log.cleaned   compaction output being written (deleted on open)
 *   <base>.log.swap      finished compaction output; on open it replaces the .log files whose
 *                        offsets it covers, then becomes <base>.log
 * Indexes are not checksummed: on open they are checked for shape (size a multiple of the
 * entry size, entries increasing and inside the log) and rebuilt from the log when wrong or
 * missing, as Kafka does.
 */
#ifndef EDDY_BROKER_INT_H
#define EDDY_BROKER_INT_H

#include "eddy/broker.h"

#include <pthread.h>
#include <stdatomic.h>

#define BROKER_INDEX_INTERVAL 4096
#define BROKER_INTERNAL_GROUPS_TOPIC "__consumer_offsets"
#define BROKER_PRODUCER_CACHE 5          /* batches remembered per producer (Kafka: 5) */

/* ---------------------------------------------------------------------------------------------
 * Batches (batch.c)
 * ------------------------------------------------------------------------------------------- */

/* Encode 'recs' as one batch whose header comes from 'tmpl': base_offset, last_offset_delta,
 * partition_leader_epoch, attributes, base_timestamp, max_timestamp and the producer fields
 * are copied; batch_length, record_count and crc are computed. Each record keeps its own
 * 'offset' (offset delta = offset - base_offset) and timestamp (delta from base_timestamp).
 * This is what compaction uses to rewrite a batch with some records left out. */
int broker__batch_encode_with(const broker_batch_header *tmpl, const broker_record *recs,
                              size_t n, eddy_buf *out, eddy_err *err);

/* Kafka's produce-side checks for a batch about to be appended (after broker_batch_validate):
 * baseOffset 0, recordCount == lastOffsetDelta + 1 > 0, not a control batch, not
 * transactional, producerId >= 0 implies baseSequence >= 0, size <= max.message.bytes, and
 * on compacted topics every record has a key. Fills 'h'. */
int broker__batch_check_produce(const uint8_t *p, size_t len, const broker_topic_config *cfg,
                                broker_batch_header *h, eddy_err *err);

/* ---------------------------------------------------------------------------------------------
 * Segments (segment.c)
 * ------------------------------------------------------------------------------------------- */

typedef struct broker_index_entry {
    uint32_t rel_offset;
    uint32_t position;
} broker_index_entry;

typedef struct broker_time_entry {
    int64_t timestamp;
    uint32_t rel_offset;
} broker_time_entry;

typedef struct broker_segment {
    _Atomic int refs;
    int64_t base_offset;
    char *path;                    /* <dir>/<base>.log (owned) */
    int fd;                        /* O_RDWR for the active segment, O_RDONLY otherwise */
    uint8_t *map;                  /* read-only shared mapping of map_len bytes */
    size_t map_len;                /* >= any size the segment can reach while active */
    _Atomic uint64_t size;         /* bytes of complete batches, published after the write */
    _Atomic int64_t next_offset;   /* offset after this segment's last batch */
    _Atomic int64_t max_timestamp; /* largest batch maxTimestamp, -1 when empty */
    int64_t created_ms;            /* for segment.ms */
    /* Offset and time indexes: arrays with a fixed capacity set at open (so readers never
     * see them move); counts published with release stores. */
    broker_index_entry *idx;
    _Atomic size_t nidx;
    size_t idx_cap;
    int idx_fd;
    broker_time_entry *tidx;
    _Atomic size_t ntidx;
    size_t tidx_cap;
    int tidx_fd;
    size_t idx_written, tidx_written; /* entries in the index files (writer only) */
    uint64_t bytes_since_index;    /* writer only */
    bool active;                   /* still appended to */
    _Atomic bool dirty;            /* written since the last fsync (or not known to be synced) */
    _Atomic bool unlink_on_free;   /* remove files when the last reference goes */
} broker_segment;

/* Open the segment with base offset 'base' in 'dir', creating it when 'create'. 'capacity'
 * is the most bytes it may grow to (segment.bytes + max.message.bytes for an active
 * segment; its size for a closed one). With 'recover', every batch is checked (size, magic,
 * CRC) and a torn or corrupt tail is truncated; indexes are loaded, or rebuilt when missing or
 * inconsistent. Errors: EDDY_EIO, EDDY_ENOMEM. */
int broker__segment_open(const char *dir, int64_t base, bool create, bool recover,
                         uint64_t capacity, int64_t now_ms, broker_segment **out,
                         eddy_err *err);
void broker__segment_ref(broker_segment *s);
void broker__segment_unref(broker_segment *s);

/* Append one whole batch whose header fields (base offset etc.) are final, given as 'niov'
 * pieces totalling 'len' bytes. Writer only. */
struct iovec;
int broker__segment_append(broker_segment *s, const struct iovec *iov, int niov, size_t len,
                           const broker_batch_header *h, eddy_err *err);

/* Stop appending: trim the mapping and index capacities, fsync. */
int broker__segment_seal(broker_segment *s, eddy_err *err);
int broker__segment_flush(broker_segment *s, eddy_err *err);

/* File position of the batch holding 'offset' (or the first batch after it, when compaction
 * removed it); sets *pos = size when no batch of this segment is at or after it. */
uint64_t broker__segment_find(broker_segment *s, int64_t offset);

/* First offset with timestamp >= ts in this segment, or -1. */
int64_t broker__segment_find_time(broker_segment *s, int64_t ts);

/* Format "<dir>/<20-digit base><suffix>" into buf. */
void broker__segment_path(char *buf, size_t n, const char *dir, int64_t base, const char *suffix);

/* ---------------------------------------------------------------------------------------------
 * Idempotent producer state (producer.c)
 * ------------------------------------------------------------------------------------------- */

typedef struct broker_producer_batch {
    int32_t first_seq, last_seq;
    int64_t first_offset, last_offset;
} broker_producer_batch;

typedef struct broker_producer {
    int64_t producer_id;
    int16_t epoch;
    int nbatches;                                     /* <= BROKER_PRODUCER_CACHE */
    broker_producer_batch batches[BROKER_PRODUCER_CACHE]; /* oldest first */
} broker_producer;

typedef struct broker_producer_table {
    broker_producer *items;        /* open-addressing hash on producer_id (-1 = empty) */
    size_t n, cap;
} broker_producer_table;

void broker__producers_init(broker_producer_table *t);
void broker__producers_free(broker_producer_table *t);
/* Check a batch against the state: 0 = append it; 1 = duplicate (*dup set); or
 * EDDY_ESEQUENCE / EDDY_EFENCED with a message. Does not change the state. */
int broker__producers_check(broker_producer_table *t, const broker_batch_header *h,
                            broker_producer_batch *dup, eddy_err *err);
/* Record an appended batch (header with its final base offset). */
int broker__producers_update(broker_producer_table *t, const broker_batch_header *h);
/* Persist / load the table as <dir>/producers.snapshot with the log end offset it is valid
 * for. Load returns the offset from which the log must be rescanned (0 without snapshot). */
int broker__producers_save(broker_producer_table *t, const char *dir, int64_t end_offset,
                           eddy_err *err);
int64_t broker__producers_load(broker_producer_table *t, const char *dir);

/* ---------------------------------------------------------------------------------------------
 * Partition logs (log.c)
 * ------------------------------------------------------------------------------------------- */

typedef struct broker_topic broker_topic;

struct broker_log {
    _Atomic int refs;              /* the topic holds one; each broker_log_get() one more */
    broker *b;
    broker_topic *topic;           /* borrowed; valid while refs > 0 (topic freed after logs) */
    int32_t partition;
    char *dir;                     /* owned */
    pthread_mutex_t write_lock;
    pthread_rwlock_t segs_lock;
    broker_segment **segs;         /* sorted by base offset; the last one is active */
    size_t nsegs, segs_cap;
    _Atomic int64_t start_offset;
    _Atomic int64_t end_offset;
    broker_producer_table producers;  /* under write_lock */
    int64_t unflushed;             /* records appended since the last fsync (write_lock) */
    _Atomic int64_t last_flush_ms;
    bool appended;                 /* anything appended since open (write_lock) */
    pthread_mutex_t wait_mu;       /* broker_log_wait */
    pthread_cond_t wait_cv;
    _Atomic bool closed;
};

/* Open (recovering) partition 'partition' of 'topic' in directory 'dir' (created if needed).
 * 'clean' says the broker shut down cleanly (skip the CRC scan of the active segment).
 * The log starts with one reference, owned by the topic. */
int broker__log_open(broker *b, broker_topic *topic, int32_t partition, const char *dir,
                     bool clean, broker_log **out, eddy_err *err);
/* Mark closed (waking waiters), save producer state when 'save', and drop the topic's
 * reference; the log is freed when the last reference goes. */
void broker__log_shutdown(broker_log *log, bool save);

/* A referenced copy of the segment array (release each, then free the array). */
int broker__log_segments(broker_log *log, broker_segment ***segs, size_t *n, eddy_err *err);
void broker__segments_release(broker_segment **segs, size_t n);

/* Retention: remove the oldest segments up to but excluding the one with base offset
 * 'keep_from' (never the active segment); the log start offset becomes 'keep_from'.
 * Files are unlinked when the last reader lets go. Returns the number removed. */
int broker__log_delete_before(broker_log *log, int64_t keep_from, eddy_err *err);

/* Compaction: replace the consecutive closed segments 'old[0..nold)' by the finished file
 * "<base>.log.swap" (base = old[0]->base_offset) following the swap protocol above.
 * Errors: EDDY_EIO; EDDY_EINVAL if 'old' is no longer the current run of segments. */
int broker__log_swap_in(broker_log *log, broker_segment **old, size_t nold, eddy_err *err);

/* Roll the active segment if it is older than segment.ms (cleaner calls this) and fsync
 * if flush.ms has passed. */
int broker__log_maintain(broker_log *log, int64_t now_ms, eddy_err *err);

/* ---------------------------------------------------------------------------------------------
 * Topics and the broker (broker.c, config.c, groups.c, cleaner.c)
 * ------------------------------------------------------------------------------------------- */

struct broker_topic {
    _Atomic int refs;              /* table's + each log's */
    char *name;
    int partitions;
    broker_topic_config config;
    broker_log **logs;             /* [partitions]; the table's references */
    _Atomic uint32_t round_robin;  /* next partition for keyless records */
    _Atomic bool deleted;
    char *dir;
};

void broker__topic_unref(broker_topic *t);

typedef struct broker_groups broker_groups;   /* groups.c */

struct broker {
    char *dir;
    broker_options opts;
    pthread_rwlock_t topics_lock;
    broker_topic **topics;         /* sorted by name */
    size_t ntopics, topics_cap;
    broker_groups *groups;
    pthread_t cleaner;
    bool cleaner_running;
    pthread_mutex_t cleaner_mu;
    pthread_cond_t cleaner_cv;
    bool stopping;
    int lock_fd;                   /* <dir>/.lock, flock'ed exclusively while open */
};

int64_t broker__now(const broker *b);

/* Groups: load from / write to the internal topic. */
int broker__groups_open(broker *b, eddy_err *err);
void broker__groups_close(broker *b);

/* Cleaner thread. */
int broker__cleaner_start(broker *b, eddy_err *err);
void broker__cleaner_stop(broker *b);

/* Topic config persistence: topic.json <-> (partitions, config). */
int broker__topic_meta_write(const char *topic_dir, int partitions,
                             const broker_topic_config *c, eddy_err *err);
int broker__topic_meta_read(const char *topic_dir, int *partitions, broker_topic_config *c,
                            eddy_err *err);

#endif /* EDDY_BROKER_INT_H */
