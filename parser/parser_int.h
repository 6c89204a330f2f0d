/*
 * parser_int.h - what the lexer, the grammar, the AST builders and the entry point share
 * inside parser/: the parse state, token values, source locations, and the builder calls the
 * grammar actions make (one call per action, SQLite's parse.y style).
 *
 * Builders return NULL (or -1) after recording an error in the state; the grammar then aborts
 * with YYABORT. All memory comes from the statement arena, so an aborted parse frees nothing.
 */
#ifndef EDDY_PARSER_INT_H
#define EDDY_PARSER_INT_H

#include "eddy/parser.h"

/* A source span: byte offsets [begin, end) into parser_state.text. Bison's location type. */
typedef struct parser_loc {
    uint32_t begin, end;
} parser_loc;

/* The value of a token. For identifiers 'text' is the normalised name (upper-cased unless
 * quoted) and 'cased' the name with its case kept (quotes removed); for strings 'text' is the
 * unescaped content; for numbers the digits as written. */
typedef struct parser_tok {
    const char *text;
    const char *cased;
    size_t len;             /* strlen(text); strings may hold NUL bytes */
    uint32_t pos;
    bool quoted;            /* back- or double-quoted identifier */
} parser_tok;

/* A growable array of pointers in the arena (old arrays are left to the arena on growth). */
typedef struct parser_plist {
    size_t n, cap;
    void **items;
} parser_plist;

/* Window options collected while parsing `, RETENTION .. , GRACE PERIOD ..`. */
typedef struct parser_wopts {
    bool has_retention, has_grace;
    parser_duration retention, grace;
} parser_wopts;

/* The whole state of one parser_parse() call. */
typedef struct parser_state {
    eddy_arena *arena;
    const char *text;       /* the text being lexed (NUL-terminated, two NULs for flex) */
    size_t len;
    const char *orig;       /* the same text, which flex does not touch (error messages) */
    eddy_err *err;
    int failed;             /* first error code recorded (also when err is NULL) */
    void *scanner;          /* flex yyscan_t */
    void *lex_lost;         /* a block flex lost to a failed realloc (freed at destroy) */
    parser_plist stmts;     /* parser_stmt * */
    parser_plist overflow;  /* parser_expr * literals 9223372036854775808 (and DOUBLE literals
                             * that overflow) awaiting a '-' */
    /* lexer bookkeeping, for error messages */
    uint32_t off;           /* offset of the next byte to lex */
    int depth;              /* open ( and [ */
    int stmt_tokens;        /* tokens lexed since the start of the current statement */
    int err_tok_index;      /* stmt_tokens value of the token at which a syntax error occurred */
} parser_state;

/* ---------------------------------------------------------------------------------------------
 * Lexer (lexer.l) and keywords (keywords.c)
 * ------------------------------------------------------------------------------------------- */

typedef struct parser_keyword {
    const char *name;       /* upper case */
    int token;              /* grammar token number */
    bool reserved;          /* false: ksqlDB's nonReserved list (usable as an identifier) */
} parser_keyword;

/* The keyword spelled by 's' (length 'n', any case), or NULL. */
const parser_keyword *parser__keyword_find(const char *s, size_t n);

/* Create and destroy the flex scanner over st->text. Return 0 or EDDY_ENOMEM. */
int parser__lex_init(parser_state *st);
void parser__lex_destroy(parser_state *st);

/* Record a lexical or syntax error at byte offset 'off'. 'fmt' is the message after the
 * "line L:C: " prefix. Returns EDDY_EPARSE. */
int parser__error_at(parser_state *st, uint32_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* As parser__error_at() for an error ksqlDB raises while building its AST: the message gets
 * ksqlDB's "Failed to prepare statement: " prefix (and its column, one more than the true
 * column, exactly as ksqlDB prints it). */
int parser__prepare_error_at(parser_state *st, uint32_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* As parser__error_at() with the message exactly as given (no position prefix). */
int parser__raw_error_at(parser_state *st, uint32_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Record EDDY_ENOMEM. */
int parser__oom(parser_state *st);

/* ---------------------------------------------------------------------------------------------
 * AST builders (ast.c). 'loc' is the span of the grammar rule being reduced.
 * ------------------------------------------------------------------------------------------- */

void *ast_alloc(parser_state *st, size_t n);
parser_plist *ast_list(parser_state *st, void *first);          /* first may be NULL: empty */
parser_plist *ast_append(parser_state *st, parser_plist *l, void *item);
parser_plist *ast_prepend(parser_state *st, void *first, parser_plist *rest);

/* expressions */
parser_expr *ast_null(parser_state *st, const parser_loc *loc);
parser_expr *ast_bool(parser_state *st, const parser_loc *loc, bool v);
parser_expr *ast_string(parser_state *st, const parser_loc *loc, const parser_tok *t);
parser_expr *ast_integer(parser_state *st, const parser_loc *loc, const parser_tok *t);
parser_expr *ast_decimal(parser_state *st, const parser_loc *loc, const parser_tok *t);
parser_expr *ast_double(parser_state *st, const parser_loc *loc, const parser_tok *t);
parser_expr *ast_typed_literal(parser_state *st, const parser_loc *loc, const parser_tok *type,
                               const parser_tok *value);
parser_expr *ast_column(parser_state *st, const parser_loc *loc, const parser_tok *qualifier,
                        const parser_tok *name);
parser_expr *ast_deref(parser_state *st, const parser_loc *loc, parser_expr *base,
                       const parser_tok *field);
parser_expr *ast_subscript(parser_state *st, const parser_loc *loc, parser_expr *base,
                           parser_expr *index);
parser_expr *ast_unary(parser_state *st, const parser_loc *loc, parser_op op, parser_expr *e);
parser_expr *ast_binary(parser_state *st, const parser_loc *loc, parser_op op, parser_expr *l,
                        parser_expr *r);
parser_expr *ast_is_null(parser_state *st, const parser_loc *loc, parser_expr *e, bool negated);
parser_expr *ast_distinct(parser_state *st, const parser_loc *loc, parser_expr *l,
                          parser_expr *r, bool negated);
parser_expr *ast_between(parser_state *st, const parser_loc *loc, parser_expr *v,
                         parser_expr *lo, parser_expr *hi, bool negated);
parser_expr *ast_in(parser_state *st, const parser_loc *loc, parser_expr *v, parser_plist *list,
                    bool negated);
parser_expr *ast_like(parser_state *st, const parser_loc *loc, parser_expr *v,
                      parser_expr *pattern, const parser_tok *escape, bool negated);
parser_expr *ast_case(parser_state *st, const parser_loc *loc, parser_expr *operand,
                      parser_plist *whens, parser_expr *else_);
parser_when *ast_when(parser_state *st, parser_expr *cond, parser_expr *result);
parser_expr *ast_cast(parser_state *st, const parser_loc *loc, parser_expr *e, parser_type *t);
parser_expr *ast_array(parser_state *st, const parser_loc *loc, parser_plist *items);
parser_expr *ast_map(parser_state *st, const parser_loc *loc, parser_plist *kvs);
parser_expr *ast_struct(parser_state *st, const parser_loc *loc, parser_plist *fields);
parser_named_expr *ast_named(parser_state *st, const parser_tok *name, parser_expr *value);
parser_expr *ast_call(parser_state *st, const parser_loc *loc, const parser_tok *name,
                      parser_plist *args, bool star);
parser_expr *ast_lambda(parser_state *st, const parser_loc *loc, parser_plist *params,
                        parser_expr *body);
parser_expr *ast_unit(parser_state *st, const parser_loc *loc, parser_time_unit unit);
parser_expr *ast_paren(parser_state *st, const parser_loc *loc, parser_expr *e);

/* types */
parser_type *ast_type_named(parser_state *st, const parser_loc *loc, const parser_tok *name,
                            parser_plist *params);
parser_type *ast_type_decimal(parser_state *st, const parser_loc *loc, const parser_tok *p,
                              const parser_tok *s);
parser_type *ast_type_array(parser_state *st, const parser_loc *loc, parser_type *elem);
parser_type *ast_type_map(parser_state *st, const parser_loc *loc, parser_type *k,
                          parser_type *v);
parser_type *ast_type_struct(parser_state *st, const parser_loc *loc, parser_plist *fields);
parser_type_field *ast_type_field(parser_state *st, const parser_tok *name, parser_type *t);
const char *ast_tok_str(parser_state *st, const parser_tok *t); /* token text as a string */

/* queries */
parser_duration *ast_duration(parser_state *st, const parser_tok *n, parser_time_unit unit);
parser_select_item *ast_select_expr(parser_state *st, const parser_loc *loc, parser_expr *e,
                                    const parser_tok *alias);
parser_select_item *ast_select_all(parser_state *st, const parser_loc *loc,
                                   const parser_tok *qualifier);
parser_select_item *ast_select_struct_all(parser_state *st, const parser_loc *loc,
                                          parser_expr *base);
parser_source_ref *ast_source_ref(parser_state *st, const parser_loc *loc,
                                  const parser_tok *name, const parser_tok *alias);
parser_join *ast_join(parser_state *st, const parser_loc *loc, parser_join_type type,
                      parser_source_ref *src, parser_join *within, parser_expr *on);
parser_join *ast_within(parser_state *st, parser_duration *before, parser_duration *after,
                        parser_duration *grace);
parser_wopts *ast_wopts(parser_state *st, parser_duration *retention, parser_duration *grace);
parser_window *ast_window(parser_state *st, const parser_loc *loc, parser_window_kind kind,
                          parser_duration *size, parser_duration *advance, parser_wopts *o);
parser_query *ast_query(parser_state *st, const parser_loc *loc, parser_plist *items,
                        parser_plist *from);
/* Query clauses, applied to the query built so far; return 'q' (or NULL on error). */
parser_query *ast_query_clauses(parser_state *st, parser_query *q, parser_window *w,
                                parser_expr *where, parser_plist *group_by,
                                parser_plist *partition_by, parser_expr *having,
                                parser_emit emit, const parser_tok *limit);
parser_plist *ast_empty_list_marker(parser_state *st);  /* GROUP BY () */

/* statements */
parser_property *ast_property(parser_state *st, const parser_tok *name, bool quoted_name,
                              parser_expr *value);
parser_column_def *ast_column_def(parser_state *st, const parser_loc *loc,
                                  const parser_tok *name, parser_type *t,
                                  parser_col_constraint c, const parser_tok *header_key);
parser_stmt *ast_stmt(parser_state *st, parser_stmt_kind kind);
parser_stmt *ast_stmt_query(parser_state *st, parser_query *q);
parser_stmt *ast_stmt_create(parser_state *st, parser_stmt_kind kind, int flags,
                             parser_source_kind source, const parser_tok *name,
                             parser_plist *cols, parser_plist *with, parser_query *q);
parser_stmt *ast_stmt_insert(parser_state *st, const parser_tok *target, parser_plist *with,
                             parser_query *q);
parser_stmt *ast_stmt_insert_values(parser_state *st, const parser_tok *target,
                                    parser_plist *cols, parser_plist *values);
parser_stmt *ast_stmt_drop(parser_state *st, parser_stmt_kind kind, parser_source_kind source,
                           bool if_exists, const parser_tok *name, bool delete_topic);
parser_stmt *ast_stmt_create_type(parser_state *st, bool if_not_exists, const parser_tok *name,
                                  parser_type *t);
parser_stmt *ast_stmt_prop(parser_state *st, parser_stmt_kind kind, const parser_tok *name,
                           const parser_tok *value);
parser_stmt *ast_stmt_list(parser_state *st, parser_list_kind what, bool extended, bool all);
parser_stmt *ast_stmt_describe(parser_state *st, const parser_tok *name, bool extended);
parser_stmt *ast_stmt_describe_kind(parser_state *st, parser_stmt_kind kind,
                                    const parser_tok *name, bool extended);
parser_stmt *ast_stmt_explain(parser_state *st, parser_stmt *inner, const parser_loc *inner_loc,
                              const parser_tok *id);
parser_stmt *ast_stmt_terminate(parser_state *st, parser_stmt_kind kind, const parser_tok *id);
parser_stmt *ast_stmt_print(parser_state *st, const parser_tok *topic, bool from_beginning,
                            const parser_tok *interval, const parser_tok *limit);
parser_stmt *ast_stmt_assert_topic(parser_state *st, bool exists, const parser_tok *name,
                                   parser_plist *with, parser_duration *timeout);
parser_stmt *ast_stmt_assert_schema(parser_state *st, bool exists, const parser_tok *subject,
                                    parser_expr *id, parser_duration *timeout);
/* Finish a statement: record its span and text and append it to st->stmts. Returns 0/-1. */
int ast_stmt_done(parser_state *st, parser_stmt *s, const parser_loc *loc);

/* Flags of ast_stmt_create(). */
enum { AST_OR_REPLACE = 1, AST_IF_NOT_EXISTS = 2, AST_SOURCE = 4 };

#endif /* EDDY_PARSER_INT_H */
