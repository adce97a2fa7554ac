# This is a generated file! Please edit source .ksy file and use kaitai-struct-compiler to rebuild
# type: ignore

import kaitaistruct
from kaitaistruct import KaitaiStruct, KaitaiStream, BytesIO
from enum import IntEnum


if getattr(kaitaistruct, 'API_VERSION', (0, 9)) < (0, 11):
    raise Exception("Incompatible Kaitai Struct Python API: 0.11 or later is required, but you have %s" % (kaitaistruct.__version__))

class QemuMultifdChannel(KaitaiStruct):
    """One extra connection of a QEMU migration with capability `multifd` over a
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
    
    .. seealso::
       Source - https://github.com/qemu/qemu/blob/v10.0.0/migration/multifd.h
    
    
    .. seealso::
       Source - https://github.com/qemu/qemu/blob/v10.0.0/migration/multifd.c
    
    
    .. seealso::
       Source - https://github.com/qemu/qemu/blob/v10.0.0/migration/multifd-nocomp.c
    
    
    .. seealso::
       Source - https://github.com/qemu/qemu/blob/v10.0.0/migration/multifd-zlib.c
    
    
    .. seealso::
       Source - https://github.com/qemu/qemu/blob/v7.2.0/migration/multifd.h
    
    
    .. seealso::
       Source - https://github.com/qemu/qemu/blob/v7.2.0/migration/multifd.c
    
    
    .. seealso::
       Source - https://github.com/qemu/qemu/blob/v7.2.0/migration/multifd-zlib.c
    """

    class Compression(IntEnum):
        none = 0
        zlib = 2
        zstd = 4
        qpl = 8
        uadk = 16
        qatzip = 32
    def __init__(self, _io, _parent=None, _root=None):
        super(QemuMultifdChannel, self).__init__(_io)
        self._parent = _parent
        self._root = _root or self
        self._read()

    def _read(self):
        self.init = QemuMultifdChannel.ChannelInit(self._io, self, self._root)
        self.packets = []
        i = 0
        while not self._io.is_eof():
            self.packets.append(QemuMultifdChannel.Packet(self.page_size, self._io, self, self._root))
            i += 1



    def _fetch_instances(self):
        pass
        self.init._fetch_instances()
        for i in range(len(self.packets)):
            pass
            self.packets[i]._fetch_instances()


    class ChannelInit(KaitaiStruct):
        """MultiFDInit_t (multifd.c multifd_send_initial_packet), packed, 64
        bytes, sent once when the channel connects. The destination checks
        the magic, the version, that the uuid is its own and that the id is
        below its `multifd-channels`.
        """
        def __init__(self, _io, _parent=None, _root=None):
            super(QemuMultifdChannel.ChannelInit, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            self.magic = self._io.read_bytes(4)
            if not self.magic == b"\x11\x22\x33\x44":
                raise kaitaistruct.ValidationNotEqualError(b"\x11\x22\x33\x44", self.magic, self._io, u"/types/channel_init/seq/0")
            self.version = self._io.read_u4be()
            if not self.version == 1:
                raise kaitaistruct.ValidationNotEqualError(1, self.version, self._io, u"/types/channel_init/seq/1")
            self.uuid = self._io.read_bytes(16)
            self.channel_id = self._io.read_u1()
            self.unused1 = self._io.read_bytes(7)
            self.unused2 = self._io.read_bytes(32)


        def _fetch_instances(self):
            pass


    class DeviceStatePacketHead(KaitaiStruct):
        """The rest of MultiFDPacketDeviceState_t (QEMU 10.0), packed."""
        def __init__(self, _io, _parent=None, _root=None):
            super(QemuMultifdChannel.DeviceStatePacketHead, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            self.idstr = (KaitaiStream.bytes_terminate(self._io.read_bytes(256), 0, False)).decode(u"ASCII")
            self.instance_id = self._io.read_u4be()
            self.len_data = self._io.read_u4be()


        def _fetch_instances(self):
            pass


    class Packet(KaitaiStruct):
        """One packet: its head and the payload the head announces (see
        `packet_head.len_payload`).
        """
        def __init__(self, page_size, _io, _parent=None, _root=None):
            super(QemuMultifdChannel.Packet, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self.page_size = page_size
            self._read()

        def _read(self):
            self.head = QemuMultifdChannel.PacketHead(self.page_size, self._io, self, self._root)
            if self.head.has_plain_pages:
                pass
                self.pages = []
                for i in range(self.head.ram.normal_pages):
                    self.pages.append(self._io.read_bytes(self.page_size))


            if self.head.has_compressed_pages:
                pass
                self.compressed_pages = self._io.read_bytes(self.head.ram.next_packet_size)

            if self.head.is_device_state:
                pass
                self.device_state_data = self._io.read_bytes(self.head.device_state.len_data)



        def _fetch_instances(self):
            pass
            self.head._fetch_instances()
            if self.head.has_plain_pages:
                pass
                for i in range(len(self.pages)):
                    pass


            if self.head.has_compressed_pages:
                pass

            if self.head.is_device_state:
                pass



    class PacketHead(KaitaiStruct):
        """Everything of a packet before its payload: MultiFDPacketHdr_t (magic,
        version, flags), then either the RAM packet header with its offset
        slots or, with flag DEVICE_STATE, the device-state header.
        """
        def __init__(self, page_size, _io, _parent=None, _root=None):
            super(QemuMultifdChannel.PacketHead, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self.page_size = page_size
            self._read()

        def _read(self):
            self.magic = self._io.read_bytes(4)
            if not self.magic == b"\x11\x22\x33\x44":
                raise kaitaistruct.ValidationNotEqualError(b"\x11\x22\x33\x44", self.magic, self._io, u"/types/packet_head/seq/0")
            self.version = self._io.read_u4be()
            if not self.version == 1:
                raise kaitaistruct.ValidationNotEqualError(1, self.version, self._io, u"/types/packet_head/seq/1")
            self.flags = self._io.read_u4be()
            if (not (self.is_device_state)):
                pass
                self.ram = QemuMultifdChannel.RamPacketHead(self.page_size, self._io, self, self._root)

            if self.is_device_state:
                pass
                self.device_state = QemuMultifdChannel.DeviceStatePacketHead(self._io, self, self._root)



        def _fetch_instances(self):
            pass
            if (not (self.is_device_state)):
                pass
                self.ram._fetch_instances()

            if self.is_device_state:
                pass
                self.device_state._fetch_instances()


        @property
        def compression(self):
            if hasattr(self, '_m_compression'):
                return self._m_compression

            self._m_compression = KaitaiStream.resolve_enum(QemuMultifdChannel.Compression, self.compression_raw)
            return getattr(self, '_m_compression', None)

        @property
        def compression_raw(self):
            if hasattr(self, '_m_compression_raw'):
                return self._m_compression_raw

            self._m_compression_raw = self.flags & 62
            return getattr(self, '_m_compression_raw', None)

        @property
        def has_compressed_pages(self):
            if hasattr(self, '_m_has_compressed_pages'):
                return self._m_has_compressed_pages

            self._m_has_compressed_pages =  (((not (self.is_device_state))) and (self.compression_raw != 0) and (self.ram.normal_pages != 0)) 
            return getattr(self, '_m_has_compressed_pages', None)

        @property
        def has_plain_pages(self):
            if hasattr(self, '_m_has_plain_pages'):
                return self._m_has_plain_pages

            self._m_has_plain_pages =  (((not (self.is_device_state))) and (self.compression_raw == 0) and (self.ram.normal_pages != 0)) 
            return getattr(self, '_m_has_plain_pages', None)

        @property
        def is_device_state(self):
            """MULTIFD_FLAG_DEVICE_STATE (QEMU 10.0)."""
            if hasattr(self, '_m_is_device_state'):
                return self._m_is_device_state

            self._m_is_device_state = self.flags & 64 != 0
            return getattr(self, '_m_is_device_state', None)

        @property
        def is_sync(self):
            """MULTIFD_FLAG_SYNC: the source ends a round here (one per channel
            for each ram EOS in 7.2, each MULTIFD_FLUSH or EOS later). In
            10.0 a SYNC packet carries nothing (pages_alloc 0); in 7.2 it may
            carry pages like any other.
            """
            if hasattr(self, '_m_is_sync'):
                return self._m_is_sync

            self._m_is_sync = self.flags & 1 != 0
            return getattr(self, '_m_is_sync', None)

        @property
        def len_payload(self):
            """Bytes that follow the head. Decided by `normal_pages` first:
            QEMU 7.2 leaves a stale `next_packet_size` in packets without
            normal pages and sends no payload with them.
            """
            if hasattr(self, '_m_len_payload'):
                return self._m_len_payload

            self._m_len_payload = (self.device_state.len_data if self.is_device_state else (self.ram.normal_pages * self.page_size if self.has_plain_pages else (self.ram.next_packet_size if self.has_compressed_pages else 0)))
            return getattr(self, '_m_len_payload', None)


    class RamPacketHead(KaitaiStruct):
        """The rest of MultiFDPacket_t after MultiFDPacketHdr_t, packed:
        counts, the RAM block name, and a slot for every page a packet can
        hold (`max_pages`), whether used or not.
        """
        def __init__(self, page_size, _io, _parent=None, _root=None):
            super(QemuMultifdChannel.RamPacketHead, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self.page_size = page_size
            self._read()

        def _read(self):
            self.pages_alloc = self._io.read_u4be()
            self.normal_pages = self._io.read_u4be()
            self.next_packet_size = self._io.read_u4be()
            self.packet_num = self._io.read_u8be()
            self.zero_pages = self._io.read_u4be()
            self.unused32 = self._io.read_u4be()
            self.unused64 = self._io.read_bytes(24)
            self.ramblock = (KaitaiStream.bytes_terminate(self._io.read_bytes(256), 0, False)).decode(u"ASCII")
            self.offsets = []
            for i in range(self.max_pages):
                self.offsets.append(self._io.read_u8be())



        def _fetch_instances(self):
            pass
            for i in range(len(self.offsets)):
                pass


        @property
        def max_pages(self):
            """MULTIFD_PACKET_SIZE / page size, the number of offset slots (128 for 4 KiB pages)."""
            if hasattr(self, '_m_max_pages'):
                return self._m_max_pages

            self._m_max_pages = 524288 // self.page_size
            return getattr(self, '_m_max_pages', None)


    @property
    def page_size(self):
        """Target page size the packets are read with. A channel does not say
        it; 4096 is right for x86, s390x and most arm/aarch64 machines.
        Readers of other targets instantiate `packet(page_size)` themselves
        with the page size of the main stream (its JSON description's
        `page_size` or its configuration record).
        """
        if hasattr(self, '_m_page_size'):
            return self._m_page_size

        self._m_page_size = 4096
        return getattr(self, '_m_page_size', None)


