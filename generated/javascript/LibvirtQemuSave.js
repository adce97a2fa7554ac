// This is a generated file! Please edit source .ksy file and use kaitai-struct-compiler to rebuild

(function (root, factory) {
  if (typeof define === 'function' && define.amd) {
    define(['exports', 'kaitai-struct/KaitaiStream', './Lzop', './QemuMigration'], factory);
  } else if (typeof exports === 'object' && exports !== null && typeof exports.nodeType !== 'number') {
    factory(exports, require('kaitai-struct/KaitaiStream'), require('./Lzop'), require('./QemuMigration'));
  } else {
    factory(root.LibvirtQemuSave || (root.LibvirtQemuSave = {}), root.KaitaiStream, root.Lzop || (root.Lzop = {}), root.QemuMigration || (root.QemuMigration = {}));
  }
})(typeof self !== 'undefined' ? self : this, function (LibvirtQemuSave_, KaitaiStream, Lzop_, QemuMigration_) {
/**
 * What `virsh save`, `virsh managedsave` and the memory part of an external
 * libvirt snapshot write for a QEMU domain: a 92-byte header
 * (`virQEMUSaveHeader`), the domain XML and the migration cookie, zero
 * padding (libvirt reserves room to edit the XML in place), then the QEMU
 * migration stream from `92 + data_len` to the end of the file.
 * 
 * The header's integers are in the saving host's byte order: libvirt
 * reads them natively and, if the version is then above 2, byte-swaps
 * the header and tries again. So does this grammar (`byte_order_probe`).
 * 
 * The stream is written as QEMU sends it (format `raw`), through a
 * compressor libvirt starts with `-c` (`gzip`, `bzip2`, `xz`, `lzop`,
 * `zstd`: libvirt decompresses with `PROG -dc`), or by QEMU itself with
 * the mapped-ram capability (format `sparse`, libvirt 10.10 and later):
 * then the RAM pages sit at fixed offsets of the image, which is a sparse
 * file, and the stream's bitmap and page offsets count from the start of
 * the image, not of the stream.
 * 
 * `magic` is `LibvirtQemudPart` while libvirt is still writing the image:
 * it writes the header last, so such an image was never finished (libvirt
 * refuses it: "save image is incomplete").
 * @see {@link https://gitlab.com/libvirt/libvirt/-/blob/v11.3.0/src/qemu/qemu_saveimage.h|Source}
 * @see {@link https://gitlab.com/libvirt/libvirt/-/blob/v11.3.0/src/qemu/qemu_saveimage.c|Source}
 * @see {@link https://gitlab.com/libvirt/libvirt/-/blob/v11.3.0/src/qemu/qemu_saveimage_format.h|Source}
 */

var LibvirtQemuSave = (function() {
  LibvirtQemuSave.SaveFormat = Object.freeze({
    RAW: 0,
    GZIP: 1,
    BZIP2: 2,
    XZ: 3,
    LZOP: 4,
    ZSTD: 5,
    SPARSE: 6,

    0: "RAW",
    1: "GZIP",
    2: "BZIP2",
    3: "XZ",
    4: "LZOP",
    5: "ZSTD",
    6: "SPARSE",
  });

  function LibvirtQemuSave(_io, _parent, _root) {
    this._io = _io;
    this._parent = _parent;
    this._root = _root || this;

    this._read();
  }
  LibvirtQemuSave.prototype._read = function() {
    this.imageHeader = new ImageHeader(this._io, this, this._root);
    this.domainData = new DomainData(this._io, this, this._root, this.imageHeader.fields.lenXml, this.imageHeader.fields.dataLen);
    if (this.imageHeader.fields.format == LibvirtQemuSave.SaveFormat.RAW) {
      this._raw_stream = this._io.readBytesFull();
      var _io__raw_stream = new KaitaiStream(this._raw_stream);
      this.stream = new QemuMigration_.QemuMigration(_io__raw_stream, null, null);
    }
    if (this.imageHeader.fields.format == LibvirtQemuSave.SaveFormat.LZOP) {
      this._raw_lzopStream = this._io.readBytesFull();
      var _io__raw_lzopStream = new KaitaiStream(this._raw_lzopStream);
      this.lzopStream = new Lzop_.Lzop(_io__raw_lzopStream, null, null);
    }
    if ( ((this.imageHeader.fields.format != LibvirtQemuSave.SaveFormat.RAW) && (this.imageHeader.fields.format != LibvirtQemuSave.SaveFormat.LZOP)) ) {
      this.payload = this._io.readBytesFull();
    }
  }

  /**
   * The `data_len` bytes after the header.
   */

  var DomainData = LibvirtQemuSave.DomainData = (function() {
    function DomainData(_io, _parent, _root, lenXml, lenData) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;
      this.lenXml = lenXml;
      this.lenData = lenData;

      this._read();
    }
    DomainData.prototype._read = function() {
      this.domainXml = KaitaiStream.bytesToStr(KaitaiStream.bytesTerminate(this._io.readBytes(this.lenXml), 0, false), "UTF-8");
      this.cookie = KaitaiStream.bytesToStr(KaitaiStream.bytesTerminate(this._io.readBytes(this.lenData - this.lenXml), 0, false), "UTF-8");
    }

    /**
     * The domain XML (NUL-terminated), as `virsh save-image-dumpxml`
     * reads it. `virsh save-image-define` may have rewritten it in
     * place since the save.
     */

    /**
     * The migration cookie XML (`<cookie>`, NUL-terminated; the CPU
     * model and other facts the restore needs), then zero padding.
     * Empty in version 1 images.
     */

    return DomainData;
  })();

  var HeaderFields = LibvirtQemuSave.HeaderFields = (function() {
    function HeaderFields(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    HeaderFields.prototype._read = function() {
      switch (this._parent.byteOrderProbe > 2) {
      case false:
        this._is_le = true;
        break;
      case true:
        this._is_le = false;
        break;
      }

      if (this._is_le === true) {
        this._readLE();
      } else if (this._is_le === false) {
        this._readBE();
      } else {
        throw new KaitaiStream.UndecidedEndiannessError();
      }
    }
    HeaderFields.prototype._readLE = function() {
      this.version = this._io.readU4le();
      if (!(this.version >= 1)) {
        throw new KaitaiStream.ValidationLessThanError(1, this.version, this._io, "/types/header_fields/seq/0");
      }
      if (!(this.version <= 2)) {
        throw new KaitaiStream.ValidationGreaterThanError(2, this.version, this._io, "/types/header_fields/seq/0");
      }
      this.dataLen = this._io.readU4le();
      if (!(this.dataLen >= 1)) {
        throw new KaitaiStream.ValidationLessThanError(1, this.dataLen, this._io, "/types/header_fields/seq/1");
      }
      this.wasRunning = this._io.readU4le();
      this.format = this._io.readU4le();
      this.cookieOffset = this._io.readU4le();
      if (!(this.cookieOffset <= this.dataLen)) {
        throw new KaitaiStream.ValidationGreaterThanError(this.dataLen, this.cookieOffset, this._io, "/types/header_fields/seq/4");
      }
      this.unused = [];
      for (var i = 0; i < 14; i++) {
        this.unused.push(this._io.readU4le());
      }
    }
    HeaderFields.prototype._readBE = function() {
      this.version = this._io.readU4be();
      if (!(this.version >= 1)) {
        throw new KaitaiStream.ValidationLessThanError(1, this.version, this._io, "/types/header_fields/seq/0");
      }
      if (!(this.version <= 2)) {
        throw new KaitaiStream.ValidationGreaterThanError(2, this.version, this._io, "/types/header_fields/seq/0");
      }
      this.dataLen = this._io.readU4be();
      if (!(this.dataLen >= 1)) {
        throw new KaitaiStream.ValidationLessThanError(1, this.dataLen, this._io, "/types/header_fields/seq/1");
      }
      this.wasRunning = this._io.readU4be();
      this.format = this._io.readU4be();
      this.cookieOffset = this._io.readU4be();
      if (!(this.cookieOffset <= this.dataLen)) {
        throw new KaitaiStream.ValidationGreaterThanError(this.dataLen, this.cookieOffset, this._io, "/types/header_fields/seq/4");
      }
      this.unused = [];
      for (var i = 0; i < 14; i++) {
        this.unused.push(this._io.readU4be());
      }
    }
    Object.defineProperty(HeaderFields.prototype, 'lenXml', {
      get: function() {
        if (this._m_lenXml !== undefined)
          return this._m_lenXml;
        this._m_lenXml = (this.cookieOffset != 0 ? this.cookieOffset : this.dataLen);
        return this._m_lenXml;
      }
    });

    /**
     * QEMU_SAVE_VERSION (2; 1 before the cookie, libvirt < 1.3.0).
     */

    /**
     * Bytes of domain XML, cookie and padding after the header.
     */

    /**
     * 1 if the domain was running when saved (restored running).
     */

    /**
     * How the stream is stored (`compressed` in libvirt < 10.10).
     */

    /**
     * Where the cookie starts, after the XML; 0 = no cookie.
     */

    return HeaderFields;
  })();

  /**
   * The 92-byte header; `len` is where the QEMU stream starts. Usable on
   * its own (it needs nothing from the root).
   */

  var ImageHeader = LibvirtQemuSave.ImageHeader = (function() {
    function ImageHeader(_io, _parent, _root) {
      this._io = _io;
      this._parent = _parent;
      this._root = _root;

      this._read();
    }
    ImageHeader.prototype._read = function() {
      this.magic = KaitaiStream.bytesToStr(this._io.readBytes(16), "ASCII");
      if (!( ((this.magic == "LibvirtQemudSave") || (this.magic == "LibvirtQemudPart")) )) {
        throw new KaitaiStream.ValidationNotAnyOfError(this.magic, this._io, "/types/image_header/seq/0");
      }
      this.fields = new HeaderFields(this._io, this, this._root);
    }

    /**
     * The version read little-endian; above 2 the header is big-endian.
     */
    Object.defineProperty(ImageHeader.prototype, 'byteOrderProbe', {
      get: function() {
        if (this._m_byteOrderProbe !== undefined)
          return this._m_byteOrderProbe;
        var _pos = this._io.pos;
        this._io.seek(16);
        this._m_byteOrderProbe = this._io.readU4le();
        this._io.seek(_pos);
        return this._m_byteOrderProbe;
      }
    });
    Object.defineProperty(ImageHeader.prototype, 'isComplete', {
      get: function() {
        if (this._m_isComplete !== undefined)
          return this._m_isComplete;
        this._m_isComplete = this.magic == "LibvirtQemudSave";
        return this._m_isComplete;
      }
    });

    /**
     * Offset of the QEMU stream (or of the compressed data).
     */
    Object.defineProperty(ImageHeader.prototype, 'len', {
      get: function() {
        if (this._m_len !== undefined)
          return this._m_len;
        this._m_len = 92 + this.fields.dataLen;
        return this._m_len;
      }
    });

    return ImageHeader;
  })();

  /**
   * The QEMU migration stream, as QEMU wrote it.
   */

  /**
   * The QEMU migration stream compressed by `lzop -c`.
   */

  /**
   * The stream compressed by the format's program (gzip: 1f 8b, bzip2:
   * "BZh", xz: fd "7zXZ", zstd: 28 b5 2f fd), or for `sparse` the
   * mapped-ram stream whose offsets count from the start of the image.
   */

  return LibvirtQemuSave;
})();
LibvirtQemuSave_.LibvirtQemuSave = LibvirtQemuSave;
});
