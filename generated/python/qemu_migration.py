# This is a generated file! Please edit source .ksy file and use kaitai-struct-compiler to rebuild
# type: ignore

import kaitaistruct
from kaitaistruct import KaitaiStruct, KaitaiStream, BytesIO
from enum import IntEnum


if getattr(kaitaistruct, 'API_VERSION', (0, 9)) < (0, 11):
    raise Exception("Incompatible Kaitai Struct Python API: 0.11 or later is required, but you have %s" % (kaitaistruct.__version__))

class QemuMigration(KaitaiStruct):
    """The outer framing of the VM state stream that QEMU writes for
    `migrate "exec:cat > FILE"`, `migrate file:FILE`, `savevm` snapshots
    (inside qcow2) and libvirt save images: a header, then records until the
    EOF record, then (usually) a JSON description of the device sections
    (the VMDESCRIPTION trailer).
    
    Records are sections (START/PART/END/FULL, each followed by a FOOTER
    since QEMU 2.4), the CONFIGURATION record, COMMANDs and EOF. Their
    payloads come in three kinds:
    
    * RAM (`ram` section): self-delimiting page records, decoded in full
      (`ram_payload`).
    * Other live sections with their own framing: `block`, `dirty-bitmap`,
      `spapr/htab`, `s390-storage_attributes`, `s390-skeys`, `todclock` and
      the vfio markers.
    * Device (VMSD) sections: they carry NO length. Only the JSON description
      says how long each field is. This top-level type therefore SCANS each
      device payload forward to the first section footer with the section's
      own id (byte 0x7E followed by the be32 section id), so that the Web IDE
      can show every section of a footer-carrying stream with its payload
      bytes. The scan can mislead: a payload that happens to contain 0x7E
      followed by its own section id is cut short there (the rest then shows
      as bogus records). Streams written without footers (machine types
      pc-i440fx-2.3 and older, pseries-2.3 and older, Xen,
      `-global migration.send-section-footer=off`) have nothing to stop at:
      the first device payload then runs to the end of the file, which ends
      the record list cleanly (no exception), swallowing everything after
      it, including the description. Decoding device payloads exactly is the
      job of a reader of the JSON description (migkaitai).
    
    The page size that RAM records need is not written as such in most
    streams; see the `page_size` instance for how it is derived and which
    streams it still misses.
    
    Types meant to be used one at a time on a shared stream by a
    record-by-record reader: `file_header`, `record_head`, `command`,
    `section_footer`, `ram_record`, `vmdescription`, and the special-section
    record types.
    
    .. seealso::
       Source - https://github.com/qemu/qemu/blob/v10.0.0/migration/savevm.c
    
    
    .. seealso::
       Source - https://github.com/qemu/qemu/blob/v10.0.0/migration/ram.c
    
    
    .. seealso::
       Source - https://github.com/qemu/qemu/blob/v10.0.0/migration/vmstate.c
    
    
    .. seealso::
       Source - https://github.com/qemu/qemu/blob/v10.0.0/docs/devel/migration/mapped-ram.rst
    """

    class BlkMigFlag(IntEnum):
        device_block = 1
        eos = 2
        progress = 4
        zero_block = 8

    class CommandType(IntEnum):
        invalid = 0
        open_return_path = 1
        ping = 2
        postcopy_advise = 3
        postcopy_listen = 4
        postcopy_run = 5
        postcopy_ram_discard = 6
        packaged = 7
        enable_colo = 8
        postcopy_resume = 9
        recv_bitmap = 10
        switchover_start = 11

    class DirtyBitmapMigFlag(IntEnum):
        eos = 1
        zeroes = 2
        bitmap_name = 4
        device_name = 8
        start = 16
        complete = 32
        bits = 64
        extra_flags = 128

    class FileVersion(IntEnum):
        obsolete_v2_refused_by_qemu = 2
        current = 3

    class RamSaveFlag(IntEnum):
        full = 1
        zero = 2
        mem_size = 4
        page = 8
        eos = 16
        continued = 32
        xbzrle = 64
        hook = 128
        compress_page = 256
        multifd_flush = 512

    class RecordType(IntEnum):
        eof = 0
        section_start = 1
        section_part = 2
        section_end = 3
        section_full = 4
        subsection = 5
        vmdescription = 6
        configuration = 7
        command = 8
        section_footer = 126

    class SectionFormat(IntEnum):
        ram = 1
        block = 2
        dirty_bitmap = 3
        htab = 4
        stattrib = 5
        skeys = 6
        vfio = 7
        device = 8

    class SkeysFlag(IntEnum):
        eos = 1
        skeys = 2
        error = 4

    class StattribFlag(IntEnum):
        eos = 1
        more = 2
        error = 4
        done = 8

    class VfioMigFlag(IntEnum):
        end_of_state = 1
        dev_config_state = 2
        dev_setup_state = 3
        dev_data_state = 4
        dev_init_data_sent = 5
    def __init__(self, _io, _parent=None, _root=None):
        super(QemuMigration, self).__init__(_io)
        self._parent = _parent
        self._root = _root or self
        self._read()

    def _read(self):
        self.leading_bytes = self._io.read_bytes(self.ofs_header)
        self.header = QemuMigration.FileHeader(self._io, self, self._root)
        self.records = []
        i = 0
        while True:
            _ = QemuMigration.Record((self.no_live_sections if i == 0 else self.records[i - 1].live_after), self.page_size, self.ignore_shared, self.mapped_ram, self._io, self, self._root)
            self.records.append(_)
            if  ((_.is_last) or (self._io.is_eof())) :
                break
            i += 1
        if  ((self.records[-1].head.record_type == QemuMigration.RecordType.eof) and (self._io.size() - self._io.pos() >= 5)) :
            pass
            self.vmdescription = QemuMigration.Vmdescription(self._io, self, self._root)



    def _fetch_instances(self):
        pass
        self.header._fetch_instances()
        for i in range(len(self.records)):
            pass
            self.records[i]._fetch_instances()

        if  ((self.records[-1].head.record_type == QemuMigration.RecordType.eof) and (self._io.size() - self._io.pos() >= 5)) :
            pass
            self.vmdescription._fetch_instances()

        _ = self.configuration
        if hasattr(self, '_m_configuration'):
            pass
            self._m_configuration._fetch_instances()

        _ = self.first_record_type
        if hasattr(self, '_m_first_record_type'):
            pass

        _ = self.leading_window
        if hasattr(self, '_m_leading_window'):
            pass

        _ = self.no_live_sections
        if hasattr(self, '_m_no_live_sections'):
            pass
            self._m_no_live_sections._fetch_instances()


    class BlockPayload(KaitaiStruct):
        """Payload of the `block` section (block migration, migration/block.c,
        removed in QEMU 9.1): records up to the one with the EOS flag.
        
        .. seealso::
           block_load - https://github.com/qemu/qemu/blob/v10.0.0/migration/block.c
        """
        def __init__(self, _io, _parent=None, _root=None):
            super(QemuMigration.BlockPayload, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            self.block_records = []
            i = 0
            while True:
                _ = QemuMigration.BlockRecord(self._io, self, self._root)
                self.block_records.append(_)
                if _.is_eos:
                    break
                i += 1


        def _fetch_instances(self):
            pass
            for i in range(len(self.block_records)):
                pass
                self.block_records[i]._fetch_instances()



    class BlockRecord(KaitaiStruct):
        """be64 word: sector number << 9 in the high bits, BLK_MIG_FLAG_* in
        the low 9 bits; read as two halves (no 64-bit arithmetic).
        
        .. seealso::
           block_load - https://github.com/qemu/qemu/blob/v10.0.0/migration/block.c
        """
        def __init__(self, _io, _parent=None, _root=None):
            super(QemuMigration.BlockRecord, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            self.word_hi = self._io.read_u4be()
            self.word_lo = self._io.read_u4be()
            if self.is_device_block:
                pass
                self.len_device_name = self._io.read_u1()

            if self.is_device_block:
                pass
                self.device_name = (self._io.read_bytes(self.len_device_name)).decode(u"ASCII")

            if  ((self.is_device_block) and ((not (self.is_zero_block)))) :
                pass
                self.data = self._io.read_bytes(1048576)



        def _fetch_instances(self):
            pass
            if self.is_device_block:
                pass

            if self.is_device_block:
                pass

            if  ((self.is_device_block) and ((not (self.is_zero_block)))) :
                pass


        @property
        def flags(self):
            if hasattr(self, '_m_flags'):
                return self._m_flags

            self._m_flags = self.word_lo & 511
            return getattr(self, '_m_flags', None)

        @property
        def is_device_block(self):
            if hasattr(self, '_m_is_device_block'):
                return self._m_is_device_block

            self._m_is_device_block = self.flags & int(QemuMigration.BlkMigFlag.device_block) != 0
            return getattr(self, '_m_is_device_block', None)

        @property
        def is_eos(self):
            if hasattr(self, '_m_is_eos'):
                return self._m_is_eos

            self._m_is_eos = self.flags & int(QemuMigration.BlkMigFlag.eos) != 0
            return getattr(self, '_m_is_eos', None)

        @property
        def is_progress(self):
            if hasattr(self, '_m_is_progress'):
                return self._m_is_progress

            self._m_is_progress = self.flags & int(QemuMigration.BlkMigFlag.progress) != 0
            return getattr(self, '_m_is_progress', None)

        @property
        def is_zero_block(self):
            if hasattr(self, '_m_is_zero_block'):
                return self._m_is_zero_block

            self._m_is_zero_block = self.flags & int(QemuMigration.BlkMigFlag.zero_block) != 0
            return getattr(self, '_m_is_zero_block', None)

        @property
        def sector(self):
            """First 512-byte sector of the chunk (for PROGRESS records, the percentage done)."""
            if hasattr(self, '_m_sector'):
                return self._m_sector

            self._m_sector = (self.word_hi * 8388608 + (self.word_lo >> 9))
            return getattr(self, '_m_sector', None)


    class Capability(KaitaiStruct):
        def __init__(self, _io, _parent=None, _root=None):
            super(QemuMigration.Capability, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            self.len_name = self._io.read_u1()
            self.name = (self._io.read_bytes(self.len_name)).decode(u"ASCII")


        def _fetch_instances(self):
            pass


    class CapabilityList(KaitaiStruct):
        """Capabilities that source and destination must agree on (savevm.c
        vmstate_capabilites: x-ignore-shared, mapped-ram, ...).
        
        .. seealso::
           vmstate_capabilites - https://github.com/qemu/qemu/blob/v10.0.0/migration/savevm.c
        """
        def __init__(self, _io, _parent=None, _root=None):
            super(QemuMigration.CapabilityList, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            self.num_capabilities = self._io.read_u4be()
            self.capabilities = []
            for i in range(self.num_capabilities):
                self.capabilities.append(QemuMigration.Capability(self._io, self, self._root))



        def _fetch_instances(self):
            pass
            for i in range(len(self.capabilities)):
                pass
                self.capabilities[i]._fetch_instances()


        @property
        def has_mapped_ram(self):
            if hasattr(self, '_m_has_mapped_ram'):
                return self._m_has_mapped_ram

            self._m_has_mapped_ram =  (( ((self.num_capabilities >= 1) and (self.capabilities[0].name == u"mapped-ram")) ) or ( ((self.num_capabilities >= 2) and (self.capabilities[1].name == u"mapped-ram")) ) or ( ((self.num_capabilities >= 3) and (self.capabilities[2].name == u"mapped-ram")) )) 
            return getattr(self, '_m_has_mapped_ram', None)

        @property
        def has_x_ignore_shared(self):
            """The first three capabilities only (Kaitai expressions cannot
            search a list): QEMU sends those it validates, x-ignore-shared
            and mapped-ram among at most a few.
            """
            if hasattr(self, '_m_has_x_ignore_shared'):
                return self._m_has_x_ignore_shared

            self._m_has_x_ignore_shared =  (( ((self.num_capabilities >= 1) and (self.capabilities[0].name == u"x-ignore-shared")) ) or ( ((self.num_capabilities >= 2) and (self.capabilities[1].name == u"x-ignore-shared")) ) or ( ((self.num_capabilities >= 3) and (self.capabilities[2].name == u"x-ignore-shared")) )) 
            return getattr(self, '_m_has_x_ignore_shared', None)


    class CmdPackaged(KaitaiStruct):
        """
        .. seealso::
           qemu_savevm_send_packaged - https://github.com/qemu/qemu/blob/v10.0.0/migration/savevm.c
        """
        def __init__(self, _io, _parent=None, _root=None):
            super(QemuMigration.CmdPackaged, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            self.len_packaged = self._io.read_u4be()


        def _fetch_instances(self):
            pass


    class CmdPing(KaitaiStruct):
        def __init__(self, _io, _parent=None, _root=None):
            super(QemuMigration.CmdPing, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            self.value = self._io.read_u4be()


        def _fetch_instances(self):
            pass


    class CmdPostcopyAdvise(KaitaiStruct):
        """Empty from QEMU before 2.8 / when only dirty-bitmaps is on;
        otherwise two be64: the OR of all RAM block page sizes and the
        target page size (savevm.c qemu_savevm_send_postcopy_advise).
        
        .. seealso::
           qemu_savevm_send_postcopy_advise - https://github.com/qemu/qemu/blob/v10.0.0/migration/savevm.c
        """
        def __init__(self, _io, _parent=None, _root=None):
            super(QemuMigration.CmdPostcopyAdvise, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            if (not (self._io.is_eof())):
                pass
                self.ram_page_size_summary = self._io.read_u8be()

            if (not (self._io.is_eof())):
                pass
                self.target_page_size = self._io.read_u8be()



        def _fetch_instances(self):
            pass
            if (not (self._io.is_eof())):
                pass

            if (not (self._io.is_eof())):
                pass



    class CmdPostcopyRamDiscard(KaitaiStruct):
        """savevm.c qemu_savevm_send_postcopy_ram_discard.
        
        .. seealso::
           qemu_savevm_send_postcopy_ram_discard - https://github.com/qemu/qemu/blob/v10.0.0/migration/savevm.c
        """
        def __init__(self, _io, _parent=None, _root=None):
            super(QemuMigration.CmdPostcopyRamDiscard, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            self.version = self._io.read_u1()
            if not self.version == 0:
                raise kaitaistruct.ValidationNotEqualError(0, self.version, self._io, u"/types/cmd_postcopy_ram_discard/seq/0")
            self.len_block_name = self._io.read_u1()
            self.block_name = (self._io.read_bytes(self.len_block_name)).decode(u"ASCII")
            self.terminator = self._io.read_bytes(1)
            if not self.terminator == b"\x00":
                raise kaitaistruct.ValidationNotEqualError(b"\x00", self.terminator, self._io, u"/types/cmd_postcopy_ram_discard/seq/3")
            self.ranges = []
            i = 0
            while not self._io.is_eof():
                self.ranges.append(QemuMigration.DiscardRange(self._io, self, self._root))
                i += 1



        def _fetch_instances(self):
            pass
            for i in range(len(self.ranges)):
                pass
                self.ranges[i]._fetch_instances()



    class CmdRecvBitmap(KaitaiStruct):
        """Postcopy recovery; asks the destination for the received bitmap of a block.
        
        .. seealso::
           qemu_savevm_send_recv_bitmap - https://github.com/qemu/qemu/blob/v10.0.0/migration/savevm.c
        """
        def __init__(self, _io, _parent=None, _root=None):
            super(QemuMigration.CmdRecvBitmap, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            self.len_block_name = self._io.read_u1()
            self.block_name = (self._io.read_bytes(self.len_block_name)).decode(u"ASCII")


        def _fetch_instances(self):
            pass


    class Command(KaitaiStruct):
        """QEMU_VM_COMMAND: be16 command, be16 length, length bytes
        (savevm.c qemu_savevm_command_send). The payload is parsed by
        command type; unknown commands keep their raw bytes.
        
        .. seealso::
           qemu_savevm_command_send - https://github.com/qemu/qemu/blob/v10.0.0/migration/savevm.c
        """
        def __init__(self, _io, _parent=None, _root=None):
            super(QemuMigration.Command, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            self.command_type = KaitaiStream.resolve_enum(QemuMigration.CommandType, self._io.read_u2be())
            self.len_data = self._io.read_u2be()
            _on = self.command_type
            if _on == QemuMigration.CommandType.packaged:
                pass
                self._raw_data = self._io.read_bytes(self.len_data)
                _io__raw_data = KaitaiStream(BytesIO(self._raw_data))
                self.data = QemuMigration.CmdPackaged(_io__raw_data, self, self._root)
            elif _on == QemuMigration.CommandType.ping:
                pass
                self._raw_data = self._io.read_bytes(self.len_data)
                _io__raw_data = KaitaiStream(BytesIO(self._raw_data))
                self.data = QemuMigration.CmdPing(_io__raw_data, self, self._root)
            elif _on == QemuMigration.CommandType.postcopy_advise:
                pass
                self._raw_data = self._io.read_bytes(self.len_data)
                _io__raw_data = KaitaiStream(BytesIO(self._raw_data))
                self.data = QemuMigration.CmdPostcopyAdvise(_io__raw_data, self, self._root)
            elif _on == QemuMigration.CommandType.postcopy_ram_discard:
                pass
                self._raw_data = self._io.read_bytes(self.len_data)
                _io__raw_data = KaitaiStream(BytesIO(self._raw_data))
                self.data = QemuMigration.CmdPostcopyRamDiscard(_io__raw_data, self, self._root)
            elif _on == QemuMigration.CommandType.recv_bitmap:
                pass
                self._raw_data = self._io.read_bytes(self.len_data)
                _io__raw_data = KaitaiStream(BytesIO(self._raw_data))
                self.data = QemuMigration.CmdRecvBitmap(_io__raw_data, self, self._root)
            else:
                pass
                self.data = self._io.read_bytes(self.len_data)


        def _fetch_instances(self):
            pass
            _on = self.command_type
            if _on == QemuMigration.CommandType.packaged:
                pass
                self.data._fetch_instances()
            elif _on == QemuMigration.CommandType.ping:
                pass
                self.data._fetch_instances()
            elif _on == QemuMigration.CommandType.postcopy_advise:
                pass
                self.data._fetch_instances()
            elif _on == QemuMigration.CommandType.postcopy_ram_discard:
                pass
                self.data._fetch_instances()
            elif _on == QemuMigration.CommandType.recv_bitmap:
                pass
                self.data._fetch_instances()
            else:
                pass

        @property
        def command_type_raw(self):
            """The command as a number (also when it is not a known command)."""
            if hasattr(self, '_m_command_type_raw'):
                return self._m_command_type_raw

            self._m_command_type_raw = int(self.command_type)
            return getattr(self, '_m_command_type_raw', None)

        @property
        def packaged_len(self):
            """Length of the nested stream that follows a PACKAGED command."""
            if hasattr(self, '_m_packaged_len'):
                return self._m_packaged_len

            self._m_packaged_len = (self.data.len_packaged if self.command_type == QemuMigration.CommandType.packaged else 0)
            return getattr(self, '_m_packaged_len', None)


    class Configuration(KaitaiStruct):
        """The body of QEMU_VM_CONFIGURATION: the VMSD "configuration"
        (savevm.c vmstate_configuration), i.e. the machine type name and
        optional subsections. Unlike device sections it has no section
        header and no footer; QEMU 7.2's JSON description does not describe
        it at all.
        
        .. seealso::
           vmstate_configuration - https://github.com/qemu/qemu/blob/v10.0.0/migration/savevm.c
        """
        def __init__(self, _io, _parent=None, _root=None):
            super(QemuMigration.Configuration, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            self.len_machine_name = self._io.read_u4be()
            if not self.len_machine_name <= 255:
                raise kaitaistruct.ValidationGreaterThanError(255, self.len_machine_name, self._io, u"/types/configuration/seq/0")
            self.machine_name = (self._io.read_bytes(self.len_machine_name)).decode(u"ASCII")
            self.subsections = []
            i = 0
            while True:
                _ = QemuMigration.ConfigurationSubsection(self._io, self, self._root)
                self.subsections.append(_)
                if _.is_last:
                    break
                i += 1


        def _fetch_instances(self):
            pass
            for i in range(len(self.subsections)):
                pass
                self.subsections[i]._fetch_instances()


        @property
        def has_mapped_ram(self):
            if hasattr(self, '_m_has_mapped_ram'):
                return self._m_has_mapped_ram

            self._m_has_mapped_ram =  (( ((len(self.subsections) >= 1) and (self.subsections[0].has_mapped_ram)) ) or ( ((len(self.subsections) >= 2) and (self.subsections[1].has_mapped_ram)) ) or ( ((len(self.subsections) >= 3) and (self.subsections[2].has_mapped_ram)) )) 
            return getattr(self, '_m_has_mapped_ram', None)

        @property
        def has_x_ignore_shared(self):
            if hasattr(self, '_m_has_x_ignore_shared'):
                return self._m_has_x_ignore_shared

            self._m_has_x_ignore_shared =  (( ((len(self.subsections) >= 1) and (self.subsections[0].has_x_ignore_shared)) ) or ( ((len(self.subsections) >= 2) and (self.subsections[1].has_x_ignore_shared)) ) or ( ((len(self.subsections) >= 3) and (self.subsections[2].has_x_ignore_shared)) )) 
            return getattr(self, '_m_has_x_ignore_shared', None)

        @property
        def page_size_by_machine(self):
            """Page size implied by the machine type where the target's page
            size is fixed and not 4 KiB (sparc64, alpha, or1k-sim: 8 KiB;
            tricore: 16 KiB; AVR: 256 bytes) or where an arm board's CPU
            (ARMv5/v6 and older) makes QEMU run at the 1 KiB minimum without
            writing target-page-bits. 0 when the name is not known.
            """
            if hasattr(self, '_m_page_size_by_machine'):
                return self._m_page_size_by_machine

            self._m_page_size_by_machine = (1024 if  ((self.machine_name == u"versatilepb") or (self.machine_name == u"versatileab") or (self.machine_name == u"integratorcp") or (self.machine_name == u"realview-eb") or (self.machine_name == u"realview-eb-mpcore") or (self.machine_name == u"realview-pb-a8") or (self.machine_name == u"realview-pbx-a9") or (self.machine_name == u"musicpal") or (self.machine_name == u"akita") or (self.machine_name == u"borzoi") or (self.machine_name == u"spitz") or (self.machine_name == u"terrier") or (self.machine_name == u"tosa") or (self.machine_name == u"connex") or (self.machine_name == u"verdex") or (self.machine_name == u"mainstone") or (self.machine_name == u"z2") or (self.machine_name == u"cheetah") or (self.machine_name == u"sx1") or (self.machine_name == u"sx1-v1") or (self.machine_name == u"collie") or (self.machine_name == u"kzm") or (self.machine_name == u"imx25-pdk") or (self.machine_name == u"sabrelite"))  else (8192 if  ((self.machine_name == u"sun4u") or (self.machine_name == u"sun4v") or (self.machine_name == u"niagara") or (self.machine_name == u"clipper") or (self.machine_name == u"or1k-sim"))  else (16384 if  ((self.machine_name == u"KIT_AURIX_TC277_TRB") or (self.machine_name == u"tricore_testboard"))  else (256 if  ((len(self.machine_name) >= 8) and (self.machine_name[0:8] == u"arduino-"))  else 0))))
            return getattr(self, '_m_page_size_by_machine', None)

        @property
        def target_page_bits(self):
            """0 when the subsection is absent (the target then runs at its
            default or minimum page size). This lookup, and the two below,
            look at the first three slots only: QEMU defines three
            configuration subsections (target-page-bits, capabilities,
            uuid), and Kaitai expressions cannot search a list.
            """
            if hasattr(self, '_m_target_page_bits'):
                return self._m_target_page_bits

            self._m_target_page_bits = (self.subsections[0].target_page_bits if  ((len(self.subsections) >= 1) and (self.subsections[0].name == u"configuration/target-page-bits"))  else (self.subsections[1].target_page_bits if  ((len(self.subsections) >= 2) and (self.subsections[1].name == u"configuration/target-page-bits"))  else (self.subsections[2].target_page_bits if  ((len(self.subsections) >= 3) and (self.subsections[2].name == u"configuration/target-page-bits"))  else 0)))
            return getattr(self, '_m_target_page_bits', None)


    class ConfigurationSubsection(KaitaiStruct):
        """One slot of the configuration's subsection list. QEMU peeks for a
        0x05 byte after the fields; anything else ends the list without
        being consumed. So the last slot of the list is always an empty
        one (no `body`), and an unknown subsection also ends the list,
        since its length is not known.
        """
        def __init__(self, _io, _parent=None, _root=None):
            super(QemuMigration.ConfigurationSubsection, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            if self.is_present:
                pass
                self.body = QemuMigration.ConfigurationSubsectionBody(self._io, self, self._root)



        def _fetch_instances(self):
            pass
            if self.is_present:
                pass
                self.body._fetch_instances()

            _ = self.next_byte
            if hasattr(self, '_m_next_byte'):
                pass


        @property
        def has_mapped_ram(self):
            if hasattr(self, '_m_has_mapped_ram'):
                return self._m_has_mapped_ram

            self._m_has_mapped_ram =  ((self.is_present) and (self.body.name == u"configuration/capabilities") and (self.body.capabilities.has_mapped_ram)) 
            return getattr(self, '_m_has_mapped_ram', None)

        @property
        def has_x_ignore_shared(self):
            if hasattr(self, '_m_has_x_ignore_shared'):
                return self._m_has_x_ignore_shared

            self._m_has_x_ignore_shared =  ((self.is_present) and (self.body.name == u"configuration/capabilities") and (self.body.capabilities.has_x_ignore_shared)) 
            return getattr(self, '_m_has_x_ignore_shared', None)

        @property
        def is_last(self):
            if hasattr(self, '_m_is_last'):
                return self._m_is_last

            self._m_is_last =  (((not (self.is_present))) or ((not (self.body.is_known)))) 
            return getattr(self, '_m_is_last', None)

        @property
        def is_present(self):
            if hasattr(self, '_m_is_present'):
                return self._m_is_present

            self._m_is_present =  (((not (self._io.is_eof()))) and (self.next_byte == 5)) 
            return getattr(self, '_m_is_present', None)

        @property
        def name(self):
            if hasattr(self, '_m_name'):
                return self._m_name

            self._m_name = (self.body.name if self.is_present else u"")
            return getattr(self, '_m_name', None)

        @property
        def next_byte(self):
            if hasattr(self, '_m_next_byte'):
                return self._m_next_byte

            if (not (self._io.is_eof())):
                pass
                _pos = self._io.pos()
                self._io.seek(self._io.pos())
                self._m_next_byte = self._io.read_u1()
                self._io.seek(_pos)

            return getattr(self, '_m_next_byte', None)

        @property
        def target_page_bits(self):
            if hasattr(self, '_m_target_page_bits'):
                return self._m_target_page_bits

            self._m_target_page_bits = (self.body.target_page_bits if  ((self.is_present) and (self.body.name == u"configuration/target-page-bits"))  else 0)
            return getattr(self, '_m_target_page_bits', None)


    class ConfigurationSubsectionBody(KaitaiStruct):
        """savevm.c vmstate_target_page_bits, vmstate_capabilites, vmstate_uuid.
        
        .. seealso::
           vmstate_target_page_bits - https://github.com/qemu/qemu/blob/v10.0.0/migration/savevm.c
        """
        def __init__(self, _io, _parent=None, _root=None):
            super(QemuMigration.ConfigurationSubsectionBody, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            self.marker = self._io.read_bytes(1)
            if not self.marker == b"\x05":
                raise kaitaistruct.ValidationNotEqualError(b"\x05", self.marker, self._io, u"/types/configuration_subsection_body/seq/0")
            self.len_name = self._io.read_u1()
            self.name = (self._io.read_bytes(self.len_name)).decode(u"ASCII")
            self.version_id = self._io.read_u4be()
            if self.name == u"configuration/target-page-bits":
                pass
                self.target_page_bits = self._io.read_u4be()

            if self.name == u"configuration/capabilities":
                pass
                self.capabilities = QemuMigration.CapabilityList(self._io, self, self._root)

            if self.name == u"configuration/uuid":
                pass
                self.uuid = self._io.read_bytes(16)



        def _fetch_instances(self):
            pass
            if self.name == u"configuration/target-page-bits":
                pass

            if self.name == u"configuration/capabilities":
                pass
                self.capabilities._fetch_instances()

            if self.name == u"configuration/uuid":
                pass


        @property
        def is_known(self):
            if hasattr(self, '_m_is_known'):
                return self._m_is_known

            self._m_is_known =  ((self.name == u"configuration/target-page-bits") or (self.name == u"configuration/capabilities") or (self.name == u"configuration/uuid")) 
            return getattr(self, '_m_is_known', None)


    class DevicePayload(KaitaiStruct):
        """A device (VMSD) section payload, which carries no length. Scanned
        forward to the first 0x7E byte that is followed by this section's
        id as be32, i.e. its footer; or to the end of the file when there is
        none (streams without footers). See the top-level doc for how this
        scan can mislead. The chunks, joined, are the payload bytes.
        """
        def __init__(self, section_id, _io, _parent=None, _root=None):
            super(QemuMigration.DevicePayload, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self.section_id = section_id
            self._read()

        def _read(self):
            self.chunks = []
            i = 0
            while True:
                _ = QemuMigration.DevicePayloadChunk(self.section_id, self._io, self, self._root)
                self.chunks.append(_)
                if  ((_.at_footer) or (self._io.is_eof())) :
                    break
                i += 1


        def _fetch_instances(self):
            pass
            for i in range(len(self.chunks)):
                pass
                self.chunks[i]._fetch_instances()



    class DevicePayloadChunk(KaitaiStruct):
        """A piece of a device payload: the bytes up to the next 0x7E (at most
        `max_data` of them), then, when that 0x7E is not the section's
        footer, the 0x7E and what follows it up to the next 0x7E (at most 4
        bytes more: a footer may start there).
        
        Framed without a terminator scan of the stream, which would reach
        its end in a stream without footers (the stock C++ runtime throws
        there, whatever `eos-error` says): `window` is read with a size and
        cut at the first 0x7E in memory. Every lookahead (`probe`, `window`)
        starts inside bytes the seq reads before it, or is the footer's own
        bytes, so the Web IDE counts no parsed byte as unparsed.
        """
        def __init__(self, section_id, _io, _parent=None, _root=None):
            super(QemuMigration.DevicePayloadChunk, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self.section_id = section_id
            self._read()

        def _read(self):
            self.data = self._io.read_bytes(len(self.window))
            if  ((self.has_marker) and ((not (self.at_footer)))) :
                pass
                self.not_a_footer = self._io.read_bytes(self.len_not_a_footer)



        def _fetch_instances(self):
            pass
            if  ((self.has_marker) and ((not (self.at_footer)))) :
                pass

            _ = self.probe
            if hasattr(self, '_m_probe'):
                pass

            _ = self.window
            if hasattr(self, '_m_window'):
                pass


        @property
        def at_footer(self):
            if hasattr(self, '_m_at_footer'):
                return self._m_at_footer

            self._m_at_footer =  ((self.has_marker) and (len(self.probe) == 5) and (KaitaiStream.byte_array_index(self.probe, 1) == self.section_id >> 24 & 255) and (KaitaiStream.byte_array_index(self.probe, 2) == self.section_id >> 16 & 255) and (KaitaiStream.byte_array_index(self.probe, 3) == self.section_id >> 8 & 255) and (KaitaiStream.byte_array_index(self.probe, 4) == self.section_id & 255)) 
            return getattr(self, '_m_at_footer', None)

        @property
        def has_marker(self):
            """Whether `data` ends at a 0x7E (else at `max_data` bytes or at the end of the stream)."""
            if hasattr(self, '_m_has_marker'):
                return self._m_has_marker

            self._m_has_marker = len(self.window) < self.len_window
            return getattr(self, '_m_has_marker', None)

        @property
        def len_not_a_footer(self):
            if hasattr(self, '_m_len_not_a_footer'):
                return self._m_len_not_a_footer

            self._m_len_not_a_footer = (0 if (not (self.has_marker)) else (1 if  ((len(self.probe) < 2) or (KaitaiStream.byte_array_index(self.probe, 1) == 126))  else (2 if  ((len(self.probe) < 3) or (KaitaiStream.byte_array_index(self.probe, 2) == 126))  else (3 if  ((len(self.probe) < 4) or (KaitaiStream.byte_array_index(self.probe, 3) == 126))  else (4 if  ((len(self.probe) < 5) or (KaitaiStream.byte_array_index(self.probe, 4) == 126))  else 5)))))
            return getattr(self, '_m_len_not_a_footer', None)

        @property
        def len_window(self):
            if hasattr(self, '_m_len_window'):
                return self._m_len_window

            self._m_len_window = (self._io.size() - self.ofs_start if self._io.size() - self.ofs_start < self.max_data else self.max_data)
            return getattr(self, '_m_len_window', None)

        @property
        def max_data(self):
            if hasattr(self, '_m_max_data'):
                return self._m_max_data

            self._m_max_data = 4096
            return getattr(self, '_m_max_data', None)

        @property
        def ofs_marker(self):
            if hasattr(self, '_m_ofs_marker'):
                return self._m_ofs_marker

            self._m_ofs_marker = self.ofs_start + len(self.window)
            return getattr(self, '_m_ofs_marker', None)

        @property
        def ofs_start(self):
            """Where the piece starts (evaluated first, by `window`)."""
            if hasattr(self, '_m_ofs_start'):
                return self._m_ofs_start

            self._m_ofs_start = self._io.pos()
            return getattr(self, '_m_ofs_start', None)

        @property
        def probe(self):
            """The 0x7E and the 4 bytes after it, where a footer would have the section id."""
            if hasattr(self, '_m_probe'):
                return self._m_probe

            if self.has_marker:
                pass
                _pos = self._io.pos()
                self._io.seek(self.ofs_marker)
                self._m_probe = self._io.read_bytes((self._io.size() - self.ofs_marker if self._io.size() - self.ofs_marker < 5 else 5))
                self._io.seek(_pos)

            return getattr(self, '_m_probe', None)

        @property
        def window(self):
            """The next bytes up to the first 0x7E among them (all of them when there is none)."""
            if hasattr(self, '_m_window'):
                return self._m_window

            _pos = self._io.pos()
            self._io.seek(self.ofs_start)
            self._m_window = KaitaiStream.bytes_terminate(self._io.read_bytes(self.len_window), 126, False)
            self._io.seek(_pos)
            return getattr(self, '_m_window', None)


    class DirtyBitmapChunk(KaitaiStruct):
        """One chunk (block-dirty-bitmap.c dirty_bitmap_load). Node and bitmap
        names appear only when they change from the previous chunk (also
        across sections), so a reader carries them over.
        
        .. seealso::
           dirty_bitmap_load - https://github.com/qemu/qemu/blob/v10.0.0/migration/block-dirty-bitmap.c
        """
        def __init__(self, _io, _parent=None, _root=None):
            super(QemuMigration.DirtyBitmapChunk, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            self.flags_byte = self._io.read_u1()
            if self.flags_byte & int(QemuMigration.DirtyBitmapMigFlag.extra_flags) != 0:
                pass
                self.flags_byte2 = self._io.read_u1()

            if  ((self.flags_byte & int(QemuMigration.DirtyBitmapMigFlag.extra_flags) != 0) and (self.flags_byte2 & int(QemuMigration.DirtyBitmapMigFlag.extra_flags) != 0)) :
                pass
                self.flags_word = self._io.read_u2be()

            if self.has_node_name:
                pass
                self.len_node_name = self._io.read_u1()

            if self.has_node_name:
                pass
                self.node_name = (self._io.read_bytes(self.len_node_name)).decode(u"ASCII")

            if self.has_bitmap_name:
                pass
                self.len_bitmap_name = self._io.read_u1()

            if self.has_bitmap_name:
                pass
                self.bitmap_name = (self._io.read_bytes(self.len_bitmap_name)).decode(u"ASCII")

            if self.is_start:
                pass
                self.granularity = self._io.read_u4be()

            if self.is_start:
                pass
                self.bitmap_flags = self._io.read_u1()

            if self.is_bits:
                pass
                self.first_sector = self._io.read_u8be()

            if self.is_bits:
                pass
                self.num_sectors = self._io.read_u4be()

            if  ((self.is_bits) and ((not (self.is_zeroes)))) :
                pass
                self.len_buf = self._io.read_u8be()

            if  ((self.is_bits) and ((not (self.is_zeroes)))) :
                pass
                self.buf = self._io.read_bytes(self.len_buf)



        def _fetch_instances(self):
            pass
            if self.flags_byte & int(QemuMigration.DirtyBitmapMigFlag.extra_flags) != 0:
                pass

            if  ((self.flags_byte & int(QemuMigration.DirtyBitmapMigFlag.extra_flags) != 0) and (self.flags_byte2 & int(QemuMigration.DirtyBitmapMigFlag.extra_flags) != 0)) :
                pass

            if self.has_node_name:
                pass

            if self.has_node_name:
                pass

            if self.has_bitmap_name:
                pass

            if self.has_bitmap_name:
                pass

            if self.is_start:
                pass

            if self.is_start:
                pass

            if self.is_bits:
                pass

            if self.is_bits:
                pass

            if  ((self.is_bits) and ((not (self.is_zeroes)))) :
                pass

            if  ((self.is_bits) and ((not (self.is_zeroes)))) :
                pass


        @property
        def flags(self):
            """As the loader reads it (it keeps only the last flags byte or word read)."""
            if hasattr(self, '_m_flags'):
                return self._m_flags

            self._m_flags = (self.flags_byte if self.flags_byte & int(QemuMigration.DirtyBitmapMigFlag.extra_flags) == 0 else (self.flags_byte2 if self.flags_byte2 & int(QemuMigration.DirtyBitmapMigFlag.extra_flags) == 0 else self.flags_word))
            return getattr(self, '_m_flags', None)

        @property
        def has_bitmap_name(self):
            if hasattr(self, '_m_has_bitmap_name'):
                return self._m_has_bitmap_name

            self._m_has_bitmap_name = self.flags & int(QemuMigration.DirtyBitmapMigFlag.bitmap_name) != 0
            return getattr(self, '_m_has_bitmap_name', None)

        @property
        def has_node_name(self):
            if hasattr(self, '_m_has_node_name'):
                return self._m_has_node_name

            self._m_has_node_name = self.flags & int(QemuMigration.DirtyBitmapMigFlag.device_name) != 0
            return getattr(self, '_m_has_node_name', None)

        @property
        def is_bits(self):
            if hasattr(self, '_m_is_bits'):
                return self._m_is_bits

            self._m_is_bits = self.flags & int(QemuMigration.DirtyBitmapMigFlag.bits) != 0
            return getattr(self, '_m_is_bits', None)

        @property
        def is_complete(self):
            if hasattr(self, '_m_is_complete'):
                return self._m_is_complete

            self._m_is_complete = self.flags & int(QemuMigration.DirtyBitmapMigFlag.complete) != 0
            return getattr(self, '_m_is_complete', None)

        @property
        def is_eos(self):
            if hasattr(self, '_m_is_eos'):
                return self._m_is_eos

            self._m_is_eos = self.flags & int(QemuMigration.DirtyBitmapMigFlag.eos) != 0
            return getattr(self, '_m_is_eos', None)

        @property
        def is_start(self):
            if hasattr(self, '_m_is_start'):
                return self._m_is_start

            self._m_is_start = self.flags & int(QemuMigration.DirtyBitmapMigFlag.start) != 0
            return getattr(self, '_m_is_start', None)

        @property
        def is_zeroes(self):
            if hasattr(self, '_m_is_zeroes'):
                return self._m_is_zeroes

            self._m_is_zeroes = self.flags & int(QemuMigration.DirtyBitmapMigFlag.zeroes) != 0
            return getattr(self, '_m_is_zeroes', None)


    class DirtyBitmapPayload(KaitaiStruct):
        """Payload of the `dirty-bitmap` section
        (migration/block-dirty-bitmap.c): chunks up to the one with the EOS
        flag.
        
        .. seealso::
           dirty_bitmap_load - https://github.com/qemu/qemu/blob/v10.0.0/migration/block-dirty-bitmap.c
        """
        def __init__(self, _io, _parent=None, _root=None):
            super(QemuMigration.DirtyBitmapPayload, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            self.chunks = []
            i = 0
            while True:
                _ = QemuMigration.DirtyBitmapChunk(self._io, self, self._root)
                self.chunks.append(_)
                if _.is_eos:
                    break
                i += 1


        def _fetch_instances(self):
            pass
            for i in range(len(self.chunks)):
                pass
                self.chunks[i]._fetch_instances()



    class DiscardRange(KaitaiStruct):
        def __init__(self, _io, _parent=None, _root=None):
            super(QemuMigration.DiscardRange, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            self.start = self._io.read_u8be()
            self.length = self._io.read_u8be()


        def _fetch_instances(self):
            pass


    class FileHeader(KaitaiStruct):
        """
        .. seealso::
           qemu_savevm_state_header - https://github.com/qemu/qemu/blob/v10.0.0/migration/savevm.c
        """
        def __init__(self, _io, _parent=None, _root=None):
            super(QemuMigration.FileHeader, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            self.magic = self._io.read_bytes(4)
            if not self.magic == b"\x51\x45\x56\x4D":
                raise kaitaistruct.ValidationNotEqualError(b"\x51\x45\x56\x4D", self.magic, self._io, u"/types/file_header/seq/0")
            self.version = KaitaiStream.resolve_enum(QemuMigration.FileVersion, self._io.read_u4be())
            if not self.version == QemuMigration.FileVersion.current:
                raise kaitaistruct.ValidationNotEqualError(QemuMigration.FileVersion.current, self.version, self._io, u"/types/file_header/seq/1")


        def _fetch_instances(self):
            pass


    class HtabChunk(KaitaiStruct):
        def __init__(self, _io, _parent=None, _root=None):
            super(QemuMigration.HtabChunk, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            self.index = self._io.read_u4be()
            self.num_valid = self._io.read_u2be()
            self.num_invalid = self._io.read_u2be()
            self.valid_hptes = []
            for i in range(self.num_valid):
                self.valid_hptes.append(self._io.read_bytes(16))



        def _fetch_instances(self):
            pass
            for i in range(len(self.valid_hptes)):
                pass


        @property
        def is_end(self):
            if hasattr(self, '_m_is_end'):
                return self._m_is_end

            self._m_is_end =  ((self.index == 0) and (self.num_valid == 0) and (self.num_invalid == 0)) 
            return getattr(self, '_m_is_end', None)


    class HtabPayload(KaitaiStruct):
        """Payload of `spapr/htab` (hw/ppc/spapr.c htab_save_setup/iterate/
        complete, htab_load). The first be32 decides: -1 means no hash page
        table (radix guest), a positive value is the START payload (the HPT
        size shift) and nothing follows; 0 is followed by chunks of HPTEs
        up to an all-zero chunk head.
        
        .. seealso::
           htab_load - https://github.com/qemu/qemu/blob/v10.0.0/hw/ppc/spapr.c
        """
        def __init__(self, _io, _parent=None, _root=None):
            super(QemuMigration.HtabPayload, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            self.header = self._io.read_s4be()
            if self.header == 0:
                pass
                self.chunks = []
                i = 0
                while True:
                    _ = QemuMigration.HtabChunk(self._io, self, self._root)
                    self.chunks.append(_)
                    if _.is_end:
                        break
                    i += 1



        def _fetch_instances(self):
            pass
            if self.header == 0:
                pass
                for i in range(len(self.chunks)):
                    pass
                    self.chunks[i]._fetch_instances()



        @property
        def htab_shift(self):
            if hasattr(self, '_m_htab_shift'):
                return self._m_htab_shift

            self._m_htab_shift = (self.header if self.header > 0 else 0)
            return getattr(self, '_m_htab_shift', None)


    class LiveSections(KaitaiStruct):
        """The ids of the live sections whose PART/END records carry a payload
        format of their own (a PART/END names its section by id only), as
        of one record: `ram`, `block`, `dirty-bitmap`, `spapr/htab`,
        `s390-storage_attributes`, and the vfio device whose live phase
        started last. 4294967296 (2^32, above every u4 id) where none
        started. It reads nothing (it is built with `size: 0`): each record
        takes the one its predecessor left (`record.live_after`).
        """
        def __init__(self, ram, block, dirty_bitmap, htab, stattrib, vfio, _io, _parent=None, _root=None):
            super(QemuMigration.LiveSections, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self.ram = ram
            self.block = block
            self.dirty_bitmap = dirty_bitmap
            self.htab = htab
            self.stattrib = stattrib
            self.vfio = vfio
            self._read()

        def _read(self):
            pass


        def _fetch_instances(self):
            pass


    class MappedRamHeader(KaitaiStruct):
        """MappedRamHeader (ram.c, docs/devel/migration/mapped-ram.rst), packed,
        big-endian. Offsets are absolute file offsets.
        
        .. seealso::
           mapped_ram_setup_ramblock - https://github.com/qemu/qemu/blob/v10.0.0/migration/ram.c
        """
        def __init__(self, _io, _parent=None, _root=None):
            super(QemuMigration.MappedRamHeader, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            self.version = self._io.read_u4be()
            if not self.version == 1:
                raise kaitaistruct.ValidationNotEqualError(1, self.version, self._io, u"/types/mapped_ram_header/seq/0")
            self.page_size = self._io.read_u8be()
            self.bitmap_offset = self._io.read_u8be()
            self.pages_offset = self._io.read_u8be()


        def _fetch_instances(self):
            pass

        @property
        def is_skipped(self):
            """A block whose RAM is not in the file: with x-ignore-shared, a block
            on shared memory (QEMU 11.0+ writes it so; earlier ones refused the
            combination). No bitmap, no pages; the next entry follows.
            """
            if hasattr(self, '_m_is_skipped'):
                return self._m_is_skipped

            self._m_is_skipped =  ((self.bitmap_offset == 0) and (self.pages_offset == 0)) 
            return getattr(self, '_m_is_skipped', None)


    class PackagedRecords(KaitaiStruct):
        def __init__(self, live, page_size, ignore_shared, mapped_ram, _io, _parent=None, _root=None):
            super(QemuMigration.PackagedRecords, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self.live = live
            self.page_size = page_size
            self.ignore_shared = ignore_shared
            self.mapped_ram = mapped_ram
            self._read()

        def _read(self):
            self.records = []
            i = 0
            while not self._io.is_eof():
                self.records.append(QemuMigration.Record((self.live if i == 0 else self.records[i - 1].live_after), self.page_size, self.ignore_shared, self.mapped_ram, self._io, self, self._root))
                i += 1



        def _fetch_instances(self):
            pass
            for i in range(len(self.records)):
                pass
                self.records[i]._fetch_instances()



    class RamBlockEntry(KaitaiStruct):
        """One RAM block in the MEM_SIZE record (ram.c ram_save_setup): the
        list ends when the lengths add up to the total.
        
        .. seealso::
           ram_save_setup - https://github.com/qemu/qemu/blob/v10.0.0/migration/ram.c
        """
        def __init__(self, ignore_shared, mapped_ram, postcopy_page_sizes, with_data, total_4k_before, _io, _parent=None, _root=None):
            super(QemuMigration.RamBlockEntry, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self.ignore_shared = ignore_shared
            self.mapped_ram = mapped_ram
            self.postcopy_page_sizes = postcopy_page_sizes
            self.with_data = with_data
            self.total_4k_before = total_4k_before
            self._read()

        def _read(self):
            self.len_name = self._io.read_u1()
            self.name = (self._io.read_bytes(self.len_name)).decode(u"ASCII")
            self.used_length_hi = self._io.read_u4be()
            self.used_length_lo = self._io.read_u4be()
            if self.postcopy_page_sizes:
                pass
                self.block_page_size = self._io.read_u8be()

            if self.ignore_shared:
                pass
                self.mr_addr = self._io.read_u8be()

            if self.mapped_ram:
                pass
                self.mapped_ram_header = QemuMigration.MappedRamHeader(self._io, self, self._root)

            if  ((self.mapped_ram) and (self.with_data) and ((not (self.mapped_ram_header.is_skipped)))) :
                pass
                self.mapped_ram_data = self._io.read_bytes((self.mapped_ram_header.pages_offset + self.used_length) - self._io.pos())



        def _fetch_instances(self):
            pass
            if self.postcopy_page_sizes:
                pass

            if self.ignore_shared:
                pass

            if self.mapped_ram:
                pass
                self.mapped_ram_header._fetch_instances()

            if  ((self.mapped_ram) and (self.with_data) and ((not (self.mapped_ram_header.is_skipped)))) :
                pass


        @property
        def ofs_next(self):
            """mapped-ram - where the next entry or record starts (the stream seeks
            past the block's data). A skipped block has no data: the next entry
            follows its header.
            """
            if hasattr(self, '_m_ofs_next'):
                return self._m_ofs_next

            if  ((self.mapped_ram) and ((not (self.mapped_ram_header.is_skipped)))) :
                pass
                self._m_ofs_next = (self.mapped_ram_header.pages_offset + self.used_length)

            return getattr(self, '_m_ofs_next', None)

        @property
        def total_4k_after(self):
            if hasattr(self, '_m_total_4k_after'):
                return self._m_total_4k_after

            self._m_total_4k_after = ((self.total_4k_before + self.used_length_hi * 1048576) + (self.used_length_lo >> 12))
            return getattr(self, '_m_total_4k_after', None)

        @property
        def used_length(self):
            """Byte length: a 64-bit integer in every target (the cast: C++ and
            Java would type the sum as a 32-bit int; JavaScript's numbers
            are exact below 2^53).
            """
            if hasattr(self, '_m_used_length'):
                return self._m_used_length

            self._m_used_length = (self.used_length_hi * 4294967296 + self.used_length_lo)
            return getattr(self, '_m_used_length', None)


    class RamCompressedPage(KaitaiStruct):
        """RAM_SAVE_FLAG_COMPRESS_PAGE (QEMU before 9.1, capability compress) - a zlib stream of one page."""
        def __init__(self, page_size, _io, _parent=None, _root=None):
            super(QemuMigration.RamCompressedPage, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self.page_size = page_size
            self._read()

        def _read(self):
            self.len_data = self._io.read_u4be()
            if not self.len_data <= ((self.page_size + (self.page_size >> 12)) + (self.page_size >> 14)) + 13:
                raise kaitaistruct.ValidationGreaterThanError(((self.page_size + (self.page_size >> 12)) + (self.page_size >> 14)) + 13, self.len_data, self._io, u"/types/ram_compressed_page/seq/0")
            self.data = self._io.read_bytes(self.len_data)


        def _fetch_instances(self):
            pass


    class RamPayload(KaitaiStruct):
        """Payload of the `ram` section (ram.c, section version 4): RAM records
        up to and including the one with the EOS flag.
        
        .. seealso::
           ram_load_precopy - https://github.com/qemu/qemu/blob/v10.0.0/migration/ram.c
        """
        def __init__(self, page_size, ignore_shared, mapped_ram, postcopy_page_sizes, _io, _parent=None, _root=None):
            super(QemuMigration.RamPayload, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self.page_size = page_size
            self.ignore_shared = ignore_shared
            self.mapped_ram = mapped_ram
            self.postcopy_page_sizes = postcopy_page_sizes
            self._read()

        def _read(self):
            self.ram_records = []
            i = 0
            while True:
                _ = QemuMigration.RamRecord(self.page_size, self.ignore_shared, self.mapped_ram, self.postcopy_page_sizes, True, self._io, self, self._root)
                self.ram_records.append(_)
                if  ((_.is_eos) or ((not (_.has_valid_flags)))) :
                    break
                i += 1


        def _fetch_instances(self):
            pass
            for i in range(len(self.ram_records)):
                pass
                self.ram_records[i]._fetch_instances()



    class RamRecord(KaitaiStruct):
        """One RAM record (ram.c ram_load_precopy): a be64 word holding a
        page-aligned address in its high bits and RAM_SAVE_FLAG_* flags in
        its low log2(page_size) bits, then what the flags say. The word is
        read as two be32 halves so that no expression needs 64-bit
        arithmetic: the address is (addr_hi << 32) | (addr_lo & ~(page_size
        - 1)), computed by the reader.
        
        With RAM_SAVE_FLAG_CONTINUE the block is the previous record's; the
        current block carries across sections.
        
        .. seealso::
           ram_load_precopy - https://github.com/qemu/qemu/blob/v10.0.0/migration/ram.c
        """
        def __init__(self, page_size, ignore_shared, mapped_ram, postcopy_page_sizes, with_blocks, _io, _parent=None, _root=None):
            super(QemuMigration.RamRecord, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self.page_size = page_size
            self.ignore_shared = ignore_shared
            self.mapped_ram = mapped_ram
            self.postcopy_page_sizes = postcopy_page_sizes
            self.with_blocks = with_blocks
            self._read()

        def _read(self):
            self.addr_hi = self._io.read_u4be()
            self.addr_lo = self._io.read_u4be()
            if  ((self.is_mem_size) and (self.mem_size_4k > 0) and (self.with_blocks)) :
                pass
                self.blocks = []
                i = 0
                while True:
                    _ = QemuMigration.RamBlockEntry(self.ignore_shared, self.mapped_ram, self.postcopy_page_sizes, True, (0 if i == 0 else self.blocks[i - 1].total_4k_after), self._io, self, self._root)
                    self.blocks.append(_)
                    if _.total_4k_after >= self.mem_size_4k:
                        break
                    i += 1

            if self.has_block_name:
                pass
                self.len_block_name = self._io.read_u1()

            if self.has_block_name:
                pass
                self.block_name = (self._io.read_bytes(self.len_block_name)).decode(u"ASCII")

            if self.is_zero:
                pass
                self.fill_byte = self._io.read_u1()

            if self.is_page:
                pass
                self.page_data = self._io.read_bytes(self.page_size)

            if self.is_xbzrle:
                pass
                self.xbzrle = QemuMigration.RamXbzrle(self._io, self, self._root)

            if self.is_compress_page:
                pass
                self.compressed = QemuMigration.RamCompressedPage(self.page_size, self._io, self, self._root)



        def _fetch_instances(self):
            pass
            if  ((self.is_mem_size) and (self.mem_size_4k > 0) and (self.with_blocks)) :
                pass
                for i in range(len(self.blocks)):
                    pass
                    self.blocks[i]._fetch_instances()


            if self.has_block_name:
                pass

            if self.has_block_name:
                pass

            if self.is_zero:
                pass

            if self.is_page:
                pass

            if self.is_xbzrle:
                pass
                self.xbzrle._fetch_instances()

            if self.is_compress_page:
                pass
                self.compressed._fetch_instances()


        @property
        def flags(self):
            if hasattr(self, '_m_flags'):
                return self._m_flags

            self._m_flags = self.addr_lo & self.page_mask
            return getattr(self, '_m_flags', None)

        @property
        def has_block_name(self):
            if hasattr(self, '_m_has_block_name'):
                return self._m_has_block_name

            self._m_has_block_name =  (((not (self.is_continue))) and ( ((self.is_zero) or (self.is_page) or (self.is_xbzrle) or (self.is_compress_page)) )) 
            return getattr(self, '_m_has_block_name', None)

        @property
        def has_valid_flags(self):
            """Exactly one RAM_SAVE_FLAG_* besides CONTINUE, as ram.c
            ram_load_precopy requires. When false nothing more is read and
            the RAM payload ends here: the stream is corrupt.
            """
            if hasattr(self, '_m_has_valid_flags'):
                return self._m_has_valid_flags

            self._m_has_valid_flags =  ((self.kind_flags != 0) and (self.kind_flags & self.kind_flags_less_1 == 0)) 
            return getattr(self, '_m_has_valid_flags', None)

        @property
        def is_compress_page(self):
            if hasattr(self, '_m_is_compress_page'):
                return self._m_is_compress_page

            self._m_is_compress_page =  ((self.has_valid_flags) and (self.page_size > 256) and (self.flags & int(QemuMigration.RamSaveFlag.compress_page) != 0)) 
            return getattr(self, '_m_is_compress_page', None)

        @property
        def is_continue(self):
            if hasattr(self, '_m_is_continue'):
                return self._m_is_continue

            self._m_is_continue = self.flags & int(QemuMigration.RamSaveFlag.continued) != 0
            return getattr(self, '_m_is_continue', None)

        @property
        def is_eos(self):
            if hasattr(self, '_m_is_eos'):
                return self._m_is_eos

            self._m_is_eos =  ((self.has_valid_flags) and (self.flags & int(QemuMigration.RamSaveFlag.eos) != 0)) 
            return getattr(self, '_m_is_eos', None)

        @property
        def is_hook(self):
            """RAM_SAVE_FLAG_HOOK (RDMA); nothing follows in the stream itself."""
            if hasattr(self, '_m_is_hook'):
                return self._m_is_hook

            self._m_is_hook =  ((self.has_valid_flags) and (self.flags & int(QemuMigration.RamSaveFlag.hook) != 0)) 
            return getattr(self, '_m_is_hook', None)

        @property
        def is_mem_size(self):
            if hasattr(self, '_m_is_mem_size'):
                return self._m_is_mem_size

            self._m_is_mem_size =  ((self.has_valid_flags) and (self.flags & int(QemuMigration.RamSaveFlag.mem_size) != 0)) 
            return getattr(self, '_m_is_mem_size', None)

        @property
        def is_multifd_flush(self):
            if hasattr(self, '_m_is_multifd_flush'):
                return self._m_is_multifd_flush

            self._m_is_multifd_flush =  ((self.has_valid_flags) and (self.page_size > 512) and (self.flags & int(QemuMigration.RamSaveFlag.multifd_flush) != 0)) 
            return getattr(self, '_m_is_multifd_flush', None)

        @property
        def is_page(self):
            if hasattr(self, '_m_is_page'):
                return self._m_is_page

            self._m_is_page =  ((self.has_valid_flags) and (self.flags & int(QemuMigration.RamSaveFlag.page) != 0)) 
            return getattr(self, '_m_is_page', None)

        @property
        def is_xbzrle(self):
            if hasattr(self, '_m_is_xbzrle'):
                return self._m_is_xbzrle

            self._m_is_xbzrle =  ((self.has_valid_flags) and (self.flags & int(QemuMigration.RamSaveFlag.xbzrle) != 0)) 
            return getattr(self, '_m_is_xbzrle', None)

        @property
        def is_zero(self):
            if hasattr(self, '_m_is_zero'):
                return self._m_is_zero

            self._m_is_zero =  ((self.has_valid_flags) and (self.flags & int(QemuMigration.RamSaveFlag.zero) != 0)) 
            return getattr(self, '_m_is_zero', None)

        @property
        def kind_flags(self):
            """The flags less CONTINUE."""
            if hasattr(self, '_m_kind_flags'):
                return self._m_kind_flags

            self._m_kind_flags = self.flags & self.known_kinds
            return getattr(self, '_m_kind_flags', None)

        @property
        def kind_flags_less_1(self):
            """(Named so that no generated code mixes - and & without parentheses.)."""
            if hasattr(self, '_m_kind_flags_less_1'):
                return self._m_kind_flags_less_1

            self._m_kind_flags_less_1 = self.kind_flags - 1
            return getattr(self, '_m_kind_flags_less_1', None)

        @property
        def known_kinds(self):
            """Every RAM_SAVE_FLAG_* but CONTINUE."""
            if hasattr(self, '_m_known_kinds'):
                return self._m_known_kinds

            self._m_known_kinds = (((((((int(QemuMigration.RamSaveFlag.full) | int(QemuMigration.RamSaveFlag.zero)) | int(QemuMigration.RamSaveFlag.mem_size)) | int(QemuMigration.RamSaveFlag.page)) | int(QemuMigration.RamSaveFlag.eos)) | int(QemuMigration.RamSaveFlag.xbzrle)) | int(QemuMigration.RamSaveFlag.hook)) | int(QemuMigration.RamSaveFlag.compress_page)) | int(QemuMigration.RamSaveFlag.multifd_flush)
            return getattr(self, '_m_known_kinds', None)

        @property
        def mem_size_4k(self):
            """MEM_SIZE total in 4 KiB units (RAM block lengths are host-page
            aligned). Multiplied, not shifted, and cast: a 64-bit integer in
            every target (a shift is 32-bit in JavaScript; C++ and Java would
            type the sum as a 32-bit int).
            """
            if hasattr(self, '_m_mem_size_4k'):
                return self._m_mem_size_4k

            self._m_mem_size_4k = (self.addr_hi * 1048576 + ((self.addr_lo >> 12) - (self.flags >> 12)))
            return getattr(self, '_m_mem_size_4k', None)

        @property
        def page_mask(self):
            if hasattr(self, '_m_page_mask'):
                return self._m_page_mask

            self._m_page_mask = self.page_size - 1
            return getattr(self, '_m_page_mask', None)


    class RamXbzrle(KaitaiStruct):
        """RAM_SAVE_FLAG_XBZRLE: a delta against the previous content of the
        page (migration/xbzrle.c: repeated ULEB128 zero-run length, ULEB128
        literal length, literal bytes).
        
        .. seealso::
           load_xbzrle - https://github.com/qemu/qemu/blob/v10.0.0/migration/ram.c
        """
        def __init__(self, _io, _parent=None, _root=None):
            super(QemuMigration.RamXbzrle, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            self.encoding = self._io.read_u1()
            if not self.encoding == 1:
                raise kaitaistruct.ValidationNotEqualError(1, self.encoding, self._io, u"/types/ram_xbzrle/seq/0")
            self.len_data = self._io.read_u2be()
            self.data = self._io.read_bytes(self.len_data)


        def _fetch_instances(self):
            pass


    class Record(KaitaiStruct):
        """One record of the top-level stream: its head and, for sections, the
        payload, framed by the payload format the section's name (START,
        FULL) or its id (PART, END: see `live_sections`) gives.
        """
        def __init__(self, live, page_size, ignore_shared, mapped_ram, _io, _parent=None, _root=None):
            super(QemuMigration.Record, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self.live = live
            self.page_size = page_size
            self.ignore_shared = ignore_shared
            self.mapped_ram = mapped_ram
            self._read()

        def _read(self):
            self.head = QemuMigration.RecordHead(self._io, self, self._root)
            if self.head.is_section:
                pass
                _on = self.payload_format
                if _on == QemuMigration.SectionFormat.block:
                    pass
                    self.payload = QemuMigration.BlockPayload(self._io, self, self._root)
                elif _on == QemuMigration.SectionFormat.device:
                    pass
                    self.payload = QemuMigration.DevicePayload(self.head.section_id, self._io, self, self._root)
                elif _on == QemuMigration.SectionFormat.dirty_bitmap:
                    pass
                    self.payload = QemuMigration.DirtyBitmapPayload(self._io, self, self._root)
                elif _on == QemuMigration.SectionFormat.htab:
                    pass
                    self.payload = QemuMigration.HtabPayload(self._io, self, self._root)
                elif _on == QemuMigration.SectionFormat.ram:
                    pass
                    self.payload = QemuMigration.RamPayload(self.page_size, self.ignore_shared, self.mapped_ram, False, self._io, self, self._root)
                elif _on == QemuMigration.SectionFormat.skeys:
                    pass
                    self.payload = QemuMigration.SkeysPayload(self._io, self, self._root)
                elif _on == QemuMigration.SectionFormat.stattrib:
                    pass
                    self.payload = QemuMigration.StattribPayload(self._io, self, self._root)
                elif _on == QemuMigration.SectionFormat.vfio:
                    pass
                    self.payload = QemuMigration.VfioPayload(self._io, self, self._root)

            if  ((self.head.is_command) and (self.head.command.command_type == QemuMigration.CommandType.packaged)) :
                pass
                self._raw_packaged = self._io.read_bytes(self.head.command.packaged_len)
                _io__raw_packaged = KaitaiStream(BytesIO(self._raw_packaged))
                self.packaged = QemuMigration.PackagedRecords(self.live_after, self.page_size, self.ignore_shared, self.mapped_ram, _io__raw_packaged, self, self._root)



        def _fetch_instances(self):
            pass
            self.head._fetch_instances()
            if self.head.is_section:
                pass
                _on = self.payload_format
                if _on == QemuMigration.SectionFormat.block:
                    pass
                    self.payload._fetch_instances()
                elif _on == QemuMigration.SectionFormat.device:
                    pass
                    self.payload._fetch_instances()
                elif _on == QemuMigration.SectionFormat.dirty_bitmap:
                    pass
                    self.payload._fetch_instances()
                elif _on == QemuMigration.SectionFormat.htab:
                    pass
                    self.payload._fetch_instances()
                elif _on == QemuMigration.SectionFormat.ram:
                    pass
                    self.payload._fetch_instances()
                elif _on == QemuMigration.SectionFormat.skeys:
                    pass
                    self.payload._fetch_instances()
                elif _on == QemuMigration.SectionFormat.stattrib:
                    pass
                    self.payload._fetch_instances()
                elif _on == QemuMigration.SectionFormat.vfio:
                    pass
                    self.payload._fetch_instances()

            if  ((self.head.is_command) and (self.head.command.command_type == QemuMigration.CommandType.packaged)) :
                pass
                self.packaged._fetch_instances()

            _ = self.live_after
            if hasattr(self, '_m_live_after'):
                pass
                self._m_live_after._fetch_instances()


        @property
        def is_last(self):
            """EOF ends the record list; so does an unknown record type (corrupt input), which cannot be framed further."""
            if hasattr(self, '_m_is_last'):
                return self._m_is_last

            self._m_is_last =  ((self.head.record_type == QemuMigration.RecordType.eof) or ((not (self.head.is_known)))) 
            return getattr(self, '_m_is_last', None)

        @property
        def live_after(self):
            """The live sections started up to this record, for the next one."""
            if hasattr(self, '_m_live_after'):
                return self._m_live_after

            _pos = self._io.pos()
            self._io.seek(0)
            self._raw__m_live_after = self._io.read_bytes(0)
            _io__raw__m_live_after = KaitaiStream(BytesIO(self._raw__m_live_after))
            self._m_live_after = QemuMigration.LiveSections((self.head.section_id if  ((self.head.is_named) and (self.named_format == QemuMigration.SectionFormat.ram))  else self.live.ram), (self.head.section_id if  ((self.head.is_named) and (self.named_format == QemuMigration.SectionFormat.block))  else self.live.block), (self.head.section_id if  ((self.head.is_named) and (self.named_format == QemuMigration.SectionFormat.dirty_bitmap))  else self.live.dirty_bitmap), (self.head.section_id if  ((self.head.is_named) and (self.named_format == QemuMigration.SectionFormat.htab))  else self.live.htab), (self.head.section_id if  ((self.head.is_named) and (self.named_format == QemuMigration.SectionFormat.stattrib))  else self.live.stattrib), (self.head.section_id if  ((self.head.is_named) and (self.named_format == QemuMigration.SectionFormat.vfio))  else self.live.vfio), _io__raw__m_live_after, self, self._root)
            self._io.seek(_pos)
            return getattr(self, '_m_live_after', None)

        @property
        def named_format(self):
            """The payload format a START or FULL section's name gives (a FULL vfio section is a device payload)."""
            if hasattr(self, '_m_named_format'):
                return self._m_named_format

            if self.head.is_named:
                pass
                self._m_named_format = (QemuMigration.SectionFormat.ram if self.head.section.name == u"ram" else (QemuMigration.SectionFormat.block if self.head.section.name == u"block" else (QemuMigration.SectionFormat.dirty_bitmap if self.head.section.name == u"dirty-bitmap" else (QemuMigration.SectionFormat.htab if self.head.section.name == u"spapr/htab" else (QemuMigration.SectionFormat.stattrib if self.head.section.name == u"s390-storage_attributes" else (QemuMigration.SectionFormat.skeys if self.head.section.name == u"s390-skeys" else (QemuMigration.SectionFormat.vfio if  ((self.head.record_type == QemuMigration.RecordType.section_start) and (len(self.head.section.name) >= 5) and (self.head.section.name[len(self.head.section.name) - 5:len(self.head.section.name)] == u"/vfio"))  else QemuMigration.SectionFormat.device)))))))

            return getattr(self, '_m_named_format', None)

        @property
        def part_format(self):
            """The payload format of a PART or END section, by its id."""
            if hasattr(self, '_m_part_format'):
                return self._m_part_format

            if  ((self.head.is_section) and ((not (self.head.is_named)))) :
                pass
                self._m_part_format = (QemuMigration.SectionFormat.ram if self.head.section_id == self.live.ram else (QemuMigration.SectionFormat.block if self.head.section_id == self.live.block else (QemuMigration.SectionFormat.dirty_bitmap if self.head.section_id == self.live.dirty_bitmap else (QemuMigration.SectionFormat.htab if self.head.section_id == self.live.htab else (QemuMigration.SectionFormat.stattrib if self.head.section_id == self.live.stattrib else (QemuMigration.SectionFormat.vfio if self.head.section_id == self.live.vfio else QemuMigration.SectionFormat.device))))))

            return getattr(self, '_m_part_format', None)

        @property
        def payload_format(self):
            if hasattr(self, '_m_payload_format'):
                return self._m_payload_format

            if self.head.is_section:
                pass
                self._m_payload_format = (self.named_format if self.head.is_named else self.part_format)

            return getattr(self, '_m_payload_format', None)

        @property
        def section_name(self):
            if hasattr(self, '_m_section_name'):
                return self._m_section_name

            if self.head.is_named:
                pass
                self._m_section_name = self.head.section.name

            return getattr(self, '_m_section_name', None)


    class RecordHead(KaitaiStruct):
        """The type byte and everything up to a section's payload: the section
        header (START/FULL: id, name, instance, version; PART/END: id), a
        footer, a command (with its own payload, but not PACKAGED's nested
        bytes) or the configuration record. Parses on its own at any record
        boundary.
        
        .. seealso::
           qemu_loadvm_state_main - https://github.com/qemu/qemu/blob/v10.0.0/migration/savevm.c
        """
        def __init__(self, _io, _parent=None, _root=None):
            super(QemuMigration.RecordHead, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            self.record_type = KaitaiStream.resolve_enum(QemuMigration.RecordType, self._io.read_u1())
            if self.is_named:
                pass
                self.section = QemuMigration.SectionHeader(self._io, self, self._root)

            if  ((self.record_type == QemuMigration.RecordType.section_part) or (self.record_type == QemuMigration.RecordType.section_end)) :
                pass
                self.part_section_id = self._io.read_u4be()

            if self.record_type == QemuMigration.RecordType.section_footer:
                pass
                self.footer = QemuMigration.SectionFooter(self._io, self, self._root)

            if self.record_type == QemuMigration.RecordType.configuration:
                pass
                self.configuration = QemuMigration.Configuration(self._io, self, self._root)

            if self.record_type == QemuMigration.RecordType.command:
                pass
                self.command = QemuMigration.Command(self._io, self, self._root)



        def _fetch_instances(self):
            pass
            if self.is_named:
                pass
                self.section._fetch_instances()

            if  ((self.record_type == QemuMigration.RecordType.section_part) or (self.record_type == QemuMigration.RecordType.section_end)) :
                pass

            if self.record_type == QemuMigration.RecordType.section_footer:
                pass
                self.footer._fetch_instances()

            if self.record_type == QemuMigration.RecordType.configuration:
                pass
                self.configuration._fetch_instances()

            if self.record_type == QemuMigration.RecordType.command:
                pass
                self.command._fetch_instances()


        @property
        def is_command(self):
            if hasattr(self, '_m_is_command'):
                return self._m_is_command

            self._m_is_command = self.record_type == QemuMigration.RecordType.command
            return getattr(self, '_m_is_command', None)

        @property
        def is_known(self):
            """False for SUBSECTION (0x05) and VMDESCRIPTION (0x06), which never start a record, and for anything unknown."""
            if hasattr(self, '_m_is_known'):
                return self._m_is_known

            self._m_is_known =  ((self.is_section) or (self.record_type == QemuMigration.RecordType.eof) or (self.record_type == QemuMigration.RecordType.configuration) or (self.record_type == QemuMigration.RecordType.command) or (self.record_type == QemuMigration.RecordType.section_footer)) 
            return getattr(self, '_m_is_known', None)

        @property
        def is_named(self):
            if hasattr(self, '_m_is_named'):
                return self._m_is_named

            self._m_is_named =  ((self.record_type == QemuMigration.RecordType.section_start) or (self.record_type == QemuMigration.RecordType.section_full)) 
            return getattr(self, '_m_is_named', None)

        @property
        def is_section(self):
            if hasattr(self, '_m_is_section'):
                return self._m_is_section

            self._m_is_section =  ((self.record_type == QemuMigration.RecordType.section_start) or (self.record_type == QemuMigration.RecordType.section_part) or (self.record_type == QemuMigration.RecordType.section_end) or (self.record_type == QemuMigration.RecordType.section_full)) 
            return getattr(self, '_m_is_section', None)

        @property
        def record_type_raw(self):
            """The type byte as a number (also when it is not a known record type)."""
            if hasattr(self, '_m_record_type_raw'):
                return self._m_record_type_raw

            self._m_record_type_raw = int(self.record_type)
            return getattr(self, '_m_record_type_raw', None)

        @property
        def section_id(self):
            if hasattr(self, '_m_section_id'):
                return self._m_section_id

            self._m_section_id = (self.section.section_id if self.is_named else (self.part_section_id if  ((self.record_type == QemuMigration.RecordType.section_part) or (self.record_type == QemuMigration.RecordType.section_end))  else (self.footer.section_id if self.record_type == QemuMigration.RecordType.section_footer else 0)))
            return getattr(self, '_m_section_id', None)


    class SectionFooter(KaitaiStruct):
        """QEMU_VM_SECTION_FOOTER after each section payload (since QEMU 2.4); the id repeats the section's.
        
        .. seealso::
           save_section_footer - https://github.com/qemu/qemu/blob/v10.0.0/migration/savevm.c
        """
        def __init__(self, _io, _parent=None, _root=None):
            super(QemuMigration.SectionFooter, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            self.section_id = self._io.read_u4be()


        def _fetch_instances(self):
            pass


    class SectionHeader(KaitaiStruct):
        """Header of SECTION_START and SECTION_FULL.
        
        .. seealso::
           save_section_header - https://github.com/qemu/qemu/blob/v10.0.0/migration/savevm.c
        """
        def __init__(self, _io, _parent=None, _root=None):
            super(QemuMigration.SectionHeader, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            self.section_id = self._io.read_u4be()
            self.len_name = self._io.read_u1()
            self.name = (self._io.read_bytes(self.len_name)).decode(u"ASCII")
            self.instance_id = self._io.read_u4be()
            self.version_id = self._io.read_u4be()


        def _fetch_instances(self):
            pass


    class SkeysPayload(KaitaiStruct):
        """Payload of `s390-skeys` (hw/s390x/s390-skeys.c s390_storage_keys_save):
        one record per guest memory range, then EOS (or ERROR).
        
        .. seealso::
           s390_storage_keys_load - https://github.com/qemu/qemu/blob/v10.0.0/hw/s390x/s390-skeys.c
        """
        def __init__(self, _io, _parent=None, _root=None):
            super(QemuMigration.SkeysPayload, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            self.skeys_records = []
            i = 0
            while True:
                _ = QemuMigration.SkeysRecord(self._io, self, self._root)
                self.skeys_records.append(_)
                if  ((_.is_eos) or (_.is_error)) :
                    break
                i += 1


        def _fetch_instances(self):
            pass
            for i in range(len(self.skeys_records)):
                pass
                self.skeys_records[i]._fetch_instances()



    class SkeysRecord(KaitaiStruct):
        def __init__(self, _io, _parent=None, _root=None):
            super(QemuMigration.SkeysRecord, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            self.addr_hi = self._io.read_u4be()
            self.addr_lo = self._io.read_u4be()
            if self.is_skeys:
                pass
                self.num_keys = self._io.read_u8be()

            if self.is_skeys:
                pass
                self.keys = self._io.read_bytes(self.num_keys)



        def _fetch_instances(self):
            pass
            if self.is_skeys:
                pass

            if self.is_skeys:
                pass


        @property
        def flags(self):
            if hasattr(self, '_m_flags'):
                return self._m_flags

            self._m_flags = self.addr_lo & 4095
            return getattr(self, '_m_flags', None)

        @property
        def is_eos(self):
            if hasattr(self, '_m_is_eos'):
                return self._m_is_eos

            self._m_is_eos = self.flags & int(QemuMigration.SkeysFlag.eos) != 0
            return getattr(self, '_m_is_eos', None)

        @property
        def is_error(self):
            if hasattr(self, '_m_is_error'):
                return self._m_is_error

            self._m_is_error = self.flags & int(QemuMigration.SkeysFlag.error) != 0
            return getattr(self, '_m_is_error', None)

        @property
        def is_skeys(self):
            if hasattr(self, '_m_is_skeys'):
                return self._m_is_skeys

            self._m_is_skeys = self.flags & int(QemuMigration.SkeysFlag.skeys) != 0
            return getattr(self, '_m_is_skeys', None)


    class StattribPayload(KaitaiStruct):
        """Payload of `s390-storage_attributes` (hw/s390x/s390-stattrib.c
        cmma_save, cmma_load): records up to the one with EOS.
        
        .. seealso::
           cmma_load - https://github.com/qemu/qemu/blob/v10.0.0/hw/s390x/s390-stattrib.c
        """
        def __init__(self, _io, _parent=None, _root=None):
            super(QemuMigration.StattribPayload, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            self.stattrib_records = []
            i = 0
            while True:
                _ = QemuMigration.StattribRecord(self._io, self, self._root)
                self.stattrib_records.append(_)
                if  ((_.is_eos) or (_.is_error)) :
                    break
                i += 1


        def _fetch_instances(self):
            pass
            for i in range(len(self.stattrib_records)):
                pass
                self.stattrib_records[i]._fetch_instances()



    class StattribRecord(KaitaiStruct):
        """be64 word of a guest address (page aligned) with flags in its low 12 bits."""
        def __init__(self, _io, _parent=None, _root=None):
            super(QemuMigration.StattribRecord, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            self.addr_hi = self._io.read_u4be()
            self.addr_lo = self._io.read_u4be()
            if self.is_more:
                pass
                self.num_attributes = self._io.read_u8be()

            if self.is_more:
                pass
                self.attributes = self._io.read_bytes(self.num_attributes)



        def _fetch_instances(self):
            pass
            if self.is_more:
                pass

            if self.is_more:
                pass


        @property
        def flags(self):
            if hasattr(self, '_m_flags'):
                return self._m_flags

            self._m_flags = self.addr_lo & 4095
            return getattr(self, '_m_flags', None)

        @property
        def is_done(self):
            if hasattr(self, '_m_is_done'):
                return self._m_is_done

            self._m_is_done = self.flags & int(QemuMigration.StattribFlag.done) != 0
            return getattr(self, '_m_is_done', None)

        @property
        def is_eos(self):
            if hasattr(self, '_m_is_eos'):
                return self._m_is_eos

            self._m_is_eos = self.flags & int(QemuMigration.StattribFlag.eos) != 0
            return getattr(self, '_m_is_eos', None)

        @property
        def is_error(self):
            if hasattr(self, '_m_is_error'):
                return self._m_is_error

            self._m_is_error = self.flags & int(QemuMigration.StattribFlag.error) != 0
            return getattr(self, '_m_is_error', None)

        @property
        def is_more(self):
            if hasattr(self, '_m_is_more'):
                return self._m_is_more

            self._m_is_more = self.flags & int(QemuMigration.StattribFlag.more) != 0
            return getattr(self, '_m_is_more', None)


    class VfioPayload(KaitaiStruct):
        """START/PART/END payload of a `<device path>/vfio` section
        (hw/vfio/migration.c): be64 markers 0xFFFFFFFFEF10000n and device
        data blocks, ended by END_OF_STATE or by INIT_DATA_SENT. The FULL
        vfio section carries the device config as an inline VMSD and is
        treated as a device payload.
        
        .. seealso::
           vfio_load_state - https://github.com/qemu/qemu/blob/v10.0.0/hw/vfio/migration.c
        """
        def __init__(self, _io, _parent=None, _root=None):
            super(QemuMigration.VfioPayload, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            self.vfio_records = []
            i = 0
            while True:
                _ = QemuMigration.VfioRecord(self._io, self, self._root)
                self.vfio_records.append(_)
                if  ((_.code == QemuMigration.VfioMigFlag.end_of_state) or (_.code == QemuMigration.VfioMigFlag.dev_init_data_sent)) :
                    break
                i += 1


        def _fetch_instances(self):
            pass
            for i in range(len(self.vfio_records)):
                pass
                self.vfio_records[i]._fetch_instances()



    class VfioRecord(KaitaiStruct):
        def __init__(self, _io, _parent=None, _root=None):
            super(QemuMigration.VfioRecord, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            self.marker_prefix = self._io.read_bytes(6)
            if not self.marker_prefix == b"\xFF\xFF\xFF\xFF\xEF\x10":
                raise kaitaistruct.ValidationNotEqualError(b"\xFF\xFF\xFF\xFF\xEF\x10", self.marker_prefix, self._io, u"/types/vfio_record/seq/0")
            self.code = KaitaiStream.resolve_enum(QemuMigration.VfioMigFlag, self._io.read_u2be())
            if self.code == QemuMigration.VfioMigFlag.dev_data_state:
                pass
                self.len_data = self._io.read_u8be()

            if self.code == QemuMigration.VfioMigFlag.dev_data_state:
                pass
                self.data = self._io.read_bytes(self.len_data)



        def _fetch_instances(self):
            pass
            if self.code == QemuMigration.VfioMigFlag.dev_data_state:
                pass

            if self.code == QemuMigration.VfioMigFlag.dev_data_state:
                pass



    class Vmdescription(KaitaiStruct):
        """QEMU_VM_VMDESCRIPTION after the EOF record: be32 length and that
        many bytes of JSON (no NUL) describing the FULL sections' fields.
        
        .. seealso::
           qemu_savevm_state_complete_precopy_non_iterable - https://github.com/qemu/qemu/blob/v10.0.0/migration/savevm.c
        """
        def __init__(self, _io, _parent=None, _root=None):
            super(QemuMigration.Vmdescription, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            self.head = QemuMigration.VmdescriptionHead(self._io, self, self._root)
            self.json = (self._io.read_bytes(self.head.len_json)).decode(u"UTF-8")


        def _fetch_instances(self):
            pass
            self.head._fetch_instances()

        @property
        def len_json(self):
            if hasattr(self, '_m_len_json'):
                return self._m_len_json

            self._m_len_json = self.head.len_json
            return getattr(self, '_m_len_json', None)


    class VmdescriptionHead(KaitaiStruct):
        """The marker and length of the VMDESCRIPTION record (savevm.c
        qemu_savevm_state_complete_precopy), for a reader that checks the
        length against the file before it reads the JSON.
        """
        def __init__(self, _io, _parent=None, _root=None):
            super(QemuMigration.VmdescriptionHead, self).__init__(_io)
            self._parent = _parent
            self._root = _root
            self._read()

        def _read(self):
            self.marker = self._io.read_bytes(1)
            if not self.marker == b"\x06":
                raise kaitaistruct.ValidationNotEqualError(b"\x06", self.marker, self._io, u"/types/vmdescription_head/seq/0")
            self.len_json = self._io.read_u4be()


        def _fetch_instances(self):
            pass


    @property
    def configuration(self):
        """The configuration record (first after the header since QEMU 2.4)."""
        if hasattr(self, '_m_configuration'):
            return self._m_configuration

        if self.first_record_type == QemuMigration.RecordType.configuration:
            pass
            _pos = self._io.pos()
            self._io.seek(self.ofs_header + 9)
            self._m_configuration = QemuMigration.Configuration(self._io, self, self._root)
            self._io.seek(_pos)

        return getattr(self, '_m_configuration', None)

    @property
    def first_record_type(self):
        if hasattr(self, '_m_first_record_type'):
            return self._m_first_record_type

        if self._io.size() > self.ofs_header + 8:
            pass
            _pos = self._io.pos()
            self._io.seek(self.ofs_header + 8)
            self._m_first_record_type = KaitaiStream.resolve_enum(QemuMigration.RecordType, self._io.read_u1())
            self._io.seek(_pos)

        return getattr(self, '_m_first_record_type', None)

    @property
    def has_configuration(self):
        if hasattr(self, '_m_has_configuration'):
            return self._m_has_configuration

        self._m_has_configuration =  ((self._io.size() > self.ofs_header + 8) and (self.first_record_type == QemuMigration.RecordType.configuration)) 
        return getattr(self, '_m_has_configuration', None)

    @property
    def ignore_shared(self):
        """Capability x-ignore-shared, as the configuration announces it."""
        if hasattr(self, '_m_ignore_shared'):
            return self._m_ignore_shared

        self._m_ignore_shared =  ((self.has_configuration) and (self.configuration.has_x_ignore_shared)) 
        return getattr(self, '_m_ignore_shared', None)

    @property
    def leading_window(self):
        """The first 16 MiB up to its first 0x51 ("Q"). Read with a size and cut
        in memory, not scanned for: a scan of the stream that finds no 0x51
        would end in an error about the terminator (and the stock C++
        runtime's throws at the end of any stream), where a file that is
        not a migration stream should fail on the magic.
        """
        if hasattr(self, '_m_leading_window'):
            return self._m_leading_window

        _pos = self._io.pos()
        self._io.seek(0)
        self._m_leading_window = KaitaiStream.bytes_terminate(self._io.read_bytes((self._io.size() if self._io.size() < 16777216 else 16777216)), 81, False)
        self._io.seek(_pos)
        return getattr(self, '_m_leading_window', None)

    @property
    def mapped_ram(self):
        """Capability mapped-ram, as the configuration announces it."""
        if hasattr(self, '_m_mapped_ram'):
            return self._m_mapped_ram

        self._m_mapped_ram =  ((self.has_configuration) and (self.configuration.has_mapped_ram)) 
        return getattr(self, '_m_mapped_ram', None)

    @property
    def no_live_sections(self):
        """What the first record starts from."""
        if hasattr(self, '_m_no_live_sections'):
            return self._m_no_live_sections

        _pos = self._io.pos()
        self._io.seek(0)
        self._raw__m_no_live_sections = self._io.read_bytes(0)
        _io__raw__m_no_live_sections = KaitaiStream(BytesIO(self._raw__m_no_live_sections))
        self._m_no_live_sections = QemuMigration.LiveSections(4294967296, 4294967296, 4294967296, 4294967296, 4294967296, 4294967296, _io__raw__m_no_live_sections, self, self._root)
        self._io.seek(_pos)
        return getattr(self, '_m_no_live_sections', None)

    @property
    def ofs_header(self):
        """Where the header starts; 0 when the first 16 MiB hold no "Q" (the magic check then fails there)."""
        if hasattr(self, '_m_ofs_header'):
            return self._m_ofs_header

        self._m_ofs_header = (len(self.leading_window) if len(self.leading_window) < (self._io.size() if self._io.size() < 16777216 else 16777216) else 0)
        return getattr(self, '_m_ofs_header', None)

    @property
    def page_size(self):
        """Target page size, which RAM records need to split their address
        word into address and flags. Taken from, in this order:
        1. the configuration's `target-page-bits` subsection (targets whose
           page size can vary, e.g. arm/aarch64 `virt`, when it is above
           the minimum);
        2. the configuration's machine name, for machines whose target has a
           fixed page size other than 4 KiB or runs at its minimum page
           bits (see `configuration.page_size_by_machine`);
        3. otherwise 4096.
        Still wrong for: streams with no configuration record (QEMU < 2.4
        or `send-configuration=off`) of targets whose page size is not
        4 KiB; arm machines not in the known list running at 1 KiB pages;
        alpha, or1k, hppa and other 8 KiB-page targets whose machine name is
        not in the list (e.g. or1k `virt`); and loongarch, ppc 4xx/e500
        or mips configurations built with other than 4 KiB pages. For
        those, a reader that knows the page size (the JSON description's
        `page_size`) must parse the RAM records itself.
        """
        if hasattr(self, '_m_page_size'):
            return self._m_page_size

        self._m_page_size = (1 << self.configuration.target_page_bits if  ((self.has_configuration) and (self.configuration.target_page_bits != 0))  else (self.configuration.page_size_by_machine if  ((self.has_configuration) and (self.configuration.page_size_by_machine != 0))  else 4096))
        return getattr(self, '_m_page_size', None)


