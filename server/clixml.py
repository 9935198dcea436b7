"""PowerShell's CLIXML for standard error, as powershell.exe writes its error stream when the
command came encoded (`-EncodedCommand`, what pywinrm's `run_ps` sends over WinRM):

    #< CLIXML
    <Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">
      <S S="Error">line_x000D__x000A_</S>...</Objs>      (on one line)

One `<S S="Error">` per line of the rendered error records; characters XML cannot carry (and
CR, LF, `_x`-lookalikes) are written `_xHHHH_` as the PowerShell serializer encodes strings.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

HEADER = "#< CLIXML\r\n"
_NEEDS_CODE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]|_(?=x[0-9A-Fa-f]{4}_)")


def encode_string(text: str) -> str:
    """A string as the serializer writes it inside `<S>`: XML-escaped, control characters
    and a literal `_xHHHH_` start as `_xHHHH_`."""
    coded = _NEEDS_CODE.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)
    return escape(coded)


def error_stream(rendered: str) -> str:
    """The CLIXML document for rendered error text (empty for no text)."""
    if not rendered:
        return ""
    lines = rendered.replace("\r\n", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    body = "".join(f'<S S="Error">{encode_string(line + chr(13) + chr(10))}</S>' for line in lines)
    return f'{HEADER}<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">{body}</Objs>'
