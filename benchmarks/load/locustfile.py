"""Simulated people for the load test (run through benchmarks/load/run.py, which prepares the
database, the accounts and gunicorn). Each simulated person has an account of their own, made by
run.py: ``load-<role>-<n>@example.se`` with the password in LOAD_PASSWORD.

- officers and managers browse the open and the closed demo round, the summary and the Excel
  export, and read answers; now and then an officer reopens a submitted answer for correction
  (so that the bodies have something to submit again throughout the run);
- respondents of the bodies invited to the open demo round (several people per body) work on
  their body's answer through the real forms, CSRF and version tokens included: they save the
  draft (sometimes with a decision PDF) and submit it. A conflict with a colleague's save (409),
  an answer a colleague has just submitted or an outdated preview are expected outcomes of
  people working together, not failures; a server error is. Every submission the server
  acknowledges (the receipt with its number) is written to LOAD_RECEIPTS, and run.py checks
  afterwards that each one is in the database;
- an administrator browses the accounts and the register of organisations.

Every page is checked for what a person would see, not only for the status code; a failure's
message carries ``HTTP <status>`` so that run.py can count server errors."""

from __future__ import annotations

import itertools
import os
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from locust import HttpUser, between, task  # noqa: E402

from tests.files import pdf  # noqa: E402
from tests.http import read_form  # noqa: E402

PASSWORD = os.environ.get("LOAD_PASSWORD", "")
OPEN_ROUND = os.environ.get("LOAD_OPEN_ROUND", "")
CLOSED_ROUND = os.environ.get("LOAD_CLOSED_ROUND", "")
RECEIPTS = os.environ.get("LOAD_RECEIPTS", "")
_numbers: dict[str, itertools.count] = {}
_saves = itertools.count(1)
chance = random.Random()  # noqa: S311 - what simulated people pick; nothing secret

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
ACKNOWLEDGED = re.compile(r"Svaret är inskickat\. Kvittonummer (R-\d{8}-[0-9A-F]{8})")
VERSIONS = re.compile(r'href="(/rounds/\d+/recipients/\d+/versions)"')
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# What a respondent may rightly be told when a colleague was quicker.
SAVED = "Utkastet är sparat."
CONFLICTS = (
    "sparade utkastet efter att du öppnade det",
    "skickade in svaret",
    "medan du arbetade",
    "har ändrat samma fält",  # field-level merge (issue 12): only a field both changed is a conflict
)
LOCKED = "Svaret är inskickat och kan inte ändras"
ALREADY_SUBMITTED = "Svaret är redan inskickat av"
STALE_PREVIEW = "ändrade utkastet efter att du öppnade förhandsgranskningen"
NO_DRAFT = "Det finns inget utkast"
POSITIONS = ("tillstyrker", "tillstyrker_delvis", "avstyrker", "tar_inte_stallning")
MEASURE_POSITIONS = ("tillstyrker", "avstyrker", "")


def record_receipt(number: str) -> None:
    if RECEIPTS:
        with open(RECEIPTS, "a", encoding="utf-8") as file:
            file.write(number + "\n")


def next_email(role: str) -> str:
    number = next(_numbers.setdefault(role, itertools.count(1)))
    return f"load-{role}-{number}@example.se"


class Person(HttpUser):
    abstract = True
    role = ""
    wait_time = between(1, 3)

    def on_start(self):
        self.email = next_email(self.role)
        self.sign_in()

    def csrf_token(self, html: str) -> str:
        match = CSRF.search(html)
        return (match[1] or match[2]) if match else ""

    def page(self, path: str, expect: str, name: str | None = None) -> str:
        """GET ``path`` (following redirects); a failure unless the page shows ``expect``."""
        with self.client.get(path, name=name or path, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{path}: HTTP {response.status_code}")
            elif expect not in response.text:
                response.failure(f"{path}: «{expect}» is not on the page")
            return response.text

    def sign_in(self):
        login = self.page("/auth/login", "Logga in")
        with self.client.post(
            "/auth/login",
            data={"email": self.email, "password": PASSWORD, "csrf_token": self.csrf_token(login)},
            name="/auth/login [POST]",
            catch_response=True,
        ) as response:
            if response.status_code != 200 or "Logga ut" not in response.text:
                response.failure(f"sign in as {self.email}: HTTP {response.status_code}")
        self.current = response.text

    def sign_out(self):
        with self.client.post(
            "/auth/logout",
            data={"csrf_token": self.csrf_token(self.current)},
            name="/auth/logout [POST]",
            catch_response=True,
        ) as response:
            if "Du är utloggad." not in response.text:
                response.failure(f"sign out: HTTP {response.status_code}")


class Staff(Person):
    abstract = True

    @task(3)
    def start_page(self):
        self.current = self.page("/rounds/", "<h1>Remisser</h1>")

    @task(3)
    def open_round(self):
        self.current = self.page(f"/rounds/{OPEN_ROUND}", "Remissinstanser", name="/rounds/[open]")

    @task(2)
    def summary(self):
        round_id = chance.choice((OPEN_ROUND, CLOSED_ROUND))
        self.current = self.page(
            f"/rounds/{round_id}/summary", "Sammanställning", name="/rounds/[id]/summary"
        )

    @task(1)
    def export(self):
        round_id = chance.choice((OPEN_ROUND, CLOSED_ROUND))
        path = f"/rounds/{round_id}/summary/export"
        with self.client.get(path, name="/rounds/[id]/summary/export", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{path}: HTTP {response.status_code}")
            elif (
                not response.headers.get("Content-Type", "").startswith(XLSX) or response.content[:2] != b"PK"
            ):
                response.failure(f"{path}: not an Excel file")

    @task(2)
    def read_an_answer(self):
        page = self.page(f"/rounds/{OPEN_ROUND}", "Remissinstanser", name="/rounds/[open]")
        answered = VERSIONS.findall(page)
        if answered:
            self.current = self.page(
                chance.choice(answered), "Svar från", name="/rounds/[id]/recipients/[id]/versions"
            )

    @task(1)
    def accessibility(self):
        self.current = self.page("/accessibility", "Tillgänglighetsredogörelse")


class Officer(Staff):
    role = "officer"
    weight = 10

    @task(1)
    def reopen_an_answer(self):
        """Reopen a submitted answer for correction, as when a body asks to correct it."""
        page = self.page(f"/rounds/{OPEN_ROUND}", "Remissinstanser", name="/rounds/[open]")
        answered = VERSIONS.findall(page)
        if not answered:
            return
        versions = chance.choice(answered)
        page = self.page(versions, "Svar från", name="/rounds/[id]/recipients/[id]/versions")
        action = versions.replace("/versions", "/reopen")
        if f'action="{action}"' not in page:
            return  # not submitted, or already reopened
        form = read_form(page, action) | {"reason": "Nämnden bad om att få rätta sitt svar."}
        with self.client.post(
            action, data=form, name="/rounds/[id]/recipients/[id]/reopen [POST]", catch_response=True
        ) as response:
            expected = ("är öppnat för rättelse", "Bara ett inskickat svar kan öppnas för rättelse.")
            if response.status_code != 200:
                response.failure(f"reopen: HTTP {response.status_code}")
            elif not any(text in response.text for text in expected):
                response.failure("reopen: no word on the page about the reopening")


class Manager(Staff):
    role = "manager"
    weight = 3


class Respondent(Person):
    role = "respondent"
    weight = 15

    @task(2)
    def start_page(self):
        self.current = self.page("/", "<h1>Våra remisser</h1>")

    @task(6)
    def work_on_the_answer(self):
        """Open the answer form, change it and save; then, now and then, preview and submit."""
        edit = f"/answers/rounds/{OPEN_ROUND}/edit"
        with self.client.get(edit, name="/answers/rounds/[id]/edit", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{edit}: HTTP {response.status_code}")
                return
            if LOCKED in response.text:
                return  # a colleague has submitted it: nothing to work on until it is reopened
            if 'name="version_token"' not in response.text:
                response.failure(f"{edit}: no answer form on the page")
                return
            page = response.text
        form = read_form(page, edit)
        number = next(_saves)
        form["position"] = chance.choice(POSITIONS)
        form["comment"] = f"Synpunkt {number} från {self.email}: förslaget behöver förtydligas."
        measures = sorted({name.rsplit("_", 1)[0] for name in form if name.startswith("m_")})
        for measure in chance.sample(measures, k=min(2, len(measures))):
            form[f"{measure}_position"] = chance.choice(MEASURE_POSITIONS)
            form[f"{measure}_comment"] = f"Kommentar {number} om insatsen."
        files = None
        if chance.random() < 0.2:
            files = {
                "decision_file": (
                    f"Beslut {number}.pdf",
                    pdf(f"Protokollsutdrag {number}"),
                    "application/pdf",
                )
            }
        with self.client.post(
            edit, data=form, files=files, name="/answers/rounds/[id]/edit [POST]", catch_response=True
        ) as response:
            if response.status_code == 409 and any(text in response.text for text in CONFLICTS):
                response.success()  # a colleague saved or submitted first: expected when people share a draft
                return
            if response.status_code != 200:
                response.failure(f"save: HTTP {response.status_code}")
                return
            if LOCKED in response.text:
                return  # submitted by a colleague meanwhile
            if SAVED not in response.text:
                response.failure("save: the page does not say the draft was saved")
                return
        if chance.random() < 0.5:
            self.submit()

    def submit(self):
        preview = f"/answers/rounds/{OPEN_ROUND}/preview"
        submit = f"/answers/rounds/{OPEN_ROUND}/submit"
        page = self.page(preview, "", name="/answers/rounds/[id]/preview")
        if f'action="{submit}"' not in page:
            return  # no draft any more: a colleague submitted it
        with self.client.post(
            submit,
            data=read_form(page, submit),
            name="/answers/rounds/[id]/submit [POST]",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"submit: HTTP {response.status_code}")
                return
            acknowledged = ACKNOWLEDGED.search(response.text)
            if acknowledged:
                record_receipt(acknowledged[1])
            elif not any(text in response.text for text in (ALREADY_SUBMITTED, STALE_PREVIEW, NO_DRAFT)):
                response.failure("submit: neither a receipt nor a reason on the page")

    @task(1)
    def sign_out_and_in(self):
        self.sign_out()
        self.sign_in()


class Admin(Person):
    role = "admin"
    weight = 2

    @task(2)
    def accounts(self):
        self.current = self.page("/admin/users/", "Alla konton")

    @task(1)
    def organisations(self):
        self.current = self.page("/admin/organisations/", "Registret över remissinstanser")
