meta:
  id: lzop
  title: lzop compressed file
  application: lzop (libvirt's `lzop` save image format)
  file-extension: lzo
  license: MIT
  ks-version: '0.11'
  endian: be
doc: |
  The file framing of lzop (one file, not multipart): a magic, a header,
  then blocks of at most 64 MiB of data each compressed on its own with
  LZO1X (or stored when that does not make it smaller), each with the
  checksums the header's flags ask for; a block of length 0 ends the file.
  The blocks' data is LZO1X (lzo1x_decompress_safe), which no Kaitai
  process routine decodes: a reader decompresses `data` itself.
doc-ref:
  - https://github.com/nemequ/lzop/blob/master/src/lzop.c (read_header)
  - https://github.com/nemequ/lzop/blob/master/src/p_lzo.c (lzo_decompress)
seq:
  - id: magic
    contents: [0x89, 0x4c, 0x5a, 0x4f, 0x00, 0x0d, 0x0a, 0x1a, 0x0a]
  - id: header
    type: header
  - id: blocks
    type: block(header.flags)
    repeat: until
    repeat-until: _.len_uncompressed == 0
types:
  header:
    seq:
      - id: version
        type: u2
        valid:
          min: 0x0900
        doc: The lzop version that wrote the file (BCD, e.g. 0x1040 = 1.04).
      - id: lib_version
        type: u2
        doc: The LZO library version.
      - id: version_needed_to_extract
        type: u2
        if: version >= 0x0940
      - id: method
        type: u1
        enum: method
        doc: |
          The LZO1X variant that compressed the blocks (all three decompress
          alike); lzop builds with other algorithms write other numbers.
      - id: level
        type: u1
        if: version >= 0x0940
      - id: flags
        type: u4
        doc: F_* bits (see the instances); the top byte names the OS.
      - id: filter
        type: u4
        if: flags & 0x800 != 0
      - id: mode
        type: u4
        doc: Unix mode of the original file (0 when read from stdin).
      - id: mtime_low
        type: u4
      - id: mtime_high
        type: u4
        if: version >= 0x0940
      - id: len_name
        type: u1
      - id: name
        size: len_name
        doc: The original file's name (empty when compressed from stdin).
      - id: header_checksum
        type: u4
        doc: Adler-32 (CRC-32 with F_H_CRC32) of the header from `version` on.
      - id: extra_field
        type: extra_field
        if: flags & 0x40 != 0
    instances:
      has_adler32_d:
        value: flags & 0x1 != 0
      has_adler32_c:
        value: flags & 0x2 != 0
      has_crc32_d:
        value: flags & 0x100 != 0
      has_crc32_c:
        value: flags & 0x200 != 0
      is_multipart:
        value: flags & 0x400 != 0
      has_header_crc32:
        value: flags & 0x1000 != 0
  extra_field:
    seq:
      - id: len_data
        type: u4
      - id: data
        size: len_data
      - id: checksum
        type: u4
  block:
    params:
      - id: flags
        type: u4
    seq:
      - id: len_uncompressed
        type: u4
        valid:
          max: 0x4000000
        doc: Bytes of data once decompressed; 0 ends the file. At most 64 MiB.
      - id: len_compressed
        type: u4
        if: len_uncompressed != 0
        valid:
          min: 1
          max: len_uncompressed
      - id: adler32_uncompressed
        type: u4
        if: len_uncompressed != 0 and flags & 0x1 != 0
      - id: crc32_uncompressed
        type: u4
        if: len_uncompressed != 0 and flags & 0x100 != 0
      - id: adler32_compressed
        type: u4
        if: len_uncompressed != 0 and flags & 0x2 != 0 and len_compressed < len_uncompressed
      - id: crc32_compressed
        type: u4
        if: len_uncompressed != 0 and flags & 0x200 != 0 and len_compressed < len_uncompressed
      - id: data
        size: len_compressed
        if: len_uncompressed != 0
        doc: |
          LZO1X data, or the bytes themselves when `is_stored`.
    instances:
      is_stored:
        value: len_uncompressed != 0 and len_compressed == len_uncompressed
enums:
  method:
    1: lzo1x_1
    2: lzo1x_1_15
    3: lzo1x_999
