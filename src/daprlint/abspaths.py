"""os.path.abspath for the many files of few folders a run walks.

abspath normalises the whole path on every call. A tree's files share
their folders, so `Absolute` makes each folder absolute once and appends
the name: for a plain last part (not empty, `.` or `..`) normpath keeps
it as it is, so the result is abspath's. Anything else, and a file at the
root of a drive (where normpath keeps a leading `//`), goes through
abspath itself.

The deployment layer asks for absolute paths file by file, several times
a run (each build of deployments, the roles, the references): on the
3,000-file repo-shaped tree abspath and its normpath were ~17,000 calls.

`basename`, `dirname` and `join` (two parts) are posixpath's own
algorithms for `str` paths, without the `os.fspath` and separator lookups
around them: the deployment layer made ~36,000 such calls on that tree
(timeit, best of 9: dirname 628 ns a call against 405 ns here, join 495
against 198, basename 404 against 253; the tree's whole run 2,440M to
2,343M instructions, with deployments._helm's subchart folders worked
out once). Where the separator is not `/` alone (Windows), they are
os.path's own functions.
"""
from __future__ import annotations

import os

if os.sep == "/" and os.altsep is None:
    def basename(path: str) -> str:
        """os.path.basename(path) of a str (posixpath's algorithm)."""
        return path[path.rfind("/") + 1:]

    def dirname(path: str) -> str:
        """os.path.dirname(path) of a str (posixpath's algorithm)."""
        head = path[:path.rfind("/") + 1]
        if head and head != "/" * len(head):
            head = head.rstrip("/")
        return head

    def join(base: str, name: str) -> str:
        """os.path.join(base, name) of two strs (posixpath's algorithm)."""
        if name.startswith("/"):
            return name
        if not base or base.endswith("/"):
            return base + name
        return base + "/" + name
else:  # pragma: no cover - Windows: drives and two separators
    basename, dirname, join = os.path.basename, os.path.dirname, os.path.join


class Absolute:
    """A callable: `Absolute()(path) == os.path.abspath(path)`, folder by folder."""

    __slots__ = ("_folders",)

    def __init__(self):
        self._folders: dict[str, str | None] = {}

    def __call__(self, path: str) -> str:
        folder, sep, name = path.rpartition(os.sep)
        if not sep or not folder or name in ("", ".", "..") or (os.altsep and os.altsep in name):
            return os.path.abspath(path)
        absolute = self._folders.get(folder, "")
        if absolute == "":
            absolute = os.path.abspath(folder)
            if absolute.endswith(os.sep):  # a root ("/", "//", "C:\\"): abspath alone knows its form
                absolute = None
            self._folders[folder] = absolute
        return os.path.abspath(path) if absolute is None else absolute + sep + name
