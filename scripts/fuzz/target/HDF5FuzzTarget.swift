// libFuzzer entry point over the package's HDF5 reading path (Sources/Datasets), built by
// scripts/fuzz/libfuzzer together with the Datasets sources into one instrumented executable.
// Each input is written to a temporary file and read the way datatool reads files: open,
// list every object and attribute, then features and labels (top-level and nested paths) as
// shapes, a few rows, all rows, and a labelled dataset. Errors are expected; crashes, sanitizer
// reports, timeouts and huge allocations are what libFuzzer reports.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The per-process temporary file the inputs go to (on tmpfs when there is one).
private let inputPath: String = {
    var info = stat()
    let folder = stat("/dev/shm", &info) == 0 ? "/dev/shm" : "/tmp"
    return "\(folder)/hdf5-libfuzzer-\(getpid()).h5"
}()

/// Writes `size` bytes to `inputPath`; false when the file cannot be written.
private func writeInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Bool {
    let descriptor = open(inputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    var offset = 0
    while offset < size {
        let written = write(descriptor, data + offset, size - offset)
        if written <= 0 { return false }
        offset += written
    }
    return true
}

/// Reads the file at `path` every way datatool does; every error is swallowed.
private func exercise(path: String) {
    guard let file = try? HDF5File(path: path) else { return }
    _ = try? file.objects()
    _ = try? file.rootAttributes()
    for (features, labels) in [("/features", "/labels"), ("/data/train/x", "/data/train/y")] {
        if let shape = try? file.featureShape(at: features) {
            _ = try? file.readFeatures(at: features, rows: 0..<min(shape.rowCount, 8))
            _ = try? file.readFeatures(at: features, rowList: [shape.rowCount - 1, 0, shape.rowCount / 2])
            _ = try? file.readFeatures(at: features)
        }
        if let count = try? file.labelCount(at: labels) {
            _ = try? file.readLabels(at: labels, rows: (count - 1)..<count)
        }
        _ = try? loadLabels(path: path, labelsPath: labels)
        _ = try? loadLabelledDataset(path: path, featuresPath: features, labelsPath: labels)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func hdf5FuzzTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0, writeInput(data, size) else { return 0 }
    exercise(path: inputPath)
    return 0
}
