#if canImport(Accelerate)
import Accelerate
#elseif canImport(CBLAS)
import CBLAS
#endif

/// The BLAS library behind the neural encoders' matrix products, and its threading.
///
/// On Linux this is OpenBLAS, which runs each large matrix product on its own thread pool
/// (`OPENBLAS_NUM_THREADS`, default: all processors). The encoders run better with
/// single-threaded BLAS and their own parallelism over batches (on a 2-core machine about
/// 190 sentences/s instead of 165 for all-MiniLM-L6-v2), so an encoder runs one batch at a
/// time whenever BLAS is multi-threaded, to avoid oversubscribing the cores. An application
/// that does not use BLAS itself can call ``setThreadCount(_:)`` with 1 once at start-up
/// (or set `OPENBLAS_NUM_THREADS=1`) to let the encoders parallelise.
///
/// On Apple platforms this is Accelerate, which manages its own threads.
public enum LinearAlgebra {
    /// A description of the BLAS library, e.g. `"OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY SkylakeX MAX_THREADS=64"`.
    ///
    /// With OpenBLAS the kernel family (`SkylakeX`, `Haswell`, `Prescott`…) is the one chosen
    /// for this CPU at start-up; `Prescott` on a recent CPU means OpenBLAS did not recognise it
    /// and fell back to slow SSE3 kernels: set `OPENBLAS_CORETYPE` (e.g. `SkylakeX` or
    /// `Haswell`) in the environment.
    public static var backend: String {
        #if canImport(Accelerate)
        return "Accelerate"
        #elseif canImport(CBLAS)
        guard let config = openblas_get_config() else { return "OpenBLAS" }
        return String(cString: config)
        #else
        return "none"
        #endif
    }

    /// How many threads BLAS uses for one matrix product (`nil` when the library does not say).
    public static var threadCount: Int? {
        #if canImport(Accelerate)
        return nil
        #elseif canImport(CBLAS)
        return Int(openblas_get_num_threads())
        #else
        return nil
        #endif
    }

    /// Sets how many threads BLAS uses for one matrix product, for the whole process
    /// (no effect with Accelerate).
    public static func setThreadCount(_ count: Int) {
        #if canImport(CBLAS) && !canImport(Accelerate)
        openblas_set_num_threads(Int32(Swift.max(1, count)))
        #endif
    }
}
