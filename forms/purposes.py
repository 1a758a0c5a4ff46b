"""Purpose contracts: the field keys a process reads from the forms of its purpose.

A process that takes part of its data from a low-code form (partner applications read the
applicant's kind, name, USCC or ID number, phone and the services table) declares the keys it
reads once, in its AppConfig.ready(). A version of a form of that purpose that lacks one of them
cannot be published (`services.version_publish`, and so the designer's publish button), so the
process never meets a form it cannot read.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class PurposeContract:
    purpose: str
    # key → the field kind it must have (None: any kind)
    fields: dict[str, str | None]
    # table key → {column key → kind or None}
    columns: dict[str, dict[str, str | None]] = field(default_factory=dict)


_contracts: dict[str, PurposeContract] = {}


def register(contract: PurposeContract) -> PurposeContract:
    _contracts[contract.purpose] = contract
    return contract


def get(purpose: str) -> PurposeContract | None:
    return _contracts.get(purpose)


def problems(purpose: str, schema) -> list[str]:
    """What `schema` (a parsed FormSchema) lacks for `purpose`'s contract, one line per key:
    a missing key is named as `key` (or `table.column`), a key of the wrong kind with its kind."""
    contract = _contracts.get(purpose)
    if contract is None:
        return []
    found = schema.field_map()
    out = []
    for key, kind in contract.fields.items():
        f = found.get(key)
        if f is None:
            out.append(key)
        elif kind is not None and f.kind != kind:
            out.append(_("%(key)s (must be of kind %(kind)s)") % {"key": key, "kind": kind})
    for table, columns in contract.columns.items():
        f = found.get(table)
        cols = {c.key: c for c in (f.columns or ())} if f is not None else {}
        for key, kind in columns.items():
            col = cols.get(key)
            if col is None:
                out.append(f"{table}.{key}")
            elif kind is not None and col.kind != kind:
                out.append(_("%(key)s (must be of kind %(kind)s)") % {"key": f"{table}.{key}", "kind": kind})
    return out
