#ifndef CBLAS_SHIM_H
#define CBLAS_SHIM_H

// OpenBLAS's CBLAS interface for Swift on Linux (macOS uses Accelerate instead). The include
// path comes from pkg-config `openblas`; on Debian it points at the variant the alternatives
// system selects (`openblas-pthread` by default), whose `cblas.h` also declares
// `openblas_set_num_threads` and `openblas_get_num_threads`.

#include <cblas.h>

#endif
