# This is a generated file! Please edit source .ksy file and use kaitai-struct-compiler to rebuild
# type: ignore

import kaitaistruct
from kaitaistruct import KaitaiStruct, KaitaiStream, BytesIO
import lzop
import qemu_migration
from enum import IntEnum


if getattr(kaitaistruct, 'API_VERSION', (0, 9)) < (0, 11):
    raise Exception("Incompatible Kaitai Struct Python API: 0.11 or later is required, but you have %s" % (kaitaistruct.__version__))

class LibvirtQemuSave(KaitaiStruct):
    """What `virsh save`, `virsh managedsave` and the memory part of an external
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
    
    .. seealso::
       Source - https://gitlab.com/libvirt/libvirt/-/blob/v11.3.0/src/qemu/qemu_saveimage.h
    
    
    .. seealso::
       Source - https://gitlab.com/libvirt/libvirt/-/blob/v11.3.0/src/qemu/qemu_saveimage.c
    
    
    .. seealso::
       Source - https://gitlab.com/libvirt/libvirt/-/blob/v11.3.0/src/qemu/qemu_saveimage_format.h
    """

    class SaveFormat(IntEnum):
        raw = 0
        gzip = 1
        bzip2 = 2
        xz = 3
        lzop = 4
        zstd = 5
        sparse = 6
    def __init__(self, _io, _parent=None, _root=None):
        super(LibvirtQemuSave, self).__init__(_io)
        self._parent = _parent
        self._root = _root or self
        self._read()

    def _read(self):
        self.image_header = LibvirtQemuSave.ImageHeader(self._io, self, self._root)
        self.domain_data = LibvirtQemuSave.DomainData(self.image_header.fields.len_xml, self.image_header.fields.data_len, self._io, self, self._root)
        if self.image_header.fields.format == LibvirtQemuSave.SaveFormat.raw:
            pass
            self._raw_stream = self._io.read_bytes_full()
            _io__raw_stream = KaitaiStream(BytesIO(self._raw_stream))
            self.stream = qemu_migration.QemuMigration(_io__raw_stream)

        if self.image_header.fields.format == LibvirtQemuSave.SaveFormat.lzop:
            pass
            self._raw_lzop_stream = self._io.read_bytes_full()
            _io__raw_lzop_stream = KaitaiStream(BytesIO(self._raw_lzop_stream))
            self.lzop_stream = lzop.Lzop(_io__raw_lzop_stream)

        if  ((self.image_header.fields.format != LibvirtQemuSave.SaveFormat.raw) and (self.image_header.fields.format != LibvirtQemuSave.SaveFormat.lzop)) :
            pass
            self.payload = self._io.read_bytes_full()



    def _fetch_instances(self):
        pass
        self.image_header._fetch_instances()
        self.domain_data._fetch_instances()
        if self.image_header.fields.format == LibvirtQemuSave.SaveFormat.raw:
            pass
            self.stream._fetch_instances()

        if self.image_header.fields.format == LibvirtQemuSave.SaveFormat.lzop:
            pass
            self.lzop_stream._fetch_instances()

        if  ((self.image_header.fields.format != LibvirtQemuSave.SaveFormat.raw) and (self.image_header.fields.format != LibvirtQemuSave.SaveFormat.lzop)) :
            pass


    class DomainData(KaitaiStruct):
        """The `data_len` bytes after the header."""
        def __init__(self, len_xml, len_data, _io, _parent=None, _root=None):
            super(LibvirtQemuSave.DomainData, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self.len_xml = len_xml
            self.len_data = len_data
            self._read()

        def _read(self):
            self.domain_xml = (KaitaiStream.bytes_terminate(self._io.read_bytes(self.len_xml), 0, False)).decode(u"UTF-8")
            self.cookie = (KaitaiStream.bytes_terminate(self._io.read_bytes(self.len_data - self.len_xml), 0, False)).decode(u"UTF-8")


        def _fetch_instances(self):
            pass


    class HeaderFields(KaitaiStruct):
        def __init__(self, _io, _parent=None, _root=None):
            super(LibvirtQemuSave.HeaderFields, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            _on = self._parent.byte_order_probe > 2
            if _on == False:
                pass
                self._is_le = True
            elif _on == True:
                pass
                self._is_le = False
            if not hasattr(self, '_is_le'):
                raise kaitaistruct.UndecidedEndiannessError("/types/header_fields")
            elif self._is_le == True:
                self._read_le()
            elif self._is_le == False:
                self._read_be()

        def _read_le(self):
            self.version = self._io.read_u4le()
            if not self.version >= 1:
                raise kaitaistruct.ValidationLessThanError(1, self.version, self._io, u"/types/header_fields/seq/0")
            if not self.version <= 2:
                raise kaitaistruct.ValidationGreaterThanError(2, self.version, self._io, u"/types/header_fields/seq/0")
            self.data_len = self._io.read_u4le()
            if not self.data_len >= 1:
                raise kaitaistruct.ValidationLessThanError(1, self.data_len, self._io, u"/types/header_fields/seq/1")
            self.was_running = self._io.read_u4le()
            self.format = KaitaiStream.resolve_enum(LibvirtQemuSave.SaveFormat, self._io.read_u4le())
            self.cookie_offset = self._io.read_u4le()
            if not self.cookie_offset <= self.data_len:
                raise kaitaistruct.ValidationGreaterThanError(self.data_len, self.cookie_offset, self._io, u"/types/header_fields/seq/4")
            self.unused = []
            for i in range(14):
                self.unused.append(self._io.read_u4le())


        def _read_be(self):
            self.version = self._io.read_u4be()
            if not self.version >= 1:
                raise kaitaistruct.ValidationLessThanError(1, self.version, self._io, u"/types/header_fields/seq/0")
            if not self.version <= 2:
                raise kaitaistruct.ValidationGreaterThanError(2, self.version, self._io, u"/types/header_fields/seq/0")
            self.data_len = self._io.read_u4be()
            if not self.data_len >= 1:
                raise kaitaistruct.ValidationLessThanError(1, self.data_len, self._io, u"/types/header_fields/seq/1")
            self.was_running = self._io.read_u4be()
            self.format = KaitaiStream.resolve_enum(LibvirtQemuSave.SaveFormat, self._io.read_u4be())
            self.cookie_offset = self._io.read_u4be()
            if not self.cookie_offset <= self.data_len:
                raise kaitaistruct.ValidationGreaterThanError(self.data_len, self.cookie_offset, self._io, u"/types/header_fields/seq/4")
            self.unused = []
            for i in range(14):
                self.unused.append(self._io.read_u4be())



        def _fetch_instances(self):
            pass
            for i in range(len(self.unused)):
                pass


        @property
        def len_xml(self):
            if hasattr(self, '_m_len_xml'):
                return self._m_len_xml

            self._m_len_xml = (self.cookie_offset if self.cookie_offset != 0 else self.data_len)
            return getattr(self, '_m_len_xml', None)


    class ImageHeader(KaitaiStruct):
        """The 92-byte header; `len` is where the QEMU stream starts. Usable on
        its own (it needs nothing from the root).
        """
        def __init__(self, _io, _parent=None, _root=None):
            super(LibvirtQemuSave.ImageHeader, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            self.magic = (self._io.read_bytes(16)).decode(u"ASCII")
            if not  ((self.magic == u"LibvirtQemudSave") or (self.magic == u"LibvirtQemudPart")) :
                raise kaitaistruct.ValidationNotAnyOfError(self.magic, self._io, u"/types/image_header/seq/0")
            self.fields = LibvirtQemuSave.HeaderFields(self._io, self, self._root)


        def _fetch_instances(self):
            pass
            self.fields._fetch_instances()
            _ = self.byte_order_probe
            if hasattr(self, '_m_byte_order_probe'):
                pass


        @property
        def byte_order_probe(self):
            """The version read little-endian; above 2 the header is big-endian."""
            if hasattr(self, '_m_byte_order_probe'):
                return self._m_byte_order_probe

            _pos = self._io.pos()
            self._io.seek(16)
            self._m_byte_order_probe = self._io.read_u4le()
            self._io.seek(_pos)
            return getattr(self, '_m_byte_order_probe', None)

        @property
        def is_complete(self):
            if hasattr(self, '_m_is_complete'):
                return self._m_is_complete

            self._m_is_complete = self.magic == u"LibvirtQemudSave"
            return getattr(self, '_m_is_complete', None)

        @property
        def len(self):
            """Offset of the QEMU stream (or of the compressed data)."""
            if hasattr(self, '_m_len'):
                return self._m_len

            self._m_len = 92 + self.fields.data_len
            return getattr(self, '_m_len', None)



