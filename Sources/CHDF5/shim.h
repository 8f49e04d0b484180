#ifndef CHDF5_SHIM_H
#define CHDF5_SHIM_H

// HDF5 and zlib for Swift. HDF5's identifiers for native types, file access flags and property
// list classes are macros that expand to `(H5open(), H5T_NATIVE_FLOAT_g)` and the like; Swift
// cannot import those, and Swift 6 rejects the `*_g` globals as shared mutable state. Each one
// becomes a `static inline` getter here.

#include <hdf5.h>
#include <zlib.h>

// MARK: - Defaults and flags
static inline hid_t chdf5_p_default(void) { return H5P_DEFAULT; }
static inline hid_t chdf5_s_all(void) { return H5S_ALL; }
static inline hid_t chdf5_e_default(void) { return H5E_DEFAULT; }
static inline unsigned chdf5_f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned chdf5_f_acc_rdwr(void) { return H5F_ACC_RDWR; }
static inline unsigned chdf5_f_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline unsigned chdf5_f_acc_excl(void) { return H5F_ACC_EXCL; }
static inline hsize_t chdf5_s_unlimited(void) { return H5S_UNLIMITED; }
static inline size_t chdf5_t_variable(void) { return H5T_VARIABLE; }
static inline haddr_t chdf5_haddr_undef(void) { return HADDR_UNDEF; }

// MARK: - File drivers
static inline hid_t chdf5_fd_sec2(void) { return H5FD_SEC2; }

// MARK: - Property list classes
static inline hid_t chdf5_p_file_access(void) { return H5P_FILE_ACCESS; }
static inline hid_t chdf5_p_file_create(void) { return H5P_FILE_CREATE; }
static inline hid_t chdf5_p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline hid_t chdf5_p_dataset_access(void) { return H5P_DATASET_ACCESS; }
static inline hid_t chdf5_p_dataset_xfer(void) { return H5P_DATASET_XFER; }
static inline hid_t chdf5_p_link_create(void) { return H5P_LINK_CREATE; }

// MARK: - Native memory types
static inline hid_t chdf5_t_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t chdf5_t_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t chdf5_t_native_int8(void) { return H5T_NATIVE_INT8; }
static inline hid_t chdf5_t_native_uint8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t chdf5_t_native_int16(void) { return H5T_NATIVE_INT16; }
static inline hid_t chdf5_t_native_uint16(void) { return H5T_NATIVE_UINT16; }
static inline hid_t chdf5_t_native_int32(void) { return H5T_NATIVE_INT32; }
static inline hid_t chdf5_t_native_uint32(void) { return H5T_NATIVE_UINT32; }
static inline hid_t chdf5_t_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t chdf5_t_native_uint64(void) { return H5T_NATIVE_UINT64; }

// MARK: - File types (fixed byte order, for writing)
static inline hid_t chdf5_t_ieee_f32le(void) { return H5T_IEEE_F32LE; }
static inline hid_t chdf5_t_ieee_f64le(void) { return H5T_IEEE_F64LE; }
static inline hid_t chdf5_t_std_i64le(void) { return H5T_STD_I64LE; }
static inline hid_t chdf5_t_std_i32le(void) { return H5T_STD_I32LE; }
static inline hid_t chdf5_t_c_s1(void) { return H5T_C_S1; }

// MARK: - Calls that changed after 1.10
// libhdf5 1.12 gave objects a new info struct (H5O_info2_t, read by H5Oget_info3,
// H5Oget_info_by_name3 and H5Ovisit3), made `H5O_info_t` a macro, which Swift cannot import,
// and replaced H5Dvlen_reclaim by H5Treclaim; 2.0 added the buffer size to H5Dread_chunk and
// made its name a macro. These wrappers take the same arguments on every version: Debian 12
// ships 1.10 (the one tested here), Homebrew a newer one.
#if H5_VERSION_GE(1, 12, 0)
typedef H5O_info2_t chdf5_object_info;
typedef H5O_iterate2_t chdf5_object_visitor;
#define CHDF5_OBJECT_GET_INFO H5Oget_info3
#define CHDF5_OBJECT_GET_INFO_BY_NAME H5Oget_info_by_name3
#define CHDF5_OBJECT_VISIT H5Ovisit3
#define CHDF5_RECLAIM H5Treclaim
#else
typedef H5O_info_t chdf5_object_info;
typedef H5O_iterate_t chdf5_object_visitor;
#define CHDF5_OBJECT_GET_INFO H5Oget_info2
#define CHDF5_OBJECT_GET_INFO_BY_NAME H5Oget_info_by_name2
#define CHDF5_OBJECT_VISIT H5Ovisit2
#define CHDF5_RECLAIM H5Dvlen_reclaim
#endif
static inline herr_t chdf5_object_get_info(hid_t object, chdf5_object_info *info, unsigned fields) {
    return CHDF5_OBJECT_GET_INFO(object, info, fields);
}
static inline herr_t chdf5_object_get_info_by_name(hid_t location, const char *name, chdf5_object_info *info,
                                                   unsigned fields, hid_t access) {
    return CHDF5_OBJECT_GET_INFO_BY_NAME(location, name, info, fields, access);
}
static inline herr_t chdf5_object_visit(hid_t object, H5_index_t index, H5_iter_order_t order,
                                        chdf5_object_visitor visitor, void *context, unsigned fields) {
    return CHDF5_OBJECT_VISIT(object, index, order, visitor, context, fields);
}
static inline herr_t chdf5_reclaim(hid_t type, hid_t space, hid_t transfer, void *buffer) {
    return CHDF5_RECLAIM(type, space, transfer, buffer);
}

/// Reads a chunk's stored bytes (no filters applied) into `buffer` of `capacity` bytes.
static inline herr_t chdf5_read_chunk(hid_t dataset, hid_t transfer, const hsize_t *offset, uint32_t *filters,
                                      void *buffer, size_t capacity) {
#if H5_VERSION_GE(2, 0, 0)
    return H5Dread_chunk2(dataset, transfer, offset, filters, buffer, &capacity);
#else
    (void)capacity;
    return H5Dread_chunk(dataset, transfer, offset, filters, buffer);
#endif
}

#endif
