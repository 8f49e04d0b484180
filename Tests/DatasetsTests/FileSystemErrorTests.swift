import CHDF5
import Foundation
import Testing
@testable import Datasets

#if canImport(Glibc)
import Glibc
#endif

/// Operating-system failures under libhdf5 read as one short line: libhdf5's error stacks
/// are captured from real failures and mapped.
@Suite struct FileSystemErrorTests {
    /// libhdf5's error stack after `H5Fcreate` of `path` (truncating) and closing it, or `nil`
    /// when both succeeded.
    static func stackAfterCreating(_ path: String) -> String? {
        HDF5Library.run { () -> String? in
            let id = H5Fcreate(path, chdf5_f_acc_trunc(), chdf5_p_default(), chdf5_p_default())
            guard id >= 0 else { return HDF5Library.errorStackSummary() }
            // The superblock is written when the file is flushed and closed.
            let flushed = H5Fflush(id, H5F_SCOPE_GLOBAL)
            let closed = H5Fclose(id)
            return flushed < 0 || closed < 0 ? HDF5Library.errorStackSummary() : nil
        }
    }

    @Test func aFullDeviceUnderLibhdf5IsNoSpaceLeft() throws {
        // /dev/full accepts the open and fails every write with ENOSPC.
        let stack = try #require(Self.stackAfterCreating("/dev/full"), "writing to /dev/full should fail")
        #expect(stack.contains("errno = \(ENOSPC)"), "libhdf5's stack names the system error: \(stack)")
        let mapped = try #require(FileSystemError.reported(inErrorStack: stack, path: "/dev/full"))
        #expect(mapped == .system(path: "/dev/full", code: ENOSPC, writing: false))
        #expect(mapped.description == "no space left on device reading /dev/full")
        let written = FileSystemError.asWriteFailure(mapped, path: "/data/s.h5", existed: true)
        #expect("\(written)" == "no space left on device writing /data/s.h5; the existing file is unchanged")
        let fresh = FileSystemError.asWriteFailure(mapped, path: "/data/s.h5", existed: false)
        #expect("\(fresh)" == "no space left on device writing /data/s.h5; no file was created")
    }

    @Test func aSystemErrorUsersCannotActOnStaysALibraryFailure() throws {
        // A missing folder: libhdf5 reports errno 2 (ENOENT), which is not one of ours.
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-\(UUID().uuidString)/x.h5").path
        let stack = try #require(Self.stackAfterCreating(missing))
        #expect(stack.contains("errno = \(ENOENT)"), "\(stack)")
        #expect(FileSystemError.reported(inErrorStack: stack, path: missing) == nil)
        #expect(FileSystemError.reported(inErrorStack: "no system error here", path: missing) == nil)
        // Through the library's own check, it stays an HDF5Error carrying the stack.
        let error = HDF5Library.run { () -> any Error in
            _ = H5Fcreate(missing, chdf5_f_acc_trunc(), chdf5_p_default(), chdf5_p_default())
            return HDF5Library.failure(file: missing, operation: "creating")
        }
        guard case .library(missing, "creating", let reason)? = error as? HDF5Error else {
            Issue.record("expected HDF5Error.library, got \(error)")
            return
        }
        #expect(reason.contains("errno = \(ENOENT)"))
    }

    @Test(.enabled(if: TemporaryMount.isAvailable, "mounting a tmpfs needs root and mount(8)"))
    func aReadOnlyFileSystemUnderLibhdf5IsNamed() throws {
        let mount = try TemporaryMount(options: "size=64k")
        defer { mount.remove() }
        try mount.remount("ro")
        let path = mount.path + "/x.h5"
        let stack = try #require(Self.stackAfterCreating(path))
        #expect(stack.contains("errno = \(EROFS)"), "\(stack)")
        let mapped = try #require(FileSystemError.reported(inErrorStack: stack, path: path))
        #expect(mapped == .system(path: path, code: EROFS, writing: false))
        // The writer's own check of the folder comes first and says the same.
        expectError(FileSystemError.cannotWrite(path: path, reason: "folder \(mount.path) is on a read-only file system")) {
            try writeLabelledDataset(try SpiralSpecification(counts: [3, 3], noise: 0, seed: 0).generate(), to: path)
        }
    }

    @Test(.enabled(if: TemporaryMount.isAvailable, "mounting a tmpfs needs root and mount(8)"))
    func aFullDiskKeepsTheExistingFileAndSaysSo() throws {
        let mount = try TemporaryMount(options: "size=64k")
        defer { mount.remove() }
        let path = mount.path + "/s.h5"
        let small = try SpiralSpecification(counts: [50, 50], noise: 0, seed: 0).generate()
        try writeLabelledDataset(small, to: path)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let large = try SpiralSpecification(counts: [20_000, 20_000], noise: 0.3, seed: 1).generate()
        expectError(FileSystemError.system(path: path, code: ENOSPC, writing: true, existingKept: true),
                    mentioning: ["no space left on device writing \(path); the existing file is unchanged"]) {
            try writeLabelledDataset(large, to: path, overwrite: true)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        let fresh = mount.path + "/t.h5"
        expectError(FileSystemError.system(path: fresh, code: ENOSPC, writing: true, existingKept: false)) {
            try writeLabelledDataset(large, to: fresh)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: mount.path) == ["s.h5"])
    }

    @Test func phrasesAreShortAndLowerCase() {
        #expect(FileSystemError.phrase(ENOSPC) == "no space left on device")
        #expect(FileSystemError.phrase(EACCES) == "permission denied")
        #expect(FileSystemError.phrase(EPERM) == "permission denied")
        #expect(FileSystemError.phrase(EROFS) == "read-only file system")
        #expect(FileSystemError.phrase(EIO) == "input/output error")
        #expect(FileSystemError.phrase(EDQUOT) == "disk quota exceeded")
        #expect(FileSystemError.phrase(ENOENT) == "no such file or directory")
        #expect(FileSystemError.reported(code: EIO, path: "f", writing: false)?.description == "input/output error reading f")
        #expect(FileSystemError.reported(code: EACCES, path: "f", writing: true)?.description == "permission denied writing f; no file was created")
        #expect(FileSystemError.reported(code: ENOENT, path: "f", writing: true) == nil)
    }
}

/// A small tmpfs mounted on a fresh folder, for provoking full and read-only file systems.
struct TemporaryMount {
    let path: String

    /// Whether this process may mount (root, with mount(8)).
    static let isAvailable: Bool = getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/bin/mount")

    init(options: String) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("tmpfs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try Self.mount(["-t", "tmpfs", "-o", options, "tmpfs", path])
    }

    /// Changes the mount's options (`ro`, …).
    func remount(_ options: String) throws {
        try Self.mount(["-o", "remount," + options, path])
    }

    /// Unmounts and removes the folder.
    func remove() {
        _ = try? Self.run("/bin/umount", [path])
        try? FileManager.default.removeItem(atPath: path)
    }

    private static func mount(_ arguments: [String]) throws {
        try run("/bin/mount", arguments)
    }

    private static func run(_ executable: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandFailed(command: ([executable] + arguments).joined(separator: " "), status: process.terminationStatus)
        }
    }

    struct CommandFailed: Error {
        var command: String
        var status: Int32
    }
}
