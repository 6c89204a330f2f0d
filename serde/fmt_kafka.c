/*
 * serde/fmt_kafka.c - the KAFKA format: one primitive column in the encoding of Kafka's own
 * serializers (org.apache.kafka.common.serialization), as ksqlDB's KafkaSerdeFactory uses
 * them.
 *
 *   INT     IntegerSerializer: 4 bytes big-endian two's complement
 *   BIGINT  LongSerializer:    8 bytes big-endian two's complement
 *   DOUBLE  DoubleSerializer:  the 8 bytes of the IEEE-754 bits, big-endian
 *   STRING  StringSerializer:  the UTF-8 bytes (an empty string is zero bytes, not null)
 *   BYTES   ByteBufferSerializer: the bytes as they are
 *
 * A NULL column is a null record. Decoding checks the size as the deserializers do ("Size of
 * data received by IntegerDeserializer is not 4"), wrapped in ksqlDB's "Error deserializing
 * KAFKA message" (which also names the topic). STRING and BYTES point into the input.
 * eddy does not replace invalid UTF-8 as Java's String constructor does.
 */
#include "serde_int.h"

int serde__kafka_decode(const serde *s, const uint8_t *data, size_t len, eddy_value *row,
                        eddy_err *err)
{
    const serde_column *col = &s->cols[0];
    eddy_value *out = &row[col->index];
    const char *deser = NULL;
    size_t want = 0;
    switch ((eddy_type_kind)col->type->kind) {
    case EDDY_T_INT:
        if (len == 4) {
            *out = eddy_value_int((int32_t)eddy_get_be32(data));
            return 0;
        }
        deser = "IntegerDeserializer", want = 4;
        break;
    case EDDY_T_BIGINT:
        if (len == 8) {
            *out = eddy_value_bigint((int64_t)eddy_get_be64(data));
            return 0;
        }
        deser = "LongDeserializer", want = 8;
        break;
    case EDDY_T_DOUBLE:
        if (len == 8) {
            uint64_t bits = eddy_get_be64(data);
            double d;
            memcpy(&d, &bits, sizeof d);
            *out = eddy_value_double(d);
            return 0;
        }
        deser = "DoubleDeserializer", want = 8;
        break;
    case EDDY_T_STRING:
        *out = eddy_value_string((const char *)data, len);
        return 0;
    case EDDY_T_BYTES:
        *out = eddy_value_bytes(data, len);
        return 0;
    default:
        return eddy_err_set(err, EDDY_EINVAL, "Error deserializing KAFKA message: "
                            "unsupported type");
    }
    return eddy_err_set(err, EDDY_EINVAL,
                        "Error deserializing KAFKA message: Size of data received by %s is not "
                        "%zu", deser, want);
}

int serde__kafka_encode(const serde *s, const eddy_value *row, eddy_buf *out, bool *is_null,
                        eddy_err *err)
{
    const serde_column *col = &s->cols[0];
    const eddy_value *v = &row[col->index];
    if (v->null) {
        *is_null = true;
        return 0;
    }
    uint8_t b[8];
    int rc;
    switch ((eddy_type_kind)col->type->kind) {
    case EDDY_T_INT:
        eddy_put_be32(b, (uint32_t)v->u.i32);
        rc = eddy_buf_append(out, b, 4);
        break;
    case EDDY_T_BIGINT:
        eddy_put_be64(b, (uint64_t)v->u.i64);
        rc = eddy_buf_append(out, b, 8);
        break;
    case EDDY_T_DOUBLE: {
        uint64_t bits;
        memcpy(&bits, &v->u.f64, sizeof bits);
        eddy_put_be64(b, bits);
        rc = eddy_buf_append(out, b, 8);
        break;
    }
    case EDDY_T_STRING:
    case EDDY_T_BYTES:
        rc = eddy_buf_append(out, v->u.str, v->n);
        break;
    default:
        return eddy_err_set(err, EDDY_EINVAL, "The 'KAFKA' format does not support type '%s'",
                            eddy_type_kind_name((eddy_type_kind)col->type->kind));
    }
    if (rc)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory encoding KAFKA");
    return 0;
}
