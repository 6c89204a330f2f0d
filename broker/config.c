/*
 * config.c - per-topic configuration: Kafka's key names, defaults, validation and text form,
 * and the topic.json file that persists a topic's partition count and config.
 *
 * The settings are a table (one row per Kafka key, in the alphabetical order Kafka's docs
 * list them), so parsing, validation, formatting and persistence share one description.
 * Numbers are parsed strictly: an optional '-', decimal digits only, no surrounding blanks,
 * no overflow; each key's range is the one Kafka's LogConfig validators enforce (INT keys
 * are also capped at INT32_MAX). cleanup.policy is Kafka's list of "delete" and "compact".
 *
 * topic.json (written with eddy_write_file_atomic, so a crash leaves the old or the new file):
 *     {"partitions": 3, "config": {"cleanup.policy": "delete", "retention.ms": "604800000", ...}}
 * Config values are strings, as Kafka's describe output shows them. Reading starts from the
 * defaults, so a file written before a key existed still loads; an unknown key or a bad value
 * is EDDY_ECORRUPT (the file was not written by us).
 */
#include "broker_int.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

/* One numeric setting: an int64_t field of broker_topic_config and its valid range. */
typedef struct config_key {
    const char *name;
    size_t offset;               /* of the int64_t field; SIZE_MAX for cleanup.policy */
    int64_t min, max;
} config_key;

#define POLICY_FIELD SIZE_MAX
#define FIELD(f) offsetof(broker_topic_config, f)

/* Alphabetical, as Kafka documents topic configs; the order of format() and topic.json. */
static const config_key config_keys[] = {
    {"cleanup.policy", POLICY_FIELD, 0, 0},
    {"delete.retention.ms", FIELD(delete_retention_ms), 0, INT64_MAX},
    {"flush.messages", FIELD(flush_messages), 1, INT64_MAX},
    {"flush.ms", FIELD(flush_ms), 0, INT64_MAX},
    {"max.message.bytes", FIELD(max_message_bytes), 0, INT32_MAX},
    {"min.compaction.lag.ms", FIELD(min_compaction_lag_ms), 0, INT64_MAX},
    {"retention.bytes", FIELD(retention_bytes), -1, INT64_MAX},
    {"retention.ms", FIELD(retention_ms), -1, INT64_MAX},
    {"segment.bytes", FIELD(segment_bytes), 14, INT32_MAX},
    {"segment.ms", FIELD(segment_ms), 1, INT64_MAX},
};

void broker_topic_config_default(broker_topic_config *c)
{
    c->retention_ms = 604800000;          /* 7 days */
    c->retention_bytes = -1;
    c->segment_bytes = 1073741824;        /* 1 GiB */
    c->segment_ms = 604800000;
    c->cleanup_policy = BROKER_CLEANUP_DELETE;
    c->delete_retention_ms = 86400000;    /* 1 day */
    c->flush_messages = INT64_MAX;
    c->flush_ms = INT64_MAX;
    c->max_message_bytes = 1048588;
    c->min_compaction_lag_ms = 0;
}

static int64_t *field_of(broker_topic_config *c, const config_key *k)
{
    return (int64_t *)(void *)((char *)c + k->offset);
}

static int64_t field_get(const broker_topic_config *c, const config_key *k)
{
    return *(const int64_t *)(const void *)((const char *)c + k->offset);
}

/* Strict decimal int64: [-]digits, nothing else. Returns 0, or -1 (malformed) / -2 (range). */
static int parse_int64(const char *s, int64_t *out)
{
    const char *p = s;
    if (*p == '-')
        p++;
    if (!isdigit((unsigned char)*p))
        return -1;
    for (const char *q = p; *q; q++)
        if (!isdigit((unsigned char)*q))
            return -1;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno == ERANGE)
        return -2;
    *out = v;
    return 0;
}

/* Parse Kafka's cleanup.policy list: "delete", "compact", "compact,delete" (blanks around
 * items allowed, as Kafka trims list items; each item at most once). */
static int parse_policy(const char *value, int *out)
{
    int bits = 0;
    const char *p = value;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        const char *start = p;
        while (*p && *p != ',' && *p != ' ' && *p != '\t')
            p++;
        size_t n = (size_t)(p - start);
        int bit;
        if (n == 6 && !memcmp(start, "delete", 6))
            bit = BROKER_CLEANUP_DELETE;
        else if (n == 7 && !memcmp(start, "compact", 7))
            bit = BROKER_CLEANUP_COMPACT;
        else
            return -1;
        if (bits & bit)
            return -1;
        bits |= bit;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0')
            break;
        if (*p != ',')
            return -1;
        p++;
    }
    *out = bits;
    return 0;
}

static const char *policy_name(int bits)
{
    switch (bits & (BROKER_CLEANUP_DELETE | BROKER_CLEANUP_COMPACT)) {
    case BROKER_CLEANUP_COMPACT:
        return "compact";
    case BROKER_CLEANUP_DELETE | BROKER_CLEANUP_COMPACT:
        return "compact,delete";
    default:
        return "delete";
    }
}

/*
 * Set the entry named 'key' (a Kafka topic config name) from its text 'value'. Nothing is
 * changed on error. Errors: EDDY_EINVAL for an unknown key, a value that is not an integer
 * (or not a cleanup.policy list), or a value outside Kafka's range; the message names the
 * key and the value.
 */
int broker_topic_config_set(broker_topic_config *c, const char *key, const char *value,
                            eddy_err *err)
{
    if (!key || !value)
        return eddy_err_set(err, EDDY_EINVAL, "topic config key and value are required");
    const config_key *k = NULL;
    for (size_t i = 0; i < EDDY_ARRAY_LEN(config_keys); i++)
        if (!strcmp(config_keys[i].name, key))
            k = &config_keys[i];
    if (!k)
        return eddy_err_set(err, EDDY_EINVAL, "unknown topic config '%.64s'", key);

    if (k->offset == POLICY_FIELD) {
        int bits;
        if (parse_policy(value, &bits) != 0)
            return eddy_err_set(err, EDDY_EINVAL,
                                "invalid value '%.64s' for topic config cleanup.policy: "
                                "expected delete, compact or compact,delete", value);
        c->cleanup_policy = bits;
        return 0;
    }
    int64_t v;
    int rc = parse_int64(value, &v);
    if (rc == -1)
        return eddy_err_set(err, EDDY_EINVAL,
                            "invalid value '%.64s' for topic config %s: not an integer", value,
                            k->name);
    if (rc == -2 || v > k->max)
        return eddy_err_set(err, EDDY_EINVAL,
                            "invalid value '%.64s' for topic config %s: must be at most %" PRId64,
                            value, k->name, k->max);
    if (v < k->min)
        return eddy_err_set(err, EDDY_EINVAL,
                            "invalid value '%.64s' for topic config %s: must be at least %" PRId64,
                            value, k->name, k->min);
    *field_of(c, k) = v;
    return 0;
}

/* The text of entry 'k' of 'c' in 'buf' (which must hold at least 24 bytes). */
static const char *entry_text(const broker_topic_config *c, const config_key *k, char *buf,
                              size_t n)
{
    if (k->offset == POLICY_FIELD)
        return policy_name(c->cleanup_policy);
    snprintf(buf, n, "%" PRId64, field_get(c, k));
    return buf;
}

/*
 * Append every entry of 'c' to 'out' as "key=value\n", in the table's (alphabetical) order.
 * Errors: EDDY_ENOMEM.
 */
int broker_topic_config_format(const broker_topic_config *c, eddy_buf *out)
{
    for (size_t i = 0; i < EDDY_ARRAY_LEN(config_keys); i++) {
        char num[32];
        const char *v = entry_text(c, &config_keys[i], num, sizeof num);
        if (eddy_buf_printf(out, "%s=%s\n", config_keys[i].name, v) != 0)
            return EDDY_ENOMEM;
    }
    return 0;
}

/*
 * Write "<topic_dir>/topic.json" atomically with 'partitions' and every entry of 'c'.
 * Errors: EDDY_ENOMEM, EDDY_EIO.
 */
int broker__topic_meta_write(const char *topic_dir, int partitions,
                             const broker_topic_config *c, eddy_err *err)
{
    json_t *root = json_object();
    json_t *cfg = json_object();
    int rc = 0;
    if (!root || !cfg || json_object_set_new(root, "partitions", json_integer(partitions)) ||
        json_object_set(root, "config", cfg)) {
        rc = eddy_err_set(err, EDDY_ENOMEM, "out of memory writing topic metadata");
        goto out;
    }
    for (size_t i = 0; i < EDDY_ARRAY_LEN(config_keys); i++) {
        char num[32];
        const char *v = entry_text(c, &config_keys[i], num, sizeof num);
        if (json_object_set_new(cfg, config_keys[i].name, json_string(v))) {
            rc = eddy_err_set(err, EDDY_ENOMEM, "out of memory writing topic metadata");
            goto out;
        }
    }
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (!text) {
        rc = eddy_err_set(err, EDDY_ENOMEM, "out of memory writing topic metadata");
        goto out;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/topic.json", topic_dir);
    size_t len = strlen(text);
    text[len] = '\n';   /* json_dumps leaves the NUL; end the file with a newline instead */
    rc = eddy_write_file_atomic(path, text, len + 1, err);
    free(text);
out:
    json_decref(cfg);
    json_decref(root);
    return rc;
}

/*
 * Read "<topic_dir>/topic.json" into '*partitions' and 'c' (missing keys keep their defaults).
 * Errors: EDDY_ENOTFOUND (no file), EDDY_EIO, EDDY_ENOMEM, EDDY_ECORRUPT (not JSON, a bad
 * partition count, an unknown key or a bad value).
 */
int broker__topic_meta_read(const char *topic_dir, int *partitions, broker_topic_config *c,
                            eddy_err *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/topic.json", topic_dir);
    char *text;
    size_t len;
    int rc = eddy_read_file(path, &text, &len, err);
    if (rc)
        return rc;
    json_error_t jerr;
    json_t *root = json_loadb(text, len, 0, &jerr);
    eddy_free(text);
    if (!root)
        return eddy_err_set(err, EDDY_ECORRUPT, "%s: line %d: %s", path, jerr.line, jerr.text);

    broker_topic_config tmp;
    broker_topic_config_default(&tmp);
    json_t *np = json_object_get(root, "partitions");
    json_t *cfg = json_object_get(root, "config");
    if (!json_is_integer(np) || json_integer_value(np) < 1 ||
        json_integer_value(np) > INT32_MAX) {
        rc = eddy_err_set(err, EDDY_ECORRUPT, "%s: missing or bad \"partitions\"", path);
        goto out;
    }
    if (cfg && !json_is_object(cfg)) {
        rc = eddy_err_set(err, EDDY_ECORRUPT, "%s: \"config\" is not an object", path);
        goto out;
    }
    const char *key;
    json_t *val;
    json_object_foreach(cfg, key, val) {
        char num[32];
        const char *text_val;
        if (json_is_string(val)) {
            text_val = json_string_value(val);
        } else if (json_is_integer(val)) {
            snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(val));
            text_val = num;
        } else {
            rc = eddy_err_set(err, EDDY_ECORRUPT, "%s: config '%.64s' is not a string", path,
                              key);
            goto out;
        }
        eddy_err e2;
        eddy_err_clear(&e2);
        if (broker_topic_config_set(&tmp, key, text_val, &e2) != 0) {
            rc = eddy_err_set(err, EDDY_ECORRUPT, "%s: %s", path, e2.msg);
            goto out;
        }
    }
    *partitions = (int)json_integer_value(np);
    *c = tmp;
out:
    json_decref(root);
    return rc;
}
