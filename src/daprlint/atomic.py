"""Atomic file writes: a temporary file in the same folder, then os.replace."""
from __future__ import annotations

import os
from pathlib import Path


def atomic_write(path: str | Path, data: bytes, mode: int | None = None) -> None:
    """Replace *path* with *data*; a crash leaves the old file or the new one, never half."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if mode is None:
        try:
            mode = os.stat(path).st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o644
    fd, tmp = _create_temp(folder, path.name)
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), mode)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        _before_replace(tmp, path)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _create_temp(folder: Path, name: str) -> tuple[int, str]:
    """A new file next to the target, as tempfile.mkstemp makes it (O_EXCL,
    mode 0600, a random name); `tempfile` itself costs ~3 ms to import."""
    for _ in range(100):
        tmp = str(folder / f".{name}.{os.urandom(6).hex()}.daprlint-tmp")
        try:
            return os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name in {folder}")


def _before_replace(tmp: str, path: Path) -> None:
    """A seam for tests that simulate a crash between write and replace."""
