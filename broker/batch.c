/*
 * batch.c - Kafka record batch v2 ("magic 2"): encoding, validation, iteration.
 *
 * Layout (big-endian; see docs/kafka-protocol.md section 5):
 *
 *   0  baseOffset i64        8  batchLength i32      12 partitionLeaderEpoch i32
 *   16 magic i8              17 crc u32 (CRC-32C of bytes 21 .. end)
 *   21 attributes i16        23 lastOffsetDelta i32  27 baseTimestamp i64
 *   35 maxTimestamp i64      43 producerId i64       51 producerEpoch i16
 *   53 baseSequence i32      57 recordCount i32      61 records ...
 *
 * Each record: length varint, attributes i8, timestampDelta varlong, offsetDelta varint,
 * keyLength varint (-1 = null), key, valueLength varint (-1 = null), value, headerCount
 * varint, headers { keyLength varint, key, valueLength varint (-1 = null), value }.
 *
 * The broker stores batches exactly in this form, so a Fetch is a byte range of a segment.
 * Compressed batches are recognised and refused (EDDY_EUNSUPPORTED) for now.
 */
#include "broker_int.h"

#include <sys/uio.h>

void broker_batch_header_parse(const uint8_t *p, broker_batch_header *h)
{
    h->base_offset = (int64_t)eddy_get_be64(p);
    h->batch_length = (int32_t)eddy_get_be32(p + 8);
    h->partition_leader_epoch = (int32_t)eddy_get_be32(p + 12);
    h->magic = (int8_t)p[16];
    h->crc = eddy_get_be32(p + 17);
    h->attributes = (int16_t)eddy_get_be16(p + 21);
    h->last_offset_delta = (int32_t)eddy_get_be32(p + 23);
    h->base_timestamp = (int64_t)eddy_get_be64(p + 27);
    h->max_timestamp = (int64_t)eddy_get_be64(p + 35);
    h->producer_id = (int64_t)eddy_get_be64(p + 43);
    h->producer_epoch = (int16_t)eddy_get_be16(p + 51);
    h->base_sequence = (int32_t)eddy_get_be32(p + 53);
    h->record_count = (int32_t)eddy_get_be32(p + 57);
}

static void header_write(uint8_t *p, const broker_batch_header *h)
{
    eddy_put_be64(p, (uint64_t)h->base_offset);
    eddy_put_be32(p + 8, (uint32_t)h->batch_length);
    eddy_put_be32(p + 12, (uint32_t)h->partition_leader_epoch);
    p[16] = 2;
    eddy_put_be32(p + 17, 0); /* crc, filled in last */
    eddy_put_be16(p + 21, (uint16_t)h->attributes);
    eddy_put_be32(p + 23, (uint32_t)h->last_offset_delta);
    eddy_put_be64(p + 27, (uint64_t)h->base_timestamp);
    eddy_put_be64(p + 35, (uint64_t)h->max_timestamp);
    eddy_put_be64(p + 43, (uint64_t)h->producer_id);
    eddy_put_be16(p + 51, (uint16_t)h->producer_epoch);
    eddy_put_be32(p + 53, (uint32_t)h->base_sequence);
    eddy_put_be32(p + 57, (uint32_t)h->record_count);
}

/* ------------------------------------------------------------------------------------------ */
/* Records                                                                                     */

/* Bytes of the headers section (count varint + headers) of 'r' when encoded. */
static size_t headers_size(const broker_record *r)
{
    if (r->raw_headers)
        return (size_t)(r->raw_end - r->raw_headers);
    size_t n = eddy_varlong_size(r->nheaders);
    for (int32_t i = 0; i < r->nheaders; i++) {
        const broker_header *hd = &r->headers[i];
        n += eddy_varlong_size(hd->key_len) + (size_t)hd->key_len;
        n += eddy_varlong_size(hd->value ? hd->value_len : -1);
        if (hd->value && hd->value_len > 0)
            n += (size_t)hd->value_len;
    }
    return n;
}

/* Size of a record's body (everything after its length varint). */
static size_t record_body_size(const broker_record *r, int64_t ts_delta, int32_t off_delta)
{
    int32_t klen = r->key ? r->key_len : -1;
    int32_t vlen = r->value ? r->value_len : -1;
    return 1 + eddy_varlong_size(ts_delta) + eddy_varlong_size(off_delta) +
           eddy_varlong_size(klen) + (size_t)(klen > 0 ? klen : 0) + eddy_varlong_size(vlen) +
           (size_t)(vlen > 0 ? vlen : 0) + headers_size(r);
}

/* Records go into the batch as pieces: the bytes around the values (length and deltas, key,
 * headers) are staged in a small buffer, and the pieces (staged bytes, value, staged bytes,
 * value, ...) are written to the batch a group at a time by one eddy_crc32c_copyv() call,
 * which checksums them as it copies them. So the batch's bytes are read once, where a memcpy
 * of each value and then one CRC-32C over the batch read them twice, and the CRC's state
 * stays in registers across a group (a call per record costs ~4 us/MiB more). Without a
 * folding CRC (no VPCLMULQDQ) the pieces are copied and the batch is checksummed afterwards,
 * as before.
 *
 * broker_batch_encode() of 1000 records with 8-byte keys, measured on the 2-vCPU EPYC VM
 * (Zen 5, pinned, us per MiB of batch): 1 KiB values 46-48 before, 34-36 now (of which ~9
 * staging, ~25 the copy and CRC); 100-byte values 168-179 before, 137-139 now. */
enum {
    STAGE_BYTES = 8192, /* staged bytes per group */
    STAGE_PIECES = 256, /* pieces per group */
    STAGE_INLINE = 64,  /* keys, values and raw headers up to this size are staged */
    STAGE_SLOT = 128    /* staged bytes of a usual record: 1 + 5 + 1 + 10 + 5 + 5 + 64 + 5 */
};

typedef struct stage {
    uint8_t *out;           /* where the next group goes in the batch */
    eddy_crc32c_stream *cs; /* NULL: plain copies */
    int npieces;
    bool open;              /* the last piece is staged bytes ending at buf + used */
    bool zero;              /* a byte 0 (a header count) is due before the next bytes */
    size_t used;
    struct iovec pieces[STAGE_PIECES];
    uint8_t buf[STAGE_BYTES];
} stage;

static const uint8_t zero_byte;

static void stage_flush(stage *st)
{
    if (st->zero) { /* room was kept for it */
        st->pieces[st->npieces++] = (struct iovec){(void *)&zero_byte, 1};
        st->zero = false;
    }
    if (st->cs) {
        st->out += eddy_crc32c_copyv(st->cs, st->out, st->pieces, st->npieces);
    } else {
        for (int i = 0; i < st->npieces; i++) {
            memcpy(st->out, st->pieces[i].iov_base, st->pieces[i].iov_len);
            st->out += st->pieces[i].iov_len;
        }
    }
    st->npieces = 0;
    st->used = 0;
    st->open = false;
}

/* Where to stage up to 'n' bytes (n < STAGE_BYTES); stage_wrote() then says how many. */
static uint8_t *stage_room(stage *st, size_t n)
{
    if (st->used + n + 1 > STAGE_BYTES || st->npieces + 2 > STAGE_PIECES)
        stage_flush(st);
    if (st->zero) {
        st->buf[st->used] = 0;
        if (st->open) {
            st->pieces[st->npieces - 1].iov_len++;
        } else {
            st->pieces[st->npieces++] = (struct iovec){st->buf + st->used, 1};
            st->open = true;
        }
        st->used++;
        st->zero = false;
    }
    return st->buf + st->used;
}

static void stage_wrote(stage *st, size_t n)
{
    if (st->open) {
        st->pieces[st->npieces - 1].iov_len += n;
    } else {
        st->pieces[st->npieces++] = (struct iovec){st->buf + st->used, n};
        st->open = true;
    }
    st->used += n;
}

/* Bytes the caller owns: staged when short, else a piece of their own. */
static void stage_bytes(stage *st, const void *p, size_t n)
{
    if (n <= STAGE_INLINE) {
        memcpy(stage_room(st, n), p, n);
        stage_wrote(st, n);
        return;
    }
    stage_room(st, 0);
    st->pieces[st->npieces++] = (struct iovec){(void *)p, n};
    st->open = false;
}

static void stage_varlong(stage *st, int64_t v)
{
    stage_wrote(st, eddy_varlong_put(stage_room(st, EDDY_VARLONG_MAX), v));
}

/* Any record, a piece at a time. */
static void record_stage_any(stage *st, const broker_record *r, int64_t ts_delta,
                             int32_t off_delta)
{
    int32_t klen = r->key ? r->key_len : -1;
    int32_t vlen = r->value ? r->value_len : -1;
    stage_varlong(st, (int64_t)record_body_size(r, ts_delta, off_delta));
    stage_bytes(st, &zero_byte, 1); /* attributes */
    stage_varlong(st, ts_delta);
    stage_varlong(st, off_delta);
    stage_varlong(st, klen);
    if (klen > 0)
        stage_bytes(st, r->key, (size_t)klen);
    stage_varlong(st, vlen);
    if (vlen > 0)
        stage_bytes(st, r->value, (size_t)vlen);
    if (r->raw_headers) {
        stage_bytes(st, r->raw_headers, (size_t)(r->raw_end - r->raw_headers));
        return;
    }
    stage_varlong(st, r->nheaders);
    for (int32_t i = 0; i < r->nheaders; i++) {
        const broker_header *hd = &r->headers[i];
        stage_varlong(st, hd->key_len);
        stage_bytes(st, hd->key, (size_t)hd->key_len);
        int32_t hv = hd->value ? hd->value_len : -1;
        stage_varlong(st, hv);
        if (hv > 0)
            stage_bytes(st, hd->value, (size_t)hv);
    }
}

/* Up to STAGE_INLINE bytes, without a call for the short keys records usually have. */
static inline void copy_short(uint8_t *d, const uint8_t *s, size_t n)
{
    if (n > 16) {
        memcpy(d, s, n);
    } else if (n >= 8) {
        uint64_t a, b;
        memcpy(&a, s, 8);
        memcpy(&b, s + n - 8, 8);
        memcpy(d, &a, 8);
        memcpy(d + n - 8, &b, 8);
    } else if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, s, 4);
        memcpy(&b, s + n - 4, 4);
        memcpy(d, &a, 4);
        memcpy(d + n - 4, &b, 4);
    } else if (n > 0) {
        uint8_t a = s[0], b = s[n / 2], c = s[n - 1];
        d[0] = a;
        d[n / 2] = b;
        d[n - 1] = c;
    }
}

/* eddy_varlong_put() with the one- and two-byte cases (all but the rarest fields of a
 * record) written without a loop: the loop's exit is what the byte positions after it wait
 * for. */
static inline size_t put_var(uint8_t *p, int64_t v)
{
    uint64_t u = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
    if (u < 0x80) {
        p[0] = (uint8_t)u;
        return 1;
    }
    if (u < 0x4000) {
        p[0] = (uint8_t)(u | 0x80);
        p[1] = (uint8_t)(u >> 7);
        return 2;
    }
    return eddy_varlong_put(p, v);
}

/* The usual record: no headers, a key of at most STAGE_INLINE bytes, a longer value. */
static inline bool record_usual(const broker_record *r)
{
    int32_t klen = r->key ? r->key_len : -1;
    return !r->raw_headers && r->nheaders == 0 && klen <= STAGE_INLINE && r->value &&
           r->value_len > STAGE_INLINE;
}

/* Stage a run of usual records from recs[*i] on; returns when the group is full (flushed),
 * at the end, or at a record that is not usual. Each record takes two pieces: its staged
 * bytes up to the value, and the value; its header count of 0 is due before the next
 * record's bytes. The staged bytes of the k-th record of the group start at a fixed slot
 * (buf + k * STAGE_SLOT), so no record waits for the previous one's length to know where
 * its bytes go; the body is written first and its length then put in front of it, so the
 * sizes need not be worked out in a pass of their own. (Against staging each record after
 * the previous one: the same at 1 KiB values, 142 -> 137 us/MiB at 100-byte values.) */
static void records_stage_usual(stage *st, const broker_batch_header *tmpl,
                                const broker_record *recs, size_t n, bool own_offsets,
                                size_t *i)
{
    size_t k = (st->used + STAGE_SLOT - 1) / STAGE_SLOT;
    int np = st->npieces;
    bool zero = st->zero;
    size_t j = *i;
    for (; j < n && k < STAGE_BYTES / STAGE_SLOT && np + 3 <= STAGE_PIECES; j++, k++) {
        const broker_record *r = &recs[j];
        if (!record_usual(r))
            break;
        /* Everything is read before anything is written: byte stores may alias it all. */
        const uint8_t *key = r->key, *value = r->value;
        int32_t klen = key ? r->key_len : -1, vlen = r->value_len;
        int64_t tsd = r->timestamp - tmpl->base_timestamp;
        int32_t offd = own_offsets ? (int32_t)(r->offset - tmpl->base_offset) : (int32_t)j;
        uint8_t *p = st->buf + k * STAGE_SLOT + 1 + EDDY_VARINT_MAX, *q = p;
        *q++ = 0; /* attributes */
        q += put_var(q, tsd);
        q += put_var(q, offd);
        q += put_var(q, klen);
        if (klen > 0) {
            copy_short(q, key, (size_t)klen);
            q += klen;
        }
        q += put_var(q, vlen);
        int64_t body = (q - p) + (int64_t)vlen + 1;
        p -= eddy_varlong_size(body);
        put_var(p, body);
        if (zero)
            *--p = 0;
        st->pieces[np] = (struct iovec){p, (size_t)(q - p)};
        st->pieces[np + 1] = (struct iovec){(void *)value, (size_t)vlen};
        np += 2;
        zero = true;
    }
    st->npieces = np;
    st->zero = zero;
    st->open = false;
    st->used = k * STAGE_SLOT;
    if (j < n && record_usual(&recs[j]))
        stage_flush(st); /* the group is full */
    *i = j;
}

/* Shared by both encoders: with 'own_offsets' the records' offsets give the deltas, else
 * they are 0..n-1. */
static int encode(const broker_batch_header *tmpl, const broker_record *recs, size_t n,
                  bool own_offsets, eddy_buf *out, eddy_err *err)
{
    if (n == 0 || n > INT32_MAX)
        return eddy_err_set(err, EDDY_EINVAL, "a record batch needs 1 to 2^31-1 records");
    /* A first pass checks the records and bounds the size (the exact size is known once
     * the records are written: the body lengths are worked out as they are). */
    size_t bound = BROKER_BATCH_HEADER_SIZE;
    int64_t max_ts = INT64_MIN;
    for (size_t i = 0; i < n; i++) {
        const broker_record *r = &recs[i];
        if ((r->key && r->key_len < 0) || (r->value && r->value_len < 0))
            return eddy_err_set(err, EDDY_EINVAL, "record %zu: negative length", i);
        int64_t offd = own_offsets ? r->offset - tmpl->base_offset : (int64_t)i;
        if (offd < 0 || offd > INT32_MAX)
            return eddy_err_set(err, EDDY_EINVAL, "record %zu: offset outside the batch", i);
        /* length 5, attributes 1, deltas 10 + 5, lengths 5 + 5, header count 5 */
        bound += 36 + (size_t)(r->key ? r->key_len : 0) + (size_t)(r->value ? r->value_len : 0);
        if (r->raw_headers || r->nheaders)
            bound += headers_size(r);
        if (r->timestamp > max_ts)
            max_ts = r->timestamp;
    }
    if (bound - 12 > INT32_MAX) { /* the bound is loose: decide on the exact size */
        size_t total = BROKER_BATCH_HEADER_SIZE;
        for (size_t i = 0; i < n && total - 12 <= INT32_MAX; i++) {
            const broker_record *r = &recs[i];
            int64_t offd = own_offsets ? r->offset - tmpl->base_offset : (int64_t)i;
            size_t body = record_body_size(r, r->timestamp - tmpl->base_timestamp, (int32_t)offd);
            total += eddy_varlong_size((int64_t)body) + body;
        }
        if (total - 12 > INT32_MAX)
            return eddy_err_set(err, EDDY_ETOOLARGE, "record batch too large");
    }
    size_t start = out->len;
    if (eddy_buf_reserve(out, bound) != 0)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory encoding a record batch");

    broker_batch_header h = *tmpl;
    h.batch_length = 0; /* below */
    h.record_count = (int32_t)n;
    if (!own_offsets) {
        h.last_offset_delta = (int32_t)(n - 1);
        h.max_timestamp = max_ts;
    }
    uint8_t *base = out->data + start;
    header_write(base, &h);
    eddy_crc32c_stream cs;
    stage st;
    st.out = base + BROKER_BATCH_HEADER_SIZE;
    st.cs = eddy_crc32c_folding() ? &cs : NULL;
    st.npieces = 0;
    st.used = 0;
    st.open = st.zero = false;
    if (st.cs) {
        eddy_crc32c_begin(&cs, 0);
        eddy_crc32c_update(&cs, base + 21, BROKER_BATCH_HEADER_SIZE - 21);
    }
    for (size_t i = 0; i < n;) {
        const broker_record *r = &recs[i];
        if (record_usual(r)) {
            records_stage_usual(&st, tmpl, recs, n, own_offsets, &i);
            continue;
        }
        int64_t tsd = r->timestamp - tmpl->base_timestamp;
        int32_t offd = own_offsets ? (int32_t)(r->offset - tmpl->base_offset) : (int32_t)i;
        record_stage_any(&st, r, tsd, offd);
        i++;
    }
    stage_flush(&st);
    size_t total = (size_t)(st.out - base);
    eddy_put_be32(base + 8, (uint32_t)(total - 12));
    eddy_put_be32(base + 17, st.cs ? eddy_crc32c_end(&cs) : eddy_crc32c(0, base + 21, total - 21));
    out->len = start + total;
    return 0;
}

int broker_batch_encode(const broker_record *recs, size_t n, int64_t producer_id,
                        int16_t producer_epoch, int32_t base_sequence, eddy_buf *out,
                        eddy_err *err)
{
    broker_batch_header h = {0};
    h.base_offset = 0;
    h.partition_leader_epoch = 0;
    h.magic = 2;
    h.base_timestamp = n ? recs[0].timestamp : 0;
    h.producer_id = producer_id;
    h.producer_epoch = producer_id < 0 ? -1 : producer_epoch;
    h.base_sequence = producer_id < 0 ? -1 : base_sequence;
    return encode(&h, recs, n, false, out, err);
}

int broker__batch_encode_with(const broker_batch_header *tmpl, const broker_record *recs,
                              size_t n, eddy_buf *out, eddy_err *err)
{
    return encode(tmpl, recs, n, true, out, err);
}

/* ------------------------------------------------------------------------------------------ */
/* Decoding                                                                                    */

/* Parse one record at [p, end) into 'r' relative to batch header 'h'; returns the bytes
 * consumed or 0 when malformed. Headers are left raw. */
static size_t record_read(const uint8_t *p, const uint8_t *end, const broker_batch_header *h,
                          broker_record *r)
{
    const uint8_t *start = p;
    int32_t len, klen, vlen, offd, nh;
    int64_t tsd;
    size_t n = eddy_varint_get(p, end, &len);
    if (!n || len < 0 || (size_t)(end - p - n) < (size_t)len)
        return 0;
    p += n;
    const uint8_t *rend = p + len;
    if (p >= rend)
        return 0;
    p++; /* attributes */
    if (!(n = eddy_varlong_get(p, rend, &tsd)))
        return 0;
    p += n;
    if (!(n = eddy_varint_get(p, rend, &offd)) || offd < 0)
        return 0;
    p += n;
    if (!(n = eddy_varint_get(p, rend, &klen)) || klen < -1)
        return 0;
    p += n;
    if (klen > 0 && rend - p < klen)
        return 0;
    r->key = klen >= 0 ? p : NULL;
    r->key_len = klen;
    p += klen > 0 ? klen : 0;
    if (!(n = eddy_varint_get(p, rend, &vlen)) || vlen < -1)
        return 0;
    p += n;
    if (vlen > 0 && rend - p < vlen)
        return 0;
    r->value = vlen >= 0 ? p : NULL;
    r->value_len = vlen;
    p += vlen > 0 ? vlen : 0;
    r->raw_headers = p;
    r->raw_end = rend;
    if (!(n = eddy_varint_get(p, rend, &nh)) || nh < 0)
        return 0;
    r->nheaders = nh;
    r->headers = NULL;
    r->timestamp = h->base_timestamp + tsd;
    r->offset = h->base_offset + offd;
    return (size_t)(rend - start);
}

/* Walk the headers of [p, end): returns the count, or -1 if malformed; decodes up to 'max'. */
static int headers_read(const uint8_t *p, const uint8_t *end, broker_header *out, int max)
{
    int32_t nh, kl, vl;
    size_t n = eddy_varint_get(p, end, &nh);
    if (!n || nh < 0)
        return -1;
    p += n;
    for (int32_t i = 0; i < nh; i++) {
        if (!(n = eddy_varint_get(p, end, &kl)) || kl < 0 || end - p - (ptrdiff_t)n < kl)
            return -1;
        p += n;
        const uint8_t *k = p;
        p += kl;
        if (!(n = eddy_varint_get(p, end, &vl)) || vl < -1 || end - p - (ptrdiff_t)n < (vl > 0 ? vl : 0))
            return -1;
        p += n;
        if (i < max) {
            out[i].key = (const char *)k;
            out[i].key_len = kl;
            out[i].value = vl >= 0 ? p : NULL;
            out[i].value_len = vl;
        }
        p += vl > 0 ? vl : 0;
    }
    return p == end ? nh : -1;
}

int broker_record_headers(const broker_record *r, broker_header *out, int max)
{
    if (!r->raw_headers)
        return r->nheaders;
    int n = headers_read(r->raw_headers, r->raw_end, out, max);
    return n < 0 ? EDDY_ECORRUPT : n;
}

int broker_batch_validate(const uint8_t *p, size_t len, eddy_err *err)
{
    if (len < BROKER_BATCH_HEADER_SIZE)
        return eddy_err_set(err, EDDY_ECORRUPT, "record batch shorter than its header");
    broker_batch_header h;
    broker_batch_header_parse(p, &h);
    if (h.magic != 2)
        return eddy_err_set(err, EDDY_EINVAL, "unsupported record batch magic %d", h.magic);
    if (h.batch_length < BROKER_BATCH_HEADER_SIZE - 12 || (size_t)h.batch_length + 12 != len)
        return eddy_err_set(err, EDDY_ECORRUPT, "record batch length %d does not match %zu bytes",
                            h.batch_length, len);
    if (eddy_crc32c(0, p + 21, len - 21) != h.crc)
        return eddy_err_set(err, EDDY_ECORRUPT, "record batch CRC mismatch");
    int comp = h.attributes & BROKER_ATTR_COMPRESSION_MASK;
    if (comp > 4)
        return eddy_err_set(err, EDDY_EINVAL, "invalid compression codec %d", comp);
    if (comp != 0)
        return eddy_err_set(err, EDDY_EUNSUPPORTED, "compressed record batches are not supported");
    if (h.record_count < 0)
        return eddy_err_set(err, EDDY_ECORRUPT, "negative record count");
    const uint8_t *q = p + BROKER_BATCH_HEADER_SIZE, *end = p + len;
    for (int32_t i = 0; i < h.record_count; i++) {
        broker_record r;
        size_t n = record_read(q, end, &h, &r);
        if (!n || headers_read(r.raw_headers, r.raw_end, NULL, 0) < 0)
            return eddy_err_set(err, EDDY_ECORRUPT, "malformed record %d in batch", i);
        if (r.offset - h.base_offset > h.last_offset_delta)
            return eddy_err_set(err, EDDY_ECORRUPT, "record %d beyond lastOffsetDelta", i);
        q += n;
    }
    if (q != end)
        return eddy_err_set(err, EDDY_ECORRUPT, "record batch has %zu trailing bytes",
                            (size_t)(end - q));
    return 0;
}

int broker__batch_check_produce(const uint8_t *p, size_t len, const broker_topic_config *cfg,
                                broker_batch_header *h, eddy_err *err)
{
    if (len < BROKER_BATCH_HEADER_SIZE)
        return eddy_err_set(err, EDDY_EINVAL, "record batch shorter than its header");
    broker_batch_header_parse(p, h);
    if (cfg && (int64_t)len > cfg->max_message_bytes)
        return eddy_err_set(err, EDDY_ETOOLARGE,
                            "record batch of %zu bytes exceeds max.message.bytes %lld", len,
                            (long long)cfg->max_message_bytes);
    int rc = broker_batch_validate(p, len, err);
    if (rc)
        return rc;
    if (h->base_offset != 0)
        return eddy_err_set(err, EDDY_EINVAL, "produced batch must have baseOffset 0");
    if (h->record_count <= 0 || h->record_count != h->last_offset_delta + 1)
        return eddy_err_set(err, EDDY_EINVAL, "recordCount %d does not match lastOffsetDelta %d",
                            h->record_count, h->last_offset_delta);
    if (h->attributes & BROKER_ATTR_CONTROL)
        return eddy_err_set(err, EDDY_EINVAL, "producers may not send control batches");
    if (h->attributes & BROKER_ATTR_TRANSACTIONAL)
        return eddy_err_set(err, EDDY_EUNSUPPORTED, "transactional batches are not supported");
    if (h->producer_id >= 0 && h->base_sequence < 0)
        return eddy_err_set(err, EDDY_EINVAL, "idempotent batch without a base sequence");
    if (cfg && (cfg->cleanup_policy & BROKER_CLEANUP_COMPACT)) {
        broker_iter it;
        broker_record r;
        broker_iter_init(&it, p, len, 0);
        while ((rc = broker_iter_next(&it, &r, err)) == 1)
            if (!r.key)
                return eddy_err_set(err, EDDY_EINVAL,
                                    "compacted topic cannot accept a record without a key");
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Iteration                                                                                   */

void broker_iter_init(broker_iter *it, const uint8_t *data, size_t len, int64_t min_offset)
{
    it->pos = data;
    it->end = data + len;
    it->rec = it->rec_end = NULL;
    it->left = 0;
    it->min_offset = min_offset;
    memset(&it->batch, 0, sizeof it->batch);
}

int broker_iter_next(broker_iter *it, broker_record *r, eddy_err *err)
{
    for (;;) {
        while (it->left > 0) {
            /* Records of large values start on new cache lines and the next one's position
             * depends on this one's length: fetch ahead so scans don't stall on each. */
            __builtin_prefetch(it->rec + 2048);
            size_t n = record_read(it->rec, it->rec_end, &it->batch, r);
            if (!n) {
                it->left = 0;
                return eddy_err_set(err, EDDY_ECORRUPT, "malformed record at offset >= %lld",
                                    (long long)it->batch.base_offset);
            }
            it->rec += n;
            it->left--;
            if (r->offset >= it->min_offset)
                return 1;
        }
        /* Next batch: stop at a partial tail. */
        size_t avail = (size_t)(it->end - it->pos);
        if (avail < BROKER_BATCH_HEADER_SIZE)
            return 0;
        broker_batch_header_parse(it->pos, &it->batch);
        if (it->batch.batch_length < BROKER_BATCH_HEADER_SIZE - 12)
            return eddy_err_set(err, EDDY_ECORRUPT, "bad batch length at offset %lld",
                                (long long)it->batch.base_offset);
        size_t blen = (size_t)it->batch.batch_length + 12;
        if (blen > avail)
            return 0;
        const uint8_t *b = it->pos;
        it->pos += blen;
        if (it->batch.magic != 2)
            return eddy_err_set(err, EDDY_ECORRUPT, "unsupported magic %d", it->batch.magic);
        if (it->batch.base_offset + it->batch.last_offset_delta < it->min_offset)
            continue;
        if (it->batch.attributes & BROKER_ATTR_CONTROL)
            continue;
        if (it->batch.attributes & BROKER_ATTR_COMPRESSION_MASK)
            return eddy_err_set(err, EDDY_EUNSUPPORTED, "compressed batches are not supported");
        it->rec = b + BROKER_BATCH_HEADER_SIZE;
        it->rec_end = b + blen;
        it->left = it->batch.record_count;
    }
}
