/*
 * alloc.c - allocation shim, arenas and growable buffers.
 *
 * Every allocation in eddy goes through eddy_malloc() so a test can make the N-th one fail
 * (eddy_alloc_fail_after), as SQLite's sqlite3FaultSim does. The counter is atomic: failure
 * injection is meant for single-threaded tests, but must not be a data race elsewhere.
 *
 * Arena: a singly linked list of blocks, newest first. Allocations are bumped from the head
 * block; an allocation larger than a quarter of the block size gets a block of its own.
 * Reset keeps one ordinary block so a per-batch arena stops calling malloc
 * once warm.
 */
#include "eddy/common.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

static _Atomic long fail_after = -1;

void eddy_alloc_fail_after(long n) { atomic_store(&fail_after, n); }

static int should_fail(void)
{
    long n = atomic_load_explicit(&fail_after, memory_order_relaxed);
    if (n < 0)
        return 0;
    n = atomic_fetch_sub(&fail_after, 1);
    if (n == 0) {
        atomic_store(&fail_after, -1);
        return 1;
    }
    return 0;
}

void *eddy_malloc(size_t n) { return should_fail() ? NULL : malloc(n ? n : 1); }
void *eddy_calloc(size_t c, size_t s) { return should_fail() ? NULL : calloc(c ? c : 1, s ? s : 1); }
void *eddy_realloc(void *p, size_t n) { return should_fail() ? NULL : realloc(p, n ? n : 1); }
void eddy_free(void *p) { free(p); }

char *eddy_strndup(const char *s, size_t n)
{
    char *d = eddy_malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

char *eddy_strdup(const char *s) { return eddy_strndup(s, strlen(s)); }

/* ------------------------------------------------------------------------------------------ */

struct eddy_arena_block {
    eddy_arena_block *next;
    size_t size, used;
    _Alignas(16) unsigned char data[];
};

void eddy_arena_init(eddy_arena *a, size_t block_size)
{
    a->head = NULL;
    a->block_size = block_size ? block_size : 64 * 1024;
    a->used = 0;
}

static eddy_arena_block *block_new(size_t size)
{
    eddy_arena_block *b = eddy_malloc(sizeof *b + size);
    if (b) {
        b->next = NULL;
        b->size = size;
        b->used = 0;
    }
    return b;
}

void *eddy_arena_alloc(eddy_arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    eddy_arena_block *h = a->head;
    if (!h || h->size - h->used < n) {
        if (n > a->block_size / 4) {
            /* Big allocation: its own block, linked behind the head so the head keeps
             * serving small allocations. */
            eddy_arena_block *b = block_new(n);
            if (!b)
                return NULL;
            b->used = n;
            if (h) {
                b->next = h->next;
                h->next = b;
            } else {
                a->head = b;
            }
            a->used += n;
            return b->data;
        }
        eddy_arena_block *b = block_new(a->block_size);
        if (!b)
            return NULL;
        b->next = h;
        a->head = h = b;
    }
    void *p = h->data + h->used;
    h->used += n;
    a->used += n;
    return p;
}

void *eddy_arena_calloc(eddy_arena *a, size_t n)
{
    void *p = eddy_arena_alloc(a, n);
    if (p)
        memset(p, 0, n);
    return p;
}

void *eddy_arena_memdup(eddy_arena *a, const void *src, size_t n)
{
    void *p = eddy_arena_alloc(a, n);
    if (p && n)
        memcpy(p, src, n);
    return p;
}

char *eddy_arena_strndup(eddy_arena *a, const char *s, size_t n)
{
    char *p = eddy_arena_alloc(a, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

char *eddy_arena_strdup(eddy_arena *a, const char *s) { return eddy_arena_strndup(a, s, strlen(s)); }

void eddy_arena_reset(eddy_arena *a)
{
    eddy_arena_block *keep = NULL;
    eddy_arena_block *b = a->head;
    while (b) {
        eddy_arena_block *next = b->next;
        if (!keep && b->size == a->block_size)
            keep = b;
        else
            eddy_free(b);
        b = next;
    }
    if (keep) {
        keep->used = 0;
        keep->next = NULL;
    }
    a->head = keep;
    a->used = 0;
}

void eddy_arena_destroy(eddy_arena *a)
{
    eddy_arena_block *b = a->head;
    while (b) {
        eddy_arena_block *next = b->next;
        eddy_free(b);
        b = next;
    }
    a->head = NULL;
    a->used = 0;
}

/* ------------------------------------------------------------------------------------------ */

void eddy_buf_init(eddy_buf *b)
{
    b->data = NULL;
    b->len = b->cap = 0;
}

void eddy_buf_free(eddy_buf *b)
{
    eddy_free(b->data);
    eddy_buf_init(b);
}

int eddy_buf_reserve(eddy_buf *b, size_t extra)
{
    if (b->cap - b->len >= extra)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < extra)
        cap *= 2;
    uint8_t *p = eddy_realloc(b->data, cap);
    if (!p)
        return EDDY_ENOMEM;
    b->data = p;
    b->cap = cap;
    return 0;
}

int eddy_buf_append(eddy_buf *b, const void *p, size_t n)
{
    if (eddy_buf_reserve(b, n) != 0)
        return EDDY_ENOMEM;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

int eddy_buf_printf(eddy_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || eddy_buf_reserve(b, (size_t)n + 1) != 0)
        return EDDY_ENOMEM;
    va_start(ap, fmt);
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

char *eddy_buf_cstr(eddy_buf *b)
{
    if (eddy_buf_reserve(b, 1) != 0)
        return NULL;
    b->data[b->len] = '\0';
    return (char *)b->data;
}
