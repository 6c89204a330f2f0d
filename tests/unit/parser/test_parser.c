/* Unit tests: the grammar. Every statement kind, expression precedence and shapes, select
 * items, joins and windows, compared through the AST printer (table-driven). */
#include "parse_util.h"

typedef struct { const char *sql, *want; } case_t;

static void run_cases(const case_t *cases, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ASSERT_PARSES_TO(cases[i].sql, cases[i].want);
}

static void test_statement_kinds(void **state)
{
    (void)state;
    static const case_t cases[] = {
        {"CREATE STREAM s (id INT KEY, v STRING) WITH (kafka_topic='t', value_format='JSON');",
         "(create-stream S (columns (ID INT key) (V STRING)) (with (KAFKA_TOPIC 't') "
         "(VALUE_FORMAT 'JSON')))"},
        {"create or replace source table if not exists T2 (k BIGINT PRIMARY KEY, "
         "h BYTES HEADER(' x '), hs ARRAY<STRUCT<KEY STRING, VALUE BYTES>> HEADERS)",
         "(create-table T2 or-replace if-not-exists source (columns (K BIGINT primary-key) "
         "(H BYTES header 'x') (HS ARRAY<STRUCT<KEY STRING,VALUE BYTES>> headers)))"},
        {"CREATE STREAM s;", "(create-stream S)"},
        {"CREATE STREAM s WITH ('Mixed'=1, b=-2.5, c=true, d=null);",
         "(create-stream S (with (Mixed (int 1)) (B (dec -2.5 2 1)) (C true) (D null)))"},
        {"CREATE TABLE o WITH (partitions=2) AS SELECT k, COUNT(*) FROM s GROUP BY k;",
         "(create-as-table O (with (PARTITIONS (int 2))) (query (items K (call COUNT *)) "
         "(from S) (group-by K)))"},
        {"CREATE OR REPLACE STREAM o AS SELECT * FROM s;",
         "(create-as-stream O or-replace (query (items *) (from S)))"},
        {"INSERT INTO o SELECT * FROM s;", "(insert O (query (items *) (from S)))"},
        {"INSERT INTO o WITH (QUERY_ID='q1') SELECT a FROM s;",
         "(insert O (with (QUERY_ID 'q1')) (query (items A) (from S)))"},
        {"INSERT INTO o (a, `B`) VALUES (1, 'x');",
         "(insert-values O (columns A B) (values (int 1) 'x'))"},
        {"INSERT INTO o VALUES ();", "(insert-values O (values))"},
        {"DROP STREAM s;", "(drop-stream S)"},
        {"DROP TABLE IF EXISTS t DELETE TOPIC;", "(drop-table T if-exists delete-topic)"},
        {"DROP STREAM IF;", "(drop-stream IF)"},
        {"CREATE TYPE IF NOT EXISTS addr AS STRUCT<n INT, s VARCHAR>;",
         "(create-type ADDR if-not-exists STRUCT<N INT,S VARCHAR>)"},
        {"DROP TYPE IF EXISTS addr;", "(drop-type ADDR if-exists)"},
        {"ALTER TABLE t ADD COLUMN c INT, ADD d ARRAY<STRING>;",
         "(alter-table T (columns (C INT) (D ARRAY<STRING>)))"},
        {"DEFINE myVar = 'it''s';", "(define 'myVar' 'it''s')"},
        {"UNDEFINE myVar;", "(undefine 'myVar')"},
        {"SET 'auto.offset.reset'='earliest';", "(set 'auto.offset.reset' 'earliest')"},
        {"UNSET 'auto.offset.reset';", "(unset 'auto.offset.reset')"},
        {"ALTER SYSTEM 'k'='v';", "(alter-system 'k' 'v')"},
        {"SHOW STREAMS; LIST STREAMS EXTENDED; SHOW TABLES; SHOW TOPICS; SHOW ALL TOPICS "
         "EXTENDED; SHOW QUERIES EXTENDED; SHOW FUNCTIONS; SHOW TYPES; SHOW PROPERTIES; "
         "LIST VARIABLES;",
         "(list streams)\n(list streams extended)\n(list tables)\n(list topics)\n"
         "(list all-topics extended)\n(list queries extended)\n(list functions)\n(list types)\n"
         "(list properties)\n(list variables)"},
        {"DESCRIBE s; DESCRIBE s EXTENDED; DESCRIBE STREAMS; DESCRIBE TABLES EXTENDED; "
         "DESCRIBE `TABLES`; DESCRIBE FUNCTION concat;",
         "(describe S)\n(describe S extended)\n(describe-streams)\n(describe-tables extended)\n"
         "(describe TABLES)\n(describe-function concat)"},
        {"EXPLAIN SELECT * FROM s; EXPLAIN csas_1;",
         "(explain (query (items *) (from S)))\n(explain CSAS_1)"},
        {"TERMINATE q1; TERMINATE ALL; PAUSE q2; PAUSE ALL; RESUME q3; RESUME ALL;",
         "(terminate Q1)\n(terminate all)\n(pause Q2)\n(pause all)\n(resume Q3)\n(resume all)"},
        {"PRINT 'My-Topic' FROM BEGINNING INTERVAL 2 LIMIT 10; PRINT myTopic;",
         "(print My-Topic from-beginning (interval 2) (limit 10))\n(print myTopic)"},
        {"ASSERT TOPIC t WITH (partitions=1) TIMEOUT 5 SECONDS; ASSERT NOT EXISTS SCHEMA "
         "SUBJECT 'sub' ID 3;",
         "(assert-topic t (with (PARTITIONS (int 1))) (timeout 5 SECONDS))\n"
         "(assert-schema not-exists sub (id (int 3)))"},
        /* RUN SCRIPT is the CLI's (SqlBase.g4 testStatement), not a statement */
        {"RUN SCRIPT '/tmp/a.sql';",
         "ERROR line 1:1: Syntax Error\nUnknown statement 'RUN'\nDid you mean 'PRINT'?"},
    };
    run_cases(cases, EDDY_ARRAY_LEN(cases));
}

static void test_query_clauses(void **state)
{
    (void)state;
    static const case_t cases[] = {
        {"SELECT * FROM s WHERE a > 1 PARTITION BY b EMIT CHANGES LIMIT 3;",
         "(query (items *) (from S) (where (> A (int 1))) (partition-by B) (emit changes) "
         "(limit 3))"},
        {"SELECT k, SUM(v) AS total FROM s WINDOW TUMBLING (SIZE 30 SECONDS, RETENTION 1 DAY, "
         "GRACE PERIOD 10 MILLISECONDS) GROUP BY k HAVING SUM(v) > 10 EMIT FINAL;",
         "(query (items K (as (call SUM V) TOTAL)) (from S) (window tumbling (size 30 SECONDS) "
         "(retention 1 DAYS) (grace 10 MILLISECONDS)) (group-by K) (having (> (call SUM V) "
         "(int 10))) (emit final))"},
        {"SELECT * FROM s WINDOW HOPPING (SIZE 1 MINUTE, ADVANCE BY 10 SECOND) GROUP BY k;",
         "(query (items *) (from S) (window hopping (size 1 MINUTES) (advance 10 SECONDS)) "
         "(group-by K))"},
        {"SELECT * FROM s WINDOW SESSION (5 HOURS, GRACE PERIOD 1 HOUR) GROUP BY k;",
         "(query (items *) (from S) (window session (size 5 HOURS) (grace 1 HOURS)) "
         "(group-by K))"},
        {"SELECT * FROM s WINDOW w TUMBLING (SIZE 1 MILLISECOND) GROUP BY (a, b);",
         "(query (items *) (from S) (window tumbling (size 1 MILLISECONDS)) (group-by A B))"},
        /* ksqlDB's GroupBy/PartitionBy nodes reject an empty list as they are built */
        {"SELECT * FROM s GROUP BY (); ", "ERROR GROUP BY requires at least one expression"},
        {"SELECT * FROM s PARTITION BY ();",
         "ERROR PARTITION BY requires at least one expression"},
        {"SELECT * FROM s PARTITION BY (a IS NULL);",
         "(query (items *) (from S) (partition-by (is-null A)))"},
        {"SELECT * FROM s PARTITION BY a, b->c;",
         "(query (items *) (from S) (partition-by A (-> B C)))"},
        /* joins */
        {"SELECT * FROM a JOIN b ON a.id = b.id;",
         "(query (items *) (from A) (join inner B (on (= A.ID B.ID))))"},
        {"SELECT * FROM a x INNER JOIN b AS y WITHIN 10 SECONDS ON x.id = y.id;",
         "(query (items *) (from A X) (join inner B Y (before 10 SECONDS) (after 10 SECONDS) "
         "(on (= X.ID Y.ID))))"},
        {"SELECT * FROM a LEFT JOIN b WITHIN (1 SECOND, 2 MINUTES) GRACE PERIOD 3 DAYS ON "
         "a.k = b.k RIGHT OUTER JOIN c ON a.k = c.k FULL OUTER JOIN d ON a.k = d.k;",
         "(query (items *) (from A) (join left B (before 1 SECONDS) (after 2 MINUTES) "
         "(grace 3 DAYS) (on (= A.K B.K))) (join right C (on (= A.K C.K))) "
         "(join full D (on (= A.K D.K))))"},
        {"SELECT * FROM a LEFT OUTER JOIN b WITHIN 1 HOURS GRACE PERIOD 5 MINUTES ON a.k=b.k;",
         "(query (items *) (from A) (join left B (before 1 HOURS) (after 1 HOURS) "
         "(grace 5 MINUTES) (on (= A.K B.K))))"},
        /* select items */
        {"SELECT a, b AS x, c y, t.*, s->*, s->f->* FROM t;",
         "(query (items A (as B X) (as C Y) T.* (->* S) (->* (-> S F))) (from T))"},
        {"SELECT a key, b AS `Value`, c timestamp FROM t alias_1;",
         "(query (items (as A KEY) (as B Value) (as C TIMESTAMP)) (from T ALIAS_1))"},
        {"SELECT * FROM s AS emit EMIT CHANGES;",
         "(query (items *) (from S EMIT) (emit changes))"},
    };
    run_cases(cases, EDDY_ARRAY_LEN(cases));
}

typedef struct { const char *expr, *want; } ecase_t;

static void run_exprs(const ecase_t *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *got = expr_print(cases[i].expr);
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("%s\n  got:  %s\n  want: %s", cases[i].expr, got, cases[i].want);
        free(got);
    }
}

static void test_expression_precedence(void **state)
{
    (void)state;
    static const ecase_t cases[] = {
        {"a + b * c", "(+ A (* B C))"},
        {"a * b + c", "(+ (* A B) C)"},
        {"a - b - c", "(- (- A B) C)"},
        {"a / b % c", "(% (/ A B) C)"},
        {"(a + b) * c", "(* (+ A B) C)"},
        {"-a * b", "(* (- A) B)"},
        {"-(a + b)", "(- (+ A B))"},
        {"+a", "(+ A)"},
        {"a || b + c", "(|| A (+ B C))"},
        {"a + b || c", "(|| (+ A B) C)"},
        {"a || b || c", "(|| (|| A B) C)"},
        {"a = b + 1", "(= A (+ B (int 1)))"},
        {"a < b AND c >= d OR e <> f", "(or (and (< A B) (>= C D)) (<> E F))"},
        {"a != b", "(<> A B)"},
        {"a OR b AND c", "(or A (and B C))"},
        {"NOT a AND b", "(and (not A) B)"},
        {"NOT a = b", "(not (= A B))"},
        {"NOT NOT a", "(not (not A))"},
        {"a BETWEEN 1 AND 2 AND b", "(and (between A (int 1) (int 2)) B)"},
        {"a NOT BETWEEN b + 1 AND c", "(not-between A (+ B (int 1)) C)"},
        {"a IN (1, b, 'x')", "(in A (int 1) B 'x')"},
        {"a NOT IN (1)", "(not-in A (int 1))"},
        {"a LIKE 'x%'", "(like A 'x%')"},
        {"a NOT LIKE 'x!%' ESCAPE '!'", "(not-like A 'x!%' '!')"},
        {"a IS NULL OR b IS NOT NULL", "(or (is-null A) (is-not-null B))"},
        {"a IS DISTINCT FROM b", "(distinct A B)"},
        {"a IS NOT DISTINCT FROM b + 1", "(not-distinct A (+ B (int 1)))"},
        {"a->b->c", "(-> (-> A B) C)"},
        {"a[1]->b", "(-> ([] A (int 1)) B)"},
        {"m['k'][2]", "([] ([] M 'k') (int 2))"},
        {"f(x)[0]", "([] (call F X) (int 0))"},
        {"t.c->f", "(-> T.C F)"},
        {"-a[1]", "(- ([] A (int 1)))"},
    };
    run_exprs(cases, EDDY_ARRAY_LEN(cases));
}

static void test_expression_forms(void **state)
{
    (void)state;
    static const ecase_t cases[] = {
        {"CASE WHEN a > 1 THEN 'x' WHEN a > 0 THEN 'y' ELSE 'z' END",
         "(case (when (> A (int 1)) 'x') (when (> A (int 0)) 'y') (else 'z'))"},
        {"CASE a WHEN 1 THEN 2 END", "(case A (when (int 1) (int 2)))"},
        {"CAST(a AS BIGINT)", "(cast A BIGINT)"},
        {"CAST(a AS DECIMAL(10, 2))", "(cast A DECIMAL(10,2))"},
        {"CAST(a AS ARRAY<MAP<STRING, STRUCT<x INT, `y` DOUBLE>>>)",
         "(cast A ARRAY<MAP<STRING,STRUCT<X INT,y DOUBLE>>>)"},
        {"CAST(a AS VARCHAR(STRING))", "(cast A VARCHAR(STRING))"},
        {"CAST(a AS INT ARRAY)", "(cast A ARRAY<INT>)"},
        {"ARRAY[1, 2]", "(array (int 1) (int 2))"},
        {"ARRAY[]", "(array)"},
        {"MAP('a' := 1, 'b' := x)", "(map ('a' (int 1)) ('b' X))"},
        {"MAP()", "(map)"},
        {"STRUCT(a := 1, `B` := STRUCT())", "(struct (A (int 1)) (B (struct)))"},
        {"COUNT(*)", "(call COUNT *)"},
        {"COUNT()", "(call COUNT)"},
        {"concat(a, 'x', 1)", "(call CONCAT A 'x' (int 1))"},
        {"TRANSFORM(arr, x => x * 2)", "(call TRANSFORM ARR (lambda (X) (* X (int 2))))"},
        {"REDUCE(m, 0, (s, k, v) => s + v)",
         "(call REDUCE M (int 0) (lambda (S K V) (+ S V)))"},
        {"FILTER(arr, (x) => x > 1)", "(call FILTER ARR (lambda (X) (> X (int 1))))"},
        {"TIMESTAMPADD(MILLISECONDS, 5, ts)",
         "(call TIMESTAMPADD (unit MILLISECONDS) (int 5) TS)"},
        {"DATEADD(DAYS, 1, d)", "(call DATEADD (unit DAYS) (int 1) D)"},
        {"DECIMAL '1.50'", "ERROR line 1:8: Syntax Error\n\"DECIMAL\" is a reserved keyword and "
         "it can't be used as an identifier. You can use it as an identifier by escaping it as "
         "'DECIMAL' "},
        {"`DECIMAL` '1.50'", "(dec 1.50 3 2)"},
        /* keywords usable as names */
        {"key + value", "(+ KEY VALUE)"},
        {"date, time, timestamp, id, header", "DATE TIME TIMESTAMP ID HEADER"},
        {"map, struct, array", "MAP STRUCT ARRAY"},
        {"map['k'], struct->f", "([] MAP 'k') (-> STRUCT F)"},
        {"source.key", "SOURCE.KEY"},
        {"emit, partition, escape", "EMIT PARTITION ESCAPE"},
    };
    run_exprs(cases, EDDY_ARRAY_LEN(cases));
}

static void test_positions_and_text(void **state)
{
    (void)state;
    const char *sql = "SELECT a FROM t;\n  -- c\n  INSERT INTO x SELECT b + 1 FROM y ;  ";
    eddy_arena a;
    eddy_arena_init(&a, 512);
    parser_stmt_list *l;
    eddy_err err;
    EXPECT_OK(parser_parse(sql, strlen(sql), NULL, &a, &l, &err), &err);
    assert_int_equal(l->n, 2);
    assert_string_equal(l->items[0]->text, "SELECT a FROM t");
    assert_string_equal(l->items[1]->text, "INSERT INTO x SELECT b + 1 FROM y");
    const parser_stmt *ins = l->items[1];
    int line, col;
    parser_linecol(l->text, l->text_len, ins->pos, &line, &col);
    assert_int_equal(line, 3);
    assert_int_equal(col, 3);
    const parser_expr *e = ins->insert.query->items[0].expr;
    assert_int_equal(e->kind, PARSER_EXPR_BINARY);
    assert_memory_equal(l->text + e->pos, "b + 1", e->len);
    assert_int_equal(e->binary.right->pos, e->pos + 4);
    assert_int_equal(ins->insert.target_pos, (uint32_t)(strstr(sql, "x SELECT") - sql));
    assert_int_equal(ins->insert.query->from.pos, (uint32_t)(strstr(sql, "y ;") - sql));
    /* Durations convert to milliseconds. */
    const char *w = "SELECT * FROM s WINDOW TUMBLING (SIZE 2 MINUTES) GROUP BY k;";
    EXPECT_OK(parser_parse(w, strlen(w), NULL, &a, &l, &err), &err);
    assert_int_equal(parser_duration_ms(&l->items[0]->query->window->size), 120000);
    assert_string_equal(parser_stmt_kind_name(l->items[0]->kind), "QUERY");
    eddy_arena_destroy(&a);
}

static void test_empty_and_multi(void **state)
{
    (void)state;
    ASSERT_PARSES_TO("", "");
    ASSERT_PARSES_TO("  -- nothing\n /* at all */ ", "");
    ASSERT_PARSES_TO(";;SELECT a FROM t;;", "(query (items A) (from T))");
    ASSERT_PARSES_TO("SELECT a FROM t", "(query (items A) (from T))");
    ASSERT_PARSES_TO("SELECT ';' FROM t; SELECT `;` FROM u; -- ;\nSELECT /* ; */ c FROM v;",
                     "(query (items ';') (from T))\n(query (items ;) (from U))\n"
                     "(query (items C) (from V))");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_statement_kinds),
        cmocka_unit_test(test_query_clauses),
        cmocka_unit_test(test_expression_precedence),
        cmocka_unit_test(test_expression_forms),
        cmocka_unit_test(test_positions_and_text),
        cmocka_unit_test(test_empty_and_multi),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
