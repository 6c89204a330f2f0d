/*
 * producer.c - idempotent producer state of one partition.
 *
 * Per producer id: the current epoch and the sequence ranges and offsets of its last 5
 * batches (Kafka's ProducerStateManager keeps the same, because librdkafka keeps up to 5
 * requests in flight). A batch is checked before it is appended:
 *   epoch < current                 -> EDDY_EFENCED   (INVALID_PRODUCER_EPOCH)
 *   epoch > current, baseSeq != 0   -> EDDY_ESEQUENCE (OUT_OF_ORDER_SEQUENCE_NUMBER)
 *   same epoch, same seq range as a cached batch -> duplicate: answer with its offsets
 *   same epoch, baseSeq != lastSeq + 1 (wrapping at 2^31-1) -> EDDY_ESEQUENCE
 *   unknown producer id             -> accepted (Kafka does the same once state expired)
 *
 * Persistence: the table is saved to producers.snapshot (with the log end offset it is
 * valid for) at clean shutdown; on open, the snapshot is loaded and the batch headers after
 * its offset are replayed. Without a snapshot, all batch headers are replayed: they carry
 * producer id, epoch, base sequence and offsets, so no record needs decoding.
 *
 * Snapshot format: "EDPS" u32 version(1) i64 end_offset u32 count, then per producer
 * i64 id i16 epoch u8 nbatches { i32 first_seq i32 last_seq i64 first_off i64 last_off }*,
 * then u32 CRC-32C of everything before it. Big-endian.
 */
#include "broker_int.h"

#include <stdio.h>

void broker__producers_init(broker_producer_table *t)
{
    t->items = NULL;
    t->n = t->cap = 0;
}

void broker__producers_free(broker_producer_table *t)
{
    eddy_free(t->items);
    broker__producers_init(t);
}

static size_t slot_of(const broker_producer_table *t, int64_t pid)
{
    size_t mask = t->cap - 1;
    size_t i = (size_t)eddy_hash64(&pid, sizeof pid) & mask;
    while (t->items[i].producer_id != -1 && t->items[i].producer_id != pid)
        i = (i + 1) & mask;
    return i;
}

static broker_producer *find(broker_producer_table *t, int64_t pid)
{
    if (!t->cap)
        return NULL;
    broker_producer *p = &t->items[slot_of(t, pid)];
    return p->producer_id == pid ? p : NULL;
}

static int grow(broker_producer_table *t)
{
    size_t cap = t->cap ? t->cap * 2 : 16;
    broker_producer *items = eddy_malloc(cap * sizeof *items);
    if (!items)
        return EDDY_ENOMEM;
    for (size_t i = 0; i < cap; i++)
        items[i].producer_id = -1;
    broker_producer_table nt = {items, 0, cap};
    for (size_t i = 0; i < t->cap; i++)
        if (t->items[i].producer_id != -1) {
            nt.items[slot_of(&nt, t->items[i].producer_id)] = t->items[i];
            nt.n++;
        }
    eddy_free(t->items);
    *t = nt;
    return 0;
}

static int32_t seq_add(int32_t seq, int32_t delta)
{
    /* Sequences wrap from INT32_MAX to 0 (Kafka's DefaultRecordBatch.incrementSequence). */
    int64_t s = (int64_t)seq + delta;
    return s > INT32_MAX ? (int32_t)(s - INT32_MAX - 1) : (int32_t)s;
}

int broker__producers_check(broker_producer_table *t, const broker_batch_header *h,
                            broker_producer_batch *dup, eddy_err *err)
{
    if (h->producer_id < 0)
        return 0;
    broker_producer *p = find(t, h->producer_id);
    if (!p)
        return 0;
    if (h->producer_epoch < p->epoch)
        return eddy_err_set(err, EDDY_EFENCED,
                            "producer %lld epoch %d is older than the current epoch %d",
                            (long long)h->producer_id, h->producer_epoch, p->epoch);
    if (h->producer_epoch > p->epoch) {
        if (h->base_sequence != 0)
            return eddy_err_set(err, EDDY_ESEQUENCE,
                                "producer %lld new epoch %d must start at sequence 0, not %d",
                                (long long)h->producer_id, h->producer_epoch, h->base_sequence);
        return 0;
    }
    int32_t last_seq = seq_add(h->base_sequence, h->last_offset_delta);
    for (int i = 0; i < p->nbatches; i++) {
        const broker_producer_batch *b = &p->batches[i];
        if (b->first_seq == h->base_sequence && b->last_seq == last_seq) {
            if (dup)
                *dup = *b;
            return 1;
        }
    }
    if (p->nbatches > 0) {
        int32_t expected = seq_add(p->batches[p->nbatches - 1].last_seq, 1);
        if (h->base_sequence != expected)
            return eddy_err_set(err, EDDY_ESEQUENCE,
                                "producer %lld: out of order sequence %d, expected %d",
                                (long long)h->producer_id, h->base_sequence, expected);
    }
    return 0;
}

int broker__producers_update(broker_producer_table *t, const broker_batch_header *h)
{
    if (h->producer_id < 0)
        return 0;
    broker_producer *p = find(t, h->producer_id);
    if (!p) {
        if ((t->n + 1) * 2 > t->cap && grow(t) != 0)
            return EDDY_ENOMEM;
        p = &t->items[slot_of(t, h->producer_id)];
        p->producer_id = h->producer_id;
        p->epoch = h->producer_epoch;
        p->nbatches = 0;
        t->n++;
    }
    if (h->producer_epoch != p->epoch) {
        p->epoch = h->producer_epoch;
        p->nbatches = 0;
    }
    if (p->nbatches == BROKER_PRODUCER_CACHE) {
        memmove(p->batches, p->batches + 1, (BROKER_PRODUCER_CACHE - 1) * sizeof p->batches[0]);
        p->nbatches--;
    }
    broker_producer_batch *b = &p->batches[p->nbatches++];
    b->first_seq = h->base_sequence;
    b->last_seq = seq_add(h->base_sequence, h->last_offset_delta);
    b->first_offset = h->base_offset;
    b->last_offset = h->base_offset + h->last_offset_delta;
    return 0;
}

#define SNAP_PRODUCER_MAX (8 + 2 + 1 + BROKER_PRODUCER_CACHE * 24)

int broker__producers_save(broker_producer_table *t, const char *dir, int64_t end_offset,
                           eddy_err *err)
{
    size_t cap = 20 + t->n * SNAP_PRODUCER_MAX + 4;
    uint8_t *buf = eddy_malloc(cap), *p = buf;
    if (!buf)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory saving producer state");
    memcpy(p, "EDPS", 4);
    eddy_put_be32(p + 4, 1);
    eddy_put_be64(p + 8, (uint64_t)end_offset);
    eddy_put_be32(p + 16, (uint32_t)t->n);
    p += 20;
    for (size_t i = 0; i < t->cap; i++) {
        const broker_producer *pr = &t->items[i];
        if (pr->producer_id == -1)
            continue;
        eddy_put_be64(p, (uint64_t)pr->producer_id);
        eddy_put_be16(p + 8, (uint16_t)pr->epoch);
        p[10] = (uint8_t)pr->nbatches;
        p += 11;
        for (int k = 0; k < pr->nbatches; k++) {
            eddy_put_be32(p, (uint32_t)pr->batches[k].first_seq);
            eddy_put_be32(p + 4, (uint32_t)pr->batches[k].last_seq);
            eddy_put_be64(p + 8, (uint64_t)pr->batches[k].first_offset);
            eddy_put_be64(p + 16, (uint64_t)pr->batches[k].last_offset);
            p += 24;
        }
    }
    eddy_put_be32(p, eddy_crc32c(0, buf, (size_t)(p - buf)));
    p += 4;
    char path[4096];
    snprintf(path, sizeof path, "%s/producers.snapshot", dir);
    int rc = eddy_write_file_atomic(path, buf, (size_t)(p - buf), err);
    eddy_free(buf);
    return rc;
}

int64_t broker__producers_load(broker_producer_table *t, const char *dir)
{
    char path[4096], *data;
    size_t len;
    snprintf(path, sizeof path, "%s/producers.snapshot", dir);
    if (eddy_read_file(path, &data, &len, NULL) != 0)
        return 0;
    const uint8_t *p = (const uint8_t *)data, *end = p + len;
    int64_t offset = 0;
    if (len < 24 || memcmp(p, "EDPS", 4) != 0 || eddy_get_be32(p + 4) != 1 ||
        eddy_crc32c(0, p, len - 4) != eddy_get_be32(end - 4))
        goto bad;
    offset = (int64_t)eddy_get_be64(p + 8);
    uint32_t count = eddy_get_be32(p + 16);
    p += 20;
    end -= 4;
    for (uint32_t i = 0; i < count; i++) {
        if (end - p < 11)
            goto bad;
        broker_batch_header h = {0};
        h.producer_id = (int64_t)eddy_get_be64(p);
        h.producer_epoch = (int16_t)eddy_get_be16(p + 8);
        int nb = p[10];
        p += 11;
        if (nb > BROKER_PRODUCER_CACHE || end - p < nb * 24)
            goto bad;
        for (int k = 0; k < nb; k++) {
            int32_t first = (int32_t)eddy_get_be32(p), last = (int32_t)eddy_get_be32(p + 4);
            h.base_sequence = first;
            h.base_offset = (int64_t)eddy_get_be64(p + 8);
            h.last_offset_delta = (int32_t)((int64_t)eddy_get_be64(p + 16) - h.base_offset);
            (void)last;
            if (broker__producers_update(t, &h) != 0)
                goto bad;
            p += 24;
        }
    }
    eddy_free(data);
    return offset;
bad:
    eddy_free(data);
    broker__producers_free(t);
    return 0;
}
