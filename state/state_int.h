/*
 * state_int.h - private structures of state/: the environment (env.c), the write-back cache
 * (cache.c), key and checkpoint encodings (codec.c), stores and iterators (store.c), tasks
 * and commit (task.c), restore (restore.c). Only state/ and its unit tests include it.
 */
#ifndef EDDY_STATE_INT_H
#define EDDY_STATE_INT_H

#include "eddy/state.h"

#include <lmdb.h>
#include <pthread.h>
#include <stdatomic.h>

/* Name of the LMDB database holding every task's checkpoint (key: task name). Store
 * databases are named "<query id>/<store>/<partition>"; a leading '_' cannot start a query
 * id that is also a valid topic prefix we create, and '/' cannot occur in topic names. */
#define STATE_CKPT_DB "_checkpoints"

/* The commit marker record in the marker store's changelog: this key, one header with this
 * name, and a checkpoint encoding (codec.c) as value. */
#define STATE_MARKER_KEY "\xff\xff" "eddy.commit"
#define STATE_MARKER_HEADER "eddy.commit"

/* ---------------------------------------------------------------------------------------------
 * Environment (env.c)
 * ------------------------------------------------------------------------------------------- */

struct state_env {
    MDB_env *mdb;
    broker *b;                   /* borrowed */
    char *dir;                   /* <data dir>/state (owned) */
    char *data_dir;              /* <data dir> (owned) */
    state_env_options opts;
    MDB_dbi ckpt_dbi;
    size_t max_key;              /* mdb_env_get_maxkeysize */
    bool recreated;

    /* mu guards: dbi opens (LMDB requires them serialised), the open task names, and the
     * map-resize protocol: 'readers' counts active read snapshots, 'writers' write
     * transactions in progress; while 'resizing' no new one starts. */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int readers, writers;
    bool resizing;
    uint64_t map_size;
    atomic_llong map_resizes;
    char **task_names;
    size_t ntasks, task_cap;
};

/* Translate an LMDB error: corruption codes give EDDY_ECORRUPT and flag the env as damaged
 * (a DAMAGED file, so the next state_env_open discards it); others EDDY_EIO. */
int state__mdb_err(state_env *env, int rc, eddy_err *err, const char *what);

/* Resize protocol (see struct state_env). */
void state__reader_enter(state_env *env);
void state__reader_leave(state_env *env);
void state__writer_enter(state_env *env);
void state__writer_leave(state_env *env);
/* The current map size (read under the env lock). */
uint64_t state__map_size(state_env *env);
/* Double the map size, which was 'seen' when MDB_MAP_FULL happened; waits (bounded) until no
 * snapshot or writer is active. The caller holds neither. Errors: EDDY_EIO on timeout. */
int state__map_grow(state_env *env, uint64_t seen, eddy_err *err);

/* Open (or create) named database 'name'; '*existed' tells whether it was there. */
int state__dbi_open(state_env *env, const char *name, MDB_dbi *dbi, bool *existed,
                    eddy_err *err);

int state__task_register(state_env *env, const char *name, eddy_err *err);
void state__task_unregister(state_env *env, const char *name);

/* ---------------------------------------------------------------------------------------------
 * Write-back cache (cache.c): a skip list ordered by encoded key bytes, nodes and values in
 * an arena that is reset at commit. Nodes are never removed before the reset, so node
 * pointers held by iterators stay valid while entries are added.
 * ------------------------------------------------------------------------------------------- */

#define CACHE_MAX_LEVEL 20

typedef struct cache_node {
    uint8_t *val;                /* NULL for a tombstone or an empty value */
    uint32_t vlen, vcap;
    uint32_t klen;
    uint8_t level;
    bool tomb;                   /* a delete */
    struct cache_node *next[];   /* 'level' pointers, then the key bytes */
} cache_node;

static inline const uint8_t *cache_key(const cache_node *n)
{
    return (const uint8_t *)&n->next[n->level];
}

typedef struct state_cache {
    eddy_arena arena;
    cache_node *head;            /* sentinel with CACHE_MAX_LEVEL pointers */
    int level;                   /* levels in use */
    uint64_t rng;
    size_t count;                /* entries */
} state_cache;

int state__cache_init(state_cache *c);
void state__cache_free(state_cache *c);
void state__cache_reset(state_cache *c);
/* The node for 'key' or NULL. */
cache_node *state__cache_find(state_cache *c, const uint8_t *key, size_t klen);
/* The last node with key < 'key' ('key' NULL: none), or the list head: its next[0] is the
 * first node with key >= 'key'. */
cache_node *state__cache_seek_before(state_cache *c, const uint8_t *key, size_t klen);
/* Set 'key' to 'val' (copied) or, with 'tomb', to a delete. EDDY_ENOMEM. */
int state__cache_set(state_cache *c, const uint8_t *key, size_t klen, const void *val,
                     size_t vlen, bool tomb, cache_node **out);
static inline cache_node *state__cache_first(state_cache *c) { return c->head->next[0]; }
size_t state__cache_bytes(const state_cache *c);

/* Byte-string order (a shorter prefix first), as LMDB's default comparison. */
static inline int state__keycmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
    int c = memcmp(a, b, al < bl ? al : bl);
    return c ? c : (al < bl ? -1 : al > bl);
}

/* ---------------------------------------------------------------------------------------------
 * Encodings (codec.c)
 * ------------------------------------------------------------------------------------------- */

/* Window/session keys: escape(key) 00 00 [E(a) [E(b)]], where escape writes 00 as 00 FF and
 * E(t) is the big-endian bytes of t with the sign bit flipped. Appends to 'out'. */
int state__key_encode(eddy_buf *out, const uint8_t *key, size_t klen, int nts, int64_t a,
                      int64_t b);
/* Decode: the caller's key into 'key' (reset first) and the timestamps. Returns 0 or
 * EDDY_ECORRUPT when 'p' is not a well-formed key with 'nts' timestamps. */
int state__key_decode(const uint8_t *p, size_t len, int nts, eddy_buf *key, int64_t *a,
                      int64_t *b);

static inline void state__ts_put(uint8_t *p, int64_t t)
{
    eddy_put_be64(p, (uint64_t)t ^ 0x8000000000000000ULL);
}
static inline int64_t state__ts_get(const uint8_t *p)
{
    return (int64_t)(eddy_get_be64(p) ^ 0x8000000000000000ULL);
}

/* A checkpoint, as stored in LMDB and carried by commit markers:
 *   "EDK1" | u64 epoch | u32 ninputs | ninputs x (u16 len, topic, i32 partition, i64 offset)
 *          | u32 nstores | nstores x (u16 len, store name, i64 changelog end offset)
 * all big-endian. In a marker, the marker store's end is -1: it ends at the marker. */
typedef struct state_ckpt {
    uint64_t epoch;
    size_t ninputs;
    state_offset *inputs;
    size_t nstores;
    char **names;
    int64_t *ends;
} state_ckpt;

int state__ckpt_encode(const state_ckpt *c, eddy_buf *out);
/* Decode into 'a' (strings and arrays live there). EDDY_ECORRUPT, EDDY_ENOMEM. */
int state__ckpt_decode(const uint8_t *p, size_t len, eddy_arena *a, state_ckpt *c,
                       eddy_err *err);
/* The changelog end recorded for store 'name', or -2 when 'c' does not list it. */
int64_t state__ckpt_end(const state_ckpt *c, const char *name);

/* ---------------------------------------------------------------------------------------------
 * Stores (store.c) and tasks (task.c, restore.c)
 * ------------------------------------------------------------------------------------------- */

struct state_store {
    state_task *task;
    char *name;                  /* owned */
    char *topic;                 /* changelog topic (owned) */
    state_store_kind kind;
    int64_t window_size;
    MDB_dbi dbi;
    bool existed;                /* the database existed before this open */
    state_cache cache;
    broker_log *log;             /* changelog partition (counted reference) */
    int64_t max_batch;           /* bytes per changelog append */
    int64_t ckpt_end;            /* changelog end offset as of the last commit/restore */
    bool min_known;              /* 'min_time' is a lower bound of window starts / ends */
    int64_t min_time;
    eddy_buf kbuf;               /* scratch: encoded key */
};

/* Test hook: make state_task_commit stop at a point, as a crash would (after the step
 * named, nothing else happens and the commit returns EDDY_EIO "injected failure"). */
enum {
    STATE_FAIL_NONE = 0,
    STATE_FAIL_AFTER_DATA,       /* changelog data appended, marker not */
    STATE_FAIL_AFTER_MARKER,     /* marker appended, LMDB transaction not started */
    STATE_FAIL_BEFORE_LMDB_COMMIT /* LMDB transaction written, then aborted */
};

struct state_task {
    state_env *env;
    char *query;                 /* owned */
    char *name;                  /* "<query id>/<partition>" (owned) */
    int32_t partition, npartitions;
    state_task_options opts;
    state_store **stores;        /* sorted by name; stores[0] is the marker store */
    size_t nstores;
    MDB_txn *rtxn;               /* read snapshot (MDB_NOTLS), reset at commit */
    bool rtxn_active;
    bool restored, failed;
    int open_iters;              /* iterators not yet closed */
    uint64_t epoch;
    state_offset *inputs;        /* committed input offsets (owned, topics owned) */
    size_t ninputs;
    eddy_buf recs;               /* scratch: broker_record array for appends */
    eddy_buf enc;                /* scratch: encodings */
    state_stats st;
    atomic_llong prog_restored, prog_total;
    int fail_point;              /* STATE_FAIL_* (tests) */
};

/* The task's read snapshot, begun or renewed on demand. */
int state__task_rtxn(state_task *t, MDB_txn **txn, eddy_err *err);
/* End the read snapshot (values returned earlier become invalid). */
void state__task_rtxn_end(state_task *t);

/* The commit of task.c; 'force' commits even with nothing dirty (restore uses it). */
int state__task_commit(state_task *t, const state_offset *inputs, size_t ninputs, bool force,
                       eddy_err *err);
/* Replace the committed inputs by a copy of 'inputs'. */
int state__task_set_inputs(state_task *t, const state_offset *inputs, size_t n, eddy_err *err);

/* Is this changelog record a commit marker? */
bool state__is_marker(const broker_record *r);

/* Apply one changelog record to store 's' inside write transaction 'txn'. */
int state__store_apply(state_store *s, MDB_txn *txn, const uint8_t *key, size_t klen,
                       const uint8_t *val, int64_t vlen, eddy_err *err);

void state__store_free(state_store *s);

#endif /* EDDY_STATE_INT_H */
