/*
 * catalog.c - the engine's catalog: streams and tables, custom types, session properties,
 * and the plan_catalog view of them that the planner reads.
 *
 * Sources are kept in registration order (engine_source_for_topic returns the first one over
 * a topic, as ksqlDB's test runner picks the schema of the first source declared on it).
 * Entries borrow their plan memory from the statement arena that created them (eng_mem).
 *
 * Later (persistent catalog issue): every successful statement is appended to the command
 * topic and replayed on start; this file is where that replay will land.
 */
#include "engine_int.h"

eng_mem *eng__mem_new(void)
{
    eng_mem *m = eddy_calloc(1, sizeof *m);
    if (m) {
        eddy_arena_init(&m->arena, 16 * 1024);
        atomic_init(&m->refs, 1);
    }
    return m;
}

void eng__mem_ref(eng_mem *m) { atomic_fetch_add(&m->refs, 1); }

void eng__mem_unref(eng_mem *m)
{
    if (m && atomic_fetch_sub(&m->refs, 1) == 1) {
        eddy_arena_destroy(&m->arena);
        eddy_free(m);
    }
}

eng_source *eng__source_find(engine *e, const char *name)
{
    for (size_t i = 0; i < e->nsources; i++)
        if (strcmp(e->sources[i].src->name, name) == 0)
            return &e->sources[i];
    return NULL;
}

int eng__source_add(engine *e, plan_source *src, eng_mem *mem, eddy_err *err)
{
    eng_source *old = eng__source_find(e, src->name);
    if (old) {
        /* CREATE OR REPLACE: swap the definition in place, keeping its position. */
        eng__mem_unref(old->mem);
        old->src = src;
        old->mem = mem;
        eng__mem_ref(mem);
        return 0;
    }
    if (e->nsources == e->sources_cap) {
        size_t cap = e->sources_cap ? e->sources_cap * 2 : 16;
        eng_source *a = eddy_realloc(e->sources, cap * sizeof *a);
        if (!a)
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        e->sources = a;
        e->sources_cap = cap;
    }
    eng_source *s = &e->sources[e->nsources++];
    s->src = src;
    s->mem = mem;
    s->seq = e->next_seq++;
    eng__mem_ref(mem);
    return 0;
}

int eng__source_drop(engine *e, const char *name, eddy_err *err)
{
    for (size_t i = 0; i < e->nsources; i++) {
        if (strcmp(e->sources[i].src->name, name) != 0)
            continue;
        eng__mem_unref(e->sources[i].mem);
        memmove(&e->sources[i], &e->sources[i + 1], (e->nsources - i - 1) * sizeof *e->sources);
        e->nsources--;
        return 0;
    }
    return eddy_err_set(err, EDDY_ENOTFOUND, "Source %s does not exist.", name);
}

const plan_source *engine_source_for_topic(engine *e, const char *topic)
{
    for (size_t i = 0; i < e->nsources; i++)
        if (strcmp(e->sources[i].src->topic, topic) == 0)
            return e->sources[i].src;
    return NULL;
}

const char *eng__prop(engine *e, const char *name)
{
    for (size_t i = 0; i < e->nprops; i++)
        if (strcmp(e->props[i].name, name) == 0)
            return e->props[i].value;
    return NULL;
}

int engine_set_property(engine *e, const char *name, const char *value, eddy_err *err)
{
    for (size_t i = 0; i < e->nprops; i++) {
        if (strcmp(e->props[i].name, name) != 0)
            continue;
        if (!value) {
            eddy_free(e->props[i].name);
            eddy_free(e->props[i].value);
            e->props[i] = e->props[--e->nprops];
            return 0;
        }
        char *v = eddy_strdup(value);
        if (!v)
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        eddy_free(e->props[i].value);
        e->props[i].value = v;
        return 0;
    }
    if (!value)
        return 0;
    if (e->nprops == e->props_cap) {
        size_t cap = e->props_cap ? e->props_cap * 2 : 8;
        eng_prop *a = eddy_realloc(e->props, cap * sizeof *a);
        if (!a)
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        e->props = a;
        e->props_cap = cap;
    }
    e->props[e->nprops].name = eddy_strdup(name);
    e->props[e->nprops].value = eddy_strdup(value);
    if (!e->props[e->nprops].name || !e->props[e->nprops].value) {
        eddy_free(e->props[e->nprops].name);
        eddy_free(e->props[e->nprops].value);
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    }
    e->nprops++;
    return 0;
}

int eng__type_add(engine *e, const char *name, const eddy_type *t, eng_mem *mem, eddy_err *err)
{
    for (size_t i = 0; i < e->ntypes; i++)
        if (strcmp(e->types[i].name, name) == 0)
            return eddy_err_set(err, EDDY_EEXIST, "Cannot register custom type '%s' since it is "
                                "already registered with type: %s", name, "custom");
    if (e->ntypes == e->types_cap) {
        size_t cap = e->types_cap ? e->types_cap * 2 : 8;
        eng_type *a = eddy_realloc(e->types, cap * sizeof *a);
        if (!a)
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
        e->types = a;
        e->types_cap = cap;
    }
    eng_type *ty = &e->types[e->ntypes];
    ty->name = eddy_strdup(name);
    if (!ty->name)
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory");
    ty->type = t;
    ty->mem = mem;
    eng__mem_ref(mem);
    e->ntypes++;
    return 0;
}

int eng__type_drop(engine *e, const char *name, eddy_err *err)
{
    for (size_t i = 0; i < e->ntypes; i++) {
        if (strcmp(e->types[i].name, name) != 0)
            continue;
        eddy_free(e->types[i].name);
        eng__mem_unref(e->types[i].mem);
        e->types[i] = e->types[--e->ntypes];
        return 0;
    }
    return eddy_err_set(err, EDDY_ENOTFOUND, "Type %s does not exist.", name);
}

void eng__catalog_free(engine *e)
{
    for (size_t i = 0; i < e->nsources; i++)
        eng__mem_unref(e->sources[i].mem);
    eddy_free(e->sources);
    for (size_t i = 0; i < e->ntypes; i++) {
        eddy_free(e->types[i].name);
        eng__mem_unref(e->types[i].mem);
    }
    eddy_free(e->types);
    for (size_t i = 0; i < e->nprops; i++) {
        eddy_free(e->props[i].name);
        eddy_free(e->props[i].value);
    }
    eddy_free(e->props);
}

/* ---- the planner's view ---- */

static const plan_source *cat_lookup(void *ctx, const char *name)
{
    eng_source *s = eng__source_find(ctx, name);
    return s ? s->src : NULL;
}

static int cat_partitions(void *ctx, const char *topic)
{
    engine *e = ctx;
    eddy_err err = {0};
    int n = broker_topic_partitions(e->b, topic, &err);
    return n < 0 ? -1 : n;
}

static const char *cat_property(void *ctx, const char *name) { return eng__prop(ctx, name); }

static const eddy_type *cat_type(void *ctx, const char *name)
{
    engine *e = ctx;
    for (size_t i = 0; i < e->ntypes; i++)
        if (strcmp(e->types[i].name, name) == 0)
            return e->types[i].type;
    return NULL;
}

static const plan_source *cat_source_at(void *ctx, int i)
{
    engine *e = ctx;
    return i >= 0 && (size_t)i < e->nsources ? e->sources[i].src : NULL;
}

void eng__catalog_init(engine *e, plan_catalog *cat)
{
    cat->ctx = e;
    cat->lookup = cat_lookup;
    cat->topic_partitions = cat_partitions;
    cat->property = cat_property;
    cat->custom_type = cat_type;
    cat->source_at = cat_source_at;
}
