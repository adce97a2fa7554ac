meta:
  id: libvirt_qemu_save
  title: libvirt QEMU save image (virsh save, managedsave, snapshot memory)
  application: libvirt (QEMU driver)
  file-extension: save
  license: MIT
  ks-version: '0.11'
  imports:
    - qemu_migration
    - lzop
doc: |
  What `virsh save`, `virsh managedsave` and the memory part of an external
  libvirt snapshot write for a QEMU domain: a 92-byte header
  (`virQEMUSaveHeader`), the domain XML and the migration cookie, zero
  padding (libvirt reserves room to edit the XML in place), then the QEMU
  migration stream from `92 + data_len` to the end of the file.

  The header's integers are in the saving host's byte order: libvirt
  reads them natively and, if the version is then above 2, byte-swaps
  the header and tries again. So does this grammar (`byte_order_probe`).

  The stream is written as QEMU sends it (format `raw`), through a
  compressor libvirt starts with `-c` (`gzip`, `bzip2`, `xz`, `lzop`,
  `zstd`: libvirt decompresses with `PROG -dc`), or by QEMU itself with
  the mapped-ram capability (format `sparse`, libvirt 10.10 and later):
  then the RAM pages sit at fixed offsets of the image, which is a sparse
  file, and the stream's bitmap and page offsets count from the start of
  the image, not of the stream.

  `magic` is `LibvirtQemudPart` while libvirt is still writing the image:
  it writes the header last, so such an image was never finished (libvirt
  refuses it: "save image is incomplete").
doc-ref:
  - https://gitlab.com/libvirt/libvirt/-/blob/v11.3.0/src/qemu/qemu_saveimage.h
  - https://gitlab.com/libvirt/libvirt/-/blob/v11.3.0/src/qemu/qemu_saveimage.c
  - https://gitlab.com/libvirt/libvirt/-/blob/v11.3.0/src/qemu/qemu_saveimage_format.h
seq:
  - id: image_header
    type: image_header
  - id: domain_data
    type: domain_data(image_header.fields.len_xml, image_header.fields.data_len)
  - id: stream
    type: qemu_migration
    size-eos: true
    if: image_header.fields.format == save_format::raw
    doc: The QEMU migration stream, as QEMU wrote it.
  - id: lzop_stream
    type: lzop
    size-eos: true
    if: image_header.fields.format == save_format::lzop
    doc: The QEMU migration stream compressed by `lzop -c`.
  - id: payload
    size-eos: true
    if: >-
      image_header.fields.format != save_format::raw
      and image_header.fields.format != save_format::lzop
    doc: |
      The stream compressed by the format's program (gzip: 1f 8b, bzip2:
      "BZh", xz: fd "7zXZ", zstd: 28 b5 2f fd), or for `sparse` the
      mapped-ram stream whose offsets count from the start of the image.
types:
  image_header:
    doc: |
      The 92-byte header; `len` is where the QEMU stream starts. Usable on
      its own (it needs nothing from the root).
    seq:
      - id: magic
        type: str
        size: 16
        encoding: ASCII
        valid:
          any-of:
            - '"LibvirtQemudSave"'
            - '"LibvirtQemudPart"'
      - id: fields
        type: header_fields
    instances:
      byte_order_probe:
        pos: 16
        type: u4le
        doc: The version read little-endian; above 2 the header is big-endian.
      is_complete:
        value: magic == "LibvirtQemudSave"
      len:
        value: 92 + fields.data_len
        doc: Offset of the QEMU stream (or of the compressed data).
  domain_data:
    doc: The `data_len` bytes after the header.
    params:
      - id: len_xml
        type: u4
      - id: len_data
        type: u4
    seq:
      - id: domain_xml
        type: strz
        size: len_xml
        encoding: UTF-8
        doc: |
          The domain XML (NUL-terminated), as `virsh save-image-dumpxml`
          reads it. `virsh save-image-define` may have rewritten it in
          place since the save.
      - id: cookie
        type: strz
        size: len_data - len_xml
        encoding: UTF-8
        doc: |
          The migration cookie XML (`<cookie>`, NUL-terminated; the CPU
          model and other facts the restore needs), then zero padding.
          Empty in version 1 images.
  header_fields:
    meta:
      endian:
        switch-on: _parent.byte_order_probe > 2
        cases:
          false: le
          true: be
    seq:
      - id: version
        type: u4
        valid:
          min: 1
          max: 2
        doc: QEMU_SAVE_VERSION (2; 1 before the cookie, libvirt < 1.3.0).
      - id: data_len
        type: u4
        valid:
          min: 1
        doc: Bytes of domain XML, cookie and padding after the header.
      - id: was_running
        type: u4
        doc: 1 if the domain was running when saved (restored running).
      - id: format
        type: u4
        enum: save_format
        doc: How the stream is stored (`compressed` in libvirt < 10.10).
      - id: cookie_offset
        type: u4
        valid:
          max: data_len
        doc: Where the cookie starts, after the XML; 0 = no cookie.
      - id: unused
        type: u4
        repeat: expr
        repeat-expr: 14
    instances:
      len_xml:
        value: 'cookie_offset != 0 ? cookie_offset : data_len'
enums:
  save_format:
    0: raw
    1: gzip
    2: bzip2
    3: xz
    4: lzop
    5: zstd
    6: sparse
