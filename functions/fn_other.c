/*
 * functions/fn_other.c - functions without a larger category: AS_VALUE (ksqlDB's AsValue:
 * the identity, used to copy a key column into the value) and the BYTES conversions
 * INT_FROM_BYTES, BIGINT_FROM_BYTES, DOUBLE_FROM_BYTES (conversions.IntFromBytes etc. with
 * BytesUtils.checkBytesSize and byteOrderType).
 */
#include <strings.h>

#include "functions_int.h"

static int as_value_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args, int nargs,
                         eddy_value *out, eddy_err *err)
{
    (void)ctx, (void)call, (void)nargs, (void)err;
    *out = args[0];
    return 0;
}

static int from_bytes(const eddy_value *args, int nargs, size_t size, uint64_t *bits,
                      eddy_err *err)
{
    bool little = false;
    if (nargs > 1) {
        const char *o = args[1].null ? NULL : args[1].u.str;
        size_t n = args[1].null ? 0 : args[1].n;
        if (o && n == 10 && strncasecmp(o, "BIG_ENDIAN", 10) == 0)
            little = false;
        else if (o && n == 13 && strncasecmp(o, "LITTLE_ENDIAN", 13) == 0)
            little = true;
        else
            return eddy_err_set(err, EDDY_EINVAL,
                                "Byte order must be BIG_ENDIAN or LITTLE_ENDIAN. Unknown byte "
                                "order '%.*s'.", (int)(n > 40 ? 40 : n), o ? o : "null");
    }
    if (args[0].n != size)
        return eddy_err_set(err, EDDY_EINVAL, "Number of bytes must be equal to %zu, but found %u",
                            size, args[0].n);
    const unsigned char *p = (const unsigned char *)args[0].u.str;
    uint64_t v = 0;
    for (size_t i = 0; i < size; i++)
        v = (v << 8) | p[little ? size - 1 - i : i];
    *bits = v;
    return 0;
}

static int int_from_bytes_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args,
                               int nargs, eddy_value *out, eddy_err *err)
{
    (void)ctx, (void)call;
    uint64_t v;
    if (args[0].null) {
        *out = eddy_value_null(EDDY_T_INT);
        return 0;
    }
    int rc = from_bytes(args, nargs, 4, &v, err);
    if (rc == 0)
        *out = eddy_value_int((int32_t)(uint32_t)v);
    return rc;
}

static int bigint_from_bytes_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args,
                                  int nargs, eddy_value *out, eddy_err *err)
{
    (void)ctx, (void)call;
    uint64_t v;
    if (args[0].null) {
        *out = eddy_value_null(EDDY_T_BIGINT);
        return 0;
    }
    int rc = from_bytes(args, nargs, 8, &v, err);
    if (rc == 0)
        *out = eddy_value_bigint((int64_t)v);
    return rc;
}

static int double_from_bytes_eval(fn_ctx *ctx, const fn_expr *call, const eddy_value *args,
                                  int nargs, eddy_value *out, eddy_err *err)
{
    (void)ctx, (void)call;
    uint64_t v;
    if (args[0].null) {
        *out = eddy_value_null(EDDY_T_DOUBLE);
        return 0;
    }
    int rc = from_bytes(args, nargs, 8, &v, err);
    if (rc == 0) {
        double d;
        memcpy(&d, &v, sizeof d);
        *out = eddy_value_double(d);
    }
    return rc;
}

static const fn_sig as_value_sigs[] = {{"T keyColumn", "T"}};
static const fn_sig int_sigs[] = {{"BYTES value", "INTEGER"},
                                  {"BYTES value, STRING byteOrder", "INTEGER"}};
static const fn_sig bigint_sigs[] = {{"BYTES value", "BIGINT"},
                                     {"BYTES value, STRING byteOrder", "BIGINT"}};
static const fn_sig double_sigs[] = {{"BYTES value", "DOUBLE"},
                                     {"BYTES value, STRING byteOrder", "DOUBLE"}};

static const fn_scalar fns[] = {
    FN_SCALAR("AS_VALUE", "Used exclusively in the projection of a query to allow a key column "
                          "to be copied into the value schema. Has no affect if used anywhere "
                          "else.", FN_CAT_OTHER, 0, as_value_sigs, as_value_eval),
    FN_SCALAR("BIGINT_FROM_BYTES", "Converts a BYTES value to a BIGINT value according to the "
                                   "specified byte order.", FN_CAT_CONVERSIONS, 0, bigint_sigs,
              bigint_from_bytes_eval),
    FN_SCALAR("DOUBLE_FROM_BYTES", "Converts a BYTES value to a DOUBLE value according to the "
                                   "specified byte order.", FN_CAT_CONVERSIONS, 0, double_sigs,
              double_from_bytes_eval),
    FN_SCALAR("INT_FROM_BYTES", "Converts a BYTES value to an INT value according to the "
                                "specified byte order.", FN_CAT_CONVERSIONS, 0, int_sigs,
              int_from_bytes_eval),
};

const fn__table fn__other_table = {fns, (int)EDDY_ARRAY_LEN(fns)};
