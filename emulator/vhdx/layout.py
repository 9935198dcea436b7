"""Constants and geometry of the VHDX format ([MS-VHDX] v20180912).

Every integer on disk is little-endian; GUIDs use the Microsoft mixed-endian
layout (``uuid.UUID.bytes_le``).
"""

from __future__ import annotations

from uuid import UUID

import attrs

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB
TiB = 1024 * GiB

# Header section (first 1 MiB).
FILE_IDENTIFIER_OFFSET = 0
HEADER_OFFSETS = (64 * KiB, 128 * KiB)
REGION_TABLE_OFFSETS = (192 * KiB, 256 * KiB)
HEADER_SIZE = 4 * KiB
REGION_TABLE_SIZE = 64 * KiB
HEADER_SECTION_SIZE = 1 * MiB
ALIGNMENT = 1 * MiB

FILE_SIGNATURE = b"vhdxfile"
HEADER_SIGNATURE = b"head"
REGION_SIGNATURE = b"regi"
METADATA_SIGNATURE = b"metadata"
LOG_ENTRY_SIGNATURE = b"loge"

MAX_TABLE_ENTRIES = 2047
METADATA_TABLE_SIZE = 64 * KiB
MAX_VIRTUAL_SIZE = 64 * TiB
MIN_BLOCK_SIZE = 1 * MiB
MAX_BLOCK_SIZE = 256 * MiB
SECTOR_SIZES = (512, 4096)
SECTORS_PER_CHUNK = 1 << 23  # bits in a 1 MiB sector bitmap block
BITMAP_BLOCK_SIZE = 1 * MiB

# Region GUIDs.
BAT_GUID = UUID("2DC27766-F623-4200-9D64-115E9BFD4A08")
METADATA_GUID = UUID("8B7CA206-4790-4B9A-B8FE-575F050F886E")

# Metadata item GUIDs.
FILE_PARAMETERS_GUID = UUID("CAA16737-FA36-4D43-B3B6-33F0AA44E76B")
VIRTUAL_DISK_SIZE_GUID = UUID("2FA54224-CD1B-4876-B211-5DBED83BF4B8")
VIRTUAL_DISK_ID_GUID = UUID("BECA12AB-B2E6-4523-93EF-C309E000C746")
LOGICAL_SECTOR_SIZE_GUID = UUID("8141BF1D-A96F-4709-BA47-F233A8FAAB5F")
PHYSICAL_SECTOR_SIZE_GUID = UUID("CDA348C7-445D-4471-9CC9-E9885251C556")
PARENT_LOCATOR_GUID = UUID("A8D35F2D-B30B-454D-ABF7-D3D84834AB0C")
VHDX_LOCATOR_TYPE_GUID = UUID("B04AEFB7-D19E-4A81-B789-25B8E9445913")

ZERO_GUID = UUID(int=0)

# Payload block states.
PAYLOAD_BLOCK_NOT_PRESENT = 0
PAYLOAD_BLOCK_UNDEFINED = 1
PAYLOAD_BLOCK_ZERO = 2
PAYLOAD_BLOCK_UNMAPPED = 3
PAYLOAD_BLOCK_FULLY_PRESENT = 6
PAYLOAD_BLOCK_PARTIALLY_PRESENT = 7
PAYLOAD_STATES = frozenset({0, 1, 2, 3, 6, 7})
ZERO_STATES = frozenset({PAYLOAD_BLOCK_UNDEFINED, PAYLOAD_BLOCK_ZERO, PAYLOAD_BLOCK_UNMAPPED})
DATA_STATES = frozenset({PAYLOAD_BLOCK_FULLY_PRESENT, PAYLOAD_BLOCK_PARTIALLY_PRESENT})

# Sector bitmap block states.
SB_BLOCK_NOT_PRESENT = 0
SB_BLOCK_PRESENT = 6

BAT_STATE_MASK = 0x7
BAT_RESERVED_MASK = 0xFFFF8  # bits 3..19
BAT_OFFSET_MASK = ~0xFFFFF & 0xFFFFFFFFFFFFFFFF  # bits 20..63 (MiB units)

# Layout of the files this library creates.
LOG_OFFSET = 1 * MiB
LOG_LENGTH = 1 * MiB
METADATA_OFFSET = 2 * MiB
METADATA_LENGTH = 1 * MiB
BAT_OFFSET = 3 * MiB

DEFAULT_DYNAMIC_BLOCK_SIZE = 32 * MiB
DEFAULT_DIFFERENCING_BLOCK_SIZE = 2 * MiB


def align_up(value: int, alignment: int) -> int:
    """Round ``value`` up to a multiple of ``alignment``."""
    return (value + alignment - 1) // alignment * alignment


def bat_entry(state: int, file_offset: int) -> int:
    """Encode a BAT entry (``file_offset`` must be 1 MiB aligned)."""
    return (file_offset & BAT_OFFSET_MASK) | state


def bat_state(entry: int) -> int:
    return entry & BAT_STATE_MASK


def bat_offset(entry: int) -> int:
    return entry & BAT_OFFSET_MASK


@attrs.frozen
class Geometry:
    """Virtual size, block and sector sizes, and the BAT arithmetic they imply."""

    virtual_size: int
    block_size: int
    logical_sector_size: int
    has_parent: bool

    @property
    def chunk_ratio(self) -> int:
        """Payload blocks covered by one sector bitmap block."""
        return SECTORS_PER_CHUNK * self.logical_sector_size // self.block_size

    @property
    def sectors_per_block(self) -> int:
        return self.block_size // self.logical_sector_size

    @property
    def payload_blocks(self) -> int:
        return (self.virtual_size + self.block_size - 1) // self.block_size

    @property
    def bitmap_blocks(self) -> int:
        return (self.payload_blocks + self.chunk_ratio - 1) // self.chunk_ratio

    @property
    def bat_entries(self) -> int:
        """Number of BAT entries the spec requires for this geometry."""
        if self.has_parent:
            return self.bitmap_blocks * (self.chunk_ratio + 1)
        return self.payload_blocks + (self.payload_blocks - 1) // self.chunk_ratio

    @property
    def bat_length(self) -> int:
        """BAT region length for a new file: entries x 8 rounded up to 1 MiB."""
        return align_up(self.bat_entries * 8, ALIGNMENT)

    def payload_index(self, block: int) -> int:
        """BAT index of payload block ``block``."""
        return block + block // self.chunk_ratio

    def bitmap_index(self, chunk: int) -> int:
        """BAT index of the sector bitmap block of chunk ``chunk``."""
        return chunk * (self.chunk_ratio + 1) + self.chunk_ratio

    def block_length(self, block: int) -> int:
        """Virtual bytes covered by ``block`` (the last block may be partial)."""
        start = block * self.block_size
        return min(self.block_size, self.virtual_size - start)
