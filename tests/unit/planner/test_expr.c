/* Unit tests: expression typing - literals, comparisons, arithmetic, implicit casts of
 * literals (IN, constructors), CASE, CAST, LIKE, BETWEEN, struct/array/map access, lambdas,
 * the magic timestamp rewrite, error messages with line/column, and planner_format_expr. */
#include "plan_util.h"

static pt_ctx *setup(void)
{
    pt_ctx *t = pt_new();
    PT_OK(t, "CREATE STREAM INPUT (K STRING KEY, I INT, B BIGINT, D DOUBLE, DEC DECIMAL(12, 2), "
             "STR STRING, FLAG BOOLEAN, S STRUCT<F INT, `g` STRING>, ARR ARRAY<BIGINT>, "
             "M MAP<STRING, INT>) WITH (kafka_topic='t', value_format='JSON');");
    return t;
}

/* Plan "SELECT K, <expr> AS X FROM INPUT" and return X's typed expression. */
static const fn_expr *typed(pt_ctx *t, const char *expr)
{
    char sql[512];
    snprintf(sql, sizeof sql, "CREATE STREAM O AS SELECT K, %s AS X FROM INPUT;", expr);
    PT_OK(t, sql);
    const plan_step *p = pt_step(t->last->query, PLAN_STEP_PROJECT);
    t->sources[--t->nsources] = NULL;     /* forget O again */
    return p->exprs[1];
}

static const char *type_of(pt_ctx *t, const char *expr)
{
    const fn_expr *e = typed(t, expr);
    eddy_buf b;
    eddy_buf_init(&b);
    eddy_type_format(e->type, &b);
    const char *r = eddy_arena_strdup(&t->arena, eddy_buf_cstr(&b));
    eddy_buf_free(&b);
    return r;
}

static void test_result_types(void **state)
{
    (void)state;
    pt_ctx *t = setup();
    static const struct { const char *expr, *type; } cases[] = {
        {"1", "INTEGER"},
        {"10000000000", "BIGINT"},
        {"1.50", "DECIMAL(3, 2)"},
        {"1.5E3", "DOUBLE"},
        {"'x'", "STRING"},
        {"I + B", "BIGINT"},
        {"I + D", "DOUBLE"},
        {"I * DEC", "DECIMAL(23, 2)"},
        {"STR + STR", "STRING"},
        {"STR || 'x'", "STRING"},
        {"I > B", "BOOLEAN"},
        {"-I", "INTEGER"},
        {"NOT FLAG", "BOOLEAN"},
        {"S->F", "INTEGER"},
        {"S->`g`", "STRING"},
        {"ARR[1]", "BIGINT"},
        {"M['a']", "INTEGER"},
        {"CAST(I AS STRING)", "STRING"},
        {"CASE WHEN FLAG THEN I ELSE B END", "BIGINT"},
        {"CASE I WHEN 1 THEN 'a' END", "STRING"},
        {"ARRAY[1, B]", "ARRAY<BIGINT>"},
        /* CoercionUtil: a string with an exponent or a point is a DECIMAL, which widens */
        {"ARRAY[null, 10, '2e1', I, B]", "ARRAY<DECIMAL(19, 0)>"},
        {"ARRAY[10, '1.0']", "ARRAY<DECIMAL(11, 1)>"},
        {"ARRAY[1, '2147483648']", "ARRAY<BIGINT>"},
        {"ARRAY[1, '12']", "ARRAY<INTEGER>"},
        {"ARRAY[D, '12']", "ARRAY<DOUBLE>"},
        {"MAP('a' := 1, 'b' := D)", "MAP<STRING, DOUBLE>"},
        {"STRUCT(A := I, B := 'x')", "STRUCT<`A` INTEGER, `B` STRING>"},
        {"I IN (1, 2.5, B)", "BOOLEAN"},
        {"STR LIKE 'a%'", "BOOLEAN"},
        {"I BETWEEN 1 AND B", "BOOLEAN"},
        {"STR IS NULL", "BOOLEAN"},
        {"I IS DISTINCT FROM B", "BOOLEAN"},
        {"AS_VALUE(I)", "INTEGER"},
        {"ABS(I)", "INTEGER"},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++) {
        const char *got = type_of(t, cases[i].expr);
        if (strcmp(got, cases[i].type) != 0)
            fail_msg("%s: got %s, want %s", cases[i].expr, got, cases[i].type);
    }
    pt_free(t);
}

static void test_implicit_literal_casts(void **state)
{
    (void)state;
    pt_ctx *t = setup();
    /* IN: the string literal becomes a BIGINT literal, the INT column a CAST */
    const fn_expr *e = typed(t, "B IN ('10', I)");
    assert_int_equal(e->kind, FN_IN);
    assert_int_equal(e->nargs, 3);
    assert_int_equal(e->args[1]->kind, FN_LITERAL);
    assert_int_equal(e->args[1]->type->kind, EDDY_T_BIGINT);
    assert_int_equal(e->args[1]->u.literal.u.i64, 10);
    assert_int_equal(e->args[2]->kind, FN_CAST);
    assert_int_equal(e->args[2]->type->kind, EDDY_T_BIGINT);
    /* a negative literal is folded */
    e = typed(t, "-5");
    assert_int_equal(e->kind, FN_LITERAL);
    assert_int_equal(e->u.literal.u.i32, -5);
    /* magic timestamp: a string compared with ROWTIME becomes a BIGINT literal */
    e = typed(t, "ROWTIME > '2018-01-01T00:00:00.001'");
    assert_int_equal(e->kind, FN_CMP);
    assert_int_equal(e->op, FN_CMP_GT);
    assert_int_equal(e->args[1]->kind, FN_LITERAL);
    assert_int_equal(e->args[1]->u.literal.u.i64, 1514764800001LL);
    /* function arguments are converted by the functions module */
    if (fn_scalar_find("ROUND")) {
        e = typed(t, "ROUND(I)");
        assert_int_equal(e->kind, FN_CALL);
        assert_non_null(e->u.call.fn);
    }
    pt_free(t);
}

static void test_lambdas(void **state)
{
    (void)state;
    pt_ctx *t = setup();
    if (!fn_scalar_find("TRANSFORM"))
        skip();
    const fn_expr *e = typed(t, "TRANSFORM(ARR, x => x + I)");
    assert_int_equal(e->kind, FN_CALL);
    assert_int_equal(e->type->kind, EDDY_T_ARRAY);
    assert_int_equal(e->type->elem->kind, EDDY_T_BIGINT);
    const fn_expr *lam = e->args[1];
    assert_int_equal(lam->kind, FN_LAMBDA);
    assert_int_equal(lam->u.lambda.nparams, 1);
    assert_int_equal(lam->args[0]->kind, FN_ARITH);
    assert_int_equal(lam->args[0]->args[0]->kind, FN_VAR);
    assert_int_equal(lam->args[0]->args[0]->u.index, lam->u.lambda.first_var);
    PT_OK(t, "CREATE STREAM O AS SELECT K, TRANSFORM(ARR, x => x + 1) AS A, "
             "FILTER(ARR, (y) => y > 2) AS F FROM INPUT;");
    const plan_step *p = pt_step(t->last->query, PLAN_STEP_PROJECT);
    assert_int_equal(p->nvars, 2);     /* one slot per lambda parameter */
    pt_free(t);
}

/* 'at': the text the error points at (its first occurrence after the last newline before
 * it gives line and column). */
typedef struct { const char *sql; int code; const char *msg; const char *at; } err_case;

static void where_is(const char *sql, const char *at, int *line, int *col)
{
    const char *p = strstr(sql, at);
    assert_non_null(p);
    *line = 1;
    const char *bol = sql;
    for (const char *q = sql; q < p; q++)
        if (*q == '\n') {
            (*line)++;
            bol = q + 1;
        }
    *col = (int)(p - bol) + 1;
}

static void test_errors_with_positions(void **state)
{
    (void)state;
    pt_ctx *t = setup();
    static const err_case cases[] = {
        {"CREATE STREAM O AS SELECT * FROM INPUT WHERE I + 1.5;", EDDY_ETYPE,
         "Type error in WHERE expression: Should evaluate to boolean but is (I + 1.5) "
         "(DECIMAL(12, 1)) instead.", "I + 1.5"},
        {"CREATE STREAM O AS SELECT * FROM INPUT\nWHERE 'not a boolean';", EDDY_ETYPE,
         "Type error in WHERE expression: Should evaluate to boolean but is 'not a boolean' "
         "(STRING) instead.", "'not a boolean'"},
        {"CREATE STREAM O AS SELECT * FROM INPUT WHERE I >= 'x';", EDDY_ETYPE,
         "Error in WHERE expression: Cannot compare I (INTEGER) to 'x' (STRING) with "
         "GREATER_THAN_OR_EQUAL.", "I >="},
        {"CREATE STREAM O AS SELECT K,\n  ARR < ARR FROM INPUT;", EDDY_ETYPE,
         "Cannot compare ARR (ARRAY<BIGINT>) to ARR (ARRAY<BIGINT>) with LESS_THAN.", "ARR <"},
        {"CREATE STREAM O AS SELECT K, NULL <> NULL FROM INPUT;", EDDY_ETYPE,
         "Comparison with NULL not supported: NULL <> NULL", "NULL <>"},
        {"CREATE STREAM O AS SELECT K, BOB FROM INPUT;", EDDY_ENOTFOUND,
         "SELECT column 'BOB' cannot be resolved.", "BOB"},
        {"CREATE STREAM O AS SELECT * FROM INPUT WHERE ABS(BOB) < 10;", EDDY_ENOTFOUND,
         "WHERE column 'BOB' cannot be resolved.", "BOB"},
        {"CREATE STREAM O AS SELECT K, CASE WHEN I < 2 THEN null ELSE null END FROM INPUT;",
         EDDY_ETYPE, "Invalid Case expression. All case branches have NULL type", "CASE"},
        {"CREATE STREAM O AS SELECT K, ARRAY[] FROM INPUT;", EDDY_ETYPE,
         "Array constructor cannot be empty.", "ARRAY"},
        {"CREATE STREAM O AS SELECT K, ARRAY[NULL] FROM INPUT;", EDDY_ETYPE,
         "Cannot construct an array with all NULL elements", "ARRAY"},
        {"CREATE STREAM O AS SELECT K, ARRAY[1, 'not a number'] FROM INPUT;", EDDY_ETYPE,
         "invalid input syntax for type INTEGER: \"not a number\"", "'not"},
        {"CREATE STREAM O AS SELECT K, MAP(null := I) FROM INPUT;", EDDY_ETYPE,
         "Cannot construct a map with all NULL keys", "MAP"},
        {"CREATE STREAM O AS SELECT K, STRUCT(a := I, a := I) FROM INPUT;", EDDY_ETYPE,
         "Duplicate field names found in STRUCT", "STRUCT"},
        {"CREATE STREAM O AS SELECT K, CAST(STR AS STRUCT<F0 VARCHAR>) FROM INPUT;", EDDY_ETYPE,
         "Invalid Select: Cast of STRING to STRUCT<`F0` STRING> is not supported", "CAST"},
        {"CREATE STREAM O AS SELECT * FROM INPUT WHERE B IN (10, true);", EDDY_ETYPE,
         "Invalid Predicate: operator does not exist: BIGINT = BOOLEAN (true)", "true"},
        {"CREATE STREAM O AS SELECT * FROM INPUT WHERE DEC IN (10, STR);", EDDY_ETYPE,
         "Invalid Predicate: operator does not exist: DECIMAL(12, 2) = STRING (STR)", "STR)"},
        {"CREATE STREAM O AS SELECT * FROM INPUT WHERE I IN (10, '1x');", EDDY_ETYPE,
         "Invalid Predicate: invalid input syntax for type INTEGER: \"1x\".", "'1x'"},
        {"CREATE STREAM O AS SELECT K, I + STR FROM INPUT;", EDDY_ETYPE,
         "Error processing expression: (I + STR).", "I + STR"},
        {"CREATE STREAM O AS SELECT K, NOSUCHFN(I) FROM INPUT;", EDDY_ENOTFOUND,
         "Can't find any functions with the name 'NOSUCHFN'", "NOSUCHFN"},
        {"CREATE STREAM O AS SELECT K, S->NOPE FROM INPUT;", EDDY_ENOTFOUND,
         "Could not find field 'NOPE' in 'S'.", "S->"},
        {"CREATE STREAM O AS SELECT K, I->F FROM INPUT;", EDDY_ETYPE,
         "Can't dereference a non-STRUCT expression", "I->"},
        {"CREATE STREAM O AS SELECT K, ARR['x'] FROM INPUT;", EDDY_ETYPE,
         "Array index must be an INTEGER", "'x'"},
        {"CREATE STREAM O AS SELECT K, ABS('x') FROM INPUT;", EDDY_ETYPE,
         "Function 'Abs' does not accept parameters (STRING).", "ABS"},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++) {
        const err_case *ec = &cases[i];
        int line, col;
        where_is(ec->sql, ec->at, &line, &col);
        int rc = pt_plan(t, ec->sql);
        if (rc != ec->code || !strstr(t->err.msg, ec->msg) || t->err.line != line ||
            t->err.col != col)
            fail_msg("%s\n  got %d %d:%d %s\n  want %d %d:%d %s", ec->sql, rc, t->err.line,
                     t->err.col, t->err.msg, ec->code, line, col, ec->msg);
    }
    pt_free(t);
}

static void test_format_expr(void **state)
{
    (void)state;
    pt_ctx *t = setup();
    static const struct { const char *expr, *text; } cases[] = {
        {"I + 1", "(I + 1)"},
        {"NOT (I > B AND STR LIKE 'it''s%')", "(NOT ((I > B) AND (STR LIKE 'it''s%')))"},
        {"S->`g`", "S->`g`"},
        {"ARR[2]", "ARR[2]"},
        {"CAST(I AS STRING)", "CAST(I AS STRING)"},
        {"CASE WHEN FLAG THEN 1 ELSE 2 END", "(CASE WHEN FLAG THEN 1 ELSE 2 END)"},
        {"I IN (1, 2)", "(I IN (1, 2))"},
        {"I NOT BETWEEN 1 AND 2", "(I NOT BETWEEN 1 AND 2)"},
        {"MAP('a' := I)", "MAP('a':=I)"},
        {"STR IS NOT NULL", "(STR IS NOT NULL)"},
    };
    for (size_t i = 0; i < EDDY_ARRAY_LEN(cases); i++) {
        const fn_expr *e = typed(t, cases[i].expr);
        eddy_buf b;
        eddy_buf_init(&b);
        assert_int_equal(planner_format_expr(e, &t->last->query->steps[0].out, &b), 0);
        const char *got = eddy_buf_cstr(&b);
        if (strcmp(got, cases[i].text) != 0)
            fail_msg("%s: got %s, want %s", cases[i].expr, got, cases[i].text);
        eddy_buf_free(&b);
    }
    assert_int_equal(planner_format_expr(NULL, NULL, NULL), EDDY_EINVAL);
    pt_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_result_types),
        cmocka_unit_test(test_implicit_literal_casts),
        cmocka_unit_test(test_lambdas),
        cmocka_unit_test(test_errors_with_positions),
        cmocka_unit_test(test_format_expr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
