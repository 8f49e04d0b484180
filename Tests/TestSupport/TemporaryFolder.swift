import Foundation

/// A fresh, empty folder under the system's temporary directory for one test, removed with
/// everything in it by ``remove()`` (call it in a `defer`).
public struct TemporaryFolder: Sendable {
    /// The folder.
    public let url: URL

    /// Creates `<tmp>/<prefix>-<UUID>`.
    ///
    /// - Throws: The file manager's error when the folder cannot be made.
    public init(_ prefix: String) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// The path of `name` inside the folder.
    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Deletes the folder and what it holds (errors ignored: the test is over).
    public func remove() { try? FileManager.default.removeItem(at: url) }
}
