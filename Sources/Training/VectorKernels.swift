// The inner loops every matrix operation and optimizer shares: contiguous `Float` runs, eight
// lanes at a time with `SIMD8<Float>` (unaligned loads and stores), a scalar tail. No bounds
// checks, no allocation. Separate multiplies and adds (no `addingProduct`): without an FMA
// target feature a fused multiply-add becomes a library call per lane.

/// Raw-pointer vector kernels behind ``Matrix`` operations and the optimizers.
@usableFromInline
enum VectorKernels {
    @inline(__always) @usableFromInline
    static func load(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Float>.self)
    }

    @inline(__always) @usableFromInline
    static func store(_ value: SIMD8<Float>, _ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD8<Float>.self)
    }

    /// `y[0..<n] += a * x[0..<n]`.
    @inline(__always) @usableFromInline
    static func axpy(_ n: Int, _ a: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        let av = SIMD8<Float>(repeating: a)
        var j = 0
        while j + 8 <= n {
            store(load(y + j) + av * load(x + j), y + j)
            j += 8
        }
        while j < n {
            y[j] += a * x[j]
            j += 1
        }
    }

    /// `Σ x[k] · y[k]` over `0..<n`, with two vector accumulators.
    @inline(__always) @usableFromInline
    static func dot(_ n: Int, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>) -> Float {
        var acc0 = SIMD8<Float>()
        var acc1 = SIMD8<Float>()
        var k = 0
        while k + 16 <= n {
            acc0 += load(x + k) * load(y + k)
            acc1 += load(x + k + 8) * load(y + k + 8)
            k += 16
        }
        if k + 8 <= n {
            acc0 += load(x + k) * load(y + k)
            k += 8
        }
        var total = (acc0 + acc1).sum()
        while k < n {
            total += x[k] * y[k]
            k += 1
        }
        return total
    }

    /// `y[0..<n] += x[0..<n]`.
    @inline(__always) @usableFromInline
    static func add(_ n: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        var j = 0
        while j + 8 <= n {
            store(load(y + j) + load(x + j), y + j)
            j += 8
        }
        while j < n {
            y[j] += x[j]
            j += 1
        }
    }

    /// `y[0..<n] = x[0..<n]`.
    @inline(__always) @usableFromInline
    static func copy(_ n: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        y.update(from: x, count: n)
    }

    /// `y[0..<n] *= a`.
    @inline(__always) @usableFromInline
    static func scale(_ n: Int, _ a: Float, _ y: UnsafeMutablePointer<Float>) {
        let av = SIMD8<Float>(repeating: a)
        var j = 0
        while j + 8 <= n {
            store(load(y + j) * av, y + j)
            j += 8
        }
        while j < n {
            y[j] *= a
            j += 1
        }
    }
}

extension VectorKernels {
    /// `y[i] = f(x[i])`, eight lanes at a time with `vector`, the tail with `scalar`; the two
    /// must compute the same thing lane by lane.
    @inline(__always) @usableFromInline
    static func map(_ n: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                    vector: (SIMD8<Float>) -> SIMD8<Float>, scalar: (Float) -> Float) {
        var i = 0
        while i + 8 <= n {
            store(vector(load(x + i)), y + i)
            i += 8
        }
        while i < n {
            y[i] = scalar(x[i])
            i += 1
        }
    }

    /// `z[i] = f(x[i], y[i])`, eight lanes at a time with `vector`, the tail with `scalar`.
    @inline(__always) @usableFromInline
    static func map(_ n: Int, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ z: UnsafeMutablePointer<Float>,
                    vector: (SIMD8<Float>, SIMD8<Float>) -> SIMD8<Float>, scalar: (Float, Float) -> Float) {
        var i = 0
        while i + 8 <= n {
            store(vector(load(x + i), load(y + i)), z + i)
            i += 8
        }
        while i < n {
            z[i] = scalar(x[i], y[i])
            i += 1
        }
    }
}
