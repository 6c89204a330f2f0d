/*
 * insert.c - INSERT INTO ... VALUES: encode one row with the target source's formats and
 * append it to the source's topic at once, partitioned by its key bytes like Kafka's default
 * partitioner. Its timestamp is the ROWTIME given, else the engine clock.
 */
#include "engine_int.h"

int eng__insert_values(engine *e, const plan_stmt *ps, eddy_err *err)
{
    const plan_source *src = ps->source;
    serde *ks = NULL, *vs = NULL;
    eddy_buf kb, vb;
    eddy_buf_init(&kb);
    eddy_buf_init(&vb);
    broker_log *log = NULL;
    int rc;
    if ((rc = eng__serde_for(&src->schema, &src->key_format, true, &ks, err)) ||
        (rc = eng__serde_for(&src->schema, &src->value_format, false, &vs, err)))
        goto out;
    bool knull = true, vnull = true;
    if ((rc = serde_encode(ks, ps->values, &kb, &knull, err)) ||
        (rc = serde_encode(vs, ps->values, &vb, &vnull, err)))
        goto out;
    int np = broker_topic_partitions(e->b, src->topic, err);
    if (np < 0) {
        rc = np;
        goto out;
    }
    broker_record r = {0};
    r.key = knull ? NULL : (kb.data ? kb.data : (const uint8_t *)"");
    r.key_len = knull ? -1 : (int32_t)kb.len;
    r.value = vnull ? NULL : (vb.data ? vb.data : (const uint8_t *)"");
    r.value_len = vnull ? -1 : (int32_t)vb.len;
    r.timestamp = ps->values_rowtime >= 0 ? ps->values_rowtime
                                          : e->opts.clock_ms(e->opts.clock_ctx);
    int32_t p = broker_partition_for(e->b, src->topic, r.key, r.key_len, np);
    if ((rc = broker_log_get(e->b, src->topic, p, &log, err)) != 0)
        goto out;
    rc = broker_log_append(log, &r, 1, NULL, err);
out:
    broker_log_release(log);
    serde_destroy(ks);
    serde_destroy(vs);
    eddy_buf_free(&kb);
    eddy_buf_free(&vb);
    return rc;
}
