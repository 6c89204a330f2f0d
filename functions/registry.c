/*
 * functions/registry.c - the function registry and the signature matcher.
 *
 * The registry merges the per-category tables (fn_string.c, fn_math.c, ...) into one array
 * sorted by name, built once (pthread_once) and read-only afterwards, so lookups are
 * thread-safe. Lookup is a case-insensitive binary search.
 *
 * The matcher implements ksqlDB's overload resolution (UdfIndex, ParamTypes.areCompatible,
 * GenericsUtil.reserveGenerics, SqlBaseType.canImplicitlyCast) over signatures written in the
 * notation described in functions_int.h. A signature is parsed on each resolve (planning
 * time only) into a small tree of parameter types. Matching runs twice: without implicit
 * casts, then with them; among the candidates of a pass the best by UdfIndex.Node's order
 * wins (non-variadic, more parameters, fewer generics, no Object varargs, variadic index);
 * two equally good candidates are ksqlDB's "ambiguous method parameters" error.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "functions_int.h"

/* ---------------------------------------------------------------------------------------------
 * Parameter type trees
 * ------------------------------------------------------------------------------------------- */

enum { PT_PRIM, PT_DECIMAL, PT_ANY, PT_GEN, PT_ARRAY, PT_MAP, PT_STRUCT, PT_LAMBDA };

#define MAX_PARAMS 12
#define MAX_NODES 96
#define NGEN (26 * 11)

typedef struct pt {
    uint8_t k;               /* PT_* */
    uint8_t kind;            /* PT_PRIM: eddy_type_kind */
    int gen;                 /* PT_GEN: slot */
    int nsub;                /* ARRAY 1, MAP 2, LAMBDA inputs + return */
    struct pt *sub[6];
} pt;

typedef struct psig {
    int nparams;
    bool variadic;           /* last parameter is variadic */
    pt *params[MAX_PARAMS];
    pt *ret;                 /* NULL: ret_fn */
    pt pool[MAX_NODES];
    int npool;
} psig;

typedef struct parser {
    const char *s;
    psig *sig;
    bool bad;
} parser;

static void skip_ws(parser *p)
{
    while (*p->s == ' ')
        p->s++;
}

static bool eat(parser *p, const char *tok)
{
    skip_ws(p);
    size_t n = strlen(tok);
    if (strncmp(p->s, tok, n) == 0) {
        p->s += n;
        return true;
    }
    return false;
}

static pt *node(parser *p, int k)
{
    if (p->sig->npool >= MAX_NODES) {
        p->bad = true;
        return &p->sig->pool[0];
    }
    pt *n = &p->sig->pool[p->sig->npool++];
    memset(n, 0, sizeof *n);
    n->k = (uint8_t)k;
    return n;
}

static pt *parse_type(parser *p);

static const struct {
    const char *word;
    eddy_type_kind kind;
} prim_words[] = {
    {"BOOLEAN", EDDY_T_BOOLEAN}, {"INTEGER", EDDY_T_INT}, {"INT", EDDY_T_INT},
    {"BIGINT", EDDY_T_BIGINT}, {"DOUBLE", EDDY_T_DOUBLE}, {"STRING", EDDY_T_STRING},
    {"BYTES", EDDY_T_BYTES}, {"TIMESTAMP", EDDY_T_TIMESTAMP}, {"DATE", EDDY_T_DATE},
    {"TIME", EDDY_T_TIME},
};

static pt *parse_type(parser *p)
{
    skip_ws(p);
    if (*p->s == '(') {            /* lambda: (a, b) => r */
        p->s++;
        pt *n = node(p, PT_LAMBDA);
        if (!eat(p, ")")) {
            do {
                if (n->nsub >= 5) {
                    p->bad = true;
                    return n;
                }
                n->sub[n->nsub++] = parse_type(p);
            } while (eat(p, ","));
            if (!eat(p, ")"))
                p->bad = true;
        }
        if (!eat(p, "=>"))
            p->bad = true;
        n->sub[n->nsub++] = parse_type(p);
        return n;
    }
    const char *w = p->s;
    size_t len = 0;
    while (isalnum((unsigned char)w[len]) || w[len] == '_')
        len++;
    p->s += len;
    if (len == 0) {
        p->bad = true;
        return node(p, PT_ANY);
    }
    if ((len == 1 || (len == 2 && isdigit((unsigned char)w[1]))) && isupper((unsigned char)w[0])) {
        pt *n = node(p, PT_GEN);
        n->gen = (w[0] - 'A') * 11 + (len == 2 ? w[1] - '0' + 1 : 0);
        return n;
    }
#define IS(word) (len == strlen(word) && strncmp(w, word, len) == 0)
    if (IS("ANY"))
        return node(p, PT_ANY);
    if (IS("DECIMAL"))
        return node(p, PT_DECIMAL);
    if (IS("STRUCT"))
        return node(p, PT_STRUCT);
    if (IS("ARRAY") || IS("MAP")) {
        pt *n = node(p, IS("ARRAY") ? PT_ARRAY : PT_MAP);
        if (!eat(p, "<"))
            p->bad = true;
        n->sub[n->nsub++] = parse_type(p);
        if (n->k == PT_MAP) {
            if (!eat(p, ","))
                p->bad = true;
            n->sub[n->nsub++] = parse_type(p);
        }
        if (!eat(p, ">"))
            p->bad = true;
        return n;
    }
    for (size_t i = 0; i < EDDY_ARRAY_LEN(prim_words); i++)
        if (IS(prim_words[i].word)) {
            pt *n = node(p, PT_PRIM);
            n->kind = (uint8_t)prim_words[i].kind;
            return n;
        }
#undef IS
    p->bad = true;
    return node(p, PT_ANY);
}

/* Parse a signature; false for a malformed one (a programming error, reported as ETYPE). */
static bool parse_sig(const fn_sig *sig, psig *out)
{
    memset(out, 0, sizeof *out);
    parser p = {sig->params, out, false};
    skip_ws(&p);
    if (*p.s) {
        for (;;) {
            if (out->nparams >= MAX_PARAMS)
                return false;
            out->params[out->nparams++] = parse_type(&p);
            if (eat(&p, "...")) {
                out->variadic = true;
                skip_ws(&p);
                if (*p.s)
                    return false;
                break;
            }
            skip_ws(&p);
            while (isalnum((unsigned char)*p.s) || *p.s == '_')   /* parameter name */
                p.s++;
            if (eat(&p, "..."))
                out->variadic = true;
            if (!eat(&p, ","))
                break;
            if (out->variadic)
                return false;
        }
        skip_ws(&p);
        if (*p.s)
            return false;
    }
    if (sig->ret) {
        parser r = {sig->ret, out, false};
        out->ret = parse_type(&r);
        skip_ws(&r);
        if (*r.s || r.bad)
            return false;
    }
    return !p.bad;
}

static bool has_generics(const pt *t)
{
    if (t->k == PT_GEN)
        return true;
    for (int i = 0; i < t->nsub; i++)
        if (has_generics(t->sub[i]))
            return true;
    return false;
}

/* ---------------------------------------------------------------------------------------------
 * Matching
 * ------------------------------------------------------------------------------------------- */

typedef struct bindings {
    const eddy_type *t[NGEN];
} bindings;

static bool is_number_kind(int k)
{
    return k >= EDDY_T_INT && k <= EDDY_T_DOUBLE;
}

/* SqlBaseType.canImplicitlyCast. */
static bool base_can_cast(int from, int to)
{
    if (from == to)
        return true;
    if (is_number_kind(from) && is_number_kind(to) && from <= to)
        return true;
    if (from == EDDY_T_STRING &&
        (to == EDDY_T_TIME || to == EDDY_T_DATE || to == EDDY_T_TIMESTAMP || to == EDDY_T_BYTES))
        return true;
    return false;
}

/* GenericsUtil.resolveGenerics + reserveGenerics: structure must match; generics bind to
 * equal types. */
static bool bind_generics(const pt *p, const eddy_type *t, bindings *b)
{
    if (t == NULL)
        return true;
    switch (p->k) {
    case PT_GEN:
        if (b->t[p->gen] == NULL || b->t[p->gen]->kind == EDDY_T_NULL) {
            b->t[p->gen] = t;
            return true;
        }
        if (t->kind == EDDY_T_NULL)
            return true;
        return eddy_type_equal(b->t[p->gen], t);
    case PT_ARRAY:
        return t->kind == EDDY_T_ARRAY && bind_generics(p->sub[0], t->elem, b);
    case PT_MAP:
        return t->kind == EDDY_T_MAP && bind_generics(p->sub[0], t->key, b) &&
               bind_generics(p->sub[1], t->elem, b);
    case PT_ANY:
        return true;
    case PT_STRUCT:
        return t->kind == EDDY_T_STRUCT;
    case PT_DECIMAL:
        return t->kind == EDDY_T_DECIMAL;
    case PT_PRIM:
        return t->kind == p->kind;
    default:
        return false;
    }
}

/* ParamTypes.areCompatible for a non-generic parameter. */
static bool compatible(const pt *p, const eddy_type *t, bool cast)
{
    if (p->k == PT_ANY)
        return true;
    if (t == NULL || t->kind == EDDY_T_NULL)
        return true;
    switch (p->k) {
    case PT_ARRAY:
        return t->kind == EDDY_T_ARRAY && compatible(p->sub[0], t->elem, cast);
    case PT_MAP:
        return t->kind == EDDY_T_MAP && compatible(p->sub[0], t->key, cast) &&
               compatible(p->sub[1], t->elem, cast);
    case PT_STRUCT:
        return t->kind == EDDY_T_STRUCT;
    case PT_DECIMAL:
        return t->kind == EDDY_T_DECIMAL || (cast && base_can_cast(t->kind, EDDY_T_DECIMAL));
    case PT_PRIM:
        return t->kind == p->kind || (cast && base_can_cast(t->kind, p->kind));
    default:
        return false;
    }
}

static bool accepts(const pt *p, const fn_arg *arg, bindings *b, bool cast)
{
    if (p->k == PT_LAMBDA) {
        if (arg->lambda_params != p->nsub - 1)
            return false;
        if (arg->type == NULL)
            return true;
        const pt *r = p->sub[p->nsub - 1];
        return has_generics(r) ? bind_generics(r, arg->type, b) : compatible(r, arg->type, cast);
    }
    if (arg->lambda_params > 0)
        return false;
    if (arg->type == NULL)
        return true;
    if (has_generics(p))
        return bind_generics(p, arg->type, b);
    return compatible(p, arg->type, cast);
}

static const pt *param_for(const psig *s, int i)
{
    return (s->variadic && i >= s->nparams - 1) ? s->params[s->nparams - 1] : s->params[i];
}

static bool arity_ok(const psig *s, int nargs)
{
    return s->variadic ? nargs >= s->nparams - 1 : nargs == s->nparams;
}

/* Does the whole argument list match? Lambda arguments with 'skip_lambdas' are not checked
 * beyond arity (lambda_types: they are not typed yet). */
static bool sig_matches(const psig *s, const fn_arg *args, int nargs, bool cast, bindings *b)
{
    if (!arity_ok(s, nargs))
        return false;
    memset(b, 0, sizeof *b);
    /* Generic bindings come from the non-lambda arguments first (ksqlDB resolves lambda
     * inputs from the other arguments). */
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < nargs; i++) {
            const pt *p = param_for(s, i);
            if ((p->k == PT_LAMBDA) != (pass == 1))
                continue;
            if (!accepts(p, &args[i], b, cast))
                return false;
        }
    return true;
}

/* UdfIndex.Node.compareFunctions as a tuple; larger is better. */
typedef struct rank {
    int v[5];
} rank;

static rank sig_rank(const psig *s)
{
    rank r;
    int ngen = 0;
    bool objvar = false;
    for (int i = 0; i < s->nparams; i++) {
        bool last_var = s->variadic && i == s->nparams - 1;
        if (last_var && s->params[i]->k == PT_ANY) {
            objvar = true;
            ngen++;
        } else if (has_generics(s->params[i])) {
            ngen++;
        }
    }
    r.v[0] = s->variadic ? 0 : 1;
    r.v[1] = s->nparams;
    r.v[2] = -ngen;
    r.v[3] = objvar ? 0 : 1;
    r.v[4] = s->variadic ? s->nparams - 1 : -1;
    return r;
}

static int rank_cmp(rank a, rank b)
{
    for (int i = 0; i < 5; i++)
        if (a.v[i] != b.v[i])
            return a.v[i] < b.v[i] ? -1 : 1;
    return 0;
}

/* Build the SQL type of 'p' with generics bound by 'b'. DECIMAL parameters become the
 * argument's decimal type ('arg', DecimalUtil.toSqlDecimal). */
static int instantiate(eddy_arena *a, const pt *p, const bindings *b, const eddy_type *arg,
                       const eddy_type **out, eddy_err *err)
{
    const eddy_type *x, *y;
    int rc;
    switch (p->k) {
    case PT_PRIM:
        *out = eddy_type_prim((eddy_type_kind)p->kind);
        return 0;
    case PT_GEN:
        if (b->t[p->gen] == NULL) {
            *out = EDDY_TYPE_NULL;   /* only NULL literals were given for it */
            return 0;
        }
        *out = b->t[p->gen];
        return 0;
    case PT_DECIMAL:
        if (arg && arg->kind == EDDY_T_DECIMAL) {
            *out = arg;
            return 0;
        }
        if (arg && (arg->kind == EDDY_T_INT || arg->kind == EDDY_T_BIGINT))
            return eddy_type_decimal(a, arg->kind == EDDY_T_INT ? 10 : 19, 0, out, err);
        return eddy_err_set(err, EDDY_ETYPE, "cannot infer the DECIMAL type of a parameter");
    case PT_ARRAY:
        rc = instantiate(a, p->sub[0], b, arg && arg->kind == EDDY_T_ARRAY ? arg->elem : NULL,
                         &x, err);
        if (rc)
            return rc;
        *out = eddy_type_array(a, x);
        return *out ? 0 : eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    case PT_MAP:
        rc = instantiate(a, p->sub[0], b, arg && arg->kind == EDDY_T_MAP ? arg->key : NULL, &x,
                         err);
        if (rc == 0)
            rc = instantiate(a, p->sub[1], b, arg && arg->kind == EDDY_T_MAP ? arg->elem : NULL,
                             &y, err);
        if (rc)
            return rc;
        *out = eddy_type_map(a, x, y);
        return *out ? 0 : eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    case PT_LAMBDA:
        return instantiate(a, p->sub[p->nsub - 1], b, arg, out, err);
    default: /* ANY, STRUCT: the argument's own type */
        *out = arg ? arg : EDDY_TYPE_NULL;
        return 0;
    }
}

int fn__format_args(const fn_arg *args, int nargs, eddy_buf *out)
{
    int rc = eddy_buf_append(out, "(", 1);
    for (int i = 0; i < nargs && rc == 0; i++) {
        if (i)
            rc = eddy_buf_append(out, ", ", 2);
        if (rc)
            break;
        if (args[i].lambda_params > 0)
            rc = eddy_buf_printf(out, "LAMBDA");
        else if (args[i].type == NULL || args[i].type->kind == EDDY_T_NULL)
            rc = eddy_buf_append(out, "null", 4);
        else
            rc = eddy_type_format(args[i].type, out);
    }
    if (rc == 0)
        rc = eddy_buf_append(out, ")", 1);
    return rc;
}

/* The name ksqlDB's UdfIndex prints for a function: the name its @Ud(t|a)fDescription
 * declares. Most are declared in lower case; these are not. */
static const char *const DECLARED_NAMES[] = {
    "ARRAY_CONTAINS", "ARRAY_JOIN", "ARRAY_LENGTH", "AS_MAP", "AS_VALUE", "ATTR", "Abs",
    "COALESCE", "COUNT", "COUNT_DISTINCT", "Ceil", "Chr", "EARLIEST_BY_OFFSET", "ENTRIES",
    "Floor", "GENERATE_SERIES", "IFNULL", "IS_JSON_STRING", "JSON_ARRAY_CONTAINS",
    "JSON_ARRAY_LENGTH", "JSON_CONCAT", "JSON_ITEMS", "JSON_KEYS", "JSON_RECORDS",
    "LATEST_BY_OFFSET", "LPad", "MAX", "MIN", "NULLIF", "RPad", "Round", "STDDEV_SAMP",
    "STDDEV_SAMPLE", "SUM", "TOPK", "TOPKDISTINCT", "TO_JSON_STRING", "UUID",
};

static int no_match(const char *name, const fn_sig *sigs, int nsigs, const fn_arg *args,
                    int nargs, bool ambiguous, eddy_err *err)
{
    eddy_buf b;
    eddy_buf_init(&b);
    char lname[64];
    size_t i;
    for (i = 0; name[i] && i < sizeof lname - 1; i++)
        lname[i] = (char)tolower((unsigned char)name[i]);
    lname[i] = 0;
    for (size_t k = 0; k < sizeof DECLARED_NAMES / sizeof DECLARED_NAMES[0]; k++)
        if (strcasecmp(DECLARED_NAMES[k], name) == 0 && strlen(DECLARED_NAMES[k]) < sizeof lname)
            strcpy(lname, DECLARED_NAMES[k]);
    int rc = eddy_buf_printf(&b, "Function '%s' %s ", lname,
                             ambiguous ? "cannot be resolved due to ambiguous method parameters"
                                       : "does not accept parameters");
    if (rc == 0)
        rc = fn__format_args(args, nargs, &b);
    if (rc == 0)
        rc = eddy_buf_printf(&b, ".\n%s\n",
                             ambiguous ? "Use CAST() to explicitly cast your parameters to one "
                                         "of the supported function calls.\nValid function "
                                         "calls are:"
                                       : "Valid alternatives are:");
    for (int s = 0; s < nsigs && rc == 0; s++)
        rc = eddy_buf_printf(&b, "%s(%s)\n", lname, sigs[s].params);
    if (rc == 0)
        rc = eddy_buf_printf(&b,
                             "For detailed information on a function run: DESCRIBE FUNCTION "
                             "<Function-Name>;");
    char *msg = rc == 0 ? eddy_buf_cstr(&b) : NULL;
    if (msg == NULL) {
        eddy_buf_free(&b);
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    }
    eddy_err_set(err, EDDY_ETYPE, "%s", msg);
    eddy_buf_free(&b);
    return EDDY_ETYPE;
}

static int bad_sig(const char *name, const fn_sig *s, eddy_err *err)
{
    return eddy_err_set(err, EDDY_ETYPE, "internal: malformed signature of %s: %s", name,
                        s->params);
}

/* Finds the best signature for 'args'; '*best' = -1 when none. */
static int find_best(const char *name, const fn_sig *sigs, int nsigs, const fn_arg *args,
                     int nargs, psig *ps, bindings *bb, int *best, eddy_err *err)
{
    psig *cur = eddy_malloc(sizeof *cur);
    bindings *b = eddy_malloc(sizeof *b);
    if (!cur || !b) {
        eddy_free(cur);
        eddy_free(b);
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    }
    int rc = 0;
    *best = -1;
    for (int pass = 0; pass < 2 && *best < 0; pass++) {
        rank best_rank = {{0}};
        bool tie = false;
        for (int s = 0; s < nsigs; s++) {
            if (!parse_sig(&sigs[s], cur)) {
                rc = bad_sig(name, &sigs[s], err);
                goto out;
            }
            if (!sig_matches(cur, args, nargs, pass == 1, b))
                continue;
            rank r = sig_rank(cur);
            int c = *best < 0 ? 1 : rank_cmp(r, best_rank);
            if (c > 0) {
                *best = s;
                best_rank = r;
                tie = false;
                *ps = *cur;
                /* pool pointers must refer to ps's own pool */
                for (int i = 0; i < ps->nparams; i++)
                    ps->params[i] = ps->pool + (cur->params[i] - cur->pool);
                if (cur->ret)
                    ps->ret = ps->pool + (cur->ret - cur->pool);
                for (int i = 0; i < ps->npool; i++)
                    for (int j = 0; j < ps->pool[i].nsub; j++)
                        ps->pool[i].sub[j] = ps->pool + (cur->pool[i].sub[j] - cur->pool);
                *bb = *b;
            } else if (c == 0) {
                tie = true;
            }
        }
        if (*best >= 0 && tie) {
            rc = no_match(name, sigs, nsigs, args, nargs, true, err);
            goto out;
        }
    }
out:
    eddy_free(cur);
    eddy_free(b);
    return rc;
}

int fn__resolve_sigs(const char *name, const fn_sig *sigs, int nsigs, eddy_arena *a,
                     const fn_arg *args, int nargs, fn_resolved *out, eddy_err *err)
{
    psig *ps = eddy_malloc(sizeof *ps);
    bindings *b = eddy_malloc(sizeof *b);
    int rc = 0, best = -1;
    if (!ps || !b) {
        rc = eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        goto out;
    }
    rc = find_best(name, sigs, nsigs, args, nargs, ps, b, &best, err);
    if (rc)
        goto out;
    if (best < 0) {
        rc = no_match(name, sigs, nsigs, args, nargs, false, err);
        goto out;
    }
    out->variant = best;
    out->casts = eddy_arena_calloc(a, sizeof *out->casts * (size_t)(nargs ? nargs : 1));
    if (!out->casts) {
        rc = eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        goto out;
    }
    for (int i = 0; i < nargs; i++) {
        const pt *p = param_for(ps, i);
        const eddy_type *at = args[i].type;
        if (args[i].lambda_params || at == NULL || at->kind == EDDY_T_NULL || has_generics(p) ||
            p->k == PT_ANY || p->k == PT_STRUCT)
            continue;
        const eddy_type *want;
        rc = instantiate(a, p, b, at, &want, err);
        if (rc)
            goto out;
        if (!eddy_type_equal(want, at))
            out->casts[i] = want;
    }
    if (sigs[best].ret) {
        const eddy_type *first = nargs > 0 ? args[0].type : NULL;
        rc = instantiate(a, ps->ret, b, first, &out->ret, err);
    } else {
        rc = sigs[best].ret_fn(a, args, nargs, &out->ret, err);
    }
out:
    eddy_free(ps);
    eddy_free(b);
    return rc;
}

int fn__lambda_types_sigs(const char *name, const fn_sig *sigs, int nsigs, eddy_arena *a,
                          const fn_arg *args, int nargs, int i, const eddy_type **params,
                          int nparams, eddy_err *err)
{
    psig *ps = eddy_malloc(sizeof *ps);
    bindings *b = eddy_malloc(sizeof *b);
    int rc = 0, best = -1;
    if (!ps || !b) {
        rc = eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        goto out;
    }
    rc = find_best(name, sigs, nsigs, args, nargs, ps, b, &best, err);
    if (rc)
        goto out;
    if (best < 0) {
        rc = no_match(name, sigs, nsigs, args, nargs, false, err);
        goto out;
    }
    const pt *p = param_for(ps, i);
    if (p->k != PT_LAMBDA || p->nsub - 1 != nparams) {
        rc = eddy_err_set(err, EDDY_ETYPE, "Argument %d of %s is not a lambda of %d parameters",
                          i + 1, name, nparams);
        goto out;
    }
    for (int j = 0; j < nparams && rc == 0; j++)
        rc = instantiate(a, p->sub[j], b, NULL, &params[j], err);
out:
    eddy_free(ps);
    eddy_free(b);
    return rc;
}

/* ---------------------------------------------------------------------------------------------
 * Registry
 * ------------------------------------------------------------------------------------------- */

static const fn__table *const all_tables[] = {
    &fn__string_table, &fn__math_table, &fn__null_table, &fn__json_table,
    &fn__collections_table, &fn__lambda_table, &fn__datetime_table, &fn__url_table,
    &fn__other_table,
};

static const fn_scalar **sorted;
static int nsorted;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static int cmp_fn(const void *x, const void *y)
{
    const fn_scalar *a = *(const fn_scalar *const *)x, *b = *(const fn_scalar *const *)y;
    return strcasecmp(a->name, b->name);
}

static void build(void)
{
    int n = 0;
    for (size_t t = 0; t < EDDY_ARRAY_LEN(all_tables); t++)
        n += all_tables[t]->n;
    /* Process lifetime: never freed (plain malloc so allocation-failure tests that count
     * eddy_malloc calls are unaffected). */
    sorted = malloc(sizeof *sorted * (size_t)(n + 1));
    if (!sorted)
        return;
    for (size_t t = 0; t < EDDY_ARRAY_LEN(all_tables); t++)
        for (int i = 0; i < all_tables[t]->n; i++)
            sorted[nsorted++] = &all_tables[t]->fns[i];
    qsort(sorted, (size_t)nsorted, sizeof *sorted, cmp_fn);
    sorted[nsorted] = NULL;
}

const fn_scalar *fn_scalar_find(const char *name)
{
    pthread_once(&once, build);
    int lo = 0, hi = nsorted - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        int c = strcasecmp(name, sorted[mid]->name);
        if (c == 0)
            return sorted[mid];
        if (c < 0)
            hi = mid - 1;
        else
            lo = mid + 1;
    }
    return NULL;
}

const fn_scalar *fn_scalar_at(int i)
{
    pthread_once(&once, build);
    return (i >= 0 && i < nsorted) ? sorted[i] : NULL;
}

int fn_scalar_resolve(const fn_scalar *f, eddy_arena *a, const fn_arg *args, int nargs,
                      fn_resolved *out, eddy_err *err)
{
    memset(out, 0, sizeof *out);
    if (f->resolve)
        return f->resolve(f, a, args, nargs, out, err);
    return fn__resolve_sigs(f->name, f->sigs, f->nsigs, a, args, nargs, out, err);
}

int fn_scalar_lambda_types(const fn_scalar *f, eddy_arena *a, const fn_arg *args, int nargs,
                           int i, const eddy_type **params, int nparams, eddy_err *err)
{
    if (f->lambda_types)
        return f->lambda_types(f, a, args, nargs, i, params, nparams, err);
    return fn__lambda_types_sigs(f->name, f->sigs, f->nsigs, a, args, nargs, i, params,
                                 nparams, err);
}

const fn_table *fn_table_find(const char *name)
{
    for (int i = 0; i < fn__ntable_fns; i++)
        if (strcasecmp(fn__table_fns[i].name, name) == 0)
            return &fn__table_fns[i];
    return NULL;
}

const fn_table *fn_table_at(int i)
{
    return (i >= 0 && i < fn__ntable_fns) ? &fn__table_fns[i] : NULL;
}

int fn_table_resolve(const fn_table *f, eddy_arena *a, const fn_arg *args, int nargs,
                     fn_resolved *out, eddy_err *err)
{
    memset(out, 0, sizeof *out);
    return fn__resolve_sigs(f->name, f->sigs, f->nsigs, a, args, nargs, out, err);
}

int fn_call_build(eddy_arena *a, const fn_scalar *f, fn_expr *const *args, int nargs,
                  uint32_t pos, fn_expr **out, eddy_err *err)
{
    fn_arg *fa = eddy_arena_calloc(a, sizeof *fa * (size_t)(nargs ? nargs : 1));
    fn_expr *e = eddy_arena_calloc(a, sizeof *e);
    fn_expr **eargs = eddy_arena_calloc(a, sizeof *eargs * (size_t)(nargs ? nargs : 1));
    if (!fa || !e || !eargs)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    for (int i = 0; i < nargs; i++) {
        const fn_expr *x = args[i];
        if (x->kind == FN_LAMBDA) {
            fa[i].type = x->type;
            fa[i].lambda_params = x->u.lambda.nparams;
        } else {
            fa[i].type = x->type && x->type->kind != EDDY_T_NULL ? x->type : NULL;
        }
    }
    fn_resolved r;
    int rc = fn_scalar_resolve(f, a, fa, nargs, &r, err);
    if (rc)
        return rc;
    for (int i = 0; i < nargs; i++) {
        eargs[i] = args[i];
        if (r.casts && r.casts[i]) {
            fn_expr *c = eddy_arena_calloc(a, sizeof *c);
            fn_expr **ca = eddy_arena_calloc(a, sizeof *ca);
            if (!c || !ca)
                return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
            ca[0] = args[i];
            c->kind = FN_CAST;
            c->type = r.casts[i];
            c->pos = args[i]->pos;
            c->nargs = 1;
            c->args = ca;
            eargs[i] = c;
        }
    }
    e->kind = FN_CALL;
    e->type = r.ret;
    e->pos = pos;
    e->nargs = (uint32_t)nargs;
    e->args = eargs;
    e->u.call.fn = f;
    e->u.call.variant = r.variant;
    *out = e;
    return 0;
}
