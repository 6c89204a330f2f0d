/*
 * eddy/state.h - fault-tolerant operator state: key-value, window and session stores kept in
 * LMDB, logged to compacted changelog topics, checkpointed per task and restored after a
 * crash or the loss of the LMDB files.
 *
 * Objects:
 *   state_env    one LMDB environment per data directory (<dir>/state/), shared by every
 *                task of the process; bound to the broker that holds the changelogs.
 *   state_task   the stores of one task (one input partition of one query) and its
 *                checkpoint. A task is used by one thread at a time (it may migrate).
 *   state_store  one store of a task: KV, WINDOW or SESSION. One named LMDB database
 *                "<query id>/<store>/<partition>" and one changelog topic
 *                "<query id>-<store>-changelog" (cleanup.policy=compact, one partition per
 *                input partition; the task writes partition = its input partition).
 *
 * Life of a task:
 *   state_task_open -> state_store_open (each store) -> state_task_restore (exactly once)
 *   -> { get / put / delete / fetch ... ; state_task_commit every commit.interval.ms }
 *   -> state_task_close.
 *
 * Writes go to an in-memory write-back cache per store (the latest value or a delete per
 * key since the last commit); reads and scans merge the cache with LMDB. state_task_commit
 * makes the cache durable: it appends the cached entries to the changelogs, then a commit
 * marker, then applies them in ONE LMDB write transaction together with the checkpoint
 * (input offsets, changelog end offsets). The exact crash-consistency rule (the commit
 * marker in the changelog is the commit point; LMDB is a cache of the changelogs) is
 * described in state/task.c and summarised at state_task_restore() below.
 *
 * Lifetimes of returned bytes (LMDB's rule): a value returned by a get, and an entry
 * returned by an iterator, are valid until the next write to that store (put, delete,
 * remove, expire) or the next commit or close of its task, whichever comes first. Copy what
 * must live longer. Keys and values passed in are copied.
 *
 * Thread-safety: the env is thread-safe. A task, its stores and their iterators must be used
 * by one thread at a time; different tasks may run concurrently on different threads.
 * Commits of different tasks serialise on LMDB's single writer lock. Restore progress may be
 * read from any thread (state_task_progress).
 */
#ifndef EDDY_STATE_H
#define EDDY_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eddy/broker.h"
#include "eddy/common.h"

typedef struct state_env state_env;
typedef struct state_task state_task;
typedef struct state_store state_store;
typedef struct state_iter state_iter;

/* ---------------------------------------------------------------------------------------------
 * Environment
 * ------------------------------------------------------------------------------------------- */

typedef struct state_env_options {
    /* Initial LMDB map size in bytes (address space, not disk). Default 64 GiB. On
     * MDB_MAP_FULL a commit doubles it (see state_task_commit). */
    uint64_t map_size;
    /* true (default): MDB_WRITEMAP, about 3x faster commits; data.mdb is then a sparse file
     * of map_size bytes (`du` shows the real use). false: pages are written with pwrite and
     * the file grows with use. */
    bool writemap;
    /* Maximum number of named databases (stores + 1). Default 4096. */
    unsigned max_dbs;
    /* Maximum number of concurrently open tasks (LMDB reader slots). Default 1024. */
    unsigned max_readers;
    /* false (default): LMDB commits are not fsync'ed (MDB_NOSYNC), like the broker's
     * page-cache policy: a process crash loses nothing, and after an operating-system crash
     * (detected by the boot id, see state_env_open) the environment is discarded and rebuilt
     * from the changelogs. true: every commit is fsync'ed. */
    bool durable;
    /* Records per LMDB write transaction when restoring from a changelog. Default 100000. */
    unsigned restore_batch;
} state_env_options;

void state_env_options_default(state_env_options *o);

/* Open (creating if needed) the state environment <'dir'>/state/ for changelogs kept in
 * broker 'b' ('b' is borrowed and must outlive the env). 'opts' may be NULL (defaults).
 * An environment that cannot be trusted is moved aside to <'dir'>/state.damaged (replacing
 * an older one) and recreated empty, so every task rebuilds from its changelogs: when LMDB
 * reports it invalid or corrupt (MDB_INVALID, MDB_CORRUPTED, MDB_PAGE_NOTFOUND,
 * MDB_VERSION_MISMATCH), when an earlier state_store operation found corruption, or, in
 * non-durable mode, when it was not closed cleanly before the machine rebooted.
 * state_env_recreated() tells whether that happened. Open a data directory's env once per
 * process (LMDB's rule) and share it between tasks.
 * Errors: EDDY_EINVAL (no 'dir' or 'b'), EDDY_EIO (directory or LMDB failure),
 * EDDY_ECORRUPT (a recreated env is still refused), EDDY_ENOMEM. Thread-safe. */
int state_env_open(const char *dir, broker *b, const state_env_options *opts, state_env **out,
                   eddy_err *err);

/* Sync and close. Every task must be closed first. NULL is allowed. */
void state_env_close(state_env *env);

/* True if state_env_open discarded a damaged environment. */
bool state_env_recreated(const state_env *env);

/* ---------------------------------------------------------------------------------------------
 * Offsets (input positions of a task)
 * ------------------------------------------------------------------------------------------- */

typedef struct state_offset {
    const char *topic;
    int32_t partition;
    int64_t offset;       /* the next offset to consume */
} state_offset;

typedef struct state_offsets {
    const state_offset *items;
    size_t n;
} state_offsets;

/* ---------------------------------------------------------------------------------------------
 * Tasks
 * ------------------------------------------------------------------------------------------- */

/* Called during state_task_restore after each restore transaction (and once at the end)
 * with the records applied so far and the total to apply (an upper bound: compacted
 * changelogs have gaps). Runs on the restoring thread. */
typedef void (*state_progress_fn)(void *ctx, int64_t restored, int64_t total);

typedef struct state_task_options {
    state_progress_fn progress;   /* may be NULL */
    void *progress_ctx;
} state_task_options;

/* Open task 'partition' of query 'query_id' whose input has 'npartitions' partitions (the
 * partition count of changelogs it creates). 'query_id' must make valid topic names
 * (letters, digits, '.', '_', '-'). 'opts' may be NULL. The task reads nothing yet.
 * Errors: EDDY_EINVAL (bad name, partition outside [0, npartitions)), EDDY_EEXIST (this task
 * is already open in 'env'), EDDY_ENOMEM. Thread-safe with respect to other tasks. */
int state_task_open(state_env *env, const char *query_id, int32_t partition,
                    int32_t npartitions, const state_task_options *opts, state_task **out,
                    eddy_err *err);

/* Close the task and its stores, discarding uncommitted writes (as a crash would). Iterators
 * must be closed first. NULL is allowed. */
void state_task_close(state_task *t);

/* How state_task_restore found the task. */
typedef enum state_restore_mode {
    STATE_RESTORE_FRESH = 1,    /* no checkpoint and empty changelogs: a new task */
    STATE_RESTORE_RESUMED,      /* valid checkpoint matching the changelogs: nothing read */
    STATE_RESTORE_ROLLED_FORWARD, /* valid checkpoint, changelogs had a newer committed epoch
                                   * (crash after the marker, before LMDB): tail replayed */
    STATE_RESTORE_REBUILT       /* no or inconsistent checkpoint: stores rebuilt from the
                                 * changelogs */
} state_restore_mode;

typedef struct state_restore_info {
    state_restore_mode mode;
    bool have_inputs;         /* a checkpoint or marker gave input offsets */
    state_offsets inputs;     /* owned by the task: valid until the next commit or close */
    uint64_t epoch;           /* committed epoch (count of commits so far) */
    int64_t restored;         /* changelog records applied to LMDB */
    int64_t voided;           /* uncommitted changelog records neutralised */
} state_restore_info;

/* Bring the task's stores to its last committed epoch; call once, after every store is
 * opened and before any read or write. The rule: an epoch is committed exactly when its
 * commit marker is in the changelog of the task's "marker store" (the first store by name);
 * the marker carries the epoch's input offsets and every store's changelog end offset.
 *  - LMDB checkpoint present, all stores present, and the changelogs end exactly where it
 *    says: nothing is read (RESUMED).
 *  - Checkpoint present but a newer marker exists: the changelog records up to that marker
 *    are replayed into LMDB (ROLLED_FORWARD).
 *  - No usable checkpoint (LMDB files deleted or damaged, a store missing, a changelog
 *    shorter than recorded): the stores are emptied and rebuilt from the changelogs up to the
 *    last marker, in transactions of restore_batch records (REBUILT).
 *  - Changelog records after the last marker belong to an epoch that never committed: for
 *    each of their keys the committed value (or a tombstone) is appended again, followed by
 *    a new marker, so later restores and compaction see committed values only ('voided').
 * 'info->inputs' are the committed input offsets: the caller resumes consuming there. When
 * 'have_inputs' is false (a fresh task, or a task without stores whose LMDB was lost) the
 * caller falls back to the consumer group offsets it keeps with broker_group_commit, or to
 * the beginning. 'info' may be NULL.
 * Errors: EDDY_EINVAL (called twice), EDDY_EIO, EDDY_ECORRUPT (bad marker, LMDB corruption:
 * the env is flagged so the next state_env_open discards it), broker errors, EDDY_ENOMEM.
 * After an error the task can only be closed. */
int state_task_restore(state_task *t, state_restore_info *info, eddy_err *err);

/* The committed input offsets (from restore or the last commit) into '*out' (owned by the
 * task, valid until the next commit or close). Returns 1 when there are some, 0 when none. */
int state_task_checkpoint(const state_task *t, state_offsets *out);

/* Commit everything written since the last commit, with input offsets 'inputs' (the next
 * offsets to consume, one per input topic-partition; copied). Steps:
 *   1. the dirty entries of each store are appended to its changelog in batches (one record
 *      per key: its latest value or a tombstone), non-marker stores first;
 *   2. a commit marker (epoch, inputs, changelog end offsets) is appended to the marker
 *      store's changelog, in the same batch as its last records when it fits: the commit
 *      point;
 *   3. one LMDB write transaction applies all dirty entries of all stores and stores the
 *      checkpoint; on MDB_MAP_FULL the map is doubled (waiting until no other task holds a
 *      read snapshot) and the transaction retried.
 * A commit with no dirty entries and unchanged inputs does nothing. Afterwards the caches
 * are empty and previously returned values are invalid. Open iterators must be closed.
 * Errors: broker append errors (EDDY_EIO, EDDY_ETOOLARGE for one entry larger than the
 * changelog's max.message.bytes), EDDY_EIO (LMDB), EDDY_ECORRUPT, EDDY_ENOMEM, EDDY_EINVAL
 * (before restore, after a failed commit). After an error the task is failed: close it and
 * reopen it; restore then applies the rule above, so nothing committed is lost and nothing
 * uncommitted is applied. */
int state_task_commit(state_task *t, const state_offsets *inputs, eddy_err *err);

/* Restore progress, readable from any thread while state_task_restore runs. */
void state_task_progress(const state_task *t, int64_t *restored, int64_t *total);

typedef struct state_stats {
    uint64_t epoch;               /* committed epoch */
    int64_t commits;              /* commits that wrote something */
    int64_t commit_txns;          /* LMDB write transactions of commits (retries included) */
    int64_t restore_txns;         /* LMDB write transactions of restores */
    int64_t restored;             /* changelog records applied by restore */
    int64_t restore_total;        /* records restore had to read (upper bound) */
    int64_t changelog_read;       /* changelog records read for any reason */
    int64_t changelog_records;    /* records appended to changelogs (markers included) */
    int64_t changelog_appends;    /* broker appends (batches) */
    int64_t voided;               /* uncommitted records neutralised at restore */
    int64_t cache_entries;        /* dirty entries now, all stores */
    int64_t cache_bytes;          /* memory held by the caches now */
    int64_t map_resizes;          /* env-wide count of map size doublings */
} state_stats;

/* Counters of task 't'. Call on the task's thread. */
void state_task_stats(const state_task *t, state_stats *out);

/* ---------------------------------------------------------------------------------------------
 * Stores
 * ------------------------------------------------------------------------------------------- */

typedef enum state_store_kind {
    STATE_KV = 1,       /* key -> value */
    STATE_WINDOW,       /* (key, window start) -> value; a key's windows sorted by start */
    STATE_SESSION       /* (key, session end, session start) -> value */
} state_store_kind;

/* Open store 'name' of kind 'kind' in task 't' ('window_size_ms' > 0 for WINDOW stores: the
 * window end is start + size, used by expiry; ignored otherwise). Creates the changelog topic
 * if missing. Must be called before state_task_restore. The store belongs to the task and is
 * closed with it.
 * Errors: EDDY_EINVAL (bad name or kind, topic name invalid, called after restore, a changelog
 * with fewer partitions than the task's), EDDY_EEXIST (name already open in this task),
 * EDDY_EIO (LMDB), broker errors, EDDY_ENOMEM. */
int state_store_open(state_task *t, const char *name, state_store_kind kind,
                     int64_t window_size_ms, state_store **out, eddy_err *err);

const char *state_store_name(const state_store *s);
const char *state_store_changelog(const state_store *s);   /* the changelog topic name */

/* Largest key (in bytes) a store of this kind accepts: LMDB's key limit minus the encoding
 * overhead. Window and session keys grow by the escaping of 0x00 bytes (see store.c); their
 * limit applies to the encoded size, checked at each call (EDDY_ETOOLARGE). */
size_t state_store_max_key(const state_store *s);

/* ---- key-value stores ---- */

/* Look up 'key'. Returns 1 and sets '*val' / '*vlen' (see "Lifetimes" above), or 0 when
 * absent or deleted. Errors: EDDY_EINVAL (wrong kind, before restore), EDDY_ETOOLARGE (key),
 * EDDY_EIO / EDDY_ECORRUPT (LMDB). */
int state_kv_get(state_store *s, const void *key, size_t klen, const void **val, size_t *vlen,
                 eddy_err *err);

/* Set 'key' to 'val' (copied; 'vlen' may be 0) in the cache. Key-value keys must not be
 * empty (LMDB has no empty keys; window and session keys may be, their encoding is never
 * empty). Errors: EDDY_EINVAL (empty key, wrong kind, before restore, failed task),
 * EDDY_ETOOLARGE (key longer than state_store_max_key), EDDY_ENOMEM. */
int state_kv_put(state_store *s, const void *key, size_t klen, const void *val, size_t vlen,
                 eddy_err *err);

/* Delete 'key' (a tombstone in the cache shadows LMDB until commit). Deleting an absent key
 * is not an error (a tombstone is still logged). Errors: as state_kv_put. */
int state_kv_delete(state_store *s, const void *key, size_t klen, eddy_err *err);

/* ---- window stores ---- */

/* The value of window ('key', 'start'): 1 and '*val'/'*vlen', or 0. Errors: as state_kv_get. */
int state_window_get(state_store *s, const void *key, size_t klen, int64_t start,
                     const void **val, size_t *vlen, eddy_err *err);
int state_window_put(state_store *s, const void *key, size_t klen, int64_t start,
                     const void *val, size_t vlen, eddy_err *err);
int state_window_delete(state_store *s, const void *key, size_t klen, int64_t start,
                        eddy_err *err);

/* Iterate the windows of 'key' whose start is in [from, to] in ascending start order
 * (entries have start and end = start + window size). Errors: as state_kv_get. */
int state_window_fetch(state_store *s, const void *key, size_t klen, int64_t from, int64_t to,
                       state_iter **out, eddy_err *err);

/* Delete every window whose end (start + size) is < 'before_ts' (typically stream time -
 * retention), in the cache and therefore, at the next commit, in LMDB and as tombstones in
 * the changelog. Cheap when nothing can have expired (the store tracks a lower bound of the
 * window starts); otherwise one scan of the store. '*removed' (may be NULL) gets the count.
 * Errors: as state_kv_put, EDDY_EIO. */
int state_window_expire(state_store *s, int64_t before_ts, int64_t *removed, eddy_err *err);

/* ---- session stores ---- */

/* Iterate the sessions of 'key' with end >= 'earliest_end' and start <= 'latest_start', in
 * ascending end order (ksqlDB's findSessions: for a record at ts with gap g, pass ts - g and
 * ts + g). Sessions of one key are assumed not to overlap, so the scan stops at the first
 * session starting after 'latest_start'. Errors: as state_kv_get. */
int state_session_find(state_store *s, const void *key, size_t klen, int64_t earliest_end,
                       int64_t latest_start, state_iter **out, eddy_err *err);
int state_session_put(state_store *s, const void *key, size_t klen, int64_t start, int64_t end,
                      const void *val, size_t vlen, eddy_err *err);
int state_session_remove(state_store *s, const void *key, size_t klen, int64_t start,
                         int64_t end, eddy_err *err);
/* Delete every session whose end is < 'before_ts'; as state_window_expire. */
int state_session_expire(state_store *s, int64_t before_ts, int64_t *removed, eddy_err *err);

/* ---- iteration (all kinds) ---- */

/* Iterate every entry of the store in key order: for KV stores by key bytes; for window and
 * session stores by key bytes, then window start (sessions: end, then start). 'from'/'to'
 * (NULL = unbounded) bound the caller's key bytes: from <= key < to, with keys compared as
 * byte strings (a shorter prefix first). Sees LMDB (as of the task's last commit) merged with
 * the cache. Writes to the store during the iteration are allowed (they may or may not be
 * seen); a commit invalidates the iterator. Errors: EDDY_EINVAL, EDDY_EIO, EDDY_ENOMEM. */
int state_store_scan(state_store *s, const void *from, size_t flen, const void *to,
                     size_t tlen, state_iter **out, eddy_err *err);

typedef struct state_entry {
    const uint8_t *key;       /* the caller's key bytes */
    size_t key_len;
    const uint8_t *value;
    size_t value_len;
    int64_t start, end;       /* window / session bounds; 0 for KV stores */
} state_entry;

/* Next entry: 1 and fills 'e' (valid until the next call, a write to the store, or close),
 * 0 at the end. Errors: EDDY_EIO / EDDY_ECORRUPT (LMDB). */
int state_iter_next(state_iter *it, state_entry *e, eddy_err *err);

/* Release an iterator. NULL is allowed. */
void state_iter_close(state_iter *it);

#endif /* EDDY_STATE_H */
