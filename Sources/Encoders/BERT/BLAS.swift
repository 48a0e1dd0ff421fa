#if canImport(Accelerate)
import Accelerate
#elseif canImport(CBLAS)
import CBLAS
#endif

/// A thin wrapper over the platform's single-precision matrix product (`cblas_sgemm`):
/// Accelerate on Apple platforms, OpenBLAS on Linux.
enum BLAS {
    /// `c = alpha · a · op(b) + beta · c` for row-major matrices, where `op(b)` is `b` or `bᵀ`.
    ///
    /// `a` is `m × k` with row stride `lda`; `b` is `k × n` (or `n × k` when `transposeB`)
    /// with row stride `ldb`; `c` is `m × n` with row stride `ldc`. Strides larger than the
    /// row width address column blocks of wider matrices (one attention head's columns).
    static func multiply(
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int, transposeB: Bool,
        beta: Float = 0,
        c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        guard m > 0, n > 0 else { return }
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k),
            alpha, a, Int32(lda), b, Int32(ldb),
            beta, c, Int32(ldc)
        )
    }
}
