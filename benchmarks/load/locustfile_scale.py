"""Simulated people of the scale scenario (issue 18), run by ``benchmarks/load/scale.py`` against a
database of 10,000 public rounds and one open round of 300 bodies × 60 measures (LOAD_BIG_ROUND):

- anonymous visitors read the public register (a random page, a search) and its Atom feed;
- officers page through the rounds list (filters, searches, far pages), their start page, the big
  round's page and its e-mail log, a random round, and the summaries of the demo rounds;
- managers do the same reading and start the Excel export of the big round: a background job
  they follow on its progress page until the file is ready (a fourth job while three are under
  way is refused with a message: an expected outcome);
- respondents of the big round's bodies that have not answered work on their answer through the
  real forms (``locustfile.Respondent``: save, preview, submit).

Every page is checked for what a person would see; a failure's message carries ``HTTP
<status>`` so that the runner can count server errors."""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import locustfile as base  # noqa: E402  (a module: its people are not run here)
from locust import HttpUser, between, task  # noqa: E402

BIG_ROUND = os.environ.get("LOAD_BIG_ROUND", "")
DEMO_ROUNDS = os.environ.get("LOAD_DEMO_ROUNDS", "").split(",")
ROUNDS = int(os.environ.get("LOAD_ROUNDS", "10000"))
SEARCHES = ("äldreomsorg", "KLIMAT", "skola trafik", "1818/26", "Skalnämnd 042", "plan", "ingenting-alls")
JOB = re.compile(r"/jobs/(\d+)$")
chance = base.chance


class Visitor(HttpUser):
    """Someone reading the public register, not signed in."""

    weight = 10
    wait_time = between(1, 3)

    def page(self, path: str, expect: str, name: str) -> str:
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{path}: HTTP {response.status_code}")
            elif expect not in response.text:
                response.failure(f"{path}: «{expect}» is not on the page")
            return response.text

    @task(4)
    def register(self):
        page = chance.randint(1, 400)
        self.page(f"/register/?page={page}", "Remissregister", "/register/?page=[n]")

    @task(3)
    def search(self):
        query = chance.choice(SEARCHES)
        self.page(f"/register/?q={query}", "Sökresultat", "/register/?q=[search]")

    @task(2)
    def feed(self):
        self.page("/register/feed.atom", "<feed", "/register/feed.atom")

    @task(1)
    def big_round(self):
        self.page(f"/register/{BIG_ROUND}", "Stor remiss", "/register/[big]")


class Reader(base.Person):
    abstract = True

    @task(4)
    def rounds_list(self):
        choice = chance.random()
        if choice < 0.4:
            path, name = f"/rounds/?page={chance.randint(1, ROUNDS // 50)}", "/rounds/?page=[n]"
        elif choice < 0.7:
            path, name = f"/rounds/?q={chance.choice(SEARCHES)}", "/rounds/?q=[search]"
        else:
            status = chance.choice(("open", "closed", "archived"))
            path, name = f"/rounds/?status={status}&sort=-deadline", "/rounds/?status=[s]"
        self.current = self.page(path, "<h1>Remisser</h1>", name=name)

    @task(2)
    def big_round(self):
        self.current = self.page(f"/rounds/{BIG_ROUND}", "Remissinstanser", name="/rounds/[big]")

    @task(1)
    def big_round_messages(self):
        self.current = self.page(f"/rounds/{BIG_ROUND}/messages", "E-post för", name="/rounds/[big]/messages")

    @task(2)
    def some_round(self):
        round_id = chance.randint(1, ROUNDS)
        with self.client.get(f"/rounds/{round_id}", name="/rounds/[random]", catch_response=True) as response:
            if response.status_code not in (200, 404):
                response.failure(f"/rounds/{round_id}: HTTP {response.status_code}")

    @task(2)
    def summary(self):
        round_id = chance.choice(DEMO_ROUNDS)
        self.current = self.page(
            f"/rounds/{round_id}/summary", "Sammanställning", name="/rounds/[demo]/summary"
        )


class Officer(Reader):
    role = "officer"
    weight = 8

    @task(3)
    def start_page(self):
        self.current = self.page("/rounds/start", "Mina öppna remisser", name="/rounds/start")


class Manager(Reader):
    role = "manager"
    weight = 3

    @task(2)
    def export_the_big_round(self):
        """Start the big round's export and follow its progress until the file is ready."""
        path = f"/rounds/{BIG_ROUND}/summary/export"
        page = self.page(path, "Exportera sammanställningen", name="/rounds/[big]/summary/export")
        with self.client.post(
            f"{path}/start",
            data={"csrf_token": self.csrf_token(page)},
            name="/rounds/[big]/summary/export/start [POST]",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "")
            if response.status_code != 302:
                response.failure(f"start export: HTTP {response.status_code}")
                return
            job = JOB.search(location)
            if job is None:
                return  # refused: three jobs already under way (a message on the export page)
        job_id = job[1]
        self.page(f"/jobs/{job_id}", "Förlopp", name="/jobs/[id]")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with self.client.get(
                f"/jobs/{job_id}/status", name="/jobs/[id]/status", catch_response=True
            ) as response:
                if response.status_code != 200:
                    response.failure(f"status: HTTP {response.status_code}")
                    return
                state = response.json()
            if state["failed"]:
                with self.client.get(f"/jobs/{job_id}", name="/jobs/[id] (failed)", catch_response=True) as r:
                    r.failure(f"export failed: {state['message']}")
                return
            if state["finished"]:
                with self.client.get(
                    state["download_url"], name="/jobs/[id]/download", catch_response=True
                ) as response:
                    if response.status_code != 200 or response.content[:2] != b"PK":
                        response.failure(f"download: HTTP {response.status_code}")
                return
            time.sleep(1)


class Respondent(base.Respondent):
    weight = 9
