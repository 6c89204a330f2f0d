/*
 * serde/fmt_json.c - the JSON format: schema-directed decoding of a record into row columns,
 * and encoding of row columns into a record.
 *
 * Decoding follows ksqlDB's KsqlJsonDeserializer and JsonSerdeUtils (Jackson reading with
 * USE_BIG_DECIMAL_FOR_FLOATS and exact BigDecimals):
 *  - The bytes are parsed once into the exact-number document model (json.c) in the caller's
 *    arena, strings and numbers borrowed from the input; anything after the first JSON value
 *    is ignored (ObjectMapper.readTree); empty input is Jackson's MissingNode.
 *  - A wrapped record must be an object ("Can't convert type. sourceType: ArrayNode,
 *    requiredType: STRUCT<...>"); JSON null there is a null row. Columns and STRUCT fields
 *    are found by exact name, else as the member whose upper-cased name equals the column
 *    name (quoted lower-case columns match only exactly); a repeated member name means its
 *    last value (Jackson's ObjectNode, then a HashMap). Missing members and JSON null are NULL.
 *  - Conversions: BOOLEAN only from true/false. INT/BIGINT from any number as Java's
 *    intValue()/longValue() (fraction truncated, overflow wraps) or from a string via
 *    Integer.parseInt/Long.parseLong. DOUBLE from any number (correctly rounded) or a string
 *    via Double.parseDouble. DECIMAL from a number or a string, exactly (DecimalUtil
 *    .ensureFit: the scale may grow, never round). STRING from a string as is, from a number
 *    as Jackson's asText() (BigDecimal.toString for fractions), from true/false, from an
 *    object as its JSON text and from an array as "[a, b]" of its elements as strings.
 *    BYTES from base64 strings. TIMESTAMP (ms), DATE (days) and TIME (ms of the day, 0 to
 *    86400000) from numbers or numeric strings. ARRAY from arrays, MAP from objects.
 *  - Errors read "Failed to deserialize value. Can't convert type. sourceType: TextNode,
 *    requiredType: INTEGER, path: $.F" (ksqlDB also names the topic, which a serde does not
 *    know; and never quotes row data here).
 *
 * Encoding follows Kafka Connect's JsonConverter as ksqlDB configures it (schemas off,
 * decimals NUMERIC): an object of the columns named as declared (or the bare single value),
 * null as null, DOUBLE as Java's Double.toString (NaN and infinities as strings, as Jackson
 * quotes non-numeric numbers), DECIMAL as its plain digits with its scale, TIMESTAMP/DATE/TIME
 * as numbers, BYTES as base64 strings, STRUCT fields in declared order, MAP keys as strings.
 */
#include <stdarg.h>
#include <stdio.h>

#include "serde_int.h"

/* ---------------------------------------------------------------------------------------------
 * Decoding
 * ------------------------------------------------------------------------------------------- */

#define MAX_PATH 24

typedef struct jpath {
    const char *name;   /* field or map key; NULL for an array index */
    uint32_t len;
    uint32_t index;
    bool map_value;
} jpath;

typedef struct jdec {
    eddy_arena *a;
    bool nomem;
    char msg[200];          /* the innermost error, without the path */
    jpath path[MAX_PATH];   /* collected innermost first while unwinding */
    int npath;
    eddy_buf scratch;       /* STRING from objects and arrays */
} jdec;

static int fail(jdec *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(jdec *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->msg, sizeof c->msg, fmt, ap);
    va_end(ap);
    return EDDY_EINVAL;
}

static int nomem(jdec *c)
{
    c->nomem = true;
    return EDDY_ENOMEM;
}

static void add_path(jdec *c, const char *name, uint32_t len, uint32_t index, bool map_value)
{
    if (c->npath < MAX_PATH)
        c->path[c->npath++] = (jpath){name, len, index, map_value};
}

static int conv_fail(jdec *c, const serde_json *v, const eddy_type *t)
{
    eddy_buf b;
    eddy_buf_init(&b);
    if (eddy_type_format(t, &b) != 0 || !eddy_buf_cstr(&b)) {
        eddy_buf_free(&b);
        return nomem(c);
    }
    fail(c, "Can't convert type. sourceType: %s, requiredType: %s", serde__json_node_class(v),
         (const char *)b.data);
    eddy_buf_free(&b);
    return EDDY_EINVAL;
}

static int coerce_fail(jdec *c, const eddy_type *t)
{
    return fail(c, "Can't coerce string to type. targetType: %s",
                eddy_type_kind_name((eddy_type_kind)t->kind));
}

/* The member for column or field 'name': exact, else the one whose upper-cased name is
 * 'name'; the last one of either kind when names repeat. */
static const serde_json *find_member(const serde_json *obj, const char *name, size_t n)
{
    const serde_json *up = NULL;
    for (uint32_t i = obj->n; i-- > 0;) {
        if (obj->key_lens[i] != n)
            continue;
        const char *k = obj->keys[i];
        if (memcmp(k, name, n) == 0)
            return &obj->items[i];
        if (up)
            continue;
        size_t j = 0;
        for (; j < n; j++) {
            unsigned char x = (unsigned char)k[j];
            if (x >= 'a' && x <= 'z')
                x = (unsigned char)(x - 32);
            if (x != (unsigned char)name[j])
                break;
        }
        if (j == n)
            up = &obj->items[i];
    }
    return up;
}

/* Jackson's asText()/processString for STRING columns, appended to 'b'. */
static int text_of(jdec *c, const serde_json *v, eddy_buf *b);

/* Write 'v' as Jackson writes the Map/List it converts to (for STRING from an object):
 * numbers as BigDecimal.toString, repeated names once (first position, last value). */
static int write_as_java(jdec *c, const serde_json *v, eddy_buf *b)
{
    int rc = 0;
    switch (v->kind) {
    case SERDE_JSON_NUMBER:
        rc = serde__num_as_text(v->text, v->len, b);
        break;
    case SERDE_JSON_STRING:
        rc = serde__json_write_string(v->text, v->len, b);
        break;
    case SERDE_JSON_ARRAY:
        rc = eddy_buf_append(b, "[", 1);
        for (uint32_t i = 0; i < v->n && rc == 0; i++) {
            if (i)
                rc = eddy_buf_append(b, ",", 1);
            if (rc == 0)
                rc = write_as_java(c, &v->items[i], b);
        }
        if (rc == 0)
            rc = eddy_buf_append(b, "]", 1);
        break;
    case SERDE_JSON_OBJECT: {
        rc = eddy_buf_append(b, "{", 1);
        bool first = true;
        for (uint32_t i = 0; i < v->n && rc == 0; i++) {
            bool seen = false;
            for (uint32_t j = 0; j < i && !seen; j++)
                seen = v->key_lens[j] == v->key_lens[i] &&
                       memcmp(v->keys[j], v->keys[i], v->key_lens[i]) == 0;
            if (seen)
                continue;
            uint32_t last = i;
            for (uint32_t j = i + 1; j < v->n; j++)
                if (v->key_lens[j] == v->key_lens[i] &&
                    memcmp(v->keys[j], v->keys[i], v->key_lens[i]) == 0)
                    last = j;
            if (!first)
                rc |= eddy_buf_append(b, ",", 1);
            first = false;
            rc |= serde__json_write_string(v->keys[i], v->key_lens[i], b);
            rc |= eddy_buf_append(b, ":", 1);
            if (rc == 0)
                rc = write_as_java(c, &v->items[last], b);
        }
        if (rc == 0)
            rc = eddy_buf_append(b, "}", 1);
        break;
    }
    default:
        rc = serde_json_write(v, b);
    }
    return rc ? nomem(c) : 0;
}

static int text_of(jdec *c, const serde_json *v, eddy_buf *b)
{
    int rc = 0;
    if (!v || v->kind == SERDE_JSON_NULL)
        rc = eddy_buf_append(b, "null", 4);
    else if (v->kind == SERDE_JSON_STRING)
        rc = eddy_buf_append(b, v->text, v->len);
    else if (v->kind == SERDE_JSON_NUMBER)
        rc = serde__num_as_text(v->text, v->len, b);
    else if (v->kind == SERDE_JSON_BOOL)
        rc = v->b ? eddy_buf_append(b, "true", 4) : eddy_buf_append(b, "false", 5);
    else if (v->kind == SERDE_JSON_OBJECT)
        return write_as_java(c, v, b);
    else {
        rc = eddy_buf_append(b, "[", 1);
        for (uint32_t i = 0; i < v->n && rc == 0; i++) {
            if (i)
                rc = eddy_buf_append(b, ", ", 2);
            if (rc == 0)
                rc = text_of(c, &v->items[i], b);
        }
        if (rc == 0)
            rc = eddy_buf_append(b, "]", 1);
    }
    return rc ? nomem(c) : 0;
}

static int dec_string(jdec *c, const serde_json *v, eddy_value *out)
{
    if (v->kind == SERDE_JSON_STRING) {
        *out = eddy_value_string(v->text, v->len);
        return 0;
    }
    if (v->kind == SERDE_JSON_BOOL) {
        *out = v->b ? eddy_value_string("true", 4) : eddy_value_string("false", 5);
        return 0;
    }
    if (v->kind == SERDE_JSON_NUMBER && !serde_json_number_is_fractional(v) &&
        !(v->len == 2 && v->text[0] == '-' && v->text[1] == '0')) {
        *out = eddy_value_string(v->text, v->len);   /* integers: the text is asText() */
        return 0;
    }
    eddy_buf *b = &c->scratch;
    b->len = 0;
    int rc = text_of(c, v, b);
    if (rc)
        return rc;
    char *p = eddy_arena_memdup(c->a, b->len ? (const void *)b->data : "", b->len);
    if (!p)
        return nomem(c);
    *out = eddy_value_string(p, b->len);
    return 0;
}

/* A JSON number or numeric string as Java's long (JsonSerdeUtils.toLong/toTimestamp...). */
static int as_long(jdec *c, const serde_json *v, const eddy_type *t, int64_t *out)
{
    if (v->kind == SERDE_JSON_NUMBER) {
        *out = serde__num_long_value(v->text, v->len);
        return 0;
    }
    if (v->kind == SERDE_JSON_STRING) {
        if (eddy_i64_parse(v->text, v->len, out, NULL) != 0)
            return coerce_fail(c, t);
        return 0;
    }
    return conv_fail(c, v, t);
}

static int dec(jdec *c, const serde_json *v, const eddy_type *t, eddy_value *out);

static int dec_struct(jdec *c, const serde_json *v, const eddy_type *t, eddy_value *out)
{
    if (v->kind != SERDE_JSON_OBJECT)
        return conv_fail(c, v, t);
    eddy_value *items = NULL;
    if (t->nfields) {
        items = eddy_arena_alloc(c->a, t->nfields * sizeof *items);
        if (!items)
            return nomem(c);
    }
    for (uint32_t i = 0; i < t->nfields; i++) {
        const eddy_type_field *f = &t->fields[i];
        size_t n = strlen(f->name);
        int rc = dec(c, find_member(v, f->name, n), f->type, &items[i]);
        if (rc) {
            add_path(c, f->name, (uint32_t)n, 0, false);
            return rc;
        }
    }
    *out = eddy_value_composite(EDDY_T_STRUCT, items, t->nfields);
    return 0;
}

static int dec_array(jdec *c, const serde_json *v, const eddy_type *t, eddy_value *out)
{
    if (v->kind != SERDE_JSON_ARRAY)
        return conv_fail(c, v, t);
    eddy_value *items = NULL;
    if (v->n) {
        items = eddy_arena_alloc(c->a, v->n * sizeof *items);
        if (!items)
            return nomem(c);
    }
    for (uint32_t i = 0; i < v->n; i++) {
        int rc = dec(c, &v->items[i], t->elem, &items[i]);
        if (rc) {
            add_path(c, NULL, 0, i, false);
            return rc;
        }
    }
    *out = eddy_value_composite(EDDY_T_ARRAY, items, v->n);
    return 0;
}

/* Java's String.hashCode: over the UTF-16 code units of the UTF-8 text 's' (a malformed
 * byte counts as U+FFFD, as Java's decoder replaces it). */
static uint32_t java_string_hash(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    uint32_t h = 0;
    size_t i = 0;
    while (i < n) {
        uint32_t cp = p[i], need = 0;
        if (cp >= 0xF0 && cp < 0xF8) {
            cp &= 0x07;
            need = 3;
        } else if (cp >= 0xE0) {
            cp &= 0x0F;
            need = 2;
        } else if (cp >= 0xC0) {
            cp &= 0x1F;
            need = 1;
        } else if (cp >= 0x80) {
            cp = 0xFFFD;
        }
        i++;
        for (uint32_t k = 0; k < need; k++, i++) {
            if (i >= n || (p[i] & 0xC0) != 0x80) {
                cp = 0xFFFD;
                break;
            }
            cp = (cp << 6) | (p[i] & 0x3F);
        }
        if (cp > 0xFFFF) {
            cp -= 0x10000;
            h = 31 * h + (0xD800 + (cp >> 10));
            h = 31 * h + (0xDC00 + (cp & 0x3FF));
        } else {
            h = 31 * h + cp;
        }
    }
    return h;
}

/* ksqlDB's JSON deserializer builds a MAP as `new HashMap<>(size)`, and what iterates over it
 * (REDUCE, MAP_KEYS, TRANSFORM, the serializer) sees Java's HashMap order: by bucket - the
 * spread hash masked by the table size - then by insertion. Reorder the n key/value pairs at
 * 'items' so (a stable insertion sort: maps in records are small). */
static void hashmap_order(eddy_value *items, uint32_t n)
{
    if (n < 2)
        return;
    uint64_t cap = 1;
    while (cap < n)
        cap <<= 1;               /* HashMap.tableSizeFor(size) */
    while (n > cap * 3 / 4)
        cap <<= 1;               /* resizes past the 0.75 load factor */
    for (uint32_t i = 1; i < n; i++) {
        eddy_value k = items[2 * i], v = items[2 * i + 1];
        uint32_t h = java_string_hash(k.u.str, k.n);
        uint32_t b = (h ^ (h >> 16)) & (uint32_t)(cap - 1);
        uint32_t j = i;
        while (j > 0) {
            const eddy_value *pk = &items[2 * (j - 1)];
            uint32_t ph = java_string_hash(pk->u.str, pk->n);
            if (((ph ^ (ph >> 16)) & (uint32_t)(cap - 1)) <= b)
                break;
            items[2 * j] = items[2 * (j - 1)];
            items[2 * j + 1] = items[2 * (j - 1) + 1];
            j--;
        }
        items[2 * j] = k;
        items[2 * j + 1] = v;
    }
}

static int dec_map(jdec *c, const serde_json *v, const eddy_type *t, eddy_value *out)
{
    if (v->kind != SERDE_JSON_OBJECT)
        return conv_fail(c, v, t);
    eddy_value *items = NULL;
    uint32_t n = 0;
    if (v->n) {
        items = eddy_arena_alloc(c->a, (size_t)v->n * 2 * sizeof *items);
        if (!items)
            return nomem(c);
    }
    for (uint32_t i = 0; i < v->n; i++) {
        /* A repeated key keeps its last value (HashMap.put) at its first position. */
        bool earlier = false;
        for (uint32_t j = 0; j < i && !earlier; j++)
            earlier = v->key_lens[j] == v->key_lens[i] &&
                      memcmp(v->keys[j], v->keys[i], v->key_lens[i]) == 0;
        if (earlier)
            continue;
        uint32_t last = i;
        for (uint32_t j = i + 1; j < v->n; j++)
            if (v->key_lens[j] == v->key_lens[i] &&
                memcmp(v->keys[j], v->keys[i], v->key_lens[i]) == 0)
                last = j;
        items[2 * n] = eddy_value_string(v->keys[i], v->key_lens[i]);
        int rc = dec(c, &v->items[last], t->elem, &items[2 * n + 1]);
        if (rc) {
            add_path(c, v->keys[i], v->key_lens[i], 0, true);
            return rc;
        }
        n++;
    }
    hashmap_order(items, n);
    *out = eddy_value_composite(EDDY_T_MAP, items, n);
    return 0;
}

static int dec(jdec *c, const serde_json *v, const eddy_type *t, eddy_value *out)
{
    if (!v || v->kind == SERDE_JSON_NULL) {
        *out = eddy_value_null((eddy_type_kind)t->kind);
        return 0;
    }
    int64_t l;
    int rc;
    switch ((eddy_type_kind)t->kind) {
    case EDDY_T_BOOLEAN:
        if (v->kind != SERDE_JSON_BOOL)
            return conv_fail(c, v, t);
        *out = eddy_value_bool(v->b);
        return 0;
    case EDDY_T_INT:
        if (v->kind == SERDE_JSON_STRING) {
            int32_t i;
            if (eddy_i32_parse(v->text, v->len, &i, NULL) != 0)
                return coerce_fail(c, t);
            *out = eddy_value_int(i);
            return 0;
        }
        if ((rc = as_long(c, v, t, &l)) != 0)
            return rc;
        *out = eddy_value_int((int32_t)(uint32_t)(uint64_t)l);
        return 0;
    case EDDY_T_BIGINT:
        if ((rc = as_long(c, v, t, &l)) != 0)
            return rc;
        *out = eddy_value_bigint(l);
        return 0;
    case EDDY_T_TIMESTAMP:
        if ((rc = as_long(c, v, t, &l)) != 0)
            return rc;
        *out = eddy_value_timestamp(l);
        return 0;
    case EDDY_T_DATE:
        if ((rc = as_long(c, v, t, &l)) != 0)
            return rc;
        *out = eddy_value_date((int32_t)l);
        return 0;
    case EDDY_T_TIME:
        if ((rc = as_long(c, v, t, &l)) != 0)
            return rc;
        if (l < 0 || l > EDDY_MS_PER_DAY)
            return fail(c, "Time values must use number of milliseconds greater than 0 and "
                           "less than %lld.", (long long)EDDY_MS_PER_DAY);
        *out = eddy_value_time((int32_t)l);
        return 0;
    case EDDY_T_DOUBLE: {
        double d;
        if (v->kind != SERDE_JSON_NUMBER && v->kind != SERDE_JSON_STRING)
            return conv_fail(c, v, t);
        if (eddy_double_parse(v->text, v->len, &d, NULL) != 0)
            return coerce_fail(c, t);
        *out = eddy_value_double(d);
        return 0;
    }
    case EDDY_T_DECIMAL: {
        if (v->kind != SERDE_JSON_NUMBER && v->kind != SERDE_JSON_STRING)
            return conv_fail(c, v, t);
        eddy_decimal d;
        eddy_err e = {0};
        rc = eddy_decimal_parse_fit(v->text, v->len, t->precision, t->scale, true, &d, &e);
        if (rc == EDDY_ENOMEM)
            return nomem(c);
        if (rc)
            return fail(c, "%s", e.msg);
        *out = eddy_value_decimal(&d);
        return 0;
    }
    case EDDY_T_STRING:
        return dec_string(c, v, out);
    case EDDY_T_BYTES: {
        if (v->kind != SERDE_JSON_STRING)
            return conv_fail(c, v, t);
        const uint8_t *p;
        size_t n;
        eddy_err e = {0};
        rc = serde__base64_decode(v->text, v->len, c->a, &p, &n, &e);
        if (rc == EDDY_ENOMEM)
            return nomem(c);
        if (rc)
            return fail(c, "%s", e.msg);
        *out = eddy_value_bytes(p, n);
        return 0;
    }
    case EDDY_T_ARRAY:
        return dec_array(c, v, t, out);
    case EDDY_T_MAP:
        return dec_map(c, v, t, out);
    case EDDY_T_STRUCT:
        return dec_struct(c, v, t, out);
    default:
        return fail(c, "Type is not supported: %s", eddy_type_kind_name((eddy_type_kind)t->kind));
    }
}

/* Turn the collected failure into the caller's error. */
static int report(const serde *s, jdec *c, int rc, eddy_err *err)
{
    if (c->nomem || rc == EDDY_ENOMEM)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory decoding JSON");
    char path[160];
    size_t pn = 0;
    path[pn++] = '$';
    for (int i = c->npath; i-- > 0 && pn < sizeof path - 24;) {
        const jpath *p = &c->path[i];
        int w;
        if (p->name)
            w = snprintf(path + pn, sizeof path - pn, ".%.*s%s", (int)EDDY_MIN(p->len, 64u),
                         p->name, p->map_value ? ".value" : "");
        else
            w = snprintf(path + pn, sizeof path - pn, "[%u]", p->index);
        if (w < 0)
            break;
        pn = EDDY_MIN(pn + (size_t)w, sizeof path - 1);
    }
    path[pn] = 0;
    return eddy_err_set(err, EDDY_EINVAL, "Failed to deserialize %s. %s, path: %s",
                        s->is_key ? "key" : "value", c->msg, path);
}

/* The STRUCT type of a wrapped record's columns, for the top-level error message. */
static int row_conv_fail(const serde *s, jdec *c, const serde_json *v)
{
    eddy_buf b;
    eddy_buf_init(&b);
    int rc = eddy_buf_append(&b, "STRUCT<", 7);
    for (int i = 0; i < s->ncols && rc == 0; i++) {
        if (i)
            rc |= eddy_buf_append(&b, ", ", 2);
        rc |= eddy_buf_printf(&b, "`%s` ", s->cols[i].name);
        rc |= eddy_type_format(s->cols[i].type, &b);
    }
    rc |= eddy_buf_append(&b, ">", 1);
    if (rc || !eddy_buf_cstr(&b)) {
        eddy_buf_free(&b);
        return nomem(c);
    }
    fail(c, "Can't convert type. sourceType: %s, requiredType: %s", serde__json_node_class(v),
         (const char *)b.data);
    eddy_buf_free(&b);
    return EDDY_EINVAL;
}

int serde__json_decode(const serde *s, const uint8_t *data, size_t len, eddy_value *row,
                       eddy_arena *a, eddy_err *err)
{
    serde_json *doc;
    eddy_err pe = {0};
    int rc = serde__json_parse((const char *)data, len,
                               SERDE__JSON_BORROW | SERDE__JSON_IGNORE_TAIL |
                                   SERDE__JSON_ALLOW_EMPTY,
                               a, &doc, &pe);
    if (rc) {
        if (rc == EDDY_ENOMEM)
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory decoding JSON");
        return eddy_err_set(err, EDDY_EINVAL, "Failed to deserialize %s. %s",
                            s->is_key ? "key" : "value", pe.msg);
    }
    jdec c = {.a = a};
    eddy_buf_init(&c.scratch);
    if (s->wrapped) {
        if (doc && doc->kind == SERDE_JSON_NULL) {
            for (int i = 0; i < s->ncols; i++)
                row[s->cols[i].index] = eddy_value_null((eddy_type_kind)s->cols[i].type->kind);
            return 1;
        }
        if (!doc || doc->kind != SERDE_JSON_OBJECT) {
            rc = row_conv_fail(s, &c, doc);
        } else {
            for (int i = 0; i < s->ncols; i++) {
                const serde_column *col = &s->cols[i];
                rc = dec(&c, find_member(doc, col->name, s->name_lens[i]), col->type,
                         &row[col->index]);
                if (rc) {
                    add_path(&c, col->name, s->name_lens[i], 0, false);
                    break;
                }
            }
        }
    } else {
        const serde_column *col = &s->cols[0];
        if (!doc && col->type->kind == EDDY_T_STRING)
            row[col->index] = eddy_value_string("", 0);   /* MissingNode.asText() */
        else if (!doc)
            rc = conv_fail(&c, NULL, col->type);
        else
            rc = dec(&c, doc, col->type, &row[col->index]);
    }
    eddy_buf_free(&c.scratch);
    if (rc)
        return report(s, &c, rc, err);
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Encoding
 * ------------------------------------------------------------------------------------------- */

static int put_i64(eddy_buf *b, int64_t v)
{
    char tmp[24], *p = tmp + sizeof tmp;
    uint64_t u = v < 0 ? 0u - (uint64_t)v : (uint64_t)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--p = '-';
    return eddy_buf_append(b, p, (size_t)(tmp + sizeof tmp - p));
}

static int enc(const eddy_value *v, const eddy_type *t, eddy_buf *b)
{
    if (v->null)
        return eddy_buf_append(b, "null", 4);
    switch ((eddy_type_kind)t->kind) {
    case EDDY_T_BOOLEAN:
        return v->u.b ? eddy_buf_append(b, "true", 4) : eddy_buf_append(b, "false", 5);
    case EDDY_T_INT:
    case EDDY_T_DATE:
    case EDDY_T_TIME:
        return put_i64(b, v->u.i32);
    case EDDY_T_BIGINT:
    case EDDY_T_TIMESTAMP:
        return put_i64(b, v->u.i64);
    case EDDY_T_DOUBLE: {
        char buf[EDDY_DOUBLE_BUF + 2];
        double d = v->u.f64;
        int n = eddy_double_format(d, buf + 1);
        if (d != d || d == 1.0 / 0.0 || d == -1.0 / 0.0) {   /* Jackson quotes these */
            buf[0] = '"';
            buf[n + 1] = '"';
            return eddy_buf_append(b, buf, (size_t)n + 2);
        }
        return eddy_buf_append(b, buf + 1, (size_t)n);
    }
    case EDDY_T_DECIMAL: {
        eddy_decimal d = eddy_value_get_decimal(v);
        return eddy_decimal_format(&d, false, b);
    }
    case EDDY_T_STRING:
        return serde__json_write_string(v->u.str, v->n, b);
    case EDDY_T_BYTES:
        if (eddy_buf_append(b, "\"", 1) != 0 ||
            serde__base64_encode((const uint8_t *)v->u.str, v->n, b) != 0)
            return EDDY_ENOMEM;
        return eddy_buf_append(b, "\"", 1);
    case EDDY_T_ARRAY:
        if (eddy_buf_append(b, "[", 1) != 0)
            return EDDY_ENOMEM;
        for (uint32_t i = 0; i < v->n; i++)
            if ((i && eddy_buf_append(b, ",", 1) != 0) || enc(&v->u.items[i], t->elem, b) != 0)
                return EDDY_ENOMEM;
        return eddy_buf_append(b, "]", 1);
    case EDDY_T_MAP:
        if (eddy_buf_append(b, "{", 1) != 0)
            return EDDY_ENOMEM;
        for (uint32_t i = 0; i < v->n; i++) {
            const eddy_value *k = &v->u.items[2 * i];
            if ((i && eddy_buf_append(b, ",", 1) != 0))
                return EDDY_ENOMEM;
            /* Keys are STRING (checked at create); a NULL key is written as "null". */
            if (k->null ? eddy_buf_append(b, "\"null\"", 6) != 0
                        : serde__json_write_string(k->u.str, k->n, b) != 0)
                return EDDY_ENOMEM;
            if (eddy_buf_append(b, ":", 1) != 0 || enc(&v->u.items[2 * i + 1], t->elem, b) != 0)
                return EDDY_ENOMEM;
        }
        return eddy_buf_append(b, "}", 1);
    case EDDY_T_STRUCT:
        if (eddy_buf_append(b, "{", 1) != 0)
            return EDDY_ENOMEM;
        for (uint32_t i = 0; i < t->nfields; i++) {
            const eddy_type_field *f = &t->fields[i];
            if ((i && eddy_buf_append(b, ",", 1) != 0) ||
                serde__json_write_string(f->name, strlen(f->name), b) != 0 ||
                eddy_buf_append(b, ":", 1) != 0)
                return EDDY_ENOMEM;
            eddy_value nul = eddy_value_null((eddy_type_kind)f->type->kind);
            const eddy_value *fv = i < v->n ? &v->u.items[i] : &nul;
            if (enc(fv, f->type, b) != 0)
                return EDDY_ENOMEM;
        }
        return eddy_buf_append(b, "}", 1);
    default:
        return eddy_buf_append(b, "null", 4);
    }
}

int serde__json_encode(const serde *s, const eddy_value *row, eddy_buf *out, bool *is_null,
                       eddy_err *err)
{
    int rc;
    if (!s->wrapped) {
        const serde_column *col = &s->cols[0];
        if (row[col->index].null) {
            *is_null = true;
            return 0;
        }
        rc = enc(&row[col->index], col->type, out);
    } else {
        rc = eddy_buf_append(out, "{", 1);
        for (int i = 0; i < s->ncols && rc == 0; i++) {
            const serde_column *col = &s->cols[i];
            if (i)
                rc = eddy_buf_append(out, ",", 1);
            if (rc == 0)
                rc = eddy_buf_append(out, s->json_names.data + s->json_name_off[i],
                                     s->json_name_off[i + 1] - s->json_name_off[i]);
            if (rc == 0)
                rc = enc(&row[col->index], col->type, out);
        }
        if (rc == 0)
            rc = eddy_buf_append(out, "}", 1);
    }
    if (rc)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory encoding JSON");
    return 0;
}
