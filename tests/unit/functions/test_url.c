/*
 * test_url.c - URL functions: java.net.URI parts, decoding, parameters, invalid input.
 */
#include "fnt.h"

#define S(x) fnt_str(x)

typedef struct {
    const char *fn, *url, *want;
} ucase;

static void test_url_parts(void **state)
{
    (void)state;
    static const ucase c[] = {
        {"URL_EXTRACT_PROTOCOL", "https://user@docs.confluent.io:8080/a%20b?x=1#frag", "https"},
        {"URL_EXTRACT_HOST", "https://user@docs.confluent.io:8080/a%20b?x=1#frag",
         "docs.confluent.io"},
        {"URL_EXTRACT_PORT", "https://user@docs.confluent.io:8080/a%20b?x=1#frag", "8080"},
        {"URL_EXTRACT_PATH", "https://user@docs.confluent.io:8080/a%20b?x=1#frag", "/a b"},
        {"URL_EXTRACT_QUERY", "https://docs.confluent.io/p?x=1&y=%41#f", "x=1&y=A"},
        {"URL_EXTRACT_FRAGMENT", "https://docs.confluent.io/p?x=1#frag", "frag"},
        {"URL_EXTRACT_PORT", "https://docs.confluent.io/p", "NULL"},
        {"URL_EXTRACT_QUERY", "https://docs.confluent.io/p", "NULL"},
        {"URL_EXTRACT_FRAGMENT", "https://docs.confluent.io/p", "NULL"},
        {"URL_EXTRACT_HOST", "mailto:someone@example.com", "NULL"},
        {"URL_EXTRACT_PATH", "mailto:someone@example.com", "NULL"},
        {"URL_EXTRACT_PROTOCOL", "/relative/path", "NULL"},
        {"URL_EXTRACT_PATH", "/relative/path", "/relative/path"},
        {"URL_EXTRACT_PATH", "http://host", ""},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(c); i++) {
        fn_expr *e = FNT_CALL(c[i].fn, S(c[i].url));
        eddy_value v = fnt_eval(e);
        if (strcmp(fnt_fmt(&v, e->type), c[i].want) != 0)
            fail_msg("%s(%s): got %s", c[i].fn, c[i].url, fnt_fmt(&v, e->type));
    }
    assert_int_equal(fnt_nlogged, 0);
    FNT_EXPECT(FNT_CALL("URL_EXTRACT_HOST", S("http://a b.com/")), "NULL");
    assert_int_equal(fnt_nlogged, 1);
    assert_string_equal(fnt_last_log, "URL input has invalid syntax");
}

static void test_url_parameters(void **state)
{
    (void)state;
    const char *u = "https://h/p?one=1&two=&three&one=9";
    FNT_EXPECT(FNT_CALL("URL_EXTRACT_PARAMETER", S(u), S("one")), "1");
    FNT_EXPECT(FNT_CALL("URL_EXTRACT_PARAMETER", S(u), S("two")), "");
    FNT_EXPECT(FNT_CALL("URL_EXTRACT_PARAMETER", S(u), S("three")), "");
    FNT_EXPECT(FNT_CALL("URL_EXTRACT_PARAMETER", S(u), S("four")), "NULL");
    FNT_EXPECT(FNT_CALL("URL_EXTRACT_PARAMETER", S("https://h/p"), S("one")), "NULL");
    FNT_EXPECT(FNT_CALL("URL_DECODE_PARAM", S("a%20b+c%2Fd")), "a b c/d");
    FNT_EXPECT(FNT_CALL("URL_ENCODE_PARAM", S("a b/c*é")), "a+b%2Fc*%C3%A9");
    FNT_EXPECT(FNT_CALL("URL_DECODE_PARAM", fnt_null(EDDY_TYPE_STRING)), "NULL");
    FNT_EXPECT(FNT_CALL("URL_DECODE_PARAM", S("%zz")), "NULL");
    assert_int_equal(fnt_nlogged, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_url_parts, fnt_setup, fnt_teardown),
        cmocka_unit_test_setup_teardown(test_url_parameters, fnt_setup, fnt_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
