#include "CVectorKernels.h"
#include "CVectorKernelsPQ.h"
#include <math.h>

// ---- portable C (any architecture; SSE2/NEON by auto-vectorisation at best)

static void l2_table_portable(const float *x, const float *ct, long k, long dsub, float *out) {
    for (long c = 0; c < k; c++) out[c] = 0;
    for (long t = 0; t < dsub; t++) {
        const float *row = ct + t * k;
        float xt = x[t];
        for (long c = 0; c < k; c++) { float d = row[c] - xt; out[c] += d * d; }
    }
}

static void ip_table_portable(const float *x, const float *ct, long k, long dsub, float *out) {
    for (long c = 0; c < k; c++) out[c] = 0;
    for (long t = 0; t < dsub; t++) {
        const float *row = ct + t * k;
        float xt = x[t];
        for (long c = 0; c < k; c++) out[c] += row[c] * xt;
    }
    for (long c = 0; c < k; c++) out[c] = -out[c];
}

static long argmin_portable(const float *v, long k, float *best) {
    long index = 0;
    float value = v[0];
    for (long c = 1; c < k; c++) if (v[c] < value) { value = v[c]; index = c; }
    *best = value;
    return index;
}

static float adc_cosine_portable(const float *table, const float *norms, const unsigned char *code, long m) {
    float dot = 0, norm = 0;
    for (long j = 0; j < m; j++) {
        dot += table[j * 256 + code[j]];
        norm += norms[j * 256 + code[j]];
    }
    return norm > 0 ? dot / sqrtf(norm) : dot;
}

static float adc_portable(const float *table, const unsigned char *code, long m) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    long j = 0;
    for (; j + 4 <= m; j += 4) {
        s0 += table[(j + 0) * 256 + code[j + 0]];
        s1 += table[(j + 1) * 256 + code[j + 1]];
        s2 += table[(j + 2) * 256 + code[j + 2]];
        s3 += table[(j + 3) * 256 + code[j + 3]];
    }
    for (; j < m; j++) s0 += table[j * 256 + code[j]];
    return (s0 + s1) + (s2 + s3);
}

#if defined(__x86_64__)
#include <immintrin.h>

// ---- AVX2 + FMA

__attribute__((target("avx2,fma")))
static void l2_table_avx2(const float *x, const float *ct, long k, long dsub, float *out) {
    for (long c = 0; c < k; c += 16) {
        __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
        for (long t = 0; t < dsub; t++) {
            __m256 xt = _mm256_set1_ps(x[t]);
            __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(ct + t * k + c), xt);
            __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(ct + t * k + c + 8), xt);
            a0 = _mm256_fmadd_ps(d0, d0, a0);
            a1 = _mm256_fmadd_ps(d1, d1, a1);
        }
        _mm256_storeu_ps(out + c, a0);
        _mm256_storeu_ps(out + c + 8, a1);
    }
}

__attribute__((target("avx2,fma")))
static void ip_table_avx2(const float *x, const float *ct, long k, long dsub, float *out) {
    for (long c = 0; c < k; c += 16) {
        __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
        for (long t = 0; t < dsub; t++) {
            __m256 xt = _mm256_set1_ps(x[t]);
            a0 = _mm256_fmadd_ps(_mm256_loadu_ps(ct + t * k + c), xt, a0);
            a1 = _mm256_fmadd_ps(_mm256_loadu_ps(ct + t * k + c + 8), xt, a1);
        }
        __m256 zero = _mm256_setzero_ps();
        _mm256_storeu_ps(out + c, _mm256_sub_ps(zero, a0));
        _mm256_storeu_ps(out + c + 8, _mm256_sub_ps(zero, a1));
    }
}

__attribute__((target("avx2,fma")))
static long argmin_avx2(const float *v, long k, float *best) {
    __m256 bestValue = _mm256_loadu_ps(v);
    __m256i bestIndex = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    __m256i index = bestIndex;
    const __m256i step = _mm256_set1_epi32(8);
    for (long c = 8; c < k; c += 8) {
        index = _mm256_add_epi32(index, step);
        __m256 value = _mm256_loadu_ps(v + c);
        __m256 less = _mm256_cmp_ps(value, bestValue, _CMP_LT_OQ);
        bestValue = _mm256_blendv_ps(bestValue, value, less);
        bestIndex = _mm256_castps_si256(_mm256_blendv_ps(
            _mm256_castsi256_ps(bestIndex), _mm256_castsi256_ps(index), less));
    }
    float values[8];
    int indices[8];
    _mm256_storeu_ps(values, bestValue);
    _mm256_storeu_si256((__m256i *)indices, bestIndex);
    long resultIndex = indices[0];
    float result = values[0];
    for (int i = 1; i < 8; i++) {
        if (values[i] < result || (values[i] == result && indices[i] < resultIndex)) {
            result = values[i];
            resultIndex = indices[i];
        }
    }
    *best = result;
    return resultIndex;
}

__attribute__((target("avx2,fma")))
static float adc_cosine_avx2(const float *table, const float *norms, const unsigned char *code, long m) {
    __m256 d0 = _mm256_setzero_ps(), n0 = _mm256_setzero_ps();
    __m256i offsets = _mm256_setr_epi32(0, 256, 512, 768, 1024, 1280, 1536, 1792);
    long j = 0;
    for (; j + 8 <= m; j += 8) {
        __m256i bytes = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(code + j)));
        __m256i idx = _mm256_add_epi32(bytes, offsets);
        d0 = _mm256_add_ps(d0, _mm256_i32gather_ps(table + j * 256, idx, 4));
        n0 = _mm256_add_ps(n0, _mm256_i32gather_ps(norms + j * 256, idx, 4));
    }
    float lanes[8], normLanes[8];
    _mm256_storeu_ps(lanes, d0);
    _mm256_storeu_ps(normLanes, n0);
    float dot = 0, norm = 0;
    for (int i = 0; i < 8; i++) { dot += lanes[i]; norm += normLanes[i]; }
    for (; j < m; j++) { dot += table[j * 256 + code[j]]; norm += norms[j * 256 + code[j]]; }
    return norm > 0 ? dot / sqrtf(norm) : dot;
}

__attribute__((target("avx2,fma")))
static float adc_avx2(const float *table, const unsigned char *code, long m) {
    __m256 s0 = _mm256_setzero_ps();
    __m256i offsets = _mm256_setr_epi32(0, 256, 512, 768, 1024, 1280, 1536, 1792);
    long j = 0;
    for (; j + 8 <= m; j += 8) {
        __m256i bytes = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(code + j)));
        __m256i idx = _mm256_add_epi32(bytes, offsets);
        s0 = _mm256_add_ps(s0, _mm256_i32gather_ps(table + j * 256, idx, 4));
    }
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(s0), _mm256_extractf128_ps(s0, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    float sum = _mm_cvtss_f32(s);
    for (; j < m; j++) sum += table[j * 256 + code[j]];
    return sum;
}

// ---- AVX-512F

__attribute__((target("avx512f")))
static void l2_table_avx512(const float *x, const float *ct, long k, long dsub, float *out) {
    for (long c = 0; c < k; c += 16) {
        __m512 a = _mm512_setzero_ps();
        for (long t = 0; t < dsub; t++) {
            __m512 d = _mm512_sub_ps(_mm512_loadu_ps(ct + t * k + c), _mm512_set1_ps(x[t]));
            a = _mm512_fmadd_ps(d, d, a);
        }
        _mm512_storeu_ps(out + c, a);
    }
}

__attribute__((target("avx512f")))
static void ip_table_avx512(const float *x, const float *ct, long k, long dsub, float *out) {
    for (long c = 0; c < k; c += 16) {
        __m512 a = _mm512_setzero_ps();
        for (long t = 0; t < dsub; t++) a = _mm512_fmadd_ps(_mm512_loadu_ps(ct + t * k + c), _mm512_set1_ps(x[t]), a);
        _mm512_storeu_ps(out + c, _mm512_sub_ps(_mm512_setzero_ps(), a));
    }
}

__attribute__((target("avx512f")))
static long argmin_avx512(const float *v, long k, float *best) {
    __m512 bestValue = _mm512_loadu_ps(v);
    __m512i bestIndex = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    __m512i index = bestIndex;
    const __m512i step = _mm512_set1_epi32(16);
    for (long c = 16; c < k; c += 16) {
        index = _mm512_add_epi32(index, step);
        __m512 value = _mm512_loadu_ps(v + c);
        __mmask16 less = _mm512_cmp_ps_mask(value, bestValue, _CMP_LT_OQ);
        bestValue = _mm512_mask_blend_ps(less, bestValue, value);
        bestIndex = _mm512_mask_blend_epi32(less, bestIndex, index);
    }
    float values[16];
    int indices[16];
    _mm512_storeu_ps(values, bestValue);
    _mm512_storeu_si512((void *)indices, bestIndex);
    long resultIndex = indices[0];
    float result = values[0];
    for (int i = 1; i < 16; i++) {
        if (values[i] < result || (values[i] == result && indices[i] < resultIndex)) {
            result = values[i];
            resultIndex = indices[i];
        }
    }
    *best = result;
    return resultIndex;
}

__attribute__((target("avx512f")))
static long nearest_avx512(const float *x, const float *ct, long k, long dsub, float *best) {
    __m512 bestValue = _mm512_set1_ps(__builtin_inff());
    __m512i bestIndex = _mm512_setzero_si512();
    __m512i index = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const __m512i step = _mm512_set1_epi32(16);
    for (long c = 0; c < k; c += 16) {
        __m512 a = _mm512_setzero_ps();
        for (long t = 0; t < dsub; t++) {
            __m512 d = _mm512_sub_ps(_mm512_loadu_ps(ct + t * k + c), _mm512_set1_ps(x[t]));
            a = _mm512_fmadd_ps(d, d, a);
        }
        __mmask16 less = _mm512_cmp_ps_mask(a, bestValue, _CMP_LT_OQ);
        bestValue = _mm512_mask_blend_ps(less, bestValue, a);
        bestIndex = _mm512_mask_blend_epi32(less, bestIndex, index);
        index = _mm512_add_epi32(index, step);
    }
    float value = _mm512_reduce_min_ps(bestValue);
    __mmask16 at = _mm512_cmp_ps_mask(bestValue, _mm512_set1_ps(value), _CMP_EQ_OQ);
    *best = value;
    return _mm512_mask_reduce_min_epi32(at, bestIndex);
}

__attribute__((target("avx512f")))
static float adc_cosine_avx512(const float *table, const float *norms, const unsigned char *code, long m) {
    __m512 d0 = _mm512_setzero_ps(), n0 = _mm512_setzero_ps();
    __m512i offsets = _mm512_setr_epi32(0, 256, 512, 768, 1024, 1280, 1536, 1792,
                                        2048, 2304, 2560, 2816, 3072, 3328, 3584, 3840);
    long j = 0;
    for (; j + 16 <= m; j += 16) {
        __m512i bytes = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(code + j)));
        __m512i idx = _mm512_add_epi32(bytes, offsets);
        d0 = _mm512_add_ps(d0, _mm512_i32gather_ps(idx, table + j * 256, 4));
        n0 = _mm512_add_ps(n0, _mm512_i32gather_ps(idx, norms + j * 256, 4));
    }
    float dot = _mm512_reduce_add_ps(d0), norm = _mm512_reduce_add_ps(n0);
    for (; j < m; j++) { dot += table[j * 256 + code[j]]; norm += norms[j * 256 + code[j]]; }
    return norm > 0 ? dot / sqrtf(norm) : dot;
}

__attribute__((target("avx512f")))
static float adc_avx512(const float *table, const unsigned char *code, long m) {
    __m512 s0 = _mm512_setzero_ps();
    __m512i offsets = _mm512_setr_epi32(0, 256, 512, 768, 1024, 1280, 1536, 1792,
                                        2048, 2304, 2560, 2816, 3072, 3328, 3584, 3840);
    long j = 0;
    for (; j + 16 <= m; j += 16) {
        __m512i bytes = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(code + j)));
        __m512i idx = _mm512_add_epi32(bytes, offsets);
        s0 = _mm512_add_ps(s0, _mm512_i32gather_ps(idx, table + j * 256, 4));
    }
    float sum = _mm512_reduce_add_ps(s0);
    for (; j < m; j++) sum += table[j * 256 + code[j]];
    return sum;
}

static int pq_level(void) {
    static int level = -1;
    int current = __atomic_load_n(&level, __ATOMIC_RELAXED);
    if (current < 0) {
        current = qv_cpu_level();
        __atomic_store_n(&level, current, __ATOMIC_RELAXED);
    }
    return current;
}

#define DISPATCH(name, ...) \
    switch (pq_level()) { \
    case 3: return name##_avx512(__VA_ARGS__); \
    case 2: return name##_avx2(__VA_ARGS__); \
    default: return name##_portable(__VA_ARGS__); \
    }

#define DISPATCH_VOID(name, ...) \
    switch (pq_level()) { \
    case 3: name##_avx512(__VA_ARGS__); return; \
    case 2: name##_avx2(__VA_ARGS__); return; \
    default: name##_portable(__VA_ARGS__); return; \
    }

#else

static int pq_level(void) { return 0; }
#define DISPATCH(name, ...) return name##_portable(__VA_ARGS__);
#define DISPATCH_VOID(name, ...) name##_portable(__VA_ARGS__);

#endif

int qv_pq_level(void) { return pq_level(); }

static long nearest_portable(const float *x, const float *ct, long k, long dsub, float *best) {
    float table[1024];
    if (k > 1024) {
        *best = 0;
        return 0;
    }
    qv_pq_l2_table(x, ct, k, dsub, table);
    return qv_pq_argmin(table, k, best);
}

long qv_pq_nearest(const float *x, const float *ct, long k, long dsub, float *best) {
#if defined(__x86_64__)
    if (pq_level() == 3) return nearest_avx512(x, ct, k, dsub, best);
#endif
    return nearest_portable(x, ct, k, dsub, best);
}

void qv_pq_l2_table(const float *x, const float *ct, long k, long dsub, float *out) { DISPATCH_VOID(l2_table, x, ct, k, dsub, out) }
void qv_pq_ip_table(const float *x, const float *ct, long k, long dsub, float *out) { DISPATCH_VOID(ip_table, x, ct, k, dsub, out) }
long qv_pq_argmin(const float *values, long k, float *best) { DISPATCH(argmin, values, k, best) }
float qv_adc_distance(const float *table, const unsigned char *code, long m) { DISPATCH(adc, table, code, m) }

float qv_adc_cosine(const float *table, const float *norms, const unsigned char *code, long m) {
    DISPATCH(adc_cosine, table, norms, code, m)
}

void qv_adc_distances(const float *table, const unsigned char *codes, long m, long n, float *out) {
    for (long i = 0; i < n; i++) out[i] = qv_adc_distance(table, codes + i * m, m);
}
