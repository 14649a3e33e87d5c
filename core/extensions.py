"""What each app tells the rest of the platform about itself: one declaration per app.

An app (a tenant app above all, but ``core.*`` and the platform's apps too) puts a module
``declaration.py`` in its package that defines ``declaration = AppDeclaration(...)``. The module is
found by its name (like ``admin.py``), the first time anything asks; nothing central lists the
apps. A declaration says:

* ``sections``: its sections of the portal: each is a card on the dashboard and an entry of the
  menu on every page (``core.ui.navigation``), shown to the roles it names once its page exists,
  ordered by ``DashboardSection.order`` across all apps;
* ``audit_labels``: how its audit actions read in a history (``audit_label(action)``);
* ``erasure``: what it destroys and keeps when a personal account's holder is erased (152-ФЗ),
  with a hook the erasure runs in its transaction; an app with encrypted fields must declare one
  (system check ``extensions.E001``);
* ``export``: what the association's data export leaves out (whole app, models, fields);
* ``counts``: the figures of the association's schema the operators' console shows;
* ``periodic_jobs``: its beat entries, fanned out to every association by ``core.tasks.fan_out``
  (``beat_schedule()`` composes them; ``config.celery`` installs it);
* ``demo``: how it fills the demo association (``manage.py seed_demo``);
* ``notification_kinds``: the kinds of message it sends through ``tenants.notifications``
  (``NotificationKind``: default on/off, whether a person may switch it off, whom it concerns,
  and the document an email of the kind may carry, made at delivery).
* ``operator_hooks``: what public-schema code (the operators' console, billing's plans) may do
  inside an association's schema, by name (``operator_hook(name)``; the caller runs it in the
  schema, e.g. the console naming a chairman's successor, billing's plans emailing the board
  through the notifications), since a public-schema app never imports a tenant app.
* ``discussions``: the kinds of its objects a discussion thread may be attached to
  (``DiscussionTarget``: an estimate, a meeting, a news item); the forum keeps (kind, id) and
  asks the declaration to find, check and link the object, so it never imports the app.
* ``agenda_materials``: the kinds of its objects a question of a general meeting may carry as
  its material (``AgendaMaterial``: an estimate's version put to the meeting); the voting app
  keeps (kind, id, digest) on the question, shows the material through the declaration, and
  once the meeting's results are final offers each question's outcome (``AgendaOutcome``: ids,
  dates and adopted or not) to the declaring app, from a task, once; it never imports the app.

``core`` itself never imports an app: this module only collects what the apps hand it.
"""

from __future__ import annotations

import importlib
import importlib.util
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

DECLARATION_MODULE = "declaration"


# -- what a declaration holds -------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardSection:
    """A section of the portal: a card on the dashboard and an entry of the menu on every page,
    shown to users holding one of ``roles``.

    A section is shown only once its page exists: ``url_name`` given and resolving in the
    current URL map. The dashboard's card and the menu's entry both link to it.
    """

    key: str
    title: str
    description: str
    roles: frozenset[str]
    #: The section's page (``"<app_name>:<name>"``, no arguments).
    url_name: str = ""
    #: Position on the dashboard and in the menu among every app's sections (lower first).
    order: int = 1000

    @property
    def url(self) -> str:
        """The section's page, or "" while it has none (no ``url_name``, or not resolving)."""
        if not self.url_name:
            return ""
        try:
            return reverse(self.url_name)
        except NoReverseMatch:
            return ""


@dataclass(frozen=True)
class HolderErasure:
    """An erasure in progress, as the registry hands it to every app's hook (ids only)."""

    holding_id: Any
    premises_id: Any
    #: The erased holding's owner records.
    owner_ids: tuple = ()
    #: Blind indexes of the emails of the logins the erasure closed.
    closed_login_email_indexes: tuple = ()
    #: Ids of the logins the erasure closed (anonymised): their own writing goes with them.
    closed_login_ids: tuple = ()


@dataclass(frozen=True)
class Erasure:
    """What an app destroys and keeps when a holder is erased.

    ``hook`` runs inside the erasure's transaction and returns counts for the erasure's audit
    entry (ids and counts only). ``None`` when the app has nothing of its own to do: say why in
    ``destroys``/``keeps`` (its values are under the holding's key, shredded with it, or the
    app runs the erasure itself).
    """

    destroys: str
    keeps: str = ""
    hook: Callable[[HolderErasure], Mapping[str, int]] | None = None


@dataclass(frozen=True)
class ExportRules:
    """What the association's data export leaves out of this app."""

    #: Leave out every table of the app (framework tables, keys).
    skip_app: bool = False
    #: Model names (lower case) left out.
    skip_models: frozenset[str] = frozenset()
    #: Model name (lower case) → field names left out of its table.
    skip_fields: Mapping[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class TenantCount:
    """A figure of the association's schema for the operators (a count, never a name)."""

    key: str
    label: str
    count: Callable[[], int]


@dataclass(frozen=True)
class PeriodicJob:
    """A beat entry. ``fan_out`` (the default) runs the task once in each ready association;
    ``include_suspended`` reaches suspended ones too (housekeeping)."""

    name: str
    task: str
    every: float
    fan_out: bool = True
    include_suspended: bool = False

    def beat_entry(self) -> dict:
        if not self.fan_out:
            return {"task": self.task, "schedule": self.every}
        entry = {"task": "core.tasks.fan_out", "schedule": self.every, "args": (self.task,)}
        if self.include_suspended:
            entry["kwargs"] = {"include_suspended": True}
        return entry


@dataclass(frozen=True)
class Attachment:
    """A document attached to an email: made in memory at delivery, never stored."""

    filename: str
    content: bytes
    mimetype: str


@dataclass(frozen=True)
class NotificationKind:
    """A kind of message an app sends people (through ``tenants.notifications``).

    ``key`` is unique across the platform (``"<app label>.<name>"`` by convention); each person
    may switch a kind on or off for themselves, starting from ``default``. ``can_opt_out=False``
    for emergency and legally required notices: always sent, never switched off. ``roles``: whom
    the kind concerns (an empty set: everyone with a login).

    ``attachment``: for a kind whose email may carry a document (a receipt's PDF), the hook that
    makes it at delivery, ``attachment(reference, user) -> Attachment | None``, from the
    reference (ids, nothing personal) the message was written with, for that reader as they may
    see it then (None: they may not, and the email goes with its link only). Each person chooses
    a link (the default) or the document attached.
    """

    key: str
    label: str
    description: str = ""
    default: bool = True
    can_opt_out: bool = True
    roles: frozenset[str] = frozenset()
    attachment: Callable[[str, Any], Attachment | None] | None = None

    def __post_init__(self):
        if not self.can_opt_out and not self.default:
            raise ValueError(f"notification kind {self.key!r}: a kind nobody may switch off is on")

    def concerns(self, roles) -> bool:
        """Whether a person holding ``roles`` is among those the kind concerns."""
        return not self.roles or bool(self.roles & set(roles))


@dataclass(frozen=True)
class DiscussionTarget:
    """A kind of object of some app that a discussion thread (the forum) may be attached to.

    ``kind`` is unique across the platform (``"<app label>.<name>"``); ``resolve(id)`` finds the
    object in the current association (None when it is gone or the id is not one of its);
    ``can_read(user, obj)`` says whether that reader may see it (the thread is then visible
    only to those who may); ``url(obj)`` is its page; ``title(obj)`` the thread's default title.
    ``roles``: who may see discussions of this kind at all (empty: every reader of the forum),
    checked without resolving each object (topic lists, search).
    """

    kind: str
    label: str
    resolve: Callable[[str], Any]
    can_read: Callable[[Any, Any], bool]
    url: Callable[[Any], str]
    title: Callable[[Any], str] = str
    roles: frozenset[str] = frozenset()

    def visible_to(self, roles) -> bool:
        return not self.roles or bool(self.roles & set(roles))


@dataclass(frozen=True)
class MaterialView:
    """How an agenda question shows its material: a title, a link and the content's hash."""

    title: str
    url: str
    digest: str = ""


@dataclass(frozen=True)
class AgendaMeeting:
    """The meeting a material is about to be put to, as the voting app describes it."""

    id: str
    number: int
    #: ``owners``, ``members`` or ``board`` (``tenants.voting.rules.MeetingKind``).
    kind: str
    #: ``in_person``, ``absentee``, ``mixed`` or ``online``.
    form: str
    #: Whether a decision sent online on the portal counts at this meeting (else: an opinion).
    online_binds: bool


@dataclass(frozen=True)
class AgendaOutcome:
    """What a closed meeting decided on one question carrying a material (ids, dates, flags;
    nothing personal). ``binding`` is False where the count could not be a decision of the
    meeting (an online form whose online decisions do not bind: an opinion poll): the receiving
    app must then change nothing."""

    kind: str
    material_id: str
    meeting_id: str
    question_id: str
    meeting_number: int
    meeting_kind: str
    meeting_form: str
    adopted: bool
    binding: bool
    #: The day the meeting's results became final (its closing, in the association's zone).
    decided_on: Any
    #: The day the decision takes effect, as the agenda said (None: the decision's day).
    takes_effect_on: Any = None


@dataclass(frozen=True)
class AgendaMaterial:
    """A kind of object of some app that a general meeting's agenda question may carry, and the
    app that receives the question's outcome.

    ``kind`` is unique across the platform (``"<app label>.<name>"``); ``resolve(id)`` finds the
    object in the current association (None when gone); ``describe(obj)`` is a
    ``MaterialView``; ``can_read(user, obj)`` whether a reader may open it (the link is hidden
    otherwise); ``accepts(obj, meeting)`` the reason the object cannot go to that
    ``AgendaMeeting`` ("" when it can); ``decided(outcome)`` takes the ``AgendaOutcome`` in the
    caller's transaction and must be idempotent (a second delivery changes nothing).
    """

    kind: str
    label: str
    resolve: Callable[[str], Any]
    describe: Callable[[Any], MaterialView]
    can_read: Callable[[Any, Any], bool]
    accepts: Callable[[Any, AgendaMeeting], str]
    decided: Callable[[AgendaOutcome], Any]


@dataclass(frozen=True)
class AppDeclaration:
    """Everything the platform needs to know about one app. ``label`` is filled in from the
    app's ``AppConfig`` when the declaration is discovered."""

    label: str = ""
    sections: tuple[DashboardSection, ...] = ()
    audit_labels: Mapping[str, str] = field(default_factory=dict)
    erasure: Erasure | None = None
    export: ExportRules = ExportRules()
    counts: tuple[TenantCount, ...] = ()
    periodic_jobs: tuple[PeriodicJob, ...] = ()
    #: Fills the demo association (run inside its schema); returns a line to print, or "".
    demo: Callable[[], str] | None = None
    #: The kinds of message the app sends people (``tenants.notifications``).
    notification_kinds: tuple[NotificationKind, ...] = ()
    #: What public-schema code (the console, billing's plans) may run inside the association's
    #: schema, by name.
    operator_hooks: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    #: The kinds of the app's objects a discussion thread may be attached to.
    discussions: tuple[DiscussionTarget, ...] = ()
    #: The kinds of the app's objects a general meeting's question may carry as its material.
    agenda_materials: tuple[AgendaMaterial, ...] = ()


#: Django's own apps in an association's schema: framework tables, nothing of the board's data.
FRAMEWORK = (
    AppDeclaration("contenttypes", export=ExportRules(skip_app=True)),
    AppDeclaration("auth", export=ExportRules(skip_app=True)),
    AppDeclaration("sessions", export=ExportRules(skip_app=True)),
)


# -- the registry -------------------------------------------------------------------------------

_lock = threading.Lock()
_declarations: dict[str, AppDeclaration] | None = None
#: ``sections_for``'s answers: (roles, URL map, script prefix) → sections with their URLs.
_sections_memo: dict[tuple, list[tuple[DashboardSection, str]]] = {}


def _discover() -> dict[str, AppDeclaration]:
    found = {declaration.label: declaration for declaration in FRAMEWORK}
    for config in apps.get_app_configs():
        module_name = f"{config.name}.{DECLARATION_MODULE}"
        if importlib.util.find_spec(module_name) is None:
            continue
        declaration = getattr(importlib.import_module(module_name), "declaration", None)
        if not isinstance(declaration, AppDeclaration):
            raise TypeError(f"{module_name} must define declaration = AppDeclaration(...)")
        found[config.label] = replace(declaration, label=config.label)
    return found


def declarations() -> list[AppDeclaration]:
    """Every app's declaration, in ``INSTALLED_APPS`` order (Django's own apps first)."""
    global _declarations
    if _declarations is None:
        with _lock:
            if _declarations is None:
                _declarations = _discover()
    return list(_declarations.values())


def declaration_of(label: str) -> AppDeclaration | None:
    return next((d for d in declarations() if d.label == label), None)


def reset() -> None:
    """Forget what was discovered (tests that change the installed apps)."""
    global _declarations
    _declarations = None
    _sections_memo.clear()


# -- what the platform asks ---------------------------------------------------------------------


def dashboard_sections() -> list[DashboardSection]:
    """Every app's dashboard sections in their dashboard order."""
    sections = [s for d in declarations() for s in d.sections]
    return sorted(sections, key=lambda s: s.order)


def sections_for(roles) -> list[tuple[DashboardSection, str]]:
    """The sections a holder of ``roles`` may open, with their page's URL, in order.

    The dashboard and the menu both show exactly these: a section none of the roles may see, or
    whose page does not exist (yet), is left out.

    Computed once per set of roles and URL map in a process (the declarations and the URL maps
    do not change while it runs): the menu on every page asks, and resolving every section's URL
    on each request cost more than the rest of the menu.
    """
    held = frozenset(roles)
    declarations()  # discovered
    # The declarations' identities too: tests put a fake app's declaration in place.
    key = (
        held,
        tuple(map(id, _declarations.values())),
        get_urlconf(),
        settings.ROOT_URLCONF,
        get_script_prefix(),
    )
    found = _sections_memo.get(key)
    if found is None:
        found = []
        for section in dashboard_sections():
            if section.roles & held:
                url = section.url
                if url:
                    found.append((section, url))
        _sections_memo[key] = found
    return list(found)


def audit_label(action: str) -> str:
    """How an audit action reads in a history: its app's label for it, else the action itself."""
    for declaration in declarations():
        if action in declaration.audit_labels:
            return declaration.audit_labels[action]
    return action


def run_erasure_hooks(erasure: HolderErasure) -> dict[str, int]:
    """Run every app's erasure hook (in the caller's transaction); their counts, merged."""
    details: dict[str, int] = {}
    for declaration in declarations():
        if declaration.erasure is not None and declaration.erasure.hook is not None:
            details.update(declaration.erasure.hook(erasure))
    return details


def export_skips_app(label: str) -> bool:
    declaration = declaration_of(label)
    return declaration is not None and declaration.export.skip_app


def export_skips_model(label: str, model_name: str) -> bool:
    declaration = declaration_of(label)
    return declaration is not None and model_name in declaration.export.skip_models


def export_skipped_fields(label: str, model_name: str) -> frozenset[str]:
    declaration = declaration_of(label)
    if declaration is None:
        return frozenset()
    return frozenset(declaration.export.skip_fields.get(model_name, ()))


def tenant_counts() -> list[TenantCount]:
    """The figures the console reads from an association's schema, in app order."""
    return [count for d in declarations() for count in d.counts]


def beat_schedule() -> dict[str, dict]:
    """The beat entries every app declares, by entry name."""
    schedule: dict[str, dict] = {}
    for declaration in declarations():
        for job in declaration.periodic_jobs:
            if job.name in schedule:
                raise ValueError(f"two periodic jobs are named {job.name!r}")
            schedule[job.name] = job.beat_entry()
    return schedule


def notification_kinds() -> list[NotificationKind]:
    """Every app's notification kinds, in app order; a key declared twice is an error."""
    kinds: dict[str, NotificationKind] = {}
    for declaration in declarations():
        for kind in declaration.notification_kinds:
            if kind.key in kinds:
                raise ValueError(f"two notification kinds are named {kind.key!r}")
            kinds[kind.key] = kind
    return list(kinds.values())


def notification_kind(key: str) -> NotificationKind | None:
    return next((kind for kind in notification_kinds() if kind.key == key), None)


def operator_hook(name: str) -> Callable[..., Any]:
    """The hook ``name`` an app offers the operators' console; LookupError if none does."""
    for declaration in declarations():
        if name in declaration.operator_hooks:
            return declaration.operator_hooks[name]
    raise LookupError(f"no app offers the operator hook {name!r}")


def discussion_targets() -> list[DiscussionTarget]:
    """Every app's discussion targets, in app order; a kind declared twice is an error."""
    targets: dict[str, DiscussionTarget] = {}
    for declaration in declarations():
        for target in declaration.discussions:
            if target.kind in targets:
                raise ValueError(f"two discussion targets are named {target.kind!r}")
            targets[target.kind] = target
    return list(targets.values())


def discussion_target(kind: str) -> DiscussionTarget | None:
    return next((target for target in discussion_targets() if target.kind == kind), None)


def agenda_materials() -> list[AgendaMaterial]:
    """Every app's agenda materials, in app order; a kind declared twice is an error."""
    materials: dict[str, AgendaMaterial] = {}
    for declaration in declarations():
        for material in declaration.agenda_materials:
            if material.kind in materials:
                raise ValueError(f"two agenda materials are named {material.kind!r}")
            materials[material.kind] = material
    return list(materials.values())


def agenda_material(kind: str) -> AgendaMaterial | None:
    return next((m for m in agenda_materials() if m.kind == kind), None)


def demo_seeders() -> list[tuple[str, Callable[[], str]]]:
    return [(d.label, d.demo) for d in declarations() if d.demo is not None]


# -- the check ----------------------------------------------------------------------------------


def stores_personal_data(config) -> bool:
    """Whether an app has a model with an encrypted field (``core.crypto.fields``)."""
    return any(
        getattr(model_field, "encrypted", False)
        for model in config.get_models()
        for model_field in model._meta.get_fields()
    )


def missing_erasure(app_configs=None) -> list[checks.CheckMessage]:
    """Tenant apps that store personal data but declare no erasure (``extensions.E001``)."""
    errors = []
    for config in app_configs or apps.get_app_configs():
        if not config.name.startswith("tenants.") or not stores_personal_data(config):
            continue
        declaration = declaration_of(config.label)
        if declaration is None or declaration.erasure is None:
            errors.append(
                checks.Error(
                    f"{config.name} stores personal data (encrypted fields) but declares no "
                    "erasure",
                    hint=f"Add erasure=Erasure(...) to {config.name}.declaration.",
                    obj=config.name,
                    id="extensions.E001",
                )
            )
    return errors


@checks.register()
def check_erasure_declared(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    return missing_erasure(app_configs)
