/*
 * eddy/serde.h - record formats: how the key and value bytes of a Kafka record map to the
 * columns of a row, and a JSON document model that keeps numbers exact.
 *
 * Formats (ksqlDB's): JSON, DELIMITED, KAFKA, NONE (AVRO, PROTOBUF, JSON_SR later).
 * A codec ("serde") is made for one side of a record (key or value) and the columns that side
 * carries. Decoding is schema-directed: it fills exactly the declared columns of a row,
 * matching JSON fields to columns (exact name first, then case-insensitively, as ksqlDB), and
 * converting each field to its column's type; so a faster JSON decoder can replace this one
 * behind the same interface.
 *
 * Errors on decode mean "this record cannot be read": the caller logs it to the processing
 * log and skips the record; they never stop a query.
 *
 * Thread-safety: a serde is immutable after serde_create(); decode and encode may run in many
 * threads at once.
 */
#ifndef EDDY_SERDE_H
#define EDDY_SERDE_H

#include <stdbool.h>

#include "eddy/common.h"

/* ---------------------------------------------------------------------------------------------
 * Formats
 * ------------------------------------------------------------------------------------------- */

typedef enum serde_kind {
    SERDE_NONE,
    SERDE_KAFKA,
    SERDE_JSON,
    SERDE_DELIMITED
} serde_kind;

typedef struct serde_format {
    serde_kind kind;
    char delimiter;     /* DELIMITED: VALUE_DELIMITER / KEY_DELIMITER, default ',' */
    int8_t wrap_single; /* value side: 1 wrapped (default), 0 unwrapped; -1 = not specified */
} serde_format;

/* Parse a format name as written in WITH (VALUE_FORMAT='json'), case-insensitive.
 * Errors: EDDY_EINVAL "Unknown format: FOO" (ksqlDB's text); EDDY_EUNSUPPORTED for formats
 * ksqlDB knows that eddy does not support yet (AVRO, PROTOBUF, JSON_SR). */
int serde_format_parse(const char *name, serde_format *out, eddy_err *err);

/* "JSON", "DELIMITED", "KAFKA", "NONE". */
const char *serde_format_name(serde_kind kind);

/* Parse VALUE_DELIMITER / KEY_DELIMITER: one character, or 'TAB', 'SPACE'. Errors: EDDY_EINVAL
 * with ksqlDB's message. */
int serde_delimiter_parse(const char *text, char *out, eddy_err *err);

/* ---------------------------------------------------------------------------------------------
 * Codecs
 * ------------------------------------------------------------------------------------------- */

/* One column a codec reads or writes: its name (as ksqlDB shows it: normalised, case kept
 * when quoted), its type, and its position in the row's value array. */
typedef struct serde_column {
    const char *name;
    const eddy_type *type;
    int index;
} serde_column;

typedef struct serde serde;

/* Make a codec for 'ncols' columns (copied; names and types must outlive the serde) in
 * format 'fmt', for the key side ('is_key') or the value side. Checks what the format can
 * carry, with ksqlDB's messages: NONE carries no columns ("The 'NONE' format can only be used
 * when no columns are defined. Got: [`K` STRING KEY]"); KAFKA at most one column, of INT,
 * BIGINT, DOUBLE, STRING or BYTES ("The 'KAFKA' format only supports a single field. Got:
 * [...]", "The 'KAFKA' format does not support type 'BOOLEAN'"); DELIMITED only primitive
 * types ("The 'DELIMITED' format does not support type 'ARRAY', column: `K`"); JSON anything
 * whose MAPs have STRING keys ("JSON only supports MAP types with STRING keys"). A codec with
 * no columns (any format) ignores the bytes and encodes null. A single value column is
 * wrapped in a JSON object unless fmt->wrap_single == 0; a single key column never is;
 * several columns always are. Errors: EDDY_ETYPE, EDDY_EINVAL (bad arguments), EDDY_ENOMEM. */
int serde_create(const serde_format *fmt, const serde_column *cols, int ncols, bool is_key,
                 serde **out, eddy_err *err);
void serde_destroy(serde *s);

const serde_format *serde_get_format(const serde *s);

/* Check an explicit WRAP_SINGLE_VALUE = 'wrap' for a value in format 'kind' with
 * 'nvalue_cols' columns, as ksqlDB's SerdeFeaturesFactory does (the session property
 * ksql.persistence.wrap.single.values needs no check: it is ignored where it does not apply).
 * Errors: EDDY_ETYPE "Format 'DELIMITED' does not support 'WRAP_SINGLE_VALUE' set to
 * 'true'." (JSON supports both values, KAFKA and DELIMITED only false, NONE neither), then
 * "'WRAP_SINGLE_VALUE' is only valid for single-field value schemas". */
int serde_check_wrap_single(serde_kind kind, bool wrap, int nvalue_cols, eddy_err *err);

/* Decode 'len' bytes at 'data' ('data' NULL / 'len' -1: a null key or value) into
 * row[cols[i].index] for every column of the codec. A missing JSON field is NULL. Strings and
 * bytes may point into 'data' (which must then outlive the row) or be allocated in 'a'
 * (the JSON document is parsed into 'a' too: use a per-batch arena).
 * Returns 0, or 1 when the record is a null row - every column is then set to NULL - as
 * ksqlDB's deserializers return null: for a null record, and for a wrapped JSON record that
 * is the literal `null` (an unwrapped `null` is a row whose one column is NULL). The engine
 * decides what a null row means (streams pass on a null value, tables take it as a
 * tombstone).
 * Errors (record skipped by the caller): EDDY_EINVAL with a message like ksqlDB's
 * deserialization errors ("Failed to deserialize value. Can't convert type. sourceType:
 * TextNode, requiredType: INTEGER, path: $.ID"; ksqlDB also names the topic), EDDY_ENOMEM. */
int serde_decode(const serde *s, const uint8_t *data, int32_t len, eddy_value *row,
                 eddy_arena *a, eddy_err *err);

/* Encode row[cols[i].index] and append the bytes to 'out'. '*is_null' is set when the result
 * is a null key or value instead of bytes (format NONE; a KAFKA or unwrapped single column
 * whose value is NULL; no columns). DOUBLE is written as Java's Double.toString, DECIMAL as
 * its plain text with its scale, TIMESTAMP/DATE/TIME as numbers (JSON) or their ksqlDB text
 * (DELIMITED), BYTES base64 (JSON, DELIMITED). Errors: EDDY_ENOMEM. */
int serde_encode(const serde *s, const eddy_value *row, eddy_buf *out, bool *is_null,
                 eddy_err *err);

/* ---------------------------------------------------------------------------------------------
 * JSON documents with exact numbers
 *
 * jansson (used elsewhere for JSON files) reads every fractional number into a double, which
 * loses what ksqlDB's tests compare: "1.50" is not "1.5", "2.0" is not "2". This small model
 * keeps each number's text. Used by the JSON format and by `eddy test` to read expected and
 * actual records.
 * ------------------------------------------------------------------------------------------- */

typedef enum serde_json_kind {
    SERDE_JSON_NULL,
    SERDE_JSON_BOOL,
    SERDE_JSON_NUMBER,   /* text: the number as written */
    SERDE_JSON_STRING,   /* text: the decoded UTF-8 */
    SERDE_JSON_ARRAY,
    SERDE_JSON_OBJECT
} serde_json_kind;

typedef struct serde_json serde_json;
struct serde_json {
    serde_json_kind kind;
    bool b;
    uint32_t len;        /* NUMBER, STRING: bytes of 'text' (NUL-terminated too) */
    const char *text;
    uint32_t n;          /* ARRAY, OBJECT: number of items */
    serde_json *items;   /* ARRAY items; OBJECT values */
    const char **keys;   /* OBJECT keys (decoded, NUL-terminated), in document order */
    uint32_t *key_lens;
};

/* Parse one JSON document (surrounding whitespace allowed) into nodes allocated in 'a'
 * (strings and numbers copied, NUL-terminated). Strict RFC 8259: UTF-8 validated, \u escapes
 * (surrogate pairs joined; a lone surrogate is an error) decoded to UTF-8, nesting at most
 * 1000 deep, duplicate member names kept in document order.
 * Errors: EDDY_EINVAL "Invalid JSON at byte N: ..." (N is the offset of the problem; the
 * message never quotes the input), EDDY_ENOMEM. */
int serde_json_parse(const char *text, size_t len, eddy_arena *a, serde_json **out,
                     eddy_err *err);

/* Append 'v' as compact JSON (numbers as their text). */
int serde_json_write(const serde_json *v, eddy_buf *out);

/* The member of OBJECT 'obj' named exactly 'name', else one whose name equals it
 * case-insensitively (ASCII); NULL when none. When a name repeats, the last member wins, as
 * Jackson keeps the last value. */
const serde_json *serde_json_get(const serde_json *obj, const char *name);

/* True if the number text has a fraction or an exponent. */
bool serde_json_number_is_fractional(const serde_json *v);

#endif /* EDDY_SERDE_H */
