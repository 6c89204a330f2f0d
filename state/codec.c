/*
 * codec.c - byte encodings of state/: store keys (LMDB keys and changelog keys are the same
 * bytes) and checkpoints (LMDB checkpoint values and changelog commit markers).
 *
 * Key-value stores use the caller's key bytes as they are.
 *
 * Window and session stores must sort by (key, time) under LMDB's plain byte comparison, so
 * that one key's windows form one contiguous range ordered by start. Concatenating the raw
 * key with a timestamp would interleave keys where one is a prefix of another ("a" and
 * "ab"), so the key is made prefix-free and order-preserving first (the escaping of
 * FoundationDB's tuple layer and of memcomparable formats):
 *
 *     escape(key) = key with every 00 byte written as 00 FF, then the terminator 00 00
 *     window key  = escape(key) | E(start)
 *     session key = escape(key) | E(end) | E(start)     (ksqlDB's SessionKeySchema order)
 *     E(t)        = big-endian 8 bytes of t with the sign bit flipped (negative times sort
 *                   before positive ones)
 *
 * Since 00 is always followed by FF (escape) or 00 (terminator), escape(a) is never a proper
 * prefix of escape(b), and escape(a) < escape(b) exactly when a < b as byte strings; hence
 * the (key, time) order. The overhead is 2 bytes plus one per 00 byte of the key.
 *
 * Checkpoints are described in state_int.h (struct state_ckpt); the leading "EDK1" is a
 * format version: a reader that does not know the version reports EDDY_ECORRUPT.
 */
#include "state_int.h"

int state__key_encode(eddy_buf *out, const uint8_t *key, size_t klen, int nts, int64_t a,
                      int64_t b)
{
    size_t zeros = 0;
    for (size_t i = 0; i < klen; i++)
        zeros += key[i] == 0;
    size_t need = klen + zeros + 2 + 8 * (size_t)nts;
    if (eddy_buf_reserve(out, need))
        return EDDY_ENOMEM;
    uint8_t *p = out->data + out->len;
    if (zeros == 0) {
        memcpy(p, key, klen);
        p += klen;
    } else {
        for (size_t i = 0; i < klen; i++) {
            *p++ = key[i];
            if (key[i] == 0)
                *p++ = 0xFF;
        }
    }
    *p++ = 0;
    *p++ = 0;
    if (nts >= 1) {
        state__ts_put(p, a);
        p += 8;
    }
    if (nts >= 2) {
        state__ts_put(p, b);
        p += 8;
    }
    out->len += need;
    return 0;
}

int state__key_decode(const uint8_t *p, size_t len, int nts, eddy_buf *key, int64_t *a,
                      int64_t *b)
{
    key->len = 0;
    size_t tail = 8 * (size_t)nts;
    if (len < 2 + tail)
        return EDDY_ECORRUPT;
    size_t end = len - tail - 2;      /* where the terminator must be */
    if (p[end] != 0 || p[end + 1] != 0)
        return EDDY_ECORRUPT;
    if (eddy_buf_reserve(key, end))
        return EDDY_ENOMEM;
    uint8_t *o = key->data;
    for (size_t i = 0; i < end; i++) {
        o[key->len++] = p[i];
        if (p[i] == 0) {
            if (i + 1 >= end || p[i + 1] != 0xFF)
                return EDDY_ECORRUPT;
            i++;
        }
    }
    if (nts >= 1 && a)
        *a = state__ts_get(p + end + 2);
    if (nts >= 2 && b)
        *b = state__ts_get(p + end + 10);
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Checkpoints
 * ------------------------------------------------------------------------------------------- */

static int put_u16(eddy_buf *b, uint16_t v)
{
    uint8_t t[2];
    eddy_put_be16(t, v);
    return eddy_buf_append(b, t, 2);
}
static int put_u32(eddy_buf *b, uint32_t v)
{
    uint8_t t[4];
    eddy_put_be32(t, v);
    return eddy_buf_append(b, t, 4);
}
static int put_u64(eddy_buf *b, uint64_t v)
{
    uint8_t t[8];
    eddy_put_be64(t, v);
    return eddy_buf_append(b, t, 8);
}
static int put_str(eddy_buf *b, const char *s)
{
    size_t n = strlen(s);
    if (n > UINT16_MAX)
        return EDDY_EINVAL;
    return put_u16(b, (uint16_t)n) || eddy_buf_append(b, s, n) ? EDDY_ENOMEM : 0;
}

int state__ckpt_encode(const state_ckpt *c, eddy_buf *out)
{
    int rc = eddy_buf_append(out, "EDK1", 4) || put_u64(out, c->epoch) ||
             put_u32(out, (uint32_t)c->ninputs);
    for (size_t i = 0; rc == 0 && i < c->ninputs; i++)
        rc = put_str(out, c->inputs[i].topic) || put_u32(out, (uint32_t)c->inputs[i].partition)
             || put_u64(out, (uint64_t)c->inputs[i].offset);
    rc = rc || put_u32(out, (uint32_t)c->nstores);
    for (size_t i = 0; rc == 0 && i < c->nstores; i++)
        rc = put_str(out, c->names[i]) || put_u64(out, (uint64_t)c->ends[i]);
    return rc ? EDDY_ENOMEM : 0;
}

typedef struct rd {
    const uint8_t *p, *end;
    bool bad;
} rd;

static const uint8_t *take(rd *r, size_t n)
{
    if (r->bad || (size_t)(r->end - r->p) < n) {
        r->bad = true;
        return NULL;
    }
    const uint8_t *q = r->p;
    r->p += n;
    return q;
}
static uint32_t get_u32(rd *r)
{
    const uint8_t *q = take(r, 4);
    return q ? eddy_get_be32(q) : 0;
}
static uint64_t get_u64(rd *r)
{
    const uint8_t *q = take(r, 8);
    return q ? eddy_get_be64(q) : 0;
}
static char *get_str(rd *r, eddy_arena *a, bool *oom)
{
    const uint8_t *q = take(r, 2);
    if (!q)
        return NULL;
    uint16_t n = eddy_get_be16(q);
    const uint8_t *s = take(r, n);
    if (!s)
        return NULL;
    char *d = eddy_arena_strndup(a, (const char *)s, n);
    if (!d)
        *oom = true;
    return d;
}

int state__ckpt_decode(const uint8_t *p, size_t len, eddy_arena *a, state_ckpt *c,
                       eddy_err *err)
{
    memset(c, 0, sizeof *c);
    rd r = {p, p + len, false};
    bool oom = false;
    const uint8_t *magic = take(&r, 4);
    if (!magic || memcmp(magic, "EDK1", 4) != 0)
        return eddy_err_set(err, EDDY_ECORRUPT, "state: unknown checkpoint format");
    c->epoch = get_u64(&r);
    uint32_t n = get_u32(&r);
    if (r.bad || n > len / 14)
        return eddy_err_set(err, EDDY_ECORRUPT, "state: malformed checkpoint");
    c->ninputs = n;
    c->inputs = eddy_arena_calloc(a, (n ? n : 1) * sizeof *c->inputs);
    if (!c->inputs)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < n && !r.bad && !oom; i++) {
        c->inputs[i].topic = get_str(&r, a, &oom);
        c->inputs[i].partition = (int32_t)get_u32(&r);
        c->inputs[i].offset = (int64_t)get_u64(&r);
    }
    n = get_u32(&r);
    if (r.bad || n > len / 10)
        return eddy_err_set(err, EDDY_ECORRUPT, "state: malformed checkpoint");
    c->nstores = n;
    c->names = eddy_arena_calloc(a, (n ? n : 1) * sizeof *c->names);
    c->ends = eddy_arena_calloc(a, (n ? n : 1) * sizeof *c->ends);
    if (!c->names || !c->ends)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < n && !r.bad && !oom; i++) {
        c->names[i] = get_str(&r, a, &oom);
        c->ends[i] = (int64_t)get_u64(&r);
    }
    if (oom)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    if (r.bad || r.p != r.end)
        return eddy_err_set(err, EDDY_ECORRUPT, "state: malformed checkpoint");
    return 0;
}

int64_t state__ckpt_end(const state_ckpt *c, const char *name)
{
    for (size_t i = 0; i < c->nstores; i++)
        if (strcmp(c->names[i], name) == 0)
            return c->ends[i];
    return -2;
}
