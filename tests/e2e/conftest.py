"""Browser tests: Playwright drives Debian's Chromium against a live server.

Every page a journey visits is checked with axe-core (no serious or critical violation) and
photographed into test-artifacts/<test name>/.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import Page, expect, sync_playwright

from rp_portal.accounts.selectors import holds_a_staff_role
from tests.accounts.two_factor import authenticator_secret, fresh_code
from tests.factories import PASSWORD

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 375, "height": 812}
TABLET = {"width": 768, "height": 1024}
DESKTOP = {"width": 1280, "height": 900}
# Each step of a desktop journey is also photographed at these widths (NN-step-375.png,
# NN-step-768.png), so every journey can be seen on a phone and a tablet.
ALSO_AT = (PHONE, TABLET)


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(autouse=True)
def _two_factor_required_for_staff(settings):
    """Browser tests run with the production rule (the unit-test settings switch it off)."""
    settings.RP_REQUIRE_MFA_FOR_STAFF = True


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


class Journey:
    """One person's browser, with a page check after each step."""

    def __init__(self, page: Page, base_url: str, folder: Path, *, also_at=()):
        self.page = page
        self.base_url = base_url
        self.folder = folder
        self.steps = 0
        self.axe = Axe()
        self.also_at = also_at

    def goto(self, path: str) -> None:
        self.page.goto(self.base_url + path)

    def check(self, name: str) -> None:
        """Photograph the page and fail on any serious or critical accessibility problem."""
        self.page.wait_for_load_state("load")
        self.steps += 1
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        self.page.screenshot(path=self.folder / f"{self.steps:02d}-{slug}.png", full_page=True)
        results = self.axe.run(self.page)
        # axe-core leaves empty style="" attributes behind; htmx would copy them on a swap
        # and the CSP (rightly) reports inline styles. Tidy up after the check.
        self.page.evaluate(
            "document.querySelectorAll('[style=\"\"]').forEach(e => e.removeAttribute('style'))"
        )
        bad = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
            for v in results.response["violations"]
            if v["impact"] in {"serious", "critical"}
        ]
        self.photograph_at_other_widths(f"{self.steps:02d}-{slug}")
        assert not bad, f"accessibility problems on '{name}' ({self.page.url}):\n" + "\n".join(bad)

    def photograph_at_other_widths(self, stem: str) -> None:
        """The same page at each width of ``also_at``, then back to the journey's own size."""
        own = self.page.viewport_size
        wider = []
        for size in self.also_at:
            if own and size["width"] == own["width"]:
                continue
            self.page.set_viewport_size(size)
            self.page.screenshot(path=self.folder / f"{stem}-{size['width']}.png", full_page=True)
            width = self.page.evaluate("document.documentElement.scrollWidth")
            if width > size["width"]:
                wider.append(f"{width} px wide on a {size['width']} px screen")
        if own and self.page.viewport_size != own:
            self.page.set_viewport_size(own)
        assert not wider, f"'{stem}' ({self.page.url}) scrolls sideways: {wider}"


@pytest.fixture
def journey(browser, live_server, request):
    folder = ARTIFACTS / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=DESKTOP, locale="en-GB", timezone_id="Europe/London")
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "console",
        lambda msg: errors.append(msg.text) if msg.type == "error" else None,
    )
    yield Journey(page, live_server.url, folder, also_at=ALSO_AT)
    context.close()
    assert not errors, f"the browser reported errors: {errors}"


@pytest.fixture
def phone_journey(browser, live_server, request):
    folder = ARTIFACTS / f"{request.node.name}-phone"
    folder.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=PHONE, locale="en-GB", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield Journey(page, live_server.url, folder)
    context.close()


@pytest.fixture
def another_browser(browser, live_server, request):
    """Open another person's browser (a separate context), checked like `journey`."""
    contexts = []
    errors: list[str] = []

    def open_browser(who: str, *, viewport=DESKTOP, has_touch: bool = False) -> Journey:
        folder = ARTIFACTS / f"{request.node.name}-{who}"
        folder.mkdir(parents=True, exist_ok=True)
        context = browser.new_context(
            viewport=viewport, locale="en-GB", timezone_id="Europe/London", has_touch=has_touch
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("pageerror", lambda exc: errors.append(f"{who}: {exc}"))
        page.on(
            "console",
            lambda msg: errors.append(f"{who}: {msg.text}") if msg.type == "error" else None,
        )
        return Journey(page, live_server.url, folder, also_at=ALSO_AT)

    yield open_browser
    for context in contexts:
        context.close()
    assert not errors, f"the other browsers reported errors: {errors}"


def sign_in(
    journey: Journey, user, *, check: str | None = None, two_factor: bool | None = None
) -> None:
    """Sign in through the real form and wait for the signed-in home page.

    Facilitators, managers and admins must use two-factor authentication: they (and anyone
    given ``two_factor=True``, e.g. who becomes an admin during the journey) get an
    authenticator, and the code an app would show is typed into the real second step.
    """
    page = journey.page
    if two_factor is None:
        two_factor = holds_a_staff_role(user)
    secret = authenticator_secret(user) if two_factor else None
    journey.goto(reverse("account_login"))
    if check:
        journey.check(check)
    page.locator("#id_login").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    if secret:
        expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
        if check:
            journey.check(f"{check}: two-factor code")
        page.locator("#id_code").fill(fresh_code(user, secret))
        page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("heading", name=f"Hello, {user.display_name}")).to_be_visible()
