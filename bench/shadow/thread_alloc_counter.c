// Counts heap allocations per thread of the process it is preloaded into (LD_PRELOAD), for
// bench/shadow: which allocations the event loops (NIO-*) make per request and which the shadow
// worker (hotswap-shadow) makes per copy. Like bench/grpc/alloc_counter.c, every allocator entry
// point goes through glibc's own after one relaxed atomic increment — here on the calling
// thread's counter, whose name is read (prctl PR_GET_NAME) every 1024 allocations. At exit,
// every thread with more than 1000 allocations is written to $ALLOC_COUNT_FILE as
// "name<TAB>count" lines. Build: gcc -O2 -shared -fPIC -o thread_alloc_counter.so
// thread_alloc_counter.c; divide a loop thread's count by the requests wrk reports.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);
#define SLOTS 512
static struct { char name[16]; atomic_ulong count; } slots[SLOTS];
static atomic_int used;
static __thread int mine = -1;
static __thread unsigned long tick;
static void counted(void) {
  if (mine < 0) { mine = atomic_fetch_add(&used, 1); if (mine >= SLOTS) mine = SLOTS - 1; }
  if ((tick++ & 1023) == 0) prctl(PR_GET_NAME, slots[mine].name, 0, 0, 0);
  atomic_fetch_add_explicit(&slots[mine].count, 1, memory_order_relaxed);
}
void *malloc(size_t s) { counted(); return __libc_malloc(s); }
void *calloc(size_t c, size_t s) { counted(); return __libc_calloc(c, s); }
void *realloc(void *p, size_t s) { counted(); return __libc_realloc(p, s); }
void *memalign(size_t a, size_t s) { counted(); return __libc_memalign(a, s); }
void *aligned_alloc(size_t a, size_t s) { counted(); return __libc_memalign(a, s); }
int posix_memalign(void **r, size_t a, size_t s) { counted(); void *p = __libc_memalign(a, s); if (!p) return ENOMEM; *r = p; return 0; }
__attribute__((destructor)) static void report(void) {
  const char *path = getenv("ALLOC_COUNT_FILE"); if (!path) return;
  FILE *f = fopen(path, "w"); if (!f) return;
  int n = atomic_load(&used); if (n > SLOTS) n = SLOTS;
  for (int i = 0; i < n; i++) if (slots[i].count > 1000) fprintf(f, "%s\t%lu\n", slots[i].name, (unsigned long)slots[i].count);
  fclose(f);
}
