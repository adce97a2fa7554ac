// This is a generated file! Please edit source .ksy file and use kaitai-struct-compiler to rebuild

(function (root, factory) {
  if (typeof define === 'function' && define.amd) {
    define(['exports', 'kaitai-struct/KaitaiStream'], factory);
  } else if (typeof exports === 'object' && exports !== null && typeof exports.nodeType !== 'number') {
    factory(exports, require('kaitai-struct/KaitaiStream'));
  } else {
    factory(root.Lzop || (root.Lzop = {}), root.KaitaiStream);
  }
})(typeof self !== 'undefined' ? self : this, function (Lzop_, KaitaiStream) {
/**
 * The file framing of lzop (one file, not multipart): a magic, a header,
 * then blocks of at most 64 MiB of data each compressed on its own with
 * LZO1X (or stored when that does not make it smaller), each with the
 * checksums the header's flags ask for; a block of length 0 ends the file.
 * The blocks' data is LZO1X (lzo1x_decompress_safe), which no Kaitai
 * process routine decodes: a reader decompresses `data` itself.
 * @see {@link https://github.com/nemequ/lzop/blob/master/src/lzop.c|(read_header)}
 * @see {@link https://github.com/nemequ/lzop/blob/master/src/p_lzo.c|(lzo_decompress)}
 */

var Lzop = (function() {
  Lzop.Method = Object.freeze({
    LZO1X_1: 1,
    LZO1X_1_15: 2,
    LZO1X_999: 3,

    1: "LZO1X_1",
    2: "LZO1X_1_15",
    3: "LZO1X_999",
  });

  function Lzop(_io, _parent, _root) {
    this._io = _io;
    this._parent = _parent;
    this._root = _root || this;

    this._read();
  }
  Lzop.prototype._read = function() {
    this.magic = this._io.readBytes(9);
    if (!((KaitaiStream.byteArrayCompare(this.magic, new Uint8Array([137, 76, 90, 79, 0, 13, 10, 26, 10])) == 0))) {
      throw new KaitaiStream.ValidationNotEqualError(new Uint8Array([137, 76, 90, 79, 0, 13, 10, 26, 10]), this.magic, this._io, "/seq/0");
    }
    this.header = new Header(this._io, this, this._root);
    this.blocks = [];
    var i = 0;
    do {
      var _ = new Block(this._io, this, this._root, this.header.flags);
      this.blocks.push(_);
      i++;
    } while (!(_.lenUncompressed == 0));
  }

  var Block = Lzop.Block = (function() {
    function Block(_io, _parent, _root, flags) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;
      this.flags = flags;

      this._read();
    }
    Block.prototype._read = function() {
      this.lenUncompressed = this._io.readU4be();
      if (!(this.lenUncompressed <= 67108864)) {
        throw new KaitaiStream.ValidationGreaterThanError(67108864, this.lenUncompressed, this._io, "/types/block/seq/0");
      }
      if (this.lenUncompressed != 0) {
        this.lenCompressed = this._io.readU4be();
        if (!(this.lenCompressed >= 1)) {
          throw new KaitaiStream.ValidationLessThanError(1, this.lenCompressed, this._io, "/types/block/seq/1");
        }
        if (!(this.lenCompressed <= this.lenUncompressed)) {
          throw new KaitaiStream.ValidationGreaterThanError(this.lenUncompressed, this.lenCompressed, this._io, "/types/block/seq/1");
        }
      }
      if ( ((this.lenUncompressed != 0) && ((this.flags & 1) != 0)) ) {
        this.adler32Uncompressed = this._io.readU4be();
      }
      if ( ((this.lenUncompressed != 0) && ((this.flags & 256) != 0)) ) {
        this.crc32Uncompressed = this._io.readU4be();
      }
      if ( ((this.lenUncompressed != 0) && ((this.flags & 2) != 0) && (this.lenCompressed < this.lenUncompressed)) ) {
        this.adler32Compressed = this._io.readU4be();
      }
      if ( ((this.lenUncompressed != 0) && ((this.flags & 512) != 0) && (this.lenCompressed < this.lenUncompressed)) ) {
        this.crc32Compressed = this._io.readU4be();
      }
      if (this.lenUncompressed != 0) {
        this.data = this._io.readBytes(this.lenCompressed);
      }
    }
    Object.defineProperty(Block.prototype, 'isStored', {
      get: function() {
        if (this._m_isStored !== undefined)
          return this._m_isStored;
        this._m_isStored =  ((this.lenUncompressed != 0) && (this.lenCompressed == this.lenUncompressed)) ;
        return this._m_isStored;
      }
    });

    /**
     * Bytes of data once decompressed; 0 ends the file. At most 64 MiB.
     */

    /**
     * LZO1X data, or the bytes themselves when `is_stored`.
     */

    return Block;
  })();

  var ExtraField = Lzop.ExtraField = (function() {
    function ExtraField(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    ExtraField.prototype._read = function() {
      this.lenData = this._io.readU4be();
      this.data = this._io.readBytes(this.lenData);
      this.checksum = this._io.readU4be();
    }

    return ExtraField;
  })();

  var Header = Lzop.Header = (function() {
    function Header(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    Header.prototype._read = function() {
      this.version = this._io.readU2be();
      if (!(this.version >= 2304)) {
        throw new KaitaiStream.ValidationLessThanError(2304, this.version, this._io, "/types/header/seq/0");
      }
      this.libVersion = this._io.readU2be();
      if (this.version >= 2368) {
        this.versionNeededToExtract = this._io.readU2be();
      }
      this.method = this._io.readU1();
      if (this.version >= 2368) {
        this.level = this._io.readU1();
      }
      this.flags = this._io.readU4be();
      if ((this.flags & 2048) != 0) {
        this.filter = this._io.readU4be();
      }
      this.mode = this._io.readU4be();
      this.mtimeLow = this._io.readU4be();
      if (this.version >= 2368) {
        this.mtimeHigh = this._io.readU4be();
      }
      this.lenName = this._io.readU1();
      this.name = this._io.readBytes(this.lenName);
      this.headerChecksum = this._io.readU4be();
      if ((this.flags & 64) != 0) {
        this.extraField = new ExtraField(this._io, this, this._root);
      }
    }
    Object.defineProperty(Header.prototype, 'hasAdler32C', {
      get: function() {
        if (this._m_hasAdler32C !== undefined)
          return this._m_hasAdler32C;
        this._m_hasAdler32C = (this.flags & 2) != 0;
        return this._m_hasAdler32C;
      }
    });
    Object.defineProperty(Header.prototype, 'hasAdler32D', {
      get: function() {
        if (this._m_hasAdler32D !== undefined)
          return this._m_hasAdler32D;
        this._m_hasAdler32D = (this.flags & 1) != 0;
        return this._m_hasAdler32D;
      }
    });
    Object.defineProperty(Header.prototype, 'hasCrc32C', {
      get: function() {
        if (this._m_hasCrc32C !== undefined)
          return this._m_hasCrc32C;
        this._m_hasCrc32C = (this.flags & 512) != 0;
        return this._m_hasCrc32C;
      }
    });
    Object.defineProperty(Header.prototype, 'hasCrc32D', {
      get: function() {
        if (this._m_hasCrc32D !== undefined)
          return this._m_hasCrc32D;
        this._m_hasCrc32D = (this.flags & 256) != 0;
        return this._m_hasCrc32D;
      }
    });
    Object.defineProperty(Header.prototype, 'hasHeaderCrc32', {
      get: function() {
        if (this._m_hasHeaderCrc32 !== undefined)
          return this._m_hasHeaderCrc32;
        this._m_hasHeaderCrc32 = (this.flags & 4096) != 0;
        return this._m_hasHeaderCrc32;
      }
    });
    Object.defineProperty(Header.prototype, 'isMultipart', {
      get: function() {
        if (this._m_isMultipart !== undefined)
          return this._m_isMultipart;
        this._m_isMultipart = (this.flags & 1024) != 0;
        return this._m_isMultipart;
      }
    });

    /**
     * The lzop version that wrote the file (BCD, e.g. 0x1040 = 1.04).
     */

    /**
     * The LZO library version.
     */

    /**
     * The LZO1X variant that compressed the blocks (all three decompress
     * alike); lzop builds with other algorithms write other numbers.
     */

    /**
     * F_* bits (see the instances); the top byte names the OS.
     */

    /**
     * Unix mode of the original file (0 when read from stdin).
     */

    /**
     * The original file's name (empty when compressed from stdin).
     */

    /**
     * Adler-32 (CRC-32 with F_H_CRC32) of the header from `version` on.
     */

    return Header;
  })();

  return Lzop;
})();
Lzop_.Lzop = Lzop;
});
