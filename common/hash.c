/*
 * hash.c - Kafka's hashes: CRC-32C for record batches, murmur2 for the default partitioner,
 * plus FNV-1a for in-memory hash tables.
 *
 * CRC-32C is written here rather than taken from a library: no Debian C library ships it as a
 * small dependency, and the broker's append and recovery paths checksum every byte, so we use
 * the SSE4.2 crc32 instruction (three interleaved streams of 8 bytes per step, measured at
 * ~3x one stream) when the CPU has it and fall back to a slicing-by-8 table otherwise.
 */
#include "eddy/common.h"

#include <pthread.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#define CRC32C_POLY 0x82F63B78u /* reflected Castagnoli polynomial */

#define CRC_LONG 8192
#define CRC_SHORT 256
static uint32_t crc_long[4][256], crc_short[4][256];
static void zeros_table(uint32_t zeros[][256], size_t len);

static uint32_t crc_table[8][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;
static int crc_hw, crc_vpclmul;

static void crc_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ CRC32C_POLY : c >> 1;
        crc_table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int t = 1; t < 8; t++)
            crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^ crc_table[0][crc_table[t - 1][i] & 0xff];
    zeros_table(crc_long, CRC_LONG);
    zeros_table(crc_short, CRC_SHORT);
#if defined(__x86_64__)
    __builtin_cpu_init();
    crc_hw = __builtin_cpu_supports("sse4.2");
    crc_vpclmul = crc_hw && __builtin_cpu_supports("avx512f") &&
                  __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("vpclmulqdq");
#endif
}

static uint32_t crc_sw(uint32_t c, const uint8_t *p, size_t n)
{
    while (n && ((uintptr_t)p & 7)) {
        c = crc_table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
        n--;
    }
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        w ^= c;
        c = crc_table[7][w & 0xff] ^ crc_table[6][(w >> 8) & 0xff] ^
            crc_table[5][(w >> 16) & 0xff] ^ crc_table[4][(w >> 24) & 0xff] ^
            crc_table[3][(w >> 32) & 0xff] ^ crc_table[2][(w >> 40) & 0xff] ^
            crc_table[1][(w >> 48) & 0xff] ^ crc_table[0][w >> 56];
        p += 8;
        n -= 8;
    }
    while (n--)
        c = crc_table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
    return c;
}

/* Three independent crc32 streams hide the instruction's 3-cycle latency: the buffer is cut
 * into three consecutive blocks, each block's CRC is computed from a zero state, and the
 * results are combined by "appending zeros" to the earlier ones with precomputed GF(2)
 * operators (Mark Adler's crc32c combination technique; written from its description). */
static uint32_t gf2_times(const uint32_t *mat, uint32_t vec)
{
    uint32_t sum = 0;
    while (vec) {
        if (vec & 1)
            sum ^= *mat;
        vec >>= 1;
        mat++;
    }
    return sum;
}

static void gf2_square(uint32_t *square, const uint32_t *mat)
{
    for (int n = 0; n < 32; n++)
        square[n] = gf2_times(mat, mat[n]);
}

/* The operator that feeds 'len' zero bytes (a power of two) into a raw CRC state. */
static void zeros_op(uint32_t *even, size_t len)
{
    uint32_t odd[32], row = 1;
    odd[0] = CRC32C_POLY; /* one zero bit */
    for (int n = 1; n < 32; n++) {
        odd[n] = row;
        row <<= 1;
    }
    gf2_square(even, odd); /* two zero bits */
    gf2_square(odd, even); /* four zero bits */
    do {
        gf2_square(even, odd);
        len >>= 1;
        if (len == 0)
            return;
        gf2_square(odd, even);
        len >>= 1;
    } while (len);
    memcpy(even, odd, sizeof odd);
}

static void zeros_table(uint32_t zeros[][256], size_t len)
{
    uint32_t op[32];
    zeros_op(op, len);
    for (uint32_t n = 0; n < 256; n++) {
        zeros[0][n] = gf2_times(op, n);
        zeros[1][n] = gf2_times(op, n << 8);
        zeros[2][n] = gf2_times(op, n << 16);
        zeros[3][n] = gf2_times(op, n << 24);
    }
}

static inline uint32_t crc_shift(uint32_t zeros[][256], uint32_t crc)
{
    return zeros[0][crc & 0xff] ^ zeros[1][(crc >> 8) & 0xff] ^ zeros[2][(crc >> 16) & 0xff] ^
           zeros[3][crc >> 24];
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t crc_hw_run(uint32_t c, const uint8_t *p, size_t n)
{
    uint64_t c0 = c;
    while (n && ((uintptr_t)p & 7)) {
        c0 = __builtin_ia32_crc32qi((uint32_t)c0, *p++);
        n--;
    }
    static const size_t blocks[2] = {CRC_LONG, CRC_SHORT};
    for (int b = 0; b < 2; b++) {
        size_t blk = blocks[b];
        while (n >= 3 * blk) {
            uint64_t c1 = 0, c2 = 0;
            const uint8_t *end = p + blk;
            do {
                uint64_t w0, w1, w2;
                memcpy(&w0, p, 8);
                memcpy(&w1, p + blk, 8);
                memcpy(&w2, p + 2 * blk, 8);
                c0 = __builtin_ia32_crc32di(c0, w0);
                c1 = __builtin_ia32_crc32di(c1, w1);
                c2 = __builtin_ia32_crc32di(c2, w2);
                p += 8;
            } while (p < end);
            uint32_t(*z)[256] = b == 0 ? crc_long : crc_short;
            c0 = crc_shift(z, (uint32_t)c0) ^ (uint32_t)c1;
            c0 = crc_shift(z, (uint32_t)c0) ^ (uint32_t)c2;
            p += 2 * blk;
            n -= 3 * blk;
        }
    }
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        c0 = __builtin_ia32_crc32di(c0, w);
        p += 8;
        n -= 8;
    }
    while (n--)
        c0 = __builtin_ia32_crc32qi((uint32_t)c0, *p++);
    return (uint32_t)c0;
}
#endif

#if defined(__x86_64__)
/* Carry-less multiplication folding with AVX-512 VPCLMULQDQ (Intel's "Fast CRC Computation
 * for Generic Polynomials Using PCLMULQDQ", applied to CRC-32C): sixteen 128-bit lanes are
 * folded forward 2048 bits at a time; the lanes are then folded into one 128-bit value
 * congruent to the message so far, which the crc32 instruction reduces to the CRC state.
 * Folding constants are x^(D+63) and x^(D-1) mod P, bit-reflected (the -1 makes up for the
 * one-bit shift of a reflected carry-less product). About 2-3x the three-stream crc32 loop
 * on large buffers, which the broker's append and recovery paths checksum in full. */
#define K(d_hi, d_lo) _mm_set_epi64x((long long)(d_lo), (long long)(d_hi))

__attribute__((target("avx512f,avx512vl,vpclmulqdq,pclmul,sse4.2")))
static inline __m512i fold512(__m512i z, __m512i k, __m512i next)
{
    return _mm512_ternarylogic_epi64(_mm512_clmulepi64_epi128(z, k, 0x00),
                                     _mm512_clmulepi64_epi128(z, k, 0x11), next, 0x96);
}

__attribute__((target("avx512f,avx512vl,vpclmulqdq,pclmul,sse4.2")))
static inline __m128i fold128(__m128i x, __m128i k, __m128i next)
{
    return _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00),
                                       _mm_clmulepi64_si128(x, k, 0x11)),
                         next);
}

/* 'n' >= 256. Returns the raw (not inverted) state like crc_hw_run. */
__attribute__((target("avx512f,avx512vl,vpclmulqdq,pclmul,sse4.2")))
static uint32_t crc_vpclmul_run(uint32_t c, const uint8_t *p, size_t n)
{
    const __m512i k2048 = _mm512_broadcast_i32x4(K(0xe9a5d8be00000000ull, 0x1426a81500000000ull));
    const __m512i k512 = _mm512_broadcast_i32x4(K(0x1c19243b00000000ull, 0x75bba45b00000000ull));
    const __m128i k128 = K(0x3743f7bd00000000ull, 0x3171d43000000000ull);
    __m512i z0 = _mm512_loadu_si512((const void *)p);
    __m512i z1 = _mm512_loadu_si512((const void *)(p + 64));
    __m512i z2 = _mm512_loadu_si512((const void *)(p + 128));
    __m512i z3 = _mm512_loadu_si512((const void *)(p + 192));
    z0 = _mm512_xor_si512(z0, _mm512_inserti32x4(_mm512_setzero_si512(),
                                                 _mm_cvtsi32_si128((int)c), 0));
    p += 256;
    n -= 256;
    while (n >= 256) {
        z0 = fold512(z0, k2048, _mm512_loadu_si512((const void *)p));
        z1 = fold512(z1, k2048, _mm512_loadu_si512((const void *)(p + 64)));
        z2 = fold512(z2, k2048, _mm512_loadu_si512((const void *)(p + 128)));
        z3 = fold512(z3, k2048, _mm512_loadu_si512((const void *)(p + 192)));
        p += 256;
        n -= 256;
    }
    z0 = fold512(z0, k512, z1);
    z0 = fold512(z0, k512, z2);
    z0 = fold512(z0, k512, z3);
    __m128i x = _mm512_extracti32x4_epi32(z0, 0);
    x = fold128(x, k128, _mm512_extracti32x4_epi32(z0, 1));
    x = fold128(x, k128, _mm512_extracti32x4_epi32(z0, 2));
    x = fold128(x, k128, _mm512_extracti32x4_epi32(z0, 3));
    while (n >= 16) {
        x = fold128(x, k128, _mm_loadu_si128((const __m128i *)p));
        p += 16;
        n -= 16;
    }
    uint64_t r = __builtin_ia32_crc32di(0, (uint64_t)_mm_cvtsi128_si64(x));
    r = __builtin_ia32_crc32di(r, (uint64_t)_mm_extract_epi64(x, 1));
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        r = __builtin_ia32_crc32di(r, w);
        p += 8;
        n -= 8;
    }
    while (n--)
        r = __builtin_ia32_crc32qi((uint32_t)r, *p++);
    return (uint32_t)r;
}
#undef K
#endif

uint32_t eddy_crc32c(uint32_t crc, const void *buf, size_t len)
{
    pthread_once(&crc_once, crc_init);
    uint32_t c = ~crc;
#if defined(__x86_64__)
    if (crc_vpclmul && len >= 1024)
        return ~crc_vpclmul_run(c, buf, len);
    if (crc_hw)
        return ~crc_hw_run(c, buf, len);
#endif
    return ~crc_sw(c, buf, len);
}

/* Kafka: Utils.murmur2(byte[]) — note the Java arithmetic: signed ints, >>> shifts, and the
 * tail switch falling through from 3 to 1. */
int32_t eddy_murmur2(const void *data, size_t len)
{
    const uint8_t *d = data;
    const uint32_t seed = 0x9747b28cu, m = 0x5bd1e995u;
    const int r = 24;
    uint32_t h = seed ^ (uint32_t)len;
    size_t n4 = len / 4;
    for (size_t i = 0; i < n4; i++) {
        size_t i4 = i * 4;
        uint32_t k = (uint32_t)d[i4] | ((uint32_t)d[i4 + 1] << 8) | ((uint32_t)d[i4 + 2] << 16) |
                     ((uint32_t)d[i4 + 3] << 24);
        k *= m;
        k ^= k >> r;
        k *= m;
        h *= m;
        h ^= k;
    }
    size_t tail = len & ~(size_t)3;
    switch (len % 4) {
    case 3: h ^= (uint32_t)d[tail + 2] << 16; /* fall through */
    case 2: h ^= (uint32_t)d[tail + 1] << 8; /* fall through */
    case 1:
        h ^= d[tail];
        h *= m;
    }
    h ^= h >> 13;
    h *= m;
    h ^= h >> 15;
    return (int32_t)h;
}

int32_t eddy_kafka_partition(const void *key, size_t len, int32_t npartitions)
{
    uint32_t positive = (uint32_t)eddy_murmur2(key, len) & 0x7fffffffu;
    return (int32_t)(positive % (uint32_t)npartitions);
}

uint64_t eddy_hash64(const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return h;
}
