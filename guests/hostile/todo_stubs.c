#include "hostile.h"
int desc_run(void) { return 1; }
