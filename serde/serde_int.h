/*
 * serde/serde_int.h - what the files of serde/ share and nobody else sees: the codec struct,
 * the per-format entry points, the internal JSON parser flags, and small helpers (Java number
 * text, base64, column lists for messages).
 */
#ifndef EDDY_SERDE_INT_H
#define EDDY_SERDE_INT_H

#include "eddy/serde.h"

/* A codec. Immutable after serde_create(), so decode and encode may run in many threads. */
struct serde {
    serde_format fmt;       /* as given, delimiter defaulted */
    bool is_key;
    bool wrapped;           /* JSON: the record is an object of columns (else one bare value) */
    int ncols;
    serde_column *cols;     /* owned copy of the array; names and types borrowed */
    uint32_t *name_lens;    /* strlen() of each column name */
    eddy_buf json_names;    /* JSON wrapped: "\"NAME\":" of every column, back to back */
    size_t *json_name_off;  /* JSON wrapped: column i's entry is [off[i], off[i + 1]) */
};

/* Per-format decode and encode (fmt_json.c, fmt_delimited.c, fmt_kafka.c). 'data' is never
 * NULL here: serde.c handles null records. Decode returns 0, 1 for "the record is a null
 * row", or a negative EDDY_E* code. */
int serde__json_decode(const serde *s, const uint8_t *data, size_t len, eddy_value *row,
                       eddy_arena *a, eddy_err *err);
int serde__json_encode(const serde *s, const eddy_value *row, eddy_buf *out, bool *is_null,
                       eddy_err *err);
int serde__delimited_decode(const serde *s, const uint8_t *data, size_t len, eddy_value *row,
                            eddy_arena *a, eddy_err *err);
int serde__delimited_encode(const serde *s, const eddy_value *row, eddy_buf *out,
                            bool *is_null, eddy_err *err);
int serde__kafka_decode(const serde *s, const uint8_t *data, size_t len, eddy_value *row,
                        eddy_err *err);
int serde__kafka_encode(const serde *s, const eddy_value *row, eddy_buf *out, bool *is_null,
                        eddy_err *err);

/* ---------------------------------------------------------------------------------------------
 * JSON parser (json.c)
 * ------------------------------------------------------------------------------------------- */

#define SERDE__JSON_BORROW      1u  /* strings without escapes and numbers point into the
                                       input (NOT NUL-terminated; use 'len') */
#define SERDE__JSON_IGNORE_TAIL 2u  /* stop after the first value, ignore what follows (as
                                       Jackson's ObjectMapper.readTree) */
#define SERDE__JSON_ALLOW_EMPTY 4u  /* empty or blank input: *out = NULL (Jackson's
                                       MissingNode) instead of an error */

/* Nesting deeper than this is an error (Jackson's default StreamReadConstraints). */
#define SERDE__JSON_MAX_DEPTH 1000

int serde__json_parse(const char *text, size_t len, unsigned flags, eddy_arena *a,
                      serde_json **out, eddy_err *err);

/* Append 'n' bytes of 's' as a JSON string literal (quotes included), escaping as Jackson
 * does: \" \\ \b \t \n \f \r, other control characters as \u00XX, everything else raw. */
int serde__json_write_string(const char *s, size_t n, eddy_buf *out);

/* ---------------------------------------------------------------------------------------------
 * Helpers (util.c)
 * ------------------------------------------------------------------------------------------- */

/* A JSON number's text (valid syntax) as Java's BigDecimal/BigInteger longValue(): the
 * fraction truncated toward zero, then the low 64 bits (so huge values wrap as in Java). */
int64_t serde__num_long_value(const char *t, size_t n);

/* Append Jackson's JsonNode.asText() of a JSON number: integers as written ("-0" is "0");
 * fractions and exponents as BigDecimal.toString() of the exact value ("1.50", "1E+2",
 * "1E-7"). */
int serde__num_as_text(const char *t, size_t n, eddy_buf *out);

/* The simple class name Jackson gives a node ("IntNode", "LongNode", "BigIntegerNode",
 * "DecimalNode", "TextNode", "BooleanNode", "ArrayNode", "ObjectNode", "NullNode";
 * "MissingNode" for NULL), for ksqlDB's "Can't convert type" messages. */
const char *serde__json_node_class(const serde_json *v);

/* Base64 (RFC 4648 basic alphabet). Encode appends with '=' padding. Decode as
 * java.util.Base64.getDecoder(): padding optional, nothing outside the alphabet; the result
 * is allocated in 'a'. Decode returns 0, EDDY_EINVAL or EDDY_ENOMEM. */
int serde__base64_encode(const uint8_t *p, size_t n, eddy_buf *out);
int serde__base64_decode(const char *s, size_t n, eddy_arena *a, const uint8_t **out,
                         size_t *outlen, eddy_err *err);

/* Append the columns as ksqlDB prints a column list: "[`V0` INTEGER, `K` STRING KEY]". */
int serde__format_columns(const serde_column *cols, int ncols, bool is_key, eddy_buf *out);

/* Java's Character.isWhitespace for an ASCII byte. */
static inline bool serde__java_space(int c)
{
    return c == ' ' || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
}

#endif /* EDDY_SERDE_INT_H */
