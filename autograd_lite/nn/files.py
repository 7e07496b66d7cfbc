"""Writing files safely: one step from old to new, the umask respected, errors naming the file.

`write_atomically` is how model files are saved; `file_path` checks a path argument.
"""

from __future__ import annotations

import contextlib
import errno
import os
import reprlib
import secrets
import stat

__all__ = ["file_path", "write_atomically"]


def file_path(path: object, who: str) -> str:
    """`path` as a str, or a clear error naming the argument for anything that is not one."""
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(
            f"{who} argument 'path' must be a file path (a str or pathlib.Path such as "
            f"'model.json'), got {type(path).__name__} {reprlib.repr(path)}"
        )
    text = os.fspath(path)
    text = os.fsdecode(text) if isinstance(text, bytes) else text
    if not text:
        raise ValueError(f"{who} argument 'path' is empty; pass a file name such as 'model.json'")
    if "\0" in text:
        raise ValueError(f"{who} argument 'path' contains a NUL character: {text!r}")
    return text


def _naming(exc: OSError, target: str) -> OSError:
    """`exc` re-made to name `target` (never the temporary file), of the same subclass."""
    if exc.errno is not None:
        return OSError(exc.errno, exc.strerror or os.strerror(exc.errno), target)
    return type(exc)(f"cannot write {target}: {exc}")


def _existing_mode(target: str) -> int | None:
    """The permission bits of an existing `target` (None if there is none), after refusing a
    target that `open(target, "w")` would refuse or that is not a plain file."""
    try:
        st = os.stat(target)
    except FileNotFoundError:
        return None
    if stat.S_ISDIR(st.st_mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), target)
    if not stat.S_ISREG(st.st_mode):
        raise ValueError(f"cannot save to {target!r}: it exists and is not a regular file")
    # os.access answers as open() would; a file with no write bit at all is read-only on
    # purpose, which even an administrator's save should not silently undo.
    if not os.access(target, os.W_OK) or not st.st_mode & 0o222:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), target)
    return st.st_mode & 0o777  # read and write bits; never set-id bits on a new file


def _temporary_file(folder: str, name: str, mode: int | None) -> tuple[int, str]:
    """A new file beside the target: (descriptor, path). A new target's permissions are what
    any new file gets (0666 less the umask); a replaced file keeps its own."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = os.path.join(folder, f".{name}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(tmp, flags, 0o666)
        except FileExistsError:
            continue
        if mode is not None:
            try:
                os.chmod(tmp, mode)
            except BaseException:
                os.close(fd)
                os.unlink(tmp)
                raise
        return fd, tmp
    raise FileExistsError(errno.EEXIST, "no free temporary name", os.path.join(folder, name))


def write_atomically(target: str, data: bytes) -> None:
    """Replace `target` by a file holding `data` in one step: readers see old or new, never
    half; on any failure (Ctrl-C included) the old file stays and the temporary one goes.

    A symlink is followed (the file it points to is replaced). Errors name `target`.
    """
    real = os.path.realpath(target) if os.path.islink(target) else target
    folder = os.path.dirname(os.path.abspath(real))
    tmp: str | None = None
    try:
        mode = _existing_mode(real)
        fd, tmp = _temporary_file(folder, os.path.basename(real), mode)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())  # the bytes are on disk before the rename makes them live
        os.replace(tmp, real)
        tmp = None
        _sync_folder(folder)
    except OSError as exc:
        raise _naming(exc, target) from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _sync_folder(folder: str) -> None:
    """Make the rename itself durable where the system allows syncing a folder."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
