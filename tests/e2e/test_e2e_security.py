"""Abuse in a real browser: hostile text typed into forms stays text, and a file over the limit
gets the Swedish page rather than a broken connection."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from remiss.auth.models import Role
from tests.e2e.axe import assert_accessible

pytestmark = pytest.mark.e2e

HOSTILE = '<script>alert("x")</script><img src=x onerror="alert(1)"><b>fet</b>'


def test_hostile_text_in_admin_forms_is_shown_as_text(page, sign_in):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, Role.ADMIN)

    page.goto("/admin/organisations/new")
    page.get_by_label("Namn", exact=True).fill(f"Nämnd {HOSTILE}")
    page.get_by_label("Kortnamn").fill("javascript:alert(1)")
    page.get_by_label("Funktionsbrevlåda").fill("namnd@example.se")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_text(f"Organisationen Nämnd {HOSTILE} är skapad.")).to_be_visible()
    expect(page.get_by_role("cell", name=f"Nämnd {HOSTILE}", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="javascript:alert(1)", exact=True)).to_be_visible()
    assert page.locator("main script, main img, main b").count() == 0
    assert page.locator("a[href^='javascript:']").count() == 0

    page.goto("/admin/users/new")
    page.get_by_label("Namn").fill(HOSTILE)
    page.get_by_label("E-postadress").fill("elak@example.se")
    page.get_by_label("Roll").select_option(label="Handläggare")
    page.get_by_role("button", name="Skapa konto och inbjudningslänk").click()
    expect(page.get_by_role("cell", name=HOSTILE, exact=True)).to_be_visible()
    assert page.locator("main script, main img, main b").count() == 0
    assert_accessible(page, "accounts list with hostile names")
    assert dialogs == []


def test_a_file_over_the_limit_gets_the_swedish_page(page, sign_in, tmp_path):
    large = tmp_path / "register.csv"
    large.write_bytes(b"a" * (22 * 1024 * 1024))
    sign_in(page, Role.ADMIN)
    page.goto("/admin/organisations/")
    page.get_by_label("CSV-fil").set_input_files(large)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Importera").click()
    assert navigation.value.status == 413
    expect(page.get_by_role("heading", level=1)).to_have_text("Filen är för stor")
    expect(page.get_by_text("En fil får vara högst 20 MB.")).to_be_visible()
    assert_accessible(page, "413 page")
