import io
import os
import stat
import struct
import tracemalloc
import zipfile

import pytest

from library.archives import ArchiveEntry, ArchiveError, MiB, read_zip, unique_names

JPEG = b"\xff\xd8\xff\xe0" + os.urandom(2000)  # random bytes do not compress, like a photo


def build(*entries: tuple[str | zipfile.ZipInfo, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


def entries(data: bytes, **limits: int) -> list[ArchiveEntry]:
    return list(read_zip(io.BytesIO(data), **limits))


def patch_headers(data: bytes, name: bytes, *, local: int, central: int, value: bytes) -> bytes:
    """Overwrite a field of the entry's local header and its central directory record."""
    patched = bytearray(data)
    for signature, offset, name_at in ((b"PK\x03\x04", local, 30), (b"PK\x01\x02", central, 46)):
        start = patched.find(signature)
        while start != -1:
            if patched[start + name_at : start + name_at + len(name)] == name:
                patched[start + offset : start + offset + len(value)] = value
            start = patched.find(signature, start + 1)
    return bytes(patched)


def test_files_come_back_with_their_base_names_and_directories_are_skipped():
    data = build(("shoot/", b""), ("shoot/red.jpg", JPEG), ("blue.png", b"\x89PNG" + JPEG))
    assert entries(data) == [
        ArchiveEntry("red.jpg", JPEG, None),
        ArchiveEntry("blue.png", b"\x89PNG" + JPEG, None),
    ]


@pytest.mark.parametrize("data", [b"", b"not a zip at all", build(("a.jpg", JPEG))[:-30]])
def test_a_file_that_is_not_a_zip_is_refused_when_read_zip_is_called(data):
    with pytest.raises(ArchiveError, match="not a zip archive, or it is damaged"):
        read_zip(io.BytesIO(data))  # not only when iterated


@pytest.mark.parametrize(
    "path", ["../../etc/passwd", "/etc/passwd", "C:/Windows/evil.jpg", "shoot\\..\\evil.jpg"]
)
def test_paths_that_leave_the_folder_are_refused_by_name(path):
    [entry] = entries(build((path, JPEG), ("../", b"")))
    assert entry.data is None
    assert entry.error is not None and path in entry.error
    assert entry.name == path.replace("\\", "/").rsplit("/", 1)[-1]


def test_macos_and_windows_junk_is_skipped_silently():
    data = build(
        ("__MACOSX/shoot/._red.jpg", b"\x00\x05\x16\x07"),
        ("shoot/.DS_Store", b"\x00\x00\x00\x01Bud1"),
        ("._blue.jpg", b"\x00\x05\x16\x07"),
        ("shoot/Thumbs.db", b"\xd0\xcf"),
        ("shoot/red.jpg", JPEG),
    )
    assert [entry.name for entry in entries(data)] == ["red.jpg"]


def test_encrypted_entries_are_refused_one_by_one():
    data = build(("secret.jpg", JPEG), ("open.jpg", JPEG))
    flag = struct.pack("<H", 0x1)
    data = patch_headers(data, b"secret.jpg", local=6, central=8, value=flag)
    secret, plain = entries(data)
    assert secret.data is None and "encrypted" in (secret.error or "")
    assert plain == ArchiveEntry("open.jpg", JPEG, None)


def test_symlinks_are_refused():
    link = zipfile.ZipInfo("logo.png")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    [entry] = entries(build((link, b"/etc/passwd")))
    assert entry.data is None and "symbolic link" in (entry.error or "")


def test_nested_archives_are_refused_by_name_and_by_content():
    inner = build(("a.jpg", JPEG))
    by_name, by_content = entries(build(("more.zip", inner), ("disguised.jpg", inner)))
    assert by_name.data is None and "archive inside the zip" in (by_name.error or "")
    assert by_content.data is None and "archive inside the zip" in (by_content.error or "")


def test_ten_mb_of_zeros_compressed_to_ten_kb_exceeds_the_ratio():
    data = build(("bomb.bmp", bytes(10 * MiB)), ("fine.jpg", JPEG))
    assert len(data) < 20_000
    bomb, fine = entries(data)
    assert bomb.data is None and "zip bomb" in (bomb.error or "")
    assert fine.data == JPEG


def test_a_small_file_that_compresses_well_is_not_a_bomb():
    [entry] = entries(build(("flat.svg", b"<svg/>" + b" " * 100_000)))
    assert entry.error is None


def test_a_header_that_understates_the_size_cannot_blow_memory():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("liar.jpg", "w") as stream:
            for _ in range(100):
                stream.write(bytes(MiB))  # 100 MB of zeros, ~100 KB compressed
    small = struct.pack("<I", 1000)
    data = patch_headers(buffer.getvalue(), b"liar.jpg", local=22, central=24, value=small)
    tracemalloc.start()
    try:
        [entry] = entries(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert entry.data is None and "damaged" in (entry.error or "")
    assert peak < 5 * MiB


def test_an_entry_over_the_cap_is_refused_before_it_is_read():
    big, fine = entries(
        build(("big.jpg", os.urandom(2 * MiB)), ("fine.jpg", JPEG)), max_entry_bytes=MiB
    )
    assert big.data is None and big.error == "“big.jpg” is larger than 1 MB."
    assert fine.data == JPEG


def test_the_whole_archive_is_refused_over_the_total():
    data = build(*((f"{i}.jpg", os.urandom(MiB)) for i in range(3)))
    with pytest.raises(ArchiveError, match="add up to more than 2 MB"):
        entries(data, max_total_bytes=2 * MiB)


def test_too_many_entries_refuse_the_archive():
    data = build(*((f"{i}.jpg", JPEG) for i in range(4)))
    with pytest.raises(ArchiveError, match="holds 4 entries; the most we take is 3"):
        entries(data, max_entries=3)


def test_a_damaged_entry_is_refused_and_the_others_still_read():
    data = bytearray(build(("broken.jpg", bytes(5000) + JPEG), ("fine.jpg", JPEG)))
    start = data.find(b"broken.jpg") + len(b"broken.jpg")
    data[start + 5 : start + 25] = b"\xff" * 20  # the deflate stream, after the local header
    broken, fine = entries(bytes(data))
    assert broken.data is None and "damaged" in (broken.error or "")
    assert fine.data == JPEG


@pytest.mark.parametrize("encoding", ["gbk", "utf-8"])
def test_chinese_names_without_the_utf8_flag_are_recovered(encoding):
    # Windows in a Chinese locale writes GBK, macOS writes UTF-8, both without flag 0x800.
    name = "夏季防晒霜主图.jpg".encode(encoding)
    placeholder = b"x" * (len(name) - 4) + b".jpg"
    data = build((placeholder.decode(), JPEG)).replace(placeholder, name)
    [entry] = entries(data)
    assert entry.name == "夏季防晒霜主图.jpg"
    assert entry.data == JPEG


def test_flagged_utf8_and_real_cp437_names_are_kept():
    cp437 = "café.jpg".encode("cp437")
    placeholder = b"x" * (len(cp437) - 4) + b".jpg"
    data = build(("主图/白底图.png", JPEG), (placeholder.decode(), JPEG)).replace(
        placeholder, cp437
    )
    assert [entry.name for entry in entries(data)] == ["白底图.png", "café.jpg"]


def test_duplicate_base_names_are_suffixed_before_the_extension():
    data = build(("a/photo.jpg", JPEG), ("b/photo.jpg", JPEG), ("c/Photo.JPG", JPEG))
    assert [entry.name for entry in entries(data)] == [
        "photo.jpg",
        "photo (2).jpg",
        "Photo (3).JPG",
    ]


def test_unique_names():
    names = ["a.jpg", "a.jpg", "a (2).jpg", "noext", "noext", ".hidden", ".hidden", "主图.png"]
    assert unique_names(names) == [
        "a.jpg", "a (2).jpg", "a (2) (2).jpg", "noext", "noext (2)", ".hidden", ".hidden (2)",
        "主图.png",
    ]  # fmt: skip
