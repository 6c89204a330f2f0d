/* Unit tests: arenas, buffers, error records, allocation failure injection, file helpers. */
#include "testutil.h"

static void test_arena_alignment_and_reset(void **state)
{
    (void)state;
    eddy_arena a;
    eddy_arena_init(&a, 1024);
    for (int i = 1; i < 200; i++) {
        uint8_t *p = eddy_arena_alloc(&a, (size_t)i);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        memset(p, 0xab, (size_t)i);
    }
    char *big = eddy_arena_alloc(&a, 100000); /* larger than a block */
    assert_non_null(big);
    memset(big, 1, 100000);
    char *s = eddy_arena_strdup(&a, "hello");
    assert_string_equal(s, "hello");
    eddy_arena_reset(&a);
    assert_int_equal(a.used, 0);
    assert_non_null(a.head);
    assert_non_null(eddy_arena_calloc(&a, 10));
    eddy_arena_destroy(&a);
    assert_null(a.head);
}

static void test_buf_append_printf(void **state)
{
    (void)state;
    eddy_buf b;
    eddy_buf_init(&b);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(eddy_buf_printf(&b, "%d,", i), 0);
    assert_int_equal(b.len, strlen(eddy_buf_cstr(&b)));
    assert_memory_equal(b.data, "0,1,2,", 6);
    eddy_buf_free(&b);
}

static void test_err_keeps_first(void **state)
{
    (void)state;
    eddy_err e;
    eddy_err_clear(&e);
    assert_int_equal(eddy_err_set(&e, EDDY_EINVAL, "first %d", 1), EDDY_EINVAL);
    assert_int_equal(eddy_err_set(&e, EDDY_EIO, "second"), EDDY_EIO);
    assert_int_equal(e.code, EDDY_EINVAL);
    assert_string_equal(e.msg, "first 1");
    eddy_err_clear(&e);
    eddy_err_set_at(&e, EDDY_EPARSE, 3, 7, "bad");
    assert_int_equal(e.line, 3);
    assert_int_equal(e.col, 7);
    assert_int_equal(eddy_err_set(NULL, EDDY_ENOMEM, "x"), EDDY_ENOMEM);
}

static void test_alloc_fail_injection(void **state)
{
    (void)state;
    eddy_alloc_fail_after(2);
    void *a = eddy_malloc(8), *b = eddy_malloc(8), *c = eddy_malloc(8), *d = eddy_malloc(8);
    assert_non_null(a);
    assert_non_null(b);
    assert_null(c);
    assert_non_null(d); /* only one failure */
    eddy_free(a);
    eddy_free(b);
    eddy_free(d);
    eddy_buf buf;
    eddy_buf_init(&buf);
    eddy_alloc_fail_after(0);
    assert_int_equal(eddy_buf_append(&buf, "x", 1), EDDY_ENOMEM);
    eddy_buf_free(&buf);
}

static void test_files_atomic_and_rmtree(void **state)
{
    (void)state;
    char *dir = test_tmpdir();
    char path[600];
    eddy_err e;
    eddy_err_clear(&e);
    snprintf(path, sizeof path, "%s/a/b/c", dir);
    EXPECT_OK(eddy_mkdirs(path, &e), &e);
    snprintf(path, sizeof path, "%s/a/b/c/f.txt", dir);
    EXPECT_OK(eddy_write_file_atomic(path, "data", 4, &e), &e);
    char *txt;
    size_t n;
    EXPECT_OK(eddy_read_file(path, &txt, &n, &e), &e);
    assert_int_equal(n, 4);
    assert_string_equal(txt, "data");
    eddy_free(txt);
    snprintf(path, sizeof path, "%s/missing", dir);
    assert_int_equal(eddy_read_file(path, &txt, &n, &e), EDDY_ENOTFOUND);
    snprintf(path, sizeof path, "%s/a", dir);
    eddy_err_clear(&e);
    EXPECT_OK(eddy_rmtree(path, &e), &e);
    EXPECT_OK(eddy_rmtree(path, &e), &e); /* idempotent */
    test_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arena_alignment_and_reset),
        cmocka_unit_test(test_buf_append_printf),
        cmocka_unit_test(test_err_keeps_first),
        cmocka_unit_test(test_alloc_fail_injection),
        cmocka_unit_test(test_files_atomic_and_rmtree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
