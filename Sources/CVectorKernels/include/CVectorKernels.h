#ifndef QUIVER_CVECTORKERNELS_H
#define QUIVER_CVECTORKERNELS_H

/// Distance kernels compiled for AVX2+FMA and AVX-512 with function target attributes
/// (no compiler flags), selected at run time from what the CPU supports.
/// `b` may be unaligned. On other architectures these return -1 from qv_cpu_level and
/// the Swift SIMD kernels are used instead.

/// 0: no accelerated kernel; 2: AVX2+FMA; 3: AVX-512F.
int qv_cpu_level(void);

float qv_dot_avx2(const float *a, const void *b, long count);
float qv_l2sq_avx2(const float *a, const void *b, long count);
float qv_dot_avx512(const float *a, const void *b, long count);
float qv_l2sq_avx512(const float *a, const void *b, long count);
/// Four distances from `a` to b0…b3 into out[0…3], bit-identical to four calls of the single kernel.
void qv_dot4_avx512(const float *a, const void *b0, const void *b1, const void *b2, const void *b3, long count, float *out);
void qv_l2sq4_avx512(const float *a, const void *b0, const void *b1, const void *b2, const void *b3, long count, float *out);

/// SQ8 distance from float `a` to an 8-bit record `code` (see SQ8Layout.swift): the record holds
/// two little-endian floats, `scale` and `bias`, then `count` int8 components c[i]; the result
/// is bias + scale · Σ a[i]·c[i] (the metric is folded into scale and bias when encoding).
float qv_sq8_avx512(const float *a, const void *code, long count);
float qv_sq8_avx2(const float *a, const void *code, long count);
/// Four SQ8 distances from `a` into out[0…3], each equal to the single AVX-512 kernel's.
void qv_sq8x4_avx512(const float *a, const void *c0, const void *c1, const void *c2, const void *c3, long count, float *out);

/// Asks the CPU to start loading the `lines` 64-byte cache lines at `p` (a hint; never faults).
/// Graph search issues it for the vectors it is about to compare, as hnswlib does, so the
/// loads of one vector overlap the arithmetic on the previous one.
static inline void qv_prefetch(const void *p, int lines) {
    const char *c = (const char *)p;
    for (int i = 0; i < lines; i++) __builtin_prefetch(c + 64 * i, 0, 3);
}

// Product-quantization kernels (k-means, distance tables, ADC lookup-and-sum).
#include "CVectorKernelsPQ.h"

#endif
