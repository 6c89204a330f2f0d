/*
 * eddy/broker.h - the embedded, Kafka-like broker: topics of partitions, each an append-only
 * log of Kafka v2 record batches in segment files, with offset and time indexes, idempotent
 * producers, consumer group offsets, retention and compaction.
 *
 * The broker knows nothing about SQL. The CLI, the engine and (later) the Kafka protocol
 * listener all use this API.
 *
 * Thread-safety: a broker handle may be used from any number of threads. Appends to one
 * partition are serialised by that partition's own lock (one writer at a time); fetches never
 * take that lock (they read a published end position), so readers never wait for writers and
 * there is no broker-wide lock on the append or fetch path.
 *
 * On disk (one data directory):
 *   <dir>/topics/<topic>/topic.json               partition count and config
 *   <dir>/topics/<topic>/<partition>/<base>.log   record batches, exactly as a Fetch carries them
 *   <dir>/topics/<topic>/<partition>/<base>.index     sparse offset index (rel. offset, position)
 *   <dir>/topics/<topic>/<partition>/<base>.timeindex time index (timestamp, rel. offset)
 *   <dir>/topics/<topic>/<partition>/producers.snapshot  idempotent producer state
 * Consumer group offsets live in the compacted internal topic "__consumer_offsets".
 */
#ifndef EDDY_BROKER_H
#define EDDY_BROKER_H

#include "eddy/common.h"

#include <stdbool.h>
#include <sys/types.h>

typedef struct broker broker;
typedef struct broker_log broker_log;   /* one partition of one topic */

/* ---------------------------------------------------------------------------------------------
 * Broker lifecycle
 * ------------------------------------------------------------------------------------------- */

typedef struct broker_options {
    /* Clock for retention, compaction and flush.ms; NULL = eddy_now_ms. Tests pass a
     * virtual clock. */
    int64_t (*clock_ms)(void *clock_ctx);
    void *clock_ctx;
    /* Period of the background cleaner thread (retention, compaction, flush.ms); 0 = no
     * background thread (call broker_clean_now() yourself). Default 30000 in the CLI. */
    int cleaner_interval_ms;
} broker_options;

void broker_options_default(broker_options *o);

/* Open (creating if needed) the broker in directory 'dir'. Recovers every partition: a torn
 * or corrupt tail is truncated, missing or damaged indexes are rebuilt. 'opts' may be NULL.
 * Errors: EDDY_EIO (directory unusable), EDDY_ENOMEM. */
int broker_open(const char *dir, const broker_options *opts, broker **out, eddy_err *err);

/* Stop the cleaner, flush and close everything. Leaves a clean-shutdown marker so the next
 * open need not re-validate the active segments. NULL is allowed. */
void broker_close(broker *b);

const char *broker_dir(const broker *b);

/* ---------------------------------------------------------------------------------------------
 * Topic configuration (Kafka's names, defaults and meaning)
 * ------------------------------------------------------------------------------------------- */

enum {
    BROKER_CLEANUP_DELETE = 1,
    BROKER_CLEANUP_COMPACT = 2
};

typedef struct broker_topic_config {
    int64_t retention_ms;        /* retention.ms, default 604800000 (7 days); -1 = forever */
    int64_t retention_bytes;     /* retention.bytes per partition, default -1 = no limit */
    int64_t segment_bytes;       /* segment.bytes, default 1073741824 (min 14 for tests) */
    int64_t segment_ms;          /* segment.ms, default 604800000: roll an old active segment */
    int cleanup_policy;          /* cleanup.policy: BROKER_CLEANUP_* bits, default DELETE */
    int64_t delete_retention_ms; /* delete.retention.ms, default 86400000 (1 day) */
    int64_t flush_messages;      /* flush.messages, default INT64_MAX (leave it to the OS) */
    int64_t flush_ms;            /* flush.ms, default INT64_MAX */
    int64_t max_message_bytes;   /* max.message.bytes, default 1048588 */
    int64_t min_compaction_lag_ms; /* min.compaction.lag.ms, default 0 */
} broker_topic_config;

void broker_topic_config_default(broker_topic_config *c);

/* Set one config entry from its Kafka name and string value ("retention.ms", "86400000").
 * Errors: EDDY_EINVAL (unknown key or bad value; the message names both). */
int broker_topic_config_set(broker_topic_config *c, const char *key, const char *value,
                            eddy_err *err);

/* Write the entries of 'c' as "key=value" lines, each ending with '\n', in Kafka's order. */
int broker_topic_config_format(const broker_topic_config *c, eddy_buf *out);

/* ---------------------------------------------------------------------------------------------
 * Topics
 * ------------------------------------------------------------------------------------------- */

/* True if 'name' is a legal Kafka topic name: 1..249 chars of [a-zA-Z0-9._-], not "." or "..". */
bool broker_topic_name_valid(const char *name);

/* Create topic 'name' with 'partitions' (>= 1) partitions and config 'cfg' (NULL = defaults).
 * Errors: EDDY_EINVAL (bad name or count), EDDY_EEXIST, EDDY_EIO. */
int broker_topic_create(broker *b, const char *name, int partitions,
                        const broker_topic_config *cfg, eddy_err *err);

/* Delete a topic and its files. Open broker_log handles stay valid (reads see no new data,
 * appends fail with EDDY_ECLOSED) until released. Errors: EDDY_ENOTFOUND, EDDY_EIO,
 * EDDY_EINVAL for the internal "__consumer_offsets" topic. */
int broker_topic_delete(broker *b, const char *name, eddy_err *err);

/* Names of all topics, sorted; internal topics (leading "__") only if 'internal'.
 * *names is a malloc'ed array of malloc'ed strings: free with broker_names_free(). */
int broker_topic_list(broker *b, bool internal, char ***names, size_t *count, eddy_err *err);
void broker_names_free(char **names, size_t count);

/* Partition count of a topic, or EDDY_ENOTFOUND. */
int broker_topic_partitions(broker *b, const char *name, eddy_err *err);

typedef struct broker_partition_info {
    int32_t partition;
    int64_t log_start_offset;  /* first offset still in the log */
    int64_t log_end_offset;    /* next offset to be assigned */
    int64_t size_bytes;        /* bytes of all segments */
    int segments;
} broker_partition_info;

typedef struct broker_topic_info {
    char name[256];
    int partitions;
    broker_topic_config config;
    broker_partition_info *parts;  /* 'partitions' entries, malloc'ed */
} broker_topic_info;

int broker_topic_describe(broker *b, const char *name, broker_topic_info *info, eddy_err *err);
void broker_topic_info_free(broker_topic_info *info);

/* ---------------------------------------------------------------------------------------------
 * Records and batches
 * ------------------------------------------------------------------------------------------- */

typedef struct broker_header {
    const char *key;             /* UTF-8, not NUL-terminated; never null */
    int32_t key_len;
    const uint8_t *value;        /* NULL with value_len -1 = null header value */
    int32_t value_len;
} broker_header;

/* A record to append, or one read back. Pointers are borrowed: when reading, valid as long
 * as the fetch they came from is held. A length of -1 means null (null key, tombstone). */
typedef struct broker_record {
    const uint8_t *key;
    int32_t key_len;
    const uint8_t *value;
    int32_t value_len;
    int64_t timestamp;           /* ms since the epoch (CreateTime) */
    int64_t offset;              /* set when reading; ignored when appending */
    int32_t nheaders;
    const broker_header *headers;
    /* When reading, headers are not decoded: [raw_headers, raw_end) holds the header count
     * varint and the headers; decode with broker_record_headers(). When appending, a
     * non-NULL raw_headers is copied as it is and nheaders/headers are ignored. */
    const uint8_t *raw_headers;
    const uint8_t *raw_end;
} broker_record;

/* Decode up to 'max' headers of a record read from a batch into 'out'; returns the header
 * count (which may exceed 'max'), or EDDY_ECORRUPT. */
int broker_record_headers(const broker_record *r, broker_header *out, int max);

/* The fixed 61-byte header of a v2 record batch (fields as in the Kafka protocol). */
typedef struct broker_batch_header {
    int64_t base_offset;
    int32_t batch_length;        /* bytes after this field: batch size = batch_length + 12 */
    int32_t partition_leader_epoch;
    int8_t magic;
    uint32_t crc;
    int16_t attributes;
    int32_t last_offset_delta;
    int64_t base_timestamp;
    int64_t max_timestamp;
    int64_t producer_id;
    int16_t producer_epoch;
    int32_t base_sequence;
    int32_t record_count;
} broker_batch_header;

#define BROKER_BATCH_HEADER_SIZE 61
#define BROKER_ATTR_COMPRESSION_MASK 0x07
#define BROKER_ATTR_TIMESTAMP_TYPE 0x08
#define BROKER_ATTR_TRANSACTIONAL 0x10
#define BROKER_ATTR_CONTROL 0x20
#define BROKER_ATTR_DELETE_HORIZON 0x40

/* Parse the header at 'p' (at least BROKER_BATCH_HEADER_SIZE bytes). No validation. */
void broker_batch_header_parse(const uint8_t *p, broker_batch_header *h);

/* Check a whole batch [p, p+len): exactly one batch, magic 2, CRC-32C over bytes 21..end,
 * uncompressed records that parse exactly within their lengths with count = recordCount.
 * Errors: EDDY_ECORRUPT (CRC or framing), EDDY_EUNSUPPORTED (compressed), EDDY_EINVAL. */
int broker_batch_validate(const uint8_t *p, size_t len, eddy_err *err);

/* Encode 'n' records as one uncompressed v2 batch, appended to 'out'. Offset deltas are 0..n-1,
 * baseOffset is 0 (the log assigns it). 'producer_id' -1 for a non-idempotent batch.
 * Errors: EDDY_ENOMEM, EDDY_EINVAL (n == 0). */
int broker_batch_encode(const broker_record *recs, size_t n, int64_t producer_id,
                        int16_t producer_epoch, int32_t base_sequence, eddy_buf *out,
                        eddy_err *err);

/* Iterator over the batches and records of a fetched byte range (a sequence of whole batches,
 * possibly ending with a partial one, which is ignored). Zero-copy: records point into the
 * range. */
typedef struct broker_iter {
    const uint8_t *pos, *end;            /* unread bytes */
    const uint8_t *rec, *rec_end;        /* records area of the current batch */
    broker_batch_header batch;           /* the current batch */
    int32_t left;                        /* records left in the current batch */
    int64_t min_offset;                  /* skip records below this offset */
} broker_iter;

void broker_iter_init(broker_iter *it, const uint8_t *data, size_t len, int64_t min_offset);

/* Next record: 1 and fills 'r'; 0 at the end; EDDY_ECORRUPT on a malformed batch or record
 * (the CRC is not checked here: the log checked it on append and on recovery). */
int broker_iter_next(broker_iter *it, broker_record *r, eddy_err *err);

/* ---------------------------------------------------------------------------------------------
 * Partition logs
 * ------------------------------------------------------------------------------------------- */

/* Get a counted reference to partition 'partition' of 'topic'. Release with
 * broker_log_release(). Errors: EDDY_ENOTFOUND (topic or partition). */
int broker_log_get(broker *b, const char *topic, int32_t partition, broker_log **out,
                   eddy_err *err);
void broker_log_release(broker_log *log);

const char *broker_log_topic(const broker_log *log);
int32_t broker_log_partition(const broker_log *log);
int64_t broker_log_start_offset(broker_log *log);
int64_t broker_log_end_offset(broker_log *log);

/* Result of an append. */
typedef struct broker_append_info {
    int64_t base_offset;         /* offset of the first record written (or of the duplicate) */
    int64_t last_offset;
    int64_t log_start_offset;
    bool duplicate;              /* idempotent retry: nothing was written */
} broker_append_info;

/* Append one v2 record batch produced elsewhere (a Kafka client, a batch built with
 * broker_batch_encode). The batch is validated (broker_batch_validate rules, plus Kafka's
 * produce rules: baseOffset 0, recordCount = lastOffsetDelta + 1, no control batch, keys on
 * compacted topics), its idempotent producer fields are checked, then baseOffset and
 * partitionLeaderEpoch are written into 'batch' (outside the CRC) and it is appended.
 * Errors: EDDY_ECORRUPT, EDDY_EINVAL, EDDY_ETOOLARGE, EDDY_ESEQUENCE (sequence gap or new
 * epoch not starting at 0), EDDY_EFENCED (epoch older than the current one), EDDY_EIO,
 * EDDY_ECLOSED (topic deleted). A duplicate of one of the producer's last 5 batches is not
 * written again: returns 0 with info->duplicate set and the original offsets. */
int broker_log_append_batch(broker_log *log, uint8_t *batch, size_t len,
                            broker_append_info *info, eddy_err *err);

/* Encode 'recs' as one batch and append it (not idempotent). */
int broker_log_append(broker_log *log, const broker_record *recs, size_t n,
                      broker_append_info *info, eddy_err *err);

/* A zero-copy view of fetched data: whole batches from one segment, starting with the batch
 * that holds 'offset'. Holds a reference on the segment file; release with
 * broker_fetch_release(). For sendfile(): bytes [file_pos, file_pos + len) of 'fd'. */
typedef struct broker_fetch_result {
    const uint8_t *data;         /* mmap'ed; NULL when len == 0 */
    size_t len;
    int fd;                      /* segment file, valid while held */
    off_t file_pos;
    int64_t next_offset;         /* where the following fetch should start */
    int64_t high_watermark;      /* log end offset when fetched */
    int64_t log_start_offset;
    void *seg_ref;               /* private */
} broker_fetch_result;

/* Fetch from 'offset' up to about 'max_bytes' (at least one whole batch if any data is
 * there, never a partial batch). An offset below the log start is EDDY_ERANGE, as is one
 * past the end; offset == end returns an empty result. */
int broker_log_fetch(broker_log *log, int64_t offset, size_t max_bytes,
                     broker_fetch_result *res, eddy_err *err);
void broker_fetch_release(broker_fetch_result *res);

/* Block until the log end offset is > 'offset', or 'timeout_ms' passes (no busy waiting).
 * Returns 1 when data is there, 0 on timeout, EDDY_ECLOSED if the topic was deleted or the
 * broker is closing. */
int broker_log_wait(broker_log *log, int64_t offset, int timeout_ms);

/* First offset whose record timestamp is >= 'ts' (Kafka ListOffsets). *offset is the log end
 * offset when there is none. */
int broker_log_offset_for_time(broker_log *log, int64_t ts, int64_t *offset, eddy_err *err);

/* Force the partition's data to disk (fsync). */
int broker_log_flush(broker_log *log, eddy_err *err);

/* ---------------------------------------------------------------------------------------------
 * Producing by topic (partitioning like Kafka's default partitioner)
 * ------------------------------------------------------------------------------------------- */

/* Partition for a record: its key's murmur2 (positive, modulo 'npartitions'), or, for a null
 * key, the topic's round-robin counter. */
int32_t broker_partition_for(broker *b, const char *topic, const uint8_t *key, int32_t key_len,
                             int32_t npartitions);

/* Append 'n' records to 'topic'. 'partitions' (may be NULL) gives each record's partition, -1
 * to choose by key. Records are grouped into one batch per partition, keeping their order
 * within a partition. 'parts_touched' (may be NULL) receives how many distinct partitions
 * were written. Errors: as broker_log_append, EDDY_ENOTFOUND. */
int broker_produce(broker *b, const char *topic, const broker_record *recs,
                   const int32_t *partitions, size_t n, int *parts_touched, eddy_err *err);

/* ---------------------------------------------------------------------------------------------
 * Consumer groups
 * ------------------------------------------------------------------------------------------- */

/* Commit 'offset' (the next offset to consume) for (group, topic, partition). Persisted in the
 * internal compacted topic "__consumer_offsets"; survives restarts. */
int broker_group_commit(broker *b, const char *group, const char *topic, int32_t partition,
                        int64_t offset, const char *metadata, eddy_err *err);

/* The committed offset, or -1 when the group has none for this partition. */
int broker_group_fetch(broker *b, const char *group, const char *topic, int32_t partition,
                       int64_t *offset, eddy_err *err);

/* ---------------------------------------------------------------------------------------------
 * Cleaner
 * ------------------------------------------------------------------------------------------- */

typedef struct broker_clean_stats {
    int segments_deleted;        /* by retention */
    int segments_compacted;      /* rewritten by compaction */
    int64_t records_removed;     /* by compaction */
} broker_clean_stats;

/* Run one pass of retention, compaction and flush.ms over every partition, now, in the
 * calling thread. 'stats' may be NULL. Readers running meanwhile never see a partial file. */
int broker_clean_now(broker *b, broker_clean_stats *stats, eddy_err *err);

#endif /* EDDY_BROKER_H */
