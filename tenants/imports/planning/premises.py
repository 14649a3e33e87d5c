"""Planning buildings and premises: rows grouped by premises, matched or created."""

from __future__ import annotations

import uuid

from tenants.imports.columns import normalize
from tenants.imports.planning.state import (
    PREMISES_ATTRIBUTES,
    Planning,
    _attribute,
    _PremisesGroup,
)
from tenants.imports.selectors import number_key
from tenants.residents.models import (
    Building,
    Premises,
)


def group_premises(state: Planning) -> None:
    """Group the rows by premises (co-owners repeat it); a premises described differently
    on two rows is an error of the later one."""
    rows = state.rows
    groups = state.groups
    for row in rows:
        if not row.ok:
            continue
        v = row.values
        building_key = normalize(v["building"])
        key = (building_key, v["kind"], number_key(v["number"]))
        group = groups.get(key)
        if group is None:
            attributes = {name: _attribute(name, v.get(name)) for name in PREMISES_ATTRIBUTES}
            group = groups[key] = _PremisesGroup(key=key, first=row, attributes=attributes)
        else:
            conflict = False
            for name in PREMISES_ATTRIBUTES:
                value = _attribute(name, v.get(name))
                if value is None:
                    continue
                if group.attributes[name] is None:
                    group.attributes[name] = value
                elif group.attributes[name] != value:
                    conflict = True
            if conflict:
                # Errors keep line numbers and codes, never text of the file: the premises is
                # named from the row's own (encrypted) values when the error is shown.
                row.fail("premises_conflict", "number", other=group.first.line)
                continue
        group.rows.append(row)


def check_cadastral_numbers(state: Planning) -> None:
    """One cadastral number, one premises of the file."""
    groups = state.groups
    seen_cadastral: dict[str, tuple] = {}
    for group in groups.values():
        for row in group.rows:
            cadastral = row.values.get("cadastral")
            if cadastral:
                first = seen_cadastral.setdefault(cadastral, (group.key, row.line))
                if first[0] != group.key:
                    row.fail(
                        "cadastral_duplicate", "cadastral", cadastral=cadastral, other=first[1]
                    )


def match_premises(state: Planning) -> None:
    """Each premises matched in the registry (its changes noted) or created, with its building."""
    snap = state.snap
    plan, new = state.plan, state.new
    touched, changes = state.touched, state.changes
    groups = state.groups
    new_buildings: dict[str, Building] = {}
    for group in groups.values():
        building_key = group.key[0]
        building = snap.buildings.get(building_key)
        if building is None:
            building = new_buildings.get(building_key)
            if building is None:
                building = new(Building, id=uuid.uuid4(), name=group.first.values["building"])
                new_buildings[building_key] = building
                plan.buildings.append(building)
                touched[id(group.first)].add("building")
            group.building = building
        else:
            group.building = building
            group.premises = snap.premises.get((building.id, group.key[1], group.key[2]))
        attributes = group.attributes
        if group.premises is None:
            group.is_new = True
            group.premises = new(
                Premises,
                id=uuid.uuid4(),
                building=building,
                kind=group.key[1],
                number=group.first.values["number"],
                floor=attributes["floor"],
                entrance=attributes["entrance"] or "",
                area=attributes["area"],
                cadastral_number=attributes["cadastral"] or "",
                registered_residents=attributes["residents"] or 0,
            )
            plan.premises_new.append(group.premises)
            touched[id(group.first)].add("premises")
        else:
            changed = []
            for name, model_field in PREMISES_ATTRIBUTES.items():
                value = attributes[name]
                if value is not None and getattr(group.premises, model_field) != value:
                    setattr(group.premises, model_field, value)
                    changed.append(model_field)
                    changes[id(group.first)].append(name)
            if changed:
                plan.premises_changed.append((group.premises, changed))
        cadastral = attributes["cadastral"]
        holder = snap.by_cadastral.get(cadastral) if cadastral else None
        if holder is not None and holder.id != group.premises.id:
            where = f"{holder.building.name}, № {holder.number}"
            for row in group.rows:
                if row.values.get("cadastral") == cadastral:
                    row.fail(
                        "cadastral_elsewhere", "cadastral", cadastral=cadastral, premises=where
                    )
