/* Unit tests: the lexer and what the builders do with tokens. Identifier case rules, string
 * escapes, comments, numeric literal typing, keywords, variables, line/column conversion. */
#include "parse_util.h"

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

static void test_identifier_case(void **state)
{
    (void)state;
    static const ecase_t cases[] = {
        {"abc", "ABC"},
        {"aBc_1@x", "ABC_1@X"},
        {"`aBc`", "aBc"},
        {"`a``b`", "a`b"},
        {"\"aBc\"", "aBc"},
        {"\"a\"\"b\"", "a\"b"},
        {"`with space`", "with space"},
        {"1abc", "1ABC"},
        {"_x", "_X"},
        {"t.`Col`", "T.Col"},
        {"`T`.c", "T.C"},
    };
    run_exprs(cases, EDDY_ARRAY_LEN(cases));
    ASSERT_PARSES_TO("select A from `Mixed` m;", "(query (items A) (from Mixed M))");
}

static void test_strings_and_comments(void **state)
{
    (void)state;
    static const ecase_t cases[] = {
        {"'plain'", "'plain'"},
        {"'it''s'", "'it''s'"},
        {"''", "''"},
        {"''''", "''''"},
        {"'back\\slash \"dq\"'", "'back\\slash \"dq\"'"},
        {"'multi\nline'", "'multi\nline'"},
        {"'-- not a comment'", "'-- not a comment'"},
        {"'/* nor this */'", "'/* nor this */'"},
        {"a -- trailing comment\n + 1", "(+ A (int 1))"},
        {"a /* inline */ + /* multi\nline */ 1", "(+ A (int 1))"},
        {"a/**/+1", "(+ A (int 1))"},
        {"a --@directive\n", "A"},
    };
    run_exprs(cases, EDDY_ARRAY_LEN(cases));
}

static void test_number_typing(void **state)
{
    (void)state;
    static const ecase_t cases[] = {
        {"0", "(int 0)"},
        {"2147483647", "(int 2147483647)"},
        {"2147483648", "(bigint 2147483648)"},
        {"-2147483648", "(int -2147483648)"},
        {"-2147483649", "(bigint -2147483649)"},
        {"9223372036854775807", "(bigint 9223372036854775807)"},
        {"-9223372036854775808", "(bigint -9223372036854775808)"},
        {"007", "(int 7)"},
        {"1.5", "(dec 1.5 2 1)"},
        {"1.50", "(dec 1.50 3 2)"},
        {"12.", "(dec 12. 2 0)"},
        {".5", "(dec .5 2 1)"},
        {"0.005", "(dec 0.005 4 3)"},
        {"00123.4500", "(dec 00123.4500 7 4)"},
        {"-1.5", "(dec -1.5 2 1)"},
        {"1.5E3", "(double 1500)"},
        {"1e3", "(double 1000)"},
        {"2.5e-1", "(double 0.25)"},
        {".5E1", "(double 5)"},
        {"- 1", "(int -1)"},
        {"-(1)", "(- (int 1))"},
        {"- -1", "(- (int -1))"},
        {"1-1", "(- (int 1) (int 1))"},
        {"a-1", "(- A (int 1))"},
        {"true, FALSE, Null", "true false null"},
    };
    run_exprs(cases, EDDY_ARRAY_LEN(cases));
}

static void test_keywords(void **state)
{
    (void)state;
    assert_true(parser_is_reserved("select"));
    assert_true(parser_is_reserved("FROM"));
    assert_true(parser_is_reserved("Size"));
    assert_true(parser_is_reserved("null"));
    assert_false(parser_is_reserved("key"));
    assert_false(parser_is_reserved("DATE"));
    assert_false(parser_is_reserved("session"));
    assert_false(parser_is_reserved("string"));
    assert_false(parser_is_reserved("value"));
    assert_false(parser_is_reserved("my_column"));
    assert_false(parser_is_reserved(NULL));
    /* A non-reserved keyword works as column, alias, source and type name. */
    ASSERT_PARSES_TO("CREATE STREAM type (key STRING KEY, date DATE, string STRING) "
                     "WITH (kafka_topic='t');",
                     "(create-stream TYPE (columns (KEY STRING key) (DATE DATE) "
                     "(STRING STRING)) (with (KAFKA_TOPIC 't')))");
}

static void test_variables(void **state)
{
    (void)state;
    eddy_err err;
    const parser_var v[] = {{"topic", "my_topic"}, {"quote", "it's"}, {"n", "5"}};
    const parser_vars vars = {EDDY_ARRAY_LEN(v), v};
    char *s = parse_print_vars("CREATE STREAM ${topic} WITH (kafka_topic='${topic}', "
                               "x='${quote}', p=${n});",
                               &vars, &err);
    assert_string_equal(s, "(create-stream MY_TOPIC (with (KAFKA_TOPIC 'my_topic') "
                           "(X 'it''s') (P (int 5))))");
    free(s);
    /* DEFINE applies to the statements after it; UNDEFINE removes it again. */
    s = parse_print_vars("DEFINE col = 'a'; SELECT ${col} FROM t; DEFINE col = 'b'; "
                         "SELECT ${col}, '${col}' FROM t; UNDEFINE col; SELECT '${col}' FROM t;",
                         NULL, &err);
    assert_string_equal(s, "(define 'col' 'a')\n(query (items A) (from T))\n(define 'col' 'b')\n"
                           "(query (items B 'b') (from T))\n(undefine 'col')\n"
                           "(query (items '${col}') (from T))");
    free(s);
    /* Not substituted in comments or quoted identifiers; undefined ones are errors. */
    s = parse_print_vars("SELECT `${n}` FROM t -- ${n}\n;", &vars, &err);
    assert_string_equal(s, "(query (items ${n}) (from T))");
    free(s);
    s = parse_print_vars("SELECT ${nope} FROM t;", &vars, &err);
    assert_int_equal(err.code, EDDY_EPARSE);
    assert_int_equal(err.line, 1);
    assert_int_equal(err.col, 8);
    free(s);
    /* Positions refer to the substituted text, which the list exposes. */
    eddy_arena a;
    eddy_arena_init(&a, 512);
    parser_stmt_list *l;
    const char *sql = "SELECT ${n} + x FROM t;";
    EXPECT_OK(parser_parse(sql, strlen(sql), &vars, &a, &l, &err), &err);
    assert_string_equal(l->text, "SELECT 5 + x FROM t;");
    assert_string_equal(l->items[0]->text, "SELECT 5 + x FROM t");
    eddy_arena_destroy(&a);
}

static void test_linecol(void **state)
{
    (void)state;
    const char *t = "ab\ncd\n\nx";
    int line, col;
    parser_linecol(t, strlen(t), 0, &line, &col);
    assert_int_equal(line, 1);
    assert_int_equal(col, 1);
    parser_linecol(t, strlen(t), 4, &line, &col);
    assert_int_equal(line, 2);
    assert_int_equal(col, 2);
    parser_linecol(t, strlen(t), 7, &line, &col);
    assert_int_equal(line, 4);
    assert_int_equal(col, 1);
    parser_linecol(t, strlen(t), 100, &line, &col);
    assert_int_equal(line, 4);
    assert_int_equal(col, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identifier_case),
        cmocka_unit_test(test_strings_and_comments),
        cmocka_unit_test(test_number_typing),
        cmocka_unit_test(test_keywords),
        cmocka_unit_test(test_variables),
        cmocka_unit_test(test_linecol),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
