"""The demo association's meetings, made through the services (checked, audited, chained):

* a closed owners' meeting of «Дом 1» (absentee, last month) with the signed decisions of about
  seven in ten register lines entered by the board: its results, protocol figures and chain;
* an owners' meeting of «Дом 1» voting now (mixed): some paper decisions are in; the demo owner
  (half of flat 15 and parking place М2) can state her position online, shown as an opinion
  poll since an online vote does not bind an owners' meeting (463-ФЗ);
* a board meeting voting online now, where the chairman's decision binds;
* a quick poll on the colour of the entrance doors.

Deterministic, made once (skipped when any meeting exists).
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from tenants.files import services as files
from tenants.residents.models import Building
from tenants.voting import services
from tenants.voting.models import Meeting, Source
from tenants.voting.purposes import PAPER_DECISION
from tenants.voting.rules import MeetingForm, MeetingKind, Threshold

CHAIRMAN_EMAIL = "chairman@demo.tszh.local"
#: A blank one-page PDF standing for a scanned signed decision.
SCAN = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
CHOICES = ("for", "for", "for", "against", "for", "abstain", "for", "for", "against", "for")

ANNUAL = (
    (
        "Избрать председателем собрания Козлова П. И., секретарём — Смирнову А. В., в счётную "
        "комиссию — Орлову Е. С. и Белова И. Н.",
        Threshold.MAJORITY_PRESENT,
    ),
    ("Утвердить план текущего ремонта подъездов на 2026 год", Threshold.MAJORITY_PRESENT),
    (
        "Провести капитальный ремонт кровли в 2026 году за счёт фонда капитального ремонта",
        Threshold.TWO_THIRDS_ALL,
    ),
)
NOW_QUESTIONS = (
    ("Установить шлагбаум на въезде во двор", Threshold.TWO_THIRDS_ALL),
    ("Утвердить порядок пользования детской площадкой", Threshold.MAJORITY_PRESENT),
)


def _paper(chairman, meeting, *, share: int, at: datetime.datetime) -> int:
    """Enter signed decisions for ``share`` lines in ten of the register, deterministically (one
    stored scan stands for all of them: the demo's decisions are not real papers)."""
    questions = list(meeting.questions.order_by("number"))
    scan = files.store(
        ContentFile(SCAN, name=f"decisions-{meeting.number}.pdf"),
        purpose=PAPER_DECISION,
        actor=chairman,
    )
    entered = 0
    for index, voter in enumerate(meeting.voters.order_by("position")):
        if index % 10 >= share:
            continue
        choices = {q.pk: CHOICES[(index + q.number * 3) % len(CHOICES)] for q in questions}
        services.cast(
            actor=chairman, voter=voter, choices=choices, source=Source.PAPER, scan=scan, now=at
        )
        entered += 1
    return entered


def _meeting(chairman, *, questions, kind, form, building, set_up, start, end, place=""):
    meeting = services.create_meeting(
        actor=chairman,
        kind=kind,
        form=form,
        title=questions[1],
        starts_at=start,
        ends_at=end,
        building=building,
        place=place,
        now=set_up,
    )
    for text, threshold in questions[0]:
        services.add_question(meeting, actor=chairman, text=text, threshold=threshold)
    services.publish_notice(meeting, actor=chairman, now=set_up)
    return services.open_voting(meeting, actor=chairman, now=start)


def seed_demo() -> str:
    if Meeting.objects.exists():
        return ""
    building = Building.objects.filter(name="Дом 1").first()
    chairman = get_user_model().objects.with_email(CHAIRMAN_EMAIL).first()
    if building is None or chairman is None:
        return ""
    now = timezone.now().replace(second=0, microsecond=0)
    day = datetime.timedelta(days=1)
    with transaction.atomic():
        closed = _meeting(
            chairman,
            questions=(ANNUAL, "Годовое общее собрание собственников дома 1"),
            kind=MeetingKind.OWNERS,
            form=MeetingForm.ABSENTEE,
            building=building,
            set_up=now - 45 * day,
            start=now - 30 * day,
            end=now - 16 * day,
        )
        entered = _paper(chairman, closed, share=7, at=now - 20 * day)
        services.close_meeting(closed, actor=chairman, now=now - 15 * day)

        current = _meeting(
            chairman,
            questions=(NOW_QUESTIONS, "Внеочередное собрание собственников дома 1"),
            kind=MeetingKind.OWNERS,
            form=MeetingForm.MIXED,
            building=building,
            place="Двор дома 12 по ул. Садовой, 19:00",
            set_up=now - 12 * day,
            start=now - 2 * day,
            end=now + 12 * day,
        )
        entered += _paper(chairman, current, share=3, at=now - day)

        board = _meeting(
            chairman,
            questions=(
                (
                    (
                        "Созвать годовое общее собрание членов товарищества",
                        Threshold.MAJORITY_PRESENT,
                    ),
                ),
                "Заседание правления",
            ),
            kind=MeetingKind.BOARD,
            form=MeetingForm.ONLINE,
            building=None,
            set_up=now - day,
            start=now - day + datetime.timedelta(hours=1),
            end=now + 6 * day,
        )
        chairman_line = board.voters.filter(user=chairman).first()
        if chairman_line is not None:
            services.cast(
                actor=chairman,
                voter=chairman_line,
                choices={board.questions.get().pk: "for"},
                now=now - datetime.timedelta(hours=2),
            )
        services.create_poll(
            actor=chairman,
            question="В какой цвет покрасить входные двери подъездов?",
            options=["Тёмно-зелёный", "Коричневый", "Серый"],
            closes_at=now + 10 * day,
            now=now,
        )
    return f"3 meetings, {entered} paper decisions, 1 quick poll"
