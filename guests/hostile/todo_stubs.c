#include "hostile.h"
int pages_run(void) { return 1; }
int desc_run(void) { return 1; }
int smc_run(void) { return 1; }
