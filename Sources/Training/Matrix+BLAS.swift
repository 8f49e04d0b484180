// The BLAS behind the large matrix products: OpenBLAS (through the `CBLAS` system library) on
// Linux, Accelerate on macOS. Our own kernels in `ProductKernels` keep the small shapes, where a
// library call costs more than it saves (see ``ProductBackend/forShape(m:n:k:)``).

#if canImport(Accelerate)
import Accelerate
#elseif canImport(CBLAS)
import CBLAS
#endif

/// Which code computes a product.
package enum ProductBackend: Sendable, CaseIterable {
    /// The register-blocked kernels of `ProductKernels`.
    case ownKernels
    /// `cblas_sgemm` (OpenBLAS or Accelerate).
    case blas

    /// Whether this build has a BLAS to call.
    package static var blasIsAvailable: Bool {
        #if canImport(Accelerate) || canImport(CBLAS)
        return true
        #else
        return false
        #endif
    }

    /// The backend for `C[m, n] = op(A)·op(B)` over a shared dimension `k`.
    ///
    /// A BLAS call checks its arguments and packs its operands into blocks before it
    /// multiplies, which pays for itself only when there is some work to spread that over.
    /// Measured on one thread (OpenBLAS 0.3.21 with its AVX-512 kernels against ours on the
    /// x86-64 baseline, `datatool-bench --crossover`): our kernels are faster at 4×4×4
    /// (1.3–1.8×) and 8×8×8 (up to 1.5×), the two are about even from 500 to 2,000
    /// multiply-adds, and BLAS is faster from there on: 2–2.5× at 16×16×16, 2–16× on the
    /// 2-100-3 network's products, 5–15× on an embedding classifier's. The 2-100-3 Adam step
    /// takes 10–15% less CPU time through BLAS than through our kernels alone.
    package static func forShape(m: Int, n: Int, k: Int) -> ProductBackend {
        guard blasIsAvailable else { return .ownKernels }
        return m * n * k >= minimumMultiplyAdds ? .blas : .ownKernels
    }

    /// Below this many multiply-adds our kernels are faster.
    static let minimumMultiplyAdds = 1_000
}

/// `C = op(A)·op(B) + β·C` through `cblas_sgemm`, row-major, leading dimensions the rows'
/// lengths. `a` is `[m, k]` (`[k, m]` when `transposeA`), `b` is `[k, n]` (`[n, k]` when
/// `transposeB`), `c` is `[m, n]`. With more than one product thread, a large product is split
/// into bands of rows of `C`, one per thread (``ProductThreads``); each band is computed by the
/// same one-thread `sgemm` over the same shared dimension, so the result is the same.
@inline(__always)
func blasMultiply(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                  a: UnsafePointer<Float>, b: UnsafePointer<Float>, beta: Float, c: UnsafeMutablePointer<Float>) {
    #if canImport(Accelerate) || canImport(CBLAS)
    _ = BLASThreads.configured
    let lda = max(1, transposeA ? m : k)
    let ldb = max(1, transposeB ? k : n)
    let ldc = max(1, n)
    func band(_ rows: Range<Int>) {
        // Rows r of C come from rows r of A, or columns r of A when it is transposed.
        let aBand = transposeA ? a + rows.lowerBound : a + rows.lowerBound * lda
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(rows.count), Int32(n), Int32(k), 1, aBand, Int32(lda), b, Int32(ldb), beta,
                    c + rows.lowerBound * ldc, Int32(ldc))
    }
    let bands = BLASThreads.splitsProducts ? ProductThreads.shared.bands(m: m, n: n, k: k) : 1
    if bands == 1 {
        band(0..<m)
    } else {
        ProductThreads.shared.run(parts: bands) { part in
            band(ProductThreads.rows(of: part, bands: bands, m: m))
        }
    }
    #else
    preconditionFailure("this build has no BLAS; ProductBackend.forShape never picks it")
    #endif
}

/// OpenBLAS runs on one thread, always; more product threads are ours (``ProductThreads``).
enum BLASThreads {
    /// Set to one thread the first time a product calls BLAS (OpenBLAS would otherwise start
    /// one thread per core, or take `OPENBLAS_NUM_THREADS`, at load time, and its threads
    /// busy-wait between calls).
    static let configured: Bool = {
        #if !canImport(Accelerate) && canImport(CBLAS)
        openblas_set_num_threads(1)
        #endif
        return true
    }()

    /// Whether large products are split over ``ProductThreads`` (OpenBLAS); Accelerate
    /// threads its own products.
    static var splitsProducts: Bool {
        #if !canImport(Accelerate) && canImport(CBLAS)
        return true
        #else
        return false
        #endif
    }
}

extension Matrix {
    /// The number of threads that share a large product, or `nil` where the BLAS library
    /// decides for itself (Accelerate on macOS).
    ///
    /// One by default on Linux, whatever `OPENBLAS_NUM_THREADS` says: training keeps a core
    /// for the batch prefetcher. Small products run on the calling thread in our own kernels.
    public static var productThreadCount: Int? {
        BLASThreads.splitsProducts ? ProductThreads.shared.count : nil
    }

    /// Sets the number of threads that share a large product (one by default).
    ///
    /// A product of 2²² multiply-adds or more is split into bands of rows, one per thread: the
    /// calling thread and workers that sleep between products (OpenBLAS's own threads would
    /// busy-wait between the products of a training step and take the core the batch
    /// prefetcher needs; it stays on one thread). One product at a time is split; products
    /// called from other threads meanwhile run on their own thread. On macOS Accelerate
    /// chooses its own threads and this call only checks `count`.
    ///
    /// - Parameter count: Threads, at least 1.
    /// - Throws: ``LayerError/invalidSize(name:value:)`` for a count below 1.
    public static func setProductThreadCount(_ count: Int) throws {
        guard count >= 1 else { throw LayerError.invalidSize(name: "product thread count", value: count) }
        ProductThreads.shared.setCount(count)
    }
}
