/*
 * grammar.y - ksqlDB's SQL grammar (SqlBase.g4) as a pure, reentrant LALR(1) bison grammar.
 *
 * Actions only build AST nodes through the ast_* builders (ast.c), one call each; no name
 * resolution happens here. Locations are byte spans (parser_loc). A builder that fails has
 * recorded its error in the parse state; the action then aborts the parse (CHK).
 *
 * Where ANTLR's adaptive LL(*) prediction decides with more than one token of lookahead, the
 * grammar is restated for LALR(1):
 *  - an alias written without AS cannot be EMIT or PARTITION after a source name, nor ESCAPE
 *    after a select expression (those words start the next clause); `AS emit` still works;
 *  - lambda parameters in parentheses are parsed as expressions and checked by ast_lambda();
 *  - a bare ARRAY/MAP/STRUCT is a column reference unless a constructor follows; `ARRAY[` is
 *    always the constructor (the one precedence-resolved conflict, see ARRAY_COLUMN).
 * Error messages are built in parser.c (yyreport_syntax_error) from the LAC-corrected set of
 * expected tokens. The token order below follows ANTLR's token numbering (implicit literals
 * first, then lexer rules in order) so expected sets print in ksqlDB's order.
 */

%define api.pure full
%define api.prefix {parser_yy}
%define api.token.prefix {TK_}
%define api.location.type {parser_loc}
%define parse.error custom
%define parse.lac full
%locations
%param {void *scanner}
%parse-param {parser_state *st}

/* Whoever includes grammar.h includes parser_int.h first (the generated header lives in the
 * build tree, away from parser_int.h). */
%code top {
#include "parser_int.h"
}

%code provides {
int parser_yylex(PARSER_YYSTYPE *lval, PARSER_YYLTYPE *lloc, void *scanner);
/* The display name of a token kind as ANTLR prints it ('SELECT', ',', IDENTIFIER). */
const char *parser__token_display(int symbol_kind);
}

%code {
#define YYLLOC_DEFAULT(Cur, Rhs, N)                                                            \
    do {                                                                                       \
        if (N) {                                                                               \
            (Cur).begin = YYRHSLOC(Rhs, 1).begin;                                              \
            (Cur).end = YYRHSLOC(Rhs, N).end;                                                  \
        } else {                                                                               \
            (Cur).begin = (Cur).end = YYRHSLOC(Rhs, 0).end;                                    \
        }                                                                                      \
    } while (0)

/* Abort the parse when a builder failed (it recorded the error). */
#define CHK(x)                                                                                 \
    do {                                                                                       \
        if (!(x) || st->failed)                                                                \
            YYABORT;                                                                           \
    } while (0)

#define YYMALLOC eddy_malloc
#define YYFREE eddy_free

static void parser_yyerror(PARSER_YYLTYPE *loc, void *scanner, parser_state *st, const char *m);
int parser__report_syntax_error(parser_state *st, int token_kind, const parser_loc *loc,
                                const int *expected, int nexpected);
}

%union {
    parser_tok tok;
    parser_expr *expr;
    parser_type *type;
    parser_query *query;
    parser_stmt *stmt;
    parser_plist *list;
    parser_select_item *item;
    parser_source_ref *src;
    parser_join *join;
    parser_window *window;
    parser_wopts *wopts;
    parser_duration *dur;
    parser_when *when;
    parser_named_expr *named;
    parser_property *prop;
    parser_column_def *coldef;
    parser_type_field *field;
    int ival;
    bool flag;
}

/* Implicit literal tokens of SqlBase.g4, in ANTLR's order. */
%token EOF 0 "<EOF>"
%token SEMI "';'" COMMA "','" LPAREN "'('" RPAREN "')'" DOT "'.'" LBRACKET "'['"
%token RBRACKET "']'"
%token <tok> KW_STRING "'STRING'"
/* Keywords, in SqlBase.g4's order. */
%token <tok> EMIT "'EMIT'" CHANGES "'CHANGES'" FINAL "'FINAL'" SELECT "'SELECT'" FROM "'FROM'"
%token <tok> AS "'AS'" ALL "'ALL'" DISTINCT "'DISTINCT'" WHERE "'WHERE'" WITHIN "'WITHIN'"
%token <tok> WINDOW "'WINDOW'" GROUP "'GROUP'" BY "'BY'" HAVING "'HAVING'" LIMIT "'LIMIT'"
%token <tok> AT "'AT'" OR "'OR'" AND "'AND'" IN "'IN'" NOT "'NOT'" EXISTS "'EXISTS'"
%token <tok> BETWEEN "'BETWEEN'" LIKE "'LIKE'" ESCAPE "'ESCAPE'" IS "'IS'" NULL "'NULL'"
%token <tok> TRUE "'TRUE'" FALSE "'FALSE'" INTEGER "'INTEGER'" DATE "'DATE'" TIME "'TIME'"
%token <tok> TIMESTAMP "'TIMESTAMP'" INTERVAL "'INTERVAL'" YEAR "'YEAR'" MONTH "'MONTH'"
%token <tok> DAY "'DAY'" HOUR "'HOUR'" MINUTE "'MINUTE'" SECOND "'SECOND'"
%token <tok> MILLISECOND "'MILLISECOND'" YEARS "'YEARS'" MONTHS "'MONTHS'" DAYS "'DAYS'"
%token <tok> HOURS "'HOURS'" MINUTES "'MINUTES'" SECONDS "'SECONDS'"
%token <tok> MILLISECONDS "'MILLISECONDS'" ZONE "'ZONE'" TUMBLING "'TUMBLING'"
%token <tok> HOPPING "'HOPPING'" SIZE "'SIZE'" ADVANCE "'ADVANCE'" RETENTION "'RETENTION'"
%token <tok> GRACE "'GRACE'" PERIOD "'PERIOD'" CASE "'CASE'" WHEN "'WHEN'" THEN "'THEN'"
%token <tok> ELSE "'ELSE'" END "'END'" JOIN "'JOIN'" FULL "'FULL'" OUTER "'OUTER'"
%token <tok> INNER "'INNER'" LEFT "'LEFT'" RIGHT "'RIGHT'" ON "'ON'" PARTITION "'PARTITION'"
%token <tok> STRUCT "'STRUCT'" WITH "'WITH'" VALUES "'VALUES'" CREATE "'CREATE'"
%token <tok> TABLE "'TABLE'" TOPIC "'TOPIC'" STREAM "'STREAM'" STREAMS "'STREAMS'"
%token <tok> INSERT "'INSERT'" DELETE "'DELETE'" INTO "'INTO'" DESCRIBE "'DESCRIBE'"
%token <tok> EXTENDED "'EXTENDED'" PRINT "'PRINT'" EXPLAIN "'EXPLAIN'" ANALYZE "'ANALYZE'"
%token <tok> TYPE "'TYPE'" TYPES "'TYPES'" CAST "'CAST'" SHOW "'SHOW'" LIST "'LIST'"
%token <tok> TABLES "'TABLES'" TOPICS "'TOPICS'" QUERY "'QUERY'" QUERIES "'QUERIES'"
%token <tok> TERMINATE "'TERMINATE'" PAUSE "'PAUSE'" RESUME "'RESUME'" LOAD "'LOAD'"
%token <tok> COLUMNS "'COLUMNS'" COLUMN "'COLUMN'" PARTITIONS "'PARTITIONS'"
%token <tok> FUNCTIONS "'FUNCTIONS'" FUNCTION "'FUNCTION'" DROP "'DROP'" TO "'TO'"
%token <tok> RENAME "'RENAME'" ARRAY "'ARRAY'" MAP "'MAP'" SET "'SET'" DEFINE "'DEFINE'"
%token <tok> UNDEFINE "'UNDEFINE'" RESET "'RESET'" SESSION "'SESSION'" SAMPLE "'SAMPLE'"
%token <tok> EXPORT "'EXPORT'" CATALOG "'CATALOG'" PROPERTIES "'PROPERTIES'"
%token <tok> BEGINNING "'BEGINNING'" UNSET "'UNSET'" RUN "'RUN'" SCRIPT "'SCRIPT'"
%token <tok> DECIMAL "'DECIMAL'" KEY "'KEY'" CONNECTOR "'CONNECTOR'"
%token <tok> CONNECTORS "'CONNECTORS'" SINK "'SINK'" SOURCE "'SOURCE'"
%token <tok> NAMESPACE "'NAMESPACE'" MATERIALIZED "'MATERIALIZED'" VIEW "'VIEW'"
%token <tok> PRIMARY "'PRIMARY'" REPLACE "'REPLACE'" ASSERT "'ASSERT'" ADD "'ADD'"
%token <tok> ALTER "'ALTER'" VARIABLES "'VARIABLES'" PLUGINS "'PLUGINS'" HEADERS "'HEADERS'"
%token <tok> HEADER "'HEADER'" SYSTEM "'SYSTEM'" TIMEOUT "'TIMEOUT'" SCHEMA "'SCHEMA'"
%token <tok> SUBJECT "'SUBJECT'" ID "'ID'" IF "'IF'"
/* Operators and value tokens. */
%token EQ "'='" NEQ "NEQ" LT "'<'" LTE "'<='" GT "'>'" GTE "'>='"
%token PLUS "'+'" MINUS "'-'" ASTERISK "'*'" SLASH "'/'" PERCENT "'%'" CONCAT "'||'"
%token ASSIGN "':='" STRUCT_FIELD_REF "'->'" LAMBDA_EXPRESSION "'=>'"
%token <tok> STRING "STRING" INTEGER_VALUE "INTEGER_VALUE" DECIMAL_VALUE "DECIMAL_VALUE"
%token <tok> FLOATING_POINT_VALUE "FLOATING_POINT_VALUE" IDENTIFIER "IDENTIFIER"
%token <tok> DIGIT_IDENTIFIER "DIGIT_IDENTIFIER" QUOTED_IDENTIFIER "QUOTED_IDENTIFIER"
%token <tok> BACKQUOTED_IDENTIFIER "BACKQUOTED_IDENTIFIER" VARIABLE "VARIABLE"
%token UNRECOGNIZED "UNRECOGNIZED"
%token LEXERROR "lexical error"

/* Precedence, lowest first (SqlBase.g4's alternative order). */
%left OR
%left AND
%precedence NOT
%left CONCAT
%left PLUS MINUS
%left ASTERISK SLASH PERCENT
%precedence UNARY
/* A bare ARRAY reduces to a column reference only when no '[' follows: `ARRAY[` is the
 * constructor, as ANTLR's first-alternative rule decides. */
%precedence ARRAY_COLUMN
%precedence LBRACKET

%type <stmt> statement
%type <query> query query_head
%type <expr> expr bool_expr predicated value_expr primary literal number prop_literal
%type <expr> opt_where opt_having opt_else fn_arg lambda
%type <type> type
%type <tok> identifier nonreserved nonreserved_x alias_noas alias_nojoin expr_ident resource_name
%type <tok> opt_limit opt_interval type_param ie_name ine_name name_not_column
%type <list> select_items opt_group_by opt_partition_by expr_list opt_expr_list value_list
%type <list> when_list map_entries opt_map_entries struct_fields opt_struct_fields fn_args
%type <list> opt_fn_args opt_with props prop_list table_elements table_element_list ident_list
%type <list> opt_columns
%type <list> type_fields opt_type_fields type_params values alter_options relation joins
%type <item> select_item
%type <src> aliased_relation
%type <join> join opt_within within
%type <window> opt_window window_expr
%type <wopts> window_opts
%type <dur> duration opt_grace opt_timeout
%type <when> when
%type <named> struct_field
%type <prop> prop
%type <coldef> table_element alter_option
%type <field> type_field
%type <ival> unit unit_reserved join_type opt_emit create_flags opt_constraint list_kw
%type <flag> opt_extended opt_outer opt_not opt_source
%type <flag> opt_delete_topic opt_from_beginning opt_all opt_not_exists

%start script

%%

script
    : stmts
    | stmts statement                                     { CHK(ast_stmt_done(st, $2, &@2) == 0); }
    ;

stmts
    : %empty
    | stmts SEMI
    | stmts statement SEMI                                { CHK(ast_stmt_done(st, $2, &@2) == 0); }
    ;

statement
    : query                                               { CHK($$ = ast_stmt_query(st, $1)); }
    | list_kw PROPERTIES                                  { CHK($$ = ast_stmt_list(st, PARSER_LIST_PROPERTIES, false, false)); }
    | list_kw opt_all TOPICS opt_extended                 { CHK($$ = ast_stmt_list(st, PARSER_LIST_TOPICS, $4, $2)); }
    | list_kw STREAMS opt_extended                        { CHK($$ = ast_stmt_list(st, PARSER_LIST_STREAMS, $3, false)); }
    | list_kw TABLES opt_extended                         { CHK($$ = ast_stmt_list(st, PARSER_LIST_TABLES, $3, false)); }
    | list_kw FUNCTIONS                                   { CHK($$ = ast_stmt_list(st, PARSER_LIST_FUNCTIONS, false, false)); }
    | list_kw TYPES                                       { CHK($$ = ast_stmt_list(st, PARSER_LIST_TYPES, false, false)); }
    | list_kw VARIABLES                                   { CHK($$ = ast_stmt_list(st, PARSER_LIST_VARIABLES, false, false)); }
    | list_kw QUERIES opt_extended                        { CHK($$ = ast_stmt_list(st, PARSER_LIST_QUERIES, $3, false)); }
    | DESCRIBE identifier opt_extended                    { CHK($$ = ast_stmt_describe(st, &$2, $3)); }
    | DESCRIBE STREAMS opt_extended                       { CHK($$ = ast_stmt_describe_kind(st, PARSER_STMT_DESCRIBE_STREAMS, NULL, $3)); }
    | DESCRIBE FUNCTION identifier                        { CHK($$ = ast_stmt_describe_kind(st, PARSER_STMT_DESCRIBE_FUNCTION, &$3, false)); }
    | PRINT resource_name opt_from_beginning opt_interval opt_limit
                                                          { CHK($$ = ast_stmt_print(st, &$2, $3, &$4, &$5)); }
    | TERMINATE identifier                                { CHK($$ = ast_stmt_terminate(st, PARSER_STMT_TERMINATE, &$2)); }
    | TERMINATE ALL                                       { CHK($$ = ast_stmt_terminate(st, PARSER_STMT_TERMINATE, NULL)); }
    | PAUSE identifier                                    { CHK($$ = ast_stmt_terminate(st, PARSER_STMT_PAUSE, &$2)); }
    | PAUSE ALL                                           { CHK($$ = ast_stmt_terminate(st, PARSER_STMT_PAUSE, NULL)); }
    | RESUME identifier                                   { CHK($$ = ast_stmt_terminate(st, PARSER_STMT_RESUME, &$2)); }
    | RESUME ALL                                          { CHK($$ = ast_stmt_terminate(st, PARSER_STMT_RESUME, NULL)); }
    | SET STRING EQ STRING                                { CHK($$ = ast_stmt_prop(st, PARSER_STMT_SET, &$2, &$4)); }
    | ALTER SYSTEM STRING EQ STRING                       { CHK($$ = ast_stmt_prop(st, PARSER_STMT_ALTER_SYSTEM, &$3, &$5)); }
    | UNSET STRING                                        { CHK($$ = ast_stmt_prop(st, PARSER_STMT_UNSET, &$2, NULL)); }
    | DEFINE IDENTIFIER EQ STRING                         { CHK($$ = ast_stmt_prop(st, PARSER_STMT_DEFINE, &$2, &$4)); }
    | UNDEFINE IDENTIFIER                                 { CHK($$ = ast_stmt_prop(st, PARSER_STMT_UNDEFINE, &$2, NULL)); }
    | CREATE create_flags STREAM ine_name table_elements opt_with
                                                          { CHK($$ = ast_stmt_create(st, PARSER_STMT_CREATE_SOURCE, $2 | ($4.quoted ? AST_IF_NOT_EXISTS : 0), PARSER_SOURCE_STREAM, &$4, $5, $6, NULL)); }
    | CREATE create_flags STREAM ine_name opt_with
                                                          { CHK($$ = ast_stmt_create(st, PARSER_STMT_CREATE_SOURCE, $2 | ($4.quoted ? AST_IF_NOT_EXISTS : 0), PARSER_SOURCE_STREAM, &$4, NULL, $5, NULL)); }
    | CREATE create_flags STREAM ine_name opt_with AS query
                                                          { CHK($$ = ast_stmt_create(st, PARSER_STMT_CREATE_AS, $2 | ($4.quoted ? AST_IF_NOT_EXISTS : 0), PARSER_SOURCE_STREAM, &$4, NULL, $5, $7)); }
    | CREATE create_flags TABLE ine_name table_elements opt_with
                                                          { CHK($$ = ast_stmt_create(st, PARSER_STMT_CREATE_SOURCE, $2 | ($4.quoted ? AST_IF_NOT_EXISTS : 0), PARSER_SOURCE_TABLE, &$4, $5, $6, NULL)); }
    | CREATE create_flags TABLE ine_name opt_with
                                                          { CHK($$ = ast_stmt_create(st, PARSER_STMT_CREATE_SOURCE, $2 | ($4.quoted ? AST_IF_NOT_EXISTS : 0), PARSER_SOURCE_TABLE, &$4, NULL, $5, NULL)); }
    | CREATE create_flags TABLE ine_name opt_with AS query
                                                          { CHK($$ = ast_stmt_create(st, PARSER_STMT_CREATE_AS, $2 | ($4.quoted ? AST_IF_NOT_EXISTS : 0), PARSER_SOURCE_TABLE, &$4, NULL, $5, $7)); }
    | INSERT INTO identifier opt_with query               { CHK($$ = ast_stmt_insert(st, &$3, $4, $5)); }
    | INSERT INTO identifier opt_columns VALUES values    { CHK($$ = ast_stmt_insert_values(st, &$3, $4, $6)); }
    | DROP STREAM ie_name opt_delete_topic                { CHK($$ = ast_stmt_drop(st, PARSER_STMT_DROP_SOURCE, PARSER_SOURCE_STREAM, $3.quoted, &$3, $4)); }
    | DROP TABLE ie_name opt_delete_topic                 { CHK($$ = ast_stmt_drop(st, PARSER_STMT_DROP_SOURCE, PARSER_SOURCE_TABLE, $3.quoted, &$3, $4)); }
    | DROP TYPE ie_name                                   { CHK($$ = ast_stmt_drop(st, PARSER_STMT_DROP_TYPE, PARSER_SOURCE_STREAM, $3.quoted, &$3, false)); }
    | EXPLAIN statement                                   { CHK($$ = ast_stmt_explain(st, $2, &@2, NULL)); }
    | EXPLAIN identifier                                  { CHK($$ = ast_stmt_explain(st, NULL, NULL, &$2)); }
    | CREATE TYPE ine_name AS type                        { CHK($$ = ast_stmt_create_type(st, $3.quoted, &$3, $5)); }
    | ALTER STREAM identifier alter_options               { CHK($$ = ast_stmt_create(st, PARSER_STMT_ALTER_SOURCE, 0, PARSER_SOURCE_STREAM, &$3, $4, NULL, NULL)); }
    | ALTER TABLE identifier alter_options                { CHK($$ = ast_stmt_create(st, PARSER_STMT_ALTER_SOURCE, 0, PARSER_SOURCE_TABLE, &$3, $4, NULL, NULL)); }
    | ASSERT opt_not_exists TOPIC resource_name opt_with opt_timeout
                                                          { CHK($$ = ast_stmt_assert_topic(st, !$2, &$4, $5, $6)); }
    | ASSERT opt_not_exists SCHEMA opt_timeout            { CHK($$ = ast_stmt_assert_schema(st, !$2, NULL, NULL, $4)); }
    | ASSERT opt_not_exists SCHEMA SUBJECT resource_name opt_timeout
                                                          { CHK($$ = ast_stmt_assert_schema(st, !$2, &$5, NULL, $6)); }
    | ASSERT opt_not_exists SCHEMA ID prop_literal opt_timeout
                                                          { CHK($$ = ast_stmt_assert_schema(st, !$2, NULL, $5, $6)); }
    | ASSERT opt_not_exists SCHEMA SUBJECT resource_name ID prop_literal opt_timeout
                                                          { CHK($$ = ast_stmt_assert_schema(st, !$2, &$5, $7, $8)); }
    ;

list_kw: LIST { $$ = 0; } | SHOW { $$ = 0; } ;
opt_all: %empty { $$ = false; } | ALL { $$ = true; } ;
opt_extended: %empty { $$ = false; } | EXTENDED { $$ = true; } ;
/* `[IF EXISTS] name` and `[IF NOT EXISTS] name`, written out because IF may itself be a
 * name: the value is the name's token with `quoted` reused as the "IF ... was given" flag (the
 * builders of these statements do not need to know whether the name was quoted). */
ie_name
    : identifier                                          { $$ = $1; $$.quoted = false; }
    | IF EXISTS identifier                                { $$ = $3; $$.quoted = true; }
    ;

ine_name
    : identifier                                          { $$ = $1; $$.quoted = false; }
    | IF NOT EXISTS identifier                            { $$ = $4; $$.quoted = true; }
    ;
opt_not_exists: %empty { $$ = false; } | NOT EXISTS { $$ = true; } ;
opt_delete_topic: %empty { $$ = false; } | DELETE TOPIC { $$ = true; } ;
opt_from_beginning: %empty { $$ = false; } | FROM BEGINNING { $$ = true; } ;
opt_source: %empty { $$ = false; } | SOURCE { $$ = true; } ;

create_flags
    : opt_source                                          { $$ = $1 ? AST_SOURCE : 0; }
    | OR REPLACE opt_source                               { $$ = AST_OR_REPLACE | ($3 ? AST_SOURCE : 0); }
    ;

opt_interval
    : %empty                                              { $$ = (parser_tok){0}; }
    | INTERVAL INTEGER_VALUE                              { $$ = $2; }
    | SAMPLE INTEGER_VALUE                                { $$ = $2; }
    ;

opt_limit
    : %empty                                              { $$ = (parser_tok){0}; }
    | LIMIT INTEGER_VALUE                                 { $$ = $2; }
    ;

resource_name
    : identifier                                          { $$ = $1; $$.text = $1.cased; }
    | STRING
    ;

opt_timeout
    : %empty                                              { $$ = NULL; }
    | TIMEOUT duration                                    { $$ = $2; }
    ;

alter_options
    : alter_option                                        { CHK($$ = ast_list(st, $1)); }
    | alter_options COMMA alter_option                    { CHK($$ = ast_append(st, $1, $3)); }
    ;

alter_option
    : ADD COLUMN identifier type                          { CHK($$ = ast_column_def(st, &@$, &$3, $4, PARSER_COL_VALUE, NULL)); }
    | ADD name_not_column type                            { CHK($$ = ast_column_def(st, &@$, &$2, $3, PARSER_COL_VALUE, NULL)); }
    ;

/* ---- WITH (...) properties and column definitions ---------------------------------------- */

opt_with
    : %empty                                              { $$ = NULL; }
    | WITH props                                          { $$ = $2; }
    ;

props
    : LPAREN prop_list RPAREN                             { $$ = $2; }
    ;

prop_list
    : prop                                                { CHK($$ = ast_list(st, $1)); }
    | prop_list COMMA prop                                { CHK($$ = ast_append(st, $1, $3)); }
    ;

prop
    : identifier EQ prop_literal                          { CHK($$ = ast_property(st, &$1, false, $3)); }
    | STRING EQ prop_literal                              { CHK($$ = ast_property(st, &$1, true, $3)); }
    ;

prop_literal
    : literal
    | MINUS number                                        { CHK($$ = ast_unary(st, &@$, PARSER_OP_NEG, $2)); }
    ;

table_elements
    : LPAREN table_element_list RPAREN                    { $$ = $2; }
    ;

table_element_list
    : table_element                                       { CHK($$ = ast_list(st, $1)); }
    | table_element_list COMMA table_element              { CHK($$ = ast_append(st, $1, $3)); }
    ;

table_element
    : identifier type opt_constraint                      { CHK($$ = ast_column_def(st, &@$, &$1, $2, (parser_col_constraint)$3, NULL)); }
    | identifier type HEADER LPAREN STRING RPAREN         { CHK($$ = ast_column_def(st, &@$, &$1, $2, PARSER_COL_HEADER, &$5)); }
    ;

opt_constraint
    : %empty                                              { $$ = PARSER_COL_VALUE; }
    | KEY                                                 { $$ = PARSER_COL_KEY; }
    | PRIMARY KEY                                         { $$ = PARSER_COL_PRIMARY_KEY; }
    | HEADERS                                             { $$ = PARSER_COL_HEADERS; }
    ;

opt_columns
    : %empty                                              { $$ = NULL; }
    | LPAREN ident_list RPAREN                            { $$ = $2; }
    ;

ident_list
    : identifier                                          { parser_tok *t = ast_alloc(st, sizeof *t); CHK(t); *t = $1; CHK($$ = ast_list(st, t)); }
    | ident_list COMMA identifier                         { parser_tok *t = ast_alloc(st, sizeof *t); CHK(t); *t = $3; CHK($$ = ast_append(st, $1, t)); }
    ;

values
    : LPAREN RPAREN                                       { CHK($$ = ast_list(st, NULL)); }
    | LPAREN value_list RPAREN                            { $$ = $2; }
    ;

/* ---- types ------------------------------------------------------------------------------- */

type
    : type ARRAY                                          { CHK($$ = ast_type_array(st, &@$, $1)); }
    | ARRAY LT type GT                                    { CHK($$ = ast_type_array(st, &@$, $3)); }
    | MAP LT type COMMA type GT                           { CHK($$ = ast_type_map(st, &@$, $3, $5)); }
    | STRUCT LT opt_type_fields GT                        { CHK($$ = ast_type_struct(st, &@$, $3)); }
    | DECIMAL LPAREN INTEGER_VALUE COMMA INTEGER_VALUE RPAREN
                                                          { CHK($$ = ast_type_decimal(st, &@$, &$3, &$5)); }
    | identifier                                          { CHK($$ = ast_type_named(st, &@$, &$1, NULL)); }
    | identifier LPAREN type_params RPAREN                { CHK($$ = ast_type_named(st, &@$, &$1, $3)); }
    ;

type_params
    : type_param                                          { const char *s = ast_tok_str(st, &$1); CHK(s); CHK($$ = ast_list(st, (void *)s)); }
    | type_params COMMA type_param                        { const char *s = ast_tok_str(st, &$3); CHK(s); CHK($$ = ast_append(st, $1, (void *)s)); }
    ;

type_param: INTEGER_VALUE | KW_STRING ;

opt_type_fields
    : %empty                                              { CHK($$ = ast_list(st, NULL)); }
    | type_fields
    ;

type_fields
    : type_field                                          { CHK($$ = ast_list(st, $1)); }
    | type_fields COMMA type_field                        { CHK($$ = ast_append(st, $1, $3)); }
    ;

type_field
    : identifier type                                     { CHK($$ = ast_type_field(st, &$1, $2)); }
    ;

/* ---- queries ----------------------------------------------------------------------------- */

query
    : query_head opt_window opt_where opt_group_by opt_partition_by opt_having opt_emit opt_limit
                                                          { CHK($$ = ast_query_clauses(st, $1, $2, $3, $4, $5, $6, (parser_emit)$7, &$8)); $$->pos = @$.begin; $$->len = @$.end - @$.begin; }
    ;

query_head
    : SELECT select_items FROM relation                   { CHK($$ = ast_query(st, &@$, $2, $4)); }
    ;

select_items
    : select_item                                         { CHK($$ = ast_list(st, $1)); }
    | select_items COMMA select_item                      { CHK($$ = ast_append(st, $1, $3)); }
    ;

select_item
    : expr                                                { CHK($$ = ast_select_expr(st, &@$, $1, NULL)); }
    | expr AS identifier                                  { CHK($$ = ast_select_expr(st, &@$, $1, &$3)); }
    | expr alias_noas                                     { CHK($$ = ast_select_expr(st, &@$, $1, &$2)); }
    | primary STRUCT_FIELD_REF ASTERISK                   { CHK($$ = ast_select_struct_all(st, &@$, $1)); }
    | expr_ident DOT ASTERISK                             { CHK($$ = ast_select_all(st, &@$, &$1)); }
    | ASTERISK                                            { CHK($$ = ast_select_all(st, &@$, NULL)); }
    ;

relation
    : aliased_relation joins                              { CHK($$ = ast_append(st, $2, $1)); }
    ;

joins
    : %empty                                              { CHK($$ = ast_list(st, NULL)); }
    | joins join                                          { CHK($$ = ast_append(st, $1, $2)); }
    ;

join
    : join_type JOIN aliased_relation opt_within ON expr  { CHK($$ = ast_join(st, &@$, (parser_join_type)$1, $3, $4, $6)); }
    ;

join_type
    : %empty                                              { $$ = PARSER_JOIN_INNER; }
    | INNER                                               { $$ = PARSER_JOIN_INNER; }
    | FULL opt_outer                                      { $$ = PARSER_JOIN_FULL; }
    | LEFT opt_outer                                      { $$ = PARSER_JOIN_LEFT; }
    | RIGHT opt_outer                                     { $$ = PARSER_JOIN_RIGHT; }
    ;

opt_outer: %empty { $$ = false; } | OUTER { $$ = true; } ;

opt_within
    : %empty                                              { $$ = NULL; }
    | WITHIN within                                       { $$ = $2; }
    ;

within
    : LPAREN duration COMMA duration RPAREN opt_grace     { CHK($$ = ast_within(st, $2, $4, $6)); }
    | duration opt_grace                                  { CHK($$ = ast_within(st, $1, $1, $2)); }
    ;

opt_grace
    : %empty                                              { $$ = NULL; }
    | GRACE PERIOD duration                               { $$ = $3; }
    ;

aliased_relation
    : identifier                                          { CHK($$ = ast_source_ref(st, &@$, &$1, NULL)); }
    | identifier AS identifier                            { CHK($$ = ast_source_ref(st, &@$, &$1, &$3)); }
    | identifier alias_nojoin                             { CHK($$ = ast_source_ref(st, &@$, &$1, &$2)); }
    ;

opt_window
    : %empty                                              { $$ = NULL; }
    | WINDOW window_expr                                  { $$ = $2; $$->pos = @$.begin; $$->len = @$.end - @$.begin; }
    | WINDOW IDENTIFIER window_expr                       { $$ = $3; $$->pos = @$.begin; $$->len = @$.end - @$.begin; }
    ;

window_expr
    : TUMBLING LPAREN SIZE duration window_opts RPAREN    { CHK($$ = ast_window(st, &@$, PARSER_WINDOW_TUMBLING, $4, NULL, $5)); }
    | HOPPING LPAREN SIZE duration COMMA ADVANCE BY duration window_opts RPAREN
                                                          { CHK($$ = ast_window(st, &@$, PARSER_WINDOW_HOPPING, $4, $8, $9)); }
    | SESSION LPAREN duration window_opts RPAREN          { CHK($$ = ast_window(st, &@$, PARSER_WINDOW_SESSION, $3, NULL, $4)); }
    ;

window_opts
    : %empty                                              { CHK($$ = ast_wopts(st, NULL, NULL)); }
    | COMMA RETENTION duration                            { CHK($$ = ast_wopts(st, $3, NULL)); }
    | COMMA GRACE PERIOD duration                         { CHK($$ = ast_wopts(st, NULL, $4)); }
    | COMMA RETENTION duration COMMA GRACE PERIOD duration
                                                          { CHK($$ = ast_wopts(st, $3, $7)); }
    ;

duration
    : INTEGER_VALUE unit                                  { CHK($$ = ast_duration(st, &$1, (parser_time_unit)$2)); }
    ;

unit
    : DAY                                                 { $$ = PARSER_UNIT_DAYS; }
    | HOUR                                                { $$ = PARSER_UNIT_HOURS; }
    | MINUTE                                              { $$ = PARSER_UNIT_MINUTES; }
    | SECOND                                              { $$ = PARSER_UNIT_SECONDS; }
    | unit_reserved
    ;

unit_reserved
    : MILLISECOND                                         { $$ = PARSER_UNIT_MILLISECONDS; }
    | DAYS                                                { $$ = PARSER_UNIT_DAYS; }
    | HOURS                                               { $$ = PARSER_UNIT_HOURS; }
    | MINUTES                                             { $$ = PARSER_UNIT_MINUTES; }
    | SECONDS                                             { $$ = PARSER_UNIT_SECONDS; }
    | MILLISECONDS                                        { $$ = PARSER_UNIT_MILLISECONDS; }
    ;

opt_where
    : %empty                                              { $$ = NULL; }
    | WHERE expr                                          { $$ = $2; }
    ;

opt_group_by
    : %empty                                              { $$ = NULL; }
    | GROUP BY value_list                                 { $$ = $3; }
    | GROUP BY LPAREN RPAREN                              { CHK($$ = ast_list(st, NULL)); }
    | GROUP BY LPAREN value_expr COMMA value_list RPAREN  { CHK($$ = ast_prepend(st, $4, $6)); }
    ;

opt_partition_by
    : %empty                                              { $$ = NULL; }
    | PARTITION BY value_list                             { $$ = $3; }
    | PARTITION BY LPAREN RPAREN                          { CHK($$ = ast_list(st, NULL)); }
    | PARTITION BY LPAREN value_expr COMMA value_list RPAREN
                                                          { CHK($$ = ast_prepend(st, $4, $6)); }
    ;

opt_having
    : %empty                                              { $$ = NULL; }
    | HAVING expr                                         { $$ = $2; }
    ;

opt_emit
    : %empty                                              { $$ = PARSER_EMIT_NONE; }
    | EMIT CHANGES                                        { $$ = PARSER_EMIT_CHANGES; }
    | EMIT FINAL                                          { $$ = PARSER_EMIT_FINAL; }
    ;

/* ---- expressions ------------------------------------------------------------------------- */

expr
    : bool_expr
    ;

bool_expr
    : predicated
    | NOT bool_expr                                       { CHK($$ = ast_unary(st, &@$, PARSER_OP_NOT, $2)); }
    | bool_expr AND bool_expr                             { CHK($$ = ast_binary(st, &@$, PARSER_OP_AND, $1, $3)); }
    | bool_expr OR bool_expr                              { CHK($$ = ast_binary(st, &@$, PARSER_OP_OR, $1, $3)); }
    ;

predicated
    : value_expr
    | value_expr EQ value_expr                            { CHK($$ = ast_binary(st, &@$, PARSER_OP_EQ, $1, $3)); }
    | value_expr NEQ value_expr                           { CHK($$ = ast_binary(st, &@$, PARSER_OP_NEQ, $1, $3)); }
    | value_expr LT value_expr                            { CHK($$ = ast_binary(st, &@$, PARSER_OP_LT, $1, $3)); }
    | value_expr LTE value_expr                           { CHK($$ = ast_binary(st, &@$, PARSER_OP_LTE, $1, $3)); }
    | value_expr GT value_expr                            { CHK($$ = ast_binary(st, &@$, PARSER_OP_GT, $1, $3)); }
    | value_expr GTE value_expr                           { CHK($$ = ast_binary(st, &@$, PARSER_OP_GTE, $1, $3)); }
    | value_expr opt_not BETWEEN value_expr AND value_expr
                                                          { CHK($$ = ast_between(st, &@$, $1, $4, $6, $2)); }
    | value_expr opt_not IN LPAREN expr_list RPAREN       { CHK($$ = ast_in(st, &@$, $1, $5, $2)); }
    | value_expr opt_not LIKE value_expr                  { CHK($$ = ast_like(st, &@$, $1, $4, NULL, $2)); }
    | value_expr opt_not LIKE value_expr ESCAPE STRING    { CHK($$ = ast_like(st, &@$, $1, $4, &$6, $2)); }
    | value_expr IS NULL                                  { CHK($$ = ast_is_null(st, &@$, $1, false)); }
    | value_expr IS NOT NULL                              { CHK($$ = ast_is_null(st, &@$, $1, true)); }
    | value_expr IS DISTINCT FROM value_expr              { CHK($$ = ast_distinct(st, &@$, $1, $5, false)); }
    | value_expr IS NOT DISTINCT FROM value_expr          { CHK($$ = ast_distinct(st, &@$, $1, $6, true)); }
    ;

opt_not: %empty { $$ = false; } | NOT { $$ = true; } ;

value_expr
    : primary
    | MINUS value_expr %prec UNARY                        { CHK($$ = ast_unary(st, &@$, PARSER_OP_NEG, $2)); }
    | PLUS value_expr %prec UNARY                         { CHK($$ = ast_unary(st, &@$, PARSER_OP_PLUS, $2)); }
    | value_expr ASTERISK value_expr                      { CHK($$ = ast_binary(st, &@$, PARSER_OP_MUL, $1, $3)); }
    | value_expr SLASH value_expr                         { CHK($$ = ast_binary(st, &@$, PARSER_OP_DIV, $1, $3)); }
    | value_expr PERCENT value_expr                       { CHK($$ = ast_binary(st, &@$, PARSER_OP_MOD, $1, $3)); }
    | value_expr PLUS value_expr                          { CHK($$ = ast_binary(st, &@$, PARSER_OP_ADD, $1, $3)); }
    | value_expr MINUS value_expr                         { CHK($$ = ast_binary(st, &@$, PARSER_OP_SUB, $1, $3)); }
    | value_expr CONCAT value_expr                        { CHK($$ = ast_binary(st, &@$, PARSER_OP_CONCAT, $1, $3)); }
    ;

primary
    : literal
    | expr_ident STRING                                   { CHK($$ = ast_typed_literal(st, &@$, &$1, &$2)); }
    | CASE value_expr when_list opt_else END              { CHK($$ = ast_case(st, &@$, $2, $3, $4)); }
    | CASE when_list opt_else END                         { CHK($$ = ast_case(st, &@$, NULL, $2, $3)); }
    | CAST LPAREN expr AS type RPAREN                     { CHK($$ = ast_cast(st, &@$, $3, $5)); }
    | ARRAY LBRACKET opt_expr_list RBRACKET               { CHK($$ = ast_array(st, &@$, $3)); }
    | MAP LPAREN opt_map_entries RPAREN                   { CHK($$ = ast_map(st, &@$, $3)); }
    | STRUCT LPAREN opt_struct_fields RPAREN              { CHK($$ = ast_struct(st, &@$, $3)); }
    | expr_ident LPAREN ASTERISK RPAREN                   { CHK($$ = ast_call(st, &@$, &$1, NULL, true)); }
    | expr_ident LPAREN opt_fn_args RPAREN                { CHK($$ = ast_call(st, &@$, &$1, $3, false)); }
    | primary LBRACKET value_expr RBRACKET                { CHK($$ = ast_subscript(st, &@$, $1, $3)); }
    | expr_ident                                          { CHK($$ = ast_column(st, &@$, NULL, &$1)); }
    | ARRAY %prec ARRAY_COLUMN                            { CHK($$ = ast_column(st, &@$, NULL, &$1)); }
    | MAP                                                 { CHK($$ = ast_column(st, &@$, NULL, &$1)); }
    | STRUCT                                              { CHK($$ = ast_column(st, &@$, NULL, &$1)); }
    | expr_ident DOT identifier                           { CHK($$ = ast_column(st, &@$, &$1, &$3)); }
    | primary STRUCT_FIELD_REF identifier                 { CHK($$ = ast_deref(st, &@$, $1, &$3)); }
    | LPAREN expr RPAREN                                  { CHK($$ = ast_paren(st, &@$, $2)); }
    ;

literal
    : NULL                                                { CHK($$ = ast_null(st, &@$)); }
    | TRUE                                                { CHK($$ = ast_bool(st, &@$, true)); }
    | FALSE                                               { CHK($$ = ast_bool(st, &@$, false)); }
    | STRING                                              { CHK($$ = ast_string(st, &@$, &$1)); }
    | number
    ;

number
    : INTEGER_VALUE                                       { CHK($$ = ast_integer(st, &@$, &$1)); }
    | DECIMAL_VALUE                                       { CHK($$ = ast_decimal(st, &@$, &$1)); }
    | FLOATING_POINT_VALUE                                { CHK($$ = ast_double(st, &@$, &$1)); }
    ;

when_list
    : when                                                { CHK($$ = ast_list(st, $1)); }
    | when_list when                                      { CHK($$ = ast_append(st, $1, $2)); }
    ;

when
    : WHEN expr THEN expr                                 { CHK($$ = ast_when(st, $2, $4)); }
    ;

opt_else
    : %empty                                              { $$ = NULL; }
    | ELSE expr                                           { $$ = $2; }
    ;

opt_expr_list
    : %empty                                              { CHK($$ = ast_list(st, NULL)); }
    | expr_list
    ;

expr_list
    : expr                                                { CHK($$ = ast_list(st, $1)); }
    | expr_list COMMA expr                                { CHK($$ = ast_append(st, $1, $3)); }
    ;

value_list
    : value_expr                                          { CHK($$ = ast_list(st, $1)); }
    | value_list COMMA value_expr                         { CHK($$ = ast_append(st, $1, $3)); }
    ;

opt_map_entries
    : %empty                                              { CHK($$ = ast_list(st, NULL)); }
    | map_entries
    ;

map_entries
    : expr ASSIGN expr                                    { CHK($$ = ast_list(st, $1)); CHK($$ = ast_append(st, $$, $3)); }
    | map_entries COMMA expr ASSIGN expr                  { CHK($$ = ast_append(st, $1, $3)); CHK($$ = ast_append(st, $$, $5)); }
    ;

opt_struct_fields
    : %empty                                              { CHK($$ = ast_list(st, NULL)); }
    | struct_fields
    ;

struct_fields
    : struct_field                                        { CHK($$ = ast_list(st, $1)); }
    | struct_fields COMMA struct_field                    { CHK($$ = ast_append(st, $1, $3)); }
    ;

struct_field
    : identifier ASSIGN expr                              { CHK($$ = ast_named(st, &$1, $3)); }
    ;

opt_fn_args
    : %empty                                              { CHK($$ = ast_list(st, NULL)); }
    | fn_args
    ;

fn_args
    : fn_arg                                              { CHK($$ = ast_list(st, $1)); }
    | fn_args COMMA fn_arg                                { CHK($$ = ast_append(st, $1, $3)); }
    ;

fn_arg
    : expr
    | unit_reserved                                       { CHK($$ = ast_unit(st, &@$, (parser_time_unit)$1)); }
    | lambda
    ;

lambda
    : expr_ident LAMBDA_EXPRESSION expr                   { CHK($$ = ast_lambda(st, &@$, ast_list(st, ast_column(st, &@1, NULL, &$1)), $3)); }
    | LPAREN expr RPAREN LAMBDA_EXPRESSION expr           { CHK($$ = ast_lambda(st, &@$, ast_list(st, $2), $5)); }
    | LPAREN expr COMMA expr_list RPAREN LAMBDA_EXPRESSION expr
                                                          { CHK($$ = ast_lambda(st, &@$, ast_prepend(st, $2, $4), $7)); }
    ;

/* ---- identifiers ------------------------------------------------------------------------- */

identifier
    : expr_ident
    | ARRAY
    | MAP
    | STRUCT
    ;

/* An identifier in expression position: ARRAY, MAP and STRUCT start constructors there. */
expr_ident
    : IDENTIFIER
    | QUOTED_IDENTIFIER
    | BACKQUOTED_IDENTIFIER
    | DIGIT_IDENTIFIER
    | nonreserved
    | EMIT | PARTITION | ESCAPE
    ;

/* An alias after a select expression without AS: not ESCAPE (LIKE .. ESCAPE). */
alias_noas
    : IDENTIFIER | QUOTED_IDENTIFIER | BACKQUOTED_IDENTIFIER | DIGIT_IDENTIFIER | nonreserved
    | EMIT | PARTITION | ARRAY | MAP | STRUCT
    ;

/* An alias after a source name without AS: not EMIT or PARTITION (clauses follow). */
alias_nojoin
    : IDENTIFIER | QUOTED_IDENTIFIER | BACKQUOTED_IDENTIFIER | DIGIT_IDENTIFIER | nonreserved
    | ESCAPE | ARRAY | MAP | STRUCT
    ;

/* A name after ADD in ALTER: not COLUMN (`ADD COLUMN x INT`). */
name_not_column
    : IDENTIFIER | QUOTED_IDENTIFIER | BACKQUOTED_IDENTIFIER | DIGIT_IDENTIFIER | nonreserved_x
    | EMIT | PARTITION | ESCAPE | ARRAY | MAP | STRUCT
    ;

/* SqlBase.g4's nonReserved, less ARRAY, MAP, STRUCT, EMIT, PARTITION and ESCAPE, which the
 * rules above add where they cannot start something else. */
nonreserved
    : nonreserved_x
    | COLUMN
    ;

nonreserved_x
    : SHOW | TABLES | COLUMNS | PARTITIONS | FUNCTIONS | FUNCTION | SESSION
    | INTEGER | DATE | TIME | TIMESTAMP | INTERVAL | ZONE | KW_STRING
    | YEAR | MONTH | DAY | HOUR | MINUTE | SECOND
    | EXPLAIN | ANALYZE | TYPE | TYPES
    | SET | RESET
    | IF
    | SOURCE | SINK
    | PRIMARY | KEY
    | CHANGES
    | FINAL
    | REPLACE
    | ASSERT
    | ALTER
    | ADD
    | HEADER | HEADERS
    | GRACE | PERIOD
    | DEFINE | UNDEFINE | VARIABLES
    | PLUGINS | SYSTEM
    | TIMEOUT | SCHEMA | SUBJECT | ID
    ;

%%

static void parser_yyerror(PARSER_YYLTYPE *loc, void *scanner, parser_state *st, const char *m)
{
    (void)scanner;
    /* Only "memory exhausted" reaches here (syntax errors go through yyreport_syntax_error). */
    if (strstr(m, "exhausted") && !st->failed) {
        st->failed = EDDY_EPARSE;
        eddy_err_set(st->err, EDDY_EPARSE,
                     "Error processing statement: Statement is too large to parse. This may be "
                     "caused by having too many nested expressions in the statement.");
    } else
        parser__error_at(st, loc->begin, "Syntax Error\n%s", m);
}

static int yyreport_syntax_error(const yypcontext_t *ctx, void *scanner, parser_state *st)
{
    (void)scanner;
    int expected[YYNTOKENS];
    yysymbol_kind_t exp[YYNTOKENS];
    int n = yypcontext_expected_tokens(ctx, exp, YYNTOKENS);
    if (n < 0)
        n = 0;
    for (int i = 0; i < n; i++)
        expected[i] = (int)exp[i];
    return parser__report_syntax_error(st, (int)yypcontext_token(ctx), yypcontext_location(ctx),
                                       expected, n);
}

const char *parser__token_display(int symbol_kind)
{
    return yysymbol_name((yysymbol_kind_t)symbol_kind);
}
