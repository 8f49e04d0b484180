#!/usr/bin/env python3
"""Mutation fuzzer for datatool's HDF5 reading path.

    python3 scripts/fuzz/hdf5_fuzz.py --datatool .build/debug/datatool --seed 1 --count 1000

1. Writes a handful of small, valid seed files into a work folder: one from
   `datatool gen-spiral`, and h5py-written ones (chunked gzip + shuffle + fletcher32,
   contiguous big-endian, compact, nested groups, the 1.10 file format with fixed-array /
   extensible-array / v2-B-tree chunk indices and dense attribute storage).
2. Maps each seed's structures by parsing just enough of the format (superblock, object headers
   and their messages, B-tree / chunk-index / heap nodes found by their signatures, chunk and
   contiguous data found with h5py's low-level API).
3. Makes `--count` mutants from a fixed seed: random bit flips, byte runs, truncation, and
   targeted corruption of superblock fields, object header prefixes and messages (dataspace
   dimensions, datatype sizes, layout and chunk dimensions, filter pipelines, attributes),
   index nodes, chunk bytes and heap/string data. Mutant i depends only on (--seed, i).
4. Runs `datatool inspect`, `balance-stats` and `sample --batch-size 3` (and `train --epochs 1`
   with --train) on every mutant with a timeout, under an address-space limit, and classifies:
     ok     exit 0
     clean  exit != 0, not by a signal, stderr is exactly one line starting with "error:"
     crash  killed by a signal, or any other stderr
     hang   did not finish within --timeout seconds
   A mutant's outcome is the worst over its commands.
5. Prints a summary table, writes every crashing or hanging mutant (with a JSON note and a
   repro.sh) to --failures, and exits 1 when there was any crash or hang.

--shrink MUTANT ORIGINAL --expect COMMAND=TEXT shrinks a file towards its original while the
given error messages persist (how scripts/fuzz/regressions was made). --minimize shrinks each
failing mutant (restores original bytes while it still fails the
same way) before saving it. --replay FILE... runs the commands on given files instead of
fuzzing (with the dataset paths from FILE.json when there is one). --write-seeds DIR only writes
the seed files (the libFuzzer corpus). --json writes the summary as JSON (the test suite reads it).
"""

import argparse
import collections
import json
import os
import random
import resource
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

OUTCOMES = ("ok", "clean", "crash", "hang")
# Columns of the summary: the outcomes, then how many clean errors only datatool's probe process
# caught (libhdf5 crashed or looped in the probe; see Sources/datatool/FileProbe.swift).
COLUMNS = OUTCOMES + ("probe",)
SEVERITY = {name: index for index, name in enumerate(OUTCOMES)}

# ----------------------------------------------------------------------------------------------
# Seeds


def make_seeds(folder, datatool):
    """Writes the seed files; returns [(name, path, features, labels)]."""
    import h5py
    import numpy as np

    seeds = []
    rng = np.random.default_rng(12345)

    def labels_for(n):
        # Three classes, imbalanced, every class present.
        counts = [n - n // 3 - n // 8, n // 3, n // 8]
        return np.repeat(np.arange(3), counts)

    # 1. What datatool itself writes: chunked + deflate, int64 labels, string attributes.
    path = os.path.join(folder, "spiral.h5")
    subprocess.run([datatool, "gen-spiral", "--counts", "40,12,4", "--noise", "0.1", "--seed", "3",
                    "--output", path, "--force"], check=True, stdout=subprocess.DEVNULL)
    seeds.append(("spiral", path, "/features", "/labels"))

    # 2. Chunked, gzip + shuffle + fletcher32, several chunks, fixed and vlen string attributes.
    path = os.path.join(folder, "gzip.h5")
    with h5py.File(path, "w") as f:
        n = 64
        f.create_dataset("features", data=rng.normal(size=(n, 3)).astype("<f4"), chunks=(16, 3),
                         compression="gzip", compression_opts=6, shuffle=True, fletcher32=True)
        f.create_dataset("labels", data=labels_for(n).astype("<i4"), chunks=(16,),
                         compression="gzip", shuffle=True, fletcher32=True)
        f.attrs["generator"] = "h5py"
        f.attrs["fixed"] = np.bytes_(b"fixed-length")
        f.attrs["counts"] = np.array([40, 16, 8])
        f["features"].attrs["unit"] = "metre"
    seeds.append(("gzip", path, "/features", "/labels"))

    # 3. Contiguous, big-endian float64 features and int16 labels.
    path = os.path.join(folder, "contiguous.h5")
    with h5py.File(path, "w") as f:
        n = 48
        f.create_dataset("features", data=rng.normal(size=(n, 2)).astype(">f8"))
        f.create_dataset("labels", data=labels_for(n).astype("<i2"))
        f.attrs["noise"] = 0.25
    seeds.append(("contiguous", path, "/features", "/labels"))

    # 4. Compact layout (data inside the object header), uint8 labels, one-dimensional features.
    path = os.path.join(folder, "compact.h5")
    with h5py.File(path, "w") as f:
        n = 24
        for name, values, htype in (("features", rng.normal(size=n).astype("<f4"), h5py.h5t.IEEE_F32LE),
                                    ("labels", labels_for(n).astype("u1"), h5py.h5t.STD_U8LE)):
            dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
            dcpl.set_layout(h5py.h5d.COMPACT)
            space = h5py.h5s.create_simple((n,))
            dataset = h5py.h5d.create(f.id, name.encode(), htype, space, dcpl=dcpl)
            dataset.write(h5py.h5s.ALL, h5py.h5s.ALL, values)
    seeds.append(("compact", path, "/features", "/labels"))

    # 5. Nested groups, group attributes, a soft link and an unused dataset.
    path = os.path.join(folder, "nested.h5")
    with h5py.File(path, "w") as f:
        n = 36
        train = f.create_group("data/train")
        train.create_dataset("x", data=rng.normal(size=(n, 2)).astype("<f4"), chunks=(9, 2))
        train.create_dataset("y", data=labels_for(n).astype("<i8"), chunks=(9,))
        train.attrs["split"] = "train"
        f.create_group("data/test").create_dataset("x", data=np.zeros((4, 2), "<f4"))
        f["link"] = h5py.SoftLink("/data/train/x")
    seeds.append(("nested", path, "/data/train/x", "/data/train/y"))

    # 6. The 1.10 format: superblock v3, OHDR/OCHK headers with checksums, fixed-array,
    #    extensible-array and v2-B-tree chunk indices, dense attribute storage (fractal heap).
    path = os.path.join(folder, "v110.h5")
    with h5py.File(path, "w", libver=("v110", "v110")) as f:
        n = 40
        f.create_dataset("features", data=rng.normal(size=(n, 2)).astype("<f4"), chunks=(8, 2),
                         maxshape=(None, None), compression="gzip")  # v2 B-tree index
        f.create_dataset("labels", data=labels_for(n).astype("<i4"), chunks=(8,),
                         maxshape=(None,))  # extensible array index
        f.create_dataset("fixed", data=np.arange(16, dtype="<i4").reshape(8, 2), chunks=(2, 2))
        for index in range(12):  # more than 8: dense storage
            f.attrs[f"attribute{index:02d}"] = f"value {index}" if index % 2 else index
    seeds.append(("v110", path, "/features", "/labels"))
    return seeds


# ----------------------------------------------------------------------------------------------
# Structure map


SIGNATURES = [b"TREE", b"HEAP", b"SNOD", b"GCOL", b"BTHD", b"BTIN", b"BTLF", b"FAHD", b"FADB",
              b"EAHD", b"EAIB", b"EASB", b"EADB", b"FRHP", b"FHDB", b"FHIB", b"OCHK", b"OHDR",
              b"FSHD", b"FSSE"]
INDEX_SIGNATURES = {b"TREE", b"BTHD", b"BTIN", b"BTLF", b"FAHD", b"FADB", b"EAHD", b"EAIB",
                    b"EASB", b"EADB", b"SNOD"}
HEAP_SIGNATURES = {b"HEAP", b"GCOL", b"FRHP", b"FHDB", b"FHIB"}


class Field:
    """An integer field at `offset` of `width` bytes (little-endian) named `name`."""

    def __init__(self, name, offset, width):
        self.name, self.offset, self.width = name, offset, width

    def __repr__(self):
        return f"{self.name}@{self.offset}/{self.width}"


class Message:
    def __init__(self, header, kind, start, size, type_field, size_field, flags_offset):
        self.header, self.kind, self.start, self.size = header, kind, start, size
        self.type_field, self.size_field, self.flags_offset = type_field, size_field, flags_offset
        self.fields = []


class StructureMap:
    """Where the interesting bytes of one valid file are."""

    def __init__(self, data):
        self.data = data
        self.superblock_fields = []
        self.header_fields = []      # object header prefix fields
        self.messages = []           # object header messages
        self.nodes = []              # (signature, offset) of index / heap nodes
        self.chunks = []             # (dataset, offset, size) of stored chunks / contiguous data
        self.offset_size = 8
        self.length_size = 8


def parse_superblock(sm):
    d = sm.data
    if d[:8] != b"\x89HDF\r\n\x1a\n":
        return
    version = d[8]
    f = sm.superblock_fields
    f.append(Field("superblock version", 8, 1))
    if version in (0, 1):
        sm.offset_size, sm.length_size = d[13], d[14]
        o = sm.offset_size
        f += [Field("free-space version", 9, 1), Field("root entry version", 10, 1),
              Field("shared header version", 12, 1), Field("size of offsets", 13, 1),
              Field("size of lengths", 14, 1), Field("group leaf K", 16, 2),
              Field("group internal K", 18, 2), Field("consistency flags", 20, 4)]
        p = 24
        if version == 1:
            f.append(Field("indexed storage K", 24, 2))
            p = 28
        for name in ("base address", "free-space address", "end-of-file address", "driver info address"):
            f.append(Field(name, p, o))
            p += o
        f += [Field("root link name offset", p, o), Field("root object header address", p + o, o),
              Field("root cache type", p + 2 * o, 4), Field("root B-tree address (scratch)", p + 2 * o + 8, o),
              Field("root heap address (scratch)", p + 3 * o + 8, o)]
    elif version in (2, 3):
        sm.offset_size, sm.length_size = d[9], d[10]
        o = sm.offset_size
        f += [Field("size of offsets", 9, 1), Field("size of lengths", 10, 1),
              Field("consistency flags", 11, 1), Field("base address", 12, o),
              Field("superblock extension address", 12 + o, o), Field("end-of-file address", 12 + 2 * o, o),
              Field("root object header address", 12 + 3 * o, o), Field("superblock checksum", 12 + 4 * o, 4)]


def parse_object_header(sm, address, label):
    d = sm.data
    if address <= 0 or address + 16 > len(d):
        return
    o, l = sm.offset_size, sm.length_size
    blocks = []
    if d[address:address + 4] == b"OHDR":
        flags = d[address + 5]
        sm.header_fields += [Field(f"{label} OHDR version", address + 4, 1),
                             Field(f"{label} OHDR flags", address + 5, 1)]
        p = address + 6
        if flags & 0x20:
            p += 16
        if flags & 0x10:
            sm.header_fields += [Field(f"{label} max compact attributes", p, 2),
                                 Field(f"{label} min dense attributes", p + 2, 2)]
            p += 4
        width = 1 << (flags & 3)
        sm.header_fields.append(Field(f"{label} chunk 0 size", p, width))
        size = int.from_bytes(d[p:p + width], "little")
        p += width
        blocks.append((p, p + size - 4, 2, flags))
    elif d[address] == 1:
        sm.header_fields += [Field(f"{label} v1 version", address, 1),
                             Field(f"{label} message count", address + 2, 2),
                             Field(f"{label} reference count", address + 4, 4),
                             Field(f"{label} header size", address + 8, 4)]
        size = int.from_bytes(d[address + 8:address + 12], "little")
        blocks.append((address + 16, address + 16 + size, 1, 0))
    else:
        return
    seen = set()
    while blocks:
        start, end, version, flags = blocks.pop(0)
        if (start, end) in seen or end > len(d) or start >= end:
            continue
        seen.add((start, end))
        p = start
        while p < end:
            if version == 1:
                if p + 8 > end:
                    break
                kind, size = struct.unpack_from("<HH", d, p)
                m = Message(label, kind, p + 8, size, Field("type", p, 2), Field("size", p + 2, 2), p + 4)
                p += 8 + size
            else:
                if p + 4 > end:
                    break
                kind = d[p]
                size = struct.unpack_from("<H", d, p + 1)[0]
                message_flags = d[p + 3]
                header = 6 if flags & 0x04 else 4
                m = Message(label, kind, p + header, size, Field("type", p, 1), Field("size", p + 1, 2), p + 3)
                del message_flags
                p += header + size
            if m.start + m.size > len(d):
                break
            describe_message(sm, m)
            sm.messages.append(m)
            if m.kind == 0x10 and m.size >= o + l:  # continuation
                cont = int.from_bytes(d[m.start:m.start + o], "little")
                length = int.from_bytes(d[m.start + o:m.start + o + l], "little")
                if version == 1:
                    blocks.append((cont, cont + length, 1, 0))
                elif d[cont:cont + 4] == b"OCHK":
                    blocks.append((cont + 4, cont + length - 4, 2, flags))


def describe_message(sm, m):
    """Adds the known integer fields of a message (dims, sizes, addresses) to m.fields."""
    d, o, l, s = sm.data, sm.offset_size, sm.length_size, m.start
    f = m.fields
    if m.kind == 0x01 and m.size >= 8:  # dataspace
        version, rank, flags = d[s], d[s + 1], d[s + 2]
        f += [Field("dataspace version", s, 1), Field("rank", s + 1, 1), Field("dataspace flags", s + 2, 1)]
        p = s + (8 if version == 1 else 4)
        if version >= 2:
            f.append(Field("dataspace type", s + 3, 1))
        for i in range(rank):
            f.append(Field(f"dim {i}", p + i * l, l))
        if flags & 1:
            for i in range(rank):
                f.append(Field(f"max dim {i}", p + (rank + i) * l, l))
    elif m.kind == 0x03 and m.size >= 8:  # datatype
        f += [Field("datatype class+version", s, 1), Field("datatype bits", s + 1, 3),
              Field("datatype size", s + 4, 4)]
        if d[s] & 0x0F in (0, 1):  # integer / float: bit offset, precision
            f += [Field("bit offset", s + 8, 2), Field("precision", s + 10, 2)]
        if d[s] & 0x0F == 1 and m.size >= 20:
            f += [Field("exponent location", s + 12, 1), Field("exponent size", s + 13, 1),
                  Field("mantissa location", s + 14, 1), Field("mantissa size", s + 15, 1),
                  Field("exponent bias", s + 16, 4)]
    elif m.kind == 0x08 and m.size >= 2:  # layout
        version, cls = d[s], d[s + 1]
        f += [Field("layout version", s, 1), Field("layout class", s + 1, 1)]
        if version == 3:
            if cls == 0:
                f.append(Field("compact size", s + 2, 2))
            elif cls == 1:
                f += [Field("contiguous address", s + 2, o), Field("contiguous size", s + 2 + o, l)]
            elif cls == 2:
                rank = d[s + 2]
                f += [Field("chunk rank", s + 2, 1), Field("chunk index address", s + 3, o)]
                for i in range(rank):
                    f.append(Field(f"chunk dim {i}", s + 3 + o + 4 * i, 4))
        elif version == 4 and cls == 2:
            rank, width = d[s + 3], d[s + 4]
            f += [Field("chunk flags", s + 2, 1), Field("chunk rank", s + 3, 1), Field("chunk dim width", s + 4, 1)]
            for i in range(rank):
                f.append(Field(f"chunk dim {i}", s + 5 + width * i, width))
            p = s + 5 + width * rank
            f.append(Field("chunk index type", p, 1))
            index_type = d[p] if p < len(d) else 0
            p += 1
            if index_type == 1:      # single chunk: filtered size, filter mask when filtered
                if d[s + 2] & 0x02:
                    f += [Field("single chunk size", p, l), Field("single chunk mask", p + l, 4)]
                    p += l + 4
            elif index_type == 3:    # fixed array
                f.append(Field("fixed array page bits", p, 1))
                p += 1
            elif index_type == 4:    # extensible array
                f += [Field("ea max bits", p, 1), Field("ea index elements", p + 1, 1),
                      Field("ea min pointers", p + 2, 1), Field("ea min elements", p + 3, 1),
                      Field("ea page bits", p + 4, 1)]
                p += 5
            elif index_type == 5:    # v2 B-tree
                f += [Field("bt2 node size", p, 4), Field("bt2 split", p + 4, 1), Field("bt2 merge", p + 5, 1)]
                p += 6
            f.append(Field("chunk index address", p, o))
        elif version == 4 and cls == 1:
            f += [Field("contiguous address", s + 2, o), Field("contiguous size", s + 2 + o, l)]
        elif version == 4 and cls == 0:
            f.append(Field("compact size", s + 2, 2))
    elif m.kind == 0x0B and m.size >= 2:  # filter pipeline
        version, count = d[s], d[s + 1]
        f += [Field("pipeline version", s, 1), Field("filter count", s + 1, 1)]
        p = s + (8 if version == 1 else 2)
        for i in range(min(count, 8)):
            if p + 8 > s + m.size:
                break
            ident = struct.unpack_from("<H", d, p)[0]
            f.append(Field(f"filter {i} id", p, 2))
            if version == 1 or ident >= 256:
                name_length = struct.unpack_from("<H", d, p + 2)[0]
                f += [Field(f"filter {i} name length", p + 2, 2), Field(f"filter {i} flags", p + 4, 2),
                      Field(f"filter {i} value count", p + 6, 2)]
                values = struct.unpack_from("<H", d, p + 6)[0]
                p += 8 + ((name_length + 7) // 8 * 8 if version == 1 else name_length)
            else:
                f += [Field(f"filter {i} flags", p + 2, 2), Field(f"filter {i} value count", p + 4, 2)]
                values = struct.unpack_from("<H", d, p + 4)[0]
                p += 6
            for j in range(min(values, 8)):
                f.append(Field(f"filter {i} value {j}", p + 4 * j, 4))
            p += 4 * values + (4 if version == 1 and values % 2 else 0)
    elif m.kind == 0x0C and m.size >= 8:  # attribute
        version = d[s]
        f += [Field("attribute version", s, 1), Field("attribute name size", s + 2, 2),
              Field("attribute datatype size", s + 4, 2), Field("attribute dataspace size", s + 6, 2)]
        if version == 3:
            f.append(Field("attribute name encoding", s + 8, 1))
    elif m.kind == 0x11 and m.size >= 2 * o:  # symbol table
        f += [Field("group B-tree address", s, o), Field("group local heap address", s + o, o)]
    elif m.kind == 0x10 and m.size >= o + l:  # continuation
        f += [Field("continuation address", s, o), Field("continuation length", s + o, l)]
    elif m.kind == 0x02 and m.size >= 2:  # link info
        f += [Field("link info version", s, 1), Field("link info flags", s + 1, 1)]
        p = s + 2 + (8 if d[s + 1] & 1 else 0)
        f += [Field("fractal heap address", p, o), Field("name index address", p + o, o)]
    elif m.kind == 0x15 and m.size >= 2:  # attribute info
        p = s + 2 + (2 if d[s + 1] & 1 else 0)
        f += [Field("attribute info flags", s + 1, 1), Field("attribute heap address", p, o),
              Field("attribute name index address", p + o, o)]
    elif m.kind == 0x06 and m.size >= 2:  # link
        f += [Field("link version", s, 1), Field("link flags", s + 1, 1)]
    elif m.kind == 0x05 and m.size >= 2:  # fill value
        f += [Field("fill version", s, 1), Field("fill flags", s + 1, 1)]


def build_map(path):
    import h5py

    with open(path, "rb") as handle:
        data = handle.read()
    sm = StructureMap(data)
    parse_superblock(sm)
    with h5py.File(path, "r") as f:
        objects = [("/", f)]
        f.visititems(lambda name, obj: objects.append(("/" + name, obj)))
        for name, obj in objects:
            address = h5py.h5o.get_info(obj.id).addr
            parse_object_header(sm, address, name)
            if isinstance(obj, h5py.Dataset):
                dsid = obj.id
                layout = dsid.get_create_plist().get_layout()
                if layout == h5py.h5d.CHUNKED:
                    for i in range(dsid.get_num_chunks()):
                        info = dsid.get_chunk_info(i)
                        if info.byte_offset is not None and info.size:
                            sm.chunks.append((name, info.byte_offset, info.size))
                elif layout == h5py.h5d.CONTIGUOUS and dsid.get_offset() is not None:
                    sm.chunks.append((name, dsid.get_offset(), dsid.get_storage_size()))
    for signature in SIGNATURES:
        start = 0
        while True:
            at = data.find(signature, start)
            if at < 0:
                break
            sm.nodes.append((signature.decode(), at))
            start = at + 1
    return sm


# ----------------------------------------------------------------------------------------------
# Mutations


def interesting_values(width, file_size, current):
    top = (1 << (8 * width)) - 1
    values = [0, 1, 2, 3, 7, 8, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0xFFFF, 0x10000, 0x7FFFFFFF,
              0xFFFFFFFF, 1 << 32, 10 ** 9, 10 ** 12, 10 ** 15, (1 << 62), (1 << 63) - 1, 1 << 63, top,
              file_size, file_size - 1, file_size + 1, file_size // 2, 2 * file_size,
              current + 1, current - 1, current * 2, current ^ 0x80, current + 8, current - 8]
    return [v & top for v in values if v >= 0]


def write_int(data, offset, width, value):
    if offset < 0 or offset + width > len(data):
        return False
    data[offset:offset + width] = (value & ((1 << (8 * width)) - 1)).to_bytes(width, "little")
    return True


def read_int(data, offset, width):
    return int.from_bytes(data[offset:offset + width], "little")


def mutate_field(rng, data, field, note):
    current = read_int(data, field.offset, field.width)
    choice = rng.random()
    if choice < 0.7:
        value = rng.choice(interesting_values(field.width, len(data), current))
    elif choice < 0.85:
        value = rng.getrandbits(8 * field.width)
    else:
        value = current ^ (1 << rng.randrange(8 * field.width))
    if write_int(data, field.offset, field.width, value):
        note.append(f"{field.name} @{field.offset}: {current} -> {value}")


def op_bitflip(rng, sm, data, note):
    for _ in range(rng.randint(1, 8)):
        at = rng.randrange(len(data))
        bit = rng.randrange(8)
        data[at] ^= 1 << bit
        note.append(f"flip bit {bit} of byte {at}")


def op_byterun(rng, sm, data, note):
    at = rng.randrange(len(data))
    length = min(rng.randint(1, 64), len(data) - at)
    kind = rng.choice(["random", "zero", "ff", "repeat"])
    if kind == "random":
        run = bytes(rng.getrandbits(8) for _ in range(length))
    elif kind == "zero":
        run = b"\0" * length
    elif kind == "ff":
        run = b"\xff" * length
    else:
        source = rng.randrange(len(data))
        run = bytes(data[source:source + length]).ljust(length, b"\0")
    data[at:at + length] = run
    note.append(f"{kind} run of {length} bytes at {at}")


def op_truncate(rng, sm, data, note):
    at = rng.randrange(1, len(data))
    del data[at:]
    note.append(f"truncate to {at} bytes")


def op_superblock(rng, sm, data, note, fields):
    for _ in range(rng.randint(1, 2)):
        mutate_field(rng, data, rng.choice(fields), note)


def op_header(rng, sm, data, note, fields):
    mutate_field(rng, data, rng.choice(fields), note)


def op_message(rng, sm, data, note, messages):
    m = rng.choice(messages)
    note.append(f"{m.header} message type {m.kind:#x} ({m.size} bytes at {m.start})")
    choice = rng.random()
    if m.fields and choice < 0.6:
        for _ in range(rng.randint(1, 2)):
            mutate_field(rng, data, rng.choice(m.fields), note)
    elif choice < 0.7:
        mutate_field(rng, data, m.type_field, note)
    elif choice < 0.8:
        mutate_field(rng, data, m.size_field, note)
    elif choice < 0.85:
        mutate_field(rng, data, Field("message flags", m.flags_offset, 1), note)
    elif m.size > 0:
        at = m.start + rng.randrange(m.size)
        width = rng.choice([1, 2, 4, 8])
        mutate_field(rng, data, Field("message byte", at, width), note)


def shape_fields(sm):
    """The dataspace and layout fields that give dimensions or sizes."""
    return [f for m in sm.messages if m.kind in (0x01, 0x08) for f in m.fields
            if f.name.startswith(("dim", "max dim", "chunk dim", "contiguous size", "compact size"))]


def op_huge_shape(rng, sm, data, note, fields):
    """Dataspace dimensions or chunk dimensions that claim far more than the file holds."""
    for field in rng.sample(fields, min(len(fields), rng.randint(1, 2))):
        top = (1 << (8 * field.width)) - 1
        value = rng.choice([10 ** 15, 10 ** 12, 1 << 31, 1 << 40, (1 << 63) - 1, 1 << 63, top, top - 1,
                            10 ** 9, 10 ** 7, 0]) & top
        old = read_int(data, field.offset, field.width)
        write_int(data, field.offset, field.width, value)
        note.append(f"{field.name} @{field.offset}: {old} -> {value}")


def nodes_with(sm, signatures):
    """The map's (signature, address) nodes whose signature is one of `signatures`."""
    return [n for n in sm.nodes if n[0].encode() in signatures]


def op_index_node(rng, sm, data, note, nodes):
    signature, at = rng.choice(nodes)
    o = sm.offset_size
    choice = rng.random()
    if choice < 0.5:
        # An 8-byte word somewhere in the node's first 256 bytes: child pointers, keys, counts.
        offset = at + 4 + rng.randrange(0, 252)
        width = rng.choice([1, 2, 4, o])
        value_choice = rng.random()
        if value_choice < 0.3:
            value = at  # point back at the node itself (a cycle)
        elif value_choice < 0.5:
            value = rng.choice([n[1] for n in sm.nodes])  # another node
        else:
            value = rng.choice(interesting_values(width, len(data), read_int(data, offset, width)))
        if write_int(data, offset, width, value):
            note.append(f"{signature} node at {at}: {width} bytes at +{offset - at} -> {value}")
    elif choice < 0.8:
        offset = at + rng.randrange(4, 64)
        if offset < len(data):
            bit = rng.randrange(8)
            data[offset] ^= 1 << bit
            note.append(f"{signature} node at {at}: flip bit {bit} at +{offset - at}")
    else:
        # v1 B-tree: node type, level, entries used; others: version / type bytes.
        offset = at + rng.choice([4, 5, 6, 7])
        old = data[offset] if offset < len(data) else 0
        value = rng.choice([0, 1, 2, 0x7F, 0xFF, old + 1])
        if write_int(data, offset, 1, value):
            note.append(f"{signature} node at {at}: byte +{offset - at}: {old} -> {value}")


def op_chunk(rng, sm, data, note, chunks):
    name, start, size = rng.choice(chunks)
    choice = rng.random()
    if choice < 0.5:
        at = start + rng.randrange(size)
        bit = rng.randrange(8)
        data[at] ^= 1 << bit
        note.append(f"chunk of {name} at {start}: flip bit {bit} at +{at - start}")
    elif choice < 0.8:
        at = start + rng.randrange(size)
        length = min(rng.randint(1, 32), len(data) - at)
        data[at:at + length] = bytes(rng.getrandbits(8) for _ in range(length))
        note.append(f"chunk of {name} at {start}: {length} random bytes at +{at - start}")
    else:
        # The stored bytes' tail (fletcher32 checksum, deflate trailer).
        at = start + size - rng.randint(1, min(8, size))
        data[at] ^= 0xFF
        note.append(f"chunk of {name} at {start}: invert byte +{at - start} (tail)")


def op_heap(rng, sm, data, note, nodes):
    signature, at = rng.choice(nodes)
    o, l = sm.offset_size, sm.length_size
    if signature == "HEAP" and rng.random() < 0.5:
        # Local heap: data segment size, free list offset, data segment address; or the data.
        fields = [Field("heap data size", at + 8, l), Field("heap free list", at + 8 + l, l),
                  Field("heap data address", at + 8 + 2 * l, o)]
        if rng.random() < 0.5:
            mutate_field(rng, data, rng.choice(fields), note)
        else:
            segment = read_int(data, at + 8 + 2 * l, o)
            size = read_int(data, at + 8, l)
            if 0 < segment < len(data) and size > 0:
                offset = segment + rng.randrange(min(size, len(data) - segment))
                old = data[offset]
                data[offset] = rng.choice([0x2F, 0x00, 0xFF, 0x41, old ^ 0x20])
                note.append(f"local heap data at {segment}: byte +{offset - segment}: {old} -> {data[offset]}")
        return
    if signature == "GCOL" and rng.random() < 0.6:
        # Global heap collection: size, then objects (index 2, refcount 2, reserved 4, size L, data).
        fields = [Field("collection size", at + 8, l), Field("object 1 index", at + 8 + l, 2),
                  Field("object 1 size", at + 16 + l, l)]
        if rng.random() < 0.6:
            mutate_field(rng, data, rng.choice(fields), note)
        else:
            offset = at + 16 + 2 * l + rng.randrange(16)
            if offset < len(data):
                data[offset] = rng.choice([0, 0xFF, 0x80, data[offset] ^ 1])
                note.append(f"global heap object data byte at {offset}")
        return
    offset = at + 4 + rng.randrange(60)
    width = rng.choice([1, 2, 4, o])
    if write_int(data, offset, width, rng.choice(interesting_values(width, len(data), read_int(data, offset, width)))):
        note.append(f"{signature} at {at}: {width} bytes at +{offset - at} -> {read_int(data, offset, width)}")


# A mutation operator: how often it is drawn and, for one aimed at a part of the file, what it
# can aim at in a file (`targets(sm)`, passed to it); where a file has none, `fallback` runs.
Operator = collections.namedtuple("Operator", "function weight targets fallback", defaults=(None, "bitflip"))

OPERATORS = {
    "bitflip": Operator(op_bitflip, 14),
    "byterun": Operator(op_byterun, 10),
    "truncate": Operator(op_truncate, 8),
    "superblock": Operator(op_superblock, 10, lambda sm: sm.superblock_fields),
    "header": Operator(op_header, 8, lambda sm: sm.header_fields),
    "message": Operator(op_message, 18, lambda sm: sm.messages),
    "huge-shape": Operator(op_huge_shape, 8, shape_fields, fallback="message"),
    "index-node": Operator(op_index_node, 10, lambda sm: nodes_with(sm, INDEX_SIGNATURES)),
    "chunk": Operator(op_chunk, 6, lambda sm: sm.chunks),
    "heap": Operator(op_heap, 8, lambda sm: nodes_with(sm, HEAP_SIGNATURES)),
}


def apply_operator(name, rng, sm, data, notes):
    """Corrupts `data` with operator `name`, or with its fallback where the file has nothing for
    it to aim at."""
    operator = OPERATORS[name]
    if operator.targets is None:
        return operator.function(rng, sm, data, notes)
    targets = operator.targets(sm)
    if not targets:
        return apply_operator(operator.fallback, rng, sm, data, notes)
    operator.function(rng, sm, data, notes, targets)


def make_mutant(seed, index, seeds, maps):
    """Mutant `index` of run `seed`: (seed entry, operator name, bytes, notes)."""
    rng = random.Random(f"hdf5-fuzz:{seed}:{index}")
    entry = seeds[rng.randrange(len(seeds))]
    sm = maps[entry[0]]
    names = list(OPERATORS)
    weights = [OPERATORS[n].weight for n in names]
    data = bytearray(sm.data)
    notes = []
    operator = rng.choices(names, weights)[0]
    apply_operator(operator, rng, sm, data, notes)
    if operator != "truncate" and rng.random() < 0.15:
        # Now and then a second corruption on top.
        second = rng.choices([n for n in names if n != "truncate"],
                             [OPERATORS[n].weight for n in names if n != "truncate"])[0]
        apply_operator(second, rng, sm, data, notes)
        operator += "+" + second
    return entry, operator, bytes(data), notes


# ----------------------------------------------------------------------------------------------
# Running datatool


def commands_for(entry, path, train):
    _, _, features, labels = entry
    data = [path, "--features", features, "--labels", labels]
    commands = [
        ("inspect", ["inspect", path]),
        ("balance-stats", ["balance-stats"] + data),
        ("sample", ["sample"] + data + ["--batch-size", "3"]),
    ]
    if train:
        commands.append(("train", ["train"] + data + ["--epochs", "1", "--hidden", "4"]))
    return commands


def limit_memory(limit_bytes):
    def apply():
        if limit_bytes:
            resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    return apply


def classify(returncode, stderr, timed_out):
    if timed_out:
        return "hang", "timeout"
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return "crash", name
    if returncode == 0:
        return "ok", ""
    lines = stderr.splitlines()
    if len(lines) == 1 and lines[0].startswith("error:"):
        # Failures that only the probe process caught (libhdf5 crashed or looped there).
        if "in a separate check process" in lines[0]:
            return "clean", "probe-crash"
        if "reading its structure did not finish" in lines[0]:
            return "clean", "probe-timeout"
        return "clean", ""
    return "crash", f"exit {returncode} with unclean stderr"


def child_environment(options):
    environment = dict(os.environ)
    environment["SWIFT_BACKTRACE"] = "enable=no"  # crash reports cost seconds each
    if options.no_probe:
        environment["DATATOOL_PROBE"] = "off"
    else:
        environment["DATATOOL_PROBE_TIMEOUT"] = str(options.probe_timeout)
    return environment


def run_command(datatool, arguments, options, cwd):
    started = time.monotonic()
    try:
        process = subprocess.run([datatool] + arguments, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                 timeout=options.timeout, preexec_fn=limit_memory(options.memory_limit), cwd=cwd,
                                 env=child_environment(options))
        stderr = process.stderr.decode("utf-8", "replace")
        outcome, detail = classify(process.returncode, stderr, False)
        return outcome, detail, stderr, process.returncode, time.monotonic() - started
    except subprocess.TimeoutExpired as expired:
        stderr = (expired.stderr or b"").decode("utf-8", "replace")
        return "hang", "timeout", stderr, None, time.monotonic() - started


def run_mutant(datatool, entry, path, options, cwd):
    results = []
    for name, arguments in commands_for(entry, path, options.train):
        outcome, detail, stderr, code, seconds = run_command(datatool, arguments, options, cwd)
        results.append({"command": name, "outcome": outcome, "detail": detail, "status": code,
                        "stderr": stderr[-2000:], "seconds": round(seconds, 3)})
    worst = max(results, key=lambda r: SEVERITY[r["outcome"]])["outcome"]
    return worst, results


def failing_commands(results):
    return {r["command"]: (r["outcome"], r["detail"]) for r in results if r["outcome"] in ("crash", "hang")}


def same_failure(target):
    """A minimisation test: the commands in `target` still end as {command: (outcome, detail)}."""
    return lambda results: all(failing_commands(results).get(c) == v for c, v in target.items())


def same_messages(expectations):
    """A minimisation test: each command's stderr still contains its expected text."""
    def test(results):
        by_command = {r["command"]: r for r in results}
        return all(command in by_command and text in by_command[command]["stderr"]
                   for command, text in expectations.items())
    return test


def minimize(datatool, entry, original, mutant, options, cwd, keeps_failing):
    """Restores original bytes of `mutant` (same length only, delta debugging over the differing
    bytes) while `keeps_failing(results)` holds; returns the smaller mutant."""
    if len(original) != len(mutant):
        return mutant
    path = os.path.join(cwd, "minimize.h5")

    def still_fails(candidate):
        with open(path, "wb") as handle:
            handle.write(candidate)
        _, results = run_mutant(datatool, entry, path, options, cwd)
        return keeps_failing(results)

    current = bytearray(mutant)
    diff = [i for i in range(len(original)) if original[i] != current[i]]
    granularity = 2
    while len(diff) >= 2:
        size = max(1, len(diff) // granularity)
        pieces = [diff[i:i + size] for i in range(0, len(diff), size)]
        reduced = False
        for piece in pieces:
            candidate = bytearray(current)
            for i in piece:
                candidate[i] = original[i]
            if still_fails(bytes(candidate)):
                current = candidate
                diff = [i for i in diff if i not in set(piece)]
                granularity = max(granularity - 1, 2)
                reduced = True
                break
        if not reduced:
            if size == 1:
                break
            granularity = min(granularity * 2, len(diff))
    if os.path.exists(path):
        os.unlink(path)
    return bytes(current)


# ----------------------------------------------------------------------------------------------
# Main


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datatool", required=True, help="the datatool executable to test")
    parser.add_argument("--seed", type=int, default=1, help="fixed seed of the mutations (default 1)")
    parser.add_argument("--count", type=int, default=1000, help="number of mutants (default 1000)")
    parser.add_argument("--first", type=int, default=0, help="index of the first mutant (default 0)")
    parser.add_argument("--timeout", type=float, default=30.0,
                        help="seconds per command before it counts as a hang (default 30)")
    parser.add_argument("--probe-timeout", type=float, default=5.0,
                        help="DATATOOL_PROBE_TIMEOUT for datatool's probe process (default 5)")
    parser.add_argument("--no-probe", action="store_true",
                        help="run datatool with DATATOOL_PROBE=off (shows what only the probe catches)")
    parser.add_argument("--memory-limit", type=int, default=4 << 30,
                        help="address-space limit of each datatool run in bytes (default 4 GiB; 0 = none)")
    parser.add_argument("--jobs", type=int, default=1, help="mutants run in parallel (default 1)")
    parser.add_argument("--train", action="store_true", help="also run `train --epochs 1`")
    parser.add_argument("--failures", default="fuzz-failures", help="folder for crashing/hanging mutants")
    parser.add_argument("--work", help="work folder (default: a temporary one, removed at the end)")
    parser.add_argument("--minimize", action="store_true", help="shrink failing mutants before saving them")
    parser.add_argument("--json", help="write the summary as JSON to this file")
    parser.add_argument("--replay", nargs="+", metavar="FILE",
                        help="run the commands on these files (with /features and /labels) and classify")
    parser.add_argument("--write-seeds", metavar="DIR",
                        help="only write the valid seed files into DIR (a libFuzzer corpus) and exit")
    parser.add_argument("--shrink", nargs=2, metavar=("MUTANT", "ORIGINAL"),
                        help="shrink MUTANT towards ORIGINAL while every --expect holds; writes --output")
    parser.add_argument("--expect", action="append", default=[], metavar="COMMAND=TEXT",
                        help="with --shrink: COMMAND's stderr must keep containing TEXT")
    parser.add_argument("--output", help="with --shrink: where to write the shrunk file")
    parser.add_argument("--features", default="/features", help="with --shrink: the features dataset")
    parser.add_argument("--labels", default="/labels", help="with --shrink: the labels dataset")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    return parser.parse_args(argv)


def shrink(options):
    """--shrink MUTANT ORIGINAL --expect COMMAND=TEXT ...: writes the smallest change of ORIGINAL
    (restoring its bytes into MUTANT) for which every COMMAND's stderr still contains TEXT."""
    datatool = os.path.abspath(options.datatool)
    mutant_path, original_path = options.shrink
    expectations = dict(item.split("=", 1) for item in options.expect)
    entry = ("shrink", mutant_path, options.features, options.labels)
    with open(mutant_path, "rb") as handle:
        mutant = handle.read()
    with open(original_path, "rb") as handle:
        original = handle.read()
    work = tempfile.mkdtemp(prefix="hdf5-shrink-")
    _, results = run_mutant(datatool, entry, os.path.abspath(mutant_path), options, work)
    if not same_messages(expectations)(results):
        print("hdf5_fuzz: the mutant does not fail as expected to begin with:", file=sys.stderr)
        for r in results:
            print(f"    {r['command']:14} {r['outcome']:6} {r['stderr'].strip()[:300]}", file=sys.stderr)
        return 2
    smaller = minimize(datatool, entry, original, mutant, options, work, same_messages(expectations))
    shutil.rmtree(work, ignore_errors=True)
    changed = [i for i in range(min(len(original), len(smaller))) if original[i] != smaller[i]]
    with open(options.output, "wb") as handle:
        handle.write(smaller)
    print(f"{options.output}: {len(changed)} bytes differ from {original_path} "
          f"(was {sum(a != b for a, b in zip(original, mutant))}) at {changed[:24]}")
    return 0


def replay(options):
    datatool = os.path.abspath(options.datatool)
    failures = 0
    for path in options.replay:
        entry = ("replay", path, "/features", "/labels")
        note = path + ".json"
        if os.path.exists(note):
            with open(note) as handle:
                saved = json.load(handle)
            entry = ("replay", path, saved.get("features", "/features"), saved.get("labels", "/labels"))
        worst, results = run_mutant(datatool, entry, os.path.abspath(path), options, os.path.dirname(os.path.abspath(path)))
        print(f"{worst:6} {path}")
        for r in results:
            print(f"    {r['command']:14} {r['outcome']:6} {r['detail']} {r['stderr'].strip()[:200]}")
        failures += worst in ("crash", "hang")
    return 1 if failures else 0


def main(argv):
    options = parse_arguments(argv)
    if options.replay:
        return replay(options)
    if options.shrink:
        return shrink(options)
    datatool = os.path.abspath(options.datatool)
    if not os.access(datatool, os.X_OK):
        print(f"hdf5_fuzz: {datatool} is not an executable; build it first (swift build)", file=sys.stderr)
        return 2
    if options.write_seeds:
        os.makedirs(options.write_seeds, exist_ok=True)
        for entry in make_seeds(options.write_seeds, datatool):
            print(entry[1])
        return 0
    work = options.work or tempfile.mkdtemp(prefix="hdf5-fuzz-")
    os.makedirs(work, exist_ok=True)
    seed_folder = os.path.join(work, "seeds")
    os.makedirs(seed_folder, exist_ok=True)
    started = time.monotonic()
    seeds = make_seeds(seed_folder, datatool)
    maps = {entry[0]: build_map(entry[1]) for entry in seeds}

    # The seeds themselves must pass every command.
    for entry in seeds:
        worst, results = run_mutant(datatool, entry, entry[1], options, work)
        if worst != "ok":
            print(f"hdf5_fuzz: seed {entry[0]} does not pass: {results}", file=sys.stderr)
            return 2

    if not options.quiet:
        for name, sm in maps.items():
            print(f"seed {name:10} {len(sm.data):6} bytes: {len(sm.superblock_fields)} superblock fields, "
                  f"{len(sm.messages)} header messages, {len(sm.nodes)} nodes, {len(sm.chunks)} data blocks")

    table = {}
    per_command = {}
    failures = []
    failure_folder = os.path.abspath(options.failures)
    mutant_folder = os.path.join(work, "mutants")
    os.makedirs(mutant_folder, exist_ok=True)

    def one(index):
        entry, operator, data, notes = make_mutant(options.seed, index, seeds, maps)
        path = os.path.join(mutant_folder, f"mutant-{index:05d}.h5")
        with open(path, "wb") as handle:
            handle.write(data)
        worst, results = run_mutant(datatool, entry, path, options, work)
        return index, entry, operator, data, notes, path, worst, results

    indices = range(options.first, options.first + options.count)
    if options.jobs > 1:
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(options.jobs) as pool:
            outcomes = list(pool.map(one, indices))
    else:
        outcomes = map(one, indices)

    done = 0
    for index, entry, operator, data, notes, path, worst, results in outcomes:
        done += 1
        base_operator = operator.split("+")[0]
        row = table.setdefault(base_operator, dict.fromkeys(COLUMNS, 0))
        row[worst] += 1
        row["probe"] += any(r["detail"].startswith("probe") for r in results)
        for r in results:
            counts = per_command.setdefault(r["command"], dict.fromkeys(COLUMNS, 0))
            counts[r["outcome"]] += 1
            counts["probe"] += r["detail"].startswith("probe")
        if worst in ("crash", "hang"):
            target = failing_commands(results)
            if options.minimize:
                data = minimize(datatool, entry, maps[entry[0]].data, data, options, work, same_failure(target))
            os.makedirs(failure_folder, exist_ok=True)
            name = f"mutant-s{options.seed}-{index:05d}-{entry[0]}-{worst}"
            saved = os.path.join(failure_folder, name + ".h5")
            with open(saved, "wb") as handle:
                handle.write(data)
            record = {"seed": options.seed, "index": index, "seed_file": entry[0], "operator": operator,
                      "mutations": notes, "features": entry[2], "labels": entry[3], "outcome": worst,
                      "minimized": options.minimize, "results": results}
            with open(saved + ".json", "w") as handle:
                json.dump(record, handle, indent=2)
            failures.append(record | {"file": saved})
            if not options.quiet:
                bad = ", ".join(f"{c}: {o} {d}" for c, (o, d) in target.items())
                print(f"[{index}] {worst.upper()} {entry[0]} {operator}: {'; '.join(notes)[:200]} -> {bad}")
        if not options.quiet and done % 100 == 0:
            print(f"... {done}/{options.count} mutants, {time.monotonic() - started:.0f} s", flush=True)
        os.unlink(path)

    totals = dict.fromkeys(COLUMNS, 0)
    for row in table.values():
        for key in COLUMNS:
            totals[key] += row[key]

    print()
    print(f"hdf5 fuzz: seed {options.seed}, mutants {options.first}..<{options.first + options.count}, "
          f"{time.monotonic() - started:.1f} s")
    header = f"{'operator':14} {'mutants':>8} " + " ".join(f"{o:>7}" for o in COLUMNS)
    print(header)
    print("-" * len(header))
    for name in sorted(table):
        row = table[name]
        print(f"{name:14} {sum(row[o] for o in OUTCOMES):8} " + " ".join(f"{row[o]:7}" for o in COLUMNS))
    print("-" * len(header))
    print(f"{'total':14} {sum(totals[o] for o in OUTCOMES):8} " + " ".join(f"{totals[o]:7}" for o in COLUMNS))
    print()
    print(f"{'command':14} {'runs':>8} " + " ".join(f"{o:>7}" for o in COLUMNS))
    for name, row in per_command.items():
        print(f"{name:14} {sum(row[o] for o in OUTCOMES):8} " + " ".join(f"{row[o]:7}" for o in COLUMNS))
    print("\nprobe: clean errors that only datatool's probe process caught (libhdf5 crashed or looped in it)")
    if failures:
        print(f"\n{len(failures)} failing mutants written to {failure_folder} "
              f"(replay: {sys.argv[0]} --datatool {options.datatool} --replay FILE.h5)")

    if options.json:
        with open(options.json, "w") as handle:
            json.dump({"seed": options.seed, "first": options.first, "count": options.count,
                       "totals": totals, "operators": table, "commands": per_command,
                       "failures": [{k: f[k] for k in ("file", "index", "seed_file", "operator", "mutations", "outcome")}
                                    | {"commands": {r["command"]: [r["outcome"], r["detail"], r["stderr"][-300:]]
                                                    for r in f["results"]}}
                                    for f in failures]}, handle, indent=2)
    if not options.work:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if totals["crash"] or totals["hang"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
