"""The protocol of a meeting and the printable decision forms, as PDFs (WeasyPrint), in Russian
whatever the reader's language: they are the documents the law prescribes.

**Protocol** (shape of Приказ Минстроя № 266/пр for an owners' meeting; used for every kind):
its number and date, the place and the address, the form and the dates of the voting, where the
written decisions were received, the initiator, the total of votes, the votes of those who took
part and whether there was a quorum; the agenda; for each question what was proposed and the
decision with the votes for, against and abstaining as votes and as per cent of those taking part
(and of all votes where the threshold counts all votes), adopted or not; the attachments; the
signatures of the chair, the secretary and the counting commission (blank lines: the protocol is
signed by hand within ten days, 266/пр). ``with_participants`` adds attachment 1, the list of
those who took part with their premises and votes: for the board and the ГИС ЖКХ bundle; the
version members download carries no names.

**Decision forms** (бланки решений): one page per register line with the owner's name, the
premises, its area, the share and the title document from the registry, the votes the line holds,
a box per question for for/against/abstain and lines for the signature and the date. Names are
read from the registry under the holders' keys in one wave; nothing is stored.

A meeting whose online decisions do not bind is counted from its paper decisions only; the
opinions stated online are never put in a protocol.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone, translation

from core.crypto.fields import prefetch_keys
from core.legal_details import legal_details
from tenants.residents.models import Owner, Ownership
from tenants.voting import register, selectors
from tenants.voting.models import Meeting, MeetingStatus, Voter
from tenants.voting.rules import BARS
from tenants.voting.shares import format_fraction, readable

PROTOCOL_TEMPLATE = "voting/pdf/protocol.html"
FORMS_TEMPLATE = "voting/pdf/decision_forms.html"
#: The most decision forms rendered at once (WeasyPrint lays a document out in memory).
MAX_FORMS = 600


def _pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=None).write_pdf()


def _common(meeting: Meeting) -> dict:
    details = legal_details()
    building = meeting.building
    return {
        "meeting": meeting,
        "association": details.name,
        "inn": details.inn,
        "ogrn": details.ogrn,
        "address": building.address if building is not None else "",
        "building": building,
        "rule": meeting.rule,
        "questions": list(meeting.questions.order_by("number")),
    }


@dataclass
class ParticipantRow:
    number: int
    names: str
    label: str
    votes: str


def protocol_context(meeting: Meeting, *, with_participants: bool) -> dict:
    tally = selectors.tally(meeting)
    rows = selectors.result_rows(meeting, tally)
    context = _common(meeting)
    context.update(
        tally=tally,
        rows=[
            {
                "question": row.question,
                "result": row.result,
                "of_all": BARS[row.result.threshold].of_all,
                "figures": row.result.figures,
            }
            for row in rows
        ],
        total=readable(tally.total),
        present=readable(tally.present),
        drawn_on=timezone.localdate(),
        final=meeting.status == MeetingStatus.CLOSED,
        participants=[],
    )
    if with_participants:
        took_part = set(
            meeting.chain.filter(source__in=sorted(selectors.counted_sources(meeting)))
            .values_list("voter_id", flat=True)
            .distinct()
        )
        context["participants"] = [
            ParticipantRow(
                n,
                (", ".join(r.names) or "—")
                + "".join(f"; представитель: {name}" for name in (r.representatives or [])),
                r.voter.label,
                r.weight_text,
            )
            for n, r in enumerate(
                (r for r in selectors.register_rows(meeting) if r.voter.pk in took_part), start=1
            )
        ]
    return context


def protocol_pdf(meeting: Meeting, *, with_participants: bool) -> bytes:
    with translation.override("ru"):
        html = render_to_string(
            PROTOCOL_TEMPLATE, protocol_context(meeting, with_participants=with_participants)
        )
    return _pdf(html)


@dataclass
class FormPage:
    voter: Voter
    names: list[str]
    organisations: list[str]
    documents: list[str]
    votes: str
    share: str


def _documents(ownerships) -> list[str]:
    found = []
    for o in ownerships:
        parts = [o.get_document_kind_display()] if o.document_kind else []
        if o.document_number:
            parts.append(f"№ {o.document_number}")
        if o.document_date:
            parts.append(f"от {o.document_date:%d.%m.%Y}")
        if o.egrn_record:
            parts.append(f"(запись ЕГРН {o.egrn_record})")
        if parts:
            found.append(" ".join(parts))
    return found


def _register_lines(meeting: Meeting) -> list[Voter]:
    """The frozen register, or, before voting starts, the register as it would be frozen today
    (unsaved lines: forms go out with the notice)."""
    if meeting.register_date is not None:
        return list(
            meeting.voters.select_related("premises__building", "user").order_by("position")[
                :MAX_FORMS
            ]
        )
    found = register.register_on(meeting.rule, timezone.localdate(), building=meeting.building)
    return [
        register.voter_row(meeting, line, position=index)
        for index, line in enumerate(found.lines[:MAX_FORMS])
    ]


def form_pages(meeting: Meeting) -> list[FormPage]:
    """One page per register line, names and title documents from the registry."""
    voters = _register_lines(meeting)
    owner_ids = {pk for v in voters for pk in v.owner_ids}
    owners = {o.pk: o for o in Owner.objects.filter(pk__in=owner_ids).order_by("pk")}
    prefetch_keys(list(owners.values()) + [v.user for v in voters if v.user is not None])
    on = meeting.register_date or timezone.localdate()
    titles: dict = {}
    for ownership in Ownership.objects.filter(owner_id__in=owner_ids).filter(started_on__lte=on):
        if ownership.ended_on is None or ownership.ended_on > on:
            titles.setdefault((ownership.owner_id, ownership.premises_id), []).append(ownership)
    pages = []
    for voter in voters:
        records = [owners[pk] for pk in voter.owner_ids if pk in owners]
        people = sorted({o.display_name for o in records if o.kind != "org"})
        organisations = sorted(
            {
                f"{o.organisation_name}, ОГРН {o.ogrn}" if o.ogrn else o.organisation_name
                for o in records
                if o.kind == "org"
            }
        )
        if voter.user is not None:
            people = [voter.user.full_name]
        ownerships = [
            t
            for o in records
            for key, found in titles.items()
            if key[0] == o.pk and (voter.premises_id is None or key[1] == voter.premises_id)
            for t in found
        ]
        pages.append(
            FormPage(
                voter=voter,
                names=people,
                organisations=organisations,
                documents=_documents(ownerships),
                votes=readable(voter.weight),
                share=format_fraction(voter.share),
            )
        )
    return pages


def decision_forms_pdf(meeting: Meeting) -> bytes:
    context = _common(meeting)
    context["pages"] = form_pages(meeting)
    with translation.override("ru"):
        html = render_to_string(FORMS_TEMPLATE, context)
    return _pdf(html)


# -- the bundle for ГИС ЖКХ ----------------------------------------------------------------------

BUNDLE_README = """Пакет документов собрания № {number} для размещения в ГИС ЖКХ

protocol.pdf     протокол (форма по Приказу Минстроя № 266/пр) с приложением 1 — списком
                 принявших участие; подписывается председателем, секретарём и счётной
                 комиссией, затем сканируется
register.csv     реестр голосующих на {register_date}: собственник (член), помещение и доля,
                 площадь, количество голосов, участие
decisions/       сканы письменных решений в порядке их внесения (номер звена цепочки)
chain.csv        цепочка решений: номер, время, способ, хеш; итоговый хеш {final_hash}

ГИС ЖКХ принимает протокол и решения собственников как электронные образы документов;
собственный шаблон импорта ГИС ЖКХ в открытой документации не опубликован, поэтому пакет
загружается вручную через личный кабинет: протокол — в карточку собрания, решения — как
приложения к протоколу.
"""


def _csv(rows) -> bytes:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue().encode("utf-8-sig")


def gis_bundle(meeting: Meeting) -> bytes:
    """A ZIP of the closed meeting's protocol, register, decisions' scans and chain."""
    import io
    import zipfile

    from tenants.files.selectors import read_bytes

    took_part = set(meeting.chain.values_list("voter_id", flat=True).distinct())
    register_rows = [
        ("№", "Собственник (член)", "Помещение и доля", "Площадь, м²", "Голоса", "Участвовал")
    ]
    for n, row in enumerate(selectors.register_rows(meeting), start=1):
        voter = row.voter
        register_rows.append(
            (
                n,
                ", ".join(row.names),
                voter.label,
                str(voter.area) if voter.area is not None else "",
                row.weight_text,
                "да" if voter.pk in took_part else "нет",
            )
        )
    entries = list(meeting.chain.select_related("scan").order_by("seq"))
    chain_rows = [("Номер", "Время (UTC)", "Способ", "Хеш звена")]
    chain_rows += [
        (e.seq, e.cast_at.isoformat(timespec="seconds"), e.source, e.entry_hash) for e in entries
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr(
            "README.txt",
            BUNDLE_README.format(
                number=meeting.number,
                register_date=f"{meeting.register_date:%d.%m.%Y}" if meeting.register_date else "",
                final_hash=meeting.final_hash,
            ),
        )
        bundle.writestr("protocol.pdf", protocol_pdf(meeting, with_participants=True))
        bundle.writestr("register.csv", _csv(register_rows))
        bundle.writestr("chain.csv", _csv(chain_rows))
        seen = set()
        for entry in entries:
            if entry.scan is None or entry.scan_id in seen:
                continue
            seen.add(entry.scan_id)
            extension = entry.scan.name.rsplit(".", 1)[-1] if "." in entry.scan.name else "bin"
            bundle.writestr(f"decisions/{entry.seq:05d}.{extension}", read_bytes(entry.scan))
    return buffer.getvalue()
