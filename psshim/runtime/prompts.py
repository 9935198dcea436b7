"""The host's prompts: Read-Host, -Confirm, ShouldContinue, Get-Credential, Out-GridView -PassThru.

A run gets its answers from an `Answers` object the host holds (`Host(..., answers=...)`):

- `Answers.from_stream(sys.stdin)`: the lines of standard input, read one at a time as the
  prompts ask (what powershell.exe does when its standard input is redirected: it echoes what it
  reads after the prompt);
- `Answers.from_lines(["y", "n"])`: scripted answers (tests);
- `Answers.non_interactive()` (or no answers at all): every prompt fails at once with the
  console host's "... is in NonInteractive mode. Read and Prompt functionality is not
  available." (powershell.exe -NonInteractive). When the answers run out, the prompt fails
  the same way.

`HostUI(host, edition)` draws the console host's prompts (ConsoleHostUserInterface and its
PromptForChoice in the PowerShell source) and reads the answers: `prompt_for_choice`,
`read_line`, `prompt_for_credential`, `confirm` (ShouldProcess's choices: Yes, Yes to All, No,
No to All, Suspend).
"""

from __future__ import annotations

import enum
from typing import IO, Any, Iterable, Iterator, Sequence

import attrs

from hyperv_emu.sdk.fieldwise import Fieldwise


class PromptUnavailable(Exception):
    """No answer can be read: the host is non-interactive, or standard input is exhausted."""


class Answers:
    """The source of a run's answers (one line per answer)."""

    def __init__(self, lines: Iterable[str] | None, *, interactive: bool = True, echo: bool = True) -> None:
        self._lines: Iterator[str] | None = iter(lines) if lines is not None else None
        self.interactive = interactive and lines is not None
        self.echo = echo  # False for a terminal, which shows what is typed itself

    @classmethod
    def from_stream(cls, stream: IO[str]) -> "Answers":
        def lines() -> Iterator[str]:
            while True:
                try:
                    line = stream.readline()
                except (OSError, ValueError):  # closed, or not readable (pytest's captured stdin)
                    return
                if not line:
                    return
                yield line

        try:
            tty = stream.isatty()
        except (AttributeError, ValueError):
            tty = False
        return cls(lines(), echo=not tty)

    @classmethod
    def from_lines(cls, lines: Sequence[str]) -> "Answers":
        return cls(line if line.endswith("\n") else line + "\n" for line in lines)

    @classmethod
    def from_text(cls, text: str) -> "Answers":
        return cls(text.splitlines(keepends=True))

    @classmethod
    def non_interactive(cls) -> "Answers":
        return cls(None, interactive=False)

    def read_raw(self) -> str:
        """The next line as read (with its line end), or PromptUnavailable."""
        if not self.interactive or self._lines is None:
            raise PromptUnavailable()
        line = next(self._lines, None)
        if line is None:
            raise PromptUnavailable()
        return line


@attrs.frozen(eq=False, repr=False)
class Choice(Fieldwise):
    """A ChoiceDescription: `label` with `&` before its hot key, and its help message."""

    label: str
    help: str = ""

    @property
    def hotkey(self) -> str:
        at = self.label.find("&")
        return self.label[at + 1].upper() if 0 <= at < len(self.label) - 1 else ""

    @property
    def plain(self) -> str:
        return self.label.replace("&", "", 1)


class Continue(enum.Enum):
    YES = "Yes"
    YES_TO_ALL = "YesToAll"
    NO = "No"
    NO_TO_ALL = "NoToAll"
    SUSPEND = "Suspend"


# CommandBaseStrings (System.Management.Automation)
YES = Choice("&Yes", "Continue with only the next step of the operation.")
YES_TO_ALL = Choice("Yes to &All", "Continue with all the steps of the operation.")
NO = Choice("&No", "Skip this operation and proceed with the next operation.")
NO_TO_ALL = Choice("No to A&ll", "Skip this operation and all subsequent operations.")
SUSPEND = Choice("&Suspend", 'Pause the current pipeline and return to the command prompt. Type "exit" to resume '
                             "the pipeline.")
CONFIRM_CAPTION = "Confirm"
SHOULD_PROCESS_WARNING = "Are you sure you want to perform this action?\n{0}"
SHOULD_CONTINUE_QUERY = "Continue with this operation?"


def non_interactive_message(core: bool) -> str:
    return ("PowerShell is in NonInteractive mode. Read and Prompt functionality is not available." if core else
            "Windows PowerShell is in NonInteractive mode. Read and Prompt functionality is not available.")


class HostUI:
    """The console host's prompting, over a host's output and its answers."""

    def __init__(self, host: object, core: bool = False) -> None:
        self.host = host
        self.core = core
        self.answers: Answers = getattr(host, "answers", None) or Answers.non_interactive()

    def _write(self, text: str) -> None:
        self.host.write_out(text)  # type: ignore[attr-defined]

    def check_interactive(self) -> None:
        if not self.answers.interactive:
            raise PromptUnavailable()

    def read_line(self, echo: bool = True) -> str:
        """One line of input, echoed as the console host echoes redirected input."""
        self.check_interactive()
        raw = self.answers.read_raw()
        if self.answers.echo:
            self._write(raw if echo else ("\n" if raw.endswith("\n") else ""))
        return raw.rstrip("\r\n")

    def read_host(self, prompt: str | None, secure: bool = False) -> str:
        self.check_interactive()
        if prompt is not None:
            self._write(prompt + ": ")
        return self.read_line(echo=not secure)

    def prompt_for_choice(self, caption: str, message: str, choices: Sequence[Choice], default: int) -> int:
        self.check_interactive()
        if caption:
            self._write("\n" + caption + "\n")
        if message:
            self._write(message + "\n")
        line = "".join(f"[{c.hotkey}] {c.plain}  " for c in choices) + "[?] Help "
        if default >= 0:
            line += f'(default is "{choices[default].hotkey or choices[default].plain}"): '
        while True:
            self._write(line)
            response = self.read_line().strip()
            if not response:
                if default >= 0:
                    return default
                continue
            if response == "?":
                for c in choices:
                    self._write(f"{c.hotkey or c.plain} - {c.help}\n")
                continue
            picked = self._determine(response, choices)
            if picked >= 0:
                return picked

    @staticmethod
    def _determine(response: str, choices: Sequence[Choice]) -> int:
        # HostUIHelperMethods.DetermineChoicePicked: the whole label first, then the hot key
        for i, c in enumerate(choices):
            if c.plain.casefold() == response.casefold():
                return i
        for i, c in enumerate(choices):
            if c.hotkey and c.hotkey.casefold() == response.casefold():
                return i
        return -1

    def inquire(self, message: str, caption: str, *, to_all: bool, suspend: bool = True) -> Continue:
        """MshCommandRuntime.InquireHelper: ShouldProcess (with the To All choices) and
        ShouldContinue."""
        options: list[tuple[Choice, Continue]] = [(YES, Continue.YES)]
        if to_all:
            options.append((YES_TO_ALL, Continue.YES_TO_ALL))
        options.append((NO, Continue.NO))
        if to_all:
            options.append((NO_TO_ALL, Continue.NO_TO_ALL))
        if suspend:
            options.append((SUSPEND, Continue.SUSPEND))
        picked = self.prompt_for_choice(caption or CONFIRM_CAPTION, message or SHOULD_CONTINUE_QUERY,
                                        [c for c, _ in options], 0)
        return options[picked][1]

    def confirm(self, description: str, caption: str = CONFIRM_CAPTION) -> Continue:
        return self.inquire(SHOULD_PROCESS_WARNING.format(description), caption, to_all=True)

    def prompt_for_credential(self, caption: str | None, message: str | None, user: str | None) -> tuple[str, str]:
        """Get-Credential's prompt: the user name line (unless given), then the password line.
        pwsh asks on the console (caption, message, `User: `, `Password for user X: `, the
        password not echoed); Windows PowerShell 5.1 opens the Windows credential dialog, so
        nothing is written to the console."""
        self.check_interactive()
        if not self.core:
            if not user:
                user = self.answers.read_raw().rstrip("\r\n")
            return user, self.answers.read_raw().rstrip("\r\n")
        self._write(f"\n{caption or 'PowerShell credential request'}\n")
        self._write(f"{message or 'Enter your credentials.'}\n")
        if not user:
            self._write("User: ")
            user = self.read_line()
        self._write(f"Password for user {user}: ")
        password = self.read_line(echo=False)
        return user, password


def mandatory_prompt(host: object, core: bool, command: str, position: int = 1) -> "Any":
    """The binder's `prompt_missing` for a command: the console host's Prompt for the missing
    mandatory parameters (`cmdlet X at command pipeline position N`, `Supply values for the
    following parameters:`, then `Name: ` per parameter, `Name[0]: `, `Name[1]: ` ... up to an
    empty line for an array). None when the host cannot prompt (the binder then reports the
    missing parameters, as a non-interactive host does)."""

    def prompt(params: list[Any]) -> dict[str, Any] | None:
        ui = HostUI(host, core)
        if not ui.answers.interactive:
            return None
        try:
            ui._write(f"\ncmdlet {command} at command pipeline position {position}\n"
                      "Supply values for the following parameters:\n")
            values: dict[str, Any] = {}
            for p in params:
                secure = p.type.full_name == "System.Security.SecureString"
                if p.type.kind == "array":
                    items: list[str] = []
                    while True:
                        ui._write(f"{p.name}[{len(items)}]: ")
                        line = ui.read_line()
                        if line == "":
                            break
                        items.append(line)
                    values[p.name] = items
                else:
                    ui._write(f"{p.name}: ")
                    line = ui.read_line(echo=not secure)
                    if secure:
                        from hyperv_emu.psshim.runtime.security import SecureString

                        values[p.name] = SecureString(line)
                    else:
                        values[p.name] = line
            return values
        except PromptUnavailable:
            return None

    return prompt
