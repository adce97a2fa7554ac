// This is a generated file! Please edit source .ksy file and use kaitai-struct-compiler to rebuild

(function (root, factory) {
  if (typeof define === 'function' && define.amd) {
    define(['exports', 'kaitai-struct/KaitaiStream'], factory);
  } else if (typeof exports === 'object' && exports !== null && typeof exports.nodeType !== 'number') {
    factory(exports, require('kaitai-struct/KaitaiStream'));
  } else {
    factory(root.Qcow2 || (root.Qcow2 = {}), root.KaitaiStream);
  }
})(typeof self !== 'undefined' ? self : this, function (Qcow2_, KaitaiStream) {
/**
 * The qcow2 image format as far as a reader of internal snapshots needs
 * it: the header, its extensions, the snapshot table (with each snapshot's
 * extra data: 64-bit VM state size, disk size, icount), the L1 tables of
 * the image and of each snapshot, their L2 tables, and compressed-cluster
 * descriptors. Refcounts, bitmaps and the encryption header are named
 * but not decoded.
 * 
 * A guest offset G of a cluster maps through L1[G >> (cluster_bits +
 * l2_bits)], then entry (G >> cluster_bits) mod 2^l2_bits of that L2
 * table, where l2_bits = cluster_bits - 3 (an L2 entry is 8 bytes), or
 * cluster_bits - 4 with extended L2 entries (16 bytes: the entry and a
 * subcluster bitmap of 32 subclusters).
 * 
 * `savevm` stores a snapshot's VM state (a QEMU migration stream) in the
 * same guest address space, after the disk: at guest offset
 * ceil(disk_size / 2^(cluster_bits + l2_bits)) << (cluster_bits +
 * l2_bits), read through the snapshot's own L1 table, `vm_state_size`
 * bytes long (block/qcow2.c: qcow2_vm_state_offset). A reader computes
 * that offset itself: it needs 64-bit shifts and divisions, which this
 * grammar leaves out (JavaScript numbers are exact below 2^53 only).
 * 
 * Offsets assembled from two 32-bit halves (`*_offset` instances) are
 * cast to 64 bits, exact in every target below 2^63 (JavaScript: 2^53).
 * @see {@link https://github.com/qemu/qemu/blob/v10.0.0/docs/interop/qcow2.rst|Source}
 * @see {@link https://github.com/qemu/qemu/blob/v10.0.0/block/qcow2.h|Source}
 * @see {@link https://github.com/qemu/qemu/blob/v10.0.0/block/qcow2.c|Source}
 * @see {@link https://github.com/qemu/qemu/blob/v10.0.0/block/qcow2-snapshot.c|Source}
 */

var Qcow2 = (function() {
  Qcow2.CompressionType = Object.freeze({
    ZLIB: 0,
    ZSTD: 1,

    0: "ZLIB",
    1: "ZSTD",
  });

  Qcow2.CryptMethod = Object.freeze({
    NONE: 0,
    AES: 1,
    LUKS: 2,

    0: "NONE",
    1: "AES",
    2: "LUKS",
  });

  Qcow2.HeaderExtensionType = Object.freeze({
    END: 0,
    FULL_DISK_ENCRYPTION: 87539319,
    BITMAPS: 595929205,
    EXTERNAL_DATA_FILE: 1145132097,
    FEATURE_NAME_TABLE: 1745090647,
    BACKING_FILE_FORMAT: 3799591626,

    0: "END",
    87539319: "FULL_DISK_ENCRYPTION",
    595929205: "BITMAPS",
    1145132097: "EXTERNAL_DATA_FILE",
    1745090647: "FEATURE_NAME_TABLE",
    3799591626: "BACKING_FILE_FORMAT",
  });

  function Qcow2(_io, _parent, _root) {
    this._io = _io;
    this._parent = _parent;
    this._root = _root || this;

    this._read();
  }
  Qcow2.prototype._read = function() {
    this.header = new Header(this._io, this, this._root);
  }

  var Header = Qcow2.Header = (function() {
    function Header(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    Header.prototype._read = function() {
      this.magic = this._io.readBytes(4);
      if (!((KaitaiStream.byteArrayCompare(this.magic, new Uint8Array([81, 70, 73, 251])) == 0))) {
        throw new KaitaiStream.ValidationNotEqualError(new Uint8Array([81, 70, 73, 251]), this.magic, this._io, "/types/header/seq/0");
      }
      this.version = this._io.readU4be();
      if (!(this.version >= 2)) {
        throw new KaitaiStream.ValidationLessThanError(2, this.version, this._io, "/types/header/seq/1");
      }
      if (!(this.version <= 3)) {
        throw new KaitaiStream.ValidationGreaterThanError(3, this.version, this._io, "/types/header/seq/1");
      }
      this.backingFileOffsetHi = this._io.readU4be();
      this.backingFileOffsetLo = this._io.readU4be();
      this.backingFileSize = this._io.readU4be();
      this.clusterBits = this._io.readU4be();
      if (!(this.clusterBits >= 9)) {
        throw new KaitaiStream.ValidationLessThanError(9, this.clusterBits, this._io, "/types/header/seq/5");
      }
      if (!(this.clusterBits <= 21)) {
        throw new KaitaiStream.ValidationGreaterThanError(21, this.clusterBits, this._io, "/types/header/seq/5");
      }
      this.size = this._io.readU8be();
      this.cryptMethod = this._io.readU4be();
      this.l1Size = this._io.readU4be();
      this.l1TableOffset = this._io.readU8be();
      this.refcountTableOffset = this._io.readU8be();
      this.refcountTableClusters = this._io.readU4be();
      this.nbSnapshots = this._io.readU4be();
      this.snapshotsOffset = this._io.readU8be();
      if (this.version >= 3) {
        this.incompatibleFeatures = this._io.readU8be();
      }
      if (this.version >= 3) {
        this.compatibleFeatures = this._io.readU8be();
      }
      if (this.version >= 3) {
        this.autoclearFeatures = this._io.readU8be();
      }
      if (this.version >= 3) {
        this.refcountOrder = this._io.readU4be();
      }
      if (this.version >= 3) {
        this.headerLength = this._io.readU4be();
        if (!(this.headerLength >= 104)) {
          throw new KaitaiStream.ValidationLessThanError(104, this.headerLength, this._io, "/types/header/seq/18");
        }
      }
      if ( ((this.version >= 3) && (this.headerLength > 104)) ) {
        this.compressionType = this._io.readU1();
      }
    }
    Object.defineProperty(Header.prototype, 'backingFileOffset', {
      get: function() {
        if (this._m_backingFileOffset !== undefined)
          return this._m_backingFileOffset;
        this._m_backingFileOffset = (this.backingFileOffsetHi * 4294967296 + this.backingFileOffsetLo);
        return this._m_backingFileOffset;
      }
    });

    /**
     * 0 zlib (raw deflate, window 4 KiB), 1 zstd.
     */
    Object.defineProperty(Header.prototype, 'compression', {
      get: function() {
        if (this._m_compression !== undefined)
          return this._m_compression;
        this._m_compression = ( ((this.version >= 3) && (this.headerLength > 104))  ? this.compressionType : 0);
        return this._m_compression;
      }
    });
    Object.defineProperty(Header.prototype, 'hasExternalDataFile', {
      get: function() {
        if (this._m_hasExternalDataFile !== undefined)
          return this._m_hasExternalDataFile;
        this._m_hasExternalDataFile =  ((this.version >= 3) && ((this.incompatibleFeatures & 4) != 0)) ;
        return this._m_hasExternalDataFile;
      }
    });
    Object.defineProperty(Header.prototype, 'lenHeader', {
      get: function() {
        if (this._m_lenHeader !== undefined)
          return this._m_lenHeader;
        this._m_lenHeader = (this.version >= 3 ? this.headerLength : 72);
        return this._m_lenHeader;
      }
    });

    /**
     * "QFI" 0xfb
     */

    /**
     * Clusters of 512 bytes to 2 MiB (QEMU refuses others).
     */

    /**
     * Virtual disk size in bytes.
     */

    /**
     * Bits: 0 dirty, 1 corrupt, 2 external data file, 3 compression
     * type (the field below), 4 extended L2 entries.
     */

    return Header;
  })();

  var HeaderExtension = Qcow2.HeaderExtension = (function() {
    function HeaderExtension(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    HeaderExtension.prototype._read = function() {
      this.type = this._io.readU4be();
      if (this.type != Qcow2.HeaderExtensionType.END) {
        this.lenData = this._io.readU4be();
      }
      if (this.type != Qcow2.HeaderExtensionType.END) {
        this.data = this._io.readBytes(this.lenData);
      }
      if (this.type != Qcow2.HeaderExtensionType.END) {
        this.padding = this._io.readBytes(KaitaiStream.mod(8 - KaitaiStream.mod(this.lenData, 8), 8));
      }
    }

    return HeaderExtension;
  })();

  var HeaderExtensions = Qcow2.HeaderExtensions = (function() {
    function HeaderExtensions(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    HeaderExtensions.prototype._read = function() {
      this.entries = [];
      var i = 0;
      do {
        var _ = new HeaderExtension(this._io, this, this._root);
        this.entries.push(_);
        i++;
      } while (!( ((_.type == Qcow2.HeaderExtensionType.END) || (this._io.isEof())) ));
    }

    return HeaderExtensions;
  })();

  /**
   * An L1 entry; bits 9-55 give the L2 table's offset, bit 63 "copied".
   */

  var L1Entry = Qcow2.L1Entry = (function() {
    function L1Entry(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    L1Entry.prototype._read = function() {
      this.hi = this._io.readU4be();
      this.lo = this._io.readU4be();
    }
    Object.defineProperty(L1Entry.prototype, 'isCopied', {
      get: function() {
        if (this._m_isCopied !== undefined)
          return this._m_isCopied;
        this._m_isCopied = (this.hi & 2147483648) != 0;
        return this._m_isCopied;
      }
    });
    Object.defineProperty(L1Entry.prototype, 'l2Offset', {
      get: function() {
        if (this._m_l2Offset !== undefined)
          return this._m_l2Offset;
        this._m_l2Offset = ((this.hi & 16777215) * 4294967296 + (this.lo & 4294966784));
        return this._m_l2Offset;
      }
    });
    Object.defineProperty(L1Entry.prototype, 'l2Table', {
      get: function() {
        if (this._m_l2Table !== undefined)
          return this._m_l2Table;
        if (this.l2Offset != 0) {
          var io = this._root._io;
          var _pos = io.pos;
          io.seek(this.l2Offset);
          this._raw__m_l2Table = io.readBytes(this._root.clusterSize);
          var _io__raw__m_l2Table = new KaitaiStream(this._raw__m_l2Table);
          this._m_l2Table = new L2Table(_io__raw__m_l2Table, this, this._root);
          io.seek(_pos);
        }
        return this._m_l2Table;
      }
    });

    return L1Entry;
  })();

  /**
   * An L2 entry (and with extended L2 its subcluster bitmap). Bit 63
   * "copied", bit 62 "compressed". A standard cluster: bits 9-55 host
   * offset (0: unallocated), bit 0 "reads as zeros". A compressed
   * cluster: see `shift_hi`.
   */

  var L2Entry = Qcow2.L2Entry = (function() {
    function L2Entry(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    L2Entry.prototype._read = function() {
      this.hi = this._io.readU4be();
      this.lo = this._io.readU4be();
      if (this._root.isExtendedL2) {
        this.zeroSubclusters = this._io.readU4be();
      }
      if (this._root.isExtendedL2) {
        this.allocatedSubclusters = this._io.readU4be();
      }
    }
    Object.defineProperty(L2Entry.prototype, 'compressedOffset', {
      get: function() {
        if (this._m_compressedOffset !== undefined)
          return this._m_compressedOffset;
        if (this.isCompressed) {
          this._m_compressedOffset = ((this.hi & this.offsetHiMask) * 4294967296 + this.lo);
        }
        return this._m_compressedOffset;
      }
    });
    Object.defineProperty(L2Entry.prototype, 'compressedSectors', {
      get: function() {
        if (this._m_compressedSectors !== undefined)
          return this._m_compressedSectors;
        if (this.isCompressed) {
          this._m_compressedSectors = (this.hi >>> this.shiftHi & this.sectorsMask) + 1;
        }
        return this._m_compressedSectors;
      }
    });
    Object.defineProperty(L2Entry.prototype, 'hostOffset', {
      get: function() {
        if (this._m_hostOffset !== undefined)
          return this._m_hostOffset;
        if (!(this.isCompressed)) {
          this._m_hostOffset = ((this.hi & 16777215) * 4294967296 + (this.lo & 4294966784));
        }
        return this._m_hostOffset;
      }
    });
    Object.defineProperty(L2Entry.prototype, 'isCompressed', {
      get: function() {
        if (this._m_isCompressed !== undefined)
          return this._m_isCompressed;
        this._m_isCompressed = (this.hi & 1073741824) != 0;
        return this._m_isCompressed;
      }
    });
    Object.defineProperty(L2Entry.prototype, 'isCopied', {
      get: function() {
        if (this._m_isCopied !== undefined)
          return this._m_isCopied;
        this._m_isCopied = (this.hi & 2147483648) != 0;
        return this._m_isCopied;
      }
    });

    /**
     * Bytes from compressed_offset to the end of its last sector.
     */
    Object.defineProperty(L2Entry.prototype, 'lenCompressed', {
      get: function() {
        if (this._m_lenCompressed !== undefined)
          return this._m_lenCompressed;
        if (this.isCompressed) {
          this._m_lenCompressed = this.compressedSectors * 512 - (this.lo & 511);
        }
        return this._m_lenCompressed;
      }
    });
    Object.defineProperty(L2Entry.prototype, 'offsetHiMask', {
      get: function() {
        if (this._m_offsetHiMask !== undefined)
          return this._m_offsetHiMask;
        this._m_offsetHiMask = (1 << this.shiftHi) - 1;
        return this._m_offsetHiMask;
      }
    });

    /**
     * Standard cluster whose bit 0 says it reads as zeros (version 3).
     */
    Object.defineProperty(L2Entry.prototype, 'readsAsZeros', {
      get: function() {
        if (this._m_readsAsZeros !== undefined)
          return this._m_readsAsZeros;
        this._m_readsAsZeros =  ((!(this.isCompressed)) && ((this.lo & 1) != 0)) ;
        return this._m_readsAsZeros;
      }
    });
    Object.defineProperty(L2Entry.prototype, 'sectorsBits', {
      get: function() {
        if (this._m_sectorsBits !== undefined)
          return this._m_sectorsBits;
        this._m_sectorsBits = this._root.header.clusterBits - 8;
        return this._m_sectorsBits;
      }
    });
    Object.defineProperty(L2Entry.prototype, 'sectorsMask', {
      get: function() {
        if (this._m_sectorsMask !== undefined)
          return this._m_sectorsMask;
        this._m_sectorsMask = (1 << this.sectorsBits) - 1;
        return this._m_sectorsMask;
      }
    });

    /**
     * A compressed cluster's descriptor: with x = 62 - (cluster_bits - 8),
     * bits 0 to x-1 are the host offset of the compressed data (any
     * byte), bits x to 61 the number of 512-byte sectors it spans after
     * the first. x is 49 to 61: the sector count lies in the high word,
     * from bit x - 32 (this).
     */
    Object.defineProperty(L2Entry.prototype, 'shiftHi', {
      get: function() {
        if (this._m_shiftHi !== undefined)
          return this._m_shiftHi;
        this._m_shiftHi = 38 - this._root.header.clusterBits;
        return this._m_shiftHi;
      }
    });

    /**
     * Bit n set = subcluster n reads as zeros (bitmap bits 32-63).
     */

    /**
     * Bit n set = subcluster n is allocated (bitmap bits 0-31).
     */

    return L2Entry;
  })();

  var L2Table = Qcow2.L2Table = (function() {
    function L2Table(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    L2Table.prototype._read = function() {
      this.entries = [];
      var i = 0;
      while (!this._io.isEof()) {
        this.entries.push(new L2Entry(this._io, this, this._root));
        i++;
      }
    }

    return L2Table;
  })();

  var Snapshot = Qcow2.Snapshot = (function() {
    function Snapshot(_io, _parent, _root, isLast) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;
      this.isLast = isLast;

      this._read();
    }
    Snapshot.prototype._read = function() {
      this.l1TableOffset = this._io.readU8be();
      this.l1Size = this._io.readU4be();
      this.lenId = this._io.readU2be();
      this.lenName = this._io.readU2be();
      this.dateSec = this._io.readU4be();
      this.dateNsec = this._io.readU4be();
      this.vmClockNsec = this._io.readU8be();
      this.vmStateSize32 = this._io.readU4be();
      this.lenExtraData = this._io.readU4be();
      this._raw_extraData = this._io.readBytes(this.lenExtraData);
      var _io__raw_extraData = new KaitaiStream(this._raw_extraData);
      this.extraData = new SnapshotExtraData(_io__raw_extraData, this, this._root);
      this.id = KaitaiStream.bytesToStr(this._io.readBytes(this.lenId), "UTF-8");
      this.name = KaitaiStream.bytesToStr(this._io.readBytes(this.lenName), "UTF-8");
      if (!(this.isLast)) {
        this.padding = this._io.readBytes(KaitaiStream.mod(8 - KaitaiStream.mod(((40 + this.lenExtraData) + this.lenId) + this.lenName, 8), 8));
      }
    }
    Object.defineProperty(Snapshot.prototype, 'l1Table', {
      get: function() {
        if (this._m_l1Table !== undefined)
          return this._m_l1Table;
        var io = this._root._io;
        var _pos = io.pos;
        io.seek(this.l1TableOffset);
        this._m_l1Table = [];
        for (var i = 0; i < this.l1Size; i++) {
          this._m_l1Table.push(new L1Entry(io, this, this._root));
        }
        io.seek(_pos);
        return this._m_l1Table;
      }
    });

    /**
     * The 64-bit size where the extra data has it.
     */
    Object.defineProperty(Snapshot.prototype, 'vmStateSize', {
      get: function() {
        if (this._m_vmStateSize !== undefined)
          return this._m_vmStateSize;
        this._m_vmStateSize = (this.lenExtraData >= 8 ? this.extraData.vmStateSize : this.vmStateSize32);
        return this._m_vmStateSize;
      }
    });

    /**
     * The VM state's size; 0 = no VM state (a disk-only snapshot).
     */

    /**
     * The last entry has no padding after it (QEMU aligns each start).
     */

    return Snapshot;
  })();

  var SnapshotExtraData = Qcow2.SnapshotExtraData = (function() {
    function SnapshotExtraData(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    SnapshotExtraData.prototype._read = function() {
      if (!(this._io.isEof())) {
        this.vmStateSize = this._io.readU8be();
      }
      if (!(this._io.isEof())) {
        this.diskSize = this._io.readU8be();
      }
      if (!(this._io.isEof())) {
        this.icount = this._io.readS8be();
      }
      this.rest = this._io.readBytesFull();
    }

    /**
     * Disk size when the snapshot was taken (QEMU 2.0+ write it).
     */

    /**
     * Instructions executed (record/replay), -1 if not counted.
     */

    return SnapshotExtraData;
  })();
  Object.defineProperty(Qcow2.prototype, 'backingFileName', {
    get: function() {
      if (this._m_backingFileName !== undefined)
        return this._m_backingFileName;
      if (this.header.backingFileOffset != 0) {
        var _pos = this._io.pos;
        this._io.seek(this.header.backingFileOffset);
        this._m_backingFileName = KaitaiStream.bytesToStr(this._io.readBytes(this.header.backingFileSize), "UTF-8");
        this._io.seek(_pos);
      }
      return this._m_backingFileName;
    }
  });
  Object.defineProperty(Qcow2.prototype, 'clusterSize', {
    get: function() {
      if (this._m_clusterSize !== undefined)
        return this._m_clusterSize;
      this._m_clusterSize = (1 << this.header.clusterBits);
      return this._m_clusterSize;
    }
  });

  /**
   * Header extensions, from the end of the header to the backing file
   * name if one is in the first cluster, else to the end of the first
   * cluster (QEMU: qcow2_read_extensions).
   */
  Object.defineProperty(Qcow2.prototype, 'extensions', {
    get: function() {
      if (this._m_extensions !== undefined)
        return this._m_extensions;
      var _pos = this._io.pos;
      this._io.seek(this.header.lenHeader);
      this._raw__m_extensions = this._io.readBytes(( ((this.header.backingFileOffsetLo != 0) && (this.header.backingFileOffsetHi == 0) && (this.header.backingFileOffsetLo < this.clusterSize))  ? this.header.backingFileOffsetLo - this.header.lenHeader : this.clusterSize - this.header.lenHeader));
      var _io__raw__m_extensions = new KaitaiStream(this._raw__m_extensions);
      this._m_extensions = new HeaderExtensions(_io__raw__m_extensions, this, this._root);
      this._io.seek(_pos);
      return this._m_extensions;
    }
  });
  Object.defineProperty(Qcow2.prototype, 'isExtendedL2', {
    get: function() {
      if (this._m_isExtendedL2 !== undefined)
        return this._m_isExtendedL2;
      this._m_isExtendedL2 =  ((this.header.version >= 3) && ((this.header.incompatibleFeatures & 16) != 0)) ;
      return this._m_isExtendedL2;
    }
  });

  /**
   * The active image's L1 table.
   */
  Object.defineProperty(Qcow2.prototype, 'l1Table', {
    get: function() {
      if (this._m_l1Table !== undefined)
        return this._m_l1Table;
      var _pos = this._io.pos;
      this._io.seek(this.header.l1TableOffset);
      this._m_l1Table = [];
      for (var i = 0; i < this.header.l1Size; i++) {
        this._m_l1Table.push(new L1Entry(this._io, this, this._root));
      }
      this._io.seek(_pos);
      return this._m_l1Table;
    }
  });

  /**
   * log2 of the entries of an L2 table (a table fills one cluster).
   */
  Object.defineProperty(Qcow2.prototype, 'l2Bits', {
    get: function() {
      if (this._m_l2Bits !== undefined)
        return this._m_l2Bits;
      this._m_l2Bits = this.header.clusterBits - (this.isExtendedL2 ? 4 : 3);
      return this._m_l2Bits;
    }
  });
  Object.defineProperty(Qcow2.prototype, 'snapshots', {
    get: function() {
      if (this._m_snapshots !== undefined)
        return this._m_snapshots;
      var _pos = this._io.pos;
      this._io.seek(this.header.snapshotsOffset);
      this._m_snapshots = [];
      for (var i = 0; i < this.header.nbSnapshots; i++) {
        this._m_snapshots.push(new Snapshot(this._io, this, this._root, i + 1 == this.header.nbSnapshots));
      }
      this._io.seek(_pos);
      return this._m_snapshots;
    }
  });

  return Qcow2;
})();
Qcow2_.Qcow2 = Qcow2;
});
