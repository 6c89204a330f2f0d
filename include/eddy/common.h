/*
 * eddy/common.h - what every eddy module shares: errors, allocation, arenas, growable
 * buffers, byte order, Kafka's hashing (murmur2, CRC-32C), zig-zag varints and clocks.
 *
 * Conventions (see docs/architecture.md):
 *  - A fallible function returns int: 0 on success or a negative EDDY_E* code, and takes
 *    `eddy_err *err` as its last parameter. Only the first error is recorded in `err`.
 *  - Library code never prints and never exits; only cli/ does.
 *  - All heap allocation goes through eddy_malloc() and friends so tests can inject
 *    allocation failures (eddy_alloc_fail_after()).
 */
#ifndef EDDY_COMMON_H
#define EDDY_COMMON_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ---------------------------------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------------------------------- */

enum {
    EDDY_OK = 0,
    EDDY_EINVAL = -1,      /* bad argument or malformed input */
    EDDY_ENOMEM = -2,      /* allocation failed */
    EDDY_EIO = -3,         /* a system call failed (the message names it and errno) */
    EDDY_ENOTFOUND = -4,   /* unknown topic, partition, group, column, ... */
    EDDY_EEXIST = -5,      /* already exists */
    EDDY_ECORRUPT = -6,    /* checksum or framing error in stored or received data */
    EDDY_ESEQUENCE = -7,   /* idempotent producer: sequence gap (OUT_OF_ORDER_SEQUENCE_NUMBER) */
    EDDY_EFENCED = -8,     /* idempotent producer: stale epoch (INVALID_PRODUCER_EPOCH) */
    EDDY_ETOOLARGE = -9,   /* record batch larger than max.message.bytes */
    EDDY_ETIMEOUT = -10,   /* a wait ran out of time */
    EDDY_EPARSE = -11,     /* SQL syntax error (line and col are set) */
    EDDY_ETYPE = -12,      /* SQL type or semantic error */
    EDDY_ERANGE = -13,     /* offset or value out of range */
    EDDY_ECLOSED = -14,    /* object is closing or was deleted */
    EDDY_EUNSUPPORTED = -15
};

typedef struct eddy_err {
    int code;       /* EDDY_E* (negative); 0 = none */
    int line, col;  /* 1-based position in SQL text; 0 when not a SQL error */
    char msg[256];  /* for users; never contains row data */
} eddy_err;

/* Reset 'err' to "no error". A NULL 'err' is allowed everywhere and ignored. */
void eddy_err_clear(eddy_err *err);

/* Record error 'code' with a printf-style message, unless 'err' already holds an error.
 * Returns 'code' so callers can write `return eddy_err_set(err, EDDY_EINVAL, "...")`. */
int eddy_err_set(eddy_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* As eddy_err_set() for a failed system call: appends ": <strerror(errno)>". */
int eddy_err_sys(eddy_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* As eddy_err_set() with a SQL position (1-based line and column). */
int eddy_err_set_at(eddy_err *err, int code, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* A short name for an EDDY_E* code ("invalid argument", ...). Never NULL. */
const char *eddy_strerror(int code);

/* ---------------------------------------------------------------------------------------------
 * Allocation
 * ------------------------------------------------------------------------------------------- */

void *eddy_malloc(size_t n);
void *eddy_calloc(size_t count, size_t size);
void *eddy_realloc(void *p, size_t n);
char *eddy_strdup(const char *s);
char *eddy_strndup(const char *s, size_t n);
void eddy_free(void *p);

/* Tests only: make the allocation after 'n' more successful ones fail (n < 0: never). */
void eddy_alloc_fail_after(long n);

/* ---------------------------------------------------------------------------------------------
 * Arena: bump allocation in blocks, freed all at once (one arena per lifetime: statement,
 * query, batch). Not thread-safe; an arena belongs to one thread at a time.
 * ------------------------------------------------------------------------------------------- */

typedef struct eddy_arena_block eddy_arena_block;
typedef struct eddy_arena {        /* caller-allocated; initialise with eddy_arena_init() */
    eddy_arena_block *head;        /* current block (owned) */
    size_t block_size;             /* size of ordinary blocks */
    size_t used;                   /* bytes handed out since init or reset */
} eddy_arena;

void eddy_arena_init(eddy_arena *a, size_t block_size);
/* Memory aligned to 16 bytes; NULL when out of memory. Valid until reset or destroy. */
void *eddy_arena_alloc(eddy_arena *a, size_t n);
void *eddy_arena_calloc(eddy_arena *a, size_t n);
char *eddy_arena_strndup(eddy_arena *a, const char *s, size_t n);
char *eddy_arena_strdup(eddy_arena *a, const char *s);
void *eddy_arena_memdup(eddy_arena *a, const void *p, size_t n);
/* Free everything but the first block, which is kept for reuse. */
void eddy_arena_reset(eddy_arena *a);
void eddy_arena_destroy(eddy_arena *a);

/* ---------------------------------------------------------------------------------------------
 * Growable byte buffer (caller-allocated, owns its data)
 * ------------------------------------------------------------------------------------------- */

typedef struct eddy_buf {
    uint8_t *data;
    size_t len, cap;
} eddy_buf;

void eddy_buf_init(eddy_buf *b);
void eddy_buf_free(eddy_buf *b);
/* Make room for 'extra' more bytes; returns EDDY_ENOMEM on failure. */
int eddy_buf_reserve(eddy_buf *b, size_t extra);
int eddy_buf_append(eddy_buf *b, const void *p, size_t n);
int eddy_buf_printf(eddy_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Ensure a NUL after len (not counted in len); returns data as a C string, or NULL on OOM. */
char *eddy_buf_cstr(eddy_buf *b);

/* ---------------------------------------------------------------------------------------------
 * Byte order (Kafka is big-endian)
 * ------------------------------------------------------------------------------------------- */

static inline void eddy_put_be16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void eddy_put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}
static inline void eddy_put_be64(uint8_t *p, uint64_t v)
{
    eddy_put_be32(p, (uint32_t)(v >> 32));
    eddy_put_be32(p + 4, (uint32_t)v);
}
static inline uint16_t eddy_get_be16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static inline uint32_t eddy_get_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static inline uint64_t eddy_get_be64(const uint8_t *p)
{
    return ((uint64_t)eddy_get_be32(p) << 32) | eddy_get_be32(p + 4);
}

/* ---------------------------------------------------------------------------------------------
 * Hashing
 * ------------------------------------------------------------------------------------------- */

/* CRC-32C (Castagnoli), as Kafka record batches use. 'crc' is the running value: start with
 * 0 and pass the previous result to continue. CRC-32C("123456789") = 0xE3069283. Uses the
 * SSE4.2 instruction when the CPU has it. */
uint32_t eddy_crc32c(uint32_t crc, const void *buf, size_t len);

/* Kafka's murmur2 (org.apache.kafka.common.utils.Utils.murmur2, seed 0x9747b28c). */
int32_t eddy_murmur2(const void *data, size_t len);

/* Kafka's default partitioner for a keyed record: toPositive(murmur2(key)) % npartitions. */
int32_t eddy_kafka_partition(const void *key, size_t len, int32_t npartitions);

/* 64-bit hash for in-memory hash tables (FNV-1a; not stable across versions, not on disk). */
uint64_t eddy_hash64(const void *data, size_t len);

/* ---------------------------------------------------------------------------------------------
 * Zig-zag varints (protobuf style, as in Kafka records)
 * ------------------------------------------------------------------------------------------- */

#define EDDY_VARINT_MAX 5
#define EDDY_VARLONG_MAX 10

/* Write 'v' at 'p' (room for EDDY_VARLONG_MAX bytes); returns the bytes written. */
size_t eddy_varlong_put(uint8_t *p, int64_t v);
static inline size_t eddy_varint_put(uint8_t *p, int32_t v) { return eddy_varlong_put(p, v); }
/* Bytes eddy_varlong_put() would write. */
size_t eddy_varlong_size(int64_t v);
/* Read a varint (at most 5 bytes, value in int32 range) or varlong (at most 10 bytes) from
 * [p, end). Returns the bytes consumed, or 0 when truncated, too long or out of range. */
size_t eddy_varint_get(const uint8_t *p, const uint8_t *end, int32_t *out);
size_t eddy_varlong_get(const uint8_t *p, const uint8_t *end, int64_t *out);

/* ---------------------------------------------------------------------------------------------
 * Time
 * ------------------------------------------------------------------------------------------- */

int64_t eddy_now_ms(void);        /* wall clock, ms since the epoch */
int64_t eddy_monotonic_ms(void);  /* monotonic clock, ms */
int64_t eddy_monotonic_ns(void);

/* ---------------------------------------------------------------------------------------------
 * Small file helpers (used by broker/ and state/)
 * ------------------------------------------------------------------------------------------- */

/* mkdir -p. */
int eddy_mkdirs(const char *path, eddy_err *err);
/* rm -rf (no error if it does not exist). */
int eddy_rmtree(const char *path, eddy_err *err);
/* Write 'len' bytes to 'path' atomically: write a temp file, fsync, rename, fsync the dir. */
int eddy_write_file_atomic(const char *path, const void *data, size_t len, eddy_err *err);
/* Read a whole file into a NUL-terminated malloc'ed buffer (*out, *len). EDDY_ENOTFOUND if
 * it does not exist. */
int eddy_read_file(const char *path, char **out, size_t *len, eddy_err *err);

#define EDDY_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define EDDY_MIN(a, b) ((a) < (b) ? (a) : (b))
#define EDDY_MAX(a, b) ((a) > (b) ? (a) : (b))

#endif /* EDDY_COMMON_H */
