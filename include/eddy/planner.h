/*
 * eddy/planner.h - from a parsed statement to an executable plan.
 *
 * planner_plan() analyses one statement against the catalog (resolving sources, aliases and
 * columns, typing every expression, choosing function overloads), rejects what ksqlDB
 * rejects with the same meaning and an error that names the position, and produces a
 * plan_stmt: what the engine must do (register a source, start a query, write values, ...).
 * Queries become a pipeline of steps over typed rows (the physical plan), which EXPLAIN
 * prints and the engine turns into operators.
 *
 * The planner reads the catalog only through plan_catalog (the engine owns it) and never
 * executes anything. All plan memory comes from the caller's arena.
 *
 * Rows: every step has an output schema (plan_schema). A source's rows hold its key columns,
 * then its value and header columns in declaration order (ksqlDB's LogicalSchema order),
 * then the pseudo columns ROWTIME BIGINT, ROWPARTITION INTEGER, ROWOFFSET BIGINT (and
 * WINDOWSTART, WINDOWEND BIGINT for windowed sources). Expressions address columns by their
 * index in the input row of their step (the previous step's output).
 *
 * Pipeline of a query: SOURCE, [FILTER], [REKEY], [FLATMAP], PROJECT, [SINK] (steps are
 * numbered 0.. in this order; ids are stable for a given statement).
 */
#ifndef EDDY_PLANNER_H
#define EDDY_PLANNER_H

#include <stdbool.h>

#include "eddy/common.h"
#include "eddy/functions.h"
#include "eddy/parser.h"
#include "eddy/serde.h"

/* ---------------------------------------------------------------------------------------------
 * Schemas and sources
 * ------------------------------------------------------------------------------------------- */

typedef enum plan_col_role {
    PLAN_COL_KEY,
    PLAN_COL_VALUE,
    PLAN_COL_HEADERS,       /* HEADERS: ARRAY<STRUCT<KEY STRING, VALUE BYTES>> of all headers */
    PLAN_COL_HEADER,        /* HEADER('k'): BYTES of the last header with key 'k' */
    PLAN_COL_PSEUDO         /* ROWTIME, ROWPARTITION, ROWOFFSET, WINDOWSTART, WINDOWEND */
} plan_col_role;

typedef struct plan_column {
    const char *name;       /* as ksqlDB shows it (normalised; quoted names keep case) */
    const eddy_type *type;
    plan_col_role role;
    const char *header_key; /* PLAN_COL_HEADER */
} plan_column;

typedef struct plan_schema {
    int ncols;
    plan_column *cols;
} plan_schema;

typedef enum plan_source_kind { PLAN_STREAM, PLAN_TABLE } plan_source_kind;

typedef enum plan_window_kind {
    PLAN_WINDOW_NONE, PLAN_WINDOW_TUMBLING, PLAN_WINDOW_HOPPING, PLAN_WINDOW_SESSION
} plan_window_kind;

typedef struct plan_window {
    plan_window_kind kind;
    int64_t size_ms, advance_ms, grace_ms, retention_ms;  /* -1 when not given */
} plan_window;

/* A stream or table in the catalog. */
typedef struct plan_source {
    const char *name;
    plan_source_kind kind;
    const char *topic;
    serde_format key_format;
    serde_format value_format;
    plan_schema schema;       /* declared columns: keys, values, headers (no pseudo) */
    int timestamp_col;        /* index in schema of the TIMESTAMP column, or -1 */
    const char *timestamp_format;  /* TIMESTAMP_FORMAT, or NULL */
    plan_window window;       /* windowed key (WINDOW_TYPE in WITH, or a windowed CTAS) */
    bool is_source;           /* CREATE SOURCE: read-only */
    const char *sql;          /* the statement that created it */
    const char *query_id;     /* the persistent query writing it, or NULL */
} plan_source;

/* What the planner may ask the engine. */
typedef struct plan_catalog {
    void *ctx;
    /* The source named 'name' (already normalised), or NULL. */
    const plan_source *(*lookup)(void *ctx, const char *name);
    /* Partition count of 'topic', or -1 when it does not exist. */
    int (*topic_partitions)(void *ctx, const char *topic);
    /* A session or test property set with SET ('ksql.persistence.wrap.single.values', ...),
     * or NULL. */
    const char *(*property)(void *ctx, const char *name);
    /* A type registered with CREATE TYPE, or NULL. */
    const eddy_type *(*custom_type)(void *ctx, const char *name);
    /* The i-th source (0, 1, ...; NULL past the last), for "Did you mean" hints. May be NULL. */
    const plan_source *(*source_at)(void *ctx, int i);
} plan_catalog;

/* ---------------------------------------------------------------------------------------------
 * Queries
 * ------------------------------------------------------------------------------------------- */

typedef enum plan_step_kind {
    PLAN_STEP_SOURCE,       /* read topic, decode key/value into the source row */
    PLAN_STEP_FILTER,       /* keep rows where predicate is true */
    PLAN_STEP_PROJECT,      /* new row = exprs[i] over the input row */
    PLAN_STEP_FLATMAP,      /* table functions: one output row per produced value */
    PLAN_STEP_REKEY,        /* PARTITION BY: new key columns = exprs (key moves to value) */
    /* Output schemas: FILTER = its input. REKEY = the new key columns (role KEY; none for
     * PARTITION BY NULL), then every input column (old keys now role VALUE, pseudo columns
     * kept); exprs compute all of them. FLATMAP = every input column (exprs: column refs),
     * then one column per table function call (tfns[i] -> column nexprs + i); several calls
     * advance together, the row count is the longest result (shorter ones give NULL), as
     * ksqlDB. PROJECT = for persistent queries the sink's columns in sink order (keys, then
     * values), for transient queries the SELECT list in order (key columns marked KEY).
     * SINK = the PROJECT output (a pass-through: encode, write). */
    PLAN_STEP_SINK,         /* encode key/value, write to the sink topic */
    PLAN_STEP_GROUP_BY,     /* new key columns = GROUP BY exprs, then the aggregate arguments */
    PLAN_STEP_AGGREGATE,    /* per key (and window): aggregate states, one table row each */
    /* GROUP_BY output: the grouping columns (role KEY; named by a column reference's name,
     * else KSQL_COL_<i>), then one column per column argument of each aggregate call (role
     * VALUE, named KSQL_INTERNAL_COL_<i>, already cast to the call's argument types). When
     * 'repartition' is set the rows are written to the internal topic 'repartition_topic'
     * (partitioned by the key bytes) and the steps after GROUP_BY run as a second stage
     * reading it; otherwise they follow in the same task.
     * AGGREGATE output: the key columns, then KSQL_AGG_VARIABLE_<i> per call (role VALUE),
     * then WINDOWSTART, WINDOWEND (BIGINT, role PSEUDO) when windowed. Each input row folds
     * into its key's (and window's) states; every update is emitted, with the largest
     * timestamp folded into the group as its rowtime. 'having' (over this output) filters
     * as a table filter: a failing update is dropped, or becomes a tombstone when the
     * previous value of the group passed. */
    PLAN_STEP_JOIN          /* stream-table join on the table's primary key (see join_*) */
    /* JOIN input: the left (stream) SOURCE row. The right side is a TABLE read from its own
     * topic in the same task (same partition: the planner checked co-partitioning), its rows
     * laid out as 'join_right_row' (declared columns, then ROWTIME, ROWPARTITION,
     * ROWOFFSET), materialized by its key. Output: the left row's columns, then the right
     * row's, each named <SIDE>_<NAME> (SIDE: the source's alias, else its name); the left
     * join column is the only KEY. Each stream row looks up the table row whose key equals
     * its column 'join_left_col'; INNER emits only matches, LEFT also the others with the
     * right columns NULL. Stream rows with a NULL join column or a null value are
     * dropped.
     * Table-table joins (the query's source is a TABLE): both inputs are table changes,
     * both sides materialized; INNER, LEFT, RIGHT and FULL on both primary keys, emitting
     * table changes as Kafka Streams' KTable-KTable joins (a delete becomes a tombstone when
     * the join had a row for the key). The KEY column of the output ('join_key_col') always
     * holds the join key: the left key column (INNER, LEFT), the right one (RIGHT), or a
     * synthetic ROWKEY column after the right row's (FULL).
     * Stream-stream joins (both sides streams, WITHIN): each side's records are kept for
     * the window; a left record at t meets the right records of its key in [t - before,
     * t + after] (a right record at t the left ones in [t - after, t + before]), one joined
     * row per match with the later timestamp; an outer side's record without a match is
     * emitted at once with the other side NULL (ksqlDB without GRACE PERIOD). */
} plan_step_kind;

typedef enum plan_join_type {
    PLAN_JOIN_INNER, PLAN_JOIN_LEFT, PLAN_JOIN_RIGHT, PLAN_JOIN_FULL
} plan_join_type;

typedef struct plan_step {
    plan_step_kind kind;
    int id;                 /* stable within the query, for names of state and EXPLAIN */
    plan_schema out;        /* schema of the rows this step emits */
    /* SOURCE: event time of a decoded row (BIGINT ms) from the TIMESTAMP column (with
     * TIMESTAMP_FORMAT), evaluated over the source row; NULL = the record's timestamp.
     * SINK: the output record's timestamp (WITH TIMESTAMP=...) over the sink's input row;
     * NULL = the row's ROWTIME. A NULL result drops the record (logged), as ksqlDB.
     * The expression's type is BIGINT or TIMESTAMP (both milliseconds since the epoch); a
     * STRING column with TIMESTAMP_FORMAT is wrapped in STRINGTOTIMESTAMP(col, format). */
    fn_expr *timestamp;
    /* FILTER */
    fn_expr *predicate;
    /* PROJECT, REKEY (exprs producing the output columns in order), FLATMAP (exprs for
     * pass-through columns, then table function calls in tfns) */
    int nexprs;
    fn_expr **exprs;
    int ntfns;
    fn_expr **tfns;         /* FN_CALL nodes with call.table_fn set */
    int nvars;              /* lambda variable slots the exprs need */
    /* GROUP_BY: 'exprs' give the output columns; the first 'nkeys' are the key. */
    int nkeys;
    bool repartition;
    const char *repartition_topic;   /* "<query id>-Aggregate-GroupBy-repartition", set by
                                        the engine when it assigns the query id */
    /* AGGREGATE */
    int naggs;
    const fn_agg_call **aggs;
    int *agg_args;          /* per call: index in the input row of its first column argument */
    plan_window window;     /* kind NONE: not windowed; grace and retention resolved */
    bool emit_final;        /* EMIT FINAL: one row per window once it closes */
    fn_expr *having;        /* NULL when absent */
    /* JOIN */
    plan_join_type join_type;
    const plan_source *join_right;   /* the table, borrowed from the catalog */
    plan_schema join_right_row;
    fn_expr *join_right_timestamp;   /* over join_right_row; NULL = the record timestamp */
    int join_left_col;               /* index in the input row of the left join column */
    int join_key_col;                /* the KEY column of the output */
    /* stream-stream joins: WITHIN (before, after) and GRACE PERIOD (-1: not given) */
    int64_t join_before_ms, join_after_ms, join_grace_ms;
} plan_step;

typedef struct plan_sink {
    const char *topic;
    int partitions;
    serde_format key_format;
    serde_format value_format;
} plan_sink;

typedef struct plan_query {
    const char *id;          /* assigned by the engine: CSAS_NAME_0, INSERTQUERY_1, ... */
    const plan_source *source;   /* borrowed from the catalog */
    int nsteps;
    plan_step *steps;        /* steps[0] is SOURCE, the last is SINK for persistent queries */
    plan_sink sink;          /* persistent queries */
    int limit;               /* transient queries: LIMIT, or -1 */
} plan_query;

/* ---------------------------------------------------------------------------------------------
 * Statements
 * ------------------------------------------------------------------------------------------- */

typedef enum plan_stmt_kind {
    PLAN_CREATE_SOURCE,      /* register 'source' (create its topic if needed) */
    PLAN_CREATE_AS,          /* register 'source', create its topic, start 'query' */
    PLAN_INSERT_INTO,        /* start 'query' writing into an existing source */
    PLAN_INSERT_VALUES,      /* write one row into 'source''s topic */
    PLAN_DROP_SOURCE,        /* remove 'name' (and its topic when delete_topic) */
    PLAN_QUERY,              /* transient push or pull query */
    PLAN_SET, PLAN_UNSET, PLAN_DEFINE, PLAN_UNDEFINE,
    PLAN_CREATE_TYPE, PLAN_DROP_TYPE,
    PLAN_EXPLAIN,            /* print 'query''s plan */
    PLAN_OTHER               /* SHOW, DESCRIBE, TERMINATE, PRINT: the engine handles them from
                                the AST ('ast') */
} plan_stmt_kind;

typedef struct plan_stmt {
    plan_stmt_kind kind;
    const parser_stmt *ast;
    plan_source *source;     /* CREATE_*: the new source; INSERT_*: the target (borrowed) */
    bool or_replace, if_not_exists, if_exists, delete_topic;
    const char *name;        /* DROP, SET/DEFINE name, CREATE TYPE name */
    const char *value;       /* SET/DEFINE value */
    const eddy_type *type;   /* CREATE TYPE */
    /* Topic to create for CREATE_SOURCE / CREATE_AS when it does not exist (partitions from
     * WITH PARTITIONS, else the source query's input topic, else 1). 0 = don't create (the
     * topic exists, or a CREATE with columns names a missing topic without PARTITIONS: the
     * engine then fails as ksqlDB does, or creates it with 1 partition when it auto-creates
     * topics, as the test runner does). */
    int create_partitions;
    plan_query *query;       /* CREATE_AS, INSERT_INTO, QUERY, EXPLAIN (for EXPLAIN of a
                                CREATE AS, 'source' is the would-be sink, not registered) */
    eddy_value *values;      /* INSERT_VALUES: a full row in 'source''s schema order, each
                                value of its column's type (literals coerced as ksqlDB;
                                constant expressions evaluated); unset columns NULL */
    int64_t values_rowtime;  /* INSERT_VALUES: ROWTIME if given, else -1 (use now) */
} plan_stmt;

/* Plan one parsed statement. 'sql' is the parsed text (parser_stmt_list.text: positions in
 * messages). Nothing is registered: the engine applies the plan_stmt (and, for CREATE ...
 * IF NOT EXISTS on an existing name, skips it). Joins other than stream-table joins on the
 * stream's key give EDDY_EUNSUPPORTED "... is not supported yet" (planner/join.c); formats AVRO/PROTOBUF/JSON_SR "The 'AVRO' format is not supported by eddy yet"
 * (serde_format_parse's message).
 * A time-unit argument (TIMESTAMPADD(SECONDS, ...)) reaches the function as a STRING literal
 * with the unit's plural name ("SECONDS").
 * Errors: EDDY_ETYPE (semantic), EDDY_ENOTFOUND (unknown source or column), EDDY_EPARSE for
 * errors ksqlDB reports as syntax errors; err->line/col point at the offending text and the
 * message is ksqlDB's where ksqlDB's is known. EDDY_ENOMEM. */
int planner_plan(const parser_stmt *stmt, const char *sql, const plan_catalog *cat,
                 eddy_arena *arena, plan_stmt **out, eddy_err *err);

/* Print a query plan readably (EXPLAIN): one line per step with its id, kind, output schema
 * and expressions, then the sink. Stable text: tests compare it. */
int planner_explain(const plan_query *q, eddy_buf *out);

/* Append an expression as SQL text, as ksqlDB formats expressions (for EXPLAIN, generated
 * column names and messages). */
int planner_format_expr(const fn_expr *e, const plan_schema *in, eddy_buf *out);

#endif /* EDDY_PLANNER_H */
