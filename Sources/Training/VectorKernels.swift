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

// Piecewise-linear activations, eight lanes at a time with explicit loops (a closure-taking
// helper would not be inlined into the loop and would cost a call per eight values).
extension VectorKernels {
    /// `y = x < 0 ? 0 : x` (ReLU; NaN stays NaN).
    @usableFromInline
    static func relu(_ n: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        let zero = SIMD8<Float>()
        var i = 0
        while i + 8 <= n {
            let v = load(x + i)
            store(v.replacing(with: zero, where: v .< zero), y + i)
            i += 8
        }
        while i < n {
            let v = x[i]
            y[i] = v < 0 ? 0 : v
            i += 1
        }
    }

    /// `dx = out > 0 ? dy : 0` (ReLU's backward from its output).
    @usableFromInline
    static func reluBackward(_ n: Int, _ out: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                             _ dx: UnsafeMutablePointer<Float>) {
        let zero = SIMD8<Float>()
        var i = 0
        while i + 8 <= n {
            let g = load(dy + i)
            store(g.replacing(with: zero, where: .!(load(out + i) .> zero)), dx + i)
            i += 8
        }
        while i < n {
            dx[i] = out[i] > 0 ? dy[i] : 0
            i += 1
        }
    }

    /// `y = x > 0 ? x : slope·x` (LeakyReLU, PReLU, RReLU in evaluation).
    @usableFromInline
    static func leaky(_ n: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ slope: Float) {
        let zero = SIMD8<Float>()
        var i = 0
        while i + 8 <= n {
            let v = load(x + i)
            store((v * slope).replacing(with: v, where: v .> zero), y + i)
            i += 8
        }
        while i < n {
            let v = x[i]
            y[i] = v > 0 ? v : v * slope
            i += 1
        }
    }

    /// `dx = x > 0 ? dy : slope·dy`.
    @usableFromInline
    static func leakyBackward(_ n: Int, _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                              _ dx: UnsafeMutablePointer<Float>, _ slope: Float) {
        let zero = SIMD8<Float>()
        var i = 0
        while i + 8 <= n {
            let g = load(dy + i)
            store((g * slope).replacing(with: g, where: load(x + i) .> zero), dx + i)
            i += 8
        }
        while i < n {
            dx[i] = x[i] > 0 ? dy[i] : dy[i] * slope
            i += 1
        }
    }

    /// `y = x < low ? low : (x > high ? high : x)` (Hardtanh, ReLU6).
    @usableFromInline
    static func clamp(_ n: Int, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                      _ low: Float, _ high: Float) {
        let lowVector = SIMD8<Float>(repeating: low), highVector = SIMD8<Float>(repeating: high)
        var i = 0
        while i + 8 <= n {
            let v = load(x + i)
            store(v.replacing(with: lowVector, where: v .< lowVector).replacing(with: highVector, where: v .> highVector),
                  y + i)
            i += 8
        }
        while i < n {
            let v = x[i]
            y[i] = v < low ? low : (v > high ? high : v)
            i += 1
        }
    }

    /// `dx = (x ≤ low || x ≥ high) ? 0 : dy`.
    @usableFromInline
    static func clampBackward(_ n: Int, _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                              _ dx: UnsafeMutablePointer<Float>, _ low: Float, _ high: Float) {
        let lowVector = SIMD8<Float>(repeating: low), highVector = SIMD8<Float>(repeating: high)
        let zero = SIMD8<Float>()
        var i = 0
        while i + 8 <= n {
            let v = load(x + i)
            store(load(dy + i).replacing(with: zero, where: (v .<= lowVector) .| (v .>= highVector)), dx + i)
            i += 8
        }
        while i < n {
            let v = x[i]
            dx[i] = (v <= low || v >= high) ? 0 : dy[i]
            i += 1
        }
    }
}
