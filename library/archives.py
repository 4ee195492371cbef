"""Read the files of an uploaded zip into memory, refusing what could harm us or mislead.

Nothing is ever written to disk, so a `../` name cannot escape anywhere; such entries are still
refused, because an archive made that way was not made by a member zipping a folder of images.
Sizes are checked twice: the sizes the archive declares (cheap, before reading) and the bytes
actually decompressed, counted chunk by chunk (a header can lie).

Problems with one entry become that entry's `error` (one sentence naming it, shown to the
member next to the file); problems with the whole archive raise ArchiveError.
"""

import re
import stat
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

MiB = 1024 * 1024
GiB = 1024 * MiB
CHUNK_BYTES = 256 * 1024
# Entries that decompress to less than this are not checked for their ratio: a small file can
# compress 100:1 (a flat PNG in a BMP, an SVG) and cannot be a bomb.
RATIO_FLOOR_BYTES = MiB

_UTF8_FLAG = 0x800
_ENCRYPTED_FLAG = 0x1
_DRIVE = re.compile(r"^[A-Za-z]:")
# Files an OS adds to a folder it zips; nobody means to upload them.
_JUNK_NAMES = {".ds_store", "thumbs.db", "desktop.ini"}
_ARCHIVE_EXTENSIONS = (".zip", ".rar", ".7z", ".tar", ".gz", ".tgz", ".bz2", ".xz")
_ARCHIVE_MAGIC = (b"PK\x03\x04", b"Rar!", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b")


class ArchiveError(Exception):
    """The whole archive is refused; the message is one sentence for the member."""


@dataclass(frozen=True)
class ArchiveEntry:
    name: str  # the base file name, unique within the archive
    data: bytes | None  # None when error is set
    error: str | None


class _Names:
    """Hands out names, suffixing " (2)", " (3)"… before the extension of a name already used.

    Names compare case-insensitively: macOS and Windows treat "A.jpg" and "a.jpg" as one file,
    and members download the library into those.
    """

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def unique(self, name: str) -> str:
        stem, dot, extension = name.rpartition(".")
        if not stem:  # ".hidden" or "noextension": no extension to keep at the end
            stem, dot, extension = name, "", ""
        candidate, number = name, 2
        while candidate.casefold() in self._taken:
            candidate = f"{stem} ({number}){dot}{extension}"
            number += 1
        self._taken.add(candidate.casefold())
        return candidate


def unique_names(names: Iterable[str]) -> list[str]:
    """The names in order, repeats suffixed: a.jpg, a.jpg, A.JPG → a.jpg, a (2).jpg, A (3).JPG."""
    namer = _Names()
    return [namer.unique(name) for name in names]


def _decoded_name(info: zipfile.ZipInfo) -> str:
    """The entry's path as its author wrote it.

    Without the UTF-8 flag, zipfile decodes names as CP437, the format's default. Zips made by
    Windows in a Chinese locale (Explorer, older WinRAR) write GBK bytes there, and macOS's
    Archive Utility writes UTF-8 without the flag; both are recovered when the bytes decode
    cleanly, UTF-8 first (GBK accepts more byte strings, UTF-8 by chance almost none). A name
    with accents in real CP437 (café: 0x82 then ".") is valid in neither and stays CP437.
    """
    if info.flag_bits & _UTF8_FLAG or info.filename.isascii():
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:  # zipfile took the name from a Unicode Path extra field (0x7075)
        return info.filename
    for encoding in ("utf-8", "gbk"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def _unsafe_path(path: str) -> bool:
    if path.startswith("/") or "\\" in path or _DRIVE.match(path):
        return True
    return ".." in path.split("/")


def _is_junk(path: str) -> bool:
    parts = path.split("/")
    base = parts[-1]
    return "__MACOSX" in parts or base.startswith("._") or base.casefold() in _JUNK_NAMES


def _clean(name: str) -> str:
    # Control characters (a NUL, a newline) in a name would end up in the UI and in logs.
    return "".join(ch for ch in name if unicodedata.category(ch) != "Cc").strip()


def _q(path: str) -> str:
    return f"“{path}”"


def _bomb(path: str, limits: "_Limits") -> str:
    return f"{_q(path)} expands more than {limits.ratio} times; it looks like a zip bomb."


def _mb(size: int) -> str:
    return f"{size // MiB} MB"


def read_zip(
    fileobj: IO[bytes],
    *,
    max_entries: int = 2000,
    max_total_bytes: int = GiB,
    max_entry_bytes: int = 50 * MiB,
    max_ratio: int = 100,
) -> Iterator[ArchiveEntry]:
    """The archive's files in order, read lazily; raises ArchiveError for the whole archive.

    The archive's directory is read (and refused) now; each entry is decompressed when the
    iterator reaches it, and ArchiveError can still come from there when the files together
    exceed `max_total_bytes`. Directories, `__MACOSX/`, `.DS_Store` and `._*` are skipped.
    """
    try:
        archive = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as error:
        raise ArchiveError("The file is not a zip archive, or it is damaged.") from error
    infos = archive.infolist()
    if len(infos) > max_entries:
        archive.close()
        raise ArchiveError(
            f"The zip holds {len(infos)} entries; the most we take is {max_entries}."
        )
    declared = sum(info.file_size for info in infos if info.file_size <= max_entry_bytes)
    if declared > max_total_bytes:
        archive.close()
        raise ArchiveError(f"The zip's files add up to more than {_mb(max_total_bytes)}.")
    limits = _Limits(max_total_bytes, max_entry_bytes, max_ratio)
    return _entries(archive, infos, limits)


@dataclass
class _Limits:
    total: int
    entry: int
    ratio: int
    read: int = 0  # bytes decompressed so far, all entries together


def _entries(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: _Limits
) -> Iterator[ArchiveEntry]:
    names = _Names()
    with archive:
        for info in infos:
            path = _clean(_decoded_name(info))
            # Split on backslashes too: an entry refused for them still gets a readable name.
            base = re.split(r"[/\\]", path.rstrip("/"))[-1]
            if info.is_dir() or not base or _is_junk(path):
                continue
            error = _entry_error(info, path, limits)
            data = None
            if error is None:
                data, error = _read(archive, info, path, limits)
            yield ArchiveEntry(name=names.unique(base), data=data, error=error)


def _entry_error(info: zipfile.ZipInfo, path: str, limits: _Limits) -> str | None:
    """Why the entry is refused from its header alone, or None."""
    if _unsafe_path(path):
        return f"{_q(path)} points outside the folder it was zipped from, so it was not read."
    if stat.S_ISLNK(info.external_attr >> 16):
        return f"{_q(path)} is a symbolic link, not a file."
    if info.flag_bits & _ENCRYPTED_FLAG:
        return f"{_q(path)} is encrypted; zip it again without a password."
    if path.casefold().endswith(_ARCHIVE_EXTENSIONS):
        return f"{_q(path)} is an archive inside the zip; unpack it and zip its files instead."
    if info.file_size > limits.entry:
        return f"{_q(path)} is larger than {_mb(limits.entry)}."
    if info.file_size > RATIO_FLOOR_BYTES and info.file_size > info.compress_size * limits.ratio:
        return _bomb(path, limits)
    return None


def _read(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: str, limits: _Limits
) -> tuple[bytes | None, str | None]:
    """The entry's bytes, counted as they are decompressed, or the sentence saying why not."""
    chunks: list[bytes] = []
    size = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(CHUNK_BYTES):
                size += len(chunk)
                limits.read += len(chunk)
                if limits.read > limits.total:
                    raise ArchiveError(f"The zip's files add up to more than {_mb(limits.total)}.")
                if size > limits.entry:
                    return None, f"{_q(path)} is larger than {_mb(limits.entry)}."
                if size > RATIO_FLOOR_BYTES and size > max(info.compress_size, 1) * limits.ratio:
                    return None, _bomb(path, limits)
                chunks.append(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
        # zipfile stops at the declared size and then checks the CRC, so a header that
        # understates the size ends here too.
        return None, f"{_q(path)} is damaged and could not be read."
    except NotImplementedError:
        return None, f"{_q(path)} uses a compression method we cannot read; zip it again."
    data = b"".join(chunks)
    if data.startswith(_ARCHIVE_MAGIC):
        return (
            None,
            f"{_q(path)} is an archive inside the zip; unpack it and zip its files instead.",
        )
    return data, None
