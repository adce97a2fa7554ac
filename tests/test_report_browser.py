"""The HTML report in a real browser: Debian's chromium, headless, driven by
playwright-core (tools/browser/check_report.js, pinned in tools/browser/package-lock.json)
works each page as a person would and reports what it rendered; the HTML is checked by
html-validate. `.ci/run` installs chromium when it is missing; elsewhere these tests are
skipped without it (MIGKAITAI_REQUIRE_BROWSER=1 makes that a failure). Screenshots are
kept in $MIGKAITAI_ARTIFACTS (default: .artifacts/ in the repository)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

import migkaitai
from migkaitai.report import CLASSES

import corpus

ROOT = Path(__file__).resolve().parent.parent
BROWSER = ROOT / "tools" / "browser"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("MIGKAITAI_ARTIFACTS", ROOT / ".artifacts"))

# one worker: one browser at a time; slow: left out of make test-quick
pytestmark = [pytest.mark.xdist_group("browser"), pytest.mark.slow]


def _missing() -> str | None:
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} not found (apt-get install chromium; .ci/run does)"
    if not (BROWSER / "node_modules" / "playwright-core").is_dir():
        return "tools/browser/node_modules missing (make browser)"
    if shutil.which("node") is None:
        return "node not found"
    return None


@pytest.fixture(scope="module")
def browser_ready():
    why = _missing()
    if why:
        if os.environ.get("MIGKAITAI_REQUIRE_BROWSER"):
            pytest.fail(why)
        pytest.skip(why)


def render(tmp_path: Path, source: Path, name: str, query: str = "") -> tuple[dict, Path]:
    """Write the report of `source`, open it in chromium; (what the page showed, page)."""
    page = tmp_path / f"{name}.html"
    with migkaitai.open(str(source)) as m:
        try:
            m.report(str(page))
        except migkaitai.FormatError:
            pass  # a damaged stream: the page is written, with the fault
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"report-{name}.png"
    r = subprocess.run(["node", str(BROWSER / "check_report.js"), str(page), str(shot), query],
                       capture_output=True, text=True, timeout=180,
                       env={**os.environ, "CHROMIUM": CHROMIUM})
    assert r.returncode == 0, r.stderr
    seen = json.loads(r.stdout)
    # nothing went wrong, nothing was fetched
    assert seen["console"] == [] and seen["pageErrors"] == [] and seen["requests"] == []
    assert shot.stat().st_size > 10_000 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return seen, page


def test_random_ram_report_in_the_browser(browser_ready, tmp_path):
    seen, _ = render(tmp_path, corpus.stream_file("x86/pc-ram-random-4m"), "pc-ram-random-4m",
                     "mc146818")
    assert seen["title"] == "x86__pc-ram-random-4m.mig: QEMU migration stream"
    facts = dict(seen["facts"])
    assert facts["machine"] == "pc-i440fx-7.2"
    # the RAM map as drawn: cell counts summed in the page (the hover gives them too)
    ram = {b["block"]: b for b in seen["ram"]}
    pc = ram["pc.ram"]
    assert pc["cells"] == 4096 and pc["perCell"] == 4 and pc["canvas"] == [1024, 256]
    assert pc["counts"] == {"unsent": 0, "zero": 15360, "data": 1024, "xbzrle": 0,
                            "compressed": 0, "resent": 0}
    assert pc["shown"] == pc["counts"]
    assert list(ram) == ["pc.ram", "/rom@etc/acpi/tables", "pc.bios", "pc.rom",
                         "/rom@etc/table-loader", "/rom@etc/acpi/rsdp"]
    # every block's drawn counts add up to its pages
    for b in seen["ram"]:
        assert sum(b["counts"].values()) == b["pages"]
    # cell 0 of pc.ram: 4 zero pages, drawn in the zero colour, and the tip says so
    assert seen["firstCellRGB"][0] == [158, 202, 225]
    assert seen["ramTip"] == "pc.ram pages 0-3\noffsets 0x0-0x3fff\nzero page: 4"
    # the devices: 30 sections, each an entry of the tree; the first expands to fields
    assert seen["devices"] == 30 and seen["treeEntries"] == 30
    assert seen["deviceCountText"] == "30 device sections"
    assert seen["expanded"]["name"] == "timer" and seen["expanded"]["open"]
    assert seen["expanded"]["rows"] == 3
    assert seen["expanded"]["firstRow"].startswith("cpu_ticks_offset int64 0x")
    # the file map: config, ram, 30 device sections, EOF; a click on a device section
    # opens its entry in the tree
    kinds = [k for k, _ in seen["segments"]]
    assert kinds.count("device") == 30 and "ram" in kinds and "description" in kinds
    assert seen["clickedDevice"]["open"] is True
    assert seen["clickedDevice"]["info"].startswith("timer (instance 0, version 2")
    # search by name
    assert seen["search"]["visible"] == ["mc146818rtc"]
    assert seen["search"]["text"] == "1 of 30 sections match"


def test_xbzrle_report_in_the_browser(browser_ready, tmp_path):
    seen, _ = render(tmp_path, corpus.stream_file("x86/pc-running-xbzrle"),
                     "pc-running-xbzrle", "irr")
    pc = {b["block"]: b for b in seen["ram"]}["pc.ram"]
    assert pc["counts"]["xbzrle"] == 128 and pc["counts"]["unsent"] == 0
    # a field name finds the devices that have it (the i8259s' irr, the ioapic's irr...)
    assert "i8259" in seen["search"]["visible"]
    assert seen["search"]["shown"] == len(seen["search"]["visible"]) >= 2


def test_damaged_stream_report_marks_the_fault(browser_ready, tmp_path):
    seen, _ = render(tmp_path, corpus.stream_file("x86/err-truncated-half"), "err-truncated-half")
    assert seen["error"].startswith("Decoding stopped (at offset 0x")
    assert seen["faultMarker"] is True
    assert seen["ram"]  # what was decoded before the fault


def test_container_report_in_the_browser(browser_ready, tmp_path):
    """A libvirt save image (raw): the container's facts, the stream after its header
    (the file map starts with the part before the stream)."""
    seen, _ = render(tmp_path, corpus.container_file("lv-raw.save"), "lv-raw")
    facts = dict(seen["facts"])
    assert "libvirt" in " ".join(facts).lower() + " ".join(facts.values()).lower()
    assert seen["segments"][0][0] == "before"
    assert seen["devices"] > 0


def test_reports_are_valid_html(browser_ready, tmp_path):
    pages = []
    for name in ("x86/pc-ram-random-4m", "x86/err-truncated-half", "other/ppc64-pseries-default",
                 "exotic/v7.2-avr-mega2560"):
        page = tmp_path / (name.replace("/", "-") + ".html")
        with migkaitai.open(str(corpus.stream_file(name))) as m:
            try:
                m.report(str(page))
            except migkaitai.FormatError:
                pass
        pages.append(str(page))
    r = subprocess.run([str(BROWSER / "node_modules" / ".bin" / "html-validate"),
                        "--config", str(BROWSER / ".htmlvalidate.json"), *pages],
                       capture_output=True, text=True, cwd=BROWSER)
    assert r.returncode == 0, r.stdout + r.stderr


def test_classes_match_the_page():
    """The page's script names the classes the library counts, in its order."""
    js = (ROOT / "migkaitai" / "render" / "report.js").read_text()
    for c in CLASSES:
        assert f"{c}:" in js
