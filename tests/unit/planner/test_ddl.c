/* Unit tests: the planner's statements other than queries - CREATE STREAM/TABLE with
 * columns (schema order, keys, WITH properties, formats, headers, reserved names), INSERT
 * VALUES, DROP, SET/DEFINE, CREATE TYPE, and the statements left to the engine. */
#include "plan_util.h"

static void test_create_stream_schema_keys_first(void **state)
{
    (void)state;
    pt_ctx *t = pt_new();
    PT_OK(t, "CREATE STREAM S (A INT, K STRING KEY, B DOUBLE, `low` BIGINT) "
             "WITH (kafka_topic='s_topic', value_format='json', partitions=3);");
    const plan_stmt *ps = t->last;
    assert_int_equal(ps->kind, PLAN_CREATE_SOURCE);
    assert_string_equal(ps->source->name, "S");
    assert_int_equal(ps->source->kind, PLAN_STREAM);
    assert_string_equal(ps->source->topic, "s_topic");
    assert_string_equal(pt_schema(t, &ps->source->schema),
                        "K STRING KEY, A INTEGER, B DOUBLE, low BIGINT");
    assert_int_equal(ps->source->key_format.kind, SERDE_KAFKA);
    assert_int_equal(ps->source->value_format.kind, SERDE_JSON);
    assert_int_equal(ps->source->timestamp_col, -1);
    assert_int_equal(ps->create_partitions, 3);   /* topic does not exist yet */
    pt_free(t);
}

static void test_create_existing_topic_not_recreated(void **state)
{
    (void)state;
    pt_ctx *t = pt_new();
    pt_topic(t, "there", 6);
    PT_OK(t, "CREATE STREAM S (A INT) WITH (kafka_topic='there', value_format='JSON');");
    assert_int_equal(t->last->create_partitions, 0);
    /* A missing topic without PARTITIONS: nothing to create (the engine decides). */
    PT_OK(t, "CREATE STREAM S2 (A INT) WITH (kafka_topic='missing', value_format='JSON');");
    assert_int_equal(t->last->create_partitions, 0);
    pt_free(t);
}

static void test_create_key_rules(void **state)
{
    (void)state;
    pt_ctx *t = pt_new();
    PT_ERR(t, "CREATE TABLE T (ID INT, F0 INT) WITH (kafka_topic='t', value_format='JSON');",
           EDDY_ETYPE, "Tables require a PRIMARY KEY. Please define the PRIMARY KEY.");
    /* located in the text, as ksqlDB's NodeLocation.asPrefix() */
    PT_ERR(t, "CREATE TABLE T (ID INT KEY, F0 INT) WITH (kafka_topic='t', value_format='JSON');",
           EDDY_ETYPE, "Line: 1, Col: 17: Column `ID` is a 'KEY' column: please use 'PRIMARY "
                       "KEY' for tables.");
    PT_ERR(t, "CREATE STREAM S (ID INT PRIMARY KEY) WITH (kafka_topic='t', value_format='JSON');",
           EDDY_ETYPE, "Line: 1, Col: 18: Column `ID` is a 'PRIMARY KEY' column: please use "
                       "'KEY' for streams.");
    /* a table's key in the NONE format: the format's own rule */
    PT_ERR(t, "CREATE TABLE T (ID INT PRIMARY KEY, F0 INT) WITH (kafka_topic='t', "
              "key_format='NONE', value_format='JSON');",
           EDDY_ETYPE, "The 'NONE' format can only be used when no columns are defined. Got: "
                       "[`ID` INTEGER KEY]");
    PT_OK(t, "CREATE TABLE T (V INT, ID INT PRIMARY KEY) WITH (kafka_topic='t', format='JSON');");
    assert_int_equal(t->last->source->kind, PLAN_TABLE);
    assert_string_equal(pt_schema(t, &t->last->source->schema), "ID INTEGER KEY, V INTEGER");
    assert_int_equal(t->last->source->key_format.kind, SERDE_JSON);
    pt_free(t);
}

static void test_create_reserved_and_header_columns(void **state)
{
    (void)state;
    pt_ctx *t = pt_new();
    PT_ERR(t, "CREATE STREAM S (id INT KEY, ROWPARTITION INT) WITH (kafka_topic='t', "
              "value_format='JSON');",
           EDDY_ETYPE, "'ROWPARTITION' is a reserved column name. You cannot use it as a name "
                       "for a column.");
    PT_ERR(t, "CREATE STREAM S (K STRING KEY, H1 INT HEADER('key')) WITH (kafka_topic='t', "
              "value_format='json');",
           EDDY_ETYPE, "Invalid type for HEADER('key') column: expected BYTES, got INTEGER");
    PT_ERR(t, "CREATE STREAM S (K STRING KEY, H1 BYTES HEADERS) WITH (kafka_topic='t', "
              "value_format='json');",
           EDDY_ETYPE, "Invalid type for HEADERS column: expected "
                       "ARRAY<STRUCT<`KEY` STRING, `VALUE` BYTES>>, got BYTES");
    PT_OK(t, "CREATE STREAM S (V BIGINT, H BYTES HEADER('abc'), K STRING KEY) "
             "WITH (kafka_topic='t', value_format='json');");
    const plan_schema *s = &t->last->source->schema;
    assert_int_equal(s->ncols, 3);
    assert_int_equal(s->cols[2].role, PLAN_COL_HEADER);
    assert_string_equal(s->cols[2].header_key, "abc");
    pt_free(t);
}

static void test_create_format_errors(void **state)
{
    (void)state;
    pt_ctx *t = pt_new();
    PT_ERR(t, "CREATE STREAM S (A INT) WITH (kafka_topic='t');", EDDY_ETYPE,
           "Statement is missing the 'VALUE_FORMAT' property from the WITH clause.");
    PT_ERR(t, "CREATE STREAM S (A INT) WITH (kafka_topic='t', value_format='FOO');", EDDY_ETYPE,
           "Unknown format: FOO");
    PT_ERR(t, "CREATE STREAM S (A INT) WITH (kafka_topic='t', key_format='KAFKA', "
              "format='KAFKA');",
           EDDY_ETYPE, "Cannot supply both 'KEY_FORMAT' and 'FORMAT' properties");
    PT_ERR(t, "CREATE STREAM S (A INT) WITH (kafka_topic='t', value_format='AVRO');",
           EDDY_EUNSUPPORTED, "The 'AVRO' format is not supported by eddy yet");
    PT_ERR(t, "CREATE STREAM S (K STRING KEY, V0 INT, V1 STRING) WITH (kafka_topic='t', "
              "value_format='KafkA');",
           EDDY_ETYPE, "The 'KAFKA' format only supports a single field. Got: "
                       "[`V0` INTEGER, `V1` STRING]");
    PT_ERR(t, "CREATE STREAM S (K BOOLEAN KEY, ID bigint) WITH (kafka_topic='t', "
              "value_format='JSON');",
           EDDY_ETYPE, "Key format does not support schema.\nformat: KAFKA\nschema: "
                       "Persistence{columns=[`K` BOOLEAN KEY], features=[]}\nreason: The "
                       "'KAFKA' format does not support type 'BOOLEAN'");
    PT_ERR(t, "CREATE STREAM S (V STRUCT<F STRING>) WITH (kafka_topic='t', "
              "value_format='DELIMITED');",
           EDDY_ETYPE, "The 'DELIMITED' format does not support type 'STRUCT'");
    PT_ERR(t, "CREATE STREAM S (V MAP<INT, DOUBLE>) WITH (kafka_topic='t', value_format='JSON');",
           EDDY_ETYPE, "JSON only supports MAP types with STRING keys");
    PT_ERR(t, "CREATE STREAM S (K MAP<STRING, INT> KEY) WITH (kafka_topic='t', format='JSON');",
           EDDY_ETYPE, "Map keys, including types that contain maps, are not supported");
    PT_ERR(t, "CREATE STREAM S (foo INT) WITH (kafka_topic='t', value_format='NONE');",
           EDDY_ETYPE, "The 'NONE' format can only be used when no columns are defined. Got: "
                       "[`FOO` INTEGER]");
    PT_ERR(t, "CREATE STREAM S (K STRING KEY, foo INT) WITH (WRAP_SINGLE_VALUE=true, "
              "kafka_topic='t', value_format='DELIMITED');",
           EDDY_ETYPE, "Format 'DELIMITED' does not support 'WRAP_SINGLE_VALUE' set to 'true'.");
    PT_ERR(t, "CREATE STREAM S (A INT) WITH (kafka_topic='t', value_format='JSON', "
              "value_delimiter='|');",
           EDDY_ETYPE, "JSON does not support the following configs: [delimiter]");
    PT_ERR(t, "CREATE STREAM S (A INT) WITH (kafka_topic='t', value_format='DELIMITED', "
              "value_delimiter='<~>');",
           EDDY_ETYPE, "Invalid delimiter value: '<~>'. Delimiter must be a single character or "
                       "TAB,SPACE");
    PT_ERR(t, "CREATE STREAM S (A INT) WITH (kafka_topic='t', value_format='JSON', bogus=1);",
           EDDY_ETYPE, "Invalid config variable(s) in the WITH clause: BOGUS");
    PT_ERR(t, "CREATE STREAM S (A INT) WITH (value_format='JSON');", EDDY_ETYPE,
           "KAFKA_TOPIC");
    pt_free(t);
}

static void test_create_format_defaults_and_delimiter(void **state)
{
    (void)state;
    pt_ctx *t = pt_new();
    PT_OK(t, "SET 'ksql.persistence.default.format.value'='DELIMITED';");
    assert_int_equal(t->last->kind, PLAN_SET);
    PT_OK(t, "SET 'ksql.persistence.default.format.key'='JSON';");
    PT_OK(t, "CREATE STREAM S (K INT KEY, A INT, B STRING) WITH (kafka_topic='t', "
             "value_delimiter='TAB');");
    assert_int_equal(t->last->source->value_format.kind, SERDE_DELIMITED);
    assert_int_equal(t->last->source->value_format.delimiter, '\t');
    assert_int_equal(t->last->source->key_format.kind, SERDE_JSON);
    PT_OK(t, "SET 'ksql.persistence.wrap.single.values'='false';");
    PT_OK(t, "CREATE STREAM S2 (A INT) WITH (kafka_topic='t2', value_format='JSON');");
    assert_int_equal(t->last->source->value_format.wrap_single, 0);
    pt_free(t);
}

static void test_create_timestamp_and_window(void **state)
{
    (void)state;
    pt_ctx *t = pt_new();
    PT_OK(t, "CREATE STREAM S (K STRING KEY, TS BIGINT) WITH (kafka_topic='t', "
             "value_format='JSON', timestamp='ts');");
    assert_int_equal(t->last->source->timestamp_col, 1);
    PT_ERR(t, "CREATE STREAM S2 (K STRING KEY, TS STRING) WITH (kafka_topic='t', "
              "value_format='JSON', timestamp='ts');",
           EDDY_ETYPE, "Timestamp column, `TS`, should be LONG(INT64), TIMESTAMP, or a String "
                       "with a timestamp_format specified.");
    PT_ERR(t, "CREATE STREAM S3 (K STRING KEY) WITH (kafka_topic='t', value_format='JSON', "
              "timestamp='nope');",
           EDDY_ETYPE, "The TIMESTAMP column set in the WITH clause does not exist in the "
                       "schema: 'NOPE'");
    PT_OK(t, "CREATE STREAM W (K STRING KEY, V INT) WITH (kafka_topic='w', value_format='JSON', "
             "WINDOW_TYPE='Tumbling', WINDOW_SIZE='2 SECONDS');");
    assert_int_equal(t->last->source->window.kind, PLAN_WINDOW_TUMBLING);
    assert_int_equal(t->last->source->window.size_ms, 2000);
    PT_OK(t, "CREATE STREAM W2 (K STRING KEY, V INT) WITH (kafka_topic='w', "
             "value_format='JSON', WINDOW_TYPE='Hopping', WINDOW_SIZE='1 minute');");
    assert_int_equal(t->last->source->window.size_ms, 60000);
    /* WINDOW_SIZE is validated as a WITH property, by ksqlDB's DurationParser */
    PT_ERR(t, "CREATE STREAM W3 (K STRING KEY) WITH (kafka_topic='w', value_format='JSON', "
              "WINDOW_TYPE='Tumbling', WINDOW_SIZE='5 fortnights');",
           EDDY_ETYPE, "Configuration WINDOW_SIZE is invalid: Invalid duration: '5 fortnights'. "
                       "Unknown time unit: 'FORTNIGHTS'\nSupported time units are: NANOSECONDS, "
                       "MICROSECONDS, MILLISECONDS, SECONDS, MINUTES, HOURS, DAYS");
    PT_ERR(t, "CREATE STREAM W3 (K STRING KEY) WITH (kafka_topic='w', value_format='JSON', "
              "WINDOW_SIZE='ten seconds');",
           EDDY_ETYPE, "Configuration WINDOW_SIZE is invalid: Invalid duration: 'ten seconds'. "
                       "Not numeric: 'ten'");
    PT_ERR(t, "CREATE STREAM W3 (K STRING KEY) WITH (kafka_topic='w', value_format='JSON', "
              "WINDOW_TYPE='Tumbling', WINDOW_SIZE='10');",
           EDDY_ETYPE, "Configuration WINDOW_SIZE is invalid: Invalid duration: '10'. Expected 2 "
                       "tokens, got: 1");
    PT_ERR(t, "CREATE STREAM W3 (K STRING KEY) WITH (kafka_topic='w', value_format='JSON', "
              "WINDOW_TYPE='Tumbling', WINDOW_SIZE='10  SECONDS');",
           EDDY_ETYPE, "Invalid duration: '10  SECONDS'. Expected 2 tokens, got: 3");
    pt_free(t);
}

/* WINDOW_TYPE / WINDOW_SIZE: ksqlDB's CreateConfigs validators and messages. */
static void test_create_windowed_source_properties(void **state)
{
    (void)state;
    pt_ctx *t = pt_new();
    PT_OK(t, "CREATE STREAM H (K STRING KEY, V INT) WITH (kafka_topic='h', value_format='JSON', "
             "WINDOW_TYPE='HoPping', WINDOW_SIZE='30 seconds');");
    assert_int_equal(t->last->source->window.kind, PLAN_WINDOW_HOPPING);
    assert_int_equal(t->last->source->window.size_ms, 30000);
    PT_OK(t, "CREATE STREAM S (K STRING KEY, V INT) WITH (kafka_topic='s', value_format='JSON', "
             "WINDOW_TYPE='session');");
    assert_int_equal(t->last->source->window.kind, PLAN_WINDOW_SESSION);
    PT_OK(t, "CREATE STREAM M (K STRING KEY, V INT) WITH (kafka_topic='m', value_format='JSON', "
             "WINDOW_TYPE='TUMBLING', WINDOW_SIZE='1500 milliseconds');");
    assert_int_equal(t->last->source->window.size_ms, 1500);
    PT_ERR(t, "CREATE TABLE T (K STRING PRIMARY KEY, V INT) WITH (kafka_topic='t', "
              "value_format='JSON', WINDOW_TYPE='Hopping', WINDOW_SIZE='30 bobs');",
           EDDY_ETYPE, "Configuration WINDOW_SIZE is invalid: Invalid duration: '30 bobs'. "
                       "Unknown time unit: 'BOBS'");
    PT_ERR(t, "CREATE STREAM T (K STRING KEY) WITH (kafka_topic='t', value_format='JSON', "
              "WINDOW_TYPE='Tumbling', WINDOW_SIZE='30  seconds');",
           EDDY_ETYPE, "Invalid duration: '30  seconds'. Expected 2 tokens, got: 3");
    PT_ERR(t, "CREATE STREAM T (K STRING KEY) WITH (kafka_topic='t', value_format='JSON', "
              "WINDOW_TYPE='Tumbling', WINDOW_SIZE='ten seconds');",
           EDDY_ETYPE, "Invalid duration: 'ten seconds'. Not numeric: 'ten'");
    PT_ERR(t, "CREATE STREAM T (K STRING KEY) WITH (kafka_topic='t', value_format='JSON', "
              "WINDOW_TYPE='Tumbling', WINDOW_SIZE='0 seconds');",
           EDDY_ETYPE, "Size must be positive");
    PT_ERR(t, "CREATE STREAM T (K STRING KEY) WITH (kafka_topic='t', value_format='JSON', "
              "WINDOW_TYPE='Session', WINDOW_SIZE='30 seconds');",
           EDDY_ETYPE, "'WINDOW_SIZE' should not be set for SESSION windows.");
    PT_ERR(t, "CREATE STREAM T (K STRING KEY) WITH (kafka_topic='t', value_format='JSON', "
              "WINDOW_SIZE='30 seconds');",
           EDDY_ETYPE, "'WINDOW_SIZE' should not be set for SESSION windows.");
    PT_ERR(t, "CREATE STREAM T (K STRING KEY) WITH (kafka_topic='t', value_format='JSON', "
              "WINDOW_TYPE='hopping');",
           EDDY_ETYPE, "HOPPING windows require 'WINDOW_SIZE' to be provided in the WITH "
                       "clause. For example: 'WINDOW_SIZE'='10 SECONDS'");
    PT_ERR(t, "CREATE STREAM T (K STRING KEY) WITH (kafka_topic='t', value_format='JSON', "
              "WINDOW_TYPE='sliding');",
           EDDY_ETYPE, "Invalid value sliding for configuration WINDOW_TYPE: String must be "
                       "one of: SESSION, HOPPING, TUMBLING, null");
    PT_ERR(t, "CREATE STREAM T (F0 INT) WITH (kafka_topic='t', value_format='JSON', "
              "window_type='SESSION');",
           EDDY_ETYPE, "Windowed sources require a key column.");
    pt_free(t);
}

static void test_create_existing_and_source_rules(void **state)
{
    (void)state;
    pt_ctx *t = pt_new();
    PT_OK(t, "CREATE SOURCE STREAM S (K STRING KEY, V INT) WITH (kafka_topic='t', "
             "value_format='JSON');");
    assert_true(t->last->source->is_source);
    PT_ERR(t, "CREATE STREAM S (K STRING KEY, V INT) WITH (kafka_topic='t', "
              "value_format='JSON');",
           EDDY_EEXIST, "Cannot add stream 'S': A stream with the same name already exists");
    PT_ERR(t, "CREATE OR REPLACE STREAM S (K STRING KEY, V INT) WITH (kafka_topic='t', "
              "value_format='JSON');",
           EDDY_ETYPE, "Cannot add stream 'S': CREATE OR REPLACE is not supported on source "
                       "streams.");
    PT_OK(t, "CREATE STREAM IF NOT EXISTS S (K STRING KEY) WITH (kafka_topic='t', "
             "value_format='JSON');");
    assert_true(t->last->if_not_exists);
    PT_OK(t, "CREATE SOURCE TABLE ST (K STRING PRIMARY KEY, V INT) WITH (kafka_topic='t', "
             "value_format='JSON');");
    PT_ERR(t, "ALTER TABLE ST ADD COLUMN W INT;", EDDY_ETYPE,
           "Cannot alter table 'ST': ALTER operations are not supported on source tables.");
    pt_free(t);
}

static void test_insert_values_row_in_schema_order(void **state)
{
    (void)state;
    pt_ctx *t = pt_new();
    PT_OK(t, "CREATE STREAM S (A BIGINT, K STRING KEY, D DECIMAL(4, 2), H BYTES HEADER('h')) "
             "WITH (kafka_topic='t', value_format='JSON');");
    PT_OK(t, "INSERT INTO S (ROWTIME, A, K, D) VALUES (1234, 7, 'k1', 1.5);");
    const plan_stmt *ps = t->last;
    assert_int_equal(ps->kind, PLAN_INSERT_VALUES);
    assert_int_equal(ps->values_rowtime, 1234);
    assert_int_equal(ps->values[0].kind, EDDY_T_STRING);
    assert_memory_equal(ps->values[0].u.str, "k1", 2);
    assert_int_equal(ps->values[1].kind, EDDY_T_BIGINT);   /* INT literal widened */
    assert_int_equal(ps->values[1].u.i64, 7);
    assert_int_equal(ps->values[2].kind, EDDY_T_DECIMAL);
    assert_int_equal(ps->values[2].scale, 2);               /* 1.5 -> 1.50 */
    assert_true(ps->values[3].null);
    /* no column list: keys and values in order */
    PT_OK(t, "CREATE STREAM S2 (A BIGINT, K STRING KEY, D DECIMAL(4, 2)) "
             "WITH (kafka_topic='t2', value_format='JSON');");
    PT_OK(t, "INSERT INTO S2 VALUES ('k2', 8, null);");
    assert_int_equal(t->last->values_rowtime, -1);
    assert_int_equal(t->last->values[1].u.i64, 8);
    assert_true(t->last->values[2].null);
    /* header columns named, or all of them without a column list (InsertValuesExecutor) */
    PT_ERR(t, "INSERT INTO S (H) VALUES (null);", EDDY_ETYPE,
           "Cannot insert into HEADER columns: H");
    PT_ERR(t, "INSERT INTO S VALUES ('k2', 8, null);", EDDY_ETYPE,
           "Cannot insert into HEADER columns: H");
    PT_ERR(t, "INSERT INTO S (NOPE) VALUES (1);", EDDY_ENOTFOUND, "`NOPE`");
    PT_ERR(t, "INSERT INTO S (A) VALUES ('x');", EDDY_ETYPE,
           "invalid input syntax for type BIGINT");
    PT_ERR(t, "INSERT INTO NOPE VALUES (1);", EDDY_ENOTFOUND, "NOPE");
    pt_free(t);
}

static void test_drop_set_define_types_other(void **state)
{
    (void)state;
    pt_ctx *t = pt_new();
    PT_ERR(t, "DROP STREAM test;", EDDY_ENOTFOUND, "Stream TEST does not exist");
    PT_OK(t, "DROP STREAM IF EXISTS test;");
    assert_int_equal(t->last->kind, PLAN_DROP_SOURCE);
    assert_true(t->last->if_exists);
    PT_OK(t, "CREATE TABLE T (K INT PRIMARY KEY, V INT) WITH (kafka_topic='t', format='JSON');");
    PT_ERR(t, "DROP STREAM T;", EDDY_ETYPE,
           "Incompatible data source type is TABLE, but statement was DROP STREAM");
    PT_OK(t, "DROP TABLE T DELETE TOPIC;");
    assert_true(t->last->delete_topic);
    assert_string_equal(t->last->name, "T");
    PT_OK(t, "DEFINE v = 'x';");
    assert_int_equal(t->last->kind, PLAN_DEFINE);
    assert_string_equal(t->last->value, "x");
    PT_OK(t, "UNSET 'a.b';");
    assert_int_equal(t->last->kind, PLAN_UNSET);
    PT_OK(t, "CREATE TYPE ADDR AS STRUCT<N INT, S VARCHAR>;");
    assert_int_equal(t->last->kind, PLAN_CREATE_TYPE);
    PT_OK(t, "CREATE STREAM P (K STRING KEY, A ADDR) WITH (kafka_topic='p', "
             "value_format='JSON');");
    assert_string_equal(pt_schema(t, &t->last->source->schema),
                        "K STRING KEY, A STRUCT<`N` INTEGER, `S` STRING>");
    PT_ERR(t, "CREATE STREAM Q (A NOTYPE) WITH (kafka_topic='p', value_format='JSON');",
           EDDY_ETYPE, "NOTYPE");
    PT_OK(t, "DROP TYPE ADDR;");
    assert_int_equal(t->last->kind, PLAN_DROP_TYPE);
    PT_OK(t, "SHOW STREAMS;");
    assert_int_equal(t->last->kind, PLAN_OTHER);
    assert_int_equal(t->last->ast->kind, PARSER_STMT_LIST);
    pt_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_stream_schema_keys_first),
        cmocka_unit_test(test_create_existing_topic_not_recreated),
        cmocka_unit_test(test_create_key_rules),
        cmocka_unit_test(test_create_reserved_and_header_columns),
        cmocka_unit_test(test_create_format_errors),
        cmocka_unit_test(test_create_format_defaults_and_delimiter),
        cmocka_unit_test(test_create_timestamp_and_window),
        cmocka_unit_test(test_create_windowed_source_properties),
        cmocka_unit_test(test_create_existing_and_source_rules),
        cmocka_unit_test(test_insert_values_row_in_schema_order),
        cmocka_unit_test(test_drop_set_define_types_other),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
