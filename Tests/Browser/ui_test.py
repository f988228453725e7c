#!/usr/bin/env python3
"""Browser test of the web UI: drives headless Chromium through the UI's scenarios with Selenium 4.

    ui_test.py --server http://127.0.0.1:11633/ --demo http://127.0.0.1:8080/ [--screenshots DIR] [--only NAME]
    ui_test.py --server URL --demo URL --token TOKEN    # a server with server.auth.token: the token scenario only

Controls are found by their accessible names (label text, aria-label, button text), so the test checks that the UI
is usable with them. Prints `PASS name` or `FAIL name: reason` per scenario and exits 0 only when all pass.
"""

import argparse
import json
import os
import sys
import time
import traceback
import urllib.parse
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

RUN_TIMEOUT = 60
# How long a control or text may take to appear: an upper bound for a loaded CI machine, not a measure.
WAIT = 30


def xpath_literal(text):
    """A string literal for XPath 1.0 (which has no escapes)."""
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    return "concat(" + ", \"'\", ".join(f"'{part}'" for part in text.split("'")) + ")"


class Failure(Exception):
    pass


class UI:
    def __init__(self, driver, base, demo):
        self.driver = driver
        self.base = base
        self.demo = demo
        self.severe = []  # (page, message)
        self.state = {}
        self.token = None  # sent by `api` when set (a server with server.auth.token)

    # --- navigation and console -------------------------------------------------------------------------------
    def go(self, path):
        self.collect()
        self.driver.get(self.base + path)
        self.wait(lambda d: d.execute_script("return document.readyState") == "complete", "the page to load")
        self.collect()

    def collect(self):
        """Keeps the SEVERE console entries of the pages visited so far."""
        for entry in self.driver.get_log("browser"):
            if entry.get("level") == "SEVERE":
                self.severe.append((self.driver.current_url, entry.get("message", "")))

    def wait(self, condition, what, timeout=WAIT):
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.2,
                                 ignored_exceptions=(StaleElementReferenceException,)).until(condition)
        except TimeoutException:
            raise Failure(f"timed out after {timeout}s waiting for {what}") from None

    # --- finding controls by accessible name --------------------------------------------------------------------
    def visible(self, xpath, what, timeout=WAIT):
        def find(d):
            for element in d.find_elements(By.XPATH, xpath):
                if element.is_displayed():
                    return element
            return None
        return self.wait(find, what, timeout)

    def button(self, name, scope="", timeout=WAIT):
        """A button, tab or link whose text or aria-label is `name`."""
        n = xpath_literal(name)
        return self.visible(f"{scope}//*[self::button or @role='tab' or self::a][normalize-space(.)={n} or @aria-label={n}]",
                            f'the control "{name}"', timeout)

    def click(self, name, scope="", timeout=WAIT):
        """Clicks the control once it is enabled, finding it again when the page re-rendered it meanwhile."""
        def attempt(_):
            element = self.button(name, scope, timeout)
            if not element.is_enabled():
                return False
            element.click()
            return element
        return self.wait(attempt, f'"{name}" to be enabled and clicked', timeout)

    def field(self, label, scope="", timeout=WAIT):
        """The control labelled `label` by a <label for>, or by aria-label."""
        n = xpath_literal(label)
        return self.visible(f"{scope}//*[@id=//label[normalize-space(.)={n}]/@for or @aria-label={n}]"
                            "[self::input or self::select or self::textarea]", f'the field "{label}"', timeout)

    def type(self, label, text, scope=""):
        element = self.field(label, scope)
        element.send_keys(Keys.CONTROL, "a")
        element.send_keys(Keys.DELETE)
        element.send_keys(text)
        return element

    def text_appears(self, text, timeout=WAIT, scope="//main"):
        n = xpath_literal(text)
        return self.visible(f"{scope}//*[contains(normalize-space(.), {n})][not(*[contains(normalize-space(.), {n})])]",
                            f'the text "{text}"', timeout)

    def reload(self):
        self.driver.refresh()
        self.collect()

    def path(self):
        return urllib.parse.urlparse(self.driver.current_url).path

    def api(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json", "X-Tracetest-Augmented": "true"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read().decode()
            return json.loads(text) if text else None

    # --- prerequisites when a scenario runs alone ---------------------------------------------------------------
    def ensure_test(self):
        if "test_id" not in self.state:
            name = f"UI test {int(time.time() * 1000)}"
            created = self.api("POST", "api/tests", {"type": "Test", "spec": {
                "name": name, "trigger": {"type": "http", "httpRequest": {"method": "GET", "url": self.demo_url()}}}})
            self.state.update(test_id=created["spec"]["id"], test_name=name)
        return self.state["test_id"]

    def ensure_run(self):
        if "run_id" not in self.state:
            test_id = self.ensure_test()
            run = self.api("POST", f"api/tests/{test_id}/run", {})
            deadline = time.time() + RUN_TIMEOUT
            while self.api("GET", f"api/tests/{test_id}/run/{run['id']}?trace=false")["state"] != "FINISHED":
                if time.time() > deadline:
                    raise Failure("the prerequisite run did not finish")
                time.sleep(0.5)
            self.state["run_id"] = str(run["id"])
        return self.state["run_id"]

    def demo_url(self):
        return urllib.parse.urljoin(self.demo, "pokemon/1")

    def run_id_from_path(self):
        parts = self.path().split("/")
        return parts[parts.index("run") + 1]


# --- scenarios ------------------------------------------------------------------------------------------------------

def create_test(ui):
    """Creates an HTTP test with the form; its page opens."""
    name = f"UI test {int(time.time() * 1000)}"
    ui.go("tests")
    ui.click("Create")
    ui.type("Name", name)
    ui.driver.find_element(By.XPATH, "//label[normalize-space(.)='HTTP']").click()
    Select(ui.field("Method")).select_by_visible_text("GET")
    ui.type("URL", ui.demo_url())
    ui.click("Save")
    ui.wait(lambda d: "/test/" in ui.path() and "/run/" not in ui.path(), "the test's page")
    ui.text_appears(name)
    ui.button("Run")
    ui.state.update(test_id=urllib.parse.unquote(ui.path().rstrip("/").split("/")[-1]), test_name=name)


def run_test(ui):
    """Runs the test: the run page follows it live to Finished; a span of the trace shows its attributes."""
    test_id = ui.ensure_test()
    ui.go(f"test/{test_id}")
    ui.click("Run")
    ui.wait(lambda d: "/run/" in ui.path(), "the run page")
    ui.state["run_id"] = ui.run_id_from_path()
    # The state changes live: the document is never reloaded (the marker survives).
    ui.driver.execute_script("window.__sameDocument = true")
    ui.visible("//main//*[contains(@class,'badge')][starts-with(normalize-space(.), 'Finished')]", "the run to finish", RUN_TIMEOUT)
    if not ui.driver.execute_script("return window.__sameDocument === true"):
        raise Failure("the page was reloaded while the run was going on")
    ui.click("Trace")
    spans = "//*[@aria-label='Spans']//button[not(@aria-expanded)]"
    ui.visible(spans, "the spans of the trace", WAIT)
    names = [b.text for b in ui.driver.find_elements(By.XPATH, spans)]
    target = next((n for n in names if n != "Tracetest trigger"), None)
    if not target:
        raise Failure(f"the trace has no span of the demo app: {names}")
    ui.click(target, "//*[@aria-label='Spans']")
    details = "//*[@aria-label='Span details']"
    ui.visible(f"{details}//h2[normalize-space(.)={xpath_literal(target)}]", "the span's details")
    ui.visible(f"{details}//dt[contains(normalize-space(.), 'service.name')]", "the span's attributes")
    ui.state["span_name"] = target


def add_spec(ui):
    """Adds a spec from the selected span, saves (a rerun), and runs again: the spec passes both times."""
    test_id, run_id = ui.ensure_test(), ui.ensure_run()
    if "span_name" not in ui.state:
        ui.go(f"test/{test_id}/run/{run_id}/trace")
    ui.click("Test")
    ui.click("Add Test Spec")
    selector = ui.field("Selector")
    ui.wait(lambda d: selector.get_attribute("value").startswith("span["), "the selector to be prefilled")
    ui.text_appears("selected")  # "N spans selected", from the select API
    ui.type("Assertion", "attr:tracetest.span.duration < 10s")
    ui.click("Save Test Spec")
    ui.text_appears("1 pending change")
    before = ui.run_id_from_path()
    ui.click("Save")
    ui.wait(lambda d: ui.run_id_from_path() != before, "the rerun after Save")
    specs = "//*[@aria-label='Test specs']"
    ui.visible(f"{specs}//*[normalize-space(.)='✔ Passed']", "the spec to pass", RUN_TIMEOUT)
    saved = ui.run_id_from_path()
    ui.click("Run again")
    ui.wait(lambda d: ui.run_id_from_path() != saved, "the run of Run again")
    ui.visible(f"{specs}//*[normalize-space(.)='✔ Passed']", "the spec to pass again", RUN_TIMEOUT)
    ui.state["run_id"] = ui.run_id_from_path()


def settings(ui):
    """Changes the trace polling's retry delay and the analyzer's minimum score: both are kept after a reload."""
    def save(label, value):
        ui.type(label, value)
        ui.click("Save")
        ui.text_appears("Saved.")

    ui.go("settings")
    ui.click("Trace Polling")
    original = ui.field("Retry delay").get_attribute("value")
    value = "700ms" if original != "700ms" else "600ms"
    try:
        save("Retry delay", value)
        ui.reload()
        ui.click("Trace Polling")
        ui.wait(lambda d: ui.field("Retry delay").get_attribute("value") == value, f"the retry delay {value} after a reload")
        ui.click("Analyzer")
        score = ui.field("Minimum score").get_attribute("value")
        new_score = "5" if score != "5" else "0"
        save("Minimum score", new_score)
        ui.reload()
        ui.wait(lambda d: ui.field("Minimum score").get_attribute("value") == new_score, "the minimum score after a reload")
        save("Minimum score", score or "0")
    finally:
        ui.go("settings?tab=pollingProfile")
        save("Retry delay", original or "500ms")


def cli_link(ui):
    """The link the CLI prints (test/<id>/run/<n>/test) opens the run's Test tab with its trace."""
    test_id, run_id = ui.ensure_test(), ui.ensure_run()
    ui.go(f"test/{test_id}/run/{run_id}/test")
    ui.visible("//*[@role='tab'][normalize-space(.)='Test'][@aria-selected='true']", "the Test tab to be selected")
    ui.button("Add Test Spec")
    ui.visible("//*[@aria-label='Spans']//button", "the trace in the Test tab")


def variable_sets(ui):
    """Creates a variable set, sees it in the list, deletes it."""
    name = f"ui-vars-{int(time.time() * 1000)}"
    ui.go("variablesets")
    ui.click("Create")
    ui.type("Name", name)
    ui.type("Key", "HOST")
    ui.type("Value", "localhost")
    ui.click("Save")
    card = f"//article[.//h3[normalize-space(.)={xpath_literal(name)}]]"
    ui.visible(card, "the new variable set in the list")
    ui.visible(f"{card}//th[normalize-space(.)='HOST']", "its key")
    ui.click("Delete", card)
    ui.click("Confirm", "//dialog")
    ui.wait(lambda d: not d.find_elements(By.XPATH, card), "the variable set to disappear")


def test_suites(ui):
    """Creates a suite of the test and runs it: the run page shows the step's result and a link to its run."""
    ui.ensure_test()
    name = f"UI suite {int(time.time() * 1000)}"
    ui.go("testsuites")
    ui.click("Create")
    ui.type("Name", name)
    picker = ui.field("Add a test")
    ui.wait(lambda d: len(Select(picker).options) > 1, "the tests to pick from")
    Select(picker).select_by_value(ui.state["test_id"])
    ui.click("Add step")
    ui.click("Save")
    ui.wait(lambda d: "/testsuite/" in ui.path(), "the suite's page")
    ui.text_appears(name)
    ui.click("Run")
    ui.wait(lambda d: "/run/" in ui.path(), "the suite run page")
    ui.visible("//main//*[contains(@class,'badge')][normalize-space(.)='Finished']", "the suite run to finish", RUN_TIMEOUT)
    step = "//ol[contains(@class,'steps')]/li"
    ui.visible(f"{step}//*[contains(@class,'badge')][starts-with(normalize-space(.), 'Finished')]", "the step's result")
    ui.visible(f"{step}//a[starts-with(normalize-space(.), 'Run #')]", "the link to the step's run")


def answer_token_prompt(ui, token):
    """Waits for the UI's prompt for the API token, checks it names the setting, and answers `token`."""
    try:
        WebDriverWait(ui.driver, WAIT).until(expected_conditions.alert_is_present())
    except TimeoutException:
        raise Failure("the UI did not ask for the API token") from None
    alert = ui.driver.switch_to.alert
    if "server.auth.token" not in alert.text:
        raise Failure(f"the prompt does not name server.auth.token: {alert.text!r}")
    alert.send_keys(token)
    alert.accept()


def api_token(ui, token):
    """On a server with server.auth.token the UI asks for the token, again after a wrong one, then keeps it and sends
    it for a download too (a run's JUnit report)."""
    ui.driver.get(ui.base + "tests")
    answer_token_prompt(ui, "wrong-token")
    answer_token_prompt(ui, token)
    ui.visible("//main//h1 | //main//h2", "the tests page")
    ui.wait(lambda d: not d.find_elements(By.XPATH, "//*[contains(@class,'error')][contains(., 'token')]"),
            "no token error on the page")
    # Kept: another page asks nothing.
    ui.go("settings")
    ui.visible("//main//form", "the settings page")
    try:
        WebDriverWait(ui.driver, 2).until(expected_conditions.alert_is_present())
        raise Failure("the UI asked for the token again after a reload")
    except TimeoutException:
        pass
    stored = ui.driver.execute_script("return localStorage.getItem('tracetest.token')")
    if stored != token:
        raise Failure(f"the token kept is {stored!r}")
    # A download: the run's JUnit report is fetched with the token (a plain link is answered 401).
    ui.token = token
    test_id = ui.ensure_test()
    run = ui.api("POST", f"api/tests/{test_id}/run", {})
    deadline = time.time() + RUN_TIMEOUT
    while not ui.api("GET", f"api/tests/{test_id}/run/{run['id']}?trace=false")["state"].endswith(("FINISHED", "FAILED")):
        if time.time() > deadline:
            raise Failure("the run did not end")
        time.sleep(0.5)
    ui.go(f"test/{test_id}/run/{run['id']}/automate")
    ui.driver.execute_script("window.savedFiles = []; const create = URL.createObjectURL;"
                             "URL.createObjectURL = (blob) => { window.savedFiles.push(blob); return create(blob); };")
    ui.visible("//main//a[normalize-space(.)='JUnit report']", "the JUnit report link").click()
    ui.wait(lambda d: d.execute_script("return window.savedFiles.length") > 0, "the JUnit report to be saved")
    xml = ui.driver.execute_async_script("window.savedFiles[0].text().then(arguments[arguments.length - 1]);")
    if "<testsuites" not in xml:
        raise Failure(f"the JUnit report saved is not one: {xml[:200]!r}")


def console(ui):
    """No page visited so far logged an error in the browser's console."""
    ui.collect()
    if ui.severe:
        raise Failure("console errors:\n" + "\n".join(f"  {page}: {message}" for page, message in ui.severe))


def capture(ui, directory):
    """Screenshots of the main pages for the documentation, after the scenarios made a test, a run and a spec."""
    test_id, run_id = ui.ensure_test(), ui.ensure_run()
    pages = [
        ("tests", "tests", "//main//article"),
        ("run-trace", f"test/{test_id}/run/{run_id}/trace", "//*[@aria-label='Spans']//button"),
        ("run-test", f"test/{test_id}/run/{run_id}/test", "//main//*[contains(@class,'badge')]"),
        ("settings", "settings", "//main//form"),
    ]
    for name, path, ready in pages:
        ui.go(path)
        ui.visible(ready, f"the {name} page", WAIT)
        if name == "run-trace":
            buttons = ui.driver.find_elements(By.XPATH, "//*[@aria-label='Spans']//button[not(@aria-expanded)]")
            target = next((b for b in buttons if b.text and b.text != "Tracetest trigger"), None)
            if target:
                target.click()
                ui.visible("//*[@aria-label='Span details']//dt", "the span's details")
        time.sleep(0.5)  # let the layout settle before the picture (not an assertion)
        ui.driver.save_screenshot(os.path.join(directory, f"ui-{name}.png"))


# In order: a scenario run alone makes its prerequisites through the API; `console` checks the pages visited before it.
SCENARIOS = {"create-test": create_test, "run-test": run_test, "add-spec": add_spec, "settings": settings,
             "cli-link": cli_link, "variable-sets": variable_sets, "test-suites": test_suites, "console": console}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", required=True, help="the UI's base URL, with the path prefix if any")
    parser.add_argument("--demo", required=True, help="base URL of the demo app the test's trigger calls")
    parser.add_argument("--screenshots", default="screenshots", help="where to save a screenshot of each failure")
    parser.add_argument("--only", choices=list(SCENARIOS), help="run one scenario")
    parser.add_argument("--headed", action="store_true", help="show the browser")
    parser.add_argument("--capture", metavar="DIR", help="after the scenarios, save screenshots of the main pages")
    parser.add_argument("--token", help="the server's API token: run the token scenario (and only it)")
    args = parser.parse_args()
    base = args.server if args.server.endswith("/") else args.server + "/"
    demo = args.demo if args.demo.endswith("/") else args.demo + "/"
    os.makedirs(args.screenshots, exist_ok=True)

    options = Options()
    if not args.headed:
        options.add_argument("--headless=new")
    for flag in ("--no-sandbox", "--disable-dev-shm-usage", "--window-size=1500,1000"):
        options.add_argument(flag)
    options.binary_location = "/usr/bin/chromium"
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(30)
    ui = UI(driver, base, demo)
    failed = 0
    scenarios = {"api-token": lambda ui: api_token(ui, args.token)} if args.token else SCENARIOS
    try:
        for name in [args.only] if args.only else scenarios:
            started = time.time()
            try:
                scenarios[name](ui)
                ui.collect()
                print(f"PASS {name} ({time.time() - started:.1f}s)", flush=True)
            except Exception as error:  # noqa: BLE001 - every failure is reported the same way
                failed += 1
                reason = str(error) if isinstance(error, Failure) else f"{type(error).__name__}: {error}"
                print(f"FAIL {name}: {reason} (at {driver.current_url})", flush=True)
                if not isinstance(error, Failure):
                    traceback.print_exc()
                try:
                    driver.save_screenshot(os.path.join(args.screenshots, f"{name}.png"))
                except Exception:  # noqa: BLE001
                    pass
        if args.capture and not failed:
            os.makedirs(args.capture, exist_ok=True)
            capture(ui, args.capture)
    finally:
        driver.quit()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
