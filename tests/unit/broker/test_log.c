/* Unit tests: partition logs — append, fetch across segments, segment roll, index rebuild,
 * time lookup, waiting readers, torn-tail recovery. */
#include "testutil.h"

#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eddy/broker.h"

typedef struct fixture {
    char *dir;
    broker *b;
    eddy_err e;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->dir = test_tmpdir();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    broker_close(f->b);
    test_rmdir(f->dir);
    free(f);
    return 0;
}

static void open_broker(fixture *f)
{
    eddy_err_clear(&f->e);
    EXPECT_OK(broker_open(f->dir, NULL, &f->b, &f->e), &f->e);
}

static void reopen(fixture *f)
{
    broker_close(f->b);
    f->b = NULL;
    open_broker(f);
}

static void create(fixture *f, const char *name, int parts, const char *key, const char *val)
{
    broker_topic_config c;
    broker_topic_config_default(&c);
    if (key)
        EXPECT_OK(broker_topic_config_set(&c, key, val, &f->e), &f->e);
    EXPECT_OK(broker_topic_create(f->b, name, parts, &c, &f->e), &f->e);
}

static broker_log *get_log(fixture *f, const char *topic, int p)
{
    broker_log *log;
    EXPECT_OK(broker_log_get(f->b, topic, p, &log, &f->e), &f->e);
    return log;
}

/* Append 'nbatches' batches of 'per' records "v<offset>" with timestamp 1000 + offset. */
static void append_numbered(fixture *f, broker_log *log, int nbatches, int per)
{
    for (int b = 0; b < nbatches; b++) {
        broker_record recs[64];
        char vals[64][32];
        int64_t first = broker_log_end_offset(log);
        for (int i = 0; i < per; i++) {
            memset(&recs[i], 0, sizeof recs[i]);
            int n = snprintf(vals[i], sizeof vals[i], "v%lld", (long long)(first + i));
            recs[i].value = (const uint8_t *)vals[i];
            recs[i].value_len = n;
            recs[i].key = (const uint8_t *)"k";
            recs[i].key_len = 1;
            recs[i].timestamp = 1000 + first + i;
        }
        broker_append_info info;
        EXPECT_OK(broker_log_append(log, recs, (size_t)per, &info, &f->e), &f->e);
        assert_int_equal(info.base_offset, first);
        assert_int_equal(info.last_offset, first + per - 1);
    }
}

/* Read everything from 'from' and check values are "v<offset>" with dense offsets. */
static int64_t read_all_check(fixture *f, broker_log *log, int64_t from)
{
    int64_t off = from, count = 0;
    for (;;) {
        broker_fetch_result res;
        EXPECT_OK(broker_log_fetch(log, off, 3000, &res, &f->e), &f->e);
        if (res.len == 0) {
            broker_fetch_release(&res);
            break;
        }
        broker_iter it;
        broker_record r;
        broker_iter_init(&it, res.data, res.len, off);
        int rc;
        while ((rc = broker_iter_next(&it, &r, &f->e)) == 1) {
            char want[32];
            int n = snprintf(want, sizeof want, "v%lld", (long long)r.offset);
            assert_int_equal(r.offset, off);
            assert_int_equal(r.value_len, n);
            assert_memory_equal(r.value, want, (size_t)n);
            assert_int_equal(r.timestamp, 1000 + r.offset);
            off++;
            count++;
        }
        assert_int_equal(rc, 0);
        assert_int_equal(res.next_offset, off);
        broker_fetch_release(&res);
    }
    assert_int_equal(off, broker_log_end_offset(log));
    return count;
}

static int count_files(const char *dir, const char *suffix)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "ls '%s' | grep -c '%s$'", dir, suffix);
    FILE *p = popen(cmd, "r");
    int n = 0;
    if (fscanf(p, "%d", &n) != 1)
        n = -1;
    pclose(p);
    return n;
}

static void test_append_fetch_and_roll(void **state)
{
    fixture *f = *state;
    open_broker(f);
    create(f, "t", 1, "segment.bytes", "2000");
    broker_log *log = get_log(f, "t", 0);
    append_numbered(f, log, 100, 7);
    assert_int_equal(broker_log_end_offset(log), 700);
    assert_int_equal(broker_log_start_offset(log), 0);
    assert_int_equal(read_all_check(f, log, 0), 700);
    assert_int_equal(read_all_check(f, log, 333), 700 - 333);

    char pdir[600];
    snprintf(pdir, sizeof pdir, "%s/topics/t/0", f->dir);
    int nlogs = count_files(pdir, ".log");
    assert_true(nlogs > 5);
    broker_topic_info info;
    EXPECT_OK(broker_topic_describe(f->b, "t", &info, &f->e), &f->e);
    assert_int_equal(info.parts[0].segments, nlogs);
    assert_int_equal(info.parts[0].log_end_offset, 700);
    broker_topic_info_free(&info);

    /* Every segment respects segment.bytes (one batch may overflow an empty segment). */
    char cmd[700];
    snprintf(cmd, sizeof cmd, "find '%s' -name '*.log' -size +2000c | wc -l", pdir);
    FILE *p = popen(cmd, "r");
    int big = -1;
    assert_int_equal(fscanf(p, "%d", &big), 1);
    pclose(p);
    assert_int_equal(big, 0);

    /* Out-of-range fetches. */
    broker_fetch_result res;
    eddy_err_clear(&f->e);
    assert_int_equal(broker_log_fetch(log, 701, 100, &res, &f->e), EDDY_ERANGE);
    eddy_err_clear(&f->e);
    EXPECT_OK(broker_log_fetch(log, 700, 100, &res, &f->e), &f->e);
    assert_int_equal(res.len, 0);
    broker_fetch_release(&res);
    broker_log_release(log);

    reopen(f);
    log = get_log(f, "t", 0);
    assert_int_equal(read_all_check(f, log, 0), 700);
    append_numbered(f, log, 3, 5);
    assert_int_equal(read_all_check(f, log, 690), 25);
    broker_log_release(log);
}

/* A fetch returns whole batches, at least one even when it exceeds max_bytes. */
static void test_fetch_whole_batches(void **state)
{
    fixture *f = *state;
    open_broker(f);
    create(f, "t", 1, NULL, NULL);
    broker_log *log = get_log(f, "t", 0);
    append_numbered(f, log, 10, 50);
    broker_fetch_result res;
    EXPECT_OK(broker_log_fetch(log, 120, 1, &res, &f->e), &f->e);
    broker_batch_header h;
    broker_batch_header_parse(res.data, &h);
    assert_int_equal(h.base_offset, 100);
    assert_int_equal(res.len, (size_t)h.batch_length + 12);
    assert_int_equal(res.next_offset, 150);
    assert_true(res.fd >= 0);
    /* The bytes at file_pos in the segment file are the ones returned. */
    uint8_t buf[64];
    assert_int_equal(pread(res.fd, buf, sizeof buf, res.file_pos), sizeof buf);
    assert_memory_equal(buf, res.data, sizeof buf);
    broker_fetch_release(&res);
    EXPECT_OK(broker_log_fetch(log, 0, 1 << 20, &res, &f->e), &f->e);
    assert_int_equal(res.next_offset, 500);
    broker_fetch_release(&res);
    broker_log_release(log);
}

static void test_index_rebuild(void **state)
{
    fixture *f = *state;
    open_broker(f);
    create(f, "t", 1, "segment.bytes", "50000");
    broker_log *log = get_log(f, "t", 0);
    append_numbered(f, log, 300, 10);
    broker_log_release(log);
    broker_close(f->b);
    f->b = NULL;

    /* Delete some indexes, fill others with garbage, truncate one mid-entry. */
    char cmd[1200];
    snprintf(cmd, sizeof cmd,
             "cd '%s/topics/t/0' && i=0; for x in *.index; do "
             "case $((i%%3)) in 0) rm -f $x;; 1) head -c 80 /dev/urandom > $x;; "
             "2) truncate -s 13 $x;; esac; i=$((i+1)); done; "
             "for x in *.timeindex; do head -c 24 /dev/urandom > $x; done",
             f->dir);
    assert_int_equal(system(cmd), 0);
    open_broker(f);
    log = get_log(f, "t", 0);
    assert_int_equal(broker_log_end_offset(log), 3000);
    for (int64_t o = 0; o < 3000; o += 97)
        assert_int_equal(read_all_check(f, log, o), 3000 - o);
    int64_t off;
    EXPECT_OK(broker_log_offset_for_time(log, 1000 + 1234, &off, &f->e), &f->e);
    assert_int_equal(off, 1234);
    broker_log_release(log);
}

/* The index files of one segment are exactly what the indexing rule gives for its batches:
 * an entry (relative offset, position) before each batch that comes 4096 or more bytes after
 * the previous entry, with a time index entry (batch max timestamp, relative offset) beside
 * it while timestamps increase. Returns the number of entries. */
static size_t check_index_files(const char *log_path)
{
    char path[700];
    size_t n = strlen(log_path) - 4;
    FILE *lf = fopen(log_path, "rb");
    assert_non_null(lf);
    snprintf(path, sizeof path, "%.*s.index", (int)n, log_path);
    FILE *xf = fopen(path, "rb");
    snprintf(path, sizeof path, "%.*s.timeindex", (int)n, log_path);
    FILE *tf = fopen(path, "rb");
    assert_non_null(xf);
    assert_non_null(tf);
    int64_t seg_base = atoll(strrchr(log_path, '/') + 1);
    uint64_t pos = 0, since = 0;
    size_t entries = 0;
    uint8_t h[BROKER_BATCH_HEADER_SIZE];
    while (fread(h, 1, sizeof h, lf) == sizeof h) {
        broker_batch_header bh;
        broker_batch_header_parse(h, &bh);
        if (since >= 4096) {
            uint8_t e[12];
            assert_int_equal(fread(e, 1, 8, xf), 8);
            assert_int_equal(eddy_get_be32(e), (uint32_t)(bh.base_offset - seg_base));
            assert_int_equal(eddy_get_be32(e + 4), (uint32_t)pos);
            assert_int_equal(fread(e, 1, 12, tf), 12);
            assert_int_equal((int64_t)eddy_get_be64(e), bh.max_timestamp);
            assert_int_equal(eddy_get_be32(e + 8), (uint32_t)(bh.base_offset - seg_base));
            entries++;
            since = 0;
        }
        size_t blen = (size_t)bh.batch_length + 12;
        since += blen;
        pos += blen;
        assert_int_equal(fseek(lf, (long)pos, SEEK_SET), 0);
    }
    uint8_t extra;
    assert_int_equal(fread(&extra, 1, 1, xf), 0); /* nothing more */
    assert_int_equal(fread(&extra, 1, 1, tf), 0);
    fclose(lf);
    fclose(xf);
    fclose(tf);
    return entries;
}

/* Index entries reach the files in groups, but completely once a segment is sealed (roll),
 * flushed or closed. */
static void test_index_files_complete(void **state)
{
    fixture *f = *state;
    open_broker(f);
    create(f, "t", 1, "segment.bytes", "600000");
    broker_log *log = get_log(f, "t", 0);
    append_numbered(f, log, 2300, 64); /* ~1.3 KB batches, ~470 a segment: 4 sealed, ~420 active */
    char pdir[600], cmd[800];
    snprintf(pdir, sizeof pdir, "%s/topics/t/0", f->dir);
    snprintf(cmd, sizeof cmd, "ls '%s'/*.log", pdir);
    /* Sealed segments: complete without a flush. The active one after a flush. */
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1)
            EXPECT_OK(broker_log_flush(log, &f->e), &f->e);
        FILE *p = popen(cmd, "r");
        char line[700];
        size_t total = 0;
        int segs = 0;
        char last[700] = "";
        while (fgets(line, sizeof line, p)) {
            line[strcspn(line, "\n")] = '\0';
            if (last[0])
                total += check_index_files(last); /* all but the active (last) one */
            snprintf(last, sizeof last, "%s", line);
            segs++;
        }
        pclose(p);
        assert_true(segs >= 3);
        assert_true(total > 128); /* more than a group of entries in the sealed segments */
        if (pass == 1)
            assert_true(check_index_files(last) > 64); /* a group written, some pending */
    }
    broker_log_release(log);
    reopen(f);
    log = get_log(f, "t", 0);
    assert_int_equal(read_all_check(f, log, 54321), 2300 * 64 - 54321);
    broker_log_release(log);
}

static void test_offset_for_time(void **state)
{
    fixture *f = *state;
    open_broker(f);
    create(f, "t", 1, "segment.bytes", "3000");
    broker_log *log = get_log(f, "t", 0);
    append_numbered(f, log, 40, 10); /* timestamps 1000..1399 */
    int64_t off;
    EXPECT_OK(broker_log_offset_for_time(log, 0, &off, &f->e), &f->e);
    assert_int_equal(off, 0);
    for (int64_t t = 1000; t < 1400; t += 13) {
        EXPECT_OK(broker_log_offset_for_time(log, t, &off, &f->e), &f->e);
        assert_int_equal(off, t - 1000);
    }
    EXPECT_OK(broker_log_offset_for_time(log, 5000, &off, &f->e), &f->e);
    assert_int_equal(off, 400);
    broker_log_release(log);
}

typedef struct waiter_arg {
    broker_log *log;
    int result;
} waiter_arg;

static void *waiter(void *p)
{
    waiter_arg *a = p;
    a->result = broker_log_wait(a->log, broker_log_end_offset(a->log), 10000);
    return NULL;
}

static void test_wait_wakes_on_append(void **state)
{
    fixture *f = *state;
    open_broker(f);
    create(f, "t", 1, NULL, NULL);
    broker_log *log = get_log(f, "t", 0);
    assert_int_equal(broker_log_wait(log, 0, 20), 0); /* times out */
    waiter_arg a = {log, -99};
    pthread_t th;
    pthread_create(&th, NULL, waiter, &a);
    usleep(20000);
    append_numbered(f, log, 1, 1);
    pthread_join(th, NULL);
    assert_int_equal(a.result, 1);
    assert_int_equal(broker_log_wait(log, 0, 0), 1);
    broker_log_release(log);
}

/* Torn tail: cut the active segment at every byte of its last batch; recovery must drop
 * exactly that batch and keep everything before it; appends continue at the right offset. */
static void test_torn_tail_every_byte(void **state)
{
    fixture *f = *state;
    open_broker(f);
    create(f, "t", 1, NULL, NULL);
    broker_log *log = get_log(f, "t", 0);
    append_numbered(f, log, 20, 3);
    int64_t before_last = broker_log_end_offset(log);
    append_numbered(f, log, 1, 4);
    broker_log_release(log);
    broker_close(f->b);
    f->b = NULL;

    char seg[600], copy[600];
    snprintf(seg, sizeof seg, "%s/topics/t/0/00000000000000000000.log", f->dir);
    snprintf(copy, sizeof copy, "%s/orig.log", f->dir);
    char cmd[1300];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", seg, copy);
    assert_int_equal(system(cmd), 0);
    struct stat st;
    assert_int_equal(stat(seg, &st), 0);
    off_t full = st.st_size;
    /* Position of the last batch: the file minus its size. */
    FILE *fp = fopen(copy, "rb");
    uint8_t *data = malloc((size_t)full);
    assert_int_equal(fread(data, 1, (size_t)full, fp), (size_t)full);
    fclose(fp);
    off_t pos = 0, last = 0;
    while (pos < full) {
        last = pos;
        pos += (off_t)eddy_get_be32(data + pos + 8) + 12;
    }
    char marker[600];
    snprintf(marker, sizeof marker, "%s/.clean_shutdown", f->dir);
    for (off_t cut = last; cut < full; cut++) {
        fp = fopen(seg, "wb");
        assert_int_equal(fwrite(data, 1, (size_t)cut, fp), (size_t)cut);
        fclose(fp);
        unlink(marker); /* as after kill -9 */
        open_broker(f);
        log = get_log(f, "t", 0);
        assert_int_equal(broker_log_end_offset(log), before_last);
        assert_int_equal(read_all_check(f, log, 0), before_last);
        if (cut % 16 == 0) {
            append_numbered(f, log, 1, 2);
            assert_int_equal(read_all_check(f, log, 0), before_last + 2);
        }
        broker_log_release(log);
        broker_close(f->b);
        f->b = NULL;
    }
    /* A flipped byte inside the last batch (bad CRC) is treated the same way. */
    fp = fopen(seg, "wb");
    data[last + 70] ^= 0x40;
    assert_int_equal(fwrite(data, 1, (size_t)full, fp), (size_t)full);
    fclose(fp);
    unlink(marker);
    open_broker(f);
    log = get_log(f, "t", 0);
    assert_int_equal(broker_log_end_offset(log), before_last);
    broker_log_release(log);
    free(data);
}

/* Large keys and values are written from the caller's memory (gathered write): what is
 * read back must be byte-identical and every stored batch must pass CRC validation. */
static void test_large_records_gathered_write(void **state)
{
    fixture *f = *state;
    open_broker(f);
    create(f, "t", 1, NULL, NULL);
    broker_log *log = get_log(f, "t", 0);
    enum { N = 40 };
    static uint8_t keys[N][300], vals[N][3000];
    broker_record recs[N];
    for (int i = 0; i < N; i++) {
        memset(&recs[i], 0, sizeof recs[i]);
        for (int k = 0; k < 300; k++)
            keys[i][k] = (uint8_t)(i * 7 + k);
        for (int k = 0; k < 3000; k++)
            vals[i][k] = (uint8_t)(i * 13 + k * 3);
        recs[i].key = keys[i];
        recs[i].key_len = i % 2 ? 300 : 5;            /* referenced or copied */
        recs[i].value = vals[i];
        recs[i].value_len = i % 3 ? 3000 - i : 100;   /* referenced or copied */
        recs[i].timestamp = 77 + i;
    }
    broker_append_info info;
    EXPECT_OK(broker_log_append(log, recs, N, &info, &f->e), &f->e);
    EXPECT_OK(broker_log_append(log, recs + 3, N - 3, &info, &f->e), &f->e);
    broker_fetch_result res;
    EXPECT_OK(broker_log_fetch(log, 0, 1 << 22, &res, &f->e), &f->e);
    const uint8_t *p = res.data, *end = res.data + res.len;
    int batches = 0;
    while (p < end) {
        size_t blen = (size_t)eddy_get_be32(p + 8) + 12;
        EXPECT_OK(broker_batch_validate(p, blen, &f->e), &f->e);
        p += blen;
        batches++;
    }
    assert_int_equal(batches, 2);
    broker_iter it;
    broker_record r;
    broker_iter_init(&it, res.data, res.len, 0);
    for (int i = 0; i < 2 * N - 3; i++) {
        const broker_record *want = &recs[i < N ? i : i - N + 3];
        assert_int_equal(broker_iter_next(&it, &r, &f->e), 1);
        assert_int_equal(r.offset, i);
        assert_int_equal(r.timestamp, want->timestamp);
        assert_int_equal(r.key_len, want->key_len);
        assert_memory_equal(r.key, want->key, (size_t)want->key_len);
        assert_int_equal(r.value_len, want->value_len);
        assert_memory_equal(r.value, want->value, (size_t)want->value_len);
    }
    assert_int_equal(broker_iter_next(&it, &r, &f->e), 0);
    broker_fetch_release(&res);
    broker_log_release(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_append_fetch_and_roll, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fetch_whole_batches, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_records_gathered_write, setup, teardown),
        cmocka_unit_test_setup_teardown(test_index_rebuild, setup, teardown),
        cmocka_unit_test_setup_teardown(test_index_files_complete, setup, teardown),
        cmocka_unit_test_setup_teardown(test_offset_for_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wait_wakes_on_append, setup, teardown),
        cmocka_unit_test_setup_teardown(test_torn_tail_every_byte, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
