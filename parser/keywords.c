/*
 * keywords.c - ksqlDB's keywords: spelling, grammar token, and whether they are reserved.
 *
 * The list is SqlBase.g4's keyword tokens; `reserved` is false for the words in its
 * nonReserved rule, which may also be used as identifiers (a column named KEY or DATE).
 * Sorted by name for binary search; lookups are case-insensitive (ksqlDB lexes upper-cased
 * input).
 */
#include <strings.h>

#include "parser_int.h"
#include "parser/grammar.h"

static const parser_keyword keywords[] = {
    {"ADD", TK_ADD, false},
    {"ADVANCE", TK_ADVANCE, true},
    {"ALL", TK_ALL, true},
    {"ALTER", TK_ALTER, false},
    {"ANALYZE", TK_ANALYZE, false},
    {"AND", TK_AND, true},
    {"ARRAY", TK_ARRAY, false},
    {"AS", TK_AS, true},
    {"ASSERT", TK_ASSERT, false},
    {"AT", TK_AT, true},
    {"BEGINNING", TK_BEGINNING, true},
    {"BETWEEN", TK_BETWEEN, true},
    {"BY", TK_BY, true},
    {"CASE", TK_CASE, true},
    {"CAST", TK_CAST, true},
    {"CATALOG", TK_CATALOG, true},
    {"CHANGES", TK_CHANGES, false},
    {"COLUMN", TK_COLUMN, false},
    {"COLUMNS", TK_COLUMNS, false},
    {"CONNECTOR", TK_CONNECTOR, true},
    {"CONNECTORS", TK_CONNECTORS, true},
    {"CREATE", TK_CREATE, true},
    {"DATE", TK_DATE, false},
    {"DAY", TK_DAY, false},
    {"DAYS", TK_DAYS, true},
    {"DECIMAL", TK_DECIMAL, true},
    {"DEFINE", TK_DEFINE, false},
    {"DELETE", TK_DELETE, true},
    {"DESCRIBE", TK_DESCRIBE, true},
    {"DISTINCT", TK_DISTINCT, true},
    {"DROP", TK_DROP, true},
    {"ELSE", TK_ELSE, true},
    {"EMIT", TK_EMIT, false},
    {"END", TK_END, true},
    {"ESCAPE", TK_ESCAPE, false},
    {"EXISTS", TK_EXISTS, true},
    {"EXPLAIN", TK_EXPLAIN, false},
    {"EXPORT", TK_EXPORT, true},
    {"EXTENDED", TK_EXTENDED, true},
    {"FALSE", TK_FALSE, true},
    {"FINAL", TK_FINAL, false},
    {"FROM", TK_FROM, true},
    {"FULL", TK_FULL, true},
    {"FUNCTION", TK_FUNCTION, false},
    {"FUNCTIONS", TK_FUNCTIONS, false},
    {"GRACE", TK_GRACE, false},
    {"GROUP", TK_GROUP, true},
    {"HAVING", TK_HAVING, true},
    {"HEADER", TK_HEADER, false},
    {"HEADERS", TK_HEADERS, false},
    {"HOPPING", TK_HOPPING, true},
    {"HOUR", TK_HOUR, false},
    {"HOURS", TK_HOURS, true},
    {"ID", TK_ID, false},
    {"IF", TK_IF, false},
    {"IN", TK_IN, true},
    {"INNER", TK_INNER, true},
    {"INSERT", TK_INSERT, true},
    {"INTEGER", TK_INTEGER, false},
    {"INTERVAL", TK_INTERVAL, false},
    {"INTO", TK_INTO, true},
    {"IS", TK_IS, true},
    {"JOIN", TK_JOIN, true},
    {"KEY", TK_KEY, false},
    {"LEFT", TK_LEFT, true},
    {"LIKE", TK_LIKE, true},
    {"LIMIT", TK_LIMIT, true},
    {"LIST", TK_LIST, true},
    {"LOAD", TK_LOAD, true},
    {"MAP", TK_MAP, false},
    {"MATERIALIZED", TK_MATERIALIZED, true},
    {"MILLISECOND", TK_MILLISECOND, true},
    {"MILLISECONDS", TK_MILLISECONDS, true},
    {"MINUTE", TK_MINUTE, false},
    {"MINUTES", TK_MINUTES, true},
    {"MONTH", TK_MONTH, false},
    {"MONTHS", TK_MONTHS, true},
    {"NAMESPACE", TK_NAMESPACE, true},
    {"NOT", TK_NOT, true},
    {"NULL", TK_NULL, true},
    {"ON", TK_ON, true},
    {"OR", TK_OR, true},
    {"OUTER", TK_OUTER, true},
    {"PARTITION", TK_PARTITION, false},
    {"PARTITIONS", TK_PARTITIONS, false},
    {"PAUSE", TK_PAUSE, true},
    {"PERIOD", TK_PERIOD, false},
    {"PLUGINS", TK_PLUGINS, false},
    {"PRIMARY", TK_PRIMARY, false},
    {"PRINT", TK_PRINT, true},
    {"PROPERTIES", TK_PROPERTIES, true},
    {"QUERIES", TK_QUERIES, true},
    {"QUERY", TK_QUERY, true},
    {"RENAME", TK_RENAME, true},
    {"REPLACE", TK_REPLACE, false},
    {"RESET", TK_RESET, false},
    {"RESUME", TK_RESUME, true},
    {"RETENTION", TK_RETENTION, true},
    {"RIGHT", TK_RIGHT, true},
    {"RUN", TK_RUN, true},
    {"SAMPLE", TK_SAMPLE, true},
    {"SCHEMA", TK_SCHEMA, false},
    {"SCRIPT", TK_SCRIPT, true},
    {"SECOND", TK_SECOND, false},
    {"SECONDS", TK_SECONDS, true},
    {"SELECT", TK_SELECT, true},
    {"SESSION", TK_SESSION, false},
    {"SET", TK_SET, false},
    {"SHOW", TK_SHOW, false},
    {"SINK", TK_SINK, false},
    {"SIZE", TK_SIZE, true},
    {"SOURCE", TK_SOURCE, false},
    {"STREAM", TK_STREAM, true},
    {"STREAMS", TK_STREAMS, true},
    {"STRING", TK_KW_STRING, false},
    {"STRUCT", TK_STRUCT, false},
    {"SUBJECT", TK_SUBJECT, false},
    {"SYSTEM", TK_SYSTEM, false},
    {"TABLE", TK_TABLE, true},
    {"TABLES", TK_TABLES, false},
    {"TERMINATE", TK_TERMINATE, true},
    {"THEN", TK_THEN, true},
    {"TIME", TK_TIME, false},
    {"TIMEOUT", TK_TIMEOUT, false},
    {"TIMESTAMP", TK_TIMESTAMP, false},
    {"TO", TK_TO, true},
    {"TOPIC", TK_TOPIC, true},
    {"TOPICS", TK_TOPICS, true},
    {"TRUE", TK_TRUE, true},
    {"TUMBLING", TK_TUMBLING, true},
    {"TYPE", TK_TYPE, false},
    {"TYPES", TK_TYPES, false},
    {"UNDEFINE", TK_UNDEFINE, false},
    {"UNSET", TK_UNSET, true},
    {"VALUES", TK_VALUES, true},
    {"VARIABLES", TK_VARIABLES, false},
    {"VIEW", TK_VIEW, true},
    {"WHEN", TK_WHEN, true},
    {"WHERE", TK_WHERE, true},
    {"WINDOW", TK_WINDOW, true},
    {"WITH", TK_WITH, true},
    {"WITHIN", TK_WITHIN, true},
    {"YEAR", TK_YEAR, false},
    {"YEARS", TK_YEARS, true},
    {"ZONE", TK_ZONE, false},
};

static int cmp_word(const char *s, size_t n, const char *name)
{
    size_t i = 0;
    for (; i < n && name[i]; i++) {
        int c = (unsigned char)s[i];
        if (c >= 'a' && c <= 'z')
            c -= 'a' - 'A';
        if (c != (unsigned char)name[i])
            return c < (unsigned char)name[i] ? -1 : 1;
    }
    if (i < n)
        return 1;
    return name[i] ? -1 : 0;
}

const parser_keyword *parser__keyword_find(const char *s, size_t n)
{
    size_t lo = 0, hi = EDDY_ARRAY_LEN(keywords);
    if (n > 16)
        return NULL;                /* no keyword is longer */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = cmp_word(s, n, keywords[mid].name);
        if (c == 0)
            return &keywords[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

bool parser_is_reserved(const char *word)
{
    const parser_keyword *kw = word ? parser__keyword_find(word, strlen(word)) : NULL;
    return kw && kw->reserved;
}
