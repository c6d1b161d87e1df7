"""Headless Chromium for the admin browser tests: Debian's chromium and chromedriver, never a
browser or driver downloaded at run time (our machines and CI reach no such host)."""

import shutil
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "browser"
HAVE_BROWSER = Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()
NO_BROWSER = (
    f"needs Debian's chromium and chromium-driver ({CHROMIUM}, {CHROMEDRIVER}); "
    "`apt-get install chromium chromium-driver` (.ci/run does it in CI)"
)


def pytest_collection_modifyitems(config, items):
    if HAVE_BROWSER:
        return
    skip = pytest.mark.skip(reason=NO_BROWSER)
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, so the driver fixture knows if the test failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def browser(request, tmp_path):
    """A Selenium Chrome driver on Debian's chromium, headless, with the flags this closed
    network needs (no background connections, a fresh profile). On failure, the page the test
    was on is saved as `FAILED-<test>.png` beside the step screenshots."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1440,1000",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(flag)
    # The console, to catch Content-Security-Policy violations (csp_violations below).
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(20)
    driver.set_script_timeout(10)
    try:
        yield driver
        # Every browser test also checks that the Content-Security-Policy blocked nothing.
        leftover = csp_violations(driver)
        if leftover:
            pytest.fail(f"Content-Security-Policy violations: {leftover}")
    finally:
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            driver.save_screenshot(str(ARTIFACTS / f"FAILED-{request.node.name}.png"))
        driver.quit()
        shutil.rmtree(tmp_path / "chromium-profile", ignore_errors=True)


# Refused on purpose: ReDoc's bundle always draws Redocly's logo from its CDN, an outside host
# (a reader's browser would tell it who reads our docs); refused, ReDoc just leaves it out.
EXPECTED_REFUSALS = ("'https://cdn.redoc.ly/redoc/logo-mini.svg'",)


def csp_violations(driver) -> list[str]:
    """The console messages since the last call that say the Content-Security-Policy refused
    something (Chromium logs each refusal as an error), less the EXPECTED_REFUSALS."""
    return [
        entry["message"]
        for entry in driver.get_log("browser")
        if ("Content Security Policy" in entry["message"] or "Refused to" in entry["message"])
        and not any(expected in entry["message"] for expected in EXPECTED_REFUSALS)
    ]


@pytest.fixture(scope="session")
def fresh_artifacts():
    """Screenshots of an earlier run are removed once, before the first test that takes any
    (not before each: every test's screenshots stay for CI to keep)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()


@pytest.fixture
def shot(browser, fresh_artifacts):
    """`shot("03-sub-bom-filled")` saves the whole page (the window grown to its height) as
    test-artifacts/browser/03-sub-bom-filled.png."""

    def save(name: str) -> Path:
        browser.set_window_size(1440, 1000)  # measure at the normal size, then grow to fit
        height = browser.execute_script(
            "return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight)"
        )
        browser.set_window_size(1440, max(1000, min(int(height) + 150, 6000)))
        path = ARTIFACTS / f"{name}.png"
        browser.save_screenshot(str(path))
        return path

    return save
