// The vector kernels are header-only (static inline functions in include/CVectorMath.h); the
// functions declared there without a body are in the other files of this folder.
#include "CVectorMath.h"
