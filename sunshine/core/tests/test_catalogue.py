"""The zh-Hans catalogue stays complete: every translatable string has a Chinese translation.

zh-Hans is the default language, so an English string left untranslated shows up in English
on the Chinese site. When one of these tests fails after you added or changed a string:

    make messages          # regenerates locale/zh_Hans/LC_MESSAGES/django.po
    # translate every new entry (msgstr "") and remove every "#, fuzzy" flag
    msgfmt --check-format -o /dev/null locale/zh_Hans/LC_MESSAGES/django.po

and commit django.po (the .mo is built by `compilemessages` in the Makefile).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
# The same trees `make messages` skips, plus the catalogue itself (copied separately).
SKIPPED_TOP_LEVEL = {".venv", "var", "node_modules", "locale"}
IGNORE_PATTERNS = [".venv", "var", "node_modules"]


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgstrs: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False


_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+"(.*)"\s*$')
_CONTINUATION = re.compile(r'^"(.*)"\s*$')


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text)


def po_entries(text: str) -> list[Entry]:
    """A small .po parser: entries with their msgid, plural, translations and flags."""
    entries: list[Entry] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        entry, current = Entry(), ""
        for line in block.splitlines():
            if line.startswith("#~"):
                entry.obsolete = True
            elif line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif match := _KEYWORD.match(line):
                current, value = match.group(1), _unquote(match.group(2))
                if current == "msgid":
                    entry.msgid = value
                elif current == "msgid_plural":
                    entry.msgid_plural = value
                elif current.startswith("msgstr"):
                    entry.msgstrs.append(value)
            elif match := _CONTINUATION.match(line):
                value = _unquote(match.group(1))
                if current == "msgid":
                    entry.msgid += value
                elif current == "msgid_plural":
                    entry.msgid_plural = (entry.msgid_plural or "") + value
                elif current.startswith("msgstr"):
                    entry.msgstrs[-1] += value
        if not entry.obsolete and (entry.msgstrs or entry.flags):
            entries.append(entry)
    return entries


def _copy_sources(destination: Path) -> None:
    """Copy the project (without the catalogue, the venv and var) so that makemessages,
    which writes into the locale directory of the tree it walks and drops temporary
    files next to each template, never touches the working tree."""
    base = Path(settings.BASE_DIR)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".*", "node_modules")
    for child in base.iterdir():
        if child.name in SKIPPED_TOP_LEVEL or child.name.startswith("."):
            continue
        if child.is_dir():
            shutil.copytree(child, destination / child.name, ignore=ignore, symlinks=True)
        elif child.is_file():
            shutil.copy2(child, destination / child.name)


def _require_gettext() -> None:
    missing = [tool for tool in ("xgettext", "msgmerge", "msgfmt") if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"GNU gettext is needed to check the zh-Hans catalogue; not found: {', '.join(missing)}.")


def test_zh_hans_catalogue_translates_every_string_in_the_code(tmp_path):
    """Regenerate the catalogue from the code, as `make messages` does, and require every
    entry to be translated and none fuzzy. A failure lists the msgids to translate."""
    _require_gettext()
    project = tmp_path / "project"
    project.mkdir()
    _copy_sources(project)
    locale_dir = project / "locale"
    messages_dir = locale_dir / "zh_Hans" / "LC_MESSAGES"
    messages_dir.mkdir(parents=True)
    shutil.copy2(CATALOGUE, messages_dir / "django.po")

    cwd = Path.cwd()
    os.chdir(project)
    try:
        with override_settings(LOCALE_PATHS=[locale_dir]):
            call_command(
                "makemessages", locale=["zh_Hans"], ignore_patterns=IGNORE_PATTERNS, no_obsolete=True, verbosity=0
            )
    finally:
        os.chdir(cwd)

    regenerated = po_entries((messages_dir / "django.po").read_text(encoding="utf-8"))
    assert len(regenerated) > 100, "makemessages found almost nothing: is the project copied whole?"
    header = [entry for entry in regenerated if entry.msgid == ""]
    assert header and "fuzzy" not in header[0].flags, 'The catalogue header is marked "#, fuzzy"; remove the flag.'
    fuzzy = [entry.msgid for entry in regenerated if entry.msgid and "fuzzy" in entry.flags]
    untranslated = [entry.msgid for entry in regenerated if entry.msgid and not all(entry.msgstrs)]
    problems = [f"untranslated: {msgid!r}" for msgid in untranslated] + [f"fuzzy: {msgid!r}" for msgid in fuzzy]
    assert not problems, (
        "The zh-Hans catalogue is out of date with the code. Run `make messages`, translate these entries "
        "in locale/zh_Hans/LC_MESSAGES/django.po and remove their fuzzy flags:\n  " + "\n  ".join(problems)
    )


def test_zh_hans_catalogue_passes_msgfmt_check_format():
    """Placeholders (%(name)s, %s, {name}) and plural forms of every translation match its msgid."""
    _require_gettext()
    result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        ["msgfmt", "--check-format", "--check-header", "-o", os.devnull, str(CATALOGUE)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"msgfmt --check-format failed on {CATALOGUE}:\n{result.stderr}"


def test_po_entries_sees_untranslated_and_fuzzy_entries():
    """The parser the catalogue check relies on recognises each kind of entry."""
    text = """msgid ""
msgstr ""
"Language: zh_Hans\\n"

msgid "Done"
msgstr "完成"

#, python-format
msgid ""
"Long %(n)s "
"text"
msgstr ""

#, fuzzy
msgid "Old"
msgstr "旧"

msgid "%(n)s entry"
msgid_plural "%(n)s entries"
msgstr[0] ""

#~ msgid "Gone"
#~ msgstr ""
"""
    entries = {entry.msgid: entry for entry in po_entries(text)}
    assert set(entries) == {"", "Done", "Long %(n)s text", "Old", "%(n)s entry"}
    assert entries[""].msgstrs == ["Language: zh_Hans\n"]
    assert entries["Done"].msgstrs == ["完成"] and not entries["Done"].flags
    assert entries["Long %(n)s text"].msgstrs == [""] and "python-format" in entries["Long %(n)s text"].flags
    assert "fuzzy" in entries["Old"].flags
    assert entries["%(n)s entry"].msgid_plural == "%(n)s entries" and entries["%(n)s entry"].msgstrs == [""]


def test_every_model_of_the_project_has_its_name_in_chinese() -> None:
    """A model's name reaches readers (the audit list, the admin, supervised items): each
    model of the project names itself, and the name is translated."""
    import re

    from django.apps import apps
    from django.utils import translation

    untranslated = []
    with translation.override("zh-hans"):
        for model in apps.get_models():
            if not model.__module__.startswith("sunshine."):
                continue
            names = (str(model._meta.verbose_name), str(model._meta.verbose_name_plural))
            if any(re.search(r"[A-Za-z]", name) for name in names):
                untranslated.append(f"{model._meta.label}: {names[0]}")
    assert not untranslated, untranslated
