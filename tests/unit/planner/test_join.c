/* Unit tests: stream-table joins - the JOIN step and its joined row, name resolution
 * (qualified, unqualified, ambiguous), item naming when names clash, SELECT *, the key
 * rules, and ksqlDB's errors for what it rejects (order, type, criteria, co-partitioning);
 * what eddy does not do yet stays EDDY_EUNSUPPORTED. */
#include "plan_util.h"

static pt_ctx *setup(void)
{
    pt_ctx *t = pt_new();
    pt_topic(t, "s", 2);
    pt_topic(t, "t", 2);
    pt_topic(t, "t3", 3);
    PT_OK(t, "CREATE STREAM S (ID BIGINT KEY, NAME STRING, V INT, V2 BIGINT) WITH (kafka_topic='s', "
             "value_format='JSON');");
    PT_OK(t, "CREATE TABLE T (ID BIGINT PRIMARY KEY, NAME STRING, W DOUBLE) WITH "
             "(kafka_topic='t', value_format='JSON');");
    PT_OK(t, "CREATE TABLE T3 (ID BIGINT PRIMARY KEY, X STRING) WITH (kafka_topic='t3', "
             "value_format='JSON');");
    PT_OK(t, "CREATE STREAM S2 (ID BIGINT KEY, Y STRING) WITH (kafka_topic='t', "
             "value_format='JSON');");
    return t;
}

static void test_join_step_and_schema(void **state)
{
    (void)state;
    pt_ctx *t = setup();
    PT_OK(t, "CREATE STREAM O AS SELECT s.ID, V, s.NAME, t.NAME AS TNAME, W FROM S s "
             "LEFT JOIN T t ON s.ID = t.ID;");
    const plan_query *q = t->last->query;
    assert_int_equal(q->nsteps, 4);
    const plan_step *j = &q->steps[1];
    assert_int_equal(j->kind, PLAN_STEP_JOIN);
    assert_int_equal(j->join_type, PLAN_JOIN_LEFT);
    assert_ptr_equal(j->join_right, pt_lookup(t, "T"));
    assert_int_equal(j->join_left_col, 0);
    assert_string_equal(pt_schema(t, &j->out),
                        "S_ID BIGINT KEY, S_NAME STRING, S_V INTEGER, S_V2 BIGINT, S_ROWTIME BIGINT PSEUDO, "
                        "S_ROWPARTITION INTEGER PSEUDO, S_ROWOFFSET BIGINT PSEUDO, "
                        "T_ID BIGINT, T_NAME STRING, T_W DOUBLE, T_ROWTIME BIGINT PSEUDO, "
                        "T_ROWPARTITION INTEGER PSEUDO, T_ROWOFFSET BIGINT PSEUDO");
    assert_string_equal(pt_schema(t, &j->join_right_row),
                        "ID BIGINT KEY, NAME STRING, W DOUBLE, ROWTIME BIGINT PSEUDO, "
                        "ROWPARTITION INTEGER PSEUDO, ROWOFFSET BIGINT PSEUDO");
    /* S.NAME clashes with T.NAME: S_NAME; S.ID clashes too; V and W do not */
    assert_string_equal(pt_schema(t, &q->steps[3].out),
                        "S_ID BIGINT KEY, V INTEGER, S_NAME STRING, TNAME STRING, W DOUBLE");
    assert_int_equal(q->sink.partitions, 2);
    pt_free(t);
}

static void test_join_star_and_keys(void **state)
{
    (void)state;
    pt_ctx *t = setup();
    PT_OK(t, "CREATE STREAM O AS SELECT * FROM S JOIN T ON S.ID = T.ID;");
    assert_string_equal(pt_schema(t, &t->last->query->steps[3].out),
                        "S_ID BIGINT KEY, S_NAME STRING, S_V INTEGER, S_V2 BIGINT, "
                        "T_NAME STRING, T_W DOUBLE, T_ID BIGINT");   /* each side: keys last */
    PT_OK(t, "CREATE STREAM O2 AS SELECT T.* FROM S JOIN T ON S.ID = T.ID;");
    assert_string_equal(pt_schema(t, &t->last->query->steps[3].out),
                        "T_ID BIGINT KEY, T_NAME STRING, T_W DOUBLE");
    /* the right join column gives the key when the left one is not selected */
    PT_OK(t, "CREATE STREAM O3 AS SELECT T.ID AS K, V FROM S JOIN T ON S.ID = T.ID;");
    assert_string_equal(pt_schema(t, &t->last->query->steps[3].out),
                        "K BIGINT KEY, V INTEGER");
    /* flipped criteria */
    PT_OK(t, "CREATE STREAM O4 AS SELECT S.ID, W FROM S JOIN T ON T.ID = S.ID WHERE W > 1;");
    assert_int_equal(t->last->query->steps[1].kind, PLAN_STEP_JOIN);
    assert_int_equal(t->last->query->steps[2].kind, PLAN_STEP_FILTER);
    assert_int_equal(pt_plan(t, "CREATE STREAM O5 AS SELECT V, W FROM S JOIN T ON S.ID = T.ID;"),
                     EDDY_ETYPE);
    assert_non_null(strstr(t->err.msg, "The query used to build `O5` must include the join "
                                    "expressions S.ID or T.ID in its projection (eg, SELECT "
                                    "S.ID...)."));
    pt_free(t);
}

static void test_join_errors(void **state)
{
    (void)state;
    pt_ctx *t = setup();
    assert_int_equal(pt_plan(t, "CREATE STREAM O AS SELECT S.ID, NAME FROM S JOIN T "
                                "ON S.ID = T.ID;"), EDDY_ETYPE);
    assert_string_equal(t->err.msg, "Line: 1, Col: 33: Column 'NAME' is ambiguous. Could be "
                                    "S.NAME or T.NAME.");
    assert_int_equal(pt_plan(t, "CREATE STREAM O AS SELECT S.ID FROM S JOIN T ON S.ID = T.W;"),
                     EDDY_ETYPE);
    assert_string_equal(t->err.msg, "Invalid join condition: stream-table joins require to "
                                    "join on the table's primary key. Got S.ID = T.W.");
    assert_int_equal(pt_plan(t, "CREATE TABLE O AS SELECT T.ID FROM T JOIN S ON S.ID = T.ID;"),
                     EDDY_ETYPE);
    assert_string_equal(t->err.msg, "Invalid join order: table-stream joins are not supported; "
                                    "only stream-table joins. Got T [INNER] JOIN S.");
    assert_int_equal(pt_plan(t, "CREATE STREAM O AS SELECT S.ID FROM S FULL OUTER JOIN T "
                                "ON S.ID = T.ID;"), EDDY_ETYPE);
    assert_string_equal(t->err.msg, "Invalid join type: full-outer join not supported for "
                                    "stream-table join. Got S [FULL] OUTER JOIN T.");
    assert_int_equal(pt_plan(t, "CREATE STREAM O AS SELECT S.ID FROM S JOIN T "
                                "ON S.ID = T.ID AND S.V = 1;"), EDDY_ETYPE);
    assert_int_equal(pt_plan(t, "CREATE STREAM O AS SELECT S.ID FROM S JOIN T3 "
                                "ON S.ID = T3.ID;"), EDDY_ETYPE);
    assert_string_equal(t->err.msg, "Can't join `S` with `T3` since the number of partitions "
                                    "don't match. `S` partitions = 2; `T3` partitions = 3. "
                                    "Please repartition either one so that the number of "
                                    "partitions match.");
    assert_int_equal(pt_plan(t, "CREATE STREAM O AS SELECT S.ID FROM S JOIN T "
                                "ON S.ID = T.NOPE;"), EDDY_ENOTFOUND);
    assert_string_equal(t->err.msg, "JOIN ON column 'T.NOPE' cannot be resolved.");
    assert_int_equal(pt_plan(t, "CREATE STREAM O AS SELECT S.ID FROM S JOIN NOPE "
                                "ON S.ID = NOPE.ID;"), EDDY_ENOTFOUND);
    /* not yet: n-way, foreign keys, aggregation */
    assert_int_equal(pt_plan(t, "CREATE STREAM O AS SELECT S.ID FROM S JOIN T ON S.V = T.ID;"),
                     EDDY_ETYPE);   /* INTEGER = BIGINT */
    assert_int_equal(pt_plan(t, "CREATE TABLE O AS SELECT S.ID, COUNT(*) FROM S JOIN T "
                                "ON S.ID = T.ID GROUP BY S.ID;"), EDDY_EUNSUPPORTED);
    pt_free(t);
}

static void test_join_repartition(void **state)
{
    (void)state;
    pt_ctx *t = setup();
    /* a value column: REKEY by it (repartitioned), the column becomes the key */
    PT_OK(t, "CREATE STREAM O AS SELECT * FROM S JOIN T3 ON S.V2 = T3.ID;");
    const plan_query *q = t->last->query;
    assert_int_equal(q->nsteps, 5);
    assert_int_equal(q->steps[1].kind, PLAN_STEP_REKEY);
    assert_true(q->steps[1].repartition);
    assert_int_equal(q->steps[1].nkeys, 1);
    assert_string_equal(pt_schema(t, &q->steps[1].out),
                        "V2 BIGINT KEY, ID BIGINT, NAME STRING, V INTEGER, ROWTIME BIGINT PSEUDO, "
                        "ROWPARTITION INTEGER PSEUDO, ROWOFFSET BIGINT PSEUDO");
    assert_int_equal(q->steps[2].kind, PLAN_STEP_JOIN);
    assert_int_equal(q->steps[2].join_left_col, 0);
    assert_string_equal(pt_schema(t, &q->steps[4].out),
                        "S_V2 BIGINT KEY, S_ID BIGINT, S_NAME STRING, S_V INTEGER, T3_X STRING, "
                        "T3_ID BIGINT");
    /* an expression: a hidden key; the table's key column names the result's key */
    PT_OK(t, "CREATE STREAM O2 AS SELECT * FROM S JOIN T3 ON CAST(S.V AS BIGINT) = T3.ID;");
    q = t->last->query;
    assert_int_equal(q->steps[1].kind, PLAN_STEP_REKEY);
    assert_string_equal(pt_schema(t, &q->steps[4].out),
                        "T3_ID BIGINT KEY, S_ID BIGINT, S_NAME STRING, S_V INTEGER, S_V2 BIGINT, "
                        "T3_X STRING");
    pt_free(t);
}

static void test_table_table(void **state)
{
    (void)state;
    pt_ctx *t = setup();
    pt_topic(t, "t2", 2);
    PT_OK(t, "CREATE TABLE T2 (ID BIGINT PRIMARY KEY, ROWKEY STRING, Z INT, FK BIGINT) WITH "
             "(kafka_topic='t2', value_format='JSON');");
    assert_int_equal(pt_plan(t, "CREATE TABLE O AS SELECT T2.ID FROM T2 JOIN T "
                                "ON T2.FK = T.ID;"), EDDY_EUNSUPPORTED);   /* foreign key */
    PT_OK(t, "CREATE TABLE O AS SELECT T.ID, W, Z FROM T JOIN T2 ON T.ID = T2.ID;");
    const plan_query *q = t->last->query;
    assert_int_equal(t->last->source->kind, PLAN_TABLE);
    assert_int_equal(q->steps[1].join_type, PLAN_JOIN_INNER);
    assert_int_equal(q->steps[1].join_key_col, 0);
    assert_string_equal(pt_schema(t, &q->steps[3].out), "T_ID BIGINT KEY, W DOUBLE, Z INTEGER");
    /* RIGHT: the right key is the key; the left key column stands for it */
    PT_OK(t, "CREATE TABLE O2 AS SELECT T.ID, W, Z FROM T RIGHT JOIN T2 ON T.ID = T2.ID;");
    q = t->last->query;
    assert_int_equal(q->steps[1].join_type, PLAN_JOIN_RIGHT);
    assert_int_equal(q->steps[1].join_key_col, q->steps[0].out.ncols);
    assert_int_equal(q->steps[2].exprs[0]->u.index, q->steps[0].out.ncols);
    /* FULL: a synthetic key, named around the sources' columns */
    PT_OK(t, "CREATE TABLE O3 AS SELECT ROWKEY_1 AS K, W, Z FROM T FULL OUTER JOIN T2 "
             "ON T.ID = T2.ID;");
    q = t->last->query;
    assert_int_equal(q->steps[1].join_type, PLAN_JOIN_FULL);
    assert_int_equal(q->steps[1].join_key_col, q->steps[1].out.ncols - 1);
    assert_string_equal(q->steps[1].out.cols[q->steps[1].out.ncols - 1].name, "ROWKEY_1");
    assert_string_equal(pt_schema(t, &q->steps[3].out), "K BIGINT KEY, W DOUBLE, Z INTEGER");
    assert_int_equal(pt_plan(t, "CREATE TABLE O4 AS SELECT T.ID, W FROM T FULL OUTER JOIN T2 "
                                "ON T.ID = T2.ID;"), EDDY_ETYPE);
    assert_int_equal(pt_plan(t, "CREATE TABLE O4 AS SELECT T.ID FROM T JOIN T2 "
                                "ON T.ID = T2.Z;"), EDDY_ETYPE);
    assert_string_equal(t->err.msg, "Invalid join condition: table-table joins require to join "
                                    "on the primary key of the right input table. Got T.ID = "
                                    "T2.Z.");
    assert_int_equal(pt_plan(t, "CREATE STREAM O4 AS SELECT T.ID FROM T JOIN T2 "
                                "ON T.ID = T2.ID;"), EDDY_ETYPE);   /* produces a TABLE */
    pt_free(t);
}

static void test_stream_stream(void **state)
{
    (void)state;
    pt_ctx *t = setup();
    PT_OK(t, "CREATE STREAM O AS SELECT S.ID, V, Y FROM S JOIN S2 WITHIN (1 SECOND, 2 MINUTES) "
             "GRACE PERIOD 3 SECONDS ON S.ID = S2.ID;");
    const plan_step *j = &t->last->query->steps[1];
    assert_int_equal(j->kind, PLAN_STEP_JOIN);
    assert_int_equal(j->join_before_ms, 1000);
    assert_int_equal(j->join_after_ms, 120000);
    assert_int_equal(j->join_grace_ms, 3000);
    assert_int_equal(t->last->source->kind, PLAN_STREAM);
    PT_OK(t, "CREATE STREAM O2 AS SELECT S2.ID, V, Y FROM S RIGHT JOIN S2 WITHIN 1 SECOND "
             "ON S.ID = S2.ID;");
    j = &t->last->query->steps[1];
    assert_int_equal(j->join_type, PLAN_JOIN_RIGHT);
    assert_int_equal(j->join_grace_ms, -1);
    assert_int_equal(j->join_key_col, t->last->query->steps[0].out.ncols);
    /* PARTITION BY after a join: the other side's join column is a value again */
    PT_OK(t, "CREATE STREAM O4 AS SELECT S.V AS K, S.ID, S2.ID FROM S JOIN S2 WITHIN 1 SECOND "
             "ON S.ID = S2.ID PARTITION BY S.V;");
    const plan_query *pq = t->last->query;
    assert_int_equal(pq->steps[2].kind, PLAN_STEP_REKEY);
    assert_false(pq->steps[2].repartition);
    assert_string_equal(pt_schema(t, &pq->steps[pq->nsteps - 1].out),
                        "K INTEGER KEY, S_ID BIGINT, S2_ID BIGINT");
    assert_int_equal(pt_plan(t, "CREATE STREAM O3 AS SELECT S.ID FROM S JOIN S2 "
                                "ON S.ID = S2.ID;"), EDDY_ETYPE);
    assert_non_null(strstr(t->err.msg, "Stream-Stream joins must have a WITHIN clause"));
    assert_int_equal(pt_plan(t, "CREATE STREAM O3 AS SELECT S.ID FROM S LEFT JOIN S2 WITHIN 1 "
                                "SECOND GRACE PERIOD 1 SECOND ON S.ID = S2.ID;"),
                     EDDY_EUNSUPPORTED);
    assert_int_equal(pt_plan(t, "CREATE STREAM O3 AS SELECT S.ID FROM S JOIN S2 WITHIN 1 "
                                "SECOND ON S.ID = S2.Y;"), EDDY_EUNSUPPORTED);
    assert_int_equal(pt_plan(t, "CREATE STREAM O3 AS SELECT S.ID FROM S JOIN T WITHIN 1 "
                                "SECOND ON S.ID = T.ID;"), EDDY_ETYPE);   /* stream-table */
    pt_free(t);
}

static void test_join_explain(void **state)
{
    (void)state;
    pt_ctx *t = setup();
    PT_OK(t, "EXPLAIN CREATE STREAM O AS SELECT S.ID, W FROM S JOIN T ON S.ID = T.ID;");
    const char *e = pt_explain(t, t->last->query);
    assert_non_null(strstr(e, "[1] JOIN INNER T topic=t on=S_ID\n"));
    pt_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_join_step_and_schema),
        cmocka_unit_test(test_join_star_and_keys),
        cmocka_unit_test(test_join_errors),
        cmocka_unit_test(test_join_repartition),
        cmocka_unit_test(test_table_table),
        cmocka_unit_test(test_stream_stream),
        cmocka_unit_test(test_join_explain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
