/*
 * functions/fn_string.c - string functions.
 */
#include "functions_int.h"

static const fn_scalar fns[] = {
    {.name = NULL},
};

const fn__table fn__string_table = {fns, 0};
