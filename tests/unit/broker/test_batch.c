/* Unit tests: Kafka record batch v2 codec (encode, validate, iterate, headers). */
#include "testutil.h"

#include "eddy/broker.h"
#include "../../../broker/broker_int.h"

/* Bitwise CRC-32C: an independent reference for the table/SSE4.2 implementation. */
static uint32_t crc32c_ref(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1)));
    }
    return ~c;
}

/* The batch Kafka's format description gives for one record key "k", value "v", header
 * h=x (docs/kafka-protocol.md 5.3), with baseTimestamp 1000 and no producer id. */
static const uint8_t one_record_batch[74] = {
    0, 0, 0, 0, 0, 0, 0, 0,             /* baseOffset */
    0, 0, 0, 0x3e,                      /* batchLength 62 */
    0, 0, 0, 0,                         /* partitionLeaderEpoch */
    2,                                  /* magic */
    0, 0, 0, 0,                         /* crc (filled in by the test) */
    0, 0,                               /* attributes */
    0, 0, 0, 0,                         /* lastOffsetDelta */
    0, 0, 0, 0, 0, 0, 0x03, 0xe8,       /* baseTimestamp 1000 */
    0, 0, 0, 0, 0, 0, 0x03, 0xe8,       /* maxTimestamp 1000 */
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* producerId -1 */
    0xff, 0xff,                         /* producerEpoch -1 */
    0xff, 0xff, 0xff, 0xff,             /* baseSequence -1 */
    0, 0, 0, 1,                         /* recordCount */
    0x18, 0x00, 0x00, 0x00, 0x02, 'k', 0x02, 'v', 0x02, 0x02, 'h', 0x02, 'x',
};

static void test_encode_matches_format_description(void **state)
{
    (void)state;
    uint8_t expect[74];
    memcpy(expect, one_record_batch, sizeof expect);
    eddy_put_be32(expect + 17, crc32c_ref(expect + 21, sizeof expect - 21));

    broker_header hd = {"h", 1, (const uint8_t *)"x", 1};
    broker_record r = {0};
    r.key = (const uint8_t *)"k";
    r.key_len = 1;
    r.value = (const uint8_t *)"v";
    r.value_len = 1;
    r.timestamp = 1000;
    r.nheaders = 1;
    r.headers = &hd;
    eddy_buf out;
    eddy_buf_init(&out);
    eddy_err e = {0};
    EXPECT_OK(broker_batch_encode(&r, 1, -1, -1, -1, &out, &e), &e);
    assert_int_equal(out.len, sizeof expect);
    assert_memory_equal(out.data, expect, sizeof expect);
    EXPECT_OK(broker_batch_validate(out.data, out.len, &e), &e);
    eddy_buf_free(&out);
}

static void test_header_parse_fields(void **state)
{
    (void)state;
    broker_batch_header h;
    broker_batch_header_parse(one_record_batch, &h);
    assert_int_equal(h.base_offset, 0);
    assert_int_equal(h.batch_length, 62);
    assert_int_equal(h.magic, 2);
    assert_int_equal(h.base_timestamp, 1000);
    assert_int_equal(h.max_timestamp, 1000);
    assert_int_equal(h.producer_id, -1);
    assert_int_equal(h.producer_epoch, -1);
    assert_int_equal(h.base_sequence, -1);
    assert_int_equal(h.record_count, 1);
    assert_int_equal(h.last_offset_delta, 0);
}

static void make_records(broker_record *recs, size_t n, char (*keys)[32], char (*vals)[48])
{
    for (size_t i = 0; i < n; i++) {
        memset(&recs[i], 0, sizeof recs[i]);
        snprintf(keys[i], 32, "key-%zu", i);
        snprintf(vals[i], 48, "value number %zu", i);
        recs[i].key = i % 3 == 2 ? NULL : (const uint8_t *)keys[i];
        recs[i].key_len = i % 3 == 2 ? -1 : (int32_t)strlen(keys[i]);
        recs[i].value = i % 5 == 4 ? NULL : (const uint8_t *)vals[i];
        recs[i].value_len = i % 5 == 4 ? -1 : (int32_t)strlen(vals[i]);
        recs[i].timestamp = 1700000000000LL + (int64_t)(i * 7 % 11) - 5; /* not monotonic */
    }
}

static void test_roundtrip_many_records(void **state)
{
    (void)state;
    enum { N = 300 };
    broker_record recs[N];
    char keys[N][32], vals[N][48];
    make_records(recs, N, keys, vals);
    broker_header hs[2] = {{"a", 1, (const uint8_t *)"1", 1}, {"empty", 5, NULL, -1}};
    recs[7].nheaders = 2;
    recs[7].headers = hs;
    eddy_buf out;
    eddy_buf_init(&out);
    eddy_err e = {0};
    EXPECT_OK(broker_batch_encode(recs, N, 77, 3, 10, &out, &e), &e);
    EXPECT_OK(broker_batch_validate(out.data, out.len, &e), &e);
    broker_batch_header h;
    broker_batch_header_parse(out.data, &h);
    assert_int_equal(h.record_count, N);
    assert_int_equal(h.last_offset_delta, N - 1);
    assert_int_equal(h.producer_id, 77);
    assert_int_equal(h.producer_epoch, 3);
    assert_int_equal(h.base_sequence, 10);
    int64_t maxts = 0;
    for (int i = 0; i < N; i++)
        maxts = recs[i].timestamp > maxts ? recs[i].timestamp : maxts;
    assert_int_equal(h.max_timestamp, maxts);

    broker_iter it;
    broker_record r;
    broker_iter_init(&it, out.data, out.len, 0);
    for (int i = 0; i < N; i++) {
        assert_int_equal(broker_iter_next(&it, &r, &e), 1);
        assert_int_equal(r.offset, i);
        assert_int_equal(r.timestamp, recs[i].timestamp);
        assert_int_equal(r.key_len, recs[i].key_len);
        assert_int_equal(r.value_len, recs[i].value_len);
        if (recs[i].key)
            assert_memory_equal(r.key, recs[i].key, (size_t)r.key_len);
        else
            assert_null(r.key);
        if (recs[i].value)
            assert_memory_equal(r.value, recs[i].value, (size_t)r.value_len);
        else
            assert_null(r.value);
        broker_header got[4];
        int nh = broker_record_headers(&r, got, 4);
        assert_int_equal(nh, i == 7 ? 2 : 0);
        if (i == 7) {
            assert_memory_equal(got[0].key, "a", 1);
            assert_memory_equal(got[0].value, "1", 1);
            assert_int_equal(got[1].key_len, 5);
            assert_null(got[1].value);
            assert_int_equal(got[1].value_len, -1);
        }
    }
    assert_int_equal(broker_iter_next(&it, &r, &e), 0);

    /* min_offset skips records below it. */
    broker_iter_init(&it, out.data, out.len, 250);
    assert_int_equal(broker_iter_next(&it, &r, &e), 1);
    assert_int_equal(r.offset, 250);
    eddy_buf_free(&out);
}

/* Every single-bit flip in the CRC-covered area is caught; truncation too. */
static void test_validate_detects_corruption(void **state)
{
    (void)state;
    enum { N = 5 };
    broker_record recs[N];
    char keys[N][32], vals[N][48];
    make_records(recs, N, keys, vals);
    eddy_buf out;
    eddy_buf_init(&out);
    eddy_err e = {0};
    EXPECT_OK(broker_batch_encode(recs, N, -1, -1, -1, &out, &e), &e);
    for (size_t i = 17; i < out.len; i++) {
        for (int bit = 0; bit < 8; bit += 3) {
            out.data[i] ^= (uint8_t)(1 << bit);
            eddy_err_clear(&e);
            assert_true(broker_batch_validate(out.data, out.len, &e) < 0);
            out.data[i] ^= (uint8_t)(1 << bit);
        }
    }
    for (size_t cut = 0; cut < out.len; cut++) {
        eddy_err_clear(&e);
        assert_true(broker_batch_validate(out.data, cut, &e) < 0);
    }
    /* baseOffset and partitionLeaderEpoch are outside the CRC: changing them is fine. */
    eddy_put_be64(out.data, 12345);
    eddy_put_be32(out.data + 12, 7);
    eddy_err_clear(&e);
    EXPECT_OK(broker_batch_validate(out.data, out.len, &e), &e);
    eddy_buf_free(&out);
}

/* A partial trailing batch ends iteration quietly (fetch may cut mid-batch). */
static void test_iter_stops_at_partial_batch(void **state)
{
    (void)state;
    broker_record recs[3];
    char keys[3][32], vals[3][48];
    make_records(recs, 3, keys, vals);
    eddy_buf out;
    eddy_buf_init(&out);
    eddy_err e = {0};
    EXPECT_OK(broker_batch_encode(recs, 3, -1, -1, -1, &out, &e), &e);
    size_t one = out.len;
    EXPECT_OK(broker_batch_encode(recs, 2, -1, -1, -1, &out, &e), &e);
    eddy_put_be64(out.data + one, 3); /* second batch at offsets 3..4 */
    broker_iter it;
    broker_record r;
    int count = 0;
    broker_iter_init(&it, out.data, out.len - 1, 0);
    while (broker_iter_next(&it, &r, &e) == 1)
        count++;
    assert_int_equal(count, 3);
    broker_iter_init(&it, out.data, out.len, 0);
    count = 0;
    while (broker_iter_next(&it, &r, &e) == 1)
        assert_int_equal(r.offset, count++);
    assert_int_equal(count, 5);
    eddy_buf_free(&out);
}

/* Compaction's encoder keeps original offsets and timestamps. */
static void test_encode_with_keeps_offsets(void **state)
{
    (void)state;
    enum { N = 10 };
    broker_record recs[N];
    char keys[N][32], vals[N][48];
    make_records(recs, N, keys, vals);
    eddy_buf out, out2;
    eddy_buf_init(&out);
    eddy_buf_init(&out2);
    eddy_err e = {0};
    EXPECT_OK(broker_batch_encode(recs, N, -1, -1, -1, &out, &e), &e);
    eddy_put_be64(out.data, 100);
    broker_batch_header h;
    broker_batch_header_parse(out.data, &h);
    broker_record keep[N];
    int nk = 0;
    broker_iter it;
    broker_record r;
    broker_iter_init(&it, out.data, out.len, 0);
    while (broker_iter_next(&it, &r, &e) == 1)
        if (r.offset % 3 == 0)
            keep[nk++] = r;
    EXPECT_OK(broker__batch_encode_with(&h, keep, (size_t)nk, &out2, &e), &e);
    EXPECT_OK(broker_batch_validate(out2.data, out2.len, &e), &e);
    broker_batch_header h2;
    broker_batch_header_parse(out2.data, &h2);
    assert_int_equal(h2.base_offset, 100);
    assert_int_equal(h2.last_offset_delta, N - 1);
    assert_int_equal(h2.record_count, nk);
    broker_iter_init(&it, out2.data, out2.len, 0);
    for (int i = 0; i < nk; i++) {
        assert_int_equal(broker_iter_next(&it, &r, &e), 1);
        assert_int_equal(r.offset, keep[i].offset);
        assert_int_equal(r.timestamp, keep[i].timestamp);
        assert_int_equal(r.value_len, keep[i].value_len);
    }
    eddy_buf_free(&out);
    eddy_buf_free(&out2);
}

/* ------------------------------------------------------------------------------------------
 * The encoder against a plain reference: random records of every shape (null, empty, short
 * and long keys and values; raw and decoded headers with null and non-null values; unsorted
 * timestamps; own offsets), in batches of up to 1500 records (the encoder stages records in
 * groups and writes them through the streaming CRC), under each CRC-32C implementation the
 * CPU has. The reference writes the format byte by byte and checksums with the bitwise CRC. */

static uint64_t rng = 0x243F6A8885A308D3ull;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

static void ref_put(eddy_buf *b, const void *p, size_t n)
{
    assert_int_equal(eddy_buf_append(b, p, n), 0);
}

static void ref_varlong(eddy_buf *b, int64_t v)
{
    uint64_t u = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
    do {
        uint8_t c = (uint8_t)(u & 0x7f);
        u >>= 7;
        if (u)
            c |= 0x80;
        ref_put(b, &c, 1);
    } while (u);
}

static void ref_be(eddy_buf *b, uint64_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; i--) {
        uint8_t c = (uint8_t)(v >> (8 * i));
        ref_put(b, &c, 1);
    }
}

/* The batch for 'recs' with header fields from 'h' (batch length, CRC and count computed). */
static void ref_encode(const broker_batch_header *h, const broker_record *recs, size_t n,
                       bool own_offsets, eddy_buf *out)
{
    eddy_buf body;
    eddy_buf_init(&body);
    for (size_t i = 0; i < n; i++) {
        const broker_record *r = &recs[i];
        eddy_buf rec;
        eddy_buf_init(&rec);
        uint8_t zero = 0;
        ref_put(&rec, &zero, 1);
        ref_varlong(&rec, r->timestamp - h->base_timestamp);
        ref_varlong(&rec, own_offsets ? r->offset - h->base_offset : (int64_t)i);
        ref_varlong(&rec, r->key ? r->key_len : -1);
        if (r->key)
            ref_put(&rec, r->key, (size_t)r->key_len);
        ref_varlong(&rec, r->value ? r->value_len : -1);
        if (r->value)
            ref_put(&rec, r->value, (size_t)r->value_len);
        if (r->raw_headers) {
            ref_put(&rec, r->raw_headers, (size_t)(r->raw_end - r->raw_headers));
        } else {
            ref_varlong(&rec, r->nheaders);
            for (int32_t k = 0; k < r->nheaders; k++) {
                const broker_header *hd = &r->headers[k];
                ref_varlong(&rec, hd->key_len);
                ref_put(&rec, hd->key, (size_t)hd->key_len);
                ref_varlong(&rec, hd->value ? hd->value_len : -1);
                if (hd->value)
                    ref_put(&rec, hd->value, (size_t)hd->value_len);
            }
        }
        ref_varlong(&body, (int64_t)rec.len);
        ref_put(&body, rec.data, rec.len);
        eddy_buf_free(&rec);
    }
    out->len = 0;
    ref_be(out, (uint64_t)h->base_offset, 8);
    ref_be(out, (uint64_t)(BROKER_BATCH_HEADER_SIZE - 12 + body.len), 4);
    ref_be(out, (uint64_t)(uint32_t)h->partition_leader_epoch, 4);
    ref_be(out, 2, 1);
    ref_be(out, 0, 4); /* crc */
    ref_be(out, (uint64_t)(uint16_t)h->attributes, 2);
    ref_be(out, (uint64_t)(uint32_t)h->last_offset_delta, 4);
    ref_be(out, (uint64_t)h->base_timestamp, 8);
    ref_be(out, (uint64_t)h->max_timestamp, 8);
    ref_be(out, (uint64_t)h->producer_id, 8);
    ref_be(out, (uint64_t)(uint16_t)h->producer_epoch, 2);
    ref_be(out, (uint64_t)(uint32_t)h->base_sequence, 4);
    ref_be(out, n, 4);
    ref_put(out, body.data, body.len);
    eddy_put_be32(out->data + 17, crc32c_ref(out->data + 21, out->len - 21));
    eddy_buf_free(&body);
}

/* A random length for a key or value: null (-1), empty, around the staging limit (64),
 * or long. */
static int32_t rnd_len(void)
{
    switch (rnd() % 10) {
    case 0: return -1;
    case 1: return 0;
    case 2: case 3: return (int32_t)(rnd() % 20);
    case 4: return 60 + (int32_t)(rnd() % 10);
    case 5: case 6: return (int32_t)(rnd() % 300);
    default: return 900 + (int32_t)(rnd() % 1200);
    }
}

static void test_encode_matches_reference(void **state)
{
    (void)state;
    enum { MAXN = 1500, POOL = 1 << 16 };
    uint8_t *pool = malloc(POOL + 4096);
    broker_record *recs = calloc(MAXN, sizeof *recs);
    broker_header *hdrs = calloc(MAXN * 3, sizeof *hdrs);
    uint8_t *raw = malloc(MAXN * 16);
    assert_non_null(pool);
    assert_non_null(recs);
    assert_non_null(hdrs);
    assert_non_null(raw);
    for (size_t i = 0; i < POOL + 4096; i++)
        pool[i] = (uint8_t)rnd();
    eddy_buf got, want;
    eddy_buf_init(&got);
    eddy_buf_init(&want);
    eddy_err e = {0};
    int impls[] = {EDDY_CRC32C_TABLE, EDDY_CRC32C_SSE42, EDDY_CRC32C_VPCLMUL};
    int was = eddy_crc32c_limit(EDDY_CRC32C_VPCLMUL);
    for (int t = 0; t < 120; t++) {
        size_t n = t % 4 == 0 ? 1 + rnd() % MAXN : 1 + rnd() % 40;
        bool usual = t % 3 == 0; /* mostly the shape the bench appends: 8-byte keys, 1 KiB */
        int64_t base_ts = 1700000000000LL + (int64_t)(rnd() % 1000);
        for (size_t i = 0; i < n; i++) {
            broker_record *r = &recs[i];
            memset(r, 0, sizeof *r);
            int32_t kl = usual ? 8 : rnd_len(), vl = usual ? 1024 : rnd_len();
            r->key = kl < 0 ? NULL : pool + rnd() % POOL;
            r->key_len = kl;
            r->value = vl < 0 ? NULL : pool + rnd() % POOL;
            r->value_len = vl;
            r->timestamp = base_ts + (int64_t)(rnd() % 200000) - 100000;
            r->offset = 1000 + (int64_t)i * (1 + rnd() % 3);
            if (!usual && rnd() % 5 == 0) {
                int nh = (int)(rnd() % 4);
                for (int k = 0; k < nh; k++) {
                    broker_header *hd = &hdrs[3 * i + (size_t)k];
                    int32_t hk = rnd_len(), hv = rnd_len();
                    hd->key = (const char *)pool + rnd() % POOL;
                    hd->key_len = hk < 0 ? 0 : hk;
                    hd->value = hv < 0 ? NULL : pool + rnd() % POOL;
                    hd->value_len = hv;
                }
                r->nheaders = nh;
                r->headers = &hdrs[3 * i];
            } else if (!usual && rnd() % 5 == 0) {
                /* Raw headers as read back: one header "k" -> null. */
                uint8_t *p = raw + 16 * i;
                p[0] = 2; /* count 1 */
                p[1] = 2; /* key length 1 */
                p[2] = 'k';
                p[3] = 1; /* value length -1 */
                r->raw_headers = p;
                r->raw_end = p + 4;
                r->nheaders = 1;
            }
        }
        bool own = t % 5 == 4;
        broker_batch_header h = {0};
        if (own) {
            h.base_offset = 1000;
            h.attributes = 0;
            h.last_offset_delta = (int32_t)(recs[n - 1].offset - 1000);
            h.base_timestamp = base_ts;
            h.max_timestamp = base_ts + 5;
            h.producer_id = 42;
            h.producer_epoch = 1;
            h.base_sequence = 7;
        } else {
            h.base_timestamp = recs[0].timestamp;
            h.last_offset_delta = (int32_t)(n - 1);
            h.max_timestamp = INT64_MIN;
            for (size_t i = 0; i < n; i++)
                if (recs[i].timestamp > h.max_timestamp)
                    h.max_timestamp = recs[i].timestamp;
            h.producer_id = -1;
            h.producer_epoch = -1;
            h.base_sequence = -1;
        }
        ref_encode(&h, recs, n, own, &want);
        for (size_t k = 0; k < EDDY_ARRAY_LEN(impls); k++) {
            eddy_crc32c_limit(impls[k]);
            /* appended after what the buffer holds, at varying alignments */
            size_t pre = rnd() % 100;
            got.len = 0;
            assert_int_equal(eddy_buf_reserve(&got, pre), 0);
            memset(got.data, 0x5a, pre);
            got.len = pre;
            if (own)
                EXPECT_OK(broker__batch_encode_with(&h, recs, n, &got, &e), &e);
            else
                EXPECT_OK(broker_batch_encode(recs, n, -1, -1, -1, &got, &e), &e);
            assert_int_equal(got.len - pre, want.len);
            assert_memory_equal(got.data + pre, want.data, want.len);
            for (size_t i = 0; i < pre; i++)
                assert_int_equal(got.data[i], 0x5a);
        }
    }
    eddy_crc32c_limit(was);
    eddy_buf_free(&got);
    eddy_buf_free(&want);
    free(pool);
    free(recs);
    free(hdrs);
    free(raw);
}

static void test_check_produce_rules(void **state)
{
    (void)state;
    broker_topic_config cfg;
    broker_topic_config_default(&cfg);
    broker_record recs[2];
    char keys[2][32], vals[2][48];
    make_records(recs, 2, keys, vals);
    eddy_buf out;
    eddy_buf_init(&out);
    eddy_err e = {0};
    broker_batch_header h;
    EXPECT_OK(broker_batch_encode(recs, 2, -1, -1, -1, &out, &e), &e);
    EXPECT_OK(broker__batch_check_produce(out.data, out.len, &cfg, &h, &e), &e);
    /* baseOffset != 0 is refused */
    eddy_put_be64(out.data, 5);
    assert_int_equal(broker__batch_check_produce(out.data, out.len, &cfg, &h, &e), EDDY_EINVAL);
    eddy_put_be64(out.data, 0);
    /* too large */
    cfg.max_message_bytes = (int64_t)out.len - 1;
    eddy_err_clear(&e);
    assert_int_equal(broker__batch_check_produce(out.data, out.len, &cfg, &h, &e), EDDY_ETOOLARGE);
    broker_topic_config_default(&cfg);
    /* keyless record on a compacted topic */
    recs[0].key = NULL;
    recs[0].key_len = -1;
    out.len = 0;
    EXPECT_OK(broker_batch_encode(recs, 2, -1, -1, -1, &out, &e), &e);
    cfg.cleanup_policy = BROKER_CLEANUP_COMPACT;
    eddy_err_clear(&e);
    assert_int_equal(broker__batch_check_produce(out.data, out.len, &cfg, &h, &e), EDDY_EINVAL);
    /* compressed batches are recognised and refused */
    cfg.cleanup_policy = BROKER_CLEANUP_DELETE;
    eddy_put_be16(out.data + 21, 1);
    eddy_put_be32(out.data + 17, eddy_crc32c(0, out.data + 21, out.len - 21));
    eddy_err_clear(&e);
    assert_int_equal(broker__batch_check_produce(out.data, out.len, &cfg, &h, &e),
                     EDDY_EUNSUPPORTED);
    eddy_buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_matches_format_description),
        cmocka_unit_test(test_header_parse_fields),
        cmocka_unit_test(test_roundtrip_many_records),
        cmocka_unit_test(test_validate_detects_corruption),
        cmocka_unit_test(test_iter_stops_at_partial_batch),
        cmocka_unit_test(test_encode_with_keeps_offsets),
        cmocka_unit_test(test_check_produce_rules),
        cmocka_unit_test(test_encode_matches_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
