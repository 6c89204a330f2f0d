/*
 * eddy/parser.h - the SQL parser: ksqlDB's dialect in, an abstract syntax tree out.
 *
 * parser_parse() turns a script (one or more statements separated by ';') into a list of
 * statements. The AST is purely syntactic: names are not resolved and types are a small
 * "type AST" (name, parameters, element and field types), not the engine's type objects.
 * The planner walks it (planner/analyze.c) and reports semantic errors by the positions the
 * nodes carry.
 *
 * Memory: every node, string and list is allocated in the caller's arena (the statement
 * arena) and lives until that arena is reset or destroyed. Nothing needs freeing one by one.
 *
 * Positions: every node has `pos` (byte offset into the parsed text) and `len` (length of its
 * source span). Offsets refer to parser_stmt_list.text, which is the input after `${var}`
 * substitution (identical to the input when the input uses no variables).
 * parser_linecol() converts an offset to a 1-based line and column.
 *
 * Identifiers follow ksqlDB: unquoted identifiers are upper-cased; back-quoted (`x`) and
 * double-quoted ("x") identifiers keep their case (a doubled quote escapes one). Keywords that
 * ksqlDB lists as non-reserved (KEY, DATE, TIME, TIMESTAMP, SESSION, MAP, STRUCT, ...) may be
 * used as identifiers; reserved ones (SELECT, SIZE, VALUES, ...) must be quoted.
 *
 * Thread-safety: parser_parse() keeps all state on the stack and in the caller's arena; calls
 * on different arenas may run concurrently.
 */
#ifndef EDDY_PARSER_H
#define EDDY_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eddy/common.h"

/* ---------------------------------------------------------------------------------------------
 * Small shared pieces
 * ------------------------------------------------------------------------------------------- */

/* Time units of window sizes, WITHIN, GRACE PERIOD, RETENTION and interval-unit arguments.
 * Singular and plural spellings (SECOND, SECONDS) map to the same unit, as in ksqlDB. */
typedef enum parser_time_unit {
    PARSER_UNIT_MILLISECONDS,
    PARSER_UNIT_SECONDS,
    PARSER_UNIT_MINUTES,
    PARSER_UNIT_HOURS,
    PARSER_UNIT_DAYS
} parser_time_unit;

/* `n UNIT` as written, e.g. `30 SECONDS`. */
typedef struct parser_duration {
    int64_t value;
    parser_time_unit unit;
    uint32_t pos;             /* offset of the number */
} parser_duration;

typedef struct parser_expr parser_expr;
typedef struct parser_type parser_type;
typedef struct parser_query parser_query;
typedef struct parser_stmt parser_stmt;

typedef struct parser_expr_list {
    size_t n;
    parser_expr **items;
} parser_expr_list;

/* ---------------------------------------------------------------------------------------------
 * Types (as written in column definitions, CAST, CREATE TYPE)
 * ------------------------------------------------------------------------------------------- */

typedef enum parser_type_kind {
    PARSER_TYPE_NAMED,    /* INT, BIGINT, VARCHAR, STRING, BYTES, DATE, ... or a custom type */
    PARSER_TYPE_DECIMAL,  /* DECIMAL(precision, scale) */
    PARSER_TYPE_ARRAY,    /* ARRAY<elem>, also the postfix form `elem ARRAY` */
    PARSER_TYPE_MAP,      /* MAP<key, elem> */
    PARSER_TYPE_STRUCT    /* STRUCT<name type, ...> */
} parser_type_kind;

typedef struct parser_type_field {
    const char *name;         /* normalised identifier */
    parser_type *type;
    uint32_t pos;
} parser_type_field;

struct parser_type {
    parser_type_kind kind;
    uint32_t pos, len;
    const char *name;         /* NAMED: normalised identifier ("INT", "VARCHAR", "ADDRESS") */
    size_t nparams;           /* NAMED: parameters as written, e.g. VARCHAR(10) -> "10" */
    const char **params;
    int precision, scale;     /* DECIMAL */
    parser_type *key;         /* MAP key */
    parser_type *elem;        /* ARRAY element, MAP value */
    size_t nfields;           /* STRUCT */
    parser_type_field *fields;
};

/* ---------------------------------------------------------------------------------------------
 * Expressions
 * ------------------------------------------------------------------------------------------- */

typedef enum parser_expr_kind {
    PARSER_EXPR_NULL,         /* NULL */
    PARSER_EXPR_BOOL,         /* TRUE, FALSE: .b */
    PARSER_EXPR_INT,          /* integer literal that fits in 32 bits: .i32 */
    PARSER_EXPR_BIGINT,       /* integer literal that needs 64 bits: .i64 */
    PARSER_EXPR_DECIMAL,      /* 1.5, .5, 12. (typed DECIMAL(p,s) as ksqlDB does): .dec */
    PARSER_EXPR_DOUBLE,       /* 1.5E3: .f64 */
    PARSER_EXPR_STRING,       /* 'text' with '' unescaped: .str */
    PARSER_EXPR_COLUMN,       /* name or qualifier.name: .col */
    PARSER_EXPR_DEREF,        /* base->field: .deref */
    PARSER_EXPR_SUBSCRIPT,    /* base[index]: .sub */
    PARSER_EXPR_UNARY,        /* -x, +x, NOT x: .unary */
    PARSER_EXPR_BINARY,       /* arithmetic, ||, comparison, AND, OR: .binary */
    PARSER_EXPR_IS_NULL,      /* x IS [NOT] NULL: .is_null */
    PARSER_EXPR_DISTINCT,     /* x IS [NOT] DISTINCT FROM y: .distinct */
    PARSER_EXPR_BETWEEN,      /* x [NOT] BETWEEN a AND b: .between */
    PARSER_EXPR_IN,           /* x [NOT] IN (a, b, ...): .in */
    PARSER_EXPR_LIKE,         /* x [NOT] LIKE p [ESCAPE 'c']: .like */
    PARSER_EXPR_CASE,         /* CASE [operand] WHEN .. THEN .. [ELSE ..] END: .case_ */
    PARSER_EXPR_CAST,         /* CAST(x AS type): .cast */
    PARSER_EXPR_ARRAY,        /* ARRAY[a, b]: .array */
    PARSER_EXPR_MAP,          /* MAP(k := v, ...): .map */
    PARSER_EXPR_STRUCT,       /* STRUCT(f := v, ...): .struct_ */
    PARSER_EXPR_CALL,         /* f(args), COUNT(*): .call */
    PARSER_EXPR_LAMBDA,       /* x => body, (x, y) => body: .lambda */
    PARSER_EXPR_UNIT          /* a time unit as a function argument, TIMESTAMPADD(SECONDS, ..) */
} parser_expr_kind;

typedef enum parser_op {
    PARSER_OP_ADD, PARSER_OP_SUB, PARSER_OP_MUL, PARSER_OP_DIV, PARSER_OP_MOD,
    PARSER_OP_CONCAT,                                           /* || */
    PARSER_OP_EQ, PARSER_OP_NEQ, PARSER_OP_LT, PARSER_OP_LTE, PARSER_OP_GT, PARSER_OP_GTE,
    PARSER_OP_AND, PARSER_OP_OR,
    PARSER_OP_NEG, PARSER_OP_PLUS, PARSER_OP_NOT                /* unary */
} parser_op;

typedef struct parser_when {
    parser_expr *cond;        /* the WHEN operand (a value for a simple CASE) */
    parser_expr *result;
} parser_when;

typedef struct parser_named_expr {
    const char *name;         /* STRUCT field name, normalised identifier */
    uint32_t pos;
    parser_expr *value;
} parser_named_expr;

struct parser_expr {
    parser_expr_kind kind;
    uint32_t pos, len;        /* source span */
    bool parenthesized;       /* written inside ( ) */
    union {
        bool b;
        int32_t i32;
        int64_t i64;
        double f64;
        struct { const char *text; int precision, scale; } dec;  /* text as written */
        struct { const char *s; size_t len; } str;               /* NUL-terminated too */
        struct { const char *qualifier; const char *name; } col; /* qualifier may be NULL */
        struct { parser_expr *base; const char *field; } deref;
        struct { parser_expr *base, *index; } sub;
        struct { parser_op op; parser_expr *operand; } unary;
        struct { parser_op op; parser_expr *left, *right; } binary;
        struct { parser_expr *operand; bool negated; } is_null;
        struct { parser_expr *left, *right; bool negated; } distinct;
        struct { parser_expr *value, *low, *high; bool negated; } between;
        struct { parser_expr *value; parser_expr_list list; bool negated; } in;
        struct { parser_expr *value, *pattern; const char *escape; bool negated; } like;
        struct {
            parser_expr *operand;  /* NULL for a searched CASE */
            size_t nwhens;
            parser_when *whens;
            parser_expr *else_;    /* may be NULL */
        } case_;
        struct { parser_expr *operand; parser_type *type; } cast;
        parser_expr_list array;
        struct { size_t n; parser_expr **keys, **values; } map;
        struct { size_t n; parser_named_expr *fields; } struct_;
        struct {
            const char *name;      /* normalised identifier */
            bool star;             /* COUNT(*) */
            parser_expr_list args; /* lambdas included, in order */
        } call;
        struct { size_t nparams; const char **params; parser_expr *body; } lambda;
        parser_time_unit unit;
    };
};

/* ---------------------------------------------------------------------------------------------
 * Queries
 * ------------------------------------------------------------------------------------------- */

typedef enum parser_select_kind {
    PARSER_SELECT_EXPR,        /* expr [AS alias] */
    PARSER_SELECT_ALL,         /* * (qualifier NULL) or qualifier.* */
    PARSER_SELECT_STRUCT_ALL   /* expr->* */
} parser_select_kind;

typedef struct parser_select_item {
    parser_select_kind kind;
    uint32_t pos, len;
    parser_expr *expr;         /* EXPR, STRUCT_ALL */
    const char *alias;         /* EXPR: NULL when not given */
    const char *qualifier;     /* ALL: source name or alias, NULL for a bare * */
} parser_select_item;

typedef struct parser_source_ref {
    const char *name;          /* normalised source name */
    const char *alias;         /* NULL when not given */
    uint32_t pos, len;
} parser_source_ref;

typedef enum parser_join_type {
    PARSER_JOIN_INNER, PARSER_JOIN_LEFT, PARSER_JOIN_RIGHT, PARSER_JOIN_FULL
} parser_join_type;

typedef struct parser_join {
    parser_join_type type;
    uint32_t pos, len;
    parser_source_ref source;  /* the right-hand side */
    bool has_within;
    parser_duration before, after;  /* WITHIN n U: both n U; WITHIN (a U, b U): before, after */
    bool has_grace;
    parser_duration grace;
    parser_expr *on;
} parser_join;

typedef enum parser_window_kind {
    PARSER_WINDOW_TUMBLING, PARSER_WINDOW_HOPPING, PARSER_WINDOW_SESSION
} parser_window_kind;

typedef struct parser_window {
    parser_window_kind kind;
    uint32_t pos, len;
    parser_duration size;      /* SESSION: the inactivity gap */
    parser_duration advance;   /* HOPPING only */
    bool has_retention;
    parser_duration retention;
    bool has_grace;
    parser_duration grace;
} parser_window;

typedef enum parser_emit {
    PARSER_EMIT_NONE,          /* no EMIT clause: a pull query, or a persistent query */
    PARSER_EMIT_CHANGES,
    PARSER_EMIT_FINAL
} parser_emit;

struct parser_query {
    uint32_t pos, len;
    size_t nitems;
    parser_select_item *items;
    parser_source_ref from;
    size_t njoins;
    parser_join *joins;        /* in the order written; each joins the result so far */
    parser_window *window;     /* NULL without WINDOW */
    parser_expr *where;        /* NULL when absent */
    bool has_group_by;
    parser_expr_list group_by; /* may be empty: GROUP BY () */
    bool has_partition_by;
    parser_expr_list partition_by;
    parser_expr *having;
    parser_emit emit;
    bool has_limit;
    int32_t limit;
};

/* ---------------------------------------------------------------------------------------------
 * Statements
 * ------------------------------------------------------------------------------------------- */

/* One `name = literal` of a WITH (...) clause. */
typedef struct parser_property {
    const char *name;          /* identifier upper-cased, or a quoted 'name' as written */
    parser_expr *value;        /* a literal: STRING, INT, BIGINT, DECIMAL, DOUBLE, BOOL, NULL */
    uint32_t pos;
} parser_property;

typedef struct parser_props {
    size_t n;                  /* 0 when there is no WITH clause */
    parser_property *items;
} parser_props;

typedef enum parser_col_constraint {
    PARSER_COL_VALUE,          /* none: a value column */
    PARSER_COL_KEY,            /* KEY */
    PARSER_COL_PRIMARY_KEY,    /* PRIMARY KEY */
    PARSER_COL_HEADERS,        /* HEADERS (all headers) */
    PARSER_COL_HEADER          /* HEADER('key') */
} parser_col_constraint;

typedef struct parser_column_def {
    const char *name;
    parser_type *type;
    parser_col_constraint constraint;
    const char *header_key;    /* HEADER('key'): the key, trimmed; NULL when empty */
    uint32_t pos, len;
} parser_column_def;

typedef enum parser_source_kind { PARSER_SOURCE_STREAM, PARSER_SOURCE_TABLE } parser_source_kind;

typedef enum parser_stmt_kind {
    PARSER_STMT_QUERY,             /* SELECT ...: .query */
    PARSER_STMT_CREATE_SOURCE,     /* CREATE [OR REPLACE] [SOURCE] STREAM|TABLE ... (cols): .create */
    PARSER_STMT_CREATE_AS,         /* CREATE [OR REPLACE] STREAM|TABLE ... AS SELECT: .create */
    PARSER_STMT_INSERT_INTO,       /* INSERT INTO t [WITH (..)] SELECT ...: .insert */
    PARSER_STMT_INSERT_VALUES,     /* INSERT INTO t [(cols)] VALUES (...): .insert */
    PARSER_STMT_DROP_SOURCE,       /* DROP STREAM|TABLE [IF EXISTS] t [DELETE TOPIC]: .drop */
    PARSER_STMT_CREATE_TYPE,       /* CREATE TYPE [IF NOT EXISTS] n AS type: .type */
    PARSER_STMT_DROP_TYPE,         /* DROP TYPE [IF EXISTS] n: .drop (source unused) */
    PARSER_STMT_ALTER_SOURCE,      /* ALTER STREAM|TABLE t ADD [COLUMN] c type, ...: .create */
    PARSER_STMT_DEFINE,            /* DEFINE name = 'value': .prop */
    PARSER_STMT_UNDEFINE,          /* UNDEFINE name: .prop (value NULL) */
    PARSER_STMT_SET,               /* SET 'k' = 'v': .prop */
    PARSER_STMT_UNSET,             /* UNSET 'k': .prop (value NULL) */
    PARSER_STMT_ALTER_SYSTEM,      /* ALTER SYSTEM 'k' = 'v': .prop */
    PARSER_STMT_LIST,              /* SHOW|LIST what [EXTENDED]: .list */
    PARSER_STMT_DESCRIBE,          /* DESCRIBE name [EXTENDED]: .describe */
    PARSER_STMT_DESCRIBE_STREAMS,  /* DESCRIBE STREAMS [EXTENDED]: .describe (name NULL) */
    PARSER_STMT_DESCRIBE_TABLES,   /* DESCRIBE TABLES [EXTENDED]: .describe (name NULL) */
    PARSER_STMT_DESCRIBE_FUNCTION, /* DESCRIBE FUNCTION name: .describe */
    PARSER_STMT_EXPLAIN,           /* EXPLAIN statement | EXPLAIN query_id: .explain */
    PARSER_STMT_TERMINATE,         /* TERMINATE id | ALL: .query_id */
    PARSER_STMT_PAUSE,             /* PAUSE id | ALL: .query_id */
    PARSER_STMT_RESUME,            /* RESUME id | ALL: .query_id */
    PARSER_STMT_PRINT,             /* PRINT topic [FROM BEGINNING] [INTERVAL n] [LIMIT n]: .print */
    PARSER_STMT_ASSERT_TOPIC,      /* ASSERT [NOT EXISTS] TOPIC t [WITH (..)] [TIMEOUT n U] */
    PARSER_STMT_ASSERT_SCHEMA,     /* ASSERT [NOT EXISTS] SCHEMA [SUBJECT s] [ID n] [TIMEOUT] */
    PARSER_STMT_RUN_SCRIPT         /* RUN SCRIPT 'file': .path; a CLI command that the
                                    * statements grammar (ksqlDB's `statements`) rejects, so
                                    * the parser never produces it */
} parser_stmt_kind;

typedef enum parser_list_kind {
    PARSER_LIST_STREAMS, PARSER_LIST_TABLES, PARSER_LIST_TOPICS, PARSER_LIST_QUERIES,
    PARSER_LIST_FUNCTIONS, PARSER_LIST_TYPES, PARSER_LIST_PROPERTIES, PARSER_LIST_VARIABLES
} parser_list_kind;

struct parser_stmt {
    parser_stmt_kind kind;
    uint32_t pos, len;         /* statement text span, without the terminating ';' */
    const char *text;          /* copy of that span, NUL-terminated (for echo, command topic) */
    union {
        parser_query *query;   /* QUERY */
        struct {               /* CREATE_SOURCE, CREATE_AS, ALTER_SOURCE */
            parser_source_kind source;
            bool or_replace, if_not_exists;
            bool is_source;        /* CREATE SOURCE STREAM|TABLE (read-only) */
            const char *name;
            uint32_t name_pos;
            bool has_columns;      /* an element list was written */
            size_t ncols;
            parser_column_def *cols;
            parser_props with;
            parser_query *query;   /* CREATE_AS only */
        } create;
        struct {               /* INSERT_INTO, INSERT_VALUES */
            const char *target;
            uint32_t target_pos;
            parser_props with;     /* INSERT_INTO only */
            parser_query *query;   /* INSERT_INTO */
            size_t ncols;          /* INSERT_VALUES: 0 when no column list was written */
            const char **cols;
            parser_expr_list values;
        } insert;
        struct {               /* DROP_SOURCE, DROP_TYPE */
            parser_source_kind source;
            const char *name;
            bool if_exists, delete_topic;
        } drop;
        struct {               /* CREATE_TYPE */
            const char *name;
            bool if_not_exists;
            parser_type *type;
        } type;
        struct {               /* DEFINE, UNDEFINE, SET, UNSET, ALTER_SYSTEM */
            const char *name;
            const char *value;     /* NULL for UNDEFINE, UNSET */
        } prop;
        struct {               /* LIST */
            parser_list_kind what;
            bool extended;
            bool all;              /* SHOW ALL TOPICS */
        } list;
        struct {               /* DESCRIBE* */
            const char *name;
            bool extended;
        } describe;
        struct {               /* EXPLAIN: exactly one of the two is set */
            parser_stmt *stmt;
            const char *query_id;
        } explain;
        struct {               /* TERMINATE, PAUSE, RESUME: query_id NULL means ALL */
            const char *query_id;
        } terminate;
        struct {               /* PRINT */
            const char *topic;     /* case kept (a topic name, not a source name) */
            bool from_beginning;
            bool has_interval, has_limit;
            int32_t interval, limit;
        } print;
        struct {               /* ASSERT_TOPIC, ASSERT_SCHEMA */
            bool exists;           /* false for ASSERT NOT EXISTS */
            const char *name;      /* topic, or schema subject (NULL when absent) */
            parser_props with;     /* topic only */
            parser_expr *id;       /* schema only: ID literal, NULL when absent */
            bool has_timeout;
            parser_duration timeout;
        } assert_;
        const char *path;      /* RUN_SCRIPT */
    };
};

typedef struct parser_stmt_list {
    size_t n;
    parser_stmt **items;
    const char *text;          /* the text parsed (after variable substitution); NUL-terminated */
    size_t text_len;
} parser_stmt_list;

/* Variables known before the input is parsed (a session's DEFINEs). Borrowed. */
typedef struct parser_var {
    const char *name;
    const char *value;
} parser_var;

typedef struct parser_vars {
    size_t n;
    const parser_var *items;
} parser_vars;

/* ---------------------------------------------------------------------------------------------
 * Entry points
 * ------------------------------------------------------------------------------------------- */

/* Parse 'len' bytes of 'sql' into a list of statements allocated in 'arena' (*out). The text
 * holds zero or more statements, each ended by ';' (the last may omit it), with `--` and
 * `/ * * /` comments.
 *
 * Variables: `${name}` is replaced by its value before the statement is lexed, as ksqlDB does
 * with variable substitution enabled. 'vars' (may be NULL) gives the variables defined before
 * this input; a DEFINE or UNDEFINE in the input changes the variables of the statements after
 * it (the caller still executes them to update its session). Inside a string literal a value
 * has its quotes doubled. An undefined variable outside a string is a syntax error.
 *
 * Errors: EDDY_EPARSE with err->line and err->col (1-based) set and err->msg holding the full
 * text ksqlDB shows, position included, e.g. "line 1:33: Syntax Error\nExpecting {'STRING',
 * INTEGER_VALUE}" for a syntax error, or "Failed to prepare statement: line 2:40: Invalid
 * numeric literal: 9223372036854775808" for a literal ksqlDB rejects while building its AST.
 * err->col is ksqlDB's printed column (ANTLR's 0-based charPositionInLine + 1), counted in
 * bytes. EDDY_ENOMEM when out of memory; EDDY_EINVAL for a NULL argument. On error *out is
 * NULL and no statement is returned: nothing after a syntax error may run.
 */
int parser_parse(const char *sql, size_t len, const parser_vars *vars, eddy_arena *arena,
                 parser_stmt_list **out, eddy_err *err);

/* Convert byte offset 'off' of 'text' (length 'len') into a 1-based line and column. Lines
 * end at '\n'; a column counts bytes from the start of its line. An offset past the end is
 * clamped to the end. */
void parser_linecol(const char *text, size_t len, size_t off, int *line, int *col);

/* True when 'word' (any case) is a ksqlDB reserved keyword, i.e. it must be quoted to be used
 * as an identifier. Non-reserved keywords (KEY, DATE, SESSION, ...) and non-keywords give
 * false. The planner and formatter use this to decide when to quote a name. */
bool parser_is_reserved(const char *word);

/* Milliseconds of 'd' (saturating at INT64_MAX/MIN). */
int64_t parser_duration_ms(const parser_duration *d);

/* Upper-case plural name of a unit: "MILLISECONDS", "SECONDS", ... Never NULL. */
const char *parser_time_unit_name(parser_time_unit unit);

/* Statement kind name for messages and logs: "QUERY", "CREATE_AS", ... Never NULL. */
const char *parser_stmt_kind_name(parser_stmt_kind kind);

/* ---------------------------------------------------------------------------------------------
 * AST printer: a compact S-expression form, used by tests and for debugging, e.g.
 *   (query (items (col A) (as (+ (col B) (int 1)) X)) (from T) (where (= (col C) (str 'x'))))
 * Appends to 'out'; returns 0 or EDDY_ENOMEM.
 * ------------------------------------------------------------------------------------------- */

int parser_print_expr(const parser_expr *e, eddy_buf *out);
int parser_print_type(const parser_type *t, eddy_buf *out);
int parser_print_stmt(const parser_stmt *s, eddy_buf *out);

#endif /* EDDY_PARSER_H */
