# This is a generated file! Please edit source .ksy file and use kaitai-struct-compiler to rebuild
# type: ignore

import kaitaistruct
from kaitaistruct import KaitaiStruct, KaitaiStream, BytesIO
from enum import IntEnum


if getattr(kaitaistruct, 'API_VERSION', (0, 9)) < (0, 11):
    raise Exception("Incompatible Kaitai Struct Python API: 0.11 or later is required, but you have %s" % (kaitaistruct.__version__))

class Lzop(KaitaiStruct):
    """The file framing of lzop (one file, not multipart): a magic, a header,
    then blocks of at most 64 MiB of data each compressed on its own with
    LZO1X (or stored when that does not make it smaller), each with the
    checksums the header's flags ask for; a block of length 0 ends the file.
    The blocks' data is LZO1X (lzo1x_decompress_safe), which no Kaitai
    process routine decodes: a reader decompresses `data` itself.
    
    .. seealso::
       (read_header) - https://github.com/nemequ/lzop/blob/master/src/lzop.c
    
    
    .. seealso::
       (lzo_decompress) - https://github.com/nemequ/lzop/blob/master/src/p_lzo.c
    """

    class Method(IntEnum):
        lzo1x_1 = 1
        lzo1x_1_15 = 2
        lzo1x_999 = 3
    def __init__(self, _io, _parent=None, _root=None):
        super(Lzop, self).__init__(_io)
        self._parent = _parent
        self._root = _root or self
        self._read()

    def _read(self):
        self.magic = self._io.read_bytes(9)
        if not self.magic == b"\x89\x4C\x5A\x4F\x00\x0D\x0A\x1A\x0A":
            raise kaitaistruct.ValidationNotEqualError(b"\x89\x4C\x5A\x4F\x00\x0D\x0A\x1A\x0A", self.magic, self._io, u"/seq/0")
        self.header = Lzop.Header(self._io, self, self._root)
        self.blocks = []
        i = 0
        while True:
            _ = Lzop.Block(self.header.flags, self._io, self, self._root)
            self.blocks.append(_)
            if _.len_uncompressed == 0:
                break
            i += 1


    def _fetch_instances(self):
        pass
        self.header._fetch_instances()
        for i in range(len(self.blocks)):
            pass
            self.blocks[i]._fetch_instances()


    class Block(KaitaiStruct):
        def __init__(self, flags, _io, _parent=None, _root=None):
            super(Lzop.Block, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self.flags = flags
            self._read()

        def _read(self):
            self.len_uncompressed = self._io.read_u4be()
            if not self.len_uncompressed <= 67108864:
                raise kaitaistruct.ValidationGreaterThanError(67108864, self.len_uncompressed, self._io, u"/types/block/seq/0")
            if self.len_uncompressed != 0:
                pass
                self.len_compressed = self._io.read_u4be()
                if not self.len_compressed >= 1:
                    raise kaitaistruct.ValidationLessThanError(1, self.len_compressed, self._io, u"/types/block/seq/1")
                if not self.len_compressed <= self.len_uncompressed:
                    raise kaitaistruct.ValidationGreaterThanError(self.len_uncompressed, self.len_compressed, self._io, u"/types/block/seq/1")

            if  ((self.len_uncompressed != 0) and (self.flags & 1 != 0)) :
                pass
                self.adler32_uncompressed = self._io.read_u4be()

            if  ((self.len_uncompressed != 0) and (self.flags & 256 != 0)) :
                pass
                self.crc32_uncompressed = self._io.read_u4be()

            if  ((self.len_uncompressed != 0) and (self.flags & 2 != 0) and (self.len_compressed < self.len_uncompressed)) :
                pass
                self.adler32_compressed = self._io.read_u4be()

            if  ((self.len_uncompressed != 0) and (self.flags & 512 != 0) and (self.len_compressed < self.len_uncompressed)) :
                pass
                self.crc32_compressed = self._io.read_u4be()

            if self.len_uncompressed != 0:
                pass
                self.data = self._io.read_bytes(self.len_compressed)



        def _fetch_instances(self):
            pass
            if self.len_uncompressed != 0:
                pass

            if  ((self.len_uncompressed != 0) and (self.flags & 1 != 0)) :
                pass

            if  ((self.len_uncompressed != 0) and (self.flags & 256 != 0)) :
                pass

            if  ((self.len_uncompressed != 0) and (self.flags & 2 != 0) and (self.len_compressed < self.len_uncompressed)) :
                pass

            if  ((self.len_uncompressed != 0) and (self.flags & 512 != 0) and (self.len_compressed < self.len_uncompressed)) :
                pass

            if self.len_uncompressed != 0:
                pass


        @property
        def is_stored(self):
            if hasattr(self, '_m_is_stored'):
                return self._m_is_stored

            self._m_is_stored =  ((self.len_uncompressed != 0) and (self.len_compressed == self.len_uncompressed)) 
            return getattr(self, '_m_is_stored', None)


    class ExtraField(KaitaiStruct):
        def __init__(self, _io, _parent=None, _root=None):
            super(Lzop.ExtraField, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            self.len_data = self._io.read_u4be()
            self.data = self._io.read_bytes(self.len_data)
            self.checksum = self._io.read_u4be()


        def _fetch_instances(self):
            pass


    class Header(KaitaiStruct):
        def __init__(self, _io, _parent=None, _root=None):
            super(Lzop.Header, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            self.version = self._io.read_u2be()
            if not self.version >= 2304:
                raise kaitaistruct.ValidationLessThanError(2304, self.version, self._io, u"/types/header/seq/0")
            self.lib_version = self._io.read_u2be()
            if self.version >= 2368:
                pass
                self.version_needed_to_extract = self._io.read_u2be()

            self.method = KaitaiStream.resolve_enum(Lzop.Method, self._io.read_u1())
            if self.version >= 2368:
                pass
                self.level = self._io.read_u1()

            self.flags = self._io.read_u4be()
            if self.flags & 2048 != 0:
                pass
                self.filter = self._io.read_u4be()

            self.mode = self._io.read_u4be()
            self.mtime_low = self._io.read_u4be()
            if self.version >= 2368:
                pass
                self.mtime_high = self._io.read_u4be()

            self.len_name = self._io.read_u1()
            self.name = self._io.read_bytes(self.len_name)
            self.header_checksum = self._io.read_u4be()
            if self.flags & 64 != 0:
                pass
                self.extra_field = Lzop.ExtraField(self._io, self, self._root)



        def _fetch_instances(self):
            pass
            if self.version >= 2368:
                pass

            if self.version >= 2368:
                pass

            if self.flags & 2048 != 0:
                pass

            if self.version >= 2368:
                pass

            if self.flags & 64 != 0:
                pass
                self.extra_field._fetch_instances()


        @property
        def has_adler32_c(self):
            if hasattr(self, '_m_has_adler32_c'):
                return self._m_has_adler32_c

            self._m_has_adler32_c = self.flags & 2 != 0
            return getattr(self, '_m_has_adler32_c', None)

        @property
        def has_adler32_d(self):
            if hasattr(self, '_m_has_adler32_d'):
                return self._m_has_adler32_d

            self._m_has_adler32_d = self.flags & 1 != 0
            return getattr(self, '_m_has_adler32_d', None)

        @property
        def has_crc32_c(self):
            if hasattr(self, '_m_has_crc32_c'):
                return self._m_has_crc32_c

            self._m_has_crc32_c = self.flags & 512 != 0
            return getattr(self, '_m_has_crc32_c', None)

        @property
        def has_crc32_d(self):
            if hasattr(self, '_m_has_crc32_d'):
                return self._m_has_crc32_d

            self._m_has_crc32_d = self.flags & 256 != 0
            return getattr(self, '_m_has_crc32_d', None)

        @property
        def has_header_crc32(self):
            if hasattr(self, '_m_has_header_crc32'):
                return self._m_has_header_crc32

            self._m_has_header_crc32 = self.flags & 4096 != 0
            return getattr(self, '_m_has_header_crc32', None)

        @property
        def is_multipart(self):
            if hasattr(self, '_m_is_multipart'):
                return self._m_is_multipart

            self._m_is_multipart = self.flags & 1024 != 0
            return getattr(self, '_m_is_multipart', None)



