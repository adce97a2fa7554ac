// This is a generated file! Please edit source .ksy file and use kaitai-struct-compiler to rebuild

(function (root, factory) {
  if (typeof define === 'function' && define.amd) {
    define(['exports', 'kaitai-struct/KaitaiStream'], factory);
  } else if (typeof exports === 'object' && exports !== null && typeof exports.nodeType !== 'number') {
    factory(exports, require('kaitai-struct/KaitaiStream'));
  } else {
    factory(root.QemuMigration || (root.QemuMigration = {}), root.KaitaiStream);
  }
})(typeof self !== 'undefined' ? self : this, function (QemuMigration_, KaitaiStream) {
/**
 * The outer framing of the VM state stream that QEMU writes for
 * `migrate "exec:cat > FILE"`, `migrate file:FILE`, `savevm` snapshots
 * (inside qcow2) and libvirt save images: a header, then records until the
 * EOF record, then (usually) a JSON description of the device sections
 * (the VMDESCRIPTION trailer).
 * 
 * Records are sections (START/PART/END/FULL, each followed by a FOOTER
 * since QEMU 2.4), the CONFIGURATION record, COMMANDs and EOF. Their
 * payloads come in three kinds:
 * 
 * * RAM (`ram` section): self-delimiting page records, decoded in full
 *   (`ram_payload`).
 * * Other live sections with their own framing: `block`, `dirty-bitmap`,
 *   `spapr/htab`, `s390-storage_attributes`, `s390-skeys`, `todclock` and
 *   the vfio markers.
 * * Device (VMSD) sections: they carry NO length. Only the JSON description
 *   says how long each field is. This top-level type therefore SCANS each
 *   device payload forward to the first section footer with the section's
 *   own id (byte 0x7E followed by the be32 section id), so that the Web IDE
 *   can show every section of a footer-carrying stream with its payload
 *   bytes. The scan can mislead: a payload that happens to contain 0x7E
 *   followed by its own section id is cut short there (the rest then shows
 *   as bogus records). Streams written without footers (machine types
 *   pc-i440fx-2.3 and older, pseries-2.3 and older, Xen,
 *   `-global migration.send-section-footer=off`) have nothing to stop at:
 *   the first device payload then runs to the end of the file, which ends
 *   the record list cleanly (no exception), swallowing everything after
 *   it, including the description. Decoding device payloads exactly is the
 *   job of a reader of the JSON description (migkaitai).
 * 
 * The page size that RAM records need is not written as such in most
 * streams; see the `page_size` instance for how it is derived and which
 * streams it still misses.
 * 
 * Types meant to be used one at a time on a shared stream by a
 * record-by-record reader: `file_header`, `record_head`, `command`,
 * `section_footer`, `ram_record`, `vmdescription`, and the special-section
 * record types.
 * @see {@link https://github.com/qemu/qemu/blob/v10.0.0/migration/savevm.c|Source}
 * @see {@link https://github.com/qemu/qemu/blob/v10.0.0/migration/ram.c|Source}
 * @see {@link https://github.com/qemu/qemu/blob/v10.0.0/migration/vmstate.c|Source}
 * @see {@link https://github.com/qemu/qemu/blob/v10.0.0/docs/devel/migration/mapped-ram.rst|Source}
 */

var QemuMigration = (function() {
  QemuMigration.BlkMigFlag = Object.freeze({
    DEVICE_BLOCK: 1,
    EOS: 2,
    PROGRESS: 4,
    ZERO_BLOCK: 8,

    1: "DEVICE_BLOCK",
    2: "EOS",
    4: "PROGRESS",
    8: "ZERO_BLOCK",
  });

  QemuMigration.CommandType = Object.freeze({
    INVALID: 0,
    OPEN_RETURN_PATH: 1,
    PING: 2,
    POSTCOPY_ADVISE: 3,
    POSTCOPY_LISTEN: 4,
    POSTCOPY_RUN: 5,
    POSTCOPY_RAM_DISCARD: 6,
    PACKAGED: 7,
    ENABLE_COLO: 8,
    POSTCOPY_RESUME: 9,
    RECV_BITMAP: 10,
    SWITCHOVER_START: 11,

    0: "INVALID",
    1: "OPEN_RETURN_PATH",
    2: "PING",
    3: "POSTCOPY_ADVISE",
    4: "POSTCOPY_LISTEN",
    5: "POSTCOPY_RUN",
    6: "POSTCOPY_RAM_DISCARD",
    7: "PACKAGED",
    8: "ENABLE_COLO",
    9: "POSTCOPY_RESUME",
    10: "RECV_BITMAP",
    11: "SWITCHOVER_START",
  });

  QemuMigration.DirtyBitmapMigFlag = Object.freeze({
    EOS: 1,
    ZEROES: 2,
    BITMAP_NAME: 4,
    DEVICE_NAME: 8,
    START: 16,
    COMPLETE: 32,
    BITS: 64,
    EXTRA_FLAGS: 128,

    1: "EOS",
    2: "ZEROES",
    4: "BITMAP_NAME",
    8: "DEVICE_NAME",
    16: "START",
    32: "COMPLETE",
    64: "BITS",
    128: "EXTRA_FLAGS",
  });

  QemuMigration.FileVersion = Object.freeze({
    OBSOLETE_V2_REFUSED_BY_QEMU: 2,
    CURRENT: 3,

    2: "OBSOLETE_V2_REFUSED_BY_QEMU",
    3: "CURRENT",
  });

  QemuMigration.RamSaveFlag = Object.freeze({
    FULL: 1,
    ZERO: 2,
    MEM_SIZE: 4,
    PAGE: 8,
    EOS: 16,
    CONTINUED: 32,
    XBZRLE: 64,
    HOOK: 128,
    COMPRESS_PAGE: 256,
    MULTIFD_FLUSH: 512,

    1: "FULL",
    2: "ZERO",
    4: "MEM_SIZE",
    8: "PAGE",
    16: "EOS",
    32: "CONTINUED",
    64: "XBZRLE",
    128: "HOOK",
    256: "COMPRESS_PAGE",
    512: "MULTIFD_FLUSH",
  });

  QemuMigration.RecordType = Object.freeze({
    EOF: 0,
    SECTION_START: 1,
    SECTION_PART: 2,
    SECTION_END: 3,
    SECTION_FULL: 4,
    SUBSECTION: 5,
    VMDESCRIPTION: 6,
    CONFIGURATION: 7,
    COMMAND: 8,
    SECTION_FOOTER: 126,

    0: "EOF",
    1: "SECTION_START",
    2: "SECTION_PART",
    3: "SECTION_END",
    4: "SECTION_FULL",
    5: "SUBSECTION",
    6: "VMDESCRIPTION",
    7: "CONFIGURATION",
    8: "COMMAND",
    126: "SECTION_FOOTER",
  });

  QemuMigration.SectionFormat = Object.freeze({
    RAM: 1,
    BLOCK: 2,
    DIRTY_BITMAP: 3,
    HTAB: 4,
    STATTRIB: 5,
    SKEYS: 6,
    VFIO: 7,
    DEVICE: 8,

    1: "RAM",
    2: "BLOCK",
    3: "DIRTY_BITMAP",
    4: "HTAB",
    5: "STATTRIB",
    6: "SKEYS",
    7: "VFIO",
    8: "DEVICE",
  });

  QemuMigration.SkeysFlag = Object.freeze({
    EOS: 1,
    SKEYS: 2,
    ERROR: 4,

    1: "EOS",
    2: "SKEYS",
    4: "ERROR",
  });

  QemuMigration.StattribFlag = Object.freeze({
    EOS: 1,
    MORE: 2,
    ERROR: 4,
    DONE: 8,

    1: "EOS",
    2: "MORE",
    4: "ERROR",
    8: "DONE",
  });

  QemuMigration.VfioMigFlag = Object.freeze({
    END_OF_STATE: 1,
    DEV_CONFIG_STATE: 2,
    DEV_SETUP_STATE: 3,
    DEV_DATA_STATE: 4,
    DEV_INIT_DATA_SENT: 5,

    1: "END_OF_STATE",
    2: "DEV_CONFIG_STATE",
    3: "DEV_SETUP_STATE",
    4: "DEV_DATA_STATE",
    5: "DEV_INIT_DATA_SENT",
  });

  function QemuMigration(_io, _parent, _root) {
    this._io = _io;
    this._parent = _parent;
    this._root = _root || this;

    this._read();
  }
  QemuMigration.prototype._read = function() {
    this.leadingBytes = this._io.readBytes(this.ofsHeader);
    this.header = new FileHeader(this._io, this, this._root);
    this.records = [];
    var i = 0;
    do {
      var _ = new Record(this._io, this, this._root, (i == 0 ? this.noLiveSections : this.records[i - 1].liveAfter), this.pageSize, this.ignoreShared, this.mappedRam);
      this.records.push(_);
      i++;
    } while (!( ((_.isLast) || (this._io.isEof())) ));
    if ( ((this.records[this.records.length - 1].head.recordType == QemuMigration.RecordType.EOF) && (this._io.size - this._io.pos >= 5)) ) {
      this.vmdescription = new Vmdescription(this._io, this, this._root);
    }
  }

  /**
   * Payload of the `block` section (block migration, migration/block.c,
   * removed in QEMU 9.1): records up to the one with the EOS flag.
   * @see {@link https://github.com/qemu/qemu/blob/v10.0.0/migration/block.c|block_load}
   */

  var BlockPayload = QemuMigration.BlockPayload = (function() {
    function BlockPayload(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    BlockPayload.prototype._read = function() {
      this.blockRecords = [];
      var i = 0;
      do {
        var _ = new BlockRecord(this._io, this, this._root);
        this.blockRecords.push(_);
        i++;
      } while (!(_.isEos));
    }

    return BlockPayload;
  })();

  /**
   * be64 word: sector number << 9 in the high bits, BLK_MIG_FLAG_* in
   * the low 9 bits; read as two halves (no 64-bit arithmetic).
   * @see {@link https://github.com/qemu/qemu/blob/v10.0.0/migration/block.c|block_load}
   */

  var BlockRecord = QemuMigration.BlockRecord = (function() {
    function BlockRecord(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    BlockRecord.prototype._read = function() {
      this.wordHi = this._io.readU4be();
      this.wordLo = this._io.readU4be();
      if (this.isDeviceBlock) {
        this.lenDeviceName = this._io.readU1();
      }
      if (this.isDeviceBlock) {
        this.deviceName = KaitaiStream.bytesToStr(this._io.readBytes(this.lenDeviceName), "ASCII");
      }
      if ( ((this.isDeviceBlock) && (!(this.isZeroBlock))) ) {
        this.data = this._io.readBytes(1048576);
      }
    }
    Object.defineProperty(BlockRecord.prototype, 'flags', {
      get: function() {
        if (this._m_flags !== undefined)
          return this._m_flags;
        this._m_flags = this.wordLo & 511;
        return this._m_flags;
      }
    });
    Object.defineProperty(BlockRecord.prototype, 'isDeviceBlock', {
      get: function() {
        if (this._m_isDeviceBlock !== undefined)
          return this._m_isDeviceBlock;
        this._m_isDeviceBlock = (this.flags & QemuMigration.BlkMigFlag.DEVICE_BLOCK) != 0;
        return this._m_isDeviceBlock;
      }
    });
    Object.defineProperty(BlockRecord.prototype, 'isEos', {
      get: function() {
        if (this._m_isEos !== undefined)
          return this._m_isEos;
        this._m_isEos = (this.flags & QemuMigration.BlkMigFlag.EOS) != 0;
        return this._m_isEos;
      }
    });
    Object.defineProperty(BlockRecord.prototype, 'isProgress', {
      get: function() {
        if (this._m_isProgress !== undefined)
          return this._m_isProgress;
        this._m_isProgress = (this.flags & QemuMigration.BlkMigFlag.PROGRESS) != 0;
        return this._m_isProgress;
      }
    });
    Object.defineProperty(BlockRecord.prototype, 'isZeroBlock', {
      get: function() {
        if (this._m_isZeroBlock !== undefined)
          return this._m_isZeroBlock;
        this._m_isZeroBlock = (this.flags & QemuMigration.BlkMigFlag.ZERO_BLOCK) != 0;
        return this._m_isZeroBlock;
      }
    });

    /**
     * First 512-byte sector of the chunk (for PROGRESS records, the percentage done).
     */
    Object.defineProperty(BlockRecord.prototype, 'sector', {
      get: function() {
        if (this._m_sector !== undefined)
          return this._m_sector;
        this._m_sector = (this.wordHi * 8388608 + (this.wordLo >>> 9));
        return this._m_sector;
      }
    });

    /**
     * BLK_MIG_BLOCK_SIZE (1 MiB, 2048 sectors) of disk contents.
     */

    return BlockRecord;
  })();

  var Capability = QemuMigration.Capability = (function() {
    function Capability(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    Capability.prototype._read = function() {
      this.lenName = this._io.readU1();
      this.name = KaitaiStream.bytesToStr(this._io.readBytes(this.lenName), "ASCII");
    }

    return Capability;
  })();

  /**
   * Capabilities that source and destination must agree on (savevm.c
   * vmstate_capabilites: x-ignore-shared, mapped-ram, ...).
   * @see {@link https://github.com/qemu/qemu/blob/v10.0.0/migration/savevm.c|vmstate_capabilites}
   */

  var CapabilityList = QemuMigration.CapabilityList = (function() {
    function CapabilityList(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    CapabilityList.prototype._read = function() {
      this.numCapabilities = this._io.readU4be();
      this.capabilities = [];
      for (var i = 0; i < this.numCapabilities; i++) {
        this.capabilities.push(new Capability(this._io, this, this._root));
      }
    }
    Object.defineProperty(CapabilityList.prototype, 'hasMappedRam', {
      get: function() {
        if (this._m_hasMappedRam !== undefined)
          return this._m_hasMappedRam;
        this._m_hasMappedRam =  (( ((this.numCapabilities >= 1) && (this.capabilities[0].name == "mapped-ram")) ) || ( ((this.numCapabilities >= 2) && (this.capabilities[1].name == "mapped-ram")) ) || ( ((this.numCapabilities >= 3) && (this.capabilities[2].name == "mapped-ram")) )) ;
        return this._m_hasMappedRam;
      }
    });

    /**
     * The first three capabilities only (Kaitai expressions cannot
     * search a list): QEMU sends those it validates, x-ignore-shared
     * and mapped-ram among at most a few.
     */
    Object.defineProperty(CapabilityList.prototype, 'hasXIgnoreShared', {
      get: function() {
        if (this._m_hasXIgnoreShared !== undefined)
          return this._m_hasXIgnoreShared;
        this._m_hasXIgnoreShared =  (( ((this.numCapabilities >= 1) && (this.capabilities[0].name == "x-ignore-shared")) ) || ( ((this.numCapabilities >= 2) && (this.capabilities[1].name == "x-ignore-shared")) ) || ( ((this.numCapabilities >= 3) && (this.capabilities[2].name == "x-ignore-shared")) )) ;
        return this._m_hasXIgnoreShared;
      }
    });

    return CapabilityList;
  })();

  /**
   * @see {@link https://github.com/qemu/qemu/blob/v10.0.0/migration/savevm.c|qemu_savevm_send_packaged}
   */

  var CmdPackaged = QemuMigration.CmdPackaged = (function() {
    function CmdPackaged(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    CmdPackaged.prototype._read = function() {
      this.lenPackaged = this._io.readU4be();
    }

    /**
     * Bytes of nested stream that follow the command record.
     */

    return CmdPackaged;
  })();

  var CmdPing = QemuMigration.CmdPing = (function() {
    function CmdPing(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    CmdPing.prototype._read = function() {
      this.value = this._io.readU4be();
    }

    /**
     * An opaque counter the destination echoes on the return path.
     */

    return CmdPing;
  })();

  /**
   * Empty from QEMU before 2.8 / when only dirty-bitmaps is on;
   * otherwise two be64: the OR of all RAM block page sizes and the
   * target page size (savevm.c qemu_savevm_send_postcopy_advise).
   * @see {@link https://github.com/qemu/qemu/blob/v10.0.0/migration/savevm.c|qemu_savevm_send_postcopy_advise}
   */

  var CmdPostcopyAdvise = QemuMigration.CmdPostcopyAdvise = (function() {
    function CmdPostcopyAdvise(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    CmdPostcopyAdvise.prototype._read = function() {
      if (!(this._io.isEof())) {
        this.ramPageSizeSummary = this._io.readU8be();
      }
      if (!(this._io.isEof())) {
        this.targetPageSize = this._io.readU8be();
      }
    }

    return CmdPostcopyAdvise;
  })();

  /**
   * savevm.c qemu_savevm_send_postcopy_ram_discard.
   * @see {@link https://github.com/qemu/qemu/blob/v10.0.0/migration/savevm.c|qemu_savevm_send_postcopy_ram_discard}
   */

  var CmdPostcopyRamDiscard = QemuMigration.CmdPostcopyRamDiscard = (function() {
    function CmdPostcopyRamDiscard(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    CmdPostcopyRamDiscard.prototype._read = function() {
      this.version = this._io.readU1();
      if (!(this.version == 0)) {
        throw new KaitaiStream.ValidationNotEqualError(0, this.version, this._io, "/types/cmd_postcopy_ram_discard/seq/0");
      }
      this.lenBlockName = this._io.readU1();
      this.blockName = KaitaiStream.bytesToStr(this._io.readBytes(this.lenBlockName), "ASCII");
      this.terminator = this._io.readBytes(1);
      if (!((KaitaiStream.byteArrayCompare(this.terminator, new Uint8Array([0])) == 0))) {
        throw new KaitaiStream.ValidationNotEqualError(new Uint8Array([0]), this.terminator, this._io, "/types/cmd_postcopy_ram_discard/seq/3");
      }
      this.ranges = [];
      var i = 0;
      while (!this._io.isEof()) {
        this.ranges.push(new DiscardRange(this._io, this, this._root));
        i++;
      }
    }

    return CmdPostcopyRamDiscard;
  })();

  /**
   * Postcopy recovery; asks the destination for the received bitmap of a block.
   * @see {@link https://github.com/qemu/qemu/blob/v10.0.0/migration/savevm.c|qemu_savevm_send_recv_bitmap}
   */

  var CmdRecvBitmap = QemuMigration.CmdRecvBitmap = (function() {
    function CmdRecvBitmap(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    CmdRecvBitmap.prototype._read = function() {
      this.lenBlockName = this._io.readU1();
      this.blockName = KaitaiStream.bytesToStr(this._io.readBytes(this.lenBlockName), "ASCII");
    }

    return CmdRecvBitmap;
  })();

  /**
   * QEMU_VM_COMMAND: be16 command, be16 length, length bytes
   * (savevm.c qemu_savevm_command_send). The payload is parsed by
   * command type; unknown commands keep their raw bytes.
   * @see {@link https://github.com/qemu/qemu/blob/v10.0.0/migration/savevm.c|qemu_savevm_command_send}
   */

  var Command = QemuMigration.Command = (function() {
    function Command(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    Command.prototype._read = function() {
      this.commandType = this._io.readU2be();
      this.lenData = this._io.readU2be();
      switch (this.commandType) {
      case QemuMigration.CommandType.PACKAGED:
        this._raw_data = this._io.readBytes(this.lenData);
        var _io__raw_data = new KaitaiStream(this._raw_data);
        this.data = new CmdPackaged(_io__raw_data, this, this._root);
        break;
      case QemuMigration.CommandType.PING:
        this._raw_data = this._io.readBytes(this.lenData);
        var _io__raw_data = new KaitaiStream(this._raw_data);
        this.data = new CmdPing(_io__raw_data, this, this._root);
        break;
      case QemuMigration.CommandType.POSTCOPY_ADVISE:
        this._raw_data = this._io.readBytes(this.lenData);
        var _io__raw_data = new KaitaiStream(this._raw_data);
        this.data = new CmdPostcopyAdvise(_io__raw_data, this, this._root);
        break;
      case QemuMigration.CommandType.POSTCOPY_RAM_DISCARD:
        this._raw_data = this._io.readBytes(this.lenData);
        var _io__raw_data = new KaitaiStream(this._raw_data);
        this.data = new CmdPostcopyRamDiscard(_io__raw_data, this, this._root);
        break;
      case QemuMigration.CommandType.RECV_BITMAP:
        this._raw_data = this._io.readBytes(this.lenData);
        var _io__raw_data = new KaitaiStream(this._raw_data);
        this.data = new CmdRecvBitmap(_io__raw_data, this, this._root);
        break;
      default:
        this.data = this._io.readBytes(this.lenData);
        break;
      }
    }

    /**
     * The command as a number (also when it is not a known command).
     */
    Object.defineProperty(Command.prototype, 'commandTypeRaw', {
      get: function() {
        if (this._m_commandTypeRaw !== undefined)
          return this._m_commandTypeRaw;
        this._m_commandTypeRaw = this.commandType;
        return this._m_commandTypeRaw;
      }
    });

    /**
     * Length of the nested stream that follows a PACKAGED command.
     */
    Object.defineProperty(Command.prototype, 'packagedLen', {
      get: function() {
        if (this._m_packagedLen !== undefined)
          return this._m_packagedLen;
        this._m_packagedLen = (this.commandType == QemuMigration.CommandType.PACKAGED ? this.data.lenPackaged : 0);
        return this._m_packagedLen;
      }
    });

    return Command;
  })();

  /**
   * The body of QEMU_VM_CONFIGURATION: the VMSD "configuration"
   * (savevm.c vmstate_configuration), i.e. the machine type name and
   * optional subsections. Unlike device sections it has no section
   * header and no footer; QEMU 7.2's JSON description does not describe
   * it at all.
   * @see {@link https://github.com/qemu/qemu/blob/v10.0.0/migration/savevm.c|vmstate_configuration}
   */

  var Configuration = QemuMigration.Configuration = (function() {
    function Configuration(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    Configuration.prototype._read = function() {
      this.lenMachineName = this._io.readU4be();
      if (!(this.lenMachineName <= 255)) {
        throw new KaitaiStream.ValidationGreaterThanError(255, this.lenMachineName, this._io, "/types/configuration/seq/0");
      }
      this.machineName = KaitaiStream.bytesToStr(this._io.readBytes(this.lenMachineName), "ASCII");
      this.subsections = [];
      var i = 0;
      do {
        var _ = new ConfigurationSubsection(this._io, this, this._root);
        this.subsections.push(_);
        i++;
      } while (!(_.isLast));
    }
    Object.defineProperty(Configuration.prototype, 'hasMappedRam', {
      get: function() {
        if (this._m_hasMappedRam !== undefined)
          return this._m_hasMappedRam;
        this._m_hasMappedRam =  (( ((this.subsections.length >= 1) && (this.subsections[0].hasMappedRam)) ) || ( ((this.subsections.length >= 2) && (this.subsections[1].hasMappedRam)) ) || ( ((this.subsections.length >= 3) && (this.subsections[2].hasMappedRam)) )) ;
        return this._m_hasMappedRam;
      }
    });
    Object.defineProperty(Configuration.prototype, 'hasXIgnoreShared', {
      get: function() {
        if (this._m_hasXIgnoreShared !== undefined)
          return this._m_hasXIgnoreShared;
        this._m_hasXIgnoreShared =  (( ((this.subsections.length >= 1) && (this.subsections[0].hasXIgnoreShared)) ) || ( ((this.subsections.length >= 2) && (this.subsections[1].hasXIgnoreShared)) ) || ( ((this.subsections.length >= 3) && (this.subsections[2].hasXIgnoreShared)) )) ;
        return this._m_hasXIgnoreShared;
      }
    });

    /**
     * Page size implied by the machine type where the target's page
     * size is fixed and not 4 KiB (sparc64, alpha, or1k-sim: 8 KiB;
     * tricore: 16 KiB; AVR: 256 bytes) or where an arm board's CPU
     * (ARMv5/v6 and older) makes QEMU run at the 1 KiB minimum without
     * writing target-page-bits. 0 when the name is not known.
     */
    Object.defineProperty(Configuration.prototype, 'pageSizeByMachine', {
      get: function() {
        if (this._m_pageSizeByMachine !== undefined)
          return this._m_pageSizeByMachine;
        this._m_pageSizeByMachine = ( ((this.machineName == "versatilepb") || (this.machineName == "versatileab") || (this.machineName == "integratorcp") || (this.machineName == "realview-eb") || (this.machineName == "realview-eb-mpcore") || (this.machineName == "realview-pb-a8") || (this.machineName == "realview-pbx-a9") || (this.machineName == "musicpal") || (this.machineName == "akita") || (this.machineName == "borzoi") || (this.machineName == "spitz") || (this.machineName == "terrier") || (this.machineName == "tosa") || (this.machineName == "connex") || (this.machineName == "verdex") || (this.machineName == "mainstone") || (this.machineName == "z2") || (this.machineName == "cheetah") || (this.machineName == "sx1") || (this.machineName == "sx1-v1") || (this.machineName == "collie") || (this.machineName == "kzm") || (this.machineName == "imx25-pdk") || (this.machineName == "sabrelite"))  ? 1024 : ( ((this.machineName == "sun4u") || (this.machineName == "sun4v") || (this.machineName == "niagara") || (this.machineName == "clipper") || (this.machineName == "or1k-sim"))  ? 8192 : ( ((this.machineName == "KIT_AURIX_TC277_TRB") || (this.machineName == "tricore_testboard"))  ? 16384 : ( ((this.machineName.length >= 8) && (this.machineName.substring(0, 8) == "arduino-"))  ? 256 : 0))));
        return this._m_pageSizeByMachine;
      }
    });

    /**
     * 0 when the subsection is absent (the target then runs at its
     * default or minimum page size). This lookup, and the two below,
     * look at the first three slots only: QEMU defines three
     * configuration subsections (target-page-bits, capabilities,
     * uuid), and Kaitai expressions cannot search a list.
     */
    Object.defineProperty(Configuration.prototype, 'targetPageBits', {
      get: function() {
        if (this._m_targetPageBits !== undefined)
          return this._m_targetPageBits;
        this._m_targetPageBits = ( ((this.subsections.length >= 1) && (this.subsections[0].name == "configuration/target-page-bits"))  ? this.subsections[0].targetPageBits : ( ((this.subsections.length >= 2) && (this.subsections[1].name == "configuration/target-page-bits"))  ? this.subsections[1].targetPageBits : ( ((this.subsections.length >= 3) && (this.subsections[2].name == "configuration/target-page-bits"))  ? this.subsections[2].targetPageBits : 0)));
        return this._m_targetPageBits;
      }
    });

    return Configuration;
  })();

  /**
   * One slot of the configuration's subsection list. QEMU peeks for a
   * 0x05 byte after the fields; anything else ends the list without
   * being consumed. So the last slot of the list is always an empty
   * one (no `body`), and an unknown subsection also ends the list,
   * since its length is not known.
   */

  var ConfigurationSubsection = QemuMigration.ConfigurationSubsection = (function() {
    function ConfigurationSubsection(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    ConfigurationSubsection.prototype._read = function() {
      if (this.isPresent) {
        this.body = new ConfigurationSubsectionBody(this._io, this, this._root);
      }
    }
    Object.defineProperty(ConfigurationSubsection.prototype, 'hasMappedRam', {
      get: function() {
        if (this._m_hasMappedRam !== undefined)
          return this._m_hasMappedRam;
        this._m_hasMappedRam =  ((this.isPresent) && (this.body.name == "configuration/capabilities") && (this.body.capabilities.hasMappedRam)) ;
        return this._m_hasMappedRam;
      }
    });
    Object.defineProperty(ConfigurationSubsection.prototype, 'hasXIgnoreShared', {
      get: function() {
        if (this._m_hasXIgnoreShared !== undefined)
          return this._m_hasXIgnoreShared;
        this._m_hasXIgnoreShared =  ((this.isPresent) && (this.body.name == "configuration/capabilities") && (this.body.capabilities.hasXIgnoreShared)) ;
        return this._m_hasXIgnoreShared;
      }
    });
    Object.defineProperty(ConfigurationSubsection.prototype, 'isLast', {
      get: function() {
        if (this._m_isLast !== undefined)
          return this._m_isLast;
        this._m_isLast =  ((!(this.isPresent)) || (!(this.body.isKnown))) ;
        return this._m_isLast;
      }
    });
    Object.defineProperty(ConfigurationSubsection.prototype, 'isPresent', {
      get: function() {
        if (this._m_isPresent !== undefined)
          return this._m_isPresent;
        this._m_isPresent =  ((!(this._io.isEof())) && (this.nextByte == 5)) ;
        return this._m_isPresent;
      }
    });
    Object.defineProperty(ConfigurationSubsection.prototype, 'name', {
      get: function() {
        if (this._m_name !== undefined)
          return this._m_name;
        this._m_name = (this.isPresent ? this.body.name : "");
        return this._m_name;
      }
    });
    Object.defineProperty(ConfigurationSubsection.prototype, 'nextByte', {
      get: function() {
        if (this._m_nextByte !== undefined)
          return this._m_nextByte;
        if (!(this._io.isEof())) {
          var _pos = this._io.pos;
          this._io.seek(this._io.pos);
          this._m_nextByte = this._io.readU1();
          this._io.seek(_pos);
        }
        return this._m_nextByte;
      }
    });
    Object.defineProperty(ConfigurationSubsection.prototype, 'targetPageBits', {
      get: function() {
        if (this._m_targetPageBits !== undefined)
          return this._m_targetPageBits;
        this._m_targetPageBits = ( ((this.isPresent) && (this.body.name == "configuration/target-page-bits"))  ? this.body.targetPageBits : 0);
        return this._m_targetPageBits;
      }
    });

    return ConfigurationSubsection;
  })();

  /**
   * savevm.c vmstate_target_page_bits, vmstate_capabilites, vmstate_uuid.
   * @see {@link https://github.com/qemu/qemu/blob/v10.0.0/migration/savevm.c|vmstate_target_page_bits}
   */

  var ConfigurationSubsectionBody = QemuMigration.ConfigurationSubsectionBody = (function() {
    function ConfigurationSubsectionBody(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    ConfigurationSubsectionBody.prototype._read = function() {
      this.marker = this._io.readBytes(1);
      if (!((KaitaiStream.byteArrayCompare(this.marker, new Uint8Array([5])) == 0))) {
        throw new KaitaiStream.ValidationNotEqualError(new Uint8Array([5]), this.marker, this._io, "/types/configuration_subsection_body/seq/0");
      }
      this.lenName = this._io.readU1();
      this.name = KaitaiStream.bytesToStr(this._io.readBytes(this.lenName), "ASCII");
      this.versionId = this._io.readU4be();
      if (this.name == "configuration/target-page-bits") {
        this.targetPageBits = this._io.readU4be();
      }
      if (this.name == "configuration/capabilities") {
        this.capabilities = new CapabilityList(this._io, this, this._root);
      }
      if (this.name == "configuration/uuid") {
        this.uuid = this._io.readBytes(16);
      }
    }
    Object.defineProperty(ConfigurationSubsectionBody.prototype, 'isKnown', {
      get: function() {
        if (this._m_isKnown !== undefined)
          return this._m_isKnown;
        this._m_isKnown =  ((this.name == "configuration/target-page-bits") || (this.name == "configuration/capabilities") || (this.name == "configuration/uuid")) ;
        return this._m_isKnown;
      }
    });

    /**
     * The source's -uuid, sent when the validate-uuid capability is on.
     */

    return ConfigurationSubsectionBody;
  })();

  /**
   * A device (VMSD) section payload, which carries no length. Scanned
   * forward to the first 0x7E byte that is followed by this section's
   * id as be32, i.e. its footer; or to the end of the file when there is
   * none (streams without footers). See the top-level doc for how this
   * scan can mislead. The chunks, joined, are the payload bytes.
   */

  var DevicePayload = QemuMigration.DevicePayload = (function() {
    function DevicePayload(_io, _parent, _root, sectionId) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;
      this.sectionId = sectionId;

      this._read();
    }
    DevicePayload.prototype._read = function() {
      this.chunks = [];
      var i = 0;
      do {
        var _ = new DevicePayloadChunk(this._io, this, this._root, this.sectionId);
        this.chunks.push(_);
        i++;
      } while (!( ((_.atFooter) || (this._io.isEof())) ));
    }

    return DevicePayload;
  })();

  /**
   * A piece of a device payload: the bytes up to the next 0x7E (at most
   * `max_data` of them), then, when that 0x7E is not the section's
   * footer, the 0x7E and what follows it up to the next 0x7E (at most 4
   * bytes more: a footer may start there).
   * 
   * Framed without a terminator scan of the stream, which would reach
   * its end in a stream without footers (the stock C++ runtime throws
   * there, whatever `eos-error` says): `window` is read with a size and
   * cut at the first 0x7E in memory. Every lookahead (`probe`, `window`)
   * starts inside bytes the seq reads before it, or is the footer's own
   * bytes, so the Web IDE counts no parsed byte as unparsed.
   */

  var DevicePayloadChunk = QemuMigration.DevicePayloadChunk = (function() {
    function DevicePayloadChunk(_io, _parent, _root, sectionId) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;
      this.sectionId = sectionId;

      this._read();
    }
    DevicePayloadChunk.prototype._read = function() {
      this.data = this._io.readBytes(this.window.length);
      if ( ((this.hasMarker) && (!(this.atFooter))) ) {
        this.notAFooter = this._io.readBytes(this.lenNotAFooter);
      }
    }
    Object.defineProperty(DevicePayloadChunk.prototype, 'atFooter', {
      get: function() {
        if (this._m_atFooter !== undefined)
          return this._m_atFooter;
        this._m_atFooter =  ((this.hasMarker) && (this.probe.length == 5) && (this.probe[1] == (this.sectionId >>> 24 & 255)) && (this.probe[2] == (this.sectionId >>> 16 & 255)) && (this.probe[3] == (this.sectionId >>> 8 & 255)) && (this.probe[4] == (this.sectionId & 255))) ;
        return this._m_atFooter;
      }
    });

    /**
     * Whether `data` ends at a 0x7E (else at `max_data` bytes or at the end of the stream).
     */
    Object.defineProperty(DevicePayloadChunk.prototype, 'hasMarker', {
      get: function() {
        if (this._m_hasMarker !== undefined)
          return this._m_hasMarker;
        this._m_hasMarker = this.window.length < this.lenWindow;
        return this._m_hasMarker;
      }
    });
    Object.defineProperty(DevicePayloadChunk.prototype, 'lenNotAFooter', {
      get: function() {
        if (this._m_lenNotAFooter !== undefined)
          return this._m_lenNotAFooter;
        this._m_lenNotAFooter = (!(this.hasMarker) ? 0 : ( ((this.probe.length < 2) || (this.probe[1] == 126))  ? 1 : ( ((this.probe.length < 3) || (this.probe[2] == 126))  ? 2 : ( ((this.probe.length < 4) || (this.probe[3] == 126))  ? 3 : ( ((this.probe.length < 5) || (this.probe[4] == 126))  ? 4 : 5)))));
        return this._m_lenNotAFooter;
      }
    });
    Object.defineProperty(DevicePayloadChunk.prototype, 'lenWindow', {
      get: function() {
        if (this._m_lenWindow !== undefined)
          return this._m_lenWindow;
        this._m_lenWindow = (this._io.size - this.ofsStart < this.maxData ? this._io.size - this.ofsStart : this.maxData);
        return this._m_lenWindow;
      }
    });
    Object.defineProperty(DevicePayloadChunk.prototype, 'maxData', {
      get: function() {
        if (this._m_maxData !== undefined)
          return this._m_maxData;
        this._m_maxData = 4096;
        return this._m_maxData;
      }
    });
    Object.defineProperty(DevicePayloadChunk.prototype, 'ofsMarker', {
      get: function() {
        if (this._m_ofsMarker !== undefined)
          return this._m_ofsMarker;
        this._m_ofsMarker = this.ofsStart + this.window.length;
        return this._m_ofsMarker;
      }
    });

    /**
     * Where the piece starts (evaluated first, by `window`).
     */
    Object.defineProperty(DevicePayloadChunk.prototype, 'ofsStart', {
      get: function() {
        if (this._m_ofsStart !== undefined)
          return this._m_ofsStart;
        this._m_ofsStart = this._io.pos;
        return this._m_ofsStart;
      }
    });

    /**
     * The 0x7E and the 4 bytes after it, where a footer would have the section id.
     */
    Object.defineProperty(DevicePayloadChunk.prototype, 'probe', {
      get: function() {
        if (this._m_probe !== undefined)
          return this._m_probe;
        if (this.hasMarker) {
          var _pos = this._io.pos;
          this._io.seek(this.ofsMarker);
          this._m_probe = this._io.readBytes((this._io.size - this.ofsMarker < 5 ? this._io.size - this.ofsMarker : 5));
          this._io.seek(_pos);
        }
        return this._m_probe;
      }
    });

    /**
     * The next bytes up to the first 0x7E among them (all of them when there is none).
     */
    Object.defineProperty(DevicePayloadChunk.prototype, 'window', {
      get: function() {
        if (this._m_window !== undefined)
          return this._m_window;
        var _pos = this._io.pos;
        this._io.seek(this.ofsStart);
        this._m_window = KaitaiStream.bytesTerminate(this._io.readBytes(this.lenWindow), 126, false);
        this._io.seek(_pos);
        return this._m_window;
      }
    });

    /**
     * A 0x7E byte of the payload itself (not followed by the section id), and the bytes after it up to the next 0x7E.
     */

    return DevicePayloadChunk;
  })();

  /**
   * One chunk (block-dirty-bitmap.c dirty_bitmap_load). Node and bitmap
   * names appear only when they change from the previous chunk (also
   * across sections), so a reader carries them over.
   * @see {@link https://github.com/qemu/qemu/blob/v10.0.0/migration/block-dirty-bitmap.c|dirty_bitmap_load}
   */

  var DirtyBitmapChunk = QemuMigration.DirtyBitmapChunk = (function() {
    function DirtyBitmapChunk(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    DirtyBitmapChunk.prototype._read = function() {
      this.flagsByte = this._io.readU1();
      if ((this.flagsByte & QemuMigration.DirtyBitmapMigFlag.EXTRA_FLAGS) != 0) {
        this.flagsByte2 = this._io.readU1();
      }
      if ( (((this.flagsByte & QemuMigration.DirtyBitmapMigFlag.EXTRA_FLAGS) != 0) && ((this.flagsByte2 & QemuMigration.DirtyBitmapMigFlag.EXTRA_FLAGS) != 0)) ) {
        this.flagsWord = this._io.readU2be();
      }
      if (this.hasNodeName) {
        this.lenNodeName = this._io.readU1();
      }
      if (this.hasNodeName) {
        this.nodeName = KaitaiStream.bytesToStr(this._io.readBytes(this.lenNodeName), "ASCII");
      }
      if (this.hasBitmapName) {
        this.lenBitmapName = this._io.readU1();
      }
      if (this.hasBitmapName) {
        this.bitmapName = KaitaiStream.bytesToStr(this._io.readBytes(this.lenBitmapName), "ASCII");
      }
      if (this.isStart) {
        this.granularity = this._io.readU4be();
      }
      if (this.isStart) {
        this.bitmapFlags = this._io.readU1();
      }
      if (this.isBits) {
        this.firstSector = this._io.readU8be();
      }
      if (this.isBits) {
        this.numSectors = this._io.readU4be();
      }
      if ( ((this.isBits) && (!(this.isZeroes))) ) {
        this.lenBuf = this._io.readU8be();
      }
      if ( ((this.isBits) && (!(this.isZeroes))) ) {
        this.buf = this._io.readBytes(this.lenBuf);
      }
    }

    /**
     * As the loader reads it (it keeps only the last flags byte or word read).
     */
    Object.defineProperty(DirtyBitmapChunk.prototype, 'flags', {
      get: function() {
        if (this._m_flags !== undefined)
          return this._m_flags;
        this._m_flags = ((this.flagsByte & QemuMigration.DirtyBitmapMigFlag.EXTRA_FLAGS) == 0 ? this.flagsByte : ((this.flagsByte2 & QemuMigration.DirtyBitmapMigFlag.EXTRA_FLAGS) == 0 ? this.flagsByte2 : this.flagsWord));
        return this._m_flags;
      }
    });
    Object.defineProperty(DirtyBitmapChunk.prototype, 'hasBitmapName', {
      get: function() {
        if (this._m_hasBitmapName !== undefined)
          return this._m_hasBitmapName;
        this._m_hasBitmapName = (this.flags & QemuMigration.DirtyBitmapMigFlag.BITMAP_NAME) != 0;
        return this._m_hasBitmapName;
      }
    });
    Object.defineProperty(DirtyBitmapChunk.prototype, 'hasNodeName', {
      get: function() {
        if (this._m_hasNodeName !== undefined)
          return this._m_hasNodeName;
        this._m_hasNodeName = (this.flags & QemuMigration.DirtyBitmapMigFlag.DEVICE_NAME) != 0;
        return this._m_hasNodeName;
      }
    });
    Object.defineProperty(DirtyBitmapChunk.prototype, 'isBits', {
      get: function() {
        if (this._m_isBits !== undefined)
          return this._m_isBits;
        this._m_isBits = (this.flags & QemuMigration.DirtyBitmapMigFlag.BITS) != 0;
        return this._m_isBits;
      }
    });
    Object.defineProperty(DirtyBitmapChunk.prototype, 'isComplete', {
      get: function() {
        if (this._m_isComplete !== undefined)
          return this._m_isComplete;
        this._m_isComplete = (this.flags & QemuMigration.DirtyBitmapMigFlag.COMPLETE) != 0;
        return this._m_isComplete;
      }
    });
    Object.defineProperty(DirtyBitmapChunk.prototype, 'isEos', {
      get: function() {
        if (this._m_isEos !== undefined)
          return this._m_isEos;
        this._m_isEos = (this.flags & QemuMigration.DirtyBitmapMigFlag.EOS) != 0;
        return this._m_isEos;
      }
    });
    Object.defineProperty(DirtyBitmapChunk.prototype, 'isStart', {
      get: function() {
        if (this._m_isStart !== undefined)
          return this._m_isStart;
        this._m_isStart = (this.flags & QemuMigration.DirtyBitmapMigFlag.START) != 0;
        return this._m_isStart;
      }
    });
    Object.defineProperty(DirtyBitmapChunk.prototype, 'isZeroes', {
      get: function() {
        if (this._m_isZeroes !== undefined)
          return this._m_isZeroes;
        this._m_isZeroes = (this.flags & QemuMigration.DirtyBitmapMigFlag.ZEROES) != 0;
        return this._m_isZeroes;
      }
    });

    /**
     * DIRTY_BITMAP_MIG_EXTRA_FLAGS continuation (accepted by the loader, never written).
     */

    /**
     * DIRTY_BITMAP_MIG_FLAG_DEVICE_NAME (block node name or alias).
     */

    /**
     * Bytes per bit (be32; the comment atop block-dirty-bitmap.c says be64, the code writes be32).
     */

    /**
     * 0x01 enabled, 0x02 persistent, 0x04 autoload (obsolete).
     */

    /**
     * The bitmap part, serialized as little-endian longs, padded to 32 bytes.
     */

    return DirtyBitmapChunk;
  })();

  /**
   * Payload of the `dirty-bitmap` section
   * (migration/block-dirty-bitmap.c): chunks up to the one with the EOS
   * flag.
   * @see {@link https://github.com/qemu/qemu/blob/v10.0.0/migration/block-dirty-bitmap.c|dirty_bitmap_load}
   */

  var DirtyBitmapPayload = QemuMigration.DirtyBitmapPayload = (function() {
    function DirtyBitmapPayload(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    DirtyBitmapPayload.prototype._read = function() {
      this.chunks = [];
      var i = 0;
      do {
        var _ = new DirtyBitmapChunk(this._io, this, this._root);
        this.chunks.push(_);
        i++;
      } while (!(_.isEos));
    }

    return DirtyBitmapPayload;
  })();

  var DiscardRange = QemuMigration.DiscardRange = (function() {
    function DiscardRange(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    DiscardRange.prototype._read = function() {
      this.start = this._io.readU8be();
      this.length = this._io.readU8be();
    }

    /**
     * Byte offset in the RAM block.
     */

    return DiscardRange;
  })();

  /**
   * @see {@link https://github.com/qemu/qemu/blob/v10.0.0/migration/savevm.c|qemu_savevm_state_header}
   */

  var FileHeader = QemuMigration.FileHeader = (function() {
    function FileHeader(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    FileHeader.prototype._read = function() {
      this.magic = this._io.readBytes(4);
      if (!((KaitaiStream.byteArrayCompare(this.magic, new Uint8Array([81, 69, 86, 77])) == 0))) {
        throw new KaitaiStream.ValidationNotEqualError(new Uint8Array([81, 69, 86, 77]), this.magic, this._io, "/types/file_header/seq/0");
      }
      this.version = this._io.readU4be();
      if (!(this.version == QemuMigration.FileVersion.CURRENT)) {
        throw new KaitaiStream.ValidationNotEqualError(QemuMigration.FileVersion.CURRENT, this.version, this._io, "/types/file_header/seq/1");
      }
    }

    /**
     * QEMU_VM_FILE_VERSION, 3 since QEMU 0.13. Version 2
     * (QEMU_VM_FILE_VERSION_COMPAT) is the obsolete pre-0.13 format
     * that QEMU itself refuses to load; this grammar rejects it too.
     */

    return FileHeader;
  })();

  var HtabChunk = QemuMigration.HtabChunk = (function() {
    function HtabChunk(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    HtabChunk.prototype._read = function() {
      this.index = this._io.readU4be();
      this.numValid = this._io.readU2be();
      this.numInvalid = this._io.readU2be();
      this.validHptes = [];
      for (var i = 0; i < this.numValid; i++) {
        this.validHptes.push(this._io.readBytes(16));
      }
    }
    Object.defineProperty(HtabChunk.prototype, 'isEnd', {
      get: function() {
        if (this._m_isEnd !== undefined)
          return this._m_isEnd;
        this._m_isEnd =  ((this.index == 0) && (this.numValid == 0) && (this.numInvalid == 0)) ;
        return this._m_isEnd;
      }
    });

    /**
     * First HPTE index of the chunk.
     */

    /**
     * Entries after the valid ones that are to be cleared (no bytes).
     */

    /**
     * Hash page table entries, two be64 words each.
     */

    return HtabChunk;
  })();

  /**
   * Payload of `spapr/htab` (hw/ppc/spapr.c htab_save_setup/iterate/
   * complete, htab_load). The first be32 decides: -1 means no hash page
   * table (radix guest), a positive value is the START payload (the HPT
   * size shift) and nothing follows; 0 is followed by chunks of HPTEs
   * up to an all-zero chunk head.
   * @see {@link https://github.com/qemu/qemu/blob/v10.0.0/hw/ppc/spapr.c|htab_load}
   */

  var HtabPayload = QemuMigration.HtabPayload = (function() {
    function HtabPayload(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    HtabPayload.prototype._read = function() {
      this.header = this._io.readS4be();
      if (this.header == 0) {
        this.chunks = [];
        var i = 0;
        do {
          var _ = new HtabChunk(this._io, this, this._root);
          this.chunks.push(_);
          i++;
        } while (!(_.isEnd));
      }
    }
    Object.defineProperty(HtabPayload.prototype, 'htabShift', {
      get: function() {
        if (this._m_htabShift !== undefined)
          return this._m_htabShift;
        this._m_htabShift = (this.header > 0 ? this.header : 0);
        return this._m_htabShift;
      }
    });

    return HtabPayload;
  })();

  /**
   * The ids of the live sections whose PART/END records carry a payload
   * format of their own (a PART/END names its section by id only), as
   * of one record: `ram`, `block`, `dirty-bitmap`, `spapr/htab`,
   * `s390-storage_attributes`, and the vfio device whose live phase
   * started last. 4294967296 (2^32, above every u4 id) where none
   * started. It reads nothing (it is built with `size: 0`): each record
   * takes the one its predecessor left (`record.live_after`).
   */

  var LiveSections = QemuMigration.LiveSections = (function() {
    function LiveSections(_io, _parent, _root, ram, block, dirtyBitmap, htab, stattrib, vfio) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;
      this.ram = ram;
      this.block = block;
      this.dirtyBitmap = dirtyBitmap;
      this.htab = htab;
      this.stattrib = stattrib;
      this.vfio = vfio;

      this._read();
    }
    LiveSections.prototype._read = function() {
    }

    return LiveSections;
  })();

  /**
   * MappedRamHeader (ram.c, docs/devel/migration/mapped-ram.rst), packed,
   * big-endian. Offsets are absolute file offsets.
   * @see {@link https://github.com/qemu/qemu/blob/v10.0.0/migration/ram.c|mapped_ram_setup_ramblock}
   */

  var MappedRamHeader = QemuMigration.MappedRamHeader = (function() {
    function MappedRamHeader(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    MappedRamHeader.prototype._read = function() {
      this.version = this._io.readU4be();
      if (!(this.version == 1)) {
        throw new KaitaiStream.ValidationNotEqualError(1, this.version, this._io, "/types/mapped_ram_header/seq/0");
      }
      this.pageSize = this._io.readU8be();
      this.bitmapOffset = this._io.readU8be();
      this.pagesOffset = this._io.readU8be();
    }

    /**
     * A block whose RAM is not in the file: with x-ignore-shared, a block
     * on shared memory (QEMU 11.0+ writes it so; earlier ones refused the
     * combination). No bitmap, no pages; the next entry follows.
     */
    Object.defineProperty(MappedRamHeader.prototype, 'isSkipped', {
      get: function() {
        if (this._m_isSkipped !== undefined)
          return this._m_isSkipped;
        this._m_isSkipped =  ((this.bitmapOffset == 0) && (this.pagesOffset == 0)) ;
        return this._m_isSkipped;
      }
    });

    /**
     * Granule of the bitmap (the target page size).
     */

    /**
     * Where the block's dirty bitmap lies (one bit per page, host byte order longs).
     */

    /**
     * Where page N of the block lies, at pages_offset + N * page_size.
     */

    return MappedRamHeader;
  })();

  var PackagedRecords = QemuMigration.PackagedRecords = (function() {
    function PackagedRecords(_io, _parent, _root, live, pageSize, ignoreShared, mappedRam) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;
      this.live = live;
      this.pageSize = pageSize;
      this.ignoreShared = ignoreShared;
      this.mappedRam = mappedRam;

      this._read();
    }
    PackagedRecords.prototype._read = function() {
      this.records = [];
      var i = 0;
      while (!this._io.isEof()) {
        this.records.push(new Record(this._io, this, this._root, (i == 0 ? this.live : this.records[i - 1].liveAfter), this.pageSize, this.ignoreShared, this.mappedRam));
        i++;
      }
    }

    return PackagedRecords;
  })();

  /**
   * One RAM block in the MEM_SIZE record (ram.c ram_save_setup): the
   * list ends when the lengths add up to the total.
   * @see {@link https://github.com/qemu/qemu/blob/v10.0.0/migration/ram.c|ram_save_setup}
   */

  var RamBlockEntry = QemuMigration.RamBlockEntry = (function() {
    function RamBlockEntry(_io, _parent, _root, ignoreShared, mappedRam, postcopyPageSizes, withData, total4kBefore) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;
      this.ignoreShared = ignoreShared;
      this.mappedRam = mappedRam;
      this.postcopyPageSizes = postcopyPageSizes;
      this.withData = withData;
      this.total4kBefore = total4kBefore;

      this._read();
    }
    RamBlockEntry.prototype._read = function() {
      this.lenName = this._io.readU1();
      this.name = KaitaiStream.bytesToStr(this._io.readBytes(this.lenName), "ASCII");
      this.usedLengthHi = this._io.readU4be();
      this.usedLengthLo = this._io.readU4be();
      if (this.postcopyPageSizes) {
        this.blockPageSize = this._io.readU8be();
      }
      if (this.ignoreShared) {
        this.mrAddr = this._io.readU8be();
      }
      if (this.mappedRam) {
        this.mappedRamHeader = new MappedRamHeader(this._io, this, this._root);
      }
      if ( ((this.mappedRam) && (this.withData) && (!(this.mappedRamHeader.isSkipped))) ) {
        this.mappedRamData = this._io.readBytes((this.mappedRamHeader.pagesOffset + this.usedLength) - this._io.pos);
      }
    }

    /**
     * mapped-ram - where the next entry or record starts (the stream seeks
     * past the block's data). A skipped block has no data: the next entry
     * follows its header.
     */
    Object.defineProperty(RamBlockEntry.prototype, 'ofsNext', {
      get: function() {
        if (this._m_ofsNext !== undefined)
          return this._m_ofsNext;
        if ( ((this.mappedRam) && (!(this.mappedRamHeader.isSkipped))) ) {
          this._m_ofsNext = (this.mappedRamHeader.pagesOffset + this.usedLength);
        }
        return this._m_ofsNext;
      }
    });
    Object.defineProperty(RamBlockEntry.prototype, 'total4kAfter', {
      get: function() {
        if (this._m_total4kAfter !== undefined)
          return this._m_total4kAfter;
        this._m_total4kAfter = ((this.total4kBefore + this.usedLengthHi * 1048576) + (this.usedLengthLo >>> 12));
        return this._m_total4kAfter;
      }
    });

    /**
     * Byte length: a 64-bit integer in every target (the cast: C++ and
     * Java would type the sum as a 32-bit int; JavaScript's numbers
     * are exact below 2^53).
     */
    Object.defineProperty(RamBlockEntry.prototype, 'usedLength', {
      get: function() {
        if (this._m_usedLength !== undefined)
          return this._m_usedLength;
        this._m_usedLength = (this.usedLengthHi * 4294967296 + this.usedLengthLo);
        return this._m_usedLength;
      }
    });

    /**
     * RAMBlock idstr, e.g. "pc.ram", "/rom@etc/acpi/tables", "mem0".
     */

    /**
     * Guest-physical address of the block's memory region (x-ignore-shared).
     */

    /**
     * mapped-ram: the block's bitmap and page area, which the stream
     * seeks over; the next entry (or record) starts at pages_offset +
     * used_length. 64-bit values only added and subtracted (exact in
     * JavaScript below 2^53), no bitwise arithmetic on them.
     */

    /**
     * Whether to read over a mapped-ram block's data (see `ram_record.with_blocks`).
     */

    return RamBlockEntry;
  })();

  /**
   * RAM_SAVE_FLAG_COMPRESS_PAGE (QEMU before 9.1, capability compress) - a zlib stream of one page.
   */

  var RamCompressedPage = QemuMigration.RamCompressedPage = (function() {
    function RamCompressedPage(_io, _parent, _root, pageSize) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;
      this.pageSize = pageSize;

      this._read();
    }
    RamCompressedPage.prototype._read = function() {
      this.lenData = this._io.readU4be();
      if (!(this.lenData <= ((this.pageSize + (this.pageSize >>> 12)) + (this.pageSize >>> 14)) + 13)) {
        throw new KaitaiStream.ValidationGreaterThanError(((this.pageSize + (this.pageSize >>> 12)) + (this.pageSize >>> 14)) + 13, this.lenData, this._io, "/types/ram_compressed_page/seq/0");
      }
      this.data = this._io.readBytes(this.lenData);
    }

    /**
     * At most zlib's compressBound(page size), as ram.c
     * ram_load_precopy checks ("Invalid compressed data length").
     */

    return RamCompressedPage;
  })();

  /**
   * Payload of the `ram` section (ram.c, section version 4): RAM records
   * up to and including the one with the EOS flag.
   * @see {@link https://github.com/qemu/qemu/blob/v10.0.0/migration/ram.c|ram_load_precopy}
   */

  var RamPayload = QemuMigration.RamPayload = (function() {
    function RamPayload(_io, _parent, _root, pageSize, ignoreShared, mappedRam, postcopyPageSizes) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;
      this.pageSize = pageSize;
      this.ignoreShared = ignoreShared;
      this.mappedRam = mappedRam;
      this.postcopyPageSizes = postcopyPageSizes;

      this._read();
    }
    RamPayload.prototype._read = function() {
      this.ramRecords = [];
      var i = 0;
      do {
        var _ = new RamRecord(this._io, this, this._root, this.pageSize, this.ignoreShared, this.mappedRam, this.postcopyPageSizes, true);
        this.ramRecords.push(_);
        i++;
      } while (!( ((_.isEos) || (!(_.hasValidFlags))) ));
    }

    return RamPayload;
  })();

  /**
   * One RAM record (ram.c ram_load_precopy): a be64 word holding a
   * page-aligned address in its high bits and RAM_SAVE_FLAG_* flags in
   * its low log2(page_size) bits, then what the flags say. The word is
   * read as two be32 halves so that no expression needs 64-bit
   * arithmetic: the address is (addr_hi << 32) | (addr_lo & ~(page_size
   * - 1)), computed by the reader.
   * 
   * With RAM_SAVE_FLAG_CONTINUE the block is the previous record's; the
   * current block carries across sections.
   * @see {@link https://github.com/qemu/qemu/blob/v10.0.0/migration/ram.c|ram_load_precopy}
   */

  var RamRecord = QemuMigration.RamRecord = (function() {
    function RamRecord(_io, _parent, _root, pageSize, ignoreShared, mappedRam, postcopyPageSizes, withBlocks) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;
      this.pageSize = pageSize;
      this.ignoreShared = ignoreShared;
      this.mappedRam = mappedRam;
      this.postcopyPageSizes = postcopyPageSizes;
      this.withBlocks = withBlocks;

      this._read();
    }
    RamRecord.prototype._read = function() {
      this.addrHi = this._io.readU4be();
      this.addrLo = this._io.readU4be();
      if ( ((this.isMemSize) && (this.memSize4k > 0) && (this.withBlocks)) ) {
        this.blocks = [];
        var i = 0;
        do {
          var _ = new RamBlockEntry(this._io, this, this._root, this.ignoreShared, this.mappedRam, this.postcopyPageSizes, true, (i == 0 ? 0 : this.blocks[i - 1].total4kAfter));
          this.blocks.push(_);
          i++;
        } while (!(_.total4kAfter >= this.memSize4k));
      }
      if (this.hasBlockName) {
        this.lenBlockName = this._io.readU1();
      }
      if (this.hasBlockName) {
        this.blockName = KaitaiStream.bytesToStr(this._io.readBytes(this.lenBlockName), "ASCII");
      }
      if (this.isZero) {
        this.fillByte = this._io.readU1();
      }
      if (this.isPage) {
        this.pageData = this._io.readBytes(this.pageSize);
      }
      if (this.isXbzrle) {
        this.xbzrle = new RamXbzrle(this._io, this, this._root);
      }
      if (this.isCompressPage) {
        this.compressed = new RamCompressedPage(this._io, this, this._root, this.pageSize);
      }
    }
    Object.defineProperty(RamRecord.prototype, 'flags', {
      get: function() {
        if (this._m_flags !== undefined)
          return this._m_flags;
        this._m_flags = this.addrLo & this.pageMask;
        return this._m_flags;
      }
    });
    Object.defineProperty(RamRecord.prototype, 'hasBlockName', {
      get: function() {
        if (this._m_hasBlockName !== undefined)
          return this._m_hasBlockName;
        this._m_hasBlockName =  ((!(this.isContinue)) && ( ((this.isZero) || (this.isPage) || (this.isXbzrle) || (this.isCompressPage)) )) ;
        return this._m_hasBlockName;
      }
    });

    /**
     * Exactly one RAM_SAVE_FLAG_* besides CONTINUE, as ram.c
     * ram_load_precopy requires. When false nothing more is read and
     * the RAM payload ends here: the stream is corrupt.
     */
    Object.defineProperty(RamRecord.prototype, 'hasValidFlags', {
      get: function() {
        if (this._m_hasValidFlags !== undefined)
          return this._m_hasValidFlags;
        this._m_hasValidFlags =  ((this.kindFlags != 0) && ((this.kindFlags & this.kindFlagsLess1) == 0)) ;
        return this._m_hasValidFlags;
      }
    });
    Object.defineProperty(RamRecord.prototype, 'isCompressPage', {
      get: function() {
        if (this._m_isCompressPage !== undefined)
          return this._m_isCompressPage;
        this._m_isCompressPage =  ((this.hasValidFlags) && (this.pageSize > 256) && ((this.flags & QemuMigration.RamSaveFlag.COMPRESS_PAGE) != 0)) ;
        return this._m_isCompressPage;
      }
    });
    Object.defineProperty(RamRecord.prototype, 'isContinue', {
      get: function() {
        if (this._m_isContinue !== undefined)
          return this._m_isContinue;
        this._m_isContinue = (this.flags & QemuMigration.RamSaveFlag.CONTINUED) != 0;
        return this._m_isContinue;
      }
    });
    Object.defineProperty(RamRecord.prototype, 'isEos', {
      get: function() {
        if (this._m_isEos !== undefined)
          return this._m_isEos;
        this._m_isEos =  ((this.hasValidFlags) && ((this.flags & QemuMigration.RamSaveFlag.EOS) != 0)) ;
        return this._m_isEos;
      }
    });

    /**
     * RAM_SAVE_FLAG_HOOK (RDMA); nothing follows in the stream itself.
     */
    Object.defineProperty(RamRecord.prototype, 'isHook', {
      get: function() {
        if (this._m_isHook !== undefined)
          return this._m_isHook;
        this._m_isHook =  ((this.hasValidFlags) && ((this.flags & QemuMigration.RamSaveFlag.HOOK) != 0)) ;
        return this._m_isHook;
      }
    });
    Object.defineProperty(RamRecord.prototype, 'isMemSize', {
      get: function() {
        if (this._m_isMemSize !== undefined)
          return this._m_isMemSize;
        this._m_isMemSize =  ((this.hasValidFlags) && ((this.flags & QemuMigration.RamSaveFlag.MEM_SIZE) != 0)) ;
        return this._m_isMemSize;
      }
    });
    Object.defineProperty(RamRecord.prototype, 'isMultifdFlush', {
      get: function() {
        if (this._m_isMultifdFlush !== undefined)
          return this._m_isMultifdFlush;
        this._m_isMultifdFlush =  ((this.hasValidFlags) && (this.pageSize > 512) && ((this.flags & QemuMigration.RamSaveFlag.MULTIFD_FLUSH) != 0)) ;
        return this._m_isMultifdFlush;
      }
    });
    Object.defineProperty(RamRecord.prototype, 'isPage', {
      get: function() {
        if (this._m_isPage !== undefined)
          return this._m_isPage;
        this._m_isPage =  ((this.hasValidFlags) && ((this.flags & QemuMigration.RamSaveFlag.PAGE) != 0)) ;
        return this._m_isPage;
      }
    });
    Object.defineProperty(RamRecord.prototype, 'isXbzrle', {
      get: function() {
        if (this._m_isXbzrle !== undefined)
          return this._m_isXbzrle;
        this._m_isXbzrle =  ((this.hasValidFlags) && ((this.flags & QemuMigration.RamSaveFlag.XBZRLE) != 0)) ;
        return this._m_isXbzrle;
      }
    });
    Object.defineProperty(RamRecord.prototype, 'isZero', {
      get: function() {
        if (this._m_isZero !== undefined)
          return this._m_isZero;
        this._m_isZero =  ((this.hasValidFlags) && ((this.flags & QemuMigration.RamSaveFlag.ZERO) != 0)) ;
        return this._m_isZero;
      }
    });

    /**
     * The flags less CONTINUE.
     */
    Object.defineProperty(RamRecord.prototype, 'kindFlags', {
      get: function() {
        if (this._m_kindFlags !== undefined)
          return this._m_kindFlags;
        this._m_kindFlags = this.flags & this.knownKinds;
        return this._m_kindFlags;
      }
    });

    /**
     * (Named so that no generated code mixes - and & without parentheses.)
     */
    Object.defineProperty(RamRecord.prototype, 'kindFlagsLess1', {
      get: function() {
        if (this._m_kindFlagsLess1 !== undefined)
          return this._m_kindFlagsLess1;
        this._m_kindFlagsLess1 = this.kindFlags - 1;
        return this._m_kindFlagsLess1;
      }
    });

    /**
     * Every RAM_SAVE_FLAG_* but CONTINUE.
     */
    Object.defineProperty(RamRecord.prototype, 'knownKinds', {
      get: function() {
        if (this._m_knownKinds !== undefined)
          return this._m_knownKinds;
        this._m_knownKinds = (((((((QemuMigration.RamSaveFlag.FULL | QemuMigration.RamSaveFlag.ZERO) | QemuMigration.RamSaveFlag.MEM_SIZE) | QemuMigration.RamSaveFlag.PAGE) | QemuMigration.RamSaveFlag.EOS) | QemuMigration.RamSaveFlag.XBZRLE) | QemuMigration.RamSaveFlag.HOOK) | QemuMigration.RamSaveFlag.COMPRESS_PAGE) | QemuMigration.RamSaveFlag.MULTIFD_FLUSH;
        return this._m_knownKinds;
      }
    });

    /**
     * MEM_SIZE total in 4 KiB units (RAM block lengths are host-page
     * aligned). Multiplied, not shifted, and cast: a 64-bit integer in
     * every target (a shift is 32-bit in JavaScript; C++ and Java would
     * type the sum as a 32-bit int).
     */
    Object.defineProperty(RamRecord.prototype, 'memSize4k', {
      get: function() {
        if (this._m_memSize4k !== undefined)
          return this._m_memSize4k;
        this._m_memSize4k = (this.addrHi * 1048576 + ((this.addrLo >>> 12) - (this.flags >>> 12)));
        return this._m_memSize4k;
      }
    });
    Object.defineProperty(RamRecord.prototype, 'pageMask', {
      get: function() {
        if (this._m_pageMask !== undefined)
          return this._m_pageMask;
        this._m_pageMask = this.pageSize - 1;
        return this._m_pageMask;
      }
    });

    /**
     * Low half of the address word, with the flags.
     */

    /**
     * RAM_SAVE_FLAG_MEM_SIZE; the address word holds the total of all blocks' used lengths.
     */

    /**
     * RAM_SAVE_FLAG_ZERO; the whole page is this byte (always 0 since QEMU 2.x).
     */

    /**
     * Target page size (a power of two, 256 to 65536).
     */

    /**
     * Capability x-ignore-shared (adds the mr address to MEM_SIZE entries).
     */

    /**
     * Capability mapped-ram (adds a MappedRamHeader to MEM_SIZE entries).
     */

    /**
     * Whether MEM_SIZE entries carry the block page size (postcopy-ram
     * on and the block's page size differs from the target's). The
     * stream does not say; the top-level type assumes no.
     */

    /**
     * Whether to read MEM_SIZE's block list here. A reader that must
     * not load mapped-ram block data into memory passes false and
     * reads `ram_block_entry` records itself (with_data false),
     * seeking to each entry's `ofs_next`.
     */

    return RamRecord;
  })();

  /**
   * RAM_SAVE_FLAG_XBZRLE: a delta against the previous content of the
   * page (migration/xbzrle.c: repeated ULEB128 zero-run length, ULEB128
   * literal length, literal bytes).
   * @see {@link https://github.com/qemu/qemu/blob/v10.0.0/migration/ram.c|load_xbzrle}
   */

  var RamXbzrle = QemuMigration.RamXbzrle = (function() {
    function RamXbzrle(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    RamXbzrle.prototype._read = function() {
      this.encoding = this._io.readU1();
      if (!(this.encoding == 1)) {
        throw new KaitaiStream.ValidationNotEqualError(1, this.encoding, this._io, "/types/ram_xbzrle/seq/0");
      }
      this.lenData = this._io.readU2be();
      this.data = this._io.readBytes(this.lenData);
    }

    /**
     * ENCODING_FLAG_XBZRLE.
     */

    return RamXbzrle;
  })();

  /**
   * One record of the top-level stream: its head and, for sections, the
   * payload, framed by the payload format the section's name (START,
   * FULL) or its id (PART, END: see `live_sections`) gives.
   */

  var Record = QemuMigration.Record = (function() {
    function Record(_io, _parent, _root, live, pageSize, ignoreShared, mappedRam) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;
      this.live = live;
      this.pageSize = pageSize;
      this.ignoreShared = ignoreShared;
      this.mappedRam = mappedRam;

      this._read();
    }
    Record.prototype._read = function() {
      this.head = new RecordHead(this._io, this, this._root);
      if (this.head.isSection) {
        switch (this.payloadFormat) {
        case QemuMigration.SectionFormat.BLOCK:
          this.payload = new BlockPayload(this._io, this, this._root);
          break;
        case QemuMigration.SectionFormat.DEVICE:
          this.payload = new DevicePayload(this._io, this, this._root, this.head.sectionId);
          break;
        case QemuMigration.SectionFormat.DIRTY_BITMAP:
          this.payload = new DirtyBitmapPayload(this._io, this, this._root);
          break;
        case QemuMigration.SectionFormat.HTAB:
          this.payload = new HtabPayload(this._io, this, this._root);
          break;
        case QemuMigration.SectionFormat.RAM:
          this.payload = new RamPayload(this._io, this, this._root, this.pageSize, this.ignoreShared, this.mappedRam, false);
          break;
        case QemuMigration.SectionFormat.SKEYS:
          this.payload = new SkeysPayload(this._io, this, this._root);
          break;
        case QemuMigration.SectionFormat.STATTRIB:
          this.payload = new StattribPayload(this._io, this, this._root);
          break;
        case QemuMigration.SectionFormat.VFIO:
          this.payload = new VfioPayload(this._io, this, this._root);
          break;
        }
      }
      if ( ((this.head.isCommand) && (this.head.command.commandType == QemuMigration.CommandType.PACKAGED)) ) {
        this._raw_packaged = this._io.readBytes(this.head.command.packagedLen);
        var _io__raw_packaged = new KaitaiStream(this._raw_packaged);
        this.packaged = new PackagedRecords(_io__raw_packaged, this, this._root, this.liveAfter, this.pageSize, this.ignoreShared, this.mappedRam);
      }
    }

    /**
     * EOF ends the record list; so does an unknown record type (corrupt input), which cannot be framed further.
     */
    Object.defineProperty(Record.prototype, 'isLast', {
      get: function() {
        if (this._m_isLast !== undefined)
          return this._m_isLast;
        this._m_isLast =  ((this.head.recordType == QemuMigration.RecordType.EOF) || (!(this.head.isKnown))) ;
        return this._m_isLast;
      }
    });

    /**
     * The live sections started up to this record, for the next one.
     */
    Object.defineProperty(Record.prototype, 'liveAfter', {
      get: function() {
        if (this._m_liveAfter !== undefined)
          return this._m_liveAfter;
        var _pos = this._io.pos;
        this._io.seek(0);
        this._raw__m_liveAfter = this._io.readBytes(0);
        var _io__raw__m_liveAfter = new KaitaiStream(this._raw__m_liveAfter);
        this._m_liveAfter = new LiveSections(_io__raw__m_liveAfter, this, this._root, ( ((this.head.isNamed) && (this.namedFormat == QemuMigration.SectionFormat.RAM))  ? this.head.sectionId : this.live.ram), ( ((this.head.isNamed) && (this.namedFormat == QemuMigration.SectionFormat.BLOCK))  ? this.head.sectionId : this.live.block), ( ((this.head.isNamed) && (this.namedFormat == QemuMigration.SectionFormat.DIRTY_BITMAP))  ? this.head.sectionId : this.live.dirtyBitmap), ( ((this.head.isNamed) && (this.namedFormat == QemuMigration.SectionFormat.HTAB))  ? this.head.sectionId : this.live.htab), ( ((this.head.isNamed) && (this.namedFormat == QemuMigration.SectionFormat.STATTRIB))  ? this.head.sectionId : this.live.stattrib), ( ((this.head.isNamed) && (this.namedFormat == QemuMigration.SectionFormat.VFIO))  ? this.head.sectionId : this.live.vfio));
        this._io.seek(_pos);
        return this._m_liveAfter;
      }
    });

    /**
     * The payload format a START or FULL section's name gives (a FULL vfio section is a device payload).
     */
    Object.defineProperty(Record.prototype, 'namedFormat', {
      get: function() {
        if (this._m_namedFormat !== undefined)
          return this._m_namedFormat;
        if (this.head.isNamed) {
          this._m_namedFormat = (this.head.section.name == "ram" ? QemuMigration.SectionFormat.RAM : (this.head.section.name == "block" ? QemuMigration.SectionFormat.BLOCK : (this.head.section.name == "dirty-bitmap" ? QemuMigration.SectionFormat.DIRTY_BITMAP : (this.head.section.name == "spapr/htab" ? QemuMigration.SectionFormat.HTAB : (this.head.section.name == "s390-storage_attributes" ? QemuMigration.SectionFormat.STATTRIB : (this.head.section.name == "s390-skeys" ? QemuMigration.SectionFormat.SKEYS : ( ((this.head.recordType == QemuMigration.RecordType.SECTION_START) && (this.head.section.name.length >= 5) && (this.head.section.name.substring(this.head.section.name.length - 5, this.head.section.name.length) == "/vfio"))  ? QemuMigration.SectionFormat.VFIO : QemuMigration.SectionFormat.DEVICE)))))));
        }
        return this._m_namedFormat;
      }
    });

    /**
     * The payload format of a PART or END section, by its id.
     */
    Object.defineProperty(Record.prototype, 'partFormat', {
      get: function() {
        if (this._m_partFormat !== undefined)
          return this._m_partFormat;
        if ( ((this.head.isSection) && (!(this.head.isNamed))) ) {
          this._m_partFormat = (this.head.sectionId == this.live.ram ? QemuMigration.SectionFormat.RAM : (this.head.sectionId == this.live.block ? QemuMigration.SectionFormat.BLOCK : (this.head.sectionId == this.live.dirtyBitmap ? QemuMigration.SectionFormat.DIRTY_BITMAP : (this.head.sectionId == this.live.htab ? QemuMigration.SectionFormat.HTAB : (this.head.sectionId == this.live.stattrib ? QemuMigration.SectionFormat.STATTRIB : (this.head.sectionId == this.live.vfio ? QemuMigration.SectionFormat.VFIO : QemuMigration.SectionFormat.DEVICE))))));
        }
        return this._m_partFormat;
      }
    });
    Object.defineProperty(Record.prototype, 'payloadFormat', {
      get: function() {
        if (this._m_payloadFormat !== undefined)
          return this._m_payloadFormat;
        if (this.head.isSection) {
          this._m_payloadFormat = (this.head.isNamed ? this.namedFormat : this.partFormat);
        }
        return this._m_payloadFormat;
      }
    });
    Object.defineProperty(Record.prototype, 'sectionName', {
      get: function() {
        if (this._m_sectionName !== undefined)
          return this._m_sectionName;
        if (this.head.isNamed) {
          this._m_sectionName = this.head.section.name;
        }
        return this._m_sectionName;
      }
    });

    /**
     * MIG_CMD_PACKAGED: the N bytes that the command announces follow
     * it, outside the command's own length: a headerless nested
     * stream of records (POSTCOPY_LISTEN, FULL sections, PING,
     * POSTCOPY_RUN).
     */

    /**
     * The live sections started before this record.
     */

    /**
     * Target page size (see the top-level `page_size`).
     */

    /**
     * Capability x-ignore-shared.
     */

    /**
     * Capability mapped-ram.
     */

    return Record;
  })();

  /**
   * The type byte and everything up to a section's payload: the section
   * header (START/FULL: id, name, instance, version; PART/END: id), a
   * footer, a command (with its own payload, but not PACKAGED's nested
   * bytes) or the configuration record. Parses on its own at any record
   * boundary.
   * @see {@link https://github.com/qemu/qemu/blob/v10.0.0/migration/savevm.c|qemu_loadvm_state_main}
   */

  var RecordHead = QemuMigration.RecordHead = (function() {
    function RecordHead(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    RecordHead.prototype._read = function() {
      this.recordType = this._io.readU1();
      if (this.isNamed) {
        this.section = new SectionHeader(this._io, this, this._root);
      }
      if ( ((this.recordType == QemuMigration.RecordType.SECTION_PART) || (this.recordType == QemuMigration.RecordType.SECTION_END)) ) {
        this.partSectionId = this._io.readU4be();
      }
      if (this.recordType == QemuMigration.RecordType.SECTION_FOOTER) {
        this.footer = new SectionFooter(this._io, this, this._root);
      }
      if (this.recordType == QemuMigration.RecordType.CONFIGURATION) {
        this.configuration = new Configuration(this._io, this, this._root);
      }
      if (this.recordType == QemuMigration.RecordType.COMMAND) {
        this.command = new Command(this._io, this, this._root);
      }
    }
    Object.defineProperty(RecordHead.prototype, 'isCommand', {
      get: function() {
        if (this._m_isCommand !== undefined)
          return this._m_isCommand;
        this._m_isCommand = this.recordType == QemuMigration.RecordType.COMMAND;
        return this._m_isCommand;
      }
    });

    /**
     * False for SUBSECTION (0x05) and VMDESCRIPTION (0x06), which never start a record, and for anything unknown.
     */
    Object.defineProperty(RecordHead.prototype, 'isKnown', {
      get: function() {
        if (this._m_isKnown !== undefined)
          return this._m_isKnown;
        this._m_isKnown =  ((this.isSection) || (this.recordType == QemuMigration.RecordType.EOF) || (this.recordType == QemuMigration.RecordType.CONFIGURATION) || (this.recordType == QemuMigration.RecordType.COMMAND) || (this.recordType == QemuMigration.RecordType.SECTION_FOOTER)) ;
        return this._m_isKnown;
      }
    });
    Object.defineProperty(RecordHead.prototype, 'isNamed', {
      get: function() {
        if (this._m_isNamed !== undefined)
          return this._m_isNamed;
        this._m_isNamed =  ((this.recordType == QemuMigration.RecordType.SECTION_START) || (this.recordType == QemuMigration.RecordType.SECTION_FULL)) ;
        return this._m_isNamed;
      }
    });
    Object.defineProperty(RecordHead.prototype, 'isSection', {
      get: function() {
        if (this._m_isSection !== undefined)
          return this._m_isSection;
        this._m_isSection =  ((this.recordType == QemuMigration.RecordType.SECTION_START) || (this.recordType == QemuMigration.RecordType.SECTION_PART) || (this.recordType == QemuMigration.RecordType.SECTION_END) || (this.recordType == QemuMigration.RecordType.SECTION_FULL)) ;
        return this._m_isSection;
      }
    });

    /**
     * The type byte as a number (also when it is not a known record type).
     */
    Object.defineProperty(RecordHead.prototype, 'recordTypeRaw', {
      get: function() {
        if (this._m_recordTypeRaw !== undefined)
          return this._m_recordTypeRaw;
        this._m_recordTypeRaw = this.recordType;
        return this._m_recordTypeRaw;
      }
    });
    Object.defineProperty(RecordHead.prototype, 'sectionId', {
      get: function() {
        if (this._m_sectionId !== undefined)
          return this._m_sectionId;
        this._m_sectionId = (this.isNamed ? this.section.sectionId : ( ((this.recordType == QemuMigration.RecordType.SECTION_PART) || (this.recordType == QemuMigration.RecordType.SECTION_END))  ? this.partSectionId : (this.recordType == QemuMigration.RecordType.SECTION_FOOTER ? this.footer.sectionId : 0)));
        return this._m_sectionId;
      }
    });

    return RecordHead;
  })();

  /**
   * QEMU_VM_SECTION_FOOTER after each section payload (since QEMU 2.4); the id repeats the section's.
   * @see {@link https://github.com/qemu/qemu/blob/v10.0.0/migration/savevm.c|save_section_footer}
   */

  var SectionFooter = QemuMigration.SectionFooter = (function() {
    function SectionFooter(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    SectionFooter.prototype._read = function() {
      this.sectionId = this._io.readU4be();
    }

    return SectionFooter;
  })();

  /**
   * Header of SECTION_START and SECTION_FULL.
   * @see {@link https://github.com/qemu/qemu/blob/v10.0.0/migration/savevm.c|save_section_header}
   */

  var SectionHeader = QemuMigration.SectionHeader = (function() {
    function SectionHeader(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    SectionHeader.prototype._read = function() {
      this.sectionId = this._io.readU4be();
      this.lenName = this._io.readU1();
      this.name = KaitaiStream.bytesToStr(this._io.readBytes(this.lenName), "ASCII");
      this.instanceId = this._io.readU4be();
      this.versionId = this._io.readU4be();
    }

    /**
     * The SaveStateEntry idstr, e.g. "ram", "cpu", "0000:00:02.0/vfio".
     */

    return SectionHeader;
  })();

  /**
   * Payload of `s390-skeys` (hw/s390x/s390-skeys.c s390_storage_keys_save):
   * one record per guest memory range, then EOS (or ERROR).
   * @see {@link https://github.com/qemu/qemu/blob/v10.0.0/hw/s390x/s390-skeys.c|s390_storage_keys_load}
   */

  var SkeysPayload = QemuMigration.SkeysPayload = (function() {
    function SkeysPayload(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    SkeysPayload.prototype._read = function() {
      this.skeysRecords = [];
      var i = 0;
      do {
        var _ = new SkeysRecord(this._io, this, this._root);
        this.skeysRecords.push(_);
        i++;
      } while (!( ((_.isEos) || (_.isError)) ));
    }

    return SkeysPayload;
  })();

  var SkeysRecord = QemuMigration.SkeysRecord = (function() {
    function SkeysRecord(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    SkeysRecord.prototype._read = function() {
      this.addrHi = this._io.readU4be();
      this.addrLo = this._io.readU4be();
      if (this.isSkeys) {
        this.numKeys = this._io.readU8be();
      }
      if (this.isSkeys) {
        this.keys = this._io.readBytes(this.numKeys);
      }
    }
    Object.defineProperty(SkeysRecord.prototype, 'flags', {
      get: function() {
        if (this._m_flags !== undefined)
          return this._m_flags;
        this._m_flags = this.addrLo & 4095;
        return this._m_flags;
      }
    });
    Object.defineProperty(SkeysRecord.prototype, 'isEos', {
      get: function() {
        if (this._m_isEos !== undefined)
          return this._m_isEos;
        this._m_isEos = (this.flags & QemuMigration.SkeysFlag.EOS) != 0;
        return this._m_isEos;
      }
    });
    Object.defineProperty(SkeysRecord.prototype, 'isError', {
      get: function() {
        if (this._m_isError !== undefined)
          return this._m_isError;
        this._m_isError = (this.flags & QemuMigration.SkeysFlag.ERROR) != 0;
        return this._m_isError;
      }
    });
    Object.defineProperty(SkeysRecord.prototype, 'isSkeys', {
      get: function() {
        if (this._m_isSkeys !== undefined)
          return this._m_isSkeys;
        this._m_isSkeys = (this.flags & QemuMigration.SkeysFlag.SKEYS) != 0;
        return this._m_isSkeys;
      }
    });

    /**
     * One storage key per 4 KiB page (ACC << 4 | F << 3 | R << 2 | C << 1).
     */

    return SkeysRecord;
  })();

  /**
   * Payload of `s390-storage_attributes` (hw/s390x/s390-stattrib.c
   * cmma_save, cmma_load): records up to the one with EOS.
   * @see {@link https://github.com/qemu/qemu/blob/v10.0.0/hw/s390x/s390-stattrib.c|cmma_load}
   */

  var StattribPayload = QemuMigration.StattribPayload = (function() {
    function StattribPayload(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    StattribPayload.prototype._read = function() {
      this.stattribRecords = [];
      var i = 0;
      do {
        var _ = new StattribRecord(this._io, this, this._root);
        this.stattribRecords.push(_);
        i++;
      } while (!( ((_.isEos) || (_.isError)) ));
    }

    return StattribPayload;
  })();

  /**
   * be64 word of a guest address (page aligned) with flags in its low 12 bits.
   */

  var StattribRecord = QemuMigration.StattribRecord = (function() {
    function StattribRecord(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    StattribRecord.prototype._read = function() {
      this.addrHi = this._io.readU4be();
      this.addrLo = this._io.readU4be();
      if (this.isMore) {
        this.numAttributes = this._io.readU8be();
      }
      if (this.isMore) {
        this.attributes = this._io.readBytes(this.numAttributes);
      }
    }
    Object.defineProperty(StattribRecord.prototype, 'flags', {
      get: function() {
        if (this._m_flags !== undefined)
          return this._m_flags;
        this._m_flags = this.addrLo & 4095;
        return this._m_flags;
      }
    });
    Object.defineProperty(StattribRecord.prototype, 'isDone', {
      get: function() {
        if (this._m_isDone !== undefined)
          return this._m_isDone;
        this._m_isDone = (this.flags & QemuMigration.StattribFlag.DONE) != 0;
        return this._m_isDone;
      }
    });
    Object.defineProperty(StattribRecord.prototype, 'isEos', {
      get: function() {
        if (this._m_isEos !== undefined)
          return this._m_isEos;
        this._m_isEos = (this.flags & QemuMigration.StattribFlag.EOS) != 0;
        return this._m_isEos;
      }
    });
    Object.defineProperty(StattribRecord.prototype, 'isError', {
      get: function() {
        if (this._m_isError !== undefined)
          return this._m_isError;
        this._m_isError = (this.flags & QemuMigration.StattribFlag.ERROR) != 0;
        return this._m_isError;
      }
    });
    Object.defineProperty(StattribRecord.prototype, 'isMore', {
      get: function() {
        if (this._m_isMore !== undefined)
          return this._m_isMore;
        this._m_isMore = (this.flags & QemuMigration.StattribFlag.MORE) != 0;
        return this._m_isMore;
      }
    });

    /**
     * One CMMA attribute byte per 4 KiB page from the address on.
     */

    return StattribRecord;
  })();

  /**
   * START/PART/END payload of a `<device path>/vfio` section
   * (hw/vfio/migration.c): be64 markers 0xFFFFFFFFEF10000n and device
   * data blocks, ended by END_OF_STATE or by INIT_DATA_SENT. The FULL
   * vfio section carries the device config as an inline VMSD and is
   * treated as a device payload.
   * @see {@link https://github.com/qemu/qemu/blob/v10.0.0/hw/vfio/migration.c|vfio_load_state}
   */

  var VfioPayload = QemuMigration.VfioPayload = (function() {
    function VfioPayload(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    VfioPayload.prototype._read = function() {
      this.vfioRecords = [];
      var i = 0;
      do {
        var _ = new VfioRecord(this._io, this, this._root);
        this.vfioRecords.push(_);
        i++;
      } while (!( ((_.code == QemuMigration.VfioMigFlag.END_OF_STATE) || (_.code == QemuMigration.VfioMigFlag.DEV_INIT_DATA_SENT)) ));
    }

    return VfioPayload;
  })();

  var VfioRecord = QemuMigration.VfioRecord = (function() {
    function VfioRecord(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    VfioRecord.prototype._read = function() {
      this.markerPrefix = this._io.readBytes(6);
      if (!((KaitaiStream.byteArrayCompare(this.markerPrefix, new Uint8Array([255, 255, 255, 255, 239, 16])) == 0))) {
        throw new KaitaiStream.ValidationNotEqualError(new Uint8Array([255, 255, 255, 255, 239, 16]), this.markerPrefix, this._io, "/types/vfio_record/seq/0");
      }
      this.code = this._io.readU2be();
      if (this.code == QemuMigration.VfioMigFlag.DEV_DATA_STATE) {
        this.lenData = this._io.readU8be();
      }
      if (this.code == QemuMigration.VfioMigFlag.DEV_DATA_STATE) {
        this.data = this._io.readBytes(this.lenData);
      }
    }

    /**
     * The low 16 bits of the be64 VFIO_MIG_FLAG_* marker.
     */

    /**
     * Opaque device migration data from the vfio driver.
     */

    return VfioRecord;
  })();

  /**
   * QEMU_VM_VMDESCRIPTION after the EOF record: be32 length and that
   * many bytes of JSON (no NUL) describing the FULL sections' fields.
   * @see {@link https://github.com/qemu/qemu/blob/v10.0.0/migration/savevm.c|qemu_savevm_state_complete_precopy_non_iterable}
   */

  var Vmdescription = QemuMigration.Vmdescription = (function() {
    function Vmdescription(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    Vmdescription.prototype._read = function() {
      this.head = new VmdescriptionHead(this._io, this, this._root);
      this.json = KaitaiStream.bytesToStr(this._io.readBytes(this.head.lenJson), "UTF-8");
    }
    Object.defineProperty(Vmdescription.prototype, 'lenJson', {
      get: function() {
        if (this._m_lenJson !== undefined)
          return this._m_lenJson;
        this._m_lenJson = this.head.lenJson;
        return this._m_lenJson;
      }
    });

    return Vmdescription;
  })();

  /**
   * The marker and length of the VMDESCRIPTION record (savevm.c
   * qemu_savevm_state_complete_precopy), for a reader that checks the
   * length against the file before it reads the JSON.
   */

  var VmdescriptionHead = QemuMigration.VmdescriptionHead = (function() {
    function VmdescriptionHead(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    VmdescriptionHead.prototype._read = function() {
      this.marker = this._io.readBytes(1);
      if (!((KaitaiStream.byteArrayCompare(this.marker, new Uint8Array([6])) == 0))) {
        throw new KaitaiStream.ValidationNotEqualError(new Uint8Array([6]), this.marker, this._io, "/types/vmdescription_head/seq/0");
      }
      this.lenJson = this._io.readU4be();
    }

    return VmdescriptionHead;
  })();

  /**
   * The configuration record (first after the header since QEMU 2.4).
   */
  Object.defineProperty(QemuMigration.prototype, 'configuration', {
    get: function() {
      if (this._m_configuration !== undefined)
        return this._m_configuration;
      if (this.firstRecordType == QemuMigration.RecordType.CONFIGURATION) {
        var _pos = this._io.pos;
        this._io.seek(this.ofsHeader + 9);
        this._m_configuration = new Configuration(this._io, this, this._root);
        this._io.seek(_pos);
      }
      return this._m_configuration;
    }
  });
  Object.defineProperty(QemuMigration.prototype, 'firstRecordType', {
    get: function() {
      if (this._m_firstRecordType !== undefined)
        return this._m_firstRecordType;
      if (this._io.size > this.ofsHeader + 8) {
        var _pos = this._io.pos;
        this._io.seek(this.ofsHeader + 8);
        this._m_firstRecordType = this._io.readU1();
        this._io.seek(_pos);
      }
      return this._m_firstRecordType;
    }
  });
  Object.defineProperty(QemuMigration.prototype, 'hasConfiguration', {
    get: function() {
      if (this._m_hasConfiguration !== undefined)
        return this._m_hasConfiguration;
      this._m_hasConfiguration =  ((this._io.size > this.ofsHeader + 8) && (this.firstRecordType == QemuMigration.RecordType.CONFIGURATION)) ;
      return this._m_hasConfiguration;
    }
  });

  /**
   * Capability x-ignore-shared, as the configuration announces it.
   */
  Object.defineProperty(QemuMigration.prototype, 'ignoreShared', {
    get: function() {
      if (this._m_ignoreShared !== undefined)
        return this._m_ignoreShared;
      this._m_ignoreShared =  ((this.hasConfiguration) && (this.configuration.hasXIgnoreShared)) ;
      return this._m_ignoreShared;
    }
  });

  /**
   * The first 16 MiB up to its first 0x51 ("Q"). Read with a size and cut
   * in memory, not scanned for: a scan of the stream that finds no 0x51
   * would end in an error about the terminator (and the stock C++
   * runtime's throws at the end of any stream), where a file that is
   * not a migration stream should fail on the magic.
   */
  Object.defineProperty(QemuMigration.prototype, 'leadingWindow', {
    get: function() {
      if (this._m_leadingWindow !== undefined)
        return this._m_leadingWindow;
      var _pos = this._io.pos;
      this._io.seek(0);
      this._m_leadingWindow = KaitaiStream.bytesTerminate(this._io.readBytes((this._io.size < 16777216 ? this._io.size : 16777216)), 81, false);
      this._io.seek(_pos);
      return this._m_leadingWindow;
    }
  });

  /**
   * Capability mapped-ram, as the configuration announces it.
   */
  Object.defineProperty(QemuMigration.prototype, 'mappedRam', {
    get: function() {
      if (this._m_mappedRam !== undefined)
        return this._m_mappedRam;
      this._m_mappedRam =  ((this.hasConfiguration) && (this.configuration.hasMappedRam)) ;
      return this._m_mappedRam;
    }
  });

  /**
   * What the first record starts from.
   */
  Object.defineProperty(QemuMigration.prototype, 'noLiveSections', {
    get: function() {
      if (this._m_noLiveSections !== undefined)
        return this._m_noLiveSections;
      var _pos = this._io.pos;
      this._io.seek(0);
      this._raw__m_noLiveSections = this._io.readBytes(0);
      var _io__raw__m_noLiveSections = new KaitaiStream(this._raw__m_noLiveSections);
      this._m_noLiveSections = new LiveSections(_io__raw__m_noLiveSections, this, this._root, 4294967296, 4294967296, 4294967296, 4294967296, 4294967296, 4294967296);
      this._io.seek(_pos);
      return this._m_noLiveSections;
    }
  });

  /**
   * Where the header starts; 0 when the first 16 MiB hold no "Q" (the magic check then fails there).
   */
  Object.defineProperty(QemuMigration.prototype, 'ofsHeader', {
    get: function() {
      if (this._m_ofsHeader !== undefined)
        return this._m_ofsHeader;
      this._m_ofsHeader = (this.leadingWindow.length < (this._io.size < 16777216 ? this._io.size : 16777216) ? this.leadingWindow.length : 0);
      return this._m_ofsHeader;
    }
  });

  /**
   * Target page size, which RAM records need to split their address
   * word into address and flags. Taken from, in this order:
   * 1. the configuration's `target-page-bits` subsection (targets whose
   *    page size can vary, e.g. arm/aarch64 `virt`, when it is above
   *    the minimum);
   * 2. the configuration's machine name, for machines whose target has a
   *    fixed page size other than 4 KiB or runs at its minimum page
   *    bits (see `configuration.page_size_by_machine`);
   * 3. otherwise 4096.
   * Still wrong for: streams with no configuration record (QEMU < 2.4
   * or `send-configuration=off`) of targets whose page size is not
   * 4 KiB; arm machines not in the known list running at 1 KiB pages;
   * alpha, or1k, hppa and other 8 KiB-page targets whose machine name is
   * not in the list (e.g. or1k `virt`); and loongarch, ppc 4xx/e500
   * or mips configurations built with other than 4 KiB pages. For
   * those, a reader that knows the page size (the JSON description's
   * `page_size`) must parse the RAM records itself.
   */
  Object.defineProperty(QemuMigration.prototype, 'pageSize', {
    get: function() {
      if (this._m_pageSize !== undefined)
        return this._m_pageSize;
      this._m_pageSize = ( ((this.hasConfiguration) && (this.configuration.targetPageBits != 0))  ? 1 << this.configuration.targetPageBits : ( ((this.hasConfiguration) && (this.configuration.pageSizeByMachine != 0))  ? this.configuration.pageSizeByMachine : 4096));
      return this._m_pageSize;
    }
  });

  /**
   * Bytes before the stream, normally none. `migrate file:PATH,offset=N`
   * writes the stream N bytes into the file (what is before is left as
   * it was: zeros in a new file). Up to the first "Q" of the magic, so
   * this finds the stream when those bytes contain no 0x51 and are
   * fewer than 16 MiB (see `leading_window`).
   */

  /**
   * Absent in postcopy streams, with `suppress-vmdesc` (pc-i440fx-2.2
   * and older, xenfv) and in COLO / xen-save-devices-state streams.
   * Anything may follow it in a file (padding, a container).
   */

  return QemuMigration;
})();
QemuMigration_.QemuMigration = QemuMigration;
});
