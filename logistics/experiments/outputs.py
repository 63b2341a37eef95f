"""Where results go: output paths checked before any work, a run's folder replaced whole (no files of an
earlier run left beside the new ones), files written through a temporary name so a reader never sees half."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from logistics.core.errors import LogisticsError

__all__ = ["MANIFEST", "OutputError", "check_out_dir", "check_out_file", "replace_folder", "write_text_atomic"]

MANIFEST = "run.json"
"""Written into every run folder: what ran, its status and error, the files it holds."""


class OutputError(LogisticsError):
    """An output path that cannot be used; raised before any work is done."""


def _writable_ancestor(path: Path, option: str) -> None:
    probe = path
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise OutputError(f"{option} {path}: {probe} is a file, not a folder")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise OutputError(f"{option} {path}: cannot write into {probe} (permission denied)")


def check_out_dir(path: Path, option: str = "--out") -> None:
    """Refuse, before any work, an output folder that is a file, cannot be written, or holds files that are
    not a previous run's (those would be deleted when the run replaces the folder)."""
    if path.exists() and not path.is_dir():
        raise OutputError(f"{option} {path}: is a file, not a folder")
    if path.is_dir():
        entries = [p.name for p in path.iterdir()]
        if entries and MANIFEST not in entries:
            shown = ", ".join(sorted(entries)[:5])
            raise OutputError(
                f"{option} {path}: the folder holds files that are not from a logistics run ({shown}); "
                "choose a new or empty folder (a run replaces its folder whole)"
            )
        if entries:
            known = set(json.loads((path / MANIFEST).read_text(encoding="utf-8")).get("files", [])) | {MANIFEST}
            foreign = sorted(set(entries) - known)
            if foreign:
                raise OutputError(
                    f"{option} {path}: the folder holds files the previous run did not write "
                    f"({', '.join(foreign[:5])}); "
                    "move them or choose another folder (a run replaces its folder whole)"
                )
    _writable_ancestor(path, option)


def check_out_file(path: Path, option: str = "--out") -> None:
    """Refuse, before any work, an output file path that is a folder or cannot be written."""
    if path.is_dir():
        raise OutputError(f"{option} {path}: is a folder, give a file name")
    _writable_ancestor(path.parent, option)


def write_text_atomic(path: Path, text: str) -> None:
    """Write a text file through a temporary name in the same folder (a reader sees the old or the new file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _remove_stale(path: Path) -> None:
    """Temporary folders of earlier runs into `path` that were killed before they could clean up."""
    for stale in path.parent.glob(f".{path.name}.*-*"):
        kind, _, pid = stale.name.rpartition("-")
        if not kind.endswith((".new", ".old")) or not pid.isdigit() or _alive(int(pid)):
            continue
        shutil.rmtree(stale, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def replace_folder(path: Path, fill: Callable[[Path], Any], manifest: dict[str, Any]) -> Any:
    """Fill a fresh temporary folder beside `path` with `fill(folder)`, add the manifest (with the list of
    files), then put it in place of `path` (the previous run's folder is removed only once the new one is
    complete). Returns what `fill` returned."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(path)
    tmp = path.with_name(f".{path.name}.new-{os.getpid()}")
    old = path.with_name(f".{path.name}.old-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        value = fill(tmp)
        files = sorted(p.name for p in tmp.iterdir())
        (tmp / MANIFEST).write_text(json.dumps({**manifest, "files": files}, indent=2, default=str), encoding="utf-8")
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if path.exists():
        os.replace(path, old)
    os.replace(tmp, path)
    shutil.rmtree(old, ignore_errors=True)
    return value
