#ifndef CLIBDEFLATE_SHIM_H
#define CLIBDEFLATE_SHIM_H

// libdeflate (whole-buffer DEFLATE, zlib and gzip) for Swift: the chunk decoder inflates HDF5's
// deflate chunks with it, and falls back to zlib for anything it does not accept.

#include <libdeflate.h>

#endif
