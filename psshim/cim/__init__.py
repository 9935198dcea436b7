"""The WMI face of the emulated host: WQL (`wql.py`), the emulated classes and their methods
over the SDK (`classes.py`), and the CimInstance / ManagementObject objects (`objects.py`). The
cmdlets are in `psshim/cmdlets/cim.py`."""
