"""World files for the `hvemu` tests (from the acceptance scenarios 07 and 10)."""

from __future__ import annotations

# Scenario 07's world (seed 000, "Arborescence de checkpoints"): a chain of three checkpoints.
WORLD_07 = """\
now = 2026-02-11T09:00:00

[[vm]]
name = "SRV-APP01"
state = "Running"
checkpoint_type = "Production"
memory = "4GB"
generation = 2
disks = [{ path = 'D:\\Hyper-V\\Virtual Hard Disks\\SRV-APP01.vhdx', size = "60GB" }]

[[vm.checkpoint]]
name = "Avant installation IIS"
created = 2026-02-02T09:00:00
kind = "production"

[[vm.checkpoint]]
name = "Apres configuration IIS"
created = 2026-02-03T17:30:00
kind = "production"

[[vm.checkpoint]]
name = "Avant patch Tuesday"
created = 2026-02-10T18:00:00
kind = "production"
"""

# Scenario 10's world, the VMs the tests use: SRV-WEB01 branches ("Test config IIS" has two
# children), SRV-SQL01 has no checkpoints and checkpoints disabled.
WORLD_10 = """\
now = 2026-02-20T15:00:00

[[vm]]
name = "SRV-APP01"
state = "Running"
checkpoint_type = "Production"
memory = "4GB"
disks = [{ path = 'D:\\Hyper-V\\Virtual Hard Disks\\SRV-APP01.vhdx', size = "60GB" }]

[[vm.checkpoint]]
name = "Avant mise a jour KB5034567"
created = 2026-02-05T09:30:00
kind = "production"

[[vm.checkpoint]]
name = "Pre-patch 2026-02-20"
created = 2026-02-20T08:00:00
kind = "production"

[[vm]]
name = "SRV-SQL01"
state = "Running"
checkpoint_type = "Disabled"
memory = "4GB"
disks = [{ path = 'D:\\Hyper-V\\Virtual Hard Disks\\SRV-SQL01.vhdx', size = "60GB" }]

[[vm]]
name = "SRV-WEB01"
state = "Running"
checkpoint_type = "Production"
memory = "4GB"
disks = [{ path = 'D:\\Hyper-V\\Virtual Hard Disks\\SRV-WEB01.vhdx', size = "60GB" }]

[[vm.checkpoint]]
name = "Test config IIS"
created = 2026-01-28T14:22:00
kind = "production"

[[vm.checkpoint]]
name = "IIS + TLS 1.3"
created = 2026-02-18T10:00:00
kind = "production"

[[vm.checkpoint]]
name = "IIS sans TLS 1.0"
created = 2026-02-19T10:00:00
kind = "production"
parent = "Test config IIS"
"""
