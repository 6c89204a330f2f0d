/*
 * functions/fn_table.c - table functions.
 */
#include "functions_int.h"

const fn_table fn__table_fns[] = {{.name = NULL}};
const int fn__ntable_fns = 0;
