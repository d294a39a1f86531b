// platform/heap_tuning.cpp — mallopt() settings (see heap_tuning.h).
#include "platform/heap_tuning.h"

#include <malloc.h>

namespace cw::platform {

void keep_freed_heap_memory() {
  ::mallopt(M_TRIM_THRESHOLD, 256 << 20);
  ::mallopt(M_TOP_PAD, 16 << 20);
  ::mallopt(M_MMAP_THRESHOLD, 32 << 20);
}

}  // namespace cw::platform
