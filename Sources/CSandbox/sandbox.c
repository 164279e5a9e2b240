#include "mlgym_sandbox.h"
