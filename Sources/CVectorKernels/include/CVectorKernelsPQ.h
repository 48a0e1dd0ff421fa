#ifndef QUIVER_CVECTORKERNELS_PQ_H
#define QUIVER_CVECTORKERNELS_PQ_H

/// Product-quantization kernels: sub-space distance tables, nearest centroid, and the
/// asymmetric-distance (ADC) lookup-and-sum. Each entry point picks AVX-512, AVX2+FMA or
/// portable C once (from cpuid) and calls it; compiled with function target attributes, no flags.
///
/// Centroid tables are *transposed*: `ct[t * k + c]` is coordinate t of centroid c, for
/// t < dsub and c < k; `k` must be a multiple of 16.

/// out[c] = sum_t (ct[t*k + c] - x[t])^2 for c < k.
void qv_pq_l2_table(const float *x, const float *ct, long k, long dsub, float *out);

/// out[c] = -sum_t ct[t*k + c] * x[t] for c < k (a negated inner product: lower is nearer).
void qv_pq_ip_table(const float *x, const float *ct, long k, long dsub, float *out);

/// The index of the smallest of values[0..<k] (the lowest index among equal values);
/// its value is stored in *best. k must be a multiple of 16.
long qv_pq_argmin(const float *values, long k, float *best);

/// The index of the centroid nearest to x (squared L2; the lowest index among ties), its
/// squared distance stored in *best: qv_pq_l2_table followed by qv_pq_argmin, fused.
long qv_pq_nearest(const float *x, const float *ct, long k, long dsub, float *best);

/// sum_j table[j*256 + code[j]] for j < m: the ADC distance of one code. `code` may be unaligned.
float qv_adc_distance(const float *table, const unsigned char *code, long m);

/// The cosine ADC distance: (Σ_j table[j*256 + code[j]]) / sqrt(Σ_j norms[j*256 + code[j]]), the
/// negated-inner-product table divided by the reconstruction's length (its squared norm from
/// `norms`, a table of centroid squared norms); the plain sum when that norm is zero.
float qv_adc_cosine(const float *table, const float *norms, const unsigned char *code, long m);

/// out[i] = qv_adc_distance(table, codes + i*m, m) for i < n.
void qv_adc_distances(const float *table, const unsigned char *codes, long m, long n, float *out);

/// 0: portable C, 2: AVX2+FMA, 3: AVX-512F — the path the PQ kernels use on this CPU.
int qv_pq_level(void);

#endif
