#include "CVectorKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

int qv_cpu_level(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return 3;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 2;
    return 0;
}

__attribute__((target("avx2,fma")))
static inline float hsum256(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

__attribute__((target("avx2,fma")))
float qv_dot_avx2(const float *a, const void *bv, long n) {
    const float *b = (const float *)bv;
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps(), s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
    long i = 0;
    for (; i + 32 <= n; i += 32) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
        s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), s2);
        s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), s3);
    }
    for (; i + 8 <= n; i += 8) s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
    float sum = hsum256(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
    for (; i < n; i++) sum += a[i] * b[i];
    return sum;
}

__attribute__((target("avx2,fma")))
float qv_l2sq_avx2(const float *a, const void *bv, long n) {
    const float *b = (const float *)bv;
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps(), s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
    long i = 0;
    for (; i + 32 <= n; i += 32) {
        __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
        __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8));
        __m256 d2 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16));
        __m256 d3 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24));
        s0 = _mm256_fmadd_ps(d0, d0, s0);
        s1 = _mm256_fmadd_ps(d1, d1, s1);
        s2 = _mm256_fmadd_ps(d2, d2, s2);
        s3 = _mm256_fmadd_ps(d3, d3, s3);
    }
    for (; i + 8 <= n; i += 8) {
        __m256 d = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
        s0 = _mm256_fmadd_ps(d, d, s0);
    }
    float sum = hsum256(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
    for (; i < n; i++) { float d = a[i] - b[i]; sum += d * d; }
    return sum;
}

__attribute__((target("avx512f")))
float qv_dot_avx512(const float *a, const void *bv, long n) {
    const float *b = (const float *)bv;
    __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
    long i = 0;
    for (; i + 32 <= n; i += 32) {
        s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
        s1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16), s1);
    }
    for (; i + 16 <= n; i += 16) s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
    float sum = _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
    for (; i < n; i++) sum += a[i] * b[i];
    return sum;
}

__attribute__((target("avx512f")))
float qv_l2sq_avx512(const float *a, const void *bv, long n) {
    const float *b = (const float *)bv;
    __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
    long i = 0;
    for (; i + 32 <= n; i += 32) {
        __m512 d0 = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
        __m512 d1 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16));
        s0 = _mm512_fmadd_ps(d0, d0, s0);
        s1 = _mm512_fmadd_ps(d1, d1, s1);
    }
    for (; i + 16 <= n; i += 16) {
        __m512 d = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
        s0 = _mm512_fmadd_ps(d, d, s0);
    }
    float sum = _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
    for (; i < n; i++) { float d = a[i] - b[i]; sum += d * d; }
    return sum;
}

// Four distances from one query at once (faiss's distances_batch_4): the four vectors' loads
// stream side by side, so a search waiting on memory has four misses in flight instead of one.
// Each vector's sum is accumulated in exactly the order of the single kernel above, so the
// results are bit-identical to four calls of it.
__attribute__((target("avx512f")))
void qv_dot4_avx512(const float *a, const void *v0, const void *v1, const void *v2, const void *v3, long n, float *out) {
    const float *b0 = (const float *)v0, *b1 = (const float *)v1, *b2 = (const float *)v2, *b3 = (const float *)v3;
    __m512 x0 = _mm512_setzero_ps(), y0 = _mm512_setzero_ps(), x1 = _mm512_setzero_ps(), y1 = _mm512_setzero_ps();
    __m512 x2 = _mm512_setzero_ps(), y2 = _mm512_setzero_ps(), x3 = _mm512_setzero_ps(), y3 = _mm512_setzero_ps();
    long i = 0;
    for (; i + 32 <= n; i += 32) {
        __m512 q0 = _mm512_loadu_ps(a + i), q1 = _mm512_loadu_ps(a + i + 16);
        x0 = _mm512_fmadd_ps(q0, _mm512_loadu_ps(b0 + i), x0);
        x1 = _mm512_fmadd_ps(q0, _mm512_loadu_ps(b1 + i), x1);
        x2 = _mm512_fmadd_ps(q0, _mm512_loadu_ps(b2 + i), x2);
        x3 = _mm512_fmadd_ps(q0, _mm512_loadu_ps(b3 + i), x3);
        y0 = _mm512_fmadd_ps(q1, _mm512_loadu_ps(b0 + i + 16), y0);
        y1 = _mm512_fmadd_ps(q1, _mm512_loadu_ps(b1 + i + 16), y1);
        y2 = _mm512_fmadd_ps(q1, _mm512_loadu_ps(b2 + i + 16), y2);
        y3 = _mm512_fmadd_ps(q1, _mm512_loadu_ps(b3 + i + 16), y3);
    }
    for (; i + 16 <= n; i += 16) {
        __m512 q0 = _mm512_loadu_ps(a + i);
        x0 = _mm512_fmadd_ps(q0, _mm512_loadu_ps(b0 + i), x0);
        x1 = _mm512_fmadd_ps(q0, _mm512_loadu_ps(b1 + i), x1);
        x2 = _mm512_fmadd_ps(q0, _mm512_loadu_ps(b2 + i), x2);
        x3 = _mm512_fmadd_ps(q0, _mm512_loadu_ps(b3 + i), x3);
    }
    float s0 = _mm512_reduce_add_ps(_mm512_add_ps(x0, y0)), s1 = _mm512_reduce_add_ps(_mm512_add_ps(x1, y1));
    float s2 = _mm512_reduce_add_ps(_mm512_add_ps(x2, y2)), s3 = _mm512_reduce_add_ps(_mm512_add_ps(x3, y3));
    for (; i < n; i++) {
        s0 += a[i] * b0[i];
        s1 += a[i] * b1[i];
        s2 += a[i] * b2[i];
        s3 += a[i] * b3[i];
    }
    out[0] = s0; out[1] = s1; out[2] = s2; out[3] = s3;
}

__attribute__((target("avx512f")))
void qv_l2sq4_avx512(const float *a, const void *v0, const void *v1, const void *v2, const void *v3, long n, float *out) {
    const float *b0 = (const float *)v0, *b1 = (const float *)v1, *b2 = (const float *)v2, *b3 = (const float *)v3;
    __m512 x0 = _mm512_setzero_ps(), y0 = _mm512_setzero_ps(), x1 = _mm512_setzero_ps(), y1 = _mm512_setzero_ps();
    __m512 x2 = _mm512_setzero_ps(), y2 = _mm512_setzero_ps(), x3 = _mm512_setzero_ps(), y3 = _mm512_setzero_ps();
    long i = 0;
    for (; i + 32 <= n; i += 32) {
        __m512 q0 = _mm512_loadu_ps(a + i), q1 = _mm512_loadu_ps(a + i + 16);
        __m512 d;
        d = _mm512_sub_ps(q0, _mm512_loadu_ps(b0 + i)); x0 = _mm512_fmadd_ps(d, d, x0);
        d = _mm512_sub_ps(q0, _mm512_loadu_ps(b1 + i)); x1 = _mm512_fmadd_ps(d, d, x1);
        d = _mm512_sub_ps(q0, _mm512_loadu_ps(b2 + i)); x2 = _mm512_fmadd_ps(d, d, x2);
        d = _mm512_sub_ps(q0, _mm512_loadu_ps(b3 + i)); x3 = _mm512_fmadd_ps(d, d, x3);
        d = _mm512_sub_ps(q1, _mm512_loadu_ps(b0 + i + 16)); y0 = _mm512_fmadd_ps(d, d, y0);
        d = _mm512_sub_ps(q1, _mm512_loadu_ps(b1 + i + 16)); y1 = _mm512_fmadd_ps(d, d, y1);
        d = _mm512_sub_ps(q1, _mm512_loadu_ps(b2 + i + 16)); y2 = _mm512_fmadd_ps(d, d, y2);
        d = _mm512_sub_ps(q1, _mm512_loadu_ps(b3 + i + 16)); y3 = _mm512_fmadd_ps(d, d, y3);
    }
    for (; i + 16 <= n; i += 16) {
        __m512 q0 = _mm512_loadu_ps(a + i);
        __m512 d;
        d = _mm512_sub_ps(q0, _mm512_loadu_ps(b0 + i)); x0 = _mm512_fmadd_ps(d, d, x0);
        d = _mm512_sub_ps(q0, _mm512_loadu_ps(b1 + i)); x1 = _mm512_fmadd_ps(d, d, x1);
        d = _mm512_sub_ps(q0, _mm512_loadu_ps(b2 + i)); x2 = _mm512_fmadd_ps(d, d, x2);
        d = _mm512_sub_ps(q0, _mm512_loadu_ps(b3 + i)); x3 = _mm512_fmadd_ps(d, d, x3);
    }
    float s0 = _mm512_reduce_add_ps(_mm512_add_ps(x0, y0)), s1 = _mm512_reduce_add_ps(_mm512_add_ps(x1, y1));
    float s2 = _mm512_reduce_add_ps(_mm512_add_ps(x2, y2)), s3 = _mm512_reduce_add_ps(_mm512_add_ps(x3, y3));
    for (; i < n; i++) {
        float d0 = a[i] - b0[i], d1 = a[i] - b1[i], d2 = a[i] - b2[i], d3 = a[i] - b3[i];
        s0 += d0 * d0;
        s1 += d1 * d1;
        s2 += d2 * d2;
        s3 += d3 * d3;
    }
    out[0] = s0; out[1] = s1; out[2] = s2; out[3] = s3;
}

// SQ8: 16 int8 components widened to floats.
__attribute__((target("avx512f")))
static inline __m512 qv_i8x16(const signed char *p) {
    return _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *)p)));
}

static inline float qv_sq8_finish(const void *code, float sum) {
    float scale, bias;
    __builtin_memcpy(&scale, code, 4);
    __builtin_memcpy(&bias, (const char *)code + 4, 4);
    return bias + scale * sum;
}

// One accumulator per 16 lanes, summed as the four-at-once kernel sums, so both give the same value.
__attribute__((target("avx512f")))
float qv_sq8_avx512(const float *a, const void *code, long n) {
    const signed char *c = (const signed char *)code + 8;
    __m512 x = _mm512_setzero_ps();
    long i = 0;
    for (; i + 16 <= n; i += 16) x = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), qv_i8x16(c + i), x);
    float s = _mm512_reduce_add_ps(x);
    for (; i < n; i++) s += a[i] * (float)c[i];
    return qv_sq8_finish(code, s);
}

__attribute__((target("avx512f")))
void qv_sq8x4_avx512(const float *a, const void *v0, const void *v1, const void *v2, const void *v3, long n, float *out) {
    const signed char *c0 = (const signed char *)v0 + 8, *c1 = (const signed char *)v1 + 8;
    const signed char *c2 = (const signed char *)v2 + 8, *c3 = (const signed char *)v3 + 8;
    __m512 x0 = _mm512_setzero_ps(), x1 = _mm512_setzero_ps(), x2 = _mm512_setzero_ps(), x3 = _mm512_setzero_ps();
    long i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512 q = _mm512_loadu_ps(a + i);
        x0 = _mm512_fmadd_ps(q, qv_i8x16(c0 + i), x0);
        x1 = _mm512_fmadd_ps(q, qv_i8x16(c1 + i), x1);
        x2 = _mm512_fmadd_ps(q, qv_i8x16(c2 + i), x2);
        x3 = _mm512_fmadd_ps(q, qv_i8x16(c3 + i), x3);
    }
    float s0 = _mm512_reduce_add_ps(x0), s1 = _mm512_reduce_add_ps(x1);
    float s2 = _mm512_reduce_add_ps(x2), s3 = _mm512_reduce_add_ps(x3);
    for (; i < n; i++) {
        s0 += a[i] * (float)c0[i];
        s1 += a[i] * (float)c1[i];
        s2 += a[i] * (float)c2[i];
        s3 += a[i] * (float)c3[i];
    }
    out[0] = qv_sq8_finish(v0, s0);
    out[1] = qv_sq8_finish(v1, s1);
    out[2] = qv_sq8_finish(v2, s2);
    out[3] = qv_sq8_finish(v3, s3);
}

__attribute__((target("avx2,fma")))
float qv_sq8_avx2(const float *a, const void *code, long n) {
    const signed char *c = (const signed char *)code + 8;
    __m256 x = _mm256_setzero_ps(), y = _mm256_setzero_ps();
    long i = 0;
    for (; i + 16 <= n; i += 16) {
        __m128i w = _mm_loadu_si128((const __m128i *)(c + i));
        x = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(w)), x);
        y = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(w, 8))), y);
    }
    float s = hsum256(_mm256_add_ps(x, y));
    for (; i < n; i++) s += a[i] * (float)c[i];
    return qv_sq8_finish(code, s);
}

#else

int qv_cpu_level(void) { return 0; }
float qv_dot_avx2(const float *a, const void *b, long n) { (void)a; (void)b; (void)n; return 0; }
float qv_l2sq_avx2(const float *a, const void *b, long n) { (void)a; (void)b; (void)n; return 0; }
float qv_dot_avx512(const float *a, const void *b, long n) { (void)a; (void)b; (void)n; return 0; }
float qv_l2sq_avx512(const float *a, const void *b, long n) { (void)a; (void)b; (void)n; return 0; }
float qv_sq8_avx512(const float *a, const void *c, long n) { (void)a; (void)c; (void)n; return 0; }
float qv_sq8_avx2(const float *a, const void *c, long n) { (void)a; (void)c; (void)n; return 0; }
void qv_sq8x4_avx512(const float *a, const void *c0, const void *c1, const void *c2, const void *c3, long n, float *out) {
    (void)a; (void)c0; (void)c1; (void)c2; (void)c3; (void)n; (void)out;
}
void qv_dot4_avx512(const float *a, const void *b0, const void *b1, const void *b2, const void *b3, long n, float *out) {
    (void)a; (void)b0; (void)b1; (void)b2; (void)b3; (void)n; (void)out;
}
void qv_l2sq4_avx512(const float *a, const void *b0, const void *b1, const void *b2, const void *b3, long n, float *out) {
    (void)a; (void)b0; (void)b1; (void)b2; (void)b3; (void)n; (void)out;
}

#endif
