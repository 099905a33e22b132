#ifndef HOTSWAP_CINOTIFYTOOLS_SHIM_H
#define HOTSWAP_CINOTIFYTOOLS_SHIM_H
#include <inotifytools/inotifytools.h>
#include <inotifytools/inotify.h>
#endif
