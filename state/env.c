/*
 * env.c - the LMDB environment of a data directory: open, damage detection, close, named
 * database opens, and the map-resize protocol.
 *
 * On disk:
 *   <dir>/state/data.mdb, lock.mdb   the LMDB environment (a directory, MDB_NOTLS: read
 *                                    snapshots belong to tasks, which may change threads)
 *   <dir>/state/OPEN                 the boot id of the machine while the env is open;
 *                                    removed by a clean close after an fsync
 *   <dir>/state/DAMAGED              written when LMDB reported corruption during operation
 *   <dir>/state.damaged/             the last environment discarded (kept for inspection)
 *
 * Trust rules at open. The environment is discarded (moved to state.damaged/ and recreated
 * empty, so every task rebuilds from its changelogs) when:
 *   - LMDB refuses it (MDB_INVALID, MDB_VERSION_MISMATCH, MDB_CORRUPTED, MDB_PAGE_NOTFOUND)
 *     on open or on the first walk of its main database;
 *   - the DAMAGED flag is present;
 *   - in non-durable mode (MDB_NOSYNC, the default), OPEN is present with another boot id:
 *     the machine went down while the env was open and unsynced pages may be missing, which
 *     LMDB cannot detect (it has no page checksums). A process crash keeps the page cache,
 *     so the same boot id means the env is intact (LMDB is crash-safe at the process level).
 *
 * Map size. The map is reserved address space, so the default is large (64 GiB) and a full
 * map is rare. With MDB_WRITEMAP (the default: commits write pages in place in the shared map
 * instead of through malloc'ed copies and pwrite, about 3x faster commits and 1.7x faster
 * restores in bench/state) LMDB sizes data.mdb to the map size as a sparse file: `ls` shows
 * 64 GiB, `du` the pages in use. The price of WRITEMAP is that a stray write through a
 * returned value pointer would corrupt the database; values are returned as const. mdb_env_set_mapsize needs every transaction of the
 * process to be inactive, so on MDB_MAP_FULL the committing task (holding nothing) raises
 * 'resizing', which stops new snapshots and write transactions from starting, waits up to
 * five seconds for the active ones to end (tasks end their snapshot at each commit), doubles
 * the map and wakes everyone. If the wait times out the commit fails (EDDY_EIO) and the task
 * restarts; nothing committed is lost (task.c).
 */
#include "state_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void state_env_options_default(state_env_options *o)
{
    memset(o, 0, sizeof *o);
    o->map_size = (uint64_t)64 << 30;
    o->max_dbs = 4096;
    o->max_readers = 1024;
    o->durable = false;
    o->writemap = true;
    o->restore_batch = 100000;
}

static bool is_corruption(int rc)
{
    return rc == MDB_CORRUPTED || rc == MDB_INVALID || rc == MDB_PAGE_NOTFOUND ||
           rc == MDB_VERSION_MISMATCH;
}

static char *path_join(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *p = eddy_malloc(la + lb + 2);
    if (p) {
        memcpy(p, a, la);
        p[la] = '/';
        memcpy(p + la + 1, b, lb + 1);
    }
    return p;
}

static void flag_damaged(state_env *env)
{
    char *p = path_join(env->dir, "DAMAGED");
    if (p) {
        eddy_write_file_atomic(p, "corrupt\n", 8, NULL);
        eddy_free(p);
    }
}

int state__mdb_err(state_env *env, int rc, eddy_err *err, const char *what)
{
    if (rc == ENOMEM)
        return eddy_err_set(err, EDDY_ENOMEM, "state: %s: out of memory", what);
    if (is_corruption(rc)) {
        if (env)
            flag_damaged(env);
        return eddy_err_set(err, EDDY_ECORRUPT, "state: %s: %s (the state environment will "
                            "be rebuilt from the changelogs on restart)", what,
                            mdb_strerror(rc));
    }
    return eddy_err_set(err, EDDY_EIO, "state: %s: %s", what, mdb_strerror(rc));
}

/* ---------------------------------------------------------------------------------------------
 * Open and close
 * ------------------------------------------------------------------------------------------- */

static void read_boot_id(char *buf, size_t cap)
{
    buf[0] = '\0';
    FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");
    if (!f)
        return;
    if (!fgets(buf, (int)cap, f))
        buf[0] = '\0';
    fclose(f);
    buf[strcspn(buf, "\n")] = '\0';
}

static bool file_exists(const char *dir, const char *name)
{
    char *p = path_join(dir, name);
    struct stat st;
    bool r = p && stat(p, &st) == 0;
    eddy_free(p);
    return r;
}

/* Move <dir>/state aside to <dir>/state.damaged and make an empty <dir>/state. */
static int discard(state_env *env, eddy_err *err)
{
    char *aside = eddy_malloc(strlen(env->data_dir) + 32);
    if (!aside)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    sprintf(aside, "%s/state.damaged", env->data_dir);
    int rc = eddy_rmtree(aside, err);
    if (rc == 0 && rename(env->dir, aside) != 0)
        rc = eddy_err_sys(err, "cannot move '%s' aside", env->dir);
    eddy_free(aside);
    if (rc == 0)
        rc = eddy_mkdirs(env->dir, err);
    env->recreated = true;
    return rc;
}

/* Open LMDB in env->dir and check that its main database can be walked. Returns 0, or an
 * EDDY_ code; '*corrupt' is set when LMDB called the env invalid (discard it). */
static int open_mdb(state_env *env, bool *corrupt, eddy_err *err)
{
    *corrupt = false;
    int rc = mdb_env_create(&env->mdb);
    if (rc)
        return state__mdb_err(NULL, rc, err, "mdb_env_create");
    mdb_env_set_maxdbs(env->mdb, env->opts.max_dbs);
    mdb_env_set_maxreaders(env->mdb, env->opts.max_readers);
    mdb_env_set_mapsize(env->mdb, (size_t)env->opts.map_size);
    unsigned flags = MDB_NOTLS | (env->opts.durable ? 0 : MDB_NOSYNC) |
                     (env->opts.writemap ? MDB_WRITEMAP : 0);
    rc = mdb_env_open(env->mdb, env->dir, flags, 0644);
    if (rc == 0) {
        int dead = 0;
        mdb_reader_check(env->mdb, &dead);
        MDB_envinfo info;
        mdb_env_info(env->mdb, &info);
        env->map_size = info.me_mapsize;
        env->max_key = (size_t)mdb_env_get_maxkeysize(env->mdb);
        /* Walk the main database (the names of all stores) and open the checkpoint db. */
        MDB_txn *txn = NULL;
        rc = mdb_txn_begin(env->mdb, NULL, 0, &txn);
        if (rc == 0) {
            MDB_cursor *cur = NULL;
            MDB_dbi main;
            rc = mdb_dbi_open(txn, NULL, 0, &main);
            if (rc == 0)
                rc = mdb_cursor_open(txn, main, &cur);
            MDB_val k, v;
            int c = rc ? rc : mdb_cursor_get(cur, &k, &v, MDB_FIRST);
            while (c == 0)
                c = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
            if (cur)
                mdb_cursor_close(cur);
            if (rc == 0 && c != MDB_NOTFOUND)
                rc = c;
            if (rc == 0)
                rc = mdb_dbi_open(txn, STATE_CKPT_DB, MDB_CREATE, &env->ckpt_dbi);
            if (rc == 0)
                rc = mdb_txn_commit(txn);
            else
                mdb_txn_abort(txn);
        }
    }
    if (rc) {
        mdb_env_close(env->mdb);
        env->mdb = NULL;
        if (is_corruption(rc)) {
            *corrupt = true;
            return EDDY_ECORRUPT;
        }
        return state__mdb_err(NULL, rc, err, "open environment");
    }
    return 0;
}

int state_env_open(const char *dir, broker *b, const state_env_options *opts, state_env **out,
                   eddy_err *err)
{
    *out = NULL;
    if (!dir || !b)
        return eddy_err_set(err, EDDY_EINVAL, "state: no directory or broker");
    state_env *env = eddy_calloc(1, sizeof *env);
    if (!env)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    state_env_options_default(&env->opts);
    if (opts) {
        env->opts = *opts;
        if (!env->opts.restore_batch)
            env->opts.restore_batch = 100000;
        if (!env->opts.max_dbs)
            env->opts.max_dbs = 4096;
        if (!env->opts.max_readers)
            env->opts.max_readers = 1024;
        if (env->opts.map_size < (1u << 20))
            env->opts.map_size = 1u << 20;
    }
    env->b = b;
    pthread_mutex_init(&env->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&env->cv, &ca);
    pthread_condattr_destroy(&ca);
    env->data_dir = eddy_strdup(dir);
    env->dir = path_join(dir, "state");
    int rc = 0;
    if (!env->data_dir || !env->dir)
        rc = eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    if (rc == 0)
        rc = eddy_mkdirs(env->dir, err);

    char boot[64];
    read_boot_id(boot, sizeof boot);
    if (rc == 0 && file_exists(env->dir, "DAMAGED"))
        rc = discard(env, err);
    if (rc == 0 && !env->opts.durable && boot[0] && file_exists(env->dir, "OPEN")) {
        char *p = path_join(env->dir, "OPEN"), *txt = NULL;
        size_t len = 0;
        if (p && eddy_read_file(p, &txt, &len, NULL) == 0) {
            txt[strcspn(txt, "\n")] = '\0';
            if (strcmp(txt, boot) != 0)
                rc = discard(env, err);
        }
        eddy_free(txt);
        eddy_free(p);
    }
    if (rc == 0) {
        bool corrupt;
        rc = open_mdb(env, &corrupt, err);
        if (corrupt) {
            rc = discard(env, err);
            if (rc == 0) {
                rc = open_mdb(env, &corrupt, err);
                if (corrupt)
                    rc = eddy_err_set(err, EDDY_ECORRUPT, "state: recreated environment "
                                      "is invalid");
            }
        }
    }
    if (rc == 0 && !env->opts.durable && boot[0]) {
        char *p = path_join(env->dir, "OPEN");
        rc = p ? eddy_write_file_atomic(p, boot, strlen(boot), err)
               : eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        eddy_free(p);
    }
    if (rc) {
        state_env_close(env);
        return rc;
    }
    *out = env;
    return 0;
}

void state_env_close(state_env *env)
{
    if (!env)
        return;
    if (env->mdb) {
        if (mdb_env_sync(env->mdb, 1) == 0 && !env->opts.durable) {
            char *p = path_join(env->dir, "OPEN");
            if (p)
                unlink(p);
            eddy_free(p);
        }
        mdb_env_close(env->mdb);
    }
    for (size_t i = 0; i < env->ntasks; i++)
        eddy_free(env->task_names[i]);
    eddy_free(env->task_names);
    pthread_cond_destroy(&env->cv);
    pthread_mutex_destroy(&env->mu);
    eddy_free(env->dir);
    eddy_free(env->data_dir);
    eddy_free(env);
}

bool state_env_recreated(const state_env *env) { return env && env->recreated; }

/* ---------------------------------------------------------------------------------------------
 * Readers, writers, resize
 * ------------------------------------------------------------------------------------------- */

void state__reader_enter(state_env *env)
{
    pthread_mutex_lock(&env->mu);
    while (env->resizing)
        pthread_cond_wait(&env->cv, &env->mu);
    env->readers++;
    pthread_mutex_unlock(&env->mu);
}

void state__reader_leave(state_env *env)
{
    pthread_mutex_lock(&env->mu);
    if (--env->readers == 0)
        pthread_cond_broadcast(&env->cv);
    pthread_mutex_unlock(&env->mu);
}

void state__writer_enter(state_env *env)
{
    pthread_mutex_lock(&env->mu);
    while (env->resizing)
        pthread_cond_wait(&env->cv, &env->mu);
    env->writers++;
    pthread_mutex_unlock(&env->mu);
}

void state__writer_leave(state_env *env)
{
    pthread_mutex_lock(&env->mu);
    if (--env->writers == 0)
        pthread_cond_broadcast(&env->cv);
    pthread_mutex_unlock(&env->mu);
}

uint64_t state__map_size(state_env *env)
{
    pthread_mutex_lock(&env->mu);
    uint64_t n = env->map_size;
    pthread_mutex_unlock(&env->mu);
    return n;
}

int state__map_grow(state_env *env, uint64_t seen, eddy_err *err)
{
    pthread_mutex_lock(&env->mu);
    while (env->resizing)
        pthread_cond_wait(&env->cv, &env->mu);
    if (env->map_size > seen) {            /* another task grew it meanwhile */
        pthread_mutex_unlock(&env->mu);
        return 0;
    }
    env->resizing = true;
    struct timespec dl;
    clock_gettime(CLOCK_MONOTONIC, &dl);
    dl.tv_sec += 5;
    int rc = 0;
    while (rc == 0 && (env->readers > 0 || env->writers > 0))
        rc = pthread_cond_timedwait(&env->cv, &env->mu, &dl);
    int result = 0;
    if (env->readers > 0 || env->writers > 0) {
        result = eddy_err_set(err, EDDY_EIO, "state: LMDB map full (%llu bytes) and other "
                              "tasks kept their snapshots; cannot grow it now",
                              (unsigned long long)env->map_size);
    } else {
        uint64_t nsize = env->map_size * 2;
        int m = mdb_env_set_mapsize(env->mdb, (size_t)nsize);
        if (m)
            result = state__mdb_err(env, m, err, "grow map");
        else {
            env->map_size = nsize;
            atomic_fetch_add(&env->map_resizes, 1);
        }
    }
    env->resizing = false;
    pthread_cond_broadcast(&env->cv);
    pthread_mutex_unlock(&env->mu);
    return result;
}

/* ---------------------------------------------------------------------------------------------
 * Named databases and task names
 * ------------------------------------------------------------------------------------------- */

int state__dbi_open(state_env *env, const char *name, MDB_dbi *dbi, bool *existed,
                    eddy_err *err)
{
    state__writer_enter(env);
    pthread_mutex_lock(&env->mu);    /* mdb_dbi_open calls must not overlap */
    uint64_t seen = env->map_size;
    MDB_txn *txn;
    int rc = mdb_txn_begin(env->mdb, NULL, 0, &txn);
    if (rc == 0) {
        rc = mdb_dbi_open(txn, name, 0, dbi);
        *existed = rc == 0;
        if (rc == MDB_NOTFOUND)
            rc = mdb_dbi_open(txn, name, MDB_CREATE, dbi);
        if (rc == 0)
            rc = mdb_txn_commit(txn);
        else
            mdb_txn_abort(txn);
    }
    pthread_mutex_unlock(&env->mu);
    state__writer_leave(env);
    if (rc == MDB_MAP_FULL) {
        int g = state__map_grow(env, seen, err);
        return g ? g : state__dbi_open(env, name, dbi, existed, err);
    }
    return rc ? state__mdb_err(env, rc, err, "open database") : 0;
}

int state__task_register(state_env *env, const char *name, eddy_err *err)
{
    int rc = 0;
    pthread_mutex_lock(&env->mu);
    for (size_t i = 0; i < env->ntasks; i++)
        if (strcmp(env->task_names[i], name) == 0) {
            rc = eddy_err_set(err, EDDY_EEXIST, "state: task %s is already open", name);
            goto out;
        }
    if (env->ntasks == env->task_cap) {
        size_t cap = env->task_cap ? env->task_cap * 2 : 16;
        char **n = eddy_realloc(env->task_names, cap * sizeof *n);
        if (!n) {
            rc = eddy_err_set(err, EDDY_ENOMEM, "out of memory");
            goto out;
        }
        env->task_names = n;
        env->task_cap = cap;
    }
    if (!(env->task_names[env->ntasks] = eddy_strdup(name)))
        rc = eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    else
        env->ntasks++;
out:
    pthread_mutex_unlock(&env->mu);
    return rc;
}

void state__task_unregister(state_env *env, const char *name)
{
    pthread_mutex_lock(&env->mu);
    for (size_t i = 0; i < env->ntasks; i++)
        if (strcmp(env->task_names[i], name) == 0) {
            eddy_free(env->task_names[i]);
            env->task_names[i] = env->task_names[--env->ntasks];
            break;
        }
    pthread_mutex_unlock(&env->mu);
}
