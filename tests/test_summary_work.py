"""The assessment written beside the comments (issue 15 item 1): one focus area per page with
every comment, its body, position and themes; filters; the counts of all areas on top; the
assessment saved with a three-way merge, so that two officers do not overwrite each other; and
similar answers grouped once per change of the answers."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from remiss.audit.models import AuditEvent
from remiss.auth.models import Role
from remiss.extensions import db
from remiss.rounds.models import Round
from remiss.summary.compile import compile_summary
from remiss.summary.models import SimilarityCache, SimilarityGroup
from remiss.summary.service import text_hash
from remiss.summary.similarity import group_texts
from tests.summary_data import correct_answer, load_demo_round, measure_of, recipient_of


@pytest.fixture
def demo(app, runner):
    with app.app_context():
        return load_demo_round(runner)


def area_ids(app, round_id):
    with app.app_context():
        return [a.id for a in compile_summary(round_id).focus_areas]


def test_one_focus_area_at_a_time_with_the_counts_of_all(app, client, login_as, demo):
    login_as(Role.OFFICER)
    first, second, _third = area_ids(app, demo)
    page = client.get(f"/rounds/{demo}/summary/arbeta")
    assert page.status_code == 200
    html = page.text
    assert "<h1>Fokusområde 1: Ett samordnat arbete med helhetsperspektiv</h1>" in html
    assert "Vi vill att handlingsplanen beskriver samverkans omfattning" in html  # 1:1
    assert "Modellen är inte gjord för att ge underlag" not in html  # 2:2, another page
    # The counts of every focus area stay on top: area 2 has 2+1 Avstyrker.
    row = re.search(r"Fokusområde 2: [^<]*</a></th>(.*?)</tr>", html, re.S).group(1)
    assert re.findall(r'<td class="number">(\d+)</td>', row) == ["6", "0", "3", "18"]
    assert f'href="/rounds/{demo}/summary/arbeta?del={first}" aria-current="page"' in html
    html = client.get(f"/rounds/{demo}/summary/arbeta?del={second}").text
    assert "Modellen är inte gjord för att ge underlag" in html
    assert 'id="text_measure_' in html and 'form="bedomning-form"' in html
    # The draft as a whole and the other comments.
    html = client.get(f"/rounds/{demo}/summary/arbeta?del=helhet").text
    assert "Vi saknar ett anhörigperspektiv" in html  # Centrum's other comments
    assert 'name="text_round"' in html and 'name="text_changes"' in html
    assert client.get(f"/rounds/{demo}/summary/arbeta?del=999999").status_code == 404


def test_filters_by_body_and_position(app, client, login_as, demo):
    login_as(Role.OFFICER)
    _first, second, _third = area_ids(app, demo)
    with app.app_context():
        centrum = recipient_of(demo, "Socialnämnden Centrum").id
    html = client.get(f"/rounds/{demo}/summary/arbeta?del={second}&stallning=avstyrker").text
    assert "Modellen är inte gjord för att ge underlag" in html
    assert "Vi är tveksamma till att använda cylindermodellen" in html
    assert "Modellen bör utvidgas" not in html
    assert "<dt>Visas</dt><dd>2 av 4</dd>" in html
    # The counts stay those of all.
    assert "<dt>Avstyrker</dt><dd>2</dd>" in html
    html = client.get(f"/rounds/{demo}/summary/arbeta?del={second}&instans={centrum}").text
    assert "Staden arbetar redan enligt Trygg i-modellen" in html  # Centrum on 2:3
    assert "Trygg i-strukturen passar inte" not in html  # Utbildningsnämnden on 2:3
    # Nonsense in a filter is ignored.
    assert client.get(f"/rounds/{demo}/summary/arbeta?del={second}&stallning=x&tema=abc").status_code == 200


def post_texts(client, demo, part, texts: dict[str, tuple[str, str]]):
    data = {}
    for key, (loaded, text) in texts.items():
        name = key.replace("-", "_")
        data[f"base_{name}"] = text_hash(loaded)
        data[f"text_{name}"] = text
    return client.post(f"/rounds/{demo}/summary/arbeta?del={part}", data=data)


def test_the_assessment_is_written_beside_the_comments(app, client, login_as, demo):
    login_as(Role.OFFICER)
    _first, second, _third = area_ids(app, demo)
    with app.app_context():
        m22 = measure_of(demo, "2:2").id
    response = post_texts(client, demo, second, {f"measure-{m22}": ("", "Cylindermodellen används redan.")})
    assert response.status_code == 302
    with app.app_context():
        assert measure_of(demo, "2:2").assessment == "Cylindermodellen används redan."
        assert db.session.scalar(sa.select(AuditEvent.action).order_by(AuditEvent.id.desc())) == (
            "round.assessment_saved"
        )
    html = client.get(f"/rounds/{demo}/summary/arbeta?del={second}").text
    assert "Cylindermodellen används redan.</textarea>" in html
    response = post_texts(
        client, demo, "helhet", {"round": ("", "Brett stöd."), "changes": ("", "2:5 borttagen.")}
    )
    assert response.status_code == 302
    with app.app_context():
        round_ = db.session.get(Round, demo)
        assert (round_.assessment, round_.assessment_changes) == ("Brett stöd.", "2:5 borttagen.")


def test_two_officers_do_not_overwrite_each_other(app, client, login_as, demo):
    login_as(Role.OFFICER)
    _first, second, _third = area_ids(app, demo)
    with app.app_context():
        m21, m22, m23 = (measure_of(demo, n).id for n in ("2:1", "2:2", "2:3"))
    # Both load the page with empty texts. Anna writes 2:1 and 2:2.
    assert (
        post_texts(
            client, demo, second, {f"measure-{m21}": ("", "Annas 2:1."), f"measure-{m22}": ("", "Annas 2:2.")}
        ).status_code
        == 302
    )
    # Bertil, from the page as he loaded it: 2:2 changed by both, 2:3 only by him, 2:1 only by Anna.
    response = post_texts(
        client,
        demo,
        second,
        {
            f"measure-{m21}": ("", ""),
            f"measure-{m22}": ("", "Bertils 2:2."),
            f"measure-{m23}": ("", "Bertils 2:3."),
        },
    )
    assert response.status_code == 409
    html = response.text
    assert "En kollega har ändrat samma text" in html
    # Both texts of 2:2 side by side: the colleague's saved one and his own in the box.
    conflict = re.search(r'class="merge".*?</div>\s*</div>\s*</div>', html, re.S).group(0)
    assert "Annas 2:2." in conflict and "Bertils 2:2." in conflict
    assert f'name="text_measure_{m22}"' in html and "Bertils 2:2.</textarea>" in html
    assert f'name="base_measure_{m22}" type="hidden" value="{text_hash("Annas 2:2.")}"' in html
    assert "Bertils 2:3.</textarea>" in html  # the rest of what he wrote is kept in the form
    with app.app_context():
        # Nothing is saved while he chooses.
        assert measure_of(demo, "2:3").assessment == ""
        assert measure_of(demo, "2:2").assessment == "Annas 2:2."
    # He combines the two and saves again, from what the conflict page gave him: what did not
    # collide is merged (Anna's 2:1 stays, his 2:3 is saved), 2:2 takes the combined text.
    response = post_texts(
        client,
        demo,
        second,
        {
            f"measure-{m21}": ("", ""),
            f"measure-{m22}": ("Annas 2:2.", "Annas 2:2. Bertils 2:2."),
            f"measure-{m23}": ("", "Bertils 2:3."),
        },
    )
    assert response.status_code == 302
    with app.app_context():
        assert measure_of(demo, "2:1").assessment == "Annas 2:1."
        assert measure_of(demo, "2:2").assessment == "Annas 2:2. Bertils 2:2."
        assert measure_of(demo, "2:3").assessment == "Bertils 2:3."
        assert (
            db.session.scalar(sa.select(AuditEvent.action).order_by(AuditEvent.id.desc()))
            == "round.assessment_merged"
        )


def test_the_same_change_by_both_is_no_conflict(app, client, login_as, demo):
    login_as(Role.OFFICER)
    _first, second, _third = area_ids(app, demo)
    with app.app_context():
        m22 = measure_of(demo, "2:2").id
    post_texts(client, demo, second, {f"measure-{m22}": ("", "Samma text.")})
    assert post_texts(client, demo, second, {f"measure-{m22}": ("", "Samma text.")}).status_code == 302


def test_similar_answers_are_grouped_once_per_change(app, client, login_as, demo):
    login_as(Role.OFFICER)
    first, _second, _third = area_ids(app, demo)
    html = client.get(f"/rounds/{demo}/summary/arbeta?del={first}").text
    # 1:1 and 1:2: the four social committees sent the same texts.
    assert html.count("Likartade synpunkter från 4 remissinstanser (100 % lika)") == 2
    with app.app_context():
        cache = db.session.get(SimilarityCache, demo)
        computed, fingerprint = cache.computed_at, cache.fingerprint
        groups = db.session.scalar(sa.select(sa.func.count()).select_from(SimilarityGroup))
    client.get(f"/rounds/{demo}/summary/arbeta?del={first}")
    with app.app_context():
        assert db.session.get(SimilarityCache, demo).computed_at == computed  # not again
        # A lightly edited correction from one of them: still in the group, a little less alike.
        correct_answer(
            demo,
            "Socialnämnden Hisingen",
            "1:1",
            "Vi vill att handlingsplanen beskriver samverkans omfattning, innehåll, strukturer och "
            "funktioner, och att ansvar, mandat och resurser tydliggörs.",
        )
    html = client.get(f"/rounds/{demo}/summary/arbeta?del={first}").text
    with app.app_context():
        assert db.session.get(SimilarityCache, demo).fingerprint != fingerprint
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SimilarityGroup)) == groups
    similarity = re.findall(r"Likartade synpunkter från 4 remissinstanser \((\d+) % lika\)", html)
    assert len(similarity) == 2 and min(int(s) for s in similarity) < 100
    assert min(int(s) for s in similarity) >= 85


def test_group_texts():
    base = "Samverkans omfattning och innehåll behöver beskrivas tydligare i handlingsplanen."
    groups = group_texts(
        [
            (1, base),
            (2, "Något helt annat om cylindermodellen och sekretessen i socialtjänsten."),
            (3, base.replace("tydligare", "mycket tydligare")),
            (4, base.upper()),
            (5, "Inga synpunkter."),
            (6, "Inga synpunkter."),
        ]
    )
    assert [g.comment_ids for g in groups] == [(1, 3, 4)]
    assert 85 <= groups[0].similarity <= 100


def test_the_pages_are_bounded_by_the_focus_area_they_show(app, client, login_as):
    """The summary page and the page beside the comments make the same number of queries for a
    small and a large round, and the first focus area's page is as long whatever the others hold."""
    from tests.summary_data import build_round

    with app.app_context():
        small = build_round(recipients=3, areas=2, measures_per_area=2, drafts=False)
        large = build_round(recipients=3, areas=6, measures_per_area=2, drafts=False)
        db.session.commit()
    login_as(Role.OFFICER)
    counts, sizes = [], []
    for round_id in (small, large):
        for path in ("summary", "summary/arbeta"):
            client.get(f"/rounds/{round_id}/{path}")  # the groups computed once
        statements: list[str] = []

        def listener(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)  # noqa: B023 (removed before the next loop)

        with app.app_context():
            sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            summary = client.get(f"/rounds/{round_id}/summary")
            work = client.get(f"/rounds/{round_id}/summary/arbeta")
        finally:
            with app.app_context():
                sa.event.remove(db.engine, "before_cursor_execute", listener)
        assert summary.status_code == work.status_code == 200
        counts.append(len(statements))
        sizes.append(work.text.count('class="summary-comments"'))
    assert counts[0] == counts[1], counts
    assert sizes[0] == sizes[1], sizes


def test_the_assessment_form_merges_too(app, client, login_as, demo):
    """The one-page assessment form carries the same hashes: a text another officer changed
    meanwhile is shown beside one's own, the rest is saved."""
    login_as(Role.OFFICER)
    html = client.get(f"/rounds/{demo}/summary/assessment").text
    loaded = dict(re.findall(r'name="(base_[a-z_0-9]+)" type="hidden" value="([0-9a-f]+)"', html))
    assert "base_assessment" in loaded and len(loaded) == 2 + 3 + 11
    with app.app_context():
        round_ = db.session.get(Round, demo)
        round_.assessment = "Kollegans helhetsbedömning."
        db.session.commit()
    response = client.post(
        f"/rounds/{demo}/summary/assessment",
        data={**loaded, "assessment": "Min helhetsbedömning.", "assessment_changes": "Mina ändringar."},
    )
    assert response.status_code == 409
    assert "Kollegans helhetsbedömning." in response.text and "Min helhetsbedömning." in response.text
    assert "Mina ändringar.</textarea>" in response.text
    with app.app_context():
        round_ = db.session.get(Round, demo)
        assert round_.assessment == "Kollegans helhetsbedömning."
        assert round_.assessment_changes == ""  # nothing half-saved
