/*
 * stateless.c - the stateless SQL benchmark: JSON in -> filter + project -> JSON out, through
 * the broker, as a persistent query.
 *
 * Untimed: N input records of about 200 bytes of JSON are written to a 1-partition topic.
 * Timed: a CREATE STREAM ... AS SELECT with a WHERE and a projection processes all of them
 * (the engine in stepped mode on this one thread: decode JSON, evaluate the predicate and the
 * expressions, encode JSON, append to the output topic). The figure is input events per
 * CPU-second of the process (events / CPU seconds = per core), with wall time beside it.
 * Target (issue 3): >= 150,000 events/s per core.
 */
#include "bench.h"

#include "eddy/engine.h"

#define TARGET 150000.0

static int64_t zero_clock(void *ctx)
{
    (void)ctx;
    return 0;
}

int main(int argc, char **argv)
{
    long n = bench_count_arg(argc, argv, 1000000);
    bench_print_machine();
    bench_print_load("start");
    const char *dir = bench_tmpdir("stateless");
    eddy_err err = {0};
    engine_options eo = {0};
    eo.data_dir = dir;
    eo.stepped = true;
    eo.auto_create_topics = true;
    eo.clock_ms = zero_clock;
    engine *e;
    bench_check(engine_open(&eo, &e, &err), &err, "engine_open");
    const char *ddl =
        "CREATE STREAM ORDERS (ID BIGINT KEY, CUSTOMER STRING, ITEM STRING, PRICE DOUBLE, "
        "QTY INT, COUNTRY STRING, NOTE STRING) WITH (KAFKA_TOPIC='orders', "
        "VALUE_FORMAT='JSON', PARTITIONS=1);";
    bench_check(engine_execute(e, ddl, strlen(ddl), NULL, NULL, &err), &err, "create");

    /* Input: ~200-byte JSON values, keyed by id. */
    broker_log *in;
    bench_check(broker_log_get(engine_broker(e), "orders", 0, &in, &err), &err, "log_get");
    static const char *countries[] = {"DE", "FR", "US", "JP", "BR"};
    enum { BATCH = 1000 };
    broker_record recs[BATCH];
    static char vals[BATCH][256];
    uint8_t keys[BATCH][8];
    size_t bytes = 0;
    for (long done = 0; done < n;) {
        int m = (int)(n - done < BATCH ? n - done : BATCH);
        for (int i = 0; i < m; i++) {
            long id = done + i;
            int len = snprintf(vals[i], sizeof vals[i],
                               "{\"CUSTOMER\":\"customer-%06ld\",\"ITEM\":\"item-%05ld\","
                               "\"PRICE\":%ld.%02ld,\"QTY\":%ld,\"COUNTRY\":\"%s\","
                               "\"NOTE\":\"a note that pads the record to about two hundred "
                               "bytes of json, with some more text to get there %08ld\"}",
                               id % 100000, id % 7919, id % 500, id % 100, id % 5,
                               countries[id % 5], id);
            eddy_put_be64(keys[i], (uint64_t)id);
            memset(&recs[i], 0, sizeof recs[i]);
            recs[i].key = keys[i];
            recs[i].key_len = 8;
            recs[i].value = (const uint8_t *)vals[i];
            recs[i].value_len = len;
            recs[i].timestamp = 1700000000000LL + id;
            bytes += (size_t)len;
        }
        bench_check(broker_log_append(in, recs, (size_t)m, NULL, &err), &err, "append");
        done += m;
    }
    broker_log_release(in);
    printf("input: %ld records, %.1f bytes of JSON value on average\n", n, (double)bytes / (double)n);

    const char *q = "CREATE STREAM BIG AS SELECT ID, CUSTOMER, ITEM, PRICE * QTY AS TOTAL, "
                    "UCASE(COUNTRY) AS COUNTRY FROM ORDERS WHERE QTY > 1 AND COUNTRY <> 'FR';";
    bench_check(engine_execute(e, q, strlen(q), NULL, NULL, &err), &err, "csas");
    bench_timer t;
    bench_timer_start(&t);
    int64_t processed = engine_query_run(e, engine_query_id(e, 0), &err);
    bench_timer_stop(&t);
    if (processed < 0)
        bench_die("query failed: %s", err.msg);
    if (processed != n)
        bench_die("processed %lld of %ld records", (long long)processed, n);
    /* Check the output count: QTY > 1 and not FR. */
    long want = 0;
    for (long id = 0; id < n; id++)
        if (id % 5 > 1 && id % 5 != 1)
            want++;
    broker_log *out;
    bench_check(broker_log_get(engine_broker(e), "BIG", 0, &out, &err), &err, "log_get out");
    int64_t got = broker_log_end_offset(out);
    broker_log_release(out);
    if (got != want)
        bench_die("output has %lld records, expected %ld", (long long)got, want);
    double per_core = (double)n / t.cpu;
    printf("%-34s %10s %8s %8s %14s %12s  %s\n", "case", "events", "wall s", "cpu s",
           "events/cpu-s", "events/s", "target");
    printf("%-34s %10ld %8.3f %8.3f %14.0f %12.0f  >= %.0f/core %s\n",
           "json filter+project (1 thread)", n, t.wall, t.cpu, per_core, (double)n / t.wall,
           TARGET, per_core >= TARGET ? "PASS" : "MISS");
    engine_close(e);
    return 0;
}
