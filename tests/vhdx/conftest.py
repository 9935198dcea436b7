from __future__ import annotations

import pytest

from .helpers import LocalOpener
from .readers import NO_QEMU_REASON, QEMU_IMG


@pytest.fixture
def disks(tmp_path):
    """A LocalOpener over a fresh folder (all files of a chain live in one folder)."""
    return LocalOpener(tmp_path)


requires_qemu = pytest.mark.skipif(QEMU_IMG is None, reason=NO_QEMU_REASON)
