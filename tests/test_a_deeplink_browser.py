"""A deep link straight to a page, as the first request a fresh server sees, still goes through app.py."""
import pytest

from tests.test_browser import wait_for_app

pytestmark = pytest.mark.browser


def test_deep_link_gets_the_app_navigation(page, fresh_app_url) -> None:
    page.goto(f"{fresh_app_url}/gates")
    wait_for_app(page)
    nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
    assert "Recurrent networks" in nav and "Convolutional networks" in nav
    assert "app" not in nav.lower().split()
