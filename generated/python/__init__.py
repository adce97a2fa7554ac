"""Parsers generated from ksy/ by kaitai-struct-compiler (make generate). Do not edit.

libvirt_qemu_save imports its imports as top-level modules (`import qemu_migration`,
`import lzop`); they are this package's modules, registered under those names when the
package is imported (unless a module of that name is already loaded: then importing
libvirt_qemu_save fails, see migkaitai.containers)."""
import sys as _sys

from . import lzop as _lzop
from . import qemu_migration as _qemu_migration

_sys.modules.setdefault("lzop", _lzop)
_sys.modules.setdefault("qemu_migration", _qemu_migration)
