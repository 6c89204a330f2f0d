/*
 * eddy/operators.h - the operator runtime: the steps of a query plan as push-based operators
 * that pass batches of rows downstream.
 *
 * A task (one per input partition of a query, owned by one worker thread) builds a chain of
 * operators from the query's plan, then for each batch of fetched records: the engine decodes
 * them into rows (serde) and pushes the batch into the first operator; each operator calls
 * op_emit() zero or more times; the sink hands encoded records to the engine's writer.
 *
 * Lifecycle per operator (PostgreSQL's init/exec/end, RisingWave's barriers):
 *   op_*_create  build it (the query's expressions are borrowed: the plan outlives it)
 *   process      called with each batch from its input 'port' (0; joins use 0 and 1)
 *   flush        at each task commit: emit what is due, persist state (stateful operators)
 *   close        release everything; called exactly once, also after a failed create
 *
 * Rows and their values in a batch are borrowed: valid until process returns (the batch
 * arena is reset after the batch leaves the pipeline). An operator that keeps anything across
 * batches copies it into its own memory or its state store.
 */
#ifndef EDDY_OPERATORS_H
#define EDDY_OPERATORS_H

#include <stdbool.h>

#include "eddy/common.h"
#include "eddy/functions.h"
#include "eddy/serde.h"
#include "eddy/state.h"

typedef struct op_row {
    eddy_value *cols;        /* the step's schema, in order */
    int64_t rowtime;         /* event time (ms) */
    int32_t partition;       /* source partition and offset, for ROWPARTITION/ROWOFFSET */
    int64_t offset;
    const uint8_t *headers;  /* raw Kafka headers of the source record (may be NULL) */
    const uint8_t *headers_end;
    /* A stream record whose key or value is null (ksqlDB's null key / null GenericRow): the
     * columns read from it are NULL. A null value passes through projections (their value
     * columns NULL, see op_project_set_key_cols) and is written as a null value; filters and
     * table functions drop it. A null key stays null until PARTITION BY makes a new one. */
    bool key_null;
    bool value_null;
    uint8_t flags;           /* OP_ROW_* */
    int64_t window_start;    /* windowed rows (aggregates): the window bounds */
    int64_t window_end;
    /* OP_ROW_CHANGE rows (a query over a TABLE: ksqlDB's Change<new, old>): the table's
     * previous row for this key in the same schema as 'cols', or NULL when there was none.
     * 'cols' is the new row; 'value_null' means the new row is absent (a delete). */
    eddy_value *old;
} op_row;

enum {
    OP_ROW_TOMBSTONE = 1,    /* the sink writes the key with a null value */
    OP_ROW_WINDOWED = 2,     /* window_start/window_end are set */
    OP_ROW_CHANGE = 4        /* a table change: 'old' is meaningful (see op_row.old) */
};

typedef struct op_batch {
    op_row *rows;
    size_t n;
} op_batch;

typedef struct op op;

/* Shared by the operators of one task. */
typedef struct op_ctx {
    eddy_arena *arena;       /* the batch arena */
    const fn_config *fn_config;
    /* Processing log: a row-level problem (expression error, encoding failure). */
    void (*log)(void *log_ctx, const char *op_name, const eddy_err *err);
    void *log_ctx;
} op_ctx;

typedef struct op_ops {
    const char *kind;                                            /* "filter", "project" */
    int (*process)(op *self, int port, const op_batch *in, eddy_err *err);
    int (*flush)(op *self, eddy_err *err);
    void (*close)(op *self);
} op_ops;

/* The common head of every operator (embedded first in each kind's struct). */
struct op {
    const op_ops *ops;
    const char *name;        /* e.g. "Project" + step id, for logs */
    op_ctx *ctx;
    op *next;                /* downstream */
    int next_port;
};

/* Push 'out' to the downstream operator. */
int op_emit(op *self, const op_batch *out, eddy_err *err);

/* Stateless operators. Expressions are borrowed. Over table changes (OP_ROW_CHANGE) they
 * follow ksqlDB's KTable operators: the filter evaluates the new and the old row and turns an
 * update whose new row fails (or is a delete) into a delete when the old row passed, dropping
 * it when neither passed; the projection computes the new row (the old one is not needed
 * downstream of a projection and is dropped). 'nvars' is the number of lambda variable
 * slots the expressions need. */
int op_filter_create(op_ctx *ctx, const fn_expr *predicate, int nvars, op **out, eddy_err *err);
int op_project_create(op_ctx *ctx, const fn_expr *const *exprs, int nexprs, int nvars, op **out,
                      eddy_err *err);
/* Rows with a null value (ksqlDB's SelectValueMapper returns null for them, and PARTITION
 * BY evaluates over the key only those expressions that read nothing but key columns): give
 * 'project' the key columns of its input ('in_key_cols', one flag per input column, copied)
 * so that, for such rows, the expressions reading key columns only (or no column) are
 * evaluated and the others give NULL. Without it every expression gives NULL for them.
 * 'rekey': the projection computes a new key (PARTITION BY), so a null key becomes a key
 * of these columns. Errors: EDDY_ENOMEM. */
int op_project_set_key_cols(op *project, const bool *in_key_cols, int ncols, bool rekey,
                            eddy_err *err);
/* Pass-through exprs, then one output row per value produced by the table functions (several
 * table functions advance together, shorter ones padded with NULL, as ksqlDB). */
int op_flatmap_create(op_ctx *ctx, const fn_expr *const *exprs, int nexprs,
                      const fn_expr *const *tfns, int ntfns, int nvars, op **out,
                      eddy_err *err);

/* The sink: encode each row's key columns and value columns and hand the record to 'write'
 * (the engine appends it to the sink topic, partitioned by key bytes like Kafka). The record
 * timestamp is 'timestamp' evaluated over the row (NULL: the row's rowtime); a row whose
 * timestamp is NULL, or that cannot be encoded, is logged and dropped. The record's headers
 * are the source record's (Kafka Streams carries them through stateless steps). */
typedef struct op_sink_record {
    const uint8_t *key;      /* NULL = null key */
    int32_t key_len;
    const uint8_t *value;    /* NULL = tombstone / null value */
    int32_t value_len;
    int64_t timestamp;
    const uint8_t *headers;  /* raw headers to copy, or NULL */
    const uint8_t *headers_end;
} op_sink_record;

typedef int (*op_sink_write_fn)(void *write_ctx, const op_sink_record *rec, eddy_err *err);

int op_sink_create(op_ctx *ctx, const serde *key_serde, const serde *value_serde,
                   const fn_expr *timestamp, op_sink_write_fn write, void *write_ctx, op **out,
                   eddy_err *err);

/* Windowed sink keys, as Kafka Streams' TimeWindowedSerializer (key bytes, then the window
 * start as 8 bytes big-endian) and SessionWindowedSerializer (key bytes, then the end and the
 * start, 8 bytes big-endian each). Rows without OP_ROW_WINDOWED keep plain keys. The window
 * of a row comes from a windowed aggregation, or from a windowed source (WINDOW_TYPE in the
 * source's WITH clause: the engine reads it with op_window_key_split), which a query without
 * aggregation carries through to its sink unchanged. */
typedef enum op_window_kind {
    OP_WINDOW_NONE, OP_WINDOW_TUMBLING, OP_WINDOW_HOPPING, OP_WINDOW_SESSION
} op_window_kind;

void op_sink_set_window(op *sink, op_window_kind kind);

/* The inverse of the sink's windowed key (Kafka Streams' TimeWindowedDeserializer and
 * SessionWindowedDeserializer): the window bounds of the windowed key 'key' ('key_len'
 * bytes) and the length of the inner key in front of them. A time window (tumbling or
 * hopping) stores only its start; its end is start + 'size_ms' (saturating). A session
 * stores its end and its start. Errors: EDDY_ECORRUPT (set in 'err') when the key is shorter
 * than its window suffix; EDDY_EINVAL for OP_WINDOW_NONE. */
int op_window_key_split(op_window_kind kind, int64_t size_ms, const uint8_t *key,
                        int32_t key_len, int32_t *inner_len, int64_t *start, int64_t *end,
                        eddy_err *err);

/* ---------------------------------------------------------------------------------------------
 * Aggregation (op_aggregate.c)
 * ------------------------------------------------------------------------------------------- */

/* GROUP BY: output columns = 'exprs' over the input row; rows whose first 'nkeys' columns
 * hold a NULL are dropped (logged), as ksqlDB drops records with a null grouping key. A
 * stream row with a null value (not a table change) is dropped silently first. */
int op_group_by_create(op_ctx *ctx, const fn_expr *const *exprs, int nexprs, int nkeys,
                       int nvars, op **out, eddy_err *err);

/* Internal (repartition) records: the key is the eddy_binval_encode_key forms of the first
 * 'nkeys' columns concatenated, the value the eddy_binval_encode forms of the others. The
 * record keeps the row's rowtime. op_internal_decode is the inverse (values in 'a'). */
/* The header each repartition record carries first: where it came from (see op_aggregate.c).
 * The row's own headers follow it (Kafka Streams carries headers through a repartition). */
#define OP_SRC_HEADER "eddy.src"
/* The raw headers of a repartition record less its first one ("eddy.src"): '*out' and
 * '*out_end' (in 'a'), or both NULL when no other header is there. Returns 0 or
 * EDDY_ENOMEM. */
int op_internal_headers(const uint8_t *raw, const uint8_t *end, eddy_arena *a,
                        const uint8_t **out, const uint8_t **out_end);

int op_internal_sink_create(op_ctx *ctx, const eddy_type *const *types, int ncols, int nkeys,
                            op_sink_write_fn write, void *write_ctx, op **out, eddy_err *err);
int op_internal_decode(const eddy_type *const *types, int ncols, int nkeys, const uint8_t *key,
                       int32_t key_len, const uint8_t *value, int32_t value_len, eddy_arena *a,
                       eddy_value *cols, eddy_err *err);

/* Tables (rows flagged OP_ROW_CHANGE): 'table' makes the internal sink write one record per
 * change: the new row under its key and the old row under its key (old first), or a single
 * record carrying both when the keys are equal. The value starts with a flag byte (1: new
 * row, 2: old row, 3: both, new first). op_internal_decode_change reads such a record into
 * 'row' (cols, old, value_null, flags OP_ROW_CHANGE; other fields untouched); the values go
 * to 'a'. Errors: EDDY_ECORRUPT, EDDY_ENOMEM. */
void op_internal_sink_set_table(op *internal_sink, bool table);
int op_internal_decode_change(const eddy_type *const *types, int ncols, int nkeys,
                              const uint8_t *key, int32_t key_len, const uint8_t *value,
                              int32_t value_len, eddy_arena *a, op_row *row, eddy_err *err);

typedef struct op_agg_spec {
    int nkeys;                    /* input columns 0..nkeys-1 are the group key */
    const eddy_type *const *key_types;
    int naggs;
    const fn_agg_call *const *aggs;
    const int *agg_args;          /* per call: input column of its first column argument */
    op_window_kind window;
    int64_t size_ms, advance_ms, grace_ms, retention_ms;
    bool emit_final;
    const fn_expr *having;        /* over the output row, or NULL */
    int nvars;
} op_agg_spec;

/* Over table changes (OP_ROW_CHANGE, not windowed) each change first retracts the old row
 * from its group (fn_agg_undo) and then adds the new row to its group; each touched group
 * emits its updated row, the old group first (ksqlDB's KTableAggregate: a COUNT may reach 0,
 * the group is kept).
 * The aggregation: per key (and window) the states of 'spec->aggs', kept in 'store' (a KV
 * store, a WINDOW store of window size 'size_ms' for tumbling/hopping windows, or a SESSION
 * store for session windows, whose gap is 'size_ms'; borrowed, owned by the task's
 * state_task). Session windows merge states with fn_agg_merge and emit a tombstone for each
 * merged-away session before the new one. Output rows: key columns, one result per call, then
 * WINDOWSTART and WINDOWEND when windowed; rowtime = the largest timestamp folded into the
 * group. 'spec' and what it points to are borrowed (the plan outlives the operator). */
int op_aggregate_create(op_ctx *ctx, const op_agg_spec *spec, state_store *store, op **out,
                        eddy_err *err);

/* ---------------------------------------------------------------------------------------------
 * Joins (op_join.c)
 * ------------------------------------------------------------------------------------------- */

/* A stream-table join on the table's primary key (ksqlDB's stream-table join, Kafka Streams'
 * KStreamKTableJoin). Port 1 takes the table's rows (its declared columns and pseudo
 * columns, 'right_ncols' of 'right_types'): a row is stored in 'store' under the binval key
 * form of its column 'right_key'; a row with a null value deletes it; a null key is dropped.
 * Port 0 takes stream rows ('left_ncols' columns): the row looks up the table row whose key
 * equals its column 'left_key' and emits the left columns followed by the right ones, with
 * the stream row's rowtime and headers; without a match it is dropped, or emitted with the
 * right columns NULL when 'left_outer'. Stream rows with a null value or a NULL join column
 * are dropped. 'spec' and what it points to are borrowed; 'store' (a KV store) too. */
typedef struct op_join_spec {
    int left_ncols, left_key;
    int right_ncols, right_key;
    const eddy_type *const *right_types;
    bool left_outer;
    /* A table-table join (Kafka Streams' KTable-KTable joins): port 0 takes the left table's
     * rows, port 1 the right's (a null value deletes the key); both are materialized (their
     * rowtime kept). A change on one side looks up the other and emits a table change
     * (OP_ROW_CHANGE: the joined row before and after, or a delete) when the join type has a
     * row for either: INNER both sides, LEFT ('left_outer') the left, RIGHT ('right_outer')
     * the right, FULL (both flags) either; an inner side's change without the other side
     * emits nothing. The output's rowtime is the larger of the two rows' (only the changed
     * one's when the other is absent). Output rows: left columns, right columns, then one
     * more column when 'out_ncols' says so; column 'out_key' receives the join key. */
    bool table_table;
    bool right_outer;
    const eddy_type *const *left_types;
    int out_ncols, out_key;
    int alt_key;             /* another output column that receives the join key (the left
                                join column of a RIGHT join), or -1 */
    /* A stream-stream join (Kafka Streams' KStream-KStream join): both ports take stream
     * records, kept in 'store' (a WINDOW store) by key and timestamp for before + after +
     * grace (grace -1: 24 hours); a left record at t meets the right records of its key
     * in [t - before_ms, t + after_ms], a right record at t the left ones in
     * [t - after_ms, t + before_ms]: one joined row per match, rowtime the later of the two.
     * Without a match, an outer side's record ('left_outer' / 'right_outer') is emitted at
     * once with the other side NULL. Null keys and null values are dropped. */
    bool stream_stream;
    int64_t before_ms, after_ms, grace_ms;
} op_join_spec;

int op_join_create(op_ctx *ctx, const op_join_spec *spec, state_store *store, op **out,
                   eddy_err *err);

void op_close(op *o);

#endif /* EDDY_OPERATORS_H */
