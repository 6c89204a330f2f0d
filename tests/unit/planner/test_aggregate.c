/*
 * test_aggregate.c - planning GROUP BY, aggregates, HAVING and windows (planner/aggregate.c):
 * the GROUP_BY and AGGREGATE steps, key naming, repartitioning, and ksqlDB's rules and
 * messages.
 */
#include "plan_util.h"

static pt_ctx *setup_input(void)
{
    pt_ctx *t = pt_new();
    pt_topic(t, "input_topic", 4);
    PT_OK(t, "CREATE STREAM INPUT (K STRING KEY, ID BIGINT, NAME STRING, X INT) WITH "
             "(kafka_topic='input_topic', value_format='JSON');");
    return t;
}

static const plan_step *step_of(const plan_query *q, plan_step_kind kind)
{
    for (int i = 0; i < q->nsteps; i++)
        if (q->steps[i].kind == kind)
            return &q->steps[i];
    return NULL;
}

static void test_group_by_source_key_needs_no_repartition(void **state)
{
    (void)state;
    pt_ctx *t = setup_input();
    PT_OK(t, "CREATE TABLE O AS SELECT K, COUNT(*) AS N, SUM(X) FROM INPUT GROUP BY K;");
    const plan_stmt *ps = t->last;
    assert_int_equal(ps->kind, PLAN_CREATE_AS);
    assert_int_equal(ps->source->kind, PLAN_TABLE);
    const plan_step *g = step_of(ps->query, PLAN_STEP_GROUP_BY);
    const plan_step *a = step_of(ps->query, PLAN_STEP_AGGREGATE);
    assert_non_null(g);
    assert_non_null(a);
    assert_false(g->repartition);
    assert_int_equal(a->naggs, 2);
    assert_string_equal(a->aggs[0]->fn->name, "COUNT");
    assert_string_equal(a->aggs[1]->fn->name, "SUM");
    assert_int_equal(a->window.kind, PLAN_WINDOW_NONE);
    /* sink: K KEY, N, KSQL_COL_0 */
    const plan_schema *out = &ps->source->schema;
    assert_int_equal(out->ncols, 3);
    assert_string_equal(out->cols[0].name, "K");
    assert_int_equal(out->cols[0].role, PLAN_COL_KEY);
    assert_string_equal(out->cols[1].name, "N");
    pt_free(t);
}

static void test_group_by_expression_becomes_aliased_key(void **state)
{
    (void)state;
    pt_ctx *t = setup_input();
    PT_OK(t, "CREATE TABLE O WITH (KEY_FORMAT='JSON') AS SELECT LEN(NAME) AS L, ID, "
             "COUNT(*) AS N FROM INPUT GROUP BY LEN(NAME), ID HAVING COUNT(*) > 1;");
    const plan_stmt *ps = t->last;
    const plan_step *g = step_of(ps->query, PLAN_STEP_GROUP_BY);
    assert_true(g->repartition);
    assert_int_equal(g->nkeys, 2);
    assert_non_null(step_of(ps->query, PLAN_STEP_AGGREGATE)->having);
    const plan_schema *out = &ps->source->schema;
    assert_string_equal(out->cols[0].name, "L");
    assert_int_equal(out->cols[0].role, PLAN_COL_KEY);
    assert_string_equal(out->cols[1].name, "ID");
    assert_int_equal(out->cols[1].role, PLAN_COL_KEY);
    assert_string_equal(out->cols[2].name, "N");
    assert_int_equal(out->cols[2].role, PLAN_COL_VALUE);
    pt_free(t);
}

static void test_windows_resolve_grace_and_retention(void **state)
{
    (void)state;
    pt_ctx *t = setup_input();
    PT_OK(t, "CREATE TABLE O AS SELECT K, COUNT(*) AS N, WINDOWSTART AS WS FROM INPUT "
             "WINDOW TUMBLING (SIZE 1 HOUR) GROUP BY K;");
    const plan_step *a = step_of(t->last->query, PLAN_STEP_AGGREGATE);
    assert_int_equal(a->window.kind, PLAN_WINDOW_TUMBLING);
    assert_int_equal(a->window.size_ms, 3600000);
    assert_int_equal(a->window.grace_ms, 23 * 3600000LL);
    assert_int_equal(a->window.retention_ms, 24 * 3600000LL);
    assert_int_equal(t->last->source->window.kind, PLAN_WINDOW_TUMBLING);
    PT_OK(t, "CREATE TABLE O2 AS SELECT K, COUNT(*) AS N FROM INPUT WINDOW HOPPING (SIZE 10 "
             "SECONDS, ADVANCE BY 2 SECONDS, GRACE PERIOD 1 SECOND) GROUP BY K EMIT FINAL;");
    a = step_of(t->last->query, PLAN_STEP_AGGREGATE);
    assert_int_equal(a->window.advance_ms, 2000);
    assert_int_equal(a->window.grace_ms, 1000);
    assert_int_equal(a->window.retention_ms, 11000);
    assert_true(a->emit_final);
    pt_free(t);
}

static void test_aggregation_rules(void **state)
{
    (void)state;
    pt_ctx *t = setup_input();
    PT_ERR(t, "CREATE TABLE O AS SELECT K, NAME, COUNT(*) FROM INPUT GROUP BY K;", EDDY_ETYPE,
           "Non-aggregate SELECT expression(s) not part of GROUP BY: NAME");
    PT_ERR(t, "CREATE TABLE O AS SELECT K, X * SUM(X) FROM INPUT GROUP BY K;", EDDY_ETYPE,
           "Non-aggregate SELECT expression(s) not part of GROUP BY: (X * SUM(X))");
    PT_ERR(t, "CREATE TABLE O AS SELECT K, COUNT(*) FROM INPUT GROUP BY K, SUM(X);", EDDY_ETYPE,
           "GROUP BY does not support aggregate functions: SUM is an aggregate function.");
    PT_ERR(t, "CREATE TABLE O AS SELECT K FROM INPUT GROUP BY K;", EDDY_ETYPE,
           "GROUP BY requires aggregate functions in either the SELECT or HAVING clause.");
    PT_ERR(t, "CREATE TABLE O AS SELECT K, SUM(COUNT(*)) FROM INPUT GROUP BY K;", EDDY_ETYPE,
           "Aggregate functions can not be nested: SUM(COUNT())");
    PT_ERR(t, "CREATE TABLE O AS SELECT COUNT(*) AS N FROM INPUT GROUP BY NAME;", EDDY_ETYPE,
           "must include the grouping expression NAME in its projection");
    PT_ERR(t, "CREATE TABLE O AS SELECT NAME, NAME AS N2, COUNT(*) FROM INPUT GROUP BY NAME;",
           EDDY_ETYPE, "The projection contains a key column more than once: `NAME` and `N2`.");
    PT_ERR(t, "CREATE STREAM O AS SELECT K, COUNT(*) FROM INPUT GROUP BY K;", EDDY_ETYPE,
           "Your SELECT query produces a TABLE");
    PT_ERR(t, "CREATE TABLE O AS SELECT K, COUNT(*) FROM INPUT GROUP BY K EMIT FINAL;",
           EDDY_ETYPE, "EMIT FINAL is only supported for windowed aggregations.");
    /* the Analyzer checks reserved names before it resolves columns */
    PT_ERR(t, "CREATE TABLE O AS SELECT K, WINDOWSTART, COUNT(*) FROM INPUT GROUP BY K;",
           EDDY_ETYPE, "Reserved column name in select: `WINDOWSTART`.");
    PT_ERR(t, "CREATE TABLE O AS SELECT K, WINDOWSTART AS WS, COUNT(*) FROM INPUT GROUP BY K;",
           EDDY_ENOTFOUND, "SELECT column 'WINDOWSTART' cannot be resolved.");
    PT_ERR(t, "CREATE TABLE O AS SELECT K, COUNT(*) FROM INPUT GROUP BY K HAVING NAME = 'a' OR "
              "LEN(NAME) > X AND COUNT(*) > 1;",
           EDDY_ETYPE, "Non-aggregate HAVING expression not part of GROUP BY: NAME, NAME, X\n"
                       "Consider switching the HAVING clause to a WHERE clause before the "
                       "GROUP BY.");
    PT_OK(t, "CREATE TABLE O AS SELECT LEN(NAME) AS L, COUNT(*) FROM INPUT GROUP BY LEN(NAME) "
             "HAVING LEN(NAME) > 2;");
    pt_free(t);
}

/* ksqlDB keeps aggregation state in the source's value format: an aggregate whose
 * intermediate type that format cannot carry is rejected, whatever the sink's format. */
static void test_intermediate_type_needs_source_value_format(void **state)
{
    (void)state;
    static const char msg[] = "One of the functions used in the statement has an intermediate "
                              "type that the value format can not handle. Please remove the "
                              "function or change the format.";
    pt_ctx *t = pt_new();
    pt_topic(t, "d", 1);
    pt_topic(t, "k", 1);
    PT_OK(t, "CREATE STREAM D (K STRING KEY, X INT, Y DOUBLE, S STRING) WITH "
             "(kafka_topic='d', value_format='DELIMITED');");
    PT_OK(t, "CREATE STREAM KF (K STRING KEY, X BIGINT) WITH "
             "(kafka_topic='k', value_format='KAFKA');");
    /* STRUCT, ARRAY and MAP states over DELIMITED */
    static const char *const bad[] = {
        "AVG(X)", "STDDEV_SAMP(Y)", "CORRELATION(Y, Y)", "COLLECT_LIST(S)", "COLLECT_SET(X)",
        "TOPK(X, 2)", "TOPKDISTINCT(Y, 2)", "HISTOGRAM(S)", "LATEST_BY_OFFSET(S)",
        "EARLIEST_BY_OFFSET(X)", "COUNT_DISTINCT(S)",
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(bad); i++) {
        char sql[256];
        snprintf(sql, sizeof sql, "CREATE TABLE O WITH (VALUE_FORMAT='JSON') AS SELECT K, "
                 "COUNT(*) AS N, %s AS A FROM D GROUP BY K;", bad[i]);
        PT_ERR(t, sql, EDDY_ETYPE, msg);
    }
    /* primitive states are fine */
    PT_OK(t, "CREATE TABLE O1 AS SELECT K, COUNT(*) AS N, SUM(X) AS S, MIN(Y) AS M, "
             "MAX(S) AS MS FROM D GROUP BY K;");
    /* GROUP BY over KAFKA values is rejected before that (ksqlDB's Analyzer) */
    PT_ERR(t, "CREATE TABLE O2 WITH (VALUE_FORMAT='JSON') AS SELECT K, SUM(X) AS S FROM KF "
              "GROUP BY K;", EDDY_ETYPE, "Source(s) KF are using the 'KAFKA' value format. "
              "This format does not yet support GROUP BY.");
    PT_ERR(t, "CREATE TABLE O2 AS SELECT X, COUNT(*) AS N FROM KF AS Q GROUP BY X;", EDDY_ETYPE,
           "Source(s) Q are using the 'KAFKA' value format.");
    pt_free(t);
}

/* The rules' order and texts as ksqlDB's Analyzer, LogicalPlanner (WHERE, then the
 * AggregateAnalyzer, then HAVING) and AggregateNode give them. */
static void test_ksqldb_rule_order_and_texts(void **state)
{
    (void)state;
    pt_ctx *t = setup_input();
    /* aggregates without GROUP BY: the SELECT check first, then the missing GROUP BY */
    PT_ERR(t, "CREATE TABLE O AS SELECT NAME, COUNT(*) FROM INPUT;", EDDY_ETYPE,
           "Non-aggregate SELECT expression(s) not part of GROUP BY: NAME");
    PT_ERR(t, "CREATE TABLE O AS SELECT COUNT(*), SUM(X) FROM INPUT;", EDDY_ETYPE,
           "CREATE TABLE AS SELECT statement does not support aggregate function "
           "[COUNT(ROWTIME), SUM(X)] without a GROUP BY clause.");
    PT_ERR(t, "CREATE TABLE O AS SELECT K, COUNT(*) FROM INPUT WINDOW TUMBLING (SIZE 1 SECOND) "
              "EMIT FINAL;", EDDY_ETYPE,
           "Non-aggregate SELECT expression(s) not part of GROUP BY: K");
    PT_ERR(t, "CREATE TABLE O AS SELECT NAME, COUNT(*) FROM INPUT GROUP BY K EMIT FINAL;",
           EDDY_ETYPE, "Non-aggregate SELECT expression(s) not part of GROUP BY: NAME");
    /* table functions: with GROUP BY, or from the first item calling an aggregate */
    PT_ERR(t, "CREATE TABLE O AS SELECT K, EXPLODE(ARRAY[X]) AS E, COUNT(*) FROM INPUT "
              "GROUP BY K;", EDDY_ETYPE, "Table functions cannot be used with aggregations.");
    PT_ERR(t, "CREATE TABLE O AS SELECT COUNT(*), EXPLODE(ARRAY[X]) AS E FROM INPUT;",
           EDDY_ETYPE, "Table functions cannot be used with aggregations.");
    PT_ERR(t, "CREATE TABLE O AS SELECT EXPLODE(ARRAY[X]) AS E, COUNT(*) FROM INPUT;",
           EDDY_ETYPE, "Non-aggregate SELECT expression(s) not part of GROUP BY");
    /* windowed: window bounds in aggregate calls, GROUP BY, HAVING; unknown in WHERE */
    static const char wb[] = "Window bounds column WINDOWSTART can only be used in the SELECT "
                             "clause of windowed aggregations and can not be passed to "
                             "aggregate functions.";
    PT_ERR(t, "CREATE TABLE O AS SELECT K, MAX(WINDOWSTART) FROM INPUT WINDOW TUMBLING "
              "(SIZE 1 SECOND) GROUP BY K;", EDDY_ETYPE, wb);
    PT_ERR(t, "CREATE TABLE O AS SELECT NAME, COUNT(*) FROM INPUT WINDOW TUMBLING "
              "(SIZE 1 SECOND) GROUP BY WINDOWSTART;", EDDY_ETYPE, wb);
    PT_ERR(t, "CREATE TABLE O AS SELECT K, COUNT(*) FROM INPUT WINDOW TUMBLING "
              "(SIZE 1 SECOND) GROUP BY K HAVING WINDOWSTART > 0;", EDDY_ETYPE, wb);
    PT_ERR(t, "CREATE TABLE O AS SELECT K, COUNT(*) FROM INPUT WINDOW TUMBLING "
              "(SIZE 1 SECOND) WHERE MIN(WINDOWEND) > 0 GROUP BY K;", EDDY_ETYPE,
           "Error in WHERE expression: Unknown column WINDOWEND.");
    PT_OK(t, "CREATE TABLE O AS SELECT K, WINDOWSTART AS WS, COUNT(*) FROM INPUT WINDOW "
             "TUMBLING (SIZE 1 SECOND) GROUP BY K;");
    /* HAVING typing errors are located like WHERE's */
    PT_ERR(t, "CREATE TABLE O2 AS SELECT K, SUM(ID) AS S FROM INPUT GROUP BY K HAVING "
              "SUM(ID) > 'x';", EDDY_ETYPE,
           "Error in HAVING expression: Cannot compare SUM(ID) (BIGINT) to 'x' (STRING) with "
           "GREATER_THAN.");
    pt_free(t);
}

static void test_explain_aggregate(void **state)
{
    (void)state;
    pt_ctx *t = setup_input();
    PT_OK(t, "EXPLAIN CREATE TABLE O AS SELECT NAME, COUNT(*) AS N FROM INPUT WINDOW TUMBLING "
             "(SIZE 30 SECONDS) GROUP BY NAME HAVING COUNT(*) > 2;");
    eddy_buf b;
    eddy_buf_init(&b);
    assert_int_equal(planner_explain(t->last->query, &b), 0);
    const char *s = eddy_buf_cstr(&b);
    assert_non_null(strstr(s, "[1] GROUP_BY NAME AS NAME repartition=yes\n"));
    assert_non_null(strstr(s, "[2] AGGREGATE COUNT() AS KSQL_AGG_VARIABLE_0 "
                              "window=TUMBLING(size=30000 advance=30000 grace=86370000 "
                              "retention=86400000) emit=CHANGES having=(KSQL_AGG_VARIABLE_0 > 2)"));
    eddy_buf_free(&b);
    pt_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_group_by_source_key_needs_no_repartition),
        cmocka_unit_test(test_group_by_expression_becomes_aliased_key),
        cmocka_unit_test(test_windows_resolve_grace_and_retention),
        cmocka_unit_test(test_aggregation_rules),
        cmocka_unit_test(test_intermediate_type_needs_source_value_format),
        cmocka_unit_test(test_ksqldb_rule_order_and_texts),
        cmocka_unit_test(test_explain_aggregate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
