/*
 * test_string.c - string and bytes functions, table-driven, with NULL and edge inputs.
 */
#include "fnt.h"

#define S(x) fnt_str(x)
#define I(x) fnt_int(x)
#define NS fnt_null(EDDY_TYPE_STRING)
#define NI fnt_null(EDDY_TYPE_INT)

static fn_expr *bytes(const char *s)
{
    return fnt_lit(eddy_value_bytes(s, strlen(s)), EDDY_TYPE_BYTES);
}

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

static void test_case_and_concat(void **state)
{
    (void)state;
    const tcase c[] = {
        {FNT_CALL("UCASE", S("abcÿ1")), "ABCŸ1"},
        {FNT_CALL("LCASE", S("AbC")), "abc"},
        {FNT_CALL("UCASE", NS), "NULL"},
        {FNT_CALL("INITCAP", S("the   Quick br0wn fOx")), "The   Quick Br0wn Fox"},
        {FNT_CALL("INITCAP", S("")), ""},
        {FNT_CALL("CONCAT", S("a"), NS, S("b")), "ab"},
        {FNT_CALL("CONCAT", NS, NS), ""},
        {FNT_CALL("CONCAT_WS", S("-"), S("a"), NS, S("b")), "a-b"},
        {FNT_CALL("CONCAT_WS", NS, S("a")), "NULL"},
        {FNT_CALL("LEN", S("héllo")), "5"},
        {FNT_CALL("LEN", NS), "NULL"},
        {FNT_CALL("TRIM", S("  a b \t")), "a b"},
    };
    run(c, EDDY_ARRAY_LEN(c));
}

static void test_substring(void **state)
{
    (void)state;
    const tcase c[] = {
        {FNT_CALL("SUBSTRING", S("hello"), I(2)), "ello"},
        {FNT_CALL("SUBSTRING", S("hello"), I(2), I(3)), "ell"},
        {FNT_CALL("SUBSTRING", S("hello"), I(-3)), "llo"},
        {FNT_CALL("SUBSTRING", S("hello"), I(-10), I(2)), "he"},
        {FNT_CALL("SUBSTRING", S("hello"), I(0)), "hello"},
        {FNT_CALL("SUBSTRING", S("hello"), I(10)), ""},
        {FNT_CALL("SUBSTRING", S("hello"), I(2), I(-1)), ""},
        {FNT_CALL("SUBSTRING", S("héllo"), I(2), I(2)), "él"},
        {FNT_CALL("SUBSTRING", NS, I(2)), "NULL"},
        {FNT_CALL("SUBSTRING", S("a"), NI), "NULL"},
    };
    run(c, EDDY_ARRAY_LEN(c));
    fnt_config.substring_legacy_args = true;
    FNT_EXPECT(FNT_CALL("SUBSTRING", S("hello"), I(1), I(3)), "el");
    FNT_EXPECT(FNT_CALL("SUBSTRING", S("hello"), I(1), I(9)), "NULL");
    assert_int_equal(fnt_nlogged, 1);
}

static void test_replace_instr_pad(void **state)
{
    (void)state;
    const tcase c[] = {
        {FNT_CALL("REPLACE", S("abcabc"), S("b"), S("XY")), "aXYcaXYc"},
        {FNT_CALL("REPLACE", S("ab"), S(""), S("-")), "-a-b-"},
        {FNT_CALL("REPLACE", S("ab"), NS, S("-")), "NULL"},
        {FNT_CALL("INSTR", S("CORPORATE FLOOR"), S("OR")), "2"},
        {FNT_CALL("INSTR", S("CORPORATE FLOOR"), S("OR"), I(3)), "5"},
        {FNT_CALL("INSTR", S("CORPORATE FLOOR"), S("OR"), I(3), I(2)), "14"},
        {FNT_CALL("INSTR", S("CORPORATE FLOOR"), S("OR"), I(-3)), "5"},
        {FNT_CALL("INSTR", S("CORPORATE FLOOR"), S("OR"), I(-3), I(2)), "2"},
        {FNT_CALL("INSTR", S("CORPORATE FLOOR"), S("MISSING")), "0"},
        {FNT_CALL("INSTR", NS, S("a")), "0"},
        {FNT_CALL("INSTR", S("abc"), S("a"), I(10)), "0"},
        {FNT_CALL("LPAD", S("foo"), I(7), S("Bar")), "BarBfoo"},
        {FNT_CALL("LPAD", S("foo"), I(2), S("Bar")), "fo"},
        {FNT_CALL("LPAD", S("foo"), I(7), S("")), "NULL"},
        {FNT_CALL("LPAD", S("foo"), I(-1), S("x")), "NULL"},
        {FNT_CALL("RPAD", S("foo"), I(7), S("Bar")), "fooBarB"},
        {FNT_CALL("RPAD", S("foo"), I(2), S("Bar")), "fo"},
        {FNT_CALL("RPAD", NS, I(2), S("Bar")), "NULL"},
    };
    run(c, EDDY_ARRAY_LEN(c));
    /* BYTES padding */
    eddy_value v = fnt_eval(FNT_CALL("LPAD", bytes("ab"), I(5), bytes("xy")));
    assert_int_equal(v.n, 5);
    assert_memory_equal(v.u.str, "xyxab", 5);
    v = fnt_eval(FNT_CALL("RPAD", bytes("ab"), I(5), bytes("xy")));
    assert_memory_equal(v.u.str, "abxyx", 5);
}

static void test_split(void **state)
{
    (void)state;
    const tcase c[] = {
        {FNT_CALL("SPLIT", S("a,b,,c"), S(",")), "[a, b, , c]"},
        {FNT_CALL("SPLIT", S(",a,"), S(",")), "[, a, ]"},
        {FNT_CALL("SPLIT", S("abc"), S("")), "[a, b, c]"},
        {FNT_CALL("SPLIT", S(""), S(",")), "[]"},
        {FNT_CALL("SPLIT", NS, S(",")), "NULL"},
        {FNT_CALL("SPLIT_TO_MAP", S("a=1;b=2;;c"), S(";"), S("=")), "{a=1, b=2}"},
        {FNT_CALL("SPLIT_TO_MAP", S("a=1;a=2"), S(";"), S("=")), "{a=2}"},
        {FNT_CALL("SPLIT_TO_MAP", S("a=1"), S("="), S("=")), "NULL"},
    };
    run(c, EDDY_ARRAY_LEN(c));
}

static void test_regexp(void **state)
{
    (void)state;
    const tcase c[] = {
        {FNT_CALL("REGEXP_EXTRACT", S("[a-z]+"), S("123abc456def")), "abc"},
        {FNT_CALL("REGEXP_EXTRACT", S("(\\d+)([a-z]+)"), S("x123abc"), I(2)), "abc"},
        {FNT_CALL("REGEXP_EXTRACT", S("(a)"), S("zzz"), I(1)), "NULL"},
        {FNT_CALL("REGEXP_EXTRACT", S("(a)"), S("a"), I(3)), "NULL"},
        {FNT_CALL("REGEXP_EXTRACT_ALL", S("\\d+"), S("a1b22c333")), "[1, 22, 333]"},
        {FNT_CALL("REGEXP_EXTRACT_ALL", S("(\\w)(\\d)"), S("a1 b2"), I(2)), "[1, 2]"},
        {FNT_CALL("REGEXP_EXTRACT_ALL", S("x"), NS), "NULL"},
        {FNT_CALL("REGEXP_REPLACE", S("a1b22"), S("\\d+"), S("#")), "a#b#"},
        {FNT_CALL("REGEXP_REPLACE", S("john smith"), S("(\\w+) (\\w+)"), S("$2, $1")),
         "smith, john"},
        {FNT_CALL("REGEXP_SPLIT_TO_ARRAY", S("a1b22c"), S("\\d+")), "[a, b, c]"},
        {FNT_CALL("REGEXP_SPLIT_TO_ARRAY", S("abc"), S("")), "[a, b, c]"},
        {FNT_CALL("REGEXP_SPLIT_TO_ARRAY", S("1a1"), S("1")), "[, a, ]"},
    };
    run(c, EDDY_ARRAY_LEN(c));
    FNT_EXPECT(FNT_CALL("REGEXP_REPLACE", S("a"), S("("), S("b")), "NULL");
    assert_int_equal(fnt_nlogged, 1);
}

static void test_chr_elt_field(void **state)
{
    (void)state;
    const tcase c[] = {
        {FNT_CALL("CHR", I(75)), "K"},
        {FNT_CALL("CHR", I(22909)), "好"},
        {FNT_CALL("CHR", I(-1)), "NULL"},
        {FNT_CALL("CHR", S("\\u004b")), "K"},
        {FNT_CALL("CHR", S("\\ud83d\\ude00")), "😀"},
        {FNT_CALL("CHR", S("004b")), "NULL"},
        {FNT_CALL("ELT", I(2), S("a"), S("b")), "b"},
        {FNT_CALL("ELT", I(0), S("a")), "NULL"},
        {FNT_CALL("ELT", I(3), S("a"), S("b")), "NULL"},
        {FNT_CALL("FIELD", S("b"), S("a"), S("b")), "2"},
        {FNT_CALL("FIELD", NS, S("a")), "0"},
        {FNT_CALL("FIELD", S("z"), S("a"), NS), "0"},
    };
    run(c, EDDY_ARRAY_LEN(c));
}

static void test_encodings(void **state)
{
    (void)state;
    const tcase c[] = {
        {FNT_CALL("ENCODE", S("4578616d706c6521"), S("hex"), S("ascii")), "Example!"},
        {FNT_CALL("ENCODE", S("0x4578"), S("hex"), S("utf8")), "Ex"},
        {FNT_CALL("ENCODE", S("X'4578'"), S("hex"), S("utf8")), "Ex"},
        {FNT_CALL("ENCODE", S("Example!"), S("ascii"), S("base64")), "RXhhbXBsZSE="},
        {FNT_CALL("ENCODE", S("RXhhbXBsZSE="), S("base64"), S("hex")), "4578616d706c6521"},
        {FNT_CALL("ENCODE", S("é"), S("utf8"), S("hex")), "c3a9"},
        {FNT_CALL("ENCODE", NS, S("utf8"), S("hex")), "NULL"},
        {FNT_CALL("FROM_BYTES", FNT_CALL("TO_BYTES", S("AbCd"), S("hex")), S("hex")), "ABCD"},
        {FNT_CALL("FROM_BYTES", FNT_CALL("TO_BYTES", S("hi"), S("utf8")), S("base64")), "aGk="},
        {FNT_CALL("FROM_BYTES", FNT_CALL("TO_BYTES", S("aGk="), S("base64")), S("UTF8")), "hi"},
        {FNT_CALL("MD5", S("hello")), "5d41402abc4b2a76b9719d911017c592"},
        {FNT_CALL("MD5", S("")), "d41d8cd98f00b204e9800998ecf8427e"},
    };
    run(c, EDDY_ARRAY_LEN(c));
    FNT_EXPECT(FNT_CALL("ENCODE", S("a"), S("utf8"), S("nope")), "NULL");
    FNT_EXPECT(FNT_CALL("TO_BYTES", S("abc"), S("hex")), "NULL"); /* odd length */
    assert_int_equal(fnt_nlogged, 2);
}

static void test_mask(void **state)
{
    (void)state;
    const tcase c[] = {
        {FNT_CALL("MASK", S("AbCd-12#")), "XxXx-nn-"},
        {FNT_CALL("MASK", S("Ab1"), S("*"), S("?"), S("#")), "*?#"},
        {FNT_CALL("MASK_LEFT", S("AbCd12"), I(2)), "XxCd12"},
        {FNT_CALL("MASK_RIGHT", S("AbCd12"), I(2)), "AbCdnn"},
        {FNT_CALL("MASK_KEEP_LEFT", S("AbCd12"), I(2)), "AbXxnn"},
        {FNT_CALL("MASK_KEEP_RIGHT", S("AbCd12"), I(2)), "XxXx12"},
        {FNT_CALL("MASK", NS), "NULL"},
    };
    run(c, EDDY_ARRAY_LEN(c));
}

static void test_resolution_errors(void **state)
{
    (void)state;
    eddy_err err;
    fn_expr *args[] = {S("a"), S("b")};
    assert_int_equal(fnt_resolve_err("SUBSTRING", 2, args, &err), EDDY_ETYPE);
    assert_non_null(strstr(err.msg, "Function 'substring' does not accept parameters "
                                    "(STRING, STRING).\nValid alternatives are:\n"
                                    "substring(STRING str, INTEGER pos)"));
    /* implicit cast: SUBSTRING's INTEGER position does not accept BIGINT */
    fn_expr *big[] = {S("a"), fnt_big(1)};
    assert_int_equal(fnt_resolve_err("SUBSTRING", 2, big, &err), EDDY_ETYPE);
    /* an untyped NULL literal matches any parameter: STRING and BYTES tie, as in ksqlDB */
    fn_expr *nul[] = {fnt_null(EDDY_TYPE_NULL), I(1)};
    assert_int_equal(fnt_resolve_err("SUBSTRING", 2, nul, &err), EDDY_ETYPE);
    assert_non_null(strstr(err.msg, "Function 'substring' cannot be resolved due to ambiguous "
                                    "method parameters (null, INTEGER)."));
    fn_expr *nul2[] = {fnt_null(EDDY_TYPE_NULL), S("x")};
    assert_int_equal(fnt_resolve_err("REPLACE", 2, nul2, &err), EDDY_ETYPE);
    fn_expr *nul3[] = {fnt_null(EDDY_TYPE_NULL), S("x"), S("y")};
    assert_int_equal(fnt_resolve_err("REPLACE", 3, nul3, &err), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_case_and_concat, fnt_setup, fnt_teardown),
        cmocka_unit_test_setup_teardown(test_substring, fnt_setup, fnt_teardown),
        cmocka_unit_test_setup_teardown(test_replace_instr_pad, fnt_setup, fnt_teardown),
        cmocka_unit_test_setup_teardown(test_split, fnt_setup, fnt_teardown),
        cmocka_unit_test_setup_teardown(test_regexp, fnt_setup, fnt_teardown),
        cmocka_unit_test_setup_teardown(test_chr_elt_field, fnt_setup, fnt_teardown),
        cmocka_unit_test_setup_teardown(test_encodings, fnt_setup, fnt_teardown),
        cmocka_unit_test_setup_teardown(test_mask, fnt_setup, fnt_teardown),
        cmocka_unit_test_setup_teardown(test_resolution_errors, fnt_setup, fnt_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
