"""TFRecord files and protobuf wire format, in pure Python (no TensorFlow, no protobuf package).

Only what the NAS-Bench-101 files need:

* TFRecord framing. A file is a sequence of records, each ``uint64 length`` (little endian),
  ``uint32 masked_crc32c(length bytes)``, ``length`` data bytes, ``uint32 masked_crc32c(data)``.
  The mask is ``((crc >> 15) | (crc << 17)) + 0xa282ead8`` modulo 2**32.
* The protobuf wire format: a message is a sequence of ``(tag, value)`` pairs, ``tag = field << 3 |
  wire type``, with wire types 0 (varint), 1 (8 bytes), 2 (varint length + bytes), 5 (4 bytes).
  `decode_message` splits a message into its fields; the ``encode_*`` helpers write them.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from tgnas.atomic import atomic_output

# -- CRC-32C (Castagnoli) ------------------------------------------------------------------------
_CRC32C_POLYNOMIAL = 0x82F63B78  # reflected form of 0x1EDC6F41
_MASK_DELTA = 0xA282EAD8
_UINT32 = 0xFFFFFFFF


def _crc32c_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ _CRC32C_POLYNOMIAL if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_CRC32C_TABLE = _crc32c_table()


def crc32c(data: bytes) -> int:
    """CRC-32C of ``data`` (table driven, one byte per step)."""
    table = _CRC32C_TABLE
    crc = _UINT32
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ _UINT32


def masked_crc32c(data: bytes) -> int:
    """The CRC TFRecord stores: CRC-32C rotated right by 15 bits plus a constant."""
    crc = crc32c(data)
    return ((((crc >> 15) | (crc << 17)) & _UINT32) + _MASK_DELTA) & _UINT32


# -- TFRecord framing ----------------------------------------------------------------------------
_HEADER = struct.Struct("<QI")
_FOOTER = struct.Struct("<I")


def iter_records(path: str | Path, verify_data_crc: bool = False, progress: Callable[[int], None] | None = None) -> Iterator[bytes]:
    """Yield the data of every record in a TFRecord file.

    The CRC of each length field is always checked (a wrong length would derail the whole file);
    the CRC of the data only with ``verify_data_crc=True``, because pure-Python CRC of a
    500 MB file takes minutes. A corrupt or truncated file raises ValueError naming the record
    number and byte offset. ``progress``, if given, is called with the bytes consumed per record.
    """
    with open(path, "rb") as handle:
        yield from _read_records(handle, str(path), verify_data_crc, progress)


def _read_records(handle: BinaryIO, name: str, verify_data_crc: bool, progress: Callable[[int], None] | None) -> Iterator[bytes]:
    index = 0
    offset = 0
    while True:
        header = handle.read(_HEADER.size)
        if not header:
            return
        where = f"record {index} at byte offset {offset} of {name}"
        if len(header) < _HEADER.size:
            raise ValueError(f"TFRecord file truncated in the header of {where}")
        length_bytes = header[:8]
        length, length_crc = _HEADER.unpack(header)
        if masked_crc32c(length_bytes) != length_crc:
            raise ValueError(f"TFRecord length CRC mismatch in {where}: the file is corrupt or not a TFRecord file")
        data = handle.read(length)
        footer = handle.read(_FOOTER.size)
        if len(data) < length or len(footer) < _FOOTER.size:
            raise ValueError(f"TFRecord file truncated in {where}: expected {length} data bytes and a CRC")
        if verify_data_crc and masked_crc32c(data) != _FOOTER.unpack(footer)[0]:
            raise ValueError(f"TFRecord data CRC mismatch in {where}: the record is corrupt")
        size = _HEADER.size + length + _FOOTER.size
        if progress is not None:
            progress(size)
        yield data
        index += 1
        offset += size


def frame_record(data: bytes) -> bytes:
    """One record with its TFRecord framing."""
    length_bytes = struct.pack("<Q", len(data))
    return length_bytes + _FOOTER.pack(masked_crc32c(length_bytes)) + data + _FOOTER.pack(masked_crc32c(data))


def write_records(path: str | Path, records: Iterable[bytes]) -> None:
    """Write a TFRecord file atomically: a bad record leaves an existing file as it was."""
    with atomic_output(path, "wb") as handle:
        for record in records:
            if not isinstance(record, (bytes, bytearray)):
                raise ValueError(f"a TFRecord record must be bytes, got {type(record).__name__}")
            handle.write(frame_record(bytes(record)))


# -- protobuf wire format ------------------------------------------------------------------------
VARINT, FIXED64, LENGTH_DELIMITED, FIXED32 = 0, 1, 2, 5
_WIRE_TYPE_NAMES = {VARINT: "varint", FIXED64: "64-bit", LENGTH_DELIMITED: "length-delimited", FIXED32: "32-bit"}


def encode_varint(value: int) -> bytes:
    """Base-128 varint; a negative value is written as its 64-bit two's complement (as int32/int64 are)."""
    if value < 0:
        value += 1 << 64
    if not 0 <= value < 1 << 64:
        raise ValueError(f"varint value {value} does not fit in 64 bits")
    out = bytearray()
    while True:
        low = value & 0x7F
        value >>= 7
        if value:
            out.append(low | 0x80)
        else:
            out.append(low)
            return bytes(out)


def decode_varint(buffer: bytes, position: int) -> tuple[int, int]:
    """Read an unsigned varint at ``position``; return ``(value, next position)``."""
    value = 0
    shift = 0
    while True:
        if position >= len(buffer):
            raise ValueError(f"protobuf varint runs past the end of the message (byte {position})")
        if shift >= 64:
            raise ValueError(f"protobuf varint longer than 10 bytes at byte {position}")
        byte = buffer[position]
        position += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, position


def as_signed64(value: int) -> int:
    """A decoded varint as int32/int64 (two's complement)."""
    return value - (1 << 64) if value >= 1 << 63 else value


def _tag(field: int, wire_type: int) -> bytes:
    if field < 1:
        raise ValueError(f"protobuf field numbers start at 1, got {field}")
    return encode_varint(field << 3 | wire_type)


def encode_varint_field(field: int, value: int) -> bytes:
    return _tag(field, VARINT) + encode_varint(value)


def encode_double_field(field: int, value: float) -> bytes:
    return _tag(field, FIXED64) + struct.pack("<d", value)


def encode_bytes_field(field: int, value: bytes | str) -> bytes:
    """A string, bytes or nested-message field."""
    data = value.encode("utf-8") if isinstance(value, str) else bytes(value)
    return _tag(field, LENGTH_DELIMITED) + encode_varint(len(data)) + data


def decode_message(buffer: bytes) -> list[tuple[int, int, int | bytes]]:
    """Split a serialized message into ``(field, wire type, value)`` in file order.

    A varint value is an unsigned int (`as_signed64` for signed fields); 64-bit and 32-bit values
    are their raw 8/4 bytes (`decode_double` for doubles); length-delimited values are
    the bytes (a string, or a nested message for `decode_message`). Malformed input → ValueError.
    """
    fields: list[tuple[int, int, int | bytes]] = []
    position = 0
    while position < len(buffer):
        start = position
        key, position = decode_varint(buffer, position)
        field, wire_type = key >> 3, key & 7
        if field == 0:
            raise ValueError(f"protobuf field number 0 at byte {start}; valid messages number fields from 1")
        if wire_type == VARINT:
            value, position = decode_varint(buffer, position)
            fields.append((field, wire_type, value))
            continue
        if wire_type == LENGTH_DELIMITED:
            size, position = decode_varint(buffer, position)
        elif wire_type in (FIXED64, FIXED32):
            size = 8 if wire_type == FIXED64 else 4
        else:
            accepted = ", ".join(f"{k} ({name})" for k, name in _WIRE_TYPE_NAMES.items())
            raise ValueError(f"protobuf wire type {wire_type} of field {field} at byte {start}; accepted: {accepted}")
        if position + size > len(buffer):
            raise ValueError(f"protobuf field {field} at byte {start} needs {size} bytes but only {len(buffer) - position} remain")
        fields.append((field, wire_type, bytes(buffer[position : position + size])))
        position += size
    return fields


def decode_double(raw: bytes) -> float:
    return struct.unpack("<d", raw)[0]
