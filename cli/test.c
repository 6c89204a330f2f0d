/*
 * test.c - `eddy test -s statements.sql -i input.json -o output.json`, compatible with
 * ksqlDB's ksql-test-runner.
 *
 * In a temporary data directory (removed at the end) with a clock standing at 0:
 *  1. create the topics named by input and output records (1 partition);
 *  2. run the statements (stepped engine: queries don't run by themselves);
 *  3. write the input records in file order, each encoded with the formats of the first
 *     source declared over its topic;
 *  4. run each persistent query in creation order over everything its input topics hold;
 *  5. compare, per topic named in output.json, the records in the topic with the expected
 *     ones, in order (rules: ../shared/conformance/README.md, "Comparison").
 * Prints "Test passed!" and exits 0, or prints the first difference (or the failing
 * statement's error) and exits 1. Usage errors exit 2.
 *
 * JSON is read with serde's exact-number model, because expected numbers are compared with
 * their scale ("1.50" is not "1.5").
 */
#include "cli_int.h"

#include "eddy/engine.h"
#include "eddy/serde.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <unistd.h>

typedef struct test_run {
    eddy_arena a;
    serde_json *inputs;      /* ARRAY (may be empty) */
    serde_json *outputs;     /* ARRAY */
    bool exact_numeric;
    engine *e;
    bool verbose;
} test_run;

static bool json_i64(const serde_json *j, int64_t *out);

static int64_t zero_clock(void *ctx)
{
    (void)ctx;
    return 0;
}

static void print_proclog(void *ctx, const char *query_id, const char *message)
{
    test_run *t = ctx;
    if (t->verbose)
        fprintf(stderr, "processing log [%s]: %s\n", query_id, message);
}

static int read_json_file(test_run *t, const char *path, const char *member, serde_json **out)
{
    char *text;
    size_t len;
    eddy_err err = {0};
    if (eddy_read_file(path, &text, &len, &err) != 0)
        return cli_usage("cannot read '%s': %s", path, err.msg);
    /* The document's strings and numbers may point into 'text': keep it with the arena. */
    char *kept = eddy_arena_memdup(&t->a, text, len + 1);
    eddy_free(text);
    if (!kept)
        return cli_error("out of memory");
    serde_json *doc;
    int rc = serde_json_parse(kept, len, &t->a, &doc, &err);
    if (rc != 0)
        return cli_usage("'%s' is not valid JSON: %s", path, err.msg);
    if (doc->kind != SERDE_JSON_OBJECT)
        return cli_usage("'%s' must hold a JSON object", path);
    const serde_json *arr = serde_json_get(doc, member);
    if (!arr || arr->kind != SERDE_JSON_ARRAY)
        return cli_usage("'%s' must have an array \"%s\"", path, member);
    *out = (serde_json *)arr;
    if (strcmp(member, "outputs") == 0) {
        const serde_json *cmp = serde_json_get(doc, "compare");
        const serde_json *ex = cmp ? serde_json_get(cmp, "exactNumeric") : NULL;
        if (ex && ex->kind == SERDE_JSON_BOOL)
            t->exact_numeric = ex->b;
    }
    return 0;
}

static const char *json_str(const serde_json *o, const char *name)
{
    const serde_json *v = o ? serde_json_get(o, name) : NULL;
    return v && v->kind == SERDE_JSON_STRING ? v->text : NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Encoding input records                                                                      */

/* The single column of a KAFKA-format side ('key' or value) of 'src', or NULL. */
static const plan_column *single_col(const plan_source *src, bool key)
{
    const plan_column *found = NULL;
    for (int i = 0; i < src->schema.ncols; i++)
        if (src->schema.cols[i].role == (key ? PLAN_COL_KEY : PLAN_COL_VALUE)) {
            if (found)
                return NULL;
            found = &src->schema.cols[i];
        }
    return found;
}

/* Encode the JSON 'v' as the bytes a producer would have written for format 'fmt' and column
 * type 't' (KAFKA). Sets *is_null for null. */
static int encode_side(const serde_json *v, const serde_format *fmt, const eddy_type *t,
                       eddy_buf *out, bool *is_null)
{
    *is_null = false;
    if (!v || v->kind == SERDE_JSON_NULL || (fmt && fmt->kind == SERDE_NONE)) {
        *is_null = true;
        return 0;
    }
    if (!fmt || fmt->kind == SERDE_JSON)
        return serde_json_write(v, out);
    if (fmt->kind == SERDE_DELIMITED || !t) {
        if (v->kind == SERDE_JSON_STRING || v->kind == SERDE_JSON_NUMBER)
            return eddy_buf_append(out, v->text, v->len);
        return serde_json_write(v, out);
    }
    /* KAFKA: the serializer of the column's type. */
    uint8_t b[8];
    eddy_err err = {0};
    switch (t->kind) {
    case EDDY_T_INT: {
        int32_t i;
        if (v->kind != SERDE_JSON_NUMBER || eddy_i32_parse(v->text, v->len, &i, &err) != 0)
            break;
        eddy_put_be32(b, (uint32_t)i);
        return eddy_buf_append(out, b, 4);
    }
    case EDDY_T_BIGINT:
    case EDDY_T_TIMESTAMP: {
        int64_t i;
        if (v->kind != SERDE_JSON_NUMBER || eddy_i64_parse(v->text, v->len, &i, &err) != 0)
            break;
        eddy_put_be64(b, (uint64_t)i);
        return eddy_buf_append(out, b, 8);
    }
    case EDDY_T_DOUBLE: {
        double d;
        if (v->kind != SERDE_JSON_NUMBER || eddy_double_parse(v->text, v->len, &d, &err) != 0)
            break;
        uint64_t u;
        memcpy(&u, &d, 8);
        eddy_put_be64(b, u);
        return eddy_buf_append(out, b, 8);
    }
    case EDDY_T_BYTES:
        if (v->kind == SERDE_JSON_STRING)
            return eddy_base64_decode(v->text, v->len, out);
        break;
    default:
        break;
    }
    if (v->kind == SERDE_JSON_STRING || v->kind == SERDE_JSON_NUMBER)
        return eddy_buf_append(out, v->text, v->len);
    return serde_json_write(v, out);
}

static int run_queries(test_run *t);

/* Write the input records in file order; after each one the queries run until they have
 * read everything (as the test runner's TopologyTestDriver pipes records one at a time, so
 * that records of different topics are processed in file order). */
static int write_inputs(test_run *t)
{
    broker *b = engine_broker(t->e);
    eddy_buf kb, vb;
    eddy_buf_init(&kb);
    eddy_buf_init(&vb);
    int rc = 0;
    for (uint32_t i = 0; rc == 0 && i < t->inputs->n; i++) {
        const serde_json *rec = &t->inputs->items[i];
        const char *topic = json_str(rec, "topic");
        if (!topic) {
            rc = cli_usage("input record %u has no \"topic\"", i + 1);
            break;
        }
        const plan_source *src = engine_source_for_topic(t->e, topic);
        const plan_column *kc = src ? single_col(src, true) : NULL;
        const plan_column *vc = src ? single_col(src, false) : NULL;
        kb.len = vb.len = 0;
        bool knull, vnull;
        if (encode_side(serde_json_get(rec, "key"), src ? &src->key_format : NULL,
                        kc ? kc->type : NULL, &kb, &knull) != 0 ||
            encode_side(serde_json_get(rec, "value"), src ? &src->value_format : NULL,
                        vc ? vc->type : NULL, &vb, &vnull) != 0) {
            rc = cli_error("cannot encode input record %u", i + 1);
            break;
        }
        const serde_json *win = serde_json_get(rec, "window");
        int64_t ws, we;
        if (!knull && src && src->window.kind != PLAN_WINDOW_NONE && win &&
            json_i64(serde_json_get(win, "start"), &ws)) {
            uint8_t x[16];
            bool session = src->window.kind == PLAN_WINDOW_SESSION;
            if (!json_i64(serde_json_get(win, "end"), &we))
                we = ws;
            for (int k = 0; k < 8; k++) {
                x[k] = (uint8_t)((uint64_t)(session ? we : ws) >> (56 - 8 * k));
                x[8 + k] = (uint8_t)((uint64_t)ws >> (56 - 8 * k));
            }
            if (eddy_buf_append(&kb, x, session ? 16 : 8) != 0) {
                rc = cli_error("out of memory");
                break;
            }
        }
        broker_record r = {0};
        r.key = knull ? NULL : (kb.data ? kb.data : (const uint8_t *)"");
        r.key_len = knull ? -1 : (int32_t)kb.len;
        r.value = vnull ? NULL : (vb.data ? vb.data : (const uint8_t *)"");
        r.value_len = vnull ? -1 : (int32_t)vb.len;
        const serde_json *ts = serde_json_get(rec, "timestamp");
        eddy_err err = {0};
        if (ts && ts->kind == SERDE_JSON_NUMBER)
            eddy_i64_parse(ts->text, ts->len, &r.timestamp, &err);
        /* Headers: [{"KEY": "h", "VALUE": base64|null}] */
        const serde_json *hs = serde_json_get(rec, "headers");
        broker_header hdrs[32];
        eddy_buf hbytes[32];
        int nh = 0;
        for (uint32_t k = 0; hs && hs->kind == SERDE_JSON_ARRAY && k < hs->n && k < 32; k++) {
            const char *hk = json_str(&hs->items[k], "KEY");
            const serde_json *hv = serde_json_get(&hs->items[k], "VALUE");
            eddy_buf_init(&hbytes[nh]);
            hdrs[nh].key = hk ? hk : "";
            hdrs[nh].key_len = hk ? (int32_t)strlen(hk) : 0;
            if (hv && hv->kind == SERDE_JSON_STRING) {
                eddy_base64_decode(hv->text, hv->len, &hbytes[nh]);
                hdrs[nh].value = hbytes[nh].data ? hbytes[nh].data : (const uint8_t *)"";
                hdrs[nh].value_len = (int32_t)hbytes[nh].len;
            } else {
                hdrs[nh].value = NULL;
                hdrs[nh].value_len = -1;
            }
            nh++;
        }
        r.nheaders = nh;
        r.headers = hdrs;
        const serde_json *pj = serde_json_get(rec, "partition");
        int32_t part = -1;
        if (pj && pj->kind == SERDE_JSON_NUMBER)
            eddy_i32_parse(pj->text, pj->len, &part, &err);
        if (t->verbose)
            fprintf(stderr, "input %u -> %s: key %.*s value %.*s\n", i + 1, topic,
                    knull ? 4 : (int)kb.len, knull ? "null" : (const char *)kb.data,
                    vnull ? 4 : (int)vb.len, vnull ? "null" : (const char *)vb.data);
        if (broker_produce(b, topic, &r, &part, 1, NULL, &err) != 0)
            rc = cli_error("cannot write input record %u to '%s': %s", i + 1, topic, err.msg);
        if (rc == 0)
            rc = run_queries(t);
        for (int k = 0; k < nh; k++)
            eddy_buf_free(&hbytes[k]);
    }
    eddy_buf_free(&kb);
    eddy_buf_free(&vb);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* Comparing                                                                                   */

/* Decimal text comparison with scale: "1.50" == "1.50", != "1.5". */
static bool same_decimal(const char *a, size_t al, const char *b, size_t bl)
{
    eddy_decimal x, y;
    eddy_err err = {0};
    if (eddy_decimal_parse(a, al, &x, &err) != 0 || eddy_decimal_parse(b, bl, &y, &err) != 0)
        return al == bl && memcmp(a, b, al) == 0;
    return x.scale == y.scale && eddy_decimal_cmp(&x, &y) == 0;
}

static bool is_fraction(const serde_json *v) { return serde_json_number_is_fractional(v); }

/* Is 'type' a whole-number type (ksqlDB reads the actual as an Integer or a Long)? */
static bool is_integral(const eddy_type *type)
{
    return type && (type->kind == EDDY_T_INT || type->kind == EDDY_T_BIGINT);
}

static bool numbers_match(const test_run *t, const serde_json *exp, const char *act,
                          size_t act_len, bool act_fraction, const eddy_type *act_type)
{
    if (is_fraction(exp) && !act_fraction && is_integral(act_type)) {
        /* ExpectedRecordComparator.compareNumber: an Integer/Long actual equals the
         * expectation's intValue()/longValue(), the number with its fraction cut off
         * (3.0 and 3.7 both match 3, -3.7 matches -3). */
        eddy_decimal x, y, w;
        eddy_err err = {0};
        if (eddy_decimal_parse(exp->text, exp->len, &x, &err) != 0 ||
            eddy_decimal_parse(act, act_len, &y, &err) != 0)
            return false;
        __int128 p = 1;
        for (int i = 0; i < x.scale; i++)
            p *= 10;
        w.unscaled = x.unscaled / p;   /* C division truncates toward zero */
        w.scale = 0;
        return eddy_decimal_cmp(&w, &y) == 0;
    }
    if (!is_fraction(exp)) {
        if (act_fraction) {
            /* An integer expectation matches a decimal only without fractional digits. */
            eddy_decimal d;
            eddy_err err = {0};
            if (eddy_decimal_parse(act, act_len, &d, &err) != 0 || d.scale != 0)
                return false;
        }
        eddy_decimal x, y;
        eddy_err err = {0};
        if (eddy_decimal_parse(exp->text, exp->len, &x, &err) != 0 ||
            eddy_decimal_parse(act, act_len, &y, &err) != 0)
            return false;
        return eddy_decimal_cmp(&x, &y) == 0;
    }
    if (!t->exact_numeric) {
        double x, y;
        eddy_err err = {0};
        if (eddy_double_parse(exp->text, exp->len, &x, &err) != 0 ||
            eddy_double_parse(act, act_len, &y, &err) != 0)
            return false;
        return fabs(x - y) <= 1e-6;
    }
    return same_decimal(exp->text, exp->len, act, act_len);
}

/* The type of field 'name' of an actual of type 'type' (STRUCT: by its name, then the
 * upper-cased name, as the comparator's getter; MAP: the value type), or NULL. */
static const eddy_type *field_type(const eddy_type *type, const char *name)
{
    if (!type)
        return NULL;
    if (type->kind == EDDY_T_MAP)
        return type->elem;
    if (type->kind != EDDY_T_STRUCT)
        return NULL;
    const eddy_type_field *f = eddy_type_field_find(type, name, strlen(name), NULL);
    if (!f) {
        char up[256];
        size_t n = strlen(name);
        if (n >= sizeof up)
            return NULL;
        for (size_t i = 0; i <= n; i++)
            up[i] = (char)toupper((unsigned char)name[i]);
        f = eddy_type_field_find(type, up, n, NULL);
    }
    return f ? f->type : NULL;
}

/* Expected JSON against actual JSON (both exact): the conformance README's rules. 'type' is
 * the actual's SQL type when known (NULL otherwise). */
static bool json_match(const test_run *t, const serde_json *exp, const serde_json *act,
                       const eddy_type *type)
{
    if (!exp || exp->kind == SERDE_JSON_NULL)
        return !act || act->kind == SERDE_JSON_NULL;
    if (!act || act->kind == SERDE_JSON_NULL)
        return false;
    switch (exp->kind) {
    case SERDE_JSON_OBJECT:
        if (act->kind != SERDE_JSON_OBJECT || act->n != exp->n)
            return false;
        for (uint32_t i = 0; i < exp->n; i++) {
            const serde_json *a = serde_json_get(act, exp->keys[i]);
            if (!a && exp->items[i].kind != SERDE_JSON_NULL)
                return false;
            if (!json_match(t, &exp->items[i], a, field_type(type, exp->keys[i])))
                return false;
        }
        return true;
    case SERDE_JSON_ARRAY:
        if (act->kind != SERDE_JSON_ARRAY || act->n != exp->n)
            return false;
        for (uint32_t i = 0; i < exp->n; i++)
            if (!json_match(t, &exp->items[i], &act->items[i],
                            type && type->kind == EDDY_T_ARRAY ? type->elem : NULL))
                return false;
        return true;
    case SERDE_JSON_STRING:
        if (act->kind == SERDE_JSON_STRING)
            return act->len == exp->len && memcmp(act->text, exp->text, exp->len) == 0;
        if (act->kind == SERDE_JSON_NUMBER) /* a DECIMAL written as a number */
            return same_decimal(exp->text, exp->len, act->text, act->len);
        return false;
    case SERDE_JSON_NUMBER:
        return act->kind == SERDE_JSON_NUMBER &&
               numbers_match(t, exp, act->text, act->len, is_fraction(act), type);
    case SERDE_JSON_BOOL:
        return act->kind == SERDE_JSON_BOOL && act->b == exp->b;
    default:
        return false;
    }
}

/* The SQL type of one side of a record of 'src' as the comparator sees it: the column itself
 * for a single key column or an unwrapped single value, else a STRUCT of the side's columns;
 * NULL when unknown. */
static const eddy_type *side_type(test_run *t, const plan_source *src, bool key)
{
    if (!src)
        return NULL;
    plan_col_role role = key ? PLAN_COL_KEY : PLAN_COL_VALUE;
    const plan_column *one = single_col(src, key);
    if (one && (key || src->value_format.wrap_single == 0))
        return one->type;
    eddy_type_field *f = eddy_arena_calloc(&t->a, sizeof *f * (size_t)(src->schema.ncols + 1));
    if (!f)
        return NULL;
    uint32_t n = 0;
    for (int i = 0; i < src->schema.ncols; i++)
        if (src->schema.cols[i].role == role)
            f[n++] = (eddy_type_field){src->schema.cols[i].name, src->schema.cols[i].type};
    const eddy_type *st = NULL;
    eddy_err err = {0};
    return eddy_type_struct(&t->a, f, n, &st, &err) == 0 ? st : NULL;
}

/* The actual bytes of one side, turned into JSON for comparison: JSON as written; KAFKA by
 * the column's type (DOUBLE via Double.toString); DELIMITED and others as a string. */
static int actual_json(test_run *t, const uint8_t *data, int32_t len, const serde_format *fmt,
                       const eddy_type *type, serde_json **out)
{
    serde_json *v = eddy_arena_calloc(&t->a, sizeof *v);
    if (!v)
        return EDDY_ENOMEM;
    *out = v;
    if (!data) {
        v->kind = SERDE_JSON_NULL;
        return 0;
    }
    if (fmt && fmt->kind == SERDE_JSON) {
        eddy_err err = {0};
        if (serde_json_parse((const char *)data, (size_t)len, &t->a, out, &err) == 0)
            return 0;
    }
    char buf[64];
    if (fmt && fmt->kind == SERDE_KAFKA && type) {
        int n = -1;
        if (type->kind == EDDY_T_INT && len == 4)
            n = snprintf(buf, sizeof buf, "%d", (int32_t)eddy_get_be32(data));
        else if ((type->kind == EDDY_T_BIGINT || type->kind == EDDY_T_TIMESTAMP) && len == 8)
            n = snprintf(buf, sizeof buf, "%lld", (long long)(int64_t)eddy_get_be64(data));
        else if (type->kind == EDDY_T_DOUBLE && len == 8) {
            uint64_t u = eddy_get_be64(data);
            double d;
            memcpy(&d, &u, 8);
            n = eddy_double_format(d, buf);
        }
        if (n >= 0) {
            v->kind = SERDE_JSON_NUMBER;
            v->text = eddy_arena_strndup(&t->a, buf, (size_t)n);
            v->len = (uint32_t)n;
            return v->text ? 0 : EDDY_ENOMEM;
        }
        if (type->kind == EDDY_T_BYTES) {
            eddy_buf b;
            eddy_buf_init(&b);
            eddy_base64_encode(data, (size_t)len, &b);
            v->kind = SERDE_JSON_STRING;
            v->text = eddy_arena_strndup(&t->a, b.data ? (char *)b.data : "", b.len);
            v->len = (uint32_t)b.len;
            eddy_buf_free(&b);
            return v->text ? 0 : EDDY_ENOMEM;
        }
    }
    v->kind = SERDE_JSON_STRING;
    v->text = eddy_arena_strndup(&t->a, (const char *)data, (size_t)len);
    v->len = (uint32_t)len;
    return v->text ? 0 : EDDY_ENOMEM;
}

static void print_record(const char *label, const char *topic, const serde_json *key,
                         const serde_json *value, int64_t ts, bool has_ts)
{
    eddy_buf b;
    eddy_buf_init(&b);
    eddy_buf_printf(&b, "{\"topic\": \"%s\", \"key\": ", topic);
    if (key)
        serde_json_write(key, &b);
    else
        eddy_buf_printf(&b, "null");
    eddy_buf_printf(&b, ", \"value\": ");
    if (value)
        serde_json_write(value, &b);
    else
        eddy_buf_printf(&b, "null");
    if (has_ts)
        eddy_buf_printf(&b, ", \"timestamp\": %lld", (long long)ts);
    eddy_buf_printf(&b, "}");
    fprintf(stderr, "  %-9s %s\n", label, eddy_buf_cstr(&b));
    eddy_buf_free(&b);
}

/* Headers of an actual record against the expected "headers" (absent: none allowed). */
static bool headers_match(const serde_json *exp, const broker_record *r)
{
    broker_header hs[64];
    int n = broker_record_headers(r, hs, 64);
    if (!exp || exp->kind != SERDE_JSON_ARRAY)
        return n == 0;
    if ((uint32_t)n != exp->n)
        return false;
    for (int i = 0; i < n && i < 64; i++) {
        const char *k = json_str(&exp->items[i], "KEY");
        const serde_json *v = serde_json_get(&exp->items[i], "VALUE");
        if (!k || strlen(k) != (size_t)hs[i].key_len || memcmp(k, hs[i].key, strlen(k)) != 0)
            return false;
        if (!v || v->kind == SERDE_JSON_NULL) {
            if (hs[i].value)
                return false;
            continue;
        }
        if (!hs[i].value || v->kind != SERDE_JSON_STRING)
            return false;
        eddy_buf b;
        eddy_buf_init(&b);
        eddy_base64_encode(hs[i].value, (size_t)hs[i].value_len, &b);
        bool same = b.len == v->len && memcmp(b.data ? (char *)b.data : "", v->text, b.len) == 0;
        eddy_buf_free(&b);
        if (!same)
            return false;
    }
    return true;
}

/* Windowed keys (Kafka Streams' TimeWindowedSerializer / SessionWindowedSerializer): the inner
 * key bytes, then the window start (time windows), or the end then the start (sessions), each
 * 8 bytes big-endian. */
static int64_t be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return (int64_t)v;
}

typedef struct win_key {
    bool windowed;
    int64_t start, end;
    const char *type;      /* "time" or "session" */
} win_key;

/* Split the window off an actual key of source 'src'; '*key_len' becomes the inner length. */
static void split_window(const plan_source *src, const uint8_t *key, int32_t *key_len,
                         win_key *w)
{
    memset(w, 0, sizeof *w);
    if (!src || src->window.kind == PLAN_WINDOW_NONE || !key)
        return;
    bool session = src->window.kind == PLAN_WINDOW_SESSION;
    int32_t n = session ? 16 : 8;
    if (*key_len < n)
        return;
    const uint8_t *suffix = key + *key_len - n;
    w->windowed = true;
    if (session) {
        w->end = be64(suffix);
        w->start = be64(suffix + 8);
        w->type = "session";
    } else {
        w->start = be64(suffix);
        w->end = w->start + (src->window.size_ms > 0 ? src->window.size_ms : 0);
        w->type = "time";
    }
    *key_len -= n;
}

static bool json_i64(const serde_json *j, int64_t *out)
{
    eddy_err err = {0};
    return j && j->kind == SERDE_JSON_NUMBER && eddy_i64_parse(j->text, j->len, out, &err) == 0;
}

/* Does the expected "window" (may be NULL) match the actual window? */
static bool window_match(const serde_json *ew, const win_key *w)
{
    if (!ew || ew->kind == SERDE_JSON_NULL)
        return true;
    if (!w->windowed)
        return false;
    int64_t start, end;
    const serde_json *type = serde_json_get(ew, "type");
    if (!json_i64(serde_json_get(ew, "start"), &start) || start != w->start)
        return false;
    if (json_i64(serde_json_get(ew, "end"), &end) && end != w->end)
        return false;
    return !type || type->kind != SERDE_JSON_STRING || strlen(w->type) != type->len ||
           strncasecmp(type->text, w->type, type->len) == 0;
}

/* Compare one topic's records with the expected records for it (in order). */
static int compare_topic(test_run *t, const char *topic, const serde_json **exp, size_t nexp)
{
    broker *b = engine_broker(t->e);
    const plan_source *src = engine_source_for_topic(t->e, topic);
    const plan_column *kc = src ? single_col(src, true) : NULL;
    const plan_column *vc = src ? single_col(src, false) : NULL;
    const eddy_type *ktype = side_type(t, src, true), *vtype = side_type(t, src, false);
    eddy_err err = {0};
    int np = broker_topic_partitions(b, topic, &err);
    size_t idx = 0;
    int rc = 0;
    bool inputs_empty = t->inputs->n == 0;
    for (int p = 0; np > 0 && p < np && rc == 0; p++) {
        broker_log *log;
        if (broker_log_get(b, topic, p, &log, &err) != 0)
            return cli_error("%s", err.msg);
        int64_t off = broker_log_start_offset(log);
        for (;;) {
            broker_fetch_result res;
            if (broker_log_fetch(log, off, 1 << 20, &res, &err) != 0) {
                rc = cli_error("%s", err.msg);
                break;
            }
            if (res.len == 0) {
                broker_fetch_release(&res);
                break;
            }
            broker_iter it;
            broker_record r;
            broker_iter_init(&it, res.data, res.len, off);
            while (rc == 0 && broker_iter_next(&it, &r, &err) == 1) {
                serde_json *ak, *av;
                win_key wk;
                int32_t inner_len = r.key_len;
                split_window(src, r.key, &inner_len, &wk);
                actual_json(t, r.key, inner_len, src ? &src->key_format : NULL,
                            kc ? kc->type : NULL, &ak);
                actual_json(t, r.value, r.value_len, src ? &src->value_format : NULL,
                            vc ? vc->type : NULL, &av);
                if (idx >= nexp) {
                    fprintf(stderr, "Test failed: topic '%s' has more records than the %zu "
                            "expected; the next one is:\n", topic, nexp);
                    print_record("actual:", topic, ak, av, r.timestamp, true);
                    rc = CLI_EXIT_ERROR;
                    break;
                }
                const serde_json *e = exp[idx];
                const serde_json *ek = serde_json_get(e, "key");
                const serde_json *ev = serde_json_get(e, "value");
                const serde_json *ets = serde_json_get(e, "timestamp");
                int64_t want_ts = 0;
                bool has_ts = ets && ets->kind == SERDE_JSON_NUMBER &&
                              eddy_i64_parse(ets->text, ets->len, &want_ts, &err) == 0;
                if (has_ts && inputs_empty && want_ts == 0)
                    has_ts = false;
                bool same = json_match(t, ek, ak, ktype) && json_match(t, ev, av, vtype) &&
                            window_match(serde_json_get(e, "window"), &wk) &&
                            (!has_ts || want_ts == r.timestamp) &&
                            headers_match(serde_json_get(e, "headers"), &r);
                if (!same) {
                    fprintf(stderr, "Test failed: topic '%s', record %zu of %zu differs:\n",
                            topic, idx + 1, nexp);
                    print_record("expected:", topic, ek, ev, want_ts, has_ts);
                    print_record("actual:", topic, ak, av, r.timestamp, true);
                    if (wk.windowed)
                        fprintf(stderr, "  (actual window: start %lld, end %lld, %s)\n",
                                (long long)wk.start, (long long)wk.end, wk.type);
                    if (!headers_match(serde_json_get(e, "headers"), &r))
                        fprintf(stderr, "  (the headers differ)\n");
                    rc = CLI_EXIT_ERROR;
                }
                idx++;
                off = r.offset + 1;
            }
            off = res.next_offset > off ? res.next_offset : off;
            broker_fetch_release(&res);
            if (rc)
                break;
        }
        broker_log_release(log);
    }
    if (rc == 0 && idx < nexp) {
        fprintf(stderr, "Test failed: topic '%s' has %zu records, expected %zu; the first "
                "missing one is:\n", topic, idx, nexp);
        const serde_json *e = exp[idx];
        print_record("expected:", topic, serde_json_get(e, "key"), serde_json_get(e, "value"),
                     0, false);
        rc = CLI_EXIT_ERROR;
    }
    return rc;
}

static int compare_outputs(test_run *t)
{
    /* Topics in order of first appearance; each compared on its own. */
    size_t n = t->outputs->n;
    const serde_json **exp = eddy_arena_alloc(&t->a, (n ? n : 1) * sizeof *exp);
    const char **done = eddy_arena_alloc(&t->a, (n ? n : 1) * sizeof *done);
    if (!exp || !done)
        return cli_error("out of memory");
    size_t ndone = 0;
    for (size_t i = 0; i < n; i++) {
        const char *topic = json_str(&t->outputs->items[i], "topic");
        if (!topic)
            return cli_usage("output record %zu has no \"topic\"", i + 1);
        bool seen = false;
        for (size_t k = 0; k < ndone; k++)
            seen = seen || strcmp(done[k], topic) == 0;
        if (seen)
            continue;
        done[ndone++] = topic;
        size_t m = 0;
        for (size_t k = i; k < n; k++) {
            const char *tk = json_str(&t->outputs->items[k], "topic");
            if (tk && strcmp(tk, topic) == 0)
                exp[m++] = &t->outputs->items[k];
        }
        eddy_err err = {0};
        if (broker_topic_partitions(engine_broker(t->e), topic, &err) < 0) {
            fprintf(stderr, "Test failed: topic '%s' was never written\n", topic);
            return CLI_EXIT_ERROR;
        }
        int rc = compare_topic(t, topic, exp, m);
        if (rc)
            return rc;
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------ */

static int run_test(test_run *t, const char *sql, size_t sql_len)
{
    broker *b = engine_broker(t->e);
    eddy_err err = {0};
    /* Topics named by records exist from the start. */
    const serde_json *lists[2] = {t->inputs, t->outputs};
    for (int l = 0; l < 2; l++)
        for (uint32_t i = 0; i < lists[l]->n; i++) {
            const char *topic = json_str(&lists[l]->items[i], "topic");
            if (topic && broker_topic_partitions(b, topic, &err) < 0) {
                eddy_err_clear(&err);
                if (broker_topic_create(b, topic, 1, NULL, &err) != 0)
                    return cli_error("cannot create topic '%s': %s", topic, err.msg);
            }
            eddy_err_clear(&err);
        }
    if (engine_execute(t->e, sql, sql_len, NULL, NULL, &err) != 0) {
        if (err.line > 0 && strncmp(err.msg, "line ", 5) != 0)
            fprintf(stderr, "Test failed: line %d:%d: %s\n", err.line, err.col, err.msg);
        else
            fprintf(stderr, "Test failed: %s\n", err.msg);
        return CLI_EXIT_ERROR;
    }
    int rc = write_inputs(t);
    if (rc == 0)
        rc = run_queries(t);
    if (rc)
        return rc;
    rc = compare_outputs(t);
    if (rc == 0)
        printf("Test passed!\n");
    return rc;
}

static int run_queries(test_run *t)
{
    eddy_err err;
    eddy_err_clear(&err);
    for (int i = 0; i < engine_query_count(t->e); i++) {
        const char *id = engine_query_id(t->e, i);
        if (engine_query_run(t->e, id, &err) < 0) {
            fprintf(stderr, "Test failed: query %s: %s\n", id, err.msg);
            return CLI_EXIT_ERROR;
        }
    }
    return 0;
}

static void test_help(FILE *f)
{
    fprintf(f, "usage: eddy test -s statements.sql -i input.json -o output.json [-v]\n"
               "\n"
               "Runs the statements, feeds the input records, and compares what lands on the\n"
               "output topics with output.json, as ksqlDB's ksql-test-runner does. Prints\n"
               "'Test passed!' (exit 0) or the first difference (exit 1).\n");
}

int cli_test_main(const char *data_flag, int argc, char **argv)
{
    (void)data_flag;
    static const cli_opt opts[] = {
        {"sql-file", true, 's'}, {"s", true, 's'},
        {"input-file", true, 'i'}, {"i", true, 'i'},
        {"output-file", true, 'o'}, {"o", true, 'o'},
        {"verbose", false, 'v'}, {"v", false, 'v'},
        {"help", false, 'h'},
        {NULL, false, 0},
    };
    const char *sfile = NULL, *ifile = NULL, *ofile = NULL;
    test_run t;
    memset(&t, 0, sizeof t);
    t.exact_numeric = true;
    cli_args a;
    cli_args_init(&a, argc - 1, argv + 1, "test");
    for (;;) {
        const char *v;
        int id = cli_args_next(&a, opts, &v);
        if (id == CLI_ARG_END)
            break;
        if (id == CLI_ARG_BAD)
            return CLI_EXIT_USAGE;
        if (id == CLI_ARG_POSITIONAL)
            return cli_usage("test: unexpected argument '%s'", v);
        if (id == 's')
            sfile = v;
        else if (id == 'i')
            ifile = v;
        else if (id == 'o')
            ofile = v;
        else if (id == 'v')
            t.verbose = true;
        else {
            test_help(stdout);
            return CLI_EXIT_OK;
        }
    }
    if (!sfile || !ofile)
        return cli_usage("test: missing %s (usage: eddy test -s statements.sql -i input.json "
                         "-o output.json)", !sfile ? "-s statements.sql" : "-o output.json");
    eddy_arena_init(&t.a, 64 * 1024);
    char *sql = NULL;
    size_t sql_len = 0;
    eddy_err err = {0};
    int rc;
    static serde_json empty = {SERDE_JSON_ARRAY, false, 0, NULL, 0, NULL, NULL, NULL};
    t.inputs = &empty;
    if (eddy_read_file(sfile, &sql, &sql_len, &err) != 0) {
        rc = cli_usage("cannot read '%s': %s", sfile, err.msg);
        goto out;
    }
    if ((ifile && (rc = read_json_file(&t, ifile, "inputs", &t.inputs)) != 0) ||
        (rc = read_json_file(&t, ofile, "outputs", &t.outputs)) != 0)
        goto out;
    const char *base = getenv("TMPDIR");
    char dir[512];
    snprintf(dir, sizeof dir, "%s/eddy-test-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(dir)) {
        rc = cli_error("cannot create a temporary directory in %s", base ? base : "/tmp");
        goto out;
    }
    engine_options eo = {0};
    eo.data_dir = dir;
    eo.stepped = true;
    eo.auto_create_topics = true;
    eo.clock_ms = zero_clock;
    eo.proclog = print_proclog;
    eo.proclog_ctx = &t;
    if (engine_open(&eo, &t.e, &err) != 0) {
        rc = cli_error("%s", err.msg);
    } else {
        rc = run_test(&t, sql, sql_len);
        engine_close(t.e);
    }
    eddy_rmtree(dir, NULL);
out:
    eddy_free(sql);
    eddy_arena_destroy(&t.a);
    return rc;
}
