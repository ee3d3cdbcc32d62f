"""The one reader of settings from the environment.

Every setting that varies between deployments comes through :func:`env`. A variable
``NAME_FILE`` (a path) is read instead of ``NAME`` when set, so secrets can come
from files mounted by the orchestrator. A required variable that is missing fails
loudly at start-up rather than at first use.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

_MISSING = object()


def _to_bool(value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"not a boolean: {value!r}")


def _to_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


CASTS: dict[type | str, Callable[[str], Any]] = {
    str: str,
    int: int,
    bool: _to_bool,
    list: _to_list,
}


def env(name: str, default: Any = _MISSING, cast: type | str = str) -> Any:
    """Read ``name`` (or the file named by ``name_FILE``) and cast it.

    Raises ImproperlyConfigured when the variable is missing and has no default, or
    when its value cannot be cast.
    """
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        try:
            raw: str | None = Path(file_path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_path} cannot be read: {exc}") from exc
    else:
        raw = os.environ.get(name)
    if raw is None:
        if default is _MISSING:
            raise ImproperlyConfigured(f"Environment variable {name} is required")
        return default
    try:
        return CASTS[cast](raw)
    except (ValueError, KeyError) as exc:
        raise ImproperlyConfigured(f"Environment variable {name}={raw!r} is not a valid {cast}") from exc
