/* Unit tests: idempotent producers — duplicate retries, sequence gaps, fencing, epochs, and
 * state surviving restarts (from the snapshot, and rebuilt from the log without one). */
#include "testutil.h"

#include <unistd.h>

#include "eddy/broker.h"

typedef struct fixture {
    char *dir;
    broker *b;
    broker_log *log;
    eddy_err e;
} fixture;

static void open_all(fixture *f)
{
    eddy_err_clear(&f->e);
    EXPECT_OK(broker_open(f->dir, NULL, &f->b, &f->e), &f->e);
    if (broker_topic_partitions(f->b, "t", &f->e) < 0) {
        eddy_err_clear(&f->e);
        EXPECT_OK(broker_topic_create(f->b, "t", 1, NULL, &f->e), &f->e);
    }
    EXPECT_OK(broker_log_get(f->b, "t", 0, &f->log, &f->e), &f->e);
}

static void close_all(fixture *f)
{
    broker_log_release(f->log);
    broker_close(f->b);
    f->log = NULL;
    f->b = NULL;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = test_tmpdir();
    open_all(f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    close_all(f);
    test_rmdir(f->dir);
    free(f);
    return 0;
}

/* Append a batch of 'n' records from producer (pid, epoch) starting at sequence 'seq'. */
static int send(fixture *f, int64_t pid, int16_t epoch, int32_t seq, int n,
                broker_append_info *info)
{
    broker_record recs[8];
    for (int i = 0; i < n; i++) {
        memset(&recs[i], 0, sizeof recs[i]);
        recs[i].value = (const uint8_t *)"payload";
        recs[i].value_len = 7;
        recs[i].timestamp = 5;
    }
    eddy_buf buf;
    eddy_buf_init(&buf);
    eddy_err_clear(&f->e);
    int rc = broker_batch_encode(recs, (size_t)n, pid, epoch, seq, &buf, &f->e);
    if (rc == 0)
        rc = broker_log_append_batch(f->log, buf.data, buf.len, info, &f->e);
    eddy_buf_free(&buf);
    return rc;
}

static void test_retry_is_not_written_twice(void **state)
{
    fixture *f = *state;
    broker_append_info a, b;
    EXPECT_OK(send(f, 1000, 0, 0, 3, &a), &f->e);
    assert_false(a.duplicate);
    assert_int_equal(a.base_offset, 0);
    EXPECT_OK(send(f, 1000, 0, 3, 2, &a), &f->e);
    assert_int_equal(a.base_offset, 3);
    /* Retry of the first batch: acknowledged with its original offsets, nothing written. */
    EXPECT_OK(send(f, 1000, 0, 0, 3, &b), &f->e);
    assert_true(b.duplicate);
    assert_int_equal(b.base_offset, 0);
    assert_int_equal(b.last_offset, 2);
    assert_int_equal(broker_log_end_offset(f->log), 5);
    /* Another producer is independent. */
    EXPECT_OK(send(f, 2000, 0, 0, 1, &a), &f->e);
    assert_int_equal(a.base_offset, 5);
}

static void test_gap_and_old_epoch_rejected(void **state)
{
    fixture *f = *state;
    broker_append_info a;
    EXPECT_OK(send(f, 7, 0, 0, 2, &a), &f->e);
    assert_int_equal(send(f, 7, 0, 5, 1, &a), EDDY_ESEQUENCE); /* gap: expected 2 */
    assert_int_equal(broker_log_end_offset(f->log), 2);
    EXPECT_OK(send(f, 7, 1, 0, 1, &a), &f->e);               /* new epoch starts at 0 */
    assert_int_equal(send(f, 7, 0, 2, 1, &a), EDDY_EFENCED); /* old epoch */
    assert_int_equal(send(f, 7, 2, 3, 1, &a), EDDY_ESEQUENCE); /* new epoch not at 0 */
    assert_int_equal(broker_log_end_offset(f->log), 3);
    /* Only the last 5 batches are remembered: an older retry is a sequence error. */
    for (int i = 1; i <= 6; i++)
        EXPECT_OK(send(f, 7, 1, i, 1, &a), &f->e);
    assert_int_equal(send(f, 7, 1, 1, 1, &a), EDDY_ESEQUENCE);
    EXPECT_OK(send(f, 7, 1, 6, 1, &a), &f->e);
    assert_true(a.duplicate);
}

static void test_sequence_wraps(void **state)
{
    fixture *f = *state;
    broker_append_info a;
    EXPECT_OK(send(f, 9, 0, INT32_MAX - 1, 2, &a), &f->e);
    EXPECT_OK(send(f, 9, 0, 0, 1, &a), &f->e);
    assert_false(a.duplicate);
    assert_int_equal(send(f, 9, 0, 5, 1, &a), EDDY_ESEQUENCE);
}

static void test_state_survives_clean_restart(void **state)
{
    fixture *f = *state;
    broker_append_info a;
    EXPECT_OK(send(f, 42, 3, 0, 4, &a), &f->e);
    EXPECT_OK(send(f, 42, 3, 4, 4, &a), &f->e);
    close_all(f);
    open_all(f);
    EXPECT_OK(send(f, 42, 3, 4, 4, &a), &f->e);
    assert_true(a.duplicate);
    assert_int_equal(a.base_offset, 4);
    assert_int_equal(send(f, 42, 2, 8, 1, &a), EDDY_EFENCED);
    assert_int_equal(send(f, 42, 3, 9, 1, &a), EDDY_ESEQUENCE);
    EXPECT_OK(send(f, 42, 3, 8, 1, &a), &f->e);
    assert_int_equal(a.base_offset, 8);
}

static void test_state_rebuilt_from_log_after_crash(void **state)
{
    fixture *f = *state;
    broker_append_info a;
    EXPECT_OK(send(f, 42, 0, 0, 2, &a), &f->e);
    close_all(f); /* writes a snapshot at offset 2 */
    open_all(f);
    EXPECT_OK(send(f, 42, 0, 2, 2, &a), &f->e); /* after the snapshot */
    EXPECT_OK(send(f, 43, 0, 0, 1, &a), &f->e);
    /* Simulate kill -9: no clean shutdown, and the snapshot is older than the log. */
    char p[600];
    snprintf(p, sizeof p, "%s/topics/t/0/producers.snapshot.keep", f->dir);
    char s[600];
    snprintf(s, sizeof s, "%s/topics/t/0/producers.snapshot", f->dir);
    char cmd[1300];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", s, p);
    assert_int_equal(system(cmd), 0);
    close_all(f);
    assert_int_equal(rename(p, s), 0);
    snprintf(p, sizeof p, "%s/.clean_shutdown", f->dir);
    unlink(p);
    open_all(f);
    EXPECT_OK(send(f, 42, 0, 2, 2, &a), &f->e);
    assert_true(a.duplicate);
    EXPECT_OK(send(f, 43, 0, 0, 1, &a), &f->e);
    assert_true(a.duplicate);
    /* And with no snapshot at all. */
    close_all(f);
    snprintf(s, sizeof s, "%s/topics/t/0/producers.snapshot", f->dir);
    unlink(s);
    open_all(f);
    EXPECT_OK(send(f, 42, 0, 2, 2, &a), &f->e);
    assert_true(a.duplicate);
    assert_int_equal(broker_log_end_offset(f->log), 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_retry_is_not_written_twice, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gap_and_old_epoch_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sequence_wraps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_survives_clean_restart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state_rebuilt_from_log_after_crash, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
