/*
 * functions/fn_json.c - json functions.
 */
#include "functions_int.h"

static const fn_scalar fns[] = {
    {.name = NULL},
};

const fn__table fn__json_table = {fns, 0};
