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

/* Encode one record at 'p' (room checked by the caller); returns bytes written. */
static size_t record_write(uint8_t *p, const broker_record *r, int64_t ts_delta,
                           int32_t off_delta, size_t body)
{
    uint8_t *start = p;
    int32_t klen = r->key ? r->key_len : -1;
    int32_t vlen = r->value ? r->value_len : -1;
    p += eddy_varlong_put(p, (int64_t)body);
    *p++ = 0; /* attributes */
    p += eddy_varlong_put(p, ts_delta);
    p += eddy_varlong_put(p, off_delta);
    p += eddy_varlong_put(p, klen);
    if (klen > 0) {
        memcpy(p, r->key, (size_t)klen);
        p += klen;
    }
    p += eddy_varlong_put(p, vlen);
    if (vlen > 0) {
        memcpy(p, r->value, (size_t)vlen);
        p += vlen;
    }
    if (r->raw_headers) {
        size_t n = (size_t)(r->raw_end - r->raw_headers);
        memcpy(p, r->raw_headers, n);
        p += n;
    } else {
        p += eddy_varlong_put(p, r->nheaders);
        for (int32_t i = 0; i < r->nheaders; i++) {
            const broker_header *hd = &r->headers[i];
            p += eddy_varlong_put(p, hd->key_len);
            memcpy(p, hd->key, (size_t)hd->key_len);
            p += hd->key_len;
            int32_t hv = hd->value ? hd->value_len : -1;
            p += eddy_varlong_put(p, hv);
            if (hv > 0) {
                memcpy(p, hd->value, (size_t)hv);
                p += hv;
            }
        }
    }
    return (size_t)(p - start);
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

/* Shared by both encoders: 'offsets' NULL means deltas 0..n-1. */
static int encode(const broker_batch_header *tmpl, const broker_record *recs, size_t n,
                  bool own_offsets, eddy_buf *out, eddy_err *err)
{
    if (n == 0 || n > INT32_MAX)
        return eddy_err_set(err, EDDY_EINVAL, "a record batch needs 1 to 2^31-1 records");
    size_t start = out->len;
    /* Exact sizes in a first pass so the buffer grows once; the body sizes of the first
     * records are kept for the second pass. */
    enum { KEEP = 1024 };
    uint32_t bodies[KEEP];
    size_t total = BROKER_BATCH_HEADER_SIZE;
    int64_t max_ts = INT64_MIN;
    for (size_t i = 0; i < n; i++) {
        const broker_record *r = &recs[i];
        if ((r->key && r->key_len < 0) || (r->value && r->value_len < 0))
            return eddy_err_set(err, EDDY_EINVAL, "record %zu: negative length", i);
        int64_t tsd = r->timestamp - tmpl->base_timestamp;
        int64_t offd = own_offsets ? r->offset - tmpl->base_offset : (int64_t)i;
        if (offd < 0 || offd > INT32_MAX)
            return eddy_err_set(err, EDDY_EINVAL, "record %zu: offset outside the batch", i);
        size_t body = record_body_size(r, tsd, (int32_t)offd);
        if (i < KEEP)
            bodies[i] = (uint32_t)body;
        total += eddy_varlong_size((int64_t)body) + body;
        if (r->timestamp > max_ts)
            max_ts = r->timestamp;
    }
    if (total - 12 > INT32_MAX)
        return eddy_err_set(err, EDDY_ETOOLARGE, "record batch too large");
    if (eddy_buf_reserve(out, total) != 0)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory encoding a record batch");

    broker_batch_header h = *tmpl;
    h.batch_length = (int32_t)(total - 12);
    h.record_count = (int32_t)n;
    if (!own_offsets) {
        h.last_offset_delta = (int32_t)(n - 1);
        h.max_timestamp = max_ts;
    }
    uint8_t *base = out->data + start;
    header_write(base, &h);
    uint8_t *p = base + BROKER_BATCH_HEADER_SIZE;
    for (size_t i = 0; i < n; i++) {
        const broker_record *r = &recs[i];
        int64_t tsd = r->timestamp - tmpl->base_timestamp;
        int32_t offd = own_offsets ? (int32_t)(r->offset - tmpl->base_offset) : (int32_t)i;
        p += record_write(p, r, tsd, offd, i < KEEP ? bodies[i] : record_body_size(r, tsd, offd));
    }
    eddy_put_be32(base + 17, eddy_crc32c(0, base + 21, total - 21));
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
