/*
 * engine/join.c - the tasks of a stream-table join.
 *
 * A join task reads partition P of the stream's (or left table's) topic (its 'in', port 0 of
 * the JOIN operator) and partition P of the table's topic ('in2', port 1), as a Kafka Streams task
 * reads the co-partitioned topics of a join. Records are processed in timestamp order across
 * the two inputs, the table's first when the timestamps are equal (so that a stream record
 * meets the table as it was at its time); while one input has records it has not fetched
 * yet, the task does not run ahead of it. The table side is materialized in the task's
 * "Join-Right-Materialize" KV store (changelogged and checkpointed with both input
 * positions, so a restarted task resumes where it committed).
 */
#include <stdio.h>
#include <string.h>

#include "engine_int.h"

int eng__join_setup(eng_query *q, eddy_err *err)
{
    const plan_step *js = q->join;
    const plan_source *right = js->join_right;
    int rc;
    if ((rc = eng__serde_for(&right->schema, &right->key_format, true, &q->join_key, err)) ||
        (rc = eng__serde_for(&right->schema, &right->value_format, false, &q->join_value, err)))
        return rc;
    eng_source *src = eng__source_find(q->e, right->name);
    if (src) {
        q->join_source_mem = src->mem;
        eng__mem_ref(src->mem);
    }
    const plan_schema *rr = &js->join_right_row;
    q->join_types = eddy_calloc((size_t)rr->ncols + 1, sizeof *q->join_types);
    if (!q->join_types)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    int rkey = -1;
    for (int i = 0; i < rr->ncols; i++) {
        q->join_types[i] = rr->cols[i].type;
        if (rr->cols[i].role == PLAN_COL_KEY && rkey < 0)
            rkey = i;
    }
    op_join_spec *sp = &q->join_spec;
    sp->left_ncols = q->plan->steps[js->id - 1].out.ncols;
    sp->left_key = js->join_left_col;
    sp->right_ncols = rr->ncols;
    sp->right_key = rkey;
    sp->right_types = q->join_types;
    sp->left_outer = js->join_type == PLAN_JOIN_LEFT || js->join_type == PLAN_JOIN_FULL;
    sp->right_outer = js->join_type == PLAN_JOIN_RIGHT || js->join_type == PLAN_JOIN_FULL;
    sp->out_ncols = js->out.ncols;
    sp->out_key = js->join_key_col;
    sp->alt_key = js->join_type == PLAN_JOIN_RIGHT ? js->join_left_col : -1;
    bool ss = q->source->kind == PLAN_STREAM && js->join_right->kind == PLAN_STREAM;
    if (q->source->kind == PLAN_TABLE || ss) {
        /* table-table: the left table's rows as decoded (its own materialization is the
         * join's, not the source's) */
        const plan_schema *lr = &q->plan->steps[js->id - 1].out;
        q->join_left_types = eddy_calloc((size_t)lr->ncols + 1, sizeof *q->join_left_types);
        if (!q->join_left_types)
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        for (int i = 0; i < lr->ncols; i++)
            q->join_left_types[i] = lr->cols[i].type;
        sp->left_types = q->join_left_types;
        sp->table_table = !ss;
        sp->stream_stream = ss;
        sp->before_ms = js->join_before_ms;
        sp->after_ms = js->join_after_ms;
        sp->grace_ms = js->join_grace_ms;
    }
    return 0;
}

int eng__join_repart_types(eng_query *q, const plan_step *rk, int *partitions, eddy_err *err)
{
    q->repart_types = eddy_calloc((size_t)rk->out.ncols + 1, sizeof *q->repart_types);
    if (!q->repart_types)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    for (int c = 0; c < rk->out.ncols; c++)
        q->repart_types[c] = rk->out.cols[c].type;
    if (q->join) {
        int np = broker_topic_partitions(q->e->b, q->join->join_right->topic, err);
        if (np < 0)
            return np;
        *partitions = np;
    }
    return 0;
}

void eng__join_free(eng_query *q)
{
    serde_destroy(q->join_key);
    serde_destroy(q->join_value);
    eddy_free(q->join_types);
    eddy_free(q->join_left_types);
    eng__mem_unref(q->join_source_mem);
}

int eng__join_task_open(eng_task *t, bool earliest, eddy_err *err)
{
    eng_query *q = t->q;
    t->in2_topic = q->join->join_right->topic;
    int rc = broker_log_get(q->e->b, t->in2_topic, t->partition, &t->in2, err);
    if (rc)
        return rc;
    char group[600];
    snprintf(group, sizeof group, "_eddy-query_%s", q->id);
    int64_t committed = -1;
    broker_group_fetch(q->e->b, group, t->in2_topic, t->partition, &committed, NULL);
    t->position2 = committed >= 0 ? committed
                   : earliest     ? broker_log_start_offset(t->in2)
                                  : broker_log_end_offset(t->in2);
    return 0;
}

static int fetch(broker_log *log, int64_t *position, size_t max_bytes, broker_fetch_result *res,
                 eddy_err *err)
{
    int rc = broker_log_fetch(log, *position, max_bytes, res, err);
    if (rc == EDDY_ERANGE && *position < broker_log_start_offset(log)) {
        eddy_err_clear(err);
        *position = broker_log_start_offset(log);
        rc = broker_log_fetch(log, *position, max_bytes, res, err);
    }
    return rc;
}

/* One input while merging: the fetched records and the next one. */
typedef struct side {
    broker_fetch_result res;
    bool fetched;
    broker_iter it;
    broker_record r;
    bool have;
    bool drained;   /* everything the log had is in 'res' */
    int64_t position;
} side;

static int next(side *s, eddy_err *err)
{
    int rc = broker_iter_next(&s->it, &s->r, err);
    if (rc < 0)
        return rc;
    s->have = rc == 1;
    return 0;
}

/* Push the run of rows gathered for 'port'. */
static int push(eng_task *t, int port, op_row *rows, size_t *n, eddy_err *err)
{
    if (*n == 0)
        return 0;
    op_batch b = {rows, *n};
    *n = 0;
    return t->head->ops->process(t->head, port, &b, err);
}

int64_t eng__join_task_step(eng_task *t, size_t max_bytes, eddy_err *err)
{
    side s[2];
    memset(s, 0, sizeof s);
    s[0].position = t->position;
    s[1].position = t->position2;
    broker_log *logs[2] = {t->in, t->in2};
    int rc = 0;
    for (int k = 0; k < 2 && rc == 0; k++) {
        rc = fetch(logs[k], &s[k].position, max_bytes, &s[k].res, err);
        if (rc)
            break;
        s[k].fetched = true;
        s[k].drained = s[k].res.next_offset >= s[k].res.high_watermark;
        broker_iter_init(&s[k].it, s[k].res.data, s[k].res.len, s[k].position);
        rc = s[k].res.len ? next(&s[k], err) : 0;
    }
    int64_t consumed = 0;
    size_t cap = 256, n = 0;
    int port = -1;
    op_row *rows = rc ? NULL : eddy_arena_alloc(&t->batch, cap * sizeof *rows);
    if (!rows && rc == 0)
        rc = eddy_err_set(err, EDDY_ENOMEM, "out of memory decoding records");
    while (rc == 0) {
        int k;
        if (s[0].have && s[1].have)
            k = s[1].r.timestamp <= s[0].r.timestamp ? 1 : 0;
        else if (s[0].have && s[1].drained)
            k = 0;
        else if (s[1].have && s[0].drained)
            k = 1;
        else
            break;   /* the other input has records not fetched yet: wait for them */
        if (k != port && (rc = push(t, port, rows, &n, err)) != 0)
            break;
        port = k;
        if (n == cap) {
            op_row *bigger = eddy_arena_alloc(&t->batch, 2 * cap * sizeof *rows);
            if (!bigger) {
                rc = eddy_err_set(err, EDDY_ENOMEM, "out of memory decoding records");
                break;
            }
            memcpy(bigger, rows, n * sizeof *rows);
            rows = bigger;
            cap *= 2;
        }
        int d = eng__decode_row(t, k, &s[k].r, &rows[n], err);
        if (d < 0) {
            rc = err->code ? err->code
                           : eddy_err_set(err, EDDY_ENOMEM, "out of memory decoding records");
            break;
        }
        n += (size_t)d;
        consumed++;
        s[k].position = s[k].r.offset + 1;
        rc = next(&s[k], err);
    }
    if (rc == 0 && port >= 0)
        rc = push(t, port, rows, &n, err);
    if (rc == 0 && consumed)
        rc = eng__sink_flush(t, err);
    for (int k = 0; k < 2; k++)
        if (s[k].fetched)
            broker_fetch_release(&s[k].res);
    eddy_arena_reset(&t->batch);
    if (rc)
        return rc;
    t->position = s[0].position;
    t->position2 = s[1].position;
    t->processed += consumed;
    t->uncommitted += consumed;
    return consumed;
}
