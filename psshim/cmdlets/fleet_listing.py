"""One listing of a host's checkpoints for a pipeline of VMs (`Get-VM | Get-VMCheckpoint`).

A pipeline hands Get-VMSnapshot one VM per record; asked VM by VM, the host answers 1,000
queries for a 1,000-VM fleet. From the second VM record on, a stage asks once for every
checkpoint of the host and answers each later record from that listing, as long as nothing else
has reached the backend since (`HyperVClient.state_generation` has not moved). The records
still stream: each VM's checkpoints are written when its record arrives, in the order the host
gives them, so a script observes what it did before (docs/psshim-internals.md, "Pipelines that
cost what they return"). Anything else that runs in between (Checkpoint-VM in a ForEach-Object
upstream, a read by a downstream stage) moves the generation: the stage then goes back to one
query per VM for the rest of the pipeline, which is what it did before.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from hyperv_emu.sdk.client import HyperVClient
from hyperv_emu.sdk.errors import HyperVError
from hyperv_emu.sdk.types import VM, Checkpoint

# The record from which a listing of the whole host pays: the first VM is asked alone (one VM
# piped in must not cost a listing of the fleet).
FIRST_LISTED_RECORD = 2


@attrs.define
class _Listing:
    generation: int
    by_vm: dict[str, list[Checkpoint]]


@attrs.define
class CheckpointListings:
    """A pipeline stage's listings, by host (one per stage: a cmdlet object lives as long as
    its pipeline)."""

    records: int = 0
    given_up: bool = False
    listings: dict[str | None, _Listing] = attrs.field(factory=dict)

    def checkpoints_of(self, client: HyperVClient, vms: Sequence[VM]) -> list[Checkpoint] | None:
        """The checkpoints of the record's VMs from a listing of their host, or None: ask for
        them alone (the first record, several VMs in one record, a backend that cannot tell
        whether its host changed, or something reached the backend since the listing)."""
        self.records += 1
        if self.given_up or len(vms) != 1:
            return None
        generation = client.state_generation()
        if generation is None:
            self.given_up = True
            return None
        listing = self.listings.get(client.computer_name)
        if listing is not None:
            if listing.generation != generation:
                self.given_up = True
                return None
            return list(listing.by_vm.get(vms[0].id, ()))
        if self.records < FIRST_LISTED_RECORD:
            return None
        try:
            everything = client.get_checkpoints(None)
        except HyperVError:  # the VM's own query reports what is wrong, as before
            self.given_up = True
            return None
        after = client.state_generation()
        if after is None:
            self.given_up = True
            return None
        by_vm: dict[str, list[Checkpoint]] = {}
        for cp in everything:  # the host's order (by CreationTime) kept within each VM
            by_vm.setdefault(cp.vm_id, []).append(cp)
        self.listings[client.computer_name] = _Listing(after, by_vm)
        return list(by_vm.get(vms[0].id, ()))
