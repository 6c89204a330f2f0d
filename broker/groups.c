/*
 * groups.c - committed consumer group offsets, kept as Kafka keeps them: in the compacted
 * internal topic "__consumer_offsets" (one partition here), with an in-memory table in front.
 *
 * Record format (one record per commit, appended with broker_log_append):
 *   key    Kafka's OffsetCommitKey v1 layout: int16 version (1), int16 length + group bytes,
 *          int16 length + topic bytes, int32 partition, all big-endian. The length prefixes
 *          make it a unique encoding of (group, topic, partition), so compaction keeps exactly
 *          the latest commit per partition of each group.
 *   value  a small JSON object {"offset":N,"metadata":"...","commit_timestamp":T}; a null
 *          value (tombstone) removes the entry. Records we cannot decode are skipped on load.
 *
 * In memory: a chained hash table keyed by the encoded key bytes (eddy_hash64), loaded at
 * open by reading the whole topic from its log start (later records win). One mutex guards the
 * table and is held across the append of a commit, so the table and the log agree on which
 * of two racing commits is the latest. Commits are not a hot path.
 *
 * Durability is the topic's: a commit is in the page cache when it returns and survives a
 * process crash; flush.ms / flush.messages of the topic govern fsync.
 */
#include "broker_int.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#define KEY_VERSION 1
#define GROUPS_SEGMENT_BYTES "104857600"   /* Kafka's offsets.topic.segment.bytes */
#define LOAD_FETCH_BYTES (1 << 20)

typedef struct group_entry {
    struct group_entry *next;    /* bucket chain */
    uint64_t hash;
    uint8_t *key;                /* encoded key (owned) */
    size_t key_len;
    int64_t offset;
    int64_t commit_ts;
    char *metadata;              /* owned, never NULL */
} group_entry;

struct broker_groups {
    pthread_mutex_t mu;
    broker_log *log;             /* __consumer_offsets partition 0 (owned reference) */
    group_entry **buckets;
    size_t nbuckets, n;
};

/* ---------------------------------------------------------------------------------------------
 * Keys and the table
 * ------------------------------------------------------------------------------------------- */

/* Encode (group, topic, partition) into 'out' (cleared first). Errors: EDDY_EINVAL (a name
 * longer than 32767 bytes), EDDY_ENOMEM. */
static int key_encode(const char *group, const char *topic, int32_t partition, eddy_buf *out)
{
    size_t gl = strlen(group), tl = strlen(topic);
    if (gl > INT16_MAX || tl > INT16_MAX)
        return EDDY_EINVAL;
    out->len = 0;
    if (eddy_buf_reserve(out, 10 + gl + tl) != 0)
        return EDDY_ENOMEM;
    uint8_t *p = out->data;
    eddy_put_be16(p, KEY_VERSION);
    eddy_put_be16(p + 2, (uint16_t)gl);
    memcpy(p + 4, group, gl);
    p += 4 + gl;
    eddy_put_be16(p, (uint16_t)tl);
    memcpy(p + 2, topic, tl);
    p += 2 + tl;
    eddy_put_be32(p, (uint32_t)partition);
    out->len = 10 + gl + tl;
    return 0;
}

/* True if [k, k+len) is a well-formed version-1 key. */
static bool key_valid(const uint8_t *k, int32_t len)
{
    if (!k || len < 10 || eddy_get_be16(k) != KEY_VERSION)
        return false;
    size_t gl = eddy_get_be16(k + 2);
    if ((size_t)len < 10 + gl)
        return false;
    size_t tl = eddy_get_be16(k + 4 + gl);
    return (size_t)len == 10 + gl + tl;
}

static group_entry **slot_of(broker_groups *g, const uint8_t *key, size_t len, uint64_t h)
{
    group_entry **pp = &g->buckets[h & (g->nbuckets - 1)];
    while (*pp && !((*pp)->hash == h && (*pp)->key_len == len && !memcmp((*pp)->key, key, len)))
        pp = &(*pp)->next;
    return pp;
}

static void entry_free(group_entry *e)
{
    eddy_free(e->key);
    eddy_free(e->metadata);
    eddy_free(e);
}

static int table_grow(broker_groups *g)
{
    size_t nb = g->nbuckets ? g->nbuckets * 2 : 64;
    group_entry **nbk = eddy_calloc(nb, sizeof *nbk);
    if (!nbk)
        return EDDY_ENOMEM;
    for (size_t i = 0; i < g->nbuckets; i++) {
        group_entry *e = g->buckets[i];
        while (e) {
            group_entry *next = e->next;
            e->next = nbk[e->hash & (nb - 1)];
            nbk[e->hash & (nb - 1)] = e;
            e = next;
        }
    }
    eddy_free(g->buckets);
    g->buckets = nbk;
    g->nbuckets = nb;
    return 0;
}

/* Insert or replace the entry for 'key'. 'metadata' is copied. Errors: EDDY_ENOMEM. */
static int table_put(broker_groups *g, const uint8_t *key, size_t len, int64_t offset,
                     const char *metadata, int64_t ts)
{
    if (g->n >= g->nbuckets && table_grow(g) != 0)
        return EDDY_ENOMEM;
    uint64_t h = eddy_hash64(key, len);
    group_entry **pp = slot_of(g, key, len, h);
    char *md = eddy_strdup(metadata ? metadata : "");
    if (!md)
        return EDDY_ENOMEM;
    group_entry *e = *pp;
    if (!e) {
        e = eddy_calloc(1, sizeof *e);
        uint8_t *k = eddy_malloc(len);
        if (!e || !k) {
            eddy_free(e);
            eddy_free(k);
            eddy_free(md);
            return EDDY_ENOMEM;
        }
        memcpy(k, key, len);
        e->key = k;
        e->key_len = len;
        e->hash = h;
        *pp = e;
        g->n++;
    } else {
        eddy_free(e->metadata);
    }
    e->metadata = md;
    e->offset = offset;
    e->commit_ts = ts;
    return 0;
}

static void table_remove(broker_groups *g, const uint8_t *key, size_t len)
{
    if (!g->nbuckets)
        return;
    group_entry **pp = slot_of(g, key, len, eddy_hash64(key, len));
    if (*pp) {
        group_entry *e = *pp;
        *pp = e->next;
        entry_free(e);
        g->n--;
    }
}

/* ---------------------------------------------------------------------------------------------
 * Loading
 * ------------------------------------------------------------------------------------------- */

/* Apply one record of the topic to the table; undecodable records are skipped. */
static int apply_record(broker_groups *g, const broker_record *r)
{
    if (!key_valid(r->key, r->key_len))
        return 0;
    if (!r->value) {
        if (g->nbuckets)
            table_remove(g, r->key, (size_t)r->key_len);
        return 0;
    }
    json_t *v = json_loadb((const char *)r->value, (size_t)r->value_len, 0, NULL);
    if (!v)
        return 0;
    json_t *off = json_object_get(v, "offset");
    json_t *md = json_object_get(v, "metadata");
    json_t *ts = json_object_get(v, "commit_timestamp");
    int rc = 0;
    if (json_is_integer(off))
        rc = table_put(g, r->key, (size_t)r->key_len, json_integer_value(off),
                       json_is_string(md) ? json_string_value(md) : "",
                       json_is_integer(ts) ? json_integer_value(ts) : -1);
    json_decref(v);
    return rc;
}

/* Read the whole topic from its start offset into the table. */
static int load(broker_groups *g, eddy_err *err)
{
    int64_t off = broker_log_start_offset(g->log);
    int64_t end = broker_log_end_offset(g->log);
    while (off < end) {
        broker_fetch_result res;
        int rc = broker_log_fetch(g->log, off, LOAD_FETCH_BYTES, &res, err);
        if (rc)
            return rc;
        broker_iter it;
        broker_record r;
        broker_iter_init(&it, res.data, res.len, off);
        while ((rc = broker_iter_next(&it, &r, err)) == 1)
            if ((rc = apply_record(g, &r)) != 0)
                break;
        int64_t next = res.next_offset;
        broker_fetch_release(&res);
        if (rc == EDDY_ENOMEM)
            return eddy_err_set(err, rc, "out of memory loading consumer group offsets");
        if (rc < 0)
            return rc;
        if (next <= off)
            break;   /* no progress: nothing more to read */
        off = next;
    }
    return 0;
}

/*
 * Open the group offsets of broker 'b': create "__consumer_offsets" (1 partition,
 * cleanup.policy=compact) when missing, reference its partition and load every commit.
 * Errors: those of topic creation and of fetching, EDDY_ECORRUPT, EDDY_ENOMEM.
 */
int broker__groups_open(broker *b, eddy_err *err)
{
    int rc;
    if (broker_topic_partitions(b, BROKER_INTERNAL_GROUPS_TOPIC, NULL) < 0) {
        broker_topic_config cfg;
        broker_topic_config_default(&cfg);
        cfg.cleanup_policy = BROKER_CLEANUP_COMPACT;
        broker_topic_config_set(&cfg, "segment.bytes", GROUPS_SEGMENT_BYTES, NULL);
        rc = broker_topic_create(b, BROKER_INTERNAL_GROUPS_TOPIC, 1, &cfg, err);
        if (rc)
            return rc;
    }
    broker_groups *g = eddy_calloc(1, sizeof *g);
    if (!g)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory opening consumer groups");
    pthread_mutex_init(&g->mu, NULL);
    rc = broker_log_get(b, BROKER_INTERNAL_GROUPS_TOPIC, 0, &g->log, err);
    if (rc == 0 && (rc = table_grow(g)) != 0)
        rc = eddy_err_set(err, rc, "out of memory opening consumer groups");
    if (rc == 0)
        rc = load(g, err);
    b->groups = g;
    if (rc)
        broker__groups_close(b);
    return rc;
}

/* Free the table and release the topic reference. */
void broker__groups_close(broker *b)
{
    broker_groups *g = b->groups;
    if (!g)
        return;
    b->groups = NULL;
    for (size_t i = 0; i < g->nbuckets; i++) {
        group_entry *e = g->buckets[i];
        while (e) {
            group_entry *next = e->next;
            entry_free(e);
            e = next;
        }
    }
    eddy_free(g->buckets);
    if (g->log)
        broker_log_release(g->log);
    pthread_mutex_destroy(&g->mu);
    eddy_free(g);
}

/* ---------------------------------------------------------------------------------------------
 * Commit and fetch
 * ------------------------------------------------------------------------------------------- */

static int check_names(const char *group, const char *topic, int32_t partition, eddy_err *err)
{
    if (!group || !*group)
        return eddy_err_set(err, EDDY_EINVAL, "a consumer group id is required");
    if (!topic || !*topic)
        return eddy_err_set(err, EDDY_EINVAL, "a topic name is required");
    if (strlen(group) > INT16_MAX || strlen(topic) > INT16_MAX)
        return eddy_err_set(err, EDDY_EINVAL, "group or topic name too long");
    if (partition < 0)
        return eddy_err_set(err, EDDY_EINVAL, "invalid partition %d", partition);
    return 0;
}

/*
 * Commit 'offset' for (group, topic, partition) with optional 'metadata': append one record
 * to "__consumer_offsets", then update the table. On an error the table is unchanged. The
 * topic and partition are not checked against existing topics (Kafka accepts commits for any
 * partition). Errors: EDDY_EINVAL, EDDY_ENOMEM, and those of broker_log_append (EDDY_EIO,
 * EDDY_ECLOSED).
 */
int broker_group_commit(broker *b, const char *group, const char *topic, int32_t partition,
                        int64_t offset, const char *metadata, eddy_err *err)
{
    int rc = check_names(group, topic, partition, err);
    if (rc)
        return rc;
    broker_groups *g = b->groups;
    if (!g)
        return eddy_err_set(err, EDDY_ECLOSED, "consumer groups are not open");
    int64_t now = broker__now(b);
    json_t *v = json_pack("{s:I,s:s,s:I}", "offset", (json_int_t)offset, "metadata",
                          metadata ? metadata : "", "commit_timestamp", (json_int_t)now);
    char *text = v ? json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(v);
    if (!text)
        return eddy_err_set(err, EDDY_EINVAL, "cannot encode the commit (metadata must be "
                                              "UTF-8)");
    eddy_buf key;
    eddy_buf_init(&key);
    pthread_mutex_lock(&g->mu);
    /* Allocate everything the table needs first, so that after a successful append the
     * table is updated without a way to fail (and a failed append leaves it as it was). */
    group_entry *fresh = NULL;
    char *md = NULL;
    group_entry **pp = NULL;
    uint64_t h = 0;
    rc = key_encode(group, topic, partition, &key);
    if (rc == 0 && g->n >= g->nbuckets)
        rc = table_grow(g);
    if (rc == 0) {
        h = eddy_hash64(key.data, key.len);
        pp = slot_of(g, key.data, key.len, h);
        md = eddy_strdup(metadata ? metadata : "");
        if (!*pp && (fresh = eddy_calloc(1, sizeof *fresh)) != NULL &&
            (fresh->key = eddy_malloc(key.len)) == NULL) {
            eddy_free(fresh);
            fresh = NULL;
        }
        if (!md || (!*pp && !fresh))
            rc = EDDY_ENOMEM;
    }
    if (rc) {
        rc = eddy_err_set(err, rc, "out of memory committing offsets");
    } else {
        broker_record r = {0};
        r.key = key.data;
        r.key_len = (int32_t)key.len;
        r.value = (const uint8_t *)text;
        r.value_len = (int32_t)strlen(text);
        r.timestamp = now;
        broker_append_info info;
        rc = broker_log_append(g->log, &r, 1, &info, err);
    }
    if (rc == 0) {
        if (fresh) {
            memcpy(fresh->key, key.data, key.len);
            fresh->key_len = key.len;
            fresh->hash = h;
            *pp = fresh;
            g->n++;
            fresh = NULL;
        }
        group_entry *e = *pp;
        eddy_free(e->metadata);
        e->metadata = md;
        md = NULL;
        e->offset = offset;
        e->commit_ts = now;
    }
    if (fresh)
        entry_free(fresh);
    eddy_free(md);
    pthread_mutex_unlock(&g->mu);
    eddy_buf_free(&key);
    free(text);
    return rc;
}

/*
 * The committed offset of (group, topic, partition) in '*offset', or -1 when there is none.
 * Errors: EDDY_EINVAL, EDDY_ENOMEM.
 */
int broker_group_fetch(broker *b, const char *group, const char *topic, int32_t partition,
                       int64_t *offset, eddy_err *err)
{
    *offset = -1;
    int rc = check_names(group, topic, partition, err);
    if (rc)
        return rc;
    broker_groups *g = b->groups;
    if (!g)
        return eddy_err_set(err, EDDY_ECLOSED, "consumer groups are not open");
    eddy_buf key;
    eddy_buf_init(&key);
    if (key_encode(group, topic, partition, &key) != 0) {
        eddy_buf_free(&key);
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory fetching offsets");
    }
    pthread_mutex_lock(&g->mu);
    group_entry *e = *slot_of(g, key.data, key.len, eddy_hash64(key.data, key.len));
    if (e)
        *offset = e->offset;
    pthread_mutex_unlock(&g->mu);
    eddy_buf_free(&key);
    return 0;
}
