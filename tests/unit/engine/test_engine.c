/*
 * test_engine.c - the engine in stepped mode over a temporary data directory: engine_open and
 * engine_close, engine_execute for every statement kind that runs today (CREATE STREAM with
 * and without a topic, duplicates, OR REPLACE, IF NOT EXISTS, CREATE STREAM AS SELECT,
 * INSERT INTO ... SELECT, INSERT VALUES, DROP, SET, DEFINE, EXPLAIN), what the result
 * callback receives, error codes, messages and positions, and the queries' processing of
 * records appended with broker_produce, checked by reading (and decoding) the sink topics.
 *
 * No threads: queries advance only through engine_query_run, as in `eddy test`. The engine
 * clock stands at CLOCK_MS, so INSERT VALUES without ROWTIME is deterministic.
 */
#include "testutil.h"

#include "eddy/broker.h"
#include "eddy/engine.h"
#include "eddy/serde.h"

#define CLOCK_MS 5000
#define MAXMSG 32

typedef struct fixture {
    char *dir;
    engine *e;
    eddy_err err;
    /* Results handed to the callback by the last exec(). */
    char msgs[MAXMSG][256];
    char qids[MAXMSG][64];
    char *text;              /* last multi-line result (EXPLAIN), malloc'ed */
    int nmsgs;
    /* Processing log. */
    char logs[MAXMSG][512];
    char log_qids[MAXMSG][64];
    int nlogs;
} fixture;

static int64_t fixed_clock(void *ctx)
{
    (void)ctx;
    return CLOCK_MS;
}

static void on_proclog(void *ctx, const char *query_id, const char *message)
{
    fixture *f = ctx;
    if (f->nlogs < MAXMSG) {
        snprintf(f->log_qids[f->nlogs], sizeof f->log_qids[0], "%s", query_id);
        snprintf(f->logs[f->nlogs], sizeof f->logs[0], "%s", message);
    }
    f->nlogs++;
}

static int on_result(void *ctx, const engine_result *r)
{
    fixture *f = ctx;
    assert_non_null(r->stmt);
    if (f->nmsgs < MAXMSG) {
        snprintf(f->msgs[f->nmsgs], sizeof f->msgs[0], "%s", r->message ? r->message : "");
        snprintf(f->qids[f->nmsgs], sizeof f->qids[0], "%s", r->query_id ? r->query_id : "");
    }
    if (r->text) {
        free(f->text);
        f->text = strdup(r->text);
    }
    f->nmsgs++;
    return 0;
}

static void open_engine(fixture *f, bool auto_create)
{
    engine_options o;
    memset(&o, 0, sizeof o);
    o.data_dir = f->dir;
    o.stepped = true;
    o.auto_create_topics = auto_create;
    o.clock_ms = fixed_clock;
    o.proclog = on_proclog;
    o.proclog_ctx = f;
    eddy_err_clear(&f->err);
    EXPECT_OK(engine_open(&o, &f->e, &f->err), &f->err);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->dir = test_tmpdir();
    open_engine(f, false);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    engine_close(f->e);
    test_rmdir(f->dir);
    free(f->text);
    free(f);
    return 0;
}

/* Execute 'sql'; the results replace the previous ones. Returns the engine's code. */
static int exec(fixture *f, const char *sql)
{
    f->nmsgs = 0;
    eddy_err_clear(&f->err);
    return engine_execute(f->e, sql, strlen(sql), on_result, f, &f->err);
}

#define EXEC_OK(f, sql)                                                                        \
    do {                                                                                       \
        if (exec((f), (sql)) != 0)                                                             \
            fail_msg("execute failed: %s\n  error: %d:%d: %s", (sql), (f)->err.line,           \
                     (f)->err.col, (f)->err.msg);                                              \
    } while (0)

/* Execute 'sql', expecting 'code' and a message containing 'text'. */
#define EXEC_ERR(f, sql, code, text)                                                           \
    do {                                                                                       \
        int rc_ = exec((f), (sql));                                                            \
        if (rc_ != (code))                                                                     \
            fail_msg("expected %d, got %d for %s: %s", (code), rc_, (sql), (f)->err.msg);     \
        if (!strstr((f)->err.msg, (text)))                                                     \
            fail_msg("message for %s\n  got:  %s\n  want: %s", (sql), (f)->err.msg, (text));   \
    } while (0)

/* Append one record (key/value NULL: null) to partition 'part' of 'topic' (-1: by key). */
static void produce(fixture *f, const char *topic, const char *key, const char *value,
                    int64_t ts, int32_t part)
{
    broker_record r;
    memset(&r, 0, sizeof r);
    r.key = (const uint8_t *)key;
    r.key_len = key ? (int32_t)strlen(key) : -1;
    r.value = (const uint8_t *)value;
    r.value_len = value ? (int32_t)strlen(value) : -1;
    r.timestamp = ts;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(broker_produce(engine_broker(f->e), topic, &r, &part, 1, NULL, &err), &err);
}

static int64_t run_query(fixture *f, const char *id)
{
    eddy_err_clear(&f->err);
    int64_t n = engine_query_run(f->e, id, &f->err);
    if (n < 0)
        fail_msg("engine_query_run(%s): %s", id, f->err.msg);
    return n;
}

/* Every record of 'topic' (partition by partition, in offset order) as lines
 * "KEY|VALUE|TIMESTAMP\n" (null key or value: "null"). Returns a static buffer. */
static const char *dump(fixture *f, const char *topic)
{
    static char out[8192];
    size_t len = 0;
    out[0] = 0;
    broker *b = engine_broker(f->e);
    eddy_err err;
    eddy_err_clear(&err);
    int np = broker_topic_partitions(b, topic, &err);
    if (np < 0)
        fail_msg("topic %s: %s", topic, err.msg);
    for (int p = 0; p < np; p++) {
        broker_log *log;
        EXPECT_OK(broker_log_get(b, topic, p, &log, &err), &err);
        int64_t off = broker_log_start_offset(log);
        for (;;) {
            broker_fetch_result res;
            EXPECT_OK(broker_log_fetch(log, off, 1 << 20, &res, &err), &err);
            if (res.len == 0) {
                broker_fetch_release(&res);
                break;
            }
            broker_iter it;
            broker_record r;
            broker_iter_init(&it, res.data, res.len, off);
            while (broker_iter_next(&it, &r, &err) == 1)
                len += (size_t)snprintf(out + len, sizeof out - len, "%.*s|%.*s|%lld\n",
                                        r.key ? r.key_len : 4, r.key ? (const char *)r.key
                                                                     : "null",
                                        r.value ? r.value_len : 4,
                                        r.value ? (const char *)r.value : "null",
                                        (long long)r.timestamp);
            off = res.next_offset;
            broker_fetch_release(&res);
        }
        broker_log_release(log);
    }
    return out;
}

/* Decode every value of 'topic' with the formats and schema of the source registered over
 * it, as "COL=value, ..." lines. */
static const char *decode_values(fixture *f, const char *topic)
{
    static char out[4096];
    size_t len = 0;
    out[0] = 0;
    const plan_source *src = engine_source_for_topic(f->e, topic);
    assert_non_null(src);
    serde_column cols[16];
    int n = 0;
    for (int i = 0; i < src->schema.ncols && n < 16; i++)
        if (src->schema.cols[i].role == PLAN_COL_VALUE)
            cols[n++] = (serde_column){src->schema.cols[i].name, src->schema.cols[i].type, i};
    serde *vs;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(serde_create(&src->value_format, cols, n, false, &vs, &err), &err);
    broker_log *log;
    EXPECT_OK(broker_log_get(engine_broker(f->e), topic, 0, &log, &err), &err);
    broker_fetch_result res;
    EXPECT_OK(broker_log_fetch(log, broker_log_start_offset(log), 1 << 20, &res, &err), &err);
    eddy_arena a;
    eddy_arena_init(&a, 4096);
    broker_iter it;
    broker_record r;
    broker_iter_init(&it, res.data, res.len, broker_log_start_offset(log));
    while (res.len && broker_iter_next(&it, &r, &err) == 1) {
        eddy_value row[16];
        EXPECT_OK(serde_decode(vs, r.value, r.value_len, row, &a, &err), &err);
        for (int i = 0; i < n; i++) {
            eddy_buf b;
            eddy_buf_init(&b);
            if (row[cols[i].index].null)
                eddy_buf_printf(&b, "NULL");
            else
                eddy_value_format(&row[cols[i].index], cols[i].type, &b);
            len += (size_t)snprintf(out + len, sizeof out - len, "%s%s=%s", i ? ", " : "",
                                    cols[i].name, eddy_buf_cstr(&b));
            eddy_buf_free(&b);
        }
        len += (size_t)snprintf(out + len, sizeof out - len, "\n");
    }
    eddy_arena_destroy(&a);
    broker_fetch_release(&res);
    broker_log_release(log);
    serde_destroy(vs);
    return out;
}

static int partitions_of(fixture *f, const char *topic)
{
    eddy_err err;
    eddy_err_clear(&err);
    return broker_topic_partitions(engine_broker(f->e), topic, &err);
}

#define INPUT_DDL                                                                              \
    "CREATE STREAM INPUT (K STRING KEY, ID INT, NAME STRING) "                                 \
    "WITH (KAFKA_TOPIC='input', PARTITIONS=1, VALUE_FORMAT='JSON');"

/* ---- open and close --------------------------------------------------------------------- */

static void test_open_creates_data_dir_and_close(void **state)
{
    fixture *f = *state;
    char sub[600];
    snprintf(sub, sizeof sub, "%s/nested/data", f->dir);
    engine_options o;
    memset(&o, 0, sizeof o);
    o.data_dir = sub;
    o.stepped = true;
    engine *e;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(engine_open(&o, &e, &err), &err);
    assert_non_null(engine_broker(e));
    assert_string_equal(broker_dir(engine_broker(e)), sub);
    assert_int_equal(engine_query_count(e), 0);
    assert_null(engine_query_id(e, 0));
    assert_null(engine_source_for_topic(e, "input"));
    engine_close(e);
    engine_close(NULL);
}

static void test_second_open_of_same_dir_fails(void **state)
{
    fixture *f = *state;
    engine_options o;
    memset(&o, 0, sizeof o);
    o.data_dir = f->dir;
    o.stepped = true;
    engine *e = NULL;
    eddy_err err;
    eddy_err_clear(&err);
    assert_int_not_equal(engine_open(&o, &e, &err), 0);
    assert_non_null(strstr(err.msg, "in use"));
}

/* ---- CREATE STREAM ---------------------------------------------------------------------- */

static void test_create_stream_over_missing_topic_fails(void **state)
{
    fixture *f = *state;
    EXEC_ERR(f, "\n  CREATE STREAM S (ID INT) WITH (KAFKA_TOPIC='nope', VALUE_FORMAT='JSON');",
             EDDY_ENOTFOUND,
             "Topic 'nope' does not exist. If you want to create a new topic for the stream "
             "please re-run the statement providing the required 'PARTITIONS' configuration");
    assert_int_equal(f->err.line, 2);
    assert_int_equal(f->err.col, 3);
    assert_int_equal(f->nmsgs, 0);
    assert_int_equal(partitions_of(f, "nope"), EDDY_ENOTFOUND);
    /* Nothing was registered: the same statement with PARTITIONS now works. */
    EXEC_OK(f, "CREATE STREAM S (ID INT) WITH (KAFKA_TOPIC='nope', VALUE_FORMAT='JSON', "
               "PARTITIONS=1);");
}

static void test_create_stream_with_partitions_creates_topic(void **state)
{
    fixture *f = *state;
    EXEC_OK(f, "CREATE STREAM S (ID INT) WITH (KAFKA_TOPIC='s_topic', PARTITIONS=3, "
               "VALUE_FORMAT='JSON');");
    assert_int_equal(f->nmsgs, 1);
    assert_string_equal(f->msgs[0], "Stream created");
    assert_string_equal(f->qids[0], "");
    assert_int_equal(partitions_of(f, "s_topic"), 3);
    const plan_source *src = engine_source_for_topic(f->e, "s_topic");
    assert_non_null(src);
    assert_string_equal(src->name, "S");
    assert_int_equal(src->kind, PLAN_STREAM);
    assert_int_equal(src->value_format.kind, SERDE_JSON);
    assert_int_equal(engine_query_count(f->e), 0);
}

static void test_create_stream_over_existing_topic_keeps_it(void **state)
{
    fixture *f = *state;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(broker_topic_create(engine_broker(f->e), "existing", 2, NULL, &err), &err);
    /* PARTITIONS that disagree with the topic are not applied to an existing topic. */
    EXEC_OK(f, "CREATE STREAM S (ID INT) WITH (KAFKA_TOPIC='existing', VALUE_FORMAT='JSON');");
    assert_string_equal(f->msgs[0], "Stream created");
    assert_int_equal(partitions_of(f, "existing"), 2);
}

static void test_auto_create_topics_option(void **state)
{
    fixture *f = *state;
    engine_close(f->e);
    open_engine(f, true);
    EXEC_OK(f, "CREATE STREAM S (ID INT) WITH (KAFKA_TOPIC='auto', VALUE_FORMAT='JSON');");
    assert_int_equal(partitions_of(f, "auto"), 1);
}

static void test_duplicate_names(void **state)
{
    fixture *f = *state;
    EXEC_OK(f, INPUT_DDL);
    EXEC_ERR(f, INPUT_DDL, EDDY_EEXIST,
             "Cannot add stream 'INPUT': A stream with the same name already exists");
    assert_int_equal(f->err.line, 1);
    assert_int_equal(f->err.col, 15);       /* the name */
    /* Names are case-insensitive unless quoted. */
    EXEC_ERR(f, "CREATE STREAM input (X INT) WITH (KAFKA_TOPIC='input', VALUE_FORMAT='JSON');",
             EDDY_EEXIST, "Cannot add stream 'INPUT'");
    EXEC_ERR(f, "CREATE TABLE INPUT (X INT PRIMARY KEY, Y INT) WITH (KAFKA_TOPIC='input', "
                "VALUE_FORMAT='JSON');",
             EDDY_EEXIST, "Cannot add table 'INPUT': A stream with the same name already exists");
    EXEC_ERR(f, "CREATE STREAM INPUT AS SELECT * FROM INPUT;", EDDY_EEXIST,
             "Cannot add stream 'INPUT': A stream with the same name already exists");
    assert_int_equal(engine_query_count(f->e), 0);
    EXEC_OK(f, "CREATE STREAM IF NOT EXISTS INPUT (X INT) WITH (KAFKA_TOPIC='input', "
               "VALUE_FORMAT='JSON');");
    assert_string_equal(f->msgs[0], "Stream INPUT already exists.");
    /* The first definition stands. */
    const plan_source *src = engine_source_for_topic(f->e, "input");
    assert_int_equal(src->schema.ncols, 3);
    EXEC_OK(f, "CREATE STREAM `input` (X INT) WITH (KAFKA_TOPIC='input', VALUE_FORMAT='JSON');");
    assert_string_equal(f->msgs[0], "Stream created");
}

static void test_create_or_replace(void **state)
{
    fixture *f = *state;
    EXEC_OK(f, INPUT_DDL);
    EXEC_OK(f, "CREATE OR REPLACE STREAM INPUT (K STRING KEY, ID INT, NAME STRING, EXTRA "
               "BIGINT) WITH (KAFKA_TOPIC='input', VALUE_FORMAT='JSON');");
    assert_string_equal(f->msgs[0], "Stream created");
    const plan_source *src = engine_source_for_topic(f->e, "input");
    assert_non_null(src);
    assert_int_equal(src->schema.ncols, 4);
    assert_string_equal(src->schema.cols[3].name, "EXTRA");
    /* A query over the replaced stream sees the new column. */
    EXEC_OK(f, "CREATE STREAM OUT AS SELECT K, EXTRA FROM INPUT;");
    produce(f, "input", "k", "{\"ID\":1,\"NAME\":\"n\",\"EXTRA\":99}", 10, 0);
    assert_int_equal(run_query(f, "CSAS_OUT_0"), 1);
    assert_string_equal(dump(f, "OUT"), "k|{\"EXTRA\":99}|10\n");
}

/* ---- CREATE STREAM AS SELECT ------------------------------------------------------------ */

static void test_csas_processes_appended_records(void **state)
{
    fixture *f = *state;
    EXEC_OK(f, INPUT_DDL "\nCREATE STREAM OUT AS SELECT K, ID * 2 AS D, UCASE(NAME) AS N "
                         "FROM INPUT WHERE ID > 1;");
    assert_int_equal(f->nmsgs, 2);
    assert_string_equal(f->msgs[0], "Stream created");
    assert_string_equal(f->msgs[1], "Created query with ID CSAS_OUT_0");
    assert_string_equal(f->qids[1], "CSAS_OUT_0");
    assert_int_equal(engine_query_count(f->e), 1);
    assert_string_equal(engine_query_id(f->e, 0), "CSAS_OUT_0");
    /* The sink topic is named after the stream and has the input's partitions. */
    assert_int_equal(partitions_of(f, "OUT"), 1);
    assert_string_equal(dump(f, "OUT"), "");
    assert_int_equal(run_query(f, "CSAS_OUT_0"), 0);

    produce(f, "input", "a", "{\"ID\":1,\"NAME\":\"one\"}", 100, 0);
    produce(f, "input", "b", "{\"ID\":2,\"NAME\":\"two\"}", 200, 0);
    produce(f, "input", NULL, "{\"id\":3,\"name\":\"three\"}", 300, 0);
    assert_int_equal(run_query(f, "CSAS_OUT_0"), 3);
    assert_string_equal(dump(f, "OUT"), "b|{\"D\":4,\"N\":\"TWO\"}|200\n"
                                        "null|{\"D\":6,\"N\":\"THREE\"}|300\n");
    assert_string_equal(decode_values(f, "OUT"), "D=4, N=TWO\nD=6, N=THREE\n");
    /* Nothing new: nothing processed, nothing written twice. */
    assert_int_equal(run_query(f, "CSAS_OUT_0"), 0);
    produce(f, "input", "c", "{\"ID\":4,\"NAME\":\"four\"}", 400, 0);
    assert_int_equal(run_query(f, "CSAS_OUT_0"), 1);
    assert_string_equal(dump(f, "OUT"), "b|{\"D\":4,\"N\":\"TWO\"}|200\n"
                                        "null|{\"D\":6,\"N\":\"THREE\"}|300\n"
                                        "c|{\"D\":8,\"N\":\"FOUR\"}|400\n");
    assert_int_equal(f->nlogs, 0);
}

static void test_csas_over_partitions_keeps_key_partitioning(void **state)
{
    fixture *f = *state;
    EXEC_OK(f, "CREATE STREAM P (K STRING KEY, V INT) WITH (KAFKA_TOPIC='p', PARTITIONS=3, "
               "VALUE_FORMAT='JSON');"
               "CREATE STREAM P2 WITH (VALUE_FORMAT='DELIMITED') AS SELECT * FROM P;");
    assert_int_equal(partitions_of(f, "P2"), 3);
    static const char *const keys[] = {"a", "b", "c", "d", "e", "f"};
    for (int i = 0; i < 6; i++) {
        char v[32];
        snprintf(v, sizeof v, "{\"V\":%d}", i);
        produce(f, "p", keys[i], v, i, -1);
    }
    assert_int_equal(run_query(f, "CSAS_P2_0"), 6);
    /* Each output record lands in the partition its key hashes to, as the input did. */
    broker *b = engine_broker(f->e);
    int total = 0;
    for (int part = 0; part < 3; part++) {
        broker_log *in, *out;
        eddy_err err;
        eddy_err_clear(&err);
        EXPECT_OK(broker_log_get(b, "p", part, &in, &err), &err);
        EXPECT_OK(broker_log_get(b, "P2", part, &out, &err), &err);
        assert_int_equal(broker_log_end_offset(in), broker_log_end_offset(out));
        total += (int)broker_log_end_offset(out);
        broker_log_release(in);
        broker_log_release(out);
    }
    assert_int_equal(total, 6);
    assert_non_null(strstr(dump(f, "P2"), "d|3|3\n"));
}

static void test_csas_error_has_position_and_starts_nothing(void **state)
{
    fixture *f = *state;
    EXEC_OK(f, INPUT_DDL);
    EXEC_ERR(f, "CREATE STREAM A AS SELECT * FROM INPUT;\n"
                "CREATE STREAM B AS SELECT K, NOPE FROM INPUT;\n"
                "CREATE STREAM C AS SELECT * FROM INPUT;",
             EDDY_ENOTFOUND, "NOPE");
    assert_int_equal(f->err.line, 2);
    assert_int_equal(f->err.col, 30);
    /* Statements before the failing one ran; the ones after did not. */
    assert_int_equal(f->nmsgs, 1);
    assert_int_equal(engine_query_count(f->e), 1);
    assert_string_equal(engine_query_id(f->e, 0), "CSAS_A_0");
    assert_int_equal(partitions_of(f, "B"), EDDY_ENOTFOUND);
    assert_int_equal(partitions_of(f, "C"), EDDY_ENOTFOUND);
    EXEC_ERR(f, "CREATE STREAM X AS SELECT * FROM MISSING;", EDDY_ENOTFOUND, "MISSING");
    EXEC_ERR(f, "CREATE STREAM X AS SELECT K, ID + NAME FROM INPUT;", EDDY_ETYPE, "");
}

static void test_syntax_error_in_last_statement_runs_none(void **state)
{
    fixture *f = *state;
    EXEC_ERR(f, INPUT_DDL "\n"
                "CREATE STREAM OUT AS SELECT * FROM INPUT;\n"
                "CREATE STREAM OUT2 AS SELECT * FORM INPUT;",
             EDDY_EPARSE, "Syntax Error\nExpecting {',', 'FROM'}");
    assert_int_equal(f->err.line, 3);
    assert_int_equal(f->err.col, 32);
    assert_int_equal(f->nmsgs, 0);
    assert_int_equal(engine_query_count(f->e), 0);
    assert_null(engine_source_for_topic(f->e, "input"));
    assert_int_equal(partitions_of(f, "input"), EDDY_ENOTFOUND);
    /* Fixed, the same script runs whole. */
    EXEC_OK(f, INPUT_DDL "\n"
               "CREATE STREAM OUT AS SELECT * FROM INPUT;\n"
               "CREATE STREAM OUT2 AS SELECT * FROM INPUT;");
    assert_int_equal(f->nmsgs, 3);
    assert_int_equal(engine_query_count(f->e), 2);
    assert_string_equal(engine_query_id(f->e, 1), "CSAS_OUT2_1");
}

/* ---- processing log and bad records ----------------------------------------------------- */

static void test_undecodable_records_are_logged_and_skipped(void **state)
{
    fixture *f = *state;
    EXEC_OK(f, INPUT_DDL "CREATE STREAM OUT AS SELECT * FROM INPUT;");
    produce(f, "input", "a", "not json", 1, 0);
    produce(f, "input", "b", "{\"ID\":\"not a number\"}", 2, 0);
    produce(f, "input", "c", "{\"ID\":3,\"NAME\":\"ok\"}", 3, 0);
    assert_int_equal(run_query(f, "CSAS_OUT_0"), 3);
    assert_string_equal(dump(f, "OUT"), "c|{\"ID\":3,\"NAME\":\"ok\"}|3\n");
    assert_int_equal(f->nlogs, 2);
    assert_string_equal(f->log_qids[0], "CSAS_OUT_0");
    assert_non_null(strstr(f->logs[0], "Failed to deserialize value from topic input "
                                       "partition 0 offset 0"));
    assert_non_null(strstr(f->logs[1], "offset 1"));
    assert_non_null(strstr(f->logs[1], "ID"));
}

static void test_stream_null_values_pass_projection_not_filter(void **state)
{
    fixture *f = *state;
    /* ksqlDB: a stream record with a null value (a tombstone, or JSON null) is a null row: a
     * projection passes it on as a null value with its key, a WHERE drops it. */
    EXEC_OK(f, INPUT_DDL "CREATE STREAM ALL_ROWS AS SELECT * FROM INPUT;"
                         "CREATE STREAM SOME_ROWS AS SELECT * FROM INPUT WHERE ID IS NULL;");
    produce(f, "input", "a", NULL, 1, 0);
    produce(f, "input", "b", "null", 2, 0);
    produce(f, "input", "c", "{\"NAME\":\"x\"}", 3, 0);
    assert_int_equal(run_query(f, "CSAS_ALL_ROWS_0"), 3);
    assert_int_equal(run_query(f, "CSAS_SOME_ROWS_1"), 3);
    assert_string_equal(dump(f, "ALL_ROWS"),
                        "a|null|1\nb|null|2\nc|{\"ID\":null,\"NAME\":\"x\"}|3\n");
    assert_string_equal(dump(f, "SOME_ROWS"), "c|{\"ID\":null,\"NAME\":\"x\"}|3\n");
    /* Null values are not errors. */
    assert_int_equal(f->nlogs, 0);
}

static void test_expression_errors_reach_processing_log(void **state)
{
    fixture *f = *state;
    EXEC_OK(f, INPUT_DDL "CREATE STREAM OUT AS SELECT K, 100 / ID AS Q FROM INPUT;");
    produce(f, "input", "a", "{\"ID\":0}", 1, 0);
    produce(f, "input", "b", "{\"ID\":50}", 2, 0);
    assert_int_equal(run_query(f, "CSAS_OUT_0"), 2);
    assert_string_equal(dump(f, "OUT"), "a|{\"Q\":null}|1\nb|{\"Q\":2}|2\n");
    assert_int_equal(f->nlogs, 1);
    assert_non_null(strstr(f->logs[0], "/ by zero"));
}

static void test_null_timestamp_column_skips_record(void **state)
{
    fixture *f = *state;
    EXEC_OK(f, "CREATE STREAM T (ID INT, TS BIGINT) WITH (KAFKA_TOPIC='t', PARTITIONS=1, "
               "VALUE_FORMAT='JSON', TIMESTAMP='TS');"
               "CREATE STREAM T2 AS SELECT ID FROM T;");
    produce(f, "t", NULL, "{\"ID\":1,\"TS\":777}", 1, 0);
    produce(f, "t", NULL, "{\"ID\":2}", 2, 0);
    assert_int_equal(run_query(f, "CSAS_T2_0"), 2);
    assert_string_equal(dump(f, "T2"), "null|{\"ID\":1}|777\n");
    assert_int_equal(f->nlogs, 1);
    assert_non_null(strstr(f->logs[0], "timestamp"));
}

/* ---- INSERT ----------------------------------------------------------------------------- */

static void test_insert_into_from_second_stream(void **state)
{
    fixture *f = *state;
    EXEC_OK(f, INPUT_DDL "CREATE STREAM OUT AS SELECT K, ID, NAME FROM INPUT;"
                         "CREATE STREAM OTHER (K STRING KEY, ID INT, NAME STRING) WITH "
                         "(KAFKA_TOPIC='other', PARTITIONS=1, VALUE_FORMAT='JSON');");
    EXEC_OK(f, "INSERT INTO OUT SELECT K, ID + 100 AS ID, NAME FROM OTHER;");
    assert_int_equal(f->nmsgs, 1);
    assert_string_equal(f->msgs[0], "Created query with ID INSERTQUERY_1");
    assert_string_equal(f->qids[0], "INSERTQUERY_1");
    assert_int_equal(engine_query_count(f->e), 2);
    produce(f, "input", "a", "{\"ID\":1,\"NAME\":\"in\"}", 10, 0);
    produce(f, "other", "b", "{\"ID\":2,\"NAME\":\"other\"}", 20, 0);
    assert_int_equal(run_query(f, "CSAS_OUT_0"), 1);
    assert_int_equal(run_query(f, "INSERTQUERY_1"), 1);
    assert_string_equal(dump(f, "OUT"), "a|{\"ID\":1,\"NAME\":\"in\"}|10\n"
                                        "b|{\"ID\":102,\"NAME\":\"other\"}|20\n");
    /* The target must exist, and its schema must match. */
    EXEC_ERR(f, "INSERT INTO NOWHERE SELECT * FROM OTHER;", EDDY_ENOTFOUND, "NOWHERE");
    EXEC_ERR(f, "INSERT INTO OUT SELECT K, NAME FROM OTHER;", EDDY_ETYPE, "");
}

static void test_insert_values_with_and_without_rowtime(void **state)
{
    fixture *f = *state;
    EXEC_OK(f, INPUT_DDL);
    EXEC_OK(f, "INSERT INTO INPUT (ROWTIME, K, ID, NAME) VALUES (123, 'k1', 5, 'x');\n"
               "INSERT INTO INPUT (K, NAME) VALUES ('k2', 'it''s');\n"
               "INSERT INTO INPUT VALUES ('k3', 7, NULL);");
    assert_int_equal(f->nmsgs, 3);
    assert_string_equal(dump(f, "input"), "k1|{\"ID\":5,\"NAME\":\"x\"}|123\n"
                                          "k2|{\"ID\":null,\"NAME\":\"it's\"}|5000\n"
                                          "k3|{\"ID\":7,\"NAME\":null}|5000\n");
    EXEC_ERR(f, "INSERT INTO INPUT (K, ID) VALUES ('k', 'not a number');", EDDY_ETYPE, "");
    EXEC_ERR(f, "INSERT INTO MISSING (K) VALUES ('k');", EDDY_ENOTFOUND, "MISSING");
    /* Inserted rows are input like any other. */
    EXEC_OK(f, "CREATE STREAM OUT AS SELECT K, NAME FROM INPUT WHERE ID IS NOT NULL;");
    assert_int_equal(run_query(f, "CSAS_OUT_0"), 3);
    assert_string_equal(dump(f, "OUT"), "k1|{\"NAME\":\"x\"}|123\nk3|{\"NAME\":null}|5000\n");
}

/* ---- DROP ------------------------------------------------------------------------------- */

static void test_drop_source_in_use_fails(void **state)
{
    fixture *f = *state;
    EXEC_OK(f, INPUT_DDL "CREATE STREAM OUT AS SELECT * FROM INPUT;");
    EXEC_ERR(f, "DROP STREAM INPUT;", EDDY_EINVAL,
             "Cannot drop INPUT.\nThe following queries read from this source: [CSAS_OUT_0].\n"
             "You need to terminate them before dropping INPUT.");
    EXEC_ERR(f, "DROP STREAM OUT;", EDDY_EINVAL,
             "Cannot drop OUT.\nThe following queries write into this source: [CSAS_OUT_0].");
    /* Both are still there and the query still runs. */
    assert_non_null(engine_source_for_topic(f->e, "input"));
    assert_non_null(engine_source_for_topic(f->e, "OUT"));
    produce(f, "input", "a", "{\"ID\":1}", 1, 0);
    assert_int_equal(run_query(f, "CSAS_OUT_0"), 1);
}

static void test_drop_unused_source(void **state)
{
    fixture *f = *state;
    EXEC_OK(f, INPUT_DDL "CREATE STREAM S2 (ID INT) WITH (KAFKA_TOPIC='s2', PARTITIONS=1, "
                         "VALUE_FORMAT='JSON');");
    EXEC_OK(f, "DROP STREAM INPUT;");
    assert_string_equal(f->msgs[0], "Source `INPUT` (topic: input) was dropped.");
    assert_null(engine_source_for_topic(f->e, "input"));
    assert_int_equal(partitions_of(f, "input"), 1);        /* the topic stays */
    EXEC_ERR(f, "DROP STREAM INPUT;", EDDY_ENOTFOUND, "Stream INPUT does not exist");
    EXEC_OK(f, "DROP STREAM IF EXISTS INPUT;");
    assert_string_equal(f->msgs[0], "Source `INPUT` does not exist.");
    EXEC_OK(f, "DROP STREAM S2 DELETE TOPIC;");
    assert_int_equal(partitions_of(f, "s2"), EDDY_ENOTFOUND);
    /* The name is free again. */
    EXEC_OK(f, INPUT_DDL);
    assert_string_equal(f->msgs[0], "Stream created");
}

/* ---- SET, DEFINE, EXPLAIN, unsupported statements --------------------------------------- */

static void test_set_properties_affect_later_statements(void **state)
{
    fixture *f = *state;
    EXEC_OK(f, INPUT_DDL);
    EXEC_OK(f, "SET 'ksql.output.topic.name.prefix'='pre-';");
    assert_string_equal(f->msgs[0],
                        "Successfully changed local property 'ksql.output.topic.name.prefix' "
                        "to 'pre-'.");
    EXEC_OK(f, "SET 'ksql.persistence.wrap.single.values'='false';"
               "CREATE STREAM ONE AS SELECT K, NAME FROM INPUT;");
    assert_int_equal(partitions_of(f, "pre-ONE"), 1);
    assert_int_equal(partitions_of(f, "ONE"), EDDY_ENOTFOUND);
    produce(f, "input", "a", "{\"ID\":1,\"NAME\":\"n\"}", 1, 0);
    assert_int_equal(run_query(f, "CSAS_ONE_0"), 1);
    assert_string_equal(dump(f, "pre-ONE"), "a|\"n\"|1\n");
    /* UNSET restores the defaults for statements after it. */
    EXEC_OK(f, "UNSET 'ksql.output.topic.name.prefix';"
               "UNSET 'ksql.persistence.wrap.single.values';"
               "CREATE STREAM TWO AS SELECT K, NAME FROM INPUT;");
    assert_string_equal(f->msgs[0],
                        "Successfully unset local property 'ksql.output.topic.name.prefix'.");
    assert_int_equal(partitions_of(f, "TWO"), 1);
    assert_int_equal(run_query(f, "CSAS_TWO_1"), 1);
    assert_string_equal(dump(f, "TWO"), "a|{\"NAME\":\"n\"}|1\n");
    /* The C API sets the same properties. */
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(engine_set_property(f->e, "ksql.output.topic.name.prefix", "api-", &err), &err);
    EXEC_OK(f, "CREATE STREAM THREE AS SELECT * FROM INPUT;");
    assert_int_equal(partitions_of(f, "api-THREE"), 1);
}

static void test_define_substitutes_variables(void **state)
{
    fixture *f = *state;
    EXEC_OK(f, "DEFINE tname = 'from_var';");
    EXEC_OK(f, "CREATE STREAM V (ID INT) WITH (KAFKA_TOPIC='${tname}', PARTITIONS=1, "
               "VALUE_FORMAT='JSON');");
    assert_non_null(engine_source_for_topic(f->e, "from_var"));
    EXEC_OK(f, "UNDEFINE tname;");
    EXEC_ERR(f, "CREATE STREAM W (ID INT) WITH (KAFKA_TOPIC='${tname}', PARTITIONS=1, "
                "VALUE_FORMAT='JSON');",
             EDDY_EINVAL, "invalid topic name '${tname}'");   /* left as written */
}

static void test_explain_returns_plan_text(void **state)
{
    fixture *f = *state;
    EXEC_OK(f, INPUT_DDL);
    EXEC_OK(f, "EXPLAIN CREATE STREAM OUT AS SELECT K, ID FROM INPUT WHERE ID > 10;");
    assert_int_equal(f->nmsgs, 1);
    assert_non_null(f->text);
    assert_string_equal(f->text,
                        "[0] SOURCE INPUT topic=input key=KAFKA value=JSON\n"
                        "    schema: K STRING KEY, ID INTEGER, NAME STRING, ROWTIME BIGINT "
                        "PSEUDO, ROWPARTITION INTEGER PSEUDO, ROWOFFSET BIGINT PSEUDO\n"
                        "[1] FILTER (ID > 10)\n"
                        "[2] PROJECT K, ID\n"
                        "    schema: K STRING KEY, ID INTEGER\n"
                        "[3] SINK topic=OUT partitions=1 key=KAFKA value=JSON\n"
                        "    schema: K STRING KEY, ID INTEGER\n");
    /* EXPLAIN neither registers nor starts anything. */
    assert_int_equal(engine_query_count(f->e), 0);
    assert_int_equal(partitions_of(f, "OUT"), EDDY_ENOTFOUND);
}

static void test_unsupported_statements(void **state)
{
    fixture *f = *state;
    EXEC_OK(f, INPUT_DDL);
    EXEC_ERR(f, "SELECT * FROM INPUT EMIT CHANGES;", EDDY_EUNSUPPORTED, "Transient queries");
    EXEC_ERR(f, "SHOW STREAMS;", EDDY_EUNSUPPORTED, "is not supported here yet.");
    eddy_err err;
    eddy_err_clear(&err);
    assert_int_equal(engine_query_run(f->e, "CSAS_NOPE_0", &err), EDDY_ENOTFOUND);
    assert_non_null(strstr(err.msg, "CSAS_NOPE_0"));
}

static void test_null_callback_and_empty_input(void **state)
{
    fixture *f = *state;
    const char *sql = INPUT_DDL;
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(engine_execute(f->e, sql, strlen(sql), NULL, NULL, &err), &err);
    assert_non_null(engine_source_for_topic(f->e, "input"));
    EXEC_OK(f, "");
    EXEC_OK(f, "-- only a comment\n");
    assert_int_equal(f->nmsgs, 0);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_open_creates_data_dir_and_close),
        T(test_second_open_of_same_dir_fails),
        T(test_create_stream_over_missing_topic_fails),
        T(test_create_stream_with_partitions_creates_topic),
        T(test_create_stream_over_existing_topic_keeps_it),
        T(test_auto_create_topics_option),
        T(test_duplicate_names),
        T(test_create_or_replace),
        T(test_csas_processes_appended_records),
        T(test_csas_over_partitions_keeps_key_partitioning),
        T(test_csas_error_has_position_and_starts_nothing),
        T(test_syntax_error_in_last_statement_runs_none),
        T(test_undecodable_records_are_logged_and_skipped),
        T(test_stream_null_values_pass_projection_not_filter),
        T(test_expression_errors_reach_processing_log),
        T(test_null_timestamp_column_skips_record),
        T(test_insert_into_from_second_stream),
        T(test_insert_values_with_and_without_rowtime),
        T(test_drop_source_in_use_fails),
        T(test_drop_unused_source),
        T(test_set_properties_affect_later_statements),
        T(test_define_substitutes_variables),
        T(test_explain_returns_plan_text),
        T(test_unsupported_statements),
        T(test_null_callback_and_empty_input),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
