/*
 * functions/fn_collections.c - collections functions.
 */
#include "functions_int.h"

static const fn_scalar fns[] = {
    {.name = NULL},
};

const fn__table fn__collections_table = {fns, 0};
