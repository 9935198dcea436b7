"""`hvemu ui`: Hyper-V Manager's virtual machines list and checkpoint pane as a local web page,
over the SDK only (so it shows an emulator state or a real host through the PowerShell backend).

- `command.py`: the `hvemu ui` command (options, the backend, the listening socket, uvicorn);
- `app.py`: the Starlette application (routes, templates, the lock around SDK calls);
- `pages.py`: what a page shows, read from the SDK (VM rows, the checkpoint tree, details, the
  disk chain and its mermaid text);
- `actions.py`: the POST actions (Checkpoint, Apply, Rename, Delete, Export, Start, ..., the clock);
- `security.py`: loopback-only by default, HTTP Basic with `--password-env`, CSRF tokens;
- `texts.py`: Hyper-V Manager's dialog texts, with where each comes from.

See docs/ui.md.
"""
