/*
 * engine_int.h - private to engine/: the catalog, queries and tasks.
 *
 * Memory: each input to engine_execute() is parsed and planned in one heap-allocated arena
 * (eng_mem): plans point into the AST. When a statement creates something that outlives it
 * (a source, a query), that object keeps a reference on the arena instead of copying the
 * plan; the arena is freed when the last such object goes.
 *
 * Locking: 'mu' serialises statement execution and catalog changes. In threaded mode each
 * task belongs to one worker thread; tasks never take 'mu' while processing records.
 */
#ifndef EDDY_ENGINE_INT_H
#define EDDY_ENGINE_INT_H

#include "eddy/engine.h"
#include "eddy/operators.h"
#include "eddy/state.h"

#include <pthread.h>
#include <stdatomic.h>

typedef struct eng_mem {
    eddy_arena arena;
    _Atomic int refs;
} eng_mem;

eng_mem *eng__mem_new(void);
void eng__mem_ref(eng_mem *m);
void eng__mem_unref(eng_mem *m);

/* A stream or table in the catalog. */
typedef struct eng_source {
    plan_source *src;          /* in 'mem' */
    eng_mem *mem;
    int64_t seq;               /* registration order */
} eng_source;

typedef struct eng_prop {
    char *name, *value;
} eng_prop;

typedef struct eng_var {
    char *name, *value;
} eng_var;

typedef struct eng_type {
    char *name;
    const eddy_type *type;     /* in 'mem' */
    eng_mem *mem;
} eng_type;

typedef struct eng_query eng_query;

/* One input partition of one stage of a query: the unit of work and of parallelism. A query
 * with a repartition (GROUP BY on a new key) has two stages: stage 0 reads the source and
 * writes the internal repartition topic, stage 1 reads that topic and writes the sink. */
typedef struct eng_task {
    eng_query *q;
    int32_t partition;
    int stage;
    const char *in_topic;      /* the topic 'in' belongs to */
    int first_step, last_step; /* plan steps run: decoded rows have steps[first_step]'s
                                  schema; steps first_step+1 .. last_step follow */
    broker_log **out_logs;     /* where the last operator writes: sink or repartition topic */
    int out_nparts;
    const char *out_topic;
    state_task *st;            /* the task's stores (stateful stages), or NULL */
    state_store *src_store;    /* a TABLE source's rows (stage 0 of a query over a table) */
    state_store *agg_store;    /* the AGGREGATE step's store, when this task runs it */
    int64_t uncommitted;       /* records consumed since the last commit */
    int64_t last_commit_ms;
    broker_log *in;            /* source partition (referenced) */
    int64_t position;          /* next offset to consume */
    op_ctx ctx;
    eddy_arena batch;          /* reset after every batch */
    op *head;                  /* first operator after decoding (NULL: sink directly) */
    op **ops;                  /* all operators, to close */
    int nops;
    /* Records produced by the sink during a batch, appended per partition at batch end. */
    eddy_buf out_bytes;
    broker_record *out_recs;
    int32_t *out_parts;
    size_t nout, out_cap;
    eddy_value *row;           /* decode scratch: one source row */
    int64_t processed, skipped;
    /* Second stage of a repartitioned query: per source partition, the largest (offset << 16
     * | number) of the repartition records applied, committed with the state; records at or
     * below it were written again by a restarted first stage and are dropped. */
    int64_t *src_hwm;
    int nsrc;
    char *src_tag;             /* "__src:<source topic>": their entries in the checkpoint */
    int64_t duplicates;
    int64_t restore_notice_ms; /* when the last "restoring state" notice went out */
    /* A stream-table join (join.c): the table's partition, read in the same task; the
     * records of both inputs are processed in timestamp order (the table's first on ties). */
    broker_log *in2;
    const char *in2_topic;
    int64_t position2;
    state_store *join_store;   /* the table side, materialized */
} eng_task;

struct eng_query {
    char *id;
    eng_mem *mem;              /* holds 'plan' */
    plan_query *plan;
    const plan_source *source; /* the input (catalog entry kept alive by 'source_mem') */
    eng_mem *source_mem;
    const char *sql;
    const char *sink_name;     /* the source it writes (in 'mem') */
    serde *src_key, *src_value, *sink_key, *sink_value;
    int ntasks;
    eng_task *tasks;           /* stage 0 tasks, then stage 1 tasks */
    char *repart_topic;        /* internal topic, or NULL */
    broker_log **repart_logs;
    int repart_nparts;
    const eddy_type **repart_types;   /* GROUP_BY output column types */
    op_agg_spec agg_spec;      /* the AGGREGATE step, for its operators */
    const plan_step *join;     /* the JOIN step, or NULL */
    serde *join_key, *join_value;   /* the join's table side */
    op_join_spec join_spec;
    const eddy_type **join_types;
    const eddy_type **join_left_types;   /* table-table joins */
    eng_mem *join_source_mem;
    op_window_kind sink_window; /* the window of the sink's keys: the aggregation's, or
                                  without one the (windowed) source's */
    int64_t commit_interval_ms;
    broker_log **sink_logs;
    int sink_partitions;
    engine *e;
    fn_config fn_config;
    bool failed;
    char error[sizeof ((eddy_err *)0)->msg];
};

struct engine {
    engine_options opts;
    char *dir;
    broker *b;
    pthread_mutex_t mu;
    eng_source *sources;
    size_t nsources, sources_cap;
    int64_t next_seq;
    eng_type *types;
    size_t ntypes, types_cap;
    eng_prop *props;
    size_t nprops, props_cap;
    eng_var *vars;             /* DEFINE'd variables of the session */
    size_t nvars, vars_cap;
    eng_query **queries;
    size_t nqueries, queries_cap;
    int next_query_num;        /* ksqlDB numbers queries across the engine: CSAS_X_0, ... */
    state_env *state;          /* opened with the first stateful query */
    /* threaded mode */
    pthread_t *workers;
    int nworkers;
    _Atomic bool stopping;
};

/* catalog.c */
eng_source *eng__source_find(engine *e, const char *name);
int eng__source_add(engine *e, plan_source *src, eng_mem *mem, eddy_err *err);
int eng__source_drop(engine *e, const char *name, eddy_err *err);
const char *eng__prop(engine *e, const char *name);
void eng__catalog_free(engine *e);
void eng__catalog_init(engine *e, plan_catalog *cat);
int eng__type_add(engine *e, const char *name, const eddy_type *t, eng_mem *mem, eddy_err *err);
int eng__type_drop(engine *e, const char *name, eddy_err *err);

/* query.c */
int eng__query_start(engine *e, plan_query *plan, eng_mem *mem, const char *kind,
                     const char *sink_name, const char *sql, const char **id_out, eddy_err *err);
void eng__query_free(eng_query *q);
int64_t eng__task_step(eng_task *t, size_t max_bytes, eddy_err *err);
/* Flush the task's operators and commit its state with its input position. */
int eng__task_commit(eng_task *t, eddy_err *err);

/* Serdes for a source/sink schema: key columns (role KEY) or value columns (role VALUE). */
int eng__serde_for(const plan_schema *schema, const serde_format *fmt, bool is_key,
                   serde **out, eddy_err *err);

/* join.c */
/* Set up the join of 'q' (q->join set): serdes, the operator spec. */
int eng__join_setup(eng_query *q, eddy_err *err);
/* Open the task's second input (the table's partition) at its committed position. */
int eng__join_task_open(eng_task *t, bool earliest, eddy_err *err);
/* eng__task_step for a join task: both inputs merged by timestamp. */
int64_t eng__join_task_step(eng_task *t, size_t max_bytes, eddy_err *err);
void eng__join_free(eng_query *q);
/* A join's repartition (a REKEY step 'rk' with 'repartition'): the internal record types
 * (q->repart_types) and the partitions of the repartition topic (the table's, so that the
 * second stage is co-partitioned with it) in '*partitions'. */
int eng__join_repart_types(eng_query *q, const plan_step *rk, int *partitions, eddy_err *err);

/* query.c, for join.c */
int eng__decode_row(eng_task *t, int side, const broker_record *r, op_row *row, eddy_err *err);
int eng__sink_flush(eng_task *t, eddy_err *err);

/* insert.c */
int eng__insert_values(engine *e, const plan_stmt *ps, eddy_err *err);

#endif /* EDDY_ENGINE_INT_H */
