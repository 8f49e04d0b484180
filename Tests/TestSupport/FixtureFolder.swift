import Foundation

/// A test target's committed fixtures: the `Fixtures` folder SwiftPM copies into the target's
/// bundle (`resources: [.copy("Fixtures")]` in `Package.swift`), read by relative path.
///
/// Each test target that has fixtures makes one from its own bundle:
///
/// ```swift
/// let fixtures = FixtureFolder(bundle: .module)
/// let expected = try fixtures.decode(ZlibFixture.self, from: "zlib/expected.json")
/// let path = try fixtures.path("hdf5/labelled.h5")
/// ```
public struct FixtureFolder: Sendable {
    /// The `Fixtures` folder in the bundle, or `nil` when the bundle has none.
    public let root: URL?

    /// The fixtures of `bundle` (a test target's `Bundle.module`).
    public init(bundle: Bundle) {
        root = bundle.url(forResource: "Fixtures", withExtension: nil)
    }

    /// The URL of the fixture at `relativePath` (it need not exist).
    ///
    /// - Throws: ``FixtureError/missingFolder`` when the bundle has no `Fixtures` folder.
    public func url(_ relativePath: String) throws -> URL {
        guard let root else { throw FixtureError.missingFolder }
        return root.appendingPathComponent(relativePath)
    }

    /// The file-system path of the fixture at `relativePath` (it need not exist).
    ///
    /// - Throws: as ``url(_:)``.
    public func path(_ relativePath: String) throws -> String {
        try url(relativePath).path
    }

    /// The bytes of the fixture at `relativePath`.
    ///
    /// - Throws: ``FixtureError/missingFolder``, or Foundation's error when the file cannot be read.
    public func data(_ relativePath: String) throws -> Data {
        try Data(contentsOf: try url(relativePath))
    }

    /// The JSON fixture at `relativePath`, decoded as `type`.
    ///
    /// - Throws: as ``data(_:)``, and `DecodingError` when the JSON does not have `type`'s shape.
    public func decode<T: Decodable>(_ type: T.Type, from relativePath: String) throws -> T {
        try JSONDecoder().decode(T.self, from: try data(relativePath))
    }

    /// The JSON fixture at `relativePath`, whose top level must be an object.
    ///
    /// - Throws: as ``data(_:)``, and ``FixtureError/notAJSONObject(_:)``.
    public func jsonObject(_ relativePath: String) throws -> [String: Any] {
        try JSONObject.parse(try data(relativePath), what: relativePath)
    }
}

/// What went wrong reading a fixture or a JSON report.
public enum FixtureError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The test bundle has no `Fixtures` folder.
    case missingFolder
    /// The named text is not JSON with an object at the top level.
    case notAJSONObject(String)

    public var description: String {
        switch self {
        case .missingFolder: return "the Fixtures folder is missing from the test bundle"
        case .notAJSONObject(let what): return "\(what) is not a JSON object"
        }
    }
}

/// JSON with an object at the top level, as `datatool --json` and the reference scripts print.
public enum JSONObject {
    /// Parses `data`.
    ///
    /// - Parameters:
    ///   - data: UTF-8 JSON.
    ///   - what: What the text is, for the error (a file name, "stdout").
    /// - Returns: The top-level object.
    /// - Throws: ``FixtureError/notAJSONObject(_:)`` when `data` is not JSON or its top level is
    ///   not an object.
    public static func parse(_ data: Data, what: String) throws -> [String: Any] {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw FixtureError.notAJSONObject(what)
        }
        return object
    }

    /// Parses `text` (a command's output); the error quotes its first 500 characters.
    ///
    /// - Throws: as ``parse(_:what:)-(Data,_)``.
    public static func parse(_ text: String, what: String) throws -> [String: Any] {
        try parse(Data(text.utf8), what: "\(what) (\"\(text.prefix(500))\")")
    }
}

/// The repository this test support sits in (`Tests/TestSupport` below its root), for the
/// committed scripts (`scripts/…`) tests run and the files they read.
public enum Repository {
    /// The repository's root folder.
    public static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The path of `relativePath` below the root (it need not exist).
    public static func path(_ relativePath: String) -> String {
        root.appendingPathComponent(relativePath).path
    }
}
