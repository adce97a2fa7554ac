meta:
  id: qemu_multifd_channel
  title: QEMU multifd channel (MultiFDInit_t, then MultiFDPacket_t packets)
  application: QEMU (migrate with capability multifd over tcp:, unix:, fd:)
  license: MIT
  ks-version: '0.11'
  endian: be
doc: |
  One extra connection of a QEMU migration with capability `multifd` over a
  socket, from the source's first byte on that connection to its end. The
  main connection carries a normal QEVM stream (see qemu_migration.ksy) that
  then holds no RAM page data: QEMU 7.2 still sends ZERO records there,
  QEMU 9.0 and newer (zero-page-detection=multifd, the default) only the
  block list, MULTIFD_FLUSH and EOS. The pages travel in `multifd-channels`
  such connections, each written by its own thread.

  A channel starts with MultiFDInit_t (64 bytes: magic, version 1, the
  source's VM uuid, the channel number), then packets back to back until
  the source closes the connection. A packet is a fixed-size header
  (MultiFDPacket_t with room for 512 KiB of pages: 320 + 8 * (524288 /
  page size) bytes, 1344 for 4 KiB pages) followed by the pages it carries:
  plain pages one after the other, or (multifd-compression zlib) the
  next part of ONE zlib stream that runs through all packets of the
  channel (deflateInit once per channel; each packet ends with a
  Z_SYNC_FLUSH, so only the first packet starts with a zlib header).
  Since QEMU 10.0 a packet with flag DEVICE_STATE carries a device's
  state instead (MultiFDPacketDeviceState_t, VFIO).

  The page size is not written anywhere in a channel. The top-level type
  assumes 4096 (`page_size`); a reader of another target passes its page
  size (the main stream's) to `packet` / `packet_head`. QEMU fills every
  packet that carries pages with `pages_alloc` = 524288 / page size, which
  is how a reader can check the page size it assumed.

  Layout changes between versions: 7.2 has `uint64_t unused[4]` where 9.0
  put `zero_pages` (QEMU 7.2 leaves those bytes zero, so reading them as
  `zero_pages` gives 0 there); 10.0 moved magic, version and flags into
  MultiFDPacketHdr_t (same bytes) and added device-state packets. In QEMU
  7.2 a packet without normal pages (a SYNC packet, typically) keeps the
  previous packet's `next_packet_size` and `ramblock` (stale) and carries
  no payload, whatever `next_packet_size` says: the payload depends on
  `normal_pages` first (multifd.c multifd_recv_thread).

  Types meant to be used one at a time on a shared stream by a
  packet-by-packet reader: `channel_init`, `packet_head` (everything
  before the payload, with `len_payload`), `packet`.
doc-ref:
  - https://github.com/qemu/qemu/blob/v10.0.0/migration/multifd.h
  - https://github.com/qemu/qemu/blob/v10.0.0/migration/multifd.c
  - https://github.com/qemu/qemu/blob/v10.0.0/migration/multifd-nocomp.c
  - https://github.com/qemu/qemu/blob/v10.0.0/migration/multifd-zlib.c
  - https://github.com/qemu/qemu/blob/v7.2.0/migration/multifd.h
  - https://github.com/qemu/qemu/blob/v7.2.0/migration/multifd.c
  - https://github.com/qemu/qemu/blob/v7.2.0/migration/multifd-zlib.c
seq:
  - id: init
    type: channel_init
  - id: packets
    type: packet(page_size)
    repeat: eos
instances:
  page_size:
    value: 4096
    doc: |
      Target page size the packets are read with. A channel does not say
      it; 4096 is right for x86, s390x and most arm/aarch64 machines.
      Readers of other targets instantiate `packet(page_size)` themselves
      with the page size of the main stream (its JSON description's
      `page_size` or its configuration record).
types:
  channel_init:
    doc: |
      MultiFDInit_t (multifd.c multifd_send_initial_packet), packed, 64
      bytes, sent once when the channel connects. The destination checks
      the magic, the version, that the uuid is its own and that the id is
      below its `multifd-channels`.
    seq:
      - id: magic
        contents: [0x11, 0x22, 0x33, 0x44]
        doc: MULTIFD_MAGIC.
      - id: version
        type: u4
        valid: 1
        doc: MULTIFD_VERSION.
      - id: uuid
        size: 16
        doc: The source's qemu_uuid (-uuid), all zeros when none was given; the same on every channel.
      - id: channel_id
        -orig-id: id
        type: u1
        doc: Channel number, 0 to multifd-channels - 1.
      - id: unused1
        size: 7
      - id: unused2
        size: 32
        doc: uint64_t unused2[4].
  packet:
    doc: |
      One packet: its head and the payload the head announces (see
      `packet_head.len_payload`).
    params:
      - id: page_size
        type: u4
        doc: Target page size (a power of two, 1024 to 65536; MULTIFD_PACKET_SIZE is 512 KiB).
    seq:
      - id: head
        type: packet_head(page_size)
      - id: pages
        size: page_size
        repeat: expr
        repeat-expr: head.ram.normal_pages
        if: head.has_plain_pages
        doc: |
          Uncompressed: the normal pages, in the order of
          `head.ram.offsets`.
      - id: compressed_pages
        size: head.ram.next_packet_size
        if: head.has_compressed_pages
        doc: |
          Compressed: `next_packet_size` bytes that inflate to the normal
          pages in offset order. zlib: the next piece of the channel's one
          zlib stream, ending in a sync flush. zstd likewise (one stream per
          channel, ZSTD_e_flush). qpl, uadk and qatzip have layouts of
          their own inside these bytes.
      - id: device_state_data
        size: head.device_state.len_data
        if: head.is_device_state
        doc: |
          The device's state buffer (VFIO: a u32 version, u32 index, u32
          flags header, host-endian in QEMU 10.0.0, then the data).
  packet_head:
    doc: |
      Everything of a packet before its payload: MultiFDPacketHdr_t (magic,
      version, flags), then either the RAM packet header with its offset
      slots or, with flag DEVICE_STATE, the device-state header.
    params:
      - id: page_size
        type: u4
        doc: Target page size; fixes the number of offset slots.
    seq:
      - id: magic
        contents: [0x11, 0x22, 0x33, 0x44]
        doc: MULTIFD_MAGIC.
      - id: version
        type: u4
        valid: 1
        doc: MULTIFD_VERSION.
      - id: flags
        type: u4
        doc: |
          MULTIFD_FLAG_*: 0x01 SYNC, 0x3e the compression method
          (`compression`; 3 bits, 0x0e, in 7.2), 0x40 DEVICE_STATE (10.0).
      - id: ram
        type: ram_packet_head(page_size)
        if: not is_device_state
      - id: device_state
        type: device_state_packet_head
        if: is_device_state
    instances:
      is_sync:
        value: (flags & 0x01) != 0
        doc: |
          MULTIFD_FLAG_SYNC: the source ends a round here (one per channel
          for each ram EOS in 7.2, each MULTIFD_FLUSH or EOS later). In
          10.0 a SYNC packet carries nothing (pages_alloc 0); in 7.2 it may
          carry pages like any other.
      compression_raw:
        value: flags & 0x3e
      compression:
        value: compression_raw
        enum: compression
      is_device_state:
        value: (flags & 0x40) != 0
        doc: MULTIFD_FLAG_DEVICE_STATE (QEMU 10.0).
      has_plain_pages:
        value: not is_device_state and compression_raw == 0 and ram.normal_pages != 0
      has_compressed_pages:
        value: not is_device_state and compression_raw != 0 and ram.normal_pages != 0
      len_payload:
        value: >-
          is_device_state ? device_state.len_data :
          has_plain_pages ? ram.normal_pages * page_size :
          has_compressed_pages ? ram.next_packet_size : 0
        doc: |
          Bytes that follow the head. Decided by `normal_pages` first:
          QEMU 7.2 leaves a stale `next_packet_size` in packets without
          normal pages and sends no payload with them.
  ram_packet_head:
    doc: |
      The rest of MultiFDPacket_t after MultiFDPacketHdr_t, packed:
      counts, the RAM block name, and a slot for every page a packet can
      hold (`max_pages`), whether used or not.
    params:
      - id: page_size
        type: u4
    seq:
      - id: pages_alloc
        type: u4
        doc: |
          Offset slots the source allocated: 524288 / page size in every
          packet that carries pages; 0 in a 10.0 SYNC packet (which still
          has all `max_pages` slots). The destination refuses more than
          its own 524288 / page size.
      - id: normal_pages
        type: u4
        doc: Pages with data in this packet (at most pages_alloc).
      - id: next_packet_size
        type: u4
        doc: |
          Bytes of payload: normal_pages * page size uncompressed, the
          compressed size otherwise. Stale in 7.2 when normal_pages is 0.
      - id: packet_num
        type: u8
        doc: |
          Number from one counter across all channels of the migration,
          so packets of all channels sort into the order the source
          queued them.
      - id: zero_pages
        type: u4
        doc: |
          QEMU 9.0+ (zero-page-detection=multifd): pages that are all
          zeros, listed after the normal ones in `offsets`, with no data.
          Before 9.0 these bytes were part of `unused[4]` and zero.
      - id: unused32
        type: u4
      - id: unused64
        size: 24
      - id: ramblock
        type: strz
        size: 256
        encoding: ASCII
        doc: |
          idstr of the RAM block all pages of the packet belong to
          ("pc.ram", "/rom@etc/acpi/tables"), NUL-padded. Stale in 7.2
          when normal_pages is 0.
      - id: offsets
        type: u8
        repeat: expr
        repeat-expr: max_pages
        doc: |
          Byte offsets in the block: normal_pages of pages with data, then
          zero_pages of zero pages; the remaining slots are 0 (7.2: left
          over from earlier packets).
    instances:
      max_pages:
        value: 524288 / page_size
        doc: MULTIFD_PACKET_SIZE / page size, the number of offset slots (128 for 4 KiB pages).
  device_state_packet_head:
    doc: The rest of MultiFDPacketDeviceState_t (QEMU 10.0), packed.
    seq:
      - id: idstr
        type: strz
        size: 256
        encoding: ASCII
        doc: The SaveStateEntry idstr of the device, e.g. "0000:00:02.0/vfio".
      - id: instance_id
        type: u4
      - id: len_data
        -orig-id: next_packet_size
        type: u4
enums:
  compression:
    0x00:
      id: none
      -orig-id: MULTIFD_FLAG_NOCOMP
    0x02:
      id: zlib
      -orig-id: MULTIFD_FLAG_ZLIB
    0x04:
      id: zstd
      -orig-id: MULTIFD_FLAG_ZSTD
    0x08:
      id: qpl
      -orig-id: MULTIFD_FLAG_QPL
      doc: QEMU 9.1+, Intel IAA.
    0x10:
      id: uadk
      -orig-id: MULTIFD_FLAG_UADK
      doc: QEMU 9.1+, HiSilicon UADK.
    0x20:
      id: qatzip
      -orig-id: MULTIFD_FLAG_QATZIP
      doc: Intel QAT (QATzip).
