import CHDF5

/// Reads and writes attributes. Every function must run inside ``HDF5Library/run(_:)``.
enum HDF5AttributeIO {
    /// All attributes of the object `objectID`, in name order.
    static func readAll(of objectID: hid_t, file: String, objectPath: String) throws -> [HDF5Attribute] {
        var info = chdf5_object_info()
        try HDF5Library.check(
            chdf5_object_get_info(objectID, &info, UInt32(H5O_INFO_NUM_ATTRS)), file: file,
            operation: "reading the attributes of '\(objectPath)'")
        var result: [HDF5Attribute] = []
        for index in 0..<info.num_attrs {
            let attribute = try HDF5Handle.checked(
                H5Aopen_by_idx(objectID, ".", H5_INDEX_NAME, H5_ITER_INC, index, chdf5_p_default(), chdf5_p_default()),
                closer: H5Aclose, file: file, operation: "opening attribute \(index) of '\(objectPath)'")
            result.append(try read(attribute.id, file: file, objectPath: objectPath))
        }
        return result
    }

    /// One attribute: name, type in words, and value when it is numeric or a single string.
    private static func read(_ attributeID: hid_t, file: String, objectPath: String) throws -> HDF5Attribute {
        let nameLength = H5Aget_name(attributeID, 0, nil)
        guard nameLength >= 0 else {
            throw HDF5Library.failure(file: file, operation: "reading an attribute name of '\(objectPath)'")
        }
        var nameBuffer = [CChar](repeating: 0, count: nameLength + 1)
        _ = H5Aget_name(attributeID, nameBuffer.count, &nameBuffer)
        let name = String(decoding: nameBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let operation = "reading attribute '\(name)' of '\(objectPath)'"

        let type = try HDF5Handle.checked(H5Aget_type(attributeID), closer: H5Tclose, file: file, operation: operation)
        let space = try HDF5Handle.checked(H5Aget_space(attributeID), closer: H5Sclose, file: file, operation: operation)
        let element = HDF5ElementType(typeID: type.id)
        let spaceClass = H5Sget_simple_extent_type(space.id)
        let rank = Int(H5Sget_simple_extent_ndims(space.id))
        var dims = [hsize_t](repeating: 0, count: max(rank, 1))
        if rank > 0 { _ = H5Sget_simple_extent_dims(space.id, &dims, nil) }
        let shape = rank > 0 ? try HDF5FileGuards.shape(dims.prefix(rank), file: file, object: "\(objectPath)@\(name)") : []
        let isScalar = spaceClass == H5S_SCALAR
        guard let elementCount = HDF5FileGuards.product(shape) else {
            throw HDF5GuardError.shapeTooLarge(file: file, dataset: "\(objectPath)@\(name)", shape: shape, elementSize: 8)
        }
        let count = spaceClass == H5S_NULL ? 0 : elementCount
        try HDF5FileGuards.requireMemory(
            count: count, elementBytes: 8, what: "\(count) values", file: file, dataset: "\(objectPath)@\(name)")
        let typeDescription = element.description
            + (isScalar ? "" : spaceClass == H5S_NULL ? " (null)" : " " + HDF5Error.format(shape))
        guard spaceClass != H5S_NULL else {
            return HDF5Attribute(name: name, typeDescription: typeDescription, value: nil)
        }

        let value: HDF5AttributeValue?
        switch element {
        case .integer:
            var values = [Int64](repeating: 0, count: count)
            try HDF5Library.check(H5Aread(attributeID, chdf5_t_native_int64(), &values), file: file, operation: operation)
            let ints = values.map { Int($0) }
            value = isScalar ? .int(ints[0]) : .intArray(ints)
        case .float:
            var values = [Double](repeating: 0, count: count)
            try HDF5Library.check(H5Aread(attributeID, chdf5_t_native_double(), &values), file: file, operation: operation)
            value = isScalar ? .double(values[0]) : .doubleArray(values)
        case .string where count == 1:
            value = .string(try readString(attributeID, type: type.id, space: space.id, file: file, operation: operation))
        default:
            value = nil
        }
        return HDF5Attribute(name: name, typeDescription: typeDescription, value: value)
    }

    /// A single string attribute, fixed or variable length.
    private static func readString(_ attributeID: hid_t, type: hid_t, space: hid_t, file: String, operation: String) throws -> String {
        if H5Tis_variable_str(type) > 0 {
            let memory = try HDF5Handle.checked(H5Tcopy(chdf5_t_c_s1()), closer: H5Tclose, file: file, operation: operation)
            _ = H5Tset_size(memory.id, chdf5_t_variable())
            _ = H5Tset_cset(memory.id, H5Tget_cset(type))
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: 1)
            try HDF5Library.check(H5Aread(attributeID, memory.id, &pointers), file: file, operation: operation)
            let text = pointers[0].map { String(cString: $0) } ?? ""
            _ = chdf5_reclaim(memory.id, space, chdf5_p_default(), &pointers)
            return text
        }
        let size = Int(H5Tget_size(type))
        guard size > 0 else { return "" }
        let memory = try HDF5Handle.checked(H5Tcopy(type), closer: H5Tclose, file: file, operation: operation)
        var bytes = [UInt8](repeating: 0, count: size)
        try HDF5Library.check(H5Aread(attributeID, memory.id, &bytes), file: file, operation: operation)
        let text = String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        // Space-padded strings (Fortran style) end in blanks that are not part of the value.
        return H5Tget_strpad(type) == H5T_STR_SPACEPAD ? String(Substring(text).trimmingSpaces()) : text
    }

    /// Writes `value` as attribute `name` on `objectID`: integers as int64 LE, floats as
    /// float64 LE, strings as variable-length UTF-8 (what h5py reads back as `str`), arrays as
    /// one-dimensional.
    static func write(_ value: HDF5AttributeValue, named name: String, on objectID: hid_t, file: String) throws {
        let operation = "writing attribute '\(name)'"
        func space(_ count: Int?) throws -> HDF5Handle {
            if let count {
                var dims = [hsize_t(count)]
                return try HDF5Handle.checked(H5Screate_simple(1, &dims, nil), closer: H5Sclose, file: file, operation: operation)
            }
            return try HDF5Handle.checked(H5Screate(H5S_SCALAR), closer: H5Sclose, file: file, operation: operation)
        }
        func create(_ fileType: hid_t, _ space: HDF5Handle) throws -> HDF5Handle {
            try HDF5Handle.checked(
                H5Acreate2(objectID, name, fileType, space.id, chdf5_p_default(), chdf5_p_default()),
                closer: H5Aclose, file: file, operation: operation)
        }
        switch value {
        case .int(let int):
            var buffer = [Int64(int)]
            let attribute = try create(chdf5_t_std_i64le(), try space(nil))
            try HDF5Library.check(H5Awrite(attribute.id, chdf5_t_native_int64(), &buffer), file: file, operation: operation)
        case .intArray(let ints):
            var buffer = ints.map { Int64($0) }
            let attribute = try create(chdf5_t_std_i64le(), try space(ints.count))
            try HDF5Library.check(H5Awrite(attribute.id, chdf5_t_native_int64(), &buffer), file: file, operation: operation)
        case .double(let double):
            var buffer = [double]
            let attribute = try create(chdf5_t_ieee_f64le(), try space(nil))
            try HDF5Library.check(H5Awrite(attribute.id, chdf5_t_native_double(), &buffer), file: file, operation: operation)
        case .doubleArray(let doubles):
            var buffer = doubles
            let attribute = try create(chdf5_t_ieee_f64le(), try space(doubles.count))
            try HDF5Library.check(H5Awrite(attribute.id, chdf5_t_native_double(), &buffer), file: file, operation: operation)
        case .string(let string):
            let type = try HDF5Handle.checked(H5Tcopy(chdf5_t_c_s1()), closer: H5Tclose, file: file, operation: operation)
            try HDF5Library.check(H5Tset_size(type.id, chdf5_t_variable()), file: file, operation: operation)
            try HDF5Library.check(H5Tset_cset(type.id, H5T_CSET_UTF8), file: file, operation: operation)
            let attribute = try create(type.id, try space(nil))
            try string.withCString { text in
                var pointers: [UnsafePointer<CChar>?] = [text]
                try HDF5Library.check(H5Awrite(attribute.id, type.id, &pointers), file: file, operation: operation)
            }
        }
    }
}
