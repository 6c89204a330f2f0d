/*
 * binval.c - compact binary encodings of SQL values, directed by their type (no type tags):
 * one for values (aggregate states and rows kept in LMDB and changelog topics), one for keys
 * whose byte order (memcmp) follows eddy_value_compare, for LMDB keys of GROUP BY and window
 * stores.
 *
 * VALUE FORMAT (eddy_binval_encode). A top-level value is one flag byte (0 = NULL, 1 = present)
 * followed, when present, by its body. Bodies:
 *   BOOLEAN                one byte, 0 or 1
 *   INT, DATE, TIME        zig-zag varint (at most 5 bytes, int32 range)
 *   BIGINT, TIMESTAMP      zig-zag varlong (at most 10 bytes)
 *   DOUBLE                 8 bytes, the IEEE 754 bits big-endian
 *   DECIMAL                varint scale (0..255), one length byte L (1..16), then the unscaled
 *                          value as the L-byte minimal big-endian two's complement
 *   STRING, BYTES          varint length, then the bytes
 *   ARRAY                  varint n, a null bitmap of n bits (bit i of byte i/8, low bit
 *                          first; set = NULL), then the bodies of the non-NULL elements
 *   MAP                    varint n, a null bitmap over the 2n items key0, value0, key1, ...,
 *                          then the bodies of the non-NULL items
 *   STRUCT                 a null bitmap over the type's fields, then the non-NULL bodies
 *   NULL (the type)        nothing (its values are always NULL)
 * Lengths and counts are zig-zag varints like Kafka's (negative ones are corrupt).
 *
 * KEY FORMAT (eddy_binval_encode_key). Every value is a tag byte, 0x00 for NULL (so NULL sorts
 * first, as in eddy_value_compare) or 0x01, then:
 *   BOOLEAN                one byte 0/1
 *   INT, DATE, TIME        4 bytes big-endian with the sign bit flipped
 *   BIGINT, TIMESTAMP      8 bytes big-endian with the sign bit flipped
 *   DOUBLE                 8 bytes: the bits of a canonical NaN for any NaN; negative numbers
 *                          have all bits inverted, others the sign bit set (Double.compare:
 *                          -0.0 < 0.0, NaN last)
 *   DECIMAL                the unscaled value at the type's scale as 16 bytes big-endian with
 *                          the sign bit flipped
 *   STRING, BYTES          the bytes with 0x00 written as 0x00 0xFF, ended by 0x00 0x01. For
 *                          STRING, bytes 0xEE and 0xEF (the lead bytes of U+E000..U+FFFF) are
 *                          written as 0xF5 and 0xF6 and bytes 0xF5..0xFF (never in UTF-8) as
 *                          0xFF b, so valid UTF-8 orders as Java's UTF-16 compareTo does
 *   ARRAY                  0x01 before each element key, 0x00 at the end (element-wise, then
 *                          shorter first)
 *   STRUCT                 the fields' keys in order
 *   MAP                    the entry count as 4 bytes big-endian, then key and value keys of
 *                          the entries sorted by key
 * Order is preserved (memcmp order equals eddy_value_compare order between values of the same
 * type) for BOOLEAN, INT, BIGINT, DOUBLE, DECIMAL, STRING (valid UTF-8), BYTES, TIME, DATE,
 * TIMESTAMP, and ARRAY and STRUCT of those. MAP keys are equal exactly when the maps are equal
 * and sort by size first; between maps of one size the order is not eddy_value_compare's.
 * Keys are self-delimiting, so a key can be followed by other bytes (a window start) and
 * concatenated keys still sort field by field.
 *
 * Decoders check every length and count against the input and reject any byte sequence the
 * encoder would not produce (bad flags, booleans other than 0/1, overlong varints, DECIMAL
 * lengths outside 1..16 or non-minimal, bad escapes) with EDDY_ECORRUPT: they never read past
 * 'len' and never crash on hostile input. Recursion depth is bounded by the type's depth.
 */
#include "common_int.h"

#include <math.h>
#include <stdlib.h>

/* ---------------------------------------------------------------------------------------------
 * Value encoding
 * ------------------------------------------------------------------------------------------- */

static int put_varlong(eddy_buf *out, int64_t v)
{
    uint8_t tmp[EDDY_VARLONG_MAX];
    size_t n = eddy_varlong_put(tmp, v);
    return eddy_buf_append(out, tmp, n);
}

/* Minimal two's complement length of an __int128 (1..16 bytes). */
static int dec_len(__int128 u)
{
    int n = 16;
    while (n > 1) {
        /* The top byte is redundant when it is a pure sign extension of the next one. */
        __int128 shifted = u >> ((n - 1) * 8 - 1);
        if (shifted != 0 && shifted != -1)
            break;
        n--;
    }
    return n;
}

static int enc_bitmap(const eddy_value *items, size_t n, eddy_buf *out)
{
    size_t nb = (n + 7) / 8;
    if (nb == 0)
        return 0;
    int rc = eddy_buf_reserve(out, nb);
    if (rc)
        return rc;
    uint8_t *p = out->data + out->len;
    memset(p, 0, nb);
    for (size_t i = 0; i < n; i++)
        if (items[i].null)
            p[i / 8] |= (uint8_t)(1u << (i % 8));
    out->len += nb;
    return 0;
}

static int enc_body(const eddy_value *v, const eddy_type *t, eddy_buf *out, eddy_err *err);

static int enc_items(const eddy_value *items, size_t n, const eddy_type *t0,
                     const eddy_type *t1, const eddy_type *st, eddy_buf *out, eddy_err *err)
{
    if (enc_bitmap(items, n, out))
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        if (items[i].null)
            continue;
        const eddy_type *it = st ? st->fields[i].type : (i % 2 == 0 || !t1) ? t0 : t1;
        int rc = enc_body(&items[i], it, out, err);
        if (rc)
            return rc;
    }
    return 0;
}

static int enc_body(const eddy_value *v, const eddy_type *t, eddy_buf *out, eddy_err *err)
{
    uint8_t b[17];
    int rc = 0;
    switch (t->kind) {
    case EDDY_T_NULL:
        return 0;
    case EDDY_T_BOOLEAN:
        b[0] = v->u.b ? 1 : 0;
        rc = eddy_buf_append(out, b, 1);
        break;
    case EDDY_T_INT:
    case EDDY_T_DATE:
    case EDDY_T_TIME:
        rc = put_varlong(out, v->u.i32);
        break;
    case EDDY_T_BIGINT:
    case EDDY_T_TIMESTAMP:
        rc = put_varlong(out, v->u.i64);
        break;
    case EDDY_T_DOUBLE: {
        uint64_t bits;
        memcpy(&bits, &v->u.f64, 8);
        eddy_put_be64(b, bits);
        rc = eddy_buf_append(out, b, 8);
        break;
    }
    case EDDY_T_DECIMAL: {
        eddy_decimal d = eddy_value_get_decimal(v);
        int n = dec_len(d.unscaled);
        rc = put_varlong(out, d.scale);
        b[0] = (uint8_t)n;
        for (int i = 0; i < n; i++)
            b[1 + i] = (uint8_t)(d.unscaled >> ((n - 1 - i) * 8));
        if (rc == 0)
            rc = eddy_buf_append(out, b, (size_t)n + 1);
        break;
    }
    case EDDY_T_STRING:
    case EDDY_T_BYTES:
        rc = put_varlong(out, v->n);
        if (rc == 0 && v->n)
            rc = eddy_buf_append(out, v->u.str, v->n);
        break;
    case EDDY_T_ARRAY:
        if (put_varlong(out, v->n))
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        return enc_items(v->u.items, v->n, t->elem, NULL, NULL, out, err);
    case EDDY_T_MAP:
        if (put_varlong(out, v->n))
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        return enc_items(v->u.items, (size_t)v->n * 2, t->key, t->elem, NULL, out, err);
    case EDDY_T_STRUCT:
        if (v->n != t->nfields)
            return eddy_err_set(err, EDDY_EINVAL, "struct value has %u fields, its type %u",
                                v->n, t->nfields);
        return enc_items(v->u.items, v->n, NULL, NULL, t, out, err);
    default:
        return eddy_err_set(err, EDDY_EINVAL, "cannot encode a value of kind %d", t->kind);
    }
    return rc ? eddy_err_set(err, EDDY_ENOMEM, "out of memory") : 0;
}

int eddy_binval_encode(const eddy_value *v, const eddy_type *t, eddy_buf *out, eddy_err *err)
{
    uint8_t flag = v->null ? 0 : 1;
    size_t start = out->len;
    if (eddy_buf_append(out, &flag, 1))
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    int rc = v->null ? 0 : enc_body(v, t, out, err);
    if (rc)
        out->len = start;
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Value decoding
 * ------------------------------------------------------------------------------------------- */

typedef struct rd {
    const uint8_t *p, *end;
    eddy_arena *a;
    eddy_err *err;
} rd;

static int corrupt(rd *r, const char *what)
{
    return eddy_err_set(r->err, EDDY_ECORRUPT, "corrupt binary value: %s", what);
}

static int nomem(rd *r)
{
    return eddy_err_set(r->err, EDDY_ENOMEM, "out of memory");
}

static int get_varlong(rd *r, int64_t *out)
{
    size_t n = eddy_varlong_get(r->p, r->end, out);
    if (n == 0)
        return corrupt(r, "bad varint");
    r->p += n;
    return 0;
}

/* A non-negative length or count that fits in 32 bits. */
static int get_len(rd *r, uint32_t *out)
{
    int64_t v;
    int rc = get_varlong(r, &v);
    if (rc)
        return rc;
    if (v < 0 || v > (int64_t)UINT32_MAX)
        return corrupt(r, "bad length");
    *out = (uint32_t)v;
    return 0;
}

static int dec_body(rd *r, const eddy_type *t, eddy_value *out);

static int dec_items(rd *r, size_t n, const eddy_type *t0, const eddy_type *t1,
                     const eddy_type *st, eddy_value **items_out)
{
    size_t nb = (n + 7) / 8;
    if ((size_t)(r->end - r->p) < nb)
        return corrupt(r, "truncated null bitmap");
    const uint8_t *bm = r->p;
    r->p += nb;
    if (n % 8 && (bm[nb - 1] >> (n % 8)) != 0)
        return corrupt(r, "bad null bitmap padding");
    eddy_value *items = NULL;
    if (n) {
        items = eddy_arena_alloc(r->a, n * sizeof *items);
        if (!items)
            return nomem(r);
    }
    for (size_t i = 0; i < n; i++) {
        const eddy_type *it = st ? st->fields[i].type : (i % 2 == 0 || !t1) ? t0 : t1;
        if (bm[i / 8] & (1u << (i % 8))) {
            items[i] = eddy_value_null((eddy_type_kind)it->kind);
            continue;
        }
        int rc = dec_body(r, it, &items[i]);
        if (rc)
            return rc;
    }
    *items_out = items;
    return 0;
}

static int dec_body(rd *r, const eddy_type *t, eddy_value *out)
{
    int64_t v;
    uint32_t n;
    int rc;
    *out = eddy_value_null((eddy_type_kind)t->kind);
    out->null = 0;
    switch (t->kind) {
    case EDDY_T_NULL:
        out->null = 1;
        return 0;
    case EDDY_T_BOOLEAN:
        if (r->p >= r->end)
            return corrupt(r, "truncated boolean");
        if (*r->p > 1)
            return corrupt(r, "bad boolean");
        out->u.b = *r->p++ == 1;
        return 0;
    case EDDY_T_INT:
    case EDDY_T_DATE:
    case EDDY_T_TIME:
        if ((rc = get_varlong(r, &v)))
            return rc;
        if (v < INT32_MIN || v > INT32_MAX)
            return corrupt(r, "integer out of range");
        out->u.i32 = (int32_t)v;
        return 0;
    case EDDY_T_BIGINT:
    case EDDY_T_TIMESTAMP:
        return get_varlong(r, &out->u.i64);
    case EDDY_T_DOUBLE: {
        if (r->end - r->p < 8)
            return corrupt(r, "truncated double");
        uint64_t bits = eddy_get_be64(r->p);
        memcpy(&out->u.f64, &bits, 8);
        r->p += 8;
        return 0;
    }
    case EDDY_T_DECIMAL: {
        if ((rc = get_varlong(r, &v)))
            return rc;
        if (v < 0 || v > 255)
            return corrupt(r, "bad decimal scale");
        if (r->p >= r->end)
            return corrupt(r, "truncated decimal");
        int len = *r->p++;
        if (len < 1 || len > 16 || r->end - r->p < len)
            return corrupt(r, "bad decimal length");
        unsigned __int128 u = (r->p[0] & 0x80) ? ~(unsigned __int128)0 : 0;
        for (int i = 0; i < len; i++)
            u = (u << 8) | r->p[i];
        r->p += len;
        eddy_decimal d = {(__int128)u, (int32_t)v};
        if (dec_len(d.unscaled) != len)
            return corrupt(r, "non-minimal decimal");
        *out = eddy_value_decimal(&d);
        return 0;
    }
    case EDDY_T_STRING:
    case EDDY_T_BYTES:
        if ((rc = get_len(r, &n)))
            return rc;
        if ((size_t)(r->end - r->p) < n)
            return corrupt(r, "truncated string");
        out->n = n;
        out->u.str = "";
        if (n) {
            char *s = eddy_arena_memdup(r->a, r->p, n);
            if (!s)
                return nomem(r);
            out->u.str = s;
        }
        r->p += n;
        return 0;
    case EDDY_T_ARRAY:
    case EDDY_T_MAP: {
        if ((rc = get_len(r, &n)))
            return rc;
        size_t count = (size_t)n * (t->kind == EDDY_T_MAP ? 2 : 1);
        /* Each item takes at least one bitmap bit: reject counts the input cannot hold
         * before allocating. */
        if ((count + 7) / 8 > (size_t)(r->end - r->p))
            return corrupt(r, "count larger than the input");
        out->n = n;
        return dec_items(r, count, t->kind == EDDY_T_MAP ? t->key : t->elem,
                         t->kind == EDDY_T_MAP ? t->elem : NULL, NULL, &out->u.items);
    }
    case EDDY_T_STRUCT:
        out->n = t->nfields;
        return dec_items(r, t->nfields, NULL, NULL, t, &out->u.items);
    default:
        return eddy_err_set(r->err, EDDY_EINVAL, "cannot decode a value of kind %d", t->kind);
    }
}

int eddy_binval_decode(const uint8_t *p, size_t len, const eddy_type *t, eddy_arena *a,
                       eddy_value *out, size_t *used, eddy_err *err)
{
    rd r = {p, p + len, a, err};
    if (len == 0)
        return corrupt(&r, "empty input");
    if (p[0] > 1)
        return corrupt(&r, "bad null flag");
    r.p++;
    int rc = 0;
    if (p[0] == 0)
        *out = eddy_value_null((eddy_type_kind)t->kind);
    else
        rc = dec_body(&r, t, out);
    if (rc == 0 && used)
        *used = (size_t)(r.p - p);
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Key encoding
 * ------------------------------------------------------------------------------------------- */

static int key_rec(const eddy_value *v, const eddy_type *t, eddy_buf *out, eddy_err *err);

static int key_bytes(const eddy_value *v, bool string, eddy_buf *out)
{
    const uint8_t *s = (const uint8_t *)v->u.str;
    if (eddy_buf_reserve(out, (size_t)v->n * 2 + 2))
        return EDDY_ENOMEM;
    uint8_t *p = out->data + out->len;
    for (uint32_t i = 0; i < v->n; i++) {
        uint8_t c = s[i];
        if (c == 0) {
            *p++ = 0x00;
            *p++ = 0xFF;
        } else if (string && (c == 0xEE || c == 0xEF)) {
            *p++ = (uint8_t)(c + 7);
        } else if (string && c >= 0xF5) {
            *p++ = 0xFF;
            *p++ = c;
        } else {
            *p++ = c;
        }
    }
    *p++ = 0x00;
    *p++ = 0x01;
    out->len = (size_t)(p - out->data);
    return 0;
}

typedef struct map_entry {
    const eddy_value *k, *v;
} map_entry;

static int cmp_entry(const void *x, const void *y)
{
    return eddy_value_compare(((const map_entry *)x)->k, ((const map_entry *)y)->k);
}

static int key_body(const eddy_value *v, const eddy_type *t, eddy_buf *out, eddy_err *err)
{
    uint8_t b[16];
    int rc = 0;
    switch (t->kind) {
    case EDDY_T_NULL:
        return 0;
    case EDDY_T_BOOLEAN:
        b[0] = v->u.b ? 1 : 0;
        rc = eddy_buf_append(out, b, 1);
        break;
    case EDDY_T_INT:
    case EDDY_T_DATE:
    case EDDY_T_TIME:
        eddy_put_be32(b, (uint32_t)v->u.i32 ^ 0x80000000u);
        rc = eddy_buf_append(out, b, 4);
        break;
    case EDDY_T_BIGINT:
    case EDDY_T_TIMESTAMP:
        eddy_put_be64(b, (uint64_t)v->u.i64 ^ 0x8000000000000000ull);
        rc = eddy_buf_append(out, b, 8);
        break;
    case EDDY_T_DOUBLE: {
        uint64_t bits;
        double d = v->u.f64;
        if (isnan(d))
            bits = 0x7ff8000000000000ull;
        else
            memcpy(&bits, &d, 8);
        bits = (bits & 0x8000000000000000ull) ? ~bits : bits | 0x8000000000000000ull;
        eddy_put_be64(b, bits);
        rc = eddy_buf_append(out, b, 8);
        break;
    }
    case EDDY_T_DECIMAL: {
        eddy_decimal d = eddy_value_get_decimal(v);
        if (d.scale != t->scale) {
            rc = eddy_decimal_rescale(&d, t->scale, false, &d, err);
            if (rc)
                return rc;
        }
        unsigned __int128 u = (unsigned __int128)d.unscaled ^ ((unsigned __int128)1 << 127);
        for (int i = 0; i < 16; i++)
            b[i] = (uint8_t)(u >> ((15 - i) * 8));
        rc = eddy_buf_append(out, b, 16);
        break;
    }
    case EDDY_T_STRING:
    case EDDY_T_BYTES:
        rc = key_bytes(v, t->kind == EDDY_T_STRING, out);
        break;
    case EDDY_T_ARRAY:
        for (uint32_t i = 0; i < v->n; i++) {
            b[0] = 1;
            if (eddy_buf_append(out, b, 1))
                return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
            if ((rc = key_rec(&v->u.items[i], t->elem, out, err)))
                return rc;
        }
        b[0] = 0;
        rc = eddy_buf_append(out, b, 1);
        break;
    case EDDY_T_STRUCT:
        if (v->n != t->nfields)
            return eddy_err_set(err, EDDY_EINVAL, "struct value has %u fields, its type %u",
                                v->n, t->nfields);
        for (uint32_t i = 0; i < v->n; i++)
            if ((rc = key_rec(&v->u.items[i], t->fields[i].type, out, err)))
                return rc;
        return 0;
    case EDDY_T_MAP: {
        eddy_put_be32(b, v->n);
        if (eddy_buf_append(out, b, 4))
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        if (v->n == 0)
            return 0;
        map_entry *es = eddy_malloc(sizeof *es * v->n);
        if (!es)
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        for (uint32_t i = 0; i < v->n; i++) {
            es[i].k = &v->u.items[2 * i];
            es[i].v = &v->u.items[2 * i + 1];
        }
        qsort(es, v->n, sizeof *es, cmp_entry);
        for (uint32_t i = 0; i < v->n && rc == 0; i++) {
            rc = key_rec(es[i].k, t->key, out, err);
            if (rc == 0)
                rc = key_rec(es[i].v, t->elem, out, err);
        }
        eddy_free(es);
        return rc;
    }
    default:
        return eddy_err_set(err, EDDY_EINVAL, "cannot encode a key of kind %d", t->kind);
    }
    return rc ? eddy_err_set(err, EDDY_ENOMEM, "out of memory") : 0;
}

static int key_rec(const eddy_value *v, const eddy_type *t, eddy_buf *out, eddy_err *err)
{
    uint8_t tag = v->null ? 0 : 1;
    if (eddy_buf_append(out, &tag, 1))
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    return v->null ? 0 : key_body(v, t, out, err);
}

int eddy_binval_encode_key(const eddy_value *v, const eddy_type *t, eddy_buf *out,
                           eddy_err *err)
{
    size_t start = out->len;
    int rc = key_rec(v, t, out, err);
    if (rc)
        out->len = start;
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Key decoding
 * ------------------------------------------------------------------------------------------- */

static int kdec_rec(rd *r, const eddy_type *t, eddy_value *out);

static int kdec_bytes(rd *r, bool string, eddy_value *out)
{
    /* First pass: find the terminator and the decoded length. */
    const uint8_t *q = r->p;
    size_t n = 0;
    for (;;) {
        if (q >= r->end)
            return corrupt(r, "unterminated key string");
        uint8_t c = *q++;
        if (c == 0) {
            if (q >= r->end)
                return corrupt(r, "unterminated key string");
            uint8_t e = *q++;
            if (e == 0x01)
                break;
            if (e != 0xFF)
                return corrupt(r, "bad key escape");
            n++;
        } else if (string && c == 0xFF) {
            if (q >= r->end || *q < 0xF5)
                return corrupt(r, "bad key escape");
            q++;
            n++;
        } else if (string && ((c >= 0xEE && c <= 0xF4) || (c >= 0xF7 && c <= 0xFE))) {
            return corrupt(r, "bad key string byte");
        } else {
            n++;
        }
    }
    char *s = n ? eddy_arena_alloc(r->a, n) : NULL;
    if (n && !s)
        return nomem(r);
    size_t i = 0;
    while (r->p < q - 2) {
        uint8_t c = *r->p++;
        if (c == 0) {
            r->p++;
            s[i++] = 0;
        } else if (string && c == 0xFF) {
            s[i++] = (char)*r->p++;
        } else if (string && (c == 0xF5 || c == 0xF6)) {
            s[i++] = (char)(c - 7);
        } else {
            s[i++] = (char)c;
        }
    }
    r->p = q;
    out->n = (uint32_t)n;
    out->u.str = s ? s : "";
    return 0;
}

static int kdec_body(rd *r, const eddy_type *t, eddy_value *out)
{
    *out = eddy_value_null((eddy_type_kind)t->kind);
    out->null = 0;
    switch (t->kind) {
    case EDDY_T_NULL:
        out->null = 1;
        return 0;
    case EDDY_T_BOOLEAN:
        if (r->p >= r->end || *r->p > 1)
            return corrupt(r, "bad key boolean");
        out->u.b = *r->p++ == 1;
        return 0;
    case EDDY_T_INT:
    case EDDY_T_DATE:
    case EDDY_T_TIME:
        if (r->end - r->p < 4)
            return corrupt(r, "truncated key integer");
        out->u.i32 = (int32_t)(eddy_get_be32(r->p) ^ 0x80000000u);
        r->p += 4;
        return 0;
    case EDDY_T_BIGINT:
    case EDDY_T_TIMESTAMP:
        if (r->end - r->p < 8)
            return corrupt(r, "truncated key integer");
        out->u.i64 = (int64_t)(eddy_get_be64(r->p) ^ 0x8000000000000000ull);
        r->p += 8;
        return 0;
    case EDDY_T_DOUBLE: {
        if (r->end - r->p < 8)
            return corrupt(r, "truncated key double");
        uint64_t bits = eddy_get_be64(r->p);
        bits = (bits & 0x8000000000000000ull) ? bits & ~0x8000000000000000ull : ~bits;
        memcpy(&out->u.f64, &bits, 8);
        r->p += 8;
        return 0;
    }
    case EDDY_T_DECIMAL: {
        if (r->end - r->p < 16)
            return corrupt(r, "truncated key decimal");
        unsigned __int128 u = 0;
        for (int i = 0; i < 16; i++)
            u = (u << 8) | r->p[i];
        r->p += 16;
        eddy_decimal d = {(__int128)(u ^ ((unsigned __int128)1 << 127)), t->scale};
        *out = eddy_value_decimal(&d);
        return 0;
    }
    case EDDY_T_STRING:
    case EDDY_T_BYTES:
        return kdec_bytes(r, t->kind == EDDY_T_STRING, out);
    case EDDY_T_ARRAY: {
        /* Count the elements by decoding into a growing scratch array. */
        size_t cap = 8, n = 0;
        eddy_value *items = eddy_arena_alloc(r->a, cap * sizeof *items);
        if (!items)
            return nomem(r);
        for (;;) {
            if (r->p >= r->end)
                return corrupt(r, "truncated key array");
            uint8_t m = *r->p++;
            if (m == 0)
                break;
            if (m != 1)
                return corrupt(r, "bad key array marker");
            if (n == cap) {
                eddy_value *bigger = eddy_arena_alloc(r->a, cap * 2 * sizeof *items);
                if (!bigger)
                    return nomem(r);
                memcpy(bigger, items, n * sizeof *items);
                items = bigger;
                cap *= 2;
            }
            int rc = kdec_rec(r, t->elem, &items[n]);
            if (rc)
                return rc;
            n++;
        }
        if (n > UINT32_MAX)
            return corrupt(r, "key array too long");
        out->n = (uint32_t)n;
        out->u.items = items;
        return 0;
    }
    case EDDY_T_STRUCT: {
        eddy_value *items = NULL;
        if (t->nfields) {
            items = eddy_arena_alloc(r->a, t->nfields * sizeof *items);
            if (!items)
                return nomem(r);
        }
        for (uint32_t i = 0; i < t->nfields; i++) {
            int rc = kdec_rec(r, t->fields[i].type, &items[i]);
            if (rc)
                return rc;
        }
        out->n = t->nfields;
        out->u.items = items;
        return 0;
    }
    case EDDY_T_MAP: {
        if (r->end - r->p < 4)
            return corrupt(r, "truncated key map");
        uint32_t n = eddy_get_be32(r->p);
        r->p += 4;
        /* Every entry takes at least two tag bytes. */
        if ((size_t)n * 2 > (size_t)(r->end - r->p))
            return corrupt(r, "key map count larger than the input");
        eddy_value *items = NULL;
        if (n) {
            items = eddy_arena_alloc(r->a, (size_t)n * 2 * sizeof *items);
            if (!items)
                return nomem(r);
        }
        for (uint32_t i = 0; i < n; i++) {
            int rc = kdec_rec(r, t->key, &items[2 * i]);
            if (rc == 0)
                rc = kdec_rec(r, t->elem, &items[2 * i + 1]);
            if (rc)
                return rc;
        }
        out->n = n;
        out->u.items = items;
        return 0;
    }
    default:
        return eddy_err_set(r->err, EDDY_EINVAL, "cannot decode a key of kind %d", t->kind);
    }
}

static int kdec_rec(rd *r, const eddy_type *t, eddy_value *out)
{
    if (r->p >= r->end)
        return corrupt(r, "truncated key");
    uint8_t tag = *r->p++;
    if (tag > 1)
        return corrupt(r, "bad key null tag");
    if (tag == 0) {
        *out = eddy_value_null((eddy_type_kind)t->kind);
        return 0;
    }
    return kdec_body(r, t, out);
}

int eddy_binval_decode_key(const uint8_t *p, size_t len, const eddy_type *t, eddy_arena *a,
                           eddy_value *out, size_t *used, eddy_err *err)
{
    rd r = {p, p + len, a, err};
    int rc = kdec_rec(&r, t, out);
    if (rc == 0 && used)
        *used = (size_t)(r.p - p);
    return rc;
}
