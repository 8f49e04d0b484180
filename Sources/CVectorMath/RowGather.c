// Row gathering for in-memory features (declared in include/CVectorMath.h).
#include "CVectorMath.h"

#include <string.h>

// Rows are requested this many indices ahead of the one being copied.
static const size_t cvm_prefetch_distance = 8;
// Bytes of a requested row (from its start): enough to start its address translation and
// its first cache lines; the hardware's streamer follows the rest of a long row.
static const size_t cvm_prefetch_bytes = 256;

void cvm_gather_rows(const float *source, size_t dimension, const intptr_t *rows, size_t count,
                     float *destination) {
    const size_t bytes = dimension * sizeof(float);
    const size_t ahead = bytes < cvm_prefetch_bytes ? bytes : cvm_prefetch_bytes;
    const size_t prefetched = count > cvm_prefetch_distance ? count - cvm_prefetch_distance : 0;
    size_t i = 0;
    for (; i < prefetched; i++) {
        const char *next = (const char *)(source + (size_t)rows[i + cvm_prefetch_distance] * dimension);
        for (size_t offset = 0; offset < ahead; offset += 64) __builtin_prefetch(next + offset, 0, 3);
        memcpy(destination + i * dimension, source + (size_t)rows[i] * dimension, bytes);
    }
    for (; i < count; i++) {
        memcpy(destination + i * dimension, source + (size_t)rows[i] * dimension, bytes);
    }
}
