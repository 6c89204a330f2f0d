/*
 * functions/fn_lambda.c - lambda functions.
 */
#include "functions_int.h"

static const fn_scalar fns[] = {
    {.name = NULL},
};

const fn__table fn__lambda_table = {fns, 0};
