/*
 * cache.c - the write-back cache of a store: every put or delete since the last commit,
 * one entry per encoded key, ordered by key bytes so scans can merge it with LMDB.
 *
 * A skip list (Pugh 1990, p = 1/4) rather than a hash table because window fetches, session
 * lookups and pull-query scans need ordered ranges on every record; it also gives commit its
 * entries in key order, which is LMDB's cheapest insertion order. Written by hand because
 * no Debian library offers an arena-backed ordered map with stable node pointers.
 *
 * Memory: nodes, keys and values live in one arena, reset at commit. Nodes are never
 * unlinked before that, so a pointer to a node (held by an iterator) stays valid while other
 * entries are added. A new value replaces the old one in place when it fits in the old
 * allocation, else it gets a new one (the old bytes wait for the reset).
 *
 * Invariant: keys strictly increase along every level; 'count' = nodes in the list.
 */
#include "state_int.h"

int state__cache_init(state_cache *c)
{
    eddy_arena_init(&c->arena, 64 * 1024);
    c->head = NULL;
    c->level = 1;
    c->rng = 0x9E3779B97F4A7C15ULL ^ (uint64_t)(uintptr_t)c;
    c->count = 0;
    c->head = eddy_arena_calloc(&c->arena, sizeof(cache_node) +
                                CACHE_MAX_LEVEL * sizeof(cache_node *));
    if (!c->head)
        return EDDY_ENOMEM;
    c->head->level = CACHE_MAX_LEVEL;
    return 0;
}

void state__cache_free(state_cache *c)
{
    eddy_arena_destroy(&c->arena);
    c->head = NULL;
    c->count = 0;
}

void state__cache_reset(state_cache *c)
{
    if (c->count == 0 && c->head)
        return;
    eddy_arena_reset(&c->arena);
    c->count = 0;
    c->level = 1;
    c->head = eddy_arena_calloc(&c->arena, sizeof(cache_node) +
                                CACHE_MAX_LEVEL * sizeof(cache_node *));
    /* The arena keeps its first block on reset, so this cannot fail. */
    if (c->head)
        c->head->level = CACHE_MAX_LEVEL;
}

size_t state__cache_bytes(const state_cache *c) { return c->arena.used; }

static int random_level(state_cache *c)
{
    /* xorshift64*; two bits per level gives p = 1/4. */
    c->rng ^= c->rng >> 12;
    c->rng ^= c->rng << 25;
    c->rng ^= c->rng >> 27;
    uint64_t r = c->rng * 0x2545F4914F6CDD1DULL;
    int lvl = 1;
    while (lvl < CACHE_MAX_LEVEL && (r & 3) == 0) {
        lvl++;
        r >>= 2;
    }
    return lvl;
}

/* Fill 'update' with the last node before 'key' on each level; returns the node after it on
 * level 0 (the first with key >= 'key'). */
static cache_node *search(state_cache *c, const uint8_t *key, size_t klen,
                          cache_node **update)
{
    cache_node *x = c->head;
    for (int i = c->level - 1; i >= 0; i--) {
        cache_node *n;
        while ((n = x->next[i]) && state__keycmp(cache_key(n), n->klen, key, klen) < 0)
            x = n;
        if (update)
            update[i] = x;
    }
    return x->next[0];
}

cache_node *state__cache_find(state_cache *c, const uint8_t *key, size_t klen)
{
    if (c->count == 0)
        return NULL;
    cache_node *n = search(c, key, klen, NULL);
    return n && n->klen == klen && memcmp(cache_key(n), key, klen) == 0 ? n : NULL;
}

cache_node *state__cache_seek_before(state_cache *c, const uint8_t *key, size_t klen)
{
    if (!key)
        return c->head;
    cache_node *update[CACHE_MAX_LEVEL];
    search(c, key, klen, update);
    return update[0];
}

static int set_value(state_cache *c, cache_node *n, const void *val, size_t vlen, bool tomb)
{
    n->tomb = tomb;
    if (tomb || vlen == 0) {
        n->vlen = 0;
        return 0;
    }
    if (vlen > n->vcap) {
        size_t cap = vlen < 16 ? 16 : vlen;
        uint8_t *p = eddy_arena_alloc(&c->arena, cap);
        if (!p)
            return EDDY_ENOMEM;
        n->val = p;
        n->vcap = (uint32_t)cap;
    }
    memcpy(n->val, val, vlen);
    n->vlen = (uint32_t)vlen;
    return 0;
}

int state__cache_set(state_cache *c, const uint8_t *key, size_t klen, const void *val,
                     size_t vlen, bool tomb, cache_node **out)
{
    if (vlen > UINT32_MAX || klen > UINT32_MAX)
        return EDDY_ETOOLARGE;
    cache_node *update[CACHE_MAX_LEVEL];
    cache_node *n = search(c, key, klen, update);
    if (n && n->klen == klen && memcmp(cache_key(n), key, klen) == 0) {
        int rc = set_value(c, n, val, vlen, tomb);
        if (out)
            *out = n;
        return rc;
    }
    int lvl = random_level(c);
    n = eddy_arena_alloc(&c->arena, sizeof *n + (size_t)lvl * sizeof(cache_node *) + klen);
    if (!n)
        return EDDY_ENOMEM;
    n->val = NULL;
    n->vlen = n->vcap = 0;
    n->klen = (uint32_t)klen;
    n->level = (uint8_t)lvl;
    memcpy((uint8_t *)&n->next[lvl], key, klen);
    if (set_value(c, n, val, vlen, tomb))
        return EDDY_ENOMEM;        /* the node is not linked: the list is unchanged */
    for (int i = c->level; i < lvl; i++)
        update[i] = c->head;
    if (lvl > c->level)
        c->level = lvl;
    for (int i = 0; i < lvl; i++) {
        n->next[i] = update[i]->next[i];
        update[i]->next[i] = n;
    }
    c->count++;
    if (out)
        *out = n;
    return 0;
}
