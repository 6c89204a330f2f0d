/*
 * planner/analyze.c - planner_plan(): one statement in, a plan_stmt out.
 *
 * Owns statement dispatch and everything that is not a query: CREATE STREAM/TABLE with
 * declared columns (WITH properties, key rules, reserved names, header columns, format
 * capability checks), INSERT INTO ... VALUES (a full row in the target's schema order),
 * DROP, SET/UNSET/DEFINE/UNDEFINE, CREATE/DROP TYPE, EXPLAIN, and the SHOW/DESCRIBE/...
 * statements the engine answers from the AST (PLAN_OTHER). Queries are in query.c.
 *
 * The algorithm follows ksqlDB's order of checks so that the first error reported is the
 * one ksqlDB reports: WITH properties (formats, delimiters), then columns (names, key
 * constraints, header types), then what the formats can carry (map keys first), then the
 * timestamp column. Messages are ksqlDB's texts (ksqlDB class names in comments).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "planner_int.h"

/* ---------------------------------------------------------------------------------------------
 * Errors and small helpers
 * ------------------------------------------------------------------------------------------- */

/* The error at 'pos', with ksqlDB's "Line: L, Col: C: " prefix when 'prefix'. */
static int err_at(pl_ctx *c, uint32_t pos, int code, bool prefix, const char *fmt, va_list ap)
{
    if (!c->err || c->err->code)
        return code;
    char msg[sizeof c->err->msg];
    vsnprintf(msg, sizeof msg, fmt, ap);
    int line = 0, col = 0;
    if (c->sql)
        parser_linecol(c->sql, c->sql_len, pos, &line, &col);
    if (!prefix || line <= 0)
        return eddy_err_set_at(c->err, code, line, col, "%s", msg);
    return eddy_err_set_at(c->err, code, line, col, "Line: %d, Col: %d: %s", line, col, msg);
}

int pl_err_at(pl_ctx *c, uint32_t pos, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = err_at(c, pos, code, false, fmt, ap);
    va_end(ap);
    return rc;
}

int pl_err_loc(pl_ctx *c, uint32_t pos, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = err_at(c, pos, code, true, fmt, ap);
    va_end(ap);
    return rc;
}

static const char *kind_word(plan_source_kind k, bool upper);

const char *pl_source_hint(pl_ctx *c, const char *name, int kind)
{
    const plan_source *found[64];
    int n = 0;
    for (int i = 0; c->cat && c->cat->source_at && n < 64; i++) {
        const plan_source *s = c->cat->source_at(c->cat->ctx, i);
        if (!s)
            break;
        if (strcasecmp(s->name, name) == 0 && (kind < 0 || (int)s->kind == kind))
            found[n++] = s;
    }
    if (n == 0)
        return "";
    /* sorted by name */
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && strcmp(found[j - 1]->name, found[j]->name) > 0; j--) {
            const plan_source *t = found[j];
            found[j] = found[j - 1];
            found[j - 1] = t;
        }
    eddy_buf b;
    eddy_buf_init(&b);
    int rc = eddy_buf_printf(&b, "\nDid you mean ");
    if (n > 1) {
        for (int i = 0; i < n && rc == 0; i++)
            rc = eddy_buf_printf(&b, "\"%s\" (%s)%s", found[i]->name,
                                 kind_word(found[i]->kind, true),
                                 i < n - 2 ? ", " : i == n - 2 ? (i == 0 ? " or " : ", or ")
                                                               : "? ");
        if (rc == 0)
            rc = eddy_buf_printf(&b, "Hint: wrap the source name in double quotes to make it "
                                     "case-sensitive.");
    } else {
        bool lower = false;
        for (const char *p = found[0]->name; *p; p++)
            lower = lower || (*p >= 'a' && *p <= 'z');
        rc = lower ? eddy_buf_printf(&b, "\"%s\"? Hint: wrap the source name in double quotes "
                                         "to make it case-sensitive.", found[0]->name)
                   : eddy_buf_printf(&b, "%s? Hint: try removing double quotes from the source "
                                         "name.", found[0]->name);
    }
    const char *out = rc == 0 && eddy_buf_cstr(&b) ? pl_printf(c, "%s", (char *)b.data) : NULL;
    eddy_buf_free(&b);
    if (!out)
        pl_oom(c);
    return out;
}

int pl_err_long(pl_ctx *c, uint32_t pos, int code, const char *msg, const char *shorter)
{
    if (strlen(msg) >= sizeof c->err->msg && shorter)
        msg = shorter;
    return pl_err_at(c, pos, code, "%s", msg);
}

void pl_err_prefix(pl_ctx *c, const char *prefix)
{
    char msg[2 * sizeof c->err->msg];
    size_t n = (size_t)snprintf(msg, sizeof msg, "%s%s", prefix, c->err->msg);
    if (n >= sizeof c->err->msg)
        n = sizeof c->err->msg - 1;
    memcpy(c->err->msg, msg, n);
    c->err->msg[n] = 0;
}

int pl_oom(pl_ctx *c)
{
    return eddy_err_set(c->err, EDDY_ENOMEM, "out of memory");
}

char *pl_strdup(pl_ctx *c, const char *s)
{
    char *r = eddy_arena_strdup(c->a, s ? s : "");
    if (!r)
        pl_oom(c);
    return r;
}

char *pl_printf(pl_ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *r = eddy_arena_alloc(c->a, (size_t)n + 1);
    if (!r) {
        pl_oom(c);
        return NULL;
    }
    va_start(ap, fmt);
    vsnprintf(r, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return r;
}

const char *pl_type_str(pl_ctx *c, const eddy_type *t)
{
    eddy_buf b;
    eddy_buf_init(&b);
    if (!t) {
        eddy_buf_free(&b);
        return "NULL";
    }
    const char *r = NULL;
    if (eddy_type_format(t, &b) == 0 && eddy_buf_cstr(&b))
        r = pl_strdup(c, (const char *)b.data);
    eddy_buf_free(&b);
    return r ? r : "?";
}

const char *pl_property(pl_ctx *c, const char *name)
{
    if (!c->cat || !c->cat->property)
        return NULL;
    return c->cat->property(c->cat->ctx, name);
}

static const char *const RESERVED_COLUMNS[] = {
    "ROWTIME", "ROWPARTITION", "ROWOFFSET", "WINDOWSTART", "WINDOWEND"
};

bool pl_is_reserved_column(const char *name)
{
    for (size_t i = 0; i < EDDY_ARRAY_LEN(RESERVED_COLUMNS); i++)
        if (strcmp(name, RESERVED_COLUMNS[i]) == 0)
            return true;
    return false;
}

static const plan_source *lookup(pl_ctx *c, const char *name)
{
    if (!c->cat || !c->cat->lookup)
        return NULL;
    return c->cat->lookup(c->cat->ctx, name);
}

static const char *kind_word(plan_source_kind k, bool upper)
{
    if (k == PLAN_TABLE)
        return upper ? "TABLE" : "table";
    return upper ? "STREAM" : "stream";
}

/* ---------------------------------------------------------------------------------------------
 * Types as written
 * ------------------------------------------------------------------------------------------- */

static const struct {
    const char *name;
    eddy_type_kind kind;
} NAMED_TYPES[] = {
    {"BOOLEAN", EDDY_T_BOOLEAN}, {"INT", EDDY_T_INT},         {"INTEGER", EDDY_T_INT},
    {"BIGINT", EDDY_T_BIGINT},   {"DOUBLE", EDDY_T_DOUBLE},   {"STRING", EDDY_T_STRING},
    {"VARCHAR", EDDY_T_STRING},  {"BYTES", EDDY_T_BYTES},     {"DATE", EDDY_T_DATE},
    {"TIME", EDDY_T_TIME},       {"TIMESTAMP", EDDY_T_TIMESTAMP},
};

int pl_type_from_ast(pl_ctx *c, const parser_type *t, const eddy_type **out)
{
    int rc;
    switch (t->kind) {
    case PARSER_TYPE_NAMED:
        for (size_t i = 0; i < EDDY_ARRAY_LEN(NAMED_TYPES); i++) {
            if (strcasecmp(t->name, NAMED_TYPES[i].name) == 0) {
                *out = eddy_type_prim(NAMED_TYPES[i].kind);
                return 0;
            }
        }
        if (c->cat && c->cat->custom_type) {
            const eddy_type *ct = c->cat->custom_type(c->cat->ctx, t->name);
            if (ct) {
                *out = ct;
                return 0;
            }
        }
        return pl_err_at(c, t->pos, EDDY_ETYPE, "Cannot resolve unknown type: %s", t->name);
    case PARSER_TYPE_DECIMAL: {
        eddy_err e;
        eddy_err_clear(&e);
        rc = eddy_type_decimal(c->a, t->precision, t->scale, out, &e);
        if (rc)
            return pl_err_at(c, t->pos, rc, "%s", e.msg);
        return 0;
    }
    case PARSER_TYPE_ARRAY: {
        const eddy_type *elem;
        if ((rc = pl_type_from_ast(c, t->elem, &elem)))
            return rc;
        *out = eddy_type_array(c->a, elem);
        return *out ? 0 : pl_oom(c);
    }
    case PARSER_TYPE_MAP: {
        const eddy_type *k, *v;
        if ((rc = pl_type_from_ast(c, t->key, &k)) || (rc = pl_type_from_ast(c, t->elem, &v)))
            return rc;
        *out = eddy_type_map(c->a, k, v);
        return *out ? 0 : pl_oom(c);
    }
    case PARSER_TYPE_STRUCT: {
        eddy_type_field *f = eddy_arena_calloc(c->a, sizeof *f * (t->nfields + 1));
        if (!f)
            return pl_oom(c);
        for (size_t i = 0; i < t->nfields; i++) {
            f[i].name = t->fields[i].name;
            if ((rc = pl_type_from_ast(c, t->fields[i].type, &f[i].type)))
                return rc;
        }
        eddy_err e;
        eddy_err_clear(&e);
        rc = eddy_type_struct(c->a, f, (uint32_t)t->nfields, out, &e);
        if (rc)
            return pl_err_at(c, t->pos, rc, "%s", e.msg);
        return 0;
    }
    }
    return pl_err_at(c, t->pos, EDDY_ETYPE, "unknown type");
}

/* ---------------------------------------------------------------------------------------------
 * WITH clause
 * ------------------------------------------------------------------------------------------- */

/* Properties ksqlDB accepts in a WITH clause (CreateConfigs, CreateAsConfigs). */
static const char *const KNOWN_PROPS[] = {
    "KAFKA_TOPIC", "KEY_FORMAT", "VALUE_FORMAT", "FORMAT", "PARTITIONS", "REPLICAS",
    "TIMESTAMP", "TIMESTAMP_FORMAT", "VALUE_DELIMITER", "KEY_DELIMITER", "WRAP_SINGLE_VALUE",
    "WINDOW_TYPE", "WINDOW_SIZE", "KEY_SCHEMA_ID", "VALUE_SCHEMA_ID", "KEY_SCHEMA_FULL_NAME",
    "VALUE_SCHEMA_FULL_NAME", "VALUE_AVRO_SCHEMA_FULL_NAME", "RETENTION_MS",
    "SOURCED_BY_CONNECTOR", "KEY_PROTOBUF_NULLABLE_REPRESENTATION",
    "VALUE_PROTOBUF_NULLABLE_REPRESENTATION", "CLEANUP_POLICY",
};

/* The text of a property value (strings as they are, numbers as written). */
static const char *prop_text(pl_ctx *c, const parser_expr *v)
{
    switch (v->kind) {
    case PARSER_EXPR_STRING: return v->str.s;
    case PARSER_EXPR_INT: return pl_printf(c, "%d", v->i32);
    case PARSER_EXPR_BIGINT: return pl_printf(c, "%lld", (long long)v->i64);
    case PARSER_EXPR_DECIMAL: return v->dec.text;
    case PARSER_EXPR_DOUBLE: return pl_printf(c, "%g", v->f64);
    case PARSER_EXPR_BOOL: return v->b ? "true" : "false";
    default: return NULL;
    }
}

static int prop_int(pl_ctx *c, const parser_property *p, int *out)
{
    const parser_expr *v = p->value;
    if (v->kind == PARSER_EXPR_INT) {
        *out = v->i32;
        return 0;
    }
    if (v->kind == PARSER_EXPR_STRING) {
        char *end;
        long n = strtol(v->str.s, &end, 10);
        if (*v->str.s && !*end && n >= INT32_MIN && n <= INT32_MAX) {
            *out = (int)n;
            return 0;
        }
    }
    return pl_err_at(c, p->pos, EDDY_ETYPE, "Invalid value for %s property: %s", p->name,
                     prop_text(c, v) ? prop_text(c, v) : "null");
}

static int parse_duration(pl_ctx *c, const char *text, int64_t *ms, const char **why);

int pl_with_parse(pl_ctx *c, const parser_props *props, bool create_as, pl_with *w)
{
    memset(w, 0, sizeof *w);
    w->wrap_single = -1;
    w->partitions = -1;
    w->replicas = -1;
    for (size_t i = 0; i < props->n; i++) {
        const parser_property *p = &props->items[i];
        const char *n = p->name;
        bool known = false;
        for (size_t k = 0; k < EDDY_ARRAY_LEN(KNOWN_PROPS); k++)
            if (strcasecmp(n, KNOWN_PROPS[k]) == 0)
                known = true;
        /* a query's sink takes its window from the query (CreateAsConfigs has no window) */
        if (create_as && (strcasecmp(n, "WINDOW_TYPE") == 0 || strcasecmp(n, "WINDOW_SIZE") == 0))
            known = false;
        if (!known)
            return pl_err_at(c, p->pos, EDDY_ETYPE,
                             "Invalid config variable(s) in the WITH clause: %s", n);
        const char *text = prop_text(c, p->value);
        if (!text && p->value->kind != PARSER_EXPR_NULL)
            return pl_oom(c);
        if (i == 0)
            w->pos = p->pos;
        if (strcasecmp(n, "KAFKA_TOPIC") == 0) {
            w->kafka_topic = text;
        } else if (strcasecmp(n, "KEY_FORMAT") == 0) {
            w->key_format = text;
            w->key_format_pos = p->pos;
        } else if (strcasecmp(n, "VALUE_FORMAT") == 0) {
            w->value_format = text;
            w->value_format_pos = p->pos;
        } else if (strcasecmp(n, "FORMAT") == 0) {
            w->format = text;
            w->format_pos = p->pos;
        } else if (strcasecmp(n, "PARTITIONS") == 0) {
            if (prop_int(c, p, &w->partitions))
                return c->err->code;
        } else if (strcasecmp(n, "REPLICAS") == 0) {
            if (prop_int(c, p, &w->replicas))
                return c->err->code;
        } else if (strcasecmp(n, "TIMESTAMP") == 0) {
            w->timestamp = text;
            w->timestamp_pos = p->pos;
        } else if (strcasecmp(n, "TIMESTAMP_FORMAT") == 0) {
            w->timestamp_format = text;
        } else if (strcasecmp(n, "VALUE_DELIMITER") == 0) {
            w->value_delimiter = text ? text : "";
        } else if (strcasecmp(n, "KEY_DELIMITER") == 0) {
            w->key_delimiter = text ? text : "";
        } else if (strcasecmp(n, "WRAP_SINGLE_VALUE") == 0) {
            if (p->value->kind == PARSER_EXPR_BOOL)
                w->wrap_single = p->value->b;
            else if (text && strcasecmp(text, "true") == 0)
                w->wrap_single = 1;
            else if (text && strcasecmp(text, "false") == 0)
                w->wrap_single = 0;
            else
                return pl_err_at(c, p->pos, EDDY_ETYPE,
                                 "Property 'WRAP_SINGLE_VALUE' should be a boolean");
        } else if (strcasecmp(n, "WINDOW_TYPE") == 0) {
            w->window_type = text;
        } else if (strcasecmp(n, "WINDOW_SIZE") == 0) {
            w->window_size = text;
            const char *why = NULL;
            int64_t ms;
            if (text && parse_duration(c, text, &ms, &why) < 0)
                return !why ? c->err->code : pl_err_at(c, p->pos, EDDY_ETYPE,
                                 "Configuration WINDOW_SIZE is invalid: Invalid duration: '%s'. "
                                 "%s", text, why);
        } else if (strcasecmp(n, "VALUE_AVRO_SCHEMA_FULL_NAME") == 0 ||
                   strcasecmp(n, "VALUE_SCHEMA_FULL_NAME") == 0) {
            const char *vf = NULL;
            for (size_t k = 0; k < props->n; k++)
                if (strcasecmp(props->items[k].name, "VALUE_FORMAT") == 0 ||
                    strcasecmp(props->items[k].name, "FORMAT") == 0)
                    vf = prop_text(c, props->items[k].value);
            if (vf && strcasecmp(vf, "AVRO") != 0 && strcasecmp(vf, "PROTOBUF") != 0 &&
                strcasecmp(vf, "JSON_SR") != 0) {
                char up[32];
                snprintf(up, sizeof up, "%s", vf);
                for (char *q = up; *q; q++)
                    *q = (char)toupper((unsigned char)*q);
                return pl_err_at(c, p->pos, EDDY_ETYPE,
                                 "%s does not support the following configs: [fullSchemaName]",
                                 up);
            }
        }
    }
    return 0;
}

static int apply_delimiter(pl_ctx *c, uint32_t pos, const char *prop, const char *text,
                           serde_format *f)
{
    if (!text)
        return 0;
    if (f->kind != SERDE_DELIMITED)
        return pl_err_at(c, pos, EDDY_ETYPE,
                         "%s does not support the following configs: [delimiter]",
                         pl_format_name(f->kind));
    return pl_delimiter_parse(c, pos, prop, text, &f->delimiter);
}

int pl_with_formats(pl_ctx *c, const pl_with *w, const serde_format *inherit_key,
                    const serde_format *inherit_value, serde_format *key, serde_format *value,
                    bool *key_explicit)
{
    if (w->format && w->key_format)
        return pl_err_at(c, w->key_format_pos, EDDY_ETYPE,
                         "Cannot supply both 'KEY_FORMAT' and 'FORMAT' properties, as 'FORMAT' "
                         "sets both key and value formats. Either use just 'FORMAT', or use "
                         "'KEY_FORMAT' and 'VALUE_FORMAT'.");
    if (w->format && w->value_format)
        return pl_err_at(c, w->value_format_pos, EDDY_ETYPE,
                         "Cannot supply both 'VALUE_FORMAT' and 'FORMAT' properties, as 'FORMAT' "
                         "sets both key and value formats. Either use just 'FORMAT', or use "
                         "'KEY_FORMAT' and 'VALUE_FORMAT'.");
    int rc;
    const char *kf = w->key_format ? w->key_format : w->format;
    const char *vf = w->value_format ? w->value_format : w->format;
    uint32_t kpos = w->key_format ? w->key_format_pos : w->format_pos;
    uint32_t vpos = w->value_format ? w->value_format_pos : w->format_pos;
    *key_explicit = kf != NULL;
    if (kf) {
        if ((rc = pl_format_parse(c, kpos, kf, key)))
            return rc;
    } else if (inherit_key) {
        *key = *inherit_key;
    } else {
        const char *d = pl_property(c, "ksql.persistence.default.format.key");
        if ((rc = pl_format_parse(c, w->pos, d ? d : "KAFKA", key)))
            return rc;
    }
    if (vf) {
        if ((rc = pl_format_parse(c, vpos, vf, value)))
            return rc;
    } else if (inherit_value) {
        *value = *inherit_value;
        value->wrap_single = -1;
    } else {
        const char *d = pl_property(c, "ksql.persistence.default.format.value");
        if (!d)
            return pl_err_at(c, w->pos, EDDY_ETYPE,
                             "Statement is missing the 'VALUE_FORMAT' property from the WITH "
                             "clause. Either provide one or set a default via the "
                             "'ksql.persistence.default.format.value' config.");
        if ((rc = pl_format_parse(c, w->pos, d, value)))
            return rc;
    }
    if ((rc = apply_delimiter(c, w->pos, "KEY_DELIMITER", w->key_delimiter, key)) ||
        (rc = apply_delimiter(c, w->pos, "VALUE_DELIMITER", w->value_delimiter, value)))
        return rc;
    if (w->wrap_single == 1 && (value->kind == SERDE_KAFKA || value->kind == SERDE_DELIMITED ||
                                value->kind == SERDE_NONE))
        return pl_err_at(c, w->pos, EDDY_ETYPE,
                         "Format '%s' does not support 'WRAP_SINGLE_VALUE' set to 'true'.",
                         pl_format_name(value->kind));
    return 0;
}

int pl_with_wrap(pl_ctx *c, const pl_with *w, int nvalue_cols, serde_format *value)
{
    if (w->wrap_single >= 0) {
        if (nvalue_cols != 1)
            return pl_err_at(c, w->pos, EDDY_ETYPE,
                             "'WRAP_SINGLE_VALUE' is only valid for single-field value schemas");
        value->wrap_single = (int8_t)w->wrap_single;
        return 0;
    }
    value->wrap_single = -1;
    if (value->kind == SERDE_JSON && nvalue_cols == 1) {
        const char *p = pl_property(c, "ksql.persistence.wrap.single.values");
        if (p && strcasecmp(p, "false") == 0)
            value->wrap_single = 0;
        else if (p && strcasecmp(p, "true") == 0)
            value->wrap_single = 1;
    }
    return 0;
}

/* A column name written in a property (TIMESTAMP='col'): upper-cased unless back-quoted. */
static const char *prop_column_name(pl_ctx *c, const char *text)
{
    size_t n = strlen(text);
    if (n >= 2 && text[0] == '`' && text[n - 1] == '`')
        return eddy_arena_strndup(c->a, text + 1, n - 2);
    char *r = pl_strdup(c, text);
    if (r)
        for (char *q = r; *q; q++)
            *q = (char)toupper((unsigned char)*q);
    return r;
}

int pl_timestamp_expr_for(pl_ctx *c, uint32_t pos, const plan_schema *schema, int col,
                          const char *format, fn_expr **out)
{
    const plan_column *pc = &schema->cols[col];
    fn_expr *ref = pl_node(c, FN_COLUMN, pc->type, pos, 0);
    if (!ref)
        return c->err->code;
    ref->u.index = col;
    int k = pc->type->kind;
    if (k == EDDY_T_BIGINT || k == EDDY_T_TIMESTAMP) {
        *out = ref;
        return 0;
    }
    if (k == EDDY_T_STRING && format) {
        const fn_scalar *f = fn_scalar_find("STRINGTOTIMESTAMP");
        if (!f)
            return pl_err_at(c, pos, EDDY_EUNSUPPORTED,
                             "TIMESTAMP_FORMAT needs the function STRINGTOTIMESTAMP");
        fn_expr *lit = pl_node(c, FN_LITERAL, EDDY_TYPE_STRING, pos, 0);
        if (!lit)
            return c->err->code;
        lit->u.literal = eddy_value_string(format, strlen(format));
        fn_expr *args[2] = {ref, lit};
        int rc = fn_call_build(c->a, f, args, 2, pos, out, c->err);
        if (rc && c->err->line == 0)
            return pl_err_at(c, pos, rc, "%s", c->err->msg);
        return rc;
    }
    return pl_err_at(c, pos, EDDY_ETYPE,
                     "Timestamp column, `%s`, should be LONG(INT64), TIMESTAMP, or a String with "
                     "a timestamp_format specified.", pc->name);
}

int pl_timestamp_expr(pl_ctx *c, const pl_with *w, const plan_schema *schema, int *col,
                      fn_expr **out)
{
    *col = -1;
    *out = NULL;
    if (!w->timestamp)
        return 0;
    const char *name = prop_column_name(c, w->timestamp);
    if (!name)
        return c->err->code;
    for (int i = 0; i < schema->ncols; i++) {
        if (schema->cols[i].role != PLAN_COL_PSEUDO && strcmp(schema->cols[i].name, name) == 0) {
            *col = i;
            return pl_timestamp_expr_for(c, w->timestamp_pos, schema, i, w->timestamp_format,
                                         out);
        }
    }
    return pl_err_at(c, w->timestamp_pos, EDDY_ETYPE,
                     "The TIMESTAMP column set in the WITH clause does not exist in the schema: "
                     "'%s'", name);
}

/* A duration as ksqlDB's DurationParser reads one: "<n> <unit>", split at every single
 * whitespace character into exactly two tokens, n a Java long, the unit one of Java's
 * TimeUnit names in any case with or without its plural S. Returns 0 with the milliseconds
 * in '*ms' (rounded down, as Duration.toMillis), 1 when the duration is zero or negative
 * ('*ms' set too), or -1 with ksqlDB's reason in '*why' (NULL when out of memory). */
static int parse_duration(pl_ctx *c, const char *text, int64_t *ms, const char **why)
{
    static const struct { const char *name; int64_t nanos; } UNITS[] = {
        {"NANOSECONDS", 1}, {"MICROSECONDS", 1000}, {"MILLISECONDS", 1000000},
        {"SECONDS", 1000000000LL}, {"MINUTES", 60000000000LL}, {"HOURS", 3600000000000LL},
        {"DAYS", 86400000000000LL},
    };
    /* Java's String.split("\\s"): trailing empty tokens are dropped */
    const char *tok[2] = {NULL, NULL};
    size_t len[2] = {0, 0};
    int ntok = 0, nonempty_end = 0;
    const char *p = text, *start = text;
    for (;; p++) {
        bool sep = *p == ' ' || *p == '\t' || *p == '\n' || *p == '\v' || *p == '\f' ||
                   *p == '\r';
        if (sep || !*p) {
            if (ntok < 2) {
                tok[ntok] = start;
                len[ntok] = (size_t)(p - start);
            }
            ntok++;
            if (p > start)
                nonempty_end = ntok;
            if (!*p)
                break;
            start = p + 1;
        }
    }
    if (*text)
        ntok = nonempty_end;   /* without its trailing empty tokens */
    else
        ntok = 1;              /* "" splits into one empty token */
    if (ntok != 2) {
        *why = pl_printf(c, "Expected 2 tokens, got: %d", ntok);
        return -1;
    }
    /* Long.parseLong */
    const char *d = tok[0];
    size_t n = len[0], k = 0;
    bool neg = false;
    if (n && (d[0] == '-' || d[0] == '+')) {
        neg = d[0] == '-';
        k = 1;
    }
    uint64_t mag = 0;
    bool ok = k < n;
    for (; ok && k < n; k++) {
        if (!isdigit((unsigned char)d[k]) ||
            mag > ((uint64_t)INT64_MAX + (neg ? 1 : 0) - (uint64_t)(d[k] - '0')) / 10) {
            ok = false;
            break;
        }
        mag = mag * 10 + (uint64_t)(d[k] - '0');
    }
    if (!ok) {
        *why = pl_printf(c, "Not numeric: '%.*s'", (int)len[0], tok[0]);
        return -1;
    }
    int64_t size = neg ? (int64_t)(0 - mag) : (int64_t)mag;
    char unit[64];
    size_t ul = len[1] < sizeof unit - 2 ? len[1] : sizeof unit - 2;
    for (size_t i = 0; i < ul; i++)
        unit[i] = (char)toupper((unsigned char)tok[1][i]);
    unit[ul] = 0;
    char plural[72];
    snprintf(plural, sizeof plural, "%s%s", unit, ul && unit[ul - 1] == 'S' ? "" : "S");
    for (size_t i = 0; i < EDDY_ARRAY_LEN(UNITS); i++) {
        if (strcmp(plural, UNITS[i].name) != 0)
            continue;
        /* TimeUnit.toNanos saturates; Duration.toMillis rounds towards negative infinity */
        int64_t f = UNITS[i].nanos, nanos;
        if (size > INT64_MAX / f)
            nanos = INT64_MAX;
        else if (size < INT64_MIN / f)
            nanos = INT64_MIN;
        else
            nanos = size * f;
        *ms = nanos / 1000000 - (nanos % 1000000 < 0 ? 1 : 0);
        return nanos > 0 ? 0 : 1;
    }
    *why = pl_printf(c, "Unknown time unit: '%s'\nSupported time units are: NANOSECONDS, "
                     "MICROSECONDS, MILLISECONDS, SECONDS, MINUTES, HOURS, DAYS", unit);
    return -1;
}

/* WINDOW_TYPE / WINDOW_SIZE of a source over a windowed topic (ksqlDB's CreateConfigs and
 * CreateSourceProperties.validateWindowInfo, with their messages). */
static int parse_window(pl_ctx *c, const pl_with *w, plan_window *win)
{
    win->kind = PLAN_WINDOW_NONE;
    win->size_ms = win->advance_ms = win->grace_ms = win->retention_ms = -1;
    const char *type = w->window_type;
    if (type) {
        if (strcasecmp(type, "SESSION") == 0)
            win->kind = PLAN_WINDOW_SESSION;
        else if (strcasecmp(type, "TUMBLING") == 0)
            win->kind = PLAN_WINDOW_TUMBLING;
        else if (strcasecmp(type, "HOPPING") == 0)
            win->kind = PLAN_WINDOW_HOPPING;
        else
            return pl_err_at(c, w->pos, EDDY_ETYPE,
                             "Invalid value %s for configuration WINDOW_TYPE: String must be one "
                             "of: SESSION, HOPPING, TUMBLING, null", type);
    }
    int64_t size = -1;
    if (w->window_size) {
        const char *why = NULL;
        int rc = parse_duration(c, w->window_size, &size, &why);
        if (rc < 0)
            return why ? pl_err_at(c, w->pos, EDDY_ETYPE,
                                   "Configuration WINDOW_SIZE is invalid: Invalid duration: "
                                   "'%s'. %s", w->window_size, why)
                       : c->err->code;
        if (rc > 0 && win->kind != PLAN_WINDOW_NONE && win->kind != PLAN_WINDOW_SESSION)
            return pl_err_at(c, w->pos, EDDY_ETYPE, "Size must be positive");
    }
    bool needs_size = win->kind == PLAN_WINDOW_TUMBLING || win->kind == PLAN_WINDOW_HOPPING;
    if (needs_size && !w->window_size)
        return pl_err_at(c, w->pos, EDDY_ETYPE,
                         "%s windows require 'WINDOW_SIZE' to be provided in the WITH clause. "
                         "For example: 'WINDOW_SIZE'='10 SECONDS'",
                         win->kind == PLAN_WINDOW_TUMBLING ? "TUMBLING" : "HOPPING");
    if (!needs_size && w->window_size)
        return pl_err_at(c, w->pos, EDDY_ETYPE,
                         "'WINDOW_SIZE' should not be set for SESSION windows.");
    if (needs_size) {
        win->size_ms = size;
        if (win->kind == PLAN_WINDOW_HOPPING)
            win->advance_ms = size;
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * CREATE STREAM / TABLE with columns
 * ------------------------------------------------------------------------------------------- */

static bool contains_map(const eddy_type *t)
{
    if (!t)
        return false;
    if (t->kind == EDDY_T_MAP)
        return true;
    if (t->kind == EDDY_T_ARRAY)
        return contains_map(t->elem);
    if (t->kind == EDDY_T_STRUCT)
        for (uint32_t i = 0; i < t->nfields; i++)
            if (contains_map(t->fields[i].type))
                return true;
    return false;
}

static const eddy_type *headers_type(pl_ctx *c)
{
    eddy_type_field f[2] = {{"KEY", EDDY_TYPE_STRING}, {"VALUE", EDDY_TYPE_BYTES}};
    const eddy_type *st;
    if (eddy_type_struct(c->a, f, 2, &st, c->err))
        return NULL;
    return eddy_type_array(c->a, st);
}

/* Checks every sink or source schema shares: map keys, then the key and value formats. */
static int check_schema_formats(pl_ctx *c, uint32_t pos, const plan_schema *schema,
                                const serde_format *kf, const serde_format *vf, bool key_explicit)
{
    int nk = 0, nv = 0;
    plan_column *keys = eddy_arena_alloc(c->a, sizeof *keys * (size_t)(schema->ncols + 1));
    plan_column *vals = eddy_arena_alloc(c->a, sizeof *vals * (size_t)(schema->ncols + 1));
    if (!keys || !vals)
        return pl_oom(c);
    for (int i = 0; i < schema->ncols; i++) {
        const plan_column *col = &schema->cols[i];
        if (col->role == PLAN_COL_KEY) {
            if (contains_map(col->type)) {
                const char *m = pl_printf(c,
                    "Map keys, including types that contain maps, are not supported as they may "
                    "lead to unexpected behavior due to inconsistent serialization. Key column "
                    "name: `%s`. Column type: %s. See https://github.com/confluentinc/ksql/"
                    "issues/6621 for more.", col->name, pl_type_str(c, col->type));
                const char *s = pl_printf(c,
                    "Map keys, including types that contain maps, are not supported. Key column "
                    "name: `%s`. Column type: %s. See https://github.com/confluentinc/ksql/"
                    "issues/6621 for more.", col->name, pl_type_str(c, col->type));
                if (!m || !s)
                    return c->err->code;
                return pl_err_long(c, pos, EDDY_ETYPE, m, s);
            }
            keys[nk++] = *col;
        } else if (col->role == PLAN_COL_VALUE) {
            vals[nv++] = *col;
        }
    }
    int rc = pl_check_format(c, pos, kf, keys, nk, true, key_explicit);
    if (!rc)
        rc = pl_check_format(c, pos, vf, vals, nv, false, true);
    return rc;
}

int pl__check_schema_formats(pl_ctx *c, uint32_t pos, const plan_schema *schema,
                             const serde_format *kf, const serde_format *vf, bool key_explicit)
{
    return check_schema_formats(c, pos, schema, kf, vf, key_explicit);
}

static const char *const KEY_HELP =
    "\nTables have PRIMARY KEYs, which are unique and NON NULL."
    "\nStreams have KEYs, which have no uniqueness or NON NULL constraints.";

/* Existing source rules shared by CREATE and CREATE AS. */
int pl__check_create_target(pl_ctx *c, const parser_stmt *stmt, plan_source_kind kind)
{
    const char *name = stmt->create.name;
    uint32_t pos = stmt->create.name_pos;
    const plan_source *old = lookup(c, name);
    if (stmt->create.or_replace && stmt->create.is_source)
        return pl_err_at(c, pos, EDDY_ETYPE,
                         "Cannot add %s '%s': CREATE OR REPLACE is not supported on source %ss.",
                         kind_word(kind, false), name, kind_word(kind, false));
    if (!old)
        return 0;
    if (stmt->create.if_not_exists)
        return 0;
    if (stmt->create.or_replace) {
        if (old->is_source)
            return pl_err_at(c, pos, EDDY_ETYPE,
                             "Cannot add %s '%s': CREATE OR REPLACE is not supported on source "
                             "%ss.", kind_word(kind, false), name, kind_word(old->kind, false));
        if (old->kind != kind)
            return pl_err_at(c, pos, EDDY_ETYPE,
                             "Cannot add %s '%s': A %s with the same name already exists",
                             kind_word(kind, false), name, kind_word(old->kind, false));
        return 0;
    }
    return pl_err_at(c, pos, EDDY_EEXIST,
                     "Cannot add %s '%s': A %s with the same name already exists",
                     kind_word(kind, false), name, kind_word(old->kind, false));
}

static int plan_create_source(pl_ctx *c, const parser_stmt *stmt, plan_stmt *ps)
{
    int rc;
    plan_source_kind kind =
        stmt->create.source == PARSER_SOURCE_TABLE ? PLAN_TABLE : PLAN_STREAM;
    pl_with w;
    if ((rc = pl_with_parse(c, &stmt->create.with, false, &w)))
        return rc;
    uint32_t pos = stmt->pos;
    if (!w.pos)
        w.pos = stmt->pos;
    serde_format kf, vf;
    bool key_explicit;
    if ((rc = pl_with_formats(c, &w, NULL, NULL, &kf, &vf, &key_explicit)))
        return rc;
    if ((rc = pl__check_create_target(c, stmt, kind)))
        return rc;
    if (!w.kafka_topic)
        return pl_err_at(c, pos, EDDY_ETYPE,
                         "Missing required property \"KAFKA_TOPIC\" which has no default value.");
    if (!stmt->create.has_columns || stmt->create.ncols == 0)
        return pl_err_at(c, pos, EDDY_ETYPE,
                         "The statement does not define any columns.");

    plan_source *src = eddy_arena_calloc(c->a, sizeof *src);
    plan_column *cols = eddy_arena_calloc(c->a, sizeof *cols * stmt->create.ncols);
    if (!src || !cols)
        return pl_oom(c);
    /* Columns: keys first, then values and headers in declaration order. */
    int n = 0, nkeys = 0, nvals = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < stmt->create.ncols; i++) {
            const parser_column_def *d = &stmt->create.cols[i];
            bool is_key = d->constraint == PARSER_COL_KEY ||
                          d->constraint == PARSER_COL_PRIMARY_KEY;
            if ((pass == 0) != is_key)
                continue;
            if (pass == 0) {
                if (kind == PLAN_STREAM && d->constraint == PARSER_COL_PRIMARY_KEY)
                    return pl_err_loc(c, d->pos, EDDY_ETYPE,
                                      "Column `%s` is a 'PRIMARY KEY' column: please use 'KEY' "
                                      "for streams.%s", d->name, KEY_HELP);
                if (kind == PLAN_TABLE && d->constraint == PARSER_COL_KEY)
                    return pl_err_loc(c, d->pos, EDDY_ETYPE,
                                      "Column `%s` is a 'KEY' column: please use 'PRIMARY KEY' "
                                      "for tables.%s", d->name, KEY_HELP);
            }
            if (pl_is_reserved_column(d->name))
                return pl_err_at(c, d->pos, EDDY_ETYPE,
                                 "'%s' is a reserved column name. You cannot use it as a name "
                                 "for a column.", d->name);
            for (int j = 0; j < n; j++)
                if (strcmp(cols[j].name, d->name) == 0)
                    return pl_err_at(c, d->pos, EDDY_ETYPE, "Duplicate column names: `%s`",
                                     d->name);
            plan_column *pc = &cols[n++];
            pc->name = d->name;
            if ((rc = pl_type_from_ast(c, d->type, &pc->type)))
                return rc;
            switch (d->constraint) {
            case PARSER_COL_KEY:
            case PARSER_COL_PRIMARY_KEY:
                pc->role = PLAN_COL_KEY;
                nkeys++;
                break;
            case PARSER_COL_VALUE:
                pc->role = PLAN_COL_VALUE;
                nvals++;
                break;
            case PARSER_COL_HEADERS: {
                const eddy_type *ht = headers_type(c);
                if (!ht)
                    return c->err->code ? c->err->code : pl_oom(c);
                if (!eddy_type_equal(pc->type, ht))
                    return pl_err_at(c, d->pos, EDDY_ETYPE,
                                     "Invalid type for HEADERS column: expected %s, got %s",
                                     pl_type_str(c, ht), pl_type_str(c, pc->type));
                pc->role = PLAN_COL_HEADERS;
                break;
            }
            case PARSER_COL_HEADER:
                if (pc->type->kind != EDDY_T_BYTES)
                    return pl_err_at(c, d->pos, EDDY_ETYPE,
                                     "Invalid type for HEADER('%s') column: expected BYTES, got "
                                     "%s", d->header_key ? d->header_key : "",
                                     pl_type_str(c, pc->type));
                pc->role = PLAN_COL_HEADER;
                pc->header_key = d->header_key ? d->header_key : "";
                break;
            }
        }
    }
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (cols[i].role == PLAN_COL_HEADERS && cols[j].role == PLAN_COL_HEADERS)
                return pl_err_at(c, pos, EDDY_ETYPE,
                                 "Schema already contains a HEADERS column.");
    if (kind == PLAN_TABLE && nkeys == 0)
        return pl_err_at(c, pos, EDDY_ETYPE,
                         "Tables require a PRIMARY KEY. Please define the PRIMARY KEY.");
    src->name = stmt->create.name;
    src->kind = kind;
    src->topic = w.kafka_topic;
    src->schema.ncols = n;
    src->schema.cols = cols;
    if ((rc = pl_with_wrap(c, &w, nvals, &vf)))
        return rc;
    if ((rc = check_schema_formats(c, pos, &src->schema, &kf, &vf, true)))
        return rc;
    src->key_format = kf;
    src->value_format = vf;
    src->timestamp_format = w.timestamp_format;
    fn_expr *ts;
    if ((rc = pl_timestamp_expr(c, &w, &src->schema, &src->timestamp_col, &ts)))
        return rc;
    if ((rc = parse_window(c, &w, &src->window)))
        return rc;
    if (src->window.kind != PLAN_WINDOW_NONE && nkeys == 0)
        return pl_err_at(c, pos, EDDY_ETYPE, "Windowed sources require a key column.");
    src->is_source = stmt->create.is_source;
    src->sql = stmt->text;
    ps->kind = PLAN_CREATE_SOURCE;
    ps->source = src;
    ps->or_replace = stmt->create.or_replace;
    ps->if_not_exists = stmt->create.if_not_exists;
    ps->name = src->name;
    int parts = c->cat && c->cat->topic_partitions
                    ? c->cat->topic_partitions(c->cat->ctx, src->topic) : -1;
    /* A missing topic is created only when PARTITIONS says how: otherwise the engine fails
     * as ksqlDB does, unless it auto-creates topics (the test runner). */
    ps->create_partitions = parts < 0 && w.partitions > 0 ? w.partitions : 0;
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * INSERT INTO ... VALUES
 * ------------------------------------------------------------------------------------------- */

static int insert_value(pl_ctx *c, const parser_expr *ast, const plan_column *col,
                        eddy_value *out)
{
    int rc;
    pl_scope s;
    memset(&s, 0, sizeof s);
    plan_schema empty = {0, NULL};
    int nslots = 0;
    s.schema = &empty;
    s.clause = "VALUES";
    s.nslots = &nslots;
    fn_expr *e;
    if ((rc = pl_expr(c, &s, ast, &e)))
        return rc;
    if ((rc = pl_coerce_to(c, e, ast, col->type, &e)))
        return rc;
    if (e->kind == FN_LITERAL) {
        *out = e->u.literal;
        return 0;
    }
    eddy_value *vars = nslots ? eddy_arena_calloc(c->a, sizeof *vars * (size_t)nslots) : NULL;
    fn_config cfg;
    memset(&cfg, 0, sizeof cfg);
    fn_ctx fc;
    memset(&fc, 0, sizeof fc);
    fc.arena = c->a;
    fc.row = NULL;
    fc.vars = vars;
    fc.config = &cfg;
    if (fn_eval(e, &fc, out))
        return pl_oom(c);
    return 0;
}

static int plan_insert_values(pl_ctx *c, const parser_stmt *stmt, plan_stmt *ps)
{
    const plan_source *src = lookup(c, stmt->insert.target);
    if (!src) {
        const char *hint = pl_source_hint(c, stmt->insert.target, -1);
        return hint ? pl_err_at(c, stmt->insert.target_pos, EDDY_ENOTFOUND,
                                "Cannot insert values into an unknown stream/table: `%s`%s",
                                stmt->insert.target, hint)
                    : c->err->code;
    }
    if (src->window.kind != PLAN_WINDOW_NONE)
        return pl_err_at(c, stmt->insert.target_pos, EDDY_ETYPE,
                         "Cannot insert values into windowed stream/table!");
    if (src->is_source)
        return pl_err_at(c, stmt->insert.target_pos, EDDY_ETYPE,
                         "Cannot insert values into read-only %s: %s",
                         kind_word(src->kind, false), src->name);
    const plan_schema *sc = &src->schema;
    size_t ncols = stmt->insert.ncols;
    const char **names = stmt->insert.cols;
    {
        /* InsertValuesExecutor.validateInsert: the header columns named, or without a column
         * list every header column of the target, before the values are counted */
        eddy_buf hb;
        eddy_buf_init(&hb);
        int nh = 0;
        for (int i = 0; i < sc->ncols; i++) {
            if (sc->cols[i].role != PLAN_COL_HEADER && sc->cols[i].role != PLAN_COL_HEADERS)
                continue;
            bool named = ncols == 0;
            for (size_t k = 0; k < ncols && !named; k++)
                named = strcmp(names[k], sc->cols[i].name) == 0;
            if (named && eddy_buf_printf(&hb, "%s%s", nh++ ? ", " : "", sc->cols[i].name)) {
                eddy_buf_free(&hb);
                return pl_oom(c);
            }
        }
        int rc = nh ? pl_err_at(c, stmt->pos, EDDY_ETYPE, "Cannot insert into HEADER columns: %s",
                                eddy_buf_cstr(&hb) ? (char *)hb.data : "")
                    : 0;
        eddy_buf_free(&hb);
        if (rc)
            return rc;
    }
    if (ncols == 0) {
        names = eddy_arena_alloc(c->a, sizeof *names * (size_t)(sc->ncols + 1));
        if (!names)
            return pl_oom(c);
        for (int i = 0; i < sc->ncols; i++)
            if (sc->cols[i].role == PLAN_COL_KEY || sc->cols[i].role == PLAN_COL_VALUE)
                names[ncols++] = sc->cols[i].name;
    }
    if (stmt->insert.values.n != ncols) {
        eddy_buf b;
        eddy_buf_init(&b);
        for (size_t i = 0; i < ncols; i++)
            eddy_buf_printf(&b, "%s%s", i ? ", " : "", names[i]);
        int rc = pl_err_at(c, stmt->pos, EDDY_ETYPE,
                           "Expected a value for each column. Expected Columns: [%s]. Got %zu "
                           "values.", eddy_buf_cstr(&b) ? (char *)b.data : "",
                           stmt->insert.values.n);
        eddy_buf_free(&b);
        return rc;
    }
    eddy_value *row = eddy_arena_alloc(c->a, sizeof *row * (size_t)(sc->ncols + 1));
    if (!row)
        return pl_oom(c);
    for (int i = 0; i < sc->ncols; i++)
        row[i] = eddy_value_null((eddy_type_kind)sc->cols[i].type->kind);
    ps->values_rowtime = -1;
    for (size_t i = 0; i < ncols; i++) {
        const parser_expr *v = stmt->insert.values.items[i];
        if (strcmp(names[i], "ROWTIME") == 0) {
            plan_column rt = {"ROWTIME", EDDY_TYPE_BIGINT, PLAN_COL_PSEUDO, NULL};
            eddy_value tv;
            int rc = insert_value(c, v, &rt, &tv);
            if (rc)
                return rc;
            ps->values_rowtime = tv.null ? -1 : tv.u.i64;
            continue;
        }
        if (pl_is_reserved_column(names[i]))
            return pl_err_at(c, v->pos, EDDY_ETYPE,
                             "Inserting into column `%s` is not allowed.", names[i]);
        int idx = -1;
        for (int j = 0; j < sc->ncols; j++)
            if (strcmp(sc->cols[j].name, names[i]) == 0)
                idx = j;
        if (idx < 0)
            return pl_err_at(c, v->pos, EDDY_ENOTFOUND, "Column name `%s` does not exist.",
                             names[i]);
        if (sc->cols[idx].role == PLAN_COL_HEADER || sc->cols[idx].role == PLAN_COL_HEADERS)
            return pl_err_at(c, v->pos, EDDY_ETYPE, "Cannot insert into HEADER columns: %s",
                             names[i]);
        int rc = insert_value(c, v, &sc->cols[idx], &row[idx]);
        if (rc)
            return rc;
    }
    ps->kind = PLAN_INSERT_VALUES;
    ps->source = (plan_source *)src;
    ps->values = row;
    ps->name = src->name;
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * DROP, properties, types
 * ------------------------------------------------------------------------------------------- */

static int plan_drop(pl_ctx *c, const parser_stmt *stmt, plan_stmt *ps)
{
    plan_source_kind kind = stmt->drop.source == PARSER_SOURCE_TABLE ? PLAN_TABLE : PLAN_STREAM;
    const plan_source *src = lookup(c, stmt->drop.name);
    ps->kind = PLAN_DROP_SOURCE;
    ps->name = stmt->drop.name;
    ps->if_exists = stmt->drop.if_exists;
    ps->delete_topic = stmt->drop.delete_topic;
    if (!src) {
        if (stmt->drop.if_exists)
            return 0;
        const char *hint = pl_source_hint(c, stmt->drop.name, (int)kind);
        return hint ? pl_err_at(c, stmt->pos, EDDY_ENOTFOUND, "%s %s does not exist.%s",
                                kind == PLAN_TABLE ? "Table" : "Stream", stmt->drop.name, hint)
                    : c->err->code;
    }
    if (src->kind != kind)
        return pl_err_at(c, stmt->pos, EDDY_ETYPE,
                         "Incompatible data source type is %s, but statement was DROP %s",
                         kind_word(src->kind, true), kind_word(kind, true));
    if (src->is_source && stmt->drop.delete_topic)
        return pl_err_at(c, stmt->pos, EDDY_ETYPE,
                         "Cannot delete topic for read-only source: %s", src->name);
    ps->source = (plan_source *)src;
    return 0;
}

static int plan_create_type(pl_ctx *c, const parser_stmt *stmt, plan_stmt *ps)
{
    ps->kind = PLAN_CREATE_TYPE;
    ps->name = stmt->type.name;
    ps->if_not_exists = stmt->type.if_not_exists;
    return pl_type_from_ast(c, stmt->type.type, &ps->type);
}

/* ---------------------------------------------------------------------------------------------
 * Entry point
 * ------------------------------------------------------------------------------------------- */

static int plan_stmt_in(pl_ctx *c, const parser_stmt *stmt, plan_stmt *ps)
{
    ps->ast = stmt;
    ps->values_rowtime = -1;
    switch (stmt->kind) {
    case PARSER_STMT_CREATE_SOURCE:
        return plan_create_source(c, stmt, ps);
    case PARSER_STMT_CREATE_AS:
        return pl_plan_query_stmt(c, stmt, PL_Q_CREATE_AS, ps);
    case PARSER_STMT_INSERT_INTO:
        return pl_plan_query_stmt(c, stmt, PL_Q_INSERT, ps);
    case PARSER_STMT_QUERY:
        return pl_plan_query_stmt(c, stmt, PL_Q_TRANSIENT, ps);
    case PARSER_STMT_INSERT_VALUES:
        return plan_insert_values(c, stmt, ps);
    case PARSER_STMT_DROP_SOURCE:
        return plan_drop(c, stmt, ps);
    case PARSER_STMT_CREATE_TYPE:
        return plan_create_type(c, stmt, ps);
    case PARSER_STMT_DROP_TYPE:
        ps->kind = PLAN_DROP_TYPE;
        ps->name = stmt->drop.name;
        ps->if_exists = stmt->drop.if_exists;
        return 0;
    case PARSER_STMT_SET:
    case PARSER_STMT_ALTER_SYSTEM:
        ps->kind = PLAN_SET;
        ps->name = stmt->prop.name;
        ps->value = stmt->prop.value;
        return 0;
    case PARSER_STMT_UNSET:
        ps->kind = PLAN_UNSET;
        ps->name = stmt->prop.name;
        return 0;
    case PARSER_STMT_DEFINE:
        ps->kind = PLAN_DEFINE;
        ps->name = stmt->prop.name;
        ps->value = stmt->prop.value;
        return 0;
    case PARSER_STMT_UNDEFINE:
        ps->kind = PLAN_UNDEFINE;
        ps->name = stmt->prop.name;
        return 0;
    case PARSER_STMT_EXPLAIN: {
        if (!stmt->explain.stmt) {
            ps->kind = PLAN_OTHER;
            return 0;
        }
        const parser_stmt *in = stmt->explain.stmt;
        if (in->kind != PARSER_STMT_QUERY && in->kind != PARSER_STMT_CREATE_AS &&
            in->kind != PARSER_STMT_INSERT_INTO)
            return pl_err_at(c, in->pos, EDDY_ETYPE,
                             "The provided statement does not run a ksql query");
        plan_stmt inner;
        memset(&inner, 0, sizeof inner);
        int rc = plan_stmt_in(c, in, &inner);
        if (rc)
            return rc;
        ps->kind = PLAN_EXPLAIN;
        ps->query = inner.query;
        ps->source = inner.source;
        return 0;
    }
    case PARSER_STMT_ALTER_SOURCE: {
        /* ksqlDB's AlterSourceFactory rejects a source (read-only) stream or table first */
        const plan_source *t = c->cat && c->cat->lookup
                                   ? c->cat->lookup(c->cat->ctx, stmt->create.name)
                                   : NULL;
        const char *kind = stmt->create.source == PARSER_SOURCE_TABLE ? "table" : "stream";
        if (t && t->is_source)
            return pl_err_at(c, stmt->pos, EDDY_ETYPE,
                             "Cannot alter %s '%s': ALTER operations are not supported on "
                             "source %ss.", kind, stmt->create.name, kind);
        return pl_err_at(c, stmt->pos, EDDY_EUNSUPPORTED, "ALTER is not supported yet");
    }
    default:
        ps->kind = PLAN_OTHER;
        return 0;
    }
}

int planner_plan(const parser_stmt *stmt, const char *sql, const plan_catalog *cat,
                 eddy_arena *arena, plan_stmt **out, eddy_err *err)
{
    if (!stmt || !arena || !out)
        return eddy_err_set(err, EDDY_EINVAL, "planner_plan: NULL argument");
    *out = NULL;
    eddy_err local;
    eddy_err_clear(&local);
    pl_ctx c = {sql, sql ? strlen(sql) : 0, cat, arena, err ? err : &local};
    plan_stmt *ps = eddy_arena_calloc(arena, sizeof *ps);
    if (!ps)
        return pl_oom(&c);
    int rc = plan_stmt_in(&c, stmt, ps);
    if (rc) {
        if (!c.err->code)
            eddy_err_set(c.err, rc, "%s", eddy_strerror(rc));
        return c.err->code;
    }
    *out = ps;
    return 0;
}
