"""Every role's main journey in a real browser (Debian's Chromium driven by Playwright) against a
real uvicorn serving a freshly seeded SQLite database; axe-core checks every page visited (no
serious or critical violation) and each page is photographed at desktop and phone widths into
``screenshots/``.

Skipped without ``/usr/bin/chromium`` or the ``playwright`` package, unless ``REQUIRE_BROWSER=1``.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, TEST_KEYS, make_settings, require_or_skip

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("OPENBUREAU_CHROMIUM", "/usr/bin/chromium"))
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SHOTS = REPO / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run"]
BLOCKING = {"serious", "critical"}


# -- the server -----------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _seed(tmp: Path) -> tuple[dict[str, str], dict[str, str]]:
    """A migrated SQLite database with the demo population and its showcase (``make demo``'s),
    the demo logins and their file; and a person of the population who has not enrolled."""
    from openbureau.adapters.database import make_engine, upgrade
    from openbureau.bootstrap import bootstrap
    from openbureau.services import demo, demo_logins, demo_showcase, models

    env = {"OPENBUREAU_DATABASE_URL": f"sqlite:///{tmp / 'e2e.db'}",
           "OPENBUREAU_VAR_DIR": str(tmp / "var"), "OPENBUREAU_ENVIRONMENT": "test",
           "OPENBUREAU_DEMO": "true", "OPENBUREAU_PII_KEY": TEST_KEYS["pii_key"],
           "OPENBUREAU_HMAC_KEY": TEST_KEYS["hmac_key"],
           "OPENBUREAU_AUDIT_KEY": TEST_KEYS["audit_key"]}
    engine = make_engine(env["OPENBUREAU_DATABASE_URL"])
    try:
        upgrade(engine)
        bureau = bootstrap(make_settings(tmp / "var", demo=True), engine=engine)
        models.ensure_shipped(bureau.uow(), bureau.deps)
        picks = demo_showcase.Picks()
        demo.seed(bureau.uow(), bureau.deps, 130, picks=picks)
        assert demo_showcase.stage(bureau.uow(), bureau.deps, picks,
                                   demo_logins.DEMO_PASSWORD)["staged"]
        creds = demo_logins.issue(bureau.uow(), bureau.deps)
    finally:
        engine.dispose()
    (tmp / "var").mkdir(exist_ok=True)
    (tmp / "var" / "demo-credentials.json").write_text(json.dumps(creds))
    newcomer = picks.debtors[1][0]
    assert newcomer.national_id is not None and newcomer.date_of_birth is not None
    return env, {"national_id": newcomer.national_id, "name": newcomer.name,
                 "date_of_birth": newcomer.date_of_birth.isoformat()}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    if not CHROMIUM.exists():
        require_or_skip("REQUIRE_BROWSER", f"no Chromium at {CHROMIUM}")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        require_or_skip("REQUIRE_BROWSER", "the playwright package is not installed")
    tmp = tmp_path_factory.mktemp("e2e")
    env, newcomer = _seed(tmp)
    port = _free_port()
    log = (tmp / "uvicorn.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "openbureau.api:create_app",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT, cwd=tmp)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                # /readyz also loads the active model, so pages start warm
                with urllib.request.urlopen(base + "/readyz", timeout=5):
                    break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail("uvicorn exited: " + (tmp / "uvicorn.log").read_text())
                time.sleep(0.2)
        else:
            pytest.fail("uvicorn did not start")
        creds = {c["role"]: c for c in json.loads(
            (tmp / "var" / "demo-credentials.json").read_text())}
        yield {"base": base, "creds": creds, "log": tmp / "uvicorn.log", "newcomer": newcomer,
               "outbox": tmp / "var" / "outbox"}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def browser(server: dict[str, Any]) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any, server: dict[str, Any]) -> Iterator[Any]:
    context = browser.new_context(base_url=server["base"], viewport=DESKTOP)
    context.set_default_timeout(15000)
    pg = context.new_page()
    errors: list[str] = []

    def console(m: Any) -> None:
        # a page answered 401 or 422 on purpose (a journey checks its error page) is logged
        # as a failed load of the page itself; a failed asset or a CSP refusal is not that
        document = m.text.startswith("Failed to load resource") and \
            m.location.get("url") == pg.url
        if m.type == "error" and not document:
            errors.append(f"{pg.url}: {m.text} ({m.location.get('url')})")

    pg.on("console", console)
    pg.on("pageerror", lambda e: errors.append(f"{pg.url}: {e}"))
    yield pg
    context.close()
    # a page that logs an error (a CSP refusal, a missing file, a script failing) fails
    assert errors == [], errors


# -- checks on every page -------------------------------------------------------------------------

def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8") + "\n;true"


def shown(locator: Any) -> None:
    """The locator becomes visible (retried until Playwright's expect timeout): a click that
    navigates returns before the next page has loaded, so ``is_visible()`` right after one races."""
    from playwright.sync_api import expect

    expect(locator).to_be_visible()


def audit(page: Any, name: str) -> None:
    """axe-core on the page as it stands (no serious or critical violation), then screenshots
    at desktop and phone widths, at each of which the page is no wider than the screen."""
    # evaluated through the DevTools protocol, which the pages' CSP (script-src 'self') allows
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    blocking = [v for v in result if v["impact"] in BLOCKING]
    SHOTS.mkdir(exist_ok=True)
    widths = {}
    for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        widths[label] = page.evaluate("[document.documentElement.scrollWidth, "
                                      "document.documentElement.clientWidth]")
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
    assert blocking == [], f"axe violations on {name} ({page.url}): {blocking}"
    # the page fits the screen's width: a wide table scrolls inside its box, never the page
    assert all(scroll <= client for scroll, client in widths.values()), \
        f"{name} ({page.url}) is wider than the screen: {widths}"


def sign_in_organisation(page: Any, key: str) -> None:
    page.goto("/signin?as=organisation")
    page.get_by_label("API key").fill(key)
    page.locator("#si-org").locator("..").get_by_role("button", name="Sign in").click()


# -- journeys -------------------------------------------------------------------------------------

def test_public_landing_and_defaulter_search(page: Any, server: dict[str, Any]) -> None:
    page.goto("/")
    assert "due process" in page.locator("h1").inner_text()
    shown(page.get_by_role("heading", name="Demo sign-ins"))
    assert page.get_by_text(server["creds"]["member"]["credential"]).count() == 1
    audit(page, "landing")
    # keyboard: the first Tab lands on the skip link, which moves focus to the main content
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.goto("/signin")
    audit(page, "signin")
    page.goto("/public/defaulters")
    page.get_by_label("Name").fill("Zhang")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("heading", name="Results").wait_for()
    audit(page, "public-defaulters")
    # a page for a role, without signing in: a 401 page with a sign-in link, not a redirect
    response = page.goto("/me/report")
    assert response.status == 401
    shown(page.get_by_role("link", name="Sign in").first)
    audit(page, "error-401")


def test_consumer_journey(page: Any, server: dict[str, Any]) -> None:
    cred = server["creds"]["consumer"]["credential"]
    nid = re.search(r"national_id=(\S+)", cred)[1]  # type: ignore[index]
    password = re.search(r"password=(\S+)", cred)[1]  # type: ignore[index]
    page.goto("/signin")
    page.get_by_label("National id").fill(nid)
    page.get_by_label("Password").fill(password)
    page.locator("#si-consumer").locator("..").get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/me/report")
    shown(page.get_by_role("heading", name="My credit report"))
    assert page.locator("svg.gauge").count() >= 1 or "No score yet" in page.content()
    assert page.locator("ol.grid").count() >= 1
    assert page.locator("ol.grid li").first.get_attribute("title")  # month: words, not colour
    # the decline the demo member sent reads as a letter: who, the score on its scale, the
    # key factors in words, the rights and the bureau's contact; no Python data
    notice = page.locator("details.notice").filter(has_text="declined by Demo Member")
    assert notice.get_attribute("open") is not None           # the newest, open
    letter = notice.locator(".letter").inner_text()
    assert re.search(r"On \d{1,2} \w+ \d{4}, Demo Member declined your application "
                     r"\(credit application\)\.", letter), letter
    assert re.search(r"Your credit score was \d{3} on a scale from 350 to 950", letter), letter
    assert notice.locator(".letter li").count() >= 1 and "points)" in letter
    assert "How to reach us:" in letter and "did not make this decision" in letter
    assert not re.search(r"None|\{'|\['|\bR\d\d\b", letter), letter
    # at a glance: the tiles, each with its words; every account says why it is on the file
    tiles = page.locator("ul.tiles li")
    assert tiles.count() == 8
    assert "Accounts open" in tiles.nth(1).inner_text()
    why = page.locator("details.why").first
    why.locator("summary").click()
    assert re.search(r"Matched on: |opened from this account|recorded before the bureau",
                     why.inner_text()), why.inner_text()
    shown(page.locator("#pi-h"))
    assert page.locator("a[href^='/me/disputes/new?kind=identity']").count() >= 1
    audit(page, "me-report")

    # dispute the late payment from where it is shown, and follow it
    late = page.locator("article.account").filter(has=page.locator("li.s-dpd30")).first
    account = late.locator("h3").inner_text().replace("Disputed", "").strip()
    late.get_by_role("link", name=re.compile("Dispute this account")).click()
    assert account in page.locator("main").inner_text()
    page.get_by_label("What is wrong").fill("I never paid late on this account.")
    audit(page, "me-dispute-form")
    page.get_by_role("button", name="Open the dispute").click()
    page.wait_for_url("**/me/disputes?done=dispute-opened")
    row = page.locator("tbody tr").first
    assert "I never paid late" in row.inner_text()
    assert "open" in row.inner_text()
    audit(page, "me-disputes")

    # statement, fraud alert, freeze and unfreeze
    page.goto("/me/report")
    page.get_by_label("Add a statement to your file").fill("My identity was stolen in 2025.")
    page.get_by_role("button", name="Add the statement").click()
    shown(page.get_by_text("My identity was stolen in 2025.").first)
    page.get_by_role("link", name="Freeze my file…").click()
    shown(page.get_by_text("What continues:"))
    audit(page, "me-freeze")
    page.get_by_label("I understand; freeze my file").check()
    page.get_by_role("button", name="Freeze my file").click()
    page.wait_for_url("**/me/report?done=frozen")
    assert page.locator("p.warn", has_text="Your file is frozen").count() == 1   # once
    assert page.get_by_text("Your file is frozen: new-credit inquiries").count() == 0
    page.get_by_role("link", name="Lift the freeze…").click()
    page.get_by_label("I want the freeze lifted").check()
    page.get_by_role("button", name="Lift the freeze").click()
    shown(page.get_by_role("link", name="Freeze my file…"))
    page.get_by_role("button", name="Place a fraud alert").click()
    shown(page.get_by_text("Fraud alert (initial)"))

    # the simulator: moving a control updates the score live (htmx) and names what moved
    page.get_by_role("link", name="Score simulator", exact=True).click()
    score = page.locator("#sim-score")
    before = score.inner_text()
    page.get_by_label("When").select_option("24")
    page.get_by_label("Bring every late account current").check()
    page.get_by_label("Pay revolving balances down to").select_option("0")
    from playwright.sync_api import expect

    expect(score).not_to_have_text(before)
    assert page.locator("#sim-change").inner_text() != "No change from"
    shown(page.get_by_role("heading", name="Factors that moved"))
    assert page.url.endswith("/me/simulator")          # no page load: htmx swapped the result
    audit(page, "me-simulator")

    # offers, and the PDF
    page.get_by_role("link", name="Offers", exact=True).click()
    page.get_by_role("button", name="Opt in to offers").click()
    shown(page.get_by_text("You are opted in"))
    audit(page, "me-offers")
    with page.expect_download() as download:
        page.goto("/me/report")
        page.get_by_role("link", name="Download the PDF report").click()
    assert download.value.suggested_filename == "credit-report.pdf"


def _letter_code(outbox: Path) -> str:
    letter = sorted(outbox.glob("*.txt"))[-1].read_text()
    return re.search(r"\b([0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6})\b", letter)[1]  # type: ignore[index]


def test_consumer_enrols_and_resets_a_password(page: Any, server: dict[str, Any]) -> None:
    """A person of the population enrols on the web with the code posted to them, signs out,
    forgets the password and resets it: each time signed in on their report."""
    who = server["newcomer"]
    page.goto("/signin")
    page.get_by_role("link", name="Enrol").click()
    page.locator("#c-nid").fill(who["national_id"])
    page.locator("#c-dob").fill(who["date_of_birth"])
    page.get_by_role("button", name="Send me a code").click()
    shown(page.get_by_text("a letter with your code is on its way"))
    audit(page, "enrol")
    page.locator("#u-nid").fill(who["national_id"])
    page.locator("#u-dob").fill(who["date_of_birth"])
    page.get_by_label("Code from the letter").fill(_letter_code(server["outbox"]))
    page.get_by_label("Password", exact=True).fill("my first password")
    page.get_by_label("The password again").fill("my first password")
    page.get_by_role("button", name="Enrol and sign in").click()
    page.wait_for_url("**/me/report")
    shown(page.get_by_role("heading", name="My credit report"))
    page.get_by_role("button", name=re.compile("Sign out")).click()

    page.goto("/signin")
    page.get_by_role("link", name="Forgot your password?").click()
    page.locator("#c-nid").fill(who["national_id"])
    page.locator("#c-dob").fill(who["date_of_birth"])
    page.get_by_role("button", name="Send me a code").click()
    audit(page, "reset")
    page.locator("#u-nid").fill(who["national_id"])
    page.locator("#u-dob").fill(who["date_of_birth"])
    page.get_by_label("Code from the letter").fill(_letter_code(server["outbox"]))
    page.get_by_label("New password", exact=True).fill("my second password")
    page.get_by_label("The password again").fill("my second password")
    page.get_by_role("button", name="Set the password and sign in").click()
    page.wait_for_url("**/me/report")
    # their listing notice reads as a letter too: money with its currency, the open end
    listing = page.locator("details.notice").filter(has_text="listed you").first
    listing.locator("summary").click()
    text = listing.locator(".letter").inner_text()
    assert re.search(r"is for [\d,]+\.\d\d USD", text) and "None" not in text, text


def test_furnisher_journey(page: Any, server: dict[str, Any], tmp_path: Path) -> None:
    """Demo First Bank answers the open dispute and sends a file on the web."""
    sign_in_organisation(page, server["creds"]["furnisher"]["credential"])
    page.wait_for_url("**/furnisher")
    dispute = page.get_by_role("article").first
    assert "The consumer says:" in dispute.inner_text()
    audit(page, "furnisher-disputes")
    dispute.get_by_label(re.compile("^Verified")).check()
    dispute.get_by_label(re.compile("Note to the consumer")).fill("Checked the statements.")
    dispute.get_by_role("button", name=re.compile("Send the answer")).click()
    page.wait_for_url("**/furnisher?done=dispute-answered")
    shown(page.get_by_text("Answer recorded"))

    csv = tmp_path / "october.csv"
    csv.write_text("subject_national_id,subject_name,account_ref,as_of,kind,opened_on,balance,"
                   "amount_past_due,status,ecoa,currency\n"
                   f"{server['newcomer']['national_id']},{server['newcomer']['name']},WEB-1,"
                   "2026-10-31,installment,2025-03-01,900000,0,current,individual,USD\n"
                   f"{server['newcomer']['national_id']},{server['newcomer']['name']},WEB-2,"
                   "2026-10-31,installment,2025-03-01,12.5,0,current,individual,USD\n")
    page.get_by_role("link", name="Files").click()
    audit(page, "furnisher-files")
    page.get_by_label("File", exact=True).set_input_files(str(csv))
    page.get_by_role("button", name="Send the file").click()
    page.wait_for_url(re.compile(r".*/furnisher/files/[^/]+$"))
    from playwright.sync_api import expect

    expect(page.get_by_text("Status: done")).to_be_visible()      # refreshed until read
    shown(page.get_by_role("table", name=re.compile("Rejected lines")))
    assert "balance" in page.get_by_role("table", name=re.compile("Rejected lines")).inner_text()
    shown(page.get_by_role("table", name=re.compile("Data quality")))
    audit(page, "furnisher-file")


def test_member_journey(page: Any, server: dict[str, Any]) -> None:
    consumer = server["creds"]["consumer"]
    nid = re.search(r"national_id=(\S+)", consumer["credential"])[1]  # type: ignore[index]
    sign_in_organisation(page, server["creds"]["member"]["credential"])
    page.wait_for_url("**/member")
    audit(page, "member-inquiry")
    page.get_by_label("National id").fill(nid)
    page.get_by_label("Name").fill(consumer["who"])
    page.get_by_label("Permissible purpose").select_option("credit_application")
    page.get_by_role("button", name="Pull the report").click()
    page.get_by_role("heading", name=re.compile("Credit report:")).wait_for()
    audit(page, "member-report")
    # each decision's radio button sits just before its words (it once took an input's width)
    radio = page.locator("#dec-declined").bounding_box()
    words = page.locator("label[for=dec-declined]").bounding_box()
    assert radio["width"] < 40 and 0 <= words["x"] - (radio["x"] + radio["width"]) < 24, (radio,
                                                                                         words)
    page.get_by_label("Declined").check()
    page.get_by_role("button", name="Record the decision").click()
    page.get_by_role("heading", name="The notice sent to the consumer").wait_for()
    audit(page, "member-decision")

    page.get_by_role("link", name="Restriction check").click()
    page.get_by_label("National id").fill(nid)
    page.get_by_label("Name").fill(consumer["who"])
    page.get_by_label("Service you provide").select_option("air_travel")
    page.get_by_role("button", name="Check").click()
    assert "restricted" in page.locator("#check-result").inner_text().lower()
    audit(page, "member-restriction")

    page.get_by_role("link", name="Offers", exact=True).click()
    page.get_by_label("Title").fill("Lower-rate card")
    page.get_by_label("Description").fill("2 points off the standard rate.")
    page.get_by_label("Minimum score (350–950)").fill("650")
    page.get_by_role("button", name="Publish").click()
    shown(page.get_by_role("cell", name="Lower-rate card"))
    audit(page, "member-offers")


def test_court_journey(page: Any, server: dict[str, Any]) -> None:
    sign_in_organisation(page, server["creds"]["court"]["credential"])
    page.wait_for_url("**/court")
    page.get_by_role("link", name="List a judgment").first.click()
    audit(page, "court-judgment-form")
    assert page.get_by_label("air travel").count() == 1
    assert page.get_by_label(re.compile("children", re.I)).count() == 0   # never offered
    page.get_by_label("Case number").fill("(2026) Jing 01 Zhi 314")
    page.get_by_label("National id").fill("770012345")
    page.get_by_label("Name").fill("Wang Wei")
    page.get_by_label("Date of birth").fill("1980-03-04")
    page.get_by_label("Amount").fill("25000")
    page.get_by_label("Judgment date").fill("2026-08-01")
    page.get_by_label("Legal ground").select_option("evades_enforcement")
    page.get_by_label("air travel").check()
    page.get_by_label("star hotels").check()
    page.get_by_role("button", name="List the judgment").click()
    # a term ground needs its legal basis: the refusal is explained on the form
    if page.get_by_text("The listing was refused").count():
        audit(page, "court-judgment-refused")
        page.get_by_label("Legal basis").fill("Provisions on the list of defaulters, art. 1(2)")
        page.get_by_role("button", name="List the judgment").click()
    page.wait_for_url("**/court?done=listed")
    listing = page.get_by_role("article").filter(has_text="(2026) Jing 01 Zhi 314")
    assert "active" in listing.inner_text()
    audit(page, "court-listings")

    page.goto("/public/defaulters?name=Wang+Wei")
    shown(page.get_by_role("cell", name="(2026) Jing 01 Zhi 314"))

    page.goto("/court")
    listing = page.get_by_role("article").filter(has_text="(2026) Jing 01 Zhi 314")
    listing.get_by_role("button", name=re.compile("Record satisfaction")).click()
    page.wait_for_url("**/court?done=satisfied")
    assert "lifted" in page.get_by_role("article").filter(
        has_text="(2026) Jing 01 Zhi 314").inner_text().lower()
    page.get_by_role("link", name="Objections").click()
    page.get_by_role("heading", name="Objections to our listings").wait_for()
    audit(page, "court-objections")


def test_operator_and_auditor_journey(page: Any, server: dict[str, Any]) -> None:
    sign_in_organisation(page, server["creds"]["auditor"]["credential"])
    page.wait_for_url("**/admin")
    audit(page, "admin-overview")
    page.get_by_role("link", name="Model card").first.click()
    page.get_by_role("heading", name="Model card and drift").wait_for()
    images = page.locator("main img")
    for i in range(images.count()):      # every plot loads
        assert images.nth(i).evaluate("img => img.complete && img.naturalWidth > 0")
    audit(page, "admin-model")
    page.get_by_role("link", name="Fairness").first.click()
    audit(page, "admin-fairness")
    page.get_by_role("link", name="Disputes").first.click()
    assert "open" in page.locator("main").inner_text()
    audit(page, "admin-disputes")
    page.get_by_role("link", name="Audit chain").click()
    page.get_by_role("button", name="Verify the whole chain").click()
    assert "Chain intact" in page.locator("#verify-result").inner_text()
    # the event browser: newest first, filtered by action
    seqs = [int(t) for t in page.locator("tbody tr td:first-child").all_inner_texts()]
    assert seqs and seqs == sorted(seqs, reverse=True)
    page.get_by_label("Action starts with").fill("dispute.")
    page.get_by_role("button", name="Filter").click()
    actions = page.locator("tbody tr td:nth-child(4)").all_inner_texts()
    assert actions and all(a.startswith("dispute.") for a in actions)
    audit(page, "admin-audit")
    page.get_by_role("link", name="Rescoring").click()
    audit(page, "admin-rescoring")
    # the API documentation renders from this server's files alone (no CDN)
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1)"), lambda route: route.abort())
    page.goto("/docs")
    page.locator(".swagger-ui .info .title").wait_for()
    assert "openbureau" in page.locator(".swagger-ui .info .title").inner_text()
