"""Output formatting: what PowerShell prints for objects, numbers, dates and errors.

Modules (imported directly; this package imports nothing so that it can be loaded lazily):

- `settings`: FormatSettings(culture, edition, width, enumeration_limit, utc_offset).
- `culture`: Culture data (en-US, en-GB, fr-FR, de-DE, sv-SE, invariant), `get_culture`.
- `dotnet_format`: format_number, format_datetime, format_timespan, composite_format (-f),
  to_display_string, to_invariant_string (interpolation), double_to_string (G15), FormatError.
- `out_default`: OutDefault, format_table, format_list, out_string, render_lines,
  PropertySpec, FormatRecord.
- `views`: the registered views (Hyper-V, GroupInfo, hashtables, FileInfo, ...).
- `error_view`: render_error (5.1 NormalView, pwsh 7 ConciseView), position_message.
- `json`: convert_to_json(_ex), convert_from_json, json_depth_exceeded.
- `csv`: convert_to_csv, convert_from_csv.
- `objects`, `text`: property access and line wrapping shared by the above.
"""
