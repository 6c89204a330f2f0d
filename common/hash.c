/*
 * hash.c - Kafka's hashes: CRC-32C for record batches, murmur2 for the default partitioner,
 * plus FNV-1a for in-memory hash tables.
 *
 * CRC-32C is written here rather than taken from a library: no Debian C library ships it as a
 * small dependency, and the broker's append and recovery paths checksum every byte, so we use
 * the SSE4.2 crc32 instruction (three interleaved streams of 8 bytes per step, measured at
 * ~3x one stream) when the CPU has it and fall back to a slicing-by-8 table otherwise; with
 * AVX-512 VPCLMULQDQ, large buffers are folded 512 bits at a time. The streaming functions
 * (eddy_crc32c_begin ... _end) keep the folding state between pieces, and can copy the bytes
 * as they checksum them: the batch encoder writes records through them.
 */
#include "eddy/common.h"

#include <pthread.h>
#include <sys/uio.h>

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
static int crc_hw, crc_vpclmul;     /* in use */
static int crc_cpu = EDDY_CRC32C_TABLE; /* the best the CPU has */

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
                  __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") &&
                  __builtin_cpu_supports("vpclmulqdq");
    crc_cpu = crc_vpclmul ? EDDY_CRC32C_VPCLMUL : crc_hw ? EDDY_CRC32C_SSE42 : EDDY_CRC32C_TABLE;
#endif
}

int eddy_crc32c_limit(int impl)
{
    pthread_once(&crc_once, crc_init);
    int was = crc_vpclmul ? EDDY_CRC32C_VPCLMUL : crc_hw ? EDDY_CRC32C_SSE42 : EDDY_CRC32C_TABLE;
    int use = impl < crc_cpu ? impl : crc_cpu;
    crc_hw = use >= EDDY_CRC32C_SSE42;
    crc_vpclmul = use >= EDDY_CRC32C_VPCLMUL;
    return was;
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

/* Streaming: the same folding, but the four accumulators and the bytes of a partial block
 * live in the caller's eddy_crc32c_stream between calls. Block i of the message goes into
 * the oldest accumulator (z0) after it is folded forward by 2048 bits, and the accumulators
 * rotate (z0 <- z1 <- z2 <- z3 <- new), so each is folded once every four blocks exactly as
 * in crc_vpclmul_run, whatever the cuts between calls; zero accumulators fold to zero, so a
 * message of fewer than four blocks needs no special case. A piece that starts inside a
 * partial block is merged into it in a register with one masked load from 'k' bytes before
 * the piece (masked-off bytes are not accessed, so nothing outside the piece is read), and
 * the piece's tail becomes the new partial block; the only reduction is in
 * stream_vpclmul_end. (Tried and not kept: eight accumulators instead of four, no faster,
 * the fold being bound by the VPCLMULQDQ rate, ~54 GB/s here with 2 to 16 accumulators; and
 * a batch encoder with the record framing interleaved into an inlined fold loop, 33 against
 * 35 us/MiB, too little to expose the fold outside this file.)
 *
 * With 'dst', every block is also stored there as it is folded (masked stores for the head
 * and tail of a piece): one pass over the bytes does the memcpy and the CRC. The fold is
 * bound by the VPCLMULQDQ rate, and the loads and stores of the copy mostly ride along.
 * Measured on the 2-vCPU EPYC VM (Zen 5, one pinned thread, us per MiB of a batch of 1000
 * pieces of 17 + 1024 bytes, values hot in L1): memcpy of each piece then eddy_crc32c over
 * the result 38-48; eddy_crc32c_copyv of the pieces 25; eddy_crc32c_copy per piece 29 (the
 * state goes through memory between calls); eddy_crc32c alone over the contiguous batch 19;
 * eddy_crc32c_updatev of the pieces 24. */
#define VPCLMUL_STREAM __attribute__((target("avx512f,avx512vl,avx512bw,vpclmulqdq,pclmul,sse4.2")))

/* Bytes lo..hi-1 of a 64-byte block, 0 <= lo < 64, lo <= hi <= 64. */
static inline __mmask64 block_mask(unsigned lo, unsigned hi)
{
    uint64_t m = hi >= 64 ? ~0ull : (1ull << hi) - 1;
    return (__mmask64)(m & (~0ull << lo));
}

/* 'p' moved back by 'k' bytes for a masked access whose first k bytes are masked off: the
 * address is formed as an integer since it may lie before the object. */
static inline const void *back(const uint8_t *p, unsigned k) { return (const void *)((uintptr_t)p - k); }
static inline void *back_w(uint8_t *p, unsigned k) { return (void *)((uintptr_t)p - k); }

/* The stream's registers while a call runs. */
typedef struct fold_regs {
    __m512i z0, z1, z2, z3, part;
    unsigned npart;
    bool first; /* no block folded yet: the start value goes into the first one */
    uint64_t blocks;
} fold_regs;

#define STREAM_STEP(b)                                                                       \
    do {                                                                                     \
        __m512i t_ = fold512(f->z0, k2048, (b));                                             \
        f->z0 = f->z1;                                                                       \
        f->z1 = f->z2;                                                                       \
        f->z2 = f->z3;                                                                       \
        f->z3 = t_;                                                                          \
    } while (0)

/* One piece: fold 'n' bytes at 'src' (and store them at 'dst' unless NULL). */
VPCLMUL_STREAM
static inline __attribute__((always_inline)) void fold_piece(fold_regs *f, uint32_t crc,
                                                             uint8_t *dst, const uint8_t *src,
                                                             size_t n)
{
    unsigned k = f->npart;
    if (n < 64 - (size_t)k) { /* stays inside the partial block */
        __mmask64 m = block_mask(k, k + (unsigned)n);
        f->part = _mm512_mask_loadu_epi8(f->part, m, back(src, k));
        if (dst)
            _mm512_mask_storeu_epi8(back_w(dst, k), m, f->part);
        f->npart = k + (unsigned)n;
        return;
    }
    const __m512i k2048 = _mm512_broadcast_i32x4(K(0xe9a5d8be00000000ull, 0x1426a81500000000ull));
    /* Complete the partial block. */
    __mmask64 m = block_mask(k, 64);
    __m512i b = _mm512_mask_loadu_epi8(f->part, m, back(src, k));
    if (dst)
        _mm512_mask_storeu_epi8(back_w(dst, k), m, b);
    if (f->first) { /* the start value goes into the message's first four bytes */
        b = _mm512_xor_si512(b, _mm512_inserti32x4(_mm512_setzero_si512(),
                                                   _mm_cvtsi32_si128((int)crc), 0));
        f->first = false;
    }
    STREAM_STEP(b);
    size_t done = 64 - k;
    src += done;
    n -= done;
    f->blocks += 1 + n / 64;
    if (dst) {
        dst += done;
        for (; n >= 256; n -= 256, src += 256, dst += 256) {
            __m512i b0 = _mm512_loadu_si512((const void *)src);
            __m512i b1 = _mm512_loadu_si512((const void *)(src + 64));
            __m512i b2 = _mm512_loadu_si512((const void *)(src + 128));
            __m512i b3 = _mm512_loadu_si512((const void *)(src + 192));
            _mm512_storeu_si512((void *)dst, b0);
            _mm512_storeu_si512((void *)(dst + 64), b1);
            _mm512_storeu_si512((void *)(dst + 128), b2);
            _mm512_storeu_si512((void *)(dst + 192), b3);
            STREAM_STEP(b0);
            STREAM_STEP(b1);
            STREAM_STEP(b2);
            STREAM_STEP(b3);
        }
        for (; n >= 64; n -= 64, src += 64, dst += 64) {
            __m512i b0 = _mm512_loadu_si512((const void *)src);
            _mm512_storeu_si512((void *)dst, b0);
            STREAM_STEP(b0);
        }
    } else {
        for (; n >= 256; n -= 256, src += 256) {
            STREAM_STEP(_mm512_loadu_si512((const void *)src));
            STREAM_STEP(_mm512_loadu_si512((const void *)(src + 64)));
            STREAM_STEP(_mm512_loadu_si512((const void *)(src + 128)));
            STREAM_STEP(_mm512_loadu_si512((const void *)(src + 192)));
        }
        for (; n >= 64; n -= 64, src += 64)
            STREAM_STEP(_mm512_loadu_si512((const void *)src));
    }
    /* The tail (0..63 bytes) is the new partial block. */
    m = block_mask(0, (unsigned)n);
    f->part = _mm512_maskz_loadu_epi8(m, src);
    if (dst)
        _mm512_mask_storeu_epi8(dst, m, f->part);
    f->npart = (unsigned)n;
}
#undef STREAM_STEP

VPCLMUL_STREAM
static inline __attribute__((always_inline)) void fold_load(fold_regs *f,
                                                            const eddy_crc32c_stream *s)
{
    f->z0 = _mm512_load_si512((const void *)s->fold[0]);
    f->z1 = _mm512_load_si512((const void *)s->fold[1]);
    f->z2 = _mm512_load_si512((const void *)s->fold[2]);
    f->z3 = _mm512_load_si512((const void *)s->fold[3]);
    f->part = _mm512_load_si512((const void *)s->part);
    f->npart = s->npart;
    f->blocks = s->blocks;
    f->first = s->blocks == 0;
}

VPCLMUL_STREAM
static inline __attribute__((always_inline)) void fold_save(const fold_regs *f,
                                                            eddy_crc32c_stream *s)
{
    _mm512_store_si512((void *)s->fold[0], f->z0);
    _mm512_store_si512((void *)s->fold[1], f->z1);
    _mm512_store_si512((void *)s->fold[2], f->z2);
    _mm512_store_si512((void *)s->fold[3], f->z3);
    _mm512_store_si512((void *)s->part, f->part);
    s->npart = f->npart;
    s->blocks = f->blocks;
}

VPCLMUL_STREAM
static void stream_vpclmul(eddy_crc32c_stream *s, uint8_t *dst, const uint8_t *src, size_t n)
{
    fold_regs f;
    fold_load(&f, s);
    fold_piece(&f, s->crc, dst, src, n);
    fold_save(&f, s);
}

/* Pieces one after another (stored from 'dst' on unless NULL); returns their total size. */
VPCLMUL_STREAM
static size_t stream_vpclmul_v(eddy_crc32c_stream *s, uint8_t *dst, const struct iovec *iov,
                               int niov)
{
    fold_regs f;
    fold_load(&f, s);
    size_t total = 0;
    for (int i = 0; i < niov; i++) {
        size_t n = iov[i].iov_len;
        fold_piece(&f, s->crc, dst ? dst + total : NULL, iov[i].iov_base, n);
        total += n;
    }
    fold_save(&f, s);
    return total;
}

VPCLMUL_STREAM
static uint32_t stream_vpclmul_end(const eddy_crc32c_stream *s)
{
    if (s->blocks == 0)
        return crc_hw_run(s->crc, s->part, s->npart);
    const __m512i k512 = _mm512_broadcast_i32x4(K(0x1c19243b00000000ull, 0x75bba45b00000000ull));
    const __m128i k128 = K(0x3743f7bd00000000ull, 0x3171d43000000000ull);
    __m512i z = _mm512_load_si512((const void *)s->fold[0]);
    z = fold512(z, k512, _mm512_load_si512((const void *)s->fold[1]));
    z = fold512(z, k512, _mm512_load_si512((const void *)s->fold[2]));
    z = fold512(z, k512, _mm512_load_si512((const void *)s->fold[3]));
    __m128i x = _mm512_extracti32x4_epi32(z, 0);
    x = fold128(x, k128, _mm512_extracti32x4_epi32(z, 1));
    x = fold128(x, k128, _mm512_extracti32x4_epi32(z, 2));
    x = fold128(x, k128, _mm512_extracti32x4_epi32(z, 3));
    uint64_t r = __builtin_ia32_crc32di(0, (uint64_t)_mm_cvtsi128_si64(x));
    r = __builtin_ia32_crc32di(r, (uint64_t)_mm_extract_epi64(x, 1));
    return crc_hw_run((uint32_t)r, s->part, s->npart);
}
#undef K
#endif

void eddy_crc32c_begin(eddy_crc32c_stream *s, uint32_t crc)
{
    pthread_once(&crc_once, crc_init);
    memset(s, 0, sizeof *s);
    s->crc = ~crc;
}

void eddy_crc32c_update(eddy_crc32c_stream *s, const void *buf, size_t len)
{
    /* eddy_crc32c_begin ran crc_init in this thread. */
#if defined(__x86_64__)
    if (crc_vpclmul) {
        stream_vpclmul(s, NULL, buf, len);
        return;
    }
    if (crc_hw) {
        s->crc = crc_hw_run(s->crc, buf, len);
        return;
    }
#endif
    s->crc = crc_sw(s->crc, buf, len);
}

void eddy_crc32c_copy(eddy_crc32c_stream *s, void *dst, const void *src, size_t len)
{
#if defined(__x86_64__)
    if (crc_vpclmul) {
        stream_vpclmul(s, dst, src, len);
        return;
    }
#endif
    memcpy(dst, src, len);
    eddy_crc32c_update(s, src, len);
}

size_t eddy_crc32c_copyv(eddy_crc32c_stream *s, void *dst, const struct iovec *iov, int niov)
{
#if defined(__x86_64__)
    if (crc_vpclmul)
        return stream_vpclmul_v(s, dst, iov, niov);
#endif
    uint8_t *d = dst;
    for (int i = 0; i < niov; i++) {
        memcpy(d, iov[i].iov_base, iov[i].iov_len);
        eddy_crc32c_update(s, iov[i].iov_base, iov[i].iov_len);
        d += iov[i].iov_len;
    }
    return (size_t)(d - (uint8_t *)dst);
}

size_t eddy_crc32c_updatev(eddy_crc32c_stream *s, const struct iovec *iov, int niov)
{
#if defined(__x86_64__)
    if (crc_vpclmul)
        return stream_vpclmul_v(s, NULL, iov, niov);
#endif
    size_t total = 0;
    for (int i = 0; i < niov; i++) {
        eddy_crc32c_update(s, iov[i].iov_base, iov[i].iov_len);
        total += iov[i].iov_len;
    }
    return total;
}

uint32_t eddy_crc32c_end(eddy_crc32c_stream *s)
{
#if defined(__x86_64__)
    if (crc_vpclmul)
        return ~stream_vpclmul_end(s);
#endif
    return ~s->crc;
}

bool eddy_crc32c_folding(void)
{
    pthread_once(&crc_once, crc_init);
    return crc_vpclmul != 0;
}

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
