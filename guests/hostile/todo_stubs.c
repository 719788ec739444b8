#include "hostile.h"
int wrap_run(void) { return 1; }
int pages_run(void) { return 1; }
int desc_run(void) { return 1; }
int smc_run(void) { return 1; }
int rep_run(void) { return 1; }
