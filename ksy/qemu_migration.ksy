meta:
  id: qemu_migration
  title: QEMU migration stream (QEVM, file version 3)
  application: QEMU (migrate, savevm, libvirt save images)
  file-extension: mig
  license: MIT
  ks-version: '0.11'
  endian: be
doc: |
  The outer framing of the VM state stream that QEMU writes for
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
doc-ref:
  - https://github.com/qemu/qemu/blob/v10.0.0/migration/savevm.c
  - https://github.com/qemu/qemu/blob/v10.0.0/migration/ram.c
  - https://github.com/qemu/qemu/blob/v10.0.0/migration/vmstate.c
  - https://github.com/qemu/qemu/blob/v10.0.0/docs/devel/migration/mapped-ram.rst
seq:
  - id: leading_bytes
    size: ofs_header
    doc: |
      Bytes before the stream, normally none. `migrate file:PATH,offset=N`
      writes the stream N bytes into the file (what is before is left as
      it was: zeros in a new file). Up to the first "Q" of the magic, so
      this finds the stream when those bytes contain no 0x51 and are
      fewer than 16 MiB (see `leading_window`).
  - id: header
    type: file_header
  - id: records
    type: 'record(_index == 0 ? no_live_sections : records[_index - 1].live_after, page_size, ignore_shared, mapped_ram)'
    repeat: until
    repeat-until: _.is_last or _io.eof
  - id: vmdescription
    type: vmdescription
    if: records.last.head.record_type == record_type::eof and _io.size - _io.pos >= 5
    doc: |
      Absent in postcopy streams, with `suppress-vmdesc` (pc-i440fx-2.2
      and older, xenfv) and in COLO / xen-save-devices-state streams.
      Anything may follow it in a file (padding, a container).
instances:
  no_live_sections:
    pos: 0
    size: 0
    type: live_sections(4294967296, 4294967296, 4294967296, 4294967296, 4294967296, 4294967296)
    doc: What the first record starts from.
  leading_window:
    pos: 0
    size: '_io.size < 16777216 ? _io.size : 16777216'
    terminator: 0x51
    include: false
    doc: |
      The first 16 MiB up to its first 0x51 ("Q"). Read with a size and cut
      in memory, not scanned for: a scan of the stream that finds no 0x51
      would end in an error about the terminator (and the stock C++
      runtime's throws at the end of any stream), where a file that is
      not a migration stream should fail on the magic.
  ofs_header:
    value: >-
      (leading_window.size < (_io.size < 16777216 ? _io.size : 16777216)
      ? leading_window.size : 0).as<u8>
    doc: Where the header starts; 0 when the first 16 MiB hold no "Q" (the magic check then fails there).
  first_record_type:
    pos: ofs_header + 8
    type: u1
    enum: record_type
    if: _io.size > ofs_header + 8
  configuration:
    pos: ofs_header + 9
    type: configuration
    if: first_record_type == record_type::configuration
    doc: The configuration record (first after the header since QEMU 2.4).
  has_configuration:
    value: _io.size > ofs_header + 8 and first_record_type == record_type::configuration
  page_size:
    value: >-
      has_configuration and configuration.target_page_bits != 0
      ? (1 << configuration.target_page_bits)
      : (has_configuration and configuration.page_size_by_machine != 0
      ? configuration.page_size_by_machine : 4096)
    doc: |
      Target page size, which RAM records need to split their address
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
  ignore_shared:
    value: has_configuration and configuration.has_x_ignore_shared
    doc: Capability x-ignore-shared, as the configuration announces it.
  mapped_ram:
    value: has_configuration and configuration.has_mapped_ram
    doc: Capability mapped-ram, as the configuration announces it.
types:
  file_header:
    doc-ref: https://github.com/qemu/qemu/blob/v10.0.0/migration/savevm.c qemu_savevm_state_header
    seq:
      - id: magic
        contents: QEVM
      - id: version
        type: u4
        enum: file_version
        valid: file_version::current
        doc: |
          QEMU_VM_FILE_VERSION, 3 since QEMU 0.13. Version 2
          (QEMU_VM_FILE_VERSION_COMPAT) is the obsolete pre-0.13 format
          that QEMU itself refuses to load; this grammar rejects it too.
  live_sections:
    doc: |
      The ids of the live sections whose PART/END records carry a payload
      format of their own (a PART/END names its section by id only), as
      of one record: `ram`, `block`, `dirty-bitmap`, `spapr/htab`,
      `s390-storage_attributes`, and the vfio device whose live phase
      started last. 4294967296 (2^32, above every u4 id) where none
      started. It reads nothing (it is built with `size: 0`): each record
      takes the one its predecessor left (`record.live_after`).
    params:
      - id: ram
        type: u8
      - id: block
        type: u8
      - id: dirty_bitmap
        type: u8
      - id: htab
        type: u8
      - id: stattrib
        type: u8
      - id: vfio
        type: u8
  record:
    doc: |
      One record of the top-level stream: its head and, for sections, the
      payload, framed by the payload format the section's name (START,
      FULL) or its id (PART, END: see `live_sections`) gives.
    -webide-representation: '{head}'
    params:
      - id: live
        type: live_sections
        doc: The live sections started before this record.
      - id: page_size
        type: u4
        doc: Target page size (see the top-level `page_size`).
      - id: ignore_shared
        type: bool
        doc: Capability x-ignore-shared.
      - id: mapped_ram
        type: bool
        doc: Capability mapped-ram.
    seq:
      - id: head
        type: record_head
      - id: payload
        type:
          switch-on: payload_format
          cases:
            'section_format::ram': ram_payload(page_size, ignore_shared, mapped_ram, false)
            'section_format::block': block_payload
            'section_format::dirty_bitmap': dirty_bitmap_payload
            'section_format::htab': htab_payload
            'section_format::stattrib': stattrib_payload
            'section_format::skeys': skeys_payload
            'section_format::vfio': vfio_payload
            'section_format::device': device_payload(head.section_id)
        if: head.is_section
      - id: packaged
        size: head.command.packaged_len
        type: packaged_records(live_after, page_size, ignore_shared, mapped_ram)
        if: head.is_command and head.command.command_type == command_type::packaged
        doc: |
          MIG_CMD_PACKAGED: the N bytes that the command announces follow
          it, outside the command's own length: a headerless nested
          stream of records (POSTCOPY_LISTEN, FULL sections, PING,
          POSTCOPY_RUN).
    instances:
      section_name:
        value: head.section.name
        if: head.is_named
      named_format:
        value: >-
          head.section.name == "ram" ? section_format::ram :
          head.section.name == "block" ? section_format::block :
          head.section.name == "dirty-bitmap" ? section_format::dirty_bitmap :
          head.section.name == "spapr/htab" ? section_format::htab :
          head.section.name == "s390-storage_attributes" ? section_format::stattrib :
          head.section.name == "s390-skeys" ? section_format::skeys :
          head.record_type == record_type::section_start and head.section.name.length >= 5
          and head.section.name.substring(head.section.name.length - 5, head.section.name.length) == "/vfio"
          ? section_format::vfio : section_format::device
        if: head.is_named
        doc: The payload format a START or FULL section's name gives (a FULL vfio section is a device payload).
      part_format:
        value: >-
          head.section_id == live.ram ? section_format::ram :
          head.section_id == live.block ? section_format::block :
          head.section_id == live.dirty_bitmap ? section_format::dirty_bitmap :
          head.section_id == live.htab ? section_format::htab :
          head.section_id == live.stattrib ? section_format::stattrib :
          head.section_id == live.vfio ? section_format::vfio : section_format::device
        if: head.is_section and not head.is_named
        doc: The payload format of a PART or END section, by its id.
      payload_format:
        value: 'head.is_named ? named_format : part_format'
        if: head.is_section
      live_after:
        pos: 0
        size: 0
        type: >-
          live_sections(
          head.is_named and named_format == section_format::ram ? head.section_id : live.ram,
          head.is_named and named_format == section_format::block ? head.section_id : live.block,
          head.is_named and named_format == section_format::dirty_bitmap ? head.section_id : live.dirty_bitmap,
          head.is_named and named_format == section_format::htab ? head.section_id : live.htab,
          head.is_named and named_format == section_format::stattrib ? head.section_id : live.stattrib,
          head.is_named and named_format == section_format::vfio ? head.section_id : live.vfio)
        doc: The live sections started up to this record, for the next one.
      is_last:
        value: head.record_type == record_type::eof or not head.is_known
        doc: EOF ends the record list; so does an unknown record type (corrupt input), which cannot be framed further.
  packaged_records:
    params:
      - id: live
        type: live_sections
      - id: page_size
        type: u4
      - id: ignore_shared
        type: bool
      - id: mapped_ram
        type: bool
    seq:
      - id: records
        type: 'record(_index == 0 ? live : records[_index - 1].live_after, page_size, ignore_shared, mapped_ram)'
        repeat: eos
  record_head:
    doc: |
      The type byte and everything up to a section's payload: the section
      header (START/FULL: id, name, instance, version; PART/END: id), a
      footer, a command (with its own payload, but not PACKAGED's nested
      bytes) or the configuration record. Parses on its own at any record
      boundary.
    doc-ref: https://github.com/qemu/qemu/blob/v10.0.0/migration/savevm.c qemu_loadvm_state_main
    -webide-representation: '{record_type} {section}{part_section_id:dec}{footer}{configuration}{command}'
    seq:
      - id: record_type
        type: u1
        enum: record_type
      - id: section
        type: section_header
        if: is_named
      - id: part_section_id
        type: u4
        if: record_type == record_type::section_part or record_type == record_type::section_end
      - id: footer
        type: section_footer
        if: record_type == record_type::section_footer
      - id: configuration
        type: configuration
        if: record_type == record_type::configuration
      - id: command
        type: command
        if: record_type == record_type::command
    instances:
      record_type_raw:
        value: record_type.to_i
        doc: The type byte as a number (also when it is not a known record type).
      is_named:
        value: record_type == record_type::section_start or record_type == record_type::section_full
      is_section:
        value: >-
          record_type == record_type::section_start or record_type == record_type::section_part
          or record_type == record_type::section_end or record_type == record_type::section_full
      is_command:
        value: record_type == record_type::command
      is_known:
        value: >-
          is_section or record_type == record_type::eof
          or record_type == record_type::configuration
          or record_type == record_type::command or record_type == record_type::section_footer
        doc: False for SUBSECTION (0x05) and VMDESCRIPTION (0x06), which never start a record, and for anything unknown.
      section_id:
        value: >-
          is_named ? section.section_id :
          (record_type == record_type::section_part or record_type == record_type::section_end) ? part_section_id :
          record_type == record_type::section_footer ? footer.section_id : 0
  section_header:
    doc: Header of SECTION_START and SECTION_FULL.
    doc-ref: https://github.com/qemu/qemu/blob/v10.0.0/migration/savevm.c save_section_header
    -webide-representation: '{name} ({section_id:dec}) instance {instance_id:dec} version {version_id:dec}'
    seq:
      - id: section_id
        type: u4
      - id: len_name
        type: u1
      - id: name
        type: str
        size: len_name
        encoding: ASCII
        doc: The SaveStateEntry idstr, e.g. "ram", "cpu", "0000:00:02.0/vfio".
      - id: instance_id
        type: u4
      - id: version_id
        type: u4
  section_footer:
    doc: QEMU_VM_SECTION_FOOTER after each section payload (since QEMU 2.4); the id repeats the section's.
    doc-ref: https://github.com/qemu/qemu/blob/v10.0.0/migration/savevm.c save_section_footer
    -webide-representation: '{section_id:dec}'
    seq:
      - id: section_id
        type: u4
  configuration:
    doc: |
      The body of QEMU_VM_CONFIGURATION: the VMSD "configuration"
      (savevm.c vmstate_configuration), i.e. the machine type name and
      optional subsections. Unlike device sections it has no section
      header and no footer; QEMU 7.2's JSON description does not describe
      it at all.
    doc-ref: https://github.com/qemu/qemu/blob/v10.0.0/migration/savevm.c vmstate_configuration
    -webide-representation: '{machine_name}'
    seq:
      - id: len_machine_name
        type: u4
        valid:
          max: 255
      - id: machine_name
        type: str
        size: len_machine_name
        encoding: ASCII
      - id: subsections
        type: configuration_subsection
        repeat: until
        repeat-until: _.is_last
    instances:
      target_page_bits:
        value: >-
          subsections.size >= 1 and subsections[0].name == "configuration/target-page-bits" ? subsections[0].target_page_bits :
          subsections.size >= 2 and subsections[1].name == "configuration/target-page-bits" ? subsections[1].target_page_bits :
          subsections.size >= 3 and subsections[2].name == "configuration/target-page-bits" ? subsections[2].target_page_bits : 0
        doc: |
          0 when the subsection is absent (the target then runs at its
          default or minimum page size). This lookup, and the two below,
          look at the first three slots only: QEMU defines three
          configuration subsections (target-page-bits, capabilities,
          uuid), and Kaitai expressions cannot search a list.
      has_x_ignore_shared:
        value: >-
          (subsections.size >= 1 and subsections[0].has_x_ignore_shared) or
          (subsections.size >= 2 and subsections[1].has_x_ignore_shared) or
          (subsections.size >= 3 and subsections[2].has_x_ignore_shared)
      has_mapped_ram:
        value: >-
          (subsections.size >= 1 and subsections[0].has_mapped_ram) or
          (subsections.size >= 2 and subsections[1].has_mapped_ram) or
          (subsections.size >= 3 and subsections[2].has_mapped_ram)
      page_size_by_machine:
        value: >-
          machine_name == "versatilepb" or machine_name == "versatileab"
          or machine_name == "integratorcp" or machine_name == "realview-eb"
          or machine_name == "realview-eb-mpcore" or machine_name == "realview-pb-a8"
          or machine_name == "realview-pbx-a9" or machine_name == "musicpal"
          or machine_name == "akita" or machine_name == "borzoi"
          or machine_name == "spitz" or machine_name == "terrier"
          or machine_name == "tosa" or machine_name == "connex"
          or machine_name == "verdex" or machine_name == "mainstone"
          or machine_name == "z2" or machine_name == "cheetah"
          or machine_name == "sx1" or machine_name == "sx1-v1"
          or machine_name == "collie" or machine_name == "kzm"
          or machine_name == "imx25-pdk" or machine_name == "sabrelite"
          ? 1024 :
          machine_name == "sun4u" or machine_name == "sun4v"
          or machine_name == "niagara" or machine_name == "clipper"
          or machine_name == "or1k-sim"
          ? 8192 :
          machine_name == "KIT_AURIX_TC277_TRB" or machine_name == "tricore_testboard"
          ? 16384 :
          machine_name.length >= 8 and machine_name.substring(0, 8) == "arduino-"
          ? 256 : 0
        doc: |
          Page size implied by the machine type where the target's page
          size is fixed and not 4 KiB (sparc64, alpha, or1k-sim: 8 KiB;
          tricore: 16 KiB; AVR: 256 bytes) or where an arm board's CPU
          (ARMv5/v6 and older) makes QEMU run at the 1 KiB minimum without
          writing target-page-bits. 0 when the name is not known.
  configuration_subsection:
    doc: |
      One slot of the configuration's subsection list. QEMU peeks for a
      0x05 byte after the fields; anything else ends the list without
      being consumed. So the last slot of the list is always an empty
      one (no `body`), and an unknown subsection also ends the list,
      since its length is not known.
    seq:
      - id: body
        type: configuration_subsection_body
        if: is_present
    instances:
      next_byte:
        pos: _io.pos
        type: u1
        if: not _io.eof
      is_present:
        value: not _io.eof and next_byte == 5
      is_last:
        value: not is_present or not body.is_known
      name:
        value: 'is_present ? body.name : ""'
      target_page_bits:
        value: 'is_present and body.name == "configuration/target-page-bits" ? body.target_page_bits : 0'
      has_x_ignore_shared:
        value: is_present and body.name == "configuration/capabilities" and body.capabilities.has_x_ignore_shared
      has_mapped_ram:
        value: is_present and body.name == "configuration/capabilities" and body.capabilities.has_mapped_ram
  configuration_subsection_body:
    doc-ref: https://github.com/qemu/qemu/blob/v10.0.0/migration/savevm.c vmstate_target_page_bits
    doc: savevm.c vmstate_target_page_bits, vmstate_capabilites, vmstate_uuid.
    seq:
      - id: marker
        contents: [0x05]
      - id: len_name
        type: u1
      - id: name
        type: str
        size: len_name
        encoding: ASCII
      - id: version_id
        type: u4
      - id: target_page_bits
        type: u4
        if: name == "configuration/target-page-bits"
      - id: capabilities
        type: capability_list
        if: name == "configuration/capabilities"
      - id: uuid
        size: 16
        if: name == "configuration/uuid"
        doc: The source's -uuid, sent when the validate-uuid capability is on.
    instances:
      is_known:
        value: >-
          name == "configuration/target-page-bits" or
          name == "configuration/capabilities" or
          name == "configuration/uuid"
  capability_list:
    doc-ref: https://github.com/qemu/qemu/blob/v10.0.0/migration/savevm.c vmstate_capabilites
    doc: |
      Capabilities that source and destination must agree on (savevm.c
      vmstate_capabilites: x-ignore-shared, mapped-ram, ...).
    seq:
      - id: num_capabilities
        type: u4
      - id: capabilities
        type: capability
        repeat: expr
        repeat-expr: num_capabilities
    instances:
      has_x_ignore_shared:
        doc: |
          The first three capabilities only (Kaitai expressions cannot
          search a list): QEMU sends those it validates, x-ignore-shared
          and mapped-ram among at most a few.
        value: >-
          (num_capabilities >= 1 and capabilities[0].name == "x-ignore-shared") or
          (num_capabilities >= 2 and capabilities[1].name == "x-ignore-shared") or
          (num_capabilities >= 3 and capabilities[2].name == "x-ignore-shared")
      has_mapped_ram:
        value: >-
          (num_capabilities >= 1 and capabilities[0].name == "mapped-ram") or
          (num_capabilities >= 2 and capabilities[1].name == "mapped-ram") or
          (num_capabilities >= 3 and capabilities[2].name == "mapped-ram")
  capability:
    seq:
      - id: len_name
        type: u1
      - id: name
        type: str
        size: len_name
        encoding: ASCII
  command:
    doc: |
      QEMU_VM_COMMAND: be16 command, be16 length, length bytes
      (savevm.c qemu_savevm_command_send). The payload is parsed by
      command type; unknown commands keep their raw bytes.
    doc-ref: https://github.com/qemu/qemu/blob/v10.0.0/migration/savevm.c qemu_savevm_command_send
    -webide-representation: '{command_type}'
    seq:
      - id: command_type
        type: u2
        enum: command_type
      - id: len_data
        type: u2
      - id: data
        size: len_data
        type:
          switch-on: command_type
          cases:
            'command_type::ping': cmd_ping
            'command_type::postcopy_advise': cmd_postcopy_advise
            'command_type::postcopy_ram_discard': cmd_postcopy_ram_discard
            'command_type::packaged': cmd_packaged
            'command_type::recv_bitmap': cmd_recv_bitmap
    instances:
      command_type_raw:
        value: command_type.to_i
        doc: The command as a number (also when it is not a known command).
      packaged_len:
        value: 'command_type == command_type::packaged ? data.as<cmd_packaged>.len_packaged : 0'
        doc: Length of the nested stream that follows a PACKAGED command.
  cmd_ping:
    seq:
      - id: value
        type: u4
        doc: An opaque counter the destination echoes on the return path.
  cmd_postcopy_advise:
    doc-ref: https://github.com/qemu/qemu/blob/v10.0.0/migration/savevm.c qemu_savevm_send_postcopy_advise
    doc: |
      Empty from QEMU before 2.8 / when only dirty-bitmaps is on;
      otherwise two be64: the OR of all RAM block page sizes and the
      target page size (savevm.c qemu_savevm_send_postcopy_advise).
    seq:
      - id: ram_page_size_summary
        type: u8
        if: not _io.eof
      - id: target_page_size
        type: u8
        if: not _io.eof
  cmd_postcopy_ram_discard:
    doc-ref: https://github.com/qemu/qemu/blob/v10.0.0/migration/savevm.c qemu_savevm_send_postcopy_ram_discard
    doc: savevm.c qemu_savevm_send_postcopy_ram_discard.
    seq:
      - id: version
        type: u1
        valid: 0
      - id: len_block_name
        type: u1
      - id: block_name
        type: str
        size: len_block_name
        encoding: ASCII
      - id: terminator
        contents: [0]
      - id: ranges
        type: discard_range
        repeat: eos
  discard_range:
    seq:
      - id: start
        type: u8
        doc: Byte offset in the RAM block.
      - id: length
        type: u8
  cmd_packaged:
    doc-ref: https://github.com/qemu/qemu/blob/v10.0.0/migration/savevm.c qemu_savevm_send_packaged
    seq:
      - id: len_packaged
        type: u4
        doc: Bytes of nested stream that follow the command record.
  cmd_recv_bitmap:
    doc-ref: https://github.com/qemu/qemu/blob/v10.0.0/migration/savevm.c qemu_savevm_send_recv_bitmap
    doc: Postcopy recovery; asks the destination for the received bitmap of a block.
    seq:
      - id: len_block_name
        type: u1
      - id: block_name
        type: str
        size: len_block_name
        encoding: ASCII
  device_payload:
    doc: |
      A device (VMSD) section payload, which carries no length. Scanned
      forward to the first 0x7E byte that is followed by this section's
      id as be32, i.e. its footer; or to the end of the file when there is
      none (streams without footers). See the top-level doc for how this
      scan can mislead. The chunks, joined, are the payload bytes.
    params:
      - id: section_id
        type: u4
    seq:
      - id: chunks
        type: device_payload_chunk(section_id)
        repeat: until
        repeat-until: _.at_footer or _io.eof
  device_payload_chunk:
    doc: |
      A piece of a device payload: the bytes up to the next 0x7E (at most
      `max_data` of them), then, when that 0x7E is not the section's
      footer, the 0x7E and what follows it up to the next 0x7E (at most 4
      bytes more: a footer may start there).

      Framed without a terminator scan of the stream, which would reach
      its end in a stream without footers (the stock C++ runtime throws
      there, whatever `eos-error` says): `window` is read with a size and
      cut at the first 0x7E in memory. Every lookahead (`probe`, `window`)
      starts inside bytes the seq reads before it, or is the footer's own
      bytes, so the Web IDE counts no parsed byte as unparsed.
    params:
      - id: section_id
        type: u4
    seq:
      - id: data
        size: window.size
      - id: not_a_footer
        size: len_not_a_footer
        if: has_marker and not at_footer
        doc: A 0x7E byte of the payload itself (not followed by the section id), and the bytes after it up to the next 0x7E.
    instances:
      ofs_start:
        value: _io.pos
        doc: Where the piece starts (evaluated first, by `window`).
      max_data:
        value: (4096).as<u8>
      len_window:
        value: '(_io.size - ofs_start < max_data ? _io.size - ofs_start : max_data).as<u8>'
      probe:
        pos: ofs_marker
        size: '_io.size - ofs_marker < 5 ? _io.size - ofs_marker : 5'
        if: has_marker
        doc: The 0x7E and the 4 bytes after it, where a footer would have the section id.
      window:
        pos: ofs_start
        size: len_window
        terminator: 0x7e
        include: false
        doc: The next bytes up to the first 0x7E among them (all of them when there is none).
      ofs_marker:
        value: ofs_start + window.size
      has_marker:
        value: window.size < len_window
        doc: Whether `data` ends at a 0x7E (else at `max_data` bytes or at the end of the stream).
      at_footer:
        value: >-
          has_marker and probe.size == 5
          and probe[1].as<u1> == ((section_id >> 24) & 0xff) and probe[2].as<u1> == ((section_id >> 16) & 0xff)
          and probe[3].as<u1> == ((section_id >> 8) & 0xff) and probe[4].as<u1> == (section_id & 0xff)
      len_not_a_footer:
        value: >-
          not has_marker ? 0 :
          probe.size < 2 or probe[1] == 0x7e ? 1 :
          probe.size < 3 or probe[2] == 0x7e ? 2 :
          probe.size < 4 or probe[3] == 0x7e ? 3 :
          probe.size < 5 or probe[4] == 0x7e ? 4 : 5
  ram_payload:
    doc-ref: https://github.com/qemu/qemu/blob/v10.0.0/migration/ram.c ram_load_precopy
    doc: |
      Payload of the `ram` section (ram.c, section version 4): RAM records
      up to and including the one with the EOS flag.
    params:
      - id: page_size
        type: u4
      - id: ignore_shared
        type: bool
      - id: mapped_ram
        type: bool
      - id: postcopy_page_sizes
        type: bool
    seq:
      - id: ram_records
        type: ram_record(page_size, ignore_shared, mapped_ram, postcopy_page_sizes, true)
        repeat: until
        repeat-until: _.is_eos or not _.has_valid_flags
  ram_record:
    doc-ref: https://github.com/qemu/qemu/blob/v10.0.0/migration/ram.c ram_load_precopy
    doc: |
      One RAM record (ram.c ram_load_precopy): a be64 word holding a
      page-aligned address in its high bits and RAM_SAVE_FLAG_* flags in
      its low log2(page_size) bits, then what the flags say. The word is
      read as two be32 halves so that no expression needs 64-bit
      arithmetic: the address is (addr_hi << 32) | (addr_lo & ~(page_size
      - 1)), computed by the reader.

      With RAM_SAVE_FLAG_CONTINUE the block is the previous record's; the
      current block carries across sections.
    params:
      - id: page_size
        type: u4
        doc: Target page size (a power of two, 256 to 65536).
      - id: ignore_shared
        type: bool
        doc: Capability x-ignore-shared (adds the mr address to MEM_SIZE entries).
      - id: mapped_ram
        type: bool
        doc: Capability mapped-ram (adds a MappedRamHeader to MEM_SIZE entries).
      - id: postcopy_page_sizes
        type: bool
        doc: |
          Whether MEM_SIZE entries carry the block page size (postcopy-ram
          on and the block's page size differs from the target's). The
          stream does not say; the top-level type assumes no.
      - id: with_blocks
        type: bool
        doc: |
          Whether to read MEM_SIZE's block list here. A reader that must
          not load mapped-ram block data into memory passes false and
          reads `ram_block_entry` records itself (with_data false),
          seeking to each entry's `ofs_next`.
    seq:
      - id: addr_hi
        type: u4
      - id: addr_lo
        type: u4
        doc: Low half of the address word, with the flags.
      - id: blocks
        type: 'ram_block_entry(ignore_shared, mapped_ram, postcopy_page_sizes, true, _index == 0 ? 0 : blocks[_index - 1].total_4k_after)'
        repeat: until
        repeat-until: _.total_4k_after >= mem_size_4k
        if: is_mem_size and mem_size_4k > 0 and with_blocks
        doc: RAM_SAVE_FLAG_MEM_SIZE; the address word holds the total of all blocks' used lengths.
      - id: len_block_name
        type: u1
        if: has_block_name
      - id: block_name
        type: str
        size: len_block_name
        encoding: ASCII
        if: has_block_name
      - id: fill_byte
        type: u1
        if: is_zero
        doc: RAM_SAVE_FLAG_ZERO; the whole page is this byte (always 0 since QEMU 2.x).
      - id: page_data
        size: page_size
        if: is_page
      - id: xbzrle
        type: ram_xbzrle
        if: is_xbzrle
      - id: compressed
        type: ram_compressed_page(page_size)
        if: is_compress_page
    instances:
      page_mask:
        value: page_size - 1
      flags:
        value: addr_lo & page_mask
      known_kinds:
        value: >-
          ram_save_flag::full.to_i | ram_save_flag::zero.to_i | ram_save_flag::mem_size.to_i
          | ram_save_flag::page.to_i | ram_save_flag::eos.to_i | ram_save_flag::xbzrle.to_i
          | ram_save_flag::hook.to_i | ram_save_flag::compress_page.to_i
          | ram_save_flag::multifd_flush.to_i
        doc: Every RAM_SAVE_FLAG_* but CONTINUE.
      kind_flags:
        value: flags & known_kinds
        doc: The flags less CONTINUE.
      kind_flags_less_1:
        value: kind_flags - 1
        doc: (Named so that no generated code mixes - and & without parentheses.)
      has_valid_flags:
        value: kind_flags != 0 and (kind_flags & kind_flags_less_1) == 0
        doc: |
          Exactly one RAM_SAVE_FLAG_* besides CONTINUE, as ram.c
          ram_load_precopy requires. When false nothing more is read and
          the RAM payload ends here: the stream is corrupt.
      is_mem_size:
        value: has_valid_flags and flags & ram_save_flag::mem_size.to_i != 0
      is_zero:
        value: has_valid_flags and flags & ram_save_flag::zero.to_i != 0
      is_page:
        value: has_valid_flags and flags & ram_save_flag::page.to_i != 0
      is_eos:
        value: has_valid_flags and flags & ram_save_flag::eos.to_i != 0
      is_continue:
        value: flags & ram_save_flag::continued.to_i != 0
      is_xbzrle:
        value: has_valid_flags and flags & ram_save_flag::xbzrle.to_i != 0
      is_hook:
        value: has_valid_flags and flags & ram_save_flag::hook.to_i != 0
        doc: RAM_SAVE_FLAG_HOOK (RDMA); nothing follows in the stream itself.
      is_compress_page:
        value: has_valid_flags and page_size > 0x100 and flags & ram_save_flag::compress_page.to_i != 0
      is_multifd_flush:
        value: has_valid_flags and page_size > 0x200 and flags & ram_save_flag::multifd_flush.to_i != 0
      has_block_name:
        value: not is_continue and (is_zero or is_page or is_xbzrle or is_compress_page)
      mem_size_4k:
        value: (addr_hi.as<u8> * 1048576 + ((addr_lo >> 12) - (flags >> 12))).as<u8>
        doc: |
          MEM_SIZE total in 4 KiB units (RAM block lengths are host-page
          aligned). Multiplied, not shifted, and cast: a 64-bit integer in
          every target (a shift is 32-bit in JavaScript; C++ and Java would
          type the sum as a 32-bit int).
  ram_block_entry:
    doc-ref: https://github.com/qemu/qemu/blob/v10.0.0/migration/ram.c ram_save_setup
    doc: |
      One RAM block in the MEM_SIZE record (ram.c ram_save_setup): the
      list ends when the lengths add up to the total.
    params:
      - id: ignore_shared
        type: bool
      - id: mapped_ram
        type: bool
      - id: postcopy_page_sizes
        type: bool
      - id: with_data
        type: bool
        doc: Whether to read over a mapped-ram block's data (see `ram_record.with_blocks`).
      - id: total_4k_before
        type: u8
    seq:
      - id: len_name
        type: u1
      - id: name
        type: str
        size: len_name
        encoding: ASCII
        doc: RAMBlock idstr, e.g. "pc.ram", "/rom@etc/acpi/tables", "mem0".
      - id: used_length_hi
        type: u4
      - id: used_length_lo
        type: u4
      - id: block_page_size
        type: u8
        if: postcopy_page_sizes
      - id: mr_addr
        type: u8
        if: ignore_shared
        doc: Guest-physical address of the block's memory region (x-ignore-shared).
      - id: mapped_ram_header
        type: mapped_ram_header
        if: mapped_ram
      - id: mapped_ram_data
        size: mapped_ram_header.pages_offset + used_length - _io.pos
        if: mapped_ram and with_data and not mapped_ram_header.is_skipped
        doc: |
          mapped-ram: the block's bitmap and page area, which the stream
          seeks over; the next entry (or record) starts at pages_offset +
          used_length. 64-bit values only added and subtracted (exact in
          JavaScript below 2^53), no bitwise arithmetic on them.
    instances:
      used_length:
        value: (used_length_hi.as<u8> * 4294967296 + used_length_lo).as<u8>
        doc: |
          Byte length: a 64-bit integer in every target (the cast: C++ and
          Java would type the sum as a 32-bit int; JavaScript's numbers
          are exact below 2^53).
      total_4k_after:
        value: (total_4k_before + used_length_hi.as<u8> * 1048576 + (used_length_lo >> 12)).as<u8>
      ofs_next:
        value: (mapped_ram_header.pages_offset + used_length).as<u8>
        if: mapped_ram and not mapped_ram_header.is_skipped
        doc: |
          mapped-ram - where the next entry or record starts (the stream seeks
          past the block's data). A skipped block has no data: the next entry
          follows its header.
  mapped_ram_header:
    doc-ref: https://github.com/qemu/qemu/blob/v10.0.0/migration/ram.c mapped_ram_setup_ramblock
    doc: |
      MappedRamHeader (ram.c, docs/devel/migration/mapped-ram.rst), packed,
      big-endian. Offsets are absolute file offsets.
    seq:
      - id: version
        type: u4
        valid: 1
      - id: page_size
        type: u8
        doc: Granule of the bitmap (the target page size).
      - id: bitmap_offset
        type: u8
        doc: Where the block's dirty bitmap lies (one bit per page, host byte order longs).
      - id: pages_offset
        type: u8
        doc: Where page N of the block lies, at pages_offset + N * page_size.
    instances:
      is_skipped:
        value: bitmap_offset == 0 and pages_offset == 0
        doc: |
          A block whose RAM is not in the file: with x-ignore-shared, a block
          on shared memory (QEMU 11.0+ writes it so; earlier ones refused the
          combination). No bitmap, no pages; the next entry follows.
  ram_xbzrle:
    doc-ref: https://github.com/qemu/qemu/blob/v10.0.0/migration/ram.c load_xbzrle
    doc: |
      RAM_SAVE_FLAG_XBZRLE: a delta against the previous content of the
      page (migration/xbzrle.c: repeated ULEB128 zero-run length, ULEB128
      literal length, literal bytes).
    seq:
      - id: encoding
        type: u1
        valid: 1
        doc: ENCODING_FLAG_XBZRLE.
      - id: len_data
        type: u2
      - id: data
        size: len_data
  ram_compressed_page:
    doc: RAM_SAVE_FLAG_COMPRESS_PAGE (QEMU before 9.1, capability compress) - a zlib stream of one page.
    params:
      - id: page_size
        type: u4
    seq:
      - id: len_data
        type: u4
        valid:
          max: page_size + (page_size >> 12) + (page_size >> 14) + 13
        doc: |
          At most zlib's compressBound(page size), as ram.c
          ram_load_precopy checks ("Invalid compressed data length").
      - id: data
        size: len_data
  block_payload:
    doc-ref: https://github.com/qemu/qemu/blob/v10.0.0/migration/block.c block_load
    doc: |
      Payload of the `block` section (block migration, migration/block.c,
      removed in QEMU 9.1): records up to the one with the EOS flag.
    seq:
      - id: block_records
        type: block_record
        repeat: until
        repeat-until: _.is_eos
  block_record:
    doc-ref: https://github.com/qemu/qemu/blob/v10.0.0/migration/block.c block_load
    doc: |
      be64 word: sector number << 9 in the high bits, BLK_MIG_FLAG_* in
      the low 9 bits; read as two halves (no 64-bit arithmetic).
    seq:
      - id: word_hi
        type: u4
      - id: word_lo
        type: u4
      - id: len_device_name
        type: u1
        if: is_device_block
      - id: device_name
        type: str
        size: len_device_name
        encoding: ASCII
        if: is_device_block
      - id: data
        size: 0x100000
        if: is_device_block and not is_zero_block
        doc: BLK_MIG_BLOCK_SIZE (1 MiB, 2048 sectors) of disk contents.
    instances:
      flags:
        value: word_lo & 0x1ff
      is_device_block:
        value: flags & blk_mig_flag::device_block.to_i != 0
      is_eos:
        value: flags & blk_mig_flag::eos.to_i != 0
      is_progress:
        value: flags & blk_mig_flag::progress.to_i != 0
      is_zero_block:
        value: flags & blk_mig_flag::zero_block.to_i != 0
      sector:
        value: (word_hi.as<u8> * 8388608 + (word_lo >> 9)).as<u8>
        doc: First 512-byte sector of the chunk (for PROGRESS records, the percentage done).
  dirty_bitmap_payload:
    doc-ref: https://github.com/qemu/qemu/blob/v10.0.0/migration/block-dirty-bitmap.c dirty_bitmap_load
    doc: |
      Payload of the `dirty-bitmap` section
      (migration/block-dirty-bitmap.c): chunks up to the one with the EOS
      flag.
    seq:
      - id: chunks
        type: dirty_bitmap_chunk
        repeat: until
        repeat-until: _.is_eos
  dirty_bitmap_chunk:
    doc-ref: https://github.com/qemu/qemu/blob/v10.0.0/migration/block-dirty-bitmap.c dirty_bitmap_load
    doc: |
      One chunk (block-dirty-bitmap.c dirty_bitmap_load). Node and bitmap
      names appear only when they change from the previous chunk (also
      across sections), so a reader carries them over.
    seq:
      - id: flags_byte
        type: u1
      - id: flags_byte2
        type: u1
        if: flags_byte & dirty_bitmap_mig_flag::extra_flags.to_i != 0
        doc: DIRTY_BITMAP_MIG_EXTRA_FLAGS continuation (accepted by the loader, never written).
      - id: flags_word
        type: u2
        if: >-
          flags_byte & dirty_bitmap_mig_flag::extra_flags.to_i != 0
          and flags_byte2 & dirty_bitmap_mig_flag::extra_flags.to_i != 0
      - id: len_node_name
        type: u1
        if: has_node_name
      - id: node_name
        type: str
        size: len_node_name
        encoding: ASCII
        if: has_node_name
        doc: DIRTY_BITMAP_MIG_FLAG_DEVICE_NAME (block node name or alias).
      - id: len_bitmap_name
        type: u1
        if: has_bitmap_name
      - id: bitmap_name
        type: str
        size: len_bitmap_name
        encoding: ASCII
        if: has_bitmap_name
      - id: granularity
        type: u4
        if: is_start
        doc: Bytes per bit (be32; the comment atop block-dirty-bitmap.c says be64, the code writes be32).
      - id: bitmap_flags
        type: u1
        if: is_start
        doc: 0x01 enabled, 0x02 persistent, 0x04 autoload (obsolete).
      - id: first_sector
        type: u8
        if: is_bits
      - id: num_sectors
        type: u4
        if: is_bits
      - id: len_buf
        type: u8
        if: is_bits and not is_zeroes
      - id: buf
        size: len_buf
        if: is_bits and not is_zeroes
        doc: The bitmap part, serialized as little-endian longs, padded to 32 bytes.
    instances:
      flags:
        value: >-
          flags_byte & dirty_bitmap_mig_flag::extra_flags.to_i == 0 ? flags_byte :
          (flags_byte2 & dirty_bitmap_mig_flag::extra_flags.to_i == 0 ? flags_byte2 : flags_word)
        doc: As the loader reads it (it keeps only the last flags byte or word read).
      is_eos:
        value: flags & dirty_bitmap_mig_flag::eos.to_i != 0
      is_zeroes:
        value: flags & dirty_bitmap_mig_flag::zeroes.to_i != 0
      has_bitmap_name:
        value: flags & dirty_bitmap_mig_flag::bitmap_name.to_i != 0
      has_node_name:
        value: flags & dirty_bitmap_mig_flag::device_name.to_i != 0
      is_start:
        value: flags & dirty_bitmap_mig_flag::start.to_i != 0
      is_complete:
        value: flags & dirty_bitmap_mig_flag::complete.to_i != 0
      is_bits:
        value: flags & dirty_bitmap_mig_flag::bits.to_i != 0
  htab_payload:
    doc-ref: https://github.com/qemu/qemu/blob/v10.0.0/hw/ppc/spapr.c htab_load
    doc: |
      Payload of `spapr/htab` (hw/ppc/spapr.c htab_save_setup/iterate/
      complete, htab_load). The first be32 decides: -1 means no hash page
      table (radix guest), a positive value is the START payload (the HPT
      size shift) and nothing follows; 0 is followed by chunks of HPTEs
      up to an all-zero chunk head.
    seq:
      - id: header
        type: s4
      - id: chunks
        type: htab_chunk
        repeat: until
        repeat-until: _.is_end
        if: header == 0
    instances:
      htab_shift:
        value: 'header > 0 ? header : 0'
  htab_chunk:
    seq:
      - id: index
        type: u4
        doc: First HPTE index of the chunk.
      - id: num_valid
        type: u2
      - id: num_invalid
        type: u2
        doc: Entries after the valid ones that are to be cleared (no bytes).
      - id: valid_hptes
        size: 16
        repeat: expr
        repeat-expr: num_valid
        doc: Hash page table entries, two be64 words each.
    instances:
      is_end:
        value: index == 0 and num_valid == 0 and num_invalid == 0
  stattrib_payload:
    doc-ref: https://github.com/qemu/qemu/blob/v10.0.0/hw/s390x/s390-stattrib.c cmma_load
    doc: |
      Payload of `s390-storage_attributes` (hw/s390x/s390-stattrib.c
      cmma_save, cmma_load): records up to the one with EOS.
    seq:
      - id: stattrib_records
        type: stattrib_record
        repeat: until
        repeat-until: _.is_eos or _.is_error
  stattrib_record:
    doc: be64 word of a guest address (page aligned) with flags in its low 12 bits.
    seq:
      - id: addr_hi
        type: u4
      - id: addr_lo
        type: u4
      - id: num_attributes
        type: u8
        if: is_more
      - id: attributes
        size: num_attributes
        if: is_more
        doc: One CMMA attribute byte per 4 KiB page from the address on.
    instances:
      flags:
        value: addr_lo & 0xfff
      is_eos:
        value: flags & stattrib_flag::eos.to_i != 0
      is_more:
        value: flags & stattrib_flag::more.to_i != 0
      is_error:
        value: flags & stattrib_flag::error.to_i != 0
      is_done:
        value: flags & stattrib_flag::done.to_i != 0
  skeys_payload:
    doc-ref: https://github.com/qemu/qemu/blob/v10.0.0/hw/s390x/s390-skeys.c s390_storage_keys_load
    doc: |
      Payload of `s390-skeys` (hw/s390x/s390-skeys.c s390_storage_keys_save):
      one record per guest memory range, then EOS (or ERROR).
    seq:
      - id: skeys_records
        type: skeys_record
        repeat: until
        repeat-until: _.is_eos or _.is_error
  skeys_record:
    seq:
      - id: addr_hi
        type: u4
      - id: addr_lo
        type: u4
      - id: num_keys
        type: u8
        if: is_skeys
      - id: keys
        size: num_keys
        if: is_skeys
        doc: One storage key per 4 KiB page (ACC << 4 | F << 3 | R << 2 | C << 1).
    instances:
      flags:
        value: addr_lo & 0xfff
      is_eos:
        value: flags & skeys_flag::eos.to_i != 0
      is_skeys:
        value: flags & skeys_flag::skeys.to_i != 0
      is_error:
        value: flags & skeys_flag::error.to_i != 0
  vfio_payload:
    doc-ref: https://github.com/qemu/qemu/blob/v10.0.0/hw/vfio/migration.c vfio_load_state
    doc: |
      START/PART/END payload of a `<device path>/vfio` section
      (hw/vfio/migration.c): be64 markers 0xFFFFFFFFEF10000n and device
      data blocks, ended by END_OF_STATE or by INIT_DATA_SENT. The FULL
      vfio section carries the device config as an inline VMSD and is
      treated as a device payload.
    seq:
      - id: vfio_records
        type: vfio_record
        repeat: until
        repeat-until: _.code == vfio_mig_flag::end_of_state or _.code == vfio_mig_flag::dev_init_data_sent
  vfio_record:
    seq:
      - id: marker_prefix
        contents: [0xff, 0xff, 0xff, 0xff, 0xef, 0x10]
      - id: code
        type: u2
        enum: vfio_mig_flag
        doc: The low 16 bits of the be64 VFIO_MIG_FLAG_* marker.
      - id: len_data
        type: u8
        if: code == vfio_mig_flag::dev_data_state
      - id: data
        size: len_data
        if: code == vfio_mig_flag::dev_data_state
        doc: Opaque device migration data from the vfio driver.
  vmdescription:
    doc-ref: https://github.com/qemu/qemu/blob/v10.0.0/migration/savevm.c qemu_savevm_state_complete_precopy_non_iterable
    doc: |
      QEMU_VM_VMDESCRIPTION after the EOF record: be32 length and that
      many bytes of JSON (no NUL) describing the FULL sections' fields.
    seq:
      - id: head
        type: vmdescription_head
      - id: json
        type: str
        size: head.len_json
        encoding: UTF-8
    instances:
      len_json:
        value: head.len_json
  vmdescription_head:
    doc: |
      The marker and length of the VMDESCRIPTION record (savevm.c
      qemu_savevm_state_complete_precopy), for a reader that checks the
      length against the file before it reads the JSON.
    seq:
      - id: marker
        contents: [0x06]
      - id: len_json
        type: u4
enums:
  file_version:
    2:
      id: obsolete_v2_refused_by_qemu
      -orig-id: QEMU_VM_FILE_VERSION_COMPAT
    3:
      id: current
      -orig-id: QEMU_VM_FILE_VERSION
  record_type:
    0x00:
      id: eof
      -orig-id: QEMU_VM_EOF
    0x01:
      id: section_start
      -orig-id: QEMU_VM_SECTION_START
    0x02:
      id: section_part
      -orig-id: QEMU_VM_SECTION_PART
    0x03:
      id: section_end
      -orig-id: QEMU_VM_SECTION_END
    0x04:
      id: section_full
      -orig-id: QEMU_VM_SECTION_FULL
    0x05:
      id: subsection
      -orig-id: QEMU_VM_SUBSECTION
    0x06:
      id: vmdescription
      -orig-id: QEMU_VM_VMDESCRIPTION
    0x07:
      id: configuration
      -orig-id: QEMU_VM_CONFIGURATION
    0x08:
      id: command
      -orig-id: QEMU_VM_COMMAND
    0x7e:
      id: section_footer
      -orig-id: QEMU_VM_SECTION_FOOTER
  command_type:
    0:
      id: invalid
      -orig-id: MIG_CMD_INVALID
    1:
      id: open_return_path
      -orig-id: MIG_CMD_OPEN_RETURN_PATH
    2:
      id: ping
      -orig-id: MIG_CMD_PING
    3:
      id: postcopy_advise
      -orig-id: MIG_CMD_POSTCOPY_ADVISE
    4:
      id: postcopy_listen
      -orig-id: MIG_CMD_POSTCOPY_LISTEN
    5:
      id: postcopy_run
      -orig-id: MIG_CMD_POSTCOPY_RUN
    6:
      id: postcopy_ram_discard
      -orig-id: MIG_CMD_POSTCOPY_RAM_DISCARD
    7:
      id: packaged
      -orig-id: MIG_CMD_PACKAGED
    8:
      id: enable_colo
      -orig-id: MIG_CMD_ENABLE_COLO
    9:
      id: postcopy_resume
      -orig-id: MIG_CMD_POSTCOPY_RESUME
    10:
      id: recv_bitmap
      -orig-id: MIG_CMD_RECV_BITMAP
    11:
      id: switchover_start
      -orig-id: MIG_CMD_SWITCHOVER_START
  section_format:
    1:
      id: ram
      doc: The `ram` section (migration/ram.c ram_save_setup/iterate/complete, ram_load).
    2:
      id: block
      doc: The `block` section (migration/block.c, block migration, removed in QEMU 9.1).
    3:
      id: dirty_bitmap
      doc: The `dirty-bitmap` section (migration/block-dirty-bitmap.c).
    4:
      id: htab
      doc: The `spapr/htab` section (hw/ppc/spapr.c htab_save_*, htab_load).
    5:
      id: stattrib
      doc: The `s390-storage_attributes` section (hw/s390x/s390-stattrib.c).
    6:
      id: skeys
      doc: The `s390-skeys` section (hw/s390x/s390-skeys.c).
    7:
      id: vfio
      doc: The live phase of a `<device>/vfio` section (hw/vfio/migration.c).
    8:
      id: device
      doc: Any other section, a VMSD device (migration/vmstate.c vmstate_load_state).
  ram_save_flag:
    0x01:
      id: full
      -orig-id: RAM_SAVE_FLAG_FULL
      doc: Obsolete (QEMU before 1.x); never written since, refused on load.
    0x02:
      id: zero
      -orig-id: RAM_SAVE_FLAG_ZERO
    0x04:
      id: mem_size
      -orig-id: RAM_SAVE_FLAG_MEM_SIZE
    0x08:
      id: page
      -orig-id: RAM_SAVE_FLAG_PAGE
    0x10:
      id: eos
      -orig-id: RAM_SAVE_FLAG_EOS
    0x20:
      id: continued
      -orig-id: RAM_SAVE_FLAG_CONTINUE
    0x40:
      id: xbzrle
      -orig-id: RAM_SAVE_FLAG_XBZRLE
    0x80:
      id: hook
      -orig-id: RAM_SAVE_FLAG_HOOK
    0x100:
      id: compress_page
      -orig-id: RAM_SAVE_FLAG_COMPRESS_PAGE
    0x200:
      id: multifd_flush
      -orig-id: RAM_SAVE_FLAG_MULTIFD_FLUSH
  blk_mig_flag:
    0x01:
      id: device_block
      -orig-id: BLK_MIG_FLAG_DEVICE_BLOCK
    0x02:
      id: eos
      -orig-id: BLK_MIG_FLAG_EOS
    0x04:
      id: progress
      -orig-id: BLK_MIG_FLAG_PROGRESS
    0x08:
      id: zero_block
      -orig-id: BLK_MIG_FLAG_ZERO_BLOCK
  dirty_bitmap_mig_flag:
    0x01:
      id: eos
      -orig-id: DIRTY_BITMAP_MIG_FLAG_EOS
    0x02:
      id: zeroes
      -orig-id: DIRTY_BITMAP_MIG_FLAG_ZEROES
    0x04:
      id: bitmap_name
      -orig-id: DIRTY_BITMAP_MIG_FLAG_BITMAP_NAME
    0x08:
      id: device_name
      -orig-id: DIRTY_BITMAP_MIG_FLAG_DEVICE_NAME
    0x10:
      id: start
      -orig-id: DIRTY_BITMAP_MIG_FLAG_START
    0x20:
      id: complete
      -orig-id: DIRTY_BITMAP_MIG_FLAG_COMPLETE
    0x40:
      id: bits
      -orig-id: DIRTY_BITMAP_MIG_FLAG_BITS
    0x80:
      id: extra_flags
      -orig-id: DIRTY_BITMAP_MIG_EXTRA_FLAGS
  stattrib_flag:
    0x01:
      id: eos
      -orig-id: STATTR_FLAG_EOS
    0x02:
      id: more
      -orig-id: STATTR_FLAG_MORE
    0x04:
      id: error
      -orig-id: STATTR_FLAG_ERROR
    0x08:
      id: done
      -orig-id: STATTR_FLAG_DONE
  skeys_flag:
    0x01:
      id: eos
      -orig-id: S390_SKEYS_SAVE_FLAG_EOS
    0x02:
      id: skeys
      -orig-id: S390_SKEYS_SAVE_FLAG_SKEYS
    0x04:
      id: error
      -orig-id: S390_SKEYS_SAVE_FLAG_ERROR
  vfio_mig_flag:
    1:
      id: end_of_state
      -orig-id: VFIO_MIG_FLAG_END_OF_STATE
      doc: 0xffffffffef100001
    2:
      id: dev_config_state
      -orig-id: VFIO_MIG_FLAG_DEV_CONFIG_STATE
      doc: 0xffffffffef100002
    3:
      id: dev_setup_state
      -orig-id: VFIO_MIG_FLAG_DEV_SETUP_STATE
      doc: 0xffffffffef100003
    4:
      id: dev_data_state
      -orig-id: VFIO_MIG_FLAG_DEV_DATA_STATE
      doc: 0xffffffffef100004
    5:
      id: dev_init_data_sent
      -orig-id: VFIO_MIG_FLAG_DEV_INIT_DATA_SENT
      doc: 0xffffffffef100005
