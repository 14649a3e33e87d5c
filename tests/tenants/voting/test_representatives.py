"""A legal-entity owner votes through its representative: the head (ГК РФ ст. 53 ч. 1) or
someone with its power of attorney (ЖК РФ ст. 48 ч. 2) sends the document, the board accepts
or refuses it, the register and the protocol name the representative."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from tenants.voting import protocol, selectors, services
from tenants.voting.models import ChainEntry, Proxy
from tests.tenants.residents.factories import BuildingFactory, make_owner, make_premises
from tests.tenants.voting.support import line_of, live, owned, use_kind

PDF = b"%PDF-1.4\nextract\n"
ORGANISATION = {"name": "ООО «Ромашка»", "inn": "7707083893", "ogrn": "1027700132195"}


@pytest.fixture
def setting(monkeypatch, in_alpha, alpha, make_user):
    use_kind(monkeypatch, "tszh")
    chairman = make_user(alpha, roles=["chairman", "owner"])
    director = make_user(alpha, roles=["owner"], email="director@example.test")
    neighbour = make_user(alpha, roles=["owner"])
    building = BuildingFactory()
    shop = make_premises(building, area="120.00")
    company = make_owner(shop, name="", organisation=ORGANISATION)
    _, (own,) = owned(building, "80.00", users={0: neighbour})
    meeting = live(actor=chairman, building=building)
    return meeting, chairman, director, neighbour, line_of(meeting, company), line_of(meeting, own)


def upload():
    return SimpleUploadedFile("extract.pdf", PDF)


def test_the_head_represents_the_organisation_once_the_board_accepts(setting, client_of, alpha):
    meeting, chairman, director, _neighbour, company_line, _ = setting
    question = meeting.questions.get()
    client = client_of(alpha, director)
    client.cookies["django_language"] = "en"
    page = reverse("voting:represent", args=[meeting.pk])
    assert str(company_line.pk) in client.get(page).content.decode()
    sent = client.post(page, {"voter": str(company_line.pk), "basis": "head", "document": upload()})
    assert sent.status_code == 302
    proxy = Proxy.objects.get()
    assert (proxy.basis, proxy.representative_id, proxy.status) == ("head", director.pk, "pending")
    # Not before the board accepts.
    with pytest.raises(ValidationError, match="do not vote for these premises"):
        services.cast(actor=director, voter=company_line, choices={question.pk: "for"})
    services.decide_proxy(proxy, actor=chairman, accept=True)
    assert company_line.pk in {v.pk for v in selectors.voters_of(director, meeting)}
    proxy.refresh_from_db()
    services.cast(actor=director, voter=company_line, choices={question.pk: "for"}, proxy=proxy)
    assert ChainEntry.objects.get().proxy_id == proxy.pk

    with translation.override("ru"):
        (row,) = [r for r in selectors.register_rows(meeting) if r.voter.pk == company_line.pk]
        assert row.names == ["ООО «Ромашка»"]
        assert len(row.representatives) == 1
        assert "руководитель" in row.representatives[0]
    services.enter_paper(
        actor=chairman,
        voter=company_line,
        choices={question.pk: "for"},
        scan_upload=SimpleUploadedFile("decision.pdf", PDF),
    )
    context = protocol.protocol_context(meeting, with_participants=True)
    (participant,) = context["participants"]
    assert "ООО «Ромашка»; представитель:" in participant.names
    board = client_of(alpha, chairman)
    register = board.get(reverse("voting:register", args=[meeting.pk])).content.decode()
    assert "руководитель организации по документу" in register


def test_refusals(setting):
    meeting, chairman, director, neighbour, company_line, own_line = setting
    with translation.override("en"):
        with pytest.raises(ValidationError, match="not owned by an organisation"):
            services.submit_representation(
                actor=director, voter=own_line, basis="head", document_upload=upload()
            )
        with pytest.raises(ValidationError, match="Choose on what basis"):
            services.submit_representation(
                actor=director, voter=company_line, basis="friend", document_upload=upload()
            )
        assert not Proxy.objects.exists()
        proxy = services.submit_representation(
            actor=director, voter=company_line, basis="attorney", document_upload=upload()
        )
        with pytest.raises(ValidationError, match="already sent"):
            services.submit_representation(
                actor=director, voter=company_line, basis="attorney", document_upload=upload()
            )
        with pytest.raises(ValidationError, match="Say why"):
            services.decide_proxy(proxy, actor=chairman, accept=False)
        services.decide_proxy(proxy, actor=chairman, accept=False, reason="Доверенность без печати")
    assert Proxy.objects.get().status == "refused"
    with pytest.raises(ValidationError):
        services.cast(
            actor=director, voter=company_line, choices={meeting.questions.get().pk: "for"}
        )
    with translation.override("ru"), pytest.raises(ValidationError) as refused:
        services.submit_representation(
            actor=neighbour, voter=own_line, basis="head", document_upload=upload()
        )
    assert refused.value.message_dict["voter"] == [
        "Это помещение не принадлежит организации: гражданин голосует сам или по доверенности."
    ]
