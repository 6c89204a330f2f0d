/*
 * err.c - eddy_err: the one error record every fallible call fills in.
 *
 * Only the first error is kept (like SQLite's Parse.zErrMsg): the innermost failure usually
 * says the most, and callers on the way out may add nothing that hides it.
 */
#include "eddy/common.h"

#include <errno.h>
#include <stdio.h>

void eddy_err_clear(eddy_err *err)
{
    if (!err)
        return;
    err->code = 0;
    err->line = err->col = 0;
    err->msg[0] = '\0';
}

static int vset(eddy_err *err, int code, int line, int col, const char *fmt, va_list ap)
{
    if (!err || err->code != 0)
        return code;
    err->code = code;
    err->line = line;
    err->col = col;
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    return code;
}

int eddy_err_set(eddy_err *err, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vset(err, code, 0, 0, fmt, ap);
    va_end(ap);
    return code;
}

int eddy_err_set_at(eddy_err *err, int code, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vset(err, code, line, col, fmt, ap);
    va_end(ap);
    return code;
}

int eddy_err_sys(eddy_err *err, const char *fmt, ...)
{
    int saved = errno;
    int code = saved == ENOMEM ? EDDY_ENOMEM : EDDY_EIO;
    if (!err || err->code != 0)
        return code;
    va_list ap;
    va_start(ap, fmt);
    vset(err, code, 0, 0, fmt, ap);
    va_end(ap);
    size_t n = strlen(err->msg);
    snprintf(err->msg + n, sizeof err->msg - n, ": %s", strerror(saved));
    return code;
}

const char *eddy_strerror(int code)
{
    switch (code) {
    case EDDY_OK: return "success";
    case EDDY_EINVAL: return "invalid argument";
    case EDDY_ENOMEM: return "out of memory";
    case EDDY_EIO: return "I/O error";
    case EDDY_ENOTFOUND: return "not found";
    case EDDY_EEXIST: return "already exists";
    case EDDY_ECORRUPT: return "corrupt data";
    case EDDY_ESEQUENCE: return "out of order sequence number";
    case EDDY_EFENCED: return "invalid producer epoch";
    case EDDY_ETOOLARGE: return "message too large";
    case EDDY_ETIMEOUT: return "timed out";
    case EDDY_EPARSE: return "syntax error";
    case EDDY_ETYPE: return "type error";
    case EDDY_ERANGE: return "out of range";
    case EDDY_ECLOSED: return "closed";
    case EDDY_EUNSUPPORTED: return "unsupported";
    default: return "unknown error";
    }
}
