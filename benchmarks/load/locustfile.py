"""Simulated people for the load test (run through benchmarks/load/run.py, which prepares the
database, the accounts and gunicorn). Each simulated person has an account of their own, made by
run.py: ``load-<role>-<n>@example.se`` with the password in LOAD_PASSWORD.

- officers and managers browse the pages they have: the start page, the accessibility statement;
- respondents of the bodies invited to the open demo round sign in, look at their start page and
  now and then sign out and in again;
- an administrator browses the accounts and the register of organisations.

Every page is checked for what a person would see, not only for the status code; a failure's
message carries ``HTTP <status>`` so that run.py can count server errors."""

from __future__ import annotations

import itertools
import os
import re

from locust import HttpUser, between, task

PASSWORD = os.environ.get("LOAD_PASSWORD", "")
_numbers: dict[str, itertools.count] = {}

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


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


class Officer(Person):
    role = "officer"
    weight = 10

    @task(5)
    def start_page(self):
        self.current = self.page("/", "Här följer du stadens remisser.")

    @task(1)
    def accessibility(self):
        self.current = self.page("/accessibility", "Tillgänglighetsredogörelse")


class Manager(Officer):
    role = "manager"
    weight = 3


class Respondent(Person):
    role = "respondent"
    weight = 15

    @task(6)
    def start_page(self):
        self.current = self.page("/", "Här ser du de remisser som")

    @task(1)
    def sign_out_and_in(self):
        self.sign_out()
        self.sign_in()

    # TODO(answers): when the answers area lands, add the respondents' real work here: open the
    # open demo round, save a draft (sometimes with a decision PDF), submit it, and record each
    # acknowledged submission so run.py can check afterwards that every one is in the database.


class Admin(Person):
    role = "admin"
    weight = 2

    @task(2)
    def accounts(self):
        self.current = self.page("/admin/users/", "Alla konton")

    @task(1)
    def organisations(self):
        self.current = self.page("/admin/organisations/", "Registret över remissinstanser")
