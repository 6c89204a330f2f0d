/*
 * varint.c - protobuf-style zig-zag varints, as Kafka record fields use them.
 * n -> (n << 1) ^ (n >> 63), then 7 bits per byte, low group first, high bit = more.
 * Writing and sizing are inline in eddy/common.h; reading is here.
 */
#include "eddy/common.h"

static size_t get(const uint8_t *p, const uint8_t *end, size_t maxlen, uint64_t *out)
{
    uint64_t u = 0;
    for (size_t i = 0; i < maxlen && p + i < end; i++) {
        u |= (uint64_t)(p[i] & 0x7f) << (7 * i);
        if (!(p[i] & 0x80)) {
            *out = u;
            return i + 1;
        }
    }
    return 0;
}

size_t eddy_varlong_get(const uint8_t *p, const uint8_t *end, int64_t *out)
{
    uint64_t u;
    size_t n;
    /* Fast path: one byte. */
    if (p < end && !(*p & 0x80)) {
        *out = (int64_t)(*p >> 1) ^ -(int64_t)(*p & 1);
        return 1;
    }
    n = get(p, end, EDDY_VARLONG_MAX, &u);
    if (!n)
        return 0;
    *out = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
    return n;
}

size_t eddy_varint_get(const uint8_t *p, const uint8_t *end, int32_t *out)
{
    uint64_t u;
    if (p < end && !(*p & 0x80)) {
        *out = (int32_t)(*p >> 1) ^ -(int32_t)(*p & 1);
        return 1;
    }
    size_t n = get(p, end, EDDY_VARINT_MAX, &u);
    if (!n || u > 0xffffffffu)
        return 0;
    uint32_t u32 = (uint32_t)u;
    *out = (int32_t)(u32 >> 1) ^ -(int32_t)(u32 & 1);
    return n;
}
