// This is a generated file! Please edit source .ksy file and use kaitai-struct-compiler to rebuild

(function (root, factory) {
  if (typeof define === 'function' && define.amd) {
    define(['exports', 'kaitai-struct/KaitaiStream'], factory);
  } else if (typeof exports === 'object' && exports !== null && typeof exports.nodeType !== 'number') {
    factory(exports, require('kaitai-struct/KaitaiStream'));
  } else {
    factory(root.QemuMultifdChannel || (root.QemuMultifdChannel = {}), root.KaitaiStream);
  }
})(typeof self !== 'undefined' ? self : this, function (QemuMultifdChannel_, KaitaiStream) {
/**
 * One extra connection of a QEMU migration with capability `multifd` over a
 * socket, from the source's first byte on that connection to its end. The
 * main connection carries a normal QEVM stream (see qemu_migration.ksy) that
 * then holds no RAM page data: QEMU 7.2 still sends ZERO records there,
 * QEMU 9.0 and newer (zero-page-detection=multifd, the default) only the
 * block list, MULTIFD_FLUSH and EOS. The pages travel in `multifd-channels`
 * such connections, each written by its own thread.
 * 
 * A channel starts with MultiFDInit_t (64 bytes: magic, version 1, the
 * source's VM uuid, the channel number), then packets back to back until
 * the source closes the connection. A packet is a fixed-size header
 * (MultiFDPacket_t with room for 512 KiB of pages: 320 + 8 * (524288 /
 * page size) bytes, 1344 for 4 KiB pages) followed by the pages it carries:
 * plain pages one after the other, or (multifd-compression zlib) the
 * next part of ONE zlib stream that runs through all packets of the
 * channel (deflateInit once per channel; each packet ends with a
 * Z_SYNC_FLUSH, so only the first packet starts with a zlib header).
 * Since QEMU 10.0 a packet with flag DEVICE_STATE carries a device's
 * state instead (MultiFDPacketDeviceState_t, VFIO).
 * 
 * The page size is not written anywhere in a channel. The top-level type
 * assumes 4096 (`page_size`); a reader of another target passes its page
 * size (the main stream's) to `packet` / `packet_head`. QEMU fills every
 * packet that carries pages with `pages_alloc` = 524288 / page size, which
 * is how a reader can check the page size it assumed.
 * 
 * Layout changes between versions: 7.2 has `uint64_t unused[4]` where 9.0
 * put `zero_pages` (QEMU 7.2 leaves those bytes zero, so reading them as
 * `zero_pages` gives 0 there); 10.0 moved magic, version and flags into
 * MultiFDPacketHdr_t (same bytes) and added device-state packets. In QEMU
 * 7.2 a packet without normal pages (a SYNC packet, typically) keeps the
 * previous packet's `next_packet_size` and `ramblock` (stale) and carries
 * no payload, whatever `next_packet_size` says: the payload depends on
 * `normal_pages` first (multifd.c multifd_recv_thread).
 * 
 * Types meant to be used one at a time on a shared stream by a
 * packet-by-packet reader: `channel_init`, `packet_head` (everything
 * before the payload, with `len_payload`), `packet`.
 * @see {@link https://github.com/qemu/qemu/blob/v10.0.0/migration/multifd.h|Source}
 * @see {@link https://github.com/qemu/qemu/blob/v10.0.0/migration/multifd.c|Source}
 * @see {@link https://github.com/qemu/qemu/blob/v10.0.0/migration/multifd-nocomp.c|Source}
 * @see {@link https://github.com/qemu/qemu/blob/v10.0.0/migration/multifd-zlib.c|Source}
 * @see {@link https://github.com/qemu/qemu/blob/v7.2.0/migration/multifd.h|Source}
 * @see {@link https://github.com/qemu/qemu/blob/v7.2.0/migration/multifd.c|Source}
 * @see {@link https://github.com/qemu/qemu/blob/v7.2.0/migration/multifd-zlib.c|Source}
 */

var QemuMultifdChannel = (function() {
  QemuMultifdChannel.Compression = Object.freeze({
    NONE: 0,
    ZLIB: 2,
    ZSTD: 4,
    QPL: 8,
    UADK: 16,
    QATZIP: 32,

    0: "NONE",
    2: "ZLIB",
    4: "ZSTD",
    8: "QPL",
    16: "UADK",
    32: "QATZIP",
  });

  function QemuMultifdChannel(_io, _parent, _root) {
    this._io = _io;
    this._parent = _parent;
    this._root = _root || this;

    this._read();
  }
  QemuMultifdChannel.prototype._read = function() {
    this.init = new ChannelInit(this._io, this, this._root);
    this.packets = [];
    var i = 0;
    while (!this._io.isEof()) {
      this.packets.push(new Packet(this._io, this, this._root, this.pageSize));
      i++;
    }
  }

  /**
   * MultiFDInit_t (multifd.c multifd_send_initial_packet), packed, 64
   * bytes, sent once when the channel connects. The destination checks
   * the magic, the version, that the uuid is its own and that the id is
   * below its `multifd-channels`.
   */

  var ChannelInit = QemuMultifdChannel.ChannelInit = (function() {
    function ChannelInit(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    ChannelInit.prototype._read = function() {
      this.magic = this._io.readBytes(4);
      if (!((KaitaiStream.byteArrayCompare(this.magic, new Uint8Array([17, 34, 51, 68])) == 0))) {
        throw new KaitaiStream.ValidationNotEqualError(new Uint8Array([17, 34, 51, 68]), this.magic, this._io, "/types/channel_init/seq/0");
      }
      this.version = this._io.readU4be();
      if (!(this.version == 1)) {
        throw new KaitaiStream.ValidationNotEqualError(1, this.version, this._io, "/types/channel_init/seq/1");
      }
      this.uuid = this._io.readBytes(16);
      this.channelId = this._io.readU1();
      this.unused1 = this._io.readBytes(7);
      this.unused2 = this._io.readBytes(32);
    }

    /**
     * MULTIFD_MAGIC.
     */

    /**
     * MULTIFD_VERSION.
     */

    /**
     * The source's qemu_uuid (-uuid), all zeros when none was given; the same on every channel.
     */

    /**
     * Channel number, 0 to multifd-channels - 1.
     */

    /**
     * uint64_t unused2[4].
     */

    return ChannelInit;
  })();

  /**
   * The rest of MultiFDPacketDeviceState_t (QEMU 10.0), packed.
   */

  var DeviceStatePacketHead = QemuMultifdChannel.DeviceStatePacketHead = (function() {
    function DeviceStatePacketHead(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    DeviceStatePacketHead.prototype._read = function() {
      this.idstr = KaitaiStream.bytesToStr(KaitaiStream.bytesTerminate(this._io.readBytes(256), 0, false), "ASCII");
      this.instanceId = this._io.readU4be();
      this.lenData = this._io.readU4be();
    }

    /**
     * The SaveStateEntry idstr of the device, e.g. "0000:00:02.0/vfio".
     */

    return DeviceStatePacketHead;
  })();

  /**
   * One packet: its head and the payload the head announces (see
   * `packet_head.len_payload`).
   */

  var Packet = QemuMultifdChannel.Packet = (function() {
    function Packet(_io, _parent, _root, pageSize) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;
      this.pageSize = pageSize;

      this._read();
    }
    Packet.prototype._read = function() {
      this.head = new PacketHead(this._io, this, this._root, this.pageSize);
      if (this.head.hasPlainPages) {
        this.pages = [];
        for (var i = 0; i < this.head.ram.normalPages; i++) {
          this.pages.push(this._io.readBytes(this.pageSize));
        }
      }
      if (this.head.hasCompressedPages) {
        this.compressedPages = this._io.readBytes(this.head.ram.nextPacketSize);
      }
      if (this.head.isDeviceState) {
        this.deviceStateData = this._io.readBytes(this.head.deviceState.lenData);
      }
    }

    /**
     * Uncompressed: the normal pages, in the order of
     * `head.ram.offsets`.
     */

    /**
     * Compressed: `next_packet_size` bytes that inflate to the normal
     * pages in offset order. zlib: the next piece of the channel's one
     * zlib stream, ending in a sync flush. zstd likewise (one stream per
     * channel, ZSTD_e_flush). qpl, uadk and qatzip have layouts of
     * their own inside these bytes.
     */

    /**
     * The device's state buffer (VFIO: a u32 version, u32 index, u32
     * flags header, host-endian in QEMU 10.0.0, then the data).
     */

    /**
     * Target page size (a power of two, 1024 to 65536; MULTIFD_PACKET_SIZE is 512 KiB).
     */

    return Packet;
  })();

  /**
   * Everything of a packet before its payload: MultiFDPacketHdr_t (magic,
   * version, flags), then either the RAM packet header with its offset
   * slots or, with flag DEVICE_STATE, the device-state header.
   */

  var PacketHead = QemuMultifdChannel.PacketHead = (function() {
    function PacketHead(_io, _parent, _root, pageSize) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;
      this.pageSize = pageSize;

      this._read();
    }
    PacketHead.prototype._read = function() {
      this.magic = this._io.readBytes(4);
      if (!((KaitaiStream.byteArrayCompare(this.magic, new Uint8Array([17, 34, 51, 68])) == 0))) {
        throw new KaitaiStream.ValidationNotEqualError(new Uint8Array([17, 34, 51, 68]), this.magic, this._io, "/types/packet_head/seq/0");
      }
      this.version = this._io.readU4be();
      if (!(this.version == 1)) {
        throw new KaitaiStream.ValidationNotEqualError(1, this.version, this._io, "/types/packet_head/seq/1");
      }
      this.flags = this._io.readU4be();
      if (!(this.isDeviceState)) {
        this.ram = new RamPacketHead(this._io, this, this._root, this.pageSize);
      }
      if (this.isDeviceState) {
        this.deviceState = new DeviceStatePacketHead(this._io, this, this._root);
      }
    }
    Object.defineProperty(PacketHead.prototype, 'compression', {
      get: function() {
        if (this._m_compression !== undefined)
          return this._m_compression;
        this._m_compression = this.compressionRaw;
        return this._m_compression;
      }
    });
    Object.defineProperty(PacketHead.prototype, 'compressionRaw', {
      get: function() {
        if (this._m_compressionRaw !== undefined)
          return this._m_compressionRaw;
        this._m_compressionRaw = this.flags & 62;
        return this._m_compressionRaw;
      }
    });
    Object.defineProperty(PacketHead.prototype, 'hasCompressedPages', {
      get: function() {
        if (this._m_hasCompressedPages !== undefined)
          return this._m_hasCompressedPages;
        this._m_hasCompressedPages =  ((!(this.isDeviceState)) && (this.compressionRaw != 0) && (this.ram.normalPages != 0)) ;
        return this._m_hasCompressedPages;
      }
    });
    Object.defineProperty(PacketHead.prototype, 'hasPlainPages', {
      get: function() {
        if (this._m_hasPlainPages !== undefined)
          return this._m_hasPlainPages;
        this._m_hasPlainPages =  ((!(this.isDeviceState)) && (this.compressionRaw == 0) && (this.ram.normalPages != 0)) ;
        return this._m_hasPlainPages;
      }
    });

    /**
     * MULTIFD_FLAG_DEVICE_STATE (QEMU 10.0).
     */
    Object.defineProperty(PacketHead.prototype, 'isDeviceState', {
      get: function() {
        if (this._m_isDeviceState !== undefined)
          return this._m_isDeviceState;
        this._m_isDeviceState = (this.flags & 64) != 0;
        return this._m_isDeviceState;
      }
    });

    /**
     * MULTIFD_FLAG_SYNC: the source ends a round here (one per channel
     * for each ram EOS in 7.2, each MULTIFD_FLUSH or EOS later). In
     * 10.0 a SYNC packet carries nothing (pages_alloc 0); in 7.2 it may
     * carry pages like any other.
     */
    Object.defineProperty(PacketHead.prototype, 'isSync', {
      get: function() {
        if (this._m_isSync !== undefined)
          return this._m_isSync;
        this._m_isSync = (this.flags & 1) != 0;
        return this._m_isSync;
      }
    });

    /**
     * Bytes that follow the head. Decided by `normal_pages` first:
     * QEMU 7.2 leaves a stale `next_packet_size` in packets without
     * normal pages and sends no payload with them.
     */
    Object.defineProperty(PacketHead.prototype, 'lenPayload', {
      get: function() {
        if (this._m_lenPayload !== undefined)
          return this._m_lenPayload;
        this._m_lenPayload = (this.isDeviceState ? this.deviceState.lenData : (this.hasPlainPages ? this.ram.normalPages * this.pageSize : (this.hasCompressedPages ? this.ram.nextPacketSize : 0)));
        return this._m_lenPayload;
      }
    });

    /**
     * MULTIFD_MAGIC.
     */

    /**
     * MULTIFD_VERSION.
     */

    /**
     * MULTIFD_FLAG_*: 0x01 SYNC, 0x3e the compression method
     * (`compression`; 3 bits, 0x0e, in 7.2), 0x40 DEVICE_STATE (10.0).
     */

    /**
     * Target page size; fixes the number of offset slots.
     */

    return PacketHead;
  })();

  /**
   * The rest of MultiFDPacket_t after MultiFDPacketHdr_t, packed:
   * counts, the RAM block name, and a slot for every page a packet can
   * hold (`max_pages`), whether used or not.
   */

  var RamPacketHead = QemuMultifdChannel.RamPacketHead = (function() {
    function RamPacketHead(_io, _parent, _root, pageSize) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;
      this.pageSize = pageSize;

      this._read();
    }
    RamPacketHead.prototype._read = function() {
      this.pagesAlloc = this._io.readU4be();
      this.normalPages = this._io.readU4be();
      this.nextPacketSize = this._io.readU4be();
      this.packetNum = this._io.readU8be();
      this.zeroPages = this._io.readU4be();
      this.unused32 = this._io.readU4be();
      this.unused64 = this._io.readBytes(24);
      this.ramblock = KaitaiStream.bytesToStr(KaitaiStream.bytesTerminate(this._io.readBytes(256), 0, false), "ASCII");
      this.offsets = [];
      for (var i = 0; i < this.maxPages; i++) {
        this.offsets.push(this._io.readU8be());
      }
    }

    /**
     * MULTIFD_PACKET_SIZE / page size, the number of offset slots (128 for 4 KiB pages).
     */
    Object.defineProperty(RamPacketHead.prototype, 'maxPages', {
      get: function() {
        if (this._m_maxPages !== undefined)
          return this._m_maxPages;
        this._m_maxPages = Math.floor(524288 / this.pageSize);
        return this._m_maxPages;
      }
    });

    /**
     * Offset slots the source allocated: 524288 / page size in every
     * packet that carries pages; 0 in a 10.0 SYNC packet (which still
     * has all `max_pages` slots). The destination refuses more than
     * its own 524288 / page size.
     */

    /**
     * Pages with data in this packet (at most pages_alloc).
     */

    /**
     * Bytes of payload: normal_pages * page size uncompressed, the
     * compressed size otherwise. Stale in 7.2 when normal_pages is 0.
     */

    /**
     * Number from one counter across all channels of the migration,
     * so packets of all channels sort into the order the source
     * queued them.
     */

    /**
     * QEMU 9.0+ (zero-page-detection=multifd): pages that are all
     * zeros, listed after the normal ones in `offsets`, with no data.
     * Before 9.0 these bytes were part of `unused[4]` and zero.
     */

    /**
     * idstr of the RAM block all pages of the packet belong to
     * ("pc.ram", "/rom@etc/acpi/tables"), NUL-padded. Stale in 7.2
     * when normal_pages is 0.
     */

    /**
     * Byte offsets in the block: normal_pages of pages with data, then
     * zero_pages of zero pages; the remaining slots are 0 (7.2: left
     * over from earlier packets).
     */

    return RamPacketHead;
  })();

  /**
   * Target page size the packets are read with. A channel does not say
   * it; 4096 is right for x86, s390x and most arm/aarch64 machines.
   * Readers of other targets instantiate `packet(page_size)` themselves
   * with the page size of the main stream (its JSON description's
   * `page_size` or its configuration record).
   */
  Object.defineProperty(QemuMultifdChannel.prototype, 'pageSize', {
    get: function() {
      if (this._m_pageSize !== undefined)
        return this._m_pageSize;
      this._m_pageSize = 4096;
      return this._m_pageSize;
    }
  });

  return QemuMultifdChannel;
})();
QemuMultifdChannel_.QemuMultifdChannel = QemuMultifdChannel;
});
