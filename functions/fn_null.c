/*
 * functions/fn_null.c - null functions.
 */
#include "functions_int.h"

static const fn_scalar fns[] = {
    {.name = NULL},
};

const fn__table fn__null_table = {fns, 0};
