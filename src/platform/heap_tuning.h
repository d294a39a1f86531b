// platform/heap_tuning.h — glibc malloc settings for the pipeline's busy processes (collector,
// simulate). By default glibc returns freed memory at the top of the heap to the kernel (brk)
// and serves big blocks with mmap/munmap; every such unmap is a TLB shoot-down across CPUs,
// which on the project's VMs cost more CPU than the work itself. Keeping freed memory costs only
// the process's peak heap.
#pragma once

namespace cw::platform {

// Call once at startup, before threads start: freed memory stays in the process (trim threshold
// 256 MiB) and blocks under 32 MiB come from the heap rather than from their own mmap.
void keep_freed_heap_memory();

}  // namespace cw::platform
