/*
 * broker.c - the broker handle and its topic table: open/close of a data directory, topic
 * create/delete/list/describe, partition lookup, Kafka's default partitioner and producing by
 * topic.
 *
 * Data directory:
 *   <dir>/.lock             flock(LOCK_EX) held while a broker has the directory open, so a
 *                           second process (or a second open in this one) fails cleanly
 *   <dir>/.clean_shutdown   written by broker_close after every partition was flushed; read
 *                           and removed (durably) by broker_open, so only an open that follows
 *                           a clean close skips the CRC scan of the active segments
 *   <dir>/topics/<name>/topic.json, <dir>/topics/<name>/<partition>/...
 *
 * Topic table: an array of referenced broker_topic pointers sorted by name (binary search),
 * guarded by topics_lock. Lookups (broker_log_get, broker_produce, describe) take it shared
 * just long enough to find the topic and reference its logs; create and delete take it
 * exclusive. broker_log_append and broker_log_fetch on a held broker_log never take it.
 *
 * Crash behaviour:
 *  - create writes topic.json (atomically) before any partition directory exists, so on open a
 *    topic directory without topic.json is the remains of a torn create and is removed;
 *  - delete renames the topic directory to "<name>~deleted" ('~' cannot occur in a topic
 *    name) and then removes it, so a crash mid-delete never leaves half a topic; leftovers
 *    with '~' are removed on open.
 *
 * References: the table holds one reference on each topic and the topic one on each of its
 * logs (broker_log.refs starts at 1 for it); every log holds one on its topic, so a topic
 * outlives its logs. Deleting a topic drops the table's references; a caller still holding a
 * broker_log (or a fetch, which references a segment) keeps reading valid bytes, because the
 * segment's fd and mapping live until the last reference goes.
 */
#include "broker_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define CLEAN_MARKER ".clean_shutdown"
#define LOCK_FILE ".lock"
#define MAX_PARTITIONS 100000

void broker_options_default(broker_options *o)
{
    o->clock_ms = NULL;
    o->clock_ctx = NULL;
    o->cleaner_interval_ms = 0;
}

int64_t broker__now(const broker *b)
{
    if (b->opts.clock_ms)
        return b->opts.clock_ms(b->opts.clock_ctx);
    return eddy_now_ms();
}

const char *broker_dir(const broker *b) { return b->dir; }

/* ---------------------------------------------------------------------------------------------
 * Topic objects and the sorted table
 * ------------------------------------------------------------------------------------------- */

/* A new topic with one reference (the caller's, later the table's) and no logs yet. */
static broker_topic *topic_new(const broker *b, const char *name, int partitions,
                               const broker_topic_config *cfg)
{
    broker_topic *t = eddy_calloc(1, sizeof *t);
    if (!t)
        return NULL;
    atomic_init(&t->refs, 1);
    atomic_init(&t->round_robin, 0);
    atomic_init(&t->deleted, false);
    t->partitions = partitions;
    t->config = *cfg;
    t->name = eddy_strdup(name);
    t->logs = eddy_calloc((size_t)partitions, sizeof *t->logs);
    size_t n = strlen(b->dir) + strlen(name) + 16;
    t->dir = eddy_malloc(n);
    if (!t->name || !t->logs || !t->dir) {
        eddy_free(t->name);
        eddy_free(t->logs);
        eddy_free(t->dir);
        eddy_free(t);
        return NULL;
    }
    snprintf(t->dir, n, "%s/topics/%s", b->dir, name);
    return t;
}

/* Drop one reference; the last one frees the topic (its logs are already gone: each held a
 * reference). */
void broker__topic_unref(broker_topic *t)
{
    if (!t || atomic_fetch_sub(&t->refs, 1) != 1)
        return;
    eddy_free(t->name);
    eddy_free(t->logs);
    eddy_free(t->dir);
    eddy_free(t);
}

/* Shut down the logs opened so far (the topic's references on them). 'save' persists
 * producer state. */
static void topic_shutdown_logs(broker_topic *t, bool save)
{
    for (int p = 0; p < t->partitions; p++) {
        if (t->logs[p]) {
            broker_log *log = t->logs[p];
            t->logs[p] = NULL;
            broker__log_shutdown(log, save);
        }
    }
}

/* Open every partition log of 't' (directories "<t->dir>/<p>", created when missing). */
static int topic_open_logs(broker *b, broker_topic *t, bool clean, eddy_err *err)
{
    for (int p = 0; p < t->partitions; p++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%d", t->dir, p);
        int rc = broker__log_open(b, t, p, path, clean, &t->logs[p], err);
        if (rc) {
            t->logs[p] = NULL;
            return rc;
        }
    }
    return 0;
}

/* Binary search: the index of 'name', or where it would go (*found false). Caller holds
 * topics_lock. */
static size_t table_find(const broker *b, const char *name, bool *found)
{
    size_t lo = 0, hi = b->ntopics;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(b->topics[mid]->name, name);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = false;
    return lo;
}

static broker_topic *table_get(const broker *b, const char *name)
{
    bool found;
    size_t i = table_find(b, name, &found);
    return found ? b->topics[i] : NULL;
}

/* Insert 't' (taking over the caller's reference). Caller holds topics_lock exclusively. */
static int table_insert(broker *b, broker_topic *t)
{
    bool found;
    size_t i = table_find(b, t->name, &found);
    if (found)
        return EDDY_EEXIST;
    if (b->ntopics == b->topics_cap) {
        size_t cap = b->topics_cap ? b->topics_cap * 2 : 16;
        broker_topic **n = eddy_realloc(b->topics, cap * sizeof *n);
        if (!n)
            return EDDY_ENOMEM;
        b->topics = n;
        b->topics_cap = cap;
    }
    memmove(&b->topics[i + 1], &b->topics[i], (b->ntopics - i) * sizeof *b->topics);
    b->topics[i] = t;
    b->ntopics++;
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Open and close
 * ------------------------------------------------------------------------------------------- */

static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* Load one topic directory found on open. A directory without topic.json is a torn create
 * and is removed. */
static int load_topic(broker *b, const char *name, bool clean, eddy_err *err)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/topics/%s", b->dir, name);
    int partitions;
    broker_topic_config cfg;
    eddy_err e2;
    eddy_err_clear(&e2);
    int rc = broker__topic_meta_read(dir, &partitions, &cfg, &e2);
    if (rc == EDDY_ENOTFOUND)
        return eddy_rmtree(dir, err);
    if (rc)
        return eddy_err_set(err, rc, "%s", e2.msg);
    if (partitions > MAX_PARTITIONS)
        return eddy_err_set(err, EDDY_ECORRUPT, "%s/topic.json: too many partitions (%d)", dir,
                            partitions);
    broker_topic *t = topic_new(b, name, partitions, &cfg);
    if (!t)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory opening topic '%s'", name);
    rc = topic_open_logs(b, t, clean, err);
    if (rc == 0 && (rc = table_insert(b, t)) != 0)
        rc = eddy_err_set(err, rc, "cannot add topic '%s' to the table", name);
    if (rc) {
        topic_shutdown_logs(t, false);
        broker__topic_unref(t);
    }
    return rc;
}

/* Open every topic under <dir>/topics; remove the leftovers of interrupted creates and
 * deletes. */
static int load_topics(broker *b, bool clean, eddy_err *err)
{
    char tdir[4096];
    snprintf(tdir, sizeof tdir, "%s/topics", b->dir);
    DIR *d = opendir(tdir);
    if (!d)
        return eddy_err_sys(err, "cannot open directory '%s'", tdir);
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (strchr(e->d_name, '~')) {
            char path[4096 + 256];
            snprintf(path, sizeof path, "%s/%s", tdir, e->d_name);
            rc = eddy_rmtree(path, err);
            continue;
        }
        char path[4096 + 256];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", tdir, e->d_name);
        if (!broker_topic_name_valid(e->d_name) || stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
            continue;   /* not ours: leave it alone */
        rc = load_topic(b, e->d_name, clean, err);
    }
    closedir(d);
    return rc;
}

/* fsync every segment of 'log' (closed segments are not synced when they roll, and the
 * clean-shutdown marker promises that all of them are on disk). */
static bool log_flush_all(broker_log *log)
{
    broker_segment **segs;
    size_t n;
    if (broker__log_segments(log, &segs, &n, NULL) != 0)
        return false;
    bool ok = true;
    for (size_t i = 0; i < n; i++)
        if (broker__segment_flush(segs[i], NULL) != 0)
            ok = false;
    broker__segments_release(segs, n);
    return ok;
}

/* Release everything 'b' holds. 'clean': flush every partition and, when all succeeded,
 * write the clean-shutdown marker. */
static void teardown(broker *b, bool clean)
{
    broker__cleaner_stop(b);
    broker__groups_close(b);
    bool flushed = true;
    pthread_rwlock_wrlock(&b->topics_lock);
    for (size_t i = 0; i < b->ntopics; i++) {
        broker_topic *t = b->topics[i];
        if (clean)
            for (int p = 0; p < t->partitions; p++)
                if (t->logs[p] && !log_flush_all(t->logs[p]))
                    flushed = false;
        topic_shutdown_logs(t, true);
        broker__topic_unref(t);
    }
    b->ntopics = 0;
    pthread_rwlock_unlock(&b->topics_lock);
    if (clean && flushed) {
        char path[4096];
        snprintf(path, sizeof path, "%s/" CLEAN_MARKER, b->dir);
        eddy_write_file_atomic(path, "", 0, NULL);
    }
    if (b->lock_fd >= 0)
        close(b->lock_fd);   /* releases the flock */
    pthread_rwlock_destroy(&b->topics_lock);
    pthread_mutex_destroy(&b->cleaner_mu);
    pthread_cond_destroy(&b->cleaner_cv);
    eddy_free(b->topics);
    eddy_free(b->dir);
    eddy_free(b);
}

/* Take the directory lock: an exclusive, non-blocking flock on <dir>/.lock. */
static int lock_dir(broker *b, eddy_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/" LOCK_FILE, b->dir);
    b->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (b->lock_fd < 0)
        return eddy_err_sys(err, "cannot open '%s'", path);
    if (flock(b->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK)
            return eddy_err_set(err, EDDY_EIO,
                                "data directory '%s' is in use by another eddy process", b->dir);
        return eddy_err_sys(err, "cannot lock '%s'", path);
    }
    return 0;
}

/* Read and durably remove the clean-shutdown marker; true if it was there. */
static bool take_clean_marker(const broker *b)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/" CLEAN_MARKER, b->dir);
    if (access(path, F_OK) != 0)
        return false;
    if (unlink(path) != 0 || fsync_dir(b->dir) != 0)
        return false;   /* cannot promise the marker is gone: recover fully */
    return true;
}

/*
 * Open the broker in 'dir' (created when missing): lock the directory, recover every topic's
 * partitions, open the consumer group offsets and start the cleaner thread when
 * opts->cleaner_interval_ms > 0. Errors: EDDY_EIO (directory unusable or in use by another
 * broker), EDDY_ECORRUPT (a topic.json we cannot read), EDDY_ENOMEM, and any error of a
 * partition's recovery.
 */
int broker_open(const char *dir, const broker_options *opts, broker **out, eddy_err *err)
{
    *out = NULL;
    if (!dir || !*dir)
        return eddy_err_set(err, EDDY_EINVAL, "no data directory given");
    if (strlen(dir) > 3000)
        return eddy_err_set(err, EDDY_EINVAL, "data directory path too long");
    broker *b = eddy_calloc(1, sizeof *b);
    if (!b)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory opening the broker");
    b->lock_fd = -1;
    if (opts)
        b->opts = *opts;
    else
        broker_options_default(&b->opts);
    pthread_rwlock_init(&b->topics_lock, NULL);
    pthread_mutex_init(&b->cleaner_mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&b->cleaner_cv, &ca);
    pthread_condattr_destroy(&ca);
    b->dir = eddy_strdup(dir);
    if (!b->dir) {
        teardown(b, false);
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory opening the broker");
    }
    size_t n = strlen(b->dir);
    while (n > 1 && b->dir[n - 1] == '/')
        b->dir[--n] = '\0';

    char tdir[4096];
    snprintf(tdir, sizeof tdir, "%s/topics", b->dir);
    int rc = eddy_mkdirs(tdir, err);
    if (rc == 0)
        rc = lock_dir(b, err);
    if (rc == 0)
        rc = load_topics(b, take_clean_marker(b), err);
    if (rc == 0)
        rc = broker__groups_open(b, err);
    if (rc == 0 && b->opts.cleaner_interval_ms > 0)
        rc = broker__cleaner_start(b, err);
    if (rc) {
        teardown(b, false);
        return rc;
    }
    *out = b;
    return 0;
}

/* Stop the cleaner, close group offsets, flush and shut down every partition, then leave the
 * clean-shutdown marker and release the directory lock. */
void broker_close(broker *b)
{
    if (b)
        teardown(b, true);
}

/* ---------------------------------------------------------------------------------------------
 * Topics
 * ------------------------------------------------------------------------------------------- */

/* Kafka's rule (org.apache.kafka.common.internals.Topic.validate). */
bool broker_topic_name_valid(const char *name)
{
    if (!name)
        return false;
    size_t n = strlen(name);
    if (n == 0 || n > 249 || !strcmp(name, ".") || !strcmp(name, ".."))
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

/* A config is valid when each entry survives format + set (the ranges live in config.c). */
static int config_check(const broker_topic_config *cfg, eddy_err *err)
{
    eddy_buf text;
    eddy_buf_init(&text);
    if (broker_topic_config_format(cfg, &text) != 0 || !eddy_buf_cstr(&text)) {
        eddy_buf_free(&text);
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory checking topic config");
    }
    broker_topic_config scratch;
    broker_topic_config_default(&scratch);
    int rc = 0;
    char *line = (char *)text.data;
    while (rc == 0 && *line) {
        char *nl = strchr(line, '\n');
        *nl = '\0';
        char *eq = strchr(line, '=');
        *eq = '\0';
        rc = broker_topic_config_set(&scratch, line, eq + 1, err);
        line = nl + 1;
    }
    eddy_buf_free(&text);
    if (rc == 0 && cfg->cleanup_policy != scratch.cleanup_policy)
        rc = eddy_err_set(err, EDDY_EINVAL, "invalid cleanup.policy bits %d",
                          cfg->cleanup_policy);
    return rc;
}

/*
 * Create topic 'name' with 'partitions' partitions and config 'cfg' (NULL = defaults): write
 * its topic.json, create and open its partition logs, add it to the table. On failure nothing
 * is left behind. Errors: EDDY_EINVAL (bad name, partition count or config), EDDY_EEXIST,
 * EDDY_EIO, EDDY_ENOMEM. Thread-safe; blocks lookups while it runs.
 */
int broker_topic_create(broker *b, const char *name, int partitions,
                        const broker_topic_config *cfg, eddy_err *err)
{
    if (!broker_topic_name_valid(name))
        return eddy_err_set(err, EDDY_EINVAL,
                            "invalid topic name '%.64s%s': use 1 to 249 characters of "
                            "[a-zA-Z0-9._-], not '.' or '..'",
                            name ? name : "", name && strlen(name) > 64 ? "..." : "");
    if (partitions < 1 || partitions > MAX_PARTITIONS)
        return eddy_err_set(err, EDDY_EINVAL,
                            "invalid partition count %d for topic '%s' (1..%d)", partitions,
                            name, MAX_PARTITIONS);
    broker_topic_config defaults;
    if (!cfg) {
        broker_topic_config_default(&defaults);
        cfg = &defaults;
    }
    int rc = config_check(cfg, err);
    if (rc)
        return rc;

    pthread_rwlock_wrlock(&b->topics_lock);
    if (table_get(b, name)) {
        pthread_rwlock_unlock(&b->topics_lock);
        return eddy_err_set(err, EDDY_EEXIST, "topic '%s' already exists", name);
    }
    broker_topic *t = topic_new(b, name, partitions, cfg);
    if (!t) {
        pthread_rwlock_unlock(&b->topics_lock);
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory creating topic '%s'", name);
    }
    /* A directory not in the table is garbage (the leftover of a failed create). */
    rc = eddy_rmtree(t->dir, err);
    if (rc == 0)
        rc = eddy_mkdirs(t->dir, err);
    if (rc == 0)
        rc = broker__topic_meta_write(t->dir, partitions, cfg, err);
    if (rc == 0)
        rc = topic_open_logs(b, t, false, err);
    if (rc == 0 && (rc = table_insert(b, t)) != 0)
        rc = eddy_err_set(err, rc, "out of memory creating topic '%s'", name);
    pthread_rwlock_unlock(&b->topics_lock);
    if (rc) {
        topic_shutdown_logs(t, false);
        eddy_rmtree(t->dir, NULL);
        broker__topic_unref(t);
    }
    return rc;
}

/*
 * Delete topic 'name': remove it from the table, mark it deleted, shut down its logs (waiters
 * wake with EDDY_ECLOSED, appends through held handles fail) and remove its directory.
 * Waits for a running cleaner pass first, so the cleaner never writes into a deleted (or
 * re-created) topic. Errors: EDDY_ENOTFOUND, EDDY_EINVAL ("__consumer_offsets"), EDDY_EIO.
 */
int broker_topic_delete(broker *b, const char *name, eddy_err *err)
{
    if (name && !strcmp(name, BROKER_INTERNAL_GROUPS_TOPIC))
        return eddy_err_set(err, EDDY_EINVAL, "the internal topic '%s' cannot be deleted",
                            name);
    pthread_mutex_lock(&b->cleaner_mu);
    pthread_rwlock_wrlock(&b->topics_lock);
    bool found = false;
    size_t i = name ? table_find(b, name, &found) : 0;
    if (!found) {
        pthread_rwlock_unlock(&b->topics_lock);
        pthread_mutex_unlock(&b->cleaner_mu);
        return eddy_err_set(err, EDDY_ENOTFOUND, "unknown topic '%.64s'", name ? name : "");
    }
    broker_topic *t = b->topics[i];
    memmove(&b->topics[i], &b->topics[i + 1], (b->ntopics - i - 1) * sizeof *b->topics);
    b->ntopics--;
    atomic_store(&t->deleted, true);
    topic_shutdown_logs(t, false);

    /* Rename first so that a crash mid-removal leaves no half topic behind. */
    char gone[4096];
    snprintf(gone, sizeof gone, "%s~deleted", t->dir);
    int rc = 0;
    eddy_rmtree(gone, NULL);
    if (rename(t->dir, gone) == 0) {
        char tdir[4096];
        snprintf(tdir, sizeof tdir, "%s/topics", b->dir);
        fsync_dir(tdir);
        rc = eddy_rmtree(gone, err);
    } else {
        rc = eddy_rmtree(t->dir, err);
    }
    pthread_rwlock_unlock(&b->topics_lock);
    pthread_mutex_unlock(&b->cleaner_mu);
    broker__topic_unref(t);
    return rc;
}

/* Copy the table's names (already sorted), skipping "__" topics unless 'internal'.
 * Errors: EDDY_ENOMEM. */
int broker_topic_list(broker *b, bool internal, char ***names, size_t *count, eddy_err *err)
{
    *names = NULL;
    *count = 0;
    pthread_rwlock_rdlock(&b->topics_lock);
    char **out = eddy_calloc(b->ntopics ? b->ntopics : 1, sizeof *out);
    size_t n = 0;
    int rc = out ? 0 : EDDY_ENOMEM;
    for (size_t i = 0; rc == 0 && i < b->ntopics; i++) {
        const char *name = b->topics[i]->name;
        if (!internal && name[0] == '_' && name[1] == '_')
            continue;
        if (!(out[n] = eddy_strdup(name)))
            rc = EDDY_ENOMEM;
        else
            n++;
    }
    pthread_rwlock_unlock(&b->topics_lock);
    if (rc) {
        broker_names_free(out, n);
        return eddy_err_set(err, rc, "out of memory listing topics");
    }
    *names = out;
    *count = n;
    return 0;
}

void broker_names_free(char **names, size_t count)
{
    if (!names)
        return;
    for (size_t i = 0; i < count; i++)
        eddy_free(names[i]);
    eddy_free(names);
}

/* The partition count of topic 'name' (fixed at create), or EDDY_ENOTFOUND. */
int broker_topic_partitions(broker *b, const char *name, eddy_err *err)
{
    pthread_rwlock_rdlock(&b->topics_lock);
    broker_topic *t = name ? table_get(b, name) : NULL;
    int n = t ? t->partitions : 0;
    pthread_rwlock_unlock(&b->topics_lock);
    if (!t)
        return eddy_err_set(err, EDDY_ENOTFOUND, "unknown topic '%.64s'", name ? name : "");
    return n;
}

/* Reference all logs of topic 'name' into a malloc'ed array (release each with
 * broker_log_release, then free). Also copies the topic's partition count and config. */
static int topic_logs_get(broker *b, const char *name, broker_log ***logs, int *partitions,
                          broker_topic_config *cfg, eddy_err *err)
{
    pthread_rwlock_rdlock(&b->topics_lock);
    broker_topic *t = name ? table_get(b, name) : NULL;
    if (!t) {
        pthread_rwlock_unlock(&b->topics_lock);
        return eddy_err_set(err, EDDY_ENOTFOUND, "unknown topic '%.64s'", name ? name : "");
    }
    broker_log **l = eddy_calloc((size_t)t->partitions, sizeof *l);
    if (!l) {
        pthread_rwlock_unlock(&b->topics_lock);
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    }
    for (int p = 0; p < t->partitions; p++) {
        l[p] = t->logs[p];
        atomic_fetch_add(&l[p]->refs, 1);
    }
    *partitions = t->partitions;
    if (cfg)
        *cfg = t->config;
    pthread_rwlock_unlock(&b->topics_lock);
    *logs = l;
    return 0;
}

static void logs_release(broker_log **logs, int n)
{
    for (int p = 0; p < n; p++)
        if (logs[p])
            broker_log_release(logs[p]);
    eddy_free(logs);
}

/*
 * Describe topic 'name': partition count, config and, per partition, log start and end
 * offsets, bytes and segment count. Fills 'info' (free with broker_topic_info_free).
 * Errors: EDDY_ENOTFOUND, EDDY_ENOMEM.
 */
int broker_topic_describe(broker *b, const char *name, broker_topic_info *info, eddy_err *err)
{
    memset(info, 0, sizeof *info);
    broker_log **logs = NULL;
    int n = 0;
    int rc = topic_logs_get(b, name, &logs, &n, &info->config, err);
    if (rc)
        return rc;
    snprintf(info->name, sizeof info->name, "%s", name);
    info->partitions = n;
    info->parts = eddy_calloc((size_t)n, sizeof *info->parts);
    if (!info->parts)
        rc = eddy_err_set(err, EDDY_ENOMEM, "out of memory describing topic '%s'", name);
    for (int p = 0; rc == 0 && p < n; p++) {
        broker_partition_info *pi = &info->parts[p];
        broker_segment **segs;
        size_t nsegs;
        pi->partition = p;
        rc = broker__log_segments(logs[p], &segs, &nsegs, err);
        if (rc)
            break;
        pi->log_start_offset = broker_log_start_offset(logs[p]);
        pi->log_end_offset = broker_log_end_offset(logs[p]);
        pi->segments = (int)nsegs;
        for (size_t s = 0; s < nsegs; s++)
            pi->size_bytes += (int64_t)atomic_load(&segs[s]->size);
        broker__segments_release(segs, nsegs);
    }
    logs_release(logs, n);
    if (rc)
        broker_topic_info_free(info);
    return rc;
}

void broker_topic_info_free(broker_topic_info *info)
{
    if (!info)
        return;
    eddy_free(info->parts);
    info->parts = NULL;
}

/* ---------------------------------------------------------------------------------------------
 * Partitions and producing
 * ------------------------------------------------------------------------------------------- */

/*
 * A counted reference to partition 'partition' of 'topic' (release with broker_log_release).
 * Errors: EDDY_ENOTFOUND. Takes topics_lock shared for the lookup only.
 */
int broker_log_get(broker *b, const char *topic, int32_t partition, broker_log **out,
                   eddy_err *err)
{
    *out = NULL;
    pthread_rwlock_rdlock(&b->topics_lock);
    broker_topic *t = topic ? table_get(b, topic) : NULL;
    if (!t) {
        pthread_rwlock_unlock(&b->topics_lock);
        return eddy_err_set(err, EDDY_ENOTFOUND, "unknown topic '%.64s'", topic ? topic : "");
    }
    if (partition < 0 || partition >= t->partitions) {
        int n = t->partitions;
        pthread_rwlock_unlock(&b->topics_lock);
        return eddy_err_set(err, EDDY_ENOTFOUND,
                            "topic '%s' has no partition %d (it has %d)", topic, partition, n);
    }
    broker_log *log = t->logs[partition];
    atomic_fetch_add(&log->refs, 1);
    pthread_rwlock_unlock(&b->topics_lock);
    *out = log;
    return 0;
}

static int32_t partition_of(broker_topic *t, const uint8_t *key, int32_t key_len,
                            int32_t npartitions)
{
    if (npartitions <= 1)
        return 0;
    if (key && key_len >= 0)
        return eddy_kafka_partition(key, (size_t)key_len, npartitions);
    uint32_t rr = t ? atomic_fetch_add(&t->round_robin, 1) : 0;
    return (int32_t)(rr % (uint32_t)npartitions);
}

/* Kafka's default partitioner: murmur2 of the key bytes, positive, modulo 'npartitions'; a
 * null key (NULL or key_len < 0) takes the topic's round-robin counter (0 for an unknown
 * topic). */
int32_t broker_partition_for(broker *b, const char *topic, const uint8_t *key, int32_t key_len,
                             int32_t npartitions)
{
    if (npartitions <= 1)
        return 0;
    if (key && key_len >= 0)
        return eddy_kafka_partition(key, (size_t)key_len, npartitions);
    pthread_rwlock_rdlock(&b->topics_lock);
    broker_topic *t = topic ? table_get(b, topic) : NULL;
    int32_t p = t ? partition_of(t, NULL, -1, npartitions) : 0;
    pthread_rwlock_unlock(&b->topics_lock);
    return p;
}

/* Upper bound of the bytes record 'r' takes in a batch (length varint, attributes, the
 * varints of deltas and lengths, payloads, headers). */
static size_t record_estimate(const broker_record *r)
{
    size_t n = 5 + 1 + 10 + 5 + 5 + 5 + 5;
    n += r->key && r->key_len > 0 ? (size_t)r->key_len : 0;
    n += r->value && r->value_len > 0 ? (size_t)r->value_len : 0;
    if (r->raw_headers) {
        n += (size_t)(r->raw_end - r->raw_headers);
    } else {
        for (int32_t h = 0; h < r->nheaders; h++)
            n += 10 + (size_t)EDDY_MAX(r->headers[h].key_len, 0) +
                 (size_t)EDDY_MAX(r->headers[h].value_len, 0);
    }
    return n;
}

/*
 * Append 'n' records to 'topic', each to 'partitions[i]' or, when that is -1 (or
 * 'partitions' is NULL), to the partition Kafka's default partitioner picks. Records are
 * grouped per partition in their original order and appended with one broker_log_append per
 * partition, in ascending partition order; a group larger than max.message.bytes is split
 * into several batches. On an error the partitions before the failing one stay written.
 * Errors: EDDY_ENOTFOUND (topic or partition), EDDY_ENOMEM, and those of broker_log_append.
 */
int broker_produce(broker *b, const char *topic, const broker_record *recs,
                   const int32_t *partitions, size_t n, int *parts_touched, eddy_err *err)
{
    if (parts_touched)
        *parts_touched = 0;
    pthread_rwlock_rdlock(&b->topics_lock);
    broker_topic *t = topic ? table_get(b, topic) : NULL;
    if (!t) {
        pthread_rwlock_unlock(&b->topics_lock);
        return eddy_err_set(err, EDDY_ENOTFOUND, "unknown topic '%.64s'", topic ? topic : "");
    }
    int np = t->partitions;
    int64_t max_bytes = t->config.max_message_bytes;
    int32_t *part = eddy_malloc((n ? n : 1) * sizeof *part);
    size_t *count = eddy_calloc((size_t)np + 1, sizeof *count);
    broker_log **logs = eddy_calloc((size_t)np, sizeof *logs);
    int rc = 0;
    if (!part || !count || !logs)
        rc = eddy_err_set(err, EDDY_ENOMEM, "out of memory producing to '%s'", topic);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        int32_t p = partitions ? partitions[i] : -1;
        if (p < 0) {
            p = partition_of(t, recs[i].key, recs[i].key_len, np);
        } else if (p >= np) {
            rc = eddy_err_set(err, EDDY_ENOTFOUND, "topic '%s' has no partition %d (it has %d)",
                              topic, p, np);
            break;
        }
        part[i] = p;
        count[p]++;
    }
    for (int p = 0; rc == 0 && p < np; p++) {
        if (count[p]) {
            logs[p] = t->logs[p];
            atomic_fetch_add(&logs[p]->refs, 1);
        }
    }
    pthread_rwlock_unlock(&b->topics_lock);

    /* Stable counting sort of record indexes by partition. */
    size_t *order = NULL, *start = NULL;
    broker_record *chunk = NULL;
    size_t maxcount = 0;
    if (rc == 0) {
        order = eddy_malloc((n ? n : 1) * sizeof *order);
        start = eddy_calloc((size_t)np + 1, sizeof *start);
        for (int p = 0; p < np; p++)
            maxcount = EDDY_MAX(maxcount, count[p]);
        chunk = eddy_malloc((maxcount ? maxcount : 1) * sizeof *chunk);
        if (!order || !start || !chunk)
            rc = eddy_err_set(err, EDDY_ENOMEM, "out of memory producing to '%s'", topic);
    }
    if (rc == 0) {
        for (int p = 0; p < np; p++)
            start[p + 1] = start[p] + count[p];
        size_t *fill = count;   /* reuse as write cursors */
        for (int p = 0; p < np; p++)
            fill[p] = start[p];
        for (size_t i = 0; i < n; i++)
            order[fill[part[i]]++] = i;
    }
    size_t budget = max_bytes > BROKER_BATCH_HEADER_SIZE
                        ? (size_t)(max_bytes - BROKER_BATCH_HEADER_SIZE) : 1;
    for (int p = 0; rc == 0 && p < np; p++) {
        if (start[p] == start[p + 1])
            continue;
        size_t k = 0, bytes = 0;
        for (size_t j = start[p]; rc == 0 && j < start[p + 1]; j++) {
            const broker_record *r = &recs[order[j]];
            size_t est = record_estimate(r);
            if (k > 0 && bytes + est > budget) {
                broker_append_info info;
                rc = broker_log_append(logs[p], chunk, k, &info, err);
                k = 0;
                bytes = 0;
            }
            chunk[k++] = *r;
            bytes += est;
        }
        if (rc == 0 && k > 0) {
            broker_append_info info;
            rc = broker_log_append(logs[p], chunk, k, &info, err);
        }
        if (rc == 0 && parts_touched)
            (*parts_touched)++;
    }
    if (logs)
        logs_release(logs, np);
    eddy_free(part);
    eddy_free(count);
    eddy_free(order);
    eddy_free(start);
    eddy_free(chunk);
    return rc;
}
