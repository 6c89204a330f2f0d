/*
 * serde/format.c - format names and delimiters as written in a WITH clause.
 *
 * Rules (ksqlDB):
 *  - FormatFactory.fromName: the name is matched upper-cased; AVRO, JSON, JSON_SR, PROTOBUF,
 *    PROTOBUF_NOSR, KAFKA, DELIMITED, NONE are known; anything else is "Unknown format: X"
 *    (X upper-cased). eddy does not implement the schema-registry formats nor PROTOBUF_NOSR yet:
 *    those are EDDY_EUNSUPPORTED.
 *  - Delimiter.parse: a blank value is rejected; one character is itself; the names TAB and
 *    SPACE (exact case) are '\t' and ' '; anything else is rejected. The messages are
 *    ksqlDB's (System.lineSeparator() is "\n"). eddy delimiters are one byte, so a single
 *    non-ASCII character is rejected as invalid.
 */
#include <ctype.h>

#include "serde_int.h"

int serde_format_parse(const char *name, serde_format *out, eddy_err *err)
{
    char up[32];
    size_t n = strlen(name);
    size_t i = 0;
    for (; i < n && i < sizeof up - 1; i++)
        up[i] = (char)toupper((unsigned char)name[i]);
    up[i] = 0;
    memset(out, 0, sizeof *out);
    out->delimiter = ',';
    out->wrap_single = -1;
    if (n < sizeof up) {
        static const struct { const char *name; serde_kind kind; } known[] = {
            {"JSON", SERDE_JSON}, {"DELIMITED", SERDE_DELIMITED}, {"KAFKA", SERDE_KAFKA},
            {"NONE", SERDE_NONE},
        };
        for (size_t k = 0; k < EDDY_ARRAY_LEN(known); k++) {
            if (strcmp(up, known[k].name) == 0) {
                out->kind = known[k].kind;
                return 0;
            }
        }
        static const char *const later[] = {"AVRO", "JSON_SR", "PROTOBUF", "PROTOBUF_NOSR"};
        for (size_t k = 0; k < EDDY_ARRAY_LEN(later); k++)
            if (strcmp(up, later[k]) == 0)
                return eddy_err_set(err, EDDY_EUNSUPPORTED,
                                    "The '%s' format is not supported by eddy yet", up);
    }
    /* ksqlDB prints the upper-cased name; print it in full even when long. */
    eddy_buf b;
    eddy_buf_init(&b);
    for (i = 0; i < n; i++) {
        char c = (char)toupper((unsigned char)name[i]);
        if (eddy_buf_append(&b, &c, 1) != 0)
            break;
    }
    int rc = eddy_err_set(err, EDDY_EINVAL, "Unknown format: %.*s", (int)b.len,
                          b.data ? (const char *)b.data : "");
    eddy_buf_free(&b);
    return rc;
}

const char *serde_format_name(serde_kind kind)
{
    switch (kind) {
    case SERDE_NONE: return "NONE";
    case SERDE_KAFKA: return "KAFKA";
    case SERDE_JSON: return "JSON";
    case SERDE_DELIMITED: return "DELIMITED";
    }
    return "UNKNOWN";
}

int serde_delimiter_parse(const char *text, char *out, eddy_err *err)
{
    size_t n = strlen(text);
    bool blank = true;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)text[i] > ' ')   /* String.trim() */
            blank = false;
    if (blank)
        return eddy_err_set(err, EDDY_EINVAL,
                            "Delimiter cannot be empty, if you meant to have a tab or space for "
                            "delimiter, please use the special values 'TAB' or 'SPACE'\n"
                            "Example valid value: ';'");
    if (n == 1 && (unsigned char)text[0] < 0x80) {
        *out = text[0];
        return 0;
    }
    if (strcmp(text, "TAB") == 0) {
        *out = '\t';
        return 0;
    }
    if (strcmp(text, "SPACE") == 0) {
        *out = ' ';
        return 0;
    }
    return eddy_err_set(err, EDDY_EINVAL,
                        "Invalid delimiter value: '%s'. Delimiter must be a single character or "
                        "TAB,SPACE\nExample valid value: ';'", text);
}
