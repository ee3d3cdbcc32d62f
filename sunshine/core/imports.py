"""Reading an uploaded spreadsheet (.xlsx or .csv) without letting it exhaust the server:
the one way every import (fee ledgers, and later applications, disbursements,
attendance) turns a file into rows.

1. ``spreadsheet_check`` looks at the file before anything parses it. For .xlsx it
   reads only the zip directory: member count, each member's and the total
   uncompressed size, the compression ratio, the size of the shared strings and that
   the package has a worksheet at all. (Python's ``zipfile`` never inflates a member
   beyond the size its directory entry declares, so a lying directory cannot get past
   these sums.) For .csv it checks the size.
2. ``spreadsheet_rows`` then parses in a separate process (``run_limited``: a fresh
   interpreter, its address space capped with ``RLIMIT_AS``, a wall-clock timeout),
   caps each cell's length (the CSV reader stops inside an over-long field) and
   returns plain rows. A parse that runs out of memory
   or time dies alone; the web process gets a clear refusal.

Every refusal is an :class:`ImportRefused` (a ``ValidationError``) with a translated
message; nothing has been parsed or stored by this module. The child process runs
only this module's top level (no Django set-up), so its errors travel back as codes
and are translated here.
"""

from __future__ import annotations

import csv
import io
import os
import pickle
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

__all__ = [
    "ImportRefused",
    "SheetLimits",
    "WorkerFailed",
    "own_files_parsed_in_process",
    "run_limited",
    "spreadsheet_check",
    "spreadsheet_rows",
]

MiB = 1024 * 1024
Row = tuple[int, list[Any]]  # (row number as the spreadsheet shows it, cell values)


@dataclass(frozen=True)
class SheetLimits:
    """What an import accepts. The defaults suit a school's ledger; an import may pass
    tighter ones (``dataclasses.replace(SheetLimits(), max_cell_chars=500)``)."""

    max_bytes: int = 20 * MiB  # the file as uploaded
    max_members: int = 500  # files inside an .xlsx package
    max_uncompressed: int = 200 * MiB  # all members, inflated
    max_member: int = 100 * MiB  # one member, inflated
    max_shared_strings: int = 50 * MiB  # xl/sharedStrings.xml, inflated (openpyxl holds it all)
    max_ratio: int = 200  # inflated / compressed, for members and packages over ratio_floor
    ratio_floor: int = 1 * MiB  # small members may compress well; large ones may not do so wildly
    max_cell_chars: int = 32_767  # Excel's own limit for one cell
    max_columns: int = 1_000
    max_rows: int = 1_000_000
    memory_bytes: int = 1024 * MiB  # address space of the parsing process
    timeout_seconds: float = 120.0


class ImportRefused(ValidationError):
    """The file was refused before or while parsing; the message says why in the
    reader's language. Nothing was imported."""


class WorkerFailed(Exception):
    """``run_limited``'s child did not finish: ``reason`` is ``memory``, ``timeout`` or
    ``crashed``."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


class _SheetError(Exception):
    """Raised inside the child: a code and its parameters, translated by the parent."""

    def __init__(self, code: str, **params: Any):
        super().__init__(code, params)
        self.code = code
        self.params = params


# --- The limited child process -------------------------------------------------------

# The child's whole program: take the parent's import path, then run _child_main. A
# plain interpreter, never the parent's __main__ (multiprocessing's "spawn" would run
# the server's entry script again), and no Django set-up.
_CHILD_BOOTSTRAP = (
    "import pickle, sys; sys.path[:] = pickle.load(sys.stdin.buffer); "
    # openpyxl imports numpy only if it can; the cells need none of it (a third of the start-up).
    "sys.modules['numpy'] = None; "
    "from sunshine.core.imports import _child_main; _child_main()"
)


def _child_main() -> None:
    """In the child: read (fn, args, memory_bytes) from stdin, cap the address space,
    run, and write the pickled outcome to stdout (stray prints go to stderr)."""
    import importlib
    import os
    import pickle
    import resource
    import sys

    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    preload, fn, args, memory_bytes = pickle.load(sys.stdin.buffer)  # noqa: S301 - written by our parent
    for module in preload:  # libraries are loaded before the cap: the cap is for the work
        importlib.import_module(module)
    try:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        soft = memory_bytes if hard == resource.RLIM_INFINITY else min(memory_bytes, hard)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        outcome: tuple[Any, ...] = ("ok", fn(*args))
    except MemoryError:
        outcome = ("memory",)
    except _SheetError as exc:
        outcome = ("refused", exc.code, exc.params)
    except Exception as exc:  # the parser's own errors on a damaged file: reported, not raised
        outcome = ("failed", f"{type(exc).__name__}: {str(exc)[:200]}")
    try:
        body = pickle.dumps(outcome)
    except MemoryError:
        body = pickle.dumps(("memory",))
    out.write(body)
    out.flush()


_IN_PROCESS: ContextVar[bool] = ContextVar("sunshine_own_files_parsed_in_process", default=False)


@contextmanager
def own_files_parsed_in_process() -> Iterator[None]:
    """Within this block ``run_limited`` runs ``fn`` in this process: for files the
    platform made itself (the demo district's ledgers, a fresh interpreter per file was
    most of that builder's time). Never around a file somebody uploaded."""
    token = _IN_PROCESS.set(True)
    try:
        yield
    finally:
        _IN_PROCESS.reset(token)


def run_limited(
    fn: Callable[..., Any], *args: Any, memory_bytes: int, timeout_seconds: float, preload: tuple[str, ...] = ()
) -> Any:
    """``fn(*args)`` in a fresh interpreter whose address space is capped at
    ``memory_bytes`` (``RLIMIT_AS``) and which is killed after ``timeout_seconds``.
    ``fn`` must live at a module's top level and need no Django set-up; it, its
    arguments and its result must pickle. The modules named in ``preload`` are
    imported before the cap (a library's own start-up, e.g. numpy's thread buffers
    pulled in by openpyxl, is not the work being limited). Raises :class:`WorkerFailed` (``reason``
    ``memory``, ``timeout`` or ``crashed``) when the child does not finish, and an
    :class:`ImportRefused` when ``fn`` refused its input. The parent's memory is never
    at risk: it only reads the pickled result (except within
    :func:`own_files_parsed_in_process`)."""
    if _IN_PROCESS.get():
        try:
            return fn(*args)
        except _SheetError as exc:
            raise _refusal(exc.code, exc.params) from exc
        except Exception as exc:  # as the child reports a damaged file
            raise WorkerFailed("crashed", f"{type(exc).__name__}: {str(exc)[:200]}") from exc
    payload = pickle.dumps(list(sys.path)) + pickle.dumps((preload, fn, args, memory_bytes))
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and program
        [sys.executable, "-c", _CHILD_BOOTSTRAP],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"},
    )
    try:
        body, errors = process.communicate(payload, timeout=timeout_seconds)
    except subprocess.TimeoutExpired as exc:
        process.kill()
        process.communicate()
        raise WorkerFailed("timeout") from exc
    if process.returncode != 0 or not body:
        tail = errors.decode("utf-8", "replace")[-300:]
        reason = "memory" if "MemoryError" in tail or process.returncode < 0 else "crashed"
        raise WorkerFailed(reason, f"exit code {process.returncode}: {tail}")
    outcome = pickle.loads(body)  # noqa: S301 - our own child's answer
    if outcome[0] == "ok":
        return outcome[1]
    if outcome[0] == "memory":
        raise WorkerFailed("memory")
    if outcome[0] == "refused":
        raise _refusal(outcome[1], outcome[2])
    raise WorkerFailed("crashed", outcome[1])


# --- Messages --------------------------------------------------------------------------


_BYTE_LIMITS = frozenset({"too_large", "member_too_large", "uncompressed_too_large", "shared_strings_too_large"})


def _refusal(code: str, params: dict[str, Any]) -> ImportRefused:
    from django.template.defaultfilters import filesizeformat  # here: the parsing child never needs it

    shown = dict(params)
    if code in _BYTE_LIMITS:
        for key in ("limit", "size"):
            if key in shown:
                shown[key] = filesizeformat(shown[key])
    messages = {
        "too_large": _("The file is larger than the limit of %(limit)s."),
        "not_xlsx": _("The workbook could not be read; save it again as .xlsx and retry."),
        "too_many_members": _("The workbook has too many parts (%(count)s); save it again in Excel and retry."),
        "member_too_large": _(
            "The workbook holds more data than can be imported (%(size)s unpacked, limit %(limit)s). "
            "Remove unneeded sheets, pictures or very long texts and retry."
        ),
        "uncompressed_too_large": _(
            "The workbook holds more data than can be imported (%(size)s unpacked, limit %(limit)s). "
            "Remove unneeded sheets, pictures or very long texts and retry."
        ),
        "shared_strings_too_large": _(
            "The workbook's texts are too long (%(size)s, limit %(limit)s). Remove very long texts and retry."
        ),
        "ratio": _(
            "The workbook is packed suspiciously tightly (it unpacks to %(ratio)s times its size) "
            "and was not opened. Save it again in Excel and retry."
        ),
        "no_sheet": _("The workbook has no worksheet."),
        "cell_too_long": _(
            "Row %(row)s, column %(column)s: the cell has more than %(limit)s characters. Shorten it and retry."
        ),
        "field_too_long": _(
            "Row %(row)s: a field has more than %(limit)s characters (a quotation mark left open?). "
            "Shorten it and retry."
        ),
        "too_many_columns": _("Row %(row)s has more than %(limit)s columns."),
        "too_many_rows": _("The file has more than %(limit)s rows; split it and retry."),
        "not_text": _("The CSV file is neither UTF-8 nor GB18030 text."),
        "bad_csv": _("Row %(row)s: the CSV file is damaged; save it again and retry."),
    }
    return ImportRefused(messages[code] % shown, code=code)


def _worker_refusal(failure: WorkerFailed) -> ImportRefused:
    if failure.reason == "timeout":
        return ImportRefused(
            _("Reading the file took too long and was stopped. Split it into smaller files and retry."),
            code="timeout",
        )
    if failure.reason == "memory":
        return ImportRefused(
            _(
                "Reading the file needed more memory than allowed and was stopped. "
                "Split it into smaller files and retry."
            ),
            code="memory",
        )
    return ImportRefused(_("The workbook could not be read; save it again as .xlsx and retry."), code="unreadable")


# --- Before parsing ----------------------------------------------------------------------


def _size_of(fh: IO[bytes]) -> int:
    fh.seek(0, io.SEEK_END)
    size = fh.tell()
    fh.seek(0)
    return size


def _check(data: IO[bytes], kind: str, limits: SheetLimits) -> None:
    size = _size_of(data)
    if size > limits.max_bytes:
        raise _SheetError("too_large", limit=limits.max_bytes)
    if kind == "csv":
        return
    try:
        with zipfile.ZipFile(data) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise _SheetError("not_xlsx") from exc
    finally:
        data.seek(0)
    if len(members) > limits.max_members:
        raise _SheetError("too_many_members", count=len(members))
    total = 0
    for member in members:
        if member.file_size > limits.max_member:
            raise _SheetError("member_too_large", size=member.file_size, limit=limits.max_member)
        if member.file_size > limits.ratio_floor:
            ratio = member.file_size // max(member.compress_size, 1)
            if ratio > limits.max_ratio:
                raise _SheetError("ratio", ratio=ratio)
        if member.filename.lower().endswith("sharedstrings.xml") and member.file_size > limits.max_shared_strings:
            raise _SheetError("shared_strings_too_large", size=member.file_size, limit=limits.max_shared_strings)
        total += member.file_size
    if total > limits.max_uncompressed:
        raise _SheetError("uncompressed_too_large", size=total, limit=limits.max_uncompressed)
    if total > limits.ratio_floor and total // max(size, 1) > limits.max_ratio:
        raise _SheetError("ratio", ratio=total // max(size, 1))
    if not any(
        m.filename.lower().startswith("xl/worksheets/") and m.filename.lower().endswith(".xml") for m in members
    ):
        raise _SheetError("no_sheet")


def spreadsheet_check(fh: IO[bytes], *, kind: str, limits: SheetLimits | None = None) -> None:
    """Refuse ``fh`` (a seekable binary file; ``kind`` "xlsx" or "csv") with an
    :class:`ImportRefused` when it is too large, too many parts, packed too tightly,
    has too much text or no worksheet, before anything parses it. Reads only the size
    and, for .xlsx, the zip directory."""
    try:
        _check(fh, kind, limits or SheetLimits())
    except _SheetError as exc:
        raise _refusal(exc.code, exc.params) from exc


# --- Parsing (in the child) --------------------------------------------------------------


def _column_name(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _capped(number: int, values: list[Any], limits: SheetLimits) -> list[Any]:
    while values and values[-1] in (None, ""):
        values.pop()
    if len(values) > limits.max_columns:
        raise _SheetError("too_many_columns", row=number, limit=limits.max_columns)
    for i, value in enumerate(values):
        if isinstance(value, str) and len(value) > limits.max_cell_chars:
            raise _SheetError("cell_too_long", row=number, column=_column_name(i), limit=limits.max_cell_chars)
    return values


def _parse_xlsx(data: bytes, limits: SheetLimits) -> list[Row]:
    from openpyxl import load_workbook

    rows: list[Row] = []
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except MemoryError:
        raise
    except Exception as exc:  # openpyxl raises many kinds on a damaged package
        raise _SheetError("not_xlsx") from exc
    try:
        if not workbook.worksheets:
            raise _SheetError("no_sheet")
        sheet = workbook.worksheets[0]
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()  # never trust the declared size: rows are padded to it
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            kept = _capped(number, list(values), limits)
            if kept:
                if len(rows) >= limits.max_rows:
                    raise _SheetError("too_many_rows", limit=limits.max_rows)
                rows.append((number, kept))
    finally:
        workbook.close()
    return rows


def _parse_csv(data: bytes, limits: SheetLimits) -> list[Row]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _SheetError("not_text")
    del data
    csv.field_size_limit(limits.max_cell_chars)  # this process only: the reader stops inside a longer field
    reader = csv.reader(io.StringIO(text))
    rows: list[Row] = []
    number = 0
    while True:
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise _SheetError("field_too_long", row=reader.line_num, limit=limits.max_cell_chars) from exc
            raise _SheetError("bad_csv", row=reader.line_num, detail=str(exc)[:80]) from exc
        number += 1
        kept = _capped(number, values, limits)
        if kept:
            if len(rows) >= limits.max_rows:
                raise _SheetError("too_many_rows", limit=limits.max_rows)
            rows.append((number, kept))
    return rows


def _parse(data: bytes, kind: str, limits: SheetLimits) -> list[Row]:
    """Runs in the child: check again (cheap) and parse."""
    _check(io.BytesIO(data), kind, limits)
    return _parse_xlsx(data, limits) if kind == "xlsx" else _parse_csv(data, limits)


def spreadsheet_rows(fh: IO[bytes], *, kind: str, limits: SheetLimits | None = None) -> list[Row]:
    """The non-empty rows of the first worksheet of ``fh`` (``kind`` "xlsx" or "csv"),
    each as (row number as the spreadsheet shows it, values with trailing blanks
    dropped): dates as ``datetime``, numbers as ``int``/``float``, texts as ``str``
    (a CSV gives only texts). Checked first (:func:`spreadsheet_check`), then parsed in a
    memory- and time-limited process; raises :class:`ImportRefused` with a translated
    message on any refusal (too large, packed too tightly, a cell over
    ``limits.max_cell_chars``, no worksheet, damaged, out of memory or time)."""
    if kind not in ("xlsx", "csv"):
        raise ValueError(f"unknown spreadsheet kind: {kind!r}")
    limits = limits or SheetLimits()
    spreadsheet_check(fh, kind=kind, limits=limits)
    fh.seek(0)
    data = fh.read(limits.max_bytes + 1)
    try:
        rows: list[Row] = run_limited(
            _parse,
            data,
            kind,
            limits,
            memory_bytes=limits.memory_bytes,
            timeout_seconds=limits.timeout_seconds,
            preload=("openpyxl",) if kind == "xlsx" else (),
        )
    except WorkerFailed as failure:
        raise _worker_refusal(failure) from failure
    return rows
