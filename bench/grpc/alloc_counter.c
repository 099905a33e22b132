// Counts heap allocations of the process it is preloaded into (LD_PRELOAD), for
// bench/grpc/bench_grpc.py --allocations: malloc, calloc, realloc and the aligned allocators go
// through glibc's own entry points after one relaxed atomic increment; at exit the count is
// written to $ALLOC_COUNT_FILE. (Debian 12's valgrind cannot run Swift 6 binaries: it cannot read
// their DWARF 5 debug information, and stripped of it, it crashes in libdispatch's start-up.)
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);

static atomic_ulong allocations;

static inline void counted(void) { atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed); }

void *malloc(size_t size) {
  counted();
  return __libc_malloc(size);
}

void *calloc(size_t count, size_t size) {
  counted();
  return __libc_calloc(count, size);
}

void *realloc(void *pointer, size_t size) {
  counted();
  return __libc_realloc(pointer, size);
}

void *memalign(size_t alignment, size_t size) {
  counted();
  return __libc_memalign(alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size) {
  counted();
  return __libc_memalign(alignment, size);
}

int posix_memalign(void **result, size_t alignment, size_t size) {
  counted();
  void *pointer = __libc_memalign(alignment, size);
  if (pointer == NULL) return ENOMEM;
  *result = pointer;
  return 0;
}

__attribute__((destructor)) static void write_count(void) {
  const char *path = getenv("ALLOC_COUNT_FILE");
  if (path == NULL) return;
  int file = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (file < 0) return;
  char text[32];
  int length = snprintf(text, sizeof text, "%lu\n", atomic_load(&allocations));
  if (length > 0) (void)!write(file, text, (size_t)length);
  close(file);
}
