/*
 * test_json.c - JSON functions: path extraction, the JSON_* helpers and TO_JSON_STRING over
 * every type, with invalid and NULL inputs.
 */
#include "fnt.h"

#define S(x) fnt_str(x)
#define I(x) fnt_int(x)
#define NS fnt_null(EDDY_TYPE_STRING)

typedef struct {
    fn_expr *e;
    const char *want;
} tcase;

static void run(const tcase *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        eddy_value v = fnt_eval(c[i].e);
        const char *got = fnt_fmt(&v, c[i].e->type);
        if (strcmp(got, c[i].want) != 0)
            fail_msg("case %zu (%s): got '%s', want '%s'", i, c[i].e->u.call.fn->name, got,
                     c[i].want);
    }
}

static void test_extractjsonfield(void **state)
{
    (void)state;
    const char *doc = "{\"a\": {\"b\": [10, {\"c\": \"x\\\"y\"}, 1.50]}, \"s\": \"t\", "
                      "\"n\": null, \"o\": {\"k\": true}}";
    const tcase c[] = {
        {FNT_CALL("EXTRACTJSONFIELD", S(doc), S("$.s")), "t"},
        {FNT_CALL("EXTRACTJSONFIELD", S(doc), S("$.a.b[0]")), "10"},
        {FNT_CALL("EXTRACTJSONFIELD", S(doc), S("$.a.b[1].c")), "x\"y"},
        {FNT_CALL("EXTRACTJSONFIELD", S(doc), S("$.a.b[2]")), "1.50"},
        {FNT_CALL("EXTRACTJSONFIELD", S(doc), S("$['o']")), "NULL"}, /* only "..." quotes */
        {FNT_CALL("EXTRACTJSONFIELD", S(doc), S("$[\"o\"]")), "{\"k\":true}"},
        {FNT_CALL("EXTRACTJSONFIELD", S(doc), S("$.n")), "null"},
        {FNT_CALL("EXTRACTJSONFIELD", S(doc), S("$.missing")), "NULL"},
        {FNT_CALL("EXTRACTJSONFIELD", S(doc), S("$.a.b[9]")), "NULL"},
        {FNT_CALL("EXTRACTJSONFIELD", S(doc), S("$.a.b.x")), "NULL"},
        {FNT_CALL("EXTRACTJSONFIELD", S(doc), S("$")), "{\"a\":{\"b\":[10,{\"c\":\"x\\\"y\"},"
                                                       "1.50]},\"s\":\"t\",\"n\":null,"
                                                       "\"o\":{\"k\":true}}"},
        {FNT_CALL("EXTRACTJSONFIELD", NS, S("$.a")), "NULL"},
    };
    run(c, EDDY_ARRAY_LEN(c));
    assert_int_equal(fnt_nlogged, 1); /* $['o']: ' is not a path character -> invalid path */
    FNT_EXPECT(FNT_CALL("EXTRACTJSONFIELD", S("{bad"), S("$.a")), "NULL");
    assert_int_equal(fnt_nlogged, 2);
    assert_string_equal(fnt_last_log, "Invalid JSON format");
}

static void test_json_helpers(void **state)
{
    (void)state;
    const tcase c[] = {
        {FNT_CALL("JSON_ARRAY_LENGTH", S("[1, [2, 3], {}]")), "3"},
        {FNT_CALL("JSON_ARRAY_LENGTH", S("{}")), "NULL"},
        {FNT_CALL("JSON_ARRAY_LENGTH", S("")), "NULL"},
        {FNT_CALL("JSON_KEYS", S("{\"b\": 1, \"a\": {\"c\": 2}}")), "[b, a]"},
        {FNT_CALL("JSON_KEYS", S("[1]")), "NULL"},
        {FNT_CALL("JSON_RECORDS", S("{\"a\": \"x\", \"b\": [1, 2]}")), "{a=x, b=[1,2]}"},
        {FNT_CALL("JSON_ITEMS", S("[{\"a\": 1}, \"s\", 2]")), "[{\"a\":1}, \"s\", 2]"},
        {FNT_CALL("IS_JSON_STRING", S("{\"a\": 1}")), "true"},
        {FNT_CALL("IS_JSON_STRING", S("{\"a\": }")), "false"},
        {FNT_CALL("IS_JSON_STRING", S("  ")), "false"},
        {FNT_CALL("IS_JSON_STRING", NS), "false"},
        {FNT_CALL("JSON_CONCAT", S("{\"a\": 1, \"b\": 2}"), S("{\"b\": 3, \"c\": 4}")),
         "{\"a\":1,\"b\":3,\"c\":4}"},
        {FNT_CALL("JSON_CONCAT", S("[1, 2]"), S("{\"a\": 1}"), S("3")), "[1,2,{\"a\":1},3]"},
        {FNT_CALL("JSON_CONCAT", S("1"), NS), "NULL"},
        {FNT_CALL("JSON_ARRAY_CONTAINS", S("[1, 2, 3]"), I(2)), "true"},
        {FNT_CALL("JSON_ARRAY_CONTAINS", S("[1, 2, 3]"), S("2")), "false"},
        {FNT_CALL("JSON_ARRAY_CONTAINS", S("[\"a\", null]"), S("a")), "true"},
        {FNT_CALL("JSON_ARRAY_CONTAINS", S("[1.5]"), fnt_dbl(1.5)), "true"},
        {FNT_CALL("JSON_ARRAY_CONTAINS", S("[[1]]"), I(1)), "false"},
        {FNT_CALL("JSON_ARRAY_CONTAINS", S("not json"), I(1)), "false"},
        {FNT_CALL("JSON_ARRAY_CONTAINS", S("[true]"), fnt_bool(true)), "true"},
    };
    run(c, EDDY_ARRAY_LEN(c));
    FNT_EXPECT(FNT_CALL("JSON_ITEMS", S("{}")), "NULL");
    assert_int_equal(fnt_nlogged, 1);
}

static void test_to_json_string(void **state)
{
    (void)state;
    const eddy_type *st = fnt_type("STRUCT<Z INT, A STRING, M MAP<STRING, DOUBLE>>");
    const eddy_type *mt = fnt_type("MAP<STRING, DOUBLE>");
    fn_expr *m = fnt_node(FN_MAP, mt, 4, S("y"), fnt_dbl(1e10), S("b"), fnt_dbl(0.5));
    fn_expr *s = fnt_node(FN_STRUCT, st, 3, I(1), NS, m);
    const eddy_type *ai = fnt_type("ARRAY<INT>");
    const tcase c[] = {
        {FNT_CALL("TO_JSON_STRING", s), "{\"A\":null,\"M\":{\"b\":0.5,\"y\":1.0E10},\"Z\":1}"},
        {FNT_CALL("TO_JSON_STRING", fnt_node(FN_ARRAY, ai, 2, I(1), fnt_null(EDDY_TYPE_INT))),
         "[1,null]"},
        {FNT_CALL("TO_JSON_STRING", S("a\"b\n")), "\"a\\\"b\\n\""},
        {FNT_CALL("TO_JSON_STRING", fnt_dec("1.50")), "1.50"},
        {FNT_CALL("TO_JSON_STRING", fnt_lit(eddy_value_timestamp(1000), EDDY_TYPE_TIMESTAMP)),
         "\"1970-01-01T00:00:01.000\""},
        {FNT_CALL("TO_JSON_STRING", fnt_lit(eddy_value_date(1), EDDY_TYPE_DATE)),
         "\"1970-01-02\""},
        {FNT_CALL("TO_JSON_STRING", fnt_lit(eddy_value_bytes("hi", 2), EDDY_TYPE_BYTES)),
         "\"aGk=\""},
        {FNT_CALL("TO_JSON_STRING", fnt_bool(false)), "false"},
        {FNT_CALL("TO_JSON_STRING", NS), "null"},
    };
    run(c, EDDY_ARRAY_LEN(c));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_extractjsonfield, fnt_setup, fnt_teardown),
        cmocka_unit_test_setup_teardown(test_json_helpers, fnt_setup, fnt_teardown),
        cmocka_unit_test_setup_teardown(test_to_json_string, fnt_setup, fnt_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
