#ifndef QUIVER_CBLAS_SHIM_H
#define QUIVER_CBLAS_SHIM_H
// OpenBLAS's CBLAS header. On Debian/Ubuntu, `pkg-config openblas` adds its include directory
// (e.g. /usr/include/x86_64-linux-gnu/openblas-pthread); without pkg-config the
// `cblas.h` alternative in the multiarch include directory is found instead.
#include <cblas.h>
#endif
