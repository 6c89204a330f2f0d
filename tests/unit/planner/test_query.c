/* Unit tests: queries - CREATE STREAM AS SELECT, INSERT INTO ... SELECT, transient SELECT,
 * EXPLAIN: steps and schemas, key handling, generated column names, PARTITION BY,
 * table functions, sink topic naming, partitions and formats, and ksqlDB's errors. */
#include "plan_util.h"

static pt_ctx *setup_input(void)
{
    pt_ctx *t = pt_new();
    pt_topic(t, "input_topic", 4);
    PT_OK(t, "CREATE STREAM INPUT (K STRING KEY, ID BIGINT, NAME STRING, S STRUCT<F INT>, "
             "ARR ARRAY<INT>, M MAP<STRING, INT>) WITH (kafka_topic='input_topic', "
             "value_format='JSON');");
    return t;
}

static void test_csas_select_star_sink(void **state)
{
    (void)state;
    pt_ctx *t = setup_input();
    PT_OK(t, "CREATE STREAM OUTPUT AS SELECT * FROM INPUT;");
    const plan_stmt *ps = t->last;
    assert_int_equal(ps->kind, PLAN_CREATE_AS);
    const plan_query *q = ps->query;
    assert_int_equal(q->nsteps, 3);
    assert_int_equal(q->steps[0].kind, PLAN_STEP_SOURCE);
    assert_int_equal(q->steps[1].kind, PLAN_STEP_PROJECT);
    assert_int_equal(q->steps[2].kind, PLAN_STEP_SINK);
    assert_string_equal(pt_schema(t, &q->steps[0].out),
                        "K STRING KEY, ID BIGINT, NAME STRING, S STRUCT<`F` INTEGER>, "
                        "ARR ARRAY<INTEGER>, M MAP<STRING, INTEGER>, ROWTIME BIGINT PSEUDO, "
                        "ROWPARTITION INTEGER PSEUDO, ROWOFFSET BIGINT PSEUDO");
    assert_string_equal(pt_schema(t, &q->steps[2].out),
                        "K STRING KEY, ID BIGINT, NAME STRING, S STRUCT<`F` INTEGER>, "
                        "ARR ARRAY<INTEGER>, M MAP<STRING, INTEGER>");
    assert_string_equal(q->sink.topic, "OUTPUT");
    assert_int_equal(q->sink.partitions, 4);              /* the source topic's */
    assert_int_equal(q->sink.key_format.kind, SERDE_KAFKA);
    assert_int_equal(q->sink.value_format.kind, SERDE_JSON);
    assert_int_equal(ps->create_partitions, 4);
    assert_string_equal(ps->source->name, "OUTPUT");
    assert_ptr_equal(q->source, pt_lookup(t, "INPUT"));
    assert_int_equal(q->limit, -1);
    pt_free(t);
}

static void test_csas_topic_naming_and_formats(void **state)
{
    (void)state;
    pt_ctx *t = setup_input();
    PT_OK(t, "CREATE STREAM O1 WITH (KAFKA_TOPIC='Fred', PARTITIONS=2, KEY_FORMAT='JSON', "
             "VALUE_FORMAT='DELIMITED') AS SELECT K, ID, NAME FROM INPUT;");
    assert_string_equal(t->last->query->sink.topic, "Fred");
    assert_int_equal(t->last->query->sink.partitions, 2);
    assert_int_equal(t->last->query->sink.key_format.kind, SERDE_JSON);
    assert_int_equal(t->last->query->sink.value_format.kind, SERDE_DELIMITED);
    PT_OK(t, "SET 'ksql.output.topic.name.prefix'='some-prefix-';");
    PT_OK(t, "CREATE STREAM O2 AS SELECT * FROM INPUT;");
    assert_string_equal(t->last->query->sink.topic, "some-prefix-O2");
    PT_OK(t, "CREATE STREAM `lower` WITH (KAFKA_TOPIC='x') AS SELECT * FROM INPUT;");
    assert_string_equal(t->last->source->name, "lower");
    PT_ERR(t, "CREATE STREAM O3 WITH (value_format='kafka') AS SELECT * FROM INPUT;",
           EDDY_ETYPE, "The 'KAFKA' format only supports a single field.");
    PT_ERR(t, "CREATE STREAM O4 WITH (WRAP_SINGLE_VALUE=true) AS SELECT * FROM INPUT;",
           EDDY_ETYPE, "'WRAP_SINGLE_VALUE' is only valid for single-field value schemas");
    PT_OK(t, "CREATE STREAM O5 WITH (WRAP_SINGLE_VALUE=false) AS SELECT K, NAME FROM INPUT;");
    assert_int_equal(t->last->query->sink.value_format.wrap_single, 0);
    pt_free(t);
}

static void test_generated_names(void **state)
{
    (void)state;
    pt_ctx *t = setup_input();
    PT_OK(t, "CREATE STREAM O AS SELECT K, ID + 1, S->F, ABS(ID), NAME AS N, "
             "I.NAME FROM INPUT I;");
    assert_string_equal(pt_schema(t, &t->last->source->schema),
                        "K STRING KEY, KSQL_COL_0 BIGINT, F INTEGER, KSQL_COL_1 BIGINT, "
                        "N STRING, NAME STRING");
    pt_free(t);
}

static void test_key_rules(void **state)
{
    (void)state;
    pt_ctx *t = setup_input();
    PT_ERR(t, "CREATE STREAM O AS SELECT NAME FROM INPUT;", EDDY_ETYPE,
           "The query used to build `O` must include the key column K in its projection "
           "(eg, SELECT K...).");
    PT_ERR(t, "CREATE STREAM O AS SELECT K, K AS K2, NAME FROM INPUT;", EDDY_ETYPE,
           "The projection contains a key column (`K`) more than once, aliased as: K and K2.");
    PT_OK(t, "CREATE STREAM O AS SELECT ID, K AS NEWK, AS_VALUE(K) AS KCOPY FROM INPUT;");
    assert_string_equal(pt_schema(t, &t->last->source->schema),
                        "NEWK STRING KEY, ID BIGINT, KCOPY STRING");
    /* a transient query keeps the select order */
    PT_OK(t, "SELECT ID, K FROM INPUT EMIT CHANGES LIMIT 3;");
    assert_int_equal(t->last->kind, PLAN_QUERY);
    assert_int_equal(t->last->query->limit, 3);
    assert_string_equal(pt_schema(t, &t->last->query->steps[1].out), "ID BIGINT, K STRING KEY");
    assert_null(pt_step(t->last->query, PLAN_STEP_SINK));
    pt_free(t);
}

static void test_reserved_names_in_select(void **state)
{
    (void)state;
    pt_ctx *t = setup_input();
    PT_ERR(t, "CREATE STREAM O AS SELECT K, ROWTIME FROM INPUT;", EDDY_ETYPE,
           "Reserved column name in select: `ROWTIME`. Please remove or alias the column.");
    PT_ERR(t, "CREATE STREAM O AS SELECT K, ID AS ROWPARTITION FROM INPUT;", EDDY_ETYPE,
           "`ROWPARTITION` is a reserved column name. You cannot use it as an alias for a "
           "column.");
    PT_OK(t, "CREATE STREAM O AS SELECT K, ROWTIME AS RT, ROWOFFSET + 1 AS RO FROM INPUT;");
    assert_string_equal(pt_schema(t, &t->last->source->schema),
                        "K STRING KEY, RT BIGINT, RO BIGINT");
    PT_OK(t, "SELECT ROWTIME, ROWPARTITION FROM INPUT EMIT CHANGES;");
    pt_free(t);
}

static void test_partition_by_rekeys(void **state)
{
    (void)state;
    pt_ctx *t = setup_input();
    PT_OK(t, "CREATE STREAM O AS SELECT * FROM INPUT PARTITION BY NAME;");
    const plan_query *q = t->last->query;
    const plan_step *rk = pt_step(q, PLAN_STEP_REKEY);
    assert_non_null(rk);
    assert_int_equal(rk->out.cols[0].role, PLAN_COL_KEY);
    assert_string_equal(rk->out.cols[0].name, "NAME");
    assert_int_equal(rk->out.cols[1].role, PLAN_COL_VALUE);   /* the old key K */
    assert_string_equal(rk->out.cols[1].name, "K");
    /* value: values not partitioned by, then the old key */
    assert_string_equal(pt_schema(t, &t->last->source->schema),
                        "NAME STRING KEY, ID BIGINT, S STRUCT<`F` INTEGER>, ARR ARRAY<INTEGER>, "
                        "M MAP<STRING, INTEGER>, K STRING");
    PT_OK(t, "CREATE STREAM O2 AS SELECT * FROM INPUT PARTITION BY ABS(ID);");
    assert_string_equal(t->last->source->schema.cols[0].name, "KSQL_COL_0");
    assert_int_equal(t->last->source->schema.cols[0].role, PLAN_COL_KEY);
    PT_OK(t, "CREATE STREAM O3 AS SELECT ABS(ID) AS AK, NAME FROM INPUT PARTITION BY ABS(ID);");
    assert_string_equal(pt_schema(t, &t->last->source->schema), "AK BIGINT KEY, NAME STRING");
    PT_OK(t, "CREATE STREAM O4 WITH (KEY_FORMAT='JSON') AS SELECT ID, NAME, K FROM INPUT "
             "PARTITION BY NAME, ID;");
    assert_string_equal(pt_schema(t, &t->last->source->schema),
                        "NAME STRING KEY, ID BIGINT KEY, K STRING");
    PT_OK(t, "CREATE STREAM O5 AS SELECT * FROM INPUT PARTITION BY NULL;");
    assert_int_equal(t->last->source->schema.cols[0].role, PLAN_COL_VALUE);
    PT_ERR(t, "CREATE STREAM O6 AS SELECT * FROM INPUT PARTITION BY NAME, ID;", EDDY_ETYPE,
           "The 'KAFKA' format only supports a single field.");
    PT_ERR(t, "CREATE STREAM O7 AS SELECT * FROM INPUT PARTITION BY NULL, ID;", EDDY_ETYPE,
           "Cannot PARTITION BY multiple columns including NULL");
    PT_ERR(t, "CREATE STREAM O8 AS SELECT * FROM INPUT PARTITION BY M;", EDDY_ETYPE,
           "Key column name: `M`. Column type: MAP<STRING, INTEGER>.");
    PT_ERR(t, "CREATE STREAM O9 AS SELECT K, ID FROM INPUT PARTITION BY NAME;", EDDY_ETYPE,
           "must include the partitioning expression INPUT.NAME in its projection");
    pt_free(t);
}

/* After PARTITION BY, the projection takes the new key from the REKEY step instead of
 * computing the partitioning expression again (ksqlDB keeps the key as it is). */
static void test_partition_by_projection_reads_new_key(void **state)
{
    (void)state;
    pt_ctx *t = setup_input();
    PT_OK(t, "CREATE STREAM O AS SELECT ID * 2, NAME FROM INPUT PARTITION BY ID * 2;");
    const plan_query *q = t->last->query;
    const plan_step *rk = pt_step(q, PLAN_STEP_REKEY);
    const plan_step *pj = pt_step(q, PLAN_STEP_PROJECT);
    assert_non_null(rk);
    assert_non_null(pj);
    assert_int_equal(pj->out.cols[0].role, PLAN_COL_KEY);
    assert_int_equal(pj->exprs[0]->kind, FN_COLUMN);
    assert_int_equal(pj->exprs[0]->u.index, 0);
    assert_int_equal(rk->out.cols[0].role, PLAN_COL_KEY);
    pt_free(t);
}

/* The long form of ksqlDB's map-key message fits in eddy_err. */
static void test_long_error_messages_kept_whole(void **state)
{
    (void)state;
    pt_ctx *t = setup_input();
    PT_ERR(t, "CREATE STREAM O AS SELECT * FROM INPUT PARTITION BY M;", EDDY_ETYPE,
           "Map keys, including types that contain maps, are not supported as they may lead to "
           "unexpected behavior due to inconsistent serialization. Key column name: `M`. Column "
           "type: MAP<STRING, INTEGER>. See https://github.com/confluentinc/ksql/issues/6621 "
           "for more.");
    pt_free(t);
}

/* Sink key formats ksqlDB does not simply inherit. */
static void test_sink_key_format_none_rules(void **state)
{
    (void)state;
    pt_ctx *t = setup_input();
    PT_OK(t, "CREATE STREAM KEYLESS (A INT, B STRING) WITH (kafka_topic='input_topic', "
             "key_format='NONE', value_format='JSON');");
    /* An inherited NONE with key columns takes the default key format. */
    PT_OK(t, "CREATE STREAM O1 AS SELECT * FROM KEYLESS PARTITION BY B;");
    assert_int_equal(t->last->query->sink.key_format.kind, SERDE_KAFKA);
    PT_OK(t, "SET 'ksql.persistence.default.format.key'='JSON';");
    PT_OK(t, "CREATE STREAM O2 AS SELECT * FROM KEYLESS PARTITION BY A;");
    assert_int_equal(t->last->query->sink.key_format.kind, SERDE_JSON);
    /* Without key columns NONE stays. */
    PT_OK(t, "CREATE STREAM O3 AS SELECT * FROM KEYLESS;");
    assert_int_equal(t->last->query->sink.key_format.kind, SERDE_NONE);
    /* An explicit NONE with key columns is still an error. */
    PT_ERR(t, "CREATE STREAM O4 WITH (key_format='NONE') AS SELECT * FROM KEYLESS "
              "PARTITION BY A;", EDDY_ETYPE,
           "The 'NONE' format can only be used when no columns are defined. Got: [`A` INTEGER "
           "KEY]");
    /* PARTITION BY NULL leaves no key: NONE, and another explicit format is an error. */
    PT_OK(t, "CREATE STREAM O5 AS SELECT * FROM INPUT PARTITION BY NULL;");
    assert_int_equal(t->last->query->sink.key_format.kind, SERDE_NONE);
    PT_ERR(t, "CREATE STREAM O6 WITH (key_format='KAFKA') AS SELECT * FROM INPUT "
              "PARTITION BY NULL;", EDDY_ETYPE,
           "Key format specified for stream without key columns.");
    pt_free(t);
}

static void test_table_functions_flatmap(void **state)
{
    (void)state;
    pt_ctx *t = setup_input();
    PT_OK(t, "CREATE STREAM O AS SELECT K, EXPLODE(ARR) AS V, EXPLODE(ARR) + 1 AS W "
             "FROM INPUT;");
    const plan_query *q = t->last->query;
    const plan_step *fm = pt_step(q, PLAN_STEP_FLATMAP);
    assert_non_null(fm);
    assert_int_equal(fm->ntfns, 2);
    assert_non_null(fm->tfns[0]->u.call.table_fn);
    assert_int_equal(fm->out.ncols, q->steps[0].out.ncols + 2);
    assert_string_equal(pt_schema(t, &t->last->source->schema),
                        "K STRING KEY, V INTEGER, W INTEGER");
    PT_ERR(t, "CREATE STREAM O2 AS SELECT * FROM INPUT WHERE EXPLODE(ARR) > 1;", EDDY_ETYPE,
           "Table functions");
    pt_free(t);
}

static void test_insert_into(void **state)
{
    (void)state;
    pt_ctx *t = setup_input();
    pt_topic(t, "other", 2);
    PT_OK(t, "CREATE STREAM OUT (K STRING KEY, ID BIGINT) WITH (kafka_topic='other', "
             "value_format='DELIMITED');");
    PT_OK(t, "INSERT INTO OUT SELECT K, ID FROM INPUT;");
    const plan_stmt *ps = t->last;
    assert_int_equal(ps->kind, PLAN_INSERT_INTO);
    assert_string_equal(ps->query->sink.topic, "other");
    assert_int_equal(ps->query->sink.partitions, 2);
    assert_int_equal(ps->query->sink.value_format.kind, SERDE_DELIMITED);
    assert_ptr_equal(ps->source, pt_lookup(t, "OUT"));
    PT_ERR(t, "INSERT INTO OUT SELECT K, NAME AS ID FROM INPUT;", EDDY_ETYPE,
           "Incompatible schema between results and sink.");
    PT_ERR(t, "INSERT INTO OUT SELECT K, ID, NAME FROM INPUT;", EDDY_ETYPE,
           "Incompatible schema between results and sink.");
    PT_ERR(t, "INSERT INTO OUT SELECT K, ROWOFFSET FROM INPUT;", EDDY_ETYPE,
           "Reserved column name in select: `ROWOFFSET`.");
    PT_ERR(t, "INSERT INTO NOPE SELECT * FROM INPUT;", EDDY_ENOTFOUND,
           "Line: 1, Col: 13: Source `NOPE` does not exist.");
    PT_OK(t, "CREATE SOURCE STREAM RO (K STRING KEY, ID BIGINT) WITH (kafka_topic='ro', "
             "value_format='JSON');");
    PT_ERR(t, "INSERT INTO RO SELECT K, ID FROM INPUT;", EDDY_ETYPE,
           "Cannot insert into read-only stream: RO");
    /* the read-only check comes after the query is planned, as in ksqlDB */
    PT_ERR(t, "INSERT INTO RO SELECT K, NAME FROM INPUT;", EDDY_ETYPE,
           "Incompatible schema between results and sink.");
    PT_OK(t, "CREATE SOURCE TABLE RT (K STRING PRIMARY KEY, ID BIGINT) WITH (kafka_topic='rt', "
             "value_format='JSON');");
    PT_ERR(t, "INSERT INTO RT SELECT K, ID FROM INPUT;", EDDY_ETYPE,
           "INSERT INTO can only be used to insert into a stream. RT is a table.");
    PT_OK(t, "CREATE STREAM HS (K STRING KEY, ID BIGINT, H BYTES HEADER('h')) WITH "
             "(kafka_topic='hs', value_format='JSON');");
    PT_ERR(t, "INSERT INTO HS SELECT K, ID FROM INPUT;", EDDY_ETYPE,
           "Cannot insert into HS because it has header columns");
    pt_free(t);
}

static void test_unknown_sources_and_unsupported(void **state)
{
    (void)state;
    pt_ctx *t = setup_input();
    PT_ERR(t, "CREATE STREAM O AS SELECT * FROM NOPE;", EDDY_ENOTFOUND, "NOPE does not exist");
    PT_ERR(t, "CREATE STREAM O AS SELECT K, COUNT(*) FROM INPUT GROUP BY K;", EDDY_ETYPE,
           "Your SELECT query produces a TABLE");
    PT_ERR(t, "CREATE STREAM O AS SELECT * FROM INPUT A JOIN INPUT B WITHIN 1 SECOND "
              "ON A.K = B.K;", EDDY_EUNSUPPORTED,
           "Self-joins (both sides over one topic) are not supported yet");
    PT_ERR(t, "CREATE STREAM O AS SELECT K, unknown.* FROM INPUT i;", EDDY_ENOTFOUND,
           "'UNKNOWN' is not a valid stream/table name or alias.");
    PT_ERR(t, "CREATE STREAM O AS SELECT K, I.BOB FROM INPUT I;", EDDY_ENOTFOUND,
           "SELECT column 'I.BOB' cannot be resolved.");
    pt_free(t);
}

static void test_timestamps(void **state)
{
    (void)state;
    pt_ctx *t = pt_new();
    PT_OK(t, "CREATE STREAM S (K STRING KEY, ID BIGINT, TS BIGINT) WITH (kafka_topic='s', "
             "value_format='JSON', timestamp='TS');");
    PT_OK(t, "CREATE STREAM O WITH (timestamp='sink_ts') AS SELECT K, ID AS SINK_TS FROM S;");
    const plan_query *q = t->last->query;
    const plan_step *src = &q->steps[0], *sink = pt_step(q, PLAN_STEP_SINK);
    assert_non_null(src->timestamp);
    assert_int_equal(src->timestamp->kind, FN_COLUMN);
    assert_int_equal(src->timestamp->u.index, 2);
    assert_non_null(sink->timestamp);
    assert_int_equal(sink->timestamp->kind, FN_COLUMN);
    assert_int_equal(sink->timestamp->u.index, 1);
    assert_int_equal(t->last->source->timestamp_col, 1);
    if (fn_scalar_find("STRINGTOTIMESTAMP")) {
        PT_OK(t, "CREATE STREAM S2 (K STRING KEY, TS STRING) WITH (kafka_topic='s', "
                 "value_format='JSON', timestamp='TS', timestamp_format='yyyy-MM-dd');");
        PT_OK(t, "CREATE STREAM O2 AS SELECT * FROM S2;");
        assert_int_equal(t->last->query->steps[0].timestamp->kind, FN_CALL);
        assert_int_equal(t->last->query->steps[0].timestamp->type->kind, EDDY_T_BIGINT);
    }
    pt_free(t);
}

/* Sources over windowed keys (WINDOW_TYPE): WINDOWSTART/WINDOWEND are pseudo columns of the
 * source, string comparisons with them read timestamps, the sink keeps the window, and what
 * would change the key (and so lose the window) is rejected as ksqlDB does. */
static void test_windowed_source(void **state)
{
    (void)state;
    pt_ctx *t = pt_new();
    PT_OK(t, "CREATE STREAM W (K STRING KEY, V INT) WITH (kafka_topic='w', value_format='JSON', "
             "WINDOW_TYPE='Session');");
    PT_OK(t, "CREATE STREAM O AS SELECT K, V, WINDOWSTART AS WS, WINDOWEND AS WE FROM W "
             "WHERE WINDOWSTART BETWEEN '2020-02-10T08:31:44.001+0000' AND "
             "'2020-02-10T08:31:44.011+0000';");
    const plan_query *q = t->last->query;
    assert_string_equal(pt_schema(t, &q->steps[0].out),
                        "K STRING KEY, V INTEGER, ROWTIME BIGINT PSEUDO, ROWPARTITION INTEGER "
                        "PSEUDO, ROWOFFSET BIGINT PSEUDO, WINDOWSTART BIGINT PSEUDO, "
                        "WINDOWEND BIGINT PSEUDO");
    assert_string_equal(pt_schema(t, &t->last->source->schema),
                        "K STRING KEY, V INTEGER, WS BIGINT, WE BIGINT");
    assert_int_equal(t->last->source->window.kind, PLAN_WINDOW_SESSION);
    const plan_step *f = pt_step(q, PLAN_STEP_FILTER);
    assert_non_null(f);
    assert_int_equal(f->predicate->kind, FN_BETWEEN);
    assert_int_equal(f->predicate->args[0]->kind, FN_COLUMN);
    assert_int_equal(f->predicate->args[0]->u.index, 5);
    assert_int_equal(f->predicate->args[1]->kind, FN_LITERAL);
    assert_int_equal(f->predicate->args[1]->type->kind, EDDY_T_BIGINT);
    assert_true(f->predicate->args[1]->u.literal.u.i64 == 1581323504001LL);
    assert_true(f->predicate->args[2]->u.literal.u.i64 == 1581323504011LL);
    PT_OK(t, "CREATE STREAM O2 AS SELECT * FROM W WHERE '2020-02-10T08:31:44.001+0000' <= "
             "WINDOWSTART AND WINDOWEND <= '2020-02-10T08:31:45.001+0000';");
    assert_string_equal(pt_schema(t, &t->last->source->schema), "K STRING KEY, V INTEGER");
    assert_int_equal(t->last->source->window.kind, PLAN_WINDOW_SESSION);
    PT_ERR(t, "CREATE STREAM O3 AS SELECT K, WINDOWEND FROM W;", EDDY_ETYPE,
           "Reserved column name in select: `WINDOWEND`. Please remove or alias the column.");
    /* PARTITION BY the key keeps it (and its window); anything else would repartition */
    PT_OK(t, "CREATE STREAM O4 AS SELECT * FROM W PARTITION BY K;");
    assert_int_equal(t->last->source->window.kind, PLAN_WINDOW_SESSION);
    PT_ERR(t, "CREATE STREAM O5 AS SELECT * FROM W PARTITION BY V;", EDDY_ETYPE,
           "Implicit repartitioning of windowed sources is not supported. See "
           "https://github.com/confluentinc/ksql/issues/4385.");
    PT_ERR(t, "CREATE STREAM O6 AS SELECT * FROM W PARTITION BY NULL;", EDDY_ETYPE,
           "Implicit repartitioning of windowed sources is not supported.");
    /* a query's sink takes its window from the query */
    PT_ERR(t, "CREATE STREAM O7 WITH (WINDOW_TYPE='Session') AS SELECT * FROM W;", EDDY_ETYPE,
           "Invalid config variable(s) in the WITH clause: WINDOW_TYPE");
    PT_ERR(t, "INSERT INTO W (K, V) VALUES ('a', 1);", EDDY_ETYPE,
           "Cannot insert values into windowed stream/table!");
    PT_OK(t, "CREATE STREAM P (K STRING KEY, V INT) WITH (kafka_topic='p', value_format='JSON');");
    PT_ERR(t, "INSERT INTO P SELECT * FROM W;", EDDY_ETYPE, "Into can't change windowing");
    PT_ERR(t, "INSERT INTO W SELECT * FROM P;", EDDY_ETYPE, "Into can't change windowing");
    PT_OK(t, "INSERT INTO O2 SELECT * FROM W;");
    PT_OK(t, "CREATE STREAM T1 (K STRING KEY, V INT) WITH (kafka_topic='t1', "
             "value_format='JSON', WINDOW_TYPE='Tumbling', WINDOW_SIZE='1 SECOND');");
    PT_OK(t, "CREATE STREAM T2 (K STRING KEY, V INT) WITH (kafka_topic='t2', "
             "value_format='JSON', WINDOW_TYPE='Tumbling', WINDOW_SIZE='2 SECONDS');");
    PT_ERR(t, "INSERT INTO T2 SELECT * FROM T1;", EDDY_ETYPE, "Into can't change windowing");
    /* aggregating regroups (always through a repartition): not windowed unless WINDOW */
    PT_OK(t, "CREATE TABLE A1 AS SELECT K, COUNT(*) AS N FROM W GROUP BY K;");
    assert_true(pt_step(t->last->query, PLAN_STEP_GROUP_BY)->repartition);
    assert_int_equal(t->last->source->window.kind, PLAN_WINDOW_NONE);
    PT_OK(t, "CREATE TABLE A2 AS SELECT V, COUNT(*) AS N FROM W GROUP BY V;");
    assert_int_equal(t->last->source->window.kind, PLAN_WINDOW_NONE);
    PT_OK(t, "CREATE TABLE A3 AS SELECT V, COUNT(*) AS N FROM W WINDOW TUMBLING (SIZE 1 MINUTE) "
             "GROUP BY V;");
    assert_int_equal(t->last->source->window.kind, PLAN_WINDOW_TUMBLING);
    /* window bounds of a source that is not windowed do not exist */
    PT_ERR(t, "CREATE STREAM O8 AS SELECT K, WINDOWSTART AS WS FROM P;", EDDY_ENOTFOUND,
           "cannot be resolved");
    PT_OK(t, "CREATE TABLE WT (K STRING PRIMARY KEY, V INT) WITH (kafka_topic='wt', "
             "value_format='JSON', WINDOW_TYPE='Tumbling', WINDOW_SIZE='1 SECOND');");
    PT_ERR(t, "CREATE TABLE O9 AS SELECT * FROM WT;", EDDY_ETYPE,
           "KSQL does not support persistent queries on windowed tables.");
    pt_free(t);
}

static void test_explain_golden(void **state)
{
    (void)state;
    pt_ctx *t = setup_input();
    PT_OK(t, "EXPLAIN CREATE STREAM O AS SELECT NAME, K, ID * 2 AS X, UCASE(NAME) FROM INPUT "
             "WHERE ID > 10 AND NAME LIKE 'a%' PARTITION BY NAME;");
    assert_int_equal(t->last->kind, PLAN_EXPLAIN);
    /* EXPLAIN does not register the sink */
    assert_null(pt_lookup(t, "O"));
    const char *want =
        "[0] SOURCE INPUT topic=input_topic key=KAFKA value=JSON\n"
        "    schema: K STRING KEY, ID BIGINT, NAME STRING, S STRUCT<`F` INTEGER>, "
        "ARR ARRAY<INTEGER>, M MAP<STRING, INTEGER>, ROWTIME BIGINT PSEUDO, "
        "ROWPARTITION INTEGER PSEUDO, ROWOFFSET BIGINT PSEUDO\n"
        "[1] FILTER ((ID > 10) AND (NAME LIKE 'a%'))\n"
        "[2] REKEY NAME\n"
        "    schema: NAME STRING KEY, K STRING, ID BIGINT, NAME STRING, S STRUCT<`F` INTEGER>, "
        "ARR ARRAY<INTEGER>, M MAP<STRING, INTEGER>, ROWTIME BIGINT PSEUDO, "
        "ROWPARTITION INTEGER PSEUDO, ROWOFFSET BIGINT PSEUDO\n"
        "[3] PROJECT NAME, K, (ID * 2) AS X, UCASE(NAME) AS KSQL_COL_0\n"
        "    schema: NAME STRING KEY, K STRING, X BIGINT, KSQL_COL_0 STRING\n"
        "[4] SINK topic=O partitions=4 key=KAFKA value=JSON\n"
        "    schema: NAME STRING KEY, K STRING, X BIGINT, KSQL_COL_0 STRING\n";
    if (!fn_scalar_find("UCASE"))
        skip();
    assert_string_equal(pt_explain(t, t->last->query), want);
    pt_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csas_select_star_sink),
        cmocka_unit_test(test_csas_topic_naming_and_formats),
        cmocka_unit_test(test_generated_names),
        cmocka_unit_test(test_key_rules),
        cmocka_unit_test(test_reserved_names_in_select),
        cmocka_unit_test(test_partition_by_rekeys),
        cmocka_unit_test(test_partition_by_projection_reads_new_key),
        cmocka_unit_test(test_long_error_messages_kept_whole),
        cmocka_unit_test(test_sink_key_format_none_rules),
        cmocka_unit_test(test_table_functions_flatmap),
        cmocka_unit_test(test_insert_into),
        cmocka_unit_test(test_unknown_sources_and_unsupported),
        cmocka_unit_test(test_timestamps),
        cmocka_unit_test(test_windowed_source),
        cmocka_unit_test(test_explain_golden),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
