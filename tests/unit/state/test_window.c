/* Unit tests: window and session stores (key encoding order, fetch ranges merging cache
 * and LMDB, session overlap lookup, expiry with changelog tombstones). */
#include "state_fixture.h"

static const char *const W_NAMES[] = {"win"};
static const state_store_kind W_KINDS[] = {STATE_WINDOW};
static const char *const S_NAMES[] = {"sess"};
static const state_store_kind S_KINDS[] = {STATE_SESSION};

static void wput(fixture *f, const void *k, size_t kl, int64_t start, const char *v)
{
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(state_window_put(f->s[0], k, kl, start, v, strlen(v), &err), &err);
}

/* "start=value," for the windows of key 'k' in [from, to]. */
static void fetch_text(fixture *f, const void *k, size_t kl, int64_t from, int64_t to,
                       char *out, size_t cap)
{
    eddy_err err;
    eddy_err_clear(&err);
    state_iter *it;
    EXPECT_OK(state_window_fetch(f->s[0], k, kl, from, to, &it, &err), &err);
    out[0] = '\0';
    state_entry e;
    int rc;
    while ((rc = state_iter_next(it, &e, &err)) == 1) {
        assert_int_equal(e.key_len, kl);
        assert_memory_equal(e.key, k, kl);
        assert_int_equal(e.end, e.start + 1000);
        size_t l = strlen(out);
        snprintf(out + l, cap - l, "%lld=%.*s,", (long long)e.start, (int)e.value_len,
                 (const char *)e.value);
    }
    assert_int_equal(rc, 0);
    state_iter_close(it);
}

static void test_key_encoding_orders_by_key_then_time(void **state)
{
    (void)state;
    /* Keys where one is a prefix of another, with zero bytes, and signed times. */
    struct { const char *k; size_t kl; int64_t t; } in[] = {
        {"a", 1, -5}, {"a", 1, 0}, {"a", 1, 7}, {"a", 1, INT64_MAX},
        {"a\0", 2, INT64_MIN}, {"a\0", 2, 3}, {"a\0b", 3, 1}, {"a\x01", 2, 0},
        {"ab", 2, -100}, {"ab", 2, 100}, {"b", 1, 0},
    };
    eddy_buf prev, cur, dec;
    eddy_buf_init(&prev);
    eddy_buf_init(&cur);
    eddy_buf_init(&dec);
    for (size_t i = 0; i < EDDY_ARRAY_LEN(in); i++) {
        cur.len = 0;
        assert_int_equal(state__key_encode(&cur, (const uint8_t *)in[i].k, in[i].kl, 1,
                                           in[i].t, 0), 0);
        if (i > 0)
            assert_true(state__keycmp(prev.data, prev.len, cur.data, cur.len) < 0);
        int64_t t = 0;
        assert_int_equal(state__key_decode(cur.data, cur.len, 1, &dec, &t, NULL), 0);
        assert_int_equal(dec.len, in[i].kl);
        assert_memory_equal(dec.data, in[i].k, in[i].kl);
        assert_int_equal(t, in[i].t);
        prev.len = 0;
        eddy_buf_append(&prev, cur.data, cur.len);
    }
    /* Malformed keys are rejected. */
    assert_int_equal(state__key_decode((const uint8_t *)"a\0\x01", 3, 0, &dec, NULL, NULL),
                     EDDY_ECORRUPT);
    assert_int_equal(state__key_decode((const uint8_t *)"ab", 2, 1, &dec, NULL, NULL),
                     EDDY_ECORRUPT);
    eddy_buf_free(&prev);
    eddy_buf_free(&cur);
    eddy_buf_free(&dec);
}

static void test_window_fetch_orders_by_start_and_merges(void **state)
{
    fixture *f = *state;
    fx_open_task(f, 1, W_NAMES, W_KINDS);
    wput(f, "k", 1, 3000, "l3");
    wput(f, "k", 1, 1000, "l1");
    wput(f, "k", 1, -2000, "lneg");
    wput(f, "k", 1, 5000, "l5");
    wput(f, "kk", 2, 2000, "other");     /* a key with "k" as prefix */
    wput(f, "k\0", 2, 2000, "zero");     /* a key with a zero byte */
    fx_commit(f, "in", 1);
    wput(f, "k", 1, 2000, "c2");         /* cache only, between LMDB windows */
    wput(f, "k", 1, 3000, "c3");         /* overrides LMDB */
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(state_window_delete(f->s[0], "k", 1, 5000, &err), &err);
    char out[256];
    fetch_text(f, "k", 1, INT64_MIN, INT64_MAX, out, sizeof out);
    assert_string_equal(out, "-2000=lneg,1000=l1,2000=c2,3000=c3,");
    fetch_text(f, "k", 1, 1000, 3000, out, sizeof out);          /* inclusive bounds */
    assert_string_equal(out, "1000=l1,2000=c2,3000=c3,");
    fetch_text(f, "k", 1, 1001, 2999, out, sizeof out);
    assert_string_equal(out, "2000=c2,");
    fetch_text(f, "k", 1, 4000, 1000, out, sizeof out);          /* empty range */
    assert_string_equal(out, "");
    fetch_text(f, "kk", 2, INT64_MIN, INT64_MAX, out, sizeof out);
    assert_string_equal(out, "2000=other,");
    fetch_text(f, "k\0", 2, INT64_MIN, INT64_MAX, out, sizeof out);
    assert_string_equal(out, "2000=zero,");
    /* Point gets. */
    const void *v;
    size_t vl;
    assert_int_equal(state_window_get(f->s[0], "k", 1, 1000, &v, &vl, &err), 1);
    assert_int_equal(vl, 2);
    assert_memory_equal(v, "l1", 2);
    assert_int_equal(state_window_get(f->s[0], "k", 1, 5000, &v, &vl, &err), 0);
    assert_int_equal(state_window_get(f->s[0], "k", 1, 999, &v, &vl, &err), 0);
    /* The same after commit, from LMDB. */
    fx_commit(f, "in", 2);
    fetch_text(f, "k", 1, INT64_MIN, INT64_MAX, out, sizeof out);
    assert_string_equal(out, "-2000=lneg,1000=l1,2000=c2,3000=c3,");
}

static void test_window_scan_all_keys(void **state)
{
    fixture *f = *state;
    fx_open_task(f, 1, W_NAMES, W_KINDS);
    wput(f, "b", 1, 1, "b1");
    wput(f, "a", 1, 2, "a2");
    fx_commit(f, "in", 1);
    wput(f, "ab", 2, 0, "ab0");
    wput(f, "a", 1, 1, "a1");
    eddy_err err;
    eddy_err_clear(&err);
    state_iter *it;
    EXPECT_OK(state_store_scan(f->s[0], "a", 1, "b", 1, &it, &err), &err);   /* [a, b) */
    state_entry e;
    char out[256] = "";
    while (state_iter_next(it, &e, &err) == 1) {
        size_t l = strlen(out);
        snprintf(out + l, sizeof out - l, "%.*s@%lld,", (int)e.key_len, (const char *)e.key,
                 (long long)e.start);
    }
    state_iter_close(it);
    assert_string_equal(out, "a@1,a@2,ab@0,");
}

static void test_window_expire_writes_tombstones(void **state)
{
    fixture *f = *state;
    fx_open_task(f, 1, W_NAMES, W_KINDS);
    /* Size 1000: ends at 1000, 2000, 3000, 4000. */
    wput(f, "a", 1, 0, "a0");
    wput(f, "a", 1, 1000, "a1");
    wput(f, "b", 1, 2000, "b2");
    fx_commit(f, "in", 1);
    wput(f, "b", 1, 3000, "b3");
    wput(f, "c", 1, 500, "c05");         /* cache only, ends at 1500 */
    eddy_err err;
    eddy_err_clear(&err);
    int64_t removed = -1;
    /* Nothing ends before 1000. */
    EXPECT_OK(state_window_expire(f->s[0], 1000, &removed, &err), &err);
    assert_int_equal(removed, 0);
    /* Ends < 2001: a@0 (1000), a@1000 (2000), c@500 (1500). */
    EXPECT_OK(state_window_expire(f->s[0], 2001, &removed, &err), &err);
    assert_int_equal(removed, 3);
    char out[256];
    fetch_text(f, "a", 1, INT64_MIN, INT64_MAX, out, sizeof out);
    assert_string_equal(out, "");
    fetch_text(f, "b", 1, INT64_MIN, INT64_MAX, out, sizeof out);
    assert_string_equal(out, "2000=b2,3000=b3,");
    /* The scan left a bound (the oldest start, b@2000) that makes a repeat free. */
    assert_true(f->s[0]->min_known);
    assert_int_equal(f->s[0]->min_time, 2000);
    EXPECT_OK(state_window_expire(f->s[0], 2001, &removed, &err), &err);
    assert_int_equal(removed, 0);
    wput(f, "d", 1, 100, "d");          /* a put lowers the bound */
    assert_int_equal(f->s[0]->min_time, 100);
    EXPECT_OK(state_window_expire(f->s[0], 2001, &removed, &err), &err);
    assert_int_equal(removed, 1);
    int64_t end0 = changelog_end(f, "q1-win-changelog");
    fx_commit(f, "in", 2);
    /* The commit logged tombstones for the four expired windows (a@0, a@1000, c@500, d@100)
     * and the new b@3000, then a marker. */
    cl_rec recs[32];
    int n = read_changelog(f, "q1-win-changelog", 0, recs, 32);
    int tomb = 0, vals = 0;
    for (int i = 0; i < n; i++) {
        if (recs[i].offset < end0 || recs[i].marker)
            continue;
        if (recs[i].vlen < 0)
            tomb++;
        else
            vals++;
    }
    assert_int_equal(tomb, 4);
    assert_int_equal(vals, 1);
    assert_true(recs[n - 1].marker);
    /* And LMDB lost them. */
    fetch_text(f, "a", 1, INT64_MIN, INT64_MAX, out, sizeof out);
    assert_string_equal(out, "");
    fetch_text(f, "c", 1, INT64_MIN, INT64_MAX, out, sizeof out);
    assert_string_equal(out, "");
    /* After a rebuild from the changelog the expired windows stay gone. */
    fx_lose_lmdb(f);
    fx_open_env(f);
    state_restore_info info = fx_open_task(f, 1, W_NAMES, W_KINDS);
    assert_int_equal(info.mode, STATE_RESTORE_REBUILT);
    fetch_text(f, "a", 1, INT64_MIN, INT64_MAX, out, sizeof out);
    assert_string_equal(out, "");
    fetch_text(f, "b", 1, INT64_MIN, INT64_MAX, out, sizeof out);
    assert_string_equal(out, "2000=b2,3000=b3,");
}

/* ---- sessions ---- */

static void sput(fixture *f, const char *k, int64_t s, int64_t e, const char *v)
{
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(state_session_put(f->s[0], k, strlen(k), s, e, v, strlen(v), &err), &err);
}

static void find_text(fixture *f, const char *k, int64_t earliest_end, int64_t latest_start,
                      char *out, size_t cap)
{
    eddy_err err;
    eddy_err_clear(&err);
    state_iter *it;
    EXPECT_OK(state_session_find(f->s[0], k, strlen(k), earliest_end, latest_start, &it,
                                 &err), &err);
    out[0] = '\0';
    state_entry e;
    int rc;
    while ((rc = state_iter_next(it, &e, &err)) == 1) {
        assert_int_equal(e.key_len, strlen(k));
        size_t l = strlen(out);
        snprintf(out + l, cap - l, "[%lld,%lld]=%.*s,", (long long)e.start, (long long)e.end,
                 (int)e.value_len, (const char *)e.value);
    }
    assert_int_equal(rc, 0);
    state_iter_close(it);
}

static void test_session_find_overlapping(void **state)
{
    fixture *f = *state;
    fx_open_task(f, 1, S_NAMES, S_KINDS);
    sput(f, "u", 0, 100, "s1");
    sput(f, "u", 500, 700, "s2");
    sput(f, "u", 2000, 2100, "s3");
    sput(f, "v", 550, 560, "other");
    fx_commit(f, "in", 1);
    sput(f, "u", 1000, 1200, "s4");     /* cache only */
    char out[256];
    /* A record at 650 with gap 100: sessions with end >= 550 and start <= 750. */
    find_text(f, "u", 550, 750, out, sizeof out);
    assert_string_equal(out, "[500,700]=s2,");
    /* A record at 950 with gap 300: end >= 650, start <= 1250: s2 and s4 (merge both). */
    find_text(f, "u", 650, 1250, out, sizeof out);
    assert_string_equal(out, "[500,700]=s2,[1000,1200]=s4,");
    /* Nothing near. */
    find_text(f, "u", 1300, 1900, out, sizeof out);
    assert_string_equal(out, "");
    /* Everything of the key in end order. */
    find_text(f, "u", INT64_MIN, INT64_MAX, out, sizeof out);
    assert_string_equal(out, "[0,100]=s1,[500,700]=s2,[1000,1200]=s4,[2000,2100]=s3,");
    /* Merge: remove s2 and s4, put the merged session. */
    eddy_err err;
    eddy_err_clear(&err);
    EXPECT_OK(state_session_remove(f->s[0], "u", 1, 500, 700, &err), &err);
    EXPECT_OK(state_session_remove(f->s[0], "u", 1, 1000, 1200, &err), &err);
    sput(f, "u", 500, 1200, "m");
    find_text(f, "u", INT64_MIN, INT64_MAX, out, sizeof out);
    assert_string_equal(out, "[0,100]=s1,[500,1200]=m,[2000,2100]=s3,");
    fx_commit(f, "in", 2);
    find_text(f, "u", INT64_MIN, INT64_MAX, out, sizeof out);
    assert_string_equal(out, "[0,100]=s1,[500,1200]=m,[2000,2100]=s3,");
    find_text(f, "v", INT64_MIN, INT64_MAX, out, sizeof out);
    assert_string_equal(out, "[550,560]=other,");
    /* Bad bounds. */
    assert_int_equal(state_session_put(f->s[0], "u", 1, 10, 5, "x", 1, &err), EDDY_EINVAL);
}

static void test_session_expire(void **state)
{
    fixture *f = *state;
    fx_open_task(f, 1, S_NAMES, S_KINDS);
    sput(f, "u", 0, 100, "s1");
    sput(f, "u", 500, 700, "s2");
    fx_commit(f, "in", 1);
    sput(f, "w", 50, 150, "s3");
    eddy_err err;
    eddy_err_clear(&err);
    int64_t removed = 0;
    EXPECT_OK(state_session_expire(f->s[0], 200, &removed, &err), &err);
    assert_int_equal(removed, 2);
    char out[128];
    find_text(f, "u", INT64_MIN, INT64_MAX, out, sizeof out);
    assert_string_equal(out, "[500,700]=s2,");
    find_text(f, "w", INT64_MIN, INT64_MAX, out, sizeof out);
    assert_string_equal(out, "");
    fx_commit(f, "in", 2);
    find_text(f, "u", INT64_MIN, INT64_MAX, out, sizeof out);
    assert_string_equal(out, "[500,700]=s2,");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_encoding_orders_by_key_then_time),
        cmocka_unit_test_setup_teardown(test_window_fetch_orders_by_start_and_merges,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_window_scan_all_keys, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_window_expire_writes_tombstones, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(test_session_find_overlapping, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_session_expire, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
