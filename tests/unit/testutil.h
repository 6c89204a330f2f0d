/*
 * testutil.h - helpers shared by the cmocka unit tests: temporary directories and
 * assertions on eddy_err results.
 */
#ifndef EDDY_TESTUTIL_H
#define EDDY_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "eddy/common.h"

/* Fail the test with the error message when 'expr' (an EDDY_* call) does not return 0. */
#define EXPECT_OK(expr, errp)                                                                  \
    do {                                                                                       \
        int rc_ = (expr);                                                                      \
        if (rc_ != 0)                                                                          \
            fail_msg("%s returned %d: %s", #expr, rc_, (errp)->msg);                           \
    } while (0)

/* A fresh empty directory under $TMPDIR; returns a malloc'ed path. */
static inline char *test_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char tmpl[512];
    snprintf(tmpl, sizeof tmpl, "%s/eddy-test-XXXXXX", base && *base ? base : "/tmp");
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    return strdup(d);
}

static inline void test_rmdir(char *dir)
{
    if (dir) {
        eddy_rmtree(dir, NULL);
        free(dir);
    }
}

#endif
