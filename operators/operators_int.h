/*
 * operators_int.h - private to operators/: helpers every operator kind shares
 * (defined in op_stateless.c).
 */
#ifndef EDDY_OPERATORS_INT_H
#define EDDY_OPERATORS_INT_H

#include "eddy/operators.h"

/* Report a row-level problem to the task's processing log under the operator's name. */
void op__log(op *self, const eddy_err *e);

/* Set up an evaluation context for 'self' over its batch arena, with 'nvars' lambda variable
 * slots (allocated in that arena); expression errors go to op__log. */
void op__fn_ctx(op *self, fn_ctx *f, int nvars);

/* The close of operators that own nothing but their own struct. */
void op__free(op *o);

#endif /* EDDY_OPERATORS_INT_H */
