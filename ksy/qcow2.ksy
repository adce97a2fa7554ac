meta:
  id: qcow2
  title: QEMU qcow2 disk image (versions 2 and 3), with internal snapshots
  application: QEMU (qemu-img, savevm)
  file-extension: qcow2
  license: MIT
  ks-version: '0.11'
  endian: be
doc: |
  The qcow2 image format as far as a reader of internal snapshots needs
  it: the header, its extensions, the snapshot table (with each snapshot's
  extra data: 64-bit VM state size, disk size, icount), the L1 tables of
  the image and of each snapshot, their L2 tables, and compressed-cluster
  descriptors. Refcounts, bitmaps and the encryption header are named
  but not decoded.

  A guest offset G of a cluster maps through L1[G >> (cluster_bits +
  l2_bits)], then entry (G >> cluster_bits) mod 2^l2_bits of that L2
  table, where l2_bits = cluster_bits - 3 (an L2 entry is 8 bytes), or
  cluster_bits - 4 with extended L2 entries (16 bytes: the entry and a
  subcluster bitmap of 32 subclusters).

  `savevm` stores a snapshot's VM state (a QEMU migration stream) in the
  same guest address space, after the disk: at guest offset
  ceil(disk_size / 2^(cluster_bits + l2_bits)) << (cluster_bits +
  l2_bits), read through the snapshot's own L1 table, `vm_state_size`
  bytes long (block/qcow2.c: qcow2_vm_state_offset). A reader computes
  that offset itself: it needs 64-bit shifts and divisions, which this
  grammar leaves out (JavaScript numbers are exact below 2^53 only).

  Offsets assembled from two 32-bit halves (`*_offset` instances) are
  cast to 64 bits, exact in every target below 2^63 (JavaScript: 2^53).
doc-ref:
  - https://github.com/qemu/qemu/blob/v10.0.0/docs/interop/qcow2.rst
  - https://github.com/qemu/qemu/blob/v10.0.0/block/qcow2.h
  - https://github.com/qemu/qemu/blob/v10.0.0/block/qcow2.c
  - https://github.com/qemu/qemu/blob/v10.0.0/block/qcow2-snapshot.c
seq:
  - id: header
    type: header
instances:
  cluster_size:
    value: (1 << header.cluster_bits).as<u4>
  is_extended_l2:
    value: header.version >= 3 and header.incompatible_features & 0x10 != 0
  l2_bits:
    value: 'header.cluster_bits - (is_extended_l2 ? 4 : 3)'
    doc: log2 of the entries of an L2 table (a table fills one cluster).
  extensions:
    pos: header.len_header
    size: 'header.backing_file_offset_lo != 0 and header.backing_file_offset_hi == 0 and header.backing_file_offset_lo < cluster_size ? header.backing_file_offset_lo - header.len_header : cluster_size - header.len_header'
    type: header_extensions
    doc: |
      Header extensions, from the end of the header to the backing file
      name if one is in the first cluster, else to the end of the first
      cluster (QEMU: qcow2_read_extensions).
  backing_file_name:
    pos: header.backing_file_offset
    size: header.backing_file_size
    type: str
    encoding: UTF-8
    if: header.backing_file_offset != 0
  l1_table:
    pos: header.l1_table_offset
    type: l1_entry
    repeat: expr
    repeat-expr: header.l1_size
    doc: The active image's L1 table.
  snapshots:
    pos: header.snapshots_offset
    type: snapshot(_index + 1 == header.nb_snapshots.as<s8>)
    repeat: expr
    repeat-expr: header.nb_snapshots
types:
  header:
    seq:
      - id: magic
        contents: [0x51, 0x46, 0x49, 0xfb]
        doc: '"QFI" 0xfb'
      - id: version
        type: u4
        valid:
          min: 2
          max: 3
      - id: backing_file_offset_hi
        type: u4
      - id: backing_file_offset_lo
        type: u4
      - id: backing_file_size
        type: u4
      - id: cluster_bits
        type: u4
        valid:
          min: 9
          max: 21
        doc: Clusters of 512 bytes to 2 MiB (QEMU refuses others).
      - id: size
        type: u8
        doc: Virtual disk size in bytes.
      - id: crypt_method
        type: u4
        enum: crypt_method
      - id: l1_size
        type: u4
      - id: l1_table_offset
        type: u8
      - id: refcount_table_offset
        type: u8
      - id: refcount_table_clusters
        type: u4
      - id: nb_snapshots
        type: u4
      - id: snapshots_offset
        type: u8
      - id: incompatible_features
        type: u8
        if: version >= 3
        doc: |
          Bits: 0 dirty, 1 corrupt, 2 external data file, 3 compression
          type (the field below), 4 extended L2 entries.
      - id: compatible_features
        type: u8
        if: version >= 3
      - id: autoclear_features
        type: u8
        if: version >= 3
      - id: refcount_order
        type: u4
        if: version >= 3
      - id: header_length
        type: u4
        if: version >= 3
        valid:
          min: 104
      - id: compression_type
        type: u1
        enum: compression_type
        if: version >= 3 and header_length > 104
    instances:
      len_header:
        value: 'version >= 3 ? header_length : 72'
      backing_file_offset:
        value: (backing_file_offset_hi.as<u8> * 4294967296 + backing_file_offset_lo).as<u8>
      has_external_data_file:
        value: version >= 3 and incompatible_features & 0x4 != 0
      compression:
        value: 'version >= 3 and header_length > 104 ? compression_type.to_i : 0'
        doc: 0 zlib (raw deflate, window 4 KiB), 1 zstd.
  header_extensions:
    seq:
      - id: entries
        type: header_extension
        repeat: until
        repeat-until: _.type == header_extension_type::end or _io.eof
  header_extension:
    seq:
      - id: type
        type: u4
        enum: header_extension_type
      - id: len_data
        type: u4
        if: type != header_extension_type::end
      - id: data
        size: len_data
        if: type != header_extension_type::end
      - id: padding
        size: (8 - len_data % 8) % 8
        if: type != header_extension_type::end
  l1_entry:
    doc: An L1 entry; bits 9-55 give the L2 table's offset, bit 63 "copied".
    seq:
      - id: hi
        type: u4
      - id: lo
        type: u4
    instances:
      is_copied:
        value: hi & 0x80000000 != 0
      l2_offset:
        value: ((hi & 0xffffff).as<u8> * 4294967296 + (lo & 0xfffffe00)).as<u8>
      l2_table:
        io: _root._io
        pos: l2_offset
        size: _root.cluster_size
        type: l2_table
        if: l2_offset != 0
  l2_table:
    seq:
      - id: entries
        type: l2_entry
        repeat: eos
  l2_entry:
    doc: |
      An L2 entry (and with extended L2 its subcluster bitmap). Bit 63
      "copied", bit 62 "compressed". A standard cluster: bits 9-55 host
      offset (0: unallocated), bit 0 "reads as zeros". A compressed
      cluster: see `shift_hi`.
    seq:
      - id: hi
        type: u4
      - id: lo
        type: u4
      - id: zero_subclusters
        type: u4
        if: _root.is_extended_l2
        doc: Bit n set = subcluster n reads as zeros (bitmap bits 32-63).
      - id: allocated_subclusters
        type: u4
        if: _root.is_extended_l2
        doc: Bit n set = subcluster n is allocated (bitmap bits 0-31).
    instances:
      is_copied:
        value: hi & 0x80000000 != 0
      is_compressed:
        value: hi & 0x40000000 != 0
      reads_as_zeros:
        value: not is_compressed and lo & 1 != 0
        doc: Standard cluster whose bit 0 says it reads as zeros (version 3).
      host_offset:
        value: ((hi & 0xffffff).as<u8> * 4294967296 + (lo & 0xfffffe00)).as<u8>
        if: not is_compressed
      shift_hi:
        value: 38 - _root.header.cluster_bits
        doc: |
          A compressed cluster's descriptor: with x = 62 - (cluster_bits - 8),
          bits 0 to x-1 are the host offset of the compressed data (any
          byte), bits x to 61 the number of 512-byte sectors it spans after
          the first. x is 49 to 61: the sector count lies in the high word,
          from bit x - 32 (this).
      offset_hi_mask:
        value: (1 << shift_hi) - 1
      sectors_bits:
        value: _root.header.cluster_bits - 8
      sectors_mask:
        value: (1 << sectors_bits) - 1
      compressed_offset:
        value: ((hi & offset_hi_mask).as<u8> * 4294967296 + lo).as<u8>
        if: is_compressed
      compressed_sectors:
        value: ((hi >> shift_hi) & sectors_mask) + 1
        if: is_compressed
      len_compressed:
        value: compressed_sectors * 512 - (lo & 511)
        if: is_compressed
        doc: Bytes from compressed_offset to the end of its last sector.
  snapshot:
    params:
      - id: is_last
        type: bool
        doc: The last entry has no padding after it (QEMU aligns each start).
    seq:
      - id: l1_table_offset
        type: u8
      - id: l1_size
        type: u4
      - id: len_id
        type: u2
      - id: len_name
        type: u2
      - id: date_sec
        type: u4
      - id: date_nsec
        type: u4
      - id: vm_clock_nsec
        type: u8
      - id: vm_state_size_32
        type: u4
        doc: The VM state's size; 0 = no VM state (a disk-only snapshot).
      - id: len_extra_data
        type: u4
      - id: extra_data
        type: snapshot_extra_data
        size: len_extra_data
      - id: id
        type: str
        size: len_id
        encoding: UTF-8
      - id: name
        type: str
        size: len_name
        encoding: UTF-8
      - id: padding
        size: (8 - (40 + len_extra_data + len_id + len_name) % 8) % 8
        if: not is_last
    instances:
      vm_state_size:
        value: 'len_extra_data >= 8 ? extra_data.vm_state_size : vm_state_size_32'
        doc: The 64-bit size where the extra data has it.
      l1_table:
        io: _root._io
        pos: l1_table_offset
        type: l1_entry
        repeat: expr
        repeat-expr: l1_size
  snapshot_extra_data:
    seq:
      - id: vm_state_size
        type: u8
        if: not _io.eof
      - id: disk_size
        type: u8
        if: not _io.eof
        doc: Disk size when the snapshot was taken (QEMU 2.0+ write it).
      - id: icount
        type: s8
        if: not _io.eof
        doc: Instructions executed (record/replay), -1 if not counted.
      - id: rest
        size-eos: true
enums:
  crypt_method:
    0: none
    1: aes
    2: luks
  compression_type:
    0: zlib
    1: zstd
  header_extension_type:
    0: end
    0xe2792aca: backing_file_format
    0x6803f857: feature_name_table
    0x23852875: bitmaps
    0x0537be77: full_disk_encryption
    0x44415441: external_data_file
