/*
 * functions/fn_url.c - url functions.
 */
#include "functions_int.h"

static const fn_scalar fns[] = {
    {.name = NULL},
};

const fn__table fn__url_table = {fns, 0};
