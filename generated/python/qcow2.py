# This is a generated file! Please edit source .ksy file and use kaitai-struct-compiler to rebuild
# type: ignore

import kaitaistruct
from kaitaistruct import KaitaiStruct, KaitaiStream, BytesIO
from enum import IntEnum


if getattr(kaitaistruct, 'API_VERSION', (0, 9)) < (0, 11):
    raise Exception("Incompatible Kaitai Struct Python API: 0.11 or later is required, but you have %s" % (kaitaistruct.__version__))

class Qcow2(KaitaiStruct):
    """The qcow2 image format as far as a reader of internal snapshots needs
    it: the header, its extensions, the snapshot table (with each snapshot's
    extra data: 64-bit VM state size, disk size, icount), the L1 tables of
    the image and of each snapshot, their L2 tables, and compressed-cluster
    descriptors. Refcounts, bitmaps and the encryption header are named
    but not decoded.
    
    A guest offset G of a cluster maps through L1[G >> (cluster_bits +
    l2_bits)], then entry (G >> cluster_bits) mod 2^l2_bits of that L2
    table, where l2_bits = cluster_bits - 3 (an L2 entry is 8 bytes), or
    cluster_bits - 4 with extended L2 entries (16 bytes: the entry and a
    subcluster bitmap of 32 subclusters).
    
    `savevm` stores a snapshot's VM state (a QEMU migration stream) in the
    same guest address space, after the disk: at guest offset
    ceil(disk_size / 2^(cluster_bits + l2_bits)) << (cluster_bits +
    l2_bits), read through the snapshot's own L1 table, `vm_state_size`
    bytes long (block/qcow2.c: qcow2_vm_state_offset). A reader computes
    that offset itself: it needs 64-bit shifts and divisions, which this
    grammar leaves out (JavaScript numbers are exact below 2^53 only).
    
    Offsets assembled from two 32-bit halves (`*_offset` instances) are
    cast to 64 bits, exact in every target below 2^63 (JavaScript: 2^53).
    
    .. seealso::
       Source - https://github.com/qemu/qemu/blob/v10.0.0/docs/interop/qcow2.rst
    
    
    .. seealso::
       Source - https://github.com/qemu/qemu/blob/v10.0.0/block/qcow2.h
    
    
    .. seealso::
       Source - https://github.com/qemu/qemu/blob/v10.0.0/block/qcow2.c
    
    
    .. seealso::
       Source - https://github.com/qemu/qemu/blob/v10.0.0/block/qcow2-snapshot.c
    """

    class CompressionType(IntEnum):
        zlib = 0
        zstd = 1

    class CryptMethod(IntEnum):
        none = 0
        aes = 1
        luks = 2

    class HeaderExtensionType(IntEnum):
        end = 0
        full_disk_encryption = 87539319
        bitmaps = 595929205
        external_data_file = 1145132097
        feature_name_table = 1745090647
        backing_file_format = 3799591626
    def __init__(self, _io, _parent=None, _root=None):
        super(Qcow2, self).__init__(_io)
        self._parent = _parent
        self._root = _root or self
        self._read()

    def _read(self):
        self.header = Qcow2.Header(self._io, self, self._root)


    def _fetch_instances(self):
        pass
        self.header._fetch_instances()
        _ = self.backing_file_name
        if hasattr(self, '_m_backing_file_name'):
            pass

        _ = self.extensions
        if hasattr(self, '_m_extensions'):
            pass
            self._m_extensions._fetch_instances()

        _ = self.l1_table
        if hasattr(self, '_m_l1_table'):
            pass
            for i in range(len(self._m_l1_table)):
                pass
                self._m_l1_table[i]._fetch_instances()


        _ = self.snapshots
        if hasattr(self, '_m_snapshots'):
            pass
            for i in range(len(self._m_snapshots)):
                pass
                self._m_snapshots[i]._fetch_instances()



    class Header(KaitaiStruct):
        def __init__(self, _io, _parent=None, _root=None):
            super(Qcow2.Header, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            self.magic = self._io.read_bytes(4)
            if not self.magic == b"\x51\x46\x49\xFB":
                raise kaitaistruct.ValidationNotEqualError(b"\x51\x46\x49\xFB", self.magic, self._io, u"/types/header/seq/0")
            self.version = self._io.read_u4be()
            if not self.version >= 2:
                raise kaitaistruct.ValidationLessThanError(2, self.version, self._io, u"/types/header/seq/1")
            if not self.version <= 3:
                raise kaitaistruct.ValidationGreaterThanError(3, self.version, self._io, u"/types/header/seq/1")
            self.backing_file_offset_hi = self._io.read_u4be()
            self.backing_file_offset_lo = self._io.read_u4be()
            self.backing_file_size = self._io.read_u4be()
            self.cluster_bits = self._io.read_u4be()
            if not self.cluster_bits >= 9:
                raise kaitaistruct.ValidationLessThanError(9, self.cluster_bits, self._io, u"/types/header/seq/5")
            if not self.cluster_bits <= 21:
                raise kaitaistruct.ValidationGreaterThanError(21, self.cluster_bits, self._io, u"/types/header/seq/5")
            self.size = self._io.read_u8be()
            self.crypt_method = KaitaiStream.resolve_enum(Qcow2.CryptMethod, self._io.read_u4be())
            self.l1_size = self._io.read_u4be()
            self.l1_table_offset = self._io.read_u8be()
            self.refcount_table_offset = self._io.read_u8be()
            self.refcount_table_clusters = self._io.read_u4be()
            self.nb_snapshots = self._io.read_u4be()
            self.snapshots_offset = self._io.read_u8be()
            if self.version >= 3:
                pass
                self.incompatible_features = self._io.read_u8be()

            if self.version >= 3:
                pass
                self.compatible_features = self._io.read_u8be()

            if self.version >= 3:
                pass
                self.autoclear_features = self._io.read_u8be()

            if self.version >= 3:
                pass
                self.refcount_order = self._io.read_u4be()

            if self.version >= 3:
                pass
                self.header_length = self._io.read_u4be()
                if not self.header_length >= 104:
                    raise kaitaistruct.ValidationLessThanError(104, self.header_length, self._io, u"/types/header/seq/18")

            if  ((self.version >= 3) and (self.header_length > 104)) :
                pass
                self.compression_type = KaitaiStream.resolve_enum(Qcow2.CompressionType, self._io.read_u1())



        def _fetch_instances(self):
            pass
            if self.version >= 3:
                pass

            if self.version >= 3:
                pass

            if self.version >= 3:
                pass

            if self.version >= 3:
                pass

            if self.version >= 3:
                pass

            if  ((self.version >= 3) and (self.header_length > 104)) :
                pass


        @property
        def backing_file_offset(self):
            if hasattr(self, '_m_backing_file_offset'):
                return self._m_backing_file_offset

            self._m_backing_file_offset = (self.backing_file_offset_hi * 4294967296 + self.backing_file_offset_lo)
            return getattr(self, '_m_backing_file_offset', None)

        @property
        def compression(self):
            """0 zlib (raw deflate, window 4 KiB), 1 zstd."""
            if hasattr(self, '_m_compression'):
                return self._m_compression

            self._m_compression = (int(self.compression_type) if  ((self.version >= 3) and (self.header_length > 104))  else 0)
            return getattr(self, '_m_compression', None)

        @property
        def has_external_data_file(self):
            if hasattr(self, '_m_has_external_data_file'):
                return self._m_has_external_data_file

            self._m_has_external_data_file =  ((self.version >= 3) and (self.incompatible_features & 4 != 0)) 
            return getattr(self, '_m_has_external_data_file', None)

        @property
        def len_header(self):
            if hasattr(self, '_m_len_header'):
                return self._m_len_header

            self._m_len_header = (self.header_length if self.version >= 3 else 72)
            return getattr(self, '_m_len_header', None)


    class HeaderExtension(KaitaiStruct):
        def __init__(self, _io, _parent=None, _root=None):
            super(Qcow2.HeaderExtension, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            self.type = KaitaiStream.resolve_enum(Qcow2.HeaderExtensionType, self._io.read_u4be())
            if self.type != Qcow2.HeaderExtensionType.end:
                pass
                self.len_data = self._io.read_u4be()

            if self.type != Qcow2.HeaderExtensionType.end:
                pass
                self.data = self._io.read_bytes(self.len_data)

            if self.type != Qcow2.HeaderExtensionType.end:
                pass
                self.padding = self._io.read_bytes((8 - self.len_data % 8) % 8)



        def _fetch_instances(self):
            pass
            if self.type != Qcow2.HeaderExtensionType.end:
                pass

            if self.type != Qcow2.HeaderExtensionType.end:
                pass

            if self.type != Qcow2.HeaderExtensionType.end:
                pass



    class HeaderExtensions(KaitaiStruct):
        def __init__(self, _io, _parent=None, _root=None):
            super(Qcow2.HeaderExtensions, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            self.entries = []
            i = 0
            while True:
                _ = Qcow2.HeaderExtension(self._io, self, self._root)
                self.entries.append(_)
                if  ((_.type == Qcow2.HeaderExtensionType.end) or (self._io.is_eof())) :
                    break
                i += 1


        def _fetch_instances(self):
            pass
            for i in range(len(self.entries)):
                pass
                self.entries[i]._fetch_instances()



    class L1Entry(KaitaiStruct):
        """An L1 entry; bits 9-55 give the L2 table's offset, bit 63 "copied"."""
        def __init__(self, _io, _parent=None, _root=None):
            super(Qcow2.L1Entry, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            self.hi = self._io.read_u4be()
            self.lo = self._io.read_u4be()


        def _fetch_instances(self):
            pass
            _ = self.l2_table
            if hasattr(self, '_m_l2_table'):
                pass
                self._m_l2_table._fetch_instances()


        @property
        def is_copied(self):
            if hasattr(self, '_m_is_copied'):
                return self._m_is_copied

            self._m_is_copied = self.hi & 2147483648 != 0
            return getattr(self, '_m_is_copied', None)

        @property
        def l2_offset(self):
            if hasattr(self, '_m_l2_offset'):
                return self._m_l2_offset

            self._m_l2_offset = ((self.hi & 16777215) * 4294967296 + (self.lo & 4294966784))
            return getattr(self, '_m_l2_offset', None)

        @property
        def l2_table(self):
            if hasattr(self, '_m_l2_table'):
                return self._m_l2_table

            if self.l2_offset != 0:
                pass
                io = self._root._io
                _pos = io.pos()
                io.seek(self.l2_offset)
                self._raw__m_l2_table = io.read_bytes(self._root.cluster_size)
                _io__raw__m_l2_table = KaitaiStream(BytesIO(self._raw__m_l2_table))
                self._m_l2_table = Qcow2.L2Table(_io__raw__m_l2_table, self, self._root)
                io.seek(_pos)

            return getattr(self, '_m_l2_table', None)


    class L2Entry(KaitaiStruct):
        """An L2 entry (and with extended L2 its subcluster bitmap). Bit 63
        "copied", bit 62 "compressed". A standard cluster: bits 9-55 host
        offset (0: unallocated), bit 0 "reads as zeros". A compressed
        cluster: see `shift_hi`.
        """
        def __init__(self, _io, _parent=None, _root=None):
            super(Qcow2.L2Entry, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            self.hi = self._io.read_u4be()
            self.lo = self._io.read_u4be()
            if self._root.is_extended_l2:
                pass
                self.zero_subclusters = self._io.read_u4be()

            if self._root.is_extended_l2:
                pass
                self.allocated_subclusters = self._io.read_u4be()



        def _fetch_instances(self):
            pass
            if self._root.is_extended_l2:
                pass

            if self._root.is_extended_l2:
                pass


        @property
        def compressed_offset(self):
            if hasattr(self, '_m_compressed_offset'):
                return self._m_compressed_offset

            if self.is_compressed:
                pass
                self._m_compressed_offset = ((self.hi & self.offset_hi_mask) * 4294967296 + self.lo)

            return getattr(self, '_m_compressed_offset', None)

        @property
        def compressed_sectors(self):
            if hasattr(self, '_m_compressed_sectors'):
                return self._m_compressed_sectors

            if self.is_compressed:
                pass
                self._m_compressed_sectors = (self.hi >> self.shift_hi & self.sectors_mask) + 1

            return getattr(self, '_m_compressed_sectors', None)

        @property
        def host_offset(self):
            if hasattr(self, '_m_host_offset'):
                return self._m_host_offset

            if (not (self.is_compressed)):
                pass
                self._m_host_offset = ((self.hi & 16777215) * 4294967296 + (self.lo & 4294966784))

            return getattr(self, '_m_host_offset', None)

        @property
        def is_compressed(self):
            if hasattr(self, '_m_is_compressed'):
                return self._m_is_compressed

            self._m_is_compressed = self.hi & 1073741824 != 0
            return getattr(self, '_m_is_compressed', None)

        @property
        def is_copied(self):
            if hasattr(self, '_m_is_copied'):
                return self._m_is_copied

            self._m_is_copied = self.hi & 2147483648 != 0
            return getattr(self, '_m_is_copied', None)

        @property
        def len_compressed(self):
            """Bytes from compressed_offset to the end of its last sector."""
            if hasattr(self, '_m_len_compressed'):
                return self._m_len_compressed

            if self.is_compressed:
                pass
                self._m_len_compressed = self.compressed_sectors * 512 - (self.lo & 511)

            return getattr(self, '_m_len_compressed', None)

        @property
        def offset_hi_mask(self):
            if hasattr(self, '_m_offset_hi_mask'):
                return self._m_offset_hi_mask

            self._m_offset_hi_mask = (1 << self.shift_hi) - 1
            return getattr(self, '_m_offset_hi_mask', None)

        @property
        def reads_as_zeros(self):
            """Standard cluster whose bit 0 says it reads as zeros (version 3)."""
            if hasattr(self, '_m_reads_as_zeros'):
                return self._m_reads_as_zeros

            self._m_reads_as_zeros =  (((not (self.is_compressed))) and (self.lo & 1 != 0)) 
            return getattr(self, '_m_reads_as_zeros', None)

        @property
        def sectors_bits(self):
            if hasattr(self, '_m_sectors_bits'):
                return self._m_sectors_bits

            self._m_sectors_bits = self._root.header.cluster_bits - 8
            return getattr(self, '_m_sectors_bits', None)

        @property
        def sectors_mask(self):
            if hasattr(self, '_m_sectors_mask'):
                return self._m_sectors_mask

            self._m_sectors_mask = (1 << self.sectors_bits) - 1
            return getattr(self, '_m_sectors_mask', None)

        @property
        def shift_hi(self):
            """A compressed cluster's descriptor: with x = 62 - (cluster_bits - 8),
            bits 0 to x-1 are the host offset of the compressed data (any
            byte), bits x to 61 the number of 512-byte sectors it spans after
            the first. x is 49 to 61: the sector count lies in the high word,
            from bit x - 32 (this).
            """
            if hasattr(self, '_m_shift_hi'):
                return self._m_shift_hi

            self._m_shift_hi = 38 - self._root.header.cluster_bits
            return getattr(self, '_m_shift_hi', None)


    class L2Table(KaitaiStruct):
        def __init__(self, _io, _parent=None, _root=None):
            super(Qcow2.L2Table, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            self.entries = []
            i = 0
            while not self._io.is_eof():
                self.entries.append(Qcow2.L2Entry(self._io, self, self._root))
                i += 1



        def _fetch_instances(self):
            pass
            for i in range(len(self.entries)):
                pass
                self.entries[i]._fetch_instances()



    class Snapshot(KaitaiStruct):
        def __init__(self, is_last, _io, _parent=None, _root=None):
            super(Qcow2.Snapshot, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self.is_last = is_last
            self._read()

        def _read(self):
            self.l1_table_offset = self._io.read_u8be()
            self.l1_size = self._io.read_u4be()
            self.len_id = self._io.read_u2be()
            self.len_name = self._io.read_u2be()
            self.date_sec = self._io.read_u4be()
            self.date_nsec = self._io.read_u4be()
            self.vm_clock_nsec = self._io.read_u8be()
            self.vm_state_size_32 = self._io.read_u4be()
            self.len_extra_data = self._io.read_u4be()
            self._raw_extra_data = self._io.read_bytes(self.len_extra_data)
            _io__raw_extra_data = KaitaiStream(BytesIO(self._raw_extra_data))
            self.extra_data = Qcow2.SnapshotExtraData(_io__raw_extra_data, self, self._root)
            self.id = (self._io.read_bytes(self.len_id)).decode(u"UTF-8")
            self.name = (self._io.read_bytes(self.len_name)).decode(u"UTF-8")
            if (not (self.is_last)):
                pass
                self.padding = self._io.read_bytes((8 - (((40 + self.len_extra_data) + self.len_id) + self.len_name) % 8) % 8)



        def _fetch_instances(self):
            pass
            self.extra_data._fetch_instances()
            if (not (self.is_last)):
                pass

            _ = self.l1_table
            if hasattr(self, '_m_l1_table'):
                pass
                for i in range(len(self._m_l1_table)):
                    pass
                    self._m_l1_table[i]._fetch_instances()



        @property
        def l1_table(self):
            if hasattr(self, '_m_l1_table'):
                return self._m_l1_table

            io = self._root._io
            _pos = io.pos()
            io.seek(self.l1_table_offset)
            self._m_l1_table = []
            for i in range(self.l1_size):
                self._m_l1_table.append(Qcow2.L1Entry(io, self, self._root))

            io.seek(_pos)
            return getattr(self, '_m_l1_table', None)

        @property
        def vm_state_size(self):
            """The 64-bit size where the extra data has it."""
            if hasattr(self, '_m_vm_state_size'):
                return self._m_vm_state_size

            self._m_vm_state_size = (self.extra_data.vm_state_size if self.len_extra_data >= 8 else self.vm_state_size_32)
            return getattr(self, '_m_vm_state_size', None)


    class SnapshotExtraData(KaitaiStruct):
        def __init__(self, _io, _parent=None, _root=None):
            super(Qcow2.SnapshotExtraData, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            if (not (self._io.is_eof())):
                pass
                self.vm_state_size = self._io.read_u8be()

            if (not (self._io.is_eof())):
                pass
                self.disk_size = self._io.read_u8be()

            if (not (self._io.is_eof())):
                pass
                self.icount = self._io.read_s8be()

            self.rest = self._io.read_bytes_full()


        def _fetch_instances(self):
            pass
            if (not (self._io.is_eof())):
                pass

            if (not (self._io.is_eof())):
                pass

            if (not (self._io.is_eof())):
                pass



    @property
    def backing_file_name(self):
        if hasattr(self, '_m_backing_file_name'):
            return self._m_backing_file_name

        if self.header.backing_file_offset != 0:
            pass
            _pos = self._io.pos()
            self._io.seek(self.header.backing_file_offset)
            self._m_backing_file_name = (self._io.read_bytes(self.header.backing_file_size)).decode(u"UTF-8")
            self._io.seek(_pos)

        return getattr(self, '_m_backing_file_name', None)

    @property
    def cluster_size(self):
        if hasattr(self, '_m_cluster_size'):
            return self._m_cluster_size

        self._m_cluster_size = (1 << self.header.cluster_bits)
        return getattr(self, '_m_cluster_size', None)

    @property
    def extensions(self):
        """Header extensions, from the end of the header to the backing file
        name if one is in the first cluster, else to the end of the first
        cluster (QEMU: qcow2_read_extensions).
        """
        if hasattr(self, '_m_extensions'):
            return self._m_extensions

        _pos = self._io.pos()
        self._io.seek(self.header.len_header)
        self._raw__m_extensions = self._io.read_bytes((self.header.backing_file_offset_lo - self.header.len_header if  ((self.header.backing_file_offset_lo != 0) and (self.header.backing_file_offset_hi == 0) and (self.header.backing_file_offset_lo < self.cluster_size))  else self.cluster_size - self.header.len_header))
        _io__raw__m_extensions = KaitaiStream(BytesIO(self._raw__m_extensions))
        self._m_extensions = Qcow2.HeaderExtensions(_io__raw__m_extensions, self, self._root)
        self._io.seek(_pos)
        return getattr(self, '_m_extensions', None)

    @property
    def is_extended_l2(self):
        if hasattr(self, '_m_is_extended_l2'):
            return self._m_is_extended_l2

        self._m_is_extended_l2 =  ((self.header.version >= 3) and (self.header.incompatible_features & 16 != 0)) 
        return getattr(self, '_m_is_extended_l2', None)

    @property
    def l1_table(self):
        """The active image's L1 table."""
        if hasattr(self, '_m_l1_table'):
            return self._m_l1_table

        _pos = self._io.pos()
        self._io.seek(self.header.l1_table_offset)
        self._m_l1_table = []
        for i in range(self.header.l1_size):
            self._m_l1_table.append(Qcow2.L1Entry(self._io, self, self._root))

        self._io.seek(_pos)
        return getattr(self, '_m_l1_table', None)

    @property
    def l2_bits(self):
        """log2 of the entries of an L2 table (a table fills one cluster)."""
        if hasattr(self, '_m_l2_bits'):
            return self._m_l2_bits

        self._m_l2_bits = self.header.cluster_bits - (4 if self.is_extended_l2 else 3)
        return getattr(self, '_m_l2_bits', None)

    @property
    def snapshots(self):
        if hasattr(self, '_m_snapshots'):
            return self._m_snapshots

        _pos = self._io.pos()
        self._io.seek(self.header.snapshots_offset)
        self._m_snapshots = []
        for i in range(self.header.nb_snapshots):
            self._m_snapshots.append(Qcow2.Snapshot(i + 1 == self.header.nb_snapshots, self._io, self, self._root))

        self._io.seek(_pos)
        return getattr(self, '_m_snapshots', None)


