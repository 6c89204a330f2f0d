/* Unit tests: syntax and lexical errors. Positions (line and 1-based column, on line 1 and
 * further down, after comments), ksqlDB's wording, no statements returned after an error,
 * allocation failures and over-deep nesting. */
#include "parse_util.h"

typedef struct {
    const char *sql;
    int line, col;
    const char *msg;            /* the whole eddy_err message */
} err_case;

/* 'got' is 'want', maybe followed by the "\nStatement: <text>" that syntax errors end with. */
static bool msg_is(const char *got, const char *want)
{
    size_t n = strlen(want);
    return strncmp(got, want, n) == 0 &&
           (got[n] == 0 || strncmp(got + n, "\nStatement: ", 12) == 0);
}

static void test_syntax_errors(void **state)
{
    (void)state;
    static const err_case cases[] = {
        {"SELECT * FORM t;", 1, 10, "line 1:10: Syntax Error\nExpecting {',', 'FROM'}"},
        {"SELCT * FROM t;", 1, 1,
         "line 1:1: Syntax Error\nUnknown statement 'SELCT'\nDid you mean 'SELECT'?"},
        {"SELECT 1 FROM t;\n\n  CRATE STREAM s;", 3, 3,
         "line 3:3: Syntax Error\nUnknown statement 'CRATE'\nDid you mean 'CREATE'?"},
        {"SELECT * FROM t WHERE a = ;", 1, 27,
         "line 1:27: Syntax Error\nSyntax error at or near ';' at line 1:27"},
        {"SELECT a, FROM t;", 1, 11,
         "line 1:11: Syntax Error\n\"FROM\" is a reserved keyword and it can't be used as an "
         "identifier. You can use it as an identifier by escaping it as 'FROM' "},
        {"SELECT size FROM t;", 1, 8,
         "line 1:8: Syntax Error\n\"size\" is a reserved keyword and it can't be used as an "
         "identifier. You can use it as an identifier by escaping it as 'size' "},
        {"CREATE STREAM s (id INT) WITH (kafka_topic='t' value_format='JSON');", 1, 48,
         "line 1:48: Syntax Error\nExpecting {',', ')'}"},
        {"CREATE STREAM s (k INT (KEY)) WITH (kafka_topic='t');", 1, 25,
         "line 1:25: Syntax Error\nExpecting {'STRING', INTEGER_VALUE}"},
        {"SELECT * FROM t LIMIT 1.5;", 1, 23, "line 1:23: Syntax Error\nExpecting INTEGER_VALUE"},
        {"SELECT * FROM t WHERE (a = 1;", 1, 29,
         "line 1:29: Syntax Error\nSyntax error at or near \";\"\n'}', ']', or ')' is missing"},
        {"SELECT * FROM t WHERE f(a", 1, 26,
         "line 1:26: Syntax Error\nSyntax error at or near \";\"\n'}', ']', or ')' is missing"},
        {"ASSERT VALUES foo (id INT) VALUES (1);", 1, 8,
         "line 1:8: Syntax Error\nSyntax error at or near 'VALUES' at line 1:8"},
        {"CREATE STREAM o AS SELECT CAST(a AS NULL) FROM t;", 1, 37,
         "line 1:37: Syntax Error\nSyntax error at or near 'NULL' at line 1:37"},
        {"SELECT * FROM t WHERE a IN ();", 1, 29,
         "line 1:29: Syntax Error\nSyntax error at or near ')' at line 1:29"},
        {"SELECT * FROM t GROUP BY a AND b;", 1, 28,
         "line 1:28: Syntax Error\nmismatched input 'AND' expecting {<EOF>, ';', ',', '(', '.', "
         "'[', 'EMIT', 'HAVING', ...}"},
        {"-- a comment line\n/* and a\n block */ SELECT a\nFROM t WHERE;", 4, 13,
         "line 4:13: Syntax Error\nSyntax error at or near ';' at line 4:13"},
        {"SELECT 1 FROM t; SELECT * FROM;", 1, 31,
         "line 1:31: Syntax Error\nSyntax error at or near ';' at line 1:31"},
        {"SELECT f((a.b) => 1) FROM t;", 1, 11,
         "line 1:11: Syntax Error\nLambda parameters must be identifiers"},
        {"SELECT a FROM t; CREATE SOURCE STREAM s AS SELECT * FROM t;", 1, 44,
         "line 1:44: Syntax Error\nCREATE SOURCE cannot be used with AS SELECT"},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++) {
        eddy_err err;
        char *s = parse_print_vars(cases[i].sql, NULL, &err);
        if (err.code != EDDY_EPARSE || err.line != cases[i].line || err.col != cases[i].col ||
            !msg_is(err.msg, cases[i].msg))
            fail_msg("%s\n  got:  %d %d:%d %s\n  want: %d:%d %s", cases[i].sql, err.code,
                     err.line, err.col, err.msg, cases[i].line, cases[i].col, cases[i].msg);
        free(s);
    }
}

/* A syntax error ends with "\nStatement: " and the text of the statement that holds it,
 * through its ';' (ksqlDB's KsqlStatementException), whatever comes before or after. */
static void test_syntax_error_names_statement(void **state)
{
    (void)state;
    static const struct {
        const char *sql, *stmt;
    } cases[] = {
        {"SELECT * FORM t;", "SELECT * FORM t;"},
        {"SELECT a FROM t;\n  SELECT 'x;y' FROM u WHERE;\nSELECT b FROM v;",
         "SELECT 'x;y' FROM u WHERE;"},
        {"SELECT a FROM t; -- done;\nSELECT * FROM;", "-- done;\nSELECT * FROM;"},
        {"SELECT * FROM t WHERE f(a", "SELECT * FROM t WHERE f(a"},
        {"SELECT a FROM t; /* ; */ SELEC b FROM u;", "/* ; */ SELEC b FROM u;"},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++) {
        eddy_err err;
        char *s = parse_print_vars(cases[i].sql, NULL, &err);
        const char *p = strstr(err.msg, "\nStatement: ");
        if (err.code != EDDY_EPARSE || !p || strcmp(p + 12, cases[i].stmt) != 0)
            fail_msg("%s\n  got:  %s\n  want statement: %s", cases[i].sql, err.msg,
                     cases[i].stmt);
        free(s);
    }
}

static void test_lexical_errors(void **state)
{
    (void)state;
    static const err_case cases[] = {
        {"SELECT a\nFROM t WHERE x = 'open;", 2, 18,
         "line 2:18: Syntax Error\nUnterminated string literal"},
        {"SELECT `abc FROM t;", 1, 8, "line 1:8: Syntax Error\nUnterminated quoted identifier"},
        {"SELECT \"abc FROM t;", 1, 8, "line 1:8: Syntax Error\nUnterminated quoted identifier"},
        {"SELECT * FROM t /* open", 1, 17, "line 1:17: Syntax Error\nUnterminated comment"},
        {"SELECT a # b FROM t;", 1, 10,
         "line 1:10: Syntax Error\nSyntax error at or near '#' at line 1:10"},
        {"SELECT \xc3\xa9t\xc3\xa9 FROM t;", 1, 8,
         "line 1:8: Syntax Error\nSyntax error at or near '\xc3' at line 1:8"},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++) {
        eddy_err err;
        char *s = parse_print_vars(cases[i].sql, NULL, &err);
        if (err.code != EDDY_EPARSE || err.line != cases[i].line || err.col != cases[i].col ||
            !msg_is(err.msg, cases[i].msg))
            fail_msg("%s\n  got:  %d %d:%d %s\n  want: %d:%d %s", cases[i].sql, err.code,
                     err.line, err.col, err.msg, cases[i].line, cases[i].col, cases[i].msg);
        free(s);
    }
}

/* Errors ksqlDB raises while building its AST: "Failed to prepare statement" and its column,
 * one past the true one (err->col stays the true column). */
static void test_prepare_errors(void **state)
{
    (void)state;
    static const err_case cases[] = {
        {"SELECT a FROM t;\nSELECT k, id, 9223372036854775808 FROM t;", 2, 15,
         "Failed to prepare statement: line 2:16: Invalid numeric literal: 9223372036854775808"},
        {"SELECT -9223372036854775809 FROM t;", 1, 8,
         "Failed to prepare statement: line 1:9: Invalid numeric literal: -9223372036854775809"},
        {"SELECT 99999999999999999999 FROM t;", 1, 8,
         "Failed to prepare statement: line 1:9: Invalid numeric literal: 99999999999999999999"},
        {"SELECT 1.7976931348623159E308 FROM t;", 1, 8,
         "Failed to prepare statement: line 1:9: Number overflows DOUBLE: 1.7976931348623159E308"},
        /* the sign belongs to the literal (SqlBase.g4: MINUS? FLOATING_POINT_VALUE) */
        {"SELECT k, -1.8E308 FROM t;", 1, 11,
         "Failed to prepare statement: line 1:12: Number overflows DOUBLE: -1.8E308"},
        {"SELECT -(1.8E308) FROM t;", 1, 10,
         "Failed to prepare statement: line 1:11: Number overflows DOUBLE: 1.8E308"},
        {"SELECT a FROM `bad.name`;", 1, 15,
         "Illegal argument at Line: 1, Col: 15. Source names may only contain alphanumeric "
         "values, '_' or '-'."},
        {"SELECT DATE_X '2020-01-01' FROM t;", 1, 8,
         "Failed to prepare statement: line 1:9: Unknown type: DATE_X"},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++) {
        eddy_err err;
        char *s = parse_print_vars(cases[i].sql, NULL, &err);
        if (err.code != EDDY_EPARSE || err.line != cases[i].line || err.col != cases[i].col ||
            !msg_is(err.msg, cases[i].msg))
            fail_msg("%s\n  got:  %d %d:%d %s\n  want: %d:%d %s", cases[i].sql, err.code,
                     err.line, err.col, err.msg, cases[i].line, cases[i].col, cases[i].msg);
        free(s);
    }
}

static void test_error_returns_no_statements(void **state)
{
    (void)state;
    eddy_arena a;
    eddy_arena_init(&a, 512);
    parser_stmt_list *l = (parser_stmt_list *)&a;   /* must be reset to NULL */
    eddy_err err;
    eddy_err_clear(&err);
    const char *sql = "CREATE STREAM s (a INT) WITH (kafka_topic='t');\nSELECT * FROM;\nDROP s;";
    assert_int_equal(parser_parse(sql, strlen(sql), NULL, &a, &l, &err), EDDY_EPARSE);
    assert_null(l);
    assert_int_equal(err.line, 2);
    /* A NULL err is allowed; the code still tells. */
    assert_int_equal(parser_parse(sql, strlen(sql), NULL, &a, &l, NULL), EDDY_EPARSE);
    assert_int_equal(parser_parse(NULL, 3, NULL, &a, &l, &err), EDDY_EINVAL);
    eddy_arena_destroy(&a);
}

static void test_too_deep(void **state)
{
    (void)state;
    size_t depth = 20000;
    char *sql = malloc(2 * depth + 64);
    char *p = sql + sprintf(sql, "SELECT ");
    for (size_t i = 0; i < depth; i++)
        *p++ = '(';
    *p++ = '1';
    for (size_t i = 0; i < depth; i++)
        *p++ = ')';
    strcpy(p, " FROM t;");
    eddy_arena a;
    eddy_arena_init(&a, 4096);
    parser_stmt_list *l;
    eddy_err err;
    eddy_err_clear(&err);
    assert_int_equal(parser_parse(sql, strlen(sql), NULL, &a, &l, &err), EDDY_EPARSE);
    assert_non_null(strstr(err.msg, "Statement is too large to parse"));
    eddy_arena_destroy(&a);
    free(sql);
}

/* Every allocation may fail: the parser reports EDDY_ENOMEM and leaks nothing (ASan). */
static void test_allocation_failures(void **state)
{
    (void)state;
    const char *sql = "DEFINE t = 'x'; CREATE STREAM ${t} (id INT KEY, v ARRAY<STRING>) WITH "
                      "(kafka_topic='t'); SELECT a, CASE WHEN b IN (1, 2) THEN 'y' END, "
                      "f(x => x + 1) FROM s JOIN u WITHIN 1 SECOND ON s.id = u.id WINDOW "
                      "TUMBLING (SIZE 1 HOUR) GROUP BY a EMIT CHANGES;";
    bool succeeded = false;
    for (long n = 0; n < 10000 && !succeeded; n++) {
        eddy_arena a;
        eddy_arena_init(&a, 256);
        parser_stmt_list *l = NULL;
        eddy_err err;
        eddy_err_clear(&err);
        eddy_alloc_fail_after(n);
        int rc = parser_parse(sql, strlen(sql), NULL, &a, &l, &err);
        eddy_alloc_fail_after(-1);
        if (rc == 0) {
            assert_int_equal(l->n, 3);
            succeeded = true;
        } else {
            assert_int_equal(rc, EDDY_ENOMEM);
            assert_null(l);
        }
        eddy_arena_destroy(&a);
    }
    assert_true(succeeded);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_syntax_error_names_statement),
        cmocka_unit_test(test_lexical_errors),
        cmocka_unit_test(test_prepare_errors),
        cmocka_unit_test(test_error_returns_no_statements),
        cmocka_unit_test(test_too_deep),
        cmocka_unit_test(test_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
