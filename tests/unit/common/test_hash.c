/* Unit tests: CRC-32C, Kafka murmur2 and partitioning, zig-zag varints. */
#include "testutil.h"

#include <sys/uio.h>

static void test_crc32c_check_value(void **state)
{
    (void)state;
    assert_int_equal(eddy_crc32c(0, "123456789", 9), 0xE3069283u);
    assert_int_equal(eddy_crc32c(0, "", 0), 0);
}

/* RFC 3720 (iSCSI) B.4 test vectors. */
static void test_crc32c_rfc3720_vectors(void **state)
{
    (void)state;
    uint8_t buf[48];
    memset(buf, 0, 32);
    assert_int_equal(eddy_crc32c(0, buf, 32), 0x8A9136AAu);
    memset(buf, 0xff, 32);
    assert_int_equal(eddy_crc32c(0, buf, 32), 0x62A8AB43u);
    for (int i = 0; i < 32; i++)
        buf[i] = (uint8_t)i;
    assert_int_equal(eddy_crc32c(0, buf, 32), 0x46DD794Eu);
    for (int i = 0; i < 32; i++)
        buf[i] = (uint8_t)(31 - i);
    assert_int_equal(eddy_crc32c(0, buf, 32), 0x113FDB5Cu);
    static const uint8_t iscsi_read[48] = {
        0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00,
        0x00, 0x18, 0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00};
    assert_int_equal(eddy_crc32c(0, iscsi_read, 48), 0xD9963A56u);
}

/* Continuing a CRC over pieces equals one pass; unaligned starts agree too. */
static void test_crc32c_incremental_and_unaligned(void **state)
{
    (void)state;
    uint8_t buf[1031];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 131 + 7);
    uint32_t whole = eddy_crc32c(0, buf, sizeof buf);
    for (size_t cut = 0; cut <= sizeof buf; cut += 97) {
        uint32_t c = eddy_crc32c(0, buf, cut);
        c = eddy_crc32c(c, buf + cut, sizeof buf - cut);
        assert_int_equal(c, whole);
    }
    uint8_t copy[1040];
    for (int shift = 1; shift < 8; shift++) {
        memcpy(copy + shift, buf, sizeof buf);
        assert_int_equal(eddy_crc32c(0, copy + shift, sizeof buf), whole);
    }
}

/* Large buffers take the folding path (1 KiB and more, with VPCLMULQDQ) or the three-stream
 * path (blocks of 8 KiB and 256 B): both must agree with
 * small chained pieces, which take the single-stream path, at many lengths and alignments. */
static void test_crc32c_interleaved_matches_chained(void **state)
{
    (void)state;
    size_t max = 3 * 8192 * 2 + 3 * 256 * 3 + 77;
    uint8_t *buf = malloc(max + 8);
    uint32_t x = 12345;
    for (size_t i = 0; i < max + 8; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (uint8_t)(x >> 16);
    }
    size_t lens[] = {767, 768, 769, 1023, 1024, 1025, 1039, 1279, 1280, 1281, 2047, 2048, 4099,
                     3 * 8192 - 1, 3 * 8192, 3 * 8192 + 5, 50000, max};
    for (size_t li = 0; li < EDDY_ARRAY_LEN(lens); li++) {
        for (size_t off = 0; off < 3; off++) {
            uint32_t whole = eddy_crc32c(0, buf + off, lens[li]);
            uint32_t c = 0;
            for (size_t pos = 0; pos < lens[li]; pos += 100)
                c = eddy_crc32c(c, buf + off + pos, EDDY_MIN(100, lens[li] - pos));
            assert_int_equal(whole, c);
        }
    }
    free(buf);
}

/* Bitwise CRC-32C, continuing from 'crc': the reference for the implementations. */
static uint32_t crc_bitwise(uint32_t crc, const uint8_t *p, size_t n)
{
    uint32_t c = ~crc;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1)));
    }
    return ~c;
}

static uint64_t rnd_state = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return (uint32_t)(rnd_state >> 16);
}

/* A random piece length: mostly short (inside one 64-byte block, or crossing one), some long,
 * some empty. */
static size_t rnd_piece(void)
{
    switch (rnd() % 8) {
    case 0: return 0;
    case 1: case 2: case 3: return rnd() % 70;
    case 4: case 5: return rnd() % 300;
    default: return rnd() % 2500;
    }
}

/* One message of 'len' bytes at src through a stream, cut at random points, each piece fed
 * by a random one of update / copy / updatev / copyv; the copies go to dst + (the piece's
 * position), whose other bytes must keep their fill. */
static void stream_message(const uint8_t *src, size_t len, uint8_t *dst, size_t dst_cap,
                           uint32_t init)
{
    enum { FILL = 0xA5 };
    memset(dst, FILL, dst_cap);
    uint8_t *copied = calloc(len + 1, 1);
    assert_non_null(copied);
    eddy_crc32c_stream s;
    eddy_crc32c_begin(&s, init);
    size_t pos = 0;
    while (pos < len) {
        struct iovec iov[8];
        int mode = (int)(rnd() % 4), n = mode >= 2 ? 1 + (int)(rnd() % 8) : 1;
        size_t total = 0;
        for (int i = 0; i < n; i++) {
            size_t q = rnd_piece();
            q = EDDY_MIN(q, len - pos - total);
            iov[i].iov_base = (void *)(src + pos + total);
            iov[i].iov_len = q;
            total += q;
        }
        switch (mode) {
        case 0: eddy_crc32c_update(&s, src + pos, total); break;
        case 1: eddy_crc32c_copy(&s, dst + pos, src + pos, total); break;
        case 2: assert_int_equal(eddy_crc32c_updatev(&s, iov, n), total); break;
        default: assert_int_equal(eddy_crc32c_copyv(&s, dst + pos, iov, n), total); break;
        }
        if (mode == 1 || mode == 3)
            memset(copied + pos, 1, total);
        pos += total;
    }
    assert_int_equal(eddy_crc32c_end(&s), crc_bitwise(init, src, len));
    for (size_t i = 0; i < dst_cap; i++) {
        if (i < len && copied[i])
            assert_int_equal(dst[i], src[i]);
        else
            assert_int_equal(dst[i], FILL);
    }
    free(copied);
}

/* Every implementation the CPU has (the others are clamped to it): one-shot and streaming
 * CRCs equal the bitwise reference over random lengths, alignments, start values and cuts. */
static void test_crc32c_stream_matches_reference(void **state)
{
    (void)state;
    enum { MAX = 20000, SLACK = 128 };
    uint8_t *buf = malloc(MAX + SLACK), *dst = malloc(MAX + 2 * SLACK);
    assert_non_null(buf);
    assert_non_null(dst);
    for (size_t i = 0; i < MAX + SLACK; i++)
        buf[i] = (uint8_t)rnd();
    int impls[] = {EDDY_CRC32C_TABLE, EDDY_CRC32C_SSE42, EDDY_CRC32C_VPCLMUL};
    int was = eddy_crc32c_limit(EDDY_CRC32C_VPCLMUL);
    for (size_t k = 0; k < EDDY_ARRAY_LEN(impls); k++) {
        eddy_crc32c_limit(impls[k]);
        assert_int_equal(eddy_crc32c_folding(), eddy_crc32c_limit(impls[k]) == EDDY_CRC32C_VPCLMUL);
        for (int t = 0; t < 1500; t++) {
            size_t len = t < 1000 ? rnd() % 600 : rnd() % MAX;
            size_t off = rnd() % 64, doff = rnd() % 64;
            uint32_t init = t % 3 == 0 ? 0 : rnd() * 65537u;
            uint32_t want = crc_bitwise(init, buf + off, len);
            assert_int_equal(eddy_crc32c(init, buf + off, len), want);
            stream_message(buf + off, len, dst + doff, len + SLACK, init);
        }
        /* The check value, a byte at a time. */
        eddy_crc32c_stream s;
        eddy_crc32c_begin(&s, 0);
        for (const char *p = "123456789"; *p; p++)
            eddy_crc32c_update(&s, p, 1);
        assert_int_equal(eddy_crc32c_end(&s), 0xE3069283u);
    }
    eddy_crc32c_limit(was);
    free(buf);
    free(dst);
}

/* Vectors from Kafka's UtilsTest.testMurmur2. */
static void test_murmur2_kafka_vectors(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        int32_t out;
    } cases[] = {
        {"21", -973932308},
        {"foobar", -790332482},
        {"a-little-bit-long-string", -985981536},
        {"a-little-bit-longer-string", -1486304829},
        {"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971},
        {"abc", 479470107},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++)
        assert_int_equal(eddy_murmur2(cases[i].in, strlen(cases[i].in)), cases[i].out);
}

/* Kafka: Utils.toPositive(murmur2(key)) % numPartitions. */
static void test_kafka_partition(void **state)
{
    (void)state;
    /* murmur2("foobar") = -790332482 -> & 0x7fffffff = 1357151166 */
    assert_int_equal(eddy_kafka_partition("foobar", 6, 4), 1357151166 % 4);
    assert_int_equal(eddy_kafka_partition("21", 2, 3), (-973932308 & 0x7fffffff) % 3);
    for (int n = 1; n < 50; n++) {
        int32_t p = eddy_kafka_partition("abc", 3, n);
        assert_true(p >= 0 && p < n);
    }
}

static void test_varint_vectors(void **state)
{
    (void)state;
    static const struct {
        int64_t v;
        const char *hex;
    } cases[] = {
        {0, "00"}, {-1, "01"}, {1, "02"}, {63, "7e"}, {-64, "7f"}, {64, "8001"},
        {300, "d804"}, {INT32_MAX, "feffffff0f"}, {INT32_MIN, "ffffffff0f"},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++) {
        uint8_t buf[EDDY_VARLONG_MAX];
        size_t n = eddy_varlong_put(buf, cases[i].v);
        char hex[32] = {0};
        for (size_t k = 0; k < n; k++)
            sprintf(hex + 2 * k, "%02x", buf[k]);
        assert_string_equal(hex, cases[i].hex);
        assert_int_equal(eddy_varlong_size(cases[i].v), n);
        int32_t v32;
        assert_int_equal(eddy_varint_get(buf, buf + n, &v32), n);
        assert_int_equal(v32, cases[i].v);
    }
}

static void test_varlong_roundtrip_and_limits(void **state)
{
    (void)state;
    int64_t vals[] = {0, 1, -1, 1234567890123LL, INT64_MAX, INT64_MIN, -4611686018427387904LL};
    for (size_t i = 0; i < EDDY_ARRAY_LEN(vals); i++) {
        uint8_t buf[EDDY_VARLONG_MAX];
        size_t n = eddy_varlong_put(buf, vals[i]);
        int64_t back;
        assert_int_equal(eddy_varlong_get(buf, buf + n, &back), n);
        assert_true(back == vals[i]);
        /* truncated input is rejected */
        assert_int_equal(eddy_varlong_get(buf, buf + n - 1, &back), n == 1 ? 0 : 0);
    }
    /* varint longer than 5 bytes, or over 32 bits, is rejected */
    uint8_t six[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
    int32_t v32;
    assert_int_equal(eddy_varint_get(six, six + 6, &v32), 0);
    uint8_t big[] = {0xff, 0xff, 0xff, 0xff, 0x7f};
    assert_int_equal(eddy_varint_get(big, big + 5, &v32), 0);
    uint8_t eleven[11];
    memset(eleven, 0x80, 10);
    eleven[10] = 0;
    int64_t v64;
    assert_int_equal(eddy_varlong_get(eleven, eleven + 11, &v64), 0);
}

/* RFC 4648 section 10 test vectors, both ways. */
static void test_base64_rfc4648(void **state)
{
    (void)state;
    static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const enc[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=",
                                      "Zm9vYmFy"};
    for (size_t i = 0; i < EDDY_ARRAY_LEN(plain); i++) {
        eddy_buf b;
        eddy_buf_init(&b);
        assert_int_equal(eddy_base64_encode(plain[i], strlen(plain[i]), &b), 0);
        assert_int_equal(b.len, strlen(enc[i]));
        assert_memory_equal(b.data ? (const char *)b.data : "", enc[i], b.len);
        b.len = 0;
        assert_int_equal(eddy_base64_decode(enc[i], strlen(enc[i]), &b), 0);
        assert_int_equal(b.len, strlen(plain[i]));
        assert_memory_equal(b.data ? (const char *)b.data : "", plain[i], b.len);
        eddy_buf_free(&b);
    }
    eddy_buf b;
    eddy_buf_init(&b);
    assert_int_equal(eddy_base64_decode("Zm9v!", 5, &b), EDDY_EINVAL);
    assert_int_equal(eddy_base64_decode("Z", 1, &b), EDDY_EINVAL);
    eddy_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc32c_check_value),
        cmocka_unit_test(test_crc32c_rfc3720_vectors),
        cmocka_unit_test(test_crc32c_incremental_and_unaligned),
        cmocka_unit_test(test_crc32c_interleaved_matches_chained),
        cmocka_unit_test(test_crc32c_stream_matches_reference),
        cmocka_unit_test(test_murmur2_kafka_vectors),
        cmocka_unit_test(test_kafka_partition),
        cmocka_unit_test(test_varint_vectors),
        cmocka_unit_test(test_varlong_roundtrip_and_limits),
        cmocka_unit_test(test_base64_rfc4648),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
