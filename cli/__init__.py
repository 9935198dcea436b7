"""The `hvemu` command line: the application layer over psshim, the SDK and the emulator.

`main.py` parses the command line and runs the state commands; `run.py` adds `hvemu run` and
`hvemu shell`; `tree.py` draws checkpoint trees. Nothing below this layer imports it.
"""
