/* placeholder main until cli lands */
#include <stdio.h>
int main(void) { fprintf(stderr, "eddy: not built yet\n"); return 2; }
