/*
 * parser.c - parser_parse(): variable substitution, running the lexer and grammar, and
 * ksqlDB-style error messages.
 *
 * Variable substitution (ksqlDB's VariableSubstitutor, substitution enabled): the input is cut
 * into statements at ';' outside strings, quoted identifiers and comments; each statement has
 * its `${name}` references replaced using the variables known at that point, and a statement
 * that is `DEFINE name = 'value'` or `UNDEFINE name` then changes them for the statements
 * after it. Inside a string literal a value has its quotes doubled; elsewhere it is inserted
 * as written. Undefined variables are left alone (the lexer then reports them). The grammar
 * runs once over the substituted text, so all positions refer to that text.
 *
 * Syntax errors: bison with LAC gives the exact set of tokens acceptable at the error. The
 * message imitates what ksqlDB (ANTLR + its SyntaxErrorValidator) prints:
 *   line L:C: Syntax Error\nExpecting {',', ')'}                     (a short expected set)
 *   line L:C: Syntax Error\nSyntax error at or near 'X' at line L:C  (no viable alternative)
 *   line L:C: Syntax Error\nUnknown statement 'SELCT'\nDid you mean 'SELECT'?
 *   line L:C: Syntax Error\n"FROM" is a reserved keyword and it can't be used as an ...
 *   line L:C: Syntax Error\nSyntax error at or near ";"\n'}', ']', or ')' is missing
 * ANTLR's choice between "mismatched input" and "no viable alternative" depends on its
 * prediction machinery; we call it "no viable alternative" when an identifier, or only
 * keywords, could have come next, and otherwise list the expected tokens (ANTLR's wording,
 * "mismatched input 'X' expecting {...}", when there are more than three, where ksqlDB itself
 * would print nothing useful).
 */
#include <stdio.h>
#include <strings.h>

#include "parser_int.h"
#include "parser/grammar.h"

int parser_yyparse(void *scanner, parser_state *st);

/* ---------------------------------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------------------------------- */

void parser_linecol(const char *text, size_t len, size_t off, int *line, int *col)
{
    int l = 1;
    size_t start = 0;
    if (off > len)
        off = len;
    for (size_t i = 0; i < off; i++) {
        if (text[i] == '\n') {
            l++;
            start = i + 1;
        }
    }
    *line = l;
    *col = (int)(off - start) + 1;
}

enum { STYLE_SYNTAX, STYLE_PREPARE, STYLE_RAW };

/* The statement of 'text' that holds offset 'off': from its first non-blank byte through its
 * ';' (or the end), cutting at ';' outside strings, quoted identifiers and comments. */
static void statement_around(const char *text, size_t len, size_t off, size_t *start,
                             size_t *end)
{
    enum { NORMAL, STR, BACKQ, DQUOTE, LINE_COMMENT, BLOCK_COMMENT } state = NORMAL;
    size_t begin = 0;
    *end = len;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        switch (state) {
        case NORMAL:
            if (c == '\'')
                state = STR;
            else if (c == '`')
                state = BACKQ;
            else if (c == '"')
                state = DQUOTE;
            else if (c == '-' && i + 1 < len && text[i + 1] == '-')
                state = LINE_COMMENT;
            else if (c == '/' && i + 1 < len && text[i + 1] == '*')
                state = BLOCK_COMMENT, i++;
            else if (c == ';' && i >= off) {
                *end = i + 1;
                goto done;
            } else if (c == ';')
                begin = i + 1;
            break;
        case STR:
            if (c == '\'')
                state = NORMAL;
            break;
        case BACKQ:
            if (c == '`')
                state = NORMAL;
            break;
        case DQUOTE:
            if (c == '"')
                state = NORMAL;
            break;
        case LINE_COMMENT:
            if (c == '\n')
                state = NORMAL;
            break;
        case BLOCK_COMMENT:
            if (c == '*' && i + 1 < len && text[i + 1] == '/')
                state = NORMAL, i++;
            break;
        }
    }
done:
    while (begin < *end && (text[begin] == ' ' || text[begin] == '\t' || text[begin] == '\n' ||
                            text[begin] == '\r'))
        begin++;
    while (*end > begin && (text[*end - 1] == ' ' || text[*end - 1] == '\t' ||
                            text[*end - 1] == '\n' || text[*end - 1] == '\r'))
        (*end)--;
    *start = begin;
}

static int verror(parser_state *st, int style, uint32_t off, const char *fmt, va_list ap)
{
    char msg[sizeof st->err->msg];
    int line, col;
    if (st->failed)
        return st->failed;
    st->failed = EDDY_EPARSE;
    parser_linecol(st->text, st->len, off, &line, &col);
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (style == STYLE_SYNTAX) {
        /* ksqlDB's KsqlStatementException ends with the statement's text. */
        size_t a, b;
        const char *t = st->orig ? st->orig : st->text;
        statement_around(t, st->len, off, &a, &b);
        eddy_err_set_at(st->err, EDDY_EPARSE, line, col, "line %d:%d: %s\nStatement: %.*s",
                        line, col, msg, (int)(b - a), t + a);
    }
    else if (style == STYLE_PREPARE)
        /* ksqlDB adds one to the column twice on this path; print what it prints. */
        eddy_err_set_at(st->err, EDDY_EPARSE, line, col,
                        "Failed to prepare statement: line %d:%d: %s", line, col + 1, msg);
    else
        eddy_err_set_at(st->err, EDDY_EPARSE, line, col, "%s", msg);
    return EDDY_EPARSE;
}

int parser__error_at(parser_state *st, uint32_t off, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = verror(st, STYLE_SYNTAX, off, fmt, ap);
    va_end(ap);
    return rc;
}

int parser__prepare_error_at(parser_state *st, uint32_t off, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = verror(st, STYLE_PREPARE, off, fmt, ap);
    va_end(ap);
    return rc;
}

int parser__raw_error_at(parser_state *st, uint32_t off, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = verror(st, STYLE_RAW, off, fmt, ap);
    va_end(ap);
    return rc;
}

int parser__oom(parser_state *st)
{
    if (!st->failed) {
        st->failed = EDDY_ENOMEM;
        eddy_err_set(st->err, EDDY_ENOMEM, "out of memory while parsing");
    }
    return EDDY_ENOMEM;
}

/* The statements ksqlDB's SyntaxErrorValidator suggests for a mistyped first word. */
static const char *const commands[] = {
    "SELECT", "CREATE", "INSERT", "DESCRIBE", "PRINT", "EXPLAIN", "SHOW", "LIST", "TERMINATE",
    "PAUSE", "RESUME", "DROP", "SET", "DEFINE", "UNDEFINE", "UNSET", "ASSERT", "ALTER"
};

static int levenshtein(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    int row[64];
    if (nb >= EDDY_ARRAY_LEN(row))
        return 1 << 20;
    for (size_t j = 0; j <= nb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= na; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= nb; j++) {
            int up = row[j];
            char ca = a[i - 1];
            if (ca >= 'a' && ca <= 'z')
                ca = (char)(ca - 'a' + 'A');
            int cost = ca == b[j - 1] ? 0 : 1;
            int best = EDDY_MIN(row[j] + 1, row[j - 1] + 1);
            row[j] = EDDY_MIN(best, diag + cost);
            diag = up;
        }
    }
    return row[nb];
}

static bool is_keyword_kind(const char *display)
{
    /* Keywords display as 'WORD' (quoted letters); punctuation as ',' and named tokens bare. */
    size_t n = strlen(display);
    return n >= 3 && display[0] == '\'' && display[n - 1] == '\'' &&
           display[1] >= 'A' && display[1] <= 'Z';
}

static void append(char *buf, size_t cap, const char *s)
{
    size_t n = strlen(buf);
    if (n + 1 < cap)
        snprintf(buf + n, cap - n, "%s", s);
}

/* ANTLR's IntervalSet.toString(): one element bare, several as {a, b, c}. */
static void expected_set(char *buf, size_t cap, const int *expected, int n, int limit)
{
    buf[0] = '\0';
    if (n != 1)
        append(buf, cap, "{");
    for (int i = 0; i < n && i < limit; i++) {
        if (i)
            append(buf, cap, ", ");
        append(buf, cap, parser__token_display(expected[i]));
    }
    if (n > limit)
        append(buf, cap, ", ...");
    if (n != 1)
        append(buf, cap, "}");
}

int parser__report_syntax_error(parser_state *st, int token_kind, const parser_loc *loc,
                                const int *expected, int nexpected)
{
    char tok[64], set[200];
    int line, col;
    if (st->failed)
        return 0;                   /* the lexer already reported this token */
    bool eof = token_kind == 0;       /* the "<EOF>" token */
    uint32_t tlen = loc->end - loc->begin;
    if (eof)
        snprintf(tok, sizeof tok, "<EOF>");
    else
        snprintf(tok, sizeof tok, "%.*s", (int)EDDY_MIN(tlen, 60u), st->text + loc->begin);
    parser_linecol(st->text, st->len, loc->begin, &line, &col);

    bool ident = false, only_keywords = nexpected > 0, statement_start = false;
    for (int i = 0; i < nexpected; i++) {
        const char *d = parser__token_display(expected[i]);
        if (strcmp(d, "IDENTIFIER") == 0)
            ident = true;
        if (!is_keyword_kind(d))
            only_keywords = false;
        if (strcmp(d, "'SELECT'") == 0 && st->stmt_tokens <= 1)
            statement_start = true;
    }

    if (st->depth > 0 && (eof || (tlen == 1 && st->text[loc->begin] == ';')))
        return parser__error_at(st, loc->begin,
                                "Syntax Error\nSyntax error at or near \";\"\n'}', ']', or ')' "
                                "is missing");
    if (statement_start && !eof) {
        const char *best = commands[0];
        int bestd = 1 << 20;
        for (size_t i = 0; i < EDDY_ARRAY_LEN(commands); i++) {
            int d = levenshtein(tok, commands[i]);
            if (d < bestd) {
                bestd = d;
                best = commands[i];
            }
        }
        return parser__error_at(st, loc->begin,
                                "Syntax Error\nUnknown statement '%s'\nDid you mean '%s'?", tok,
                                best);
    }
    const parser_keyword *kw = eof ? NULL : parser__keyword_find(tok, strlen(tok));
    /* ksqlDB says this for ANTLR's "extraneous input"; we say it for any reserved word where
     * an identifier could go, except the literals NULL, TRUE and FALSE. */
    if (ident && kw && kw->reserved && strcmp(kw->name, "NULL") != 0 &&
        strcmp(kw->name, "TRUE") != 0 && strcmp(kw->name, "FALSE") != 0)
        return parser__error_at(st, loc->begin,
                                "Syntax Error\n\"%s\" is a reserved keyword and it can't be used "
                                "as an identifier. You can use it as an identifier by escaping "
                                "it as '%s' ",
                                tok, tok);
    if (ident || only_keywords || nexpected == 0)
        return parser__error_at(st, loc->begin,
                                "Syntax Error\nSyntax error at or near '%s' at line %d:%d", tok,
                                line, col);
    expected_set(set, sizeof set, expected, nexpected, 8);
    if (nexpected <= 3)
        return parser__error_at(st, loc->begin, "Syntax Error\nExpecting %s", set);
    return parser__error_at(st, loc->begin, "Syntax Error\nmismatched input '%s' expecting %s",
                            tok, set);
}

/* ---------------------------------------------------------------------------------------------
 * Variable substitution
 * ------------------------------------------------------------------------------------------- */

typedef struct var_table {
    size_t n, cap;
    const char **names, **values;   /* value NULL: undefined by UNDEFINE */
} var_table;

static const char *var_get(const var_table *vt, const char *name, size_t n)
{
    for (size_t i = vt->n; i-- > 0;)
        if (strlen(vt->names[i]) == n && memcmp(vt->names[i], name, n) == 0)
            return vt->values[i];
    return NULL;
}

static int var_put(parser_state *st, var_table *vt, const char *name, size_t n, const char *value)
{
    if (vt->n == vt->cap) {
        size_t cap = vt->cap ? vt->cap * 2 : 8;
        const char **names = eddy_arena_alloc(st->arena, cap * sizeof *names);
        const char **values = eddy_arena_alloc(st->arena, cap * sizeof *values);
        if (!names || !values)
            return parser__oom(st);
        if (vt->n) {
            memcpy(names, vt->names, vt->n * sizeof *names);
            memcpy(values, vt->values, vt->n * sizeof *values);
        }
        vt->names = names;
        vt->values = values;
        vt->cap = cap;
    }
    vt->names[vt->n] = eddy_arena_strndup(st->arena, name, n);
    vt->values[vt->n] = value;
    if (!vt->names[vt->n])
        return parser__oom(st);
    vt->n++;
    return 0;
}

static bool is_word(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '@';
}

/* Skip whitespace and comments in s[i..n). */
static size_t skip_space(const char *s, size_t i, size_t n)
{
    for (;;) {
        while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
            i++;
        if (i + 1 < n && s[i] == '-' && s[i + 1] == '-') {
            while (i < n && s[i] != '\n')
                i++;
        } else if (i + 1 < n && s[i] == '/' && s[i + 1] == '*') {
            const char *e = NULL;
            for (size_t j = i + 2; j + 1 < n; j++)
                if (s[j] == '*' && s[j + 1] == '/') {
                    e = s + j + 2;
                    break;
                }
            if (!e)
                return n;
            i = (size_t)(e - s);
        } else {
            return i;
        }
    }
}

static bool word_is(const char *s, size_t i, size_t n, const char *w, size_t *end)
{
    size_t k = strlen(w);
    if (i + k > n || strncasecmp(s + i, w, k) != 0 || (i + k < n && is_word(s[i + k])))
        return false;
    *end = i + k;
    return true;
}

/* If statement s[0..n) is `DEFINE name = 'value'` or `UNDEFINE name`, apply it to 'vt'. */
static int apply_define(parser_state *st, var_table *vt, const char *s, size_t n)
{
    size_t i = skip_space(s, 0, n), e;
    bool define;
    if (word_is(s, i, n, "DEFINE", &e))
        define = true;
    else if (word_is(s, i, n, "UNDEFINE", &e))
        define = false;
    else
        return 0;
    i = skip_space(s, e, n);
    size_t name = i;
    while (i < n && is_word(s[i]))
        i++;
    size_t name_len = i - name;
    if (!name_len)
        return 0;
    i = skip_space(s, i, n);
    if (!define)
        return skip_space(s, i, n) == n ? var_put(st, vt, s + name, name_len, NULL) : 0;
    if (i >= n || s[i] != '=')
        return 0;
    i = skip_space(s, i + 1, n);
    if (i >= n || s[i] != '\'')
        return 0;
    char *v = eddy_arena_alloc(st->arena, n - i + 1);
    size_t k = 0;
    if (!v)
        return parser__oom(st);
    for (i++; i < n; i++) {
        if (s[i] == '\'') {
            if (i + 1 < n && s[i + 1] == '\'') {
                v[k++] = '\'';
                i++;
                continue;
            }
            break;
        }
        v[k++] = s[i];
    }
    v[k] = '\0';
    if (i >= n || skip_space(s, i + 1, n) != n)
        return 0;
    return var_put(st, vt, s + name, name_len, v);
}

/* Append 'value' to 'out', doubling quotes when inside a string literal. */
static int put_value(eddy_buf *out, const char *value, bool in_string)
{
    if (!in_string)
        return eddy_buf_append(out, value, strlen(value));
    for (const char *p = value; *p; p++)
        if (eddy_buf_append(out, p, 1) != 0 || (*p == '\'' && eddy_buf_append(out, p, 1) != 0))
            return EDDY_ENOMEM;
    return 0;
}

/* Substitute variables statement by statement (see the file comment) into 'out'. */
static int substitute(parser_state *st, const char *sql, size_t len, const parser_vars *vars,
                      eddy_buf *out)
{
    var_table vt = {0};
    for (size_t i = 0; vars && i < vars->n; i++)
        if (var_put(st, &vt, vars->items[i].name, strlen(vars->items[i].name),
                    vars->items[i].value) != 0)
            return st->failed;
    enum { NORMAL, STR, BACKQ, DQUOTE, LINE_COMMENT, BLOCK_COMMENT } state = NORMAL;
    size_t stmt_start = 0;
    for (size_t i = 0; i < len; i++) {
        char c = sql[i];
        if ((state == NORMAL || state == STR) && c == '$' && i + 1 < len && sql[i + 1] == '{') {
            size_t j = i + 2;
            while (j < len && is_word(sql[j]))
                j++;
            if (j < len && sql[j] == '}' && j > i + 2) {
                const char *v = var_get(&vt, sql + i + 2, j - i - 2);
                if (v) {
                    if (put_value(out, v, state == STR) != 0)
                        return parser__oom(st);
                    i = j;
                    continue;
                }
            }
        }
        if (eddy_buf_append(out, &c, 1) != 0)
            return parser__oom(st);
        switch (state) {
        case NORMAL:
            if (c == '\'')
                state = STR;
            else if (c == '`')
                state = BACKQ;
            else if (c == '"')
                state = DQUOTE;
            else if (c == '-' && i + 1 < len && sql[i + 1] == '-')
                state = LINE_COMMENT;
            else if (c == '/' && i + 1 < len && sql[i + 1] == '*') {
                state = BLOCK_COMMENT;
                if (eddy_buf_append(out, "*", 1) != 0)
                    return parser__oom(st);
                i++;
            } else if (c == ';') {
                if (apply_define(st, &vt, (const char *)out->data + stmt_start,
                                 out->len - 1 - stmt_start) != 0)
                    return st->failed;
                stmt_start = out->len;
            }
            break;
        case STR:
            if (c == '\'')
                state = NORMAL;     /* a doubled quote re-enters STR at once */
            break;
        case BACKQ:
            if (c == '`')
                state = NORMAL;
            break;
        case DQUOTE:
            if (c == '"')
                state = NORMAL;
            break;
        case LINE_COMMENT:
            if (c == '\n')
                state = NORMAL;
            break;
        case BLOCK_COMMENT:
            if (c == '*' && i + 1 < len && sql[i + 1] == '/') {
                if (eddy_buf_append(out, "/", 1) != 0)
                    return parser__oom(st);
                i++;
                state = NORMAL;
            }
            break;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Entry point
 * ------------------------------------------------------------------------------------------- */

static bool has_variable(const char *sql, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++)
        if (sql[i] == '$' && sql[i + 1] == '{')
            return true;
    return false;
}

int parser_parse(const char *sql, size_t len, const parser_vars *vars, eddy_arena *arena,
                 parser_stmt_list **out, eddy_err *err)
{
    if (out)
        *out = NULL;
    if ((!sql && len) || !arena || !out)
        return eddy_err_set(err, EDDY_EINVAL, "parser_parse: bad arguments");
    if (len > UINT32_MAX - 2)
        return eddy_err_set(err, EDDY_ETOOLARGE, "statement text too large (%zu bytes)", len);

    parser_state st;
    memset(&st, 0, sizeof st);
    st.arena = arena;
    st.err = err;

    /* The text to lex: a copy with two trailing NULs (flex's in-place buffer). */
    char *text;
    if (has_variable(sql, len)) {
        eddy_buf b;
        eddy_buf_init(&b);
        st.text = "";
        if (substitute(&st, sql, len, vars, &b) != 0) {
            eddy_buf_free(&b);
            return st.failed;
        }
        if (b.len > UINT32_MAX - 2) {
            eddy_buf_free(&b);
            return eddy_err_set(err, EDDY_ETOOLARGE, "statement text too large");
        }
        len = b.len;
        text = eddy_arena_alloc(arena, len + 2);
        char *orig = eddy_arena_alloc(arena, len + 1);
        if (text && orig && len) {
            memcpy(text, b.data, len);
            memcpy(orig, b.data, len);
        }
        st.orig = orig;
        eddy_buf_free(&b);
    } else {
        text = eddy_arena_alloc(arena, len + 2);
        if (text && len)
            memcpy(text, sql, len);
        st.orig = sql ? sql : "";
    }
    if (!text || !st.orig)
        return parser__oom(&st);
    text[len] = text[len + 1] = '\0';
    st.text = text;
    st.len = len;

    if (parser__lex_init(&st) != 0) {
        parser__lex_destroy(&st);
        return st.failed;
    }
    int rc = parser_yyparse(st.scanner, &st);
    parser__lex_destroy(&st);
    if (rc != 0 || st.failed) {
        if (!st.failed)
            return parser__oom(&st);        /* rc 2: bison ran out of memory */
        return st.failed;
    }

    parser_stmt_list *l = eddy_arena_calloc(arena, sizeof *l);
    if (!l)
        return parser__oom(&st);
    l->n = st.stmts.n;
    l->items = (parser_stmt **)st.stmts.items;
    l->text = text;
    l->text_len = len;
    *out = l;
    return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Small helpers
 * ------------------------------------------------------------------------------------------- */

int64_t parser_duration_ms(const parser_duration *d)
{
    static const int64_t ms[] = {1, 1000, 60000, 3600000, 86400000};
    int64_t f = ms[d->unit];
    if (d->value > INT64_MAX / f)
        return INT64_MAX;
    if (d->value < INT64_MIN / f)
        return INT64_MIN;
    return d->value * f;
}

const char *parser_time_unit_name(parser_time_unit unit)
{
    static const char *const names[] = {"MILLISECONDS", "SECONDS", "MINUTES", "HOURS", "DAYS"};
    return (unsigned)unit < EDDY_ARRAY_LEN(names) ? names[unit] : "?";
}

const char *parser_stmt_kind_name(parser_stmt_kind kind)
{
    static const char *const names[] = {
        "QUERY", "CREATE_SOURCE", "CREATE_AS", "INSERT_INTO", "INSERT_VALUES", "DROP_SOURCE",
        "CREATE_TYPE", "DROP_TYPE", "ALTER_SOURCE", "DEFINE", "UNDEFINE", "SET", "UNSET",
        "ALTER_SYSTEM", "LIST", "DESCRIBE", "DESCRIBE_STREAMS", "DESCRIBE_TABLES",
        "DESCRIBE_FUNCTION", "EXPLAIN", "TERMINATE", "PAUSE", "RESUME", "PRINT", "ASSERT_TOPIC",
        "ASSERT_SCHEMA", "RUN_SCRIPT"
    };
    return (unsigned)kind < EDDY_ARRAY_LEN(names) ? names[kind] : "?";
}
