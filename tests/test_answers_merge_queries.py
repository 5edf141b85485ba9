"""Big rounds stay fast (issue 12, item 4): the answer form, saving, autosave, preview, submit and
the officer's versions page take the same number of SQL statements for a round of 2 focus areas
and 2 measures as for one of 12 focus areas and 120 measures, every one commented on.
(The timings are in benchmarks/bench_answer_pages.py.)"""

from __future__ import annotations

import sqlalchemy as sa

from remiss.auth.models import Role
from remiss.extensions import db
from tests.answering import CENTRUM, create_open_round, edit_url, load_form, read_form, sign_in


class Statements:
    def __init__(self, engine):
        self.count = 0
        self.engine = engine

    def __call__(self, *args, **kwargs):
        self.count += 1

    def __enter__(self):
        self.count = 0
        sa.event.listen(self.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc):
        sa.event.remove(self.engine, "before_cursor_execute", self)


def statements_per_page(app, areas: int, measures_per_area: int) -> dict[str, int]:
    structure = {f"Område {a}": [f"Insats {a}.{m}" for m in range(measures_per_area)] for a in range(areas)}
    round_id = create_open_round(app, structure=structure)
    client, _ = sign_in(app, name="Anna Andersson")
    officer, _ = sign_in(app, Role.OFFICER)
    form = load_form(client, round_id)
    for name in form:
        if name.endswith("_comment"):
            form[name] = f"Synpunkt {name}"
        elif name.endswith("_position"):
            form[name] = "tillstyrker"
    form["position"] = "tillstyrker"
    assert client.post(edit_url(round_id), data=form).status_code == 302
    with app.app_context():
        engine = db.engine
        from remiss.rounds.models import Recipient, Round

        recipient_id = next(
            r.id for r in db.session.get(Round, round_id).recipients if r.organisation.name == CENTRUM
        )
        assert db.session.get(Recipient, recipient_id).draft.comments  # every measure commented on
    counts = {}
    with Statements(engine) as counter:
        page = client.get(edit_url(round_id))
        counts["GET edit"] = counter.count
    form = read_form(page.text, edit_url(round_id)) | {"comment": "Ändrad"}
    with Statements(engine) as counter:
        assert client.post(edit_url(round_id), data=form).status_code == 302
        counts["POST save"] = counter.count
    form = load_form(client, round_id) | {"other_comments": "Autosparad"}
    with Statements(engine) as counter:
        response = client.post(
            f"/answers/rounds/{round_id}/autosave", data=form, headers={"Accept": "application/json"}
        )
        assert response.json["status"] == "saved"
        counts["POST autosave"] = counter.count
    with Statements(engine) as counter:
        preview = client.get(f"/answers/rounds/{round_id}/preview")
        counts["GET preview"] = counter.count
    submit = read_form(preview.text, f"/answers/rounds/{round_id}/submit")
    with Statements(engine) as counter:
        assert client.post(f"/answers/rounds/{round_id}/submit", data=submit).status_code == 302
        counts["POST submit"] = counter.count
    with Statements(engine) as counter:
        assert officer.get(f"/rounds/{round_id}/recipients/{recipient_id}/versions").status_code == 200
        counts["GET versions"] = counter.count
    return counts


def test_answer_pages_take_a_fixed_number_of_statements(app):
    small = statements_per_page(app, 2, 1)
    large = statements_per_page(app, 12, 10)
    assert large == small
    assert max(large.values()) < 40, large
