/*
 * eddy/engine.h - the SQL engine: catalog, statement execution, persistent queries.
 *
 * The engine is the only module that wires the others together (architecture.md): it parses
 * (parser), plans against its catalog (planner), creates topics and writes values (broker),
 * and runs queries as tasks of operators (operators, serde, functions, state).
 *
 * Two ways to run queries:
 *  - threaded (eddy run, the shell, the server): engine_start() runs every persistent query's
 *    tasks on worker threads until engine_stop();
 *  - stepped (eddy test): nothing runs by itself; engine_query_run() processes what a query's
 *    input topics hold, record by record, deterministically (ksqlDB's test-runner semantics:
 *    each record is processed to completion before the next).
 *
 * Thread-safety: engine_execute() and the other calls are serialised by the engine's own lock;
 * worker threads never block on it while processing records.
 */
#ifndef EDDY_ENGINE_H
#define EDDY_ENGINE_H

#include <stdbool.h>

#include "eddy/broker.h"
#include "eddy/common.h"
#include "eddy/planner.h"

typedef struct engine engine;

typedef struct engine_options {
    const char *data_dir;        /* the broker's directory (and state later) */
    bool stepped;                /* no worker threads; queries advance via engine_query_run */
    bool auto_create_topics;     /* CREATE with columns creates a missing topic (1 partition),
                                    as ksqlDB's test runner does */
    /* Wall clock for INSERT VALUES without ROWTIME; NULL = real time. The test runner
     * passes a clock that stands at 0. */
    int64_t (*clock_ms)(void *clock_ctx);
    void *clock_ctx;
    /* Processing log: records skipped, expression errors (may be NULL). */
    void (*proclog)(void *ctx, const char *query_id, const char *message);
    void *proclog_ctx;
    /* Notices about a query's life (may be NULL): how each stateful task restored its state
     * when the query started ("partition 0: state resumed from its checkpoint ..."). */
    void (*notice)(void *ctx, const char *query_id, const char *message);
    void *notice_ctx;
} engine_options;

/* Open the engine over 'opts->data_dir' (created if needed). Errors: as broker_open. */
int engine_open(const engine_options *opts, engine **out, eddy_err *err);
void engine_close(engine *e);
broker *engine_broker(engine *e);

/* What executing a statement produced, handed to the caller's callback. */
typedef struct engine_result {
    const parser_stmt *stmt;
    const char *message;         /* ksqlDB's reply text: "Stream created", "Created query
                                    with ID CSAS_S1_0", ... */
    const char *query_id;        /* for statements that started a query */
    const char *text;            /* multi-line output (SHOW, DESCRIBE, EXPLAIN), or NULL */
} engine_result;

typedef int (*engine_result_fn)(void *ctx, const engine_result *r);

/* Execute the statements in 'sql': all are parsed first (a syntax error runs nothing), then
 * each is planned and executed in order; the first failing statement stops the rest.
 * 'cb' (may be NULL) sees each statement's result. Errors: EDDY_EPARSE, EDDY_ETYPE,
 * EDDY_ENOTFOUND, EDDY_EEXIST, ... with err->line/col set for statement errors and the
 * message as ksqlDB words it. */
int engine_execute(engine *e, const char *sql, size_t len, engine_result_fn cb, void *ctx,
                   eddy_err *err);

/* Session property (SET 'name'='value'), also used by the test runner for its SET lines. */
int engine_set_property(engine *e, const char *name, const char *value, eddy_err *err);

/* Persistent queries in creation order. */
int engine_query_count(engine *e);
const char *engine_query_id(engine *e, int i);

/* Stepped mode: process every record the query's input topics hold beyond what it already
 * consumed, in offset order per topic, each to completion. Returns the records processed. */
int64_t engine_query_run(engine *e, const char *query_id, eddy_err *err);

/* Threaded mode. */
int engine_start(engine *e, int nthreads, eddy_err *err);
void engine_stop(engine *e);

/* The first source registered over 'topic', or NULL (the test runner uses it to encode input
 * records and decode output records). Valid until the source is dropped. */
const plan_source *engine_source_for_topic(engine *e, const char *topic);

#endif /* EDDY_ENGINE_H */
