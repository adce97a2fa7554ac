"""The grammar compiles with the pinned kaitai-struct-compiler for every target we promise,
and tools/ksc/ksc.js reports compiler errors as one line naming the .ksy and the path in it."""

from pathlib import Path

import pytest

KSY = Path(__file__).resolve().parent.parent / "ksy" / "qemu_migration.ksy"
# Target -> main output file for meta id `qemu_migration`.
TARGETS = {
    "python": "qemu_migration.py",
    "javascript": "QemuMigration.js",
    "java": "QemuMigration.java",
    "cpp_stl": "qemu_migration.cpp",
    "csharp": "QemuMigration.cs",
    "go": "qemu_migration.go",
    "rust": "qemu_migration.rs",
    "ruby": "qemu_migration.rb",
    "php": "QemuMigration.php",
    "perl": "QemuMigration.pm",
    "lua": "qemu_migration.lua",
    "nim": "qemu_migration.nim",
}


@pytest.fixture(scope="module")
def all_targets(ksc, tmp_path_factory):
    """Compile every language in one node process (startup is ~0.7 s, a compile ~30 ms).

    Returns (output dir, {lang: "ok" or the error line})."""
    out = tmp_path_factory.mktemp("targets")
    result = ksc("--all-targets", out, KSY)
    if result.returncode not in (0, 1):
        pytest.fail(f"ksc.js crashed: {result.stderr.strip()}")
    status = {}
    for line in result.stdout.splitlines():
        verdict, lang, *_ = line.replace(":", " ").split()
        status[lang] = "ok" if verdict == "ok" else line
    return out, status


@pytest.mark.parametrize("lang", TARGETS)
def test_grammar_compiles_for(lang, all_targets):
    out, status = all_targets
    assert status.get(lang) == "ok", status.get(lang, f"{lang} not attempted")
    main = out / lang / TARGETS[lang]
    assert main.is_file() and main.stat().st_size > 0


def test_compile_error_is_one_line_with_ksy_path(ksc, tmp_path):
    bad = tmp_path / "bad.ksy"
    bad.write_text("meta:\n  id: bad\nseq:\n  - id: a\n    type: u4\n")
    result = ksc("--target", "python", "--outdir", tmp_path / "out", bad)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"ksc: {bad}: ")
    assert "/seq/0/type" in result.stderr and "endianness" in result.stderr


def test_python_package_option_is_refused(ksc, tmp_path):
    # The compiler's JS API has no pythonPackage setting; a silent no-op would mislead.
    result = ksc("--target", "python", "--outdir", tmp_path, "--python-package", "x", KSY)
    assert result.returncode == 1
    assert "--python-package" in result.stderr


@pytest.mark.slow  # (8 s of compiling for every language: make test, not the edit loop)
@pytest.mark.parametrize("spec", ["libvirt_qemu_save", "qcow2", "lzop"])
def test_container_grammars_compile_for_every_target(spec, ksc, tmp_path):
    """The container grammars (libvirt_qemu_save imports qemu_migration and lzop)."""
    result = ksc("--all-targets", tmp_path, KSY.parent / f"{spec}.ksy")
    assert result.returncode in (0, 1), result.stderr
    status = {}
    for line in result.stdout.splitlines():
        verdict, lang, *_ = line.replace(":", " ").split()
        status[lang] = verdict
    assert {lang: status.get(lang) for lang in TARGETS} == dict.fromkeys(TARGETS, "ok")
