/*
 * serde/serde.c - codec lifecycle and dispatch: what each format can carry (checked once, in
 * serde_create, with ksqlDB's messages), null records, and the NONE format.
 *
 * Rules (ksqlDB):
 *  - NONE (NoneFormat): no columns at all; "The 'NONE' format can only be used when no
 *    columns are defined. Got: [`K` STRING KEY]". Decoding ignores the bytes; encoding
 *    gives a null key or value (KsqlVoidSerde).
 *  - KAFKA (KafkaSerdeFactory): zero columns behave as NONE; more than one is "The 'KAFKA'
 *    format only supports a single field. Got: [...]"; the column must be INT, BIGINT,
 *    DOUBLE, STRING or BYTES (Kafka's own serializers), else "The 'KAFKA' format does not
 *    support type 'BOOLEAN'".
 *  - DELIMITED (KsqlDelimitedDeserializer.buildParsers): primitive columns only, "The
 *    'DELIMITED' format does not support type 'ARRAY', column: `K`".
 *  - JSON (KsqlJsonSerdeFactory.validateSchema): anything, but every MAP (at any depth) has
 *    STRING keys: "JSON only supports MAP types with STRING keys".
 *  - Wrapping (SerdeFeaturesFactory, ConnectFormat): a JSON record is an object of its
 *    columns, except a single key column (keys are always unwrapped) and a single value
 *    column with fmt->wrap_single == 0, which are the bare value. KAFKA and DELIMITED are
 *    never wrapped; validate an explicit WRAP_SINGLE_VALUE with serde_check_wrap_single().
 *  - A null record (no bytes) is a null row (every deserializer returns null for null).
 */
#include "serde_int.h"

static int type_error(eddy_err *err, const char *fmt_name, const eddy_type *t,
                      const char *colname)
{
    if (colname)
        return eddy_err_set(err, EDDY_ETYPE,
                            "The '%s' format does not support type '%s', column: `%s`",
                            fmt_name, eddy_type_kind_name((eddy_type_kind)t->kind), colname);
    return eddy_err_set(err, EDDY_ETYPE, "The '%s' format does not support type '%s'", fmt_name,
                        eddy_type_kind_name((eddy_type_kind)t->kind));
}

static int columns_error(eddy_err *err, const char *prefix, const serde_column *cols,
                         int ncols, bool is_key)
{
    eddy_buf b;
    eddy_buf_init(&b);
    if (serde__format_columns(cols, ncols, is_key, &b) != 0 || !eddy_buf_cstr(&b)) {
        eddy_buf_free(&b);
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    }
    int rc = eddy_err_set(err, EDDY_ETYPE, "%s%s", prefix, (const char *)b.data);
    eddy_buf_free(&b);
    return rc;
}

static bool json_maps_ok(const eddy_type *t)
{
    switch (t->kind) {
    case EDDY_T_MAP:
        return t->key->kind == EDDY_T_STRING && json_maps_ok(t->elem);
    case EDDY_T_ARRAY:
        return json_maps_ok(t->elem);
    case EDDY_T_STRUCT:
        for (uint32_t i = 0; i < t->nfields; i++)
            if (!json_maps_ok(t->fields[i].type))
                return false;
        return true;
    default:
        return true;
    }
}

static int check_columns(const serde_format *fmt, const serde_column *cols, int ncols,
                         bool is_key, eddy_err *err)
{
    switch (fmt->kind) {
    case SERDE_NONE:
        if (ncols != 0)
            return columns_error(err, "The 'NONE' format can only be used when no columns are "
                                 "defined. Got: ", cols, ncols, is_key);
        return 0;
    case SERDE_KAFKA:
        if (ncols > 1)
            return columns_error(err, "The 'KAFKA' format only supports a single field. Got: ",
                                 cols, ncols, is_key);
        if (ncols == 1) {
            switch (cols[0].type->kind) {
            case EDDY_T_INT: case EDDY_T_BIGINT: case EDDY_T_DOUBLE: case EDDY_T_STRING:
            case EDDY_T_BYTES:
                return 0;
            default:
                return type_error(err, "KAFKA", cols[0].type, NULL);
            }
        }
        return 0;
    case SERDE_DELIMITED:
        for (int i = 0; i < ncols; i++) {
            uint8_t k = cols[i].type->kind;
            if (k == EDDY_T_ARRAY || k == EDDY_T_MAP || k == EDDY_T_STRUCT || k == EDDY_T_NULL)
                return type_error(err, "DELIMITED", cols[i].type, cols[i].name);
        }
        return 0;
    case SERDE_JSON:
        for (int i = 0; i < ncols; i++)
            if (!json_maps_ok(cols[i].type))
                return eddy_err_set(err, EDDY_ETYPE,
                                    "JSON only supports MAP types with STRING keys");
        return 0;
    }
    return eddy_err_set(err, EDDY_EINVAL, "unknown format kind %d", (int)fmt->kind);
}

int serde_check_wrap_single(serde_kind kind, bool wrap, int nvalue_cols, eddy_err *err)
{
    /* Supported features: JSON wraps and unwraps; KAFKA and DELIMITED only unwrap; NONE
     * neither (JsonFormat, KafkaFormat, DelimitedFormat, NoneFormat.supportedFeatures). */
    bool ok = kind == SERDE_JSON || (!wrap && (kind == SERDE_KAFKA || kind == SERDE_DELIMITED));
    if (!ok)
        return eddy_err_set(err, EDDY_ETYPE,
                            "Format '%s' does not support 'WRAP_SINGLE_VALUE' set to '%s'.",
                            serde_format_name(kind), wrap ? "true" : "false");
    if (nvalue_cols != 1)
        return eddy_err_set(err, EDDY_ETYPE,
                            "'WRAP_SINGLE_VALUE' is only valid for single-field value schemas");
    return 0;
}

int serde_create(const serde_format *fmt, const serde_column *cols, int ncols, bool is_key,
                 serde **out, eddy_err *err)
{
    *out = NULL;
    if (ncols < 0 || (ncols > 0 && !cols))
        return eddy_err_set(err, EDDY_EINVAL, "bad column list");
    int rc = check_columns(fmt, cols, ncols, is_key, err);
    if (rc)
        return rc;
    serde *s = eddy_calloc(1, sizeof *s);
    if (!s)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory creating a serde");
    s->fmt = *fmt;
    if (s->fmt.kind == SERDE_DELIMITED && s->fmt.delimiter == 0)
        s->fmt.delimiter = ',';
    s->is_key = is_key;
    s->ncols = ncols;
    s->wrapped = fmt->kind == SERDE_JSON &&
                 (ncols != 1 || (!is_key && fmt->wrap_single != 0));
    eddy_buf_init(&s->json_names);
    if (ncols) {
        s->cols = eddy_malloc((size_t)ncols * sizeof *s->cols);
        s->name_lens = eddy_malloc((size_t)ncols * sizeof *s->name_lens);
        s->json_name_off = eddy_malloc(((size_t)ncols + 1) * sizeof *s->json_name_off);
        if (!s->cols || !s->name_lens || !s->json_name_off)
            goto nomem;
        memcpy(s->cols, cols, (size_t)ncols * sizeof *s->cols);
        for (int i = 0; i < ncols; i++) {
            s->name_lens[i] = (uint32_t)strlen(cols[i].name);
            s->json_name_off[i] = s->json_names.len;
            if (s->wrapped &&
                (serde__json_write_string(cols[i].name, s->name_lens[i], &s->json_names) != 0 ||
                 eddy_buf_append(&s->json_names, ":", 1) != 0))
                goto nomem;
        }
        s->json_name_off[ncols] = s->json_names.len;
    }
    *out = s;
    return 0;
nomem:
    serde_destroy(s);
    return eddy_err_set(err, EDDY_ENOMEM, "out of memory creating a serde");
}

void serde_destroy(serde *s)
{
    if (!s)
        return;
    eddy_free(s->cols);
    eddy_free(s->name_lens);
    eddy_free(s->json_name_off);
    eddy_buf_free(&s->json_names);
    eddy_free(s);
}

const serde_format *serde_get_format(const serde *s)
{
    return &s->fmt;
}

int serde_decode(const serde *s, const uint8_t *data, int32_t len, eddy_value *row,
                 eddy_arena *a, eddy_err *err)
{
    if (!data || len < 0) {
        for (int i = 0; i < s->ncols; i++)
            row[s->cols[i].index] = eddy_value_null((eddy_type_kind)s->cols[i].type->kind);
        return 1;
    }
    if (s->ncols == 0)
        return 0;
    switch (s->fmt.kind) {
    case SERDE_JSON:
        return serde__json_decode(s, data, (size_t)len, row, a, err);
    case SERDE_DELIMITED:
        return serde__delimited_decode(s, data, (size_t)len, row, a, err);
    case SERDE_KAFKA:
        return serde__kafka_decode(s, data, (size_t)len, row, err);
    case SERDE_NONE:
        return 0;
    }
    return eddy_err_set(err, EDDY_EINVAL, "unknown format");
}

int serde_encode(const serde *s, const eddy_value *row, eddy_buf *out, bool *is_null,
                 eddy_err *err)
{
    *is_null = false;
    if (s->ncols == 0 || s->fmt.kind == SERDE_NONE) {
        *is_null = true;
        return 0;
    }
    switch (s->fmt.kind) {
    case SERDE_JSON:
        return serde__json_encode(s, row, out, is_null, err);
    case SERDE_DELIMITED:
        return serde__delimited_encode(s, row, out, is_null, err);
    case SERDE_KAFKA:
        return serde__kafka_encode(s, row, out, is_null, err);
    case SERDE_NONE:
        break;
    }
    *is_null = true;
    return 0;
}
