/*
 * functions/fn_math.c - math functions.
 */
#include "functions_int.h"

static const fn_scalar fns[] = {
    {.name = NULL},
};

const fn__table fn__math_table = {fns, 0};
