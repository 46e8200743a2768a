#!/usr/bin/python3
"""The agent inbox in a real browser: headless Chromium driven by Selenium.

Signs in, sees a customer's message appear without reloading (the event
stream), reads a message holding HTML as text, replies, and sees the desk's
refusal with its reason when the window is closed. Keeps a screenshot as an
artefact in WORK_DIR.

Usage: test_inbox_browser.py PATH/TO/chatdesk_server WORK_DIR
"""
import json
import os
import shutil
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_server as t  # noqa: E402  (the fake platform and the helpers)

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402


def open_conversation(browser, customer):
    """Clicks the customer's line in the list (the list is redrawn as events come: try again)."""
    for _ in range(20):
        try:
            for button in browser.find_elements(By.CSS_SELECTOR, "#list button"):
                if customer in button.text:
                    button.click()
                    return
        except StaleElementReferenceException:
            pass
        time.sleep(0.2)
    raise SystemExit("FAILED: no line for " + customer)


def post(base, messages):
    body = t.webhook(messages)
    status, _ = t.request("POST", base + "/webhook", body, t.signed(body))
    t.check(status == 200, "a customer writes (%s)" % messages[0]["from"])


def main():
    binary, work = sys.argv[1], sys.argv[2]
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    platform = t.FakePlatform()
    threading.Thread(target=platform.serve_forever, daemon=True).start()
    proc, base = t.start_server(binary, work, platform.server_address[1])
    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=1280,800"):
        options.add_argument(flag)
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    browser = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"),
                               options=options)
    wait = WebDriverWait(browser, 15)
    try:
        now = int(time.time())
        post(base, [{"from": "393331234567", "id": "wamid.b.1", "at": now - 120, "text": "Hello!", "name": "Maria"}])
        browser.get(base + "/")
        token = wait.until(ec.visibility_of_element_located((By.ID, "token")))
        token.send_keys(t.TOKEN, Keys.ENTER)
        wait.until(ec.text_to_be_present_in_element((By.ID, "list"), "+393331234567"))
        t.check(True, "signed in, the inbox lists the conversation")

        # A new customer writes while the page is open: it appears without a reload.
        hostile = "<b>bold</b><img src=x onerror=alert(1)>"
        post(base, [{"from": "393339876543", "id": "wamid.b.2", "at": now - 60, "text": hostile, "name": "Luca"}])
        wait.until(ec.text_to_be_present_in_element((By.ID, "list"), "+393339876543"))
        t.check(True, "a new message appears without reloading")

        # Its HTML shows as text.
        open_conversation(browser, "+393339876543")
        wait.until(ec.text_to_be_present_in_element((By.ID, "transcript"), "<b>bold</b>"))
        t.check(not browser.find_elements(By.CSS_SELECTOR, "#transcript b, #transcript img, #list b, #list img"),
                "a message holding HTML shows as text, and makes no element")

        # Live support: the agent takes the conversation, which the list and the toolbar show.
        Select(browser.find_element(By.ID, "me")).select_by_visible_text("Giulia")
        take = browser.find_element(By.ID, "take")
        if take.is_displayed():
            take.click()
        wait.until(ec.text_to_be_present_in_element((By.ID, "holder"), "held by giulia"))
        t.check(True, "the agent assigned the conversation to herself")

        # A reply inside the window, sent with the keyboard.
        box = browser.find_element(By.ID, "text")
        box.send_keys("Ciao Luca, eccomi!", Keys.ENTER)
        wait.until(ec.text_to_be_present_in_element((By.ID, "transcript"), "Ciao Luca, eccomi!"))
        t.check(len(platform.accepted) == 1, "the reply went to the platform")
        browser.find_element(By.ID, "resolve").click()
        wait.until(ec.text_to_be_present_in_element((By.ID, "holder"), "resolved"))
        t.check(True, "the agent resolved the conversation")

        # A customer whose window closed: the refusal and its reason show.
        post(base, [{"from": "393335550000", "id": "wamid.b.3", "at": now - 25 * 3600, "text": "Yesterday",
                     "name": "Anna"}])
        wait.until(ec.text_to_be_present_in_element((By.ID, "list"), "+393335550000"))
        open_conversation(browser, "+393335550000")
        wait.until(ec.text_to_be_present_in_element((By.ID, "transcript"), "Yesterday"))
        browser.find_element(By.ID, "text").send_keys("Still there?", Keys.ENTER)
        wait.until(ec.text_to_be_present_in_element((By.ID, "refusal"), "window"))
        refusal = browser.find_element(By.ID, "refusal").text
        t.check("template" in refusal, "a reply outside the window shows the desk's reason: " + refusal)
        t.check(len(platform.accepted) == 1, "the refused reply never reached the platform")

        # The page offers the approved templates instead: one is filled in and sent.
        wait.until(ec.visibility_of_element_located((By.ID, "templates")))
        choice = Select(browser.find_element(By.ID, "template"))
        labels = [o.text for o in choice.options]
        shipping = next(i for i, label in enumerate(labels) if label.startswith("shipping_update (en_US"))
        choice.select_by_index(shipping)
        for field in browser.find_elements(By.CSS_SELECTOR, "#fields input"):
            field.send_keys("A-1042" if field.get_attribute("data-key") == "order_number" else "x1")
        browser.find_element(By.CSS_SELECTOR, "#template-form button").click()
        wait.until(ec.invisibility_of_element_located((By.ID, "templates")))
        wait.until(ec.text_to_be_present_in_element((By.ID, "transcript"), "shipping_update"))
        sent = platform.accepted[-1]
        t.check(len(platform.accepted) == 2 and sent["type"] == "template"
                and sent["template"]["name"] == "shipping_update",
                "a template was sent instead, and reached the platform")

        shot = os.path.join(work, "inbox.png")
        browser.save_screenshot(shot)
        t.check(os.path.getsize(shot) > 1000, "a screenshot of the inbox is kept: " + shot)

        # The costs page draws its charts, each with a table of the numbers: the
        # platform first says the template was delivered, which costs something.
        body = json.dumps({"object": "whatsapp_business_account", "entry": [{"id": "waba", "changes": [
            {"field": "messages", "value": {"messaging_product": "whatsapp",
                                            "metadata": {"display_phone_number": "390551234567",
                                                         "phone_number_id": t.NUMBER_ID},
                                            "statuses": [{"id": "wamid.fake.2", "status": "delivered",
                                                          "timestamp": str(int(time.time())),
                                                          "recipient_id": "393335550000"}]}}]}]}).encode()
        status, _ = t.request("POST", base + "/webhook", body, t.signed(body))
        t.check(status == 200, "the template's delivery is reported")
        browser.get(base + "/costs")
        wait.until(ec.text_to_be_present_in_element((By.ID, "models-table"), "pmp_2026_10"))
        t.check(len(browser.find_elements(By.CSS_SELECTOR, "#models-chart svg rect")) >= 5
                and len(browser.find_elements(By.CSS_SELECTOR, "#models-table tr")) == 5,
                "the costs page shows the four models as a chart and a table")
        t.check("utility" in browser.find_element(By.ID, "invoice-table").text,
                "the costs page shows the month's invoice lines")
        browser.save_screenshot(os.path.join(work, "costs.png"))
    finally:
        browser.quit()
        proc.kill()
        platform.shutdown()
    print("browser: all checks passed")


if __name__ == "__main__":
    main()
