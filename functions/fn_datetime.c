/*
 * functions/fn_datetime.c - datetime functions.
 */
#include "functions_int.h"

static const fn_scalar fns[] = {
    {.name = NULL},
};

const fn__table fn__datetime_table = {fns, 0};
