"""How a run formats its output: culture, PowerShell edition, console width."""

from __future__ import annotations

import datetime as _dt
from typing import Literal

import attrs

from hyperv_emu.psshim.format.culture import EN_US, Culture
from hyperv_emu.sdk.fieldwise import Fieldwise

Edition = Literal["5.1", "7"]


@attrs.frozen(eq=False, repr=False)
class FormatSettings(Fieldwise):
    """culture: the current culture (`-f`, `.ToString()`, console display of numbers and dates).
    edition: "5.1" (Windows PowerShell, the default) or "7" (pwsh 7.4/7.5 rules).
    width: the console buffer width. Out-Default lays tables out within `width - 1` columns and
    5.1 wraps error text there too.
    enumeration_limit: $FormatEnumerationLimit (collections in cells show this many items).
    utc_offset: the host's offset from UTC, for `zzz`/`K` of local times and JSON dates.
    """

    culture: Culture = EN_US
    edition: Edition = "5.1"
    width: int = 120
    enumeration_limit: int = 4
    utc_offset: _dt.timedelta = _dt.timedelta(0)

    @property
    def columns(self) -> int:
        """Usable columns for Out-Default (one less than the buffer, to avoid auto-wrap)."""
        return max(self.width - 1, 1)

    @property
    def ellipsis(self) -> str:
        return "\u2026" if self.edition == "7" else "..."
