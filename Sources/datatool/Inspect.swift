import ArgumentParser
import Datasets
import Foundation

/// `datatool inspect FILE.h5`: the groups, datasets and attributes of an HDF5 file.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "List the groups and datasets of an HDF5 file with shape, type, layout and filters.",
        discussion: """
            Prints every group and dataset as a tree: path, shape, element type (e.g. float32 LE, \
            int16 BE, uint8), storage layout (contiguous, compact, chunked with its chunk shape) \
            and filters (deflate level, shuffle, fletcher32, others by id), then the root \
            attributes (how the data was made). --json prints the same as one JSON object.

            EXAMPLES:
              datatool inspect spiral.h5
              datatool inspect spiral.h5 --json
            """)

    @Argument(help: "The HDF5 file to list.")
    var file: String

    @Flag(help: "Print one JSON object instead of a tree.")
    var json = false

    func run() throws {
        try FileProbe.check(file, scope: .listing)
        let hdf5 = try HDF5File(path: file)
        let objects = try hdf5.objects()
        let rootAttributes = objects.first(where: { $0.path == "/" })?.attributes ?? []
        if json {
            print(try InspectReport(file: file, objects: objects, rootAttributes: rootAttributes).jsonText())
        } else {
            print(Self.tree(file: file, objects: objects, rootAttributes: rootAttributes))
        }
    }

    /// The listing as an indented tree with the full path of every object, then the root
    /// attributes.
    static func tree(file: String, objects: [HDF5ObjectInfo], rootAttributes: [HDF5Attribute]) -> String {
        var lines = [file]
        let parents = objects.map { parent(of: $0.path) }
        // An object is drawn with └── when no later object shares its parent.
        var isLast = [Bool](repeating: true, count: objects.count)
        var lastChild: [String: Int] = [:]
        for (index, parent) in parents.enumerated() {
            if let parent {
                if let previous = lastChild[parent] { isLast[previous] = false }
                lastChild[parent] = index
            }
        }
        let indexOfPath = Dictionary(objects.enumerated().map { ($0.element.path, $0.offset) }, uniquingKeysWith: { a, _ in a })
        let labels = objects.map { $0.kind == .group && $0.path != "/" ? $0.path + "/" : $0.path }

        var prefixes: [String] = []
        for index in objects.indices {
            // The guide columns: one per ancestor below the root.
            var ancestor = parents[index].flatMap { indexOfPath[$0] }
            var columns: [String] = []
            while let current = ancestor, parents[current] != nil {
                columns.append(isLast[current] ? "    " : "│   ")
                ancestor = parents[current].flatMap { indexOfPath[$0] }
            }
            let branch = parents[index] == nil ? "" : (isLast[index] ? "└── " : "├── ")
            prefixes.append(columns.reversed().joined() + branch)
        }
        let width = zip(prefixes, labels).map { $0.count + $1.count }.max() ?? 0
        for (index, object) in objects.enumerated() {
            let head = prefixes[index] + labels[index]
            let details = describe(object)
            lines.append(details.isEmpty ? head : head.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + details)
            if object.path != "/" {
                // Under the object, in line with its children (a bar leads to them if any).
                let childGuide = String(prefixes[index].dropLast(4)) + (isLast[index] ? "    " : "│   ")
                let bar = lastChild[object.path] == nil ? "    " : "│   "
                for attribute in object.attributes {
                    lines.append(childGuide + bar + "@" + format(attribute))
                }
            }
        }
        lines.append("")
        if rootAttributes.isEmpty {
            lines.append("root attributes: none")
        } else {
            lines.append("root attributes:")
            for attribute in rootAttributes { lines.append("  " + format(attribute)) }
        }
        return lines.joined(separator: "\n")
    }

    /// `dataset  [30, 4]  float32 LE  chunked [8, 4]  deflate (level 4), shuffle`.
    static func describe(_ object: HDF5ObjectInfo) -> String {
        var parts: [String] = [object.kind.rawValue]
        if let shape = object.shape { parts.append(shapeText(shape)) }
        if let type = object.elementType { parts.append(type.description) }
        if let layout = object.layout {
            parts.append(object.chunkShape.map { "\(layout.rawValue) \(shapeText($0))" } ?? layout.rawValue)
        }
        if !object.filters.isEmpty {
            parts.append(object.filters.map { $0.isAvailable ? $0.description : $0.description + " [not available]" }
                .joined(separator: ", "))
        }
        return parts.joined(separator: "  ")
    }

    static func format(_ attribute: HDF5Attribute) -> String {
        "\(attribute.name) = " + (attribute.value.map(\.description) ?? "<\(attribute.typeDescription)>")
    }

    static func shapeText(_ shape: [Int]) -> String {
        shape.isEmpty ? "scalar" : "[" + shape.map(String.init).joined(separator: ", ") + "]"
    }

    /// The parent group's path; `nil` for the root.
    static func parent(of path: String) -> String? {
        guard path != "/" else { return nil }
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }
}

/// The JSON form of `datatool inspect --json`.
private struct InspectReport: Encodable {
    struct Filter: Encodable {
        let id: Int
        let name: String
        let parameters: [UInt32]
        let available: Bool
        let description: String
    }

    struct Object: Encodable {
        let path: String
        let kind: String
        let shape: [Int]?
        let type: String?
        let layout: String?
        let chunks: [Int]?
        let filters: [Filter]
        let attributes: Attributes
    }

    /// Attributes as a JSON object keyed by name; values the library cannot read become a
    /// string naming their type.
    struct Attributes: Encodable {
        let list: [HDF5Attribute]

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        func encode(to encoder: Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            for attribute in list {
                let key = Key(stringValue: attribute.name)
                switch attribute.value {
                case .int(let value): try container.encode(value, forKey: key)
                case .double(let value): try container.encode(value, forKey: key)
                case .string(let value): try container.encode(value, forKey: key)
                case .intArray(let values): try container.encode(values, forKey: key)
                case .doubleArray(let values): try container.encode(values, forKey: key)
                case nil: try container.encode("<\(attribute.typeDescription)>", forKey: key)
                }
            }
        }
    }

    let file: String
    let attributes: Attributes
    let objects: [Object]

    init(file: String, objects: [HDF5ObjectInfo], rootAttributes: [HDF5Attribute]) {
        self.file = file
        attributes = Attributes(list: rootAttributes)
        self.objects = objects.map { object in
            Object(
                path: object.path, kind: object.kind.rawValue, shape: object.shape,
                type: object.elementType?.description, layout: object.layout?.rawValue, chunks: object.chunkShape,
                filters: object.filters.map {
                    Filter(id: $0.id, name: $0.name, parameters: $0.parameters, available: $0.isAvailable,
                           description: $0.description)
                },
                attributes: Attributes(list: object.attributes))
        }
    }

    func jsonText() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
