/*
 * functions/fn_other.c - other functions.
 */
#include "functions_int.h"

static const fn_scalar fns[] = {
    {.name = NULL},
};

const fn__table fn__other_table = {fns, 0};
