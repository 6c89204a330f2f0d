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
#include <stdbool.h>
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
    char msg[512];  /* for users; never contains row data */
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

/* Streaming CRC-32C over a message given in pieces: eddy_crc32c_begin(&s, crc), any number
 * of eddy_crc32c_update() / eddy_crc32c_copy() calls, then eddy_crc32c_end(&s) returns what
 * eddy_crc32c(crc, <the pieces concatenated>) would. With VPCLMULQDQ the state carries the
 * 512-bit fold accumulators and a partial 64-byte block from call to call, so a message cut
 * into pieces (down to single bytes) costs little more than in one piece: there is one
 * reduction, in eddy_crc32c_end() (1000 pieces of 17 + 1024 bytes through
 * eddy_crc32c_updatev: 24 us/MiB, against 19 in one piece, on a Zen 5 EPYC). Without
 * VPCLMULQDQ the state is the running CRC. */
typedef struct eddy_crc32c_stream {
    _Alignas(64) uint8_t fold[4][64]; /* the fold accumulators, oldest first */
    _Alignas(64) uint8_t part[64];    /* the bytes of the current partial block */
    uint64_t blocks;                  /* 64-byte blocks folded into 'fold' */
    uint32_t npart;                   /* bytes in 'part' (0..63) */
    uint32_t crc;                     /* raw state: the start value (and the CRC when not folding) */
} eddy_crc32c_stream;

void eddy_crc32c_begin(eddy_crc32c_stream *s, uint32_t crc);
void eddy_crc32c_update(eddy_crc32c_stream *s, const void *buf, size_t len);
/* memcpy(dst, src, len) and eddy_crc32c_update(s, src, len) in one pass over the bytes (the
 * ranges must not overlap). */
void eddy_crc32c_copy(eddy_crc32c_stream *s, void *dst, const void *src, size_t len);
/* eddy_crc32c_update() / eddy_crc32c_copy() of several pieces in one call (the stream stays
 * in registers from piece to piece); copyv writes them one after another from 'dst'. Both
 * return the pieces' total length. */
struct iovec;
size_t eddy_crc32c_updatev(eddy_crc32c_stream *s, const struct iovec *iov, int niov);
size_t eddy_crc32c_copyv(eddy_crc32c_stream *s, void *dst, const struct iovec *iov, int niov);
uint32_t eddy_crc32c_end(eddy_crc32c_stream *s);
/* True when the stream folds (VPCLMULQDQ): then eddy_crc32c_copy() costs about what
 * eddy_crc32c() alone does, and checksumming while copying beats a copy followed by one
 * eddy_crc32c() over the result; false when a one-shot eddy_crc32c() is the faster way. */
bool eddy_crc32c_folding(void);

/* For tests and measurements: use at most implementation 'impl' (as far as the CPU has it)
 * from now on, e.g. EDDY_CRC32C_TABLE to run the fallback paths on any machine; returns the
 * one in use before. Not thread-safe, and no stream may be open across a change. */
enum { EDDY_CRC32C_TABLE = 0, EDDY_CRC32C_SSE42 = 1, EDDY_CRC32C_VPCLMUL = 2 };
int eddy_crc32c_limit(int impl);

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

/* Writing and sizing are inline: a record batch encodes five varints a record. */

/* Write 'v' at 'p' (room for EDDY_VARLONG_MAX bytes); returns the bytes written. */
static inline size_t eddy_varlong_put(uint8_t *p, int64_t v)
{
    uint64_t u = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
    size_t n = 0;
    while (u >= 0x80) {
        p[n++] = (uint8_t)(u | 0x80);
        u >>= 7;
    }
    p[n++] = (uint8_t)u;
    return n;
}

static inline size_t eddy_varint_put(uint8_t *p, int32_t v) { return eddy_varlong_put(p, v); }

/* Bytes eddy_varlong_put() would write: one per started group of 7 significant bits. */
static inline size_t eddy_varlong_size(int64_t v)
{
    uint64_t u = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
    return (size_t)(63 - __builtin_clzll(u | 1)) / 7 + 1;
}
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
 * Base64 (RFC 4648 standard alphabet, padded)
 * ------------------------------------------------------------------------------------------- */

/* Append the base64 text of 'len' bytes to 'out'. Errors: EDDY_ENOMEM. */
int eddy_base64_encode(const void *data, size_t len, eddy_buf *out);
/* Append the bytes of base64 'text' to 'out', as java.util.Base64.getDecoder() reads it:
 * standard alphabet, padding optional but complete when present. Errors: EDDY_EINVAL for a
 * character outside the alphabet or a bad ending, EDDY_ENOMEM. */
int eddy_base64_decode(const char *text, size_t len, eddy_buf *out);
/* The same into 'dst' (room for len / 4 * 3 + 3 bytes); '*dst_len' gets the byte count and,
 * on error, '*why' (may be NULL) the reason in java.util.Base64's words. */
int eddy_base64_decode_to(const char *text, size_t len, uint8_t *dst, size_t *dst_len,
                          const char **why);

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

/* =============================================================================================
 * SQL types and values (common/types.c, value.c, decimal.c, arith.c, cast.c, sqltime.c)
 *
 * ksqlDB's type system with ksqlDB's semantics: the ksqlDB Java classes each rule comes from
 * are named in the .c files. Types are immutable; values are small tagged unions whose
 * out-of-line parts (string bytes, elements) are borrowed or live in an arena.
 * ============================================================================================= */

/* Kinds, in the order of ksqlDB's SqlBaseType (numeric widening follows this order:
 * INT < BIGINT < DECIMAL < DOUBLE). EDDY_T_NULL is the type of a bare NULL literal. */
typedef enum eddy_type_kind {
    EDDY_T_NULL = 0,
    EDDY_T_BOOLEAN,
    EDDY_T_INT,        /* int32 */
    EDDY_T_BIGINT,     /* int64 */
    EDDY_T_DECIMAL,    /* exact: 128-bit unscaled integer and a scale */
    EDDY_T_DOUBLE,
    EDDY_T_STRING,     /* UTF-8; VARCHAR is an alias */
    EDDY_T_ARRAY,
    EDDY_T_MAP,
    EDDY_T_STRUCT,
    EDDY_T_TIME,       /* int32 milliseconds of the day */
    EDDY_T_DATE,       /* int32 days since 1970-01-01 */
    EDDY_T_TIMESTAMP,  /* int64 milliseconds since the epoch, UTC */
    EDDY_T_BYTES,
    EDDY_T_KIND_COUNT_
} eddy_type_kind;

/* Largest number of decimal digits a DECIMAL value can hold (the 128-bit unscaled integer).
 * Types may declare more (ksqlDB does not bound precision, and arithmetic result types grow);
 * a value that needs more digits is an EDDY_ERANGE error where it is computed. */
#define EDDY_DECIMAL_MAX_DIGITS 38
#define EDDY_DECIMAL_MAX_TYPE_PRECISION 1000

typedef struct eddy_type eddy_type;

typedef struct eddy_type_field {
    const char *name;        /* case preserved, NUL-terminated */
    const eddy_type *type;
} eddy_type_field;

/* A type. Read-only for everyone; build with the constructors below. Primitive types are
 * static singletons (eddy_type_prim); composite and DECIMAL types live in the arena they were
 * built in. Compare with eddy_type_equal(), never by pointer. */
struct eddy_type {
    uint8_t kind;                  /* eddy_type_kind */
    uint16_t precision, scale;     /* DECIMAL only */
    uint32_t nfields;              /* STRUCT: number of fields (0 is allowed) */
    const eddy_type *elem;         /* ARRAY: item type; MAP: value type */
    const eddy_type *key;          /* MAP: key type */
    const eddy_type_field *fields; /* STRUCT: fields in declaration order */
};

/* The static singleton for a primitive kind (NULL, BOOLEAN, INT, BIGINT, DOUBLE, STRING,
 * BYTES, TIMESTAMP, DATE, TIME); NULL for DECIMAL and composite kinds. Thread-safe. */
const eddy_type *eddy_type_prim(eddy_type_kind kind);
#define EDDY_TYPE_NULL      (eddy_type_prim(EDDY_T_NULL))
#define EDDY_TYPE_BOOLEAN   (eddy_type_prim(EDDY_T_BOOLEAN))
#define EDDY_TYPE_INT       (eddy_type_prim(EDDY_T_INT))
#define EDDY_TYPE_BIGINT    (eddy_type_prim(EDDY_T_BIGINT))
#define EDDY_TYPE_DOUBLE    (eddy_type_prim(EDDY_T_DOUBLE))
#define EDDY_TYPE_STRING    (eddy_type_prim(EDDY_T_STRING))
#define EDDY_TYPE_BYTES     (eddy_type_prim(EDDY_T_BYTES))
#define EDDY_TYPE_TIMESTAMP (eddy_type_prim(EDDY_T_TIMESTAMP))
#define EDDY_TYPE_DATE      (eddy_type_prim(EDDY_T_DATE))
#define EDDY_TYPE_TIME      (eddy_type_prim(EDDY_T_TIME))

/* DECIMAL('precision', 'scale') allocated in 'a'. Errors: EDDY_ETYPE with ksqlDB's message
 * ("DECIMAL precision must be >= 1: DECIMAL(0,0)", "... scale must be >= 0 ...",
 * "... precision must be >= scale ...") or when precision exceeds
 * EDDY_DECIMAL_MAX_TYPE_PRECISION; EDDY_ENOMEM. */
int eddy_type_decimal(eddy_arena *a, int precision, int scale, const eddy_type **out,
                      eddy_err *err);

/* ARRAY<'elem'> / MAP<'key', 'val'> allocated in 'a'; the element types are borrowed and
 * must outlive the result. NULL when out of memory. */
const eddy_type *eddy_type_array(eddy_arena *a, const eddy_type *elem);
const eddy_type *eddy_type_map(eddy_arena *a, const eddy_type *key, const eddy_type *val);

/* STRUCT of 'n' fields allocated in 'a'; field names are copied, field types borrowed.
 * Errors: EDDY_ETYPE for an empty name or a name repeated exactly (ksqlDB: "Duplicate field
 * names found in STRUCT"); EDDY_ENOMEM. */
int eddy_type_struct(eddy_arena *a, const eddy_type_field *fields, uint32_t n,
                     const eddy_type **out, eddy_err *err);

/* Structural equality (ksqlDB's SqlType.equals): kinds, DECIMAL precision and scale, element
 * types, and STRUCT field names (exact, case-sensitive), types and order. NULLs are equal. */
bool eddy_type_equal(const eddy_type *a, const eddy_type *b);

/* The field of STRUCT 't' named exactly 'name' ('len' bytes), or NULL; '*index' (optional)
 * receives its position. */
const eddy_type_field *eddy_type_field_find(const eddy_type *t, const char *name, size_t len,
                                            uint32_t *index);

/* SqlBaseType's name of a kind: "INTEGER", "BIGINT", "DECIMAL", "STRING", ...; "NULL". */
const char *eddy_type_kind_name(eddy_type_kind kind);

static inline bool eddy_type_is_numeric(const eddy_type *t)
{
    return t->kind >= EDDY_T_INT && t->kind <= EDDY_T_DOUBLE;
}
static inline bool eddy_type_is_time(const eddy_type *t)
{
    return t->kind >= EDDY_T_TIME && t->kind <= EDDY_T_TIMESTAMP;
}

/* Append the type as ksqlDB's SqlType.toString() prints it (DESCRIBE, error messages):
 * INTEGER, BIGINT, DECIMAL(4, 2), STRING, ARRAY<STRING>, MAP<STRING, INTEGER>,
 * STRUCT<`A` INTEGER, `b` STRING>, "STRUCT< >" for an empty struct, NULL for the NULL type.
 * Errors: EDDY_ENOMEM. */
int eddy_type_format(const eddy_type *t, eddy_buf *out);

/* Parse a type from SQL text ('len' bytes): keywords case-insensitive, INT/INTEGER,
 * VARCHAR/STRING, DECIMAL(p, s), ARRAY<T>, MAP<K, V>, STRUCT<name T, ...> (also STRUCT<>);
 * unquoted field names are upper-cased, `quoted` ones kept ('``' is a quote), as ksqlDB's
 * identifiers. Composite types are allocated in 'a'. Errors: EDDY_EPARSE (message names the
 * offending text), EDDY_ETYPE (bad DECIMAL parameters, duplicate field), EDDY_ENOMEM. */
int eddy_type_parse(eddy_arena *a, const char *text, size_t len, const eddy_type **out,
                    eddy_err *err);

/* SqlBaseType.canImplicitlyCast plus DecimalUtil.canImplicitlyCast: the same kind (DECIMAL:
 * scale and integer digits both fit), a wider number (INT < BIGINT < DECIMAL < DOUBLE), or
 * STRING to TIME/DATE/TIMESTAMP/BYTES. Composite types: equal types only. Used to match
 * function arguments. */
bool eddy_type_can_implicitly_cast(const eddy_type *from, const eddy_type *to);

/* ksqlDB's DefaultSqlValueCoercer.canCoerce: can values of 'from' be coerced to 'to', and to
 * which type? 'lax' adds the rules for literals (anything primitive to STRING, STRING to
 * BOOLEAN and numbers). INT/BIGINT/DECIMAL to DECIMAL gives the widened DECIMAL (DecimalUtil
 * .widen); ARRAY/MAP coerce element-wise; STRUCT to STRUCT gives the union of the fields.
 * '*out' is the resulting type, or NULL when the coercion is not allowed. Composite results
 * are allocated in 'a'. Errors: EDDY_ENOMEM only. */
int eddy_type_coerce(eddy_arena *a, const eddy_type *from, const eddy_type *to, bool lax,
                     const eddy_type **out, eddy_err *err);

/* The common type of two non-literal expressions (CASE branches, IN lists, ARRAY[...]
 * elements), as CoercionUtil does: coerce 'a' to 'b', else 'b' to 'a' (strict rules). A NULL
 * type on either side gives the other. Errors: EDDY_ETYPE "operator does not exist: A = B",
 * EDDY_ENOMEM. */
int eddy_type_common(eddy_arena *a, const eddy_type *x, const eddy_type *y,
                     const eddy_type **out, eddy_err *err);

/* Result type of 'l' op 'r' for op in "+-*%/" (ksqlDB's Operator.resultType): STRING + STRING
 * is STRING; numbers widen to the wider kind; with a DECIMAL result both sides become
 * DECIMAL (INT as DECIMAL(10, 0), BIGINT as DECIMAL(19, 0)) and SqlDecimal's add/subtract/
 * multiply/divide/modulus precision and scale rules apply. Errors: EDDY_ETYPE
 * ("Unsupported arithmetic types. INTEGER STRING", "Arithmetic on types ... are not
 * supported."), EDDY_ENOMEM. */
int eddy_type_arith(eddy_arena *a, char op, const eddy_type *l, const eddy_type *r,
                    const eddy_type **out, eddy_err *err);

/* ---------------------------------------------------------------------------------------------
 * DECIMAL numbers (common/decimal.c): an exact value unscaled * 10^-scale, |unscaled| < 10^38.
 * Operations follow java.math.BigDecimal as ksqlDB uses it.
 * ------------------------------------------------------------------------------------------- */

typedef struct eddy_decimal {
    __int128 unscaled;
    int32_t scale;    /* >= 0 */
} eddy_decimal;

/* Parse java.math.BigDecimal(String) syntax: [+-]digits[.digits][(e|E)[+-]digits] (also
 * ".5" and "5."), no spaces. Keeps the written scale ("1.50" has scale 2); a negative scale
 * (from an exponent) becomes 0. Errors: EDDY_EINVAL (syntax; like every message here it never
 * quotes the input, since eddy_err holds no row data), EDDY_ERANGE (more than 38 digits or
 * scale above 255). */
int eddy_decimal_parse(const char *s, size_t len, eddy_decimal *out, eddy_err *err);

/* Parse as above, then fit DECIMAL('precision', 'scale') as ksqlDB's DecimalUtil.cast(String):
 * the integer part must be below 10^(precision - scale) (EDDY_ERANGE, "Numeric field
 * overflow: ..."), then the scale is set rounding HALF_UP, or, when 'exact' (DecimalUtil
 * .ensureFit), must not need rounding (EDDY_ERANGE "Cannot fit decimal ..."). Works on inputs
 * of any length. Errors also: EDDY_EINVAL for bad syntax. */
int eddy_decimal_parse_fit(const char *s, size_t len, int precision, int scale, bool exact,
                           eddy_decimal *out, eddy_err *err);

/* Append BigDecimal.toPlainString() ("-0.050", never an exponent) or, for 'java_tostring',
 * BigDecimal.toString() (exponent form "1E-7" when the adjusted exponent is below -6), to
 * 'out'. Errors: EDDY_ENOMEM. */
int eddy_decimal_format(const eddy_decimal *d, bool java_tostring, eddy_buf *out);

/* Numeric comparison across scales (BigDecimal.compareTo): -1, 0 or 1. */
int eddy_decimal_cmp(const eddy_decimal *a, const eddy_decimal *b);

/* Set the scale: HALF_UP rounding when 'round', else exact (EDDY_ERANGE "Rounding
 * necessary" when digits would be lost). EDDY_ERANGE also when the result overflows. */
int eddy_decimal_rescale(const eddy_decimal *d, int scale, bool round, eddy_decimal *out,
                         eddy_err *err);

/* Arithmetic as ksqlDB's generated code does it for a DECIMAL result of type ('precision',
 * 'scale') from eddy_type_arith(): a.op(b, MathContext(precision, UNNECESSARY))
 * .setScale(scale), for op in "+-*%/". The result must be exact: a quotient that would need
 * rounding (1/3) is EDDY_ERANGE "Rounding necessary", as in ksqlDB, where the expression then
 * becomes NULL. Division or remainder by zero: EDDY_ERANGE "Division by zero" ("Division
 * undefined" for 0/0). A result beyond 38 digits: EDDY_ERANGE "Numeric overflow". */
int eddy_decimal_arith(char op, const eddy_decimal *a, const eddy_decimal *b, int precision,
                       int scale, eddy_decimal *out, eddy_err *err);

/* Conversions used by CAST (DecimalUtil.cast): from a long — EDDY_ERANGE "Numeric field
 * overflow" unless |v| < 10^(precision - scale); from a double — rounded to 'precision'
 * significant digits HALF_UP from its exact binary value, checked as above, then scale set
 * HALF_UP (NaN/Infinity: EDDY_EINVAL); from a decimal — checked, then rescaled HALF_UP. */
int eddy_decimal_from_i64(int64_t v, int precision, int scale, eddy_decimal *out,
                          eddy_err *err);
int eddy_decimal_from_double(double v, int precision, int scale, eddy_decimal *out,
                             eddy_err *err);
int eddy_decimal_cast(const eddy_decimal *d, int precision, int scale, eddy_decimal *out,
                      eddy_err *err);
/* BigDecimal.doubleValue() (correctly rounded) and longValue() (fraction truncated, then the
 * low 64 bits, so out-of-range values wrap as Java's do). */
double eddy_decimal_to_double(const eddy_decimal *d);
int64_t eddy_decimal_to_i64(const eddy_decimal *d);

/* ---------------------------------------------------------------------------------------------
 * Java number semantics (common/arith.c)
 * ------------------------------------------------------------------------------------------- */

/* Java int/long arithmetic for op in "+-*%/": + - * wrap on overflow (two's complement),
 * / truncates toward zero, % takes the dividend's sign, MIN / -1 = MIN and MIN % -1 = 0.
 * Division or remainder by zero: EDDY_ERANGE "/ by zero" (java.lang.ArithmeticException;
 * ksqlDB logs it to the processing log and the expression's value becomes NULL). */
int eddy_arith_i32(char op, int32_t a, int32_t b, int32_t *out, eddy_err *err);
int eddy_arith_i64(char op, int64_t a, int64_t b, int64_t *out, eddy_err *err);
/* Java double arithmetic (IEEE 754; % is fmod): never fails, x/0 is ±Infinity or NaN. */
double eddy_arith_f64(char op, double a, double b);

/* Java's Double.toString(d) into 'buf' (at least EDDY_DOUBLE_BUF bytes, NUL-terminated):
 * the shortest digits that read back as 'd', plain for 1e-3 <= |d| < 1e7 ("2.0", "0.001"),
 * else "d.dddE[-]n" ("1.0E-4", "1.0E7"); "NaN", "Infinity", "-Infinity", "-0.0". Returns the
 * length. */
#define EDDY_DOUBLE_BUF 32
int eddy_double_format(double d, char *buf);

/* Java's Double.parseDouble on 's' (leading and trailing characters <= ' ' are ignored, as
 * String.trim): decimal or hexadecimal floating literals, optional f/F/d/D suffix, "NaN",
 * "Infinity" with optional sign. Errors: EDDY_EINVAL "For input string" (the string itself
 * is not quoted). */
int eddy_double_parse(const char *s, size_t len, double *out, eddy_err *err);

/* Java's Integer.parseInt / Long.parseLong on 's': [+-]ASCII digits only, no spaces (callers
 * trim first, as ksqlDB's CAST does). Errors: EDDY_EINVAL "For input string" for syntax or
 * overflow. */
int eddy_i32_parse(const char *s, size_t len, int32_t *out, eddy_err *err);
int eddy_i64_parse(const char *s, size_t len, int64_t *out, eddy_err *err);

/* java.lang.String.trim(): drop leading and trailing bytes <= ' '. Returns the new start and
 * sets '*len'. */
const char *eddy_java_trim(const char *s, size_t *len);

/* ---------------------------------------------------------------------------------------------
 * Values (common/value.c)
 * ------------------------------------------------------------------------------------------- */

/* A value: 24 bytes. 'kind' is the value's type kind (a NULL value may carry its column's
 * kind or EDDY_T_NULL); when 'null' is set nothing else is meaningful. Out-of-line parts
 * (string bytes, elements) are borrowed from the producer (a decoded record, an arena) and
 * never freed one by one: copy with eddy_value_copy() to keep a value longer.
 *   BOOLEAN u.b; INT u.i32; BIGINT and TIMESTAMP u.i64; DATE and TIME u.i32; DOUBLE u.f64;
 *   DECIMAL u.dec (use eddy_value_get_decimal / eddy_value_decimal) with 'scale';
 *   STRING (UTF-8) and BYTES u.str with 'n' bytes, not NUL-terminated;
 *   ARRAY u.items[0..n); STRUCT u.items[0..n) positional in the type's field order;
 *   MAP u.items[0..2n) as key0, value0, key1, value1, ... (keys distinct). */
typedef struct eddy_value {
    uint8_t kind;
    uint8_t null;
    uint8_t scale;     /* DECIMAL */
    uint8_t reserved_;
    uint32_t n;
    union {
        bool b;
        int32_t i32;
        int64_t i64;
        double f64;
        const char *str;
        struct eddy_value *items;
        struct { uint64_t lo; int64_t hi; } dec;
    } u;
} eddy_value;

static inline eddy_value eddy_value_null(eddy_type_kind kind)
{
    eddy_value v; memset(&v, 0, sizeof v); v.kind = (uint8_t)kind; v.null = 1; return v;
}
static inline eddy_value eddy_value_bool(bool b)
{
    eddy_value v = eddy_value_null(EDDY_T_BOOLEAN); v.null = 0; v.u.b = b; return v;
}
static inline eddy_value eddy_value_int(int32_t i)
{
    eddy_value v = eddy_value_null(EDDY_T_INT); v.null = 0; v.u.i32 = i; return v;
}
static inline eddy_value eddy_value_bigint(int64_t i)
{
    eddy_value v = eddy_value_null(EDDY_T_BIGINT); v.null = 0; v.u.i64 = i; return v;
}
static inline eddy_value eddy_value_double(double d)
{
    eddy_value v = eddy_value_null(EDDY_T_DOUBLE); v.null = 0; v.u.f64 = d; return v;
}
static inline eddy_value eddy_value_timestamp(int64_t ms)
{
    eddy_value v = eddy_value_null(EDDY_T_TIMESTAMP); v.null = 0; v.u.i64 = ms; return v;
}
static inline eddy_value eddy_value_date(int32_t days)
{
    eddy_value v = eddy_value_null(EDDY_T_DATE); v.null = 0; v.u.i32 = days; return v;
}
static inline eddy_value eddy_value_time(int32_t ms)
{
    eddy_value v = eddy_value_null(EDDY_T_TIME); v.null = 0; v.u.i32 = ms; return v;
}
/* STRING (or BYTES with eddy_value_bytes) over borrowed bytes. */
static inline eddy_value eddy_value_string(const char *p, size_t len)
{
    eddy_value v = eddy_value_null(EDDY_T_STRING); v.null = 0; v.u.str = p; v.n = (uint32_t)len;
    return v;
}
static inline eddy_value eddy_value_bytes(const void *p, size_t len)
{
    eddy_value v = eddy_value_string((const char *)p, len); v.kind = EDDY_T_BYTES; return v;
}
static inline eddy_value eddy_value_decimal(const eddy_decimal *d)
{
    eddy_value v = eddy_value_null(EDDY_T_DECIMAL); v.null = 0;
    v.scale = (uint8_t)d->scale;
    v.u.dec.lo = (uint64_t)(unsigned __int128)d->unscaled;
    v.u.dec.hi = (int64_t)(d->unscaled >> 64);
    return v;
}
static inline eddy_decimal eddy_value_get_decimal(const eddy_value *v)
{
    eddy_decimal d;
    d.unscaled = (__int128)(((unsigned __int128)(uint64_t)v->u.dec.hi << 64) | v->u.dec.lo);
    d.scale = v->scale;
    return d;
}
/* ARRAY / STRUCT over 'n' borrowed items; MAP over 'n' entries (2n items). */
static inline eddy_value eddy_value_composite(eddy_type_kind kind, eddy_value *items, uint32_t n)
{
    eddy_value v = eddy_value_null(kind); v.null = 0; v.u.items = items; v.n = n; return v;
}

/* Deep copy of 'src' into 'a' (strings, bytes and elements copied): '*dst' stays valid until
 * the arena is reset. 'dst' may be 'src'. Errors: EDDY_ENOMEM. */
int eddy_value_copy(eddy_arena *a, const eddy_value *src, eddy_value *dst, eddy_err *err);

/* Total order for sorting and keys: NULL first; numbers by value across INT/BIGINT/DECIMAL
 * (any scale), DOUBLE against those via its Double.toString decimal (ksqlDB's
 * BigDecimal.valueOf), DOUBLE against DOUBLE as Double.compare (-0.0 < 0.0, NaN last);
 * STRING in UTF-16 code unit order (Java's String.compareTo); BYTES unsigned lexicographic;
 * BOOLEAN false < true; time kinds by their integer; ARRAY and STRUCT element-wise then by
 * length; MAP by size then by entries in key order (so key order in the value is
 * irrelevant). Values of unrelated kinds order by kind. Returns <0, 0 or >0. */
int eddy_value_compare(const eddy_value *a, const eddy_value *b);

/* eddy_value_compare(a, b) == 0, faster. */
bool eddy_value_equal(const eddy_value *a, const eddy_value *b);

/* A hash consistent with eddy_value_equal (equal values, even of different numeric kinds,
 * hash alike; MAP hashing ignores entry order). Stable within a process only: for in-memory
 * tables, never for data on disk or partitioning. */
uint64_t eddy_value_hash(const eddy_value *v);

#define EDDY_CMP_UNORDERED 2  /* a NaN took part: every comparison operator is false */

/* A SQL comparison as ksqlDB's generated code does it (a NULL on either side gives
 * EDDY_CMP_UNORDERED, so `x op NULL` is false; IS DISTINCT FROM is the caller's): numbers
 * after widening (with a DECIMAL on either side both become BigDecimal, a DOUBLE via
 * Double.toString; else long or double comparison, so a NaN gives EDDY_CMP_UNORDERED); STRING
 * with STRING by UTF-16 units; STRING with TIME/DATE/TIMESTAMP by parsing the string; DATE
 * with TIMESTAMP as instants; BOOLEAN, BYTES, ARRAY, MAP, STRUCT (equality only; the caller
 * rejects ordering operators at planning time). '*cmp' gets -1, 0, 1 or EDDY_CMP_UNORDERED.
 * Errors: EDDY_ETYPE for kinds ksqlDB does not compare; EDDY_EINVAL for a string that does not
 * parse as the time kind, or a NaN or infinite DOUBLE compared with a DECIMAL. */
int eddy_value_sql_compare(const eddy_value *a, const eddy_value *b, int *cmp, eddy_err *err);

/* Append a value as Java's String.valueOf(object) prints ksqlDB's value objects: the text of
 * CAST(x AS STRING). 't' is the value's type (needed for STRUCT field names). Top level:
 * BOOLEAN "true", numbers as Integer/Long/Double.toString, DECIMAL toPlainString, TIMESTAMP
 * "2020-01-02T03:04:05.006", DATE "2020-01-02", TIME "03:04" or "03:04:05", STRING as is.
 * Inside ARRAY/MAP/STRUCT, Java's collection forms: "[1, 2]", "{k=v, k2=v2}",
 * "Struct{A=1,B=x}" (null fields omitted), "null" for null elements, DECIMAL via toString,
 * TIMESTAMP as java.sql.Timestamp "2020-01-02 03:04:05.006" (UTC), BYTES as Java prints a
 * ByteBuffer. A NULL value appends "null". Errors: EDDY_ENOMEM. */
int eddy_value_format(const eddy_value *v, const eddy_type *t, eddy_buf *out);

/* Arithmetic on values for op in "+-*%/" with result type 'rt' from eddy_type_arith():
 * operands are widened to 'rt' (DECIMAL result: INT/BIGINT as exact decimals; DOUBLE result:
 * DECIMAL via doubleValue), then Java int/long/double or exact decimal rules apply; STRING +
 * STRING concatenates into 'a'. A NULL operand gives a NULL result. Errors (the caller logs
 * them and uses NULL, as ksqlDB does): EDDY_ERANGE for division by zero and inexact or
 * overflowing DECIMAL results; EDDY_ETYPE for operand kinds 'rt' does not allow;
 * EDDY_ENOMEM. */
int eddy_value_arith(char op, const eddy_value *l, const eddy_value *r, const eddy_type *rt,
                     eddy_arena *a, eddy_value *out, eddy_err *err);

/* Unary minus with Java semantics (INT/BIGINT wrap: -MIN = MIN; DECIMAL exact; DOUBLE
 * IEEE). NULL stays NULL. Errors: EDDY_ETYPE for a non-numeric value. */
int eddy_value_negate(const eddy_value *v, eddy_value *out, eddy_err *err);

/* ---------------------------------------------------------------------------------------------
 * Binary value encoding (common/binval.c): compact, type-directed encodings for state stores
 * ------------------------------------------------------------------------------------------- */

/* Append the compact binary form of 'v' (of type 't') to 'out': a null flag, then zig-zag
 * varints for integers, 8-byte doubles, DECIMAL as scale and minimal two's complement bytes,
 * length-prefixed strings and bytes, ARRAY/MAP/STRUCT recursively with null bitmaps (the
 * format is described in common/binval.c). No type tags: the reader must know 't'. On error
 * 'out' is left as it was. Errors: EDDY_EINVAL (a STRUCT value whose field count differs from
 * its type, an unknown kind), EDDY_ENOMEM. Thread-safe. */
int eddy_binval_encode(const eddy_value *v, const eddy_type *t, eddy_buf *out, eddy_err *err);

/* Decode one value of type 't' from 'p' ('len' bytes) into '*out'; strings and elements are
 * copied into 'a' (the value does not borrow from 'p'). '*used' (may be NULL) receives the
 * bytes consumed, so values can be read one after another. Errors: EDDY_ECORRUPT for
 * truncated or malformed input (never reads past 'len'), EDDY_ENOMEM. */
int eddy_binval_decode(const uint8_t *p, size_t len, const eddy_type *t, eddy_arena *a,
                       eddy_value *out, size_t *used, eddy_err *err);

/* Append an order-preserving key form of 'v' (of type 't') to 'out', for LMDB keys: memcmp
 * order equals eddy_value_compare order between values of one type for BOOLEAN, INT, BIGINT,
 * DOUBLE, DECIMAL, STRING (valid UTF-8, including Java's UTF-16 order), BYTES, TIME, DATE,
 * TIMESTAMP and ARRAY/STRUCT of those; NULL sorts first. MAP keys are equal exactly when the
 * maps are equal (entry order ignored) and sort by size first, but not otherwise by
 * eddy_value_compare. Keys are self-delimiting: several can be concatenated (GROUP BY
 * columns, then a window start) and still sort column by column. Errors: EDDY_ERANGE (a
 * DECIMAL value that does not fit the type's scale exactly), EDDY_EINVAL, EDDY_ENOMEM. */
int eddy_binval_encode_key(const eddy_value *v, const eddy_type *t, eddy_buf *out,
                           eddy_err *err);

/* Decode a key written by eddy_binval_encode_key (the inverse, a MAP in key order), as
 * eddy_binval_decode does. Errors: EDDY_ECORRUPT, EDDY_ENOMEM. */
int eddy_binval_decode_key(const uint8_t *p, size_t len, const eddy_type *t, eddy_arena *a,
                           eddy_value *out, size_t *used, eddy_err *err);

/* ---------------------------------------------------------------------------------------------
 * CAST (common/cast.c): ksqlDB's CastEvaluator matrix
 * ------------------------------------------------------------------------------------------- */

/* Is CAST(x AS 'to') allowed for x of type 'from' (planner check)? Equal types and the NULL
 * type always are; numbers to numbers; BOOLEAN, numbers, ARRAY, MAP, STRUCT, TIMESTAMP, DATE,
 * TIME to STRING; STRING to every primitive; TIMESTAMP to DATE/TIME; DATE to TIMESTAMP;
 * ARRAY/MAP element-wise; STRUCT when the fields present in both cast. */
bool eddy_cast_supported(const eddy_type *from, const eddy_type *to);

/* CAST('v' of type 'from' AS 'to') into '*out'. Strings, elements and DECIMAL bytes of the
 * result live in 'a' (or are borrowed from 'v' when nothing changes). NULL gives a NULL of
 * 'to'. Rules (as ksqlDB): DOUBLE to INT/BIGINT truncates and saturates (NaN is 0), BIGINT to
 * INT and DECIMAL to INT/BIGINT wrap, to DECIMAL checks integer digits then rounds HALF_UP,
 * STRING is trimmed then parsed (Integer.parseInt, Long.parseLong, Double.parseDouble without
 * NaN/Infinity, BigDecimal, booleans: any prefix of "true"/"yes" is true, anything else
 * false; base64 to BYTES; ksqlDB's partial ISO forms for TIMESTAMP/DATE/TIME). Errors:
 * EDDY_ETYPE "Cast of X to Y is not supported"; EDDY_EINVAL / EDDY_ERANGE for a value that
 * does not convert (ksqlDB logs it and yields NULL); EDDY_ENOMEM. */
int eddy_cast(const eddy_value *v, const eddy_type *from, const eddy_type *to, eddy_arena *a,
              eddy_value *out, eddy_err *err);

/* ---------------------------------------------------------------------------------------------
 * Dates and times (common/sqltime.c): proleptic Gregorian calendar, UTC
 * ------------------------------------------------------------------------------------------- */

#define EDDY_MS_PER_DAY 86400000LL

/* Days since 1970-01-01 of a civil date and back (any year that fits; month 1..12). */
int64_t eddy_days_from_civil(int64_t year, int month, int day);
void eddy_civil_from_days(int64_t days, int64_t *year, int *month, int *day);

/* Floor division of a timestamp into days and milliseconds of the day (ms >= 0). */
static inline int64_t eddy_ts_days(int64_t ms)
{
    return ms >= 0 ? ms / EDDY_MS_PER_DAY : -((-ms + EDDY_MS_PER_DAY - 1) / EDDY_MS_PER_DAY);
}

#define EDDY_TIME_BUF 40
/* Formats into 'buf' (EDDY_TIME_BUF bytes), returning the length:
 * eddy_timestamp_format - "yyyy-MM-dd'T'HH:mm:ss.SSS" in UTC (ksqlDB's formatTimestamp);
 * eddy_date_format      - LocalDate.toString ("2020-01-02", "+10000-01-01", "-0001-01-01");
 * eddy_time_format      - LocalTime.ofSecondOfDay(ms / 1000).toString ("03:04", "03:04:05"). */
int eddy_timestamp_format(int64_t ms, char *buf);
int eddy_date_format(int32_t days, char *buf);
int eddy_time_format(int32_t ms, char *buf);

/* ksqlDB's string forms (SqlTimeTypes), on an already trimmed string:
 * eddy_timestamp_parse - "yyyy-MM-dd'T'HH:mm:ss.SSS" with partial dates ("2020", "2020-05")
 *   and partial times ("2020-05-26T10", "...T10:30"), an optional zone "Z", "+02", "+0200",
 *   "-02:00" (PartialStringToTimestampParser); case-insensitive T.
 * eddy_date_parse - "yyyy-MM-dd" with partials "yyyy" and "yyyy-MM" (LocalDate.parse);
 * eddy_time_parse - "HH:mm[:ss[.fraction]]" (LocalTime.parse; fraction truncated to ms).
 * Errors: EDDY_EINVAL "Failed to parse timestamp: ..." etc. with ksqlDB's help text (ksqlDB
 * also quotes the input; eddy_err never holds row data, so callers add it where allowed). */
int eddy_timestamp_parse(const char *s, size_t len, int64_t *out, eddy_err *err);
int eddy_date_parse(const char *s, size_t len, int32_t *out, eddy_err *err);
int eddy_time_parse(const char *s, size_t len, int32_t *out, eddy_err *err);

#endif /* EDDY_COMMON_H */
