"""Writing files without following links: atomic replace, O_NOFOLLOW, fsync.

The project's promise is that nothing is written through a link. Every
write here walks the path one component at a time with
`O_NOFOLLOW | O_DIRECTORY` (from the working directory for a relative path,
from `/` for an absolute one), so a symbolic link anywhere in the path, or
a link swapped in while daprlint works, ends the write with
`WriteRefused` instead of sending bytes somewhere else. The working
directory itself is trusted: the user chose to be there.

- `atomic_write(path, data)`: a temporary file beside the target
  (O_EXCL, O_NOFOLLOW), written and fsynced, then `os.replace`d over the
  target, then the folder fsynced. A crash leaves the old file or the new
  one. The target must be a regular file with one link (a second hard link
  would be split) or must not exist yet.
- `write_output(path, data)`: for reports (`-o/--output-file`,
  `--output-sarif`): the same for regular files; a character device or FIFO
  (`/dev/null`, a named pipe) is written in place; a folder, a link or a
  full disk is a clear `WriteRefused`, never a traceback.
- `read_no_follow(path)`: the bytes and `os.stat_result` of a regular file,
  read through the same walk (what the fixer compares before it replaces).
- `open_folder(path)`: the walk itself, returning a folder descriptor (the
  secrets file locks it, see secrets_out.py).

Where the platform lacks `dir_fd` support (Windows), the same checks are
made on paths with `os.lstat`, which leaves a race the walk closes.
"""
from __future__ import annotations

import errno
import os
import stat

TYPE_CHECKING = False  # pathlib costs 2-6 ms at start-up: annotations only, and the Windows fallback
if TYPE_CHECKING:
    from pathlib import Path

_O_DIR = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
# os.replace takes dir_fd wherever os.rename does (both are renameat); the set lists only rename
_DIR_FD = (os.open in os.supports_dir_fd and os.rename in os.supports_dir_fd and os.stat in os.supports_dir_fd
           and _O_NOFOLLOW != 0)


class WriteRefused(Exception):
    """A write daprlint will not make; the message is safe to print."""


def _components(path: str) -> tuple[str, list[str], str]:
    """(start folder, folder names to walk, final name) of *path*."""
    start = os.sep if os.path.isabs(path) else "."
    parts = [p for p in path.split(os.sep) if p not in ("", ".")]
    if os.altsep:
        parts = [q for p in parts for q in p.split(os.altsep) if q not in ("", ".")]
    if not parts or parts[-1] == "..":
        raise WriteRefused(f"{path} is a folder, not a file")
    return start, parts[:-1], parts[-1]


def open_folder(path: str | Path, create_mode: int | None = None) -> tuple[int, str]:
    """A descriptor of the folder that holds *path*, and the file's name in it.

    Each folder on the way is opened with O_NOFOLLOW: a symbolic link is
    `WriteRefused`. With *create_mode*, missing folders are made with that
    mode (umask applies); otherwise a missing folder is an OSError (ENOENT).
    """
    path = os.fspath(path)
    start, folders, name = _components(path)
    fd = os.open(start, _O_DIR)
    walked = "" if start == "." else start
    try:
        for part in folders:
            walked = os.path.join(walked, part) if walked else part
            try:
                next_fd = os.open(part, _O_DIR, dir_fd=fd)
            except FileNotFoundError:
                if create_mode is None:
                    raise
                try:
                    os.mkdir(part, create_mode, dir_fd=fd)
                except FileExistsError:
                    pass  # made by a concurrent run: opened (and checked) below
                next_fd = _open_checked(part, fd, walked)
            except OSError as exc:
                next_fd = _refuse_folder(exc, part, fd, walked)
            os.close(fd)
            fd = next_fd
    except BaseException:
        os.close(fd)
        raise
    return fd, name


def _open_checked(part: str, fd: int, walked: str) -> int:
    try:
        return os.open(part, _O_DIR, dir_fd=fd)
    except OSError as exc:
        return _refuse_folder(exc, part, fd, walked)


def _refuse_folder(exc: OSError, part: str, fd: int, walked: str) -> int:
    if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.EMLINK):
        try:
            st = os.stat(part, dir_fd=fd, follow_symlinks=False)
        except OSError:
            raise exc from None
        if stat.S_ISLNK(st.st_mode):
            raise WriteRefused(f"{walked} is a symbolic link; daprlint writes nothing through a link "
                               "(name the real path)") from None
        raise WriteRefused(f"{walked} is not a folder") from None
    raise exc


def _check_target(st: os.stat_result | None, path: str) -> None:
    """Refuse what a replace would break: a link, a folder, a special file, a second hard link."""
    if st is None:
        return
    if stat.S_ISLNK(st.st_mode):
        raise WriteRefused(f"{path} is a symbolic link; daprlint writes nothing through a link "
                           "(name the file it points to)")
    if stat.S_ISDIR(st.st_mode):
        raise WriteRefused(f"{path} is a folder, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise WriteRefused(f"{path} is not a regular file")
    if st.st_nlink > 1:
        raise WriteRefused(f"{path} has {st.st_nlink} hard links; replacing it would split them "
                           "(daprlint never writes through a link)")


def _lstat(name: str, fd: int | None) -> os.stat_result | None:
    try:
        return os.stat(name, dir_fd=fd, follow_symlinks=False) if fd is not None else os.lstat(name)
    except FileNotFoundError:
        return None


def check_target(path: str | Path) -> None:
    """Raise WriteRefused when writing *path* would follow or split a link (nothing is written)."""
    path = os.fspath(path)
    if not _DIR_FD:
        _check_path_fallback(path)
        _check_target(_lstat(path, None), path)
        return
    try:
        fd, name = open_folder(path)
    except FileNotFoundError:
        return  # a folder on the way does not exist yet: nothing there to follow
    try:
        _check_target(_lstat(name, fd), path)
    finally:
        os.close(fd)


def read_no_follow(path: str | Path) -> tuple[bytes, os.stat_result]:
    """The bytes and stat of a regular file, opened without following any link."""
    path = os.fspath(path)
    if not _DIR_FD:
        _check_path_fallback(path)
        _check_target(_lstat(path, None), path)
        with open(path, "rb") as f:
            return f.read(), os.fstat(f.fileno())
    fd, name = open_folder(path)
    try:
        try:
            file_fd = os.open(name, os.O_RDONLY | _O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), dir_fd=fd)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                _check_target(_lstat(name, fd), path)
            raise
        with os.fdopen(file_fd, "rb") as f:
            st = os.fstat(f.fileno())
            _check_target(st, path)
            return f.read(), st
    finally:
        os.close(fd)


def _new_file_mode() -> int:
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write(path: str | Path, data: bytes, mode: int | None = None, *, create_folders: int | None = None,
                 folder_fd: int | None = None) -> None:
    """Replace *path* with *data*; a crash leaves the old file or the new one, never half.

    *mode* is the new file's mode; None keeps an existing file's mode (a new
    one gets 0666 less the umask). *create_folders* makes missing folders
    with that mode. *folder_fd*, when given, is the already opened folder of
    *path* (then *path*'s name is used in it).
    """
    path = os.fspath(path)
    if not _DIR_FD:
        _atomic_write_fallback(path, data, mode, create_folders)
        return
    own = folder_fd is None
    if own:
        folder_fd, name = open_folder(path, create_folders)
    else:
        name = _components(path)[2]
    try:
        existing = _lstat(name, folder_fd)
        _check_target(existing, path)
        if mode is None:
            mode = stat.S_IMODE(existing.st_mode) if existing is not None else _new_file_mode()
        fd, tmp = _create_temp(folder_fd, name)
        try:
            with os.fdopen(fd, "wb") as f:
                os.fchmod(f.fileno(), mode)
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            _before_replace(tmp, os.fspath(path))
            os.replace(tmp, name, src_dir_fd=folder_fd, dst_dir_fd=folder_fd)
        except BaseException:
            try:
                os.unlink(tmp, dir_fd=folder_fd)
            except FileNotFoundError:
                pass
            raise
        os.fsync(folder_fd)  # the rename itself survives a crash
    finally:
        if own:
            os.close(folder_fd)


def _create_temp(folder_fd: int | None, name: str, folder: str = "") -> tuple[int, str]:
    """A new file next to the target, as tempfile.mkstemp makes it (O_EXCL,
    O_NOFOLLOW, mode 0600, a random name); `tempfile` itself costs ~3 ms to import."""
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = f".{name}.{os.urandom(6).hex()}.daprlint-tmp"
        try:
            if folder_fd is not None:
                return os.open(tmp, flags, 0o600, dir_fd=folder_fd), tmp
            tmp = os.path.join(folder, tmp)
            return os.open(tmp, flags, 0o600), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {name}")


def _before_replace(tmp: str, path: str) -> None:
    """A seam for tests that simulate a crash between write and replace."""


def replace_if_unchanged(path: str, original: bytes, stat_before: os.stat_result, data: bytes,
                         before_write=None) -> str | None:
    """Replace *path* with *data*, atomically and never through a link, unless
    it changed since *original* was read at *stat_before*; why not, or None.
    *before_write* (returning why not, or None) runs once the checks pass: the
    fixer moves secrets out there, before the manifest loses them."""
    try:
        now, st = read_no_follow(path)
    except WriteRefused as exc:
        return str(exc)
    except OSError as exc:
        return f"cannot re-read the file ({exc.strerror})"
    if not os.access(path, os.W_OK):
        return "the file is read-only"
    if now != original or st.st_mtime_ns != stat_before.st_mtime_ns or st.st_ino != stat_before.st_ino:
        return "the file changed on disk while daprlint worked"
    why = before_write() if before_write is not None else None
    if why:
        return why
    try:
        atomic_write(path, data)
    except WriteRefused as exc:
        return str(exc)
    except OSError as exc:
        return f"cannot write the file ({exc.strerror})"
    return None


def write_output(path: str | Path, data: bytes) -> None:
    """Write a report: atomically to a regular file, in place to a device or FIFO.

    Raises WriteRefused (safe to print) for a link, a folder, a hard-linked
    file or any OSError (a full disk, a missing permission)."""
    path = os.fspath(path)
    try:
        _write_output(path, data)
    except WriteRefused:
        raise
    except OSError as exc:
        raise WriteRefused(f"cannot write {path}: {exc.strerror or type(exc).__name__}") from None


def _write_output(path: str, data: bytes) -> None:
    if not _DIR_FD:
        st = _lstat(path, None)
        if st is not None and (stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode)):
            with open(path, "wb") as f:
                f.write(data)
            return
        _atomic_write_fallback(path, data, None, 0o777)
        return
    folder_fd, name = open_folder(path, 0o777)
    try:
        st = _lstat(name, folder_fd)
        if st is not None and (stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode)):
            fd = os.open(name, os.O_WRONLY | _O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), dir_fd=folder_fd)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
            finally:
                os.close(fd)
            return
        atomic_write(path, data, folder_fd=folder_fd)
    finally:
        os.close(folder_fd)


# -- platforms without dir_fd ------------------------------------------------
def _check_path_fallback(path: str) -> None:
    from pathlib import Path

    walked = ""
    for part in Path(path).parent.parts:
        walked = os.path.join(walked, part) if walked else part
        st = _lstat(walked, None)
        if st is not None and stat.S_ISLNK(st.st_mode):
            raise WriteRefused(f"{walked} is a symbolic link; daprlint writes nothing through a link "
                               "(name the real path)")


def _atomic_write_fallback(path: str, data: bytes, mode: int | None, create_folders: int | None) -> None:
    _check_path_fallback(path)
    folder = os.path.dirname(path) or "."
    if create_folders is not None:
        os.makedirs(folder, create_folders, exist_ok=True)
    existing = _lstat(path, None)
    _check_target(existing, path)
    if mode is None:
        mode = stat.S_IMODE(existing.st_mode) if existing is not None else _new_file_mode()
    fd, tmp = _create_temp(None, os.path.basename(path), folder)
    try:
        with os.fdopen(fd, "wb") as f:
            os.chmod(tmp, mode)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        _before_replace(tmp, os.fspath(path))
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
