"""Members who act at once: the load mix (``bench_load_mix``) and the live concurrency tests
(``tests/concurrency``) make them the same way, inside one association's schema.

``populate(members=N, ...)`` makes, through the services (encrypted, audited, valid):

* a chairman (the actor of the board's steps) and a building «Дом 1»;
* N member logins, each the sole owner and a member of a flat of its own (with its personal
  account) and of one cold-water meter there;
* an owners' meeting of the building voting now (mixed form, two questions), set up and
  announced as the law asks (ЖК РФ ст. 45 ч. 4: the notice ten days before), its register
  frozen with every flat on it;
* the test payment provider switched on (no money moves);
* with ``requests=True``, one repair request filed by each member (for comments);
* a signed-in session per member (written to the session store as a login would, so a run
  needs no N logins against the login rate limit) and a CSRF secret for its forms.

Returns plain data (``Seeded``): session keys, CSRF secrets and the forms' field names.
"""

from __future__ import annotations

import datetime
import secrets
import string
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.db import transaction
from django.utils import timezone

MEMBER_SINCE = datetime.date(2020, 1, 1)
CSRF_ALPHABET = string.ascii_letters + string.digits
QUESTIONS = (
    ("Установить шлагбаум на въезде во двор", "majority_present"),
    ("Утвердить порядок пользования детской площадкой", "majority_present"),
)


@dataclass
class Member:
    email: str
    user_id: str
    session_key: str
    csrf: str
    account_id: str
    premises_id: str
    registers: list[str]
    #: the ballot's radio groups, one per question: ``v-<line>-q-<question>``
    ballot_fields: list[str]
    voter_id: str
    request_id: str = ""

    def cookie(self) -> str:
        return f"sessionid={self.session_key}; csrftoken={self.csrf}"


@dataclass
class Seeded:
    schema: str
    meeting_id: str
    members: list[Member] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Seeded:
        return cls(data["schema"], data["meeting_id"], [Member(**row) for row in data["members"]])


def csrf_secret() -> str:
    """A CSRF secret as Django makes them (32 letters and digits): the cookie and the form's
    field carry the same one."""
    return "".join(secrets.choice(CSRF_ALPHABET) for _ in range(32))


def signed_in(user) -> str:
    """A session of ``user`` in the current schema's store, as ``django.contrib.auth.login``
    leaves it; its key."""
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def _meeting(chairman, building):
    from tenants.voting import services
    from tenants.voting.rules import MeetingForm, MeetingKind

    now = timezone.now().replace(second=0, microsecond=0)
    day = datetime.timedelta(days=1)
    meeting = services.create_meeting(
        actor=chairman,
        kind=MeetingKind.OWNERS,
        form=MeetingForm.MIXED,
        title="Внеочередное собрание собственников дома 1",
        starts_at=now - 2 * day,
        ends_at=now + 12 * day,
        building=building,
        place="Двор дома 1, 19:00",
        now=now - 12 * day,
    )
    for text, threshold in QUESTIONS:
        services.add_question(meeting, actor=chairman, text=text, threshold=threshold)
    services.publish_notice(meeting, actor=chairman, now=now - 12 * day)
    return services.open_voting(meeting, actor=chairman, now=now - 2 * day)


def populate(*, members: int, tag: str, password_hash: str = "!", requests: bool = False) -> Seeded:
    """See the module's docstring. Call inside the association's schema; ``tag`` keeps emails
    and account numbers apart from other runs'."""
    from django.db import connection

    from billing.payments import services as payments
    from core.access.roles import Role
    from tenants.dispatch import services as dispatch
    from tenants.meters import services as meters
    from tenants.meters.models import MeterKind
    from tenants.residents import services as residents
    from tenants.residents.models import Building

    User = get_user_model()
    with transaction.atomic():
        chairman = User.objects.create_user(
            f"chairman@{tag}.load.test",
            None,
            full_name="Председатель Нагрузки",
            roles=[Role.CHAIRMAN, Role.BOARD_MEMBER],
        )
        building = Building.objects.create(name="Дом 1", address="г. Омск, ул. Нагрузочная, 1")
        users = User.objects.bulk_create(
            User(
                email=f"member{n}@{tag}.load.test",
                full_name=f"Житель Нагрузкин {n}",
                roles=[Role.OWNER],
                password=password_hash,
            )
            for n in range(members)
        )
        homes = []
        for n, user in enumerate(users):
            premises = residents.create_premises(
                building=building,
                kind="flat",
                number=str(n + 1),
                area=Decimal("50.00") + n % 7,
                account_number=f"{tag[:8].upper()}-{n + 1:05d}",
                started_on=MEMBER_SINCE,
            )
            account = premises.accounts.get()
            residents.add_owner(
                residents.current_holding(account),
                premises=premises,
                share=Fraction(1),
                started_on=MEMBER_SINCE,
                person={"full_name": user.full_name, "primary_email": user.email},
                membership={"is_member": True, "member_since": MEMBER_SINCE},
                user=user,
            )
            meter = meters.add_meter(
                actor=None,
                premises=premises,
                kind=MeterKind.COLD_WATER,
                serial_number=f"L{tag[:6]}{n:05d}",
                installed_on=MEMBER_SINCE,
            )
            homes.append((user, premises, account, meter))
        meeting = _meeting(chairman, building)
        payments.save_settings(actor=None, provider="test")
    questions = list(meeting.questions.order_by("number"))
    lines = {user_id: voter for voter in meeting.voters.all() for user_id in _users_of(voter)}
    seeded = Seeded(schema=connection.schema_name, meeting_id=str(meeting.pk))
    for user, premises, account, meter in homes:
        voter = lines[user.pk]
        request_id = ""
        if requests:
            with transaction.atomic():
                request_id = str(
                    dispatch.file_request(
                        actor=user,
                        category="plumbing",
                        place="premises",
                        premises=premises,
                        description="Капает кран на кухне.",
                    ).pk
                )
        seeded.members.append(
            Member(
                email=user.email,
                user_id=str(user.pk),
                session_key=signed_in(user),
                csrf=csrf_secret(),
                account_id=str(account.pk),
                premises_id=str(premises.pk),
                registers=[str(pk) for pk in meter.registers.values_list("pk", flat=True)],
                ballot_fields=[f"v-{voter.pk}-q-{q.pk}" for q in questions],
                voter_id=str(voter.pk),
                request_id=request_id,
            )
        )
    return seeded


def _users_of(voter) -> list:
    """The logins that vote on a register line (its owners' users)."""
    from tenants.residents.models import Owner

    if voter.user_id:
        return [voter.user_id]
    return list(
        Owner.objects.filter(pk__in=voter.owner_ids, user__isnull=False).values_list(
            "user_id", flat=True
        )
    )
