"""Refresh resources/translations/crm_en.ts from the ui sources and build crm_en.qm.

English needs a translation file only for plural forms (``tr("%n case(s)", "", n)``):
every plural message without English forms gets them from its source text
(``case(s)`` -> ``case`` / ``cases``, ``opportunity(s)`` -> ``opportunity`` /
``opportunities``).  Run after adding or changing user-visible plural strings:

    python scripts/update_translations.py
"""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TS = ROOT / "resources" / "translations" / "crm_en.ts"
QM = TS.with_suffix(".qm")
BIN = Path(sys.executable).parent

_PLURAL = re.compile(r"(\w+)\(s\)")
#: A verb right after the counted word agrees with it in the singular.
_VERB = re.compile(r"(\w+\(s\) )(have|are|were|look|need)\b")
_SINGULAR_VERB = {"have": "has", "are": "is", "were": "was", "look": "looks", "need": "needs"}


def forms(source: str) -> tuple[str, str]:
    def one(match: re.Match[str]) -> str:
        return match.group(1)

    def many(match: re.Match[str]) -> str:
        word = match.group(1)
        if word.endswith("y") and word[-2:-1] not in "aeiou":
            return word[:-1] + "ies"
        return word + "s"

    singular = _VERB.sub(lambda m: m.group(1) + _SINGULAR_VERB[m.group(2)], source)
    return _PLURAL.sub(one, singular), _PLURAL.sub(many, source)


def fill_plurals(path: Path) -> int:
    tree = ET.parse(path)
    filled = 0
    for message in tree.iter("message"):
        if message.get("numerus") != "yes":
            continue
        translation = message.find("translation")
        source = message.findtext("source") or ""
        if translation is None or translation.findall("numerusform") and translation.get("type") != "unfinished":
            continue
        singular, plural = forms(source)
        for child in list(translation):
            translation.remove(child)
        translation.attrib.pop("type", None)
        for text in (singular, plural):
            ET.SubElement(translation, "numerusform").text = text
        filled += 1
    tree.write(path, encoding="utf-8", xml_declaration=True)
    return filled


def main() -> int:
    sources = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "ui").rglob("*.py"))
    subprocess.run([str(BIN / "pyside6-lupdate"), "-no-obsolete", *sources, "-ts", str(TS.relative_to(ROOT))],
                   cwd=ROOT, check=True, capture_output=True)
    filled = fill_plurals(TS)
    subprocess.run([str(BIN / "pyside6-lrelease"), str(TS), "-qm", str(QM)], cwd=ROOT, check=True,
                   capture_output=True)
    sys.stdout.write(f"{TS.name}: {filled} plural message(s) given English forms; {QM.name} rebuilt\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
