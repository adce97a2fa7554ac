"""Every record as JSON (``--format records``): offset, kind, section or command or
configuration, and what the payload held."""
from __future__ import annotations

from migkaitai.render import command_json, special_summary

TYPE_CHECKING = False  # typing is not imported at run time (start-up cost)
if TYPE_CHECKING:
    from typing import Any

    from migkaitai.walk import Record

__all__ = ["record_json"]


def record_json(r: Record) -> dict[str, Any]:
    """One record as JSON for `--format records`: offset, type, depth (1 inside PACKAGED),
    the section, the command, or the configuration, with what its payload held."""
    item: dict[str, Any] = {"offset": r.offset, "type": r.kind}
    if r.depth:
        item["depth"] = r.depth
    if r.section is not None:
        s = r.section
        item.update(section_id=s.section_id, name=s.name, instance_id=s.instance_id,
                    version_id=s.version_id, payload=r.payload_format)
        if r.ram_counts is not None:
            item["ram"] = dict(zip(("records", "pages", "zero_pages"), r.ram_counts, strict=True))
        if r.special is not None:
            item["decoded"] = special_summary(r)
        if r.raw is not None:
            item["undecoded"] = {"offset": r.raw[0], "length": r.raw[1]}
    elif r.kind == "section_footer":
        item["section_id"] = r.head.section_id
    elif r.kind == "command":
        item.update(command_json(r.head.command))
    elif r.kind == "configuration":
        c = r.head.configuration
        item["machine"] = c.machine_name
        for sub in c.subsections:
            if sub.is_present:
                b = sub.body
                if b.name == "configuration/target-page-bits":
                    item["target_page_bits"] = b.target_page_bits
                elif b.name == "configuration/capabilities":
                    item["capabilities"] = [x.name for x in b.capabilities.capabilities]
                elif b.name == "configuration/uuid":
                    item["uuid"] = b.uuid.hex()
    return item
