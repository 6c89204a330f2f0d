/*
 * parse_util.h - helpers shared by the parser unit tests: parse a script and print every
 * statement with the AST printer, one line each, or the error message.
 */
#ifndef EDDY_TEST_PARSE_UTIL_H
#define EDDY_TEST_PARSE_UTIL_H

#include "testutil.h"
#include "eddy/parser.h"

/* Parse 'sql' with 'vars' (may be NULL). Returns a malloc'ed string: the statements printed
 * one per line, or "ERROR <msg>" when parsing fails. 'err' receives the error. */
static inline char *parse_print_vars(const char *sql, const parser_vars *vars, eddy_err *err)
{
    eddy_arena a;
    eddy_buf b;
    parser_stmt_list *l = NULL;
    eddy_arena_init(&a, 1024);
    eddy_buf_init(&b);
    eddy_err_clear(err);
    int rc = parser_parse(sql, strlen(sql), vars, &a, &l, err);
    if (rc != 0) {
        assert_null(l);
        assert_int_equal(rc, err->code);
        /* Syntax errors end with "\nStatement: <text>" (test_errors.c checks it). */
        const char *stmt = strstr(err->msg, "\nStatement: ");
        eddy_buf_printf(&b, "ERROR %.*s", (int)(stmt ? stmt - err->msg : (long)strlen(err->msg)),
                        err->msg);
    } else {
        for (size_t i = 0; i < l->n; i++) {
            if (i)
                eddy_buf_printf(&b, "\n");
            assert_int_equal(parser_print_stmt(l->items[i], &b), 0);
        }
    }
    char *s = strdup(eddy_buf_cstr(&b) ? eddy_buf_cstr(&b) : "");
    eddy_buf_free(&b);
    eddy_arena_destroy(&a);
    return s;
}

static inline char *parse_print(const char *sql)
{
    eddy_err err;
    return parse_print_vars(sql, NULL, &err);
}

/* Print the first select item of "SELECT <expr> FROM T;" (the expression printer). */
static inline char *expr_print(const char *expr)
{
    char sql[1024];
    snprintf(sql, sizeof sql, "SELECT %s FROM T;", expr);
    char *s = parse_print(sql);
    const char *p = strstr(s, "(items ");
    if (!p)
        return s;
    p += strlen("(items ");
    const char *end = strstr(p, ") (from T)");
    char *r = strndup(p, end ? (size_t)(end - p) : strlen(p));
    free(s);
    return r;
}

#define ASSERT_PARSES_TO(sql, want)                                                            \
    do {                                                                                       \
        char *got_ = parse_print(sql);                                                         \
        if (strcmp(got_, (want)) != 0)                                                         \
            fail_msg("%s\n  got:  %s\n  want: %s", (sql), got_, (want));                       \
        free(got_);                                                                            \
    } while (0)

#endif
